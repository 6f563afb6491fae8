// rover example: the main job on the bundled example repository (test/fixtures/py-inventory): its
// index and the search API, then the whole fix session from the text on a copy of it
// (example-session.ts). The bundled repository is read-only: it is indexed in place, the cache lives
// outside it, and the session works on a temp copy.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkspaceIndex } from '../../core/index/workspace-index';
import { CodeSearch } from '../../core/search/code-search';
import { renderOutcome } from '../../core/search/render';
import { CliError, parse } from '../args';
import { runExampleSession, NEXT_STEPS } from './example-session';
import { formatStats } from './index-cmd';

export interface ExampleContext {
  /** Absolute path of the example repository (read-only). */
  root: string;
  index: WorkspaceIndex;
  search: CodeSearch;
  print(text: string): void;
}

export interface ExampleStep {
  title: string;
  run(ctx: ExampleContext): Promise<void> | void;
}

function searchStep(title: string, api: string, args: unknown[]): ExampleStep {
  return {
    title,
    run(ctx) {
      ctx.print(`$ rover search ${ctx.root} ${api} ${args.map((a) => JSON.stringify(String(a))).join(' ')}`);
      ctx.print(renderOutcome(ctx.search.call(api, args), { maxTokens: 600 }));
    },
  };
}

export const EXAMPLE_STEPS: ExampleStep[] = [
  { title: 'Index the example repository', run: (ctx) => ctx.print(formatStats(ctx.root, ctx.index.stats, ctx.index.warnings)) },
  searchStep('A class, as its signature', 'search_class', ['Cart']),
  searchStep('A method of that class, in full', 'search_method_in_class', ['total', 'Cart']),
  searchStep('An override, with its parent version pointed out', 'search_method_in_class', ['price_for', 'Bundle']),
  searchStep('A function anywhere in the codebase', 'search_method', ['bulk_discount']),
  searchStep('A literal snippet, tagged with its enclosing function', 'search_code', ['BULK_THRESHOLD']),
  searchStep('Where a method is called', 'find_references', ['line_total']),
  searchStep('A misspelled name gets "did you mean"', 'search_method', ['bulk_discont']),
  searchStep('Paths outside the repository are refused', 'get_code_around_line', ['../../etc/passwd', 1]),
];

/** The bundled example next to the built CLI: dist/../test/fixtures/py-inventory. */
export function exampleRoot(): string {
  const candidates = [resolve(__dirname, '..', 'test', 'fixtures', 'py-inventory'), resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'py-inventory')];
  const found = candidates.find((c) => existsSync(resolve(c, 'inventory')));
  if (!found) throw new CliError(`the example repository was not found (looked in ${candidates.join(', ')})`, 1);
  return found;
}

export async function run(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, 'example');
  if (positionals.length) throw new CliError(`unexpected argument(s): ${positionals.join(' ')}\nusage: rover example`);
  const root = exampleRoot();
  const index = await WorkspaceIndex.open(root);
  try {
    const ctx: ExampleContext = { root, index, search: new CodeSearch(index), print: (t) => console.log(t) };
    let n = 0;
    for (const step of EXAMPLE_STEPS) {
      console.log(`\n== ${++n}. ${step.title}`);
      await step.run(ctx);
    }
  } finally {
    await index.close();
  }
  console.log(`\n== ${EXAMPLE_STEPS.length + 1}. Fix the issue: reproduction test → localization → candidates → validation → choice`);
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  let ok: boolean;
  try {
    ok = await runExampleSession(root, (t) => console.log(t), ac.signal);
  } finally {
    process.off('SIGINT', onSig);
  }
  if (ac.signal.aborted) return 130;
  console.log(`\n${NEXT_STEPS}`);
  return ok ? 0 : 1;
}
