// `rover fix --issue #N --pr` as a child process of the built CLI: the issue from the GitHub stand-in,
// the session against the scripted model server, real pytest; then the branch, the commit (the patch
// and the kept reproduction test), the push to a local bare origin and the draft pull request. The
// token reaches the stand-in only: not the model, not the test processes (whose environment the
// reproduction test writes down), not a file Rover wrote. And the faults the command line reports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.mjs';
import { makeGitHubFixture, type GitHubFixture } from '../support/github-repo';
import { startScriptedServer, type ScriptedTurn } from '../support/scripted-model-server.mjs';
import { treeHash } from '../support/tree-hash';
import { lacks } from '../support/system-deps';

const CLI = resolve(__dirname, '../../dist/cli.js');
const KEY = 'sk-gh-cli-secret-123456789';
const TOKEN = 'ghp_cliToken0000000000000000000000003';
const ISSUE = { title: 'Bulk discount not applied at exactly 10 units', body: 'Ordering exactly 10 units of a 2.00 product costs 20.0 instead of 18.0: the bulk discount starts one unit late.', labels: ['bug'], comments: [{ author: 'maintainer', body: 'Confirmed on main.' }] };

let tmp: string;
let gh: GitHubStandIn;
const fixtures: GitHubFixture[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rover-ghcli-'));
  gh = await startGitHubStandIn({
    tokens: [TOKEN],
    repos: {
      'acme/inventory': {
        issues: { 7: ISSUE, 9: { ...ISSUE, title: 'Old', state: 'closed', state_reason: 'completed', closed_at: '2024-02-02T00:00:00Z' } },
      },
      'acme/private': { private: true, issues: { 1: ISSUE } },
    },
  });
});
afterAll(async () => {
  await gh?.close();
  for (const f of fixtures) await f.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

async function fixture(): Promise<GitHubFixture> {
  const f = await makeGitHubFixture('py-inventory');
  fixtures.push(f);
  return f;
}

function cli(args: string[], env: Record<string, string>) {
  return runProcess('node', [CLI, 'fix', ...args], {
    cwd: tmp,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: join(tmp, 'cache'), ROVER_GITHUB_API_URL: gh.url, ...env },
    timeoutMs: 240_000,
  });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile() && statSync(p).size < 20_000_000) out.push(p);
  }
  return out;
}

