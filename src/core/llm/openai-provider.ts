// Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, LM Studio, OpenRouter...).
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions/completions';
import { DEFAULT_DEADLINE_MS, DEFAULT_STREAM_IDLE_MS, type Assembled } from './anthropic-provider';
import { DEFAULT_MAX_REPLY_BYTES, DEFAULT_MAX_TOOL_ARG_BYTES, formatBytes, preview, ReplyMeter } from './bounds';
import { Deadline } from './deadline';
import { StreamCutError, type ErrorContext } from './errors';
import { IdleGuard } from './idle-guard';
import { StreamRedactor } from './redact';
import { replySecrets, scrubAssembled } from './scrub';
import { costOf, isVendorHost, lookupPrice } from './prices';
import { withRetries, type RetryPolicy } from './retry';
import { extractTextToolCalls } from './text-tool-calls';
import { checkToolNames, parseArgs, toolJsonSchema } from './tool-schema';
import { temperatureRejected } from './errors';
import type { ChatProvider, ChatRequest, ChatResponse, CompleteOptions, ProviderConfig, ToolCall, Usage } from './types';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIProviderOptions {
  /** Recover tool calls written as JSON in the text (see text-tool-calls.ts). Default true. */
  textToolCalls?: boolean;
}

/**
 * Local servers all serve under /v1; users often paste "http://localhost:11434". A URL with no path
 * gets /v1 appended; one with any path is used as given (OpenRouter, Azure, proxies).
 */
export function normaliseOpenAIBaseUrl(u: string | undefined): string {
  if (!u) return OPENAI_DEFAULT_BASE_URL;
  const trimmed = u.replace(/\/+$/, '');
  try {
    const url = new URL(trimmed);
    if (url.pathname === '/' || url.pathname === '') return `${trimmed}/v1`;
  } catch {
    throw new Error(`Base URL "${u}" is not a valid URL (expected e.g. http://localhost:11434/v1).`);
  }
  return trimmed;
}

export class OpenAIProvider implements ChatProvider {
  readonly id = 'openai' as const;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly baseUrl: string;
  private readonly vendor: boolean;
  private streamOptions = true;
  private dropTemperature = false;

  constructor(
    private readonly cfg: ProviderConfig & { model: string },
    private readonly policy: RetryPolicy,
    private readonly options: OpenAIProviderOptions = {},
  ) {
    this.model = cfg.model;
    this.baseUrl = normaliseOpenAIBaseUrl(cfg.baseUrl);
    this.vendor = isVendorHost(cfg.baseUrl, 'openai');
    this.client = new OpenAI({
      // Local servers ignore the key but the SDK insists on one.
      apiKey: cfg.apiKey || 'no-key',
      baseURL: this.baseUrl,
      maxRetries: 0,
      timeout: cfg.timeoutMs ?? 600_000,
      defaultHeaders: cfg.headers,
      logLevel: 'off',
      // The SDK would send OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to any host.
      ...(this.vendor ? {} : { organization: null, project: null }),
    });
  }

  async complete(req: ChatRequest, opts: CompleteOptions = {}): Promise<ChatResponse> {
    const body = buildOpenAIBody(this.model, this.dropTemperature ? { ...req, temperature: undefined } : req, this.vendor);
    const deadline = new Deadline(this.cfg.deadlineMs ?? DEFAULT_DEADLINE_MS, opts.signal);
    const ctx: ErrorContext = {
      provider: 'openai',
      baseUrl: this.baseUrl,
      apiKey: this.cfg.apiKey,
      signal: opts.signal,
      deadline,
      // "openai at http://localhost:11434/v1" would mislead someone running Ollama.
      label: this.vendor ? 'openai' : 'the OpenAI-compatible server',
    };
    const started = Date.now();
    const stream = this.cfg.stream !== false;
    const secrets = replySecrets(this.cfg.apiKey, this.cfg.headers);
    let attempts = 0;
    let raw: Assembled;
    try {
      raw = await withRetries((n) => ((attempts = n), stream ? this.streamOnce(body, opts, deadline.signal, secrets) : this.createOnce(body, deadline.signal)), this.policy, ctx);
    } catch (e) {
      if (!temperatureRejected(e, body.temperature)) throw e;
      // Some models only take their default temperature: drop it for this and later calls.
      this.dropTemperature = true;
      return this.complete(req, opts);
    } finally {
      deadline.stop();
    }
    raw = scrubAssembled(raw, secrets);
    if (!raw.toolCalls.length && req.tools?.length && this.options.textToolCalls !== false) {
      // Reasoning models served locally (DeepSeek-R1, QwQ) think inside <think> tags: never mine those.
      const visible = raw.text.replace(/<think>[\s\S]*?(<\/think>|$)/g, '');
      const found = extractTextToolCalls(visible, req.tools.map((t) => t.name));
      if (found.calls.length) {
        raw.toolCalls = found.calls;
        raw.text = found.text;
        raw.stopReason = 'tool_use';
      }
    }
    const lookup = lookupPrice(this.model, this.cfg.prices, !this.vendor);
    const { blocks: _unused, ...rest } = raw;
    return {
      ...rest,
      message: { role: 'assistant', text: raw.text, toolCalls: raw.toolCalls },
      costUsd: costOf(raw.usage, lookup.price),
      priceKnown: lookup.known,
      model: raw.model || this.model,
      ms: Date.now() - started,
      attempts,
    };
  }

