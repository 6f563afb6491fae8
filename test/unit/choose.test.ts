// chooseCandidate on the pytest fixture with real candidates: duplicates that differ only in
// whitespace/comments vote together; regressions, syntax errors and non-applying diffs are dropped
// with a recorded reason; a tie goes to the model reviewer (scripted server, real SDK client).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi } from 'vitest';

// real git worktrees and test runs: slow on a loaded 2-core machine
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
import { chooseCandidate, normalizePatch } from '../../src/core/validate/choose';
import { createProvider } from '../../src/core/llm';
import { listRoverCheckouts } from '../../src/core/runner';
import { startScriptedServer } from '../support/scripted-model-server.mjs';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor } from './validate-helpers';
import { lacks } from '../support/system-deps';

const PRICING = 'inventory/pricing.py';
const F2P = 'tests/test_pricing.py::test_bulk_discount_at_threshold';

describe('normalizePatch', () => {
  it('folds whitespace and comments but not code', () => {
    const a = 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,1 +1,1 @@\n-    if a > b:\n+    if a >= b:\n';
    const b = 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3,2 +3,3 @@\n-    if a > b:\n+    # inclusive now\n+    if a >=  b:   # boundary\n';
    const c = a.replace('a >= b', 'a > b - 1');
    expect(normalizePatch(a)).toBe(normalizePatch(b));
    expect(normalizePatch(a)).not.toBe(normalizePatch(c));
  });
});

describe('chooseCandidate', () => {
  let repo: FixtureRepo;
  const c: Record<string, string> = {};
  beforeAll(async () => {
    repo = await makeFixtureRepo('py-inventory');
    c.fix = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    c.fixAgain = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD:', 'quantity >=  BULK_THRESHOLD:  # inclusive'));
    c.other = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity + 1 > BULK_THRESHOLD'));
    c.regress = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= 0'));
    c.syntax = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD)'));
    c.stale = c.fix.replace(/quantity > BULK_THRESHOLD/g, 'qty > LIMIT');
  });
  afterAll(async () => repo.cleanup());

  it.skipIf(lacks('python3-pytest'))('filters, votes and records why the winner won', async () => {
    const cands = ['stale', 'syntax', 'regress', 'other', 'fix', 'fixAgain'].map((id) => ({ id, diff: c[id] }));
    const r = await chooseCandidate(cands, { repo: repo.dir, oracle: [F2P] });
    expect(r.winner).toBe('fix');
    expect(r.reason).toMatch(/2 of 3 surviving/);
    const by = Object.fromEntries(r.ranking.map((x) => [x.id, x]));
    expect(by.stale).toMatchObject({ kept: false, reason: 'does not apply' });
    expect(by.syntax.kept).toBe(false);
    expect(by.syntax.reason).toMatch(/new syntax error in inventory\/pricing\.py/);
    expect(by.regress.kept).toBe(false);
    expect(by.regress.reason).toMatch(/breaks .*test_no_discount_for_small_orders/);
    expect(by.other.kept).toBe(true);
    expect(by.fixAgain.group).toEqual(['fix', 'fixAgain']);
    expect(r.ranking[0].id).toBe('fix');
    expect(r.evidence.fix.verdict).toBe('resolved');
    expect(r.regression.files).toContain('tests/test_pricing.py');
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);
  });

  it.skipIf(lacks('python3-pytest'))('breaks a tie with the model as reviewer, and says so', async () => {
    const server = await startScriptedServer({ script: [{ text: 'Both pass. BEST: other' }] });
    try {
      const provider = createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: server.url, maxRetries: 0 });
      const r = await chooseCandidate([{ id: 'fix', diff: c.fix }, { id: 'other', diff: c.other }], { repo: repo.dir, oracle: [F2P], provider, issue: 'Bulk discount is not applied at exactly 10 items.' });
      expect(r.winner).toBe('other');
      expect(r.reason).toMatch(/model reviewer preferred other/);
      expect(server.requests).toHaveLength(1);
      expect(JSON.stringify(server.requests[0].body)).toContain('Bulk discount is not applied');
    } finally {
      await server.close();
    }
  });

  it('no survivor: no winner, every reason listed', async () => {
    const r = await chooseCandidate([{ id: 'regress', diff: c.regress }, { id: 'stale', diff: c.stale }], { repo: repo.dir, oracle: [F2P] });
    expect(r.winner).toBeUndefined();
    expect(r.reason).toMatch(/No candidate survived/);
    expect(r.reason).toMatch(/stale: does not apply/);
  });
});
