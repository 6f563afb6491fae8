// The whole "fix this issue" flow for the editor and the CLI: index → (fault localization, when the
// caller has it) → agent → (validation of each candidate by the project's tests) → choice, with the
// reason for the choice. Validation is optional: without it the first applicable candidate is chosen
// and the reason says it was not tested.
import type { WorkspaceIndex } from '../index/workspace-index';
import type { ChatProvider } from '../llm/types';
import type { TestRunnerSpec, ValidationReport } from '../validate/types';
import type { ValidationDetails } from '../validate/validate-patch';
import { chooseCandidate } from './select';
import type { AgentEvent } from './events';
import { runAgent, type AgentOptions, type AgentResult, type Candidate, type LocalizationHint } from './run-agent';

export type CandidateValidator = (c: Candidate, signal?: AbortSignal) => Promise<Pick<ValidationDetails, 'verdict' | 'failToPass' | 'passToFail' | 'explanation'>>;

export interface PipelineOptions {
  repo: string;
  issue: string;
  provider: ChatProvider;
  index?: WorkspaceIndex;
  /** Fault localization (e.g. SBFL from failing tests); its top entries go into the prompt. */
  localize?: LocalizationHint[] | ((signal?: AbortSignal) => Promise<LocalizationHint[]>);
  /** true: run the project's tests before/after each candidate (validatePatch); or a validator of your own. */
  validate?: boolean | CandidateValidator;
  /** Test ids that should pass after the fix (fail-to-pass oracle), when known. */
  tests?: string[];
  /** Test command override (settings); default: detected from the project. */
  runner?: TestRunnerSpec;
  testTimeoutMs?: number;
  candidates?: number;
  maxRounds?: number;
  maxCallsPerRound?: number;
  maxPatchRetries?: number;
  temperature?: number;
  budgetUsd?: number;
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  trajectoryPath?: string;
}

export interface PipelineResult {
  agent: AgentResult;
  /** The chosen patch, if any. */
  diff?: string;
  chosenId?: string;
  reason: string;
  /** true when the chosen patch passed validation by the project's tests. */
  validated?: boolean;
  /** Full before/after test reports per candidate, when the project's tests ran. */
  reports?: Record<string, ValidationReport>;
  validations: Record<string, { verdict: string; failToPass: string[]; passToFail: string[]; explanation: string }>;
}

export async function runFixPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const emit = (e: AgentEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      /* listener errors are not the run's */
    }
  };
  let localization: LocalizationHint[] | undefined;
  if (typeof opts.localize === 'function') {
    emit({ type: 'stage', stage: 'localize' });
    try {
      localization = await opts.localize(opts.signal);
    } catch (e) {
      emit({ type: 'error', message: `Fault localization failed, continuing without it: ${(e as Error).message}`, recoverable: true });
    }
  } else localization = opts.localize;

  const agentOpts: AgentOptions = {
    repo: opts.repo,
    issue: opts.issue,
    provider: opts.provider,
    index: opts.index,
    localization,
    maxRounds: opts.maxRounds,
    maxCallsPerRound: opts.maxCallsPerRound,
    maxPatchRetries: opts.maxPatchRetries,
    candidates: opts.candidates,
    temperature: opts.temperature,
    budgetUsd: opts.budgetUsd,
    signal: opts.signal,
    trajectoryPath: opts.trajectoryPath,
    // The agent's own 'done' would come before validation; the pipeline says when it is done.
    onEvent: (e) => (e.type === 'stage' && e.stage === 'done' ? undefined : emit(e)),
  };
  const agent = await runAgent(agentOpts);
  const validations: PipelineResult['validations'] = {};
  const finish = (r: Omit<PipelineResult, 'agent' | 'validations'>): PipelineResult => {
    if (r.chosenId) emit({ type: 'selected', id: r.chosenId, reason: r.reason });
    emit({ type: 'stage', stage: 'done', message: agent.status });
    return { agent, validations, ...r };
  };
  if (!agent.candidates.length) return finish({ reason: agent.error ?? 'No candidate patch.' });

  if (typeof opts.validate === 'function') return finish(await chooseWithValidator(agent.candidates, opts.validate, validations, emit, opts.signal));
  if (!opts.validate || opts.signal?.aborted) {
    const c = agent.candidates[0];
    return finish({ diff: c.diff, chosenId: c.id, reason: `${c.id} is the first applicable candidate (not validated by tests).` });
  }

  // the project's own tests, through the shared selection: filter (applies, syntax, oracle, regressions) → vote
  emit({ type: 'stage', stage: 'validate', message: `testing ${agent.candidates.length} candidate(s) in worktrees` });
  let chosen: Awaited<ReturnType<typeof chooseCandidate>>;
  try {
    chosen = await chooseCandidate(
      agent.candidates.map((c) => ({ id: c.id, diff: c.diff })),
      {
        repo: opts.repo,
        oracle: opts.tests?.length ? opts.tests : undefined,
        regression: 'auto',
        runner: opts.runner,
        timeoutMs: opts.testTimeoutMs,
        signal: opts.signal,
        provider: opts.provider,
        issue: opts.issue,
        onProgress: (message) => emit({ type: 'stage', stage: 'validate', message }),
      },
    );
  } catch (e) {
    if (opts.signal?.aborted) return finish({ reason: 'cancelled' });
    const c = agent.candidates[0];
    emit({ type: 'error', message: `Validation failed: ${(e as Error).message}`, recoverable: true });
    return finish({ diff: c.diff, chosenId: c.id, reason: `${c.id} is untested: the tests could not run (${(e as Error).message}).` });
  }
  for (const c of agent.candidates) {
    const v = chosen.evidence[c.id];
    if (!v) continue;
    validations[c.id] = { verdict: v.verdict, failToPass: v.failToPass, passToFail: v.passToFail, explanation: v.explanation };
    emit({ type: 'candidate', id: c.id, diff: c.diff, evidence: { failToPass: v.failToPass, passToFail: v.passToFail, verdict: v.verdict } });
  }
  emit({ type: 'stage', stage: 'select' });
  const winner = agent.candidates.find((c) => c.id === chosen.winner);
  const pick = winner ?? agent.candidates.find((c) => c.id === chosen.ranking[0]?.id) ?? agent.candidates[0];
  const reason = winner ? chosen.reason : `No candidate passed validation (${chosen.reason}); ${pick.id} is offered for review with care.`;
  return finish({ diff: pick.diff, chosenId: pick.id, reason, validated: Boolean(winner), reports: chosen.evidence });
}

