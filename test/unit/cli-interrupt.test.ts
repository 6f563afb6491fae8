// Ctrl-C and kill -9 of the built CLI (`node dist/cli.js`) in the middle of its work: `localize` and
// `validate` while the tests run, `index` while it parses. A Ctrl-C cancels (exit 130, no result,
// tests killed, checkout removed); after a kill -9 nothing of the run is still running, and the next
// Rover start removes what it left on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { markerPid } from '../../src/core/proc/owner';
import { markedProcesses } from '../../src/core/proc/reap';
import { runProcess } from '../../src/core/proc/run';
import { tempOwnerPid } from '../../src/core/proc/temp';
import { listRoverCheckouts } from '../../src/core/runner/checkout';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor } from './validate-helpers';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const CLI = resolve(__dirname, '../../dist/cli.js');

interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (c: Buffer) => stdout.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, stdout, stderr, exited };
}

async function waitFor(s: Started, re: RegExp, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!re.test(s.stderr.join(''))) {
    if (Date.now() - t0 > ms) throw new Error(`no ${re} in: ${s.stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Processes still carrying the dead run's marker (a zombie does not count). */
function orphansOf(pid: number): number[] {
  return markedProcesses()
    .filter(([, m]) => markerPid(m) === pid)
    .map(([p]) => p)
    .filter((p) => {
      try {
        return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
}

const tempsOf = (pid: number) => readdirSync(tmpdir()).filter((n) => tempOwnerPid(n) === pid);

async function settle(pid: number): Promise<number[]> {
  for (let i = 0; i < 40 && orphansOf(pid).length; i++) await new Promise((r) => setTimeout(r, 100));
  return orphansOf(pid);
}

let repo: FixtureRepo;
let patchFile: string;
let work: string;
beforeAll(async () => {
  if (!existsSync(CLI)) await runProcess('node', ['esbuild.mjs'], { cwd: resolve(__dirname, '../..'), timeoutMs: 120_000 });
  repo = await makeFixtureRepo('validate-faults');
  work = await mkdtemp(join(tmpdir(), 'rover-interrupt-'));
  patchFile = join(work, 'p.diff');
  await writeFile(patchFile, await diffFor(repo.dir, 'app/core.py', (t) => t.replace('return x * 2', 'return x + x')));
});
afterAll(async () => {
  await repo.cleanup();
  await rm(work, { recursive: true, force: true });
});

describe('Ctrl-C', () => {
  it('localize: cancels while the tests run — exit 130, no result, tests killed, checkout removed', async () => {
    const s = start(['localize', '--repo', repo.dir, '--failing', 'tests/test_hang.py::test_hangs_forever', '--no-cache']);
    await waitFor(s, /collecting per-test coverage/);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    s.child.kill('SIGINT');
    const { code } = await s.exited;
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(s.stdout.join('')).toBe('');
    expect(s.stderr.join('')).toMatch(/cancelled/);
    expect(await settle(s.child.pid!)).toEqual([]);
    expect(tempsOf(s.child.pid!)).toEqual([]);
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
  });

  it('validate: cancels during the "before" run — exit 130, no verdict printed', async () => {
    const s = start(['validate', '--repo', repo.dir, '--patch', patchFile, '--tests', 'tests/test_hang.py']);
    await waitFor(s, /running the tests before the patch/);
    await new Promise((r) => setTimeout(r, 500));
    s.child.kill('SIGINT');
    const { code } = await s.exited;
    expect(code).toBe(130);
    expect(s.stdout.join('')).toBe('');
    expect(await settle(s.child.pid!)).toEqual([]);
    expect(tempsOf(s.child.pid!)).toEqual([]);
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
  });

  it('index: stops at once and leaves no half-written cache', async () => {
    const big = join(work, 'big');
    await mkdir(big);
    for (let i = 0; i < 2500; i++) await writeFile(join(big, `m${i}.py`), `class C${i}:\n${'    def f(self, x):\n        return x\n'.repeat(40)}`);
    const cache = join(work, 'cache');
    const s = start(['index', big, '--cache-dir', cache]);
    await new Promise((r) => setTimeout(r, 1200));
    const t0 = Date.now();
    s.child.kill('SIGINT');
    const { code } = await s.exited;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(code).toBe(130);
    const left = existsSync(cache) ? readdirSync(cache) : [];
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('kill -9', () => {
  for (const [name, args, stage] of [
    ['validate during a test run', () => ['validate', '--repo', repo.dir, '--patch', patchFile, '--tests', 'tests/test_hang.py'], /running the tests before the patch/],
    ['localize during coverage collection', () => ['localize', '--repo', repo.dir, '--failing', 'tests/test_hang.py::test_hangs_forever', '--no-cache'], /collecting per-test coverage/],
  ] as const) {
    it(`${name}: the tests die with Rover, the next start removes the rest`, async () => {
      const s = start(args());
      await waitFor(s, stage);
      await new Promise((r) => setTimeout(r, 800));
      const pid = s.child.pid!;
      s.child.kill('SIGKILL');
      await s.exited;
      expect(await settle(pid)).toEqual([]);
      // the next start of any Rover command removes the dead run's checkout and temp folders
      const next = start(['index', join(repo.dir, 'app'), '--no-cache']);
      expect((await next.exited).code).toBe(0);
      expect(tempsOf(pid)).toEqual([]);
      expect(await listRoverCheckouts(repo.dir)).toEqual([]);
    });
  }
});
