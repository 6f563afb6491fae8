// Which tests a change impacts, for test-on-save, Validate Current Changes and the check after a
// review: the coverage map a fix session or Localize Fault left (the tests that execute the changed
// lines), else the test files that import the changed module or are named after it. Changed lines
// are found against the text each file had at its previous save, which this remembers.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { changedLineNumbers, impactedByHeuristics, impactedFromCoverage, type ImpactedSelection, type TestFileText } from './logic/impacted-tests';
import type { SharedState } from './logic/shared-state';

export interface IndexSource {
  current(): Promise<core.WorkspaceIndex> | undefined;
}

export class TestSelection implements vscode.Disposable {
  private readonly savedText = new Map<string, string>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly index: IndexSource,
    private readonly state: SharedState,
  ) {
    this.disposables = [vscode.workspace.onDidOpenTextDocument((d) => this.rememberOpened(d))];
    for (const d of vscode.workspace.textDocuments) this.rememberOpened(d);
  }

  private rememberOpened(d: vscode.TextDocument): void {
    if (d.uri.scheme === 'file' && !this.savedText.has(d.uri.fsPath)) this.savedText.set(d.uri.fsPath, d.getText());
  }

  /** A save no test ran for: the next selection compares with this text. */
  rememberSaved(d: vscode.TextDocument): void {
    this.savedText.set(d.uri.fsPath, d.getText());
  }

  /** The test files the index holds, with their text (isTestFile decides which files are tests). */
  private async testFileTexts(): Promise<TestFileText[]> {
    const index = await this.index.current()?.catch(() => undefined);
    if (!index) return [];
    const out: TestFileText[] = [];
    for (const f of index.files()) {
      if (!core.isTestFile(f.path)) continue;
      const text = index.readText(f.path);
      if (text !== undefined) out.push({ rel: f.path, text });
    }
    return out;
  }

  /** The tests impacted by changes to `files` (absolute paths): ids from coverage, else test files. */
  async impacted(files: string[]): Promise<ImpactedSelection> {
    const coverage = this.state.get('coverage');
    const tests = new Set<string>();
    const reasons: string[] = [];
    let mode: ImpactedSelection['mode'] = 'none';
    let texts: TestFileText[] | undefined;
    for (const abs of files) {
      const rel = vscode.workspace.asRelativePath(abs, false).split('\\').join('/');
      const now = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === abs)?.getText();
      const before = this.savedText.get(abs);
      const changed = now !== undefined && before !== undefined ? changedLineNumbers(before, now) : undefined;
      if (now !== undefined) this.savedText.set(abs, now);
      let sel = coverage ? impactedFromCoverage(coverage, rel, changed) : undefined;
      if (!sel || (sel.tests.length === 0 && !changed)) {
        texts ??= await this.testFileTexts();
        sel = impactedByHeuristics(rel, texts);
      }
      sel.tests.forEach((t) => tests.add(t));
      reasons.push(sel.reason);
      if (sel.mode !== 'none') mode = sel.mode;
    }
    return { tests: [...tests], mode: tests.size ? mode : 'none', reason: reasons.join('; ') };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
