// Text for the model: ranked hits within a token budget (~4 characters per token). The top hits
// are shown in full; the first that does not fit is shown in part, with the exact calls that show
// what is left out; the rest as signatures (each with the call for its body) or one-line locations;
// whatever still does not fit is counted and named, with the call that narrows the search. Nothing
// is dropped silently.
import { CLASS_LIKE, type SymbolKind } from '../index/types';
import type { SearchHit, SearchOutcome } from './types';

export interface RenderOptions {
  /** Budget for the whole text, in tokens (4 characters each). Default 3,000. */
  maxTokens?: number;
}

const CHARS_PER_TOKEN = 4;
/** Room kept for the closing "N more results" lines. */
const TAIL_RESERVE = 600;

function numbered(code: string, lineNumbers: number[] | undefined, start: number, marks?: number[]): string {
  const lines = code.split('\n');
  const nums = lineNumbers ?? lines.map((_, i) => start + i);
  const width = String(nums[nums.length - 1] ?? start).length;
  const marked = new Set(marks ?? []);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (i > 0 && nums[i] > nums[i - 1] + 1) out.push(`${' '.repeat(width)} ...`);
    out.push(`${String(nums[i]).padStart(width)}${marked.has(nums[i]) ? '>' : ' '} ${lines[i]}`);
  }
  return out.join('\n');
}

function label(h: SearchHit): string {
  const span = h.startLine === h.endLine ? `${h.startLine}` : `${h.startLine}-${h.endLine}`;
  const who =
    h.kind === 'code' || h.kind === 'call'
      ? [h.className && `class ${h.className}`, h.symbol && `${h.kind === 'call' ? 'in' : 'function'} ${h.symbol}`].filter(Boolean).join(', ')
      : `${h.kind ?? 'symbol'} ${h.className && h.className !== h.symbol ? `${h.className}.` : ''}${h.symbol ?? ''}`;
  return `${h.file}:${span}${who ? `  (${who})` : ''}`;
}

function fullForm(h: SearchHit, i: number, shownNotes: readonly string[]): string {
  const head = `--- Result ${i + 1}: ${label(h)}${h.signatureOnly ? ' [signature]' : ''}`;
  const note = h.note && !shownNotes.includes(h.note) ? `\n${h.note}` : '';
  return `${head}${note}\n${numbered(h.code, h.lineNumbers, h.startLine, h.kind === 'code' || h.kind === 'call' ? h.matchLines : undefined)}\n`;
}

/** Characters a numbered line adds besides its text: number (up to 6 digits), marker, space, newline. */
const LINE_OVERHEAD = 9;
/** Room a get_code_around_line answer (one hit, so no closing lines) needs besides its lines: message and label. */
const ANSWER_OVERHEAD = 300;
/** A docstring longer than this is shown by its first lines when a body is shown in part. */
const DOC_KEEP = 3;

const isCodeHit = (h: SearchHit) => h.kind === 'code' || h.kind === 'call';
const isClassHit = (h: SearchHit) => h.kind !== undefined && CLASS_LIKE.has(h.kind as SymbolKind);
/** Hits whose `code` is their whole text, so a part of it can be shown with a way to the rest. */
const hasBody = (h: SearchHit) => !h.signatureOnly && h.kind !== 'assignment' && !h.lineNumbers;

const split = new WeakMap<SearchHit, { lines: string[]; nums: number[] }>();
function linesOf(h: SearchHit): { lines: string[]; nums: number[] } {
  let v = split.get(h);
  if (!v) {
    const lines = h.code.split('\n');
    split.set(h, (v = { lines, nums: h.lineNumbers ?? lines.map((_, k) => h.startLine + k) }));
  }
  return v;
}

/**
 * The get_code_around_line call whose answer (under the same budget) shows lines `from`.. of the
 * hit, as many as fit one answer, never past `to`; and the last line it shows.
 */
