// The extension's one door into src/core: every editor file, logic/ included, imports the core through
// here, so a move inside the core changes this file only. The functions hand the editor's settings to
// core calls; no engine logic lives here: the fix flow itself is the core's fix session.
import { createHash } from 'node:crypto';
import { WorkspaceIndex, type CodeSymbol, type FileRecord, type IndexWarning } from '../core/index';
import { createProvider, toolJsonSchema, ModelError, type ChatProvider, type ChatRequest, type ChatResponse, type CompleteOptions, type ProviderId, type ToolCall, type ToolSpec } from '../core/llm';
import { spawnedProcessCount } from '../core/proc/run';
import { CodeSearch } from '../core/search';
import { coveredLines, localize as coreLocalize } from '../core/localize';
import { detectRunner } from '../core/runner/detect';
import { validatePatch } from '../core/validate/validate-patch';
import { runFixSession, type FixSessionResult } from '../core/agent/fix-session';
import { runTests } from '../core/runner/run-tests';
import type { TestRunResult } from '../core/runner/types';
import type { ValidationReport } from '../core/validate/types';
import { createCheckout } from '../core/runner/checkout';
import { sweepAtStart } from '../core/runner/sweep-at-start';
import { git as safeGit } from '../core/proc/git';
import type { AgentEvent, BugLocation } from '../core/agent/events';
import { isTestFile } from '../core/runner/test-files';
import { imports as importsModule } from '../core/validate/regression';
import { fixFactsFrom, type FixFacts } from '../core/github';
import { RoverToolbox, type ToolboxOptions } from '../core/tools/toolbox';
import { ROVER_TOOLS, type RoverToolSpec } from '../core/tools/specs';

export type { AgentEvent, BugLocation, ChatProvider, TestRunResult, ValidationReport, IndexWarning, CodeSymbol, FileRecord, WorkspaceIndex };
export { spawnedProcessCount, sweepAtStart, isTestFile, importsModule, ROVER_TOOLS };
export {
  clientFor as githubClient, GitHubError, handOff, HandOffError, IssueRefError, looksLikeIssueRef, needsToken, resolveIssueRef, selectHunks, shortRef, takeIssue,
  type FixFacts, type HandOffResult, type IssueFacts, type IssueIntake,
} from '../core/github';
export type { RoverToolbox, RoverToolSpec, ChatRequest, ChatResponse, CompleteOptions, ToolCall, ToolSpec };
export { toolJsonSchema, ModelError };

/** Rover's tools (core/tools) over the editor's index, for the chat agents' language-model tools. */
export function makeToolbox(opts: ToolboxOptions): RoverToolbox {
  return new RoverToolbox(opts);
}

export interface IndexSettings {
  cacheDir: string;
  exclude: string[];
  maxFileBytes: number;
  onWarning?: (w: IndexWarning) => void;
}

export async function openIndex(root: string, s: IndexSettings): Promise<WorkspaceIndex> {
  return WorkspaceIndex.open(root, { cacheDir: s.cacheDir, exclude: s.exclude, maxFileBytes: s.maxFileBytes, onWarning: s.onWarning });
}

export function indexFigures(index: WorkspaceIndex): { files: number; classes: number; functions: number; ms: number } {
  const st = index.stats;
  return { files: st.files, classes: st.classes, functions: st.functions + st.methods, ms: Math.round(st.ms) };
}

/** A search outcome as the editor uses it (the fields of core's SearchOutcome it shows). */
export interface SearchResult {
  api: string;
  args: Record<string, unknown>;
  ok: boolean;
  hits: { file: string; startLine: number; endLine: number; symbol?: string; className?: string; code?: string }[];
  total: number;
  message: string;
  error?: string;
  suggestions?: string[];
}

const searchers = new WeakMap<WorkspaceIndex, CodeSearch>();

export async function searchCode(index: WorkspaceIndex, api: string, args: Record<string, unknown>): Promise<SearchResult> {
  let s = searchers.get(index);
  if (!s) searchers.set(index, (s = new CodeSearch(index)));
  return s.call(api, args) as SearchResult;
}

export function makeProvider(p: { provider: ProviderId; apiKey: string; baseUrl?: string; model?: string; onRetry?: (info: unknown) => void }): ChatProvider {
  return createProvider({ provider: p.provider, apiKey: p.apiKey, baseUrl: p.baseUrl, model: p.model }, { onRetry: p.onRetry as never });
}

export interface TestSettings {
  command?: string[];
  timeoutMs: number;
}

/**
 * Runs tests against what the user has on disk, inside a throwaway worktree (so caches and files the
 * tests write never land in the user's tree). Results' paths are relative to the worktree root.
 */
export async function runTestsOnWorkingTree(
  root: string,
  s: TestSettings,
  opts: { tests?: string[]; signal?: AbortSignal },
): Promise<TestRunResult & { runDir: string }> {
  const wt = await createCheckout(root, { includeUncommitted: true });
  try {
    const spec = await detectRunner(wt.path, s.command);
    const r = await runTests(wt.path, spec, { tests: opts.tests, timeoutMs: s.timeoutMs, signal: opts.signal });
    return { ...r, runDir: wt.path };
  } finally {
    await wt.dispose();
  }
}

