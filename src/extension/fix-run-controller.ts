// "Rover: Fix This Issue": asks for the issue and the oracle, runs the core's fix session with the
// editor's settings, shows it live in the run view (Cancel, Run again, open a file:line, back to the
// review), opens the chosen patch for review, and hands what the session learnt to the other features
// through the shared state (coverage, suspects, validating tests). One run at a time.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { withCancellableProgress } from './cancellation';
import { askFailingTest, askIssue, pickLastRunFailures } from './fix-prompts';
import type { GitHubController, TakenIssue } from './github-controller';
import type { ModelClients } from './keys-controller';
import { failed, isFailure, succeeded, type CommandFailure, type CommandResult } from './logic/command-result';
import { checkFailingTest } from './logic/issue-source';
import { runEndText, runResult, summarize, viewStatusOf, type RunSummary } from './logic/run-summary';
import { finishRunView, newRunView, reduceRunView, type RunViewState, type ViewMessage } from './logic/run-view-model';
import type { SharedState } from './logic/shared-state';
import { openLocation } from './open-location';
import type { ReviewController } from './review-controller';
import type { RoverLog } from './rover-log';
import { RunPanel } from './run-panel';
import type { WorkspaceAccess } from './workspace-access';

export interface FixArgs {
  issueText?: string;
  /** A GitHub issue to fetch: its URL, owner/repo#N or #N (of the origin remote). */
  issueRef?: string;
  /** Fix a GitHub issue even when it is closed, locked or has no description (else the user is asked). */
  anyState?: boolean;
  issueFile?: string;
  failingTest?: string;
  failingTests?: string[];
  candidates?: number;
  /** true: take the last test run's failures as the oracle (a prompt offers them when interactive); false: never. */
  useLastRunFailures?: boolean;
}

export class FixRunController implements vscode.Disposable {
  private readonly panel: RunPanel;
  private readonly disposables: vscode.Disposable[];
  private view?: RunViewState;
  private current?: AbortController;
  private lastRun?: RunSummary;
  /** What "Run again" and a review's "Re-run" repeat: the last run's issue and oracle, no prompts. */
  private lastArgs?: FixArgs;
  /** The GitHub issue of the last run's text, kept for "Run again" (which does not fetch it again). */
  private lastIssue?: core.IssueFacts;

  constructor(
    extensionUri: vscode.Uri,
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly models: ModelClients,
    private readonly index: { current(): Promise<core.WorkspaceIndex> | undefined },
    private readonly review: ReviewController,
    private readonly state: SharedState,
    private readonly github: Pick<GitHubController, 'takeIssue'>,
  ) {
    this.panel = new RunPanel(extensionUri, (m) => this.onViewMessage(m));
    this.disposables = [
      this.panel,
      vscode.commands.registerCommand('rover.fixIssue', (a?: FixArgs | vscode.Uri) => this.fixIssue(a)),
      vscode.commands.registerCommand('rover.showRun', () => this.showRun()),
      review.onDidRequestRerun(() => this.runAgain()),
    ];
  }

  /** For rover._state. */
  snapshot() {
    const v = this.view;
    return {
      lastRun: this.lastRun,
      running: !!this.current,
      view: v ? { runId: v.runId, status: v.status, stages: v.stages.map((s) => s.stage), searches: v.searches.length, errors: v.errors.map((e) => e.message) } : undefined,
    };
  }

  private runAgain(): void {
    const root = this.workspace.trustedFolder();
    if (this.lastArgs?.issueText && this.lastIssue && typeof root === 'string' && !this.current) {
      void this.run(root, this.lastArgs.issueText, this.lastArgs.failingTests ?? [], this.lastArgs.candidates, false, this.lastIssue);
      return;
    }
    void vscode.commands.executeCommand('rover.fixIssue', this.lastArgs ?? {});
  }

  private showRun(): CommandResult {
    if (!this.view) {
      const message = 'No Rover run yet in this window: run "Rover: Fix This Issue" first.';
      void vscode.window.showInformationMessage(message);
      return failed('bad-input', message);
    }
    this.panel.show(this.view, { preserveFocus: false });
    return succeeded({});
  }

