// Compact on-disk form of FileRecords. Call sites dominate an index (sympy: ~380k calls, 40k symbols),
// so they are stored as a flat number array with per-file string and symbol references and
// delta-encoded lines; symbols become tuples. This keeps the cache a fraction of the JSON-of-objects
// size and JSON.parse of number arrays is fast, which is what makes a warm open near-instant.
import type { CallSite, ClassAssign, CodeSymbol, FileRecord, SymbolKind } from './types';

const KINDS: SymbolKind[] = ['class', 'interface', 'struct', 'enum', 'trait', 'function', 'method'];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));

const F_ASYNC = 1;
const F_STATIC = 2;

type SymbolTuple = [
  name: string,
  kind: number,
  qualifiedName: string,
  startLine: number,
  endLine: number,
  signature: string,
  flags: number,
  className: string | 0,
  container: string | 0,
  doc: string | 0,
  bases: string[] | 0,
  decorators: string[] | 0,
  headerEndLine: number,
  docEndLine: number,
  /** per class-level assignment: name, line, value */
  assigns: (string | number)[] | 0,
];

export type EncodedFile = [
  path: string,
  lang: string,
  size: number,
  mtimeMs: number,
  lines: number,
  errorLines: number[] | 0,
  hasErrors: 0 | 1,
  encoding: string | 0,
  symbols: SymbolTuple[],
  names: string[],
  /** per call: name index, line delta, column, container symbol index + 1 (0 = none) */
  calls: number[],
];

export function encodeFile(f: FileRecord): EncodedFile {
  const symbols: SymbolTuple[] = f.symbols.map((s) => [
    s.name,
    KIND_INDEX.get(s.kind) ?? 5,
    s.qualifiedName,
    s.startLine,
    s.endLine,
    s.signature,
    (s.async ? F_ASYNC : 0) | (s.static ? F_STATIC : 0),
    s.className ?? 0,
    s.container ?? 0,
    s.doc ?? 0,
    s.bases ?? 0,
    s.decorators ?? 0,
    s.headerEndLine ?? 0,
    s.docEndLine ?? 0,
    s.assigns ? s.assigns.flatMap((a) => [a.name, a.line, a.value]) : 0,
  ]);
  const symIndex = new Map<string, number>();
  f.symbols.forEach((s, i) => {
    if (!symIndex.has(s.qualifiedName)) symIndex.set(s.qualifiedName, i);
  });
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const calls: number[] = [];
  let prevLine = 0;
  for (const c of f.calls) {
    let n = nameIndex.get(c.name);
    if (n === undefined) {
      n = names.length;
      names.push(c.name);
      nameIndex.set(c.name, n);
    }
    let container = 0;
    if (c.container !== undefined) {
      const si = symIndex.get(c.container);
      if (si === undefined) {
        // not a symbol of this file (cannot happen with extractFile); keep it through the name table
        let ci = nameIndex.get(c.container);
        if (ci === undefined) {
          ci = names.length;
          names.push(c.container);
          nameIndex.set(c.container, ci);
        }
        container = -(ci + 1);
      } else container = si + 1;
    }
    calls.push(n, c.line - prevLine, c.column, container);
    prevLine = c.line;
  }
  return [f.path, f.lang, f.size, f.mtimeMs, f.lines, f.errorLines ?? 0, f.hasErrors ? 1 : 0, f.encoding ?? 0, symbols, names, calls];
}

export function decodeFile(e: EncodedFile): FileRecord {
  const [path, lang, size, mtimeMs, lines, errorLines, hasErrors, encoding, tuples, names, flat] = e;
  if (typeof path !== 'string' || !Array.isArray(tuples) || !Array.isArray(names) || !Array.isArray(flat) || flat.length % 4) {
    throw new Error('malformed entry');
  }
  const symbols: CodeSymbol[] = new Array(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const t = tuples[i];
    const kind = KINDS[t[1]];
    if (!kind) throw new Error('malformed symbol');
    const s: CodeSymbol = { name: t[0], kind, qualifiedName: t[2], startLine: t[3], endLine: t[4], signature: t[5] };
    if (t[7] !== 0) s.className = t[7];
    if (t[8] !== 0) s.container = t[8];
    if (t[9] !== 0) s.doc = t[9];
    if (t[10] !== 0) s.bases = t[10];
    if (t[11] !== 0) s.decorators = t[11];
    if (t[12]) s.headerEndLine = t[12];
    if (t[13]) s.docEndLine = t[13];
    const flat = t[14];
    if (flat) {
      const assigns: ClassAssign[] = [];
      for (let k = 0; k + 2 < flat.length; k += 3) assigns.push({ name: String(flat[k]), line: Number(flat[k + 1]), value: String(flat[k + 2]) });
      s.assigns = assigns;
    }
    if (t[6] & F_ASYNC) s.async = true;
    if (t[6] & F_STATIC) s.static = true;
    symbols[i] = s;
  }
  const calls: CallSite[] = new Array(flat.length / 4);
  let line = 0;
  for (let i = 0, j = 0; i < flat.length; i += 4, j++) {
    line += flat[i + 1];
    const c: CallSite = { name: names[flat[i]], line, column: flat[i + 2] };
    const k = flat[i + 3];
    if (k > 0) c.container = symbols[k - 1].qualifiedName;
    else if (k < 0) c.container = names[-k - 1];
    calls[j] = c;
  }
  const record: FileRecord = { path, lang: lang as FileRecord['lang'], size, mtimeMs, symbols, calls, hasErrors: hasErrors === 1, lines };
  if (errorLines !== 0) record.errorLines = errorLines;
  if (encoding !== 0) record.encoding = encoding as FileRecord['encoding'];
  return record;
}
