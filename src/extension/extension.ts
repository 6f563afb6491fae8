// VS Code entry point: registers Rover's commands and views over src/core. Every command can be driven
// with an arguments object (no UI prompts then) and returns a plain JSON-able result, so end-to-end tests
// can run it from the extension host and check what happened (see rover._state).
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as core from './core-bridge';
import { ReviewController } from './review-controller';
import { RunPanel } from './run-panel';
import { SuspectsView } from './suspects';
import { TestingController, type TestOutcomeSummary } from './testing';
import { checkFailingTest, checkIssueText, resolveIssue, urlOnly, urlRefusal } from './logic/issue-source';
import { finishRunView, newRunView, reduceRunView, type RunViewState, type ViewMessage } from './logic/run-view-model';
import { readSettings, SECRET_KEYS, type RoverSettings } from './logic/settings';
import type { ReviewSession } from './logic/review-session';

export const UNTRUSTED_MESSAGE = 'Rover runs no tests or commands in an untrusted workspace';

export interface RunSummary {
  runId: string;
  status: 'patched' | 'no-patch' | 'cancelled' | 'budget-exhausted' | 'error' | 'refused';
  diff?: string;
  files?: string[];
  locations?: core.BugLocation[];
  reason?: string;
  events: number;
  error?: string;
  reviewOpened: boolean;
  costUsd?: number;
  ok?: boolean;
  oracle?: { source: string; tests: string[] };
  localization?: 'sbfl' | 'search-only';
  candidates?: { id: string; verdict?: string; kept?: boolean }[];
}

interface FixArgs {
  issueText?: string;
  issueFile?: string;
  failingTest?: string;
  failingTests?: string[];
  candidates?: number;
  /** true: take the last test run's failures as the oracle (a prompt offers them when interactive); false: never. */
  useLastRunFailures?: boolean;
}

class Rover implements vscode.Disposable {
  private readonly log = vscode.window.createOutputChannel('Rover', { log: true });
  private logErrors = 0;
  private index?: Promise<Awaited<ReturnType<typeof core.openIndex>>>;
  private indexFigures?: { files: number; classes: number; functions: number; ms: number };
  private readonly review: ReviewController;
  private readonly panel: RunPanel;
  private readonly suspects: SuspectsView;
  private readonly testing: TestingController;
  private readonly disposables: vscode.Disposable[] = [];
  private view?: RunViewState;
  private current?: AbortController;
  private lastRun?: RunSummary;
  private lastFixArgs?: FixArgs;
  private lastValidatingTests: string[] = [];
  private lastTestResult?: TestOutcomeSummary;
  private lastLocalize?: { entries: core.LocalizeEntry[]; mode: string };
  private coverage?: Map<string, Set<string>>;
  private lastValidation?: unknown;
  private readonly spawnBase = core.spawnedProcessCount();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.review = new ReviewController({
      log: this.log,
      onSettled: (s) => void this.afterReview(s),
      rerun: () => void vscode.commands.executeCommand('rover.fixIssue', this.lastFixArgs ?? {}),
    });
    this.panel = new RunPanel(context.extensionUri, (m) => this.onViewMessage(m));
    this.suspects = new SuspectsView(context.extensionUri);
    this.testing = new TestingController({
      root: () => this.root(),
      trusted: () => vscode.workspace.isTrusted,
      settings: () => {
        const s = this.settings();
        return { command: s.testsCommand, timeoutMs: s.testTimeoutMs, debounceMs: s.debounceMs };
      },
      coverage: () => this.coverage,
      log: this.log,
      onResult: (r) => (this.lastTestResult = r),
    });
    this.disposables.push(this.log, this.review, this.panel, this.suspects, this.testing);
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private error(msg: string): void {
    this.logErrors++;
    this.log.error(msg);
  }

