#!/usr/bin/env node
// `npm run test:e2e`: Rover end to end in a real VS Code (code-server) driven by headless Chromium.
//
//  1. installs code-server once into ~/.cache/rover-e2e (keyed by version, reused),
//  2. builds and packages the VSIX (`npm run package`) and installs it into a fresh extensions dir,
//  3. starts code-server on a free loopback port with fresh user data (own process group),
//  4. layer A: mocha suites inside the real extension host, one window per group, opened with a
//     `payload` URL. extensionDevelopmentPath points at the folder the VSIX was INSTALLED into, so
//     these suites exercise the packaged extension (a file missing from the VSIX fails here too),
//  5. layer B: Playwright scenarios through the workbench UI, screenshots into test/e2e/.artifacts,
//  6. stops everything it started by process group, also on failure, Ctrl-C and the overall timeout.
// The last line is `N passed, N failed`; the exit code is non-zero on any failure.
//
// Options: --only s1,s3 (scenario ids)  --keep (keep the temp dir)  --skip-package (reuse rover.vsix)
//          --save-screenshots DIR (copy this run's scenario screenshots there, e.g. docs/screenshots)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ensureCodeServer, codeServerDir } from './lib/install-code-server.mjs';
import { run, killAll } from './lib/proc.mjs';
import { startCodeServer, installExtension, workbenchUrl } from './lib/code-server.mjs';
import { makeWorkspace, REPO_ROOT } from './lib/workspace.mjs';
import { launchBrowser, newPage, openWorkbench, shot as takeShot } from './lib/ui.mjs';
import { GROUPS, UI_SCENARIOS, Skip } from './plan.mjs';
import { installCommand, missingDeps } from '../../scripts/system-deps.mjs';

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const valueOf = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
const only = valueOf('--only')?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = (id) => !only || only.includes(id);
const OVERALL_TIMEOUT_MS = Number(process.env.ROVER_E2E_TIMEOUT_MS || 40 * 60_000);

const E2E_DIR = join(REPO_ROOT, 'test', 'e2e');
const ARTIFACTS = join(E2E_DIR, '.artifacts');
const knownGaps = existsSync(join(E2E_DIR, 'known-gaps.json')) ? JSON.parse(readFileSync(join(E2E_DIR, 'known-gaps.json'), 'utf8')) : {};
delete knownGaps.$comment;

const results = [];
const timings = [];
const t0 = Date.now();
const log = (...a) => console.log(...a);
const timed = async (what, fn) => {
  const t = Date.now();
  try { return await fn(); } finally { timings.push([what, Date.now() - t]); }
};

const tmp = mkdtempSync(join(tmpdir(), 'rover-e2e-'));
const toStop = [];
let cleaning = null;
async function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    for (const s of toStop.reverse()) {
      try { await Promise.race([s(), new Promise((r) => setTimeout(r, 15_000))]); } catch { /* keep stopping the rest */ }
    }
    killAll('SIGKILL');
    if (!flag('--keep')) rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  })();
  return cleaning;
}

function summaryAndExit(code) {
  const passed = results.filter((r) => r.status === 'passed').length;
  const failed = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped');
  log('\n── timings');
  for (const [what, ms] of timings) log(`  ${what.padEnd(58)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
  log(`  ${'total'.padEnd(58)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
  if (skipped.length) {
    log(`\n── ${skipped.length} skipped`);
    for (const r of skipped) log(`  skip [${r.layer}] ${r.title} — ${r.reason}`);
  }
  const failures = results.filter((r) => r.status === 'failed');
  if (failures.length) {
    log('\n── failures');
    for (const r of failures) log(`  FAIL [${r.layer}] ${r.title}\n${String(r.error).split('\n').map((l) => '    ' + l).join('\n')}`);
  }
  if (code === 0 && failed > 0) code = 1;
  if (code === 0 && passed === 0) { log('no e2e test ran'); code = 1; }
  log(`\n${passed} passed, ${failed} failed`);
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    log(`\n${sig}: stopping everything this run started`);
    results.push({ layer: '-', title: `run interrupted by ${sig}`, status: 'failed', error: sig });
    await cleanup();
    summaryAndExit(sig === 'SIGINT' ? 130 : 143);
  });
}
const overall = setTimeout(async () => {
  log(`\noverall timeout of ${OVERALL_TIMEOUT_MS / 1000} s reached: stopping`);
  results.push({ layer: '-', title: 'overall e2e timeout', status: 'failed', error: `exceeded ${OVERALL_TIMEOUT_MS} ms` });
  await cleanup();
  summaryAndExit(124);
}, OVERALL_TIMEOUT_MS);

