export { CodeSearch, type CodeSearchOptions } from './code-search';
export { renderOutcome, type RenderOptions } from './render';
export { SEARCH_API_SPECS, SEARCH_API_NAMES, specFor, type SearchApiSpec } from './specs';
export { fileSuggestions, normalizeFileArg, resolveFileArg } from './file-args';
export { closestNames, editDistance } from './fuzzy';
export type { SearchApiName, SearchHit, SearchOutcome, SearchIndex } from './types';
