// Validate one candidate patch: in a throw-away git worktree at the base commit (plus the user's
// uncommitted changes by default), run the tests, restore the tree, apply the patch, run them again,
// and compare per test. The user's working tree is never written; the worktree is removed on every
// path out (success, failure, exception, cancellation) and stale ones are swept on the next start.
import { runProcess } from '../proc/run';
import { detectRunner, NoRunnerError } from './detect';
import { runTests, tail } from './run-tests';
import { isPassing, type TestRunnerSpec, type TestRunResult, type TestStatus, type ValidationReport, type Verdict } from './types';
import { cleanupStaleWorktrees, createWorktree, type Worktree } from './worktree';

export interface ValidatePatchOptions {
  repo: string;
  /** Unified diff (git diff format, paths a/ b/). */
  patch: string;
  /** Ids that must pass after the patch (the fail-to-pass oracle). Without them every test that ran is judged. */
  tests?: string[];
  /** Literal words for the runner's '{tests}' (e.g. test files); default derived from `tests`. */
  testArgs?: string[];
  /** Validate against HEAD + the user's uncommitted changes (default true). */
  includeUncommitted?: boolean;
  /** Commit to validate against (default HEAD). */
  baseRef?: string;
  runner?: TestRunnerSpec;
  /** Per test run. */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Applied before the "before" run and kept for the "after" run (a reproduction test, SWE-bench's test_patch). */
  setupPatch?: string;
  /** Reuse a "before" run of the same tests at the same base (several candidates, one baseline). */
  before?: TestRunResult;
  /** Fall back to `patch --fuzz=5` when `git apply` refuses (SWE-bench does the same). Default true. */
  fuzzy?: boolean;
  /** Called with the worktree after the patch applied, before the tests; a returned string rejects the patch. */
  inspect?: (worktreeDir: string) => Promise<string | undefined>;
  /** Folder for worktrees (default <tmp>/rover-worktrees). */
  worktreeParent?: string;
  /**
   * The repo is a checkout Rover itself prepared (benchmark evaluation), never a user's tree: when it
   * is clean and at baseRef, run in it directly and reset it afterwards instead of making a worktree
   * (saves writing and deleting every file of a large repository). Falls back to a worktree otherwise.
   */
  disposableCheckout?: boolean;
  /** Captured output kept per stream and run (default 2 MiB; the middle is dropped beyond it). */
  maxOutputBytes?: number;
  /** Ignored paths symlinked from the repo into the worktree (default node_modules, .venv, venv). */
  linkPaths?: string[];
  onProgress?: (message: string) => void;
}

export interface ValidationDetails extends ValidationReport {
  runner?: TestRunnerSpec;
  appliedWith?: 'git apply' | 'patch --fuzz=5';
  /** Set when `inspect` rejected the patch (e.g. 'new syntax error in a.py:3'). */
  rejectedBy?: string;
  durationMs: number;
  /** Where the time went, ms: setup (stale sweep, worktree, patches), tests, cleanup. */
  timings?: Record<string, number>;
}

const EMPTY_RUN: TestRunResult = { command: [], results: {}, exitCode: null, timedOut: false, cancelled: false, durationMs: 0, output: '', failures: [] };

export async function validatePatch(opts: ValidatePatchOptions): Promise<ValidationDetails> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  let mark = started;
  const lap = (k: string) => {
    const now = Date.now();
    timings[k] = (timings[k] ?? 0) + now - mark;
    mark = now;
  };
  const done = (r: Omit<ValidationDetails, 'durationMs'>): ValidationDetails => ({ ...r, durationMs: Date.now() - started, timings });
  const progress = opts.onProgress ?? (() => undefined);
  if (!opts.patch.trim()) {
    return done(report('patch-does-not-apply', EMPTY_RUN, EMPTY_RUN, 'The patch is empty.'));
  }
  await cleanupStaleWorktrees(opts.repo, opts.worktreeParent).catch(() => []);
  let runner = opts.runner;
  if (!runner) {
    try {
      runner = await detectRunner(opts.repo);
    } catch (e) {
      if (e instanceof NoRunnerError) return done(report('no-tests', EMPTY_RUN, EMPTY_RUN, `${e.message}`));
      throw e;
    }
  }
  lap('detect');
  const wt: Worktree = (opts.disposableCheckout && (await inPlace(opts.repo, opts.baseRef))) || (await createWorktree(opts.repo, {
    baseRef: opts.baseRef,
    includeUncommitted: opts.includeUncommitted ?? true,
    parentDir: opts.worktreeParent,
    linkPaths: opts.linkPaths,
  }));
  lap('worktree');
  try {
    const dir = wt.path;
    if (opts.setupPatch?.trim()) {
      const s = await applyPatch(dir, opts.setupPatch, opts.fuzzy ?? true);
      if (!s.ok) return done({ ...report('error', EMPTY_RUN, EMPTY_RUN, `The setup patch (tests) does not apply to ${wt.baseCommit.slice(0, 12)}:\n${s.message}`), runner });
    }
    // stage the prepared state so it can be restored exactly after the "before" run
    await git(dir, ['add', '-A']);
    const check = await applyPatch(dir, opts.patch, opts.fuzzy ?? true, true);
    if (!check.ok) {
      return done({ ...report('patch-does-not-apply', EMPTY_RUN, EMPTY_RUN, `The patch does not apply to ${wt.baseCommit.slice(0, 12)}${opts.includeUncommitted ?? true ? ' plus your uncommitted changes' : ''}:\n${check.message}`), runner });
    }
    lap('prepare');
    let before = opts.before;
    if (!before) {
      progress('running the tests before the patch');
      before = relocateIds(await runTests(dir, runner, { tests: opts.tests, testArgs: opts.testArgs, timeoutMs: opts.timeoutMs, signal: opts.signal, env: opts.env, maxOutputBytes: opts.maxOutputBytes }), dir, wt.repoRoot);
      lap('testsBefore');
      if (before.cancelled) return done({ ...report('error', before, EMPTY_RUN, 'Cancelled.'), runner });
      // a test suite may delete or rewrite files: put the prepared tree back before patching
      // (checkout restores only what differs from the staged state; clean drops new untracked files)
      await git(dir, ['checkout', '-q', '--', '.']).catch(() => git(dir, ['checkout-index', '-a', '-f']));
      await git(dir, ['clean', '-fdq']);
    }
    const applied = await applyPatch(dir, opts.patch, opts.fuzzy ?? true);
    if (!applied.ok) return done({ ...report('patch-does-not-apply', before, EMPTY_RUN, applied.message), runner });
    if (opts.inspect) {
      const why = await opts.inspect(dir);
      if (why) return done({ ...report('error', before, EMPTY_RUN, `Rejected before testing: ${why}`), runner, appliedWith: applied.with, rejectedBy: why });
    }
    lap('restoreAndApply');
    progress('running the tests with the patch');
    const after = relocateIds(await runTests(dir, runner, { tests: opts.tests, testArgs: opts.testArgs, timeoutMs: opts.timeoutMs, signal: opts.signal, env: opts.env, maxOutputBytes: opts.maxOutputBytes }), dir, wt.repoRoot);
    lap('testsAfter');
    const r = judge(before, after, opts.tests);
    if (applied.with === 'patch --fuzz=5') r.explanation += '\n(`git apply` refused the patch; it was applied with `patch --fuzz=5`.)';
    return done({ ...r, runner, appliedWith: applied.with });
  } finally {
    await wt.dispose();
    lap('cleanup');
    timings.total = Date.now() - started;
  }
}

