// Tests that run the built CLI or extension must run today's code: build dist/ once per test run
// when any source is newer than the bundle (`npm test` builds first, so there it is already fresh).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import fg from 'fast-glob';
import { runProcess } from '../../src/core/proc/run';

const ROOT = resolve(__dirname, '../..');

function newestSource(): number {
  const files = fg.sync(['src/**/*.ts', 'bench/**/*.ts', 'esbuild.mjs', 'package.json'], { cwd: ROOT, absolute: true });
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

function bundleTime(): number {
  try {
    return statSync(resolve(ROOT, 'dist/cli.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export default async function setup(): Promise<void> {
  if (bundleTime() >= newestSource()) return;
  const r = await runProcess(process.execPath, ['esbuild.mjs'], { cwd: ROOT, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`building dist/ for the tests failed:\n${r.stderr || r.stdout}`);
}
