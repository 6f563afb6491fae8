// "Did you mean": nearest names by case, separators, edit distance and containment.

/**
 * Edit distance with adjacent transpositions (optimal string alignment: `Crat` -> `Cart` is 1),
 * giving up (returning max+1) once it must exceed `max`.
 */
const rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  if (rows[0].length <= b.length) for (let r = 0; r < 3; r++) rows[r] = new Int32Array(b.length + 32);
  let [prev2, prev, cur] = rows;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  const d = prev[b.length];
  rows[0] = prev2;
  rows[1] = prev;
  rows[2] = cur;
  return d;
}

const BUCKETS = 37;
/** Adds the characters of lower-cased `s` into `out[at..at+BUCKETS)`: a-z, 0-9, then everything else. */
function countChars(s: string, out: Uint8Array, at: number): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const b = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : 36;
    if (out[at + b] < 255) out[at + b]++;
  }
}

const squash = (s: string) => s.toLowerCase().replace(/[_\-$]/g, '');

/**
 * Names prepared once for many "did you mean" queries (the index's tens of thousands of callables):
 * lower-cased and squashed forms are kept, so a query allocates nothing per name.
 */
export class NamePool {
  private readonly names: string[];
  private readonly lower: string[];
  private readonly squashed: string[];
  /** Per name, its letters/digits/other counted in BUCKETS slots: a bound that spares most edit distances. */
  private readonly counts: Uint8Array;
  constructor(names: Iterable<string>) {
    this.names = [...names];
    this.lower = this.names.map((n) => n.toLowerCase());
    this.squashed = this.names.map(squash);
    this.counts = new Uint8Array(this.names.length * BUCKETS);
    this.lower.forEach((n, k) => countChars(n, this.counts, k * BUCKETS));
  }

  /** Up to `limit` names closest to `query`, best first; empty when nothing is near. */
  closest(query: string, limit = 5): string[] {
    const q = query.toLowerCase();
    const qs = squash(query);
    const maxD = q.length <= 3 ? 1 : q.length <= 8 ? 2 : Math.floor(q.length / 3);
    const qCounts = new Uint8Array(BUCKETS);
    countChars(q, qCounts, 0);
    const scored: { name: string; score: number }[] = [];
    for (let k = 0; k < this.names.length; k++) {
      const name = this.names[k];
      if (name === query) continue;
      const n = this.lower[k];
      const lenDiff = Math.abs(n.length - q.length);
      let score: number;
      if (n === q) score = 0;
      else if (lenDiff <= maxD + 2 && this.squashed[k] === qs) score = 0.5;
      else {
        let d = maxD + 1;
        if (lenDiff <= maxD) {
          // an edit changes the counts by at most 2 (a substitution), so half their difference bounds the distance
          let diff = 0;
          for (let b = 0, o = k * BUCKETS; b < BUCKETS; b++) diff += Math.abs(qCounts[b] - this.counts[o + b]);
          if (diff <= 2 * maxD) d = editDistance(q, n, maxD);
        }
        if (d <= maxD) score = d;
        else if (q.length >= 4 && n.length >= 4 && (n.includes(q) || q.includes(n))) score = maxD + 0.5 + lenDiff / 100;
        else continue;
      }
      scored.push({ name, score });
    }
    scored.sort((a, b) => a.score - b.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
    return scored.slice(0, limit).map((s) => s.name);
  }
}

/** Up to `limit` names from `pool` closest to `query`, best first; empty when nothing is near. */
export function closestNames(query: string, pool: Iterable<string> | NamePool, limit = 5): string[] {
  return (pool instanceof NamePool ? pool : new NamePool(pool)).closest(query, limit);
}
