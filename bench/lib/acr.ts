// Reading AutoCodeRover's published runs (results/acr-run-N in the nus-apr/auto-code-rover snapshot)
// straight from the bare mirror, and replaying their raw model edits through Rover's applier on the
// original files at each task's base commit (read with `git show`, nothing checked out).
// Shared by bench:apply (how many edits apply) and bench:select (the runs as candidate patches).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyModelOutput, type ApplyOutcome, type FileSource } from '../../src/core/agent/apply/apply';
import { unifiedDiff } from '../../src/core/agent/apply/diff';
import { runProcess } from '../../src/core/proc/run';

export const ACR = process.env.ACR_MIRROR ?? '/work/.mirror/nus-apr+auto-code-rover/repo';
export const MIRRORS = process.env.MIRROR_ROOT ?? '/work/.mirror';
export const BENCH = process.env.ROVER_SHARED_BENCH ?? '/work/shared/bench';
/** SWE-bench repository prefix -> mirror folder, for the Python repositories of shared/bench. */
export const REPOS: Record<string, string> = {
  'pytest-dev__pytest': 'pytest-dev+pytest',
  'sympy__sympy': 'sympy+sympy',
  'pylint-dev__pylint': 'pylint-dev+pylint',
  'pallets__flask': 'pallets+flask',
  'psf__requests': 'psf+requests',
};
const BUCKETS = ['applicable_patch', 'raw_patch_but_unmatched', 'raw_patch_but_unparsed', 'matched_but_empty_diff', 'matched_but_empty_origin'];
// ACR's post_process.ExtractStatus, worst to best: its final patch is the last attempt of the best status
const STATUS_ORDER = ['NO_PATCH', 'RAW_PATCH_BUT_UNPARSED', 'RAW_PATCH_BUT_UNMATCHED', 'MATCHED_BUT_EMPTY_DIFF', 'MATCHED_BUT_EMPTY_ORIGIN', 'APPLICABLE_PATCH'];

export async function git(gitDir: string, a: string[], maxOutputBytes = 64 << 20): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await runProcess('git', [`--git-dir=${gitDir}`, ...a], { cwd: tmpdir(), timeoutMs: 120_000, maxOutputBytes });
  return { ok: r.code === 0, out: r.stdout, err: r.stderr };
}

/** Blobs by `rev:path`, one `git cat-file --batch` for many (sizes are bytes: parse on a Buffer). */
export async function catMany(gitDir: string, specs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < specs.length; i += 400) {
    const chunk = specs.slice(i, i + 400);
    const r = await runProcess('git', [`--git-dir=${gitDir}`, 'cat-file', '--batch'], { cwd: tmpdir(), timeoutMs: 300_000, maxOutputBytes: 1 << 30, stdin: chunk.join('\n') + '\n' });
    const buf = Buffer.from(r.stdout, 'utf8');
    let pos = 0;
    for (const spec of chunk) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const header = buf.subarray(pos, nl).toString('utf8');
      pos = nl + 1;
      const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
      if (!m) continue; // "<spec> missing"
      const size = Number(m[2]);
      out.set(spec, buf.subarray(pos, pos + size).toString('utf8'));
      pos += size + 1;
    }
  }
  return out;
}

/** One task folder of one run: results/acr-run-N/<bucket>/<instance>_<date>/. */
export interface AcrTask {
  run: string;
  bucket: string;
  dir: string;
  instance: string;
  repoKey: string;
  files: Set<string>;
}

/** The task folders of the given runs (of the repositories in REPOS), in the given buckets (null: all). */
export async function listTasks(runs: string[], buckets: readonly string[] | null = BUCKETS): Promise<AcrTask[]> {
  const tasks: AcrTask[] = [];
  for (const run of runs) {
    const ls = await git(ACR, ['ls-tree', '-r', '--name-only', 'HEAD', `results/acr-run-${run}/`], 256 << 20);
    if (!ls.ok) throw new Error(`cannot list results/acr-run-${run} in ${ACR}: ${ls.err}`);
    const byDir = new Map<string, AcrTask>();
    for (const path of ls.out.split('\n')) {
      const parts = path.split('/');
      if (parts.length !== 5 || (buckets && !buckets.includes(parts[2]))) continue;
      const dir = parts.slice(0, 4).join('/');
      let t = byDir.get(dir);
      if (!t) {
        const instance = parts[3].replace(/_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/, '');
        const repoKey = instance.replace(/-\d+$/, '');
        if (!REPOS[repoKey]) continue;
        t = { run, bucket: parts[2], dir, instance, repoKey, files: new Set() };
        byDir.set(dir, t);
      }
      t.files.add(parts[4]);
    }
    tasks.push(...byDir.values());
  }
  return tasks;
}

