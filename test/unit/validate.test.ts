// validatePatch end to end on real fixture repositories: real git worktrees, real pytest (Debian's),
// real node --test and mocha. Fail→pass, pass→fail, crash, bad patches, dirty trees, cleanup.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';

// real git worktrees and test runs: slow on a loaded 2-core machine
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
import { detectRunner, listRoverCheckouts } from '../../src/core/runner';
import { validatePatch } from '../../src/core/validate';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor, userTreeState } from './validate-helpers';
import { lacks } from '../support/system-deps';

const PRICING = 'inventory/pricing.py';
const F2P = 'tests/test_pricing.py::test_bulk_discount_at_threshold';

describe('validatePatch on the pytest fixture', () => {
  let repo: FixtureRepo;
  let wtParent: string;
  beforeEach(async () => {
    repo = await makeFixtureRepo('py-inventory');
    wtParent = await mkdtemp(join(tmpdir(), 'rover-vt-'));
  });
  afterEach(async () => {
    await repo.cleanup();
    await rm(wtParent, { recursive: true, force: true });
  });

  it.skipIf(lacks('python3-pytest'))('fail→pass: the fix resolves the failing test and leaves the user tree alone', async () => {
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    const state = await userTreeState(repo.dir);
    const r = await validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent });
    expect(r.verdict).toBe('resolved');
    expect(r.failToPass).toEqual([F2P]);
    expect(r.passToFail).toEqual([]);
    expect(r.before.results[F2P]).toBe('failed');
    expect(r.after.results[F2P]).toBe('passed');
    expect(Object.keys(r.after.results)).toHaveLength(10);
    expect(r.before.failures[0]).toMatchObject({ id: F2P, file: 'tests/test_pricing.py', line: 14 });
    expect(r.runner?.detectedFrom).toBe('pytest.ini');
    expect(await userTreeState(repo.dir)).toBe(state);
    expect(await listRoverCheckouts(repo.dir, wtParent)).toEqual([]);
    // no empty per-repository folder is left behind either
    expect(await readdir(wtParent)).toEqual([]);
  });

  it.skipIf(lacks('python3-pytest'))('pass→fail: a patch that breaks other tests is "regressed" and names them', async () => {
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= 0'));
    const r = await validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent });
    expect(r.verdict).toBe('regressed');
    expect(r.passToFail).toContain('tests/test_pricing.py::test_no_discount_for_small_orders');
    expect(r.explanation).toMatch(/breaks \d+ test/);
  });

  it.skipIf(lacks('python3-pytest'))('with an oracle: only the target test decides, missing counts as failing', async () => {
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    const r = await validatePatch({ repo: repo.dir, patch, tests: [F2P], checkoutParent: wtParent });
    expect(r.verdict).toBe('resolved');
    expect(Object.keys(r.after.results)).toEqual([F2P]);
    const none = await validatePatch({ repo: repo.dir, patch, tests: [`${F2P}_typo`], checkoutParent: wtParent });
    expect(none.verdict).toBe('unresolved');
    expect(none.explanation).toMatch(/did not run/);
  });

  it.skipIf(lacks('python3-pytest'))('crash: a syntax error in the patch fails collection and is reported as regressed', async () => {
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('def bulk_discount', 'def bulk_discount(:\ndef _old'));
    const r = await validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent });
    expect(r.verdict).toBe('regressed');
    expect(r.after.results['tests/test_pricing.py']).toBe('error');
    expect(r.after.output).toMatch(/SyntaxError/);
  });

  it('a patch that does not apply: verdict with git\'s message, no tests run', async () => {
    const patch = (await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'))).replace(/quantity > BULK_THRESHOLD/g, 'quantity > NOT_THERE');
    const r = await validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent, fuzzy: false });
    expect(r.verdict).toBe('patch-does-not-apply');
    expect(r.explanation).toMatch(/patch failed|does not apply/);
    expect(r.before.command).toEqual([]);
    const garbage = await validatePatch({ repo: repo.dir, patch: 'this is not a diff\n', checkoutParent: wtParent });
    expect(garbage.verdict).toBe('patch-does-not-apply');
    const empty = await validatePatch({ repo: repo.dir, patch: '  \n', checkoutParent: wtParent });
    expect(empty.verdict).toBe('patch-does-not-apply');
    expect(empty.explanation).toMatch(/empty/);
    expect(await listRoverCheckouts(repo.dir, wtParent)).toEqual([]);
  });

  it.skipIf(lacks('python3-pytest'))('a dirty user tree: validates HEAD + the uncommitted changes, and leaves them as they were', async () => {
    // the user already fixed the bug but has not committed; an unrelated untracked test file exists too
    const p = join(repo.dir, PRICING);
    const orig = await readFile(p, 'utf8');
    await writeFile(p, orig.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    await writeFile(join(repo.dir, 'tests', 'test_extra.py'), 'from inventory.pricing import bulk_discount\n\ndef test_extra():\n    assert bulk_discount(10, 20.0) == 2.0\n');
    const patch = await diffFor(repo.dir, 'inventory/cart.py', (t) => `${t}\n# touched\n`);
    const state = await userTreeState(repo.dir);
    const r = await validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent });
    expect(r.before.results[F2P]).toBe('passed');
    expect(r.before.results['tests/test_extra.py::test_extra']).toBe('passed');
    expect(r.verdict).toBe('unresolved'); // nothing to fix any more: all pass before and after
    expect(r.explanation).toMatch(/pass with and without/);
    expect(await userTreeState(repo.dir)).toBe(state);
    const committedOnly = await validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent, includeUncommitted: false });
    expect(committedOnly.before.results[F2P]).toBe('failed');
    expect(committedOnly.before.results['tests/test_extra.py::test_extra']).toBeUndefined();
  });

  it('cancellation stops the run and removes the worktree', async () => {
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    const ac = new AbortController();
    const runner = { ...(await detectRunner(repo.dir)), command: ['/bin/sh', '-c', 'sleep 30'], reportFormat: 'exit-code' as const };
    setTimeout(() => ac.abort(), 500);
    const t0 = Date.now();
    const r = await validatePatch({ repo: repo.dir, patch, runner, signal: ac.signal, checkoutParent: wtParent });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.verdict).toBe('error');
    expect(r.before.cancelled).toBe(true);
    expect(await listRoverCheckouts(repo.dir, wtParent)).toEqual([]);
  });

  it('an exception inside validation still removes the worktree', async () => {
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    await expect(validatePatch({ repo: repo.dir, patch, checkoutParent: wtParent, inspect: async () => { throw new Error('boom'); } })).rejects.toThrow('boom');
    expect(await listRoverCheckouts(repo.dir, wtParent)).toEqual([]);
  });

  it('a worktree left by a crashed run is removed on the next start', async () => {
    // simulate a crash: a registered worktree whose owner pid no longer exists
    const { createCheckout } = await import('../../src/core/runner/checkout');
    const wt = await createCheckout(repo.dir, { parentDir: wtParent });
    await writeFile(`${wt.path}.rover-owner.json`, JSON.stringify({ pid: 2 ** 22 + 4242 }));
    expect(await listRoverCheckouts(repo.dir, wtParent)).toEqual([wt.path]);
    const patch = await diffFor(repo.dir, PRICING, (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    await validatePatch({ repo: repo.dir, patch, tests: [F2P], checkoutParent: wtParent });
    expect(existsSync(wt.path)).toBe(false);
    expect(await listRoverCheckouts(repo.dir, wtParent)).toEqual([]);
  });
});

