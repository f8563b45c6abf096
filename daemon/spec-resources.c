/* daemon/spec-resources.c - a container's resources as dockerd handles them (see
 * spec-resources.h); the messages are moby's. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "daemon/spec-resources.h"
#include "daemon/spec.h"
#include "lib/cgroup.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static const char *const spec_res_throttles[4] = {
    "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps",
};

static struct json_object *
spec_res_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}

static int64_t
spec_res_int(struct json_object *o, const char *key)
{
    return json_get_int64(o, key, 0);
}

static bool
spec_res_has(struct json_object *o, const char *key)
{
    return spec_res_get(o, key) != NULL;   /* present and not null */
}

static size_t
spec_res_len(struct json_object *o, const char *key)
{
    struct json_object *a = spec_res_get(o, key);

    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static void
spec_res_warn(struct json_object *warnings, const char *msg)
{
    if (warnings)
        json_object_array_add(warnings, json_object_new_string(msg));
}

static const char *
spec_res_str(struct json_object *o, const char *key)
{
    const char *s = json_get_string(o, key);

    return s ? s : "";
}

/* ---- cpuset lists (moby's parsers.ParseUintList) ------------------------------------------ */

#define SPEC_RES_CPUS_MAX 8192

/* Sets the bits of "0-3,5" in set (SPEC_RES_CPUS_MAX + 1 bits); -1 for a bad list or a
 * number over max. */
static int
spec_res_uint_list(const char *s, unsigned char *set, long max)
{
    const char *p = s;

    if (*s == '\0')
        return 0;
    while (*p) {
        char *end;
        long a, b;

        if (*p < '0' || *p > '9')
            return -1;
        a = strtol(p, &end, 10);
        b = a;
        if (*end == '-') {
            p = end + 1;
            if (*p < '0' || *p > '9')
                return -1;
            b = strtol(p, &end, 10);
            if (b < a)
                return -1;
        }
        if (b > max)
            return -1;
        for (long i = a; i <= b; i++)
            set[i / 8] |= (unsigned char)(1u << (i % 8));
        if (*end == ',') {
            end++;
            if (*end == '\0')
                return -1;
        } else if (*end != '\0') {
            return -1;
        }
        p = end;
    }
    return 0;
}

/* moby's isCpusetListAvailable: -1 for a bad list (*bad), 0 not available, 1 available. */
static int
spec_res_cpuset_available(const char *provided, const char *available)
{
    unsigned char have[SPEC_RES_CPUS_MAX / 8 + 1] = { 0 }, want[SPEC_RES_CPUS_MAX / 8 + 1] = { 0 };
    size_t i;

    if (spec_res_uint_list(available, have, SPEC_RES_CPUS_MAX) < 0)
        return 1;   /* the host's own list unreadable: nothing to compare with */
    if (spec_res_uint_list(provided, want, SPEC_RES_CPUS_MAX) < 0)
        return -1;
    for (i = 0; i < sizeof want; i++)
        if (want[i] & ~have[i])
            return 0;
    return 1;
}

/* ---- check ------------------------------------------------------------------------------ */

static int
spec_res_check_memory(struct json_object *hc, const struct sysinfo *si, bool update,
                      struct json_object *w, dctl_error_t *err)
{
    int64_t mem = spec_res_int(hc, "Memory"), swap = spec_res_int(hc, "MemorySwap");
    int64_t res = spec_res_int(hc, "MemoryReservation");
    struct json_object *sw = spec_res_get(hc, "MemorySwappiness");
    struct json_object *ok = spec_res_get(hc, "OomKillDisable");

    if (sw && json_object_get_int64(sw) == -1) {   /* fixMemorySwappiness */
        json_object_object_add(hc, "MemorySwappiness", NULL);
        sw = NULL;
    }
    if (mem != 0 && mem < SPEC_RESOURCES_MIN_MEMORY)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Minimum memory limit allowed is 6MB");
    if (mem > 0 && !si->memory_limit) {
        spec_res_warn(w, "Your kernel does not support memory limit capabilities or the cgroup "
                         "is not mounted. Limitation discarded.");
        json_add_int64(hc, "Memory", mem = 0);
        json_add_int64(hc, "MemorySwap", swap = -1);
    }
    if (mem > 0 && swap != -1 && !si->swap_limit) {
        spec_res_warn(w, "Your kernel does not support swap limit capabilities or the cgroup is "
                         "not mounted. Memory limited without swap.");
        json_add_int64(hc, "MemorySwap", swap = -1);
    }
    if (mem > 0 && swap > 0 && swap < mem)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Minimum memoryswap limit should be larger than memory limit, see "
                              "usage");
    if (mem == 0 && swap > 0 && !update)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "You should always set the Memory limit when using Memoryswap "
                              "limit, see usage");
    if (sw && !si->memory_swappiness) {
        spec_res_warn(w, "Your kernel does not support memory swappiness capabilities or the "
                         "cgroup is not mounted. Memory swappiness discarded.");
        json_object_object_add(hc, "MemorySwappiness", NULL);
        sw = NULL;
    }
    if (sw && (json_object_get_int64(sw) < 0 || json_object_get_int64(sw) > 100))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Invalid value: %lld, valid memory swappiness range is 0-100",
                              (long long)json_object_get_int64(sw));
    if (res > 0 && !si->memory_reservation) {
        spec_res_warn(w, "Your kernel does not support memory soft limit capabilities or the "
                         "cgroup is not mounted. Limitation discarded.");
        json_add_int64(hc, "MemoryReservation", res = 0);
    }
    if (res > 0 && res < SPEC_RESOURCES_MIN_MEMORY)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Minimum memory reservation allowed is 6MB");
    if (mem > 0 && res > 0 && mem < res)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Minimum memory limit can not be less than memory reservation "
                              "limit, see usage");
    /* kmem.limit_in_bytes is gone from recent kernels (deprecated since 5.4): not applied */
    if (spec_res_int(hc, "KernelMemory") > 0) {
        spec_res_warn(w, "Your kernel does not support kernel memory limit capabilities or the "
                         "cgroup is not mounted. Limitation discarded.");
        json_add_int64(hc, "KernelMemory", 0);
    }
    if (ok && !si->oom_kill_disable) {
        if (json_object_get_boolean(ok))
            spec_res_warn(w, "Your kernel does not support OomKillDisable. OomKillDisable "
                             "discarded.");
        json_object_object_add(hc, "OomKillDisable", NULL);
        ok = NULL;
    }
    if (ok && json_object_get_boolean(ok) && mem == 0)
        spec_res_warn(w, "OOM killer is disabled for the container, but no memory limit is set, "
                         "this can result in the system running out of resources.");
    return 0;
}

