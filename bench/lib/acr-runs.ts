// Reading AutoCodeRover's published runs (results/acr-run-N in its bare mirror) and the bare
// mirrors of the repositories they ran on, for the benchmarks that replay them. Nothing is checked
// out of the ACR mirror: some of its blobs are corrupt, so `git archive` of it fails; blobs are read
// one by one with `git cat-file --batch`.
import { tmpdir } from 'node:os';
import { runProcess } from '../../src/core/proc/run';

export const ACR = process.env.ACR_MIRROR ?? '/work/.mirror/nus-apr+auto-code-rover/repo';
export const MIRRORS = process.env.MIRROR_ROOT ?? '/work/.mirror';
export const BENCH = process.env.ROVER_SHARED_BENCH ?? '/work/shared/bench';

/** SWE-bench repository prefix of an instance id -> mirror folder under MIRRORS. */
export const REPOS: Record<string, string> = {
  'pytest-dev__pytest': 'pytest-dev+pytest',
  'sympy__sympy': 'sympy+sympy',
  'pylint-dev__pylint': 'pylint-dev+pylint',
  'pallets__flask': 'pallets+flask',
  'psf__requests': 'psf+requests',
};

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

/** One task folder of a run: results/acr-run-N/<bucket>/<instance>_<date>/. */
export interface TaskDir {
  run: string;
  bucket: string;
  dir: string;
  instance: string;
  repoKey: string;
  files: Set<string>;
}

/** Task folders of `run` whose instance belongs to one of REPOS, in the given buckets (all when omitted). */
export async function listTaskDirs(run: string, buckets?: readonly string[]): Promise<TaskDir[]> {
  const ls = await git(ACR, ['ls-tree', '-r', '--name-only', 'HEAD', `results/acr-run-${run}/`], 256 << 20);
  if (!ls.ok) throw new Error(`cannot list results/acr-run-${run}: ${ls.err}`);
  const byDir = new Map<string, TaskDir>();
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
  return [...byDir.values()];
}
