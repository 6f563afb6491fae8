// Definitions and call sites extracted per language, from the real grammars and our queries, on the
// fixture files under test/fixtures/lang/<lang>/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { languageForPath, parseSource } from '../../src/core/index/parse-source';
import type { CodeSymbol, FileRecord } from '../../src/core/index/types';

const FIX = join(__dirname, '..', 'fixtures', 'lang');

async function parseFixture(rel: string): Promise<FileRecord> {
  const lang = languageForPath(rel);
  if (!lang) throw new Error(`no language for ${rel}`);
  return parseSource(lang, readFileSync(join(FIX, rel), 'utf8'), rel);
}

function sym(r: FileRecord, qualifiedName: string): CodeSymbol {
  const found = r.symbols.filter((s) => s.qualifiedName === qualifiedName);
  expect(found, `symbols named ${qualifiedName} in ${r.path}: ${r.symbols.map((s) => s.qualifiedName).join(', ')}`).toHaveLength(1);
  return found[0];
}

function callsNamed(r: FileRecord, name: string) {
  return r.calls.filter((c) => c.name === name);
}

describe('languageForPath', () => {
  it('maps extensions to grammars and ignores others', () => {
    expect(languageForPath('a/b.py')).toBe('python');
    expect(languageForPath('x.MJS')).toBe('javascript');
    expect(languageForPath('x.d.ts')).toBe('typescript');
    expect(languageForPath('x.tsx')).toBe('tsx');
    expect(languageForPath('X.java')).toBe('java');
    expect(languageForPath('m.go')).toBe('go');
    expect(languageForPath('lib.rs')).toBe('rust');
    expect(languageForPath('A.cs')).toBe('csharp');
    expect(languageForPath('m.hpp')).toBe('cpp');
    expect(languageForPath('README.md')).toBeUndefined();
    expect(languageForPath('Makefile')).toBeUndefined();
    expect(languageForPath('.py')).toBeUndefined();
  });
});

