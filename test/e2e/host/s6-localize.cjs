// Scenario 6 (extension-host half): Localize Fault from a failing test ranks bulk_discount first.
'use strict';
const assert = require('assert');
const ctx = require('./ctx.cjs');

describe('scenario 6: localize fault', function () {
  it('ranks the faulty method first from the failing test, with scores', async function () {
    ctx.skipIfKnownGap(this, 's6');
    await ctx.activeExtension();
    await ctx.requireCommands(this, 'rover.localizeFault');
    await ctx.resetWorkspace();
    const res = await ctx.vscode().commands.executeCommand('rover.localizeFault', { test: 'tests/test_pricing.py::test_bulk_discount_at_threshold' });
    assert.ok(res && Array.isArray(res.entries), `localizeFault returned ${JSON.stringify(res)}`);
    assert.ok(res.entries.length >= 1, 'no ranked entries');
    const top = res.entries[0];
    assert.match(top.file.replace(/\\/g, '/'), /inventory\/pricing\.py$/);
    assert.match(String(top.symbol), /bulk_discount/);
    assert.ok(top.line >= 8 && top.line <= 12, `top line ${top.line}`);
    for (let i = 1; i < res.entries.length; i++) assert.ok(res.entries[i - 1].score >= res.entries[i].score, 'entries are ranked by score');
    const st = await ctx.state();
    assert.ok(st.lastLocalize, 'the state remembers the last localization (for the tree view)');
  });
});
