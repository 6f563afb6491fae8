// Incremental re-parsing from a kept tree must give exactly the record a fresh parse gives, whatever
// the edit: insertions, deletions, replacements across definitions, non-ASCII text, broken syntax.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editBetween, LiveTrees } from '../../src/core/index/live-trees';
import { parseSource } from '../../src/core/index/parse';
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
        expect(got.incremental).toBe(true);
        if (got.region) regions++;
        expect(got.record, `after editing ${prev.length} -> ${next.length} chars`).toEqual(await parseSource(lang, next, rel));
        prev = next;
      }
      // many line edits land inside a definition and take the short path (not in the broken file)
      if (!rel.includes('broken')) expect(regions).toBeGreaterThan(all.length / 5);
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
