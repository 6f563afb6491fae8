import { describe, expect, it } from 'vitest';
import type { CodeSymbol } from '../../src/core/index/types';
import type { TestCoverage } from '../../src/core/localize/types';
import { identifierTokens, isTestPath, issueSimilarity, stackFrames } from '../../src/core/localize/hints';
import { matchTestIds, normalizeTestId } from '../../src/core/localize/ids';
import { rankFunctions } from '../../src/core/localize/rank';
import { lineSpectra, suspiciousness } from '../../src/core/localize/sbfl';
import { toAgentLocalization } from '../../src/core/localize/localize';

const sym = (name: string, startLine: number, endLine: number, className?: string): CodeSymbol => ({
  name,
  kind: className ? 'method' : 'function',
  qualifiedName: className ? `${className}.${name}` : name,
  ...(className ? { className } : {}),
  startLine,
  endLine,
  signature: `def ${name}():`,
});

describe('suspiciousness formulas', () => {
  it('Ochiai, DStar(*=2) and Tarantula give their textbook values', () => {
    const s = { ef: 2, ep: 1, nf: 0, np: 3 };
    expect(suspiciousness('ochiai', s)).toBeCloseTo(2 / Math.sqrt(2 * 3), 12);
    expect(suspiciousness('dstar', s)).toBeCloseTo(4 / 1, 12);
    expect(suspiciousness('tarantula', s)).toBeCloseTo(1 / (1 + 0.25), 12);
  });
  it('a line no failing test covers scores 0; one only failing tests cover is maximal', () => {
    for (const f of ['ochiai', 'dstar', 'tarantula'] as const) expect(suspiciousness(f, { ef: 0, ep: 3, nf: 1, np: 0 })).toBe(0);
    expect(suspiciousness('ochiai', { ef: 1, ep: 0, nf: 0, np: 5 })).toBe(1);
    expect(suspiciousness('dstar', { ef: 1, ep: 0, nf: 0, np: 5 })).toBe(Number.POSITIVE_INFINITY);
    expect(suspiciousness('tarantula', { ef: 1, ep: 0, nf: 0, np: 5 })).toBe(1);
  });
});

describe('line spectra and ranking', () => {
  const tests: TestCoverage[] = [
    { id: 'f1', files: { 'pkg/a.py': [2, 3, 7], 'tests/test_a.py': [1] } },
    { id: 'p1', files: { 'pkg/a.py': [2, 7] } },
    { id: 'p2', files: { 'pkg/a.py': [7], 'pkg/b.py': [2] } },
  ];
  const symbols = async (f: string) => (f === 'pkg/a.py' ? [sym('alpha', 1, 4), sym('beta', 6, 8)] : [sym('gamma', 1, 3)]);

  it('counts ef/ep per line', () => {
    const sp = lineSpectra(tests, new Set(['f1']));
    expect(sp.get('pkg/a.py')!.get(3)).toEqual({ ef: 1, ep: 0 });
    expect(sp.get('pkg/a.py')!.get(7)).toEqual({ ef: 1, ep: 2 });
    expect(sp.get('pkg/b.py')!.get(2)).toEqual({ ef: 0, ep: 1 });
  });

  it('ranks functions by their best line and keeps that line; test files never rank', async () => {
    const { entries, tieGroups } = await rankFunctions({ spectra: lineSpectra(tests, new Set(['f1'])), totalFailed: 1, totalPassed: 2, formula: 'ochiai', symbols });
    expect(entries.map((e) => [e.method, e.line, e.score])).toEqual([
      ['alpha', 3, 1],
      ['beta', 7, 1 / Math.sqrt(3)],
    ]);
    expect(entries.every((e) => !e.file.startsWith('tests/'))).toBe(true);
    expect(tieGroups.map((g) => g.size)).toEqual([1, 1]);
    expect(toAgentLocalization({ entries })).toEqual([
      { file: 'pkg/a.py', method: 'alpha', score: 1, line: 3 },
      { file: 'pkg/a.py', method: 'beta', score: 0.5774, line: 7 },
    ]);
  });

  it('breaks ties by stack frames, then by the issue text, and marks what it could not separate', async () => {
    const t = [{ id: 'f', files: { 'm/x.py': [2, 6, 10, 14] } }];
    const syms = async () => [sym('parse_header', 1, 3), sym('render', 5, 7), sym('emit', 9, 11), sym('flush', 13, 15)];
    const { entries, tieGroups } = await rankFunctions({
      spectra: lineSpectra(t, new Set(['f'])),
      totalFailed: 1,
      totalPassed: 0,
      formula: 'ochiai',
      symbols: syms,
      frames: [[{ file: 'm/x.py', line: 10, depth: 0 }]],
      issue: identifierTokens('render() produces a broken page'),
    });
    expect(entries.map((e) => e.method)).toEqual(['emit', 'render', 'parse_header', 'flush']);
    expect(entries.map((e) => e.tieBrokenBy)).toEqual(['stack', 'stack', 'unbroken', 'unbroken']);
    expect(entries.every((e) => e.tieGroup === 1 && e.tieSize === 4)).toBe(true);
    expect(tieGroups).toEqual([{ group: 1, score: 1, size: 4, unbroken: 2 }]);
  });
});

