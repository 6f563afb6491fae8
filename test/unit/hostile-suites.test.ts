// Test suites that attack the user's repository or try to outlive the run (test/fixtures/validate-faults
// test_escape.py, test_daemon.py), run through validatePatch as Rover runs them. With bubblewrap the
// user's repository and .git are read-only to the suite and its processes die with the run; without
// it (ROVER_SANDBOX=off) Rover says so, still runs no hook, adds no object and kills the strays.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetSandboxProbe, sandboxStatus } from '../../src/core/proc/sandbox';
import { createCheckout, listRoverCheckouts } from '../../src/core/runner';
import { validatePatch } from '../../src/core/validate';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { repoSnapshot } from '../support/repo-snapshot';
import { diffFor } from './validate-helpers';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

/** Processes (not zombies) whose command line holds `tag`. */
function survivors(tag: string): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      if (cmd.includes(tag) && !/^\d+ \(.*\) [ZX]/.test(stat)) out.push(Number(n));
    } catch {
      /* gone */
    }
  }
  return out;
}

function looseObjects(repo: string): number {
  let n = 0;
  for (const d of readdirSync(join(repo, '.git', 'objects'))) if (/^[0-9a-f]{2}$/.test(d)) n += readdirSync(join(repo, '.git', 'objects', d)).length;
  return n;
}

async function waitGone(tag: string): Promise<number[]> {
  for (let i = 0; i < 30 && survivors(tag).length; i++) await new Promise((r) => setTimeout(r, 100));
  return survivors(tag);
}

for (const mode of ['sandboxed', 'unsandboxed'] as const) {
  describe(`hostile test suites (${mode})`, () => {
    let repo: FixtureRepo;
    let patch: string;
    const marker = `/tmp/rover-hook-marker-${process.pid}-${mode}`;
    beforeAll(async () => {
      if (mode === 'unsandboxed') process.env.ROVER_SANDBOX = 'off';
      resetSandboxProbe();
      repo = await makeFixtureRepo('validate-faults');
      // an ignored folder Rover links into the checkout, and an untracked secret it copies in
      await writeFile(join(repo.dir, '.git', 'info', 'exclude'), 'node_modules/\n');
      await mkdir(join(repo.dir, 'node_modules'));
      await writeFile(join(repo.dir, 'node_modules', 'dep.js'), 'module.exports = 1;\n');
      await writeFile(join(repo.dir, '.env'), 'SECRET=do-not-store\n');
      patch = await diffFor(repo.dir, 'app/core.py', (t) => t.replace('return x * 2', 'return x + x'));
    });
    afterAll(async () => {
      delete process.env.ROVER_SANDBOX;
      resetSandboxProbe();
      await repo.cleanup();
    });
    afterEach(async () => rm(marker, { force: true }));

    it(mode === 'sandboxed' ? 'runs under bubblewrap here' : 'says why it runs without a sandbox', async () => {
      const r = await validatePatch({ repo: repo.dir, patch, testArgs: ['tests/test_core.py'] });
      if (mode === 'sandboxed') {
        expect(sandboxStatus()).toMatchObject({ available: true, tool: 'bubblewrap' });
        expect(r.before.sandbox).toBe('bubblewrap');
      } else {
        expect(r.before.sandbox).toMatch(/^none: turned off by ROVER_SANDBOX=off/);
      }
    });

    it('a suite that reaches for the user repository changes nothing there and runs no hook', async () => {
      const before = repoSnapshot(repo.dir);
      const objects = looseObjects(repo.dir);
      const r = await validatePatch({ repo: repo.dir, patch, testArgs: ['tests/test_escape.py'], env: { ROVER_FIXTURE_HOOK_MARKER: marker } });
      expect(r.before.results['tests/test_escape.py::test_reaches_for_the_user_repository']).toBe('passed');
      // Rover's own git calls (restore after the "before" run, the next checkout) ran no planted hook
      await createCheckout(repo.dir).then((w) => w.dispose());
      expect(existsSync(marker)).toBe(false);
      // no loose object from the copied .env or the staging of the prepared tree
      expect(looseObjects(repo.dir)).toBe(objects);
      expect(await listRoverCheckouts(repo.dir)).toEqual([]);
      if (mode === 'sandboxed') {
        const after = repoSnapshot(repo.dir);
        expect(after.files.filter((f) => !before.files.includes(f))).toEqual([]);
        expect(after.hash).toBe(before.hash);
        const refs = execFileSync('git', ['for-each-ref', '--format=%(refname)'], { cwd: repo.dir, encoding: 'utf8' });
        expect(refs).not.toMatch(/tampered/);
      }
    });

    it('setsid and double-forked daemons die with the run, and one holding the pipe does not hold up the timeout', async () => {
      const tag = `rover-fixture-daemon-${process.pid}-${mode}`;
      const t0 = Date.now();
      const r = await validatePatch({ repo: repo.dir, patch, testArgs: ['tests/test_daemon.py'], timeoutMs: 20_000, env: { ROVER_FIXTURE_TAG: tag } });
      const took = Date.now() - t0;
      expect(r.before.results['tests/test_daemon.py::test_holds_the_pipe']).toBe('passed');
      expect(r.after.results['tests/test_daemon.py::test_setsid_daemon']).toBe('passed');
      // both runs, each well inside the 20 s limit (the pipe holder sleeps 300 s)
      expect(took).toBeLessThan(60_000);
      expect(await waitGone(tag)).toEqual([]);
    });
  });
}
