// Tests in the editor: the 'rover' TestController (items per discovered test, a Run profile that also
// supports continuous runs), test-on-save (debounced, stale runs cancelled), diagnostics on failing
// assertion lines, and a status-bar item with the state and the last result.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { runTestsOnWorkingTree, type TestRunResult, type TestSettings } from './core-bridge';
import { failureSpots } from './logic/failure-lines';
import { changedLineNumbers, impactedByHeuristics, impactedFromCoverage, isTestFile, type ImpactedSelection } from './logic/impacted-tests';
import { SaveScheduler } from './logic/save-scheduler';
import { TEST_FILE_GLOBS } from '../core/runner/test-files';

const TEST_EXCLUDE = '**/{node_modules,.git,dist,build,out,venv,.venv,__pycache__,.tox}/**';

export interface TestOutcomeSummary {
  trigger: 'save' | 'manual' | 'review' | 'continuous' | 'validate';
  tests: string[];
  selection?: string;
  passed: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  timedOut: boolean;
  error?: string;
  failures: { id: string; file?: string; line?: number; message: string }[];
  durationMs: number;
  at: string;
}

export interface TestingDeps {
  root: () => string | undefined;
  trusted: () => boolean;
  settings: () => TestSettings & { debounceMs: number };
  coverage: () => Map<string, Set<string>> | undefined;
  log: vscode.LogOutputChannel;
  onResult: (r: TestOutcomeSummary) => void;
}

