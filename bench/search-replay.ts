// npm run bench:search-replay [-- --json] [--runs 1,2,3] [--instances ID,ID] [--budget TOKENS] [--repeat N] [--dump FILE] [--verbose]
// Replays the search calls AutoCodeRover's model really made (results/acr-run-{1,2,3}: each task's
// tool_call_sequence.json paired with the results logged in its info.log) on the dev-set instances
// of shared/bench, each through Rover at the instance's base commit with its test_patch applied
// (what ACR searched), and reads Rover's answers as the model gets them (renderOutcome, the agent's
// budget). Figures:
//   calls                        replayed calls (ACR-internal get_class_full_snippet is skipped)
//   acr_found_rover_empty        ACR answered with code, Rover found nothing
//   rover_superset_of_acr        of the calls ACR answered, those where Rover's hits hold every
//                                file (code searches) or file+symbol (symbol searches) ACR showed
//   signature_lines_cut          header lines (decorators through the closing `:`, by Python's own
//                                tokenizer) missing from a symbol answer that shows part of the header
//   bodies_without_path_to_rest  calls with a body shown in part where no call the answer names
//                                shows any of the hidden lines (each named call is run to check)
//   chars_ratio_vs_acr           characters Rover's answers / ACR's answers, over all calls
//   p95_ms_warm                  call + rendering after CodeSearch.warm(), excluding each checkout's first
//                                call; each call is timed --repeat times (default 3) and its fastest
//                                run counts, so other processes on a shared machine do not set the
//                                figure (p95_ms_warm_first_run is the same over first runs only)
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WorkspaceIndex } from '../src/core/index/workspace-index';
import { runProcess } from '../src/core/proc/run';
import { CodeSearch } from '../src/core/search/code-search';
import { renderOutcome } from '../src/core/search/render';
import type { SearchOutcome } from '../src/core/search/types';
import { ACR, BENCH, catMany, git, listTasks, MIRRORS, REPOS, type AcrTask } from './lib/acr';
import { pythonHeaders, pythonToolResults } from './lib/python-truth';
import { shownBlocks, suggestedCalls, type ShownBlock } from './lib/rendered';

const { values: opt } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1,2,3' },
    instances: { type: 'string' },
    budget: { type: 'string', default: '3000' },
    dump: { type: 'string' },
    repeat: { type: 'string', default: '3' },
  },
});
const runs = opt.runs!.split(',').map((s) => s.trim()).filter(Boolean);
const only = opt.instances ? new Set(opt.instances.split(',').map((s) => s.trim())) : undefined;
const maxTokens = Number(opt.budget);
const repeat = Math.max(1, Number(opt.repeat));
const log = (s: string) => {
  if (!opt.json || opt.verbose) process.stderr.write(`${s}\n`);
};

const SYMBOL_APIS = new Set(['search_class', 'search_class_in_file', 'search_method', 'search_method_in_class', 'search_method_in_file']);
/** APIs whose answer promises code bodies (search_class promises a signature digest). */
const BODY_APIS = new Set(['search_class_in_file', 'search_method', 'search_method_in_class', 'search_method_in_file']);
const REPLAYED = new Set([...SYMBOL_APIS, 'search_code', 'search_code_in_file', 'get_code_around_line']);

interface Instance {
  id: string;
  repoKey: string;
  commit: string;
  testPatch: string;
}

interface RecordedCall {
  run: string;
  instance: string;
  api: string;
  args: Record<string, unknown>;
  acrText: string;
  acrOk: boolean;
}

interface Row {
  run: string;
  instance: string;
  api: string;
  args: Record<string, unknown>;
  acrOk: boolean;
  roverOk: boolean;
  acrChars: number;
  roverChars: number;
  ms: number;
  msFirstRun: number;
  first: boolean;
  superset?: boolean;
  missing?: string[];
  headerLines: number;
  cutLines: number;
  cutAt: string[];
  partialWithoutPath: string[];
}

