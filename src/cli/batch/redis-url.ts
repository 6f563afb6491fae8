// The Redis URL of `--redis` / ROVER_REDIS_URL: redis://[user:password@]host:port[/db], or
// rediss:// for TLS. Its password is only ever used to connect: what Rover prints or writes
// (batch.json, logs, errors) is the URL with the password masked.
import IORedis, { type RedisOptions } from 'ioredis';
import { CliError, EXIT } from '../args';

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unreadable Redis URL)';
  }
}

/** Connection options for ioredis/BullMQ; commands wait through a Redis restart instead of failing. */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`--redis ${redactUrl(url)}: not a URL (expected redis://HOST:PORT or rediss://HOST:PORT for TLS)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new CliError(`--redis ${redactUrl(url)}: the scheme must be redis:// or rediss:// (TLS), not ${u.protocol}//`);
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new CliError(`--redis ${redactUrl(url)}: the path must be a database number (/0, /1, ...)`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    // BullMQ's workers block on Redis; they must not give up on a command while it restarts
    maxRetriesPerRequest: null,
  };
}

/** The URL from --redis, else ROVER_REDIS_URL (which keeps a password out of the process list). */
export function redisUrlFrom(flag: string | undefined): string | undefined {
  return flag ?? (process.env.ROVER_REDIS_URL || undefined);
}

/** Connects once, fails fast: an unreachable Redis or a refused password is exit code 2 with why. */
export async function probeRedis(url: string, timeoutMs = 5000): Promise<void> {
  const opts = redisOptions(url);
  const c = new IORedis({ ...opts, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  let lastError: Error | undefined;
  c.on('error', (e: Error) => { lastError = e; });
  try {
    await c.connect();
    await c.ping();
    const info = await c.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version && Number(version[1]) < 5) throw new Error(`Redis ${version[1]}.${version[2]} is too old for BullMQ (5.0 or later)`);
  } catch (e) {
    const why = (e as Error).message || lastError?.message || 'no answer';
    throw new CliError(`cannot use Redis at ${redactUrl(url)}: ${why.replace(/^Connection is closed\.?$/, lastError?.message ?? 'the connection closed')}`, EXIT.badInput);
  } finally {
    c.disconnect();
  }
}
