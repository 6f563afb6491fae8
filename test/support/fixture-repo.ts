// Copies a fixture from test/fixtures into a temp folder and makes it a git repository with one
// commit, so tests can treat it as a user's checkout without touching the committed fixture.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';

export const FIXTURES = resolve(__dirname, '..', 'fixtures');

export interface FixtureRepo {
  dir: string;
  cleanup(): Promise<void>;
}

/** `edit` changes the copy before its commit (e.g. takes out the test that already shows the bug). */
export async function makeFixtureRepo(name: string, opts: { git?: boolean; edit?: (dir: string) => Promise<void> } = {}): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), `rover-fx-${name.replace(/[^a-z0-9]+/gi, '-')}-`));
  await cp(join(FIXTURES, name), dir, { recursive: true });
  await opts.edit?.(dir);
  if (opts.git !== false) await commitAsFixture(dir);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Makes the folder a git repository whose one commit holds all of it. */
export async function commitAsFixture(dir: string): Promise<void> {
  const git = simpleGit(dir);
  await git.init();
  await git.addConfig('user.email', 'fixture@rover.invalid');
  await git.addConfig('user.name', 'Rover Fixture');
  await git.addConfig('commit.gpgsign', 'false');
  await git.add(['-A']);
  await git.commit('fixture');
}
