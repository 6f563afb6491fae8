// Scenario 10 (UI half): what a user sees of Rover's tools in the editor — the extension's Features →
// Language Model Tools page lists every tool from the manifest (the README's screenshot) — and Set
// API Key's "VS Code language model" choice saying plainly that this editor has no chat model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, quickPick, waitForToast } from '../lib/ui.mjs';
import { REPO_ROOT } from '../lib/workspace.mjs';

export const id = 's10';
export const title = 'scenario 10: the extension page lists Rover\'s language-model tools; Set API Key → VS Code language model without a model';
export const fixture = 'py-inventory';

export async function run({ page, shot }) {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const tools = pkg.contributes.languageModelTools;

  await page.locator('.activitybar .action-item a[aria-label^="Extensions"]').first().click();
  const row = page.locator('.extensions-viewlet .monaco-list-row').filter({ hasText: pkg.displayName }).first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  await row.click();
  const editor = page.locator('.extension-editor');
  await editor.waitFor({ state: 'visible', timeout: 60_000 });
  await editor.locator('.navbar .action-label', { hasText: 'Features' }).first().click();
  await editor.locator('.monaco-list-row', { hasText: 'Language Model Tools' }).first().click();
  await editor.getByText(tools.at(-1).name, { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
  // tall enough for all thirteen rows in the README's screenshot
  await page.setViewportSize({ width: 1440, height: 1800 });
  await shot('s10-lm-tools');
  await page.setViewportSize({ width: 1440, height: 900 });
  const text = await editor.innerText();
  const missing = tools.filter((t) => !text.includes(t.name)).map((t) => t.name);
  assert.deepEqual(missing, [], `the Language Model Tools page lacks some of Rover's tools:\n${text.slice(0, 3000)}`);

  await page.keyboard.press('Escape');
  await runCommand(page, 'Rover: Set API Key');
  await quickPick(page, 'VS Code language model');
  const toast = await waitForToast(page, /No VS Code chat model is available/, 60_000);
  assert.match(toast, /settings were not changed/);
}
