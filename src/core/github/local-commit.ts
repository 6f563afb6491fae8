// The local half of the hand-off: a branch from the current HEAD holding one commit of exactly the
// given diff. The commit is built in a private index (git apply --cached on HEAD's tree), so the
// user's working tree, their other uncommitted changes and their index are never read into it.
// With `checkout`, HEAD then moves to the branch without touching a file on disk: only the index
// entries of the committed paths are updated, so `git status` shows the user's other changes as
// before and the accepted ones as committed.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitEnv, SAFE_GIT_CONFIG } from '../proc/git';
import { runProcess } from '../proc/run';
import { makeTempDir } from '../proc/temp';

export type HandOffErrorKind = 'detached' | 'dirty-index' | 'no-remote' | 'does-not-apply' | 'no-identity' | 'empty' | 'push-rejected' | 'pr-failed' | 'cancelled';

export class HandOffError extends Error {
  constructor(
    readonly kind: HandOffErrorKind,
    message: string,
    /** What already exists when the error came (the local branch and commit survive a refused push). */
    readonly branch?: string,
    readonly commit?: string,
  ) {
    super(message);
    this.name = 'HandOffError';
  }
}

export interface RepoState {
  branch: string;
  head: string;
  /** The upstream branch on `remote` the current branch tracks (its name there), if any. */
  upstream?: string;
}

