// Read + decode + parse one file. Shared by the worker threads and the calling-thread fallback.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeSource } from './decode';
import { parseSource } from './parse';
import type { FileMeta } from './cache';
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
  /** Only filled when the caller asked to keep the text (calling-thread parses). */
  text?: string;
}

/**
 * `syncRead` is for worker threads: there a blocking read costs nothing, while an async one parks
 * the thread on the libuv pool for every file (a second of idle per worker on sympy).
 */
export async function parseFileAt(job: ParseJob, keepText = false, syncRead = false): Promise<ParseResult> {
  const warnings: IndexWarning[] = [];
  let buf: Buffer;
  try {
    buf = syncRead ? readFileSync(job.abs) : await readFile(job.abs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { rel: job.rel, warnings };
    warnings.push({ path: job.rel, reason: 'unreadable', message: `cannot read file (${err.code ?? err.message}); not indexed` });
    return { rel: job.rel, warnings };
  }
  const decoded = decodeSource(buf);
  if ('skip' in decoded) {
    warnings.push({ path: job.rel, ...decoded.skip });
    return { rel: job.rel, warnings };
  }
  if (decoded.warning) warnings.push({ path: job.rel, ...decoded.warning });
  let record: FileRecord;
  try {
    record = await parseSource(job.lang, decoded.text, job.rel);
  } catch (e) {
    warnings.push({ path: job.rel, reason: 'parse-failed', message: `parser failed: ${(e as Error).message}` });
    return { rel: job.rel, warnings };
  }
  record.size = job.size;
  record.mtimeMs = job.mtimeMs;
  if (decoded.encoding !== 'utf-8') record.encoding = decoded.encoding;
  if (record.hasErrors) warnings.push(syntaxWarning(record));
  return { rel: job.rel, record, warnings, text: keepText ? decoded.text : undefined };
}

export function syntaxWarning(record: Pick<FileRecord, 'path' | 'errorLines'>): IndexWarning {
  const where = record.errorLines?.length ? ` near line ${record.errorLines.join(', ')}` : '';
  return {
    path: record.path,
    reason: 'syntax-error',
    message: `syntax errors${where}; the parts that parse are indexed`,
  };
}
