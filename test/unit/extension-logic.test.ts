import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureSpots } from '../../src/extension/logic/failure-lines';
import {
  changedLineNumbers,
  impactedByHeuristics,
  impactedFromCoverage,
  isTestFile,
  pythonModuleNames,
  type TestFileText,
} from '../../src/extension/logic/impacted-tests';
import { checkFailingTest, checkIssueText, resolveIssue } from '../../src/extension/logic/issue-source';
import { finishRunView, newRunView, parseViewMessage, reduceRunView, TEXT_TAIL } from '../../src/extension/logic/run-view-model';
import { SaveScheduler } from '../../src/extension/logic/save-scheduler';
import { readSettings } from '../../src/extension/logic/settings';
import { SharedState } from '../../src/extension/logic/shared-state';
import { failed, isFailure, succeeded } from '../../src/extension/logic/command-result';
import { runEndText, runResult, viewStatusOf, type RunSummary } from '../../src/extension/logic/run-summary';

const FIX = join(__dirname, '..', 'fixtures');

function testFilesOf(fixture: string): TestFileText[] {
  const out: TestFileText[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(abs).isDirectory()) walk(abs, r);
      else if (isTestFile(r)) out.push({ rel: r, text: readFileSync(abs, 'utf8') });
    }
  };
  walk(join(FIX, fixture), '');
  return out;
}

describe('issue sources', () => {
  const reader = { read: async (p: string) => (p === 'ISSUE.md' ? '# Bulk discount\nNot applied at exactly ten units.' : Promise.reject(new Error('ENOENT: no such file'))) };

  it('takes explicit text first, then a file, then the selection', async () => {
    expect(await resolveIssue({ issueText: 'The total is wrong for ten items', issueFile: 'ISSUE.md' }, reader)).toMatchObject({ ok: true, source: 'args' });
    expect(await resolveIssue({ issueFile: 'ISSUE.md', selection: 'x' }, reader)).toMatchObject({ ok: true, source: 'file', text: expect.stringContaining('ten units') });
    expect(await resolveIssue({ selection: 'slugify keeps double dashes in output' }, reader)).toMatchObject({ ok: true, source: 'selection' });
    expect(await resolveIssue({ selection: '   ' }, reader)).toBeUndefined();
  });

  it('takes a GitHub issue reference as one to fetch; refuses any other link alone and explains why', () => {
    expect(checkIssueText('https://github.com/psf/requests/issues/2317', 'input')).toMatchObject({ ok: true, ref: 'https://github.com/psf/requests/issues/2317' });
    expect(checkIssueText(' #17 ', 'input')).toMatchObject({ ok: true, ref: '#17' });
    const r = checkIssueText('https://bugs.example.org/show_bug.cgi?id=2317', 'input');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.url).toBe('https://bugs.example.org/show_bug.cgi?id=2317');
      expect(r.message).toMatch(/does not fetch issues from this link/);
      expect(r.message).toMatch(/paste/);
    }
    expect(checkIssueText('https://github.com/psf/requests/pull/2318', 'input').ok).toBe(false);
    // a URL inside a real description is fine
    expect(checkIssueText('Crash reported in https://github.com/x/y/issues/1 when saving twice', 'input').ok).toBe(true);
  });

  it('refuses empty, tiny, binary, oversize text and unreadable or non-text files', async () => {
    expect(checkIssueText('  \n', 'input')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(checkIssueText('bug', 'input')).toMatchObject({ ok: false, message: expect.stringMatching(/too short/) });
    expect(checkIssueText('abc\u0000def ghijklmnop', 'file', 'x.md')).toMatchObject({ ok: false, message: expect.stringMatching(/binary/) });
    expect(checkIssueText('x'.repeat(300_000), 'input')).toMatchObject({ ok: false, message: expect.stringMatching(/at most/) });
    expect(await resolveIssue({ issueFile: 'missing.md' }, reader)).toMatchObject({ ok: false, message: expect.stringMatching(/Cannot read.*ENOENT/) });
    expect(await resolveIssue({ issueFile: 'image.png' }, reader)).toMatchObject({ ok: false, message: expect.stringMatching(/not a Markdown/) });
  });

  it('checks failing-test ids', () => {
    expect(checkFailingTest('tests/test_pricing.py::test_bulk_discount_at_threshold')).toEqual({ ok: true, test: 'tests/test_pricing.py::test_bulk_discount_at_threshold' });
    expect(checkFailingTest('  ')).toEqual({ ok: true });
    expect(checkFailingTest('x; rm -rf /').ok).toBe(false);
  });
});

