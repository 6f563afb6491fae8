// One agent run: context retrieval (the model searches the index through tools until it reports bug
// locations), then patch generation (edit blocks applied in memory with retries on failure), then the
// diff confirmed in a throwaway worktree. Cancellation, budget exhaustion and model errors all end
// the run with a result (and a trajectory) instead of an exception.
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { z } from 'zod';
import { WorkspaceIndex } from '../index/workspace-index';
import { CostLedger, withBudget } from '../llm/index';
import { BudgetExceededError, ModelError, type ChatMessage, type ChatProvider, type ChatRequest, type ChatResponse, type ToolCall, type ToolResult, type ToolSpec } from '../llm/types';
import { CodeSearch } from '../search/code-search';
import { renderOutcome } from '../search/render';
import { SEARCH_API_SPECS } from '../search/specs';
import { NotAGitRepoError } from '../validate/worktree';
import { applyModelOutput, type FileSource } from './apply/apply';
import { confirmInWorktree, unifiedDiff } from './apply/diff';
import { safeRelPath } from './apply/paths';
import { splitText } from './apply/text';
import type { AgentEvent, BugLocation } from './events';
import { resolveLocation, type ReportedLocation } from './locations';
import { localizationBlock, PATCH_SYSTEM, reproductionBlock, patchUserMessage, REPORT_TOOL_DESCRIPTION, repoSummary, RETRIEVE_SYSTEM, retrieveUserMessage } from './prompts';
import { writeTrajectory, type Trajectory } from './trajectory';

export type { AgentEvent, BugLocation } from './events';

export interface LocalizationHint {
  file: string;
  className?: string;
  method?: string;
  score: number;
  line?: number;
}

export interface AgentOptions {
  repo: string;
  issue: string;
  provider: ChatProvider;
  index?: WorkspaceIndex;
  /** SBFL top-N with scores, shown to the model as a hint. */
  localization?: LocalizationHint[];
  /** Search turns before the model must report locations. Default 8. */
  maxRounds?: number;
  /** Tool calls executed per turn; extra ones get an error result. Default 6. */
  maxCallsPerRound?: number;
  /** Retries after a failed edit application, per candidate. Default 3. */
  maxPatchRetries?: number;
  /** Patches to generate (the first at `temperature`, later ones hotter). Default 1. */
  candidates?: number;
  temperature?: number;
  budgetUsd?: number;
  /**
   * The session's ledger: every model call of a fix session (reproduction, retrieval, patches,
   * reviewer) is counted against one budget. Default: a ledger of this run's own (budgetUsd).
   */
  ledger?: CostLedger;
  /** A test that reproduces the issue, with its failure, shown to the model while it searches. */
  reproduction?: { file: string; content: string; output: string };
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  trajectoryPath?: string;
  /** Fuzzy tier threshold of the applier. Default 0.85. */
  fuzzyThreshold?: number;
}

export interface Candidate {
  id: string;
  diff: string;
  files: string[];
  temperature: number;
  attempts: number;
}

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  calls: number;
}

export interface AgentResult {
  status: 'patched' | 'no-patch' | 'cancelled' | 'budget-exhausted' | 'error';
  candidates: Candidate[];
  locations: BugLocation[];
  trajectory: Trajectory;
  usage: AgentUsage;
  error?: string;
  /** Base commit the diffs apply to (when a worktree confirmed them). */
  baseCommit?: string;
}

const REPORT_TOOL = 'report_bug_locations';
const reportSchema = z.object({
  locations: z
    .array(
      z.object({
        file: z.string().optional().describe('Path relative to the repository root.'),
        class: z.string().optional().describe('Class name, when the code is in a class.'),
        method: z.string().optional().describe('Method or function name.'),
        intended_behavior: z.string().describe('What this code should do once the issue is fixed.'),
      }),
    )
    .min(1),
});

class Cancelled extends Error {}

