// Literal text search over the indexed files, ripgrep-style: texts stay in memory (the index keeps
// them), and each file carries a trigram Bloom filter per 2,048-character chunk so a query only
// scans the chunks that can contain it. A match starting in chunk c lies within chunks c and c+1
// (patterns up to one chunk long), so a chunk is a candidate when every trigram of the pattern is
// in the union of its own and the next chunk's filter. Longer patterns and patterns under three
// characters scan whole files.
import type { FileRecord } from '../index/types';
import { fileLines, lineOfOffset, newlineOffsets, type LineView } from './source-lines';

const CHUNK = 2048;
const CHUNK_BITS = 8192; // 4 bits per character: ~15% false positives per trigram, far fewer per pattern
const WORDS = CHUNK_BITS >>> 5;
const BIT_MASK = CHUNK_BITS - 1;

function trigramHash(a: number, b: number, c: number): number {
  let x = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  return x ^ (x >>> 12);
}

interface FileText {
  rec: FileRecord;
  text: string;
  bloom?: Int32Array;
  newlines?: Int32Array;
}

/**
 * How many chunks have each filter bit set, over every filter built so far. Only used to test a
 * pattern's rarest bits first (so most chunks are rejected on the first probe); staleness after
 * edits only affects that order, never the result.
 */
const bitFrequency = new Float64Array(CHUNK_BITS);

function countBits(bits: Int32Array): void {
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w];
    const base = (w % WORDS) << 5;
    while (v !== 0) {
      const low = v & -v;
      bitFrequency[base + (31 - Math.clz32(low))]++;
      v ^= low;
    }
  }
}

function buildBloom(text: string): Int32Array {
  const chunks = Math.max(1, Math.ceil(text.length / CHUNK));
  const bits = new Int32Array(chunks * WORDS);
  const n = text.length;
  if (n < 3) return bits;
  let a = text.charCodeAt(0);
  let b = text.charCodeAt(1);
  for (let i = 0; i + 2 < n; i++) {
    const c = text.charCodeAt(i + 2);
    const h = trigramHash(a, b, c);
    const base = ((i / CHUNK) | 0) * WORDS;
    const p1 = h & BIT_MASK;
    const p2 = (h >>> 13) & BIT_MASK;
    bits[base + (p1 >>> 5)] |= 1 << (p1 & 31);
    bits[base + (p2 >>> 5)] |= 1 << (p2 & 31);
    a = b;
    b = c;
  }
  countBits(bits);
  return bits;
}

function probesFor(pattern: string): Int32Array {
  const bits = new Set<number>();
  for (let i = 0; i + 2 < pattern.length; i++) {
    const h = trigramHash(pattern.charCodeAt(i), pattern.charCodeAt(i + 1), pattern.charCodeAt(i + 2));
    bits.add(h & BIT_MASK);
    bits.add((h >>> 13) & BIT_MASK);
  }
  return Int32Array.from([...bits].sort((x, y) => bitFrequency[x] - bitFrequency[y]));
}

export interface TextMatch {
  rec: FileRecord;
  text: string;
  /** Character offset of the match. */
  offset: number;
  /** The file's newline offsets (shared, for line lookups). */
  newlines: Int32Array;
  startLine: number;
  endLine: number;
}

export interface TextSearchResult {
  matches: TextMatch[];
  /** true when the scan stopped collecting at `maxMatches`; more matches may exist. */
  capped: boolean;
  /** With `countRest`: the matches after the first `maxMatches`, counted per file in scan order. */
  rest?: Map<string, number>;
  /** Files whose text could not be read. */
  unreadable: string[];
}

export class TextCorpus {
  private byPath = new Map<string, FileText>();

  /** Texts come from `read` (the index's readText); entries are reused while the record is the same object. */
  constructor(private readonly read: (rel: string) => string | undefined) {}

  private entry(rec: FileRecord): FileText | undefined {
    const cur = this.byPath.get(rec.path);
    if (cur && cur.rec === rec) return cur;
    const text = this.read(rec.path);
    if (text === undefined) {
      this.byPath.delete(rec.path);
      return undefined;
    }
    const e: FileText = { rec, text };
    this.byPath.set(rec.path, e);
    return e;
  }

  /** Drops entries of files no longer in `records` (call after the index changed). */
  prune(records: readonly FileRecord[]): void {
    if (this.byPath.size <= records.length) {
      const live = new Set(records.map((r) => r.path));
      for (const k of this.byPath.keys()) if (!live.has(k)) this.byPath.delete(k);
    } else {
      const live = new Map(records.map((r) => [r.path, r] as const));
      for (const k of this.byPath.keys()) if (!live.has(k)) this.byPath.delete(k);
    }
  }

