/* daemon/sysinfo.c - what the kernel offers containers, read from /proc and
 * /sys the way dockerd's pkg/sysinfo does. */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "daemon/sysinfo.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define SYSINFO_CGROUP2_MAGIC 0x63677270 /* CGROUP2_SUPER_MAGIC */

int
sysinfo_cgroup_version(const char *root)
{
    struct statfs sfs;

    if (statfs(root, &sfs) == 0 && (unsigned long)sfs.f_type == SYSINFO_CGROUP2_MAGIC)
        return 2;
    return 1;
}

static bool
sysinfo_exists(const char *root, const char *rel)
{
    cleanup_free char *path = xasprintf("%s/%s", root, rel);
    struct stat st;

    return stat(path, &st) == 0;
}

/* Whether the space-separated list in root/cgroup.controllers names ctl. */
static bool
sysinfo_has_controller(const char *list, const char *ctl)
{
    size_t n = strlen(ctl);
    const char *p = list;

    while ((p = strstr(p, ctl)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
            return true;
        p += n;
    }
    return false;
}

/* The first line of root/rel without its newline into buf ("" when it cannot be read). */
static void
sysinfo_read_line(const char *root, const char *rel, char *buf, size_t len)
{
    cleanup_free char *path = xasprintf("%s/%s", root, rel);
    cleanup_file FILE *fp = fopen(path, "re");

    buf[0] = '\0';
    if (fp == NULL || fgets(buf, (int)len, fp) == NULL)
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

void
sysinfo_read_cgroup(struct sysinfo *si, const char *root, int version)
{
    si->cgroup_version = version;
    if (version == 2) {
        cleanup_free char *path = xasprintf("%s/cgroup.controllers", root);
        cleanup_file FILE *fp = fopen(path, "re");
        char list[512] = "";
        bool io;

        if (fp && fgets(list, sizeof list, fp) == NULL)
            list[0] = '\0';
        si->memory_limit = si->swap_limit = si->memory_reservation =
            sysinfo_has_controller(list, "memory");
        si->cpu_cfs_period = si->cpu_cfs_quota = si->cpu_shares =
            sysinfo_has_controller(list, "cpu");
        si->cpuset = sysinfo_has_controller(list, "cpuset");
        si->pids_limit = sysinfo_has_controller(list, "pids");
        io = sysinfo_has_controller(list, "io");
        si->blkio_weight = si->blkio_weight_device = si->blkio_read_bps = si->blkio_write_bps =
            si->blkio_read_iops = si->blkio_write_iops = io;
        si->kernel_memory_tcp = false;
        si->oom_kill_disable = false;
        si->memory_swappiness = si->kernel_memory = si->cpu_realtime = false;
        si->freezer = true;
        sysinfo_read_line(root, "cpuset.cpus.effective", si->cpus, sizeof si->cpus);
        sysinfo_read_line(root, "cpuset.mems.effective", si->mems, sizeof si->mems);
        return;
    }
    si->memory_reservation = sysinfo_exists(root, "memory/memory.soft_limit_in_bytes");
    si->memory_swappiness = sysinfo_exists(root, "memory/memory.swappiness");
    si->kernel_memory = sysinfo_exists(root, "memory/memory.kmem.limit_in_bytes");
    si->cpu_realtime = sysinfo_exists(root, "cpu/cpu.rt_runtime_us");
    si->blkio_weight = sysinfo_exists(root, "blkio/blkio.weight") ||
                       sysinfo_exists(root, "blkio/blkio.bfq.weight");
    si->blkio_weight_device = sysinfo_exists(root, "blkio/blkio.weight_device") ||
                              sysinfo_exists(root, "blkio/blkio.bfq.weight_device");
    si->blkio_read_bps = sysinfo_exists(root, "blkio/blkio.throttle.read_bps_device");
    si->blkio_write_bps = sysinfo_exists(root, "blkio/blkio.throttle.write_bps_device");
    si->blkio_read_iops = sysinfo_exists(root, "blkio/blkio.throttle.read_iops_device");
    si->blkio_write_iops = sysinfo_exists(root, "blkio/blkio.throttle.write_iops_device");
    si->freezer = sysinfo_exists(root, "freezer/freezer.state") ||
                  sysinfo_exists(root, "freezer/cgroup.procs");
    sysinfo_read_line(root, "cpuset/cpuset.cpus", si->cpus, sizeof si->cpus);
    sysinfo_read_line(root, "cpuset/cpuset.mems", si->mems, sizeof si->mems);
    si->memory_limit = sysinfo_exists(root, "memory/memory.limit_in_bytes");
    si->swap_limit = sysinfo_exists(root, "memory/memory.memsw.limit_in_bytes");
    si->kernel_memory_tcp = sysinfo_exists(root, "memory/memory.kmem.tcp.limit_in_bytes");
    si->oom_kill_disable = sysinfo_exists(root, "memory/memory.oom_control");
    si->cpu_shares = sysinfo_exists(root, "cpu/cpu.shares");
    si->cpu_cfs_period = sysinfo_exists(root, "cpu/cpu.cfs_period_us");
    si->cpu_cfs_quota = sysinfo_exists(root, "cpu/cpu.cfs_quota_us");
    si->cpuset = sysinfo_exists(root, "cpuset/cpuset.cpus") &&
                 sysinfo_exists(root, "cpuset/cpuset.mems");
    si->pids_limit = sysinfo_exists(root, "pids");
}

bool
sysinfo_read_flag(const char *path)
{
    cleanup_file FILE *fp = fopen(path, "re");
    long v;

    return fp && fscanf(fp, "%ld", &v) == 1 && v != 0;
}

int
sysinfo_count_entries(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *de;
    int n = 0;

    if (dir == NULL)
        return -1;
    while ((de = readdir(dir)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(dir);
    return n;
}

char *
sysinfo_mask_proxy(const char *url)
{
    const char *scheme, *start, *at, *slash;

    if (url == NULL)
        return NULL;
    scheme = strstr(url, "://");
    start = scheme ? scheme + 3 : url;
    at = strchr(start, '@');
    slash = strchr(start, '/');
    if (at == NULL || (slash && slash < at))
        return xstrdup(url);
    return xasprintf("%.*sxxxxx:xxxxx%s", (int)(start - url), url, at);
}

void
sysinfo_read(struct sysinfo *si)
{
    const char *root = getenv("DCTL_CGROUP_ROOT"), *version = getenv("DCTL_CGROUP_VERSION");
    cpu_set_t set;
    int n;

    memset(si, 0, sizeof *si);
    if (root && *root)
        sysinfo_read_cgroup(si, root, version && atoi(version) == 2 ? 2 : 1);
    else
        sysinfo_read_cgroup(si, SYSINFO_CGROUP_ROOT, sysinfo_cgroup_version(SYSINFO_CGROUP_ROOT));
    si->cgroup_ns = access("/proc/self/ns/cgroup", F_OK) == 0;
    si->ipv4_forwarding = sysinfo_read_flag("/proc/sys/net/ipv4/ip_forward");
    si->bridge_nf_iptables = sysinfo_read_flag("/proc/sys/net/bridge/bridge-nf-call-iptables");
    si->bridge_nf_ip6tables =
        sysinfo_read_flag("/proc/sys/net/bridge/bridge-nf-call-ip6tables");
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        si->ncpu = CPU_COUNT(&set);
    if (si->ncpu <= 0)
        si->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    /* the directory stream counted is one of our fds only while we count */
    n = sysinfo_count_entries("/proc/self/fd");
    si->nfd = n > 0 ? n - 1 : 0;
    n = sysinfo_count_entries("/proc/self/task");
    si->nthreads = n > 0 ? n : 1;
}
