// Persistent index cache: one file per workspace, outside the analysed tree. A record is reused when
// path, size and mtimeMs all match. The file carries a format version and a fingerprint of the
// grammars and queries, so an upgrade of either silently invalidates it (with a warning).
//
// Layout (format 4: symbols carry header/docstring ends and class-level assignments), one JSON value per line:
//   line 1      {"format","fingerprint","root","count","sha1"}   sha1 of everything after line 1
//   then, per file, a meta line   [path, lang, size, mtimeMs, hasErrors, errorLines|0, encoding|0, classes, functions, methods]
//               and a body line   (cache-codec's EncodedFile)
// A warm open parses only the small meta lines; a body is parsed when its file is first asked for.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from '../proc/owner';
import { holdForExit } from '../proc/temp';
import { decodeFile, encodeFile, type EncodedFile } from './cache-codec';
import { ALL_LANGS } from './languages';
import { grammarWasmPath, queryPaths } from './install-paths';
import type { FileRecord, IndexWarning, Lang } from './types';

export const CACHE_FORMAT = 4;
const CACHE_FILE = 'index.json';
const NL = 0x0a;

/** What a warm open needs about a file without decoding its symbols. */
export interface FileMeta {
  path: string;
  lang: Lang;
  size: number;
  mtimeMs: number;
  hasErrors: boolean;
  errorLines?: number[];
  encoding?: FileRecord['encoding'];
  classes: number;
  functions: number;
  methods: number;
}

/** A file known to the index: decoded record, or the cached line it will be decoded from. */
export interface CachedEntry {
  meta: FileMeta;
  record?: FileRecord;
  /** The cached body line, still undecoded (a view into the cache file's bytes). */
  raw?: Buffer;
}

export function metaOf(r: FileRecord): FileMeta {
  let classes = 0;
  let functions = 0;
  let methods = 0;
  for (const s of r.symbols) {
    if (s.kind === 'method') methods++;
    else if (s.kind === 'function') functions++;
    else classes++;
  }
  const m: FileMeta = { path: r.path, lang: r.lang, size: r.size, mtimeMs: r.mtimeMs, hasErrors: r.hasErrors, classes, functions, methods };
  if (r.errorLines) m.errorLines = r.errorLines;
  if (r.encoding) m.encoding = r.encoding;
  return m;
}

/** The entry's record, decoding the cached line on first use. Throws if the line is malformed. */
export function materialize(e: CachedEntry): FileRecord {
  if (!e.record) {
    e.record = decodeFile(JSON.parse(e.raw!.toString('utf8')) as EncodedFile);
    e.raw = undefined;
  }
  return e.record;
}

/** Where Rover keeps its caches: $XDG_CACHE_HOME/rover or ~/.cache/rover. */
export function roverCacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rover');
}

export function defaultCacheDir(root: string): string {
  return join(roverCacheRoot(), createHash('sha1').update(root).digest('hex'));
}

/** `<name>.<pid>[.<anything>].tmp`: a cache file being written by process <pid>. */
const CACHE_TEMP = /\.(\d+)(\.[0-9a-z]+)?\.tmp$/;

/**
 * Removes half-written cache files of processes that died mid-write (each can be megabytes), in
 * every cache folder one or two levels under Rover's cache root. Returns the removed paths.
 */
export async function sweepIndexCacheTemps(root = roverCacheRoot()): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    let ents;
    try {
      ents = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < 2) await visit(p, depth + 1);
        continue;
      }
      const m = CACHE_TEMP.exec(e.name);
      if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
      await unlink(p).catch(() => undefined);
      removed.push(p);
    }
  };
  await visit(root, 0);
  return removed;
}

/**
 * git's way of replacing a file: write a temp file beside it, flush it to disk, rename it over the
 * old one. A crash at any point leaves the old file or the new one, never a torn one; a temp file
 * left by a kill is removed by the next start (sweepIndexCacheTemps).
 */
export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const release = holdForExit(tmp);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    release();
  }
}

let fingerprintMemo: string | undefined;

/** Changes whenever a grammar or a query changes, or the cache format does. */
export function grammarFingerprint(): string {
  if (fingerprintMemo) return fingerprintMemo;
  const h = createHash('sha1').update(`format ${CACHE_FORMAT}\n`);
  for (const lang of ALL_LANGS) {
    try {
      h.update(`${lang} ${statSync(grammarWasmPath(lang)).size}\n`);
      for (const q of queryPaths(lang)) if (existsSync(q)) h.update(readFileSync(q));
    } catch {
      h.update(`${lang} missing\n`);
    }
  }
  fingerprintMemo = h.digest('hex');
  return fingerprintMemo;
}

