// pytest's short test summary (`-rA`): one line per test outcome, node id first.
//   PASSED tests/test_x.py::test_a
//   FAILED tests/test_x.py::test_b - AssertionError: ...
//   ERROR tests/test_x.py - ImportError ...        (collection error: the id is the file)
//   XFAIL tests/test_x.py::test_c - reason
//   SKIPPED [1] tests/test_x.py:12: reason           (no node id: not reported per test)
// The last line for an id wins, like SWE-bench's parser (a PASSED test whose teardown errors
// appears as PASSED then ERROR).
import type { TestFailure, TestStatus } from '../types';
import type { ParsedResults } from './types';

const STATUS: Record<string, TestStatus> = {
  PASSED: 'passed', FAILED: 'failed', ERROR: 'error', SKIPPED: 'skipped', XFAIL: 'xfail', XPASS: 'xpass',
};
const LINE = /^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (.+)$/;

export function parsePytestRA(output: string): ParsedResults {
  const results: Record<string, TestStatus> = {};
  const failures: TestFailure[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = LINE.exec(line);
    if (!m) continue;
    const status = STATUS[m[1]];
    let rest = m[2];
    if (status === 'skipped' && rest.startsWith('[')) continue;
    let message = '';
    const dash = rest.indexOf(' - ');
    // node ids contain " - " only inside [params]; cut at the first " - " outside brackets
    if (dash >= 0) {
      let depth = 0;
      for (let i = 0; i < rest.length; i++) {
        const c = rest[i];
        if (c === '[') depth++;
        else if (c === ']') depth = Math.max(0, depth - 1);
        else if (depth === 0 && rest.startsWith(' - ', i)) {
          message = rest.slice(i + 3);
          rest = rest.slice(0, i);
          break;
        }
      }
    }
    const id = rest.trim();
    if (!id || !(id.includes('::') || /\.py$/.test(id))) continue;
    results[id] = status;
    if (status === 'failed' || status === 'error') {
      // pytest cuts summary lines to the terminal width ("FAILED t.py::test - ..."); the traceback
      // section's "E   " lines hold the whole message
      if (!message || message.endsWith('...')) message = sectionErrors(output, id) || message;
      failures.push({ id, message: message || m[1], ...locate(output, id) });
    }
  }
  return { results, failures };
}

/** The "E   ..." lines of a test's failure section (pytest's long traceback), joined. */
function sectionErrors(output: string, id: string): string {
  const name = id.split('::').slice(1).join('.').replace(/\[.*$/, '').split('.').pop();
  if (!name) return '';
  const header = new RegExp(`^_+ \\S*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\[.*\\])? _+$`, 'm').exec(output);
  if (!header) return '';
  const rest = output.slice(header.index + header[0].length);
  const end = rest.search(/^(_+ \S.* _+|=+ .* =+)$/m);
  const section = end >= 0 ? rest.slice(0, end) : rest.slice(0, 20000);
  return section.split('\n').filter((l) => l.startsWith('E ')).map((l) => l.slice(1).trim()).slice(0, 12).join('\n');
}

/** The "path:line: Error" pytest prints at the end of a failure's traceback section. */
function locate(output: string, id: string): { file?: string; line?: number } {
  const file = id.split('::')[0];
  const name = id.split('::').slice(1).join('.').replace(/\[.*$/, '');
  const header = output.indexOf(`_ ${name.split('.').pop()}`);
  if (header < 0) return { file };
  const section = output.slice(header, header + 20000);
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${esc}:(\\d+): `, 'm').exec(section);
  return m ? { file, line: Number(m[1]) } : { file };
}
