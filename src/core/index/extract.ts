// Turns a tree-sitter parse into a FileRecord. The language-specific part is in the query files
// (grammars/queries/<lang>/tags.scm); this module only knows the capture names and a few per-language
// facts about wrappers, decorators and comments. Nesting (method vs function, containers, qualified
// names) is decided here from byte ranges, so every definition node yields exactly one symbol.
import type { Node, QueryMatch, Tree } from 'web-tree-sitter';
import { CLASS_LIKE } from './types';
import type { CallSite, ClassAssign, CodeSymbol, FileRecord, Lang, SymbolKind } from './types';
import type { LangRuntime } from './tree-sitter-runtime';

interface LangFacts {
  /** Parents that wrap a definition without changing it: their span and leading comments count. */
  wrappers: ReadonlySet<string>;
  /** Preceding siblings that belong to the next definition (decorators, attributes). */
  leadingSiblings: ReadonlySet<string>;
  /** Child node types that hold decorators/attributes of the definition itself. */
  decoratorTypes: ReadonlySet<string>;
  comments: ReadonlySet<string>;
  pythonDocstring?: boolean;
}

const COMMENTS = new Set(['comment', 'line_comment', 'block_comment']);
const JS_FACTS: LangFacts = {
  wrappers: new Set(['export_statement']),
  leadingSiblings: new Set(['decorator']),
  decoratorTypes: new Set(['decorator']),
  comments: COMMENTS,
};
const FACTS: Record<Lang, LangFacts> = {
  python: {
    wrappers: new Set(['decorated_definition']),
    leadingSiblings: new Set(),
    decoratorTypes: new Set(['decorator']),
    comments: COMMENTS,
    pythonDocstring: true,
  },
  javascript: JS_FACTS,
  typescript: JS_FACTS,
  tsx: JS_FACTS,
  java: { wrappers: new Set(), leadingSiblings: new Set(), decoratorTypes: new Set(['annotation', 'marker_annotation']), comments: COMMENTS },
  go: { wrappers: new Set(['type_declaration']), leadingSiblings: new Set(), decoratorTypes: new Set(), comments: COMMENTS },
  rust: { wrappers: new Set(), leadingSiblings: new Set(['attribute_item']), decoratorTypes: new Set(['attribute_item']), comments: COMMENTS },
  csharp: { wrappers: new Set(), leadingSiblings: new Set(), decoratorTypes: new Set(['attribute_list']), comments: COMMENTS },
  cpp: { wrappers: new Set(['template_declaration']), leadingSiblings: new Set(), decoratorTypes: new Set(), comments: COMMENTS },
};

// Node types that can be a definition's body, for definitions whose grammar has no `body` field.
const BODY_TYPES = new Set([
  'block',
  'statement_block',
  'class_body',
  'interface_body',
  'enum_body',
  'field_declaration_list',
  'declaration_list',
  'compound_statement',
  'enum_variant_list',
  'enum_member_declaration_list',
  'enumerator_list',
  'interface_type',
  'struct_type',
  'constructor_body',
]);

const MAX_SIGNATURE = 400;
const MAX_DOC = 2000;
const MAX_ASSIGN_VALUE = 120;
const MAX_ERROR_LINES = 10;

interface Def {
  node: Node;
  pattern: number;
  kind: SymbolKind | 'scope.namespace' | 'scope.impl';
  name: Node;
  func?: Node;
  owner?: Node;
  qualifier?: Node;
  body?: Node;
}

interface Placed {
  def: Def;
  symbol?: CodeSymbol;
  /** Name prefix for things nested inside. */
  qualified: string;
  /** className for functions directly inside (class-like symbols and impl blocks). */
  classForChildren?: string;
}

export function extractFile(rt: LangRuntime, text: string, path: string): FileRecord {
  const tree = rt.parser.parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  try {
    return extractTree(rt, tree, text, path);
  } finally {
    tree.delete();
  }
}

/** Like extractFile, for a tree the caller owns (and keeps). */
export function extractTree(rt: LangRuntime, tree: Tree, text: string, path: string): FileRecord {
  const root = tree.rootNode;
  const { symbols, calls: callSites } = symbolsAndCalls(rt, rt.query.matches(root), text);
  const record: FileRecord = {
    path,
    lang: rt.lang,
    size: 0,
    mtimeMs: 0,
    symbols,
    calls: callSites,
    hasErrors: root.hasError,
    lines: countLines(text),
  };
  if (root.hasError) record.errorLines = errorLines(root);
  return record;
}

