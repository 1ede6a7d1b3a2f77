/* The image's USER (`name`, `uid`, `name:group`, `uid:gid`), resolved the way runc does
 * against the container's own /etc/passwd and /etc/group. Parsed by hand: getpwnam in a
 * static glibc wants NSS modules it cannot load. */
#include "sensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *file) {
  FILE *f = fopen(file, "re");
  if (!f) return NULL;
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len < 2) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (buf) buf[len] = 0;
  return buf;
}

/* Splits one line (ending at '\n' or NUL) into ':' fields; returns the next line. */
static char *fields(char *line, char **f, int max, int *count) {
  char *end = strchrnul(line, '\n'), *next = *end ? end + 1 : end;
  *end = 0;
  *count = 0;
  for (char *p = line; *count < max; p++) {
    f[(*count)++] = p;
    p = strchrnul(p, ':');
    if (!*p) break;
    *p = 0;
  }
  return next;
}

static int number(const char *s, unsigned long *v) {
  char *end;
  if (!*s || *s < '0' || *s > '9') return 0;
  *v = strtoul(s, &end, 10);
  return *end == 0;
}

static void add_group(struct user_spec *u, gid_t gid) {
  for (int i = 0; i < u->ngroups; i++)
    if (u->groups[i] == gid) return;
  u->groups = realloc(u->groups, sizeof *u->groups * (size_t)(u->ngroups + 1));
  if (!u->groups) abort();
  u->groups[u->ngroups++] = gid;
}

int resolve_user(const char *spec, struct user_spec *u) {
  char user[256], *group = NULL, name[256] = "", *f[7];
  unsigned long v, want;
  int n, found = 0, numeric;
  snprintf(user, sizeof user, "%s", spec);
  if ((group = strchr(user, ':'))) *group++ = 0;
  /* runc's defaults for a numeric uid that /etc/passwd does not list */
  u->uid = 0, u->gid = 0, u->groups = NULL, u->ngroups = 0;
  snprintf(u->home, sizeof u->home, "/");

  numeric = number(user, &want);
  char *passwd = slurp("/etc/passwd");
  for (char *line = passwd; line && *line && !found;) {
    line = fields(line, f, 7, &n);
    if (n < 7) continue;
    if (numeric ? number(f[2], &v) && v == want : strcmp(f[0], user) == 0) {
      found = 1;
      u->uid = (uid_t)strtoul(f[2], NULL, 10);
      u->gid = (gid_t)strtoul(f[3], NULL, 10);
      snprintf(u->home, sizeof u->home, "%s", f[5]);
      snprintf(name, sizeof name, "%s", f[0]);
    }
  }
  free(passwd);
  if (!found && !numeric) {
    fprintf(stderr, PROG ": user %s not found in /etc/passwd\n", user);
    return -1;
  }
  if (!found) u->uid = (uid_t)want;

  /* Supplementary groups only in the implicit form, as runc: `name:group` means exactly
   * that group. */
  if (group && number(group, &v)) {
    u->gid = (gid_t)v;
  } else {
    char *etc_group = slurp("/etc/group");
    int group_found = 0;
    for (char *line = etc_group; line && *line;) {
      line = fields(line, f, 4, &n);
      if (n < 4) continue;
      if (group) {
        if (strcmp(f[0], group) == 0 && !group_found) u->gid = (gid_t)strtoul(f[2], NULL, 10), group_found = 1;
        continue;
      }
      for (char *m = strtok(f[3], ","); m && *name; m = strtok(NULL, ","))
        if (strcmp(m, name) == 0) add_group(u, (gid_t)strtoul(f[2], NULL, 10));
    }
    free(etc_group);
    if (group && !group_found) {
      fprintf(stderr, PROG ": group %s not found in /etc/group\n", group);
      return -1;
    }
  }
  add_group(u, u->gid);
  return 0;
}
