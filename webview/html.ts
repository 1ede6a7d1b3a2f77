/**
 * The report page, two ways. Imported by the extension host (no `vscode` import: URIs,
 * nonce and CSP source come in as strings) and by the tests.
 *
 * - renderWebviewHtml: the page of the webview panel. Strict CSP: scripts only with the
 *   nonce, styles and fonts only from the extension's own webview resources, no remote
 *   content at all.
 * - renderStandaloneHtml: "Export HTML" — one self-contained file (bundle, CSS and report
 *   inlined) that opens in any browser offline; host-only actions show as disabled.
 */
import type { Report } from '../src/core/report/types';
import { EMBEDDED_REPORT_ID, jsonForScriptElement } from './embeddedReport';
import { STANDALONE_THEME_CSS } from './standaloneTheme';

export interface WebviewHtmlOptions {
  /** `webview.asWebviewUri(<extension>/dist/webview/main.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(<extension>/dist/webview/styles.css)` as a string. */
  styleUri: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh value per page load, from `createNonce()`. */
  nonce: string;
  title: string;
}

export function createNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A nonce or CSP source reaches the policy verbatim: refuse anything that could extend it. */
function checkNonce(nonce: string): string {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error('renderWebviewHtml: the nonce must be 16+ base64/hex characters');
  return nonce;
}

/**
 * VS Code's `webview.cspSource`: host sources, and since 1.9x the quoted keyword 'self'
 * (1.100 gives `'self' https://*.vscode-cdn.net`). Anything that could widen the policy
 * (separators, other quoted keywords such as 'unsafe-inline') is refused.
 */
function checkCspSource(source: string): string {
  const tokens = source.split(' ');
  const ok = tokens.length > 0 && tokens.every((t) => t === "'self'" || /^[^\s;,'"]+$/.test(t));
  if (!ok) throw new Error(`renderWebviewHtml: cspSource must be host sources or 'self', got ${JSON.stringify(source)}`);
  return source;
}

export function webviewCsp(cspSource: string, nonce: string): string {
  const src = checkCspSource(cspSource);
  const n = checkNonce(nonce);
  return [
    "default-src 'none'",
    `img-src ${src} data:`,
    `style-src ${src} 'nonce-${n}'`,
    `script-src 'nonce-${n}'`,
    `font-src ${src}`,
  ].join('; ');
}

export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  const nonce = escapeHtml(checkNonce(o.nonce));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(webviewCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}" nonce="${nonce}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}

/**
 * Makes JavaScript safe inside an inline <script>: `</script` would end the element and
 * `<!--` would change how the HTML parser reads it. `\x3C` is `<` in strings, template
 * literals and regular expressions alike (the only places a bundle can contain either).
 */
function inlineScript(js: string): string {
  return js.replace(/<(\/script|!--)/gi, '\\x3C$1');
}

function inlineStyle(css: string): string {
  return css.replace(/<\/style/gi, '\\3C/style');
}

/** Stands in for VS Code's API in the exported file: no host, state kept per tab session. */
const STANDALONE_API_STUB = `(function(){var KEY='trueslim-report-state';
window.acquireVsCodeApi=function(){return{standalone:true,postMessage:function(){},
getState:function(){try{var s=sessionStorage.getItem(KEY);return s?JSON.parse(s):undefined}catch(e){return undefined}},
setState:function(v){try{sessionStorage.setItem(KEY,JSON.stringify(v))}catch(e){}return v}}}})();`;

export function renderStandaloneHtml(report: Report, scriptJs: string, css: string): string {
  const nonce = createNonce();
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
  const title = `TrueSlim report: ${report.slim.image}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="${escapeHtml(`${report.tool.name} ${report.tool.version}`)}">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STANDALONE_THEME_CSS}</style>
<style nonce="${nonce}">${inlineStyle(css)}</style>
</head>
<body class="standalone">
<script type="application/json" id="${EMBEDDED_REPORT_ID}">${jsonForScriptElement(report)}</script>
<script nonce="${nonce}">${STANDALONE_API_STUB}</script>
<script nonce="${nonce}">${inlineScript(scriptJs)}</script>
</body>
</html>
`;
}