describe('python', () => {
  it('indexes classes, functions and every method exactly once', async () => {
    const r = await parseFixture('python/shapes.py');
    expect(r.lang).toBe('python');
    expect(r.hasErrors).toBe(false);
    expect(r.lines).toBe(56);
    const shape = sym(r, 'Shape');
    expect(shape).toMatchObject({ kind: 'class', startLine: 18, endLine: 51, doc: 'A drawable shape.', bases: ['Base'] });
    expect(shape.signature).toBe('class Shape(Base, metaclass=ShapeMeta):');
    expect(sym(r, 'Circle').bases).toEqual(['Shape', 'mixins.Comparable']);
    // a method is never also a top-level function (ACR indexed both)
    expect(r.symbols.filter((s) => s.name === 'perimeter')).toHaveLength(1);
    expect(sym(r, 'Shape.perimeter')).toMatchObject({ kind: 'method', className: 'Shape', container: 'Shape', doc: 'Perimeter of the shape, in units.' });
    expect(r.symbols.filter((s) => s.kind === 'function' && !s.container).map((s) => s.name)).toEqual(['area_of', 'fetch_all']);
  });

  it('indexes async defs, at module level and as methods', async () => {
    const r = await parseFixture('python/shapes.py');
    expect(sym(r, 'fetch_all')).toMatchObject({ kind: 'function', async: true, startLine: 11, endLine: 15, signature: 'async def fetch_all(urls):' });
    expect(sym(r, 'Shape.render')).toMatchObject({ kind: 'method', async: true, className: 'Shape' });
    expect(sym(r, 'area_of').async).toBeUndefined();
  });

  it('starts a decorated definition at its first decorator', async () => {
    const r = await parseFixture('python/shapes.py');
    expect(sym(r, 'Shape.unit')).toMatchObject({ startLine: 30, endLine: 32, decorators: ['staticmethod'], static: true, signature: 'def unit():' });
    expect(sym(r, 'Shape.named')).toMatchObject({ startLine: 34, endLine: 37, decorators: ['classmethod', 'functools.lru_cache(maxsize=None)'] });
    expect(sym(r, 'Shape.named').static).toBeUndefined();
    expect(sym(r, 'Shape.label').decorators).toEqual(['property']);
  });

  it('keeps functions nested in a method out of the class, and gives nested classes their own methods', async () => {
    const r = await parseFixture('python/shapes.py');
    const project = sym(r, 'Shape.render.project');
    expect(project).toMatchObject({ kind: 'function', container: 'Shape.render', startLine: 40, endLine: 41 });
    expect(project.className).toBeUndefined();
    expect(sym(r, 'Shape.render.Stroke')).toMatchObject({ kind: 'class', container: 'Shape.render' });
    expect(sym(r, 'Shape.render.Stroke.width')).toMatchObject({ kind: 'method', className: 'Stroke', container: 'Shape.render.Stroke' });
    expect(r.symbols.filter((s) => s.className === 'Shape').map((s) => s.name)).toEqual(['__init__', 'perimeter', 'unit', 'named', 'render', 'label']);
  });

  it('records call sites with their innermost container', async () => {
    const r = await parseFixture('python/shapes.py');
    expect(callsNamed(r, 'area')).toEqual([{ name: 'area', line: 8, column: 18, container: 'area_of' }]);
    expect(callsNamed(r, 'download')[0]).toMatchObject({ line: 14, container: 'fetch_all' });
    expect(callsNamed(r, 'map')[0]).toMatchObject({ line: 41, container: 'Shape.render.project' });
    expect(callsNamed(r, 'project')[0]).toMatchObject({ line: 47, container: 'Shape.render' });
    expect(callsNamed(r, 'upper')[0]).toMatchObject({ line: 51, container: 'Shape.label' });
  });

  it('indexes what parses in a file with syntax errors and marks it', async () => {
    const r = await parseFixture('python/broken.py');
    expect(r.hasErrors).toBe(true);
    expect(r.errorLines).toContain(5);
    expect(sym(r, 'good_one').kind).toBe('function');
    expect(sym(r, 'StillFound.method')).toMatchObject({ kind: 'method', className: 'StillFound' });
    expect(callsNamed(r, 'good_one')[0]).toMatchObject({ line: 11, container: 'StillFound.method' });
  });

  it('leaves a trailing comment out of the signature', async () => {
    const r = await parseSource('python', 'def f(a,\n      b):  # why\n    return a\n', 'c.py');
    expect(sym(r, 'f').signature).toBe('def f(a, b):');
  });

  it("records where each header ends from the tree: every parameter line, decorators, one-line defs", async () => {
    const src = [
      'class Widget(', // 1
      '    Base,',
      '):', // 3
      '    def __init__(', // 4
      '        self,',
      '        name: str = "(",  # a paren in a string and a comment',
      '    ) -> None:', // 7
      '        self.name = name',
      '',
      '    @property', // 10
      '    @cached(',
      '        ttl=3,',
      '    )',
      '    def size(self',
      '             ): return 1', // 15
      '',
      'def one(): return 2', // 17
      '',
      'async def fetch(url,', // 19
      '                *, retries=3):  # note',
      '    """Fetch.',
      '',
      '    Slowly.',
      '    """', // 24
      '    return url',
      '',
    ].join('\n');
    const r = await parseSource('python', src, 'h.py');
    expect(sym(r, 'Widget')).toMatchObject({ startLine: 1, headerEndLine: 3 });
    expect(sym(r, 'Widget.__init__')).toMatchObject({ startLine: 4, headerEndLine: 7 });
    expect(sym(r, 'Widget.size')).toMatchObject({ startLine: 10, headerEndLine: 15 });
    expect(sym(r, 'one')).toMatchObject({ startLine: 17, headerEndLine: 17 });
    expect(sym(r, 'fetch')).toMatchObject({ startLine: 19, headerEndLine: 20, docEndLine: 24 });
    expect(sym(r, 'Widget.__init__').docEndLine).toBeUndefined();
  });

  it('records the names a class body binds by assignment, not those of its methods or bare annotations', async () => {
    const src = [
      'class Printer(Base):',
      '    _print_A = _print_B = _print_not_supported',
      '    x: int = 3',
      '    y: int',
      '    left, right = "<", ">"',
      '    table = {',
      '        "a": 1,',
      '    }',
      '    if FLAG:',
      '        hidden = 1',
      '    def method(self):',
      '        local = 1',
      '        return local',
      '    __hash__ = None',
      '',
    ].join('\n');
    const r = await parseSource('python', src, 'p.py');
    expect(sym(r, 'Printer').assigns).toEqual([
      { name: '_print_A', line: 2, value: '_print_not_supported' },
      { name: '_print_B', line: 2, value: '_print_not_supported' },
      { name: 'x', line: 3, value: '3' },
      { name: 'left', line: 5, value: '"<", ">"' },
      { name: 'right', line: 5, value: '"<", ">"' },
      { name: 'table', line: 6, value: '{ "a": 1, }' },
      { name: '__hash__', line: 14, value: 'None' },
    ]);
    expect(sym(r, 'Printer.method').assigns).toBeUndefined();
  });

  it('reads docstrings of every quote style and dedents them', async () => {
    const src = "def a():\n    '''One.\n\n    Two.\n    '''\n\ndef b():\n    r\"raw\"\n";
    const r = await parseSource('python', src, 'd.py');
    expect(sym(r, 'a').doc).toBe('One.\n\nTwo.');
    expect(sym(r, 'b').doc).toBe('raw');
  });
});

