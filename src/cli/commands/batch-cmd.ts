// rover batch --instances FILE [--ids a,b] [--ids-file F] --mode gold|patch|fix [--patches preds.jsonl]
//             [--concurrency N] --out DIR [--redis URL [--queue NAME]] ...
// rover batch status --out DIR      rover batch results --out DIR
// Many instances at once: in this process (the embedded queue, the default) or as BullMQ jobs on
// Redis for `rover worker` processes on any machine. Results are collected in --out; rerunning the
// same command with the same --out skips what finished there.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT, parse } from '../args';
import { onInterrupt } from '../../core/proc/cancel';
import { SELECT_OPTIONS, selectInstances } from '../eval/select';
import { DEFAULT_QUEUE, lookUpJobs, runOnBullmq } from '../batch/bullmq';
import { runEmbedded, type QueueEvents } from '../batch/embedded';
import { jobIdFor, makeJobData, type BatchJobData, type BatchJobResult } from '../batch/job';
import { startBatchProgress } from '../batch/progress';
import { probeRedis, redactUrl, redisUrlFrom } from '../batch/redis-url';
import { BatchStore, summarizeBatch, type BatchManifest, type BatchSummary, type InstanceRecord } from '../batch/store';

const USAGE = 'batch --instances FILE [--ids a,b] [--ids-file FILE] --mode gold|patch|fix [--patches preds.jsonl] [--concurrency N] --out DIR [--redis URL] [--json]\n       rover batch status|results --out DIR [--redis URL] [--json]';

const HELP = {
  summary: 'Runs many benchmark instances, each as one job (the work of `rover eval` for one instance), in this process (the default) or, with --redis, on a BullMQ queue that `rover worker` processes on any machine take jobs from. Results go to --out: instances/<id>.json per instance, predictions.jsonl (SWE-bench predictions), summary.json. Rerunning with the same --out skips the finished instances. `rover batch status --out DIR` counts done/failed/pending (and, for a Redis batch, what the queue holds); `rover batch results --out DIR` collects finished jobs from Redis and prints the summary.',
  options: {
    instances: 'JSON lines (or a JSON array) of instances: instance_id, repo, base_commit, patch, test_patch, FAIL_TO_PASS, PASS_TO_PASS',
    ids: 'only these instance ids (comma-separated)',
    'ids-file': 'only the ids in this file (whitespace-separated)',
    mode: 'gold: grade the gold patch; patch: the --patches predictions; fix: Rover writes the patch (the API key comes from the environment of whoever runs the job)',
    patches: 'mode patch: SWE-bench predictions (JSON lines of {instance_id, model_patch})',
    concurrency: 'jobs at once in this process (embedded queue; default 1)',
    out: 'the results folder (required); reuse it to resume',
    redis: 'redis://[user:password@]HOST:PORT[/DB] or rediss:// (TLS): put the jobs on BullMQ for `rover worker`; ROVER_REDIS_URL keeps the password out of the process list',
    queue: `BullMQ queue name (default ${DEFAULT_QUEUE})`,
    root: 'embedded: the checkout cache, <root>/<instance_id> (default $SWEBENCH_ROOT or /tmp/swebench-eval)',
    bench: 'the folder with prepare.sh to make missing checkouts (default: the instances file\'s folder)',
    attempts: 'runs of a job at most before it is recorded as failed (default 3)',
    'backoff-seconds': 'wait before the second run of a failed job, doubled each time (default 5)',
    'job-timeout': 'seconds one job may take at most (default 3600)',
    budget: 'mode fix: USD per instance (default: rover fix\'s)',
    'retry-failed': 'run again the instances recorded as failed (otherwise a rerun skips them too)',
    json: 'print the summary as JSON on stdout, no progress',
  },
  notes: [
    'examples:',
    '  rover batch --instances instances.jsonl --ids-file core.txt --mode gold --concurrency 2 --out runs/gold',
    '  ROVER_REDIS_URL=redis://:PASSWORD@queue-host:6379 rover batch --instances instances.jsonl --mode fix --out runs/fix --redis "$ROVER_REDIS_URL"',
    'exit codes: 0 every instance ran (whatever its verdict), 1 some failed, 2 bad input or Redis unreachable, 130 cancelled (rerun to resume)',
  ],
};

