// Playwright helpers for the UI layer. Selectors are kept few and generic because the workbench's
// DOM changes between VS Code versions; every wait is on a condition with a generous limit (the
// machine is a shared 2-core box).
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-dev-shm-usage', '--metrics-recording-only'];

export function launchBrowser(executablePath = process.env.ROVER_E2E_CHROMIUM || '/usr/bin/chromium') {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  return { context, page, consoleLines };
}

/** Opens the workbench and waits until the remote extension host has shown the folder. */
export async function openWorkbench(page, url) {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
}

export async function shot(page, dir, name) {
  mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(400); // let toasts and list animations settle
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

const quickInput = (page) => page.locator('.quick-input-widget');
const quickRows = (page) => page.locator('.quick-input-widget .monaco-list-row');

async function openPalette(page, text) {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 }, trial: true }).catch(() => {});
  // a busy renderer may drop the first F1: press again until the quick input shows
  for (let i = 0; ; i++) {
    await page.keyboard.press('F1');
    try {
      await quickInput(page).waitFor({ state: 'visible', timeout: 15_000 });
      break;
    } catch (err) {
      if (i >= 3) throw err;
    }
  }
  const box = page.locator('.quick-input-widget input');
  await box.fill(`>${text}`);
}

/** Labels of the palette rows matching `text` (retried: contributed commands register late). */
export async function paletteRows(page, text, { expect = 1, tries = 6 } = {}) {
  let labels = [];
  for (let i = 0; i < tries; i++) {
    await openPalette(page, text);
    try {
      await page.waitForFunction((n) => document.querySelectorAll('.quick-input-widget .monaco-list-row').length >= n, expect, { timeout: 4000 });
    } catch { /* fewer rows than expected: reopen, the quick pick keeps its first list */ }
    labels = (await quickRows(page).allInnerTexts()).map((s) => s.split('\n')[0].trim());
    if (labels.length >= expect) break;
    await page.keyboard.press('Escape');
  }
  return labels;
}

/** Runs a palette command by its full title ("Rover: Fix This Issue"). */
export async function runCommand(page, title, { tries = 6 } = {}) {
  for (let i = 0; i < tries; i++) {
    await openPalette(page, title);
    const row = quickRows(page).filter({ hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 4000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`palette never listed "${title}"`);
}

/** Waits for a notification toast whose text matches, returns its text. */
export async function waitForToast(page, re, timeout = 60_000) {
  const toast = page.locator('.notification-toast').filter({ hasText: re }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return toast.innerText();
}

/** Picks a row of the open quick pick by its text. */
export async function quickPick(page, text, timeout = 90_000) {
  const row = quickRows(page).filter({ hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/** Types into the open input box (quick input) and presses Enter. */
export async function inputBox(page, text, { titleText, timeout = 90_000 } = {}) {
  const widget = quickInput(page);
  if (titleText) await widget.filter({ hasText: titleText }).waitFor({ state: 'visible', timeout });
  else await widget.waitFor({ state: 'visible', timeout });
  const box = page.locator('.quick-input-widget input');
  await box.fill(text);
  await page.keyboard.press('Enter');
}

/** Stores an Anthropic key the way a user does: palette, provider pick, password box. */
export async function setKeyViaUi(page, key) {
  await runCommand(page, 'Rover: Set API Key');
  await quickPick(page, 'Anthropic');
  await inputBox(page, key, { titleText: 'API key' });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 90_000 });
}

/** The run view webview's document (VS Code nests the content in an inner iframe). */
export function runView(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** Text of the status bar's cursor position item, e.g. "Ln 10, Col 5". */
export async function cursorPosition(page) {
  const items = await page.locator('.statusbar-item').allInnerTexts();
  return items.find((t) => /Ln \d+, Col \d+/.test(t)) ?? '';
}

export async function activeTabTitle(page) {
  return (await page.locator('.tab.active .label-name').first().innerText().catch(() => '')).trim();
}

/** Waits for `locator` (a run's progress in the run view). */
export async function waitForRunProgress(page, locator, timeout) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await locator.isVisible().catch(() => false)) return;
    await page.waitForTimeout(300);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${locator}`);
}
