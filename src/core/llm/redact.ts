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
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join(REDACTED);
    // OpenAI echoes keys abbreviated: first few chars, "*" or "...", last 4.
    if (s.length >= 12) {
      const head = escapeRe(s.slice(0, 6));
      const tail = escapeRe(s.slice(-4));
      out = out.replace(new RegExp(`${head}[A-Za-z0-9_*.…-]*${tail}`, 'g'), REDACTED);
    }
  }
  for (const re of KEY_SHAPES) out = out.replace(re, (m) => (/^(bearer|x-api-key)/i.test(m) ? m.split(/\s+/)[0] + ' ' + REDACTED : REDACTED));
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
