// `rover index`, `rover search` and `rover example` as a user runs them: child processes of the
// built dist/cli.js on a temp copy of a fixture.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { lacks } from '../support/system-deps';
import { treeHash } from '../support/tree-hash';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
let repo: FixtureRepo;
let cacheDir: string;

async function rover(...args: string[]) {
  const r = await runProcess(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: cacheDir }, timeoutMs: 120_000 });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // dist/cli.js is today's: test/support/global-setup.ts rebuilds a stale bundle
  repo = await makeFixtureRepo('py-inventory', { git: false });
  cacheDir = `${repo.dir}-xdg`;
}, 120_000);

afterAll(async () => {
  await repo?.cleanup();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('rover index', () => {
  it('prints stats, then hits the cache on a second run; --json has the same figures', async () => {
    const first = await rover('index', repo.dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/files +8 /);
    expect(first.stdout).toContain('languages  python 8');
    expect(first.stdout).toMatch(/symbols +7 classes, \d+ functions, \d+ methods/);
    expect(first.stdout).toMatch(/cache +0 hits, 8 misses/);
    const second = await rover('index', repo.dir, '--json');
    expect(second.code).toBe(0);
    const stats = JSON.parse(second.stdout);
    expect(stats).toMatchObject({ files: 8, classes: 7, cacheHits: 8, cacheMisses: 0, warnings: 0 });
    expect(stats.languages).toEqual({ python: 8 });
    const cold = JSON.parse((await rover('index', repo.dir, '--json', '--no-cache')).stdout);
    expect(cold).toMatchObject({ cacheHits: 0, cacheMisses: 8 });
  });

  it('bad input: missing dir, a file, extra args, unknown flag -> exit 2 with a message', async () => {
    const none = await rover('index');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing <dir>');
    const gone = await rover('index', join(repo.dir, 'nope'));
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no such directory');
    const file = await rover('index', join(repo.dir, 'pytest.ini'));
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('not a directory');
    expect((await rover('index', repo.dir, 'extra')).code).toBe(2);
    const flag = await rover('index', repo.dir, '--frobnicate');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--frobnicate');
  });

  it('reports syntax-error warnings', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(repo.dir, 'inventory', 'broken.py'), 'def ok():\n    return 1\n\ndef broken(:\n    pass\n');
    const r = await rover('index', repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warnings +[1-9]/);
    expect(r.stdout).toContain('inventory/broken.py: syntax-error');
    await rm(join(repo.dir, 'inventory', 'broken.py'));
  });
});

describe('rover search', () => {
  it('runs an API with positional args, text and --json', async () => {
    const r = await rover('search', repo.dir, 'search_method_in_class', 'total', 'Cart');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Found 1 method with name total in class Cart.');
    expect(r.stdout).toContain('inventory/cart.py:34-35');
    expect(r.stdout).toMatch(/35 +return self\._calculator\.total/);
    const j = await rover('search', repo.dir, 'get_code_around_line', 'cart.py', '9', '1', '--json');
    expect(j.code).toBe(0);
    const o = JSON.parse(j.stdout);
    expect(o).toMatchObject({ api: 'get_code_around_line', ok: true, total: 1 });
    expect(o.hits[0]).toMatchObject({ file: 'inventory/cart.py', startLine: 8, endLine: 10, className: 'Cart' });
  });

  it('not found -> exit 1 with did-you-mean; refused path -> exit 2', async () => {
    const miss = await rover('search', repo.dir, 'search_class', 'Crat');
    expect(miss.code).toBe(1);
    expect(miss.stdout).toContain('Did you mean: Cart (inventory/cart.py:9)?');
    const refused = await rover('search', repo.dir, 'get_code_around_line', '../../etc/passwd', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('outside the workspace root');
    expect(refused.stdout).not.toContain('root:');
  });

  it('bad api, wrong arity, missing dir -> exit 2 with a clear message', async () => {
    const api = await rover('search', repo.dir, 'search_klass', 'Cart');
    expect(api.code).toBe(2);
    expect(api.stderr).toContain('unknown search api "search_klass" (did you mean search_class');
    expect(api.stderr).toContain('search_method_in_class(method_name, class_name)');
    const arity = await rover('search', repo.dir, 'search_method_in_class', 'total');
    expect(arity.code).toBe(2);
    expect(arity.stderr).toContain('search_method_in_class takes 2 argument(s): search_method_in_class(method_name, class_name); got 1');
    const many = await rover('search', repo.dir, 'search_class', 'A', 'B');
    expect(many.code).toBe(2);
    const range = await rover('search', repo.dir, 'get_code_around_line', 'cart.py');
    expect(range.stderr).toContain('takes 2 to 3 argument(s)');
    const dir = await rover('search', join(repo.dir, 'missing'), 'search_class', 'Cart');
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('no such directory');
    const nothing = await rover('search');
    expect(nothing.code).toBe(2);
  });
});

describe('rover example', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('indexes the bundled example, runs the searches, then the whole fix session with the recorded model exchange', async () => {
    const before = treeHash(join(ROOT, 'test', 'fixtures', 'py-inventory'));
    const r = await rover('example');
    expect(r.code, r.stderr).toBe(0);
    for (const s of [
      'The model is a RECORDED exchange',
      'reproduction test #1 tests/test_bulk_threshold.py: kept',
      'localization (sbfl): ochiai over 1 failing',
      'candidate c1: regressed — breaks 1 previously passing test(s): tests/test_pricing.py::test_bulk_discount_above_threshold',
      'candidate c2: resolved',
      'selected c2: c2 passes the oracle test(s) tests/test_bulk_threshold.py::test_ten_units_get_the_bulk_discount',
      '+    if quantity >= BULK_THRESHOLD:',
      'Next steps',
      'Rover: Fix This Issue',
    ]) {
      expect(r.stdout + r.stderr).toContain(s);
    }
    expect(treeHash(join(ROOT, 'test', 'fixtures', 'py-inventory'))).toBe(before);
    for (const s of [
      'Found 1 class with name Cart in the codebase.',
      'Found 1 method with name total in class Cart.',
      'Bundle.price_for (inventory/models.py:26) overrides Product.price_for (inventory/models.py:13)',
      'Found 3 matches of BULK_THRESHOLD',
      'in PriceCalculator.total',
      'Did you mean: bulk_discount (inventory/pricing.py:8)?',
      'Refusing "../../etc/passwd"',
    ]) {
      expect(r.stdout).toContain(s);
    }
    // the bundled fixture stays untouched (no cache or other file written into it)
    expect(existsSync(join(ROOT, 'test', 'fixtures', 'py-inventory', '.rover'))).toBe(false);
  });
});
