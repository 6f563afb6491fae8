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

const squash = (s: string) => s.toLowerCase().replace(/[_\-$]/g, '');

/** Up to `limit` names from `pool` closest to `query`, best first; empty when nothing is near. */
export function closestNames(query: string, pool: Iterable<string>, limit = 5): string[] {
  const q = query.toLowerCase();
  const qs = squash(query);
  const maxD = q.length <= 3 ? 1 : q.length <= 8 ? 2 : Math.floor(q.length / 3);
  const scored: { name: string; score: number }[] = [];
  for (const name of pool) {
    if (name === query) continue;
    const n = name.toLowerCase();
    let score: number;
    if (n === q) score = 0;
    else if (n.length - q.length > maxD + 2 || q.length - n.length > maxD + 2 ? false : squash(name) === qs) score = 0.5;
    else {
      const d = editDistance(q, n, maxD);
      if (d <= maxD) score = d;
      else if (q.length >= 4 && n.length >= 4 && (n.includes(q) || q.includes(n))) score = maxD + 0.5 + Math.abs(n.length - q.length) / 100;
      else continue;
    }
    scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.name);
}