function loadInstances(): Map<string, Instance> {
  const out = new Map<string, Instance>();
  for (const line of readFileSync(join(BENCH, 'instances.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const d = JSON.parse(line);
    const repoKey = String(d.instance_id).replace(/-\d+$/, '');
    if (!REPOS[repoKey]) continue;
    out.set(d.instance_id, { id: d.instance_id, repoKey, commit: d.base_commit, testPatch: d.test_patch ?? '' });
  }
  return out;
}

/** The calls of one task folder with ACR's answers: tool_call_sequence.json and info.log's results are 1:1, in order. */
function recordedCalls(t: AcrTask, seqText: string | undefined, logText: string | undefined): { calls: Omit<RecordedCall, 'acrText' | 'acrOk'>[]; reprs: string[] } | undefined {
  if (!seqText || !logText) return undefined;
  let seq: { func_name: string; arguments: Record<string, unknown> }[];
  try {
    seq = JSON.parse(seqText);
  } catch {
    return undefined;
  }
  const reprs: string[] = [];
  for (const line of logText.split('\n')) {
    const m = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Result of dispatch_intent: (.*)$/.exec(line);
    if (m) reprs.push(m[1]);
  }
  if (reprs.length !== seq.length) return undefined;
  return { calls: seq.map((c) => ({ run: t.run, instance: t.instance, api: c.func_name, args: c.arguments ?? {} })), reprs };
}

interface Loc {
  file: string;
  cls?: string;
  func?: string;
}

function acrLocations(text: string): Loc[] {
  const out: Loc[] = [];
  const re = /<file>(.*?)<\/file>(?:\s*<class>(.*?)<\/class>)?(?:\s*<func>(.*?)<\/func>)?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ file: m[1].trim(), cls: m[2]?.trim() || undefined, func: m[3]?.trim() || undefined });
  return out;
}

