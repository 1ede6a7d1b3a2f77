import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tempTree } from './helpers/tempTree';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../src/core/errors';
import { commandArgv, dependencyOrder, durationNs, effectiveCommand, insideProject, parseComposeModel, shellSplit } from '../../src/core/compose/model';
import { findComposeCli, loadComposeProject } from '../../src/core/compose/cli';
import { locateInCompose } from '../../src/core/compose/locate';
import { composeOverride } from '../../src/core/compose/override';

const { root, write } = tempTree('trueslim-compose-');

/** What `docker-compose config` 1.29 prints (YAML, short volume syntax, string command). */
const V1_OUTPUT = `
services:
  cache:
    command: redis-server --bind 0.0.0.0 --save ""
    image: redis:local
  db:
    environment:
      POSTGRES_PASSWORD: bakery
      EMPTY: null
    healthcheck:
      interval: 1m30s
      retries: 5
      start_period: 500ms
      test:
      - CMD
      - pg_isready
      timeout: 3s
    image: pg:local
    ports:
    - published: 5432
      target: 5432
    volumes:
    - dbdata:/var/lib/postgresql/data:rw
  web:
    build:
      args:
        BASE: base:1
      context: /p/web
      dockerfile: Dockerfile.prod
      target: final
    depends_on:
      cache:
        condition: service_started
      db:
        condition: service_healthy
    entrypoint: /entry.sh
    environment:
      PORT: 8080
    user: '1000'
    volumes:
    - /p/web/static:/srv/static:ro
    - /etc/passwd:/host-passwd:rw
    - /cache
    working_dir: /app
version: '3.9'
volumes:
  dbdata: {}
`;

/** What `docker compose config --format json` (v2) prints: long volume syntax, argv commands. */
const V2_OUTPUT = {
  name: 'Shop',
  services: {
    web: {
      image: 'shop:1',
      command: ['python3', 'app.py'],
      environment: { A: '1', B: null },
      depends_on: { db: { condition: 'service_completed_successfully', required: true } },
      volumes: [
        { type: 'bind', source: '/p/conf', target: '/conf', read_only: true },
        { type: 'volume', source: 'data', target: '/data' },
      ],
      healthcheck: { test: 'curl -f localhost', interval: '2s' },
      tmpfs: ['/run'],
    },
    db: { image: 'pg:1', depends_on: ['init'] },
    init: { image: 'busybox:1', healthcheck: { disable: true } },
  },
};

