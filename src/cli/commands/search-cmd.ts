// rover search <dir> <api> <args...>: one search API call, rendered as the model sees it (or --json).
import type { WorkspaceIndex } from '../../core/index/workspace-index';
import { CodeSearch } from '../../core/search/code-search';
import { resolveFileArg } from '../../core/search/file-args';
import { renderOutcome } from '../../core/search/render';
import { SEARCH_API_NAMES, SEARCH_API_SPECS, specFor, type SearchApiSpec } from '../../core/search/specs';
import { closestNames } from '../../core/search/fuzzy';
import { CliError, EXIT, parse } from '../args';
import { openIndexForCli } from './index-cmd';

const USAGE = 'search <dir> <api> [--] <args...> [--json] [--max-tokens N] [--no-cache] [--cache-dir DIR] [--max-file-kb N]';

function apiList(): string {
  return SEARCH_API_SPECS.map((s) => `  ${s.name}(${s.params.join(', ')})`).join('\n');
}

const HELP = {
  summary:
    'Runs one call of the search API the model uses and prints what the model would see. Arguments are positional, in the order below; file arguments are relative to <dir> (a suffix such as models.py is enough). Put -- before arguments that begin with "-" (rover search . search_code -- --notes).',
  options: {
    json: 'print the hits as JSON',
    'max-tokens': 'how much code to print (default 3000)',
    'no-cache': 'index cold into a throw-away cache',
    'cache-dir': 'where the index cache lives',
    'max-file-kb': 'files larger than this many KiB are not indexed (default 1024)',
  },
  notes: ['apis:', apiList(), 'exit codes: 0 found, 1 not found (with "did you mean") or not indexed, 2 bad input'],
};

const FILE_PARAMS = new Set(['file_name', 'file_path']);
// a file the walk saw but left out of the index
const SKIPPED = new Set(['too-large', 'binary', 'unreadable', 'symlink-loop']);

/**
 * The CLI's own checks of file arguments, which the search API answers for the model as "not
 * found": a file left out of the index says why, and a file argument that must name one file but
 * matches several is bad input.
 */
function checkFileArgs(spec: SearchApiSpec, args: string[], index: WorkspaceIndex): void {
  const paths = index.files().map((f) => f.path);
  spec.params.forEach((p, i) => {
    if (!FILE_PARAMS.has(p) || args[i] === undefined) return;
    const res = resolveFileArg(args[i], paths);
    if (!res.ok && !res.refused) {
      const skipped = index.warnings.filter((w) => SKIPPED.has(w.reason));
      const hit = resolveFileArg(args[i], skipped.map((w) => w.path));
      if (hit.ok) {
        const w = skipped.find((s) => s.path === hit.files[0])!;
        const raise = w.reason === 'too-large' ? ' Raise the limit with --max-file-kb N (in VS Code: rover.index.maxFileSizeKb).' : '';
        throw new CliError(`${w.path} is not in the index: ${w.message}.${raise}`, EXIT.failed);
      }
    }
    if (res.ok && res.files.length > 1 && spec.name === 'get_code_around_line') {
      throw new CliError(`"${args[i]}" is ambiguous: it matches ${res.files.length} files (${res.files.slice(0, 5).join(', ')}${res.files.length > 5 ? ', …' : ''}); give more of the path.`);
    }
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      json: { type: 'boolean' },
      'max-tokens': { type: 'string' },
      'no-cache': { type: 'boolean' },
      'cache-dir': { type: 'string' },
      'max-file-kb': { type: 'string' },
    },
    USAGE,
    HELP,
  );
  const [dir, api, ...args] = positionals;
  if (!dir || !api) throw new CliError(`missing ${dir ? '<api>' : '<dir> and <api>'}\nusage: rover ${USAGE}\napis:\n${apiList()}`);
  const spec = specFor(api);
  if (!spec) {
    const near = closestNames(api, SEARCH_API_NAMES, 2);
    throw new CliError(`unknown search api "${api}"${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}\napis:\n${apiList()}`);
  }
  const required = spec.required ?? spec.params.length;
  if (args.length < required || args.length > spec.params.length) {
    const want = required === spec.params.length ? `${required}` : `${required} to ${spec.params.length}`;
    throw new CliError(`${api} takes ${want} argument(s): ${spec.name}(${spec.params.join(', ')}); got ${args.length}`);
  }
  const maxTokens = values['max-tokens'] === undefined ? 3000 : Number(values['max-tokens']);
  if (!Number.isInteger(maxTokens) || maxTokens < 50) throw new CliError(`--max-tokens must be a whole number >= 50 (got "${values['max-tokens']}")`);
  const opened = await openIndexForCli(dir, USAGE, { noCache: values['no-cache'], cacheDir: values['cache-dir'], maxFileKb: values['max-file-kb'], quiet: values.json });
  try {
    checkFileArgs(spec, args, opened.index);
    const outcome = new CodeSearch(opened.index).call(api, args);
    if (values.json) console.log(JSON.stringify(outcome, null, 2));
    else console.log(renderOutcome(outcome, { maxTokens }));
    if (outcome.error) {
      if (!values.json) console.error(`rover: ${outcome.error}`);
      return EXIT.badInput;
    }
    return outcome.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await opened.dispose();
  }
}
