// Worker thread entry (built to dist/parse-worker.js): parses batches of files handed to it by
// ParsePool. Each worker keeps its own tree-sitter runtime, parsers and compiled queries.
import { parentPort } from 'node:worker_threads';
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
        results.push(await parseFileAt(job));
      } catch (e) {
        results.push({ rel: job.rel, warnings: [{ path: job.rel, reason: 'parse-failed', message: String((e as Error).message) }] });
      }
    }
    const reply: WorkerReply = { id: req.id, results };
    port.postMessage(reply);
  });
}