/** The small files of every task (raw edits, ACR's extracted diffs, statuses, meta), read at once. */
export async function readTaskFiles(tasks: AcrTask[]): Promise<(t: AcrTask, file: string) => string | undefined> {
  const specs: string[] = [];
  for (const t of tasks)
    for (const f of t.files) if (/^(agent_patch_raw_\d+|extracted_patch_\d+\.diff|extract_status\.json|meta\.json)$/.test(f)) specs.push(`HEAD:${t.dir}/${f}`);
  const blobs = await catMany(ACR, specs);
  return (t, f) => blobs.get(`HEAD:${t.dir}/${f}`);
}

export const mirrorOf = (t: AcrTask) => join(MIRRORS, REPOS[t.repoKey], 'repo');

/** The raw attempts of a task, in order (agent_patch_raw_1, _2, ...). */
export function rawAttempts(t: AcrTask): number[] {
  return [...t.files].filter((f) => /^agent_patch_raw_\d+$/.test(f)).map((f) => Number(f.split('_').pop())).sort((a, b) => a - b);
}

export function extractStatuses(t: AcrTask, blob: (t: AcrTask, f: string) => string | undefined): string[] {
  return JSON.parse(blob(t, 'extract_status.json') ?? '{"extract_status":[]}').extract_status ?? [];
}

export function baseCommit(t: AcrTask, blob: (t: AcrTask, f: string) => string | undefined): string | undefined {
  return JSON.parse(blob(t, 'meta.json') ?? '{}')?.task_info?.base_commit;
}

/** Original files at `commit`, read lazily from the bare mirror. */
export function repoSource(mirror: string, commit: string): FileSource {
  const cache = new Map<string, Promise<string | undefined>>();
  let listing: Promise<string[]> | undefined;
  return {
    read(rel) {
      let p = cache.get(rel);
      if (!p) {
        p = git(mirror, ['show', `${commit}:${rel}`]).then((r) => (r.ok ? r.out : undefined));
        cache.set(rel, p);
      }
      return p;
    },
    list() {
      listing ??= git(mirror, ['ls-tree', '-r', '--name-only', commit]).then((r) => r.out.split('\n').filter(Boolean));
      return listing;
    },
  };
}

/** One raw model edit through Rover's applier; an exception becomes a refusal with its message. */
export async function applyRaw(text: string, source: FileSource): Promise<ApplyOutcome> {
  try {
    return await applyModelOutput(text, source);
  } catch (e) {
    return { ok: false, changes: [], results: [], errors: [(e as Error).message], feedback: (e as Error).message };
  }
}

export interface PublishedCandidate {
  run: string;
  instance: string;
  /** The attempt whose raw edit became the candidate. */
  attempt: number;
  /** ACR's extract status of that attempt. */
  acrStatus: string;
  /** True when ACR's own final attempt was refused by Rover's applier and an earlier/later one was used. */
  fallback: boolean;
  diff: string;
}

/**
 * A run's candidate for a task: ACR's final attempt (the last one of its best extract status, as
 * app/post_process.py picks it) applied by Rover's applier; when Rover refuses that one, the last
 * other attempt it applies. `undefined` with the reasons when no attempt applies.
 */
export async function publishedCandidate(
  t: AcrTask, blob: (t: AcrTask, f: string) => string | undefined, source: FileSource,
): Promise<PublishedCandidate | { refused: string[] }> {
  const statuses = extractStatuses(t, blob);
  const attempts = rawAttempts(t);
  const rank = (n: number) => STATUS_ORDER.indexOf(statuses[n - 1] ?? 'NO_PATCH');
  const best = Math.max(-1, ...attempts.map(rank));
  const acrPick = [...attempts].reverse().find((n) => rank(n) === best);
  const order = [...(acrPick ? [acrPick] : []), ...[...attempts].reverse().filter((n) => n !== acrPick)];
  const refused: string[] = [];
  for (const n of order) {
    const out = await applyRaw(blob(t, `agent_patch_raw_${n}`) ?? '', source);
    const diff = out.ok ? unifiedDiff(out.changes) : '';
    if (diff) return { run: t.run, instance: t.instance, attempt: n, acrStatus: statuses[n - 1] ?? 'UNKNOWN', fallback: n !== acrPick, diff };
    refused.push(`#${n}: ${out.ok ? 'no change' : out.feedback.split('\n')[0].slice(0, 200)}`);
  }
  return { refused };
}
