import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeExpected, execProbeName, hostProbeName, httpPaths, httpProbeName, probeName, quoteArgv, statusAccepted, waitProbeName } from '../../src/core/probes/format';
import { hostProbeEnv } from '../../src/core/probes/host';
import { execCommand } from '../../src/core/probes/exec';
import { demuxLogBuffer } from '../../src/core/probes/appLog';
import { LineCollector, outputNote } from '../../src/core/probes/lines';
import { defaultProbes } from '../../src/core/probes/runProbes';
import { checkAnswer } from '../../src/core/probes/http';
import { isNotReadyError, isNotReadyStatus } from '../../src/core/probes/httpRequest';
import { exitOutcomes } from '../../src/core/probes/runProbes';

describe('probe names', () => {
  it('http: port, method and paths; the user name wins', () => {
    assert.equal(httpProbeName({ type: 'http', paths: ['/fizzbuzz/15'] }, 8080), 'http :8080 GET /fizzbuzz/15');
    assert.equal(httpProbeName({ type: 'http', method: 'post', paths: ['/a', 'b'] }, 80), 'http :80 POST /a, /b');
    assert.equal(httpProbeName({ type: 'http' }, 3000), 'http :3000 GET /');
    assert.equal(httpProbeName({ type: 'http' }, undefined), 'http (no port) GET /');
    assert.equal(httpProbeName({ type: 'http', name: 'home' }, 80), 'home');
    assert.equal(httpProbeName({ type: 'http', name: 'home' }, 80, 2), 'home :80');
    assert.equal(probeName({ type: 'http', port: 5000 }), 'http :5000 GET /');
  });
  it('paths default to / and get a leading slash', () => {
    assert.deepEqual(httpPaths({ type: 'http' }), ['/']);
    assert.deepEqual(httpPaths({ type: 'http', paths: [] }), ['/']);
    assert.deepEqual(httpPaths({ type: 'http', paths: ['x?y=1', '/z'] }), ['/x?y=1', '/z']);
  });
  it('exec, host and wait', () => {
    assert.equal(execProbeName({ type: 'exec', command: ['test', '-d', '/etc'] }), 'exec test -d /etc');
    assert.equal(execProbeName({ type: 'exec', command: ['echo', 'a b', "it's"] }), `exec echo 'a b' 'it'\\''s'`);
    assert.equal(execProbeName({ type: 'exec', command: 'ls  -l\n/tmp' }), 'exec ls -l /tmp');
    assert.equal(hostProbeName({ type: 'host', command: 'npm test' }), 'host npm test');
    assert.ok(hostProbeName({ type: 'host', command: 'x'.repeat(200) }).length <= 66, 'long commands are shortened');
    assert.equal(waitProbeName({ type: 'wait', seconds: 5 }), 'wait 5 s');
    assert.equal(waitProbeName({ type: 'wait' }), 'wait until finished');
    assert.equal(probeName({ type: 'wait', name: 'batch' }), 'batch');
  });
  it('quoteArgv leaves plain words alone', () => {
    assert.equal(quoteArgv(['/bin/sh', '-c', 'a;b']), "/bin/sh -c 'a;b'");
  });
});

describe('status and body matching', () => {
  it('defaults to 200-399', () => {
    assert.equal(statusAccepted(200), true);
    assert.equal(statusAccepted(302), true);
    assert.equal(statusAccepted(399), true);
    assert.equal(statusAccepted(199), false);
    assert.equal(statusAccepted(404), false);
    assert.equal(statusAccepted(500, []), false);
    assert.equal(describeExpected(), '200-399');
  });
  it('an explicit list is exact', () => {
    assert.equal(statusAccepted(404, [404]), true);
    assert.equal(statusAccepted(200, [201, 204]), false);
    assert.equal(describeExpected([201, 204]), '201, 204');
  });
  it('checkAnswer names the status, the expectation and a body excerpt', () => {
    assert.equal(checkAnswer({ status: 200, body: 'Fizz' }, {}), undefined);
    assert.match(checkAnswer({ status: 404, body: 'Not Found here' }, {})!, /^404 \(expected 200-399\): Not Found here/);
    assert.match(checkAnswer({ status: 200, body: 'Buzz' }, { expectBody: 'FizzBuzz' })!, /does not contain "FizzBuzz": Buzz/);
    assert.equal(checkAnswer({ status: 200, body: 'xxFizzBuzzxx' }, { expectBody: 'FizzBuzz' }), undefined);
    assert.match(checkAnswer({ status: 500, body: '' }, {})!, /\(empty body\)/);
    assert.ok(checkAnswer({ status: 500, body: 'e'.repeat(5000) }, {})!.length < 300, 'body excerpt is short');
  });
  it('readiness: connection errors and 502/503 mean not ready', () => {
    assert.equal(isNotReadyError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), true);
    assert.equal(isNotReadyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
    assert.equal(isNotReadyError(new Error('socket hang up')), true);
    assert.equal(isNotReadyError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })), false);
    assert.equal(isNotReadyStatus(503), true);
    assert.equal(isNotReadyStatus(502), true);
    assert.equal(isNotReadyStatus(503, [503]), false, 'an expected 503 is an answer');
    assert.equal(isNotReadyStatus(500), false);
  });
});

