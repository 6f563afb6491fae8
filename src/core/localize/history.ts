// The project's own history as evidence: past commits whose messages read like the issue point at
// the files they touched (the idea of IR bug localizers such as BugLocator, with commit messages
// standing in for past bug reports). Read-only `git log` of the repository; no history, no evidence.
import { runProcess } from '../proc/run';
import { codeTerms, issueTextScores, type IssueTokens } from './evidence';

export interface PastCommit {
  terms: string[];
  files: string[];
}

/** How many recent non-merge commits are read: 10,000 of sympy's 45,000 take 0.3 s (16 s when its pack is not in the page cache). */
export const HISTORY_COMMITS = 10_000;
/** How many of the commits most like the issue lend weight to their files. */
export const HISTORY_TOP = 100;

const COMMIT = '\x00';
const FILES = '\x01';

/** Recent non-merge commits (message words, touched paths); undefined when `repo` has no readable git history. */
export async function readHistory(repo: string, opts: { maxCommits?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PastCommit[] | undefined> {
  const r = await runProcess('git', ['-c', 'core.quotePath=false', 'log', '--no-merges', '-n', String(opts.maxCommits ?? HISTORY_COMMITS), '--name-only', '--no-renames', '--relative', '--format=%x00%s%n%b%x01'], {
    cwd: repo,
    timeoutMs: opts.timeoutMs ?? 30_000,
    maxOutputBytes: 32 * 1024 * 1024,
    signal: opts.signal,
  }).catch(() => undefined);
  if (!r || r.code !== 0 || r.timedOut || r.cancelled) return undefined;
  return parseHistory(r.stdout);
}

export function parseHistory(out: string): PastCommit[] {
  const commits: PastCommit[] = [];
  for (const chunk of out.split(COMMIT).slice(1)) {
    const cut = chunk.indexOf(FILES);
    // a chunk cut by the output cap has no file list: it says nothing about files
    if (cut < 0) continue;
    const files = chunk
      .slice(cut + 1)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (files.length) commits.push({ terms: codeTerms(chunk.slice(0, cut)), files });
  }
  return commits;
}

/**
 * A 0..1 weight per candidate file: BM25 of the issue's words in each commit message (over the
 * commits read), the `top` best commits lending their similarity to the files they touched, shared
 * among all the files of a commit (a sweeping commit says little about any one), scaled so the best
 * file has 1. Files no such commit touched are absent.
 */
export function historyScores(issue: IssueTokens | undefined, commits: readonly PastCommit[], candidates: ReadonlySet<string>, top = HISTORY_TOP): Map<string, number> {
  const out = new Map<string, number>();
  if (!issue || commits.length === 0 || candidates.size === 0) return out;
  const sims = issueTextScores(issue, commits.map((c) => c.terms));
  const order = sims
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s > 0)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, top);
  for (const [s, i] of order) {
    const c = commits[i];
    for (const f of c.files) if (candidates.has(f)) out.set(f, (out.get(f) ?? 0) + s / c.files.length);
  }
  const max = Math.max(0, ...out.values());
  for (const [f, v] of out) out.set(f, max > 0 ? Math.round((v / max) * 1e6) / 1e6 : 0);
  return out;
}
