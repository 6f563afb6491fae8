// Runner detection and the per-test report parsers on real runner output captured from the
// fixtures (pytest -rA, node --test via Rover's reporter, mocha xunit, TAP, jest/vitest JSON).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandSpec, detectRunner, NoRunnerError, testArgsFor } from '../../src/core/runner';
import { parseJestJson, parseJunit, parsePytestRA, parseTap, parseTapTests } from '../../src/core/runner/parsers/index';
import { runProcess } from '../../src/core/proc/run';
import { FIXTURES } from '../support/fixture-repo';

const made: string[] = [];
afterAll(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rover-detect-'));
  made.push(d);
  for (const [p, t] of Object.entries(files)) {
    await mkdir(join(d, p, '..'), { recursive: true });
    await writeFile(join(d, p), t);
  }
  return d;
}

describe('detectRunner', () => {
  it('finds pytest, node --test, mocha, jest, vitest, go, cargo, maven, gradle', async () => {
    expect((await detectRunner(join(FIXTURES, 'py-inventory'))).kind).toBe('pytest');
    const node = await detectRunner(join(FIXTURES, 'js-textkit'));
    expect(node).toMatchObject({ kind: 'node', reportFormat: 'junit', defaultTests: ['test/'] });
    expect((await detectRunner(await project({ 'pyproject.toml': '[tool.pytest.ini_options]\n' }))).detectedFrom).toMatch(/pyproject/);
    expect((await detectRunner(await project({ 'setup.cfg': '[tool:pytest]\n' }))).kind).toBe('pytest');
    expect((await detectRunner(await project({ 'package.json': '{"scripts":{"test":"jest --coverage"}}' }))).kind).toBe('jest');
    expect((await detectRunner(await project({ 'package.json': '{"scripts":{"test":"vitest"}}' }))).command).toContain('--reporter=json');
    expect((await detectRunner(await project({ 'package.json': '{"scripts":{"test":"mocha -R dot --require ./setup.js spec/"}}' }))).command)
      .toEqual(['mocha', '--reporter', '{mocha-reporter}', '--require', './setup.js', '{tests}']);
    expect((await detectRunner(await project({ 'go.mod': 'module x\n' }))).kind).toBe('go');
    expect((await detectRunner(await project({ 'Cargo.toml': '[package]\n' }))).kind).toBe('cargo');
    expect((await detectRunner(await project({ 'pom.xml': '<project/>' }))).kind).toBe('maven');
    expect((await detectRunner(await project({ 'build.gradle': '' }))).reportFormat).toBe('exit-code');
    expect((await detectRunner(await project({ 'package.json': '{"scripts":{"test":"make check"}}' }))).command).toEqual(['npm', 'test', '--silent']);
  });

  it('settings override with a {tests} placeholder; sympy-style bin/test', async () => {
    const d = await project({ 'sympy/__init__.py': '', 'bin/test': '' });
    expect(await detectRunner(d, ['bin/test', '-C', '{tests}'])).toMatchObject({ kind: 'command', reportFormat: 'sympy', detectedFrom: 'settings' });
    expect(commandSpec(['python3', '-m', 'pytest', '-x', '{tests}'], d).command).toEqual(['python3', '-m', 'pytest', '-rA', '-x', '{tests}']);
    expect(testArgsFor({ kind: 'node', command: [], reportFormat: 'junit', defaultTests: ['test/'] }, ['test/a.test.js::x', 'test/a.test.js::y'])).toEqual(['test/a.test.js']);
    expect(testArgsFor({ kind: 'node', command: [], reportFormat: 'junit', defaultTests: ['test/'] }, [])).toEqual(['test/']);
  });

  it('no runner: an error that says how to configure one', async () => {
    await expect(detectRunner(await project({ 'README.md': 'hi' }))).rejects.toBeInstanceOf(NoRunnerError);
    await expect(detectRunner(await project({ 'package.json': '{oops' }))).rejects.toThrow(/package.json .* not valid JSON/);
  });
});

