// The run view's HTML shell: a strict Content-Security-Policy (no remote anything, scripts only with
// this page's nonce), local style and script through the webview's own URIs.
import { randomBytes } from 'node:crypto';

export interface WebviewShell {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function runViewHtml(w: WebviewShell): string {
  const nonce = w.nonce ?? makeNonce();
  const csp = [
    `default-src 'none'`,
    `style-src ${w.cspSource}`,
    `img-src ${w.cspSource} data:`,
    `font-src ${w.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${attr(w.styleUri)}" rel="stylesheet">
<title>Rover Run</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Waiting for the run…</p></main>
<script nonce="${nonce}" src="${attr(w.scriptUri)}"></script>
</body>
</html>`;
}
