// Kills of the real CLI at every stage of `fix`, `validate`, `localize` and `index`, with SIGKILL and
// SIGINT. Stages are found from the CLI's own progress lines (`rover: ...`, `== stage`), so a renamed
// stage is still found: a first run that is not killed lists them. After each kill: did the user's
// repository change, is anything of the run still running, and what is left once the same command
// has started again (the next start must sweep it).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoSnapshot } from '../../test/support/repo-snapshot';
import { startScriptedServer, type ScriptedServer } from '../../test/support/scripted-model-server.mjs';
import { fixtureRepo, leftovers, settleOrphans, startCli, type CliRun, type Scratch } from './common';

export interface KillResult {
  command: string;
  stage: string;
  signal: 'SIGKILL' | 'SIGINT';
  /** Exit code, or the signal that ended the process. */
  exit: number | string | null;
  treeChanged: boolean;
  orphans: number;
  leftoversAfterNextStart: string[];
  ms: number;
}

const KEY = 'sk-ant-bench-faults-0123456789abcdefKEY';
const PATCH = 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity >= BULK_THRESHOLD:\n>>>>>>> REPLACE\n';
export const FIX_SCRIPT = [
  { toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }] },
  { toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: 'apply the discount at the threshold too' }] } }] },
  { text: PATCH },
];
/** A test that keeps each test run busy long enough to be killed in the middle of it. */
const SLOW_TEST = 'import time\n\nfrom inventory import pricing\n\n\ndef test_slow():\n    time.sleep(4)\n    assert pricing\n';

interface Plan {
  command: string;
  args: (repo: string, url: string) => string[];
  /** Stage → how to recognise its start on stderr. Time offsets (ms) for commands without progress lines. */
  stages: (s: Scratch, repo: string, url: string, server: ScriptedServer) => Promise<{ name: string; at: RegExp | number }[]>;
  repo: (s: Scratch) => Promise<string>;
}

async function pyRepo(s: Scratch): Promise<string> {
  const dir = await fixtureRepo(s.dir, 'py-inventory');
  // uncommitted: carried into every checkout, so each test run lasts seconds
  await writeFile(join(dir, 'tests', 'test_slow.py'), SLOW_TEST);
  await writeFile(join(dir, '..', `${dir.split('/').pop()}.diff`), VALIDATE_PATCH);
  return dir;
}

const patchOf = (repo: string) => join(repo, '..', `${repo.split('/').pop()}.diff`);

async function bigRepo(s: Scratch): Promise<string> {
  return fixtureRepo(s.dir, 'py-inventory', async (dir) => {
    await mkdir(join(dir, 'gen'));
    for (let i = 0; i < 2500; i++) await writeFile(join(dir, 'gen', `m${i}.py`), `class C${i}:\n${'    def f(self, x):\n        return x\n'.repeat(40)}`);
  });
}

const VALIDATE_PATCH = 'diff --git a/NOTES.md b/NOTES.md\nnew file mode 100644\n--- /dev/null\n+++ b/NOTES.md\n@@ -0,0 +1 @@\n+patched\n';

const FAILING = 'tests/test_pricing.py::test_bulk_discount_at_threshold';

