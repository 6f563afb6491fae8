// The scripted server is itself test infrastructure the e2e harness depends on: its CLI, its matching
// rules and its wire format are checked here (the wire format also through the real SDK clients).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-model-server.mjs';
import { createProvider } from '../../src/core/llm';

const SERVER = join(__dirname, '../support/scripted-model-server.mjs');
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}

describe('scripted model server', () => {
  it('emits the Anthropic SSE event sequence', async () => {
    server = await startScriptedServer({ script: [{ text: 'hello', toolCalls: [{ name: 't', args: { a: 1 } }] }] });
    const r = await post(`${server.url}/v1/messages`, { model: 'm', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    const events = [...r.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('message_start');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(events.filter((e) => e === 'content_block_start')).toHaveLength(2);
    expect(r.text).toContain('"type":"input_json_delta"');
    expect(r.text).toContain('"stop_reason":"tool_use"');
  });

  it('emits OpenAI chunks with tool_calls deltas, usage and [DONE]', async () => {
    server = await startScriptedServer({ script: [{ toolCalls: [{ name: 't', args: { a: 1 } }] }] });
    const r = await post(`${server.url}/v1/chat/completions`, {
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    const datas = r.text.split('\n\n').filter(Boolean).map((l) => l.replace(/^data: /, ''));
    expect(datas[datas.length - 1]).toBe('[DONE]');
    const chunks = datas.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.some((c) => c.choices[0]?.delta?.tool_calls?.[0]?.id)).toBe(true);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks[chunks.length - 1].usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('plays conditional turns by the latest tool result, and says when the script is exhausted', async () => {
    server = await startScriptedServer({
      script: {
        turns: [
          { whenLastToolResultIncludes: 'FOUND', text: 'fix it' },
          { whenLastToolResultIncludes: 'NOTHING', text: 'search again', repeat: true },
          { text: 'first' },
        ],
      },
    });
    const p = createProvider({ provider: 'openai', apiKey: 'k', baseUrl: server.url, model: 'local' });
    const sys = { system: 's' };
    expect((await p.complete({ ...sys, messages: [{ role: 'user', content: 'go' }] })).text).toBe('first');
    const after = (result: string) => ({
      ...sys,
      messages: [
        { role: 'user' as const, content: 'go' },
        { role: 'assistant' as const, text: '', toolCalls: [{ id: 'c1', name: 'x', args: {} }] },
        { role: 'tool' as const, results: [{ callId: 'c1', content: result }] },
      ],
    });
    expect((await p.complete(after('NOTHING here'))).text).toBe('search again');
    expect((await p.complete(after('NOTHING again'))).text).toBe('search again');
    expect((await p.complete(after('FOUND it'))).text).toBe('fix it');
    const err = await p.complete(after('FOUND it')).catch((e) => e);
    expect(err.kind).toBe('bad-request');
    expect(err.message).toMatch(/script exhausted/);
    expect(server.remainingTurns()).toEqual([]);
  });

  it('accepts a function script that sees the request', async () => {
    server = await startScriptedServer({
      script: (req) => ({ text: `api=${req.api} tools=${(req.body.tools ?? []).length} n=${req.index}` }),
    });
    const p = createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: server.url });
    expect((await p.complete({ system: 's', messages: [{ role: 'user', content: 'x' }] })).text).toBe('api=anthropic tools=0 n=0');
  });

  it('runs as a CLI: prints its URL, serves a JSON script, records requests, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rover-scripted-'));
    writeFileSync(join(dir, 'script.json'), JSON.stringify([{ text: 'from the CLI' }]));
    const child = spawn(process.execPath, [SERVER, '--script', join(dir, 'script.json'), '--record', join(dir, 'req.jsonl')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
        setTimeout(() => reject(new Error('no "listening" line within 10 s')), 10_000);
      });
      const p = createProvider({ provider: 'anthropic', apiKey: 'k', baseUrl: url });
      expect((await p.complete({ system: 's', messages: [{ role: 'user', content: 'hi' }] })).text).toBe('from the CLI');
      const recorded = readFileSync(join(dir, 'req.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(recorded).toHaveLength(1);
      expect(recorded[0].body.messages[0].content[0].text).toBe('hi');
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    expect(child.exitCode).toBe(0);
  });

  it('CLI rejects bad arguments clearly', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) => resolve({ code, err }));
      });
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/--script file.json is required/) });
    expect(await run(['--script', '/nonexistent.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read script/) });
    expect(await run(['--bogus'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown argument --bogus/) });
  });
});
