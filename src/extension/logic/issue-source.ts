// Where the issue text of "Fix This Issue" comes from, and what is refused before any work starts.
// A GitHub issue (its URL, owner/repo#N or #N) is fetched by the GitHub controller; any other link
// alone is answered with a request to paste the issue's text (Rover reads no other tracker).
import { looksLikeIssueRef } from '../core-bridge';

export type IssueSource = 'args' | 'file' | 'selection' | 'input';

/** `ref`: the text is a GitHub issue reference to fetch, not issue text. */
export type IssueResolution = { ok: true; text: string; source: IssueSource; origin?: string; ref?: string } | { ok: false; message: string; url?: string };

export const MAX_ISSUE_CHARS = 200_000;
const TEXT_EXTS = /\.(md|markdown|mdown|txt|text|rst|adoc|org)$/i;
const ISSUE_URL = /^\s*<?(https?:\/\/[^\s>]+\/(issues|pull)\/\d+[^\s>]*)>?\s*$/i;
const ANY_URL_ONLY = /^\s*<?(https?:\/\/\S+)>?\s*$/i;

/** True when the text is nothing but a link (to an issue or anything else). */
export function urlOnly(text: string): string | undefined {
  const m = ISSUE_URL.exec(text) ?? ANY_URL_ONLY.exec(text);
  return m ? m[1] : undefined;
}

export function urlRefusal(url: string): string {
  return (
    `Rover does not fetch issues from this link (${url}): it reads GitHub issues (https://github.com/OWNER/REPO/issues/N, ` +
    'a GitHub Enterprise issue of your origin, or #N) and no other tracker. Open the issue, copy its title and description, ' +
    'and paste that text instead.'
  );
}

export function checkIssueText(text: string, source: IssueSource, origin?: string): IssueResolution {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (!t) {
    const where = source === 'file' ? ` (${origin} is empty)` : source === 'selection' ? ' (the selection is empty)' : '';
    return { ok: false, message: `The issue text is empty${where}: describe what is wrong and what you expected.` };
  }
  if (looksLikeIssueRef(t) && !/\/pulls?\/\d+/.test(t)) return { ok: true, text: t, source, origin, ref: t };
  const url = urlOnly(t);
  if (url) return { ok: false, message: urlRefusal(url), url };
  if (t.includes('\u0000')) return { ok: false, message: `${origin ?? 'The issue text'} looks binary, not text; give a Markdown or text file.` };
  if (t.length > MAX_ISSUE_CHARS) {
    return { ok: false, message: `The issue text is ${t.length.toLocaleString('en-US')} characters; Rover takes at most ${MAX_ISSUE_CHARS.toLocaleString('en-US')}. Trim logs to the relevant part.` };
  }
  if (t.length < 12) return { ok: false, message: `"${t}" is too short to act on: describe the problem in a sentence or two.` };
  return { ok: true, text: t, source, origin };
}

export interface IssueInputs {
  issueText?: string;
  issueFile?: string;
  selection?: string;
}

export interface IssueFileReader {
  /** Throws with a useful message when the file cannot be read. */
  read(path: string): Promise<string>;
}

/** Picks the first given source: explicit text, then a file, then the editor selection. */
export async function resolveIssue(inputs: IssueInputs, reader: IssueFileReader): Promise<IssueResolution | undefined> {
  if (typeof inputs.issueText === 'string') return checkIssueText(inputs.issueText, 'args');
  if (typeof inputs.issueFile === 'string') {
    const f = inputs.issueFile;
    if (!TEXT_EXTS.test(f)) return { ok: false, message: `${f} is not a Markdown or text file (.md, .txt, .rst…); Rover reads issue text from those.` };
    let text: string;
    try {
      text = await reader.read(f);
    } catch (e) {
      return { ok: false, message: `Cannot read the issue file ${f}: ${(e as Error).message}` };
    }
    return checkIssueText(text, 'file', f);
  }
  if (typeof inputs.selection === 'string' && inputs.selection.trim()) return checkIssueText(inputs.selection, 'selection');
  return undefined;
}

/** A failing-test argument as typed by a user: trimmed; refuses shell-ish input. */
export function checkFailingTest(test: string | undefined): { ok: true; test?: string } | { ok: false; message: string } {
  if (test === undefined) return { ok: true };
  const t = test.trim();
  if (!t) return { ok: true };
  if (/[\n\r;|&`$<>]/.test(t)) return { ok: false, message: `"${t}" does not look like a test id (e.g. tests/test_x.py::test_y or test/a.test.js::name).` };
  return { ok: true, test: t };
}
