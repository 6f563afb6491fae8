// `rover batch` with the embedded queue (the built CLI on copies of the py-inventory fixture, gold
// mode, real pytest): verdicts, the results folder, resume after Ctrl-C, bounded attempts, bad input;
// and the pieces the queues share (job ids, the queue-delay clock, Redis URLs).
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobIdFor, SlotClock } from '../../src/cli/batch/job';
import { redactUrl, redisOptions } from '../../src/cli/batch/redis-url';
import type { Instance } from '../../bench/lib/swebench';
import {
  BATCH_INSTANCES, makeCheckoutCache, readRecords, readFixtureInstances, slowInstance, startCli, waitFor, writeInstances, type FixtureInstance,
} from '../support/batch-fixture';
import { lacks } from '../support/system-deps';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });


describe('job ids, queue delay, Redis URLs', () => {
  const inst = { instance_id: 'o__r-1', repo: 'o/r', base_commit: 'abc', problem_statement: 'p', patch: 'diff a', test_patch: '', FAIL_TO_PASS: [], PASS_TO_PASS: [] } as Instance;
  it('names a job by instance, mode and patch: the same job twice has one id, another patch another', () => {
    expect(jobIdFor(inst, 'gold')).toBe(jobIdFor({ ...inst }, 'gold'));
    expect(jobIdFor(inst, 'gold')).toMatch(/^o__r-1\.gold\.[0-9a-f]{12}$/);
    expect(jobIdFor({ ...inst, patch: 'diff b' }, 'gold')).not.toBe(jobIdFor(inst, 'gold'));
    expect(jobIdFor(inst, 'patch', 'x')).not.toBe(jobIdFor(inst, 'patch', 'y'));
    expect(jobIdFor({ ...inst, instance_id: 'a:b/c' }, 'fix')).toMatch(/^a_b_c\.fix\./);
  });
  it('counts a job\'s queue delay from when it could start: enqueued and a slot free', () => {
    const c = new SlotClock(1, 1000);
    expect(c.take(900, 1010)).toBe(10); // slot free since 1000
    c.release(5000);
    expect(c.take(1200, 5003)).toBe(3); // waited behind the first job: not the queue's fault
    const two = new SlotClock(2, 0);
    expect(two.take(100, 130)).toBe(30);
    expect(two.take(100, 140)).toBe(40);
  });
  it('reads Redis URLs, masks their password and refuses what is not Redis', () => {
    expect(redisOptions('redis://127.0.0.1:6390')).toMatchObject({ host: '127.0.0.1', port: 6390, maxRetriesPerRequest: null });
    const o = redisOptions('rediss://user:p%40ss@queue.example:6380/2');
    expect(o).toMatchObject({ host: 'queue.example', port: 6380, username: 'user', password: 'p@ss', db: 2, tls: { servername: 'queue.example' } });
    expect(redactUrl('redis://:s3cret@h:1')).toBe('redis://:***@h:1');
    expect(redactUrl('redis://h:1')).not.toContain('***');
    expect(() => redisOptions('http://h:1')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => redisOptions('not a url :s3cret')).toThrow(/not a URL/);
    expect(() => redisOptions('not a url :s3cret')).not.toThrow(/s3cret/);
    expect(() => redisOptions('redis://h:1/x')).toThrow(/database number/);
  });
});