const positiveInt = (v: string | undefined, flag: string, dflt: number) => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a whole number of at least 1 (got "${v}")`);
  return n;
};
const nonNegative = (v: string | undefined, flag: string, dflt: number) => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`${flag} must be a number of at least 0 (got "${v}")`);
  return n;
};

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'status' || argv[0] === 'results') return report(argv[0], argv.slice(1));
  const { values } = parse(argv, {
    ...SELECT_OPTIONS,
    concurrency: { type: 'string' },
    out: { type: 'string' },
    redis: { type: 'string' },
    queue: { type: 'string' },
    root: { type: 'string' },
    bench: { type: 'string' },
    attempts: { type: 'string' },
    'backoff-seconds': { type: 'string' },
    'job-timeout': { type: 'string' },
    budget: { type: 'string' },
    'retry-failed': { type: 'boolean' },
    json: { type: 'boolean' },
  }, USAGE, HELP);
  if (!values.out) throw new CliError(`--out DIR is required (the results folder; rerun with the same one to resume)\nusage: rover ${USAGE}`);
  const concurrency = positiveInt(values.concurrency, '--concurrency', 1);
  const retry = { attempts: positiveInt(values.attempts, '--attempts', 3), backoffMs: nonNegative(values['backoff-seconds'], '--backoff-seconds', 5) * 1000 };
  const timeoutS = nonNegative(values['job-timeout'], '--job-timeout', 3600) || 3600;
  const budgetUsd = values.budget === undefined ? undefined : nonNegative(values.budget, '--budget', 1);
  const redisUrl = redisUrlFrom(values.redis);

  const { instancesFile, all, ids, mode, preds } = await selectInstances(values, USAGE);
  if (preds) {
    const without = ids.filter((i) => !preds.has(i));
    if (without.length) throw new CliError(`--patches has no prediction for: ${without.join(', ')}`);
  }
  if (redisUrl) await probeRedis(redisUrl);

  const store = new BatchStore(resolve(values.out));
  const prev = await store.readManifest().catch((e: Error) => { throw new CliError(e.message); });
  if (prev && prev.mode !== mode) throw new CliError(`${store.dir} holds a batch in mode ${prev.mode}; use another --out for mode ${mode}`);
  const queueName = values.queue ?? DEFAULT_QUEUE;
  const manifest: BatchManifest = {
    version: 1,
    batch_id: prev?.batch_id ?? `b-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    mode,
    instances_file: instancesFile,
    jobs: { ...(prev?.jobs ?? {}) },
    queue: redisUrl ? { kind: 'bullmq', url: redactUrl(redisUrl), name: queueName } : { kind: 'embedded' },
    created_at: prev?.created_at ?? new Date().toISOString(),
  };
  const records = await store.readRecords();
  const benchDir = resolve(values.bench ?? dirname(instancesFile));
  const jobs: { id: string; data: BatchJobData }[] = [];
  let skipped = 0;
  for (const id of ids) {
    const inst = all.get(id)!;
    const jobId = jobIdFor(inst, mode, preds?.get(id));
    manifest.jobs[id] = jobId;
    const rec = records.get(id);
    // finished under the same job (same patch): skipped; a changed patch is a new job
    if (rec && rec.job_id === jobId && (rec.status === 'done' || !values['retry-failed'])) {
      skipped++;
      continue;
    }
    if (rec) records.delete(id);
    jobs.push({ id: jobId, data: makeJobData(inst, mode, { batchId: manifest.batch_id, prediction: preds?.get(id), benchDir, timeoutS, budgetUsd }) });
  }
  await store.writeManifest(manifest);

  const quiet = values.json ?? false;
  const byJob = new Map(jobs.map((j) => [j.id, j.data.instance.instance_id]));
  const progress = startBatchProgress(ids.length, { quiet });
  if (!quiet) {
    progress.note(`batch ${manifest.batch_id}: ${ids.length} instance(s), mode ${mode}, ${redisUrl ? `BullMQ queue "${queueName}" at ${redactUrl(redisUrl)}` : `in this process, concurrency ${concurrency}`}; results in ${store.dir}`);
    if (skipped) progress.note(`${skipped} already finished in ${store.dir}: skipped`);
  }
  const running = new Set<string>();
  const counts = () => {
    const ours = ids.map((i) => records.get(i)).filter(Boolean) as InstanceRecord[];
    return { done: ours.filter((r) => r.status === 'done').length, failed: ours.filter((r) => r.status === 'failed').length, running: running.size };
  };
  progress.update(counts());
  // records are written one by one as jobs finish: a kill loses at most the running jobs
  let writes = Promise.resolve();
  const record = (r: InstanceRecord) => {
    records.set(r.instance_id, r);
    running.delete(r.job_id);
    writes = writes.then(() => store.writeRecord(r)).catch((e: Error) => progress.note(`cannot write ${r.instance_id}'s record: ${e.message}`));
    progress.update(counts());
  };
  const events: QueueEvents = {
    active: (jobId) => { running.add(jobId); progress.update(counts()); },
    completed: (jobId, result: BatchJobResult, attempts) => {
      const id = byJob.get(jobId) ?? result.instance_id;
      record({ instance_id: id, job_id: jobId, status: 'done', attempts, result, finished_at: new Date(result.finished_at).toISOString() });
      const o = result.outcome;
      progress.note(`${id}: ${o.verdict} (validated=${o.validated} resolved=${o.resolved}, ${o.seconds.toFixed(1)} s${attempts > 1 ? `, attempt ${attempts}` : ''})${o.error ? ` note: ${o.error.split('\n')[0]}` : ''}`);
    },
    failed: (jobId, error, attempts) => {
      const id = byJob.get(jobId) ?? jobId;
      record({ instance_id: id, job_id: jobId, status: 'failed', attempts, error, finished_at: new Date().toISOString() });
      progress.note(`${id}: FAILED after ${attempts} attempt(s): ${error.split('\n')[0]}`);
    },
    retrying: (jobId, error, attempt, delayMs) => {
      running.delete(jobId);
      progress.note(`${byJob.get(jobId)}: attempt ${attempt} failed (${error.split('\n')[0]}); again in ${(delayMs / 1000).toFixed(1)} s`);
    },
  };

  const t0 = Date.now();
  const stop = onInterrupt();
  try {
    if (redisUrl) {
      await runOnBullmq(jobs, { ...retry, url: redisUrl, queueName, signal: stop.signal, retryFailed: values['retry-failed'], log: progress.note }, events);
    } else {
      const root = resolve(values.root ?? process.env.SWEBENCH_ROOT ?? '/tmp/swebench-eval');
      await runEmbedded(jobs, { ...retry, concurrency, root, benchDir, signal: stop.signal }, events);
    }
  } finally {
    stop.dispose();
    await writes;
    progress.stop();
  }
  const summary = await store.writeSummary(manifest, records, (Date.now() - t0) / 1000);
  if (stop.received) {
    console.error(`rover: cancelled; ${summary.done + summary.failed} of ${summary.instances} finished are in ${store.dir}. Run the same command again to resume${redisUrl ? ' (the queued jobs stay in Redis; workers go on with them)' : ''}.`);
    return stop.exitCode;
  }
  if (quiet) console.log(JSON.stringify(summary));
  else printSummary(summary, store.dir);
  return summary.failed === 0 && summary.pending === 0 ? EXIT.ok : EXIT.failed;
}