  root(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  settings(): RoverSettings {
    const cfg = vscode.workspace.getConfiguration('rover', vscode.workspace.workspaceFolders?.[0]?.uri);
    const { settings, problems } = readSettings((k) => cfg.get(k));
    for (const p of problems) this.log.warn(p);
    return settings;
  }

  private refuseUntrusted(): { ok: false; reason: 'untrusted'; message: string } | undefined {
    if (vscode.workspace.isTrusted) return undefined;
    const message = `${UNTRUSTED_MESSAGE}. Index and search still work; trust this folder to run tests and fixes.`;
    this.log.warn(message);
    void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((p) => {
      if (p) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { ok: false, reason: 'untrusted', message };
  }

  private noFolder(): { ok: false; reason: 'no-folder'; message: string } {
    const message = 'Open a folder first: Rover works on the workspace folder.';
    void vscode.window.showWarningMessage(message);
    return { ok: false, reason: 'no-folder', message };
  }

  private cacheDir(root: string): string {
    const base = this.context.storageUri?.fsPath ?? this.context.globalStorageUri.fsPath;
    return join(base, 'index', createHash('sha1').update(root).digest('hex').slice(0, 12));
  }

  getIndex(force = false) {
    const root = this.root();
    if (!root) return undefined;
    if (force && this.index) {
      const old = this.index;
      void old.then((i) => i.close()).catch(() => undefined);
      this.index = undefined;
    }
    if (!this.index) {
      const s = this.settings();
      let warned = 0;
      this.index = core
        .openIndex(root, {
          cacheDir: this.cacheDir(root),
          exclude: s.exclude,
          maxFileBytes: s.maxFileBytes,
          onWarning: (w) => {
            if (warned++ < 50) this.log.warn(`index: ${w.path ?? ''} ${w.message}`);
          },
        })
        .then((idx) => {
          this.indexFigures = core.indexFigures(idx);
          this.log.info(`Indexed ${this.indexFigures.files} files (${this.indexFigures.classes} classes, ${this.indexFigures.functions} functions) in ${this.indexFigures.ms} ms`);
          return idx;
        });
      this.index.catch((e) => {
        this.error(`Indexing failed: ${(e as Error).message}`);
        this.index = undefined;
      });
    }
    return this.index;
  }

  state() {
    return {
      trusted: vscode.workspace.isTrusted,
      testOnSave: this.testing.isEnabled,
      lastRun: this.lastRun,
      running: !!this.current,
      reviews: this.review.snapshot(),
      childProcesses: core.spawnedProcessCount() - this.spawnBase,
      lastTestResult: this.lastTestResult,
      testOnSaveRuns: this.testing.schedulerFigures(),
      lastLocalize: this.lastLocalize,
      lastValidation: this.lastValidation,
      index: this.indexFigures,
      logErrors: this.logErrors,
      view: this.view ? { runId: this.view.runId, status: this.view.status, stages: this.view.stages.map((s) => s.stage), searches: this.view.searches.length, errors: this.view.errors.map((e) => e.message) } : undefined,
    };
  }

  // ---- activation ------------------------------------------------------------------------------

  async activate(): Promise<void> {
    const c = this.context;
    const reg = (id: string, fn: (...a: any[]) => unknown) => c.subscriptions.push(vscode.commands.registerCommand(id, fn));
    reg('rover.fixIssue', (a?: FixArgs | vscode.Uri) => this.fixIssue(a));
    reg('rover.localizeFault', (a?: unknown) => this.localizeFault(a));
    reg('rover.validateChanges', () => this.validateChanges());
    reg('rover.toggleTestOnSave', (a?: { enabled?: boolean }) => this.toggleTestOnSave(a));
    reg('rover.setApiKey', (a?: { provider?: 'anthropic' | 'openai'; key?: string; baseUrl?: string; model?: string }) => this.setApiKey(a));
    reg('rover.showLog', () => this.log.show(true));
    reg('rover.rebuildIndex', () => this.rebuildIndex());
    reg('rover.searchCode', (a?: { api?: string; args?: Record<string, unknown> }) => this.searchCode(a));
    reg('rover.review.acceptHunk', (a?: { file?: string; hunk?: number; fuzzy?: boolean }) => this.hunkCommand('accept', a));
    reg('rover.review.rejectHunk', (a?: { file?: string; hunk?: number }) => this.hunkCommand('reject', a));
    reg('rover.review.acceptAll', (a?: { fuzzy?: boolean }) => this.review.acceptAll({ fuzzy: a?.fuzzy, interactive: !a }));
    reg('rover.review.rejectAll', (a?: object) => this.review.rejectAll({ interactive: !a }));
    reg('rover.showRun', () => (this.view ? this.panel.show(this.view, { preserveFocus: false }) : undefined));
    reg('rover._state', () => this.state());
    reg('rover._openReview', (a?: { diff?: string }) => this.openReviewFromDiff(a));
    c.subscriptions.push(this);
    c.subscriptions.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('Workspace trusted: tests and fixes are enabled.');
        this.testing.render();
        void this.startTrusted();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => void this.onSaved(d)),
      vscode.workspace.onDidOpenTextDocument((d) => void this.onOpened(d)),
      vscode.workspace.onDidCloseTextDocument((d) => void this.withIndexedDoc(d, async (index, rel) => index.dropTree(rel))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rover.testOnSave')) this.testing.setEnabled(vscode.workspace.isTrusted && this.testOnSaveWanted());
        if (e.affectsConfiguration('rover.index')) void this.getIndex(true);
      }),
    );
    this.log.info(`Rover activated (${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: index and search only'} workspace${this.root() ? ` ${this.root()}` : ', no folder open'})`);
    if (!vscode.workspace.isTrusted) this.log.info(`${UNTRUSTED_MESSAGE}.`);
    void this.getIndex();
    await this.startTrusted();
  }

