/** The chat webview's page: a strict CSP that allows only our script (by nonce), stylesheet and data: images (file previews). */
import { randomBytes } from 'node:crypto';

export interface ChatHtmlParts {
  /** `webview.cspSource` */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

/** 128 random bits, base64: unguessable, unlike Math.random. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function chatHtml(parts: ChatHtmlParts): string {
  const csp = [
    "default-src 'none'",
    `style-src ${parts.cspSource}`,
    `font-src ${parts.cspSource}`,
    // data: only for image previews the host made from checked bytes (client/image-types.ts).
    `img-src ${parts.cspSource} data:`,
    `script-src 'nonce-${parts.nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(parts.styleUri)}">
<title>ClassChat</title>
</head>
<body>
<div id="app" aria-live="polite"></div>
<script nonce="${escapeAttribute(parts.nonce)}" src="${escapeAttribute(parts.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
