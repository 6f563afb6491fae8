// npm run bench:apply [-- --json] [--runs 1,2,3] [--validate N] [--verbose]
// Replays AutoCodeRover's published raw model edits (results/acr-run-{1,2,3}) for the repositories of
// shared/bench through Rover's applier, on the original files at each task's base commit (read from
// the bare mirrors with `git show`, nothing checked out), and compares with what ACR managed:
// how many apply, how many of ACR's unmatched ones we apply, any ACR applied that we fail, and whether
// our result equals ACR's extracted patch where both applied. --validate N runs the shared/bench
// harness (PATCH=... validate.sh ID) on up to N ACR-unmatched tasks we apply whose instance is there.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPatch as applyUnified, parsePatch } from 'diff';
import type { FileSource } from '../src/core/agent/apply/apply';
import { unifiedDiff } from '../src/core/agent/apply/diff';
import { ACR, BENCH, REPOS, applyRaw, baseCommit, extractStatuses, git, listTasks, mirrorOf, rawAttempts, readTaskFiles, repoSource } from './lib/acr';
import { harnessGrade } from './lib/harness';

const args = process.argv.slice(2);
const json = args.includes('--json');
const verbose = args.includes('--verbose');
const runsArg = args.includes('--runs') ? args[args.indexOf('--runs') + 1] : '1,2,3';
const validateMax = args.includes('--validate') ? Number(args[args.indexOf('--validate') + 1] ?? '3') : 0;
const runs = runsArg.split(',').map((s) => s.trim()).filter(Boolean);

const log = (s: string) => {
  if (!json || verbose) process.stderr.write(`${s}\n`);
};

interface AttemptRow {
  run: string;
  instance: string;
  bucket: string;
  attempt: number;
  acrStatus: string;
  ok: boolean;
  strategies: string[];
  sameAsAcr?: boolean;
  sameIgnoringIndent?: boolean;
  reason?: string;
  diff?: string;
}

