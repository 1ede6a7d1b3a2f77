import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planKeepSet, type PackageFiles } from '../../src/core/plan/keepSet';
import { ACCESS_RULES, accessFiles, accessWarnings, removedConffiles } from '../../src/core/posture/accessControl';
import { securityPosture } from '../../src/core/posture/posture';
import type { TraceRecord } from '../../src/core/trace/traceLog';
import { fakeIndex } from './helpers/fakeIndex';

const exec = (path: string): TraceRecord => ({ op: 'exec', ok: true, path });

const image = () =>
  fakeIndex({
    '/': null,
    '/usr/': null,
    '/usr/sbin/': null,
    '/usr/sbin/apache2': 10,
    '/usr/sbin/sshd': 10,
    '/usr/sbin/php-fpm8.2': 10,
    '/usr/bin/': null,
    '/usr/bin/sudo': 10,
    '/usr/bin/php8.2': 10,
    '/usr/bin/nginx': 10,
    '/etc/': null,
    '/etc/apache2/': null,
    '/etc/apache2/apache2.conf': 10,
    '/etc/apache2/envvars': 10,
    '/etc/ssh/': null,
    '/etc/ssh/sshd_config': 10,
    '/etc/ssh/sshd_config.d/': null,
    '/etc/ssh/sshd_config.d/hardening.conf': 10,
    '/etc/sudoers': 10,
    '/etc/sudoers.d/': null,
    '/etc/sudoers.d/app': 10,
    '/etc/php/': null,
    '/etc/php/8.2/': null,
    '/etc/php/8.2/cli/': null,
    '/etc/php/8.2/cli/php.ini': 10,
    '/etc/php/8.2/fpm/': null,
    '/etc/php/8.2/fpm/php.ini': 10,
    '/etc/php/8.2/fpm/conf.d/': null,
    '/etc/php/8.2/fpm/conf.d/99-hardening.ini': 10,
    '/etc/nginx/': null,
    '/etc/nginx/nginx.conf': 10,
    '/etc/nginx/mime.types': 10,
    '/var/': null,
    '/var/www/': null,
    '/var/www/index.html': 10,
    '/var/www/private/': null,
    '/var/www/private/.htaccess': 10,
    '/var/www/private/report.pdf': 10,
    '/srv/': null,
    '/srv/auth/': null,
    '/srv/auth/.htpasswd': 10,
    '/srv/app/': null,
    '/srv/app/.user.ini': 10,
  });

const PACKAGES: Record<string, string[]> = {
  'deb:apache2-bin@2.4': ['/usr/sbin/apache2'],
  'deb:apache2@2.4': ['/etc/apache2/apache2.conf', '/etc/apache2/envvars'],
  'deb:nginx@1.22': ['/usr/bin/nginx', '/etc/nginx/nginx.conf', '/etc/nginx/mime.types'],
  'deb:openssh-server@9.2': ['/usr/sbin/sshd', '/etc/ssh/sshd_config'],
};
const packages: PackageFiles = {
  ownerOf: (path) => Object.entries(PACKAGES).find(([, files]) => files.includes(path))?.[0],
  filesOf: (id) => PACKAGES[id] ?? [],
};

