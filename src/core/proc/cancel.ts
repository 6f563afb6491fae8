// Ctrl-C and SIGTERM for a command-line run. The first signal cancels: the command's AbortSignal
// fires, running tests are killed with their process groups, checkouts are removed on the way out,
// and the command reports "cancelled" with exit 130 (143 for SIGTERM) and writes no result. If that
// takes longer than the grace period, or a second signal comes, the process kills what it started,
// deletes its temp folders and checkouts synchronously, and exits at once.
import { killAllChildrenSync } from './run';
import { removeHeldSync } from './temp';

export interface Interruptible {
  readonly signal: AbortSignal;
  /** The signal that cancelled the run, if one did. */
  readonly received: NodeJS.Signals | undefined;
  /** 130 after SIGINT, 143 after SIGTERM (the shell's 128 + signal number). */
  readonly exitCode: number;
  dispose(): void;
}

const CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Kills every child, removes every held temp path, exits. Nothing async runs after this. */
export function exitNow(code: number, why?: string): never {
  killAllChildrenSync();
  removeHeldSync();
  if (why) {
    try {
      process.stderr.write(`rover: ${why}\n`);
    } catch {
      /* stderr closed */
    }
  }
  process.exit(code);
}

/**
 * Installs the handlers. `graceMs` 0 skips the orderly path (for commands with nothing to undo
 * but temp files, such as building the index).
 */
export function onInterrupt(opts: { graceMs?: number } = {}): Interruptible {
  const ac = new AbortController();
  let received: NodeJS.Signals | undefined;
  let timer: NodeJS.Timeout | undefined;
  const grace = opts.graceMs ?? 10_000;
  const handler = (sig: NodeJS.Signals) => {
    const code = CODES[sig] ?? 130;
    if (received || grace <= 0) exitNow(code, 'interrupted; stopped everything it had started');
    received = sig;
    try {
      process.stderr.write('rover: cancelling (stopping the tests, removing checkouts)…\n');
    } catch {
      /* stderr closed */
    }
    ac.abort();
    timer = setTimeout(() => exitNow(code, `cancelling took over ${Math.round(grace / 1000)} s; stopped everything it had started`), grace);
    timer.unref();
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, handler);
  return {
    signal: ac.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received ? (CODES[received] ?? 130) : 0;
    },
    dispose() {
      for (const s of sigs) process.off(s, handler);
      if (timer) clearTimeout(timer);
    },
  };
}
