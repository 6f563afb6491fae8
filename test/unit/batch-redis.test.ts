// `rover batch --redis` and `rover worker` on a real Redis (Debian's redis-server on a free loopback
// port, stopped by pid) with the built CLI on copies of the py-inventory fixture: the same results as
// the embedded queue, a duplicate enqueue run once, a worker killed mid-job, Redis killed and
// restarted mid-batch, no secret in Redis, and an unreachable Redis.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BATCH_INSTANCES, makeCheckoutCache, readRecords, readFixtureInstances, slowInstance, startCli, waitFor, writeInstances, type FixtureInstance, type Started,
} from '../support/batch-fixture';
import { freePort, startRedis, type RedisServer } from '../../bench/lib/redis-server';
import { startScriptedServer, type ScriptedTurn } from '../support/scripted-model-server.mjs';
import { lacks } from '../support/system-deps';
import type { InstanceRecord } from '../../src/cli/batch/store';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

const verdicts = (recs: Record<string, InstanceRecord>) => Object.fromEntries(Object.entries(recs).map(([id, r]) => [id, r.result && { verdict: r.result.outcome.verdict, validated: r.result.outcome.validated, resolved: r.result.outcome.resolved, patch: r.result.patch }]));
const checkoutsLeft = (tmp: string) => { try { return readdirSync(join(tmp, 'rover-worktrees')).filter((d) => !d.startsWith('.')); } catch { return []; } };