static int
spec_res_check_cpu(struct json_object *hc, const struct sysinfo *si, struct json_object *w,
                   dctl_error_t *err)
{
    int64_t nano = spec_res_int(hc, "NanoCpus"), period = spec_res_int(hc, "CpuPeriod");
    int64_t quota = spec_res_int(hc, "CpuQuota"), shares = spec_res_int(hc, "CpuShares");
    int64_t rtp = spec_res_int(hc, "CpuRealtimePeriod"), rtr = spec_res_int(hc, "CpuRealtimeRuntime");
    const char *cpus = spec_res_str(hc, "CpusetCpus"), *mems = spec_res_str(hc, "CpusetMems");
    int ncpu = si->ncpu > 0 ? si->ncpu : 1, rc;

    if (nano > 0 && period > 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Conflicting options: Nano CPUs and CPU Period cannot both be set");
    if (nano > 0 && quota > 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
    if (nano > 0 && !(si->cpu_cfs_period && si->cpu_cfs_quota))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "NanoCPUs can not be set, as your kernel does not support CPU CFS "
                              "scheduler or the cgroup is not mounted");
    if (nano != 0 && (nano < 0 || nano > (int64_t)ncpu * 1000000000LL))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "range of CPUs is from 0.01 to %d.00, as there are only %d CPUs "
                              "available", ncpu, ncpu);
    if (shares < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid CPU shares (%lld): value must be a positive integer",
                              (long long)shares);
    if (shares > 0 && !si->cpu_shares) {
        spec_res_warn(w, "Your kernel does not support CPU shares or the cgroup is not mounted. "
                         "Shares discarded.");
        json_add_int64(hc, "CpuShares", 0);
    }
    if ((period != 0 || quota != 0) && !(si->cpu_cfs_period && si->cpu_cfs_quota)) {
        spec_res_warn(w, "Your kernel does not support CPU CFS scheduler. CPU period/quota "
                         "discarded.");
        json_add_int64(hc, "CpuPeriod", period = 0);
        json_add_int64(hc, "CpuQuota", quota = 0);
    }
    if (period != 0 && (period < 1000 || period > 1000000))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "CPU cfs period can not be less than 1ms (i.e. 1000) or larger "
                              "than 1s (i.e. 1000000)");
    if (quota > 0 && quota < 1000)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "CPU cfs quota can not be less than 1ms (i.e. 1000)");
    if (spec_res_int(hc, "CpuPercent") > 0) {
        spec_res_warn(w, "linux does not support CPU percent. Percent discarded.");
        json_add_int64(hc, "CpuPercent", 0);
    }
    if (rtp > 0 && !si->cpu_realtime)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Your kernel does not support cgroup cpu real-time period");
    if (rtr > 0 && !si->cpu_realtime)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Your kernel does not support cgroup cpu real-time runtime");
    if (rtp != 0 && rtr != 0 && rtr > rtp)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "cpu real-time runtime cannot be higher than cpu real-time period");
    if ((*cpus || *mems) && !si->cpuset) {
        spec_res_warn(w, "Your kernel does not support cpuset or the cgroup is not mounted. "
                         "Cpuset discarded.");
        json_add_string(hc, "CpusetCpus", "");
        json_add_string(hc, "CpusetMems", "");
        return 0;
    }
    rc = spec_res_cpuset_available(cpus, si->cpus);
    if (rc < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Invalid value %s for cpuset cpus: invalid format: %s", cpus, cpus);
    if (rc == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Requested CPUs are not available - requested %s, available: %s",
                              cpus, si->cpus);
    rc = spec_res_cpuset_available(mems, si->mems);
    if (rc < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Invalid value %s for cpuset mems: invalid format: %s", mems, mems);
    if (rc == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Requested memory nodes are not available - requested %s, "
                              "available: %s", mems, si->mems);
    return 0;
}

/* Each entry {"Path": "/dev/...", KEY: n}: the path must be a block device here (dockerd
 * finds out at start; found at create, nothing is left of a container that cannot
 * start). */
static int
spec_res_check_devices(struct json_object *hc, const char *member, const char *key,
                       dctl_error_t *err)
{
    struct json_object *a = spec_res_get(hc, member);
    size_t i, n = spec_res_len(hc, member);

    for (i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(a, i);
        const char *path = json_get_string(e, "Path");
        struct stat st;

        if (e == NULL || path == NULL || *path == '\0')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: an entry has no Path", member);
        if (json_get_int64(e, key, -1) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: bad %s for %s", member, key,
                                  path);
        if (stat(path, &st) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "stat %s: %s", path,
                                  errno == ENOENT ? "no such file or directory" : strerror(errno));
        if (!S_ISBLK(st.st_mode))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: %s is not a block device",
                                  member, path);
    }
    return 0;
}

