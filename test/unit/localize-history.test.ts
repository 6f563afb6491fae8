// The repository's history as evidence: real `git log` of real temp repositories, BM25 of the
// issue in commit messages, and how little it weighs against the spectrum.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { localize } from '../../src/core/localize';
import { identifierTokens } from '../../src/core/localize/evidence';
import { historyScores, parseHistory, readHistory, type PastCommit } from '../../src/core/localize/history';
import { rankFunctions } from '../../src/core/localize/rank';
import { lineSpectra } from '../../src/core/localize/sbfl';
import type { CodeSymbol } from '../../src/core/index/types';
import type { TestCoverage } from '../../src/core/localize/types';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { lacks } from '../support/system-deps';

const repos: FixtureRepo[] = [];
afterEach(async () => {
  for (const r of repos.splice(0)) await r.cleanup();
});

async function commitTo(dir: string, file: string, text: string, message: string): Promise<void> {
  await appendFile(join(dir, file), text);
  const git = simpleGit(dir);
  await git.add([file]);
  await git.commit(message);
}

describe('readHistory', () => {
  it('reads message words and touched paths of non-merge commits, newest first', async () => {
    const repo = await makeFixtureRepo('localize-py');
    repos.push(repo);
    await commitTo(repo.dir, 'shop/pricing.py', '\n# rounding\n', 'Round coupon discounts to cents\n\nThe percent coupon lost a cent on odd totals.');
    const git = simpleGit(repo.dir);
    await git.checkoutLocalBranch('side');
    await commitTo(repo.dir, 'shop/text.py', '\n# side\n', 'Trim labels');
    await git.checkout('master').catch(() => git.checkout('main'));
    await git.raw(['merge', '--no-ff', '-m', 'Merge branch side with coupon words', 'side']);

    const commits = await readHistory(repo.dir);
    expect(commits).toBeDefined();
    // the merge commit is left out: its message repeats what its commits say (commits made in one
    // second have no defined order, so they are found by their files)
    expect(commits!).toHaveLength(3);
    expect(commits!.some((c) => c.terms.includes('merge'))).toBe(false);
    expect(commits!.find((c) => c.files.includes('ISSUE.md'))!.files).toEqual(expect.arrayContaining(['shop/pricing.py', 'shop/text.py', 'ISSUE.md']));
    expect(commits!.find((c) => c.files.length === 1 && c.files[0] === 'shop/text.py')!.terms).toEqual(['trim', 'labels']);
    expect(commits!.find((c) => c.files.length === 1 && c.files[0] === 'shop/pricing.py')!.terms).toEqual(expect.arrayContaining(['round', 'coupon', 'discounts', 'percent', 'cent']));
    expect((await readHistory(repo.dir, { maxCommits: 1 }))!.length).toBe(1);
  });

  it('gives paths relative to a project folder inside a larger repository, and only its own', async () => {
    const repo = await makeFixtureRepo('localize-py');
    repos.push(repo);
    await commitTo(repo.dir, 'shop/pricing.py', '\n', 'Coupons: percent');
    const commits = await readHistory(join(repo.dir, 'shop'));
    expect(commits!.map((c) => c.files)).toContainEqual(['pricing.py']);
    expect(commits!.flatMap((c) => c.files)).not.toContain('ISSUE.md');
  });

  it('names files with non-ASCII paths as they are on disk, not quoted', async () => {
    const repo = await makeFixtureRepo('localize-py');
    repos.push(repo);
    await writeFile(join(repo.dir, 'shop', 'réduction.py'), 'X = 1\n');
    await simpleGit(repo.dir).add(['-A']);
    await simpleGit(repo.dir).commit('Réduction: coupons');
    expect((await readHistory(repo.dir))!.flatMap((c) => c.files)).toContain('shop/réduction.py');
  });

  it('has no history, rather than an error, outside a git repository', async () => {
    const repo = await makeFixtureRepo('localize-py', { git: false });
    repos.push(repo);
    expect(await readHistory(repo.dir)).toBeUndefined();
  });

  it('skips a commit the output cap cut before its file list', () => {
    const out = '\x00First commit\n\x01\na.py\nb.py\n\x00Second, cut off by the ca';
    expect(parseHistory(out)).toEqual([{ terms: ['first', 'commit'], files: ['a.py', 'b.py'] }]);
  });
});

