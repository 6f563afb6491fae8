// Fault localization end to end: per-test coverage (cached), spectra, ranking, warnings.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { languageForPath, parseSource } from '../index/parse-source';
import type { CodeSymbol } from '../index/types';
import { detectRunner } from '../runner/detect';
import { testEnv } from '../runner/env';
import type { TestRunnerSpec } from '../runner/types';
import { applyPatch } from '../validate/validate-patch';
import { createCheckout, type Checkout } from '../runner/checkout';
import { CoverageCache, defaultLocalizeCacheDir, treeState } from './coverage-cache';
import { identifierTokens, issueFrames, stackFrames, type StackFrame } from './evidence';
import { readHistory } from './history';
import { fileOfTest, matchTestIds, testFileOf, withSuggestions } from '../runner/test-ids';
import { collectJs } from './js-collect';
import { collectPython, tailOf } from './python-collect';
import { FRAME_PLUGIN, PYTEST_PLUGIN, READ_DATA } from './python-scripts';
import { rankFunctions } from './rank';
import { lineSpectra } from './sbfl';
import { LocalizeError, type Suspect, type CollectResult, type Formula, type LocalizationResult, type TestCoverage } from './types';

export interface LocalizeOptions {
  repo: string;
  failing: string[];
  passing?: string[];
  /** Every test the run reports that is not failing counts as passing. */
  allPassing?: boolean;
  issueText?: string;
  formula?: Formula;
  /** How tests run; default: detected from the project (runner/detect). */
  runner?: TestRunnerSpec;
  /** Test files/dirs to hand to the runner; default: the files named by the test ids (the whole suite for allPassing). */
  testPaths?: string[];
  /** Run in a git worktree carrying the uncommitted changes (default). false: run in `repo` itself (a throwaway checkout). */
  isolate?: boolean;
  /** Cache dir; false disables the cache. */
  cacheDir?: string | false;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Symbols of a repo-relative file, e.g. from an open WorkspaceIndex; default parses the file. */
  symbols?: (file: string) => Promise<CodeSymbol[] | undefined>;
  /** Python: link Debian's coverage.py into another interpreter that lacks it (default true). */
  borrowDebianCoverage?: boolean;
  /** JS: force per-file coverage (one process per test file) instead of one process per test. */
  jsMode?: 'per-test' | 'per-file';
  /** Read `git log` for commits like the issue (evidence for their files); default true when there is an issue text. */
  history?: boolean;
  /** A diff applied in the worktree before the tests run (a reproduction test that is not in the repository). */
  setupPatch?: string;
}

export const NO_FAILING_MESSAGE =
  'Fault localization needs at least one failing test: it compares what failing and passing tests execute. ' +
  'Name one with --failing TEST (e.g. tests/test_x.py::test_y), or let Rover write a reproduction test from the issue first ' +
  '(`rover fix --issue FILE` or "Rover: Fix This Issue" generates one and localizes from it).';

