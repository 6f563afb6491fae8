// Re-extraction after an incremental parse, limited to the innermost symbol that holds the change.
// Everything before that symbol is kept from the previous record, everything after it is shifted by
// the number of lines the edit added or removed, and enclosing symbols get their new end line. When
// the shape around the change is not what it was (the symbol's start or end moved, syntax errors),
// the caller falls back to extracting the whole file.
import type { Tree } from 'web-tree-sitter';
import { countLines, extractRows } from './extract';
import type { LangRuntime } from './tree-sitter-runtime';
import type { CodeSymbol, FileRecord } from './types';

/** Lines (1-based) the change touches, before and after it, and how many lines it added. */
export interface LineChange {
  oldFirst: number;
  oldLast: number;
  delta: number;
}

export function reextract(rt: LangRuntime, tree: Tree, text: string, prev: FileRecord, change: LineChange): FileRecord | undefined {
  if (prev.hasErrors || tree.rootNode.hasError) return undefined;
  const holder = innermostHolding(prev.symbols, change);
  if (!holder) return undefined;
  const first = holder.startLine;
  const oldEnd = holder.endLine;
  const newEnd = oldEnd + change.delta;
  // Lines are the unit of the merge. Every other symbol must be plainly before the holder, after
  // it, inside it or around it; one sharing a boundary line any other way (`} function g() {`)
  // could land on either side, and then the whole file is extracted again.
  const before: CodeSymbol[] = [];
  const after: CodeSymbol[] = [];
  for (const s of prev.symbols) {
    if (s === holder) continue;
    if (s.endLine < first) before.push(s);
    else if (s.startLine > oldEnd) after.push(s);
    else if (s.startLine <= first && s.endLine >= oldEnd) {
      if (s.startLine === first && s.endLine === oldEnd) return undefined;
      before.push({ ...shiftAfter(s, oldEnd, change.delta), endLine: s.endLine + change.delta }); // around the holder
    } else if (!(s.startLine >= first && s.endLine <= oldEnd)) return undefined;
  }
  // What an edit can change outside the holder's own symbols: the header of one around it that
  // starts on the same line, and the leading comment or decorators of the next symbol.
  if (change.oldFirst <= first && before.some((s) => s.startLine === first)) return undefined;
  if (after.length && change.oldLast >= oldEnd) return undefined; // `} // doc of the next`, `} @decorator`
  const region = extractRows(rt, tree, text, first - 1, newEnd - 1);
  const again = region.symbols.find((s) => s.startLine === first && s.endLine === newEnd && s.kind === holder.kind);
  if (!again) return undefined;
  const fresh: CodeSymbol[] = [];
  const aroundNow: CodeSymbol[] = [];
  for (const s of region.symbols) {
    if (s === again) fresh.push(s);
    else if (s.startLine <= first && s.endLine >= newEnd) {
      if (s.startLine === first && s.endLine === newEnd) return undefined;
      aroundNow.push(s);
    } else if (s.startLine >= first && s.endLine <= newEnd) fresh.push(s);
    else if (s.startLine <= newEnd && s.endLine >= first) return undefined; // now straddles a boundary (`} @dec`)
  }
  // the symbols around the holder must be the ones it had: an edit can re-nest it (indent a Python def)
  const key = (syms: CodeSymbol[]) => syms.map((s) => `${s.qualifiedName}@${s.startLine}-${s.endLine}`).join('|');
  const aroundBefore = before.filter((s) => s.startLine <= first && s.endLine >= newEnd);
  if (key(aroundBefore) !== key(aroundNow)) return undefined;

  const symbols = [...before, ...fresh, ...after.map((s) => shiftAfter(s, oldEnd, change.delta))];
  const calls = prev.calls.filter((c) => c.line < first);
  for (const c of region.calls) if (c.line >= first && c.line <= newEnd) calls.push(c);
  for (const c of prev.calls) if (c.line > oldEnd) calls.push({ ...c, line: c.line + change.delta });
  const { errorLines: _none, ...rest } = prev;
  return { ...rest, symbols, calls, hasErrors: false, lines: countLines(text) };
}

/** `s` with every line it records that lies after line `after` moved by `delta`. */
function shiftAfter(s: CodeSymbol, after: number, delta: number): CodeSymbol {
  const at = (l: number) => (l > after ? l + delta : l);
  const out: CodeSymbol = { ...s, startLine: at(s.startLine), endLine: at(s.endLine) };
  if (s.headerEndLine !== undefined) out.headerEndLine = at(s.headerEndLine);
  if (s.docEndLine !== undefined) out.docEndLine = at(s.docEndLine);
  if (s.assigns) out.assigns = s.assigns.map((a) => (a.line > after ? { ...a, line: a.line + delta } : a));
  return out;
}

/** The smallest symbol whose lines hold every changed line (the last such in file order when equal). */
function innermostHolding(symbols: CodeSymbol[], change: LineChange): CodeSymbol | undefined {
  let best: CodeSymbol | undefined;
  for (const s of symbols) {
    if (s.startLine <= change.oldFirst && s.endLine >= change.oldLast) {
      if (!best || s.endLine - s.startLine <= best.endLine - best.startLine) best = s;
    }
  }
  return best;
}
