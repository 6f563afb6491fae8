// Text for the model: ranked hits within a token budget (~4 characters per token). The top hits
// are shown in full, the rest as signatures or one-line locations, and whatever still does not fit
// is counted and named, with the call that narrows the search. Nothing is dropped silently.
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

function outlineForm(h: SearchHit, i: number): string | undefined {
  if (!h.outline) return undefined;
  const head = `--- Result ${i + 1}: ${label(h)} [${h.kind === 'code' ? 'matching lines only' : 'signature only'}]`;
  return `${head}\n${numbered(h.outline.code, h.outline.lineNumbers, h.startLine)}\n`;
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

function fileSummary(rest: SearchHit[], maxChars: number): string {
  const counts = new Map<string, number>();
  for (const h of rest) counts.set(h.file, (counts.get(h.file) ?? 0) + Math.max(1, h.matchLines?.length ?? 1));
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
  let i = 0;
  // Full bodies while they fit; then signatures/matching lines; then one line per hit.
  for (; i < hits.length; i++) {
    const full = fullForm(hits[i], i, o.notes ?? []);
    if (out.length + full.length + TAIL_RESERVE > budget) break;
    out += full;
  }
  for (; i < hits.length; i++) {
    const short = outlineForm(hits[i], i);
    if (short === undefined || out.length + short.length + TAIL_RESERVE > budget) break;
    out += short;
  }
  if (i === 0 && hits.length > 0) {
    // Not even the best hit fits whole: show as many of its lines as the budget allows.
    const h = hits[0];
    const src = h.outline && h.code.length > h.outline.code.length ? { code: h.outline.code, nums: h.outline.lineNumbers } : { code: h.code, nums: h.lineNumbers };
    const lines = src.code.split('\n');
    const nums = src.nums ?? lines.map((_, k) => h.startLine + k);
    const room = budget - out.length - TAIL_RESERVE - 200;
    let take = 0;
    let used = 0;
    while (take < lines.length && used + lines[take].length + 8 <= room) used += lines[take++].length + 8;
    if (take > 0) {
      out += `--- Result 1: ${label(h)} [first ${take} of ${lines.length} lines]\n${numbered(lines.slice(0, take).join('\n'), nums.slice(0, take), nums[0])}\n`;
      out += `    ... ${lines.length - take} more lines (to line ${nums[nums.length - 1]}); see them with get_code_around_line("${h.file}", ${nums[take]}, 20)\n`;
      i = 1;
    }
  }
  const listed: string[] = [];
  let listedLen = 0;
  for (; i < hits.length; i++) {
    const line = `- ${label(hits[i])}${hits[i].note ? ` — ${hits[i].note}` : ''}`;
    if (out.length + listedLen + line.length + TAIL_RESERVE > budget) break;
    listed.push(line);
    listedLen += line.length + 1;
  }
  if (listed.length) out += `Also:\n${listed.join('\n')}\n`;
  if (i < hits.length) {
    const rest = hits.slice(i);
    const restMatches = rest.reduce((s, h) => s + (h.kind === 'code' || h.kind === 'call' ? Math.max(1, h.matchLines?.length ?? 1) : 1), 0);
    out += `${rest.length} more result(s)${restMatches !== rest.length ? ` (${restMatches} matches)` : ''} not shown: ${fileSummary(rest, TAIL_RESERVE - 250)}; ${narrowHint(o, rest)}.\n`;
  }
  return out.trimEnd();
}
