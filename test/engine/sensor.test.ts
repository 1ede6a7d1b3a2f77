import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BASE_IMAGE, docker, dockerStatus } from '../helpers/docker';
import { parseTraceLog } from '../../src/core/trace/traceLog';

/*
 * The sensor (sensor/*.c) in a real container: copied in (no bind mount), run as the
 * entrypoint as root with Docker's default seccomp profile and no added capability.
 */
const ROOT = resolve(__dirname, '..', '..');
const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
const LOADER = ARCH === 'arm64' ? '/lib/ld-linux-aarch64.so.1' : '/lib64/ld-linux-x86-64.so.2';
const LIBC = ARCH === 'arm64' ? '/lib/aarch64-linux-gnu/libc.so.6' : '/lib/x86_64-linux-gnu/libc.so.6';
const LABEL = 'trueslim.test=sensor';
const RUN_LABEL = `trueslim.test.run=${process.pid}`;
const LOG = '/.trueslim/trace.log';

const work = mkdtempSync(join(tmpdir(), 'trueslim-sensor-'));
const stage = join(work, 'stage');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  /** The raw log, one char per byte. */
  log: string;
  lines: string[];
}

function containers(): string[] {
  return docker('ps', '-aq', '--filter', `label=${LABEL}`, '--filter', `label=${RUN_LABEL}`).split('\n').filter(Boolean);
}

/** A stopped container whose entrypoint is the sensor, with the sensor copied in. */
function createTraced(sensorArgs: string[], createArgs: string[] = []): string {
  const id = docker('create', '--label', LABEL, '--label', RUN_LABEL, ...createArgs, '--entrypoint', '/.trueslim/sensor', BASE_IMAGE, 'run', '--log', LOG, ...sensorArgs);
  const cp = dockerStatus('cp', join(stage, '.trueslim'), `${id}:/`);
  assert.equal(cp.status, 0, cp.stderr);
  return id;
}

function readLog(id: string): string {
  const dir = mkdtempSync(join(work, 'log-'));
  const cp = dockerStatus('cp', `${id}:${LOG}`, dir);
  assert.equal(cp.status, 0, `no trace log: ${cp.stderr}`);
  const text = readFileSync(join(dir, 'trace.log')).toString('latin1');
  checkFormat(text);
  return text;
}

/** Every line follows docs/design.md, and no record appears twice. */
function checkFormat(text: string): void {
  assert.ok(text === '' || text.endsWith('\n'), 'log ends with a newline');
  const seen = new Set<string>();
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.startsWith('#')) continue;
    assert.match(line, /^(open|stat|readlink|exec|chdir|dir|cwd) [+-] \/([\x21-\x5b\x5d-\x7e]|\\x[0-9a-f]{2})*$/, `record format: ${JSON.stringify(line)}`);
    assert.ok(!seen.has(line), `record written once: ${line}`);
    seen.add(line);
  }
}

function trace(command: string[], options: { user?: string; workdir?: string; cpu?: number } = {}): Run {
  const args = [
    ...(options.user ? ['--user', options.user] : []),
    ...(options.workdir ? ['--workdir', options.workdir] : []),
    ...(options.cpu !== undefined ? ['--cpu', String(options.cpu)] : []),
    '--',
    ...command,
  ];
  const id = createTraced(args);
  try {
    const r = spawnSync('docker', ['start', '-a', id], { encoding: 'latin1', timeout: 120_000 });
    const status = Number(docker('inspect', '-f', '{{.State.ExitCode}}', id));
    const log = readLog(id);
    return { status, stdout: r.stdout, stderr: r.stderr, log, lines: log.split('\n') };
  } finally {
    docker('rm', '-f', id);
  }
}

function assertHas(run: Run, ...expected: string[]): void {
  for (const line of expected) assert.ok(run.lines.includes(line), `log has '${line}':\n${run.log}`);
}

