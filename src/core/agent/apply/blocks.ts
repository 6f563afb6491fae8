// Reading edits out of model text. Two formats: SEARCH/REPLACE blocks (Rover's own prompt asks for
// these) and AutoCodeRover's <file>/<original>/<patched> modifications (so ACR's published raw
// outputs can be replayed). Models decorate their output (fences, bold paths, "File:" prefixes);
// those are tolerated, while a block with a missing marker is reported, never guessed at.

export interface EditBlock {
  /** The path as the model wrote it (cleaned of markdown), not yet resolved against the repo. */
  path: string;
  search: string;
  replace: string;
  /** 'delete': the model asked for the file to be removed (`DELETE FILE: path`); search/replace are empty. */
  format: 'search-replace' | 'acr' | 'delete';
  /** 1-based index of the block in the model text, for messages. */
  index: number;
}

export interface ParsedEdits {
  edits: EditBlock[];
  /** Problems that make a block unusable (missing marker, no path): shown to the model. */
  errors: string[];
}

/** The only way a reply deletes a file; an edit that merely empties one is refused. */
export const DELETE_FILE_SYNTAX = 'DELETE FILE: path/to/file';
const DELETE_RE = /^\s*(?:[-*]\s+)?(?:\*\*)?DELETE FILE:?(?:\*\*)?\s+`?([^\s`]+)`?\s*$/;
/** Replies longer than this are not parsed (the model layer already cuts replies at 512 KiB). */
export const MAX_EDIT_TEXT = 2 * 1024 * 1024;

const SEARCH_RE = /^\s*<{5,9}\s*SEARCH\s*$/;
const DIVIDER_RE = /^\s*={5,9}\s*$/;
const REPLACE_RE = /^\s*>{5,9}\s*REPLACE\s*$/;
const FENCE_RE = /^\s*(```|~~~)/;

export function parseEdits(text: string): ParsedEdits {
  if (text.length > MAX_EDIT_TEXT) {
    return { edits: [], errors: [`The reply is ${Math.round(text.length / 1024)} KiB long, over the ${MAX_EDIT_TEXT / 1024} KiB Rover reads edits from. Send only the edit blocks, each quoting just the lines that change.`] };
  }
  const normalized = text.replace(/\r\n/g, '\n');
  const sr = parseSearchReplace(normalized);
  const acr = parseAcr(normalized);
  const edits = [...sr.edits, ...acr.edits].map((e, k) => ({ ...e, index: k + 1 }));
  return { edits, errors: [...sr.errors, ...acr.errors] };
}

