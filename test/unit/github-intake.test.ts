// Issue intake against the local GitHub stand-in: URL and #N (from the origin remote), the issue text
// (comments newest last, bots and long threads trimmed, images named, code links), and every fault:
// pull request, other host, private without token, revoked token, rate limit, cut connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.mjs';
import { makeGitHubFixture, type GitHubFixture } from '../support/github-repo';
import { apiBaseFor, composeIssueText, GitHubError, IssueRefError, parseIssueRef, parseRemoteUrl, takeIssue, type GitHubIssue } from '../../src/core/github';

const TOKEN = 'ghp_standInToken000000000000000000001';
const HINT = 'set GITHUB_TOKEN or GH_TOKEN';
let gh: GitHubStandIn;
let fx: GitHubFixture;

const longThread = Array.from({ length: 60 }, (_, k) => ({ author: `user${k}`, body: `comment ${k}: ${'x'.repeat(900)}` }));

beforeAll(async () => {
  gh = await startGitHubStandIn({
    tokens: [TOKEN],
    repos: {
      'acme/inventory': {
        issues: {
          7: {
            title: 'Bulk discount not applied at exactly 10 units',
            body: 'Ordering 10 units costs 20.0 instead of 18.0.\n\n![screenshot of the cart](https://user-images.githubusercontent.com/1/cart.png)\n\nSee https://github.com/acme/inventory/blob/0123456789abcdef0123456789abcdef01234567/inventory/pricing.py#L10-L14',
            labels: ['bug', 'pricing'],
            comments: [
              { author: 'maintainer', body: 'Confirmed, the threshold check is off by one.' },
              { author: 'dependabot[bot]', body: 'Bumps pytest from 7 to 8.' },
              { author: 'reporter', body: 'Thanks! <img src="https://example.com/shot.gif" alt="gif"> still happens on main.' },
            ],
          },
          8: { title: 'A pull request', body: 'x', pull: true },
          9: { title: 'Old bug', body: 'was fixed', state: 'closed', state_reason: 'completed', closed_at: '2024-03-01T00:00:00Z', locked: true, active_lock_reason: 'resolved' },
          10: { title: 'Nothing said', body: '' },
          11: { title: 'Long thread', body: 'the bug', comments: longThread },
        },
      },
      'acme/secret': { private: true, issues: { 1: { title: 'Private bug', body: 'only members see this' } } },
    },
  });
  fx = await makeGitHubFixture('py-inventory');
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await fx?.cleanup();
});

const take = (reference: string, token?: string) => takeIssue({ repo: fx.dir, reference, token, apiUrl: gh.url, authHint: HINT });

