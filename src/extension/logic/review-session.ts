// The state of one patch under review: which hunks are pending, accepted or rejected, and how an
// accept reaches the document. Editor access goes through DocumentPort so this runs without VS Code.
// A deleted file is one decision: accepting it deletes the file, when its text is still the one the
// patch deletes.
import { selectHunks } from '../core-bridge';
import type { CommandFailure, FailureReason } from './command-result';
import {
  applyHunks,
  locateHunk,
  locateHunkFuzzy,
  parseReviewPatch,
  splitLines,
  type HunkEdit,
  type PatchFile,
  type PatchHunk,
} from './patch-hunks';

export type HunkStatus = 'pending' | 'accepted' | 'rejected';

export interface DocumentPort {
  /** The live text (unsaved edits included); undefined when the file does not exist. */
  readText(file: string): Promise<string | undefined>;
  /** Replaces [start, end) in the live document as ONE undoable edit; false if the editor refused. */
  replace(file: string, start: number, end: number, text: string): Promise<boolean>;
  createFile(file: string, text: string): Promise<boolean>;
  deleteFile(file: string): Promise<boolean>;
}

/**
 * A command result (see command-result.ts) that always says how many hunks are left. A failure with
 * reason 'stale' means the hunk's text changed: the caller may offer a re-run or a fuzzy apply.
 */
export type HunkDecision = ({ ok: true; message?: string; deletedFiles?: string[] } | CommandFailure) & { remaining: number };

/** How the patch changes a file. */
export type FileChange = 'add' | 'delete' | 'modify';

export const CHANGED_MESSAGE = 'The file changed since Rover made this patch';

interface HunkState {
  hunk: PatchHunk;
  status: HunkStatus;
}

interface FileState {
  patch: PatchFile;
  hunks: HunkState[];
}

export interface HunkView {
  id: number;
  status: HunkStatus;
  /** 0-based line range of the hunk's original text in the current document (pending hunks only). */
  line?: number;
  lineCount?: number;
  added: number;
  removed: number;
  /** Offsets (from `line`) of the lines the hunk removes. */
  removedIdx: number[];
  newLineCount: number;
  /** Accepting this hunk deletes the file. */
  deletesFile: boolean;
}

export class ReviewSession {
  private readonly files = new Map<string, FileState>();
  /**
   * The text of each file an accept deleted, for restoreDeleted: VS Code cannot undo a deletion once the
   * file's editor has closed (microsoft/vscode#194117), and a deleted file's editor closes.
   */
  private readonly deletedTexts = new Map<string, string>();

  constructor(
    readonly runId: string,
    readonly diff: string,
    readonly root: string,
    private readonly port: DocumentPort,
  ) {
    for (const p of parseReviewPatch(diff, root)) {
      this.files.set(p.file, { patch: p, hunks: p.hunks.map((hunk) => ({ hunk, status: 'pending' as HunkStatus })) });
    }
  }

  fileList(): string[] {
    return [...this.files.keys()];
  }

