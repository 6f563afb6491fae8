// The reproduction test (Cleverest, ACR v2): ask the model for one test that reproduces the issue,
// run it on the base commit in a worktree, and keep it only if it fails there for the reason the
// issue describes: an assertion or the reported exception, not an import/syntax/collection error.
// A kept test is the fail-to-pass oracle for validation and for fault localization.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChatMessage, ChatProvider } from '../llm/types';
import { detectRunner } from '../validate/detect';
import { runTests } from '../validate/run-tests';
import type { TestRunnerSpec, TestRunResult } from '../validate/types';
import { createWorktree } from '../validate/worktree';

export interface ReproduceOptions {
  repo: string;
  issue: string;
  provider: ChatProvider;
  runner?: TestRunnerSpec;
  /** Code the model should see (e.g. the localized methods), already formatted. */
  context?: string;
  /** Model attempts (each rejected test is explained to the model). Default 3. */
  maxAttempts?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  includeUncommitted?: boolean;
  worktreeParent?: string;
}

export interface ReproductionTest {
  file: string;
  content: string;
  /** A diff adding the file (usable as validatePatch's setupPatch). */
  patch: string;
  /** Ids of the tests in the file that fail on the base commit: the oracle. */
  failingTests: string[];
  run: TestRunResult;
}

export interface ReproduceResult {
  test?: ReproductionTest;
  attempts: { file?: string; rejected?: string }[];
  reason: string;
}

const SYSTEM = `You write a single automated test that reproduces a reported bug in the repository described.
Rules:
- The test must FAIL on the current code because of the bug (a failing assertion, or the exception the issue reports), and pass once the bug is fixed.
- Use the project's existing test framework and import the project's code the way its other tests do.
- One self-contained file; no network; no new dependencies.
Reply with the file path on its own line as "FILE: <relative path>", then the whole file in one fenced code block.`;

/** Default file name per runner, inside the project's test folder when it has one. */
export function defaultTestPath(repo: string, runner: TestRunnerSpec): string {
  const py = runner.kind === 'pytest' || runner.kind === 'unittest' || runner.reportFormat === 'pytest-ra';
  const dir = ['tests', 'test', 'testing'].find((d) => existsSync(join(repo, d)));
  if (py) return `${dir ? `${dir}/` : ''}test_rover_reproduction.py`;
  return `${dir ?? 'test'}/rover-reproduction.test.js`;
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

/** Why a run of the candidate test does not count as reproducing the issue, or undefined if it does. */
export function judgeReproduction(run: TestRunResult, file: string, issue: string): string | undefined {
  if (run.timedOut) return 'the test timed out on the base commit';
  if (run.error && Object.keys(run.results).length === 0) return `the test did not run: ${run.error.split('\n')[0]}`;
  const mine = Object.entries(run.results).filter(([id]) => id === file || id.startsWith(`${file}::`));
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

export async function generateReproductionTest(opts: ReproduceOptions): Promise<ReproduceResult> {
  const runner = opts.runner ?? (await detectRunner(opts.repo));
  const attempts: ReproduceResult['attempts'] = [];
  const messages: ChatMessage[] = [{
    role: 'user',
    content: `## Issue\n${opts.issue}\n\n## Test framework\n${runner.kind} (${runner.command.join(' ')})\nSuggested file: ${defaultTestPath(opts.repo, runner)}${opts.context ? `\n\n## Relevant code\n${opts.context}` : ''}`,
  }];
  const max = opts.maxAttempts ?? 3;
  for (let i = 0; i < max; i++) {
    const res = await opts.provider.complete({ system: SYSTEM, messages, maxTokens: 4000, temperature: 0 }, { signal: opts.signal });
    messages.push(res.message);
    const { file: given, content } = parseReply(res.text);
    if (!content) {
      attempts.push({ rejected: 'no code block in the reply' });
      messages.push({ role: 'user', content: 'Your reply had no fenced code block. Reply with "FILE: <path>" and the whole test file in one code block.' });
      continue;
    }
    const file = given && !given.startsWith('/') && !given.includes('..') ? given : defaultTestPath(opts.repo, runner);
    const wt = await createWorktree(opts.repo, { includeUncommitted: opts.includeUncommitted ?? true, parentDir: opts.worktreeParent });
    let run: TestRunResult;
    try {
      if (existsSync(join(wt.path, file))) {
        attempts.push({ file, rejected: `${file} already exists` });
        messages.push({ role: 'user', content: `${file} already exists in the repository; use a new file name.` });
        continue;
      }
      await mkdir(dirname(join(wt.path, file)), { recursive: true });
      await writeFile(join(wt.path, file), content);
      run = await runTests(wt.path, runner, { tests: [file], timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal });
    } finally {
      await wt.dispose();
    }
    if (run.cancelled) return { attempts, reason: 'cancelled' };
    const why = judgeReproduction(run, file, opts.issue);
    if (!why) {
      const failingTests = Object.entries(run.results).filter(([id, s]) => s === 'failed' && (id === file || id.startsWith(`${file}::`))).map(([id]) => id);
      attempts.push({ file });
      return {
        test: { file, content, patch: newFileDiff(file, content), failingTests, run },
        attempts,
        reason: `${file} fails on the base commit (${failingTests.length} test(s)) the way the issue describes; it is the fail-to-pass oracle.`,
      };
    }
    attempts.push({ file, rejected: why });
    messages.push({ role: 'user', content: `I ran it on the current code: ${why}.\nOutput (end):\n${run.output.slice(-3000)}\nFix the test and reply again in the same format.` });
  }
  return { attempts, reason: `No usable reproduction test after ${attempts.length} attempt(s): ${attempts.map((a) => a.rejected).join('; ')}` };
}