/** Strips markdown decoration from a line that names a file; undefined when it does not look like a path. */
export function cleanPathLine(line: string): string | undefined {
  let s = line.trim();
  s = s.replace(/^```+\s*[\w+-]*\s*/, '').trim(); // ```python path/to/file.py
  s = s.replace(/^#+\s*/, '').replace(/^[-*]\s+/, '');
  s = s.replace(/^(?:\*\*|__)?(?:file(?:name)?|path)\s*:\s*/i, '');
  s = s.replace(/^[*_`'"]+|[*_`'":]+$/g, '').trim();
  s = s.replace(/^(?:\*\*|__)?(?:file(?:name)?|path)\s*:\s*/i, '').replace(/^[*_`'"]+|[*_`'"]+$/g, '');
  if (!s || /\s/.test(s)) return undefined;
  if (!/[./\\]/.test(s)) return undefined;
  if (/^[<>=]{3,}/.test(s)) return undefined;
  return s;
}

function parseSearchReplace(text: string): ParsedEdits {
  const lines = text.split('\n');
  const edits: EditBlock[] = [];
  const errors: string[] = [];
  let lastPath: string | undefined;
  let blockNo = 0;
  let i = 0;
  while (i < lines.length) {
    if (!SEARCH_RE.test(lines[i])) {
      const del = DELETE_RE.exec(lines[i]);
      if (del) edits.push({ path: del[1], search: '', replace: '', format: 'delete', index: i });
      if (DIVIDER_RE.test(lines[i]) || REPLACE_RE.test(lines[i])) {
        // A divider or REPLACE marker with no SEARCH before it: most likely a forgotten SEARCH line.
        if (REPLACE_RE.test(lines[i])) errors.push(`A ">>>>>>> REPLACE" marker at output line ${i + 1} has no "<<<<<<< SEARCH" before it.`);
      }
      i++;
      continue;
    }
    blockNo++;
    const start = i;
    const path = pathBefore(lines, start) ?? lastPath;
    let div = -1;
    let end = -1;
    for (let j = start + 1; j < lines.length; j++) {
      if (SEARCH_RE.test(lines[j])) break;
      if (div < 0 && DIVIDER_RE.test(lines[j])) div = j;
      else if (div >= 0 && REPLACE_RE.test(lines[j])) {
        end = j;
        break;
      }
    }
    if (div < 0) {
      errors.push(`Edit block ${blockNo} (output line ${start + 1}) has no "=======" divider after "<<<<<<< SEARCH".`);
      i = start + 1;
      continue;
    }
    if (end < 0) {
      errors.push(`Edit block ${blockNo} (output line ${start + 1}) has no ">>>>>>> REPLACE" line after its "=======" divider.`);
      i = div + 1;
      continue;
    }
    if (!path) {
      errors.push(`Edit block ${blockNo} (output line ${start + 1}) has no file path: put the path on the line just before "<<<<<<< SEARCH".`);
    } else {
      lastPath = path;
      edits.push({
        path,
        search: lines.slice(start + 1, div).join('\n'),
        replace: lines.slice(div + 1, end).join('\n'),
        format: 'search-replace',
        index: start,
      });
    }
    i = end + 1;
  }
  return { edits, errors };
}

function pathBefore(lines: string[], at: number): string | undefined {
  // The nearest non-blank line above the block; if it is an opening fence, the fence may name the
  // path itself or the path is the line above it.
  for (let k = at - 1, seen = 0; k >= 0 && seen < 3; k--) {
    const l = lines[k].trim();
    if (!l) continue;
    seen++;
    if (FENCE_RE.test(l)) {
      const inFence = cleanPathLine(l);
      if (inFence && !/^```+\s*[\w+-]*$/.test(l)) return inFence;
      continue;
    }
    if (REPLACE_RE.test(l)) return undefined; // previous block ends right here: reuse its path
    return cleanPathLine(l);
  }
  return undefined;
}

/**
 * ACR's `<file>path</file> <original>…</original> <patched>…</patched>` modifications. Scanned with
 * indexOf, not a lazy regex: text with thousands of unclosed tags would make the regex quadratic.
 */
function parseAcr(text: string): ParsedEdits {
  const edits: EditBlock[] = [];
  const errors: string[] = [];
  let n = 0;
  let at = text.indexOf('<file>');
  while (at >= 0) {
    const close = text.indexOf('</file>', at + 6);
    if (close < 0) break;
    // opening tags with no closing one of their own: the path belongs to the last one before </file>
    at = text.lastIndexOf('<file>', close);
    const next = text.indexOf('<file>', close + 7);
    n++;
    const rawPath = text.slice(at + 6, close).trim();
    const path = cleanPathLine(rawPath) ?? rawPath;
    const body = text.slice(close + 7, next < 0 ? text.length : next);
    const orig = tagged(body, 'original');
    const patched = tagged(body, 'patched');
    if (orig === undefined || patched === undefined) {
      errors.push(`Modification ${n} for ${path} lacks ${orig === undefined ? '<original>...</original>' : '<patched>...</patched>'}.`);
    } else edits.push({ path, search: acrBody(orig), replace: acrBody(patched), format: 'acr', index: at });
    at = next;
  }
  return { edits, errors };
}

function tagged(body: string, tag: string): string | undefined {
  const a = body.indexOf(`<${tag}>`);
  if (a < 0) return undefined;
  const b = body.indexOf(`</${tag}>`, a + tag.length + 2);
  return b < 0 ? undefined : body.slice(a + tag.length + 2, b);
}

/** The text inside <original>/<patched>: one leading and one trailing newline belong to the tags; a fence around it is decoration. */
function acrBody(s: string): string {
  let t = s.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
  const fenced = /^\s*```[\w+-]*\n([\s\S]*?)\n\s*```\s*$/.exec(t);
  if (fenced) t = fenced[1];
  return t;
}
