// Name tables over the index: classes, callables (functions + methods, each exactly once), direct
// members per class and call sites. Rebuilt when the index's file list changes.
import { CLASS_LIKE, type CodeSymbol, type FileRecord } from '../index/types';
import { isTestPath } from './source-lines';

export interface SymRef {
  rec: FileRecord;
  sym: CodeSymbol;
}

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
      const test = isTestPath(rec.path);
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

  /** Ancestors of `cls`, nearest first (breadth-first over bases, each visited once). */
  ancestors(cls: SymRef): SymRef[] {
    const out: SymRef[] = [];
    const seen = new Set<CodeSymbol>([cls.sym]);
    let level = [cls];
    while (level.length > 0) {
      const next: SymRef[] = [];
      for (const c of level) {
        for (const b of this.resolveBases(c).resolved) {
          if (seen.has(b.sym)) continue;
          seen.add(b.sym);
          out.push(b);
          next.push(b);
        }
      }
      level = next;
    }
    return out;
  }
}