static int
spec_res_check_blkio(struct json_object *hc, const struct sysinfo *si, struct json_object *w,
                     dctl_error_t *err)
{
    static const char *const warn[4] = {
        "Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. "
        "Block I/O BPS read limit discarded.",
        "Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. "
        "Block I/O BPS write limit discarded.",
        "Your kernel does not support IOPS Block read limit or the cgroup is not mounted. "
        "Block I/O IOPS read limit discarded.",
        "Your kernel does not support IOPS Block write limit or the cgroup is not mounted. "
        "Block I/O IOPS write limit discarded.",
    };
    const bool have[4] = { si->blkio_read_bps, si->blkio_write_bps, si->blkio_read_iops,
                           si->blkio_write_iops };
    int64_t weight = spec_res_int(hc, "BlkioWeight");
    size_t k;

    if (weight > 0 && !si->blkio_weight) {
        spec_res_warn(w, "Your kernel does not support Block I/O weight or the cgroup is not "
                         "mounted. Weight discarded.");
        json_add_int64(hc, "BlkioWeight", weight = 0);
    }
    if (weight > 0 && (weight < 10 || weight > 1000))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Range of blkio weight is from 10 to 1000");
    if (spec_res_int(hc, "IOMaximumBandwidth") != 0 || spec_res_int(hc, "IOMaximumIOps") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Invalid QoS settings: linux does not support Maximum IO "
                              "Bandwidth or Maximum IO IOps");
    if (spec_res_len(hc, "BlkioWeightDevice") > 0 && !si->blkio_weight_device) {
        spec_res_warn(w, "Your kernel does not support Block I/O weight_device or the cgroup is "
                         "not mounted. Weight-device discarded.");
        json_object_object_add(hc, "BlkioWeightDevice", json_object_new_array());
    }
    for (k = 0; k < 4; k++)
        if (spec_res_len(hc, spec_res_throttles[k]) > 0 && !have[k]) {
            spec_res_warn(w, warn[k]);
            json_object_object_add(hc, spec_res_throttles[k], json_object_new_array());
        }
    if (spec_res_check_devices(hc, "BlkioWeightDevice", "Weight", err) < 0)
        return -1;
    for (k = 0; k < 4; k++)
        if (spec_res_check_devices(hc, spec_res_throttles[k], "Rate", err) < 0)
            return -1;
    return 0;
}

