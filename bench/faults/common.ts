// Shared by the fault benchmark: fixture repositories, the built CLI as a child process (with a hook
// on its progress lines, for killing it at a stage), and what a dead Rover run may have left.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { markerPid } from '../../src/core/proc/owner';
import { markedProcesses } from '../../src/core/proc/reap';
import { runProcess } from '../../src/core/proc/run';
import { tempOwnerPid } from '../../src/core/proc/temp';
import { checkoutsParent } from '../../src/core/runner/checkout';

/** The repository root (the bench runs from dist/). */
export const ROOT = resolve(__dirname, '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface Scratch {
  dir: string;
  /** TMPDIR and XDG_CACHE_HOME of every CLI run: leftovers are looked for here only. */
  tmp: string;
  cache: string;
}

export async function scratch(base: string): Promise<Scratch> {
  const dir = await mkdtemp(join(base, 'rover-faults-'));
  const tmp = join(dir, 'tmp');
  const cache = join(dir, 'cache');
  await mkdir(tmp, { recursive: true });
  await mkdir(cache, { recursive: true });
  return { dir, tmp, cache };
}

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await runProcess('git', args, { cwd, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fixture copied into `parent` and committed, as a user's checkout. */
export async function fixtureRepo(parent: string, name: string, prepare?: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(parent, `repo-${name}-`));
  await cp(join(FIXTURES, name), dir, { recursive: true });
  if (prepare) await prepare(dir);
  await git(dir, ['init', '-q']);
  await git(dir, ['config', 'user.email', 'bench@rover.invalid']);
  await git(dir, ['config', 'user.name', 'Rover Bench']);
  await git(dir, ['config', 'commit.gpgsign', 'false']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-qm', 'fixture']);
  return dir;
}

export interface CliRun {
  child: ChildProcess;
  pid: number;
  stdout: string;
  stderr: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Starts `node dist/cli.js ...`; `onLine` sees every stderr line as it comes (stage detection). */
export function startCli(args: string[], env: NodeJS.ProcessEnv, s: Scratch, onLine?: (line: string, run: CliRun) => void, limitMs = 600_000): CliRun {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TMPDIR: s.tmp, XDG_CACHE_HOME: s.cache, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: CliRun = { child, pid: child.pid!, stdout: '', stderr: '', done: undefined as never };
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    if (run.stdout.length < 4_000_000) run.stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    const text = c.toString();
    if (run.stderr.length < 4_000_000) run.stderr += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine?.(l, run);
  });
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  run.done = new Promise((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      res({ code, signal, ms: Date.now() - t0 });
    }),
  );
  return run;
}

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Processes still carrying the marker of Rover process `pid` (zombies do not count). */
export function orphansOf(pid: number): number[] {
  return markedProcesses()
    .filter(([p, m]) => markerPid(m) === pid && running(p))
    .map(([p]) => p);
}

export async function settleOrphans(pid: number, ms = 2000): Promise<number[]> {
  const t0 = Date.now();
  while (orphansOf(pid).length && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
  return orphansOf(pid);
}

/** What Rover process `pid` left: temp entries, checkouts of `repo`, cache temp files, registrations. */
export async function leftovers(pid: number, repo: string, s: Scratch): Promise<string[]> {
  const out: string[] = [];
  for (const n of existsSync(s.tmp) ? readdirSync(s.tmp) : []) if (tempOwnerPid(n) === pid) out.push(`tmp/${n}`);
  const parent = checkoutsParent(repo, join(s.tmp, 'rover-worktrees'));
  for (const n of existsSync(parent) ? readdirSync(parent) : []) {
    if (n.endsWith('.rover-owner.json')) continue;
    let owner = '?';
    try {
      owner = String((JSON.parse(readFileSync(join(parent, `${n}.rover-owner.json`), 'utf8')) as { pid?: number }).pid);
    } catch {
      /* no owner file */
    }
    out.push(`checkout ${n} (owner ${owner})`);
  }
  const walk = (d: string, depth: number) => {
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
      if (e.isDirectory() && depth < 3) walk(join(d, e.name), depth + 1);
      else if (new RegExp(`\\.${pid}(\\.[0-9a-z]+)?\\.tmp$`).test(e.name)) out.push(`cache ${e.name}`);
    }
  };
  walk(s.cache, 0);
  const reg = (await runProcess('git', ['worktree', 'list', '--porcelain'], { cwd: repo, timeoutMs: 30_000 })).stdout;
  const extra = reg.split('\n').filter((l) => l.startsWith('worktree ')).length - 1;
  if (extra > 0) out.push(`${extra} registered worktree(s)`);
  return out;
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs `fn` over `items`, `n` at a time. */
export async function pool<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
