// Scenario 10: Rover's tools for the editor's chat agents, in the real extension host: the
// language-model tools are registered from the manifest, vscode.lm.invokeTool runs a search and a
// validate_patch (VS Code confirms by itself under extensionTestsPath: its dialog service shows none in tests), bad
// input is a tool error, and with no chat model in the editor the vscode-lm provider says so (in
// Set API Key and in Fix This Issue).
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const ctx = require('./ctx.cjs');

const NAMES = ['search_class', 'search_class_in_file', 'search_method', 'search_method_in_class', 'search_method_in_file', 'search_code',
  'search_code_in_file', 'get_code_around_line', 'find_references', 'localize', 'validate_patch', 'run_tests', 'reproduce_check'];

const textOf = (result) => result.content.map((p) => p.value ?? '').join('\n');

function fixDiff(root) {
  const file = path.join(root, 'inventory', 'pricing.py');
  const orig = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, orig.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
  try {
    return ctx.git(root, 'diff', '--', 'inventory/pricing.py');
  } finally {
    fs.writeFileSync(file, orig);
  }
}

/** The no-model answers can only be seen in an editor without chat models (code-server has none). */
async function needNoChatModel(mochaCtx, command) {
  ctx.skipIfKnownGap(mochaCtx, 's10');
  await ctx.requireCommands(mochaCtx, command);
  const vscode = ctx.vscode();
  const models = typeof vscode.lm?.selectChatModels === 'function' ? await vscode.lm.selectChatModels() : [];
  if (models.length) ctx.skip(mochaCtx, `this editor has chat models (${models.map((m) => m.id).join(', ')}); the no-model answer cannot be shown`);
}

describe('scenario 10: language-model tools and the vscode-lm provider', function () {
  it('registers Rover\'s tools with vscode.lm, each with its input schema', async function () {
    ctx.skipIfKnownGap(this, 's10');
    await ctx.activeExtension();
    const vscode = ctx.vscode();
    if (typeof vscode.lm?.invokeTool !== 'function') ctx.skip(this, 'this editor has no vscode.lm tools API');
    const mine = await ctx.waitFor('Rover\'s tools in vscode.lm.tools', () => {
      const t = vscode.lm.tools.filter((x) => x.name.startsWith('rover_'));
      return t.length === NAMES.length && t;
    });
    assert.deepStrictEqual(mine.map((t) => t.name).sort(), NAMES.map((n) => `rover_${n}`).sort());
    for (const t of mine) assert.strictEqual(t.inputSchema && t.inputSchema.type, 'object', `${t.name} has a JSON Schema`);
    assert.deepStrictEqual(mine.find((t) => t.name === 'rover_validate_patch').inputSchema.required, ['patch']);
  });

  it('invokeTool runs a search on the index', async function () {
    ctx.skipIfKnownGap(this, 's10');
    const vscode = ctx.vscode();
    const r = await vscode.lm.invokeTool('rover_search_method_in_class', { input: { method_name: 'total', class_name: 'Cart' }, toolInvocationToken: undefined });
    const text = textOf(r);
    assert.match(text, /def total/, text);
    assert.match(text, /inventory\/cart\.py/, text);
  });

  it('invokeTool runs validate_patch in a checkout, the tree untouched', async function () {
    ctx.skipIfKnownGap(this, 's10');
    const vscode = ctx.vscode();
    await ctx.resetWorkspace();
    const root = ctx.workspaceDir();
    const patch = fixDiff(root);
    const snapshot = ctx.treeSnapshot(root);
    const r = await vscode.lm.invokeTool('rover_validate_patch', {
      input: { patch, tests: ['tests/test_pricing.py::test_bulk_discount_at_threshold'] }, toolInvocationToken: undefined,
    });
    const text = textOf(r);
    assert.match(text, /^verdict: resolved/, text);
    assert.match(text, /fail→pass \(1\): tests\/test_pricing\.py::test_bulk_discount_at_threshold/, text);
    assert.deepStrictEqual(ctx.treeSnapshot(root), snapshot, 'the user\'s files are untouched');
    assert.deepStrictEqual(ctx.extraWorktrees(root), [], 'no worktree left behind');
  });

  it('a patch reaching outside the repository is a tool error, nothing run', async function () {
    ctx.skipIfKnownGap(this, 's10');
    const vscode = ctx.vscode();
    const root = ctx.workspaceDir();
    const snapshot = ctx.treeSnapshot(root);
    const patch = '--- a/../outside.py\n+++ b/../outside.py\n@@ -1 +1 @@\n-a\n+b\n';
    await assert.rejects(
      () => vscode.lm.invokeTool('rover_validate_patch', { input: { patch }, toolInvocationToken: undefined }),
      (e) => /outside the repository/.test(String(e && e.message)),
    );
    await assert.rejects(() => vscode.lm.invokeTool('rover_search_class', { input: {}, toolInvocationToken: undefined }), (e) => /class_name/.test(String(e && e.message)));
    assert.deepStrictEqual(ctx.treeSnapshot(root), snapshot);
  });

  it('Set API Key offers vscode-lm; with no chat model it says so and changes no setting', async function () {
    await needNoChatModel(this, 'rover.setApiKey');
    const vscode = ctx.vscode();
    const cfg = () => vscode.workspace.getConfiguration('rover');
    const before = { provider: cfg().inspect('provider').globalValue, model: cfg().inspect('model').globalValue };
    const r = await vscode.commands.executeCommand('rover.setApiKey', { provider: 'vscode-lm' });
    assert.strictEqual(r.ok, false, JSON.stringify(r));
    assert.match(String(r.message), /No VS Code chat model is available/);
    assert.match(String(r.message), /settings were not changed/);
    const named = await vscode.commands.executeCommand('rover.setApiKey', { provider: 'vscode-lm', model: 'gpt-4o' });
    assert.strictEqual(named.ok, false, JSON.stringify(named));
    assert.deepStrictEqual({ provider: cfg().inspect('provider').globalValue, model: cfg().inspect('model').globalValue }, before);
    const keyed = await vscode.commands.executeCommand('rover.setApiKey', { provider: 'vscode-lm', key: 'sk-not-for-vscode-lm' });
    assert.strictEqual(keyed.reason, 'bad-input', JSON.stringify(keyed));
    assert.match(String(keyed.message), /takes no key or base URL/);
    const bad = await vscode.commands.executeCommand('rover.setApiKey', { provider: 'gemini' });
    assert.strictEqual(bad.reason, 'bad-input', JSON.stringify(bad));
    assert.match(String(bad.message), /"vscode-lm"/);
  });

  it('vscode-lm without a chat model: Fix This Issue says so and names Set API Key', async function () {
    await needNoChatModel(this, 'rover.fixIssue');
    const vscode = ctx.vscode();
    const cfg = () => vscode.workspace.getConfiguration('rover');
    await cfg().update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
    try {
      const root = ctx.workspaceDir();
      const snapshot = ctx.treeSnapshot(root);
      const r = await vscode.commands.executeCommand('rover.fixIssue', { issueText: 'Bulk discount not applied at exactly 10 units.' });
      assert.strictEqual(r.status, 'error', JSON.stringify(r));
      assert.match(String(r.error), /No VS Code chat model is available/);
      assert.match(String(r.error), /Set API Key/);
      assert.deepStrictEqual(ctx.treeSnapshot(root), snapshot);
    } finally {
      await cfg().update('provider', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
