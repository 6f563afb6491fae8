// What the e2e run executes. Layer A groups share one window (and one fixture copy) each; layer B
// scenarios get a fresh browser context and fixture copy each.
import * as s1ui from './ui/s1-palette.mjs';

/** Thrown by a UI scenario whose feature has not landed; the reason is printed and reported. */
export class Skip extends Error {}

export const GROUPS = [
  { id: 's1', scenarios: ['s1'], fixture: 'py-inventory', suites: ['s1-activation.cjs'], timeoutMs: 4 * 60_000 },
];

export const UI_SCENARIOS = [s1ui];
