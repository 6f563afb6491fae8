// Opening a file:line that a run, a search or a view names, refusing anything outside the folder.
import * as vscode from 'vscode';
import { isAbsolute, join, relative } from 'node:path';
import type { RoverLog } from './rover-log';

export async function openLocation(root: string, file: string, line: number, log: RoverLog): Promise<void> {
  const abs = isAbsolute(file) ? file : join(root, file);
  const back = relative(root, abs);
  if (back.startsWith('..') || isAbsolute(back)) {
    log.warn(`Refused to open ${file}: outside the workspace`);
    return;
  }
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(abs));
    const l = Math.min(Math.max(0, line - 1), doc.lineCount - 1);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(l, 0, l, 0), preview: true });
  } catch (e) {
    void vscode.window.showWarningMessage(`Cannot open ${file}: ${(e as Error).message}`);
  }
}
