// What one test run in the editor produced, as the Testing view, the status bar, Localize Fault, Fix
// This Issue (its failures are offered as the oracle) and rover._state see it.

export interface TestOutcomeSummary {
  /** save: test on save (or a continuous run); manual: the Testing view; review: after an accepted patch. */
  trigger: 'save' | 'manual' | 'review';
  tests: string[];
  selection?: string;
  passed: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  timedOut: boolean;
  error?: string;
  failures: { id: string; file?: string; line?: number; message: string }[];
  durationMs: number;
  at: string;
}
