// A fixture repository whose `origin` reads as a GitHub repository (https://github.com/OWNER/REPO.git)
// while git actually pushes to a local bare repository (url.<bare>.insteadOf, in the fixture's own
// config): Rover resolves `#N` and names the host from the configured URL, and its pushes land where
// the test can read them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeFixtureRepo } from './fixture-repo';

export interface GitHubFixture {
  dir: string;
  bare: string;
  originUrl: string;
  git(...args: string[]): string;
  bareGit(...args: string[]): string;
  cleanup(): Promise<void>;
}

export async function makeGitHubFixture(fixture: string, opts: { owner?: string; repo?: string; host?: string } = {}): Promise<GitHubFixture> {
  const fx = await makeFixtureRepo(fixture);
  const holder = await mkdtemp(join(tmpdir(), 'rover-fx-origin-'));
  const bare = join(holder, 'origin.git');
  const run = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run(holder, ['init', '-q', '--bare', '-b', 'main', bare]);
  const originUrl = `https://${opts.host ?? 'github.com'}/${opts.owner ?? 'acme'}/${opts.repo ?? 'inventory'}.git`;
  const git = (...args: string[]) => run(fx.dir, args);
  git('branch', '-M', 'main');
  git('remote', 'add', 'origin', originUrl);
  git('config', `url.${bare}.insteadOf`, originUrl);
  git('push', '-q', '-u', 'origin', 'main');
  return {
    dir: fx.dir,
    bare,
    originUrl,
    git,
    bareGit: (...args: string[]) => run(bare, args),
    cleanup: async () => {
      await fx.cleanup();
      await rm(holder, { recursive: true, force: true });
    },
  };
}
