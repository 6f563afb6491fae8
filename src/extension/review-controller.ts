// Inline review of a proposed patch: a diff editor (real file vs. the `rover-proposed` side), Accept /
// Reject CodeLens per hunk on both the real file and the proposed side, decorations on the lines a hunk
// would remove, and editor-title Accept All / Reject All. A file the patch deletes shows as all
// removed, with a "Delete file" CodeLens. The decisions live in ReviewSession.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { ReviewSession, type DocumentPort, type HunkDecision } from './logic/review-session';
import type { RoverLog } from './rover-log';

export const PROPOSED_SCHEME = 'rover-proposed';

/** Applies edits to the live documents: one WorkspaceEdit per accept (one undo step, file deletions included). */
export class VscodeDocuments implements DocumentPort {
  async readText(file: string): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open) return open.getText();
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
      return new TextDecoder('utf-8').decode(bytes);
    } catch {
      return undefined;
    }
  }

  async replace(file: string, start: number, end: number, text: string): Promise<boolean> {
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    // Saved afterwards only when the user had nothing unsaved: their own unsaved work is never written
    // to disk by Rover.
    const wasDirty = doc.isDirty;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(start), doc.positionAt(end)), text);
    const ok = await vscode.workspace.applyEdit(edit);
    if (ok && !wasDirty) await doc.save();
    return ok;
  }

  async createFile(file: string, text: string): Promise<boolean> {
    const uri = vscode.Uri.file(file);
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(text) });
    const ok = await vscode.workspace.applyEdit(edit);
    if (ok) {
      const doc = await vscode.workspace.openTextDocument(uri);
      if (doc.isDirty) await doc.save();
    }
    return ok;
  }

  async deleteFile(file: string): Promise<boolean> {
    const edit = new vscode.WorkspaceEdit();
    edit.deleteFile(vscode.Uri.file(file), { ignoreIfNotExists: true });
    return vscode.workspace.applyEdit(edit);
  }
}

