// One tree-sitter runtime per thread: the Parser, Language and compiled Query for each language are
// created on first use and reused for every file (compiling a query costs far more than running it).
import { readFileSync } from 'node:fs';
import { Language, Parser, Query } from 'web-tree-sitter';
import { grammarWasmPath, queryPaths, runtimeWasmPath } from './install-paths';
import type { Lang } from './types';

export interface LangRuntime {
  lang: Lang;
  parser: Parser;
  language: Language;
  query: Query;
}

let initPromise: Promise<void> | undefined;
const runtimes = new Map<Lang, Promise<LangRuntime>>();

function init(): Promise<void> {
  initPromise ??= Parser.init({ locateFile: () => runtimeWasmPath() });
  return initPromise;
}

async function load(lang: Lang): Promise<LangRuntime> {
  await init();
  const language = await Language.load(grammarWasmPath(lang));
  const source = queryPaths(lang).map((f) => readFileSync(f, 'utf8')).join('\n');
  let query: Query;
  try {
    query = new Query(language, source);
  } catch (e) {
    throw new Error(`Rover: query for ${lang} does not compile: ${(e as Error).message}`);
  }
  const parser = new Parser();
  parser.setLanguage(language);
  return { lang, parser, language, query };
}

export function runtimeFor(lang: Lang): Promise<LangRuntime> {
  let r = runtimes.get(lang);
  if (!r) {
    r = load(lang);
    // a failed load must not poison later attempts (e.g. the build copies grammars meanwhile)
    r.catch(() => runtimes.delete(lang));
    runtimes.set(lang, r);
  }
  return r;
}

/** Loads the tree-sitter runtime ahead of the first parse (worker threads call it on start). */
export function warmRuntime(): Promise<void> {
  return init();
}