describe('header ends in brace languages', () => {
  it('is the line of the opening brace, or of the arrow of an expression body', async () => {
    const src = [
      'export function build(', // 1
      '  a: number,',
      '  b: number,',
      '): number',
      '{', // 5
      '  return a + b;',
      '}',
      'const twice = (n: number) =>', // 8
      '  n * 2;',
      'class Store<T>', // 10
      '  extends Base {', // 11
      '  get(key: string): T { return this.m[key]; }',
      '}',
      '',
    ].join('\n');
    const r = await parseSource('typescript', src, 's.ts');
    expect(sym(r, 'build')).toMatchObject({ startLine: 1, headerEndLine: 5 });
    expect(sym(r, 'twice')).toMatchObject({ startLine: 8, headerEndLine: 8 });
    expect(sym(r, 'Store')).toMatchObject({ startLine: 10, headerEndLine: 11 });
    expect(sym(r, 'Store.get')).toMatchObject({ startLine: 12, headerEndLine: 12 });
  });
});

describe('javascript', () => {
  it('indexes classes, static/private/async methods and class-field arrows', async () => {
    const r = await parseFixture('javascript/router.js');
    expect(sym(r, 'Router')).toMatchObject({ kind: 'class', bases: ['EventEmitter'], doc: 'Routes requests to handlers.', startLine: 6, endLine: 28 });
    expect(sym(r, 'Router.create')).toMatchObject({ kind: 'method', static: true, className: 'Router' });
    expect(sym(r, 'Router.handle')).toMatchObject({ kind: 'method', className: 'Router', startLine: 16, endLine: 18, signature: 'handle = (req, res) =>' });
    expect(sym(r, 'Router.#secret').kind).toBe('method');
    expect(sym(r, 'Router.dispatch')).toMatchObject({ async: true, signature: 'async dispatch(req, res)' });
    expect(sym(r, 'Router.constructor').kind).toBe('method');
  });

  it('indexes arrow functions and function expressions bound to a name', async () => {
    const r = await parseFixture('javascript/router.js');
    expect(sym(r, 'compose')).toMatchObject({ kind: 'function', startLine: 31, doc: 'Builds a middleware stack.' });
    expect(sym(r, 'legacy')).toMatchObject({ kind: 'function', startLine: 33, endLine: 35 });
    expect(sym(r, 'ids').kind).toBe('function');
    expect(sym(r, 'Router.use')).toMatchObject({ kind: 'method', className: 'Router', startLine: 41, signature: 'Router.prototype.use = function (fn)' });
    expect(sym(r, 'module.exports.createApp')).toMatchObject({ kind: 'function', name: 'createApp', async: true });
    expect(sym(r, 'parse').kind).toBe('function');
    expect(sym(r, 'stringify').kind).toBe('function');
    // one symbol per definition: Router.prototype.use matched two patterns but appears once
    expect(r.symbols.filter((s) => s.name === 'use')).toHaveLength(1);
  });

  it('records calls, `new` and member calls', async () => {
    const r = await parseFixture('javascript/router.js');
    expect(callsNamed(r, 'Router')[0]).toMatchObject({ line: 8, container: 'Router.create' });
    expect(callsNamed(r, 'dispatch')[0]).toMatchObject({ line: 17, container: 'Router.handle' });
    expect(callsNamed(r, 'run')[0]).toMatchObject({ line: 26, column: 17, container: 'Router.dispatch' });
    expect(callsNamed(r, 'push')[0]).toMatchObject({ line: 42, container: 'Router.use' });
  });
});

