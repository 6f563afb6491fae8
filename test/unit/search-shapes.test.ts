// Issue #19: search answers the model can act on, on test/fixtures/search-shapes (files shaped like
// the code where AutoCodeRover's recorded calls went wrong: see its README).
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../src/core/index/workspace-index';
import { CodeSearch } from '../../src/core/search/code-search';
import { renderOutcome } from '../../src/core/search/render';
import { makeFixtureRepo, type FixtureRepo, FIXTURES } from '../support/fixture-repo';

let repo: FixtureRepo;
let index: WorkspaceIndex;
let search: CodeSearch;

beforeAll(async () => {
  repo = await makeFixtureRepo('search-shapes', { git: false });
  index = await WorkspaceIndex.open(repo.dir, { cacheDir: `${repo.dir}-cache`, workers: 0 });
  search = new CodeSearch(index);
});

afterAll(async () => {
  await index?.close();
  await rm(`${repo.dir}-cache`, { recursive: true, force: true });
  await repo?.cleanup();
});

/** 1-based line of the first line of `file` (in the fixture) that contains `text`. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(FIXTURES, 'search-shapes', file), 'utf8').split('\n');
  const k = lines.findIndex((l) => l.includes(text));
  if (k < 0) throw new Error(`${text} is not in ${file}`);
  return k + 1;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);

/** File lines a rendered answer prints (numbered lines of its result blocks). */
function printedLines(text: string): Set<number> {
  const out = new Set<number>();
  for (const l of text.split('\n')) {
    const m = /^ *(\d+)[> ] /.exec(l);
    if (m && !/^\d+ more result/.test(l)) out.add(Number(m[1]));
  }
  return out;
}

describe('whole signatures (defect 1)', () => {
  it('a class digest shows every parameter line of a multi-line __init__ and of a decorated method', () => {
    const o = search.searchClass('Router');
    expect(o.ok).toBe(true);
    const init = lineOf('webkit/routing.py', 'def __init__(');
    const initEnd = lineOf('webkit/routing.py', '    ):');
    const deco = lineOf('webkit/routing.py', '@t.no_type_check');
    const addEnd = lineOf('webkit/routing.py', ') -> None:');
    const shown = o.hits[0].lineNumbers!;
    for (const l of [...range(init, initEnd), ...range(deco, addEnd)]) expect(shown, `line ${l}`).toContain(l);
    const text = renderOutcome(o);
    expect(text).toContain('cli_group: t.Optional[str] = _unset,');
    expect(text).toContain('**options: t.Any,');
    // bodies stay out of the digest
    expect(text).not.toContain('self.url_prefix = url_prefix');
  });

  it('a decorated function whose body does not fit shows its decorator and its whole signature', () => {
    const o = search.searchMethod('to_callable');
    const text = renderOutcome(o, { maxTokens: 600 });
    expect(text.length).toBeLessThanOrEqual(2400);
    expect(text).toContain("@requires_modules('numpy', 'scipy')");
    expect(text).toContain('def to_callable(args, expr, modules=None, printer=None, use_imps=True,');
    expect(text).toContain('                dummify=False):');
  });
});