/** A caller-supplied validator (e.g. a benchmark's oracle): resolved first, then fewest regressions. */
async function chooseWithValidator(
  candidates: Candidate[],
  validator: CandidateValidator,
  validations: PipelineResult['validations'],
  emit: (e: AgentEvent) => void,
  signal?: AbortSignal,
): Promise<Omit<PipelineResult, 'agent' | 'validations'>> {
  emit({ type: 'stage', stage: 'validate' });
  for (const c of candidates) {
    if (signal?.aborted) break;
    try {
      const v = await validator(c, signal);
      validations[c.id] = { verdict: v.verdict, failToPass: v.failToPass, passToFail: v.passToFail, explanation: v.explanation };
      emit({ type: 'candidate', id: c.id, diff: c.diff, evidence: { failToPass: v.failToPass, passToFail: v.passToFail, verdict: v.verdict } });
    } catch (e) {
      validations[c.id] = { verdict: 'error', failToPass: [], passToFail: [], explanation: (e as Error).message };
      emit({ type: 'error', message: `Validating ${c.id} failed: ${(e as Error).message}`, recoverable: true });
    }
  }
  emit({ type: 'stage', stage: 'select' });
  const ranked = candidates
    .map((c, i) => ({ c, i, v: validations[c.id] }))
    .filter((x) => x.v)
    .sort(
      (a, b) =>
        Number(b.v.verdict === 'resolved') - Number(a.v.verdict === 'resolved') ||
        Number(a.v.passToFail.length > 0) - Number(b.v.passToFail.length > 0) ||
        b.v.failToPass.length - a.v.failToPass.length ||
        a.i - b.i,
    );
  const best = ranked[0];
  if (!best) return { diff: candidates[0].diff, chosenId: candidates[0].id, reason: `${candidates[0].id} chosen without test evidence (validation did not run).` };
  const v = best.v;
  const resolved = v.verdict === 'resolved';
  const reason = resolved
    ? `${best.c.id} resolves the issue by the tests: ${v.failToPass.length} test(s) now pass, none regress.`
    : `${best.c.id} is the best of ${candidates.length} candidate(s) but not proven (verdict ${v.verdict}; ${v.failToPass.length} newly passing, ${v.passToFail.length} regressed).`;
  return { diff: best.c.diff, chosenId: best.c.id, reason, validated: resolved };
}
