// rover eval --instances FILE [--ids a,b | --ids-file F] --mode gold|patch|fix [--patches preds.jsonl]
//            [--root DIR] [--compare validate-sh.jsonl | --no-compare] [--out FILE] [--json]
// For each benchmark instance: a worktree of the prepared checkout at base_commit, the test_patch,
// the instance's FAIL_TO_PASS/PASS_TO_PASS tests run through Rover's runner before and after the
// gold (or given, or Rover-generated) patch, SWE-bench grading, and agreement with the reference
// harness (shared/bench/validate.sh).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CliError, parse } from '../args';
import { evalInstance, loadReferences, runReference, type Reference } from '../eval/instance';
import { SELECT_OPTIONS, selectInstances } from '../eval/select';
import { summarize, type EvalReport, type InstanceOutcome } from '../../../bench/lib/swebench';

const USAGE = 'eval [--rescore REPORT[,REPORT...] --compare FILE] [--worktrees] --instances FILE [--ids a,b] [--ids-file FILE] --mode gold|patch|fix [--patches preds.jsonl] [--root DIR] [--compare FILE | --no-compare] [--out FILE] [--json]';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...SELECT_OPTIONS,
    root: { type: 'string' },
    compare: { type: 'string' },
    'no-compare': { type: 'boolean' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    rescore: { type: 'string' },
    worktrees: { type: 'boolean' },
  }, USAGE);
  if (values.rescore) return rescore(values.rescore, values.compare, values.json ?? false, values.out);
  const { instancesFile, all, ids, mode, preds } = await selectInstances(values, USAGE);
  const benchDir = dirname(instancesFile);
  const root = resolve(values.root ?? process.env.SWEBENCH_ROOT ?? '/tmp/swebench-eval');
  const compareFile = values.compare ? resolve(values.compare) : undefined;
  const refs = compareFile ? await loadReferences(compareFile) : new Map<string, Reference>();
  const log = (s: string) => { if (!values.json) console.error(s); };

  const out = values.out ? resolve(values.out) : join(root, '_rover', `eval-${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const t0 = Date.now();
  const outcomes: InstanceOutcome[] = [];
  for (const id of ids) {
    const inst = all.get(id)!;
    const o = await evalInstance(inst, mode, { root, benchDir, prediction: preds?.get(id), log, worktrees: values.worktrees });
    if (!values['no-compare']) {
      const ref = refs.get(id) ?? (compareFile ? undefined : await runReference(inst, mode, root, benchDir, preds?.get(id)));
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