function record(r) {
  results.push(r);
  const mark = r.status === 'passed' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip';
  const ms = r.ms != null ? ` (${(r.ms / 1000).toFixed(1)} s)` : '';
  log(`  ${mark} [${r.layer}] ${r.title}${ms}${r.status === 'skipped' ? ` — ${r.reason}` : ''}`);
}

/** Layer A: one window whose extension host runs the group's mocha suites. */
async function runHostGroup(browser, cs, group, installedDir, server) {
  const ws = await makeWorkspace(group.fixture, join(tmp, 'ws'), `${group.id}-${group.fixture}`);
  const resultsFile = join(tmp, `results-${group.id}.jsonl`);
  writeFileSync(resultsFile, '');
  const config = {
    group: group.id,
    suites: group.suites.filter((s) => selected(s.split('-')[0])).map((s) => join(E2E_DIR, 'host', s)),
    resultsFile,
    installedExtensionDir: installedDir,
    scriptedServerModule: join(REPO_ROOT, 'test', 'support', 'scripted-model-server.mjs'),
    fixturesDir: join(REPO_ROOT, 'test', 'fixtures'),
    userDataDir: cs.userData,
    artifacts: ARTIFACTS,
    knownGaps,
    harnessModelUrl: server?.url,
  };
  const entry = join(tmp, 'entries', `${group.id}.cjs`);
  mkdirSync(join(tmp, 'entries'), { recursive: true });
  writeFileSync(entry, `// generated by test/e2e/run.mjs\nconst r = require(${JSON.stringify(join(E2E_DIR, 'host', 'runner.cjs'))});\nexports.run = () => r.run(${JSON.stringify(config)});\n`);
  const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
  const url = workbenchUrl(cs.url, ws, [['extensionDevelopmentPath', remote(installedDir)], ['extensionTestsPath', remote(entry)]]);
  const { context, page, consoleLines } = await newPage(browser);
  const started = Date.now();
  let exitCode;
  try {
    const exited = new Promise((resolve) => { page.exposeFunction('codeAutomationExit', (code) => resolve(code)); });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    exitCode = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), group.timeoutMs ?? 8 * 60_000))]);
    if (exitCode === 'timeout' || exitCode !== 0) await takeShot(page, ARTIFACTS, `failure-${group.id}`).catch(() => {});
  } finally {
    writeFileSync(join(ARTIFACTS, `console-${group.id}.log`), consoleLines.join('\n'));
    await context.close().catch(() => {});
  }
  const recs = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  for (const r of recs) record(r);
  if (exitCode === 'timeout') record({ layer: 'A', group: group.id, title: `${group.id}: extension host suite finished`, status: 'failed', error: `no codeAutomationExit within the limit; browser console in test/e2e/.artifacts/console-${group.id}.log` });
  else if (exitCode !== 0 && !recs.some((r) => r.status === 'failed')) record({ layer: 'A', group: group.id, title: `${group.id}: extension host suite`, status: 'failed', error: `exit code ${exitCode}; console:\n${consoleLines.slice(-30).join('\n')}` });
  else if (!recs.length) record({ layer: 'A', group: group.id, title: `${group.id}: extension host suite`, status: 'failed', error: 'ran no test' });
  timings.push([`layer A group ${group.id}`, Date.now() - started]);
}

