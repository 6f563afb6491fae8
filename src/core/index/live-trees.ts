// Syntax trees of the files being edited, kept so that the next save re-parses incrementally:
// tree-sitter reuses every subtree outside the edited range, so a save costs about the size of the
// edit rather than the size of the file. Only a handful of trees are kept (they live in the WASM
// heap, several times the size of their text); the least recently used goes first.
import type { Edit, Range, Tree } from 'web-tree-sitter';
import { extractTree } from './extract';
import { reextract, type LineChange } from './extract-region';
import { runtimeFor } from './tree-sitter-runtime';
import type { FileRecord, Lang } from './types';

interface Kept {
  lang: Lang;
  text: string;
  tree: Tree;
  /** What the tree gave, before the caller filled in size and times. */
  record: FileRecord;
}

export interface LiveParse {
  record: FileRecord;
  /** true when an earlier tree of the file was reused. */
  incremental: boolean;
  /** true when only the symbol holding the change was extracted again. */
  region: boolean;
}

export class LiveTrees {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(
    private readonly maxFiles = 24,
    private readonly maxChars = 8 * 1024 * 1024,
  ) {}

  /** Parses `text` as the new content of `rel`, from its kept tree when there is one, and keeps the result. */
  async parse(rel: string, lang: Lang, text: string): Promise<LiveParse> {
    const rt = await runtimeFor(lang);
    const old = this.take(rel);
    if (old && old.lang === lang && old.text === text) {
      // saved without a change (Save All, a formatter with nothing to do): same tree, same symbols
      this.keep(rel, old);
      return { record: { ...old.record }, incremental: true, region: false };
    }
    let tree: Tree | null;
    let change: LineChange | undefined;
    if (old && old.lang === lang) {
      const edit = editBetween(old.text, text);
      old.tree.edit(edit);
      tree = rt.parser.parse(text, old.tree);
      if (tree) change = lineChange(edit, tree.getChangedRanges(old.tree));
      if (tree?.rootNode.hasError) {
        // error recovery from an old tree can differ from a fresh parse's: a broken file is parsed afresh
        tree.delete();
        tree = rt.parser.parse(text);
        change = undefined;
      }
    } else {
      tree = rt.parser.parse(text);
    }
    old?.tree.delete();
    if (!tree) throw new Error(`tree-sitter returned no tree for ${rel}`);
    let record: FileRecord | undefined;
    let region = false;
    try {
      if (old && change) record = reextract(rt, tree, text, { ...old.record, path: rel }, change);
      region = record !== undefined;
      record ??= extractTree(rt, tree, text, rel);
    } catch (e) {
      tree.delete();
      throw e;
    }
    this.keep(rel, { lang, text, tree, record });
    return { record: { ...record }, incremental: change !== undefined, region };
  }

  has(rel: string): boolean {
    return this.kept.has(rel);
  }

  forget(rel: string): void {
    this.take(rel)?.tree.delete();
  }

  clear(): void {
    for (const k of this.kept.values()) k.tree.delete();
    this.kept.clear();
    this.bytes = 0;
  }

  private take(rel: string): Kept | undefined {
    const k = this.kept.get(rel);
    if (k) {
      this.kept.delete(rel);
      this.bytes -= k.text.length;
    }
    return k;
  }

  private keep(rel: string, k: Kept): void {
    if (k.text.length > this.maxChars) {
      k.tree.delete();
      return;
    }
    this.kept.set(rel, k);
    this.bytes += k.text.length;
    for (const [r, v] of this.kept) {
      if (this.kept.size <= this.maxFiles && this.bytes <= this.maxChars) break;
      this.kept.delete(r);
      this.bytes -= v.text.length;
      v.tree.delete();
    }
  }
}

/**
 * The single edit that turns `before` into `after`: everything between their common prefix and
 * common suffix. Offsets and columns are UTF-16 code units, as web-tree-sitter counts them.
 */
export function editBetween(before: string, after: string): Edit {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // never split a surrogate pair
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  if (tail > 0 && isLowSurrogate(after.charCodeAt(after.length - tail))) tail--;
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  };
}

function pointAt(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** The old lines the edit and the syntax changes it caused touch (ranges come in new coordinates). */
function lineChange(edit: Edit, ranges: Range[]): LineChange {
  const delta = edit.newEndPosition.row - edit.oldEndPosition.row;
  let first = edit.startPosition.row;
  let last = edit.oldEndPosition.row;
  const toOld = (row: number) => (row <= edit.startPosition.row ? row : row >= edit.newEndPosition.row ? row - delta : undefined);
  for (const r of ranges) {
    const a = toOld(r.startPosition.row) ?? edit.startPosition.row;
    const b = toOld(r.endPosition.row) ?? edit.oldEndPosition.row;
    first = Math.min(first, a);
    last = Math.max(last, b);
  }
  return { oldFirst: first + 1, oldLast: last + 1, delta };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
