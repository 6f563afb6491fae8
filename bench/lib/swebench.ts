// SWE-bench-style evaluation support for `rover eval`: instances, the per-repository test commands
// (mirroring shared/bench/harness.py's REPO_CFG so Rover runs exactly what the reference harness
// runs, through Rover's own runner), and SWE-bench grading (a test passes iff PASSED or XFAIL; a
// missing test fails; PASS_TO_PASS_ENV_FAIL is ignored).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../src/core/proc/run';
import { changedFiles } from '../../src/core/validate/regression';
import type { TestRunnerSpec, TestStatus } from '../../src/core/runner/types';

export interface Instance {
  instance_id: string;
  repo: string;
  base_commit: string;
  version?: string;
  problem_statement: string;
  patch: string;
  test_patch: string;
  FAIL_TO_PASS: string[];
  PASS_TO_PASS: string[];
  PASS_TO_PASS_ENV_FAIL?: string[];
  python?: string | null;
  cmd?: string[];
  extra_env?: Record<string, string>;
  extra_pythonpath?: string[];
  /** For a repository REPO_CFG does not know: how to read its test log (with `cmd`). */
  parser?: Parser;
}

export async function loadInstances(file: string): Promise<Map<string, Instance>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the instances file ${file}: ${(e as Error).message}`);
  }
  // [row, where it is named in errors]
  const rows: [Instance, string][] = [];
  if (text.trimStart().startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(arr)) throw new Error(`${file}: expected a JSON array of instances`);
    arr.forEach((r, i) => rows.push([r as Instance, `${file}: instance #${i + 1}`]));
  } else {
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      try {
        rows.push([JSON.parse(l) as Instance, `${file}:${i + 1}`]);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    });
  }
  const out = new Map<string, Instance>();
  for (const [r, where] of rows) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error(`${where}: expected an object (one instance per line)`);
    for (const k of ['FAIL_TO_PASS', 'PASS_TO_PASS'] as const) {
      if (typeof r[k] === 'string') {
        try {
          r[k] = JSON.parse(r[k] as unknown as string);
        } catch {
          throw new Error(`${where}: ${k} is a string that is not a JSON list`);
        }
      }
      if (r[k] === undefined) r[k] = [];
      if (!Array.isArray(r[k]) || r[k].some((t) => typeof t !== 'string')) throw new Error(`${where}: ${k} must be a list of test ids`);
    }
    const lacking = (['instance_id', 'repo', 'base_commit'] as const).filter((k) => typeof r[k] !== 'string' || !r[k]);
    if (lacking.length) throw new Error(`${where}: the instance lacks ${lacking.join(', ')}`);
    for (const k of ['patch', 'test_patch', 'problem_statement'] as const) {
      if (r[k] !== undefined && typeof r[k] !== 'string') throw new Error(`${where}: ${k} must be a string`);
      r[k] ??= '';
    }
    if (out.has(r.instance_id)) throw new Error(`${where}: instance ${r.instance_id} appears twice`);
    out.set(r.instance_id, r);
  }
  return out;
}

const NON_TEST_EXTS = ['.json', '.png', 'csv', '.txt', '.md', '.jpg', '.jpeg', '.pkl', '.yml', '.yaml', '.toml'];

/** The test files SWE-bench passes to the test command: files the test patch touches. */
export function testDirectives(inst: Instance): string[] {
  const files = [...inst.test_patch.matchAll(/diff --git a\/.* b\/(.*)/g)].map((m) => m[1]);
  return files.filter((d) => !NON_TEST_EXTS.some((e) => d.endsWith(e)));
}

export type Parser = 'pytest' | 'pytest_options' | 'sympy' | 'mocha_tap';
interface RepoCfg {
  cmd: string[];
  env?: Record<string, string>;
  pythonpath?: string[];
  parser: Parser;
  noDirectives?: boolean;
  service?: 'httpbin';
  timeoutS?: number;
  /** Ignored files of the prepared checkout the tests need (symlinked into the worktree). */
  link?: string[];
}

