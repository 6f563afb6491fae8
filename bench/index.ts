// npm run bench:index -- <dir> [--json] [--samples N] [--reindex N] [--no-floor]
// Figures for the index and the search API on a real tree, with ripgrep and universal-ctags on the
// same tree for scale: cold index (no cache), warm open (cache), one-file re-index, per-API search
// latency (call + rendering, on names and strings drawn from the tree), peak RSS.
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WorkspaceIndex } from '../src/core/index/workspace-index';
import { CLASS_LIKE, type FileRecord } from '../src/core/index/types';
import { runProcess } from '../src/core/proc/run';
import { runtimeFor } from '../src/core/index/tree-sitter-runtime';
import { CodeSearch } from '../src/core/search/code-search';
import { renderOutcome } from '../src/core/search/render';
import type { SearchApiName } from '../src/core/search/types';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

async function timeTool(cmd: string, args: string[], cwd: string): Promise<number | null> {
  const t = performance.now();
  try {
    const r = await runProcess(cmd, args, { cwd, timeoutMs: 300_000, maxOutputBytes: 1 << 16 });
    if (r.timedOut || (r.code !== 0 && r.code !== 1)) return null;
  } catch {
    return null; // not installed
  }
  return (performance.now() - t) / 1000;
}

type Call = { api: SearchApiName; args: unknown[] };

