// Test on save: after a save, the impacted tests run in the background (debounced; a newer save
// cancels a stale run), while the per-workspace toggle or a continuous run in the Testing view is on
// and the folder is trusted. The status-bar item shows the state and the last result; clicking it
// toggles.
import * as vscode from 'vscode';
import { succeeded, type CommandResult } from './logic/command-result';
import { SaveScheduler } from './logic/save-scheduler';
import type { SharedState } from './logic/shared-state';
import type { TestOutcomeSummary } from './logic/test-outcome';
import type { RoverLog } from './rover-log';
import type { TestSelection } from './test-selection';
import type { TestingController } from './testing';
import type { WorkspaceAccess } from './workspace-access';

const TOGGLE_KEY = 'rover.testOnSave';

export type ToggleResult = CommandResult<{ enabled: boolean }>;

export class TestOnSave implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem('rover.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.status];
  private scheduler: SaveScheduler<TestOutcomeSummary | undefined>;
  private enabled = false;

  constructor(
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly testing: TestingController,
    private readonly selection: TestSelection,
    private readonly state: SharedState,
    /** Per-workspace memory of the toggle (VS Code's workspace storage). */
    private readonly memory: vscode.Memento,
  ) {
    this.status.name = 'Rover';
    this.status.command = 'rover.toggleTestOnSave';
    this.scheduler = this.makeScheduler();
    this.disposables.push(
      vscode.commands.registerCommand('rover.toggleTestOnSave', (a?: { enabled?: boolean }) => this.toggle(a)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSaved(d)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.startIfTrusted()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rover.testOnSave')) this.setEnabled(this.workspace.trusted && this.wanted());
      }),
      testing.onDidChangeContinuousRuns(() => this.render()),
      state.onDidChange((name) => {
        if (name === 'lastTestResult') this.render();
      }),
    );
    this.startIfTrusted();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  schedulerFigures() {
    return { started: this.scheduler.started, cancelled: this.scheduler.cancelled, completed: this.scheduler.completed, running: this.scheduler.running };
  }

  private startIfTrusted(): void {
    if (this.workspace.root() && this.workspace.trusted) this.setEnabled(this.wanted());
    else this.render();
  }

  /** The toggle's per-workspace choice wins over the rover.testOnSave setting. */
  private wanted(): boolean {
    const toggled = this.memory.get<boolean>(TOGGLE_KEY);
    return typeof toggled === 'boolean' ? toggled : this.workspace.settings().testOnSave;
  }

  private makeScheduler(): SaveScheduler<TestOutcomeSummary | undefined> {
    return new SaveScheduler<TestOutcomeSummary | undefined>({
      delayMs: this.workspace.settings().debounceMs,
      run: (files, signal) => this.runForSaves(files, signal),
      onStart: (files) => this.render(`$(sync~spin) Rover: testing ${files.length === 1 ? files[0] : `${files.length} files`}…`),
      onDone: (r) => {
        if (r.cancelled) this.log.info(`Test-on-save run for ${r.files.join(', ')} cancelled by a newer save`);
        this.render();
      },
      onError: (e) => {
        this.log.error(`Test-on-save failed: ${(e as Error).message}`);
        this.render();
      },
    });
  }

  private setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) {
      // a fresh scheduler: whatever the old one had queued or running is cancelled with it
      this.scheduler.dispose();
      this.scheduler = this.makeScheduler();
    }
    this.render();
  }

  private async toggle(a?: { enabled?: boolean }): Promise<ToggleResult> {
    const want = typeof a?.enabled === 'boolean' ? a.enabled : !this.enabled;
    if (want) {
      const refused = this.workspace.refuseUntrusted();
      if (refused) return { ...refused, enabled: false };
    }
    const root = this.workspace.folder();
    if (typeof root !== 'string') return { ...root, enabled: false };
    // per workspace, in VS Code's workspace storage: writing .vscode/settings.json would change the
    // user's tree (and their git status) just to remember a toggle
    await this.memory.update(TOGGLE_KEY, want);
    this.setEnabled(want);
    this.log.info(`Test on save ${want ? 'enabled' : 'disabled'} for this workspace`);
    return succeeded({ enabled: want });
  }

  private onSaved(d: vscode.TextDocument): void {
    const root = this.workspace.root();
    if (!root || d.uri.scheme !== 'file' || !d.uri.fsPath.startsWith(root)) return;
    if (!(this.enabled || this.testing.continuousRunCount > 0) || !this.workspace.trusted) {
      this.selection.rememberSaved(d);
      return;
    }
    this.scheduler.saved(d.uri.fsPath);
  }

  private async runForSaves(files: string[], signal: AbortSignal): Promise<TestOutcomeSummary | undefined> {
    const sel = await this.selection.impacted(files);
    this.log.info(`Test on save: ${sel.tests.length ? `running ${sel.tests.join(', ')}` : 'nothing to run'} (${sel.reason})`);
    if (!sel.tests.length || signal.aborted) return undefined;
    return this.testing.execute(sel.tests, 'save', signal, sel.reason);
  }

  private render(override?: string): void {
    if (!this.workspace.trusted) {
      this.status.text = '$(shield) Rover: restricted';
      this.status.tooltip = 'Rover runs no tests or commands in an untrusted workspace. Index and search still work.';
      this.status.show();
      return;
    }
    const l = this.state.get('lastTestResult');
    const on = this.enabled || this.testing.continuousRunCount > 0 ? 'on' : 'off';
    this.status.text = override ?? (l ? resultText(l) : `$(beaker) Rover: test on save ${on}`);
    this.status.tooltip = new vscode.MarkdownString(
      `Test on save is **${on}** (click to toggle).` +
        (l ? `\n\nLast run (${l.trigger}, ${l.at}): ${l.passed} passed, ${l.failed} failed${l.selection ? `\n\n${l.selection}` : ''}` : ''),
    );
    this.status.show();
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function resultText(l: TestOutcomeSummary): string {
  if (l.cancelled) return '$(circle-slash) Rover: cancelled';
  if (l.error) return '$(warning) Rover: test error';
  return l.failed ? `$(error) Rover: ${l.failed} failed, ${l.passed} passed` : `$(pass) Rover: ${l.passed} passed`;
}
