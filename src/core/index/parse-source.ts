// Parsing one file on the calling thread. The worker pool runs the very same function.
import { extractFile } from './extract';
import { runtimeFor } from './tree-sitter-runtime';
import type { FileRecord, Lang } from './types';

export { languageForPath } from './languages';
export { grammarsDir } from './install-paths';

/** Parses `text` as `lang` and extracts symbols and calls. size/mtimeMs are left 0 for the caller to fill. */
export async function parseSource(lang: Lang, text: string, path: string): Promise<FileRecord> {
  const rt = await runtimeFor(lang);
  return extractFile(rt, text, path);
}
