// GitHub issue in, pull request out, in the editor. Intake: Fix This Issue hands a GitHub reference
// (URL, owner/repo#N, #N of the origin) here; the token comes from VS Code's GitHub authentication
// provider, silently when the user is signed in, and the sign-in is asked for only when the issue
// cannot be read without it (or a pull request is opened). "Rover: Open Pull Request" hands the
// accepted hunks over: branch, commit, push, draft pull request (src/core/github). The token goes to
// GitHub's API and git's push environment only: never to the log, a trajectory, the model or a test.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { failed, succeeded, type CommandFailure, type CommandResult } from './logic/command-result';
import type { SharedState } from './logic/shared-state';
import type { ReviewController } from './review-controller';
import type { RoverLog } from './rover-log';
import type { WorkspaceAccess } from './workspace-access';

export interface TakenIssue {
  text: string;
  issue: core.IssueFacts;
}

export interface OpenPullRequestArgs {
  /** Ask to sign in when no GitHub session exists (default: only when run from the palette). */
  signIn?: boolean;
}

type PullRequestData = { branch: string; commit: string; base: string; number: number; url: string; draft: boolean };

const SIGN_IN_HINT = 'sign in to GitHub in VS Code (Accounts menu, or run the command from the palette to be asked)';

export class GitHubController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];
  private busy = false;
  private lastPullRequest?: PullRequestData;
  private injected?: { accessToken: string; account: string };

  constructor(
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly review: ReviewController,
    private readonly state: SharedState,
  ) {
    this.disposables = [
      vscode.commands.registerCommand('rover.openPullRequest', (a?: OpenPullRequestArgs) => this.openPullRequest(a ?? {}, a === undefined)),
      // the end-to-end suite's way in: VS Code lets an extension read another provider's session only
      // after a consent dialog, which a suite in the extension host cannot click. Memory only, never stored.
      vscode.commands.registerCommand('rover._useGitHubSession', (a?: { accessToken?: string; account?: string }) => {
        this.injected = a?.accessToken ? { accessToken: a.accessToken, account: a.account ?? 'injected' } : undefined;
        return succeeded({ injected: !!this.injected });
      }),
      review.onDidSettle((s) => this.offerPullRequest(s.runId, s.accepted())),
    ];
  }

  snapshot() {
    const gi = this.state.get('githubIssue');
    return { issue: gi && { runId: gi.runId, ...gi.issue }, lastPullRequest: this.lastPullRequest, session: this.injected ? `injected (${this.injected.account})` : undefined };
  }

  private providerId(host: string): string {
    return host === 'github.com' ? 'github' : 'github-enterprise';
  }

  private apiUrl(): string | undefined {
    return vscode.workspace.getConfiguration('rover').get<string>('github.apiUrl')?.trim() || undefined;
  }

  /** The session's token: silently when signed in; `ask` shows VS Code's sign-in. undefined: none (or declined). */
  private async token(host: string, ask: boolean): Promise<string | undefined> {
    if (this.injected) return this.injected.accessToken;
    const id = this.providerId(host);
    try {
      const s = ask ? await vscode.authentication.getSession(id, ['repo'], { createIfNone: true }) : await vscode.authentication.getSession(id, ['repo'], { silent: true });
      return s?.accessToken;
    } catch (e) {
      this.log.warn(`GitHub sign-in (${id}) did not give a session: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** The issue's text for a fix run, or why not (shown to the user when interactive). */
  async takeIssue(root: string, reference: string, interactive: boolean, anyState = false): Promise<TakenIssue | CommandFailure> {
    const refuse = (reason: 'bad-input' | 'error' | 'dismissed', message: string) => {
      this.log.warn(message);
      if (interactive) void vscode.window.showWarningMessage(`Rover: ${message}`);
      return failed(reason, message);
    };
    let host: string;
    try {
      host = (await core.resolveIssueRef(root, reference)).ref.host;
    } catch (e) {
      if (e instanceof core.IssueRefError) return refuse('bad-input', e.message);
      throw e;
    }
    let token = await this.token(host, false);
    const take = (t?: string) => core.takeIssue({ repo: root, reference, token: t, apiUrl: this.apiUrl(), authHint: SIGN_IN_HINT });
    let intake: core.IssueIntake;
    try {
      try {
        intake = await take(token);
      } catch (e) {
        // asked only when needed: the issue could not be read without a token
        if (!(core.needsToken(e) && !token && interactive)) throw e;
        token = await this.token(host, true);
        if (!token) return refuse('dismissed', `${(e as Error).message} (no GitHub session: the sign-in was declined)`);
        intake = await take(token);
      }
    } catch (e) {
      if (e instanceof core.IssueRefError) return refuse('bad-input', e.message);
      if (e instanceof core.GitHubError) return refuse(e.kind === 'not-found' || e.kind === 'unauthorized' ? 'bad-input' : 'error', e.message);
      throw e;
    }
    const { issue, text } = intake;
    const label = `${issue.ref.owner}/${issue.ref.repo}#${issue.ref.number}`;
    this.log.info(`GitHub issue ${label} "${issue.title}": ${issue.state}, ${issue.comments.length} comment(s) read${text.notes.length ? `; ${text.notes.join(' ')}` : ''}`);
    if (text.caveats.length && !anyState) {
      const message = text.caveats.join(' ');
      if (!interactive) return failed('bad-input', `${message} Pass anyState: true to fix it anyway.`);
      const pick = await vscode.window.showWarningMessage(`Rover: ${message}`, { modal: true }, 'Fix Anyway');
      if (pick !== 'Fix Anyway') return failed('dismissed', message);
    }
    return { text: text.text, issue: { ref: issue.ref, title: issue.title, url: issue.url } };
  }

  private offerPullRequest(runId: string, accepted: number): void {
    const gi = this.state.get('githubIssue');
    if (!gi || gi.runId !== runId || accepted === 0) return;
    const label = core.shortRef(gi.issue.ref);
    void vscode.window.showInformationMessage(`Rover: ${accepted} hunk(s) accepted. Open a draft pull request that fixes ${label}?`, 'Open Pull Request').then((p) => {
      if (p) void vscode.commands.executeCommand('rover.openPullRequest');
    });
  }

  private async openPullRequest(a: OpenPullRequestArgs, interactive: boolean): Promise<CommandResult<PullRequestData>> {
    const root = this.workspace.trustedFolder();
    if (typeof root !== 'string') return root;
    const refuse = (reason: 'bad-input' | 'busy' | 'error' | 'dismissed', message: string) => {
      this.log.warn(message);
      void (reason === 'error' ? vscode.window.showErrorMessage(`Rover: ${message}`) : vscode.window.showWarningMessage(`Rover: ${message}`));
      return failed(reason, message);
    };
    if (this.busy) return refuse('busy', 'A pull request is already being opened.');
    const gi = this.state.get('githubIssue');
    if (!gi || gi.root !== root) return refuse('bad-input', 'Open Pull Request hands over a fix of a GitHub issue: run "Rover: Fix This Issue" with the issue\'s URL or #N, and accept its changes first.');
    const session = this.review.lastSession();
    if (!session || session.runId !== gi.runId) return refuse('bad-input', `The review of the fix of ${core.shortRef(gi.issue.ref)} is no longer open: run Fix This Issue again.`);
    if (!session.isSettled()) return refuse('bad-input', `${session.remaining()} hunk(s) are still undecided: accept or reject each one first (the pull request holds exactly the accepted ones).`);
    if (session.accepted() === 0) return refuse('bad-input', 'No hunk was accepted: there is nothing to hand over.');
    const token = await this.token(gi.issue.ref.host, a.signIn ?? interactive);
    if (!token) return refuse('bad-input', `Opening a pull request needs GitHub access: ${SIGN_IN_HINT}.`);
    const diff = session.acceptedDiff();
    // the reproduction test is in the pull request only if its hunk was accepted
    const repro = gi.facts.reproductionTest && diff.includes(`+++ b/${gi.facts.reproductionTest}`) ? gi.facts.reproductionTest : undefined;
    this.busy = true;
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Rover' }, (progress) =>
        core.handOff({
          repo: root,
          issue: gi.issue,
          diff,
          facts: { ...gi.facts, reproductionTest: repro, hunks: { accepted: session.accepted(), proposed: session.proposed() } },
          client: core.githubClient(gi.issue.ref, { token, apiUrl: this.apiUrl() }),
          authHint: SIGN_IN_HINT,
          token,
          checkout: true,
          onStep: (m) => {
            progress.report({ message: m });
            this.log.info(`pull request: ${m}`);
          },
        }),
      );
      this.lastPullRequest = { branch: r.branch, commit: r.commit, base: r.base, number: r.pr.number, url: r.pr.url, draft: r.pr.draft };
      this.log.info(r.message);
      void vscode.window.showInformationMessage(`Rover: ${r.message}. You are now on ${r.branch}.`, 'Open on GitHub').then((p) => {
        if (p) void vscode.env.openExternal(vscode.Uri.parse(r.pr.url));
      });
      return succeeded(this.lastPullRequest);
    } catch (e) {
      if (e instanceof core.HandOffError) {
        const before = e.kind === 'detached' || e.kind === 'dirty-index' || e.kind === 'no-remote' || e.kind === 'does-not-apply' || e.kind === 'no-identity';
        const r = refuse(before ? 'bad-input' : 'error', e.message);
        return { ...r, ...(e.branch ? { branch: e.branch, commit: e.commit } : {}) };
      }
      return refuse('error', `The hand-off failed: ${(e as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
