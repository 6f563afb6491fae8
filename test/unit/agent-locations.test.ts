// Where the model says the bug is, matched against the index: exact, nearest name, file only; paths
// outside the repository refused.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveLocation } from '../../src/core/agent/locations';
import { WorkspaceIndex } from '../../src/core/index';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';

const repos: FixtureRepo[] = [];
afterEach(async () => {
  for (const r of repos.splice(0)) await r.cleanup();
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
