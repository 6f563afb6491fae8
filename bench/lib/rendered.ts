// Reading the text a model gets from the search API back into facts the benchmark checks: which
// lines of which file each result block shows, and which calls the text tells the model to make.
// It parses what renderOutcome printed, not the hits, so the benchmark judges what the model reads.
import { SEARCH_API_NAMES } from '../../src/core/search/specs';

export interface ShownBlock {
  file: string;
  /** The span the block's header claims (the symbol's or window's lines). */
  start: number;
  end: number;
  /** The label in parentheses, e.g. `method Cart.total`. */
  label: string;
  /** The form in brackets, e.g. `signature only`. */
  form: string;
  /** File lines printed in the block. */
  lines: Set<number>;
}

const HEADER = /^--- Result \d+: (.+?):(\d+)(?:-(\d+))?(?: {2}\((.*?)\))?(?: \[(.*?)\])?$/;
const NUMBERED = /^ *(\d+)[> ] /;

export function shownBlocks(text: string): ShownBlock[] {
  const out: ShownBlock[] = [];
  let cur: ShownBlock | undefined;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      cur = { file: h[1], start: Number(h[2]), end: Number(h[3] ?? h[2]), label: h[4] ?? '', form: h[5] ?? '', lines: new Set() };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const n = NUMBERED.exec(line);
    if (n && !/^\d+ more result/.test(line)) cur.lines.add(Number(n[1]));
    else if (/^(Also:|\d+ more result)/.test(line)) cur = undefined;
  }
  return out;
}

export interface SuggestedCall {
  api: string;
  args: unknown[];
}

/** Every `api(arg, ...)` in the text whose arguments are all literal (JSON strings or numbers). */
export function suggestedCalls(text: string): SuggestedCall[] {
  const out: SuggestedCall[] = [];
  const seen = new Set<string>();
  const names = new RegExp(`\\b(${SEARCH_API_NAMES.join('|')})\\(`, 'g');
  for (let m = names.exec(text); m; m = names.exec(text)) {
    let i = m.index + m[0].length;
    const args: unknown[] = [];
    let ok = true;
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === ')') break;
      const str = /^"(?:[^"\\\n]|\\.)*"/.exec(text.slice(i, i + 2000));
      const num = /^-?\d+/.exec(text.slice(i, i + 20));
      if (str) {
        args.push(JSON.parse(str[0]));
        i += str[0].length;
      } else if (num) {
        args.push(Number(num[0]));
        i += num[0].length;
      } else {
        ok = false; // a placeholder such as <method>
        break;
      }
      while (text[i] === ' ') i++;
      if (text[i] === ',') i++;
      else if (text[i] !== ')') {
        ok = false;
        break;
      }
    }
    if (!ok || args.length === 0) continue;
    const key = JSON.stringify([m[1], args]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ api: m[1], args });
  }
  return out;
}
