/* lib/cgroup.h - a container's cgroup on cgroupfs, v1 and v2 (the "cgroupfs" driver).
 *
 * The host's layout is read once (struct cgroup_host: cgroup_host_open): on v1 one
 * hierarchy per directory of the root (/sys/fs/cgroup/memory, /sys/fs/cgroup/cpu,cpuacct,
 * name=systemd's, and in hybrid mode the unified one), on v2 the root itself. A
 * container's cgroup is one path (OCI linux.cgroupsPath, absolute from each hierarchy's
 * root, e.g. "/dctl/ID") in every hierarchy. linux.resources (OCI's shape) is read into
 * struct cgroup_resources (cgroup_resources_parse) and written to the files of the
 * version in use (runc's mapping: on v2 memory.max, memory.swap.max = swap - memory,
 * memory.low, cpu.weight from shares, cpu.max, io.weight, io.max; on v1 the
 * memory/cpu/cpuset/pids/blkio files), device rules to devices.allow/deny on v1 and to
 * an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the cgroup on v2.
 *
 * Used by dctl-shim (create, apply, enter, OOM count, kill and remove at the end: it
 * links this file, lib/error.c and lib/xmalloc.c only) and by the native exec driver
 * (pause, resume, stats, update, remove). The root is a parameter so that the unit tests
 * run against fake trees in a temp dir.
 *
 * Plain system calls on cgroupfs files; nothing blocks for long (freeze waits for the
 * kernel to report the cgroup frozen, at most CGROUP_FREEZE_TIMEOUT_MS). Any thread; a
 * struct cgroup_host is read-only once opened. Errors: DCTL_ERR_INTERNAL with errno
 * (DCTL_ERR_INVALID for a value the kernel refuses with EINVAL or a bad path). */
#ifndef DCTL_CGROUP_H
#define DCTL_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "lib/error.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_HIER_MAX 24
#define CGROUP_PATH_MAX 256
#define CGROUP_FREEZE_TIMEOUT_MS 5000

/* Controllers, as bits. */
enum cgroup_ctrl {
    CGROUP_CPU = 1u << 0,
    CGROUP_CPUACCT = 1u << 1,
    CGROUP_CPUSET = 1u << 2,
    CGROUP_MEMORY = 1u << 3,
    CGROUP_PIDS = 1u << 4,
    CGROUP_BLKIO = 1u << 5, /* v2: io */
    CGROUP_FREEZER = 1u << 6, /* v2: cgroup.freeze, always there */
    CGROUP_DEVICES = 1u << 7, /* v2: an eBPF program, always there */
    CGROUP_HUGETLB = 1u << 8,
    CGROUP_NET_CLS = 1u << 9,
    CGROUP_NET_PRIO = 1u << 10,
    CGROUP_PERF_EVENT = 1u << 11,
    CGROUP_RDMA = 1u << 12,
    CGROUP_MISC = 1u << 13,
};

/* One hierarchy: its directory under the root ("" for the v2 root itself). */
struct cgroup_hier {
    char name[64];
    unsigned int ctrls; /* enum cgroup_ctrl bits bound to it */
    bool v2;            /* a cgroup2 hierarchy (the host's, or hybrid's "unified") */
};

/* The host's layout. Filled by cgroup_host_open; read-only afterwards. */
struct cgroup_host {
    int version;        /* 1 or 2: which files the limits go to */
    char root[128];
    struct cgroup_hier hier[CGROUP_HIER_MAX];
    size_t nhier;
    unsigned int ctrls; /* every controller found */
    bool fake;          /* not cgroupfs (a test tree): the files a limit goes to are
                         * made as the kernel would have made them, nothing is killed,
                         * a freeze does not wait, a device program is loaded but
                         * not attached */
};

/* Reads root's layout (NULL: CGROUP_ROOT). version 0 detects it (cgroup2 mounted at
 * the root: 2, else 1, and then only directories that are cgroup mounts count);
 * 1 or 2 take root as such (for fake trees: h->fake unless root is cgroupfs). */
