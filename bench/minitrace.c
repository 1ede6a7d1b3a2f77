/* The floor of ptrace-based tracing, for the benchmark (bench/trace.ts), not shipped.
 *
 *   minitrace filter [--cpu SLOT] -- CMD [ARGS...]   the sensor's own seccomp filter (sensor/syscalls.c),
 *                                       and at every stop nothing but PTRACE_CONT: no
 *                                       register read, no path read, no log
 *   minitrace all -- CMD [ARGS...]      a filter that stops at EVERY syscall: the count of
 *                                       syscalls the command runs (and the cost of tracing
 *                                       the way slimmers that stop at every syscall do)
 *
 * Prints "minitrace stops N" on stderr when the command's main process exits, and exits
 * with its status. Built static next to the sensor: gcc -static -O2 -I sensor
 * bench/minitrace.c sensor/syscalls.c. */
#include "sensor.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int install_trace_all(void) {
  struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE)};
  struct sock_fprog prog = {.len = 1, .filter = f};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

int main(int argc, char **argv) {
  int cmd = 3;
  if (argc >= 5 && strcmp(argv[2], "--cpu") == 0) {
    pin_to_cpu(atol(argv[3])); /* as the sensor's --cpu does */
    cmd = 5;
  }
  if (argc <= cmd || strcmp(argv[cmd - 1], "--") != 0 || (strcmp(argv[1], "filter") != 0 && strcmp(argv[1], "all") != 0)) {
    fprintf(stderr, "usage: minitrace filter|all [--cpu SLOT] -- CMD [ARGS...]\n");
    return 125;
  }
  int all = strcmp(argv[1], "all") == 0;
  pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || raise(SIGSTOP) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        (all ? install_trace_all() : install_filter()) < 0) {
      perror("minitrace: setup");
      _exit(125);
    }
    execvp(argv[cmd], argv + cmd);
    perror("minitrace: exec");
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, __WALL) < 0 || !WIFSTOPPED(status)) return 125;
  long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                 PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  if (ptrace(PTRACE_SETOPTIONS, pid, 0, options) < 0) return 125;
  ptrace(PTRACE_CONT, pid, 0, 0);
  unsigned long stops = 0;
  int exit_status = 125;
  for (;;) {
    pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (WIFSTOPPED(status)) {
      int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
      if (sig == SIGTRAP && event) {
        if (event == PTRACE_EVENT_SECCOMP) stops++;
        ptrace(PTRACE_CONT, tid, 0, 0);
      } else if (sig == SIGSTOP && !event) {
        ptrace(PTRACE_CONT, tid, 0, 0); /* a new child's initial stop, or a real SIGSTOP */
      } else {
        ptrace(PTRACE_CONT, tid, 0, sig);
      }
    } else if ((WIFEXITED(status) || WIFSIGNALED(status)) && tid == pid) {
      exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
  }
  fprintf(stderr, "minitrace stops %lu\n", stops);
  return exit_status;
}
