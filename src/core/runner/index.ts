// The test-running layer every part uses: which runner a project has, running selected tests with
// per-test results, the result parsers, isolated checkouts, the tests' environment, what counts as
// a test and how test ids match.
export * from './types';
export { detectRunner, choosePython, commandSpec, NoRunnerError, DEBIAN_PYTHON } from './detect';
export { runTests, testArgsFor, SUITE_ID, DEFAULT_TIMEOUT_MS, type RunTestsOptions } from './run-tests';
export { testEnv, ENV_ALLOW, ENV_FIXED } from './env';
export { createCheckout, cleanupStaleCheckouts, listRoverCheckouts, NotAGitRepoError, type Checkout, type CheckoutOptions } from './checkout';
export { sweepAtStart, type StartSweep } from './sweep-at-start';
export { isTestFile, isTestCode, TEST_FILE_GLOBS } from './test-files';
export { matchTestIds, normalizeTestId, testFileOf, suggestTestIds, expandTestId } from './test-ids';
