// The index a long-lived tool server searches: opened once, kept warm, and brought up to date before a
// search whenever the file system said something changed since the last one. Without a working
// watcher (no inotify watches left, an OS whose fs.watch lacks `recursive`) every search re-walks,
// which costs a stat per file and parses only what changed.
import { watch, type FSWatcher } from 'node:fs';
import { WorkspaceIndex } from '../index/workspace-index';
import type { IndexOptions } from '../index/types';

export class LiveIndex {
  private opening?: Promise<WorkspaceIndex>;
  private watcher?: FSWatcher;
  private dirty = false;
  private watching = false;
  private closed = false;

  constructor(
    readonly root: string,
    private readonly opts: IndexOptions = {},
    private readonly onWarning?: (message: string) => void,
  ) {}

  /** The index, opened on first use and refreshed when files changed since the last call. */
  async current(): Promise<WorkspaceIndex> {
    if (this.closed) throw new Error('Rover: the index is closed');
    if (!this.opening) {
      this.startWatching();
      this.opening = WorkspaceIndex.open(this.root, this.opts);
      this.opening.catch(() => (this.opening = undefined));
      return this.opening;
    }
    const index = await this.opening;
    if (this.dirty || !this.watching) {
      this.dirty = false;
      await index.refresh();
    }
    return index;
  }

  private startWatching(): void {
    try {
      this.watcher = watch(this.root, { recursive: true, persistent: false }, (_event, name) => {
        const rel = typeof name === 'string' ? name.replace(/\\/g, '/') : '';
        // git's own bookkeeping and Rover's checkouts change nothing the index holds
        if (rel === '.git' || rel.startsWith('.git/')) return;
        this.dirty = true;
      });
      this.watcher.on('error', (e) => {
        this.watching = false;
        this.onWarning?.(`file watcher stopped (${e.message}); every search now re-reads changed files first`);
        this.watcher?.close();
      });
      this.watching = true;
    } catch (e) {
      this.watching = false;
      this.onWarning?.(`cannot watch ${this.root} (${(e as Error).message}); every search re-reads changed files first`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    const index = await this.opening?.catch(() => undefined);
    await index?.close();
  }
}
