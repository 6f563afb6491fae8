// Read + decode + parse one file. Shared by the worker threads and the calling-thread fallback.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeSource, type Encoding } from './decode';
import { parseSource } from './parse-source';
import type { FileMeta } from './index-cache';
import type { FileRecord, IndexWarning, Lang } from './types';

export interface ParseJob {
  abs: string;
  rel: string;
  lang: Lang;
  size: number;
  mtimeMs: number;
}

export interface ParseResult {
  rel: string;
  record?: FileRecord;
  /** Instead of `record`, from worker threads: the cache form, decoded only when the file is used. */
  encoded?: { meta: FileMeta; body: string };
  warnings: IndexWarning[];
}

/**
 * `syncRead` is for worker threads: there a blocking read costs nothing, while an async one parks
 * the thread on the libuv pool for every file (a second of idle per worker on sympy).
 */
export type SourceRead =
  | { text: string; encoding: Encoding; warnings: IndexWarning[] }
  | { text?: undefined; warnings: IndexWarning[] };

/**
 * Reads and decodes a file; no text when it is gone, unreadable or binary (the warnings say which).
 * `syncRead` is for worker threads: there a blocking read costs nothing, while an async one parks
 * the thread on the libuv pool for every file (a second of idle per worker on sympy).
 */
export async function readSource(job: Pick<ParseJob, 'abs' | 'rel'>, syncRead = false): Promise<SourceRead> {
  const warnings: IndexWarning[] = [];
  let buf: Buffer;
  try {
    buf = syncRead ? readFileSync(job.abs) : await readFile(job.abs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { warnings };
    warnings.push({ path: job.rel, reason: 'unreadable', message: `cannot read file (${err.code ?? err.message}); not indexed` });
    return { warnings };
  }
  const decoded = decodeSource(buf);
  if ('skip' in decoded) {
    warnings.push({ path: job.rel, ...decoded.skip });
    return { warnings };
  }
  if (decoded.warning) warnings.push({ path: job.rel, ...decoded.warning });
  return { text: decoded.text, encoding: decoded.encoding, warnings };
}

/** Fills what the parse cannot know about the file, and adds its syntax warning. */
export function finishRecord(record: FileRecord, job: ParseJob, encoding: Encoding, warnings: IndexWarning[]): void {
  record.size = job.size;
  record.mtimeMs = job.mtimeMs;
  if (encoding !== 'utf-8') record.encoding = encoding;
  if (record.hasErrors) warnings.push(syntaxWarning(record));
}

export async function parseFileAt(job: ParseJob, syncRead = false): Promise<ParseResult> {
  const src = await readSource(job, syncRead);
  const warnings = src.warnings;
  if (src.text === undefined) return { rel: job.rel, warnings };
  let record: FileRecord;
  try {
    record = await parseSource(job.lang, src.text, job.rel);
  } catch (e) {
    warnings.push(parseFailed(job.rel, e));
    return { rel: job.rel, warnings };
  }
  finishRecord(record, job, src.encoding, warnings);
  return { rel: job.rel, record, warnings };
}

export function parseFailed(rel: string, e: unknown): IndexWarning {
  return { path: rel, reason: 'parse-failed', message: `parser failed: ${(e as Error).message}` };
}

export function syntaxWarning(record: Pick<FileRecord, 'path' | 'errorLines'>): IndexWarning {
  const where = record.errorLines?.length ? ` near line ${record.errorLines.join(', ')}` : '';
  return {
    path: record.path,
    reason: 'syntax-error',
    message: `syntax errors${where}; the parts that parse are indexed`,
  };
}
