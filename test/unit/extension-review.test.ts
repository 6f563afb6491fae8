import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { locateHunk, locateHunkFuzzy, parseReviewPatch, PatchParseError } from '../../src/extension/logic/patch-hunks';
import { CHANGED_MESSAGE, ReviewSession, type DocumentPort } from '../../src/extension/logic/review-session';

const ROOT = '/ws';

/** An in-memory editor: the live text per file and an undo stack of whole-edit steps. */
class MemoryDocs implements DocumentPort {
  texts = new Map<string, string>();
  undo: { file: string; before: string | undefined }[] = [];
  async readText(file: string) {
    return this.texts.get(file);
  }
  async replace(file: string, start: number, end: number, text: string) {
    const cur = this.texts.get(file);
    if (cur === undefined) return false;
    this.undo.push({ file, before: cur });
    this.texts.set(file, cur.slice(0, start) + text + cur.slice(end));
    return true;
  }
  async createFile(file: string, text: string) {
    this.undo.push({ file, before: undefined });
    this.texts.set(file, text);
    return true;
  }
  async deleteFile(file: string) {
    this.undo.push({ file, before: this.texts.get(file) });
    this.texts.delete(file);
    return true;
  }
  undoLast() {
    const u = this.undo.pop()!;
    if (u.before === undefined) this.texts.delete(u.file);
    else this.texts.set(u.file, u.before);
  }
}

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';
const ORIGINAL = lines(30, (i) => `line ${i}`);
const PATCHED = ORIGINAL.replace('line 5\n', 'LINE FIVE\n').replace('line 25\n', 'line 25\nextra after 25\n');
const DIFF = createTwoFilesPatch('a/src/m.py', 'b/src/m.py', ORIGINAL, PATCHED, '', '', { context: 3 });

function session(docs: MemoryDocs, diff = DIFF) {
  docs.texts.set('/ws/src/m.py', ORIGINAL);
  return new ReviewSession('run-1', diff, ROOT, docs);
}

describe('patch hunks', () => {
  it('parses files and hunks with stable ids and root-relative paths', () => {
    const files = parseReviewPatch(DIFF, ROOT);
    expect(files).toHaveLength(1);
    expect(files[0].file).toBe('/ws/src/m.py');
    expect(files[0].rel).toBe('src/m.py');
    expect(files[0].hunks.map((h) => h.id)).toEqual([0, 1]);
    expect(files[0].hunks[0].oldLines).toContain('line 5');
    expect(files[0].hunks[0].newLines).toContain('LINE FIVE');
  });

  it('refuses paths outside the workspace and empty patches', () => {
    const evil = DIFF.replaceAll('src/m.py', '../../etc/passwd');
    expect(() => parseReviewPatch(evil, ROOT)).toThrow(/outside the workspace/);
    expect(() => parseReviewPatch('', ROOT)).toThrow(PatchParseError);
    expect(() => parseReviewPatch('just some words\n', ROOT)).toThrow(/changes no file/);
  });

  it('locates a hunk by its text even when lines shifted above it', () => {
    const [f] = parseReviewPatch(DIFF, ROOT);
    const shifted = 'new header\nanother\n' + ORIGINAL;
    const r = locateHunk(shifted, f.hunks[1], f.hunks[1].oldStart - 1);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.edit.line).toBe(f.hunks[1].oldStart - 1 + 2);
  });

  it('keeps CRLF line endings of the document', () => {
    const [f] = parseReviewPatch(DIFF, ROOT);
    const crlf = ORIGINAL.replace(/\n/g, '\r\n');
    const r = locateHunk(crlf, f.hunks[0], 1);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const out = crlf.slice(0, r.edit.start) + r.edit.replacement + crlf.slice(r.edit.end);
      expect(out).toContain('LINE FIVE\r\n');
      expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    }
  });

  it('fuzzy placement accepts a lightly edited target and rejects an unrelated one', () => {
    const [f] = parseReviewPatch(DIFF, ROOT);
    const edited = ORIGINAL.replace('line 4\n', 'line  4 \n').replace('line 6\n', 'line 6 # note\n');
    expect(locateHunk(edited, f.hunks[0], 1).ok).toBe(false);
    const fz = locateHunkFuzzy(edited, f.hunks[0], 1);
    expect(fz.ok).toBe(true);
    if (fz.ok) expect(fz.edit.similarity).toBeGreaterThan(0.75);
    const unrelated = lines(30, (i) => `completely different content number ${i * 7}`);
    expect(locateHunkFuzzy(unrelated, f.hunks[0], 1).ok).toBe(false);
  });

  it('handles a file without a final newline', () => {
    const a = 'x = 1\ny = 2';
    const b = 'x = 1\ny = 3';
    const d = createTwoFilesPatch('a/n.py', 'b/n.py', a, b);
    const [f] = parseReviewPatch(d, ROOT);
    const r = locateHunk(a, f.hunks[0], 0);
    expect(r.ok).toBe(true);
    if (r.ok) expect(a.slice(0, r.edit.start) + r.edit.replacement + a.slice(r.edit.end)).toBe(b);
  });
});

