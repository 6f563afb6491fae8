// Argument parsing shared by the commands: node's own util.parseArgs with errors that name the flag,
// `--help`/`-h` on every command, and option values that begin with "-" (`--failing -k`).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The exit codes every command shares (README "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, badInput: 2, cancelled: 130 } as const;
export const EXIT_CODES = 'exit codes: 0 done (found / resolved / patch written), 1 not found, not resolved or failed, 2 bad input, 3 budget spent (fix), 130 cancelled (Ctrl-C)';

export class CliError extends Error {
  /** `help`: the message is the help text the user asked for (stdout, no "rover:" prefix). */
  constructor(message: string, readonly exitCode: number = EXIT.badInput, readonly help = false) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CommandHelp {
  /** One or two sentences: what the command does and prints. */
  summary?: string;
  /** Option name (without --) -> what it does. */
  options?: Record<string, string>;
  /** Extra lines (examples, exit codes). */
  notes?: string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const DASH_NOTE = 'Put -- before arguments that begin with "-" (e.g. rover search . search_code -- --notes); an option\'s value may begin with "-" (--failing -k, or --failing=-k).';

export function parse<T extends Options>(argv: string[], options: T, usage: string, help: CommandHelp = {}) {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } satisfies Options;
  const before = argv.indexOf('--');
  const asked = (before < 0 ? argv : argv.slice(0, before)).some((a) => a === '--help' || a === '-h');
  let parsed;
  try {
    parsed = parseArgs({ args: attachDashValues(argv, all), options: all, allowPositionals: true, strict: true });
  } catch (e) {
    if (asked) throw new CliError(helpText(usage, options, help), EXIT.ok, true);
    throw new CliError(`${e instanceof Error ? e.message : String(e)}\nusage: rover ${usage}\n(rover ${usage.split(' ')[0]} --help explains every option)`);
  }
  if (asked) throw new CliError(helpText(usage, options, help), EXIT.ok, true);
  Reflect.deleteProperty(parsed.values, 'help');
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * util.parseArgs refuses `--opt -x` ("ambiguous"): a string option followed by a word that begins
 * with "-" and is not one of the command's own options takes that word as its value. Words after
 * `--` are left alone (they are positionals).
 */
export function attachDashValues(argv: string[], options: Options): string[] {
  const shorts = new Set(Object.values(options).map((o) => o.short).filter(Boolean));
  const known = (w: string) => {
    if (w.startsWith('--')) return w.slice(2).split('=')[0] in options;
    return w.length === 2 && shorts.has(w[1]);
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = /^--([^=]+)$/.exec(a)?.[1];
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && next.startsWith('-') && next !== '--' && !known(next)) {
      out.push(`--${name}=${next}`);
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

// the word after an option in help texts
const PLACEHOLDER: Record<string, string> = {
  repo: 'DIR', 'cache-dir': 'DIR', top: 'N', 'max-tokens': 'N', 'max-file-kb': 'N', timeout: 'SECONDS', patch: 'FILE', issue: 'FILE',
  tests: 'ID', failing: 'TEST', passing: 'TEST', formula: 'NAME', 'test-path': 'PATH', 'test-command': 'ARGV', command: 'ARG', python: 'PATH', exclude: 'GLOB',
  instances: 'FILE', ids: 'ID,...', 'ids-file': 'FILE', mode: 'MODE', patches: 'FILE', concurrency: 'N', redis: 'URL', queue: 'NAME', root: 'DIR', bench: 'DIR',
  attempts: 'N', 'backoff-seconds': 'S', 'job-timeout': 'S', 'stall-seconds': 'S', budget: 'USD',
};

function wrap(text: string, width = 100): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

export function helpText(usage: string, options: Options, help: CommandHelp = {}): string {
  const lines = [`usage: rover ${usage}`];
  if (help.summary) lines.push('', ...wrap(help.summary));
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` ${PLACEHOLDER[name] ?? 'VALUE'}` : ''}`;
    const what = help.options?.[name] ?? '';
    return [flag, `${what}${o.multiple ? `${what ? ' ' : ''}(repeatable)` : ''}`] as const;
  });
  rows.push(['--help, -h', 'this help']);
  const w = Math.max(...rows.map(([f]) => f.length));
  lines.push('', 'options:', ...rows.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`.trimEnd()));
  lines.push('', ...wrap(DASH_NOTE));
  if (!help.notes?.some((n) => n.startsWith('exit codes'))) lines.push(EXIT_CODES);
  if (help.notes?.length) lines.push('', ...help.notes);
  return lines.join('\n');
}

/** The --repo folder, absolute; a clear error when it is missing or not a folder. */
export function repoDir(value: string | undefined, flag = '--repo'): string {
  const dir = resolve(value ?? '.');
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new CliError(`${flag} ${value ?? '.'}: no such folder (${dir})`);
  }
  if (!st.isDirectory()) throw new CliError(`${flag} ${value ?? '.'}: not a folder (${dir})`);
  return dir;
}

/** The engine names VS Code settings in its advice; on the command line the same thing is an option. */
export function inCliWords(message: string, commandFlag = '--command ARG ...'): string {
  return message
    .replace(/Set "rover\.tests\.command" \(e\.g\. \["bin\/test", "\{tests\}"\]\)/g, `Pass the test command with ${commandFlag} (in VS Code: the rover.tests.command setting)`)
    .replace(/set "rover\.tests\.command"( \/ the Python interpreter setting)?/g, (_m, py: string | undefined) => `pass ${commandFlag}${py ? ' / --python PATH' : ''}`);
}

