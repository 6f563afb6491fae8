// The reproduction test (Cleverest, ACR v2): ask the model for one test that reproduces the issue,
// run it on the base commit in a worktree, and keep it only if it fails there for the reason the
// issue describes: an assertion or the reported exception, not an import/syntax/collection error.
// A kept test is the fail-to-pass oracle for validation and for fault localization.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fg from 'fast-glob';
import type { ChatMessage, ChatProvider } from '../llm/types';
import { detectRunner } from '../runner/detect';
import { isTestFile, TEST_FILE_GLOBS, TEST_SEARCH_IGNORE } from '../runner/test-files';
import { runTests } from '../runner/run-tests';
import type { TestRunnerSpec, TestRunResult } from '../runner/types';
import { createCheckout } from '../runner/checkout';
import { safeRelPath } from './apply/safe-paths';

export interface ReproduceOptions {
  repo: string;
  issue: string;
  provider: ChatProvider;
  runner?: TestRunnerSpec;
  /** Code the model should see (e.g. the functions the issue names), already formatted. */
  context?: string;
  /** Model attempts (each rejected test is explained to the model). Default 3. */
  maxAttempts?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  includeUncommitted?: boolean;
  checkoutParent?: string;
  /** Told about every attempt as it is judged. */
  onAttempt?: (a: ReproductionAttempt) => void;
}

export interface ReproductionTest {
  file: string;
  content: string;
  /** A diff adding the file (usable as validatePatch's setupPatch). */
  patch: string;
  /** Ids of the tests in the file that fail on the base commit: the oracle. */
  failingTests: string[];
  /** How those tests fail (their messages; the run's output tail when the runner gives none). */
  failure: string;
  run: TestRunResult;
}

export interface ReproductionAttempt {
  attempt: number;
  file?: string;
  /** Why it was not kept; undefined for the kept test. */
  rejected?: string;
  /** The end of the run's output, when the test ran. */
  output?: string;
}

export interface ReproduceResult {
  test?: ReproductionTest;
  attempts: ReproductionAttempt[];
  reason: string;
  cancelled?: boolean;
}

/** Runners whose per-test results Rover reads, so a reproduction test's verdict can be told apart. */
export function canReproduceWith(runner: TestRunnerSpec): boolean {
  if (['pytest', 'unittest', 'node', 'mocha', 'jest', 'vitest'].includes(runner.kind)) return true;
  return runner.reportFormat === 'sympy' || runner.reportFormat === 'pytest-ra' || runner.reportFormat === 'junit' || runner.reportFormat === 'tap';
}

const isPython = (runner: TestRunnerSpec) => runner.kind === 'pytest' || runner.kind === 'unittest' || runner.reportFormat === 'pytest-ra' || runner.reportFormat === 'sympy';

const SYSTEM = `You write a single automated test that reproduces a reported bug in the repository described.
Rules:
- The test must FAIL on the current code because of the bug (a failing assertion, or the exception the issue reports), and pass once the bug is fixed.
- Use the project's existing test framework and import the project's code the way its other tests do (an existing test file's opening lines are shown).
- One self-contained file; no network; no new dependencies; do not edit other files.
Reply with the file path on its own line as "FILE: <relative path>", then the whole file in one fenced code block.`;

/** Default file name per runner, inside the project's test folder when it has one. */
export function defaultTestPath(repo: string, runner: TestRunnerSpec): string {
  const dir = ['tests', 'test', 'testing'].find((d) => existsSync(join(repo, d)));
  if (isPython(runner)) return `${dir ? `${dir}/` : ''}test_rover_reproduction.py`;
  const ts = runner.kind === 'vitest' || runner.kind === 'jest' ? existsSync(join(repo, 'tsconfig.json')) : false;
  return `${dir ?? 'test'}/rover-reproduction.test.${ts ? 'ts' : 'js'}`;
}

