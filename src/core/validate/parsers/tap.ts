// TAP (mocha's tap reporter, node's tap reporter, prove, ...): "ok N [- ]title [# SKIP|TODO ...]"
// and "not ok N ...". Indented lines belong to subtests (node's runner nests them); their titles
// are joined with " > ". A title seen twice passes only if every occurrence passes.
import type { TestFailure, TestStatus } from '../types';
import type { ParsedResults } from './types';

const LINE = /^(\s*)(not ok|ok)\s+\d+\s+(?:-\s+)?(.*)$/;

export function parseTap(output: string, opts: { keepDash?: boolean } = {}): ParsedResults {
  const results: Record<string, TestStatus> = {};
  const failures: TestFailure[] = [];
  const lines = output.split('\n');
  // node's tap: "# Subtest: name" opens a level (indent 4 per level)
  const stack: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (sub) {
      const level = Math.floor(sub[1].length / 4);
      stack.length = level;
      stack[level] = sub[2];
      continue;
    }
    const m = opts.keepDash ? /^(\s*)(not ok|ok) \d+ (.*)$/.exec(line) : LINE.exec(line);
    if (!m) continue;
    const level = Math.floor(m[1].length / 4);
    let title = m[3];
    let status: TestStatus = m[2] === 'ok' ? 'passed' : 'failed';
    const dir = /\s#\s*(SKIP|TODO)\b.*$/i.exec(title);
    if (dir) {
      title = title.slice(0, dir.index);
      status = dir[1].toUpperCase() === 'SKIP' ? 'skipped' : status === 'passed' ? 'xpass' : 'xfail';
    } else if (title.endsWith(' # SKIP -')) {
      title = title.slice(0, -' # SKIP -'.length);
      status = 'skipped';
    }
    const id = [...stack.slice(0, level), title.replace(/^\s+/, '')].join(' > ');
    if (results[id] === 'failed') continue;
    results[id] = status;
    if (status === 'failed') {
      const msg: string[] = [];
      for (let j = i + 1; j < lines.length && j < i + 12 && /^\s+\S/.test(lines[j]) && !LINE.test(lines[j]); j++) msg.push(lines[j].trim());
      failures.push({ id, message: msg.join('\n') || 'not ok' });
    }
    stack.length = level;
  }
  return { results, failures };
}
