// "Rover: Validate Current Changes": the working tree's diff against HEAD, tested before and after on
// the tests it impacts (the whole suite when none are known): fail→pass, pass→fail, a verdict.
import * as vscode from 'vscode';
import { join } from 'node:path';
import * as core from './core-bridge';
import { withCancellableProgress } from './cancellation';
import { failed, succeeded, type CommandResult } from './logic/command-result';
import type { RoverLog } from './rover-log';
import type { TestSelection } from './test-selection';
import type { WorkspaceAccess } from './workspace-access';

export interface ValidationSummary {
  verdict: string;
  failToPass: string[];
  passToFail: string[];
  stillFailing?: string[];
  explanation: string;
  /** The tests chosen, and why (empty: the whole suite ran). */
  tests?: string[];
  selection?: string;
}

export class ValidateController implements vscode.Disposable {
  private lastResult?: CommandResult<ValidationSummary>;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly selection: TestSelection,
  ) {
    this.disposables = [vscode.commands.registerCommand('rover.validateChanges', () => this.validate())];
  }

  /** The last validation's result (rover._state reports it). */
  get last(): CommandResult<ValidationSummary> | undefined {
    return this.lastResult;
  }

  private async validate(): Promise<CommandResult<ValidationSummary>> {
    const root = this.workspace.trustedFolder();
    if (typeof root !== 'string') return root;
    const s = this.workspace.settings();
    let cancelled = false;
    try {
      const r = await withCancellableProgress('Rover: validating your changes', async (signal) => {
        try {
          return await this.validateIn(root, { command: s.testsCommand, timeoutMs: s.testTimeoutMs }, signal);
        } finally {
          cancelled = signal.aborted;
        }
      });
      const msg = r.verdict === 'no-changes' ? `Rover: ${r.explanation}` : `Rover: ${r.verdict} — ${r.explanation}`;
      if (r.passToFail.length || r.verdict === 'error' || r.verdict === 'regressed') void vscode.window.showWarningMessage(msg);
      else void vscode.window.showInformationMessage(msg);
      return (this.lastResult = succeeded(r));
    } catch (e) {
      const message = (e as Error).message;
      if (cancelled) return (this.lastResult = failed('cancelled', 'Validate Current Changes was cancelled.'));
      this.log.error(`Validate Current Changes: ${message}`);
      void vscode.window.showErrorMessage(`Rover: ${message}`);
      return (this.lastResult = failed('error', message, { verdict: 'error', failToPass: [], passToFail: [], explanation: message }));
    }
  }

  private async validateIn(root: string, tests: core.TestSettings, signal: AbortSignal): Promise<ValidationSummary> {
    const { diff, files } = await core.workingTreeDiff(root, signal);
    if (!diff.trim()) return { verdict: 'no-changes', failToPass: [], passToFail: [], explanation: 'The working tree has no changes against HEAD.' };
    const sel = await this.selection.impacted(files.map((f) => join(root, f)));
    const report = await core.validateChanges(root, tests, { patch: diff, testFiles: sel.tests.length ? sel.tests : undefined, signal });
    return {
      verdict: report.verdict,
      failToPass: report.failToPass,
      passToFail: report.passToFail,
      stillFailing: report.stillFailing,
      explanation: report.explanation,
      tests: sel.tests,
      selection: sel.reason,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
