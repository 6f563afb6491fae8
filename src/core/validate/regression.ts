// Which existing tests guard a change? Two sources, configurable:
//  - coverage: tests whose covered lines (from the localizer's per-test coverage, "file:line")
//    touch the lines the patch edits (or the edited functions' spans when given);
//  - imports: test files that import an edited module (static scan: Python `import a.b` /
//    `from a.b import c` / `from a import b`; JS/TS require()/import of a relative path), or are
//    named after one (test_config.py for config.py: packages whose tests import only the top-level
//    package, as flask's `import flask` does, name their test files after the module instead).
import { readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import fg from 'fast-glob';
import { isTestFile, TEST_FILE_GLOBS, TEST_SEARCH_IGNORE } from '../runner/test-files';
import { parsePatch } from 'diff';

export type CoverageInput = Map<string, Iterable<string>> | Record<string, Iterable<string>>;

export interface RegressionSelectionOptions {
  repo: string;
  /** The candidate diff; its files and old-side line ranges are what changed. */
  diff: string;
  coverage?: CoverageInput;
  /** Spans of the edited functions (1-based, inclusive), widening line-level coverage matching. */
  editedSpans?: { file: string; startLine: number; endLine: number }[];
  mode?: 'coverage' | 'imports' | 'both';
  /** Glob patterns for test files (default: common Python/JS/TS layouts). */
  testGlobs?: string[];
  /** Upper bound on selected test files (default 50). */
  maxFiles?: number;
}

export interface RegressionSelection {
  /** Exact test ids (from coverage). */
  tests: string[];
  /** Test files to run (covers both sources; usable as '{tests}' arguments). */
  files: string[];
  reason: string;
}

export interface ChangedFile {
  file: string;
  /** Old-side line ranges touched by hunks (1-based, inclusive). */
  ranges: [number, number][];
  isNew: boolean;
}

export function changedFiles(diff: string): ChangedFile[] {
  const out: ChangedFile[] = [];
  for (const p of parsePatch(diff)) {
    const strip = (n?: string) => (n && n !== '/dev/null' ? n.replace(/^[ab]\//, '') : undefined);
    const file = strip(p.newFileName) ?? strip(p.oldFileName);
    if (!file) continue;
    out.push({
      file,
      isNew: p.oldFileName === '/dev/null',
      ranges: p.hunks.map((h) => [h.oldStart, h.oldStart + Math.max(h.oldLines, 1) - 1] as [number, number]),
    });
  }
  return out;
}

function entries(cov: CoverageInput): [string, Iterable<string>][] {
  return cov instanceof Map ? [...cov.entries()] : Object.entries(cov);
}

export async function selectRegressionTests(opts: RegressionSelectionOptions): Promise<RegressionSelection> {
  const mode = opts.mode ?? 'both';
  const changed = changedFiles(opts.diff).filter((c) => !c.isNew);
  const tests = new Set<string>();
  const files = new Set<string>();
  const why: string[] = [];
  if (opts.coverage && mode !== 'imports') {
    const spans = new Map<string, [number, number][]>();
    for (const c of changed) spans.set(c.file, [...c.ranges]);
    for (const s of opts.editedSpans ?? []) spans.set(s.file, [...(spans.get(s.file) ?? []), [s.startLine, s.endLine]]);
    for (const [id, lines] of entries(opts.coverage)) {
      for (const fl of lines) {
        const k = fl.lastIndexOf(':');
        const f = fl.slice(0, k);
        const n = Number(fl.slice(k + 1));
        if ((spans.get(f) ?? []).some(([a, b]) => n >= a && n <= b)) {
          tests.add(id);
          files.add(id.split('::')[0]);
          break;
        }
      }
    }
    why.push(`${tests.size} test(s) cover the edited lines`);
  }
  if (mode !== 'coverage') {
    const testFiles = (await fg(opts.testGlobs ?? TEST_FILE_GLOBS, { cwd: opts.repo, ignore: TEST_SEARCH_IGNORE, onlyFiles: true, dot: false })).filter(isTestFile);
    let n = 0;
    for (const tf of testFiles.sort()) {
      if (files.has(tf)) continue;
      let text: string;
      try {
        text = await readFile(join(opts.repo, tf), 'utf8');
      } catch {
        continue;
      }
      if (changed.some((c) => c.file === tf || imports(tf, text, c.file) || namedAfter(tf, c.file))) {
        files.add(tf);
        n++;
      }
    }
    why.push(`${n} test file(s) import an edited module or are named after one`);
  }
  const max = opts.maxFiles ?? 50;
  const fileList = [...files].sort().slice(0, max);
  return { tests: [...tests].sort(), files: fileList, reason: why.join('; ') + (files.size > max ? ` (capped at ${max} files)` : '') };
}

const SOURCE_EXT = /\.(py|(c|m)?(j|t)sx?)$/;

/** Is test file `tf` named after the module at `target`: test_x.py, x_test.py, unittest_x.py, x.test.ts, test/x.js? */
export function namedAfter(tf: string, target: string): boolean {
  const lang = (p: string) => (p.endsWith('.py') ? 'py' : SOURCE_EXT.test(p) ? 'js' : undefined);
  if (!lang(target) || lang(tf) !== lang(target)) return false;
  const stem = (p: string) => posix.basename(p).replace(SOURCE_EXT, '');
  let mod = stem(target);
  if (mod === '__init__' || mod === 'index') mod = posix.basename(posix.dirname(target));
  if (!mod || mod === '.') return false;
  const t = stem(tf);
  if ([`test_${mod}`, `${mod}_test`, `unittest_${mod}`, `${mod}.test`, `${mod}.spec`].includes(t)) return true;
  // mocha's convention (test/router.js); a bare-named .py under tests/ is as often a helper or lint input
  return lang(tf) === 'js' && t === mod && tf !== target && /(^|\/)(tests?|__tests__)\//.test(tf);
}

/** Does test file `tf` (text) import the module at `target` (repo-relative path)? */
export function imports(tf: string, text: string, target: string): boolean {
  if (/\.py$/.test(target)) {
    const mod = target.replace(/\.py$/, '').replace(/\/__init__$/, '').replace(/^(src|lib)\//, '').split('/');
    const dotted = mod.join('.');
    const parent = mod.slice(0, -1).join('.');
    const leaf = mod[mod.length - 1];
    const esc = (s: string) => s.replace(/\./g, '\\.');
    if (new RegExp(`^\\s*(from\\s+${esc(dotted)}(\\.|\\s)|import\\s+${esc(dotted)}\\b)`, 'm').test(text)) return true;
    if (parent && new RegExp(`^\\s*from\\s+${esc(parent)}\\s+import\\s+[^\\n]*\\b${leaf}\\b`, 'm').test(text)) return true;
    return false;
  }
  if (/\.(c|m)?(j|t)sx?$/.test(target)) {
    const noExt = target.replace(/\.(c|m)?(j|t)sx?$/, '').replace(/\/index$/, '');
    for (const m of text.matchAll(/(?:require\(\s*|from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const resolved = posix.normalize(posix.join(dirname(tf).split('\\').join('/'), m[1])).replace(/\.(c|m)?(j|t)sx?$/, '').replace(/\/index$/, '');
      if (resolved === noExt) return true;
    }
  }
  return false;
}
