import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { startScriptedServer, type ScriptedServer, type Script } from '../support/scripted-model-server.mjs';
import { buildOpenAIBody, createProvider, ModelError, type ChatProvider, type ChatRequest, type ProviderId, type ToolSpec } from '../../src/core/llm';

const KEY = 'sk-ant-test-0123456789abcdefSECRET';

const tools: ToolSpec[] = [
  {
    name: 'search_method',
    description: 'Find a method by name',
    schema: z.object({ name: z.string(), file: z.string().optional() }),
  },
  { name: 'read_file', description: 'Read a file', schema: z.object({ path: z.string(), startLine: z.number().int().optional() }) },
];

const baseReq = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  system: 'You fix bugs.',
  messages: [
    { role: 'user', content: 'ISSUE: total() ignores discounts.' },
    { role: 'user', content: 'REPO SUMMARY: inventory/cart.py' },
  ],
  tools,
  cachePrefixMessages: 2,
  ...extra,
});

let server: ScriptedServer;
/** expectedKey null: the server accepts any key (a local model server). */
async function serve(script: Script, expectedKey: string | null = KEY): Promise<void> {
  server = await startScriptedServer({ script, expectedKey: expectedKey ?? undefined });
}
afterEach(async () => {
  await server?.close();
});

function provider(id: ProviderId, over: Record<string, unknown> = {}): ChatProvider {
  return createProvider(
    {
      provider: id,
      apiKey: KEY,
      baseUrl: id === 'openai' ? `${server.url}/v1` : server.url,
      model: id === 'openai' ? 'gpt-4o-2024-08-06' : 'claude-sonnet-5-5',
      retryBaseMs: 5,
      retryMaxMs: 50,
      ...over,
    },
    { random: () => 0.5 },
  );
}

const matrix: [ProviderId, boolean][] = [
  ['anthropic', true],
  ['anthropic', false],
  ['openai', true],
  ['openai', false],
];