describe('compose model', () => {
  it('reads docker-compose 1.29 config output', () => {
    const p = parseComposeModel(parseYaml(V1_OUTPUT), ['/p/compose.yaml'], {});
    assert.equal(p.name, 'p');
    assert.equal(p.projectDir, '/p');
    const web = p.services.get('web')!;
    assert.deepEqual(web.build, { context: '/p/web', dockerfile: '/p/web/Dockerfile.prod', args: { BASE: 'base:1' }, target: 'final', secrets: [] });
    assert.deepEqual(web.entrypoint, ['/entry.sh']);
    assert.equal(web.command, undefined);
    assert.equal(web.user, '1000');
    assert.equal(web.workingDir, '/app');
    assert.deepEqual(web.environment, ['PORT=8080']);
    assert.deepEqual(web.dependsOn, [
      { service: 'cache', condition: 'service_started' },
      { service: 'db', condition: 'service_healthy' },
    ]);
    assert.deepEqual(web.mounts, [
      { type: 'bind', source: '/p/web/static', target: '/srv/static', readOnly: true },
      { type: 'bind', source: '/etc/passwd', target: '/host-passwd', readOnly: false },
      { type: 'volume', source: '', target: '/cache', readOnly: false },
    ]);
    const db = p.services.get('db')!;
    assert.deepEqual(db.environment, ['POSTGRES_PASSWORD=bakery'], 'a variable without a value is left out');
    assert.deepEqual(db.healthcheck, { test: ['CMD', 'pg_isready'], intervalNs: 90e9, timeoutNs: 3e9, startPeriodNs: 500e6, retries: 5 });
    assert.deepEqual(db.ignored, ['ports']);
    assert.deepEqual(db.mounts, [{ type: 'volume', source: 'dbdata', target: '/var/lib/postgresql/data', readOnly: false }]);
    assert.deepEqual(p.services.get('cache')!.command, ['redis-server', '--bind', '0.0.0.0', '--save', '']);
  });

  it('reads docker compose v2 JSON output', () => {
    const p = parseComposeModel(V2_OUTPUT, ['/p/compose.yaml', '/p/compose.override.yaml'], {});
    assert.equal(p.name, 'shop');
    const web = p.services.get('web')!;
    assert.deepEqual(web.command, ['python3', 'app.py']);
    assert.deepEqual(web.environment, ['A=1']);
    assert.deepEqual(web.dependsOn, [{ service: 'db', condition: 'service_completed_successfully' }]);
    assert.deepEqual(web.mounts, [
      { type: 'bind', source: '/p/conf', target: '/conf', readOnly: true },
      { type: 'volume', source: 'data', target: '/data', readOnly: false },
      { type: 'tmpfs', source: '', target: '/run', readOnly: false },
    ]);
    assert.deepEqual(web.healthcheck, { test: ['CMD-SHELL', 'curl -f localhost'], intervalNs: 2e9 });
    assert.deepEqual(p.services.get('db')!.dependsOn, [{ service: 'init', condition: 'service_started' }]);
    assert.deepEqual(p.services.get('init')!.healthcheck, { test: ['NONE'] });
  });

  it('takes COMPOSE_PROJECT_NAME when compose gives no name', () => {
    assert.equal(parseComposeModel(parseYaml(V1_OUTPUT), ['/p/compose.yaml'], { COMPOSE_PROJECT_NAME: 'My.Shop' }).name, 'myshop');
  });

  it('refuses a project without services', () => {
    assert.throws(() => parseComposeModel({ services: {} }, ['/p/compose.yaml'], {}), UsageError);
  });

  it('splits command strings as compose does (shell words, no expansion)', () => {
    assert.deepEqual(shellSplit(`sh -c 'echo "$HOME" done' "a b" c\\ d ""`), ['sh', '-c', 'echo "$HOME" done', 'a b', 'c d', '']);
    assert.deepEqual(commandArgv(['a', 'b c']), ['a', 'b c']);
    assert.equal(commandArgv(undefined), undefined);
    assert.throws(() => shellSplit(`echo 'open`), UsageError);
  });

  it('reads compose durations', () => {
    assert.equal(durationNs('1m30s'), 90e9);
    assert.equal(durationNs('250ms'), 250e6);
    assert.equal(durationNs('1h'), 3600e9);
    assert.equal(durationNs(5), 5);
    assert.equal(durationNs('soon'), undefined);
  });

  it('applies compose override rules to the image command', () => {
    assert.deepEqual(effectiveCommand({ command: ['b'] }, ['/entry'], ['a']), ['/entry', 'b']);
    assert.deepEqual(effectiveCommand({ entrypoint: ['/x'] }, ['/entry'], ['a']), ['/x'], 'a new entrypoint drops the image CMD');
    assert.deepEqual(effectiveCommand({ entrypoint: ['/x'], command: ['y'] }, ['/entry'], ['a']), ['/x', 'y']);
    assert.deepEqual(effectiveCommand({}, ['/entry'], ['a']), ['/entry', 'a']);
  });

  it('keeps only binds inside the project folder', () => {
    assert.ok(insideProject('/p', '/p/web/static'));
    assert.ok(!insideProject('/p', '/etc/passwd'));
    assert.ok(!insideProject('/p', '/p2/x'));
  });
});

describe('dependency order', () => {
  const project = (services: Record<string, unknown>) => parseComposeModel({ services }, ['/p/compose.yaml'], {});

  it('starts dependencies first, transitively, and leaves unrelated services out', () => {
    const p = project({
      web: { image: 'w', depends_on: { db: { condition: 'service_healthy' }, cache: {} } },
      db: { image: 'd', depends_on: ['migrate-volume'] },
      'migrate-volume': { image: 'm' },
      cache: { image: 'c' },
      adminer: { image: 'a', depends_on: ['db'] },
    });
    assert.deepEqual(dependencyOrder(p, 'web').map((s) => s.name), ['cache', 'migrate-volume', 'db']);
    assert.deepEqual(dependencyOrder(p, 'db').map((s) => s.name), ['migrate-volume']);
    assert.deepEqual(dependencyOrder(p, 'web', ['adminer', 'web']).map((s) => s.name), ['cache', 'migrate-volume', 'db', 'adminer'], 'runServices are started too');
  });

  it('names a cycle', () => {
    const p = project({ a: { image: 'a', depends_on: ['b'] }, b: { image: 'b', depends_on: ['a'] } });
    assert.throws(() => dependencyOrder(p, 'a'), (e: unknown) => e instanceof UsageError && /cycle: a → b → a/.test(e.message));
  });

  it('names a dependency the project does not define', () => {
    const p = project({ a: { image: 'a', depends_on: ['ghost'] } });
    assert.throws(() => dependencyOrder(p, 'a'), (e: unknown) => e instanceof UsageError && /"a" depends on "ghost"/.test(e.message) && /Services: a/.test(e.hint ?? ''));
  });
});

