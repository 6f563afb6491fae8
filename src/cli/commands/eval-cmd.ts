// rover eval --instances FILE [--ids a,b | --ids-file F] --mode gold|patch|fix [--patches preds.jsonl]
//            [--root DIR] [--compare validate-sh.jsonl | --no-compare] [--out FILE] [--json]
// For each benchmark instance: a worktree of the prepared checkout at base_commit, the test_patch,
// the instance's FAIL_TO_PASS/PASS_TO_PASS tests run through Rover's runner before and after the
// gold (or given, or Rover-generated) patch, SWE-bench grading, and agreement with the reference
// harness (shared/bench/validate.sh).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CliError, parse } from '../args';
import { runProcess } from '../../core/proc/run';
import { validatePatch } from '../../core/validate';
import {
  ensureCheckout, ensureDepsDir, grade, startHttpbin, instanceRunner, loadInstances, loadPredictions, summarize, sweParseLog, sweStatusMap,
  type EvalReport, type Instance, type InstanceOutcome,
} from '../../../bench/lib/swebench';

const USAGE = 'eval [--rescore REPORT[,REPORT...] --compare FILE] [--worktrees] --instances FILE [--ids a,b] [--ids-file FILE] --mode gold|patch|fix [--patches preds.jsonl] [--root DIR] [--compare FILE | --no-compare] [--out FILE] [--json]';

