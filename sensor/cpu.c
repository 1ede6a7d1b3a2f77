/* One CPU for the sensor and everything it traces (--cpu): a ptrace stop then hands the
 * CPU from tracee to tracer and back without waking another core. */
#include "sensor.h"

#include <sched.h>

int pin_to_cpu(long slot) {
  cpu_set_t allowed, one;
  if (sched_getaffinity(0, sizeof allowed, &allowed) < 0) return -1;
  int n = CPU_COUNT(&allowed);
  if (n <= 1) return -1; /* nothing to choose, nothing to gain */
  long want = slot % n;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &allowed) || want-- > 0) continue;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof one, &one) == 0 ? cpu : -1;
  }
  return -1;
}