/**
 * Test ids as they would read in the repository itself: a test parametrized by a path (pytest's ids
 * carry the value) names the worktree it ran in, so a baseline shared by candidates validated in
 * different worktrees would see every such test vanish and count it as broken.
 */
export function relocateIds(run: TestRunResult, dir: string, repoRoot: string): TestRunResult {
  if (dir === repoRoot || !Object.keys(run.results).some((id) => id.includes(dir))) return run;
  const fix = (id: string) => id.split(dir).join(repoRoot);
  return {
    ...run,
    results: Object.fromEntries(Object.entries(run.results).map(([id, s]) => [fix(id), s])),
    failures: run.failures.map((f) => ({ ...f, id: fix(f.id) })),
  };
}

/** A clean checkout at baseRef used as is; "disposing" resets it (ignored files such as node_modules stay). */
async function inPlace(repo: string, baseRef?: string): Promise<Worktree | undefined> {
  const head = await runProcess('git', ['rev-parse', 'HEAD'], { cwd: repo, timeoutMs: 30_000 });
  const want = await runProcess('git', ['rev-parse', `${baseRef ?? 'HEAD'}^{commit}`], { cwd: repo, timeoutMs: 30_000 });
  const top = await runProcess('git', ['rev-parse', '--show-toplevel'], { cwd: repo, timeoutMs: 30_000 });
  const status = await runProcess('git', ['status', '--porcelain'], { cwd: repo, timeoutMs: 60_000 });
  if (head.code !== 0 || head.stdout.trim() !== want.stdout.trim() || status.stdout.trim() !== '' || top.code !== 0) return undefined;
  const base = head.stdout.trim();
  return {
    path: top.stdout.trim(),
    repoRoot: top.stdout.trim(),
    baseCommit: base,
    async dispose() {
      await git(repo, ['reset', '-q', '--hard', base]);
      await git(repo, ['clean', '-fdq']);
    },
  };
}

