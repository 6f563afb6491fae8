// Grading a candidate patch with the reference harness of shared/bench (PATCH=... validate.sh ID):
// the verdict every benchmark trusts, independent of Rover's own runner and parsers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../src/core/proc/run';

/** validate.sh's JSON line (the fields the benchmarks read), or an error when it gave none. */
export interface HarnessGrade {
  resolved: boolean | null;
  f2p_not_passing_after?: string[];
  p2p_not_passing_after?: string[];
  seconds_before?: number;
  seconds_after?: number;
  reason?: string;
  error?: string;
}

export async function harnessGrade(bench: string, id: string, patch: string, env: NodeJS.ProcessEnv = {}): Promise<HarnessGrade> {
  const tmp = await mkdtemp(join(tmpdir(), 'rover-bench-grade-'));
  try {
    const pf = join(tmp, `${id}.diff`);
    await writeFile(pf, patch);
    const v = await runProcess(join(bench, 'validate.sh'), [id], { cwd: bench, env: { ...process.env, ...env, PATCH: pf }, timeoutMs: 2 * 60 * 60_000, maxOutputBytes: 8 << 20 });
    const line = v.stdout.split('\n').reverse().find((l) => l.trim().startsWith('{'));
    try {
      const j = JSON.parse(line ?? '') as HarnessGrade & { reason?: string };
      // a harness exception (e.g. the patch does not apply) is reported as reason, without `resolved`
      return { ...j, resolved: typeof j.resolved === 'boolean' ? j.resolved : null, ...(typeof j.resolved !== 'boolean' ? { error: j.reason ?? 'no verdict' } : {}) };
    } catch {
      return { resolved: null, error: (v.stderr || v.stdout).trim().split('\n').pop()?.slice(0, 300) ?? `validate.sh exited ${v.code}` };
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
