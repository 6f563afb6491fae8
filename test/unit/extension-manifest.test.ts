// The manifest keeps the editor contract (command ids, views, settings, trust) and the VSIX carries
// what the extension needs at run time and nothing from node_modules.
import { builtinModules, isBuiltin } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/proc/run';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

const CONTRACT_COMMANDS = [
  'rover.fixIssue',
  'rover.localizeFault',
  'rover.validateChanges',
  'rover.toggleTestOnSave',
  'rover.setApiKey',
  'rover.showLog',
  'rover.rebuildIndex',
  'rover.searchCode',
  'rover.review.acceptHunk',
  'rover.review.rejectHunk',
  'rover.review.acceptAll',
  'rover.review.rejectAll',
  'rover._state',
];

describe('extension manifest', () => {
  it('identifies as rover-dev.rover for VS Code ^1.100 with the bundled entry and an icon', () => {
    expect(`${pkg.publisher}.${pkg.name}`).toBe('rover-dev.rover');
    expect(pkg.engines.vscode).toBe('^1.100.0');
    expect(pkg.main).toBe('./dist/extension.js');
    expect(pkg.activationEvents).toEqual(expect.arrayContaining(['onStartupFinished', expect.stringMatching(/^workspaceContains:/)]));
    expect(existsSync(join(ROOT, pkg.icon))).toBe(true);
    const png = readFileSync(join(ROOT, pkg.icon));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
  });

  it('contributes every contract command under the Rover category, _state hidden from the palette', () => {
    const cmds = new Map<string, { category: string; title: string }>(contributes.commands.map((c: { command: string }) => [c.command, c]));
    for (const id of CONTRACT_COMMANDS) {
      expect(cmds.get(id), id).toBeDefined();
      expect(cmds.get(id)!.category).toBe('Rover');
    }
    expect(cmds.get('rover.fixIssue')!.title).toBe('Fix This Issue');
    const hidden = contributes.menus.commandPalette.find((m: { command: string }) => m.command === 'rover._state');
    expect(hidden.when).toBe('false');
  });

  it('has the suspects view in a Rover activity-bar container', () => {
    expect(contributes.viewsContainers.activitybar).toContainEqual(expect.objectContaining({ id: 'rover', title: 'Rover' }));
    expect(contributes.views.rover).toContainEqual(expect.objectContaining({ id: 'rover.suspects' }));
    for (const c of contributes.viewsContainers.activitybar) expect(existsSync(join(ROOT, c.icon))).toBe(true);
  });

  it('declares the contract settings with their defaults and no API key setting', () => {
    const p = contributes.configuration.properties;
    expect(p['rover.provider']).toMatchObject({ enum: ['anthropic', 'openai', 'vscode-lm'], default: 'anthropic' });
    expect(p['rover.budgetUsd'].default).toBe(1);
    expect(p['rover.tests.timeoutSeconds'].default).toBe(300);
    expect(p['rover.tests.command'].type).toBe('array');
    expect(p['rover.index.exclude'].type).toBe('array');
    expect(p['rover.testOnSave']).toMatchObject({ type: 'boolean', default: false, scope: 'resource' });
    for (const k of ['rover.model', 'rover.baseUrl']) expect(p[k]).toBeDefined();
    expect(Object.keys(p).filter((k) => /key|token|secret/i.test(k))).toEqual([]);
  });

  it('supports untrusted workspaces in limited mode', () => {
    const t = pkg.capabilities.untrustedWorkspaces;
    expect(t.supported).toBe('limited');
    expect(t.description).toMatch(/no tests/);
    expect(t.restrictedConfigurations).toEqual(expect.arrayContaining(['rover.tests.command', 'rover.baseUrl']));
  });

  it('the VSIX file list (vsce ls) has the runtime files and no sources or node_modules', async () => {
    const r = await runProcess(join(ROOT, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: ROOT, timeoutMs: 60_000, stdin: '' });
    expect(r.code, r.stderr).toBe(0);
    const files = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    for (const f of ['dist/extension.js', 'dist/parse-worker.js', 'dist/istanbul-register.js', 'dist/tree-sitter.wasm', 'grammars/queries/python/tags.scm', 'media/run.js', 'media/run.css', 'media/icon.png', 'package.json', 'README.md', 'CHANGELOG.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|node_modules|bench|media\/screenshots)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
  }, 90_000);

  it('the built extension requires only node built-ins and vscode', () => {
    const js = readFileSync(join(ROOT, 'dist', 'extension.js'), 'utf8');
    const required = new Set([...js.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    // isBuiltin knows the node:-only ones too (node:test, which the test-process hooks Rover writes require)
    const foreign = [...required].filter((m) => m !== 'vscode' && !builtins.has(m) && !isBuiltin(m));
    expect(foreign).toEqual([]);
  });
});
