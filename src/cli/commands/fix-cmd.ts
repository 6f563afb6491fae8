// rover fix --repo DIR --issue FILE|- [--failing TEST ...] [--no-reproduce] [--no-localize] [--no-validate]
//           [--candidates N] [--budget USD] [--provider anthropic|openai] [--model M] [--base-url U]
//           [--out patch.diff] [--trajectory t.json] [--predictions out.jsonl --instance-id ID] [--json] [--quiet]
// One fix session (src/core/agent/fix-session.ts): oracle tests (given, or a reproduction test the model
// writes) → localization → candidates → validation in worktrees → choice. This file only gathers the
// inputs and prints the events. The API key comes from the environment only and is never printed.
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT_CODES, parse } from '../args';
import { startProgress } from '../progress';
import { runFixSession, type FixSessionResult } from '../../core/agent/fix-session';
import type { AgentEvent } from '../../core/agent/events';
import { createProvider, type ProviderId } from '../../core/llm';
import { onInterrupt } from '../../core/proc/cancel';
import { detectRunner } from '../../core/runner/detect';
import { sweepAtStart } from '../../core/runner/sweep-at-start';
import { looksLikeIssueRef } from '../../core/github/refs';
import type { HandOffResult, IssueIntake } from '../../core/github';
import { checkPrPreconditions, fetchIssueText, openPullRequest } from '../github-issue';

// the editor can run the same session on a chat model VS Code already has, with no key at all
const IN_EDITOR = ' In VS Code, Fix This Issue can also use a chat model the editor already has (Copilot etc.: "rover.provider": "vscode-lm"), which needs no key.';

export const DEFAULT_BUDGET_USD = 1;

