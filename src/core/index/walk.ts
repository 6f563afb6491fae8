// Finds the files to index: source files with a known language, minus .gitignore'd paths (nested
// .gitignore files included), the caller's exclude list and generated/vendored folders. A symbolic
// link is never followed out of the workspace: what the index holds is shown to a model, and a
// committed `lib -> ../../secrets` (or a prompt injection naming one) must not carry files the user
// never meant to share into a prompt. Links to folders inside are not followed either (their files
// are indexed where they really are); a link back into an ancestor is reported as a loop.
import { statSync, type Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import ignore, { type Ignore } from 'ignore';
import { languageForPath } from './languages';
import type { IndexWarning, Lang } from './types';

export const DEFAULT_EXCLUDED_DIRS = [
  'node_modules',
  'bower_components',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'build',
  'out',
  'venv',
  '.venv',
  'env.bak',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.eggs',
  'site-packages',
  'target',
  'vendor',
  '.rover',
  '.next',
  '.nuxt',
  '.gradle',
  '.idea',
  '.vscode-test',
  'coverage',
];

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export interface WalkEntry {
  rel: string;
  abs: string;
  lang: Lang;
  size: number;
  mtimeMs: number;
}

export interface WalkOptions {
  exclude?: string[];
  maxFileBytes?: number;
}

interface Rules {
  /** Folder (relative to root, '' for root) the .gitignore lives in. */
  base: string;
  ig: Ignore;
}

/** Decides whether a relative path is excluded; kept after a walk so updateFile can ask too. */
export class ExcludeRules {
  private readonly fixed: Ignore;
  private readonly gitignores = new Map<string, Ignore>();

  constructor(exclude: string[] = []) {
    this.fixed = ignore().add(DEFAULT_EXCLUDED_DIRS.map((d) => `${d}/`)).add(exclude);
  }

  addGitignore(base: string, content: string): void {
    this.gitignores.set(base, ignore().add(content));
  }

  hasGitignore(base: string): boolean {
    return this.gitignores.has(base);
  }

  /** `rel` uses forward slashes; directories end with '/'. */
  excluded(rel: string): boolean {
    if (this.fixed.ignores(rel)) return true;
    // the deepest .gitignore with an opinion wins, as in git
    let verdict = false;
    for (const r of this.chain(rel)) {
      const sub = r.base ? rel.slice(r.base.length + 1) : rel;
      if (!sub) continue;
      const t = r.ig.test(sub);
      if (t.ignored) verdict = true;
      else if (t.unignored) verdict = false;
    }
    return verdict;
  }

  private chain(rel: string): Rules[] {
    const out: Rules[] = [];
    const root = this.gitignores.get('');
    if (root) out.push({ base: '', ig: root });
    let i = rel.indexOf('/');
    while (i !== -1 && i < rel.length - 1) {
      const base = rel.slice(0, i);
      const ig = this.gitignores.get(base);
      if (ig) out.push({ base, ig });
      i = rel.indexOf('/', i + 1);
    }
    return out;
  }
}

export interface WalkResult {
  entries: WalkEntry[];
  rules: ExcludeRules;
}

export async function walkWorkspace(root: string, opts: WalkOptions, warn: (w: IndexWarning) => void): Promise<WalkResult> {
  const rules = new ExcludeRules(opts.exclude);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const entries: WalkEntry[] = [];
  const rootReal = await realpath(root);

  const visitDir = async (relDir: string, absDir: string, realDir: string): Promise<void> => {
    let dirents: Dirent[];
    try {
      dirents = await readdir(absDir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (relDir && code !== 'ENOENT') {
        warn({ path: relDir, reason: 'unreadable', message: `cannot read folder (${code}); skipped` });
      }
      if (!relDir) throw e;
      return;
    }
    if (dirents.some((d) => d.name === '.gitignore' && !d.isDirectory())) {
      try {
        rules.addGitignore(relDir, await readFile(`${absDir}/.gitignore`, 'utf8'));
      } catch {
        // an unreadable .gitignore only means nothing extra is ignored
      }
    }
    const subdirs: Promise<void>[] = [];
    for (const d of dirents) {
      const rel = relDir ? `${relDir}/${d.name}` : d.name;
      const abs = `${absDir}/${d.name}`;
      if (d.isDirectory()) {
        if (rules.excluded(rel + '/')) continue;
        subdirs.push(visitDir(rel, abs, `${realDir}/${d.name}`));
      } else if (d.isSymbolicLink()) {
        subdirs.push(visitLink(rel, abs, realDir));
      } else if (d.isFile()) {
        const lang = languageForPath(d.name);
        if (!lang || rules.excluded(rel)) continue;
        addFile(rel, abs, lang);
      }
    }
    await Promise.all(subdirs);
  };

  // Files are stat'ed synchronously: a promise per file costs far more than the syscall itself, and a
  // folder's worth of stats blocks for microseconds.
  const addFile = (rel: string, abs: string, lang: Lang, known?: { size: number; mtimeMs: number }) => {
    let st = known;
    if (!st) {
      try {
        st = statSync(abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') warn({ path: rel, reason: 'unreadable', message: `cannot stat file (${code}); skipped` });
        return;
      }
    }
    if (st.size > maxBytes) {
      warn({ path: rel, reason: 'too-large', message: `file is ${st.size} bytes, over the ${maxBytes}-byte limit; not indexed` });
      return;
    }
    entries.push({ rel, abs, lang, size: st.size, mtimeMs: st.mtimeMs });
  };

  const visitLink = async (rel: string, abs: string, realParent: string) => {
    let st;
    let real: string;
    try {
      st = await stat(abs);
      real = await realpath(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') warn({ path: rel, reason: 'symlink-loop', message: 'symbolic link refers to itself; skipped' });
      // a dangling link is ordinary in working trees: skip quietly
      return;
    }
    const inside = real === rootReal || real.startsWith(rootReal + '/');
    if (st.isFile()) {
      const lang = languageForPath(rel);
      if (!lang || rules.excluded(rel)) return;
      if (!inside) {
        warn({ path: rel, reason: 'symlink-outside', message: 'symbolic link to a file outside the workspace; not indexed (its content is not shown to the model)' });
        return;
      }
      addFile(rel, abs, lang, st);
      return;
    }
    if (!st.isDirectory() || rules.excluded(rel + '/')) return;
    if (realParent === real || realParent.startsWith(real + '/')) {
      warn({ path: rel, reason: 'symlink-loop', message: `symbolic link points back to ${real}, which contains it; not followed` });
      return;
    }
    if (!inside) {
      warn({ path: rel, reason: 'symlink-outside', message: 'symbolic link to a folder outside the workspace; not followed (its files are not shown to the model)' });
      return;
    }
    // a link to a folder inside the workspace would index the same files twice: they are indexed at their real place
  };

  await visitDir('', root, rootReal);
  entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { entries, rules };
}