describe('validatePatch on JS fixtures', () => {
  let repo: FixtureRepo;
  afterEach(async () => repo.cleanup());

  it("node's runner: fail→pass with file::name ids", async () => {
    repo = await makeFixtureRepo('js-textkit');
    const id = 'test/slug.test.js::slugify collapses repeated separators';
    const patch = await diffFor(repo.dir, 'src/slug.js', (t) => t.replace('/[^a-z0-9]/g', '/[^a-z0-9]+/g'));
    const r = await validatePatch({ repo: repo.dir, patch });
    expect(r.runner?.kind).toBe('node');
    expect(r.before.results[id]).toBe('failed');
    expect(r.before.failures.find((f) => f.id === id)?.line).toBe(15);
    expect(r.after.results[id]).toBe('passed');
    expect(r.verdict).toBe('resolved');
    expect(Object.keys(r.after.results).length).toBe(9);
  });

  it("node's runner: a module that throws on load is a crash (pass→fail)", async () => {
    repo = await makeFixtureRepo('js-textkit');
    const patch = await diffFor(repo.dir, 'src/wrap.js', (t) => `throw new Error('broken module');\n${t}`);
    const r = await validatePatch({ repo: repo.dir, patch, tests: ['test/wrap.test.js::wrap breaks at width'] });
    expect(r.verdict).toBe('regressed');
    expect(r.passToFail).toContain('test/wrap.test.js::wrap breaks at width');
  });

  it("node's runner: a patch that makes a test loop forever is killed at the timeout", async () => {
    repo = await makeFixtureRepo('js-textkit');
    const patch = await diffFor(repo.dir, 'src/slug.js', (t) => t.replace("if (typeof text !== 'string') {", "while (text === 'Hello,  World!') { /* spin */ }\n  if (typeof text !== 'string') {"));
    const t0 = Date.now();
    const r = await validatePatch({ repo: repo.dir, patch, tests: ['test/slug.test.js::slugify collapses repeated separators'], timeoutMs: 8000 });
    expect(r.verdict).toBe('timeout');
    expect(r.after.timedOut).toBe(true);
    expect(r.before.timedOut).toBe(false);
    expect(Date.now() - t0).toBeLessThan(120_000);
  });

  it("mocha through Rover's reporter, node_modules linked into the worktree", async () => {
    repo = await makeFixtureRepo('validate-mocha');
    await symlink(resolve(__dirname, '..', '..', 'node_modules'), join(repo.dir, 'node_modules'), 'dir');
    expect(await simpleGit(repo.dir).raw(['status', '--porcelain'])).toBe('');
    const runner = await detectRunner(repo.dir);
    expect(runner.kind).toBe('mocha');
    expect(runner.defaultTests).toEqual(['test/']);
    const fix = await diffFor(repo.dir, 'lib/range.js', (t) => t.replace('i < end', 'i <= end'));
    const r = await validatePatch({ repo: repo.dir, patch: fix });
    expect(r.verdict).toBe('resolved');
    expect(r.failToPass).toEqual(['test/range.test.js::range > includes both ends']);
    const breaking = await diffFor(repo.dir, 'lib/range.js', (t) => t.replace('a + b', 'a - b'));
    const r2 = await validatePatch({ repo: repo.dir, patch: breaking });
    expect(r2.verdict).toBe('regressed');
    expect(r2.passToFail).toEqual(['test/range.test.js::sum > adds numbers']);
  });
});

describe('repositories without tests', () => {
  it.skipIf(lacks('python3-pytest'))('pytest configured but no tests: "no-tests", suggesting the reproduction test', async () => {
    const repo = await makeFixtureRepo('validate-notests');
    const patch = await diffFor(repo.dir, 'pkg/__init__.py', (t) => t.replace('42', '43'));
    const r = await validatePatch({ repo: repo.dir, patch });
    expect(r.verdict).toBe('no-tests');
    expect(r.explanation).toMatch(/reproduction test/);
    await repo.cleanup();
  });

  it('no runner at all: "no-tests" with how to configure one', async () => {
    const repo = await makeFixtureRepo('validate-notests');
    const { rm } = await import('node:fs/promises');
    await rm(join(repo.dir, 'pytest.ini'));
    await simpleGit(repo.dir).raw(['commit', '-qam', 'no config']);
    const patch = await diffFor(repo.dir, 'pkg/__init__.py', (t) => t.replace('42', '43'));
    const r = await validatePatch({ repo: repo.dir, patch });
    expect(r.verdict).toBe('no-tests');
    expect(r.explanation).toMatch(/rover\.tests\.command/);
    expect(r.explanation).toMatch(/reproduction test/);
    await repo.cleanup();
  });
});
