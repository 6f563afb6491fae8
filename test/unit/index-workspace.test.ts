// WorkspaceIndex on real temp copies of the fixtures: file selection, bad input, cache, incremental
// updates and the worker pool.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveTrees } from '../../src/core/index/live-trees';
import { defaultCacheDir } from '../../src/core/index/index-cache';
import { WorkspaceIndex } from '../../src/core/index/workspace-index';
import type { IndexWarning } from '../../src/core/index/types';

const FIX = join(__dirname, '..', 'fixtures', 'lang');

let work: string;
let repo: string;
let cacheDir: string;
const opened: WorkspaceIndex[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'rover-index-'));
  repo = join(work, 'repo');
  cacheDir = join(work, 'cache');
  cpSync(FIX, repo, { recursive: true });
});

afterEach(async () => {
  for (const i of opened.splice(0)) await i.close();
  rmSync(work, { recursive: true, force: true });
});

async function open(opts: Parameters<typeof WorkspaceIndex.open>[1] = {}, root = repo): Promise<WorkspaceIndex> {
  const idx = await WorkspaceIndex.open(root, { cacheDir, workers: 0, ...opts });
  opened.push(idx);
  return idx;
}

function write(rel: string, content: string | Buffer): void {
  const p = join(repo, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
}

function paths(idx: WorkspaceIndex): string[] {
  return idx.files().map((f) => f.path);
}

function reasons(ws: readonly IndexWarning[]): string[] {
  return ws.map((w) => `${w.reason}:${w.path}`).sort();
}

describe('file selection', () => {
  it('indexes every fixture language in path order, test files included', async () => {
    write('tests/test_shapes.py', 'def test_area():\n    assert area_of(1)\n');
    const idx = await open();
    expect(paths(idx)).toEqual([
      'cpp/matrix.cpp',
      'csharp/Ledger.cs',
      'go/server.go',
      'java/Inventory.java',
      'javascript/router.js',
      'python/broken.py',
      'python/shapes.py',
      'rust/lib.rs',
      'tests/test_shapes.py',
      'tsx/Counter.tsx',
      'typescript/store.ts',
    ]);
    expect(idx.stats).toMatchObject({ files: 11, filesWithErrors: 1, cacheMisses: 11, cacheHits: 0 });
    expect(idx.stats.languages).toMatchObject({ python: 3, cpp: 1, tsx: 1, typescript: 1 });
    expect(idx.stats.methods).toBeGreaterThan(40);
    expect(idx.getFile('tests/test_shapes.py')!.symbols[0]).toMatchObject({ name: 'test_area', kind: 'function' });
    expect(idx.getFile('./python\\shapes.py')?.path).toBe('python/shapes.py');
    expect(idx.root).toBe(repo);
  });

  it('respects .gitignore (nested, with negation), the exclude list and vendored folders', async () => {
    write('.gitignore', 'generated/\n*.gen.py\n');
    write('generated/out.py', 'def g(): pass\n');
    write('lib/a.gen.py', 'def g(): pass\n');
    write('lib/.gitignore', '!keep.gen.py\nlocal_*.py\n');
    write('lib/keep.gen.py', 'def kept(): pass\n');
    write('lib/local_x.py', 'def x(): pass\n');
    write('other/local_y.py', 'def y(): pass\n');
    write('node_modules/dep/index.js', 'function dep() {}\n');
    write('sub/node_modules/dep/index.js', 'function dep() {}\n');
    write('.venv/lib/site.py', 'def s(): pass\n');
    write('pkg/__pycache__/m.py', 'def m(): pass\n');
    write('docs/conf.py', 'def setup(app): pass\n');
    write('scratch/tmp.py', 'def t(): pass\n');
    write('notes.txt', 'not source\n');
    const idx = await open({ exclude: ['scratch/', 'docs/conf.py'] });
    const p = paths(idx);
    expect(p).toContain('lib/keep.gen.py');
    expect(p).toContain('other/local_y.py');
    for (const gone of ['generated/out.py', 'lib/a.gen.py', 'lib/local_x.py', 'node_modules/dep/index.js', 'sub/node_modules/dep/index.js', '.venv/lib/site.py', 'pkg/__pycache__/m.py', 'docs/conf.py', 'scratch/tmp.py', 'notes.txt']) {
      expect(p, gone).not.toContain(gone);
    }
    // the same rules apply to a single-file update
    write('generated/new.py', 'def n(): pass\n');
    expect(await idx.updateFile('generated/new.py')).toBeUndefined();
    expect(idx.getFile('generated/new.py')).toBeUndefined();
  });
});

describe('bad input', () => {
  it('warns about binary, too-large, non-UTF-8 and syntax-error files and still indexes the rest', async () => {
    write('bin/blob.py', Buffer.from([0x64, 0x65, 0x66, 0x00, 0x01, 0x02]));
    write('big/huge.py', 'x = 1\n'.repeat(400));
    write('enc/latin.py', Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\ndef caf\u00e9(): pass\n'.replace('\u00e9', 'e'))]));
    write('enc/utf16.py', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('def wide():\n    pass\n', 'utf16le')]));
    const seen: IndexWarning[] = [];
    const idx = await open({ maxFileBytes: 2000, onWarning: (w) => seen.push(w) });
    expect(reasons(idx.warnings)).toEqual([
      'binary:bin/blob.py',
      'not-utf8:enc/latin.py',
      'not-utf8:enc/utf16.py',
      'syntax-error:python/broken.py',
      'too-large:big/huge.py',
    ]);
    expect(reasons(seen)).toEqual(reasons(idx.warnings));
    expect(idx.warnings.find((w) => w.reason === 'syntax-error')!.message).toMatch(/line 5/);
    expect(idx.getFile('bin/blob.py')).toBeUndefined();
    expect(idx.getFile('big/huge.py')).toBeUndefined();
    const latin = idx.getFile('enc/latin.py')!;
    expect(latin).toMatchObject({ encoding: 'latin1' });
    expect(latin.symbols[0].name).toBe('cafe');
    expect(idx.readText('enc/latin.py')).toContain('# café');
    expect(idx.getFile('enc/utf16.py')!.symbols[0]).toMatchObject({ name: 'wide', startLine: 1, endLine: 2 });
    expect(idx.readText('enc/utf16.py')).toBe('def wide():\n    pass\n');
    expect(idx.getFile('python/broken.py')!.hasErrors).toBe(true);
    expect(idx.stats.files).toBe(12);
  });

  it('warns about unreadable files and folders and carries on', async () => {
    if (process.getuid?.() === 0) {
      // root reads any mode-000 file; /proc/self/mem fails to read (EIO) for everyone
      symlinkSync('/proc/self/mem', join(repo, 'python/unreadable.py'));
    } else {
      write('python/unreadable.py', 'def secret(): pass\n');
      chmodSync(join(repo, 'python/unreadable.py'), 0);
      mkdirSync(join(repo, 'locked'));
      write('locked/x.py', 'def x(): pass\n');
      chmodSync(join(repo, 'locked'), 0);
    }
    const idx = await open();
    try {
      const w = idx.warnings.find((x) => x.path === 'python/unreadable.py')!;
      if (process.getuid?.() === 0) {
        // root's stand-in for an unreadable file is a link out of the tree: refused before any read
        expect(w.reason).toBe('symlink-outside');
      } else {
        expect(w.reason).toBe('unreadable');
        expect(w.message).toMatch(/cannot read/);
      }
      expect(idx.getFile('python/unreadable.py')).toBeUndefined();
      expect(idx.getFile('python/shapes.py')).toBeDefined();
      expect(await idx.updateFile('python/unreadable.py')).toBeUndefined();
    } finally {
      if (existsSync(join(repo, 'locked'))) chmodSync(join(repo, 'locked'), 0o755);
    }
  });

  it('never follows a link out of the workspace, does not index a folder twice, and reports links that loop', async () => {
    write('real/mod.py', 'def shared(): pass\n');
    symlinkSync(join(repo, 'real'), join(repo, 'alias'));
    mkdirSync(join(work, 'outside'));
    writeFileSync(join(work, 'outside', 'ext.py'), 'def external(): pass\n');
    symlinkSync(join(work, 'outside'), join(repo, 'ext-link'));
    symlinkSync(work, join(work, 'outside', 'to-parent'));
    symlinkSync('..', join(repo, 'real', 'up'));
    symlinkSync(repo, join(repo, 'python', 'root-again'));
    symlinkSync('self.py', join(repo, 'self.py'));
    symlinkSync(join(repo, 'python/shapes.py'), join(repo, 'linked_shapes.py'));
    writeFileSync(join(work, 'secret.py'), 'API_TOKEN = "outside"\n');
    symlinkSync('../secret.py', join(repo, 'link_out.py'));
    const idx = await open();
    const p = paths(idx);
    // a link into the tree does not duplicate files; a link out of it is not followed; loops are not
    expect(p.filter((x) => x.endsWith('mod.py'))).toEqual(['real/mod.py']);
    expect(idx.getFile('ext-link/ext.py')).toBeUndefined();
    expect(p.some((x) => x.startsWith('ext-link'))).toBe(false);
    expect(idx.getFile('link_out.py')).toBeUndefined();
    expect(idx.readText('link_out.py')).toBeUndefined();
    expect(await idx.updateFile('link_out.py')).toBeUndefined();
    expect(reasons(idx.warnings.filter((w) => w.reason === 'symlink-outside')).sort()).toEqual(['symlink-outside:ext-link', 'symlink-outside:link_out.py']);
    expect(p).toContain('linked_shapes.py');
    expect(p.some((x) => x.includes('up/') || x.includes('root-again/'))).toBe(false);
    expect(reasons(idx.warnings.filter((w) => w.reason === 'symlink-loop'))).toEqual(
      expect.arrayContaining(['symlink-loop:python/root-again', 'symlink-loop:self.py']),
    );
    expect(idx.warnings.some((w) => w.path.endsWith('/up'))).toBe(true);
  });

  it('rejects invalid options with a clear message', async () => {
    await expect(WorkspaceIndex.open(repo, { cacheDir, maxFileBytes: -1 })).rejects.toThrow(/maxFileBytes -1/);
    await expect(WorkspaceIndex.open(repo, { cacheDir, workers: 1.5 })).rejects.toThrow(/workers 1.5/);
    await expect(WorkspaceIndex.open(repo, { cacheDir, exclude: 'dist/' as unknown as string[] })).rejects.toThrow(/exclude/);
  });

  it('rejects a root that does not exist or is a file', async () => {
    await expect(WorkspaceIndex.open(join(work, 'nope'), { cacheDir })).rejects.toThrow(/cannot open .*ENOENT/);
    writeFileSync(join(work, 'file.py'), 'x = 1\n');
    await expect(WorkspaceIndex.open(join(work, 'file.py'), { cacheDir })).rejects.toThrow(/not a folder/);
  });
});

