// VS Code entry point: thin glue over src/core.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Rover', { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand('rover.showLog', () => log.show()));
  log.info('Rover activated');
}

export function deactivate(): void {}
