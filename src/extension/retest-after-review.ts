// Once a review settles with hunks accepted, the tests that validated the patch run again on the
// user's files (the fix session's validating tests, else the tests the changed files impact) and
// the user is told how they fared. Waits for the user's unsaved files instead of testing stale disk.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ReviewSession } from './logic/review-session';
import type { SharedState } from './logic/shared-state';
import type { ReviewController } from './review-controller';
import type { TestSelection } from './test-selection';
import type { TestingController } from './testing';
import type { WorkspaceAccess } from './workspace-access';

export class RetestAfterReview implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    review: ReviewController,
    private readonly workspace: WorkspaceAccess,
    private readonly testing: TestingController,
    private readonly selection: TestSelection,
    private readonly state: SharedState,
  ) {
    this.subscription = review.onDidSettle((s) => void this.retest(s));
  }

  private async retest(s: ReviewSession): Promise<void> {
    const root = this.workspace.root();
    if (!root || !this.workspace.trusted) return;
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && s.touchedFiles().includes(d.uri.fsPath));
    if (dirty.length) {
      void vscode.window.showInformationMessage(`Rover re-runs the validating tests on your files once you save ${dirty.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')}.`);
      return;
    }
    // a rejected reproduction test is not on disk: its tests cannot run
    const present = this.state.get('validatingTests').filter((t) => !t.includes('::') || existsSync(join(root, t.split('::')[0])));
    let tests = present.length ? present : undefined;
    if (!tests) {
      const sel = await this.selection.impacted(s.touchedFiles());
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

  dispose(): void {
    this.subscription.dispose();
  }
}
