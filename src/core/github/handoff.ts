// The hand-off of an accepted fix: a branch `rover/issue-N-<slug>` from the current HEAD, one commit of
// exactly the accepted changes, a push (simple-git) and a draft pull request. Each step that fails
// says what exists by then and how to finish by hand; nothing before it is undone that the user
// would lose (a refused push keeps the commit on its local branch).
import { GitPluginError, simpleGit } from 'simple-git';
import { gitEnv } from '../proc/git';
import { git } from '../proc/git';
import { toGitHubError, type GitHubClient } from './client';
import { checkRepoState, commitOnNewBranch, freeBranchName, HandOffError } from './local-commit';
import { commitMessage, prBody, prTitle, type FixFacts, type IssueFacts } from './pr-body';
import { branchNameFor, parseRemoteUrl, type RepoRef } from './refs';

export interface HandOffOptions {
  repo: string;
  issue: IssueFacts;
  /** Unified diff against HEAD of exactly what is committed: the accepted hunks, plus the kept reproduction test. */
  diff: string;
  facts: FixFacts;
  client: GitHubClient;
  /** How to give a token where this runs, for messages ("set GITHUB_TOKEN or GH_TOKEN"). */
  authHint: string;
  /** Sent to git for an https push to the issue's host only (as an http.extraHeader in git's environment, never on a command line). */
  token?: string;
  remote?: string;
  /** Move HEAD to the new branch (the editor, whose working tree already holds the accepted hunks). */
  checkout?: boolean;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
}

export interface HandOffResult {
  branch: string;
  commit: string;
  base: string;
  checkedOut: boolean;
  pr: { number: number; url: string; draft: boolean };
  message: string;
}

export async function handOff(o: HandOffOptions): Promise<HandOffResult> {
  const remote = o.remote ?? 'origin';
  const step = (m: string) => o.onStep?.(m);
  const state = await checkRepoState(o.repo, remote);
  const originUrl = (await git(o.repo, ['config', '--get', `remote.${remote}.url`])).stdout.trim();
  const origin = parseRemoteUrl(originUrl);
  const branch = await freeBranchName(o.repo, branchNameFor(o.issue.ref, o.issue.title), remote, o.signal);
  step(`committing the accepted changes on ${branch}`);
  const commit = await commitOnNewBranch({ repo: o.repo, state, branch, diff: o.diff, message: commitMessage(o.issue, origin, o.facts), checkout: !!o.checkout });
  const short = commit.slice(0, 10);
  if (o.signal?.aborted) throw new HandOffError('cancelled', `Cancelled before the push: the commit ${short} is on your local branch ${branch}.`, branch, commit);

  step(`pushing ${branch} to ${remote}`);
  await push(o, remote, branch, commit);

  const base = state.upstream ?? (await defaultBranch(o));
  step(`opening a draft pull request of ${branch} into ${base}`);
  const { octokit } = o.client;
  try {
    const { data } = await octokit.rest.pulls.create({
      owner: o.issue.ref.owner,
      repo: o.issue.ref.repo,
      title: prTitle(o.issue, origin),
      head: branch,
      base,
      body: prBody(o.issue, origin, o.facts, o.diff),
      draft: true,
      request: { signal: o.client.requestSignal() },
    });
    return {
      branch,
      commit,
      base,
      checkedOut: !!o.checkout,
      pr: { number: data.number, url: data.html_url, draft: data.draft ?? true },
      message: `Opened draft pull request #${data.number} (${branch} into ${base}): ${data.html_url}`,
    };
  } catch (e) {
    const err = toGitHubError(e, `a pull request of ${branch} into ${base}`, o.client, o.authHint);
    const compare = `https://${o.issue.ref.host}/${o.issue.ref.owner}/${o.issue.ref.repo}/compare/${encodeURIComponent(base)}...${encodeURIComponent(branch)}?expand=1`;
    throw new HandOffError('pr-failed', `${branch} is pushed (commit ${short}), but the pull request could not be opened: ${err.message} Open it on GitHub: ${compare}`, branch, commit);
  }
}

