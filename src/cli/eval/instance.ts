// One benchmark instance through Rover: the prepared checkout at base_commit, the candidate patch
// (gold, a given prediction, or Rover's own `fix`), the test_patch, the instance's FAIL_TO_PASS /
// PASS_TO_PASS run before and after through Rover's runner, and SWE-bench grading. `rover eval`
// runs it in a loop; `rover batch` and `rover worker` run it as one queued job.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runProcess } from '../../core/proc/run';
import { validatePatch } from '../../core/validate';
import {
  ensureCheckout, ensureDepsDir, grade, instanceRunner, startHttpbin, sweParseLog, sweStatusMap, type Instance, type InstanceOutcome,
} from '../../../bench/lib/swebench';

export type EvalMode = 'gold' | 'patch' | 'fix';
export const EVAL_MODES: readonly EvalMode[] = ['gold', 'patch', 'fix'];

export interface InstanceContext {
  /** The checkout cache: <root>/<instance_id> is a prepared clone at base_commit. */
  root: string;
  /** Where prepare.sh (and httpbin_server.py) live, to make a missing checkout. */
  benchDir?: string;
  /** mode patch: the prediction for this instance. */
  prediction?: string;
  log?: (s: string) => void;
  /** A private checkout per run instead of running in the prepared clone (default: in the clone). */
  worktrees?: boolean;
  signal?: AbortSignal;
  /** mode fix: the budget of the `rover fix` run, USD. */
  budgetUsd?: number;
  /** Most one test run may take (default: the repository's, SWEBENCH_TEST_TIMEOUT or 30 min). */
  testTimeoutMs?: number;
}

/** A failure that no retry can mend (the instance's own data): a queue records it at once. */
export class InstanceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceInputError';
  }
}

export interface Reference { validated: boolean; resolved: boolean; seconds_before?: number; seconds_after?: number; reason?: string }

export async function loadReferences(file: string): Promise<Map<string, Reference>> {
  const m = new Map<string, Reference>();
  for (const l of (await readFile(file, 'utf8')).split('\n')) {
    if (!l.trim().startsWith('{')) continue;
    const r = JSON.parse(l) as Reference & { instance_id: string };
    m.set(r.instance_id, r);
  }
  return m;
}

interface Candidate { patch: string; costUsd?: number }

