// The fix session end to end, from an issue's text alone: the model (a scripted server behind the real
// SDK clients) writes a reproduction test, which runs on the base commit in a worktree; SBFL localizes
// from it with real coverage; three candidates are validated by the fixture's real tests; the choice
// says why. Python (pytest + coverage.py) and JavaScript (node:test).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runFixSession, type FixSessionOptions } from '../../src/core/agent/fix-session';
import type { AgentEvent } from '../../src/core/agent/events';
import { createProvider } from '../../src/core/llm';
import { listRoverCheckouts } from '../../src/core/runner/checkout';
import { parseReviewPatch } from '../../src/extension/logic/patch-hunks';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { startScriptedServer, type ScriptedServer, type ScriptedTurn } from '../support/scripted-model-server.mjs';
import { lacks } from '../support/system-deps';
import { treeHash } from '../support/tree-hash';

vi.setConfig({ testTimeout: 300_000 });

const REPRO = { systemIncludes: 'reproduces a reported bug' };
const PATCHING = { systemIncludes: 'edit block' };
const BIG = { input_tokens: 600_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

let server: ScriptedServer | undefined;
const repos: FixtureRepo[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const r of repos.splice(0)) await r.cleanup();
});

const block = (file: string, search: string, replace: string) => `${file}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;
const reply = (file: string, lang: string, code: string) => `FILE: ${file}\n\`\`\`${lang}\n${code}\`\`\`\n`;
const report = (file: string, method: string) => ({
  when: { toolOffered: 'report_bug_locations' },
  toolCalls: [{ name: 'report_bug_locations', args: { locations: [{ file, method, intended_behavior: 'the behaviour the issue asks for' }] } }],
});

// ---- py-inventory, with the test that already shows the bug taken out: the user has only the issue ----
const PY_ISSUE = 'Bulk discount not applied when ordering exactly the threshold quantity: 10 units of a 2.00 product cost 20.0 instead of 18.0 (orders of 10 or more get 10% off).';
const PY_IMPORT_ERROR = reply('tests/test_repro.py', 'python', 'from inventory.discounts import bulk_discount\n\n\ndef test_discount_at_exactly_ten():\n    assert bulk_discount(10, 20.0) == 2.0\n');
const PY_GOOD = reply('tests/test_repro.py', 'python', 'from inventory.pricing import bulk_discount\n\n\ndef test_discount_at_exactly_ten():\n    assert bulk_discount(10, 20.0) == 2.0\n');
const PY_PASSING = reply('tests/test_repro.py', 'python', 'from inventory.pricing import bulk_discount\n\n\ndef test_discount_above_ten():\n    assert bulk_discount(11, 20.0) == 2.0\n');
const PY_IF = '    if quantity > BULK_THRESHOLD:';
const PY_BREAKS = block('inventory/pricing.py', PY_IF, '    if quantity >= 0:');
const PY_NO_FIX = block('inventory/pricing.py', PY_IF, '    if quantity > BULK_THRESHOLD and amount > 0:');
const PY_FIX = block('inventory/pricing.py', PY_IF, '    if quantity >= BULK_THRESHOLD:');
const PY_FIX_2 = block('inventory/pricing.py', PY_IF, '    if not quantity < BULK_THRESHOLD:');

async function pyRepo(): Promise<FixtureRepo> {
  const r = await makeFixtureRepo('py-inventory', {
    edit: async (dir) => {
      const f = join(dir, 'tests/test_pricing.py');
      const text = await readFile(f, 'utf8');
      await writeFile(f, text.replace(/\ndef test_bulk_discount_at_threshold\(\):\n {4}assert .*\n/, '\n'));
    },
  });
  repos.push(r);
  return r;
}

