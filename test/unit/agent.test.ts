// The agent end to end over the real SDK clients, pointed at the scripted model server, on a copy of
// the py-inventory fixture; patches are judged by the fixture's own pytest suite.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent, type AgentEvent } from '../../src/core/agent/run-agent';
import { createProvider, type ChatProvider, type ProviderId } from '../../src/core/llm';
import { runProcess } from '../../src/core/proc/run';
import { listRoverCheckouts } from '../../src/core/runner/checkout';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { startScriptedServer, type Script, type ScriptedServer } from '../support/scripted-model-server.mjs';
import { FIX_BLOCK } from '../support/py-inventory-fix';
import { lacks } from '../support/system-deps';

const KEY = 'sk-test-agent-secret-0123456789';
const ISSUE_FILE = 'ISSUE.md';

const GOOD_PATCH = FIX_BLOCK;

const SEARCH_TURN = {
  text: 'Looking at the discount code.',
  toolCalls: [
    { name: 'search_method', args: { method_name: 'bulk_discount' } },
    { name: 'search_class', args: { class_name: 'PriceCalculator' } },
  ],
};
const REPORT_TURN = {
  toolCalls: [
    {
      name: 'report_bug_locations',
      args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: 'Apply the discount when quantity >= BULK_THRESHOLD.' }] },
    },
  ],
};

let server: ScriptedServer | undefined;
const repos: FixtureRepo[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const r of repos.splice(0)) await r.cleanup();
});

async function repo(): Promise<FixtureRepo> {
  const r = await makeFixtureRepo('py-inventory');
  repos.push(r);
  return r;
}

async function serve(script: Script): Promise<void> {
  server = await startScriptedServer({ script, expectedKey: KEY });
}

function provider(id: ProviderId, over: Record<string, unknown> = {}): ChatProvider {
  return createProvider(
    {
      provider: id,
      apiKey: KEY,
      baseUrl: id === 'openai' ? `${server!.url}/v1` : server!.url,
      model: id === 'openai' ? 'gpt-4o-2024-08-06' : 'claude-sonnet-5-5',
      retryBaseMs: 5,
      retryMaxMs: 50,
      ...over,
    },
    { random: () => 0.5 },
  );
}

/** Hash of every file under dir except .git, to prove the user's tree was not written. */
async function treeHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === '.git') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else h.update(p.slice(dir.length)).update(await readFile(p));
    }
  };
  await walk(dir);
  return h.digest('hex');
}

