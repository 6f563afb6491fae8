// What "Fix This Issue" reports when a run ends: the summary rover.fixIssue returns, the one line
// the notification and the run view show, and how the command result says it.
import type { BugLocation, FixOutcome } from '../core-bridge';
import { failed, succeeded, type CommandResult } from './command-result';
import type { RunStatus } from './run-view-model';

export interface RunSummary {
  runId: string;
  status: 'patched' | 'no-patch' | 'cancelled' | 'budget-exhausted' | 'error';
  diff?: string;
  files?: string[];
  locations?: BugLocation[];
  reason?: string;
  events: number;
  error?: string;
  reviewOpened: boolean;
  costUsd?: number;
  oracle?: { source: string; tests: string[] };
  localization?: 'sbfl' | 'search-only';
  candidates?: { id: string; verdict?: string; kept?: boolean }[];
}

/** The session's outcome folded into the summary (`cancelled`: the user stopped the run meanwhile). */
export function summarize(summary: RunSummary, out: FixOutcome, cancelled: boolean): RunSummary {
  return {
    ...summary,
    status: cancelled ? 'cancelled' : out.status,
    diff: out.diff,
    files: out.files,
    locations: out.locations,
    reason: out.reason,
    error: out.error,
    oracle: { source: out.oracle.source, tests: out.oracle.tests },
    localization: out.localization.source,
    candidates: out.candidates.map((c) => ({ id: c.id, verdict: c.verdict, kept: c.kept })),
  };
}

/** One line: what happened and what to do next. */
export function runEndText(s: RunSummary, budgetUsd: number): string {
  switch (s.status) {
    case 'patched':
      return `Patch ready${s.reason ? `: ${s.reason.replace(/[.\s]+$/, '')}` : ''}. Review it hunk by hunk; nothing is changed until you accept.`;
    case 'cancelled':
      return 'Cancelled. Your files were not touched.';
    case 'no-patch':
      return `No patch found${s.error ? `: ${s.error}` : ''}. Your files were not touched.`;
    case 'budget-exhausted':
      return `Stopped: the budget of $${budgetUsd} for a run was reached. Raise rover.budgetUsd to go further.`;
    default:
      return `Run failed: ${s.error ?? 'unknown error'}. Your files were not touched.`;
  }
}

export function viewStatusOf(status: RunSummary['status']): Exclude<RunStatus, 'running'> {
  return status === 'patched' ? 'done' : status === 'cancelled' ? 'cancelled' : status === 'error' ? 'error' : 'no-patch';
}

/**
 * The command result: a run that ended with or without a patch did what was asked; an error or a
 * cancel did not, and keeps the summary beside the reason.
 */
export function runResult(s: RunSummary, budgetUsd: number): CommandResult<RunSummary> {
  if (s.status === 'error') return failed('error', s.error ?? runEndText(s, budgetUsd), s);
  if (s.status === 'cancelled') return failed('cancelled', runEndText(s, budgetUsd), s);
  return succeeded(s);
}
