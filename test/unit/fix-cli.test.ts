// `rover fix` as a child process of the built CLI, against the scripted model server.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-model-server.mjs';
import { lacks } from '../support/system-deps';

const CLI = resolve(__dirname, '../../dist/cli.js');
const KEY = 'sk-fix-cli-secret-987654321';
const PATCH = 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity >= BULK_THRESHOLD:\n>>>>>>> REPLACE\n';
const SCRIPT = [
  { toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }] },
  { toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: '>= threshold' }] } }] },
  { text: PATCH },
];

let tmp: string;
const repos: FixtureRepo[] = [];
beforeAll(async () => {
  if (!existsSync(CLI)) await runProcess('node', ['esbuild.mjs'], { cwd: resolve(__dirname, '../..'), timeoutMs: 120_000 });
  tmp = await mkdtemp(join(tmpdir(), 'rover-fixcli-'));
});
afterAll(async () => {
  for (const r of repos) await r.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

function cli(args: string[], env: Record<string, string>, stdin?: string) {
  return runProcess('node', [CLI, 'fix', ...args], { cwd: tmp, env: baseEnv(env), timeoutMs: 120_000, stdin });
}

async function withServer<T>(fn: (s: ScriptedServer) => Promise<T>): Promise<T> {
  const s = await startScriptedServer({ script: SCRIPT, expectedKey: KEY });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

describe('rover fix (child process)', () => {
  it.skipIf(lacks('python3-pytest'))('anthropic: writes a patch that passes the fixture tests, a trajectory without the key, and a prediction line', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    await withServer(async (s) => {
      const out = join(tmp, 'a.diff');
      const traj = join(tmp, 'a.traj.json');
      const preds = join(tmp, 'preds.jsonl');
      const res = await cli(
        ['--repo', r.dir, '--issue', join(r.dir, 'ISSUE.md'), '--base-url', s.url, '--out', out, '--trajectory', traj, '--predictions', preds, '--instance-id', 'fx__inventory-1'],
        { ANTHROPIC_API_KEY: KEY },
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(/== retrieve/);
      expect(res.stderr).toMatch(/location inventory\/pricing.py:8-12 bulk_discount \(exact\)/);
      expect(res.stderr).toMatch(/edit attempt 1: applied \(exact\)/);
      expect(res.stderr + res.stdout).not.toContain(KEY);
      const diff = await readFile(out, 'utf8');
      expect(diff).toContain('+    if quantity >= BULK_THRESHOLD:');
      const t = await readFile(traj, 'utf8');
      expect(t).not.toContain(KEY);
      expect(JSON.parse(t).status).toBe('patched');
      const pred = JSON.parse((await readFile(preds, 'utf8')).trim());
      expect(pred).toEqual({ instance_id: 'fx__inventory-1', model_name_or_path: expect.stringMatching(/^rover\/claude-/), model_patch: diff });

      // the patch, applied to a fresh copy, makes the fixture's tests pass
      const fresh = await makeFixtureRepo('py-inventory');
      repos.push(fresh);
      await writeFile(join(fresh.dir, 'p.diff'), diff);
      expect((await runProcess('git', ['apply', 'p.diff'], { cwd: fresh.dir, timeoutMs: 30_000 })).code).toBe(0);
      const tests = await runProcess('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: fresh.dir, timeoutMs: 120_000 });
      expect(tests.code, tests.stdout).toBe(0);
    });
  }, 120_000);

  it('openai via OPENAI_BASE_URL, issue on stdin, diff on stdout', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    await withServer(async (s) => {
      const issue = await readFile(join(r.dir, 'ISSUE.md'), 'utf8');
      const res = await cli(['--repo', r.dir, '--issue', '-', '--provider', 'openai', '--model', 'gpt-4o-2024-08-06', '--quiet'], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${s.url}/v1` }, issue);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^diff --git a\/inventory\/pricing.py b\/inventory\/pricing.py/);
      expect(res.stderr).toBe('');
      expect(s.requests.every((q) => q.api === 'openai')).toBe(true);
    });
  }, 120_000);

  it('fails clearly on a missing key, bad flags and unreadable input', async () => {
    const r = await makeFixtureRepo('py-inventory', { git: false });
    repos.push(r);
    const issue = join(r.dir, 'ISSUE.md');
    const noKey = await cli(['--repo', r.dir, '--issue', issue], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/ANTHROPIC_API_KEY/);
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
    for (const x of [noKey, noKeyOpenai, badProvider, missingIssue, noRepo, preds, budget]) expect(x.code).toBe(2);
  }, 60_000);
});
