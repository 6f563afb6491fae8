// Rover's provider-neutral conversation (core/llm ChatRequest) in the shapes of VS Code's Language
// Model API, and a streamed reply back into a ChatResponse's text and tool calls. No `vscode` import:
// the classes come in as `LmClasses`, so the mapping is tested against stand-ins of them.
import type { ChatRequest, ToolCall, ToolSpec } from '../core-bridge';
import { toolJsonSchema } from '../core-bridge';

/** The constructors of vscode.lm's message parts this mapping uses. */
export interface LmClasses {
  TextPart: new (value: string) => { value: string };
  ToolCallPart: new (callId: string, name: string, input: object) => { callId: string; name: string; input: object };
  ToolResultPart: new (callId: string, content: unknown[]) => { callId: string; content: unknown[] };
  Message: { User(content: string | unknown[]): unknown; Assistant(content: string | unknown[]): unknown };
}

export interface LmToolInfo {
  name: string;
  description: string;
  inputSchema: object;
}

/**
 * The request as vscode.lm messages. VS Code's chat API has no system role: the system prompt goes
 * first as a user message of its own, marked as instructions.
 */
export function toLmMessages(req: ChatRequest, C: LmClasses): unknown[] {
  const out: unknown[] = [];
  if (req.system.trim()) out.push(C.Message.User(`<instructions>\n${req.system}\n</instructions>`));
  for (const m of req.messages) {
    if (m.role === 'user') out.push(C.Message.User(m.content));
    else if (m.role === 'assistant') {
      const parts: unknown[] = [];
      if (m.text) parts.push(new C.TextPart(m.text));
      for (const c of m.toolCalls) parts.push(new C.ToolCallPart(c.id, c.name, isObject(c.args) ? c.args : {}));
      out.push(C.Message.Assistant(parts.length ? parts : ''));
    } else {
      out.push(C.Message.User(m.results.map((r) => new C.ToolResultPart(r.callId, [new C.TextPart(r.isError ? `Error: ${r.content}` : r.content)]))));
    }
  }
  return out;
}

export function toLmTools(tools: ToolSpec[] | undefined): LmToolInfo[] {
  return (tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: toolJsonSchema(t) }));
}

/** Reads a reply stream: text parts are streamed to `onText` and joined, tool-call parts become ToolCalls. */
export async function readLmStream(stream: AsyncIterable<unknown>, C: LmClasses, onText?: (delta: string) => void, signal?: AbortSignal): Promise<{ text: string; toolCalls: ToolCall[] }> {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for await (const part of stream) {
    if (signal?.aborted) break;
    if (part instanceof C.TextPart) {
      text += part.value;
      onText?.(part.value);
    } else if (part instanceof C.ToolCallPart) {
      toolCalls.push({ id: part.callId, name: part.name, args: part.input ?? {} });
    }
  }
  return { text, toolCalls };
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