describe('host probe environment', () => {
  it('host, one variable per published port, URL of the first exposed port', () => {
    const env = hostProbeEnv('127.0.0.1', new Map([[9000, 49001], [8080, 49002]]), [8080, 9000]);
    assert.deepEqual(env, { TRUESLIM_HOST: '127.0.0.1', TRUESLIM_PORT_9000: '49001', TRUESLIM_PORT_8080: '49002', TRUESLIM_URL: 'http://127.0.0.1:49002' });
  });
  it('falls back to the first published port, and has no URL without ports', () => {
    assert.equal(hostProbeEnv('127.0.0.1', new Map([[5000, 40000]]), [7000]).TRUESLIM_URL, 'http://127.0.0.1:40000');
    assert.deepEqual(hostProbeEnv('127.0.0.1', new Map(), [80]), { TRUESLIM_HOST: '127.0.0.1' });
    assert.equal(hostProbeEnv('::1', new Map([[80, 1234]]), [80]).TRUESLIM_URL, 'http://[::1]:1234');
  });
});

describe('exec command line', () => {
  const sensor = { path: '/.trueslim/sensor', logDir: '/.trueslim' };
  it('without a sensor: argv as is, a string through /bin/sh -c', () => {
    assert.deepEqual(execCommand(['test', '-d', '/etc'], undefined, 1), ['test', '-d', '/etc']);
    assert.deepEqual(execCommand('echo $HOME', undefined, 1), ['/bin/sh', '-c', 'echo $HOME']);
  });
  it('with a sensor: its own log per probe, USER passed on', () => {
    assert.deepEqual(execCommand(['ls'], sensor, 3), ['/.trueslim/sensor', 'run', '--log', '/.trueslim/trace-exec-3.log', '--', 'ls']);
    assert.deepEqual(execCommand('id', { ...sensor, user: 'app:app' }, 1), ['/.trueslim/sensor', 'run', '--log', '/.trueslim/trace-exec-1.log', '--user', 'app:app', '--', '/bin/sh', '-c', 'id']);
  });
  it('with a CPU slot: the sensor pins the probe to it', () => {
    assert.deepEqual(execCommand(['ls'], { ...sensor, user: 'app', cpuSlot: 1 }, 2), ['/.trueslim/sensor', 'run', '--log', '/.trueslim/trace-exec-2.log', '--user', 'app', '--cpu', '1', '--', 'ls']);
  });
});

describe('app log demultiplexing', () => {
  const frame = (stream: number, text: string): Buffer => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };
  it('keeps stdout and stderr in order without headers', () => {
    assert.equal(demuxLogBuffer(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')])), 'out 1\nerr 1\nout 2\n');
  });
  it('returns TTY (unframed) output unchanged', () => {
    assert.equal(demuxLogBuffer(Buffer.from('plain tty output\n')), 'plain tty output\n');
    assert.equal(demuxLogBuffer(Buffer.alloc(0)), '');
  });
});

describe('line collection', () => {
  it('splits across chunks, strips CR, flushes the last line, keeps a tail', () => {
    const seen: string[] = [];
    const c = new LineCollector((l) => seen.push(l), 2);
    c.push('a\r\nb');
    c.push('c\nd');
    assert.deepEqual(seen, ['a', 'bc']);
    c.flush();
    assert.deepEqual(seen, ['a', 'bc', 'd']);
    assert.deepEqual(c.tail(), ['bc', 'd']);
  });
  it('outputNote prefers stderr', () => {
    const out = new LineCollector(() => undefined);
    const err = new LineCollector(() => undefined);
    out.push('stdout line\n');
    assert.equal(outputNote(out, err), ': stdout line');
    err.push('boom\n');
    assert.equal(outputNote(out, err), ': boom');
  });
});

describe('defaults and exit outcomes', () => {
  it('http on each exposed port, else a 5 s wait', () => {
    assert.deepEqual(defaultProbes([8080, 9090]), [
      { type: 'http', port: 8080, paths: ['/'] },
      { type: 'http', port: 9090, paths: ['/'] },
    ]);
    assert.deepEqual(defaultProbes([]), [{ type: 'wait', seconds: 5 }]);
  });
  it('a wait passes when the app exited 0, anything else fails with the code', () => {
    const ctx = { phase: 'verify' as const, exposedPorts: [80, 81] };
    const [wait0] = exitOutcomes({ type: 'wait', seconds: 5 }, ctx, 0, Date.now(), true);
    assert.equal(wait0.passed, true);
    const [wait1] = exitOutcomes({ type: 'wait' }, ctx, 1, Date.now(), false);
    assert.equal(wait1.passed, false);
    assert.match(wait1.message, /code 1/);
    const http = exitOutcomes({ type: 'http' }, ctx, 0, Date.now(), true);
    assert.deepEqual(http.map((o) => [o.name, o.passed]), [['http :80 GET /', false], ['http :81 GET /', false]]);
    assert.match(http[0].message, /exited with code 0 before this probe ran/);
    const [exec] = exitOutcomes({ type: 'exec', command: 'true' }, ctx, 137, Date.now(), false);
    assert.equal(exec.kind, 'exec');
    assert.match(exec.message, /code 137 while this probe ran/);
  });
});
