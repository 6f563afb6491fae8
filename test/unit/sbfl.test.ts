import { describe, expect, it } from 'vitest';
import type { CodeSymbol } from '../../src/core/index/types';
import type { TestCoverage } from '../../src/core/localize/types';
import { codeTerms, identifierTokens, isTestSupportPath, issueFrames, issueSimilarity, issueTextScores, issueTraceScore, stackFrames, testNameMatch } from '../../src/core/localize/evidence';
import { matchTestIds, normalizeTestId, suggestTestIds, withSuggestions } from '../../src/core/runner/test-ids';
import { rankFunctions, unitScore } from '../../src/core/localize/rank';
import { lineSpectra, suspiciousness } from '../../src/core/localize/sbfl';
import { topSuspects } from '../../src/core/localize/localize';

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
    expect(topSuspects({ entries })).toEqual([
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
    expect(entries.map((e) => e.tieBrokenBy)).toEqual(['stack', 'issue', 'unbroken', 'unbroken']);
    expect(entries.every((e) => e.tieGroup === 1 && e.tieSize === 4)).toBe(true);
    expect(tieGroups).toEqual([{ group: 1, score: 1, size: 4, unbroken: 2 }]);
  });
});

describe('evidence beyond the spectrum', () => {
  // f covers lines of four functions; p1 also covers `helper`'s and `deep`'s lines, p2 only `deep`'s
  const t: TestCoverage[] = [
    { id: 'f', files: { 'm/x.py': [2, 6, 10, 14] } },
    { id: 'p1', files: { 'm/x.py': [6, 14] } },
    { id: 'p2', files: { 'm/x.py': [14] } },
  ];
  const syms = async () => [sym('top', 1, 3), sym('helper', 5, 7), sym('raiser', 9, 11), sym('deep', 13, 15)];
  const rank = (extra: Partial<Parameters<typeof rankFunctions>[0]>) =>
    rankFunctions({ spectra: lineSpectra(t, new Set(['f'])), totalFailed: 1, totalPassed: 2, formula: 'ochiai', symbols: syms, ...extra });

  it('lets the function a traceback points at pass one with a slightly higher score, not one far above', async () => {
    const plain = await rank({});
    expect(plain.entries.map((e) => [e.method, round3(e.score)])).toEqual([
      ['top', 1],
      ['raiser', 1],
      ['helper', 0.707],
      ['deep', 0.577],
    ]);
    const issue = 'Traceback (most recent call last):\n  File "/home/u/site-packages/m/x.py", line 6, in helper\nValueError: bad';
    const { entries } = await rank({ issueFrames: issueFrames(issue) });
    expect(entries.map((e) => e.method)).toEqual(['helper', 'top', 'raiser', 'deep']);
    expect(entries[0]).toMatchObject({ issueTraceScore: 1, evidence: 0.5, tieGroup: 2, tieSize: 1 });
    // the spectrum still decides between functions no evidence points at
    expect(entries.slice(1, 3).map((e) => e.tieBrokenBy)).toEqual(['unbroken', 'unbroken']);
    // a stack frame of a failing test counts the same way
    const viaStack = await rank({ frames: [[{ file: 'm/x.py', line: 14, depth: 0 }]] });
    expect(viaStack.entries.map((e) => e.method)).toEqual(['deep', 'top', 'raiser', 'helper']);
  });

  it('separates a tie by the issue words in the functions code, shown as issueTextScore', async () => {
    const src = ['def top():', '    return 1', '', '', 'def helper():', '    x = 2', '', '', 'def raiser():', '    # the separator of csv values is dropped', '    raise ValueError("csv separator")', '', '', 'def deep():', '    pass'].join('\n');
    const issue = identifierTokens('Reading a CSV file loses the separator when the value is quoted');
    const { entries } = await rank({ issue, source: async () => src });
    // top and raiser tie on the spectrum; only raiser's code speaks of csv and separators
    expect(entries.map((e) => e.method)).toEqual(['raiser', 'top', 'helper', 'deep']);
    expect(entries[0]).toMatchObject({ issueTextScore: 1, evidence: 0.2, tieBrokenBy: 'issue' });
    expect(entries.find((e) => e.method === 'top')!.issueTextScore).toBe(0);
    // without the source the evidence is simply absent
    expect((await rank({ issue })).entries.every((e) => e.issueTextScore === 0)).toBe(true);
  });

  it('scores the issue words in code with BM25: rarer words count more, every candidate is the corpus', () => {
    const issue = identifierTokens('parse_csv drops the separator');
    const docs = [codeTerms('def parse_csv(text): return text.split(separator)'), codeTerms('def load_json(text): return json.loads(text)'), codeTerms('separator = ","')];
    const s = issueTextScores(issue, docs);
    expect(s[0]).toBe(1);
    expect(s[1]).toBe(0);
    expect(s[2]).toBeGreaterThan(0);
    expect(s[2]).toBeLessThan(1);
    expect(issueTextScores(undefined, docs)).toEqual([0, 0, 0]);
    expect(issueTextScores(identifierTokens('it is what it was'), docs)).toEqual([0, 0, 0]);
  });

  it('puts the function with more lines at the tie score first when nothing else separates them', async () => {
    const tt: TestCoverage[] = [
      { id: 'f', files: { 'm/y.py': [2, 6, 7, 8] } },
      { id: 'p', files: { 'm/y.py': [] } },
    ];
    const { entries } = await rankFunctions({
      spectra: lineSpectra(tt, new Set(['f'])),
      totalFailed: 1,
      totalPassed: 1,
      formula: 'ochiai',
      symbols: async () => [sym('a_first', 1, 3), sym('b_second', 5, 9)],
    });
    expect(entries.map((e) => [e.method, e.score, e.linesAtScore, e.tieBrokenBy])).toEqual([
      ['b_second', 1, 3, 'lines'],
      ['a_first', 1, 1, 'lines'],
    ]);
  });

  it("prefers the file named like the failing test's file, and puts test-support code last", async () => {
    const tt: TestCoverage[] = [
      { id: 'tests/test_config.py::test_load', files: { 'pkg/app.py': [2], 'pkg/config.py': [2, 6], 'pkg/testutils/checker.py': [2] } },
      { id: 'tests/test_app.py::test_ok', files: { 'pkg/config.py': [6] } },
    ];
    const syms = async (f: string) => (f === 'pkg/config.py' ? [sym('load', 1, 3), sym('other', 5, 7)] : [sym(f === 'pkg/app.py' ? 'run' : 'assert_adds', 1, 3)]);
    const spectra = lineSpectra(tt, new Set(['tests/test_config.py::test_load']));
    const plain = await rankFunctions({ spectra, totalFailed: 1, totalPassed: 1, formula: 'ochiai', symbols: syms });
    expect(plain.entries.slice(0, 2).map((e) => e.file).sort()).toEqual(['pkg/app.py', 'pkg/config.py']);
    expect(plain.entries[plain.entries.length - 1].file).toBe('pkg/testutils/checker.py');
    const named = await rankFunctions({ spectra, totalFailed: 1, totalPassed: 1, formula: 'ochiai', symbols: syms, failingTestFiles: ['tests/test_config.py'] });
    expect(named.entries.map((e) => [e.file, e.method, e.testNameMatch, e.tieBrokenBy])).toEqual([
      ['pkg/config.py', 'load', 2, 'test-name'],
      ['pkg/app.py', 'run', 0, 'test-support'],
      ['pkg/config.py', 'other', 2, 'none'],
      ['pkg/testutils/checker.py', 'assert_adds', 0, 'test-support'],
    ]);
    expect(named.entries[0].evidence).toBe(0.25);
  });

  it('weighs evidence against DStar on the same 0..1 scale as Ochiai', async () => {
    expect([unitScore('dstar', Number.POSITIVE_INFINITY), unitScore('dstar', 4), unitScore('ochiai', 0.5)]).toEqual([1, 0.8, 0.5]);
    const tt: TestCoverage[] = [
      { id: 'f1', files: { 'm/x.py': [2, 6] } },
      { id: 'f2', files: { 'm/x.py': [2, 6] } },
      { id: 'p1', files: { 'm/x.py': [6] } },
    ];
    const { entries } = await rankFunctions({
      spectra: lineSpectra(tt, new Set(['f1', 'f2'])),
      totalFailed: 2,
      totalPassed: 1,
      formula: 'dstar',
      symbols: async () => [sym('only_failing', 1, 3), sym('raises', 5, 7)],
      frames: [[{ file: 'm/x.py', line: 6, depth: 0 }]],
    });
    // raises: D* 4 (0.8) + 0.5 for the traceback passes only_failing's infinite D* (1)
    expect(entries.map((e) => [e.method, e.score])).toEqual([
      ['raises', 4],
      ['only_failing', Number.POSITIVE_INFINITY],
    ]);
  });

  it('labels each tie member by what separates it from its neighbour in the order', async () => {
    const tt: TestCoverage[] = [{ id: 'f', files: { 'p/b.py': [2], 'p/c.py': [2], 'p/testutils/h.py': [2] } }];
    const { entries, tieGroups } = await rankFunctions({
      spectra: lineSpectra(tt, new Set(['f'])),
      totalFailed: 1,
      totalPassed: 0,
      formula: 'ochiai',
      symbols: async (f) => [sym(f.split('/').pop()!.replace('.py', '_fn'), 1, 3)],
      frames: [[{ file: 'p/b.py', line: 2, depth: 0 }]],
    });
    expect(entries.map((e) => [e.file, e.tieBrokenBy])).toEqual([
      ['p/b.py', 'stack'],
      ['p/c.py', 'test-support'],
      ['p/testutils/h.py', 'test-support'],
    ]);
    expect(tieGroups).toEqual([{ group: 1, score: 1, size: 3, unbroken: 0 }]);
    // inconsistent counts (a negative or NaN score) rank last, never first
    expect([unitScore('dstar', -4), unitScore('ochiai', Number.NaN), unitScore('ochiai', 1.4)]).toEqual([0, 0, 1]);
  });

  it('caps the issue-text bonus below a spectrum gap', async () => {
    const { entries } = await rank({ issue: identifierTokens('deep() in m/x.py returns the wrong value') });
    expect(entries[0].method).toBe('top');
    expect(entries.find((e) => e.method === 'deep')!.evidence).toBeLessThanOrEqual(0.25);
  });
});

