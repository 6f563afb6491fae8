// The vscode-lm provider's mapping between Rover's conversation and vscode.lm's message parts,
// against stand-ins of VS Code's classes (the same constructor shapes): system prompt, user text,
// assistant text with tool calls, tool results (errors marked), tools as JSON Schema, and a reply
// stream read back into text and tool calls.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readLmStream, toLmMessages, toLmTools, type LmClasses } from '../../src/extension/logic/lm-chat-mapping';
import type { ChatRequest } from '../../src/core/llm/types';

class TextPart { constructor(public value: string) {} }
class ToolCallPart { constructor(public callId: string, public name: string, public input: object) {} }
class ToolResultPart { constructor(public callId: string, public content: unknown[]) {} }
class Message {
  constructor(public role: 'user' | 'assistant', public content: unknown[]) {}
  static User(c: string | unknown[]) { return new Message('user', typeof c === 'string' ? [new TextPart(c)] : c); }
  static Assistant(c: string | unknown[]) { return new Message('assistant', typeof c === 'string' ? [new TextPart(c)] : c); }
}
const C: LmClasses = { TextPart, ToolCallPart, ToolResultPart, Message };

const req: ChatRequest = {
  system: 'You fix bugs.',
  messages: [
    { role: 'user', content: 'The bulk discount is wrong.' },
    { role: 'assistant', text: 'Let me look.', toolCalls: [{ id: 'c1', name: 'search_method', args: { method_name: 'bulk_discount' } }, { id: 'c2', name: 'search_class', args: 'not an object' }] },
    { role: 'tool', results: [{ callId: 'c1', content: 'def bulk_discount(...)' }, { callId: 'c2', content: 'bad arguments', isError: true }] },
  ],
  tools: [{ name: 'search_method', description: 'Find methods.', schema: z.object({ method_name: z.string().min(1) }) }],
};

describe('vscode-lm mapping', () => {
  it('puts the system prompt first as marked instructions, then each turn in vscode.lm parts', () => {
    const out = toLmMessages(req, C) as Message[];
    expect(out.map((m) => m.role)).toEqual(['user', 'user', 'assistant', 'user']);
    expect((out[0].content[0] as TextPart).value).toBe('<instructions>\nYou fix bugs.\n</instructions>');
    expect((out[1].content[0] as TextPart).value).toBe('The bulk discount is wrong.');
    const [text, call1, call2] = out[2].content as [TextPart, ToolCallPart, ToolCallPart];
    expect(text).toBeInstanceOf(TextPart);
    expect(text.value).toBe('Let me look.');
    expect(call1).toEqual(new ToolCallPart('c1', 'search_method', { method_name: 'bulk_discount' }));
    // arguments that are not an object (a model's bad JSON) go back as {} so the API accepts the turn
    expect(call2.input).toEqual({});
    const results = out[3].content as ToolResultPart[];
    expect(results.map((r) => r.callId)).toEqual(['c1', 'c2']);
    expect((results[0].content[0] as TextPart).value).toBe('def bulk_discount(...)');
    expect((results[1].content[0] as TextPart).value).toBe('Error: bad arguments');
  });

  it('sends an assistant turn with neither text nor calls as an empty string, and no system message when there is none', () => {
    const out = toLmMessages({ system: ' ', messages: [{ role: 'assistant', text: '', toolCalls: [] }] }, C) as Message[];
    expect(out).toHaveLength(1);
    expect((out[0].content[0] as TextPart).value).toBe('');
  });

  it('offers the tools with their JSON Schema', () => {
    expect(toLmTools(req.tools)).toEqual([
      { name: 'search_method', description: 'Find methods.', inputSchema: { type: 'object', properties: { method_name: { type: 'string', minLength: 1 } }, required: ['method_name'] } },
    ]);
    expect(toLmTools(undefined)).toEqual([]);
  });

  it('reads a reply stream: text streamed and joined, tool calls collected, unknown parts ignored', async () => {
    async function* stream() {
      yield new TextPart('I will ');
      yield { somethingNew: true };
      yield new TextPart('search.');
      yield new ToolCallPart('t1', 'search_class', { class_name: 'Cart' });
    }
    const deltas: string[] = [];
    const r = await readLmStream(stream(), C, (d) => deltas.push(d));
    expect(r.text).toBe('I will search.');
    expect(deltas).toEqual(['I will ', 'search.']);
    expect(r.toolCalls).toEqual([{ id: 't1', name: 'search_class', args: { class_name: 'Cart' } }]);
  });

  it('stops reading when cancelled', async () => {
    const ac = new AbortController();
    async function* stream() {
      yield new TextPart('a');
      ac.abort();
      yield new TextPart('b');
    }
    expect((await readLmStream(stream(), C, undefined, ac.signal)).text).toBe('a');
  });
});
