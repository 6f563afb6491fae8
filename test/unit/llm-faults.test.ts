// Model replies that used to hang or crash a run, against the real SDK clients and the scripted
// server: a server that only pings, one that answers after minutes, tool arguments nested 20,000
// levels deep or 10 MB long, an 8 MB reply, a reply quoting the API key.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonDepth, nestedDeeperThan } from '../../src/core/llm/bounds';
import { StreamRedactor } from '../../src/core/llm/redact';
import { createProvider, extractTextToolCalls, ModelError, type ChatRequest, type ProviderId, type ToolSpec } from '../../src/core/llm';
import { startScriptedServer, type Script, type ScriptedServer } from '../support/scripted-model-server.mjs';

const KEY = 'sk-ant-faults-0123456789abcdefSECRETKEY';
const tools: ToolSpec[] = [{ name: 'search_code', description: 'Search', schema: z.object({ code_str: z.string() }) }];
const req = (): ChatRequest => ({ system: 'You fix bugs.', messages: [{ role: 'user', content: 'ISSUE: x' }], tools });

let server: ScriptedServer | undefined;
async function serve(script: Script): Promise<string> {
  server = await startScriptedServer({ script });
  return server.url;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function provider(id: ProviderId, url: string, over: Record<string, unknown> = {}) {
  return createProvider(
    { provider: id, apiKey: KEY, baseUrl: id === 'openai' ? `${url}/v1` : url, model: id === 'openai' ? 'gpt-4o' : 'claude-sonnet-5-5', retryBaseMs: 5, retryMaxMs: 50, ...over },
    { random: () => 0.5 },
  );
}

const both: ProviderId[] = ['anthropic', 'openai'];

describe.each(both)('%s: no reply can hang a call', (id) => {
  it('a server that sends headers and then only keep-alive pings fails by the deadline with a clear error', async () => {
    const url = await serve([{ text: 'never sent', hang: { pingEveryMs: 50 }, repeat: true }]);
    const t0 = Date.now();
    const err = await provider(id, url, { streamIdleMs: 300, deadlineMs: 2000, maxRetries: 10 }).complete(req()).catch((e) => e);
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/No complete answer from .* within 2 s, the limit for one model call/);
    expect(err.message).toMatch(/no data for 300 ms/);
    expect(took).toBeLessThan(3500);
    // the idle guard cut each silent attempt and retried within the deadline
    expect(server!.requests.length).toBeGreaterThan(1);
  });

  it('a server that answers only after minutes fails by the deadline', async () => {
    const url = await serve([{ text: 'late', delayMs: 150_000 }]);
    const t0 = Date.now();
    const err = await provider(id, url, { deadlineMs: 1500, stream: false }).complete(req()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a stream cut before any output on every attempt ends as a network error, not a cut to ask again', async () => {
    const url = await serve([{ text: 'never whole', cutStreamAfterBytes: 5 }]);
    const err = await provider(id, url, { maxRetries: 2 }).complete(req()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/cut before it finished .*\(after 3 attempts\)/);
    expect(server!.requests).toHaveLength(3);
  });

  it('the deadline does not stop a backoff from being cancelled, and cancelling is not a timeout', async () => {
    const url = await serve([{ status: 500, text: 'x' }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = await provider(id, url, { retryBaseMs: 5000, retryMaxMs: 5000, deadlineMs: 60_000 }).complete(req(), { signal: ac.signal }).catch((e) => e);
    expect(err.kind).toBe('cancelled');
  });
});

describe.each(both)('%s: no reply can crash a call', (id) => {
  it('tool arguments nested 20,000 levels deep become a parse error the model is shown', async () => {
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const url = await serve([{ toolCalls: [{ name: 'search_code', rawArgs: deep }] }]);
    const res = await provider(id, url).complete(req());
    expect(res.toolCalls).toHaveLength(1);
    expect(res.toolCalls[0]!.parseError).toMatch(/nest deeper than 64 levels/);
    expect(res.toolCalls[0]!.args).toEqual({});
    // what the rest of Rover does with a reply: serialise it (trajectory), clone it
    expect(() => JSON.stringify(res)).not.toThrow();
    expect(() => structuredClone(res.message)).not.toThrow();
  });

  it('a 10 MB tool argument is refused with its size; only a short preview is kept', async () => {
    const big = JSON.stringify({ code_str: 'y'.repeat(10 * 1024 * 1024) });
    const url = await serve([{ toolCalls: [{ name: 'search_code', rawArgs: big }], chunkSize: 65536 }]);
    const res = await provider(id, url, { maxReplyBytes: 64 * 1024 * 1024 }).complete(req());
    expect(res.toolCalls[0]!.parseError).toMatch(/arguments are 10\.0 MiB long, over the 256 KiB Rover accepts for one tool call/);
    expect(res.toolCalls[0]!.rawArgs!.length).toBeLessThan(2200);
    expect(JSON.stringify(res).length).toBeLessThan(20_000);
  });

  it('an 8 MB reply is cut at the reply limit, read no further, and says why', async () => {
    const url = await serve([{ textBytes: 8 * 1024 * 1024 }]);
    const t0 = Date.now();
    const shown: string[] = [];
    const res = await provider(id, url).complete(req(), { onText: (d) => shown.push(d) });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.text.length).toBe(512 * 1024);
    expect(res.oversize).toMatch(/The reply was cut at 512 KiB/);
    expect(res.stopReason).toBe('max_tokens');
    expect(shown.join('').length).toBeLessThanOrEqual(600 * 1024);
  });
});

describe.each(both)('%s: the key never leaves in model text', (id) => {
  it('a reply quoting the API key (split across stream chunks) is redacted in the text, the deltas and tool arguments', async () => {
    const url = await serve([{ text: `Sure, your key is ${KEY} — use it well.`, chunkSize: 5, toolCalls: [{ name: 'search_code', args: { code_str: `print("${KEY}")` } }] }]);
    const shown: string[] = [];
    const res = await provider(id, url).complete(req(), { onText: (d) => shown.push(d) });
    expect(res.text).toBe('Sure, your key is [REDACTED] — use it well.');
    expect(shown.join('')).toBe(res.text);
    expect(JSON.stringify(res)).not.toContain(KEY);
    expect(res.toolCalls[0]!.args).toEqual({ code_str: 'print("[REDACTED]")' });
  });

  it('key-shaped strings that are not the key (code under repair) are kept', async () => {
    const url = await serve([{ text: 'FAKE = "sk-proj-abcdefghijklmnopqrstuvwx"' }]);
    const res = await provider(id, url).complete(req());
    expect(res.text).toBe('FAKE = "sk-proj-abcdefghijklmnopqrstuvwx"');
  });
});

describe('bounded helpers', () => {
  it('measure depth without recursion', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3);
    const deep: unknown[] = [];
    let cur = deep;
    for (let i = 0; i < 100_000; i++) {
      const next: unknown[] = [];
      cur.push(next);
      cur = next;
    }
    expect(nestedDeeperThan(deep, 64)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: 2 }] }, 64)).toBe(false);
  });

  it('the stream redactor holds back only what could begin the key', () => {
    const r = new StreamRedactor([KEY]);
    const out = [r.push('hello '), r.push(KEY.slice(0, 10)), r.push(KEY.slice(10) + ' bye'), r.flush()];
    expect(out[0]).toBe('hello ');
    expect(out.join('')).toBe('hello [REDACTED] bye');
  });

  it('text tool-call recovery stays linear on text full of unbalanced braces', () => {
    const t0 = Date.now();
    const r = extractTextToolCalls('{'.repeat(400_000), ['search_code']);
    expect(r.calls).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