const USAGE =
  'fix --repo DIR --issue FILE|-|URL|#N [--pr] [--any-state] [--failing TEST ...] [--no-reproduce] [--no-localize] [--no-validate] [--candidates N] [--budget USD] ' +
  '[--test-timeout SECONDS] [--tests-command "argv words"] [--provider anthropic|openai] [--model M] [--base-url URL] [--out patch.diff] [--trajectory t.json] ' +
  '[--predictions out.jsonl --instance-id ID] [--json] [--quiet]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      repo: { type: 'string' },
      issue: { type: 'string' },
      failing: { type: 'string', multiple: true },
      'no-reproduce': { type: 'boolean' },
      'no-localize': { type: 'boolean' },
      'no-validate': { type: 'boolean' },
      validate: { type: 'boolean' },
      provider: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      out: { type: 'string' },
      trajectory: { type: 'string' },
      budget: { type: 'string' },
      candidates: { type: 'string' },
      'max-rounds': { type: 'string' },
      'test-timeout': { type: 'string' },
      'tests-command': { type: 'string' },
      predictions: { type: 'string' },
      'instance-id': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      pr: { type: 'boolean' },
      'any-state': { type: 'boolean' },
    },
    USAGE,
    {
      summary: 'Fixes an issue in one session: a reproduction test when no failing test is given, fault localization, candidate patches, validation of each in a private checkout, the choice. Progress on stderr; the patch on stdout unless --out.',
      options: {
        repo: 'the repository (a git checkout; it is only read, but for the branch --pr makes)',
        issue: 'a file with the issue text, - for stdin, or a GitHub issue: its URL or #N (of the origin remote; token from GITHUB_TOKEN/GH_TOKEN, none for a public issue)',
        pr: 'after a validated choice, commit the patch (and the reproduction test) on a branch rover/issue-N-<slug>, push it and open a draft pull request (needs a GitHub --issue and a token)',
        'any-state': 'fix a GitHub issue even when it is closed, locked or has no description',
        failing: 'a test that fails because of the issue (or comma-separated ids): the oracle instead of a reproduction test',
        'no-reproduce': 'do not write a reproduction test when no failing test is given',
        'no-localize': 'no fault localization: the model searches alone',
        'no-validate': 'do not run the tests on the candidates (the first applicable one is taken)',
        validate: 'validate (the default when a test runner is found)',
        candidates: 'candidate patches at most (default 3; fewer when the budget would not cover another)',
        budget: `most the session may spend on model calls, in USD (default ${DEFAULT_BUDGET_USD.toFixed(2)})`,
        'max-rounds': 'search turns before the model must name the bug locations (default 8)',
        'test-timeout': 'time limit of one test run, seconds',
        'tests-command': 'the test command instead of the detected one, e.g. "python3 -m pytest {tests}"',
        provider: 'anthropic (ANTHROPIC_API_KEY) or openai (OPENAI_API_KEY or a local --base-url)',
        model: 'model id (default: the provider\'s default)',
        'base-url': 'the model API\'s base URL (a local OpenAI-compatible server, a proxy)',
        out: 'write the patch to this file',
        trajectory: 'write the whole session (every request, tool call, test verdict, cost) as JSON',
        predictions: 'append a SWE-bench prediction line (with --instance-id)',
        'instance-id': 'the SWE-bench instance id for --predictions',
        json: 'one JSON report of every step on stdout',
        quiet: 'no progress on stderr',
      },
      notes: [EXIT_CODES],
    },
  );
  if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"\nusage: rover ${USAGE}`);
  if (!values.repo) throw new CliError(`--repo is required\nusage: rover ${USAGE}`);
  if (!values.issue) throw new CliError(`--issue is required (a file with the issue text, or - for stdin)\nusage: rover ${USAGE}`);
  if (values.predictions && !values['instance-id']) throw new CliError('--predictions needs --instance-id (the SWE-bench instance id of this issue)');
  if (values.validate && values['no-validate']) throw new CliError('--validate and --no-validate contradict each other');
  const providerId = (values.provider ?? 'anthropic') as ProviderId;
  if (providerId !== 'anthropic' && providerId !== 'openai') throw new CliError(`--provider must be "anthropic" or "openai", got "${values.provider}"`);
  let budgetUsd = DEFAULT_BUDGET_USD;
  if (values.budget !== undefined) {
    budgetUsd = Number(values.budget);
    if (!Number.isFinite(budgetUsd) || budgetUsd <= 0) throw new CliError(`--budget must be a positive number of US dollars, got "${values.budget}"`);
  }
  const candidates = positiveInt('candidates', values.candidates);
  const maxRounds = positiveInt('max-rounds', values['max-rounds']);
  const testTimeout = positiveInt('test-timeout', values['test-timeout']);
  const failing = (values.failing ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);

  const repo = resolve(values.repo);
  const st = await stat(repo).catch(() => undefined);
  if (!st?.isDirectory()) throw new CliError(`--repo ${values.repo} is not a folder`);
  const fromGitHub = looksLikeIssueRef(values.issue) && !(await stat(resolve(values.issue)).catch(() => undefined));
  if (values.pr && !fromGitHub) throw new CliError('--pr needs a GitHub issue: give --issue its URL or #N');
  if (values.pr) await checkPrPreconditions(repo, values.issue);
  let issue: string;
  let intake: IssueIntake | undefined;
  if (fromGitHub) {
    intake = await fetchIssueText(repo, values.issue, !!values['any-state'], (s) => (values.quiet || values.json ? undefined : process.stderr.write(`${s}\n`)));
    issue = intake.text.text;
  } else try {
    issue = values.issue === '-' ? await readStdin() : await readFile(resolve(values.issue), 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the issue ${values.issue}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!issue.trim()) throw new CliError(`the issue ${values.issue === '-' ? '(stdin)' : values.issue} is empty`);

  const keyVar = providerId === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  const apiKey = process.env[keyVar] ?? '';
  const baseUrl = values['base-url'] ?? (providerId === 'openai' ? process.env.OPENAI_BASE_URL : process.env.ANTHROPIC_BASE_URL) ?? undefined;
  if (!apiKey && !(providerId === 'openai' && baseUrl)) {
    throw new CliError(
      providerId === 'anthropic'
        ? `no API key: set the ANTHROPIC_API_KEY environment variable (or use --provider openai with OPENAI_API_KEY or a local --base-url).${IN_EDITOR}`
        : `no API key: set the OPENAI_API_KEY environment variable, or give --base-url (or OPENAI_BASE_URL) of a local OpenAI-compatible server.${IN_EDITOR}`,
    );
  }
  let provider;
  try {
    provider = createProvider({ provider: providerId, apiKey, model: values.model, baseUrl: baseUrl || undefined });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  let runner;
  if (values['tests-command']) {
    const words = values['tests-command'].match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^(["'])(.*)\1$/, '$2')) ?? [];
    if (!words.length) throw new CliError('--tests-command is empty');
    runner = await detectRunner(repo, words);
  }

  const quiet = values.quiet || values.json;
  // on a terminal a live line shows the current step and its seconds (a test run can take minutes);
  // every event line clears it first, and the spinner redraws below
  const tty = !quiet && process.stderr.isTTY;
  const progress = tty ? startProgress(undefined) : undefined;
  const log = (s: string) => {
    if (quiet) return;
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}${s}\n`);
  };
  log(`rover fix: ${provider.id} ${provider.model}, budget $${budgetUsd.toFixed(2)}${values.budget === undefined ? ' (the default; --budget USD to change)' : ''}`);

  // what a killed earlier run left: its test processes, checkouts and temp folders
  await sweepAtStart({ repo });
  // Ctrl-C cancels (tests killed, checkouts removed, nothing written, 130); a second one quits at once
  const interrupt = onInterrupt();
  let result: FixSessionResult;
  try {
    result = await runFixSession({
      repo,
      issue,
      provider,
      failingTests: failing,
      reproduce: !values['no-reproduce'],
      localize: !values['no-localize'],
      validate: values['no-validate'] ? false : 'auto',
      runner,
      testTimeoutMs: testTimeout ? testTimeout * 1000 : undefined,
      limits: { candidates, maxRounds },
      budgetUsd,
      signal: interrupt.signal,
      onEvent: (e) => {
        if (e.type === 'stage' && e.stage !== 'done') progress?.step(`${e.stage}${e.message ? `: ${e.message}` : ''}`);
        printEvent(e, log);
      },
      trajectoryPath: values.trajectory ? resolve(values.trajectory) : undefined,
    });
  } finally {
    progress?.done();
    interrupt.dispose();
  }
  const u = result.usage;
  log(`== ${result.status}: ${u.calls} model call(s), ${u.inputTokens} input / ${u.outputTokens} output tokens, ~$${u.costUsd.toFixed(4)} of $${budgetUsd.toFixed(2)}${result.reason ? ` — ${result.reason}` : ''}`);
  // a cancelled session writes nothing: no patch file, no prediction, no report
  if (interrupt.received) return interrupt.exitCode;
  if (result.status === 'cancelled') return 130;
  const diff = result.diff ?? '';
  if (values.out) {
    await mkdir(dirname(resolve(values.out)), { recursive: true });
    await writeFile(resolve(values.out), diff);
    log(diff ? `patch written to ${values.out}` : `no patch; ${values.out} is empty`);
  }
  if (values.predictions) {
    const line = { instance_id: values['instance-id'], model_name_or_path: `rover/${provider.model}`, model_patch: diff };
    await mkdir(dirname(resolve(values.predictions)), { recursive: true });
    await appendFile(resolve(values.predictions), JSON.stringify(line) + '\n');
  }
  let pr: HandOffResult | undefined;
  let prError: string | undefined;
  if (values.pr && intake) {
    try {
      pr = await openPullRequest(repo, intake, result, log);
      log(pr.message);
    } catch (e) {
      prError = (e as Error).message;
      log(`rover: ${prError}`);
    }
  }
  if (values.json) process.stdout.write(JSON.stringify({ ...jsonReport(result), ...(values.pr ? { pullRequest: pr && { branch: pr.branch, commit: pr.commit, base: pr.base, number: pr.pr.number, url: pr.pr.url, draft: pr.pr.draft }, pullRequestError: prError } : {}) }) + '\n');
  else if (!values.out && diff) process.stdout.write(diff);
  if (prError) return 1;
  if (diff) return 0;
  return result.status === 'budget-exhausted' ? 3 : 1;
}

/** One line (or a few) per session event, as `rover fix` prints them on stderr. */
export function printEvent(e: AgentEvent, log: (s: string) => void): void {
  switch (e.type) {
    case 'stage':
      if (e.stage !== 'done') log(`== ${e.stage}${e.message ? `: ${e.message}` : ''}`);
      break;
    case 'reproduction-attempt':
      log(`  reproduction test #${e.attempt}${e.file ? ` ${e.file}` : ''}: ${e.kept ? 'kept' : 'rejected'} — ${e.reason}`);
      break;
    case 'oracle':
      log(`  oracle (${e.source}): ${e.message}`);
      break;
    case 'localization':
      log(`  localization (${e.source}): ${e.message}`);
      // ranked by SBFL score plus evidence (stack, issue words, history), so scores need not fall monotonically
      e.suspects.forEach((s, i) => log(`    ${i + 1}. ${s.symbol}  ${s.file}:${s.line}  (suspiciousness ${s.score.toFixed(3)})`));
      break;
    case 'search':
      log(`  ${e.ok ? '·' : '!'} ${e.api}(${Object.values(e.args).map((v) => clip(JSON.stringify(v) ?? '', 120)).join(', ')}) → ${clip(e.summary, 300)}`);
      break;
    case 'locations':
      for (const l of e.locations) log(`  location ${l.file}:${l.startLine}-${l.endLine} ${[l.className, l.method].filter(Boolean).join('.')} (${l.resolvedBy})`);
      break;
    case 'edit-attempt':
      log(`  edit attempt ${e.attempt}: ${e.ok ? `applied${e.strategy ? ` (${e.strategy})` : ''}` : `failed — ${e.message.split('\n')[0]}`}`);
      break;
    case 'candidate':
      log(`  candidate ${e.id}${e.evidence ? `: ${e.evidence.verdict}${e.evidence.note ? ` — ${e.evidence.note}` : ''}` : ''}`);
      break;
    case 'selected':
      log(`  selected ${e.id}: ${e.reason}`);
      break;
    case 'note':
      log(`  note: ${e.message}`);
      break;
    case 'error':
      log(`  ${e.recoverable ? 'warning' : 'error'}: ${e.message}`);
      break;
    case 'text':
    case 'usage':
      break;
  }
}

/** A model's argument can be 256 KiB: the terminal gets its start and its length. */
function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length} characters)`;
}

/** Every step of the session, for `--json` (and `rover eval`, which reads `diff`). */
export function jsonReport(r: FixSessionResult) {
  return {
    status: r.status,
    diff: r.diff ?? '',
    chosen: r.chosenId,
    winner: r.chosenId,
    reason: r.reason,
    validated: r.validated,
    oracle: r.oracle,
    reproduction: r.reproduction && {
      kept: r.reproduction.test ? { file: r.reproduction.test.file, failingTests: r.reproduction.test.failingTests, content: r.reproduction.test.content, patch: r.reproduction.test.patch } : undefined,
      attempts: r.reproduction.attempts.map((a) => ({ attempt: a.attempt, file: a.file, verdict: a.rejected ? 'rejected' : 'kept', reason: a.rejected ?? 'fails on the base commit the way the issue describes' })),
      reason: r.reproduction.reason,
    },
    localization: { source: r.localization.source, message: r.localization.message, top: r.localization.suspects },
    candidates: r.candidates.map((c) => ({ id: c.id, files: c.files, verdict: c.verdict, kept: c.kept, note: c.note, failToPass: c.failToPass, passToFail: c.passToFail })),
    locations: r.locations,
    tokens: { input: r.usage.inputTokens, output: r.usage.outputTokens, cacheRead: r.usage.cacheReadTokens, cacheWrite: r.usage.cacheWriteTokens },
    costUsd: r.usage.costUsd,
    budgetUsd: r.budgetUsd,
    usage: r.usage,
    notes: r.notes,
    error: r.error,
  };
}
