// One fix session, from an issue's text to a validated, chosen patch. The CLI's `rover fix` and the
// editor's Fix This Issue only gather inputs and show these events; the flow lives here:
//   1. oracle tests: the caller's failing tests, else a reproduction test the model writes and that
//      fails on the base commit for the issue's reason (reproduce.ts);
//   2. localization: SBFL from the oracle (its top entries go into the model's prompt), else the
//      model's search alone;
//   3. candidates: N patches from the agent (run-agent.ts), as many as the budget covers;
//   4. validation of each candidate in its own worktree: the oracle must pass (a reproduction test is
//      applied as setup), regression tests chosen by coverage (else imports) must not break;
//   5. choice: filter → vote → the model only to break ties (validate/choose.ts).
// Every model call goes through one ledger, so one budget caps the whole session and the cost shown
// is the cost of all of it. The user's tree is only read; every trial runs in a private checkout.
import { WorkspaceIndex } from '../index/workspace-index';
import { CostLedger, withBudget } from '../llm/index';
import { BudgetExceededError, ModelError, type ChatProvider } from '../llm/types';
import type { LedgerTotals } from '../llm/cost-ledger';
import { coveredLines, localize, topSuspects } from '../localize/localize';
import { LocalizeError, type Suspect } from '../localize/types';
import { detectRunner, NoRunnerError } from '../runner/detect';
import type { TestRunnerSpec } from '../runner/types';
import type { ValidationReport } from '../validate/types';
import { writeTrajectory } from './trajectory';
import type { AgentEvent, BugLocation, OracleSource, SuspectSummary } from './events';
import { canReproduceWith, generateReproductionTest, type ReproductionAttempt, type ReproductionTest } from './reproduce';
import { runAgent, type AgentLimits, type AgentResult, type Candidate } from './run-agent';
import { chooseCandidate } from '../validate/choose';
import { issueCodeContext, localizationTestPaths, suspectSummaries } from './session-steps';

export interface FixSessionOptions {
  repo: string;
  issue: string;
  /** The model, as created from the user's settings; the session counts every call against its budget. */
  provider: ChatProvider;
  index?: WorkspaceIndex;
  /** Tests that fail because of the issue, when the user has them. */
  failingTests?: string[];
  /** Where `failingTests` came from (the editor offers the last run's failures). Default 'given'. */
  oracleSource?: Extract<OracleSource, 'given' | 'last-run'>;
  /** Write a reproduction test when no failing test is given. Default true. */
  reproduce?: boolean;
  /** Spectrum-based localization from the oracle tests. Default true. */
  localize?: boolean;
  /** Validate candidates with the project's tests: 'auto' (default) when a test runner is found. */
  validate?: boolean | 'auto';
  /** Test command override (settings); default detected from the project. */
  runner?: TestRunnerSpec;
  testTimeoutMs?: number;
  /** The agent's limits, handed down as given; candidates default to 3 here (fewer when the budget would not cover them). */
  limits?: AgentLimits;
  budgetUsd?: number;
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  trajectoryPath?: string;
  /** Coverage cache of localization; false: none. Default ~/.cache/rover/localize. */
  localizeCacheDir?: string | false;
  checkoutParent?: string;
}

export type FixStatus = 'patched' | 'no-patch' | 'cancelled' | 'budget-exhausted' | 'error';

export interface CandidateOutcome {
  id: string;
  diff: string;
  files: string[];
  verdict?: ValidationReport['verdict'];
  kept?: boolean;
  /** What supports it, or why choice dropped it. */
  note?: string;
  failToPass: string[];
  passToFail: string[];
}

export interface FixSessionResult {
  status: FixStatus;
  /** The chosen patch (the source change only). */
  diff?: string;
  /** What the review shows: the chosen patch plus the reproduction test as a new file of its own. */
  reviewDiff?: string;
  chosenId?: string;
  reason: string;
  /** The chosen patch passed validation by the project's tests (and the oracle, when there is one). */
  validated: boolean;
  oracle: { source: OracleSource; tests: string[]; message: string };
  reproduction?: { test?: ReproductionTest; attempts: ReproductionAttempt[]; reason: string };
  localization: { source: 'sbfl' | 'search-only'; message: string; suspects: SuspectSummary[]; coverage?: Map<string, Set<string>> };
  candidates: CandidateOutcome[];
  locations: BugLocation[];
  /** Every model call of the session: reproduction, retrieval, patches, reviewer. */
  usage: LedgerTotals;
  budgetUsd?: number;
  /** Things the user should know (budget stops, skipped steps). */
  notes: string[];
  /** Tests that showed the chosen patch works (re-run after the user accepts). */
  validatingTests: string[];
  agent?: AgentResult;
  error?: string;
}

