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

/** Lines start..end (inclusive, clamped), without line terminators. */
export function sliceLines(text: string, start: number, end: number): string[] {
  const all = splitLines(text);
  return all.slice(Math.max(0, start - 1), Math.max(0, end));
}

const lineCache = new WeakMap<object, string[]>();
/** Split into lines (no terminators, \r stripped); an empty last line after a final newline is dropped. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return lines;
}

/** Cached split of a file's text, keyed by its record (records are replaced when a file changes). */
export function fileLines(rec: FileRecord, text: string): string[] {
  let lines = lineCache.get(rec);
  if (!lines) {
    lines = splitLines(text);
    lineCache.set(rec, lines);
  }
  return lines;
}

/** Innermost symbol whose span contains `line`. */
export function enclosingSymbol(rec: FileRecord, line: number, kinds?: (k: CodeSymbol['kind']) => boolean): CodeSymbol | undefined {
  let best: CodeSymbol | undefined;
  for (const s of rec.symbols) {
    if (s.startLine > line || s.endLine < line) continue;
    if (kinds && !kinds(s.kind)) continue;
    if (!best || s.endLine - s.startLine < best.endLine - best.startLine || (s.endLine - s.startLine === best.endLine - best.startLine && s.startLine >= best.startLine)) best = s;
  }
  return best;
}

/** The class and function a line belongs to, ACR's <class>/<func> tags, computed correctly. */
export function tagLine(rec: FileRecord, line: number): { className?: string; symbol?: string; kind?: CodeSymbol['kind'] } {
  const fn = enclosingSymbol(rec, line, (k) => k === 'function' || k === 'method');
  const cls = enclosingSymbol(rec, line, (k) => CLASS_LIKE.has(k));
  if (fn) {
    // A function nested in a method still reports the method's class.
    const className = fn.className ?? (cls && cls.startLine <= fn.startLine && cls.endLine >= fn.endLine ? cls.name : undefined);
    return { className, symbol: fn.name, kind: fn.kind };
  }
  if (cls) return { className: cls.name, kind: cls.kind };
  return {};
}

/** Line where a definition's header ends (the signature's last line), found in the source. */
export function headerEndLine(sym: CodeSymbol, lines: string[]): number {
  const sigLines = sym.signature.split('\n');
  const last = sigLines[sigLines.length - 1].trim();
  const limit = Math.min(sym.endLine, lines.length);
  if (last) {
    for (let l = sym.startLine; l <= limit; l++) {
      if (lines[l - 1]?.includes(last)) return l;
    }
  }
  return Math.min(limit, sym.startLine + sigLines.length - 1);
}

const ASSIGNMENT = /^\s*[A-Za-z_$][\w$.]*\s*(?::[^=]+)?=(?!=)/;
const FIELD_DECL = /^\s*(?:(?:public|private|protected|internal|static|readonly|final|const|let|var|pub(?:\([^)]*\))?|declare)\s+)*[A-Za-z_$][\w$<>,\[\]?. ]*\s*[:=;]/;

/**
 * The class digest ACR calls a signature: header lines, each direct member's header (decorators
 * included) and class-level assignments/fields, with their real line numbers.
 */
export function classOutline(rec: FileRecord, cls: CodeSymbol, lines: string[]): { code: string; lineNumbers: number[] } {
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
  for (let l = hdrEnd + 1; l <= Math.min(cls.endLine, lines.length); l++) {
    const text = lines[l - 1];
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
    const closing = lines[cls.endLine - 1]?.trim();
    if (closing && /^[}\]);]+$/.test(closing)) keep.add(cls.endLine);
  }
  const lineNumbers = [...keep].filter((l) => l >= 1 && l <= lines.length).sort((a, b) => a - b);
  return { code: lineNumbers.map((l) => lines[l - 1]).join('\n'), lineNumbers };
}

/** Header-only form of a function/method: decorators + signature lines. */
export function symbolOutline(sym: CodeSymbol, lines: string[]): { code: string; lineNumbers: number[] } {
  const end = headerEndLine(sym, lines);
  const lineNumbers: number[] = [];
  for (let l = sym.startLine; l <= end; l++) lineNumbers.push(l);
  return { code: lineNumbers.map((l) => lines[l - 1] ?? '').join('\n'), lineNumbers };
}

const TEST_PATH = /(^|\/)(tests?|testing|__tests__|specs?)(\/)|(^|\/)(test_[^/]*|conftest\.py)$|[._-](test|spec)\.[a-z]+$|_test\.[a-z]+$/i;
export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}
