// Applying a model's edits in memory: every edit of a file is located (see match.ts) against the
// file as edited so far, so blocks may come in any order; then the edited files are parsed and an
// edit that adds syntax errors is refused with where. Nothing is written to disk here.
import { posix } from 'node:path';
import { languageForPath, parseSource } from '../../index/parse';
import { parseEdits, type EditBlock } from './blocks';
import { locate, type MatchStrategy } from './match';
import { safeRelPath } from './paths';
import { editLines, joinText, splitText, type FileText } from './text';

/** Where the applier reads the original files from (the repo's working tree, a git object store…). */
export interface FileSource {
  /** Text of a repo-relative file, or undefined when it does not exist. */
  read(rel: string): string | undefined | Promise<string | undefined>;
  /** All repo-relative files, for resolving a path the model shortened (`pricing.py`). Optional. */
  list?(): string[] | Promise<string[]>;
}

export interface EditResult {
  index: number;
  path: string;
  ok: boolean;
  strategy?: MatchStrategy | 'new-file';
  score?: number;
  /** 1-based lines of the region replaced (in the file as it was before this edit). */
  startLine?: number;
  endLine?: number;
  message: string;
}

export interface FileChange {
  rel: string;
  /** undefined for a file the edits create. */
  before?: string;
  after: string;
}

export interface ApplyOutcome {
  ok: boolean;
  changes: FileChange[];
  results: EditResult[];
  /** Problems not tied to one located edit: unparsable blocks, syntax errors, no edits at all. */
  errors: string[];
  /** A message for the model describing every failure (empty when ok). */
  feedback: string;
}

export interface ApplyOptions {
  fuzzyThreshold?: number;
  /** Refuse edits that add tree-sitter ERROR nodes (default true). */
  syntaxCheck?: boolean;
}

export async function applyModelOutput(text: string, source: FileSource, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  const parsed = parseEdits(text);
  if (parsed.edits.length === 0) {
    const errors = parsed.errors.length
      ? parsed.errors
      : ['No edit found. Write each edit as: the file path on its own line, then "<<<<<<< SEARCH", the exact current lines, "=======", the new lines, ">>>>>>> REPLACE".'];
    return { ok: false, changes: [], results: [], errors, feedback: errors.join('\n') };
  }
  const out = await applyEdits(parsed.edits, source, opts);
  if (parsed.errors.length) {
    out.errors.unshift(...parsed.errors);
    out.ok = false;
    out.feedback = buildFeedback(out.results, out.errors, undefined);
  }
  return out;
}

export async function applyEdits(edits: EditBlock[], source: FileSource, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  const results: EditResult[] = [];
  const errors: string[] = [];
  const state = new Map<string, { before?: string; present: boolean; text: FileText }>();
  let listing: string[] | undefined;
  const listFiles = async () => (listing ??= source.list ? await source.list() : []);
  const closestTexts = new Map<number, string>();

  for (const e of edits) {
    const safe = safeRelPath(e.path);
    if (!safe.ok) {
      results.push({ index: e.index, path: e.path, ok: false, message: safe.error });
      continue;
    }
    let rel = safe.rel;
    if (!state.has(rel) && (await source.read(rel)) === undefined && !isEmptySearch(e.search)) {
      rel = (await resolveShortened(rel, listFiles)) ?? rel;
    }
    let entry = state.get(rel);
    if (!entry) {
      const before = await source.read(rel);
      entry = { before, present: before !== undefined, text: before === undefined ? { lines: [], eol: '\n', finalNewline: true } : splitText(before) };
      state.set(rel, entry);
    }
    const exists = entry.present;
    const { search, replace } = stripLineNumbers(trimBlankEdges(editLines(e.search), editLines(e.replace)));

    if (search.length === 0 || search.every((l) => l.trim() === '')) {
      if (exists) {
        results.push({
          index: e.index,
          path: rel,
          ok: false,
          message: `Edit ${e.index}: the SEARCH part is empty, which creates a new file, but ${rel} already exists. Quote the lines to replace.`,
        });
        continue;
      }
      entry.text = { lines: replace, eol: '\n', finalNewline: true };
      entry.present = true;
      results.push({ index: e.index, path: rel, ok: true, strategy: 'new-file', message: `Edit ${e.index}: created ${rel}.` });
      continue;
    }
    if (!exists) {
      const hint = await similarPaths(rel, listFiles);
      results.push({
        index: e.index,
        path: rel,
        ok: false,
        message: `Edit ${e.index}: ${rel} does not exist${hint.length ? ` (did you mean ${hint.join(', ')}?)` : ''}.`,
      });
      continue;
    }
    const m = locate(entry.text.lines, search, replace, { fuzzyThreshold: opts.fuzzyThreshold });
    if (!m.ok) {
      results.push({ index: e.index, path: rel, ok: false, message: `Edit ${e.index} (${rel}): ${m.message}` });
      if (m.closest) closestTexts.set(e.index, numbered(entry.text.lines, m.closest.startLine, m.closest.endLine));
      continue;
    }
    entry.text = { ...entry.text, lines: [...entry.text.lines.slice(0, m.start), ...m.replacement, ...entry.text.lines.slice(m.end)] };
    results.push({
      index: e.index,
      path: rel,
      ok: true,
      strategy: m.strategy,
      score: m.score,
      startLine: m.start + 1,
      endLine: m.end,
      message:
        `Edit ${e.index} (${rel}): applied at lines ${m.start + 1}-${m.end} (${m.strategy}` + (m.strategy === 'fuzzy' ? `, similarity ${m.score})` : ')'),
    });
  }

  const changes: FileChange[] = [];
  for (const [rel, entry] of state) {
    if (!entry.present) continue;
    const after = joinText(entry.text);
    if (entry.before === after) continue;
    changes.push({ rel, before: entry.before, after });
  }
  if (opts.syntaxCheck !== false) {
    for (const c of changes) {
      const err = await newSyntaxError(c);
      if (err) errors.push(err);
    }
  }
  const failed = results.some((r) => !r.ok);
  if (!failed && errors.length === 0 && changes.length === 0) errors.push('The edits change nothing: each REPLACE part equals its SEARCH part.');
  const ok = !failed && errors.length === 0;
  return { ok, changes, results, errors, feedback: ok ? '' : buildFeedback(results, errors, closestTexts) };
}

