// Entry point of the model layer: build a provider from config; wrap it with a budget.
import { AnthropicProvider } from './anthropic-provider';
import { CostLedger } from './cost-ledger';
import { OpenAIProvider, type OpenAIProviderOptions } from './openai-provider';
import { DEFAULT_MODELS } from './prices';
import type { RetryPolicy } from './retry';
import { ModelError, type ChatProvider, type ChatRequest, type ChatResponse, type CompleteOptions, type ProviderConfig } from './types';

export * from './types';
export { addCall, CostLedger, type LedgerEntry, type LedgerTotals } from './cost-ledger';
export { BUILTIN_PRICES, DEFAULT_MODELS, lookupPrice, costOf } from './prices';
export { redact, REDACTED } from './redact';
export { parsePriceOverrides, publicConfig, redactDeep } from './config-helpers';
export { extractTextToolCalls } from './text-tool-calls';
export { toolJsonSchema } from './tool-schema';
export { buildAnthropicBody, ANTHROPIC_DEFAULT_BASE_URL } from './anthropic-provider';
export { buildOpenAIBody, normaliseOpenAIBaseUrl, OPENAI_DEFAULT_BASE_URL } from './openai-provider';

export interface CreateProviderExtras extends OpenAIProviderOptions {
  /** Called before each backoff wait (for logs: the error message is already redacted). */
  onRetry?: RetryPolicy['onRetry'];
  /** Tests pass a fixed jitter source. */
  random?: () => number;
}

export function createProvider(cfg: ProviderConfig, extras: CreateProviderExtras = {}): ChatProvider {
  if (cfg.provider !== 'anthropic' && cfg.provider !== 'openai') {
    throw new Error(`Unknown provider "${String(cfg.provider)}": use "anthropic" or "openai" (any OpenAI-compatible endpoint).`);
  }
  if (cfg.provider === 'anthropic' && !cfg.apiKey) {
    throw new Error('No API key for anthropic: set one (CLI: ANTHROPIC_API_KEY; editor: "Rover: Set API Key").');
  }
  if (cfg.provider === 'openai' && !cfg.apiKey && !cfg.baseUrl) {
    throw new Error('No API key for openai: set OPENAI_API_KEY, or give a base URL of a local server (e.g. http://localhost:11434/v1).');
  }
  if (cfg.baseUrl !== undefined) {
    try {
      const u = new URL(cfg.baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new Error(`Base URL "${cfg.baseUrl}" is not an http(s) URL.`);
    }
  }
  const maxRetries = cfg.maxRetries ?? 4;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new Error(`maxRetries must be a non-negative integer, got ${maxRetries}.`);
  const policy: RetryPolicy = {
    maxRetries,
    baseMs: cfg.retryBaseMs ?? 1000,
    maxMs: cfg.retryMaxMs ?? 60_000,
    retryAfterMaxMs: cfg.retryAfterMaxMs ?? envSeconds('ROVER_RETRY_AFTER_MAX_S') ?? cfg.retryMaxMs ?? 60_000,
    onRetry: extras.onRetry,
    random: extras.random,
  };
  const full = {
    ...cfg,
    model: cfg.model || DEFAULT_MODELS[cfg.provider],
    deadlineMs: cfg.deadlineMs ?? envSeconds('ROVER_MODEL_DEADLINE_S'),
    streamIdleMs: cfg.streamIdleMs ?? envSeconds('ROVER_STREAM_IDLE_S'),
  };
  return cfg.provider === 'anthropic' ? new AnthropicProvider(full, policy) : new OpenAIProvider(full, policy, extras);
}

/**
 * Limits an operator can set for every model call without a settings UI (the CLI, a benchmark):
 * ROVER_MODEL_DEADLINE_S, ROVER_STREAM_IDLE_S, ROVER_RETRY_AFTER_MAX_S. A bad value is an error.
 */
function envSeconds(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} must be a positive number of seconds, got "${v}".`);
  return n * 1000;
}

/**
 * A provider that refuses to start a call once the ledger's cap is reached (BudgetExceededError) and
 * records every completed call. The call that crosses the cap still returns its response.
 */
export function withBudget(provider: ChatProvider, ledger: CostLedger): ChatProvider {
  return {
    id: provider.id,
    model: provider.model,
    async complete(req: ChatRequest, opts?: CompleteOptions): Promise<ChatResponse> {
      ledger.assertWithinBudget();
      const started = Date.now();
      let res: ChatResponse;
      try {
        res = await provider.complete(req, opts);
      } catch (e) {
        // A stream cut after the server read the prompt was still billed: count it.
        if (e instanceof ModelError && e.usage && e.costUsd !== undefined) {
          ledger.recordFailed(provider.model, e.usage, e.costUsd, Date.now() - started, e.kind);
        }
        throw e;
      }
      ledger.record(res);
      return res;
    },
  };
}
