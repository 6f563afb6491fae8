// What an issue reference names: a URL (https://HOST/OWNER/REPO/issues/N), `OWNER/REPO#N` or `#N`
// (resolved against the repository's `origin`). The host decides the REST endpoint: github.com is
// https://api.github.com, any other host is GitHub Enterprise Server at https://HOST/api/v3.
// Only GitHub.com, the origin's host and hosts the user names as GitHub Enterprise are accepted:
// a token is never sent to a host the user did not choose.

export interface RepoRef {
  host: string;
  owner: string;
  repo: string;
}

export interface IssueRef extends RepoRef {
  number: number;
}

export class IssueRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssueRefError';
  }
}

export const GITHUB_COM = 'github.com';

/** The host, owner and repository of a git remote URL (https, ssh, scp-like), or undefined for a local path. */
export function parseRemoteUrl(url: string): RepoRef | undefined {
  const u = url.trim();
  // scp-like: git@github.com:owner/repo.git
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(u);
  if (scp && !/^[a-z]:$/i.test(`${scp[1]}:`)) return { host: scp[1].toLowerCase(), owner: scp[2], repo: scp[3] };
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return undefined;
  }
  if (!/^(https?|ssh|git):$/.test(parsed.protocol)) return undefined;
  const parts = parsed.pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length < 2) return undefined;
  const [owner, repo] = parts.slice(-2);
  return { host: parsed.hostname.toLowerCase(), owner, repo: repo.replace(/\.git$/, '') };
}

/** True when the text is an issue reference Rover fetches rather than issue text. */
export function looksLikeIssueRef(text: string): boolean {
  const t = text.trim();
  return /^#\d+$/.test(t) || /^[\w.-]+\/[\w.-]+#\d+$/.test(t) || /^<?https?:\/\/\S+\/(issues|pull|pulls)\/\d+\S*>?$/i.test(t);
}

export interface ResolveContext {
  /** The repository's `origin` as configured (undefined: no origin, or not a hosted one). */
  origin?: RepoRef;
  /** Hosts of GitHub Enterprise servers the user works with, beyond the origin's. */
  enterpriseHosts?: string[];
}

/**
 * The issue a reference names. Refuses, with what to give instead: a pull request's URL, a URL on a
 * host that is neither GitHub.com, the origin's host nor a named Enterprise host, `#N` without a
 * GitHub origin, and anything that is not a reference.
 */
export function parseIssueRef(input: string, ctx: ResolveContext = {}): IssueRef {
  const t = input.trim().replace(/^<(.*)>$/, '$1');
  const short = /^(?:([\w.-]+)\/([\w.-]+))?#(\d+)$/.exec(t);
  if (short) {
    const n = issueNumber(short[3], t);
    if (!ctx.origin) {
      throw new IssueRefError(
        `${t} is resolved against the repository's "origin" remote, and this repository has no origin on a GitHub host. ` +
          'Give the issue\'s URL instead (https://github.com/OWNER/REPO/issues/N).',
      );
    }
    return short[1] ? { host: ctx.origin.host, owner: short[1], repo: short[2], number: n } : { ...ctx.origin, number: n };
  }
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw new IssueRefError(`"${clip(t)}" is not a GitHub issue reference: give its URL (https://github.com/OWNER/REPO/issues/N) or #N.`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new IssueRefError(`${clip(t)} is not a web address of a GitHub issue.`);
  const host = url.hostname.toLowerCase();
  const known = new Set([GITHUB_COM, 'www.github.com', ...(ctx.origin ? [ctx.origin.host] : []), ...(ctx.enterpriseHosts ?? []).map((h) => h.toLowerCase())]);
  if (!known.has(host)) {
    const origin = ctx.origin ? `, nor the host of this repository's origin (${ctx.origin.host})` : '';
    throw new IssueRefError(
      `${clip(t)} is on ${host}, which is not GitHub.com${origin}. Rover reads issues from GitHub and GitHub Enterprise; ` +
        'for another tracker, paste the issue\'s text instead.',
    );
  }
  const parts = url.pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length >= 4 && /^pulls?$/.test(parts[2])) {
    throw new IssueRefError(`${clip(t)} is a pull request, not an issue: give the URL of the issue it should fix (…/issues/N).`);
  }
  if (parts.length < 4 || parts[2] !== 'issues' || !/^\d+$/.test(parts[3])) {
    throw new IssueRefError(`${clip(t)} is not the address of an issue: expected https://${host}/OWNER/REPO/issues/N.`);
  }
  return { host: host === 'www.github.com' ? GITHUB_COM : host, owner: parts[0], repo: parts[1], number: issueNumber(parts[3], t) };
}

function issueNumber(s: string, whole: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw new IssueRefError(`${clip(whole)}: issue numbers start at 1.`);
  return n;
}

/** The REST API's base URL for a host. */
export function apiBaseFor(host: string): string {
  return host === GITHUB_COM ? 'https://api.github.com' : `https://${host}/api/v3`;
}

export function issueUrl(r: IssueRef): string {
  return `https://${r.host}/${r.owner}/${r.repo}/issues/${r.number}`;
}

/** `owner/repo#N`, or `#N` when it is the origin's own repository. */
export function shortRef(r: IssueRef, origin?: RepoRef): string {
  const same = origin && origin.host === r.host && origin.owner.toLowerCase() === r.owner.toLowerCase() && origin.repo.toLowerCase() === r.repo.toLowerCase();
  return same ? `#${r.number}` : `${r.owner}/${r.repo}#${r.number}`;
}

/** A branch-name-safe slug of an issue title: lowercase words joined by dashes, at most `max` characters. */
export function slugOf(title: string, max = 40): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let out = '';
  for (const w of words) {
    const next = out ? `${out}-${w}` : w;
    if (next.length > max) break;
    out = next;
  }
  return out || (words[0]?.slice(0, max) ?? '');
}

export function branchNameFor(r: IssueRef, title: string): string {
  const slug = slugOf(title);
  return `rover/issue-${r.number}${slug ? `-${slug}` : ''}`;
}

function clip(s: string, n = 120): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}
