import type { PostureCategory } from '../report/types';

/**
 * What counts as attack surface, one readable table with a reason per rule. Programs are
 * matched by name in the folders a shell searches; the rest by file mode and attributes.
 */
export interface PostureRule {
  category: PostureCategory;
  reason: string;
  /** Program names (basename) in a bin folder. */
  programs?: RegExp;
  /** Any path. */
  path?: RegExp;
}

export const BIN_DIR = /^\/(?:usr\/(?:local\/)?)?s?bin\/[^/]+$/;

export const POSTURE_RULES: readonly PostureRule[] = [
  { category: 'shells', reason: 'a shell turns any code execution into an interactive foothold', programs: /^(sh|bash|dash|ash|zsh|ksh|mksh|tcsh|csh|fish|busybox)$/ },
  { category: 'package-managers', reason: 'a package manager installs an attacker\'s tools in one command', programs: /^(apt|apt-get|dpkg|apk|rpm|yum|dnf|microdnf|zypper|pip[0-9.]*|npm|yarn|pnpm|gem|composer)$/ },
  { category: 'compilers-interpreters', reason: 'compilers and interpreters run code an attacker brings as text', programs: /^(gcc|cc|c\+\+|g\+\+|clang|rustc|go|javac|perl[0-9.]*|python[0-9.]*|ruby[0-9.]*|node|nodejs|php[0-9.]*|lua[0-9.]*|tclsh[0-9.]*)$/ },
  { category: 'network-tools', reason: 'network tools download payloads and move data out', programs: /^(curl|wget|nc|ncat|netcat|socat|telnet|ssh|scp|sftp|ftp|tftp|nmap|rsync)$/ },
  { category: 'debug-tools', reason: 'debuggers and tracers read and change other processes', programs: /^(gdb|strace|ltrace|tcpdump|perf|valgrind)$/ },
  { category: 'private-keys', reason: 'a private key in an image is readable by anyone who has the image', path: /(^\/etc\/ssl\/private\/[^/]+$|\/id_(rsa|dsa|ecdsa|ed25519)$|\.key$)/ },
];