describe('hints', () => {
  it('recognises test files of Python and JS', () => {
    for (const p of ['tests/test_x.py', 'pkg/x_test.py', 'conftest.py', 'testing/python/fixtures.py', 'src/a.test.ts', 'test/acceptance/app.js', 'sympy/core/tests/test_basic.py'])
      expect(isTestPath(p), p).toBe(true);
    for (const p of ['src/_pytest/python.py', 'lib/router/index.js', 'sympy/core/basic.py', 'src/testing_utils.ts']) expect(isTestPath(p), p).toBe(false);
  });

  it('scores a function the issue names above one it does not', () => {
    const issue = identifierTokens('ccode(sinc(x)) does not work; the CCodePrinter prints `sinc` unsupported');
    const a = issueSimilarity(issue, { method: '_print_sinc', className: 'CCodePrinter', file: 'sympy/printing/ccode.py' });
    const b = issueSimilarity(issue, { method: '_print_Pow', className: 'CCodePrinter', file: 'sympy/printing/ccode.py' });
    expect(a).toBeGreaterThan(b);
    expect(b).toBeGreaterThan(0);
  });

  it('reads Python, pytest and V8 frames innermost first, relative to the run dir', () => {
    const py = 'Traceback (most recent call last):\n  File "/w/pkg/a.py", line 3, in f\n    g()\n  File "/w/pkg/b.py", line 9, in g\n    raise X\n  File "/usr/lib/python3/x.py", line 1';
    expect(stackFrames(py, ['/w'])).toEqual([
      { file: 'pkg/b.py', line: 9, depth: 0 },
      { file: 'pkg/a.py', line: 3, depth: 1 },
    ]);
    expect(stackFrames('tests/test_a.py:5: in test_x\n    f()\nsrc/m.py:12: ValueError', ['/w']).map((f) => `${f.file}:${f.line}`)).toEqual(['src/m.py:12', 'tests/test_a.py:5']);
    expect(stackFrames('Error: boom\n    at clamp (/w/out/range.js:25:13)\n    at Object.<anonymous> (/w/test/a.test.js:4:3)', ['/w']).map((f) => `${f.file}:${f.line}`)).toEqual([
      'out/range.js:25',
      'test/a.test.js:4',
    ]);
  });
});

describe('test id matching', () => {
  it('matches exact, parametrized, bare sympy names, unittest dotted ids and SWE-bench path params', () => {
    const produced = ['tests/test_a.py::test_x[1]', 'tests/test_a.py::test_x[2]', 'sympy/core/tests/test_b.py::test_sinc', 'tests/test_c.py::TestK::test_y', 'tests/test_d.py::test_opt[/tmp/abc/file.py]'];
    const m = matchTestIds(['tests/test_a.py::test_x[2]', 'tests/test_a.py::test_x', 'test_sinc', 'tests.test_c.TestK.test_y', 'tests/test_d.py::test_opt[/file.py]', 'nope'], produced);
    expect(m.get('tests/test_a.py::test_x[2]')).toEqual(['tests/test_a.py::test_x[2]']);
    expect(m.get('tests/test_a.py::test_x')).toEqual(['tests/test_a.py::test_x[1]', 'tests/test_a.py::test_x[2]']);
    expect(m.get('test_sinc')).toEqual(['sympy/core/tests/test_b.py::test_sinc']);
    expect(m.get('tests.test_c.TestK.test_y')).toEqual(['tests/test_c.py::TestK::test_y']);
    expect(m.get('tests/test_d.py::test_opt[/file.py]')).toEqual(['tests/test_d.py::test_opt[/tmp/abc/file.py]']);
    expect(m.has('nope')).toBe(false);
    expect(normalizeTestId('t.py::x[/a/b/c.py]')).toBe('t.py::x[/c.py]');
  });
});