const round3 = (x: number) => Math.round(x * 1000) / 1000;

describe('hints', () => {
  it('matches source files to test files by the usual naming conventions', () => {
    expect(testNameMatch('src/flask/config.py', ['tests/test_config.py'])).toBe(2);
    expect(testNameMatch('pylint/checkers/misc.py', ['tests/checkers/unittest_misc.py'])).toBe(2);
    expect(testNameMatch('lib/utils.js', ['test/utils.js'])).toBe(2);
    expect(testNameMatch('src/parser.ts', ['src/parser.test.ts'])).toBe(2);
    expect(testNameMatch('lib/router/index.js', ['test/Router.js'])).toBe(2);
    expect(testNameMatch('pkg/sub/__init__.py', ['pkg/tests/test_sub.py'])).toBe(2);
    expect(testNameMatch('lib/response.js', ['test/res.send.js'])).toBe(1);
    expect(testNameMatch('lib/application.js', ['test/app.head.js'])).toBe(1);
    expect(testNameMatch('src/_pytest/logging.py', ['testing/logging/test_reporting.py'])).toBe(1);
    expect(testNameMatch('src/_pytest/assertion/rewrite.py', ['testing/test_assertrewrite.py'])).toBe(1);
    expect(testNameMatch('src/_pytest/nodes.py', ['testing/test_skipping.py'])).toBe(0);
    expect(testNameMatch('lib/request.js', [])).toBe(0);
    expect(testNameMatch('src/index.ts', ['test/index.test.ts'])).toBe(2);
    expect(testNameMatch('src\\parser.ts', ['src\\parser.spec.js'])).toBe(2);
    // folders above the project and generic test folders say nothing
    expect(testNameMatch('src/users.py', ['/home/user/proj/tests/test_api.py'])).toBe(0);
    expect(testNameMatch('pkg/units.py', ['tests/unit/test_api.py'])).toBe(0);
  });
  it('knows test-support modules', () => {
    expect(isTestSupportPath('src/_pytest/pytester.py')).toBe(true);
    expect(isTestSupportPath('pylint/testutils/checker_test_case.py')).toBe(true);
    expect(isTestSupportPath('src/_pytest/python.py')).toBe(false);
    expect(isTestSupportPath('lib/testing_tools.js')).toBe(false);
    expect(isTestSupportPath('src/_pytest/pytester_assertions.py')).toBe(true);
  });


  it('scores a function the issue names above one it does not', () => {
    const issue = identifierTokens('ccode(sinc(x)) does not work; the CCodePrinter prints `sinc` unsupported');
    const a = issueSimilarity(issue, { method: '_print_sinc', className: 'CCodePrinter', file: 'sympy/printing/ccode.py' });
    const b = issueSimilarity(issue, { method: '_print_Pow', className: 'CCodePrinter', file: 'sympy/printing/ccode.py' });
    expect(a).toBeGreaterThan(b);
    expect(b).toBeGreaterThan(0);
  });

  it('reads the tracebacks pasted into an issue, innermost first, without test frames', () => {
    const text = [
      'use `pytest -k xxx`, report an error',
      '/usr/lib/python3.8/site-packages/_pytest/python.py:617: in _importtestmodule',
      '    mod = import_path(self.path)',
      '/usr/lib/python3.8/site-packages/_pytest/assertion/rewrite.py:695: in run',
      '    if self.is_rewrite_disabled(doc):',
      '/usr/lib/python3.8/site-packages/_pytest/assertion/rewrite.py:760: in is_rewrite_disabled',
      'E   TypeError: argument of type int is not iterable',
      'Traceback (most recent call last):',
      '  File "tests/test_a.py", line 3, in test_x',
      '  File "C:\\work\\pkg\\core.py", line 9, in solve',
      'and from node:',
      '    at Router.handle (/srv/app/node_modules/express/lib/router/index.js:284:7)',
    ].join('\n');
    const frames = issueFrames(text);
    expect(frames.map((f) => f.name)).toEqual(['solve', 'is_rewrite_disabled', 'run', '_importtestmodule', 'handle']);
    expect(issueTraceScore(frames, { method: 'run', file: 'src/_pytest/assertion/rewrite.py' })).toBe(1 / 3);
    expect(issueTraceScore(frames, { method: 'solve', file: 'pkg/core.py' })).toBe(1);
    expect(issueTraceScore(frames, { method: 'handle', file: 'lib/router/index.js' })).toBe(1 / 5);
    // same name in another file, or no name at all: no match
    expect(issueTraceScore(frames, { method: 'run', file: 'src/_pytest/runner.py' })).toBe(0);
    expect(issueTraceScore(frames, { file: 'src/_pytest/assertion/rewrite.py' })).toBe(0);
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

  it('JS ids: file::outer > inner, mocha\'s full title with or without the file, the old xunit form; near misses get suggestions', () => {
    const produced = ['test/app.js::app > .render(name) > should work', 'test/app.js::app > .render(name) > should fail', 'test/b.js::app > .render(name) > should work', 'tests/t.py::test_x'];
    const m = matchTestIds(['test/app.js::app > .render(name) > should work', 'app .render(name) should fail', 'test/app.js::app .render(name) > should work', 'app > .render(name) > should work', 'test/app.js::app > render > should work'], produced);
    expect(m.get('test/app.js::app > .render(name) > should work')).toEqual(['test/app.js::app > .render(name) > should work']);
    expect(m.get('app .render(name) should fail')).toEqual(['test/app.js::app > .render(name) > should fail']);
    expect(m.get('test/app.js::app .render(name) > should work')).toEqual(['test/app.js::app > .render(name) > should work']);
    // without the file, every file's test of that title
    expect(m.get('app > .render(name) > should work')).toEqual(['test/app.js::app > .render(name) > should work', 'test/b.js::app > .render(name) > should work']);
    expect(m.has('test/app.js::app > render > should work')).toBe(false);
    expect(suggestTestIds('test/app.js::app > render > should work', produced)[0]).toBe('test/app.js::app > .render(name) > should work');
    expect(withSuggestions(['test/app.js::app > render > shuold fial'], produced)).toMatch(/\(did you mean "test\/app\.js::app > \.render\(name\) > should fail"/);
    expect(suggestTestIds('zzz', produced)).toEqual([]);
  });
});
