// npm run bench:select [-- --json] [--ids a,b] [--oracle none|fail-to-pass|both] [--runs 1,2,3]
//                      [--root DIR] [--cache FILE | --no-cache] [--out FILE] [--verbose]
// Candidate choice on real patches. For each Python instance of shared/bench, AutoCodeRover's
// published runs (results/acr-run-1..3) give up to three candidates: each run's final raw edit
// applied by Rover's applier (bench/lib/acr.ts). Rover's validation and choice (chooseCandidate)
// pick one, and the reference harness (validate.sh) grades every candidate, so the pick's grade is
// known. Modes: `none` (regression tests + vote: a user with no failing test) and `fail-to-pass`
// (the instance's FAIL_TO_PASS tests, with its test_patch as setup, stand in for a good
// reproduction test). No model is reachable: ties go to the smallest change, as chooseCandidate does
// without a reviewer. Gradings are cached by instance and patch (a rerun only re-runs the choice).
// Time: each choice is set beside (candidates + 1) plain runs of the same test command + 10 s.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseCandidate, type Candidate, type ChooseResult } from '../src/core/validate/choose';
import { runProcess } from '../src/core/proc/run';
import { testEnv } from '../src/core/runner/env';
import { ensureCheckout, ensureDepsDir, instanceRunner, loadInstances, startHttpbin, testDirectives, type Instance } from './lib/swebench';
import { ACR, BENCH, REPOS, baseCommit, git, listTasks, mirrorOf, publishedCandidate, readTaskFiles, repoSource, type AcrTask } from './lib/acr';
import { harnessGrade, type HarnessGrade } from './lib/harness';

type Mode = 'none' | 'fail-to-pass';

interface CandidateRow {
  id: string;
  run: string;
  attempt: number;
  acr_status: string;
  /** ACR's final attempt was refused by Rover's applier; another attempt of the run was used. */
  fallback: boolean;
  changed_lines: number;
  resolved: boolean | null;
  grade_error?: string;
  /** ACR's own evaluation of its run (new_eval_results/report.json), for comparison only. */
  acr_reported_resolved: boolean;
}

interface ModeRow {
  winner?: string;
  winner_resolved: boolean;
  /** No winner, but the least-harm candidate the user is shown for review (chooseCandidate's `offered`). */
  offered?: string;
  offered_resolved?: boolean;
  reason: string;
  ranking: { id: string; kept: boolean; reason: string; verdict: string; resolved: boolean | null }[];
  regression: string;
  test_files: number;
  seconds: number;
  /** Time inside the test commands Rover ran (the shared baseline once, one run per candidate). */
  test_seconds: number;
  /** One run of the command Rover ran, straight in the checkout (no worktree, no parsing). */
  plain_seconds: number | null;
  target_seconds: number | null;
  within_target: boolean | null;
  error?: string;
}

interface InstanceRow {
  id: string;
  repo: string;
  candidates: CandidateRow[];
  no_candidate: { run: string; why: string }[];
  /** The harness's own test run for the instance (validate.sh's seconds_before), for reference. */
  harness_plain_seconds: number | null;
  modes: Partial<Record<Mode, ModeRow>>;
  error?: string;
}

const changedLines = (diff: string) => diff.split('\n').filter((l) => /^[+-](?![+-]{2} )/.test(l)).length;
const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 16);
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

class GradeCache {
  private data: Record<string, HarnessGrade> = {};
  constructor(private readonly file: string | undefined) {}
  async load() {
    if (this.file && existsSync(this.file)) this.data = JSON.parse(await readFile(this.file, 'utf8'));
    return this;
  }
  get(id: string, diff: string) {
    return this.data[`${id}:${sha(diff)}`];
  }
  async set(id: string, diff: string, g: HarnessGrade) {
    // a harness failure is not a grade: it is tried again next time
    if (g.resolved === null || !this.file) return;
    this.data[`${id}:${sha(diff)}`] = g;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, JSON.stringify(this.data, null, 1));
  }
}

async function acrReported(runs: string[]): Promise<Record<string, Set<string>>> {
  const out: Record<string, Set<string>> = {};
  for (const run of runs) {
    const r = await git(ACR, ['show', `HEAD:results/acr-run-${run}/new_eval_results/report.json`]);
    out[run] = new Set(r.ok ? ((JSON.parse(r.out).resolved ?? []) as string[]) : []);
  }
  return out;
}