/** Refuses a detached HEAD and a non-empty index before anything is made. */
export async function checkRepoState(repo: string, remote: string): Promise<RepoState> {
  const head = (await git(repo, ['rev-parse', '--verify', '-q', 'HEAD'], { allowFail: true })).stdout.trim();
  if (!head) throw new HandOffError('detached', 'The repository has no commit yet: Rover makes its branch from your current commit. Commit something first; nothing was changed.');
  const sym = await git(repo, ['symbolic-ref', '-q', '--short', 'HEAD'], { allowFail: true });
  if (sym.code !== 0) {
    throw new HandOffError(
      'detached',
      `HEAD is detached (at ${head.slice(0, 10)}): Rover makes its branch from the branch you are on and opens the pull request against it. Switch to a branch first (git switch -c my-work, or git switch main) and try again; nothing was changed.`,
    );
  }
  const staged = (await git(repo, ['diff', '--cached', '--name-only', '-z'])).stdout.split('\0').filter(Boolean);
  if (staged.length) {
    const list = staged.slice(0, 5).join(', ') + (staged.length > 5 ? ` and ${staged.length - 5} more` : '');
    throw new HandOffError(
      'dirty-index',
      `Your index has staged changes (${list}). Rover commits exactly the accepted changes and would not take yours along or disturb them: commit them, or unstage them with git restore --staged ${staged.length === 1 ? staged[0] : '.'}, then try again; nothing was changed.`,
    );
  }
  const url = (await git(repo, ['config', '--get', `remote.${remote}.url`], { allowFail: true })).stdout.trim();
  if (!url) throw new HandOffError('no-remote', `The repository has no remote "${remote}" to push to: add it (git remote add ${remote} URL) and try again; nothing was changed.`);
  const branch = sym.stdout.trim();
  const up = (await git(repo, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', `${branch}@{upstream}`], { allowFail: true })).stdout.trim();
  const upstream = up.startsWith(`${remote}/`) ? up.slice(remote.length + 1) : undefined;
  return { branch, head, upstream };
}

/** `name`, or `name-2`, `name-3`… : the first that exists neither locally, as a remote-tracking branch, nor on the remote. */
export async function freeBranchName(repo: string, name: string, remote: string, signal?: AbortSignal): Promise<string> {
  const onRemote = new Set<string>();
  const ls = await git(repo, ['ls-remote', '--heads', remote, `${name}*`], { allowFail: true, timeoutMs: 60_000, signal });
  if (ls.code === 0) for (const l of ls.stdout.split('\n')) if (l.includes('refs/heads/')) onRemote.add(l.split('refs/heads/')[1].trim());
  for (let i = 1; i < 100; i++) {
    const candidate = i === 1 ? name : `${name}-${i}`;
    if (onRemote.has(candidate)) continue;
    const local = await git(repo, ['rev-parse', '--verify', '-q', `refs/heads/${candidate}`], { allowFail: true });
    const tracking = await git(repo, ['rev-parse', '--verify', '-q', `refs/remotes/${remote}/${candidate}`], { allowFail: true });
    if (local.code !== 0 && tracking.code !== 0) return candidate;
  }
  throw new HandOffError('no-remote', `Branches ${name} to ${name}-99 all exist; delete some and try again.`);
}

async function gitIndexed(repo: string, index: string, args: string[], stdin?: string) {
  return runProcess('git', [...SAFE_GIT_CONFIG, ...args], { cwd: repo, env: { ...gitEnv(), GIT_INDEX_FILE: index }, timeoutMs: 120_000, contain: false, stdin });
}

/** Paths a unified diff touches (new and old names). */
export function diffPaths(diff: string): string[] {
  const out = new Set<string>();
  for (const m of diff.matchAll(/^(?:---|\+\+\+) (?:[ab]\/)?(.+?)\t?$/gm)) if (m[1] !== '/dev/null') out.add(m[1]);
  return [...out];
}

/** Commits `diff` on HEAD as a new branch `branch`; with `checkout`, HEAD moves to it (files on disk untouched). */
export async function commitOnNewBranch(o: { repo: string; state: RepoState; branch: string; diff: string; message: string; checkout: boolean }): Promise<string> {
  if (!o.diff.trim()) throw new HandOffError('empty', 'There is nothing to commit: no hunk was accepted.');
  const dir = await makeTempDir('handoff');
  const index = join(dir, 'index');
  try {
    const read = await gitIndexed(o.repo, index, ['read-tree', o.state.head]);
    if (read.code !== 0) throw new Error(read.stderr);
    const applied = await gitIndexed(o.repo, index, ['apply', '--cached', '--whitespace=nowarn', '-'], o.diff.endsWith('\n') ? o.diff : `${o.diff}\n`);
    if (applied.code !== 0) {
      throw new HandOffError(
        'does-not-apply',
        `The accepted changes do not apply to your last commit (${o.state.head.slice(0, 10)}): ${applied.stderr.trim().split('\n').slice(0, 3).join(' ')}. ` +
          'They overlap changes of yours that are not committed; commit those first (or leave them out of the files Rover changed) and try again; nothing was changed.',
      );
    }
    const tree = (await gitIndexed(o.repo, index, ['write-tree'])).stdout.trim();
    const made = await gitIndexed(o.repo, index, ['commit-tree', tree, '-p', o.state.head, '-F', '-'], o.message);
    if (made.code !== 0) {
      if (/tell me who you are|user\.(name|email)|empty ident/i.test(made.stderr)) {
        throw new HandOffError('no-identity', 'git does not know who you are, so it cannot make the commit: set git config user.name and user.email and try again; nothing was changed.');
      }
      throw new Error(`git commit-tree failed: ${made.stderr.trim()}`);
    }
    const commit = made.stdout.trim();
    // the empty old value makes this fail if the branch appeared meanwhile, instead of moving it
    await git(o.repo, ['update-ref', '-m', 'rover: branch for the accepted fix', `refs/heads/${o.branch}`, commit, '']);
    if (o.checkout) {
      await git(o.repo, ['symbolic-ref', '-m', `rover: switch to ${o.branch}`, 'HEAD', `refs/heads/${o.branch}`]);
      const changed = (await git(o.repo, ['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', commit])).stdout.split('\0').filter(Boolean);
      if (changed.length) await git(o.repo, ['reset', '-q', commit, '--', ...changed]);
    }
    return commit;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
