// What the live run view shows, folded from the agent's events. The fix-run controller keeps this
// state and the run panel posts it whole to the webview, so a view that is hidden and re-shown (or
// reloaded) loses nothing.
import type { AgentEvent } from '../core-bridge';

/** The view folds the agent's own events; one definition, in core. */
export type RunEvent = AgentEvent;

export type RunStatus = 'running' | 'done' | 'no-patch' | 'cancelled' | 'error';

export interface RunViewState {
  runId: string;
  issueTitle: string;
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  stages: { stage: string; message?: string; at: number }[];
  searches: Extract<RunEvent, { type: 'search' }>[];
  locations: Extract<RunEvent, { type: 'locations' }>['locations'];
  attempts: Extract<RunEvent, { type: 'edit-attempt' }>[];
  candidates: { id: string; diff: string; evidence?: Extract<RunEvent, { type: 'candidate' }>['evidence'] }[];
  /** Where the fail-to-pass tests come from, and the reproduction test when Rover wrote one. */
  oracle?: Omit<Extract<RunEvent, { type: 'oracle' }>, 'type'>;
  reproductionAttempts: Omit<Extract<RunEvent, { type: 'reproduction-attempt' }>, 'type'>[];
  localization?: Omit<Extract<RunEvent, { type: 'localization' }>, 'type'>;
  notes: string[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number; calls: number };
  /** The model is one of the editor's (vscode-lm): its cost is billed by the user's subscription, not estimated. */
  subscription?: boolean;
  selected?: { id: string; reason: string };
  errors: { message: string; recoverable: boolean; at: number }[];
  /** Tail of the streamed model text. */
  text: string;
  /** One line for the end: what happened and what to do next. */
  summary?: string;
  /** Set while the review of the chosen patch is open. */
  reviewOpen?: boolean;
  /** The GitHub issue the run fixes (e.g. "#7"): the view offers Open Pull Request once the run is done. */
  githubIssue?: string;
  /** Untrusted workspace, missing key... shown as a banner. */
  notice?: string;
  events: number;
}

export const TEXT_TAIL = 4000;
export const MAX_SEARCHES_SHOWN = 200;

export function newRunView(runId: string, issue: string, now = Date.now()): RunViewState {
  const first = issue.split('\n').find((l) => l.trim()) ?? 'Issue';
  return {
    runId,
    issueTitle: first.replace(/^#+\s*/, '').slice(0, 160),
    status: 'running',
    startedAt: now,
    stages: [],
    searches: [],
    locations: [],
    attempts: [],
    candidates: [],
    reproductionAttempts: [],
    notes: [],
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 },
    errors: [],
    text: '',
    events: 0,
  };
}

export function reduceRunView(s: RunViewState, e: RunEvent, now = Date.now()): RunViewState {
  const next: RunViewState = { ...s, events: s.events + 1 };
  switch (e.type) {
    case 'stage':
      next.stages = [...s.stages, { stage: e.stage, message: e.message, at: now }];
      break;
    case 'search':
      next.searches = [...s.searches, e].slice(-MAX_SEARCHES_SHOWN);
      break;
    case 'locations':
      next.locations = e.locations;
      break;
    case 'edit-attempt':
      next.attempts = [...s.attempts, e];
      break;
    case 'candidate': {
      const others = s.candidates.filter((c) => c.id !== e.id);
      next.candidates = [...others, { id: e.id, diff: e.diff, evidence: e.evidence }];
      break;
    }
    case 'usage':
      // the agent reports running totals
      next.usage = { inputTokens: e.inputTokens, outputTokens: e.outputTokens, costUsd: e.costUsd, calls: e.calls };
      break;
    case 'text':
      next.text = (s.text + e.delta).slice(-TEXT_TAIL);
      break;
    case 'error':
      next.errors = [...s.errors, { message: e.message, recoverable: e.recoverable, at: now }];
      break;
    case 'selected':
      next.selected = { id: e.id, reason: e.reason };
      break;
    case 'oracle': {
      const { type: _t, ...o } = e;
      next.oracle = o;
      break;
    }
    case 'reproduction-attempt': {
      const { type: _t, ...a } = e;
      next.reproductionAttempts = [...s.reproductionAttempts, { ...a, output: a.output?.slice(-TEXT_TAIL) }];
      break;
    }
    case 'localization': {
      const { type: _t, ...l } = e;
      next.localization = l;
      break;
    }
    case 'note':
      next.notes = [...s.notes, e.message];
      break;
    default:
      next.events = s.events; // unknown event kinds are ignored, not counted
  }
  return next;
}

export function finishRunView(s: RunViewState, status: RunStatus, summary: string, now = Date.now()): RunViewState {
  return { ...s, status, summary, endedAt: now };
}

/** Messages the webview may send; everything else is dropped. */
export type ViewMessage = { type: 'open'; file: string; line: number } | { type: 'ready' } | { type: 'review' } | { type: 'cancel' } | { type: 'rerun' } | { type: 'openPr' };

export function parseViewMessage(m: unknown): ViewMessage | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
    case 'review':
    case 'cancel':
    case 'rerun':
    case 'openPr':
      return { type: o.type };
    case 'open': {
      if (typeof o.file !== 'string' || !o.file || o.file.length > 4096 || o.file.includes('\0')) return undefined;
      const line = typeof o.line === 'number' ? o.line : Number(o.line);
      return { type: 'open', file: o.file, line: Number.isFinite(line) && line >= 1 ? Math.floor(line) : 1 };
    }
    default:
      return undefined;
  }
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0.00';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
