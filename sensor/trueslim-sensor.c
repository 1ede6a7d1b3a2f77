/* TrueSlim sensor: the traced container's entrypoint. It starts the app under ptrace
 * with a seccomp filter that stops it only at file-path syscalls, and logs which paths
 * the app touched (format: docs/design.md).
 *
 *   trueslim-sensor run --log FILE [--user USER] [--workdir DIR] [--cpu SLOT] -- CMD [ARGS...]
 *
 * --cpu SLOT runs the sensor and everything it traces on one CPU: the SLOT-th (modulo their
 * number) of the CPUs the container may use. A ptrace stop then hands the CPU from tracee
 * to tracer and back without waking another core, which removes about half of what tracing
 * costs (rr runs everything on one core for the same reason). The price: the app sees one
 * CPU (sched_getaffinity) while it is traced.
 *
 * Runs as root without added capabilities. A tracee that changes its credentials in-process
 * (a server's workers calling setuid) is made dumpable again right after, by a
 * prctl(PR_SET_DUMPABLE, 1) the sensor has it run (x86_64): without it the kernel refuses
 * the sensor its path arguments. The app runs under no_new_privs and ptrace,
 * so setuid/setgid binaries (and file capabilities) do NOT gain privileges while traced:
 * an app that relies on `su`, `sudo` or `ping` behaves differently under the trace. */
#include "sensor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t app_pid;

/* As PID 1 the sensor gets signals no other process would (the kernel drops them for
 * init without a handler), so each one is passed on to the app's main process at once,
 * from the handler: kill() is async-signal-safe and nothing waits on the main loop. */
static void forward(int sig) {
  if (app_pid > 0) kill((pid_t)app_pid, sig);
}

/* What the sensor knows of one traced thread. A recorded syscall's result is only known
 * at its exit, so its path waits in `path` meanwhile. */
enum { IDLE, AWAIT_ENTRY, AWAIT_EXIT, INJECT_ENTRY, INJECT_EXIT };
struct tracee {
  pid_t tid;
  int state;
  enum op op;
  char *path;
  /* The registers to put back after an injected prctl (INJECT_*). */
  unsigned char saved[INJECT_REGS_SIZE] __attribute__((aligned(16)));
};
static struct tracee **tracees;
static size_t ntracees;
static int old_kernel;
static unsigned long stops;

static struct tracee *find(pid_t tid) {
  for (size_t i = 0; i < ntracees; i++)
    if (tracees[i]->tid == tid) return tracees[i];
  return NULL;
}

static struct tracee *add(pid_t tid) {
  struct tracee *t = calloc(1, sizeof *t);
  tracees = realloc(tracees, sizeof *tracees * (ntracees + 1));
  if (!t || !tracees) abort();
  t->tid = tid;
  return tracees[ntracees++] = t;
}

static void forget(struct tracee *t) {
  free(t->path);
  t->path = NULL;
  t->state = IDLE;
}

static void drop(pid_t tid) {
  for (size_t i = 0; i < ntracees; i++) {
    if (tracees[i]->tid != tid) continue;
    forget(tracees[i]);
    free(tracees[i]);
    tracees[i] = tracees[--ntracees];
    return;
  }
}

/* PTRACE_SYSCALL while a result is awaited (so the syscall-exit stop comes), PTRACE_CONT
 * otherwise (so the tracee runs free until the next seccomp stop). */
static void resume(struct tracee *t, int sig) {
  ptrace(t->state == IDLE ? PTRACE_CONT : PTRACE_SYSCALL, t->tid, 0, sig);
}

/* lstat of the path in the sensor's own mount namespace, the tracee's too (the sensor is
 * PID 1 of the container, and exec probes run through it in the same container), with the
 * tracee's fs ids once a refusal made the sensor take them (paths.c). A readlink wants a
 * symlink and chdir a directory (behind symlinks); stat, open and dir take anything.
 * FOUND: there, as the call wants it; WRONG_KIND: there, but the call fails on it;
 * MISSING: no such path (ENOENT, ENOTDIR); UNKNOWN: the sensor could not tell (EACCES:
 * the app, another user, may see what the sensor's fs ids do not). */
enum presence { FOUND, WRONG_KIND, MISSING, UNKNOWN };