int
spec_resources_check(struct json_object *hc, const struct sysinfo *si, bool update,
                     struct json_object *warnings, dctl_error_t *err)
{
    struct json_object *pl = spec_res_get(hc, "PidsLimit");
    const char *parent = spec_res_str(hc, "CgroupParent");

    if (spec_res_check_memory(hc, si, update, warnings, err) < 0)
        return -1;
    if (pl && !si->pids_limit) {
        if (json_object_get_int64(pl) > 0)
            spec_res_warn(warnings, "Your kernel does not support PIDs limit capabilities or the "
                                    "cgroup is not mounted. PIDs limit discarded.");
        json_object_object_add(hc, "PidsLimit", NULL);
    }
    if (spec_res_check_cpu(hc, si, warnings, err) < 0 ||
        spec_res_check_blkio(hc, si, warnings, err) < 0)
        return -1;
    if (*parent) {   /* what the shim's cgroup_path_clean would refuse at start */
        char clean[CGROUP_PATH_MAX];
        cleanup_free char *path = spec_resources_cgroups_path(hc, NULL, "x");
        dctl_error_t perr = NULL;

        if (cgroup_path_clean(path, clean, sizeof clean, &perr) < 0) {
            dctl_error_free(perr);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid cgroup parent \"%s\"",
                                  parent);
        }
    }
    return 0;
}

/* ---- defaults ------------------------------------------------------------------------------ */

