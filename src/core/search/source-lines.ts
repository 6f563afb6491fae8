// Line-level helpers over a file's text and its symbols (1-based lines everywhere).
import { CLASS_LIKE, type CodeSymbol, type FileRecord } from '../index/types';

/** Offsets of every '\n' in `text`, for offset -> line lookups. */
export function newlineOffsets(text: string): Int32Array {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out[k++] = i;
  return out;
}

/** 1-based line of character `offset`. */
export function lineOfOffset(newlines: Int32Array, offset: number): number {
  let lo = 0;
  let hi = newlines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newlines[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Number of lines as an editor shows them: a trailing newline does not start a new line. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (i < text.length - 1) n++;
  return n;
}

const lineCache = new WeakMap<object, LineView>();

/** Lines of a text by offset table: slicing a window does not split the whole file. */
export class LineView {
  readonly newlines: Int32Array;
  readonly count: number;
  constructor(readonly text: string, newlines?: Int32Array) {
    this.newlines = newlines ?? newlineOffsets(text);
    const n = this.newlines.length;
    this.count = text === '' ? 0 : n > 0 && this.newlines[n - 1] === text.length - 1 ? n : n + 1;
  }
  /** Line `l` (1-based) without its terminator. */
  line(l: number): string {
    if (l < 1 || l > this.count) return '';
    const start = l === 1 ? 0 : this.newlines[l - 2] + 1;
    const end = l - 1 < this.newlines.length ? this.newlines[l - 1] : this.text.length;
    const s = this.text.slice(start, end);
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  }
  /** Lines start..end inclusive, clamped. */
  slice(start: number, end: number): string[] {
    const out: string[] = [];
    for (let l = Math.max(1, start); l <= Math.min(end, this.count); l++) out.push(this.line(l));
    return out;
  }
}
/** Split into lines (no terminators, \r stripped); an empty last line after a final newline is dropped. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return lines;
}

/** Cached line view of a file's text, keyed by its record (records are replaced when a file changes). */
export function fileLines(rec: FileRecord, text: string, newlines?: Int32Array): LineView {
  let lines = lineCache.get(rec);
  if (!lines || lines.text !== text) {
    lines = new LineView(text, newlines);
    lineCache.set(rec, lines);
  }
  return lines;
}

/**
 * Per line of a file, the innermost function/method and the innermost class-like symbol holding it
 * (indexes into rec.symbols, -1 for none): smaller spans are written over larger ones, and of equal
 * spans the later one. Built once per record, so tagging the hundreds of
 * matches of a broad search_code does not walk every symbol for each.
 */
const lineTables = new WeakMap<FileRecord, { fn: Int32Array; cls: Int32Array }>();
function tablesOf(rec: FileRecord): { fn: Int32Array; cls: Int32Array } {
  let t = lineTables.get(rec);
  if (t) return t;
  let n = rec.lines;
  for (const s of rec.symbols) if (s.endLine > n) n = s.endLine;
  t = { fn: new Int32Array(n + 1).fill(-1), cls: new Int32Array(n + 1).fill(-1) };
  const span = (i: number) => rec.symbols[i].endLine - rec.symbols[i].startLine;
  const order = rec.symbols.map((_, i) => i).sort((a, b) => span(b) - span(a) || rec.symbols[a].startLine - rec.symbols[b].startLine);
  for (const i of order) {
    const s = rec.symbols[i];
    const into = s.kind === 'function' || s.kind === 'method' ? t.fn : CLASS_LIKE.has(s.kind) ? t.cls : undefined;
    if (into) into.fill(i, Math.max(0, s.startLine), s.endLine + 1);
  }
  lineTables.set(rec, t);
  return t;
}

/** The class and function a line belongs to, ACR's <class>/<func> tags, computed correctly. */
export function tagLine(rec: FileRecord, line: number): { className?: string; symbol?: string; kind?: CodeSymbol['kind'] } {
  const t = tablesOf(rec);
  const at = (arr: Int32Array) => (line >= 0 && line < arr.length && arr[line] >= 0 ? rec.symbols[arr[line]] : undefined);
  const fn = at(t.fn);
  const cls = at(t.cls);
  if (fn) {
    // A function nested in a method still reports the method's class.
    const className = fn.className ?? (cls && cls.startLine <= fn.startLine && cls.endLine >= fn.endLine ? cls.name : undefined);
    return { className, symbol: fn.name, kind: fn.kind };
  }
  if (cls) return { className: cls.name, kind: cls.kind };
  return {};
}

/**
 * Line where a definition's header ends (its signature's last line). The index records it from the
 * syntax tree; the signature text cannot give it, being squashed onto one line.
 */
export function headerEndLine(sym: CodeSymbol, lines: LineView): number {
  const limit = Math.max(sym.startLine, Math.min(sym.endLine, lines.count));
  return Math.min(limit, sym.headerEndLine ?? sym.startLine);
}

const ASSIGNMENT = /^\s*[A-Za-z_$][\w$.]*\s*(?::[^=]+)?=(?!=)/;
const FIELD_DECL = /^\s*(?:(?:public|private|protected|internal|static|readonly|final|const|let|var|pub(?:\([^)]*\))?|declare)\s+)*[A-Za-z_$][\w$<>,\[\]?. ]*\s*[:=;]/;

