// Runs inside the VS Code extension host (CommonJS, no test framework: a list of async
// checks run in order; any failure fails the run with every failure listed).
const assert = require('node:assert/strict');
const { join } = require('node:path');
const { readFileSync } = require('node:fs');
const vscode = require('vscode');

const ROOT = join(__dirname, '..', '..', '..');
const workspace = process.env.TRUESLIM_DESKTOP_WORKSPACE;
const dockerfile = () => vscode.Uri.file(join(workspace, 'Dockerfile'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function eventually(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${last.message})` : ''}`);
    await sleep(100);
  }
}

const ours = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'TrueSlim');

const tests = [
  ['the extension activates', async () => {
    const ext = vscode.extensions.getExtension('trueslim.trueslim');
    assert.ok(ext, 'trueslim.trueslim is installed');
    await ext.activate();
    assert.ok(ext.isActive);
  }],

  ['every contributed command is registered', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of pkg.contributes.commands) assert.ok(registered.has(command), command);
  }],

  ['a RUN line that deletes the dpkg database gets a TrueSlim diagnostic; apt lists cleanup does not', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(dockerfile()));
    const diags = await eventually('a TrueSlim diagnostic', () => ours(dockerfile()).length > 0 && ours(dockerfile()));
    assert.ok(diags.some((d) => d.range.start.line === 4 && d.code), `line 5 is flagged: ${JSON.stringify(diags.map((d) => [d.range.start.line, d.code]))}`);
    assert.ok(!diags.some((d) => d.range.start.line === 1), 'apt lists are a cache, not inventory');
  }],

  ['diagnostics follow typing', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(dockerfile()));
    const before = ours(dockerfile()).length;
    await editor.edit((b) => b.insert(new vscode.Position(5, 0), 'RUN rm -rf /usr/share/doc /var/lib/dpkg\n'));
    await eventually('one more diagnostic', () => ours(dockerfile()).length > before);
    await vscode.commands.executeCommand('undo');
    await eventually('back to the original diagnostics', () => ours(dockerfile()).length === before);
  }],

  ['quick fixes are offered for the diagnostic', async () => {
    const diag = ours(dockerfile()).find((d) => d.range.start.line === 4);
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', dockerfile(), diag.range, vscode.CodeActionKind.QuickFix.value);
    const mine = (actions ?? []).filter((a) => (a.diagnostics ?? []).some((d) => d.source === 'TrueSlim'));
    console.log(`    quick fixes: ${mine.map((a) => a.title).join(' | ')}`);
    assert.ok(mine.length > 0, 'the TrueSlim diagnostic on the RUN line comes with at least one quick fix');
  }],

  ['the final FROM carries the "Slim image" CodeLens', async () => {
    const lenses = await eventually('code lenses', async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', dockerfile(), 10);
      return l && l.length > 0 && l;
    });
    const slim = lenses.find((l) => l.command && l.command.title === 'Slim image');
    assert.ok(slim, `lenses: ${lenses.map((l) => l.command && l.command.title)}`);
    assert.equal(slim.range.start.line, 3, 'on the last FROM, not the first');
    assert.equal(slim.command.command, 'trueslim.slimDockerfile');
  }],

  ['trueslim.json is validated against the schema', async () => {
    const uri = vscode.Uri.file(join(workspace, 'trueslim.json'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), '  "metadata": "shred",\n'));
    await eventually('a schema error on "metadata"', () => vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === 1), 20_000);
    await vscode.commands.executeCommand('undo');
    await editor.document.save();
  }],

  ['Open Last Report without a report says so instead of failing', async () => {
    await vscode.commands.executeCommand('trueslim.openLastReport');
  }],
];

async function run() {
  const failures = [];
  for (const [name, test] of tests) {
    try {
      await test();
      console.log(`  ✔ ${name}`);
    } catch (error) {
      failures.push(`${name}: ${error && error.stack ? error.stack : error}`);
      console.log(`  ✖ ${name}\n    ${error && error.message}`);
    }
  }
  if (failures.length) throw new Error(`${failures.length} of ${tests.length} desktop tests failed:\n${failures.join('\n\n')}`);
}

module.exports = { run };
