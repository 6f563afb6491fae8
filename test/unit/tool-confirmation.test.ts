// The confirmation VS Code shows before a Rover language-model tool runs tests (the e2e host cannot
// see it: VS Code's dialog service confirms by itself under extensionTestsPath).
import { describe, expect, it } from 'vitest';
import { toolConfirmation } from '../../src/extension/logic/tool-confirmation';
import { roverTool, ROVER_TOOLS } from '../../src/core/tools/specs';

describe('tool confirmation', () => {
  it('asks before every tool that runs tests and before none that only searches', () => {
    for (const t of ROVER_TOOLS) expect(Boolean(toolConfirmation(t, {})), t.name).toBe(t.runsTests);
    expect(ROVER_TOOLS.filter((t) => t.runsTests).map((t) => t.name)).toEqual(['localize', 'validate_patch', 'run_tests', 'reproduce_check']);
  });

  it('names the tests, the private checkout and that the project\'s code runs', () => {
    const c = toolConfirmation(roverTool('validate_patch')!, { tests: ['tests/a.py::t1', 'tests/b.py'] })!;
    expect(c.title).toBe('Rover: Validate a patch with the tests?');
    expect(c.message).toBe("Rover will run the tests tests/a.py::t1, tests/b.py in a private git checkout of this folder. Your files are not written, but the tests run the project's code.");
    const many = toolConfirmation(roverTool('run_tests')!, { tests: Array.from({ length: 7 }, (_, i) => `t${i}`) })!;
    expect(many.message).toContain('t0, t1, t2, t3, t4, … (7 in all)');
    expect(toolConfirmation(roverTool('run_tests')!, undefined)!.message).toContain("the project's tests");
    expect(toolConfirmation(roverTool('localize')!, { failing: ['tests/a.py::t1'] })!.message).toBe(
      "Rover will run the failing tests tests/a.py::t1 and passing tests to compare, with coverage, in a private git checkout of this folder. Your files are not written, but the tests run the project's code.",
    );
    expect(toolConfirmation(roverTool('reproduce_check')!, { file_path: 'tests/test_issue.py' })!.message).toContain('the candidate reproduction test tests/test_issue.py in a private git checkout');
  });
});
