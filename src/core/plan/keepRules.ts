import type { KeepMode } from '../report/types';

/**
 * Files programs load by name when a code path needs them, so a probe that did not take that
 * path leaves them out and the slim image fails later (docs: shared runtime-loading notes).
 * Each rule: when a kept path matches `when`, the slim image also keeps every path `keep`
 * names (`$1`… are `when`'s groups; `*` in the last part matches names in that folder),
 * whole trees for folders, through symlinks. One line of
 * reason per rule: it is shown in the report next to every file the rule kept.
 *
 * `modes`: where the rule applies (default: every keep mode). Rules limited to `packages`
 * treat a tree that no package manager owns (an interpreter built from source under
 * /usr/local, a JDK unpacked into /opt) like the package it would be.
 */
export interface FamilyRule {
  name: string;
  reason: string;
  when: RegExp;
  keep: string[];
  /**
   * Files kept wherever they lie in the image, by name (their last part): per-folder files a
   * server reads when a request first reaches that folder.
   */
  named?: RegExp;
  /** Paths below a kept tree that stay out (globs with `$1`…; `**` any depth). */
  except?: string[];
  modes?: KeepMode[];
}

const LIBDIR = '((?:/usr)?/lib(?:64|32)?(?:/[^/]+-linux-gnu[^/]*)?)';

/** Apache's server program, Debian's and the official image's: it reads the per-folder access files. */
export const APACHE_PROGRAM = /^(?:\/usr\/sbin\/(?:apache2|httpd)|\/usr\/local\/apache2\/bin\/httpd)$/;

