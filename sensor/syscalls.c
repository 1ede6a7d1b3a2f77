/* The recorded syscalls, the seccomp filter that stops the tracee only for them, and
 * register access. The table comes from the target's own <sys/syscall.h>, so the
 * aarch64 build naturally lacks open/creat/stat/lstat/access/readlink (it has only the
 * *at forms) and the x86_64 build has both. */
#include "sensor.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <elf.h>
#include <fcntl.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the filter reads the low half of 64-bit arguments at their start"
#endif

/* Numbers shared by every architecture since Linux 5.x; older headers may lack them. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "the sensor supports x86_64 and aarch64"
#endif

const struct syscall_desc syscalls[] = {
#ifdef SYS_open
    {SYS_open, OP_OPEN, -1, 0, -1},
#endif
#ifdef SYS_creat
    {SYS_creat, OP_OPEN, -1, 0, -1},
#endif
    {SYS_openat, OP_OPEN, 0, 1, -1},
    {SYS_openat2, OP_OPEN, 0, 1, -1},
#ifdef SYS_stat
    {SYS_stat, OP_STAT, -1, 0, -1},
#endif
#ifdef SYS_lstat
    {SYS_lstat, OP_STAT, -1, 0, -1},
#endif
#ifdef SYS_access
    {SYS_access, OP_STAT, -1, 0, -1},
#endif
    {SYS_newfstatat, OP_STAT, 0, 1, 3},
    {SYS_statx, OP_STAT, 0, 1, 2},
    {SYS_faccessat, OP_STAT, 0, 1, -1},
    {SYS_faccessat2, OP_STAT, 0, 1, -1},
#ifdef SYS_readlink
    {SYS_readlink, OP_READLINK, -1, 0, -1},
#endif
    {SYS_readlinkat, OP_READLINK, 0, 1, -1},
    {SYS_execve, OP_EXEC, -1, 0, -1},
    {SYS_execveat, OP_EXEC, 0, 1, -1},
    {SYS_chdir, OP_CHDIR, -1, 0, -1},
    {SYS_getdents64, OP_DIR, -1, -1, -1},
#ifdef SYS_getdents
    {SYS_getdents, OP_DIR, -1, -1, -1}, /* the old 32-bit dirent form some static binaries use */
#endif
#if defined(__x86_64__)
    /* A server that drops privileges in-process (Apache, nginx, PHP-FPM workers call
     * setuid without exec) becomes non-dumpable, and the kernel then refuses the tracer
     * its memory and /proc links: nothing it opens would be recorded. */
    {SYS_setuid, OP_CRED, -1, -1, -1},
    {SYS_setgid, OP_CRED, -1, -1, -1},
    {SYS_setreuid, OP_CRED, -1, -1, -1},
    {SYS_setregid, OP_CRED, -1, -1, -1},
    {SYS_setresuid, OP_CRED, -1, -1, -1},
    {SYS_setresgid, OP_CRED, -1, -1, -1},
    {SYS_setfsuid, OP_CRED, -1, -1, -1},
    {SYS_setfsgid, OP_CRED, -1, -1, -1},
#endif
};
const int n_syscalls = sizeof syscalls / sizeof syscalls[0];

/* SECCOMP_RET_TRACE carries the table index in its data, so the tracer reads it with
 * PTRACE_GETEVENTMSG instead of mapping syscall numbers back per architecture. */
int install_filter(void) {
  struct sock_filter f[8 + 5 * (sizeof syscalls / sizeof syscalls[0])];
  int k = 0;
  f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  /* Another ABI (i386 binaries on amd64) has other numbers: let it run untraced rather
   * than misread it. */
  f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
  f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
  /* x32 calls share AUDIT_ARCH_X86_64 but set bit 30; same reasoning as above. */
  f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
  f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
#endif
  for (int i = 0; i < n_syscalls; i++) {
    const struct syscall_desc *d = &syscalls[i];
    f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)d->nr, 0, d->flags_arg < 0 ? 1 : 4);
    if (d->flags_arg >= 0) {
      /* fstat() is fstatat(fd, "", AT_EMPTY_PATH) in glibc >= 2.33 and musl, statx(fd,
       * "", AT_EMPTY_PATH) in libuv and Rust: a third of all stops, about a file already
       * opened (and recorded). Let them run. The price: a call passing AT_EMPTY_PATH
       * with a non-empty path (legal, the path then counts as usual) is not recorded.
       * The flags are an int: the low 32 bits of the argument (little-endian). */
      f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (unsigned)d->flags_arg);
      f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH, 1, 0);
    }
    f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | (unsigned)i);
    if (d->flags_arg >= 0) f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog prog = {.len = (unsigned short)k, .filter = f};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

