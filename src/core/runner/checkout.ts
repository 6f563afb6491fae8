// Isolated checkouts for patch trials and test runs. The user's working tree is never written, and
// neither is the user's .git: a checkout is a private repository under Rover's temp folder that
// reads the user's objects through git's alternates (nothing is registered in .git/worktrees, no
// object, ref, config or hook is added there), so a kill at any moment leaves only a temp folder,
// which the next start removes (see proc/sweep.ts).
//
// What the tests see: the base commit, plus (optionally) the user's uncommitted tracked changes and
// untracked-but-not-ignored files (copied, never `git add`ed in the user's repository), so "validate
// my current changes" tests what the user has on disk. Ignored folders that tests need at run time
// but git does not carry (node_modules, a venv) are symlinked from the user's tree, never copied.
//
// Commands run inside a checkout are contained (proc/sandbox.ts): the user's repository, its .git
// and the checkout's own .git are read-only to them, and their processes die with the run.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { git } from '../proc/git';
import { pidAlive } from '../proc/owner';
import { registerContainedRoot } from '../proc/sandbox';
import { sweepProcessesAndTemps } from '../proc/sweep';
import { holdForExit, removeTree } from '../proc/temp';

export interface CheckoutOptions {
  /** Commit-ish to check out; default HEAD. */
  baseRef?: string;
  /** Carry the user's uncommitted tracked changes and untracked (not ignored) files over. */
  includeUncommitted?: boolean;
  /** Ignored paths (relative to the repo root) to symlink in when they exist. */
  linkPaths?: string[];
  /** Parent folder for worktrees; default <tmp>/rover-worktrees. */
  parentDir?: string;
}

export interface Checkout {
  path: string;
  repoRoot: string;
  baseCommit: string;
  dispose(): Promise<void>;
}

const DEFAULT_LINKS = ['node_modules', '.venv', 'venv'];
const OWNER_FILE = '.rover-owner.json';
// The owner marker lives beside the checkout, not in it, so it never shows in `git status`.
const ownerPath = (wtPath: string) => `${wtPath}${OWNER_FILE}`;
/** Repository settings a checkout keeps from the user's repository (how files are checked out, who commits). */
const KEPT_CONFIG = /^(core\.(autocrlf|eol|safecrlf|symlinks|ignorecase|precomposeunicode)|user\.(name|email))$/;

export function checkoutsRoot(parentDir?: string): string {
  return parentDir ?? join(tmpdir(), 'rover-worktrees');
}

export function checkoutsParent(repoRoot: string, parentDir?: string): string {
  const key = createHash('sha1').update(resolve(repoRoot)).digest('hex').slice(0, 12);
  return join(checkoutsRoot(parentDir), key);
}

export class NotAGitRepoError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} is not inside a git repository; Rover needs git to test patches in isolation (run \`git init\` and commit first).`);
    this.name = 'NotAGitRepoError';
  }
}

/** The top folder of the git repository holding `dir` (a real path), or NotAGitRepoError. */
export async function repoTop(dir: string): Promise<string> {
  const r = await git(dir, ['rev-parse', '--show-toplevel'], { allowFail: true }).catch(() => undefined);
  if (!r || r.code !== 0 || !r.stdout.trim()) throw new NotAGitRepoError(dir);
  return r.stdout.trim();
}

/** The repository's shared git folder (its .git, or the main one when it is itself a worktree). */
export async function gitCommonDir(repoRoot: string): Promise<string> {
  const out = (await git(repoRoot, ['rev-parse', '--git-common-dir'])).stdout.trim();
  return isAbsolute(out) ? out : resolve(repoRoot, out);
}

const sweptRoots = new Map<string, Promise<unknown>>();

/**
 * Once per process and checkout folder, before the first checkout: what killed Rover processes left
 * (their test processes, temp folders, checkouts). Commands sweep at start anyway; this covers every
 * caller that makes checkouts, whatever its entry point.
 */
