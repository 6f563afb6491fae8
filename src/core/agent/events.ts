// What a run reports while it works: the editor's live run view and the CLI's progress lines consume
// these. Plain data so they can be posted to a webview or written as JSON lines unchanged.

export type AgentStage = 'index' | 'localize' | 'retrieve' | 'patch' | 'validate' | 'select' | 'done';

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
  | { type: 'candidate'; id: string; diff: string; evidence?: { failToPass: string[]; passToFail: string[]; verdict: string } }
  | { type: 'usage'; inputTokens: number; outputTokens: number; costUsd: number; calls: number }
  | { type: 'text'; delta: string }
  | { type: 'error'; message: string; recoverable: boolean }
  | { type: 'selected'; id: string; reason: string };
