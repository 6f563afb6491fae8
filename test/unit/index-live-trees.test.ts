// Incremental re-parsing from a kept tree must give exactly the record a fresh parse gives, whatever
// the edit: insertions, deletions, replacements across definitions, non-ASCII text, broken syntax.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editBetween, LiveTrees } from '../../src/core/index/live-trees';
import { parseSource } from '../../src/core/index/parse-source';
import type { Lang } from '../../src/core/index/types';

const FIX = join(__dirname, '..', 'fixtures', 'lang');
const live: LiveTrees[] = [];
afterEach(() => {
  for (const l of live.splice(0)) l.clear();
});

function trees(maxFiles?: number, maxChars?: number): LiveTrees {
  const t = new LiveTrees(maxFiles, maxChars);
  live.push(t);
  return t;
}

// deterministic edits spread over the file: insert, delete and replace at several places, and
// line-level edits (what a save usually holds) at many lines
function edits(text: string, lineComment: string): string[] {
  const at = (f: number) => Math.floor(text.length * f);
  const out: string[] = [];
  for (const f of [0, 0.13, 0.37, 0.5, 0.81, 1]) {
    const i = at(f);
    out.push(text.slice(0, i) + '\n' + lineComment + ' inserted 🙂 é\n' + text.slice(i));
    out.push(text.slice(0, i) + text.slice(Math.min(text.length, i + 40)));
    out.push(text.slice(0, i) + 'def added_fn(x):\n    return helper(x)\n' + text.slice(Math.min(text.length, i + 7)));
  }
  const lines = text.split('\n');
  for (let n = 1; n < lines.length; n += Math.max(3, Math.floor(lines.length / 60))) {
    const indent = lines[n].match(/^\s*/)![0];
    const withLine = [...lines.slice(0, n), `${indent}${lineComment} note`, ...lines.slice(n)];
    out.push(withLine.join('\n'));
    const changed = [...lines];
    changed[n] = changed[n].replace(/\b([a-z_]\w*)\(/, 'renamed_$1(');
    out.push(changed.join('\n'));
    out.push([...lines.slice(0, n), ...lines.slice(n + 1)].join('\n'));
    out.push([...lines.slice(0, n), `${indent}call_added(1)`, ...lines.slice(n)].join('\n'));
  }
  return out;
}

const cases: [Lang, string, string][] = [
  ['python', join(FIX, 'python/shapes.py'), '#'],
  ['python', join(FIX, 'python/broken.py'), '#'],
  ['python', join(__dirname, '..', 'fixtures', 'py-inventory', 'inventory', 'pricing.py'), '#'],
  ['typescript', join(FIX, 'typescript/store.ts'), '//'],
  // a large real file of our own
  ['typescript', join(__dirname, '..', '..', 'src', 'core', 'index', 'extract.ts'), '//'],
];

describe('LiveTrees', () => {
  for (const [lang, file, comment] of cases) {
    const rel = file.split('/').slice(-2).join('/');
    it(`re-parses ${rel} incrementally to the same record as a full parse`, async () => {
      const base = readFileSync(file, 'utf8');
      const t = trees();
      let prev = base;
      let regions = 0;
      expect((await t.parse(rel, lang, base)).incremental).toBe(false);
      const all = edits(base, comment);
      for (const next of [...all, base]) {
        const got = await t.parse(rel, lang, next);
        // a file with syntax errors is parsed afresh (error recovery from an old tree can differ)
        if (!got.record.hasErrors) expect(got.incremental).toBe(true);
        if (got.region) regions++;
        expect(got.record, `after editing ${prev.length} -> ${next.length} chars`).toEqual(await parseSource(lang, next, rel));
        prev = next;
      }
      // many line edits land inside a definition and take the short path (not in the broken file)
      if (!rel.includes("broken")) expect(regions).toBeGreaterThan(all.length / 10);
    });
  }

  // symbols sharing a line with the edited one, re-nesting, CRLF, decorators, end of file
  const tricky: [string, Lang, string, string][] = [
    ['a class and its method on one line (TS)', 'typescript', 'class A { m() {\n  x();\n}\n  n() {}\n}\n', 'class A { m() {\n  y();\n}\n  n() {}\n}\n'],
    ['a function starting on the last line of another (JS)', 'javascript', 'function f() {\n  a();\n} function g() {\n  b();\n}\n', 'function f() {\n  c();\n} function g() {\n  b();\n}\n'],
    ['a class and its method on one line (Java)', 'java', 'class A { void m() {\n  a();\n}\n void n() {} }\n', 'class A { void m() {\n  b();\n}\n void n() {} }\n'],
    ['a def indented into the one above (Python)', 'python', 'def f():\n    a()\n\ndef g():\n    b()\n', 'def f():\n    a()\n\n    def g():\n        b()\n'],
    ['the last method of a class', 'python', 'class A:\n    def f(self):\n        return 1\n    def g(self):\n        x()\n', 'class A:\n    def f(self):\n        return 1\n    def g(self):\n        x()\n        y()\n'],
    ['CRLF line ends', 'python', 'class A:\r\n    def f(self):\r\n        return 1\r\n\r\n    def g(self):\r\n        x()\r\n', 'class A:\r\n    def f(self):\r\n        return 2\r\n        y()\r\n\r\n    def g(self):\r\n        x()\r\n'],
    ['a decorator added', 'python', 'class A:\n    def f(self):\n        return 1\n', 'class A:\n    @dec\n    def f(self):\n        return 1\n'],
    ['an edit at the end of a file without a final newline', 'python', 'def f():\n    return 1', 'def f():\n    return 1\n    g()'],
  ];
  for (const [name, lang, a, b] of tricky) {
    it(`handles ${name}`, async () => {
      const t = trees();
      await t.parse('f', lang, a);
      expect((await t.parse('f', lang, b)).record).toEqual(await parseSource(lang, b, 'f'));
      expect((await t.parse('f', lang, a)).record).toEqual(await parseSource(lang, a, 'f'));
    });
  }

  it('sees a definition added and removed by later saves', async () => {
    const t = trees();
    const a = 'def one():\n    return 1\n';
    const b = a + '\nasync def two():\n    return await one()\n';
    expect((await t.parse('m.py', 'python', a)).record.symbols.map((s) => s.name)).toEqual(['one']);
    const r = (await t.parse('m.py', 'python', b)).record;
    expect(r.symbols.map((s) => [s.name, s.async ?? false, s.startLine])).toEqual([
      ['one', false, 1],
      ['two', true, 4],
    ]);
    expect(r.calls).toEqual([{ name: 'one', line: 5, column: 18, container: 'two' }]);
    expect((await t.parse('m.py', 'python', a)).record.symbols.map((s) => s.name)).toEqual(['one']);
  });

  it('keeps at most maxFiles trees, dropping the least recently used', async () => {
    const t = trees(2);
    await t.parse('a.py', 'python', 'def a(): pass\n');
    await t.parse('b.py', 'python', 'def b(): pass\n');
    await t.parse('a.py', 'python', 'def a2(): pass\n');
    await t.parse('c.py', 'python', 'def c(): pass\n');
    expect([t.has('a.py'), t.has('b.py'), t.has('c.py')]).toEqual([true, false, true]);
    expect((await t.parse('b.py', 'python', 'def b(): pass\n')).incremental).toBe(false);
  });

  it('does not keep a file larger than the memory cap', async () => {
    const t = trees(8, 100);
    const big = 'def f():\n    return 1\n'.repeat(10);
    expect((await t.parse('big.py', 'python', big)).record.symbols).toHaveLength(10);
    expect(t.has('big.py')).toBe(false);
  });

  it('parses a file again from scratch when its language changed', async () => {
    const t = trees();
    await t.parse('x', 'python', 'def f(): pass\n');
    const r = await t.parse('x', 'javascript', 'function g() { return 1 }\n');
    expect(r.incremental).toBe(false);
    expect(r.record.symbols.map((s) => s.name)).toEqual(['g']);
  });
});

describe('editBetween', () => {
  it('spans exactly the changed text, in UTF-16 units with rows and columns', () => {
    expect(editBetween('ab\ncd\nef', 'ab\ncXd\nef')).toEqual({
      startIndex: 4,
      oldEndIndex: 4,
      newEndIndex: 5,
      startPosition: { row: 1, column: 1 },
      oldEndPosition: { row: 1, column: 1 },
      newEndPosition: { row: 1, column: 2 },
    });
    expect(editBetween('same', 'same')).toMatchObject({ startIndex: 4, oldEndIndex: 4, newEndIndex: 4 });
  });

  it('never splits a surrogate pair', () => {
    // 😀 and 😃 share their high surrogate
    const e = editBetween('x😀y', 'x😃y');
    expect([e.startIndex, e.oldEndIndex, e.newEndIndex]).toEqual([1, 3, 3]);
  });
});
