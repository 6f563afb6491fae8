// GitHub issue in, pull request out: the core part (no vscode import). The editor and the CLI give a
// token (or none) and a base URL; everything else is here.
import { git } from '../proc/git';
import { createGitHubClient, GitHubError, type GitHubClient } from './client';
import { fetchIssue, type GitHubIssue } from './intake';
import { composeIssueText, type IssueText } from './issue-text';
import { apiBaseFor, parseIssueRef, parseRemoteUrl, type IssueRef, type RepoRef } from './refs';

export { createGitHubClient, GitHubError, toGitHubError, type GitHubClient } from './client';
export { fetchIssue, type GitHubIssue } from './intake';
export { composeIssueText, type IssueText } from './issue-text';
export { handOff, pushRefusal, type HandOffOptions, type HandOffResult } from './handoff';
export { HandOffError } from './local-commit';
export { selectHunks } from './accepted-diff';
export { fixFactsFrom, prBody, commitMessage, type FixFacts, type IssueFacts } from './pr-body';
export { apiBaseFor, branchNameFor, IssueRefError, issueUrl, looksLikeIssueRef, parseIssueRef, parseRemoteUrl, shortRef, type IssueRef, type RepoRef } from './refs';

/** The environment variables the CLI reads a token from, in order. */
export const TOKEN_VARS = ['GITHUB_TOKEN', 'GH_TOKEN'] as const;

export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const v of TOKEN_VARS) if (env[v]?.trim()) return env[v]!.trim();
  return undefined;
}

/** The origin remote as configured (insteadOf rewrites are not applied: they only say where git fetches). */
export async function readOrigin(repo: string, remote = 'origin'): Promise<RepoRef | undefined> {
  const r = await git(repo, ['config', '--get', `remote.${remote}.url`], { allowFail: true });
  return r.code === 0 ? parseRemoteUrl(r.stdout.trim()) : undefined;
}

export interface IssueIntakeOptions {
  repo: string;
  /** A URL, `owner/repo#N` or `#N`. */
  reference: string;
  token?: string;
  /** The REST base URL; default from the issue's host (api.github.com, or https://HOST/api/v3). */
  apiUrl?: string;
  enterpriseHosts?: string[];
  authHint: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface IssueIntake {
  ref: IssueRef;
  origin?: RepoRef;
  issue: GitHubIssue;
  text: IssueText;
  apiUrl: string;
}

/** The reference resolved against the origin (refusals as IssueRefError), without any request. */
export async function resolveIssueRef(repo: string, reference: string, enterpriseHosts?: string[]): Promise<{ ref: IssueRef; origin?: RepoRef }> {
  const origin = await readOrigin(repo);
  return { ref: parseIssueRef(reference, { origin, enterpriseHosts }), origin };
}

export function clientFor(ref: IssueRef, o: { token?: string; apiUrl?: string; signal?: AbortSignal; timeoutMs?: number }): GitHubClient {
  return createGitHubClient({ baseUrl: o.apiUrl || apiBaseFor(ref.host), token: o.token, signal: o.signal, timeoutMs: o.timeoutMs });
}

/** Fetches the issue and composes its text; errors are IssueRefError or GitHubError with the message to show. */
export async function takeIssue(o: IssueIntakeOptions): Promise<IssueIntake> {
  const { ref, origin } = await resolveIssueRef(o.repo, o.reference, o.enterpriseHosts);
  const client = clientFor(ref, o);
  const issue = await fetchIssue(client, ref, o.authHint);
  return { ref, origin, issue, text: composeIssueText(issue), apiUrl: client.baseUrl };
}

/** True for the errors a token could cure (the editor then asks the user to sign in, once). */
export function needsToken(e: unknown): boolean {
  return e instanceof GitHubError && (e.kind === 'not-found' || e.kind === 'unauthorized' || e.kind === 'forbidden');
}