async function defaultBranch(o: HandOffOptions): Promise<string> {
  try {
    const { data } = await o.client.octokit.rest.repos.get({ owner: o.issue.ref.owner, repo: o.issue.ref.repo, request: { signal: o.client.requestSignal() } });
    return data.default_branch;
  } catch (e) {
    const err = toGitHubError(e, `the repository ${o.issue.ref.owner}/${o.issue.ref.repo}`, o.client, o.authHint);
    throw new HandOffError('pr-failed', `The branch is pushed, but its pull request's base branch is unknown: ${err.message}`);
  }
}

const PUSH_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy', 'SSL_CERT_FILE', 'GIT_SSL_CAINFO'];

/** Git's environment for the push: no prompt, and the token only for https on the issue's host. */
function pushEnv(o: HandOffOptions, pushUrl: string): Record<string, string> {
  // what git needs to reach the remote (ssh agent, proxies, the user's git config); simple-git refuses
  // variables that would run programs (EDITOR, GIT_ASKPASS, …), and a push needs none of them
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  const base = gitEnv();
  for (const k of PUSH_ENV) if (base[k] !== undefined) env[k] = base[k]!;
  let u: URL | undefined;
  try {
    u = new URL(pushUrl);
  } catch {
    u = undefined;
  }
  if (o.token && u?.protocol === 'https:' && u.hostname.toLowerCase() === o.issue.ref.host) {
    // the way actions/checkout hands git a token: a header scoped to the host, here through git's
    // GIT_CONFIG_* variables so it is on no command line and in no config file
    const basic = Buffer.from(`x-access-token:${o.token}`).toString('base64');
    const n = Number(env.GIT_CONFIG_COUNT ?? 0);
    env.GIT_CONFIG_COUNT = String(n + 1);
    env[`GIT_CONFIG_KEY_${n}`] = `http.https://${u.host}/.extraheader`;
    env[`GIT_CONFIG_VALUE_${n}`] = `AUTHORIZATION: basic ${basic}`;
  }
  return env;
}

async function push(o: HandOffOptions, remote: string, branch: string, commit: string): Promise<void> {
  const pushUrl = (await git(o.repo, ['remote', 'get-url', '--push', remote], { allowFail: true })).stdout.trim();
  // hooks off as on every Rover git call; simple-git asks that this be said out loud
  const sg = simpleGit({ baseDir: o.repo, config: ['core.hooksPath=/dev/null'], unsafe: { allowUnsafeHooksPath: true }, timeout: { block: 180_000 }, abort: o.signal }).env(pushEnv(o, pushUrl));
  try {
    await sg.push(remote, `refs/heads/${branch}:refs/heads/${branch}`, ['--set-upstream', '--porcelain']);
  } catch (e) {
    const raw = o.client.scrub((e as Error).message ?? String(e));
    if (e instanceof GitPluginError && !o.signal?.aborted) {
      throw new HandOffError('push-rejected', `The push of ${branch} could not start (${raw}). The commit ${commit.slice(0, 10)} is on your local branch ${branch}; push it with: git push -u ${remote} ${branch}`, branch, commit);
    }
    const why = pushRefusal(raw);
    throw new HandOffError(
      o.signal?.aborted ? 'cancelled' : 'push-rejected',
      `${remote} refused the push of ${branch}${why ? `: ${why}` : ''}. The commit ${commit.slice(0, 10)} is on your local branch ${branch}; ` +
        `once you may push there (or to a fork), run: git push -u ${remote} ${branch}, then open the pull request on GitHub.`,
      branch,
      commit,
    );
  }
  // simple-git's --set-upstream writes branch.<name>.remote/merge; nothing else in the user's config changes
}

/** The remote's reason, from git's output: "remote:" lines and the "[remote rejected] (…)" reason. */
export function pushRefusal(output: string): string {
  const reasons: string[] = [];
  for (const line of output.split('\n')) {
    const remote = /^remote:\s*(.*\S)/.exec(line.trim())?.[1];
    if (remote && !/^(error:\s*)?$/.test(remote)) reasons.push(remote.replace(/^error:\s*/i, ''));
    const rejected = /\[(?:remote )?rejected\][^(]*\(([^)]+)\)/.exec(line)?.[1];
    if (rejected) reasons.push(rejected);
    const fatal = /^fatal:\s*(.*)/.exec(line.trim())?.[1];
    if (fatal) reasons.push(fatal);
  }
  return [...new Set(reasons)].slice(0, 4).join('; ') || output.trim().split('\n').slice(-2).join(' ').slice(0, 300);
}

export { HandOffError };
export type { RepoRef };
