// `rover fix` as a child process of the built CLI, against the scripted model server.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { startScriptedServer, type ScriptedServer, type ScriptedTurn } from '../support/scripted-model-server.mjs';
import { listRoverCheckouts } from '../../src/core/runner/checkout';
import { treeHash } from '../support/tree-hash';
import { lacks } from '../support/system-deps';

const CLI = resolve(__dirname, '../../dist/cli.js');
const KEY = 'sk-fix-cli-secret-987654321';
const PATCH = 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity >= BULK_THRESHOLD:\n>>>>>>> REPLACE\n';
const NO_FIX = 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity > BULK_THRESHOLD and amount > 0:\n>>>>>>> REPLACE\n';
const REPRO_TEST = 'FILE: tests/test_repro.py\n```python\nfrom inventory.pricing import bulk_discount\n\n\ndef test_ten_units_get_the_discount():\n    assert bulk_discount(10, 20.0) == 2.0\n```\n';
const REPRO_PASSES = REPRO_TEST.replace('bulk_discount(10, 20.0)', 'bulk_discount(12, 20.0)');
const SEARCH_TURN = { when: { toolOffered: 'search_method' }, toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }] };
const REPORT_TURN = { when: { toolOffered: 'report_bug_locations' }, toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: '>= threshold' }] } }] };
const REPRO = { systemIncludes: 'reproduces a reported bug' };
const SCRIPT: ScriptedTurn[] = [
  { when: REPRO, text: REPRO_PASSES },
  { when: REPRO, text: REPRO_TEST },
  SEARCH_TURN,
  REPORT_TURN,
  { text: NO_FIX },
  { text: PATCH },
];

let tmp: string;
const repos: FixtureRepo[] = [];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rover-fixcli-'));
});
afterAll(async () => {
  for (const r of repos) await r.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: join(tmp, 'cache'), ...extra };
  return env;
}

function cli(args: string[], env: Record<string, string>, stdin?: string) {
  return runProcess('node', [CLI, 'fix', ...args], { cwd: tmp, env: baseEnv(env), timeoutMs: 240_000, stdin });
}