int cgroup_host_open(struct cgroup_host *h, const char *root, int version, dctl_error_t *err);
/* The host's cgroups as everything in dctl reads them: $DCTL_CGROUP_ROOT when set (a test
 * tree), as version $DCTL_CGROUP_VERSION (2, else 1), otherwise CGROUP_ROOT detected. */
int cgroup_host_open_env(struct cgroup_host *h, dctl_error_t *err);
/* The hierarchy holding ctrl (v2: the root), or NULL. */
const struct cgroup_hier *cgroup_host_hier(const struct cgroup_host *h, unsigned int ctrl);
/* root/hier/path/file into buf; -1 (ENAMETOOLONG) if it does not fit. */
int cgroup_file_path(const struct cgroup_host *h, const struct cgroup_hier *hi, const char *path,
                     const char *file, char *buf, size_t len);

/* Normalises an OCI cgroupsPath into out ("/a/b": absolute, single slashes, no "." or
 * ".." components, not "/" itself); DCTL_ERR_INVALID otherwise. */
int cgroup_path_clean(const char *path, char *out, size_t len, dctl_error_t *err);

/* ---- linux.resources -------------------------------------------------------------- */

#define CGROUP_UNSET INT64_MIN
#define CGROUP_DEVICES_MAX 128
#define CGROUP_BLKIO_DEVICES_MAX 32

struct cgroup_blkio_dev {
    int64_t major, minor;
    int64_t value;      /* weight, or rate (bytes or I/Os per second) */
};

struct cgroup_device_rule {
    bool allow;
    char type;          /* 'a', 'c' or 'b' */
    int64_t major, minor; /* -1: any */
    char access[4];     /* a subset of "rwm" */
};

/* OCI linux.resources; every member CGROUP_UNSET (or empty) when absent. */
struct cgroup_resources {
    int64_t mem_limit, mem_reservation, mem_swap, mem_kernel_tcp, mem_swappiness;
    int disable_oom_killer; /* -1 unset, 0, 1 */
    int64_t cpu_shares, cpu_quota, cpu_period, cpu_rt_runtime, cpu_rt_period;
    char cpus[128], mems[128]; /* "" unset */
    int64_t pids_limit;
    int64_t blkio_weight, blkio_leaf_weight;
    struct cgroup_blkio_dev weight_dev[CGROUP_BLKIO_DEVICES_MAX];
    size_t nweight_dev;
    /* throttles: read bps, write bps, read iops, write iops */
    struct cgroup_blkio_dev throttle[4][CGROUP_BLKIO_DEVICES_MAX];
    size_t nthrottle[4];
    bool has_devices;   /* a devices list was given (then it replaces the default) */
    struct cgroup_device_rule devices[CGROUP_DEVICES_MAX];
    size_t ndevices;
};

enum cgroup_throttle { CGROUP_READ_BPS, CGROUP_WRITE_BPS, CGROUP_READ_IOPS, CGROUP_WRITE_IOPS };

void cgroup_resources_init(struct cgroup_resources *r);
/* Reads an OCI linux.resources object (NULL: nothing set). DCTL_ERR_INVALID for a
 * member of the wrong type or a bad device rule. */
int cgroup_resources_parse(struct json_object *res, struct cgroup_resources *r,
                           dctl_error_t *err);

/* ---- a container's cgroup ---------------------------------------------------------- */

/* Creates path in every hierarchy (missing parents too; v1 cpuset parents get their
 * parent's cpus and mems, v2 parents enable the controllers for their children).
 * An existing one is reused. */
int cgroup_create(const struct cgroup_host *h, const char *path, dctl_error_t *err);
/* Writes r to path's files (those of controllers that exist; a value the kernel refuses
 * is an error naming the file). */
int cgroup_apply(const struct cgroup_host *h, const char *path, const struct cgroup_resources *r,
                 dctl_error_t *err);
/* Moves pid (0: the caller) into path in every hierarchy. */
int cgroup_enter(const struct cgroup_host *h, const char *path, pid_t pid, dctl_error_t *err);
/* Freezes (v1 freezer.state FROZEN, v2 cgroup.freeze 1) and waits until the kernel says
 * it is frozen; or thaws (no wait). */
