// Data model of fault localization: per-test coverage in, ranked suspicious functions out.

export type Formula = 'ochiai' | 'dstar' | 'tarantula';
export const FORMULAS: readonly Formula[] = ['ochiai', 'dstar', 'tarantula'];

/** What one test covered, with paths relative to the repository root (forward slashes). */
export interface TestCoverage {
  id: string;
  /** The run's own verdict for the test, when the runner reports one. */
  status?: 'passed' | 'failed' | 'error' | 'skipped' | 'xfail' | 'xpass';
  /** rel path -> covered 1-based lines */
  files: Record<string, number[]>;
  /** Failure output (traceback / assertion message) for stack-frame hints. */
  failureText?: string;
  /** The test's file, when the id it was asked by does not say (sympy's bare names, unittest's dotted ids). */
  file?: string;
}

/** 'per-test': each test has its own coverage; 'per-file': every test of a test file shares that file's coverage. */
export type CoverageMode = 'per-test' | 'per-file';

export interface CollectResult {
  mode: CoverageMode;
  /** e.g. 'coverage.py 6.5.0 (pytest plugin)', 'V8 (node --test, one process per test)' */
  tool: string;
  /** Coverage per requested test that was found. */
  tests: Map<string, TestCoverage>;
  /** Requested tests the run never reported (not collected, misspelled, ...). */
  notFound: string[];
  /** Collection errors reported by the runner: file/node id -> message. */
  collectErrors: { id: string; message: string }[];
  /** Tests served from the cache instead of being run. */
  fromCache: string[];
  durationMs: number;
  warnings: string[];
  /** Commands run (for the log / the user). */
  commands: string[][];
}

export interface LineSpectrum {
  ef: number;
  ep: number;
}

export interface RankedLocation {
  /** 1-based position in the final order. */
  rank: number;
  file: string;
  /** Enclosing class for methods. */
  className?: string;
  /** Function/method name; undefined for module-level code. */
  method?: string;
  qualifiedName?: string;
  kind: 'function' | 'method' | 'module';
  startLine: number;
  endLine: number;
  score: number;
  /** The most suspicious line inside the function (the one whose score the function got). */
  line: number;
  ef: number;
  ep: number;
  /**
   * 1-based index of the distinct-score group; entries sharing it had exactly the same SBFL score.
   * Entries are ordered by score + evidence, so a group's members need not be next to each other.
   */
  tieGroup: number;
  tieSize: number;
  /** Frames of the failing tests' tracebacks inside this function (weighted: the innermost counts more). */
  stackScore: number;
  /** Identifier overlap with the issue text. */
  issueScore: number;
  /** Position in a traceback quoted in the issue: 1 for the innermost frame, 1/2 for the next, ... */
  issueTraceScore: number;
  /** BM25 of the issue's words in the function's code, 0..1 (1 for the best of the ranked functions). */
  issueTextScore: number;
  /** How much past commits whose messages read like the issue touched its file, 0..1 (1 for the most). */
  historyScore: number;
  /** 2: its file is named like a failing test's file (test_config.py -> config.py); 1: a looser match; 0: neither. */
  testNameMatch: 0 | 1 | 2;
  /** What stack, issue traceback, issue names, issue words in the code, the file's history and the test-file name add to `score` for the order (0 to 1.78). */
  evidence: number;
  /** How many of the function's lines have its best score: the last tie-breaker (more implicated lines first). */
  linesAtScore: number;
  /** What set this entry apart from the others of its tie group (the evidence it has and they lack). */
  tieBrokenBy: 'none' | 'test-support' | 'stack' | 'issue' | 'history' | 'test-name' | 'lines' | 'unbroken';
}

export interface TieGroupInfo {
  group: number;
  score: number;
  size: number;
  /** Members the tie-breakers could not tell apart (ordered by path, then line, and marked so). */
  unbroken: number;
}

export interface LocalizationResult {
  formula: Formula;
  mode: CoverageMode;
  tool: string;
  failing: string[];
  passing: string[];
  entries: RankedLocation[];
  tieGroups: TieGroupInfo[];
  warnings: string[];
  collectMs: number;
  fromCache: number;
  /** What each test that took part executed: test id -> file -> covered lines. */
  coverage?: Record<string, Record<string, number[]>>;
}

/** A suspect as the agent's prompt takes it (src/core/agent/prompts.ts localizationBlock). */
export interface Suspect {
  file: string;
  className?: string;
  method?: string;
  score: number;
  line?: number;
}

export class LocalizeError extends Error {
  constructor(message: string, readonly code: 'no-failing' | 'no-coverage-tool' | 'collect-failed' | 'timeout' | 'no-coverage' | 'bad-input' | 'unsupported') {
    super(message);
    this.name = 'LocalizeError';
  }
}
