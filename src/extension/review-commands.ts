// The review's commands: accept or reject the hunk at the cursor (or the one named in the arguments),
// all of them at once, restore a file an accepted deletion removed, and rover._openReview, which reviews a given diff as if a run had proposed it
// (the end-to-end suites' way in).
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { failed, succeeded, type CommandResult } from './logic/command-result';
import { PatchParseError } from './logic/patch-hunks';
import type { HunkDecision, ReviewSession } from './logic/review-session';
import type { ReviewController } from './review-controller';
import type { WorkspaceAccess } from './workspace-access';

interface HunkArgs {
  file?: string;
  hunk?: number;
  fuzzy?: boolean;
}

export class ReviewCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly review: ReviewController,
    private readonly workspace: WorkspaceAccess,
  ) {
    // arguments mean a caller that wants no prompt (a CodeLens, a test); none means the palette
    this.disposables = [
      vscode.commands.registerCommand('rover.review.acceptHunk', (a?: HunkArgs) => this.onHunk('accept', a)),
      vscode.commands.registerCommand('rover.review.rejectHunk', (a?: HunkArgs) => this.onHunk('reject', a)),
      vscode.commands.registerCommand('rover.review.acceptAll', (a?: { fuzzy?: boolean }) => this.review.acceptAll({ fuzzy: a?.fuzzy, interactive: !a })),
      vscode.commands.registerCommand('rover.review.rejectAll', (a?: object) => this.review.rejectAll({ interactive: !a })),
      vscode.commands.registerCommand('rover.review.restoreDeleted', (a?: { file?: string }) => this.onRestore(a)),
      vscode.commands.registerCommand('rover._openReview', (a?: { diff?: string }) => this.openFromDiff(a)),
    ];
  }

  private async onHunk(kind: 'accept' | 'reject', a?: HunkArgs): Promise<HunkDecision> {
    const target = a && typeof a.file === 'string' && typeof a.hunk === 'number' ? { file: a.file, hunk: a.hunk } : await this.review.hunkAtCursor();
    if (!target) {
      const message = 'No Rover hunk here: open a file under review (or pass {file, hunk}).';
      void vscode.window.showWarningMessage(message);
      return { ok: false, reason: 'bad-input', message, remaining: this.review.active?.remaining() ?? 0 };
    }
    const file = this.workspace.absPath(target.file);
    return kind === 'accept'
      ? this.review.accept(file, target.hunk, { fuzzy: a?.fuzzy, interactive: !a })
      : this.review.reject(file, target.hunk, { interactive: !a });
  }

  /** `{file}`, or the palette's pick among the files the review deleted. */
  private async onRestore(a?: { file?: string }): Promise<HunkDecision> {
    let file = typeof a?.file === 'string' ? this.workspace.absPath(a.file) : undefined;
    if (!file) {
      const deleted = this.review.deletedFiles();
      const remaining = this.review.active?.remaining() ?? 0;
      if (!deleted.length) return { ok: false, reason: 'bad-input', message: 'The review deleted no file.', remaining };
      const pick = deleted.length === 1 ? deleted[0] : (await vscode.window.showQuickPick(deleted.map((f) => ({ label: vscode.workspace.asRelativePath(f, false), file: f })), { title: 'Rover: restore a file the review deleted' }))?.file;
      if (!pick) return { ok: false, reason: 'dismissed', message: 'No file chosen.', remaining };
      file = pick;
    }
    return this.review.restoreDeleted(file);
  }

  private async openFromDiff(a?: { diff?: string }): Promise<CommandResult<{ files: ReturnType<ReviewSession['snapshot']> }>> {
    const root = this.workspace.folder();
    if (typeof root !== 'string') return root;
    if (typeof a?.diff !== 'string') return failed('bad-input', 'rover._openReview needs {diff: string}.');
    try {
      const s = await this.review.open(core.runIdFor(a.diff), a.diff, root);
      return succeeded({ files: s.snapshot() });
    } catch (e) {
      return failed(e instanceof PatchParseError ? 'bad-input' : 'error', (e as Error).message);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
