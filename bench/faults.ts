// npm run bench:faults [-- --json] [--only kills,replies,suites] [--replies REGEX] [--parallel N] [--keep]
// Reliability under faults, measured on the real CLI (`node dist/cli.js`) with the scripted model
// server and real kills (see bench/faults/*.ts):
//   kills    SIGKILL and SIGINT at every stage of fix, validate, localize and index
//   replies  300+ malformed or hostile model replies over both providers, each in a `rover fix` run
//   suites   hostile test suites under `rover validate`, with the sandbox and without it
// Every count of harm should be 0. A figure, not a test: it prints what it measured.
import { tmpdir } from 'node:os';
import { sandboxStatus } from '../src/core/proc/sandbox';
import { cleanup, scratch } from './faults/common';
import { runKills, type KillResult } from './faults/kills';
import { DEADLINE_S, runReplies, type ReplyResult } from './faults/replies';
import { runSuites, type SuiteResult } from './faults/suites';

const args = process.argv.slice(2);
const json = args.includes('--json');
const keep = args.includes('--keep');
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = new Set((opt('--only') ?? 'kills,replies,suites').split(','));
for (const o of only) {
  if (!['kills', 'replies', 'suites'].includes(o)) {
    console.error(`--only takes kills, replies and/or suites (got "${o}")`);
    process.exit(2);
  }
}
const parallel = Number(opt('--parallel') ?? 2);
if (!Number.isInteger(parallel) || parallel < 1) {
  console.error('--parallel must be a positive integer');
  process.exit(2);
}
const filter = opt('--replies') ? new RegExp(opt('--replies')!) : undefined;
const log = (m: string) => {
  if (!json) console.log(m);
  else process.stderr.write(`${m}\n`);
};

async function main(): Promise<void> {
  const t0 = Date.now();
  const s = await scratch(tmpdir());
  const sb = sandboxStatus();
  log(`sandbox: ${sb.available ? sb.tool : `none (${sb.reason})`}; scratch ${s.dir}`);
  let kills: KillResult[] = [];
  let replies: ReplyResult[] = [];
  let baselineMs: Record<string, number> = {};
  let suites: SuiteResult[] = [];
  let suitesOff: SuiteResult[] = [];
  try {
    if (only.has('kills')) {
      log('kills:');
      kills = await runKills(s, log);
    }
    if (only.has('replies')) {
      log('replies:');
      ({ results: replies, baselineMs } = await runReplies(s, log, { parallel, filter }));
    }
    if (only.has('suites')) {
      log('hostile suites:');
      suites = await runSuites(s, log, true);
      suitesOff = await runSuites(s, log, false);
    }
  } finally {
    if (!keep) await cleanup(s.dir);
  }
  const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;
  const figures = {
    kills: kills.length,
    kills_tree_changed: count(kills, (k) => k.treeChanged),
    kills_leftovers_after_next_start: count(kills, (k) => k.leftoversAfterNextStart.length > 0),
    kills_orphan_processes: count(kills, (k) => k.orphans > 0),
    // ended by the signal itself (before the handler was installed) is what a shell reports as 130 too
    kills_sigint_exit_not_130: count(kills, (k) => k.signal === 'SIGINT' && k.exit !== 130 && k.exit !== 'SIGINT'),
    replies: replies.length,
    replies_clear_error_or_handled: count(replies, (r) => r.handled),
    replies_tree_changed: count(replies, (r) => r.treeChanged),
    replies_crash: count(replies, (r) => r.crash),
    replies_hang: count(replies, (r) => r.hang),
    replies_read_outside: count(replies, (r) => r.readOutside),
    replies_key_leaked: count(replies, (r) => r.keyLeaked),
    replies_deadline_s: DEADLINE_S,
    replies_slowest_ms: Math.max(0, ...replies.map((r) => r.ms)),
    replies_baseline_ms: baselineMs,
    suites: suites.length,
    suites_user_repo_changed: count(suites, (r) => r.userRepoChanged),
    suites_hook_ran: count(suites, (r) => r.hookRan),
    suites_survivors: count(suites, (r) => r.survivors > 0),
    suites_timeout_overrun: count(suites, (r) => r.timeoutOverrun),
    suites_sandbox: sb.available ? sb.tool : `none: ${sb.reason}`,
    suites_without_sandbox: {
      suites: suitesOff.length,
      user_repo_changed: count(suitesOff, (r) => r.userRepoChanged),
      hook_ran: count(suitesOff, (r) => r.hookRan),
      survivors: count(suitesOff, (r) => r.survivors > 0),
      timeout_overrun: count(suitesOff, (r) => r.timeoutOverrun),
    },
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  if (json) {
    console.log(JSON.stringify({ ...figures, details: { kills, replies: replies.filter((r) => !r.handled || r.treeChanged || r.readOutside || r.keyLeaked), suites, suitesWithoutSandbox: suitesOff } }, null, 2));
    return;
  }
  console.log('');
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(34)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  const bad = kills.filter((k) => k.treeChanged || k.orphans || k.leftoversAfterNextStart.length);
  for (const k of bad) console.log(`  kill ${k.command}/${k.stage} ${k.signal}: ${[k.treeChanged && 'tree changed', k.orphans && `${k.orphans} orphan(s)`, ...k.leftoversAfterNextStart].filter(Boolean).join('; ')}`);
  const byCat = new Map<string, number>();
  for (const r of replies) byCat.set(r.category, (byCat.get(r.category) ?? 0) + 1);
  console.log(`reply categories: ${[...byCat].map(([c, n]) => `${c} ${n}`).join(', ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
