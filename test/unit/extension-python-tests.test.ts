// The Testing view's Python tests come from the index's symbols; they must be the tests pytest itself
// collects. Each case is checked against `pytest --collect-only` on the same files.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../src/core/index';
import { runProcess } from '../../src/core/proc/run';
import { isTestFile } from '../../src/extension/core-bridge';
import { pythonTests } from '../../src/extension/logic/python-tests';
import { makeFixtureRepo, type FixtureRepo } from '../support/fixture-repo';
import { lacks } from '../support/system-deps';

const SHAPES = `import unittest
import pytest


def helper():
    return 1


def test_top():
    def test_inner():
        pass
    assert helper() == 1


async def test_async_top():
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    assert x


def test_dup():
    pass


def test_dup():
    pass


class TestGroup:
    def test_method(self):
        pass

    def not_a_test(self):
        pass

    class TestNested:
        def test_deep(self):
            pass

    class Helper:
        def test_in_helper(self):
            pass


class TestChild(TestGroup.TestNested):
    def test_own(self):
        pass


class TestWithInit:
    def __init__(self):
        pass

    def test_never(self):
        pass


class Cases(unittest.TestCase):
    def test_case(self):
        pass

    def helper(self):
        pass


class MoreCases(Cases):
    def test_more(self):
        pass

    def test_case(self):
        pass


class Helper:
    def test_not_collected(self):
        pass


def testlegacy():
    pass


def make():
    class TestInFunction:
        def test_hidden(self):
            pass
    return TestInFunction
`;

/** pytest's own ids, parameters stripped. */
async function pytestIds(dir: string, files: string[]): Promise<string[]> {
  const r = await runProcess('python3', ['-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider', ...files], {
    cwd: dir,
    timeoutMs: 60_000,
    // src/ for the src-layout fixture, whose tests import from there
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: join(dir, 'src') },
  });
  const ids = r.stdout.split('\n').filter((l) => l.includes('::')).map((l) => l.trim().replace(/\[.*$/, ''));
  expect(ids.length, r.stdout + r.stderr).toBeGreaterThan(0);
  return [...new Set(ids)].sort();
}

describe.skipIf(lacks('python3-pytest'))('Python tests from the index', () => {
  const repos: FixtureRepo[] = [];
  const indexes: WorkspaceIndex[] = [];
  const open = async (dir: string) => {
    const idx = await WorkspaceIndex.open(dir, { workers: 0, cacheDir: `${dir}-index-cache` });
    indexes.push(idx);
    return idx;
  };
  let shapes: FixtureRepo;

  beforeAll(async () => {
    shapes = await makeFixtureRepo('py-inventory', {
      git: false,
      edit: async (dir) => {
        await mkdir(join(dir, 'tests', 'shapes'), { recursive: true });
        await writeFile(join(dir, 'tests', 'shapes', 'test_shapes.py'), SHAPES);
      },
    });
    repos.push(shapes);
  });

  afterAll(async () => {
    for (const i of indexes) await i.close();
    for (const r of repos) {
      await r.cleanup();
      await rm(`${r.dir}-index-cache`, { recursive: true, force: true });
    }
  });

  it('finds what pytest collects: functions, Test classes (nested, inherited), unittest TestCase subclasses; not helpers, __init__ classes or classes in functions', async () => {
    const idx = await open(shapes.dir);
    const rel = 'tests/shapes/test_shapes.py';
    const found = pythonTests(rel, idx.getFile(rel)!.symbols);
    expect(found.map((t) => t.id).sort()).toEqual(await pytestIds(shapes.dir, [rel]));
    // the ones a regular expression over the text got wrong, named
    const ids = found.map((t) => t.id);
    expect(ids).toContain(`${rel}::MoreCases::test_case`);
    expect(ids).toContain(`${rel}::TestChild::test_deep`);
    expect(ids).not.toContain(`${rel}::TestWithInit::test_never`);
    expect(ids).not.toContain(`${rel}::TestGroup::Helper::test_in_helper`);
    expect(ids.filter((id) => id.endsWith('::test_dup'))).toHaveLength(1);
    // the range spans the definition, decorators included (the Testing view's gutter icon goes on its first line)
    const param = found.find((t) => t.id.endsWith('::test_param'))!;
    expect(SHAPES.split('\n')[param.startLine - 1]).toMatch(/^@pytest\.mark\.parametrize/);
    expect(SHAPES.split('\n')[param.endLine - 1]).toMatch(/assert x/);
    // a method's own definition wins over the one it overrides
    const overridden = found.find((t) => t.id === `${rel}::MoreCases::test_case`)!;
    expect(overridden.startLine).toBeGreaterThan(found.find((t) => t.id === `${rel}::Cases::test_case`)!.startLine);
  });

  it.each(['py-inventory', 'py-src-layout', 'search-shapes', 'localize-py'])('matches pytest on the %s fixture', async (fixture) => {
    const repo = await makeFixtureRepo(fixture, { git: false });
    repos.push(repo);
    const idx = await open(repo.dir);
    const files = idx.files().filter((f) => f.lang === 'python' && isTestFile(f.path));
    expect(files.length).toBeGreaterThan(0);
    const found = files.flatMap((f) => pythonTests(f.path, f.symbols).map((t) => t.id)).sort();
    expect(found).toEqual(await pytestIds(repo.dir, files.map((f) => f.path)));
  });
});
