// npm run bench:llm [-- --json] [--calls N]
// Client-side overhead of the model layer against the local scripted server (no model, no network):
// wall time per call for each API, streamed and not, for a reply of ~2 KB text plus three tool calls;
// and the text tool-call recovery on a long reply. The server runs in this process, so the figures are
// an upper bound on what Rover adds to a real model call (which takes seconds).
import { z } from 'zod';
import { startScriptedServer } from '../test/support/scripted-model-server.mjs';
import { createProvider, extractTextToolCalls, type ChatRequest, type ProviderId } from '../src/core/llm';

const args = process.argv.slice(2);
const json = args.includes('--json');
const callsArg = args.indexOf('--calls');
const calls = callsArg >= 0 ? Number(args[callsArg + 1]) : 200;
if (!Number.isInteger(calls) || calls < 1) {
  console.error('--calls must be a positive integer');
  process.exit(2);
}

const tools = ['search_class', 'search_method', 'read_file'].map((name) => ({
  name,
  description: `${name} tool`,
  schema: z.object({ name: z.string(), file: z.string().optional() }),
}));
const turn = {
  text: 'The fault is in Cart.total, which ignores discounts. '.repeat(40),
  toolCalls: tools.map((t) => ({ name: t.name, args: { name: 'total', file: 'inventory/cart.py' } })),
  repeat: true,
};
const req: ChatRequest = {
  system: 'You are a careful engineer.',
  messages: [{ role: 'user', content: 'Issue: totals ignore discounts. '.repeat(50) }],
  tools,
  cachePrefixMessages: 1,
};

async function main(): Promise<void> {
  const server = await startScriptedServer({ script: [turn] });
  const rows: { api: ProviderId; stream: boolean; calls: number; msPerCall: number; p95Ms: number }[] = [];
  try {
    for (const api of ['anthropic', 'openai'] as const) {
      for (const stream of [true, false]) {
        const p = createProvider({ provider: api, apiKey: 'k', baseUrl: server.url, stream, model: api === 'openai' ? 'local' : undefined });
        for (let i = 0; i < 10; i++) await p.complete(req); // warm-up
        const times: number[] = [];
        for (let i = 0; i < calls; i++) {
          const t0 = performance.now();
          const r = await p.complete(req, { onText: () => {} });
          times.push(performance.now() - t0);
          if (r.toolCalls.length !== 3) throw new Error(`expected 3 tool calls, got ${r.toolCalls.length}`);
        }
        times.sort((a, b) => a - b);
        const mean = times.reduce((a, b) => a + b, 0) / times.length;
        rows.push({ api, stream, calls, msPerCall: round(mean), p95Ms: round(times[Math.floor(times.length * 0.95)]!) });
      }
    }
  } finally {
    await server.close();
  }

  const long = 'Some reasoning. '.repeat(6000) + '<tool_call>{"name": "read_file", "arguments": {"name": "x"}}</tool_call>';
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) {
    if (extractTextToolCalls(long, ['read_file']).calls.length !== 1) throw new Error('text tool call not recovered');
  }
  const textMs = round((performance.now() - t0) / reps);

  const result = { calls, rows, textToolCalls: { chars: long.length, msPerReply: textMs } };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(`model layer overhead against the local scripted server (${calls} calls each, ~2 KB text + 3 tool calls):`);
    for (const r of rows) console.log(`  ${r.api.padEnd(9)} ${r.stream ? 'streamed' : 'whole   '}  ${r.msPerCall} ms/call  (p95 ${r.p95Ms} ms)`);
    console.log(`text tool-call recovery: ${result.textToolCalls.chars} chars in ${textMs} ms`);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
