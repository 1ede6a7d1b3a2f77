import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createNonce, renderWebviewHtml } from '../../webview/html';

/**
 * The host hands `webview.cspSource` to renderWebviewHtml as VS Code gives it. VS Code 1.100
 * (desktop and code-server alike) gives `'self' https://*.vscode-cdn.net`: a quoted keyword
 * and a host source. The page must render with it, or the report panel stays blank.
 */
describe('extension: the report page accepts what VS Code passes', () => {
  it("renders with VS Code's real cspSource", () => {
    const cspSource = "'self' https://*.vscode-cdn.net";
    const html = renderWebviewHtml({
      scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js',
      styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/styles.css',
      cspSource,
      nonce: createNonce(),
      title: 'TrueSlim: fizzbuzz',
    });
    // The policy sits in an attribute, HTML-escaped; the browser reads it decoded.
    const attr = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    const policy = attr.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    assert.match(policy, /style-src 'self' https:\/\/\*\.vscode-cdn\.net 'nonce-/);
  });
  it('refuses a cspSource that would widen the policy', () => {
    for (const cspSource of ["'self' 'unsafe-inline'", 'https://a; script-src *', "'self',https://x"]) {
      assert.throws(() => renderWebviewHtml({ scriptUri: 's.js', styleUri: 's.css', cspSource, nonce: createNonce(), title: 't' }), /cspSource/);
    }
  });
});