/** Stages a run of `args` goes through, read from its progress lines ("rover: ..." or "== stage"). */
async function observedStages(s: Scratch, server: ScriptedServer | undefined, args: string[], env: NodeJS.ProcessEnv): Promise<{ name: string; at: RegExp }[]> {
  server?.setScript(FIX_SCRIPT);
  const seen: string[] = [];
  const run = startCli(args, env, s, (line) => {
    const m = /^== ([\w-]+)/.exec(line) ?? /^rover: ([a-z][a-z -]{3,40}?)(?: \(|:|$)/.exec(line);
    if (m && !seen.includes(m[1]!)) seen.push(m[1]!);
  });
  await run.done;
  return seen.map((name) => ({ name, at: new RegExp(`^(== ${escape(name)}|rover: ${escape(name)})`) }));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function plans(): Plan[] {
  const fixEnv = { ANTHROPIC_API_KEY: KEY };
  return [
    {
      command: 'validate',
      repo: pyRepo,
      args: (repo) => ['validate', '--repo', repo, '--patch', patchOf(repo), '--tests', 'tests/test_pricing.py', 'tests/test_slow.py'],
      stages: async (s, repo) => [{ name: 'start', at: 150 }, ...(await observedStages(s, undefined, ['validate', '--repo', repo, '--patch', patchOf(repo), '--tests', 'tests/test_pricing.py', 'tests/test_slow.py'], {})), { name: 'mid-test-run', at: /running the tests before/ }],
    },
    {
      command: 'localize',
      repo: pyRepo,
      args: (repo) => ['localize', '--repo', repo, '--failing', 'tests/test_pricing.py::test_bulk_discount_at_threshold', '--passing', 'tests/test_slow.py::test_slow', '--no-cache'],
      stages: async (s, repo) => [
        { name: 'start', at: 150 },
        ...(await observedStages(s, undefined, ['localize', '--repo', repo, '--failing', 'tests/test_pricing.py::test_bulk_discount_at_threshold', '--passing', 'tests/test_slow.py::test_slow', '--no-cache'], {})),
        { name: 'mid-test-run', at: /collecting per-test coverage/ },
      ],
    },
    {
      command: 'index',
      repo: bigRepo,
      args: (repo) => ['index', repo],
      stages: async () => [
        { name: 'walk', at: 250 },
        { name: 'parse', at: 900 },
        { name: 'parse-late', at: 1800 },
        { name: 'cache-write', at: 2600 },
      ],
    },
    {
      command: 'fix',
      repo: pyRepo,
      // the failing test is given: the session localizes from it, patches and validates (the script has no reproduction turn)
      args: (repo, url) => ['fix', '--repo', repo, '--issue', join(repo, 'ISSUE.md'), '--failing', FAILING, '--candidates', '1', '--base-url', url, '--out', join(repo, '..', 'fix.diff')],
      stages: async (s, repo, url, server) => [
        { name: 'start', at: 150 },
        ...(await observedStages(s, server, ['fix', '--repo', repo, '--issue', join(repo, 'ISSUE.md'), '--failing', FAILING, '--candidates', '1', '--base-url', url, '--out', join(repo, '..', 'fix-dry.diff')], fixEnv)),
        { name: 'mid-test-run', at: /^== validate/ },
      ],
    },
  ];
}

/** Resolves to a kill point: 0 ms once the run printed its first progress line, else at 1.5 s (at most 10 s in all). */
async function pastStart(run: CliRun): Promise<number> {
  const t0 = Date.now();
  const line = /^(== |rover: )/m;
  await new Promise<void>((res) => {
    const stop = () => {
      clearInterval(poll);
      res();
    };
    const poll = setInterval(() => {
      if (line.test(run.stderr) || Date.now() - t0 > 10_000 || run.child.exitCode !== null || run.child.signalCode !== null) stop();
    }, 50);
  });
  return Math.max(0, 1500 - (Date.now() - t0));
}

/** Sends `signal` once `at` (a stderr line pattern, or ms after start) is reached, `delayMs` later; false if the run ended first. */
async function killAt(run: CliRun, at: RegExp | number, signal: NodeJS.Signals, delayMs: number): Promise<boolean> {
  const reached =
    typeof at === 'number'
      ? new Promise<boolean>((res) => setTimeout(() => res(true), at))
      : new Promise<boolean>((res) => {
          const check = () => {
            if (run.stderr.split('\n').some((l) => at.test(l))) {
              run.child.stderr!.off('data', check);
              res(true);
            }
          };
          run.child.stderr!.on('data', check);
        });
  const ended = run.done.then(() => false);
  if (!(await Promise.race([reached, ended]))) return false;
  await new Promise((r) => setTimeout(r, delayMs));
  if (run.child.exitCode !== null || run.child.signalCode !== null) return false;
  run.child.kill(signal);
  return true;
}

export async function runKills(s: Scratch, log: (m: string) => void): Promise<KillResult[]> {
  const results: KillResult[] = [];
  const server = await startScriptedServer({ script: FIX_SCRIPT, expectedKey: KEY });
  try {
    for (const plan of plans()) {
      const repo = await plan.repo(s);
      const stages = await plan.stages(s, repo, server.url, server);
      for (const stage of stages) {
        for (const signal of ['SIGKILL', 'SIGINT'] as const) {
          const before = repoSnapshot(repo).hash;
          const env = plan.command === 'fix' ? { ANTHROPIC_API_KEY: KEY } : {};
          server.setScript(FIX_SCRIPT);
          const run = startCli(plan.args(repo, server.url), env, s);
          // a stage's line comes as it starts: kill a moment into it
          const fired = await killAt(run, stage.at, signal, stage.name === 'mid-test-run' ? 2000 : 150);
          const end = await run.done;
          if (!fired) {
            log(`  ${plan.command}/${stage.name}: finished before the kill point; skipped`);
            continue;
          }
          const orphans = await settleOrphans(run.pid);
          const treeChanged = repoSnapshot(repo).hash !== before;
          // the next start of the same command sweeps what the dead run left
          server.setScript(FIX_SCRIPT);
          const next = startCli(plan.args(repo, server.url), env, s);
          // past its start (and its sweep: the first progress line comes after it; on a loaded machine
          // 1.5 s may not be enough), then interrupted: a Ctrl-C must leave nothing either
          await killAt(next, await pastStart(next), 'SIGINT', 0);
          await next.done;
          await settleOrphans(next.pid);
          const left = await leftovers(run.pid, repo, s);
          const nextLeft = await leftovers(next.pid, repo, s);
          const r: KillResult = {
            command: plan.command,
            stage: stage.name,
            signal,
            exit: end.code ?? end.signal,
            treeChanged,
            orphans: orphans.length,
            leftoversAfterNextStart: [...left, ...nextLeft.map((x) => `(the interrupted next start) ${x}`)],
            ms: end.ms,
          };
          results.push(r);
          log(`  ${plan.command}/${stage.name} ${signal}: exit ${end.code ?? end.signal}, tree ${treeChanged ? 'CHANGED' : 'same'}, orphans ${orphans.length}, leftovers ${r.leftoversAfterNextStart.length}`);
        }
      }
    }
  } finally {
    await server.close();
  }
  return results;
}
