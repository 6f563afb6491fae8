#!/usr/bin/env node
// `rover <command> ...`: the engine headless. Each command lives in its own module.
import { CliError, DASH_NOTE, EXIT, EXIT_CODES, inCliWords } from './args';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  index: { summary: 'index <dir> [--json]  build or refresh the workspace index', load: () => import('./commands/index-cmd') },
  search: { summary: 'search <dir> <api> [--] <args...> [--json]  run one search API call', load: () => import('./commands/search-cmd') },
  localize: { summary: 'localize --repo DIR --failing TEST...  rank suspicious methods from coverage', load: () => import('./commands/localize-cmd') },
  fix: { summary: 'fix --repo DIR --issue FILE|-  propose a patch for an issue', load: () => import('./commands/fix-cmd') },
  validate: { summary: 'validate --repo DIR --patch FILE  run the tests before/after a patch', load: () => import('./commands/validate-cmd') },
  eval: { summary: 'eval --instances FILE --mode gold|patch|fix  evaluate on benchmark instances', load: () => import('./commands/eval-cmd') },
  mcp: { summary: 'mcp [--repo DIR]  serve Rover\'s tools over MCP (stdio) to other agents', load: () => import('./commands/mcp-cmd') },
  batch: { summary: 'batch --instances FILE --mode gold|patch|fix --out DIR [--redis URL]  many instances, resumable; batch status|results', load: () => import('./commands/batch-cmd') },
  worker: { summary: 'worker --redis URL [--concurrency N]  take batch jobs from a BullMQ queue', load: () => import('./commands/worker-cmd') },
  example: { summary: 'example  index the bundled example repository and run a few searches', load: () => import('./commands/example-cmd') },
};

function usage(): string {
  return [
    'usage: rover <command> [options]     rover <command> --help',
    '',
    ...Object.values(COMMANDS).map((c) => `  rover ${c.summary}`),
    '',
    DASH_NOTE,
    EXIT_CODES,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return main([rest[0], '--help']);
    (name ? console.log : console.error)(usage());
    return name ? EXIT.ok : EXIT.badInput;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`rover: unknown command "${name}"\n\n${usage()}`);
    return EXIT.badInput;
  }
  // every command first removes what killed Rover runs left (their test processes, temp folders,
  // checkouts, half-written caches); commands that know the repository sweep its registrations too
  const { sweepAtStart } = await import('../core/runner/sweep-at-start');
  await sweepAtStart();
  const mod = await cmd.load();
  return mod.run(rest);
}

/** Errors the engine throws for a situation the user can fix: their message is the whole story. */
function expected(err: Error): CliError | undefined {
  switch (err.name) {
    case 'NotAGitRepoError':
      return new CliError(err.message, EXIT.badInput);
    case 'NoRunnerError':
      return new CliError(inCliWords(err.message, '--command ARG ... (localize: --test-command "ARGV")'), EXIT.badInput);
    case 'LocalizeError':
      return new CliError(err.message, (err as { code?: string }).code === 'bad-input' ? EXIT.badInput : EXIT.failed);
    default:
      return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (raw: unknown) => {
    const err = raw instanceof CliError ? raw : raw instanceof Error ? expected(raw) ?? raw : raw;
    if (err instanceof CliError) {
      if (err.help) console.log(err.message);
      else console.error(`rover: ${err.message}`);
      process.exitCode = err.exitCode;
    } else {
      console.error(`rover: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      process.exitCode = EXIT.failed;
    }
  },
);
