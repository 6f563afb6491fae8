// Tests that need a Debian package skip when it is missing, and the run says which package and the
// command that installs it (vitest.config.ts prints the summary; `npm test` as root installs them).
//   it.skipIf(lacks('python3-pytest'))('runs the fixture tests', ...)
import { installCommand, missingDeps, skipNote } from '../../scripts/system-deps.mjs';

/** '' when every named package is usable; else why the test is skipped (truthy). */
export function lacks(...pkgs: string[]): string {
  return skipNote(...pkgs);
}

/** Printed before and after a run on a machine that lacks some of them. */
export function missingSummary(): string {
  const miss = missingDeps();
  if (!miss.length) return '';
  const w = Math.max(...miss.map((d) => d.pkg.length));
  return [
    `Missing system packages (the tests that need them are skipped): ${miss.map((d) => d.pkg).join(' ')}`,
    ...miss.map((d) => `  ${d.pkg.padEnd(w)}  ${d.for}`),
    `Install them with \`${installCommand(miss.map((d) => d.pkg))}\`, or run \`npm test\` (or \`npm run setup\`) as root.`,
  ].join('\n');
}
