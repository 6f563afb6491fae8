// The batch on BullMQ (Redis): the coordinator (`rover batch --redis`) puts one job per instance on
// the queue and collects their results into its results folder; `rover worker` processes on any
// number of machines take them. What BullMQ gives: jobs survive the coordinator, a worker killed
// mid-job is found by the stalled-job check and its job runs again elsewhere, bounded attempts with
// exponential backoff, and a custom job id so a duplicate enqueue runs once. What Rover adds: the
// coordinator checks its jobs against Redis every few seconds, so a result whose event was missed is
// still collected and a job Redis lost (a restart without persistence) is enqueued again.
import { Queue, QueueEvents, UnrecoverableError, WaitingError, Worker, type Job, type JobsOptions } from 'bullmq';
import { InstanceInputError } from '../eval/instance';
import { sleep, type QueueEvents as BatchEvents, type RetryPolicy } from './embedded';
import { runBatchJob, SlotClock, type BatchJobData, type BatchJobResult } from './job';
import { redactUrl, redisOptions } from './redis-url';

export const DEFAULT_QUEUE = 'rover-batch';
const KEEP_S = 7 * 24 * 3600;

export function jobOptions(id: string, retry: RetryPolicy): JobsOptions {
  return {
    jobId: id,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // finished jobs stay a week: `rover batch results` collects them even if the coordinator was gone
    removeOnComplete: { age: KEEP_S },
    removeOnFail: { age: KEEP_S },
  };
}

/** Redis errors while it restarts are expected: said once per outage, not once per retry. */
function outageLogger(log: (s: string) => void, what: string, url: string) {
  let down = false;
  return {
    error: (e: Error) => {
      if (down) return;
      down = true;
      log(`${what}: lost Redis at ${redactUrl(url)} (${e.message}); reconnecting`);
    },
    ok: () => {
      if (down) log(`${what}: Redis is back`);
      down = false;
    },
  };
}

export interface CoordinatorOptions extends RetryPolicy {
  url: string;
  queueName: string;
  signal: AbortSignal;
  /** A job found failed in Redis from an earlier run is run again instead of recorded as failed. */
  retryFailed?: boolean;
  /** How often the coordinator checks its jobs against Redis (default 2000 ms). */
  reconcileMs?: number;
  log: (s: string) => void;
}

export async function runOnBullmq(jobs: { id: string; data: BatchJobData }[], opts: CoordinatorOptions, ev: BatchEvents): Promise<void> {
  const connection = redisOptions(opts.url);
  const queue = new Queue<BatchJobData, BatchJobResult>(opts.queueName, { connection });
  const events = new QueueEvents(opts.queueName, { connection });
  const health = outageLogger(opts.log, 'batch', opts.url);
  queue.on('error', health.error);
  events.on('error', health.error);
  const pending = new Map(jobs.map((j) => [j.id, j]));
  const busy = new Set<string>();

  const add = (j: { id: string; data: BatchJobData }) => queue.add('instance', j.data, jobOptions(j.id, opts));
  /** Looks the job up and records it if it finished; `enqueue`: add it when Redis does not have it. */
  const check = async (id: string, enqueue: boolean): Promise<void> => {
    const j = pending.get(id);
    if (!j || busy.has(id)) return;
    busy.add(id);
    try {
      const job = await queue.getJob(id);
      health.ok();
      if (!job) {
        if (!enqueue) opts.log(`${j.data.instance.instance_id}: its job is gone from Redis (restarted without its data?); enqueued again`);
        await add(j);
        return;
      }
      const state = await job.getState();
      if (state === 'completed') {
        pending.delete(id);
        ev.completed(id, job.returnvalue, job.returnvalue?.attempt ?? job.attemptsMade);
      } else if (state === 'failed') {
        if (enqueue && opts.retryFailed) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          return;
        }
        pending.delete(id);
        ev.failed(id, job.failedReason || 'failed', Math.max(1, job.attemptsMade));
      }
    } finally {
      busy.delete(id);
    }
  };

  events.on('completed', ({ jobId }) => void check(jobId, false).catch(() => undefined));
  events.on('failed', ({ jobId }) => void check(jobId, false).catch(() => undefined));
  events.on('active', ({ jobId }) => { if (pending.has(jobId)) ev.active(jobId); });
  events.on('retries-exhausted', ({ jobId }) => void check(jobId, false).catch(() => undefined));
  try {
    await events.waitUntilReady();
    for (const j of jobs) await check(j.id, true);
    while (pending.size && !opts.signal.aborted) {
      await sleep(opts.reconcileMs ?? 2000, opts.signal);
      for (const id of [...pending.keys()]) {
        if (opts.signal.aborted) break;
        await check(id, false).catch(health.error);
      }
    }
  } finally {
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}