// ---- js-textkit (node:test), likewise without its failing test ----
const JS_ISSUE = 'slugify leaves repeated dashes in the slug: `slugify("Hello,  World!")` returns "hello--world"; it should collapse runs of separators into one dash.';
const JS_GOOD = reply('test/repro.test.js', 'js', "'use strict';\nconst test = require('node:test');\nconst assert = require('node:assert/strict');\nconst { slugify } = require('../src/slug');\n\ntest('slugify collapses a run of separators', () => {\n  assert.equal(slugify('Hello,  World!'), 'hello-world');\n});\n");
const JS_LINE = '  const dashed = lowered.replace(/[^a-z0-9]/g, SEPARATOR);';
const JS_BREAKS = block('src/slug.js', JS_LINE, "  const dashed = lowered.replace(/[^a-z0-9]+/g, '');");
const JS_NO_FIX = block('src/slug.js', "const trimSeparators = (s) => s.replace(/^-+|-+$/g, '');", "const trimSeparators = (s) => s.replace(/^-|-$/g, '');");
const JS_FIX = block('src/slug.js', JS_LINE, '  const dashed = lowered.replace(/[^a-z0-9]+/g, SEPARATOR);');

async function jsRepo(): Promise<FixtureRepo> {
  const r = await makeFixtureRepo('js-textkit', {
    edit: async (dir) => {
      const f = join(dir, 'test/slug.test.js');
      const text = await readFile(f, 'utf8');
      await writeFile(f, text.replace(/\ntest\('slugify collapses repeated separators'[\s\S]*?\n\}\);\n/, '\n'));
    },
  });
  repos.push(r);
  return r;
}

async function session(repo: FixtureRepo, script: ScriptedTurn[], over: Partial<FixSessionOptions> = {}) {
  server = await startScriptedServer({ script, expectedKey: 'sk-session' });
  const provider = createProvider({ provider: 'anthropic', apiKey: 'sk-session', baseUrl: server.url, model: 'claude-sonnet-5-5', maxRetries: 0 });
  const events: AgentEvent[] = [];
  const before = treeHash(repo.dir);
  const res = await runFixSession({ repo: repo.dir, issue: PY_ISSUE, provider, localizeCacheDir: false, onEvent: (e) => events.push(e), ...over });
  return { res, events, before, server };
}

