// The state of one patch under review: which hunks are pending, accepted or rejected, and how an
// accept reaches the document. Editor access goes through DocumentPort so this runs without VS Code.
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

export interface HunkDecision {
  ok: boolean;
  message?: string;
  remaining: number;
  /** Set when the hunk's text changed: the caller may offer a re-run or a fuzzy apply. */
  changed?: boolean;
}

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
}

export class ReviewSession {
  private readonly files = new Map<string, FileState>();

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

  snapshot(): { file: string; hunks: { id: number; status: HunkStatus }[] }[] {
    return [...this.files.entries()].map(([file, st]) => ({ file, hunks: st.hunks.map((h) => ({ id: h.hunk.id, status: h.status })) }));
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
      const v: HunkView = { id: h.hunk.id, status: h.status, added: h.hunk.added.length, removed: h.hunk.removed.length, removedIdx: h.hunk.removed, newLineCount: h.hunk.newLines.length };
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
    if (typeof f === 'string') return { ok: false, message: f, remaining: this.remaining() };
    const { st, h } = f;
    const current = await this.port.readText(file);
    if (st.patch.isNew && current === undefined) {
      const ok = await this.port.createFile(file, h.hunk.newLines.join('\n') + (h.hunk.newNoEol ? '' : '\n'));
      if (!ok) return { ok: false, message: `The editor refused to create ${st.patch.rel}.`, remaining: this.remaining() };
      h.status = 'accepted';
      return { ok: true, remaining: this.remaining() };
    }
    if (current === undefined) {
      return { ok: false, changed: true, message: `${CHANGED_MESSAGE}: ${st.patch.rel} no longer exists. Re-run Rover on the current code.`, remaining: this.remaining() };
    }
    const expected = this.expectedLine(st, h.hunk);
    const located = opts.fuzzy ? locateHunkFuzzy(current, h.hunk, expected) : locateHunk(current, h.hunk, expected);
    if (!located.ok) {
      const near = located.best && located.best.similarity > 0 ? ` (closest text at line ${located.best.line + 1}, ${Math.round(located.best.similarity * 100)}% similar)` : '';
      const how = opts.fuzzy
        ? 'Even fuzzy matching found no place close enough; re-run Rover on the current code.'
        : 'Re-run Rover, or apply with fuzzy matching.';
      return { ok: false, changed: true, message: `${CHANGED_MESSAGE}: hunk ${id} of ${st.patch.rel} no longer matches the file${near}. ${how}`, remaining: this.remaining() };
    }
    if (st.patch.isDeleted && this.remainingInFile(st) === 1 && located.edit.start === 0 && located.edit.end >= current.length && located.edit.replacement === '') {
      const ok = await this.port.deleteFile(file);
      if (!ok) return { ok: false, message: `The editor refused to delete ${st.patch.rel}.`, remaining: this.remaining() };
    } else {
      const ok = await this.port.replace(file, located.edit.start, located.edit.end, located.edit.replacement);
      if (!ok) return { ok: false, message: `The editor refused the edit to ${st.patch.rel}.`, remaining: this.remaining() };
    }
    h.status = 'accepted';
    const fuzzyNote = located.edit.similarity < 1 ? `Applied with fuzzy matching (${Math.round(located.edit.similarity * 100)}% similar) at line ${located.edit.line + 1}.` : undefined;
    return { ok: true, message: fuzzyNote, remaining: this.remaining() };
  }

  private remainingInFile(st: FileState): number {
    return st.hunks.filter((h) => h.status === 'pending').length;
  }

  reject(file: string, id: number): HunkDecision {
    const f = this.find(file, id);
    if (typeof f === 'string') return { ok: false, message: f, remaining: this.remaining() };
    f.h.status = 'rejected';
    return { ok: true, remaining: this.remaining() };
  }

  /**
   * Accepts every pending hunk, one file at a time, bottom-up so that earlier offsets stay valid.
   * Hunks whose text changed are left pending and reported.
   */
  async acceptAll(opts: { fuzzy?: boolean } = {}): Promise<HunkDecision> {
    const problems: string[] = [];
    let anyChanged = false;
    for (const [file, st] of this.files) {
      const pending = st.hunks.filter((h) => h.status === 'pending').sort((a, b) => b.hunk.oldStart - a.hunk.oldStart);
      for (const h of pending) {
        const r = await this.accept(file, h.hunk.id, opts);
        if (!r.ok) {
          problems.push(r.message ?? `hunk ${h.hunk.id} of ${st.patch.rel} failed`);
          anyChanged ||= !!r.changed;
        }
      }
    }
    if (problems.length) return { ok: false, changed: anyChanged, message: problems.join('\n'), remaining: this.remaining() };
    return { ok: true, remaining: this.remaining() };
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
