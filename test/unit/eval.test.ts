// rover eval's grading and reporting on small inputs (the real benchmark needs mirrors CI lacks).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  grade, instanceRunner, loadInstances, loadPredictions, summarize, sweParseLog, sweStatusMap, testDirectives,
  type Instance, type InstanceOutcome,
} from '../../bench/lib/swebench';

const inst = (over: Partial<Instance> = {}): Instance => ({
  instance_id: 'o__r-1', repo: 'pallets/flask', base_commit: 'abc', problem_statement: 'p', patch: '',
  test_patch: 'diff --git a/tests/test_x.py b/tests/test_x.py\n--- a/tests/test_x.py\n+++ b/tests/test_x.py\ndiff --git a/tests/data.json b/tests/data.json\n',
  FAIL_TO_PASS: ['tests/test_x.py::test_new'], PASS_TO_PASS: ['tests/test_x.py::test_old', 'tests/test_x.py::test_env'], ...over,
});

describe('SWE-bench grading', () => {
  it('passes iff PASSED or XFAIL; missing fails; env-failing PASS_TO_PASS ignored', () => {
    const i = inst({ PASS_TO_PASS_ENV_FAIL: ['tests/test_x.py::test_env'] });
    const before = { 'tests/test_x.py::test_new': 'FAILED', 'tests/test_x.py::test_old': 'PASSED' } as const;
    const after = { 'tests/test_x.py::test_new': 'XFAIL', 'tests/test_x.py::test_old': 'PASSED', 'tests/test_x.py::test_env': 'FAILED' } as const;
    expect(grade(i, { ...before }, { ...after })).toMatchObject({ validated: true, resolved: true, f2pFailedBefore: 1, p2pNotPassingAfter: ['tests/test_x.py::test_env'] });
    expect(grade(inst(), { ...before }, { ...after }).resolved).toBe(false);
    // missing after = failing
    expect(grade(i, { ...before }, { 'tests/test_x.py::test_old': 'PASSED' })).toMatchObject({ validated: false, resolved: false, f2pNotPassingAfter: ['tests/test_x.py::test_new'] });
    // already passing before: resolved but not validated
    expect(grade(i, { 'tests/test_x.py::test_new': 'PASSED' }, { ...after })).toMatchObject({ validated: false, resolved: true });
    expect(grade(inst({ FAIL_TO_PASS: [] }), {}, {}).validated).toBe(false);
  });

  it("parses logs exactly like SWE-bench's parsers (first word of the id, path-like params shortened)", () => {
    const log = [
      'PASSED tests/a.py::test_p[x y]',
      'FAILED tests/a.py::test_f - AssertionError: a - b',
      'PASSED [100%]',
      'XFAIL tests/a.py::test_x - reason',
      'ERROR tests/b.py - ImportError',
      'PASSED tests/a.py::test_path[/usr/lib/thing.py]',
    ].join('\n');
    expect(sweParseLog(log, 'pytest')).toEqual({
      'tests/a.py::test_p[x': 'PASSED', 'tests/a.py::test_f': 'FAILED', '[100%]': 'PASSED', 'tests/a.py::test_x': 'XFAIL', 'tests/b.py': 'ERROR',
      'tests/a.py::test_path[/usr/lib/thing.py]': 'PASSED',
    });
    expect(sweParseLog(log, 'pytest_options')['tests/a.py::test_path[/thing.py]']).toBe('PASSED');
    expect(sweParseLog('ok 1 app.all() should \nnot ok 2 b c\nok 3 b c\nok 4 s # SKIP -', 'mocha_tap')).toEqual({ 'app.all() should ': 'PASSED', 'b c': 'FAILED', s: 'SKIPPED' });
    expect(sweParseLog('test_one ok\ntest_two F\n____ sympy/a/tests/test_b.py:test_two ____\ntest_three E', 'sympy')).toEqual({
      test_one: 'PASSED', test_two: 'FAILED', 'sympy/a/tests/test_b.py:test_two': 'FAILED', test_three: 'ERROR',
    });
    // Rover's own ids mapped to SWE-bench keys
    expect(sweStatusMap({ 'tests/a.py::test_p[x y]': 'passed', 'tests/a.py::t': 'xpass' }, 'pytest')).toEqual({ 'tests/a.py::test_p[x': 'PASSED', 'tests/a.py::t': 'FAILED' });
  });

  it('mirrors the harness command per repository', () => {
    expect(testDirectives(inst())).toEqual(['tests/test_x.py']);
    const f = instanceRunner(inst(), '/r');
    expect(f.runner.command).toEqual(['/usr/bin/python3', '-m', 'pytest', '-rA', '{tests}']);
    expect(f.runner.pythonPath).toEqual(['src']);
    expect(f.parser).toBe('pytest');
    const s = instanceRunner(inst({ repo: 'sympy/sympy', python: 'py39' }), '/r');
    expect(s.runner.command.slice(1)).toEqual(['bin/test', '-C', '--verbose', '{tests}']);
    expect(s.runner.command[0]).toMatch(/3\.9\.18\/bin\/python3\.9$/);
    expect(s.runner.pythonPath).toEqual(['/r/_deps/sympy+sympy']);
    expect(s.runner.env?.PYTHONWARNINGS).toBe('ignore::UserWarning,ignore::SyntaxWarning');
    const e = instanceRunner(inst({ repo: 'BugsJS/express', cmd: ['node_modules/.bin/_mocha', '--reporter', 'tap', 'test/'] }), '/r');
    expect(e.testArgs).toEqual([]);
    expect(e.runner.reportFormat).toBe('tap');
    expect(e.linkPaths).toContain('node_modules');
    expect(() => instanceRunner(inst({ repo: 'nobody/nothing' }), '/r')).toThrow(/no test command known/);
  });

  it('summarizes agreement, disagreements and overhead', () => {
    const o = (id: string, agree: boolean | undefined, seconds: number, cmd: number, resolved = true): InstanceOutcome => ({
      instance_id: id, mode: 'gold', verdict: resolved ? 'resolved' : 'unresolved', validated: resolved, resolved, seconds, command_seconds: cmd,
      native: { validated: resolved, resolved }, ...(agree === undefined ? {} : { agree, reference: { validated: true, resolved: true, seconds_tests: cmd } }),
    });
    const r = summarize('gold', [o('a', true, 11, 10), o('b', false, 25, 10, false), o('c', undefined, 5, 5)], 41);
    expect(r).toMatchObject({ instances: 3, resolved: 2, agree: 1, disagree: ['b'], compared: 2, seconds: 41, native_agree: 3, within_overhead_target: 2 });
    expect(r.overhead_ratio).toBeCloseTo((41 - 25) / 25, 3);
    expect(r.overhead_ratio_vs_reference).toBeCloseTo((36 - 20) / 20, 3);
  });

  it('reads instances and predictions, and names the bad line', async () => {
    const d = await mkdtemp(join(tmpdir(), 'rover-eval-'));
    await writeFile(join(d, 'i.jsonl'), `${JSON.stringify({ ...inst(), FAIL_TO_PASS: '["t::a"]' })}\n\n`);
    const m = await loadInstances(join(d, 'i.jsonl'));
    expect(m.get('o__r-1')?.FAIL_TO_PASS).toEqual(['t::a']);
    await writeFile(join(d, 'bad.jsonl'), `${JSON.stringify(inst())}\n{oops\n`);
    await expect(loadInstances(join(d, 'bad.jsonl'))).rejects.toThrow(/bad\.jsonl:2: not valid JSON/);
    await expect(loadInstances(join(d, 'none.jsonl'))).rejects.toThrow(/cannot read/);
    await writeFile(join(d, 'p.jsonl'), `${JSON.stringify({ instance_id: 'o__r-1', model_patch: 'diff' })}\n`);
    expect((await loadPredictions(join(d, 'p.jsonl'))).get('o__r-1')).toBe('diff');
  });
});
