// Per-test coverage for Python with coverage.py, run through the project's own runner:
//  - pytest: our pytest plugin starts coverage and switches context per node id (exact, parametrized too)
//  - anything else Python (sympy's bin/test, unittest, a configured script): `coverage run` with our
//    frame-based context plugin; per-test verdicts from the runner's verbose output where we know it.
import { existsSync } from 'node:fs';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { makeTempDir } from '../proc/temp';
import { runProcess, type RunResult } from '../proc/run';
import { FRAME_PLUGIN, PROBE, PYTEST_PLUGIN, READ_DATA } from './python-scripts';
import { realPathOr } from './real-path';
import { LocalizeError, type TestCoverage } from './types';

export const DEBIAN_COVERAGE_DIR = '/usr/lib/python3/dist-packages/coverage';

export interface PythonRun {
  /** Interpreter. */
  python: string;
  /**
   * How the runner is invoked after the interpreter: ['-m', 'pytest', '-rA'] or ['bin/test', '-C', '--verbose'].
   * Test targets are appended.
   */
  args: string[];
  style: 'pytest' | 'script';
  env: NodeJS.ProcessEnv;
  cwd: string;
  targets: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** Link Debian's coverage.py into the path of another interpreter (pyenv) that lacks it. Default true. */
  borrowDebianCoverage?: boolean;
}

export interface PythonCollected {
  tests: TestCoverage[];
  collectErrors: { id: string; message: string }[];
  run: RunResult;
  tool: string;
  command: string[];
  /** The test that was running when a timeout hit (pytest only). */
  runningAtTimeout?: string;
  /** coverage.py had no C tracer for this interpreter (several times slower). */
  pythonTracer?: boolean;
}

