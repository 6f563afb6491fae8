// A real Redis (Debian's redis-server) for bench:batch and the batch tests: on a free loopback port, in a temp
// folder, stopped by its process id. `restart` brings it back on the same port and folder (with
// appendonly the data survives a kill -9, as it would for a team's persistent Redis).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  port: number;
  url: string;
  pid(): number;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const c = new Socket();
    c.setTimeout(500);
    c.once('connect', () => { c.destroy(); res(true); });
    c.once('error', () => res(false));
    c.once('timeout', () => { c.destroy(); res(false); });
    c.connect(port, '127.0.0.1');
  });
}

export async function startRedis(opts: { password?: string; appendonly?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'rover-test-redis-'));
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no',
    ...(opts.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(opts.password ? ['--requirepass', opts.password] : [])];
  const up = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const t0 = Date.now();
    while (!(await answers(port))) {
      if (Date.now() - t0 > 10_000) throw new Error(`redis-server did not listen on ${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const down = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await gone;
  };
  await up();
  return {
    port,
    url: `redis://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}127.0.0.1:${port}`,
    pid: () => child!.pid!,
    kill: (signal = 'SIGKILL') => down(signal),
    restart: up,
    stop: async () => {
      await down('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
