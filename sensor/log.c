/* The trace log: one `<op> <result> <path>` line per distinct record (docs/design.md).
 * Each new record is written with its own write() on an O_APPEND descriptor, right away:
 * records are de-duplicated, so this is a few thousand writes for a whole start-up, and a
 * `docker stop` that ends in SIGKILL loses nothing the sensor had already seen. */
#include "sensor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const op_names[OP_COUNT] = {"open", "stat", "readlink", "exec", "chdir", "dir", "cwd"};
static int log_fd = -1;

/* Open-addressing hash set of keys "<op><result><path>". */
static char **keys;
static uint64_t *hashes;
static size_t cap, used;

int log_open(const char *file) {
  log_fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return log_fd < 0 ? -1 : 0;
}

static void write_all(const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(log_fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* nowhere to report it: stderr belongs to the app */
    buf += n, len -= (size_t)n;
  }
}

static uint64_t hash_key(enum op op, char result, const char *path) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  h = (h ^ (unsigned char)op) * 1099511628211ull;
  h = (h ^ (unsigned char)result) * 1099511628211ull;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) h = (h ^ *p) * 1099511628211ull;
  return h;
}

/* Slot of the key, or of the empty slot where it belongs. */
static size_t slot(uint64_t h, enum op op, char result, const char *path) {
  size_t i = h & (cap - 1);
  while (keys[i] && !(hashes[i] == h && keys[i][0] == (char)('0' + op) && keys[i][1] == result &&
                      strcmp(keys[i] + 2, path) == 0))
    i = (i + 1) & (cap - 1);
  return i;
}

static void grow(void) {
  char **old_keys = keys;
  uint64_t *old_hashes = hashes;
  size_t old_cap = cap;
  cap = cap ? cap * 2 : 4096;
  keys = calloc(cap, sizeof *keys);
  hashes = calloc(cap, sizeof *hashes);
  if (!keys || !hashes) abort();
  for (size_t i = 0; i < old_cap; i++) {
    if (!old_keys[i]) continue;
    size_t j = old_hashes[i] & (cap - 1);
    while (keys[j]) j = (j + 1) & (cap - 1);
    keys[j] = old_keys[i], hashes[j] = old_hashes[i];
  }
  free(old_keys);
  free(old_hashes);
}

int log_seen(enum op op, char result, const char *path) {
  return cap && keys[slot(hash_key(op, result, path), op, result, path)] != NULL;
}

int log_record(enum op op, char result, const char *path) {
  if (2 * (used + 1) > cap) grow();
  uint64_t h = hash_key(op, result, path);
  size_t i = slot(h, op, result, path);
  if (keys[i]) return 0;
  size_t len = strlen(path);
  if (!(keys[i] = malloc(len + 3))) abort();
  keys[i][0] = (char)('0' + op), keys[i][1] = result;
  memcpy(keys[i] + 2, path, len + 1);
  hashes[i] = h;
  used++;

  /* Bytes outside 0x21..0x7e and the backslash become \xHH: spaces, newlines and names
   * that are not UTF-8 survive one-line-per-record parsing unchanged. */
  static char line[16 + 4 * PATH_BUF];
  static const char hex[] = "0123456789abcdef";
  char *o = line + sprintf(line, "%s %c ", op_names[op], result);
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if (*p < 0x21 || *p > 0x7e || *p == '\\') {
      *o++ = '\\', *o++ = 'x', *o++ = hex[*p >> 4], *o++ = hex[*p & 15];
    } else {
      *o++ = (char)*p;
    }
  }
  *o++ = '\n';
  write_all(line, (size_t)(o - line));
  return 1;
}

void log_comment(const char *fmt, ...) {
  char line[256] = "# ";
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line + 2, sizeof line - 3, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = strlen(line);
  line[len++] = '\n';
  write_all(line, len);
}
