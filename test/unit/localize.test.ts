// End to end on fixture repos with planted bugs: real pytest + coverage.py, real node --test + V8
// coverage through source maps, real git worktrees. Each fixture is copied to a temp dir first.
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { run as localizeCmd } from '../../src/cli/commands/localize-cmd';
import { CliError } from '../../src/cli/args';
import { localize, LocalizeError, topSuspects } from '../../src/core/localize';
import { jsEngine, mochaArgv } from '../../src/core/localize/js-collect';
import { tapUnescape } from '../../src/core/runner/parsers/tap';
import { disarmHints } from '../../src/core/localize/istanbul-register';
import type { TestRunnerSpec } from '../../src/core/runner/types';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { lacks } from '../support/system-deps';

const PY = '/usr/bin/python3';
const FAILING_PY = 'tests/test_pricing.py::test_full_discount_coupon';
const pytestSpec: TestRunnerSpec = { kind: 'pytest', command: [PY, '-m', 'pytest', '-rA', '-p', 'no:cacheprovider', '{tests}'], reportFormat: 'pytest-ra', python: PY };

/** The planted coupon bug of localize-py, measured in the repo itself (no worktree, no cache). */
const localizeCouponBug = (dir: string) =>
  localize({ repo: dir, failing: [FAILING_PY], passing: ['tests/test_pricing.py::test_order_total', 'tests/test_pricing.py::test_unit_price_bulk'], runner: pytestSpec, cacheDir: false, isolate: false });

