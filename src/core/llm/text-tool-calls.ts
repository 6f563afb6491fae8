// Local models (Ollama, LM Studio, small vLLM deployments) often ignore the `tools` field and write the
// call into the text instead. This recovers such calls, accepting only names of tools that were offered:
//   <tool_call>{"name": "search_method", "arguments": {"name": "foo"}}</tool_call>   (Hermes / Qwen)
//   ```json {"name": "search_method", "arguments": {...}} ```                        (fenced)
//   {"tool": "search_method", "args": {...}}   — also "function"/"parameters"/"input" spellings,
//   and {"type": "function", "function": {"name": ..., "arguments": "<json string>"}} (OpenAI shape).
import { MAX_ARG_DEPTH, nestedDeeperThan } from './bounds';
import type { ToolCall } from './types';
import { parseArgs } from './tool-schema';

/** Characters the brace matcher may visit in all: text full of unbalanced braces is quadratic otherwise. */
const SCAN_BUDGET = 4_000_000;

export interface TextToolCalls {
  calls: ToolCall[];
  /** The text with the recovered calls removed. */
  text: string;
}

export function extractTextToolCalls(text: string, toolNames: string[]): TextToolCalls {
  const names = new Set(toolNames);
  const calls: ToolCall[] = [];
  const spans: [number, number][] = [];
  let i = 0;
  const budget = { left: SCAN_BUDGET };
  while (i < text.length && budget.left > 0) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    const close = matchBrace(text, open, budget);
    if (close < 0) {
      i = open + 1;
      continue;
    }
    const slice = text.slice(open, close + 1);
    let value: unknown;
    try {
      value = JSON.parse(slice);
    } catch {
      i = open + 1;
      continue;
    }
    const call = asCall(value, names, calls.length);
    if (call) {
      calls.push(call);
      spans.push(widen(text, open, close + 1));
    }
    i = close + 1;
  }
  let rest = text;
  for (const [a, b] of spans.reverse()) rest = rest.slice(0, a) + rest.slice(b);
  return { calls, text: calls.length ? rest.trim() : text };
}

function asCall(v: unknown, names: Set<string>, n: number): ToolCall | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  let o = v as Record<string, unknown>;
  if (o.function && typeof o.function === 'object') o = o.function as Record<string, unknown>;
  const name = [o.name, o.tool, o.tool_name, typeof o.function === 'string' ? o.function : undefined].find(
    (x): x is string => typeof x === 'string',
  );
  if (!name || !names.has(name)) return undefined;
  const rawArgs = o.arguments ?? o.args ?? o.parameters ?? o.input ?? {};
  const id = `text_call_${n + 1}`;
  if (nestedDeeperThan(rawArgs, MAX_ARG_DEPTH)) return { id, name, args: {}, parseError: `arguments nest deeper than ${MAX_ARG_DEPTH} levels` };
  if (typeof rawArgs === 'string') {
    const p = parseArgs(rawArgs);
    return { id, name, args: p.args, ...(p.parseError ? { parseError: p.parseError, rawArgs } : {}) };
  }
  return { id, name, args: rawArgs };
}

/** Index of the brace closing the one at `open`, honouring JSON strings; -1 if unbalanced. */
function matchBrace(s: string, open: number, budget: { left: number }): number {
  let depth = 0;
  let inStr = false;
  for (let k = open; k < s.length; k++) {
    if (--budget.left < 0) return -1;
    const c = s[k];
    if (inStr) {
      if (c === '\\') k++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** Extends a span over an enclosing ```json fence or <tool_call> tags so they leave no debris. */
function widen(s: string, a: number, b: number): [number, number] {
  const before = s.slice(0, a);
  const after = s.slice(b);
  const pre = /(<tool_call>\s*|```(?:json)?\s*)$/.exec(before);
  const post = /^(\s*<\/tool_call>|\s*```)/.exec(after);
  return [pre ? a - pre[0].length : a, post ? b + post[0].length : b];
}