static enum presence presence_of(enum op op, const char *path) {
  struct stat st;
  if (lstat(path, &st) < 0) return errno == ENOENT || errno == ENOTDIR ? MISSING : UNKNOWN;
  if (op == OP_READLINK) return S_ISLNK(st.st_mode) ? FOUND : WRONG_KIND;
  if (op == OP_CHDIR && !S_ISDIR(st.st_mode)) {
    if (!S_ISLNK(st.st_mode)) return WRONG_KIND;
    if (stat(path, &st) < 0) return errno == ENOENT || errno == ENOTDIR ? MISSING : UNKNOWN;
    return S_ISDIR(st.st_mode) ? FOUND : WRONG_KIND;
  }
  return FOUND;
}

static void on_seccomp(struct tracee *t) {
  unsigned long idx, a[6];
  static char raw[PATH_MAX], path[PATH_BUF];
  forget(t); /* nothing should be pending here; if an exit stop went missing, drop it */
  stops++;
  if (seccomp_stop_info(t->tid, &idx, a) < 0 || idx >= (unsigned long)n_syscalls) return;
  const struct syscall_desc *d = &syscalls[idx];
  if (d->op == OP_CRED) {
    /* Wait for its exit: if it changed the credentials, the tracee is dumpable again. */
    t->op = OP_CRED;
    t->state = old_kernel ? AWAIT_ENTRY : AWAIT_EXIT;
    return;
  }
  int dirfd = d->dirfd_arg < 0 ? AT_FDCWD : (int)a[d->dirfd_arg];
  if (d->path_arg < 0) {
    if (fd_path(t->tid, (int)a[0], path, sizeof path) < 0) return; /* getdents64: the listed dir */
  } else {
    if (read_tracee_string(t->tid, a[d->path_arg], raw, sizeof raw) < 0) return;
    if (!raw[0]) {
      /* AT_EMPTY_PATH: the call is about the fd itself, opened (and recorded) earlier;
       * only fexecve (execveat) names a file that way that is worth a record. */
      if (d->op != OP_EXEC || fd_path(t->tid, dirfd, path, sizeof path) < 0) return;
    } else if (resolve_path(t->tid, dirfd, raw, path, sizeof path) < 0) {
      return;
    }
  }
  /* Once a path is logged as succeeded, the result of later calls adds nothing the host
   * uses (a failed record only reports a path as missing, and this one was found):
   * skip the exit stop, which halves the stops of files used over and over. */
  if (log_seen(d->op, '+', path)) return;
  /* What the call will find is known before it runs, so the record is written at once,
   * without the exit stop (which costs as much as the seccomp stop itself): a path that
   * exists as the kind of file the call wants is a success (a call that still fails,
   * EACCES or EEXIST say, keeps a file the original image has, which changes nothing);
   * a missing path, or one of the wrong kind, a failure. Only three cases wait for the
   * result: a call that may create the path (O_CREAT), a path the sensor could not check,
   * and exec, whose closure (interpreters) is recorded at the exec event. */
  if (d->op != OP_EXEC) {
    enum presence p = presence_of(d->op, path);
    if (p == FOUND) {
      log_record(d->op, '+', path);
      return;
    }
    if (p == WRONG_KIND || (p == MISSING && !may_create(d, a))) {
      log_record(d->op, '-', path);
      return;
    }
  }
  t->op = d->op;
  if (!(t->path = strdup(path))) abort();
  /* Since Linux 4.8 the seccomp stop comes after the (skipped) syscall-entry stop, so
   * PTRACE_SYSCALL from here leads straight to the exit stop; older kernels stop at the
   * entry first. */
  t->state = old_kernel ? AWAIT_ENTRY : AWAIT_EXIT;
}