describe('fix session from the issue text alone', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('python: a reproduction test (after an ImportError one is rejected) → SBFL → three candidates → the fixing one, with the tests named', async () => {
    const r = await pyRepo();
    const trajectoryPath = `${r.dir}-traj.json`;
    const { res, events, before, server } = await session(r, [
      { when: REPRO, text: PY_IMPORT_ERROR },
      { when: REPRO, text: PY_GOOD },
      report('inventory/pricing.py', 'bulk_discount'),
      { when: PATCHING, text: PY_BREAKS },
      { when: PATCHING, text: PY_NO_FIX },
      { when: PATCHING, text: PY_FIX },
    ], { trajectoryPath });

    // the oracle: the second reproduction test; the first was rejected and the model was told why
    const attempts = res.reproduction!.attempts;
    expect(attempts[0].rejected).toMatch(/ModuleNotFoundError|collection\/setup error/);
    expect(JSON.stringify(server.requests[1].body)).toMatch(/ModuleNotFoundError|inventory\.discounts/);
    expect(res.oracle).toMatchObject({ source: 'reproduction', tests: ['tests/test_repro.py::test_discount_at_exactly_ten'] });
    // SBFL from that test ranks the planted function first, and the model's prompt carried it
    expect(res.localization.source).toBe('sbfl');
    expect(res.localization.suspects[0]).toMatchObject({ file: 'inventory/pricing.py', symbol: 'bulk_discount' });
    const retrieval = JSON.stringify(server.requests[2].body);
    expect(retrieval).toMatch(/bulk_discount — suspiciousness/);
    expect(retrieval).toContain('test_discount_at_exactly_ten');

    // three candidates, one of each kind; the fixing one wins and the reason names the tests
    expect(res.candidates.map((c) => [c.id, c.verdict, c.kept])).toEqual([['c1', 'regressed', false], ['c2', 'unresolved', false], ['c3', 'resolved', true]]);
    expect(res.candidates[0].note).toMatch(/breaks .*test_no_discount_for_small_orders/);
    expect(res.candidates[1].note).toMatch(/oracle test\(s\) still fail: tests\/test_repro.py::test_discount_at_exactly_ten/);
    expect(res.status).toBe('patched');
    expect(res.chosenId).toBe('c3');
    expect(res.validated).toBe(true);
    expect(res.reason).toMatch(/^c3 passes the oracle test\(s\) tests\/test_repro.py::test_discount_at_exactly_ten, with no regression in the \d+ selected test file\(s\) \(.*tests\/test_pricing.py/);
    expect(res.diff).toContain('+    if quantity >= BULK_THRESHOLD:');

    // the review offers the reproduction test as a new file of its own
    const files = parseReviewPatch(res.reviewDiff!, r.dir);
    expect(files.map((f) => [f.rel, f.isNew, f.hunks.length])).toEqual([['inventory/pricing.py', false, 1], ['tests/test_repro.py', true, 1]]);

    // one ledger: every request the server answered is in the cost
    expect(res.usage.calls).toBe(server.requests.length);
    expect(res.usage.costUsd).toBeGreaterThan(0);
    const stages = [...new Set(events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage))];
    expect(stages).toEqual(['reproduce', 'localize', 'index', 'retrieve', 'patch', 'validate', 'select', 'done'].filter((s) => s !== 'index' || stages.includes('index')));
    expect(events.find((e) => e.type === 'oracle')).toMatchObject({ source: 'reproduction', reproduction: { file: 'tests/test_repro.py' } });
    const traj = JSON.parse(await readFile(trajectoryPath, 'utf8'));
    await rm(trajectoryPath, { force: true });
    expect(traj.session.oracle.source).toBe('reproduction');
    expect(traj.session.reproduction.attempts).toHaveLength(2);
    expect(traj.session.ledger.totals.calls).toBe(server.requests.length);

    expect(treeHash(r.dir)).toBe(before);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
  });

  it('javascript (node:test): the same loop picks the fixing candidate', async () => {
    const r = await jsRepo();
    const { res, before } = await session(r, [
      { when: REPRO, text: JS_GOOD },
      report('src/slug.js', 'slugify'),
      { when: PATCHING, text: JS_BREAKS },
      { when: PATCHING, text: JS_NO_FIX },
      { when: PATCHING, text: JS_FIX },
    ], { issue: JS_ISSUE });
    expect(res.oracle).toMatchObject({ source: 'reproduction', tests: ['test/repro.test.js::slugify collapses a run of separators'] });
    expect(res.localization.source).toBe('sbfl');
    expect(res.localization.suspects[0]).toMatchObject({ file: 'src/slug.js', symbol: 'slugify' });
    expect(res.candidates.map((c) => [c.id, c.verdict, c.kept])).toEqual([['c1', 'regressed', false], ['c2', 'unresolved', false], ['c3', 'resolved', true]]);
    expect(res.chosenId).toBe('c3');
    expect(res.reason).toContain('test/repro.test.js::slugify collapses a run of separators');
    expect(parseReviewPatch(res.reviewDiff!, r.dir).map((f) => f.rel)).toEqual(['src/slug.js', 'test/repro.test.js']);
    expect(treeHash(r.dir)).toBe(before);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
  });

  it.skipIf(lacks('python3-pytest'))('a model that never writes a usable reproduction test: the search-only path, said so', async () => {
    const r = await pyRepo();
    const { res, events } = await session(r, [
      { when: REPRO, text: 'I would rather not write a test.' },
      { when: REPRO, text: PY_PASSING },
      { when: REPRO, text: PY_IMPORT_ERROR },
      report('inventory/pricing.py', 'bulk_discount'),
      { when: PATCHING, text: PY_FIX },
    ], { limits: { candidates: 1 } });
    expect(res.reproduction!.attempts.map((a) => a.rejected)).toEqual([
      expect.stringMatching(/no code block/),
      expect.stringMatching(/passes on the current code/),
      expect.stringMatching(/ModuleNotFoundError|collection\/setup error/),
    ]);
    expect(res.oracle.source).toBe('none');
    expect(res.oracle.message).toMatch(/No usable reproduction test after 3 attempt\(s\).*regression tests and votes/);
    expect(res.localization).toMatchObject({ source: 'search-only', message: expect.stringMatching(/No failing test to localize from/) });
    expect(events.find((e) => e.type === 'localization')).toMatchObject({ source: 'search-only' });
    // no oracle: regression tests and the vote decide, and the reason says what it rests on
    expect(res.status).toBe('patched');
    expect(res.reason).toMatch(/^c1 breaks no selected test|^c1 makes failing test/);
    expect(res.reviewDiff).toBe(res.diff);
  });
});

