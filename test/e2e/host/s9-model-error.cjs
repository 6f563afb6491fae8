// Scenario 9: the model fails mid-run (500, then streams that drop): the run ends with the error
// shown, the user's files untouched; with the model healthy again a retry produces the patch.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const ctx = require('./ctx.cjs');

describe('scenario 9: model error mid-run', function () {
  let server;
  after(async () => { if (server) await server.close(); });

  it('shows the error, touches nothing, and a retry succeeds', async function () {
    ctx.skipIfKnownGap(this, 's9');
    await ctx.activeExtension();
    await ctx.requireCommands(this, 'rover.setApiKey', 'rover.fixIssue', 'rover._state');
    const vscode = ctx.vscode();
    await ctx.resetWorkspace();
    const scripts = await import(require('url').pathToFileURL(require('path').join(__dirname, '..', 'lib', 'model-scripts.mjs')).href);
    server = await ctx.scriptedServer({ script: scripts.brokenScript(), expectedKey: 'sk-e2e-test-key' });
    await ctx.useModelServer(server.url, 'sk-e2e-test-key');
    const root = ctx.workspaceDir();
    const snapshot = ctx.treeSnapshot(root);
    const issueText = 'Bulk discount not applied when ordering exactly the threshold quantity: 10 units of a 2.00 product cost 20.0, expected 18.0.';

    const failed = await vscode.commands.executeCommand('rover.fixIssue', { issueText });
    assert.strictEqual(failed.status, 'error', `run against a failing model: ${JSON.stringify(failed)}`);
    assert.ok(String(failed.error || '').length > 0, 'the error is reported');
    const st = await ctx.state();
    assert.strictEqual(st.lastRun && st.lastRun.status, 'error', 'the run view state shows the error');
    assert.ok(server.requests.some((r) => r.response && r.response.status === 500), 'the 500 was served');
    assert.ok(server.requests.some((r) => r.response && r.response.cut), 'a stream was dropped');
    assert.deepStrictEqual(ctx.treeSnapshot(root), snapshot, 'the user\'s files are untouched');
    assert.deepStrictEqual(ctx.extraWorktrees(root), [], 'no worktree left behind');

    server.setScript(scripts.fixScript());
    const retry = await vscode.commands.executeCommand('rover.fixIssue', { issueText });
    assert.notStrictEqual(retry.status, 'error', `retry: ${JSON.stringify(retry)}`);
    assert.strictEqual(retry.status, 'patched', `retry: ${JSON.stringify(retry)}`);
    assert.match(String(retry.diff), /quantity >= BULK_THRESHOLD/);
    assert.deepStrictEqual(ctx.treeSnapshot(root), snapshot, 'a proposed patch is not written before review');

    // issue text only: the session wrote the oracle itself, and the review offers that test as a file of its own
    assert.strictEqual(retry.oracle && retry.oracle.source, 'reproduction', `oracle: ${JSON.stringify(retry.oracle)}`);
    assert.strictEqual(retry.localization, 'sbfl', 'localized from the reproduction test');
    assert.ok((retry.files || []).includes(scripts.REPRO_FILE), `files under review: ${JSON.stringify(retry.files)}`);
    const reviews = (await ctx.state()).reviews;
    const repro = reviews.find((f) => f.file.endsWith(scripts.REPRO_FILE));
    assert.ok(repro && repro.hunks.length === 1, `review: ${JSON.stringify(reviews)}`);
    const accepted = await vscode.commands.executeCommand('rover.review.acceptHunk', { file: repro.file, hunk: repro.hunks[0].id });
    assert.ok(accepted && accepted.ok !== false, `accept: ${JSON.stringify(accepted)}`);
    const kept = path.join(root, scripts.REPRO_FILE);
    await ctx.waitFor('the kept reproduction test on disk', () => fs.existsSync(kept) && fs.readFileSync(kept, 'utf8').includes('def test_ten_units_get_the_bulk_discount'), 20_000);
    await vscode.commands.executeCommand('rover.review.rejectAll', {});
    assert.ok(fs.readFileSync(path.join(root, 'inventory', 'pricing.py'), 'utf8').includes('quantity > BULK_THRESHOLD'), 'the rejected fix left the code as it was');
  });
});
