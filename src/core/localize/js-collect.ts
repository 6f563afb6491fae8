// Per-test coverage for JavaScript/TypeScript from V8's own block coverage, converted (through
// source maps, for TS) with v8-to-istanbul and read with istanbul-lib-coverage.
//  - node --test: one process per test (--test-name-pattern), or per test file when there are too
//    many tests; the mode is reported.
//  - mocha: one process; CommonJS sources are instrumented with istanbul as they are required and a
//    root-level hook file reads and zeroes the counters after each test, so every test gets its own
//    coverage without a process each. ES modules and loader-run TypeScript get V8 precise coverage
//    taken between tests through the inspector instead (several times slower: each take serializes
//    every loaded script).
import { existsSync, readFileSync, statSync } from 'node:fs';
import fg from 'fast-glob';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import libCoverage from 'istanbul-lib-coverage';
import v8ToIstanbul from 'v8-to-istanbul';
import { builtFile } from '../index/install-paths';
import { makeTempDir } from '../proc/temp';
import { runProcess } from '../proc/run';
import type { TestRunnerSpec } from '../runner/types';
import { IstanbulLines, type StatementStarts } from './istanbul-lines';
import { realPathOr } from './real-path';
import { LocalizeError, type CoverageMode, type TestCoverage } from './types';
import { parseTapTests } from '../runner/parsers/tap';

export interface JsCollectOptions {
  spec: TestRunnerSpec;
  runDir: string;
  env: NodeJS.ProcessEnv;
  targets: string[];
  wanted: string[];
  failing: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  mode?: CoverageMode;
  /** Above this many tests node --test falls back to per-file processes. */
  maxProcesses?: number;
  progress?: (m: string) => void;
}

export interface JsCollected {
  mode: CoverageMode;
  tool: string;
  tests: TestCoverage[];
  collectErrors: { id: string; message: string }[];
  warnings: string[];
  commands: string[][];
}

interface V8Script {
  url: string;
  functions: { functionName: string; isBlockCoverage: boolean; ranges: { startOffset: number; endOffset: number; count: number }[] }[];
}

const conversionMemo = new Map<string, [string, number[]][]>();

/** Repo-relative file -> covered lines, for the scripts under `root` (node_modules excluded). */
export async function v8ToLines(scripts: V8Script[], givenRoot: string): Promise<Record<string, number[]>> {
  const out: Record<string, Set<number>> = {};
  // script URLs name real paths
  const root = realPathOr(givenRoot);
  for (const s of scripts) {
    if (!s.url.startsWith('file://')) continue;
    const path = fileURLToPath(s.url);
    const rel = relative(root, path);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(/[\\/]/).includes('node_modules')) continue;
    if (!s.functions.some((f) => f.ranges.some((r) => r.count > 0))) continue;
    // tests that ran the same blocks of a script get the same lines: convert each shape once
    const key = s.url + '\0' + s.functions.map((f) => f.ranges.map((r) => `${r.startOffset}:${r.endOffset}:${r.count > 0 ? 1 : 0}`).join(',')).join(';');
    const memo = conversionMemo.get(key);
    if (memo) {
      for (const [f, lines] of memo) {
        const set = (out[f] ??= new Set());
        for (const l of lines) set.add(l);
      }
      continue;
    }
    const got: [string, number[]][] = [];
    const conv = v8ToIstanbul(path, 0);
    try {
      await conv.load();
      // start from "nothing ran": coverage taken after a reset omits functions that did not run,
      // and v8-to-istanbul would count the lines of an omitted function as run
      conv.applyCoverage([{ functionName: '(empty-report)', isBlockCoverage: true, ranges: [{ startOffset: 0, endOffset: 0, count: 0 }] }, ...s.functions]);
      const map = libCoverage.createCoverageMap(conv.toIstanbul());
      for (const f of map.files()) {
        const frel = relative(root, f).split('\\').join('/');
        if (frel.startsWith('..') || isAbsolute(frel) || frel.includes('node_modules/')) continue;
        const lines = map.fileCoverageFor(f).getLineCoverage();
        const set = (out[frel] ??= new Set());
        const ran: number[] = [];
        for (const [l, n] of Object.entries(lines)) if (n > 0) ran.push(Number(l));
        for (const l of ran) set.add(l);
        got.push([frel, ran]);
      }
      if (conversionMemo.size > 20_000) conversionMemo.clear();
      conversionMemo.set(key, got);
    } catch {
      /* a script that cannot be read back (eval'd, deleted) contributes nothing */
    } finally {
      conv.destroy();
    }
  }
  const res: Record<string, number[]> = {};
  for (const [f, s] of Object.entries(out)) res[f] = [...s].sort((a, b) => a - b);
  return res;
}

