// Shared by the validation tests: make a diff by editing a fixture copy, then put the file back.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';

export async function diffFor(repo: string, rel: string, edit: (text: string) => string): Promise<string> {
  const p = join(repo, rel);
  const orig = await readFile(p, 'utf8');
  await writeFile(p, edit(orig));
  const diff = await simpleGit(repo).raw(['diff', '--', rel]);
  await writeFile(p, orig);
  if (!diff.trim()) throw new Error(`edit of ${rel} changed nothing`);
  return diff;
}

export async function userTreeState(repo: string): Promise<string> {
  const g = simpleGit(repo);
  return `${await g.raw(['status', '--porcelain'])}\n${await g.raw(['diff'])}\n${await g.raw(['worktree', 'list', '--porcelain'])}`;
}