  /** Reads every file and builds its filter now, so the first search is not the slow one. */
  warm(records: readonly FileRecord[]): void {
    for (const r of records) {
      const e = this.entry(r);
      if (e && !e.bloom) e.bloom = buildBloom(e.text);
      if (e && !e.newlines) e.newlines = newlineOffsets(e.text);
    }
  }

  textOf(rec: FileRecord): string | undefined {
    return this.entry(rec)?.text;
  }

  /** The file's lines, sharing this corpus's newline table. */
  view(rec: FileRecord): LineView | undefined {
    const e = this.entry(rec);
    if (!e) return undefined;
    e.newlines ??= newlineOffsets(e.text);
    return fileLines(rec, e.text, e.newlines);
  }

  /**
   * Every literal occurrence of `pattern` in `records` (in that order), up to `maxMatches`; with
   * `countRest` the scan goes on past the cap, counting what it no longer collects.
   */
  search(pattern: string, records: readonly FileRecord[], maxMatches = Infinity, countRest = false): TextSearchResult {
    const matches: TextMatch[] = [];
    let rest: Map<string, number> | undefined;
    const { stopped, unreadable } = this.scan(pattern, records, (e, offset) => {
      if (rest) {
        rest.set(e.rec.path, (rest.get(e.rec.path) ?? 0) + 1);
        return false;
      }
      e.newlines ??= newlineOffsets(e.text);
      const startLine = lineOfOffset(e.newlines, offset);
      const endLine = pattern.includes('\n') ? lineOfOffset(e.newlines, offset + pattern.length - 1) : startLine;
      matches.push({ rec: e.rec, text: e.text, offset, newlines: e.newlines, startLine, endLine });
      if (matches.length < maxMatches) return false;
      if (!countRest) return true;
      rest = new Map();
      return false;
    });
    if (rest) return { matches, capped: rest.size > 0, rest, unreadable };
    return { matches, capped: stopped, unreadable };
  }

  /** Calls `visit` for each non-overlapping occurrence, file by file, until it returns true. */
  private scan(pattern: string, records: readonly FileRecord[], visit: (e: FileText, offset: number) => boolean): { stopped: boolean; unreadable: string[] } {
    const unreadable: string[] = [];
    if (pattern === '') return { stopped: false, unreadable };
    const useBloom = pattern.length >= 3 && pattern.length <= CHUNK;
    const probes = useBloom ? probesFor(pattern) : undefined;
    const np = probes ? probes.length : 0;
    for (const rec of records) {
      const e = this.entry(rec);
      if (!e) {
        unreadable.push(rec.path);
        continue;
      }
      const text = e.text;
      if (text.length < pattern.length) continue;
      if (!probes) {
        for (let i = text.indexOf(pattern); i >= 0; i = text.indexOf(pattern, i + Math.max(1, pattern.length))) {
          if (visit(e, i)) return { stopped: true, unreadable };
        }
        continue;
      }
      const bloom = (e.bloom ??= buildBloom(text));
      const chunks = bloom.length / WORDS;
      // the next occurrence at or after the current chunk, once looked for: found by indexOf on the
      // whole text (no chunk copies), and reused by the next candidate chunk it falls in
      let next = -2; // -2: not looked for yet, -1: none left in this file
      for (let c = 0; c < chunks && next !== -1; c++) {
        const base = c * WORDS;
        const nextBase = c + 1 < chunks ? base + WORDS : -1;
        let ok = true;
        for (let k = 0; k < np; k++) {
          const p = probes[k];
          const w = p >>> 5;
          const bit = 1 << (p & 31);
          if ((bloom[base + w] & bit) === 0 && (nextBase < 0 || (bloom[nextBase + w] & bit) === 0)) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        const start = c * CHUNK;
        const stop = (c + 1) * CHUNK; // exclusive bound on a match's start
        // a match starting in a chunk always makes that chunk a candidate, so `next` is never
        // behind this chunk unless it was never looked for
        if (next < start) next = text.indexOf(pattern, start);
        while (next >= 0 && next < stop) {
          if (visit(e, next)) return { stopped: true, unreadable };
          next = text.indexOf(pattern, next + pattern.length); // matches do not overlap
        }
      }
    }
    return { stopped: false, unreadable };
  }
}