function sampleCalls(files: FileRecord[], search: CodeSearch, n: number, rand: () => number): Call[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const classes = files.flatMap((f) => f.symbols.filter((s) => CLASS_LIKE.has(s.kind)).map((s) => ({ f, s })));
  const methods = files.flatMap((f) => f.symbols.filter((s) => s.kind === 'method' && s.className).map((s) => ({ f, s })));
  const callables = files.flatMap((f) => f.symbols.filter((s) => s.kind === 'function' || s.kind === 'method').map((s) => ({ f, s })));
  const calls = files.flatMap((f) => f.calls.map((c) => c.name));
  const withText = files.filter((f) => f.lines > 5);
  const codeLine = (): { text: string; file: string } => {
    for (let tries = 0; tries < 50; tries++) {
      const f = pick(withText);
      const lines = search.getCodeAroundLine(f.path, 1, 100_000).hits[0]?.code.split('\n') ?? [];
      const line = (pick(lines) ?? '').trim();
      if (line.length >= 8) return { text: line.slice(0, 40), file: f.path };
    }
    return { text: 'return', file: withText[0].path };
  };
  const out: Call[] = [];
  for (let i = 0; i < n; i++) {
    if (classes.length) {
      const c = pick(classes);
      out.push({ api: 'search_class', args: [c.s.name] });
      out.push({ api: 'search_class_in_file', args: [c.s.name, c.f.path] });
    }
    if (callables.length) {
      const m = pick(callables);
      out.push({ api: 'search_method', args: [m.s.name] });
      out.push({ api: 'search_method_in_file', args: [m.s.name, m.f.path] });
    }
    if (methods.length) {
      const m = pick(methods);
      out.push({ api: 'search_method_in_class', args: [m.s.name, m.s.className] });
    }
    const line = codeLine();
    out.push({ api: 'search_code', args: [line.text] });
    out.push({ api: 'search_code_in_file', args: [line.text, line.file] });
    const f = pick(withText);
    out.push({ api: 'get_code_around_line', args: [f.path, 1 + Math.floor(rand() * f.lines), 10] });
    if (calls.length) out.push({ api: 'find_references', args: [pick(calls)] });
  }
  return out;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean' }, samples: { type: 'string' }, reindex: { type: 'string' }, 'no-floor': { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    console.error('usage: npm run bench:index -- <dir> [--json] [--samples N] [--reindex N] [--no-floor]');
    return 2;
  }
  const root = resolve(positionals[0]);
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    console.error(`bench: ${positionals[0]}: ${(e as Error).message}`);
    return 2;
  }
  const samples = Number(values.samples ?? 100);
  const reindexN = Number(values.reindex ?? 100);
  // with --json the table goes to stderr, so stdout is exactly one JSON object
  const log = (s: string) => (values.json ? console.error(s) : console.log(s));
  const cacheDir = await mkdtemp(join(tmpdir(), 'rover-bench-cache-'));
  try {
    log(`bench: ${root}  (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
    let t = performance.now();
    let cpu0 = process.cpuUsage();
    const cold = await WorkspaceIndex.open(root, { cacheDir });
    const coldS = (performance.now() - t) / 1000;
    const coldCpu = process.cpuUsage(cpu0);
    const coldCpuS = (coldCpu.user + coldCpu.system) / 1e6;
    const stats = { ...cold.stats };
    await cold.close();
    log(`  cold index      ${coldS.toFixed(2)} s  (${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.cacheMisses} parsed; CPU ${coldCpuS.toFixed(2)} s over all threads)`);

    t = performance.now();
    cpu0 = process.cpuUsage();
    const index = await WorkspaceIndex.open(root, { cacheDir });
    const warmS = (performance.now() - t) / 1000;
    const warmCpu = process.cpuUsage(cpu0);
    const warmCpuS = (warmCpu.user + warmCpu.system) / 1e6;
    log(`  warm open       ${warmS.toFixed(3)} s  (${index.stats.cacheHits} cache hits, ${index.stats.cacheMisses} misses; CPU ${warmCpuS.toFixed(3)} s)`);

    // One-file re-index after a save. In the editor a saved file is an open file, whose tree the
    // index keeps (keepTree on open, untimed): insert a comment line at a random line start, write
    // it, time updateFile. The same edit on a file that is not open (changed by another program)
    // needs a full parse: timed separately. Every file is put back afterwards.
    const rand = rng(42);
    const files = index.files();
    const chosen = [...files].sort(() => rand() - 0.5).slice(0, Math.min(reindexN, files.length));
    const reindex: number[] = [];
    const reindexCpu: number[] = [];
    const reindexFull: number[] = [];
    for (const [n, f] of chosen.entries()) {
      const abs = join(root, f.path);
      const st = await stat(abs);
      const original = await readFile(abs);
      const text = original.toString('utf8');
      const starts = [0];
      for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      const at = starts[Math.floor(rand() * starts.length)];
      const comment = f.lang === 'python' ? '#' : '//';
      const edited = text.slice(0, at) + `${comment} rover bench edit ${n}\n` + text.slice(at);
      const opened = n % 2 === 0;
      try {
        if (opened) await index.keepTree(f.path);
        else index.dropTree(f.path);
        await writeFile(abs, edited);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await index.updateFile(f.path);
        const ms = performance.now() - t0;
        const cu = process.cpuUsage(c0);
        if (opened) {
          reindex.push(ms);
          reindexCpu.push((cu.user + cu.system) / 1000);
        } else reindexFull.push(ms);
      } finally {
        await writeFile(abs, original);
        await utimes(abs, st.atime, st.mtime);
        await index.updateFile(f.path);
        index.dropTree(f.path);
      }
    }
    reindex.sort((a, b) => a - b);
    reindexCpu.sort((a, b) => a - b);
    reindexFull.sort((a, b) => a - b);
    log(
      `  re-index 1 file p50 ${pct(reindex, 50).toFixed(2)} ms, p95 ${pct(reindex, 95).toFixed(2)} ms (${reindex.length} open files edited + saved; CPU p50 ${pct(reindexCpu, 50).toFixed(2)}, p95 ${pct(reindexCpu, 95).toFixed(2)} ms)`,
    );
    log(`    same edit, file not open: p50 ${pct(reindexFull, 50).toFixed(2)} ms, p95 ${pct(reindexFull, 95).toFixed(2)} ms (${reindexFull.length} files, full parse)`);

    // The floor under the cold index: tree-sitter's parse, file after file on one thread, then the
    // one query pass every extraction needs (tree-sitter walking the whole tree for definitions and
    // call sites), no extraction. With N worker threads the cold index cannot beat floor / N.
    let floorS: number | null = null;
    let queryS: number | null = null;
    if (!values['no-floor']) {
      let parseMs = 0;
      let queryMs = 0;
      for (const f of index.files()) {
        const text = index.readText(f.path);
        if (text === undefined) continue;
        const rt = await runtimeFor(f.lang);
        const t0 = performance.now();
        const tree = rt.parser.parse(text);
        const t1 = performance.now();
        if (tree) rt.query.matches(tree.rootNode);
        queryMs += performance.now() - t1;
        parseMs += t1 - t0;
        tree?.delete();
      }
      floorS = parseMs / 1000;
      queryS = queryMs / 1000;
      const cores = availableParallelism();
      log(`  parse only      ${floorS.toFixed(2)} s on one thread, + query pass ${queryS.toFixed(2)} s (tree-sitter alone; the cold index's floor is ${((floorS + queryS) / cores).toFixed(2)} s on ${cores} cores)`);
    }

    const search = new CodeSearch(index);
    t = performance.now();
    search.warm();
    const warmupS = (performance.now() - t) / 1000;
    log(`  search warm-up  ${warmupS.toFixed(2)} s  (read all texts, build the text-search filters; done once)`);
    const calls = sampleCalls(index.files(), search, samples, rng(7));
    const lat = new Map<SearchApiName, number[]>();
    const cpu = new Map<SearchApiName, number[]>();
    const okCount = new Map<SearchApiName, number>();
    for (const c of calls) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const o = search.call(c.api, c.args);
      renderOutcome(o);
      const ms = performance.now() - t0;
      const cu = process.cpuUsage(c0);
      (lat.get(c.api) ?? lat.set(c.api, []).get(c.api)!).push(ms);
      (cpu.get(c.api) ?? cpu.set(c.api, []).get(c.api)!).push((cu.user + cu.system) / 1000);
      if (o.ok) okCount.set(c.api, (okCount.get(c.api) ?? 0) + 1);
    }
    const searchP50: Record<string, number> = {};
    const searchP95: Record<string, number> = {};
    const searchCpuP95: Record<string, number> = {};
    // wall time is what a user waits; CPU time shows the cost when the machine is shared
    log('  search (call + render), ms:    wall p50     p95      max    cpu p50    p95   ok/calls');
    for (const [api, xs] of lat) {
      xs.sort((a, b) => a - b);
      const cs = cpu.get(api)!.sort((a, b) => a - b);
      searchP50[api] = r3(pct(xs, 50));
      searchP95[api] = r3(pct(xs, 95));
      searchCpuP95[api] = r3(pct(cs, 95));
      log(
        `    ${api.padEnd(24)} ${pct(xs, 50).toFixed(3).padStart(8)} ${pct(xs, 95).toFixed(3).padStart(8)} ${xs[xs.length - 1].toFixed(3).padStart(8)}` +
          ` ${pct(cs, 50).toFixed(2).padStart(9)} ${pct(cs, 95).toFixed(2).padStart(7)}   ${okCount.get(api) ?? 0}/${xs.length}`,
      );
    }
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    log(`  peak RSS        ${peakRssMb.toFixed(0)} MB`);
    await index.close();

    const rgS = await timeTool('rg', ['-c', '--no-messages', 'return', '.'], root);
    const ctagsS = await timeTool('ctags', ['-R', '-f', '/dev/null', '.'], root);
    log(`  rg -c return    ${rgS === null ? 'not available' : `${rgS.toFixed(2)} s`}`);
    log(`  ctags -R        ${ctagsS === null ? 'not available' : `${ctagsS.toFixed(2)} s`}`);
    if (values.json) {
      console.log(
        JSON.stringify({
          root,
          files: stats.files,
          bytes: stats.bytes,
          languages: stats.languages,
          classes: stats.classes,
          functions: stats.functions,
          methods: stats.methods,
          cold_s: r3(coldS),
          warm_s: r3(warmS),
          parse_only_1thread_s: floorS === null ? null : r3(floorS),
          query_pass_1thread_s: queryS === null ? null : r3(queryS),
          cold_cpu_s: r3(coldCpuS),
          warm_cpu_s: r3(warmCpuS),
          load_avg_1m: r2(loadavg()[0]),
          reindex_p50_ms: r3(pct(reindex, 50)),
          reindex_p95_ms: r3(pct(reindex, 95)),
          reindex_cpu_p95_ms: r3(pct(reindexCpu, 95)),
          reindex_unopened_p50_ms: r3(pct(reindexFull, 50)),
          reindex_unopened_p95_ms: r3(pct(reindexFull, 95)),
          search_warmup_s: r3(warmupS),
          search_p50_ms: searchP50,
          search_p95_ms: searchP95,
          search_cpu_p95_ms: searchCpuP95,
          search_calls: calls.length,
          peak_rss_mb: r2(peakRssMb),
          rg_s: rgS === null ? null : r3(rgS),
          ctags_s: ctagsS === null ? null : r3(ctagsS),
        }),
      );
    }
    return 0;
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  },
);