async function candidatePatch(inst: Instance, mode: EvalMode, dir: string, ctx: InstanceContext): Promise<Candidate> {
  if (mode === 'gold') {
    if (!inst.patch.trim()) throw new InstanceInputError('the instance has no gold patch');
    return { patch: inst.patch };
  }
  if (mode === 'patch') {
    if (ctx.prediction === undefined) throw new InstanceInputError('no prediction for this instance in --patches');
    return { patch: ctx.prediction };
  }
  // fix: Rover's own agent, headless, sees only the problem statement and the checkout; the API key
  // is this machine's environment, never part of the instance
  const issueFile = join(dirname(dir), '_rover', `${inst.instance_id}.issue.md`);
  await mkdir(dirname(issueFile), { recursive: true });
  await writeFile(issueFile, inst.problem_statement);
  const cli = join(__dirname, 'cli.js');
  const args = [existsSync(cli) ? cli : process.argv[1], 'fix', '--repo', dir, '--issue', issueFile, '--json'];
  if (ctx.budgetUsd !== undefined) args.push('--budget', String(ctx.budgetUsd));
  const r = await runProcess(process.execPath, args, { cwd: dir, env: process.env, timeoutMs: 60 * 60_000, signal: ctx.signal });
  let j: { patch?: string; diff?: string; costUsd?: number } | undefined;
  try {
    j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as typeof j;
  } catch {
    j = undefined;
  }
  const patch = j?.patch ?? j?.diff;
  if (!patch) throw new Error(`rover fix produced no patch (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
  return { patch, costUsd: j?.costUsd };
}

/** A service some suites need (requests' tests talk to httpbin): started beside the run, killed after. */
export interface InstanceRunResult {
  outcome: InstanceOutcome;
  /** The patch that was graded (for SWE-bench predictions). */
  patch: string;
  costUsd?: number;
}

/**
 * Evaluates one instance. Throws when it could not be evaluated at all (no checkout, prepare.sh
 * failed, cancelled; `InstanceInputError` for the instance's own data); a patch that does not apply
 * or tests that fail are an outcome, not an error.
 */
export async function runInstance(inst: Instance, mode: EvalMode, ctx: InstanceContext): Promise<InstanceRunResult> {
  const t0 = Date.now();
  const base: InstanceOutcome = { instance_id: inst.instance_id, mode, verdict: 'error', validated: false, resolved: false, seconds: 0, command_seconds: 0 };
  let ir;
  try {
    ir = instanceRunner(inst, ctx.root);
  } catch (e) {
    throw new InstanceInputError((e as Error).message);
  }
  let svc: { url: string; stop(): void } | undefined;
  try {
    const dir = await ensureCheckout(inst, ctx.root, ctx.benchDir);
    const cand = await candidatePatch(inst, mode, dir, ctx);
    await ensureDepsDir(inst, ctx.root);
    if (ir.service === 'httpbin') {
      if (!ctx.benchDir) throw new Error('this instance needs httpbin_server.py from the bench folder');
      svc = await startHttpbin(ctx.benchDir);
    }
    const r = await validatePatch({
      repo: dir, baseRef: inst.base_commit, includeUncommitted: false, setupPatch: inst.test_patch, patch: cand.patch,
      runner: ir.runner, testArgs: ir.testArgs, timeoutMs: ctx.testTimeoutMs ?? ir.timeoutMs, linkPaths: ir.linkPaths, fuzzy: true,
      maxOutputBytes: 64 * 1024 * 1024, disposableCheckout: !ctx.worktrees, signal: ctx.signal,
      env: svc ? { HTTPBIN_URL: svc.url } : undefined,
    });
    if (ctx.signal?.aborted) throw new Error('cancelled');
    const g = grade(inst, sweParseLog(r.before.output, ir.parser), sweParseLog(r.after.output, ir.parser));
    const n = grade(inst, sweStatusMap(r.before.results, ir.parser), sweStatusMap(r.after.results, ir.parser));
    const notApplied = r.verdict === 'patch-does-not-apply';
    const outcome: InstanceOutcome = {
      ...base,
      verdict: notApplied ? r.verdict : g.resolved ? 'resolved' : r.before.timedOut || r.after.timedOut ? 'timeout' : 'unresolved',
      validated: notApplied ? false : g.validated,
      resolved: notApplied ? false : g.resolved,
      grade: g,
      native: { validated: notApplied ? false : n.validated, resolved: notApplied ? false : n.resolved },
      seconds: (Date.now() - t0) / 1000,
      command_seconds: (r.before.durationMs + r.after.durationMs) / 1000,
      timings: r.timings,
      ...(r.verdict === 'error' ? { error: r.explanation } : {}),
      ...(notApplied ? { error: r.explanation } : {}),
    };
    return { outcome, patch: cand.patch, ...(cand.costUsd !== undefined ? { costUsd: cand.costUsd } : {}) };
  } finally {
    svc?.stop();
  }
}

/** `runInstance` for `rover eval`: an instance that could not be evaluated is an outcome with its error. */
export async function evalInstance(inst: Instance, mode: EvalMode, ctx: InstanceContext): Promise<InstanceOutcome> {
  const t0 = Date.now();
  try {
    return (await runInstance(inst, mode, ctx)).outcome;
  } catch (e) {
    return { instance_id: inst.instance_id, mode, verdict: 'error', validated: false, resolved: false, command_seconds: 0, error: (e as Error).message, seconds: (Date.now() - t0) / 1000 };
  }
}

/** The reference verdict: shared/bench/validate.sh on the same instance (same checkout root). */
export async function runReference(inst: Instance, mode: EvalMode, root: string, benchDir: string, prediction?: string): Promise<Reference | undefined> {
  const script = join(benchDir, 'validate.sh');
  if (!existsSync(script)) return undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, SWEBENCH_ROOT: root };
  if (mode === 'patch') {
    if (prediction === undefined) return undefined;
    const f = join(root, '_rover', `${inst.instance_id}.candidate.diff`);
    await mkdir(dirname(f), { recursive: true });
    await writeFile(f, prediction);
    env.PATCH = f;
  } else if (mode === 'fix') return undefined;
  const r = await runProcess(script, [inst.instance_id], { cwd: benchDir, env, timeoutMs: 2 * 60 * 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Reference) : undefined;
}