export interface WorkerOptions {
  url: string;
  queueName: string;
  concurrency: number;
  root: string;
  benchDir?: string;
  /** A job whose worker has not renewed its lock for this long is stalled and runs again. */
  stallSeconds: number;
  signal: AbortSignal;
  log: (s: string) => void;
}

/** Takes jobs until the signal fires; then cancels the running ones and puts them back on the queue. */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const slots = new SlotClock(opts.concurrency);
  const health = outageLogger(opts.log, 'worker', opts.url);
  const lockDuration = Math.max(1000, opts.stallSeconds * 1000);
  const worker = new Worker<BatchJobData, BatchJobResult>(opts.queueName, async (job: Job<BatchJobData, BatchJobResult>, token?: string) => {
    health.ok();
    const first = job.attemptsStarted <= 1 && job.attemptsMade === 0;
    const queueMs = slots.take(first ? job.timestamp : Date.now());
    const id = job.data.instance?.instance_id ?? job.id;
    opts.log(`${id}: started (attempt ${job.attemptsMade + 1})`);
    try {
      const r = await runBatchJob(job.data, {
        jobId: job.id!, root: opts.root, benchDir: opts.benchDir, attempt: job.attemptsMade + 1, queueMs, signal: opts.signal,
      });
      if (!first) delete (r as Partial<BatchJobResult>).queue_ms;
      opts.log(`${id}: ${r.outcome.verdict} (${r.outcome.seconds.toFixed(1)} s)`);
      return r;
    } catch (e) {
      if (opts.signal.aborted) {
        // stopped, not failed: back to the queue for another worker, no attempt spent
        opts.log(`${id}: stopped; back to the queue`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      opts.log(`${id}: failed: ${(e as Error).message.split('\n')[0]}`);
      if (e instanceof InstanceInputError) throw new UnrecoverableError(e.message);
      throw e;
    } finally {
      slots.release();
    }
  }, {
    connection: redisOptions(opts.url),
    concurrency: opts.concurrency,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    // a job whose worker died twice in a row is not worth a third machine
    maxStalledCount: 2,
  });
  worker.on('error', health.error);
  await worker.waitUntilReady();
  opts.log(`worker ${process.pid}: taking jobs from "${opts.queueName}" at ${redactUrl(opts.url)} (concurrency ${opts.concurrency})`);
  await new Promise<void>((res) => {
    if (opts.signal.aborted) res();
    opts.signal.addEventListener('abort', () => res(), { once: true });
  });
  // the running jobs are cancelled by the same signal and put back; close waits for that
  await worker.close().catch(() => undefined);
}

export interface JobLook {
  state: string;
  result?: BatchJobResult;
  error?: string;
  attempts: number;
}

/** The state of some jobs in Redis (`rover batch status|results`); 'missing' for one Redis does not have. */
export async function lookUpJobs(url: string, queueName: string, ids: string[]): Promise<Map<string, JobLook>> {
  const queue = new Queue<BatchJobData, BatchJobResult>(queueName, { connection: redisOptions(url) });
  queue.on('error', () => undefined);
  const out = new Map<string, JobLook>();
  try {
    for (const id of ids) {
      const job = await queue.getJob(id);
      if (!job) {
        out.set(id, { state: 'missing', attempts: 0 });
        continue;
      }
      const state = await job.getState();
      out.set(id, {
        state, attempts: job.attemptsMade,
        ...(state === 'completed' ? { result: job.returnvalue } : {}),
        ...(state === 'failed' ? { error: job.failedReason } : {}),
      });
    }
  } finally {
    await queue.close().catch(() => undefined);
  }
  return out;
}