const repos: FixtureRepo[] = [];
const dirs: string[] = [];
async function fixture(name: string): Promise<FixtureRepo> {
  const r = await makeFixtureRepo(name);
  repos.push(r);
  return r;
}
async function cacheDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rover-loc-cache-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const r of repos.splice(0)) await r.cleanup();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('localize: Python (pytest + coverage.py)', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('ranks the planted bug first, at the buggy line, and leaves the user tree untouched', async () => {
    const repo = await fixture('localize-py');
    const statusBefore = await simpleGit(repo.dir).raw(['status', '--porcelain', '--ignored']);
    const res = await localize({
      repo: repo.dir,
      failing: [FAILING_PY],
      allPassing: true,
      issueText: await readFile(join(repo.dir, 'ISSUE.md'), 'utf8'),
      runner: pytestSpec,
      cacheDir: false,
    });
    expect(res.mode).toBe('per-test');
    expect(res.tool).toMatch(/coverage\.py/);
    expect(res.entries[0]).toMatchObject({ file: 'shop/pricing.py', method: 'apply_coupon', line: 19, score: 1, ef: 1, ep: 0, tieSize: 1 });
    // the other functions the failing test ran are there, below it
    expect(res.entries.map((e) => e.method)).toEqual(expect.arrayContaining(['order_total', 'unit_price', 'shipping_cost']));
    expect(res.entries.some((e) => e.file.startsWith('tests/'))).toBe(false);
    // 3 parametrized cases + unittest methods each have their own context
    expect(res.passing).toEqual(expect.arrayContaining(['tests/test_pricing.py::test_partial_coupons[10-45.0]', 'tests/test_pricing.py::TestShipping::test_heavy_express']));
    expect(res.passing).not.toContain('tests/test_pricing.py::test_order_total'.replace('order_total', 'full_discount_coupon'));
    expect(topSuspects(res, 1)).toEqual([{ file: 'shop/pricing.py', method: 'apply_coupon', score: 1, line: 19 }]);
    expect(await simpleGit(repo.dir).raw(['status', '--porcelain', '--ignored'])).toBe(statusBefore);
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('works through `coverage run` with per-function contexts (unittest runner) and all three formulas', async () => {
    const repo = await fixture('localize-py');
    const spec: TestRunnerSpec = { kind: 'unittest', command: [PY, '-m', 'unittest', '-v', '{tests}'], reportFormat: 'exit-code', python: PY };
    for (const formula of ['ochiai', 'dstar', 'tarantula'] as const) {
      const res = await localize({
        repo: repo.dir,
        failing: ['tests.test_text.TestText.test_format_negative'],
        passing: ['tests.test_text.TestText.test_format_money', 'tests.test_text.TestText.test_describe_order'],
        testPaths: ['tests/test_text.py'],
        runner: spec,
        formula,
        cacheDir: false,
        isolate: false,
      });
      expect(res.tool).toMatch(/coverage run/);
      // only the negative case runs the sign branch... but format_money's other lines are shared, so the function still ranks first
      expect(res.entries[0]).toMatchObject({ file: 'shop/text.py', method: 'format_money' });
    }
    // dotted ids do not name the test's file; the cache keeps it, so a cached run ranks the same
    const cached = {
      repo: repo.dir,
      failing: ['tests.test_text.TestText.test_format_negative'],
      passing: ['tests.test_text.TestText.test_format_money'],
      testPaths: ['tests/test_text.py'],
      runner: spec,
      cacheDir: await cacheDir(),
    };
    const first = await localize(cached);
    const second = await localize(cached);
    expect([first.fromCache, second.fromCache]).toEqual([0, 2]);
    for (const r of [first, second]) expect(r.entries[0]).toMatchObject({ file: 'shop/text.py', testNameMatch: 2 });
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))("does not count the code that reports a failure as the failing test's", async () => {
    const repo = await fixture('localize-py');
    // project hooks that run only for failures: one after the test has finished, one to explain a failed assert
    await writeFile(
      join(repo.dir, 'shop', 'reporting.py'),
      [
        'def describe(report):',
        '    open("described.txt", "w").write(str(report.longrepr)[:80])',
        '',
        '',
        'def explain(op, left, right):',
        '    open("explained.txt", "w").write(op)',
        '    return ["%r %s %r" % (left, op, right)]',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(repo.dir, 'tests', 'conftest.py'),
      [
        'import pytest',
        'from shop import reporting',
        '',
        '@pytest.hookimpl(hookwrapper=True)',
        'def pytest_runtest_makereport(item, call):',
        '    outcome = yield',
        '    report = outcome.get_result()',
        '    if report.failed:',
        '        reporting.describe(report)',
        '',
        'def pytest_assertrepr_compare(config, op, left, right):',
        '    return reporting.explain(op, left, right)',
        '',
      ].join('\n'),
    );
    const res = await localizeCouponBug(repo.dir);
    expect(res.entries[0]).toMatchObject({ file: 'shop/pricing.py', method: 'apply_coupon' });
    expect(res.entries.filter((e) => e.file === 'shop/reporting.py')).toEqual([]);
    // yet both hooks did run
    expect(await readFile(join(repo.dir, 'explained.txt'), 'utf8')).toBe('==');
    expect(await readFile(join(repo.dir, 'described.txt'), 'utf8')).not.toBe('');
  });

  it.runIf(existsSync('/usr/lib/python3/dist-packages/_pytest') && !lacks('python3-pytest', 'python3-coverage'))('when the project is pytest itself, explaining its own failed asserts is not measured', async () => {
    const repo = await fixture('localize-py');
    // the project carries its own pytest, as pytest's repository does: `python -m pytest` runs it
    for (const pkg of ['_pytest', 'pytest']) await cp(join('/usr/lib/python3/dist-packages', pkg), join(repo.dir, pkg), { recursive: true });
    const res = await localizeCouponBug(repo.dir);
    expect(res.entries.some((e) => e.file.startsWith('_pytest/'))).toBe(true);
    // _call_reprcompare, callbinrepr and the truncation they call run for the failed `==` only
    // and the runner's branch for a test that raised runs for failing tests only, too
    const explaining = res.entries.filter((e) => /^_pytest\/(assertion\/|runner\.py)/.test(e.file) && e.ep === 0);
    expect(explaining.map((e) => `${e.file}::${e.qualifiedName}`)).toEqual([]);
    expect(res.entries.find((e) => e.method === 'apply_coupon')).toMatchObject({ file: 'shop/pricing.py', ep: 0 });
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('serves repeated runs from the cache and re-collects after a change', async () => {
    const repo = await fixture('localize-py');
    const cache = await cacheDir();
    const opts = { repo: repo.dir, failing: [FAILING_PY], passing: ['tests/test_pricing.py::test_order_total', 'tests/test_pricing.py::test_unit_price_bulk'], runner: pytestSpec, cacheDir: cache };
    const first = await localize(opts);
    expect(first.fromCache).toBe(0);
    const second = await localize(opts);
    expect(second.fromCache).toBe(3);
    expect(second.entries.map((e) => [e.file, e.method, e.score])).toEqual(first.entries.map((e) => [e.file, e.method, e.score]));
    await writeFile(join(repo.dir, 'shop', 'text.py'), '# edited\n', { flag: 'a' });
    const third = await localize(opts);
    expect(third.fromCache).toBe(0);
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('does not cache a test that measured nothing, so the next run measures it again', async () => {
    const repo = await fixture('localize-py');
    const cache = await cacheDir();
    // tests in a folder coverage leaves out stand for a run whose tracer gave up: they measure nothing
    await mkdir(join(repo.dir, '_deps'));
    await writeFile(join(repo.dir, '_deps', 'test_nothing.py'), 'def test_nothing():\n    assert 1 == 2\n\n\ndef test_fine():\n    assert 1 == 1\n');
    const opts = { repo: repo.dir, failing: ['_deps/test_nothing.py::test_nothing'], passing: ['tests/test_pricing.py::test_order_total', '_deps/test_nothing.py::test_fine'], runner: pytestSpec, cacheDir: cache };
    for (let i = 0; i < 2; i++) await expect(localize(opts)).rejects.toMatchObject({ code: 'no-coverage' });
    // the measured passing test was kept and served; both unmeasured ones were run again
    const res = await localize({ ...opts, failing: [FAILING_PY, ...opts.failing] });
    expect(res.fromCache).toBe(1);
    expect(res.passing).toContain('_deps/test_nothing.py::test_fine');
    expect(res.failing).toEqual(expect.arrayContaining(opts.failing));
  });

  it('explains a missing failing test and offers a reproduction test', async () => {
    const repo = await fixture('localize-py');
    await expect(localize({ repo: repo.dir, failing: [' '], runner: pytestSpec })).rejects.toMatchObject({ code: 'no-failing', message: expect.stringMatching(/reproduction test/) });
    const err = await localizeCmd(['--repo', repo.dir]).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(/no failing test given.*reproduction test/s);
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('names tests that fail to collect', async () => {
    const repo = await fixture('localize-py');
    await writeFile(join(repo.dir, 'tests', 'test_broken.py'), 'def test_x(:\n    pass\n');
    const err = await localize({ repo: repo.dir, failing: ['tests/test_broken.py::test_x'], runner: pytestSpec, cacheDir: false }).catch((e) => e);
    expect(err).toBeInstanceOf(LocalizeError);
    expect(err.code).toBe('collect-failed');
    expect(err.message).toContain('tests/test_broken.py::test_x');
    expect(err.message).toMatch(/failed to collect[\s\S]*tests\/test_broken\.py[\s\S]*SyntaxError/);
  });

  it('names the Debian package when coverage.py is missing', async () => {
    const repo = await fixture('localize-py');
    // an interpreter without site-packages: coverage.py cannot be imported
    const bare = join(repo.dir, '..', `bare-python-${Date.now()}`);
    await writeFile(bare, `#!/bin/sh\nexec ${PY} -S "$@"\n`);
    await chmod(bare, 0o755);
    dirs.push(bare);
    const spec: TestRunnerSpec = { ...pytestSpec, command: [bare, '-m', 'pytest', '{tests}'], python: bare };
    const err = await localize({ repo: repo.dir, failing: [FAILING_PY], runner: spec, cacheDir: false, borrowDebianCoverage: false }).catch((e) => e);
    expect(err).toBeInstanceOf(LocalizeError);
    expect(err.code).toBe('no-coverage-tool');
    expect(err.message).toMatch(/python3-coverage/);
    expect(err.message).toMatch(/pip install coverage/);
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('reports a timeout naming the test that was running', async () => {
    const repo = await fixture('localize-py');
    const spec: TestRunnerSpec = { ...pytestSpec, env: { ROVER_FIXTURE_SLOW: '1' } };
    const err = await localize({ repo: repo.dir, failing: ['tests/test_slow.py::test_sleeps_when_asked'], runner: spec, cacheDir: false, timeoutMs: 12000 }).catch((e) => e);
    expect(err).toBeInstanceOf(LocalizeError);
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/timed out after 12 s while running tests\/test_slow\.py::test_sleeps_when_asked/);
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('warns when files change while the tests run', async () => {
    const repo = await fixture('localize-py');
    const res = await localize({
      repo: repo.dir,
      failing: [FAILING_PY],
      runner: pytestSpec,
      cacheDir: false,
      onProgress: (m) => {
        if (m.startsWith('collecting')) void writeFile(join(repo.dir, 'shop', 'pricing.py'), '# edited during the run\n', { flag: 'a' });
      },
    });
    expect(res.warnings.join('\n')).toMatch(/changed while the tests ran/);
    expect(res.warnings.join('\n')).toMatch(/No passing test/);
  });

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('CLI prints the ranking as text and as JSON, and rejects bad flags', async () => {
    const repo = await fixture('localize-py');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => (out.push(String(s)), true);
    try {
      expect(await localizeCmd(['--repo', repo.dir, '--failing', FAILING_PY, '--passing', 'tests/test_pricing.py::test_order_total', '--json', '--no-cache', '--top', '2'])).toBe(0);
    } finally {
      (process.stdout as unknown as { write: typeof write }).write = write;
    }
    const j = JSON.parse(out.join(''));
    expect(j.entries).toHaveLength(2);
    expect(j.agent[0]).toEqual({ file: 'shop/pricing.py', method: 'apply_coupon', score: 1, line: 19 });
    await expect(localizeCmd(['--repo', repo.dir, '--failing', 'x', '--formula', 'magic'])).rejects.toThrow(/--formula must be one of ochiai, dstar, tarantula/);
    await expect(localizeCmd(['--repo', repo.dir, '--failing', 'x', '--top', '0'])).rejects.toThrow(/--top must be a positive/);
    await expect(localizeCmd(['--repo', repo.dir, '--failing', 'x', '--passing', 'y', '--all-passing'])).rejects.toThrow(/either --passing/);
  });
});

describe('localize: node --test (istanbul counters per test, V8 coverage for ES modules)', () => {
  it('ranks the planted bug first at its .ts line, every test measured in one process per file', async () => {
    const repo = await fixture('localize-ts');
    const res = await localize({
      repo: repo.dir,
      failing: ['test/paging.test.js::page past the end shows the last page'],
      allPassing: true,
      issueText: await readFile(join(repo.dir, 'ISSUE.md'), 'utf8'),
      cacheDir: false,
    });
    expect(res.mode).toBe('per-test');
    expect(res.tool).toBe('istanbul statement counters (node --test, one process per test file)');
    expect(res.passing).toHaveLength(8);
    expect(res.entries[0]).toMatchObject({ file: 'src/range.ts', method: 'clamp', line: 25, score: 1, ep: 0, tieSize: 1 });
    expect(res.entries.every((e) => e.file.endsWith('.ts'))).toBe(true);
  });

  it('measures ES-module tests with V8 coverage, one process per test', async () => {
    const repo = await fixture('localize-mjs');
    const runner: TestRunnerSpec = { kind: 'node', command: ['node', '--test', '{tests}'], reportFormat: 'tap' };
    const res = await localize({ repo: repo.dir, failing: ['test/duration.test.mjs::duration > formats whole hours'], allPassing: true, runner, testPaths: ['test/duration.test.mjs'], cacheDir: false });
    expect(res.tool).toBe('V8 coverage (node --test, one process per test)');
    expect(res.passing).toHaveLength(3);
    expect(res.entries[0]).toMatchObject({ file: 'lib/duration.mjs', method: 'formatDuration', score: 1, ep: 0 });
  });

  it('per-file mode says so and still separates the files', async () => {
    const repo = await fixture('localize-ts');
    const res = await localize({ repo: repo.dir, failing: ['test/paging.test.js::page past the end shows the last page'], allPassing: true, cacheDir: false, jsMode: 'per-file' });
    expect(res.mode).toBe('per-file');
    expect(res.tool).toMatch(/one process per test file/);
    expect(res.entries.length).toBeGreaterThan(0);
  });
});

describe('localize: istanbul engine edge cases (found in review)', () => {
  const mochaSpec: TestRunnerSpec = { kind: 'mocha', command: [join(__dirname, '..', '..', 'node_modules', '.bin', 'mocha'), '{tests}'], reportFormat: 'junit' };
  const nodeSpec: TestRunnerSpec = { kind: 'node', command: ['node', '--test', '{tests}'], reportFormat: 'tap' };
  // the failing test runs first: what the file's loading ran must not become its coverage
  const FIRST = [
    "const test = require('node:test');",
    "const assert = require('node:assert');",
    "const { pageCount, pageRange, describeSpec } = require('../out/paging');",
    "test('past the end', () => assert.deepStrictEqual(pageRange(9, 21, 10), { start: 21, end: 21 }));",
    "test('rounds up', () => assert.strictEqual(pageCount(21, 10), 3));",
    "test('first range', () => assert.deepStrictEqual(pageRange(1, 21, 10), { start: 1, end: 10 }));",
    "test('describes', () => assert.strictEqual(describeSpec('1-4'), '4 items'));",
    // a name node's TAP escapes, and a test that forks node (it inherits --require)
    "test('a\\\\b # c', () => assert.strictEqual(pageCount(5, 10), 1));",
    "test('forks', () => { const r = require('node:child_process').spawnSync(process.execPath, ['-e', 'console.log(6*7)'], { encoding: 'utf8' }); assert.strictEqual(r.stdout, '42\\n'); });",
    '',
  ].join('\n');

  it('node --test: load-time code is nobody\'s, escaped names and forking tests keep their coverage and verdicts', async () => {
    const repo = await fixture('localize-ts');
    await writeFile(join(repo.dir, 'test', 'first.test.js'), FIRST);
    const res = await localize({ repo: repo.dir, failing: ['test/first.test.js::past the end'], allPassing: true, runner: nodeSpec, testPaths: ['test/first.test.js'], cacheDir: false });
    expect(res.tool).toMatch(/istanbul/);
    expect(res.passing.sort()).toEqual(['test/first.test.js::a\\b # c', 'test/first.test.js::describes', 'test/first.test.js::first range', 'test/first.test.js::forks', 'test/first.test.js::rounds up']);
    expect(res.entries[0]).toMatchObject({ file: 'src/range.ts', method: 'clamp', score: 1, tieSize: 1 });
  });

  it('mocha: load-time and between-test code is nobody\'s; a root reached through a symlink is measured', async () => {
    const repo = await fixture('localize-ts');
    await writeFile(
      join(repo.dir, 'spec', 'first.spec.js'),
      FIRST.replace("const test = require('node:test');\n", '').replace(/^test\(/gm, 'it(').replace(/^it\('forks'.*$/m, ''),
    );
    const link = join(await mkdtemp(join(tmpdir(), 'rover-link-')), 'repo');
    dirs.push(dirname(link));
    await symlink(repo.dir, link, 'dir');
    const res = await localize({ repo: link, failing: ['past the end'], allPassing: true, runner: mochaSpec, testPaths: ['spec/first.spec.js'], cacheDir: false, isolate: false });
    expect(res.tool).toMatch(/istanbul/);
    expect(res.warnings.join('\n')).not.toMatch(/run again with V8/);
    expect(res.entries[0]).toMatchObject({ file: 'src/range.ts', method: 'clamp', score: 1, tieSize: 1 });
  });

  it('mocha: a failing test whose code istanbul never saw (an ES module beside CommonJS) is measured again with V8', async () => {
    const repo = await fixture('localize-mjs');
    await writeFile(join(repo.dir, 'lib', 'names.js'), "exports.unit = (n) => (n === 1 ? 'hour' : 'hours');\n");
    const spec = await readFile(join(repo.dir, 'spec', 'duration.spec.js'), 'utf8');
    await writeFile(join(repo.dir, 'spec', 'duration.spec.js'), spec + "\nit('names units', () => assert.strictEqual(require('../lib/names').unit(2), 'hours'));\n");
    const res = await localize({ repo: repo.dir, failing: ['duration formats whole hours'], allPassing: true, runner: mochaSpec, testPaths: ['spec/duration.spec.js'], cacheDir: false });
    expect(res.tool).toMatch(/V8 precise coverage/);
    expect(res.warnings.join('\n')).toMatch(/1 failing test\(s\) ran no instrumented statement/);
    expect(res.entries[0]).toMatchObject({ file: 'lib/duration.mjs', method: 'formatDuration', ep: 0 });
  });

  it('reads mocha configuration from package.json and --config too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rover-engine-'));
    dirs.push(dir);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ mocha: { parallel: true } }));
    expect(mochaArgv(['mocha', '{tests}'], dir)).toEqual(['mocha', '--no-parallel']);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'x' }));
    await writeFile(join(dir, 'mocha.config.json'), JSON.stringify({ require: 'ts-node/register' }));
    expect(jsEngine(dir, ['mocha', '--config', 'mocha.config.json'], ['test/'])).toEqual({ engine: 'v8', why: 'mocha.config.json loads the tests through a loader' });
  });

  it('undoes TAP escapes in test names and disarms istanbul ignore hints without moving a column', () => {
    expect(tapUnescape('a\\\\b \\# c\\nd')).toBe('a\\b # c\nd');
    const code = 'function f(x) {\n  /* istanbul ignore next */\n  if (x < 0) return -1; // istanbul ignore if\n  return "istanbul ignore next";\n}\n';
    const out = disarmHints(code);
    expect(out).toHaveLength(code.length);
    expect(out).not.toMatch(/\/\* istanbul ignore|\/\/ istanbul ignore/);
    expect(out).toContain('"istanbul ignore next"'); // strings are left alone
  });
});

describe('localize: mocha (in-process per-test coverage)', () => {
  const mochaSpec: TestRunnerSpec = { kind: 'mocha', command: [join(__dirname, '..', '..', 'node_modules', '.bin', 'mocha'), '{tests}'], reportFormat: 'junit' };

  it('instruments CommonJS sources with istanbul and maps compiled lines back through source maps', async () => {
    const repo = await fixture('localize-ts');
    const res = await localize({ repo: repo.dir, failing: ['paging shows the last page past the end'], allPassing: true, runner: mochaSpec, testPaths: ['spec/paging.spec.js'], cacheDir: false });
    expect(res.mode).toBe('per-test');
    expect(res.tool).toMatch(/istanbul statement counters \(mocha, in-process per test\)/);
    expect(res.passing).toHaveLength(8);
    expect(res.entries[0]).toMatchObject({ file: 'src/range.ts', method: 'clamp', line: 25, score: 1, ep: 0 });
    // only the sources are measured: no compiled out/*.js line and no spec line is ranked
    expect(res.entries.every((e) => e.file.startsWith('src/'))).toBe(true);
  });

  it('runs a suite configured for parallel mode in one process, so every test still gets its own coverage', async () => {
    const repo = await fixture('localize-ts');
    await writeFile(join(repo.dir, '.mocharc.json'), JSON.stringify({ parallel: true, jobs: 2 }));
    const res = await localize({ repo: repo.dir, failing: ['paging shows the last page past the end'], allPassing: true, runner: mochaSpec, testPaths: ['spec/paging.spec.js'], cacheDir: false });
    expect(res.passing).toHaveLength(8);
    expect(res.entries[0]).toMatchObject({ file: 'src/range.ts', method: 'clamp', score: 1, ep: 0 });
    expect(mochaArgv(['mocha', '--parallel', '-j', '4', '--reporter=spec', '{tests}'], repo.dir)).toEqual(['mocha', '--no-parallel']);
  });

  it('falls back to V8 coverage, and says so, when the code under test is an ES module', async () => {
    const repo = await fixture('localize-mjs');
    const res = await localize({ repo: repo.dir, failing: ['duration formats whole hours'], allPassing: true, runner: mochaSpec, testPaths: ['spec/duration.spec.js'], cacheDir: false });
    expect(res.tool).toMatch(/V8 precise coverage/);
    expect(res.warnings.join('\n')).toMatch(/No CommonJS source of the project was loaded through require/);
    expect(res.passing).toHaveLength(6);
    expect(res.entries[0]).toMatchObject({ file: 'lib/duration.mjs', method: 'formatDuration', ep: 0 });
  });

  it('chooses V8 coverage up front for ES module packages and loader-run tests', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rover-engine-'));
    dirs.push(dir);
    expect(jsEngine(dir, ['mocha'], ['test/'])).toEqual({ engine: 'istanbul' });
    expect(jsEngine(dir, ['mocha', '--require', 'ts-node/register'], ['test/']).engine).toBe('v8');
    expect(jsEngine(dir, ['mocha'], ['test/a.spec.mjs']).engine).toBe('v8');
    await writeFile(join(dir, '.mocharc.json'), JSON.stringify({ require: ['tsx/cjs'] }));
    expect(jsEngine(dir, ['mocha'], ['test/'])).toEqual({ engine: 'v8', why: '.mocharc.json loads the tests through a loader' });
    await rm(join(dir, '.mocharc.json'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    expect(jsEngine(dir, ['mocha'], ['test/'])).toEqual({ engine: 'v8', why: 'the package is an ES module' });
  });
});
