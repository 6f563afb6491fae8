// Isolated checkouts for patch trials and test runs. The user's working tree is never written:
// a worktree is a detached `git worktree` under Rover's temp folder, registered in .git/worktrees
// only while it lives.
//
// What the tests see: the base commit, plus (optionally) the user's uncommitted tracked changes and
// untracked-but-not-ignored files, so "validate my current changes" tests what the user has on disk.
// Ignored folders that tests need at run time but git does not carry (node_modules, a venv) are
// symlinked from the user's tree, never copied or modified.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { runProcess } from '../proc/run';

export interface WorktreeOptions {
  /** Commit-ish to check out; default HEAD. */
  baseRef?: string;
  /** Carry the user's uncommitted tracked changes and untracked (not ignored) files over. */
  includeUncommitted?: boolean;
  /** Ignored paths (relative to the repo root) to symlink in when they exist. */
  linkPaths?: string[];
  /** Parent folder for worktrees; default <tmp>/rover-worktrees. */
  parentDir?: string;
}

export interface Worktree {
  path: string;
  repoRoot: string;
  baseCommit: string;
  dispose(): Promise<void>;
}

const DEFAULT_LINKS = ['node_modules', '.venv', 'venv'];
const OWNER_FILE = '.rover-owner.json';
// The owner marker lives beside the worktree, not in it: git reads info/exclude only from the main
// repository's folder, so an in-tree marker would show up in `git status` and `git add -A`.
const ownerPath = (wtPath: string) => `${wtPath}${OWNER_FILE}`;

export function worktreesParent(repoRoot: string, parentDir?: string): string {
  const key = createHash('sha1').update(resolve(repoRoot)).digest('hex').slice(0, 12);
  return join(parentDir ?? join(tmpdir(), 'rover-worktrees'), key);
}

export class NotAGitRepoError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} is not inside a git repository; Rover needs git to test patches in isolation (run \`git init\` and commit first).`);
    this.name = 'NotAGitRepoError';
  }
}

async function repoTop(dir: string): Promise<string> {
  try {
    return (await simpleGit(dir).revparse(['--show-toplevel'])).trim();
  } catch {
    throw new NotAGitRepoError(dir);
  }
}

