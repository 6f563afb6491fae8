import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyModelOutput, type FileSource } from '../../src/core/agent/apply/apply';
import { parseEdits } from '../../src/core/agent/apply/blocks';
import { unifiedDiff } from '../../src/core/agent/apply/diff';
import { blockSimilarity, locate } from '../../src/core/agent/apply/match';
import { safeRelPath } from '../../src/core/agent/apply/safe-paths';

const PY = `import math


class Cart:
    def __init__(self):
        self.items = []

    def total(self, rate):
        subtotal = sum(i.price for i in self.items)
        if subtotal > 100:
            subtotal = subtotal * 0.9
        return round(subtotal * (1 + rate), 2)

    def count(self):
        return len(self.items)
`;

function mem(files: Record<string, string>): FileSource {
  return { read: (rel) => files[rel], list: () => Object.keys(files) };
}

function sr(path: string, search: string, replace: string): string {
  return `${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;
}

describe('edit block parsing', () => {
  it('reads SEARCH/REPLACE blocks inside fences with decorated paths', () => {
    const text = [
      'Here is the fix:',
      '**File: `pkg/cart.py`**',
      '```python',
      '<<<<<<< SEARCH',
      '        if subtotal > 100:',
      '=======',
      '        if subtotal >= 100:',
      '>>>>>>> REPLACE',
      '```',
      '```python pkg/other.py',
      '<<<<<<< SEARCH',
      'a',
      '=======',
      'b',
      '>>>>>>> REPLACE',
      '<<<<<<< SEARCH',
      'c',
      '=======',
      'd',
      '>>>>>>> REPLACE',
      '```',
    ].join('\n');
    const p = parseEdits(text);
    expect(p.errors).toEqual([]);
    expect(p.edits.map((e) => [e.path, e.search, e.replace])).toEqual([
      ['pkg/cart.py', '        if subtotal > 100:', '        if subtotal >= 100:'],
      ['pkg/other.py', 'a', 'b'],
      ['pkg/other.py', 'c', 'd'],
    ]);
  });

  it('reads ACR <file>/<original>/<patched> modifications', () => {
    const text = `# modification 1\n<file>pkg/cart.py</file>\n<original>\n        if subtotal > 100:\n</original>\n<patched>\n        if subtotal >= 100:\n</patched>\n`;
    const p = parseEdits(text);
    expect(p.edits).toHaveLength(1);
    expect(p.edits[0]).toMatchObject({ path: 'pkg/cart.py', search: '        if subtotal > 100:', replace: '        if subtotal >= 100:', format: 'acr' });
  });

  it('reports missing markers and missing paths instead of guessing', () => {
    expect(parseEdits('a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n').errors[0]).toMatch(/no "=======" divider/);
    expect(parseEdits('a.py\n<<<<<<< SEARCH\nx\n=======\ny\n').errors[0]).toMatch(/no ">>>>>>> REPLACE"/);
    expect(parseEdits('<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n').errors[0]).toMatch(/no file path/);
    expect(parseEdits('<file>a.py</file>\n<original>x</original>\n').errors[0]).toMatch(/lacks <patched>/);
  });
});

describe('matching tiers', () => {
  const lines = PY.split('\n');
  it('exact', () => {
    const m = locate(lines, ['        if subtotal > 100:'], ['        if subtotal >= 100:']);
    expect(m).toMatchObject({ ok: true, strategy: 'exact', start: 9, end: 10 });
  });
  it('whitespace-normalized: trailing spaces and missing blank lines', () => {
    const m = locate(lines, ['        self.items = []   ', '    def total(self, rate):'], ['x']);
    expect(m).toMatchObject({ ok: true, strategy: 'whitespace', start: 5, end: 8 });
  });
  it('indentation-relative: re-indents the replacement to the file', () => {
    const m = locate(lines, ['if subtotal > 100:', '    subtotal = subtotal * 0.9'], ['if subtotal >= 100:', '    subtotal = subtotal * 0.9']);
    expect(m.ok && m.strategy).toBe('indentation');
    if (m.ok) expect(m.replacement).toEqual(['        if subtotal >= 100:', '            subtotal = subtotal * 0.9']);
  });
  it('fuzzy: reports the score and applies above the threshold', () => {
    const search = [
      '    def total(self, rate):',
      '        subtotal = sum(item.price for item in self.items)',
      '        if subtotal > 100:',
      '            subtotal = subtotal * 0.9',
      '        return round(subtotal * (1 + rate), 2)',
    ];
    const m = locate(lines, search, search.map((l) => l.replace('> 100', '>= 100')));
    expect(m.ok && m.strategy).toBe('fuzzy');
    if (m.ok) {
      expect(m.score).toBeGreaterThanOrEqual(0.85);
      expect(m.score).toBeLessThan(1);
      expect([m.start, m.end]).toEqual([7, 12]);
    }
  });
  it('fuzzy below threshold names the closest region', () => {
    const m = locate(lines, ['    def total(self, rate, discount):', '        subtotal = compute(self.things)', '        return subtotal'], ['x']);
    expect(m.ok).toBe(false);
    if (!m.ok) {
      expect(m.reason).toBe('not-found');
      expect(m.closest?.startLine).toBe(8);
      expect(m.message).toMatch(/closest region is lines 8-/);
    }
  });
  it('demands a unique match at each tier', () => {
    const dup = ['def f():', '    return 1', '', 'def g():', '    return 1', ''];
    const m = locate(dup, ['    return 1'], ['    return 2']);
    expect(m).toMatchObject({ ok: false, reason: 'ambiguous', places: [2, 5] });
    if (!m.ok) expect(m.message).toMatch(/matched 2 places .* at lines 2, 5: add surrounding lines/);
    const m2 = locate(dup, ['return 1'], ['return 2']);
    expect(m2).toMatchObject({ ok: false, reason: 'ambiguous' });
  });
  it('similarity is 1 for identical blocks and lower for edits', () => {
    expect(blockSimilarity(['a = 1', 'b = 2'], ['a = 1', 'b = 2'])).toBe(1);
    expect(blockSimilarity(['a = 1', 'b = 2'], ['a = 1', 'b = 3'])).toBeLessThan(1);
  });
});