  private async startTrusted(): Promise<void> {
    const root = this.root();
    if (!root || !vscode.workspace.isTrusted) return;
    this.testing.setEnabled(this.testOnSaveWanted());
    // what a killed earlier Rover left: test processes, checkouts, temp folders (never fails)
    const swept = await core.sweepAtStart({ repo: root });
    const n = swept.processes + swept.temps.length + swept.worktrees.length + swept.cacheTemps.length;
    if (n) this.log.info(`Removed what an earlier Rover left when it was stopped: ${swept.processes} process(es), ${swept.worktrees.length} checkout(s), ${swept.temps.length + swept.cacheTemps.length} temp file(s)`);
  }

  /** The toggle's per-workspace choice wins over the rover.testOnSave setting. */
  private testOnSaveWanted(): boolean {
    const toggled = this.context.workspaceState.get<boolean>('rover.testOnSave');
    return typeof toggled === 'boolean' ? toggled : this.settings().testOnSave;
  }

  private async onSaved(d: vscode.TextDocument): Promise<void> {
    await this.withIndexedDoc(d, (index, rel) => index.updateFile(rel), 'index update');
  }

  /** Keeps the syntax tree of an open file, so that its saves re-index incrementally. */
  private async onOpened(d: vscode.TextDocument): Promise<void> {
    await this.withIndexedDoc(d, (index, rel) => index.keepTree(rel), 'index tree');
  }

  private async withIndexedDoc(d: vscode.TextDocument, fn: (index: Awaited<ReturnType<typeof core.openIndex>>, rel: string) => Promise<unknown>, what?: string): Promise<void> {
    const root = this.root();
    if (!root || d.uri.scheme !== 'file' || !d.uri.fsPath.startsWith(root) || !this.index) return;
    const rel = vscode.workspace.asRelativePath(d.uri, false);
    try {
      await fn(await this.index, rel);
    } catch (e) {
      if (what) this.log.warn(`${what} of ${rel}: ${(e as Error).message}`);
    }
  }

  // ---- Fix This Issue ------------------------------------------------------------------------