export async function createWorktree(repoDir: string, opts: WorktreeOptions = {}): Promise<Worktree> {
  const repoRoot = await repoTop(repoDir);
  const git = simpleGit(repoRoot);
  const baseCommit = (await git.revparse([`${opts.baseRef ?? 'HEAD'}^{commit}`])).trim();
  const parent = worktreesParent(repoRoot, opts.parentDir);
  await mkdir(parent, { recursive: true });
  const path = join(parent, `wt-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  await git.raw(['worktree', 'add', '--detach', '--force', path, baseCommit]);
  let disposed = false;
  const wt: Worktree = {
    path,
    repoRoot,
    baseCommit,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await removeWorktree(git, path);
    },
  };
  try {
    await writeFile(ownerPath(path), JSON.stringify({ pid: process.pid, created: Date.now() }));
    if (opts.includeUncommitted) await carryUncommitted(git, repoRoot, path);
    for (const rel of opts.linkPaths ?? DEFAULT_LINKS) {
      const src = join(repoRoot, rel);
      const dst = join(path, rel);
      if (existsSync(src) && !existsSync(dst)) {
        await mkdir(dirname(dst), { recursive: true });
        await symlink(src, dst, 'dir');
      }
    }
  } catch (e) {
    await wt.dispose();
    throw e;
  }
  return wt;
}

/**
 * A worktree several validations use in turn (the candidates of one choice), so a large repository
 * is checked out once rather than once per candidate: validatePatch with `disposableCheckout` runs in
 * it and resets it to its HEAD after each. The user's carried-over changes are committed on the
 * worktree's own detached HEAD, so that reset returns to them (no hook runs, nothing is signed; the
 * commit is reachable from no branch).
 */
export async function createSharedWorktree(repoDir: string, opts: WorktreeOptions = {}): Promise<Worktree> {
  // the validations it hosts sweep only their own (nested) folder: leftovers of a crash are swept here
  await cleanupStaleWorktrees(repoDir, opts.parentDir).catch(() => []);
  const wt = await createWorktree(repoDir, opts);
  try {
    const git = simpleGit(wt.path);
    if (!(await git.raw(['status', '--porcelain'])).trim()) return wt;
    await git.raw(['add', '-A']);
    // not through simple-git: it refuses core.hooksPath, the one way to keep a post-commit hook from running
    const c = await runProcess('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', '-c', 'user.name=Rover', '-c', 'user.email=rover@localhost',
      'commit', '-q', '--no-verify', '-m', 'rover: the uncommitted changes under validation'], { cwd: wt.path, timeoutMs: 120_000 });
    if (c.code !== 0) throw new Error(`could not record the uncommitted changes in the validation worktree: ${c.stderr.trim() || c.stdout.trim()}`);
    return { ...wt, baseCommit: (await git.revparse(['HEAD'])).trim() };
  } catch (e) {
    await wt.dispose();
    throw e;
  }
}

async function carryUncommitted(git: SimpleGit, repoRoot: string, path: string): Promise<void> {
  const diff = await git.raw(['diff', '--binary', 'HEAD']);
  if (diff.trim()) {
    const patchFile = join(path, '.git-rover-uncommitted.patch');
    await writeFile(patchFile, diff);
    try {
      await simpleGit(path).raw(['apply', '--whitespace=nowarn', patchFile]);
    } finally {
      await rm(patchFile, { force: true });
    }
  }
  const untracked = (await git.raw(['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter(Boolean);
  for (const rel of untracked) {
    const dst = join(path, rel);
    await mkdir(dirname(dst), { recursive: true });
    await cp(join(repoRoot, rel), dst, { force: true, recursive: true });
  }
}

async function removeWorktree(git: SimpleGit, path: string): Promise<void> {
  try {
    await git.raw(['worktree', 'remove', '--force', '--force', path]);
  } catch {
    /* fall through: remove the folder ourselves and prune the registration */
  }
  await rm(path, { recursive: true, force: true });
  await rm(ownerPath(path), { force: true });
  try {
    await git.raw(['worktree', 'prune']);
  } catch {
    /* repo gone: nothing to prune */
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes worktrees left behind by a Rover process that died (crash, kill -9). Call on start.
 * Returns the removed paths.
 */
export async function cleanupStaleWorktrees(repoDir: string, parentDir?: string): Promise<string[]> {
  const repoRoot = await repoTop(repoDir);
  const git = simpleGit(repoRoot);
  const parent = worktreesParent(repoRoot, parentDir);
  const removed: string[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir(parent);
  } catch {
    entries = [];
  }
  for (const name of entries) {
    if (name.endsWith(OWNER_FILE)) {
      // a marker whose worktree is already gone
      if (!entries.includes(name.slice(0, -OWNER_FILE.length))) await rm(join(parent, name), { force: true });
      continue;
    }
    const path = join(parent, name);
    let owner: { pid?: number } = {};
    for (const f of [join(path, OWNER_FILE), ownerPath(path)]) {
      try {
        owner = JSON.parse(await readFile(f, 'utf8'));
        break;
      } catch {
        owner = {};
      }
    }
    if (owner.pid && owner.pid !== process.pid && pidAlive(owner.pid)) continue;
    if (owner.pid === process.pid) continue;
    await removeWorktree(git, path);
    removed.push(path);
  }
  await git.raw(['worktree', 'prune']).catch(() => undefined);
  return removed;
}

/** Rover worktrees currently registered for this repository (for tests and diagnostics). */
export async function listRoverWorktrees(repoDir: string, parentDir?: string): Promise<string[]> {
  const repoRoot = await repoTop(repoDir);
  const parent = worktreesParent(repoRoot, parentDir);
  const out = await simpleGit(repoRoot).raw(['worktree', 'list', '--porcelain']);
  return out
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length))
    .filter((p) => p.startsWith(parent));
}
