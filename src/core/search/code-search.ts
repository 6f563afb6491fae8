// The search API over the workspace index: AutoCodeRover's eight calls (same names, same meaning)
// plus find_references, without ACR's bugs, with "did you mean" on misses. Every call returns a
// SearchOutcome and never throws; renderOutcome turns it into budgeted text for the model.
import type { ClassAssign, FileRecord } from '../index/types';
import { resolveFileArg } from './file-args';
import { closestNames } from './fuzzy';
import { NameTable, type AssignRef, type Binding, type SymRef } from './names';
import { SEARCH_API_NAMES, specFor } from './specs';
import { isTestCode } from '../runner/test-files';
import { classOutline, fileLines, LineView, symbolOutline, tagLine } from './source-lines';
import { TextCorpus, type TextMatch } from './text-corpus';
import type { SearchApiName, SearchHit, SearchIndex, SearchOutcome } from './types';

export interface CodeSearchOptions {
  /** search_code stops after this many matches and says so. Default 500. */
  maxCodeMatches?: number;
  /** find_references builds hits for this many places (enclosing functions); the rest are counted per file. Default 300. */
  maxReferencePlaces?: number;
  /** get_code_around_line's window when none is given. Default 10. */
  defaultWindow?: number;
}

/** Argument names models and people also use, mapped onto ACR's. */
const ALIASES: Record<string, string[]> = {
  class_name: ['class', 'cls', 'className'],
  method_name: ['method', 'function', 'function_name', 'func', 'methodName', 'name'],
  file_name: ['file_path', 'file', 'path', 'filename', 'fileName', 'filePath'],
  file_path: ['file_name', 'file', 'path', 'filename', 'fileName', 'filePath'],
  code_str: ['code', 'text', 'query', 'snippet', 'codeStr'],
  line_number: ['line', 'lineno', 'lineNumber'],
  window_size: ['window', 'context', 'windowSize'],
  name: ['symbol', 'method_name', 'function_name', 'method', 'function'],
};

