// Turning in-memory file changes into a git-apply compatible unified diff (a/ b/ headers), and
// confirming it against the base commit in a throwaway worktree — never the user's tree.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { structuredPatch } from 'diff';
import { git } from '../../proc/git';
import { createCheckout } from '../../runner/checkout';
import type { FileChange } from './apply';

export function unifiedDiff(changes: FileChange[]): string {
  const out: string[] = [];
  for (const c of [...changes].sort((a, b) => (a.rel < b.rel ? -1 : 1))) {
    const before = c.before ?? '';
    const p = structuredPatch(`a/${c.rel}`, `b/${c.rel}`, before, c.after, '', '', { context: 3 });
    if (p.hunks.length === 0) continue;
    out.push(`diff --git a/${c.rel} b/${c.rel}`);
    if (c.before === undefined) out.push('new file mode 100644', '--- /dev/null');
    else if (c.deleted) out.push('deleted file mode 100644', `--- a/${c.rel}`);
    else out.push(`--- a/${c.rel}`);
    out.push(c.deleted ? '+++ /dev/null' : `+++ b/${c.rel}`);
    for (const h of p.hunks) {
      const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
      const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
      out.push(`@@ -${oldStart},${h.oldLines} +${newStart},${h.newLines} @@`, ...h.lines);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

export interface ConfirmedDiff {
  diff: string;
  baseCommit: string;
  /** Files `git diff` reports changed in the worktree after applying. */
  files: string[];
}

/**
 * Applies `diff` with `git apply` in a fresh worktree of `repo` (base = HEAD plus the user's
 * uncommitted changes, which is what the edits were computed against) and returns what git sees.
 * Throws with git's message when the diff does not apply. The worktree is always removed.
 */
export async function confirmInCheckout(repo: string, changes: FileChange[], signal?: AbortSignal): Promise<ConfirmedDiff> {
  const diff = unifiedDiff(changes);
  const wt = await createCheckout(repo, { includeUncommitted: true });
  try {
    // the diff goes through stdin: no temp file to leave behind if the process is killed here
    const check = await git(wt.path, ['apply', '--whitespace=nowarn', '-'], { stdin: diff, timeoutMs: 60_000, signal, allowFail: true });
    if (check.cancelled) throw new DOMException('cancelled', 'AbortError');
    if (check.code !== 0) throw new Error(`git apply refused the patch: ${(check.stderr || check.stdout).trim().slice(0, 800)}`);
    // Which files differ from the worktree's starting state (new files included).
    await git(wt.path, ['add', '-A', '--', ...changes.map((c) => c.rel)], { timeoutMs: 60_000, signal, allowFail: true });
    const names = await git(wt.path, ['diff', '--cached', '--name-only'], { timeoutMs: 60_000, signal, allowFail: true });
    if (names.cancelled) throw new DOMException('cancelled', 'AbortError');
    const files = names.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    return { diff, baseCommit: wt.baseCommit, files };
  } finally {
    await wt.dispose();
  }
}

/** Writes changes into a directory (a worktree or temp copy), creating folders for new files. */
export async function writeChanges(dir: string, changes: FileChange[]): Promise<void> {
  for (const c of changes) {
    const p = join(dir, c.rel);
    if (c.deleted) {
      await rm(p, { force: true });
      continue;
    }
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, c.after);
  }
}
