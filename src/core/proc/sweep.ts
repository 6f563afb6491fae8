// What a Rover process that died (kill -9, a crash, a closed terminal) leaves in the system: its
// marked processes (test runners, setsid daemons) and its temp folders. Both carry the owner's pid,
// so anything whose owner no longer exists is removed; nothing of a live Rover is touched.
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markerPid, pidAlive } from './owner';
import { killMarked } from './reap';
import { LEGACY_TEMP_KINDS, removeTree, tempOwnerPid } from './temp';

export interface ProcessSweep {
  /** Orphaned processes killed. */
  processes: number;
  /** Temp entries removed. */
  temps: string[];
}

/** Temp folders of older versions carry no pid: they are removed only when surely abandoned. */
const LEGACY_AGE_MS = 6 * 3600_000;
const LEGACY_NAME = new RegExp(`^rover-(${LEGACY_TEMP_KINDS.join('|')})-[A-Za-z0-9]{6}$`);

export function killOrphans(): number {
  return killMarked((m) => {
    const pid = markerPid(m);
    return pid !== undefined && pid !== process.pid && !pidAlive(pid);
  });
}

export async function sweepTemps(dir = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = tempOwnerPid(name);
    let stale = pid !== undefined && pid !== process.pid && !pidAlive(pid);
    if (pid === undefined && LEGACY_NAME.test(name)) {
      stale = await stat(join(dir, name)).then((s) => Date.now() - s.mtimeMs > LEGACY_AGE_MS, () => false);
    }
    if (!stale) continue;
    if (await removeTree(join(dir, name))) removed.push(join(dir, name));
  }
  return removed;
}

export async function sweepProcessesAndTemps(): Promise<ProcessSweep> {
  const processes = killOrphans();
  return { processes, temps: await sweepTemps() };
}
