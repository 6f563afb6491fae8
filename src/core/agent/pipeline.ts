// The whole "fix this issue" flow for the editor and the CLI: index → (fault localization, when the
// caller has it) → agent → (validation of each candidate by the project's tests) → choice, with the
// reason for the choice. Validation is optional: without it the first applicable candidate is chosen
// and the reason says it was not tested.
import type { WorkspaceIndex } from '../index/workspace-index';
import type { ChatProvider } from '../llm/types';
import { validatePatch, type ValidationDetails } from '../validate/validate-patch';
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

  const validator: CandidateValidator | undefined =
    opts.validate === true
      ? (c, signal) => validatePatch({ repo: opts.repo, patch: c.diff, tests: opts.tests, signal })
      : typeof opts.validate === 'function'
        ? opts.validate
        : undefined;
  if (!validator || opts.signal?.aborted) {
    const c = agent.candidates[0];
    return finish({ diff: c.diff, chosenId: c.id, reason: `${c.id} is the first applicable candidate (not validated by tests).` });
  }

  emit({ type: 'stage', stage: 'validate' });
  for (const c of agent.candidates) {
    if (opts.signal?.aborted) break;
    try {
      const v = await validator(c, opts.signal);
      validations[c.id] = { verdict: v.verdict, failToPass: v.failToPass, passToFail: v.passToFail, explanation: v.explanation };
      emit({ type: 'candidate', id: c.id, diff: c.diff, evidence: { failToPass: v.failToPass, passToFail: v.passToFail, verdict: v.verdict } });
    } catch (e) {
      validations[c.id] = { verdict: 'error', failToPass: [], passToFail: [], explanation: (e as Error).message };
      emit({ type: 'error', message: `Validating ${c.id} failed: ${(e as Error).message}`, recoverable: true });
    }
  }
  emit({ type: 'stage', stage: 'select' });
  // Resolved beats everything; then no regressions with the most newly passing tests; then the first.
  const ranked = agent.candidates
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
  if (!best) {
    const c = agent.candidates[0];
    return finish({ diff: c.diff, chosenId: c.id, reason: `${c.id} chosen without test evidence (validation did not run).` });
  }
  const v = best.v;
  const reason =
    v.verdict === 'resolved'
      ? `${best.c.id} resolves the issue by the tests: ${v.failToPass.length} test(s) now pass, none regress.`
      : `${best.c.id} is the best of ${agent.candidates.length} candidate(s) but not proven (verdict ${v.verdict}; ${v.failToPass.length} newly passing, ${v.passToFail.length} regressed).`;
  return finish({ diff: best.c.diff, chosenId: best.c.id, reason });
}
