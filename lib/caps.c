/* lib/caps.c - capability names (see caps.h). */
#include <config.h>

#include <strings.h>

#include "lib/caps.h"

/* in the kernel's order: the index is the capability's number */
static const char *const caps_names[CAPS_COUNT] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
    "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

const char *
caps_name(int cap)
{
    return cap >= 0 && cap < CAPS_COUNT ? caps_names[cap] : 0;
}

int
caps_from_name(const char *name)
{
    int i;

    if (name == 0)
        return -1;
    if (strncasecmp(name, "CAP_", 4) == 0)
        name += 4;
    for (i = 0; i < CAPS_COUNT; i++)
        if (strcasecmp(name, caps_names[i] + 4) == 0)
            return i;
    return -1;
}
