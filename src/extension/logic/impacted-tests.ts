// Which tests a changed file impacts (after a save, for Validate Current Changes, after a review). With
// a coverage map (test id -> covered "file:line"s) the tests that execute the changed lines are chosen;
// without one, test files that import the changed module or are named after it (the import scan is the
// validator's). A changed test file is itself impacted.
import { posix } from 'node:path';
import { importsModule, isTestFile } from '../core-bridge';

export { isTestFile };

function stem(rel: string): string {
  return posix.basename(rel).replace(/\.(test|spec)(?=\.)/, '').replace(/\.[^.]+$/, '');
}

/** Python module names a file can be imported as: pkg/mod.py -> pkg.mod (also without a src/ prefix). */
export function pythonModuleNames(rel: string): string[] {
  if (!rel.endsWith('.py')) return [];
  let mod = rel.slice(0, -3).replace(/\/__init__$/, '').split('/').join('.');
  const names = [mod];
  for (const prefix of ['src.', 'lib.']) if (mod.startsWith(prefix)) names.push(mod.slice(prefix.length));
  return names.filter(Boolean);
}

export interface TestFileText {
  rel: string;
  text: string;
}

export interface ImpactedSelection {
  /** Test ids (coverage) or test file paths (heuristics), relative to the root. */
  tests: string[];
  mode: 'coverage' | 'imports' | 'self' | 'none';
  reason: string;
}

export function impactedByHeuristics(savedRel: string, testFiles: TestFileText[]): ImpactedSelection {
  if (isTestFile(savedRel)) return { tests: [savedRel], mode: 'self', reason: `${savedRel} is a test file` };
  const isPy = savedRel.endsWith('.py');
  const name = stem(savedRel);
  const hits = new Set<string>();
  const why: string[] = [];
  for (const t of testFiles) {
    if (t.rel === savedRel) continue;
    const sameLang = isPy === t.rel.endsWith('.py');
    const imports = sameLang && importsModule(t.rel, t.text, savedRel);
    const named = stem(t.rel).replace(/^test_|_test$/g, '') === name;
    if (imports || named) {
      hits.add(t.rel);
      why.push(`${t.rel} (${imports ? 'imports it' : 'named after it'})`);
    }
  }
  if (hits.size === 0) return { tests: [], mode: 'none', reason: `no test file imports ${savedRel} or is named after it` };
  return { tests: [...hits].sort(), mode: 'imports', reason: why.join(', ') };
}

/**
 * Tests whose coverage touches the changed lines of `savedRel` (all its lines when the change is
 * unknown). Returns undefined when the map has no data for the file at all (fall back to heuristics).
 */
export function impactedFromCoverage(
  coverage: ReadonlyMap<string, ReadonlySet<string>>,
  savedRel: string,
  changedLines?: ReadonlySet<number>,
): ImpactedSelection | undefined {
  const prefix = `${savedRel}:`;
  let fileKnown = false;
  const hits: string[] = [];
  for (const [test, lines] of coverage) {
    let hit = false;
    for (const key of lines) {
      if (!key.startsWith(prefix)) continue;
      fileKnown = true;
      const line = Number(key.slice(prefix.length));
      if (!changedLines || changedLines.has(line)) {
        hit = true;
        break;
      }
    }
    if (hit) hits.push(test);
  }
  if (!fileKnown) return undefined;
  return {
    tests: hits.sort(),
    mode: 'coverage',
    reason: hits.length ? `${hits.length} test(s) execute the changed lines of ${savedRel}` : `no test executes the changed lines of ${savedRel}`,
  };
}

/** 1-based line numbers of `after` that differ from `before` (plus the neighbours of deletions). */
export function changedLineNumbers(before: string, after: string): Set<number> {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  const out = new Set<number>();
  if (start > endB) {
    // pure deletion: mark the lines around the cut
    if (start > 0) out.add(start);
    out.add(start + 1);
    return out;
  }
  for (let i = start; i <= endB; i++) out.add(i + 1);
  return out;
}
