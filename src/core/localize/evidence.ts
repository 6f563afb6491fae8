// Tie-breakers: what the issue text and the failing tests' tracebacks say about where the bug is.
import { isAbsolute, relative } from 'node:path';
import { isTestCode } from '../runner/test-files';

/**
 * Test-support modules: code that exists to run and check tests (pytest's pytester, pylint's
 * testutils). Their failure paths run only when a test fails, so they score like a bug; they stay in
 * the list (they can hold a bug too) but after every other function.
 */
export function isTestSupportPath(rel: string): boolean {
  return /(^|\/)(pytester\w*|testutils|test_utils|testing_utils)(\/|\.[cm]?[jt]sx?$|\.py$)/.test(rel.replace(/\\/g, '/'));
}

// folders that say "tests live here" and nothing about what they test
const GENERIC_DIRS = new Set(['tests', 'test', 'testing', 'src', 'lib', '__tests__', 'spec', 'specs', 'unit', 'integration', 'functional', 'acceptance', 'e2e']);

function stemOf(file: string): string {
  const base = (file.split('/').pop() ?? file).toLowerCase();
  return base.replace(/\.[^.]+$/, '').replace(/\.(test|spec)$/, '');
}

const slashed = (p: string) => p.replace(/\\/g, '/');

/**
 * How a source file's name matches the failing tests' files by the usual naming conventions:
 * 2 = the same name once the test marker is gone (test_config.py, config.test.ts -> config.py/.ts;
 * a package's __init__.py or index.js goes by its folder), 1 = a looser match (res.send.js ->
 * response.js, logging/test_reporting.py -> logging.py, test_assertrewrite.py -> rewrite.py), 0 = none.
 */
export function testNameMatch(file: string, testFiles: readonly string[]): 0 | 1 | 2 {
  const parts = slashed(file).split('/');
  const literal = stemOf(parts[parts.length - 1]);
  // a package's __init__.py / index.js also goes by its folder's name
  const names = [literal];
  if ((literal === '__init__' || literal === 'index' || literal === 'mod') && parts.length > 1) names.push(parts[parts.length - 2].toLowerCase());
  let best: 0 | 1 | 2 = 0;
  for (const t of testFiles) {
    const tparts = slashed(t).split('/');
    const stem = stemOf(tparts[tparts.length - 1]).replace(/^(test_|unittest_|tests?_)|(_tests?)$/g, '');
    if (names.includes(stem)) return 2;
    const words = new Set(stem.split(/[_.-]/).filter((w) => w.length >= 3));
    // folders say what a test is about only inside the project (an absolute path names the machine's)
    if (!tparts[0].includes(':') && tparts[0] !== '') {
      for (const d of tparts.slice(0, -1)) if (d.length >= 3 && !GENERIC_DIRS.has(d.toLowerCase())) words.add(d.toLowerCase());
    }
    for (const src of names) {
      if (src.length < 2) continue;
      if (words.has(src) || [...words].some((w) => src.startsWith(w)) || (src.length >= 4 && stem.endsWith(src))) best = 1;
    }
  }
  return best;
}

/** Identifier-ish words of a text: whole identifiers plus their camelCase/snake_case parts, lower-cased. */
export function identifierTokens(text: string): { whole: Set<string>; parts: Set<string> } {
  const whole = new Set<string>();
  const parts = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const w = m[0];
    if (w.length < 3) continue;
    whole.add(w.toLowerCase());
    for (const p of splitIdentifier(w)) parts.add(p);
  }
  return { whole, parts };
}

const STOP = new Set(['the', 'and', 'for', 'not', 'with', 'this', 'that', 'from', 'get', 'set', 'self', 'init', 'none', 'true', 'false', 'return', 'def', 'class', 'test', 'tests', 'py', 'js', 'ts']);

export function splitIdentifier(w: string): string[] {
  return w
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((s) => s.toLowerCase())
    .filter((s) => s.length >= 3 && !STOP.has(s));
}

export interface IssueTokens {
  whole: Set<string>;
  parts: Set<string>;
}

/**
 * How strongly the issue names this function: its own name verbatim counts most, then its class,
 * then its file's stem, then shared identifier parts (a fraction, so long names are not favoured).
 */
export function issueSimilarity(issue: IssueTokens | undefined, loc: { method?: string; className?: string; file: string }): number {
  if (!issue || (issue.whole.size === 0 && issue.parts.size === 0)) return 0;
  let s = 0;
  const m = loc.method?.toLowerCase();
  if (m && m.length >= 3 && issue.whole.has(m)) s += 4;
  // dunder/underscore prefixed names: `_print_sinc` is named by `sinc` in an issue
  if (m && m.startsWith('_')) {
    const stripped = m.replace(/^_+(print_|eval_)?/, '').replace(/_+$/, '');
    if (stripped.length >= 3 && stripped !== m && issue.whole.has(stripped)) s += 2;
  }
  const c = loc.className?.toLowerCase();
  if (c && issue.whole.has(c)) s += 2;
  const stem = (loc.file.split('/').pop() ?? '').replace(/\.[^.]+$/, '').toLowerCase();
  if (stem.length >= 3 && issue.whole.has(stem)) s += 1;
  const own = new Set([...splitIdentifier(loc.method ?? ''), ...splitIdentifier(loc.className ?? '')]);
  if (own.size > 0) {
    let hit = 0;
    for (const p of own) if (issue.parts.has(p)) hit++;
    s += hit / own.size;
  }
  return s;
}

export interface StackFrame {
  file: string;
  line: number;
  /** 0 = innermost (where the exception was raised). */
  depth: number;
}

