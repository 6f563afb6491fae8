// Choosing among candidate patches (CodeT / Agentless style): every candidate is validated in its
// own checkout state against one shared baseline run; candidates that do not apply, add syntax errors,
// leave the oracle (reproduction / fail-to-pass tests) failing, or break a previously passing test
// of the selected regression set are dropped; the survivors vote by normalized patch (whitespace and
// comments folded), and the model, when given, only breaks ties. The reason is recorded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BudgetExceededError, type ChatProvider } from '../llm/types';
import { languageForPath, parseSource } from '../index/parse-source';
import { git } from '../proc/git';
import { changedFiles, selectRegressionTests, type CoverageInput, type RegressionSelection } from './regression';
import { detectRunner } from '../runner/detect';
import { createSharedCheckout } from '../runner/checkout';
import { validatePatch, type ValidatePatchOptions, type ValidationDetails } from './validate-patch';
import { runnableTestFiles, testsRan } from './runnable';
import { isPassing, type TestRunnerSpec, type TestRunResult } from '../runner/types';
import type { ValidationReport } from './types';

export interface Candidate {
  id: string;
  diff: string;
}

export interface ChooseOptions {
  repo: string;
  /** Tests that must pass with the patch (reproduction test, FAIL_TO_PASS). */
  oracle?: string[];
  /** The files holding the oracle tests, when their ids do not name them (sympy's bin/test ids are bare function names). */
  oracleFiles?: string[];
  /** Applied before both runs (e.g. the reproduction test file as a diff). */
  setupPatch?: string;
  /** Given, or selected from coverage/imports ('auto', default). */
  regression?: RegressionSelection | 'auto' | 'none';
  coverage?: CoverageInput;
  runner?: TestRunnerSpec;
  timeoutMs?: number;
  signal?: AbortSignal;
  includeUncommitted?: boolean;
  /** The model as reviewer, only to break ties between equally supported patches (give it the run's budgeted provider). */
  provider?: ChatProvider;
  issue?: string;
  checkoutParent?: string;
  /** Passed to every validation (a checkout that needs more than the defaults: SWE-bench's generated files, services). */
  validation?: Pick<ValidatePatchOptions, 'baseRef' | 'linkPaths' | 'env' | 'maxOutputBytes'>;
  onProgress?: (message: string) => void;
}

export interface RankedCandidate {
  id: string;
  kept: boolean;
  /** Why it was dropped, or what supports it. */
  reason: string;
  /** Candidates with the same normalized patch (including itself). */
  group: string[];
  verdict: ValidationReport['verdict'];
}

export interface ChooseResult {
  winner?: string;
  ranking: RankedCandidate[];
  reason: string;
  evidence: Record<string, ValidationReport>;
  regression: RegressionSelection;
  /** The reviewer could not be asked: the run's budget was spent. */
  budgetStopped?: boolean;
  /**
   * With no winner: the candidate to show the user anyway, when every candidate that applies (and
   * passes the oracle) breaks some selected test: the one that breaks the fewest, the most common
   * among those, the smallest. Tests that every candidate breaks often check the very behaviour the
   * issue asks to change, so the user reviews them rather than getting nothing.
   */
  offered?: { id: string; breaks: string[] };
}

