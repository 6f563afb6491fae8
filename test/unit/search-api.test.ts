// The search API on real indices of real files: Python (the py-inventory fixture plus AutoCodeRover's
// own toy project from the teardown, which exposed its bugs), JavaScript (js-textkit) and TypeScript.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../src/core/index/workspace-index';
import { CodeSearch } from '../../src/core/search/code-search';
import { renderOutcome } from '../../src/core/search/render';
import { SEARCH_API_SPECS } from '../../src/core/search/specs';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';

// The project ACR's own parser was run on (teardown §1/§2): it double-counts clean, loses aclean,
// never finds the parent's clean and tags the return in aclean wrongly.
const ACR_TOY_A = `from .b import Base


class Foo(Base):
    x = 1

    def clean(self):
        def inner():
            return 1
        return inner()

    async def aclean(self):
        return 2


def clean():
    return 3
`;
const ACR_TOY_B = `class Base:
    def clean(self):
        return 0

    def only_in_base(self, value):
        return value * 2


class Grand(Foo):
    pass
`;

const TS_SOURCE = `export interface Shape {
  area(): number;
}

export class Circle implements Shape {
  radius = 1;
  constructor(radius: number) {
    this.radius = radius;
  }
  area(): number {
    return Math.PI * square(this.radius);
  }
}

export const square = (n: number): number => n * n;

export async function totalArea(shapes: Shape[]): Promise<number> {
  return shapes.reduce((s, x) => s + x.area(), 0);
}
`;

let py: FixtureRepo;
let pyIndex: WorkspaceIndex;
let pySearch: CodeSearch;

beforeAll(async () => {
  py = await makeFixtureRepo('py-inventory', { git: false });
  await mkdir(join(py.dir, 'pkg'), { recursive: true });
  await writeFile(join(py.dir, 'pkg', '__init__.py'), '');
  await writeFile(join(py.dir, 'pkg', 'a.py'), ACR_TOY_A);
  await writeFile(join(py.dir, 'pkg', 'b.py'), ACR_TOY_B);
  pyIndex = await WorkspaceIndex.open(py.dir, { cacheDir: join(py.dir, '..', `${py.dir.split('/').pop()}-cache`), workers: 0 });
  pySearch = new CodeSearch(pyIndex);
});

afterAll(async () => {
  await pyIndex?.close();
  await rm(join(py.dir, '..', `${py.dir.split('/').pop()}-cache`), { recursive: true, force: true });
  await py?.cleanup();
});

