// How does this project run its tests? Config files first, then package.json's test script;
// a settings override (an argv with '{tests}') wins over everything.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { editableSourceDirs, srcLayoutDirs } from './editable-installs';
import type { ReportFormat, RunnerKind, TestRunnerSpec } from './types';

export const DEBIAN_PYTHON = '/usr/bin/python3';

export class NoRunnerError extends Error {
  constructor(readonly dir: string) {
    super(`No test runner found in ${dir}: no pytest/tox/setup.cfg/pyproject config, no package.json test script, no go.mod, Cargo.toml, pom.xml or build.gradle. Set "rover.tests.command" (e.g. ["bin/test", "{tests}"]) or let Rover write a reproduction test.`);
    this.name = 'NoRunnerError';
  }
}

/** The repo's own virtualenv if it has one, else Debian's python3, else whatever python3 is on PATH. */
export function choosePython(repoDir: string, preferred?: string): string {
  if (preferred) return preferred;
  for (const v of ['.venv', 'venv', 'env']) {
    const p = join(repoDir, v, 'bin', 'python');
    if (existsSync(p)) return p;
  }
  return existsSync(DEBIAN_PYTHON) ? DEBIAN_PYTHON : 'python3';
}

async function readText(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

export function pytestSpec(python: string, from: string): TestRunnerSpec {
  return { kind: 'pytest', command: [python, '-m', 'pytest', '-rA', '-p', 'no:cacheprovider', '{tests}'], reportFormat: 'pytest-ra', python, detectedFrom: from };
}

function splitScript(script: string): string[] {
  // package.json scripts are shell strings; Rover only needs the words (no pipes or && expected)
  const out: string[] = [];
  for (const m of script.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function jsSpec(repoDir: string, script: string): TestRunnerSpec | undefined {
  const words = splitScript(script.split(/&&|\|\||;/).find((s) => /\b(node|mocha|_mocha|jest|vitest)\b/.test(s)) ?? script);
  const bin = (name: string) => (existsSync(join(repoDir, 'node_modules', '.bin', name)) ? `node_modules/.bin/${name}` : name);
  const from = `package.json scripts.test: ${script}`;
  const i = words.findIndex((w) => /(^|\/)(mocha|_mocha|jest|vitest)$/.test(w) || w === 'node');
  if (i < 0) return undefined;
  const tool = words[i].split('/').pop()!;
  const rest = words.slice(i + 1);
  const dropReporter = (args: string[]) => {
    const out: string[] = [];
    for (let k = 0; k < args.length; k++) {
      if (/^--(reporter|test-reporter|test-reporter-destination|reporter-option|reporter-options|json|outputFile)(=|$)/.test(args[k]) || args[k] === '-R') {
        if (!args[k].includes('=') && args[k] !== '--json' && k + 1 < args.length) k++;
        continue;
      }
      out.push(args[k]);
    }
    return out;
  };
  if (tool === 'node') {
    if (!rest.includes('--test')) return undefined;
    const args = dropReporter(rest.filter((a) => a !== '--test'));
    const { options, targets } = splitTargets(args);
    return { kind: 'node', command: ['node', '--test', '--test-reporter={reporter}', '--test-reporter-destination={junit}', ...options, '{tests}'], reportFormat: 'junit', detectedFrom: from, defaultTests: targets };
  }
  if (tool === 'mocha' || tool === '_mocha') {
    // Rover's own reporter (mocha-reporter.ts) writes the report in every mocha version;
    // --bail would hide every result after the first failure, and a before/after comparison needs them all
    const { options, targets } = splitTargets(dropReporter(rest).filter((a) => a !== '--bail' && a !== '-b'));
    return { kind: 'mocha', command: [bin('mocha'), '--reporter', '{mocha-reporter}', ...options, '{tests}'], reportFormat: 'junit', detectedFrom: from, defaultTests: targets };
  }
  if (tool === 'jest') {
    const { options, targets } = splitTargets(dropReporter(rest));
    return { kind: 'jest', command: [bin('jest'), '--ci', '--json', '--outputFile={junit}', ...options, '{tests}'], reportFormat: 'jest-json', detectedFrom: from, defaultTests: targets };
  }
  if (tool === 'vitest') {
    const { options, targets } = splitTargets(dropReporter(rest).filter((a) => a !== 'run' && a !== '--watch'));
    return { kind: 'vitest', command: [bin('vitest'), 'run', '--reporter=json', '--outputFile={junit}', ...options, '{tests}'], reportFormat: 'jest-json', detectedFrom: from, defaultTests: targets };
  }
  return undefined;
}

// Options that take a value in the next word (so that word is not a test path).
const VALUE_OPTS = new Set(['--require', '-r', '--import', '--loader', '--timeout', '-t', '--ui', '-u', '--grep', '-g', '--fgrep', '-f',
  '--config', '-c', '--extension', '--file', '--ignore', '--spec', '--slow', '-s', '--retries', '--jobs', '-j', '--test-name-pattern',
  '--test-concurrency', '--testTimeout', '--environment', '--project', '--rootDir', '--testPathPattern']);

/** Script words that are test paths: when tests are selected, the selected files replace them. */
function splitTargets(args: string[]): { options: string[]; targets: string[] } {
  const options: string[] = [];
  const targets: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a.startsWith('-')) {
      options.push(a);
      if (VALUE_OPTS.has(a) && k + 1 < args.length) options.push(args[++k]);
    } else targets.push(a);
  }
  return { options, targets };
}

export async function detectRunner(repoDir: string, override?: Partial<TestRunnerSpec> | string[], opts: { python?: string } = {}): Promise<TestRunnerSpec> {
  return ownSourcesFirst(await chooseRunner(repoDir, override, opts), repoDir);
}

async function chooseRunner(repoDir: string, override?: Partial<TestRunnerSpec> | string[], opts: { python?: string } = {}): Promise<TestRunnerSpec> {
  if (Array.isArray(override)) {
    if (override.length === 0) return chooseRunner(repoDir, undefined, opts);
    return commandSpec(override, repoDir, opts.python);
  }
  if (override?.command?.length) {
    const base = commandSpec(override.command, repoDir, opts.python);
    return { ...base, ...override, command: override.command, reportFormat: override.reportFormat ?? base.reportFormat, kind: override.kind ?? base.kind };
  }
  const detected = await detectFromFiles(repoDir, opts.python);
  return override ? { ...detected, ...override } : detected;
}

/**
 * The tests must import the run directory's copy of the project: a src layout, and the folders an
 * editable install (`pip install -e .`) names in the user's tree, go first on PYTHONPATH
 * (editable-installs.ts says why).
 */
export function ownSourcesFirst(spec: TestRunnerSpec, repoDir: string): TestRunnerSpec {
  if (!spec.python) return spec;
  const editable = editableSourceDirs(repoDir, spec.python);
  const dirs = [...new Set([...srcLayoutDirs(repoDir), ...editable])].filter((d) => !spec.pythonPath?.includes(d));
  if (dirs.length === 0) return spec;
  const why = editable.length ? `an editable install of this project imports ${editable.join(', ')} from your folder` : 'a src layout';
  return {
    ...spec,
    pythonPath: [...dirs, ...(spec.pythonPath ?? [])],
    detectedFrom: `${spec.detectedFrom ?? spec.kind}; ${why}: the run's own ${dirs.join(', ')} goes first on PYTHONPATH`,
  };
}

/** A user-given argv: guess its report format from the tool it names. */
export function commandSpec(command: string[], repoDir: string, python?: string): TestRunnerSpec {
  const joined = command.join(' ');
  let kind: RunnerKind = 'command';
  let reportFormat: ReportFormat = 'exit-code';
  if (/\bpytest\b/.test(joined)) {
    kind = 'pytest';
    reportFormat = 'pytest-ra';
  } else if (/(^|\/)bin\/test\b/.test(joined) && existsSync(join(repoDir, 'sympy'))) {
    reportFormat = 'sympy';
  } else if (/--reporter[= ]tap\b|--test-reporter=tap|\bTAP\b/.test(joined)) {
    reportFormat = 'tap';
  }
  const cmd = command.map((a) => (a === '{python}' ? choosePython(repoDir, python) : a));
  if (kind === 'pytest' && !cmd.includes('-rA')) cmd.splice(cmd.findIndex((a) => /pytest$/.test(a)) + 1, 0, '-rA');
  const usesPython = /python/.test(cmd[0] ?? '') || command[0] === '{python}';
  return { kind, command: cmd, reportFormat, detectedFrom: 'settings', ...(usesPython ? { python: cmd[0] } : {}) };
}

async function detectFromFiles(repoDir: string, python?: string): Promise<TestRunnerSpec> {
  const has = (f: string) => existsSync(join(repoDir, f));
  const py = () => choosePython(repoDir, python);
  if (has('pytest.ini')) return pytestSpec(py(), 'pytest.ini');
  const pyproject = await readText(join(repoDir, 'pyproject.toml'));
  if (pyproject?.includes('[tool.pytest')) return pytestSpec(py(), 'pyproject.toml [tool.pytest]');
  const setupCfg = await readText(join(repoDir, 'setup.cfg'));
  if (setupCfg && /^\[(tool:pytest|pytest)\]/m.test(setupCfg)) return pytestSpec(py(), 'setup.cfg [tool:pytest]');
  const tox = await readText(join(repoDir, 'tox.ini'));
  if (tox && (/^\[pytest\]/m.test(tox) || /\bpytest\b/.test(tox))) return pytestSpec(py(), 'tox.ini');
  if (has('conftest.py') || has('tests/conftest.py') || has('test/conftest.py')) return pytestSpec(py(), 'conftest.py');

  const pkgText = await readText(join(repoDir, 'package.json'));
  if (pkgText) {
    let pkg: { scripts?: Record<string, string>; devDependencies?: Record<string, string>; dependencies?: Record<string, string> } = {};
    try {
      pkg = JSON.parse(pkgText);
    } catch (e) {
      throw new Error(`package.json in ${repoDir} is not valid JSON: ${(e as Error).message}`);
    }
    const script = pkg.scripts?.test;
    if (script && !/no test specified/.test(script)) {
      const spec = jsSpec(repoDir, script);
      if (spec) return spec;
      return { kind: 'command', command: ['npm', 'test', '--silent'], reportFormat: 'exit-code', detectedFrom: `package.json scripts.test (run through npm, exit code only): ${script}` };
    }
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    if (deps.vitest) return jsSpec(repoDir, 'vitest run')!;
    if (deps.jest) return jsSpec(repoDir, 'jest')!;
    if (deps.mocha) return jsSpec(repoDir, 'mocha')!;
  }
  if (has('go.mod')) return { kind: 'go', command: ['go', 'test', './...'], reportFormat: 'exit-code', detectedFrom: 'go.mod' };
  if (has('Cargo.toml')) return { kind: 'cargo', command: ['cargo', 'test', '{tests}'], reportFormat: 'exit-code', detectedFrom: 'Cargo.toml' };
  if (has('pom.xml')) return { kind: 'maven', command: [has('mvnw') ? './mvnw' : 'mvn', '-q', '-B', 'test'], reportFormat: 'exit-code', detectedFrom: 'pom.xml' };
  if (has('build.gradle') || has('build.gradle.kts')) return { kind: 'gradle', command: [has('gradlew') ? './gradlew' : 'gradle', 'test', '-q'], reportFormat: 'exit-code', detectedFrom: 'build.gradle' };
  // plain unittest layout: a tests/ or test/ folder of test_*.py files
  for (const d of ['tests', 'test']) {
    if (has(d) && (await hasPyTests(join(repoDir, d)))) {
      const p = py();
      return { kind: 'unittest', command: [p, '-m', 'pytest', '-rA', '-p', 'no:cacheprovider', '{tests}'], reportFormat: 'pytest-ra', python: p, detectedFrom: `${d}/test_*.py (run with pytest, which runs unittest suites)` };
    }
  }
  if (setupCfg || pyproject || has('setup.py')) return pytestSpec(py(), 'Python project (pytest by default)');
  throw new NoRunnerError(repoDir);
}

async function hasPyTests(dir: string): Promise<boolean> {
  const { readdir } = await import('node:fs/promises');
  try {
    return (await readdir(dir)).some((f) => /^test_.*\.py$|_test\.py$/.test(f));
  } catch {
    return false;
  }
}
