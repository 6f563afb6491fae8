// Maps whatever an SDK (or fetch) threw into a ModelError with a message a user can act on.
import * as AnthropicSdk from '@anthropic-ai/sdk';
import * as OpenAISdk from 'openai';
import type { Deadline } from './deadline';
import { ModelError, type ModelErrorKind, type ProviderId, type Usage } from './types';
import { redact } from './redact';

export interface ErrorContext {
  provider: ProviderId;
  baseUrl: string;
  apiKey: string;
  /** The caller's signal: its abort means "cancelled". */
  signal?: AbortSignal;
  /** The call's total time limit: its expiry means "timeout". */
  deadline?: Deadline;
  /** How to name the endpoint in messages (default: the provider id). */
  label?: string;
}

export function endpointName(ctx: ErrorContext): string {
  return ctx.label ? `${ctx.label} at ${ctx.baseUrl}` : `${ctx.provider} at ${ctx.baseUrl}`;
}

/** The call ran out of its total time: not retried (the time is gone), 'timeout' with what went wrong last. */
export function deadlineError(ctx: ErrorContext, attempts: number, last?: unknown): ModelError {
  const secs = Math.round((ctx.deadline?.ms ?? 0) / 1000);
  const lastErr = last === undefined ? undefined : toModelError(last, { ...ctx, deadline: undefined, signal: undefined }, attempts);
  const why = lastErr && lastErr.kind !== 'cancelled' ? ` Last problem: ${lastErr.message}` : '';
  return new ModelError(
    redact(`No complete answer from ${endpointName(ctx)} within ${secs} s, the limit for one model call (${attempts} attempt${attempts === 1 ? '' : 's'}).${why}`, [ctx.apiKey]),
    'timeout', undefined, ctx.provider, attempts,
  );
}

/** Thrown by our own stream readers when a stream ends without its terminating event. */
export class StreamCutError extends Error {
  constructor(
    message: string,
    /** Whether any text had already been handed to the caller's onText. */
    readonly emitted: boolean,
    /** What the server had reported as used before the cut (Anthropic reports input at the start). */
    readonly usage?: Usage,
  ) {
    super(message);
    this.name = 'StreamCutError';
  }
}

interface HttpishError {
  status?: number;
  headers?: Headers | Record<string, string>;
  message?: string;
  error?: unknown;
}

function isApiError(e: unknown): e is HttpishError & Error {
  return e instanceof AnthropicSdk.APIError || e instanceof OpenAISdk.APIError;
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (e instanceof AnthropicSdk.APIUserAbortError || e instanceof OpenAISdk.APIUserAbortError) return true;
  return e instanceof Error && (e.name === 'AbortError' || /request was aborted/i.test(e.message));
}

function isTimeout(e: unknown): boolean {
  return e instanceof AnthropicSdk.APIConnectionTimeoutError || e instanceof OpenAISdk.APIConnectionTimeoutError;
}

function isConnection(e: unknown): boolean {
  return e instanceof AnthropicSdk.APIConnectionError || e instanceof OpenAISdk.APIConnectionError;
}

/** Body text of an API error (the SDK's message already contains it, prefixed with the status). */
function serverSays(e: HttpishError): string {
  const body = e.error as { error?: { message?: unknown }; message?: unknown } | undefined;
  const msg = body?.error?.message ?? body?.message ?? e.message ?? '';
  const s = typeof msg === 'string' ? msg : JSON.stringify(msg);
  return s.length > 500 ? s.slice(0, 500) + '…' : s;
}

export function retryAfterMs(e: unknown): number | undefined {
  if (!isApiError(e) || !e.headers) return undefined;
  const get = (k: string): string | null =>
    typeof (e.headers as Headers).get === 'function'
      ? (e.headers as Headers).get(k)
      : ((e.headers as Record<string, string>)[k] ?? null);
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const ra = get('retry-after');
  if (ra === null) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function toModelError(e: unknown, ctx: ErrorContext, attempts?: number): ModelError {
  if (e instanceof ModelError) return e;
  const where = endpointName(ctx);
  const make = (msg: string, kind: ModelErrorKind, status?: number): ModelError => {
    const err = new ModelError(redact(msg, [ctx.apiKey]), kind, status, ctx.provider, attempts);
    // The SDK error may hold the request (headers with the key): keep only a redacted message.
    return err;
  };
  if (isAbort(e, ctx.signal)) return make(`Model request to ${where} was cancelled.`, 'cancelled');
  if (e instanceof StreamCutError) {
    return make(`The response stream from ${where} was cut before it finished (${e.message}).`, 'stream-cut');
  }
  if (isTimeout(e)) return make(`Model request to ${where} timed out.`, 'timeout');
  if (isApiError(e) && typeof e.status === 'number') {
    const status = e.status;
    const says = serverSays(e);
    const detail = says ? `: ${says}` : '';
    if (status === 401 || status === 403) {
      return make(`authentication failed (${status}): check your API key for ${where}${detail}`, 'auth', status);
    }
    if (status === 429) return make(`rate limited (429) by ${where}${detail}`, 'rate-limit', status);
    if (status === 529) return make(`${where} is overloaded (529)${detail}`, 'rate-limit', status);
    if (status === 408) return make(`request timed out (408) at ${where}${detail}`, 'timeout', status);
    if (status >= 500) return make(`server error (${status}) from ${where}${detail}`, 'server', status);
    if (status === 404) {
      return make(`not found (404) at ${where}: check the base URL and the model name${detail}`, 'bad-request', status);
    }
    return make(`request rejected (${status}) by ${where}${detail}`, 'bad-request', status);
  }
  if (isApiError(e) && e.status === undefined && !isConnection(e)) {
    // An error event inside a 200 stream (Anthropic `event: error`, OpenAI `data: {"error":...}`).
    const body = e.error as { type?: string; error?: { type?: string } } | undefined;
    const type = body?.error?.type ?? body?.type ?? '';
    const says = serverSays(e);
    if (/overloaded|rate_limit/.test(type)) return make(`${where} is overloaded (error in stream): ${says}`, 'rate-limit');
    return make(`server error in the response stream from ${where}: ${says}`, 'server');
  }
  if (isConnection(e) || (e instanceof TypeError && /fetch failed|terminated|socket|ECONN/i.test(e.message))) {
    const why = rootCause(e);
    return make(`cannot reach ${where} (${why}). Is the server running and the base URL right?`, 'network');
  }
  const msg = e instanceof Error ? e.message : String(e);
  return make(`model call to ${where} failed: ${msg}`, 'server');
}

/** A 400 that names the temperature parameter, for a request that set one. */
export function temperatureRejected(e: unknown, sentTemperature: unknown): boolean {
  return sentTemperature !== undefined && e instanceof ModelError && e.kind === 'bad-request' && /temperature/i.test(e.message);
}

/** The innermost error code or message: "fetch failed" hides ECONNREFUSED / ENOTFOUND two causes down. */
function rootCause(e: unknown): string {
  let cur = e as { cause?: unknown; code?: unknown; message?: unknown } | undefined;
  let best = cur && typeof cur.message === 'string' ? cur.message : String(e);
  for (let depth = 0; cur && depth < 6; depth++) {
    if (typeof cur.code === 'string') return cur.code;
    if (typeof cur.message === 'string' && cur.message) best = cur.message;
    cur = cur.cause as typeof cur;
  }
  return best;
}
