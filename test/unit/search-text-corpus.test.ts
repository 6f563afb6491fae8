// The chunked trigram filter must never change what search_code finds: every literal match, in file
// order, not overlapping, wherever it sits against the 2,048-character chunk boundaries.
import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../src/core/index/types';
import { TextCorpus } from '../../src/core/search/text-corpus';

function record(path: string, text: string): FileRecord {
  return { path, lang: 'python', size: text.length, mtimeMs: 0, symbols: [], calls: [], hasErrors: false, lines: text.split('\n').length };
}

/** Non-overlapping occurrences, the way a plain left-to-right scan finds them. */
function naive(text: string, pattern: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(pattern); i >= 0; i = text.indexOf(pattern, i + pattern.length)) out.push(i);
  return out;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 0x100000000);
}

describe('TextCorpus.search (chunked trigram filter)', () => {
  const rand = rng(42);
  const words = ['return', 'self', 'x', 'value', ' = ', '(', ')', '\n', '    ', 'def ', 'cons', '[', ']', ', ', 'None', '#', 'é'];
  const byPath = new Map<string, string>();
  for (let k = 0; k < 12; k++) {
    let t = '';
    const len = 500 + Math.floor(rand() * 9000); // from under one chunk to several
    while (t.length < len) t += words[Math.floor(rand() * words.length)];
    byPath.set(`f${k}.py`, t);
  }
  const files = [...byPath].map(([path, text]) => record(path, text));
  const corpus = new TextCorpus((rel) => byPath.get(rel));

  it('finds exactly what a plain scan finds, for patterns common and rare, short and long', () => {
    const patterns = ['return x', 'cons = [', 'self', 'x', 'xx', '    def ', 'None, None', 'value)\n    ', '# é', 'not there at all'];
    // patterns cut from the texts themselves, across chunk boundaries too
    for (const f of files) {
      const t = byPath.get(f.path)!;
      for (const at of [2040, 2047, 4090, Math.floor(t.length / 2)]) if (at + 30 < t.length) patterns.push(t.slice(at, at + 5 + (at % 25)));
    }
    for (const p of patterns) {
      const got = corpus.search(p, files);
      const want = files.flatMap((f) => naive(byPath.get(f.path)!, p).map((o) => `${f.path}:${o}`));
      expect(got.matches.map((m) => `${m.rec.path}:${m.offset}`), JSON.stringify(p)).toEqual(want);
      expect(got.capped).toBe(false);
    }
  });

  it('past the cap, counts per file what it no longer collects', () => {
    for (const p of ['self', 'return x', 'x', 'not there at all']) {
      const want = new Map<string, number>();
      for (const f of files) {
        const n = naive(byPath.get(f.path)!, p).length;
        if (n) want.set(f.path, n);
      }
      const got = corpus.search(p, files, 3, true);
      const seen = new Map<string, number>();
      for (const m of got.matches) seen.set(m.rec.path, (seen.get(m.rec.path) ?? 0) + 1);
      for (const [f, n] of got.rest ?? []) seen.set(f, (seen.get(f) ?? 0) + n);
      expect([...seen], p).toEqual([...want]);
      expect(got.capped, p).toBe([...want.values()].reduce((s, n) => s + n, 0) > 3);
    }
  });

  it('stops at maxMatches and says it did', () => {
    const all = files.flatMap((f) => naive(byPath.get(f.path)!, 'self'));
    const got = corpus.search('self', files, 5);
    expect(all.length).toBeGreaterThan(5);
    expect(got.matches).toHaveLength(5);
    expect(got.capped).toBe(true);
  });
});