function aroundCall(h: SearchHit, from: number, to: number, budgetChars: number): { call: string; last: number } {
  const { lines } = linesOf(h);
  const cost = (l: number): number | undefined => {
    const t = lines[l - h.startLine];
    return t === undefined ? undefined : t.length + LINE_OVERHEAD;
  };
  const room = budgetChars - ANSWER_OVERHEAD;
  let used = 0;
  let hi = from - 1;
  for (;;) {
    const c = hi < to ? cost(hi + 1) : undefined;
    if (c === undefined || (used + c > room && hi >= from)) break;
    used += c;
    hi++;
  }
  let lo = from;
  if (hi < lo) hi = lo;
  if ((hi - lo) % 2 === 1) {
    // a window holds an odd number of lines: add the line before (shown already) or after if it
    // fits, else leave the last one to the next call
    const before = lo > 1 ? cost(lo - 1) : undefined;
    const after = cost(hi + 1);
    if (before !== undefined && used + before <= room) lo--;
    else if (after !== undefined && used + after <= room) hi++;
    else hi--;
  }
  const w = Math.min(500, (hi - lo) / 2);
  return { call: `get_code_around_line(${JSON.stringify(h.file)}, ${lo + w}, ${w})`, last: Math.min(to, lo + 2 * w) };
}

/** One line naming hidden lines a-b of a hit and the exact call that shows them (or their first part). */
function hiddenLine(h: SearchHit, a: number, b: number, budgetChars: number, indent: string): string {
  const { call, last } = aroundCall(h, a, b, budgetChars);
  const inDoc = h.docEnd !== undefined && a > (h.headerEnd ?? h.startLine) && b <= h.docEnd;
  const span = `${a === b ? `line ${a}` : `lines ${a}-${b}`}${inDoc ? ' (docstring)' : ''}`;
  return `${indent}... ${span} not shown; ${call} shows ${last >= b ? 'them' : `${a}-${last}, continue from ${last + 1}`}`;
}

/**
 * A hit too big for the room left, shown in part: for a definition its header (decorators and the
 * whole signature), the docstring's first lines and then the code; for a code window the lines
 * around its first match. Each run of lines left out is named with the exact get_code_around_line
 * call that shows it, so nothing of the body is out of the model's reach.
 */
function partialForm(h: SearchHit, i: number, room: number, budgetChars: number, shownNotes: readonly string[]): string | undefined {
  // the lines get what the header, the note and the lines naming the hidden runs leave; a second
  // pass corrects the estimate of the latter
  let lineRoom = room - label(h).length - (h.note?.length ?? 0) - 80 - 2 * 160;
  for (let pass = 0; pass < 3 && lineRoom > 0; pass++) {
    const text = partialText(h, i, lineRoom, budgetChars, shownNotes);
    if (text === undefined || text.length <= room) return text;
    lineRoom -= text.length - room;
  }
  return undefined;
}

function partialText(h: SearchHit, i: number, room: number, budgetChars: number, shownNotes: readonly string[]): string | undefined {
  const { lines, nums } = linesOf(h);
  const keep = new Set<number>();
  let used = 0;
  const take = (k: number): boolean => {
    if (k < 0 || k >= lines.length) return false;
    if (keep.has(k)) return true;
    const c = lines[k].length + LINE_OVERHEAD;
    if (used + c > room) return false;
    keep.add(k);
    used += c;
    return true;
  };
  if (isCodeHit(h)) {
    // around the first match, widening on each side until a line there does not fit
    const focus = Math.max(0, nums.indexOf(h.matchLines?.[0] ?? h.startLine));
    let down = take(focus);
    let up = down;
    for (let d = 1; down || up; d++) {
      if (down) down = take(focus + d);
      if (up) up = take(focus - d);
    }
  } else {
    const headerEnd = h.headerEnd ?? h.startLine;
    let k = 0;
    for (; k < lines.length && nums[k] <= headerEnd; k++) if (!take(k)) return undefined;
    if (h.docEnd !== undefined && h.docEnd - headerEnd > DOC_KEEP + 1) {
      for (let d = 0; d < DOC_KEEP; d++) take(k + d);
      k = nums.indexOf(h.docEnd + 1);
      if (k < 0) k = lines.length;
    }
    for (; k < lines.length; k++) if (!take(k)) break;
  }
  if (keep.size === 0 || keep.size === lines.length) return undefined;
  const width = String(nums[nums.length - 1]).length;
  const marks = new Set(isCodeHit(h) ? h.matchLines ?? [] : []);
  const out: string[] = [`--- Result ${i + 1}: ${label(h)} [${keep.size} of ${lines.length} lines]`];
  if (h.note && !shownNotes.includes(h.note)) out.push(h.note);
  let hints = 0;
  for (let k = 0; k < lines.length; ) {
    if (keep.has(k)) {
      out.push(`${String(nums[k]).padStart(width)}${marks.has(nums[k]) ? '>' : ' '} ${lines[k]}`);
      k++;
      continue;
    }
    let e = k;
    while (e + 1 < lines.length && !keep.has(e + 1)) e++;
    if (hints++ < 4) out.push(hiddenLine(h, nums[k], nums[e], budgetChars, ' '.repeat(width + 2)));
    k = e + 1;
  }
  return out.join('\n') + '\n';
}