const SYMPY_ENV = { PYTHONWARNINGS: 'ignore::UserWarning,ignore::SyntaxWarning' };
export const REPO_CFG: Record<string, RepoCfg> = {
  'sympy/sympy': { cmd: ['{py}', 'bin/test', '-C', '--verbose'], env: SYMPY_ENV, parser: 'sympy' },
  'pytest-dev/pytest': { cmd: ['{py}', '-m', 'pytest', '-rA'], pythonpath: ['src'], parser: 'pytest', link: ['src/_pytest/_version.py'] },
  'psf/requests': { cmd: ['{py}', '-m', 'pytest', '-rA'], parser: 'pytest_options', service: 'httpbin' },
  'pallets/flask': { cmd: ['{py}', '-m', 'pytest', '-rA'], pythonpath: ['src'], parser: 'pytest' },
  'pylint-dev/pylint': { cmd: ['{py}', '-m', 'pytest', '-rA'], parser: 'pytest_options' },
  'BugsJS/express': {
    cmd: ['node_modules/.bin/_mocha', '--require', 'test/support/env', '--reporter', 'tap', 'test/', 'test/acceptance/'],
    noDirectives: true, parser: 'mocha_tap', timeoutS: 300, env: { NODE_OPTIONS: '--openssl-legacy-provider' },
    link: ['node_modules', 'package-lock.json'],
  },
  'django/django': {
    cmd: ['{py}', 'tests/runtests.py', '--verbosity', '2', '--settings=test_sqlite', '--parallel', '1'],
    env: { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf8' }, parser: 'pytest',
  },
};

const PYENV_ROOT = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
export const PYTHONS: Record<string, string> = {
  debian: '/usr/bin/python3',
  py39: join(PYENV_ROOT, 'versions/3.9.18/bin/python3.9'),
  py38: join(PYENV_ROOT, 'versions/3.8.18/bin/python3.8'),
  py310: join(PYENV_ROOT, 'versions/3.10.13/bin/python3.10'),
};

// Debian's pure-Python modules a non-Debian interpreter may import (harness.py REPO_DEPS).
const DEBIAN_DIST = '/usr/lib/python3/dist-packages';
const REPO_DEPS: Record<string, string[]> = {
  'sympy/sympy': ['mpmath'],
  'pytest-dev/pytest': ['py', 'pluggy', 'attr', 'attrs', 'iniconfig', 'more_itertools', 'wcwidth', 'atomicwrites', 'packaging', 'tomli', 'toml',
    'exceptiongroup', 'six.py', 'hypothesis', 'sortedcontainers', 'xmlschema', 'elementpath', 'pygments', 'typing_extensions.py', 'setuptools',
    'pkg_resources', '_distutils_hack', 'importlib_metadata', 'zipp.py'],
  'psf/requests': ['pytest', '_pytest', 'py', 'pluggy', 'attr', 'attrs', 'iniconfig', 'packaging', 'tomli', 'exceptiongroup', 'more_itertools',
    'urllib3', 'idna', 'chardet', 'certifi', 'charset_normalizer', 'socks.py', 'sockshandler.py', 'six.py', 'pytest_httpbin', 'httpbin', 'trustme',
    'flask', 'werkzeug', 'jinja2', 'markupsafe', 'itsdangerous', 'click', 'decorator.py', 'brotli.py'],
  'pylint-dev/pylint': ['pytest', '_pytest', 'py', 'pluggy', 'attr', 'attrs', 'iniconfig', 'packaging', 'tomli', 'exceptiongroup', 'astroid', 'isort',
    'tomlkit', 'platformdirs', 'dill', 'mccabe.py', 'typing_extensions.py', 'lazy_object_proxy', 'wrapt', 'setuptools', 'pkg_resources'],
  'pallets/flask': ['pytest', '_pytest', 'py', 'pluggy', 'attr', 'attrs', 'iniconfig', 'packaging', 'tomli', 'exceptiongroup', 'werkzeug', 'jinja2',
    'markupsafe', 'itsdangerous', 'click', 'blinker', 'dotenv', 'asgiref'],
};

/** For a non-Debian interpreter: the folder of symlinks to Debian's modules (as harness.py builds it). */
export async function ensureDepsDir(inst: Instance, root: string): Promise<string | undefined> {
  if ((inst.python ?? 'debian') === 'debian') return undefined;
  const d = join(root, '_deps', inst.repo.replace('/', '+'));
  await mkdir(d, { recursive: true });
  for (const m of REPO_DEPS[inst.repo] ?? []) {
    const src = join(DEBIAN_DIST, m);
    const dst = join(d, m);
    if (existsSync(src) && !existsSync(dst)) await symlink(src, dst).catch(() => undefined);
  }
  return d;
}

export interface InstanceRun {
  runner: TestRunnerSpec;
  testArgs: string[];
  timeoutMs: number;
  linkPaths: string[];
  service?: 'httpbin';
  parser: Parser;
}

/** The runner spec that runs what harness.py runs for this instance. */
export function instanceRunner(inst: Instance, root: string): InstanceRun {
  // a repository the harness does not know brings its own command (and log parser)
  const cfg: RepoCfg | undefined = REPO_CFG[inst.repo] ?? (inst.cmd?.length ? { cmd: inst.cmd, parser: inst.parser ?? 'pytest' } : undefined);
  if (!cfg) throw new Error(`${inst.instance_id}: no test command known for ${inst.repo} (give the instance a "cmd")`);
  const py = PYTHONS[inst.python ?? 'debian'];
  if (!py) throw new Error(`${inst.instance_id}: unknown interpreter "${inst.python}"`);
  const command = (inst.cmd ?? cfg.cmd).map((a) => a.replace('{py}', py));
  const pythonPath = [...(cfg.pythonpath ?? []), ...(inst.extra_pythonpath ?? [])];
  if ((inst.python ?? 'debian') !== 'debian') pythonPath.push(join(root, '_deps', inst.repo.replace('/', '+')));
  const reportFormat = cfg.parser === 'sympy' ? 'sympy' : cfg.parser === 'mocha_tap' ? 'tap' : 'pytest-ra';
  const isPy = command[0] === py;
  const runner: TestRunnerSpec = {
    kind: cfg.parser === 'mocha_tap' ? 'mocha' : cfg.parser === 'sympy' ? 'command' : 'pytest',
    command: [...command, '{tests}'],
    reportFormat,
    env: { ...(cfg.env ?? {}), ...(inst.extra_env ?? {}) },
    ...(pythonPath.length ? { pythonPath } : {}),
    ...(isPy ? { python: py } : {}),
    detectedFrom: `harness.py REPO_CFG[${inst.repo}]`,
  };
  return {
    runner,
    testArgs: cfg.noDirectives ? [] : testDirectives(inst),
    timeoutMs: (cfg.timeoutS ?? Number(process.env.SWEBENCH_TEST_TIMEOUT ?? 1800)) * 1000,
    linkPaths: cfg.link ?? [],
    service: cfg.service,
    parser: cfg.parser,
  };
}

export type SweStatus = 'PASSED' | 'FAILED' | 'SKIPPED' | 'ERROR' | 'XFAIL';
const TO_SWE: Record<TestStatus, SweStatus> = { passed: 'PASSED', failed: 'FAILED', error: 'ERROR', skipped: 'SKIPPED', xfail: 'XFAIL', xpass: 'FAILED' };

/**
 * Rover's per-test results keyed the way SWE-bench's log parsers key them: its pytest parser keeps
 * the first whitespace-separated word of the id; pytest_options also shortens path-like params.
 */
export function sweStatusMap(results: Record<string, TestStatus>, parser: Parser): Record<string, SweStatus> {
  const m: Record<string, SweStatus> = {};
  for (const [id, s] of Object.entries(results)) {
    let key = id;
    if (parser === 'pytest' || parser === 'pytest_options') key = id.split(/\s/)[0];
    if (parser === 'pytest_options') {
      const h = /(.*?)\[(.*)\]/.exec(key);
      if (h) {
        let option = h[2];
        if (option.startsWith('/') && !option.startsWith('//') && !option.includes('*')) option = `/${option.split('/').pop()}`;
        key = `${h[1]}[${option}]`;
      }
    }
    m[key] = TO_SWE[s];
  }
  return m;
}

/** Exact ports of SWE-bench's log parsers (harness.py), applied to the log Rover captured. */
export function sweParseLog(log: string, parser: Parser): Record<string, SweStatus> {
  const m: Record<string, SweStatus> = {};
  const STATUSES = ['FAILED', 'PASSED', 'SKIPPED', 'ERROR', 'XFAIL'] as const;
  const lines = log.split('\n');
  if (parser === 'pytest' || parser === 'pytest_options') {
    for (let line of lines) {
      if (!STATUSES.some((s) => line.startsWith(s))) continue;
      if (line.startsWith('FAILED')) line = line.replace(/ - /g, ' ');
      const tc = line.split(/\s+/).filter(Boolean);
      if (tc.length <= 1) continue;
      let name = tc[1];
      if (parser === 'pytest_options') {
        const h = /(.*?)\[(.*)\]/.exec(tc[1]);
        if (h) {
          let option = h[2];
          if (option.startsWith('/') && !option.startsWith('//') && !option.includes('*')) option = `/${option.split('/').pop()}`;
          name = `${h[1]}[${option}]`;
        }
      }
      m[name] = tc[0] as SweStatus;
    }
    return m;
  }
  if (parser === 'sympy') {
    for (const x of log.matchAll(/(_*) (.*)\.py:(.*) (_*)/g)) m[`${x[2]}.py:${x[3]}`] = 'FAILED';
    for (const raw of lines) {
      const line = raw.trim();
      if (!line.startsWith('test_')) continue;
      const key = line.split(/\s+/)[0];
      if (line.endsWith(' E')) m[key] = 'ERROR';
      if (line.endsWith(' F')) m[key] = 'FAILED';
      if (line.endsWith(' ok')) m[key] = 'PASSED';
    }
    return m;
  }
  for (const line of lines) {
    const mt = /^(not ok|ok) \d+ (.*)$/.exec(line);
    if (!mt) continue;
    const ok = mt[1] === 'ok';
    let title = mt[2];
    let st: SweStatus = ok ? 'PASSED' : 'FAILED';
    if (ok && title.endsWith(' # SKIP -')) {
      title = title.slice(0, -' # SKIP -'.length);
      st = 'SKIPPED';
    }
    if (m[title] === 'FAILED') continue;
    m[title] = st;
  }
  return m;
}

export const swePassed = (t: string, sm: Record<string, SweStatus>) => sm[t] === 'PASSED' || sm[t] === 'XFAIL';

export interface Grade {
  /** Every FAIL_TO_PASS fails before and passes after (the harness's "validated"). */
  validated: boolean;
  /** Every FAIL_TO_PASS and every PASS_TO_PASS (but the env-failing ones) passes after. */
  resolved: boolean;
  f2pFailedBefore: number;
  f2pPassedAfter: number;
  p2pPassedAfter: number;
  f2pNotPassingAfter: string[];
  p2pNotPassingAfter: string[];
}

export function grade(inst: Instance, before: Record<string, SweStatus>, after: Record<string, SweStatus>): Grade {
  const f2p = inst.FAIL_TO_PASS;
  const p2p = inst.PASS_TO_PASS;
  const env = new Set(inst.PASS_TO_PASS_ENV_FAIL ?? []);
  const f2pFailedBefore = f2p.filter((t) => !swePassed(t, before)).length;
  const f2pNotPassingAfter = f2p.filter((t) => !swePassed(t, after));
  const p2pNotPassingAfter = p2p.filter((t) => !swePassed(t, after));
  return {
    validated: f2p.length > 0 && f2pFailedBefore === f2p.length && f2pNotPassingAfter.length === 0,
    resolved: f2pNotPassingAfter.length === 0 && p2pNotPassingAfter.every((t) => env.has(t)),
    f2pFailedBefore,
    f2pPassedAfter: f2p.length - f2pNotPassingAfter.length,
    p2pPassedAfter: p2p.length - p2pNotPassingAfter.length,
    f2pNotPassingAfter,
    p2pNotPassingAfter,
  };
}

export interface InstanceOutcome {
  instance_id: string;
  mode: 'gold' | 'patch' | 'fix';
  verdict: string;
  validated: boolean;
  resolved: boolean;
  /** SWE-bench grading of the log Rover captured (SWE-bench's parsers, ported). */
  grade?: Grade;
  /** The same grading from Rover's own per-test results (its parsers and ids). */
  native?: { validated: boolean; resolved: boolean };
  /** Rover's wall time for the instance (worktree, patches, both runs, cleanup). */
  seconds: number;
  /** Time inside the two test commands as Rover measured them. */
  command_seconds: number;
  /** Rover's phases, ms (worktree, prepare, testsBefore, restoreAndApply, testsAfter, cleanup). */
  timings?: Record<string, number>;
  reference?: { validated: boolean; resolved: boolean; seconds_tests?: number; reason?: string };
  agree?: boolean;
  error?: string;
}

export interface EvalReport {
  instances: number;
  mode: string;
  resolved: number;
  agree: number;
  disagree: string[];
  compared: number;
  seconds: number;
  /** (Rover wall time − time in the test commands) / time in the test commands, summed over instances. */
  overhead_ratio: number;
  /** Same against the reference harness's own timing of the bare command, when compared. */
  overhead_ratio_vs_reference?: number;
  /** Instances where grading Rover's own per-test results gives the same verdicts as the ported parsers. */
  native_agree: number;
  /** Instances whose overhead is within 10% + 1 s per test run. */
  within_overhead_target: number;
  per_instance: InstanceOutcome[];
}

export function summarize(mode: string, outcomes: InstanceOutcome[], totalSeconds: number): EvalReport {
  const compared = outcomes.filter((o) => o.agree !== undefined);
  const cmd = outcomes.reduce((a, o) => a + o.command_seconds, 0);
  const wall = outcomes.reduce((a, o) => a + o.seconds, 0);
  const withRef = outcomes.filter((o) => o.reference?.seconds_tests !== undefined && !o.error);
  const refBare = withRef.reduce((a, o) => a + (o.reference!.seconds_tests ?? 0), 0);
  const refWall = withRef.reduce((a, o) => a + o.seconds, 0);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    instances: outcomes.length,
    mode,
    resolved: outcomes.filter((o) => o.resolved).length,
    agree: compared.filter((o) => o.agree).length,
    disagree: compared.filter((o) => !o.agree).map((o) => o.instance_id),
    compared: compared.length,
    seconds: r3(totalSeconds),
    overhead_ratio: cmd > 0 ? r3((wall - cmd) / cmd) : 0,
    ...(refBare > 0 ? { overhead_ratio_vs_reference: r3((refWall - refBare) / refBare) } : {}),
    native_agree: outcomes.filter((o) => o.native && o.native.validated === o.validated && o.native.resolved === o.resolved).length,
    within_overhead_target: outcomes.filter((o) => !o.error && o.seconds - o.command_seconds <= 0.1 * o.command_seconds + 2).length,
    per_instance: outcomes,
  };
}

