// runTests/validatePatch against misbehaving test suites (test/fixtures/validate-faults): a hang
// (killed at the timeout, verdict 'timeout'), megabytes of output (capped), a forked child (killed
// with the group), a suite deleting files (user tree unaffected), a missing interpreter.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi } from 'vitest';

// real git worktrees and test runs: slow on a loaded 2-core machine
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
import { detectRunner, listRoverCheckouts, runTests } from '../../src/core/runner';
import { validatePatch } from '../../src/core/validate';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor, userTreeState } from './validate-helpers';
import { lacks } from '../support/system-deps';

/** Running (a zombie waiting for init to reap it counts as dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('misbehaving test suites', () => {
  let repo: FixtureRepo;
  let patch: string;
  beforeAll(async () => {
    repo = await makeFixtureRepo('validate-faults');
    patch = await diffFor(repo.dir, 'app/core.py', (t) => t.replace('return x * 2', 'return x + x'));
  });
  afterAll(async () => repo.cleanup());

  it.skipIf(lacks('python3-pytest'))('a hanging suite is killed at the timeout and the verdict says so', async () => {
    const t0 = Date.now();
    const r = await validatePatch({ repo: repo.dir, patch, testArgs: ['tests/test_hang.py'], timeoutMs: 3000 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.verdict).toBe('timeout');
    expect(r.before.timedOut).toBe(true);
    expect(r.explanation).toMatch(/timed out/);
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
  });

  it.skipIf(lacks('python3-pytest'))('megabytes of output are capped and the results still parse', async () => {
    const spec = await detectRunner(repo.dir);
    const r = await runTests(repo.dir, spec, { tests: ['tests/test_flood.py'], maxOutputBytes: 256 * 1024 });
    expect(r.output.length).toBeLessThan(700 * 1024);
    expect(r.output).toMatch(/bytes of output omitted/);
    expect(r.results['tests/test_flood.py::test_prints_megabytes']).toBe('passed');
  });

  it.skipIf(lacks('python3-pytest'))('children a test forks are killed with the run', async () => {
    const pidFile = join(await mkdtemp(join(tmpdir(), 'rover-fork-')), 'pid');
    const spec = await detectRunner(repo.dir);
    const r = await runTests(repo.dir, spec, { tests: ['tests/test_fork.py'], env: { ROVER_FIXTURE_PIDFILE: pidFile } });
    expect(r.results['tests/test_fork.py::test_leaves_a_child_running']).toBe('passed');
    const pid = Number(await readFile(pidFile, 'utf8'));
    for (let i = 0; i < 30 && alive(pid); i++) await new Promise((res) => setTimeout(res, 100));
    expect(alive(pid)).toBe(false);
  });

  it.skipIf(lacks('python3-pytest'))('a suite that deletes files in its checkout leaves the user tree intact, and the second run gets a whole tree', async () => {
    const state = await userTreeState(repo.dir);
    const r = await validatePatch({ repo: repo.dir, patch, testArgs: ['tests/test_delete.py', 'tests/test_core.py'] });
    expect(r.before.results['tests/test_delete.py::test_deletes_files_in_its_checkout']).toBe('passed');
    // restored between runs: the "after" run still imports app.core
    expect(r.after.results['tests/test_core.py::test_double']).toBe('passed');
    expect(r.verdict).toBe('unresolved');
    expect(existsSync(join(repo.dir, 'app', 'core.py'))).toBe(true);
    expect(existsSync(join(repo.dir, 'README.md'))).toBe(true);
    expect(await userTreeState(repo.dir)).toBe(state);
  });

  it('a missing interpreter is a clear error naming it', async () => {
    const spec = await detectRunner(repo.dir, undefined, { python: '/opt/nowhere/bin/python3.99' });
    const r = await runTests(repo.dir, spec, { tests: ['tests/test_core.py'] });
    expect(r.error).toMatch(/Python interpreter "\/opt\/nowhere\/bin\/python3\.99" was not found/);
    const v = await validatePatch({ repo: repo.dir, patch, runner: spec, testArgs: ['tests/test_core.py'] });
    expect(v.verdict).toBe('error');
    expect(v.explanation).toMatch(/python3\.99/);
  });

  it('an interpreter without pytest says which module is missing', async () => {
    const spec = { ...(await detectRunner(repo.dir)), command: ['/usr/bin/python3', '-m', 'pytest_not_installed_here', '{tests}'], python: '/usr/bin/python3' };
    const r = await runTests(repo.dir, spec, { tests: ['tests/test_core.py'] });
    expect(r.error).toMatch(/no module "pytest_not_installed_here"/);
  });

  it('the environment is an allow-list: secrets in the parent do not reach the tests', async () => {
    process.env.ROVER_TEST_SECRET_TOKEN = 'sk-should-not-leak';
    try {
      const spec = { kind: 'command' as const, command: ['/usr/bin/env'], reportFormat: 'exit-code' as const };
      const r = await runTests(repo.dir, spec, { env: { EXTRA_FOR_RUNNER: 'yes' } });
      expect(r.output).not.toMatch(/sk-should-not-leak/);
      expect(r.output).toMatch(/EXTRA_FOR_RUNNER=yes/);
      expect(r.output).toMatch(/^PATH=/m);
      expect(r.results).toEqual({ '<suite>': 'passed' });
    } finally {
      delete process.env.ROVER_TEST_SECRET_TOKEN;
    }
  });
});
