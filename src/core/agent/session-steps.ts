// Helpers of the fix session's steps that are not the flow itself: the code an issue names (context
// for the reproduction test), which tests localization runs beside the oracle, and the suspects'
// one-line form.
import { dirname } from 'node:path';
import fg from 'fast-glob';
import type { WorkspaceIndex } from '../index/workspace-index';
import type { RankedLocation } from '../localize/types';
import { testFileOf } from '../runner/test-ids';
import { CodeSearch } from '../search/code-search';
import { renderOutcome } from '../search/render';
import { isTestFile, TEST_FILE_GLOBS, TEST_SEARCH_IGNORE } from '../runner/test-files';
import type { TestRunnerSpec } from '../runner/types';
import type { SuspectSummary } from './events';

/** Names an issue mentions the way code does: `backticked`, called(), Dotted.names, snake_case, CamelCase. */
export function namesInIssue(issue: string): string[] {
  const out: string[] = [];
  const add = (n: string) => {
    const name = n.replace(/\(\)?$/, '').replace(/^\.+|\.+$/g, '');
    if (name.length >= 3 && !out.includes(name) && !/^(self|None|True|False|null|true|false|the|and)$/.test(name)) out.push(name);
  };
  for (const m of issue.matchAll(/`([A-Za-z_][\w.]*)\(?\)?`/g)) add(m[1]);
  for (const m of issue.matchAll(/\b([A-Za-z_][\w.]*)\(/g)) add(m[1]);
  for (const m of issue.matchAll(/\b([a-z]+_[a-z_\d]+|[A-Z][a-z\d]+[A-Z]\w*)\b/g)) add(m[1]);
  return out;
}

/** The definitions of up to `max` names the issue mentions, rendered as the search API shows them. */
export function issueCodeContext(index: WorkspaceIndex, issue: string, max = 3): string | undefined {
  const search = new CodeSearch(index);
  const parts: string[] = [];
  for (const name of namesInIssue(issue)) {
    if (parts.length >= max) break;
    const leaf = name.split('.').pop()!;
    const owner = name.includes('.') ? name.split('.').slice(-2)[0] : undefined;
    const tries = [
      ...(owner && owner !== leaf ? [search.searchMethodInClass(leaf, owner)] : []),
      search.searchMethod(leaf),
      search.searchClass(leaf),
    ];
    const hit = tries.find((o) => o.ok && o.hits.length > 0 && o.hits.length <= 5 && !o.hits.every((h) => /(^|\/)tests?\//.test(h.file)));
    if (hit) parts.push(renderOutcome(hit, { maxTokens: 500 }));
  }
  return parts.length ? parts.join('\n\n') : undefined;
}

/**
 * The test files localization runs: the oracle's own files, plus the passing tests that tell its
 * lines apart — the whole suite when it is small, else the test files beside the oracle's.
 */
export async function localizationTestPaths(repo: string, runner: TestRunnerSpec, oracle: readonly string[], smallSuite = 40): Promise<string[] | undefined> {
  const own = [...new Set(oracle.map((t) => testFileOf(t)).filter((f): f is string => !!f))];
  if (!own.length) return undefined; // ids without files (sympy's bare names): let the runner decide
  const py = runner.kind === 'pytest' || runner.kind === 'unittest' || runner.reportFormat === 'pytest-ra' || runner.reportFormat === 'sympy';
  const all = (await fg(TEST_FILE_GLOBS, { cwd: repo, ignore: TEST_SEARCH_IGNORE, onlyFiles: true }))
    .filter((f) => isTestFile(f) && (py ? f.endsWith('.py') : !f.endsWith('.py')))
    .sort();
  if (all.length <= smallSuite) return [...new Set([...own, ...all])];
  const dirs = new Set(own.map((f) => dirname(f)));
  const beside = all.filter((f) => dirs.has(dirname(f)) && !own.includes(f)).slice(0, 12);
  return [...own, ...beside];
}

export function suspectSummaries(entries: readonly RankedLocation[], n = 5): SuspectSummary[] {
  return entries.slice(0, n).map((e) => ({
    file: e.file,
    symbol: e.qualifiedName ?? ([e.className, e.method].filter(Boolean).join('.') || `${e.file} (module level)`),
    score: Number.isFinite(e.score) ? Math.round(e.score * 1e4) / 1e4 : 1e9,
    line: e.line,
  }));
}