describe('compose override', () => {
  it('runs the slim image and changes nothing else', () => {
    const text = composeOverride({ files: ['/p/compose.yaml', '/p/compose.dev.yaml'], service: 'web', slimImage: 'shop-web:latest-slim', outputPath: '/p/.trueslim/compose.slim.yaml' });
    assert.deepEqual(parseYaml(text), { services: { web: { image: 'shop-web:latest-slim', pull_policy: 'never' } } });
    assert.match(text, /docker compose -f \.\.\/compose\.yaml -f \.\.\/compose\.dev\.yaml -f compose\.slim\.yaml up --no-build/);
  });
});

describe('locating keys in compose files', () => {
  it('gives file:line:column, the last file that defines the key winning', () => {
    const a = write('loc/compose.yaml', 'services:\n  web:\n    image: a\n  db:\n    image: pg\n');
    const b = write('loc/compose.override.yaml', 'services:\n\n  db:\n    image: pg:15\n');
    assert.equal(locateInCompose([a, b], ['services', 'db', 'image']), `${b}:4:5`);
    assert.equal(locateInCompose([a, b], ['services', 'web', 'image']), `${a}:3:5`);
    assert.equal(locateInCompose([a, b], ['services', 'web', 'build']), `${a}:2:3`, 'the deepest key written');
  });
});

describe('the real compose implementation', async () => {
  const cli = await findComposeCli();
  const skip = cli ? false : 'no compose implementation here (scripts/setup.sh installs one)';

  it('resolves interpolation, .env, env_file and extends as compose does', { skip }, async () => {
    write('real/.env', 'DB_NAME=shop\n');
    write('real/web.env', 'FROM_FILE=yes\n');
    write('real/base.yaml', 'services:\n  base:\n    image: base:1\n    environment:\n      INHERITED: "1"\n');
    const file = write(
      'real/compose.yaml',
      'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n    env_file: web.env\n    environment:\n      URL: postgresql://db/${DB_NAME}\n      PORT: ${PORT:-8080}\n    depends_on: [db]\n  db:\n    image: pg:1\n',
    );
    const p = await loadComposeProject([file], { ...process.env, PORT: '' });
    const web = p.services.get('web')!;
    assert.equal(web.image, 'base:1');
    assert.deepEqual([...web.environment].sort(), ['FROM_FILE=yes', 'INHERITED=1', 'PORT=8080', 'URL=postgresql://db/shop']);
    assert.deepEqual(web.dependsOn, [{ service: 'db', condition: 'service_started' }]);
  });

  it('merges several files in order', { skip }, async () => {
    const a = write('multi/compose.yaml', 'services:\n  web:\n    image: a:1\n    command: ["a"]\n');
    const b = write('multi/compose.prod.yaml', 'services:\n  web:\n    image: b:2\n');
    const web = (await loadComposeProject([a, b])).services.get('web')!;
    assert.equal(web.image, 'b:2');
    assert.deepEqual(web.command, ['a']);
  });

  it("reports a malformed file with compose's own words: file and line", { skip }, async () => {
    const file = write('bad/compose.yaml', 'services:\n  web:\n    image: x\n   bad: [\n');
    await assert.rejects(loadComposeProject([file]), (e: unknown) => e instanceof UsageError && e.message.includes('compose.yaml') && /line \d+/.test(e.message) && /Fix the compose file/.test(e.hint ?? ''));
  });

  it('says what to install when there is no compose implementation', async () => {
    const file = write('none/compose.yaml', 'services:\n  web:\n    image: x\n');
    await assert.rejects(loadComposeProject([file], { ...process.env, TRUESLIM_COMPOSE_CLI: '' }), (e: unknown) => e instanceof UsageError && /no compose implementation/.test(e.message) && /apt-get install docker-compose/.test(e.hint ?? ''));
  });
});