function stops(log: string): number {
  return Number(/^# stops (\d+)$/m.exec(log)?.[1] ?? NaN);
}

async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sensor in a container', () => {
  before(() => {
    execFileSync('bash', [join(ROOT, 'scripts', 'build-sensor.sh')], { stdio: 'inherit' });
    mkdirSync(join(stage, '.trueslim'), { recursive: true });
    copyFileSync(join(ROOT, 'dist', 'sensor', `trueslim-sensor-linux-${ARCH}`), join(stage, '.trueslim', 'sensor'));
  });

  after(() => {
    for (const id of containers()) dockerStatus('rm', '-f', id);
    rmSync(work, { recursive: true, force: true });
    assert.deepEqual(containers(), []);
  });

  it('records the PATH-resolved exec, the ELF interpreter, libc and a listed directory (ls /etc)', () => {
    const run = trace(['ls', '/etc']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^passwd$/m);
    // execvp tries PATH in order: the misses are recorded as failed execs
    assertHas(run, 'exec - /usr/local/bin/ls', 'exec + /usr/bin/ls', `open + ${LOADER}`, `open + ${LIBC}`, 'dir + /etc', 'cwd + /');
    assert.equal(run.lines.at(-2), '# exit 0');
    assert.ok(stops(run.log) > 0, 'stops counted');
  });

  it('records stat of present (+) and missing (-) files, unresolved through symlinks', () => {
    const run = trace(['sh', '-c', 'test -e /etc/hostname && test ! -e /no/such/file && stat -L -c %s /etc/os-release']);
    assert.equal(run.status, 0, run.stderr);
    assertHas(run, 'stat + /etc/hostname', 'stat - /no/such/file', 'stat + /etc/os-release', 'exec + /usr/bin/stat');
    // /etc/os-release is a symlink to ../usr/lib/os-release: the host resolves links itself
    assert.ok(!run.log.includes('/usr/lib/os-release'), run.log);
  });

  it('records a path at entry only as the kind of file the call wants; a created file at its exit', () => {
    // readlink of a regular file fails (EINVAL), cd into a file fails (ENOTDIR): not "+" even
    // though the path exists; a file the call creates is "+" from the exit stop.
    // A missing file opened without O_CREAT cannot appear: "-" at entry. One opened for
    // writing (O_CREAT) is "+" once the call created it.
    const run = trace(['sh', '-c', 'readlink /etc/hostname; cd /etc/passwd 2>/dev/null; readlink /etc/os-release >/dev/null; cat /etc/no-such-file 2>/dev/null; echo x > /tmp/new-file; true']);
    assert.equal(run.status, 0, run.stderr);
    assertHas(run, 'readlink + /etc/os-release', 'open + /tmp/new-file', 'readlink - /etc/hostname', 'chdir - /etc/passwd', 'open - /etc/no-such-file');
    assert.ok(!run.lines.includes('readlink + /etc/hostname'), run.log);
    assert.ok(!run.lines.includes('chdir + /etc/passwd'), run.log);
    assert.ok(!run.lines.includes('open - /tmp/new-file'), run.log);
  });

  it('resolves relative paths through the cwd and *at dirfds through /proc', () => {
    const run = trace(['sh', '-c', 'cd /usr/share && cat ./doc/dpkg/copyright >/dev/null && du -a doc/dpkg >/dev/null && cd /usr/lib && cat ../share/doc/dpkg/AUTHORS >/dev/null']);
    assert.equal(run.status, 0, run.stderr);
    assertHas(
      run,
      'chdir + /usr/share',
      'open + /usr/share/doc/dpkg/copyright',
      'cwd + /usr/share', // du started there
      'dir + /usr/share/doc/dpkg',
      'stat + /usr/share/doc/dpkg/THANKS.gz', // du: newfstatat(dirfd, "THANKS.gz")
      'chdir + /usr/lib',
      'open + /usr/share/doc/dpkg/AUTHORS',
    );
    for (const line of run.lines.filter((l) => !l.startsWith('#') && l)) {
      assert.doesNotMatch(line, /\/\.{1,2}(\/|$)|\/\//, `normalised: ${line}`);
    }
  });

  it('--cpu pins the app and its children to one CPU of the allowed set, and still traces them', () => {
    const cpus = Number(docker('run', '--rm', '--entrypoint', 'nproc', BASE_IMAGE));
    const run = trace(['sh', '-c', 'nproc; cat /etc/hostname >/dev/null'], { cpu: 1 });
    assert.equal(run.status, 0, run.stderr);
    // nproc counts sched_getaffinity: the app sees one CPU (when the machine has several)
    assert.equal(Number(run.stdout.trim()), 1, `nproc under --cpu (machine: ${cpus})`);
    if (cpus > 1) assert.match(run.log, /^# cpu \d+$/m, 'the sensor says which CPU');
    assertHas(run, 'exec + /usr/bin/nproc', 'open + /etc/hostname');
    const free = trace(['nproc']);
    assert.equal(Number(free.stdout.trim()), cpus, 'without --cpu the app sees every CPU');
  });

  it('follows forks and execs (a pipeline)', () => {
    const run = trace(['sh', '-c', 'cat /etc/passwd | wc -l']);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Number(run.stdout.trim()) > 5, run.stdout);
    assertHas(run, 'exec + /usr/bin/sh', 'exec + /usr/bin/cat', 'exec + /usr/bin/wc', 'open + /etc/passwd');
  });

  it('runs the app as --user and still resolves its paths', () => {
    const run = trace(['sh', '-c', 'id -u; cd /etc && cat ./hostname >/dev/null && ls >/dev/null; echo "$HOME"'], { user: 'nobody' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['65534', '/nonexistent']);
    // the PATH search happens after the drop to nobody, before the first exec
    assertHas(run, 'exec - /usr/local/bin/sh', 'exec + /usr/bin/sh', 'exec + /usr/bin/id', 'open + /etc/hostname', 'dir + /etc', 'cwd + /etc');

    const numeric = trace(['id'], { user: '1234:5678', workdir: '/tmp' });
    assert.equal(numeric.status, 0, numeric.stderr);
    assert.match(numeric.stdout, /^uid=1234 gid=5678 groups=5678$/m);
    assertHas(numeric, 'chdir + /tmp', 'cwd + /tmp');

    const unknown = trace(['true'], { user: 'no-such-user' });
    assert.equal(unknown.status, 125);
    assert.match(unknown.stderr, /^trueslim-sensor: user no-such-user not found/m);
  });

  it('still records a process that drops privileges in-process, as server workers do (setuid without exec)', () => {
    // setuid makes a process non-dumpable, and the kernel then refuses the tracer its memory
    // and /proc links; the sensor has the process make itself dumpable again.
    const script = 'use POSIX; POSIX::setgid(65534); POSIX::setuid(65534); open(my $f, "<", "/etc/debian_version") or die; chdir "/usr/share" or die; opendir(my $d, "common-licenses") or die; readdir $d; print -e "/nowhere-after-drop" ? "yes" : "no", " $<\\n";';
    const run = trace(['perl', '-e', script]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'no 65534');
    assertHas(run, 'open + /etc/debian_version', 'stat - /nowhere-after-drop', 'dir + /usr/share/common-licenses');
  });

  it('exits with the app status, 128+signal, 127 and 126 like a shell', () => {
    const seven = trace(['sh', '-c', 'exit 7']);
    assert.equal(seven.status, 7);
    assert.equal(seven.lines.at(-2), '# exit 7');
    assert.equal(trace(['sh', '-c', 'kill -KILL $$']).status, 137);
    const missing = trace(['no-such-command']);
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /^trueslim-sensor: no-such-command: No such file or directory/m);
    assertHas(missing, 'exec - /usr/bin/no-such-command');
    const notExec = trace(['/etc/passwd']);
    assert.equal(notExec.status, 126);
    assert.match(notExec.stderr, /^trueslim-sensor: \/etc\/passwd: Permission denied/m);
  });

  it('forwards docker stop SIGTERM to the app and writes a complete log', async () => {
    const id = createTraced(['--', 'sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.1; done']);
    docker('start', id);
    // the log is written as records appear: it can be read while the app runs
    await waitFor('the sleep loop', () => dockerStatus('exec', id, 'cat', LOG).stdout.includes('exec + /usr/bin/sleep'));
    const started = Date.now();
    docker('stop', '-t', '20', id);
    const took = Date.now() - started;
    assert.equal(Number(docker('inspect', '-f', '{{.State.ExitCode}}', id)), 3);
    assert.ok(took < 5000, `stopped by SIGTERM, not by the SIGKILL after 20 s (${took} ms)`);
    const log = readLog(id);
    assert.match(log, /^exec \+ \/usr\/bin\/sleep$/m);
    assert.match(log, /# stops \d+\n# exit 3\n$/);
    docker('rm', '-f', id);

    // An app that ignores SIGTERM is killed after the timeout: what was seen is on disk.
    const stubborn = createTraced(['--', 'sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done']);
    docker('start', stubborn);
    await waitFor('the sleep loop', () => dockerStatus('exec', stubborn, 'cat', LOG).stdout.includes('exec + /usr/bin/sleep'));
    docker('stop', '-t', '1', stubborn);
    assert.equal(Number(docker('inspect', '-f', '{{.State.ExitCode}}', stubborn)), 137);
    assert.match(readLog(stubborn), /^open \+ \/lib\/x86_64-linux-gnu\/libc\.so\.6$|^open \+ \/lib\/aarch64-linux-gnu\/libc\.so\.6$/m);
    docker('rm', '-f', stubborn);
  });

  it('escapes a newline, a space, a backslash and a non-UTF-8 byte', () => {
    // printf turns \n, \377 and \\ into a newline, byte 0xff and a backslash
    const run = trace(['sh', '-c', String.raw`f=$(printf '/tmp/n\nl\377 \\x'); : >"$f" && cat "$f"`]);
    assert.equal(run.status, 0, run.stderr);
    assertHas(run, String.raw`open + /tmp/n\x0al\xff\x20\x5cx`);
    // and the engine's parser reads it back to the same bytes
    const parsed = parseTraceLog(run.log);
    assert.deepEqual(parsed.bad, []);
    assert.ok(parsed.records.some((r) => r.op === 'open' && r.ok && r.path === '/tmp/n\nl\xff \\x'), 'parsed back');
    assert.equal(parsed.exitStatus, 0);
  });

  it('measures the overhead (printed, not asserted)', () => {
    const script = 's=$(date +%s%N); for i in $(seq 20); do find /usr -type f | head -5000 | xargs cat >/dev/null; done; echo $(( ($(date +%s%N) - s) / 1000000 ))';
    const plain = docker('run', '--rm', '--label', LABEL, '--label', RUN_LABEL, '--entrypoint', 'sh', BASE_IMAGE, '-c', script);
    const traced = trace(['sh', '-c', script]);
    assert.equal(traced.status, 0, traced.stderr);
    const [u, t] = [Number(plain), Number(traced.stdout.trim())];
    const records = traced.lines.filter((l) => l && !l.startsWith('#')).length;
    console.log(`sensor overhead, 20 × find /usr | head -5000 | xargs cat: untraced ${u} ms, traced ${t} ms (${(t / u).toFixed(2)}×), ${stops(traced.log)} seccomp stops, ${records} records`);
  });
});
