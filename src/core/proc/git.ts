// Rover's own git calls. A repository's hooks and its fsmonitor command are code the repository (or
// a test suite that ran in it) chose; Rover's git calls run neither, and ignore GIT_DIR-style
// variables of the environment it was started from (a hook or an IDE may have set them).
import { runProcess, type RunOptions, type RunResult } from './run';

/** `-c` settings on every Rover git call. */
export const SAFE_GIT_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false'];

const GIT_LOCATION_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES'];

export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  for (const k of GIT_LOCATION_VARS) delete env[k];
  return env;
}

export class GitError extends Error {
  constructor(readonly args: string[], readonly result: RunResult) {
    super(`git ${args.join(' ')} failed${result.timedOut ? ' (timed out)' : ''}: ${(result.stderr || result.stdout).trim().slice(0, 1000) || `exit ${result.code}`}`);
    this.name = 'GitError';
  }
}

/** Runs git with hooks off; throws GitError on a non-zero exit unless `allowFail`. */
export async function git(cwd: string, args: string[], opts: Partial<RunOptions> & { allowFail?: boolean } = {}): Promise<RunResult> {
  const { allowFail, ...rest } = opts;
  const r = await runProcess('git', [...SAFE_GIT_CONFIG, ...args], {
    timeoutMs: 120_000,
    maxOutputBytes: 64 * 1024 * 1024,
    contain: false,
    ...rest,
    cwd,
    env: gitEnv(rest.env),
  });
  if (r.code !== 0 && !allowFail && !r.cancelled) throw new GitError(args, r);
  return r;
}
