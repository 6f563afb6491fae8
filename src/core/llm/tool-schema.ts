// Tools are declared once with zod; each provider receives the same JSON Schema.
import { z } from 'zod';
import { DEFAULT_MAX_TOOL_ARG_BYTES, formatBytes, jsonDepth, MAX_ARG_DEPTH } from './bounds';
import type { ToolSpec } from './types';

export type JsonSchemaObject = { type: 'object'; properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };

const cache = new WeakMap<z.ZodType, JsonSchemaObject>();

export function toolJsonSchema(tool: ToolSpec): JsonSchemaObject {
  const hit = cache.get(tool.schema);
  if (hit) return hit;
  let schema: Record<string, unknown>;
  try {
    schema = z.toJSONSchema(tool.schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`Tool "${tool.name}": its zod schema cannot be expressed as JSON Schema (${(e as Error).message}).`);
  }
  delete schema.$schema;
  if (schema.type !== 'object') {
    throw new Error(`Tool "${tool.name}": the schema must be a zod object (got JSON Schema type ${String(schema.type)}).`);
  }
  cache.set(tool.schema, schema as JsonSchemaObject);
  return schema as JsonSchemaObject;
}

export function checkToolNames(tools: ToolSpec[] | undefined): void {
  const seen = new Set<string>();
  for (const t of tools ?? []) {
    // Both APIs restrict tool names to this alphabet; failing here beats a 400 from the server.
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) throw new Error(`Tool name "${t.name}" must match [a-zA-Z0-9_-]{1,64}.`);
    if (seen.has(t.name)) throw new Error(`Tool "${t.name}" is declared twice.`);
    seen.add(t.name);
  }
}

/**
 * Parses tool-call arguments; malformed, oversize or absurdly nested JSON is reported on the call
 * (a message the model gets back) instead of thrown.
 */
export function parseArgs(raw: string | undefined, maxBytes = DEFAULT_MAX_TOOL_ARG_BYTES): { args: unknown; parseError?: string } {
  const text = (raw ?? '').trim();
  if (text === '') return { args: {} };
  if (text.length > maxBytes) {
    return { args: {}, parseError: `arguments are ${formatBytes(text.length)} long, over the ${formatBytes(maxBytes)} Rover accepts for one tool call` };
  }
  if (jsonDepth(text, MAX_ARG_DEPTH) > MAX_ARG_DEPTH) return { args: {}, parseError: `arguments nest deeper than ${MAX_ARG_DEPTH} levels` };
  try {
    return { args: JSON.parse(text) };
  } catch (e) {
    return { args: {}, parseError: `arguments are not valid JSON: ${(e as Error).message}` };
  }
}
