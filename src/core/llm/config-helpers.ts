// Helpers for the callers that turn user settings into a ProviderConfig and write logs/trajectories.
import { z } from 'zod';
import type { Price, ProviderConfig } from './types';
import { redact, REDACTED } from './redact';

const priceSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  })
  .strict();

/**
 * Validates user price overrides (e.g. the `rover.prices` setting or a CLI --prices JSON file):
 * `{ "<model id or prefix>": { "input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75 } }`,
 * USD per million tokens. Bad entries are reported and skipped; good ones are kept.
 */
export function parsePriceOverrides(value: unknown): { prices: Record<string, Price>; errors: string[] } {
  const prices: Record<string, Price> = {};
  const errors: string[] = [];
  if (value === undefined || value === null) return { prices, errors };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { prices, errors: ['price overrides must be an object keyed by model id'] };
  }
  for (const [model, entry] of Object.entries(value as Record<string, unknown>)) {
    const r = priceSchema.safeParse(entry);
    if (r.success) prices[model] = r.data;
    else {
      const why = r.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
      errors.push(`price for "${model}" ignored (${why}); expected USD per million tokens like {"input": 3, "output": 15}`);
    }
  }
  return { prices, errors };
}

/** The config as it may appear in a log or trajectory: no key, no headers (proxies put tokens there). */
export function publicConfig(cfg: ProviderConfig): Omit<ProviderConfig, 'apiKey' | 'headers'> & { apiKey: string } {
  const { apiKey, headers: _headers, ...rest } = cfg;
  return { ...rest, apiKey: apiKey ? REDACTED : '' };
}

/** Deep copy of a JSON-like value with every occurrence of the secrets (and key-shaped strings) redacted. */
export function redactDeep<T>(value: T, secrets: (string | undefined)[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = /^(api[-_]?key|authorization|x-api-key)$/i.test(k) && x ? REDACTED : walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