export async function localize(o: LocalizeOptions): Promise<LocalizationResult> {
  const failing = [...new Set(o.failing.map((s) => s.trim()).filter(Boolean))];
  if (failing.length === 0) throw new LocalizeError(NO_FAILING_MESSAGE, 'no-failing');
  const passing = [...new Set((o.passing ?? []).map((s) => s.trim()).filter(Boolean))].filter((p) => !failing.includes(p));
  const formula = o.formula ?? 'ochiai';
  const progress = o.onProgress ?? (() => undefined);
  const warnings: string[] = [];
  const spec = o.runner ?? (await detectRunner(o.repo));
  const before = await treeState(o.repo);
  if (o.setupPatch && o.isolate === false) throw new LocalizeError('A setup patch needs an isolated run (a private checkout).', 'bad-input');
  // the setup patch is part of what the tests see, so of the cache key too
  const state = before && o.setupPatch ? `${before}+setup:${createHash('sha1').update(o.setupPatch).digest('hex')}` : before;
  const wanted = [...failing, ...passing];
  // read while the tests run; a repository without history simply has no such evidence
  const past = o.issueText && o.history !== false ? readHistory(o.repo, { signal: o.signal }).catch(() => undefined) : Promise.resolve(undefined);

  let wt: Checkout | undefined;
  let runDir = o.repo;
  if (o.isolate ?? true) {
    progress('creating a private checkout for the test runs');
    wt = await createCheckout(o.repo, { includeUncommitted: true });
    runDir = wt.path;
  }
  let collected: CollectResult;
  try {
    if (o.setupPatch && wt) {
      const applied = await applyPatch(wt.path, o.setupPatch, false);
      if (!applied.ok) throw new LocalizeError(`The setup patch does not apply: ${applied.message}`, 'bad-input');
    }
    collected = await collect(o, spec, runDir, wanted, failing, state, progress);
  } finally {
    await wt?.dispose();
  }
  const after = await treeState(o.repo);
  if (before !== after) {
    warnings.push('Files in the repository changed while the tests ran; the coverage may not match what is on disk now. Run localization again for exact results.');
  }
  warnings.push(...collected.warnings);

  // requested ids -> coverage
  const covOf = new Map<string, TestCoverage[]>();
  const matched = matchTestIds(wanted, collected.tests.keys());
  for (const [req, ids] of matched) covOf.set(req, ids.map((id) => collected.tests.get(id)!));
  const missingFailing = failing.filter((f) => !covOf.has(f));
  const missingPassing = passing.filter((p) => !covOf.has(p));
  const errs = collected.collectErrors.map((e) => `${e.id}: ${firstLines(e.message, 6)}`).join('\n');
  if (missingFailing.length === failing.length) {
    throw new LocalizeError(
      `None of the failing tests ran: ${withSuggestions(missingFailing, collected.tests.keys())}.` +
        (errs ? ` These failed to collect:\n${errs}` : ' Check the test ids (e.g. tests/test_x.py::test_y for pytest, test/file.test.js::outer > inner for node and mocha).'),
      'collect-failed',
    );
  }
  if (missingFailing.length) warnings.push(`Failing tests that did not run (left out): ${withSuggestions(missingFailing, collected.tests.keys())}${errs ? `; collection errors:\n${errs}` : ''}`);
  if (missingPassing.length) warnings.push(`${missingPassing.length} passing test(s) did not run and were left out${missingPassing.length <= 5 ? `: ${missingPassing.join(', ')}` : ''}.`);

  const failSet = new Set<string>();
  const tests: TestCoverage[] = [];
  for (const f of failing) {
    for (const t of covOf.get(f) ?? []) {
      // two requested ids can name one test (`t.py::test_x` and `test_x`): it counts once
      if (failSet.has(t.id)) continue;
      if (t.status === 'passed' || t.status === 'xpass') warnings.push(`${t.id} was given as failing but passed in this run; it still counts as failing.`);
      failSet.add(t.id);
      tests.push(t);
    }
  }
  const passIds = new Set<string>();
  const passSources = o.allPassing ? [...collected.tests.values()].filter((t) => !failSet.has(t.id) && (t.status === undefined || t.status === 'passed' || t.status === 'xfail')) : passing.flatMap((p) => covOf.get(p) ?? []);
  for (const t of passSources) {
    if (failSet.has(t.id) || passIds.has(t.id)) continue;
    if (t.status === 'failed' || t.status === 'error') warnings.push(`${t.id} was given as passing but failed in this run; it still counts as passing.`);
    passIds.add(t.id);
    tests.push(t);
  }
  if (tests.filter((t) => failSet.has(t.id)).every((t) => Object.keys(t.files).length === 0)) {
    throw new LocalizeError(`The failing tests ran but no line of the project was measured (coverage is empty). Is the code under test inside ${o.repo}?`, 'no-coverage');
  }
  if (passIds.size === 0) warnings.push('No passing test: every line the failing tests run scores the same. Add --passing tests or --all-passing to separate them.');

  const frames: StackFrame[][] = [];
  const roots = [runDir, o.repo, ...(wt ? [wt.path] : [])];
  for (const t of tests) if (failSet.has(t.id) && t.failureText) frames.push(stackFrames(t.failureText, roots));

  const testFiles = new Set<string>();
  const failingTestFiles = new Set<string>();
  for (const t of tests) {
    const f = fileOfTest(t);
    if (f) testFiles.add(f);
    if (f && failSet.has(t.id)) failingTestFiles.add(f);
  }
  // each ranked file is read once: for its symbols and for the issue's words in its code
  const texts = new Map<string, Promise<string | undefined>>();
  const sourceOf = (f: string) => {
    let t = texts.get(f);
    if (!t) texts.set(f, (t = readFile(join(o.repo, f), 'utf8').catch(() => undefined)));
    return t;
  };
  const { entries, tieGroups } = await rankFunctions({
    spectra: lineSpectra(tests, failSet),
    totalFailed: failSet.size,
    totalPassed: passIds.size,
    formula,
    symbols: o.symbols ?? ((f) => parseSymbols(f, sourceOf(f))),
    source: sourceOf,
    issue: o.issueText ? identifierTokens(o.issueText) : undefined,
    history: await past,
    issueFrames: o.issueText ? issueFrames(o.issueText) : undefined,
    frames,
    failingTestFiles: [...failingTestFiles],
    exclude: testFiles,
  });
  return {
    formula,
    mode: collected.mode,
    tool: collected.tool,
    failing: [...failSet],
    passing: [...passIds],
    entries,
    tieGroups,
    warnings,
    collectMs: collected.durationMs,
    fromCache: collected.fromCache.length,
    coverage: Object.fromEntries(tests.map((t) => [t.id, t.files])),
  };
}

