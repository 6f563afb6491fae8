// Fixture folders are copied to a temp dir and committed there before code-server opens them:
// the committed fixtures never get a .git folder and are never touched by a run.
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './proc.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

export async function makeWorkspace(fixture, parent, name = fixture) {
  const dir = join(parent, name);
  mkdirSync(parent, { recursive: true });
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Rover E2E', GIT_AUTHOR_EMAIL: 'e2e@rover.invalid',
    GIT_COMMITTER_NAME: 'Rover E2E', GIT_COMMITTER_EMAIL: 'e2e@rover.invalid' };
  const git = (...a) => run('git', a, { cwd: dir, env, timeoutMs: 60_000 });
  await git('init', '-q', '-b', 'main');
  await git('config', 'commit.gpgsign', 'false');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'fixture');
  return dir;
}
