// The record of a run, detailed enough to replay it offline: every request's messages, each tool
// call with its result, the apply attempts, usage and timings. Holds the provider id and model, never
// a key (keys never reach the agent: it only gets a ChatProvider).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChatMessage, Usage } from '../llm/types';
import type { EditResult } from './apply/apply';
import type { BugLocation } from './events';

export interface TrajectoryCall {
  phase: 'retrieve' | 'patch';
  round?: number;
  candidate?: number;
  attempt?: number;
  ms: number;
  usage: Usage;
  costUsd: number;
  stopReason: string;
  model: string;
  /** Messages sent in this request (indices into the phase conversation: 0..sent). */
  sentMessages: number;
}

export interface TrajectoryToolCall {
  round: number;
  id: string;
  name: string;
  args: unknown;
  rawArgs?: string;
  parseError?: string;
  result: string;
  isError: boolean;
  ms: number;
}

export interface TrajectoryApplyAttempt {
  candidate: number;
  attempt: number;
  ok: boolean;
  results: EditResult[];
  errors: string[];
  feedback: string;
}

export interface Trajectory {
  version: 1;
  tool: 'rover';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  repo: string;
  provider: string;
  model: string;
  issue: string;
  settings: Record<string, unknown>;
  repoSummary?: string;
  retrieve: { system: string; tools: string[]; messages: ChatMessage[] };
  patch: { candidate: number; temperature: number; system: string; messages: ChatMessage[] }[];
  calls: TrajectoryCall[];
  toolCalls: TrajectoryToolCall[];
  locations: BugLocation[];
  applyAttempts: TrajectoryApplyAttempt[];
  candidates: { id: string; diff: string; files: string[]; temperature: number; attempts: number }[];
  usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costUsd: number; calls: number };
  timings: Record<string, number>;
  status?: string;
  error?: string;
}

export async function writeTrajectory(path: string, t: Trajectory): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(t, null, 2) + '\n');
}
