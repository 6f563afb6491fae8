// Limits on what a model reply may be, enforced while it streams: nesting of tool arguments (V8's
// JSON.parse copes with any depth, but JSON.stringify, structuredClone and every recursive walk
// after it overflow the stack at a few thousand levels), size of one tool call's arguments, size of
// the whole reply. An oversize part is cut and described, so the caller can tell the model why.
export const MAX_ARG_DEPTH = 64;
export const DEFAULT_MAX_TOOL_ARG_BYTES = 256 * 1024;
export const DEFAULT_MAX_REPLY_BYTES = 512 * 1024;
/** What of an oversize or malformed argument text is kept for the trajectory and the model. */
export const RAW_ARGS_PREVIEW = 2000;

/** Deepest nesting of [ and { in JSON text, strings skipped; stops counting past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++; // backslash
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Whether a parsed value nests deeper than `limit` (iterative: the value may be 100k levels deep). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (d > limit) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) if (x && typeof x === 'object') stack.push([x, d + 1]);
  }
  return false;
}

export function preview(s: string, n = RAW_ARGS_PREVIEW): string {
  return s.length <= n ? s : `${s.slice(0, n)}… [${s.length - n} more characters not kept]`;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
}

/** Counts a reply's characters as they stream; `over` turns true once the cap is passed. */
export class ReplyMeter {
  bytes = 0;
  constructor(readonly max: number) {}
  add(s: string): boolean {
    this.bytes += s.length;
    return this.over;
  }
  get over(): boolean {
    return this.bytes > this.max;
  }
  note(): string {
    return `The reply was cut at ${formatBytes(this.max)}: it exceeded the size Rover accepts from a model in one reply. Keep replies short: edit blocks quote only the lines that change, plus a few lines of context.`;
  }
}
