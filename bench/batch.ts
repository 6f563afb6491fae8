// npm run bench:batch [-- --json] [--ids a,b] [--ids-file FILE] [--instances FILE] [--root DIR] [--keep DIR]
// shared/bench's core.txt in gold mode through `rover batch` three ways: the embedded queue with
// concurrency 1 and 2, and BullMQ (a real redis-server on a free loopback port) with two `rover
// worker` processes of concurrency 1. Prints whether the verdicts agree with the single run, the
// wall times, the speed-up of two workers and the queue's own delay per job (enqueue -> start,
// counted from when a worker was free; median). Checkouts come from prepare.sh (--root, default
// $SWEBENCH_ROOT or /tmp/swebench-eval; missing ones are made on the way).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from './lib/redis-server';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' }, ids: { type: 'string' }, 'ids-file': { type: 'string' }, instances: { type: 'string' },
    root: { type: 'string' }, keep: { type: 'string' },
  },
});
const BENCH = resolve(process.env.ROVER_BENCH_DIR ?? '/work/shared/bench');
const instances = resolve(values.instances ?? join(BENCH, 'instances.jsonl'));
const idsFile = values.ids ? undefined : resolve(values['ids-file'] ?? join(BENCH, 'core.txt'));
const root = resolve(values.root ?? process.env.SWEBENCH_ROOT ?? '/tmp/swebench-eval');
const CLI = join(__dirname, 'cli.js');
const log = (s: string) => { if (!values.json) console.error(s); };

interface Rec { instance_id: string; status: string; error?: string; result?: { queue_ms?: number; outcome: { validated: boolean; resolved: boolean; verdict: string } } }

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { done: Promise<number | null>; pid: number; stop(): void } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', values.json ? 'ignore' : 'inherit'] });
  return {
    done: new Promise((r) => child.on('exit', (c) => r(c))),
    pid: child.pid!,
    stop: () => child.kill('SIGTERM'),
  };
}

async function records(out: string): Promise<Map<string, Rec>> {
  const m = new Map<string, Rec>();
  for (const f of await readdir(join(out, 'instances'))) {
    const r = JSON.parse(await readFile(join(out, 'instances', f), 'utf8')) as Rec;
    m.set(r.instance_id, r);
  }
  return m;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build`);
  const work = values.keep ? resolve(values.keep) : await mkdtemp(join(tmpdir(), 'rover-bench-batch-'));
  const select = values.ids ? ['--ids', values.ids] : ['--ids-file', idsFile!];
  const common = ['batch', '--instances', instances, ...select, '--mode', 'gold', '--root', root, '--attempts', '1', '--json'];
  const timed = async (name: string, args: string[]) => {
    const out = join(work, name);
    await rm(out, { recursive: true, force: true });
    log(`bench:batch: ${name} ...`);
    const t0 = Date.now();
    const code = await runCli([...common, ...args, '--out', out]).done;
    const seconds = (Date.now() - t0) / 1000;
    log(`bench:batch: ${name}: ${seconds.toFixed(1)} s (exit ${code})`);
    return { seconds, recs: await records(out) };
  };

  const single = await timed('embedded-1', ['--concurrency', '1']);
  const two = await timed('embedded-2', ['--concurrency', '2']);
  const redis = await startRedis();
  let bull;
  const workers = [0, 1].map(() => runCli(['worker', '--redis', redis.url, '--root', root, '--bench', BENCH, '--concurrency', '1']));
  try {
    bull = await timed('bullmq-2w', ['--redis', redis.url]);
  } finally {
    for (const w of workers) w.stop();
    await Promise.all(workers.map((w) => w.done));
    await redis.stop();
  }
  const ids = [...single.recs.keys()].sort();
  const verdict = (r?: Rec) => (r?.result ? `${r.result.outcome.validated}/${r.result.outcome.resolved}` : `failed: ${r?.error ?? 'missing'}`);
  const disagree = ids.filter((id) => verdict(two.recs.get(id)) !== verdict(single.recs.get(id)) || verdict(bull.recs.get(id)) !== verdict(single.recs.get(id)));
  const queueMs = (recs: Map<string, Rec>) => median([...recs.values()].map((r) => r.result?.queue_ms).filter((x): x is number => typeof x === 'number'));
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const report = {
    instances: ids.length,
    agree_with_single: ids.length - disagree.length,
    disagree,
    resolved_single: [...single.recs.values()].filter((r) => r.result?.outcome.resolved).length,
    failed_jobs: [...single.recs.values(), ...two.recs.values(), ...bull.recs.values()].filter((r) => r.status === 'failed').length,
    seconds_embedded_1: r2(single.seconds),
    seconds_embedded_2: r2(two.seconds),
    seconds_bullmq_2w: r2(bull.seconds),
    speedup_embedded_2: r2(single.seconds / two.seconds),
    speedup_2w: r2(single.seconds / bull.seconds),
    queue_overhead_ms_per_job: queueMs(bull.recs),
    queue_overhead_ms_per_job_embedded_2: queueMs(two.recs),
    targets: { agree: disagree.length === 0, queue_overhead_le_50ms: queueMs(bull.recs) <= 50, speedup_2w_ge_1_6: single.seconds / bull.seconds >= 1.6 },
  };
  if (!values.keep) await rm(work, { recursive: true, force: true });
  if (values.json) console.log(JSON.stringify(report));
  else console.log(JSON.stringify(report, null, 2));
}

main().catch((e: Error) => {
  console.error(`bench:batch: ${e.stack ?? e.message}`);
  process.exitCode = 1;
});
