// Name tables over the index: classes, callables (functions + methods, each exactly once), direct
// members per class and call sites. Rebuilt when the index's file list changes.
import { CLASS_LIKE, type CallSite, type CodeSymbol, type FileRecord } from '../index/types';

export interface SymRef {
  rec: FileRecord;
  sym: CodeSymbol;
}

export interface CallRef {
  rec: FileRecord;
  call: CallSite;
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
  private callIndex?: Map<string, CallRef[]>;

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

  calls(): Map<string, CallRef[]> {
    if (!this.callIndex) {
      this.callIndex = new Map();
      for (const rec of this.records) for (const call of rec.calls) push(this.callIndex, call.name, { rec, call });
    }
    return this.callIndex;
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
