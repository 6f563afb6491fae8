// The paths a unified diff names, checked before anything is applied: a patch from an agent is
// untrusted input, and one that reaches outside the repository (`../`) or into git's own folder
// (`.git/`) is refused with the path named, the same rules as the agent's own edits (safeRelPath).
import { safeRelPath } from '../agent/apply/safe-paths';

/** Paths of the diff's file headers, prefixes (a/, b/) and timestamps removed, /dev/null left out. */
export function patchPaths(patch: string): string[] {
  const lines = patch.split(/\r?\n/);
  const out = new Set<string>();
  const add = (raw: string, prefixed: boolean) => {
    let p = raw.split('\t')[0].trim();
    if (p.startsWith('"') && p.endsWith('"')) p = p.slice(1, -1);
    if (p === '/dev/null' || !p) return;
    if (prefixed) p = p.replace(/^[ab]\//, '');
    out.add(p);
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    // a "--- " line opens a file header only when "+++ " follows; inside a hunk it is a removed line
    if (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      add(l.slice(4), true);
      add(lines[i + 1].slice(4), true);
      i++;
      continue;
    }
    const moved = /^(?:rename|copy) (?:from|to) (.+)$/.exec(l);
    if (moved) add(moved[1], false);
    const git = /^diff --git a\/(.+) b\/(.+)$/.exec(l);
    if (git) {
      add(git[1], false);
      add(git[2], false);
    }
  }
  return [...out];
}

/** Why the patch may not be applied (a path outside the repository or inside .git), or undefined. */
export function patchPathProblem(patch: string): string | undefined {
  const paths = patchPaths(patch);
  if (!paths.length) return 'The patch names no file: give a unified diff (git diff format) with --- a/FILE and +++ b/FILE headers.';
  for (const p of paths) {
    const safe = safeRelPath(p);
    if (!safe.ok) return `The patch touches ${JSON.stringify(p)}: ${safe.error} Nothing was applied.`;
  }
  return undefined;
}