async function git(dir: string, args: string[], stdin?: string) {
  const r = await runProcess('git', args, { cwd: dir, stdin, timeoutMs: 120_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r;
}

type Applied = { ok: true; with: 'git apply' | 'patch --fuzz=5' } | { ok: false; message: string };

export async function applyPatch(dir: string, patch: string, fuzzy: boolean, checkOnly = false): Promise<Applied> {
  const text = patch.endsWith('\n') ? patch : `${patch}\n`;
  const g = await runProcess('git', ['apply', '--whitespace=nowarn', ...(checkOnly ? ['--check'] : []), '-'], { cwd: dir, stdin: text, timeoutMs: 60_000 });
  if (g.code === 0) return { ok: true, with: 'git apply' };
  if (fuzzy) {
    try {
      const p = await runProcess('patch', ['--batch', '--fuzz=5', '-p1', '--no-backup-if-mismatch', '-r', '-', ...(checkOnly ? ['--dry-run'] : [])], { cwd: dir, stdin: text, timeoutMs: 60_000 });
      if (p.code === 0) return { ok: true, with: 'patch --fuzz=5' };
    } catch {
      /* patch(1) not installed: git's message is the one to show */
    }
  }
  return { ok: false, message: `git apply: ${g.stderr.trim() || g.stdout.trim() || `exit ${g.code}`}` };
}

function report(verdict: Verdict, before: TestRunResult, after: TestRunResult, explanation: string): ValidationReport {
  return { verdict, before, after, failToPass: [], passToFail: [], stillFailing: [], explanation };
}

const FAILING: ReadonlySet<TestStatus> = new Set(['failed', 'error', 'xpass']);

/** Compare two runs. `oracle`: ids that must pass afterwards (missing counts as failing, like SWE-bench). */
export function judge(before: TestRunResult, after: TestRunResult, oracle?: string[]): ValidationReport {
  const mk = (verdict: Verdict, explanation: string, extra: Partial<ValidationReport> = {}) => ({ ...report(verdict, before, after, explanation), ...extra });
  if (before.cancelled || after.cancelled) return mk('error', 'The test run was cancelled.');
  if (before.timedOut || after.timedOut) {
    const which = before.timedOut ? 'before the patch' : 'with the patch';
    return mk('timeout', `The tests timed out ${which} (${(before.timedOut ? before : after).error ?? ''}). A patch that makes the suite hang is not accepted; raise the time limit if the suite is just slow.`.replace(' ()', ''));
  }
  const afterIds = Object.keys(after.results);
  const beforeIds = Object.keys(before.results);
  if (after.error && afterIds.length === 0) {
    const same = before.error && beforeIds.length === 0;
    return mk('error', same ? `The tests cannot run here, with or without the patch: ${after.error}` : `The tests ran before the patch but not with it: ${after.error}`);
  }
  const ids = [...new Set([...(oracle ?? []), ...beforeIds, ...afterIds])].sort();
  if (ids.length === 0) {
    return mk('no-tests', 'No tests ran: the project has no tests Rover could find for this change. Rover can write a reproduction test for the issue (Fix This Issue does) and use it as the oracle.');
  }
  const failToPass: string[] = [];
  const passToFail: string[] = [];
  const stillFailing: string[] = [];
  const oracleSet = new Set(oracle ?? []);
  for (const id of ids) {
    const b = before.results[id];
    const a = after.results[id];
    if (isPassing(b) && !isPassing(a) && (a !== undefined || afterIds.length > 0) && a !== 'skipped') passToFail.push(id);
    else if (!isPassing(b) && isPassing(a)) failToPass.push(id);
    else if (!isPassing(a) && (oracleSet.has(id) || (a !== undefined && FAILING.has(a)))) stillFailing.push(id);
  }
  const extra = { failToPass, passToFail, stillFailing };
  const list = (xs: string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, … (${xs.length} in all)` : '');
  if (passToFail.length) return mk('regressed', `The patch breaks ${passToFail.length} test(s) that passed before: ${list(passToFail)}.`, extra);
  if (oracle?.length) {
    const notPassing = oracle.filter((t) => !isPassing(after.results[t]));
    if (notPassing.length === 0) {
      const already = oracle.filter((t) => isPassing(before.results[t]));
      return mk('resolved', `All ${oracle.length} target test(s) pass with the patch${already.length ? ` (${already.length} already passed before it)` : ''}; no previously passing test fails.`, extra);
    }
    const missing = notPassing.filter((t) => after.results[t] === undefined);
    return mk('unresolved', `${notPassing.length} of ${oracle.length} target test(s) still do not pass: ${list(notPassing)}${missing.length ? ` (${missing.length} did not run at all)` : ''}.`, extra);
  }
  if (stillFailing.length) return mk('unresolved', `${stillFailing.length} test(s) still fail with the patch: ${list(stillFailing)}${failToPass.length ? `; ${failToPass.length} now pass` : ''}.`, extra);
  if (failToPass.length) return mk('resolved', `${failToPass.length} failing test(s) now pass (${list(failToPass)}) and no previously passing test fails.`, extra);
  return mk('unresolved', `All ${ids.length} test(s) pass with and without the patch: no test shows what the patch fixes. Add a test for the issue (or let Rover write a reproduction test) to decide.`, extra);
}

export { tail };
