// Types for the plain-JS scripted model server (see scripted-model-server.mjs for the script format).
export interface ScriptedToolCall {
  name: string;
  args?: unknown;
  /** Sent verbatim as the arguments text (e.g. malformed JSON). */
  rawArgs?: string;
  id?: string;
}
export interface ScriptedTurn {
  text?: string;
  /** Anthropic only: a thinking block (with a signature) before the text. */
  thinking?: string;
  /** OpenAI only: a refusal (message.refusal / delta.refusal) instead of content. */
  refusal?: string;
  toolCalls?: ScriptedToolCall[];
  stopReason?: string;
  usage?: Record<string, number>;
  status?: number;
  times?: number;
  body?: unknown;
  headers?: Record<string, string>;
  cutStreamAfterBytes?: number;
  streamErrorAfterEvents?: number;
  streamError?: { type: string; message: string };
  delayMs?: number;
  chunkDelayMs?: number;
  chunkSize?: number;
  /** Send `afterEvents` events (default 0), then only keep-alive pings every `pingEveryMs` until the client hangs up. */
  hang?: { afterEvents?: number; pingEveryMs?: number };
  /** The text is this many characters of filler. */
  textBytes?: number;
  repeat?: boolean;
  when?: {
    lastToolResultIncludes?: string;
    lastUserIncludes?: string;
    anyMessageIncludes?: string;
    /** The system prompt contains this text. */
    systemIncludes?: string;
    toolOffered?: string;
    /** The request offers no tools. */
    noTools?: boolean;
    api?: 'anthropic' | 'openai';
  };
  whenLastToolResultIncludes?: string;
  whenLastUserIncludes?: string;
  whenAnyMessageIncludes?: string;
}
export interface RecordedRequest {
  api: 'anthropic' | 'openai';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  rawBody: string;
  turnIndex: number | null;
  response: { status: number; stream?: boolean; cut?: boolean; streamError?: boolean; hung?: boolean } | null;
  time: string;
  /** The client closed the connection before the response was complete. */
  clientAborted?: boolean;
  /** The server dropped the connection on purpose (cutStreamAfterBytes). */
  cutByServer?: boolean;
}
export interface ScriptRequest {
  api: 'anthropic' | 'openai';
  body: any;
  headers: Record<string, string | string[] | undefined>;
  index: number;
  requests: RecordedRequest[];
}
export type Script =
  | ScriptedTurn[]
  | { turns: ScriptedTurn[] }
  | ((req: ScriptRequest) => ScriptedTurn | undefined | Promise<ScriptedTurn | undefined>);
export interface ScriptedServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  setScript(script: Script): void;
  remainingTurns(): number[];
  close(): Promise<void>;
}
export function startScriptedServer(opts?: {
  script?: Script;
  expectedKey?: string;
  port?: number;
  host?: string;
  /** Append each request (api, path, body) as a JSON line to this file. */
  record?: string;
}): Promise<ScriptedServer>;