export async function runAgent(opts: AgentOptions): Promise<AgentResult> {
  const t0 = Date.now();
  const emit = (e: AgentEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      /* a broken listener must not break the run */
    }
  };
  const maxRounds = opts.maxRounds ?? 8;
  const maxCalls = opts.maxCallsPerRound ?? 6;
  const maxRetries = opts.maxPatchRetries ?? 3;
  const nCandidates = Math.max(1, opts.candidates ?? 1);
  const ledger = opts.ledger ?? new CostLedger(opts.budgetUsd);
  const provider = withBudget(opts.provider, ledger);
  const usage: AgentUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, calls: 0 };
  const traj: Trajectory = {
    version: 1,
    tool: 'rover',
    startedAt: new Date(t0).toISOString(),
    repo: opts.repo,
    provider: opts.provider.id,
    model: opts.provider.model,
    issue: opts.issue,
    settings: { maxRounds, maxCallsPerRound: maxCalls, maxPatchRetries: maxRetries, candidates: nCandidates, temperature: opts.temperature, budgetUsd: opts.budgetUsd, localization: opts.localization },
    retrieve: { system: RETRIEVE_SYSTEM, tools: [], messages: [] },
    patch: [],
    calls: [],
    toolCalls: [],
    locations: [],
    applyAttempts: [],
    candidates: [],
    usage,
    timings: {},
  };
  const candidates: Candidate[] = [];
  let locations: BugLocation[] = [];
  let baseCommit: string | undefined;
  let status: AgentResult['status'] = 'no-patch';
  let error: string | undefined;
  let index = opts.index;
  const ownIndex = !index;

  const checkAbort = () => {
    if (opts.signal?.aborted) throw new Cancelled('cancelled');
  };
  const call = async (req: ChatRequest, meta: Pick<Trajectory['calls'][number], 'phase' | 'round' | 'candidate' | 'attempt'>): Promise<ChatResponse> => {
    let res: ChatResponse | undefined;
    // A stream cut after text was shown is not replayed by the provider (it would duplicate output
    // on screen); the agent owns the conversation, so it asks again, saying so.
    for (let cut = 0; !res; cut++) {
      checkAbort();
      try {
        res = await provider.complete(req, { signal: opts.signal, onText: (delta) => emit({ type: 'text', delta }) });
      } catch (e) {
        if (!(e instanceof ModelError && e.kind === 'stream-cut') || cut >= 2) throw e;
        traj.calls.push({ ...meta, ms: 0, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0, stopReason: 'stream-cut', model: opts.provider.model, sentMessages: req.messages.length });
        emit({ type: 'error', message: `${e.message} Asking again.`, recoverable: true });
      }
    }
    usage.inputTokens += res.usage.inputTokens;
    usage.outputTokens += res.usage.outputTokens;
    usage.cacheReadTokens += res.usage.cacheReadTokens;
    usage.cacheWriteTokens += res.usage.cacheWriteTokens;
    usage.costUsd += res.costUsd;
    usage.calls++;
    traj.calls.push({ ...meta, ms: res.ms, usage: res.usage, costUsd: res.costUsd, stopReason: res.stopReason, model: res.model, sentMessages: req.messages.length });
    // the ledger's totals: with a session's ledger they include its other calls (reproduction, reviewer)
    const t = ledger.totals;
    emit({ type: 'usage', inputTokens: t.inputTokens, outputTokens: t.outputTokens, costUsd: t.costUsd, calls: t.calls });
    return res;
  };

  try {
    const repoReal = await realpath(opts.repo);
    let t = Date.now();
    if (!index) {
      // a caller that passes its index has already reported (and timed) its own index stage
      emit({ type: 'stage', stage: 'index' });
      index = await WorkspaceIndex.open(repoReal);
    }
    traj.timings.indexMs = Date.now() - t;
    checkAbort();
    const search = new CodeSearch(index);
    const summary = repoSummary(index.files());
    traj.repoSummary = summary;

    // ---- context retrieval ----
    emit({ type: 'stage', stage: 'retrieve' });
    t = Date.now();
    const tools: ToolSpec[] = [
      ...SEARCH_API_SPECS.map((s) => ({ name: s.name, description: s.description, schema: s.schema })),
      { name: REPORT_TOOL, description: REPORT_TOOL_DESCRIPTION, schema: reportSchema },
    ];
    traj.retrieve.tools = tools.map((x) => x.name);
    const messages: ChatMessage[] = [{ role: 'user', content: retrieveUserMessage(opts.issue, summary, localizationBlock(opts.localization ?? []) + reproductionBlock(opts.reproduction)) }];
    traj.retrieve.messages = messages;

    const handleReport = (tc: ToolCall): { result: string; isError: boolean } => {
      const parsed = reportSchema.safeParse(tc.args);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
        return { result: `Invalid arguments for ${REPORT_TOOL}: ${problems}. Expected {"locations": [{"file", "class"?, "method"?, "intended_behavior"}]}.`, isError: true };
      }
      const ok: BugLocation[] = [];
      const bad: string[] = [];
      for (const l of parsed.data.locations as ReportedLocation[]) {
        const r = resolveLocation(index!, l);
        if (r.ok) ok.push(r.location);
        else bad.push(r.error);
      }
      if (!ok.length) return { result: `None of the locations could be found: ${bad.join(' ')} Search again and report real files and names.`, isError: true };
      locations = ok;
      const lines = ok.map((l) => `${l.file}:${l.startLine}-${l.endLine} ${[l.className, l.method].filter(Boolean).join('.')} (${l.resolvedBy})`);
      return { result: `Recorded ${ok.length} location(s):\n${lines.join('\n')}${bad.length ? `\nIgnored: ${bad.join(' ')}` : ''}`, isError: false };
    };

    const runTools = (calls: ToolCall[], round: number): ToolResult[] => {
      const results: ToolResult[] = [];
      calls.forEach((tc, i) => {
        const started = Date.now();
        let result: string;
        let isError = false;
        if (i >= maxCalls) {
          result = `Not run: at most ${maxCalls} tool calls are executed per turn. Call it again in your next turn if you still need it.`;
          isError = true;
        } else if (tc.parseError) {
          result = `Your arguments for ${tc.name} were not valid JSON (${tc.parseError}). Send the call again with a JSON object of arguments.`;
          isError = true;
        } else if (tc.name === REPORT_TOOL) {
          ({ result, isError } = handleReport(tc));
        } else {
          const args = tc.args && typeof tc.args === 'object' && !Array.isArray(tc.args) ? (tc.args as Record<string, unknown>) : {};
          const outcome = search.call(tc.name, args);
          result = renderOutcome(outcome, { maxTokens: 3000 });
          isError = !!outcome.error;
          emit({
            type: 'search',
            round,
            api: tc.name,
            args,
            ok: outcome.ok,
            summary: outcome.message,
            hits: outcome.hits.slice(0, 20).map((h) => ({ file: h.file, line: h.startLine, symbol: h.symbol })),
          });
        }
        if (isError) emit({ type: 'error', message: `${tc.name}: ${result.split('\n')[0]}`, recoverable: true });
        results.push({ callId: tc.id, content: result, isError });
        traj.toolCalls.push({ round, id: tc.id, name: tc.name, args: tc.args, rawArgs: tc.rawArgs, parseError: tc.parseError, result, isError, ms: Date.now() - started });
      });
      return results;
    };

    for (let round = 1; round <= maxRounds && !locations.length; round++) {
      const res = await call({ system: RETRIEVE_SYSTEM, messages, tools, cachePrefixMessages: 1, temperature: opts.temperature }, { phase: 'retrieve', round });
      messages.push(res.message);
      if (!res.toolCalls.length) {
        if (round < maxRounds) messages.push({ role: 'user', content: `${res.oversize ? `${res.oversize} ` : ''}Use the search tools to look at the code, or call ${REPORT_TOOL} when you know where the fix belongs.` });
        continue;
      }
      const results = runTools(res.toolCalls, round);
      if (!locations.length && round === maxRounds && results.length) {
        results[results.length - 1].content += `\n\n(No search turns are left: call ${REPORT_TOOL} now with your best locations.)`;
      }
      messages.push({ role: 'tool', results });
    }
    if (!locations.length) {
      // One last turn where reporting is the only tool on offer.
      const last = messages[messages.length - 1];
      if (last.role === 'assistant') messages.push({ role: 'user', content: `No search turns are left: call ${REPORT_TOOL} now with your best locations.` });
      const report = tools.filter((x) => x.name === REPORT_TOOL);
      const res = await call({ system: RETRIEVE_SYSTEM, messages, tools: report, cachePrefixMessages: 1, temperature: opts.temperature }, { phase: 'retrieve', round: maxRounds + 1 });
      messages.push(res.message);
      if (res.toolCalls.length) messages.push({ role: 'tool', results: runTools(res.toolCalls, maxRounds + 1) });
    }
    if (!locations.length && opts.localization?.length) {
      for (const h of opts.localization.slice(0, 3)) {
        const r = resolveLocation(index, { file: h.file, class: h.className, method: h.method, intended_behavior: '' });
        if (r.ok) locations.push({ ...r.location, resolvedBy: `localization:${r.location.resolvedBy}` });
      }
    }
    traj.timings.retrieveMs = Date.now() - t;
    traj.locations = locations;
    if (!locations.length) {
      error = 'The model named no bug location that exists in the repository.';
      emit({ type: 'error', message: error, recoverable: false });
      return finish();
    }
    emit({ type: 'locations', locations });

    // ---- patch generation ----
    emit({ type: 'stage', stage: 'patch' });
    t = Date.now();
    const source = workingTreeSource(repoReal, () => index!.files().map((f) => f.path));
    const code = new Map<string, string>();
    for (const l of locations) {
      const text = (await source.read(l.file)) ?? '';
      const lines = splitText(text).lines;
      const end = Math.min(l.endLine, l.startLine + 399);
      code.set(`${l.file}:${l.startLine}`, lines.slice(l.startLine - 1, end).join('\n') + (end < l.endLine ? '\n… (truncated)' : ''));
    }
    const seen = new Set<string>();
    let dearest = 0;
    for (let c = 0; c < nCandidates; c++) {
      // more candidates only while the budget covers another one as dear as the dearest so far
      if (c > 0 && ledger.remaining() < dearest * 1.2) {
        emit({ type: 'note', message: `Stopped at ${c} of ${nCandidates} candidate(s): the budget left ($${ledger.remaining().toFixed(4)}) would not cover another (the dearest cost $${dearest.toFixed(4)}).` });
        break;
      }
      const spentBefore = ledger.totals.costUsd;
      const temperature = c === 0 ? (opts.temperature ?? 0) : Math.min(1, 0.5 + 0.1 * c);
      const pm: ChatMessage[] = [{ role: 'user', content: patchUserMessage(opts.issue, locations, code) }];
      traj.patch.push({ candidate: c, temperature, system: PATCH_SYSTEM, messages: pm });
      for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
        const res = await call({ system: PATCH_SYSTEM, messages: pm, temperature, cachePrefixMessages: 1 }, { phase: 'patch', candidate: c, attempt });
        pm.push(res.message);
        const out = await applyModelOutput(res.text, source, { fuzzyThreshold: opts.fuzzyThreshold });
        // a reply cut at the size limit is told so, whatever else went wrong with it
        let feedback = res.oversize && !out.ok ? `${res.oversize}\n${out.feedback}` : out.feedback;
        let ok = out.ok;
        let diff = '';
        let files: string[] = [];
        if (ok) {
          try {
            const confirmed = await confirmInWorktree(repoReal, out.changes, opts.signal);
            diff = confirmed.diff;
            files = confirmed.files;
            baseCommit = confirmed.baseCommit;
          } catch (e) {
            checkAbort();
            if (e instanceof NotAGitRepoError) {
              diff = unifiedDiff(out.changes);
              files = out.changes.map((x) => x.rel);
              emit({ type: 'error', message: `${e.message} The diff was not confirmed with git.`, recoverable: true });
            } else {
              ok = false;
              feedback = `The edits applied in memory but the resulting diff did not apply with git: ${(e as Error).message}`;
            }
          }
        }
        traj.applyAttempts.push({ candidate: c, attempt, ok, results: out.results, errors: out.errors, feedback });
        const strategies = [...new Set(out.results.filter((r) => r.ok && r.strategy).map((r) => r.strategy))].join(',');
        emit({ type: 'edit-attempt', attempt, ok, message: ok ? out.results.map((r) => r.message).join('\n') : feedback, strategy: strategies || undefined });
        if (ok) {
          if (!seen.has(diff)) {
            seen.add(diff);
            const cand: Candidate = { id: `c${candidates.length + 1}`, diff, files, temperature, attempts: attempt };
            candidates.push(cand);
            traj.candidates.push(cand);
            emit({ type: 'candidate', id: cand.id, diff });
          }
          break;
        }
        if (attempt <= maxRetries) pm.push({ role: 'user', content: `Your edits could not be applied:\n${feedback}\n\nSend corrected edit blocks (all of them).` });
      }
      dearest = Math.max(dearest, ledger.totals.costUsd - spentBefore);
    }
    traj.timings.patchMs = Date.now() - t;
    if (!candidates.length) error = `No applicable patch after ${maxRetries + 1} attempt(s) per candidate.`;
    return finish();
  } catch (e) {
    if (e instanceof Cancelled || opts.signal?.aborted || (e instanceof ModelError && e.kind === 'cancelled') || (e as Error)?.name === 'AbortError') {
      status = 'cancelled';
      error = 'Cancelled.';
    } else if (e instanceof BudgetExceededError) {
      status = 'budget-exhausted';
      error = e.message;
    } else {
      status = 'error';
      error = e instanceof Error ? e.message : String(e);
    }
    emit({ type: 'error', message: error, recoverable: false });
    return finish(status);
  } finally {
    if (ownIndex && index) await index.close().catch(() => undefined);
  }

  async function finish(forced?: AgentResult['status']): Promise<AgentResult> {
    status = forced ?? (candidates.length ? 'patched' : 'no-patch');
    traj.locations = locations;
    traj.status = status;
    traj.error = error;
    traj.finishedAt = new Date().toISOString();
    traj.durationMs = Date.now() - t0;
    if (opts.trajectoryPath) {
      try {
        await writeTrajectory(opts.trajectoryPath, traj);
      } catch (e) {
        emit({ type: 'error', message: `Could not write the trajectory to ${opts.trajectoryPath}: ${(e as Error).message}`, recoverable: true });
      }
    }
    emit({ type: 'stage', stage: 'done', message: status });
    return { status, candidates, locations, trajectory: traj, usage, error, baseCommit };
  }
}

/** Reads the user's files (read-only), refusing anything that resolves outside the repository. */
export function workingTreeSource(repoReal: string, list: () => string[]): FileSource {
  return {
    async read(rel: string) {
      const safe = safeRelPath(rel);
      if (!safe.ok) return undefined;
      const abs = join(repoReal, safe.rel);
      try {
        const real = await realpath(abs);
        if (real !== repoReal && !real.startsWith(repoReal + sep)) return undefined;
        if (!(await stat(real)).isFile()) return undefined;
        return await readFile(real, 'utf8');
      } catch {
        return undefined;
      }
    },
    list,
  };
}