void
spec_resources_defaults(struct json_object *hc)
{
    static const char *const zeros[] = {
        "CpuShares", "Memory", "NanoCpus", "BlkioWeight", "CpuPeriod", "CpuQuota",
        "CpuRealtimePeriod", "CpuRealtimeRuntime", "MemoryReservation", "MemorySwap",
        "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth",
    };
    static const char *const lists[] = {
        "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
        "BlkioDeviceWriteIOps",
    };
    struct json_object *pl = spec_res_get(hc, "PidsLimit");
    size_t i;

    for (i = 0; i < ARRAY_SIZE(zeros); i++)
        if (!spec_res_has(hc, zeros[i]))
            json_add_int64(hc, zeros[i], 0);
    for (i = 0; i < ARRAY_SIZE(lists); i++)
        if (!spec_res_has(hc, lists[i]))
            json_object_object_add(hc, lists[i], json_object_new_array());
    if (!spec_res_has(hc, "CgroupParent"))
        json_add_string(hc, "CgroupParent", "");
    if (!spec_res_has(hc, "CpusetCpus"))
        json_add_string(hc, "CpusetCpus", "");
    if (!spec_res_has(hc, "CpusetMems"))
        json_add_string(hc, "CpusetMems", "");
    if (!spec_res_has(hc, "MemorySwappiness"))
        json_object_object_add(hc, "MemorySwappiness", NULL);
    if (pl == NULL || json_object_get_int64(pl) <= 0)   /* 0 and -1: unlimited */
        json_object_object_add(hc, "PidsLimit", NULL);
    if (spec_res_int(hc, "Memory") > 0 && spec_res_int(hc, "MemorySwap") == 0)
        json_add_int64(hc, "MemorySwap", spec_res_int(hc, "Memory") * 2);
    if (!spec_res_has(hc, "OomKillDisable"))
        json_add_bool(hc, "OomKillDisable", false);
    if (spec_res_has(hc, "KernelMemory"))
        json_add_int64(hc, "KernelMemory", 0);
}

/* ---- OCI linux.resources ----------------------------------------------------------------- */

/* [{"major", "minor", key: n}] for a HostConfig device list; NULL with err. */
static struct json_object *
spec_res_oci_devices(struct json_object *hc, const char *member, const char *from,
                     const char *to, dctl_error_t *err)
{
    struct json_object *a = spec_res_get(hc, member), *out = json_object_new_array();
    size_t i, n = spec_res_len(hc, member);

    for (i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(a, i), *d;
        const char *path = json_get_string(e, "Path");
        struct stat st;

        if (path == NULL || stat(path, &st) < 0) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "stat %s: %s", path ? path : "",
                           path == NULL || errno == ENOENT ? "no such file or directory"
                                                           : strerror(errno));
            json_object_put(out);
            return NULL;
        }
        d = json_object_new_object();
        json_add_int64(d, "major", major(st.st_rdev));
        json_add_int64(d, "minor", minor(st.st_rdev));
        json_add_int64(d, to, json_get_int64(e, from, 0));
        json_object_array_add(out, d);
    }
    return out;
}