export class ReviewController implements vscode.Disposable {
  private session?: ReviewSession;
  /** The last settled review, still reported by snapshot() so its decisions stay observable. */
  private settled?: ReviewSession;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly contentChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly settledEmitter = new vscode.EventEmitter<ReviewSession>();
  private readonly rerunEmitter = new vscode.EventEmitter<void>();
  /** Every hunk of a review is decided and at least one was accepted. */
  readonly onDidSettle = this.settledEmitter.event;
  /** The user chose "Re-run" after a refused accept: the patch no longer fits the code. */
  readonly onDidRequestRerun = this.rerunEmitter.event;
  private readonly removedDeco = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.deletedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private readonly hunkDeco = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    borderStyle: 'dashed',
    borderWidth: '1px 0 0 0',
  });
  private readonly docs = new VscodeDocuments();

  constructor(private readonly log: RoverLog) {
    const selector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: PROPOSED_SCHEME }];
    this.disposables.push(
      this.contentChanged,
      this.lensChanged,
      this.settledEmitter,
      this.rerunEmitter,
      this.removedDeco,
      this.hunkDeco,
      vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, {
        onDidChange: this.contentChanged.event,
        provideTextDocumentContent: (uri) => this.proposedContent(uri),
      }),
      vscode.languages.registerCodeLensProvider(selector, {
        onDidChangeCodeLenses: this.lensChanged.event,
        provideCodeLenses: (doc) => this.lenses(doc),
      }),
      vscode.window.onDidChangeActiveTextEditor(() => void this.refreshEditors()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.session?.has(e.document.uri.fsPath)) void this.refresh();
      }),
    );
  }

  get active(): ReviewSession | undefined {
    return this.session;
  }

  /** The open review, else the last settled one (Open Pull Request reads its decisions). */
  lastSession(): ReviewSession | undefined {
    return this.session ?? this.settled;
  }

  snapshot() {
    return (this.session ?? this.settled)?.snapshot() ?? [];
  }

  /** Starts reviewing `diff` (replacing any earlier review) and opens the diff editor. */
  async open(runId: string, diff: string, root: string): Promise<ReviewSession> {
    const session = new ReviewSession(runId, diff, root, this.docs);
    this.session = session;
    this.settled = undefined;
    await this.refresh();
    const files = session.fileList();
    const pairs = files.map((f) => {
      const pf = session.patchFile(f)!;
      const left = pf.isNew ? this.proposedUri(f, 'base') : vscode.Uri.file(f);
      return [vscode.Uri.file(f), left, this.proposedUri(f)] as const;
    });
    const n = session.remaining();
    const hunks = `${n} hunk${n === 1 ? '' : 's'}`;
    const deleted = files.filter((f) => session.change(f) === 'delete').map((f) => basename(f));
    if (pairs.length === 1) {
      const [, left, right] = pairs[0];
      const title = deleted.length ? `${deleted[0]} ↔ Rover proposes deleting this file` : `${basename(files[0])} ↔ Rover's proposal (${hunks})`;
      // beside the code, keeping focus: the user's own editor of the file stays open and editable
      await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    } else {
      try {
        // the multi-diff editor adds "(N files)" to the title itself
        const deletes = deleted.length ? `, deletes ${deleted.join(', ')}` : '';
        await vscode.commands.executeCommand('vscode.changes', `Rover's proposal, ${hunks}${deletes}`, pairs.map(([a, b, c]) => [a, b, c]));
      } catch {
        const [, left, right] = pairs[0];
        await vscode.commands.executeCommand('vscode.diff', left, right, `${basename(files[0])} ↔ Rover's proposal`, { preview: false, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
      }
    }
    return session;
  }

  private proposedUri(file: string, side?: 'base'): vscode.Uri {
    return vscode.Uri.file(file).with({ scheme: PROPOSED_SCHEME, query: side ? `side=${side}` : `run=${this.session?.runId ?? ''}` });
  }

  private async proposedContent(uri: vscode.Uri): Promise<string> {
    if (uri.query.includes('side=base')) return '';
    const file = vscode.Uri.file(uri.path).fsPath;
    if (!this.session?.has(file)) return '';
    return this.session.proposedText(file);
  }

  private async lenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const s = this.session;
    if (!s) return [];
    const file = doc.uri.scheme === PROPOSED_SCHEME ? vscode.Uri.file(doc.uri.path).fsPath : doc.uri.fsPath;
    if (doc.uri.scheme === PROPOSED_SCHEME && doc.uri.query.includes('side=base')) return [];
    if (!s.has(file)) return [];
    const views = (await s.view(file)).filter((v) => v.status === 'pending' && v.line !== undefined).sort((a, b) => a.line! - b.line!);
    const out: vscode.CodeLens[] = [];
    const onProposed = doc.uri.scheme === PROPOSED_SCHEME;
    let shift = 0;
    views.forEach((v, i) => {
      const line = Math.min(Math.max(0, v.line! + (onProposed ? shift : 0)), Math.max(0, doc.lineCount - 1));
      shift += v.newLineCount - (v.lineCount ?? 0);
      const range = new vscode.Range(line, 0, line, 0);
      const args = { file, hunk: v.id };
      out.push(
        v.deletesFile
          ? new vscode.CodeLens(range, { title: `$(trash) Accept: delete this file (−${v.removed} lines)`, command: 'rover.review.acceptHunk', arguments: [args] })
          : new vscode.CodeLens(range, { title: `$(check) Accept hunk ${v.id + 1} (+${v.added} −${v.removed})`, command: 'rover.review.acceptHunk', arguments: [args] }),
        new vscode.CodeLens(range, { title: v.deletesFile ? '$(close) Reject: keep it' : '$(close) Reject', command: 'rover.review.rejectHunk', arguments: [args] }),
      );
      if (i === 0 && s.remaining() > 1) {
        out.push(
          new vscode.CodeLens(range, { title: 'Accept All', command: 'rover.review.acceptAll', arguments: [{}] }),
          new vscode.CodeLens(range, { title: 'Reject All', command: 'rover.review.rejectAll', arguments: [{}] }),
        );
      }
    });
    return out;
  }

  private async refreshEditors(): Promise<void> {
    const s = this.session;
    const activeFile = vscode.window.activeTextEditor?.document.uri;
    await vscode.commands.executeCommand('setContext', 'rover.reviewFileActive', !!s && !!activeFile && activeFile.scheme === 'file' && s.has(activeFile.fsPath));
    for (const ed of vscode.window.visibleTextEditors) {
      if (ed.document.uri.scheme !== 'file') continue;
      const file = ed.document.uri.fsPath;
      if (!s || !s.has(file)) {
        ed.setDecorations(this.removedDeco, []);
        ed.setDecorations(this.hunkDeco, []);
        continue;
      }
      const views = (await s.view(file)).filter((v) => v.status === 'pending' && v.line !== undefined);
      ed.setDecorations(
        this.removedDeco,
        views.flatMap((v) => v.removedIdx.map((k) => new vscode.Range(v.line! + k, 0, v.line! + k, 0))),
      );
      ed.setDecorations(this.hunkDeco, views.map((v) => new vscode.Range(v.line!, 0, v.line!, 0)));
    }
  }

  private async refresh(): Promise<void> {
    const s = this.session;
    await vscode.commands.executeCommand('setContext', 'rover.reviewActive', !!s && !s.isSettled());
    await vscode.commands.executeCommand('setContext', 'rover.reviewDeletedFiles', !!(s ?? this.settled)?.deletedFiles().length);
    if (s) for (const f of s.fileList()) this.contentChanged.fire(this.proposedUri(f));
    this.lensChanged.fire();
    await this.refreshEditors();
  }

  private async after(decision: HunkDecision, interactive: boolean, retry?: () => Promise<HunkDecision>): Promise<HunkDecision> {
    const s = this.session;
    await this.refresh();
    if (!decision.ok) {
      this.log.warn(decision.message);
      if (decision.reason === 'stale') {
        // not awaited: a command driven by a test must return while the notification is up
        void vscode.window.showWarningMessage(decision.message, 'Re-run', 'Apply with fuzzy matching').then(async (pick) => {
          if (pick === 'Re-run') this.rerunEmitter.fire();
          else if (pick === 'Apply with fuzzy matching' && retry) {
            const r = await retry();
            await this.after(r, true);
          }
        });
      } else if (interactive) {
        void vscode.window.showWarningMessage(decision.message);
      }
    } else if (decision.deletedFiles?.length) {
      const names = decision.deletedFiles.map((f) => vscode.workspace.asRelativePath(f, false)).join(', ');
      const message = `${decision.message ? `${decision.message} ` : ''}Rover deleted ${names}.`;
      this.log.info(message);
      // VS Code's own undo cannot bring a deleted file back once its editor has closed
      const files = decision.deletedFiles;
      void vscode.window.showInformationMessage(message, 'Restore').then(async (pick) => {
        if (pick === 'Restore') for (const f of files) await this.restoreDeleted(f);
      });
    } else if (decision.message) {
      this.log.info(decision.message);
      void vscode.window.showInformationMessage(decision.message);
    }
    if (s && s.isSettled()) {
      if (s === this.session) {
        this.session = undefined;
        this.settled = s;
      }
      await this.refresh();
      await this.closeProposedTabs();
      if (s.accepted() > 0) this.settledEmitter.fire(s);
    }
    return decision;
  }

  private async closeProposedTabs(): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
      const input = t.input as { modified?: vscode.Uri; uri?: vscode.Uri } | undefined;
      return input?.modified?.scheme === PROPOSED_SCHEME || input?.uri?.scheme === PROPOSED_SCHEME;
    });
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  }

  private noReview(): HunkDecision {
    return { ok: false, reason: 'bad-input', message: 'No Rover review is open: run "Rover: Fix This Issue" first.', remaining: 0 };
  }

  async accept(file: string, hunk: number, opts: { fuzzy?: boolean; interactive?: boolean } = {}): Promise<HunkDecision> {
    const s = this.session;
    if (!s) return this.noReview();
    const d = await s.accept(file, hunk, { fuzzy: opts.fuzzy });
    return this.after(d, !!opts.interactive, () => s.accept(file, hunk, { fuzzy: true }));
  }

  async reject(file: string, hunk: number, opts: { interactive?: boolean } = {}): Promise<HunkDecision> {
    const s = this.session;
    if (!s) return this.noReview();
    return this.after(s.reject(file, hunk), !!opts.interactive);
  }

  async acceptAll(opts: { fuzzy?: boolean; interactive?: boolean } = {}): Promise<HunkDecision> {
    const s = this.session;
    if (!s) return this.noReview();
    const d = await s.acceptAll({ fuzzy: opts.fuzzy });
    return this.after(d, !!opts.interactive, () => s.acceptAll({ fuzzy: true }));
  }

  async rejectAll(opts: { interactive?: boolean } = {}): Promise<HunkDecision> {
    const s = this.session;
    if (!s) return this.noReview();
    return this.after(s.rejectAll(), !!opts.interactive);
  }

  /** Files the current (or last settled) review deleted, which restoreDeleted can bring back. */
  deletedFiles(): string[] {
    return (this.session ?? this.settled)?.deletedFiles() ?? [];
  }

  /** Brings back a file an accept deleted (a WorkspaceEdit creating it with its old text). */
  async restoreDeleted(file: string): Promise<HunkDecision> {
    const s = this.session ?? this.settled;
    if (!s) return this.noReview();
    const r = await s.restoreDeleted(file);
    await this.refresh();
    if (r.ok) this.log.info(r.message ?? `Restored ${file}`);
    else void vscode.window.showWarningMessage(r.message);
    return r;
  }

  /** The hunk under the cursor of the active editor (for palette/keyboard use without arguments). */
  async hunkAtCursor(): Promise<{ file: string; hunk: number } | undefined> {
    const ed = vscode.window.activeTextEditor;
    const s = this.session;
    if (!ed || !s) return undefined;
    const file = ed.document.uri.scheme === PROPOSED_SCHEME ? vscode.Uri.file(ed.document.uri.path).fsPath : ed.document.uri.fsPath;
    if (!s.has(file)) return undefined;
    const line = ed.selection.active.line;
    const views = (await s.view(file)).filter((v) => v.status === 'pending' && v.line !== undefined);
    const hit = views.find((v) => line >= v.line! && line < v.line! + Math.max(1, v.lineCount ?? 1)) ?? views[0];
    return hit ? { file, hunk: hit.id } : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
