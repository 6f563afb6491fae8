// rover validate --repo DIR --patch FILE|- [--tests ID...] [--timeout S] [--command ARGV] [--no-uncommitted] [--json]
// Runs the project's tests before and after the patch in a private checkout and prints the verdict.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, EXIT, inCliWords, parse, repoDir } from '../args';
import { startProgress } from '../progress';
import { onInterrupt } from '../../core/proc/cancel';
import { detectRunner, type TestStatus } from '../../core/runner';
import { validatePatch } from '../../core/validate';
import { sweepAtStart } from '../../core/runner/sweep-at-start';

const USAGE = 'validate --repo DIR --patch FILE|- [--tests ID ...] [--timeout SECONDS] [--command ARG ...] [--python PATH] [--no-uncommitted] [--json]';

const HELP = {
  summary:
    'Runs the project\'s tests before and after a patch in a throw-away git worktree (your files are never written) and prints each test\'s result, fail→pass, pass→fail, the failures that were there before the patch, and a verdict. Exit 0 when resolved, 1 otherwise, 130 when cancelled.',
  options: {
    repo: 'the git repository (default: the current folder)',
    patch: 'a unified diff (git diff format), or - for stdin',
    tests: 'test ids to run: an exact id (tests/test_x.py::test_y, test/app.js::outer > inner) must pass; a file or class (tests/test_x.py) selects its tests',
    timeout: 'seconds per test run (default 300)',
    command: 'the test command, one word per --command ({tests} = the selected ids), e.g. --command npm --command test',
    python: 'the Python interpreter for pytest (default: the repo\'s .venv, else /usr/bin/python3)',
    'no-uncommitted': 'validate against HEAD alone, without your uncommitted changes',
    json: 'print the report as JSON (no progress)',
  },
};

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
  }, USAGE, HELP);
  if (!values.repo) throw new CliError(`--repo is required\nusage: rover ${USAGE}`);
  if (!values.patch) throw new CliError(`--patch is required (a unified diff file, or - for stdin)\nusage: rover ${USAGE}`);
  const repo = repoDir(values.repo);
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
    throw new CliError(e.message, EXIT.failed);
  });
  await sweepAtStart({ repo });
  const interrupt = onInterrupt();
  const progress = startProgress('validating in a git worktree', { quiet: values.json });
  let r;
  try {
    r = await validatePatch({
      repo, patch, tests: tests.length ? tests : undefined, timeoutMs, runner, signal: interrupt.signal,
      includeUncommitted: !values['no-uncommitted'],
      onProgress: progress.step,
    });
  } catch (e) {
    if (interrupt.received) return cancelled(interrupt.exitCode);
    if ((e as Error).name === 'NotAGitRepoError') throw new CliError((e as Error).message, 1);
    throw e;
  } finally {
    progress.done();
    interrupt.dispose();
  }
  // cancelled: the tests were stopped and the checkout removed; a half-run verdict is no verdict
  if (interrupt.received) return cancelled(interrupt.exitCode);
  r.explanation = inCliWords(r.explanation);
  for (const t of [r.before, r.after]) if (t.error) t.error = inCliWords(t.error);
  const sandbox = [r.before.sandbox, r.after.sandbox].find((s) => s && s !== 'bubblewrap');
  if (sandbox && !values.json) console.error(`rover: note: the tests ran without a sandbox (${sandbox.replace(/^none: /, '')}); they could change files outside their checkout`);
  const ok = r.verdict === 'resolved';
  if (values.json) {
    const slim = (t: typeof r.before) => ({ command: t.command, exitCode: t.exitCode, timedOut: t.timedOut, durationMs: t.durationMs, results: t.results, failures: t.failures, error: t.error });
    console.log(JSON.stringify({
      verdict: r.verdict, explanation: r.explanation, failToPass: r.failToPass, passToFail: r.passToFail, stillFailing: r.stillFailing, alreadyFailing: r.alreadyFailing,
      runner: r.runner, appliedWith: r.appliedWith, durationMs: r.durationMs, sandbox: r.after.sandbox ?? r.before.sandbox, before: slim(r.before), after: slim(r.after),
    }, null, 2));
    return ok ? EXIT.ok : EXIT.failed;
  }
  const ids = [...new Set([...Object.keys(r.before.results), ...Object.keys(r.after.results)])].sort();
  const mark = (s?: TestStatus) => s ?? '-';
  const old = new Set(r.alreadyFailing);
  if (r.runner) console.log(`runner: ${r.runner.command.join(' ')}  (${r.runner.detectedFrom ?? r.runner.kind})`);
  if (ids.length) {
    const w = Math.min(80, Math.max(...ids.map((i) => i.length)));
    console.log(`${'test'.padEnd(w)}  before   after`);
    for (const id of ids) {
      const b = r.before.results[id];
      const a = r.after.results[id];
      const tag = r.failToPass.includes(id) ? '  fail→pass' : r.passToFail.includes(id) ? '  PASS→FAIL' : old.has(id) ? '  failed before too' : '';
      console.log(`${id.padEnd(w)}  ${mark(b).padEnd(7)}  ${mark(a).padEnd(7)}${tag}`);
    }
  }
  for (const [label, t] of [['before', r.before], ['after', r.after]] as const) if (t.error) console.log(`${label}: ${t.error}`);
  const fresh = r.stillFailing.length - r.alreadyFailing.length;
  console.log(`fail-to-pass: ${r.failToPass.length}  pass-to-fail: ${r.passToFail.length}  failing before and after (not the patch's doing): ${r.alreadyFailing.length}${fresh ? `  other failing: ${fresh}` : ''}`);
  console.log(`verdict: ${r.verdict} — ${r.explanation}`);
  return ok ? EXIT.ok : EXIT.failed;
}
