// TAP, the one parser for every runner that prints it (node's tap reporter, mocha's, prove, ...):
// "ok N [- ]title [# SKIP|TODO ...]" and "not ok N ...". node's runner nests subtests (4 spaces a
// level) and prints each subtest before its parent; titles join with " > " (`outer > inner`). node
// escapes "\", "#" and newlines in titles: they are undone, so an id is the test's real name.
// Validation reads every entry (parents too); localization, which measures tests one by one, reads
// the leaves.
import type { TestFailure, TestStatus } from '../types';
import type { ParsedResults } from './types';

export interface TapTest {
  /** Titles from the outermost suite down, joined with " > ". */
  id: string;
  status: TestStatus;
  /** It has subtests (node prints a parent's verdict after them). */
  parent: boolean;
  /** The lines after a "not ok" (node's YAML block up to "...", or an indented message). */
  text: string;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/** A title as node's TAP reporter escaped it (\\, \#, \n, ...) back to the title the test has. */
export function tapUnescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

const TEST_LINE = /^(\s*)(not ok|ok) \d+\b ?(.*)$/;

export function parseTapTests(output: string, opts: { keepDash?: boolean } = {}): TapTest[] {
  const lines = output.split(/\r?\n/);
  const entries: { indent: number; title: string; status: TestStatus; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = TEST_LINE.exec(lines[i]);
    if (!m) continue;
    let title = opts.keepDash ? m[3] : m[3].replace(/^-\s+/, '');
    let status: TestStatus = m[2] === 'ok' ? 'passed' : 'failed';
    const dir = /\s#\s*(SKIP|TODO)\b.*$/i.exec(title);
    if (dir) {
      title = title.slice(0, dir.index);
      status = dir[1].toUpperCase() === 'SKIP' ? 'skipped' : status === 'passed' ? 'xpass' : 'xfail';
    }
    let text = '';
    if (m[2] === 'not ok') {
      const block: string[] = [];
      for (let j = i + 1; j < lines.length && block.length < 200 && !/^\s*\.\.\.\s*$/.test(lines[j]) && !TEST_LINE.test(lines[j]) && !/^\s*# Subtest: /.test(lines[j]); j++) block.push(lines[j]);
      text = block.join('\n');
    }
    entries.push({ indent: m[1].length, title: tapUnescape(title.trim()), status, text });
  }
  // a parent comes after its subtests, one level out: walk backwards keeping the open parents
  const out: TapTest[] = [];
  const stack: { indent: number; title: string }[] = [];
  for (let k = entries.length - 1; k >= 0; k--) {
    const e = entries[k];
    while (stack.length && stack[stack.length - 1].indent >= e.indent) stack.pop();
    const parent = k > 0 && entries[k - 1].indent > e.indent;
    out.push({ id: [...stack.map((s) => s.title), e.title].join(' > '), status: e.status, parent, text: e.text });
    stack.push({ indent: e.indent, title: e.title });
  }
  return out.reverse();
}

/** Per-test results; a title seen twice passes only if every occurrence passes. */
export function parseTap(output: string, opts: { keepDash?: boolean } = {}): ParsedResults {
  const results: Record<string, TestStatus> = {};
  const failures: TestFailure[] = [];
  for (const t of parseTapTests(output, opts)) {
    if (results[t.id] === 'failed') continue;
    results[t.id] = t.status;
    if (t.status === 'failed') {
      const message = t.text.split('\n').map((l) => l.trim()).filter((l) => l && l !== '---').slice(0, 12).join('\n');
      failures.push({ id: t.id, message: message || 'not ok' });
    }
  }
  return { results, failures };
}
