import type { TestFailure, TestStatus } from '../types';

export interface ParsedResults {
  results: Record<string, TestStatus>;
  failures: TestFailure[];
}

const RANK: Record<TestStatus, number> = { skipped: 0, xfail: 1, passed: 2, xpass: 3, failed: 4, error: 5 };

/** A test reported twice (a retried test, a teardown error after a pass) keeps its worst status. */
export function putWorst(results: Record<string, TestStatus>, id: string, s: TestStatus): void {
  const prev = results[id];
  if (prev === undefined || RANK[s] >= RANK[prev]) results[id] = s;
}
