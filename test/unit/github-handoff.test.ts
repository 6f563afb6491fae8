// The hand-off against the stand-in and a local bare repository as origin: the branch from HEAD, one
// commit of exactly the accepted hunks (plus the kept reproduction test), the user's other uncommitted
// changes left as they were, the push, the draft pull request's request body; and every fault
// (dirty index, detached HEAD, existing branch, refused push, refused pull request).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.mjs';
import { makeGitHubFixture, type GitHubFixture } from '../support/github-repo';
import { clientFor, handOff, HandOffError, pushRefusal, selectHunks, type FixFacts, type IssueFacts } from '../../src/core/github';

const TOKEN = 'ghp_handOffToken0000000000000000000002';
const HINT = 'set GITHUB_TOKEN or GH_TOKEN';
const issue: IssueFacts = { ref: { host: 'github.com', owner: 'acme', repo: 'inventory', number: 7 }, title: 'Bulk discount not applied at exactly 10 units', url: 'https://github.com/acme/inventory/issues/7' };
const facts: FixFacts = {
  locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', startLine: 8, endLine: 12, intendedBehavior: 'orders of exactly BULK_THRESHOLD units get the discount too', resolvedBy: 'exact' }],
  failToPass: ['tests/test_rover_issue_7.py::test_discount_at_threshold'],
  regressionTests: ['tests/test_pricing.py::test_no_discount_below_threshold', 'tests/test_cart.py::test_total'],
  validated: true,
  reason: 'the only candidate that passes the reproduction test without breaking a passing test',
  costUsd: 0.0123,
  reproductionTest: 'tests/test_rover_issue_7.py',
  hunks: { accepted: 2, proposed: 3 },
};

let gh: GitHubStandIn;
let fx: GitHubFixture;

beforeAll(async () => {
  gh = await startGitHubStandIn({ tokens: [TOKEN], repos: { 'acme/inventory': { issues: { 7: { title: issue.title, body: 'x' } } } } });
});
afterAll(() => gh?.close());
beforeEach(async () => {
  fx = await makeGitHubFixture('py-inventory');
}, 60_000);
afterEach(() => fx?.cleanup());

/** The fix: two hunks in pricing.py (the fix and a docstring tweak), one in cart.py, plus a new test file. */
function proposedDiff(dir: string, git: GitHubFixture['git']): string {
  const pricing = join(dir, 'inventory/pricing.py');
  const cart = join(dir, 'inventory/cart.py');
  const p0 = readFileSync(pricing, 'utf8');
  const c0 = readFileSync(cart, 'utf8');
  writeFileSync(pricing, p0.replace('if quantity > BULK_THRESHOLD:', 'if quantity >= BULK_THRESHOLD:').replace('def describe(rate: float) -> str:', 'def describe(rate: float) -> str:  # e.g. "10% off"'));
  writeFileSync(cart, `# cart\n${c0}`);
  writeFileSync(join(dir, 'tests/test_rover_issue_7.py'), 'from inventory.pricing import bulk_discount\n\n\ndef test_discount_at_threshold():\n    assert bulk_discount(10, 20.0) == 2.0\n');
  git('add', '-N', 'tests/test_rover_issue_7.py');
  const diff = git('diff');
  git('reset', '-q');
  git('checkout', '--', '.');
  git('clean', '-fdq');
  return diff;
}

const run = (diff: string, extra: Partial<Parameters<typeof handOff>[0]> = {}) =>
  handOff({ repo: fx.dir, issue, diff, facts, client: clientFor(issue.ref, { token: TOKEN, apiUrl: gh.url }), authHint: HINT, token: TOKEN, ...extra });

