/* lib/cgroup-devices.h - OCI linux.resources.devices applied to a cgroup: on v1 the rules
 * in order to devices.deny / devices.allow (the kernel keeps the list); on v2 an eBPF
 * program (BPF_PROG_TYPE_CGROUP_DEVICE, loaded and attached with bpf(2), no libbpf)
 * that gives the same answers: the rules are first reduced as v1's kernel does (a
 * default, allow or deny, from the last "all devices" rule, and the exceptions to it),
 * then the program tests each exception and falls back on the default.
 *
 * Part of the cgroup module (lib/cgroup.h): same threads, same errors. */
#ifndef DCTL_CGROUP_DEVICES_H
#define DCTL_CGROUP_DEVICES_H

#include <stddef.h>

#include <linux/bpf.h>

#include "lib/cgroup.h"

#define CGROUP_DEVICES_INSNS_MAX (8 + CGROUP_DEVICES_MAX * 9)

/* The rules reduced: what every device gets unless it matches an exception. */
struct cgroup_devices_list {
    bool default_allow;
    struct cgroup_device_rule except[CGROUP_DEVICES_MAX];
    size_t n;
};

/* Reduces rules as the v1 kernel does. */
void cgroup_devices_reduce(const struct cgroup_device_rule *rules, size_t n,
                           struct cgroup_devices_list *out);
/* The device program for list into insns (room for CGROUP_DEVICES_INSNS_MAX); its
 * length in instructions. */
size_t cgroup_devices_program(const struct cgroup_devices_list *list, struct bpf_insn *insns);
/* Would list let a process open (access "r", "w", "rw") or mknod ("m") device type
 * 'c'/'b' major:minor? (What the program answers; for the tests.) */
bool cgroup_devices_allows(const struct cgroup_devices_list *list, char type, unsigned int major,
                           unsigned int minor, const char *access);

int cgroup_devices_apply_v1(const struct cgroup_host *h, const char *path,
                            const struct cgroup_resources *r, dctl_error_t *err);
/* Loads the program and attaches it to path's cgroup (BPF_F_ALLOW_MULTI), then detaches
 * any device program attached there before (an update replaces it). */
int cgroup_devices_apply_v2(const struct cgroup_host *h, const char *path,
                            const struct cgroup_resources *r, dctl_error_t *err);

#endif