describe('parsers', () => {
  it('pytest -rA: ids with brackets and " - " in params, collection errors, skips without ids', () => {
    const r = parsePytestRA([
      'PASSED tests/t.py::test_a[a - b]',
      'FAILED tests/t.py::C::test_b - assert 1 == 2',
      'ERROR tests/u.py - ModuleNotFoundError: x',
      'SKIPPED [1] tests/t.py:3: no reason',
      'XFAIL tests/t.py::test_c - known',
      'XPASS tests/t.py::test_d',
    ].join('\n'));
    expect(r.results).toEqual({ 'tests/t.py::test_a[a - b]': 'passed', 'tests/t.py::C::test_b': 'failed', 'tests/u.py': 'error', 'tests/t.py::test_c': 'xfail', 'tests/t.py::test_d': 'xpass' });
    expect(r.failures.map((f) => f.message)).toEqual(['assert 1 == 2', 'ModuleNotFoundError: x']);
  });

  it('pytest -rA in a narrow terminal: the cut summary line gives way to the traceback\'s E lines', async () => {
    // a real run with COLUMNS=60 (an editor's extension host has no terminal width of its own)
    const dir = await mkdtemp(join(tmpdir(), 'rover-narrow-'));
    try {
      await writeFile(join(dir, 'test_narrow_terminal_example.py'), 'def test_ten_units_get_the_bulk_discount_at_the_threshold_quantity():\n    total = 20.0\n    assert total == 18.0\n\n\nclass TestC:\n    def test_method_with_a_rather_long_name_that_is_cut(self):\n        raise KeyError("missing widget")\n');
      const run = await runProcess('/usr/bin/python3', ['-m', 'pytest', '-rA', '-p', 'no:cacheprovider', 'test_narrow_terminal_example.py'], { cwd: dir, env: { ...process.env, COLUMNS: '60' }, timeoutMs: 120_000 });
      const r = parsePytestRA(run.stdout);
      expect(r.failures.map((f) => [f.id, f.message])).toEqual([
        ['test_narrow_terminal_example.py::test_ten_units_get_the_bulk_discount_at_the_threshold_quantity', 'assert 20.0 == 18.0'],
        ['test_narrow_terminal_example.py::TestC::test_method_with_a_rather_long_name_that_is_cut', "KeyError: 'missing widget'"],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('JUnit from mocha xunit (suite titles) and from a plain file-less report', () => {
    const xml = '<testsuite><testcase classname="outer inner" name="works" file="/w/test/a.js"/><testcase classname="outer inner" name="fails" file="/w/test/a.js"><failure>boom at test/a.js:2:10</failure></testcase><testcase classname="" name="top" file="/w/test/a.js"><skipped/></testcase></testsuite>';
    const r = parseJunit(xml, '/w');
    expect(r.results).toEqual({ 'test/a.js::outer inner > works': 'passed', 'test/a.js::outer inner > fails': 'failed', 'test/a.js::top': 'skipped' });
    expect(r.failures[0]).toMatchObject({ file: 'test/a.js', line: 2 });
    expect(parseJunit('<testsuites><testsuite><testcase classname="pkg.T" name="m"><error message="npe"/></testcase></testsuite></testsuites>').results).toEqual({ 'pkg.T::m': 'error' });
    expect(parseJunit('').results).toEqual({});
  });

  it("TAP: node's nested subtests and directives, mocha's flat titles", () => {
    const node = 'TAP version 13\n# Subtest: outer\n    # Subtest: inner\n    ok 1 - inner\n    # Subtest: sk\n    ok 2 - sk # SKIP\n    1..2\nok 1 - outer\n# Subtest: bad\nnot ok 2 - bad\n  ---\n  error: nope\n  ...\n';
    expect(parseTap(node).results).toEqual({ 'outer > inner': 'passed', 'outer > sk': 'skipped', outer: 'passed', bad: 'failed' });
    expect(parseTap('ok 1 a b\nnot ok 2 c d\n  Error: x\nok 3 e # SKIP -\n').results).toEqual({ 'a b': 'passed', 'c d': 'failed', e: 'skipped' });
  });

  it('TAP: one parser for validation and localization — escaped titles undone, parents marked, the failure block kept', () => {
    const node = 'TAP version 13\n# Subtest: suite \\# 1\n    # Subtest: splits a\\\\b\n    not ok 1 - splits a\\\\b\n      ---\n      error: \'expected 2\'\n      ...\n    1..1\nnot ok 1 - suite \\# 1\n';
    const tests = parseTapTests(node);
    expect(tests.map((t) => [t.id, t.status, t.parent])).toEqual([['suite # 1 > splits a\\b', 'failed', false], ['suite # 1', 'failed', true]]);
    expect(tests[0].text).toContain("error: 'expected 2'");
    // validation sees the same id (and the parent), with the failure's message
    const r = parseTap(node);
    expect(Object.keys(r.results)).toEqual(['suite # 1 > splits a\\b', 'suite # 1']);
    expect(r.failures[0].message).toContain("error: 'expected 2'");
  });

  it('jest/vitest JSON, including a file that failed to load', () => {
    const json = JSON.stringify({ testResults: [
      { name: '/w/src/a.test.ts', status: 'failed', assertionResults: [
        { ancestorTitles: ['A', 'b'], title: 'works', status: 'passed' },
        { ancestorTitles: ['A'], title: 'fails', status: 'failed', failureMessages: ['expected 1'], location: { line: 7 } },
        { ancestorTitles: [], title: 'todo', status: 'todo' },
      ] },
      { name: '/w/src/broken.test.ts', status: 'failed', message: 'SyntaxError', assertionResults: [] },
    ] });
    const r = parseJestJson(json, '/w');
    expect(r.results).toEqual({ 'src/a.test.ts::A > b > works': 'passed', 'src/a.test.ts::A > fails': 'failed', 'src/a.test.ts::todo': 'skipped', 'src/broken.test.ts': 'error' });
    expect(r.failures[0]).toMatchObject({ line: 7, message: 'expected 1' });
  });
});
