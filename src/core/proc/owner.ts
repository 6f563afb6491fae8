// Who owns a leftover. Every child Rover starts carries ROVER_OWNER=<pid>:<run> in its environment
// (inherited through forks, setsid and double forks), and every temp folder Rover makes carries the
// pid in its name, so a later start can tell what belongs to a Rover process that no longer exists.
import { randomBytes } from 'node:crypto';

export const OWNER_ENV = 'ROVER_OWNER';

/** Whether a process with this pid exists (EPERM: it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let seq = 0;
const processToken = randomBytes(3).toString('hex');

/** A fresh marker for one started command: `<pid>:<token>.<n>`. */
export function newRunMarker(): string {
  return `${process.pid}:${processToken}.${++seq}`;
}

/** The owner pid of a marker value, if it has one. */
export function markerPid(value: string): number | undefined {
  const m = /^(\d+):/.exec(value);
  return m ? Number(m[1]) : undefined;
}