/** The first lines of a hit's shortest form that fit `room`, and where the rest is. */
function firstLines(h: SearchHit, i: number, room: number): string | undefined {
  const src = h.outline && h.code.length > h.outline.code.length ? { code: h.outline.code, nums: h.outline.lineNumbers } : { code: h.code, nums: h.lineNumbers };
  const lines = src.code.split('\n');
  const nums = src.nums ?? lines.map((_, k) => h.startLine + k);
  let take = 0;
  let used = label(h).length + 220; // the header line and the line saying where the rest is
  while (take < lines.length && used + lines[take].length + LINE_OVERHEAD <= room) used += lines[take++].length + LINE_OVERHEAD;
  if (take === 0) return undefined;
  let text = `--- Result ${i + 1}: ${label(h)} [first ${take} of ${lines.length} lines]\n${numbered(lines.slice(0, take).join('\n'), nums.slice(0, take), nums[0])}\n`;
  if (take < lines.length) text += `    ... ${lines.length - take} more lines (to line ${nums[nums.length - 1]}); see them with get_code_around_line(${JSON.stringify(h.file)}, ${nums[take]}, 20)\n`;
  return text;
}

function outlineForm(h: SearchHit, i: number, budgetChars: number): string | undefined {
  if (!h.outline) return undefined;
  const head = `--- Result ${i + 1}: ${label(h)} [${isCodeHit(h) ? 'matching lines only' : 'signature only'}]`;
  let text = `${head}\n${numbered(h.outline.code, h.outline.lineNumbers, h.startLine)}\n`;
  if (hasBody(h) && !isCodeHit(h)) {
    // the first run of the body the signature leaves out, with the call that shows it
    const shown = new Set(h.outline.lineNumbers);
    let a = h.startLine;
    while (a <= h.endLine && shown.has(a)) a++;
    let b = a;
    while (b + 1 <= h.endLine && !shown.has(b + 1)) b++;
    if (a <= h.endLine) text += `${hiddenLine(h, a, b, budgetChars, '    ')}\n`;
  }
  return text;
}

function narrowHint(o: SearchOutcome, rest: SearchHit[]): string {
  const first = rest[0];
  const a = o.args;
  switch (o.api) {
    case 'search_method':
      return first.className
        ? `narrow with search_method_in_class("${a.method_name}", "${first.className}") or search_method_in_file("${a.method_name}", "${first.file}")`
        : `narrow with search_method_in_file("${a.method_name}", "${first.file}")`;
    case 'search_method_in_class':
    case 'search_method_in_file':
      return `narrow with search_method_in_file("${a.method_name}", "${first.file}")`;
    case 'search_class':
      return `see one with search_class_in_file("${a.class_name}", "${first.file}")`;
    case 'search_class_in_file':
      return `narrow with search_method_in_class(<method>, "${a.class_name}")`;
    case 'search_code':
      return `narrow with search_code_in_file(${JSON.stringify(a.code_str)}, "${first.file}")`;
    case 'search_code_in_file':
      return `see one with get_code_around_line("${first.file}", ${first.matchLines?.[0] ?? first.startLine}, 10)`;
    case 'find_references':
      return `see one with get_code_around_line("${first.file}", ${first.startLine}, 10)`;
    default:
      return 'use a smaller window';
  }
}