describe('ACR bugs are gone (Python)', () => {
  it('counts every method once (ACR reported 5 for clean)', () => {
    const o = pySearch.searchMethod('clean');
    expect(o.ok).toBe(true);
    expect(o.total).toBe(3);
    expect(o.hits.map((h) => `${h.file}:${h.startLine}:${h.className ?? '-'}`).sort()).toEqual(['pkg/a.py:16:-', 'pkg/a.py:7:Foo', 'pkg/b.py:2:Base']);
    expect(o.message).toBe('Found 3 methods with name clean in the codebase.');
  });

  it('finds async defs, and the class signature lists them', () => {
    const m = pySearch.searchMethod('aclean');
    expect(m.ok).toBe(true);
    expect(m.hits[0]).toMatchObject({ file: 'pkg/a.py', startLine: 12, endLine: 13, className: 'Foo', kind: 'method' });
    expect(m.hits[0].code).toContain('async def aclean(self):');
    const c = pySearch.searchClass('Foo');
    expect(c.hits[0].signatureOnly).toBe(true);
    expect(c.hits[0].code.split('\n')).toEqual(['class Foo(Base):', '    x = 1', '    def clean(self):', '    async def aclean(self):']);
    expect(c.hits[0].lineNumbers).toEqual([4, 5, 7, 12]);
    const text = renderOutcome(c);
    expect(text).toContain('pkg/a.py:4-13');
    expect(text).toMatch(/12 +async def aclean/);
    expect(text).not.toContain('def inner');
  });

  it('finds a method inherited from the parent class and says so', () => {
    const o = pySearch.searchMethodInClass('only_in_base', 'Foo');
    expect(o.ok).toBe(true);
    expect(o.hits).toHaveLength(1);
    expect(o.hits[0]).toMatchObject({ file: 'pkg/b.py', startLine: 5, className: 'Base', symbol: 'only_in_base' });
    expect(o.notes).toEqual(['Foo (pkg/a.py:4) does not define only_in_base; it inherits it from Base (pkg/b.py:1), defined at pkg/b.py:5.']);
    // two levels up: Grand -> Foo -> Base, nearest ancestor first
    const g = pySearch.searchMethodInClass('clean', 'Grand');
    expect(g.hits.map((h) => h.className)).toEqual(['Foo']);
    expect(g.notes?.[0]).toContain('it inherits it from Foo (pkg/a.py:4), defined at pkg/a.py:7');
  });

  it("mentions the parent's overridden version", () => {
    const o = pySearch.searchMethodInClass('clean', 'Foo');
    expect(o.hits.map((h) => `${h.file}:${h.startLine}`)).toEqual(['pkg/a.py:7']);
    expect(o.hits[0].code).toContain('def inner():'); // the whole method, nested function included
    expect(o.notes?.[0]).toBe('Foo.clean (pkg/a.py:7) overrides Base.clean (pkg/b.py:2); search_method_in_class("clean", "Base") shows the parent\'s version.');
    expect(renderOutcome(o)).toContain('overrides Base.clean (pkg/b.py:2)');
  });

  it('shows code, not only file names, for more than 3 hits', () => {
    const o = pySearch.searchCode('return');
    expect(o.total).toBeGreaterThan(3);
    const text = renderOutcome(o);
    expect(text).toMatch(/return 2/);
    expect(text).toMatch(/return 3/);
    expect(text.match(/--- Result/g)!.length).toBeGreaterThan(3);
  });

  it('tags search_code_in_file matches with the right class and function (1-based)', () => {
    const o = pySearch.searchCodeInFile('return 2', 'a.py');
    expect(o.hits).toHaveLength(1);
    expect(o.hits[0]).toMatchObject({ file: 'pkg/a.py', className: 'Foo', symbol: 'aclean', matchLines: [13], startLine: 10, endLine: 16 });
    const first = pySearch.searchCodeInFile('def clean(self)', 'pkg/a.py');
    expect(first.hits[0]).toMatchObject({ className: 'Foo', symbol: 'clean', matchLines: [7] });
    const top = pySearch.searchCodeInFile('return 3', 'pkg/a.py');
    expect(top.hits[0].className).toBeUndefined();
    expect(top.hits[0].symbol).toBe('clean');
    const nested = pySearch.searchCodeInFile('return 1', 'pkg/a.py');
    expect(nested.hits[0]).toMatchObject({ className: 'Foo', symbol: 'inner' });
  });

  it('get_code_around_line keeps the last line of the file', () => {
    const o = pySearch.getCodeAroundLine('pkg/a.py', 17, 2);
    expect(o.ok).toBe(true);
    expect(o.hits[0]).toMatchObject({ startLine: 15, endLine: 17, symbol: 'clean' });
    expect(o.hits[0].code.split('\n').pop()).toBe('    return 3');
    expect(pySearch.getCodeAroundLine('pkg/a.py', 18).ok).toBe(false);
    expect(pySearch.getCodeAroundLine('pkg/a.py', 18).message).toBe('Line 18 is invalid in file pkg/a.py: it has 17 lines.');
    const win = pySearch.getCodeAroundLine('pkg/a.py', 8, 1);
    expect([win.hits[0].startLine, win.hits[0].endLine]).toEqual([7, 9]);
  });
});

