// Tests in the editor: the 'rover' TestController (an item per test file the index holds, Python tests
// inside from the index's symbols, more from run results), a Run profile that also supports continuous
// runs, and diagnostics on failing assertion lines. Every run goes through execute(), which publishes
// its outcome as the shared lastTestResult.
import * as vscode from 'vscode';
import { join } from 'node:path';
import * as core from './core-bridge';
import { abortOnCancel } from './cancellation';
import { failureSpots } from './logic/failure-lines';
import { pythonTests } from './logic/python-tests';
import type { SharedState } from './logic/shared-state';
import type { TestOutcomeSummary } from './logic/test-outcome';
import type { RoverLog } from './rover-log';
import type { WorkspaceAccess } from './workspace-access';

/** What the Testing view needs of the index: the files, and word when they change. */
export interface TestIndexSource {
  current(): Promise<core.WorkspaceIndex> | undefined;
  refresh(): Promise<core.WorkspaceIndex | undefined>;
  readonly onDidUpdateFile: vscode.Event<string>;
  readonly onDidRebuild: vscode.Event<void>;
}

export class TestingController implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('rover', 'Rover');
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('rover');
  private readonly diagByTest = new Map<string, { rel: string; line: number; message: string }>();
  private readonly continuousChanged = new vscode.EventEmitter<number>();
  private readonly disposables: vscode.Disposable[] = [this.controller, this.diagnostics, this.continuousChanged];
  /** Cancellation listeners of continuous runs still on. */
  private readonly continuousRuns = new Set<vscode.Disposable>();
  private discovered = false;
  /** A continuous run started or ended; the argument is how many are on. */
  readonly onDidChangeContinuousRuns = this.continuousChanged.event;

  constructor(
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly index: TestIndexSource,
    private readonly state: SharedState,
  ) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = async () => {
      await this.index.refresh();
      this.discovered = false;
      await this.discover();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.runRequest(req, token), true, undefined, true);
    this.disposables.push(
      index.onDidUpdateFile((rel) => void this.fileChanged(rel)),
      index.onDidRebuild(() => {
        if (!this.discovered) return;
        this.discovered = false;
        void this.discover();
      }),
    );
  }

  /** For rover._state: the test items the view shows (ids capped: a big suite would flood the state). */
  snapshot(): { discovered: boolean; files: number; tests: string[] } {
    const tests: string[] = [];
    this.controller.items.forEach((f) => f.children.forEach((t) => void (tests.length < 500 && tests.push(t.id))));
    return { discovered: this.discovered, files: this.controller.items.size, tests };
  }

  /** Continuous runs on in the Testing view: each is test-on-save for as long as it lasts. */
  get continuousRunCount(): number {
    return this.continuousRuns.size;
  }

  /** Test files from the index, once; later changes arrive through onDidUpdateFile. */
  async discover(): Promise<void> {
    if (this.discovered) return;
    this.discovered = true;
    const index = await this.index.current()?.catch(() => undefined);
    if (!index) return;
    const files = index.files().filter((f) => core.isTestFile(f.path));
    for (const f of files) this.showFile(f);
    const present = new Set(files.map((f) => f.path));
    this.controller.items.forEach((item) => {
      if (!present.has(item.id)) this.controller.items.delete(item.id);
    });
  }

  private async fileChanged(rel: string): Promise<void> {
    if (!this.discovered || !core.isTestFile(rel)) return;
    const index = await this.index.current()?.catch(() => undefined);
    const rec = index?.getFile(rel);
    if (rec) this.showFile(rec);
    else this.controller.items.delete(rel);
  }

  /**
   * A test file's item with the tests its symbols define (Python; other runners' tests appear from
   * run results). Children a run reported that the symbols explain (parametrized ids) stay.
   */
  private showFile(rec: core.FileRecord): void {
    const fileItem = this.itemFor(rec.path, true)!;
    if (rec.lang !== 'python') return;
    const tests = pythonTests(rec.path, rec.symbols);
    const ids = new Set(tests.map((t) => t.id));
    fileItem.children.forEach((child) => {
      const base = child.id.replace(/\[.*$/, '');
      if (!ids.has(base)) fileItem.children.delete(child.id);
    });
    for (const t of tests) {
      const item = this.itemFor(t.id, true)!;
      item.range = new vscode.Range(t.startLine - 1, 0, t.endLine - 1, 0);
    }
  }

  private itemFor(id: string, create: boolean): vscode.TestItem | undefined {
    const root = this.workspace.root()!;
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

  private async runRequest(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (!this.workspace.trusted) {
      void vscode.window.showWarningMessage('Rover runs no tests or commands in an untrusted workspace.');
      return;
    }
    if (req.continuous) {
      // a continuous run is test-on-save for as long as the user keeps it on
      const sub = token.onCancellationRequested(() => {
        sub.dispose();
        this.continuousRuns.delete(sub);
        this.continuousChanged.fire(this.continuousRuns.size);
      });
      this.continuousRuns.add(sub);
      this.continuousChanged.fire(this.continuousRuns.size);
      return;
    }
    const link = abortOnCancel(token);
    try {
      await this.execute(req.include?.map((i) => i.id), 'manual', link.signal, undefined, req);
    } finally {
      link.dispose();
    }
  }

  /** Runs tests on the working tree and publishes them to the Testing view and diagnostics. */
  async execute(
    tests: string[] | undefined,
    trigger: TestOutcomeSummary['trigger'],
    signal: AbortSignal,
    selection?: string,
    request?: vscode.TestRunRequest,
  ): Promise<TestOutcomeSummary> {
    const root = this.workspace.root()!;
    await this.discover();
    const items = (tests ?? []).map((t) => this.itemFor(t, true)!).filter(Boolean);
    const run = this.controller.createTestRun(request ?? new vscode.TestRunRequest(items.length ? items : undefined), `Rover (${trigger})`, false);
    for (const it of items) run.started(it);
    const started = Date.now();
    let result: (core.TestRunResult & { runDir: string }) | undefined;
    let error: string | undefined;
    try {
      const s = this.workspace.settings();
      result = await core.runTestsOnWorkingTree(root, { command: s.testsCommand, timeoutMs: s.testTimeoutMs }, { tests, signal });
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
    if (result) this.report(run, result, summary, root);
    if (summary.error && !summary.cancelled) {
      this.log.warn(`Test run problem: ${summary.error}`);
      for (const it of items) run.errored(it, new vscode.TestMessage(summary.error));
    }
    run.end();
    if (!summary.cancelled) {
      this.publishDiagnostics(root);
      this.state.set('lastTestResult', summary);
    }
    return summary;
  }

  /** Each test's result into the run and the summary; a failure's assertion line becomes a diagnostic. */
  private report(run: vscode.TestRun, result: core.TestRunResult & { runDir: string }, summary: TestOutcomeSummary, root: string): void {
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
    for (const d of this.continuousRuns) d.dispose();
    this.continuousRuns.clear();
    for (const d of this.disposables) d.dispose();
  }
}
