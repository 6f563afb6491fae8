// `rover mcp` driven by the MCP SDK's own client over stdio (the built dist/cli.js, as an agent starts
// it) on copies of the py-inventory fixture: every tool, schema errors, refused paths, progress,
// cancellation, a hanging test killed by its timeout, the client disconnecting mid-validate_patch
// (no checkout and no test process left), and the user's tree byte-identical afterwards.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RoverToolbox } from '../../src/core/tools/toolbox';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { lacks } from '../support/system-deps';
import { treeHash } from '../support/tree-hash';
import { diffFor } from './validate-helpers';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const CLI = resolve(__dirname, '../../dist/cli.js');
const FAILING = 'tests/test_pricing.py::test_bulk_discount_at_threshold';
const MARKER = 'rover_mcp_slow_marker';

type Answer = { content: { type: string; text: string }[]; structuredContent?: Record<string, any>; isError?: boolean };

async function connect(repo: string, tmp: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--repo', repo, '--cache-dir', join(tmp, 'cache')],
    // checkouts go to $TMPDIR/rover-worktrees: a folder of this test's own, so "none left" can be checked
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmp },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'rover-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const text = (a: unknown) => (a as Answer).content.map((c) => c.text).join('\n');
const call = (c: Client, name: string, args: Record<string, unknown>) => c.callTool({ name, arguments: args }) as Promise<Answer>;
const checkouts = (tmp: string) => (existsSync(join(tmp, 'rover-worktrees')) ? readdirSync(join(tmp, 'rover-worktrees')) : []);