struct json_object *
spec_resources_build(struct json_object *hc, bool update, dctl_error_t *err)
{
    static const char *const oci_throttles[4] = { "throttleReadBpsDevice",
                                                  "throttleWriteBpsDevice",
                                                  "throttleReadIOPSDevice",
                                                  "throttleWriteIOPSDevice" };
    cleanup_json struct json_object *r = json_object_new_object();
    struct json_object *mem = json_object_new_object(), *cpu = json_object_new_object();
    struct json_object *bio = json_object_new_object(), *v;
    int64_t nano = spec_res_int(hc, "NanoCpus"), period = 0, quota = 0;
    size_t k;

    json_object_object_add(r, "memory", mem);
    json_object_object_add(r, "cpu", cpu);
    /* memory */
    if (spec_res_int(hc, "Memory") > 0)
        json_add_int64(mem, "limit", spec_res_int(hc, "Memory"));
    if (spec_res_int(hc, "MemoryReservation") > 0)
        json_add_int64(mem, "reservation", spec_res_int(hc, "MemoryReservation"));
    if (spec_res_int(hc, "MemorySwap") > 0)
        json_add_int64(mem, "swap", spec_res_int(hc, "MemorySwap"));
    if (spec_res_int(hc, "KernelMemoryTCP") != 0)
        json_add_int64(mem, "kernelTCP", spec_res_int(hc, "KernelMemoryTCP"));
    if (!update && (v = spec_res_get(hc, "MemorySwappiness")) != NULL &&
        json_object_get_int64(v) >= 0)
        json_add_int64(mem, "swappiness", json_object_get_int64(v));
    if (!update && (v = spec_res_get(hc, "OomKillDisable")) != NULL)
        json_add_bool(mem, "disableOOMKiller", json_object_get_boolean(v));
    /* cpu */
    if (spec_res_int(hc, "CpuShares") > 0)
        json_add_int64(cpu, "shares", spec_res_int(hc, "CpuShares"));
    if (*spec_res_str(hc, "CpusetCpus"))
        json_add_string(cpu, "cpus", spec_res_str(hc, "CpusetCpus"));
    if (*spec_res_str(hc, "CpusetMems"))
        json_add_string(cpu, "mems", spec_res_str(hc, "CpusetMems"));
    if (nano > 0) {   /* a 100 ms period, and the quota its share of it */
        period = 100000;
        quota = nano * period / 1000000000LL;
    }
    if (spec_res_int(hc, "CpuPeriod") != 0)
        period = spec_res_int(hc, "CpuPeriod");
    if (spec_res_int(hc, "CpuQuota") != 0)
        quota = spec_res_int(hc, "CpuQuota");
    if (period != 0)
        json_add_int64(cpu, "period", period);
    if (quota != 0)
        json_add_int64(cpu, "quota", quota);
    if (spec_res_int(hc, "CpuRealtimePeriod") != 0)
        json_add_int64(cpu, "realtimePeriod", spec_res_int(hc, "CpuRealtimePeriod"));
    if (spec_res_int(hc, "CpuRealtimeRuntime") != 0)
        json_add_int64(cpu, "realtimeRuntime", spec_res_int(hc, "CpuRealtimeRuntime"));
    /* pids: unset stays unset; 0 or less is "no limit" */
    if ((v = spec_res_get(hc, "PidsLimit")) != NULL) {
        struct json_object *p = json_object_new_object();

        json_add_int64(p, "limit", json_object_get_int64(v) > 0 ? json_object_get_int64(v) : -1);
        json_object_object_add(r, "pids", p);
    }
    /* block I/O */
    if (spec_res_int(hc, "BlkioWeight") > 0)
        json_add_int64(bio, "weight", spec_res_int(hc, "BlkioWeight"));
    if (spec_res_len(hc, "BlkioWeightDevice") > 0) {
        if ((v = spec_res_oci_devices(hc, "BlkioWeightDevice", "Weight", "weight", err)) == NULL) {
            json_object_put(bio);
            return NULL;
        }
        json_object_object_add(bio, "weightDevice", v);
    }
    for (k = 0; k < 4; k++) {
        if (spec_res_len(hc, spec_res_throttles[k]) == 0)
            continue;
        if ((v = spec_res_oci_devices(hc, spec_res_throttles[k], "Rate", "rate", err)) == NULL) {
            json_object_put(bio);
            return NULL;
        }
        json_object_object_add(bio, oci_throttles[k], v);
    }
    if (json_object_object_length(bio) > 0)
        json_object_object_add(r, "blockIO", bio);
    else
        json_object_put(bio);
    return steal_ptr(&r);
}

