// Anthropic Messages API: native tool use, streaming, prompt caching of the stable prefix.
import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { DEFAULT_MAX_REPLY_BYTES, DEFAULT_MAX_TOOL_ARG_BYTES, formatBytes, MAX_ARG_DEPTH, nestedDeeperThan, preview, ReplyMeter } from './bounds';
import { Deadline } from './deadline';
import { StreamCutError, type ErrorContext } from './errors';
import { IdleGuard } from './idle-guard';
import { StreamRedactor } from './redact';
import { replySecrets, scrubAssembled } from './scrub';
import { costOf, lookupPrice, isVendorHost } from './prices';
import { withRetries, type RetryPolicy } from './retry';
import { addUsage, isZeroUsage, WastedUsage } from './usage';
import { checkToolNames, parseArgs, toolJsonSchema } from './tool-schema';
import type {
  ChatProvider,
  ChatRequest,
  ChatResponse,
  CompleteOptions,
  ProviderConfig,
  ToolCall,
  Usage,
} from './types';

const EPHEMERAL = { type: 'ephemeral' as const };
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_DEADLINE_MS = 600_000;
export const DEFAULT_STREAM_IDLE_MS = 120_000;

export class AnthropicProvider implements ChatProvider {
  readonly id = 'anthropic' as const;
  readonly model: string;
  private readonly client: Anthropic;
  private readonly baseUrl: string;