/** ACR's locations Rover's hits do not hold (file for code searches, file + symbol for symbol searches). */
function notCovered(api: string, acr: Loc[], o: SearchOutcome): string[] {
  const missing: string[] = [];
  for (const l of acr) {
    if (!SYMBOL_APIS.has(api) && o.otherFiles?.some((f) => f.file === l.file)) continue; // counted, named in the answer
    const ok = o.hits.some((h) => {
      if (h.file !== l.file) return false;
      if (!SYMBOL_APIS.has(api)) return true;
      if (l.func) return h.symbol === l.func;
      if (l.cls) return h.symbol === l.cls || h.className === l.cls;
      return true;
    });
    if (!ok) missing.push(`${l.file}${l.func ? `:${l.func}` : l.cls ? `:${l.cls}` : ''}`);
  }
  return [...new Set(missing)];
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const r2 = (n: number) => Math.round(n * 100) / 100;

async function checkout(inst: Instance, dir: string): Promise<{ ok: boolean; patched: boolean; error?: string }> {
  const mirror = join(MIRRORS, REPOS[inst.repoKey], 'repo');
  const tar = join(dir, '..', `${inst.id}.tar`);
  const a = await git(mirror, ['archive', `--output=${tar}`, inst.commit]);
  if (!a.ok) return { ok: false, patched: false, error: `git archive: ${a.err.trim().slice(0, 200)}` };
  const x = await runProcess('tar', ['-xf', tar, '-C', dir], { cwd: dir, timeoutMs: 300_000, maxOutputBytes: 1 << 16 });
  await rm(tar, { force: true });
  if (x.code !== 0) return { ok: false, patched: false, error: `tar: ${x.stderr.slice(0, 200)}` };
  if (!inst.testPatch.trim()) return { ok: true, patched: false };
  const pf = join(dir, '..', `${inst.id}.test.diff`);
  await writeFile(pf, inst.testPatch);
  const p = await runProcess('git', ['apply', '--whitespace=nowarn', pf], { cwd: dir, timeoutMs: 60_000, maxOutputBytes: 1 << 16 });
  await rm(pf, { force: true });
  return p.code === 0 ? { ok: true, patched: true } : { ok: true, patched: false, error: `git apply: ${p.stderr.trim().slice(0, 200)}` };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  if (!existsSync(ACR)) {
    console.error(`bench:search-replay: no ACR mirror at ${ACR}; fetch nus-apr/auto-code-rover first.`);
    return 2;
  }
  const instances = loadInstances();
  const tasks = (await listTasks(runs, null)).filter((t) => instances.has(t.instance) && (!only || only.has(t.instance)));
  const specs = tasks.flatMap((t) => ['tool_call_sequence.json', 'info.log'].filter((f) => t.files.has(f)).map((f) => `HEAD:${t.dir}/${f}`));
  const blobs = await catMany(ACR, specs);
  const pending: Omit<RecordedCall, 'acrText' | 'acrOk'>[] = [];
  const reprs: string[] = [];
  let unpaired = 0;
  for (const t of tasks) {
    const got = recordedCalls(t, blobs.get(`HEAD:${t.dir}/tool_call_sequence.json`), blobs.get(`HEAD:${t.dir}/info.log`));
    if (!got) {
      unpaired++;
      continue;
    }
    pending.push(...got.calls);
    reprs.push(...got.reprs);
  }
  const results = await pythonToolResults(reprs);
  const skipped: Record<string, number> = {};
  const byInstance = new Map<string, RecordedCall[]>();
  pending.forEach((c, i) => {
    const r = results[i];
    if (c.api === 'write_patch') return;
    if (!REPLAYED.has(c.api) || !r) {
      skipped[c.api] = (skipped[c.api] ?? 0) + 1;
      return;
    }
    const list = byInstance.get(c.instance) ?? [];
    list.push({ ...c, acrText: r[0], acrOk: r[1] });
    byInstance.set(c.instance, list);
  });
  log(`bench:search-replay: ${tasks.length} task folders (${unpaired} without paired results), ${[...byInstance.values()].reduce((s, l) => s + l.length, 0)} calls on ${byInstance.size} instances`);

  const rows: Row[] = [];
  const checkoutErrors: string[] = [];
  let indexMs = 0;
  let warmMs = 0;
  const work = await mkdtemp(join(tmpdir(), 'rover-bench-search-'));
  try {
    for (const [id, calls] of [...byInstance].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const inst = instances.get(id)!;
      const dir = join(work, id);
      await mkdir(dir, { recursive: true });
      const co = await checkout(inst, dir);
      if (co.error) checkoutErrors.push(`${id}: ${co.error}`);
      if (!co.ok) continue;
      const ti = performance.now();
      const index = await WorkspaceIndex.open(dir, { cacheDir: `${dir}-cache` });
      indexMs += performance.now() - ti;
      const search = new CodeSearch(index);
      // what an agent does once the index is open: read the texts and build the name tables
      const tw = performance.now();
      search.warm();
      warmMs += performance.now() - tw;
      const followUps = new Map<string, ShownBlock[]>();
      const shownBy = (api: string, args: unknown[]): ShownBlock[] => {
        const key = JSON.stringify([api, args]);
        let b = followUps.get(key);
        if (!b) followUps.set(key, (b = shownBlocks(renderOutcome(search.call(api, args), { maxTokens }))));
        return b;
      };
      const blocksOf: ShownBlock[][] = [];
      const here: Row[] = [];
      calls.forEach((c, k) => {
        const ts = performance.now();
        const outcome = search.call(c.api, c.args);
        const text = renderOutcome(outcome, { maxTokens });
        const msFirstRun = performance.now() - ts;
        let ms = msFirstRun;
        for (let r = 1; r < repeat; r++) {
          const t = performance.now();
          renderOutcome(search.call(c.api, c.args), { maxTokens });
          ms = Math.min(ms, performance.now() - t);
        }
        const row: Row = {
          run: c.run,
          instance: id,
          api: c.api,
          args: c.args,
          acrOk: c.acrOk,
          roverOk: outcome.ok,
          acrChars: c.acrText.length,
          roverChars: text.length,
          ms,
          msFirstRun,
          first: k === 0,
          headerLines: 0,
          cutLines: 0,
          cutAt: [],
          partialWithoutPath: [],
        };
        if (c.acrOk && outcome.ok) {
          row.missing = notCovered(c.api, acrLocations(c.acrText), outcome);
          row.superset = row.missing.length === 0;
        }
        const blocks = SYMBOL_APIS.has(c.api) ? shownBlocks(text) : [];
        blocksOf.push(blocks);
        if (BODY_APIS.has(c.api)) {
          const calls = suggestedCalls(text);
          for (const b of blocks) {
            const hidden: number[] = [];
            for (let l = b.start; l <= b.end; l++) if (!b.lines.has(l)) hidden.push(l);
            if (hidden.length === 0) continue;
            const reached = calls.some((s) => shownBy(s.api, s.args).some((f) => f.file === b.file && hidden.some((l) => f.lines.has(l))));
            if (!reached) row.partialWithoutPath.push(`${b.file}:${b.start}-${b.end} (${b.lines.size} of ${b.end - b.start + 1} lines shown)`);
          }
        }
        here.push(row);
      });
      // header lines by Python's tokenizer, for every file a symbol answer showed
      const files = [...new Set(blocksOf.flat().map((b) => b.file))];
      const truth = await pythonHeaders(files.filter((f) => f.endsWith('.py')).map((f) => join(dir, f)));
      here.forEach((row, k) => {
        for (const b of blocksOf[k]) {
          const heads = truth.get(join(dir, b.file));
          if (!heads) continue;
          for (const [s, e] of heads) {
            let shown = 0;
            for (let l = s; l <= e; l++) if (b.lines.has(l)) shown++;
            if (shown === 0) continue;
            row.headerLines += e - s + 1;
            if (shown < e - s + 1) {
              row.cutLines += e - s + 1 - shown;
              row.cutAt.push(`${b.file}:${s}-${e}`);
            }
          }
        }
      });
      rows.push(...here);
      log(`  ${id}: ${calls.length} calls, index ${((performance.now() - ti) / 1000).toFixed(1)} s${co.patched ? '' : ' (test_patch not applied)'}`);
      await index.close();
      await rm(dir, { recursive: true, force: true });
      await rm(`${dir}-cache`, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const count = (p: (r: Row) => boolean) => rows.filter(p).length;
  const warm = rows.filter((r) => !r.first).map((r) => r.ms).sort((a, b) => a - b);
  const warmFirstRuns = rows.filter((r) => !r.first).map((r) => r.msFirstRun).sort((a, b) => a - b);
  const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0);
  const summary = {
    runs: runs.map((r) => `acr-run-${r}`),
    instances: new Set(rows.map((r) => r.instance)).size,
    calls: rows.length,
    acr_found: count((r) => r.acrOk),
    acr_found_rover_empty: count((r) => r.acrOk && !r.roverOk),
    rover_found_acr_empty: count((r) => !r.acrOk && r.roverOk),
    rover_superset_of_acr: count((r) => r.superset === true),
    signature_lines_cut: sum((r) => r.cutLines),
    signature_header_lines_shown: sum((r) => r.headerLines),
    calls_with_cut_signatures: count((r) => r.cutLines > 0),
    bodies_without_path_to_rest: count((r) => r.partialWithoutPath.length > 0),
    chars_ratio_vs_acr: r2(sum((r) => r.roverChars) / Math.max(1, sum((r) => r.acrChars))),
    answers_over_budget: count((r) => r.roverChars > maxTokens * 4),
    p50_ms_warm: r2(pct(warm, 50)),
    p95_ms_warm: r2(pct(warm, 95)),
    max_ms_warm: r2(warm[warm.length - 1] ?? NaN),
    p95_ms_warm_first_run: r2(pct(warmFirstRuns, 95)),
    repeat,
    budget_tokens: maxTokens,
    skipped,
    task_folders_unpaired: unpaired,
    checkout_errors: checkoutErrors,
    index_s_total: r2(indexMs / 1000),
    warm_s_total: r2(warmMs / 1000),
    ms: Date.now() - t0,
  };
  if (opt.dump) await writeFile(opt.dump, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (opt.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    const show = (title: string, list: string[]) => {
      if (list.length === 0) return;
      console.log(`  ${title}:`);
      for (const l of list.slice(0, 15)) console.log(`    ${l}`);
      if (list.length > 15) console.log(`    ... and ${list.length - 15} more`);
    };
    const call = (r: Row) => `${r.instance} ${r.api}(${Object.values(r.args).map((v) => JSON.stringify(v)).join(', ')})`;
    console.log(`ACR search calls replayed: ${summary.calls} on ${summary.instances} instances (runs ${runs.join(',')}; skipped ${JSON.stringify(skipped)})`);
    console.log(`  ACR found something:            ${summary.acr_found}; Rover empty in ${summary.acr_found_rover_empty}; Rover's hits hold ACR's in ${summary.rover_superset_of_acr}`);
    console.log(`  Rover found, ACR empty:         ${summary.rover_found_acr_empty}`);
    console.log(`  signature lines cut:            ${summary.signature_lines_cut} of ${summary.signature_header_lines_shown} header lines shown, in ${summary.calls_with_cut_signatures} calls`);
    console.log(`  bodies without a path to rest:  ${summary.bodies_without_path_to_rest} calls`);
    console.log(`  characters vs ACR:              ${summary.chars_ratio_vs_acr}x (budget ${maxTokens} tokens, ${summary.answers_over_budget} answers over it)`);
    console.log(`  per call (warm, best of ${repeat}):    p50 ${summary.p50_ms_warm} ms, p95 ${summary.p95_ms_warm} ms, max ${summary.max_ms_warm} ms (first runs: p95 ${summary.p95_ms_warm_first_run} ms); indexing ${summary.index_s_total} s, warming ${summary.warm_s_total} s in all`);
    show('ACR found, Rover empty', rows.filter((r) => r.acrOk && !r.roverOk).map(call));
    show("ACR's locations Rover's hits lack", rows.filter((r) => r.superset === false).map((r) => `${call(r)}: ${r.missing!.join(', ')}`));
    show('signatures cut', rows.filter((r) => r.cutLines > 0).map((r) => `${call(r)}: ${r.cutAt.join(', ')}`));
    show('bodies without a path to the rest', rows.filter((r) => r.partialWithoutPath.length > 0).map((r) => `${call(r)}: ${r.partialWithoutPath.join(', ')}`));
    show('checkout problems', checkoutErrors);
    console.log(`  ${(summary.ms / 1000).toFixed(1)} s`);
  }
  return 0;
}

main().then(
  (c) => (process.exitCode = c),
  (e) => {
    console.error(`bench:search-replay: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  },
);
