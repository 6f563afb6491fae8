// What a first real use of validate and localize meets on real projects (issue #21): old failures,
// a file given as a test id, mocha of express's era (2.1), the mocha id grammar, editable installs.
// Real runners on temp copies of fixtures; mocha 2.1 is installed into its fixture by `npm ci`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { localize, LocalizeError } from '../../src/core/localize';
import { detectRunner } from '../../src/core/runner';
import { validatePatch } from '../../src/core/validate';
import { runProcess } from '../../src/core/proc/run';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { lacks } from '../support/system-deps';
import { diffFor } from './validate-helpers';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const ROOT = resolve(__dirname, '..', '..');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
async function fixture(name: string): Promise<FixtureRepo> {
  const r = await makeFixtureRepo(name);
  cleanups.push(r.cleanup);
  return r;
}
async function cacheDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rover-first-use-cache-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

const SLUG = 'test/slug.test.js::slugify collapses repeated separators';
const fixSlug = (dir: string) => diffFor(dir, 'src/slug.js', (t) => t.replace('/[^a-z0-9]/g', '/[^a-z0-9]+/g'));

describe('validate judges a patch by what it changed', () => {
  it('tests that failed before the patch and still fail are named as old, and do not hold a fix back', async () => {
    const repo = await fixture('js-textkit');
    // a failure the checkout already has (uncommitted: validate tests what is on disk)
    await writeFile(join(repo.dir, 'test', 'legacy.test.js'), "const { test } = require('node:test');\nconst assert = require('node:assert');\ntest('legacy locale table is complete', () => assert.strictEqual(1, 2));\n");
    const r = await validatePatch({ repo: repo.dir, patch: await fixSlug(repo.dir) });
    expect(r.failToPass).toEqual([SLUG]);
    expect(r.alreadyFailing).toEqual(['test/legacy.test.js::legacy locale table is complete']);
    expect(r.verdict).toBe('resolved');
    expect(r.explanation).toMatch(/1 other test\(s\) failed before the patch and still fail, so they are not its doing/);
    // a patch that fixes nothing is still not "resolved" because of them
    const nothing = await validatePatch({ repo: repo.dir, patch: await diffFor(repo.dir, 'src/slug.js', (t) => `// a comment\n${t}`) });
    expect(nothing.verdict).toBe('unresolved');
    expect(nothing.explanation).toMatch(/No test went from failing to passing: 2 test\(s\) fail with and without the patch/);
  });

  it('a test file given as a test id selects its tests (node)', async () => {
    const repo = await fixture('js-textkit');
    const r = await validatePatch({ repo: repo.dir, patch: await fixSlug(repo.dir), tests: ['test/slug.test.js'] });
    expect(r.verdict).toBe('resolved');
    expect(r.failToPass).toEqual([SLUG]);
    expect(r.explanation).not.toMatch(/did not run/);
    // an exact id nothing reported is still a target that did not run, with what did run
    const typo = await validatePatch({ repo: repo.dir, patch: await fixSlug(repo.dir), tests: ['test/slug.test.js::slugify collapses repeated separator'] });
    expect(typo.verdict).toBe('unresolved');
    expect(typo.explanation).toMatch(/did not run at all: check the id; test\/slug\.test\.js::slugify collapses repeated separator: did you mean "test\/slug\.test\.js::slugify collapses repeated separators"/);
    // the test's title without its file (as mocha and the BugsJS lists write it) names the same target
    const byTitle = await validatePatch({ repo: repo.dir, patch: await fixSlug(repo.dir), tests: ['slugify collapses repeated separators'] });
    expect(byTitle.verdict).toBe('resolved');
    expect(byTitle.explanation).toMatch(/All 1 target test\(s\) pass with the patch/);
  });

  it.skipIf(lacks('python3-pytest'))('a test file given as a test id selects its tests (pytest)', async () => {
    const repo = await fixture('py-inventory');
    const patch = await diffFor(repo.dir, 'inventory/pricing.py', (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    const r = await validatePatch({ repo: repo.dir, patch, tests: ['tests/test_pricing.py'] });
    expect(r.verdict).toBe('resolved');
    expect(r.failToPass).toEqual(['tests/test_pricing.py::test_bulk_discount_at_threshold']);
  });
});

describe('a project that does not run on this Python', () => {
  it.skipIf(lacks('python3-pytest'))('says which import failed and that another interpreter may be needed', async () => {
    const repo = await fixture('validate-notests');
    // requests 2.10 on Python 3.10+: collections.MutableMapping is gone
    await writeFile(join(repo.dir, 'conftest.py'), 'import collections\n\nBase = collections.MutableMapping\n');
    await writeFile(join(repo.dir, 'test_pkg.py'), 'def test_answer():\n    assert True\n');
    await runProcess('git', ['add', '-A'], { cwd: repo.dir, timeoutMs: 30_000 });
    await runProcess('git', ['commit', '-qm', 'old project'], { cwd: repo.dir, timeoutMs: 30_000 });
    const r = await validatePatch({ repo: repo.dir, patch: await diffFor(repo.dir, 'pkg/__init__.py', (t) => t.replace('42', '43')) });
    expect(r.verdict).toBe('error');
    expect(r.explanation).toMatch(/The tests could not start: loading \S+conftest\.py raised AttributeError: module 'collections' has no attribute 'MutableMapping' \(exit 4\)\. If the project needs another Python than/);
  });
});

describe('mocha of express\'s era (2.1)', () => {
  it('validate reads its results (its xunit reporter wrote to stdout), drops --bail, names nested suites file::outer > inner > test; localize takes those ids', async (ctx) => {
    const repo = await fixture('validate-mocha2');
    const ci = await runProcess('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: repo.dir, timeoutMs: 240_000 });
    if (ci.code !== 0) ctx.skip(`npm ci could not install mocha 2.1 into the fixture (no npm registry?): ${ci.stderr.trim().split('\n').pop()}`);
    const runner = await detectRunner(repo.dir);
    expect(runner.command).not.toContain('--bail');
    const patch = await diffFor(repo.dir, 'lib/range.js', (t) => t.replace('i < end', 'i <= end'));
    const r = await validatePatch({ repo: repo.dir, patch });
    expect(r.before.error).toBeUndefined();
    expect(r.verdict).toBe('resolved');
    expect(r.failToPass).toEqual(['test/range.js::range > inclusive > includes both ends']);
    expect(r.alreadyFailing).toEqual(['test/words.js::words > splits on dashes too']);
    expect(Object.keys(r.after.results)).toHaveLength(5);

    const cache = await cacheDir();
    const base = { repo: repo.dir, runner, passing: ['test/range.js::sum > adds numbers'], cacheDir: cache };
    const byGrammar = await localize({ ...base, failing: ['test/range.js::range > inclusive > includes both ends'] });
    expect(byGrammar.failing).toEqual(['test/range.js::range > inclusive > includes both ends']);
    expect(byGrammar.entries[0]).toMatchObject({ file: 'lib/range.js', method: 'range' });
    // mocha's own full title, as the BugsJS lists write it, names the same test
    const byTitle = await localize({ ...base, failing: ['range inclusive includes both ends'], cacheDir: false });
    expect(byTitle.failing).toEqual(['test/range.js::range > inclusive > includes both ends']);
  });
});

describe('mocha test ids: file::outer > inner, with "did you mean"', () => {
  it('localize accepts the documented form and suggests the nearest ids for a near miss', async () => {
    const repo = await fixture('validate-mocha');
    await symlink(resolve(ROOT, 'node_modules'), join(repo.dir, 'node_modules'), 'dir');
    const runner = await detectRunner(repo.dir);
    const r = await localize({ repo: repo.dir, runner, failing: ['test/range.test.js::range > includes both ends'], passing: ['test/range.test.js::sum > adds numbers'], cacheDir: false });
    expect(r.failing).toEqual(['test/range.test.js::range > includes both ends']);
    expect(r.entries[0]).toMatchObject({ file: 'lib/range.js', method: 'range' });
    const err = await localize({ repo: repo.dir, runner, failing: ['test/range.test.js::range > include both ends'], cacheDir: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalizeError);
    expect((err as Error).message).toMatch(/None of the failing tests ran: test\/range\.test\.js::range > include both ends \(did you mean "test\/range\.test\.js::range > includes both ends"/);
  });
});

describe('which copy of a src-layout project the tests import', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('not installed: the run\'s own src/ is on the path (the tests could not import the package)', async () => {
    const repo = await fixture('py-src-layout');
    const runner = await detectRunner(repo.dir);
    expect(runner.pythonPath).toEqual(['src']);
    expect(runner.detectedFrom).toMatch(/a src layout: the run's own src goes first on PYTHONPATH/);
    const patch = await diffFor(repo.dir, 'src/calc/__init__.py', (t) => t.replace('    return x\n', '    return min(x, hi)\n'));
    const v = await validatePatch({ repo: repo.dir, patch });
    expect(v.verdict).toBe('resolved');
    const loc = await localize({ repo: repo.dir, failing: ['tests/test_calc.py::test_clamp_high'], allPassing: true, cacheDir: false });
    expect(loc.entries[0]).toMatchObject({ file: 'src/calc/__init__.py', method: 'clamp' });
  });

  it.skipIf(lacks('python3-venv', 'python3-pytest', 'python3-coverage'))("installed for development (.venv + pip install -e .): the worktree's own src/ is what the tests import, for localize and validate", async () => {
    const repo = await fixture('py-src-layout');
    const venv = await runProcess('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', '.venv'], { cwd: repo.dir, timeoutMs: 120_000 });
    expect(venv.code, venv.stderr).toBe(0);
    const pip = await runProcess(join(repo.dir, '.venv', 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--no-index', '--no-build-isolation', '--no-deps', '-e', '.'], { cwd: repo.dir, timeoutMs: 180_000 });
    expect(pip.code, pip.stderr + pip.stdout).toBe(0);
    const runner = await detectRunner(repo.dir);
    expect(runner.python).toBe(join(repo.dir, '.venv', 'bin', 'python'));
    expect(runner.pythonPath).toEqual(['src']);
    expect(runner.detectedFrom).toMatch(/editable install/);
    const loc = await localize({ repo: repo.dir, failing: ['tests/test_calc.py::test_clamp_high'], allPassing: true, cacheDir: false });
    expect(loc.entries[0]).toMatchObject({ file: 'src/calc/__init__.py', method: 'clamp' });
    const patch = await diffFor(repo.dir, 'src/calc/__init__.py', (t) => t.replace('    return x\n', '    return min(x, hi)\n'));
    const v = await validatePatch({ repo: repo.dir, patch });
    expect(v.verdict).toBe('resolved');
    expect(v.failToPass).toEqual(['tests/test_calc.py::test_clamp_high']);
  });
});