function sweepOnce(root: string): Promise<unknown> {
  let p = sweptRoots.get(root);
  if (!p) sweptRoots.set(root, (p = Promise.all([sweepProcessesAndTemps(), sweepCheckouts(root)]).catch(() => undefined)));
  return p;
}

export async function createCheckout(repoDir: string, opts: CheckoutOptions = {}): Promise<Checkout> {
  const repoRoot = await repoTop(repoDir);
  await sweepOnce(checkoutsRoot(opts.parentDir));
  const commonDir = await gitCommonDir(repoRoot);
  const gitDir = resolve(repoRoot, (await git(repoRoot, ['rev-parse', '--git-dir'])).stdout.trim());
  const baseCommit = (await git(repoRoot, ['rev-parse', '--verify', `${opts.baseRef ?? 'HEAD'}^{commit}`])).stdout.trim();
  const parent = checkoutsParent(repoRoot, opts.parentDir);
  await mkdir(parent, { recursive: true });
  const path = join(parent, `wt-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  // the owner goes first: a kill between here and the checkout leaves something the sweep can attribute
  await writeFile(ownerPath(path), JSON.stringify({ pid: process.pid, created: Date.now(), repo: repoRoot }));
  const releases = [holdForExit(path), holdForExit(ownerPath(path))];
  let unregister: (() => void) | undefined;
  let disposed = false;
  const wt: Checkout = {
    path,
    repoRoot,
    baseCommit,
    async dispose() {
      if (disposed) return;
      disposed = true;
      unregister?.();
      // the owner file goes only with the checkout: a folder that could not be removed stays attributable
      if (await removeTree(path)) await rm(ownerPath(path), { force: true });
      for (const r of releases) r();
      // the per-repository folder goes with its last checkout
      await rmdir(parent).catch(() => undefined);
    },
  };
  try {
    await git(parent, ['init', '-q', '--template=', path]);
    const dotGit = join(path, '.git');
    await writeFile(join(dotGit, 'objects', 'info', 'alternates'), `${join(commonDir, 'objects')}\n`);
    if (existsSync(join(commonDir, 'shallow'))) await copyFile(join(commonDir, 'shallow'), join(dotGit, 'shallow'));
    await keepConfig(repoRoot, path);
    const links = (opts.linkPaths ?? DEFAULT_LINKS).filter((rel) => existsSync(join(repoRoot, rel)));
    await mkdir(join(dotGit, 'info'), { recursive: true });
    const exclude = await readFile(join(commonDir, 'info', 'exclude'), 'utf8').catch(() => '');
    await writeFile(join(dotGit, 'info', 'exclude'), `${exclude}\n# symlinked by Rover\n${links.map((l) => `/${l}`).join('\n')}\n`);
    await git(path, ['checkout', '-q', '--detach', baseCommit]);
    if (opts.includeUncommitted) await carryUncommitted(repoRoot, path);
    for (const rel of links) {
      const dst = join(path, rel);
      if (existsSync(dst)) continue;
      await mkdir(dirname(dst), { recursive: true });
      await symlink(join(repoRoot, rel), dst, 'dir');
    }
    // a linked node_modules may itself be a link (pnpm, a shared venv): its target is protected too
    const linkTargets = links.map((rel) => join(repoRoot, rel));
    unregister = registerContainedRoot(path, { readOnly: [repoRoot, commonDir, gitDir, dotGit, ...linkTargets, ...userGitConfig()], writable: [path] });
  } catch (e) {
    await wt.dispose();
    throw e;
  }
  return wt;
}

