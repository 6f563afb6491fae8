// What a tool answer holds: budgeted text for the agent's model and, beside it, the structured
// content a client program reads. Both are capped; every cap is said in the text, never silent.
import type { TestRunResult, TestStatus } from '../runner/types';
import type { ValidationDetails } from '../validate/validate-patch';

export interface ToolAnswer {
  text: string;
  structured: Record<string, unknown>;
  isError: boolean;
}

const CHARS_PER_TOKEN = 4;
/** Per-test rows and failures kept in structured content (a suite of 30,000 tests stays readable). */
export const MAX_ROWS = 2000;
const MAX_FAILURES = 50;
const MAX_MESSAGE = 2000;

export function errorAnswer(message: string, extra: Record<string, unknown> = {}): ToolAnswer {
  return { text: message, structured: { error: message, ...extra }, isError: true };
}

/** Keeps the head of a long text and says how much was left out and where the rest is. */
export function capText(text: string, maxTokens: number): string {
  const max = Math.max(800, maxTokens * CHARS_PER_TOKEN);
  if (text.length <= max) return text;
  const note = `\n… output capped at ${max} characters (${text.length - max} more not shown; the structured content has every result).`;
  return text.slice(0, max - note.length) + note;
}

const cut = (s: string, n = MAX_MESSAGE) => (s.length > n ? `${s.slice(0, n)}… (${s.length - n} more characters)` : s);

function counts(results: Record<string, TestStatus>): Record<string, number> {
  const c: Record<string, number> = {};
  for (const s of Object.values(results)) c[s] = (c[s] ?? 0) + 1;
  return c;
}

function rows<T>(entries: [string, T][]): { kept: [string, T][]; dropped: number } {
  return { kept: entries.slice(0, MAX_ROWS), dropped: Math.max(0, entries.length - MAX_ROWS) };
}

/** One test run (run_tests): counts, failures with their messages, every result (capped). */
export function testRunAnswer(r: TestRunResult, maxTokens: number): ToolAnswer {
  const c = counts(r.results);
  const { kept, dropped } = rows(Object.entries(r.results).sort(([a], [b]) => (a < b ? -1 : 1)));
  const failures = r.failures.slice(0, MAX_FAILURES).map((f) => ({ ...f, message: cut(f.message) }));
  const lines = [
    `ran: ${r.command.join(' ')}  (${(r.durationMs / 1000).toFixed(1)} s, exit ${r.exitCode ?? 'none'})`,
    `results: ${Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ') || 'no test reported'}${r.timedOut ? ' — TIMED OUT (process group killed)' : ''}`,
  ];
  if (r.error) lines.push(`error: ${cut(r.error, 1000)}`);
  for (const f of failures) lines.push(`\nFAILED ${f.id}\n${f.message}`);
  if (r.failures.length > failures.length) lines.push(`\n${r.failures.length - failures.length} more failure(s) not shown`);
  const notPassed = kept.filter(([, s]) => s !== 'passed');
  if (notPassed.length) lines.push('', 'not passed:', ...notPassed.map(([id, s]) => `  ${s.padEnd(7)} ${id}`));
  if (!r.error && !Object.keys(r.results).length) lines.push(`output (end):\n${r.output.slice(-1500)}`);
  return {
    text: capText(lines.join('\n'), maxTokens),
    structured: {
      command: r.command, exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs, counts: c,
      results: Object.fromEntries(kept), ...(dropped ? { resultsNotShown: dropped } : {}),
      failures, ...(r.error ? { error: r.error } : {}), ...(r.sandbox ? { sandbox: r.sandbox } : {}),
    },
    isError: false,
  };
}

/** A validation (validate_patch): the verdict first, then what changed per test. */
export function validationAnswer(r: ValidationDetails, maxTokens: number): ToolAnswer {
  const ids = [...new Set([...Object.keys(r.before.results), ...Object.keys(r.after.results)])].sort();
  const { kept, dropped } = rows(ids.map((id) => [id, { before: r.before.results[id] ?? null, after: r.after.results[id] ?? null }] as [string, { before: TestStatus | null; after: TestStatus | null }]));
  const old = new Set(r.alreadyFailing);
  const lines = [`verdict: ${r.verdict} — ${r.explanation}`];
  if (r.failToPass.length) lines.push(`fail→pass (${r.failToPass.length}): ${r.failToPass.join(', ')}`);
  if (r.passToFail.length) lines.push(`PASS→FAIL (${r.passToFail.length}): ${r.passToFail.join(', ')}`);
  if (r.alreadyFailing.length) lines.push(`failing before and after, not the patch's doing (${r.alreadyFailing.length}): ${r.alreadyFailing.join(', ')}`);
  if (r.runner) lines.push(`runner: ${r.runner.command.join(' ')}`);
  if (kept.length) {
    lines.push('test  before → after');
    for (const [id, s] of kept) {
      const tag = r.failToPass.includes(id) ? '  fail→pass' : r.passToFail.includes(id) ? '  PASS→FAIL' : old.has(id) ? '  failed before too' : '';
      lines.push(`  ${id}  ${s.before ?? '-'} → ${s.after ?? '-'}${tag}`);
    }
    if (dropped) lines.push(`  … ${dropped} more test(s)`);
  }
  for (const [label, t] of [['before', r.before], ['after', r.after]] as const) if (t.error) lines.push(`${label}: ${cut(t.error, 1000)}`);
  const newFailures = r.after.failures.filter((f) => r.passToFail.includes(f.id) || (!old.has(f.id) && r.stillFailing.includes(f.id)));
  for (const f of newFailures.slice(0, 10)) lines.push(`\nafter the patch, FAILED ${f.id}\n${cut(f.message)}`);
  const slim = (t: TestRunResult) => ({ command: t.command, exitCode: t.exitCode, timedOut: t.timedOut, durationMs: t.durationMs, error: t.error, failures: t.failures.slice(0, MAX_FAILURES).map((f) => ({ ...f, message: cut(f.message) })) });
  return {
    text: capText(lines.join('\n'), maxTokens),
    structured: {
      verdict: r.verdict, explanation: r.explanation, failToPass: r.failToPass, passToFail: r.passToFail, stillFailing: r.stillFailing,
      alreadyFailing: r.alreadyFailing, tests: Object.fromEntries(kept), ...(dropped ? { testsNotShown: dropped } : {}),
      appliedWith: r.appliedWith, durationMs: r.durationMs, sandbox: r.after.sandbox ?? r.before.sandbox, before: slim(r.before), after: slim(r.after),
    },
    isError: false,
  };
}
