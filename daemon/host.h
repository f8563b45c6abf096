/* daemon/host.h - facts about the host for /version and /info: kernel, OS,
 * architecture in Go's names, CPUs, memory. Read once at start, cached. */
#ifndef DCTL_DAEMON_HOST_H
#define DCTL_DAEMON_HOST_H

#include <stdint.h>

struct host_facts {
    char kernel[128];        /* uname -r */
    char os_name[128];       /* PRETTY_NAME of /etc/os-release */
    char os_version[64];     /* VERSION_ID */
    char arch[65];           /* Go's GOARCH: amd64, arm64 ... */
    char machine[65];        /* uname -m: x86_64 ... */
    char hostname[256];
    int ncpu;
    int64_t mem_total;       /* bytes */
};

/* Fills f from uname(2), /etc/os-release, sysconf and /proc/meminfo. */
void host_facts_read(struct host_facts *f);
/* uname -m → GOARCH. */
const char *host_goarch(const char *machine);

#endif
