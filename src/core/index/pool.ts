// A pool of worker threads running dist/parse-worker.js. Jobs go out in small batches and each worker
// pulls the next batch when it answers, so one huge file does not hold the others back. If a worker
// dies, its batch and everything left is parsed on the calling thread: slower, never lost.
import { Worker } from 'node:worker_threads';
import { parseFileAt } from './file-parse';
import type { ParseJob, ParseResult } from './file-parse';
import { builtWorkerPath } from './paths';
import type { WorkerReply, WorkerRequest } from './parse-worker';

const BATCH = 8;

export class ParsePool {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  private constructor(
    private readonly script: string,
    private readonly size: number,
  ) {}

  /** undefined when there is no built worker script (running from TS sources) or size is 0. */
  static create(size: number): ParsePool | undefined {
    if (size <= 0) return undefined;
    const script = builtWorkerPath();
    return script ? new ParsePool(script, size) : undefined;
  }

  /** A pool running another worker script (tests use one that dies). */
  static withScript(script: string, size: number): ParsePool {
    return new ParsePool(script, size);
  }

  async run(jobs: ParseJob[]): Promise<ParseResult[]> {
    if (!jobs.length) return [];
    const batches: ParseJob[][] = [];
    for (let i = 0; i < jobs.length; i += BATCH) batches.push(jobs.slice(i, i + BATCH));
    const results: ParseResult[] = [];
    const wanted = Math.min(this.size, batches.length);
    while (this.workers.length < wanted) this.workers.push(this.spawn());
    const failed: ParseJob[] = [];
    await Promise.all(
      this.workers.slice(0, wanted).map(async (w) => {
        w.ref();
        try {
          for (let b = batches.shift(); b; b = batches.shift()) {
            try {
              results.push(...(await this.send(w, b)));
            } catch {
              // the worker is gone: hand its batch and the rest to the calling thread
              failed.push(...b);
              for (let r = batches.shift(); r; r = batches.shift()) failed.push(...r);
              this.drop(w);
              return;
            }
          }
        } finally {
          w.unref();
        }
      }),
    );
    for (const job of failed) results.push(await parseFileAt(job));
    return results;
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const w = new Worker(this.script);
    w.unref();
    // errors surface through send(); this only keeps an idle crash from being unhandled
    w.on('error', () => this.drop(w));
    return w;
  }

  private drop(w: Worker): void {
    const i = this.workers.indexOf(w);
    if (i !== -1) this.workers.splice(i, 1);
    void w.terminate();
  }

  private send(w: Worker, jobs: ParseJob[]): Promise<ParseResult[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        cleanup();
        resolve(reply.results);
      };
      const onError = (e: Error) => {
        cleanup();
        reject(e);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`parse worker exited with code ${code}`));
      };
      const cleanup = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      const req: WorkerRequest = { id, jobs };
      w.postMessage(req);
    });
  }
}