  constructor(
    private readonly cfg: ProviderConfig & { model: string },
    private readonly policy: RetryPolicy,
  ) {
    this.model = cfg.model;
    // The SDK appends /v1/messages itself; a pasted ".../v1" would double it.
    this.baseUrl = (cfg.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
    this.client = new Anthropic({
      apiKey: cfg.apiKey,
      baseURL: this.baseUrl,
      maxRetries: 0, // our retry loop owns backoff (see retry.ts)
      timeout: cfg.timeoutMs ?? 600_000,
      defaultHeaders: cfg.headers,
      logLevel: 'off',
    });
  }

  async complete(req: ChatRequest, opts: CompleteOptions = {}): Promise<ChatResponse> {
    const body = buildAnthropicBody(this.model, req);
    const deadline = new Deadline(this.cfg.deadlineMs ?? DEFAULT_DEADLINE_MS, opts.signal);
    const ctx: ErrorContext = { provider: 'anthropic', baseUrl: this.baseUrl, apiKey: this.cfg.apiKey, signal: opts.signal, deadline };
    const started = Date.now();
    const stream = this.cfg.stream !== false;
    let attempts = 0;
    const lookup = lookupPrice(this.model, this.cfg.prices, !isVendorHost(this.cfg.baseUrl, 'anthropic'));
    const wasted = new WastedUsage();
    const secrets = replySecrets(this.cfg.apiKey, this.cfg.headers);
    let raw: Assembled;
    try {
      raw = await withRetries(
        (n) => ((attempts = n), stream ? this.streamOnce(body, opts, deadline.signal, secrets) : this.createOnce(body, deadline.signal)),
        this.policy,
        ctx,
        wasted.onFailure,
      );
    } catch (e) {
      throw wasted.annotate(e, lookup.price);
    } finally {
      deadline.stop();
    }
    raw = scrubAssembled(raw, secrets);
    const { blocks, ...rest } = raw;
    const usage = addUsage(raw.usage, wasted.total);
    return {
      ...rest,
      usage,
      ...(isZeroUsage(wasted.total) ? {} : { retriedUsage: wasted.total }),
      message: {
        role: 'assistant',
        text: raw.text,
        toolCalls: raw.toolCalls,
        ...(blocks ? { providerData: { provider: 'anthropic' as const, blocks } } : {}),
      },
      costUsd: costOf(usage, lookup.price),
      priceKnown: lookup.known,
      model: raw.model || this.model,
      ms: Date.now() - started,
      attempts,
    };
  }

  private async createOnce(body: MessageCreateParamsBase, signal: AbortSignal): Promise<Assembled> {
    const msg = await this.client.messages.create({ ...body, stream: false }, { signal });
    const a = this.assembler();
    a.model = msg.model;
    a.stopReason = msg.stop_reason ?? 'end_turn';
    a.setUsage(msg.usage as unknown as RawUsage);
    for (const block of msg.content) {
      if (block.type === 'thinking' || block.type === 'redacted_thinking') a.thinking.set(a.thinking.size, block);
      if (block.type === 'text') a.text += block.text;
      else if (block.type === 'tool_use') {
        // A non-streamed input is already an object; a string means the server sent raw text.
        const input = block.input as unknown;
        if (typeof input === 'string') a.calls.push({ id: block.id, name: block.name, ...parsed(input, a.maxToolArg) });
        else if (nestedDeeperThan(input, MAX_ARG_DEPTH)) a.calls.push({ id: block.id, name: block.name, args: {}, parseError: `arguments nest deeper than ${MAX_ARG_DEPTH} levels` });
        else a.calls.push({ id: block.id, name: block.name, ...bounded(input ?? {}, a.maxToolArg) });
      }
    }
    if (a.text.length > a.meter.max) {
      a.text = a.text.slice(0, a.meter.max);
      a.oversize = a.meter.note();
    }
    if (a.thinking.size) {
      a.rawBlocks = msg.content.map((b) =>
        b.type === 'tool_use' ? { ...b, input: objectArgs(a.calls.find((c) => c.id === b.id)?.args) } : b,
      );
    }
    return a.result();
  }

  private assembler(): Assembler {
    return new Assembler(new ReplyMeter(this.cfg.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES), this.cfg.maxToolArgBytes ?? DEFAULT_MAX_TOOL_ARG_BYTES);
  }

  private async streamOnce(body: MessageCreateParamsBase, opts: CompleteOptions, signal: AbortSignal, secrets: string[]): Promise<Assembled> {
    const a = this.assembler();
    let emitted = false;
    let finished = false;
    let responded = false;
    const shown = new StreamRedactor(secrets);
    const show = (t: string) => {
      if (t) opts.onText?.(t);
    };
    const guard = new IdleGuard(this.cfg.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS, signal);
    try {
      const events = await this.client.messages.create({ ...body, stream: true }, { signal: guard.signal });
      responded = true;
      for await (const ev of events as AsyncIterable<RawMessageStreamEvent>) {
        // keep-alive pings are not progress: a server that only pings is as stuck as a silent one
        if ((ev as { type: string }).type !== 'ping') guard.touch();
        if (ev.type === 'message_stop') finished = true;
        const delta = a.onEvent(ev);
        if (delta) {
          emitted = true;
          show(shown.push(delta));
        }
        if (a.meter.over) {
          // leaving the loop closes the response: the rest of the reply is never read
          a.cutOversize();
          break;
        }
      }
      show(shown.flush());
    } catch (e) {
      const idle = guard.check(signal, emitted, a.startedUsage());
      if (idle) throw idle;
      // Before the response started, errors are plain HTTP/connection errors (mapped by status).
      if (opts.signal?.aborted || !responded) throw e;
      // An `event: error` (e.g. overloaded) after text was shown is treated like a cut: not replayed.
      if (isStreamBreak(e) || (emitted && e instanceof Error)) throw new StreamCutError((e as Error).message, emitted, a.startedUsage());
      throw e;
    } finally {
      guard.stop();
    }
    // The SDKs end iteration quietly on an abort, so the guard is asked again here.
    const idleCut = guard.check(signal, emitted, a.startedUsage());
    if (idleCut) throw idleCut;
    if (!finished && !a.oversize) throw new StreamCutError('no message_stop event', emitted, a.startedUsage());
    return a.result();
  }
}

export interface Assembled {
  text: string;
  toolCalls: ToolCall[];
  stopReason: string;
  usage: Usage;
  model: string;
  /** Content blocks in order, kept only when they hold thinking that must be replayed. */
  blocks?: unknown[];
  /** Why the reply was cut short, when it was too long. */
  oversize?: string;
}

type RawUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

class Assembler {
  text = '';
  calls: ToolCall[] = [];
  stopReason = 'end_turn';
  model = '';
  oversize?: string;
  constructor(
    readonly meter: ReplyMeter,
    readonly maxToolArg: number,
  ) {}
  private usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  private blocks = new Map<
    number,
    | { kind: 'text'; text: string }
    | { kind: 'tool'; id: string; name: string; json: string; dropped: number }
    | { kind: 'thinking'; block: { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string } }
  >();
  /** Thinking blocks of a non-streamed message (streamed ones live in `blocks`). */
  thinking = new Map<number, unknown>();
  private order: number[] = [];

  /** Usage reported so far, once message_start arrived (the input was billed from then on). */
  startedUsage(): Usage | undefined {
    return this.model ? { ...this.usage } : undefined;
  }

  setUsage(u: RawUsage | undefined): void {
    if (!u) return;
    // message_delta carries cumulative counts; fields it omits keep their message_start value.
    if (u.input_tokens != null) this.usage.inputTokens = u.input_tokens;
    if (u.output_tokens != null) this.usage.outputTokens = u.output_tokens;
    if (u.cache_read_input_tokens != null) this.usage.cacheReadTokens = u.cache_read_input_tokens;
    if (u.cache_creation_input_tokens != null) this.usage.cacheWriteTokens = u.cache_creation_input_tokens;
  }

