// rover search <dir> <api> <args...>: one search API call, rendered as the model sees it (or --json).
import { CodeSearch } from '../../core/search/code-search';
import { renderOutcome } from '../../core/search/render';
import { SEARCH_API_NAMES, SEARCH_API_SPECS, specFor } from '../../core/search/specs';
import { closestNames } from '../../core/search/fuzzy';
import { CliError, parse } from '../args';
import { openIndexForCli } from './index-cmd';

const USAGE = 'search <dir> <api> <args...> [--json] [--max-tokens N] [--no-cache] [--cache-dir DIR]';

function apiList(): string {
  return SEARCH_API_SPECS.map((s) => `  ${s.name}(${s.params.join(', ')})`).join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      json: { type: 'boolean' },
      'max-tokens': { type: 'string' },
      'no-cache': { type: 'boolean' },
      'cache-dir': { type: 'string' },
    },
    USAGE,
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
  const opened = await openIndexForCli(dir, USAGE, { noCache: values['no-cache'], cacheDir: values['cache-dir'] });
  try {
    const outcome = new CodeSearch(opened.index).call(api, args);
    if (values.json) console.log(JSON.stringify(outcome, null, 2));
    else console.log(renderOutcome(outcome, { maxTokens }));
    if (outcome.error) {
      if (!values.json) console.error(`rover: ${outcome.error}`);
      return 2;
    }
    return outcome.ok ? 0 : 1;
  } finally {
    await opened.dispose();
  }
}
