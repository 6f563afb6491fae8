// From line spectra to a ranked list of functions: max over a function's lines (keeping the line),
// exact-score tie groups, and tie-breakers that are shown, never silent.
import type { CodeSymbol } from '../index/types';
import { isTestCode } from '../runner/test-files';
import { codeTerms, isTestSupportPath, issueSimilarity, issueTextScores, issueTraceScore, testNameMatch, type IssueFrame, type IssueTokens, type StackFrame } from './evidence';
import { historyScores, type PastCommit } from './history';
import { suspiciousness } from './sbfl';
import type { Formula, LineSpectrum, RankedLocation, TieGroupInfo } from './types';

export interface RankInput {
  spectra: Map<string, Map<number, LineSpectrum>>;
  totalFailed: number;
  totalPassed: number;
  formula: Formula;
  /** Symbols of a file (from the index); undefined when the file cannot be parsed. */
  symbols: (file: string) => Promise<CodeSymbol[] | undefined>;
  /** A file's text, for the issue's words in each function's code; without it that evidence is 0. */
  source?: (file: string) => Promise<string | undefined>;
  issue?: IssueTokens;
  /** Frames per failing test, innermost first. */
  frames?: StackFrame[][];
  /** Frames of tracebacks quoted in the issue, innermost first. */
  issueFrames?: IssueFrame[];
  /** Recent commits of the repository (history.ts): those like the issue weigh the ranked files they touched. */
  history?: readonly PastCommit[];
  /** Files of the failing tests: a source file named like one of them is likely the one they test. */
  failingTestFiles?: string[];
  /** Extra paths never ranked (beyond the test-path patterns), e.g. the failing tests' own files. */
  exclude?: ReadonlySet<string>;
}

const FN_KINDS = new Set(['function', 'method']);

/** Innermost function/method containing the line, by a linear scan (files have few symbols). */
export function enclosingFunction(symbols: CodeSymbol[], line: number): CodeSymbol | undefined {
  let best: CodeSymbol | undefined;
  for (const s of symbols) {
    if (!FN_KINDS.has(s.kind) || line < s.startLine || line > s.endLine) continue;
    if (!best || s.endLine - s.startLine < best.endLine - best.startLine) best = s;
  }
  return best;
}

function scoreKey(x: number): string {
  return Number.isFinite(x) ? x.toFixed(12) : String(x);
}