/** The patch's meaning for voting: changed lines only, whitespace and comments folded, files sorted. */
export function normalizePatch(diff: string): string {
  const files = new Map<string, string[]>();
  let cur = '';
  for (const line of diff.split('\n')) {
    const f = /^\+\+\+ (?:b\/)?(.*)$/.exec(line);
    if (f) {
      cur = f[1].trim();
      if (!files.has(cur)) files.set(cur, []);
      continue;
    }
    if (line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ') || line.startsWith('@@')) continue;
    if (!(line.startsWith('+') || line.startsWith('-'))) continue;
    let body = line.slice(1);
    body = body.replace(/\s+(#|\/\/)(?!.*['"`]).*$/, ''); // trailing comment (not inside a string, roughly)
    body = body.replace(/\s+/g, '');
    if (!body || /^(#|\/\/|\/\*|\*|\*\/)/.test(body)) continue;
    files.get(cur)?.push(line[0] + body);
  }
  return [...files.entries()].filter(([, l]) => l.length).sort(([a], [b]) => a.localeCompare(b)).map(([f, l]) => `${f}\n${l.join('\n')}`).join('\n');
}

/** Rejects a patched tree when an edited file parses with errors it did not have before. */
export function syntaxInspector(diff: string): (dir: string) => Promise<string | undefined> {
  const files = changedFiles(diff).map((c) => c.file);
  return async (dir) => {
    for (const file of files) {
      const lang = languageForPath(file);
      if (!lang) continue;
      let after: string;
      try {
        after = await readFile(join(dir, file), 'utf8');
      } catch {
        continue; // deleted by the patch
      }
      const a = await parseSource(lang, after, file);
      if (!a.hasErrors) continue;
      // the prepared (staged) version before the patch
      const prev = await git(dir, ['show', `:${file}`], { timeoutMs: 30_000, allowFail: true });
      const b = prev.code === 0 ? await parseSource(lang, prev.stdout, file) : undefined;
      if (!b || !b.hasErrors || (a.errorLines?.length ?? 0) > (b.errorLines?.length ?? 0)) {
        return `new syntax error in ${file}${a.errorLines?.length ? `:${a.errorLines[0]}` : ''}`;
      }
    }
    return undefined;
  };
}

function changedLineCount(diff: string): number {
  return diff.split('\n').filter((l) => /^[+-](?![+-]{2} )/.test(l)).length;
}

export async function chooseCandidate(cands: Candidate[], opts: ChooseOptions): Promise<ChooseResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const runner = opts.runner ?? (await detectRunner(opts.repo).catch(() => undefined));
  let regression: RegressionSelection = { tests: [], files: [], reason: 'no regression selection' };
  if (opts.regression && typeof opts.regression === 'object') regression = opts.regression;
  else if (opts.regression !== 'none') {
    // one scan of the test files for the edits of every candidate together
    const all = cands.map((c) => (c.diff.endsWith('\n') ? c.diff : `${c.diff}\n`)).join('');
    regression = (await selectRegressionTests({ repo: opts.repo, diff: all, coverage: opts.coverage }).catch(() => undefined)) ?? { tests: [], files: [], reason: 'no regression tests found' };
  }
  const oracle = opts.oracle ?? [];
  const args = [...new Set([...(opts.oracleFiles ?? oracle.map((t) => t.split('::')[0])), ...regression.files])];
  // runner ids for pytest are node ids; for other runners the file is the unit to run
  const testArgs = args.length ? args : undefined;

  let evidence: Record<string, ValidationDetails> = {};
  let baseline: TestRunResult | undefined;
  let words = testArgs;
  let probed = false;
  // one checkout for all candidates, reset between them: a checkout per candidate costs seconds on a large repository
  const shared = await createSharedCheckout(opts.repo, {
    baseRef: opts.validation?.baseRef, includeUncommitted: opts.includeUncommitted ?? true, linkPaths: opts.validation?.linkPaths, parentDir: opts.checkoutParent,
  });
  try {
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      progress(`validating candidate ${c.id}`);
      const r = await validatePatch({
        ...opts.validation, repo: shared.path, baseRef: shared.baseCommit, includeUncommitted: false, disposableCheckout: true,
        patch: c.diff, tests: oracle.length ? oracle : undefined, testArgs: words, runner, timeoutMs: opts.timeoutMs,
        signal: opts.signal, setupPatch: opts.setupPatch, before: baseline, inspect: syntaxInspector(c.diff), checkoutParent: opts.checkoutParent,
      });
      evidence[c.id] = r;
      if (!baseline && r.before.command.length && !r.before.cancelled && !r.before.timedOut) baseline = r.before;
      if (opts.signal?.aborted) break;
      // no test ran even without a patch: a selected test file that cannot be imported here takes the whole
      // run down (pytest stops at a collection error, sympy's bin/test crashes); keep the files that run
      // alone and start over, once
      if (baseline && !probed && runner && words?.length && regression.files.length && !testsRan(baseline)) {
        probed = true;
        progress('the tests report nothing even without a patch: looking for the test files that run here');
        const { ok, broken } = await runnableTestFiles(shared.path, words, { runner, setupPatch: opts.setupPatch, timeoutMs: opts.timeoutMs, signal: opts.signal, env: opts.validation?.env });
        if (broken.length && ok.length) {
          regression = { ...regression, files: regression.files.filter((f) => ok.includes(f)), reason: `${regression.reason}; left out, as they report nothing here even without a patch: ${broken.join(', ')}` };
          words = ok;
          baseline = undefined;
          evidence = {};
          i = -1;
        }
      }
    }
  } finally {
    await shared.dispose();
  }

  const keys = new Map<string, string[]>();
  for (const c of cands) {
    const k = normalizePatch(c.diff);
    keys.set(k, [...(keys.get(k) ?? []), c.id]);
  }
  const groupOf = (c: Candidate) => keys.get(normalizePatch(c.diff))!;
  const ranking: RankedCandidate[] = cands.map((c) => {
    const r = evidence[c.id];
    const group = groupOf(c);
    if (!r) return { id: c.id, kept: false, reason: 'not validated (cancelled)', group, verdict: 'error' };
    let reason = '';
    if (r.verdict === 'patch-does-not-apply') reason = 'does not apply';
    else if (r.rejectedBy) reason = r.rejectedBy;
    else if (r.verdict === 'timeout') reason = 'tests timed out';
    else if (r.verdict === 'error') reason = `tests could not run: ${r.explanation.split('\n')[0]}`;
    else if (r.verdict === 'regressed') reason = `breaks ${r.passToFail.length} previously passing test(s): ${r.passToFail.slice(0, 3).join(', ')}`;
    else if (oracle.length && r.verdict !== 'resolved') {
      const failing = oracle.filter((t) => !isPassing(r.after.results[t]));
      reason = `oracle test(s) still fail: ${names(failing.length ? failing : r.stillFailing)}`;
    }
    if (reason) return { id: c.id, kept: false, reason, group, verdict: r.verdict };
    return { id: c.id, kept: true, reason: r.verdict === 'resolved' ? (oracle.length ? 'passes the oracle, no regression' : 'fixes failing tests, no regression') : 'no regression (nothing to prove it fixes the issue)', group, verdict: r.verdict };
  });

  const kept = ranking.filter((r) => r.kept);
  let budgetStopped = false;
  const result = (winner: string | undefined, reason: string): ChooseResult => {
    // winners first, then kept by support, then rejected
    const score = (r: RankedCandidate) => (r.id === winner ? 1e6 : 0) + (r.kept ? 1e3 + (r.verdict === 'resolved' ? 500 : 0) + r.group.filter((g) => kept.some((k) => k.id === g)).length : 0);
    return { winner, ranking: [...ranking].sort((a, b) => score(b) - score(a)), reason, evidence, regression };
  };
  if (kept.length === 0) {
    const why = `No candidate survived validation: ${ranking.map((r) => `${r.id}: ${r.reason}`).join('; ')}.`;
    const offered = leastHarm(ranking, evidence, oracle, cands);
    if (!offered) return result(undefined, why);
    const breaks = evidence[offered].passToFail;
    const same = ranking.filter((r) => r.verdict === 'regressed' && evidence[r.id]?.passToFail.length === breaks.length && breaks.every((t) => evidence[r.id].passToFail.includes(t))).length;
    const r = result(undefined, `${why} ${offered} breaks the fewest (${breaks.length}: ${names(breaks)})${same > 1 ? `, as do ${same} of ${cands.length} candidates: those tests may check the behaviour the issue asks to change` : ''}; it is offered for review, not as validated.`);
    const ranked = [...r.ranking].sort((a, b) => Number(b.id === offered) - Number(a.id === offered));
    return { ...r, ranking: ranked, offered: { id: offered, breaks } };
  }
  // vote among survivors; resolved beats merely harmless
  const groups = new Map<string, RankedCandidate[]>();
  for (const r of kept) groups.set(r.group.join(','), [...(groups.get(r.group.join(',')) ?? []), r]);
  const scored = [...groups.values()].map((members) => ({ members, resolved: members[0].verdict === 'resolved', votes: members.length }));
  scored.sort((a, b) => Number(b.resolved) - Number(a.resolved) || b.votes - a.votes);
  const top = scored.filter((s) => s.resolved === scored[0].resolved && s.votes === scored[0].votes);
  const diffOf = (id: string) => cands.find((c) => c.id === id)!.diff;
  const what = (id: string) => {
    if (!scored[0].resolved) return 'breaks no selected test';
    if (oracle.length) return `passes the oracle test(s) ${names(oracle)}`;
    return `makes failing test(s) pass (${names(evidence[id]?.failToPass ?? [])})`;
  };
  const guard = regression.files.length ? `no regression in the ${regression.files.length} selected test file(s) (${names(regression.files)})` : 'no regression in the tests that ran';
  const dropped = ranking.filter((r) => !r.kept).map((r) => `${r.id} ${r.reason}`);
  const others = dropped.length ? ` Dropped: ${dropped.join('; ')}.` : '';
  if (top.length === 1) {
    const w = top[0].members[0].id;
    return result(w, `${w} ${what(w)}, with ${guard}; ${top[0].votes} of ${kept.length} surviving candidate(s) make the same change${scored.length > 1 ? ` (the next group has ${scored[1].votes})` : ''}.${others}`);
  }
  const reps = top.map((t) => t.members[0].id);
  let reviewerFailed = '';
  if (opts.provider) {
    try {
      const pick = await reviewerPick(opts.provider, opts.issue ?? '', reps.map((id) => ({ id, diff: diffOf(id) })), opts.signal);
      if (pick) return result(pick, `${pick} ${what(pick)}, with ${guard}; ${reps.length} different patches tied at ${top[0].votes} vote(s) each, and the model reviewer preferred ${pick}.${others}`);
      reviewerFailed = ' and the reviewer gave no usable answer';
    } catch (e) {
      reviewerFailed = e instanceof BudgetExceededError ? ' and the budget was spent before the reviewer could break the tie' : ` and the reviewer failed (${(e as Error).message.split('\n')[0]})`;
      if (e instanceof BudgetExceededError) budgetStopped = true;
    }
  }
  const smallest = [...reps].sort((a, b) => changedLineCount(diffOf(a)) - changedLineCount(diffOf(b)))[0];
  return { ...result(smallest, `${smallest} ${what(smallest)}, with ${guard}; ${reps.length} different patches tied at ${top[0].votes} vote(s) each${reviewerFailed}, so the smallest change won.${others}`), ...(budgetStopped ? { budgetStopped } : {}) };
}

/** Among candidates whose only fault is breaking tests: the fewest broken, then the most common patch, then the smallest. */
function leastHarm(ranking: RankedCandidate[], evidence: Record<string, ValidationDetails>, oracle: string[], cands: Candidate[]): string | undefined {
  const harmOnly = ranking.filter((r) => r.verdict === 'regressed' && evidence[r.id] && !evidence[r.id].rejectedBy && oracle.every((t) => isPassing(evidence[r.id].after.results[t])));
  if (!harmOnly.length) return undefined;
  const broken = (r: RankedCandidate) => evidence[r.id].passToFail.length;
  const fewest = Math.min(...harmOnly.map(broken));
  const best = harmOnly.filter((r) => broken(r) === fewest);
  const votes = (r: RankedCandidate) => r.group.filter((g) => best.some((b) => b.id === g)).length;
  const size = (r: RankedCandidate) => changedLineCount(cands.find((c) => c.id === r.id)!.diff);
  return [...best].sort((a, b) => votes(b) - votes(a) || size(a) - size(b))[0].id;
}

/** A few test names for a reason line, and how many more there are. */
function names(xs: readonly string[], n = 3): string {
  return xs.slice(0, n).join(', ') + (xs.length > n ? ` and ${xs.length - n} more` : '');
}

async function reviewerPick(provider: ChatProvider, issue: string, cands: Candidate[], signal?: AbortSignal): Promise<string | undefined> {
  const body = cands.map((c) => `### Candidate ${c.id}\n\`\`\`diff\n${c.diff}\n\`\`\``).join('\n\n');
  const res = await provider.complete({
    system: 'You review candidate patches for a reported issue. All of them pass the tests. Pick the one that fixes the issue most correctly and minimally. Answer with one line: BEST: <candidate id>.',
    messages: [{ role: 'user', content: `## Issue\n${issue}\n\n## Candidates\n${body}` }],
    maxTokens: 200,
  }, { signal });
  const m = /BEST:\s*`?([\w.-]+)`?/i.exec(res.text);
  const id = m?.[1];
  if (id && cands.some((c) => c.id === id)) return id;
  const mentioned = cands.filter((c) => res.text.includes(c.id));
  return mentioned.length === 1 ? mentioned[0].id : undefined;
}
