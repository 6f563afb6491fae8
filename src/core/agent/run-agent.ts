// One agent run: context retrieval (retrieve.ts: the model searches the index until it reports bug
// locations), then patch generation (write-patches.ts: edit blocks applied in memory with retries,
// the diff confirmed in a throwaway checkout). Cancellation, budget exhaustion and model errors all
// end the run with a result (and a trajectory) instead of an exception.
import { realpath } from 'node:fs/promises';
import { WorkspaceIndex } from '../index/workspace-index';
import { CostLedger } from '../llm/index';
import { BudgetExceededError, ModelError, type ChatProvider } from '../llm/types';
import type { Suspect } from '../localize/types';
import { AgentRun, Cancelled } from './agent-run';
import type { AgentEvent, BugLocation } from './events';
import { RETRIEVE_SYSTEM } from './prompts';
import { retrieveLocations } from './retrieve';
import { writeTrajectory, type Trajectory } from './trajectory';
import { writePatches } from './write-patches';

export type { AgentEvent, BugLocation } from './events';

/** How hard the agent works: handed down unchanged from the CLI's flags or the editor's settings. */
export interface AgentLimits {
  /** Search turns before the model must report locations. Default 8. */
  maxRounds?: number;
  /** Tool calls executed per turn; extra ones get an error result. Default 6. */
  maxCallsPerRound?: number;
  /** Retries after a failed edit application, per candidate. Default 3. */
  maxPatchRetries?: number;
  /** Patches to generate (the first at `temperature`, later ones hotter). Default 1. */
  candidates?: number;
  temperature?: number;
  /** Fuzzy tier threshold of the applier. Default 0.85. */
  fuzzyThreshold?: number;
}

export interface AgentOptions extends AgentLimits {
  repo: string;
  issue: string;
  provider: ChatProvider;
  index?: WorkspaceIndex;
  /** Fault localization's top suspects with their scores, shown to the model as a lead. */
  suspects?: Suspect[];
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

export async function runAgent(opts: AgentOptions): Promise<AgentResult> {
  const t0 = Date.now();
  const ledger = opts.ledger ?? new CostLedger(opts.budgetUsd);
  const traj: Trajectory = {
    version: 1,
    tool: 'rover',
    startedAt: new Date(t0).toISOString(),
    repo: opts.repo,
    provider: opts.provider.id,
    model: opts.provider.model,
    issue: opts.issue,
    settings: {
      maxRounds: opts.maxRounds ?? 8, maxCallsPerRound: opts.maxCallsPerRound ?? 6, maxPatchRetries: opts.maxPatchRetries ?? 3,
      candidates: Math.max(1, opts.candidates ?? 1), temperature: opts.temperature, budgetUsd: opts.budgetUsd, suspects: opts.suspects,
    },
    retrieve: { system: RETRIEVE_SYSTEM, tools: [], messages: [] },
    patch: [],
    calls: [],
    toolCalls: [],
    locations: [],
    applyAttempts: [],
    candidates: [],
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, calls: 0 },
    timings: {},
  };
  const run = new AgentRun(opts, ledger, traj);
  traj.usage = run.usage;
  let candidates: Candidate[] = [];
  let locations: BugLocation[] = [];
  let baseCommit: string | undefined;
  let error: string | undefined;
  let index = opts.index;
  const ownIndex = !index;

  try {
    const repoReal = await realpath(opts.repo);
    let t = Date.now();
    if (!index) {
      // a caller that passes its index has already reported (and timed) its own index stage
      run.emit({ type: 'stage', stage: 'index' });
      index = await WorkspaceIndex.open(repoReal);
    }
    traj.timings.indexMs = Date.now() - t;
    run.checkAbort();

    run.emit({ type: 'stage', stage: 'retrieve' });
    t = Date.now();
    locations = await retrieveLocations(run, index);
    traj.timings.retrieveMs = Date.now() - t;
    traj.locations = locations;
    if (!locations.length) {
      error = 'The model named no bug location that exists in the repository.';
      run.emit({ type: 'error', message: error, recoverable: false });
      return finish();
    }
    run.emit({ type: 'locations', locations });

    run.emit({ type: 'stage', stage: 'patch' });
    t = Date.now();
    const written = await writePatches(run, repoReal, index, locations);
    ({ candidates, baseCommit, error } = written);
    traj.timings.patchMs = Date.now() - t;
    return finish();
  } catch (e) {
    let status: AgentResult['status'];
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
    run.emit({ type: 'error', message: error, recoverable: false });
    return finish(status);
  } finally {
    if (ownIndex && index) await index.close().catch(() => undefined);
  }

  async function finish(forced?: AgentResult['status']): Promise<AgentResult> {
    const status = forced ?? (candidates.length ? 'patched' : 'no-patch');
    traj.locations = locations;
    traj.status = status;
    traj.error = error;
    traj.finishedAt = new Date().toISOString();
    traj.durationMs = Date.now() - t0;
    if (opts.trajectoryPath) {
      try {
        await writeTrajectory(opts.trajectoryPath, traj);
      } catch (e) {
        run.emit({ type: 'error', message: `Could not write the trajectory to ${opts.trajectoryPath}: ${(e as Error).message}`, recoverable: true });
      }
    }
    run.emit({ type: 'stage', stage: 'done', message: status });
    return { status, candidates, locations, trajectory: traj, usage: run.usage, error, baseCommit };
  }
}