async function keepConfig(repoRoot: string, path: string): Promise<void> {
  const local = await git(repoRoot, ['config', '--local', '--list', '-z'], { allowFail: true });
  const sets: string[] = ['core.hooksPath', '/dev/null', 'gc.auto', '0'];
  for (const entry of local.stdout.split('\0')) {
    const nl = entry.indexOf('\n');
    const key = nl < 0 ? entry : entry.slice(0, nl);
    if (KEPT_CONFIG.test(key)) sets.push(key, nl < 0 ? 'true' : entry.slice(nl + 1));
  }
  for (let i = 0; i < sets.length; i += 2) await git(path, ['config', sets[i], sets[i + 1]]);
}

/** The user's own git configuration files: a test suite must not change them. */
function userGitConfig(): string[] {
  const home = homedir();
  const xdg = process.env.XDG_CONFIG_HOME || join(home, '.config');
  return [join(home, '.gitconfig'), join(xdg, 'git')];
}

/**
 * A checkout several validations use in turn (the candidates of one choice), so a large repository
 * is checked out once rather than once per candidate (~3 s each on sympy): validatePatch with
 * `disposableCheckout` runs in it and resets it to its HEAD after each, which leaves each candidate
 * the same tree a checkout of its own would. The user's carried-over changes are committed on the
 * checkout's own detached HEAD, so that reset returns to them (the commit lives in the private
 * repository only, reachable from no branch; no hook runs, nothing is signed).
 */
export async function createSharedCheckout(repoDir: string, opts: CheckoutOptions = {}): Promise<Checkout> {
  // the validations it hosts sweep only their own nested folder: a crashed run's leftovers go here
  await cleanupStaleCheckouts(repoDir, opts.parentDir).catch(() => []);
  const co = await createCheckout(repoDir, opts);
  try {
    if (!(await git(co.path, ['status', '--porcelain'])).stdout.trim()) return co;
    await git(co.path, ['add', '-A']);
    await git(co.path, ['-c', 'commit.gpgsign=false', '-c', 'user.name=Rover', '-c', 'user.email=rover@localhost',
      'commit', '-q', '--no-verify', '-m', 'rover: the uncommitted changes under validation']);
    return { ...co, baseCommit: (await git(co.path, ['rev-parse', 'HEAD'])).stdout.trim() };
  } catch (e) {
    await co.dispose();
    throw e;
  }
}

async function carryUncommitted(repoRoot: string, path: string): Promise<void> {
  const diff = await git(repoRoot, ['diff', '--binary', 'HEAD'], { maxOutputBytes: 512 * 1024 * 1024 });
  if (diff.stdout.trim()) {
    const applied = await git(path, ['apply', '--whitespace=nowarn', '-'], { stdin: diff.stdout, allowFail: true });
    if (applied.code !== 0) throw new Error(`Could not carry your uncommitted changes into the checkout: ${applied.stderr.trim()}`);
  }
  const untracked = (await git(repoRoot, ['ls-files', '--others', '--exclude-standard', '-z'])).stdout.split('\0').filter(Boolean);
  for (const rel of untracked) {
    const dst = join(path, rel);
    await mkdir(dirname(dst), { recursive: true });
    // verbatim: a relative link must keep pointing into the checkout, not back into the user's tree
    await cp(join(repoRoot, rel), dst, { force: true, recursive: true, verbatimSymlinks: true });
  }
}

function ownerOf(raw: string): { pid?: number } {
  try {
    const o = JSON.parse(raw) as { pid?: unknown };
    return typeof o.pid === 'number' ? { pid: o.pid } : {};
  } catch {
    return {};
  }
}

/**
 * Removes checkouts under `root` whose owner process is gone (crash, kill -9), and the folders they
 * leave empty. One with no owner file is removed once it is older than `orphanAgeMs` (a creator
 * writes the owner first, so only an older Rover leaves such folders). Returns the removed paths.
 */
