// A batch's progress. On a terminal: one live line (bar, done/failed/running, rate, ETA) under the
// per-instance lines; piped: the per-instance lines alone, each "rover: ...". Hand-written like
// src/cli/progress.ts (a line redrawn with \r is all it needs).

export interface BatchProgress {
  /** A finished, failed or retried instance: a line of its own. */
  note(line: string): void;
  update(counts: { done: number; failed: number; running: number }): void;
  stop(): void;
}

const fmtDuration = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.round(s)}s`);

export function startBatchProgress(total: number, opts: { quiet?: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } } = {}): BatchProgress {
  const out = opts.stream ?? process.stderr;
  if (opts.quiet) return { note: () => undefined, update: () => undefined, stop: () => undefined };
  const t0 = Date.now();
  let counts = { done: 0, failed: 0, running: 0 };
  let startCount: number | undefined;
  const line = () => {
    const finished = counts.done + counts.failed;
    const width = 24;
    const filled = total ? Math.round((finished / total) * width) : width;
    const mins = (Date.now() - t0) / 60_000;
    const rate = mins > 0 ? (finished - (startCount ?? finished)) / mins : 0;
    const left = total - finished;
    const eta = rate > 0 ? ` · ETA ${fmtDuration((left / rate) * 60)}` : '';
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${finished}/${total} · ${counts.done} done · ${counts.failed} failed · ${counts.running} running · ${rate.toFixed(1)}/min${eta}`;
  };
  if (!out.isTTY) {
    return {
      note: (l) => void out.write(`rover: ${l}\n`),
      update: (c) => { counts = c; startCount ??= c.done + c.failed; },
      stop: () => void out.write(`rover: ${line()}\n`),
    };
  }
  const draw = () => {
    const cols = Math.max(20, (out.columns || 80) - 1);
    const l = line();
    out.write(`\r\x1b[K${l.length > cols ? `${l.slice(0, cols - 1)}…` : l}`);
  };
  const timer = setInterval(draw, 500);
  timer.unref();
  return {
    note: (l) => { out.write(`\r\x1b[K${l}\n`); draw(); },
    update: (c) => { counts = c; startCount ??= c.done + c.failed; draw(); },
    stop: () => { clearInterval(timer); draw(); out.write('\n'); },
  };
}