/**
 * Symbols and call sites of lines [firstRow, lastRow] (0-based) of the tree: the query visits only
 * nodes that intersect those lines, so definitions enclosing them come back too (they give nested
 * names their qualification) while everything else in the file is skipped. Rows, not indexes: this
 * web-tree-sitter passes a query's index range to tree-sitter as bytes without converting it from
 * UTF-16 units (its point range is converted).
 */
export function extractRows(rt: LangRuntime, tree: Tree, text: string, firstRow: number, lastRow: number): Pick<FileRecord, 'symbols' | 'calls'> {
  const range = { startPosition: { row: firstRow, column: 0 }, endPosition: { row: lastRow + 1, column: 0 } };
  return symbolsAndCalls(rt, rt.query.matches(tree.rootNode, range), text);
}

function symbolsAndCalls(rt: LangRuntime, matches: QueryMatch[], text: string): Pick<FileRecord, 'symbols' | 'calls'> {
  const { defs, bases, calls, assigns } = collect(matches);
  const placed = place(defs, { bases, assigns }, FACTS[rt.lang], text);
  return { symbols: placed.filter((p) => p.symbol).map((p) => p.symbol!), calls: attachCalls(calls, placed) };
}

function collect(matches: QueryMatch[]) {
  const defs = new Map<number, Def>();
  const bases = new Map<number, string[]>();
  const assigns = new Map<number, Node[]>();
  const calls: Node[] = [];
  for (const m of matches) {
    let defNode: Node | undefined;
    let kind: Def['kind'] | undefined;
    let name: Node | undefined;
    let func: Node | undefined;
    let owner: Node | undefined;
    let qualifier: Node | undefined;
    let callName: Node | undefined;
    let base: Node | undefined;
    let basesOf: Node | undefined;
    let assign: Node | undefined;
    let assignOf: Node | undefined;
    for (const c of m.captures) {
      const n = c.name;
      if (n === 'name') name = c.node;
      else if (n === 'func') func = c.node;
      else if (n === 'owner') owner = c.node;
      else if (n === 'qualifier') qualifier = c.node;
      else if (n === 'call.name') callName = c.node;
      else if (n === 'base') base = c.node;
      else if (n === 'bases.of') basesOf = c.node;
      else if (n === 'assign') assign = c.node;
      else if (n === 'assign.of') assignOf = c.node;
      else if (n.startsWith('definition.')) {
        defNode = c.node;
        kind = n.slice('definition.'.length) as SymbolKind;
      } else if (n.startsWith('scope.')) {
        defNode = c.node;
        kind = n as Def['kind'];
      }
    }
    if (callName) {
      calls.push(callName);
    } else if (assign && assignOf) {
      let list = assigns.get(assignOf.id);
      if (!list) assigns.set(assignOf.id, (list = []));
      list.push(assign);
    } else if (basesOf && base) {
      let list = bases.get(basesOf.id);
      if (!list) bases.set(basesOf.id, (list = []));
      const t = squash(base.text);
      if (!list.includes(t)) list.push(t);
    } else if (defNode && kind && name) {
      // Several patterns may match one node (e.g. `X.prototype.m = ...` and `obj.m = ...`): the
      // earlier pattern in the query file is the more specific one and wins.
      const prev = defs.get(defNode.id);
      if (prev && prev.pattern <= m.patternIndex) continue;
      defs.set(defNode.id, { node: defNode, pattern: m.patternIndex, kind, name, func, owner, qualifier });
    }
  }
  return { defs: [...defs.values()], bases, calls, assigns };
}

/** What the query found about definitions besides the definitions themselves, by definition node id. */
interface DefExtras {
  bases: Map<number, string[]>;
  assigns: Map<number, Node[]>;
}

function place(defs: Def[], extras: DefExtras, facts: LangFacts, text: string): Placed[] {
  defs.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
  const out: Placed[] = [];
  const stack: Placed[] = [];
  for (const def of defs) {
    while (stack.length && stack[stack.length - 1].def.node.endIndex <= def.node.startIndex) stack.pop();
    const parent = stack[stack.length - 1];
    const p = placeOne(def, parent, extras, facts, text);
    out.push(p);
    stack.push(p);
  }
  return out;
}

