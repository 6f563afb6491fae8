// A batch's results folder (--out DIR), the one place results are collected whichever queue ran
// the jobs: batch.json (what the batch is), instances/<id>.json (one record per finished instance),
// predictions.jsonl (SWE-bench predictions) and summary.json. Every file is written whole to a
// temp name and renamed, so a kill at any moment leaves the previous version, never half a file;
// a rerun with the same folder skips the instances it finds finished here.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvalMode } from '../eval/instance';
import type { BatchJobResult } from './job';

export interface QueueInfo {
  kind: 'embedded' | 'bullmq';
  /** bullmq: the Redis URL without its password. */
  url?: string;
  name?: string;
}

export interface BatchManifest {
  version: 1;
  batch_id: string;
  mode: EvalMode;
  instances_file: string;
  /** instance id -> job id, in the order given. */
  jobs: Record<string, string>;
  queue: QueueInfo;
  created_at: string;
}

export interface InstanceRecord {
  instance_id: string;
  job_id: string;
  status: 'done' | 'failed';
  attempts: number;
  /** done: the job's result. */
  result?: BatchJobResult;
  /** failed: why (the last attempt's error). */
  error?: string;
  finished_at: string;
}

export interface BatchSummary {
  batch_id: string;
  mode: EvalMode;
  queue: QueueInfo;
  instances: number;
  done: number;
  failed: number;
  pending: number;
  resolved: number;
  validated: number;
  resolved_ids: string[];
  failed_ids: Record<string, string>;
  cost_usd: number;
  /** Sum of the jobs' own times. */
  seconds_jobs: number;
  /** Wall time of the run(s) that collected the results. */
  seconds_wall: number;
  queue_overhead_ms_median?: number;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

const safeName = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_');

export class BatchStore {
  constructor(readonly dir: string) {}

  get manifestFile(): string {
    return join(this.dir, 'batch.json');
  }

  async readManifest(): Promise<BatchManifest | undefined> {
    let text: string;
    try {
      text = await readFile(this.manifestFile, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as BatchManifest;
    } catch (e) {
      throw new Error(`${this.manifestFile} is not valid JSON (${(e as Error).message}); it is not a batch folder Rover wrote`);
    }
  }

  async writeManifest(m: BatchManifest): Promise<void> {
    await mkdir(join(this.dir, 'instances'), { recursive: true });
    await writeAtomic(this.manifestFile, `${JSON.stringify(m, null, 2)}\n`);
  }

  async readRecords(): Promise<Map<string, InstanceRecord>> {
    const out = new Map<string, InstanceRecord>();
    let names: string[];
    try {
      names = await readdir(join(this.dir, 'instances'));
    } catch {
      return out;
    }
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        const r = JSON.parse(await readFile(join(this.dir, 'instances', n), 'utf8')) as InstanceRecord;
        if (r.instance_id) out.set(r.instance_id, r);
      } catch {
        // a record that cannot be read is as good as absent: the instance runs again
      }
    }
    return out;
  }

  async writeRecord(r: InstanceRecord): Promise<void> {
    await mkdir(join(this.dir, 'instances'), { recursive: true });
    await writeAtomic(join(this.dir, 'instances', `${safeName(r.instance_id)}.json`), `${JSON.stringify(r, null, 2)}\n`);
  }

  /** summary.json and predictions.jsonl from the records (all of them, so a rerun's are merged). */
  async writeSummary(m: BatchManifest, records: Map<string, InstanceRecord>, secondsWall: number): Promise<BatchSummary> {
    const s = summarizeBatch(m, records, secondsWall);
    const preds = Object.keys(m.jobs)
      .map((id) => records.get(id))
      .filter((r): r is InstanceRecord => r?.status === 'done' && r.result !== undefined)
      .map((r) => JSON.stringify({ instance_id: r.instance_id, model_name_or_path: `rover-${m.mode}`, model_patch: r.result!.patch }));
    await writeAtomic(join(this.dir, 'predictions.jsonl'), preds.length ? `${preds.join('\n')}\n` : '');
    await writeAtomic(join(this.dir, 'summary.json'), `${JSON.stringify(s, null, 2)}\n`);
    return s;
  }
}

export function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarizeBatch(m: BatchManifest, records: Map<string, InstanceRecord>, secondsWall: number): BatchSummary {
  const ours = Object.keys(m.jobs).map((id) => records.get(id)).filter((r): r is InstanceRecord => r !== undefined);
  const done = ours.filter((r) => r.status === 'done');
  const failed = ours.filter((r) => r.status === 'failed');
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const q = median(done.map((r) => r.result!.queue_ms));
  return {
    batch_id: m.batch_id,
    mode: m.mode,
    queue: m.queue,
    instances: Object.keys(m.jobs).length,
    done: done.length,
    failed: failed.length,
    pending: Object.keys(m.jobs).length - ours.length,
    resolved: done.filter((r) => r.result!.outcome.resolved).length,
    validated: done.filter((r) => r.result!.outcome.validated).length,
    resolved_ids: done.filter((r) => r.result!.outcome.resolved).map((r) => r.instance_id),
    failed_ids: Object.fromEntries(failed.map((r) => [r.instance_id, r.error ?? 'failed'])),
    cost_usd: r3(done.reduce((a, r) => a + (r.result!.cost_usd ?? 0), 0)),
    seconds_jobs: r3(done.reduce((a, r) => a + r.result!.outcome.seconds, 0)),
    seconds_wall: r3(secondsWall),
    ...(q !== undefined ? { queue_overhead_ms_median: q } : {}),
  };
}