/** One run of `argv` in the checkout as the harness would run it: setup patch applied, then reset. */
async function plainRun(dir: string, argv: string[], env: NodeJS.ProcessEnv, setup: string | undefined, timeoutMs: number): Promise<number | null> {
  const gitIn = (a: string[], stdin?: string) => runProcess('git', a, { cwd: dir, timeoutMs: 120_000, ...(stdin !== undefined ? { stdin } : {}) });
  try {
    if (setup && (await gitIn(['apply', '--whitespace=nowarn', '-'], setup)).code !== 0) return null;
    const r = await runProcess(argv[0], argv.slice(1), { cwd: dir, env, timeoutMs, maxOutputBytes: 1 << 20 });
    return r.timedOut ? null : r.durationMs / 1000;
  } finally {
    await gitIn(['reset', '-q', '--hard']);
    // not -x: ignored files the tests need (pytest's generated _version.py) stay
    await gitIn(['clean', '-fdq']);
  }
}

async function chooseIn(mode: Mode, inst: Instance, dir: string, cands: Candidate[], root: string, svcEnv: NodeJS.ProcessEnv | undefined, grades: Map<string, boolean | null>, log: (s: string) => void): Promise<ModeRow> {
  const ir = instanceRunner(inst, root);
  const oracle = mode === 'fail-to-pass';
  const t0 = Date.now();
  let res: ChooseResult;
  try {
    res = await chooseCandidate(cands, {
      repo: dir,
      includeUncommitted: false,
      runner: ir.runner,
      timeoutMs: ir.timeoutMs,
      ...(oracle ? { oracle: inst.FAIL_TO_PASS, oracleFiles: testDirectives(inst), setupPatch: inst.test_patch } : {}),
      validation: { linkPaths: ir.linkPaths, env: svcEnv, maxOutputBytes: 64 << 20 },
      onProgress: (m) => log(`    ${mode}: ${m}`),
    });
  } catch (e) {
    return { winner_resolved: false, reason: '', ranking: [], regression: '', test_files: 0, seconds: (Date.now() - t0) / 1000, test_seconds: 0, plain_seconds: null, target_seconds: null, within_target: null, error: (e as Error).message };
  }
  const seconds = (Date.now() - t0) / 1000;
  const baseline = Object.values(res.evidence).find((e) => e.before.command.length > 0)?.before;
  let plain: number | null = null;
  if (baseline) plain = await plainRun(dir, baseline.command, testEnv(ir.runner, dir, process.env, svcEnv), oracle ? inst.test_patch : undefined, ir.timeoutMs);
  const target = plain === null ? null : (cands.length + 1) * plain + 10;
  const ev = Object.values(res.evidence);
  const testMs = (baseline?.durationMs ?? 0) + ev.reduce((a, e) => a + e.after.durationMs + (e.before !== baseline ? e.before.durationMs : 0), 0);
  return {
    winner: res.winner,
    winner_resolved: res.winner ? grades.get(res.winner) === true : false,
    ...(res.offered ? { offered: res.offered.id, offered_resolved: grades.get(res.offered.id) === true } : {}),
    reason: res.reason,
    ranking: res.ranking.map((r) => ({ id: r.id, kept: r.kept, reason: r.reason, verdict: r.verdict, resolved: grades.get(r.id) ?? null })),
    regression: res.regression.reason,
    test_files: baseline ? baseline.command.length - (ir.runner.command.length - 1) : 0,
    seconds,
    test_seconds: testMs / 1000,
    plain_seconds: plain,
    target_seconds: target,
    within_target: target === null ? null : seconds <= target,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      json: { type: 'boolean' },
      ids: { type: 'string' },
      oracle: { type: 'string' },
      runs: { type: 'string' },
      root: { type: 'string' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean' },
      instances: { type: 'string' },
      out: { type: 'string' },
      verbose: { type: 'boolean' },
    },
  });
  const oracleArg = values.oracle ?? 'both';
  if (!['none', 'fail-to-pass', 'both'].includes(oracleArg)) {
    console.error(`bench:select: --oracle must be none, fail-to-pass or both (got "${oracleArg}")`);
    return 2;
  }
  const modes: Mode[] = oracleArg === 'both' ? ['none', 'fail-to-pass'] : [oracleArg as Mode];
  const runs = (values.runs ?? '1,2,3').split(',').map((s) => s.trim()).filter(Boolean);
  if (!existsSync(ACR)) {
    console.error(`bench:select: no ACR mirror at ${ACR}; fetch nus-apr/auto-code-rover first.`);
    return 2;
  }
  const root = resolve(values.root ?? process.env.SWEBENCH_ROOT ?? '/tmp/swebench-select');
  const data = resolve(values.instances ?? join(BENCH, 'instances.jsonl'));
  const cacheFile = values['no-cache'] ? undefined : resolve(values.cache ?? join(root, '_rover', 'bench-select-grades.json'));
  const cache = await new GradeCache(cacheFile).load();
  const log = (s: string) => {
    if (!values.json || values.verbose) process.stderr.write(`${s}\n`);
  };

  const all = await loadInstances(data);
  let ids = [...all.values()].filter((i) => REPOS[i.instance_id.replace(/-\d+$/, '')]).map((i) => i.instance_id);
  if (values.ids) {
    const want = values.ids.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = want.filter((i) => !ids.includes(i));
    if (bad.length) {
      console.error(`bench:select: not a Python instance of ${data}: ${bad.join(', ')}`);
      return 2;
    }
    ids = want;
  }
  const tasks = await listTasks(runs);
  const blob = await readTaskFiles(tasks);
  const reported = await acrReported(runs);
  const byInstance = new Map<string, AcrTask[]>();
  for (const t of tasks) byInstance.set(t.instance, [...(byInstance.get(t.instance) ?? []), t]);

  const t0 = Date.now();
  const rows: InstanceRow[] = [];
  for (const id of ids) {
    const inst = all.get(id)!;
    const row: InstanceRow = { id, repo: inst.repo, candidates: [], no_candidate: [], harness_plain_seconds: null, modes: {} };
    rows.push(row);
    const ti = Date.now();
    let svc: { url: string; stop(): void } | undefined;
    try {
      const dir = await ensureCheckout(inst, root, BENCH);
      await ensureDepsDir(inst, root);
      const cands: Candidate[] = [];
      for (const run of runs) {
        const t = byInstance.get(id)?.find((x) => x.run === run);
        if (!t) {
          row.no_candidate.push({ run, why: 'no task folder in this run' });
          continue;
        }
        const commit = baseCommit(t, blob) ?? inst.base_commit;
        const c = await publishedCandidate(t, blob, repoSource(mirrorOf(t), commit));
        if ('refused' in c) {
          row.no_candidate.push({ run, why: c.refused.length ? `Rover's applier refused every attempt: ${c.refused.join('; ')}` : 'no raw edit' });
          continue;
        }
        const cid = `run${run}`;
        cands.push({ id: cid, diff: c.diff });
        let g = cache.get(id, c.diff);
        if (!g) {
          log(`${id}: grading ${cid} with validate.sh`);
          g = await harnessGrade(BENCH, id, c.diff, { SWEBENCH_ROOT: root, DATA: data });
          await cache.set(id, c.diff, g);
        }
        row.harness_plain_seconds ??= g.seconds_before ?? null;
        row.candidates.push({
          id: cid, run, attempt: c.attempt, acr_status: c.acrStatus, fallback: c.fallback, changed_lines: changedLines(c.diff),
          resolved: g.resolved, ...(g.error ? { grade_error: g.error } : {}), acr_reported_resolved: reported[run]?.has(id) ?? false,
        });
      }
      const grades = new Map(row.candidates.map((c) => [c.id, c.resolved]));
      if (cands.length) {
        const ir = instanceRunner(inst, root);
        if (ir.service === 'httpbin') svc = await startHttpbin(BENCH);
        for (const mode of modes) {
          row.modes[mode] = await chooseIn(mode, inst, dir, cands, root, svc ? { HTTPBIN_URL: svc.url } : undefined, grades, values.verbose ? log : () => undefined);
        }
      }
    } catch (e) {
      row.error = (e as Error).message.slice(0, 1000);
    } finally {
      svc?.stop();
    }
    const c = row.candidates.map((x) => `${x.id}${x.resolved ? '+' : x.resolved === false ? '-' : '?'}`).join(' ') || 'no candidate';
    const m = modes.map((mode) => {
      const r = row.modes[mode];
      if (!r) return `${mode}: -`;
      return `${mode}: ${r.winner ?? (r.offered ? `none, offers ${r.offered}${r.offered_resolved ? ' (resolves)' : ' (does not resolve)'}` : 'none')}${r.winner ? (r.winner_resolved ? ' (resolves)' : ' (does not resolve)') : ''} ${r.seconds.toFixed(0)}s/${r.target_seconds?.toFixed(0) ?? '?'}s`;
    });
    log(`${id}: [${c}] ${m.join('  ')}${row.error ? `  ERROR ${row.error}` : ''}  (${((Date.now() - ti) / 1000).toFixed(0)} s)`);
    if (values.out) await writeFile(resolve(values.out), JSON.stringify({ partial: true, per_instance: rows }, null, 1));
  }

  const summary = summarize(rows, runs, modes, (Date.now() - t0) / 1000);
  if (values.out) await writeFile(resolve(values.out), JSON.stringify({ ...summary, per_instance: rows }, null, 1));
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else printSummary(summary);
  return 0;
}