  private async fixIssue(arg?: FixArgs | vscode.Uri): Promise<CommandResult<RunSummary>> {
    // From a context menu VS Code passes the resource: a .md/.txt file is the issue; in a code editor
    // the selection is (askIssue reads it), so the code file itself is not taken as issue text.
    const fromMenu = arg instanceof vscode.Uri;
    const a: FixArgs = fromMenu ? (/\.(md|markdown|txt|rst)$/i.test(arg.fsPath) ? { issueFile: arg.fsPath } : {}) : (arg ?? {});
    const interactive = arg === undefined || fromMenu;
    const root = this.workspace.trustedFolder();
    if (typeof root !== 'string') return root;
    if (this.current) {
      const message = 'A Rover run is already in progress: cancel it first (the Cancel button on its notification or in the run view).';
      void vscode.window.showWarningMessage(message);
      return failed('busy', message);
    }
    const asked = a.issueRef ? { ref: a.issueRef } : await askIssue(this.workspace, a);
    if (!asked) return failed('dismissed', 'No issue given.');
    if ('error' in asked) {
      void vscode.window.showWarningMessage(asked.error);
      return failed('bad-input', asked.error);
    }
    let gh: TakenIssue | undefined;
    if ('ref' in asked && asked.ref) {
      const t = await this.github.takeIssue(root, asked.ref, interactive, a.anyState);
      if (isFailure(t)) return t;
      gh = t;
    }
    const text = gh ? gh.text : 'text' in asked ? asked.text : '';
    const oracle = await this.oracleTests(a, interactive);
    if (isFailure(oracle)) return oracle;
    this.lastArgs = { issueText: text, failingTests: oracle.tests, candidates: a.candidates, useLastRunFailures: false };
    this.lastIssue = gh?.issue;
    return this.run(root, text, oracle.tests, a.candidates, oracle.fromLastRun, gh?.issue);
  }

  /** The failing tests that show the bug: given, typed in, or the last test run's failures (offered). */
  private async oracleTests(a: FixArgs, interactive: boolean): Promise<{ tests: string[]; fromLastRun: boolean } | CommandFailure> {
    let failingTest = a.failingTest;
    if (interactive && failingTest === undefined) {
      failingTest = await askFailingTest();
      if (failingTest === undefined) return failed('dismissed', 'Cancelled.');
    }
    const tests: string[] = [];
    for (const t of [failingTest, ...(a.failingTests ?? [])]) {
      const c = checkFailingTest(t);
      if (!c.ok) {
        if (t === failingTest) void vscode.window.showWarningMessage(c.message);
        return failed('bad-input', c.message);
      }
      if (c.test && !tests.includes(c.test)) tests.push(c.test);
    }
    if (tests.length) return { tests, fromLastRun: false };
    const failures = this.state.get('lastTestResult')?.failures.map((f) => f.id) ?? [];
    const mode = a.useLastRunFailures === true ? 'take' : a.useLastRunFailures === false || !interactive ? 'skip' : 'ask';
    if (!failures.length || mode === 'skip') return { tests: [], fromLastRun: false };
    const picked = mode === 'take' ? failures : await pickLastRunFailures(failures);
    if (picked === undefined) return failed('dismissed', 'Cancelled.');
    return { tests: picked, fromLastRun: picked.length > 0 };
  }

  private async run(root: string, issue: string, failingTests: string[], candidates: number | undefined, fromLastRun: boolean, github?: core.IssueFacts): Promise<CommandResult<RunSummary>> {
    const s = this.workspace.settings();
    const runId = core.runIdFor(issue);
    this.view = { ...newRunView(runId, issue), githubIssue: github ? core.shortRef(github.ref) : undefined, ...(s.provider === 'vscode-lm' ? { subscription: true } : {}) };
    this.panel.show(this.view);
    await vscode.commands.executeCommand('setContext', 'rover.hasRun', true);
    const ctrl = new AbortController();
    this.current = ctrl;
    let summary: RunSummary = { runId, status: 'error', events: 0, reviewOpened: false };
    const onEvent = (e: core.AgentEvent) => {
      summary.events++;
      this.view = reduceRunView(this.view!, e);
      this.panel.update(this.view);
      if (e.type === 'error') (e.recoverable ? this.log.warn : this.log.error).call(this.log, `run ${runId}: ${e.message}`);
      if (e.type === 'stage') this.log.info(`run ${runId}: stage ${e.stage}${e.message ? ` — ${e.message}` : ''}`);
    };
    try {
      await withCancellableProgress(
        'Rover',
        async (signal, progress) => {
          const report = (e: core.AgentEvent) => {
            onEvent(e);
            if (e.type === 'stage') progress.report({ message: `${e.stage}${e.message ? `: ${e.message}` : ''}` });
          };
          try {
            const provider = await this.models.provider(s);
            report({ type: 'stage', stage: 'index', message: 'indexing the workspace' });
            const index = await this.index.current();
            const out = await core.runFix({
              root,
              issue,
              provider,
              index,
              failingTests,
              fromLastRun,
              candidates: candidates ?? s.candidates,
              budgetUsd: s.budgetUsd,
              tests: { command: s.testsCommand, timeoutMs: s.testTimeoutMs },
              signal,
              onEvent: report,
              trajectoryPath: this.workspace.globalStorageDir('trajectories', `${runId}.json`),
              localizeCacheDir: this.workspace.storageDir('localize'),
            });
            this.shareWhatTheSessionLearnt(root, out);
            this.state.set('githubIssue', github && out.facts ? { runId, root, issue: github, facts: out.facts } : undefined);
            summary = summarize(summary, out, signal.aborted);
          } catch (e) {
            summary = { ...summary, status: signal.aborted ? 'cancelled' : 'error', error: (e as Error).message };
          }
        },
        ctrl,
      );
    } finally {
      this.current = undefined;
    }
    summary.costUsd = this.view.usage.costUsd;
    await this.finish(root, summary, s.budgetUsd);
    return runResult(summary, s.budgetUsd);
  }