export class TestingController implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('rover', 'Rover');
  readonly diagnostics = vscode.languages.createDiagnosticCollection('rover');
  readonly status = vscode.window.createStatusBarItem('rover.status', vscode.StatusBarAlignment.Left, 50);
  private scheduler: SaveScheduler<TestOutcomeSummary | undefined>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly savedText = new Map<string, string>();
  private readonly diagByTest = new Map<string, { rel: string; line: number; message: string }>();
  private enabled = false;
  private continuous = 0;
  private last?: TestOutcomeSummary;
  private discovered = false;

  constructor(private readonly deps: TestingDeps) {
    this.status.name = 'Rover';
    this.status.command = 'rover.toggleTestOnSave';
    this.scheduler = this.makeScheduler();
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
      else await this.resolveFile(item);
    };
    this.controller.refreshHandler = async () => {
      this.discovered = false;
      await this.discover();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.runRequest(req, token), true, undefined, true);
    this.disposables.push(
      this.controller,
      this.diagnostics,
      this.status,
      vscode.workspace.onDidOpenTextDocument((d) => this.remember(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSaved(d)),
    );
    for (const d of vscode.workspace.textDocuments) this.remember(d);
    this.render();
  }

  private makeScheduler(): SaveScheduler<TestOutcomeSummary | undefined> {
    return new SaveScheduler<TestOutcomeSummary | undefined>({
      delayMs: this.deps.settings().debounceMs,
      run: (files, signal) => this.runForSaves(files, signal),
      onStart: (files) => this.render(`$(sync~spin) Rover: testing ${files.length === 1 ? files[0] : `${files.length} files`}…`),
      onDone: (r) => {
        if (r.cancelled) this.deps.log.info(`Test-on-save run for ${r.files.join(', ')} cancelled by a newer save`);
        this.render();
      },
      onError: (e) => {
        this.deps.log.error(`Test-on-save failed: ${(e as Error).message}`);
        this.render();
      },
    });
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  schedulerFigures() {
    return { started: this.scheduler.started, cancelled: this.scheduler.cancelled, completed: this.scheduler.completed, running: this.scheduler.running };
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) {
      this.scheduler.dispose();
      this.scheduler = this.makeScheduler();
    }
    this.render();
  }

  /** Waits for scheduled or running test-on-save work (tests use it through rover._state polling). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  private remember(d: vscode.TextDocument): void {
    if (d.uri.scheme === 'file' && !this.savedText.has(d.uri.fsPath)) this.savedText.set(d.uri.fsPath, d.getText());
  }

  render(override?: string): void {
    if (!this.deps.trusted()) {
      this.status.text = '$(shield) Rover: restricted';
      this.status.tooltip = 'Rover runs no tests or commands in an untrusted workspace. Index and search still work.';
      this.status.show();
      return;
    }
    const l = this.last;
    const state = this.enabled || this.continuous > 0 ? 'on' : 'off';
    this.status.text =
      override ??
      (l
        ? l.cancelled
          ? `$(circle-slash) Rover: cancelled`
          : l.error
            ? `$(warning) Rover: test error`
            : l.failed
              ? `$(error) Rover: ${l.failed} failed, ${l.passed} passed`
              : `$(pass) Rover: ${l.passed} passed`
        : `$(beaker) Rover: test on save ${state}`);
    this.status.tooltip = new vscode.MarkdownString(
      `Test on save is **${state}** (click to toggle).` +
        (l ? `\n\nLast run (${l.trigger}, ${l.at}): ${l.passed} passed, ${l.failed} failed${l.selection ? `\n\n${l.selection}` : ''}` : ''),
    );
    this.status.show();
  }

  private onSaved(d: vscode.TextDocument): void {
    const root = this.deps.root();
    if (!root || d.uri.scheme !== 'file' || !d.uri.fsPath.startsWith(root)) return;
    if (!(this.enabled || this.continuous > 0) || !this.deps.trusted()) {
      this.savedText.set(d.uri.fsPath, d.getText());
      return;
    }
    this.scheduler.saved(d.uri.fsPath);
  }

  private async testFileTexts(root: string): Promise<{ rel: string; text: string }[]> {
    const seen = new Set<string>();
    const uris: vscode.Uri[] = [];
    for (const g of TEST_FILE_GLOBS) {
      for (const u of await vscode.workspace.findFiles(new vscode.RelativePattern(root, g), TEST_EXCLUDE, 2000)) {
        if (!seen.has(u.fsPath)) {
          seen.add(u.fsPath);
          uris.push(u);
        }
      }
    }
    const out: { rel: string; text: string }[] = [];
    for (const u of uris) {
      const rel = vscode.workspace.asRelativePath(u, false).split('\\').join('/');
      if (!isTestFile(rel)) continue;
      try {
        out.push({ rel, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(u)) });
      } catch {
        /* deleted between listing and reading */
      }
    }
    return out;
  }

  /** The tests impacted by the saved files (coverage map first, then imports/names). */
  async impacted(files: string[]): Promise<ImpactedSelection> {
    const root = this.deps.root()!;
    const cov = this.deps.coverage();
    const tests = new Set<string>();
    const reasons: string[] = [];
    let mode: ImpactedSelection['mode'] = 'none';
    let texts: { rel: string; text: string }[] | undefined;
    for (const abs of files) {
      const rel = vscode.workspace.asRelativePath(abs, false).split('\\').join('/');
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === abs);
      const now = doc?.getText();
      const before = this.savedText.get(abs);
      const changed = now !== undefined && before !== undefined ? changedLineNumbers(before, now) : undefined;
      if (now !== undefined) this.savedText.set(abs, now);
      let sel = cov ? impactedFromCoverage(cov, rel, changed) : undefined;
      if (!sel || (sel.tests.length === 0 && !changed)) {
        texts ??= await this.testFileTexts(root);
        sel = impactedByHeuristics(rel, texts);
      }
      sel.tests.forEach((t) => tests.add(t));
      reasons.push(sel.reason);
      if (sel.mode !== 'none') mode = sel.mode;
    }
    return { tests: [...tests], mode: tests.size ? mode : 'none', reason: reasons.join('; ') };
  }

  private async runForSaves(files: string[], signal: AbortSignal): Promise<TestOutcomeSummary | undefined> {
    const sel = await this.impacted(files);
    this.deps.log.info(`Test on save: ${sel.tests.length ? `running ${sel.tests.join(', ')}` : 'nothing to run'} (${sel.reason})`);
    if (!sel.tests.length || signal.aborted) return undefined;
    return this.execute(sel.tests, 'save', signal, sel.reason);
  }

  private itemFor(id: string, create: boolean): vscode.TestItem | undefined {
    const root = this.deps.root()!;
    const sepAt = id.indexOf('::');
    const fileRel = sepAt > 0 ? id.slice(0, sepAt) : id;
    let fileItem = this.controller.items.get(fileRel);
    if (!fileItem) {
      if (!create) return undefined;
      fileItem = this.controller.createTestItem(fileRel, fileRel, vscode.Uri.file(join(root, fileRel)));
      this.controller.items.add(fileItem);
    }
    if (sepAt < 0) return fileItem;
    let item = fileItem.children.get(id);
    if (!item && create) {
      item = this.controller.createTestItem(id, id.slice(sepAt + 2), fileItem.uri);
      fileItem.children.add(item);
    }
    return item;
  }

  async discover(): Promise<void> {
    const root = this.deps.root();
    if (!root || this.discovered) return;
    this.discovered = true;
    for (const t of await this.testFileTexts(root)) {
      const item = this.itemFor(t.rel, true)!;
      item.canResolveChildren = true;
      this.addPythonTests(item, t.rel, t.text);
    }
  }

  private async resolveFile(item: vscode.TestItem): Promise<void> {
    if (!item.uri || item.children.size) return;
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(item.uri));
      this.addPythonTests(item, item.id, text);
    } catch {
      /* unreadable: children come from run results */
    }
  }

  /** Test functions a Python test file defines at top level or in Test* classes (ids as pytest names them). */
  private addPythonTests(item: vscode.TestItem, rel: string, text: string): void {
    if (!rel.endsWith('.py')) return;
    let cls: string | undefined;
    text.split('\n').forEach((line, i) => {
      const c = /^class\s+(Test\w*)/.exec(line);
      if (c) cls = c[1];
      else if (/^\S/.test(line)) cls = undefined;
      const f = /^(\s*)(?:async\s+)?def\s+(test\w*)/.exec(line);
      if (!f) return;
      const inClass = f[1].length > 0;
      if (inClass && !cls) return;
      const id = inClass ? `${rel}::${cls}::${f[2]}` : `${rel}::${f[2]}`;
      const child = this.itemFor(id, true)!;
      child.range = new vscode.Range(i, 0, i, line.length);
    });
  }

  private async runRequest(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (!this.deps.trusted()) {
      void vscode.window.showWarningMessage('Rover runs no tests or commands in an untrusted workspace.');
      return;
    }
    const ids = req.include?.map((i) => i.id);
    if (req.continuous) {
      // continuous run = test-on-save for as long as the user keeps it on
      this.continuous++;
      this.render();
      token.onCancellationRequested(() => {
        this.continuous = Math.max(0, this.continuous - 1);
        this.render();
      });
      return;
    }
    const ctrl = new AbortController();
    token.onCancellationRequested(() => ctrl.abort());
    await this.execute(ids, 'manual', ctrl.signal, undefined, req);
  }

  /** Runs tests on the working tree and publishes them to the Testing view and diagnostics. */
  async execute(
    tests: string[] | undefined,
    trigger: TestOutcomeSummary['trigger'],
    signal: AbortSignal,
    selection?: string,
    request?: vscode.TestRunRequest,
  ): Promise<TestOutcomeSummary> {
    const root = this.deps.root()!;
    await this.discover();
    const items = (tests ?? []).map((t) => this.itemFor(t, true)!).filter(Boolean);
    const run = this.controller.createTestRun(request ?? new vscode.TestRunRequest(items.length ? items : undefined), `Rover (${trigger})`, false);
    for (const it of items) run.started(it);
    const started = Date.now();
    let result: (TestRunResult & { runDir: string }) | undefined;
    let error: string | undefined;
    try {
      result = await runTestsOnWorkingTree(root, this.deps.settings(), { tests, signal });
    } catch (e) {
      error = (e as Error).message;
    }
    const summary: TestOutcomeSummary = {
      trigger,
      tests: tests ?? [],
      selection,
      passed: 0,
      failed: 0,
      skipped: 0,
      cancelled: signal.aborted || !!result?.cancelled,
      timedOut: !!result?.timedOut,
      error: error ?? result?.error,
      failures: [],
      durationMs: Date.now() - started,
      at: new Date().toISOString(),
    };
    if (result) {
      if (result.output) run.appendOutput(result.output.replace(/\r?\n/g, '\r\n'));
      const spots = failureSpots(result.runDir, result.failures, result.output);
      for (const [id, status] of Object.entries(result.results)) {
        const item = this.itemFor(id, true)!;
        const fail = result.failures.find((f) => f.id === id);
        const spot = spots.find((s) => s.testId === id);
        if (status === 'passed' || status === 'xfail') {
          summary.passed++;
          run.passed(item);
          this.diagByTest.delete(id);
        } else if (status === 'skipped') {
          summary.skipped++;
          run.skipped(item);
          this.diagByTest.delete(id);
        } else {
          summary.failed++;
          const msg = new vscode.TestMessage(fail?.message ?? `${id} ${status}`);
          if (spot) msg.location = new vscode.Location(vscode.Uri.file(join(root, spot.rel)), new vscode.Position(spot.line - 1, 0));
          if (status === 'error') run.errored(item, msg);
          else run.failed(item, msg);
          summary.failures.push({ id, file: spot?.rel, line: spot?.line, message: (fail?.message ?? status).split('\n')[0] });
          if (spot) this.diagByTest.set(id, { rel: spot.rel, line: spot.line, message: spot.message });
        }
      }
    }
    if (summary.error && !summary.cancelled) {
      this.deps.log.warn(`Test run problem: ${summary.error}`);
      for (const it of items) run.errored(it, new vscode.TestMessage(summary.error));
    }
    run.end();
    if (!summary.cancelled) {
      this.publishDiagnostics(root);
      this.last = summary;
      this.deps.onResult(summary);
    }
    this.render();
    return summary;
  }

  private publishDiagnostics(root: string): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const [id, d] of this.diagByTest) {
      const line = Math.max(0, d.line - 1);
      const diag = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), d.message, vscode.DiagnosticSeverity.Error);
      diag.source = 'rover';
      diag.code = id;
      const list = byFile.get(d.rel) ?? [];
      list.push(diag);
      byFile.set(d.rel, list);
    }
    this.diagnostics.clear();
    for (const [rel, list] of byFile) this.diagnostics.set(vscode.Uri.file(join(root, rel)), list);
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
