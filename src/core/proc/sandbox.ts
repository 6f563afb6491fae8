// Containment of commands that run untrusted code (a project's test suite) in a Rover checkout.
// With bubblewrap (Debian's `bubblewrap`, Linux user or root namespaces) the command runs in its own
// PID namespace that dies with Rover (--die-with-parent) and with the command itself, so setsid
// children and double-forked daemons cannot outlive the run, and the paths that must not change
// (the user's repository and its .git, git's own metadata of the checkout) are mounted read-only;
// the rest of the file system is as usual, so toolchains, caches and /tmp keep working. This is the
// same boundary SWE-bench's harness gets from a container, at a fraction of the cost.
// Where bubblewrap cannot run, the command runs as before and the caller is told why.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve, sep } from 'node:path';

export interface Containment {
  /** Paths the command may read but not change (missing ones are skipped). */
  readOnly: string[];
  /** Paths that stay writable even when under a read-only one. */
  writable?: string[];
}

export type SandboxStatus = { available: true; tool: 'bubblewrap'; path: string } | { available: false; reason: string };

const roots = new Map<string, Containment>();

/** Commands whose working directory is inside `dir` run contained. Returns the undo. */
export function registerContainedRoot(dir: string, c: Containment): () => void {
  const key = resolve(dir);
  roots.set(key, c);
  return () => void roots.delete(key);
}

/** The containment of the registered root holding `cwd`, if any. */
export function containmentFor(cwd: string): Containment | undefined {
  const abs = resolve(cwd);
  let best: string | undefined;
  for (const k of roots.keys()) if ((abs === k || abs.startsWith(k + sep)) && (!best || k.length > best.length)) best = k;
  return best ? roots.get(best) : undefined;
}

let status: SandboxStatus | undefined;

/** Probed once per process: is there a bubblewrap that can make a PID namespace here? */
export function sandboxStatus(): SandboxStatus {
  if (status) return status;
  if (process.env.ROVER_SANDBOX === 'off') return (status = { available: false, reason: 'turned off by ROVER_SANDBOX=off' });
  if (process.platform !== 'linux') return (status = { available: false, reason: `no sandbox on ${process.platform} (bubblewrap is Linux only)` });
  const path = findOnPath('bwrap', process.env.PATH ?? '', '/');
  if (!path) return (status = { available: false, reason: 'bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)' });
  const r = spawnSync(path, [...baseArgs(), '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  if (r.status !== 0) {
    const why = (r.stderr?.toString() ?? '').trim().split('\n')[0] || (r.error ? r.error.message : `exit ${r.status}`);
    return (status = { available: false, reason: `bubblewrap cannot create namespaces here (${why}); user namespaces may be disabled` });
  }
  return (status = { available: true, tool: 'bubblewrap', path });
}

/** For tests: forget the probe. */
export function resetSandboxProbe(): void {
  status = undefined;
}

function baseArgs(): string[] {
  return ['--dev-bind', '/', '/', '--unshare-pid', '--die-with-parent', '--proc', '/proc'];
}

/** The bubblewrap command line that runs `command args` in `cwd` under `c`. */
export function bwrapArgs(c: Containment, command: string, args: readonly string[], cwd: string): string[] {
  const out = baseArgs();
  // later mounts cover earlier ones: shallower paths first, so a writable checkout inside a read-only
  // tree, and a read-only .git inside that checkout, each get their own mode
  const binds = [...existing(c.readOnly).map((p) => ({ p, ro: true })), ...existing(c.writable ?? []).map((p) => ({ p, ro: false }))];
  binds.sort((a, b) => a.p.split(sep).length - b.p.split(sep).length);
  for (const b of binds) out.push(b.ro ? '--ro-bind' : '--bind', b.p, b.p);
  out.push('--chdir', cwd, '--', command, ...args);
  return out;
}

function existing(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    try {
      const real = realpathSync(p);
      if (!out.includes(real)) out.push(real);
    } catch {
      /* not there: nothing to protect */
    }
  }
  return out;
}

/**
 * Resolves a command like execvp does. Needed before wrapping: once bubblewrap is the program, a
 * missing test runner would be bubblewrap's error, not a clear "not installed".
 */
export function findOnPath(command: string, pathVar: string, cwd: string): string | undefined {
  const isExec = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) {
    const p = isAbsolute(command) ? command : join(cwd, command);
    return existsSync(p) && isExec(p) ? p : undefined;
  }
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const p = join(isAbsolute(dir) ? dir : join(cwd, dir), command);
    if (isExec(p)) return p;
  }
  return undefined;
}
