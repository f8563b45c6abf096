/* drivers/exec/native-cgroup.c - the native exec driver's side of a container's cgroup
 * (see native-cgroup.h): Docker's stats shape as moby's collector fills it (cgroup v1:
 * percpu_usage, max_usage and failcnt too; the memory limit of an unlimited container is
 * the machine's memory; system_cpu_usage from the first line of /proc/stat). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "drivers/exec/native-cgroup.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

int
native_cgroup_host(struct cgroup_host *h, dctl_error_t *err)
{
    return cgroup_host_open_env(h, err);
}

char *
native_cgroup_path_read(const char *dir)
{
    cleanup_free char *path = xasprintf("%s/config.json", dir);
    cleanup_free char *text = NULL;
    cleanup_json struct json_object *spec = NULL;
    struct json_object *linux_ = NULL;
    const char *cg;
    char clean[CGROUP_PATH_MAX];
    dctl_error_t err = NULL;
    size_t len = 0;

    text = file_read_all(AT_FDCWD, path, &len, NULL);
    if (text == NULL || (spec = json_parse_object(text, len, "spec", NULL)) == NULL ||
        !json_object_object_get_ex(spec, "linux", &linux_))
        return NULL;
    cg = json_get_string(linux_, "cgroupsPath");
    if (cg == NULL || *cg == '\0' || cgroup_path_clean(cg, clean, sizeof clean, &err) < 0) {
        dctl_error_free(err);
        return NULL;
    }
    return xstrdup(clean);
}

/* /proc/stat's first line (user nice system idle iowait irq softirq) in ns, and the
 * number of cpuN lines. */
static void
native_cgroup_system_cpu(uint64_t *ns, unsigned int *ncpu)
{
    cleanup_file FILE *f = fopen("/proc/stat", "re");
    char line[512];
    long hz = sysconf(_SC_CLK_TCK);

    *ns = 0;
    *ncpu = 0;
    if (hz <= 0)
        hz = 100;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long v[7];

        if (strncmp(line, "cpu ", 4) == 0 &&
            sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6]) == 7) {
            uint64_t ticks = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6];

            *ns = ticks * (1000000000ULL / (uint64_t)hz);
        } else if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
            (*ncpu)++;
        } else if (strncmp(line, "cpu", 3) != 0) {
            break;
        }
    }
}

static struct json_object *
native_cgroup_u64(uint64_t v)
{
    return json_object_new_uint64(v);
}

static struct json_object *
native_cgroup_blkio(const struct cgroup_blkio_entry *e, size_t n, bool has)
{
    struct json_object *a;
    size_t i;

    if (!has)
        return NULL;
    a = json_object_new_array();
    for (i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();

        json_add_int64(o, "major", e[i].major);
        json_add_int64(o, "minor", e[i].minor);
        json_add_string(o, "op", e[i].op);
        json_object_object_add(o, "value", native_cgroup_u64(e[i].value));
        json_object_array_add(a, o);
    }
    return a;
}

/* The interfaces of pid's network namespace but lo, from /proc/PID/net/dev; NULL when
 * it is the host's (host networking has no container interfaces, as for dockerd). */
static struct json_object *
native_cgroup_networks(pid_t pid)
{
    char path[64], line[512];
    struct stat a, b;
    struct json_object *nets = NULL;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    if (pid <= 0 || stat(path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0 ||
        (a.st_ino == b.st_ino && a.st_dev == b.st_dev))
        return NULL;
    snprintf(path, sizeof path, "/proc/%d/net/dev", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return NULL;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v[16];
        char *colon = strchr(line, ':'), *name = line;
        struct json_object *o;

        if (colon == NULL)
            continue;   /* the two header lines */
        *colon = '\0';
        while (*name == ' ')
            name++;
        if (strcmp(name, "lo") == 0 ||
            sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
                   &v[11]) != 12)
            continue;
        o = json_object_new_object();
        json_object_object_add(o, "rx_bytes", native_cgroup_u64(v[0]));
        json_object_object_add(o, "rx_packets", native_cgroup_u64(v[1]));
        json_object_object_add(o, "rx_errors", native_cgroup_u64(v[2]));
        json_object_object_add(o, "rx_dropped", native_cgroup_u64(v[3]));
        json_object_object_add(o, "tx_bytes", native_cgroup_u64(v[8]));
        json_object_object_add(o, "tx_packets", native_cgroup_u64(v[9]));
        json_object_object_add(o, "tx_errors", native_cgroup_u64(v[10]));
        json_object_object_add(o, "tx_dropped", native_cgroup_u64(v[11]));
        if (nets == NULL)
            nets = json_object_new_object();
        json_object_object_add(nets, name, o);
    }
    fclose(f);
    return nets;
}

