// `pip install -e .` makes the environment import the project from the user's folder (a .pth line
// naming <repo>/src, or setuptools' __editable__ finder mapping packages to it), so tests run in a
// worktree would test the user's files instead of the worktree's: localize measures "no code of
// the project", validate judges the unpatched code. The folders such an install points at inside
// the repository are found here; the runner puts the worktree's copies of them first on PYTHONPATH,
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
