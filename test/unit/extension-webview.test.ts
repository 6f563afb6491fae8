// The run view's script in a real browser (Debian's Chromium through playwright-core): it renders the
// posted state, file:line links post 'open', and model-provided text never becomes markup.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { runViewHtml } from '../../src/extension/logic/webview-html';
import { newRunView, reduceRunView, finishRunView } from '../../src/extension/logic/run-view-model';

const CHROMIUM = '/usr/bin/chromium';
const MEDIA = join(__dirname, '..', '..', 'media');

describe('run view HTML shell', () => {
  it('has a nonce-only script policy and no remote resources', () => {
    const html = runViewHtml({ cspSource: 'vscode-webview://abc', scriptUri: 'vscode-webview://abc/media/run.js', styleUri: 'vscode-webview://abc/media/run.css', nonce: 'N0nce' });
    const csp = /content="([^"]+)"/.exec(html)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-N0nce'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(html).toContain('<script nonce="N0nce" src="vscode-webview://abc/media/run.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const other = runViewHtml({ cspSource: 'x', scriptUri: 's', styleUri: 't' });
    expect(/nonce-([^']+)'/.exec(other)![1]).not.toBe(/nonce-([^']+)'/.exec(runViewHtml({ cspSource: 'x', scriptUri: 's', styleUri: 't' }))![1]);
  });

  it('media has no remote URLs and builds DOM without innerHTML', () => {
    const js = readFileSync(join(MEDIA, 'run.js'), 'utf8');
    const css = readFileSync(join(MEDIA, 'run.css'), 'utf8');
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|eval\(/);
    expect(js + css).not.toMatch(/https?:\/\//);
    expect(css).toMatch(/var\(--vscode-/);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('run view script in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** A page running the run view's script, with VS Code's webview API stood in; what it posts is collected. */
  async function viewPage() {
    const page = await browser.newPage();
    const posted: unknown[] = [];
    await page.exposeFunction('__post', (m: unknown) => posted.push(m));
    await page.setContent(`<html><head><style>${readFileSync(join(MEDIA, 'run.css'), 'utf8')}</style></head><body><main id="app"></main></body></html>`);
    await page.evaluate(() => {
      const w = globalThis as unknown as { acquireVsCodeApi: () => unknown; __post: (m: unknown) => void };
      let st: unknown;
      w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__post(m), setState: (s: unknown) => (st = s), getState: () => st });
    });
    await page.addScriptTag({ content: readFileSync(join(MEDIA, 'run.js'), 'utf8') });
    await expect.poll(() => posted).toContainEqual({ type: 'ready' });
    return { page, posted };
  }

  it('renders stages, searches, locations, candidates and cost; links post open messages; text stays text', async () => {
    const { page, posted } = await viewPage();

    let s = newRunView('r1', 'Bulk discount <b>not</b> applied', 0);
    s = reduceRunView(s, { type: 'stage', stage: 'retrieve', message: 'asking the model' });
    s = reduceRunView(s, { type: 'search', round: 1, api: 'search_method', args: { method_name: 'bulk_discount' }, ok: true, summary: '1 method', hits: [{ file: 'inventory/pricing.py', line: 9, symbol: 'bulk_discount' }] });
    s = reduceRunView(s, { type: 'locations', locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', startLine: 8, endLine: 12, intendedBehavior: '<img src=x onerror="window.__pwned=1"> apply at exactly 10', resolvedBy: 'exact' }] });
    s = reduceRunView(s, { type: 'candidate', id: 'c1', diff: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', evidence: { failToPass: ['tests/t.py::t'], passToFail: [], verdict: 'resolved' } });
    s = reduceRunView(s, { type: 'usage', inputTokens: 1200, outputTokens: 300, costUsd: 0.0123, calls: 3 });
    s = reduceRunView(s, { type: 'selected', id: 'c1', reason: 'fixes the failing test, breaks none' });
    s = finishRunView(s, 'done', 'Patch ready', 5000);
    await page.evaluate((state) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage({ type: 'state', state }, '*'), s);

    await expect.poll(() => page.locator('#run-status').textContent()).toBe('done');
    expect(await page.locator('#cost').textContent()).toBe('$0.01');
    expect(await page.locator('#reason').textContent()).toContain('breaks none');
    expect(await page.locator('a.loc-link').count()).toBe(2);
    expect(await page.locator('h1').textContent()).toContain('<b>not</b>');
    expect(await page.locator('.location').textContent()).toContain('<img src=x');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('pre.diff .add').textContent()).toContain('+b');

    const link = page.locator('a.loc-link').first();
    expect(await link.getAttribute('data-file')).toBe('inventory/pricing.py');
    expect(await link.getAttribute('data-line')).toBe('9');
    await link.click();
    await expect.poll(() => posted).toContainEqual({ type: 'open', file: 'inventory/pricing.py', line: 9 });
    await page.close();
  }, 60_000);
  it('shows the session: reproduction attempts, the kept test with its failure, the suspects with links, each candidate\'s verdict, notes', async () => {
    const { page, posted } = await viewPage();

    let s = newRunView('r2', 'Bulk discount not applied', 0);
    s = reduceRunView(s, { type: 'stage', stage: 'reproduce', message: 'writing a test' });
    s = reduceRunView(s, { type: 'reproduction-attempt', attempt: 1, file: 'tests/test_repro.py', kept: false, reason: 'the test errored before reaching the bug (collection/setup error): ModuleNotFoundError' });
    s = reduceRunView(s, { type: 'reproduction-attempt', attempt: 2, file: 'tests/test_repro.py', kept: true, reason: 'fails on the base commit the way the issue describes' });
    s = reduceRunView(s, { type: 'oracle', source: 'reproduction', tests: ['tests/test_repro.py::test_ten'], message: 'tests/test_repro.py fails on the base commit', reproduction: { file: 'tests/test_repro.py', content: 'def test_ten():\n    assert bulk_discount(10, 20.0) == 2.0\n', output: 'assert 0.0 == 2.0' } });
    s = reduceRunView(s, { type: 'localization', source: 'sbfl', message: 'ochiai over 1 failing and 9 passing test(s)', suspects: [{ file: 'inventory/pricing.py', symbol: 'bulk_discount', score: 0.5, line: 12 }] });
    s = reduceRunView(s, { type: 'candidate', id: 'c1', diff: 'd1', evidence: { failToPass: [], passToFail: ['tests/t.py::a'], verdict: 'regressed', kept: false, note: 'breaks 1 previously passing test(s): tests/t.py::a' } });
    s = reduceRunView(s, { type: 'candidate', id: 'c2', diff: 'd2', evidence: { failToPass: ['tests/test_repro.py::test_ten'], passToFail: [], verdict: 'resolved', kept: true, note: 'passes the oracle, no regression' } });
    s = reduceRunView(s, { type: 'note', message: 'Stopped at 2 of 3 candidate(s): the budget left would not cover another.' });
    s = reduceRunView(s, { type: 'selected', id: 'c2', reason: 'c2 passes the oracle test(s) tests/test_repro.py::test_ten' });
    s = finishRunView(s, 'done', 'Patch ready', 5000);
    await page.evaluate((state) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage({ type: 'state', state }, '*'), s);

    await expect.poll(() => page.locator('#run-status').textContent()).toBe('done');
    expect(await page.locator('#oracle').textContent()).toContain('a reproduction test Rover wrote');
    expect(await page.locator('.repro-attempt.rejected').textContent()).toContain('ModuleNotFoundError');
    expect(await page.locator('.repro-attempt.kept').textContent()).toContain('tests/test_repro.py');
    expect(await page.locator('#reproduction-test').textContent()).toContain('assert bulk_discount(10, 20.0) == 2.0');
    expect(await page.locator('#reproduction-failure').textContent()).toContain('assert 0.0 == 2.0');
    expect(await page.locator('ol.suspects li').first().textContent()).toContain('0.500');
    expect(await page.locator('.candidate').first().textContent()).toContain('dropped: breaks 1 previously passing');
    expect(await page.locator('.note').textContent()).toContain('budget');
    await page.locator('ol.suspects a.loc-link').first().click();
    await expect.poll(() => posted).toContainEqual({ type: 'open', file: 'inventory/pricing.py', line: 12 });
    await page.close();
  }, 60_000);
});
