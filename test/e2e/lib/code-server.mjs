// One code-server instance with its own user data, extensions folder and XDG dirs under a temp
// root, on a free loopback port, in its own process group.
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startDaemon, run } from './proc.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Quiet an offline box: no gallery, no update checks, no welcome page, no git scanning, and no
// trust prompt in the trusted instances (the untrusted one turns trust on explicitly).
export function userSettings({ trust }) {
  return {
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'git.enabled': false,
    'security.workspace.trust.enabled': trust,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
    'files.autoSave': 'off',
    'window.commandCenter': false,
    'chat.commandCenter.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
  };
}

export async function installExtension(bin, extDir, vsix, env) {
  mkdirSync(extDir, { recursive: true });
  const r = await run(process.execPath, [bin, '--extensions-dir', extDir, '--install-extension', vsix], { cwd: extDir, env, timeoutMs: 120_000 });
  return r;
}

/**
 * Starts code-server. `root` is a fresh temp folder owned by this instance. Resolves once /healthz
 * answers; rejects with the server's log tail when it does not come up.
 */
export async function startCodeServer({ bin, root, extDir, trust = false, env: extraEnv = {}, log = () => {} }) {
  const port = await freePort();
  const ud = join(root, 'user-data');
  mkdirSync(join(ud, 'User'), { recursive: true });
  writeFileSync(join(ud, 'User', 'settings.json'), JSON.stringify(userSettings({ trust }), null, 2));
  const xdgConfig = join(root, 'xdg-config');
  const xdgData = join(root, 'xdg-data');
  mkdirSync(xdgConfig, { recursive: true });
  mkdirSync(xdgData, { recursive: true });
  const config = join(root, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: xdgConfig,
    XDG_DATA_HOME: xdgData,
    // keep the user's own VS Code/git config out of it
    VSCODE_PROXY_URI: '',
    ...extraEnv,
  };
  delete env.NODE_OPTIONS;
  const args = [bin, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', ud,
    '--extensions-dir', extDir, '--config', config, '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override'];
  if (!trust) args.push('--disable-workspace-trust');
  const logFile = createWriteStream(join(root, 'code-server.log'));
  const daemon = startDaemon(process.execPath, args, { cwd: root, env, logFile });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  let exited = null;
  daemon.exited.then((e) => { exited = e; });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`code-server exited early (${exited.code ?? exited.signal}):\n${daemon.log.slice(-3000)}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        log(`code-server up on ${url} (pid ${daemon.pid}, trust ${trust ? 'on' : 'off'})`);
        return { url, port, root, userData: ud, daemon, stop: () => daemon.stop() };
      }
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  await daemon.stop();
  throw new Error(`code-server did not answer /healthz within 90 s:\n${daemon.log.slice(-3000)}`);
}

/** URL that opens `folder` in the workbench, optionally with an extension-host test payload. */
export function workbenchUrl(base, folder, payload) {
  const u = new URL(base + '/');
  u.searchParams.set('folder', folder);
  if (payload) u.searchParams.set('payload', JSON.stringify(payload));
  return u.toString();
}
