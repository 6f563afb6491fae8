// The live run view: one webview panel (viewType rover.run) showing the current run's state. The panel
// holds no logic: the fix-run controller folds the agent's events into RunViewState, the panel posts it
// whole.
import * as vscode from 'vscode';
import { runViewHtml } from './logic/webview-html';
import { parseViewMessage, type RunViewState, type ViewMessage } from './logic/run-view-model';

export class RunPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private state?: RunViewState;
  private pending?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (m: ViewMessage) => void,
  ) {}

  get visible(): boolean {
    return !!this.panel;
  }

  show(state: RunViewState, opts: { preserveFocus?: boolean } = {}): void {
    this.state = state;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('rover.run', 'Rover Run', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? true }, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
      this.panel.webview.html = this.html(this.panel.webview);
      this.panel.onDidDispose(() => (this.panel = undefined), null, this.disposables);
      this.panel.webview.onDidReceiveMessage((m) => {
        const msg = parseViewMessage(m);
        if (!msg) return;
        if (msg.type === 'ready') this.flush();
        else this.onMessage(msg);
      }, null, this.disposables);
    } else {
      this.panel.reveal(undefined, true);
    }
    this.flush();
  }

  /** Posts at most ~10 times a second: streamed text produces many events. */
  update(state: RunViewState): void {
    this.state = state;
    if (!this.panel || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.flush();
    }, 100);
  }

  flush(): void {
    if (this.pending) {
      clearTimeout(this.pending);
      this.pending = undefined;
    }
    if (this.panel && this.state) void this.panel.webview.postMessage({ type: 'state', state: this.state });
  }

  private html(webview: vscode.Webview): string {
    return runViewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'run.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'run.css')).toString(),
    });
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
