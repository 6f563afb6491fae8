// npm run bench:localize [-- --json] [--ids a,b] [--instances FILE] [--core] [--formula F] [--cache DIR] [--no-plain] [--dump DIR] [--coverage-path DIR]
// --cache keeps per-test coverage between runs (ranking experiments re-run in minutes); --no-plain
// skips timing the plain test run (then no collect/plain ratio). --coverage-path puts DIR first on
// the PYTHONPATH of the coverage runs only (not the plain run): a coverage.py with a C tracer built
// for an interpreter Debian ships none for (the harness's pyenv 3.9), as pip would install it.
// For each benchmark instance: prepare the checkout (own SWEBENCH_ROOT), apply test_patch, localize
// with FAIL_TO_PASS as failing and PASS_TO_PASS as passing tests, and compare the ranking with the
// files/functions the gold patch changes (ACR's oracle setting). Also times the plain test run.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSource, languageForPath } from '../src/core/index/parse-source';
import type { CodeSymbol } from '../src/core/index/types';
import { localize } from '../src/core/localize';
import { enclosingFunction } from '../src/core/localize/rank';
import type { Formula, LocalizationResult } from '../src/core/localize/types';
import { runProcess } from '../src/core/proc/run';
import { testEnv } from '../src/core/runner/env';
import type { TestRunnerSpec } from '../src/core/runner/types';

const BENCH = '/work/shared/bench';
const ROOT = process.env.SWEBENCH_ROOT || '/tmp/swebench-localize';

interface Instance {
  instance_id: string;
  repo: string;
  base_commit: string;
  problem_statement: string;
  patch: string;
  test_patch: string;
  FAIL_TO_PASS: string[] | string;
  PASS_TO_PASS: string[] | string;
}

interface HarnessCfg {
  argv: string[];
  directives: string[];
  env: Record<string, string>;
  pythonpath: string[];
  npm: boolean;
  timeout: number;
}

const HARNESS_CFG = String.raw`
import sys, json, os
sys.path.insert(0, sys.argv[1])
import harness
insts = harness.load(sys.argv[2])
i = insts[sys.argv[3]]
cfg = harness.REPO_CFG[i["repo"]]
root = sys.argv[4]
d = os.path.join(root, i["instance_id"])
dd = harness.deps_dir(i, root)
env = dict(cfg.get("env", {})); env.update(i.get("extra_env", {}))
pp = [os.path.join(d, p) for p in cfg.get("pythonpath", []) + i.get("extra_pythonpath", [])]
if dd: pp.append(dd)
argv = harness.test_argv(i)
dirs = [] if cfg.get("no_directives") else harness.test_directives(i)
print(json.dumps({"argv": argv[: len(argv) - len(dirs)] if dirs else argv, "directives": dirs, "env": env, "pythonpath": pp,
                  "npm": bool(cfg.get("npm")), "timeout": cfg.get("timeout", 1800)}))
`;

const RESET = String.raw`
import sys, os
sys.path.insert(0, sys.argv[1])
import harness
i = harness.load(sys.argv[2])[sys.argv[3]]
harness.reset(i, os.path.join(sys.argv[4], i["instance_id"]))
`;

function list(v: string[] | string): string[] {
  return Array.isArray(v) ? v : (JSON.parse(v) as string[]);
}

/** Changed line ranges of the ORIGINAL files: removed lines, and for pure insertions the line before. */
export function goldLines(patch: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let file: string | undefined;
  let old = 0;
  let lastOld = 0;
  for (const l of patch.split('\n')) {
    const f = /^--- a\/(.*)$/.exec(l);
    if (f) {
      file = f[1];
      continue;
    }
    if (/^\+\+\+ /.test(l) || l.startsWith('diff --git')) continue;
    const h = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(l);
    if (h) {
      old = Number(h[1]);
      lastOld = old - 1;
      continue;
    }
    if (!file) continue;
    const arr = out.get(file) ?? [];
    out.set(file, arr);
    if (l.startsWith('-')) {
      arr.push(old);
      lastOld = old;
      old++;
    } else if (l.startsWith('+')) {
      // an insertion belongs to what surrounds it: the previous original line
      if (lastOld > 0) arr.push(lastOld);
    } else if (l.startsWith(' ')) {
      lastOld = old;
      old++;
    }
  }
  return out;
}

