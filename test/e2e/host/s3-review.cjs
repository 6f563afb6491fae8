// Scenario 3: inline review in the real editor. Accept one hunk, reject another; editor and disk
// match the expected text; one undo reverts exactly the accepted hunk; the user's unsaved edit in
// the same file survives; a hunk whose target text changed since the patch is refused. A deleted
// file is reviewed as a deletion; accepting it deletes the file through a WorkspaceEdit, and Rover
// can restore it.
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

  it('reviews a deleted file as a deletion; accepting deletes it, and it can be restored', async function () {
    ctx.skipIfKnownGap(this, 's3');
    await ctx.requireCommands(this, 'rover._openReview', 'rover.review.acceptHunk', 'rover.review.restoreDeleted', 'rover._state');
    const vscode = ctx.vscode();
    await ctx.resetWorkspace();
    const root = ctx.workspaceDir();
    const rel = 'inventory/storage.py';
    const file = path.join(root, rel);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.replace(/\n$/, '').split('\n');
    // what a fix session proposes when the model writes `DELETE FILE: inventory/storage.py`
    const diff = [`diff --git a/${rel} b/${rel}`, 'deleted file mode 100644', `--- a/${rel}`, '+++ /dev/null', `@@ -1,${lines.length} +0,0 @@`, ...lines.map((l) => `-${l}`), ''].join('\n');

    const opened = await vscode.commands.executeCommand('rover._openReview', { diff });
    assert.ok(opened && opened.ok, `review did not open: ${JSON.stringify(opened)}`);
    const review = (await ctx.state()).reviews.find((r) => path.resolve(r.file) === path.resolve(file));
    assert.ok(review && review.change === 'delete' && review.hunks.length === 1, `review: ${JSON.stringify(review)}`);
    assert.ok(fs.existsSync(file), 'opening the review deletes nothing');
    const lenses = await ctx.waitFor('the deletion CodeLens', async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', vscode.Uri.file(file), 10);
      return (l || []).some((x) => x.command && /delete this file/.test(x.command.title)) ? l : undefined;
    }, 20_000);
    assert.ok(lenses.some((x) => x.command && x.command.command === 'rover.review.rejectHunk'));

    // the user accepts from the file's own editor (its CodeLens), as in the review of any hunk
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), vscode.ViewColumn.One);
    const accepted = await vscode.commands.executeCommand('rover.review.acceptHunk', { file, hunk: review.hunks[0].id });
    assert.ok(accepted && accepted.ok, `accept: ${JSON.stringify(accepted)}`);
    await ctx.waitFor('the file to be deleted', () => !fs.existsSync(file), 10_000);
    assert.strictEqual((await ctx.state()).reviews.find((r) => path.resolve(r.file) === path.resolve(file)).hunks[0].status, 'accepted');

    // VS Code cannot undo a deletion once the file's editor closed (microsoft/vscode#194117): Rover restores it
    const restored = await vscode.commands.executeCommand('rover.review.restoreDeleted', { file });
    assert.ok(restored && restored.ok, `restore: ${JSON.stringify(restored)}`);
    await ctx.waitFor('the file to be restored', () => fs.existsSync(file), 10_000);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), text);
    assert.strictEqual(ctx.git(root, 'status', '--porcelain', '--', rel), '', 'the restored file is the committed one');
    await ctx.resetWorkspace();
  });
});