  private async createOnce(body: ChatCompletionCreateParamsBase, signal: AbortSignal): Promise<Assembled> {
    const res = await this.client.chat.completions.create({ ...body, stream: false }, { signal });
    const choice = res.choices?.[0];
    const calls: ToolCall[] = [];
    const maxArg = this.cfg.maxToolArgBytes ?? DEFAULT_MAX_TOOL_ARG_BYTES;
    for (const tc of choice?.message?.tool_calls ?? []) {
      if (tc.type !== 'function') continue;
      calls.push(callFrom(tc.id, tc.function.name, String(tc.function.arguments ?? ''), calls.length, maxArg));
    }
    const refusal = choice?.message?.refusal;
    const meter = new ReplyMeter(this.cfg.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
    let text = choice?.message?.content ?? refusal ?? '';
    const over = text.length > meter.max;
    if (over) text = text.slice(0, meter.max);
    return {
      text,
      toolCalls: calls,
      stopReason: over ? 'max_tokens' : refusal && !choice?.message?.content ? 'refusal' : mapFinish(choice?.finish_reason, calls.length > 0),
      usage: usageFrom(res.usage),
      model: res.model,
      ...(over ? { oversize: meter.note() } : {}),
    };
  }

  private async streamOnce(body: ChatCompletionCreateParamsBase, opts: CompleteOptions, signal: AbortSignal, secrets: string[]): Promise<Assembled> {
    let text = '';
    let model = '';
    let finish: string | null | undefined;
    let usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    let emitted = false;
    let done = false;
    let refused = false;
    let responded = false;
    const partial = new Map<number, { id: string; name: string; args: string; dropped: number }>();
    const maxArg = this.cfg.maxToolArgBytes ?? DEFAULT_MAX_TOOL_ARG_BYTES;
    const meter = new ReplyMeter(this.cfg.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
    let oversize: string | undefined;
    const shown = new StreamRedactor(secrets);
    const show = (t: string) => {
      if (t) opts.onText?.(t);
    };
    const guard = new IdleGuard(this.cfg.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS, signal);
    try {
      let chunks;
      try {
        chunks = await this.client.chat.completions.create(
          { ...body, stream: true, ...(this.streamOptions ? { stream_options: { include_usage: true } } : {}) },
          { signal: guard.signal },
        );
      } catch (e) {
        // Some older local servers reject stream_options; usage is then simply not reported.
        if (this.streamOptions && e instanceof OpenAI.APIError && e.status === 400 && /stream_options/i.test(e.message)) {
          this.streamOptions = false;
          guard.stop();
          return this.streamOnce(body, opts, signal, secrets);
        }
        throw e;
      }
      responded = true;
      for await (const chunk of chunks as AsyncIterable<ChatCompletionChunk>) {
        // an empty chunk is a keep-alive, not progress: a server that only sends those is stuck
        if (isProgress(chunk)) guard.touch();
        if (chunk.model) model = chunk.model;
        if (chunk.usage) usage = usageFrom(chunk.usage);
        for (const choice of chunk.choices ?? []) {
          if (choice.index !== 0) continue;
          const d = choice.delta;
          // A refusal arrives in its own field; it is the answer the user should see.
          const piece = d?.content || (d as { refusal?: string | null } | undefined)?.refusal;
          if (piece) {
            if (!d?.content) refused = true;
            meter.add(piece);
            text += piece;
            emitted = true;
            show(shown.push(piece));
          }
          for (const tc of d?.tool_calls ?? []) {
            // The first delta of a call carries id and name; later ones only argument fragments.
            // Some servers omit `index` (a new id then starts a new call) or repeat the name.
            let key = typeof tc.index === 'number' ? tc.index : -1;
            if (key < 0) {
              const byId = tc.id ? [...partial.entries()].find(([, s]) => s.id === tc.id)?.[0] : undefined;
              key = byId ?? (tc.id || partial.size === 0 ? partial.size : partial.size - 1);
            }
            const slot = partial.get(key) ?? { id: '', name: '', args: '', dropped: 0 };
            if (tc.id && !slot.id) slot.id = tc.id;
            if (tc.function?.name && !slot.name) slot.name = tc.function.name;
            const more = tc.function?.arguments;
            if (more) {
              meter.add(more);
              // past the limit the arguments are only counted: the call is refused with its size
              if (slot.dropped || slot.args.length + more.length > maxArg) slot.dropped += more.length;
              else slot.args += more;
            }
            partial.set(key, slot);
          }
          if (choice.finish_reason) {
            finish = choice.finish_reason;
            done = true;
          }
        }
        if (meter.over) {
          // leaving the loop closes the response: the rest of the reply is never read
          oversize = meter.note();
          break;
        }
      }
      show(shown.flush());
    } catch (e) {
      const idle = guard.check(signal, emitted);
      if (idle) throw idle;
      // Before the response started, errors are plain HTTP/connection errors (mapped by status).
      if (opts.signal?.aborted || !responded) throw e;
      // An error event in the middle of the stream is a cut too: once text was shown it must not be replayed.
      if (e instanceof Error && (emitted || !(e instanceof OpenAI.APIError))) throw new StreamCutError(e.message, emitted);
      throw e;
    } finally {
      guard.stop();
    }
    // The SDKs end iteration quietly on an abort, so the guard is asked again here.
    const idleCut = guard.check(signal, emitted);
    if (idleCut) throw idleCut;
    if (oversize) {
      // the call being streamed when the cap hit is incomplete: only finished ones are kept
      if (text.length > meter.max) text = text.slice(0, meter.max);
      const calls = [...partial.entries()]
        .sort((a, b) => a[0] - b[0])
        .slice(0, -1)
        .map(([, s], i) => callFrom(s.id, s.name, s.args, i, maxArg, s.dropped));
      return { text, toolCalls: calls, stopReason: 'max_tokens', usage, model, oversize };
    }
    // The SDK ends iteration quietly when the socket closes; a missing finish_reason means a cut.
    if (!done) throw new StreamCutError('stream ended without a finish_reason', emitted);
    const calls = [...partial.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, s], i) => callFrom(s.id, s.name, s.args, i, maxArg, s.dropped));
    return { text, toolCalls: calls, stopReason: refused ? 'refusal' : mapFinish(finish, calls.length > 0), usage, model };
  }
}

