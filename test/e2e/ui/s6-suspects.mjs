// Scenario 6 (UI half): Localize Fault from a failing test fills the Suspicious Code tree with
// ranked methods and scores, decorates the top lines, and a click on an entry jumps there.
import assert from 'node:assert/strict';
import { runCommand, inputBox, cursorPosition, activeTabTitle } from '../lib/ui.mjs';

export const id = 's6';
export const title = 'scenario 6: Localize Fault — ranked suspects tree, heat map, click jumps to the line';
export const fixture = 'py-inventory';

export async function run({ page, shot }) {
  await runCommand(page, 'Rover: Localize Fault');
  await inputBox(page, 'tests/test_pricing.py::test_bulk_discount_at_threshold', { titleText: 'Localize Fault' });
  const pane = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: /Suspicious Code/i }) }).first();
  const rows = pane.locator('.monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 180_000 });
  const texts = await rows.allInnerTexts();
  await shot('s6-suspects');
  assert.match(texts[0], /bulk_discount/, `top suspect: ${texts[0]}`);
  assert.match(texts.join('\n'), /\d\.\d/, 'scores are shown');
  await rows.first().click();
  await page.waitForFunction(() => document.querySelector('.tab.active .label-name')?.textContent?.trim() === 'pricing.py', null, { timeout: 20_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((e) => /Ln (8|9|10|11|12), Col/.test(e.textContent || '')), null, { timeout: 20_000 });
  assert.equal(await activeTabTitle(page), 'pricing.py');
  const pos = await cursorPosition(page);
  await page.waitForTimeout(500);
  await shot('s6-heat-map');
  // the heat map: decorations in the glyph margin / line backgrounds of the opened editor
  const decorated = await page.locator('.editor-instance .margin-view-overlays > div > div:not(.line-numbers):not(.current-line), .editor-instance .view-overlays > div > div:not(.current-line)').count();
  assert.ok(decorated > 0, `no line decorations in the editor (cursor at ${pos})`);
}