function printSummary(s: BatchSummary, dir: string): void {
  console.log(`instances: ${s.instances}  done: ${s.done}  failed: ${s.failed}  pending: ${s.pending}  resolved: ${s.resolved}  validated: ${s.validated}`);
  console.log(`cost: $${s.cost_usd.toFixed(2)}  job time: ${s.seconds_jobs.toFixed(1)} s  wall: ${s.seconds_wall.toFixed(1)} s${s.queue_overhead_ms_median !== undefined ? `  queue overhead (median): ${s.queue_overhead_ms_median} ms` : ''}`);
  for (const [id, why] of Object.entries(s.failed_ids)) console.log(`failed: ${id}: ${why.split('\n')[0]}`);
  console.log(`results: ${dir} (summary.json, predictions.jsonl, instances/)`);
}

/** `batch status` (counts; a Redis batch's queue states) and `batch results` (collect from Redis, summary). */
async function report(which: 'status' | 'results', argv: string[]): Promise<number> {
  const { values } = parse(argv, { out: { type: 'string' }, redis: { type: 'string' }, json: { type: 'boolean' } }, `batch ${which} --out DIR [--redis URL] [--json]`, {
    summary: which === 'status'
      ? 'How far a batch is: done, failed and pending instances in its results folder and, for a batch on Redis, where its pending jobs are (waiting, active, delayed for a retry, finished but not yet collected).'
      : 'Collects the finished jobs of a batch on Redis into its results folder (also when `rover batch` was stopped), then prints the summary and writes summary.json and predictions.jsonl.',
    options: { out: 'the batch\'s results folder', redis: 'the Redis URL (default ROVER_REDIS_URL, else the one in batch.json when it had no password)', json: 'JSON on stdout' },
  });
  if (!values.out) throw new CliError(`--out DIR is required\nusage: rover batch ${which} --out DIR [--redis URL] [--json]`);
  const store = new BatchStore(resolve(values.out));
  const m = await store.readManifest().catch((e: Error) => { throw new CliError(e.message); });
  if (!m) throw new CliError(`${store.dir} holds no batch (no batch.json)`);
  const records = await store.readRecords();
  const queue: Record<string, number> = {};
  if (m.queue.kind === 'bullmq') {
    const url = redisUrlFrom(values.redis) ?? (m.queue.url && !m.queue.url.includes('***') ? m.queue.url : undefined);
    if (!url) throw new CliError('this batch is on a Redis with a password: give it with --redis URL or ROVER_REDIS_URL');
    await probeRedis(url);
    const open = Object.entries(m.jobs).filter(([id, job]) => records.get(id)?.job_id !== job);
    const looks = await lookUpJobs(url, m.queue.name ?? DEFAULT_QUEUE, open.map(([, job]) => job));
    for (const [id, job] of open) {
      const l = looks.get(job)!;
      queue[l.state] = (queue[l.state] ?? 0) + 1;
      if (which !== 'results') continue;
      if (l.state === 'completed' && l.result) {
        const r: InstanceRecord = { instance_id: id, job_id: job, status: 'done', attempts: l.result.attempt ?? l.attempts, result: l.result, finished_at: new Date(l.result.finished_at).toISOString() };
        records.set(id, r);
        await store.writeRecord(r);
      } else if (l.state === 'failed') {
        const r: InstanceRecord = { instance_id: id, job_id: job, status: 'failed', attempts: l.attempts, error: l.error ?? 'failed', finished_at: new Date().toISOString() };
        records.set(id, r);
        await store.writeRecord(r);
      }
    }
  }
  const prevWall = await readFile(`${store.dir}/summary.json`, 'utf8').then((t) => (JSON.parse(t) as BatchSummary).seconds_wall, () => 0);
  const s = which === 'results' ? await store.writeSummary(m, records, prevWall) : summarizeBatch(m, records, prevWall);
  const out = m.queue.kind === 'bullmq' ? { ...s, redis_states: queue } : s;
  if (values.json) console.log(JSON.stringify(out));
  else {
    printSummary(s, store.dir);
    if (m.queue.kind === 'bullmq' && Object.keys(queue).length) console.log(`in Redis: ${Object.entries(queue).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  }
  return which === 'status' ? EXIT.ok : s.failed === 0 && s.pending === 0 ? EXIT.ok : EXIT.failed;
}