  patchFile(file: string): PatchFile | undefined {
    return this.files.get(file)?.patch;
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  change(file: string): FileChange | undefined {
    const p = this.files.get(file)?.patch;
    return p && (p.isNew ? 'add' : p.isDeleted ? 'delete' : 'modify');
  }

  remaining(file?: string): number {
    let n = 0;
    for (const [f, st] of this.files) if (!file || f === file) n += st.hunks.filter((h) => h.status === 'pending').length;
    return n;
  }

  accepted(): number {
    let n = 0;
    for (const st of this.files.values()) n += st.hunks.filter((h) => h.status === 'accepted').length;
    return n;
  }

  isSettled(): boolean {
    return this.remaining() === 0;
  }

  proposed(): number {
    let n = 0;
    for (const st of this.files.values()) n += st.hunks.length;
    return n;
  }

  /** The accepted hunks as a patch against the code the review started from (a deletion is one decision). */
  acceptedDiff(): string {
    const byRel = new Map([...this.files.values()].map((st) => [st.patch.rel, st]));
    return selectHunks(this.diff, (rel, i) => {
      const st = byRel.get(rel);
      return !!st && (st.patch.isDeleted ? st.hunks[0] : st.hunks[i])?.status === 'accepted';
    });
  }

  snapshot(): { file: string; change: FileChange; hunks: { id: number; status: HunkStatus }[] }[] {
    return [...this.files.entries()].map(([file, st]) => ({ file, change: this.change(file)!, hunks: st.hunks.map((h) => ({ id: h.hunk.id, status: h.status })) }));
  }

  private refuse(reason: FailureReason, message: string): HunkDecision {
    return { ok: false, reason, message, remaining: this.remaining() };
  }

  /** Where the diff's numbers put the hunk now, after the line shifts of hunks accepted above it. */
  private expectedLine(st: FileState, hunk: PatchHunk): number {
    let shift = 0;
    for (const h of st.hunks) {
      if (h.hunk.id === hunk.id) break;
      if (h.status === 'accepted') shift += h.hunk.newLines.length - h.hunk.oldLines.length;
    }
    return Math.max(0, hunk.oldStart - 1 + shift);
  }

  /** Pending hunks with their current place in the document, for CodeLens and decorations. */
  async view(file: string): Promise<HunkView[]> {
    const st = this.files.get(file);
    if (!st) return [];
    const text = (await this.port.readText(file)) ?? '';
    return st.hunks.map((h) => {
      const v: HunkView = {
        id: h.hunk.id,
        status: h.status,
        added: h.hunk.added.length,
        removed: h.hunk.removed.length,
        removedIdx: h.hunk.removed,
        newLineCount: h.hunk.newLines.length,
        deletesFile: st.patch.isDeleted,
      };
      if (h.status === 'pending') {
        const r = locateHunk(text, h.hunk, this.expectedLine(st, h.hunk));
        if (r.ok) {
          v.line = r.edit.line;
          v.lineCount = r.edit.lineCount;
        }
      }
      return v;
    });
  }

  /** The proposed side of the diff: the live text with every pending hunk applied. */
  async proposedText(file: string): Promise<string> {
    const st = this.files.get(file);
    if (!st) return '';
    const text = (await this.port.readText(file)) ?? '';
    const pending = st.hunks.filter((h) => h.status === 'pending').map((h) => h.hunk);
    return applyHunks(text, pending, (h) => this.expectedLine(st, h)).text;
  }

  private find(file: string, id: number): { st: FileState; h: HunkState } | string {
    const st = this.files.get(file);
    if (!st) return `No Rover review is open for ${file}.`;
    const h = st.hunks.find((x) => x.hunk.id === id);
    if (!h) return `The review of ${st.patch.rel} has no hunk ${id} (hunks: ${st.hunks.map((x) => x.hunk.id).join(', ')}).`;
    if (h.status !== 'pending') return `Hunk ${id} of ${st.patch.rel} was already ${h.status}.`;
    return { st, h };
  }

  async accept(file: string, id: number, opts: { fuzzy?: boolean } = {}): Promise<HunkDecision> {
    const f = this.find(file, id);
    if (typeof f === 'string') return this.refuse('bad-input', f);
    const { st, h } = f;
    const current = await this.port.readText(file);
    if (st.patch.isNew && current === undefined) {
      const ok = await this.port.createFile(file, h.hunk.newLines.join('\n') + (h.hunk.newNoEol ? '' : '\n'));
      if (!ok) return this.refuse('error', `The editor refused to create ${st.patch.rel}.`);
      h.status = 'accepted';
      return { ok: true, remaining: this.remaining() };
    }
    if (current === undefined) {
      return this.refuse('stale', `${CHANGED_MESSAGE}: ${st.patch.rel} no longer exists. Re-run Rover on the current code.`);
    }
    if (st.patch.isDeleted) return this.acceptDeletion(file, st, h, current, !!opts.fuzzy);
    const expected = this.expectedLine(st, h.hunk);
    const located = opts.fuzzy ? locateHunkFuzzy(current, h.hunk, expected) : locateHunk(current, h.hunk, expected);
    if (!located.ok) {
      const near = located.best && located.best.similarity > 0 ? ` (closest text at line ${located.best.line + 1}, ${Math.round(located.best.similarity * 100)}% similar)` : '';
      const how = opts.fuzzy
        ? 'Even fuzzy matching found no place close enough; re-run Rover on the current code.'
        : 'Re-run Rover, or apply with fuzzy matching.';
      return this.refuse('stale', `${CHANGED_MESSAGE}: hunk ${id} of ${st.patch.rel} no longer matches the file${near}. ${how}`);
    }
    const ok = await this.port.replace(file, located.edit.start, located.edit.end, located.edit.replacement);
    if (!ok) return this.refuse('error', `The editor refused the edit to ${st.patch.rel}.`);
    h.status = 'accepted';
    const fuzzyNote = located.edit.similarity < 1 ? `Applied with fuzzy matching (${Math.round(located.edit.similarity * 100)}% similar) at line ${located.edit.line + 1}.` : undefined;
    return { ok: true, message: fuzzyNote, remaining: this.remaining() };
  }

  /**
   * Deletes the file when it still holds exactly the lines the patch deletes (line endings aside):
   * text added or changed since would go with it, so that is refused unless the user asks for fuzzy
   * matching.
   */
  private async acceptDeletion(file: string, st: FileState, h: HunkState, current: string, fuzzy: boolean): Promise<HunkDecision> {
    const lines = splitLines(current).map((l) => l.text);
    const same = lines.length === h.hunk.oldLines.length && lines.every((l, i) => l === h.hunk.oldLines[i]);
    let note: string | undefined;
    if (!same) {
      const located = fuzzy ? locateHunkFuzzy(current, h.hunk, 0) : undefined;
      if (!located?.ok) {
        const how = fuzzy ? 'Even fuzzy matching finds it too different; re-run Rover on the current code.' : 'Re-run Rover, or delete it with fuzzy matching.';
        return this.refuse('stale', `${CHANGED_MESSAGE}: ${st.patch.rel} is no longer the file the patch deletes. ${how}`);
      }
      note = `Deleted ${st.patch.rel} with fuzzy matching (${Math.round(located.edit.similarity * 100)}% similar to the file the patch deletes).`;
    }
    const ok = await this.port.deleteFile(file);
    if (!ok) return this.refuse('error', `The editor refused to delete ${st.patch.rel}.`);
    h.status = 'accepted';
    this.deletedTexts.set(file, current);
    return { ok: true, message: note, deletedFiles: [file], remaining: this.remaining() };
  }

  /** Files this review deleted that restoreDeleted can bring back. */
  deletedFiles(): string[] {
    return [...this.deletedTexts.keys()];
  }

  /** Brings back a file an accept deleted, with the text it had; its deletion counts as rejected then. */
  async restoreDeleted(file: string): Promise<HunkDecision> {
    const st = this.files.get(file);
    const text = this.deletedTexts.get(file);
    if (!st || text === undefined) return this.refuse('bad-input', `This review deleted no ${st?.patch.rel ?? file}.`);
    if ((await this.port.readText(file)) !== undefined) return this.refuse('bad-input', `${st.patch.rel} exists again: there is nothing to restore.`);
    if (!(await this.port.createFile(file, text))) return this.refuse('error', `The editor refused to create ${st.patch.rel}.`);
    this.deletedTexts.delete(file);
    for (const h of st.hunks) h.status = 'rejected';
    return { ok: true, message: `Restored ${st.patch.rel}.`, remaining: this.remaining() };
  }

  reject(file: string, id: number): HunkDecision {
    const f = this.find(file, id);
    if (typeof f === 'string') return this.refuse('bad-input', f);
    f.h.status = 'rejected';
    return { ok: true, remaining: this.remaining() };
  }

  /**
   * Accepts every pending hunk, one file at a time, bottom-up so that earlier offsets stay valid.
   * Hunks whose text changed are left pending and reported.
   */
  async acceptAll(opts: { fuzzy?: boolean } = {}): Promise<HunkDecision> {
    const problems: string[] = [];
    const deletedFiles: string[] = [];
    let worst: FailureReason | undefined;
    for (const [file, st] of this.files) {
      const pending = st.hunks.filter((h) => h.status === 'pending').sort((a, b) => b.hunk.oldStart - a.hunk.oldStart);
      for (const h of pending) {
        const r = await this.accept(file, h.hunk.id, opts);
        if (r.ok) deletedFiles.push(...(r.deletedFiles ?? []));
        else {
          problems.push(r.message);
          // 'stale' wins: the caller then offers a re-run or a fuzzy apply
          if (worst !== 'stale') worst = r.reason;
        }
      }
    }
    if (problems.length) return this.refuse(worst ?? 'error', problems.join('\n'));
    return { ok: true, remaining: this.remaining(), ...(deletedFiles.length ? { deletedFiles } : {}) };
  }

  rejectAll(): HunkDecision {
    for (const st of this.files.values()) for (const h of st.hunks) if (h.status === 'pending') h.status = 'rejected';
    return { ok: true, remaining: 0 };
  }

  /** Files that got at least one accepted hunk (their tests are re-run after the review settles). */
  touchedFiles(): string[] {
    return [...this.files.entries()].filter(([, st]) => st.hunks.some((h) => h.status === 'accepted')).map(([f]) => f);
  }
}

export { splitLines, type HunkEdit };