function buildFeedback(results: EditResult[], errors: string[], closest: Map<number, string> | undefined): string {
  const parts: string[] = [];
  for (const r of results) {
    if (r.ok) continue;
    parts.push(r.message);
    const c = closest?.get(r.index);
    if (c) parts.push(`Current text of that region:\n${c}`);
  }
  parts.push(...errors);
  if (results.some((r) => r.ok) && parts.length) {
    parts.push('No edit was applied. Send the complete set of edits again with the problems fixed (SEARCH must copy the current lines exactly).');
  }
  return parts.join('\n');
}

function numbered(lines: string[], start: number, end: number): string {
  const from = Math.max(1, start - 2);
  const to = Math.min(lines.length, end + 2, from + 29);
  const w = String(to).length;
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${String(i).padStart(w)} | ${lines[i - 1]}`);
  return out.join('\n');
}

const isEmptySearch = (s: string) => s.trim() === '';

/** Blank lines at the edges of SEARCH are not evidence of anything; drop them (and the matching REPLACE ones). */
function trimBlankEdges(search: string[], replace: string[]): { search: string[]; replace: string[] } {
  let s = search;
  let r = replace;
  while (s.length && s[0].trim() === '') {
    s = s.slice(1);
    if (r.length && r[0].trim() === '') r = r.slice(1);
  }
  while (s.length && s[s.length - 1].trim() === '') {
    s = s.slice(0, -1);
    if (r.length && r[r.length - 1].trim() === '') r = r.slice(0, -1);
  }
  return { search: s, replace: r };
}

const LINE_NO = /^\s*\d+\s?(?:\||:)\s?/;

/** Models sometimes copy the line numbers of a search result into SEARCH; remove them when every line has one. */
function stripLineNumbers(e: { search: string[]; replace: string[] }): { search: string[]; replace: string[] } {
  const has = (ls: string[]) => ls.length > 0 && ls.every((l) => LINE_NO.test(l));
  if (!has(e.search)) return e;
  const strip = (l: string) => l.replace(/^\s*\d+\s?(?:\||:) ?/, '');
  return { search: e.search.map(strip), replace: has(e.replace) ? e.replace.map(strip) : e.replace };
}

async function resolveShortened(rel: string, list: () => Promise<string[]>): Promise<string | undefined> {
  const files = await list();
  const hits = files.filter((f) => f.endsWith(`/${rel}`));
  return hits.length === 1 ? hits[0] : undefined;
}

async function similarPaths(rel: string, list: () => Promise<string[]>): Promise<string[]> {
  const base = posix.basename(rel);
  return (await list()).filter((f) => posix.basename(f) === base).slice(0, 3);
}

async function newSyntaxError(c: FileChange): Promise<string | undefined> {
  const lang = languageForPath(c.rel);
  if (!lang) return undefined;
  let after;
  try {
    after = await parseSource(lang, c.after, c.rel);
  } catch {
    return undefined; // no grammar available: the tests will judge
  }
  if (!after.hasErrors) return undefined;
  const before = c.before === undefined ? undefined : await parseSource(lang, c.before, c.rel);
  const beforeLines = before?.errorLines ?? [];
  const afterLines = after.errorLines ?? [];
  if (before?.hasErrors && afterLines.length <= beforeLines.length) return undefined;
  const line = afterLines.find((l) => !beforeLines.includes(l)) ?? afterLines[0] ?? 1;
  const text = splitText(c.after).lines[line - 1] ?? '';
  return `The edited ${c.rel} does not parse: syntax error at line ${line}: \`${text.trim()}\`. Fix the edit so the file stays valid ${lang}.`;
}
