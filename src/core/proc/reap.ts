// Finding processes by the ROVER_OWNER marker in their environment. A process group kill misses
// whatever called setsid() or was double-forked; the marker survives both (a process would have to
// clear its own environment to lose it). Linux only: elsewhere there is no /proc to read.
import { readdirSync, readFileSync } from 'node:fs';
import { OWNER_ENV } from './owner';

const NEEDLE = Buffer.from(`${OWNER_ENV}=`);

/** [pid, marker value] of every readable process that carries a marker. */
export function markedProcesses(): [number, string][] {
  if (process.platform !== 'linux') return [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: [number, string][] = [];
  for (const n of names) {
    if (n.charCodeAt(0) < 48 || n.charCodeAt(0) > 57) continue;
    const pid = Number(n);
    if (pid === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${n}/environ`);
    } catch {
      continue; // gone, or not ours to read
    }
    let at = env.indexOf(NEEDLE);
    // the variable must start an entry, not sit inside another one's value
    while (at > 0 && env[at - 1] !== 0) at = env.indexOf(NEEDLE, at + 1);
    if (at < 0) continue;
    const end = env.indexOf(0, at);
    out.push([pid, env.toString('utf8', at + NEEDLE.length, end < 0 ? env.length : end)]);
  }
  return out;
}

/** SIGKILLs every marked process whose marker satisfies `which`; returns how many. */
export function killMarked(which: (marker: string) => boolean): number {
  let n = 0;
  for (const [pid, marker] of markedProcesses()) {
    if (!which(marker)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      n++;
    } catch {
      /* already gone */
    }
  }
  return n;
}
