// Fault localization results: the `rover.suspects` tree (ranked methods with scores; click to jump) and a
// gutter heat map on the top-ranked lines of open editors.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { LocalizeEntry } from './core-bridge';

export const HEAT_TOP = 10;

class SuspectItem extends vscode.TreeItem {
  constructor(readonly entry: LocalizeEntry, rank: number, root: string) {
    super(`${rank}. ${entry.symbol}`, vscode.TreeItemCollapsibleState.None);
    this.description = `${entry.score.toFixed(3)} · ${entry.file}:${entry.line}`;
    this.tooltip = new vscode.MarkdownString(
      `**${entry.symbol}** — suspiciousness ${entry.score.toFixed(4)}\n\n${entry.file}:${entry.line}` +
        (entry.tieGroup !== undefined ? `\n\ntie group ${entry.tieGroup}` : ''),
    );
    this.iconPath = new vscode.ThemeIcon(rank <= 3 ? 'flame' : 'symbol-method');
    this.resourceUri = vscode.Uri.file(join(root, entry.file));
    this.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [this.resourceUri, { selection: new vscode.Range(Math.max(0, entry.line - 1), 0, Math.max(0, entry.line - 1), 0) }],
    };
    this.contextValue = 'rover.suspect';
  }
}

export class SuspectsView implements vscode.TreeDataProvider<SuspectItem>, vscode.Disposable {
  private entries: LocalizeEntry[] = [];
  private root = '';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly heat: vscode.TextEditorDecorationType[];
  private readonly disposables: vscode.Disposable[] = [];
  readonly view: vscode.TreeView<SuspectItem>;

  constructor(extensionUri: vscode.Uri) {
    this.heat = [1, 2, 3].map((i) =>
      vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', `heat-${i}.svg`),
        gutterIconSize: 'contain',
        isWholeLine: true,
        backgroundColor: `rgba(229, 72, 77, ${[0.16, 0.1, 0.05][i - 1]})`,
        overviewRulerColor: `rgba(229, 72, 77, ${[0.9, 0.6, 0.35][i - 1]})`,
        overviewRulerLane: vscode.OverviewRulerLane.Right,
      }),
    );
    this.view = vscode.window.createTreeView('rover.suspects', { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(this.view, this.changed, ...this.heat, vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()));
  }

  show(root: string, entries: LocalizeEntry[], mode: string): void {
    this.root = root;
    this.entries = entries;
    this.view.message = entries.length ? `${entries.length} suspicious method${entries.length === 1 ? '' : 's'} (${mode})` : 'No suspicious code found.';
    this.changed.fire();
    this.decorate();
  }

  getTreeItem(e: SuspectItem): vscode.TreeItem {
    return e;
  }

  getChildren(e?: SuspectItem): SuspectItem[] {
    if (e) return [];
    return this.entries.map((x, i) => new SuspectItem(x, i + 1, this.root));
  }

  /** Rank tiers: 1–3 hot, 4–6 warm, 7–10 mild. */
  private decorate(): void {
    const top = this.entries.slice(0, HEAT_TOP);
    for (const ed of vscode.window.visibleTextEditors) {
      const rel = this.root ? vscode.workspace.asRelativePath(ed.document.uri, false).split('\\').join('/') : '';
      const tiers: vscode.Range[][] = [[], [], []];
      top.forEach((x, i) => {
        if (x.file !== rel) return;
        const line = Math.min(Math.max(0, x.line - 1), ed.document.lineCount - 1);
        tiers[i < 3 ? 0 : i < 6 ? 1 : 2].push(new vscode.Range(line, 0, line, 0));
      });
      this.heat.forEach((d, i) => ed.setDecorations(d, tiers[i]));
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