  /** Returns a text delta to hand to onText, if the event carried one. */
  onEvent(ev: RawMessageStreamEvent): string | undefined {
    switch (ev.type) {
      case 'message_start':
        this.model = ev.message.model;
        this.setUsage(ev.message.usage as unknown as RawUsage);
        return undefined;
      case 'content_block_start': {
        const b = ev.content_block;
        this.order.push(ev.index);
        if (b.type === 'thinking') {
          this.blocks.set(ev.index, { kind: 'thinking', block: { type: 'thinking', thinking: b.thinking ?? '', signature: b.signature ?? '' } });
        } else if (b.type === 'redacted_thinking') {
          this.blocks.set(ev.index, { kind: 'thinking', block: { type: 'redacted_thinking', data: b.data } });
        } else if (b.type === 'tool_use') {
          // The SDK types `input` as an object; a non-empty one at start is a complete input.
          const init = b.input && Object.keys(b.input as object).length ? JSON.stringify(b.input) : '';
          this.blocks.set(ev.index, { kind: 'tool', id: b.id, name: b.name, json: init, dropped: 0 });
          this.meter.add(init);
        } else if (b.type === 'text') {
          this.blocks.set(ev.index, { kind: 'text', text: b.text ?? '' });
          if (b.text) {
            this.meter.add(b.text);
            this.text += b.text;
            return b.text;
          }
        }
        return undefined;
      }
      case 'content_block_delta': {
        const block = this.blocks.get(ev.index);
        if (ev.delta.type === 'text_delta') {
          this.meter.add(ev.delta.text);
          this.text += ev.delta.text;
          if (block?.kind === 'text') block.text += ev.delta.text;
          return ev.delta.text;
        }
        if (block?.kind === 'thinking' && block.block.type === 'thinking') {
          if (ev.delta.type === 'thinking_delta') {
            this.meter.add(ev.delta.thinking);
            block.block.thinking += ev.delta.thinking;
          }
          if (ev.delta.type === 'signature_delta') block.block.signature += ev.delta.signature;
        }
        if (ev.delta.type === 'input_json_delta' && block?.kind === 'tool') {
          const piece = ev.delta.partial_json;
          this.meter.add(piece);
          // past the limit the arguments are only counted: the call will be refused with its size
          if (block.dropped || block.json.length + piece.length > this.maxToolArg) block.dropped += piece.length;
          else block.json += piece;
        }
        return undefined;
      }
      case 'content_block_stop': {
        const block = this.blocks.get(ev.index);
        if (block?.kind === 'tool') {
          if (block.dropped) {
            const size = block.json.length + block.dropped;
            this.calls.push({ id: block.id, name: block.name, args: {}, parseError: `arguments are ${formatBytes(size)} long, over the ${formatBytes(this.maxToolArg)} Rover accepts for one tool call`, rawArgs: preview(block.json) });
          } else this.calls.push({ id: block.id, name: block.name, ...parsed(block.json, this.maxToolArg) });
        }
        return undefined;
      }
      case 'message_delta':
        if (ev.delta.stop_reason) this.stopReason = ev.delta.stop_reason;
        this.setUsage(ev.usage as unknown as RawUsage);
        return undefined;
      default:
        return undefined;
    }
  }

  /** The reply passed the size cap: keep the text so far, drop tool calls still open, say why. */
  cutOversize(): void {
    if (this.text.length > this.meter.max) this.text = this.text.slice(0, this.meter.max);
    this.oversize = this.meter.note();
    this.stopReason = 'max_tokens';
  }

  result(): Assembled {
    const out: Assembled = { text: this.text, toolCalls: this.calls, stopReason: this.stopReason, usage: { ...this.usage }, model: this.model };
    if (this.oversize) {
      // an unfinished thinking block cannot be replayed (its signature is missing): no blocks at all
      out.oversize = this.oversize;
      return out;
    }
    const streamedThinking = [...this.blocks.values()].some((b) => b.kind === 'thinking');
    if (streamedThinking) {
      const calls = new Map(this.calls.map((c) => [c.id, c]));
      out.blocks = this.order.map((i) => {
        const b = this.blocks.get(i)!;
        if (b.kind === 'thinking') return b.block;
        if (b.kind === 'text') return { type: 'text', text: b.text };
        return { type: 'tool_use', id: b.id, name: b.name, input: objectArgs(calls.get(b.id)?.args) };
      });
    } else if (this.thinking.size) out.blocks = this.rawBlocks;
    return out;
  }

