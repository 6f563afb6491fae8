// A total time limit for one model call, retries and backoff waits included. The stream idle guard
// catches a silent stream; this catches everything else that keeps a call alive without an answer:
// a server that answers after minutes, keep-alive pings with no content, a reply that drips.
export class Deadline {
  readonly signal: AbortSignal;
  private readonly ctrl = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly end: number;

  constructor(
    readonly ms: number,
    outer?: AbortSignal,
  ) {
    this.end = Date.now() + ms;
    if (ms > 0 && Number.isFinite(ms)) {
      this.timer = setTimeout(() => this.ctrl.abort(), ms);
      this.timer.unref?.();
    }
    this.signal = outer ? AbortSignal.any([outer, this.ctrl.signal]) : this.ctrl.signal;
  }

  get expired(): boolean {
    return this.ctrl.signal.aborted;
  }

  remainingMs(): number {
    return Number.isFinite(this.ms) && this.ms > 0 ? Math.max(0, this.end - Date.now()) : Infinity;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
