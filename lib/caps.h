/* lib/caps.h - Linux capability names and numbers (linux/capability.h), shared by
 * dctld (daemon/security.c: Docker's capability sets, CapAdd and CapDrop) and the
 * static dctl-shim (daemon/shim/: the spec's names as bit masks). Pure, any thread;
 * nothing allocates. */
#ifndef DCTL_CAPS_H
#define DCTL_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* The highest capability this table names (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
#define CAPS_LAST 40
#define CAPS_COUNT (CAPS_LAST + 1)

/* "CAP_CHOWN" for 0 ...; NULL outside the table. */
const char *caps_name(int cap);
/* The number of a capability named with or without "CAP_", in any case
 * ("net_admin", "CAP_NET_ADMIN"); -1 when it names none. */
int caps_from_name(const char *name);
/* A set as a bit mask (bit N: capability N). */
static inline bool
caps_has(uint64_t set, int cap)
{
    return cap >= 0 && cap < 64 && (set >> cap) & 1;
}

#endif
