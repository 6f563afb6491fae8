// The test-running contract localization, validation, the agent and the editor code against.
//
// Test ids (stable across runs, independent of the report format):
//   pytest / unittest-under-pytest  the pytest node id:        tests/test_x.py::TestC::test_y[param]
//   node --test                      file::name               test/slug.test.js::slugify collapses repeated separators
//                                    (nested: file::outer > inner)
//   mocha / jest / vitest            file::suite title > test title   (file omitted when the reporter does not say it)
//   go                               package::TestName        example.com/m/pkg::TestParse/sub
//   cargo                            path::to::test           tests::it_works
//   sympy bin/test                   test function name       test_issue_1234
//   exit-code only                   the single id '<suite>' standing for the whole run
// File paths are relative to the directory the runner ran in, with forward slashes.

export type TestStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'xfail' | 'xpass';

export type RunnerKind =
  | 'pytest'
  | 'unittest'
  | 'node'
  | 'mocha'
  | 'jest'
  | 'vitest'
  | 'go'
  | 'cargo'
  | 'maven'
  | 'gradle'
  | 'command';

/** How the runner reports per-test results. 'sympy' is sympy's bin/test --verbose output. */
export type ReportFormat = 'junit' | 'pytest-ra' | 'tap' | 'jest-json' | 'sympy' | 'exit-code';

export interface TestRunnerSpec {
  kind: RunnerKind;
  /**
   * argv template. '{tests}' expands to the selected test ids (removed when none are selected);
   * '{junit}' expands to the path of a temporary JUnit XML file the runner writes; '{python}' to the
   * chosen Python interpreter; '{reporter}' to Rover's node:test reporter module; '{mocha-reporter}' to
   * Rover's mocha reporter, which writes the '{junit}' report.
   */
  command: string[];
  /** Relative to the repository root (or absolute). */
  cwd?: string;
  reportFormat: ReportFormat;
  /** What '{tests}' expands to when no tests are selected (the script's own test paths). */
  defaultTests?: string[];
  /** Extra environment for this runner (added to the allow-list environment). */
  env?: Record<string, string>;
  /** Entries prepended to PYTHONPATH, relative to the run directory. */
  pythonPath?: string[];
  /** The Python interpreter the command uses, when it is a Python runner (for error messages). */
  python?: string;
  /** Human-readable: how the runner was chosen ("pytest.ini", "settings", ...). */
  detectedFrom?: string;
}

export interface TestFailure {
  id: string;
  message: string;
  file?: string;
  line?: number;
}

export interface TestRunResult {
  command: string[];
  results: Record<string, TestStatus>;
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** Combined stdout+stderr, capped (the middle is dropped and marked). */
  output: string;
  failures: TestFailure[];
  /** Set when the run could not produce results (missing interpreter, crash, collection error). */
  error?: string;
  /** How the run was isolated: 'bubblewrap', or why it ran without a sandbox (absent: run in place). */
  sandbox?: string;
}

/** SWE-bench grading: a test counts as passing iff it passed or is an expected failure. */
export function isPassing(s: TestStatus | undefined): boolean {
  return s === 'passed' || s === 'xfail';
}
