// One way to start child processes for the whole engine: argument arrays (never a shell string),
// a timeout, a kill of the whole process group (test runners fork), and capped output.
import { spawn } from 'node:child_process';

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
    spawnedCount++;
    const child = spawn(command, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true, // own process group, so the kill reaches grandchildren
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = new CappedBuffer(max);
    const err = new CappedBuffer(max);
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const terminate = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.killGraceMs ?? 2000);
      killTimer.unref();
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

    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => undefined); // a child that exits without reading stdin
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();

    const finish = () => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      finish();
      if (e.code === 'ENOENT') reject(new CommandNotFoundError(command, opts.cwd));
      else reject(e);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      finish();
      // whatever the group left behind (daemons, forked workers) goes too
      killGroup(child.pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
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
      });
    });
  });
}
