// The second half of `rover example`: the whole fix session on a copy of the bundled example, from
// the issue's text alone, with a recorded model exchange served over HTTP by the project's local model
// stand-in. Everything else is the real thing: the Anthropic SDK client, the reproduction test run by
// pytest in a worktree, coverage-based localization, validation of each candidate, the choice.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFixSession } from '../../core/agent/fix-session';
import { createProvider } from '../../core/llm';
import { runProcess } from '../../core/proc/run';
import { choosePython } from '../../core/runner/detect';
import { CliError } from '../args';
import { printEvent } from './fix-cmd';

/** The recorded exchange and the stand-in, next to the example in the source checkout. */
function standInFiles(exampleRoot: string): { server: string; script: string } {
  const fixtures = resolve(exampleRoot, '..');
  const server = resolve(fixtures, '..', 'support', 'scripted-model-server.mjs');
  const script = resolve(fixtures, 'py-inventory.recorded-model.json');
  if (!existsSync(server) || !existsSync(script)) throw new CliError(`the example's recorded model exchange was not found (${script}, ${server}); run it from Rover's source checkout`, 1);
  return { server, script };
}

async function startStandIn(server: string, script: string): Promise<{ url: string; child: ChildProcess }> {
  // a long-lived server, not a command that finishes: spawned directly, in its own process group
  const child = spawn(process.execPath, [server, '--script', script, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    const t = setTimeout(() => rej(new Error(`the local model stand-in did not start within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    });
    child.on('error', (e) => {
      clearTimeout(t);
      rej(e);
    });
  });
  return { url, child };
}

/** A user's checkout of the example: a git repository whose tests do not yet show the bug. */
async function userCopy(exampleRoot: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rover-example-'));
  await cp(exampleRoot, dir, { recursive: true });
  const tests = join(dir, 'tests', 'test_pricing.py');
  await writeFile(tests, (await readFile(tests, 'utf8')).replace(/\ndef test_bulk_discount_at_threshold\(\):\n {4}assert .*\n/, '\n'));
  const git = async (...args: string[]) => {
    const r = await runProcess('git', args, { cwd: dir, timeoutMs: 60_000 });
    if (r.code !== 0) throw new CliError(`git ${args[0]} failed in the example copy: ${r.stderr.trim()}`, 1);
  };
  await git('init', '-q');
  await git('-c', 'user.name=Rover Example', '-c', 'user.email=example@rover.invalid', '-c', 'commit.gpgsign=false', 'add', '-A');
  await git('-c', 'user.name=Rover Example', '-c', 'user.email=example@rover.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'example');
  return dir;
}

export async function runExampleSession(exampleRoot: string, print: (s: string) => void, signal?: AbortSignal): Promise<boolean> {
  const { server, script } = standInFiles(exampleRoot);
  // the example's tests run with Debian's pytest and coverage.py; say so plainly when they are missing
  const py = await runProcess(choosePython(exampleRoot), ['-c', 'import pytest, coverage'], { cwd: exampleRoot, timeoutMs: 60_000 }).catch(() => undefined);
  if (!py || py.code !== 0) {
    print('The fix session runs the example\'s tests with pytest and coverage.py, which this machine lacks:');
    print('  sudo apt-get install -y python3-pytest python3-coverage   (or `npm run setup` as root)');
    return false;
  }
  const issue = await readFile(join(exampleRoot, 'ISSUE.md'), 'utf8');
  const repo = await userCopy(exampleRoot);
  const standIn = await startStandIn(server, script);
  try {
    print(`A copy of the example as your checkout: ${repo} (no test in it shows the bug yet).`);
    print('The model is a RECORDED exchange, replayed over HTTP by a local stand-in at ' + standIn.url + ':');
    print("Rover's real Anthropic client talks to it; the tests, coverage and checkouts are real.\n");
    print(`The issue:\n${issue.trim().split('\n').map((l) => `  | ${l}`).join('\n')}\n`);
    const provider = createProvider({ provider: 'anthropic', apiKey: 'recorded-exchange-no-key', baseUrl: standIn.url, model: 'rover-recorded-example', maxRetries: 0 });
    const r = await runFixSession({ repo, issue, provider, limits: { candidates: 2 }, budgetUsd: 1, localizeCacheDir: false, signal, onEvent: (e) => printEvent(e, print) });
    print('');
    if (r.status !== 'patched' || !r.diff) {
      print(`The session ended "${r.status}": ${r.reason}`);
      return false;
    }
    if (r.reproduction?.test) print(`The reproduction test Rover kept (${r.reproduction.test.file}), offered in the review as a file you can keep:\n${r.reproduction.test.content}`);
    print(`The chosen patch (${r.chosenId}), validated in a private checkout — your copy is untouched:\n${r.diff}`);
    print(`Why: ${r.reason}\n`);
    print(`${r.usage.calls} model calls (recorded; nothing billed).`);
    return true;
  } finally {
    try {
      process.kill(-standIn.child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await rm(repo, { recursive: true, force: true });
  }
}

export const NEXT_STEPS = `Next steps
  On your own repository, with a key (or a local OpenAI-compatible server):
    export ANTHROPIC_API_KEY=...        # or: --provider openai --base-url http://localhost:11434/v1
    node dist/cli.js fix --repo ~/src/your-project --issue issue.md --out fix.diff
    (add --failing tests/test_x.py::test_y when you already have a failing test; --json for every step)
  In VS Code:
    npm run package && code --install-extension rover.vsix
    then "Rover: Set API Key" and "Rover: Fix This Issue" in the command palette.`;
