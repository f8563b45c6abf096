/* lib/devrule.h - device cgroup rules as `--device-cgroup-rule` writes them ("c 1:3 rwm",
 * "a *:* m"), checked with the pattern of docker's CLI and dockerd
 * (^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$), and device permissions ("rwm").
 * Shared by dctl (flag checks) and dctld (HostConfig checks, the spec's rules). Pure. */
#ifndef DCTL_DEVRULE_H
#define DCTL_DEVRULE_H

#include <stdbool.h>
#include <stdint.h>

struct devrule {
    char type;          /* 'a', 'b' or 'c' */
    int64_t major;      /* -1: any */
    int64_t minor;      /* -1: any */
    char access[4];     /* "r", "rw", "rwm", ... */
};

/* 0, or -1 when rule does not match the pattern. */
int devrule_parse(const char *rule, struct devrule *out);
/* A device mode of the CLI's validDeviceMode: a non-empty subset of r, w, m, each once. */
bool devrule_mode_is_valid(const char *mode);

#endif