describe('impacted tests', () => {
  it('finds Python test files importing the saved module (real fixture)', () => {
    const tests = testFilesOf('py-inventory');
    expect(tests.map((t) => t.rel).sort()).toEqual(['tests/test_cart.py', 'tests/test_pricing.py']);
    const r = impactedByHeuristics('inventory/pricing.py', tests);
    expect(r.mode).toBe('imports');
    expect(r.tests).toContain('tests/test_pricing.py');
    expect(pythonModuleNames('src/pkg/__init__.py')).toEqual(['src.pkg', 'pkg']);
  });

  it('finds JS test files requiring the saved module by relative path (real fixture)', () => {
    const tests = testFilesOf('js-textkit');
    const r = impactedByHeuristics('src/slug.js', tests);
    expect(r.tests).toEqual(['test/slug.test.js']);
    expect(impactedByHeuristics('test/case.test.js', tests)).toMatchObject({ mode: 'self', tests: ['test/case.test.js'] });
    expect(impactedByHeuristics('README.md', tests).mode).toBe('none');
  });

  it('uses the coverage map restricted to the changed lines', () => {
    const cov = new Map([
      ['t::a', new Set(['m.py:3', 'm.py:4'])],
      ['t::b', new Set(['m.py:10'])],
      ['t::c', new Set(['other.py:1'])],
    ]);
    expect(impactedFromCoverage(cov, 'm.py', new Set([4]))?.tests).toEqual(['t::a']);
    expect(impactedFromCoverage(cov, 'm.py')?.tests).toEqual(['t::a', 't::b']);
    expect(impactedFromCoverage(cov, 'm.py', new Set([99]))).toMatchObject({ tests: [], mode: 'coverage' });
    expect(impactedFromCoverage(cov, 'unknown.py')).toBeUndefined();
  });

  it('computes changed lines between two saves', () => {
    expect([...changedLineNumbers('a\nb\nc\n', 'a\nB\nc\n')]).toEqual([2]);
    expect([...changedLineNumbers('a\nb\nc\n', 'a\nb\nx\ny\nc\n')]).toEqual([3, 4]);
    expect([...changedLineNumbers('a\nb\nc\n', 'a\nc\n')]).toEqual([1, 2]);
  });
});

describe('save scheduler', () => {
  it('debounces quick saves into one run', async () => {
    const runs: string[][] = [];
    const s = new SaveScheduler<number>({ delayMs: 30, run: async (files) => (runs.push(files), files.length) });
    s.saved('a.py');
    s.saved('b.py');
    s.saved('a.py');
    await new Promise((r) => setTimeout(r, 80));
    await s.idle();
    expect(runs).toEqual([['a.py', 'b.py']]);
    expect(s.completed).toBe(1);
  });

  it('cancels a stale run when the file is saved again and never overlaps runs', async () => {
    let active = 0;
    let maxActive = 0;
    const seen: { files: string[]; aborted: boolean }[] = [];
    const s = new SaveScheduler<void>({
      delayMs: 10,
      run: (files, signal) =>
        new Promise<void>((resolve) => {
          active++;
          maxActive = Math.max(maxActive, active);
          const t = setTimeout(() => {
            active--;
            seen.push({ files, aborted: false });
            resolve();
          }, 150);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            setTimeout(() => {
              active--;
              seen.push({ files, aborted: true });
              resolve();
            }, 20);
          });
        }),
    });
    s.saved('a.py');
    await new Promise((r) => setTimeout(r, 50)); // first run is going
    expect(s.running).toBe(true);
    s.saved('b.py');
    await new Promise((r) => setTimeout(r, 30));
    await s.idle();
    expect(seen).toEqual([
      { files: ['a.py'], aborted: true },
      { files: ['b.py', 'a.py'], aborted: false },
    ]);
    expect(maxActive).toBe(1);
    expect(s.cancelled).toBe(1);
    expect(s.completed).toBe(1);
    s.dispose();
  });
});