/** `file (n), file, ...` within about `maxChars`, then how many files are left unnamed. */
function fileSummary(counts: Map<string, number>, maxChars: number): string {
  const parts: string[] = [];
  let used = 0;
  let shown = 0;
  for (const [file, n] of counts) {
    const piece = `${file}${n > 1 ? ` (${n})` : ''}`;
    if (used + piece.length > maxChars && shown > 0) break;
    parts.push(piece);
    used += piece.length + 2;
    shown++;
  }
  const more = counts.size - shown;
  return parts.join(', ') + (more > 0 ? `, and ${more} more file(s)` : '');
}

export function renderOutcome(o: SearchOutcome, opts: RenderOptions = {}): string {
  const budget = Math.max(200, Math.floor((opts.maxTokens ?? 3000) * CHARS_PER_TOKEN));
  const head: string[] = [o.message];
  if (!o.ok) {
    if (o.suggestions?.length) head.push(`Did you mean: ${o.suggestions.join('; ')}?`);
    for (const n of o.notes ?? []) head.push(n);
    return head.join('\n');
  }
  for (const n of o.notes ?? []) head.push(n);
  let out = head.join('\n') + '\n';
  const hits = o.hits;
  // room kept for the lines that account for the hits after hit k (none after the last)
  const tail = (k: number) => (k < hits.length - 1 ? TAIL_RESERVE : 0);
  let i = 0;
  // Full bodies while they fit; then signatures/matching lines; then one line per hit.
  for (; i < hits.length; i++) {
    const full = fullForm(hits[i], i, o.notes ?? []);
    if (out.length + full.length + tail(i) > budget) break;
    out += full;
  }
  if (i < hits.length && (hasBody(hits[i]) || i === 0)) {
    // The next hit does not fit whole: show what fits of it, keeping a line each for the rest,
    // with the calls that show what is left out.
    const reserve = Math.min((hits.length - i - 1) * 120, budget / 4);
    const room = budget - out.length - tail(i) - reserve - 100;
    const h = hits[i];
    let part: string | undefined;
    if (room >= Math.min(1200, budget / 4) || i === 0) {
      if (hasBody(h) && !isClassHit(h)) part = partialForm(h, i, room, budget, o.notes ?? []) ?? (i === 0 ? firstLines(h, i, room) : undefined);
      else {
        // a class too big to show whole is shown by its digest: header, members' signatures, fields
        const digest = outlineForm(h, i, budget);
        part = digest && digest.length <= room ? digest : firstLines(h, i, room);
      }
    }
    if (part) {
      out += part;
      i++;
    }
  }
  for (; i < hits.length; i++) {
    const short = outlineForm(hits[i], i, budget);
    if (short === undefined || out.length + short.length + tail(i) > budget) break;
    out += short;
  }
  const listed: string[] = [];
  let listedLen = 0;
  for (; i < hits.length; i++) {
    const line = `- ${label(hits[i])}${hits[i].note ? ` — ${hits[i].note}` : ''}`;
    if (out.length + listedLen + line.length + tail(i) > budget) break;
    listed.push(line);
    listedLen += line.length + 1;
  }
  if (listed.length) out += `Also:\n${listed.join('\n')}\n`;
  const matchesOf = (h: SearchHit) => (isCodeHit(h) ? Math.max(1, h.matchLines?.length ?? 1) : 1);
  // search_code stops collecting at its cap and counts the rest, by file
  const others = o.otherFiles ?? [];
  const uncollected = others.reduce((s, f) => s + f.matches, 0);
  if (i < hits.length || uncollected > 0) {
    const rest = hits.slice(i);
    const restMatches = rest.reduce((s, h) => s + matchesOf(h), 0);
    const counts = new Map<string, number>();
    for (const h of rest) counts.set(h.file, (counts.get(h.file) ?? 0) + matchesOf(h));
    for (const f of others) counts.set(f.file, (counts.get(f.file) ?? 0) + f.matches);
    const what = [rest.length > 0 && `${rest.length} more result(s)${restMatches !== rest.length ? ` (${restMatches} matches)` : ''} not shown`, uncollected > 0 && `${uncollected} more matches not collected`]
      .filter(Boolean)
      .join(' and ');
    out += `${what}: ${fileSummary(counts, TAIL_RESERVE - 250)}; ${narrowHint(o, rest.length ? rest : hits)}.\n`;
  }
  return out.trimEnd();
}
