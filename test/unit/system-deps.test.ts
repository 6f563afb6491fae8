// The Debian packages the tests need live in one list (scripts/system-deps.mjs) that npm test,
// npm run setup and .ci/run install from; a machine without them gets the command, and the tests
// that need them skip. A fresh machine is simulated by hiding Debian's coverage.py in a private
// mount namespace (as root), so nothing on this machine is uninstalled.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { SYSTEM_DEPS } from '../../scripts/system-deps.mjs';

const ROOT = resolve(__dirname, '..', '..');
const COVERAGE = '/usr/lib/python3/dist-packages/coverage';
const canHide = process.getuid?.() === 0 && existsSync('/usr/bin/unshare') && existsSync('/usr/bin/setpriv') && existsSync(COVERAGE);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Runs argv with Debian's coverage.py hidden (an importable package that raises ImportError). */
async function withoutCoverage(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const hide = await mkdtemp(join(tmpdir(), 'rover-hide-coverage-'));
  dirs.push(hide);
  await mkdir(join(hide, 'coverage'));
  await writeFile(join(hide, 'coverage', '__init__.py'), 'raise ImportError("hidden: a machine without python3-coverage")\n');
  const script = `mount --bind "${join(hide, 'coverage')}" ${COVERAGE} && exec "$@"`;
  return runProcess('unshare', ['-m', 'sh', '-c', script, 'sh', ...argv], { cwd: ROOT, env: { ...process.env, ...env }, timeoutMs: 60_000 });
}

describe('system packages', () => {
  it('npm test, npm run setup and .ci/run install from the one list', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // in the test script itself, not a pretest hook: npm skips those under ignore-scripts
    expect(pkg.scripts.test).toMatch(/^node scripts\/ensure-system-deps\.mjs && /);
    expect(pkg.scripts.setup).toBe('node scripts/ensure-system-deps.mjs');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^node scripts\/ensure-system-deps\.mjs --strict$/m);
    expect(SYSTEM_DEPS.map((d) => d.pkg)).toEqual(expect.arrayContaining(['git', 'python3-pytest', 'python3-coverage', 'ripgrep', 'universal-ctags', 'chromium', 'libkrb5-dev', 'build-essential']));
    for (const d of SYSTEM_DEPS) expect(d.checks.length, d.pkg).toBeGreaterThan(0);
  });

  it.skipIf(!canHide)('without python3-coverage: not root gets the command (exit 0, --strict 1), and the tests that need it skip naming it', async () => {
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const r = await withoutCoverage([...nobody, process.execPath, 'scripts/ensure-system-deps.mjs']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^rover: missing system packages: python3-coverage — install them with: sudo apt-get install -y python3-coverage$/m);
    expect(r.stderr).toMatch(/tests that need them are skipped/);
    const strict = await withoutCoverage([...nobody, process.execPath, 'scripts/ensure-system-deps.mjs', '--strict']);
    expect(strict.code).toBe(1);
    // as root with ROVER_NO_APT=1: named, not installed
    const noApt = await withoutCoverage([process.execPath, 'scripts/ensure-system-deps.mjs'], { ROVER_NO_APT: '1' });
    expect(noApt.code).toBe(0);
    expect(noApt.stderr).toMatch(/ROVER_NO_APT=1, not installing; install them with: apt-get install -y python3-coverage/);
    const note = await withoutCoverage([process.execPath, '--input-type=module', '-e', "import { skipNote } from './scripts/system-deps.mjs'; console.log(skipNote('python3-pytest', 'python3-coverage'))"]);
    expect(note.stdout.trim()).toBe('skipped: needs the Debian package python3-coverage (install: apt-get install -y python3-coverage, or run `npm test` as root)');
  });
});
