// rover localize: spectrum-based fault localization from per-test coverage.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { localize, FORMULAS, LocalizeError, topSuspects, type Formula, type LocalizationResult } from '../../core/localize';
import { onInterrupt } from '../../core/proc/cancel';
import { commandSpec, ownSourcesFirst } from '../../core/runner/detect';
import { sweepAtStart } from '../../core/runner/sweep-at-start';
import type { TestRunnerSpec } from '../../core/runner/types';
import { CliError, EXIT, parse, repoDir } from '../args';
import { formatText, rankScore } from '../../core/localize/ranking-text';
import { startProgress } from '../progress';

export { formatText };

const USAGE =
  'localize --repo DIR --failing TEST... [--passing TEST... | --all-passing] [--issue FILE] [--top N] [--formula ochiai|dstar|tarantula] [--test-path P...] [--test-command ARGV] [--timeout SEC] [--in-place] [--no-cache] [--json]';

const HELP = {
  summary:
    'Runs the tests once with per-test coverage in a git worktree (your files are never written) and ranks the functions the failing tests run by how suspicious they are: the score is the SBFL score of the function\'s most suspicious line plus evidence from tracebacks, the issue, file names and history.',
  options: {
    repo: 'the project (default: the current folder); a git repository unless --in-place',
    failing: 'a failing test (repeatable): tests/test_x.py::test_y, test/app.js::outer > inner (mocha\'s full title "outer inner" works too)',
    passing: 'passing tests to compare with (repeatable)',
    'all-passing': 'run the whole suite; every test that passes counts as passing',
    issue: 'the issue text (a file): its tracebacks, names and words add evidence',
    top: 'how many functions to print (default 10)',
    formula: 'ochiai (default), dstar or tarantula',
    'test-path': 'test files or folders to run (default: the files the test ids name)',
    'test-command': 'the test command, as words or a JSON array ({tests} = the selected tests), e.g. "python3 bin/test {tests}"',
    timeout: 'seconds for the test run (default 600)',
    'in-place': 'run the tests in the folder itself, not in a checkout (they may write files there; works outside git)',
    'no-cache': 'measure again instead of using cached coverage',
    json: 'print the ranking as JSON (no progress)',
  },
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      repo: { type: 'string' },
      failing: { type: 'string', multiple: true },
      passing: { type: 'string', multiple: true },
      'all-passing': { type: 'boolean' },
      issue: { type: 'string' },
      top: { type: 'string' },
      formula: { type: 'string' },
      'test-path': { type: 'string', multiple: true },
      'test-command': { type: 'string' },
      timeout: { type: 'string' },
      'in-place': { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
    HELP,
  );
  if (positionals.length) throw new CliError(`unexpected argument(s): ${positionals.join(' ')}\nusage: rover ${USAGE}`);
  const repo = repoDir(values.repo);
  const formula = (values.formula ?? 'ochiai') as Formula;
  if (!FORMULAS.includes(formula)) throw new CliError(`--formula must be one of ${FORMULAS.join(', ')} (got "${values.formula}")`);
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new CliError(`--top must be a positive whole number (got "${values.top}")`);
  const timeoutSec = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!(timeoutSec > 0)) throw new CliError(`--timeout must be a positive number of seconds (got "${values.timeout}")`);
  if (values['all-passing'] && values.passing?.length) throw new CliError('give either --passing TEST... or --all-passing, not both');
  // "--failing a b" reads as two values only when repeated; accept comma-free space lists too
  const failing = (values.failing ?? []).flatMap(splitList);
  if (failing.length === 0) {
    throw new CliError(
      'no failing test given. Localization compares what failing and passing tests execute, so it needs at least one failing test: ' +
        'pass --failing tests/test_x.py::test_y (repeat for more). No failing test yet? `rover fix --issue FILE` writes a reproduction test from the issue and localizes from it.',
    );
  }
  let issueText: string | undefined;
  if (values.issue) {
    try {
      issueText = await readFile(resolve(values.issue), 'utf8');
    } catch (e) {
      throw new CliError(`--issue ${values.issue}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  let runner: TestRunnerSpec | undefined;
  if (values['test-command'] !== undefined) {
    const raw = values['test-command'].trim();
    let words: string[];
    try {
      words = raw.startsWith('[') ? (JSON.parse(raw) as string[]) : raw.split(/\s+/).filter(Boolean);
    } catch {
      throw new CliError(`--test-command: not a JSON array of strings: ${raw}`);
    }
    if (!Array.isArray(words) || words.length === 0 || words.some((w) => typeof w !== 'string')) throw new CliError('--test-command needs the command as words, e.g. --test-command "python3 bin/test {tests}"');
    if (!words.includes('{tests}')) words.push('{tests}');
    runner = commandSpec(words, repo);
    // commandSpec knows Python runners; the JS ones the localizer can drive are recognised here
    if (/(^|\/)_?mocha$/.test(words[0])) runner = { ...runner, kind: 'mocha' };
    else if (/(^|\/)node$/.test(words[0]) && words.includes('--test')) runner = { ...runner, kind: 'node' };
    runner = ownSourcesFirst(runner, repo);
  }
  // what a killed earlier run left: its test processes, checkouts and temp folders
  await sweepAtStart({ repo });
  const interrupt = onInterrupt();
  let result: LocalizationResult;
  const progress = startProgress(undefined, { quiet: values.json });
  try {
    result = await localize({
      repo,
      failing,
      passing: (values.passing ?? []).flatMap(splitList),
      allPassing: !!values['all-passing'],
      ...(issueText !== undefined ? { issueText } : {}),
      formula,
      ...(runner ? { runner } : {}),
      ...(values['test-path']?.length ? { testPaths: values['test-path'] } : {}),
      isolate: !values['in-place'],
      cacheDir: values['no-cache'] ? false : undefined,
      timeoutMs: timeoutSec * 1000,
      signal: interrupt.signal,
      onProgress: progress.step,
    });
  } catch (e) {
    if (interrupt.received) return cancelled(interrupt.exitCode);
    if (e instanceof LocalizeError) throw new CliError(e.message, e.code === 'bad-input' ? EXIT.badInput : EXIT.failed);
    if ((e as Error).name === 'NotAGitRepoError') {
      throw new CliError(
        `${repo} is not inside a git repository. Localize runs the tests in a git worktree so that your files are never touched: ` +
          'make it one (git init && git add -A && git commit -m init), or pass --in-place to run the tests in the folder itself (they may write files there).',
      );
    }
    throw e;
  } finally {
    progress.done();
    interrupt.dispose();
  }
  if (interrupt.received) return cancelled(interrupt.exitCode);
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  if (values.json) {
    process.stdout.write(
      JSON.stringify(
        {
          formula: result.formula,
          mode: result.mode,
          tool: result.tool,
          failing: result.failing,
          passing: result.passing.length,
          collectMs: result.collectMs,
          fromCache: result.fromCache,
          warnings: result.warnings,
          tieGroups: result.tieGroups.slice(0, 10),
          entries: result.entries.slice(0, top).map((e) => ({ ...e, rankScore: Math.round(rankScore(result.formula, e) * 1e6) / 1e6 })),
          agent: topSuspects(result, top),
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  process.stdout.write(formatText(result, top));
  return 0;
}

/** Cancelled: the tests were stopped and the checkout removed; no result is printed. */
function cancelled(code: number): number {
  process.stderr.write('rover: cancelled\n');
  return code;
}

function splitList(s: string): string[] {
  return s.split(/\s*\n\s*/).map((x) => x.trim()).filter(Boolean);
}