function placeOne(def: Def, parent: Placed | undefined, extras: DefExtras, facts: LangFacts, text: string): Placed {
  const name = cleanName(def.name.text);
  const prefix = parent ? parent.qualified + '.' : '';
  if (def.kind === 'scope.namespace' || def.kind === 'scope.impl') {
    const qualified = prefix + name;
    return { def, qualified, classForChildren: def.kind === 'scope.impl' ? baseTypeName(name) : parent?.classForChildren };
  }
  let kind: SymbolKind = def.kind;
  let className: string | undefined;
  let qualified: string;
  let container = parent?.symbol?.qualifiedName ?? (parent?.def.kind === 'scope.impl' ? parent.qualified : undefined);
  const ownerName = def.owner ? baseTypeName(cleanName(def.owner.text)) : undefined;
  if (kind === 'function' || kind === 'method') {
    const parentIsClass = parent?.symbol ? CLASS_LIKE.has(parent.symbol.kind) : false;
    if (parentIsClass) {
      kind = 'method';
      className = parent!.symbol!.name;
    } else if (ownerName) {
      kind = 'method';
      className = ownerName;
    } else if (parent && !parent.symbol && parent.classForChildren) {
      kind = 'method';
      className = parent.classForChildren;
    } else {
      // e.g. methods of object literals, or functions nested in functions
      kind = 'function';
    }
  }
  if (ownerName && !parent?.symbol) {
    qualified = prefix + ownerName + '.' + name;
    container ??= ownerName;
  } else {
    const q = def.qualifier ? squash(def.qualifier.text) + '.' : '';
    qualified = prefix + q + name;
  }

  const first = outermost(def.node, facts);
  const { start, decorators } = spanStart(def.node, first, facts);
  const end = def.node.endPosition;
  const endLine = end.column === 0 && end.row > start.row ? end.row : end.row + 1;
  const body = findBody(def);
  let headerEnd = body ? body.startIndex : def.node.endIndex;
  // `def f():  # note` — a trailing comment before the body is not part of the signature
  // (only looked for when the header could hold a comment at all: listing children is not free)
  if (/[#/]/.test(text.slice(def.name.endIndex, headerEnd))) {
    for (const c of (def.func ?? def.node).children) {
      if (c && facts.comments.has(c.type) && c.startIndex < headerEnd && c.startIndex > def.name.endIndex) headerEnd = c.startIndex;
    }
  }
  const header = text.slice(headerStart(def.node, facts), headerEnd);
  let signature = squash(header).replace(/\s*\{$/, '');
  if (def.node.type === 'type_spec') signature = 'type ' + squash(def.node.text.split('{')[0]);
  if (signature.length > MAX_SIGNATURE) signature = signature.slice(0, MAX_SIGNATURE) + '…';
  const symbol: CodeSymbol = {
    name,
    kind,
    qualifiedName: qualified,
    startLine: start.row + 1,
    endLine,
    signature,
    headerEndLine: Math.min(endLine, Math.max(start.row, headerEndRow(def, body, facts, text)) + 1),
  };
  if (className) symbol.className = className;
  if (container) symbol.container = container;
  const docstring = facts.pythonDocstring && body ? pythonDocstring(body) : undefined;
  if (docstring) symbol.docEndLine = docstring.endRow + 1;
  const doc = docstring?.text || leadingComment(first, facts);
  if (doc) symbol.doc = doc;
  const b = extras.bases.get(def.node.id);
  if (b && b.length) symbol.bases = b;
  const a = extras.assigns.get(def.node.id);
  if (a && a.length) symbol.assigns = classAssigns(a);
  if (decorators.length) symbol.decorators = decorators;
  if (kind === 'function' || kind === 'method') {
    const beforeBody = header;
    if (/\basync\b/.test(beforeBody)) symbol.async = true;
    const beforeName = text.slice(def.node.startIndex, def.name.startIndex);
    if (/\bstatic\b/.test(beforeName) || decorators.some((d) => d === 'staticmethod' || d.endsWith('.staticmethod'))) symbol.static = true;
  }
  return { def, symbol, qualified, classForChildren: CLASS_LIKE.has(kind) ? name : undefined };
}

// Node.parent and Node.previousSibling each walk down from the root inside tree-sitter: fetch each once.
function outermost(node: Node, facts: LangFacts): Node {
  let n = node;
  // a Go `type ( A ...; B ... )` group wraps several definitions: then none owns it
  for (let p = n.parent; p && facts.wrappers.has(p.type) && !(p.type === 'type_declaration' && p.namedChildCount > 1); p = p.parent) n = p;
  if (facts.leadingSiblings.size) for (let s = n.previousSibling; s && facts.leadingSiblings.has(s.type); s = s.previousSibling) n = s;
  return n;
}

function spanStart(node: Node, first: Node, facts: LangFacts): { start: { row: number; column: number }; decorators: string[] } {
  const decorators: string[] = [];
  // decorators are either children of the wrapper/definition or preceding siblings
  const seen = new Set<number>();
  const addFrom = (n: Node | null) => {
    if (!n) return;
    for (const c of n.namedChildren) {
      if (c && facts.decoratorTypes.has(c.type) && !seen.has(c.id)) {
        seen.add(c.id);
        decorators.push(cleanDecorator(c.text));
      }
    }
  };
  for (let s: Node | null = first; s && s.id !== node.id && facts.leadingSiblings.has(s.type); s = s.nextSibling) {
    if (!seen.has(s.id)) {
      seen.add(s.id);
      decorators.push(cleanDecorator(s.text));
    }
  }
  for (let w: Node | null = node; w; ) {
    addFrom(w);
    if (w.id === first.id) break;
    const up: Node | null = w.parent;
    if (!up || !facts.wrappers.has(up.type)) break;
    w = up;
  }
  const modifiers = node.namedChildren.find((c) => c?.type === 'modifiers');
  if (modifiers) addFrom(modifiers);
  return { start: first.startPosition, decorators };
}

function cleanDecorator(t: string): string {
  return squash(t.replace(/^@/, '').replace(/^#!?\[/, '').replace(/^\[/, '').replace(/\]$/, ''));
}

/** Where the header starts: after decorators/attributes that the grammar puts inside the definition. */
function headerStart(node: Node, facts: LangFacts): number {
  let at = node.startIndex;
  for (const c of node.children) {
    if (!c) continue;
    if (facts.decoratorTypes.has(c.type) || facts.comments.has(c.type)) {
      at = c.endIndex;
      continue;
    }
    if (c.type === 'modifiers') {
      // Java keeps annotations among the modifiers: skip those, keep `public static ...`
      for (const m of c.children) {
        if (m && (facts.decoratorTypes.has(m.type) || facts.comments.has(m.type))) at = m.endIndex;
        else break;
      }
    }
    break;
  }
  return at;
}

function findBody(def: Def): Node | undefined {
  const holder = def.func ?? def.node;
  const direct = holder.childForFieldName('body');
  if (direct) return direct;
  for (let i = holder.namedChildCount - 1; i >= 0; i--) {
    const c = holder.namedChild(i);
    if (c && BODY_TYPES.has(c.type)) return c;
    // Go: `type T struct {...}` keeps the field list one level down
    if (c && (c.type === 'struct_type' || c.type === 'interface_type')) return c;
  }
  return undefined;
}

/**
 * Row on which a definition's header ends (0-based), read from the tree rather than from the text:
 * the row of a body's opening brace, else of the last token before the body (Python's `:`, an
 * arrow's `=>`); without a body, the definition's last row.
 */
function headerEndRow(def: Def, body: Node | undefined, facts: LangFacts, text: string): number {
  const holder = def.func ?? def.node;
  if (!body) return holder.endPosition.row;
  if (text.charCodeAt(body.startIndex) === 123 /* { */) return body.startPosition.row;
  let row = holder.startPosition.row;
  for (const c of holder.children) {
    if (!c || c.startIndex >= body.startIndex) break;
    if (!facts.comments.has(c.type)) row = c.endPosition.row;
  }
  return row;
}

/** Names a class body binds by assignment: `a = b`, `a = b = c`, `a, b = ...`, `a: T = v` (not bare annotations). */
function classAssigns(nodes: Node[]): ClassAssign[] {
  const out: ClassAssign[] = [];
  for (const node of nodes) {
    const targets: Node[] = [];
    let n: Node | null = node;
    let value: Node | null = null;
    while (n && n.type === 'assignment') {
      const left = n.childForFieldName('left');
      if (left) targets.push(left);
      value = n.childForFieldName('right');
      n = value;
    }
    if (!value) continue; // `x: int` declares, it binds nothing
    let v = squash(value.text);
    if (v.length > MAX_ASSIGN_VALUE) v = v.slice(0, MAX_ASSIGN_VALUE) + '…';
    for (const t of targets) {
      const ids = t.type === 'identifier' ? [t] : t.type === 'pattern_list' || t.type === 'tuple_pattern' ? t.namedChildren.filter((c) => c?.type === 'identifier') : [];
      for (const id of ids) if (id) out.push({ name: id.text, line: id.startPosition.row + 1, value: v });
    }
  }
  return out.sort((x, y) => x.line - y.line);
}

function pythonDocstring(body: Node): { text: string; endRow: number } | undefined {
  const first = body.namedChild(0);
  if (!first || first.type !== 'expression_statement') return undefined;
  const s = first.namedChild(0);
  if (!s || s.type !== 'string') return undefined;
  const raw = s.text.replace(/^[rRuUbBfF]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
  return { text: clip(dedent(raw)), endRow: s.endPosition.row };
}

function leadingComment(node: Node, facts: LangFacts): string | undefined {
  const parts: string[] = [];
  let nextRow = node.startPosition.row;
  for (let s = node.previousSibling; s && facts.comments.has(s.type); s = s.previousSibling) {
    if (s.endPosition.row < nextRow - 1) break;
    parts.unshift(s.text);
    nextRow = s.startPosition.row;
  }
  if (!parts.length) return undefined;
  const cleaned = parts
    .join('\n')
    .replace(/^\s*\/\*+!?/gm, '')
    .replace(/\*+\/\s*$/gm, '')
    .split('\n')
    .map((l) => l.replace(/^\s*(\/\/\/?!?|#+|\*(?!\/))\s?/, '').trimEnd())
    .join('\n')
    .replace(/<\/?summary>/g, '')
    .trim();
  return cleaned ? clip(cleaned) : undefined;
}

function attachCalls(calls: Node[], placed: Placed[]): CallSite[] {
  // Placed is sorted by start; a sweep with a stack finds the innermost enclosing symbol per call.
  const syms = placed.filter((p) => p.symbol);
  calls.sort((a, b) => a.startIndex - b.startIndex);
  const out: CallSite[] = [];
  const stack: Placed[] = [];
  let i = 0;
  for (const c of calls) {
    const at = c.startIndex;
    while (i < syms.length && syms[i].def.node.startIndex <= at) {
      while (stack.length && stack[stack.length - 1].def.node.endIndex <= syms[i].def.node.startIndex) stack.pop();
      stack.push(syms[i++]);
    }
    while (stack.length && stack[stack.length - 1].def.node.endIndex <= at) stack.pop();
    const pos = c.startPosition;
    const site: CallSite = { name: c.text, line: pos.row + 1, column: pos.column + 1 };
    const container = stack[stack.length - 1]?.symbol?.qualifiedName;
    if (container) site.container = container;
    out.push(site);
  }
  return out;
}

function errorLines(root: Node): number[] {
  const lines: number[] = [];
  const visit = (n: Node) => {
    if (lines.length >= MAX_ERROR_LINES) return;
    if (n.type === 'ERROR' || n.isMissing) {
      const line = n.startPosition.row + 1;
      if (!lines.includes(line)) lines.push(line);
      if (n.type === 'ERROR' && !n.children.some((c) => c?.hasError)) return;
    }
    for (const c of n.children) if (c && (c.hasError || c.isMissing)) visit(c);
  };
  visit(root);
  return lines.sort((a, b) => a - b);
}

export function countLines(text: string): number {
  if (!text) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function cleanName(s: string): string {
  return s.replace(/^['"`]|['"`]$/g, '');
}

/** `Vec<T>` -> `Vec`, `*Server` -> `Server`, `a::B` -> `B`. */
function baseTypeName(s: string): string {
  const noGenerics = s.replace(/<.*$/s, '').replace(/^[&*\s]+/, '').replace(/\bmut\s+/, '').trim();
  const parts = noGenerics.split(/::|\./);
  return parts[parts.length - 1] || noGenerics;
}

function dedent(s: string): string {
  const lines = s.split('\n');
  const indents = lines.slice(1).filter((l) => l.trim()).map((l) => l.match(/^\s*/)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return [lines[0].trim(), ...lines.slice(1).map((l) => l.slice(cut).trimEnd())].join('\n').trim();
}

function clip(s: string): string {
  return s.length > MAX_DOC ? s.slice(0, MAX_DOC) + '…' : s;
}
