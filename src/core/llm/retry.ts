// One retry loop for every provider: the SDKs' own retries are switched off so that backoff, the
// retry-after cap, cancellation during the wait and stream-cut handling behave the same everywhere.
import { ModelError } from './types';
import { StreamCutError, deadlineError, endpointName, retryAfterMs, toModelError, type ErrorContext } from './errors';

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  /** A retry-after beyond this is not waited out (default: maxMs). */
  retryAfterMaxMs?: number;
  /** For tests: replaces Math.random in the jitter. */
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: ModelError }) => void;
}

export async function withRetries<T>(
  attemptFn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  ctx: ErrorContext,
  /** Sees every failed attempt's raw error (for accounting), retried or not. */
  onFailure?: (raw: unknown) => void,
): Promise<T> {
  // what went wrong before the deadline cut the last attempt short: the useful part of its message
  let previous: unknown;
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw toModelError(new Error('aborted'), ctx, attempt - 1);
    try {
      return await attemptFn(attempt);
    } catch (raw) {
      onFailure?.(raw);
      if (ctx.deadline?.expired && !ctx.signal?.aborted) throw deadlineError(ctx, attempt, previous ?? raw);
      previous = raw;
      const err = toModelError(raw, ctx, attempt);
      // A cut stream is replayed only when the caller saw nothing of it; once text has been shown,
      // retrying would duplicate it on screen, so the caller gets 'stream-cut' and decides.
      const cutBeforeOutput = raw instanceof StreamCutError && !raw.emitted;
      const hint = shouldRetryHeader(raw);
      const retryable = hint ?? (err.retryable || cutBeforeOutput);
      if (!retryable || attempt > policy.maxRetries || ctx.signal?.aborted) {
        // Replayed cuts that never showed anything are a connection that keeps failing, not a cut the
        // caller should answer by asking again (which would replay them all once more).
        const kind = cutBeforeOutput && attempt > 1 ? 'network' : err.kind;
        throw new ModelError(attempt > 1 ? `${err.message} (after ${attempt} attempts)` : err.message, kind, err.status, err.provider, attempt);
      }
      const exp = policy.baseMs * 2 ** (attempt - 1);
      const jitter = 0.5 + (policy.random ?? Math.random)() * 0.5;
      const hinted = retryAfterMs(raw);
      const cap = policy.retryAfterMaxMs ?? policy.maxMs;
      if (hinted !== undefined && hinted > cap) {
        // waiting an hour inside a run helps no one: say when it can work and stop
        const at = new Date(Date.now() + hinted);
        const e = new ModelError(
          `${err.message} — ${endpointName(ctx)} asks to wait ${seconds(hinted)} before retrying (until ${at.toISOString()}), longer than Rover waits (${seconds(cap)}). Try again after that time.`,
          err.kind, err.status, err.provider, attempt,
        );
        e.retryAt = at.toISOString();
        throw e;
      }
      const delayMs = Math.min(policy.maxMs, hinted !== undefined ? Math.max(hinted, exp * jitter) : exp * jitter);
      if (ctx.deadline && delayMs >= ctx.deadline.remainingMs()) throw deadlineError(ctx, attempt, raw);
      policy.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, ctx.deadline?.signal ?? ctx.signal);
    }
  }
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Both vendors send x-should-retry to override the status-based decision. */
function shouldRetryHeader(e: unknown): boolean | undefined {
  const h = (e as { headers?: unknown })?.headers;
  const v = h && typeof (h as Headers).get === 'function' ? (h as Headers).get('x-should-retry') : undefined;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
