// The one shape every Rover command returns, so a caller (a keybinding, another extension, the
// end-to-end suites) reads any result the same way:
//   { ok: true, ...data }                          the command did what was asked; `data` says what came of it
//   { ok: false, reason, message, ...partial data } it did not, `reason` says which way, `message` says why
// A failure keeps whatever part of the result it reached: a fix run that ended in an error still
// reports its runId, status and events.

export type FailureReason =
  /** The workspace is not trusted: Rover runs no tests or commands there. */
  | 'untrusted'
  /** No folder is open. */
  | 'no-folder'
  /** Another run is in progress. */
  | 'busy'
  /** The user closed a prompt without answering. */
  | 'dismissed'
  /** The user cancelled work that had started. */
  | 'cancelled'
  /** An argument or a typed value was refused (the message says what was expected). */
  | 'bad-input'
  /** The file changed since Rover made the patch being reviewed. */
  | 'stale'
  /** The work itself failed. */
  | 'error';

export interface CommandFailure {
  ok: false;
  reason: FailureReason;
  message: string;
}

export type Succeeded<T extends object> = { ok: true } & T;
export type Failed<T extends object> = CommandFailure & Partial<T>;
export type CommandResult<T extends object = object> = Succeeded<T> | Failed<T>;

export function succeeded<T extends object>(data: T): Succeeded<T> {
  return { ...data, ok: true };
}

export function failed(reason: FailureReason, message: string): CommandFailure;
export function failed<T extends object>(reason: FailureReason, message: string, partial: T): CommandFailure & T;
export function failed(reason: FailureReason, message: string, partial?: object): CommandFailure {
  return { ...partial, ok: false, reason, message };
}

export function isFailure(r: unknown): r is CommandFailure {
  return typeof r === 'object' && r !== null && (r as { ok?: unknown }).ok === false;
}
