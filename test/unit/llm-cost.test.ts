import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-model-server.mjs';
import {
  BudgetExceededError,
  CostLedger,
  costOf,
  createProvider,
  lookupPrice,
  withBudget,
  type ChatResponse,
} from '../../src/core/llm';

const resp = (costUsd: number, tokens = 100): ChatResponse => ({
  message: { role: 'assistant', text: 'x', toolCalls: [] },
  text: 'x',
  toolCalls: [],
  stopReason: 'end_turn',
  usage: { inputTokens: tokens, outputTokens: tokens / 2, cacheReadTokens: 10, cacheWriteTokens: 5 },
  costUsd,
  model: 'm',
  ms: 7,
});

describe('price table', () => {
  it('matches dated snapshots by longest prefix and lets overrides win', () => {
    expect(lookupPrice('claude-sonnet-4-5-20250929')).toMatchObject({ known: true, key: 'claude-sonnet-4' });
    expect(lookupPrice('claude-opus-4-5-20251101')).toMatchObject({ known: true, key: 'claude-opus-4-5', price: { input: 5 } });
    expect(lookupPrice('claude-opus-4-1-20250805').price.input).toBe(15);
    expect(lookupPrice('claude-sonnet-5-5').price).toMatchObject({ input: 2, output: 10, cacheRead: 0.1 });
    expect(lookupPrice('gpt-4o-mini-2024-07-18').key).toBe('gpt-4o-mini');
    expect(lookupPrice('gpt-5.4-mini-2026-03-17').key).toBe('gpt-5.4-mini');
    expect(lookupPrice('gpt-4o', { 'gpt-4o': { input: 1, output: 1 } }).price.input).toBe(1);
    expect(lookupPrice('mystery-model')).toMatchObject({ known: false, price: { input: 0 } });
    expect(lookupPrice('mystery-model', undefined, true)).toMatchObject({ known: true, price: { input: 0 } });
  });

  it('prices each token class, falling back to the input price for cache classes', () => {
    const u = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 };
    expect(costOf(u, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 })).toBeCloseTo(22.05, 9);
    expect(costOf(u, { input: 1, output: 2 })).toBeCloseTo(5, 9);
  });

  it('bills a long prompt at the long-prompt tier (Haiku 5.5)', () => {
    const { price } = lookupPrice('claude-haiku-5-5');
    const short = costOf({ inputTokens: 50_000, outputTokens: 1000, cacheReadTokens: 0, cacheWriteTokens: 0 }, price);
    const long = costOf({ inputTokens: 50_000, outputTokens: 1000, cacheReadTokens: 60_000, cacheWriteTokens: 0 }, price);
    expect(short).toBeCloseTo((50_000 * 0.1 + 1000 * 0.5) / 1e6, 12);
    expect(long).toBeCloseTo((50_000 * 0.5 + 1000 * 2.5 + 60_000 * 0.05) / 1e6, 12);
  });
});

describe('CostLedger', () => {
  it('sums per call and per run', () => {
    const l = new CostLedger();
    l.record(resp(0.01));
    l.record(resp(0.02, 200));
    expect(l.totals).toMatchObject({ calls: 2, inputTokens: 300, outputTokens: 150, cacheReadTokens: 20, cacheWriteTokens: 10, ms: 14 });
    expect(l.totals.costUsd).toBeCloseTo(0.03, 12);
    expect(l.perCall).toHaveLength(2);
    expect(l.remaining()).toBe(Infinity);
    expect(l.exhausted()).toBe(false);
    expect(l.toJSON().estimate).toBe(true);
  });

  it('flags and throws once the cap is reached', () => {
    const l = new CostLedger(0.05);
    l.record(resp(0.03));
    expect(l.remaining()).toBeCloseTo(0.02, 12);
    l.assertWithinBudget();
    l.record(resp(0.03)); // the call that crosses the cap is still recorded
    expect(l.exhausted()).toBe(true);
    expect(l.remaining()).toBe(0);
    expect(() => l.assertWithinBudget()).toThrow(BudgetExceededError);
    expect(() => l.assertWithinBudget()).toThrow(/Budget exhausted: estimated spend \$0\.0600 reached the cap of \$0\.05/);
  });

  it('rejects a nonsensical budget', () => {
    expect(() => new CostLedger(0)).toThrow(/positive/);
    expect(() => new CostLedger(Number.NaN)).toThrow(/positive/);
  });
});

describe('withBudget over a real provider', () => {
  let server: ScriptedServer;
  afterEach(async () => server?.close());

  it('stops before the call after the cap, keeping the response that crossed it', async () => {
    // 1M input + 0 output tokens of claude-sonnet-5-5 at $2/MTok = $2 per call.
    const turn = { text: 'step', repeat: true, usage: { input_tokens: 1_000_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } };
    server = await startScriptedServer({ script: [turn] });
    const ledger = new CostLedger(3);
    const p = withBudget(createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: server.url, model: 'claude-sonnet-5-5' }), ledger);
    const req = { system: 's', messages: [{ role: 'user' as const, content: 'go' }] };
    const r1 = await p.complete(req);
    expect(r1.costUsd).toBeCloseTo(2, 6);
    const r2 = await p.complete(req);
    expect(r2.text).toBe('step');
    expect(ledger.exhausted()).toBe(true);
    const err = await p.complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err.spentUsd).toBeCloseTo(4, 6);
    expect(server.requests).toHaveLength(2); // the third call never reached the server
    expect(ledger.totals.calls).toBe(2);
  });

  it('counts the input billed by a stream cut mid-answer, and by a replayed cut', async () => {
    const usage = { input_tokens: 1_000_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    // Cut after text was shown: not replayed, the call fails, but $2 of input was billed.
    server = await startScriptedServer({ script: [{ text: 'x'.repeat(300), chunkSize: 20, cutStreamAfterBytes: 900, times: 1, usage }] });
    const ledger = new CostLedger(100);
    const p = withBudget(
      createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: server.url, model: 'claude-sonnet-5-5', retryBaseMs: 1 }),
      ledger,
    );
    const req = { system: 's', messages: [{ role: 'user' as const, content: 'go' }] };
    const err = await p.complete(req, { onText: () => {} }).catch((e) => e);
    expect(err.kind).toBe('stream-cut');
    expect(err.usage.inputTokens).toBe(1_000_000);
    expect(err.costUsd).toBeCloseTo(2, 4);
    expect(ledger.perCall[0]).toMatchObject({ failed: true, stopReason: 'error:stream-cut' });
    expect(ledger.totals.costUsd).toBeCloseTo(2, 4);

    // Cut right after message_start: replayed; the reply's usage includes both attempts.
    server.setScript([{ text: 'ok', cutStreamAfterBytes: 420, times: 1, usage }]);
    const r = await p.complete(req);
    expect(server.requests.map((q) => q.response?.cut)).toEqual([true, true, false]);
    expect(r.text).toBe('ok');
    expect(r.attempts).toBe(2);
    expect(r.retriedUsage?.inputTokens).toBe(1_000_000);
    expect(r.usage.inputTokens).toBe(2_000_000);
    expect(r.costUsd).toBeCloseTo(4, 4);
    expect(ledger.totals.costUsd).toBeCloseTo(6, 4);
  });
});