int read_regs(pid_t tid, unsigned long args[6], long *ret) {
#if defined(__x86_64__)
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return -1;
  args[0] = r.rdi, args[1] = r.rsi, args[2] = r.rdx, args[3] = r.r10, args[4] = r.r8, args[5] = r.r9;
  *ret = (long)r.rax;
#else
  struct user_regs_struct r;
  struct iovec iov = {&r, sizeof r};
  if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov) < 0) return -1;
  for (int i = 0; i < 6; i++) args[i] = r.regs[i];
  *ret = (long)r.regs[0]; /* x0 holds the return value at syscall exit */
#endif
  return 0;
}

/* PTRACE_GET_SYSCALL_INFO (Linux 5.3) gives the table index (SECCOMP_RET_DATA) and the
 * arguments, or the result, in one call, where GETEVENTMSG + GETREGS take two: a stop costs
 * the tracee every syscall the sensor makes meanwhile. Older kernels answer EIO once; then
 * the register calls it is. 1: `info` holds a stop of kind `op`; 0: use the register calls;
 * -1: the tracee is gone. */
static int no_syscall_info;

static int syscall_info(pid_t tid, unsigned char op, struct __ptrace_syscall_info *info) {
  if (no_syscall_info) return 0;
  long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof *info, info);
  if (n >= 0) return n > 0 && info->op == op;
  if (errno != EIO) return -1;
  no_syscall_info = 1;
  return 0;
}

int seccomp_stop_info(pid_t tid, unsigned long *idx, unsigned long args[6]) {
  struct __ptrace_syscall_info info;
  int got = syscall_info(tid, PTRACE_SYSCALL_INFO_SECCOMP, &info);
  if (got < 0) return -1;
  if (got) {
    *idx = info.seccomp.ret_data;
    for (int i = 0; i < 6; i++) args[i] = (unsigned long)info.seccomp.args[i];
    return 0;
  }
  long ret;
  if (ptrace(PTRACE_GETEVENTMSG, tid, 0, idx) < 0) return -1;
  return read_regs(tid, args, &ret);
}

int syscall_exit_result(pid_t tid, long *ret) {
  struct __ptrace_syscall_info info;
  int got = syscall_info(tid, PTRACE_SYSCALL_INFO_EXIT, &info);
  if (got < 0) return -1;
  if (got) {
    *ret = (long)info.exit.rval;
    return 0;
  }
  unsigned long args[6];
  return read_regs(tid, args, ret);
}

/* Whether the call may create the path it names: creat, open/openat with O_CREAT (or
 * O_TMPFILE), and openat2, whose flags sit in a struct the sensor does not read. Any
 * other call on a missing path fails without changing it. */
int may_create(const struct syscall_desc *d, const unsigned long args[6]) {
  if (d->op != OP_OPEN) return 0;
#ifdef SYS_creat
  if (d->nr == SYS_creat) return 1;
#endif
#ifdef SYS_open
  if (d->nr == SYS_open) return (args[1] & (O_CREAT | __O_TMPFILE)) != 0;
#endif
  if (d->nr == SYS_openat) return (args[2] & (O_CREAT | __O_TMPFILE)) != 0;
  return 1;
}

/* Syscall injection at a syscall-exit stop (the technique rr and strace's tampering use):
 * rewind the instruction pointer onto the `syscall` instruction just executed, load the
 * registers for prctl(PR_SET_DUMPABLE, 1) and resume: the tracee runs it, stops at its
 * entry and exit, and then gets its own registers back, the credential call's result
 * included. x86_64 only; elsewhere the tracee stays non-dumpable (and partly unrecorded). */
int inject_dumpable(pid_t tid, void *saved) {
#if defined(__x86_64__)
  _Static_assert(sizeof(struct user_regs_struct) <= INJECT_REGS_SIZE, "room for the registers");
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) return -1;
  /* The tracee's memory is what the kernel now refuses (PEEKTEXT too), so the 2-byte
   * `syscall` instruction cannot be checked: it is the only way a native 64-bit call gets
   * here (the filter lets other ABIs run untraced). */
  memcpy(saved, &r, sizeof r);
  r.rip -= 2;
  r.rax = SYS_prctl;
  r.rdi = PR_SET_DUMPABLE, r.rsi = 1, r.rdx = 0, r.r10 = 0, r.r8 = 0;
  return ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 ? -1 : 0;
#else
  (void)tid, (void)saved;
  return -1;
#endif
}

int restore_regs(pid_t tid, const void *saved) {
#if defined(__x86_64__)
  return ptrace(PTRACE_SETREGS, tid, 0, saved) < 0 ? -1 : 0;
#else
  (void)tid, (void)saved;
  return -1;
#endif
}

