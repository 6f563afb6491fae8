// The checkout cache a batch worker reads (<root>/<instance_id>, a git repository at base_commit),
// made from test/fixtures/py-inventory for the instances in test/fixtures/batch, the way prepare.sh
// makes the benchmark's; and the built CLI started as a child with its output collected.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { InstanceRecord } from '../../src/cli/batch/store';
import { join, resolve } from 'node:path';
import { commitAsFixture, FIXTURES } from './fixture-repo';

export const CLI = resolve(__dirname, '../../dist/cli.js');
export const BATCH_INSTANCES = join(FIXTURES, 'batch', 'instances.jsonl');

export interface FixtureInstance { instance_id: string; test_patch: string; [k: string]: unknown }

export async function readFixtureInstances(): Promise<FixtureInstance[]> {
  return (await readFile(BATCH_INSTANCES, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as FixtureInstance);
}

export async function writeInstances(file: string, rows: object[]): Promise<string> {
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

/** <root>/<id> for each id: a copy of py-inventory with one commit. */
export async function makeCheckoutCache(root: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const dir = join(root, id);
    await mkdir(dir, { recursive: true });
    await cp(join(FIXTURES, 'py-inventory'), dir, { recursive: true });
    await commitAsFixture(dir);
  }
}

/** A copy of inventory-threshold whose test sleeps, so a job lasts long enough to interrupt. */
export function slowInstance(base: FixtureInstance, id: string, sleepS: number): FixtureInstance {
  const test = base.test_patch
    .replace('@@ -0,0 +1,9 @@\n+from inventory.pricing import bulk_discount\n', `@@ -0,0 +1,11 @@\n+import time\n+from inventory.pricing import bulk_discount\n`)
    .replace('+def test_discount_at_exactly_the_threshold():\n', `+def test_discount_at_exactly_the_threshold():\n+    time.sleep(${sleepS})\n`);
  return { ...base, instance_id: id, test_patch: test };
}

export interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  return { child, out: () => out, err: () => err, exited };
}

export async function waitFor(what: () => boolean, ms: number, why: string): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${why}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The per-instance records of a results folder, by instance id. */
export async function readRecords(out: string): Promise<Record<string, InstanceRecord>> {
  const rows = await Promise.all(readdirSync(join(out, 'instances')).map(async (f) => JSON.parse(await readFile(join(out, 'instances', f), 'utf8')) as InstanceRecord));
  return Object.fromEntries(rows.map((r) => [r.instance_id, r]));
}