/** Layer B: one fresh browser context per UI scenario, screenshots on every run and on failure. */
async function runUiScenario(browser, cs, sc, server) {
  const title = sc.title;
  if (knownGaps[sc.id]) return record({ layer: 'B', title, status: 'skipped', reason: `known gap: ${knownGaps[sc.id]}` });
  const ws = await makeWorkspace(sc.fixture, join(tmp, 'ws'), `ui-${sc.id}-${sc.fixture}`);
  const { context, page, consoleLines } = await newPage(browser);
  const started = Date.now();
  const steps = [];
  const shot = async (name) => {
    const f = await takeShot(page, ARTIFACTS, name);
    steps.push(`${name} @${((Date.now() - started) / 1000).toFixed(1)}s`);
    return f;
  };
  try {
    await openWorkbench(page, workbenchUrl(cs.url, ws));
    steps.push(`workbench @${((Date.now() - started) / 1000).toFixed(1)}s`);
    await sc.run({ page, shot, workspace: ws, server, codeServer: cs, tmp });
    await shot(`${sc.id}-final`);
    record({ layer: 'B', title, status: 'passed', ms: Date.now() - started });
  } catch (err) {
    if (err instanceof Skip) record({ layer: 'B', title, status: 'skipped', reason: err.message });
    else {
      await shot(`failure-${sc.id}`).catch(() => {});
      writeFileSync(join(ARTIFACTS, `console-${sc.id}.log`), consoleLines.join('\n'));
      record({ layer: 'B', title, status: 'failed', ms: Date.now() - started, error: err?.stack || String(err) });
    }
  } finally {
    await context.close().catch(() => {});
    timings.push([`layer B ${sc.id}`, Date.now() - started]);
    log(`       steps: ${steps.join(', ')}`);
  }
}

