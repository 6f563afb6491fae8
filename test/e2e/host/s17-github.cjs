// Scenario 17: GitHub issue in, pull request out, in the real editor. The workspace's origin reads as
// https://github.com/acme/inventory.git while pushes land in a local bare repository; the GitHub REST
// stand-in (test/support/github-stand-in.mjs) serves the issue of a PRIVATE repository, so the intake
// needs the injected GitHub session. Fix This Issue from "#7" → the review → accept all → Rover: Open
// Pull Request → the branch on origin holds exactly the accepted change, HEAD is on it, the stand-in
// got a draft pull request that says "Fixes #7", and the token is in no settings file and no request
// to the model. A pull request URL given as the issue is refused.
'use strict';
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');
const ctx = require('./ctx.cjs');

const TOKEN = 'ghp_e2eStandInToken00000000000000000017';
const ORIGIN = 'https://github.com/acme/inventory.git';

describe('scenario 17: GitHub issue in, pull request out', function () {
  let gh;
  let model;
  let holder;

  before(async function () {
    await ctx.activeExtension();
  });

  after(async function () {
    const vscode = ctx.vscode();
    await vscode.commands.executeCommand('rover._useGitHubSession', {}).then(undefined, () => {});
    await vscode.workspace.getConfiguration('rover').update('github.apiUrl', undefined, vscode.ConfigurationTarget.Global).then(undefined, () => {});
    if (gh) await gh.close();
    if (model) await model.close();
    if (holder) fs.rmSync(holder, { recursive: true, force: true });
  });

  it('fixes #7 from the stand-in and opens a draft pull request of exactly the accepted change', async function () {
    ctx.skipIfKnownGap(this, 's17');
    await ctx.requireCommands(this, 'rover.fixIssue', 'rover.openPullRequest', 'rover._useGitHubSession', 'rover._state');
    const vscode = ctx.vscode();
    const root = ctx.workspaceDir();
    await ctx.resetWorkspace();

    // origin: a GitHub URL for Rover, a local bare repository for git
    holder = fs.mkdtempSync(path.join(os.tmpdir(), 'rover-e2e-origin-'));
    const bare = path.join(holder, 'origin.git');
    ctx.git(holder, 'init', '-q', '--bare', '-b', 'main', bare);
    ctx.git(root, 'remote', 'add', 'origin', ORIGIN);
    ctx.git(root, 'config', `url.${bare}.insteadOf`, ORIGIN);
    ctx.git(root, 'config', 'user.name', 'Rover E2E');
    ctx.git(root, 'config', 'user.email', 'e2e@rover.invalid');
    ctx.git(root, 'push', '-q', '-u', 'origin', 'main');

    const standIn = await import(pathToFileURL(path.join(path.dirname(ctx.config().scriptedServerModule), 'github-stand-in.mjs')).href);
    gh = await standIn.startGitHubStandIn({
      tokens: [TOKEN],
      repos: {
        'acme/inventory': {
          private: true,
          issues: {
            7: {
              title: 'Bulk discount not applied at exactly 10 units',
              body: 'Ordering exactly 10 units of a 2.00 product costs 20.0 instead of 18.0: the bulk discount starts one unit late.\n\n![cart](https://user-images.githubusercontent.com/1/cart.png)',
              labels: ['bug'],
              comments: [{ author: 'maintainer', body: 'Confirmed: the threshold comparison is off by one.' }, { author: 'github-actions[bot]', body: 'This issue is stale.' }],
            },
          },
        },
      },
    });
    const scripts = await import(pathToFileURL(path.join(__dirname, '..', 'lib', 'model-scripts.mjs')).href);
    model = await ctx.scriptedServer({ script: scripts.fixScript() });
    await ctx.useModelServer(model.url);
    await vscode.workspace.getConfiguration('rover').update('github.apiUrl', gh.url, vscode.ConfigurationTarget.Global);

    // a pull request is not an issue: refused before any request
    const pr = await vscode.commands.executeCommand('rover.fixIssue', { issueRef: 'https://github.com/acme/inventory/pull/3' });
    assert.strictEqual(pr.ok, false);
    assert.strictEqual(pr.reason, 'bad-input');
    assert.match(pr.message, /is a pull request, not an issue/);
    // a private repository without a session: the message says to sign in
    const noSession = await vscode.commands.executeCommand('rover.fixIssue', { issueRef: '#7' });
    assert.strictEqual(noSession.ok, false, JSON.stringify(noSession));
    assert.match(noSession.message, /repository is private and no token was given: sign in to GitHub/);

    const injected = await vscode.commands.executeCommand('rover._useGitHubSession', { accessToken: TOKEN, account: 'e2e-user' });
    assert.ok(injected.ok);
    const run = await vscode.commands.executeCommand('rover.fixIssue', { issueRef: '#7', failingTest: 'tests/test_pricing.py::test_bulk_discount_at_threshold', useLastRunFailures: false });
    assert.ok(run.ok, `the run failed: ${JSON.stringify(run).slice(0, 1500)}`);
    assert.strictEqual(run.status, 'patched');
    assert.ok(run.reviewOpened);
    const issueReqs = gh.requests.filter((q) => q.path.startsWith('/repos/acme/inventory/issues/7'));
    assert.ok(issueReqs.some((q) => q.authorization === `token ${TOKEN}`), JSON.stringify(issueReqs));
    const sent = JSON.stringify(model.requests);
    assert.ok(sent.includes('the bulk discount starts one unit late'), 'the issue body reached the model');
    assert.ok(sent.includes('Confirmed: the threshold comparison is off by one.'), 'the comment reached the model');
    assert.ok(!sent.includes('This issue is stale.'), 'the bot comment was left out');
    assert.ok(!sent.includes(TOKEN), 'the token never reaches the model');

    let st = (await ctx.state());
    assert.strictEqual(st.github.issue.title, 'Bulk discount not applied at exactly 10 units');
    const accepted = await vscode.commands.executeCommand('rover.review.acceptAll', {});
    assert.ok(accepted.ok, JSON.stringify(accepted));
    assert.strictEqual(accepted.remaining, 0);

    const opened = await vscode.commands.executeCommand('rover.openPullRequest', {});
    assert.ok(opened.ok, `Open Pull Request failed: ${JSON.stringify(opened)}`);
    assert.strictEqual(opened.branch, 'rover/issue-7-bulk-discount-not-applied-at-exactly-10');
    assert.strictEqual(opened.draft, true);
    assert.strictEqual(ctx.git(bare, 'rev-parse', `refs/heads/${opened.branch}`).trim(), opened.commit);
    assert.deepStrictEqual(ctx.git(root, 'diff', '--name-only', 'main', opened.branch).trim().split('\n'), ['inventory/pricing.py']);
    assert.match(ctx.git(root, 'diff', 'main', opened.branch), /^\+    if quantity >= BULK_THRESHOLD:$/m);
    assert.strictEqual(ctx.git(root, 'symbolic-ref', '--short', 'HEAD').trim(), opened.branch);
    assert.strictEqual(ctx.git(root, 'status', '--porcelain', '--untracked-files=no'), '');
    const req = gh.pulls.at(-1).request;
    assert.strictEqual(req.draft, true);
    assert.strictEqual(req.head, opened.branch);
    assert.strictEqual(req.base, 'main');
    assert.match(req.body, /`inventory\/pricing\.py` lines \d+–\d+ \(`bulk_discount`\)/);
    assert.match(req.body, /1 of 1 proposed hunk\(s\) accepted/);
    assert.match(req.body, /\nFixes #7\n$/);
    st = await ctx.state();
    assert.strictEqual(st.github.lastPullRequest.number, opened.number);
    for (const f of [...ctx.settingsFiles(), path.join(root, '.git', 'config')]) {
      assert.ok(!fs.readFileSync(f, 'utf8').includes(TOKEN), `the token is in ${f}`);
    }
  });
});
