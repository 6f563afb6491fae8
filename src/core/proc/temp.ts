// Temp folders and files named after their owner (`rover-<kind>-p<pid>-<random>`), so the sweep at
// the next start removes those of a Rover process that died, and a list of what this process holds
// now, so an interrupted command can remove it synchronously on its way out.
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** rover-<kind>-p<pid>-<hex>[.ext]; also the older rover-patch-<pid>-<hex>.diff. */
const OWNED_NAME = /^rover-([a-z0-9]+)-p?(\d+)-[0-9a-f]{6,}(\.[a-z]+)?$/;
/** Kinds older versions made with mkdtemp (no pid in the name): removed only when old. */
export const LEGACY_TEMP_KINDS = ['run', 'pycov', 'nodecov', 'v8cov', 'mochacov', 'nocache', 'patch'];

export function ownedTempName(kind: string, ext = ''): string {
  return `rover-${kind}-p${process.pid}-${randomBytes(4).toString('hex')}${ext}`;
}

/** The owner pid encoded in a temp entry's name, or undefined when the name is not one of ours. */
export function tempOwnerPid(name: string): number | undefined {
  const m = OWNED_NAME.exec(name);
  return m ? Number(m[2]) : undefined;
}

/** A new empty folder under the temp dir, owned by this process; removed by an emergency exit. */
export async function makeTempDir(kind: string): Promise<string> {
  const dir = join(tmpdir(), ownedTempName(kind));
  await mkdir(dir, { recursive: false, mode: 0o700 });
  holdForExit(dir);
  return dir;
}

/** A path for a temp file owned by this process (not created); removed by an emergency exit. */
export function tempFilePath(kind: string, ext: string): string {
  const p = join(tmpdir(), ownedTempName(kind, ext));
  holdForExit(p);
  return p;
}

/**
 * rm -rf that also gets through folders a test suite made read-only (chmod 500 on a fixture dir):
 * without write permission on a folder its entries cannot be unlinked, so permissions are restored
 * and the removal tried once more. Returns whether the path is gone.
 */
export async function removeTree(path: string): Promise<boolean> {
  try {
    await rm(path, { recursive: true, force: true });
    return true;
  } catch {
    await restoreWrite(path).catch(() => undefined);
    return rm(path, { recursive: true, force: true }).then(
      () => true,
      () => false,
    );
  }
}

async function restoreWrite(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await restoreWrite(join(dir, e.name)).catch(() => undefined);
}

const held = new Set<string>();

/** Remember a path to delete if the process has to exit abruptly (SIGINT, SIGTERM). */
export function holdForExit(path: string): () => void {
  if (held.size > 256) for (const p of held) if (!existsSync(p)) held.delete(p);
  held.add(path);
  return () => void held.delete(path);
}

/** Synchronous on purpose: it runs while the process is exiting, when promises no longer settle. */
export function removeHeldSync(): number {
  let n = 0;
  for (const p of held) {
    try {
      if (existsSync(p)) {
        rmSync(p, { recursive: true, force: true });
        n++;
      }
    } catch {
      /* the sweep at the next start gets it */
    }
  }
  held.clear();
  return n;
}