  private async askIssue(a: FixArgs): Promise<{ text: string; source: string } | { error: string } | undefined> {
    const reader = { read: async (p: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(this.absPath(p)))) };
    const ed = vscode.window.activeTextEditor;
    const selection = ed && !ed.selection.isEmpty ? ed.document.getText(ed.selection) : undefined;
    const r = await resolveIssue({ issueText: a.issueText, issueFile: a.issueFile, selection }, reader);
    if (r) return r.ok ? { text: r.text, source: r.source } : { error: r.message };
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(edit) Type or paste the issue', id: 'input' },
        { label: '$(file) From a Markdown or text file…', id: 'file' },
      ],
      { title: 'Rover: Fix This Issue', placeHolder: 'Where is the issue text?' },
    );
    if (!pick) return undefined;
    if (pick.id === 'file') {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Issue text': ['md', 'markdown', 'txt', 'rst'] }, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      if (!uris?.length) return undefined;
      const f = await resolveIssue({ issueFile: uris[0].fsPath }, reader);
      return f && f.ok ? { text: f.text, source: 'file' } : { error: f && !f.ok ? f.message : 'No file chosen.' };
    }
    const text = await vscode.window.showInputBox({
      title: 'Rover: Fix This Issue',
      prompt: 'Describe the problem (paste the issue text; links are not fetched)',
      placeHolder: 'e.g. Bulk discount not applied when ordering exactly 10 units',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const url = urlOnly(v);
        if (url) return urlRefusal(url);
        return undefined;
      },
    });
    if (text === undefined) return undefined;
    const c = checkIssueText(text, 'input');
    return c.ok ? { text: c.text, source: 'input' } : { error: c.message };
  }

  private absPath(p: string): string {
    const root = this.root() ?? '';
    return p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p) ? p : join(root, p);
  }

  private async fixIssue(arg?: FixArgs | vscode.Uri): Promise<RunSummary | { ok: false; reason: string; message: string }> {
    // From a context menu VS Code passes the resource: a .md/.txt file is the issue; in a code editor
    // the selection is (handled by askIssue), so the code file itself is not taken as issue text.
    const fromMenu = arg instanceof vscode.Uri;
    const a: FixArgs = fromMenu ? (/\.(md|markdown|txt|rst)$/i.test(arg.fsPath) ? { issueFile: arg.fsPath } : {}) : (arg ?? {});
    const interactive = arg === undefined || fromMenu;
    const root = this.root();
    if (!root) return this.noFolder();
    const refused = this.refuseUntrusted();
    if (refused) return refused;
    if (this.current) {
      const message = 'A Rover run is already in progress: cancel it first (the Cancel button on its notification or in the run view).';
      void vscode.window.showWarningMessage(message);
      return { ok: false, reason: 'busy', message };
    }
    const issue = await this.askIssue(a);
    if (!issue) return { ok: false, reason: 'dismissed', message: 'No issue given.' };
    if ('error' in issue) {
      void vscode.window.showWarningMessage(issue.error);
      return { ok: false, reason: 'bad-input', message: issue.error };
    }
    let failingTest = a.failingTest;
    if (interactive && failingTest === undefined) {
      failingTest = await vscode.window.showInputBox({
        title: 'Rover: Fix This Issue (optional)',
        prompt: 'A failing test that shows the bug, if you have one (press Enter to skip)',
        placeHolder: 'tests/test_pricing.py::test_bulk_discount_at_threshold',
        ignoreFocusOut: true,
      });
      if (failingTest === undefined) return { ok: false, reason: 'dismissed', message: 'Cancelled.' };
    }
    const ft = checkFailingTest(failingTest);
    if (!ft.ok) {
      void vscode.window.showWarningMessage(ft.message);
      return { ok: false, reason: 'bad-input', message: ft.message };
    }
    let failing = ft.test ? [ft.test] : [];
    for (const t of a.failingTests ?? []) {
      const c = checkFailingTest(t);
      if (!c.ok) return { ok: false, reason: 'bad-input', message: c.message };
      if (c.test && !failing.includes(c.test)) failing.push(c.test);
    }
    let fromLastRun = false;
    if (!failing.length) {
      const mode = a.useLastRunFailures === true ? 'take' : a.useLastRunFailures === false || !interactive ? 'skip' : 'ask';
      const offered = await this.offerLastRunFailures(mode);
      if (offered === undefined) return { ok: false, reason: 'dismissed', message: 'Cancelled.' };
      failing = offered;
      fromLastRun = offered.length > 0;
    }
    this.lastFixArgs = { issueText: issue.text, failingTests: failing, candidates: a.candidates, useLastRunFailures: false };
    return this.runFix(root, issue.text, failing, a.candidates, fromLastRun);
  }

  /** The last test run's failures as this fix's oracle: offered ('ask'), taken when asked for ('take'), or not. undefined: dismissed. */
  private async offerLastRunFailures(mode: 'ask' | 'take' | 'skip'): Promise<string[] | undefined> {
    const failures = this.lastTestResult?.failures.map((f) => f.id) ?? [];
    if (!failures.length || mode === 'skip') return [];
    if (mode === 'take') return failures;
    const none = { label: '$(beaker) None: write a reproduction test from the issue', id: '' };
    const picks = await vscode.window.showQuickPick(
      [...failures.map((f) => ({ label: f, id: f, picked: true })), none],
      { title: 'Rover: your last test run has failures — fix against them?', placeHolder: 'Pick the failing tests that show this issue, or none', canPickMany: true, ignoreFocusOut: true },
    );
    if (picks === undefined) return undefined;
    return picks.map((p) => p.id).filter(Boolean);
  }

  private async providerFor(s: RoverSettings) {
    const key = (await this.context.secrets.get(SECRET_KEYS[s.provider])) ?? '';
    if (!key && !(s.provider === 'openai' && s.baseUrl)) {
      throw new Error(`No API key for ${s.provider}: run "Rover: Set API Key" (keys are kept in VS Code's secret storage, never in settings).`);
    }
    return core.makeProvider({
      provider: s.provider,
      apiKey: key,
      baseUrl: s.baseUrl,
      model: s.model,
      onRetry: (info) => this.log.warn(`model call retry: ${JSON.stringify(info)}`),
    });
  }

  private async runFix(root: string, issue: string, failingTests: string[], candidates?: number, fromLastRun = false): Promise<RunSummary> {
    const s = this.settings();
    const runId = core.runIdFor(issue);
    this.view = newRunView(runId, issue);
    this.panel.show(this.view);
    await vscode.commands.executeCommand('setContext', 'rover.hasRun', true);
    const ctrl = new AbortController();
    this.current = ctrl;
    let events = 0;
    const onEvent = (e: core.AgentEvent) => {
      events++;
      this.view = reduceRunView(this.view!, e);
      this.panel.update(this.view);
      if (e.type === 'error') (e.recoverable ? this.log.warn : this.log.error).call(this.log, `run ${runId}: ${e.message}`);
      if (e.type === 'error' && !e.recoverable) this.logErrors++;
      if (e.type === 'stage') this.log.info(`run ${runId}: stage ${e.stage}${e.message ? ` — ${e.message}` : ''}`);
    };
    const summary: RunSummary = { runId, status: 'error', events: 0, reviewOpened: false };
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Rover', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => ctrl.abort());
          const report = (e: core.AgentEvent) => {
            onEvent(e);
            if (e.type === 'stage') progress.report({ message: `${e.stage}${e.message ? `: ${e.message}` : ''}` });
          };
          try {
            const provider = await this.providerFor(s);
            report({ type: 'stage', stage: 'index', message: 'indexing the workspace' });
            const index = await this.getIndex();
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
              signal: ctrl.signal,
              onEvent: report,
              trajectoryPath: join(this.context.globalStorageUri.fsPath, 'trajectories', `${runId}.json`),
              localizeCacheDir: join(this.context.storageUri?.fsPath ?? this.context.globalStorageUri.fsPath, 'localize'),
            });
            this.afterSession(root, out);
            summary.status = ctrl.signal.aborted ? 'cancelled' : out.status;
            summary.diff = out.diff;
            summary.files = out.files;
            summary.locations = out.locations;
            summary.reason = out.reason;
            summary.error = out.error;
            summary.oracle = { source: out.oracle.source, tests: out.oracle.tests };
            summary.localization = out.localization.source;
            summary.candidates = out.candidates.map((c) => ({ id: c.id, verdict: c.verdict, kept: c.kept }));
            this.lastValidatingTests = out.validatingTests;
          } catch (e) {
            summary.status = ctrl.signal.aborted ? 'cancelled' : 'error';
            summary.error = (e as Error).message;
          }
        },
      );
    } finally {
      this.current = undefined;
    }
    summary.events = events;
    summary.costUsd = this.view.usage.costUsd;
    if (summary.status === 'patched' && summary.diff) {
      try {
        await this.review.open(runId, summary.diff, root);
        summary.reviewOpened = true;
      } catch (e) {
        summary.error = `The patch could not be opened for review: ${(e as Error).message}`;
        this.error(summary.error);
      }
    }
    const text =
      summary.status === 'patched'
        ? `Patch ready${summary.reason ? `: ${summary.reason.replace(/[.\s]+$/, '')}` : ''}. Review it hunk by hunk; nothing is changed until you accept.`
        : summary.status === 'cancelled'
          ? 'Cancelled. Your files were not touched.'
          : summary.status === 'no-patch'
            ? `No patch found${summary.error ? `: ${summary.error}` : ''}. Your files were not touched.`
            : summary.status === 'budget-exhausted'
              ? `Stopped: the budget of $${s.budgetUsd} for a run was reached. Raise rover.budgetUsd to go further.`
              : `Run failed: ${summary.error ?? 'unknown error'}. Your files were not touched.`;
    if (summary.status === 'error' && summary.error) {
      if (!this.view.errors.some((e) => e.message === summary.error)) this.view = reduceRunView(this.view, { type: 'error', message: summary.error, recoverable: false });
      this.error(`run ${runId}: ${summary.error}`);
    }
    this.view = { ...finishRunView(this.view, summary.status === 'patched' ? 'done' : summary.status === 'cancelled' ? 'cancelled' : summary.status === 'error' ? 'error' : 'no-patch', text), reviewOpen: summary.reviewOpened };
    this.panel.update(this.view);
    this.panel.flush();
    this.lastRun = summary;
    if (summary.status === 'patched') void vscode.window.showInformationMessage(`Rover: ${text}`);
    else if (summary.status === 'cancelled') void vscode.window.showInformationMessage(`Rover: ${text}`);
    else if (summary.status === 'error') {
      const keyProblem = /auth|api key|401|403|unauthori[sz]ed/i.test(summary.error ?? '');
      const buttons = [...(keyProblem ? ['Set API Key'] : []), 'Run Again', 'Show Log'];
      void vscode.window.showErrorMessage(`Rover: ${text}`, ...buttons).then((p) => {
        if (p === 'Set API Key') void vscode.commands.executeCommand('rover.setApiKey');
        if (p === 'Run Again' && this.lastFixArgs) void vscode.commands.executeCommand('rover.fixIssue', this.lastFixArgs);
        if (p === 'Show Log') this.log.show(true);
      });
    } else void vscode.window.showWarningMessage(`Rover: ${text}`);
    return summary;
  }

  /** What a session learnt serves the other features: its coverage picks test-on-save's tests, its suspects fill the view. */
  private afterSession(root: string, out: core.FixOutcome): void {
    const loc = out.localization;
    if (loc.coverage?.size) this.coverage = loc.coverage;
    if (loc.source === 'sbfl' && loc.suspects.length) {
      const entries = loc.suspects.map((x) => ({ file: x.file, symbol: x.symbol, score: x.score, line: x.line }));
      this.lastLocalize = { entries, mode: loc.message };
      this.suspects.show(root, entries, loc.message);
    }
  }

  private onViewMessage(m: ViewMessage): void {
    if (m.type === 'cancel') this.current?.abort();
    else if (m.type === 'rerun' && this.lastFixArgs) void vscode.commands.executeCommand('rover.fixIssue', this.lastFixArgs);
    else if (m.type === 'review') {
      const s = this.review.active;
      if (s && this.root() && !s.isSettled()) void this.review.open(s.runId, s.diff, this.root()!);
    } else if (m.type === 'open') void this.openLocation(m.file, m.line);
  }

  private async openLocation(file: string, line: number): Promise<void> {
    const root = this.root();
    if (!root) return;
    const abs = this.absPath(file);
    if (!abs.startsWith(root)) {
      this.log.warn(`Refused to open ${file}: outside the workspace`);
      return;
    }
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(abs));
      const l = Math.min(Math.max(0, line - 1), doc.lineCount - 1);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(l, 0, l, 0), preview: true });
    } catch (e) {
      void vscode.window.showWarningMessage(`Cannot open ${file}: ${(e as Error).message}`);
    }
  }

  private async afterReview(s: ReviewSession): Promise<void> {
    const root = this.root();
    if (!root || !vscode.workspace.isTrusted) return;
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && s.touchedFiles().includes(d.uri.fsPath));
    if (dirty.length) {
      void vscode.window.showInformationMessage(`Rover re-runs the validating tests on your files once you save ${dirty.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')}.`);
      return;
    }
    // a rejected reproduction test is not on disk: its tests cannot run
    const present = this.lastValidatingTests.filter((t) => !t.includes('::') || existsSync(join(root, t.split('::')[0])));
    let tests = present.length ? present : undefined;
    if (!tests) {
      const sel = await this.testing.impacted(s.touchedFiles());
      tests = sel.tests.length ? sel.tests : undefined;
    }
    const r = await this.testing.execute(tests, 'review', new AbortController().signal, 'validating tests of the accepted patch');
    const msg = r.error
      ? `Rover: the validating tests could not run: ${r.error}`
      : r.failed
        ? `Rover: after your accept, ${r.failed} test(s) fail and ${r.passed} pass (see the Testing view).`
        : `Rover: after your accept, all ${r.passed} validating test(s) pass.`;
    if (r.failed || r.error) void vscode.window.showWarningMessage(msg);
    else void vscode.window.showInformationMessage(msg);
  }

  // ---- other commands ---------------------------------------------------------------------------

  /** Test hook: reviews a given diff exactly as if a run had proposed it. */
  private async openReviewFromDiff(a?: { diff?: string }) {
    const root = this.root();
    if (!root) return this.noFolder();
    if (typeof a?.diff !== 'string') return { ok: false, message: 'rover._openReview needs {diff: string}.' };
    try {
      const s = await this.review.open(core.runIdFor(a.diff), a.diff, root);
      return { ok: true, files: s.snapshot() };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  }

  private async hunkCommand(kind: 'accept' | 'reject', a?: { file?: string; hunk?: number; fuzzy?: boolean }) {
    let target = a && typeof a.file === 'string' && typeof a.hunk === 'number' ? { file: a.file, hunk: a.hunk } : await this.review.hunkAtCursor();
    if (!target) {
      const message = 'No Rover hunk here: open a file under review (or pass {file, hunk}).';
      void vscode.window.showWarningMessage(message);
      return { ok: false, message, remaining: this.review.active?.remaining() ?? 0 };
    }
    target = { file: this.absPath(target.file), hunk: target.hunk };
    return kind === 'accept'
      ? this.review.accept(target.file, target.hunk, { fuzzy: a?.fuzzy, interactive: !a })
      : this.review.reject(target.file, target.hunk, { interactive: !a });
  }

  private async localizeFault(arg?: unknown): Promise<{ entries: core.LocalizeEntry[]; mode: string } | { ok: false; reason: string; message: string }> {
    const root = this.root();
    if (!root) return this.noFolder();
    const refused = this.refuseUntrusted();
    if (refused) return refused;
    let tests: string[] = [];
    const o = arg as { test?: string; tests?: string[]; id?: string } | undefined;
    if (o && typeof o.test === 'string') tests = [o.test];
    else if (o && Array.isArray(o.tests)) tests = o.tests.filter((t): t is string => typeof t === 'string');
    else if (o && typeof o.id === 'string') tests = [o.id]; // a TestItem from the Testing view
    else if (this.lastTestResult?.failures.length && !o) {
      const pick = await vscode.window.showQuickPick(this.lastTestResult.failures.map((f) => f.id), { canPickMany: true, title: 'Rover: failing tests to localize from' });
      if (!pick?.length) return { ok: false, reason: 'dismissed', message: 'No test chosen.' };
      tests = pick;
    } else {
      const t = await vscode.window.showInputBox({ title: 'Rover: Localize Fault', prompt: 'Failing test id', placeHolder: 'tests/test_x.py::test_y' });
      if (!t?.trim()) return { ok: false, reason: 'dismissed', message: 'No test given.' };
      tests = [t.trim()];
    }
    for (const t of tests) {
      const c = checkFailingTest(t);
      if (!c.ok) return { ok: false, reason: 'bad-input', message: c.message };
    }
    const s = this.settings();
    try {
      const out = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Rover: localizing the fault', cancellable: true }, (_p, token) => {
        const ctrl = new AbortController();
        token.onCancellationRequested(() => ctrl.abort());
        return this.localizeWithIndex(root, s, tests, ctrl.signal);
      });
      if (out.coverage) this.coverage = out.coverage;
      for (const w of out.warnings ?? []) this.log.warn(`localize: ${w}`);
      this.lastLocalize = { entries: out.entries, mode: out.mode };
      this.suspects.show(root, out.entries, out.mode);
      await vscode.commands.executeCommand('rover.suspects.focus');
      return this.lastLocalize;
    } catch (e) {
      const message = (e as Error).message;
      this.error(`Localize Fault: ${message}`);
      void vscode.window.showErrorMessage(`Rover: ${message}`);
      return { ok: false, reason: 'error', message };
    }
  }

  private async localizeWithIndex(root: string, s: RoverSettings, failing: string[], signal: AbortSignal, issue?: string) {
    const index = await this.getIndex()?.catch(() => undefined);
    const base = this.context.storageUri?.fsPath ?? this.context.globalStorageUri.fsPath;
    return core.localize(root, { command: s.testsCommand, timeoutMs: s.testTimeoutMs }, { failing, issue, signal, index, cacheDir: join(base, 'localize') });
  }

  private async validateChanges() {
    const root = this.root();
    if (!root) return this.noFolder();
    const refused = this.refuseUntrusted();
    if (refused) return refused;
    const s = this.settings();
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Rover: validating your changes', cancellable: true }, async (_p, token) => {
        const ctrl = new AbortController();
        token.onCancellationRequested(() => ctrl.abort());
        const { diff, files } = await core.workingTreeDiff(root, ctrl.signal);
        if (!diff.trim()) {
          const r = { verdict: 'no-changes', failToPass: [], passToFail: [], explanation: 'The working tree has no changes against HEAD.' };
          void vscode.window.showInformationMessage(`Rover: ${r.explanation}`);
          return (this.lastValidation = r);
        }
        const sel = await this.testing.impacted(files.map((f) => join(root, f)));
        const report = await core.validateChanges(root, { command: s.testsCommand, timeoutMs: s.testTimeoutMs }, { patch: diff, testFiles: sel.tests.length ? sel.tests : undefined, signal: ctrl.signal });
        const r = { verdict: report.verdict, failToPass: report.failToPass, passToFail: report.passToFail, stillFailing: report.stillFailing, explanation: report.explanation, tests: sel.tests, selection: sel.reason };
        this.lastValidation = r;
        const msg = `Rover: ${report.verdict} — ${report.explanation}`;
        if (report.passToFail.length || report.verdict === 'error' || report.verdict === 'regressed') void vscode.window.showWarningMessage(msg);
        else void vscode.window.showInformationMessage(msg);
        return r;
      });
    } catch (e) {
      const message = (e as Error).message;
      this.error(`Validate Current Changes: ${message}`);
      void vscode.window.showErrorMessage(`Rover: ${message}`);
      return { ok: false, reason: 'error', verdict: 'error', failToPass: [], passToFail: [], explanation: message };
    }
  }

  private async toggleTestOnSave(a?: { enabled?: boolean }) {
    const want = typeof a?.enabled === 'boolean' ? a.enabled : !this.testing.isEnabled;
    if (want && !vscode.workspace.isTrusted) {
      const r = this.refuseUntrusted()!;
      return { enabled: false, ...r };
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return { enabled: false, ...this.noFolder() };
    // per workspace, in VS Code's workspace storage: writing .vscode/settings.json would change the
    // user's tree (and their git status) just to remember a toggle
    await this.context.workspaceState.update('rover.testOnSave', want);
    this.testing.setEnabled(want);
    this.log.info(`Test on save ${want ? 'enabled' : 'disabled'} for this workspace`);
    return { enabled: want };
  }

  private async setApiKey(a?: { provider?: 'anthropic' | 'openai'; key?: string; baseUrl?: string; model?: string }) {
    const s = this.settings();
    let provider = a?.provider ?? s.provider;
    if (provider !== 'anthropic' && provider !== 'openai') return { stored: false, provider, message: 'provider must be "anthropic" or "openai"' };
    const cfg = vscode.workspace.getConfiguration('rover');
    if (!a) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Anthropic', id: 'anthropic' as const, description: 'Claude models' },
          { label: 'OpenAI-compatible', id: 'openai' as const, description: 'OpenAI, or a local server (Ollama, vLLM, LM Studio) with a base URL' },
        ],
        { title: 'Rover: Set API Key', placeHolder: 'Which model API?' },
      );
      if (!pick) return { stored: false, provider };
      provider = pick.id;
      if (provider === 'openai') {
        const base = await vscode.window.showInputBox({ title: 'Base URL (optional)', prompt: 'Leave empty for api.openai.com; e.g. http://localhost:11434/v1 for Ollama', value: s.baseUrl ?? '' });
        if (base === undefined) return { stored: false, provider };
        await cfg.update('baseUrl', base.trim(), vscode.ConfigurationTarget.Global);
        const model = await vscode.window.showInputBox({ title: 'Model (optional)', value: s.model ?? '' });
        if (model !== undefined) await cfg.update('model', model.trim(), vscode.ConfigurationTarget.Global);
      }
    }
    if (a?.baseUrl !== undefined) {
      try {
        if (a.baseUrl) new URL(a.baseUrl);
      } catch {
        return { stored: false, provider, message: `Base URL "${a.baseUrl}" is not a URL.` };
      }
      await cfg.update('baseUrl', a.baseUrl, vscode.ConfigurationTarget.Global);
    }
    if (a?.model !== undefined) await cfg.update('model', a.model, vscode.ConfigurationTarget.Global);
    if (provider !== s.provider) await cfg.update('provider', provider, vscode.ConfigurationTarget.Global);
    let key = a?.key;
    if (key === undefined && !a?.baseUrl) {
      key = await vscode.window.showInputBox({
        title: `Rover: ${provider === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible'} API key`,
        prompt: 'Stored in VS Code secret storage (never in settings.json)',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (/\s/.test(v.trim()) ? 'An API key has no spaces.' : undefined),
      });
    }
    if (key === undefined) return { stored: false, provider };
    key = key.trim();
    if (!key) {
      await this.context.secrets.delete(SECRET_KEYS[provider]);
      this.log.info(`API key for ${provider} removed`);
      return { stored: false, provider, message: 'Key removed.' };
    }
    if (/\s/.test(key)) return { stored: false, provider, message: 'An API key has no spaces.' };
    await this.context.secrets.store(SECRET_KEYS[provider], key);
    this.log.info(`API key for ${provider} stored in secret storage`);
    if (!a) void vscode.window.showInformationMessage(`Rover: ${provider} API key stored in VS Code's secret storage.`);
    return { stored: true, provider };
  }

  private async rebuildIndex() {
    const idx = this.getIndex(true);
    if (!idx) return this.noFolder();
    try {
      const i = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Rover: indexing' }, () => idx);
      const f = core.indexFigures(i);
      void vscode.window.setStatusBarMessage(`Rover: indexed ${f.files} files in ${f.ms} ms`, 5000);
      return f;
    } catch (e) {
      const message = (e as Error).message;
      void vscode.window.showErrorMessage(`Rover: indexing failed: ${message}`);
      return { ok: false, reason: 'error', message };
    }
  }

  private async searchCode(a?: { api?: string; args?: Record<string, unknown> }) {
    const idx = this.getIndex();
    if (!idx) return this.noFolder();
    let api = a?.api;
    let args = a?.args;
    if (!api) {
      const pick = await vscode.window.showQuickPick(['search_class', 'search_method', 'search_method_in_class', 'search_code', 'find_references'], { title: 'Rover: Search Code Structure' });
      if (!pick) return undefined;
      api = pick;
      const q = await vscode.window.showInputBox({ title: api, prompt: api === 'search_method_in_class' ? 'Class.method' : 'Name or code' });
      if (!q) return undefined;
      args =
        api === 'search_class' ? { class_name: q } : api === 'search_method' ? { method_name: q } : api === 'search_method_in_class' ? { class_name: q.split('.')[0], method_name: q.split('.').slice(1).join('.') } : api === 'find_references' ? { name: q } : { code_str: q };
    }
    try {
      const out = await core.searchCode(await idx, api, args ?? {});
      this.log.info(`search ${api}(${JSON.stringify(args)}): ${out.message}`);
      if (!a) {
        const items = out.hits.map((h) => ({ label: h.symbol ?? h.file, description: `${h.file}:${h.startLine}`, hit: h }));
        const chosen = await vscode.window.showQuickPick(items, { title: out.message });
        if (chosen) await this.openLocation(chosen.hit.file, chosen.hit.startLine);
      }
      return out;
    } catch (e) {
      const message = (e as Error).message;
      this.error(`search: ${message}`);
      return { api, args: args ?? {}, ok: false, hits: [], total: 0, message, error: message };
    }
  }

  dispose(): void {
    this.current?.abort();
    for (const d of this.disposables) d.dispose();
    void this.index?.then((i) => i.close()).catch(() => undefined);
  }
}

let rover: Rover | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ state: () => unknown }> {
  rover = new Rover(context);
  await rover.activate();
  return { state: () => rover?.state() };
}

export function deactivate(): void {
  rover?.dispose();
  rover = undefined;
}
