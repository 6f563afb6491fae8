// Scenario 3: inline review in the real editor. Accept one hunk, reject another; editor and disk
// match the expected text; one undo reverts exactly the accepted hunk; the user's unsaved edit in
// the same file survives; a hunk whose target text changed since the patch is refused.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const ctx = require('./ctx.cjs');

const CHANGED = 'The file changed since Rover made this patch';

// three hunks far enough apart to stay separate: the fix, a rejected refactor, a cosmetic change
const DIFF = `--- a/inventory/pricing.py
+++ b/inventory/pricing.py
@@ -7,7 +7,7 @@
 
 def bulk_discount(quantity: int, amount: float) -> float:
     """Discount for an order line: orders of BULK_THRESHOLD units or more get BULK_RATE off."""
-    if quantity > BULK_THRESHOLD:
+    if quantity >= BULK_THRESHOLD:
         return round(amount * BULK_RATE, 2)
     return 0.0
 
@@ -24,7 +24,8 @@
 
     def line_total(self, product, quantity: int) -> float:
         amount = product.price_for(quantity)
-        return round(amount - bulk_discount(quantity, amount), 2)
+        discount = bulk_discount(quantity, amount)
+        return round(amount - discount, 2)
 
     def total(self, lines) -> float:
         subtotal = sum(self.line_total(p, q) for p, q in lines)
@@ -35,4 +36,4 @@
 
     @staticmethod
     def describe(rate: float) -> str:
-        return f"{rate * 100:.0f}% off"
+        return f"{rate * 100:.0f}% discount"
`;

const replaceLine = (text, n, from, to) => {
  const lines = text.split('\n');
  assert.ok(lines[n - 1].includes(from), `line ${n} is "${lines[n - 1]}"`);
  lines[n - 1] = lines[n - 1].replace(from, to);
  return lines.join('\n');
};

describe('scenario 3: inline review', function () {
  before(async function () {
    await ctx.activeExtension();
  });

  it('accepts one hunk, rejects another, undoes exactly the accepted one, keeps the user edit, refuses a stale hunk', async function () {
    ctx.skipIfKnownGap(this, 's3');
    await ctx.requireCommands(this, 'rover._openReview', 'rover.review.acceptHunk', 'rover.review.rejectHunk', 'rover._state');
    const vscode = ctx.vscode();
    await ctx.resetWorkspace();
    const root = ctx.workspaceDir();
    const file = path.join(root, 'inventory', 'pricing.py');
    const original = fs.readFileSync(file, 'utf8');

    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const opened = await vscode.commands.executeCommand('rover._openReview', { diff: DIFF });
    assert.ok(opened && opened.ok, `review did not open: ${JSON.stringify(opened)}`);
    const st = await ctx.state();
    const review = st.reviews.find((r) => path.resolve(r.file) === path.resolve(file));
    assert.ok(review, `no review for ${file}: ${JSON.stringify(st.reviews)}`);
    assert.strictEqual(review.hunks.length, 3, JSON.stringify(review.hunks));
    const [h0, h1, h2] = review.hunks.map((h) => h.id);
    // the review shows proposals; it must not have changed the file yet
    assert.strictEqual(doc.getText(), original);

    // an unsaved edit by the user elsewhere in the same file
    await editor.edit((e) => e.replace(new vscode.Range(4, 0, 4, 'TAX_RATE = 0.20'.length), 'TAX_RATE = 0.20  # checked by the user'));
    assert.ok(doc.isDirty);
    let expected = replaceLine(original, 5, 'TAX_RATE = 0.20', 'TAX_RATE = 0.20  # checked by the user');

    const a = await vscode.commands.executeCommand('rover.review.acceptHunk', { file, hunk: h0 });
    assert.ok(a && a.ok, `accept refused: ${JSON.stringify(a)}`);
    const afterAccept = replaceLine(expected, 10, 'quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD');
    assert.strictEqual(doc.getText(), afterAccept, 'editor text after accepting hunk 0');

    const r = await vscode.commands.executeCommand('rover.review.rejectHunk', { file, hunk: h1 });
    assert.ok(r && r.ok, `reject refused: ${JSON.stringify(r)}`);
    assert.strictEqual(doc.getText(), afterAccept, 'rejecting a hunk changes nothing');
    assert.strictEqual(r.remaining, 1);

    // one undo reverts exactly the accepted hunk (the user's edit stays)
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    await ctx.waitFor('undo to apply', () => doc.getText() === expected, 5000).catch(() => {});
    assert.strictEqual(doc.getText(), expected, 'one undo must revert exactly the accepted hunk');
    await vscode.commands.executeCommand('redo');
    await ctx.waitFor('redo to apply', () => doc.getText() === afterAccept, 5000).catch(() => {});
    assert.strictEqual(doc.getText(), afterAccept, 'redo re-applies the hunk');
    expected = afterAccept;

    // the target of hunk 2 changes after the patch was made: accepting it is refused
    const ed2 = await vscode.window.showTextDocument(doc);
    const line38 = doc.lineAt(37);
    await ed2.edit((e) => e.replace(line38.range, '        return f"{rate * 100:.1f}% off"'));
    expected = replaceLine(expected, 38, ':.0f}% off', ':.1f}% off');
    const refused = await vscode.commands.executeCommand('rover.review.acceptHunk', { file, hunk: h2 });
    assert.ok(refused && refused.ok === false, `a stale hunk was applied: ${JSON.stringify(refused)}`);
    assert.ok(String(refused.message).includes(CHANGED), `refusal message: ${refused.message}`);
    assert.strictEqual(doc.getText(), expected, 'the refusal leaves the text alone');

    // saved, the file on disk matches the editor and the expected text
    await doc.save();
    assert.strictEqual(fs.readFileSync(file, 'utf8'), expected);
    assert.strictEqual(doc.getText(), expected);
  });
});
