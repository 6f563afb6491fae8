// What the e2e run executes. Layer A groups share one window (and one fixture copy) each; layer B
// scenarios get a fresh browser context and fixture copy each.
import * as s1ui from './ui/s1-palette.mjs';
import * as s2ui from './ui/s2-fix-issue.mjs';
import * as s4ui from './ui/s4-cancel.mjs';
import * as s6ui from './ui/s6-suspects.mjs';
import * as s7ui from './ui/s7-untrusted.mjs';
import * as s10ui from './ui/s10-tools.mjs';
import * as s17ui from './ui/s17-github-issue.mjs';

export { Skip } from './lib/skip.mjs';

export const GROUPS = [
  // s1 first: its log channel is checked before later scenarios provoke errors on purpose
  { id: 'py', scenarios: ['s1', 's3', 's5', 's6', 's8', 's9'], fixture: 'py-inventory',
    suites: ['s1-activation.cjs', 's3-review.cjs', 's5-test-on-save.cjs', 's6-localize.cjs', 's8-keys.cjs', 's9-model-error.cjs'], timeoutMs: 12 * 60_000 },
  // VS Code auto-confirms dialogs under extensionTestsPath, so a tool's confirmation is not seen here
  { id: 'tools', scenarios: ['s10'], fixture: 'py-inventory', suites: ['s10-lm-tools.cjs'], timeoutMs: 6 * 60_000 },
  { id: 's7', scenarios: ['s7'], fixture: 'py-inventory', suites: ['s7-untrusted.cjs'], trustEnabled: true, timeoutMs: 4 * 60_000 },
  { id: 'gh', scenarios: ['s17'], fixture: 'py-inventory', suites: ['s17-github.cjs'], timeoutMs: 8 * 60_000 },
];

export const UI_SCENARIOS = [s1ui, s2ui, s4ui, s6ui, s7ui, s10ui, s17ui];