async function withServer<T>(fn: (s: ScriptedServer) => Promise<T>, script: ScriptedTurn[] = SCRIPT): Promise<T> {
  const s = await startScriptedServer({ script, expectedKey: KEY });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

describe('rover fix (child process)', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('from the issue alone: reproduction test → localization → candidates → the validated one; --json reports every step; patch, trajectory and prediction written', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    const before = treeHash(r.dir);
    await withServer(async (s) => {
      const out = join(tmp, 'a.diff');
      const traj = join(tmp, 'a.traj.json');
      const preds = join(tmp, 'preds.jsonl');
      const res = await cli(
        ['--repo', r.dir, '--issue', join(r.dir, 'ISSUE.md'), '--base-url', s.url, '--candidates', '2', '--out', out, '--trajectory', traj, '--predictions', preds, '--instance-id', 'fx__inventory-1'],
        { ANTHROPIC_API_KEY: KEY },
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/budget \$1\.00 \(the default/);
      expect(res.stderr).toMatch(/reproduction test #1 tests\/test_repro.py: rejected — the test passes on the current code/);
      expect(res.stderr).toMatch(/reproduction test #2 tests\/test_repro.py: kept/);
      expect(res.stderr).toMatch(/localization \(sbfl\): ochiai over 1 failing/);
      expect(res.stderr).toMatch(/1\. bulk_discount {2}inventory\/pricing.py:\d+ {2}\(suspiciousness \d\.\d{3}\)/);
      expect(res.stderr).toMatch(/location inventory\/pricing.py:8-12 bulk_discount \(exact\)/);
      expect(res.stderr).toMatch(/candidate c1: unresolved — oracle test\(s\) still fail/);
      expect(res.stderr).toMatch(/selected c2: c2 passes the oracle test\(s\) tests\/test_repro.py::test_ten_units_get_the_discount/);
      expect(res.stderr + res.stdout).not.toContain(KEY);
      const diff = await readFile(out, 'utf8');
      expect(diff).toContain('+    if quantity >= BULK_THRESHOLD:');
      expect(diff).not.toContain('test_repro');
      const t = await readFile(traj, 'utf8');
      expect(t).not.toContain(KEY);
      expect(JSON.parse(t).session).toMatchObject({ status: 'patched', chosen: 'c2', oracle: { source: 'reproduction' } });
      const pred = JSON.parse((await readFile(preds, 'utf8')).trim());
      expect(pred).toEqual({ instance_id: 'fx__inventory-1', model_name_or_path: expect.stringMatching(/^rover\/claude-/), model_patch: diff });
      expect(treeHash(r.dir)).toBe(before);
      expect(await listRoverCheckouts(r.dir)).toEqual([]);

      // the same session again with --json: every step in one report
      s.setScript(SCRIPT);
      const first = s.requests.length;
      const j = await cli(['--repo', r.dir, '--issue', join(r.dir, 'ISSUE.md'), '--base-url', s.url, '--candidates', '2', '--json'], { ANTHROPIC_API_KEY: KEY });
      expect(j.code, j.stderr).toBe(0);
      const rep = JSON.parse(j.stdout);
      expect(rep.oracle).toMatchObject({ source: 'reproduction', tests: ['tests/test_repro.py::test_ten_units_get_the_discount'] });
      expect(rep.reproduction.attempts.map((a: { verdict: string }) => a.verdict)).toEqual(['rejected', 'kept']);
      expect(rep.localization.source).toBe('sbfl');
      expect(rep.localization.top[0]).toMatchObject({ symbol: 'bulk_discount', file: 'inventory/pricing.py' });
      expect(rep.candidates.map((c: { id: string; verdict: string; kept: boolean }) => [c.id, c.verdict, c.kept])).toEqual([['c1', 'unresolved', false], ['c2', 'resolved', true]]);
      expect(rep).toMatchObject({ status: 'patched', winner: 'c2', validated: true, diff });
      expect(rep.reason).toContain('test_ten_units_get_the_discount');
      expect(rep.tokens.input).toBeGreaterThan(0);
      expect(rep.usage.calls).toBe(s.requests.length - first);
      expect(rep.costUsd).toBeGreaterThan(0);
    });

    // the patch, applied to a fresh copy, makes the fixture's own tests pass
    const diff = await readFile(join(tmp, 'a.diff'), 'utf8');
    const fresh = await makeFixtureRepo('py-inventory');
    repos.push(fresh);
    await writeFile(join(fresh.dir, 'p.diff'), diff);
    expect((await runProcess('git', ['apply', 'p.diff'], { cwd: fresh.dir, timeoutMs: 30_000 })).code).toBe(0);
    const tests = await runProcess('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: fresh.dir, timeoutMs: 120_000 });
    expect(tests.code, tests.stdout).toBe(0);
  }, 480_000);

  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('openai via OPENAI_BASE_URL with --failing, issue on stdin, diff on stdout', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    await withServer(async (s) => {
      const issue = await readFile(join(r.dir, 'ISSUE.md'), 'utf8');
      const res = await cli(
        ['--repo', r.dir, '--issue', '-', '--provider', 'openai', '--model', 'gpt-4o-2024-08-06', '--quiet', '--candidates', '1', '--failing', 'tests/test_pricing.py::test_bulk_discount_at_threshold'],
        { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${s.url}/v1` },
        issue,
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^diff --git a\/inventory\/pricing.py b\/inventory\/pricing.py/);
      expect(res.stderr).toBe('');
      expect(s.requests.every((q) => q.api === 'openai')).toBe(true);
      // the given test is the oracle: no reproduction request, and SBFL from it reached the prompt
      expect(s.requests.some((q) => JSON.stringify(q.body).includes('reproduces a reported bug'))).toBe(false);
      expect(JSON.stringify(s.requests[0].body)).toMatch(/bulk_discount — suspiciousness/);
    }, [SEARCH_TURN, REPORT_TURN, { text: PATCH }]);
  }, 240_000);

  it('--no-reproduce --no-localize --no-validate: the model alone, and the report says so', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    await withServer(async (s) => {
      const j = await cli(['--repo', r.dir, '--issue', join(r.dir, 'ISSUE.md'), '--base-url', s.url, '--no-reproduce', '--no-localize', '--no-validate', '--candidates', '1', '--json'], { ANTHROPIC_API_KEY: KEY });
      expect(j.code, j.stderr).toBe(0);
      const rep = JSON.parse(j.stdout);
      expect(rep.oracle).toMatchObject({ source: 'none', message: expect.stringMatching(/--no-reproduce/) });
      expect(rep.localization).toMatchObject({ source: 'search-only', top: [] });
      expect(rep).toMatchObject({ status: 'patched', validated: false, reason: expect.stringMatching(/not validated by tests: validation is off/) });
    }, [SEARCH_TURN, REPORT_TURN, { text: PATCH }]);
  }, 120_000);

  it('Ctrl-C during validation: exit 130, nothing written, no worktree, the tree unchanged', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    const before = treeHash(r.dir);
    const out = join(tmp, 'cancelled.diff');
    await withServer(async (s) => {
      const child = spawn('node', [CLI, 'fix', '--repo', r.dir, '--issue', join(r.dir, 'ISSUE.md'), '--base-url', s.url, '--candidates', '1', '--out', out, '--tests-command', 'python3 -c "import time; time.sleep(60)" {tests}'], {
        cwd: tmp, env: baseEnv({ ANTHROPIC_API_KEY: KEY }), stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      let sent = false;
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/== validate/.test(err) && !sent) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      });
      const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      expect(code, err).toBe(130);
      expect(err).toMatch(/== cancelled/);
      expect(existsSync(out)).toBe(false);
    }, [SEARCH_TURN, REPORT_TURN, { text: PATCH }]);
    expect(treeHash(r.dir)).toBe(before);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
  }, 240_000);

  it.skipIf(lacks('python3-pytest'))('a budget spent before any patch: exit 3 and the cost of every call', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    const big = { input_tokens: 2_000_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    await withServer(async (s) => {
      const j = await cli(['--repo', r.dir, '--issue', join(r.dir, 'ISSUE.md'), '--base-url', s.url, '--budget', '0.5', '--json'], { ANTHROPIC_API_KEY: KEY });
      expect(j.code, j.stderr).toBe(3);
      const rep = JSON.parse(j.stdout);
      expect(rep).toMatchObject({ status: 'budget-exhausted', diff: '', budgetUsd: 0.5 });
      expect(rep.usage.calls).toBe(s.requests.length);
      expect(rep.costUsd).toBeGreaterThan(0.5);
    }, [{ when: REPRO, text: REPRO_PASSES, usage: big }, { when: REPRO, text: REPRO_TEST }]);
  }, 120_000);

  it('fails clearly on a missing key, bad flags and unreadable input', async () => {
    const r = await makeFixtureRepo('py-inventory', { git: false });
    repos.push(r);
    const issue = join(r.dir, 'ISSUE.md');
    const noKey = await cli(['--repo', r.dir, '--issue', issue], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/ANTHROPIC_API_KEY/);
    expect(noKey.stderr).toMatch(/vscode-lm.*needs no key/);
    const noKeyOpenai = await cli(['--repo', r.dir, '--issue', issue, '--provider', 'openai'], {});
    expect(noKeyOpenai.stderr).toMatch(/OPENAI_API_KEY/);
    const badProvider = await cli(['--repo', r.dir, '--issue', issue, '--provider', 'gemini'], { ANTHROPIC_API_KEY: 'x' });
    expect(badProvider.stderr).toMatch(/--provider must be "anthropic" or "openai"/);
    const missingIssue = await cli(['--repo', r.dir, '--issue', join(tmp, 'nope.md')], { ANTHROPIC_API_KEY: 'x' });
    expect(missingIssue.stderr).toMatch(/cannot read the issue .*ENOENT/);
    const noRepo = await cli(['--repo', join(tmp, 'missing'), '--issue', issue], { ANTHROPIC_API_KEY: 'x' });
    expect(noRepo.stderr).toMatch(/is not a folder/);
    const preds = await cli(['--repo', r.dir, '--issue', issue, '--predictions', 'p.jsonl'], { ANTHROPIC_API_KEY: 'x' });
    expect(preds.stderr).toMatch(/--predictions needs --instance-id/);
    const budget = await cli(['--repo', r.dir, '--issue', issue, '--budget', 'lots'], { ANTHROPIC_API_KEY: 'x' });
    expect(budget.stderr).toMatch(/--budget must be a positive number/);
    const both = await cli(['--repo', r.dir, '--issue', issue, '--validate', '--no-validate'], { ANTHROPIC_API_KEY: 'x' });
    expect(both.stderr).toMatch(/contradict/);
    const zero = await cli(['--repo', r.dir, '--issue', issue, '--candidates', '0'], { ANTHROPIC_API_KEY: 'x' });
    expect(zero.stderr).toMatch(/--candidates must be a positive integer/);
    for (const x of [noKey, noKeyOpenai, badProvider, missingIssue, noRepo, preds, budget, both, zero]) expect(x.code).toBe(2);
  }, 60_000);
});