describe('cache', () => {
  it('reuses unchanged files on the next open and re-parses changed ones', async () => {
    const first = await open();
    const before = first.files();
    await first.close();
    expect(existsSync(join(cacheDir, 'index.json'))).toBe(true);

    const second = await open();
    expect(second.stats).toMatchObject({ cacheHits: 10, cacheMisses: 0, files: 10 });
    expect(second.files()).toEqual(before);
    // a cached file with syntax errors still reports them
    expect(reasons(second.warnings)).toEqual(['syntax-error:python/broken.py']);
    await second.close();

    write('python/shapes.py', 'class Replaced:\n    def m(self): pass\n');
    utimesSync(join(repo, 'python/shapes.py'), new Date(), new Date(Date.now() + 5000));
    rmSync(join(repo, 'go'), { recursive: true });
    const third = await open();
    expect(third.stats).toMatchObject({ cacheHits: 8, cacheMisses: 1, files: 9 });
    expect(third.getFile('python/shapes.py')!.symbols.map((s) => s.qualifiedName)).toEqual(['Replaced', 'Replaced.m']);
    expect(third.getFile('go/server.go')).toBeUndefined();
  });

  it('rebuilds a corrupt, foreign-version or foreign-root cache with a warning', async () => {
    const fresh = await open();
    const expected = fresh.files();
    await fresh.close();
    const file = join(cacheDir, 'index.json');
    const good = readFileSync(file, 'utf8');
    const nl = good.indexOf('\n');
    const header = JSON.parse(good.slice(0, nl));
    const body = good.slice(nl + 1);
    const withHeader = (h: object, b = body) => JSON.stringify({ ...header, ...h }) + '\n' + b;
    const badBody = '["x.py","python",1]\n[]\n';
    const variants: [string, RegExp][] = [
      ['{"format": 3, "files": [', /corrupt \(not valid JSON\)/],
      [good.slice(0, Math.floor(good.length / 2)), /checksum/],
      [good.replace('Inventory', 'Invent0ry'), /checksum/],
      [withHeader({ format: 999 }), /format 999/],
      [withHeader({ fingerprint: 'old-grammars' }), /other grammars/],
      [withHeader({ root: '/elsewhere' }), /another folder/],
      [withHeader({ count: 1, sha1: createHash('sha1').update(badBody).digest('hex') }, badBody), /malformed/],
      ['null', /unexpected shape/],
    ];
    for (const [content, why] of variants) {
      writeFileSync(file, content);
      const idx = await open();
      const w = idx.warnings.find((x) => x.reason === 'cache-rebuilt');
      expect(w?.message, content.slice(0, 40)).toMatch(why);
      expect(idx.stats.cacheMisses).toBe(10);
      expect(idx.files()).toEqual(expected);
      await idx.close();
      // and the rebuilt cache is good again
      expect(readFileSync(file, 'utf8')).toBe(good);
    }
  });

  it('defaults to a per-workspace folder outside the tree', () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(work, 'xdg');
    try {
      const dir = defaultCacheDir(repo);
      expect(dir.startsWith(join(work, 'xdg', 'rover'))).toBe(true);
      expect(dir.startsWith(repo)).toBe(false);
      expect(defaultCacheDir(repo + '2')).not.toBe(dir);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});

describe('incremental updates', () => {
  it('updateFile re-indexes one saved file, removeFile and refresh follow the disk', async () => {
    const idx = await open();
    expect(idx.readText('python/shapes.py')).toContain('class Shape');
    write('python/shapes.py', 'async def only():\n    return await other()\n');
    const rec = await idx.updateFile('python/shapes.py');
    expect(rec!.symbols).toEqual([expect.objectContaining({ name: 'only', async: true, startLine: 1, endLine: 2 })]);
    expect(rec!.calls).toEqual([{ name: 'other', line: 2, column: 18, container: 'only' }]);
    expect(idx.getFile('python/shapes.py')).toBe(rec);
    expect(idx.readText('python/shapes.py')).toBe('async def only():\n    return await other()\n');

    write('python/new_mod.py', 'def fresh(): pass\n');
    expect((await idx.updateFile('python/new_mod.py'))!.symbols[0].name).toBe('fresh');
    expect(paths(idx)).toContain('python/new_mod.py');

    rmSync(join(repo, 'python/new_mod.py'));
    expect(await idx.updateFile('python/new_mod.py')).toBeUndefined();
    expect(paths(idx)).not.toContain('python/new_mod.py');

    idx.removeFile('rust/lib.rs');
    expect(idx.getFile('rust/lib.rs')).toBeUndefined();
    expect(idx.readText('rust/lib.rs')).toBeUndefined();
    // refresh finds it again (it is still on disk) and parses only that; overlapping refreshes queue
    const [stats, again1] = await Promise.all([idx.refresh(), idx.refresh()]);
    expect(stats.cacheMisses).toBe(1);
    expect(again1.cacheMisses).toBe(0);
    expect(idx.getFile('rust/lib.rs')).toBeDefined();
    expect(await idx.updateFile('README.md')).toBeUndefined();

    // opening an unchanged file in an editor keeps its tree without replacing its record (search's
    // name tables stay valid); its next save then re-indexes from that tree
    const before = idx.files();
    const rustRecord = idx.getFile('rust/lib.rs');
    await idx.keepTree('rust/lib.rs');
    expect(idx.files()).toBe(before);
    expect(idx.getFile('rust/lib.rs')).toBe(rustRecord);
    write('rust/lib.rs', readFileSync(join(repo, 'rust/lib.rs'), 'utf8') + '\nfn appended() {}\n');
    const parse = vi.spyOn(LiveTrees.prototype, 'parse');
    const saved = await idx.updateFile('rust/lib.rs');
    expect(await parse.mock.results[0].value).toMatchObject({ incremental: true });
    parse.mockRestore();
    expect(saved!.symbols.map((x) => x.name)).toContain('appended');
    expect(idx.files()).not.toBe(before);

    // updates are persisted: a new open sees them without parsing
    await idx.close();
    const again = await open();
    expect(again.stats.cacheMisses).toBe(0);
    expect(again.getFile('python/shapes.py')!.symbols[0].name).toBe('only');
  });
});

describe('worker pool', () => {
  it('gives the same records as parsing on the calling thread', async () => {
    // dist/parse-worker.js is today's: test/support/global-setup.ts rebuilds a stale bundle
    // enough files for the pool to be used
    for (let i = 0; i < 40; i++) write(`many/m${i}.py`, `class C${i}(Base):\n    async def run(self):\n        return helper_${i}()\n`);
    const inThread = await open({ workers: 0, cacheDir: join(work, 'c1') });
    const pooled = await open({ workers: 2, cacheDir: join(work, 'c2') });
    expect(pooled.stats.files).toBe(50);
    expect(pooled.files()).toEqual(inThread.files());
    expect(reasons(pooled.warnings)).toEqual(reasons(inThread.warnings));
    expect(pooled.getFile('many/m7.py')!.symbols[1]).toMatchObject({ qualifiedName: 'C7.run', kind: 'method', async: true });
  });
});
