/* daemon/sysinfo.h - what the kernel offers containers, for /info: cgroup
 * version and controllers, cgroup namespaces, forwarding and bridge netfilter
 * sysctls, usable CPUs, and dctld's own open files and threads (Docker's
 * pkg/sysinfo). Reads /proc and /sys: call it from a worker job. Any thread. */
#ifndef DCTL_DAEMON_SYSINFO_H
#define DCTL_DAEMON_SYSINFO_H

#include <stdbool.h>

#define SYSINFO_CGROUP_ROOT "/sys/fs/cgroup"

struct sysinfo {
    int cgroup_version;        /* 2 when the root is cgroup2 (unified), else 1 */
    bool memory_limit;
    bool swap_limit;
    bool kernel_memory_tcp;    /* cgroup v1 only */
    bool cpu_cfs_period;
    bool cpu_cfs_quota;
    bool cpu_shares;
    bool cpuset;
    bool pids_limit;
    bool oom_kill_disable;     /* cgroup v1 only */
    bool memory_reservation;
    bool memory_swappiness;    /* cgroup v1 only */
    bool kernel_memory;        /* cgroup v1 only, and only where the kernel still has it */
    bool cpu_realtime;         /* cgroup v1 only */
    bool blkio_weight, blkio_weight_device;
    bool blkio_read_bps, blkio_write_bps, blkio_read_iops, blkio_write_iops;
    bool freezer;
    char cpus[128];            /* CPUs and memory nodes containers may use ("0-1", "0") */
    char mems[128];
    bool cgroup_ns;            /* the kernel has cgroup namespaces */
    bool ipv4_forwarding;
    bool bridge_nf_iptables;
    bool bridge_nf_ip6tables;
    int ncpu;                  /* CPUs this process may run on */
    int nfd;                   /* open file descriptors of this process */
    int nthreads;              /* threads of this process (loop + workers) */
};

/* Fills si from the running system: the cgroup facts from /sys/fs/cgroup, or from
 * $DCTL_CGROUP_ROOT as cgroup version $DCTL_CGROUP_VERSION (a test tree, as the native
 * driver and dctl-shim also read it). */
void sysinfo_read(struct sysinfo *si);
/* 2 if root (normally SYSINFO_CGROUP_ROOT) is a cgroup2 mount, 1 otherwise. */
int sysinfo_cgroup_version(const char *root);
/* Fills the cgroup controller members of si from the hierarchy at root, read
 * as the given cgroup version (v1: one directory per controller; v2: the
 * controllers listed in root/cgroup.controllers). */
void sysinfo_read_cgroup(struct sysinfo *si, const char *root, int version);
/* True when the file holds a number other than 0 ("1\n" in a sysctl). */
bool sysinfo_read_flag(const char *path);
/* Entries of a directory, "." and ".." excluded; -1 if it cannot be read. */
int sysinfo_count_entries(const char *path);
/* A proxy URL with its user and password replaced by "xxxxx:xxxxx", as dockerd
 * shows it (malloc'd; NULL for NULL). */
char *sysinfo_mask_proxy(const char *url);

#endif
