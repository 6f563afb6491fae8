// Name tables over the index: classes, callables (functions + methods, each exactly once), direct
// members per class and call sites. Rebuilt when the index's file list changes.
import { CLASS_LIKE, type ClassAssign, type CodeSymbol, type FileRecord } from '../index/types';
import { NamePool } from './fuzzy';
import { isTestCode } from '../runner/test-files';

export interface SymRef {
  rec: FileRecord;
  sym: CodeSymbol;
}

/** A class-level assignment and the class whose body holds it. */
export interface AssignRef {
  cls: SymRef;
  assign: ClassAssign;
}

/** What attribute lookup finds for a name on a class: a method, or a class-level assignment. */
export type Binding = { kind: 'method'; owner: SymRef; refs: SymRef[] } | { kind: 'assign'; owner: SymRef; assign: ClassAssign };

/** The calls of one name inside one enclosing symbol of one file (or at its module level). */
export interface CallPlace {
  rec: FileRecord;
  container?: string;
  /** Distinct lines, ascending. */
  lines: number[];
}

/** Where a name is called: places of source files first, then of test files, each in path order. */
export interface CallsOf {
  calls: number;
  places: CallPlace[];
}

const memberKey = (rec: FileRecord, qualifiedName: string) => `${rec.path}\0${qualifiedName}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The class name a `bases` entry refers to: `pkg.Base[T]` / `Base<T>` / `ns::Base` / `Base(meta=X)` -> `Base`. */
export function baseName(written: string): string | undefined {
  let s = written.trim();
  s = s.replace(/^(public|protected|private|virtual|extends|implements)\s+/g, '');
  const cut = s.search(/[<[(]/);
  if (cut >= 0) s = s.slice(0, cut);
  const m = /([A-Za-z_$][\w$]*)\s*$/.exec(s.replace(/::/g, '.'));
  if (!m || s.includes('=')) return undefined;
  return m[1];
}

export class NameTable {
  readonly classes = new Map<string, SymRef[]>();
  readonly callables = new Map<string, SymRef[]>();
  private readonly members = new Map<string, SymRef[]>();
  private callIndex?: Map<string, CallsOf>;
  private assignIndex?: Map<string, AssignRef[]>;
  private readonly mroCache = new Map<CodeSymbol, SymRef[]>();
  private classPool?: NamePool;
  private callablePool?: NamePool;
  private pathList?: string[];
  private byPathMap?: Map<string, FileRecord>;
  private calledPool?: NamePool;

  constructor(readonly records: readonly FileRecord[]) {
    for (const rec of records) {
      for (const sym of rec.symbols) {
        if (CLASS_LIKE.has(sym.kind)) push(this.classes, sym.name, { rec, sym });
        else {
          push(this.callables, sym.name, { rec, sym });
          if (sym.container) push(this.members, memberKey(rec, sym.container), { rec, sym });
        }
      }
    }
  }

  /** Class names, prepared for "did you mean". */
  classNames(): NamePool {
    return (this.classPool ??= new NamePool(this.classes.keys()));
  }

  /** Function and method names, prepared for "did you mean". */
  callableNames(): NamePool {
    return (this.callablePool ??= new NamePool(this.callables.keys()));
  }

  /** Names that are called somewhere, prepared for "did you mean". */
  calledNames(): NamePool {
    return (this.calledPool ??= new NamePool(this.calls().keys()));
  }

  /** A file's record by its path. */
  record(path: string): FileRecord | undefined {
    return (this.byPathMap ??= new Map(this.records.map((r) => [r.path, r] as const))).get(path);
  }

  /** Every indexed file's path. */
  paths(): string[] {
    return (this.pathList ??= this.records.map((r) => r.path));
  }

  /** Functions/methods defined directly in `cls` (not nested functions of its methods). */
  membersOf(cls: SymRef): SymRef[] {
    return this.members.get(memberKey(cls.rec, cls.sym.qualifiedName)) ?? [];
  }

  /**
   * Call sites grouped into places, built in one pass over all files when first needed: queries
   * then touch only the places they show (walking thousands of scattered call objects per query
   * was the cost of find_references on large trees).
   */
  calls(): Map<string, CallsOf> {
    if (this.callIndex) return this.callIndex;
    const index = new Map<string, CallsOf>();
    const tests = new Map<string, CallPlace[]>();
    for (const rec of this.records) {
      const test = isTestCode(rec.path);
      const inFile = new Map<string, Map<string, CallPlace>>();
      for (const call of rec.calls) {
        let of = index.get(call.name);
        if (!of) index.set(call.name, (of = { calls: 0, places: [] }));
        of.calls++;
        let byContainer = inFile.get(call.name);
        if (!byContainer) inFile.set(call.name, (byContainer = new Map()));
        const key = call.container ?? '';
        let place = byContainer.get(key);
        if (!place) {
          byContainer.set(key, (place = { rec, container: call.container, lines: [] }));
          // calls come in source order, so places are created in the order of their first line
          if (test) push(tests, call.name, place);
          else of.places.push(place);
        }
        if (place.lines[place.lines.length - 1] !== call.line) place.lines.push(call.line);
      }
    }
    for (const [name, places] of tests) index.get(name)!.places.push(...places);
    this.callIndex = index;
    return index;
  }

  private readonly byQualified = new WeakMap<FileRecord, Map<string, CodeSymbol>>();
  /** Symbol by qualified name in a file (for a call's container). */
  symbolIn(rec: FileRecord, qualifiedName: string): CodeSymbol | undefined {
    let m = this.byQualified.get(rec);
    if (!m) {
      m = new Map();
      for (const s of rec.symbols) if (!m.has(s.qualifiedName)) m.set(s.qualifiedName, s);
      this.byQualified.set(rec, m);
    }
    return m.get(qualifiedName);
  }

  /**
   * Base classes of `cls`, resolved by name through the index. Where a name is defined more than
   * once, the definition in the same file wins, then the same directory, then the shortest path.
   */
  resolveBases(cls: SymRef): { resolved: SymRef[]; unresolved: string[] } {
    const resolved: SymRef[] = [];
    const unresolved: string[] = [];
    for (const written of cls.sym.bases ?? []) {
      const name = baseName(written);
      if (!name) continue;
      const cands = (this.classes.get(name) ?? []).filter((c) => c.sym !== cls.sym);
      if (cands.length === 0) {
        if (!['object', 'type'].includes(name)) unresolved.push(written);
        continue;
      }
      const dir = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);
      const rank = (c: SymRef) => (c.rec === cls.rec ? 0 : dir(c.rec.path) === dir(cls.rec.path) ? 1 : 2);
      const best = [...cands].sort((a, b) => rank(a) - rank(b) || a.rec.path.length - b.rec.path.length || (a.rec.path < b.rec.path ? -1 : 1))[0];
      resolved.push(best);
    }
    return { resolved, unresolved };
  }

  /** Ancestors of `cls` in method resolution order (the class itself excluded). */
  ancestors(cls: SymRef): SymRef[] {
    return this.mro(cls).slice(1);
  }

  /**
   * Python's method resolution order (C3 linearization) over the bases the index resolves: `cls`,
   * then its ancestors in the order attribute lookup visits them. Where C3 has no answer (an
   * inconsistent hierarchy, or a cycle through same-named classes) the order is depth-first, left
   * to right, each class once.
   */
  mro(cls: SymRef): SymRef[] {
    return this.linearize(cls, new Set());
  }

  private linearize(cls: SymRef, visiting: Set<CodeSymbol>): SymRef[] {
    const cached = this.mroCache.get(cls.sym);
    if (cached) return cached;
    if (visiting.has(cls.sym)) return [cls];
    visiting.add(cls.sym);
    const bases = this.resolveBases(cls).resolved.filter((b, i, all) => all.findIndex((x) => x.sym === b.sym) === i);
    const seqs = [...bases.map((b) => [...this.linearize(b, visiting)]), [...bases]];
    const out: SymRef[] = [cls];
    for (;;) {
      const live = seqs.filter((q) => q.length > 0);
      if (live.length === 0) break;
      const head = live.map((q) => q[0]).find((h) => !live.some((q) => q.slice(1).some((x) => x.sym === h.sym)));
      if (!head) {
        // no C3 order: depth-first, left to right, each class once
        const seen = new Set(out.map((r) => r.sym));
        for (const q of live) for (const x of q) if (!seen.has(x.sym) && x.sym !== cls.sym) (seen.add(x.sym), out.push(x));
        break;
      }
      if (head.sym !== cls.sym) out.push(head);
      for (const q of live) if (q[0].sym === head.sym) q.shift();
    }
    visiting.delete(cls.sym);
    this.mroCache.set(cls.sym, out);
    return out;
  }

  /**
   * Every class in the MRO of `cls` whose body binds `name`, by `def` or by assignment, in lookup
   * order: the first is what Python finds, the rest are what it hides (in one body the later
   * binding wins).
   */
  bindings(cls: SymRef, name: string): Binding[] {
    const out: Binding[] = [];
    for (const owner of this.mro(cls)) {
      const refs = this.membersOf(owner).filter((m) => m.sym.name === name);
      let assign: ClassAssign | undefined;
      for (const a of owner.sym.assigns ?? []) if (a.name === name) assign = a;
      if (assign && (refs.length === 0 || assign.line > Math.max(...refs.map((r) => r.sym.startLine)))) out.push({ kind: 'assign', owner, assign });
      else if (refs.length > 0) out.push({ kind: 'method', owner, refs });
    }
    return out;
  }

  /** Class-level assignments binding `name`, in every class of the index. */
  assignsNamed(name: string): AssignRef[] {
    if (!this.assignIndex) {
      this.assignIndex = new Map();
      for (const refs of this.classes.values()) for (const cls of refs) for (const assign of cls.sym.assigns ?? []) push(this.assignIndex, assign.name, { cls, assign });
    }
    return this.assignIndex.get(name) ?? [];
  }
}
