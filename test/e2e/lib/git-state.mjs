// The user's tree as the harness sees it from outside VS Code: `git status --porcelain`, the
// registered worktrees, and a hash of every tracked and untracked file.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from './proc.mjs';

const git = async (cwd, ...args) => (await run('git', args, { cwd, timeoutMs: 30_000 })).out;

export async function treeSnapshot(dir) {
  const status = await git(dir, 'status', '--porcelain', '--untracked-files=all');
  const files = (await git(dir, 'ls-files', '-co', '--exclude-standard', '-z')).split('\0').filter(Boolean).sort();
  const hashes = {};
  for (const f of files) {
    const p = join(dir, f);
    hashes[f] = existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'missing';
  }
  return { status, hashes };
}

export async function extraWorktrees(dir) {
  return (await git(dir, 'worktree', 'list', '--porcelain')).split('\n').filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice(9)).filter((p) => resolve(p) !== resolve(dir));
}
