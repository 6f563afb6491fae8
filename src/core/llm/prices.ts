// Built-in list prices (USD per million tokens) used to ESTIMATE the cost of a run. They drift; users
// override them through ProviderConfig.prices (the extension's rover.model.prices setting).
import type { Price, ProviderId } from './types';

export const BUILTIN_PRICES: Record<string, Price> = {
  // Anthropic list prices (platform.claude.com pricing page, late 2026). 5-minute cache writes cost
  // 1.25x input; cache reads 0.1x input, except the *-5-5 generation (0.05x) and Fable/Mythos 5.1.
  'claude-fable-5-1': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
  'claude-mythos-5-1': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
  'claude-fable-5': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
  'claude-mythos-5': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  'claude-opus-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-8': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-7': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-6': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-1': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-opus-4': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
  'claude-sonnet-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  'claude-sonnet-4': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-3-5-sonnet': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  // Haiku 5.5 bills a whole request at 5x when its prompt (input + cache) exceeds 100k tokens.
  'claude-haiku-5-5': {
    input: 0.1,
    output: 0.5,
    cacheWrite: 0.125,
    cacheRead: 0.01,
    longPrompt: { aboveTokens: 100_000, input: 0.5, output: 2.5, cacheWrite: 0.625, cacheRead: 0.05 },
  },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 },
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 },
  'claude-3-opus': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  // OpenAI: prompt caching is automatic; cached input is billed at the cacheRead rate, no write fee.
  'gpt-5.4-nano': { input: 0.2, output: 1.25, cacheRead: 0.02 },
  'gpt-5.4-mini': { input: 0.75, output: 4.5, cacheRead: 0.075 },
  'gpt-5.4': { input: 2.5, output: 15, cacheRead: 0.25 },
  'gpt-5.2': { input: 1.75, output: 14, cacheRead: 0.175 },
  'gpt-5.1': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  'o3': { input: 2, output: 8, cacheRead: 0.5 },
};

export const DEFAULT_MODELS: Record<ProviderId, string> = {
  anthropic: 'claude-sonnet-5-5',
  openai: 'gpt-5.4',
};

export interface PriceLookup {
  price: Price;
  /** False when the model is in no table: the cost shown is 0 and must be labelled unknown. */
  known: boolean;
  /** Which table key matched (for display). */
  key?: string;
}

const FREE: Price = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * Exact id first, then the longest key that prefixes the id, so dated snapshots
 * ("claude-sonnet-4-5-20250929", "gpt-4o-2024-08-06") find their family. User prices win over built-ins.
 * A model served by a local endpoint (not the vendor's API host) that matches nothing costs 0.
 */
export function lookupPrice(model: string, overrides?: Record<string, Price>, isLocal = false): PriceLookup {
  for (const table of [overrides ?? {}, BUILTIN_PRICES]) {
    if (table[model]) return { price: table[model]!, known: true, key: model };
    let best: string | undefined;
    for (const key of Object.keys(table)) {
      if (model.startsWith(key) && (!best || key.length > best.length)) best = key;
    }
    if (best) return { price: table[best]!, known: true, key: best };
  }
  return { price: FREE, known: isLocal };
}

export function costOf(
  usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number },
  price: Price,
): number {
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const p = price.longPrompt && prompt > price.longPrompt.aboveTokens ? price.longPrompt : price;
  const perTok = 1e-6;
  return (
    usage.inputTokens * p.input * perTok +
    usage.outputTokens * p.output * perTok +
    usage.cacheReadTokens * (p.cacheRead ?? p.input) * perTok +
    usage.cacheWriteTokens * (p.cacheWrite ?? p.input) * perTok
  );
}

/** Vendor hosts bill; anything else (Ollama, vLLM, LM Studio on localhost or a LAN box) is treated as free. */
export function isVendorHost(baseUrl: string | undefined, provider: ProviderId): boolean {
  if (!baseUrl) return true;
  try {
    const host = new URL(baseUrl).hostname;
    return provider === 'anthropic' ? host.endsWith('anthropic.com') : /(^|\.)(openai\.com|openai\.azure\.com)$/.test(host);
  } catch {
    return false;
  }
}