describe('bodies over the budget (defect 2)', () => {
  it('shows the signature, the start of the docstring and the code after it, with the exact calls for the rest', () => {
    const o = search.searchMethod('convert');
    expect(o.ok).toBe(true);
    const { startLine, endLine } = o.hits[0];
    const text = renderOutcome(o);
    expect(text.length).toBeLessThanOrEqual(12_000);
    expect(text).toContain('evaluate=None):'); // the parameter an issue about `evaluate` needs
    expect(text).toContain('if evaluate is None:'); // code, not only docstring
    expect(text).toMatch(/\[\d+ of \d+ lines\]/);
    expect(text).toMatch(/\.\.\. lines \d+-\d+ \(docstring\) not shown; get_code_around_line\("symcore\/convert\.py", \d+, \d+\) shows/);
    // following the calls the answers name reaches every line of the function
    const seen = printedLines(text);
    const queue = [text];
    for (let rounds = 0; queue.length > 0 && rounds < 40; rounds++) {
      const t = queue.shift()!;
      for (const m of t.matchAll(/get_code_around_line\("symcore\/convert\.py", (\d+), (\d+)\)/g)) {
        const next = renderOutcome(search.getCodeAroundLine('symcore/convert.py', Number(m[1]), Number(m[2])));
        expect(next.length).toBeLessThanOrEqual(12_000);
        const before = seen.size;
        for (const l of printedLines(next)) seen.add(l);
        if (seen.size > before) queue.push(next);
      }
    }
    for (const l of range(startLine, endLine)) expect(seen.has(l), `line ${l} is reachable`).toBe(true);
  });

  it('a window larger than the budget is shown around its line, with calls for both sides', () => {
    const line = lineOf('symcore/convert.py', 'if evaluate is None:');
    const text = renderOutcome(search.getCodeAroundLine('symcore/convert.py', line, 200), { maxTokens: 1000 });
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(new RegExp(`\\n *${line}> +if evaluate is None:`));
    expect(text.match(/not shown; get_code_around_line\(/g)?.length).toBe(2);
  });
});

describe('class-level assignments and method resolution order (defect 3)', () => {
  it('a middle class binding `_print_Derivative = _print_not_supported` is what Python resolves', () => {
    const o = search.searchMethodInClass('_print_Derivative', 'MathLangPrinter');
    expect(o.ok).toBe(true);
    const bind = lineOf('symcore/printing/codeprinter.py', '_print_Derivative = _print_not_supported');
    expect(o.hits[0]).toMatchObject({ kind: 'assignment', file: 'symcore/printing/codeprinter.py', startLine: bind, className: 'CodePrinter', symbol: '_print_Derivative' });
    expect(o.hits[1]).toMatchObject({ file: 'symcore/printing/codeprinter.py', symbol: '_print_not_supported', className: 'CodePrinter' });
    // the method further up, which the assignment hides, comes last and says so
    expect(o.hits[2]).toMatchObject({ file: 'symcore/printing/base.py', symbol: '_print_Derivative', className: 'BasePrinter' });
    expect(o.notes?.[0]).toBe(
      `MathLangPrinter (symcore/printing/mathlang.py:4) does not define _print_Derivative; Python resolves it to the class-level assignment \`_print_Derivative = _print_not_supported\` (symcore/printing/codeprinter.py:${bind}) in CodePrinter (symcore/printing/codeprinter.py:4).`,
    );
    expect(o.notes?.join('\n')).toContain(`BasePrinter._print_Derivative (symcore/printing/base.py:${lineOf('symcore/printing/base.py', 'def _print_Derivative')}) comes later`);
    const text = renderOutcome(o);
    expect(text).toMatch(/symcore\/printing\/codeprinter\.py:\d+ +\(assignment CodePrinter\._print_Derivative\)/);
    expect(text).toContain('self._not_supported.add(expr)');
  });

  it("a class's own method overrides an inherited assignment", () => {
    const o = search.searchMethodInClass('_print_Integral', 'MathLangPrinter');
    expect(o.hits.map((h) => `${h.file}:${h.kind}`)).toEqual(['symcore/printing/mathlang.py:method']);
    expect(o.notes?.[0]).toMatch(/^MathLangPrinter\._print_Integral \(symcore\/printing\/mathlang\.py:\d+\) overrides CodePrinter\._print_Integral \(symcore\/printing\/codeprinter\.py:\d+\)/);
  });

  it('follows C3 linearization, not breadth-first order', () => {
    const o = search.searchMethodInClass('describe', 'Both');
    expect(o.hits.map((h) => h.className)).toEqual(['Root']);
    expect(o.notes?.[0]).toContain('it inherits it from Root (symcore/mro.py:1)');
  });

  it('search_method mentions class-level bindings, and finds a name bound only that way', () => {
    const o = search.searchMethod('_print_Derivative');
    expect(o.hits.map((h) => h.className)).toEqual(['BasePrinter']);
    expect(o.notes?.[0]).toContain('CodePrinter: `_print_Derivative = _print_not_supported` (symcore/printing/codeprinter.py:');
    const only = search.searchMethod('_print_Basic');
    expect(only.ok).toBe(true);
    expect(only.hits[0]).toMatchObject({ kind: 'assignment', className: 'CodePrinter', file: 'symcore/printing/codeprinter.py' });
    expect(only.message).toBe('Found 1 class-level assignment of _print_Basic in the codebase.');
    const inFile = search.searchMethodInFile('_print_Derivative', 'codeprinter.py');
    expect(inFile.ok).toBe(true);
    expect(inFile.hits.map((h) => `${h.kind} ${h.className}.${h.symbol}:${h.startLine}`)).toEqual([
      `assignment CodePrinter._print_Derivative:${lineOf('symcore/printing/codeprinter.py', '_print_Derivative = ')}`,
    ]);
  });
});

describe('notes that say where each side is (defect 4)', () => {
  it("a test's subclass named like its base is told apart by file", () => {
    const o = search.searchMethodInClass('from_file', 'Config');
    expect(o.ok).toBe(true);
    expect(o.hits).toHaveLength(1);
    expect(o.hits[0]).toMatchObject({ file: 'webkit/config.py', symbol: 'from_file' });
    const sub = lineOf('tests/test_config.py', 'class Config(webkit.Config):');
    const def = lineOf('webkit/config.py', 'def from_file(');
    expect(o.notes).toEqual([`Config (tests/test_config.py:${sub}) does not define from_file; it inherits it from Config (webkit/config.py:6), defined at webkit/config.py:${def}.`]);
    // Class.method through search_method says the same
    expect(search.searchMethod('Config.from_file').notes).toEqual(o.notes);
  });
});

describe('"did you mean" for paths (defect 5)', () => {
  it('ranks the file with the asked path first when the model adds a prefix', () => {
    const o = search.searchMethodInFile('format', 'site-packages/lintkit/reporters/text.py');
    expect(o.ok).toBe(false);
    expect(o.suggestions?.[0]).toBe('lintkit/reporters/text.py');
    expect(o.suggestions).toContain('lintkit/utils/text.py');
    expect(renderOutcome(o)).toContain('Did you mean: lintkit/reporters/text.py;');
  });

  it('reads an absolute path inside the root as relative; refuses others with suggestions', () => {
    const inside = search.searchMethodInFile('format', join(repo.dir, 'lintkit', 'reporters', 'text.py'));
    expect(inside.ok).toBe(true);
    expect(inside.hits[0]).toMatchObject({ file: 'lintkit/reporters/text.py', symbol: 'format' });
    const outside = search.searchMethodInFile('format', '/usr/lib/python3/site-packages/lintkit/reporters/text.py');
    expect(outside.ok).toBe(false);
    expect(outside.error).toMatch(/^Refusing the absolute path/);
    expect(outside.suggestions?.[0]).toBe('lintkit/reporters/text.py');
  });
});

describe('code matches', () => {
  it('a merged window names every function its matches are in', () => {
    const o = search.searchCodeInFile('_TOKEN', 'symcore/helpers.py');
    expect(o.total).toBe(4);
    expect(o.hits).toHaveLength(1);
    expect(o.hits[0].note).toBe('Matches in module level (line 1), is_zero (line 6), is_one (line 10).');
    expect(renderOutcome(o)).toContain('Matches in module level (line 1), is_zero (line 6), is_one (line 10).');
  });
});
