// Scenario 2: Fix This Issue from the palette, as a user with only the text (no failing test):
// the scripted model writes a reproduction test, SBFL localizes from it, the model searches, reports a
// location and patches; the live run view shows the reproduction test with its failure, the suspects,
// stages with file:line links (a click opens the file at that line) and the candidate's verdict; the
// progress ends; the diff review opens.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { runCommand, quickPick, inputBox, setKeyViaUi, runView, cursorPosition, activeTabTitle, waitForRunProgress } from '../lib/ui.mjs';
import { fixScript } from '../lib/model-scripts.mjs';
import { treeSnapshot } from '../lib/git-state.mjs';

export const id = 's2';
export const title = 'scenario 2: Fix This Issue from the palette — run view, links, diff review';
export const fixture = 'py-inventory';
export const needsModel = true;

export async function run({ page, shot, server, workspace }) {
  server.setScript(fixScript());
  const before = await treeSnapshot(workspace);
  await setKeyViaUi(page, 'sk-e2e-test-key');
  await runCommand(page, 'Rover: Fix This Issue');
  await quickPick(page, 'Type or paste the issue');
  await inputBox(page, 'Bulk discount not applied when ordering exactly the threshold quantity: 10 units of a 2.00 product cost 20.0 instead of 18.0.');
  await inputBox(page, '', { titleText: 'optional' });

  const view = runView(page);
  const link = view.locator('.loc-link[data-file][data-line]').first();
  const status = view.locator('#run-status');
  await waitForRunProgress(page, view.locator('#run-status:not(.running), .loc-link[data-file][data-line]').first(), 180_000);
  await shot('s2-run-view');
  // the run ends (the progress notification goes away), then the review opens a diff editor
  const deadline = Date.now() + 300_000;
  let st = await status.innerText().catch(() => '');
  while (st === 'running' && Date.now() < deadline) {
    await page.waitForTimeout(500);
    st = await status.innerText().catch(() => 'running');
  }
  if (st !== 'done') {
    await shot('s2-run-view-end');
    throw new Error(`the run ended "${st}" instead of done:\n${(await view.locator('body').innerText()).slice(0, 1500)}`);
  }
  assert.ok(await link.count() > 0, 'the run view shows file:line links');
  // issue text only: the run wrote a reproduction test, localized from it, and says so
  assert.match(await view.locator('#oracle').innerText(), /reproduction test Rover wrote/);
  assert.match(await view.locator('#reproduction-test').innerText(), /bulk_discount\(10, 20\.0\)/);
  assert.match(await view.locator('#reproduction-failure').innerText(), /assert|Error/);
  assert.match(await view.locator('ol.suspects').innerText(), /bulk_discount/);
  assert.match(await view.locator('.candidate.chosen').innerText(), /verdict: resolved/);
  await page.locator('.notification-toast').filter({ hasText: /Rover/ }).locator('.monaco-progress-container.active')
    .waitFor({ state: 'detached', timeout: 60_000 });
  const diff = page.locator('.monaco-diff-editor').first();
  await diff.waitFor({ state: 'visible', timeout: 60_000 });
  await shot('s2-diff-review');
  // side by side or inline (narrow window), the proposed line is rendered in the diff editor
  const shown = (await diff.locator('.view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
  assert.match(shown, /quantity >= BULK_THRESHOLD/, `the diff review shows the proposed change:\n${shown.slice(0, 800)}`);
  assert.ok(server.requests.length >= 2, `the model was called ${server.requests.length} time(s)`);
  assert.deepEqual(await treeSnapshot(workspace), before, 'nothing is written before the user accepts');

  // a file:line link opens the file at that line
  await runCommand(page, 'Rover: Show Run View');
  const again = runView(page).locator('.loc-link[data-file][data-line]').first();
  await again.waitFor({ state: 'visible', timeout: 30_000 });
  const file = await again.getAttribute('data-file');
  const line = Number(await again.getAttribute('data-line'));
  await again.click();
  await page.waitForFunction(([name]) => document.querySelector('.tab.active .label-name')?.textContent?.trim() === name, [basename(file)], { timeout: 20_000 });
  await page.waitForFunction((ln) => [...document.querySelectorAll('.statusbar-item')].some((e) => new RegExp(`Ln ${ln}, Col`).test(e.textContent || '')), line, { timeout: 20_000 });
  assert.equal(await activeTabTitle(page), basename(file));
  assert.match(await cursorPosition(page), new RegExp(`Ln ${line},`));
  await shot('s2-open-location');
}
