// Scenario 8: Set API Key stores the key in SecretStorage, never in settings.json; a run with a
// wrong key against the scripted server ends with a clear authentication error.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const ctx = require('./ctx.cjs');

describe('scenario 8: API keys', function () {
  let server;
  after(async () => { if (server) await server.close(); });

  it('keeps the key out of settings.json and reports a wrong key clearly', async function () {
    ctx.skipIfKnownGap(this, 's8');
    await ctx.activeExtension();
    await ctx.requireCommands(this, 'rover.setApiKey', 'rover.fixIssue', 'rover._state');
    const vscode = ctx.vscode();
    await ctx.resetWorkspace();
    server = await ctx.scriptedServer({ script: [{ text: 'never reached with a wrong key', repeat: true }], expectedKey: 'sk-the-right-key' });
    const wrong = 'sk-e2e-wrong-key-5f1d2c';
    const stored = await ctx.useModelServer(server.url, wrong);
    assert.ok(stored && stored.stored === true && stored.provider === 'anthropic', `setApiKey returned ${JSON.stringify(stored)}`);

    const files = ctx.settingsFiles();
    assert.ok(files.length >= 1, 'no settings.json found under the user data dir');
    for (const f of files) assert.ok(!fs.readFileSync(f, 'utf8').includes(wrong), `the key leaked into ${f}`);
    assert.ok(files.some((f) => fs.readFileSync(f, 'utf8').includes(server.url)), 'rover.baseUrl was written to a settings.json (sanity: the scan looks at the right files)');
    const wsSettings = path.join(ctx.workspaceDir(), '.vscode', 'settings.json');
    if (fs.existsSync(wsSettings)) assert.ok(!fs.readFileSync(wsSettings, 'utf8').includes(wrong), 'the key leaked into the workspace settings');

    const snapshot = ctx.treeSnapshot(ctx.workspaceDir());
    const run = await vscode.commands.executeCommand('rover.fixIssue', { issueText: 'Bulk discount not applied when ordering exactly the threshold quantity' });
    assert.strictEqual(run.status, 'error', `run with a wrong key: ${JSON.stringify(run)}`);
    assert.match(String(run.error), /auth|api key|401|unauthori[sz]ed|invalid.*key/i, `error shown: ${run.error}`);
    assert.ok(!String(run.error).includes(wrong), 'the error message must not echo the key');
    assert.ok(server.requests.length >= 1, 'the run reached the scripted server');
    const presented = server.requests.map((r) => r.headers['x-api-key'] || String(r.headers.authorization || '').replace(/^Bearer /i, ''));
    assert.ok(presented.includes(wrong), `the key from SecretStorage was not sent: ${JSON.stringify(server.requests.map((r) => ({ path: r.path, headers: Object.keys(r.headers) })))}`);
    assert.deepStrictEqual(ctx.treeSnapshot(ctx.workspaceDir()), snapshot, 'the failed run left the files alone');
  });
});
