// The only place the extension reaches into src/core. Everything here is orchestration of core calls
// (which call, in what order, with which settings); no engine logic lives in the extension.
import { createHash } from 'node:crypto';
import { WorkspaceIndex, type IndexWarning } from '../core/index';
import { createProvider, type ChatProvider, type ProviderId } from '../core/llm';
import { runProcess, spawnedProcessCount } from '../core/proc/run';
import { detectRunner } from '../core/validate/detect';
import { runTests } from '../core/validate/run-tests';
import type { TestRunResult, ValidationReport } from '../core/validate/types';
import { cleanupStaleWorktrees, createWorktree } from '../core/validate/worktree';
import type { AgentEvent, BugLocation } from '../core/agent/events';

export type { AgentEvent, BugLocation, TestRunResult, ValidationReport, IndexWarning };
export { spawnedProcessCount, cleanupStaleWorktrees };

export class CoreUnavailableError extends Error {
  constructor(what: string) {
    super(`${what} is not part of this Rover build yet.`);
    this.name = 'CoreUnavailableError';
  }
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

/** A search outcome as the contract returns it (core's SearchOutcome once search lands). */
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

export async function searchCode(_index: WorkspaceIndex, _api: string, _args: Record<string, unknown>): Promise<SearchResult> {
  throw new CoreUnavailableError('Structural code search (src/core/search)');
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
  const wt = await createWorktree(root, { includeUncommitted: true });
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
  const git = (args: string[]) => runProcess('git', args, { cwd: root, timeoutMs: 60_000, signal, maxOutputBytes: 32 * 1024 * 1024 });
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

export async function validateChanges(
  _root: string,
  _s: TestSettings,
  _opts: { patch: string; tests?: string[]; signal?: AbortSignal },
): Promise<ValidationReport> {
  throw new CoreUnavailableError('Patch validation (src/core/validate validatePatch)');
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
  _root: string,
  _s: TestSettings,
  _opts: { failing: string[]; passing?: string[]; issue?: string; signal?: AbortSignal },
): Promise<LocalizeOutcome> {
  throw new CoreUnavailableError('Fault localization (src/core/localize)');
}

export interface FixOptions {
  root: string;
  issue: string;
  provider: ChatProvider;
  index?: WorkspaceIndex;
  failingTests: string[];
  candidates: number;
  budgetUsd: number;
  tests: TestSettings;
  signal: AbortSignal;
  onEvent: (e: AgentEvent) => void;
  trajectoryPath?: string;
}

export interface FixOutcome {
  status: 'patched' | 'no-patch' | 'cancelled' | 'budget-exhausted' | 'error';
  diff?: string;
  files?: string[];
  locations: BugLocation[];
  reason?: string;
  /** The tests that showed the chosen patch works (re-run after the user accepts). */
  validatingTests: string[];
  error?: string;
}

export async function runFix(_o: FixOptions): Promise<FixOutcome> {
  throw new CoreUnavailableError('The agent (src/core/agent runAgent)');
}

export function runIdFor(issue: string): string {
  return `run-${Date.now().toString(36)}-${createHash('sha1').update(issue).digest('hex').slice(0, 6)}`;
}