/**
 * The class digest ACR calls a signature: header lines, each direct member's header (decorators
 * included) and class-level assignments/fields, with their real line numbers.
 */
export function classOutline(rec: FileRecord, cls: CodeSymbol, lines: LineView): { code: string; lineNumbers: number[] } {
  const keep = new Set<number>();
  const hdrEnd = headerEndLine(cls, lines);
  for (let l = cls.startLine; l <= hdrEnd; l++) keep.add(l);
  const members = rec.symbols.filter((s) => s.container === cls.qualifiedName && s !== cls);
  const covered = new Set<number>();
  for (const m of members) {
    for (let l = m.startLine; l <= m.endLine; l++) covered.add(l);
    const end = headerEndLine(m, lines);
    for (let l = m.startLine; l <= end; l++) keep.add(l);
  }
  // Class-level assignments: lines of the body not inside a member, at the body's first indentation.
  let bodyIndent: number | undefined;
  let inString = false;
  for (let l = hdrEnd + 1; l <= Math.min(cls.endLine, lines.count); l++) {
    const text = lines.line(l);
    const trimmed = text.trim();
    const tripleCount = (text.match(/"""|'''/g) ?? []).length;
    if (inString) {
      if (tripleCount % 2 === 1) inString = false;
      continue;
    }
    if (tripleCount % 2 === 1) {
      inString = true;
      continue;
    }
    if (covered.has(l) || trimmed === '' || /^(#|\/\/|\/\*|\*|"""|''')/.test(trimmed)) continue;
    const indent = text.length - text.trimStart().length;
    bodyIndent ??= indent;
    if (indent !== bodyIndent) continue;
    if (rec.lang === 'python' ? ASSIGNMENT.test(text) : ASSIGNMENT.test(text) || FIELD_DECL.test(text)) keep.add(l);
  }
  if (cls.endLine > hdrEnd && !keep.has(cls.endLine) && rec.lang !== 'python') {
    const closing = lines.line(cls.endLine).trim();
    if (closing && /^[}\]);]+$/.test(closing)) keep.add(cls.endLine);
  }
  const lineNumbers = [...keep].filter((l) => l >= 1 && l <= lines.count).sort((a, b) => a - b);
  return { code: lineNumbers.map((l) => lines.line(l)).join('\n'), lineNumbers };
}

/** Header-only form of a function/method: decorators + signature lines. */
export function symbolOutline(sym: CodeSymbol, lines: LineView): { code: string; lineNumbers: number[] } {
  const end = headerEndLine(sym, lines);
  const lineNumbers: number[] = [];
  for (let l = sym.startLine; l <= end; l++) lineNumbers.push(l);
  return { code: lineNumbers.map((l) => lines.line(l)).join('\n'), lineNumbers };
}


