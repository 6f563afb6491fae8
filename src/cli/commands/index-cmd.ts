// rover index <dir>: build or refresh the workspace index and print what it holds.
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WorkspaceIndex } from '../../core/index/workspace-index';
import { onInterrupt } from '../../core/proc/cancel';
import { makeTempDir } from '../../core/proc/temp';
import { sweepAtStart } from '../../core/runner/sweep-at-start';
import type { IndexStats, IndexWarning } from '../../core/index/types';
import { CliError, parse } from '../args';
import { startProgress } from '../progress';

const USAGE = 'index <dir> [--json] [--no-cache] [--cache-dir DIR] [--exclude GLOB]... [--max-file-kb N]';

const HELP = {
  summary:
    'Parses every source file under <dir> with tree-sitter (honouring .gitignore) and prints what the index holds: files, languages, classes, functions and methods, the time, cache hits, and the files it skipped and why (too large, not UTF-8, ...). The cache lives outside the folder.',
  options: {
    json: 'print the statistics and every warning as JSON',
    'no-cache': 'index cold into a throw-away cache',
    'cache-dir': 'where the cache lives (default $XDG_CACHE_HOME/rover or ~/.cache/rover)',
    exclude: 'extra gitignore-style patterns to skip (repeatable)',
    'max-file-kb': 'files larger than this many KiB are skipped (default 1024; VS Code: rover.index.maxFileSizeKb)',
  },
};

/** Opens the index for a CLI command; `noCache` uses a throw-away cache dir so the run is cold and leaves nothing. */
export async function openIndexForCli(
  dirArg: string | undefined,
  usage: string,
  opts: { noCache?: boolean; cacheDir?: string; exclude?: string[]; quiet?: boolean; maxFileKb?: string },
): Promise<{ index: WorkspaceIndex; root: string; dispose(): Promise<void> }> {
  if (!dirArg) throw new CliError(`missing <dir>\nusage: rover ${usage}`);
  const maxKb = opts.maxFileKb === undefined ? undefined : Number(opts.maxFileKb);
  if (maxKb !== undefined && !(Number.isFinite(maxKb) && maxKb > 0)) throw new CliError(`--max-file-kb must be a positive number of KiB (got "${opts.maxFileKb}")`);
  const root = resolve(dirArg);
  if (!existsSync(root)) throw new CliError(`${dirArg}: no such directory`);
  if (!statSync(root).isDirectory()) throw new CliError(`${dirArg}: not a directory`);
  const tmp = opts.noCache ? await makeTempDir('nocache') : undefined;
  let index: WorkspaceIndex;
  // a live line on a terminal once it takes over two seconds; nothing otherwise
  const progress = startProgress(`indexing ${root}`, { quiet: opts.quiet || !process.stderr.isTTY });
  try {
    index = await WorkspaceIndex.open(root, {
      cacheDir: tmp ?? (opts.cacheDir ? resolve(opts.cacheDir) : undefined),
      exclude: opts.exclude,
      ...(maxKb !== undefined ? { maxFileBytes: Math.round(maxKb * 1024) } : {}),
    });
  } catch (e) {
    if (tmp) await rm(tmp, { recursive: true, force: true });
    throw new CliError(e instanceof Error ? e.message : String(e), 1);
  } finally {
    progress.done();
  }
  return {
    index,
    root,
    async dispose() {
      await index.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}

export function formatStats(root: string, s: IndexStats, warnings: readonly IndexWarning[], maxWarnings = 5): string {
  const langs = Object.entries(s.languages)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${l} ${n}`)
    .join(', ');
  const lines = [
    `Indexed ${root}`,
    `  files      ${s.files} (${(s.bytes / 1e6).toFixed(1)} MB)${s.filesWithErrors ? `, ${s.filesWithErrors} with syntax errors` : ''}`,
    `  languages  ${langs || '(none)'}`,
    `  symbols    ${s.classes} classes, ${s.functions} functions, ${s.methods} methods`,
    `  time       ${(s.ms / 1000).toFixed(2)} s`,
    `  cache      ${s.cacheHits} hits, ${s.cacheMisses} misses`,
    `  warnings   ${warnings.length}`,
  ];
  for (const w of warnings.slice(0, maxWarnings)) lines.push(`    ${w.path}: ${w.reason}: ${w.message}`);
  if (warnings.length > maxWarnings) lines.push(`    ... and ${warnings.length - maxWarnings} more (--json lists all)`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      json: { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      'cache-dir': { type: 'string' },
      exclude: { type: 'string', multiple: true },
      'max-file-kb': { type: 'string' },
    },
    USAGE,
    HELP,
  );
  if (positionals.length > 1) throw new CliError(`unexpected argument(s): ${positionals.slice(1).join(' ')}\nusage: rover ${USAGE}`);
  await sweepAtStart();
  // indexing starts no process and its cache write is atomic: an interrupt just removes the
  // half-written temp files and exits (the old cache, if any, stays as it was)
  const interrupt = onInterrupt({ graceMs: 0 });
  try {
    return await buildIndex(positionals[0], values);
  } finally {
    interrupt.dispose();
  }
}

async function buildIndex(dir: string | undefined, values: { json?: boolean; 'no-cache'?: boolean; 'cache-dir'?: string; exclude?: string[]; 'max-file-kb'?: string }): Promise<number> {
  const opened = await openIndexForCli(dir, USAGE, { noCache: values['no-cache'], cacheDir: values['cache-dir'], exclude: values.exclude, quiet: values.json, maxFileKb: values['max-file-kb'] });
  try {
    const { index, root } = opened;
    // building the cache is this command's job: a failure to write it belongs in its report
    await index.flush();
    if (values.json) console.log(JSON.stringify({ root, ...index.stats, warningList: index.warnings }, null, 2));
    else console.log(formatStats(root, index.stats, index.warnings));
  } finally {
    await opened.dispose();
  }
  return 0;
}
