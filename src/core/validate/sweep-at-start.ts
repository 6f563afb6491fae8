// The clean-up every Rover command (CLI or editor) runs when it starts: whatever an earlier Rover
// process left when it was killed — orphaned test processes, temp folders, checkouts, old-style
// worktree registrations in the repository, half-written index caches. Never fails the command.
import { sweepIndexCacheTemps } from '../index/index-cache';
import { sweepProcessesAndTemps } from '../proc/sweep';
import { cleanupStaleWorktrees, sweepWorktrees, worktreesRoot } from './worktree';

export interface StartSweep {
  processes: number;
  temps: string[];
  worktrees: string[];
  cacheTemps: string[];
}

export async function sweepAtStart(opts: { repo?: string; worktreeParent?: string } = {}): Promise<StartSweep> {
  const none: StartSweep = { processes: 0, temps: [], worktrees: [], cacheTemps: [] };
  try {
    const pt = await sweepProcessesAndTemps();
    const worktrees = opts.repo
      ? await cleanupStaleWorktrees(opts.repo, opts.worktreeParent).catch(() => sweepWorktrees(worktreesRoot(opts.worktreeParent)))
      : await sweepWorktrees(worktreesRoot(opts.worktreeParent));
    const cacheTemps = await sweepIndexCacheTemps().catch(() => []);
    return { ...pt, worktrees, cacheTemps };
  } catch {
    return none;
  }
}
