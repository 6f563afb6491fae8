// A unified diff cut into hunks that can be applied one at a time to a LIVE document. Hunks are found
// by their original text (context + removed lines), not by the diff's line numbers: the user may have
// edited the file above the hunk, or accepted an earlier hunk, since the patch was made.
import { parsePatch } from 'diff';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';

export interface PatchHunk {
  /** Stable id within its file, assigned in patch order (0-based). */
  id: number;
  oldStart: number;
  oldLineCount: number;
  newStart: number;
  oldLines: string[];
  newLines: string[];
  /** The hunk's last old/new line carries "\ No newline at end of file". */
  oldNoEol: boolean;
  newNoEol: boolean;
  /** Indexes into oldLines of the removed lines, and into newLines of the added ones (for decorations). */
  removed: number[];
  added: number[];
}

export interface PatchFile {
  /** Absolute path inside the workspace root. */
  file: string;
  /** Path relative to the root, forward slashes. */
  rel: string;
  isNew: boolean;
  isDeleted: boolean;
  hunks: PatchHunk[];
}

export class PatchParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchParseError';
  }
}

function stripPrefix(name: string | undefined): string | undefined {
  if (!name || name === '/dev/null') return undefined;
  const n = name.replace(/\t.*$/, '');
  return /^[ab]\//.test(n) ? n.slice(2) : n;
}

/** Resolves a patch path under root; refuses absolute paths and anything escaping the root. */
export function resolveUnderRoot(root: string, rel: string): string {
  if (isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new PatchParseError(`The patch names an absolute path (${rel}); Rover only edits files inside the workspace.`);
  const abs = normalize(join(root, rel));
  const back = relative(root, abs);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) throw new PatchParseError(`The patch names a path outside the workspace (${rel}).`);
  return abs;
}

export function parseReviewPatch(diffText: string, root: string): PatchFile[] {
  if (!diffText.trim()) throw new PatchParseError('The patch is empty.');
  let parsed;
  try {
    parsed = parsePatch(diffText);
  } catch (e) {
    throw new PatchParseError(`The patch cannot be read: ${(e as Error).message}`);
  }
  const out: PatchFile[] = [];
  for (const p of parsed) {
    const oldName = stripPrefix(p.oldFileName);
    const newName = stripPrefix(p.newFileName);
    const rel = newName ?? oldName;
    if (!rel) continue;
    const file = resolveUnderRoot(root, rel);
    const hunks: PatchHunk[] = p.hunks.map((h, id) => {
      const oldLines: string[] = [];
      const newLines: string[] = [];
      let oldNoEol = false;
      let newNoEol = false;
      let prev = ' ';
      const removed: number[] = [];
      const added: number[] = [];
      for (const line of h.lines) {
        const tag = line[0];
        if (tag === '\\') {
          if (prev === '-' || prev === ' ') oldNoEol = true;
          if (prev === '+' || prev === ' ') newNoEol = true;
          continue;
        }
        const text = line.slice(1);
        if (tag === '-') removed.push(oldLines.length);
        if (tag === '+') added.push(newLines.length);
        if (tag === ' ' || tag === '-') oldLines.push(text);
        if (tag === ' ' || tag === '+') newLines.push(text);
        prev = tag;
      }
      return { id, oldStart: h.oldStart, oldLineCount: h.oldLines, newStart: h.newStart, oldLines, newLines, oldNoEol, newNoEol, removed, added };
    });
    if (hunks.length === 0) continue;
    // a deletion is one decision: the whole file goes, or stays
    const decided = !newName && hunks.length > 1 ? [wholeFileDeletion(hunks)] : hunks;
    out.push({ file, rel: rel.split(sep).join('/'), isNew: !oldName, isDeleted: !newName, hunks: decided });
  }
  if (out.length === 0) throw new PatchParseError('The patch changes no file.');
  return out;
}

function wholeFileDeletion(hunks: PatchHunk[]): PatchHunk {
  const oldLines = hunks.flatMap((h) => h.oldLines);
  const last = hunks[hunks.length - 1];
  return { id: 0, oldStart: hunks[0].oldStart, oldLineCount: oldLines.length, newStart: 0, oldLines, newLines: [], oldNoEol: last.oldNoEol, newNoEol: false, removed: oldLines.map((_, i) => i), added: [] };
}

interface LineInfo {
  start: number; // offset of the line's first char
  end: number; // offset after the line's text (before its EOL)
  next: number; // offset of the next line (after the EOL)
  text: string;
}

export function splitLines(text: string): LineInfo[] {
  const lines: LineInfo[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) {
      lines.push({ start: pos, end: text.length, next: text.length, text: text.slice(pos) });
      break;
    }
    const end = nl > pos && text[nl - 1] === '\r' ? nl - 1 : nl;
    lines.push({ start: pos, end, next: nl + 1, text: text.slice(pos, end) });
    pos = nl + 1;
  }
  return lines;
}

export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

export interface HunkEdit {
  /** Offsets into the text the hunk was located in. */
  start: number;
  end: number;
  replacement: string;
  /** 0-based first line of the located old text. */
  line: number;
  lineCount: number;
  /** 1 for an exact match, the similarity for a fuzzy one. */
  similarity: number;
}

export type LocateResult =
  | { ok: true; edit: HunkEdit }
  | { ok: false; reason: 'changed'; best?: { line: number; similarity: number } };