async function symbolsOf(dir: string, file: string): Promise<CodeSymbol[]> {
  const lang = languageForPath(file);
  if (!lang) return [];
  try {
    return (await parseSource(lang, await readFile(join(dir, file), 'utf8'), file)).symbols;
  } catch {
    return [];
  }
}

interface Row {
  id: string;
  repo: string;
  ok: boolean;
  error?: string;
  goldFiles: string[];
  goldFunctions: string[];
  fileTop1: boolean;
  fnRank: number | null;
  topTie: number;
  top: string[];
  collectMs: number;
  plainMs: number;
  ratio: number;
  mode?: string;
  tool?: string;
  warnings?: number;
}

async function sh(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv, stdin?: string, timeoutMs = 1_800_000) {
  return runProcess(cmd, args, { cwd, env: env ?? process.env, timeoutMs, ...(stdin !== undefined ? { stdin } : {}), maxOutputBytes: 4 * 1024 * 1024 });
}

interface RunOpts {
  formula: Formula;
  cacheDir: string | false;
  plain: boolean;
  /** Folder for each instance's top 200 entries with their scores, for analysis. */
  dump?: string;
  /** Prepended to the coverage runs' PYTHONPATH (a coverage.py with its C tracer). */
  coveragePath?: string;
}

async function runOne(inst: Instance, data: string, opts: RunOpts, log: (s: string) => void): Promise<Row> {
  const formula = opts.formula;
  const id = inst.instance_id;
  const dir = join(ROOT, id);
  const base: Row = { id, repo: inst.repo, ok: false, goldFiles: [], goldFunctions: [], fileTop1: false, fnRank: null, topTie: 0, top: [], collectMs: 0, plainMs: 0, ratio: 0 };
  const cfgR = await sh('/usr/bin/python3', ['-c', HARNESS_CFG, BENCH, data, id, ROOT], BENCH);
  if (cfgR.code !== 0) return { ...base, error: `harness config: ${cfgR.stderr.slice(-500)}` };
  const cfg = JSON.parse(cfgR.stdout) as HarnessCfg;
  const prepEnv = { ...process.env, SWEBENCH_ROOT: ROOT, SKIP_APT: '1', DATA: data };
  if (!existsSync(join(dir, '.git')) || (cfg.npm && !existsSync(join(dir, 'node_modules')))) {
    log(`${id}: prepare`);
    const p = await sh(join(BENCH, 'prepare.sh'), [...(cfg.npm ? ['--with-js'] : []), id], BENCH, prepEnv);
    if (p.code !== 0) return { ...base, error: `prepare: ${(p.stderr || p.stdout).slice(-500)}` };
  } else {
    const r = await sh('/usr/bin/python3', ['-c', RESET, BENCH, data, id, ROOT], BENCH);
    if (r.code !== 0) return { ...base, error: `reset: ${r.stderr.slice(-500)}` };
  }
  const ap = await sh('git', ['apply', '-'], dir, undefined, inst.test_patch);
  if (ap.code !== 0) {
    const pp = await sh('patch', ['--batch', '--fuzz=5', '-p1'], dir, undefined, inst.test_patch);
    if (pp.code !== 0) return { ...base, error: `test_patch does not apply: ${ap.stderr.slice(-300)}` };
  }
  // gold: files and enclosing functions of the changed original lines
  const gold = goldLines(inst.patch);
  const goldFiles = [...gold.keys()];
  const goldFns = new Set<string>();
  for (const [f, lines] of gold) {
    const syms = await symbolsOf(dir, f);
    for (const l of lines) {
      const fn = enclosingFunction(syms, l);
      if (fn) goldFns.add(`${f}::${fn.qualifiedName}`);
    }
  }
  const spec: TestRunnerSpec = cfg.npm
    ? { kind: 'mocha', command: [...cfg.argv.filter((a, i, arr) => !(a === '--reporter' || arr[i - 1] === '--reporter')), '{tests}'], reportFormat: 'tap', env: cfg.env }
    : {
        kind: cfg.argv.includes('pytest') ? 'pytest' : 'command',
        command: [...cfg.argv, '{tests}'],
        reportFormat: cfg.argv.includes('pytest') ? 'pytest-ra' : 'sympy',
        python: cfg.argv[0],
        env: cfg.env,
        pythonPath: cfg.pythonpath,
      };
  const targets = cfg.npm ? cfg.argv.slice(cfg.argv.findIndex((a) => a === 'test/')) : cfg.directives;
  if (cfg.npm) spec.command = [...cfg.argv.slice(0, cfg.argv.findIndex((a) => a === 'test/')).filter((a, i, arr) => !(a === '--reporter' || arr[i - 1] === '--reporter')), '{tests}'];
  // the plain run, as the harness runs it
  const env = testEnv(spec, dir);
  const plainArgv = [...cfg.argv, ...cfg.directives];
  let plainMs = 0;
  if (opts.plain) {
    const plain = await sh(plainArgv[0], plainArgv.slice(1), dir, env, undefined, cfg.timeout * 1000);
    plainMs = plain.durationMs;
    await sh('/usr/bin/python3', ['-c', RESET, BENCH, data, id, ROOT], BENCH);
    await sh('git', ['apply', '-'], dir, undefined, inst.test_patch);
  }
  let res: LocalizationResult;
  try {
    res = await localize({
      repo: dir,
      failing: list(inst.FAIL_TO_PASS),
      passing: list(inst.PASS_TO_PASS),
      issueText: inst.problem_statement,
      formula,
      runner: opts.coveragePath && spec.pythonPath ? { ...spec, pythonPath: [opts.coveragePath, ...spec.pythonPath] } : spec,
      testPaths: targets,
      isolate: false,
      cacheDir: opts.cacheDir,
      timeoutMs: cfg.timeout * 1000,
    });
  } catch (e) {
    return { ...base, goldFiles, goldFunctions: [...goldFns], plainMs, error: e instanceof Error ? e.message.slice(0, 600) : String(e) };
  }
  const idx = res.entries.findIndex((e) => e.method && goldFns.has(`${e.file}::${e.qualifiedName}`));
  if (opts.dump) {
    await mkdir(opts.dump, { recursive: true });
    const dump = { id, goldFiles, goldFunctions: [...goldFns], issue: inst.problem_statement, failing: res.failing, passing: res.passing.length, entries: res.entries.slice(0, 200), tieGroups: res.tieGroups.slice(0, 20) };
    await writeFile(join(opts.dump, `${id}.json`), JSON.stringify(dump, null, 1));
  }
  return {
    ...base,
    ok: true,
    goldFiles,
    goldFunctions: [...goldFns],
    fileTop1: res.entries.length > 0 && goldFiles.includes(res.entries[0].file),
    fnRank: idx >= 0 ? idx + 1 : null,
    topTie: res.tieGroups[0]?.size ?? 0,
    top: res.entries.slice(0, 5).map((e) => `${e.file}::${e.qualifiedName ?? '<module>'} ${Number.isFinite(e.score) ? e.score.toFixed(3) : 'inf'} g${e.tieGroup}/${e.tieSize}`),
    collectMs: res.collectMs,
    plainMs,
    ratio: plainMs > 0 ? res.collectMs / plainMs : 0,
    mode: res.mode,
    tool: res.tool,
    warnings: res.warnings.length,
  };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function ratioOf(rows: Row[]): number | null {
  const plain = rows.reduce((a, r) => a + r.plainMs, 0);
  return plain ? Math.round((rows.reduce((a, r) => a + r.collectMs, 0) / plain) * 100) / 100 : null;
}

function summarize(rows: Row[]) {
  const ok = rows.filter((r) => r.ok);
  const withFn = ok.filter((r) => r.goldFunctions.length > 0);
  const rate = (n: number, d: number) => (d ? Math.round((n / d) * 1000) / 1000 : 0);
  const tot = (f: (r: Row) => number) => ok.reduce((a, r) => a + f(r), 0);
  return {
    instances: rows.length,
    localized: ok.length,
    errors: rows.length - ok.length,
    with_gold_function: withFn.length,
    // rates over all instances (an error counts as a miss)
    file_top1: rate(ok.filter((r) => r.fileTop1).length, rows.length),
    fn_top1: rate(withFn.filter((r) => r.fnRank !== null && r.fnRank <= 1).length, rows.filter((r) => !r.ok || r.goldFunctions.length > 0).length),
    fn_top5: rate(withFn.filter((r) => r.fnRank !== null && r.fnRank <= 5).length, rows.filter((r) => !r.ok || r.goldFunctions.length > 0).length),
    fn_top10: rate(withFn.filter((r) => r.fnRank !== null && r.fnRank <= 10).length, rows.filter((r) => !r.ok || r.goldFunctions.length > 0).length),
    tie_top_median: median(ok.map((r) => r.topTie)),
    collect_over_plain_ratio: tot((r) => r.plainMs) ? Math.round((tot((r) => r.collectMs) / tot((r) => r.plainMs)) * 100) / 100 : 0,
    collect_over_plain_median: Math.round(median(ok.map((r) => r.ratio)) * 100) / 100,
    // coverage.py without its C tracer (an interpreter it was not built for) is several times slower
    collect_over_plain_ratio_python_tracer: ratioOf(ok.filter((r) => r.tool?.includes('Python tracer'))),
    collect_over_plain_ratio_other: ratioOf(ok.filter((r) => !r.tool?.includes('Python tracer'))),
  };
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      json: { type: 'boolean' },
      ids: { type: 'string' },
      instances: { type: 'string' },
      core: { type: 'boolean' },
      formula: { type: 'string' },
      'no-js': { type: 'boolean' },
      cache: { type: 'string' },
      'no-plain': { type: 'boolean' },
      dump: { type: 'string' },
      'coverage-path': { type: 'string' },
    },
  });
  const data = values.instances ?? join(BENCH, 'instances.jsonl');
  const text = readFileSync(data, 'utf8');
  const all: Instance[] = text.trim().startsWith('[') ? JSON.parse(text) : text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  let pick = all;
  if (values.ids) {
    const ids = new Set(values.ids.split(',').map((s) => s.trim()));
    pick = all.filter((i) => ids.has(i.instance_id));
  } else if (values.core) {
    const core = new Set(readFileSync(join(BENCH, 'core.txt'), 'utf8').split('\n').map((s) => s.trim()));
    pick = all.filter((i) => core.has(i.instance_id));
  }
  if (values['no-js']) pick = pick.filter((i) => !i.repo.startsWith('BugsJS/'));
  const formula = (values.formula ?? 'ochiai') as Formula;
  const log = (s: string) => process.stderr.write(s + '\n');
  const rows: Row[] = [];
  for (const inst of pick) {
    const t0 = Date.now();
    const r = await runOne(inst, data, { formula, cacheDir: values.cache ?? false, plain: !values['no-plain'], dump: values.dump, coveragePath: values['coverage-path'] }, log);
    rows.push(r);
    log(
      `${r.id}: ${r.ok ? `file@1 ${r.fileTop1 ? 'yes' : 'no'}  fn rank ${r.fnRank ?? '-'}  top tie ${r.topTie}  collect ${(r.collectMs / 1000).toFixed(1)}s vs plain ${(r.plainMs / 1000).toFixed(1)}s (${r.ratio.toFixed(2)}x)` : `ERROR ${r.error}`}  [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
    );
    if (r.ok && !values.json) log(`   gold ${r.goldFunctions.join(', ') || '(no enclosing function: ' + r.goldFiles.join(', ') + ')'}\n   top  ${r.top.join('\n        ')}`);
  }
  const byRepo: Record<string, ReturnType<typeof summarize>> = {};
  for (const repo of [...new Set(rows.map((r) => r.repo))]) byRepo[repo] = summarize(rows.filter((r) => r.repo === repo));
  const total = summarize(rows);
  if (values.json) {
    process.stdout.write(JSON.stringify({ formula, ...total, per_repo: byRepo, per_instance: rows }, null, 2) + '\n');
  } else {
    const line = (name: string, s: ReturnType<typeof summarize>) =>
      `${name.padEnd(20)} n=${String(s.instances).padStart(2)} err=${s.errors}  file@1 ${pct(s.file_top1)}  fn@1 ${pct(s.fn_top1)}  fn@5 ${pct(s.fn_top5)}  fn@10 ${pct(s.fn_top10)}  tie(top) median ${s.tie_top_median}  collect/plain ${s.collect_over_plain_ratio}x (median ${s.collect_over_plain_median}x)`;
    console.log(`formula ${formula}`);
    for (const [repo, s] of Object.entries(byRepo)) console.log(line(repo, s));
    console.log(line('TOTAL', total));
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`.padStart(4);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
