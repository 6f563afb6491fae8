// Scenario 17 (UI): Fix This Issue from "#7" typed into the palette's input box, against the GitHub
// REST stand-in (a public repository: no sign-in needed to read it). The run view is titled with the
// issue and offers Open Pull Request; accepting the review offers a draft pull request for the issue.
// Its screenshots are the README's. (The hand-off itself is checked in the extension host, s17-github.cjs.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, quickPick, inputBox, setKeyViaUi, runView, waitForToast, openWorkbench } from '../lib/ui.mjs';
import { fixScript } from '../lib/model-scripts.mjs';
import { startGitHubStandIn } from '../../support/github-stand-in.mjs';

export const id = 's17';
export const title = 'scenario 17: Fix This Issue from a GitHub #N — run view, review, pull request offered';
export const fixture = 'py-inventory';
export const needsModel = true;

const ORIGIN = 'https://github.com/acme/inventory.git';

export async function run({ page, shot, server, workspace, codeServer }) {
  const gh = await startGitHubStandIn({
    repos: {
      'acme/inventory': {
        issues: {
          7: {
            title: 'Bulk discount not applied at exactly 10 units',
            body: 'Ordering exactly 10 units of a 2.00 product costs 20.0 instead of 18.0: the bulk discount starts one unit late.',
            labels: ['bug', 'pricing'],
            comments: [{ author: 'maintainer', body: 'Confirmed: the threshold comparison is off by one.' }],
          },
        },
      },
    },
  });
  const holder = mkdtempSync(join(tmpdir(), 'rover-e2e-origin-'));
  try {
    const bare = join(holder, 'origin.git');
    const git = (cwd, ...a) => execFileSync('git', a, { cwd, encoding: 'utf8' });
    git(holder, 'init', '-q', '--bare', '-b', 'main', bare);
    git(workspace, 'remote', 'add', 'origin', ORIGIN);
    git(workspace, 'config', `url.${bare}.insteadOf`, ORIGIN);
    git(workspace, 'push', '-q', '-u', 'origin', 'main');
    const settings = join(codeServer.userData, 'User', 'settings.json');
    mkdirSync(join(codeServer.userData, 'User'), { recursive: true });
    let cur = {};
    try { cur = JSON.parse(readFileSync(settings, 'utf8')); } catch { /* written below */ }
    writeFileSync(settings, JSON.stringify({ ...cur, 'rover.github.apiUrl': gh.url }, null, 2));
    // the window was open before the setting was written: reload it so the extension host reads it
    await openWorkbench(page, page.url());

    server.setScript(fixScript());
    await setKeyViaUi(page, 'sk-e2e-test-key');
    await runCommand(page, 'Rover: Fix This Issue');
    await quickPick(page, 'Type or paste the issue');
    await inputBox(page, '#7');
    // the issue is fetched before the next prompt; a refusal would come as a notification instead
    const next = page.locator('.quick-input-widget').filter({ hasText: 'optional' });
    const refusal = page.locator('.notification-toast').filter({ hasText: /GitHub|issue|sign in/i }).first();
    await Promise.race([next.waitFor({ state: 'visible', timeout: 90_000 }), refusal.waitFor({ state: "visible", timeout: 90_000 })]);
    if (!(await next.isVisible())) throw new Error(`Fix This Issue stopped at the GitHub intake: ${await refusal.innerText()}`);
    await inputBox(page, '', { titleText: 'optional' });

    // the run ends with the review of its patch (two files: the fix and the reproduction test)
    await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 300_000 });
    await runCommand(page, 'Rover: Show Run View');
    const view = runView(page);
    const status = view.locator('#run-status');
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await status.innerText(), 'done', (await view.locator('body').innerText()).slice(0, 1500));
    assert.match(await view.locator('h1').innerText(), /Bulk discount not applied at exactly 10 units/);
    const openPr = view.locator('#open-pr');
    await openPr.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await openPr.innerText(), /Open Pull Request \(acme\/inventory#7\)/);
    assert.ok(gh.requests.some((q) => q.path === '/repos/acme/inventory/issues/7'), 'the issue was fetched from the stand-in');
    assert.ok(JSON.stringify(server.requests).includes('the bulk discount starts one unit late'), 'the issue text reached the model');
    await shot('s17-run-view-github-issue');

    await runCommand(page, 'Rover: Accept All Changes');
    const toast = await waitForToast(page, /Open a draft pull request that fixes acme\/inventory#7/, 60_000);
    assert.match(toast, /\d+ hunk\(s\) accepted/);
    await shot('s17-pull-request-offered');
  } finally {
    await gh.close();
    rmSync(holder, { recursive: true, force: true });
  }
}
