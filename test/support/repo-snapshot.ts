// Everything a test suite could change in a user's repository: working files, ignored folders, and
// .git itself (config, hooks, refs, objects, worktree registrations), as one hash plus a listing.
// .git/index is left out: git refreshes it on a plain `git status` (the test's own reads do that).
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

export function repoSnapshot(dir: string): { hash: string; files: string[] } {
  const h = createHash('sha1');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (rel === join('.git', 'index')) continue;
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else {
        files.push(rel);
        h.update(rel).update(String(st.mode));
        h.update(st.isSymbolicLink() ? readlinkSync(p) : readFileSync(p));
      }
    }
  };
  walk(dir);
  return { hash: h.digest('hex'), files };
}