describe.skipIf(lacks('git', 'python3-pytest'))('rover batch, embedded queue', () => {
  let tmp: string;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let fixtures: FixtureInstance[];
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rover-batch-'));
    root = join(tmp, 'root');
    fixtures = await readFixtureInstances();
    await makeCheckoutCache(root, [...fixtures.map((f) => f.instance_id), 'slow-1', 'slow-2', 'slow-3']);
    // private checkouts and sweeps stay inside this test's folder
    env = { TMPDIR: tmp, SWEBENCH_ROOT: root, ROVER_SANDBOX: 'off' };
  });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  it('grades the gold patches in parallel, writes records, predictions and a summary; a rerun skips them', async () => {
    const out = join(tmp, 'gold');
    const r = startCli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--concurrency', '2', '--out', out], env);
    expect(await r.exited, r.err()).toBe(0);
    const recs = await readRecords(out);
    const verdicts = Object.fromEntries(Object.entries(recs).map(([id, x]) => [id, x.result?.outcome.verdict]));
    expect(verdicts).toEqual({
      'inventory-threshold': 'resolved', 'inventory-describe': 'resolved', 'inventory-wrong-fix': 'unresolved', 'inventory-stale-patch': 'patch-does-not-apply',
    });
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ instances: 4, done: 4, failed: 0, pending: 0, resolved: 2, validated: 2, queue: { kind: 'embedded' } });
    const preds = (await readFile(join(out, 'predictions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(preds.map((p) => p.instance_id).sort()).toEqual(fixtures.map((f) => f.instance_id).sort());
    expect(preds.find((p) => p.instance_id === 'inventory-threshold').model_patch).toContain('+    if quantity >= BULK_THRESHOLD:');
    expect(r.err()).toMatch(/inventory-wrong-fix: unresolved/);
    // no private checkout left behind
    expect(readdirSync(join(tmp, 'rover-worktrees')).filter((d) => !d.startsWith('.'))).toEqual([]);

    const again = startCli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--out', out, '--json'], env);
    expect(await again.exited, again.err()).toBe(0);
    expect(JSON.parse(again.out())).toMatchObject({ done: 4, resolved: 2 });
    const recs2 = await readRecords(out);
    for (const id of Object.keys(recs)) expect(recs2[id].finished_at).toBe(recs[id].finished_at);
  });

  it('stops on Ctrl-C with what finished kept, and the rerun does only the rest', async () => {
    const base = fixtures.find((f) => f.instance_id === 'inventory-threshold')!;
    const file = await writeInstances(join(tmp, 'slow.jsonl'), ['slow-1', 'slow-2', 'slow-3'].map((id) => slowInstance(base, id, 1.5)));
    const out = join(tmp, 'slow');
    const r = startCli(['batch', '--instances', file, '--mode', 'gold', '--out', out], env);
    await waitFor(() => /slow-1: resolved/.test(r.err()), 60_000, 'the first instance to finish');
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(130);
    expect(r.err()).toMatch(/cancelled; 1 of 3 finished .* Run the same command again to resume/);
    const first = await readRecords(out);
    expect(Object.keys(first)).toEqual(['slow-1']);
    expect(readdirSync(join(tmp, 'rover-worktrees')).filter((d) => !d.startsWith('.'))).toEqual([]);

    const again = startCli(['batch', '--instances', file, '--mode', 'gold', '--out', out], env);
    expect(await again.exited, again.err()).toBe(0);
    expect(again.err()).toMatch(/1 already finished .*: skipped/);
    expect(again.err()).not.toMatch(/slow-1: resolved/);
    const all = await readRecords(out);
    expect(Object.values(all).map((x) => x.result?.outcome.verdict)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(all['slow-1'].finished_at).toBe(first['slow-1'].finished_at);
  });

  it('records a job that keeps failing as failed, with its reason, after bounded attempts with backoff', async () => {
    const base = fixtures.find((f) => f.instance_id === 'inventory-threshold')!;
    const file = await writeInstances(join(tmp, 'broken.jsonl'), [
      { ...base, instance_id: 'no-checkout' },
      { ...base, instance_id: 'unknown-repo', repo: 'nobody/nothing', cmd: undefined },
      base,
    ]);
    const out = join(tmp, 'broken');
    const r = startCli(['batch', '--instances', file, '--mode', 'gold', '--out', out, '--attempts', '3', '--backoff-seconds', '0.2'], env);
    expect(await r.exited).toBe(1);
    const recs = await readRecords(out);
    expect(recs['no-checkout']).toMatchObject({ status: 'failed', attempts: 3 });
    expect(recs['no-checkout'].error).toMatch(/no checkout at .*no-checkout/);
    expect(r.err()).toMatch(/no-checkout: attempt 1 failed .* again in 0\.2 s/);
    expect(r.err()).toMatch(/no-checkout: attempt 2 failed .* again in 0\.4 s/);
    // the instance's own data: no retry can mend it
    expect(recs['unknown-repo']).toMatchObject({ status: 'failed', attempts: 1 });
    expect(recs['unknown-repo'].error).toMatch(/no test command known for nobody\/nothing/);
    expect(recs['inventory-threshold'].result?.outcome.resolved).toBe(true);
    expect(r.out()).toMatch(/failed: no-checkout: no checkout at/);
    // a rerun leaves the failed ones alone unless asked
    const again = startCli(['batch', '--instances', file, '--mode', 'gold', '--out', out, '--attempts', '1', '--retry-failed'], env);
    expect(await again.exited).toBe(1);
    expect(again.err()).toMatch(/1 already finished/);
    expect(again.err()).toMatch(/no-checkout: FAILED after 1 attempt/);
  });

  it('mode patch grades the given predictions; an instance without one is bad input', async () => {
    const gold = fixtures.find((f) => f.instance_id === 'inventory-threshold')! as FixtureInstance & { patch: string };
    const wrong = fixtures.find((f) => f.instance_id === 'inventory-wrong-fix')! as FixtureInstance & { patch: string };
    const preds = await writeInstances(join(tmp, 'preds.jsonl'), [
      { instance_id: 'inventory-threshold', model_patch: wrong.patch },
      { instance_id: 'inventory-describe', model_patch: gold.patch },
    ]);
    const out = join(tmp, 'patch');
    const r = startCli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'patch', '--patches', preds, '--ids', 'inventory-threshold,inventory-describe', '--out', out, '--json'], env);
    expect(await r.exited, r.err()).toBe(0);
    const recs = await readRecords(out);
    expect(recs['inventory-threshold'].result?.outcome.verdict).toBe('unresolved');
    // a patch for another file of the instance: applies, fixes nothing the instance's tests check
    expect(recs['inventory-describe'].result?.outcome.verdict).toBe('unresolved');
    expect(recs['inventory-threshold'].job_id).not.toBe(jobIdFor(gold as unknown as Instance, 'gold'));
    const missing = startCli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'patch', '--patches', preds, '--out', join(tmp, 'patch2')], env);
    expect(await missing.exited).toBe(2);
    expect(missing.err()).toMatch(/--patches has no prediction for: inventory-wrong-fix, inventory-stale-patch/);
    const other = startCli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--out', out], env);
    expect(await other.exited).toBe(2);
    expect(other.err()).toMatch(/holds a batch in mode patch; use another --out for mode gold/);
  });

  it('names the line of a malformed instances file and loses nothing (exit 2)', async () => {
    const good = (await readFile(BATCH_INSTANCES, 'utf8')).split('\n')[0];
    const bad = join(tmp, 'bad.jsonl');
    await writeFile(bad, `${good}\n\n{"instance_id": "x", oops}\n`);
    const out = join(tmp, 'bad-out');
    const r = startCli(['batch', '--instances', bad, '--mode', 'gold', '--out', out], env);
    expect(await r.exited).toBe(2);
    expect(r.err()).toMatch(/bad\.jsonl:3: not valid JSON/);
    expect(existsSync(out)).toBe(false);
    await writeFile(bad, `${good}\n{"instance_id": "y", "repo": "o/r"}\n`);
    const r2 = startCli(['batch', '--instances', bad, '--mode', 'gold', '--out', out], env);
    expect(await r2.exited).toBe(2);
    expect(r2.err()).toMatch(/bad\.jsonl:2: the instance lacks base_commit/);
    const r3 = startCli(['batch', '--instances', BATCH_INSTANCES, '--mode', 'gold', '--ids', 'nope', '--out', out], env);
    expect(await r3.exited).toBe(2);
    expect(r3.err()).toMatch(/unknown instance id\(s\) in .*: nope/);
  });
});
