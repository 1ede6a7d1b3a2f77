/* TrueSlim sensor: shared declarations. Log format and command line: docs/design.md. */
#ifndef TRUESLIM_SENSOR_H
#define TRUESLIM_SENSOR_H

#define _GNU_SOURCE
#include <limits.h>
#include <sys/types.h>

#define PROG "trueslim-sensor"
/* The sensor itself failed before the app ran (usage, log file, USER, ptrace refused).
 * 126/127 stay reserved for "not executable"/"not found", as shells use them. */
#define EXIT_SENSOR 125
/* Room for a resolved path: a PATH_MAX base plus a PATH_MAX relative part. */
#define PATH_BUF (2 * PATH_MAX + 2)

enum op { OP_OPEN, OP_STAT, OP_READLINK, OP_EXEC, OP_CHDIR, OP_DIR, OP_CWD, OP_COUNT,
  /* Not recorded: a credential change (setuid…), after which the sensor makes the tracee
   * dumpable again (see inject_dumpable). */
  OP_CRED };

/* syscalls.c: what each traced syscall records, the seccomp filter, register access */
struct syscall_desc {
  long nr;
  enum op op;
  signed char dirfd_arg; /* argument holding the *at dirfd; -1: relative to the cwd */
  signed char path_arg;  /* argument holding the path; -1: getdents64, the fd in arg 0 */
  signed char flags_arg; /* argument holding AT_* flags, checked for AT_EMPTY_PATH; or -1 */
};
extern const struct syscall_desc syscalls[];
extern const int n_syscalls;
int install_filter(void);
/* Syscall arguments at a seccomp stop, or the return value at a syscall-exit stop. */
int read_regs(pid_t tid, unsigned long args[6], long *ret);
/* At a seccomp stop: the table index (SECCOMP_RET_DATA) and the arguments. */
int seccomp_stop_info(pid_t tid, unsigned long *idx, unsigned long args[6]);
/* Whether the call may create the path it names (O_CREAT and the like). */
int may_create(const struct syscall_desc *d, const unsigned long args[6]);
/* At a syscall-exit stop: the return value. */
int syscall_exit_result(pid_t tid, long *ret);
/* At a syscall-exit stop: makes the tracee run prctl(PR_SET_DUMPABLE, 1) next, saving its
 * registers in `saved` (INJECT_REGS_SIZE bytes); 0 when started, -1 when not possible. */
#define INJECT_REGS_SIZE 512
int inject_dumpable(pid_t tid, void *saved);
/* At the injected call's exit stop: puts the saved registers back. */
int restore_regs(pid_t tid, const void *saved);

/* log.c: de-duplicated, escaped records, written as they are found */
int log_open(const char *file);
int log_seen(enum op op, char result, const char *path);
int log_record(enum op op, char result, const char *path); /* 1 when the record is new */
void log_comment(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cpu.c: pins the caller (and what it forks) to the slot-th CPU it may use (modulo their
 * number); the CPU, or -1 when it stays unpinned (one CPU only, or refused). */
int pin_to_cpu(long slot);

/* paths.c: tracee memory, /proc lookups, lexical normalisation, exec closure */
int read_tracee_string(pid_t tid, unsigned long addr, char *buf, size_t size);
int fd_path(pid_t tid, int fd, char *buf, size_t size);
int resolve_path(pid_t tid, int dirfd, const char *rel, char *out, size_t size);
void record_exec_closure(pid_t tid, const char *path, int depth);

/* user.c: the image's USER, resolved against the container's /etc/passwd and /etc/group */
struct user_spec {
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  int ngroups;
  char home[PATH_MAX];
};
int resolve_user(const char *spec, struct user_spec *out);

#endif
