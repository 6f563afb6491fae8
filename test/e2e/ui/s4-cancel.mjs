// Scenario 4: Cancel mid-run from the progress notification. The run stops within seconds, the
// user's tree is byte-for-byte unchanged and no Rover worktree is left behind.
import assert from 'node:assert/strict';
import { runCommand, quickPick, inputBox, setKeyViaUi, waitForToast } from '../lib/ui.mjs';
import { slowScript } from '../lib/model-scripts.mjs';
import { treeSnapshot, extraWorktrees } from '../lib/git-state.mjs';

export const id = 's4';
export const title = 'scenario 4: Cancel mid-run — stops within seconds, tree unchanged, no worktree left';
export const fixture = 'py-inventory';

const CANCEL_LIMIT_MS = 10_000;

export async function run({ page, shot, server, workspace }) {
  server.setScript(slowScript());
  const before = await treeSnapshot(workspace);
  await setKeyViaUi(page, 'sk-e2e-test-key');
  const calls0 = server.requests.length;
  await runCommand(page, 'Rover: Fix This Issue');
  await quickPick(page, 'Type or paste the issue');
  await inputBox(page, 'Bulk discount not applied when ordering exactly the threshold quantity.');
  await inputBox(page, '', { titleText: 'optional' });

  // cancel while the run is waiting on the model
  const deadline = Date.now() + 180_000;
  while (server.requests.length === calls0 && Date.now() < deadline) {
    await page.waitForTimeout(250);
  }
  assert.ok(server.requests.length > calls0, 'the run never reached the model');
  const toast = page.locator('.notification-toast').filter({ hasText: /Rover/ }).first();
  const cancel = toast.locator('.monaco-button, a').filter({ hasText: /^Cancel$/ }).first();
  await toast.hover().catch(() => {});
  await cancel.waitFor({ state: 'visible', timeout: 30_000 });
  await shot('s4-running');
  const t = Date.now();
  await cancel.click();
  await waitForToast(page, /Cancelled/i, CANCEL_LIMIT_MS);
  const took = Date.now() - t;
  await shot('s4-cancelled');
  assert.ok(took <= CANCEL_LIMIT_MS, `cancel took ${took} ms`);
  assert.deepEqual(await treeSnapshot(workspace), before, 'the user\'s tree changed');
  // the worktree is removed on the way out; give the cleanup the same few seconds
  let left = await extraWorktrees(workspace);
  for (let i = 0; i < 20 && left.length; i++) { await page.waitForTimeout(250); left = await extraWorktrees(workspace); }
  assert.deepEqual(left, [], 'a Rover worktree was left behind');
}
