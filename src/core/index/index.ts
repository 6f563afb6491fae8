// Public surface of the index.
export { WorkspaceIndex } from './workspace-index';
export { languageForPath, parseSource, grammarsDir } from './parse-source';
export { defaultCacheDir } from './index-cache';
export { DEFAULT_EXCLUDED_DIRS, DEFAULT_MAX_FILE_BYTES } from './walk';
export * from './types';
