// What a run reports while it works: the editor's live run view and the CLI's progress lines consume
// these. Plain data so they can be posted to a webview or written as JSON lines unchanged.

export type AgentStage = 'index' | 'reproduce' | 'localize' | 'retrieve' | 'patch' | 'validate' | 'select' | 'done';

/** Where the fail-to-pass tests of a session come from. */
export type OracleSource = 'given' | 'last-run' | 'reproduction' | 'none';

/** One suspect of fault localization, as the run view and `--json` show it. */
export interface SuspectSummary {
  file: string;
  symbol: string;
  score: number;
  line: number;
}

export interface BugLocation {
  /** Path relative to the repository root, forward slashes. */
  file: string;
  className?: string;
  method?: string;
  /** 1-based, inclusive span of the located code (whole file when only the file resolved). */
  startLine: number;
  endLine: number;
  intendedBehavior: string;
  /** How the model's name was matched against the index: `exact`, `nearest:<name>` or `file`. */
  resolvedBy: string;
}

export type AgentEvent =
  | { type: 'stage'; stage: AgentStage; message?: string }
  | {
      type: 'search';
      round: number;
      api: string;
      args: Record<string, unknown>;
      ok: boolean;
      summary: string;
      hits: { file: string; line: number; symbol?: string }[];
    }
  | { type: 'locations'; locations: BugLocation[] }
  | { type: 'edit-attempt'; attempt: number; ok: boolean; message: string; strategy?: string }
  | { type: 'candidate'; id: string; diff: string; evidence?: CandidateEvidence }
  | { type: 'reproduction-attempt'; attempt: number; file?: string; kept: boolean; reason: string; output?: string }
  | { type: 'oracle'; source: OracleSource; tests: string[]; message: string; reproduction?: { file: string; content: string; output: string } }
  | { type: 'localization'; source: 'sbfl' | 'search-only'; message: string; suspects: SuspectSummary[] }
  | { type: 'usage'; inputTokens: number; outputTokens: number; costUsd: number; calls: number }
  | { type: 'text'; delta: string }
  | { type: 'note'; message: string }
  | { type: 'error'; message: string; recoverable: boolean }
  | { type: 'selected'; id: string; reason: string };

/** What validation found for one candidate; `kept`/`note` say whether choice kept it and why not. */
export interface CandidateEvidence {
  failToPass: string[];
  passToFail: string[];
  verdict: string;
  kept?: boolean;
  note?: string;
}
