// Finding where a SEARCH text sits in a file, from strict to lenient: exact lines → whitespace-
// normalized (trailing blanks, blank lines) → indentation-relative (same shape, other base indent;
// the replacement is re-indented) → fuzzy (line-window similarity above a threshold). Every tier
// demands one match: applying an edit to the wrong one of two look-alike places is worse than asking.

export type MatchStrategy = 'exact' | 'whitespace' | 'indentation' | 'fuzzy';

export interface MatchFound {
  ok: true;
  strategy: MatchStrategy;
  /** 0-based, end exclusive. */
  start: number;
  end: number;
  /** Replacement lines, re-indented where the strategy needed it. */
  replacement: string[];
  /** Similarity for fuzzy matches (1 otherwise). */
  score: number;
}

export interface MatchFailed {
  ok: false;
  reason: 'ambiguous' | 'not-found';
  message: string;
  /** 1-based start lines of the competing matches (ambiguous). */
  places?: number[];
  /** Closest region (1-based, inclusive) and its similarity (not-found). */
  closest?: { startLine: number; endLine: number; score: number };
}

export type MatchResult = MatchFound | MatchFailed;

export interface MatchOptions {
  /** Similarity a fuzzy window needs (0..1). Default 0.85. */
  fuzzyThreshold?: number;
}

export const DEFAULT_FUZZY_THRESHOLD = 0.85;
export const MAX_FUZZY_LINES = 400;

const isBlank = (s: string) => s.trim() === '';
const indentOf = (s: string) => /^[ \t]*/.exec(s)![0];

export function locate(file: string[], search: string[], replace: string[], opts: MatchOptions = {}): MatchResult {
  const threshold = opts.fuzzyThreshold ?? DEFAULT_FUZZY_THRESHOLD;
  const exact = findExact(file, search);
  if (exact.length === 1) return found('exact', exact[0], exact[0] + search.length, replace, 1);
  if (exact.length > 1) return ambiguous(exact, 'exactly');

  const sig = search.map((l, k) => ({ l, k })).filter((x) => !isBlank(x.l));
  if (sig.length === 0) return { ok: false, reason: 'not-found', message: 'The SEARCH part has no non-blank line to look for.' };

  const ws = findNormalized(file, sig.map((x) => x.l.trimEnd()), (a, b) => a.trimEnd() === b);
  if (ws.length === 1) return found('whitespace', ws[0].start, ws[0].end, replace, 1);
  if (ws.length > 1) return ambiguous(ws.map((r) => r.start), 'ignoring trailing whitespace and blank lines');

  // Models copying from a search result often lose the first line's indentation (`def f(self):` at
  // column 0, the body at its real depth). Try the first line at each depth it has in the file.
  const first = sig[0].l;
  if (indentOf(first) === '' && sig.slice(1).some((x) => indentOf(x.l) !== '')) {
    const depths = new Set(file.filter((l) => l.trim() === first.trim() && indentOf(l) !== '').map(indentOf));
    const hits: (Region & { indent: string })[] = [];
    for (const d of depths) {
      const repaired = [d + first.trimEnd(), ...sig.slice(1).map((x) => x.l.trimEnd())];
      for (const r of findNormalized(file, repaired, (a, b) => a.trimEnd() === b)) hits.push({ ...r, indent: d });
    }
    if (hits.length === 1) return found('whitespace', hits[0].start, hits[0].end, indentFirst(replace, hits[0].indent), 1);
    if (hits.length > 1) return ambiguous(hits.map((r) => r.start).sort((a, b) => a - b), 'ignoring the first line\'s indentation');
  }

  const ind = findIndentRelative(file, sig.map((x) => x.l));
  if (ind.length === 1) {
    const r = ind[0];
    return found('indentation', r.start, r.end, reindent(replace, indentOf(sig[0].l), indentOf(file[r.start])), 1);
  }
  if (ind.length > 1) return ambiguous(ind.map((r) => r.start), 'with a different indentation');

  // similarity scoring is quadratic in the block's length: a block this long must match as written
  if (sig.length > MAX_FUZZY_LINES) {
    return { ok: false, reason: 'not-found', message: `The SEARCH text (${sig.length} lines) was not found as written, and blocks over ${MAX_FUZZY_LINES} lines are not matched approximately. Quote fewer lines, exactly as they are.` };
  }
  return fuzzy(file, sig.map((x) => x.l), replace, threshold);
}

function found(strategy: MatchStrategy, start: number, end: number, replacement: string[], score: number): MatchFound {
  return { ok: true, strategy, start, end, replacement, score };
}

function ambiguous(starts: number[], how: string): MatchFailed {
  const lines = starts.map((s) => s + 1);
  return {
    ok: false,
    reason: 'ambiguous',
    places: lines,
    message: `The SEARCH text matched ${lines.length} places (${how}) at lines ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', …' : ''}: add surrounding lines so it matches only one.`,
  };
}