  /** Its coverage picks test-on-save's tests, its suspects fill the Suspicious Code view, its validating tests run after the review. */
  private shareWhatTheSessionLearnt(root: string, out: core.FixOutcome): void {
    const loc = out.localization;
    if (loc.coverage?.size) this.state.set('coverage', loc.coverage);
    if (loc.source === 'sbfl' && loc.suspects.length) {
      const entries = loc.suspects.map((x) => ({ file: x.file, symbol: x.symbol, score: x.score, line: x.line }));
      this.state.set('suspects', { root, entries, mode: loc.message });
    }
    this.state.set('validatingTests', out.validatingTests);
  }

  /** Opens the review of a patch, ends the run view and tells the user what came of the run. */
  private async finish(root: string, summary: RunSummary, budgetUsd: number): Promise<void> {
    if (summary.status === 'patched' && summary.diff) {
      try {
        await this.review.open(summary.runId, summary.diff, root);
        summary.reviewOpened = true;
      } catch (e) {
        summary.error = `The patch could not be opened for review: ${(e as Error).message}`;
        this.log.error(summary.error);
      }
    }
    const text = runEndText(summary, budgetUsd);
    let view = this.view!;
    if (summary.status === 'error' && summary.error) {
      if (!view.errors.some((e) => e.message === summary.error)) view = reduceRunView(view, { type: 'error', message: summary.error, recoverable: false });
      this.log.error(`run ${summary.runId}: ${summary.error}`);
    }
    this.view = { ...finishRunView(view, viewStatusOf(summary.status), text), reviewOpen: summary.reviewOpened };
    this.panel.update(this.view);
    this.panel.flush();
    this.lastRun = summary;
    if (summary.status === 'patched' || summary.status === 'cancelled') void vscode.window.showInformationMessage(`Rover: ${text}`);
    else if (summary.status === 'error') {
      const keyProblem = /auth|api key|401|403|unauthori[sz]ed/i.test(summary.error ?? '');
      const buttons = [...(keyProblem ? ['Set API Key'] : []), 'Run Again', 'Show Log'];
      void vscode.window.showErrorMessage(`Rover: ${text}`, ...buttons).then((p) => {
        if (p === 'Set API Key') void vscode.commands.executeCommand('rover.setApiKey');
        if (p === 'Run Again' && this.lastArgs) this.runAgain();
        if (p === 'Show Log') this.log.show();
      });
    } else void vscode.window.showWarningMessage(`Rover: ${text}`);
  }

  private onViewMessage(m: ViewMessage): void {
    const root = this.workspace.root();
    if (m.type === 'cancel') this.current?.abort();
    else if (m.type === 'rerun' && this.lastArgs) this.runAgain();
    else if (m.type === 'openPr') void vscode.commands.executeCommand('rover.openPullRequest');
    else if (m.type === 'review') {
      const s = this.review.active;
      if (s && root && !s.isSettled()) void this.review.open(s.runId, s.diff, root);
    } else if (m.type === 'open' && root) void openLocation(root, m.file, m.line, this.log);
  }

  dispose(): void {
    this.current?.abort();
    for (const d of this.disposables) d.dispose();
  }
}
