// Shared helpers for the extension-host suites: the harness config, waiting on conditions (never
// a bare sleep), skipping with a printed reason, and reading Rover's test-facing state.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

let config = null;
exports.configure = (c) => { config = c; };
exports.config = () => config;
exports.lastSkipReason = null;

function vscode() { return require('vscode'); }
exports.vscode = vscode;

exports.EXT_ID = 'rover-dev.rover';

/** Skips the current test with a reason the harness prints and the final report lists. */
exports.skip = (mochaCtx, reason) => {
  const t = mochaCtx.test || mochaCtx.currentTest;
  if (t) t.__skipReason = reason;
  exports.lastSkipReason = reason;
  mochaCtx.skip();
};

/** Skips when the harness lists this scenario as a known gap (test/e2e/known-gaps.json). */
exports.skipIfKnownGap = (mochaCtx, scenario) => {
  const reason = config && config.knownGaps && config.knownGaps[scenario];
  if (reason) exports.skip(mochaCtx, `known gap: ${reason}`);
};

exports.waitFor = async (what, fn, timeoutMs = 30_000, everyMs = 200) => {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last && (last.message || JSON.stringify(last))}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

exports.activeExtension = async () => {
  const ext = vscode().extensions.getExtension(exports.EXT_ID);
  if (!ext) throw new Error(`extension ${exports.EXT_ID} is not installed in this extension host`);
  await exports.waitFor('Rover to activate', () => ext.isActive, 60_000);
  return ext;
};

exports.hasCommand = async (id) => (await vscode().commands.getCommands(true)).includes(id);

/** Skips unless every command is registered (a feature of the extension that has not landed). */
exports.requireCommands = async (mochaCtx, ...ids) => {
  const all = await vscode().commands.getCommands(true);
  const missing = ids.filter((id) => !all.includes(id));
  if (missing.length) exports.skip(mochaCtx, `extension does not register ${missing.join(', ')} yet`);
};

exports.state = async () => vscode().commands.executeCommand('rover._state');

exports.workspaceDir = () => {
  const f = vscode().workspace.workspaceFolders;
  if (!f || !f.length) throw new Error('no workspace folder is open');
  return f[0].uri.fsPath;
};

exports.git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000 });

/** Hash of every tracked and untracked (non-ignored) file plus `git status --porcelain`. */
exports.treeSnapshot = (dir) => {
  const status = exports.git(dir, 'status', '--porcelain', '--untracked-files=all');
  const files = exports.git(dir, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter(Boolean).sort();
  const hashes = {};
  for (const f of files) {
    const p = path.join(dir, f);
    hashes[f] = fs.existsSync(p) ? crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') : 'missing';
  }
  return { status, hashes };
};

/** Rover worktrees registered on the repository (git's own list, besides the main one). */
exports.extraWorktrees = (dir) => exports.git(dir, 'worktree', 'list', '--porcelain')
  .split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9)).filter((p) => path.resolve(p) !== path.resolve(dir));

/** Restores the workspace copy (a temp clone made by the harness) and closes editors between tests. */
exports.resetWorkspace = async () => {
  const v = vscode();
  await v.commands.executeCommand('workbench.action.files.revert').then(undefined, () => {});
  await v.commands.executeCommand('workbench.action.closeAllEditors');
  const dir = exports.workspaceDir();
  exports.git(dir, 'checkout', '-q', '--', '.');
  exports.git(dir, 'clean', '-qfd', '-e', '.rover');
};

exports.scriptedServer = async (opts) => {
  const mod = await import(require('url').pathToFileURL(config.scriptedServerModule).href);
  return mod.startScriptedServer(opts);
};

/** Points Rover at a scripted model server and stores a key (the contract's test hook). */
exports.useModelServer = async (url, key = 'sk-e2e-test-key') => {
  const v = vscode();
  await v.workspace.getConfiguration('rover').update('baseUrl', url, v.ConfigurationTarget.Global);
  await v.workspace.getConfiguration('rover').update('provider', 'anthropic', v.ConfigurationTarget.Global);
  return v.commands.executeCommand('rover.setApiKey', { provider: 'anthropic', key, baseUrl: url });
};

/** Every settings.json the window's user data holds (user, machine, profiles). */
exports.settingsFiles = () => {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'logs' && e.name !== 'CachedExtensionVSIXs') walk(p);
      else if (e.name === 'settings.json') out.push(p);
    }
  };
  walk(config.userDataDir);
  return out;
};