describe('every API on the Python fixture', () => {
  it('search_class and search_class_in_file', () => {
    const c = pySearch.searchClass('Cart');
    expect(c.ok && c.total).toBe(1);
    expect(c.hits[0]).toMatchObject({ file: 'inventory/cart.py', startLine: 9, kind: 'class', signatureOnly: true });
    expect(c.hits[0].code).toContain('def total(self) -> float:');
    expect(c.hits[0].code).not.toContain('return self._calculator');
    const f = pySearch.searchClassInFile('Cart', 'cart.py');
    expect(f.ok).toBe(true);
    expect(f.hits[0].code).toContain('return self._calculator.total(self._lines.items())');
    const miss = pySearch.searchClassInFile('Cart', 'inventory/models.py');
    expect(miss.ok).toBe(false);
    expect(miss.message).toBe('Could not find class Cart in file inventory/models.py.');
    expect(miss.notes?.join(' ')).toContain('Cart is defined in: inventory/cart.py:9');
    // module-qualified names narrow by path
    expect(pySearch.searchClass('inventory.cart.Cart').total).toBe(1);
    expect(pySearch.searchClass('inventory.models.Cart').ok).toBe(false);
  });

  it('search_method_in_file with suffix, backslashes and case-insensitive paths', () => {
    for (const f of ['inventory/pricing.py', 'pricing.py', 'inventory\\pricing.py', 'INVENTORY/Pricing.PY', './inventory/pricing.py']) {
      const o = pySearch.searchMethodInFile('bulk_discount', f);
      expect(o.ok, f).toBe(true);
      expect(o.hits[0]).toMatchObject({ file: 'inventory/pricing.py', startLine: 8, endLine: 12, kind: 'function' });
    }
    const none = pySearch.searchMethodInFile('bulk_discount', 'cart.py');
    expect(none.ok).toBe(false);
    expect(none.message).toBe('There is no method with name bulk_discount in file cart.py.');
    expect(none.notes?.join(' ')).toContain('inventory/pricing.py:8');
    const missingFile = pySearch.searchMethodInFile('total', 'carts.py');
    expect(missingFile.message).toBe('Could not find file carts.py in the codebase.');
    expect(missingFile.suggestions).toContain('inventory/cart.py');
  });

  it('ambiguous file suffixes search every candidate and say so; get_code_around_line asks to choose', () => {
    const o = pySearch.searchCodeInFile('import', '__init__.py');
    expect(o.notes?.[0]).toMatch(/matched \d+ files/);
    const g = pySearch.getCodeAroundLine('__init__.py', 1);
    expect(g.ok).toBe(false);
    expect(g.message).toContain('ambiguous');
    expect(g.suggestions).toEqual(expect.arrayContaining(['inventory/__init__.py', 'pkg/__init__.py']));
  });

  it('search_code: literal, multi-line, with ±3 lines and enclosing symbols', () => {
    const o = pySearch.searchCode('BULK_THRESHOLD');
    expect(o.total).toBe(3);
    expect(o.hits).toHaveLength(1); // overlapping windows merge
    expect(o.hits[0].matchLines).toEqual([3, 9, 10]);
    const regexy = pySearch.searchCode('self._lines.get(product, 0)');
    expect(regexy.total).toBe(2);
    const multi = pySearch.searchCode('def total(self) -> float:\n        return self._calculator');
    expect(multi.ok).toBe(true);
    expect(multi.hits[0]).toMatchObject({ file: 'inventory/cart.py', matchLines: [34, 35], className: 'Cart', symbol: 'total' });
    const miss = pySearch.searchCode('NO_SUCH_TEXT_ANYWHERE');
    expect(miss.ok).toBe(false);
    expect(miss.message).toBe('Could not find code NO_SUCH_TEXT_ANYWHERE in the codebase.');
  });

  it('find_references groups call sites by the enclosing function', () => {
    const o = pySearch.findReferences('line_total');
    expect(o.ok).toBe(true);
    const src = o.hits.find((h) => h.file === 'inventory/pricing.py')!;
    expect(src).toMatchObject({ kind: 'call', className: 'PriceCalculator', symbol: 'total' });
    expect(src.matchLines!.length).toBeGreaterThanOrEqual(2);
    expect(renderOutcome(o)).toMatch(/in PriceCalculator\.total \(inventory\/pricing\.py:\d+\)/);
    expect(pySearch.findReferences('PriceCalculator.line_total').total).toBe(o.total);
    const none = pySearch.findReferences('line_totl');
    expect(none.ok).toBe(false);
    expect(none.suggestions).toContain('line_total');
  });

  it('did you mean: edit distance, case, qualified names', () => {
    const c = pySearch.searchClass('Crat');
    expect(c.message).toBe('Could not find class Crat in the codebase.');
    expect(c.suggestions?.[0]).toBe('Cart (inventory/cart.py:9)');
    expect(pySearch.searchClass('cart').suggestions?.[0]).toBe('Cart (inventory/cart.py:9)');
    const m = pySearch.searchMethod('bulk_discont');
    expect(m.suggestions?.[0]).toBe('bulk_discount (inventory/pricing.py:8)');
    expect(renderOutcome(m)).toContain('Did you mean: bulk_discount (inventory/pricing.py:8)?');
    const inClass = pySearch.searchMethodInClass('totl', 'Cart');
    expect(inClass.message).toBe('Could not find method totl in class Cart.');
    expect(inClass.suggestions?.some((s) => s.startsWith('Cart.total'))).toBe(true);
    // Class.method accepted where a method name is expected
    const q = pySearch.searchMethod('Cart.total');
    expect(q.ok).toBe(true);
    expect(q.hits.map((h) => h.className)).toEqual(['Cart']);
    expect(pySearch.searchMethodInClass('Cart.total', 'Cart').hits[0].startLine).toBe(34);
    expect(pySearch.searchMethod('Cart').suggestions).toContain('Cart is a class: search_class("Cart")');
  });

  it('refuses absolute paths and paths escaping the root, reading nothing', () => {
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', '..\\..\\secret.py', 'inventory/../../x.py', '~/x.py', 'file:///etc/passwd']) {
      for (const o of [pySearch.getCodeAroundLine(bad, 1), pySearch.searchCodeInFile('root', bad), pySearch.searchMethodInFile('x', bad), pySearch.searchClassInFile('X', bad)]) {
        expect(o.ok, `${o.api} ${bad}`).toBe(false);
        expect(o.error, `${o.api} ${bad}`).toMatch(/Refusing|outside/);
        expect(o.hits).toEqual([]);
      }
    }
    // staying inside the root through .. is fine
    expect(pySearch.getCodeAroundLine('tests/../inventory/cart.py', 9, 0).hits[0].code).toBe('class Cart:');
  });
});

