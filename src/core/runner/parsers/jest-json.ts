// jest --json / vitest --reporter=json: testResults[].assertionResults[] with ancestorTitles.
// Id: "file::ancestor > ... > title", file relative to the run directory.
import { isAbsolute, relative } from 'node:path';
import type { TestFailure, TestStatus } from '../types';
import { putWorst, type ParsedResults } from './types';

interface Assertion {
  ancestorTitles?: string[];
  title?: string;
  fullName?: string;
  status?: string;
  failureMessages?: string[];
  location?: { line?: number; column?: number } | null;
}
interface FileResult {
  name?: string;
  status?: string;
  message?: string;
  assertionResults?: Assertion[];
}

const STATUS: Record<string, TestStatus> = {
  passed: 'passed', failed: 'failed', pending: 'skipped', skipped: 'skipped', todo: 'skipped', disabled: 'skipped', focused: 'passed',
};

export function parseJestJson(json: string, runDir?: string): ParsedResults {
  const results: Record<string, TestStatus> = {};
  const failures: TestFailure[] = [];
  const start = json.indexOf('{');
  if (start < 0) return { results, failures };
  const doc = JSON.parse(json.slice(start)) as { testResults?: FileResult[] };
  for (const fr of doc.testResults ?? []) {
    let file = fr.name ?? '';
    if (runDir && isAbsolute(file)) file = relative(runDir, file);
    file = file.split('\\').join('/');
    const asserts = fr.assertionResults ?? [];
    if (asserts.length === 0 && fr.status === 'failed') {
      // the file did not load (syntax error, missing module): one error for the whole file
      results[file] = 'error';
      failures.push({ id: file, message: (fr.message ?? 'test file failed to run').slice(0, 4000), file });
      continue;
    }
    for (const a of asserts) {
      const id = `${file}::${[...(a.ancestorTitles ?? []), a.title ?? a.fullName ?? ''].join(' > ')}`;
      const status = STATUS[a.status ?? ''] ?? 'error';
      putWorst(results, id, status);
      if (status === 'failed' || status === 'error') {
        failures.push({ id, message: (a.failureMessages ?? []).join('\n').slice(0, 4000) || status, file, ...(a.location?.line ? { line: a.location.line } : {}) });
      }
    }
  }
  return { results, failures };
}
