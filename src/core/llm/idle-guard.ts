// A stream that stops sending without closing (a stalled proxy, a wedged local server) would hang a
// run forever; the SDK timeouts do not cover the body. The guard aborts after `ms` without data.
import { StreamCutError } from './errors';
import type { Usage } from './types';

export class IdleGuard {
  readonly signal: AbortSignal;
  private readonly ctrl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    private readonly ms: number,
    outer?: AbortSignal,
  ) {
    this.signal = outer ? AbortSignal.any([outer, this.ctrl.signal]) : this.ctrl.signal;
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    if (!(this.ms > 0 && Number.isFinite(this.ms))) return;
    this.timer = setTimeout(() => {
      this.fired = true;
      this.ctrl.abort();
    }, this.ms);
    this.timer.unref?.();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** The error to throw instead of the SDK's abort error when the guard (not the user) aborted. */
  check(outer: AbortSignal | undefined, emitted: boolean, usage?: Usage): StreamCutError | undefined {
    if (this.fired && !outer?.aborted) return new StreamCutError(`no data for ${this.ms} ms`, emitted, usage);
    return undefined;
  }
}
