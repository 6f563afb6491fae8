import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractTextToolCalls, parsePriceOverrides, publicConfig, redact, redactDeep, toolJsonSchema } from '../../src/core/llm';

const names = ['search_class', 'search_method', 'read_file'];

describe('extractTextToolCalls (fallback for local models)', () => {
  it('reads Hermes/Qwen <tool_call> tags', () => {
    const r = extractTextToolCalls('Looking.\n<tool_call>\n{"name": "search_class", "arguments": {"name": "Cart"}}\n</tool_call>', names);
    expect(r.calls).toEqual([{ id: 'text_call_1', name: 'search_class', args: { name: 'Cart' } }]);
    expect(r.text).toBe('Looking.');
  });

  it('reads fenced JSON and several calls, with the different key spellings', () => {
    const text = [
      'I will call two tools.',
      '```json\n{"tool": "search_method", "args": {"name": "total"}}\n```',
      '```\n{"function": "read_file", "parameters": {"path": "a.py"}}\n```',
      'And {"type": "function", "function": {"name": "read_file", "arguments": "{\\"path\\": \\"b.py\\"}"}}',
    ].join('\n');
    const r = extractTextToolCalls(text, names);
    expect(r.calls.map((c) => [c.name, c.args])).toEqual([
      ['search_method', { name: 'total' }],
      ['read_file', { path: 'a.py' }],
      ['read_file', { path: 'b.py' }],
    ]);
    expect(r.text).not.toContain('```');
    expect(r.text).toContain('I will call two tools.');
  });

  it('ignores JSON that names no offered tool, and code containing braces', () => {
    const text = 'Here is code: `def f(): return {"a": 1}` and {"name": "rm_rf", "arguments": {}} and { not json';
    const r = extractTextToolCalls(text, names);
    expect(r.calls).toEqual([]);
    expect(r.text).toBe(text);
  });

  it('reports string arguments that are not JSON', () => {
    const r = extractTextToolCalls('{"name": "read_file", "arguments": "{path: a.py"}', names);
    expect(r.calls[0]!.parseError).toMatch(/not valid JSON/);
    expect(r.calls[0]!.rawArgs).toBe('{path: a.py');
  });

  it('handles braces inside JSON strings', () => {
    const r = extractTextToolCalls('{"name": "search_method", "arguments": {"name": "f{x}", "file": "}"}}', names);
    expect(r.calls[0]!.args).toEqual({ name: 'f{x}', file: '}' });
  });
});

describe('redact', () => {
  it('removes the key, its abbreviated echoes and key-shaped strings', () => {
    const key = 'sk-proj-AbCdEf0123456789XyZw';
    const msg = `Incorrect API key provided: ${key}. Also sk-proj-***********XyZw and sk-pro...XyZw. header Bearer ${key}`;
    const out = redact(msg, [key]);
    expect(out).not.toContain(key);
    expect(out).not.toContain('XyZw');
    expect(out).toContain('[REDACTED]');
    expect(redact('x-api-key: sk-ant-api03-abcdefghijkl')).toBe('x-api-key: [REDACTED]');
    expect(redact('nothing secret here', ['sk-1234567890abcd'])).toBe('nothing secret here');
  });
});

describe('toolJsonSchema', () => {
  it('converts zod objects, describing fields and optionality', () => {
    const schema = toolJsonSchema({
      name: 't',
      description: 'd',
      schema: z.object({ path: z.string().describe('relative to repo root'), line: z.number().int().optional() }),
    });
    expect(schema).toMatchObject({
      type: 'object',
      properties: { path: { type: 'string', description: 'relative to repo root' }, line: { type: 'integer' } },
      required: ['path'],
    });
    expect('$schema' in schema).toBe(false);
  });
});

describe('config helpers', () => {
  it('parsePriceOverrides keeps valid entries and explains bad ones', () => {
    const r = parsePriceOverrides({ 'my-model': { input: 1, output: 2 }, bad: { input: -1, output: 2 }, worse: 'cheap' });
    expect(r.prices).toEqual({ 'my-model': { input: 1, output: 2 } });
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/price for "bad" ignored \(input: /);
    expect(parsePriceOverrides([1]).errors[0]).toMatch(/must be an object/);
    expect(parsePriceOverrides(undefined)).toEqual({ prices: {}, errors: [] });
  });

  it('publicConfig and redactDeep keep keys out of logs and trajectories', () => {
    const key = 'sk-ant-api03-very-secret-key-0001';
    const cfg = { provider: 'anthropic' as const, apiKey: key, model: 'm', headers: { 'x-proxy-token': 't0k3n' } };
    expect(JSON.stringify(publicConfig(cfg))).not.toContain(key);
    expect(JSON.stringify(publicConfig(cfg))).not.toContain('t0k3n');
    const traj = { config: cfg, messages: [{ role: 'tool', content: `env shows ANTHROPIC_API_KEY=${key}` }], n: 3, ok: true };
    const clean = redactDeep(traj, [key]);
    expect(JSON.stringify(clean)).not.toContain(key);
    expect(clean.n).toBe(3);
    expect(clean.ok).toBe(true);
    expect(traj.config.apiKey).toBe(key); // the original is untouched
  });
});
