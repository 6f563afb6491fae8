// Scenario 1 (UI half): every Rover command a user can run is in the palette, and "Rover: Show Log"
// opens the "Rover" log channel with no error lines in it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paletteRows, runCommand } from '../lib/ui.mjs';
import { REPO_ROOT } from '../lib/workspace.mjs';

export const id = 's1';
export const title = 'scenario 1: palette lists every Rover command; Rover log channel without errors';
export const fixture = 'py-inventory';

export async function run({ page, shot }) {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const contextual = new Set((pkg.contributes.menus?.commandPalette ?? []).map((m) => m.command));
  const expected = pkg.contributes.commands
    .filter((c) => !contextual.has(c.command))
    .map((c) => `${c.category}: ${c.title}`);
  const rows = await paletteRows(page, 'Rover:', { expect: expected.length });
  await shot('s1-palette');
  const missing = expected.filter((t) => !rows.some((r) => r.startsWith(t)));
  assert.deepEqual(missing, [], `palette rows: ${JSON.stringify(rows)}`);
  assert.ok(!rows.some((r) => r.includes('Internal State')), 'rover._state must stay hidden from the palette');
  await page.keyboard.press('Escape');

  await runCommand(page, 'Rover: Show Log');
  const panel = page.locator('.part.panel');
  await panel.waitFor({ state: 'visible', timeout: 20_000 });
  // the output view's channel picker shows the selected channel
  await page.waitForFunction(() => [...document.querySelectorAll('.part.panel select')]
    .some((s) => s.options[s.selectedIndex]?.text.includes('Rover')), null, { timeout: 20_000 });
  const text = await panel.locator('.view-lines').first().innerText().catch(() => '');
  await shot('s1-log');
  assert.ok(!/\[error\]/i.test(text), `Rover log shows errors:\n${text.slice(0, 2000)}`);
}