function buildEdit(text: string, lines: LineInfo[], hunk: PatchHunk, at: number, similarity: number): HunkEdit {
  const eol = eolOf(text);
  const n = hunk.oldLines.length;
  if (n === 0) {
    const start = at < lines.length ? lines[at].start : text.length;
    const needsLeadingEol = at >= lines.length && text.length > 0 && !text.endsWith('\n');
    const body = hunk.newLines.join(eol) + (hunk.newNoEol ? '' : eol);
    return { start, end: start, replacement: (needsLeadingEol ? eol : '') + body, line: at, lineCount: 0, similarity };
  }
  const first = lines[at];
  const last = lines[at + n - 1];
  const spanHasEol = last.next > last.end;
  let replacement = hunk.newLines.join(eol);
  const atFileEnd = at + n === lines.length;
  const addEol = spanHasEol ? !(hunk.newNoEol && atFileEnd) : hunk.oldNoEol && !hunk.newNoEol;
  if (hunk.newLines.length > 0 && addEol) replacement += eol;
  return { start: first.start, end: last.next, replacement, line: at, lineCount: n, similarity };
}

function matchesAt(lines: LineInfo[], old: string[], at: number): boolean {
  for (let k = 0; k < old.length; k++) if (lines[at + k]?.text !== old[k]) return false;
  return true;
}

/**
 * Finds the hunk's original text in `text`. `expectedLine` (0-based) is where the diff's numbers say
 * it should be after earlier accepted hunks; among several exact matches the nearest one wins.
 */
export function locateHunk(text: string, hunk: PatchHunk, expectedLine: number): LocateResult {
  const lines = splitLines(text);
  const old = hunk.oldLines;
  if (old.length === 0) {
    const at = Math.max(0, Math.min(expectedLine, lines.length));
    return { ok: true, edit: buildEdit(text, lines, hunk, at, 1) };
  }
  let best = -1;
  for (let i = 0; i + old.length <= lines.length; i++) {
    if (lines[i].text !== old[0]) continue;
    if (!matchesAt(lines, old, i)) continue;
    if (best === -1 || Math.abs(i - expectedLine) < Math.abs(best - expectedLine)) best = i;
  }
  if (best >= 0) return { ok: true, edit: buildEdit(text, lines, hunk, best, 1) };
  const fuzzy = bestFuzzyWindow(lines, old, expectedLine);
  return { ok: false, reason: 'changed', best: fuzzy ? { line: fuzzy.line, similarity: fuzzy.similarity } : undefined };
}

/** Similarity of two lines in [0,1]: whitespace-insensitive equality is 1, else a bigram Dice score. */
export function lineSimilarity(a: string, b: string): number {
  const x = a.replace(/\s+/g, '');
  const y = b.replace(/\s+/g, '');
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < x.length - 1; i++) {
    const g = x.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  let common = 0;
  for (let i = 0; i < y.length - 1; i++) {
    const g = y.slice(i, i + 2);
    const c = grams.get(g) ?? 0;
    if (c > 0) {
      common++;
      grams.set(g, c - 1);
    }
  }
  return (2 * common) / (x.length - 1 + (y.length - 1));
}

function bestFuzzyWindow(lines: LineInfo[], old: string[], expectedLine: number): { line: number; similarity: number } | undefined {
  let best: { line: number; similarity: number } | undefined;
  for (let i = 0; i + old.length <= lines.length; i++) {
    let sum = 0;
    for (let k = 0; k < old.length; k++) sum += lineSimilarity(lines[i + k].text, old[k]);
    const sim = sum / old.length;
    if (!best || sim > best.similarity + 1e-9 || (Math.abs(sim - best.similarity) < 1e-9 && Math.abs(i - expectedLine) < Math.abs(best.line - expectedLine))) {
      best = { line: i, similarity: sim };
    }
  }
  return best;
}

export const FUZZY_THRESHOLD = 0.75;

/** Fuzzy placement: the most similar window of the same height, if similar enough. */
export function locateHunkFuzzy(text: string, hunk: PatchHunk, expectedLine: number, threshold = FUZZY_THRESHOLD): LocateResult {
  const exact = locateHunk(text, hunk, expectedLine);
  if (exact.ok) return exact;
  const lines = splitLines(text);
  const best = bestFuzzyWindow(lines, hunk.oldLines, expectedLine);
  if (!best || best.similarity < threshold) return { ok: false, reason: 'changed', best };
  return { ok: true, edit: buildEdit(text, lines, hunk, best.line, best.similarity) };
}

export function applyEdit(text: string, e: HunkEdit): string {
  return text.slice(0, e.start) + e.replacement + text.slice(e.end);
}

/** The text with every given hunk applied (those that cannot be located are skipped and returned). */
export function applyHunks(text: string, hunks: PatchHunk[], expectedLine: (h: PatchHunk) => number): { text: string; skipped: number[] } {
  const located: HunkEdit[] = [];
  const skipped: number[] = [];
  for (const h of hunks) {
    const r = locateHunk(text, h, expectedLine(h));
    if (r.ok) located.push(r.edit);
    else skipped.push(h.id);
  }
  located.sort((a, b) => b.start - a.start);
  let out = text;
  let lastStart = Infinity;
  for (const e of located) {
    if (e.end > lastStart) continue; // overlapping hunks: keep the later one only
    out = applyEdit(out, e);
    lastStart = e.start;
  }
  return { text: out, skipped };
}
