// Worker thread entry (built to dist/parse-worker.js). Every worker of a run gets the whole job list
// and a shared counter; each claims the next job with an atomic add, so nobody waits for the main
// thread between files and a large file only delays the worker holding it. Results are streamed back
// in small groups. Each worker keeps its own tree-sitter runtime, parsers and compiled queries.
import { parentPort } from 'node:worker_threads';
import { metaOf } from './index-cache';
import { encodeFile } from './cache-codec';
import { parseFileAt } from './parse-file';
import type { ParseJob, ParseResult } from './parse-file';
import { warmRuntime } from './tree-sitter-runtime';

export interface WorkerRequest {
  id: number;
  jobs: ParseJob[];
  /** Int32Array over a SharedArrayBuffer; slot 0 is the index of the next unclaimed job. */
  next: Int32Array;
}
export interface WorkerReply {
  id: number;
  /** Results with the index of their job in the request. */
  results: { job: number; result: ParseResult }[];
  done: boolean;
}

// a reply per ~this many ms of work keeps messages few without holding results back for long
const FLUSH_MS = 40;

async function runJobs(port: NonNullable<typeof parentPort>, req: WorkerRequest): Promise<void> {
  let out: WorkerReply['results'] = [];
  let since = performance.now();
  for (let i = Atomics.add(req.next, 0, 1); i < req.jobs.length; i = Atomics.add(req.next, 0, 1)) {
    const job = req.jobs[i];
    let r: ParseResult;
    try {
      // Records travel as their cache line: one string clones far faster than thousands of small
      // objects, and the main thread only decodes the files somebody looks at.
      r = await parseFileAt(job, true);
      if (r.record) {
        r.encoded = { meta: metaOf(r.record), body: JSON.stringify(encodeFile(r.record)) };
        r.record = undefined;
      }
    } catch (e) {
      r = { rel: job.rel, warnings: [{ path: job.rel, reason: 'parse-failed', message: String((e as Error).message) }] };
    }
    out.push({ job: i, result: r });
    if (performance.now() - since > FLUSH_MS) {
      port.postMessage({ id: req.id, results: out, done: false } satisfies WorkerReply);
      out = [];
      since = performance.now();
    }
  }
  port.postMessage({ id: req.id, results: out, done: true } satisfies WorkerReply);
}

if (parentPort) {
  const port = parentPort;
  // load the runtime while the main thread is still walking the workspace
  void warmRuntime().catch(() => undefined);
  port.on('message', (req: WorkerRequest) => void runJobs(port, req));
}