const modulePath = (path: string) =>
  path
    .replace(/\.[^./]+$/, '')
    .replace(/\/(__init__|index)$/, '')
    .replace(/\//g, '.');

/** Sources before tests, shallow paths before deep ones, then path and line. */
function rankRefs(refs: SymRef[]): SymRef[] {
  const keyed = refs.map((r) => ({ r, test: isTestCode(r.rec.path), depth: r.rec.path.split('/').length }));
  keyed.sort(
    (a, b) =>
      Number(a.test) - Number(b.test) ||
      a.depth - b.depth ||
      (a.r.rec.path < b.r.rec.path ? -1 : a.r.rec.path > b.r.rec.path ? 1 : 0) ||
      a.r.sym.startLine - b.r.sym.startLine,
  );
  return keyed.map((k) => k.r);
}

/** Class-level assignments ranked like symbols: sources before tests, shallow before deep. */
function rankAssigns(list: AssignRef[]): AssignRef[] {
  const byCls = new Map(list.map((a) => [a.cls, a] as const));
  const order = rankRefs([...byCls.keys()]);
  return order.flatMap((c) => list.filter((a) => a.cls === c));
}

const where = (r: SymRef) => `${r.rec.path}:${r.sym.startLine}`;
/** A class named with where it is: two classes of one name (a test's subclass) stay apart. */
const classAt = (r: SymRef) => `${r.sym.name} (${where(r)})`;
const bindingAt = (b: Binding) => (b.kind === 'assign' ? `${b.owner.rec.path}:${b.assign.line}` : where(b.refs[0]));
const quote = (s: string) => (s.includes('\n') ? JSON.stringify(s) : s);

export class CodeSearch {
  private table?: NameTable;
  private tableFiles?: FileRecord[];
  private searchOrder?: FileRecord[];
  private readonly corpus: TextCorpus;
  private readonly maxCodeMatches: number;
  private readonly maxReferencePlaces: number;
  private readonly defaultWindow: number;

  constructor(private readonly index: SearchIndex, opts: CodeSearchOptions = {}) {
    this.corpus = new TextCorpus((rel) => index.readText(rel));
    this.maxCodeMatches = opts.maxCodeMatches ?? 500;
    this.maxReferencePlaces = opts.maxReferencePlaces ?? 300;
    this.defaultWindow = opts.defaultWindow ?? 10;
  }

  /** Reads every file's text and builds the text-search filters now instead of on the first search_code. */
  warm(): void {
    const t = this.names();
    this.corpus.warm(t.records);
    t.calls();
    t.callableNames();
    t.classNames();
  }

  // ---- public API (each returns, never throws) ----

  searchClass(className: string): SearchOutcome {
    return this.guard('search_class', { class_name: className }, () => this.doSearchClass(className));
  }
  searchClassInFile(className: string, fileName: string): SearchOutcome {
    return this.guard('search_class_in_file', { class_name: className, file_name: fileName }, () => this.doSearchClassInFile(className, fileName));
  }
  searchMethod(methodName: string): SearchOutcome {
    return this.guard('search_method', { method_name: methodName }, () => this.doSearchMethod(methodName));
  }
  searchMethodInClass(methodName: string, className: string): SearchOutcome {
    return this.guard('search_method_in_class', { method_name: methodName, class_name: className }, () =>
      this.doSearchMethodInClass(methodName, className, 'search_method_in_class'),
    );
  }
  searchMethodInFile(methodName: string, filePath: string): SearchOutcome {
    return this.guard('search_method_in_file', { method_name: methodName, file_path: filePath }, () => this.doSearchMethodInFile(methodName, filePath));
  }
  searchCode(code: string): SearchOutcome {
    return this.guard('search_code', { code_str: code }, () => this.doSearchCode(code));
  }
  searchCodeInFile(code: string, filePath: string): SearchOutcome {
    return this.guard('search_code_in_file', { code_str: code, file_path: filePath }, () => this.doSearchCodeInFile(code, filePath));
  }
  getCodeAroundLine(filePath: string, line: number, window?: number): SearchOutcome {
    const args: Record<string, unknown> = { file_path: filePath, line_number: line };
    if (window !== undefined) args.window_size = window;
    return this.guard('get_code_around_line', args, () => this.doCodeAroundLine(filePath, line, window ?? this.defaultWindow));
  }
  findReferences(name: string): SearchOutcome {
    return this.guard('find_references', { name }, () => this.doFindReferences(name));
  }

  /** Runs an API by its ACR name with named arguments (aliases accepted); validates, never throws. */
  call(api: string, args: Record<string, unknown> | unknown[]): SearchOutcome {
    const spec = specFor(api);
    if (!spec) {
      const suggestions = closestNames(api, SEARCH_API_NAMES, 3);
      const error = `Unknown search API "${api}". Available: ${SEARCH_API_NAMES.join(', ')}.`;
      return { api: api as SearchApiName, args: Array.isArray(args) ? { _: args } : args ?? {}, ok: false, hits: [], total: 0, message: error, error, suggestions };
    }
    const named: Record<string, unknown> = {};
    if (Array.isArray(args)) {
      if (args.length > spec.params.length) {
        const error = `${api} takes ${spec.params.length} argument(s) (${spec.params.join(', ')}), got ${args.length}.`;
        return { api: spec.name, args: { _: args }, ok: false, hits: [], total: 0, message: error, error };
      }
      args.forEach((v, i) => (named[spec.params[i]] = v));
    } else if (args && typeof args === 'object') {
      for (const p of spec.params) {
        if (args[p] !== undefined) named[p] = args[p];
        else for (const alias of ALIASES[p] ?? []) if (args[alias] !== undefined && !spec.params.includes(alias)) { named[p] = args[alias]; break; }
      }
    }
    const parsed = spec.schema.safeParse(named);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
      const error = `Invalid arguments for ${api}(${spec.params.join(', ')}): ${problems}.`;
      return { api: spec.name, args: named, ok: false, hits: [], total: 0, message: error, error };
    }
    const a = parsed.data as Record<string, unknown>;
    const s = (k: string) => String(a[k]);
    switch (spec.name) {
      case 'search_class': return this.searchClass(s('class_name'));
      case 'search_class_in_file': return this.searchClassInFile(s('class_name'), s('file_name'));
      case 'search_method': return this.searchMethod(s('method_name'));
      case 'search_method_in_class': return this.searchMethodInClass(s('method_name'), s('class_name'));
      case 'search_method_in_file': return this.searchMethodInFile(s('method_name'), s('file_path'));
      case 'search_code': return this.searchCode(s('code_str'));
      case 'search_code_in_file': return this.searchCodeInFile(s('code_str'), s('file_path'));
      case 'get_code_around_line':
        return this.getCodeAroundLine(s('file_path'), Number(a.line_number), a.window_size === undefined ? undefined : Number(a.window_size));
      case 'find_references': return this.findReferences(s('name'));
    }
  }

  // ---- plumbing ----

  private guard(api: SearchApiName, args: Record<string, unknown>, body: () => Omit<SearchOutcome, 'api' | 'args'>): SearchOutcome {
    try {
      return { api, args, ...body() };
    } catch (e) {
      const error = `internal error in ${api}: ${e instanceof Error ? e.message : String(e)}`;
      return { api, args, ok: false, hits: [], total: 0, message: error, error };
    }
  }

  private names(): NameTable {
    const files = this.index.files();
    if (!this.table || files !== this.tableFiles) {
      this.table = new NameTable(files);
      this.tableFiles = files;
      this.searchOrder = undefined;
      this.corpus.prune(files);
    }
    return this.table;
  }

  /** Files in the order search_code scans them: sources before tests, so a capped scan shows sources. */
  private codeSearchOrder(): FileRecord[] {
    const files = this.names().records;
    this.searchOrder ??= [...files.filter((f) => !isTestCode(f.path)), ...files.filter((f) => isTestCode(f.path))];
    return this.searchOrder;
  }

  private lines(rec: FileRecord): LineView {
    return this.corpus.view(rec) ?? new LineView('');
  }

  private symbolHit(ref: SymRef, form: 'full' | 'outline', note?: string): SearchHit {
    const lines = this.lines(ref.rec);
    const { sym } = ref;
    const isClass = sym.kind !== 'function' && sym.kind !== 'method';
    const outline = isClass ? classOutline(ref.rec, sym, lines) : symbolOutline(sym, lines);
    const hit: SearchHit = {
      file: ref.rec.path,
      startLine: sym.startLine,
      endLine: Math.min(sym.endLine, Math.max(lines.count, sym.startLine)),
      className: isClass ? sym.name : sym.className,
      symbol: sym.name,
      kind: sym.kind,
      code: '',
    };
    const headerEnd = sym.headerEndLine;
    if (headerEnd !== undefined && headerEnd >= hit.startLine && headerEnd <= hit.endLine) hit.headerEnd = headerEnd;
    if (sym.docEndLine !== undefined && sym.docEndLine <= hit.endLine) hit.docEnd = sym.docEndLine;
    if (form === 'outline') {
      hit.code = outline.code;
      hit.lineNumbers = outline.lineNumbers;
      hit.signatureOnly = true;
    } else {
      hit.code = lines.slice(sym.startLine, hit.endLine).join('\n');
      hit.outline = outline;
    }
    if (note) hit.note = note;
    return hit;
  }

  /** A class-level `name = value` as a hit of its own. */
  private assignHit(owner: SymRef, a: ClassAssign, note?: string): SearchHit {
    const hit: SearchHit = { file: owner.rec.path, startLine: a.line, endLine: a.line, className: owner.sym.name, symbol: a.name, kind: 'assignment', code: this.lines(owner.rec).line(a.line) };
    if (note) hit.note = note;
    return hit;
  }

  private fail(message: string, suggestions?: string[], notes?: string[]): Omit<SearchOutcome, 'api' | 'args'> {
    const out: Omit<SearchOutcome, 'api' | 'args'> = { ok: false, hits: [], total: 0, message };
    if (suggestions && suggestions.length > 0) out.suggestions = suggestions;
    if (notes && notes.length > 0) out.notes = notes;
    return out;
  }

  private refused(error: string): Omit<SearchOutcome, 'api' | 'args'> {
    return { ok: false, hits: [], total: 0, message: error, error };
  }

  private success(hits: SearchHit[], message: string, notes: string[] = [], total = hits.length): Omit<SearchOutcome, 'api' | 'args'> {
    const out: Omit<SearchOutcome, 'api' | 'args'> = { ok: true, hits, total, message };
    if (notes.length > 0) out.notes = notes;
    return out;
  }

  /** Classes named `arg`; `pkg.module.Class` and `Outer.Inner` narrow by module path / nesting. */
  private findClasses(arg: string): SymRef[] {
    const t = this.names();
    const parts = arg.trim().replace(/::/g, '.').split('.').filter(Boolean);
    const name = parts[parts.length - 1] ?? '';
    const refs = t.classes.get(name) ?? [];
    if (parts.length < 2) return rankRefs(refs);
    const q = parts.join('.');
    return rankRefs(
      refs.filter((r) => {
        const full = `${modulePath(r.rec.path)}.${r.sym.qualifiedName}`;
        return r.sym.qualifiedName === q || r.sym.qualifiedName.endsWith('.' + q) || full === q || full.endsWith('.' + q);
      }),
    );
  }

  private classSuggestions(name: string): string[] {
    const t = this.names();
    const last = name.replace(/::/g, '.').split('.').filter(Boolean).pop() ?? name;
    const out = closestNames(last, t.classNames(), 5).map((n) => `${n} (${where(rankRefs(t.classes.get(n)!)[0])})`);
    if (t.callables.has(last)) out.push(`${last} is a function/method, not a class: search_method("${last}")`);
    if (out.length === 0 && last !== name && t.classes.has(last)) out.push(`${last} (${where(rankRefs(t.classes.get(last)!)[0])})`);
    return out;
  }

  private methodSuggestions(name: string, pool?: Iterable<string>): string[] {
    const t = this.names();
    const out = closestNames(name, pool ?? t.callableNames(), 5).map((n) => {
      const refs = t.callables.get(n);
      if (!refs) return n;
      const r = rankRefs(refs)[0];
      return `${r.sym.className ? r.sym.className + '.' : ''}${n} (${where(r)})`;
    });
    if (!pool && t.classes.has(name)) out.push(`${name} is a class: search_class("${name}")`);
    return out;
  }

  private resolveFile(arg: string): { files: FileRecord[]; notes: string[] } | { error: Omit<SearchOutcome, 'api' | 'args'> } {
    const t = this.names();
    const res = resolveFileArg(arg, t.paths(), this.index.root);
    if (!res.ok) {
      if (res.refused) return { error: { ...this.refused(res.error), ...(res.suggestions ? { suggestions: res.suggestions } : {}) } };
      return { error: this.fail(res.error, res.suggestions) };
    }
    const recs = res.files.map((p) => t.record(p)).filter((r): r is FileRecord => r !== undefined);
    const notes = recs.length > 1 ? [`"${arg}" matched ${recs.length} files: ${recs.map((r) => r.path).join(', ')}.`] : [];
    return { files: recs, notes };
  }

  // ---- the APIs ----

  private doSearchClass(name: string) {
    const refs = this.findClasses(name);
    if (refs.length === 0) return this.fail(`Could not find class ${name} in the codebase.`, this.classSuggestions(name));
    const hits = refs.map((r) => this.symbolHit(r, 'outline'));
    return this.success(hits, `Found ${refs.length} ${refs.length === 1 ? 'class' : 'classes'} with name ${name} in the codebase.`);
  }

  private doSearchClassInFile(name: string, file: string) {
    const f = this.resolveFile(file);
    if ('error' in f) return f.error;
    const inFiles = new Set(f.files);
    const refs = this.findClasses(name).filter((r) => inFiles.has(r.rec));
    if (refs.length === 0) {
      const elsewhere = this.findClasses(name);
      const local = f.files.flatMap((r) => r.symbols.filter((s) => s.kind !== 'function' && s.kind !== 'method').map((s) => s.name));
      const sugg = closestNames(name, new Set(local), 5);
      const notes = elsewhere.length > 0 ? [`${name} is defined in: ${elsewhere.map(where).join(', ')}.`] : [];
      return this.fail(`Could not find class ${name} in file ${file}.`, sugg.length ? sugg : this.classSuggestions(name), [...f.notes, ...notes]);
    }
    const hits = refs.map((r) => this.symbolHit(r, 'full'));
    return this.success(hits, `Found ${refs.length} ${refs.length === 1 ? 'class' : 'classes'} with name ${name} in file ${file}.`, f.notes);
  }

  private doSearchMethod(name: string) {
    const t = this.names();
    const parts = name.trim().replace(/::/g, '.').split('.').filter(Boolean);
    // names that contain dots themselves (`[Symbol.iterator]`) are looked up as they are first
    if (parts.length >= 2 && !t.callables.has(name)) {
      const method = parts[parts.length - 1];
      const owner = parts.slice(0, -1).join('.');
      if (this.findClasses(owner).length > 0) return this.doSearchMethodInClass(method, owner, 'search_method');
      // `module.func` or `outer.inner`
      const refs = (t.callables.get(method) ?? []).filter((r) => {
        const full = `${modulePath(r.rec.path)}.${r.sym.qualifiedName}`;
        const q = parts.join('.');
        return r.sym.qualifiedName === q || r.sym.qualifiedName.endsWith('.' + q) || full.endsWith('.' + q) || full === q;
      });
      if (refs.length === 0) return this.fail(`Could not find method ${name} in the codebase.`, this.methodSuggestions(method));
      return this.methodHits(refs, `Found ${refs.length} ${refs.length === 1 ? 'method' : 'methods'} with name ${name} in the codebase.`);
    }
    const refs = t.callables.get(name) ?? [];
    const bound = rankAssigns(t.assignsNamed(name));
    if (refs.length === 0 && bound.length === 0) return this.fail(`Could not find method ${name} in the codebase.`, this.methodSuggestions(name));
    if (refs.length === 0) {
      const hits = bound.map((b) => this.assignHit(b.cls, b.assign));
      const notes = [`${name} is bound only by class-level assignments; search_method_in_class("${name}", "${bound[0].cls.sym.name}") shows what it resolves to.`];
      return this.success(hits, `Found ${hits.length} class-level ${hits.length === 1 ? 'assignment' : 'assignments'} of ${name} in the codebase.`, notes);
    }
    const notes: string[] = [];
    if (bound.length > 0) {
      const list = bound.slice(0, 5).map((b) => `${b.cls.sym.name}: \`${name} = ${b.assign.value}\` (${b.cls.rec.path}:${b.assign.line})`);
      notes.push(
        `${name} is also bound by class-level assignment in ${list.join('; ')}${bound.length > 5 ? `; and ${bound.length - 5} more` : ''}. For those classes, and subclasses that do not define ${name} themselves, Python finds that binding, not a base class's method; search_method_in_class("${name}", <class>) shows what a class resolves it to.`,
      );
    }
    return this.methodHits(refs, `Found ${refs.length} ${refs.length === 1 ? 'method' : 'methods'} with name ${name} in the codebase.`, notes);
  }

  private methodHits(refs: SymRef[], message: string, notes: string[] = []) {
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    for (const r of rankRefs(refs)) {
      const key = `${r.rec.path}:${r.sym.startLine}:${r.sym.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hits.push(this.symbolHit(r, 'full'));
    }
    return this.success(hits, message, notes);
  }

  private doSearchMethodInClass(methodArg: string, className: string, api: SearchApiName) {
    const t = this.names();
    const method = methodArg.trim().replace(/::/g, '.').split('.').filter(Boolean).pop() ?? methodArg;
    const classes = this.findClasses(className);
    if (classes.length === 0) return this.fail(`Could not find class ${className} in the codebase.`, this.classSuggestions(className));
    const notes: string[] = [];
    const hits: SearchHit[] = [];
    const byKey = new Map<string, SearchHit>();
    const add = (hit: SearchHit) => {
      const key = `${hit.file}:${hit.startLine}:${hit.kind}`;
      if (!byKey.has(key)) {
        byKey.set(key, hit);
        hits.push(hit);
      }
    };
    const note = (n: string) => {
      if (!notes.includes(n)) notes.push(n);
      return n;
    };
    for (const cls of classes) {
      // what attribute lookup finds, in method resolution order: the first binding is what runs
      const [first, ...hidden] = t.bindings(cls, method);
      if (!first) continue;
      if (first.kind === 'method') {
        if (first.owner.sym === cls.sym) {
          for (const r of first.refs) add(this.symbolHit(r, 'full'));
          const parent = hidden[0];
          if (parent) {
            note(
              `${cls.sym.name}.${method} (${where(first.refs[0])}) overrides ${parent.owner.sym.name}.${method} (${bindingAt(parent)}); search_method_in_class("${method}", "${parent.owner.sym.name}") shows the parent's version.`,
            );
          }
        } else {
          const n = note(`${classAt(cls)} does not define ${method}; it inherits it from ${classAt(first.owner)}, defined at ${where(first.refs[0])}.`);
          for (const r of first.refs) add(this.symbolHit(r, 'full', n));
        }
        continue;
      }
      // a class-level assignment (`_print_Derivative = _print_not_supported`) wins over any method further up
      const a = first.assign;
      const stmt = `\`${a.name} = ${a.value}\` (${bindingAt(first)})`;
      const n = note(
        first.owner.sym === cls.sym
          ? `${classAt(cls)} binds ${method} by a class-level assignment, ${stmt}.`
          : `${classAt(cls)} does not define ${method}; Python resolves it to the class-level assignment ${stmt} in ${classAt(first.owner)}.`,
      );
      add(this.assignHit(first.owner, a, n));
      const target = /^[A-Za-z_$][\w$]*$/.test(a.value) ? t.bindings(first.owner, a.value)[0] : undefined;
      if (target?.kind === 'method') {
        for (const r of target.refs) add(this.symbolHit(r, 'full', `For ${cls.sym.name}, ${method} is this ${target.owner.sym.name}.${a.value}.`));
      }
      const shadowed = hidden.find((b) => b.kind === 'method');
      if (shadowed?.kind === 'method') {
        const s = note(`${shadowed.owner.sym.name}.${method} (${where(shadowed.refs[0])}) comes later in ${cls.sym.name}'s method resolution order: the assignment hides it.`);
        for (const r of shadowed.refs) add(this.symbolHit(r, 'full', s));
      }
    }
    if (hits.length === 0) {
      const pool = new Set<string>();
      for (const cls of classes) {
        for (const k of t.mro(cls)) {
          for (const m of t.membersOf(k)) pool.add(m.sym.name);
          for (const a of k.sym.assigns ?? []) pool.add(a.name);
        }
      }
      const elsewhere = rankRefs((t.callables.get(method) ?? []).filter((r) => r.sym.className));
      const extra = elsewhere.length
        ? [`${method} is defined in: ${elsewhere.slice(0, 8).map((r) => `${r.sym.className}.${method} (${where(r)})`).join(', ')}${elsewhere.length > 8 ? `, and ${elsewhere.length - 8} more` : ''}.`]
        : [];
      const unresolved = classes.flatMap((c) => t.resolveBases(c).unresolved);
      if (unresolved.length) extra.push(`Base classes not found in the index: ${[...new Set(unresolved)].join(', ')}.`);
      return this.fail(`Could not find method ${method} in class ${className}.`, this.methodSuggestions(method, pool), extra);
    }
    const n = hits.length;
    const word = hits.every((h) => h.kind === 'method' || h.kind === 'function') ? (n === 1 ? 'method' : 'methods') : n === 1 ? 'result' : 'results';
    const msg = api === 'search_method' ? `Found ${n} ${word} with name ${className}.${method} in the codebase.` : `Found ${n} ${word} with name ${method} in class ${className}.`;
    return this.success(hits, msg, notes);
  }

  private doSearchMethodInFile(methodArg: string, file: string) {
    const f = this.resolveFile(file);
    if ('error' in f) return f.error;
    const parts = methodArg.trim().replace(/::/g, '.').split('.').filter(Boolean);
    const method = parts.pop() ?? methodArg;
    const owner = parts.join('.');
    const refs: SymRef[] = [];
    for (const rec of f.files) {
      for (const sym of rec.symbols) {
        if ((sym.kind !== 'function' && sym.kind !== 'method') || sym.name !== method) continue;
        if (owner && !(sym.qualifiedName === `${owner}.${method}` || sym.qualifiedName.endsWith(`.${owner}.${method}`))) continue;
        refs.push({ rec, sym });
      }
    }
    if (refs.length === 0) {
      // a class-level `name = other` in the file binds the name as a method would
      const bound = f.files.flatMap((rec) =>
        rec.symbols.flatMap((sym) => (sym.assigns ?? []).filter((a) => a.name === method && (!owner || sym.qualifiedName === owner || sym.qualifiedName.endsWith(`.${owner}`))).map((a) => ({ cls: { rec, sym }, assign: a }))),
      );
      if (bound.length > 0) {
        const hits = bound.map((b) => this.assignHit(b.cls, b.assign));
        const notes = [...f.notes, `${method} is bound here by class-level assignment; search_method_in_class("${method}", "${bound[0].cls.sym.name}") shows what it resolves to.`];
        return this.success(hits, `Found ${hits.length} class-level ${hits.length === 1 ? 'assignment' : 'assignments'} of ${methodArg} in file ${file}.`, notes);
      }
      const local = new Set(f.files.flatMap((r) => r.symbols.filter((s) => s.kind === 'function' || s.kind === 'method').map((s) => s.name)));
      const t = this.names();
      const elsewhere = rankRefs(t.callables.get(method) ?? []);
      const notes = [...f.notes];
      if (elsewhere.length === 0) notes.push(`The method ${method} does not appear in the codebase.`);
      else notes.push(`${method} is defined in: ${elsewhere.slice(0, 8).map(where).join(', ')}${elsewhere.length > 8 ? `, and ${elsewhere.length - 8} more` : ''}.`);
      return this.fail(`There is no method with name ${methodArg} in file ${file}.`, closestNames(method, local, 5), notes);
    }
    return this.methodHits(refs, `Found ${refs.length} ${refs.length === 1 ? 'method' : 'methods'} with name ${methodArg} in file ${file}.`, f.notes);
  }

  private codeHits(matches: TextMatch[]): SearchHit[] {
    const hits: SearchHit[] = [];
    // where each merged hit's matches are: a window can join matches of neighbouring functions
    const tags = new Map<SearchHit, { where: string; line: number }[]>();
    let last: { hit: SearchHit; rec: FileRecord } | undefined;
    for (const m of matches) {
      const lines = fileLines(m.rec, m.text, m.newlines);
      const ws = Math.max(1, m.startLine - 3);
      const we = Math.min(lines.count, m.endLine + 3);
      const matchLines: number[] = [];
      for (let l = m.startLine; l <= m.endLine; l++) matchLines.push(l);
      const tag = tagLine(m.rec, m.startLine);
      const at = tag.symbol ? (tag.className ? `${tag.className}.${tag.symbol}` : tag.symbol) : tag.className ? `class ${tag.className}` : 'module level';
      if (last && last.rec === m.rec && ws <= last.hit.endLine + 1) {
        last.hit.endLine = Math.max(last.hit.endLine, we);
        // matches come in file order: a line is new when it is past the last one recorded
        const ml = last.hit.matchLines!;
        for (const l of matchLines) if (l > ml[ml.length - 1]) ml.push(l);
        const list = tags.get(last.hit)!;
        if (list[list.length - 1].where !== at && !list.some((t) => t.where === at)) list.push({ where: at, line: m.startLine });
        continue;
      }
      const hit: SearchHit = { file: m.rec.path, startLine: ws, endLine: we, kind: 'code', code: '', matchLines };
      if (tag.className) hit.className = tag.className;
      if (tag.symbol) hit.symbol = tag.symbol;
      hits.push(hit);
      tags.set(hit, [{ where: at, line: m.startLine }]);
      last = { hit, rec: m.rec };
    }
    const recOf = new Map(matches.map((m) => [m.rec.path, m] as const));
    for (const h of hits) {
      const m = recOf.get(h.file)!;
      const lines = fileLines(m.rec, m.text, m.newlines);
      h.code = lines.slice(h.startLine, h.endLine).join('\n');
      h.outline = { code: h.matchLines!.map((l) => lines.line(l)).join('\n'), lineNumbers: [...h.matchLines!] };
      const list = tags.get(h)!;
      if (list.length > 1) h.note = `Matches in ${list.map((t) => `${t.where} (line ${t.line})`).join(', ')}.`;
    }
    return hits;
  }

  private doSearchCode(code: string) {
    // the matches past the cap are counted, not collected: the model learns how broad the query is
    const res = this.corpus.search(code, this.codeSearchOrder(), this.maxCodeMatches, true);
    const notes: string[] = [];
    if (res.unreadable.length) notes.push(`${res.unreadable.length} file(s) could not be read: ${res.unreadable.slice(0, 5).join(', ')}.`);
    if (res.matches.length === 0) return this.fail(`Could not find code ${quote(code)} in the codebase.`, undefined, notes);
    const hits = this.codeHits(res.matches);
    const n = res.matches.length;
    const files = new Set(hits.map((h) => h.file));
    if (res.rest && res.rest.size > 0) {
      let more = 0;
      const otherFiles: { file: string; matches: number }[] = [];
      for (const [file, k] of res.rest) {
        more += k;
        otherFiles.push({ file, matches: k });
        files.add(file);
      }
      notes.push(`Collected the first ${n} matches (sources before tests) of ${n + more}; use a longer snippet or search_code_in_file.`);
      const out = this.success(hits, `Found ${n + more} matches of ${quote(code)} in ${files.size} file(s) of the codebase.`, notes, n + more);
      out.otherFiles = otherFiles;
      return out;
    }
    return this.success(hits, `Found ${n} ${n === 1 ? 'match' : 'matches'} of ${quote(code)} in ${files.size} file(s) of the codebase.`, notes, n);
  }

  private doSearchCodeInFile(code: string, file: string) {
    const f = this.resolveFile(file);
    if ('error' in f) return f.error;
    const res = this.corpus.search(code, f.files);
    if (res.unreadable.length) return this.fail(`Could not read file ${res.unreadable.join(', ')}.`, undefined, f.notes);
    if (res.matches.length === 0) return this.fail(`Could not find code ${quote(code)} in file ${file}.`, undefined, f.notes);
    const hits = this.codeHits(res.matches);
    const n = res.matches.length;
    return this.success(hits, `Found ${n} ${n === 1 ? 'match' : 'matches'} of ${quote(code)} in file ${file}.`, f.notes, n);
  }

  private doCodeAroundLine(file: string, line: number, window: number) {
    if (!Number.isInteger(line) || line < 1) return this.refused(`line_number must be a positive integer, got ${line}.`);
    if (!Number.isInteger(window) || window < 0) return this.refused(`window_size must be a non-negative integer, got ${window}.`);
    const f = this.resolveFile(file);
    if ('error' in f) return f.error;
    if (f.files.length > 1) {
      return this.fail(`"${file}" is ambiguous: it matches ${f.files.length} files; give more of the path.`, f.files.map((r) => r.path));
    }
    const rec = f.files[0];
    const lines = this.corpus.view(rec);
    if (lines === undefined) return this.fail(`Could not read file ${rec.path}.`);
    if (line > lines.count) return this.fail(`Line ${line} is invalid in file ${rec.path}: it has ${lines.count} lines.`);
    const start = Math.max(1, line - window);
    const end = Math.min(lines.count, line + window);
    const tag = tagLine(rec, line);
    const hit: SearchHit = { file: rec.path, startLine: start, endLine: end, kind: 'code', code: lines.slice(start, end).join('\n'), matchLines: [line] };
    if (tag.className) hit.className = tag.className;
    if (tag.symbol) hit.symbol = tag.symbol;
    hit.outline = { code: lines.line(line), lineNumbers: [line] };
    return this.success([hit], `Lines ${start}-${end} of ${rec.path} (around line ${line}).`);
  }

  private doFindReferences(nameArg: string) {
    const t = this.names();
    const parts = nameArg.trim().replace(/::/g, '.').split('.').filter(Boolean);
    const name = parts[parts.length - 1] ?? nameArg;
    const found = t.calls().get(name);
    if (!found) {
      const pool = t.calledNames();
      const defs = t.callables.get(name) ?? [];
      const notes = defs.length ? [`${name} is defined at ${rankRefs(defs).slice(0, 5).map(where).join(', ')} but no call to it was found.`] : [];
      return this.fail(`Could not find any call of ${nameArg} in the codebase.`, closestNames(name, pool, 5), notes);
    }
    // one place per (file, enclosing symbol), sources before tests
    const ordered = found.places;
    const n = found.calls;
    const notes = ['Calls are matched by name; receivers are not type-checked.'];
    if (ordered.length > this.maxReferencePlaces) {
      const rest = ordered.slice(this.maxReferencePlaces);
      const perFile = new Map<string, number>();
      for (const g of rest) perFile.set(g.rec.path, (perFile.get(g.rec.path) ?? 0) + g.lines.length);
      const files = [...perFile].map(([f, n]) => `${f} (${n})`);
      notes.push(
        `${rest.length} more place(s) with ${rest.reduce((s, g) => s + g.lines.length, 0)} call(s) are only counted: ${files.slice(0, 20).join(', ')}${files.length > 20 ? `, and ${files.length - 20} more file(s)` : ''}; list them with search_code_in_file("${name}(", <file>).`,
      );
    }
    const hits: SearchHit[] = ordered.slice(0, this.maxReferencePlaces).map((g) => {
      const lines = this.lines(g.rec);
      const sym = g.container ? t.symbolIn(g.rec, g.container) : undefined;
      const hit: SearchHit = {
        file: g.rec.path,
        startLine: g.lines[0],
        endLine: g.lines[g.lines.length - 1],
        kind: 'call',
        code: g.lines.map((l) => lines.line(l)).join('\n'),
        lineNumbers: [...g.lines],
        matchLines: [...g.lines],
      };
      if (sym) {
        hit.symbol = sym.name;
        const cls = sym.kind === 'function' || sym.kind === 'method' ? sym.className : sym.name;
        if (cls) hit.className = cls;
        hit.note = `in ${sym.qualifiedName} (${g.rec.path}:${sym.startLine})`;
      } else hit.note = 'at module level';
      return hit;
    });
    return this.success(hits, `Found ${n} ${n === 1 ? 'call' : 'calls'} of ${name} in ${hits.length} place(s).`, notes, n);
  }
}
