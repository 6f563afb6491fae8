// What VS Code shows before a Rover tool runs tests (the language-model tools' confirmation): which
// tests, where, and that the project's code runs. No `vscode` import, so it is unit-tested.
export interface ToolConfirmation {
  title: string;
  /** Markdown. */
  message: string;
}

export function toolConfirmation(tool: { name: string; title: string; runsTests: boolean }, input: unknown): ToolConfirmation | undefined {
  if (!tool.runsTests) return undefined;
  const given = (input as { tests?: unknown } | undefined)?.tests;
  const list = Array.isArray(given) ? given.filter((t): t is string => typeof t === 'string') : [];
  const tests = list.length ? `the tests ${list.slice(0, 5).join(', ')}${list.length > 5 ? `, … (${list.length} in all)` : ''}` : "the project's tests";
  const what = tool.name === 'localize' ? 'the failing and passing tests with coverage' : tool.name === 'reproduce_check' ? 'the candidate reproduction test' : tests;
  return {
    title: `Rover: ${tool.title}?`,
    message: `Rover will run ${what} in a private git checkout of this folder. Your files are not written, but the tests run the project's code.`,
  };
}