function findExact(file: string[], search: string[]): number[] {
  const out: number[] = [];
  if (search.length === 0) return out;
  for (let i = 0; i + search.length <= file.length; i++) {
    let k = 0;
    while (k < search.length && file[i + k] === search[k]) k++;
    if (k === search.length) out.push(i);
  }
  return out;
}

interface Region {
  start: number;
  end: number;
}

/** Matches the non-blank search lines against non-blank file lines in order, blank file lines skipped. */
function findNormalized(file: string[], sig: string[], eq: (fileLine: string, searchLine: string) => boolean): Region[] {
  const out: Region[] = [];
  for (let i = 0; i < file.length; i++) {
    if (isBlank(file[i]) || !eq(file[i], sig[0])) continue;
    let j = i;
    let k = 0;
    let last = i;
    while (k < sig.length && j < file.length) {
      if (isBlank(file[j])) {
        j++;
        continue;
      }
      if (!eq(file[j], sig[k])) break;
      last = j;
      k++;
      j++;
    }
    if (k === sig.length) out.push({ start: i, end: last + 1 });
  }
  return out;
}

function findIndentRelative(file: string[], sig: string[]): Region[] {
  const base = indentOf(sig[0]).length;
  const rel = sig.map((l) => ({ delta: indentOf(l).length - base, body: l.trim() }));
  const out: Region[] = [];
  for (let i = 0; i < file.length; i++) {
    if (isBlank(file[i]) || file[i].trim() !== rel[0].body) continue;
    const fBase = indentOf(file[i]).length;
    let j = i;
    let k = 0;
    let last = i;
    while (k < rel.length && j < file.length) {
      if (isBlank(file[j])) {
        j++;
        continue;
      }
      const f = file[j];
      if (f.trim() !== rel[k].body || indentOf(f).length - fBase !== rel[k].delta) break;
      last = j;
      k++;
      j++;
    }
    if (k === rel.length) out.push({ start: i, end: last + 1 });
  }
  return out;
}

/** Moves the replacement from the search's base indentation to the file's. */
export function reindent(lines: string[], fromIndent: string, toIndent: string): string[] {
  if (fromIndent === toIndent) return lines;
  return lines.map((l) => {
    if (isBlank(l)) return l;
    const ind = indentOf(l);
    if (ind.startsWith(fromIndent)) return toIndent + l.slice(fromIndent.length);
    // Less indented than the search's first line: shift by the same amount, never below zero.
    const shift = toIndent.length - fromIndent.length;
    const width = Math.max(0, ind.length + shift);
    const unit = toIndent.includes('\t') ? '\t' : ' ';
    return unit.repeat(width) + l.slice(ind.length);
  });
}

/** Gives the first non-blank replacement line the file's indentation when the model wrote it at column 0. */
function indentFirst(replace: string[], indent: string): string[] {
  const k = replace.findIndex((l) => !isBlank(l));
  if (k < 0 || indentOf(replace[k]) !== '') return replace;
  // Several lines at column 0: the model wrote the whole replacement relative to the first line.
  if (replace.filter((l) => !isBlank(l) && indentOf(l) === '').length > 1) return replace.map((l) => (isBlank(l) ? l : indent + l));
  return replace.map((l, i) => (i === k ? indent + l : l));
}

function shiftBy(lines: string[], delta: number, unit: string): string[] {
  if (delta === 0) return lines;
  return lines.map((l) => {
    if (isBlank(l)) return l;
    const ind = indentOf(l);
    return delta > 0 ? unit.repeat(delta) + l : ind.slice(Math.min(ind.length, -delta)) + l.slice(ind.length);
  });
}

/**
 * Re-indents a fuzzy match's replacement by the indentation difference most lines agree on (lines
 * identical once trimmed), so one odd line (often a first line copied without its indentation) does
 * not shift the whole replacement.
 */
function fuzzyReindent(sig: string[], window: string[], replace: string[]): string[] {
  const byText = new Map<string, string>();
  for (const w of window) if (!isBlank(w) && !byText.has(w.trim())) byText.set(w.trim(), indentOf(w));
  const windowFirst = window.find((l) => !isBlank(l)) ?? '';
  const unit = indentOf(windowFirst).includes('\t') ? '\t' : ' ';
  // The first line at column 0 while the others are indented and the file's first line is not: the
  // other lines carry the real depth, the first line's indentation was lost in copying.
  const lostFirst = indentOf(sig[0]) === '' && indentOf(windowFirst) !== '' && sig.slice(1).some((l) => indentOf(l) !== '');
  const votes = new Map<number, number>();
  for (const l of lostFirst ? sig.slice(1) : sig) {
    const fi = byText.get(l.trim());
    if (fi === undefined) continue;
    const d = fi.length - indentOf(l).length;
    votes.set(d, (votes.get(d) ?? 0) + 1);
  }
  if (votes.size === 0 && !lostFirst) return reindent(replace, indentOf(sig[0]), indentOf(windowFirst));
  const delta = votes.size ? [...votes.entries()].sort((a, b) => b[1] - a[1] || Math.abs(a[0]) - Math.abs(b[0]))[0][0] : 0;
  let out = shiftBy(replace, delta, unit);
  if (lostFirst) out = indentFirst(shiftBy(replace, delta, unit), indentOf(windowFirst));
  return out;
}