describe('call(): the dispatcher the agent uses', () => {
  it('every spec has a zod schema accepting its own params', () => {
    expect(SEARCH_API_SPECS.map((s) => s.name)).toEqual([
      'search_class', 'search_class_in_file', 'search_method', 'search_method_in_class', 'search_method_in_file',
      'search_code', 'search_code_in_file', 'get_code_around_line', 'find_references',
    ]);
    for (const s of SEARCH_API_SPECS) {
      const args = Object.fromEntries(s.params.map((p) => [p, p.includes('line') || p.includes('window') ? 3 : 'x']));
      expect(s.schema.safeParse(args).success, s.name).toBe(true);
    }
  });

  it('named, positional and aliased arguments; clear errors, never a throw', () => {
    expect(pySearch.call('search_method_in_class', { method_name: 'total', class_name: 'Cart' }).hits[0].startLine).toBe(34);
    expect(pySearch.call('search_method_in_class', ['total', 'Cart']).hits[0].startLine).toBe(34);
    expect(pySearch.call('search_method_in_file', { method: 'bulk_discount', file: 'pricing.py' }).ok).toBe(true);
    expect(pySearch.call('get_code_around_line', { file_path: 'cart.py', line_number: '9', window_size: '0' }).hits[0].code).toBe('class Cart:');
    const unknown = pySearch.call('search_klass', { class_name: 'Cart' });
    expect(unknown.ok).toBe(false);
    expect(unknown.error).toContain('Unknown search API "search_klass"');
    expect(unknown.suggestions).toContain('search_class');
    const missing = pySearch.call('search_method_in_class', { method_name: 'total' });
    expect(missing.error).toMatch(/Invalid arguments for search_method_in_class\(method_name, class_name\): class_name/);
    const tooMany = pySearch.call('search_class', ['a', 'b']);
    expect(tooMany.error).toBe('search_class takes 1 argument(s) (class_name), got 2.');
    expect(pySearch.call('get_code_around_line', { file_path: 'cart.py', line_number: -4 }).error).toBeTruthy();
    expect(pySearch.call('search_code', { code_str: '' }).error).toBeTruthy();
  });

  it('sees files added and changed after the search was created (updateFile)', async () => {
    await writeFile(join(py.dir, 'pkg', 'c.py'), 'class Late(Base):\n    def fresh_method(self):\n        return "MARKER_42"\n');
    await pyIndex.updateFile('pkg/c.py');
    expect(pySearch.searchMethod('fresh_method').hits[0]).toMatchObject({ file: 'pkg/c.py', startLine: 2 });
    expect(pySearch.searchCode('MARKER_42').hits[0]).toMatchObject({ file: 'pkg/c.py', symbol: 'fresh_method' });
    expect(pySearch.searchMethodInClass('only_in_base', 'Late').ok).toBe(true);
    await writeFile(join(py.dir, 'pkg', 'c.py'), 'class Late(Base):\n    pass\n');
    await pyIndex.updateFile('pkg/c.py');
    expect(pySearch.searchMethod('fresh_method').ok).toBe(false);
    expect(pySearch.searchCode('MARKER_42').ok).toBe(false);
  });
});

