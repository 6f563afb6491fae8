// `rover validate` as a user runs it: argument errors are clear, a real run prints JSON with the verdict.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/validate-cmd';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor } from './validate-helpers';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

describe('rover validate', () => {
  let repo: FixtureRepo;
  let patchFile: string;
  beforeAll(async () => {
    repo = await makeFixtureRepo('py-inventory');
    patchFile = join(repo.dir, '..', `${repo.dir.split('/').pop()}.diff`);
    await writeFile(patchFile, await diffFor(repo.dir, 'inventory/pricing.py', (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD')));
  });
  afterAll(async () => repo.cleanup());

  it('rejects bad arguments with a message naming the problem', async () => {
    await expect(run(['--repo', repo.dir])).rejects.toThrow(/--patch is required/);
    await expect(run(['--patch', patchFile])).rejects.toThrow(/--repo is required/);
    await expect(run(['--repo', repo.dir, '--patch', patchFile, '--timeout', 'soon'])).rejects.toThrow(/--timeout must be a positive number/);
    await expect(run(['--repo', repo.dir, '--patch', '/nonexistent/x.diff'])).rejects.toThrow(/cannot read the patch/);
    await expect(run(['--repo', repo.dir, '--patch', patchFile, '--bogus'])).rejects.toThrow(/bogus/);
  });

  it('prints per-test results and the verdict as JSON, exit 0 when resolved', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    try {
      const code = await run(['--repo', repo.dir, '--patch', patchFile, '--json', '--tests', 'tests/test_pricing.py::test_bulk_discount_at_threshold']);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const j = JSON.parse(out.join('\n'));
    expect(j.verdict).toBe('resolved');
    expect(j.failToPass).toEqual(['tests/test_pricing.py::test_bulk_discount_at_threshold']);
    expect(j.before.results['tests/test_pricing.py::test_bulk_discount_at_threshold']).toBe('failed');
  });
});
