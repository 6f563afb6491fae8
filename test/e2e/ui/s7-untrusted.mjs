// Scenario 7 (UI half): in Restricted Mode a command that would run tests says why it does not.
import assert from 'node:assert/strict';
import { runCommand, waitForToast } from '../lib/ui.mjs';

export const id = 's7';
export const title = 'scenario 7: untrusted workspace — the UI says why nothing runs';
export const fixture = 'py-inventory';
export const trustEnabled = true;

export async function run({ page, shot }) {
  await page.locator('.statusbar-item', { hasText: /Restricted Mode/i }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await runCommand(page, 'Rover: Validate Current Changes');
  const text = await waitForToast(page, /untrusted workspace/i, 30_000);
  await shot('s7-untrusted');
  assert.match(text, /Rover runs no tests or commands in an untrusted workspace/);
}
