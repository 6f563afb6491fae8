// The workspace index in the editor: opened at activation (trusted or not: reading code runs nothing),
// kept current on save, its syntax trees kept for open files, rebuilt on `rover.index.*` changes and
// by "Rover: Rebuild Index"; and "Rover: Search Code Structure", the model's search API for the user.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { failed, succeeded, type CommandResult } from './logic/command-result';
import { openLocation } from './open-location';
import type { RoverLog } from './rover-log';
import type { WorkspaceAccess } from './workspace-access';

export type IndexFigures = ReturnType<typeof core.indexFigures>;

const SEARCH_APIS = ['search_class', 'search_method', 'search_method_in_class', 'search_code', 'find_references'] as const;

/** What Search Code Structure returns: the core's outcome, `found` telling whether anything matched. */
export type SearchCommandResult = CommandResult<Omit<core.SearchResult, 'ok'> & { found: boolean }>;

export class IndexController implements vscode.Disposable {
  private index?: Promise<core.WorkspaceIndex>;
  private lastFigures?: IndexFigures;
  private readonly fileUpdated = new vscode.EventEmitter<string>();
  private readonly rebuilt = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.fileUpdated, this.rebuilt];
  /** A file was re-read after a save (its path relative to the root); it may be gone from the index. */
  readonly onDidUpdateFile = this.fileUpdated.event;
  /** The index was opened again from scratch: every file may have changed. */
  readonly onDidRebuild = this.rebuilt.event;

  constructor(
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand('rover.rebuildIndex', () => this.rebuildCommand()),
      vscode.commands.registerCommand('rover.searchCode', (a?: { api?: string; args?: Record<string, unknown> }) => this.searchCommand(a)),
      vscode.workspace.onDidSaveTextDocument((d) => void this.withOpenIndex(d, 'index update', async (index, rel) => {
        await index.updateFile(rel);
        this.fileUpdated.fire(rel);
      })),
      // the syntax tree of an open file is kept, so that its saves re-index incrementally
      vscode.workspace.onDidOpenTextDocument((d) => void this.withOpenIndex(d, 'index tree', (index, rel) => index.keepTree(rel))),
      vscode.workspace.onDidCloseTextDocument((d) => void this.withOpenIndex(d, undefined, async (index, rel) => index.dropTree(rel))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rover.index')) void this.current(true);
      }),
    );
  }

  get figures(): IndexFigures | undefined {
    return this.lastFigures;
  }

  /** The index, opened on first use (undefined without a folder); `reopen` starts again from disk. */
  current(reopen = false): Promise<core.WorkspaceIndex> | undefined {
    const root = this.workspace.root();
    if (!root) return undefined;
    if (reopen && this.index) {
      void this.index.then((i) => i.close()).catch(() => undefined);
      this.index = undefined;
    }
    if (!this.index) {
      const s = this.workspace.settings();
      let warned = 0;
      const opening = core
        .openIndex(root, {
          cacheDir: this.workspace.indexCacheDir(root),
          exclude: s.exclude,
          maxFileBytes: s.maxFileBytes,
          onWarning: (w) => {
            if (warned++ < 50) this.log.warn(`index: ${w.path ?? ''} ${w.message}`);
          },
        })
        .then((idx) => {
          const f = (this.lastFigures = core.indexFigures(idx));
          this.log.info(`Indexed ${f.files} files (${f.classes} classes, ${f.functions} functions) in ${f.ms} ms`);
          if (reopen) this.rebuilt.fire();
          return idx;
        });
      opening.catch((e) => {
        this.log.error(`Indexing failed: ${(e as Error).message}`);
        if (this.index === opening) this.index = undefined;
      });
      this.index = opening;
    }
    return this.index;
  }

  /** Re-walks the folder for files added or removed outside the editor (cheap: unchanged files come from the cache). */
  async refresh(): Promise<core.WorkspaceIndex | undefined> {
    const index = await this.current()?.catch(() => undefined);
    if (!index) return undefined;
    try {
      await index.refresh();
      this.lastFigures = core.indexFigures(index);
    } catch (e) {
      this.log.warn(`index refresh: ${(e as Error).message}`);
    }
    return index;
  }

  private async withOpenIndex(d: vscode.TextDocument, what: string | undefined, fn: (index: core.WorkspaceIndex, rel: string) => Promise<unknown>): Promise<void> {
    const root = this.workspace.root();
    // only an index already opened follows the editor: a document event never opens one
    if (!root || d.uri.scheme !== 'file' || !d.uri.fsPath.startsWith(root) || !this.index) return;
    const rel = vscode.workspace.asRelativePath(d.uri, false);
    try {
      await fn(await this.index, rel);
    } catch (e) {
      if (what) this.log.warn(`${what} of ${rel}: ${(e as Error).message}`);
    }
  }

  private async rebuildCommand(): Promise<CommandResult<IndexFigures>> {
    const root = this.workspace.folder();
    if (typeof root !== 'string') return root;
    const idx = this.current(true)!;
    try {
      const i = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Rover: indexing' }, () => idx);
      const f = core.indexFigures(i);
      void vscode.window.setStatusBarMessage(`Rover: indexed ${f.files} files in ${f.ms} ms`, 5000);
      return succeeded(f);
    } catch (e) {
      const message = (e as Error).message;
      void vscode.window.showErrorMessage(`Rover: indexing failed: ${message}`);
      return failed('error', message);
    }
  }

  private async searchCommand(a?: { api?: string; args?: Record<string, unknown> }): Promise<SearchCommandResult> {
    const root = this.workspace.folder();
    if (typeof root !== 'string') return root;
    const idx = this.current()!;
    const asked = a?.api ? { api: a.api, args: a.args ?? {} } : await askSearch();
    if (!asked) return failed('dismissed', 'No search given.');
    const { api, args } = asked;
    try {
      const { ok: found, ...out } = await core.searchCode(await idx, api, args);
      this.log.info(`search ${api}(${JSON.stringify(args)}): ${out.message}`);
      if (out.error) return failed('bad-input', out.error, { ...out, found });
      if (!a) {
        const items = out.hits.map((h) => ({ label: h.symbol ?? h.file, description: `${h.file}:${h.startLine}`, hit: h }));
        const chosen = await vscode.window.showQuickPick(items, { title: out.message });
        if (chosen) await openLocation(root, chosen.hit.file, chosen.hit.startLine, this.log);
      }
      return succeeded({ ...out, found });
    } catch (e) {
      const message = (e as Error).message;
      this.log.error(`search: ${message}`);
      return failed('error', message, { api, args, hits: [], total: 0, found: false });
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.index?.then((i) => i.close()).catch(() => undefined);
  }
}

/** The palette's way in: which API, then the name or code it looks for. */
async function askSearch(): Promise<{ api: string; args: Record<string, unknown> } | undefined> {
  const api = await vscode.window.showQuickPick([...SEARCH_APIS], { title: 'Rover: Search Code Structure' });
  if (!api) return undefined;
  const q = await vscode.window.showInputBox({ title: api, prompt: api === 'search_method_in_class' ? 'Class.method' : 'Name or code' });
  if (!q) return undefined;
  const args =
    api === 'search_class'
      ? { class_name: q }
      : api === 'search_method'
        ? { method_name: q }
        : api === 'search_method_in_class'
          ? { class_name: q.split('.')[0], method_name: q.split('.').slice(1).join('.') }
          : api === 'find_references'
            ? { name: q }
            : { code_str: q };
  return { api, args };
}
