/* Turning a tracee's path argument into the absolute path the log wants. */
#include "sensor.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

/* PTRACE_PEEKDATA needs only the ptrace attachment, so it works for any tracee. */
static int peek_string(pid_t tid, unsigned long addr, char *buf, size_t size) {
  for (size_t got = 0; got < size; got += sizeof(long)) {
    errno = 0;
    long word = ptrace(PTRACE_PEEKDATA, tid, addr + got, 0);
    if (errno) return -1;
    size_t n = size - got < sizeof word ? size - got : sizeof word;
    memcpy(buf + got, &word, n);
    if (memchr(&word, 0, n)) return 0;
  }
  return -1;
}

/* process_vm_readv copies a path in one call, but the kernel checks it like a fresh
 * ptrace attach by real uid: without CAP_SYS_PTRACE (not in Docker's default set) root
 * may not read a tracee that dropped to another USER, so fall back to PEEKDATA then.
 * Reads stop at 4 KiB boundaries so an unmapped page after the string does no harm. */
int read_tracee_string(pid_t tid, unsigned long addr, char *buf, size_t size) {
  size_t got = 0;
  while (got < size) {
    size_t chunk = 4096 - ((addr + got) & 4095);
    if (chunk > size - got) chunk = size - got;
    struct iovec local = {buf + got, chunk}, remote = {(void *)(addr + got), chunk};
    ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (n <= 0) return peek_string(tid, addr, buf, size);
    if (memchr(buf + got, 0, (size_t)n)) return 0;
    got += (size_t)n;
  }
  return -1; /* longer than PATH_MAX: the kernel refuses it too */
}

/* /proc/PID/cwd and /proc/PID/fd/N are readable only with ptrace "read" access, checked
 * against the reader's fsuid/fsgid. Root without CAP_SYS_PTRACE is refused for a tracee
 * running as another user, so on refusal the sensor takes the tracee's uid and gid as
 * its own fs ids (CAP_SETUID allows it) and keeps them: the next lookup is for the same
 * user nearly always. */
static uid_t fs_uid;
static gid_t fs_gid;

static int take_fs_ids_of(pid_t tid) {
  char file[64], text[4096];
  snprintf(file, sizeof file, "/proc/%d/status", tid);
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return 0;
  text[n] = 0;
  char *u = strstr(text, "\nUid:"), *g = strstr(text, "\nGid:");
  if (!u || !g) return 0;
  uid_t uid = (uid_t)strtoul(u + 5, NULL, 10);
  gid_t gid = (gid_t)strtoul(g + 5, NULL, 10);
  if (uid == fs_uid && gid == fs_gid) return 0; /* not an id problem: retrying won't help */
  setfsgid(gid);
  setfsuid(uid);
  fs_uid = uid, fs_gid = gid;
  return 1;
}

static ssize_t proc_readlink(pid_t tid, const char *what, char *buf, size_t size) {
  char link[64];
  snprintf(link, sizeof link, "/proc/%d/%s", tid, what);
  ssize_t n = readlink(link, buf, size - 1);
  if (n < 0 && (errno == EACCES || errno == EPERM) && take_fs_ids_of(tid)) n = readlink(link, buf, size - 1);
  if (n < 0 || (size_t)n >= size - 1) return -1;
  buf[n] = 0;
  return n;
}

/* The path of a tracee's fd (AT_FDCWD: its cwd). Pipes, sockets and anonymous inodes
 * have no path ("pipe:[123]") and are skipped. */
int fd_path(pid_t tid, int fd, char *buf, size_t size) {
  char what[32];
  if (fd == AT_FDCWD) snprintf(what, sizeof what, "cwd");
  else snprintf(what, sizeof what, "fd/%d", fd);
  return proc_readlink(tid, what, buf, size) < 0 || buf[0] != '/' ? -1 : 0;
}

/* Drop empty and "." components and apply ".." lexically, in place. This is not what
 * the kernel does after a symlink component ("/a/link/.." is the link target's parent,
 * not "/a"), but the log wants paths unresolved through symlinks on purpose: the host
 * resolves links against the image root and also keeps every parent directory, so a
 * lexical ".." at worst records a directory the app did not need. */
static void normalise(char *p) {
  char *out = p;
  const char *in = p;
  for (;;) {
    while (*in == '/') in++;
    if (!*in) break;
    const char *end = strchrnul(in, '/');
    size_t len = (size_t)(end - in);
    if (len == 1 && in[0] == '.') {
      /* nothing */
    } else if (len == 2 && in[0] == '.' && in[1] == '.') {
      while (out > p && *--out != '/') {
      }
    } else {
      *out++ = '/';
      memmove(out, in, len);
      out += len;
    }
    in = end;
  }
  if (out == p) *out++ = '/';
  *out = 0;
}

int resolve_path(pid_t tid, int dirfd, const char *rel, char *out, size_t size) {
  size_t base = 0, len = strlen(rel);
  if (rel[0] != '/') {
    if (fd_path(tid, dirfd, out, size) < 0) return -1;
    base = strlen(out);
  }
  if (base + len + 2 > size) return -1;
  out[base] = '/';
  memcpy(out + base + 1, rel, len + 1);
  normalise(out);
  return 0;
}

/* Files the kernel opens itself during execve, with no syscall to trace: the "#!"
 * interpreter of a script (scripts may chain, the kernel allows a few levels) and the
 * ELF interpreter named by PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2, which a
 * usr-merged image reaches through symlinks the host must keep. */
void record_exec_closure(pid_t tid, const char *path, int depth) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  union {
    char text[256];
    Elf64_Ehdr eh;
  } h;
  ssize_t n = pread(fd, h.text, sizeof h.text - 1, 0);
  char interp[PATH_MAX], abs[PATH_BUF];
  if (n > 2 && h.text[0] == '#' && h.text[1] == '!' && depth < 4) {
    h.text[n] = 0;
    char *s = h.text + 2 + strspn(h.text + 2, " \t");
    s[strcspn(s, " \t\r\n")] = 0;
    if (*s && resolve_path(tid, AT_FDCWD, s, abs, sizeof abs) == 0 && log_record(OP_EXEC, '+', abs))
      record_exec_closure(tid, abs, depth + 1);
  } else if (n >= (ssize_t)sizeof(Elf64_Ehdr) && memcmp(h.text, ELFMAG, SELFMAG) == 0 &&
             h.eh.e_ident[EI_CLASS] == ELFCLASS64) {
    for (int i = 0; i < h.eh.e_phnum; i++) {
      Elf64_Phdr ph;
      if (pread(fd, &ph, sizeof ph, (off_t)(h.eh.e_phoff + (Elf64_Off)i * h.eh.e_phentsize)) != sizeof ph) break;
      if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz > sizeof interp) continue;
      if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) break;
      interp[ph.p_filesz - 1] = 0;
      if (resolve_path(tid, AT_FDCWD, interp, abs, sizeof abs) == 0) log_record(OP_OPEN, '+', abs);
      break;
    }
  }
  close(fd);
}