describe.each(matrix)('%s (stream=%s)', (id, stream) => {
  it('returns text, streams deltas, and counts usage and cost', async () => {
    await serve([{ text: 'The bug is in cart.total: it never applies the discount.' }]);
    const deltas: string[] = [];
    const res = await provider(id, { stream }).complete(baseReq(), { onText: (d) => deltas.push(d) });
    expect(res.text).toBe('The bug is in cart.total: it never applies the discount.');
    expect(res.toolCalls).toEqual([]);
    expect(res.stopReason).toBe('end_turn');
    if (stream) {
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(res.text);
    } else expect(deltas).toEqual([]);
    // Anthropic counts the cached prefix apart from input; here the whole prompt is the prefix.
    expect(res.usage.inputTokens + res.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
    expect(res.costUsd).toBeGreaterThan(0);
    expect(res.priceKnown).toBe(true);
    expect(res.ms).toBeGreaterThanOrEqual(0);
    expect(res.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body.stream ?? false).toBe(stream);
  });

  it('round-trips tool calls with zod schemas and sends results back', async () => {
    await serve([
      { text: 'Let me look.', toolCalls: [{ name: 'search_method', args: { name: 'total', file: 'cart.py' } }, { name: 'read_file', args: { path: 'cart.py', startLine: 3 } }] },
      { whenLastToolResultIncludes: 'def total', text: 'Found it.' },
    ]);
    const p = provider(id, { stream });
    const first = await p.complete(baseReq());
    expect(first.stopReason).toBe('tool_use');
    expect(first.text).toBe('Let me look.');
    expect(first.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ['search_method', { name: 'total', file: 'cart.py' }],
      ['read_file', { path: 'cart.py', startLine: 3 }],
    ]);
    expect(first.toolCalls.every((c) => c.id && !c.parseError)).toBe(true);
    // The schemas went out as JSON Schema.
    const sent = server.requests[0]!.body.tools;
    const schema = id === 'anthropic' ? sent[0].input_schema : sent[0].function.parameters;
    expect(schema).toMatchObject({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] });
    expect(schema.$schema).toBeUndefined();

    const second = await p.complete(
      baseReq({
        messages: [
          ...baseReq().messages,
          { role: 'assistant', text: first.text, toolCalls: first.toolCalls },
          {
            role: 'tool',
            results: [
              { callId: first.toolCalls[0]!.id, content: 'cart.py:3 def total(self):' },
              { callId: first.toolCalls[1]!.id, content: 'no such line', isError: true },
            ],
          },
        ],
      }),
    );
    expect(second.text).toBe('Found it.');
    const body = server.requests[1]!.body;
    if (id === 'anthropic') {
      const results = body.messages[body.messages.length - 1].content;
      expect(results[0]).toMatchObject({ type: 'tool_result', tool_use_id: first.toolCalls[0]!.id });
      expect(results[1]).toMatchObject({ type: 'tool_result', is_error: true });
      expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    } else {
      const toolMsgs = body.messages.filter((m: { role: string }) => m.role === 'tool');
      expect(toolMsgs[0]).toMatchObject({ tool_call_id: first.toolCalls[0]!.id });
      expect(toolMsgs[1].content).toMatch(/^ERROR: /);
      const asst = body.messages.find((m: { role: string }) => m.role === 'assistant');
      expect(JSON.parse(asst.tool_calls[0].function.arguments)).toEqual({ name: 'total', file: 'cart.py' });
    }
  });

  it('reports malformed tool-call JSON on the call instead of throwing', async () => {
    await serve([{ toolCalls: [{ name: 'read_file', rawArgs: '{"path": "cart.py", ' }] }]);
    const res = await provider(id, { stream }).complete(baseReq());
    expect(res.toolCalls).toHaveLength(1);
    expect(res.toolCalls[0]!.name).toBe('read_file');
    expect(res.toolCalls[0]!.parseError).toMatch(/not valid JSON/);
    expect(res.toolCalls[0]!.rawArgs).toBe('{"path": "cart.py", ');
    expect(res.toolCalls[0]!.args).toEqual({});
  });

  it('retries 429 (honouring retry-after) then succeeds', async () => {
    await serve([{ status: 429, times: 1, headers: { 'retry-after': '0' }, text: 'ok after 429' }]);
    const retries: number[] = [];
    const p = createProvider(
      { provider: id, apiKey: KEY, baseUrl: id === 'openai' ? `${server.url}/v1` : server.url, stream, retryBaseMs: 5, retryMaxMs: 50 },
      { onRetry: (r) => retries.push(r.error.status ?? 0) },
    );
    const res = await p.complete(baseReq());
    expect(res.text).toBe('ok after 429');
    expect(retries).toEqual([429]);
    expect(server.requests.map((r) => r.response?.status)).toEqual([429, 200]);
  });

  it('waits what retry-after / retry-after-ms ask up to retryAfterMaxMs; a longer wait fails at once, saying when to retry', async () => {
    await serve([
      { status: 429, times: 1, headers: { 'retry-after-ms': '120' }, text: 'a' },
      { status: 529, times: 1, headers: { 'retry-after': '3600' }, text: 'b' },
    ]);
    const delays: number[] = [];
    const p = createProvider(
      { provider: id, apiKey: KEY, baseUrl: id === 'openai' ? `${server.url}/v1` : server.url, stream, retryBaseMs: 1, retryMaxMs: 200 },
      { onRetry: (r) => delays.push(r.delayMs), random: () => 0 },
    );
    const t0 = Date.now();
    expect((await p.complete(baseReq())).text).toBe('a');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    const t1 = Date.now();
    const err = await p.complete(baseReq()).catch((e) => e);
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('rate-limit');
    expect(err.message).toMatch(/asks to wait 3600 s before retrying \(until .+\), longer than Rover waits \(0\.2 s\)/);
    expect(Date.parse(err.retryAt) - Date.now()).toBeGreaterThan(3500_000);
    expect(delays).toEqual([120]);
    expect(server.requests.map((r) => r.response?.status)).toEqual([429, 200, 529]);
  });

  it('retries 500 twice then succeeds', async () => {
    await serve([{ status: 500, times: 2, text: 'ok after 500s' }]);
    const res = await provider(id, { stream }).complete(baseReq());
    expect(res.text).toBe('ok after 500s');
    expect(res.attempts).toBe(3);
    expect(server.requests.map((r) => r.response?.status)).toEqual([500, 500, 200]);
  });

  it('gives up after maxRetries with a server error', async () => {
    await serve([{ status: id === 'anthropic' ? 529 : 503, text: 'never' }]);
    const delays: number[] = [];
    const p = createProvider(
      { provider: id, apiKey: KEY, baseUrl: id === 'openai' ? `${server.url}/v1` : server.url, stream, maxRetries: 2, retryBaseMs: 8, retryMaxMs: 1000 },
      { onRetry: (r) => delays.push(r.delayMs), random: () => 1 },
    );
    const err = await p.complete(baseReq()).catch((e) => e);
    expect(delays).toEqual([8, 16]); // exponential: base × 2^(n-1), jitter factor in [0.5, 1]
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe(id === 'anthropic' ? 'rate-limit' : 'server');
    expect(err.attempts).toBe(3);
    expect(err.message).toMatch(/after 3 attempts/);
    expect(server.requests).toHaveLength(3);
  });

  it('maps 401 to an auth error and never surfaces the key', async () => {
    await serve([{ text: 'unreachable' }], 'the-right-key');
    const err = await provider(id, { stream }).complete(baseReq()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    const who = id === 'anthropic' ? 'anthropic' : 'the OpenAI-compatible server';
    expect(err.message).toContain(`authentication failed (401): check your API key for ${who} at http://127.0.0.1`);
    // The server's body echoed the key: it must be gone from everything we surface.
    expect(server.requests).toHaveLength(1); // auth errors are not retried
    const surfaced = `${err.message}\n${err.stack}\n${JSON.stringify(err)}\n${String(err)}`;
    expect(surfaced).not.toContain(KEY);
    expect(surfaced).not.toContain(KEY.slice(0, 20));
    expect(err.message).toContain('[REDACTED]');
  });

  it('maps a scripted 401 whose body echoes the key', async () => {
    await serve([{ status: 401, body: `bad key ${KEY} (${KEY.slice(0, 8)}...${KEY.slice(-4)})` }]);
    const err = await provider(id, { stream }).complete(baseReq()).catch((e) => e);
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain(KEY.slice(-4) + ')');
  });

  it('never puts the key in a request body', async () => {
    await serve([{ text: 'ok' }]);
    await provider(id, { stream }).complete(baseReq());
    expect(server.requests[0]!.rawBody).not.toContain(KEY);
  });
});