describe('typescript', () => {
  it('indexes interfaces, enums, generic classes with extends + implements', async () => {
    const r = await parseFixture('typescript/store.ts');
    expect(sym(r, 'Repository')).toMatchObject({ kind: 'interface', bases: ['Iterable<T>', 'Disposable'] });
    expect(sym(r, 'Repository.get')).toMatchObject({ kind: 'method', className: 'Repository', signature: 'get(id: string): T | undefined' });
    expect(sym(r, 'Mode').kind).toBe('enum');
    expect(sym(r, 'MemoryStore')).toMatchObject({ kind: 'class', bases: ['EventEmitter', 'Repository<T>'], doc: 'An in-memory store.', startLine: 14 });
    expect(sym(r, 'Base').kind).toBe('class');
    expect(sym(r, 'Base.load')).toMatchObject({ kind: 'method', signature: 'abstract load(): Promise<void>' });
  });

  it('handles decorated, static, async-arrow and computed-name methods', async () => {
    const r = await parseFixture('typescript/store.ts');
    expect(sym(r, 'MemoryStore.get')).toMatchObject({ startLine: 21, endLine: 24, decorators: ["logged('get')"], signature: 'get(id: string): T | undefined' });
    expect(sym(r, 'MemoryStore.empty')).toMatchObject({ static: true, kind: 'method' });
    expect(sym(r, 'MemoryStore.onChange')).toMatchObject({ kind: 'method', async: true, className: 'MemoryStore' });
    expect(sym(r, 'MemoryStore.[Symbol.iterator]').kind).toBe('method');
    expect(sym(r, 'Util.clamp')).toMatchObject({ kind: 'function', name: 'clamp' });
    expect(sym(r, 'makeStore')).toMatchObject({ kind: 'function', startLine: 52 });
    expect(callsNamed(r, 'flush')[0]).toMatchObject({ line: 32, container: 'MemoryStore.onChange' });
  });

  it('parses TSX with the tsx grammar', async () => {
    const r = await parseFixture('tsx/Counter.tsx');
    expect(r.lang).toBe('tsx');
    expect(r.hasErrors).toBe(false);
    expect(sym(r, 'Counter')).toMatchObject({ kind: 'function', doc: 'A counter button.' });
    expect(sym(r, 'Counter.increment')).toMatchObject({ kind: 'function', container: 'Counter' });
    expect(sym(r, 'Panel')).toMatchObject({ kind: 'class', bases: ['React.Component'] });
    expect(sym(r, 'Panel.render').kind).toBe('method');
    expect(callsNamed(r, 'format')[0]).toMatchObject({ line: 9, container: 'Counter' });
  });
});