export async function sweepCheckouts(root: string, orphanAgeMs = 10 * 60_000): Promise<string[]> {
  const removed: string[] = [];
  let repos: string[];
  try {
    repos = await readdir(root);
  } catch {
    return removed;
  }
  for (const key of repos) {
    const parent = join(root, key);
    let entries: string[];
    try {
      entries = await readdir(parent);
    } catch {
      continue;
    }
    for (const name of entries) {
      const path = join(parent, name);
      if (name.endsWith(OWNER_FILE)) {
        // a marker whose checkout is gone (or not made yet: then its owner is alive)
        if (entries.includes(name.slice(0, -OWNER_FILE.length))) continue;
        const { pid } = ownerOf(await readFile(path, 'utf8').catch(() => ''));
        if (pid && (pid === process.pid || pidAlive(pid))) continue;
        await rm(path, { force: true }).catch(() => undefined);
        continue;
      }
      // beside the checkout; inside it only in older versions
      let owner = ownerOf(await readFile(ownerPath(path), 'utf8').catch(() => ''));
      if (!owner.pid) owner = ownerOf(await readFile(join(path, OWNER_FILE), 'utf8').catch(() => ''));
      if (owner.pid === process.pid) continue;
      if (owner.pid && pidAlive(owner.pid)) continue;
      if (!owner.pid) {
        const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => Infinity);
        if (age < orphanAgeMs) continue;
      }
      if (!(await removeTree(path))) continue;
      await rm(ownerPath(path), { force: true }).catch(() => undefined);
      removed.push(path);
    }
    await rmdir(parent).catch(() => undefined);
  }
  return removed;
}

/**
 * Older Rover versions registered their checkouts in the user's .git/worktrees. Drops those
 * registrations whose folder (under Rover's temp folder) is gone; the user's own worktrees are never
 * touched, even when their folder is missing (a disk not mounted is not a stale worktree).
 */
export async function dropStaleRegistrations(repoRoot: string, root: string): Promise<number> {
  const admin = join(await gitCommonDir(repoRoot), 'worktrees');
  let names: string[];
  try {
    names = await readdir(admin);
  } catch {
    return 0;
  }
  let n = 0;
  const rootAbs = resolve(root);
  for (const name of names) {
    const gitdir = (await readFile(join(admin, name, 'gitdir'), 'utf8').catch(() => '')).trim();
    if (!gitdir || !resolve(gitdir).startsWith(rootAbs + '/')) continue;
    const wt = dirname(resolve(gitdir));
    if (existsSync(wt)) continue;
    await rm(join(admin, name), { recursive: true, force: true });
    n++;
  }
  return n;
}

/**
 * Removes what a Rover process that died (crash, kill -9) left for this repository: its checkouts
 * and their old-style registrations. Call on start. Returns the removed paths.
 */
export async function cleanupStaleCheckouts(repoDir: string, parentDir?: string): Promise<string[]> {
  const repoRoot = await repoTop(repoDir);
  const removed = await sweepCheckouts(checkoutsRoot(parentDir));
  // a legacy registered worktree is a folder with a .git file; its registration goes with it
  await dropStaleRegistrations(repoRoot, checkoutsRoot(parentDir)).catch(() => 0);
  return removed.filter((p) => p.startsWith(checkoutsParent(repoRoot, parentDir) + '/'));
}

/** Rover checkouts that currently exist for this repository (for tests and diagnostics). */
export async function listRoverCheckouts(repoDir: string, parentDir?: string): Promise<string[]> {
  const repoRoot = await repoTop(repoDir);
  const parent = checkoutsParent(repoRoot, parentDir);
  let names: string[] = [];
  try {
    names = await readdir(parent);
  } catch {
    names = [];
  }
  const found = names.filter((n) => !n.endsWith(OWNER_FILE)).map((n) => join(parent, n));
  // and registrations an older version left in the user's repository
  const out = (await git(repoRoot, ['worktree', 'list', '--porcelain'])).stdout;
  for (const l of out.split('\n')) {
    const p = l.startsWith('worktree ') ? l.slice('worktree '.length) : '';
    if (p.startsWith(parent + '/') && !found.includes(p)) found.push(p);
  }
  return found.sort();
}
