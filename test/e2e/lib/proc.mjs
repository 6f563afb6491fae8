// Process helpers for the e2e harness, modelled on src/core/proc/run.ts (which is TypeScript and
// bundled into the extension, so this plain-ESM runner cannot import it): argument arrays, a
// timeout, capped output, and a kill of the whole process group because npm, node-gyp and
// code-server all fork.
import { spawn } from 'node:child_process';

const live = new Set();

/** Kills every process group this harness started and has not reaped yet. */
export function killAll(sig = 'SIGTERM') {
  for (const pid of live) killGroup(pid, sig);
}

export function killGroup(pid, sig = 'SIGTERM') {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try { process.kill(pid, sig); } catch { /* already gone */ }
  }
}

/**
 * Runs a command to completion. Rejects with the command, exit code and output tail when it fails,
 * so a broken install reports what broke instead of a stack trace.
 */
export function run(cmd, args, { cwd, env = process.env, timeoutMs = 600_000, maxOutputBytes = 1 << 20, quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child.pid);
    let out = '';
    const keep = (b) => {
      if (!quiet) process.stdout.write(b);
      out += b.toString('utf8');
      if (out.length > maxOutputBytes) out = out.slice(out.length - maxOutputBytes);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000).unref();
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child.pid);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child.pid);
      const ms = Date.now() - started;
      if (code === 0) return resolve({ out, ms });
      const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`${cmd} ${args.join(' ')} (cwd ${cwd}) ${why}\n${out.slice(-4000)}`));
    });
  });
}

/**
 * Starts a long-lived process in its own process group (setsid-like via detached) and returns a
 * handle whose stop() kills the whole group and waits for it to exit.
 */
export function startDaemon(cmd, args, { cwd, env = process.env, logFile } = {}) {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child.pid);
  let log = '';
  const keep = (b) => {
    log += b.toString('utf8');
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
    logFile?.write(b);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('close', (code, signal) => {
    live.delete(child.pid);
    resolve({ code, signal });
  }));
  return {
    pid: child.pid,
    get log() { return log; },
    exited,
    async stop() {
      killGroup(child.pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
      clearTimeout(t);
      // the group may outlive its leader (file watcher, extension host)
      killGroup(child.pid, 'SIGKILL');
    },
  };
}
