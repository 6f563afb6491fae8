// What a first real use of the `rover` command line meets (issue #21): help on every command, option
// values and arguments that begin with "-", the exit codes, folders that are not what they should
// be, files the index skipped, Ctrl-C, and progress on a terminal. Child processes of the built
// dist/cli.js on temp copies of fixtures.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { diffFor } from './validate-helpers';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const cleanup: (() => Promise<void>)[] = [];
let xdg: string;

async function rover(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = await runProcess(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, XDG_CACHE_HOME: xdg, ...opts.env }, timeoutMs: 180_000 });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // `npm test` builds before vitest; build here only when vitest runs alone on a fresh checkout
  if (!existsSync(CLI)) {
    const b = spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  }
  xdg = await mkdtemp(join(tmpdir(), 'rover-first-use-xdg-'));
  cleanup.push(() => rm(xdg, { recursive: true, force: true }));
}, 120_000);

afterAll(async () => {
  for (const c of cleanup) await c();
});

async function fixture(name: string, opts: { git?: boolean } = {}): Promise<FixtureRepo> {
  const repo = await makeFixtureRepo(name, opts);
  cleanup.push(repo.cleanup);
  return repo;
}

describe('rover: arguments', () => {
  it('--help and -h on every command print its usage and options, exit 0; `rover help CMD` too', async () => {
    for (const cmd of ['index', 'search', 'localize', 'fix', 'validate', 'eval', 'example']) {
      for (const flag of ['--help', '-h']) {
        const r = await rover([cmd, flag]);
        expect(r.code, `${cmd} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: rover ${cmd}\\b`));
        expect(r.stdout).toMatch(/--help, -h/);
        expect(r.stdout).toMatch(/Put -- before arguments that begin with "-"/);
      }
    }
    const v = await rover(['help', 'validate']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/--tests ID +test ids to run/);
    // after --, --help is an argument, not a request for help
    const repo = await fixture('py-inventory', { git: false });
    const s = await rover(['search', repo.dir, 'search_code', '--', '--help']);
    expect(s.stdout).not.toMatch(/^usage:/);
  });

  it('an option value may begin with "-"; an argument that does takes --, and the error says so', async () => {
    const repo = await fixture('py-inventory', { git: false });
    await writeFile(join(repo.dir, 'inventory', 'cli_flags.py'), 'FLAGS = ["--notes", "-v"]\n');
    const dashValue = await rover(['search', repo.dir, 'search_code', 'FLAGS', '--max-tokens', '-5']);
    expect(dashValue.code).toBe(2);
    expect(dashValue.stderr).toMatch(/--max-tokens must be a whole number >= 50 \(got "-5"\)/);
    const asOption = await rover(['search', repo.dir, 'search_code', '--notes']);
    expect(asOption.code).toBe(2);
    expect(asOption.stderr).toMatch(/Unknown option '--notes'/);
    expect(asOption.stderr).toMatch(/--help/);
    const afterDashes = await rover(['search', repo.dir, 'search_code', '--', '--notes']);
    expect(afterDashes.code, afterDashes.stderr).toBe(0);
    expect(afterDashes.stdout).toMatch(/cli_flags\.py/);
  });
});