function summarize(rows: InstanceRow[], runs: string[], modes: Mode[], seconds: number) {
  const resolvedBy = (run: string) => rows.filter((r) => r.candidates.some((c) => c.run === run && c.resolved)).length;
  const perRun = Object.fromEntries(runs.map((run) => [`acr_run${run}_resolved`, resolvedBy(run)]));
  const byMode = (mode: Mode) => {
    const ms = rows.map((r) => r.modes[mode]).filter((m): m is ModeRow => !!m && !m.error);
    const timed = ms.filter((m) => m.plain_seconds !== null);
    return {
      chosen_resolved: rows.filter((r) => r.modes[mode]?.winner_resolved).length,
      no_winner: ms.filter((m) => !m.winner).length,
      // what the user is shown: the winner, else the least-harm offer (not called validated)
      shown_resolved: rows.filter((r) => r.modes[mode]?.winner_resolved || r.modes[mode]?.offered_resolved).length,
      offered: ms.filter((m) => m.offered).length,
      resolving_dropped: rows.flatMap((r) => (r.modes[mode]?.ranking ?? []).filter((x) => x.resolved && !x.kept).map((x) => ({ instance: r.id, mode, candidate: x.id, reason: x.reason }))),
      // a resolving candidate survived but another won (the vote or the size tie-break)
      resolving_outvoted: rows.filter((r) => { const m = r.modes[mode]; return m?.winner && !m.winner_resolved && m.ranking.some((x) => x.resolved && x.kept); }).map((r) => r.id),
      seconds_median: r2(median(ms.map((m) => m.seconds))),
      plain_seconds_median: r2(median(timed.map((m) => m.plain_seconds!))),
      // wall time outside the test commands (worktrees, patching, parsing): load on the machine does not inflate it
      overhead_seconds_median: r2(median(ms.map((m) => m.seconds - m.test_seconds))),
      overhead_seconds_max: r2(ms.length ? Math.max(...ms.map((m) => m.seconds - m.test_seconds)) : null),
      // seconds / ((candidates + 1) x plain): 1.0 = exactly the test runs a choice needs, nothing else
      over_plain_ratio: r2(median(timed.map((m) => m.seconds / ((m.ranking.length + 1) * m.plain_seconds!)))),
      within_time_target: timed.filter((m) => m.within_target).length,
      timed: timed.length,
      // the same target against the harness's own run of the instance (its test files only): Rover
      // also runs the regression tests it selects, so this one measures the choice's breadth too
      within_time_target_vs_harness_run: rows.filter((r) => {
        const m = r.modes[mode];
        return m && !m.error && r.harness_plain_seconds !== null && m.seconds <= (m.ranking.length + 1) * r.harness_plain_seconds + 10;
      }).length,
      errors: rows.filter((r) => r.modes[mode]?.error).map((r) => ({ instance: r.id, error: r.modes[mode]!.error })),
    };
  };
  const by = Object.fromEntries(modes.map((m) => [m, byMode(m)])) as Partial<Record<Mode, ReturnType<typeof byMode>>>;
  const allModes = rows.flatMap((r) => modes.map((m) => r.modes[m]).filter((m): m is ModeRow => !!m && !m.error));
  const timed = allModes.filter((m) => m.plain_seconds !== null);
  return {
    instances: rows.length,
    candidates: rows.reduce((a, r) => a + r.candidates.length, 0),
    ...perRun,
    acr_best_run_resolved: Math.max(0, ...runs.map(resolvedBy)),
    acr_any_resolved: rows.filter((r) => r.candidates.some((c) => c.resolved)).length,
    chosen_resolved_no_oracle: by.none?.chosen_resolved ?? null,
    chosen_resolved_with_oracle: by['fail-to-pass']?.chosen_resolved ?? null,
    shown_resolved_no_oracle: by.none?.shown_resolved ?? null,
    shown_resolved_with_oracle: by['fail-to-pass']?.shown_resolved ?? null,
    resolving_dropped: modes.flatMap((m) => by[m]!.resolving_dropped),
    seconds_median: r2(median(allModes.map((m) => m.seconds))),
    over_plain_ratio: r2(median(timed.map((m) => m.seconds / ((m.ranking.length + 1) * m.plain_seconds!)))),
    within_time_target: timed.filter((m) => m.within_target).length,
    timed: timed.length,
    tie_break: 'smallest change (no model is reachable here, so the reviewer is not used)',
    acr_reported_resolved: Object.fromEntries(runs.map((run) => [`run${run}`, rows.filter((r) => r.candidates.some((c) => c.run === run && c.acr_reported_resolved)).length])),
    candidates_from_fallback_attempt: rows.reduce((a, r) => a + r.candidates.filter((c) => c.fallback).length, 0),
    no_candidate: rows.flatMap((r) => r.no_candidate.map((n) => ({ instance: r.id, ...n }))).length,
    grade_errors: rows.flatMap((r) => r.candidates.filter((c) => c.resolved === null).map((c) => ({ instance: r.id, candidate: c.id, error: c.grade_error }))),
    errors: rows.filter((r) => r.error).map((r) => ({ instance: r.id, error: r.error })),
    by_mode: by,
    seconds: Math.round(seconds),
  };
}

