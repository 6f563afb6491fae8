// The one rule for what counts as a test (src/core/runner/test-files.ts), as search, localization,
// impacted-test selection and the Testing view all see it.
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { isTestCode, isTestFile, TEST_FILE_GLOBS, TEST_SEARCH_IGNORE } from '../../src/core/runner/test-files';
import { FIXTURES } from '../support/fixture-repo';

describe('what counts as a test', () => {
  it('test files: collected by a runner', () => {
    for (const p of ['tests/test_x.py', 'pkg/x_test.py', 'sympy/core/tests/test_basic.py', 'src/a.test.ts', 'src/b.spec.mjs', 'test/acceptance/app.js', 'test/slug.test.js', '__tests__/x.jsx', 'lib/parse-test.js'])
      expect(isTestFile(p), p).toBe(true);
    for (const p of ['conftest.py', 'tests/conftest.py', 'tests/helpers.py', 'test/fixtures/app.js', 'test/support/env.js', 'src/_pytest/python.py', 'lib/router/index.js', 'README.md', 'test/data.json'])
      expect(isTestFile(p), p).toBe(false);
  });

  it('test code: test files plus what lives beside them', () => {
    for (const p of ['tests/test_x.py', 'conftest.py', 'tests/conftest.py', 'testing/python/fixtures.py', 'test/fixtures/app.js', 'tests/helpers.py', 'specs/a.rb', 'pkg/x_test.go'])
      expect(isTestCode(p), p).toBe(true);
    for (const p of ['src/_pytest/python.py', 'lib/router/index.js', 'sympy/core/basic.py', 'src/testing_utils.ts', 'src/latest.py', 'contest.py'])
      expect(isTestCode(p), p).toBe(false);
  });

  it('the globs find exactly the test files the rule names, in real fixtures', async () => {
    for (const fx of ['py-inventory', 'js-textkit', 'validate-mocha']) {
      const all = await fg(['**/*'], { cwd: `${FIXTURES}/${fx}`, ignore: TEST_SEARCH_IGNORE });
      const globbed = await fg(TEST_FILE_GLOBS, { cwd: `${FIXTURES}/${fx}`, ignore: TEST_SEARCH_IGNORE });
      expect(globbed.filter(isTestFile).sort(), fx).toEqual(all.filter(isTestFile).sort());
      expect(all.filter(isTestFile).length, fx).toBeGreaterThan(0);
    }
  });
});