describe('hand-off', () => {
  it('commits exactly the accepted hunks on rover/issue-N-<slug>, keeps the other changes uncommitted, pushes, opens a draft PR', async () => {
    const full = proposedDiff(fx.dir, fx.git);
    // the user accepted the fix hunk of pricing.py and the reproduction test, rejected the docstring and cart.py hunks
    const accepted = selectHunks(full, (f, h) => (f === 'inventory/pricing.py' && h === 0) || f === 'tests/test_rover_issue_7.py');
    expect(accepted).not.toContain('# cart');
    expect(accepted).not.toContain('e.g. "10% off"');
    // the editor's state after the review: accepted hunks in the working tree, plus an unrelated edit of the user's
    writeFileSync(join(fx.dir, '.git', 'accepted.diff'), accepted);
    fx.git('apply', '.git/accepted.diff');
    writeFileSync(join(fx.dir, 'README.md'), 'my own notes, not for this PR\n', { flag: 'a' });
    const acceptedInTree = readFileSync(join(fx.dir, 'inventory/pricing.py'), 'utf8');
    expect(acceptedInTree).toContain('if quantity >= BULK_THRESHOLD:');
    expect(acceptedInTree).not.toContain('e.g. "10% off"');
    const head0 = fx.git('rev-parse', 'HEAD').trim();

    const r = await run(accepted, { checkout: true });
    expect(r.branch).toBe('rover/issue-7-bulk-discount-not-applied-at-exactly-10');
    expect(r.base).toBe('main');
    expect(r.pr).toEqual({ number: expect.any(Number), url: expect.stringMatching(/\/acme\/inventory\/pull\/\d+$/), draft: true });
    // the commit: parent HEAD, exactly the accepted hunks and the reproduction test
    expect(fx.git('rev-parse', `${r.commit}^`).trim()).toBe(head0);
    expect(fx.git('diff', '--name-only', head0, r.commit).trim().split('\n').sort()).toEqual(['inventory/pricing.py', 'tests/test_rover_issue_7.py']);
    expect(fx.git('diff', head0, r.commit, '--', 'inventory/pricing.py')).toMatch(/^-    if quantity > BULK_THRESHOLD:\n\+    if quantity >= BULK_THRESHOLD:$/m);
    expect(fx.git('show', '-s', '--format=%B', r.commit)).toMatch(/^Fix #7: Bulk discount not applied at exactly 10 units\n\n- inventory\/pricing\.py \(bulk_discount\): orders of exactly BULK_THRESHOLD units get the discount too\n\nFixes #7\nIssue: https:\/\/github\.com\/acme\/inventory\/issues\/7/);
    // HEAD moved to the branch; the files on disk are as they were; only the user's own edit is uncommitted
    expect(fx.git('symbolic-ref', '--short', 'HEAD').trim()).toBe(r.branch);
    expect(readFileSync(join(fx.dir, 'inventory/pricing.py'), 'utf8')).toBe(acceptedInTree);
    expect(fx.git('status', '--porcelain').trim()).toBe('M README.md');
    // pushed to origin (the bare repository), with upstream set
    expect(fx.bareGit('rev-parse', `refs/heads/${r.branch}`).trim()).toBe(r.commit);
    expect(fx.git('rev-parse', '--abbrev-ref', `${r.branch}@{upstream}`).trim()).toBe(`origin/${r.branch}`);
    // the draft pull request's request
    const pr = gh.pulls.at(-1)!;
    expect(pr.request).toMatchObject({ head: r.branch, base: 'main', draft: true, title: 'Fix #7: Bulk discount not applied at exactly 10 units' });
    const body: string = pr.request.body;
    expect(body).toContain('`inventory/pricing.py` lines 8–12 (`bulk_discount`): orders of exactly BULK_THRESHOLD units get the discount too');
    expect(body).toContain('Files: `inventory/pricing.py` (+1 −1), `tests/test_rover_issue_7.py` (+5 −0)');
    expect(body).toContain('Now pass (failed before the change): `tests/test_rover_issue_7.py::test_discount_at_threshold`');
    expect(body).toContain('Run for regressions, all passing: `tests/test_pricing.py::test_no_discount_below_threshold`, `tests/test_cart.py::test_total`');
    expect(body).toContain('2 of 3 proposed hunk(s) accepted');
    expect(body).toContain('~$0.0123');
    expect(body).toMatch(/\nFixes #7\n$/);
    const auth = gh.requests.filter((q) => q.method === 'POST').map((q) => q.authorization);
    expect(auth).toEqual([`token ${TOKEN}`]);
    // the token is in no file Rover wrote in the repository
    for (const f of ['.git/config', `.git/logs/refs/heads/${r.branch}`, '.git/logs/HEAD']) expect(readFileSync(join(fx.dir, f), 'utf8')).not.toContain(TOKEN);
  });

  it('without checkout (the CLI) the branch is made and pushed but HEAD and the index stay where they were', async () => {
    const full = proposedDiff(fx.dir, fx.git);
    const r = await run(full);
    expect(fx.git('symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
    expect(fx.git('status', '--porcelain')).toBe('');
    expect(fx.git('diff', '--stat', 'main', r.branch)).toMatch(/3 files changed/);
    expect(r.checkedOut).toBe(false);
  });

  it('a branch that already exists (locally or on origin) gets a new suffix', async () => {
    const diff = proposedDiff(fx.dir, fx.git);
    fx.git('branch', 'rover/issue-7-bulk-discount-not-applied-at-exactly-10');
    fx.bareGit('branch', 'rover/issue-7-bulk-discount-not-applied-at-exactly-10-2', 'main');
    const r = await run(diff);
    expect(r.branch).toBe('rover/issue-7-bulk-discount-not-applied-at-exactly-10-3');
  });

  it('a dirty index is refused and nothing changes', async () => {
    const diff = proposedDiff(fx.dir, fx.git);
    writeFileSync(join(fx.dir, 'README.md'), 'staged\n');
    fx.git('add', 'README.md');
    const refs = fx.git('for-each-ref');
    const e = await run(diff).catch((x) => x);
    expect(e).toBeInstanceOf(HandOffError);
    expect(e.kind).toBe('dirty-index');
    expect(e.message).toMatch(/Your index has staged changes \(README\.md\).*git restore --staged README\.md.*nothing was changed/);
    expect(fx.git('for-each-ref')).toBe(refs);
    expect(fx.git('status', '--porcelain').trim()).toBe('M  README.md');
    expect(gh.pulls.filter((p) => p.request.head === e.branch)).toEqual([]);
  });

  it('a detached HEAD is refused and nothing changes', async () => {
    const diff = proposedDiff(fx.dir, fx.git);
    fx.git('checkout', '-q', '--detach');
    const refs = fx.git('for-each-ref');
    const e = await run(diff).catch((x) => x);
    expect(e.kind).toBe('detached');
    expect(e.message).toMatch(/HEAD is detached \(at [0-9a-f]{10}\).*git switch -c my-work.*nothing was changed/);
    expect(fx.git('for-each-ref')).toBe(refs);
  });

  it('a refused push (protected branch) keeps the commit on the local branch and says how to push', async () => {
    const diff = proposedDiff(fx.dir, fx.git);
    const hook = join(fx.bare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "GH006: Protected branch update failed: you do not have permission to push" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const pulls = gh.pulls.length;
    const e = await run(diff, { checkout: false }).catch((x) => x);
    expect(e).toBeInstanceOf(HandOffError);
    expect(e.kind).toBe('push-rejected');
    expect(e.message).toMatch(/origin refused the push of rover\/issue-7-[\w-]+: (pre-receive hook declined; )?GH006: Protected branch update failed: you do not have permission to push/);
    expect(e.message).toMatch(/The commit [0-9a-f]{10} is on your local branch rover\/issue-7-[\w-]+; once you may push there \(or to a fork\), run: git push -u origin rover\/issue-7-/);
    expect(fx.git('rev-parse', `refs/heads/${e.branch}`).trim()).toBe(e.commit);
    expect(() => fx.bareGit('rev-parse', '--verify', '-q', `refs/heads/${e.branch}`)).toThrow();
    expect(gh.pulls.length).toBe(pulls);
  });

  it('a refused pull request (422) says the branch is pushed and where to open it by hand', async () => {
    const diff = proposedDiff(fx.dir, fx.git);
    gh.fault('POST /repos/acme/inventory/pulls', { status: 422, message: 'Draft pull requests are not supported in this repository.' });
    const e = await run(diff).catch((x) => x);
    expect(e.kind).toBe('pr-failed');
    expect(e.message).toMatch(/is pushed \(commit [0-9a-f]{10}\), but the pull request could not be opened: GitHub refused the request .* \(422 \(GitHub: "Draft pull requests are not supported in this repository\."\)\)\. Open it on GitHub: https:\/\/github\.com\/acme\/inventory\/compare\/main\.\.\.rover%2Fissue-7-/);
    expect(fx.bareGit('rev-parse', `refs/heads/${e.branch}`).trim()).toBe(e.commit);
  });

  it('changes that overlap uncommitted edits of the user are refused before any branch is made', async () => {
    const diff = proposedDiff(fx.dir, fx.git);
    // the user committed a conflicting change after the patch was made
    writeFileSync(join(fx.dir, 'inventory/pricing.py'), readFileSync(join(fx.dir, 'inventory/pricing.py'), 'utf8').replace('if quantity > BULK_THRESHOLD:', 'if quantity > BULK_THRESHOLD + 0:'));
    fx.git('commit', '-qam', 'conflicting');
    const refs = fx.git('for-each-ref');
    const e = await run(diff).catch((x) => x);
    expect(e.kind).toBe('does-not-apply');
    expect(e.message).toMatch(/do not apply to your last commit.*inventory\/pricing\.py/);
    expect(fx.git('for-each-ref')).toBe(refs);
  });

  it('reads the remote reason of a refused push', () => {
    expect(pushRefusal('To x\n ! [remote rejected] b -> b (pre-receive hook declined)\nerror: failed to push some refs')).toBe('pre-receive hook declined');
    expect(pushRefusal("remote: Permission to acme/inventory.git denied to bob.\nfatal: unable to access 'https://github.com/acme/inventory.git/': The requested URL returned error: 403")).toMatch(/^Permission to acme\/inventory\.git denied to bob\.; unable to access/);
  });
});
