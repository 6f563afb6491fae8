// The tests pytest collects from a Python test file, read from the index's symbols (no second parser):
// module-level functions named test*, and test* methods of collected classes — classes named Test*
// without an __init__, and unittest TestCase subclasses whatever their name (through bases in the
// same file too). A collected class also runs the test methods it inherits from classes of the same
// file. Ids are pytest's: file::Class::Nested::test. Whether the file is a test file is
// isTestFile's question, asked before this.
import type { CodeSymbol } from '../core-bridge';

export interface DiscoveredTest {
  /** pytest's node id, e.g. tests/test_x.py::TestGroup::test_y. */
  id: string;
  /** 1-based lines of the definition (decorators included). */
  startLine: number;
  endLine: number;
}

/** unittest.TestCase, IsolatedAsyncioTestCase, django's SimpleTestCase...: a base that makes a unittest class. */
const UNITTEST_BASE = /(^|\.)\w*TestCase$/;
const TEST_NAME = /^test/;
const TEST_CLASS = /^Test/;

export function pythonTests(rel: string, symbols: readonly CodeSymbol[]): DiscoveredTest[] {
  const classes = new Map(symbols.filter((s) => s.kind === 'class').map((s) => [s.qualifiedName, s]));
  const methodsOf = (cls: CodeSymbol) => symbols.filter((s) => s.kind === 'method' && s.container === cls.qualifiedName);
  /** A base named as written (`Base`, `mod.Base`), found among the file's classes visible from `cls`. */
  const localBase = (cls: CodeSymbol, base: string): CodeSymbol | undefined => {
    const name = base.replace(/\[.*$/, '').trim();
    const scope = cls.container ? `${cls.container}.` : '';
    return classes.get(`${scope}${name}`) ?? classes.get(name);
  };
  const unittestMemo = new Map<string, boolean>();
  const isUnittest = (cls: CodeSymbol, seen = new Set<string>()): boolean => {
    const known = unittestMemo.get(cls.qualifiedName);
    if (known !== undefined) return known;
    if (seen.has(cls.qualifiedName)) return false;
    seen.add(cls.qualifiedName);
    const yes = (cls.bases ?? []).some((b) => {
      if (UNITTEST_BASE.test(b.trim())) return true;
      const local = localBase(cls, b);
      return !!local && isUnittest(local, seen);
    });
    unittestMemo.set(cls.qualifiedName, yes);
    return yes;
  };
  const isCollected = (cls: CodeSymbol): boolean => {
    if (cls.container) {
      const outer = classes.get(cls.container);
      // a class inside a function is never collected; inside a class only when that class is
      if (!outer || !isCollected(outer)) return false;
    }
    if (isUnittest(cls)) return true;
    return TEST_CLASS.test(cls.name) && !methodsOf(cls).some((m) => m.name === '__init__');
  };
  /** Test methods a class runs: its own, then what it inherits from same-file bases (own names win). */
  const testMethods = (cls: CodeSymbol, seen = new Set<string>()): CodeSymbol[] => {
    if (seen.has(cls.qualifiedName)) return [];
    seen.add(cls.qualifiedName);
    const own = methodsOf(cls).filter((m) => TEST_NAME.test(m.name));
    const names = new Set(methodsOf(cls).map((m) => m.name));
    const inherited: CodeSymbol[] = [];
    for (const b of cls.bases ?? []) {
      const base = localBase(cls, b);
      if (!base) continue;
      for (const m of testMethods(base, seen)) {
        if (names.has(m.name)) continue;
        names.add(m.name);
        inherited.push(m);
      }
    }
    return [...own, ...inherited];
  };

  const out: DiscoveredTest[] = [];
  const seenIds = new Set<string>();
  const add = (id: string, s: CodeSymbol) => {
    // a redefined name runs once, as its last definition (what Python binds)
    if (seenIds.has(id)) out.splice(out.findIndex((t) => t.id === id), 1);
    seenIds.add(id);
    out.push({ id, startLine: s.startLine, endLine: s.endLine });
  };
  for (const s of symbols) {
    if (s.kind === 'function' && !s.container && TEST_NAME.test(s.name)) add(`${rel}::${s.name}`, s);
    if (s.kind === 'class' && isCollected(s)) {
      const path = s.qualifiedName.split('.').join('::');
      for (const m of testMethods(s)) add(`${rel}::${path}::${m.name}`, m);
    }
  }
  return out;
}
