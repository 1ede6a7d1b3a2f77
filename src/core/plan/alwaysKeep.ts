/**
 * Kept in every slim image whether or not the trace saw them (README "Always kept"):
 * things an app needs only in situations a probe rarely triggers — a user lookup, a TLS
 * connection, a DNS resolution, a time-zone conversion — and the directories a running
 * container expects to exist.
 */
export const ALWAYS_KEEP_FILES: readonly string[] = [
  '/etc/passwd',
  '/etc/group',
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/nsswitch.conf',
  '/etc/host.conf',
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/etc/services',
  '/etc/protocols',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d/**',
  '/etc/ssl/certs/**',
  '/etc/ssl/openssl.cnf',
  '/etc/ca-certificates.conf',
  '/usr/share/ca-certificates/**',
  '/etc/pki/tls/certs/**',
  '/etc/pki/ca-trust/**',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/mime.types',
];

/** Directories kept (empty if nothing below them is kept). */
export const ALWAYS_KEEP_DIRS: readonly string[] = ['/tmp', '/var/tmp', '/run', '/dev', '/proc', '/sys', '/root'];
