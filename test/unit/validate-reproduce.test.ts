// The reproduction test loop against a scripted model server (real Anthropic SDK client): a test
// that errors on import is rejected and explained to the model, one that passes on the base commit
// is rejected, one that fails by assertion is kept, and then serves as the oracle for choosing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi } from 'vitest';

// real git worktrees and test runs: slow on a loaded 2-core machine
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
import { generateReproductionTest, judgeReproduction, newFileDiff, parseReply } from '../../src/core/agent/reproduce';
import { chooseCandidate } from '../../src/core/validate/choose';
import { createProvider } from '../../src/core/llm';
import { listRoverCheckouts } from '../../src/core/runner';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-model-server.mjs';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor, userTreeState } from './validate-helpers';
import { lacks } from '../support/system-deps';

const ISSUE = 'bulk_discount gives no discount for exactly 10 units, but orders of 10 or more should get 10% off.';
const IMPORT_ERROR_TEST = 'FILE: tests/test_repro.py\n```python\nfrom inventory.missing_module import bulk_discount\n\ndef test_threshold():\n    assert bulk_discount(10, 20.0) == 2.0\n```\n';
const PASSING_TEST = 'FILE: tests/test_repro.py\n```python\nfrom inventory.pricing import bulk_discount\n\ndef test_threshold():\n    assert bulk_discount(11, 20.0) == 2.0\n```\n';
const GOOD_TEST = 'FILE: tests/test_repro.py\n```python\nfrom inventory.pricing import bulk_discount\n\ndef test_discount_at_exactly_ten():\n    assert bulk_discount(10, 20.0) == 2.0\n```\n';

describe('reproduction test', () => {
  let repo: FixtureRepo;
  let server: ScriptedServer;
  beforeAll(async () => {
    repo = await makeFixtureRepo('py-inventory');
    server = await startScriptedServer({ script: [] });
  });
  afterAll(async () => {
    await server.close();
    await repo.cleanup();
  });

  it('parses the reply and builds an applicable new-file diff', () => {
    expect(parseReply(GOOD_TEST)).toEqual({ file: 'tests/test_repro.py', content: expect.stringContaining('def test_discount_at_exactly_ten') });
    expect(newFileDiff('t/a.py', 'x = 1\ny = 2\n')).toBe('diff --git a/t/a.py b/t/a.py\nnew file mode 100644\n--- /dev/null\n+++ b/t/a.py\n@@ -0,0 +1,2 @@\n+x = 1\n+y = 2\n');
  });

  it.skipIf(lacks('python3-pytest'))('rejects an import error and a passing test, keeps the one failing by assertion, then it decides among candidates', async () => {
    server.setScript([{ text: IMPORT_ERROR_TEST }, { text: PASSING_TEST }, { text: GOOD_TEST }]);
    const provider = createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: server.url, maxRetries: 0 });
    const state = await userTreeState(repo.dir);
    const r = await generateReproductionTest({ repo: repo.dir, issue: ISSUE, provider });
    expect(r.attempts).toHaveLength(3);
    expect(r.attempts[0].rejected).toMatch(/collection\/setup error|unrelated reason/);
    expect(r.attempts[1].rejected).toMatch(/passes on the current code/);
    expect(r.test?.failingTests).toEqual(['tests/test_repro.py::test_discount_at_exactly_ten']);
    // the rejection reasons went back to the model
    expect(JSON.stringify(server.requests[1].body)).toMatch(/ModuleNotFoundError|missing_module/);
    expect(JSON.stringify(server.requests[2].body)).toMatch(/passes on the current code/);
    expect(await userTreeState(repo.dir)).toBe(state);
    expect(await listRoverCheckouts(repo.dir)).toEqual([]);

    const fix = await diffFor(repo.dir, 'inventory/pricing.py', (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    const noop = await diffFor(repo.dir, 'inventory/pricing.py', (t) => t.replace('BULK_THRESHOLD = 10', 'BULK_THRESHOLD = 10  # units'));
    const choice = await chooseCandidate([{ id: 'noop', diff: noop }, { id: 'fix', diff: fix }], {
      repo: repo.dir, oracle: r.test!.failingTests, setupPatch: r.test!.patch, regression: 'none',
    });
    expect(choice.winner).toBe('fix');
    expect(choice.ranking.find((x) => x.id === 'noop')?.reason).toMatch(/oracle test\(s\) still fail/);
  });

  it.skipIf(lacks('python3-pytest'))('gives up after the attempts, with every reason', async () => {
    server.setScript([{ text: 'I cannot write a test.' }, { text: PASSING_TEST }]);
    const provider = createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: server.url, maxRetries: 0 });
    const r = await generateReproductionTest({ repo: repo.dir, issue: ISSUE, provider, maxAttempts: 2 });
    expect(r.test).toBeUndefined();
    expect(r.reason).toMatch(/no code block/);
    expect(r.reason).toMatch(/passes on the current code/);
  });

  it('judges failures: the exception the issue names, or an assertion', () => {
    const run = (message: string, status: 'failed' | 'error' = 'failed') => ({
      command: [], results: { 't.py::test_a': status }, exitCode: 1, timedOut: false, cancelled: false, durationMs: 1, output: message,
      failures: [{ id: 't.py::test_a', message }],
    });
    expect(judgeReproduction(run('ZeroDivisionError: division by zero'), 't.py', 'Crash: ZeroDivisionError when the cart is empty')).toBeUndefined();
    expect(judgeReproduction(run('KeyError: x'), 't.py', 'Crash: ZeroDivisionError when the cart is empty')).toMatch(/not with ZeroDivisionError/);
    expect(judgeReproduction(run('assert 0.0 == 2.0'), 't.py', 'Crash: ZeroDivisionError when the cart is empty')).toBeUndefined();
    expect(judgeReproduction(run("NameError: name 'x' is not defined"), 't.py', 'wrong total')).toMatch(/unrelated reason/);
    expect(judgeReproduction(run('fixture missing', 'error'), 't.py', 'wrong total')).toMatch(/errored/);
  });
});