export function parseReply(text: string): { file?: string; content?: string } {
  const file = /^\s*FILE:\s*`?([^\s`]+)`?\s*$/im.exec(text)?.[1];
  const block = /```[\w+-]*\n([\s\S]*?)```/.exec(text)?.[1];
  return { file, content: block };
}

/** A diff that creates `file` with `content` (git apply accepts it). */
export function newFileDiff(file: string, content: string): string {
  const body = content.endsWith('\n') ? content : `${content}\n`;
  const lines = body.split('\n').slice(0, -1);
  return `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`;
}

const SETUP_ERROR = /\b(ImportError|ModuleNotFoundError|SyntaxError|IndentationError|Cannot find module|ERR_MODULE_NOT_FOUND|ERR_REQUIRE_ESM|fixture '[^']+' not found|error(s)? during collection|ReferenceError|is not defined)\b/;

/** The results that belong to `file`: ids that name it, or every result when the runner's ids name no file (sympy's bin/test). */
function resultsOf(run: TestRunResult, file: string): [string, TestRunResult['results'][string]][] {
  const all = Object.entries(run.results).filter(([id]) => id !== '<suite>');
  const mine = all.filter(([id]) => id === file || id.startsWith(`${file}::`));
  if (mine.length || all.some(([id]) => id.includes('::'))) return mine;
  return all; // only this file was run
}

/** Why a run of the candidate test does not count as reproducing the issue, or undefined if it does. */
export function judgeReproduction(run: TestRunResult, file: string, issue: string): string | undefined {
  if (run.timedOut) return 'the test timed out on the base commit';
  if (run.error && Object.keys(run.results).length === 0) return `the test did not run: ${run.error.split('\n')[0]}`;
  const mine = resultsOf(run, file);
  if (mine.length === 0) return 'no test from the file ran (not collected: check the file name and test function names)';
  const errored = mine.filter(([, s]) => s === 'error');
  if (errored.length) {
    const msg = run.failures.find((f) => f.id === errored[0][0])?.message ?? '';
    return `the test errored before reaching the bug (collection/setup error)${msg ? `: ${msg.split('\n')[0].slice(0, 200)}` : ''}`;
  }
  const failing = mine.filter(([, s]) => s === 'failed');
  if (failing.length === 0) return 'the test passes on the current code, so it does not reproduce the bug';
  const messages = failing.map(([id]) => run.failures.find((f) => f.id === id)?.message ?? '').join('\n');
  const text = `${messages}\n${run.output.slice(-20000)}`;
  if (SETUP_ERROR.test(messages) || (!messages && SETUP_ERROR.test(run.output))) {
    return `the test fails for an unrelated reason (${SETUP_ERROR.exec(messages || run.output)![0]}), not because of the bug`;
  }
  // when the issue names an exception, a failure should be that exception or an assertion
  const named = [...new Set([...issue.matchAll(/\b([A-Z][A-Za-z]*(?:Error|Exception))\b/g)].map((m) => m[1]))].filter((n) => n !== 'AssertionError');
  const isAssertion = /AssertionError|assert\b|Expected|expected/.test(messages);
  if (named.length && !isAssertion && !named.some((n) => text.includes(n))) {
    return `the test fails, but not with ${named.join('/')} that the issue reports, nor an assertion`;
  }
  return undefined;
}

/** A path the runner's default command would not reach (e.g. `node --test test/` and a file in spec/). */
function outsideDefaultTests(file: string, runner: TestRunnerSpec): string | undefined {
  const dirs = (runner.defaultTests ?? []).filter((t) => !/[*?{[]/.test(t)).map((t) => t.replace(/^\.\//, '').replace(/\/+$/, ''));
  if (!dirs.length || dirs.some((d) => d === '.' || d === '' || file === d || file.startsWith(`${d}/`))) return undefined;
  return `the project's test command (${runner.command.filter((w) => !w.includes('{')).join(' ')} ${dirs.join(' ')}) would not find ${file}: put it under ${dirs[0]}/`;
}

/** The opening lines of an existing test file, so the model imports the project's code the usual way. */
export async function exampleTestHeader(repo: string, issue: string, runner: TestRunnerSpec): Promise<string | undefined> {
  const py = isPython(runner);
  const files = (await fg(TEST_FILE_GLOBS, { cwd: repo, ignore: TEST_SEARCH_IGNORE, onlyFiles: true }))
    .filter((f) => isTestFile(f) && (py ? f.endsWith('.py') : !f.endsWith('.py')))
    .sort();
  if (!files.length) return undefined;
  const words = new Set(issue.toLowerCase().match(/[a-z_][a-z0-9_]{2,}/g) ?? []);
  const score = (f: string) => (f.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length > 2 && !/^(test|tests|spec|py|js|ts)$/.test(w) && words.has(w)).length;
  const best = [...files].sort((a, b) => score(b) - score(a) || a.split('/').length - b.split('/').length)[0];
  try {
    const head = (await readFile(join(repo, best), 'utf8')).split('\n').slice(0, 30).join('\n');
    return `${best} (first lines):\n\`\`\`\n${head}\n\`\`\``;
  } catch {
    return undefined;
  }
}

export interface ReproductionCheck {
  /** The file's path relative to the repository, as placed (the given path when it was refused). */
  file: string;
  /** Why the test does not reproduce the issue; undefined when it does. */
  rejected?: string;
  /** What to tell the author (the model) about a refusal made before running. */
  tell?: string;
  failingTests: string[];
  /** How the failing tests fail (their messages; the output's end when the runner gives none). */
  failure: string;
  /** The end of the run's output ('' when the test never ran). */
  output: string;
  run?: TestRunResult;
  cancelled?: boolean;
}

/**
 * Does `content`, placed at `file`, fail on the base commit for the issue's reason? Runs it alone in a
 * private checkout (removed on every path out); the user's tree is only read.
 */
