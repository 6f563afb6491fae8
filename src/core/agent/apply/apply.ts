// Applying a model's edits in memory: every edit of a file is located (see match.ts) against the
// file as edited so far, so blocks may come in any order; then the edited files are parsed and an
// edit that adds syntax errors is refused with where. Nothing is written to disk here.
import { posix } from 'node:path';
import { languageForPath, parseSource } from '../../index/parse-source';
import { DELETE_FILE_SYNTAX, parseEdits, type EditBlock } from './blocks';
import { locate, type MatchStrategy } from './match';
import { safeRelPath } from './safe-paths';
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
  strategy?: MatchStrategy | 'new-file' | 'delete';
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
  /** The model asked for the file to be deleted (`DELETE FILE: path`); `after` is ''. */
  deleted?: boolean;
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
  // per file: its text as edited so far, the line ranges earlier edits produced (kept in current
  // coordinates), and the SEARCH texts already used — an edit over another's output is refused
  const state = new Map<string, { before?: string; present: boolean; text: FileText; touched: { start: number; end: number; edit: number }[]; searches: Map<string, number>; deleted?: number }>();
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
      entry = { before, present: before !== undefined, text: before === undefined ? { lines: [], eol: '\n', finalNewline: true } : splitText(before), touched: [], searches: new Map() };
      state.set(rel, entry);
    }
    const exists = entry.present;
    if (entry.deleted !== undefined) {
      results.push({ index: e.index, path: rel, ok: false, message: `Edit ${e.index}: ${rel} is deleted by edit ${entry.deleted}; an edit of a deleted file is refused.` });
      continue;
    }
    if (e.format === 'delete') {
      if (!exists || entry.before === undefined) {
        results.push({ index: e.index, path: rel, ok: false, message: `Edit ${e.index}: cannot delete ${rel}: it does not exist.` });
        continue;
      }
      if (entry.touched.length) {
        results.push({ index: e.index, path: rel, ok: false, message: `Edit ${e.index}: ${rel} is both edited (edit ${entry.touched[0].edit}) and deleted; send one or the other.` });
        continue;
      }
      entry.deleted = e.index;
      entry.present = false;
      results.push({ index: e.index, path: rel, ok: true, strategy: 'delete', message: `Edit ${e.index}: deletes ${rel}.` });
      continue;
    }
    const { search, replace } = stripLineNumbers(trimBlankEdges(editLines(e.search), editLines(e.replace)));
    const key = search.map((l) => l.trim()).filter(Boolean).join('\n');
    const twin = key ? entry.searches.get(key) : undefined;
    if (twin !== undefined) {
      results.push({ index: e.index, path: rel, ok: false, message: `Edit ${e.index} (${rel}): its SEARCH text is the same as edit ${twin}'s. Two edits of the same lines are refused: merge them into one edit.` });
      continue;
    }

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
    const clash = entry.touched.find((t) => m.start < t.end && t.start < m.end);
    if (clash) {
      results.push({
        index: e.index,
        path: rel,
        ok: false,
        message: `Edit ${e.index} (${rel}): its SEARCH text matches lines ${m.start + 1}-${m.end}, which edit ${clash.edit} already rewrote. Overlapping edits are refused: put all changes to those lines in one edit.`,
      });
      continue;
    }
    if (key) entry.searches.set(key, e.index);
    const delta = m.replacement.length - (m.end - m.start);
    for (const t of entry.touched) {
      if (t.start >= m.end) {
        t.start += delta;
        t.end += delta;
      }
    }
    entry.touched.push({ start: m.start, end: m.start + m.replacement.length, edit: e.index });
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
    if (entry.deleted !== undefined) {
      changes.push({ rel, before: entry.before, after: '', deleted: true });
      continue;
    }
    if (!entry.present) continue;
    const after = joinText(entry.text);
    if (entry.before === after) continue;
    // emptying a file is deleting its content: only an explicit delete may do that
    if (after.trim() === '' && (entry.before ?? '').trim() !== '') {
      errors.push(`The edits would leave ${rel} empty. Rover does not empty or delete a file silently: to delete it, write a line "${DELETE_FILE_SYNTAX.replace('path/to/file', rel)}" instead of edit blocks for it; otherwise keep its content.`);
      continue;
    }
    changes.push({ rel, before: entry.before, after });
  }
  if (opts.syntaxCheck !== false) {
    for (const c of changes) {
      if (c.deleted) continue;
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