describe.skipIf(lacks('python3-pytest', 'python3-coverage'))('one budget over every model call', () => {
  it('reached during reproduction: a clean stop, the cost of every call, no file changed', async () => {
    const r = await pyRepo();
    const { res, before, server } = await session(r, [
      { when: REPRO, text: PY_PASSING, usage: BIG },
      { when: REPRO, text: PY_GOOD },
    ], { budgetUsd: 1 });
    expect(res.status).toBe('budget-exhausted');
    expect(res.reason).toMatch(/Budget exhausted/);
    expect(server.requests).toHaveLength(1);
    expect(res.usage.calls).toBe(1);
    expect(res.usage.costUsd).toBeGreaterThanOrEqual(1);
    expect(res.diff).toBeUndefined();
    expect(treeHash(r.dir)).toBe(before);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
  });

  it('reached during candidates: the candidates so far are validated and one is chosen; the note says why there are fewer', async () => {
    const r = await pyRepo();
    const { res, before, server } = await session(r, [
      { when: REPRO, text: PY_GOOD },
      report('inventory/pricing.py', 'bulk_discount'),
      { when: PATCHING, text: PY_FIX, usage: BIG },
      { when: PATCHING, text: PY_NO_FIX },
    ], { budgetUsd: 1 });
    expect(server.requests).toHaveLength(3);
    expect(res.usage.calls).toBe(3);
    expect(res.candidates.map((c) => c.id)).toEqual(['c1']);
    expect(res.status).toBe('patched');
    expect(res.chosenId).toBe('c1');
    expect(res.notes.join('\n')).toMatch(/budget/i);
    expect(treeHash(r.dir)).toBe(before);
    expect(await listRoverCheckouts(r.dir)).toEqual([]);
  });

  it('at the reviewer: a tie is broken by the model while the budget lasts (and its call is counted), by size when it does not', async () => {
    const r = await pyRepo();
    const tie: ScriptedTurn[] = [
      { when: REPRO, text: PY_GOOD },
      report('inventory/pricing.py', 'bulk_discount'),
      { when: PATCHING, text: PY_FIX_2 },
      { when: PATCHING, text: PY_FIX },
      { when: { systemIncludes: 'You review candidate patches' }, text: 'BEST: c2' },
    ];
    const funded = await session(r, tie, { limits: { candidates: 2 }, budgetUsd: 5 });
    expect(funded.res.chosenId).toBe('c2');
    expect(funded.res.reason).toMatch(/model reviewer preferred c2/);
    expect(funded.server.requests).toHaveLength(5);
    expect(funded.res.usage.calls).toBe(5);
    await server!.close();

    // the second candidate spends the rest: the reviewer is never asked
    tie[3] = { ...tie[3], usage: BIG };
    const { res, before, server: s2 } = await session(r, tie, { limits: { candidates: 2 }, budgetUsd: 1 });
    expect(s2.requests).toHaveLength(4);
    expect(res.usage.calls).toBe(4);
    expect(res.status).toBe('patched');
    expect(res.reason).toMatch(/budget was spent before the reviewer could break the tie, so the smallest change won/);
    expect(res.notes.join('\n')).toMatch(/budget was spent before the model could break a tie/);
    expect(treeHash(r.dir)).toBe(before);
  });
});

describe.skipIf(lacks('python3-pytest', 'python3-coverage'))('cancel at any step', () => {
  for (const stage of ['reproduce', 'localize', 'retrieve', 'patch', 'validate'] as const) {
    it(`during ${stage}: cancelled, the tree byte-identical, no worktree left`, async () => {
      const r = await pyRepo();
      const ac = new AbortController();
      const slow = (t: ScriptedTurn): ScriptedTurn => ({ ...t, chunkDelayMs: 40, chunkSize: 4 });
      const { res, before } = await session(r, [
        slow({ when: REPRO, text: PY_GOOD }),
        slow(report('inventory/pricing.py', 'bulk_discount')),
        slow({ when: PATCHING, text: PY_FIX }),
      ], {
        limits: { candidates: 1 },
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'stage' && e.stage === stage && !ac.signal.aborted) setTimeout(() => ac.abort(), 150);
        },
      });
      expect(ac.signal.aborted).toBe(true);
      expect(res.status).toBe('cancelled');
      expect(res.diff).toBeUndefined();
      expect(treeHash(r.dir)).toBe(before);
      expect(await listRoverCheckouts(r.dir)).toEqual([]);
    });
  }
});
