// What VS Code shows before a Rover tool runs tests (the language-model tools' confirmation): which
// tests, where, and that the project's code runs. No `vscode` import, so it is unit-tested.
export interface ToolConfirmation {
  title: string;
  /** Markdown. */
  message: string;
}

export function toolConfirmation(tool: { name: string; title: string; runsTests: boolean }, input: unknown): ToolConfirmation | undefined {
  if (!tool.runsTests) return undefined;
  const named = (key: string) => {
    const given = (input as Record<string, unknown> | undefined)?.[key];
    const list = Array.isArray(given) ? given.filter((t): t is string => typeof t === 'string') : [];
    return list.length ? `${list.slice(0, 5).join(', ')}${list.length > 5 ? `, … (${list.length} in all)` : ''}` : undefined;
  };
  const file = (input as { file_path?: unknown } | undefined)?.file_path;
  let what: string;
  if (tool.name === 'localize') {
    const failing = named('failing');
    what = `${failing ? `the failing tests ${failing}` : 'the failing tests'} and passing tests to compare, with coverage,`;
  } else if (tool.name === 'reproduce_check') what = `the candidate reproduction test${typeof file === 'string' ? ` ${file}` : ''}`;
  else {
    const tests = named('tests');
    what = tests ? `the tests ${tests}` : "the project's tests";
  }
  return {
    title: `Rover: ${tool.title}?`,
    message: `Rover will run ${what} in a private git checkout of this folder. Your files are not written, but the tests run the project's code.`,
  };
}
