// Regression-test selection by imports and by names, on real files: flask-style tests import only
// the top-level package, so the test file named after the edited module is the one that guards it.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedAfter, selectRegressionTests } from '../../src/core/validate/regression';

describe('namedAfter', () => {
  it('matches the usual test-file names of a module, in the same language only', () => {
    expect(namedAfter('tests/test_config.py', 'src/flask/config.py')).toBe(true);
    expect(namedAfter('tests/config_test.py', 'src/flask/config.py')).toBe(true);
    expect(namedAfter('tests/checkers/unittest_misc.py', 'pylint/checkers/misc.py')).toBe(true);
    expect(namedAfter('tests/test_flask.py', 'src/flask/__init__.py')).toBe(true);
    expect(namedAfter('test/router.test.ts', 'src/router.ts')).toBe(true);
    expect(namedAfter('test/router.js', 'lib/router/index.js')).toBe(true);
    expect(namedAfter('tests/test_config.js', 'src/config.py')).toBe(false);
    expect(namedAfter('tests/test_configparser.py', 'src/config.py')).toBe(false);
    // a bare-named Python file under tests/ is as often a helper or a lint input
    expect(namedAfter('tests/functional/config.py', 'src/config.py')).toBe(false);
  });
});

describe('selectRegressionTests', () => {
  let dir: string;
  const put = async (rel: string, text: string) => {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rover-regression-'));
    await put('src/shop/__init__.py', 'from .config import Config\nfrom .cart import Cart\n');
    await put('src/shop/config.py', 'class Config:\n    debug = False\n');
    await put('src/shop/cart.py', 'class Cart:\n    pass\n');
    await put('tests/test_config.py', 'import shop\n\ndef test_debug_off():\n    assert not shop.Config.debug\n');
    await put('tests/test_cart.py', 'import shop\n\ndef test_cart():\n    assert shop.Cart()\n');
    await put('tests/test_checkout.py', 'from shop.config import Config\n\ndef test_uses_config():\n    assert Config\n');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('takes the tests that import the edited module and the one named after it', async () => {
    const diff = 'diff --git a/src/shop/config.py b/src/shop/config.py\n--- a/src/shop/config.py\n+++ b/src/shop/config.py\n@@ -1,2 +1,2 @@\n class Config:\n-    debug = False\n+    debug = True\n';
    const s = await selectRegressionTests({ repo: dir, diff });
    expect(s.files).toEqual(['tests/test_checkout.py', 'tests/test_config.py']);
    expect(s.reason).toMatch(/2 test file\(s\) import an edited module or are named after one/);
  });
});