async function readV8Dir(dir: string): Promise<V8Script[]> {
  if (!existsSync(dir)) return [];
  const scripts: V8Script[] = [];
  for (const f of await readdir(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      scripts.push(...((JSON.parse(await readFile(join(dir, f), 'utf8')) as { result: V8Script[] }).result ?? []));
    } catch {
      /* partial file of a killed process */
    }
  }
  return scripts;
}

interface TapTest {
  name: string;
  ok: boolean;
  skipped: boolean;
  text: string;
}

/** node --test's TAP, its leaf tests (each measured on its own), through the one TAP parser. */
function parseNodeTap(out: string): TapTest[] {
  return parseTapTests(out).filter((t) => !t.parent).map((t) => ({ name: t.id, ok: t.status === 'passed', skipped: t.status === 'skipped' || t.status === 'xfail' || t.status === 'xpass', text: t.text }));
}

// node --test's own default patterns, for a directory given as a target
const NODE_TEST_GLOBS = ['**/*.test.?(c|m)js', '**/*-test.?(c|m)js', '**/*_test.?(c|m)js', '**/test-*.?(c|m)js', '**/test.?(c|m)js', '**/test/**/*.?(c|m)js'];

async function expandTestFiles(targets: string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  const list = targets.length ? targets : ['.'];
  for (const t of list) {
    const abs = join(cwd, t);
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      const found = await fg(NODE_TEST_GLOBS, { cwd: abs, ignore: ['**/node_modules/**'], extglob: true });
      for (const f of found.sort()) out.push(join(t, f).split('\\').join('/'));
    } else out.push(t);
  }
  return [...new Set(out)];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function collectNodeTest(o: JsCollectOptions): Promise<JsCollected> {
  const files = await expandTestFiles(o.targets, o.runDir);
  if (o.mode !== 'per-file' && files.length > 0 && jsEngine(o.runDir, o.spec.command, files).engine === 'istanbul') {
    const r = await collectNodeTestIstanbul(o, files);
    if ('collected' in r) return r.collected;
    const v8 = await collectNodeTestV8(o, files);
    v8.warnings.push(r.fallback);
    return v8;
  }
  return collectNodeTestV8(o, files);
}