  /** Set by createOnce: the non-streamed message's blocks, with tool inputs made replayable. */
  rawBlocks?: unknown[];
}

function objectArgs(args: unknown): Record<string, unknown> {
  return args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
}

function parsed(raw: string, maxBytes: number): { args: unknown; parseError?: string; rawArgs?: string } {
  const p = parseArgs(raw, maxBytes);
  return p.parseError ? { args: p.args, parseError: p.parseError, rawArgs: preview(raw) } : { args: p.args };
}

/** A non-streamed input arrives parsed: its size is checked once its depth is known to be sane. */
function bounded(input: unknown, maxBytes: number): { args: unknown; parseError?: string; rawArgs?: string } {
  const text = JSON.stringify(input);
  if (text.length <= maxBytes) return { args: input };
  return { args: {}, parseError: `arguments are ${formatBytes(text.length)} long, over the ${formatBytes(maxBytes)} Rover accepts for one tool call`, rawArgs: preview(text) };
}

function isStreamBreak(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // An error event inside the stream is an APIError without status: mapped by its type instead.
  if (e instanceof Anthropic.APIError && !(e instanceof Anthropic.APIConnectionError)) return false;
  const msg = `${e.name} ${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`;
  return /terminated|socket|ECONNRESET|premature|other side closed|aborted|Unexpected end|stream/i.test(msg);
}

/** Request body in the Messages API shape, with cache breakpoints on the stable prefix. */
export function buildAnthropicBody(model: string, req: ChatRequest): MessageCreateParamsBase {
  checkToolNames(req.tools);
  const tools: Tool[] | undefined = req.tools?.length
    ? req.tools.map((t, i, all) => ({
        name: t.name,
        description: t.description,
        input_schema: toolJsonSchema(t) as Tool['input_schema'],
        ...(i === all.length - 1 ? { cache_control: EPHEMERAL } : {}),
      }))
    : undefined;

  const messages: MessageParam[] = [];
  const prefix = Math.max(0, Math.min(req.cachePrefixMessages ?? 0, req.messages.length));
  // Our message i lands in API message messageIndex[i] (tool results and following user text merge).
  let prefixEnd: { msg: number; block: number } | undefined;
  req.messages.forEach((m, i) => {
    const blocks: ContentBlockParam[] = [];
    let role: 'user' | 'assistant';
    if (m.role === 'user') {
      role = 'user';
      // The API rejects empty text blocks.
      blocks.push({ type: 'text', text: m.content || '(empty)' });
    } else if (m.role === 'assistant' && m.providerData?.provider === 'anthropic' && m.providerData.blocks.length) {
      role = 'assistant';
      blocks.push(...(structuredClone(m.providerData.blocks) as ContentBlockParam[]));
    } else if (m.role === 'assistant') {
      role = 'assistant';
      if (m.text) blocks.push({ type: 'text', text: m.text });
      for (const c of m.toolCalls) {
        const input = c.args && typeof c.args === 'object' && !Array.isArray(c.args) ? (c.args as Record<string, unknown>) : {};
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input });
      }
      if (!blocks.length) blocks.push({ type: 'text', text: '(no content)' });
    } else {
      role = 'user';
      for (const r of m.results) {
        blocks.push({
          type: 'tool_result',
          tool_use_id: r.callId,
          content: r.content || '(no output)',
          ...(r.isError ? { is_error: true } : {}),
        });
      }
    }
    const last = messages[messages.length - 1];
    // The API wants alternating roles; consecutive same-role messages are merged into one.
    if (last && last.role === role) (last.content as ContentBlockParam[]).push(...blocks);
    else messages.push({ role, content: blocks });
    if (i === prefix - 1) {
      const target = messages[messages.length - 1]!;
      prefixEnd = { msg: messages.length - 1, block: (target.content as ContentBlockParam[]).length - 1 };
    }
  });
  if (prefixEnd) {
    const block = (messages[prefixEnd.msg]!.content as ContentBlockParam[])[prefixEnd.block] as { cache_control?: unknown };
    block.cache_control = EPHEMERAL;
  }

  return {
    model,
    // Required by the API; generous because thinking models spend part of it before answering.
    max_tokens: req.maxTokens ?? 8192,
    system: [{ type: 'text', text: req.system, cache_control: EPHEMERAL }],
    messages,
    // No temperature: the Messages API has deprecated it (current models sample with thinking on).
    ...(tools ? { tools } : {}),
  };
}