async function pytestPassesWith(diff: string): Promise<{ ok: boolean; out: string }> {
  const fresh = await repo();
  await writeFile(join(fresh.dir, 'fix.diff'), diff);
  const ap = await runProcess('git', ['apply', 'fix.diff'], { cwd: fresh.dir, timeoutMs: 30_000 });
  if (ap.code !== 0) return { ok: false, out: ap.stderr };
  const t = await runProcess('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: fresh.dir, timeoutMs: 120_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return { ok: t.code === 0, out: t.stdout + t.stderr };
}

describe('runAgent over real SDK clients', () => {
  it.skipIf(lacks('python3-pytest')).each(['anthropic', 'openai'] as ProviderId[])('%s: searches, reports the location, patches; the patch passes the tests', async (id) => {
    const r = await repo();
    const before = await treeHash(r.dir);
    await serve([SEARCH_TURN, REPORT_TURN, { text: GOOD_PATCH }]);
    const events: AgentEvent[] = [];
    const trajectoryPath = join(r.dir, '..', `traj-${id}-${Date.now()}.json`);
    const issue = await readFile(join(r.dir, ISSUE_FILE), 'utf8');
    const res = await runAgent({ repo: r.dir, issue, provider: provider(id), onEvent: (e) => events.push(e), trajectoryPath });
    expect(res.error).toBeUndefined();
    expect(res.status).toBe('patched');
    expect(res.locations).toEqual([
      expect.objectContaining({ file: 'inventory/pricing.py', method: 'bulk_discount', resolvedBy: 'exact', startLine: 8 }),
    ]);
    expect(res.candidates).toHaveLength(1);
    expect(res.candidates[0].diff).toContain('+    if quantity >= BULK_THRESHOLD:');
    expect(res.candidates[0].files).toEqual(['inventory/pricing.py']);
    const verdict = await pytestPassesWith(res.candidates[0].diff);
    expect(verdict.ok, verdict.out).toBe(true);

    expect(await treeHash(r.dir)).toBe(before);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
    const searches = events.filter((e) => e.type === 'search');
    expect(searches.map((e) => e.type === 'search' && e.api)).toEqual(['search_method', 'search_class']);
    expect(events.some((e) => e.type === 'text')).toBe(true);
    expect(events.filter((e) => e.type === 'stage').map((e) => e.type === 'stage' && e.stage)).toEqual(['index', 'retrieve', 'patch', 'done']);
    expect(res.usage.calls).toBe(3);
    expect(res.usage.costUsd).toBeGreaterThan(0);

    const trajText = await readFile(trajectoryPath, 'utf8');
    await rm(trajectoryPath, { force: true });
    expect(trajText).not.toContain(KEY);
    const traj = JSON.parse(trajText);
    expect(traj.provider).toBe(id);
    expect(traj.toolCalls.map((t: { name: string }) => t.name)).toEqual(['search_method', 'search_class', 'report_bug_locations']);
    expect(traj.toolCalls[0].result).toContain('def bulk_discount');
    expect(traj.calls).toHaveLength(3);
    expect(traj.applyAttempts[0].results[0].strategy).toBe('exact');
    expect(traj.retrieve.messages.length).toBe(5);
    // The stable prefix (issue + repo summary) is the first message, sent for caching.
    expect(traj.retrieve.messages[0].content).toContain('Bulk discount not applied');
    expect(traj.retrieve.messages[0].content).toMatch(/Languages: python/);
    // Key never sent anywhere but the auth header.
    expect(server!.requests.every((q) => !q.rawBody.includes(KEY))).toBe(true);
  }, 60_000);

  it.skipIf(lacks('python3-pytest'))('answers malformed and outside-repo tool calls with errors and carries on; retries edits that do not match or break syntax; survives a 429', async () => {
    const r = await repo();
    const before = await treeHash(r.dir);
    await serve([
      { status: 429, times: 1, body: { error: { type: 'rate_limit_error', message: 'slow down' } } },
      {
        toolCalls: [
          { name: 'search_method', rawArgs: '{"method_name": "bulk_disc' },
          { name: 'get_code_around_line', args: { file_path: '../../etc/passwd', line_number: 1 } },
          { name: 'search_code_in_file', args: { code_str: 'root', file_path: '/etc/passwd' } },
          { name: 'search_method', args: { method_nam: 'x' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'report_bug_locations',
            args: { locations: [{ file: '../../etc/passwd', intended_behavior: 'x' }, { file: 'pricing.py', method: 'bulk_discnt', intended_behavior: 'use >=' }] },
          },
        ],
      },
      // Attempt 1: SEARCH text that is not in the file.
      { text: 'inventory/pricing.py\n<<<<<<< SEARCH\n    if qty > THRESHOLD_FOR_BULK and amount:\n        return amount\n=======\n    if qty >= THRESHOLD_FOR_BULK:\n>>>>>>> REPLACE\n' },
      // Attempt 2: applies but breaks syntax.
      { text: 'inventory/pricing.py\n<<<<<<< SEARCH\n    if quantity > BULK_THRESHOLD:\n=======\n    if quantity >= BULK_THRESHOLD\n>>>>>>> REPLACE\n', whenLastUserIncludes: 'could not be applied' },
      // Attempt 3: an edit outside the repo plus a good one: refused as a whole.
      { text: '../../etc/passwd\n<<<<<<< SEARCH\nroot\n=======\nhacked\n>>>>>>> REPLACE\n\n' + GOOD_PATCH, whenLastUserIncludes: 'does not parse' },
      { text: GOOD_PATCH, whenLastUserIncludes: 'Refused' },
    ]);
    const events: AgentEvent[] = [];
    const res = await runAgent({ repo: r.dir, issue: 'Bulk discount is not applied at exactly 10 units.', provider: provider('openai'), onEvent: (e) => events.push(e) });
    expect(res.status, res.error).toBe('patched');
    const tc = res.trajectory.toolCalls;
    expect(tc[0]).toMatchObject({ name: 'search_method', isError: true });
    expect(tc[0].result).toMatch(/not valid JSON/);
    expect(tc[1].isError).toBe(true);
    expect(tc[1].result).toMatch(/outside|refus/i);
    expect(tc[1].result).not.toMatch(/root:x:0/);
    expect(tc[2].isError).toBe(true);
    expect(tc[2].result).not.toMatch(/root:x:0/);
    expect(tc[3].isError).toBe(true);
    expect(tc[4].result).toMatch(/Recorded 1 location/);
    expect(tc[4].result).toMatch(/Ignored: Refused "\.\.\/\.\.\/etc\/passwd"/);
    expect(res.locations[0]).toMatchObject({ file: 'inventory/pricing.py', method: 'bulk_discount', resolvedBy: 'nearest:bulk_discount' });

    const attempts = res.trajectory.applyAttempts;
    expect(attempts.map((a) => a.ok)).toEqual([false, false, false, true]);
    expect(attempts[0].feedback).toMatch(/not found/);
    expect(attempts[1].feedback).toMatch(/does not parse: syntax error at line 10: `if quantity >= BULK_THRESHOLD`/);
    expect(attempts[2].feedback).toMatch(/Refused/);
    expect(events.filter((e) => e.type === 'edit-attempt').length).toBe(4);
    expect(server!.requests.filter((q) => q.response?.status === 429)).toHaveLength(1);
    expect((await pytestPassesWith(res.candidates[0].diff)).ok).toBe(true);
    expect(await treeHash(r.dir)).toBe(before);
  }, 60_000);

  it('asks again when a stream is cut after text was shown', async () => {
    const r = await repo();
    await serve([
      SEARCH_TURN,
      REPORT_TURN,
      { text: GOOD_PATCH + '\n' + 'x'.repeat(400), cutStreamAfterBytes: 900, times: 1, chunkSize: 20 },
    ]);
    const events: AgentEvent[] = [];
    const res = await runAgent({ repo: r.dir, issue: 'Bulk discount is off by one.', provider: provider('anthropic'), onEvent: (e) => events.push(e) });
    expect(res.status, res.error).toBe('patched');
    expect(events.some((e) => e.type === 'error' && e.recoverable && /cut/.test(e.message))).toBe(true);
    expect(res.trajectory.calls.some((c) => c.stopReason === 'stream-cut')).toBe(true);
  }, 60_000);

  it('cancels mid-run: status cancelled, no worktree left, user tree untouched', async () => {
    const r = await repo();
    const before = await treeHash(r.dir);
    await serve([SEARCH_TURN, REPORT_TURN, { text: GOOD_PATCH, chunkDelayMs: 200, chunkSize: 5 }]);
    const ac = new AbortController();
    const res = await runAgent({
      repo: r.dir,
      issue: 'Bulk discount is off by one.',
      provider: provider('anthropic'),
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'text') ac.abort();
      },
    });
    expect(res.status).toBe('cancelled');
    expect(res.candidates).toEqual([]);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
    expect(await treeHash(r.dir)).toBe(before);
  }, 60_000);

  it('stops cleanly when the budget is exhausted, keeping what it has', async () => {
    const r = await repo();
    const big = { input_tokens: 1_000_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    await serve([
      { ...SEARCH_TURN, usage: big },
      { ...REPORT_TURN, usage: big },
      { text: GOOD_PATCH },
    ]);
    const trajectoryPath = join(r.dir, '..', `traj-budget-${Date.now()}.json`);
    const res = await runAgent({ repo: r.dir, issue: 'Bulk discount is off by one.', provider: provider('anthropic'), budgetUsd: 3, trajectoryPath });
    expect(res.status).toBe('budget-exhausted');
    expect(res.error).toMatch(/Budget exhausted/);
    expect(res.locations[0]?.method).toBe('bulk_discount');
    expect(server!.requests).toHaveLength(2);
    const traj = JSON.parse(await readFile(trajectoryPath, 'utf8'));
    await rm(trajectoryPath, { force: true });
    expect(traj.status).toBe('budget-exhausted');
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
  }, 60_000);
});