export interface LoadedCache {
  entries: Map<string, CachedEntry>;
  warning?: IndexWarning;
}

interface Header {
  format: number;
  fingerprint: string;
  root: string;
  count: number;
  sha1: string;
}

type MetaTuple = [string, string, number, number, 0 | 1, number[] | 0, string | 0, number, number, number];

export async function loadCache(cacheDir: string, root: string): Promise<LoadedCache> {
  const file = join(cacheDir, CACHE_FILE);
  // kept as bytes: decoding 10+ MB of UTF-8 up front would cost more than everything else together
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch {
    return { entries: new Map() }; // no cache yet: a normal first open
  }
  const rebuilt = (why: string): LoadedCache => ({
    entries: new Map(),
    warning: { path: file, reason: 'cache-rebuilt', message: `index cache ${why}; rebuilding it` },
  });
  const nl = raw.indexOf(NL);
  let header: Header;
  try {
    header = JSON.parse(raw.toString('utf8', 0, nl === -1 ? raw.length : nl)) as Header;
  } catch {
    return rebuilt('is corrupt (not valid JSON)');
  }
  if (!header || typeof header !== 'object' || typeof header.count !== 'number') return rebuilt('has an unexpected shape');
  if (header.format !== CACHE_FORMAT) return rebuilt(`has format ${String(header.format)}, this version uses ${CACHE_FORMAT}`);
  if (header.fingerprint !== grammarFingerprint()) return rebuilt('was built with other grammars or queries');
  if (header.root !== root) return rebuilt(`belongs to another folder (${String(header.root)})`);
  const body = nl === -1 ? Buffer.alloc(0) : raw.subarray(nl + 1);
  // bodies are decoded lazily, so damage must be caught now: a checksum over everything after the header
  if (createHash('sha1').update(body).digest('hex') !== header.sha1) return rebuilt('is corrupt (checksum mismatch)');
  const entries = new Map<string, CachedEntry>();
  let at = 0;
  try {
    for (let i = 0; i < header.count; i++) {
      const metaEnd = body.indexOf(NL, at);
      const bodyEnd = metaEnd === -1 ? -1 : body.indexOf(NL, metaEnd + 1);
      if (metaEnd === -1 || bodyEnd === -1) throw new Error('truncated');
      const t = JSON.parse(body.toString('utf8', at, metaEnd)) as MetaTuple;
      if (!Array.isArray(t) || typeof t[0] !== 'string' || typeof t[2] !== 'number' || typeof t[3] !== 'number') throw new Error('bad meta');
      const meta: FileMeta = { path: t[0], lang: t[1] as Lang, size: t[2], mtimeMs: t[3], hasErrors: t[4] === 1, classes: t[7], functions: t[8], methods: t[9] };
      if (t[5] !== 0) meta.errorLines = t[5];
      if (t[6] !== 0) meta.encoding = t[6] as FileMeta['encoding'];
      entries.set(meta.path, { meta, raw: body.subarray(metaEnd + 1, bodyEnd) });
      at = bodyEnd + 1;
    }
  } catch {
    return rebuilt('has a malformed entry');
  }
  return { entries };
}

export async function saveCache(cacheDir: string, root: string, entries: CachedEntry[]): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const parts: Buffer[] = [];
  const newline = Buffer.from('\n');
  for (const e of entries) {
    const m = e.meta;
    const t: MetaTuple = [m.path, m.lang, m.size, m.mtimeMs, m.hasErrors ? 1 : 0, m.errorLines ?? 0, m.encoding ?? 0, m.classes, m.functions, m.methods];
    parts.push(Buffer.from(JSON.stringify(t)), newline);
    // untouched cached files are written back as they were read
    parts.push(e.raw ?? Buffer.from(JSON.stringify(encodeFile(e.record!))), newline);
  }
  const body = Buffer.concat(parts);
  const header: Header = {
    format: CACHE_FORMAT,
    fingerprint: grammarFingerprint(),
    root,
    count: entries.length,
    sha1: createHash('sha1').update(body).digest('hex'),
  };
  // a crash mid-write leaves the old cache, never half a file
  await writeFileAtomic(join(cacheDir, CACHE_FILE), Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), body]));
}