function printSummary(s: ReturnType<typeof summarize>): void {
  const runs = Object.keys(s).filter((k) => /^acr_run\d+_resolved$/.test(k));
  console.log(`instances ${s.instances}, candidates ${s.candidates} (${s.candidates_from_fallback_attempt} from a fallback attempt; ${s.no_candidate} run(s) gave none)`);
  console.log(`ACR runs resolved (graded here): ${runs.map((k) => `${k.slice(4, -9)} ${(s as unknown as Record<string, number>)[k]}`).join(', ')}; best run ${s.acr_best_run_resolved}; any candidate ${s.acr_any_resolved} (ceiling)`);
  console.log(`  (ACR's own report: ${Object.entries(s.acr_reported_resolved).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  for (const [mode, m] of Object.entries(s.by_mode)) {
    if (!m) continue;
    console.log(`--oracle ${mode}: chosen resolves ${m.chosen_resolved}; no winner ${m.no_winner} (least-harm offers ${m.offered}; shown and resolves ${m.shown_resolved}); resolving dropped ${m.resolving_dropped.length}; resolving outvoted ${m.resolving_outvoted.length}` +
      `; seconds median ${m.seconds_median} (plain ${m.plain_seconds_median}); over (k+1) plain runs ${m.over_plain_ratio}x; within (k+1) x plain + 10 s: ${m.within_time_target}/${m.timed}` +
      ` (vs the harness's own run: ${m.within_time_target_vs_harness_run})` +
      `; outside the test commands median ${m.overhead_seconds_median} s, max ${m.overhead_seconds_max} s`);
    for (const d of m.resolving_dropped) console.log(`  dropped ${d.instance} ${d.candidate}: ${d.reason}`);
    for (const e of m.errors) console.log(`  error ${e.instance}: ${e.error}`);
  }
  for (const e of s.grade_errors) console.log(`  no grade ${e.instance} ${e.candidate}: ${e.error}`);
  for (const e of s.errors) console.log(`  error ${e.instance}: ${e.error}`);
  console.log(`ties: ${s.tie_break}`);
  console.log(`${s.seconds} s`);
}

main().then(
  (c) => (process.exitCode = c),
  (e) => {
    console.error(`bench:select: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  },
);
