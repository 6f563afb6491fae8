// Hostile test suites (test/fixtures/validate-faults) run by `rover validate` as a user would: one
// that writes into the user's repository by absolute path and through the linked node_modules and
// plants git config, refs and hooks; setsid and double-forked daemons and one holding the output
// pipe; a hang; an output flood; a suite deleting its checkout. Per suite: did the user's repository
// (files, ignored folders, .git) change, did a planted hook run, did any of its processes survive,
// and did the run overrun its --timeout.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoSnapshot } from '../../test/support/repo-snapshot';
import { runProcess } from '../../src/core/proc/run';
import { fixtureRepo, orphansOf, startCli, type Scratch } from './common';

export interface SuiteResult {
  suite: string;
  sandbox: string;
  exit: number | null;
  ms: number;
  userRepoChanged: boolean;
  hookRan: boolean;
  survivors: number;
  timeoutOverrun: boolean;
}

const TIMEOUT_S = 10;
const HOOK_MARKER = '/tmp/rover-fixture-hook-ran';
const SUITES: [string, string[]][] = [
  ['writes-outside, git config/refs/hooks', ['tests/test_escape.py']],
  ['setsid, double fork, pipe holder', ['tests/test_daemon.py']],
  ['hang', ['tests/test_hang.py']],
  ['output flood', ['tests/test_flood.py']],
  ['deletes its checkout', ['tests/test_delete.py', 'tests/test_core.py']],
];

function survivors(tag: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(tag) && !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${p}/stat`, 'utf8'))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function runSuites(s: Scratch, log: (m: string) => void, sandboxed: boolean): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  const repo = await fixtureRepo(s.dir, 'validate-faults');
  await writeFile(join(repo, '.git', 'info', 'exclude'), 'node_modules/\n');
  await mkdir(join(repo, 'node_modules'));
  await writeFile(join(repo, 'node_modules', 'dep.js'), 'module.exports = 1;\n');
  await writeFile(join(repo, '.env'), 'SECRET=untracked\n');
  const patch = join(s.dir, 'suite.diff');
  const core = join(repo, 'app', 'core.py');
  const text = readFileSync(core, 'utf8');
  await writeFile(core, text.replace('return x * 2', 'return x + x'));
  await writeFile(patch, (await runProcess('git', ['diff'], { cwd: repo, timeoutMs: 30_000 })).stdout);
  await writeFile(core, text);
  for (const [suite, tests] of SUITES) {
    await rm(HOOK_MARKER, { force: true });
    const before = repoSnapshot(repo).hash;
    const run = startCli(['validate', '--repo', repo, '--patch', patch, '--timeout', String(TIMEOUT_S), '--json', '--tests', ...tests], sandboxed ? {} : { ROVER_SANDBOX: 'off' }, s, undefined, 600_000);
    const end = await run.done;
    await new Promise((r) => setTimeout(r, 500));
    let sandbox = 'unknown';
    try {
      sandbox = (JSON.parse(run.stdout) as { sandbox?: string }).sandbox ?? 'none';
    } catch {
      sandbox = `no JSON (exit ${end.code}): ${run.stderr.trim().split('\n').pop() ?? ''}`;
    }
    const r: SuiteResult = {
      suite,
      sandbox,
      exit: end.code,
      ms: end.ms,
      userRepoChanged: repoSnapshot(repo).hash !== before,
      hookRan: existsSync(HOOK_MARKER),
      // what still carries the run's marker, and the fixture's daemons even if they cleared their environment
      survivors: new Set([...orphansOf(run.pid), ...survivors('rover-fixture-daemon')]).size,
      // two runs (before and after the patch), each within its limit, plus set-up
      timeoutOverrun: end.ms > (2 * TIMEOUT_S + 30) * 1000,
    };
    results.push(r);
    log(`  ${sandboxed ? 'sandboxed' : 'no sandbox'} / ${suite}: exit ${r.exit} in ${(r.ms / 1000).toFixed(1)} s, repo ${r.userRepoChanged ? 'CHANGED' : 'same'}, hook ${r.hookRan ? 'RAN' : 'no'}, survivors ${r.survivors}${r.timeoutOverrun ? ', TIMEOUT OVERRUN' : ''}`);
  }
  return results;
}
