import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTraceLog, unescapePath, type TraceRecord } from '../../src/core/trace/traceLog';
import { artifactNames } from '../../src/core/run/finish';
import { readTraceFile, writeTraceFile } from '../../src/core/run/savedTrace';

const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

describe('unescapePath', () => {
  it('turns \\xHH into single bytes (either case) and leaves the rest alone', () => {
    assert.equal(unescapePath('/a\\x20b'), '/a b');
    assert.equal(unescapePath('/caf\\xc3\\xA9'), '/caf\xc3\xa9');
    assert.equal(unescapePath('/nl\\x0a\\x00end'), '/nl\n\x00end');
    assert.equal(unescapePath('/plain/path-1.2_x'), '/plain/path-1.2_x');
    assert.equal(unescapePath('/bad\\x4'), '/bad\\x4', 'incomplete escape stays');
    assert.equal(unescapePath('/bad\\xzz'), '/bad\\xzz');
  });

  it('an escaped backslash followed by x41 is a literal backslash, not a second escape', () => {
    assert.equal(unescapePath('/a\\x5cx41'), '/a\\x41');
  });
});

describe('parseTraceLog', () => {
  it('parses records of every op with their result', () => {
    const log = parseTraceLog(
      [
        'open + /etc/passwd',
        'stat - /etc/missing',
        'readlink + /lib64',
        'exec + /usr/bin/python3',
        'chdir + /app',
        'dir + /usr/lib/python3/dist-packages',
        'cwd + /',
        '',
      ].join('\n'),
    );
    assert.deepEqual(log.records, [
      { op: 'open', ok: true, path: '/etc/passwd' },
      { op: 'stat', ok: false, path: '/etc/missing' },
      { op: 'readlink', ok: true, path: '/lib64' },
      { op: 'exec', ok: true, path: '/usr/bin/python3' },
      { op: 'chdir', ok: true, path: '/app' },
      { op: 'dir', ok: true, path: '/usr/lib/python3/dist-packages' },
      { op: 'cwd', ok: true, path: '/' },
    ]);
    assert.deepEqual(log.bad, []);
    assert.equal(log.stops, 0);
    assert.equal(log.exitStatus, undefined);
  });

  it('unescapes paths with spaces, newlines, backslashes and bytes that are not UTF-8', () => {
    const log = parseTraceLog('open + /my\\x20file\\x0aname\\x5c\\xff\\xfe\nstat - /x\\x20y\n');
    assert.deepEqual(
      log.records.map((r) => r.path),
      ['/my file\nname\\\xff\xfe', '/x y'],
    );
  });

  it('reads comments: stops are summed, the first exit status wins', () => {
    const log = parseTraceLog('# stops 10\n# exit 3\nopen + /a\n# something else\n# stops 5\n# exit -9\n');
    assert.equal(log.stops, 15);
    assert.equal(log.exitStatus, 3);
    assert.equal(log.records.length, 1);
    assert.deepEqual(log.bad, []);
  });

  it('merges several logs into one with `into`', () => {
    const merged = parseTraceLog('# stops 2\nopen + /a\n');
    parseTraceLog('# stops 3\n# exit 0\nexec + /b\n', merged);
    assert.deepEqual(merged.records.map((r) => r.path), ['/a', '/b']);
    assert.equal(merged.stops, 5);
    assert.equal(merged.exitStatus, 0);
  });

  it('keeps lines that do not parse in bad, without records', () => {
    const lines = ['bogus + /a', 'open ? /a', 'open +', 'open', 'open  + /a', ' open + /a', 'OPEN + /a'];
    const log = parseTraceLog(lines.join('\n') + '\nopen + /ok\n');
    assert.deepEqual(log.bad, lines);
    assert.deepEqual(log.records, [{ op: 'open', ok: true, path: '/ok' }]);
  });

  it('tolerates a last line without a newline (a log cut short)', () => {
    const log = parseTraceLog('open + /a\nopen + /b');
    assert.deepEqual(log.records.map((r) => r.path), ['/a', '/b']);
  });
});

describe('savedTrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trueslim-trace-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes and reads back every byte value, spaces and backslashes', async () => {
    const records: TraceRecord[] = [
      { op: 'open', ok: true, path: '/all/' + ALL_BYTES },
      { op: 'stat', ok: false, path: '/with space/and\\backslash\\x41' },
      { op: 'exec', ok: true, path: '/usr/bin/python3' },
      { op: 'readlink', ok: true, path: '/caf\xc3\xa9/\xff' },
      { op: 'dir', ok: true, path: '/' },
      { op: 'chdir', ok: false, path: '/nl\n/cr\r/tab\t' },
      { op: 'cwd', ok: true, path: '/app' },
    ];
    const file = await writeTraceFile(join(dir, 'trace.log'), records);
    assert.equal(file, join(dir, 'trace.log'));
    assert.deepEqual(await readTraceFile(file), records);

    const text = readFileSync(file, 'latin1');
    const lines = text.split('\n');
    assert.equal(lines.length, records.length + 1, 'one line per record');
    assert.equal(lines.at(-1), '');
    assert.match(text, /^[\x21-\x7e \n]*$/, 'only printable ASCII, spaces between fields, newlines between records');
    assert.equal(lines[1], 'stat - /with\\x20space/and\\x5cbackslash\\x5cx41');
    assert.equal(lines[2], 'exec + /usr/bin/python3');
  });

  it('writes exactly what the sensor writes (the same parser reads both)', async () => {
    const sensorLine = 'open + /caf\\xc3\\xa9\\x20menu\\x0a\\x5c\\x7f';
    const [fromSensor] = parseTraceLog(sensorLine + '\n').records;
    const file = await writeTraceFile(join(dir, 'trace.log'), [fromSensor!]);
    assert.equal(readFileSync(file, 'latin1'), sensorLine + '\n');
  });
});

describe('artifactNames', () => {
  it('keeps the fixed names for report.json and prefixes them for any other report name', () => {
    assert.equal(artifactNames('/r', '/r/report.json')('trace.log'), '/r/trace.log');
    assert.equal(artifactNames('/r', '/r/nginx.json')('trace.log'), '/r/nginx.trace.log');
    assert.equal(artifactNames('/r', '/r/pg-run.json')('sbom-after.cdx.json'), '/r/pg-run.sbom-after.cdx.json');
  });
});
