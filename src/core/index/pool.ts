// A pool of worker threads running dist/parse-worker.js. A run hands every worker the same job list
// (largest files first) and a shared counter to claim jobs from, so the load balances itself and
// the last file to finish is a small one. If a worker dies, the files nobody reported are parsed on
// the calling thread once the others are done: slower, never lost.
import { Worker } from 'node:worker_threads';
import { parseFileAt } from './parse-file';
import type { ParseJob, ParseResult } from './parse-file';
import { builtWorkerPath } from './install-paths';
import type { WorkerReply, WorkerRequest } from './parse-worker';

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

  /** Starts the workers ahead of a run (each loads the parser runtime meanwhile). */
  warm(count = this.size): void {
    while (this.workers.length < Math.min(count, this.size)) this.workers.push(this.spawn());
  }

  async run(jobs: ParseJob[]): Promise<ParseResult[]> {
    if (!jobs.length) return [];
    const order = [...jobs].sort((a, b) => b.size - a.size);
    this.warm(Math.ceil(order.length / 8));
    const byOrder: (ParseResult | undefined)[] = new Array(order.length);
    const next = new Int32Array(new SharedArrayBuffer(4));
    const id = this.nextId++;
    await Promise.all(this.workers.slice().map((w) => this.drive(w, id, order, next, byOrder)));
    // anything unreported belonged to a worker that died
    for (let i = 0; i < order.length; i++) byOrder[i] ??= await parseFileAt(order[i]);
    // callers get results in the order of their jobs
    const at = new Map(order.map((j, i) => [j, i]));
    return jobs.map((j) => byOrder[at.get(j)!]!);
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const w = new Worker(this.script);
    w.unref();
    // errors surface through drive(); this only keeps an idle crash from being unhandled
    w.on('error', () => this.drop(w));
    return w;
  }

  private drop(w: Worker): void {
    const i = this.workers.indexOf(w);
    if (i !== -1) this.workers.splice(i, 1);
    void w.terminate();
  }

  /** Resolves when `w` reports it is done, or has died (its unreported jobs stay undefined). */
  private drive(w: Worker, id: number, jobs: ParseJob[], next: Int32Array, results: (ParseResult | undefined)[]): Promise<void> {
    return new Promise((resolve) => {
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        for (const r of reply.results) results[r.job] = r.result;
        if (reply.done) finish(false);
      };
      const onGone = () => finish(true);
      const finish = (dead: boolean) => {
        w.off('message', onMessage);
        w.off('error', onGone);
        w.off('exit', onGone);
        w.unref();
        if (dead) this.drop(w);
        resolve();
      };
      w.ref();
      w.on('message', onMessage);
      w.on('error', onGone);
      w.on('exit', onGone);
      w.postMessage({ id, jobs, next } satisfies WorkerRequest);
    });
  }
}