int cgroup_freeze(const struct cgroup_host *h, const char *path, bool frozen, dctl_error_t *err);
/* 1 frozen, 0 not, -1 with err when it cannot be read. */
int cgroup_is_frozen(const struct cgroup_host *h, const char *path, dctl_error_t *err);
/* Pids in path (malloc'd array into *pids, the caller's); their count, or -1. */
ssize_t cgroup_pids(const struct cgroup_host *h, const char *path, pid_t **pids,
                    dctl_error_t *err);
/* SIGKILLs everything in path (v2: cgroup.kill when the kernel has it), thawing it
 * first, and waits up to timeout_ms for it to be empty; -1 (ETIMEDOUT) if it is not. */
int cgroup_kill(const struct cgroup_host *h, const char *path, int timeout_ms, dctl_error_t *err);
/* Removes path from every hierarchy (absent is fine); retries while it is busy for a
 * short while (the last tasks leaving), then fails with EBUSY. */
int cgroup_remove(const struct cgroup_host *h, const char *path, dctl_error_t *err);
/* Does path exist in the first hierarchy? */
bool cgroup_exists(const struct cgroup_host *h, const char *path);
/* OOM kills in path (v1 memory.oom_control oom_kill, v2 memory.events oom_kill); 0
 * when there is no memory controller. */
uint64_t cgroup_oom_kills(const struct cgroup_host *h, const char *path);
/* An fd that becomes readable on each OOM event of path (v1: an eventfd registered on
 * memory.oom_control; v2: inotify on memory.events, IN_MODIFY), -1 with err. Read it
 * with cgroup_oom_fd_drain. */
int cgroup_oom_fd(const struct cgroup_host *h, const char *path, dctl_error_t *err);
void cgroup_oom_fd_drain(int fd);

/* ---- statistics ------------------------------------------------------------------- */

#define CGROUP_CPUS_MAX 256
#define CGROUP_STAT_KEYS_MAX 96
#define CGROUP_BLKIO_ENTRIES_MAX 64

struct cgroup_kv {
    char key[48];
    uint64_t value;
};

struct cgroup_blkio_entry {
    unsigned int major, minor;
    char op[16];        /* v1: "Read", "Write", "Sync", "Async", "Discard", "Total"; v2: "read", "write" */
    uint64_t value;
};

/* What stats read; has_* false when the controller is missing. */
struct cgroup_stats {
    int version;
    bool has_cpu, has_memory, has_pids, has_blkio;
    uint64_t cpu_total_ns, cpu_user_ns, cpu_system_ns;
    uint64_t percpu_ns[CGROUP_CPUS_MAX]; /* v1 only */
    size_t npercpu;
    uint64_t nr_periods, nr_throttled, throttled_ns;
    uint64_t mem_usage, mem_max_usage, mem_failcnt, mem_limit; /* max_usage, failcnt: v1 */
    struct cgroup_kv mem_stat[CGROUP_STAT_KEYS_MAX];
    size_t nmem_stat;
    uint64_t pids_current, pids_limit; /* limit 0: none */
    struct cgroup_blkio_entry io_bytes[CGROUP_BLKIO_ENTRIES_MAX];
    size_t nio_bytes;
    struct cgroup_blkio_entry io_ios[CGROUP_BLKIO_ENTRIES_MAX];
    size_t nio_ios;
};

/* Reads path's usage. Missing controllers leave their part unset. */
int cgroup_stats_read(const struct cgroup_host *h, const char *path, struct cgroup_stats *st,
                      dctl_error_t *err);
/* The value of key in a "key value" per line text (memory.stat, cpu.stat, ...); -1 if
 * absent. */
int cgroup_kv_find(const char *text, const char *key, uint64_t *out);

/* ---- conversions (runc's, for v2) ------------------------------------------------- */

/* cpu.shares (2..262144) to cpu.weight (1..10000); 0 stays 0. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) to io.weight (1..10000); 0 stays 0. */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);

#endif