/** The working tree's changes against HEAD as one patch, untracked (not ignored) files included. */
export async function workingTreeDiff(root: string, signal?: AbortSignal): Promise<{ diff: string; files: string[] }> {
  // Rover's git calls run no hooks of the repository's
  const git = (args: string[]) => safeGit(root, args, { timeoutMs: 60_000, signal, maxOutputBytes: 32 * 1024 * 1024, allowFail: true });
  const tracked = await git(['diff', '--binary', 'HEAD']);
  if (tracked.code !== 0) throw new Error(`git diff failed: ${tracked.stderr.trim() || `exit ${tracked.code}`}`);
  let diff = tracked.stdout;
  const untracked = (await git(['ls-files', '--others', '--exclude-standard', '-z'])).stdout.split('\0').filter(Boolean);
  for (const rel of untracked.slice(0, 200)) {
    const d = await git(['diff', '--binary', '--no-index', '--', '/dev/null', rel]);
    diff += d.stdout;
  }
  const files = [...diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
  const deleted = [...diff.matchAll(/^--- a\/(.+)\n\+\+\+ \/dev\/null$/gm)].map((m) => m[1]);
  return { diff, files: [...new Set([...files, ...deleted])] };
}

/**
 * Before/after comparison of `patch` on HEAD. `testFiles` are runner words (files) when the selection
 * came from heuristics; without them the whole suite runs.
 */
export async function validateChanges(
  root: string,
  s: TestSettings,
  opts: { patch: string; testFiles?: string[]; signal?: AbortSignal },
): Promise<ValidationReport> {
  return validatePatch({
    repo: root,
    patch: opts.patch,
    testArgs: opts.testFiles ? [...new Set(opts.testFiles.map((t) => t.split('::')[0]))] : undefined,
    includeUncommitted: false,
    runner: s.command ? await detectRunner(root, s.command) : undefined,
    timeoutMs: s.timeoutMs,
    signal: opts.signal,
  });
}

export interface LocalizeEntry {
  file: string;
  symbol: string;
  className?: string;
  method?: string;
  score: number;
  line: number;
  tieGroup?: number;
}

export interface LocalizeOutcome {
  entries: LocalizeEntry[];
  mode: string;
  /** test id -> covered "file:line" keys, when the localizer collected them. */
  coverage?: Map<string, Set<string>>;
  warnings?: string[];
}

export async function localize(
  root: string,
  s: TestSettings,
  opts: { failing: string[]; passing?: string[]; issue?: string; signal?: AbortSignal; index?: WorkspaceIndex; cacheDir?: string },
): Promise<LocalizeOutcome> {
  const r = await coreLocalize({
    repo: root,
    failing: opts.failing,
    passing: opts.passing,
    allPassing: !opts.passing?.length,
    issueText: opts.issue,
    runner: s.command ? await detectRunner(root, s.command) : undefined,
    timeoutMs: s.timeoutMs,
    signal: opts.signal,
    cacheDir: opts.cacheDir,
    symbols: opts.index ? async (file) => opts.index!.getFile(file)?.symbols : undefined,
  });
  return {
    entries: r.entries.map((e) => ({
      file: e.file,
      symbol: e.qualifiedName ?? ([e.className, e.method].filter(Boolean).join('.') || `${e.file} (module level)`),
      className: e.className,
      method: e.method,
      score: Number.isFinite(e.score) ? e.score : Number.MAX_VALUE,
      line: e.line,
      tieGroup: e.tieGroup,
    })),
    mode: `${r.formula}, ${r.mode} coverage by ${r.tool}`,
    coverage: coveredLines(r),
    warnings: r.warnings,
  };
}

export interface FixOptions {
  root: string;
  issue: string;
  provider: ChatProvider;
  index?: WorkspaceIndex;
  failingTests: string[];
  /** The failing tests came from the user's last test run (offered and accepted), not typed in. */
  fromLastRun?: boolean;
  candidates: number;
  budgetUsd: number;
  tests: TestSettings;
  signal: AbortSignal;
  onEvent: (e: AgentEvent) => void;
  trajectoryPath?: string;
  localizeCacheDir?: string;
}

export type FixOutcome = Pick<FixSessionResult, 'status' | 'locations' | 'reason' | 'validatingTests' | 'error' | 'oracle' | 'localization' | 'candidates' | 'notes'> & {
  /** What the review opens: the chosen patch plus the reproduction test as a file of its own. */
  diff?: string;
  files?: string[];
  /** What a pull request's body says about the run (bug locations, tests, cost). */
  facts?: FixFacts;
};

/** Fix This Issue: the core's fix session with the editor's settings; nothing here decides the flow. */
export async function runFix(o: FixOptions): Promise<FixOutcome> {
  const r = await runFixSession({
    repo: o.root,
    issue: o.issue,
    provider: o.provider,
    index: o.index,
    failingTests: o.failingTests,
    oracleSource: o.fromLastRun ? 'last-run' : 'given',
    runner: o.tests.command ? await detectRunner(o.root, o.tests.command) : undefined,
    testTimeoutMs: o.tests.timeoutMs,
    limits: { candidates: o.candidates },
    budgetUsd: o.budgetUsd,
    signal: o.signal,
    onEvent: o.onEvent,
    trajectoryPath: o.trajectoryPath,
    localizeCacheDir: o.localizeCacheDir,
  });
  const pick = r.candidates.find((c) => c.id === r.chosenId);
  const files = pick ? [...pick.files, ...(r.reproduction?.test ? [r.reproduction.test.file] : [])] : undefined;
  return {
    status: r.status, diff: r.reviewDiff, files, locations: r.locations, reason: r.reason, validatingTests: r.validatingTests,
    error: r.error, oracle: r.oracle, localization: r.localization, candidates: r.candidates, notes: r.notes, facts: fixFactsFrom(r),
  };
}

export function runIdFor(issue: string): string {
  return `run-${Date.now().toString(36)}-${createHash('sha1').update(issue).digest('hex').slice(0, 6)}`;
}
