// One way to start child processes for the whole engine: argument arrays (never a shell string),
// a timeout, a kill of the whole process group (test runners fork), and capped output.
// Every child carries an owner marker in its environment (see owner.ts), so processes that leave the
// group (setsid, double fork) are found and killed too. A command whose working directory is in a
// registered Rover checkout runs contained (see sandbox.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { newRunMarker, OWNER_ENV } from './owner';
import { killMarked } from './reap';
import { bwrapArgs, containmentFor, findOnPath, sandboxStatus } from './sandbox';

export interface RunOptions {
  cwd: string;
  /** The complete environment of the child: callers pass what it needs explicitly. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Bytes kept per stream; the middle is dropped and marked. Default 1 MiB. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  stdin?: string;
  /** Grace between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** false: never contain, even inside a registered checkout (Rover's own git calls need not be). */
  contain?: boolean;
  /**
   * After the command, kill every process still carrying its marker (setsid children, daemons).
   * Default: for uncontained commands in a registered checkout; a PID namespace needs none.
   */
  reap?: boolean;
}

export interface RunResult {
  command: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
  durationMs: number;
  /** How the command was contained: 'bubblewrap', or why it ran uncontained inside a checkout that asked for it. */
  containment?: { tool: 'bubblewrap' } | { tool: 'none'; reason: string };
}

export class CommandNotFoundError extends Error {
  constructor(readonly command: string, readonly cwd: string) {
    super(`Cannot run "${command}": it is not installed or not on PATH (cwd ${cwd}).`);
    this.name = 'CommandNotFoundError';
  }
}

/** Keeps the first and last half of the budget so both the command's start and its verdict survive. */
class CappedBuffer {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  dropped = 0;
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.max / 2);
    if (this.headLen < half) {
      const take = chunk.subarray(0, half - this.headLen);
      this.head.push(take);
      this.headLen += take.length;
      chunk = chunk.subarray(take.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailLen += chunk.length;
    while (this.tailLen > half && this.tail.length > 0) {
      const first = this.tail[0];
      const excess = this.tailLen - half;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailLen -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailLen -= excess;
        this.dropped += excess;
      }
    }
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped > 0 ? `${head}\n… [${this.dropped} bytes of output omitted] …\n${tail}` : head + tail;
  }
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

const live = new Set<ChildProcess>();

/**
 * SIGKILLs every process group this process started that is still running (and, where there is no
 * sandbox, every process carrying one of our markers). Synchronous: it runs on the way out.
 */
export function killAllChildrenSync(): number {
  let n = 0;
  for (const c of live) {
    killGroup(c.pid, 'SIGKILL');
    n++;
  }
  live.clear();
  const me = `${process.pid}:`;
  n += killMarked((m) => m.startsWith(me));
  return n;
}

let spawnedCount = 0;
/** Processes started through runProcess in this process's lifetime (the editor shows it; tests assert on it). */
export function spawnedProcessCount(): number {
  return spawnedCount;
}

export function runProcess(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const max = opts.maxOutputBytes ?? 1024 * 1024;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve({
        command: [command, ...args], code: null, signal: null, stdout: '', stderr: '',
        timedOut: false, cancelled: true, truncated: false, durationMs: 0,
      });
      return;
    }
    const marker = newRunMarker();
    const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), [OWNER_ENV]: marker };
    const box = opts.contain === false ? undefined : containmentFor(opts.cwd);
    let program = command;
    let argv: readonly string[] = args;
    let containment: RunResult['containment'];
    if (box) {
      const sb = sandboxStatus();
      if (sb.available) {
        if (!findOnPath(command, env.PATH ?? '', opts.cwd)) {
          reject(new CommandNotFoundError(command, opts.cwd));
          return;
        }
        program = sb.path;
        argv = bwrapArgs(box, command, args, opts.cwd);
        containment = { tool: 'bubblewrap' };
      } else containment = { tool: 'none', reason: sb.reason };
    }
    spawnedCount++;
    const child = spawn(program, [...argv], {
      cwd: opts.cwd,
      env,
      detached: true, // own process group, so the kill reaches grandchildren
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    const out = new CappedBuffer(max);
    const err = new CappedBuffer(max);
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let forceTimer: NodeJS.Timeout | undefined;
    const grace = opts.killGraceMs ?? 2000;

    // processes that left the group: only findable by marker when no PID namespace holds them
    const reap = containment?.tool !== 'bubblewrap' && (opts.reap ?? containment?.tool === 'none');
    const reapStrays = () => {
      if (reap) killMarked((m) => m === marker);
    };
    const terminate = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        killGroup(child.pid, 'SIGKILL');
        reapStrays();
      }, grace);
      killTimer.unref();
      // a descendant that holds our pipes open must not keep the run alive past its limit
      forceTimer = setTimeout(() => finish(null, 'SIGKILL'), grace + 1000);
      forceTimer.unref();
    };
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          terminate();
        }, opts.timeoutMs)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      terminate();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.stdin!.on('error', () => undefined); // a child that exits without reading stdin
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    else child.stdin!.end();

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (forceTimer) clearTimeout(forceTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      live.delete(child);
    };
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      cleanup();
      // whatever the group left behind (daemons, forked workers) goes too
      killGroup(child.pid, 'SIGKILL');
      reapStrays();
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve({
        command: [command, ...args],
        code,
        signal,
        stdout: out.toString(),
        stderr: err.toString(),
        timedOut,
        cancelled,
        truncated: out.dropped > 0 || err.dropped > 0,
        durationMs: Date.now() - started,
        ...(containment ? { containment } : {}),
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (e.code === 'ENOENT') reject(new CommandNotFoundError(command, opts.cwd));
      else reject(e);
    });
    child.on('exit', (code, signal) => {
      // 'close' waits for every holder of the pipes; a daemon may hold them forever. The command
      // itself is done: its group goes now, and output still in flight has a moment to arrive.
      killGroup(child.pid, 'SIGKILL');
      reapStrays();
      const t = setTimeout(() => finish(code, signal), 500);
      t.unref();
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