describe('review session', () => {
  it('accepts one hunk and rejects another; one undo reverts exactly the accepted hunk', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    expect(s.remaining()).toBe(2);
    const a = await s.accept('/ws/src/m.py', 1);
    expect(a).toMatchObject({ ok: true, remaining: 1 });
    expect(docs.texts.get('/ws/src/m.py')).toContain('extra after 25');
    expect(s.reject('/ws/src/m.py', 0)).toMatchObject({ ok: true, remaining: 0 });
    expect(docs.texts.get('/ws/src/m.py')).not.toContain('LINE FIVE');
    expect(s.isSettled()).toBe(true);
    expect(s.touchedFiles()).toEqual(['/ws/src/m.py']);
    expect(docs.undo).toHaveLength(1);
    docs.undoLast();
    expect(docs.texts.get('/ws/src/m.py')).toBe(ORIGINAL);
  });

  it('preserves the user unsaved edits elsewhere in the file', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    docs.texts.set('/ws/src/m.py', ORIGINAL.replace('line 15\n', 'line 15 edited by the user\nand one more\n'));
    expect((await s.accept('/ws/src/m.py', 1)).ok).toBe(true);
    expect((await s.accept('/ws/src/m.py', 0)).ok).toBe(true);
    const t = docs.texts.get('/ws/src/m.py')!;
    expect(t).toContain('line 15 edited by the user\nand one more\n');
    expect(t).toContain('LINE FIVE\n');
    expect(t).toContain('line 25\nextra after 25\n');
  });

  it('refuses a hunk whose target text changed, then applies it with fuzzy matching on request', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    docs.texts.set('/ws/src/m.py', ORIGINAL.replace('line 5\n', 'line 5 changed\n'));
    const r = await s.accept('/ws/src/m.py', 0);
    expect(r.ok).toBe(false);
    expect(r.changed).toBe(true);
    expect(r.message).toContain(CHANGED_MESSAGE);
    expect(r.message).toMatch(/fuzzy/);
    expect(docs.undo).toHaveLength(0);
    const f = await s.accept('/ws/src/m.py', 0, { fuzzy: true });
    expect(f.ok).toBe(true);
    expect(f.message).toMatch(/fuzzy matching/);
    expect(docs.texts.get('/ws/src/m.py')).toContain('LINE FIVE\n');
  });

  it('reports unknown files, unknown hunks and double decisions clearly', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    expect((await s.accept('/ws/other.py', 0)).message).toMatch(/No Rover review/);
    expect((await s.accept('/ws/src/m.py', 9)).message).toMatch(/has no hunk 9/);
    s.reject('/ws/src/m.py', 0);
    expect((await s.accept('/ws/src/m.py', 0)).message).toMatch(/already rejected/);
  });

  it('accept all applies every hunk; the proposed text equals the patched file', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    expect(await s.proposedText('/ws/src/m.py')).toBe(PATCHED);
    const views = await s.view('/ws/src/m.py');
    expect(views.map((v) => v.line)).toEqual([1, 22]);
    const r = await s.acceptAll();
    expect(r).toMatchObject({ ok: true, remaining: 0 });
    expect(docs.texts.get('/ws/src/m.py')).toBe(PATCHED);
    expect(s.snapshot()[0].hunks.map((h) => h.status)).toEqual(['accepted', 'accepted']);
  });

  it('creates a new file and deletes a removed one', async () => {
    const docs = new MemoryDocs();
    docs.texts.set('/ws/old.txt', 'bye\n');
    const d =
      createTwoFilesPatch('/dev/null', 'b/new.py', '', 'print(1)\n').replace(/^Index.*\n=+\n/, '') +
      createTwoFilesPatch('a/old.txt', '/dev/null', 'bye\n', '').replace(/^Index.*\n=+\n/, '');
    const s = new ReviewSession('r', d, ROOT, docs);
    expect(s.patchFile('/ws/new.py')?.isNew).toBe(true);
    expect((await s.acceptAll()).ok).toBe(true);
    expect(docs.texts.get('/ws/new.py')).toBe('print(1)\n');
    expect(docs.texts.has('/ws/old.txt')).toBe(false);
  });

  it('reject all leaves the document untouched', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    expect(s.rejectAll()).toMatchObject({ ok: true, remaining: 0 });
    expect(docs.texts.get('/ws/src/m.py')).toBe(ORIGINAL);
    expect(s.accepted()).toBe(0);
  });
});