describe('budgeted rendering', () => {
  let dir: string;
  let index: WorkspaceIndex;
  let search: CodeSearch;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rover-search-budget-'));
    await mkdir(join(dir, 'src'), { recursive: true });
    for (let i = 0; i < 30; i++) {
      const body = Array.from({ length: 25 }, (_, k) => `        value = value + ${k}  # step ${k} of handler ${i}`).join('\n');
      await writeFile(join(dir, 'src', `handler_${String(i).padStart(2, '0')}.py`), `class Handler${i}:\n    def handle(self, value):\n${body}\n        return value\n`);
    }
    index = await WorkspaceIndex.open(dir, { cacheDir: `${dir}-cache`, workers: 0 });
    search = new CodeSearch(index);
  });
  afterAll(async () => {
    await index?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}-cache`, { recursive: true, force: true });
  });

  it('full bodies first, then signatures, then locations, then a count of the rest with files and a narrowing call', () => {
    const o = search.searchMethod('handle');
    expect(o.total).toBe(30);
    expect(o.hits).toHaveLength(30);
    const text = renderOutcome(o, { maxTokens: 1000 });
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toContain('step 24 of handler 0'); // the top hit in full
    expect(text).toContain('[signature only]');
    const shown = (text.match(/--- Result/g) ?? []).length + (text.match(/^- src\//gm) ?? []).length;
    const more = /(\d+) more result\(s\) not shown: (.*); narrow with search_method_in_class\("handle", "Handler\d+"\)/.exec(text);
    expect(more, text).not.toBeNull();
    expect(shown + Number(more![1])).toBe(30);
    // the rest's files are named (up to a length, then counted)
    const named = (more![2].match(/src\/handler_\d+\.py/g) ?? []).length;
    const counted = Number(/and (\d+) more file\(s\)/.exec(more![2])?.[1] ?? 0);
    expect(named + counted).toBe(Number(more![1]));
    // a generous budget shows everything in full
    const all = renderOutcome(o, { maxTokens: 100_000 });
    expect(all).not.toContain('not shown');
    expect((all.match(/--- Result/g) ?? []).length).toBe(30);
  });

  it('a hit larger than the whole budget is shown in part, with the call that shows the rest', () => {
    const o = search.searchClassInFile('Handler0', 'handler_00.py');
    const text = renderOutcome(o, { maxTokens: 200 });
    expect(text.length).toBeLessThanOrEqual(800);
    expect(text).toMatch(/Handler0/);
    // a class too big is shown by its digest, a method too big by its start
    expect(text).toContain('[signature only]');
    expect(text).toMatch(/\.\.\. lines 3-28 not shown; get_code_around_line\("src\/handler_00\.py", \d+, \d+\) shows/);
    const m = renderOutcome(search.searchMethodInFile('handle', 'handler_00.py'), { maxTokens: 200 });
    expect(m.length).toBeLessThanOrEqual(800);
    expect(m).toMatch(/\[\d+ of 27 lines\]/);
    expect(m).toContain('value = value + 0  # step 0 of handler 0');
    expect(m).toMatch(/\.\.\. lines \d+-28 not shown; get_code_around_line\("src\/handler_00\.py", \d+, \d+\) shows/);
  });

  it('code matches over the budget are counted and the files named', () => {
    const o = search.searchCode('value = value +');
    // 750 matches exist; the scan collects 500 and counts the rest, so the true total is said
    expect(o.total).toBe(750);
    expect(o.message).toBe('Found 750 matches of value = value + in 30 file(s) of the codebase.');
    expect(o.notes).toContain('Collected the first 500 matches (sources before tests) of 750; use a longer snippet or search_code_in_file.');
    expect(o.hits.reduce((s, h) => s + h.matchLines!.length, 0)).toBe(500);
    expect(o.otherFiles?.reduce((s, f) => s + f.matches, 0)).toBe(250);
    expect(new CodeSearch(index, { maxCodeMatches: 10_000 }).searchCode('value = value +').total).toBe(750);
    const text = renderOutcome(o, { maxTokens: 500 });
    expect(text).toMatch(/\d+ more result\(s\) \(\d+ matches\) not shown and 250 more matches not collected: .*src\/handler_\d+\.py/);
    expect(text).toContain('narrow with search_code_in_file("value = value +", "src/handler_');
  });
});

describe('JavaScript and TypeScript', () => {
  let js: FixtureRepo;
  let index: WorkspaceIndex;
  let search: CodeSearch;
  beforeAll(async () => {
    js = await makeFixtureRepo('js-textkit', { git: false });
    await writeFile(join(js.dir, 'src', 'shapes.ts'), TS_SOURCE);
    index = await WorkspaceIndex.open(js.dir, { cacheDir: `${js.dir}-cache`, workers: 0 });
    search = new CodeSearch(index);
  });
  afterAll(async () => {
    await index?.close();
    await rm(`${js.dir}-cache`, { recursive: true, force: true });
    await js?.cleanup();
  });

  it('search_class on a JS class lists static and async methods', () => {
    const o = search.searchClass('Formatter');
    expect(o.ok).toBe(true);
    expect(o.hits[0]).toMatchObject({ file: 'src/case.js', kind: 'class', signatureOnly: true });
    for (const m of ['constructor(style', 'format(text)', 'static styles()', 'async formatAll(texts)']) expect(o.hits[0].code).toContain(m);
    expect(renderOutcome(o)).toMatch(/src\/case\.js:\d+-\d+ +\(class Formatter\)/);
  });

  it('function expressions and arrow functions bound to names are methods/functions', () => {
    expect(search.searchMethod('kebabCase').hits[0]).toMatchObject({ file: 'src/case.js', kind: 'function' });
    expect(search.searchMethod('words').hits[0].code).toContain('text.split');
    expect(search.searchMethodInClass('formatAll', 'Formatter').hits[0].code).toContain('texts.map');
    expect(search.searchMethodInFile('slugify', 'slug.js').hits[0].startLine).toBe(6);
  });

  it('TypeScript: interface, class implementing it, arrow function, async function, references', () => {
    const i = search.searchClass('Shape');
    expect(i.hits[0]).toMatchObject({ file: 'src/shapes.ts', kind: 'interface', startLine: 1 });
    const c = search.searchClass('Circle');
    expect(c.hits[0].code).toContain('radius = 1;');
    expect(c.hits[0].code).toContain('area(): number {');
    expect(search.searchMethodInClass('area', 'Circle').hits[0]).toMatchObject({ startLine: 10, endLine: 12 });
    expect(search.searchMethod('square').hits[0]).toMatchObject({ file: 'src/shapes.ts', startLine: 15 });
    expect(search.searchMethod('totalArea').hits[0].code).toContain('async function totalArea');
    const refs = search.findReferences('square');
    expect(refs.hits.find((h) => h.file === 'src/shapes.ts')).toMatchObject({ className: 'Circle', symbol: 'area', matchLines: [11] });
    const code = search.searchCodeInFile('Math.PI', 'shapes.ts');
    expect(code.hits[0]).toMatchObject({ className: 'Circle', symbol: 'area', matchLines: [11] });
  });

  it('find_references in JS and search_code_in_file', () => {
    const o = search.findReferences('camelCase');
    expect(o.ok).toBe(true);
    expect(o.hits.some((h) => h.file === 'src/case.js' && h.symbol === 'format' && h.className === 'Formatter')).toBe(true);
    const s = search.searchCodeInFile("replace(", 'src/slug.js');
    expect(s.total).toBe(3);
    expect(s.hits.map((h) => h.symbol)).toContain('slugify');
  });
});