describe('rover: folders, files and exit codes', () => {
  it('validate --repo on a missing folder says so (exit 2), not "no test runner"', async () => {
    const patch = join(xdg, 'x.diff');
    await writeFile(patch, 'diff --git a/x b/x\n');
    const r = await rover(['validate', '--repo', '/nonexistent/rover-repo', '--patch', patch]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--repo \/nonexistent\/rover-repo: no such folder/);
    expect(r.stderr + r.stdout).not.toMatch(/test runner/);
    // a real folder without a test runner: the advice is the command-line option, not a VS Code setting
    const bare = await fixture('validate-notests');
    await rm(join(bare.dir, 'pytest.ini'), { force: true });
    await runProcess('git', ['commit', '-qam', 'no runner'], { cwd: bare.dir, timeoutMs: 30_000 });
    const none = await rover(['validate', '--repo', bare.dir, '--patch', patch]);
    expect(none.stdout).toMatch(/No test runner found/);
    expect(none.stdout).toMatch(/Pass the test command with --command ARG \.\.\. \(in VS Code: the rover\.tests\.command setting\)/);
  });

  it('localize outside a git repository explains itself without a stack trace, exit 2', async () => {
    const repo = await fixture('js-textkit', { git: false });
    const r = await rover(['localize', '--repo', repo.dir, '--failing', 'test/slug.test.js::slugify collapses repeated separators'], { env: { GIT_CEILING_DIRECTORIES: resolve(repo.dir, '..') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not inside a git repository/);
    expect(r.stderr).toMatch(/git init/);
    expect(r.stderr).toMatch(/--in-place/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a file the index skipped for its size is named as such; an ambiguous file is bad input (exit 2)', async () => {
    const repo = await fixture('py-inventory', { git: false });
    await writeFile(join(repo.dir, 'inventory', 'big_table.py'), `TABLE = [\n${'    "abcdefghijklmnopqrstuvwxyz",\n'.repeat(200)}]\n`);
    const big = await rover(['search', repo.dir, 'search_code_in_file', 'abcdef', 'big_table.py', '--max-file-kb', '4', '--no-cache']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/inventory\/big_table\.py is not in the index: file is \d+ bytes, over the 4096-byte limit/);
    expect(big.stderr).toMatch(/--max-file-kb/);
    expect(big.stdout + big.stderr).not.toMatch(/Could not find file/);
    const raised = await rover(['search', repo.dir, 'search_code_in_file', 'abcdef', 'big_table.py', '--no-cache']);
    expect(raised.code).toBe(0);
    const ambiguous = await rover(['search', repo.dir, 'get_code_around_line', '__init__.py', '1', '2']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/"__init__\.py" is ambiguous: it matches 2 files/);
  });

  it('Ctrl-C during validate stops the tests, removes the worktree and exits 130', async () => {
    const repo = await fixture('js-textkit');
    await writeFile(join(repo.dir, 'test', 'slow.test.js'), "const { test } = require('node:test');\ntest('waits', () => new Promise((r) => setTimeout(r, 120000)));\n");
    await runProcess('git', ['add', '-A'], { cwd: repo.dir, timeoutMs: 30_000 });
    await runProcess('git', ['commit', '-qm', 'slow test'], { cwd: repo.dir, timeoutMs: 30_000 });
    const patchFile = join(xdg, 'slug.diff');
    await writeFile(patchFile, await diffFor(repo.dir, 'src/slug.js', (t) => t.replace('/[^a-z0-9]/g', '/[^a-z0-9]+/g')));
    const wtParent = await mkdtemp(join(tmpdir(), 'rover-first-use-tmp-'));
    cleanup.push(() => rm(wtParent, { recursive: true, force: true }));
    const child = spawn(process.execPath, [CLI, 'validate', '--repo', repo.dir, '--patch', patchFile], { env: { ...process.env, TMPDIR: wtParent }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const started = Date.now();
    while (!/running the tests before the patch/.test(err) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/cancelled/);
    const left = existsSync(join(wtParent, 'rover-worktrees')) ? await readdir(join(wtParent, 'rover-worktrees'), { recursive: true }) : [];
    expect(left.filter((p) => String(p).includes('wt-'))).toEqual([]);
    const wts = await runProcess('git', ['worktree', 'list', '--porcelain'], { cwd: repo.dir, timeoutMs: 30_000 });
    expect(wts.stdout.match(/^worktree /gm)).toHaveLength(1);
  });
});

describe('rover localize: the printed score is the order', () => {
  it('prints the score it orders by (SBFL + evidence) with its parts, and says in words what sets tied functions apart', async () => {
    const repo = await fixture('js-textkit');
    const args = ['localize', '--repo', repo.dir, '--failing', 'test/slug.test.js::slugify collapses repeated separators', '--all-passing', '--issue', join(repo.dir, 'ISSUE.md')];
    const text = await rover(args);
    expect(text.code, text.stderr).toBe(0);
    const json = await rover([...args, '--json']);
    const entries = JSON.parse(json.stdout).entries as { rank: number; rankScore: number; score: number; evidence: number; tieSize: number }[];
    const printed = [...text.stdout.matchAll(/^ +(\d+)\. (\S+) /gm)].map((m) => Number(m[2]));
    expect(printed).toHaveLength(entries.length);
    printed.forEach((p, i) => expect(Math.abs(p - entries[i].rankScore)).toBeLessThanOrEqual(1e-4));
    expect([...printed].sort((a, b) => b - a)).toEqual(printed);
    // evidence makes the order differ from the SBFL score alone: both parts are shown
    expect(entries.some((e) => e.evidence > 0)).toBe(true);
    expect(text.stdout).toMatch(/ochiai [\d.]+: run by 1 of 1 failing and \d+ of \d+ passing tests; \+ [\d.]+ evidence: named by the issue/);
    expect(text.stdout).toMatch(/tied with \d+ other\(s\) at ochiai [\d.]+ \(tie group \d+\), set apart by /);
    expect(text.stdout).not.toMatch(/ordered by stack|NOT separated/);
  });
});

describe('rover: progress', () => {
  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, a step shows a live line and leaves its time; piped, plain lines', async () => {
    const repo = await fixture('js-textkit');
    const patchFile = join(xdg, 'slug-progress.diff');
    await writeFile(patchFile, await diffFor(repo.dir, 'src/slug.js', (t) => t.replace('/[^a-z0-9]/g', '/[^a-z0-9]+/g')));
    // script(1) gives the command a terminal; the delay is 0 so the test need not wait two seconds
    const cmd = [process.execPath, CLI, 'validate', '--repo', repo.dir, '--patch', patchFile].map((a) => `'${a}'`).join(' ');
    const tty = await runProcess('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, ROVER_PROGRESS_DELAY_MS: '0', XDG_CACHE_HOME: xdg }, timeoutMs: 180_000 });
    expect(tty.code, tty.stdout).toBe(0);
    expect(tty.stdout).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] running the tests (before|with) the patch +\d+ s/);
    expect(tty.stdout).toMatch(/rover: running the tests before the patch \(\d+\.\d s\)/);
    const piped = await rover(['validate', '--repo', repo.dir, '--patch', patchFile], { env: { ROVER_PROGRESS_DELAY_MS: '0' } });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(/^rover: running the tests before the patch$/m);
    expect(piped.stderr).not.toMatch(/\x1b\[K/);
  });
});
