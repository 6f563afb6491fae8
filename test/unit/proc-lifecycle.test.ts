// What Rover starts dies with it, and what a dead Rover left is found and removed: the process layer
// (pipe holders, setsid children, containment), the owner markers and the sweep at start.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepIndexCacheTemps } from '../../src/core/index/index-cache';
import { OWNER_ENV } from '../../src/core/proc/owner';
import { CommandNotFoundError, killAllChildrenSync, runProcess } from '../../src/core/proc/run';
import { registerContainedRoot, sandboxStatus } from '../../src/core/proc/sandbox';
import { killOrphans, sweepTemps } from '../../src/core/proc/sweep';
import { sweepCheckouts } from '../../src/core/runner/checkout';

const DEAD_PID = 2 ** 22 + 777;
const running = (pid: number) => {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && running(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !running(pid);
}
/** A node one-liner that starts a setsid sleeper holding our stdout, prints its pid and exits. */
const SPAWN_DAEMON = `const c = require('child_process').spawn('setsid', ['sleep', '300'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true }); console.log(c.pid); c.unref();`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rover-lifecycle-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe('runProcess', () => {
  it('returns when the command exits even though a setsid daemon still holds its output pipe, and reaps the daemon', async () => {
    const t0 = Date.now();
    const r = await runProcess('node', ['-e', SPAWN_DAEMON], { cwd: work, reap: true });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(0);
    expect(await gone(Number(r.stdout.trim()))).toBe(true);
  });

  it('the timeout holds when a descendant keeps the pipe open', async () => {
    const t0 = Date.now();
    const r = await runProcess('node', ['-e', `${SPAWN_DAEMON} setInterval(() => {}, 1000);`], { cwd: work, timeoutMs: 1000, killGraceMs: 200, reap: true });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(await gone(Number(r.stdout.trim()))).toBe(true);
  });

  it('marks every child with its owner', async () => {
    const r = await runProcess('node', ['-e', `console.log(process.env.${OWNER_ENV})`], { cwd: work, env: { PATH: process.env.PATH } });
    expect(r.stdout.trim()).toMatch(new RegExp(`^${process.pid}:[0-9a-f]+\\.\\d+$`));
  });

  it('killAllChildrenSync stops what is still running', async () => {
    const p = runProcess('sleep', ['300'], { cwd: work });
    await new Promise((r) => setTimeout(r, 200));
    expect(killAllChildrenSync()).toBeGreaterThan(0);
    const r = await p;
    expect(r.signal).toBe('SIGKILL');
  });
});

describe.runIf(sandboxStatus().available)('containment (bubblewrap)', () => {
  it('a command in a registered checkout cannot write the protected paths, and its daemons die with it', async () => {
    const user = join(work, 'user');
    const box = join(work, 'box');
    mkdirSync(user, { recursive: true });
    mkdirSync(box, { recursive: true });
    const undo = registerContainedRoot(box, { readOnly: [user], writable: [box] });
    try {
      const r = await runProcess('sh', ['-c', `echo x > ${user}/evil; echo y > ${box}/ok; setsid sleep 301 >/dev/null 2>&1 & echo $!`], { cwd: box });
      expect(r.containment).toEqual({ tool: 'bubblewrap' });
      expect(r.stderr).toMatch(/Read-only file system/);
      expect(existsSync(join(user, 'evil'))).toBe(false);
      expect(readFileSync(join(box, 'ok'), 'utf8')).toBe('y\n');
      // its PID namespace is gone with it: no sleep 301 anywhere
      const left = (await runProcess('pgrep', ['-f', 'sleep 301'], { cwd: work })).stdout.trim();
      expect(left).toBe('');
      await expect(runProcess('no-such-runner-xyz', [], { cwd: box })).rejects.toBeInstanceOf(CommandNotFoundError);
    } finally {
      undo();
    }
  });
});

describe('the sweep at start', () => {
  it('kills processes whose owner died, and only those', async () => {
    const orphan = spawn('sleep', ['300'], { env: { ...process.env, [OWNER_ENV]: `${DEAD_PID}:abc.1` }, detached: true, stdio: 'ignore' });
    const mine = spawn('sleep', ['300'], { env: { ...process.env, [OWNER_ENV]: `${process.pid}:abc.2` }, detached: true, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    expect(killOrphans()).toBeGreaterThanOrEqual(1);
    expect(await gone(orphan.pid!)).toBe(true);
    expect(running(mine.pid!)).toBe(true);
    mine.kill('SIGKILL');
  });

  it('removes temp folders of dead owners, keeps live ones and anything not Rover-owned', async () => {
    const dir = join(work, 'tmp');
    mkdirSync(dir);
    const names = [`rover-run-p${DEAD_PID}-0a1b2c3d`, `rover-run-p${process.pid}-0a1b2c3d`, `rover-patch-${DEAD_PID}-deadbeef.diff`, 'rover-fx-py-inventory-AbC123', 'rover-pycov-AbC123', 'rover-pycov-XyZ789'];
    for (const n of names) mkdirSync(join(dir, n));
    // an old-style name is removed only once it is surely abandoned
    const old = new Date(Date.now() - 7 * 3600_000);
    utimesSync(join(dir, 'rover-pycov-XyZ789'), old, old);
    const removed = (await sweepTemps(dir)).map((p) => p.slice(dir.length + 1)).sort();
    expect(removed).toEqual([`rover-patch-${DEAD_PID}-deadbeef.diff`, 'rover-pycov-XyZ789', `rover-run-p${DEAD_PID}-0a1b2c3d`]);
  });

  it('removes checkouts of dead owners and the folders they leave empty', async () => {
    const root = join(work, 'wts');
    mkdirSync(join(root, 'aaaa', 'wt-dead'), { recursive: true });
    writeFileSync(join(root, 'aaaa', 'wt-dead.rover-owner.json'), JSON.stringify({ pid: DEAD_PID }));
    mkdirSync(join(root, 'bbbb', 'wt-live'), { recursive: true });
    writeFileSync(join(root, 'bbbb', 'wt-live.rover-owner.json'), JSON.stringify({ pid: process.pid }));
    writeFileSync(join(root, 'bbbb', 'wt-gone.rover-owner.json'), JSON.stringify({ pid: DEAD_PID }));
    const removed = await sweepCheckouts(root);
    expect(removed).toEqual([join(root, 'aaaa', 'wt-dead')]);
    expect(existsSync(join(root, 'aaaa'))).toBe(false);
    expect(existsSync(join(root, 'bbbb', 'wt-live'))).toBe(true);
    expect(existsSync(join(root, 'bbbb', 'wt-gone.rover-owner.json'))).toBe(false);
  });

  it('removes half-written cache files of dead writers', async () => {
    const cache = join(work, 'cache');
    mkdirSync(join(cache, 'abc'), { recursive: true });
    mkdirSync(join(cache, 'localize', 'def'), { recursive: true });
    writeFileSync(join(cache, 'abc', `index.json.${DEAD_PID}.lq2x.tmp`), 'x');
    writeFileSync(join(cache, 'abc', `index.json.${process.pid}.lq2x.tmp`), 'x');
    writeFileSync(join(cache, 'localize', 'def', `0a.json.${DEAD_PID}.tmp`), 'x');
    writeFileSync(join(cache, 'abc', 'index.json'), 'x');
    const removed = (await sweepIndexCacheTemps(cache)).map((p) => p.slice(cache.length + 1)).sort();
    expect(removed).toEqual([`abc/index.json.${DEAD_PID}.lq2x.tmp`, `localize/def/0a.json.${DEAD_PID}.tmp`]);
  });
});