/** Per-test coverage as "file:line" keys: what regression selection and test-on-save take. */
export function coveredLines(r: Pick<LocalizationResult, 'coverage'>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [id, files] of Object.entries(r.coverage ?? {})) {
    const keys = new Set<string>();
    for (const [file, lines] of Object.entries(files)) for (const n of lines) keys.add(`${file}:${n}`);
    out.set(id, keys);
  }
  return out;
}

async function parseSymbols(file: string, source: Promise<string | undefined>): Promise<CodeSymbol[] | undefined> {
  const lang = languageForPath(file);
  if (!lang) return undefined;
  try {
    const text = await source;
    return text === undefined ? undefined : (await parseSource(lang, text, file)).symbols;
  } catch {
    return undefined;
  }
}

function firstLines(s: string, n: number): string {
  return s.trim().split('\n').slice(-n).join('\n');
}

function pythonOf(spec: TestRunnerSpec): string | undefined {
  if (spec.python) return spec.python;
  const c = spec.command[0] ?? '';
  return /(^|\/)python[\d.]*$/.test(c) ? c : undefined;
}

async function collect(
  o: LocalizeOptions,
  spec: TestRunnerSpec,
  runDir: string,
  wanted: string[],
  failing: string[],
  state: string | undefined,
  progress: (m: string) => void,
): Promise<CollectResult> {
  const started = Date.now();
  const timeoutMs = o.timeoutMs ?? 600_000;
  // the collector's own code is part of the key: a changed plugin or reader measures differently
  const collector = spec.kind === 'pytest' ? PYTEST_PLUGIN + READ_DATA : pythonOf(spec) ? FRAME_PLUGIN + READ_DATA : '';
  // 2: entries record the test's file
  const runnerKey = JSON.stringify([2, spec.kind, spec.command, o.jsMode ?? '', createHash('sha1').update(collector).digest('hex').slice(0, 12)]);
  const cache = o.cacheDir !== false && state ? new CoverageCache(o.cacheDir || defaultLocalizeCacheDir(), o.repo, state, runnerKey) : undefined;
  const tests = new Map<string, TestCoverage>();
  const fromCache: string[] = [];
  // allPassing needs the whole suite's verdicts: the cache cannot say which tests exist
  if (cache && !o.allPassing) {
    for (const id of wanted) {
      const hit = await cache.get(id);
      if (hit && !measuredNothing(hit)) {
        tests.set(id, hit);
        fromCache.push(id);
      }
    }
  }
  const todo = wanted.filter((id) => !tests.has(id));
  // cached under the id it was asked by, with its file (that id may not name it); a test that
  // measured nothing is not kept: that is more often a tracer that gave up mid-run (every later test
  // of the run measures nothing) than the truth, and once cached it would poison every later run
  const remember = async (produced: TestCoverage[]) => {
    if (!cache) return;
    for (const [req, ids] of matchTestIds(todo, produced.map((t) => t.id))) {
      const t = ids.length === 1 ? tests.get(ids[0]) : undefined;
      if (t && !measuredNothing(t)) await cache.put({ ...t, id: req, file: fileOfTest(t) });
    }
  };
  const result: CollectResult = { mode: 'per-test', tool: 'cache', tests, notFound: [], collectErrors: [], fromCache, durationMs: 0, warnings: [], commands: [] };
  if (todo.length === 0 && !o.allPassing) {
    result.durationMs = Date.now() - started;
    progress(`all ${wanted.length} tests' coverage came from the cache`);
    return result;
  }
  const files = [...new Set(todo.map(testFileOf))];
  let targets: string[];
  if (o.testPaths?.length) targets = o.testPaths;
  else if (o.allPassing) targets = spec.defaultTests ?? [];
  // mocha's full titles ("outer inner test") name no file: the script's own test paths hold them
  else if (files.some((f) => f === undefined) && (spec.kind === 'mocha' || spec.kind === 'node') && spec.defaultTests?.length) targets = spec.defaultTests;
  else if (files.some((f) => f === undefined)) {
    throw new LocalizeError(`Cannot tell which test files hold ${todo.filter((t) => !testFileOf(t)).slice(0, 5).join(', ')}: give ids with their file (path::name) or the files to run with --test-path.`, 'bad-input');
  } else targets = files as string[];

  const python = pythonOf(spec);
  const isPython = spec.kind === 'pytest' || spec.kind === 'unittest' || (spec.kind === 'command' && python !== undefined);
  const env = testEnv(spec, runDir);
  if (isPython && python) {
    const argv = spec.command.slice(1).filter((a) => a !== '{tests}' && !a.includes('{junit}'));
    progress(`collecting per-test coverage (${todo.length} tests, ${targets.length || 'all'} test paths)`);
    const r = await collectPython({
      python,
      args: argv,
      style: spec.kind === 'pytest' ? 'pytest' : 'script',
      env,
      cwd: spec.cwd ? join(runDir, spec.cwd) : runDir,
      targets,
      timeoutMs,
      ...(o.borrowDebianCoverage === false ? { borrowDebianCoverage: false } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    result.commands.push(r.command);
    result.tool = r.tool;
    if (r.pythonTracer) {
      result.warnings.push(
        `coverage.py has no C tracer for ${python} and uses its Python tracer: collecting takes several times as long as a plain test run. ` +
          `Installing coverage.py into that environment (\`${python} -m pip install coverage\`) brings the C tracer.`,
      );
    }
    if (r.run.timedOut) {
      throw new LocalizeError(
        `The test run timed out after ${Math.round(timeoutMs / 1000)} s${r.runningAtTimeout ? ` while running ${r.runningAtTimeout}` : ''}. ` +
          'Raise the limit (--timeout / rover.tests.timeoutSeconds) or pass fewer tests (--passing instead of --all-passing).',
        'timeout',
      );
    }
    if (r.run.cancelled) throw new LocalizeError('Cancelled.', 'collect-failed');
    result.collectErrors = r.collectErrors;
    for (const t of r.tests) {
      if (!tests.has(t.id)) tests.set(t.id, t);
    }
    if (r.tests.length === 0 && r.collectErrors.length) {
      const errs = r.collectErrors.map((e) => `${e.id}: ${firstLines(e.message, 6)}`).join('\n');
      throw new LocalizeError(`None of the failing tests ran: ${failing.join(', ')}. These failed to collect:\n${errs}`, 'collect-failed');
    }
    if (r.tests.length === 0) {
      throw new LocalizeError(`The test command produced no per-test coverage (exit ${r.run.code}): ${r.command.join(' ')}\n${tailOf(r.run.stdout + '\n' + r.run.stderr, 1500)}`, 'collect-failed');
    }
    // coverage's Python tracer (interpreters without the C tracer) is switched off for good when a
    // trace call fails, e.g. a RecursionError in a deep test: later tests then run unmeasured.
    // Failing tests matter most: re-run each such one on its own (sympy's bin/test -k NAME).
    const empty = (id: string) => Object.keys(tests.get(id)?.files ?? {}).length === 0;
    const isBinTest = argv.some((a) => /(^|\/)bin\/test$/.test(a));
    for (const f of failing) {
      const ids = matchTestIds([f], tests.keys()).get(f) ?? [];
      if (!isBinTest || (ids.length > 0 && !ids.every(empty))) continue;
      const name = (ids[0] ?? f).split('::').pop()!.replace(/\[.*$/, '');
      const file = ids[0] ? testFileOf(ids[0]) : undefined;
      progress(`re-running ${f} alone: the first run measured nothing for it`);
      const again = await collectPython({ python, args: [...argv, '-k', name], style: 'script', env, cwd: spec.cwd ? join(runDir, spec.cwd) : runDir, targets: file ? [file] : targets, timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
      result.commands.push(again.command);
      for (const t of again.tests) if (Object.keys(t.files).length > 0 || !tests.has(t.id)) tests.set(t.id, { ...t, status: t.status ?? tests.get(t.id)?.status });
    }
    const unmeasured = [...tests.values()].filter((t) => t.status && Object.keys(t.files).length === 0).length;
    if (unmeasured > 0) result.warnings.push(`${unmeasured} test(s) ran without a single measured line (tests of other code, or the tracer was switched off mid-run, e.g. by a RecursionError); they count as covering nothing.`);
    await remember(r.tests);
  } else if (spec.kind === 'node' || spec.kind === 'mocha') {
    const r = await collectJs({ spec, runDir, env, targets, wanted: todo, failing, timeoutMs, signal: o.signal, mode: o.jsMode, progress });
    result.mode = r.mode;
    result.tool = r.tool;
    result.commands.push(...r.commands);
    result.collectErrors = r.collectErrors;
    result.warnings.push(...r.warnings);
    for (const t of r.tests) if (!tests.has(t.id)) tests.set(t.id, t);
    if (r.mode === 'per-test') await remember(r.tests);
  } else {
    throw new LocalizeError(`Per-test coverage is not supported for ${spec.kind} runners yet (supported: pytest, unittest/sympy-style Python commands, node --test, mocha).`, 'unsupported');
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** A test without one measured line: never cached, and not served when an older Rover cached one. */
function measuredNothing(t: TestCoverage): boolean {
  return Object.keys(t.files).length === 0;
}

/** The top of the ranking in the shape the agent's prompt takes. */
export function topSuspects(r: Pick<LocalizationResult, 'entries'>, top = 10): Suspect[] {
  return r.entries.slice(0, top).map((e) => ({
    file: e.file,
    ...(e.className ? { className: e.className } : {}),
    ...(e.method ? { method: e.method } : {}),
    score: Number.isFinite(e.score) ? Math.round(e.score * 1e4) / 1e4 : 1e9,
    line: e.line,
  }));
}
