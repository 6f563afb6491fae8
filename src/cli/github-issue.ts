// `rover fix --issue URL|#N [--pr]`: the issue fetched from GitHub (token from GITHUB_TOKEN/GH_TOKEN,
// none needed for a public issue), and after a validated choice the hand-off: branch, commit, push,
// draft pull request. The working tree is not touched: the branch is made beside the user's.
import { CliError, EXIT } from './args';
import type { FixSessionResult } from '../core/agent/fix-session';
import {
  clientFor,
  fixFactsFrom,
  GitHubError,
  handOff,
  HandOffError,
  IssueRefError,
  resolveIssueRef,
  takeIssue,
  tokenFromEnv,
  type HandOffResult,
  type IssueIntake,
} from '../core/github';
import { checkRepoState } from '../core/github/local-commit';

export const AUTH_HINT = 'set GITHUB_TOKEN (or GH_TOKEN) to a token with access to the repository';

/** The REST base URL: ROVER_GITHUB_API_URL, GitHub Actions' GITHUB_API_URL, else from the issue's host. */
export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ROVER_GITHUB_API_URL?.trim() || env.GITHUB_API_URL?.trim() || undefined;
}

function enterpriseHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.ROVER_GITHUB_HOSTS ?? env.GH_HOST ?? '').split(',').map((h) => h.trim()).filter(Boolean);
}

/** Before any model call: what would make --pr fail at the end (no token, detached HEAD, staged changes, no origin). */
export async function checkPrPreconditions(repo: string, reference: string): Promise<void> {
  try {
    await resolveIssueRef(repo, reference, enterpriseHosts());
  } catch (e) {
    if (e instanceof IssueRefError) throw new CliError(e.message);
    throw e;
  }
  if (!tokenFromEnv()) throw new CliError(`--pr opens a pull request, which needs a token: ${AUTH_HINT}.`);
  try {
    await checkRepoState(repo, 'origin');
  } catch (e) {
    if (e instanceof HandOffError) throw new CliError(`--pr: ${e.message}`);
    throw e;
  }
}

export async function fetchIssueText(repo: string, reference: string, anyState: boolean, log: (s: string) => void, signal?: AbortSignal): Promise<IssueIntake> {
  let intake: IssueIntake;
  try {
    intake = await takeIssue({ repo, reference, token: tokenFromEnv(), apiUrl: apiUrlFromEnv(), enterpriseHosts: enterpriseHosts(), authHint: AUTH_HINT, signal });
  } catch (e) {
    if (e instanceof IssueRefError) throw new CliError(e.message, EXIT.badInput);
    if (e instanceof GitHubError) throw new CliError(e.message, e.kind === 'not-found' ? EXIT.badInput : EXIT.failed);
    throw e;
  }
  const { issue, text } = intake;
  log(`rover fix: ${issue.ref.owner}/${issue.ref.repo}#${issue.ref.number} "${issue.title}" (${issue.state}, ${issue.comments.length} comment(s) read)`);
  for (const n of text.notes) log(`  note: ${n}`);
  if (text.caveats.length) {
    if (!anyState) throw new CliError(`${text.caveats.join(' ')} Give --any-state to fix it anyway.`);
    for (const c of text.caveats) log(`  warning: ${c} (going on: --any-state)`);
  }
  return intake;
}

/** After a validated choice: the chosen patch and the kept reproduction test on a new branch, pushed, as a draft PR. */
export async function openPullRequest(repo: string, intake: IssueIntake, result: FixSessionResult, log: (s: string) => void, signal?: AbortSignal): Promise<HandOffResult> {
  if (result.status !== 'patched' || !result.diff) throw new CliError('no pull request: the session chose no patch.', EXIT.failed);
  if (!result.validated) throw new CliError("no pull request: the chosen patch was not validated by the project's tests (--pr opens one only after a validated choice; the patch is printed for you to review).", EXIT.failed);
  const token = tokenFromEnv();
  try {
    return await handOff({
      repo,
      issue: { ref: intake.ref, title: intake.issue.title, url: intake.issue.url },
      diff: result.reviewDiff ?? result.diff,
      facts: fixFactsFrom(result),
      client: clientFor(intake.ref, { token, apiUrl: apiUrlFromEnv(), signal }),
      authHint: AUTH_HINT,
      token,
      checkout: false,
      signal,
      onStep: (m) => log(`== pull request: ${m}`),
    });
  } catch (e) {
    if (e instanceof HandOffError) throw new CliError(e.message, EXIT.failed);
    throw e;
  }
}