describe('run view model', () => {
  it('folds agent events into the view state', () => {
    let s = newRunView('r1', '# Bulk discount not applied\nmore', 1000);
    expect(s.issueTitle).toBe('Bulk discount not applied');
    s = reduceRunView(s, { type: 'stage', stage: 'retrieve' }, 1001);
    s = reduceRunView(s, { type: 'search', round: 1, api: 'search_method', args: { method_name: 'bulk_discount' }, ok: true, summary: '1 hit', hits: [{ file: 'inventory/pricing.py', line: 12 }] });
    s = reduceRunView(s, { type: 'locations', locations: [{ file: 'inventory/pricing.py', method: 'bulk_discount', startLine: 10, endLine: 14, intendedBehavior: 'apply at 10', resolvedBy: 'exact' }] });
    s = reduceRunView(s, { type: 'usage', inputTokens: 10, outputTokens: 5, costUsd: 0.001, calls: 1 });
    s = reduceRunView(s, { type: 'usage', inputTokens: 30, outputTokens: 9, costUsd: 0.003, calls: 2 });
    s = reduceRunView(s, { type: 'candidate', id: 'c1', diff: 'd', evidence: { failToPass: ['t'], passToFail: [], verdict: 'resolved' } });
    s = reduceRunView(s, { type: 'selected', id: 'c1', reason: 'only candidate; fixes t' });
    s = reduceRunView(s, { type: 'text', delta: 'x'.repeat(TEXT_TAIL + 10) });
    s = reduceRunView(s, { type: 'error', message: 'HTTP 500', recoverable: true });
    s = reduceRunView(s, { type: 'bogus' } as never);
    expect(s.events).toBe(9);
    expect(s.stages.map((x) => x.stage)).toEqual(['retrieve']);
    expect(s.searches[0].hits[0]).toEqual({ file: 'inventory/pricing.py', line: 12 });
    expect(s.usage).toEqual({ inputTokens: 30, outputTokens: 9, costUsd: 0.003, calls: 2 });
    expect(s.text.length).toBe(TEXT_TAIL);
    expect(s.selected?.reason).toMatch(/fixes t/);
    s = finishRunView(s, 'done', 'Patch ready', 2000);
    expect(s).toMatchObject({ status: 'done', endedAt: 2000 });
  });

  it('accepts only well-formed webview messages', () => {
    expect(parseViewMessage({ type: 'open', file: 'a.py', line: 3 })).toEqual({ type: 'open', file: 'a.py', line: 3 });
    expect(parseViewMessage({ type: 'open', file: 'a.py', line: '7' })).toEqual({ type: 'open', file: 'a.py', line: 7 });
    expect(parseViewMessage({ type: 'open', file: 'a.py', line: -2 })).toEqual({ type: 'open', file: 'a.py', line: 1 });
    expect(parseViewMessage({ type: 'open', file: 42 })).toBeUndefined();
    expect(parseViewMessage({ type: 'eval', code: 'x' })).toBeUndefined();
    expect(parseViewMessage('open')).toBeUndefined();
    expect(parseViewMessage({ type: 'cancel' })).toEqual({ type: 'cancel' });
  });
});

describe('failure locations', () => {
  it('uses structured failures and pytest/V8 output', () => {
    const root = '/ws';
    const pytestOut = '____ test_bulk_discount_at_threshold ____\n\n    def test_bulk_discount_at_threshold():\n>       assert bulk_discount(10, 20.0) == 2.0\nE       assert 0.0 == 2.0\n\ntests/test_pricing.py:14: AssertionError\n';
    const nodeOut = "not ok 3 - slugify collapses repeated separators\n  stack: |-\n    TestContext.<anonymous> (/ws/test/slug.test.js:15:10)\n    at node:internal/x:1:1\n";
    const spots = failureSpots(
      root,
      [
        { id: 'tests/test_pricing.py::test_bulk_discount_at_threshold', message: 'assert 0.0 == 2.0' },
        { id: 'test/slug.test.js::slugify collapses repeated separators', message: 'Expected values to be strictly equal' },
        { id: 'test/x.test.js::given', message: 'boom', file: '/ws/test/x.test.js', line: 4 },
        { id: 'test/y.test.js::nowhere', message: 'lost' },
      ],
      pytestOut + nodeOut,
    );
    expect(spots.map((s) => [s.rel, s.line])).toEqual([
      ['tests/test_pricing.py', 14],
      ['test/slug.test.js', 15],
      ['test/x.test.js', 4],
    ]);
    expect(spots[0].message).toMatch(/assert 0.0 == 2.0/);
  });
});