export const FAMILY_RULES: readonly FamilyRule[] = [
  {
    name: 'time zones',
    reason: 'time-zone files are read per zone asked for (TZ, SET TimeZone, ZoneInfo); /etc/localtime is only the default one',
    when: /^\/usr\/share\/zoneinfo\//,
    keep: ['/usr/share/zoneinfo'],
  },
  {
    name: 'charset converters',
    reason: 'glibc iconv loads one gconv module per charset pair on first use (PHP iconv, PostgreSQL, Ruby)',
    when: /^(.*\/gconv)\//,
    keep: ['$1'],
  },
  {
    name: 'locales',
    reason: 'setlocale reads the locale archive or one folder per locale asked for',
    when: /^(\/usr\/lib\/locale)\//,
    keep: ['$1'],
  },
  {
    name: 'unwinder',
    reason: 'glibc dlopens libgcc_s.so.1 when a thread exits or is cancelled (pthread_exit), not at start',
    when: new RegExp(`^${LIBDIR}/libc\\.so\\.6$`),
    keep: ['$1/libgcc_s.so.1'],
  },
  {
    name: 'name service',
    reason: 'glibc dlopens the NSS modules nsswitch.conf names on the first user, group or host lookup',
    when: new RegExp(`^${LIBDIR}/libc\\.so\\.6$`),
    keep: ['$1/libnss_files.so.2', '$1/libnss_dns.so.2', '$1/libresolv.so.2', '$1/libnss_$nss.so.2'],
  },
  {
    name: 'OpenSSL modules',
    reason: 'OpenSSL 3 loads providers and engines (legacy, FIPS) and its configuration by name',
    when: new RegExp(`^${LIBDIR}/libcrypto\\.so\\.3$`),
    keep: ['$1/ossl-modules', '$1/engines-3', '/usr/lib/ssl', '/etc/ssl/openssl.cnf'],
  },
  {
    name: 'Python encodings',
    reason: 'Python imports one encodings module per codec on first use, CJK codecs with their C modules',
    when: /^(.*\/lib\/python3\.[0-9]+)\/encodings\//,
    keep: ['$1/encodings', '$1/lib-dynload/_codecs_*', '$1/lib-dynload/_multibytecodec*'],
  },
  {
    name: 'Ruby encodings',
    reason: 'Ruby loads enc/ and enc/trans/ converters per encoding on first use',
    when: /^(.*\/ruby\/[0-9][^/]*\/[^/]+)\/enc\//,
    keep: ['$1/enc'],
  },
  {
    name: 'JVM runtime files',
    reason: 'the JVM reads conf/ (java.security, logging.properties), lib/*.so and lib/tzdb.dat on first use of a feature',
    when: /^(.+)\/lib\/modules$/,
    keep: ['$1/conf', '$1/lib', '$1/release'],
    except: ['$1/lib/src.zip', '$1/lib/ct.sym'],
  },
  {
    name: 'PostgreSQL server files',
    reason: 'PostgreSQL loads conversions, extensions, text-search dictionaries and time-zone sets from $libdir and share/ on first use',
    when: /^\/usr\/lib\/postgresql\/([0-9]+)\/bin\/postgres$/,
    keep: ['/usr/lib/postgresql/$1/lib', '/usr/share/postgresql/$1'],
    except: ['/usr/share/postgresql/$1/man'],
  },
  {
    name: 'PHP extensions',
    reason: 'PHP loads the extensions its conf.d lists, and their ini files, at start of each SAPI',
    when: /^(\/usr\/lib\/php\/[0-9]+)\//,
    keep: ['$1'],
  },
  {
    name: 'Apache modules',
    reason: 'Apache loads modules named in mods-enabled, and apache2ctl reads its environment, by name',
    when: /^\/usr\/sbin\/apache2$/,
    keep: ['/etc/apache2', '/usr/lib/apache2/modules'],
  },
  {
    name: 'fonts',
    reason: 'fontconfig reads its configuration and scans the font folders when a program first measures or draws text',
    when: new RegExp(`^${LIBDIR}/libfontconfig\\.so\\.1$`),
    keep: ['/etc/fonts', '/usr/share/fontconfig', '/usr/share/fonts', '/var/cache/fontconfig'],
  },
  {
    name: 'JVM fonts',
    reason: 'the JVM dlopens libfontconfig by name the first time AWT or Java2D lays out text (images, PDFs, charts)',
    when: /^(.+)\/lib\/(?:libfontmanager|libawt_headless|libawt_xawt)\.so$/,
    keep: ['/usr/lib/*-linux-gnu*/libfontconfig.so.1', '/usr/lib64/libfontconfig.so.1', '/usr/lib/libfontconfig.so.1'],
  },
  {
    name: 'PAM modules',
    reason: 'PAM loads the modules /etc/pam.d names for each service on first authentication (su, login, sshd, cron)',
    when: new RegExp(`^${LIBDIR}/libpam\\.so\\.0$`),
    keep: ['$1/security', '/etc/pam.d', '/etc/security'],
  },
  {
    name: 'plugin folders',
    reason: 'image, media and auth libraries load one plugin per format or mechanism on first use (ImageMagick coders, GDK pixbuf loaders, GStreamer, Qt, SASL)',
    when: /^(.*\/(?:ImageMagick-[^/]+|gdk-pixbuf-2\.0|gstreamer-1\.0|qt[56]?\/plugins|sasl2))\//,
    keep: ['$1'],
  },
  // Access control and hardening: read lazily, and their absence fails open (defaults apply).
  {
    name: 'web server access files',
    reason: 'Apache reads .htaccess (and the password files it names) when a request first reaches that folder; without it the folder is public',
    when: APACHE_PROGRAM,
    keep: [],
    named: /^\.(?:htaccess|htpasswd|htgroup|htdigest)$/,
  },
  {
    name: 'PHP per-folder settings',
    reason: 'PHP-FPM and CGI read .user.ini in each folder a script runs from (open_basedir, disable_functions); without it the defaults apply',
    when: /^\/usr\/(?:s?bin)\/php-(?:fpm|cgi)[0-9.]*$|^\/usr\/local\/sbin\/php-fpm$/,
    keep: [],
    named: /^\.user\.ini$/,
  },
  {
    name: 'PHP settings',
    reason: 'each PHP SAPI (cli, fpm, apache2) reads its own php.ini and conf.d at start; one the probe did not start would fall back to built-in defaults',
    when: /^\/usr\/(?:bin\/php|sbin\/php-fpm|lib\/cgi-bin\/php|lib\/apache2\/modules\/libphp)([0-9]+\.[0-9]+)/,
    keep: ['/etc/php/$1'],
  },
  {
    name: 'sudo policy',
    reason: 'sudo reads /etc/sudoers and every drop-in of /etc/sudoers.d on each call; a missing drop-in can drop a restriction',
    when: /^\/usr\/bin\/sudo$/,
    keep: ['/etc/sudoers', '/etc/sudoers.d', '/etc/sudo.conf', '/usr/libexec/sudo', '/usr/lib/sudo'],
  },
  {
    name: 'SSH server settings',
    reason: 'sshd reads sshd_config.d drop-ins (PasswordAuthentication no, PermitRootLogin no) at start; without them the compiled-in defaults apply',
    when: /^\/usr\/sbin\/sshd$/,
    keep: ['/etc/ssh'],
  },
  {
    name: 'polkit rules',
    reason: 'polkitd reads its rules and actions when a program first asks for an authorization',
    when: /^\/usr\/lib\/polkit-1\/polkitd$|\/libpolkit-gobject-1\.so\.0$/,
    keep: ['/etc/polkit-1', '/usr/share/polkit-1'],
  },
  {
    name: 'package configuration',
    reason: 'a program reads its packaged configuration under /etc by name, some files only when a feature is first used; a missing conffile silently restores compiled-in defaults',
    when: /^\//,
    keep: ['$etc'],
  },
  // Trees no package manager owns, kept like the package they would be.
  {
    name: 'Python standard library',
    reason: 'an interpreter built from source imports its standard library lazily, module by module',
    when: /^(\/(?:usr\/local|opt\/[^/]+)\/lib\/python3\.[0-9]+)\/[^/]/,
    keep: ['$1'],
    except: ['$1/test', '$1/idlelib', '$1/tkinter', '$1/turtledemo', '$1/ensurepip', '$1/site-packages/**', '$1/dist-packages/**', '$1/config-*/*.a'],
    modes: ['packages'],
  },
  {
    name: 'Ruby standard library',
    reason: 'a Ruby built from source requires its standard library and encodings lazily',
    when: /^(\/(?:usr\/local|opt\/[^/]+)\/lib\/ruby\/[0-9][^/]*)\//,
    keep: ['$1'],
    modes: ['packages'],
  },
  {
    name: 'PHP built from source',
    reason: 'a PHP built from source loads its extensions and ini files by name',
    when: /^\/usr\/local\/(?:lib\/php\/|etc\/php\/|bin\/php$|sbin\/php-fpm$)/,
    keep: ['/usr/local/lib/php', '/usr/local/etc/php'],
    except: ['/usr/local/lib/php/test', '/usr/local/lib/php/doc'],
    modes: ['packages'],
  },
  {
    name: 'JDK unpacked from an archive',
    reason: 'a JDK outside the package manager is one unit: its libraries, conf and modules load on first use',
    when: /^(\/(?:opt|usr\/local)\/[^/]+(?:\/[^/]+)?)\/lib\/modules$/,
    keep: ['$1/bin', '$1/lib', '$1/conf', '$1/release', '$1/legal'],
    except: ['$1/lib/src.zip'],
    modes: ['packages'],
  },
];

/**
 * What a whole package keeps of itself: documentation, manual pages and message catalogues
 * are never loaded by a running server (licence files stay through the metadata policy).
 */
export const PACKAGE_SKIP: readonly RegExp[] = [
  /^\/usr\/share\/(doc|man|info|lintian|bug|doc-base|help|gtk-doc)\//,
  /^\/usr\/share\/locale\/[^/]+\/LC_MESSAGES\/[^/]+\.mo$/,
  /^\/usr\/share\/(bash-completion|zsh|fish)\//,
];
