// What validating a patch concludes: a verdict over a before/after pair of test runs.
import type { TestRunResult } from '../runner/types';

export type Verdict =
  | 'resolved'
  | 'regressed'
  | 'unresolved'
  | 'no-tests'
  | 'patch-does-not-apply'
  | 'timeout'
  | 'error';

export interface ValidationReport {
  verdict: Verdict;
  before: TestRunResult;
  after: TestRunResult;
  failToPass: string[];
  passToFail: string[];
  /** Ids that fail after the patch: targets that do not pass, and tests that fail. */
  stillFailing: string[];
  /** The part of stillFailing that failed before the patch too (old failures, not its doing). */
  alreadyFailing: string[];
  explanation: string;
}
