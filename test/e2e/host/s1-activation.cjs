// Scenario 1 (extension-host half): the packaged extension activates by itself on opening a
// fixture folder, registers every contributed command, and its log channel holds no error.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const ctx = require('./ctx.cjs');

describe('scenario 1: install and activate', function () {
  it('activates on opening the fixture folder, from the installed VSIX', async function () {
    ctx.skipIfKnownGap(this, 's1');
    const ext = await ctx.activeExtension();
    assert.strictEqual(ext.packageJSON.publisher, 'rover-dev');
    // layer A loads the extension from the folder the VSIX was installed into, so this checks the
    // packaged files, not the working tree
    const installed = ctx.config().installedExtensionDir;
    assert.strictEqual(path.resolve(ext.extensionPath), path.resolve(installed));
    assert.ok(fs.existsSync(path.join(ext.extensionPath, ext.packageJSON.main.replace(/^\.\//, ''))), 'main entry is in the VSIX');
  });

  it('registers every contributed command', async function () {
    ctx.skipIfKnownGap(this, 's1');
    const ext = await ctx.activeExtension();
    const contributed = ext.packageJSON.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 10, `only ${contributed.length} commands contributed`);
    const registered = await ctx.vscode().commands.getCommands(true);
    const missing = contributed.filter((id) => !registered.includes(id));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('reports its state and no logged errors', async function () {
    ctx.skipIfKnownGap(this, 's1');
    await ctx.activeExtension();
    if (!(await ctx.hasCommand('rover._state'))) ctx.skip(this, 'extension does not register rover._state yet');
    const st = await ctx.state();
    assert.strictEqual(typeof st, 'object');
    assert.strictEqual(st.trusted, true);
    assert.strictEqual(st.logErrors, 0, 'Rover log channel holds errors');
  });

  it('writes the "Rover" log channel to disk with no error line', async function () {
    ctx.skipIfKnownGap(this, 's1');
    await ctx.activeExtension();
    // this window's extension host logs under <user-data>/logs/<session>/exthostN/rover-dev.rover/
    const logs = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === 'Rover.log') logs.push({ p, t: fs.statSync(p).mtimeMs });
      }
    };
    walk(path.join(ctx.config().userDataDir, 'logs'));
    assert.ok(logs.length >= 1, 'no Rover.log: the log channel was never written');
    const newest = logs.sort((a, b) => b.t - a.t)[0].p;
    const text = fs.readFileSync(newest, 'utf8');
    assert.match(text, /\[info\] Rover activated/);
    const errors = text.split('\n').filter((l) => /\[error\]/.test(l));
    assert.deepStrictEqual(errors, [], `error lines in ${newest}`);
  });
});