static void on_syscall_stop(struct tracee *t) {
  long ret;
  if (t->state == AWAIT_ENTRY) {
    t->state = AWAIT_EXIT;
    return;
  }
  if (t->state == INJECT_ENTRY) {
    t->state = INJECT_EXIT;
    return;
  }
  if (t->state == INJECT_EXIT) {
    if (restore_regs(t->tid, t->saved) < 0) log_comment("could not restore the registers of %d after prctl", t->tid);
    forget(t);
    return;
  }
  if (t->state == AWAIT_EXIT && t->op == OP_CRED) {
    /* A credential change made the tracee non-dumpable: have it undo that itself. */
    if (syscall_exit_result(t->tid, &ret) == 0 && ret >= 0 && inject_dumpable(t->tid, t->saved) == 0) {
      t->state = INJECT_ENTRY;
      return;
    }
    forget(t);
    return;
  }
  /* -ERESTARTSYS..-ERESTART_RESTARTBLOCK: interrupted by a signal, the kernel runs the
   * call again and it stops at seccomp again; the second result is the one that counts. */
  if (t->state == AWAIT_EXIT && syscall_exit_result(t->tid, &ret) == 0 && !(ret <= -512 && ret >= -516))
    log_record(t->op, ret < 0 ? '-' : '+', t->path);
  forget(t);
}

/* A successful execve reports PTRACE_EVENT_EXEC before its exit stop (a failed one only
 * reaches the exit stop). The tracee is resumed with PTRACE_CONT, so no exit stop follows. */
static void on_exec(struct tracee *t) {
  unsigned long former;
  static char cwd[PATH_BUF];
  /* A non-leader thread that execs takes over the leader's tid; its pending path moves
   * with it and the old tid is never reported again. */
  if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former) == 0 && (pid_t)former != t->tid) {
    struct tracee *old = find((pid_t)former);
    if (old) {
      forget(t);
      t->state = old->state, t->op = old->op, t->path = old->path;
      old->path = NULL;
      drop(old->tid);
    }
  }
  if (t->state != IDLE && t->op == OP_EXEC && log_record(OP_EXEC, '+', t->path))
    record_exec_closure(t->tid, t->path, 0);
  forget(t);
  if (fd_path(t->tid, AT_FDCWD, cwd, sizeof cwd) == 0) log_record(OP_CWD, '+', cwd);
}

static void on_stop(pid_t tid, int status) {
  int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
  struct tracee *t = find(tid);
  if (!t) {
    /* A new child or thread, traced automatically (TRACEFORK/VFORK/CLONE): it starts
     * with a SIGSTOP of ptrace's own, which must not reach it. It may report before
     * its parent's fork event does. */
    t = add(tid);
    if (sig == SIGSTOP && !event) {
      resume(t, 0);
      return;
    }
  }
  if (sig == SIGTRAP && event) {
    if (event == PTRACE_EVENT_SECCOMP) on_seccomp(t);
    else if (event == PTRACE_EVENT_EXEC) on_exec(t);
    resume(t, 0);
  } else if (sig == (SIGTRAP | 0x80)) {
    on_syscall_stop(t);
    resume(t, 0);
  } else {
    /* A signal for the tracee: deliver it. PTRACE_GETSIGINFO fails for a group-stop
     * (SIGSTOP/SIGTSTP took effect); the tracee is resumed, so job-control stops are
     * not honoured under the trace. */
    siginfo_t si;
    resume(t, ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0 ? 0 : sig);
  }
}

static void child(char **argv, const struct user_spec *u, const char *workdir) {
  const char *what = NULL;
  if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) what = "ptrace(PTRACE_TRACEME)";
  else if (raise(SIGSTOP) < 0) what = "raise(SIGSTOP)";
  /* no_new_privs lets an unprivileged process install a seccomp filter; it also keeps
   * setuid binaries from gaining privileges during the trace. */
  else if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) what = "prctl(PR_SET_NO_NEW_PRIVS)";
  else if (install_filter() < 0) what = "seccomp filter";
  else if (u && setgroups((size_t)u->ngroups, u->groups) < 0) what = "setgroups";
  else if (u && setgid(u->gid) < 0) what = "setgid";
  else if (u && setuid(u->uid) < 0) what = "setuid";
  /* Changing uid made the process non-dumpable, and the kernel then refuses the tracer
   * (PEEKDATA, /proc/PID/cwd) until execve: the PATH search would go unrecorded. */
  else if (u && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) what = "prctl(PR_SET_DUMPABLE)";
  if (what) {
    fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
    _exit(EXIT_SENSOR);
  }
  /* Docker set HOME for the root user the container runs as; the app runs as USER. */
  const char *home = getenv("HOME");
  if (u && (!home || strcmp(home, "/root") == 0)) setenv("HOME", u->home, 1);
  if (workdir && chdir(workdir) < 0) {
    fprintf(stderr, PROG ": chdir %s: %s\n", workdir, strerror(errno));
    _exit(EXIT_SENSOR);
  }
  execvp(argv[0], argv);
  int e = errno;
  fprintf(stderr, PROG ": %s: %s\n", argv[0], strerror(e));
  _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