describe('settings', () => {
  it('reads defaults and reports bad values', () => {
    const good = readSettings(() => undefined);
    expect(good.settings).toMatchObject({ provider: 'anthropic', budgetUsd: 1, testTimeoutMs: 300_000, testOnSave: false, exclude: [] });
    expect(good.problems).toEqual([]);
    const vals: Record<string, unknown> = { provider: 'gemini', budgetUsd: -3, baseUrl: 'ftp://x', 'tests.command': 'pytest', testOnSave: true };
    const bad = readSettings((k) => vals[k]);
    expect(bad.settings).toMatchObject({ provider: 'anthropic', budgetUsd: 1, testOnSave: true });
    expect(bad.settings.testsCommand).toBeUndefined();
    for (const k of ['provider', 'budgetUsd', 'baseUrl', 'tests.command']) expect(bad.problems.join('\n')).toContain(`rover.${k}`);
  });
});

describe('shared state', () => {
  it('hands a written fact to every subscriber, by name, until they unsubscribe', () => {
    const s = new SharedState();
    const heard: string[] = [];
    const sub = s.onDidChange((name) => heard.push(`a:${name}`));
    const bag: { dispose(): void }[] = [];
    s.onDidChange((name) => heard.push(`b:${name}`), undefined, bag);
    expect(s.get('validatingTests')).toEqual([]);
    s.set('validatingTests', ['tests/test_a.py::test_x']);
    expect(s.get('validatingTests')).toEqual(['tests/test_a.py::test_x']);
    sub.dispose();
    s.set('coverage', new Map([['t', new Set(['a.py:3'])]]));
    bag.forEach((d) => d.dispose());
    s.set('suspects', { root: '/ws', entries: [], mode: 'ochiai' });
    expect(heard).toEqual(['a:validatingTests', 'b:validatingTests', 'b:coverage']);
    expect(s.get('coverage')?.get('t')?.has('a.py:3')).toBe(true);
  });

  it('a listener that throws is reported and the others still hear the change', () => {
    const errors: unknown[] = [];
    const s = new SharedState((e) => errors.push(e));
    const heard: string[] = [];
    s.onDidChange(() => {
      throw new Error('reader broke');
    });
    s.onDidChange((name) => heard.push(name));
    s.set('lastTestResult', undefined);
    expect(heard).toEqual(['lastTestResult']);
    expect(String(errors[0])).toMatch(/reader broke/);
  });
});

describe('command results', () => {
  it('one shape: ok with data, or a reason and a message with whatever data was reached', () => {
    expect(succeeded({ enabled: true })).toEqual({ ok: true, enabled: true });
    expect(failed('untrusted', 'no')).toEqual({ ok: false, reason: 'untrusted', message: 'no' });
    // partial data never overrides the failure's own fields
    expect(failed('error', 'boom', { ok: true, verdict: 'error' })).toEqual({ ok: false, reason: 'error', message: 'boom', verdict: 'error' });
    expect(isFailure(failed('busy', 'x'))).toBe(true);
    expect(isFailure(succeeded({}))).toBe(false);
    expect(isFailure(undefined)).toBe(false);
  });

  it('a fix run: a patch or no patch is done; an error or a cancel is a failure that keeps the summary', () => {
    const base: RunSummary = { runId: 'run-1', status: 'patched', events: 7, reviewOpened: true, reason: 'fixes the threshold.' };
    expect(runResult(base, 1)).toMatchObject({ ok: true, status: 'patched', events: 7 });
    expect(runEndText(base, 1)).toBe('Patch ready: fixes the threshold. Review it hunk by hunk; nothing is changed until you accept.');
    expect(runResult({ ...base, status: 'no-patch' }, 1)).toMatchObject({ ok: true, status: 'no-patch' });
    expect(runResult({ ...base, status: 'budget-exhausted' }, 2)).toMatchObject({ ok: true });
    expect(runEndText({ ...base, status: 'budget-exhausted' }, 2)).toMatch(/budget of \$2/);
    expect(runResult({ ...base, status: 'error', error: '401 invalid x-api-key' }, 1)).toMatchObject({ ok: false, reason: 'error', message: '401 invalid x-api-key', status: 'error', runId: 'run-1' });
    expect(runResult({ ...base, status: 'cancelled' }, 1)).toMatchObject({ ok: false, reason: 'cancelled', message: 'Cancelled. Your files were not touched.', status: 'cancelled' });
    expect(['patched', 'no-patch', 'budget-exhausted', 'cancelled', 'error'].map((s) => viewStatusOf(s as RunSummary['status']))).toEqual(['done', 'no-patch', 'no-patch', 'cancelled', 'error']);
  });
});