/** Processes whose command line carries the slow test's marker (the test runner of a cancelled call). */
function markedProcesses(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(MARKER)) out.push(Number(pid));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(lacks('python3-pytest', 'git'))('rover mcp over stdio (SDK client)', () => {
  let repo: FixtureRepo;
  let slow: FixtureRepo;
  let tmp: string;
  let client: Client;
  let before: string;
  let fix: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rover-mcp-test-'));
    repo = await makeFixtureRepo('py-inventory');
    // a committed test that hangs in a child process whose command line carries the marker
    slow = await makeFixtureRepo('py-inventory', {
      edit: (d) => writeFile(join(d, 'tests', `test_${MARKER}.py`), `import subprocess, sys\n\ndef test_hangs():\n    subprocess.run([sys.executable, '-c', 'import time; time.sleep(120)', '${MARKER}'])\n`),
    });
    fix = await diffFor(repo.dir, 'inventory/pricing.py', (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
    before = treeHash(repo.dir);
    client = await connect(repo.dir, tmp);
  });
  afterAll(async () => {
    await client?.close();
    await Promise.all([repo?.cleanup(), slow?.cleanup()]);
    await rm(tmp, { recursive: true, force: true });
  });

  it('lists the thirteen tools, each with a JSON Schema for its input', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'search_class', 'search_class_in_file', 'search_method', 'search_method_in_class', 'search_method_in_file', 'search_code',
      'search_code_in_file', 'get_code_around_line', 'find_references', 'localize', 'validate_patch', 'run_tests', 'reproduce_check',
    ]);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.description!.length).toBeGreaterThan(40);
    }
    const validate = tools.find((t) => t.name === 'validate_patch')!;
    expect(validate.inputSchema.required).toEqual(['patch']);
    expect(Object.keys(validate.inputSchema.properties!)).toEqual(['patch', 'tests', 'timeout_seconds', 'include_uncommitted']);
    expect(validate.annotations?.readOnlyHint).toBe(false);
    expect(tools.find((t) => t.name === 'search_code')!.annotations?.readOnlyHint).toBe(true);
  });

  it('answers every search call from the index, text and structured content', async () => {
    const cases: [string, Record<string, unknown>, RegExp, string][] = [
      ['search_class', { class_name: 'Cart' }, /class Cart/, 'inventory/cart.py'],
      ['search_class_in_file', { class_name: 'Cart', file_name: 'cart.py' }, /class Cart/, 'inventory/cart.py'],
      ['search_method', { method_name: 'bulk_discount' }, /def bulk_discount/, 'inventory/pricing.py'],
      ['search_method_in_class', { method_name: 'total', class_name: 'Cart' }, /def total/, 'inventory/cart.py'],
      ['search_method_in_file', { method_name: 'bulk_discount', file_path: 'inventory/pricing.py' }, /def bulk_discount/, 'inventory/pricing.py'],
      ['search_code', { code_str: 'BULK_THRESHOLD' }, /BULK_THRESHOLD/, 'inventory/pricing.py'],
      ['search_code_in_file', { code_str: 'BULK_THRESHOLD', file_path: 'pricing.py' }, /BULK_THRESHOLD/, 'inventory/pricing.py'],
      ['get_code_around_line', { file_path: 'inventory/pricing.py', line_number: 3, window_size: 2 }, /3> BULK_THRESHOLD/, 'inventory/pricing.py'],
      ['find_references', { name: 'bulk_discount' }, /bulk_discount/, 'tests/test_pricing.py'],
    ];
    for (const [name, args, re, file] of cases) {
      const a = await call(client, name, args);
      expect(a.isError, `${name}: ${text(a)}`).toBeFalsy();
      expect(text(a), name).toMatch(re);
      expect(a.structuredContent!.ok, name).toBe(true);
      expect(a.structuredContent!.hits.map((h: { file: string }) => h.file), name).toContain(file);
    }
    const miss = await call(client, 'search_class', { class_name: 'Kart' });
    expect(miss.isError).toBeFalsy();
    expect(miss.structuredContent!.ok).toBe(false);
    expect(miss.structuredContent!.suggestions.join(' ')).toMatch(/\bCart\b/);
  });

  it('follows file changes between calls (the index stays warm and current)', async () => {
    const added = join(repo.dir, 'inventory', 'warehouse.py');
    await writeFile(added, 'class Warehouse:\n    def restock(self, n):\n        return n\n');
    try {
      let a: Answer | undefined;
      const end = Date.now() + 10_000;
      do {
        a = await call(client, 'search_class', { class_name: 'Warehouse' });
        if (a.structuredContent!.ok) break;
        await new Promise((r) => setTimeout(r, 200));
      } while (Date.now() < end);
      expect(a!.structuredContent!.hits[0].file).toBe('inventory/warehouse.py');
    } finally {
      await unlink(added);
    }
    const end = Date.now() + 10_000;
    let gone: Answer;
    do gone = await call(client, 'search_class', { class_name: 'Warehouse' });
    while (gone.structuredContent!.ok && Date.now() < end);
    expect(gone.structuredContent!.ok).toBe(false);
  });

  it('refuses bad arguments, unknown tools and paths outside the repository with clear tool errors', async () => {
    const missing = await call(client, 'search_class', {});
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/class_name/);
    const wrongType = await call(client, 'get_code_around_line', { file_path: 'cart.py', line_number: 'ten' });
    expect(wrongType.isError).toBe(true);
    expect(text(wrongType)).toMatch(/line_number/);
    const unknown = await call(client, 'search_klass', { class_name: 'Cart' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/search_klass/);
    const outside = await call(client, 'search_code_in_file', { code_str: 'root', file_path: '/etc/passwd' });
    expect(outside.isError).toBe(true);
    expect(text(outside)).toMatch(/outside|absolute|relative/i);
    const up = fix.replace(/a\/inventory\/pricing\.py/g, 'a/../pricing.py').replace(/b\/inventory\/pricing\.py/g, 'b/../pricing.py');
    const escape = await call(client, 'validate_patch', { patch: up });
    expect(escape.isError).toBe(true);
    expect(text(escape)).toMatch(/outside the repository.*Nothing was applied/s);
    const intoGit = await call(client, 'validate_patch', { patch: fix.replace(/inventory\/pricing\.py/g, '.git/hooks/pre-commit') });
    expect(intoGit.isError).toBe(true);
    expect(text(intoGit)).toMatch(/git's own files/);
    expect(checkouts(tmp)).toEqual([]);
  });

  it('refuses arguments a tool does not have and test ids that reach past the checkout, running nothing', async () => {
    const { tools } = await client.listTools();
    for (const t of tools) expect(t.inputSchema.additionalProperties, t.name).toBe(false);
    // a misspelled optional argument used to be dropped: run_tests then ran the whole suite
    const typo = await call(client, 'run_tests', { test: ['tests/test_pricing.py'] });
    expect(typo.isError).toBe(true);
    expect(text(typo)).toMatch(/run_tests.*"test"/s);
    // pytest deletes the folder --basetemp names: an id that is an option must never reach it
    const victim = join(tmp, 'victim');
    await mkdir(victim, { recursive: true });
    await writeFile(join(victim, 'keep.txt'), 'mine');
    const option = await call(client, 'run_tests', { tests: [`--basetemp=${victim}`] });
    expect(option.isError).toBe(true);
    expect(text(option)).toMatch(/begins with "-", so the test runner would read it as an option/);
    expect(readFileSync(join(victim, 'keep.txt'), 'utf8')).toBe('mine');
    const absolute = await call(client, 'validate_patch', { patch: fix, tests: [join(repo.dir, 'tests', 'test_pricing.py')] });
    expect(absolute.isError).toBe(true);
    expect(text(absolute)).toMatch(/is an absolute path; test ids are relative to the repository root/);
    const up = await call(client, 'localize', { failing: ['../elsewhere/tests/test_x.py::test_y'] });
    expect(up.isError).toBe(true);
    expect(text(up)).toMatch(/points outside the repository/);
    expect(checkouts(tmp)).toEqual([]);
    expect(treeHash(repo.dir)).toBe(before);
  });

  it('the toolbox the editor calls names each unknown argument and the one meant', async () => {
    const box = new RoverToolbox({ root: repo.dir, index: () => Promise.reject(new Error('a refused call reads no index')) });
    const a = await box.call('run_tests', { test: ['tests/test_pricing.py'], timeout: 5 });
    expect(a.isError).toBe(true);
    expect(a.text).toBe('Invalid arguments for run_tests: "test" (did you mean tests?), "timeout" (did you mean timeout_seconds?) are not arguments of run_tests, which takes tests, timeout_seconds. Nothing was run.');
    const one = await box.call('search_class', { class_name: 'Cart', file: 'cart.py' });
    expect(one.text).toMatch(/"file" .*is not an argument of search_class, which takes class_name\. Nothing was run\.$/);
  });

  it('test tools refuse a folder inside a repository (the checkout would test its top) and a folder outside git', async () => {
    const inner = new RoverToolbox({ root: join(repo.dir, 'inventory'), index: () => Promise.reject(new Error('unused')) });
    const a = await inner.call('run_tests', { tests: ['tests/test_pricing.py'] });
    expect(a.isError).toBe(true);
    expect(a.text).toMatch(/work on a whole git repository, and .*inventory is a folder inside the repository at .*: open \(or serve with rover mcp --repo\) .* to run tests; the search tools work on either\. Nothing was run\.$/);
    const plain = join(tmp, 'not-git');
    await mkdir(plain, { recursive: true });
    const b = await new RoverToolbox({ root: plain, index: () => Promise.reject(new Error('unused')) }).call('validate_patch', { patch: fix });
    expect(b.isError).toBe(true);
    expect(b.text).toMatch(/is not inside a git repository.*Nothing was run\.$/s);
    expect(checkouts(tmp)).toEqual([]);
  });

  it('run_tests: per-test results with the failures, progress reported', async () => {
    const progress: string[] = [];
    const a = (await client.callTool({ name: 'run_tests', arguments: { tests: ['tests/test_pricing.py'] } }, undefined, {
      onprogress: (p) => void progress.push(String(p.message)),
    })) as Answer;
    expect(a.isError).toBeFalsy();
    expect(a.structuredContent!.results[FAILING]).toBe('failed');
    expect(a.structuredContent!.counts.passed).toBeGreaterThan(0);
    expect(text(a)).toMatch(new RegExp(`FAILED ${FAILING}`));
    expect(progress.some((m) => /running/.test(m))).toBe(true);
  });

  it('validate_patch: before/after per test, fail→pass and the verdict, in a checkout', async () => {
    const progress: string[] = [];
    const a = (await client.callTool({ name: 'validate_patch', arguments: { patch: fix, tests: [FAILING] } }, undefined, {
      onprogress: (p) => void progress.push(String(p.message)),
    })) as Answer;
    expect(a.isError, text(a)).toBeFalsy();
    expect(a.structuredContent!.verdict).toBe('resolved');
    expect(a.structuredContent!.failToPass).toEqual([FAILING]);
    expect(a.structuredContent!.tests[FAILING]).toEqual({ before: 'failed', after: 'passed' });
    expect(text(a)).toMatch(/^verdict: resolved/);
    expect(progress).toContain('running the tests before the patch');
    const broken = await diffFor(repo.dir, 'inventory/pricing.py', (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity < 0'));
    const bad = await call(client, 'validate_patch', { patch: broken, tests: ['tests/test_pricing.py'] });
    expect(bad.structuredContent!.verdict).not.toBe('resolved');
    expect(bad.structuredContent!.passToFail.length).toBeGreaterThan(0);
  });

  it('localize: ranked suspects with evidence and ties', async () => {
    const a = await call(client, 'localize', { failing: [FAILING], top: 5 });
    expect(a.isError, text(a)).toBeFalsy();
    const top = a.structuredContent!.suspects[0];
    expect(top.file).toBe('inventory/pricing.py');
    expect(top.method).toBe('bulk_discount');
    expect(top.failingRuns).toBe(1);
    expect(a.structuredContent!.formula).toBe('ochiai');
    expect(Array.isArray(a.structuredContent!.ties)).toBe(true);
    expect(text(a)).toMatch(/ochiai over 1 failing/);
  });

  it('reproduce_check: says whether a test fails on the base commit for the issue\'s reason', async () => {
    const issue = readFileSync(join(repo.dir, 'ISSUE.md'), 'utf8');
    const good = 'from inventory.pricing import bulk_discount\n\ndef test_threshold():\n    assert bulk_discount(10, 20.0) == 2.0\n';
    const yes = await call(client, 'reproduce_check', { file_path: 'tests/test_repro.py', content: good, issue });
    expect(yes.isError, text(yes)).toBeFalsy();
    expect(yes.structuredContent!.reproduces).toBe(true);
    expect(yes.structuredContent!.failingTests).toEqual(['tests/test_repro.py::test_threshold']);
    const importError = 'from inventory.nothing import x\n\ndef test_threshold():\n    assert x\n';
    const no = await call(client, 'reproduce_check', { file_path: 'tests/test_repro.py', content: importError, issue });
    expect(no.structuredContent!.reproduces).toBe(false);
    expect(text(no)).toMatch(/^reproduces: no/);
    const outside = await call(client, 'reproduce_check', { file_path: '../test_x.py', content: good, issue });
    expect(outside.isError).toBe(true);
    expect(text(outside)).toMatch(/not a relative path inside the repository\. Nothing was run\.$/);
    const existing = await call(client, 'reproduce_check', { file_path: 'tests/test_pricing.py', content: good, issue });
    expect(existing.isError).toBe(true);
    expect(text(existing)).toMatch(/tests\/test_pricing\.py already exists in the repository; use a new file name\. Nothing was run\.$/);
    expect(existsSync(join(repo.dir, 'tests', 'test_repro.py'))).toBe(false);
  });

  it('left the user\'s tree byte-identical and no checkout behind', async () => {
    expect(treeHash(repo.dir)).toBe(before);
    expect(checkouts(tmp)).toEqual([]);
  });

  describe('long calls', () => {
    let slowClient: Client;
    beforeAll(async () => {
      slowClient = await connect(slow.dir, tmp);
    });
    afterAll(async () => slowClient?.close());

    it('a hanging test is killed by the call\'s timeout, and said so', async () => {
      const a = await call(slowClient, 'run_tests', { tests: [`tests/test_${MARKER}.py`], timeout_seconds: 3 });
      expect(a.structuredContent!.timedOut).toBe(true);
      expect(text(a)).toMatch(/TIMED OUT/);
      await until('the hanging test process to be gone', () => markedProcesses().length === 0);
      expect(checkouts(tmp)).toEqual([]);
    });

    it('cancellation from the client stops the tests and removes the checkout', async () => {
      const ac = new AbortController();
      const started = new Promise<void>((ok) => {
        void slowClient
          .callTool({ name: 'run_tests', arguments: { tests: [`tests/test_${MARKER}.py`] } }, undefined, {
            signal: ac.signal,
            onprogress: (p) => {
              if (/running/.test(String(p.message))) ok();
            },
          })
          .catch(() => undefined);
      });
      await started;
      await until('the test process to start', () => markedProcesses().length > 0);
      ac.abort();
      await until('the test process to be killed', () => markedProcesses().length === 0);
      await until('the checkout to be removed', () => checkouts(tmp).length === 0);
      // the server goes on answering
      const a = await call(slowClient, 'search_class', { class_name: 'Cart' });
      expect(a.structuredContent!.ok).toBe(true);
    });

    it('a client that disconnects mid-validate_patch leaves no checkout and no test process', async () => {
      const c = await connect(slow.dir, tmp);
      const slowHash = treeHash(slow.dir);
      const patch = await diffFor(slow.dir, 'inventory/pricing.py', (t) => t.replace('quantity > BULK_THRESHOLD', 'quantity >= BULK_THRESHOLD'));
      const started = new Promise<void>((ok) => {
        void c
          .callTool({ name: 'validate_patch', arguments: { patch } }, undefined, {
            onprogress: (p) => {
              if (p.message === 'running the tests before the patch') ok();
            },
          })
          .catch(() => undefined);
      });
      await started;
      await until('the test process to start', () => markedProcesses().length > 0);
      expect(checkouts(tmp).length).toBe(1);
      await c.close();
      await until('the test process to be killed', () => markedProcesses().length === 0);
      await until('the checkout to be removed', () => checkouts(tmp).length === 0);
      expect(treeHash(slow.dir)).toBe(slowHash);
    });
  });
});
