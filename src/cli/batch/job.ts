// One batch job = one instance, the same code whichever queue carries it (the embedded one or
// BullMQ): what a job holds (no secrets: the API key stays in the worker's environment), its id (so
// a duplicate enqueue of the same instance, mode and patch runs once), and running it in its own
// private checkout of the worker's checkout cache with its own timeout and budget.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { sweepAtStart } from '../../core/runner/sweep-at-start';
import { runInstance, type EvalMode } from '../eval/instance';
import type { Instance, InstanceOutcome } from '../../../bench/lib/swebench';

export interface BatchJobData {
  v: 1;
  batchId: string;
  /** The instance as read from the instances file (grading needs its test lists). */
  instance: Instance;
  mode: EvalMode;
  /** mode patch: the prediction to grade. */
  prediction?: string;
  /** The bench folder (prepare.sh) on the machine that started the batch; a worker uses it if it has it. */
  benchDir?: string;
  /** Most the whole job may take. */
  timeoutS: number;
  /** mode fix: the budget of the run, USD. */
  budgetUsd?: number;
  enqueuedAt: number;
}

export interface BatchJobResult {
  instance_id: string;
  job_id: string;
  outcome: InstanceOutcome;
  /** The graded patch (SWE-bench's model_patch). */
  patch: string;
  cost_usd?: number;
  worker: { host: string; pid: number };
  attempt: number;
  enqueued_at: number;
  started_at: number;
  finished_at: number;
  /** Enqueue -> start, counted from when the job could first start (enqueued and a slot free). */
  queue_ms: number;
}

/** instance + mode + patch hash; kept to the characters BullMQ allows in a custom job id. */
export function jobIdFor(inst: Instance, mode: EvalMode, prediction?: string): string {
  const what = mode === 'gold' ? inst.patch : mode === 'patch' ? prediction ?? '' : `${inst.base_commit}\n${inst.problem_statement}`;
  const hash = createHash('sha256').update(what).digest('hex').slice(0, 12);
  return `${inst.instance_id.replace(/[^A-Za-z0-9_.-]/g, '_')}.${mode}.${hash}`;
}

export function makeJobData(inst: Instance, mode: EvalMode, opts: { batchId: string; prediction?: string; benchDir?: string; timeoutS: number; budgetUsd?: number }): BatchJobData {
  return {
    v: 1, batchId: opts.batchId, instance: inst, mode, enqueuedAt: Date.now(), timeoutS: opts.timeoutS,
    ...(opts.prediction !== undefined ? { prediction: opts.prediction } : {}),
    ...(opts.benchDir ? { benchDir: opts.benchDir } : {}),
    ...(opts.budgetUsd !== undefined ? { budgetUsd: opts.budgetUsd } : {}),
  };
}

/**
 * Free-slot times of a worker, to measure the queue's own delay: a job that waited because every
 * slot was busy did not wait for the queue.
 */
export class SlotClock {
  private readonly free: number[];
  constructor(slots: number, now = Date.now()) {
    this.free = Array.from({ length: slots }, () => now);
  }
  /** A job starts now: its delay from when it could have started. */
  take(enqueuedAt: number, now = Date.now()): number {
    const slotFree = this.free.shift() ?? now;
    return Math.max(0, now - Math.max(enqueuedAt, slotFree));
  }
  release(now = Date.now()): void {
    this.free.push(now);
    this.free.sort((a, b) => a - b);
  }
}

export interface RunJobContext {
  jobId: string;
  /** The worker's checkout cache (<root>/<instance_id>). */
  root: string;
  /** The worker's own bench folder, else the job's if this machine has it. */
  benchDir?: string;
  attempt: number;
  queueMs: number;
  signal?: AbortSignal;
}

export async function runBatchJob(data: BatchJobData, ctx: RunJobContext): Promise<BatchJobResult> {
  const startedAt = Date.now();
  // a worker killed mid-job left its checkout and its tests' processes; they go before this job starts
  await sweepAtStart();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`the job took over ${data.timeoutS} s`)), data.timeoutS * 1000);
  const onAbort = () => ac.abort(ctx.signal?.reason);
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) onAbort(); // stopped while the sweep ran
  try {
    const r = await runInstance(data.instance, data.mode, {
      root: ctx.root, benchDir: ctx.benchDir ?? data.benchDir, prediction: data.prediction, worktrees: true,
      signal: ac.signal, budgetUsd: data.budgetUsd,
    });
    return {
      instance_id: data.instance.instance_id, job_id: ctx.jobId, outcome: r.outcome, patch: r.patch,
      ...(r.costUsd !== undefined ? { cost_usd: r.costUsd } : {}),
      worker: { host: hostname(), pid: process.pid }, attempt: ctx.attempt,
      enqueued_at: data.enqueuedAt, started_at: startedAt, finished_at: Date.now(), queue_ms: ctx.queueMs,
    };
  } catch (e) {
    if (ac.signal.aborted && !ctx.signal?.aborted) throw new Error(`timed out: the job took over ${data.timeoutS} s`);
    throw e;
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}
