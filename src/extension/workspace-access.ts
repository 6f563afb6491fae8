// What every feature asks of the editor before it works: the folder, its trust, Rover's settings and
// where Rover may keep files. Stateless: each call reads VS Code's current answer.
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { failed, type CommandFailure } from './logic/command-result';
import { readSettings, type RoverSettings } from './logic/settings';
import type { RoverLog } from './rover-log';

export const UNTRUSTED_MESSAGE = 'Rover runs no tests or commands in an untrusted workspace';

export class WorkspaceAccess {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: RoverLog,
  ) {}

  /** The first workspace folder: Rover works on one folder. */
  root(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** The settings, validated; a bad value is logged and replaced by its default. */
  settings(): RoverSettings {
    const cfg = vscode.workspace.getConfiguration('rover', vscode.workspace.workspaceFolders?.[0]?.uri);
    const { settings, problems } = readSettings((k) => cfg.get(k));
    for (const p of problems) this.log.warn(p);
    return settings;
  }

  /** A path as the user or a test gave it, absolute under the folder. */
  absPath(p: string): string {
    return isAbsolute(p) || /^[a-zA-Z]:[\\/]/.test(p) ? p : join(this.root() ?? '', p);
  }

  /** The folder, or the refusal (also shown to the user) when none is open. */
  folder(): string | CommandFailure {
    const root = this.root();
    if (root) return root;
    const message = 'Open a folder first: Rover works on the workspace folder.';
    void vscode.window.showWarningMessage(message);
    return failed('no-folder', message);
  }

  /** The folder, when there is one and it is trusted; otherwise the refusal, shown to the user. */
  trustedFolder(): string | CommandFailure {
    const root = this.folder();
    if (typeof root !== 'string') return root;
    return this.refuseUntrusted() ?? root;
  }

  refuseUntrusted(): CommandFailure | undefined {
    if (vscode.workspace.isTrusted) return undefined;
    const message = `${UNTRUSTED_MESSAGE}. Index and search still work; trust this folder to run tests and fixes.`;
    this.log.warn(message);
    void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((p) => {
      if (p) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return failed('untrusted', message);
  }

  /** Rover's files for this workspace (index cache, localization cache), outside the user's tree. */
  storageDir(...parts: string[]): string {
    return join(this.context.storageUri?.fsPath ?? this.context.globalStorageUri.fsPath, ...parts);
  }

  /** Rover's files shared by every workspace (run trajectories). */
  globalStorageDir(...parts: string[]): string {
    return join(this.context.globalStorageUri.fsPath, ...parts);
  }

  /** The index cache of a folder (storage is per workspace, a multi-root window has several folders). */
  indexCacheDir(root: string): string {
    return this.storageDir('index', createHash('sha1').update(root).digest('hex').slice(0, 12));
  }
}
