// One test run: expand the argv template, run it through runProcess (own process group, timeout,
// capped output, allow-list environment), parse per-test results, fall back to the exit code.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { CommandNotFoundError, runProcess } from '../proc/run';
import { makeTempDir } from '../proc/temp';
import { choosePython } from './detect';
import { testEnv } from './env';
import { mochaReporterSource } from './mocha-reporter';
import { NODE_REPORTER_SOURCE } from './node-reporter';
import { parseJestJson, parseJunit, parsePytestRA, parseSympy, parseTap, type ParsedResults } from './parsers/index';
import type { TestRunnerSpec, TestRunResult } from './types';

export interface RunTestsOptions {
  /** Test ids to run (expanded into '{tests}' according to the runner). */
  tests?: string[];
  /** Literal words for '{tests}', bypassing the id→argument mapping (e.g. SWE-bench test files). */
  testArgs?: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Added to the allow-list environment. */
  env?: NodeJS.ProcessEnv;
  /** Per stream. Default 2 MiB. */
  maxOutputBytes?: number;
}

/** The id used when only the exit code is known. */
export const SUITE_ID = '<suite>';
export const DEFAULT_TIMEOUT_MS = 300_000;

/** How selected ids become command-line words for each runner. */
export function testArgsFor(spec: TestRunnerSpec, tests: string[] | undefined): string[] {
  if (!tests?.length) return spec.defaultTests ?? [];
  switch (spec.kind) {
    case 'node':
    case 'mocha':
    case 'jest':
    case 'vitest':
      // an id without its file (mocha's full title) cannot narrow the run: run the script's own paths
      if (tests.some((t) => !t.includes('::'))) return spec.defaultTests ?? [];
      return [...new Set(tests.map((t) => t.split('::')[0]))];
    case 'go':
    case 'cargo':
    case 'maven':
    case 'gradle':
      return spec.defaultTests ?? [];
    default:
      return tests;
  }
}

function expand(spec: TestRunnerSpec, dir: string, words: string[], tmp: string, reporterPath: string, mochaReporterPath: string): string[] {
  const out: string[] = [];
  const py = spec.python ?? choosePython(dir);
  for (const a of spec.command) {
    if (a === '{tests}') out.push(...words);
    else out.push(a.replaceAll('{junit}', join(tmp, 'report')).replaceAll('{mocha-reporter}', mochaReporterPath).replaceAll('{reporter}', reporterPath).replaceAll('{python}', py));
  }
  return out;
}

function emptyResult(command: string[], extra: Partial<TestRunResult>): TestRunResult {
  return { command, results: {}, exitCode: null, timedOut: false, cancelled: false, durationMs: 0, output: '', failures: [], ...extra };
}

