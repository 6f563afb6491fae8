// Offline install of code-server (the real VS Code workbench + server from npm) into a cache
// outside the repository, keyed by version and reused. Each step works around one pitfall listed
// in /work/shared/docs/real-editor-e2e.md; a `.complete` marker is written only after the binary
// answers --version, so an interrupted install is redone rather than reused half-built.
import { existsSync, mkdirSync, rmSync, writeFileSync, copyFileSync, chmodSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

export function cacheRoot() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rover-e2e');
}

export function codeServerDir(version = CODE_SERVER_VERSION) {
  return join(cacheRoot(), `code-server-${version}`);
}

export function codeServerBin(dir = codeServerDir()) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function which(name) {
  for (const d of (process.env.PATH || '').split(':')) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return null;
}

/** Returns {dir, bin, cold, ms}. Throws with a readable message naming the failed step. */
export async function ensureCodeServer({ version = CODE_SERVER_VERSION, log = console.log } = {}) {
  const dir = codeServerDir(version);
  const marker = join(dir, '.complete');
  const bin = codeServerBin(dir);
  if (existsSync(marker) && existsSync(bin)) {
    return { dir, bin, cold: false, ms: 0 };
  }
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is not installed: apt-get install ripgrep (code-server needs it for search)');
  const started = Date.now();
  log(`installing code-server ${version} into ${dir} (once; ~2 min on 2 cores)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'rover-e2e-code-server', private: true }) + '\n');
  const env = {
    ...process.env,
    // `npm run` passes the project's .npmrc on as npm_config_* variables: its ignore-scripts=true
    // would turn the rebuilds below into no-ops (installs still say --ignore-scripts themselves)
    npm_config_ignore_scripts: 'false',
    npm_config_unsafe_perm: 'true', // postinstall refuses root otherwise
    npm_config_yes: 'true', // node-pty's postinstall runs npx node-gyp
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const step = async (what, cwd, args, timeoutMs = 900_000) => {
    const t = Date.now();
    try {
      await run('npm', args, { cwd, env, timeoutMs });
    } catch (err) {
      throw new Error(`code-server install step "${what}" failed: ${err.message}`);
    }
    log(`  ${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  await step('npm install code-server', dir, ['install', '--ignore-scripts', '--no-save', `code-server@${version}`]);
  await step('rebuild argon2', dir, ['rebuild', 'argon2']);
  const cs = join(dir, 'node_modules', 'code-server');
  const vscodeDir = join(cs, 'lib', 'vscode');
  await step('install VS Code server modules', vscodeDir, ['install', '--omit=dev', '--ignore-scripts']);
  // @vscode/ripgrep downloads its binary in postinstall; an existing bin/ makes it skip
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  copyFileSync(rg, join(rgBin, 'rg'));
  chmodSync(join(rgBin, 'rg'), 0o755);
  await step('rebuild native modules', vscodeDir, ['rebuild']);
  await step('code-server postinstall', cs, ['run', 'postinstall']);
  // XDG_CONFIG_HOME inside the cache: otherwise code-server writes ~/.config/code-server/config.yaml
  const quietEnv = { ...process.env, XDG_CONFIG_HOME: join(dir, '.xdg-config'), XDG_DATA_HOME: join(dir, '.xdg-data') };
  const { out } = await run(process.execPath, [bin, '--version'], { cwd: dir, env: quietEnv, timeoutMs: 60_000 });
  const line = out.split('\n').find((l) => l.startsWith(version));
  if (!line) throw new Error(`code-server --version printed something unexpected: ${out.slice(0, 500)}`);
  writeFileSync(marker, `${line.trim()}\n`);
  const ms = Date.now() - started;
  log(`code-server ready: ${line.trim()} (${(ms / 1000).toFixed(1)} s)`);
  return { dir, bin, cold: true, ms };
}

export function installedVersion(dir = codeServerDir()) {
  try { return readFileSync(join(dir, '.complete'), 'utf8').trim(); } catch { return null; }
}
