// The editor's Fix This Issue orchestration (src/extension/core-bridge.ts, no vscode) against the real
// scripted model server through the real SDK client, on a temp git copy of the py-inventory fixture:
// localize from the failing test → agent → validate in a worktree → chosen patch with its evidence.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { listRoverCheckouts } from '../../src/core/runner/checkout';
import { makeProvider, openIndex, runFix, runTestsOnWorkingTree, searchCode, validateChanges, workingTreeDiff, type AgentEvent } from '../../src/extension/core-bridge';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-model-server.mjs';
import { treeHash } from '../support/tree-hash';
import { FIX_BLOCK } from '../support/py-inventory-fix';
import { lacks } from '../support/system-deps';

const ISSUE = readFileSync(join(__dirname, '..', 'fixtures', 'py-inventory', 'ISSUE.md'), 'utf8');
const FAILING = 'tests/test_pricing.py::test_bulk_discount_at_threshold';

const PATCH_TEXT = FIX_BLOCK;

const SCRIPT = [
  { toolCalls: [{ name: 'search_method', args: { method_name: 'bulk_discount' } }], usage: { input_tokens: 900, output_tokens: 40 } },
  {
    toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', intended_behavior: 'Orders of exactly BULK_THRESHOLD units get the discount.' }] } }],
    usage: { input_tokens: 1400, output_tokens: 60 },
  },
  { text: PATCH_TEXT, usage: { input_tokens: 1600, output_tokens: 90 } },
];


let repo: FixtureRepo | undefined;
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  await repo?.cleanup();
  server = undefined;
  repo = undefined;
});