class Stop extends Error {
  constructor(readonly status: FixStatus, message: string) {
    super(message);
  }
}

export async function runFixSession(o: FixSessionOptions): Promise<FixSessionResult> {
  const t0 = Date.now();
  const emit = (e: AgentEvent) => {
    try {
      o.onEvent?.(e);
    } catch {
      /* a listener's error is not the run's */
    }
  };
  const ledger = new CostLedger(o.budgetUsd);
  const model = withBudget(o.provider, ledger);
  const usage = () => {
    const t = ledger.totals;
    emit({ type: 'usage', inputTokens: t.inputTokens, outputTokens: t.outputTokens, costUsd: t.costUsd, calls: t.calls });
  };
  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    emit({ type: 'note', message });
  };
  const r: FixSessionResult = {
    status: 'no-patch',
    reason: '',
    validated: false,
    oracle: { source: 'none', tests: [], message: '' },
    localization: { source: 'search-only', message: '', suspects: [] },
    candidates: [],
    locations: [],
    usage: ledger.totals,
    budgetUsd: o.budgetUsd,
    notes,
    validatingTests: [],
  };
  const checkCancel = () => {
    if (o.signal?.aborted) throw new Stop('cancelled', 'Cancelled.');
  };
  let index = o.index;
  const ownIndex = !index;

  try {
    // ---- the test runner (no runner: no reproduction, no localization, no validation) ----
    let runner: TestRunnerSpec | undefined;
    let noRunner = '';
    try {
      runner = o.runner ?? (await detectRunner(o.repo));
    } catch (e) {
      if (!(e instanceof NoRunnerError)) throw e;
      noRunner = e.message;
    }
    checkCancel();

    // ---- 1. oracle tests ----
    const given = [...new Set((o.failingTests ?? []).map((t) => t.trim()).filter(Boolean))];
    let setupPatch: string | undefined;
    let reproduction: ReproductionTest | undefined;
    if (given.length) {
      r.oracle = { source: o.oracleSource ?? 'given', tests: given, message: `${given.length} failing test(s) ${o.oracleSource === 'last-run' ? 'from your last test run' : 'given'}: ${given.join(', ')}` };
    } else if (o.reproduce === false) {
      r.oracle.message = 'No failing test given and reproduction is off (--no-reproduce).';
    } else if (!runner) {
      r.oracle.message = `No failing test given, and no reproduction test can run: ${noRunner}`;
    } else if (!canReproduceWith(runner)) {
      r.oracle.message = `No failing test given; Rover cannot tell one test's verdict from another with ${runner.kind} (${runner.detectedFrom ?? 'detected'}), so it writes no reproduction test.`;
    } else {
      emit({ type: 'stage', stage: 'reproduce', message: 'writing a test that reproduces the issue' });
      index ??= await WorkspaceIndex.open(o.repo);
      const context = issueCodeContext(index, o.issue);
      let rep;
      try {
        rep = await generateReproductionTest({
          repo: o.repo, issue: o.issue, provider: model, runner, context, timeoutMs: o.testTimeoutMs, signal: o.signal, checkoutParent: o.checkoutParent,
          onAttempt: (a) => {
            usage();
            emit({ type: 'reproduction-attempt', attempt: a.attempt, file: a.file, kept: !a.rejected, reason: a.rejected ?? 'fails on the base commit the way the issue describes', output: a.output });
          },
        });
      } finally {
        usage();
      }
      r.reproduction = { test: rep.test, attempts: rep.attempts, reason: rep.reason };
      checkCancel();
      if (rep.test) {
        reproduction = rep.test;
        setupPatch = rep.test.patch;
        r.oracle = { source: 'reproduction', tests: rep.test.failingTests, message: rep.reason };
      } else r.oracle.message = `${rep.reason}. Going on without an oracle: candidates are judged by regression tests and votes.`;
    }
    emit({
      type: 'oracle', source: r.oracle.source, tests: r.oracle.tests, message: r.oracle.message,
      ...(reproduction ? { reproduction: { file: reproduction.file, content: reproduction.content, output: reproduction.failure } } : {}),
    });

    // ---- 2. localization ----
    let suspects: Suspect[] | undefined;
    let coverage: Map<string, Set<string>> | undefined;
    if (!r.oracle.tests.length) r.localization.message = 'No failing test to localize from: the model searches the code alone.';
    else if (o.localize === false) r.localization.message = 'Localization is off (--no-localize): the model searches the code alone.';
    else if (!runner) r.localization.message = `No test runner: ${noRunner}`;
    else {
      emit({ type: 'stage', stage: 'localize', message: `spectrum-based localization from ${r.oracle.tests.join(', ')}` });
      try {
        const loc = await localize({
          repo: o.repo, failing: r.oracle.tests, allPassing: true, issueText: o.issue, runner, setupPatch, signal: o.signal, timeoutMs: o.testTimeoutMs,
          testPaths: await localizationTestPaths(o.repo, runner, r.oracle.tests),
          cacheDir: o.localizeCacheDir,
          symbols: index ? async (f) => index!.getFile(f)?.symbols : undefined,
        });
        suspects = topSuspects(loc, 10);
        coverage = coveredLines(loc);
        r.localization = {
          source: 'sbfl', suspects: suspectSummaries(loc.entries), coverage,
          message: `${loc.formula} over ${loc.failing.length} failing and ${loc.passing.length} passing test(s) (${loc.mode} coverage by ${loc.tool})`,
        };
        for (const w of loc.warnings) emit({ type: 'error', message: `localization: ${w}`, recoverable: true });
      } catch (e) {
        checkCancel();
        if (!(e instanceof LocalizeError)) throw e;
        r.localization.message = `Localization failed, the model searches the code alone: ${e.message}`;
      }
    }
    emit({ type: 'localization', source: r.localization.source, message: r.localization.message, suspects: r.localization.suspects });
    checkCancel();

    // ---- 3. candidates ----
    const agent = await runAgent({
      repo: o.repo, issue: o.issue, provider: o.provider, ledger, index, suspects,
      reproduction: reproduction ? { file: reproduction.file, content: reproduction.content, output: reproduction.failure } : undefined,
      ...o.limits, candidates: o.limits?.candidates ?? 3, signal: o.signal,
      // the session says when it is done
      onEvent: (e) => {
        if (e.type === 'stage' && e.stage === 'done') return;
        if (e.type === 'note') notes.push(e.message);
        emit(e);
      },
    });
    r.agent = agent;
    r.locations = agent.locations;
    r.candidates = agent.candidates.map((c) => ({ id: c.id, diff: c.diff, files: c.files, failToPass: [], passToFail: [] }));
    checkCancel();
    if (agent.status === 'budget-exhausted') note(agent.candidates.length ? `The budget ($${o.budgetUsd}) ran out after ${agent.candidates.length} candidate(s); those are validated and compared.` : `The budget ($${o.budgetUsd}) ran out before any patch was written.`);
    if (!agent.candidates.length) {
      throw new Stop(agent.status === 'patched' ? 'no-patch' : agent.status, agent.error ?? 'No candidate patch.');
    }

    // ---- 4 + 5. validation and choice ----
    const validate = o.validate === 'auto' || o.validate === undefined ? !!runner : o.validate;
    if (!validate || !runner) {
      const c = agent.candidates[0];
      const why = !runner ? `no test runner was found (${noRunner})` : 'validation is off';
      return done(c, `${c.id} is the first applicable candidate; it is not validated by tests: ${why}.`, false);
    }
    emit({ type: 'stage', stage: 'validate', message: `testing ${agent.candidates.length} candidate(s) in private checkouts${r.oracle.tests.length ? ` against ${r.oracle.tests.length} oracle test(s)` : ' (no oracle: regression tests and votes)'}` });
    let chosen: Awaited<ReturnType<typeof chooseCandidate>>;
    try {
      chosen = await chooseCandidate(agent.candidates.map((c) => ({ id: c.id, diff: c.diff })), {
        repo: o.repo, oracle: r.oracle.tests.length ? r.oracle.tests : undefined, setupPatch, regression: 'auto', coverage,
        runner, timeoutMs: o.testTimeoutMs, signal: o.signal, provider: model, issue: o.issue, checkoutParent: o.checkoutParent,
        onProgress: (message) => emit({ type: 'stage', stage: 'validate', message }),
      });
    } finally {
      usage();
    }
    checkCancel();
    if (chosen.budgetStopped) note('The budget was spent before the model could break a tie between equally good patches; the smallest one was taken.');
    for (const c of r.candidates) {
      const v = chosen.evidence[c.id];
      const rank = chosen.ranking.find((x) => x.id === c.id);
      if (!v) continue;
      Object.assign(c, { verdict: v.verdict, kept: rank?.kept, note: rank?.reason, failToPass: v.failToPass, passToFail: v.passToFail });
      emit({ type: 'candidate', id: c.id, diff: c.diff, evidence: { verdict: v.verdict, failToPass: v.failToPass, passToFail: v.passToFail, kept: rank?.kept, note: rank?.reason } });
    }
    emit({ type: 'stage', stage: 'select' });
    const winner = agent.candidates.find((c) => c.id === chosen.winner);
    // no winner: the choice's least-harm offer (it heads the ranking), else the first candidate
    const pick = winner ?? agent.candidates.find((c) => c.id === (chosen.offered?.id ?? chosen.ranking[0]?.id)) ?? agent.candidates[0];
    const report = chosen.evidence[pick.id];
    r.validatingTests = report ? [...new Set([...r.oracle.tests, ...report.failToPass, ...Object.keys(report.after.results).filter((t) => t !== '<suite>')])] : r.oracle.tests;
    return done(pick, winner || chosen.offered ? chosen.reason : `No candidate passed validation (${chosen.reason}) ${pick.id} is offered for review with care.`, !!winner);
  } catch (e) {
    if (e instanceof Stop) {
      r.status = e.status;
      r.reason = e.message;
    } else if (o.signal?.aborted || (e instanceof ModelError && e.kind === 'cancelled') || (e instanceof LocalizeError && /Cancelled/.test(e.message))) {
      r.status = 'cancelled';
      r.reason = 'Cancelled.';
    } else if (e instanceof BudgetExceededError) {
      r.status = 'budget-exhausted';
      r.reason = `${e.message} Stopped with what the session had: ${r.oracle.source === 'reproduction' ? 'a reproduction test, ' : ''}no patch.`;
      note(r.reason);
    } else {
      r.status = 'error';
      r.reason = e instanceof Error ? e.message : String(e);
      r.error = r.reason;
    }
    if (r.status === 'cancelled') r.diff = r.reviewDiff = r.chosenId = undefined;
    // a Stop carries what its step already reported (the agent emits its own errors): said once
    if (!(e instanceof Stop) && r.status !== 'cancelled') emit({ type: 'error', message: r.reason, recoverable: false });
    return finish();
  } finally {
    if (ownIndex && index) await index.close().catch(() => undefined);
  }

  async function done(c: Candidate, reason: string, validated: boolean): Promise<FixSessionResult> {
    r.status = 'patched';
    r.diff = c.diff;
    r.chosenId = c.id;
    r.reason = reason;
    r.validated = validated;
    const test = r.reproduction?.test;
    r.reviewDiff = test ? `${c.diff.endsWith('\n') ? c.diff : `${c.diff}\n`}${test.patch}` : c.diff;
    emit({ type: 'selected', id: c.id, reason });
    return finish();
  }

  async function finish(): Promise<FixSessionResult> {
    r.usage = { ...ledger.totals };
    usage();
    if (o.trajectoryPath) {
      try {
        await writeTrajectory(o.trajectoryPath, sessionTrajectory(r, o, t0, ledger));
      } catch (e) {
        emit({ type: 'error', message: `Could not write the trajectory to ${o.trajectoryPath}: ${(e as Error).message}`, recoverable: true });
      }
    }
    emit({ type: 'stage', stage: 'done', message: r.status });
    return r;
  }
}

/** The agent's trajectory with the session's own steps beside it, replayable offline. */
function sessionTrajectory(r: FixSessionResult, o: FixSessionOptions, t0: number, ledger: CostLedger) {
  const { coverage: _coverage, ...localization } = r.localization;
  return {
    ...(r.agent?.trajectory ?? { version: 1, tool: 'rover', repo: o.repo, provider: o.provider.id, model: o.provider.model, issue: o.issue }),
    session: {
      status: r.status,
      startedAt: new Date(t0).toISOString(),
      durationMs: Date.now() - t0,
      oracle: r.oracle,
      reproduction: r.reproduction && {
        reason: r.reproduction.reason,
        attempts: r.reproduction.attempts,
        kept: r.reproduction.test && { file: r.reproduction.test.file, content: r.reproduction.test.content, failingTests: r.reproduction.test.failingTests, failure: r.reproduction.test.failure },
      },
      localization,
      candidates: r.candidates,
      chosen: r.chosenId,
      reason: r.reason,
      validated: r.validated,
      notes: r.notes,
      ledger: ledger.toJSON(),
    },
  } as unknown as Parameters<typeof writeTrajectory>[1];
}
