// VS Code cancels with tokens, the core with AbortSignals. The bridge between them is a listener
// that must be disposed once the work ends, or every run leaves one behind on a long-lived token.
import * as vscode from 'vscode';

/** An AbortController that aborts when `token` is cancelled; dispose() removes the token listener. */
export function abortOnCancel(token: vscode.CancellationToken, ctrl = new AbortController()): { signal: AbortSignal; controller: AbortController } & vscode.Disposable {
  const sub = token.onCancellationRequested(() => ctrl.abort());
  if (token.isCancellationRequested) ctrl.abort();
  return { signal: ctrl.signal, controller: ctrl, dispose: () => sub.dispose() };
}

/**
 * Runs `work` under a notification with a Cancel button. `ctrl` lets the caller abort the same work
 * from elsewhere (the run view's Cancel).
 */
export function withCancellableProgress<T>(
  title: string,
  work: (signal: AbortSignal, progress: vscode.Progress<{ message?: string }>) => Promise<T>,
  ctrl?: AbortController,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const link = abortOnCancel(token, ctrl);
    try {
      return await work(link.signal, progress);
    } finally {
      link.dispose();
    }
  });
}
