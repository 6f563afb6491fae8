import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupStaleCheckouts, createCheckout, listRoverCheckouts, NotAGitRepoError } from '../../src/core/runner/checkout';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { treeHash } from '../support/tree-hash';


describe('worktrees', () => {
  let repo: FixtureRepo;
  let parentDir: string;
  beforeEach(async () => {
    repo = await makeFixtureRepo('py-inventory');
    parentDir = await mkdtemp(join(tmpdir(), 'rover-wt-parent-'));
  });
  afterEach(async () => {
    await repo.cleanup();
    await rm(parentDir, { recursive: true, force: true });
  });

  it('checks out the base commit elsewhere and leaves the user tree untouched', async () => {
    const before = treeHash(repo.dir);
    const status = await simpleGit(repo.dir).raw(['status', '--porcelain']);
    const wt = await createCheckout(repo.dir, { parentDir });
    expect(wt.path.startsWith(parentDir)).toBe(true);
    expect(existsSync(join(wt.path, 'inventory', 'pricing.py'))).toBe(true);
    await writeFile(join(wt.path, 'inventory', 'pricing.py'), '# changed in the worktree\n');
    await wt.dispose();
    expect(existsSync(wt.path)).toBe(false);
    expect(treeHash(repo.dir)).toBe(before);
    expect(await simpleGit(repo.dir).raw(['status', '--porcelain'])).toBe(status);
    expect(await listRoverCheckouts(repo.dir, parentDir)).toEqual([]);
  });

  it('carries uncommitted edits and untracked files when asked', async () => {
    await writeFile(join(repo.dir, 'inventory', 'pricing.py'), (await readFile(join(repo.dir, 'inventory', 'pricing.py'), 'utf8')).replace('quantity > BULK', 'quantity >= BULK'));
    await mkdir(join(repo.dir, 'data'));
    await writeFile(join(repo.dir, 'data', 'catalog.json'), '[]');
    const wt = await createCheckout(repo.dir, { parentDir, includeUncommitted: true });
    expect(await readFile(join(wt.path, 'inventory', 'pricing.py'), 'utf8')).toContain('quantity >= BULK');
    expect(await readFile(join(wt.path, 'data', 'catalog.json'), 'utf8')).toBe('[]');
    const plain = await createCheckout(repo.dir, { parentDir });
    expect(await readFile(join(plain.path, 'inventory', 'pricing.py'), 'utf8')).toContain('quantity > BULK');
    await wt.dispose();
    await plain.dispose();
  });

  it('removes worktrees whose owner process is gone', async () => {
    const wt = await createCheckout(repo.dir, { parentDir });
    await writeFile(`${wt.path}.rover-owner.json`, JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const removed = await cleanupStaleCheckouts(repo.dir, parentDir);
    expect(removed).toEqual([wt.path]);
    expect(existsSync(wt.path)).toBe(false);
    expect(await listRoverCheckouts(repo.dir, parentDir)).toEqual([]);
  });

  it('explains when the folder is not a git repository', async () => {
    const plain = await makeFixtureRepo('py-inventory', { git: false });
    await expect(createCheckout(plain.dir, { parentDir })).rejects.toBeInstanceOf(NotAGitRepoError);
    await plain.cleanup();
  });
});
