// The clean-up every Rover command (CLI or editor) runs when it starts: whatever an earlier Rover
// process left when it was killed — orphaned test processes, temp folders, checkouts, old-style
// worktree registrations in the repository, half-written index caches. Never fails the command.
import { sweepIndexCacheTemps } from '../index/index-cache';
import { sweepProcessesAndTemps } from '../proc/sweep';
import { cleanupStaleCheckouts, sweepCheckouts, checkoutsRoot } from './checkout';

export interface StartSweep {
  processes: number;
  temps: string[];
  worktrees: string[];
  cacheTemps: string[];
}

export async function sweepAtStart(opts: { repo?: string; checkoutParent?: string } = {}): Promise<StartSweep> {
  const none: StartSweep = { processes: 0, temps: [], worktrees: [], cacheTemps: [] };
  try {
    const pt = await sweepProcessesAndTemps();
    const worktrees = opts.repo
      ? await cleanupStaleCheckouts(opts.repo, opts.checkoutParent).catch(() => sweepCheckouts(checkoutsRoot(opts.checkoutParent)))
      : await sweepCheckouts(checkoutsRoot(opts.checkoutParent));
    const cacheTemps = await sweepIndexCacheTemps().catch(() => []);
    return { ...pt, worktrees, cacheTemps };
  } catch {
    return none;
  }
}