describe.each(['anthropic', 'openai'] as const)('%s streaming faults', (id) => {
  it('stream cut after text was shown → ModelError stream-cut, not retried', async () => {
    await serve([{ text: 'x'.repeat(400), chunkSize: 20, cutStreamAfterBytes: 900, times: 1 }]);
    const shown: string[] = [];
    const err = await provider(id).complete(baseReq(), { onText: (d) => shown.push(d) }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('stream-cut');
    expect(shown.join('').length).toBeGreaterThan(0);
    expect(shown.join('').length).toBeLessThan(400);
    expect(server.requests).toHaveLength(1);
  });

  it('stream cut before any text was shown → retried transparently', async () => {
    await serve([{ text: 'complete answer', cutStreamAfterBytes: 40, times: 1 }]);
    const shown: string[] = [];
    const res = await provider(id).complete(baseReq(), { onText: (d) => shown.push(d) });
    expect(res.text).toBe('complete answer');
    expect(shown.join('')).toBe('complete answer');
    expect(server.requests).toHaveLength(2);
  });

  it('an overloaded error event before any text → retried; after text → stream-cut', async () => {
    await serve([{ text: 'answer after overload', streamErrorAfterEvents: 1, times: 1 }]);
    const res = await provider(id).complete(baseReq());
    expect(res.text).toBe('answer after overload');
    expect(server.requests).toHaveLength(2);

    await server.close();
    await serve([{ text: 'z'.repeat(100), chunkSize: 10, streamErrorAfterEvents: 6, times: 1 }]);
    const shown: string[] = [];
    const err = await provider(id).complete(baseReq(), { onText: (d) => shown.push(d) }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('stream-cut');
    expect(err.message).toMatch(/Overloaded/);
    expect(shown.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
  });

  it('cancels mid-stream through AbortSignal', async () => {
    await serve([{ text: 'y'.repeat(600), chunkSize: 10, chunkDelayMs: 50 }]);
    const ac = new AbortController();
    const shown: string[] = [];
    const t0 = Date.now();
    const err = await provider(id)
      .complete(baseReq(), {
        signal: ac.signal,
        onText: (d) => {
          shown.push(d);
          if (shown.length === 3) ac.abort();
        },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('cancelled');
    expect(shown.length).toBeLessThan(10);
    expect(Date.now() - t0).toBeLessThan(2000); // the full stream would take 60 chunks × 50 ms
    expect(server.requests).toHaveLength(1);
    await vi.waitFor(() => expect(server.requests[0]!.clientAborted).toBe(true), { timeout: 2000 });
  });

  it('a stream that goes silent is cut by the idle guard', async () => {
    await serve([{ text: 'slow', chunkSize: 2, chunkDelayMs: 400, times: 1, delayMs: 0 }]);
    const p = provider(id, { streamIdleMs: 150, maxRetries: 0 });
    const shown: string[] = [];
    const err = await p.complete(baseReq(), { onText: (d) => shown.push(d) }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('stream-cut');
    expect(err.message, err.message).toMatch(/no data for 150 ms/);
  });

  it('a 400 that mentions streaming is a bad request, not a cut stream to retry', async () => {
    await serve([{ status: 400, body: 'streaming is not supported for this model', text: 'never' }]);
    const err = await provider(id).complete(baseReq()).catch((e) => e);
    expect(err.kind).toBe('bad-request');
    expect(err.message).toContain('streaming is not supported');
    expect(server.requests).toHaveLength(1);
  });

  it('honours x-should-retry: false on a 500', async () => {
    await serve([{ status: 500, headers: { 'x-should-retry': 'false' }, text: 'never' }]);
    const err = await provider(id).complete(baseReq()).catch((e) => e);
    expect(err.kind).toBe('server');
    expect(server.requests).toHaveLength(1);
  });

  it('cancels during a backoff wait', async () => {
    await serve([{ status: 500, text: 'never' }]);
    const ac = new AbortController();
    const p = createProvider({ provider: id, apiKey: KEY, baseUrl: server.url, retryBaseMs: 10_000, retryMaxMs: 10_000 });
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const err = await p.complete(baseReq(), { signal: ac.signal }).catch((e) => e);
    expect(err.kind).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('unreachable server → network error with a hint', async () => {
    await serve([]);
    const url = server.url;
    await server.close();
    const p = createProvider({ provider: id, apiKey: KEY, baseUrl: url, maxRetries: 1, retryBaseMs: 5 });
    const err = await p.complete(baseReq()).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/cannot reach .* \(ECONNREFUSED\)\. Is the server running/);
  });
});

describe('anthropic prompt caching', () => {
  it('marks system, the last tool and the last stable-prefix message; later calls read the cache', async () => {
    await serve([{ text: 'one' }, { text: 'two' }]);
    const p = provider('anthropic');
    const r1 = await p.complete(baseReq());
    const req2 = baseReq({
      messages: [...baseReq().messages, { role: 'assistant', text: 'one', toolCalls: [] }, { role: 'user', content: 'go on' }],
    });
    const r2 = await p.complete(req2);
    const body = server.requests[0]!.body;
    expect(body.system).toEqual([{ type: 'text', text: 'You fix bugs.', cache_control: { type: 'ephemeral' } }]);
    expect(body.tools[0].cache_control).toBeUndefined();
    expect(body.tools[1].cache_control).toEqual({ type: 'ephemeral' });
    // The two stable user messages merge into one API message; the breakpoint is on its last block.
    expect(body.messages[0].content.map((b: { cache_control?: unknown }) => b.cache_control)).toEqual([undefined, { type: 'ephemeral' }]);
    const body2 = server.requests[1]!.body;
    expect(body2.messages).toHaveLength(3);
    expect(JSON.stringify(body2.messages.slice(1))).not.toContain('cache_control');
    expect(r1.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(r1.usage.cacheReadTokens).toBe(0);
    expect(r2.usage.cacheReadTokens).toBe(r1.usage.cacheWriteTokens);
    expect(r2.usage.cacheWriteTokens).toBe(0);
    // Reads are billed at a tenth of input: the second call's prefix is cheaper than the first's.
    expect(r2.costUsd).toBeLessThan(r1.costUsd);
  });
});

describe.each([true, false])('anthropic thinking blocks (stream=%s)', (stream) => {
  it('are returned in message.providerData and replayed verbatim with their signatures', async () => {
    await serve([
      { thinking: 'The total ignores the discount field.', text: 'Checking.', toolCalls: [{ name: 'read_file', args: { path: 'cart.py' } }] },
      { text: 'done' },
    ]);
    const p = provider('anthropic', { stream });
    const r1 = await p.complete(baseReq());
    expect(r1.text).toBe('Checking.');
    expect(r1.message.role).toBe('assistant');
    expect(r1.message.toolCalls).toEqual(r1.toolCalls);
    const blocks = r1.message.providerData!.blocks as { type: string; thinking?: string; signature?: string }[];
    expect(blocks.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(blocks[0]!.thinking).toBe('The total ignores the discount field.');
    expect(blocks[0]!.signature).toMatch(/^sig_/);
    await p.complete(
      baseReq({
        messages: [...baseReq().messages, r1.message, { role: 'tool', results: [{ callId: r1.toolCalls[0]!.id, content: 'code' }] }],
      }),
    );
    const sent = server.requests[1]!.body.messages[1];
    expect(sent.role).toBe('assistant');
    expect(sent.content).toEqual(blocks);
  });

  it('are ignored when the conversation moves to an OpenAI-compatible endpoint', async () => {
    await serve([{ thinking: 'hmm', text: 'a' }, { text: 'b' }]);
    const r1 = await provider('anthropic', { stream }).complete(baseReq());
    await provider('openai', { stream }).complete(baseReq({ messages: [...baseReq().messages, r1.message, { role: 'user', content: 'go' }] }));
    const asst = server.requests[1]!.body.messages.find((m: { role: string }) => m.role === 'assistant');
    expect(asst).toEqual({ role: 'assistant', content: 'a' });
  });
});

describe('openai-compatible specifics', () => {
  it('drops temperature for later calls when the model rejects it', async () => {
    await serve([{ status: 400, times: 1, body: "Unsupported value: 'temperature' does not support 0 with this model.", text: 'ok' }, { text: 'second' }], null);
    const p = createProvider({ provider: 'openai', apiKey: '', baseUrl: server.url, model: 'local-reasoner' });
    const r = await p.complete(baseReq({ temperature: 0 }));
    expect(r.text).toBe('ok');
    expect(server.requests[0]!.body.temperature).toBe(0);
    expect(server.requests[1]!.body.temperature).toBeUndefined();
    await p.complete(baseReq({ temperature: 0 }));
    expect(server.requests[2]!.body.temperature).toBeUndefined();
  });

  it('never sends temperature to reasoning models on api.openai.com-shaped configs', () => {
    const body = buildOpenAIBody('gpt-5.4', baseReq({ temperature: 0, maxTokens: 2000 }), true);
    expect(body.temperature).toBeUndefined();
    expect(body.max_completion_tokens).toBe(2000);
    const local = buildOpenAIBody('llama3', baseReq({ temperature: 0.2, maxTokens: 2000 }), false);
    expect(local.temperature).toBe(0.2);
    expect(local.max_tokens).toBe(2000);
  });

  it('recovers a tool call written as JSON in the text (local models)', async () => {
    await serve([{ text: 'I will search.\n<tool_call>{"name": "search_method", "arguments": {"name": "total"}}</tool_call>' }]);
    const res = await provider('openai', { model: 'qwen2.5-coder:7b' }).complete(baseReq());
    expect(res.toolCalls).toEqual([{ id: 'text_call_1', name: 'search_method', args: { name: 'total' } }]);
    expect(res.text).toBe('I will search.');
    expect(res.stopReason).toBe('tool_use');
    // A model no table knows, served locally, is free.
    expect(res.costUsd).toBe(0);
    expect(res.priceKnown).toBe(true);
  });

  it.each([true, false])('surfaces a refusal as text with stopReason "refusal" (stream=%s)', async (stream) => {
    const refusal = "I can't help with that.";
    await serve(() => ({ refusal }), null);
    const res = await createProvider({ provider: 'openai', apiKey: '', baseUrl: server.url, model: 'x', stream }).complete(baseReq());
    expect(res.text).toBe(refusal);
    expect(res.stopReason).toBe('refusal');
  });

  it('does not mine tool calls from <think> blocks of local reasoning models', async () => {
    await serve([{ text: '<think>maybe {"name": "read_file", "arguments": {"path": "x"}}</think>The answer is 4.' }], null);
    const res = await createProvider({ provider: 'openai', apiKey: '', baseUrl: server.url, model: 'deepseek-r1' }).complete(baseReq());
    expect(res.toolCalls).toEqual([]);
    expect(res.stopReason).toBe('end_turn');
  });

  it('does not forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to a local server', async () => {
    await serve([{ text: 'ok' }], null);
    const saved = { org: process.env.OPENAI_ORG_ID, proj: process.env.OPENAI_PROJECT_ID };
    process.env.OPENAI_ORG_ID = 'org-private';
    process.env.OPENAI_PROJECT_ID = 'proj-private';
    try {
      await createProvider({ provider: 'openai', apiKey: '', baseUrl: server.url, model: 'llama3' }).complete(baseReq());
    } finally {
      if (saved.org === undefined) delete process.env.OPENAI_ORG_ID;
      else process.env.OPENAI_ORG_ID = saved.org;
      if (saved.proj === undefined) delete process.env.OPENAI_PROJECT_ID;
      else process.env.OPENAI_PROJECT_ID = saved.proj;
    }
    expect(JSON.stringify(server.requests[0]!.headers)).not.toMatch(/org-private|proj-private/);
  });

  it('tolerates an Anthropic base URL pasted with /v1', async () => {
    await serve([{ text: 'ok' }]);
    const res = await createProvider({ provider: 'anthropic', apiKey: KEY, baseUrl: `${server.url}/v1/` }).complete(baseReq());
    expect(res.text).toBe('ok');
    expect(server.requests[0]!.path).toBe('/v1/messages');
  });

  it('appends /v1 to a bare base URL and reports cached prompt tokens', async () => {
    await serve([{ text: 'hi', usage: { prompt_tokens: 1000, completion_tokens: 10, cached_tokens: 800 } }]);
    const res = await createProvider({ provider: 'openai', apiKey: KEY, baseUrl: server.url, model: 'gpt-4o' }).complete(baseReq());
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(res.usage).toEqual({ inputTokens: 200, outputTokens: 10, cacheReadTokens: 800, cacheWriteTokens: 0 });
    // gpt-4o from the built-in table: 200×2.5 + 800×1.25 + 10×10 per MTok (overrides aside).
    expect(res.costUsd).toBeCloseTo((200 * 2.5 + 800 * 1.25 + 10 * 10) / 1e6, 12);
    // No max_tokens unless asked (local servers reject one beyond their context); usage requested.
    expect(server.requests[0]!.body.max_tokens).toBeUndefined();
    expect(server.requests[0]!.body.stream_options).toEqual({ include_usage: true });
  });

  it('uses price overrides from config', async () => {
    await serve([{ text: 'hi', usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } }], null);
    const res = await createProvider({
      provider: 'openai',
      apiKey: '',
      baseUrl: server.url,
      model: 'my-vllm-model',
      prices: { 'my-vllm': { input: 0.5, output: 1 } },
    }).complete(baseReq());
    expect(res.costUsd).toBeCloseTo(0.5, 9);
  });
});

describe('createProvider validation', () => {
  it('rejects bad configs with clear messages', () => {
    expect(() => createProvider({ provider: 'anthropic', apiKey: '' })).toThrow(/No API key for anthropic/);
    expect(() => createProvider({ provider: 'openai', apiKey: '' })).toThrow(/No API key for openai/);
    expect(() => createProvider({ provider: 'gemini' as never, apiKey: 'k' })).toThrow(/Unknown provider "gemini"/);
    expect(() => createProvider({ provider: 'openai', apiKey: 'k', baseUrl: 'localhost:11434' })).toThrow(/not an http\(s\) URL/);
    expect(() => createProvider({ provider: 'openai', apiKey: 'k', maxRetries: -1 })).toThrow(/maxRetries/);
  });

  it('rejects a tool whose schema is not an object, before any request', async () => {
    await serve([{ text: 'unused' }]);
    const bad = baseReq({ tools: [{ name: 'x', description: 'x', schema: z.string() }] });
    await expect(provider('anthropic').complete(bad)).rejects.toThrow(/must be a zod object/);
    await expect(provider('openai').complete(baseReq({ tools: [{ name: 'bad name', description: '', schema: z.object({}) }] }))).rejects.toThrow(
      /must match/,
    );
    expect(server.requests).toHaveLength(0);
  });
});
