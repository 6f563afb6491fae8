// Re-extraction after an incremental parse, limited to the innermost symbol that holds the change.
// Everything before that symbol is kept from the previous record, everything after it is shifted by
// the number of lines the edit added or removed, and enclosing symbols get their new end line. When
// the shape around the change is not what it was (the symbol's start or end moved, syntax errors),
// the caller falls back to extracting the whole file.
import type { Tree } from 'web-tree-sitter';
import { countLines, extractRows } from './extract';
import type { LangRuntime } from './ts-runtime';
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
  const region = extractRows(rt, tree, text, first - 1, newEnd - 1);
  const inside = (s: { startLine: number; endLine: number }) => s.startLine >= first && s.endLine <= newEnd;
  const fresh = region.symbols.filter(inside);
  const again = fresh.find((s) => s.startLine === first && s.endLine === newEnd && s.kind === holder.kind);
  if (!again) return undefined;

  const symbols: CodeSymbol[] = [];
  for (const s of prev.symbols) {
    if (s.startLine < first) symbols.push(s.endLine >= oldEnd ? { ...s, endLine: s.endLine + change.delta } : s);
  }
  symbols.push(...fresh);
  for (const s of prev.symbols) {
    if (s.startLine > oldEnd) symbols.push({ ...s, startLine: s.startLine + change.delta, endLine: s.endLine + change.delta });
  }
  const calls = prev.calls.filter((c) => c.line < first);
  for (const c of region.calls) if (c.line >= first && c.line <= newEnd) calls.push(c);
  for (const c of prev.calls) if (c.line > oldEnd) calls.push({ ...c, line: c.line + change.delta });
  const { errorLines: _none, ...rest } = prev;
  return { ...rest, symbols, calls, hasErrors: false, lines: countLines(text) };
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
