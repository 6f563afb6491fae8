// The GitHub REST client: @octokit/rest pointed at a base URL (api.github.com, an Enterprise server's
// /api/v3, or a local stand-in in tests), with a token or none (public issues need none). Its errors
// become GitHubError: a kind the callers branch on and a message that says what to do, never the token.
import { Octokit } from '@octokit/rest';

export type GitHubErrorKind = 'not-found' | 'unauthorized' | 'rate-limited' | 'forbidden' | 'network' | 'invalid' | 'server' | 'cancelled';

export class GitHubError extends Error {
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly status?: number,
    /** When a rate limit lifts (rate-limited only). */
    readonly retryAt?: Date,
  ) {
    super(message);
    this.name = 'GitHubError';
  }
}

export interface GitHubClientOptions {
  /** REST base URL, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  baseUrl: string;
  token?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface GitHubClient {
  octokit: Octokit;
  baseUrl: string;
  authenticated: boolean;
  /** Signal for one request: the caller's, plus the per-request timeout. */
  requestSignal(): AbortSignal;
  /** Removes the token from any text (errors, remote messages) before it is shown or written. */
  scrub(text: string): string;
}

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

export function createGitHubClient(o: GitHubClientOptions): GitHubClient {
  const token = o.token?.trim() || undefined;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const octokit = new Octokit({
    auth: token,
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    userAgent: 'rover-vscode',
    // Octokit's request log would print URLs and warnings to the console; Rover reports errors itself
    log: SILENT,
    request: { fetch: wholeBodyFetch },
  });
  return {
    octokit,
    baseUrl: o.baseUrl,
    authenticated: !!token,
    requestSignal: () => (o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)),
    scrub: (text) => (token ? text.split(token).join('***') : text),
  };
}

/**
 * Octokit reads a body that breaks off mid-answer as an empty string (and paginate as an empty page):
 * a cut connection would look like an issue without comments. Reading the whole body here first
 * makes it the network error it is.
 */
async function wholeBodyFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.status === 204 || res.status === 304 || !res.body) return res;
  const body = await res.arrayBuffer();
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

interface RequestErrorLike {
  name?: string;
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  cause?: unknown;
}

/**
 * `what` names the request for the message ("issue acme/shop#7"); `authHint` says how to give a token
 * where this runs (the editor signs in, the CLI reads GITHUB_TOKEN).
 */
export function toGitHubError(raw: unknown, what: string, client: Pick<GitHubClient, 'authenticated' | 'scrub' | 'baseUrl'>, authHint: string, now = new Date()): GitHubError {
  if (raw instanceof GitHubError) return raw;
  const e = (raw ?? {}) as RequestErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers ?? {};
  const apiMessage = client.scrub(String((e.response?.data as { message?: string } | undefined)?.message ?? '')).trim();
  const detail = apiMessage ? ` (GitHub: "${apiMessage}")` : '';
  const aborted = e.name === 'AbortError' || e.name === 'TimeoutError' || /aborted|timed? ?out/i.test(String((e.cause as Error | undefined)?.name ?? ''));
  if (status === undefined || (status === 500 && !e.response)) {
    if (aborted && /abort/i.test(String(e.message ?? ''))) return new GitHubError('cancelled', `Fetching ${what} was cancelled or timed out.`);
    const cause = (e.cause as Error | undefined)?.message ?? e.message ?? String(raw);
    return new GitHubError('network', `Could not reach GitHub at ${client.baseUrl} while fetching ${what}: ${client.scrub(String(cause))}. Check the network (or proxy) and try again; nothing was changed.`);
  }
  const remaining = headers['x-ratelimit-remaining'];
  const retryAfter = headers['retry-after'];
  if (status === 429 || (status === 403 && (String(remaining) === '0' || retryAfter !== undefined))) {
    let at: Date | undefined;
    if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) at = new Date(now.getTime() + Number(retryAfter) * 1000);
    else if (headers['x-ratelimit-reset'] !== undefined && Number.isFinite(Number(headers['x-ratelimit-reset']))) at = new Date(Number(headers['x-ratelimit-reset']) * 1000);
    const when = at ? `try again after ${at.toISOString().slice(11, 16)} UTC (in ${minutesUntil(at, now)})` : 'try again in a few minutes';
    const more = client.authenticated ? '' : ` Without a token GitHub allows 60 requests an hour; ${authHint} for 5,000.`;
    return new GitHubError('rate-limited', `GitHub's rate limit is spent while fetching ${what}: ${when}.${more}`, status, at);
  }
  if (status === 401) {
    return new GitHubError('unauthorized', `GitHub refused the token (401${detail}): it was revoked, expired or lacks access. ${authHint} with a valid token.`, status);
  }
  if (status === 404) {
    const why = client.authenticated
      ? 'it does not exist, or your token cannot see it (a private repository needs the "repo" scope, an organisation may require SSO authorisation)'
      : `it does not exist, or the repository is private and no token was given: ${authHint}`;
    return new GitHubError('not-found', `GitHub has no ${what}: ${why}.`, status);
  }
  if (status === 403) return new GitHubError('forbidden', `GitHub refused access to ${what} (403${detail}). ${authHint} with a token allowed to see it.`, status);
  if (status === 410) return new GitHubError('not-found', `${what} was deleted or issues are turned off for the repository (410${detail}).`, status);
  if (status === 422) return new GitHubError('invalid', `GitHub refused the request for ${what} (422${detail}).`, status);
  return new GitHubError('server', `GitHub answered ${status} for ${what}${detail}; try again later.`, status);
}

function minutesUntil(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((at.getTime() - now.getTime()) / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
