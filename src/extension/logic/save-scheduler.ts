// Test-on-save timing: saves are collected for a quiet period, then one run starts; a save during a run
// aborts it (its results would be stale) and schedules a fresh run covering all files saved since.

export interface ScheduledRun<R> {
  files: string[];
  signal: AbortSignal;
  result?: R;
  cancelled: boolean;
}

export interface SaveSchedulerOptions<R> {
  delayMs: number;
  run(files: string[], signal: AbortSignal): Promise<R>;
  onStart?(files: string[]): void;
  onDone?(run: ScheduledRun<R>): void;
  onError?(e: unknown, files: string[]): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class SaveScheduler<R> {
  private pending = new Set<string>();
  private timer: unknown;
  private current?: { ctrl: AbortController; files: string[]; done: Promise<void> };
  private disposed = false;
  /** Counters for the status bar and tests. */
  started = 0;
  cancelled = 0;
  completed = 0;

  constructor(private readonly opts: SaveSchedulerOptions<R>) {}

  get running(): boolean {
    return !!this.current;
  }

  saved(file: string): void {
    if (this.disposed) return;
    this.pending.add(file);
    if (this.current) {
      // the running set is stale now: fold its files into the next run
      for (const f of this.current.files) this.pending.add(f);
      this.current.ctrl.abort();
    }
    this.arm();
  }

  private arm(): void {
    const clear = this.opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
    const set = this.opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    if (this.timer !== undefined) clear(this.timer);
    this.timer = set(() => {
      this.timer = undefined;
      void this.fire();
    }, this.opts.delayMs);
  }

  private async fire(): Promise<void> {
    if (this.disposed || this.pending.size === 0) return;
    if (this.current) {
      // wait for the aborted run to wind down before starting, so two runs never overlap
      await this.current.done;
      if (this.disposed || this.timer !== undefined) return;
    }
    const files = [...this.pending];
    this.pending.clear();
    const ctrl = new AbortController();
    const run: ScheduledRun<R> = { files, signal: ctrl.signal, cancelled: false };
    this.started++;
    this.opts.onStart?.(files);
    const done = (async () => {
      try {
        run.result = await this.opts.run(files, ctrl.signal);
      } catch (e) {
        if (!ctrl.signal.aborted) this.opts.onError?.(e, files);
      }
      run.cancelled = ctrl.signal.aborted;
      if (run.cancelled) this.cancelled++;
      else this.completed++;
      if (this.current?.ctrl === ctrl) this.current = undefined;
      this.opts.onDone?.(run);
    })();
    this.current = { ctrl, files, done };
    await done;
  }

  /** Resolves when no run is active or scheduled (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.current || this.timer !== undefined) {
      if (this.current) await this.current.done;
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) (this.opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
    this.current?.ctrl.abort();
  }
}