async function packageVsix() {
  const vsix = join(REPO_ROOT, 'rover.vsix');
  if (flag('--skip-package') && existsSync(vsix)) return vsix;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const before = existsSync(vsix) ? statSync(vsix).mtimeMs : 0;
  if (pkg.scripts?.package) {
    await run('npm', ['run', 'package'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
  } else {
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    await run('npx', ['vsce', 'package', '--no-dependencies', '--out', vsix], { cwd: REPO_ROOT, timeoutMs: 300_000 });
  }
  if (!existsSync(vsix) || statSync(vsix).mtimeMs === before) throw new Error('packaging produced no new rover.vsix');
  // copy so a concurrent packaging by someone else cannot change what this run installs
  const mine = join(tmp, 'rover.vsix');
  writeFileSync(mine, readFileSync(vsix));
  return mine;
}

/** Names the Debian packages a run needs and lacks (scripts/system-deps.mjs), instead of failing deep inside an install. */
function missingSystemPackages(coldInstall) {
  const chromiumElsewhere = process.env.ROVER_E2E_CHROMIUM && existsSync(process.env.ROVER_E2E_CHROMIUM);
  const wanted = [...(chromiumElsewhere ? [] : ['chromium']), 'ripgrep', 'git', ...(coldInstall ? ['libkrb5-dev', 'build-essential'] : [])];
  return missingDeps(wanted).map((d) => d.pkg);
}

async function main() {
  const cold = !existsSync(join(codeServerDir(), '.complete'));
  const missing = missingSystemPackages(cold);
  if (missing.length) {
    throw Object.assign(new Error(`missing system packages: ${missing.join(' ')}\ninstall them: ${installCommand(missing)} (or run \`npm run setup\` / .ci/run as root)`), { plain: true });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) rmSync(join(ARTIFACTS, f), { recursive: true, force: true });
  log(`rover e2e: temp ${tmp}`);
  const cs = await timed('install code-server (0 = cached)', async () => {
    const r = await ensureCodeServer({ log });
    log(r.cold ? `code-server installed cold in ${(r.ms / 1000).toFixed(1)} s` : `code-server cached at ${r.dir}`);
    return r;
  });
  const vsix = await timed('build + package VSIX', packageVsix);
  const extDir = join(tmp, 'ext');
  await timed('install VSIX', () => installExtension(cs.bin, extDir, vsix));
  const installedDir = readdirSync(extDir).map((d) => join(extDir, d)).find((d) => /rover-dev\.rover-/.test(d));
  if (!installedDir) throw new Error(`the VSIX did not install into ${extDir}: ${readdirSync(extDir).join(', ')}`);
  log(`installed ${relative(tmp, installedDir)}`);

  const { startScriptedServer } = await import(join(REPO_ROOT, 'test', 'support', 'scripted-model-server.mjs'));
  const server = await startScriptedServer({ script: [] });
  toStop.push(() => server.close());

  const browser = await timed('launch chromium', () => launchBrowser());
  toStop.push(() => browser.close());

  const servers = {};
  const serverFor = async (trust) => {
    const key = trust ? 'untrusted' : 'main';
    if (!servers[key]) {
      servers[key] = await timed(`start code-server (${key})`, () => startCodeServer({ bin: cs.bin, root: join(tmp, `cs-${key}`), extDir, trust, log }));
      toStop.push(() => servers[key].stop());
    }
    return servers[key];
  };

  log('\n── layer A: extension host suites');
  for (const g of GROUPS) {
    if (!g.scenarios.some(selected)) continue;
    const csrv = await serverFor(!!g.trustEnabled);
    try {
      await runHostGroup(browser, csrv, g, installedDir, server);
    } catch (err) {
      record({ layer: 'A', group: g.id, title: `${g.id}: extension host suite`, status: 'failed', error: err?.stack || String(err) });
    }
  }
  log('\n── layer B: UI scenarios');
  // the contract's test hook: rover.baseUrl points at the harness's scripted model server
  for (const csrv of Object.values(servers)) setUserSetting(csrv, 'rover.baseUrl', server.url);
  for (const sc of UI_SCENARIOS) {
    if (!selected(sc.id)) continue;
    const csrv = await serverFor(!!sc.trustEnabled);
    await runUiScenario(browser, csrv, sc, server);
  }
}

// Written to user AND remote-machine settings: a machine-overridable setting that a layer A suite
// set through the API lives in Machine/settings.json, which would otherwise win.
function setUserSetting(csrv, key, value) {
  for (const scope of ['User', 'Machine']) {
    const f = join(csrv.userData, scope, 'settings.json');
    mkdirSync(join(csrv.userData, scope), { recursive: true });
    let cur = {};
    try { cur = JSON.parse(readFileSync(f, 'utf8')); } catch { /* rewritten below */ }
    cur[key] = value;
    writeFileSync(f, JSON.stringify(cur, null, 2));
  }
}

function saveScreenshots() {
  const dir = valueOf('--save-screenshots');
  if (!dir) return;
  const dest = resolve(process.cwd(), dir); // an absolute DIR stays absolute
  mkdirSync(dest, { recursive: true });
  const shots = readdirSync(ARTIFACTS).filter((f) => f.endsWith('.png') && !f.startsWith('failure-') && !f.endsWith('-final.png'));
  for (const f of shots) writeFileSync(join(dest, f), readFileSync(join(ARTIFACTS, f)));
  log(`copied ${shots.length} screenshot(s) to ${dest}`);
}

let code = 0;
try {
  await main();
  saveScreenshots();
} catch (err) {
  code = 1;
  results.push({ layer: '-', title: 'e2e harness', status: 'failed', error: err?.plain ? err.message : err?.stack || String(err) });
}
clearTimeout(overall);
await cleanup();
summaryAndExit(code);
