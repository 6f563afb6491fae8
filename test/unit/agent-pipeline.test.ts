// runFixPipeline: two candidates, validated by the fixture's real pytest suite in worktrees; the one
// that resolves the issue is chosen, with the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { runFixPipeline } from '../../src/core/agent/pipeline';
import type { AgentEvent } from '../../src/core/agent/events';
import { resolveLocation } from '../../src/core/agent/locations';
import { WorkspaceIndex } from '../../src/core/index';
import { createProvider } from '../../src/core/llm';
import { listRoverWorktrees } from '../../src/core/validate/worktree';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-model-server.mjs';
import { lacks } from '../support/system-deps';

const KEY = 'sk-pipeline';
let server: ScriptedServer | undefined;
const repos: FixtureRepo[] = [];
afterEach(async () => {
  await server?.close();
  for (const r of repos.splice(0)) await r.cleanup();
});

const block = (search: string, replace: string) => `inventory/pricing.py\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;

describe('runFixPipeline', () => {
  it.skipIf(lacks('python3-pytest'))('validates every candidate with the project tests and picks the one that resolves the issue', async () => {
    const r = await makeFixtureRepo('py-inventory');
    repos.push(r);
    server = await startScriptedServer({
      expectedKey: KEY,
      script: [
        { toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: 'discount at >= 10' }] } }] },
        { text: block('BULK_RATE = 0.10', 'BULK_RATE = 0.15') }, // wrong: changes the rate
        { text: block('    if quantity > BULK_THRESHOLD:', '    if quantity >= BULK_THRESHOLD:') },
      ],
    });
    const provider = createProvider({ provider: 'anthropic', apiKey: KEY, baseUrl: server.url, model: 'claude-sonnet-5-5' });
    const events: AgentEvent[] = [];
    const res = await runFixPipeline({
      repo: r.dir,
      issue: 'Bulk discount not applied when ordering exactly the threshold quantity (10 units).',
      provider,
      candidates: 2,
      validate: true,
      localize: async () => [{ file: 'inventory/pricing.py', method: 'bulk_discount', score: 0.9, line: 10 }],
      onEvent: (e) => events.push(e),
    });
    expect(res.agent.candidates).toHaveLength(2);
    expect(res.chosenId).toBe('c2');
    expect(res.diff).toContain('+    if quantity >= BULK_THRESHOLD:');
    expect(res.reason).toMatch(/^c2 fixes failing tests, with no regression/);
    expect(res.validated).toBe(true);
    expect(res.validations.c2.verdict).toBe('resolved');
    expect(res.validations.c1.verdict).not.toBe('resolved');
    const stages = events.filter((e) => e.type === 'stage').map((e) => (e.type === 'stage' ? e.stage : ''));
    // validation reports progress as repeated 'validate' stage events; the order of stages is what matters
    expect([...new Set(stages)]).toEqual(['localize', 'index', 'retrieve', 'patch', 'validate', 'select', 'done']);
    expect(events.find((e) => e.type === 'selected')).toMatchObject({ id: 'c2' });
    // the SBFL hint reached the prompt with its score
    expect(JSON.stringify(server.requests[0].body)).toContain('suspiciousness 0.900');
    expect(await listRoverWorktrees(r.dir)).toEqual([]);
  }, 180_000);
});

describe('resolveLocation', () => {
  it('resolves exact, nearest and file-only locations and refuses outside paths', async () => {
    const r = await makeFixtureRepo('py-inventory', { git: false });
    repos.push(r);
    const index = await WorkspaceIndex.open(r.dir, { workers: 0, cacheDir: `${r.dir}-cache` });
    try {
      expect(resolveLocation(index, { file: 'inventory/pricing.py', class: 'PriceCalculator', method: 'line_total' })).toMatchObject({
        ok: true,
        location: { className: 'PriceCalculator', method: 'line_total', resolvedBy: 'exact' },
      });
      expect(resolveLocation(index, { file: 'pricing.py', class: 'PriceCalculater', method: 'line_totl' })).toMatchObject({
        ok: true,
        location: { file: 'inventory/pricing.py', method: 'line_total', resolvedBy: 'nearest:PriceCalculator.line_total' },
      });
      expect(resolveLocation(index, { method: 'PriceCalculator.total' })).toMatchObject({ ok: true, location: { method: 'total', className: 'PriceCalculator' } });
      expect(resolveLocation(index, { file: 'inventory/pricing.py' })).toMatchObject({ ok: true, location: { startLine: 1, resolvedBy: 'file' } });
      expect(resolveLocation(index, { file: '../../etc/passwd' })).toMatchObject({ ok: false, error: expect.stringMatching(/Refused/) });
      expect(resolveLocation(index, { file: '/etc/passwd', method: 'x' })).toMatchObject({ ok: false });
      const miss = resolveLocation(index, { file: 'inventory/pricing.py', method: 'completely_unrelated_name' });
      expect(miss).toMatchObject({ ok: false, error: expect.stringMatching(/No method\/function "completely_unrelated_name" in inventory\/pricing.py \(closest names/) });
    } finally {
      await index.close();
    }
  }, 60_000);
});