// ---- fuzzy tier ----

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

function lineSim(a: string, b: string): number {
  if (a === b) return 1;
  const x = a.slice(0, 300);
  const y = b.slice(0, 300);
  const m = Math.max(x.length, y.length);
  return m === 0 ? 1 : 1 - levenshtein(x, y) / m;
}

/**
 * Similarity of two line lists (already trimmed, blank lines dropped): identical lines are aligned by
 * LCS, lines left in the gaps are paired in order and scored by edit distance; weighted by length.
 */
export function blockSimilarity(a: string[], b: string[]): number {
  const n = a.length;
  const m = b.length;
  const dp: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  let score = 0;
  let total = 0;
  for (const l of a) total += l.length + 1;
  for (const l of b) total += l.length + 1;
  let i = 0;
  let j = 0;
  const gapA: string[] = [];
  const gapB: string[] = [];
  const flush = () => {
    const k = Math.min(gapA.length, gapB.length);
    for (let t = 0; t < k; t++) score += lineSim(gapA[t], gapB[t]) * (gapA[t].length + gapB[t].length + 2);
    gapA.length = 0;
    gapB.length = 0;
  };
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      flush();
      score += 2 * (a[i].length + 1);
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) gapA.push(a[i++]);
    else gapB.push(b[j++]);
  }
  while (i < n) gapA.push(a[i++]);
  while (j < m) gapB.push(b[j++]);
  flush();
  return total === 0 ? 1 : score / total;
}

interface Scored extends Region {
  score: number;
}

function fuzzy(file: string[], sig: string[], replace: string[], threshold: number): MatchResult {
  const want = sig.map((l) => l.trim());
  const nonBlank: number[] = [];
  for (let i = 0; i < file.length; i++) if (!isBlank(file[i])) nonBlank.push(i);
  const trimmed = nonBlank.map((i) => file[i].trim());

  // Candidate window starts by anchor voting: a file line equal (or nearly) to search line k votes for
  // a window starting k non-blank lines earlier. Keeps the expensive scoring to a few windows.
  const votes = new Map<number, number>();
  const wantIndex = new Map<string, number[]>();
  want.forEach((l, k) => {
    if (l.length < 4) return; // `)` or `}` vote everywhere
    const arr = wantIndex.get(l) ?? [];
    arr.push(k);
    wantIndex.set(l, arr);
  });
  trimmed.forEach((l, p) => {
    for (const k of wantIndex.get(l) ?? []) {
      const s = p - k;
      for (const d of [-1, 0, 1]) if (s + d >= 0) votes.set(s + d, (votes.get(s + d) ?? 0) + (d === 0 ? 2 : 1));
    }
  });
  if (votes.size === 0 && want.length > 0) {
    // Nothing identical: fall back to lines similar to the first and last search lines.
    const first = want[0];
    const lastW = want[want.length - 1];
    trimmed.forEach((l, p) => {
      if (lineSim(l, first) >= 0.5) votes.set(p, (votes.get(p) ?? 0) + 1);
      if (lineSim(l, lastW) >= 0.5 && p - want.length + 1 >= 0) votes.set(p - want.length + 1, (votes.get(p - want.length + 1) ?? 0) + 1);
    });
  }
  const starts = [...votes.entries()].sort((x, y) => y[1] - x[1]).slice(0, 40).map(([s]) => s);
  const n = want.length;
  const scored: Scored[] = [];
  for (const s of starts) {
    let best: Scored | undefined;
    for (let len = Math.max(1, n - 2); len <= n + 2; len++) {
      if (s + len > trimmed.length) break;
      const sc = blockSimilarity(want, trimmed.slice(s, s + len));
      if (!best || sc > best.score) best = { start: nonBlank[s], end: nonBlank[s + len - 1] + 1, score: sc };
    }
    if (best) scored.push(best);
  }
  scored.sort((x, y) => y.score - x.score);
  const top = scored[0];
  if (!top) return { ok: false, reason: 'not-found', message: 'The SEARCH text was not found, and no similar region exists in the file.' };
  if (top.score < threshold) {
    return {
      ok: false,
      reason: 'not-found',
      closest: { startLine: top.start + 1, endLine: top.end, score: round(top.score) },
      message: `The SEARCH text was not found. The closest region is lines ${top.start + 1}-${top.end} (similarity ${round(top.score)}, below ${threshold}).`,
    };
  }
  // Another distinct region nearly as good means we cannot tell which one the model meant.
  const rival = scored.find((r) => (r.end <= top.start || r.start >= top.end) && r.score >= threshold && top.score - r.score < 0.05);
  if (rival) return ambiguous([top.start, rival.start].sort((a, b) => a - b), `fuzzily, similarity ${round(top.score)} and ${round(rival.score)}`);
  return found('fuzzy', top.start, top.end, fuzzyReindent(sig, file.slice(top.start, top.end), replace), round(top.score));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