describe('historyScores', () => {
  const commits: PastCommit[] = [
    { terms: ['fix', 'coupon', 'percent', 'rounding'], files: ['shop/pricing.py'] },
    { terms: ['coupon', 'docs'], files: ['README.md', 'shop/pricing.py', 'shop/text.py', 'shop/cart.py'] },
    { terms: ['label', 'trim', 'whitespace'], files: ['shop/text.py'] },
  ];
  const candidates = new Set(['shop/pricing.py', 'shop/text.py', 'shop/cart.py']);

  it('weighs the files of commits whose messages read like the issue, a sweeping commit shared among its files', () => {
    const s = historyScores(identifierTokens('A 100 percent coupon keeps the full price'), commits, candidates);
    expect(s.get('shop/pricing.py')).toBe(1);
    // text.py and cart.py only share the sweeping docs commit, a quarter of its weight each
    expect(s.get('shop/text.py')).toBeGreaterThan(0);
    expect(s.get('shop/text.py')).toBeLessThan(0.25);
    expect(s.get('shop/cart.py')).toBe(s.get('shop/text.py'));
    // README.md is no candidate (no failing test ran it)
    expect(s.has('README.md')).toBe(false);
  });

  it('is empty without an issue, without history, or when no message shares a word with the issue', () => {
    expect(historyScores(undefined, commits, candidates).size).toBe(0);
    expect(historyScores(identifierTokens('coupon'), [], candidates).size).toBe(0);
    expect(historyScores(identifierTokens('database connection pooling'), commits, candidates).size).toBe(0);
  });

  it('lets only the most similar commits speak', () => {
    const s = historyScores(identifierTokens('percent coupon rounding'), commits, candidates, 1);
    expect([...s.keys()]).toEqual(['shop/pricing.py']);
  });
});

describe('history in the ranking', () => {
  const sym = (name: string, startLine: number, endLine: number): CodeSymbol =>
    ({ kind: 'function', name, qualifiedName: name, startLine, endLine }) as CodeSymbol;
  const t: TestCoverage[] = [
    { id: 'f', files: { 'a/x.py': [2], 'a/y.py': [2] } },
    { id: 'p', files: { 'a/y.py': [6] } },
  ];
  const symbols = async (f: string) => (f === 'a/x.py' ? [sym('alpha', 1, 3)] : [sym('beta', 1, 3), sym('gamma', 5, 7)]);
  const issue = identifierTokens('the last record is dropped');
  // the commit most like the issue touched only a test file: it cannot rank, so it scales nothing down
  const history: PastCommit[] = [
    { terms: ['last', 'record', 'dropped'], files: ['tests/test_y.py'] },
    { terms: ['record', 'dropped'], files: ['a/y.py'] },
  ];
  const rank = (past?: PastCommit[]) => rankFunctions({ spectra: lineSpectra(t, new Set(['f'])), totalFailed: 1, totalPassed: 1, formula: 'ochiai', symbols, issue, history: past });

  it('separates an exact tie, and says so', async () => {
    const plain = await rank();
    expect(plain.entries.map((e) => [e.method, e.tieBrokenBy])).toEqual([
      ['alpha', 'unbroken'],
      ['beta', 'unbroken'],
    ]);
    const { entries } = await rank(history);
    expect(entries.map((e) => [e.method, e.historyScore, e.evidence, e.tieBrokenBy])).toEqual([
      ['beta', 1, 0.08, 'history'],
      ['alpha', 0, 0, 'history'],
    ]);
  });

  it('never lifts a function over one the spectrum clearly prefers', async () => {
    // gamma is run by the passing test too (ochiai 0): history cannot raise it above the failing lines
    const t2: TestCoverage[] = [
      { id: 'f', files: { 'a/x.py': [2], 'a/y.py': [6] } },
      { id: 'p1', files: { 'a/y.py': [6] } },
      { id: 'p2', files: { 'a/y.py': [6] } },
    ];
    const { entries } = await rankFunctions({ spectra: lineSpectra(t2, new Set(['f'])), totalFailed: 1, totalPassed: 2, formula: 'ochiai', symbols, issue, history });
    expect(entries.map((e) => e.method)).toEqual(['alpha', 'gamma']);
  });
});

describe('history in localize, end to end', () => {
  it.skipIf(lacks('python3-pytest', 'python3-coverage'))('reads the repository log while the tests run and marks the files similar past commits touched', async () => {
    const repo = await makeFixtureRepo('localize-py');
    repos.push(repo);
    await commitTo(repo.dir, 'shop/pricing.py', '\n', 'Coupons: a percent coupon is applied to the order total');
    await commitTo(repo.dir, 'shop/text.py', '\n', 'Text: strip labels');
    const PY = '/usr/bin/python3';
    const issueText = await readFile(join(repo.dir, 'ISSUE.md'), 'utf8');
    const base = {
      repo: repo.dir,
      failing: ['tests/test_pricing.py::test_full_discount_coupon'],
      allPassing: true,
      issueText,
      runner: { kind: 'pytest' as const, command: [PY, '-m', 'pytest', '-rA', '-p', 'no:cacheprovider', '{tests}'], reportFormat: 'pytest-ra' as const, python: PY },
      cacheDir: false as const,
    };
    const res = await localize(base);
    expect(res.entries[0]).toMatchObject({ file: 'shop/pricing.py', method: 'apply_coupon' });
    expect(res.entries.filter((e) => e.file === 'shop/pricing.py').every((e) => e.historyScore === 1)).toBe(true);
    expect(res.entries.filter((e) => e.file !== 'shop/pricing.py').every((e) => e.historyScore < 1)).toBe(true);
    const off = await localize({ ...base, history: false });
    expect(off.entries.every((e) => e.historyScore === 0)).toBe(true);
  });
});