describe('rover fix --issue (GitHub)', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('#N → session → --pr: branch, commit of the patch and the reproduction test, push, draft PR; the token goes nowhere else', async () => {
    const f = await fixture();
    const envDump = join(tmp, 'test-env.jsonl');
    const repro = [
      'FILE: tests/test_repro.py',
      '```python',
      'import json, os',
      'from inventory.pricing import bulk_discount',
      '',
      '',
      'def test_ten_units_get_the_discount():',
      `    with open(${JSON.stringify(envDump)}, "a") as f:`,
      '        f.write(json.dumps(dict(os.environ)) + "\\n")',
      '    assert bulk_discount(10, 20.0) == 2.0',
      '```',
      '',
    ].join('\n');
    const script: ScriptedTurn[] = [
      { when: { systemIncludes: 'reproduces a reported bug' }, text: repro },
      { when: { toolOffered: 'search_method' }, toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }] },
      { when: { toolOffered: 'report_bug_locations' }, toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: 'orders of exactly BULK_THRESHOLD units get the discount' }] } }] },
      { text: 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity >= BULK_THRESHOLD:\n>>>>>>> REPLACE\n' },
    ];
    const s = await startScriptedServer({ script, expectedKey: KEY });
    const before = treeHash(f.dir);
    const traj = join(tmp, 'run.json');
    try {
      const r = await cli(['--repo', f.dir, '--issue', '#7', '--pr', '--candidates', '1', '--base-url', s.url, '--trajectory', traj, '--json'], { ANTHROPIC_API_KEY: KEY, GITHUB_TOKEN: TOKEN });
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout);
      expect(rep).toMatchObject({ status: 'patched', validated: true });
      expect(rep.pullRequest).toMatchObject({ branch: 'rover/issue-7-bulk-discount-not-applied-at-exactly-10', base: 'main', draft: true, number: expect.any(Number) });
      // the issue's text, not its URL, reached the model
      expect(JSON.stringify(s.requests)).toContain('the bulk discount starts one unit late');
      expect(JSON.stringify(s.requests)).toContain('Confirmed on main.');
      // the branch on origin holds the patch and the reproduction test; the user's tree, HEAD and index are as they were
      const branch = rep.pullRequest.branch;
      expect(f.bareGit('rev-parse', `refs/heads/${branch}`).trim()).toBe(rep.pullRequest.commit);
      expect(f.git('diff', '--name-only', 'main', branch).trim().split('\n').sort()).toEqual(['inventory/pricing.py', 'tests/test_repro.py']);
      expect(f.git('show', `${branch}:inventory/pricing.py`)).toContain('if quantity >= BULK_THRESHOLD:');
      expect(f.git('symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
      expect(treeHash(f.dir)).toBe(before);
      // the draft pull request
      const pr = gh.pulls.at(-1)!;
      expect(pr.request).toMatchObject({ head: branch, base: 'main', draft: true, title: 'Fix #7: Bulk discount not applied at exactly 10 units' });
      expect(pr.request.body).toContain('`inventory/pricing.py` lines 8–12 (`bulk_discount`): orders of exactly BULK_THRESHOLD units get the discount');
      expect(pr.request.body).toMatch(/Now pass \(failed before the change\): `tests\/test_pricing\.py::test_bulk_discount_at_threshold`, `tests\/test_repro\.py::test_ten_units_get_the_discount`\n- Run for regressions, all passing: `tests\/test_cart\.py::/);
      expect(pr.request.body).toContain('The reproduction test Rover wrote is included: `tests/test_repro.py`');
      expect(pr.request.body).toMatch(/Model cost of the session: ~\$\d+\.\d{4}/);
      expect(pr.request.body).toMatch(/\nFixes #7\n$/);
      // the token: sent to the stand-in, nowhere else
      expect(gh.requests.filter((q) => q.method === 'POST').every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(JSON.stringify(s.requests)).not.toContain(TOKEN);
      const envs = readFileSync(envDump, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(envs.length).toBeGreaterThan(0);
      for (const e of envs) {
        expect(JSON.stringify(e)).not.toContain(TOKEN);
        expect(e.GITHUB_TOKEN).toBeUndefined();
      }
      for (const file of [...filesUnder(f.dir), ...filesUnder(tmp)]) expect(readFileSync(file).includes(TOKEN), file).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('refuses what cannot be a fix of a GitHub issue, before any model call', async () => {
    const f = await fixture();
    const before = treeHash(f.dir);
    const pull = await cli(['--repo', f.dir, '--issue', 'https://github.com/acme/inventory/pull/3'], {});
    expect(pull.code).toBe(2);
    expect(pull.stderr).toMatch(/rover: https:\/\/github\.com\/acme\/inventory\/pull\/3 is a pull request, not an issue/);
    const other = await cli(['--repo', f.dir, '--issue', 'https://gitlab.com/acme/inventory/-/issues/3'], {});
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/on gitlab\.com, which is not GitHub\.com, nor the host of this repository's origin \(github\.com\)/);
    const priv = await cli(['--repo', f.dir, '--issue', 'acme/private#1'], {});
    expect(priv.code).toBe(2);
    expect(priv.stderr).toMatch(/repository is private and no token was given: set GITHUB_TOKEN \(or GH_TOKEN\)/);
    const revoked = await cli(['--repo', f.dir, '--issue', '#7'], { GH_TOKEN: 'ghp_revoked' });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/GitHub refused the token \(401/);
    expect(revoked.stderr).not.toContain('ghp_revoked');
    const closed = await cli(['--repo', f.dir, '--issue', '#9'], {});
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/acme\/inventory#9 is closed as completed \(2024-02-02\)\. Give --any-state to fix it anyway\./);
    gh.fault('GET /repos/acme/inventory/issues/7', { status: 429, headers: { 'retry-after': '600' } });
    const limited = await cli(['--repo', f.dir, '--issue', '#7'], {});
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/rate limit is spent while fetching issue acme\/inventory#7: try again after \d\d:\d\d UTC \(in 10 min\)/);
    const noToken = await cli(['--repo', f.dir, '--issue', '#7', '--pr'], {});
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--pr opens a pull request, which needs a token: set GITHUB_TOKEN/);
    f.git('checkout', '-q', '--detach');
    const detached = await cli(['--repo', f.dir, '--issue', '#7', '--pr'], { GITHUB_TOKEN: TOKEN });
    expect(detached.code).toBe(2);
    expect(detached.stderr).toMatch(/--pr: HEAD is detached/);
    const prFile = await cli(['--repo', f.dir, '--issue', join(f.dir, 'ISSUE.md'), '--pr'], {});
    expect(prFile.code).toBe(2);
    expect(prFile.stderr).toMatch(/--pr needs a GitHub issue/);
    f.git('checkout', '-q', 'main');
    expect(treeHash(f.dir)).toBe(before);
    expect(gh.pulls.length).toBe(gh.pulls.filter((p) => p.request.head?.startsWith('rover/issue-7')).length);
  });
});