describe('java', () => {
  it('indexes classes, nested types, constructors and annotated methods', async () => {
    const r = await parseFixture('java/Inventory.java');
    expect(sym(r, 'Inventory')).toMatchObject({
      kind: 'class',
      startLine: 8,
      bases: ['AbstractStore', 'Auditable', 'Comparable<Inventory>'],
      decorators: ['Service'],
      doc: 'Keeps track of stock.',
    });
    expect(sym(r, 'Inventory.Inventory')).toMatchObject({ kind: 'method', className: 'Inventory' });
    expect(sym(r, 'Inventory.total')).toMatchObject({ startLine: 18, decorators: ['Override'], signature: 'public synchronized int total()', doc: 'Total units in stock.' });
    expect(sym(r, 'Inventory.empty').static).toBe(true);
    expect(sym(r, 'Inventory.Item.count')).toMatchObject({ className: 'Item', container: 'Inventory.Item' });
    expect(sym(r, 'Inventory.Listener').kind).toBe('interface');
    expect(sym(r, 'Inventory.State').kind).toBe('enum');
    expect(sym(r, 'Inventory.State.isOpen').className).toBe('State');
    expect(sym(r, 'Auditable')).toMatchObject({ kind: 'interface', bases: ['Loggable'] });
    expect(callsNamed(r, 'Inventory')[0]).toMatchObject({ line: 24, container: 'Inventory.empty' });
    expect(callsNamed(r, 'log')[0]).toMatchObject({ container: 'Auditable.audit' });
  });
});

describe('go', () => {
  it('indexes structs, interfaces, embedded bases, funcs and receiver methods', async () => {
    const r = await parseFixture('go/server.go');
    expect(sym(r, 'Server')).toMatchObject({ kind: 'struct', bases: ['Logger', 'http.Client'], doc: 'Server answers HTTP requests.', startLine: 9, endLine: 13, signature: 'type Server struct' });
    expect(sym(r, 'Handler')).toMatchObject({ kind: 'interface', bases: ['fmt.Stringer'] });
    expect(sym(r, 'Handler.Serve')).toMatchObject({ kind: 'method', className: 'Handler' });
    expect(sym(r, 'Config')).toMatchObject({ kind: 'struct', startLine: 23 });
    expect(sym(r, 'New')).toMatchObject({ kind: 'function', doc: 'New builds a Server.' });
    expect(sym(r, 'Server.Start')).toMatchObject({ kind: 'method', className: 'Server', doc: 'Start listens on the address.', startLine: 36, endLine: 38 });
    expect(sym(r, 'Server.String')).toMatchObject({ kind: 'method', className: 'Server' });
    expect(sym(r, 'Map').kind).toBe('function');
    expect(callsNamed(r, 'ListenAndServe')[0]).toMatchObject({ line: 37, container: 'Server.Start' });
    expect(callsNamed(r, 'o')[0]).toMatchObject({ container: 'New' });
  });
});

describe('rust', () => {
  it('indexes structs, enums, traits and impl methods with attributes', async () => {
    const r = await parseFixture('rust/lib.rs');
    expect(sym(r, 'Point')).toMatchObject({ kind: 'struct', startLine: 4, decorators: ['derive(Debug, Clone)'], doc: 'A 2-D point.' });
    expect(sym(r, 'Shape').kind).toBe('enum');
    expect(sym(r, 'Area')).toMatchObject({ kind: 'trait', bases: ['fmt::Debug', 'Clone'] });
    expect(sym(r, 'Area.area')).toMatchObject({ kind: 'method', className: 'Area', signature: 'fn area(&self) -> f64;' });
    expect(sym(r, 'Point.origin')).toMatchObject({ kind: 'method', className: 'Point', doc: 'The origin.' });
    expect(sym(r, 'Point.fetch')).toMatchObject({ async: true });
    expect(sym(r, 'Wrapper.area')).toMatchObject({ kind: 'method', className: 'Wrapper' });
    expect(sym(r, 'distance').kind).toBe('function');
    expect(sym(r, 'tests.origin_is_zero')).toMatchObject({ kind: 'function', decorators: ['test'], startLine: 49 });
    expect(callsNamed(r, 'new')[0]).toMatchObject({ line: 26, container: 'Point.origin' });
    expect(callsNamed(r, 'format')[0]).toMatchObject({ container: 'Area.describe' });
  });
});

