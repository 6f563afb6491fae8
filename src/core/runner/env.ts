// The environment a test run gets: an allow-list, not the editor's whole environment. Secrets in
// the parent (API keys, tokens) never reach a test suite, and the user's PYTHONPATH/NODE_OPTIONS do
// not silently change what runs. Runner specs add what they need (spec.env, spec.pythonPath).
import { delimiter, isAbsolute, join } from 'node:path';
import type { TestRunnerSpec } from './types';

/** Passed through from the parent when set. */
export const ENV_ALLOW = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'TEMP', 'TMP',
  // toolchains find themselves through these
  'VIRTUAL_ENV', 'PYENV_ROOT', 'CONDA_PREFIX',
  'GOPATH', 'GOROOT', 'GOCACHE', 'GOMODCACHE', 'GOFLAGS', 'GOPROXY',
  'CARGO_HOME', 'RUSTUP_HOME', 'JAVA_HOME', 'MAVEN_OPTS', 'GRADLE_USER_HOME', 'M2_HOME',
  'NVM_DIR', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
] as const;

/**
 * Always set. Kept minimal on purpose: CI/NO_COLOR-style switches change behaviour some test suites
 * check (pytest's own suite tests them), and output is already plain because it is piped.
 * No .pyc files in the worktree (as SWE-bench's harness does).
 */
export const ENV_FIXED: Record<string, string> = {
  PYTHONDONTWRITEBYTECODE: '1',
};

export function testEnv(spec: TestRunnerSpec, runDir: string, parent: NodeJS.ProcessEnv = process.env, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ENV_ALLOW) if (parent[k] !== undefined) env[k] = parent[k];
  if (!env.PATH) env.PATH = '/usr/local/bin:/usr/bin:/bin';
  if (!env.LANG) env.LANG = 'C.UTF-8';
  Object.assign(env, ENV_FIXED, spec.env ?? {});
  if (spec.pythonPath?.length) {
    const pp = spec.pythonPath.map((p) => (isAbsolute(p) ? p : join(runDir, p)));
    if (env.PYTHONPATH) pp.push(env.PYTHONPATH);
    env.PYTHONPATH = pp.join(delimiter);
  }
  if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
