// The workspace index: every source file's symbols and call sites, kept in memory, persisted to a
// cache outside the tree, refreshed incrementally. Bad files never stop a run: they become warnings.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defaultCacheDir, loadCache, materialize, metaOf, saveCache } from './index-cache';
import type { CachedEntry, FileMeta } from './index-cache';
import { decodeAs, decodeSource } from './decode';
import { finishRecord, parseFailed, parseFileAt, readSource, syntaxWarning } from './parse-file';
import { LiveTrees } from './live-trees';
import type { ParseJob, ParseResult } from './parse-file';
import { languageForPath } from './languages';
import { ParsePool } from './pool';
import type { FileRecord, IndexOptions, IndexStats, IndexWarning } from './types';
import { DEFAULT_MAX_FILE_BYTES, ExcludeRules, walkWorkspace } from './walk';

export class WorkspaceIndex {
  readonly root: string;
  private lastStats: IndexStats = emptyStats();
  private warningList: IndexWarning[] = [];

  private readonly opts: IndexOptions;
  private readonly cacheDir: string;
  private rootRealPath: string | undefined;
  private entries = new Map<string, CachedEntry>();
  private sorted: FileRecord[] | undefined;
  private readonly texts = new Map<string, string>();
  private rules: ExcludeRules;
  private pool: ParsePool | undefined;
  private readonly live = new LiveTrees();
  private cacheLoaded = false;
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;
  private refreshing: Promise<unknown> = Promise.resolve();

  private constructor(root: string, opts: IndexOptions) {
    this.root = root;
    this.opts = opts;
    this.cacheDir = opts.cacheDir ?? defaultCacheDir(root);
    this.rules = new ExcludeRules(opts.exclude);
    const workers = opts.workers ?? availableParallelism();
    this.pool = ParsePool.create(workers);
  }