describe('applyModelOutput', () => {
  it('applies several edits of one file in any order', async () => {
    const text =
      sr('pkg/cart.py', '    def count(self):\n        return len(self.items)', '    def count(self):\n        return len(self.items) + 0') +
      sr('pkg/cart.py', '        if subtotal > 100:', '        if subtotal >= 100:');
    const out = await applyModelOutput(text, mem({ 'pkg/cart.py': PY }));
    expect(out.ok).toBe(true);
    expect(out.changes[0].after).toContain('if subtotal >= 100:');
    expect(out.changes[0].after).toContain('len(self.items) + 0');
    expect(out.results.map((r) => r.strategy)).toEqual(['exact', 'exact']);
  });

  it('resolves a shortened path and keeps CRLF and a missing final newline', async () => {
    const crlf = 'a = 1\r\nb = 2\r\nc = 3';
    const out = await applyModelOutput(sr('m.py', 'b = 2', 'b = 20'), mem({ 'src/m.py': crlf }));
    expect(out.ok).toBe(true);
    expect(out.changes[0]).toMatchObject({ rel: 'src/m.py', after: 'a = 1\r\nb = 20\r\nc = 3' });
  });

  it('keeps a final newline', async () => {
    const out = await applyModelOutput(sr('m.py', 'b = 2', 'b = 3'), mem({ 'm.py': 'a = 1\nb = 2\n' }));
    expect(out.changes[0].after).toBe('a = 1\nb = 3\n');
  });

  it('empty SEARCH creates a new file only when it does not exist', async () => {
    const created = await applyModelOutput('pkg/new_mod.py\n<<<<<<< SEARCH\n=======\nX = 1\n>>>>>>> REPLACE\n', mem({ 'm.py': 'a\n' }));
    expect(created.ok).toBe(true);
    expect(created.changes).toEqual([{ rel: 'pkg/new_mod.py', before: undefined, after: 'X = 1\n' }]);
    const clash = await applyModelOutput('m.py\n<<<<<<< SEARCH\n=======\nX = 1\n>>>>>>> REPLACE\n', mem({ 'm.py': 'a\n' }));
    expect(clash.ok).toBe(false);
    expect(clash.feedback).toMatch(/already exists/);
  });

  it('refuses paths outside the repository', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'a/../../x.py', '.git/config']) {
      const out = await applyModelOutput(sr(p, 'root', 'x'), mem({ 'm.py': 'a\n' }));
      expect(out.ok).toBe(false);
      expect(out.feedback).toMatch(/Refused/);
    }
    expect(safeRelPath('./a/b.py')).toEqual({ ok: true, rel: 'a/b.py' });
  });

  it('reports a non-matching edit with the current text of the closest region', async () => {
    const out = await applyModelOutput(
      sr('pkg/cart.py', '    def total(self, rate, extra):\n        subtotal = add(self.things)\n        if subtotal > 1000:', 'x'),
      mem({ 'pkg/cart.py': PY }),
    );
    expect(out.ok).toBe(false);
    expect(out.feedback).toMatch(/closest region is lines 8-/);
    expect(out.feedback).toMatch(/ 8 \|     def total\(self, rate\):/);
  });

  it('rejects an edit that breaks syntax, with the line', async () => {
    const out = await applyModelOutput(sr('pkg/cart.py', '        if subtotal > 100:', '        if subtotal >= 100'), mem({ 'pkg/cart.py': PY }));
    expect(out.ok).toBe(false);
    expect(out.errors[0]).toMatch(/pkg\/cart.py does not parse: syntax error at line 1\d/);
  });

  it('strips copied line numbers', async () => {
    const out = await applyModelOutput(sr('pkg/cart.py', '10 |         if subtotal > 100:', '10 |         if subtotal >= 100:'), mem({ 'pkg/cart.py': PY }));
    expect(out.ok).toBe(true);
    expect(out.changes[0].after).toContain('        if subtotal >= 100:\n');
  });

  it('says what to do when the output has no edit', async () => {
    const out = await applyModelOutput('I think the bug is in cart.py.', mem({}));
    expect(out.ok).toBe(false);
    expect(out.feedback).toMatch(/No edit found/);
  });
});

