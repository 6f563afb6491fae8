// Which copy of the project do the tests import? `python -m pytest` puts the run directory first on
// sys.path, which is enough for a flat layout. A src layout (the package in src/) is imported from
// wherever it is installed: with `pip install -e .` from the user's folder (a .pth line naming
// <repo>/src, or setuptools' __editable__ finder mapping packages to it), else from site-packages or
// a Debian package of the same name. Tests run in a worktree would then test the user's files or an
// installed release instead of the worktree's: localize measures "no code of the project", validate
// judges the unpatched code. The folders found here go first on PYTHONPATH as the worktree's copies,
// ahead of site-packages and of any finder appended to sys.meta_path.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/** site-packages folders of the environment `python` runs in (a venv's own, else the user's and /usr/local's). */
function siteDirs(python: string): string[] {
  const out: string[] = [];
  const add = (libDir: string, leaf: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(libDir).filter((n) => /^python3(\.\d+)?$/.test(n));
    } catch {
      return;
    }
    for (const n of names) if (existsSync(join(libDir, n, leaf))) out.push(join(libDir, n, leaf));
  };
  const venv = isAbsolute(python) ? dirname(dirname(python)) : undefined;
  if (venv && existsSync(join(venv, 'pyvenv.cfg'))) add(join(venv, 'lib'), 'site-packages');
  else {
    add(join(homedir(), '.local', 'lib'), 'site-packages');
    add('/usr/local/lib', 'dist-packages');
  }
  return out;
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Folders inside `repoDir` (relative, '.' for the root) that an editable install puts on sys.path. */
export function editableSourceDirs(repoDir: string, python: string): string[] {
  const root = real(repoDir);
  if (!root) return [];
  const found = new Set<string>();
  const inside = (p: string) => {
    const r = real(p.trim());
    if (!r) return;
    const rel = relative(root, r);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) found.add(rel === '' ? '.' : rel.split(sep).join('/'));
  };
  for (const site of siteDirs(python)) {
    let names: string[];
    try {
      names = readdirSync(site);
    } catch {
      continue;
    }
    for (const n of names) {
      let text: string;
      try {
        if (!n.endsWith('.pth') && !/^__editable__.*_finder\.py$/.test(n)) continue;
        text = readFileSync(join(site, n), 'utf8');
      } catch {
        continue;
      }
      if (n.endsWith('.pth')) {
        // a path line is added to sys.path; "import ..." lines run code (the finder's installer)
        for (const line of text.split('\n')) if (line.trim() && !/^\s*(import|#)/.test(line)) inside(line);
        continue;
      }
      // MAPPING: dict = {'calc': '/home/me/calc/src/calc', ...}: the folder holding each package
      const mapping = /MAPPING\s*(?::[^=]*)?=\s*(\{[^}]*\})/.exec(text)?.[1] ?? '';
      for (const m of mapping.matchAll(/'[^']*'\s*:\s*'([^']+)'|"[^"]*"\s*:\s*"([^"]+)"/g)) inside(dirname(m[1] ?? m[2]));
    }
  }
  return [...found].sort();
}

/** `src` when the project keeps its packages in src/ (a package folder or module there, src itself no package). */
export function srcLayoutDirs(repoDir: string): string[] {
  const src = join(repoDir, 'src');
  if (!existsSync(src) || existsSync(join(src, '__init__.py'))) return [];
  let names: string[];
  try {
    names = readdirSync(src);
  } catch {
    return [];
  }
  return names.some((n) => n.endsWith('.py') || existsSync(join(src, n, '__init__.py'))) ? ['src'] : [];
}