/** SWE-bench predictions: JSON lines (or an array) of {instance_id, model_patch}. */
export async function loadPredictions(file: string): Promise<Map<string, string>> {
  const text = await readFile(file, 'utf8');
  const rows: { instance_id?: string; model_patch?: string; patch?: string }[] = text.trimStart().startsWith('[')
    ? JSON.parse(text)
    : text.split('\n').filter((l) => l.trim()).map((l, i) => {
        try {
          return JSON.parse(l);
        } catch (e) {
          throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
        }
      });
  const out = new Map<string, string>();
  for (const r of rows) if (r.instance_id) out.set(r.instance_id, r.model_patch ?? r.patch ?? '');
  return out;
}

/** The prepared checkout of an instance under `root`, made with the harness's prepare.sh when missing. */
export async function ensureCheckout(inst: Instance, root: string, benchDir: string | undefined): Promise<string> {
  const dir = join(root, inst.instance_id);
  if (existsSync(join(dir, '.git'))) return dir;
  const prepare = benchDir ? join(benchDir, 'prepare.sh') : undefined;
  if (!prepare || !existsSync(prepare)) throw new Error(`no checkout at ${dir} and no prepare.sh${benchDir ? ` in ${benchDir}` : ''} to make one`);
  const args = inst.repo.startsWith('BugsJS/') ? ['--with-js', inst.instance_id] : [inst.instance_id];
  const r = await runProcess(prepare, args, { cwd: benchDir!, env: { ...process.env, SWEBENCH_ROOT: root }, timeoutMs: 30 * 60_000 });
  if (r.code !== 0 || !existsSync(join(dir, '.git'))) throw new Error(`prepare.sh ${inst.instance_id} failed: ${(r.stderr || r.stdout).trim().slice(-1500)}`);
  return dir;
}

/** A service some suites need (requests' tests talk to httpbin): started beside the run, killed after. */
export async function startHttpbin(benchDir: string): Promise<{ url: string; stop(): void }> {
  // a long-lived server, not a command that finishes: spawned directly (runProcess waits for exit)
  const child = spawn('/usr/bin/python3', [join(benchDir, 'httpbin_server.py')], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const port = await new Promise<string>((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error('httpbin did not start within 30 s')), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) {
        clearTimeout(t);
        res(buf.split('\n')[0].trim());
      }
    });
    child.on('error', (e) => { clearTimeout(t); rej(e); });
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } } };
}

export { changedFiles };