function isProgress(chunk: ChatCompletionChunk): boolean {
  if (chunk.usage) return true;
  return (chunk.choices ?? []).some((c) => {
    const d = c.delta as { content?: string | null; refusal?: string | null; tool_calls?: unknown[]; reasoning_content?: string | null; role?: string } | undefined;
    return !!(c.finish_reason || d?.content || d?.refusal || d?.tool_calls?.length || d?.reasoning_content || d?.role);
  });
}

function callFrom(id: string | undefined, name: string, raw: string, i: number, maxArg: number, dropped = 0): ToolCall {
  const callId = id || `call_${i + 1}`;
  if (dropped) {
    const size = raw.length + dropped;
    return { id: callId, name, args: {}, parseError: `arguments are ${formatBytes(size)} long, over the ${formatBytes(maxArg)} Rover accepts for one tool call`, rawArgs: preview(raw) };
  }
  const p = parseArgs(raw, maxArg);
  return { id: callId, name, args: p.args, ...(p.parseError ? { parseError: p.parseError, rawArgs: preview(raw) } : {}) };
}

function mapFinish(f: string | null | undefined, hasCalls: boolean): string {
  if (f === 'tool_calls' || f === 'function_call' || (hasCalls && f === 'stop')) return 'tool_use';
  if (f === 'length') return 'max_tokens';
  if (f === 'stop' || !f) return 'end_turn';
  return f;
}

type RawOpenAIUsage = {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
} | null | undefined;

/** OpenAI counts cached tokens inside prompt_tokens; Usage.inputTokens holds only the uncached part. */
function usageFrom(u: RawOpenAIUsage): Usage {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached),
    outputTokens: u?.completion_tokens ?? 0,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
}

export function buildOpenAIBody(model: string, req: ChatRequest, vendor: boolean): ChatCompletionCreateParamsBase {
  checkToolNames(req.tools);
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: req.system }];
  for (const m of req.messages) {
    if (m.role === 'user') messages.push({ role: 'user', content: m.content });
    else if (m.role === 'assistant') {
      messages.push({
        role: 'assistant',
        // null is only valid alongside tool_calls.
        content: m.text || (m.toolCalls.length ? null : ''),
        ...(m.toolCalls.length
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: c.rawArgs ?? JSON.stringify(c.args ?? {}) },
              })),
            }
          : {}),
      });
    } else {
      // Chat completions has no error flag on tool results; say it in the content.
      for (const r of m.results) messages.push({ role: 'tool', tool_call_id: r.callId, content: r.isError ? `ERROR: ${r.content}` : r.content });
    }
  }
  const tools: ChatCompletionTool[] | undefined = req.tools?.length
    ? req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: toolJsonSchema(t) } }))
    : undefined;
  return {
    model,
    messages,
    ...(tools ? { tools } : {}),
    // Unset by default: local servers reject a max_tokens beyond their context window. When set,
    // api.openai.com's reasoning models want max_completion_tokens; local servers know max_tokens.
    ...(req.maxTokens === undefined ? {} : vendor ? { max_completion_tokens: req.maxTokens } : { max_tokens: req.maxTokens }),
    // OpenAI's reasoning families accept only the default temperature.
    ...(req.temperature !== undefined && !(vendor && /^(o\d|gpt-5)/.test(model)) ? { temperature: req.temperature } : {}),
  };
}
