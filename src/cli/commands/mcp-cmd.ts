// rover mcp [--repo DIR]: Rover's tools as a Model Context Protocol server on stdin/stdout, for the
// agents users already run (Claude Code, Cline, VS Code's agent mode). stdout carries the protocol
// alone; everything Rover says goes to stderr. The server ends when the client closes stdin (or on
// SIGINT/SIGTERM): calls in flight are cancelled, their tests stopped and their checkouts removed first.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { LiveIndex } from '../../core/tools/live-index';
import { RoverToolbox } from '../../core/tools/toolbox';
import { CliError, parse, repoDir } from '../args';
import { startMcpServer } from '../mcp-server';

const USAGE = 'mcp [--repo DIR] [--test-command ARGV] [--timeout SECONDS] [--max-tokens N] [--cache-dir DIR] [--max-file-kb N]';

const HELP = {
  summary:
    "Serves Rover's tools over the Model Context Protocol on stdin/stdout (one repository): the nine search calls, localize, validate_patch, run_tests and reproduce_check. Tests run in private git checkouts; your files are never written. Add it to an agent as a stdio server, e.g. Claude Code: claude mcp add rover -- rover mcp --repo /path/to/repo",
  options: {
    repo: 'the repository the tools work on (default: the current folder)',
    'test-command': 'the test command, as words or a JSON array ({tests} = the selected tests); default detected from the project',
    timeout: 'default seconds per test run (default 300; a call may give timeout_seconds)',
    'max-tokens': 'budget of one answer\'s text, in tokens (default 3000)',
    'cache-dir': 'where the index cache lives',
    'max-file-kb': 'files larger than this many KiB are not indexed (default 1024)',
  },
  notes: ['stdout is the protocol; Rover\'s own messages go to stderr'],
};

function positive(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= min) throw new CliError(`--${name} must be a number above ${min} (got "${value}")`);
  return n;
}

function testCommand(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  let words: unknown;
  try {
    words = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.trim().split(/\s+/).filter(Boolean);
  } catch {
    throw new CliError(`--test-command: not a JSON array of strings: ${raw}`);
  }
  if (!Array.isArray(words) || !words.length || words.some((w) => typeof w !== 'string')) throw new CliError('--test-command needs the command as words, e.g. --test-command "python3 -m pytest {tests}"');
  return words as string[];
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    repo: { type: 'string' },
    'test-command': { type: 'string' },
    timeout: { type: 'string' },
    'max-tokens': { type: 'string' },
    'cache-dir': { type: 'string' },
    'max-file-kb': { type: 'string' },
  }, USAGE, HELP);
  if (positionals.length) throw new CliError(`unexpected argument(s): ${positionals.join(' ')}\nusage: rover ${USAGE}`);
  const root = realpathSync(repoDir(values.repo));
  const timeout = positive('timeout', values.timeout);
  const maxTokens = positive('max-tokens', values['max-tokens'], 49);
  const maxKb = positive('max-file-kb', values['max-file-kb']);
  const command = testCommand(values['test-command']);
  // anything printed to stdout would corrupt the protocol: the engine's own messages go to stderr
  console.log = console.error;
  console.info = console.error;
  const index = new LiveIndex(root, {
    ...(values['cache-dir'] ? { cacheDir: resolve(values['cache-dir']) } : {}),
    ...(maxKb ? { maxFileBytes: Math.round(maxKb * 1024) } : {}),
  }, (m) => console.error(`rover mcp: ${m}`));
  const toolbox = new RoverToolbox({ root, index: () => index.current(), testCommand: command, timeoutMs: timeout && timeout * 1000, maxTokens });
  const transport = new StdioServerTransport();
  const running = await startMcpServer(toolbox, transport, process.env.ROVER_VERSION ?? '0.1.0');
  console.error(`rover mcp: serving ${root} on stdio`);
  // warm the index while the client looks at the tool list
  void index.current().catch((e: Error) => console.error(`rover mcp: indexing failed: ${e.message}`));
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = async (why: string, code: number) => {
      if (stopping) return;
      stopping = true;
      console.error(`rover mcp: ${why}; stopping`);
      await running.stopCalls();
      await running.server.close().catch(() => undefined);
      await index.close().catch(() => undefined);
      done(code);
    };
    process.stdin.on('end', () => void stop('the client closed the connection', 0));
    process.stdin.on('close', () => void stop('the client closed the connection', 0));
    transport.onclose = () => void stop('the transport closed', 0);
    process.once('SIGINT', () => void stop('interrupted', 130));
    process.once('SIGTERM', () => void stop('terminated', 143));
  });
}