describe('unifiedDiff', () => {
  it('produces a diff git apply accepts, for edits, CRLF and new files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rover-apply-'));
    try {
      writeFileSync(join(dir, 'cart.py'), PY);
      writeFileSync(join(dir, 'w.py'), 'a = 1\r\nb = 2\r\n');
      writeFileSync(join(dir, 'nonl.py'), 'x = 1');
      const files: Record<string, string> = { 'cart.py': PY, 'w.py': 'a = 1\r\nb = 2\r\n', 'nonl.py': 'x = 1' };
      const text =
        sr('cart.py', '        if subtotal > 100:', '        if subtotal >= 100:') +
        sr('w.py', 'b = 2', 'b = 3') +
        sr('nonl.py', 'x = 1', 'x = 2') +
        'new/mod.py\n<<<<<<< SEARCH\n=======\nY = 2\n>>>>>>> REPLACE\n';
      const out = await applyModelOutput(text, mem(files));
      expect(out.ok).toBe(true);
      const diff = unifiedDiff(out.changes);
      expect(diff).toMatch(/^diff --git a\/cart.py b\/cart.py\n--- a\/cart.py\n\+\+\+ b\/cart.py\n@@/);
      writeFileSync(join(dir, 'p.diff'), diff);
      execFileSync('git', ['init', '-q'], { cwd: dir });
      execFileSync('git', ['apply', 'p.diff'], { cwd: dir });
      expect(readFileSync(join(dir, 'cart.py'), 'utf8')).toContain('if subtotal >= 100:');
      expect(readFileSync(join(dir, 'w.py'), 'utf8')).toBe('a = 1\r\nb = 3\r\n');
      expect(readFileSync(join(dir, 'nonl.py'), 'utf8')).toBe('x = 2');
      expect(readFileSync(join(dir, 'new/mod.py'), 'utf8')).toBe('Y = 2\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model copying artifacts', () => {
  const file = ['class P:', '    def __init__(self, settings):', '        self.known = {}', '        userfuncs = settings.get("u", {})', '        self.known.update(userfuncs)', '', '    def sym(self, expr):', '        return expr', ''];
  it('a first line copied without its indentation still matches, and the replacement keeps the file indentation', () => {
    const m = locate(file, ['self.known = {}', '        userfuncs = settings.get("u", {})'], ['self.known = {}', '        userfuncs = settings.get("u", {})', '        self.extra = 1']);
    expect(m).toMatchObject({ ok: true, strategy: 'whitespace', start: 2, end: 4 });
    if (m.ok) expect(m.replacement).toEqual(['        self.known = {}', '        userfuncs = settings.get("u", {})', '        self.extra = 1']);
  });
  it('fuzzy re-indents by the offset most lines agree on', () => {
    const search = ['def sym(self, expr):', '', '        return  expr'];
    const m = locate(file, search, ['def sym(self, expr):', '        return expr', '', '    def other(self):', '        return 2']);
    expect(m.ok && m.strategy).toBe('fuzzy');
    if (m.ok) expect(m.replacement).toEqual(['    def sym(self, expr):', '        return expr', '', '    def other(self):', '        return 2']);
  });
});

describe('relative replacement after a lost first-line indentation', () => {
  it('indents the whole replacement when it was written relative to the first line', () => {
    const file = ['def f(x):', '    if x:', '        return 1', '    elif x is None:', '        pass  # keep', '    return 0', ''];
    const m = locate(file, ['elif x is None:', '        pass  # keep'], ['# explain', 'elif x is None:', '    return 2']);
    expect(m.ok && m.strategy).toBe('whitespace');
    if (m.ok) expect(m.replacement).toEqual(['    # explain', '    elif x is None:', '        return 2']);
  });
});
