// The Debian packages Rover's tests, end-to-end suite and benchmarks need: the one list that
// `npm test` (its first step), `npm run setup`, `.ci/run`, the e2e runner and the unit tests' skip notes read.
// To add a package, add an entry here; nothing else names them.
//
// `check` says how to tell the package is usable, by what the tests actually use (an interpreter
// module, a binary, a header), not by dpkg's database: a pytest installed some other way for
// /usr/bin/python3 is as good, and a package listed by dpkg but broken is not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_DEPS = [
  { pkg: 'git', for: 'fixture repositories and the worktrees validation runs in', checks: [['git', '--version']] },
  { pkg: 'patch', for: "validation's fallback when `git apply` refuses a patch", checks: [['patch', '--version']] },
  { pkg: 'python3', for: 'the Python fixtures (Debian\'s /usr/bin/python3)', checks: [['/usr/bin/python3', '--version']] },
  { pkg: 'python3-pytest', for: 'running the Python fixtures\' tests (validate, localize, fix)', checks: [['/usr/bin/python3', '-c', 'import pytest']] },
  { pkg: 'python3-coverage', for: 'per-test coverage for Python fault localization', checks: [['/usr/bin/python3', '-c', 'from coverage import Coverage']] },
  { pkg: 'python3-venv', for: 'the editable-install (.venv + pip install -e .) validation test', checks: [['/usr/bin/python3', '-c', 'import ensurepip, venv']] },
  { pkg: 'ripgrep', for: 'the end-to-end suite (VS Code search) and bench:index', checks: [['rg', '--version']] },
  { pkg: 'universal-ctags', for: 'bench:index (ctags beside Rover\'s index)', checks: [['ctags', '--version']] },
  { pkg: 'chromium', for: 'the run view test in a browser and the end-to-end suite', checks: [{ file: '/usr/bin/chromium' }] },
  { pkg: 'libkrb5-dev', for: "building code-server's native modules (end-to-end suite, first run)", checks: [{ file: '/usr/include/gssapi/gssapi.h' }] },
  { pkg: 'bubblewrap', for: 'the sandbox test runs use (the user\'s repository read-only to a test suite)', checks: [['bwrap', '--version']] },
  { pkg: 'redis-server', for: '`rover batch --redis` / `rover worker` tests (BullMQ on a real Redis)', checks: [['redis-server', '--version']] },
  { pkg: 'build-essential', for: "building code-server's native modules (end-to-end suite, first run)", checks: [['make', '--version'], ['g++', '--version']] },
];

/** True when every check of the entry passes. */
export function present(dep) {
  return dep.checks.every((c) => {
    if (!Array.isArray(c)) return existsSync(c.file);
    const r = spawnSync(c[0], c.slice(1), { stdio: 'ignore', timeout: 20_000 });
    return r.status === 0;
  });
}

const memo = new Map();

/** The entries (all, or the named packages) that this machine lacks; probed once per process. */
export function missingDeps(pkgs) {
  const wanted = pkgs?.length ? SYSTEM_DEPS.filter((d) => pkgs.includes(d.pkg)) : SYSTEM_DEPS;
  const unknown = (pkgs ?? []).filter((p) => !SYSTEM_DEPS.some((d) => d.pkg === p));
  if (unknown.length) throw new Error(`not in scripts/system-deps.mjs: ${unknown.join(', ')}`);
  return wanted.filter((d) => {
    if (!memo.has(d.pkg)) memo.set(d.pkg, present(d));
    return !memo.get(d.pkg);
  });
}

/** The one command that installs the packages. */
export function installCommand(pkgs) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return `${root ? '' : 'sudo '}apt-get install -y ${pkgs.join(' ')}`;
}

/** A skip note for tests that need the packages, or '' when they are all present. */
export function skipNote(...pkgs) {
  const miss = missingDeps(pkgs).map((d) => d.pkg);
  if (!miss.length) return '';
  return `skipped: needs the Debian package${miss.length > 1 ? 's' : ''} ${miss.join(', ')} (install: ${installCommand(miss)}, or run \`npm test\` as root)`;
}
