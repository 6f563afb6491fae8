// What counts as a test, in one place. Two questions get two answers:
//  - isTestFile: a file a test runner collects tests from (test_x.py, x_test.py, x.test.js, and JS
//    files under test/ folders). Impacted-test selection, regression selection, reproduction tests
//    and the Testing view ask this.
//  - isTestCode: any file that belongs to the tests (those, plus conftest.py, helpers and fixtures in
//    test folders). Search ranks source before it; localization leaves it out of the suspects.
const CODE_EXT = /\.(py|[cm]?[jt]sx?)$/;
const PY_TEST = /(^|\/)(test_[^/]*|[^/]*_test)\.py$/;
const JS_TEST = /(^|\/)[^/]*[._-](test|spec)\.[cm]?[jt]sx?$/;
const JS_TEST_DIR = /(^|\/)(tests?|__tests__|spec)\/(.*\/)?[^/]+\.[cm]?[jt]sx?$/;
const JS_NOT_TESTS = /(^|\/)(fixtures?|helpers?|support|utils?)\//;
const TEST_DIR = /(^|\/)(tests?|testing|__tests__|specs?)\//;
const TEST_SUPPORT_FILE = /(^|\/)(conftest|tests?)\.py$/;

const norm = (rel: string) => rel.replace(/\\/g, '/');

export function isTestFile(rel: string): boolean {
  const p = norm(rel);
  if (!CODE_EXT.test(p)) return false;
  if (PY_TEST.test(p) || JS_TEST.test(p)) return true;
  return !p.endsWith('.py') && JS_TEST_DIR.test(p) && !JS_NOT_TESTS.test(p);
}

export function isTestCode(rel: string): boolean {
  const p = norm(rel);
  return isTestFile(p) || TEST_DIR.test(p) || TEST_SUPPORT_FILE.test(p) || /(^|\/)[^/]*_test\.[a-z]+$/.test(p);
}

/**
 * Globs for isTestFile's files (one level of braces: VS Code's file search, ripgrep, refuses nested
 * alternatives). A match is checked with isTestFile, which has the final word.
 */
export const TEST_FILE_GLOBS = ['**/{test_*.py,*_test.py}', '**/*.{test,spec}.{js,cjs,mjs,ts,cts,mts,jsx,tsx}', '**/*{-,_}{test,spec}.{js,cjs,mjs,ts}', '**/{test,tests,__tests__,spec}/**/*.{js,cjs,mjs,ts,cts,mts,jsx,tsx}'];

/** Folders no test search enters. */
export const TEST_SEARCH_IGNORE = ['**/node_modules/**', '**/.git/**', '**/.venv/**', '**/venv/**', '**/__pycache__/**', '**/.tox/**', '**/dist/**', '**/build/**'];
