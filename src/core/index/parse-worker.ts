// Worker thread entry (built to dist/parse-worker.js): parses batches of files handed to it by
// ParsePool. Each worker keeps its own tree-sitter runtime, parsers and compiled queries.
import { parentPort } from 'node:worker_threads';
import { metaOf } from './cache';
import { encodeFile } from './cache-codec';
import { parseFileAt } from './file-parse';
import type { ParseJob, ParseResult } from './file-parse';

export interface WorkerRequest {
  id: number;
  jobs: ParseJob[];
}
export interface WorkerReply {
  id: number;
  results: ParseResult[];
}

if (parentPort) {
  const port = parentPort;
  port.on('message', async (req: WorkerRequest) => {
    const results: ParseResult[] = [];
    for (const job of req.jobs) {
      try {
        // Records travel as their cache line: one string clones far faster than thousands of small
        // objects, and the main thread only decodes the files somebody looks at.
        const r = await parseFileAt(job);
        if (r.record) {
          r.encoded = { meta: metaOf(r.record), body: JSON.stringify(encodeFile(r.record)) };
          r.record = undefined;
        }
        results.push(r);
      } catch (e) {
        results.push({ rel: job.rel, warnings: [{ path: job.rel, reason: 'parse-failed', message: String((e as Error).message) }] });
      }
    }
    const reply: WorkerReply = { id: req.id, results };
    port.postMessage(reply);
  });
}