/** ACR's own result for an attempt, as file texts: its extracted diff applied to the originals. */
async function acrResult(diffText: string, source: FileSource): Promise<Map<string, string> | undefined> {
  const res = new Map<string, string>();
  for (const p of parsePatch(diffText)) {
    const name = (p.oldFileName ?? '').replace(/^a\//, '');
    if (!name || name === '/dev/null') return undefined;
    const before = await source.read(name);
    if (before === undefined) return undefined;
    const after = applyUnified(before, p, { fuzzFactor: 2 });
    if (after === false) return undefined;
    res.set(name, after);
  }
  return res;
}

const norm = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n').trim();

async function main(): Promise<number> {
  const t0 = Date.now();
  if (!existsSync(ACR)) {
    console.error(`bench:apply: no ACR mirror at ${ACR}; fetch nus-apr/auto-code-rover first (see bench/apply.ts).`);
    return 2;
  }
  const tasks = await listTasks(runs);
  log(`bench:apply: ${tasks.length} task folders in runs ${runs.join(',')} for ${Object.keys(REPOS).join(', ')}`);
  const blob = await readTaskFiles(tasks);

  const rows: AttemptRow[] = [];
  let missingCommit = 0;
  for (const t of tasks) {
    const commit = baseCommit(t, blob);
    const statuses = extractStatuses(t, blob);
    const mirror = mirrorOf(t);
    if (!commit || !(await git(mirror, ['cat-file', '-e', `${commit}^{commit}`])).ok) {
      missingCommit++;
      continue;
    }
    const source = repoSource(mirror, commit);
    for (const n of rawAttempts(t)) {
      const out = await applyRaw(blob(t, `agent_patch_raw_${n}`) ?? '', source);
      const acrStatus = statuses[n - 1] ?? 'UNKNOWN';
      const row: AttemptRow = {
        run: t.run,
        instance: t.instance,
        bucket: t.bucket,
        attempt: n,
        acrStatus,
        ok: out.ok,
        strategies: [...new Set(out.results.filter((r) => r.ok).map((r) => String(r.strategy)))],
      };
      if (!out.ok) row.reason = out.feedback.split('\n')[0].slice(0, 240);
      else row.diff = unifiedDiff(out.changes);
      const extracted = blob(t, `extracted_patch_${n}.diff`);
      if (out.ok && acrStatus === 'APPLICABLE_PATCH' && extracted) {
        const acr = await acrResult(extracted, source);
        if (acr) {
          const ours = new Map(out.changes.map((c) => [c.rel, c.after]));
          row.sameAsAcr = acr.size === ours.size && [...acr].every(([k, v]) => ours.has(k) && norm(ours.get(k)!) === norm(v));
          // ACR re-indents edits itself (often wrongly): also compare ignoring indentation.
          const flat = (x: string) => x.split('\n').map((l) => l.trim()).filter(Boolean).join('\n');
          row.sameIgnoringIndent = acr.size === ours.size && [...acr].every(([k, v]) => ours.has(k) && flat(ours.get(k)!) === flat(v));
          if (!row.sameAsAcr && process.env.BENCH_APPLY_DUMP) {
            const base = join(process.env.BENCH_APPLY_DUMP, `${t.run}-${t.instance}-${n}`);
            await writeFile(`${base}.rover.diff`, unifiedDiff(out.changes));
            await writeFile(`${base}.acr.diff`, extracted);
          }
        }
      }
      rows.push(row);
      if (verbose) log(`${t.run} ${t.instance} #${n} acr=${acrStatus} rover=${out.ok ? `ok(${row.strategies.join(',')})` : `fail: ${row.reason}`}`);
    }
  }

  const count = (p: (r: AttemptRow) => boolean) => rows.filter(p).length;
  const strategies: Record<string, number> = {};
  for (const r of rows) if (r.ok) for (const s of r.strategies) strategies[s] = (strategies[s] ?? 0) + 1;
  const acrAppliedWeFail = rows.filter((r) => r.acrStatus === 'APPLICABLE_PATCH' && !r.ok);
  const unmatchedTasks = tasks.filter((t) => t.bucket === 'raw_patch_but_unmatched');
  const unmatchedTasksWeApply = unmatchedTasks.filter((t) => rows.some((r) => r.run === t.run && r.instance === t.instance && r.ok));

  // Judge by the issue's tests where the instance is in shared/bench.
  const validated: { run: string; instance: string; attempt: number; resolved: boolean | null; note?: string }[] = [];
  if (validateMax > 0) {
    const known = new Set(readFileSync(join(BENCH, 'instances.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).instance_id as string));
    const done = new Set<string>();
    const todo = rows.filter((r) => r.ok && r.acrStatus === 'RAW_PATCH_BUT_UNMATCHED' && known.has(r.instance));
    for (const row of todo) {
      if (validated.length >= validateMax) break;
      if (done.has(row.instance)) continue;
      done.add(row.instance);
      log(`validating ${row.instance} (run ${row.run}, attempt ${row.attempt}) with shared/bench ...`);
      const g = await harnessGrade(BENCH, row.instance, row.diff ?? '');
      validated.push({ run: row.run, instance: row.instance, attempt: row.attempt, resolved: g.resolved, note: g.resolved === null ? g.error : undefined });
      log(`  ${row.instance}: ${g.resolved === null ? 'no verdict' : g.resolved ? 'resolved' : 'not resolved'}`);
    }
  }

  const summary = {
    runs: runs.map((r) => `acr-run-${r}`),
    repos: Object.keys(REPOS),
    tasks: tasks.length,
    tasks_skipped_missing_commit: missingCommit,
    replayed: rows.length,
    applied: count((r) => r.ok),
    acr_applicable: count((r) => r.acrStatus === 'APPLICABLE_PATCH'),
    acr_applicable_we_apply: count((r) => r.acrStatus === 'APPLICABLE_PATCH' && r.ok),
    acr_applicable_same_result: count((r) => r.sameAsAcr === true),
    acr_applicable_same_ignoring_indent: count((r) => r.sameIgnoringIndent === true),
    acr_applicable_compared: count((r) => r.sameAsAcr !== undefined),
    acr_applicable_different: rows.filter((r) => r.sameAsAcr === false).map((r) => ({ run: r.run, instance: r.instance, attempt: r.attempt })),
    acr_unmatched: count((r) => r.acrStatus === 'RAW_PATCH_BUT_UNMATCHED'),
    acr_unmatched_we_apply: count((r) => r.acrStatus === 'RAW_PATCH_BUT_UNMATCHED' && r.ok),
    acr_unparsed: count((r) => r.acrStatus === 'RAW_PATCH_BUT_UNPARSED'),
    acr_unparsed_we_apply: count((r) => r.acrStatus === 'RAW_PATCH_BUT_UNPARSED' && r.ok),
    acr_other: count((r) => !['APPLICABLE_PATCH', 'RAW_PATCH_BUT_UNMATCHED', 'RAW_PATCH_BUT_UNPARSED'].includes(r.acrStatus)),
    acr_unmatched_tasks: unmatchedTasks.length,
    acr_unmatched_tasks_we_apply: unmatchedTasksWeApply.length,
    by_strategy: strategies,
    acr_applied_we_fail_ambiguous: acrAppliedWeFail.filter((r) => /matched \d+ places/.test(r.reason ?? '')).length,
    acr_applied_we_fail_not_found: acrAppliedWeFail.filter((r) => /not found|does not exist/.test(r.reason ?? '')).length,
    acr_applied_we_fail: acrAppliedWeFail.map((r) => ({ run: r.run, instance: r.instance, attempt: r.attempt, reason: r.reason })),
    validated,
    ms: Date.now() - t0,
  };
  if (json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
    console.log(`ACR raw edits replayed: ${summary.replayed} (${summary.tasks} task folders, runs ${runs.join(',')})`);
    console.log(`  applied by Rover:            ${summary.applied} (${pct(summary.applied, summary.replayed)})`);
    console.log(`  ACR applicable:              ${summary.acr_applicable}; Rover applies ${summary.acr_applicable_we_apply} (${pct(summary.acr_applicable_we_apply, summary.acr_applicable)}), same result as ACR in ${summary.acr_applicable_same_result}/${summary.acr_applicable_compared} (${summary.acr_applicable_same_ignoring_indent} ignoring indentation)`);
    console.log(`  ACR unmatched:               ${summary.acr_unmatched}; Rover applies ${summary.acr_unmatched_we_apply} (${pct(summary.acr_unmatched_we_apply, summary.acr_unmatched)})`);
    console.log(`  ACR unparsed:                ${summary.acr_unparsed}; Rover applies ${summary.acr_unparsed_we_apply}`);
    console.log(`  tasks ACR left unmatched:    ${summary.acr_unmatched_tasks}; Rover applies an attempt in ${summary.acr_unmatched_tasks_we_apply}`);
    console.log(`  strategies: ${Object.entries(strategies).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  ACR applied, Rover refused:  ${acrAppliedWeFail.length} (${summary.acr_applied_we_fail_ambiguous} ambiguous: ACR took the first match; ${summary.acr_applied_we_fail_not_found} not found)`);
    for (const r of summary.acr_applied_we_fail) console.log(`  ACR applied, Rover failed: run ${r.run} ${r.instance} #${r.attempt}: ${r.reason}`);
    for (const v of validated) console.log(`  judged by tests: ${v.instance} (run ${v.run} #${v.attempt}): ${v.resolved === null ? `no verdict ${v.note ?? ''}` : v.resolved ? 'resolved' : 'not resolved'}`);
    console.log(`  ${(summary.ms / 1000).toFixed(1)} s`);
  }
  return 0;
}

main().then(
  (c) => (process.exitCode = c),
  (e) => {
    console.error(`bench:apply: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  },
);
