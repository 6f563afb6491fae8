// Keys must never reach a log, a trajectory or an error message. Servers sometimes echo the key they
// rejected ("Incorrect API key provided: sk-..."), so every message we surface passes through here.

const KEY_SHAPES = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g, // Anthropic
  /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g, // OpenAI
  /\b(?:Bearer|x-api-key:?)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

export const REDACTED = '[REDACTED]';

/** Removes the given secrets (and their partial echoes such as "sk-abc...wxyz") plus anything key-shaped. */
export function redact(text: string, secrets: (string | undefined)[] = []): string {
  let out = redactSecrets(text, secrets);
  for (const re of KEY_SHAPES) out = out.replace(re, (m) => (/^(bearer|x-api-key)/i.test(m) ? m.split(/\s+/)[0] + ' ' + REDACTED : REDACTED));
  return out;
}

/**
 * Removes only the given secrets and their abbreviated echoes. For a model's own text (a patch, an
 * answer): anything merely key-shaped there may be the code under repair, which must stay as it is.
 */
export function redactSecrets(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join(REDACTED);
    // OpenAI echoes keys abbreviated: first few chars, "*" or "...", last 4.
    if (s.length >= 12) {
      const head = escapeRe(s.slice(0, 6));
      const tail = escapeRe(s.slice(-4));
      out = out.replace(new RegExp(`${head}[A-Za-z0-9_*.…-]{0,200}${tail}`, 'g'), REDACTED);
    }
  }
  return out;
}

/** Secrets long enough to be worth looking for (a 3-character "key" would redact half a patch). */
export function realSecrets(secrets: (string | undefined)[]): string[] {
  return secrets.filter((s): s is string => !!s && s.length >= 8);
}

/**
 * Redacts a secret from text that arrives in pieces: a key split across two deltas is still caught.
 * Only an ending that could be the start of a secret is held back until the next piece (or the end),
 * so ordinary text is shown as soon as it arrives.
 */
export class StreamRedactor {
  private pending = '';
  constructor(private readonly secrets: string[]) {}
  push(delta: string): string {
    if (!this.secrets.length) return delta;
    const text = redactSecrets(this.pending + delta, this.secrets);
    const hold = this.heldLength(text);
    this.pending = text.slice(text.length - hold);
    return text.slice(0, text.length - hold);
  }
  flush(): string {
    const out = redactSecrets(this.pending, this.secrets);
    this.pending = '';
    return out;
  }
  /** Length of the longest ending of `text` that is a proper prefix of a secret. */
  private heldLength(text: string): number {
    let best = 0;
    for (const s of this.secrets) {
      for (let k = Math.min(s.length - 1, text.length); k > best; k--) {
        if (text.endsWith(s.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