export async function runTests(dir: string, spec: TestRunnerSpec, opts: RunTestsOptions = {}): Promise<TestRunResult> {
  const runDir = spec.cwd ? (isAbsolute(spec.cwd) ? spec.cwd : resolve(dir, spec.cwd)) : dir;
  const tmp = await makeTempDir('run');
  try {
    const reporterPath = join(tmp, 'rover-node-reporter.mjs');
    if (spec.command.some((a) => a.includes('{reporter}'))) await writeFile(reporterPath, NODE_REPORTER_SOURCE);
    const mochaReporterPath = join(tmp, 'rover-mocha-reporter.cjs');
    if (spec.command.some((a) => a.includes('{mocha-reporter}'))) await writeFile(mochaReporterPath, mochaReporterSource(join(tmp, 'report')));
    const words = opts.testArgs ?? testArgsFor(spec, opts.tests);
    const argv = expand(spec, runDir, words, tmp, reporterPath, mochaReporterPath);
    if (argv.length === 0) return emptyResult([], { error: 'The test command is empty.' });
    if (!existsSync(runDir)) return emptyResult(argv, { error: `The test directory ${runDir} does not exist.` });
    const env = testEnv(spec, runDir, process.env, opts.env);
    let r;
    try {
      r = await runProcess(argv[0], argv.slice(1), {
        cwd: runDir,
        env,
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxOutputBytes: opts.maxOutputBytes ?? 2 * 1024 * 1024,
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof CommandNotFoundError) {
        const what = spec.python && argv[0] === spec.python ? `the Python interpreter "${argv[0]}"` : `"${argv[0]}"`;
        return emptyResult(argv, {
          error: `Cannot run the tests: ${what} was not found (cwd ${runDir}). Install it, or set "rover.tests.command"${spec.python ? ' / the Python interpreter setting' : ''} to a command that exists.`,
        });
      }
      throw e;
    }
    const output = r.stdout + (r.stderr ? `\n${r.stderr}` : '');
    const base: TestRunResult = {
      command: argv, results: {}, exitCode: r.code, timedOut: r.timedOut, cancelled: r.cancelled,
      durationMs: r.durationMs, output, failures: [],
      ...(r.containment ? { sandbox: r.containment.tool === 'bubblewrap' ? 'bubblewrap' : `none: ${r.containment.reason}` } : {}),
    };
    if (r.cancelled) return { ...base, error: 'The test run was cancelled.' };
    let parsed: ParsedResults = { results: {}, failures: [] };
    try {
      parsed = await parse(spec, runDir, tmp, r.stdout, output);
    } catch (e) {
      base.error = `Could not read the ${spec.reportFormat} report: ${(e as Error).message}`;
    }
    base.results = parsed.results;
    base.failures = parsed.failures;
    if (r.timedOut) {
      base.error = `The tests timed out after ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s and were killed (with every process they started).`;
      return base;
    }
    if (spec.reportFormat === 'exit-code' || (Object.keys(base.results).length === 0 && r.code !== 0 && !noTestsExit(spec, r.code, output))) {
      if (spec.reportFormat !== 'exit-code') base.error ??= crashMessage(spec, r.code, output);
      else base.results = { [SUITE_ID]: r.code === 0 ? 'passed' : 'failed' };
      if (spec.reportFormat === 'exit-code' && r.code !== 0) base.failures = [{ id: SUITE_ID, message: tail(output, 2000) }];
    }
    return base;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function parse(spec: TestRunnerSpec, runDir: string, tmp: string, stdout: string, output: string): Promise<ParsedResults> {
  const report = join(tmp, 'report');
  switch (spec.reportFormat) {
    case 'pytest-ra':
      return parsePytestRA(output);
    case 'sympy':
      return parseSympy(output);
    case 'tap':
      return parseTap(stdout);
    case 'junit':
      if (!existsSync(report)) return { results: {}, failures: [] };
      return parseJunit(await readFile(report, 'utf8'), runDir);
    case 'jest-json':
      if (!existsSync(report)) return { results: {}, failures: [] };
      return parseJestJson(await readFile(report, 'utf8'), runDir);
    default:
      return { results: {}, failures: [] };
  }
}

/** Runners that say "no tests" with an exit code (pytest 5, jest --passWithNoTests off). */
function noTestsExit(spec: TestRunnerSpec, code: number | null, output: string): boolean {
  if ((spec.kind === 'pytest' || spec.kind === 'unittest') && code === 5) return true;
  return /\bno tests? (found|ran|collected)\b/i.test(output);
}

function crashMessage(spec: TestRunnerSpec, code: number | null, output: string): string {
  const m = /No module named '?([\w.]+)'?/.exec(output);
  if (m && spec.python) return `The tests could not start: ${spec.python} has no module "${m[1]}" (exit ${code}). Install it for that interpreter or choose another interpreter.\n${tail(output, 1500)}`;
  if (/SyntaxError|IndentationError/.test(output) && /error(s)? during collection|ImportError while importing/.test(output)) {
    return `The tests could not be collected (syntax/import error, exit ${code}).\n${tail(output, 1500)}`;
  }
  // the project's own code fails to import under this interpreter (an old project on a new Python)
  const conftest = /ImportError while loading conftest '([^']+)'/.exec(output);
  const err = /^E\s+(\w+(?:Error|Exception)): (.*)$/m.exec(output);
  if (conftest && err && spec.python) {
    return `The tests could not start: loading ${conftest[1]} raised ${err[1]}: ${err[2]} (exit ${code}). If the project needs another Python than ${spec.python}, give that interpreter (a .venv in the project is used by default).\n${tail(output, 1500)}`;
  }
  return `The test command exited with ${code} before reporting any test result.\n${tail(output, 1500)}`;
}

export function tail(s: string, n: number): string {
  return s.length <= n ? s : `…${s.slice(s.length - n)}`;
}
