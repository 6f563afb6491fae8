// Runs Rover's tools for an outside agent over one repository: arguments checked against the tool's
// schema, searches on the warm index, everything that runs tests in a private checkout and one at a
// time (two validate_patch calls never share a checkout nor fight over the two cores), cancellation
// handed down to the test processes. Every failure is an answer with isError, never a throw, and
// nothing in the user's tree is written.
import { realpath } from 'node:fs/promises';
import type { WorkspaceIndex } from '../index/workspace-index';
import { localize } from '../localize/localize';
import { rankScore, formatText } from '../localize/ranking-text';
import type { Formula } from '../localize/types';
import { createCheckout, NotAGitRepoError, repoTop } from '../runner/checkout';
import { detectRunner } from '../runner/detect';
import { DEFAULT_TIMEOUT_MS, runTests } from '../runner/run-tests';
import type { TestRunnerSpec } from '../runner/types';
import { CodeSearch } from '../search/code-search';
import { closestNames } from '../search/fuzzy';
import { renderOutcome } from '../search/render';
import { validatePatch } from '../validate/validate-patch';
import { canReproduceWith, checkReproduction } from '../agent/reproduce';
import { capText, errorAnswer, testRunAnswer, validationAnswer, type ToolAnswer } from './answer-text';
import { patchPathProblem } from './patch-paths';
import { ROVER_TOOLS, roverTool, type RoverToolSpec } from './specs';

export type { ToolAnswer };

export interface ToolboxOptions {
  /** The repository (its real path): every path a tool takes is relative to it and must stay inside. */
  root: string;
  /** The warm index of `root`, current with the files on disk. */
  index: () => Promise<WorkspaceIndex>;
  /** Test command override (argv; `{tests}` = the selected tests); default detected from the project. */
  testCommand?: string[];
  /** Default time limit of one test run. */
  timeoutMs?: number;
  /** Where private checkouts go (default <tmp>/rover-worktrees). */
  checkoutParent?: string;
  /** Budget of an answer's text, in tokens (about 4 characters each). Default 3,000. */
  maxTokens?: number;
}

export interface ToolCallContext {
  signal?: AbortSignal;
  /** A long call's steps ("running the tests before the patch"), for the client's progress display. */
  onProgress?: (message: string) => void;
}

type Args = Record<string, unknown>;

export class RoverToolbox {
  private searcher?: { index: WorkspaceIndex; search: CodeSearch };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly maxTokens: number;

  constructor(private readonly opts: ToolboxOptions) {
    this.maxTokens = opts.maxTokens ?? 3000;
  }

  readonly tools: readonly RoverToolSpec[] = ROVER_TOOLS;

