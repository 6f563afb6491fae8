import { createTwoFilesPatch } from 'diff';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyModelOutput } from '../../src/core/agent/apply/apply';
import { unifiedDiff } from '../../src/core/agent/apply/diff';
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
    expect(r).toMatchObject({ ok: false, reason: 'stale' });
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
    expect(await s.accept('/ws/other.py', 0)).toMatchObject({ ok: false, reason: 'bad-input', message: expect.stringMatching(/No Rover review/) });
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

  describe('a deleted file', () => {
    const BODY = 'def old():\n    return 1\n\n\ndef older():\n    return 2\n';
    const FILE = '/ws/pkg/old.py';
    let DELETION = '';
    beforeAll(async () => {
      // the patch a fix session proposes when the model writes `DELETE FILE: pkg/old.py`
      const out = await applyModelOutput('DELETE FILE: pkg/old.py\n', { read: (rel) => (rel === 'pkg/old.py' ? BODY : undefined), list: () => ['pkg/old.py'] });
      expect(out.ok, out.feedback).toBe(true);
      DELETION = unifiedDiff(out.changes);
      expect(DELETION).toMatch(/^deleted file mode/m);
    });

    it('is one decision, reported as a deletion, and accepting it deletes the file as one undo step', async () => {
      const docs = new MemoryDocs();
      docs.texts.set(FILE, BODY);
      const s = new ReviewSession('r', DELETION, ROOT, docs);
      expect(s.snapshot()).toEqual([{ file: FILE, change: 'delete', hunks: [{ id: 0, status: 'pending' }] }]);
      const [view] = await s.view(FILE);
      expect(view).toMatchObject({ deletesFile: true, line: 0, lineCount: 6, removed: 6, added: 0 });
      expect(await s.proposedText(FILE)).toBe('');
      expect(await s.accept(FILE, 0)).toEqual({ ok: true, message: undefined, deletedFiles: [FILE], remaining: 0 });
      expect(docs.texts.has(FILE)).toBe(false);
      expect(docs.undo).toHaveLength(1);
      docs.undoLast();
      expect(docs.texts.get(FILE)).toBe(BODY);
    });

    it('a deleted file can be restored with the text it had, once; its deletion then counts as rejected', async () => {
      const docs = new MemoryDocs();
      const crlf = BODY.replace(/\n/g, '\r\n');
      docs.texts.set(FILE, crlf);
      const s = new ReviewSession('r', DELETION, ROOT, docs);
      expect(await s.restoreDeleted(FILE)).toMatchObject({ ok: false, reason: 'bad-input' });
      expect(await s.acceptAll()).toMatchObject({ ok: true, deletedFiles: [FILE] });
      expect(s.deletedFiles()).toEqual([FILE]);
      expect(await s.restoreDeleted(FILE)).toEqual({ ok: true, message: 'Restored pkg/old.py.', remaining: 0 });
      expect(docs.texts.get(FILE)).toBe(crlf);
      expect(s.snapshot()[0].hunks[0].status).toBe('rejected');
      expect(s.deletedFiles()).toEqual([]);
      expect(await s.restoreDeleted(FILE)).toMatchObject({ ok: false, reason: 'bad-input' });
    });

    it('does not restore over a file that exists again', async () => {
      const docs = new MemoryDocs();
      docs.texts.set(FILE, BODY);
      const s = new ReviewSession('r', DELETION, ROOT, docs);
      await s.accept(FILE, 0);
      docs.texts.set(FILE, 'written since\n');
      expect(await s.restoreDeleted(FILE)).toMatchObject({ ok: false, reason: 'bad-input', message: expect.stringMatching(/exists again/) });
      expect(docs.texts.get(FILE)).toBe('written since\n');
    });

    it('accepts CRLF line endings but refuses a file edited since, unless fuzzy matching is asked for', async () => {
      const crlf = new MemoryDocs();
      crlf.texts.set(FILE, BODY.replace(/\n/g, '\r\n'));
      expect((await new ReviewSession('r', DELETION, ROOT, crlf).accept(FILE, 0)).ok).toBe(true);
      expect(crlf.texts.has(FILE)).toBe(false);

      const docs = new MemoryDocs();
      const edited = BODY + '\n\ndef added_by_the_user():\n    return 3\n';
      docs.texts.set(FILE, edited);
      const s = new ReviewSession('r', DELETION, ROOT, docs);
      const r = await s.accept(FILE, 0);
      expect(r).toMatchObject({ ok: false, reason: 'stale', remaining: 1 });
      expect(r.message).toContain(CHANGED_MESSAGE);
      expect(docs.texts.get(FILE)).toBe(edited);
      const f = await s.accept(FILE, 0, { fuzzy: true });
      expect(f).toMatchObject({ ok: true, remaining: 0, message: expect.stringMatching(/Deleted pkg\/old\.py with fuzzy matching/) });
      expect(docs.texts.has(FILE)).toBe(false);
    });

    it('a deletion git splits into several hunks is still one decision', async () => {
      const long = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
      const split = ['--- a/pkg/old.py', '+++ /dev/null', '@@ -1,20 +0,0 @@', ...long.slice(0, 20).map((l) => `-${l}`), '@@ -21,20 +0,0 @@', ...long.slice(20).map((l) => `-${l}`), ''].join('\n');
      const docs = new MemoryDocs();
      docs.texts.set(FILE, long.join('\n') + '\n');
      const s = new ReviewSession('r', split, ROOT, docs);
      expect(s.snapshot()[0].hunks).toHaveLength(1);
      expect((await s.acceptAll()).ok).toBe(true);
      expect(docs.texts.has(FILE)).toBe(false);
    });

    it('rejecting it keeps the file', async () => {
      const docs = new MemoryDocs();
      docs.texts.set(FILE, BODY);
      const s = new ReviewSession('r', DELETION, ROOT, docs);
      expect(s.reject(FILE, 0)).toEqual({ ok: true, remaining: 0 });
      expect(docs.texts.get(FILE)).toBe(BODY);
      expect(s.touchedFiles()).toEqual([]);
    });
  });

  it('reject all leaves the document untouched', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    expect(s.rejectAll()).toMatchObject({ ok: true, remaining: 0 });
    expect(docs.texts.get('/ws/src/m.py')).toBe(ORIGINAL);
    expect(s.accepted()).toBe(0);
  });
});

describe('the accepted part of a review (what Open Pull Request commits)', () => {
  it('is the patch with exactly the accepted hunks; git applies it to the original', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    await s.reject('/ws/src/m.py', 0);
    await s.accept('/ws/src/m.py', 1);
    expect(s.accepted()).toBe(1);
    expect(s.proposed()).toBe(2);
    const d = s.acceptedDiff();
    expect(d).not.toContain('LINE FIVE');
    expect(d).toContain('+extra after 25');
    const { applyPatch } = await import('diff');
    // the accepted diff applied to the original gives the text the editor now holds
    expect(applyPatch(ORIGINAL, d)).toBe(docs.texts.get('/ws/src/m.py'));
  });

  it('is empty when nothing was accepted', async () => {
    const docs = new MemoryDocs();
    const s = session(docs);
    await s.rejectAll();
    expect(s.acceptedDiff()).toBe('');
  });
});
