// sympy's bin/test --verbose: "test_name ok" / "test_name F" / "test_name E" per test, and a
// "____ path.py:test_name ____" header per failure. Mirrors SWE-bench's sympy log parser so ids
// agree with its FAIL_TO_PASS lists.
import type { TestFailure, TestStatus } from '../types';
import type { ParsedResults } from './types';

export function parseSympy(output: string): ParsedResults {
  const results: Record<string, TestStatus> = {};
  const failures: TestFailure[] = [];
  for (const m of output.matchAll(/(_*) (.*)\.py:(.*) (_*)/g)) {
    results[`${m[2]}.py:${m[3]}`] = 'failed';
  }
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('test_')) continue;
    const id = line.split(/\s+/)[0];
    if (line.endsWith(' E')) results[id] = 'error';
    if (line.endsWith(' F')) results[id] = 'failed';
    if (line.endsWith(' ok')) results[id] = 'passed';
    if (line.endsWith(' f')) results[id] = 'xfail';
    if (line.endsWith(' s')) results[id] = 'skipped';
    if (line.endsWith(' X')) results[id] = 'xpass';
  }
  for (const [id, s] of Object.entries(results)) if (s === 'failed' || s === 'error') failures.push({ id, message: s });
  return { results, failures };
}