async function probeCoverage(python: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ ok: boolean; version?: string; pythonTracer?: boolean; message: string }> {
  let r: RunResult;
  try {
    r = await runProcess(python, ['-c', PROBE], { cwd, env, timeoutMs: 60_000 });
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  if (r.code === 0) {
    const [version, tracer] = r.stdout.trim().split(/\s+/);
    return { ok: true, version, pythonTracer: tracer === 'Python', message: '' };
  }
  return { ok: false, message: (r.stdout + r.stderr).trim().split('\n').pop() ?? '' };
}

function withPath(env: NodeJS.ProcessEnv, first: string[]): NodeJS.ProcessEnv {
  const pp = [...first, ...(env.PYTHONPATH ? [env.PYTHONPATH] : [])].join(delimiter);
  return { ...env, PYTHONPATH: pp };
}

export async function collectPython(o: PythonRun): Promise<PythonCollected> {
  const tmp = await makeTempDir('pycov');
  try {
    await writeFile(join(tmp, 'rover_pytest_cov.py'), PYTEST_PLUGIN);
    await writeFile(join(tmp, 'rover_frame_ctx.py'), FRAME_PLUGIN);
    await writeFile(join(tmp, 'rover_cov_read.py'), READ_DATA);
    let env = withPath(o.env, [tmp]);
    let probe = await probeCoverage(o.python, env, o.cwd);
    if (!probe.ok && (o.borrowDebianCoverage ?? true) && existsSync(DEBIAN_COVERAGE_DIR) && realPathOr(o.python) !== realPathOr('/usr/bin/python3')) {
      // coverage.py is pure Python apart from its C tracer; another interpreter falls back to the Python tracer
      await symlink(DEBIAN_COVERAGE_DIR, join(tmp, 'coverage'), 'dir');
      probe = await probeCoverage(o.python, env, o.cwd);
    }
    if (!probe.ok) {
      throw new LocalizeError(
        `coverage.py is not available to ${o.python} (${probe.message || 'import failed'}). Install it: on Debian/Ubuntu \`sudo apt install python3-coverage\`, or \`${o.python} -m pip install coverage\` in the project's environment.`,
        'no-coverage-tool',
      );
    }
    const data = join(tmp, 'coverage.db');
    const results = join(tmp, 'results.json');
    const root = realPathOr(o.cwd);
    env = { ...env, ROVER_COV_ROOT: root, ROVER_COV_DATA: data, ROVER_COV_RESULTS: results };
    let command: string[];
    if (o.style === 'pytest') {
      command = [o.python, ...o.args, '-p', 'rover_pytest_cov', ...o.targets];
    } else {
      const rc = join(tmp, 'coveragerc');
      await writeFile(rc, `[run]\ndata_file = ${data}\nplugins = rover_frame_ctx\ninclude = ${root}/*\nomit =\n    */site-packages/*\n    */dist-packages/*\n    ${root}/_deps/*\n`);
      const args = [...o.args];
      // sympy's bin/test forks a child per run unless told not to; coverage would see only the parent
      if (args.some((a) => /(^|\/)bin\/test$/.test(a)) && !args.includes('--no-subprocess')) args.splice(args.findIndex((a) => /(^|\/)bin\/test$/.test(a)) + 1, 0, '--no-subprocess');
      const mod = args[0] === '-m' ? ['-m', args[1]] : [args[0]];
      const rest = args[0] === '-m' ? args.slice(2) : args.slice(1);
      command = [o.python, '-m', 'coverage', 'run', `--rcfile=${rc}`, ...mod, ...rest, ...o.targets];
      // a script expects its own folder on sys.path (sympy's bin/test imports get_sympy from it);
      // `coverage run` does not always put it there, depending on how coverage itself was found
      if (mod[0] !== '-m') env = withPath(env, [dirname(resolve(o.cwd, mod[0]))]);
    }
    const run = await runProcess(command[0], command.slice(1), { cwd: o.cwd, env, timeoutMs: o.timeoutMs, signal: o.signal, maxOutputBytes: 8 * 1024 * 1024 });
    const tool = `coverage.py ${probe.version}${probe.pythonTracer ? ' with its Python tracer' : ''} (${o.style === 'pytest' ? 'pytest plugin, context per node id' : 'coverage run, context per test function'})`;
    if (run.timedOut) {
      const current = await readFile(results + '.current', 'utf8').catch(() => undefined);
      return { tests: [], collectErrors: [], run, tool, command, ...(current ? { runningAtTimeout: current } : {}) };
    }
    if (!existsSync(data)) {
      return { tests: [], collectErrors: [{ id: '<run>', message: tailOf(run.stdout + run.stderr) }], run, tool, command };
    }
    const read = await runProcess(o.python, [join(tmp, 'rover_cov_read.py'), data], { cwd: o.cwd, env, timeoutMs: 300_000, maxOutputBytes: 1024 * 1024 * 1024 });
    if (read.code !== 0) throw new LocalizeError(`Could not read the coverage data: ${tailOf(read.stderr)}`, 'collect-failed');
    const raw = JSON.parse(read.stdout) as Record<string, Record<string, number[]>>;
    const byTest = new Map<string, TestCoverage>();
    for (const [abs, ctxs] of Object.entries(raw)) {
      const rel = relative(root, abs).split('\\').join('/');
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      for (const [ctx, lines] of Object.entries(ctxs)) {
        let t = byTest.get(ctx);
        if (!t) byTest.set(ctx, (t = { id: ctx, files: {} }));
        t.files[rel] = lines.sort((a, b) => a - b);
      }
    }
    const collectErrors: { id: string; message: string }[] = [];
    if (o.style === 'pytest') {
      const res = existsSync(results) ? (JSON.parse(await readFile(results, 'utf8')) as Record<string, { status: string; text: string }>) : {};
      for (const [id, r] of Object.entries(res)) {
        if (id.startsWith('<collect>:')) {
          collectErrors.push({ id: id.slice('<collect>:'.length), message: r.text });
          continue;
        }
        let t = byTest.get(id);
        // a test that ran no measured line still has a verdict (and an empty spectrum)
        if (!t) byTest.set(id, (t = { id, files: {} }));
        if (r.status) t.status = r.status as TestCoverage['status'];
        if (r.text) t.failureText = r.text;
      }
    } else {
      applyScriptVerdicts(run.stdout + '\n' + run.stderr, byTest, collectErrors);
    }
    return { tests: [...byTest.values()], collectErrors, run, tool, command, pythonTracer: probe.pythonTracer };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** sympy's bin/test --verbose and unittest -v output: per-test verdicts and failure blocks. */
export function applyScriptVerdicts(out: string, byTest: Map<string, TestCoverage>, collectErrors: { id: string; message: string }[]): void {
  const byName = new Map<string, TestCoverage[]>();
  for (const t of byTest.values()) {
    const n = t.id.split('::').pop()!;
    byName.set(n, [...(byName.get(n) ?? []), t]);
  }
  let file: string | undefined;
  const verdict: Record<string, TestCoverage['status']> = { ok: 'passed', F: 'failed', E: 'error', f: 'xfail', X: 'xpass', s: 'skipped', FAIL: 'failed', ERROR: 'error', skipped: 'skipped' };
  const lines = out.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const header = /^(\S+\.py)\[\d+\]/.exec(l);
    if (header) file = header[1];
    // sympy: "test_name ok" / "test_name F"; unittest -v: "test_name (mod.Class) ... ok"
    const m = /^(test\w*)(?: \(([\w.]+)\))?(?: \.\.\.)? +(ok|F|E|f|X|s|FAIL|ERROR|skipped)\b/.exec(l.trim());
    if (m) {
      const cands = byName.get(m[1]) ?? [];
      const pick = cands.filter((t) => !file || t.id.startsWith(file + '::'));
      const targets = pick.length ? pick : cands;
      if (targets.length === 0) {
        const id = file ? `${file}::${m[1]}` : m[1];
        const t: TestCoverage = { id, files: {} };
        byTest.set(id, t);
        targets.push(t);
      }
      for (const t of targets) t.status = verdict[m[3]] ?? t.status;
    }
    // sympy failure block: "____ path.py:test_name ____" then the traceback up to the next rule
    const block = /^_{3,} (\S+\.py):(\w+) _{3,}$/.exec(l);
    if (block) {
      let j = i + 1;
      while (j < lines.length && !/^_{20,}$/.test(lines[j]) && !/^_{3,} \S+\.py:\w+ _{3,}$/.test(lines[j]) && !/^={10,}/.test(lines[j])) j++;
      const text = lines.slice(i + 1, j).join('\n');
      for (const t of byName.get(block[2]) ?? []) if (t.id.startsWith(block[1])) t.failureText = text;
      if (/^_{3,} \S+\.py _{3,}$/.test(l)) collectErrors.push({ id: block[1], message: text });
    }
    const importErr = /^_{3,} (\S+\.py) _{3,}$/.exec(l);
    if (importErr) {
      let j = i + 1;
      while (j < lines.length && !/^_{3,}/.test(lines[j]) && !/^={10,}/.test(lines[j])) j++;
      collectErrors.push({ id: importErr[1], message: lines.slice(i + 1, j).join('\n') });
    }
  }
}

export function tailOf(s: string, n = 2000): string {
  const t = s.trim();
  return t.length > n ? '…' + t.slice(-n) : t;
}