int
native_cgroup_stats_json(const struct cgroup_host *h, const char *path, pid_t init_pid,
                         char **json, dctl_error_t *err)
{
    cleanup_free struct cgroup_stats *st = xcalloc(1, sizeof *st);
    cleanup_json struct json_object *o = json_object_new_object();
    struct json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
    struct json_object *thr = json_object_new_object(), *mem = json_object_new_object();
    struct json_object *pids = json_object_new_object(), *bio = json_object_new_object();
    struct json_object *nets;
    struct sysinfo si;
    uint64_t sys_ns, machine = 0;
    unsigned int ncpu;
    size_t i;

    json_object_object_add(o, "cpu_stats", cpu);
    json_object_object_add(o, "memory_stats", mem);
    json_object_object_add(o, "pids_stats", pids);
    json_object_object_add(o, "blkio_stats", bio);
    json_add_int64(o, "num_procs", 0);
    json_object_object_add(o, "storage_stats", json_object_new_object());
    if (cgroup_stats_read(h, path, st, err) < 0)
        return -1;
    native_cgroup_system_cpu(&sys_ns, &ncpu);
    /* cpu */
    json_object_object_add(cpu, "cpu_usage", usage);
    json_object_object_add(usage, "total_usage", native_cgroup_u64(st->cpu_total_ns));
    if (st->version == 1) {
        struct json_object *per = json_object_new_array();

        for (i = 0; i < st->npercpu; i++)
            json_object_array_add(per, native_cgroup_u64(st->percpu_ns[i]));
        json_object_object_add(usage, "percpu_usage", per);
    }
    json_object_object_add(usage, "usage_in_kernelmode", native_cgroup_u64(st->cpu_system_ns));
    json_object_object_add(usage, "usage_in_usermode", native_cgroup_u64(st->cpu_user_ns));
    json_object_object_add(cpu, "system_cpu_usage", native_cgroup_u64(sys_ns));
    json_add_int64(cpu, "online_cpus", ncpu ? ncpu : (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
    json_object_object_add(thr, "periods", native_cgroup_u64(st->nr_periods));
    json_object_object_add(thr, "throttled_periods", native_cgroup_u64(st->nr_throttled));
    json_object_object_add(thr, "throttled_time", native_cgroup_u64(st->throttled_ns));
    json_object_object_add(cpu, "throttling_data", thr);
    /* memory: an unlimited container's limit is the machine's memory, as dockerd says */
    if (st->has_memory) {
        struct json_object *stats = json_object_new_object();

        if (sysinfo(&si) == 0)
            machine = (uint64_t)si.totalram * si.mem_unit;
        json_object_object_add(mem, "usage", native_cgroup_u64(st->mem_usage));
        if (st->version == 1) {
            json_object_object_add(mem, "max_usage", native_cgroup_u64(st->mem_max_usage));
            json_object_object_add(mem, "failcnt", native_cgroup_u64(st->mem_failcnt));
        }
        for (i = 0; i < st->nmem_stat; i++)
            json_object_object_add(stats, st->mem_stat[i].key,
                                   native_cgroup_u64(st->mem_stat[i].value));
        json_object_object_add(mem, "stats", stats);
        json_object_object_add(mem, "limit", native_cgroup_u64(machine && st->mem_limit > machine
                                                                   ? machine : st->mem_limit));
    }
    /* pids */
    if (st->has_pids) {
        json_object_object_add(pids, "current", native_cgroup_u64(st->pids_current));
        if (st->pids_limit)
            json_object_object_add(pids, "limit", native_cgroup_u64(st->pids_limit));
    }
    /* block I/O: what the throttle files count on v1, io.stat on v2 */
    json_object_object_add(bio, "io_service_bytes_recursive",
                           native_cgroup_blkio(st->io_bytes, st->nio_bytes, st->has_blkio));
    json_object_object_add(bio, "io_serviced_recursive",
                           st->version == 1 ? native_cgroup_blkio(st->io_ios, st->nio_ios,
                                                                  st->has_blkio)
                                            : NULL);
    json_object_object_add(bio, "io_queue_recursive", NULL);
    json_object_object_add(bio, "io_service_time_recursive", NULL);
    json_object_object_add(bio, "io_wait_time_recursive", NULL);
    json_object_object_add(bio, "io_merged_recursive", NULL);
    json_object_object_add(bio, "io_time_recursive", NULL);
    json_object_object_add(bio, "sectors_recursive", NULL);
    if ((nets = native_cgroup_networks(init_pid)) != NULL)
        json_object_object_add(o, "networks", nets);
    *json = json_to_string(o);
    return 0;
}

int
native_cgroup_update(const struct cgroup_host *h, const char *path, const char *resources_json,
                     dctl_error_t *err)
{
    cleanup_json struct json_object *res = NULL;
    cleanup_free struct cgroup_resources *r = xcalloc(1, sizeof *r);

    res = json_parse_object(resources_json, strlen(resources_json), "resources", err);
    if (res == NULL || cgroup_resources_parse(res, r, err) < 0)
        return -1;
    r->has_devices = false;   /* an update changes limits, not the device rules */
    return cgroup_apply(h, path, r, err);
}
