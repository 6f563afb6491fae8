// A reply as the rest of Rover may keep it: the API key (and proxy header values) removed from its
// text, tool arguments and replayable blocks, since a reply can quote them (a prompt injection asking
// the model to print its key, a server echoing the request) and replies end up in trajectories,
// patches and logs.
import type { Assembled } from './anthropic-provider';
import { MAX_ARG_DEPTH } from './bounds';
import { realSecrets, redactSecrets } from './redact';

export function replySecrets(apiKey: string, headers?: Record<string, string>): string[] {
  return realSecrets([apiKey, ...Object.values(headers ?? {})]);
}

/** Deep copy with the secrets removed from every string; depth is already bounded by the parsers. */
function scrubValue(v: unknown, secrets: string[], depth = 0): unknown {
  if (typeof v === 'string') return redactSecrets(v, secrets);
  if (!v || typeof v !== 'object' || depth > MAX_ARG_DEPTH + 1) return v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, secrets, depth + 1);
  return out;
}

export function scrubAssembled(a: Assembled, secrets: string[]): Assembled {
  if (!secrets.length) return a;
  const calls = a.toolCalls.map((c) => ({
    ...c,
    args: scrubValue(c.args, secrets),
    ...(c.rawArgs !== undefined ? { rawArgs: redactSecrets(c.rawArgs, secrets) } : {}),
  }));
  const byId = new Map(calls.map((c) => [c.id, c]));
  // thinking blocks are signed by the server and must go back unchanged; text and tool inputs may not
  const blocks = a.blocks?.map((b) => {
    const blk = b as { type?: string; text?: string; id?: string };
    if (blk.type === 'text' && typeof blk.text === 'string') return { ...blk, text: redactSecrets(blk.text, secrets) };
    if (blk.type === 'tool_use' && blk.id && byId.has(blk.id)) {
      const args = byId.get(blk.id)!.args;
      return { ...blk, input: args && typeof args === 'object' && !Array.isArray(args) ? args : {} };
    }
    return b;
  });
  return { ...a, text: redactSecrets(a.text, secrets), toolCalls: calls, ...(blocks ? { blocks } : {}) };
}
