// Scenario 7 (extension-host half): in an untrusted workspace search works, and nothing that runs
// tests or commands does: each such command refuses with the reason, and no child process starts.
'use strict';
const assert = require('assert');
const ctx = require('./ctx.cjs');

const UNTRUSTED = 'Rover runs no tests or commands in an untrusted workspace';

describe('scenario 7: workspace trust', function () {
  it('searches but spawns nothing in an untrusted workspace', async function () {
    ctx.skipIfKnownGap(this, 's7');
    const vscode = ctx.vscode();
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the harness opened this folder untrusted');
    await ctx.activeExtension();
    await ctx.requireCommands(this, 'rover._state', 'rover.searchCode', 'rover.fixIssue', 'rover.localizeFault', 'rover.validateChanges', 'rover.toggleTestOnSave');
    const st0 = await ctx.state();
    assert.strictEqual(st0.trusted, false);
    const spawned0 = st0.childProcesses;

    const found = await vscode.commands.executeCommand('rover.searchCode', { api: 'search_class', args: { class_name: 'PriceCalculator' } });
    assert.ok(JSON.stringify(found).includes('pricing.py'), `search in an untrusted workspace: ${JSON.stringify(found).slice(0, 500)}`);

    const attempts = {
      fixIssue: await vscode.commands.executeCommand('rover.fixIssue', { issueText: 'Bulk discount not applied at exactly 10 units' }),
      localizeFault: await vscode.commands.executeCommand('rover.localizeFault', { test: 'tests/test_pricing.py::test_bulk_discount_at_threshold' }),
      validateChanges: await vscode.commands.executeCommand('rover.validateChanges', {}),
    };
    for (const [name, r] of Object.entries(attempts)) {
      assert.ok(r && r.ok === false && r.reason === 'untrusted', `${name} in an untrusted workspace returned ${JSON.stringify(r)}`);
      assert.ok(String(r.message ?? UNTRUSTED).includes(UNTRUSTED), `${name} says why: ${r.message}`);
    }
    const tos = await vscode.commands.executeCommand('rover.toggleTestOnSave', { enabled: true });
    // test-on-save may remember the wish, but a save must not start a run
    const doc = await vscode.workspace.openTextDocument(require('path').join(ctx.workspaceDir(), 'inventory', 'pricing.py'));
    const ed = await vscode.window.showTextDocument(doc);
    await ed.edit((e) => e.insert(new vscode.Position(0, 0), '# edited\n'));
    await doc.save();
    await new Promise((r) => setTimeout(r, 3000)); // longer than the save debounce: a run would have started
    const st1 = await ctx.state();
    assert.strictEqual(st1.childProcesses, spawned0, `Rover spawned ${st1.childProcesses - spawned0} process(es) in an untrusted workspace (toggle: ${JSON.stringify(tos)})`);
    await ctx.resetWorkspace();
  });
});