static void usage(void) {
  fprintf(stderr, "usage: " PROG " run --log FILE [--user USER] [--workdir DIR] [--cpu SLOT] -- CMD [ARGS...]\n");
  exit(EXIT_SENSOR);
}

static int kernel_before(int major, int minor) {
  struct utsname un;
  int ma = 0, mi = 0;
  if (uname(&un) < 0 || sscanf(un.release, "%d.%d", &ma, &mi) != 2) return 0;
  return ma < major || (ma == major && mi < minor);
}

int main(int argc, char **argv) {
  const char *log = NULL, *user = NULL, *workdir = NULL;
  long cpu_slot = -1;
  int i = 2;
  if (argc < 2 || strcmp(argv[1], "run") != 0) usage();
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--log") == 0) log = argv[i + 1];
    else if (strcmp(argv[i], "--user") == 0) user = argv[i + 1];
    else if (strcmp(argv[i], "--workdir") == 0) workdir = argv[i + 1];
    else if (strcmp(argv[i], "--cpu") == 0) {
      char *end;
      cpu_slot = strtol(argv[i + 1], &end, 10);
      if (*end || cpu_slot < 0) usage();
    } else usage();
  }
  if (!log || i + 1 >= argc) usage();
  char **cmd = argv + i + 1;

  if (log_open(log) < 0) {
    fprintf(stderr, PROG ": cannot open log %s: %s\n", log, strerror(errno));
    return EXIT_SENSOR;
  }
  /* Resolved before the fork so the sensor's own reads of /etc/passwd are not traced. */
  struct user_spec u;
  if (user && *user && resolve_user(user, &u) < 0) {
    log_comment("exit %d", EXIT_SENSOR);
    return EXIT_SENSOR;
  }
  old_kernel = kernel_before(4, 8);
  if (cpu_slot >= 0) {
    int cpu = pin_to_cpu(cpu_slot);
    if (cpu >= 0) log_comment("cpu %d", cpu);
  }

  /* Installed before the fork so there is no moment where PID 1 ignores SIGTERM; the
   * child's copy has app_pid 0 and does nothing, and execve resets it. */
  static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  struct sigaction sa = {.sa_handler = forward};
  sigemptyset(&sa.sa_mask);
  for (size_t k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++) sigaction(forwarded[k], &sa, NULL);

  pid_t pid = fork();
  if (pid < 0) {
    perror(PROG ": fork");
    return EXIT_SENSOR;
  }
  if (pid == 0) child(cmd, user && *user ? &u : NULL, workdir);
  app_pid = pid;

  int status;
  while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
  }
  if (!WIFSTOPPED(status)) { /* the child could not set up the trace and said why */
    log_comment("exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SENSOR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SENSOR;
  }
  /* EXITKILL: if the sensor dies, nothing keeps running untraced (and, seccomp
   * returning TRACE with no tracer, with its file syscalls failing). */
  long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                 PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
  if (ptrace(PTRACE_SETOPTIONS, pid, 0, options) < 0) {
    perror(PROG ": ptrace(PTRACE_SETOPTIONS)");
    kill(pid, SIGKILL);
    return EXIT_SENSOR;
  }
  resume(add(pid), 0);

  /* Init-like: every child is reaped (waitpid(-1) also collects orphans reparented to
   * PID 1), and the sensor exits when the app's main process does, with its status.
   * Processes still running then are killed (EXITKILL; the kernel kills a PID
   * namespace whose init exits), as Docker does when a container's main process ends. */
  int exit_status = EXIT_SENSOR;
  for (;;) {
    pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: cannot happen while the main process lives */
    }
    if (WIFSTOPPED(status)) {
      on_stop(tid, status);
    } else if (WIFEXITED(status) || WIFSIGNALED(status)) {
      drop(tid);
      if (tid == pid) {
        exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
    }
  }
  log_comment("stops %lu", stops);
  log_comment("exit %d", exit_status);
  return exit_status;
}
