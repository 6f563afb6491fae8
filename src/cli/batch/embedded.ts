// The embedded queue: the batch's jobs run in this process, N at a time, with the same job code,
// attempts and backoff as the BullMQ workers, so one machine needs nothing else. Hand-written on
// purpose: it is a pool of N loops over an array (a queue package would add only that), and the
// durable part, what finished, is the results folder, not the queue.
import { InstanceInputError } from '../eval/instance';
import { runBatchJob, SlotClock, type BatchJobData, type BatchJobResult } from './job';

export interface RetryPolicy {
  /** Runs of a job at most (the first included). */
  attempts: number;
  /** Wait before the second run; doubled for each further one. */
  backoffMs: number;
}

export interface QueueEvents {
  active(jobId: string): void;
  completed(jobId: string, result: BatchJobResult, attempts: number): void;
  failed(jobId: string, error: string, attempts: number): void;
  retrying?(jobId: string, error: string, attempt: number, delayMs: number): void;
}

export interface EmbeddedOptions extends RetryPolicy {
  concurrency: number;
  root: string;
  benchDir?: string;
  signal: AbortSignal;
}

/** Waits ms, or less when the signal fires; leaves no listener behind either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((res) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      res();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs the jobs; resolves when every job finished or the signal fired (running jobs are cancelled). */
export async function runEmbedded(jobs: { id: string; data: BatchJobData }[], opts: EmbeddedOptions, ev: QueueEvents): Promise<void> {
  const todo = [...jobs];
  const slots = new SlotClock(opts.concurrency);
  const loop = async () => {
    for (let job = todo.shift(); job && !opts.signal.aborted; job = todo.shift()) {
      for (let attempt = 1; ; attempt++) {
        const queueMs = attempt === 1 ? slots.take(job.data.enqueuedAt) : 0;
        if (attempt > 1) slots.take(0);
        ev.active(job.id);
        try {
          const r = await runBatchJob(job.data, { jobId: job.id, root: opts.root, benchDir: opts.benchDir, attempt, queueMs, signal: opts.signal });
          slots.release();
          ev.completed(job.id, r, attempt);
          break;
        } catch (e) {
          slots.release();
          if (opts.signal.aborted) return;
          const msg = (e as Error).message;
          if (e instanceof InstanceInputError || attempt >= opts.attempts) {
            ev.failed(job.id, msg, attempt);
            break;
          }
          const delay = opts.backoffMs * 2 ** (attempt - 1);
          ev.retrying?.(job.id, msg, attempt, delay);
          await sleep(delay, opts.signal);
          if (opts.signal.aborted) return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, loop));
}