  async call(name: string, rawArgs: unknown, ctx: ToolCallContext = {}): Promise<ToolAnswer> {
    const spec = roverTool(name);
    if (!spec) {
      const near = closestNames(name, ROVER_TOOLS.map((t) => t.name), 3);
      return errorAnswer(`Unknown tool "${name}"${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}. Rover's tools: ${ROVER_TOOLS.map((t) => t.name).join(', ')}.`);
    }
    const parsed = spec.schema.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? unknownArguments(spec, i.keys) : `${i.path.join('.') || '(arguments)'}: ${i.message}`)).join('; ');
      return errorAnswer(`Invalid arguments for ${name}: ${problems}. Nothing was run.`);
    }
    const args = parsed.data as Args;
    try {
      if (!spec.runsTests) return await this.search(name, args);
      const notWhole = await this.notWholeRepository();
      if (notWhole) return errorAnswer(`${notWhole} Nothing was run.`);
      return await this.oneAtATime(ctx, () => this.runTool(name, args, ctx));
    } catch (e) {
      if (ctx.signal?.aborted) return cancelledAnswer();
      return errorAnswer(`${name} failed: ${(e as Error).message}`);
    }
  }

  /**
   * Why the test tools cannot work on this root, or undefined. A private checkout holds the whole
   * repository and the tests run at its top, so a root that is a folder inside a repository would
   * have its patches applied and its runner looked for in the wrong place (asked again each call: a
   * `git init` in between is seen).
   */
  private async notWholeRepository(): Promise<string | undefined> {
    let top: string;
    try {
      top = await repoTop(this.opts.root);
    } catch (e) {
      if (e instanceof NotAGitRepoError) return e.message;
      throw e;
    }
    const root = await realpath(this.opts.root);
    if (top === root) return undefined;
    return `Rover's test tools work on a whole git repository, and ${root} is a folder inside the repository at ${top}: open (or serve with rover mcp --repo) ${top} to run tests; the search tools work on either.`;
  }

  /** Test-running calls wait for the one before; a call cancelled while waiting never starts. */
  private oneAtATime(ctx: ToolCallContext, fn: () => Promise<ToolAnswer>): Promise<ToolAnswer> {
    const waited = this.queue.then(async () => {
      if (ctx.signal?.aborted) return cancelledAnswer();
      return fn();
    });
    this.queue = waited.catch(() => undefined);
    return waited;
  }

  private runTool(name: string, args: Args, ctx: ToolCallContext): Promise<ToolAnswer> {
    switch (name) {
      case 'localize':
        return this.localize(args, ctx);
      case 'validate_patch':
        return this.validate(args, ctx);
      case 'run_tests':
        return this.runTests(args, ctx);
      case 'reproduce_check':
        return this.reproduceCheck(args, ctx);
      default:
        return Promise.resolve(errorAnswer(`${name} has no implementation`));
    }
  }

  private async search(name: string, args: Args): Promise<ToolAnswer> {
    const index = await this.opts.index();
    if (this.searcher?.index !== index) this.searcher = { index, search: new CodeSearch(index) };
    const o = this.searcher.search.call(name, args);
    const hits = o.hits.slice(0, 100).map((h) => ({ file: h.file, startLine: h.startLine, endLine: h.endLine, symbol: h.symbol, className: h.className, kind: h.kind }));
    const structured = {
      api: o.api, ok: o.ok, total: o.total, message: o.message, hits,
      ...(o.hits.length > hits.length ? { hitsNotListed: o.hits.length - hits.length } : {}),
      ...(o.suggestions?.length ? { suggestions: o.suggestions } : {}), ...(o.notes?.length ? { notes: o.notes } : {}), ...(o.error ? { error: o.error } : {}),
    };
    return { text: renderOutcome(o, { maxTokens: this.maxTokens }), structured, isError: !!o.error };
  }

  private timeoutMs(args: Args): number {
    return typeof args.timeout_seconds === 'number' ? args.timeout_seconds * 1000 : this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private runner(dir = this.opts.root): Promise<TestRunnerSpec> {
    return detectRunner(dir, this.opts.testCommand);
  }

  private async validate(args: Args, ctx: ToolCallContext): Promise<ToolAnswer> {
    const patch = args.patch as string;
    const bad = patchPathProblem(patch);
    if (bad) return errorAnswer(bad);
    const runner = await this.runner().catch((e: Error) => {
      if (e.name === 'NoRunnerError') return undefined;
      throw e;
    });
    const r = await validatePatch({
      repo: this.opts.root, patch, tests: args.tests as string[] | undefined, runner, timeoutMs: this.timeoutMs(args),
      includeUncommitted: (args.include_uncommitted as boolean | undefined) ?? true, checkoutParent: this.opts.checkoutParent,
      signal: ctx.signal, onProgress: ctx.onProgress,
    });
    if (ctx.signal?.aborted) return cancelledAnswer();
    return validationAnswer(r, this.maxTokens);
  }

  private async runTests(args: Args, ctx: ToolCallContext): Promise<ToolAnswer> {
    ctx.onProgress?.('preparing a private checkout of what is on disk');
    const wt = await createCheckout(this.opts.root, { includeUncommitted: true, parentDir: this.opts.checkoutParent });
    try {
      const runner = await this.runner(wt.path);
      ctx.onProgress?.(`running ${(args.tests as string[] | undefined)?.length ? 'the selected tests' : 'the whole suite'}`);
      const r = await runTests(wt.path, runner, { tests: args.tests as string[] | undefined, timeoutMs: this.timeoutMs(args), signal: ctx.signal });
      if (r.cancelled || ctx.signal?.aborted) return cancelledAnswer();
      return testRunAnswer(r, this.maxTokens);
    } finally {
      await wt.dispose();
    }
  }

  private async localize(args: Args, ctx: ToolCallContext): Promise<ToolAnswer> {
    const index = await this.opts.index();
    const top = (args.top as number | undefined) ?? 10;
    const r = await localize({
      repo: this.opts.root, failing: args.failing as string[], passing: args.passing as string[] | undefined, allPassing: !!args.all_passing,
      issueText: args.issue as string | undefined, formula: args.formula as Formula | undefined,
      ...(this.opts.testCommand?.length ? { runner: await this.runner() } : {}),
      isolate: true, timeoutMs: this.timeoutMs(args), signal: ctx.signal, onProgress: ctx.onProgress,
      symbols: async (f) => index.getFile(f)?.symbols,
    });
    if (ctx.signal?.aborted) return cancelledAnswer();
    const suspects = r.entries.slice(0, top).map((e) => ({
      rank: e.rank, file: e.file, className: e.className, method: e.method, qualifiedName: e.qualifiedName, startLine: e.startLine, endLine: e.endLine,
      line: e.line, score: finite(e.score), rankScore: finite(rankScore(r.formula, e)), failingRuns: e.ef, passingRuns: e.ep,
      evidence: finite(e.evidence), tieGroup: e.tieGroup, tieSize: e.tieSize, tieBrokenBy: e.tieBrokenBy,
    }));
    const warnings = r.warnings.length ? `\nwarnings:\n${r.warnings.map((w) => `  ${w}`).join('\n')}` : '';
    return {
      text: capText(formatText(r, top) + warnings, this.maxTokens),
      structured: {
        formula: r.formula, mode: r.mode, tool: r.tool, failing: r.failing, passing: r.passing.length, suspects,
        ties: r.tieGroups.filter((g) => g.size > 1).slice(0, 10), warnings: r.warnings, collectMs: r.collectMs,
      },
      isError: false,
    };
  }

  private async reproduceCheck(args: Args, ctx: ToolCallContext): Promise<ToolAnswer> {
    const runner = await this.runner();
    if (!canReproduceWith(runner)) return errorAnswer(`Rover cannot tell this project's test results apart (${runner.command.join(' ')}), so it cannot judge a reproduction test.`);
    ctx.onProgress?.('running the test on the base commit in a private checkout');
    const c = await checkReproduction({
      repo: this.opts.root, runner, file: args.file_path as string, content: args.content as string, issue: args.issue as string,
      includeUncommitted: (args.include_uncommitted as boolean | undefined) ?? false, checkoutParent: this.opts.checkoutParent,
      timeoutMs: this.timeoutMs(args), signal: ctx.signal,
    });
    if (c.cancelled || ctx.signal?.aborted) return cancelledAnswer();
    // refused before running (a path outside the repository, an existing file, a place the runner
    // does not look): bad input, not a test that fails to reproduce
    if (c.rejected && !c.run) return errorAnswer(`${c.tell ?? `${c.rejected}.`} Nothing was run.`, { file: c.file });
    const reproduces = !c.rejected;
    const text = reproduces
      ? `reproduces: yes — ${c.file} fails on the base commit the way the issue describes (${c.failingTests.length} failing test(s): ${c.failingTests.join(', ')}).\n\n${c.failure}`
      : `reproduces: no — ${c.rejected}.${c.output ? `\n\noutput (end):\n${c.output}` : ''}`;
    return {
      text: capText(text, this.maxTokens),
      structured: { reproduces, file: c.file, reason: c.rejected ?? 'fails on the base commit for the issue\'s reason', failingTests: c.failingTests, failure: c.failure.slice(0, 4000), output: c.output },
      isError: false,
    };
  }
}

/** "test is not an argument of run_tests (did you mean tests?)", with the arguments it does take. */
function unknownArguments(spec: RoverToolSpec, keys: readonly string[]): string {
  const known = Object.keys(spec.schema.shape);
  const named = keys.map((k) => {
    const near = closestNames(k, known, 1);
    return `${JSON.stringify(k)}${near.length ? ` (did you mean ${near[0]}?)` : ''}`;
  });
  return `${named.join(', ')} ${keys.length > 1 ? 'are not arguments' : 'is not an argument'} of ${spec.name}, which takes ${known.join(', ')}`;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null;
}

function cancelledAnswer(): ToolAnswer {
  return errorAnswer('Cancelled: the tests were stopped and the private checkout removed; nothing was changed.', { cancelled: true });
}
