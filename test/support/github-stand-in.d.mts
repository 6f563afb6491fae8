export interface StandInComment { body: string; author?: string; bot?: boolean; created_at?: string }
export interface StandInIssue {
  title?: string; body?: string | null; state?: 'open' | 'closed'; state_reason?: string; closed_at?: string; locked?: boolean;
  active_lock_reason?: string; labels?: string[]; author?: string; comments?: StandInComment[]; pull?: boolean; htmlBase?: string;
}
export interface StandInRepo { private?: boolean; defaultBranch?: string; issues?: Record<number, StandInIssue> }
export interface StandInRequest { method: string; path: string; query: Record<string, string>; authorization?: string; body?: any }
export interface StandInFault { status?: number; headers?: Record<string, string>; message?: string; body?: unknown; times?: number; cut?: boolean; reset?: boolean }
export interface GitHubStandIn {
  url: string;
  requests: StandInRequest[];
  pulls: { owner: string; repo: string; request: any; pr: any }[];
  fault(key: string, f: StandInFault): void;
  clearFaults(): void;
  addToken(t: string): void;
  revoke(t: string): void;
  close(): Promise<void>;
}
export function startGitHubStandIn(state?: { repos?: Record<string, StandInRepo>; tokens?: string[]; revoked?: string[]; port?: number }): Promise<GitHubStandIn>;
