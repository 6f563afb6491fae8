// rover localize: spectrum-based fault localization from per-test coverage.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { localize, FORMULAS, LocalizeError, toAgentLocalization, type Formula, type LocalizationResult, type RankedLocation } from '../../core/localize';
import { onInterrupt } from '../../core/proc/cancel';
import { commandSpec } from '../../core/validate/detect';
import { sweepAtStart } from '../../core/validate/sweep-at-start';
import type { TestRunnerSpec } from '../../core/validate/types';
import { CliError, parse } from '../args';

const USAGE =
  'localize --repo DIR --failing TEST... [--passing TEST... | --all-passing] [--issue FILE] [--top N] [--formula ochiai|dstar|tarantula] [--test-path P...] [--test-command ARGV] [--timeout SEC] [--in-place] [--no-cache] [--json]';

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
  );
  if (positionals.length) throw new CliError(`unexpected argument(s): ${positionals.join(' ')}\nusage: rover ${USAGE}`);
  const repo = resolve(values.repo ?? '.');
  if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new CliError(`--repo ${repo}: no such directory`);
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
  }
  // what a killed earlier run left: its test processes, checkouts and temp folders
  await sweepAtStart({ repo });
  const interrupt = onInterrupt();
  let result: LocalizationResult;
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
      onProgress: values.json ? undefined : (m) => process.stderr.write(`rover: ${m}\n`),
    });
  } catch (e) {
    if (interrupt.received) return cancelled(interrupt.exitCode);
    if (e instanceof LocalizeError) throw new CliError(e.message, 1);
    throw e;
  } finally {
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
          entries: result.entries.slice(0, top),
          agent: toAgentLocalization(result, top),
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

const TIE_REASON: Record<RankedLocation['tieBrokenBy'], string> = {
  none: 'alone',
  'test-support': 'ordered by test-support code going last',
  stack: 'ordered by stack',
  issue: 'ordered by issue',
  history: 'ordered by past commits like the issue',
  'test-name': 'ordered by its file being named like the failing test',
  lines: 'ordered by how many of its lines share the score',
  unbroken: 'NOT separated: same stack/issue/name evidence',
};

export function formatText(r: LocalizationResult, top: number): string {
  const lines: string[] = [];
  lines.push(`${r.formula} over ${r.failing.length} failing / ${r.passing.length} passing tests — coverage ${r.mode} via ${r.tool}${r.fromCache ? ` (${r.fromCache} from cache)` : ''}, ${(r.collectMs / 1000).toFixed(1)} s`);
  if (r.entries.length === 0) lines.push('No code outside the tests was executed by the failing tests.');
  for (const e of r.entries.slice(0, top)) {
    const name = e.method ? (e.className && !e.qualifiedName?.startsWith(e.className) ? `${e.className}.${e.qualifiedName}` : e.qualifiedName) : '<module level>';
    const tie = e.tieSize > 1 ? `  tie group ${e.tieGroup} (${e.tieSize} at this score, ${TIE_REASON[e.tieBrokenBy]})` : '';
    const hints = [e.stackScore ? `stack ${e.stackScore}` : '', e.issueTraceScore ? `issue traceback ${e.issueTraceScore}` : '', e.issueScore ? `issue ${e.issueScore}` : '', e.issueTextScore ? `issue words in its code ${e.issueTextScore}` : '', e.historyScore ? `past commits like the issue ${e.historyScore}` : '', e.testNameMatch ? `named like the failing test${e.testNameMatch === 1 ? ' (loosely)' : ''}` : '', e.evidence ? `+${e.evidence} evidence` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`${String(e.rank).padStart(3)}. ${fmt(e.score)}  ${e.file}:${e.line}  ${name}  [ef ${e.ef} ep ${e.ep}${hints ? `; ${hints}` : ''}]${tie}`);
  }
  const big = r.tieGroups.filter((g) => g.size > 1).slice(0, 3);
  if (big.length) lines.push(`tie groups: ${big.map((g) => `#${g.group} score ${fmt(g.score)} × ${g.size}${g.unbroken ? ` (${g.unbroken} not separable)` : ''}`).join('; ')}`);
  return lines.join('\n') + '\n';
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : '∞';
}
