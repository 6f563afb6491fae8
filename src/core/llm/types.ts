// The contract between the agent and any chat model. Provider-neutral on purpose: the agent never sees
// an SDK type, so a run can switch between Anthropic and an OpenAI-compatible endpoint by config alone.
import type { z } from 'zod';

export type ProviderId = 'anthropic' | 'openai';

export interface ToolSpec {
  name: string;
  description: string;
  /** A zod v4 object schema; sent to the model as JSON Schema via z.toJSONSchema. */
  schema: z.ZodType;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments ({} when they could not be parsed; see parseError). */
  args: unknown;
  /** Set when the model emitted arguments that are not valid JSON; the raw text is in rawArgs. */
  parseError?: string;
  rawArgs?: string;
}

export interface ToolResult {
  callId: string;
  content: string;
  isError?: boolean;
}

export interface AssistantMessage {
  role: 'assistant';
  text: string;
  toolCalls: ToolCall[];
  /**
   * The provider's own content blocks, replayed verbatim when this message is sent back to the same
   * provider (Anthropic requires thinking blocks, with their signatures, to be returned unchanged).
   * Ignored by other providers. Holds no secrets.
   */
  providerData?: { provider: ProviderId; blocks: unknown[] };
}

export type ChatMessage =
  | { role: 'user'; content: string }
  | AssistantMessage
  | { role: 'tool'; results: ToolResult[] };

export interface ChatRequest {
  system: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** OpenAI-compatible endpoints only (dropped for models that reject it); Anthropic has deprecated it. */
  temperature?: number;
  maxTokens?: number;
  /** messages[0..cachePrefixMessages) are stable across calls (issue + repo summary): cache them. */
  cachePrefixMessages?: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface ChatResponse {
  /** The reply as a message ready to append to the conversation (text, tool calls, provider data). */
  message: AssistantMessage;
  text: string;
  toolCalls: ToolCall[];
  /** Normalised: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | provider-specific other. */
  stopReason: string;
  usage: Usage;
  /** Estimated from the price table; never a billing figure. */
  costUsd: number;
  /** False when the model is in no price table (costUsd is then 0 and should be shown as unknown). */
  priceKnown?: boolean;
  model: string;
  /** Wall time including retries and backoff waits. */
  ms: number;
  /** HTTP attempts made (1 when the first one succeeded). */
  attempts?: number;
  /** Part of `usage` billed by earlier attempts that were cut mid-stream and replayed. */
  retriedUsage?: Usage;
  /** Set when the reply was cut because it passed `maxReplyBytes`: what to tell the model. */
  oversize?: string;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  /** Streaming text deltas (only called when the provider streams). */
  onText?: (delta: string) => void;
}

export interface ChatProvider {
  /** 'vscode-lm': a chat model of the editor's (the extension implements it over vscode.lm). */
  readonly id: ProviderId | 'vscode-lm';
  readonly model: string;
  complete(req: ChatRequest, opts?: CompleteOptions): Promise<ChatResponse>;
}

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
  /** Defaults to the input price when absent. */
  cacheRead?: number;
  cacheWrite?: number;
  /** A higher tier billed for the whole request when its prompt (input + cache) exceeds aboveTokens. */
  longPrompt?: { aboveTokens: number; input: number; output: number; cacheRead?: number; cacheWrite?: number };
}

export interface ProviderConfig {
  provider: ProviderId;
  apiKey: string;
  model?: string;
  baseUrl?: string;
  /** Overrides/extends the built-in price table, keyed by model id (exact or prefix). */
  prices?: Record<string, Price>;
  /** Retries after the first attempt on 429/5xx/529/network errors. Default 4. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 1000 ms. */
  retryBaseMs?: number;
  /** Cap for one backoff delay. Default 60 s. */
  retryMaxMs?: number;
  /** A retry-after longer than this is not waited out: the call fails saying when to retry. Default 60 s. */
  retryAfterMaxMs?: number;
  /** Per request. Default 10 minutes. */
  timeoutMs?: number;
  /** Total for one call, retries and waits included; then it fails with kind 'timeout'. Default 10 minutes. */
  deadlineMs?: number;
  /** A reply (text plus tool arguments) longer than this is cut and `oversize` says so. Default 512 KiB. */
  maxReplyBytes?: number;
  /** One tool call's arguments longer than this become a parseError. Default 256 KiB. */
  maxToolArgBytes?: number;
  /** Stream responses (default true). */
  stream?: boolean;
  /** A stream that sends nothing but keep-alive pings for this long is treated as cut (default 120 s). */
  streamIdleMs?: number;
  /** Extra headers (e.g. for a proxy); never logged. */
  headers?: Record<string, string>;
}

export type ModelErrorKind =
  | 'auth'
  | 'rate-limit'
  | 'server'
  | 'network'
  | 'bad-request'
  | 'cancelled'
  | 'stream-cut'
  | 'timeout';

export class ModelError extends Error {
  constructor(
    message: string,
    readonly kind: ModelErrorKind,
    readonly status?: number,
    readonly provider?: ProviderId,
    /** How many attempts were made before giving up. */
    readonly attempts?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
  /** Tokens billed by attempts that died mid-stream (the input was processed), and their estimated cost. */
  usage?: Usage;
  costUsd?: number;
  /** When the server said a retry may succeed (a retry-after Rover would not wait out), ISO time. */
  retryAt?: string;
  /** Whether a later attempt could succeed. */
  get retryable(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'server' || this.kind === 'network' || this.kind === 'timeout';
  }
}

export class BudgetExceededError extends Error {
  constructor(
    readonly spentUsd: number,
    readonly budgetUsd: number,
  ) {
    super(`Budget exhausted: estimated spend $${spentUsd.toFixed(4)} reached the cap of $${budgetUsd.toFixed(2)}.`);
    this.name = 'BudgetExceededError';
  }
}
