// Fetching one issue (with its comments) over the REST API. Pull requests are refused: the issues
// endpoint answers for them too, with a `pull_request` field.
import { GitHubError, toGitHubError, type GitHubClient } from './client';
import { IssueRefError, issueUrl, type IssueRef } from './refs';

export interface IssueComment {
  author: string;
  isBot: boolean;
  createdAt: string;
  body: string;
}

export interface GitHubIssue {
  ref: IssueRef;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** completed / not_planned / reopened, when GitHub says. */
  stateReason?: string;
  closedAt?: string;
  locked: boolean;
  lockReason?: string;
  labels: string[];
  author: string;
  comments: IssueComment[];
  /** How many comments the issue has (more than `comments` when a very long thread was not fetched whole). */
  commentCount: number;
}

/** Pages of 100 comments fetched at most; a longer thread is cut (and the issue text says so). */
export const MAX_COMMENT_PAGES = 5;

function cutOff(client: GitHubClient, what: string): GitHubError {
  return new GitHubError('network', `The connection to GitHub at ${client.baseUrl} broke off while fetching ${what} (an incomplete answer). Check the network and try again; nothing was changed.`);
}

export async function fetchIssue(client: GitHubClient, ref: IssueRef, authHint: string): Promise<GitHubIssue> {
  const what = `issue ${ref.owner}/${ref.repo}#${ref.number}`;
  const { octokit } = client;
  let data;
  try {
    ({ data } = await octokit.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, request: { signal: client.requestSignal() } }));
  } catch (e) {
    throw toGitHubError(e, what, client, authHint);
  }
  // Octokit reads a body cut off mid-answer as an empty string rather than failing: check the shape
  if (typeof data !== 'object' || data === null || typeof data.title !== 'string') throw cutOff(client, what);
  if (data.pull_request) {
    throw new IssueRefError(`${ref.owner}/${ref.repo}#${ref.number} is a pull request, not an issue: give the issue it should fix.`);
  }
  const comments: IssueComment[] = [];
  if (data.comments > 0) {
    try {
      let page = 0;
      for await (const res of octokit.paginate.iterator(octokit.rest.issues.listComments, {
        owner: ref.owner,
        repo: ref.repo,
        issue_number: ref.number,
        per_page: 100,
        request: { signal: client.requestSignal() },
      })) {
        if (!Array.isArray(res.data)) throw cutOff(client, `the comments of ${what}`);
        for (const c of res.data) {
          const login = c.user?.login ?? 'ghost';
          comments.push({ author: login, isBot: c.user?.type === 'Bot' || /\[bot\]$/.test(login), createdAt: c.created_at, body: c.body ?? '' });
        }
        if (++page >= MAX_COMMENT_PAGES) break;
      }
    } catch (e) {
      throw toGitHubError(e, `the comments of ${what}`, client, authHint);
    }
  }
  return {
    ref,
    url: data.html_url || issueUrl(ref),
    title: data.title,
    body: data.body ?? '',
    state: data.state === 'closed' ? 'closed' : 'open',
    stateReason: data.state_reason ?? undefined,
    closedAt: data.closed_at ?? undefined,
    locked: !!data.locked,
    lockReason: data.active_lock_reason ?? undefined,
    labels: data.labels.map((l) => (typeof l === 'string' ? l : l.name ?? '')).filter(Boolean),
    author: data.user?.login ?? 'ghost',
    comments: comments.sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    commentCount: Math.max(data.comments, comments.length),
  };
}
