// Rover's tools for agents outside Rover (MCP clients, VS Code's chat agents): the nine search calls
// plus localize, validate_patch, run_tests and reproduce_check. One list, with zod schemas for the
// inputs, so `rover mcp` and the editor's language-model tools offer exactly the same calls. The
// schemas are strict: an argument a tool does not have is an error, not silently dropped (a
// misspelled `test` on run_tests would otherwise run the whole suite).
import { posix } from 'node:path';
import { z } from 'zod';
import { FORMULAS } from '../localize/types';
import { SEARCH_API_SPECS } from '../search/specs';

export interface RoverToolSpec {
  name: string;
  title: string;
  description: string;
  schema: z.ZodObject<z.ZodRawShape>;
  /** Runs the project's tests (in a private checkout): asks for confirmation in the editor, serialized. */
  runsTests: boolean;
}

/** Large enough for any real patch or test file, small enough that a runaway argument is refused. */
export const MAX_TEXT_ARG = 4 * 1024 * 1024;
const MAX_TESTS = 2000;

/**
 * Why a test id an agent gives may not reach the runner's command line, or undefined. Ids are words
 * of that command line: one that begins with "-" is read as an option (pytest's `--basetemp=DIR`
 * deletes DIR), and a file part outside the repository would run, and write caches beside, files the
 * private checkout does not hold. (A mocha title that begins with "-" is refused too; such a test
 * can still be run through its file.)
 */
export function testIdProblem(id: string): string | undefined {
  if (id.startsWith('-')) return `"${id}" begins with "-", so the test runner would read it as an option; give a test id or file`;
  const file = id.split('::')[0].replace(/\\/g, '/');
  if (/^(\/|~|[a-zA-Z]:\/)/.test(file)) return `"${id}" is an absolute path; test ids are relative to the repository root`;
  if (posix.normalize(file).split('/')[0] === '..') return `"${id}" points outside the repository`;
  return undefined;
}

const testId = z
  .string()
  .min(1)
  .max(2000)
  .superRefine((id, ctx) => {
    const problem = testIdProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const testIds = z
  .array(testId)
  .max(MAX_TESTS)
  .describe('Test ids as the runner names them: tests/test_x.py::test_y, test/app.js::outer > inner; a file (tests/test_x.py) selects its tests.');
const timeout = z.number().positive().max(3600).optional().describe('Seconds one test run may take (default 300); the whole process group is killed after it.');
const uncommitted = (def: boolean) =>
  z.boolean().optional().describe(`Test what is on disk (HEAD plus uncommitted and untracked files) rather than HEAD alone (default ${def}).`);

const TEST_TOOLS: RoverToolSpec[] = [
  {
    name: 'localize',
    title: 'Localize a fault',
    description:
      "Spectrum-based fault localization: runs the failing tests (and passing ones) with per-test coverage in a private checkout and ranks the functions they execute by suspiciousness (Ochiai by default), with evidence from tracebacks, the issue text, file names and history, and which suspects tie. Never writes the user's files.",
    schema: z.strictObject({
      failing: z.array(testId).min(1).max(200).describe('Failing test ids (at least one), e.g. tests/test_cart.py::test_total.'),
      passing: testIds.optional().describe('Passing tests to compare with (default: the tests in the failing tests\' files).'),
      all_passing: z.boolean().optional().describe('Run the whole suite; every test that passes counts as passing.'),
      issue: z.string().max(MAX_TEXT_ARG).optional().describe('The issue text: its tracebacks, names and words add evidence.'),
      top: z.number().int().min(1).max(50).optional().describe('How many suspects to return (default 10).'),
      formula: z.enum(FORMULAS as [string, ...string[]]).optional().describe('SBFL formula (default ochiai).'),
      timeout_seconds: timeout,
    }),
    runsTests: true,
  },
  {
    name: 'validate_patch',
    title: 'Validate a patch with the tests',
    description:
      "Runs the project's tests before and after a unified diff in a private git checkout (the user's tree is never written) and reports each test's result before/after, fail→pass, pass→fail, the tests that failed before too, and a verdict (resolved, regressed, unresolved, patch-does-not-apply, no-tests, timeout, error).",
    schema: z.strictObject({
      patch: z.string().min(1).max(MAX_TEXT_ARG).describe('A unified diff (git diff format, paths a/... b/...), relative to the repository root.'),
      tests: testIds.optional().describe('Tests to run: an exact id must pass after the patch; a file or class selects its tests. Default: the whole suite.'),
      timeout_seconds: timeout,
      include_uncommitted: uncommitted(true),
    }),
    runsTests: true,
  },
  {
    name: 'run_tests',
    title: 'Run tests',
    description:
      "Runs selected tests (or the whole suite) in a private checkout of what is on disk and returns each test's result, with the failures' messages. The user's tree is never written.",
    schema: z.strictObject({
      tests: testIds.optional().describe('Tests to run (ids, files or classes). Default: the whole suite.'),
      timeout_seconds: timeout,
    }),
    runsTests: true,
  },
  {
    name: 'reproduce_check',
    title: 'Check a reproduction test',
    description:
      "Checks a candidate reproduction test: places the file's content at file_path in a private checkout of the base commit, runs it, and says whether it fails there for the issue's reason (an assertion or the exception the issue reports, not an import, syntax or collection error). The user's tree is never written.",
    schema: z.strictObject({
      file_path: z.string().min(1).max(1000).describe('Where the test file goes, relative to the repository root (a new file, where the test runner finds it).'),
      content: z.string().min(1).max(MAX_TEXT_ARG).describe('The whole test file.'),
      issue: z.string().min(1).max(MAX_TEXT_ARG).describe('The issue text (the exceptions it names are what the test must fail with, or an assertion).'),
      timeout_seconds: timeout,
      include_uncommitted: uncommitted(false),
    }),
    runsTests: true,
  },
];

const TITLES: Record<string, string> = {
  search_class: 'Search classes',
  search_class_in_file: 'Search a class in a file',
  search_method: 'Search methods',
  search_method_in_class: 'Search a method in a class',
  search_method_in_file: 'Search methods in a file',
  search_code: 'Search code',
  search_code_in_file: 'Search code in a file',
  get_code_around_line: 'Show code around a line',
  find_references: 'Find references',
};

export const ROVER_TOOLS: readonly RoverToolSpec[] = [
  ...SEARCH_API_SPECS.map((s) => ({
    name: s.name,
    title: TITLES[s.name] ?? s.name,
    description: `${s.description} (Rover's tree-sitter index of the repository, kept current as files change.)`,
    schema: s.schema.strict(),
    runsTests: false,
  })),
  ...TEST_TOOLS,
];

export function roverTool(name: string): RoverToolSpec | undefined {
  return ROVER_TOOLS.find((t) => t.name === name);
}

/** The input schema as JSON Schema (what MCP's tools/list and VS Code's `languageModelTools` carry). */
export function inputJsonSchema(spec: RoverToolSpec): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(spec.schema, { io: 'input' }) as Record<string, unknown>;
  return schema;
}