/**
 * file:line frames of a failure text, innermost first, with paths made relative to the run dir
 * (the worktree) and kept only when they fall inside it. Understands Python tracebacks
 * (`File "x.py", line 3`), pytest's long repr (`x.py:3: in f`, `x.py:3: AssertionError`) and
 * V8 stacks (`at f (x.js:3:7)`).
 */
export function stackFrames(text: string, roots: string[]): StackFrame[] {
  const raw: { file: string; line: number; order: number }[] = [];
  let pyOrder = 0;
  const add = (file: string, line: number, innermostFirst: boolean) => {
    const rel = relativeTo(file, roots);
    if (rel === undefined) return;
    raw.push({ file: rel, line, order: innermostFirst ? -1 - raw.length : pyOrder++ });
  };
  const lines = text.split(/\r?\n/);
  for (const l of lines) {
    let m = /File "([^"]+)", line (\d+)/.exec(l);
    if (m) {
      add(m[1], Number(m[2]), false);
      continue;
    }
    m = /^([^\s:][^:]*\.py):(\d+):/.exec(l);
    if (m) {
      add(m[1], Number(m[2]), false);
      continue;
    }
    m = /\bat (?:.*? \()?(?:file:\/\/)?([^\s()]+\.[cm]?[jt]sx?):(\d+):\d+\)?/.exec(l);
    if (m) add(m[1], Number(m[2]), true);
  }
  // Python prints outermost first, V8 innermost first; normalise to innermost first
  const py = raw.filter((r) => r.order >= 0).sort((a, b) => b.order - a.order);
  const js = raw.filter((r) => r.order < 0).sort((a, b) => b.order - a.order);
  return [...py, ...js].map((r, i) => ({ file: r.file, line: r.line, depth: i }));
}

function relativeTo(file: string, roots: string[]): string | undefined {
  const f = file.replace(/\\/g, '/');
  if (!isAbsolute(f)) return f.replace(/^\.\//, '');
  for (const r of roots) {
    const rel = relative(r, f).replace(/\\/g, '/');
    if (!rel.startsWith('..') && !isAbsolute(rel)) return rel;
  }
  return undefined;
}

/** A frame of a traceback quoted in an issue: paths are the reporter's, so only names are reliable. */
export interface IssueFrame {
  path: string;
  name: string;
}

/**
 * Frames of the tracebacks pasted into an issue, innermost first, test files left out. Understands
 * Python (`File "x.py", line 3, in f`), pytest (`x.py:3: in f`) and V8 (`at A.f (x.js:3:7)`).
 */
export function issueFrames(text: string): IssueFrame[] {
  const py: IssueFrame[] = [];
  const js: IssueFrame[] = [];
  for (const l of text.split(/\r?\n/)) {
    const m = /File "([^"]+)", line \d+, in ([\w<>.]+)/.exec(l) ?? /^\s*([^\s:][^:]*\.py):\d+:? in ([\w<>.]+)/.exec(l);
    if (m) {
      py.push({ path: m[1].replace(/\\/g, '/'), name: m[2] });
      continue;
    }
    const j = /\bat (?:new )?([\w$.<>]+) \((?:file:\/\/)?([^\s()]+\.[cm]?[jt]sx?):\d+:\d+\)/.exec(l);
    if (j) js.push({ path: j[2], name: j[1].split('.').pop() ?? j[1] });
  }
  // Python prints the innermost frame last, V8 first
  return [...py.reverse(), ...js].filter((f) => !isTestCode(f.path));
}

/**
 * How close to the raise point of an issue's traceback this function is: 1 for the innermost
 * frame, 1/2 for the next, ...; 0 when it is not in a traceback. A frame matches by function name
 * and by the file's name at the end of the reporter's path.
 */
export function issueTraceScore(frames: readonly IssueFrame[], loc: { method?: string; file: string }): number {
  if (!loc.method) return 0;
  const base = loc.file.split('/').pop();
  for (let k = 0; k < frames.length; k++) {
    const f = frames[k];
    if (f.name === loc.method && (f.path === loc.file || f.path.endsWith('/' + loc.file) || f.path.split('/').pop() === base)) return 1 / (1 + k);
  }
  return 0;
}

// words an issue is written in that say nothing about code (BM25's IDF is computed over the few
// hundred candidates only, so common English would otherwise count)
const PROSE = new Set(['when', 'what', 'which', 'can', 'will', 'would', 'should', 'could', 'there', 'their', 'then', 'than', 'also', 'but', 'have', 'has', 'had', 'was', 'were', 'are', 'been', 'does', 'did', 'var', 'let', 'const', 'function', 'new']);

/** The identifier parts of a text with repeats (BM25 counts them), as splitIdentifier cuts them. */
export function codeTerms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) for (const p of splitIdentifier(m[0])) if (!PROSE.has(p)) out.push(p);
  return out;
}

/**
 * Okapi BM25 (k1 1.2, b 0.75) of the issue's words in each candidate's code, names, comments and
 * strings included, over the candidates as the corpus; scaled so the best candidate has 1. It finds
 * the function whose code handles what the issue talks about when its name does not say so.
 */
export function issueTextScores(issue: IssueTokens | undefined, docs: readonly string[][]): number[] {
  const query = issue ? [...issue.parts].filter((p) => !PROSE.has(p)) : [];
  if (query.length === 0 || docs.length === 0) return docs.map(() => 0);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const avg = docs.reduce((n, d) => n + d.length, 0) / docs.length || 1;
  const k1 = 1.2;
  const b = 0.75;
  const scores = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    let s = 0;
    for (const q of query) {
      const f = tf.get(q);
      if (!f) continue;
      const n = df.get(q)!;
      s += Math.log(1 + (docs.length - n + 0.5) / (n + 0.5)) * ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.length) / avg)));
    }
    return s;
  });
  const max = Math.max(...scores);
  return scores.map((s) => (max > 0 ? s / max : 0));
}