describe('csharp', () => {
  it('indexes namespaced classes, structs, interfaces, enums and their methods', async () => {
    const r = await parseFixture('csharp/Ledger.cs');
    expect(sym(r, 'Acme.Accounts.Ledger')).toMatchObject({ kind: 'class', bases: ['BaseLedger', 'IDisposable'], decorators: ['Serializable'], doc: 'A ledger of entries.', startLine: 7 });
    expect(sym(r, 'Acme.Accounts.Ledger.Empty')).toMatchObject({ kind: 'method', static: true, className: 'Ledger' });
    expect(sym(r, 'Acme.Accounts.Ledger.BalanceAsync')).toMatchObject({ async: true, startLine: 14, endLine: 18 });
    expect(sym(r, 'Acme.Accounts.Ledger.Entry.Amount').className).toBe('Entry');
    expect(sym(r, 'Acme.Accounts.IAuditor')).toMatchObject({ kind: 'interface', bases: ['IDisposable'] });
    expect(sym(r, 'Acme.Accounts.Money').kind).toBe('struct');
    expect(sym(r, 'Acme.Accounts.Currency').kind).toBe('enum');
    expect(callsNamed(r, 'LoadAsync')[0]).toMatchObject({ line: 16, container: 'Acme.Accounts.Ledger.BalanceAsync' });
    expect(callsNamed(r, 'Ledger')[0]).toMatchObject({ container: 'Acme.Accounts.Ledger.Empty' });
  });
});

describe('cpp', () => {
  it('indexes classes, structs, inline and out-of-line methods, templates', async () => {
    const r = await parseFixture('cpp/matrix.cpp');
    expect(sym(r, 'linalg.Matrix')).toMatchObject({ kind: 'class', bases: ['Base', 'NonCopyable'], doc: 'A dense matrix.' });
    expect(sym(r, 'linalg.Matrix.rows')).toMatchObject({ kind: 'method', className: 'Matrix', signature: 'int rows() const' });
    expect(sym(r, 'linalg.Matrix.data').kind).toBe('method');
    expect(sym(r, 'linalg.Matrix.identity')).toMatchObject({ kind: 'method', className: 'Matrix', startLine: 23, endLine: 27 });
    expect(sym(r, 'linalg.Shape.square')).toMatchObject({ kind: 'method', className: 'Shape' });
    expect(sym(r, 'linalg.multiply')).toMatchObject({ kind: 'function', doc: 'Multiplies two matrices.' });
    expect(sym(r, 'linalg.clamp').kind).toBe('function');
    expect(callsNamed(r, 'gemm')[0]).toMatchObject({ line: 31, container: 'linalg.multiply' });
    expect(callsNamed(r, 'clamp')[0]).toMatchObject({ line: 41, container: 'main' });
  });
});

describe('robustness', () => {
  it('survives empty, comment-only and garbage input', async () => {
    expect((await parseSource('python', '', 'e.py')).symbols).toEqual([]);
    expect((await parseSource('javascript', '// nothing\n', 'c.js')).lines).toBe(1);
    const g = await parseSource('typescript', '}}}{{{ class ;; function (', 'g.ts');
    expect(g.hasErrors).toBe(true);
    expect(g.errorLines!.length).toBeGreaterThan(0);
  });

  it('reports columns in UTF-16 units after non-ASCII text', async () => {
    const r = await parseSource('python', 'x = "héllo😀"; f()\n', 'u.py');
    expect(r.calls[0]).toMatchObject({ name: 'f', line: 1, column: 16 });
  });
});
