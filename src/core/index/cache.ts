// Persistent index cache: one JSON file per workspace, outside the analysed tree. A record is reused
// when path, size and mtimeMs all match. The file carries a format version and a fingerprint of the
// grammars and queries, so an upgrade of either silently invalidates it (with a warning).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ALL_LANGS } from './languages';
import { grammarWasmPath, queryPath } from './paths';
import { decodeFile, encodeFile, type EncodedFile } from './cache-codec';
import type { FileRecord, IndexWarning } from './types';

export const CACHE_FORMAT = 2;
const CACHE_FILE = 'index.json';

interface CacheFile {
  format: number;
  fingerprint: string;
  root: string;
  files: EncodedFile[];
}

export function defaultCacheDir(root: string): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'rover', createHash('sha1').update(root).digest('hex'));
}

let fingerprintMemo: string | undefined;

/** Changes whenever a grammar or a query changes, or the extraction format does. */
export function grammarFingerprint(): string {
  if (fingerprintMemo) return fingerprintMemo;
  const h = createHash('sha1').update(`format ${CACHE_FORMAT}\n`);
  for (const lang of ALL_LANGS) {
    try {
      h.update(`${lang} ${statSync(grammarWasmPath(lang)).size}\n`);
      const q = queryPath(lang);
      if (existsSync(q)) h.update(readFileSync(q));
    } catch {
      h.update(`${lang} missing\n`);
    }
  }
  fingerprintMemo = h.digest('hex');
  return fingerprintMemo;
}

export interface LoadedCache {
  files: Map<string, FileRecord>;
  warning?: IndexWarning;
}

export async function loadCache(cacheDir: string, root: string): Promise<LoadedCache> {
  const file = join(cacheDir, CACHE_FILE);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return { files: new Map() }; // no cache yet: a normal first open
  }
  const rebuilt = (why: string): LoadedCache => ({
    files: new Map(),
    warning: { path: file, reason: 'cache-rebuilt', message: `index cache ${why}; rebuilding it` },
  });
  let data: CacheFile;
  try {
    data = JSON.parse(raw) as CacheFile;
  } catch {
    return rebuilt('is corrupt (not valid JSON)');
  }
  if (!data || typeof data !== 'object' || !Array.isArray(data.files)) return rebuilt('has an unexpected shape');
  if (data.format !== CACHE_FORMAT) return rebuilt(`has format ${String(data.format)}, this version uses ${CACHE_FORMAT}`);
  if (data.fingerprint !== grammarFingerprint()) return rebuilt('was built with other grammars or queries');
  if (data.root !== root) return rebuilt(`belongs to another folder (${String(data.root)})`);
  const files = new Map<string, FileRecord>();
  try {
    for (const f of data.files) {
      const r = decodeFile(f);
      files.set(r.path, r);
    }
  } catch {
    return rebuilt('has a malformed entry');
  }
  return { files };
}

export async function saveCache(cacheDir: string, root: string, files: FileRecord[]): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const data: CacheFile = { format: CACHE_FORMAT, fingerprint: grammarFingerprint(), root, files: files.map(encodeFile) };
  const file = join(cacheDir, CACHE_FILE);
  // write-then-rename so a crash mid-write leaves the old cache, never half a file
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