export async function rankFunctions(inp: RankInput): Promise<{ entries: RankedLocation[]; tieGroups: TieGroupInfo[] }> {
  const byKey = new Map<string, Omit<RankedLocation, 'rank' | 'tieGroup' | 'tieSize' | 'tieBrokenBy'>>();
  const symCache = new Map<string, CodeSymbol[]>();
  const atBest = new Map<string, { score: number; lines: number }>();
  for (const [file, lines] of inp.spectra) {
    // test code is never a suspect: tests exercise the bug, they do not hold it
    if (isTestCode(file) || inp.exclude?.has(file)) continue;
    let anyFailing = false;
    for (const s of lines.values()) if (s.ef > 0) anyFailing = true;
    if (!anyFailing) continue;
    const syms = (await inp.symbols(file)) ?? [];
    symCache.set(file, syms);
    for (const [line, s] of lines) {
      if (s.ef === 0) continue;
      const score = suspiciousness(inp.formula, { ef: s.ef, ep: s.ep, nf: inp.totalFailed - s.ef, np: inp.totalPassed - s.ep });
      const fn = enclosingFunction(syms, line);
      const key = fn ? `${file}\0${fn.qualifiedName}\0${fn.startLine}` : `${file}\0<module>`;
      const best = atBest.get(key);
      if (!best || cmpScore(score, best.score) > 0) atBest.set(key, { score, lines: 1 });
      else if (cmpScore(score, best.score) === 0) best.lines++;
      const prev = byKey.get(key);
      // best line: highest score, then more failing tests, then fewer passing, then the earliest
      if (prev && (prev.score > score || (prev.score === score && (prev.ef > s.ef || (prev.ef === s.ef && (prev.ep < s.ep || (prev.ep === s.ep && prev.line <= line))))))) continue;
      byKey.set(key, {
        file,
        ...(fn?.className ? { className: fn.className } : {}),
        ...(fn ? { method: fn.name, qualifiedName: fn.qualifiedName } : {}),
        kind: fn ? (fn.kind === 'method' ? 'method' : 'function') : 'module',
        startLine: fn?.startLine ?? 1,
        endLine: fn?.endLine ?? line,
        score,
        line,
        ef: s.ef,
        ep: s.ep,
        stackScore: 0,
        issueScore: 0,
        issueTraceScore: 0,
        issueTextScore: 0,
        historyScore: 0,
        testNameMatch: 0,
        evidence: 0,
        linesAtScore: 0,
      });
    }
  }
  const list = [...byKey.values()];
  // stack frames: the innermost non-test frame of each failing test weighs 1, the next 1/2, ...
  const stack = new Map<string, number>();
  for (const frames of inp.frames ?? []) {
    let k = 0;
    const seen = new Set<string>();
    for (const f of frames) {
      if (isTestCode(f.file)) continue;
      const syms = symCache.get(f.file);
      if (!syms) {
        k++;
        continue;
      }
      const fn = enclosingFunction(syms, f.line);
      const key = fn ? `${f.file}\0${fn.qualifiedName}\0${fn.startLine}` : `${f.file}\0<module>`;
      if (!seen.has(key)) stack.set(key, (stack.get(key) ?? 0) + 1 / (1 + k));
      seen.add(key);
      k++;
    }
  }
  const text = inp.issue && inp.source ? await issueTextOf(list, inp.issue, inp.source) : undefined;
  // scaled among the files that can rank (the tests' own files, which commits touch most, cannot)
  const past = inp.history ? historyScores(inp.issue, inp.history, new Set(list.map((e) => e.file))) : undefined;
  for (const [i, e] of list.entries()) {
    const key = e.method ? `${e.file}\0${e.qualifiedName}\0${e.startLine}` : `${e.file}\0<module>`;
    e.stackScore = round(stack.get(key) ?? 0);
    e.issueTextScore = round(text?.[i] ?? 0);
    e.issueScore = round(issueSimilarity(inp.issue, e));
    e.issueTraceScore = round(issueTraceScore(inp.issueFrames ?? [], e));
    e.historyScore = past?.get(e.file) ?? 0;
    e.testNameMatch = testNameMatch(e.file, inp.failingTestFiles ?? []);
    e.evidence = evidenceOf(e);
    e.linesAtScore = atBest.get(key)?.lines ?? 1;
  }
  // Tie groups are groups of equal SBFL score, numbered by score; entries are ordered by the SBFL
  // score plus their evidence, so a function the failing tests' tracebacks or the issue point at
  // can pass one with a slightly higher score and none.
  type Item = (typeof list)[number];
  const support = new Map<Item, number>(list.map((e) => [e, isTestSupportPath(e.file) ? 1 : 0]));
  list.sort((a, b) => cmpScore(b.score, a.score));
  const groupOf = new Map<Item, number>();
  const tieGroups: TieGroupInfo[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j < list.length && scoreKey(list[j].score) === scoreKey(list[i].score)) j++;
    const id = tieGroups.length + 1;
    for (let k = i; k < j; k++) groupOf.set(list[k], id);
    tieGroups.push({ group: id, score: list[i].score, size: j - i, unbroken: 0 });
    i = j;
  }
  list.sort(
    (a, b) =>
      support.get(a)! - support.get(b)! ||
      cmpScore(unitScore(inp.formula, b.score) + b.evidence, unitScore(inp.formula, a.score) + a.evidence) ||
      cmpScore(b.score, a.score) ||
      b.stackScore - a.stackScore ||
      b.issueTraceScore - a.issueTraceScore ||
      b.issueScore - a.issueScore ||
      b.issueTextScore - a.issueTextScore ||
      b.historyScore - a.historyScore ||
      b.testNameMatch - a.testNameMatch ||
      b.linesAtScore - a.linesAtScore ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.startLine - b.startLine,
  );
  // What separates an entry from the next member of its tie group in this order (from the one
  // before, for the last): the first of these that differs, or nothing ("unbroken").
  const separatedBy = (a: Item, b: Item): RankedLocation['tieBrokenBy'] =>
    support.get(a) !== support.get(b)
      ? 'test-support'
      : a.stackScore !== b.stackScore
        ? 'stack'
        : a.issueTraceScore !== b.issueTraceScore || a.issueScore !== b.issueScore || a.issueTextScore !== b.issueTextScore
          ? 'issue'
          : a.historyScore !== b.historyScore
            ? 'history'
            : a.testNameMatch !== b.testNameMatch
              ? 'test-name'
              : a.linesAtScore !== b.linesAtScore
                ? 'lines'
                : 'unbroken';
  const members = new Map<number, Item[]>();
  for (const e of list) {
    const g = groupOf.get(e)!;
    const arr = members.get(g);
    if (arr) arr.push(e);
    else members.set(g, [e]);
  }
  const by = new Map<Item, RankedLocation['tieBrokenBy']>();
  for (const [g, ms] of members) {
    for (let k = 0; k < ms.length; k++) {
      const label = ms.length === 1 ? 'none' : separatedBy(ms[k], ms[k + 1] ?? ms[k - 1]);
      by.set(ms[k], label);
      if (label === 'unbroken') tieGroups[g - 1].unbroken++;
    }
  }
  const entries = list.map((m, i) => {
    const g = tieGroups[groupOf.get(m)! - 1];
    return { ...m, rank: i + 1, tieGroup: g.group, tieSize: g.size, tieBrokenBy: by.get(m)! };
  });
  return { entries, tieGroups };
}

