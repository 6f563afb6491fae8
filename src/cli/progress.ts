// Progress for the long commands (index, localize, validate, fix). On a terminal, a step that runs
// longer than two seconds gets a live line on stderr (spinner, step, seconds so far) and, when it
// ends, leaves one line with how long it took; quicker steps show nothing. Piped or redirected,
// each step is one plain line as it starts ("rover: ..."), so logs see what they always saw.
// --json turns it off.
//
//   const progress = startProgress('indexing ~/src/proj', { quiet: values.json });
//   await work({ onProgress: progress.step });
//   progress.done();

export interface Progress {
  /** A new step began; what `onProgress` callbacks take (bound, so it can be passed as is). */
  step: (message: string) => void;
  /** The work ended (also on failure): the live line is cleared and the last step's line printed. */
  done: () => void;
}

export interface ProgressOptions {
  /** Print nothing (machine-readable output on stdout). */
  quiet?: boolean;
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** How long a step runs before the live line appears; default 2000 ms (ROVER_PROGRESS_DELAY_MS). */
  delayMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startProgress(first: string | undefined, opts: ProgressOptions = {}): Progress {
  const out = opts.stream ?? process.stderr;
  if (opts.quiet) return { step: () => undefined, done: () => undefined };
  if (!out.isTTY) {
    const step = (m: string) => void out.write(`rover: ${m}\n`);
    if (first) step(first);
    return { step, done: () => undefined };
  }
  const envDelay = Number(process.env.ROVER_PROGRESS_DELAY_MS);
  const delay = opts.delayMs ?? (Number.isFinite(envDelay) && envDelay >= 0 ? envDelay : 2000);
  let current: string | undefined;
  let since = Date.now();
  let live = false;
  let frame = 0;
  const secs = () => (Date.now() - since) / 1000;
  const clear = () => {
    if (live) out.write('\r\x1b[K');
    live = false;
  };
  const finish = () => {
    clear();
    // a step that was on screen leaves its line and time; a quicker one was never shown
    if (current !== undefined && secs() * 1000 >= delay) out.write(`rover: ${current} (${secs().toFixed(1)} s)\n`);
    current = undefined;
  };
  const render = () => {
    if (current === undefined || Date.now() - since < delay) return;
    // a terminal of unknown size (script(1), some CI consoles) says 0 columns
    const width = Math.max(20, (out.columns || 80) - 1);
    const text = `${FRAMES[frame++ % FRAMES.length]} ${current}  ${Math.floor(secs())} s`;
    out.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    live = true;
  };
  const timer = setInterval(render, 200);
  timer.unref();
  const step = (m: string) => {
    finish();
    current = m;
    since = Date.now();
  };
  if (first) step(first);
  return {
    step,
    done: () => {
      clearInterval(timer);
      finish();
    },
  };
}
