// rover validate --repo DIR --patch FILE|- [--tests ID...] [--timeout S] [--command ARGV] [--no-uncommitted] [--json]
// Runs the project's tests before and after the patch in a worktree and prints the verdict.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, parse } from '../args';
import { onInterrupt } from '../../core/proc/cancel';
import { detectRunner, validatePatch, type TestStatus } from '../../core/validate';
import { sweepAtStart } from '../../core/validate/sweep-at-start';

const USAGE = 'validate --repo DIR --patch FILE|- [--tests ID ...] [--timeout SECONDS] [--command ARG ...] [--python PATH] [--no-uncommitted] [--json]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function cancelled(code: number): number {
  console.error('rover: cancelled');
  return code;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    repo: { type: 'string' },
    patch: { type: 'string' },
    tests: { type: 'string', multiple: true },
    timeout: { type: 'string' },
    command: { type: 'string', multiple: true },
    python: { type: 'string' },
    'no-uncommitted': { type: 'boolean' },
    json: { type: 'boolean' },
  }, USAGE);
  if (!values.repo) throw new CliError(`--repo is required\nusage: rover ${USAGE}`);
  if (!values.patch) throw new CliError(`--patch is required (a unified diff file, or - for stdin)\nusage: rover ${USAGE}`);
  const repo = resolve(values.repo);
  let patch: string;
  try {
    patch = values.patch === '-' ? await readStdin() : await readFile(resolve(values.patch), 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the patch ${values.patch}: ${(e as Error).message}`);
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
    timeoutMs = s * 1000;
  }
  // --tests a b c (space separated after the flag) arrives as positionals
  const tests = [...(values.tests ?? []), ...positionals].filter(Boolean);
  const runner = await detectRunner(repo, values.command?.length ? values.command : undefined, { python: values.python }).catch((e: Error) => {
    if (e.name === 'NoRunnerError') return undefined;
    throw new CliError(e.message, 1);
  });
  await sweepAtStart({ repo });
  const interrupt = onInterrupt();
  let r;
  try {
    r = await validatePatch({
      repo, patch, tests: tests.length ? tests : undefined, timeoutMs, runner, signal: interrupt.signal,
      includeUncommitted: !values['no-uncommitted'],
      onProgress: values.json ? undefined : (m) => console.error(`rover: ${m}`),
    });
  } catch (e) {
    if (interrupt.received) return cancelled(interrupt.exitCode);
    if ((e as Error).name === 'NotAGitRepoError') throw new CliError((e as Error).message, 1);
    throw e;
  } finally {
    interrupt.dispose();
  }
  // cancelled: the tests were stopped and the checkout removed; a half-run verdict is no verdict
  if (interrupt.received) return cancelled(interrupt.exitCode);
  const sandbox = [r.before.sandbox, r.after.sandbox].find((s) => s && s !== 'bubblewrap');
  if (sandbox && !values.json) console.error(`rover: note: the tests ran without a sandbox (${sandbox.replace(/^none: /, '')}); they could change files outside their checkout`);
  const ok = r.verdict === 'resolved';
  if (values.json) {
    const slim = (t: typeof r.before) => ({ command: t.command, exitCode: t.exitCode, timedOut: t.timedOut, durationMs: t.durationMs, results: t.results, failures: t.failures, error: t.error });
    console.log(JSON.stringify({
      verdict: r.verdict, explanation: r.explanation, failToPass: r.failToPass, passToFail: r.passToFail, stillFailing: r.stillFailing,
      runner: r.runner, appliedWith: r.appliedWith, durationMs: r.durationMs, sandbox: r.after.sandbox ?? r.before.sandbox, before: slim(r.before), after: slim(r.after),
    }, null, 2));
    return ok ? 0 : 1;
  }
  const ids = [...new Set([...Object.keys(r.before.results), ...Object.keys(r.after.results)])].sort();
  const mark = (s?: TestStatus) => s ?? '-';
  if (r.runner) console.log(`runner: ${r.runner.command.join(' ')}  (${r.runner.detectedFrom ?? r.runner.kind})`);
  if (ids.length) {
    const w = Math.min(80, Math.max(...ids.map((i) => i.length)));
    console.log(`${'test'.padEnd(w)}  before   after`);
    for (const id of ids) {
      const b = r.before.results[id];
      const a = r.after.results[id];
      const tag = r.failToPass.includes(id) ? '  fail→pass' : r.passToFail.includes(id) ? '  PASS→FAIL' : '';
      console.log(`${id.padEnd(w)}  ${mark(b).padEnd(7)}  ${mark(a).padEnd(7)}${tag}`);
    }
  }
  for (const [label, t] of [['before', r.before], ['after', r.after]] as const) if (t.error) console.log(`${label}: ${t.error}`);
  console.log(`fail-to-pass: ${r.failToPass.length}  pass-to-fail: ${r.passToFail.length}  still failing: ${r.stillFailing.length}`);
  console.log(`verdict: ${r.verdict} — ${r.explanation}`);
  return ok ? 0 : 1;
}