char *
spec_resources_cgroups_path(struct json_object *hc, const char *daemon_parent, const char *id)
{
    const char *parent = spec_res_str(hc, "CgroupParent");
    size_t n;

    if (*parent == '\0')
        parent = daemon_parent && *daemon_parent ? daemon_parent : SPEC_RESOURCES_CGROUP_PARENT;
    n = strlen(parent);
    while (n > 0 && parent[n - 1] == '/')
        n--;
    return xasprintf("%s%.*s/%s", parent[0] == '/' ? "" : "/", (int)n, parent, id);
}

/* ---- update -------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum json_type type;
    const char *go;
} spec_res_update_fields[] = {
    { "BlkioWeight", json_type_int, "uint16" },      { "CpuShares", json_type_int, "int64" },
    { "Memory", json_type_int, "int64" },            { "NanoCpus", json_type_int, "int64" },
    { "CpuPeriod", json_type_int, "int64" },         { "CpuQuota", json_type_int, "int64" },
    { "CpuRealtimePeriod", json_type_int, "int64" }, { "CpuRealtimeRuntime", json_type_int, "int64" },
    { "CpusetCpus", json_type_string, "string" },    { "CpusetMems", json_type_string, "string" },
    { "MemoryReservation", json_type_int, "int64" }, { "MemorySwap", json_type_int, "int64" },
    { "MemorySwappiness", json_type_int, "int64" },  { "KernelMemory", json_type_int, "int64" },
    { "KernelMemoryTCP", json_type_int, "int64" },   { "PidsLimit", json_type_int, "int64" },
    { "OomKillDisable", json_type_boolean, "bool" }, { "CgroupParent", json_type_string, "string" },
    { "RestartPolicy", json_type_object, "container.RestartPolicy" },
    { "BlkioWeightDevice", json_type_array, "[]*blkiodev.WeightDevice" },
    { "BlkioDeviceReadBps", json_type_array, "[]*blkiodev.ThrottleDevice" },
    { "BlkioDeviceWriteBps", json_type_array, "[]*blkiodev.ThrottleDevice" },
    { "BlkioDeviceReadIOps", json_type_array, "[]*blkiodev.ThrottleDevice" },
    { "BlkioDeviceWriteIOps", json_type_array, "[]*blkiodev.ThrottleDevice" },
    { "CpuCount", json_type_int, "int64" },          { "CpuPercent", json_type_int, "int64" },
    { "IOMaximumIOps", json_type_int, "uint64" },    { "IOMaximumBandwidth", json_type_int, "uint64" },
};

int
spec_resources_update_body(struct json_object *body, dctl_error_t *err)
{
    struct json_object *renames = json_object_new_object(), *pl;
    size_t i;

    json_object_object_foreach(body, key, val) {
        for (i = 0; i < ARRAY_SIZE(spec_res_update_fields); i++)
            if (strcasecmp(key, spec_res_update_fields[i].name) == 0)
                break;
        if (i == ARRAY_SIZE(spec_res_update_fields) || val == NULL)
            continue;
        if (!json_object_is_type(val, spec_res_update_fields[i].type) ||
            (spec_res_update_fields[i].go[0] == 'u' && json_object_get_int64(val) < 0)) {
            char kind[48];

            if (json_object_is_type(val, json_type_int))   /* Go names the number */
                snprintf(kind, sizeof kind, "number %lld", (long long)json_object_get_int64(val));
            else
                snprintf(kind, sizeof kind, "%s", json_type_label(val));
            json_object_put(renames);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "json: cannot unmarshal %s into Go struct field "
                                  "UpdateConfig.%s of type %s",
                                  kind, spec_res_update_fields[i].name,
                                  spec_res_update_fields[i].go);
        }
        if (strcmp(key, spec_res_update_fields[i].name) != 0)   /* Go matches any case */
            json_object_object_add(renames, key,
                                   json_object_new_string(spec_res_update_fields[i].name));
    }
    json_object_object_foreach(renames, from, to) {
        struct json_object *v = json_object_get(spec_res_get(body, from));

        json_object_object_del(body, from);
        json_object_object_add(body, json_object_get_string(to), v);
    }
    json_object_put(renames);
    if (spec_res_has(body, "KernelMemory"))   /* removed in API 1.42: ignored */
        json_object_object_del(body, "KernelMemory");
    pl = spec_res_get(body, "PidsLimit");
    if (pl && json_object_get_int64(pl) <= 0)   /* 0 and -1 both mean unlimited */
        json_add_int64(body, "PidsLimit", 0);
    return spec_restart_policy_check(spec_res_get(body, "RestartPolicy"), err);
}

