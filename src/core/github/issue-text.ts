// An issue as the text a fix session reads: title, state, labels, body, the comments (newest last;
// bots and the middle of very long threads left out, with a note of what was), and the code it links
// to. Images are named, never fetched. What the user should confirm first (closed, locked, no
// description) comes back as caveats.
import type { GitHubIssue, IssueComment } from './intake';

export interface IssueTextOptions {
  /** Characters of comments kept at most (the first comments and the newest ones). Default 24,000. */
  commentBudget?: number;
  /** Characters of one comment kept at most. Default 6,000. */
  maxCommentChars?: number;
  /** Characters of the body kept at most. Default 40,000. */
  maxBodyChars?: number;
}

export interface IssueText {
  text: string;
  /** Why the user may not want to go on (closed, locked, no description); empty when none. */
  caveats: string[];
  /** What was left out or changed on the way (bots, trimmed comments, images). */
  notes: string[];
  codeRefs: CodeRef[];
}

export interface CodeRef {
  path: string;
  ref: string;
  lines?: string;
  url: string;
}

const IMG_MD = /!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const IMG_HTML = /<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["'][^>]*>/gi;
const PERMALINK = /https?:\/\/[^\s/]+\/[\w.-]+\/[\w.-]+\/blob\/([\w.\-/]+?)\/([^\s#?)\]>"']+)(?:#L(\d+)(?:C\d+)?(?:-L(\d+)(?:C\d+)?)?)?/g;

/** Images become a named placeholder: the model cannot see them and Rover fetches nothing. */
export function nameImages(text: string): { text: string; count: number } {
  let count = 0;
  const file = (url: string) => {
    try {
      return decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
    } catch {
      return url.split('/').pop() || url;
    }
  };
  const out = text
    .replace(IMG_MD, (_m, alt: string, url: string) => {
      count++;
      return `[image${alt.trim() ? ` "${alt.trim()}"` : ''}: ${file(url)}, not shown]`;
    })
    .replace(IMG_HTML, (m, url: string) => {
      count++;
      const alt = /\balt\s*=\s*["']([^"']*)["']/i.exec(m)?.[1]?.trim();
      return `[image${alt ? ` "${alt}"` : ''}: ${file(url)}, not shown]`;
    });
  return { text: out, count };
}

export function codeRefsIn(texts: string[]): CodeRef[] {
  const seen = new Map<string, CodeRef>();
  for (const t of texts) {
    for (const m of t.matchAll(PERMALINK)) {
      const lines = m[3] ? (m[4] ? `${m[3]}-${m[4]}` : m[3]) : undefined;
      const key = `${m[2]}@${m[1]}#${lines ?? ''}`;
      if (!seen.has(key)) seen.set(key, { ref: m[1], path: decodeURIComponent(m[2]), lines, url: m[0] });
    }
  }
  return [...seen.values()];
}

function clip(text: string, max: number, what: string): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  return { text: `${text.slice(0, max)}\n[… ${what} cut: ${(text.length - max).toLocaleString('en-US')} more characters not shown]`, cut: true };
}

export function composeIssueText(issue: GitHubIssue, o: IssueTextOptions = {}): IssueText {
  const budget = o.commentBudget ?? 24_000;
  const maxComment = o.maxCommentChars ?? 6_000;
  const notes: string[] = [];
  const caveats: string[] = [];
  const r = issue.ref;
  if (issue.state === 'closed') {
    const how = issue.stateReason === 'not_planned' ? ' as not planned' : issue.stateReason === 'completed' ? ' as completed' : '';
    caveats.push(`${r.owner}/${r.repo}#${r.number} is closed${how}${issue.closedAt ? ` (${issue.closedAt.slice(0, 10)})` : ''}.`);
  }
  if (issue.locked) caveats.push(`${r.owner}/${r.repo}#${r.number} is locked${issue.lockReason ? ` (${issue.lockReason.replace(/_/g, ' ')})` : ''}: its conversation is closed to new comments.`);
  const body = issue.body.trim();
  if (!body) caveats.push(`${r.owner}/${r.repo}#${r.number} has no description${issue.comments.length ? '' : ' and no comments'}: Rover has only its title${issue.comments.length ? ' and comments' : ''} to go on.`);

  let images = 0;
  const named = (t: string) => {
    const n = nameImages(t);
    images += n.count;
    return n.text;
  };
  const lines: string[] = [`# ${issue.title.trim()}`, '', `${r.owner}/${r.repo}#${r.number} · ${issue.state}${issue.labels.length ? ` · labels: ${issue.labels.join(', ')}` : ''} · opened by @${issue.author}`, issue.url, ''];
  if (body) {
    const b = clip(named(body), o.maxBodyChars ?? 40_000, 'description');
    if (b.cut) notes.push('The description was cut to its first 40,000 characters.');
    lines.push(b.text);
  } else lines.push('(The issue has no description.)');

  const bots = issue.comments.filter((c) => c.isBot);
  const people = issue.comments.filter((c) => !c.isBot);
  const kept = keepComments(people, budget, maxComment);
  const leftOut: string[] = [];
  if (bots.length) leftOut.push(`${bots.length} comment(s) by bots (${[...new Set(bots.map((b) => b.author))].join(', ')})`);
  if (kept.dropped) leftOut.push(`${kept.dropped} comment(s) from the middle of the thread (${kept.droppedFrom?.slice(0, 10)} to ${kept.droppedTo?.slice(0, 10)}), over the ${budget.toLocaleString('en-US')}-character budget`);
  const unfetched = issue.commentCount - issue.comments.length;
  if (unfetched > 0) leftOut.push(`${unfetched} later comment(s) not fetched (the thread has ${issue.commentCount})`);
  if (kept.cut) leftOut.push(`the end of ${kept.cut} very long comment(s)`);
  if (kept.first.length || kept.last.length) {
    lines.push('', `## Comments (oldest first, newest last)`);
    const show = (c: IssueComment) => lines.push('', `### @${c.author} on ${c.createdAt.slice(0, 10)}`, named(clip(c.body.trim(), maxComment, 'comment').text));
    kept.first.forEach(show);
    if (kept.dropped) lines.push('', `[… ${kept.dropped} comment(s) left out here …]`);
    kept.last.forEach(show);
  }
  if (leftOut.length) {
    const note = `Left out: ${leftOut.join('; ')}.`;
    lines.push('', `(${note})`);
    notes.push(note);
  }
  const codeRefs = codeRefsIn([body, ...people.map((c) => c.body)]);
  if (codeRefs.length) {
    lines.push('', '## Code the issue links to');
    for (const c of codeRefs) lines.push(`- ${c.path}${c.lines ? ` lines ${c.lines}` : ''} (at ${c.ref.length === 40 ? c.ref.slice(0, 10) : c.ref})`);
  }
  if (images) notes.push(`${images} image(s) named in the text, not fetched.`);
  return { text: lines.join('\n').trim() + '\n', caveats, notes, codeRefs };
}

/** The first comments (they usually hold the analysis) and as many of the newest as fit the budget. */
function keepComments(cs: IssueComment[], budget: number, maxComment: number) {
  const size = (c: IssueComment) => Math.min(c.body.length, maxComment) + 40;
  const total = cs.reduce((n, c) => n + size(c), 0);
  if (total <= budget) return { first: cs, last: [] as IssueComment[], dropped: 0, cut: cs.filter((c) => c.body.length > maxComment).length };
  const first: IssueComment[] = [];
  let used = 0;
  for (const c of cs.slice(0, 3)) {
    if (used + size(c) > budget / 3) break;
    first.push(c);
    used += size(c);
  }
  const last: IssueComment[] = [];
  for (let i = cs.length - 1; i >= first.length; i--) {
    if (used + size(cs[i]) > budget) break;
    last.unshift(cs[i]);
    used += size(cs[i]);
  }
  const droppedList = cs.slice(first.length, cs.length - last.length);
  const kept = [...first, ...last];
  return {
    first,
    last,
    dropped: droppedList.length,
    droppedFrom: droppedList[0]?.createdAt,
    droppedTo: droppedList[droppedList.length - 1]?.createdAt,
    cut: kept.filter((c) => c.body.length > maxComment).length,
  };
}
