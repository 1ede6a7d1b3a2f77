/** The shared protocol and the page writers, without a browser. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KEEP_MODES as CORE_KEEP_MODES, REPORT_SCHEMA_VERSION } from '../../src/core/report/types';
import {
  isHostMessage, isWebviewMessage, KEEP_MODES, packFiles, reportMessage, reportOf, reportUriFromState, unpackFiles, WEBVIEW_REPORT_SCHEMA,
} from '../../src/shared/protocol';
import { jsonForScriptElement } from '../../webview/embeddedReport';
import { renderStandaloneHtml, renderWebviewHtml, webviewCsp } from '../../webview/html';
import { fakeReport } from './fakeReport';

describe('protocol', () => {
  it('the webview reads the schema the engine writes', () => {
    assert.equal(WEBVIEW_REPORT_SCHEMA, REPORT_SCHEMA_VERSION);
    assert.deepEqual(KEEP_MODES, CORE_KEEP_MODES);
  });

  it('accepts well-formed webview messages and nothing else', () => {
    const good = [
      { type: 'ready' },
      { type: 'keep', requestId: 'r1', target: 'path', value: '/usr/bin/perl' },
      { type: 'keep', requestId: 'r2', target: 'package', value: 'deb:perl-base' },
      { type: 'set-policy', requestId: 'r3', policy: 'preserve' },
      { type: 'set-keep', requestId: 'r5', mode: 'files' },
      { type: 'set-keep', requestId: 'r6', mode: 'packages' },
      { type: 'keep', requestId: 'r7', target: 'include', value: '/var/lib/nginx/**' },
      { type: 'export', requestId: 'r4', format: 'sbom-after' },
      { type: 'open-log' },
      { type: 'open-file', path: '/w/Dockerfile' },
    ];
    for (const m of good) assert.ok(isWebviewMessage(m), JSON.stringify(m));
    const bad = [
      null, 'ready', [], { type: 'nope' },
      { type: 'keep', target: 'path', value: '/x' }, // no requestId
      { type: 'keep', requestId: 'r', target: 'folder', value: '/x' },
      { type: 'keep', requestId: 'r', target: 'path', value: '' },
      { type: 'set-policy', requestId: 'r', policy: 'everything' },
      { type: 'set-keep', requestId: 'r', mode: 'everything' },
      { type: 'set-keep', mode: 'files' }, // no requestId
      { type: 'set-keep', requestId: 'r', policy: 'files' },
      { type: 'keep', requestId: 'r', target: 'include', value: '' },
      { type: 'export', requestId: 'r', format: 'pdf' },
      { type: 'open-file', path: 42 },
    ];
    for (const m of bad) assert.ok(!isWebviewMessage(m), JSON.stringify(m));
  });

  it('accepts host messages, packed or not', () => {
    const report = fakeReport({ files: 50 });
    assert.ok(isHostMessage({ type: 'report', report, reportUri: 'file:///r.json' }));
    assert.ok(isHostMessage(reportMessage(report)));
    assert.ok(isHostMessage({ type: 'busy', stage: 'assemble' }));
    assert.ok(isHostMessage({ type: 'error', message: 'x' }));
    assert.ok(isHostMessage({ type: 'reply', requestId: 'r1', ok: false, message: 'no' }));
    assert.ok(!isHostMessage({ type: 'report', report: { files: [] } }));
    assert.ok(!isHostMessage({ ...reportMessage(report), packedFiles: { count: 3, paths: '' } }));
    assert.ok(!isHostMessage({ type: 'reply', ok: true }));
  });

  it('packs and unpacks files without loss', () => {
    const report = fakeReport({ files: 500 });
    report.files.push({ path: '/odd/\uFFFDname\nwith newline', pathBytes: 'L29kZC//', kind: 'other', kept: false, size: 0, reason: 'none', note: 'removed by exclude rule /odd/**' });
    assert.deepEqual(unpackFiles(packFiles(report.files)), report.files);
    const m = reportMessage(report, 'file:///r.json');
    assert.equal(m.report.files.length, 0);
    assert.deepEqual(reportOf(m), report);
    assert.deepEqual(unpackFiles(packFiles([])), []);
  });

  it('finds the report again from the saved state', () => {
    assert.equal(reportUriFromState({ reportUri: 'file:///r.json', tab: 'files' }), 'file:///r.json');
    assert.equal(reportUriFromState(undefined), undefined);
    assert.equal(reportUriFromState({ reportUri: 3 }), undefined);
  });
});

describe('webview HTML', () => {
  const nonce = 'a'.repeat(32);

  it('has a strict CSP: nonce scripts, own styles and fonts, nothing remote', () => {
    const html = renderWebviewHtml({ scriptUri: 'https://x.vscode-cdn.net/main.js', styleUri: 'https://x.vscode-cdn.net/styles.css', cspSource: 'https://*.vscode-cdn.net', nonce, title: 'T <1>' });
    const csp = webviewCsp('https://*.vscode-cdn.net', nonce);
    assert.equal(csp, `default-src 'none'; img-src https://*.vscode-cdn.net data:; style-src https://*.vscode-cdn.net 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src https://*.vscode-cdn.net`);
    assert.ok(html.includes(`content="${csp.replace(/'/g, '&#39;')}"`));
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://x.vscode-cdn.net/main.js"></script>`));
    assert.ok(html.includes('<title>T &#60;1&#62;</title>'));
    assert.ok(!/unsafe-(inline|eval)/.test(html));
  });

  it('refuses a nonce or CSP source that could widen the policy', () => {
    const o = { scriptUri: 's', styleUri: 'c', title: 't' };
    assert.throws(() => renderWebviewHtml({ ...o, cspSource: 'x', nonce: "abc' 'unsafe-inline" }));
    assert.throws(() => renderWebviewHtml({ ...o, cspSource: "x; script-src 'unsafe-eval'", nonce }));
  });

  it('embeds JSON that cannot close its script element', () => {
    const json = jsonForScriptElement({ p: '</script><!-- \u2028' });
    assert.ok(!json.includes('<'));
    assert.deepEqual(JSON.parse(json), { p: '</script><!-- \u2028' });
  });

  it('exports one self-contained file', () => {
    const report = fakeReport({ files: 20 });
    const html = renderStandaloneHtml(report, 'var a = "</script>"; /<!--/.test(a);', 'body{}');
    assert.ok(!/<(link|img)\b|src=|https?:\/\//.test(html.replace(/<meta[^>]*>/g, '')), 'no external reference');
    assert.equal(html.match(/<\/script>/g)?.length, 3, 'only the three script elements close');
    assert.ok(html.includes('id="trueslim-report"'));
    assert.match(html, /content="default-src &#39;none&#39;; img-src data:; style-src &#39;nonce-\w+&#39;; script-src &#39;nonce-\w+&#39;"/);
  });
});