describe.skipIf(lacks('redis-server', 'git', 'python3-pytest'))('rover batch on BullMQ with rover worker', () => {
  let tmp: string;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let fixtures: FixtureInstance[];
  let redis: RedisServer | undefined;
  const started: Started[] = [];
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const s = startCli(args, { ...env, ...extra });
    started.push(s);
    return s;
  };
  const worker = (url: string, extra: string[] = []) => cli(['worker', '--redis', url, '--root', root, ...extra]);
  const stopAll = async () => {
    for (const s of started.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await Promise.race([s.exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      }
    }
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rover-batch-redis-'));
    root = join(tmp, 'root');
    fixtures = await readFixtureInstances();
    await makeCheckoutCache(root, [...fixtures.map((f) => f.instance_id), 'slow-a', 'slow-b', 'slow-c', 'slow-k']);
    env = { TMPDIR: tmp, SWEBENCH_ROOT: root, ROVER_SANDBOX: 'off', ROVER_REDIS_URL: '' };
  });
  afterEach(async () => {
    await stopAll();
    await redis?.stop();
    redis = undefined;
  });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  it('gives the embedded queue\'s results with two workers; no API key or Redis password in Redis or batch.json', async () => {
    const password = 'pw-Zq81-not-in-logs';
    const apiKey = 'sk-ant-test-SECRET-0123456789';
    redis = await startRedis({ password });
    const embedded = cli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--concurrency', '2', '--out', join(tmp, 'emb')]);
    expect(await embedded.exited, embedded.err()).toBe(0);
    const w1 = cli(['worker', '--root', root], { ROVER_REDIS_URL: redis.url, ANTHROPIC_API_KEY: apiKey });
    const w2 = cli(['worker', '--root', root], { ROVER_REDIS_URL: redis.url, ANTHROPIC_API_KEY: apiKey });
    const b = cli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--redis', redis.url, '--out', join(tmp, 'bull')], { ANTHROPIC_API_KEY: apiKey });
    expect(await b.exited, b.err()).toBe(0);
    const bull = await readRecords(join(tmp, 'bull'));
    expect(verdicts(bull)).toEqual(verdicts(await readRecords(join(tmp, 'emb'))));
    expect(new Set(Object.values(bull).map((r) => r.result!.worker.pid))).toEqual(new Set([w1.child.pid, w2.child.pid]));
    const manifest = await readFile(join(tmp, 'bull', 'batch.json'), 'utf8');
    expect(manifest).toContain(`redis://:***@127.0.0.1:${redis.port}`);
    for (const text of [manifest, b.err(), b.out(), w1.err(), w2.err()]) expect(text).not.toContain(password);
    // everything Redis holds, read back: no key, no password
    const c = new IORedis(redis.url);
    try {
      const dump: string[] = [];
      for (const k of await c.keys('*')) {
        const type = await c.type(k);
        if (type === 'hash') dump.push(JSON.stringify(await c.hgetall(k)));
        else if (type === 'string') dump.push(String(await c.get(k)));
        else if (type === 'list') dump.push(JSON.stringify(await c.lrange(k, 0, -1)));
        else if (type === 'zset') dump.push(JSON.stringify(await c.zrange(k, 0, -1)));
        else if (type === 'stream') dump.push(JSON.stringify(await c.xrange(k, '-', '+')));
        else if (type === 'set') dump.push(JSON.stringify(await c.smembers(k)));
      }
      const all = dump.join('\n');
      expect(all).toContain('inventory-threshold');
      expect(all).not.toContain(apiKey);
      expect(all).not.toContain(password);
    } finally {
      c.disconnect();
    }
    // status and results read the same batch back
    const st = cli(['batch', 'status', '--out', join(tmp, 'bull'), '--json'], { ROVER_REDIS_URL: redis.url });
    expect(await st.exited, st.err()).toBe(0);
    expect(JSON.parse(st.out())).toMatchObject({ instances: 4, done: 4, pending: 0 });
    const res = cli(['batch', 'results', '--out', join(tmp, 'bull')]);
    expect(await res.exited).toBe(2);
    expect(res.err()).toMatch(/password: give it with --redis URL or ROVER_REDIS_URL/);
  });

  it('keeps the jobs in Redis when the coordinator is stopped; `batch status` and `batch results` collect them', async () => {
    redis = await startRedis();
    const out = join(tmp, 'collect');
    const b = cli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--redis', redis.url, '--out', out]);
    await waitFor(() => /results in /.test(b.err()), 30_000, 'the batch to enqueue its jobs');
    await new Promise((r) => setTimeout(r, 500));
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(130);
    expect(b.err()).toMatch(/the queued jobs stay in Redis; workers go on with them/);
    const w = worker(redis.url);
    await waitFor(() => (w.err().match(/: (resolved|unresolved|patch-does-not-apply) \(/g) ?? []).length === 4, 90_000, 'the worker to finish the four jobs');
    const st = cli(['batch', 'status', '--out', out, '--redis', redis.url, '--json']);
    expect(await st.exited, st.err()).toBe(0);
    expect(JSON.parse(st.out())).toMatchObject({ done: 0, pending: 4, redis_states: { completed: 4 } });
    const res = cli(['batch', 'results', '--out', out, '--redis', redis.url]);
    expect(await res.exited, res.err()).toBe(0);
    expect(res.out()).toMatch(/instances: 4 {2}done: 4 {2}failed: 0 {2}pending: 0 {2}resolved: 2/);
    expect((await readFile(join(out, 'predictions.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('runs a duplicate enqueue of the same instances once', async () => {
    redis = await startRedis();
    const w = worker(redis.url);
    const a = cli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--redis', redis.url, '--out', join(tmp, 'dup-a')]);
    const b = cli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--redis', redis.url, '--out', join(tmp, 'dup-b')]);
    expect(await a.exited, a.err()).toBe(0);
    expect(await b.exited, b.err()).toBe(0);
    const ra = await readRecords(join(tmp, 'dup-a'));
    const rb = await readRecords(join(tmp, 'dup-b'));
    for (const id of Object.keys(ra)) {
      expect(rb[id].job_id).toBe(ra[id].job_id);
      expect(rb[id].result!.started_at).toBe(ra[id].result!.started_at);
    }
    expect(w.err().match(/: started \(attempt/g)).toHaveLength(4);
  });

  it('runs again elsewhere the job of a worker killed mid-job, and leaves no checkout of the dead run', async () => {
    redis = await startRedis();
    const base = fixtures.find((f) => f.instance_id === 'inventory-threshold')!;
    const file = await writeInstances(join(tmp, 'kill.jsonl'), [slowInstance(base, 'slow-k', 3)]);
    const doomed = worker(redis.url, ['--stall-seconds', '2']);
    const b = cli(['batch', '--instances', file, '--mode', 'gold', '--redis', redis.url, '--out', join(tmp, 'kill')]);
    await waitFor(() => /slow-k: started/.test(doomed.err()), 60_000, 'the first worker to take the job');
    // its tests are running in its private checkout
    await waitFor(() => checkoutsLeft(tmp).length > 0, 30_000, 'the first worker\'s checkout');
    await new Promise((r) => setTimeout(r, 1000));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const rescuer = worker(redis.url, ['--stall-seconds', '2']);
    expect(await b.exited, b.err()).toBe(0);
    const recs = await readRecords(join(tmp, 'kill'));
    expect(recs['slow-k'].result!.outcome.verdict).toBe('resolved');
    expect(recs['slow-k'].result!.worker.pid).toBe(rescuer.child.pid);
    expect(checkoutsLeft(tmp)).toEqual([]);
    // nothing the dead worker started is still running
    const orphans = execFileSync('ps', ['-eo', 'pid,args']).toString().split('\n').filter((l) => l.includes(join(tmp, 'rover-worktrees')));
    expect(orphans).toEqual([]);
  });

  it.each([
    ['with its data (appendonly)', true],
    ['empty (no persistence): the coordinator enqueues its lost jobs again', false],
  ])('completes the batch when Redis is killed and restarted mid-batch, %s', async (_what, appendonly) => {
    redis = await startRedis({ appendonly });
    const base = fixtures.find((f) => f.instance_id === 'inventory-threshold')!;
    const file = await writeInstances(join(tmp, 'restart.jsonl'), ['slow-a', 'slow-b', 'slow-c'].map((id) => slowInstance(base, id, 1)));
    const out = join(tmp, `restart-${appendonly}`);
    const w = worker(redis.url);
    const b = cli(['batch', '--instances', file, '--mode', 'gold', '--redis', redis.url, '--out', out]);
    await waitFor(() => /slow-a: resolved/.test(b.err()), 60_000, 'the first result');
    await redis.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    await redis.restart();
    expect(await b.exited, b.err()).toBe(0);
    expect(w.err()).toMatch(/lost Redis/);
    if (!appendonly) expect(b.err()).toMatch(/its job is gone from Redis .*enqueued again/);
    const recs = await readRecords(out);
    expect(Object.values(recs).map((r) => r.result?.outcome.verdict)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it.skipIf(lacks('python3-coverage'))('mode fix: the worker writes the patch with its own API key (never in the job) and the batch grades it', async () => {
    const key = 'sk-ant-worker-only-5550123';
    const patch = 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity >= BULK_THRESHOLD:\n>>>>>>> REPLACE\n';
    const repro = 'FILE: tests/test_repro.py\n```python\nfrom inventory.pricing import bulk_discount\n\n\ndef test_ten_units_get_the_discount():\n    assert bulk_discount(10, 20.0) == 2.0\n```\n';
    const script: ScriptedTurn[] = [
      { when: { systemIncludes: 'reproduces a reported bug' }, text: repro },
      { when: { toolOffered: 'search_method' }, toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }] },
      { when: { toolOffered: 'report_bug_locations' }, toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: '>= threshold' }] } }] },
      { text: patch, repeat: true },
    ];
    const model = await startScriptedServer({ script, expectedKey: key });
    try {
      redis = await startRedis();
      const file = await writeInstances(join(tmp, 'fix.jsonl'), [fixtures.find((f) => f.instance_id === 'inventory-threshold')!]);
      const w = cli(['worker', '--redis', redis.url, '--root', root], { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: model.url, XDG_CACHE_HOME: join(tmp, 'cache') });
      const b = cli(['batch', '--instances', file, '--mode', 'fix', '--budget', '0.5', '--redis', redis.url, '--out', join(tmp, 'fix'), '--json'], { ANTHROPIC_API_KEY: '' });
      expect(await b.exited, `${b.err()}\n${w.err()}`).toBe(0);
      const summary = JSON.parse(b.out());
      expect(summary).toMatchObject({ mode: 'fix', done: 1, resolved: 1 });
      expect(summary.cost_usd).toBeGreaterThan(0);
      const rec = (await readRecords(join(tmp, 'fix')))['inventory-threshold'];
      expect(rec.result!.patch).toContain('+    if quantity >= BULK_THRESHOLD:');
      const c = new IORedis(redis.url);
      try {
        for (const k of await c.keys('*')) if ((await c.type(k)) === 'hash') expect(JSON.stringify(await c.hgetall(k))).not.toContain(key);
      } finally {
        c.disconnect();
      }
    } finally {
      await model.close();
    }
  });

  it('says so and exits 2 when Redis cannot be reached', async () => {
    const port = await freePort();
    const b = cli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--redis', `redis://:hush@127.0.0.1:${port}`, '--out', join(tmp, 'none')]);
    expect(await b.exited).toBe(2);
    expect(b.err()).toMatch(new RegExp(`cannot use Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`));
    expect(b.err()).not.toContain('hush');
    const w = cli(['worker', '--redis', `redis://127.0.0.1:${port}`]);
    expect(await w.exited).toBe(2);
    expect(w.err()).toMatch(/cannot use Redis at .*ECONNREFUSED/);
    const bad = cli(['worker', '--redis', 'http://127.0.0.1:1']);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/redis:\/\/ or rediss:\/\//);
  });
});
