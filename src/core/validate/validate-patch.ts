// Validate one candidate patch: in a throw-away git worktree at the base commit (plus the user's
// uncommitted changes by default), run the tests, restore the tree, apply the patch, run them again,
// and compare per test. The user's working tree is never written; the worktree is removed on every
// path out (success, failure, exception, cancellation) and stale ones are swept on the next start.
import { git as runGit } from '../proc/git';
import { runProcess } from '../proc/run';
import { detectRunner, NoRunnerError } from '../runner/detect';
import { runTests, tail } from '../runner/run-tests';
import { judge, report } from './judge';
import type { TestRunnerSpec, TestRunResult } from '../runner/types';
import type { ValidationReport } from './types';
import { cleanupStaleCheckouts, createCheckout, type Checkout } from '../runner/checkout';

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
  inspect?: (checkoutDir: string) => Promise<string | undefined>;
  /** Folder for worktrees (default <tmp>/rover-worktrees). */
  checkoutParent?: string;
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
  await cleanupStaleCheckouts(opts.repo, opts.checkoutParent).catch(() => []);
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
  const wt: Checkout = (opts.disposableCheckout && (await inPlace(opts.repo, opts.baseRef))) || (await createCheckout(opts.repo, {
    baseRef: opts.baseRef,
    includeUncommitted: opts.includeUncommitted ?? true,
    parentDir: opts.checkoutParent,
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
async function inPlace(repo: string, baseRef?: string): Promise<Checkout | undefined> {
  const head = await runGit(repo, ['rev-parse', 'HEAD'], { timeoutMs: 30_000, allowFail: true });
  const want = await runGit(repo, ['rev-parse', `${baseRef ?? 'HEAD'}^{commit}`], { timeoutMs: 30_000, allowFail: true });
  const top = await runGit(repo, ['rev-parse', '--show-toplevel'], { timeoutMs: 30_000, allowFail: true });
  const status = await runGit(repo, ['status', '--porcelain'], { timeoutMs: 60_000, allowFail: true });
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

// Rover's own git calls in the checkout: hooks off (a test suite may have planted one), uncontained
function git(dir: string, args: string[], stdin?: string) {
  return runGit(dir, args, { stdin });
}

type Applied = { ok: true; with: 'git apply' | 'patch --fuzz=5' } | { ok: false; message: string };

export async function applyPatch(dir: string, patch: string, fuzzy: boolean, checkOnly = false): Promise<Applied> {
  const text = patch.endsWith('\n') ? patch : `${patch}\n`;
  const g = await runGit(dir, ['apply', '--whitespace=nowarn', ...(checkOnly ? ['--check'] : []), '-'], { stdin: text, timeoutMs: 60_000, allowFail: true });
  if (g.code === 0) return { ok: true, with: 'git apply' };
  if (fuzzy) {
    try {
      const p = await runProcess('patch', ['--batch', '--fuzz=5', '-p1', '--no-backup-if-mismatch', '-r', '-', ...(checkOnly ? ['--dry-run'] : [])], { cwd: dir, stdin: text, timeoutMs: 60_000, contain: false });
      if (p.code === 0) return { ok: true, with: 'patch --fuzz=5' };
    } catch {
      /* patch(1) not installed: git's message is the one to show */
    }
  }
  return { ok: false, message: `git apply: ${g.stderr.trim() || g.stdout.trim() || `exit ${g.code}`}` };
}

export { tail };