export async function checkReproduction(o: {
  repo: string; runner: TestRunnerSpec; file: string; content: string; issue: string;
  includeUncommitted?: boolean; checkoutParent?: string; timeoutMs?: number; signal?: AbortSignal;
}): Promise<ReproductionCheck> {
  const refuse = (file: string, rejected: string, tell: string): ReproductionCheck => ({ file, rejected, tell, failingTests: [], failure: '', output: '' });
  const safe = safeRelPath(o.file);
  if (!safe.ok) return refuse(o.file, `${o.file} is not a path inside the repository`, `${o.file} is not a relative path inside the repository.`);
  const file = safe.rel;
  const placement = outsideDefaultTests(file, o.runner);
  if (placement) return refuse(file, placement, `${placement}.`);
  if (existsSync(join(o.repo, file))) return refuse(file, `${file} already exists`, `${file} already exists in the repository; use a new file name.`);
  const wt = await createCheckout(o.repo, { includeUncommitted: o.includeUncommitted ?? true, parentDir: o.checkoutParent });
  let run: TestRunResult;
  try {
    await mkdir(dirname(join(wt.path, file)), { recursive: true });
    await writeFile(join(wt.path, file), o.content);
    run = await runTests(wt.path, o.runner, { tests: [file], timeoutMs: o.timeoutMs ?? 120_000, signal: o.signal });
  } finally {
    await wt.dispose();
  }
  const output = run.output.slice(-3000);
  if (run.cancelled || o.signal?.aborted) return { file, failingTests: [], failure: '', output, run, cancelled: true };
  const why = judgeReproduction(run, file, o.issue);
  if (why) return { file, rejected: why, failingTests: [], failure: '', output, run };
  const failing = resultsOf(run, file).filter(([, s]) => s === 'failed').map(([id]) => id);
  const failure = failing.map((id) => run.failures.find((f) => f.id === id)?.message ?? '').filter(Boolean).join('\n\n') || output;
  return { file, failingTests: failing, failure, output, run };
}

export async function generateReproductionTest(opts: ReproduceOptions): Promise<ReproduceResult> {
  const runner = opts.runner ?? (await detectRunner(opts.repo));
  const attempts: ReproductionAttempt[] = [];
  const note = (a: ReproductionAttempt) => {
    attempts.push(a);
    try {
      opts.onAttempt?.(a);
    } catch {
      /* a listener's error is not the run's */
    }
  };
  const example = await exampleTestHeader(opts.repo, opts.issue, runner);
  const suggested = defaultTestPath(opts.repo, runner);
  const messages: ChatMessage[] = [{
    role: 'user',
    content:
      `## Issue\n${opts.issue}\n\n## Test framework\n${runner.kind} (${runner.command.filter((w) => !w.includes('{')).join(' ')})\nSuggested file: ${suggested}` +
      (example ? `\n\n## An existing test\n${example}` : '') +
      (opts.context ? `\n\n## Relevant code\n${opts.context}` : ''),
  }];
  const max = opts.maxAttempts ?? 3;
  for (let i = 1; i <= max; i++) {
    const res = await opts.provider.complete({ system: SYSTEM, messages, maxTokens: 4000, temperature: i === 1 ? 0 : 0.4 }, { signal: opts.signal });
    messages.push(res.message);
    const reject = (why: string, file?: string, output?: string, tell = `I ran it on the current code: ${why}.`) => {
      note({ attempt: i, file, rejected: why, output });
      messages.push({ role: 'user', content: `${tell}${output ? `\nOutput (end):\n${output}` : ''}\nFix the test and reply again in the same format.` });
    };
    const { file: given, content } = parseReply(res.text);
    if (!content) {
      reject('no code block in the reply', undefined, undefined, 'Your reply had no fenced code block. Reply with "FILE: <path>" and the whole test file in one code block.');
      continue;
    }
    const checked = await checkReproduction({
      repo: opts.repo, runner, file: given ?? suggested, content, issue: opts.issue, includeUncommitted: opts.includeUncommitted,
      checkoutParent: opts.checkoutParent, timeoutMs: opts.timeoutMs, signal: opts.signal,
    });
    if (checked.cancelled) return { attempts, reason: 'Cancelled.', cancelled: true };
    const { file, output } = checked;
    if (checked.rejected) {
      reject(checked.rejected, file, output || undefined, checked.tell);
      continue;
    }
    const { failingTests: failing, failure, run } = checked;
    note({ attempt: i, file, output });
    return {
      test: { file, content, patch: newFileDiff(file, content), failingTests: failing, failure, run: run! },
      attempts,
      reason: `${file} fails on the base commit (${failing.length} test(s)) the way the issue describes; it is the fail-to-pass oracle.`,
    };
  }
  return { attempts, reason: `No usable reproduction test after ${attempts.length} attempt(s): ${attempts.map((a) => `#${a.attempt} ${a.rejected}`).join('; ')}` };
}