static int
spec_res_conflict(dctl_error_t *err, const char *msg)
{
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s", msg);
}

int
spec_resources_merge(struct json_object *hc, struct json_object *u, dctl_error_t *err)
{
    static const char *const ints[] = { "BlkioWeight", "CpuShares", "NanoCpus", "CpuPeriod",
                                        "CpuQuota", "MemorySwap", "MemoryReservation",
                                        "CpuRealtimePeriod", "CpuRealtimeRuntime" };
    struct json_object *rp = spec_res_get(u, "RestartPolicy"), *v;
    const char *rpn = json_get_string(rp, "Name");
    size_t i;

    if (spec_res_int(u, "NanoCpus") > 0 && spec_res_int(hc, "CpuPeriod") > 0)
        return spec_res_conflict(err, "Conflicting options: Nano CPUs cannot be updated as CPU "
                                      "Period has already been set");
    if (spec_res_int(u, "NanoCpus") > 0 && spec_res_int(hc, "CpuQuota") > 0)
        return spec_res_conflict(err, "Conflicting options: Nano CPUs cannot be updated as CPU "
                                      "Quota has already been set");
    if (spec_res_int(u, "CpuPeriod") > 0 && spec_res_int(hc, "NanoCpus") > 0)
        return spec_res_conflict(err, "Conflicting options: CPU Period cannot be updated as "
                                      "NanoCPUs has already been set");
    if (spec_res_int(u, "CpuQuota") > 0 && spec_res_int(hc, "NanoCpus") > 0)
        return spec_res_conflict(err, "Conflicting options: CPU Quota cannot be updated as "
                                      "NanoCPUs has already been set");
    if (spec_res_int(u, "Memory") != 0 && spec_res_int(u, "Memory") > spec_res_int(hc, "MemorySwap") &&
        spec_res_int(u, "MemorySwap") == 0)
        return spec_res_conflict(err, "Memory limit should be smaller than already set memoryswap "
                                      "limit, update the memoryswap at the same time");
    if (rpn && *rpn && strcmp(rpn, "no") != 0 && json_get_bool(hc, "AutoRemove", false))
        return spec_res_conflict(err, "Restart policy cannot be updated because AutoRemove is "
                                      "enabled for the container");
    for (i = 0; i < ARRAY_SIZE(ints); i++)
        if (spec_res_int(u, ints[i]) != 0)
            json_add_int64(hc, ints[i], spec_res_int(u, ints[i]));
    if (spec_res_int(u, "Memory") != 0)
        json_add_int64(hc, "Memory", spec_res_int(u, "Memory"));
    if (*spec_res_str(u, "CpusetCpus"))
        json_add_string(hc, "CpusetCpus", spec_res_str(u, "CpusetCpus"));
    if (*spec_res_str(u, "CpusetMems"))
        json_add_string(hc, "CpusetMems", spec_res_str(u, "CpusetMems"));
    if ((v = spec_res_get(u, "PidsLimit")) != NULL)
        json_add_int64(hc, "PidsLimit", json_object_get_int64(v));
    if (rpn && *rpn) {
        struct json_object *copy = NULL;

        json_object_deep_copy(rp, &copy, NULL);
        if (spec_res_get(copy, "MaximumRetryCount") == NULL)
            json_add_int64(copy, "MaximumRetryCount", 0);
        json_object_object_add(hc, "RestartPolicy", copy);
    }
    return 0;
}