describe('editor fix orchestration', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('runs the core session: localizes from the failing test (its suspects reach the prompt), patches, validates in a worktree, leaves the tree untouched', async () => {
    repo = await makeFixtureRepo('py-inventory');
    server = await startScriptedServer({ script: SCRIPT, expectedKey: 'sk-test' });
    const before = treeHash(repo.dir);
    const events: AgentEvent[] = [];
    const index = await openIndex(repo.dir, { cacheDir: join(repo.dir, '..', `${repo.dir.split('/').pop()}-cache`), exclude: [], maxFileBytes: 1 << 20 });
    const out = await runFix({
      root: repo.dir,
      issue: ISSUE,
      provider: makeProvider({ provider: 'anthropic', apiKey: 'sk-test', baseUrl: server.url, model: 'claude-sonnet-5-5' }),
      index,
      failingTests: [FAILING],
      fromLastRun: true,
      candidates: 1,
      budgetUsd: 1,
      tests: { timeoutMs: 120_000 },
      signal: new AbortController().signal,
      onEvent: (e) => events.push(e),
    });
    await index.close();
    expect(out.status, out.error).toBe('patched');
    expect(out.diff).toContain('+    if quantity >= BULK_THRESHOLD:');
    expect(out.reason).toMatch(/passes the oracle/);
    expect(out.validatingTests).toContain(FAILING);
    // localization really ran (its stage event alone would not show that) and fed the model
    expect(out.oracle).toMatchObject({ source: 'last-run', tests: [FAILING] });
    expect(out.localization.source).toBe('sbfl');
    expect(out.localization.suspects[0]).toMatchObject({ file: 'inventory/pricing.py', symbol: 'bulk_discount' });
    expect(out.localization.coverage?.get(FAILING)?.has('inventory/pricing.py:10')).toBe(true);
    expect(events.find((e) => e.type === 'localization')).toMatchObject({ source: 'sbfl' });
    expect(JSON.stringify(server.requests[0].body)).toMatch(/bulk_discount — suspiciousness/);
    const stages = events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage);
    expect(stages).toEqual(expect.arrayContaining(['localize', 'retrieve', 'patch', 'validate', 'done']));
    const cand = events.filter((e) => e.type === 'candidate' && e.evidence) as Extract<AgentEvent, { type: 'candidate' }>[];
    expect(cand[0]?.evidence).toMatchObject({ verdict: 'resolved', passToFail: [] });
    expect(events.some((e) => e.type === 'search' && e.api === 'search_method')).toBe(true);
    expect(events.some((e) => e.type === 'selected')).toBe(true);
    // the user's files are untouched and no worktree is left
    expect(treeHash(repo.dir)).toBe(before);
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
    // the chosen diff applies to the user's tree with git
    const check = await runProcess('git', ['apply', '--check', '-'], { cwd: repo.dir, stdin: out.diff });
    expect(check.code, check.stderr).toBe(0);
  }, 180_000);

  it('reports a wrong key as a clear error and cancels cleanly', async () => {
    repo = await makeFixtureRepo('py-inventory');
    server = await startScriptedServer({ script: SCRIPT, expectedKey: 'sk-right' });
    const base = {
      root: repo.dir,
      issue: ISSUE,
      failingTests: [],
      candidates: 1,
      budgetUsd: 1,
      tests: { timeoutMs: 60_000 },
      onEvent: () => undefined,
    };
    const bad = await runFix({ ...base, provider: makeProvider({ provider: 'anthropic', apiKey: 'sk-wrong', baseUrl: server.url }), signal: new AbortController().signal });
    expect(bad.status).toBe('error');
    expect(bad.error).toMatch(/auth|key|401/i);
    const ctrl = new AbortController();
    ctrl.abort();
    const cancelled = await runFix({ ...base, provider: makeProvider({ provider: 'anthropic', apiKey: 'sk-right', baseUrl: server.url }), signal: ctrl.signal });
    expect(cancelled.status).toBe('cancelled');
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
  }, 120_000);

  it('searches the real index and diffs the working tree including untracked files', async () => {
    repo = await makeFixtureRepo('py-inventory');
    const index = await openIndex(repo.dir, { cacheDir: join(repo.dir, '..', `${repo.dir.split('/').pop()}-cache2`), exclude: [], maxFileBytes: 1 << 20 });
    const hit = await searchCode(index, 'search_method', { method_name: 'bulk_discount' });
    expect(hit.ok).toBe(true);
    expect(hit.hits.some((h) => h.file === 'inventory/pricing.py')).toBe(true);
    const refused = await searchCode(index, 'search_code_in_file', { code_str: 'x', file_name: '../../etc/passwd' });
    expect(refused.ok).toBe(false);
    await index.close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(repo.dir, 'inventory', 'pricing.py'), readFileSync(join(repo.dir, 'inventory', 'pricing.py'), 'utf8').replace('> BULK_THRESHOLD', '>= BULK_THRESHOLD'));
    await writeFile(join(repo.dir, 'NOTES.txt'), 'new file\n');
    const d = await workingTreeDiff(repo.dir);
    expect(d.files.sort()).toEqual(['NOTES.txt', 'inventory/pricing.py']);
    expect(d.diff).toContain('+new file');
  }, 60_000);

  it.skipIf(lacks('python3-pytest'))('validates the working tree changes before/after and runs impacted tests on the saved files in a worktree', async () => {
    repo = await makeFixtureRepo('py-inventory');
    const { writeFile } = await import('node:fs/promises');
    const file = join(repo.dir, 'inventory', 'pricing.py');
    await writeFile(file, readFileSync(file, 'utf8').replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    const before = treeHash(repo.dir);
    const { diff } = await workingTreeDiff(repo.dir);
    const report = await validateChanges(repo.dir, { timeoutMs: 120_000 }, { patch: diff, testFiles: ['tests/test_pricing.py'] });
    expect(report.verdict, report.explanation).toBe('resolved');
    expect(report.failToPass).toContain(FAILING);
    expect(report.passToFail).toEqual([]);
    const run = await runTestsOnWorkingTree(repo.dir, { timeoutMs: 120_000 }, { tests: ['tests/test_pricing.py'] });
    expect(run.results[FAILING]).toBe('passed');
    expect(treeHash(repo.dir)).toBe(before);
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
  }, 180_000);
});
