// The parse pool hands a dead worker's files to the calling thread instead of losing them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ParseJob } from '../../src/core/index/parse-file';
import { ParsePool } from '../../src/core/index/pool';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rover-pool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('parses on the calling thread when workers die mid-run', async () => {
  const dying = join(dir, 'dying-worker.js');
  writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
  const jobs: ParseJob[] = [];
  for (let i = 0; i < 20; i++) {
    const abs = join(dir, `m${i}.py`);
    writeFileSync(abs, `def f${i}():\n    return g()\n`);
    jobs.push({ abs, rel: `m${i}.py`, lang: 'python', size: 1, mtimeMs: 1 });
  }
  const pool = ParsePool.withScript(dying, 2);
  try {
    const results = await pool.run(jobs);
    expect(results.map((r) => r.rel).sort()).toEqual(jobs.map((j) => j.rel).sort());
    const m5 = results.find((r) => r.rel === 'm5.py')!;
    expect(m5.record!.symbols[0]).toMatchObject({ name: 'f5', kind: 'function' });
    expect(m5.warnings).toEqual([]);
  } finally {
    await pool.close();
  }
});
