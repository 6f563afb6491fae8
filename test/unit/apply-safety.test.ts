// Edits that destroy are not silent: two blocks over the same lines (or with the same SEARCH text) are
// refused instead of the second one fuzzily landing on the first one's output; emptying a file is
// refused unless the reply says DELETE FILE, which produces a real deletion diff; odd paths and
// oversize replies are refused quickly with a message the model can act on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyModelOutput, type FileSource } from '../../src/core/agent/apply/apply';
import { parseEdits } from '../../src/core/agent/apply/blocks';
import { confirmInCheckout, unifiedDiff } from '../../src/core/agent/apply/diff';
import { resolveInside, safeRelPath } from '../../src/core/agent/apply/safe-paths';
import { makeFixtureRepo } from '../support/fixture-repo';

const PY = `def total(items):
    s = 0
    for i in items:
        s += i.price
    return s


def count(items):
    return len(items)
`;

const mem = (files: Record<string, string>): FileSource => ({ read: (rel) => files[rel], list: () => Object.keys(files) });
const sr = (path: string, search: string, replace: string) => `${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;

describe('overlapping edits', () => {
  it('two blocks with the same SEARCH text: the second is refused, nothing is applied', async () => {
    const search = '    for i in items:\n        s += i.price';
    const text = sr('cart.py', search, '    for i in items:\n        s += i.price * i.qty') + sr('cart.py', search, '    for i in items:\n        s += i.price - i.discount');
    const out = await applyModelOutput(text, mem({ 'cart.py': PY }));
    expect(out.ok).toBe(false);
    expect(out.results[1]).toMatchObject({ ok: false });
    expect(out.feedback).toMatch(/Edit 2 \(cart\.py\): its SEARCH text is the same as edit 1's/);
  });

  it('a block that only fuzzily matches what an earlier block wrote is refused', async () => {
    const body = ['def report(items):', '    lines = []', '    for item in items:', '        name = item.name.strip()', '        price = format_price(item.price)', '        lines.append(f"{name}: {price}")', '    header = "Report"', '    return "\\n".join([header, *lines])'];
    const file = body.join('\n') + '\n';
    const edited = body.map((l) => l.replace('format_price(item.price)', 'format_price(item.price, item.currency)'));
    // the same lines again, copied with a typo: only edit 1's output is similar enough to match
    const again = body.map((l) => l.replace('"Report"', '"Reprot"'));
    const text = sr('rep.py', body.join('\n'), edited.join('\n')) + sr('rep.py', again.join('\n'), body.map((l) => l.replace('strip()', 'title()')).join('\n'));
    const out = await applyModelOutput(text, mem({ 'rep.py': file }));
    expect(out.ok).toBe(false);
    expect(out.feedback).toMatch(/Edit 2 \(rep\.py\): its SEARCH text matches lines 1-8, which edit 1 already rewrote/);
  });

  it('edits of neighbouring lines still apply together', async () => {
    const text = sr('cart.py', 'def total(items):', 'def total(items, rate=0):') + sr('cart.py', '    return s', '    return s * (1 + rate)');
    const out = await applyModelOutput(text, mem({ 'cart.py': PY }));
    expect(out.ok).toBe(true);
    expect(out.changes[0]!.after).toContain('def total(items, rate=0):\n    s = 0');
    expect(out.changes[0]!.after).toContain('return s * (1 + rate)');
  });
});

describe('destructive edits', () => {
  it('an edit that empties a file is refused and names the explicit way', async () => {
    const out = await applyModelOutput(sr('cart.py', PY.trimEnd(), ''), mem({ 'cart.py': PY }));
    expect(out.ok).toBe(false);
    expect(out.changes).toEqual([]);
    expect(out.feedback).toMatch(/would leave cart\.py empty.*DELETE FILE: cart\.py/);
  });

  it('DELETE FILE deletes, shows as a deletion in the diff, and git applies it', async () => {
    const repo = await makeFixtureRepo('py-inventory');
    try {
      const rel = 'inventory/__init__.py';
      const before = readFileSync(join(repo.dir, rel), 'utf8');
      const out = await applyModelOutput(`The module is unused.\n\nDELETE FILE: ${rel}\n`, { read: (r) => (existsSync(join(repo.dir, r)) ? readFileSync(join(repo.dir, r), 'utf8') : undefined) });
      expect(out.ok).toBe(true);
      expect(out.results[0]).toMatchObject({ ok: true, strategy: 'delete', message: `Edit 1: deletes ${rel}.` });
      expect(out.changes).toEqual([{ rel, before, after: '', deleted: true }]);
      const diff = unifiedDiff(out.changes);
      expect(diff).toMatch(new RegExp(`^diff --git a/${rel} b/${rel}\ndeleted file mode 100644\n--- a/${rel}\n\\+\\+\\+ /dev/null\n`));
      const confirmed = await confirmInCheckout(repo.dir, out.changes);
      expect(confirmed.files).toEqual([rel]);
      // the user's file is still there
      expect(readFileSync(join(repo.dir, rel), 'utf8')).toBe(before);
    } finally {
      await repo.cleanup();
    }
  });

  it('a file both edited and deleted, or deleted when missing, is refused', async () => {
    const both = await applyModelOutput(`${sr('cart.py', '    return s', '    return s + 1')}\nDELETE FILE: cart.py\n`, mem({ 'cart.py': PY }));
    expect(both.ok).toBe(false);
    expect(both.feedback).toMatch(/both edited \(edit 1\) and deleted/);
    const missing = await applyModelOutput('DELETE FILE: nope.py\n', mem({ 'cart.py': PY }));
    expect(missing.feedback).toMatch(/cannot delete nope\.py: it does not exist/);
  });
});

describe('odd paths', () => {
  it.each([
    ['%2e%2e/%2e%2e/etc/passwd', /URL-encoded/],
    ['inventory/\u202Eyp.gnicirp', /text-direction/],
    ['inventory/pri\u200Bcing.py', /invisible/],
    ['.GIT/config', /git's own files/],
    ['sub/.git./hooks/pre-commit', /git's own files/],
    ['a\0b.py', /NUL/],
    ['file:///etc/passwd', /relative to the repository root/],
    ['tab\there.py', /control characters/],
  ])('refuses %j', (raw, why) => {
    const r = safeRelPath(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(why);
  });

  it('refuses a path whose real location, links resolved, is outside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rover-paths-'));
    try {
      const inside = join(root, 'repo');
      execFileSync('mkdir', ['-p', inside]);
      writeFileSync(join(root, 'secret.txt'), 'outside');
      writeFileSync(join(inside, 'ok.py'), 'x = 1\n');
      symlinkSync('../secret.txt', join(inside, 'link.txt'));
      expect(await resolveInside(inside, 'ok.py')).toMatchObject({ ok: true, rel: 'ok.py' });
      const r = await resolveInside(inside, 'link.txt');
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toMatch(/link to a place outside the repository/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('bounded parsing', () => {
  it('a reply over the size limit is refused at once', async () => {
    const t0 = Date.now();
    const out = await applyModelOutput(sr('cart.py', 'x', 'y'.repeat(3 * 1024 * 1024)), mem({ 'cart.py': PY }));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(out.feedback).toMatch(/over the 2048 KiB Rover reads edits from/);
  });

  it('thousands of unclosed ACR tags parse in linear time', () => {
    const t0 = Date.now();
    const r = parseEdits('<file>'.repeat(200_000) + 'a.py</file><original>x</original><patched>y</patched>');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.edits).toHaveLength(1);
  });

  it('a long SEARCH block that is not in the file is refused without approximate matching', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => `    v${i} = compute(${i})`).join('\n');
    const t0 = Date.now();
    const out = await applyModelOutput(sr('cart.py', big, 'pass'), mem({ 'cart.py': PY }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(out.feedback).toMatch(/blocks over 400 lines are not matched approximately/);
  });
});