describe('access-control and hardening files', () => {
  it('a kept Apache keeps every .htaccess and password file in the image, wherever it lies, in both keep modes', () => {
    for (const mode of ['files', 'packages'] as const) {
      const p = planKeepSet({ index: image(), records: [exec('/usr/sbin/apache2'), { op: 'open', ok: true, path: '/var/www/index.html' }], include: [], exclude: [], mode, packages });
      assert.equal(p.reasons.get('/var/www/private/.htaccess'), 'family', mode);
      assert.equal(p.reasons.get('/srv/auth/.htpasswd'), 'family', mode);
      assert.match(p.details.get('/var/www/private/.htaccess') ?? '', /^web server access files: /);
      if (mode === 'files') assert.equal(p.reasons.has('/var/www/private/report.pdf'), false, 'only the access files, not what they guard');
      assert.equal(p.reasons.has('/srv/app/.user.ini'), false, 'PHP-FPM is not kept: its per-folder file is inert');
    }
  });

  it('no web server kept: access files go like any untraced file', () => {
    const p = planKeepSet({ index: image(), records: [exec('/usr/bin/nginx')], include: [], exclude: [], mode: 'files', packages });
    assert.equal(p.reasons.has('/var/www/private/.htaccess'), false, 'nginx never reads .htaccess');
  });

  it('sshd keeps its drop-ins, sudo its policy, each PHP SAPI its own settings', () => {
    const p = planKeepSet({ index: image(), records: [exec('/usr/sbin/sshd'), exec('/usr/bin/sudo'), exec('/usr/sbin/php-fpm8.2')], include: [], exclude: [], mode: 'files', packages });
    for (const f of ['/etc/ssh/sshd_config.d/hardening.conf', '/etc/sudoers', '/etc/sudoers.d/app', '/etc/php/8.2/fpm/conf.d/99-hardening.ini', '/etc/php/8.2/cli/php.ini', '/srv/app/.user.ini']) {
      assert.equal(p.reasons.get(f), 'family', f);
    }
  });

  it("a used package keeps its configuration under /etc in files mode too (conffiles are read by name, some lazily)", () => {
    const p = planKeepSet({ index: image(), records: [exec('/usr/bin/nginx'), { op: 'open', ok: true, path: '/etc/nginx/nginx.conf' }], include: [], exclude: [], mode: 'files', packages });
    assert.equal(p.reasons.get('/etc/nginx/mime.types'), 'family');
    assert.match(p.details.get('/etc/nginx/mime.types') ?? '', /^package configuration: .*\(package deb:nginx@1\.22\)$/);
    assert.equal(p.reasons.has('/etc/apache2/envvars'), false, 'a package nobody used keeps nothing');
  });

  it('removing a fail-open file is an error with a Keep action; a fail-closed one a warning; an inert one nothing', () => {
    const index = image();
    const p = planKeepSet({
      index,
      records: [exec('/usr/sbin/apache2'), exec('/usr/bin/sudo'), exec('/usr/bin/nginx')],
      include: [],
      exclude: ['/var/www/private/.htaccess', '/srv/auth/.htpasswd', '/etc/sudoers.d/app', '/etc/nginx/mime.types'],
      mode: 'files',
      packages,
    });
    const files = accessFiles(index, p.reasons);
    assert.deepEqual(
      files.map((f) => `${f.path} ${f.kept ? 'kept' : 'removed'}`).sort(),
      ['/etc/sudoers kept', '/etc/sudoers.d/app removed', '/srv/auth/.htpasswd removed', '/var/www/private/.htaccess removed'],
      'PHP and sshd files are inert: their programs are not kept',
    );
    const warnings = accessWarnings(files, removedConffiles(index, p.reasons, packages), p.excluded);
    const by = (path: string) => warnings.find((w) => w.path === path);
    assert.equal(by('/var/www/private/.htaccess')?.code, 'TS140');
    assert.equal(by('/var/www/private/.htaccess')?.severity, 'error');
    assert.match(by('/var/www/private/.htaccess')!.message, /exclude rule \/var\/www\/private\/\.htaccess/);
    assert.deepEqual(by('/var/www/private/.htaccess')?.action, { kind: 'include-path', value: '/var/www/private/.htaccess' });
    assert.equal(by('/srv/auth/.htpasswd')?.severity, 'warning');
    assert.equal(by('/etc/sudoers.d/app')?.code, 'TS144');
    const conf = warnings.find((w) => w.code === 'TS145');
    assert.equal(conf?.package, 'deb:nginx@1.22');
    assert.match(conf!.message, /\/etc\/nginx\/mime\.types/);
    assert.equal(by('/etc/ssh/sshd_config.d/hardening.conf'), undefined, 'sshd is not in the slim image');
  });

  it('a removed sudoers drop-in that tightens Defaults is an error; one that only grants, a warning', () => {
    const index = image();
    const p = planKeepSet({ index, records: [exec('/usr/bin/sudo')], include: [], exclude: ['/etc/sudoers.d/app'], mode: 'files', packages });
    const files = accessFiles(index, p.reasons);
    const grant = accessWarnings(files, new Map(), p.excluded, new Map([['/etc/sudoers.d/app', 'deploy ALL=(root) NOPASSWD: /usr/bin/systemctl\n']]));
    assert.equal(grant.find((w) => w.path === '/etc/sudoers.d/app')?.severity, 'warning');
    const tighten = accessWarnings(files, new Map(), p.excluded, new Map([['/etc/sudoers.d/app', '# hardening\nDefaults use_pty\nDefaults:deploy !env_reset\n']]));
    const w = tighten.find((x) => x.path === '/etc/sudoers.d/app');
    assert.equal(w?.severity, 'error');
    assert.match(w!.message, /defaults it tightens are lifted/);
  });

  it('every rule has a stable code, a reason and a pattern that matches its own example', () => {
    const examples: Record<string, string> = {
      'per-folder access file': '/var/www/x/.htaccess',
      'web password file': '/etc/apache2/.htpasswd',
      'PHP per-folder settings': '/var/www/app/.user.ini',
      'SSH server drop-in': '/etc/ssh/sshd_config.d/10-no-root.conf',
      'interpreter settings': '/usr/local/etc/php/conf.d/security.ini',
      'sudo policy': '/etc/sudoers.d/deploy',
      'PAM policy': '/etc/security/limits.conf',
      'polkit rule': '/etc/polkit-1/rules.d/50-default.rules',
    };
    for (const r of ACCESS_RULES) {
      assert.match(r.code, /^TS14\d$/);
      assert.ok(r.why.length > 40, r.name);
      assert.ok(examples[r.name], `an example for ${r.name}`);
      assert.match(examples[r.name]!, r.files, r.name);
    }
  });

  it('the posture lists access-control files as protective, with the ones lost; an interactive image gets its note', () => {
    const index = image();
    const p = planKeepSet({ index, records: [exec('/usr/sbin/apache2')], include: [], exclude: ['/srv/auth/.htpasswd'], mode: 'files', packages });
    const posture = securityPosture(index, p.reasons, { interactive: true });
    const ac = posture.categories.find((c) => c.category === 'access-control')!;
    assert.equal(ac.protective, true);
    assert.equal(ac.before, 9, '.htaccess, .htpasswd, .user.ini, sshd drop-in, sudoers ×2, three PHP ini files');
    assert.deepEqual(ac.kept.map((k) => k.path), ['/var/www/private/.htaccess']);
    assert.ok(ac.removed?.includes('/srv/auth/.htpasswd'));
    assert.match(posture.note ?? '', /used interactively/);
    assert.equal(securityPosture(index, p.reasons).note, undefined);
  });
});