describe('issue references', () => {
  it('reads remotes in every form git takes', () => {
    expect(parseRemoteUrl('git@github.com:acme/inventory.git')).toEqual({ host: 'github.com', owner: 'acme', repo: 'inventory' });
    expect(parseRemoteUrl('https://ghe.corp.example/acme/inventory')).toEqual({ host: 'ghe.corp.example', owner: 'acme', repo: 'inventory' });
    expect(parseRemoteUrl('ssh://git@github.com/acme/inventory.git')).toEqual({ host: 'github.com', owner: 'acme', repo: 'inventory' });
    expect(parseRemoteUrl('/tmp/x/origin.git')).toBeUndefined();
  });

  it('names GitHub.com and Enterprise endpoints from the host', () => {
    expect(apiBaseFor('github.com')).toBe('https://api.github.com');
    expect(apiBaseFor('ghe.corp.example')).toBe('https://ghe.corp.example/api/v3');
    const origin = { host: 'ghe.corp.example', owner: 'acme', repo: 'inventory' };
    expect(parseIssueRef('#12', { origin })).toEqual({ ...origin, number: 12 });
    expect(parseIssueRef('https://ghe.corp.example/acme/other/issues/3', { origin })).toEqual({ host: 'ghe.corp.example', owner: 'acme', repo: 'other', number: 3 });
    expect(parseIssueRef('octo/lib#5', { origin })).toEqual({ host: 'ghe.corp.example', owner: 'octo', repo: 'lib', number: 5 });
  });

  it('refuses what is not an issue, with what to give instead', () => {
    expect(() => parseIssueRef('https://github.com/acme/inventory/pull/8')).toThrow(/is a pull request, not an issue/);
    expect(() => parseIssueRef('https://gitlab.com/acme/inventory/-/issues/3')).toThrow(/gitlab\.com, which is not GitHub\.com.*paste the issue's text/);
    expect(() => parseIssueRef('#4')).toThrow(/no origin on a GitHub host.*URL instead/);
    expect(() => parseIssueRef('https://github.com/acme/inventory/wiki')).toThrow(/not the address of an issue/);
    expect(() => parseIssueRef('#0', { origin: { host: 'github.com', owner: 'a', repo: 'b' } })).toThrow(IssueRefError);
  });
});

describe('intake from the stand-in', () => {
  it('takes #N from the origin remote: title, labels, body, comments newest last, bots left out, images named, code links', async () => {
    const before = gh.requests.length;
    const r = await take('#7');
    expect(r.ref).toEqual({ host: 'github.com', owner: 'acme', repo: 'inventory', number: 7 });
    const t = r.text.text;
    expect(t).toMatch(/^# Bulk discount not applied at exactly 10 units/);
    expect(t).toContain('labels: bug, pricing');
    expect(t).toContain('Ordering 10 units costs 20.0 instead of 18.0.');
    expect(t).toContain('[image "screenshot of the cart": cart.png, not shown]');
    expect(t).toContain('[image "gif": shot.gif, not shown]');
    expect(t.indexOf('### @maintainer')).toBeLessThan(t.indexOf('### @reporter'));
    expect(t).not.toContain('Bumps pytest');
    expect(t).toMatch(/Left out: 1 comment\(s\) by bots \(dependabot\[bot\]\)/);
    expect(t).toMatch(/inventory\/pricing\.py lines 10-14 \(at 0123456789\)/);
    expect(r.text.caveats).toEqual([]);
    // no token: no Authorization header, and no image was fetched
    const mine = gh.requests.slice(before);
    expect(mine.map((q) => q.path)).toEqual(['/repos/acme/inventory/issues/7', '/repos/acme/inventory/issues/7/comments']);
    expect(mine.every((q) => q.authorization === undefined)).toBe(true);
  });

  it('takes a URL the same way and sends the token when given', async () => {
    const before = gh.requests.length;
    const r = await take('https://github.com/acme/inventory/issues/7', TOKEN);
    expect(r.issue.title).toBe('Bulk discount not applied at exactly 10 units');
    expect(gh.requests.slice(before).every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('trims a very long thread: the first comments and the newest, with a note of what was left out', async () => {
    const r = await take('#11');
    const t = r.text.text;
    expect(t).toContain('comment 0:');
    expect(t).toContain('comment 59:');
    expect(t).not.toContain('comment 30:');
    expect(t).toMatch(/Left out: \d+ comment\(s\) from the middle of the thread \(2024-01-\d\d to 2024-0\d-\d\d\), over the 24,000-character budget/);
    expect(t.length).toBeLessThan(32_000);
  });

  it('says closed, locked and empty issues are so (caveats the caller confirms)', async () => {
    expect((await take('#9')).text.caveats).toEqual(['acme/inventory#9 is closed as completed (2024-03-01).', 'acme/inventory#9 is locked (resolved): its conversation is closed to new comments.']);
    const empty = await take('#10');
    expect(empty.text.caveats).toEqual(['acme/inventory#10 has no description and no comments: Rover has only its title to go on.']);
    expect(empty.text.text).toContain('(The issue has no description.)');
  });

  it('refuses a pull request given as #N', async () => {
    await expect(take('#8')).rejects.toThrow(/acme\/inventory#8 is a pull request, not an issue/);
  });

  it('a private repository without a token is a 404 that says to give one; with the token it works', async () => {
    const e = await take('acme/secret#1').catch((x) => x);
    expect(e).toBeInstanceOf(GitHubError);
    expect(e.kind).toBe('not-found');
    expect(e.message).toMatch(/repository is private and no token was given: set GITHUB_TOKEN or GH_TOKEN/);
    expect((await take('acme/secret#1', TOKEN)).issue.body).toBe('only members see this');
  });

  it('a revoked token is a 401 that says so, and the token is in no message', async () => {
    const dead = 'ghp_revokedToken99999999999999999999';
    const e = await take('#7', dead).catch((x) => x);
    expect(e.kind).toBe('unauthorized');
    expect(e.message).toMatch(/GitHub refused the token \(401 \(GitHub: "Bad credentials"\)\): it was revoked, expired or lacks access/);
    expect(e.message).not.toContain(dead);
  });

  it('rate limits (403 with a reset time, 429 with retry-after) say when to retry', async () => {
    const reset = Math.floor(Date.now() / 1000) + 25 * 60;
    gh.fault('GET /repos/acme/inventory/issues/7', { status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    const e = await take('#7').catch((x) => x);
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAt.getTime()).toBe(reset * 1000);
    expect(e.message).toMatch(new RegExp(`try again after ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC \\(in 2[45] min\\)\\. Without a token GitHub allows 60 requests an hour`));
    gh.fault('GET /repos/acme/inventory/issues/7/comments', { status: 429, headers: { 'retry-after': '90' } });
    const e2 = await take('#7', TOKEN).catch((x) => x);
    expect(e2.kind).toBe('rate-limited');
    expect(e2.message).toMatch(/rate limit is spent while fetching the comments of issue acme\/inventory#7: try again after \d\d:\d\d UTC \(in (90 s|2 min)\)\.$/);
  });

  it('a connection cut mid-fetch is a network error that changes nothing', async () => {
    gh.fault('GET /repos/acme/inventory/issues/7/comments', { cut: true });
    const e = await take('#7').catch((x) => x);
    expect(e).toBeInstanceOf(GitHubError);
    expect(e.kind).toBe('network');
    expect(e.message).toMatch(/Could not reach GitHub at http:\/\/127\.0\.0\.1:\d+ while fetching the comments of issue acme\/inventory#7: .+nothing was changed/);
    gh.fault('GET /repos/acme/inventory/issues/7', { reset: true });
    const e2 = await take('#7').catch((x) => x);
    expect(e2.kind).toBe('network');
    expect(e2.message).toMatch(/Could not reach GitHub at http:\/\/127\.0\.0\.1:\d+ while fetching issue acme\/inventory#7: .+nothing was changed/);
    expect(fx.git('status', '--porcelain')).toBe('');
  });

  it('composes text from an issue object alone (no network)', () => {
    const issue: GitHubIssue = {
      ref: { host: 'github.com', owner: 'o', repo: 'r', number: 1 }, url: 'https://github.com/o/r/issues/1', title: 'T', body: '', state: 'open', locked: false,
      labels: [], author: 'a', comments: [{ author: 'b', isBot: false, createdAt: '2024-01-01T00:00:00Z', body: 'it crashes' }], commentCount: 4,
    };
    const t = composeIssueText(issue);
    expect(t.caveats).toEqual(['o/r#1 has no description: Rover has only its title and comments to go on.']);
    expect(t.text).toMatch(/Left out: 3 later comment\(s\) not fetched \(the thread has 4\)/);
  });
});
