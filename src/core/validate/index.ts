// The validation engine: detect the test runner, run tests with per-test results, validate a patch
// in an isolated checkout, pick regression tests, sweep what killed runs left.
export * from './types';
export { detectRunner, choosePython, commandSpec, NoRunnerError, DEBIAN_PYTHON } from './detect';
export { runTests, testArgsFor, SUITE_ID, DEFAULT_TIMEOUT_MS, type RunTestsOptions } from './run-tests';
export { validatePatch, applyPatch, type ValidatePatchOptions, type ValidationDetails } from './validate-patch';
export { judge, expandTestId } from './judge';
export { selectRegressionTests, changedFiles, imports, type RegressionSelection, type RegressionSelectionOptions, type CoverageInput } from './regression';
export { testEnv, ENV_ALLOW, ENV_FIXED } from './env';
export { createWorktree, cleanupStaleWorktrees, listRoverWorktrees, NotAGitRepoError, type Worktree, type WorktreeOptions } from './worktree';
export { sweepAtStart, type StartSweep } from './sweep-at-start';