/** BM25 of the issue's words in each entry's code (a module-level entry: its file up to its best line). */
async function issueTextOf(list: { file: string; startLine: number; endLine: number }[], issue: IssueTokens, source: (file: string) => Promise<string | undefined>): Promise<number[]> {
  const lines = new Map<string, string[]>();
  const docs: string[][] = [];
  for (const e of list) {
    let l = lines.get(e.file);
    if (!l) lines.set(e.file, (l = ((await source(e.file).catch(() => undefined)) ?? '').split('\n')));
    docs.push(codeTerms(l.slice(e.startLine - 1, e.endLine).join('\n')));
  }
  return issueTextScores(issue, docs);
}

/**
 * What the evidence beyond the spectrum adds to a function's SBFL score (at most 1.78): the failing
 * tests' tracebacks and the issue's own tracebacks (each up to 0.5 for the innermost frame), the
 * issue naming it, its class or its file (up to 0.25), the issue's words in its code (up to 0.2,
 * for the best BM25 match among the ranked functions), past commits like the issue having touched
 * its file (up to HISTORY_WEIGHT), and its file being named like a failing
 * test's file (0.25 for the same name, 0.1 for a looser match). A bonus is enough to pass a function
 * that only scores a little higher on the spectrum, never to lift one the failing tests hardly touch.
 * The name bonus stays below 1 - 1/sqrt(2): with one failing test, a guess from file names must not
 * beat a line only it runs against one a passing test runs too (the dev set would take up to 0.5).
 * With more failing tests the Ochiai gaps are smaller and the bonus can.
 */
export function evidenceOf(e: Pick<RankedLocation, 'stackScore' | 'issueTraceScore' | 'issueScore' | 'issueTextScore' | 'historyScore' | 'testNameMatch'>): number {
  return round(
    0.5 * Math.min(1, e.stackScore) +
      0.5 * Math.min(1, e.issueTraceScore) +
      0.25 * (Math.min(ISSUE_SCORE_CAP, e.issueScore) / ISSUE_SCORE_CAP) +
      0.2 * Math.min(1, e.issueTextScore) +
      HISTORY_WEIGHT * Math.min(1, e.historyScore) +
      (e.testNameMatch === 2 ? 0.25 : e.testNameMatch === 1 ? 0.1 : 0),
  );
}

/**
 * The score on the 0..1 scale the evidence weights are made for. Ochiai and Tarantula are there
 * already; DStar is unbounded (infinite for a line only failing tests run), so it is squashed with
 * s/(1+s), which keeps its order.
 */
export function unitScore(formula: Formula, score: number): number {
  // a negative or NaN score can only come from inconsistent counts: it ranks last, never first
  if (!(score > 0)) return 0;
  if (formula !== 'dstar') return Math.min(1, score);
  return Number.isFinite(score) ? score / (1 + score) : 1;
}

// History only settles near-ties: a file's past is a prior, not a sighting of the fault. On the dev
// set (bench:localize) 0.05-0.1 gained two files and lost none; from 0.2 it starts to lose some.
const HISTORY_WEIGHT = 0.08;

// issueSimilarity's most: the name verbatim (4), its class (2), its file (1), shared word parts (1)
const ISSUE_SCORE_CAP = 8;

function cmpScore(a: number, b: number): number {
  // NaN sorts as the lowest score, so the comparison stays a total order
  const x = Number.isNaN(a) ? -Infinity : a;
  const y = Number.isNaN(b) ? -Infinity : b;
  if (scoreKey(x) === scoreKey(y)) return 0;
  return x > y ? 1 : -1;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