interface Reference { validated: boolean; resolved: boolean; seconds_before?: number; seconds_after?: number; reason?: string }

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    instances: { type: 'string' },
    ids: { type: 'string', multiple: true },
    'ids-file': { type: 'string' },
    mode: { type: 'string' },
    patches: { type: 'string' },
    root: { type: 'string' },
    compare: { type: 'string' },
    'no-compare': { type: 'boolean' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    rescore: { type: 'string' },
    worktrees: { type: 'boolean' },
  }, USAGE);
  if (values.rescore) return rescore(values.rescore, values.compare, values.json ?? false, values.out);
  if (!values.instances) throw new CliError(`--instances is required\nusage: rover ${USAGE}`);
  const mode = values.mode ?? 'gold';
  if (mode !== 'gold' && mode !== 'patch' && mode !== 'fix') throw new CliError(`--mode must be gold, patch or fix (got "${mode}")`);
  if (mode === 'patch' && !values.patches) throw new CliError('--mode patch needs --patches FILE (JSON lines of {instance_id, model_patch})');
  const instancesFile = resolve(values.instances);
  const benchDir = dirname(instancesFile);
  const all = await loadInstances(instancesFile).catch((e: Error) => { throw new CliError(e.message); });
  let ids = (values.ids ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (values['ids-file']) ids.push(...(await readFile(resolve(values['ids-file']), 'utf8')).split(/\s+/).filter(Boolean));
  if (ids.length === 0) ids = [...all.keys()];
  const unknown = ids.filter((i) => !all.has(i));
  if (unknown.length) throw new CliError(`unknown instance id(s): ${unknown.join(', ')}`);
  const preds = values.patches ? await loadPredictions(resolve(values.patches)).catch((e: Error) => { throw new CliError(e.message); }) : undefined;
  const root = resolve(values.root ?? process.env.SWEBENCH_ROOT ?? '/tmp/swebench-eval');
  const compareFile = values.compare ? resolve(values.compare) : undefined;
  const refs = compareFile ? await loadReferences(compareFile) : new Map<string, Reference>();
  const log = (s: string) => { if (!values.json) console.error(s); };

  const out = values.out ? resolve(values.out) : join(root, '_rover', `eval-${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const t0 = Date.now();
  const outcomes: InstanceOutcome[] = [];
  for (const id of ids) {
    const inst = all.get(id)!;
    const o = await evalInstance(inst, mode, { root, benchDir, preds, log, worktrees: values.worktrees });
    if (!values['no-compare']) {
      const ref = refs.get(id) ?? (compareFile ? undefined : await runReference(inst, mode, root, benchDir, preds));
      if (ref) {
        o.reference = { validated: ref.validated, resolved: ref.resolved, reason: ref.reason,
          ...(ref.seconds_before !== undefined ? { seconds_tests: (ref.seconds_before ?? 0) + (ref.seconds_after ?? 0) } : {}) };
        o.agree = ref.validated === o.validated && ref.resolved === o.resolved;
      }
    }
    outcomes.push(o);
    // the partial report survives an interrupted run
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(summarize(mode, outcomes, (Date.now() - t0) / 1000), null, 2));
    log(`${id}: ${o.verdict} validated=${o.validated} resolved=${o.resolved} ${o.seconds.toFixed(1)}s (tests ${o.command_seconds.toFixed(1)}s)` +
      (o.agree === undefined ? '' : o.agree ? ' agrees with validate.sh' : ` DISAGREES with validate.sh (validated=${o.reference?.validated} resolved=${o.reference?.resolved})`) +
      (o.error ? ` error: ${o.error.split('\n')[0]}` : ''));
  }
  const report = summarize(mode, outcomes, (Date.now() - t0) / 1000);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2));
  if (values.json) console.log(JSON.stringify(report));
  else printSummary(report, out);
  return report.disagree.length === 0 && outcomes.every((o) => !o.error) ? 0 : 1;
}

/** Re-grade agreement of an earlier report against a validate.sh output, without running anything. */
async function rescore(reportFile: string, compare: string | undefined, json: boolean, outFile?: string): Promise<number> {
  if (!compare) throw new CliError('--rescore needs --compare FILE (validate.sh JSON lines)');
  // several reports (comma-separated) merge; a later report's instance replaces an earlier one's
  let prev: EvalReport | undefined;
  const merged = new Map<string, InstanceOutcome>();
  for (const f of reportFile.split(',')) {
    let r: EvalReport;
    try {
      r = JSON.parse(await readFile(resolve(f), 'utf8')) as EvalReport;
    } catch (e) {
      throw new CliError(`cannot read the report ${f}: ${(e as Error).message}`);
    }
    for (const o of r.per_instance) merged.set(o.instance_id, o);
    prev = prev ? { ...r, seconds: prev.seconds + r.seconds } : r;
  }
  prev = { ...prev!, per_instance: [...merged.values()] };
  reportFile = resolve(reportFile.split(',')[0]);
  const refs = await loadReferences(resolve(compare));
  const outcomes = prev.per_instance.map((o) => {
    const ref = refs.get(o.instance_id);
    if (!ref) return { ...o, reference: undefined, agree: undefined };
    return {
      ...o,
      reference: { validated: ref.validated, resolved: ref.resolved, reason: ref.reason,
        ...(ref.seconds_before !== undefined ? { seconds_tests: (ref.seconds_before ?? 0) + (ref.seconds_after ?? 0) } : {}) },
      agree: ref.validated === o.validated && ref.resolved === o.resolved,
    };
  });
  const report = summarize(prev.mode, outcomes, prev.seconds);
  const out = outFile ? resolve(outFile) : reportFile;
  await writeFile(out, JSON.stringify(report, null, 2));
  if (json) console.log(JSON.stringify(report));
  else printSummary(report, out);
  return report.disagree.length === 0 ? 0 : 1;
}

function printSummary(r: EvalReport, out: string): void {
  console.log(`instances: ${r.instances}  resolved: ${r.resolved}  compared: ${r.compared}  agree: ${r.agree}  disagree: ${r.disagree.join(', ') || 'none'}`);
  console.log(`seconds: ${r.seconds}  overhead over the test commands: ${(r.overhead_ratio * 100).toFixed(1)}%` +
    (r.overhead_ratio_vs_reference !== undefined ? `  (vs the reference harness's timing: ${(r.overhead_ratio_vs_reference * 100).toFixed(1)}%)` : '') +
    `  within 10% + 1 s per run: ${r.within_overhead_target}/${r.instances}`);
  console.log(`Rover's own per-test parsers give the same verdicts on ${r.native_agree}/${r.instances}`);
  console.log(`report: ${out}`);
}

async function loadReferences(file: string): Promise<Map<string, Reference>> {
  const m = new Map<string, Reference>();
  for (const l of (await readFile(file, 'utf8')).split('\n')) {
    if (!l.trim().startsWith('{')) continue;
    const r = JSON.parse(l) as Reference & { instance_id: string };
    m.set(r.instance_id, r);
  }
  return m;
}

async function candidatePatch(inst: Instance, mode: string, dir: string, preds?: Map<string, string>): Promise<string> {
  if (mode === 'gold') return inst.patch;
  if (mode === 'patch') {
    const p = preds?.get(inst.instance_id);
    if (p === undefined) throw new Error('no prediction for this instance in --patches');
    return p;
  }
  // fix: Rover's own agent, headless, sees only the problem statement and the checkout
  const issueFile = join(dirname(dir), '_rover', `${inst.instance_id}.issue.md`);
  await mkdir(dirname(issueFile), { recursive: true });
  await writeFile(issueFile, inst.problem_statement);
  const cli = join(__dirname, 'cli.js');
  const r = await runProcess(process.execPath, [existsSync(cli) ? cli : process.argv[1], 'fix', '--repo', dir, '--issue', issueFile, '--json'], {
    cwd: dir, env: process.env, timeoutMs: 60 * 60_000,
  });
  let patch: string | undefined;
  try {
    const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { patch?: string; diff?: string };
    patch = j.patch ?? j.diff;
  } catch {
    patch = undefined;
  }
  if (!patch) throw new Error(`rover fix produced no patch (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
  return patch;
}

async function evalInstance(inst: Instance, mode: string, ctx: { root: string; benchDir: string; preds?: Map<string, string>; log: (s: string) => void; worktrees?: boolean }): Promise<InstanceOutcome> {
  const t0 = Date.now();
  const base: InstanceOutcome = { instance_id: inst.instance_id, mode: mode as InstanceOutcome['mode'], verdict: 'error', validated: false, resolved: false, seconds: 0, command_seconds: 0 };
  let svc: { url: string; stop(): void } | undefined;
  try {
    const dir = await ensureCheckout(inst, ctx.root, ctx.benchDir);
    const patch = await candidatePatch(inst, mode, dir, ctx.preds);
    await ensureDepsDir(inst, ctx.root);
    const ir = instanceRunner(inst, ctx.root);
    if (ir.service === 'httpbin') svc = await startHttpbin(ctx.benchDir);
    const r = await validatePatch({
      repo: dir, baseRef: inst.base_commit, includeUncommitted: false, setupPatch: inst.test_patch, patch,
      runner: ir.runner, testArgs: ir.testArgs, timeoutMs: ir.timeoutMs, linkPaths: ir.linkPaths, fuzzy: true, maxOutputBytes: 64 * 1024 * 1024,
      disposableCheckout: !ctx.worktrees,
      env: svc ? { HTTPBIN_URL: svc.url } : undefined,
    });
    const g = grade(inst, sweParseLog(r.before.output, ir.parser), sweParseLog(r.after.output, ir.parser));
    const n = grade(inst, sweStatusMap(r.before.results, ir.parser), sweStatusMap(r.after.results, ir.parser));
    const notApplied = r.verdict === 'patch-does-not-apply';
    return {
      ...base,
      verdict: notApplied ? r.verdict : g.resolved ? 'resolved' : r.before.timedOut || r.after.timedOut ? 'timeout' : 'unresolved',
      validated: notApplied ? false : g.validated,
      resolved: notApplied ? false : g.resolved,
      grade: g,
      native: { validated: notApplied ? false : n.validated, resolved: notApplied ? false : n.resolved },
      seconds: (Date.now() - t0) / 1000,
      command_seconds: (r.before.durationMs + r.after.durationMs) / 1000,
      timings: r.timings,
      ...(r.verdict === 'error' ? { error: r.explanation } : {}),
      ...(notApplied ? { error: r.explanation } : {}),
    };
  } catch (e) {
    return { ...base, error: (e as Error).message, seconds: (Date.now() - t0) / 1000 };
  } finally {
    svc?.stop();
  }
}

/** The reference verdict: shared/bench/validate.sh on the same instance (same checkout root). */
async function runReference(inst: Instance, mode: string, root: string, benchDir: string, preds?: Map<string, string>): Promise<Reference | undefined> {
  const script = join(benchDir, 'validate.sh');
  if (!existsSync(script)) return undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, SWEBENCH_ROOT: root };
  if (mode === 'patch') {
    const p = preds?.get(inst.instance_id);
    if (p === undefined) return undefined;
    const f = join(root, '_rover', `${inst.instance_id}.candidate.diff`);
    await mkdir(dirname(f), { recursive: true });
    await writeFile(f, p);
    env.PATCH = f;
  } else if (mode === 'fix') return undefined;
  const r = await runProcess(script, [inst.instance_id], { cwd: benchDir, env, timeoutMs: 2 * 60 * 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Reference) : undefined;
}