/** node --test, one process per test file, every test's coverage from istanbul counters. */
async function collectNodeTestIstanbul(o: JsCollectOptions, files: string[]): Promise<{ collected: JsCollected } | { fallback: string }> {
  const tmp = await makeTempDir('nodecov');
  try {
    const hooks = join(tmp, 'rover-node-test-hooks.js');
    await writeFile(hooks, NODE_TEST_ISTANBUL_HOOKS);
    const commands: string[][] = [];
    const collectErrors: { id: string; message: string }[] = [];
    const perFile: { file: string; tests: TapTest[]; records: Map<string, Record<string, number[]>> }[] = [];
    const mapsPrefix = join(tmp, 'statements');
    for (const [k, file] of files.entries()) {
      const cmd = ['node', '--require', builtFile(ISTANBUL_REGISTER)!, '--require', hooks, '--test', '--test-reporter=tap', file];
      commands.push(cmd);
      o.progress?.(`coverage of the tests in ${file}`);
      const outFile = join(tmp, `f${k}.jsonl`);
      const env = { ...o.env, ROVER_COV_ROOT: o.runDir, ROVER_COV_OUT: outFile, ROVER_COV_MAPS: mapsPrefix, ROVER_COV_TEST_FILE: realPathOr(resolve(o.runDir, file)) };
      const r = await runProcess(cmd[0], cmd.slice(1), { cwd: o.runDir, env, timeoutMs: o.timeoutMs, signal: o.signal, maxOutputBytes: 8 * 1024 * 1024 });
      if (r.timedOut) throw Object.assign(new Error(`timed out running ${file}`), { code: 'timeout' });
      const tests = parseNodeTap(r.stdout);
      if (tests.length === 0) collectErrors.push({ id: file, message: (r.stdout + r.stderr).trim().slice(-2000) || `exit ${r.code}` });
      const records = new Map<string, Record<string, number[]>>();
      const raw = existsSync(outFile) ? (await readFile(outFile, 'utf8')).split('\n').filter(Boolean) : [];
      for (const line of raw) {
        const rec = JSON.parse(line) as { name?: string; hit: Record<string, number[]> };
        if (typeof rec.name !== 'string') return { fallback: `This node has no TestContext.fullName (node 20.16+ has): coverage was taken with one process per test instead.` };
        if (!records.has(rec.name)) records.set(rec.name, rec.hit);
      }
      perFile.push({ file, tests, records });
    }
    const maps = await readStatementTables(mapsPrefix);
    const lines = new IstanbulLines(maps.files, o.runDir);
    const out: TestCoverage[] = [];
    for (const pf of perFile) {
      for (const t of pf.tests) {
        const status: TestCoverage['status'] = t.skipped ? 'skipped' : t.ok ? 'passed' : 'failed';
        out.push({ id: `${pf.file}::${t.name}`, status, files: lines.linesOf(pf.records.get(t.name) ?? {}), ...(t.text ? { failureText: t.text } : {}) });
      }
    }
    const why = out.length > 0 ? unmeasured(Object.keys(maps.files).length, out) : undefined;
    if (why) return { fallback: why };
    return { collected: { mode: 'per-test', tool: 'istanbul statement counters (node --test, one process per test file)', tests: out, collectErrors, warnings: maps.warning ? [maps.warning] : [], commands } };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** node --test with V8 coverage: each file once, then one process per test (or per file when there are many). */
async function collectNodeTestV8(o: JsCollectOptions, files: string[]): Promise<JsCollected> {
  const tmp = await makeTempDir('v8cov');
  const commands: string[][] = [];
  const warnings: string[] = [];
  const collectErrors: { id: string; message: string }[] = [];
  const perFile: { file: string; tests: TapTest[]; lines: Record<string, number[]> }[] = [];
  try {
    if (files.length === 0) collectErrors.push({ id: o.targets.join(' ') || '<none>', message: 'no test files found' });
    // 1. each test file once: its tests, verdicts, and its per-file coverage
    for (const [k, file] of files.entries()) {
      const dir = join(tmp, `f${k}`);
      const cmd = ['node', '--test', '--test-reporter=tap', file];
      commands.push(cmd);
      const r = await runProcess(cmd[0], cmd.slice(1), { cwd: o.runDir, env: { ...o.env, NODE_V8_COVERAGE: dir }, timeoutMs: o.timeoutMs, signal: o.signal, maxOutputBytes: 8 * 1024 * 1024 });
      if (r.timedOut) throw Object.assign(new Error(`timed out running ${file}`), { code: 'timeout' });
      const tests = parseNodeTap(r.stdout);
      if (tests.length === 0) collectErrors.push({ id: file, message: (r.stdout + r.stderr).trim().slice(-2000) || `exit ${r.code}` });
      perFile.push({ file, tests, lines: await v8ToLines(await readV8Dir(dir), o.runDir) });
    }
    const total = perFile.reduce((n, f) => n + f.tests.length, 0);
    const limit = o.maxProcesses ?? 150;
    let mode: CoverageMode = o.mode ?? (total <= limit ? 'per-test' : 'per-file');
    if (mode === 'per-file' && !o.mode) warnings.push(`${total} tests: coverage was collected per test file (one process per file), not per test; tests in the same file share their file's coverage.`);
    const out: TestCoverage[] = [];
    for (const pf of perFile) {
      for (const t of pf.tests) {
        const id = `${pf.file}::${t.name}`;
        const status: TestCoverage['status'] = t.skipped ? 'skipped' : t.ok ? 'passed' : 'failed';
        if (mode === 'per-file' || t.skipped) {
          out.push({ id, status, files: pf.lines, ...(t.text ? { failureText: t.text } : {}) });
          continue;
        }
        const dir = join(tmp, `t${out.length}`);
        const leaf = t.name.split(' > ').pop()!;
        const cmd = ['node', '--test', '--test-reporter=tap', `--test-name-pattern=^${escapeRegex(leaf)}$`, pf.file];
        commands.push(cmd);
        o.progress?.(`coverage of ${id}`);
        const r = await runProcess(cmd[0], cmd.slice(1), { cwd: o.runDir, env: { ...o.env, NODE_V8_COVERAGE: dir }, timeoutMs: o.timeoutMs, signal: o.signal, maxOutputBytes: 8 * 1024 * 1024 });
        if (r.timedOut) throw Object.assign(new Error(`timed out running ${id}`), { code: 'timeout' });
        out.push({ id, status, files: await v8ToLines(await readV8Dir(dir), o.runDir), ...(t.text ? { failureText: t.text } : {}) });
      }
    }
    if (mode === 'per-test' && out.length === 0) mode = 'per-file';
    return { mode, tool: mode === 'per-test' ? 'V8 coverage (node --test, one process per test)' : 'V8 coverage (node --test, one process per test file)', tests: out, collectErrors, warnings, commands };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// The titles from the outermost describe to the test, for ids of the form file::outer > inner > test
// (mochas before 4 have no titlePath)
const TITLE_PATH = String.raw`
function titlePath(t) {
  if (typeof t.titlePath === 'function') return t.titlePath();
  const out = [];
  for (let p = t; p && !p.root; p = p.parent) out.unshift(p.title);
  return out;
}
`;

/** Mocha root hooks: V8 precise coverage taken through the inspector after every test. */
export const MOCHA_HOOKS = String.raw`
'use strict';
${TITLE_PATH}
const inspector = require('inspector');
const fs = require('fs');
const root = process.env.ROVER_COV_ROOT;
const out = process.env.ROVER_COV_OUT;
const session = new inspector.Session();
session.connect();
const post = (m, p) => new Promise((res, rej) => session.post(m, p || {}, (e, r) => (e ? rej(e) : res(r))));
// callCount stays on although only covered/not covered is used: in binary mode V8 does not report a
// block again once it has been reported, so every test after the first would miss shared code
const ready = post('Profiler.enable').then(() => post('Profiler.startPreciseCoverage', { callCount: true, detailed: true }));
const prefix = 'file://' + root + '/';
// whole scripts are kept: v8-to-istanbul counts a line as run unless a zero-count range covers it
function keep(result) {
  return result.filter((s) => s.url.startsWith(prefix) && s.url.indexOf('/node_modules/') < 0 && s.url !== 'file://' + __filename)
    .filter((s) => s.functions.some((f) => f.ranges.some((r) => r.count > 0)))
    .map((s) => ({ url: s.url, functions: s.functions }));
}
// One take per test: each take returns the counts since the last one and resets them, so a test's
// coverage is everything since the previous test ended (its beforeEach/afterEach hooks included,
// and the before() hooks of a describe it opens). A second take before each test to drop those would
// double the cost: every take serializes the coverage of every loaded script, node_modules too.
before(function () { return ready.then(() => post('Profiler.takePreciseCoverage')); });
afterEach(function () {
  const t = this.currentTest;
  return post('Profiler.takePreciseCoverage').then((r) => {
    const err = t.err ? String((t.err && t.err.stack) || t.err) : '';
    fs.appendFileSync(out, JSON.stringify({ title: t.fullTitle(), path: titlePath(t), file: t.file || '', state: t.state || (t.pending ? 'pending' : ''), err: err.slice(0, 20000), result: keep(r.result) }) + '\n');
  });
});
`;

// Reads the statements run since the last call out of dist/istanbul-register.js's counters and
// zeroes them: a few hundred counters, microseconds, where a V8 take serializes every loaded script.
const ISTANBUL_TAKE = String.raw`
function take() {
  const cov = global.__rover_cov__ || {};
  const hit = {};
  for (const f in cov) {
    const c = cov[f];
    let ids = null;
    for (const k in c.s) if (c.s[k]) { (ids || (ids = [])).push(+k); c.s[k] = 0; }
    for (const k in c.f) c.f[k] = 0;
    for (const k in c.b) c.b[k].fill(0);
    if (ids) hit[f] = ids;
  }
  return hit;
}
`;

/** Mocha root hooks for the istanbul engine: the statements each test ran (ids per instrumented file). */
export const MOCHA_ISTANBUL_HOOKS = String.raw`
'use strict';
${TITLE_PATH}
const fs = require('fs');
const out = process.env.ROVER_COV_OUT;
${ISTANBUL_TAKE}
// What ran while the test files were loaded, and between tests (a describe's before/after hooks),
// belongs to no test: a test's coverage is its beforeEach hooks, its body and its afterEach hooks.
before(function () { take(); });
beforeEach(function () { take(); });
afterEach(function () {
  const t = this.currentTest;
  const err = t.err ? String((t.err && t.err.stack) || t.err) : '';
  fs.appendFileSync(out, JSON.stringify({ title: t.fullTitle(), path: titlePath(t), file: t.file || '', state: t.state || (t.pending ? 'pending' : ''), err: err.slice(0, 20000), hit: take() }) + '\n');
});
`;

/**
 * Preloaded (--require) into `node --test`: hooks at the top level of the test file's own process
 * (NODE_TEST_CONTEXT is set there, not in the runner) apply to every test of the file. Verdicts come
 * from the TAP output; `fullName` ("outer > inner", node 20.16+) names the test as our ids do.
 */
export const NODE_TEST_ISTANBUL_HOOKS = String.raw`
'use strict';
// only in the process running the test file: a process the tests fork inherits --require and
// NODE_TEST_CONTEXT, and test hooks there would start a test harness of its own
let own = false;
try { own = !!process.env.NODE_TEST_CONTEXT && require('fs').realpathSync(process.argv[1]) === process.env.ROVER_COV_TEST_FILE; } catch (e) {}
if (own) {
  const { beforeEach, afterEach } = require('node:test');
  const fs = require('fs');
  const out = process.env.ROVER_COV_OUT;
  ${ISTANBUL_TAKE}
  // before each test, not once: the root before hook runs before the file is even loaded
  beforeEach(() => { take(); });
  afterEach((t) => { fs.appendFileSync(out, JSON.stringify({ name: t.fullName, hit: take() }) + '\n'); });
}
`;

/**
 * Why an istanbul run cannot stand, if it cannot: nothing was instrumented (ES modules, a loader),
 * or a failing test ran no instrumented statement (code it runs came in some other way, e.g. an ES
 * module next to CommonJS). Then the tests are run again with V8 coverage, which sees every script.
 */
function unmeasured(instrumented: number, tests: TestCoverage[]): string | undefined {
  if (instrumented === 0) return 'No CommonJS source of the project was loaded through require (ES modules or a custom loader?), so the tests were run again with V8 coverage.';
  const blind = tests.filter((t) => (t.status === 'failed' || t.status === 'error') && Object.keys(t.files).length === 0);
  if (blind.length) return `${blind.length} failing test(s) ran no instrumented statement (${blind[0].id}; code loaded as an ES module?), so the tests were run again with V8 coverage.`;
  return undefined;
}

/**
 * The statement tables every instrumented process of a run wrote (`<prefix>.<pid>.json`, the
 * register's ROVER_COV_MAPS), merged, and a warning naming the files istanbul could not parse.
 */
async function readStatementTables(prefix: string): Promise<{ files: StatementStarts; failed: string[]; warning?: string }> {
  const merged: { files: StatementStarts; failed: string[]; warning?: string } = { files: {}, failed: [] };
  const dir = dirname(prefix);
  for (const f of await readdir(dir)) {
    if (!f.startsWith(basename(prefix) + '.') || !f.endsWith('.json')) continue;
    try {
      const t = JSON.parse(await readFile(join(dir, f), 'utf8')) as { files: StatementStarts; failed: string[] };
      Object.assign(merged.files, t.files);
      merged.failed.push(...t.failed);
    } catch {
      /* a process killed while writing */
    }
  }
  if (merged.failed.length) merged.warning = `istanbul could not parse ${merged.failed.length} file(s); they ran unmeasured: ${merged.failed.slice(0, 3).join('; ')}`;
  return merged;
}

type JsEngine = 'istanbul' | 'v8';

interface MochaRecord {
  title: string;
  /** The titles from the outermost describe to the test. */
  path?: string[];
  file?: string;
  state: string;
  err: string;
  /** V8 engine: the scripts' coverage since the last test. */
  result?: V8Script[];
  /** istanbul engine: statement ids run, per instrumented file. */
  hit?: Record<string, number[]>;
}

// require hooks and loaders istanbul's CommonJS hook cannot sit in front of (TypeScript run from
// source, ES modules): those projects get V8's coverage
const LOADER_WORDS = /\b(ts-node|tsx|@swc[-/]register|esbuild-register|@babel\/register)\b|--loader\b|--import\b|--experimental-loader\b/;

/** Which engine measures a mocha or node --test project: istanbul for CommonJS JavaScript, V8 otherwise. */
export function jsEngine(runDir: string, argv: string[], targets: string[]): { engine: JsEngine; why?: string } {
  if (!builtFile(ISTANBUL_REGISTER)) return { engine: 'v8', why: 'the istanbul hook is not built' };
  if (packageJson(runDir).type === 'module') return { engine: 'v8', why: 'the package is an ES module' };
  if (targets.some((t) => t.endsWith('.mjs'))) return { engine: 'v8', why: 'the tests are ES modules' };
  if (argv.some((a) => LOADER_WORDS.test(a))) return { engine: 'v8', why: 'the tests run through a loader' };
  for (const [where, text] of mochaConfigs(runDir, argv)) if (LOADER_WORDS.test(text)) return { engine: 'v8', why: `${where} loads the tests through a loader` };
  return { engine: 'istanbul' };
}

const ISTANBUL_REGISTER = 'istanbul-register.js';

/**
 * The mocha command without its reporter, test arguments and parallel mode, for the hooks to be
 * added to. Per-test coverage needs every test in one process: mocha's parallel workers would each
 * run a share of the files, and the root hooks only in one of them.
 */
export function mochaArgv(words: string[], runDir: string): string[] {
  const argv: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '{tests}' || w.includes('{junit}')) continue;
    if (w === '--reporter' || w === '-R' || w === '--reporter-option' || w === '--jobs' || w === '-j') {
      i++;
      continue;
    }
    if (/^--(reporter(-option)?|jobs)=/.test(w) || w === '--parallel' || w === '-p') continue;
    argv.push(w);
  }
  // a config that turns parallel mode on is overridden (the flag exists since mocha 8, as does the mode)
  if (mochaConfigs(runDir, words).some(([, text]) => /["']?parallel["']?\s*[:=]\s*true\b/.test(text))) argv.push('--no-parallel');
  return argv;
}

const MOCHARC = ['.mocharc.js', '.mocharc.cjs', '.mocharc.json', '.mocharc.jsonc', '.mocharc.yml', '.mocharc.yaml'];

/** mocha's configuration as text, where it can come from: .mocharc.*, `--config FILE`, package.json's "mocha". */
function mochaConfigs(runDir: string, argv: string[]): [string, string][] {
  const out: [string, string][] = MOCHARC.map((rc) => [rc, readOr(join(runDir, rc))]);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--config(?:=(.+))?$/.exec(argv[i]);
    const file = m ? (m[1] ?? argv[i + 1]) : undefined;
    if (file) out.push([file, readOr(resolve(runDir, file))]);
  }
  const pkg = packageJson(runDir);
  if (pkg.mocha !== undefined) out.push(['package.json "mocha"', JSON.stringify(pkg.mocha)]);
  return out.filter(([, text]) => text !== '');
}

/** The project's package.json, or nothing when it is missing or not JSON (then: CommonJS, no config). */
function packageJson(runDir: string): { type?: unknown; mocha?: unknown } {
  try {
    return JSON.parse(readOr(join(runDir, 'package.json')) || '{}') as { type?: unknown; mocha?: unknown };
  } catch {
    return {};
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function collectMocha(o: JsCollectOptions): Promise<JsCollected> {
  const argv = mochaArgv(o.spec.command, o.runDir);
  const choice = jsEngine(o.runDir, argv, o.targets);
  if (choice.engine === 'istanbul') {
    const r = await runMocha(o, argv, 'istanbul');
    const why = r.records > 0 ? unmeasured(r.instrumented, r.collected.tests) : undefined;
    if (!why) return r.collected;
    const v8 = await runMocha(o, argv, 'v8');
    v8.collected.warnings.push(why);
    return v8.collected;
  }
  return (await runMocha(o, argv, 'v8')).collected;
}

async function runMocha(o: JsCollectOptions, argv: string[], engine: JsEngine): Promise<{ collected: JsCollected; instrumented: number; records: number }> {
  const tmp = await makeTempDir('mochacov');
  try {
    const hooks = join(tmp, 'rover-mocha-hooks.js');
    await writeFile(hooks, engine === 'istanbul' ? MOCHA_ISTANBUL_HOOKS : MOCHA_HOOKS);
    const outFile = join(tmp, 'tests.jsonl');
    const mapsFile = join(tmp, 'statements');
    const cmd = [...argv];
    if (engine === 'istanbul') {
      // first among the requires, so it instruments the files as they are on disk
      const at = cmd.findIndex((w) => /(^|[\\/])_?mocha(\.c?js)?$/.test(w));
      cmd.splice(at >= 0 ? at + 1 : cmd.length, 0, '--require', builtFile(ISTANBUL_REGISTER)!);
    }
    cmd.push('--reporter', 'dot', hooks, ...o.targets);
    const r = await runProcess(cmd[0], cmd.slice(1), {
      cwd: o.runDir,
      env: { ...o.env, ROVER_COV_ROOT: o.runDir, ROVER_COV_OUT: outFile, ...(engine === 'istanbul' ? { ROVER_COV_MAPS: mapsFile } : {}) },
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      maxOutputBytes: 8 * 1024 * 1024,
    });
    if (r.timedOut) throw Object.assign(new Error('timed out running mocha'), { code: 'timeout' });
    const warnings: string[] = [];
    let lines: IstanbulLines | undefined;
    let instrumented = 0;
    if (engine === 'istanbul') {
      const maps = await readStatementTables(mapsFile);
      instrumented = Object.keys(maps.files).length;
      if (maps.warning) warnings.push(maps.warning);
      lines = new IstanbulLines(maps.files, o.runDir);
    }
    const tests: TestCoverage[] = [];
    const collectErrors: { id: string; message: string }[] = [];
    const raw = existsSync(outFile) ? (await readFile(outFile, 'utf8')).split('\n').filter(Boolean) : [];
    if (raw.length === 0) collectErrors.push({ id: '<mocha>', message: (r.stdout + r.stderr).trim().slice(-2000) || `exit ${r.code}` });
    const seen = new Map<string, TestCoverage>();
    for (const line of raw) {
      const rec = JSON.parse(line) as MochaRecord;
      const status: TestCoverage['status'] = rec.state === 'passed' ? 'passed' : rec.state === 'failed' ? 'failed' : 'skipped';
      const rel = rec.file ? relative(o.runDir, rec.file).split('\\').join('/') : '';
      const file = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : '';
      // the one id grammar: file::outer > inner > test (mocha's space-joined full title still matches it)
      const title = rec.path?.length ? rec.path.join(' > ') : rec.title;
      const id = file ? `${file}::${title}` : title;
      const prev = seen.get(id);
      // a title seen twice passes only if every occurrence passes (as the benchmark grades it)
      if (prev) {
        if (status === 'failed') prev.status = 'failed';
        continue;
      }
      const t: TestCoverage = {
        id,
        status,
        files: lines ? lines.linesOf(rec.hit ?? {}) : await v8ToLines(rec.result ?? [], o.runDir),
        ...(rec.err ? { failureText: rec.err } : {}),
        ...(file ? { file } : {}),
      };
      seen.set(id, t);
      tests.push(t);
    }
    const tool = engine === 'istanbul' ? 'istanbul statement counters (mocha, in-process per test)' : 'V8 precise coverage (mocha, in-process per test through the inspector)';
    return { collected: { mode: 'per-test', tool, tests, collectErrors, warnings, commands: [cmd] }, instrumented, records: raw.length };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function collectJs(o: JsCollectOptions): Promise<JsCollected> {
  conversionMemo.clear(); // files may have changed since the last run
  try {
    if (o.spec.kind === 'mocha') return await collectMocha(o);
    return await collectNodeTest(o);
  } catch (e) {
    if ((e as { code?: string }).code === 'timeout') {
      throw new LocalizeError(`The test run ${(e as Error).message} after ${Math.round(o.timeoutMs / 1000)} s. Raise the limit or pass fewer tests.`, 'timeout');
    }
    throw e;
  }
}
