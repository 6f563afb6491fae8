// Which test files can run here at all. Some runners stop the whole run at a test file that cannot be
// imported (sympy's bin/test crashes in its reporter), so one such file among the selected regression
// tests leaves the run with no result, with or without a patch, and every candidate looks untestable.
import { git as runGit } from '../proc/git';
import { runTests } from '../runner/run-tests';
import type { TestRunResult, TestRunnerSpec } from '../runner/types';
import { applyPatch } from './validate-patch';

export interface RunnableOptions {
  runner: TestRunnerSpec;
  /** Applied first, as for the validation (a reproduction test, SWE-bench's test_patch). */
  setupPatch?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Did any test run (an error alone is what a file that cannot be collected reports)? */
export function testsRan(r: TestRunResult): boolean {
  return Object.values(r.results).some((s) => s !== 'error');
}

/**
 * Runs each file alone in `dir` (a clean checkout Rover owns, reset to its HEAD afterwards) and splits
 * them into those that report results and those that report none.
 */
export async function runnableTestFiles(dir: string, files: string[], opts: RunnableOptions): Promise<{ ok: string[]; broken: string[] }> {
  const git = (args: string[]) => runGit(dir, args, { allowFail: true });
  const ok: string[] = [];
  const broken: string[] = [];
  try {
    if (opts.setupPatch?.trim() && !(await applyPatch(dir, opts.setupPatch, true)).ok) return { ok: files, broken: [] };
    for (const f of files) {
      if (opts.signal?.aborted) break;
      const r = await runTests(dir, opts.runner, { testArgs: [f], timeoutMs: opts.timeoutMs, signal: opts.signal, env: opts.env });
      // a file with no test at all is harmless; one whose tests cannot even start is not
      (testsRan(r) || (!Object.keys(r.results).length && !r.error && !r.timedOut) ? ok : broken).push(f);
    }
  } finally {
    await git(['reset', '-q', '--hard']);
    await git(['clean', '-fdq']);
  }
  return { ok, broken };
}
