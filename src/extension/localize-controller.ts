// "Rover: Localize Fault": spectrum-based ranking of suspicious methods from failing tests, shown in the
// Suspicious Code view with a gutter heat map. The view also shows what a fix session localized: it
// follows the shared `suspects`, whoever wrote them.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { withCancellableProgress } from './cancellation';
import { failed, succeeded, type CommandFailure, type CommandResult } from './logic/command-result';
import { checkFailingTest } from './logic/issue-source';
import type { SharedState } from './logic/shared-state';
import type { RoverLog } from './rover-log';
import { SuspectsView } from './suspects';
import type { WorkspaceAccess } from './workspace-access';

/** `{test}`, `{tests}`, or a TestItem from the Testing view's context menu (`{id}`). */
type LocalizeArgs = { test?: string; tests?: string[]; id?: string };

export type LocalizeResult = CommandResult<{ entries: core.LocalizeEntry[]; mode: string }>;

export class LocalizeController implements vscode.Disposable {
  private readonly view: SuspectsView;
  private readonly disposables: vscode.Disposable[];

  constructor(
    extensionUri: vscode.Uri,
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly index: { current(): Promise<core.WorkspaceIndex> | undefined },
    private readonly state: SharedState,
  ) {
    this.view = new SuspectsView(extensionUri);
    this.disposables = [
      this.view,
      vscode.commands.registerCommand('rover.localizeFault', (a?: unknown) => this.localizeFault(a)),
      state.onDidChange((name) => {
        const s = name === 'suspects' ? state.get('suspects') : undefined;
        if (s) this.view.show(s.root, s.entries, s.mode);
      }),
    ];
  }

  private async localizeFault(arg?: unknown): Promise<LocalizeResult> {
    const root = this.workspace.trustedFolder();
    if (typeof root !== 'string') return root;
    const tests = await this.failingTests(arg as LocalizeArgs | undefined);
    if (!Array.isArray(tests)) return tests;
    for (const t of tests) {
      const c = checkFailingTest(t);
      if (!c.ok) return failed('bad-input', c.message);
    }
    const s = this.workspace.settings();
    let cancelled = false;
    try {
      const out = await withCancellableProgress('Rover: localizing the fault', async (signal) => {
        const index = await this.index.current()?.catch(() => undefined);
        try {
          return await core.localize(root, { command: s.testsCommand, timeoutMs: s.testTimeoutMs }, { failing: tests, signal, index, cacheDir: this.workspace.storageDir('localize') });
        } finally {
          cancelled = signal.aborted;
        }
      });
      for (const w of out.warnings ?? []) this.log.warn(`localize: ${w}`);
      if (out.coverage) this.state.set('coverage', out.coverage);
      this.state.set('suspects', { root, entries: out.entries, mode: out.mode });
      await vscode.commands.executeCommand('rover.suspects.focus');
      return succeeded({ entries: out.entries, mode: out.mode });
    } catch (e) {
      const message = (e as Error).message;
      if (cancelled) return failed('cancelled', 'Localize Fault was cancelled.');
      this.log.error(`Localize Fault: ${message}`);
      void vscode.window.showErrorMessage(`Rover: ${message}`);
      return failed('error', message);
    }
  }

  /** The failing tests from the arguments, else picked from the last run's failures, else typed in. */
  private async failingTests(o?: LocalizeArgs): Promise<string[] | CommandFailure> {
    if (o && typeof o.test === 'string') return [o.test];
    if (o && Array.isArray(o.tests)) return o.tests.filter((t): t is string => typeof t === 'string');
    if (o && typeof o.id === 'string') return [o.id];
    const failures = this.state.get('lastTestResult')?.failures ?? [];
    if (failures.length && !o) {
      const pick = await vscode.window.showQuickPick(failures.map((f) => f.id), { canPickMany: true, title: 'Rover: failing tests to localize from' });
      return pick?.length ? pick : failed('dismissed', 'No test chosen.');
    }
    const t = await vscode.window.showInputBox({ title: 'Rover: Localize Fault', prompt: 'Failing test id', placeHolder: 'tests/test_x.py::test_y' });
    return t?.trim() ? [t.trim()] : failed('dismissed', 'No test given.');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
