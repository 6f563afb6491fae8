// Per-test coverage cache outside the analysed tree, keyed by the tree's state (commit + a hash of
// uncommitted changes), the runner and the test id, so repeated runs only collect what is new.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../index/index-cache';
import { runProcess } from '../proc/run';
import type { TestCoverage } from './types';

export function defaultLocalizeCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'rover', 'localize');
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

/**
 * The state of the files tests see: HEAD plus a hash of `git status` and the uncommitted diff
 * (untracked files by content). undefined when `dir` is not a git repository (then nothing is cached).
 */
export async function treeState(dir: string): Promise<string | undefined> {
  const git = (args: string[]) => runProcess('git', args, { cwd: dir, timeoutMs: 60_000, maxOutputBytes: 64 * 1024 * 1024 });
  const head = await git(['rev-parse', 'HEAD']).catch(() => undefined);
  if (!head || head.code !== 0) return undefined;
  const diff = await git(['diff', 'HEAD', '--binary']);
  const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z']);
  const h = createHash('sha1').update(diff.stdout);
  for (const rel of untracked.stdout.split('\0').filter(Boolean).sort()) {
    h.update(rel + '\0');
    try {
      h.update(await readFile(join(dir, rel)));
    } catch {
      /* vanished or a directory: its name is enough */
    }
  }
  return `${head.stdout.trim()}+${h.digest('hex')}`;
}

export class CoverageCache {
  private readonly dir: string;
  constructor(cacheRoot: string, repoRoot: string, private readonly state: string, private readonly runnerKey: string) {
    this.dir = join(cacheRoot, sha1(resolve(repoRoot)).slice(0, 12));
  }

  private file(id: string): string {
    return join(this.dir, `${sha1(JSON.stringify([this.state, this.runnerKey, id]))}.json`);
  }

  async get(id: string): Promise<TestCoverage | undefined> {
    const f = this.file(id);
    if (!existsSync(f)) return undefined;
    try {
      const v = JSON.parse(await readFile(f, 'utf8')) as TestCoverage;
      return v && v.id === id && typeof v.files === 'object' ? v : undefined;
    } catch {
      return undefined; // a torn or foreign file is a miss, never an error
    }
  }

  async put(t: TestCoverage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file(t.id), JSON.stringify(t));
  }
}