  /** Walks and parses `root` (reusing the cache where files are unchanged). */
  static async open(root: string, opts: IndexOptions = {}): Promise<WorkspaceIndex> {
    validateOptions(opts);
    const abs = resolve(root);
    let st;
    try {
      st = await stat(abs);
    } catch (e) {
      throw new Error(`Rover: cannot open ${abs} for indexing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!st.isDirectory()) throw new Error(`Rover: ${abs} is not a folder`);
    const index = new WorkspaceIndex(abs, opts);
    try {
      await index.refresh();
    } catch (e) {
      await index.close();
      throw e;
    }
    return index;
  }

  /** Figures of the last open/refresh. */
  get stats(): IndexStats {
    return this.lastStats;
  }

  /** Warnings of the last open/refresh, plus those of later updateFile calls. */
  get warnings(): readonly IndexWarning[] {
    return this.warningList;
  }

  files(): FileRecord[] {
    if (!this.sorted) {
      const out: FileRecord[] = [];
      for (const rel of [...this.entries.keys()].sort(byPath)) {
        const r = this.recordOf(rel);
        if (r) out.push(r);
      }
      this.sorted = out;
    }
    return this.sorted;
  }

  getFile(relPath: string): FileRecord | undefined {
    return this.recordOf(normalizeRel(relPath));
  }

  /** The file's text as indexed; read from disk on first use and kept. */
  readText(relPath: string): string | undefined {
    const rel = normalizeRel(relPath);
    const cached = this.texts.get(rel);
    if (cached !== undefined) return cached;
    const entry = this.entries.get(rel);
    if (!entry) return undefined;
    const record = entry.meta;
    let buf: Buffer;
    try {
      // the file may have become a link to somewhere else since it was indexed
      if (!this.insideRoot(`${this.root}/${rel}`)) return undefined;
      buf = readFileSync(`${this.root}/${rel}`);
    } catch {
      return undefined;
    }
    const text = record.encoding ? decodeAs(buf, record.encoding) : decodeAndCheck(buf);
    if (text === undefined) return undefined;
    this.texts.set(rel, text);
    return text;
  }

  /** Whether a path, links resolved, is inside the workspace (as the walk requires). */
  private insideRoot(abs: string): boolean {
    this.rootRealPath ??= realpathSync(this.root);
    const real = realpathSync(abs);
    return real === this.rootRealPath || real.startsWith(this.rootRealPath + '/');
  }

  /** Re-reads and re-parses one file (after a save). undefined when it is gone or not indexable. */
  async updateFile(relPath: string): Promise<FileRecord | undefined> {
    const rel = normalizeRel(relPath);
    const lang = languageForPath(rel);
    if (!lang || this.rules.excluded(rel)) {
      this.removeFile(rel);
      return undefined;
    }
    const abs = `${this.root}/${rel}`;
    let st;
    try {
      st = statSync(abs);
      if (!this.insideRoot(abs)) throw new Error('outside');
    } catch {
      this.removeFile(rel);
      return undefined;
    }
    const max = this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (!st.isFile()) {
      this.removeFile(rel);
      return undefined;
    }
    if (st.size > max) {
      this.removeFile(rel);
      this.warn({ path: rel, reason: 'too-large', message: `file is ${st.size} bytes, over the ${max}-byte limit; not indexed` });
      return undefined;
    }
    const job: ParseJob = { abs, rel, lang, size: st.size, mtimeMs: st.mtimeMs };
    const src = await readSource(job);
    const warnings = src.warnings;
    let record: FileRecord | undefined;
    if (src.text !== undefined) {
      try {
        record = (await this.live.parse(rel, lang, src.text)).record;
        finishRecord(record, job, src.encoding, warnings);
      } catch (e) {
        warnings.push(parseFailed(rel, e));
      }
    }
    for (const w of warnings) this.warn(w);
    if (!record || src.text === undefined) {
      this.removeFile(rel);
      return undefined;
    }
    this.texts.set(rel, src.text);
    // Unchanged on disk (the cache's own test; e.g. a file just opened in the editor): the record
    // stays, so search keeps its name tables instead of rebuilding them for every opened file.
    const known = this.entries.get(rel)?.meta;
    const kept = known && known.size === job.size && known.mtimeMs === job.mtimeMs && known.lang === lang ? this.recordOf(rel) : undefined;
    if (kept) return kept;
    this.put(record);
    this.scheduleSave();
    return record;
  }

  /**
   * The file is open in an editor: parse it now and keep its syntax tree, so that its saves re-index
   * incrementally. Cheap when the tree is already kept.
   */
  async keepTree(relPath: string): Promise<void> {
    const rel = normalizeRel(relPath);
    if (!this.live.has(rel)) await this.updateFile(rel);
  }

  /** The editor closed the file: its tree is no longer worth its memory. */
  dropTree(relPath: string): void {
    this.live.forget(normalizeRel(relPath));
  }

  removeFile(relPath: string): void {
    const rel = normalizeRel(relPath);
    this.texts.delete(rel);
    this.live.forget(rel);
    if (this.entries.delete(rel)) {
      this.sorted = undefined;
      this.scheduleSave();
    }
  }

  /** Re-walks the tree; only new or changed files (by size + mtime) are parsed again. */
  refresh(): Promise<IndexStats> {
    // overlapping refreshes (e.g. several file-system events) run one after the other
    const run = this.refreshing.then(() => this.refreshNow());
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async refreshNow(): Promise<IndexStats> {
    if (this.closed) throw new Error('Rover: the index is closed');
    const t0 = performance.now();
    this.warningList = [];
    let cacheHits = 0;
    let cacheMisses = 0;
    let known = this.entries;
    if (!this.cacheLoaded) {
      this.cacheLoaded = true;
      const loaded = await loadCache(this.cacheDir, this.root);
      if (loaded.warning) this.warn(loaded.warning);
      known = loaded.entries;
      // a missing or rebuilt cache must be written even when nothing else changes
      if (loaded.warning || !loaded.entries.size) this.dirty = true;
      // nothing cached: every file will be parsed, so let the workers load while we walk
      if (!loaded.entries.size) this.pool?.warm();
    }
    const walked = await walkWorkspace(this.root, { exclude: this.opts.exclude, maxFileBytes: this.opts.maxFileBytes }, (w) => this.warn(w));
    this.rules = walked.rules;
    const next = new Map<string, CachedEntry>();
    const jobs: ParseJob[] = [];
    for (const e of walked.entries) {
      const entry = known.get(e.rel);
      const old = entry?.meta;
      if (entry && old && old.size === e.size && old.mtimeMs === e.mtimeMs && old.lang === e.lang) {
        next.set(e.rel, entry);
        cacheHits++;
        if (old.hasErrors) this.warn(syntaxWarning(old));
        if (old.encoding) this.warn({ path: e.rel, reason: 'not-utf8', message: `file is not UTF-8; indexed as ${old.encoding}` });
      } else {
        jobs.push({ abs: e.abs, rel: e.rel, lang: e.lang, size: e.size, mtimeMs: e.mtimeMs });
        cacheMisses++;
      }
    }
    const results = await this.parseAll(jobs);
    for (const r of results) {
      for (const w of r.warnings) this.warn(w);
      if (r.record) next.set(r.rel, { meta: metaOf(r.record), record: r.record });
      else if (r.encoded) next.set(r.rel, { meta: r.encoded.meta, raw: Buffer.from(r.encoded.body) });
      this.texts.delete(r.rel);
    }
    for (const rel of this.texts.keys()) if (!next.has(rel)) this.texts.delete(rel);
    if (jobs.length || next.size !== known.size) this.dirty = true;
    this.entries = next;
    this.sorted = undefined;
    // the index is ready now; the cache is written behind (close() waits for it)
    if (this.dirty) void this.flush();
    this.lastStats = computeStats([...next.values()].map((e) => e.meta), cacheHits, cacheMisses, performance.now() - t0, this.warningList.length);
    return this.lastStats;
  }

  /** Flushes the cache and stops worker threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.flush();
    await this.pool?.close();
    this.pool = undefined;
    this.live.clear();
  }

  private async parseAll(jobs: ParseJob[]): Promise<ParseResult[]> {
    // small batches are not worth a worker's start-up (loading the wasm runtime and grammars)
    if (this.pool && jobs.length >= 16) return this.pool.run(jobs);
    const out: ParseResult[] = [];
    for (const j of jobs) out.push(await parseFileAt(j));
    return out;
  }

  private put(record: FileRecord): void {
    this.entries.set(record.path, { meta: metaOf(record), record });
    this.sorted = undefined;
  }

  private recordOf(rel: string): FileRecord | undefined {
    const e = this.entries.get(rel);
    if (!e) return undefined;
    try {
      return materialize(e);
    } catch (err) {
      // only a bug could get here (the cache is checksummed); forget the file rather than crash
      this.entries.delete(rel);
      this.sorted = undefined;
      this.scheduleSave();
      this.warn({ path: rel, reason: 'cache-rebuilt', message: `cached entry unreadable (${(err as Error).message}); save the file or rebuild the index` });
      return undefined;
    }
  }

  private warn(w: IndexWarning): void {
    this.warningList.push(w);
    this.lastStats.warnings = this.warningList.length;
    try {
      this.opts.onWarning?.(w);
    } catch {
      // a failing listener must not break indexing
    }
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (this.saveTimer || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, 2000);
    this.saveTimer.unref();
  }

  /**
   * Writes the cache if anything changed, after any write already under way: two writes racing
   * could otherwise leave the older picture on disk.
   */
  flush(): Promise<void> {
    this.saving = this.saving.then(() => (this.dirty ? this.saveNow() : undefined));
    return this.saving;
  }

  private async saveNow(): Promise<void> {
    this.dirty = false;
    try {
      const sorted = [...this.entries.keys()].sort(byPath).map((k) => this.entries.get(k)!);
      await saveCache(this.cacheDir, this.root, sorted);
    } catch (e) {
      // the index still works without a cache; the next open is just slower
      this.warn({ path: this.cacheDir, reason: 'cache-rebuilt', message: `cannot write index cache: ${(e as Error).message}` });
    }
  }
}

function validateOptions(opts: IndexOptions): void {
  const bad = (what: string) => {
    throw new Error(`Rover: invalid index option ${what}`);
  };
  if (opts.exclude !== undefined && (!Array.isArray(opts.exclude) || opts.exclude.some((e) => typeof e !== 'string'))) {
    bad('exclude (expected a list of gitignore-style patterns)');
  }
  if (opts.maxFileBytes !== undefined && !(Number.isFinite(opts.maxFileBytes) && opts.maxFileBytes > 0)) {
    bad(`maxFileBytes ${String(opts.maxFileBytes)} (expected a positive number of bytes)`);
  }
  if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 0)) {
    bad(`workers ${String(opts.workers)} (expected 0 or a positive whole number)`);
  }
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalizeRel(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}

function decodeAndCheck(buf: Buffer): string | undefined {
  const d = decodeSource(buf);
  return 'skip' in d ? undefined : d.text;
}

function emptyStats(): IndexStats {
  return { files: 0, bytes: 0, languages: {}, classes: 0, functions: 0, methods: 0, filesWithErrors: 0, cacheHits: 0, cacheMisses: 0, ms: 0, warnings: 0 };
}

function computeStats(files: FileMeta[], cacheHits: number, cacheMisses: number, ms: number, warnings: number): IndexStats {
  const s = emptyStats();
  s.files = files.length;
  s.cacheHits = cacheHits;
  s.cacheMisses = cacheMisses;
  s.ms = Math.round(ms);
  s.warnings = warnings;
  for (const f of files) {
    s.bytes += f.size;
    s.languages[f.lang] = (s.languages[f.lang] ?? 0) + 1;
    if (f.hasErrors) s.filesWithErrors++;
    s.classes += f.classes;
    s.functions += f.functions;
    s.methods += f.methods;
  }
  return s;
}
