/* lib/cgroup.c - a container's cgroup on cgroupfs, v1 and v2 (see cgroup.h). The v2
 * device filter is in cgroup-devices.c. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/cgroup-devices.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define CGROUP_V1_MAGIC 0x27e0eb   /* CGROUP_SUPER_MAGIC */
#define CGROUP_V2_MAGIC 0x63677270 /* CGROUP2_SUPER_MAGIC */
#define CGROUP_REMOVE_TRIES 50     /* 1 ms apart: the last tasks leaving */

static const struct {
    const char *name;
    unsigned int bit;
} cgroup_ctrl_names[] = {
    { "cpu", CGROUP_CPU },         { "cpuacct", CGROUP_CPUACCT },   { "cpuset", CGROUP_CPUSET },
    { "memory", CGROUP_MEMORY },   { "pids", CGROUP_PIDS },         { "blkio", CGROUP_BLKIO },
    { "io", CGROUP_BLKIO },        { "freezer", CGROUP_FREEZER },   { "devices", CGROUP_DEVICES },
    { "hugetlb", CGROUP_HUGETLB }, { "net_cls", CGROUP_NET_CLS },   { "net_prio", CGROUP_NET_PRIO },
    { "perf_event", CGROUP_PERF_EVENT }, { "rdma", CGROUP_RDMA },   { "misc", CGROUP_MISC },
};

static unsigned int
cgroup_ctrl_bit(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof cgroup_ctrl_names / sizeof cgroup_ctrl_names[0]; i++)
        if (strlen(cgroup_ctrl_names[i].name) == len &&
            strncmp(cgroup_ctrl_names[i].name, name, len) == 0)
            return cgroup_ctrl_names[i].bit;
    return 0;
}

/* Bits of a list of names separated by any of seps ("cpu,cpuacct", "cpu io memory"). */
static unsigned int
cgroup_ctrl_list(const char *list, const char *seps)
{
    unsigned int bits = 0;
    const char *p = list;

    while (*p) {
        size_t n = strcspn(p, seps);

        bits |= cgroup_ctrl_bit(p, n);
        p += n;
        p += strspn(p, seps);
    }
    return bits;
}

/* ---- files ------------------------------------------------------------------------- */

static int
cgroup_fail(dctl_error_t *err, int e, const char *what, const char *path)
{
    return dctl_error_set(err, e == EINVAL || e == ERANGE ? DCTL_ERR_INVALID : DCTL_ERR_INTERNAL,
                          e, "cgroup: %s %s", what, path);
}

/* Reads a small file into buf (NUL-terminated); its length, or -1 with errno. */
static ssize_t
cgroup_read(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t have = 0;
    ssize_t n;

    if (fd < 0)
        return -1;
    while (have < len - 1) {
        n = read(fd, buf + have, len - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;

            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    buf[have] = '\0';
    return (ssize_t)have;
}

/* Writes value to path: 0; 1 when the file does not exist (no such controller or
 * setting here); -1 with errno. append: for files that take one entry per write
 * (cgroup.procs, devices.allow, io.max): on cgroupfs the same, in a fake tree every
 * entry stays. create: a fake tree's file is made as the kernel would have made it. */
static int
cgroup_write_file(const char *path, const char *value, bool append, bool create)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC) |
                            (create ? O_CREAT : 0), 0644);
    size_t len = strlen(value);
    ssize_t n;

    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    do
        n = write(fd, value, len);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    close(fd);
    return 0;
}

static int
cgroup_write(const char *path, const char *value, bool append)
{
    return cgroup_write_file(path, value, append, false);
}

int
cgroup_file_path(const struct cgroup_host *h, const struct cgroup_hier *hi, const char *path,
                 const char *file, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s%s%s%s%s", h->root, hi->name[0] ? "/" : "", hi->name,
                     path ? path : "", file ? "/" : "", file ? file : "");

    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

const struct cgroup_hier *
cgroup_host_hier(const struct cgroup_host *h, unsigned int ctrl)
{
    size_t i;

    if (h->version == 2) {
        for (i = 0; i < h->nhier; i++)
            if (h->hier[i].v2)
                return &h->hier[i];
        return NULL;
    }
    for (i = 0; i < h->nhier; i++)
        if (!h->hier[i].v2 && (h->hier[i].ctrls & ctrl))
            return &h->hier[i];
    return NULL;
}

/* Writes value to FILE of path in the hierarchy of ctrl; missing hierarchy or file: 0. */
static int
cgroup_set(const struct cgroup_host *h, unsigned int ctrl, const char *path, const char *file,
           const char *value, bool append, dctl_error_t *err)
{
    const struct cgroup_hier *hi = cgroup_host_hier(h, ctrl);
    char p[PATH_MAX];
    int rc;

    if (hi == NULL)
        return 0;
    if (cgroup_file_path(h, hi, path, file, p, sizeof p) < 0)
        return cgroup_fail(err, errno, "write", file);
    rc = cgroup_write_file(p, value, append, h->fake);
    if (rc < 0)
        return dctl_error_set(err, errno == EINVAL || errno == ERANGE ? DCTL_ERR_INVALID
                                                                       : DCTL_ERR_INTERNAL,
                              errno, "cgroup: write \"%s\" to %s", value, p);
    return 0;
}

static int
cgroup_set_int(const struct cgroup_host *h, unsigned int ctrl, const char *path,
               const char *file, int64_t v, dctl_error_t *err)
{
    char s[32];

    snprintf(s, sizeof s, "%lld", (long long)v);
    return cgroup_set(h, ctrl, path, file, s, false, err);
}

/* Reads FILE of path in the hierarchy of ctrl into buf; -1 (errno) if it cannot. */
static ssize_t
cgroup_get(const struct cgroup_host *h, unsigned int ctrl, const char *path, const char *file,
           char *buf, size_t len)
{
    const struct cgroup_hier *hi = cgroup_host_hier(h, ctrl);
    char p[PATH_MAX];

    if (hi == NULL) {
        errno = ENOENT;
        return -1;
    }
    if (cgroup_file_path(h, hi, path, file, p, sizeof p) < 0)
        return -1;
    return cgroup_read(p, buf, len);
}

static bool
cgroup_get_u64(const struct cgroup_host *h, unsigned int ctrl, const char *path,
               const char *file, uint64_t *out)
{
    char buf[64], *end;

    if (cgroup_get(h, ctrl, path, file, buf, sizeof buf) <= 0)
        return false;
    if (strncmp(buf, "max", 3) == 0) {
        *out = UINT64_MAX;
        return true;
    }
    errno = 0;
    *out = strtoull(buf, &end, 10);
    return errno == 0 && end != buf;
}

int
cgroup_kv_find(const char *text, const char *key, uint64_t *out)
{
    size_t n = strlen(key);
    const char *p = text;

    while (p && *p) {
        if (strncmp(p, key, n) == 0 && p[n] == ' ') {
            *out = strtoull(p + n + 1, NULL, 10);
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

/* ---- the host ------------------------------------------------------------------------ */

static void
cgroup_host_add(struct cgroup_host *h, const char *name, unsigned int ctrls, bool v2)
{
    struct cgroup_hier *hi;

    if (h->nhier == CGROUP_HIER_MAX || strlen(name) >= sizeof hi->name)
        return;
    hi = &h->hier[h->nhier++];
    memcpy(hi->name, name, strlen(name) + 1);
    hi->ctrls = ctrls;
    hi->v2 = v2;
    h->ctrls |= ctrls;
}

/* The controllers listed in dir/cgroup.controllers; v2 always has freezing and devices. */
static unsigned int
cgroup_v2_controllers(const char *dir)
{
    char path[PATH_MAX], list[512];

    snprintf(path, sizeof path, "%s/cgroup.controllers", dir);
    if (cgroup_read(path, list, sizeof list) < 0)
        list[0] = '\0';
    return cgroup_ctrl_list(list, " \n") | CGROUP_FREEZER | CGROUP_DEVICES;
}

int
cgroup_host_open(struct cgroup_host *h, const char *root, int version, dctl_error_t *err)
{
    bool detect = version == 0;
    struct statfs sfs;
    struct dirent *de;
    DIR *d;

    memset(h, 0, sizeof *h);
    if (root == NULL)
        root = CGROUP_ROOT;
    if (snprintf(h->root, sizeof h->root, "%s", root) >= (int)sizeof h->root)
        return dctl_error_set(err, DCTL_ERR_INVALID, ENAMETOOLONG, "cgroup root %s", root);
    if (detect) {
        if (statfs(root, &sfs) < 0)
            return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "cgroup root %s", root);
        version = (unsigned long)sfs.f_type == CGROUP_V2_MAGIC ? 2 : 1;
    }
    h->version = version;
    if (version == 2) {
        cgroup_host_add(h, "", cgroup_v2_controllers(root), true);
        h->fake = statfs(root, &sfs) < 0 || (unsigned long)sfs.f_type != CGROUP_V2_MAGIC;
        return 0;
    }
    h->fake = true;   /* until a hierarchy is a cgroup mount */
    d = opendir(root);
    if (d == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "cgroup root %s", root);
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        bool v2 = strcmp(de->d_name, "unified") == 0;

        if (de->d_name[0] == '.' ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            continue;   /* cpu -> cpu,cpuacct and the like are links to a real one */
        snprintf(path, sizeof path, "%s/%s", root, de->d_name);
        if (statfs(path, &sfs) == 0 && ((unsigned long)sfs.f_type == CGROUP_V2_MAGIC ||
                                        (unsigned long)sfs.f_type == CGROUP_V1_MAGIC)) {
            v2 = (unsigned long)sfs.f_type == CGROUP_V2_MAGIC;
            h->fake = false;
        } else if (detect) {
            continue;
        }
        /* "systemd" (name=systemd) has no controllers but is joined all the same */
        cgroup_host_add(h, de->d_name, v2 ? 0 : cgroup_ctrl_list(de->d_name, ","), v2);
    }
    closedir(d);
    if (h->nhier == 0)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "no cgroup hierarchy under %s",
                              root);
    return 0;
}

int
cgroup_host_open_env(struct cgroup_host *h, dctl_error_t *err)
{
    const char *root = getenv("DCTL_CGROUP_ROOT"), *version = getenv("DCTL_CGROUP_VERSION");

    if (root && *root)
        return cgroup_host_open(h, root, version && atoi(version) == 2 ? 2 : 1, err);
    return cgroup_host_open(h, NULL, 0, err);
}

int
cgroup_path_clean(const char *path, char *out, size_t len, dctl_error_t *err)
{
    size_t o = 0;
    const char *p = path;

    if (path == NULL || path[0] != '/')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "cgroup path \"%s\" is not absolute",
                              path ? path : "");
    while (*p) {
        size_t n;

        p += strspn(p, "/");
        n = strcspn(p, "/");
        if (n == 0)
            break;
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "cgroup path \"%s\" has a \".\" or \"..\" component", path);
        if (o + n + 2 > len)
            return dctl_error_set(err, DCTL_ERR_INVALID, ENAMETOOLONG, "cgroup path \"%s\"",
                                  path);
        out[o++] = '/';
        memcpy(out + o, p, n);
        o += n;
        p += n;
    }
    if (o == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "cgroup path \"%s\" is the root", path);
    out[o] = '\0';
    return 0;
}

/* ---- resources ------------------------------------------------------------------------- */

void
cgroup_resources_init(struct cgroup_resources *r)
{
    memset(r, 0, sizeof *r);
    r->mem_limit = r->mem_reservation = r->mem_swap = r->mem_kernel_tcp = r->mem_swappiness =
        CGROUP_UNSET;
    r->disable_oom_killer = -1;
    r->cpu_shares = r->cpu_quota = r->cpu_period = r->cpu_rt_runtime = r->cpu_rt_period =
        CGROUP_UNSET;
    r->pids_limit = CGROUP_UNSET;
    r->blkio_weight = r->blkio_leaf_weight = CGROUP_UNSET;
}

static struct json_object *
cgroup_json_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static int
cgroup_json_int(struct json_object *o, const char *key, int64_t *out, dctl_error_t *err)
{
    struct json_object *v = cgroup_json_get(o, key);

    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: %s is not an integer",
                              key);
    *out = json_object_get_int64(v);
    return 0;
}

static int
cgroup_json_str(struct json_object *o, const char *key, char *out, size_t len, dctl_error_t *err)
{
    struct json_object *v = cgroup_json_get(o, key);

    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string) ||
        snprintf(out, len, "%s", json_object_get_string(v)) >= (int)len)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: bad %s", key);
    return 0;
}

static int
cgroup_json_devs(struct json_object *o, const char *key, const char *vkey,
                 struct cgroup_blkio_dev *v, size_t *n, dctl_error_t *err)
{
    struct json_object *a = cgroup_json_get(o, key);
    size_t i, len;

    if (a == NULL)
        return 0;
    if (!json_object_is_type(a, json_type_array))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: %s is not a list", key);
    len = json_object_array_length(a);
    if (len > CGROUP_BLKIO_DEVICES_MAX)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: too many %s", key);
    for (i = 0; i < len; i++) {
        struct json_object *e = json_object_array_get_idx(a, i);

        v[i].major = v[i].minor = -1;
        v[i].value = CGROUP_UNSET;
        if (cgroup_json_int(e, "major", &v[i].major, err) < 0 ||
            cgroup_json_int(e, "minor", &v[i].minor, err) < 0 ||
            cgroup_json_int(e, vkey, &v[i].value, err) < 0)
            return -1;
        if (v[i].major < 0 || v[i].minor < 0 || v[i].value == CGROUP_UNSET || v[i].value < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: bad %s entry",
                                  key);
    }
    *n = len;
    return 0;
}

static int
cgroup_json_rules(struct json_object *a, struct cgroup_resources *r, dctl_error_t *err)
{
    size_t i, len;

    if (!json_object_is_type(a, json_type_array))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: devices is not a list");
    len = json_object_array_length(a);
    if (len > CGROUP_DEVICES_MAX)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources: too many device rules");
    for (i = 0; i < len; i++) {
        struct json_object *e = json_object_array_get_idx(a, i), *allow = cgroup_json_get(e, "allow");
        struct cgroup_device_rule *d = &r->devices[i];
        char type[4] = "a", access[8] = "rwm";
        size_t k;

        if (allow == NULL || !json_object_is_type(allow, json_type_boolean))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "linux.resources: device rule %zu has no \"allow\"", i);
        d->allow = json_object_get_boolean(allow);
        d->major = d->minor = -1;
        if (cgroup_json_str(e, "type", type, sizeof type, err) < 0 ||
            cgroup_json_str(e, "access", access, sizeof access, err) < 0 ||
            cgroup_json_int(e, "major", &d->major, err) < 0 ||
            cgroup_json_int(e, "minor", &d->minor, err) < 0)
            return -1;
        if (type[0] == '\0')
            type[0] = 'a';
        if ((type[0] != 'a' && type[0] != 'c' && type[0] != 'b') || type[1] != '\0')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "linux.resources: device rule %zu: bad type \"%s\"", i, type);
        if (access[0] == '\0')
            snprintf(access, sizeof access, "rwm");
        for (k = 0; access[k]; k++)
            if (!strchr("rwm", access[k]) || strchr(access + k + 1, access[k]))
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "linux.resources: device rule %zu: bad access \"%s\"", i,
                                      access);
        if (d->major < -1 || d->minor < -1)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "linux.resources: device rule %zu: bad number", i);
        d->type = type[0];
        snprintf(d->access, sizeof d->access, "%s", access);
    }
    r->ndevices = len;
    r->has_devices = true;
    return 0;
}

int
cgroup_resources_parse(struct json_object *res, struct cgroup_resources *r, dctl_error_t *err)
{
    struct json_object *mem, *cpu, *pids, *bio, *dev, *v;
    static const char *const throttle_keys[4] = { "throttleReadBpsDevice",
                                                  "throttleWriteBpsDevice",
                                                  "throttleReadIOPSDevice",
                                                  "throttleWriteIOPSDevice" };
    size_t i;

    cgroup_resources_init(r);
    if (res == NULL)
        return 0;
    if (!json_object_is_type(res, json_type_object))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "linux.resources is not an object");
    mem = cgroup_json_get(res, "memory");
    cpu = cgroup_json_get(res, "cpu");
    pids = cgroup_json_get(res, "pids");
    bio = cgroup_json_get(res, "blockIO");
    dev = cgroup_json_get(res, "devices");
    if (cgroup_json_int(mem, "limit", &r->mem_limit, err) < 0 ||
        cgroup_json_int(mem, "reservation", &r->mem_reservation, err) < 0 ||
        cgroup_json_int(mem, "swap", &r->mem_swap, err) < 0 ||
        cgroup_json_int(mem, "kernelTCP", &r->mem_kernel_tcp, err) < 0 ||
        cgroup_json_int(mem, "swappiness", &r->mem_swappiness, err) < 0)
        return -1;
    if ((v = cgroup_json_get(mem, "disableOOMKiller")) != NULL) {
        if (!json_object_is_type(v, json_type_boolean))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "linux.resources: disableOOMKiller is not a boolean");
        r->disable_oom_killer = json_object_get_boolean(v) ? 1 : 0;
    }
    if (cgroup_json_int(cpu, "shares", &r->cpu_shares, err) < 0 ||
        cgroup_json_int(cpu, "quota", &r->cpu_quota, err) < 0 ||
        cgroup_json_int(cpu, "period", &r->cpu_period, err) < 0 ||
        cgroup_json_int(cpu, "realtimeRuntime", &r->cpu_rt_runtime, err) < 0 ||
        cgroup_json_int(cpu, "realtimePeriod", &r->cpu_rt_period, err) < 0 ||
        cgroup_json_str(cpu, "cpus", r->cpus, sizeof r->cpus, err) < 0 ||
        cgroup_json_str(cpu, "mems", r->mems, sizeof r->mems, err) < 0 ||
        cgroup_json_int(pids, "limit", &r->pids_limit, err) < 0 ||
        cgroup_json_int(bio, "weight", &r->blkio_weight, err) < 0 ||
        cgroup_json_int(bio, "leafWeight", &r->blkio_leaf_weight, err) < 0 ||
        cgroup_json_devs(bio, "weightDevice", "weight", r->weight_dev, &r->nweight_dev, err) < 0)
        return -1;
    for (i = 0; i < 4; i++)
        if (cgroup_json_devs(bio, throttle_keys[i], "rate", r->throttle[i], &r->nthrottle[i],
                             err) < 0)
            return -1;
    if (dev && cgroup_json_rules(dev, r, err) < 0)
        return -1;
    return 0;
}

/* ---- create, enter, remove ------------------------------------------------------------ */

uint64_t
cgroup_shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
cgroup_blkio_to_io_weight(uint64_t weight)
{
    if (weight == 0)
        return 0;
    if (weight < 10)
        weight = 10;
    if (weight > 1000)
        weight = 1000;
    return 1 + (weight - 10) * 9999 / 990;
}

/* v1 cpuset: a new cgroup's cpus and mems are empty and no task may enter until they are
 * set; they are copied from the parent (which got them the same way). */
static void
cgroup_cpuset_inherit(const char *dir)
{
    static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
    char path[PATH_MAX + 32], parent[PATH_MAX], val[512];
    size_t i;
    char *slash;

    snprintf(parent, sizeof parent, "%s", dir);
    slash = strrchr(parent, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (cgroup_read(path, val, sizeof val) < 0 || strspn(val, " \n") != strlen(val))
            continue;   /* missing, or already set */
        snprintf(path, sizeof path, "%s/%s", parent, files[i]);
        if (cgroup_read(path, val, sizeof val) <= 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        cgroup_write(path, val, false);
    }
}

/* v2: the parent at dir lets its children use what it has (best effort, one at a time:
 * a controller the kernel refuses must not stop the others). */
static void
cgroup_v2_enable(const char *dir)
{
    static const char *const want[] = { "cpu", "cpuset", "io", "memory", "pids", "hugetlb",
                                        "rdma", "misc" };
    char path[PATH_MAX + 32], have[512], sub[512], ctl[32];
    size_t i;

    snprintf(path, sizeof path, "%s/cgroup.controllers", dir);
    if (cgroup_read(path, have, sizeof have) < 0)
        return;
    snprintf(path, sizeof path, "%s/cgroup.subtree_control", dir);
    if (cgroup_read(path, sub, sizeof sub) < 0)
        sub[0] = '\0';
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        unsigned int bit = cgroup_ctrl_bit(want[i], strlen(want[i]));

        if (!(cgroup_ctrl_list(have, " \n") & bit) || (cgroup_ctrl_list(sub, " \n") & bit))
            continue;
        snprintf(ctl, sizeof ctl, "+%s", want[i]);
        cgroup_write(path, ctl, true);
    }
}

int
cgroup_create(const struct cgroup_host *h, const char *path, dctl_error_t *err)
{
    size_t i;

    for (i = 0; i < h->nhier; i++) {
        const struct cgroup_hier *hi = &h->hier[i];
        char dir[PATH_MAX];
        size_t base, k;

        if (cgroup_file_path(h, hi, path, NULL, dir, sizeof dir) < 0)
            return cgroup_fail(err, errno, "create", path);
        base = strlen(dir) - strlen(path);
        /* each component below the hierarchy's root, in order */
        for (k = base + 1; k <= strlen(dir); k++) {
            char save;

            if (dir[k] != '/' && dir[k] != '\0')
                continue;
            save = dir[k];
            dir[k] = '\0';
            if (hi->v2 && h->version == 2) {
                char parent[PATH_MAX];

                snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(dir, '/') - dir), dir);
                cgroup_v2_enable(parent);
            }
            if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return cgroup_fail(err, errno, "create", dir);
            if (hi->ctrls & CGROUP_CPUSET)
                cgroup_cpuset_inherit(dir);
            dir[k] = save;
        }
    }
    return 0;
}

int
cgroup_enter(const struct cgroup_host *h, const char *path, pid_t pid, dctl_error_t *err)
{
    char p[PATH_MAX], s[24];
    size_t i;

    snprintf(s, sizeof s, "%d", (int)pid);
    for (i = 0; i < h->nhier; i++) {
        int rc;

        if (cgroup_file_path(h, &h->hier[i], path, "cgroup.procs", p, sizeof p) < 0)
            return cgroup_fail(err, errno, "enter", path);
        rc = cgroup_write_file(p, s, true, h->fake && cgroup_exists(h, path));
        if (rc != 0)
            return cgroup_fail(err, rc > 0 ? ENOENT : errno, "enter", p);
    }
    return 0;
}

bool
cgroup_exists(const struct cgroup_host *h, const char *path)
{
    char p[PATH_MAX];
    struct stat st;

    return h->nhier > 0 && cgroup_file_path(h, &h->hier[0], path, NULL, p, sizeof p) == 0 &&
           stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
cgroup_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

int
cgroup_remove(const struct cgroup_host *h, const char *path, dctl_error_t *err)
{
    size_t i;

    for (i = 0; i < h->nhier; i++) {
        char dir[PATH_MAX];
        int tries = 0;

        if (cgroup_file_path(h, &h->hier[i], path, NULL, dir, sizeof dir) < 0)
            return cgroup_fail(err, errno, "remove", path);
        while (rmdir(dir) < 0) {
            if (errno == ENOENT)
                break;
            if (errno != EBUSY || ++tries >= CGROUP_REMOVE_TRIES)
                return cgroup_fail(err, errno, "remove", dir);
            cgroup_sleep_ms(1);
        }
    }
    return 0;
}

ssize_t
cgroup_pids(const struct cgroup_host *h, const char *path, pid_t **pids, dctl_error_t *err)
{
    const struct cgroup_hier *hi = h->version == 2 ? cgroup_host_hier(h, 0) : NULL;
    char p[PATH_MAX], line[32];
    size_t n = 0, cap = 16, i;
    FILE *f;

    /* v1: every hierarchy holds every task; the first one that is not the unified one */
    for (i = 0; hi == NULL && i < h->nhier; i++)
        if (!h->hier[i].v2)
            hi = &h->hier[i];
    if (hi == NULL)
        hi = &h->hier[0];
    if (cgroup_file_path(h, hi, path, "cgroup.procs", p, sizeof p) < 0)
        return cgroup_fail(err, errno, "read", path);
    f = fopen(p, "re");
    if (f == NULL)
        return cgroup_fail(err, errno, "read", p);
    *pids = xcalloc(cap, sizeof **pids);
    while (fgets(line, sizeof line, f)) {
        long v = strtol(line, NULL, 10);

        if (v <= 0)
            continue;
        if (n == cap)
            *pids = xrealloc(*pids, (cap *= 2) * sizeof **pids);
        (*pids)[n++] = (pid_t)v;
    }
    fclose(f);
    return (ssize_t)n;
}

int
cgroup_kill(const struct cgroup_host *h, const char *path, int timeout_ms, dctl_error_t *err)
{
    long waited = 0;
    bool killed_v2 = false;

    if (h->fake || !cgroup_exists(h, path))
        return 0;   /* a test tree lists pids that are not its own: none is killed */
    if (h->version == 2) {
        const struct cgroup_hier *hi = cgroup_host_hier(h, 0);
        char p[PATH_MAX];

        if (hi && cgroup_file_path(h, hi, path, "cgroup.kill", p, sizeof p) == 0 &&
            cgroup_write(p, "1", false) == 0)
            killed_v2 = true;
    }
    for (;;) {
        cleanup_free pid_t *pids = NULL;
        ssize_t n = cgroup_pids(h, path, &pids, err), i;

        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (waited >= timeout_ms)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, ETIMEDOUT,
                                  "cgroup: %zd processes left in %s", n, path);
        if (!killed_v2) {
            /* frozen, nothing forks meanwhile; SIGKILL reaches a frozen task once thawed */
            cgroup_freeze(h, path, true, NULL);
            for (i = 0; i < n; i++)
                kill(pids[i], SIGKILL);
            cgroup_freeze(h, path, false, NULL);
        }
        cgroup_sleep_ms(2);
        waited += 2;
    }
}

/* ---- apply ------------------------------------------------------------------------------ */

static void
cgroup_dev_line(char *buf, size_t len, const struct cgroup_blkio_dev *d, const char *fmt)
{
    snprintf(buf, len, "%lld:%lld ", (long long)d->major, (long long)d->minor);
    snprintf(buf + strlen(buf), len - strlen(buf), fmt, (long long)d->value);
}

static int
cgroup_apply_v1_memory(const struct cgroup_host *h, const char *path,
                       const struct cgroup_resources *r, dctl_error_t *err)
{
    int64_t mem = r->mem_limit, swap = r->mem_swap;
    uint64_t cur = 0;

    if (mem == -1 && swap == CGROUP_UNSET)
        swap = -1;   /* unlimited memory means unlimited swap too, as runc does */
    /* raising both: swap first, so that memsw >= limit holds at every step (the kernel
     * checks it on each write) */
    if (mem != CGROUP_UNSET && swap != CGROUP_UNSET && swap != 0 &&
        (swap == -1 || (cgroup_get_u64(h, CGROUP_MEMORY, path, "memory.limit_in_bytes", &cur) &&
                        cur < (uint64_t)swap))) {
        if (cgroup_set_int(h, CGROUP_MEMORY, path, "memory.memsw.limit_in_bytes", swap, err) < 0 ||
            cgroup_set_int(h, CGROUP_MEMORY, path, "memory.limit_in_bytes", mem, err) < 0)
            return -1;
    } else {
        if (mem != CGROUP_UNSET &&
            cgroup_set_int(h, CGROUP_MEMORY, path, "memory.limit_in_bytes", mem, err) < 0)
            return -1;
        if (swap != CGROUP_UNSET && swap != 0 &&
            cgroup_set_int(h, CGROUP_MEMORY, path, "memory.memsw.limit_in_bytes", swap, err) < 0)
            return -1;
    }
    if (r->mem_reservation != CGROUP_UNSET &&
        cgroup_set_int(h, CGROUP_MEMORY, path, "memory.soft_limit_in_bytes", r->mem_reservation,
                       err) < 0)
        return -1;
    if (r->mem_kernel_tcp != CGROUP_UNSET && r->mem_kernel_tcp != 0 &&
        cgroup_set_int(h, CGROUP_MEMORY, path, "memory.kmem.tcp.limit_in_bytes",
                       r->mem_kernel_tcp, err) < 0)
        return -1;
    if (r->mem_swappiness != CGROUP_UNSET && r->mem_swappiness >= 0 &&
        cgroup_set_int(h, CGROUP_MEMORY, path, "memory.swappiness", r->mem_swappiness, err) < 0)
        return -1;
    if (r->disable_oom_killer == 1 &&
        cgroup_set(h, CGROUP_MEMORY, path, "memory.oom_control", "1", false, err) < 0)
        return -1;
    return 0;
}

static int
cgroup_apply_v1(const struct cgroup_host *h, const char *path, const struct cgroup_resources *r,
                dctl_error_t *err)
{
    static const char *const throttle_files[4] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device" };
    char line[96];
    size_t i, k;

    if (cgroup_apply_v1_memory(h, path, r, err) < 0)
        return -1;
    if (r->cpu_shares != CGROUP_UNSET && r->cpu_shares != 0 &&
        cgroup_set_int(h, CGROUP_CPU, path, "cpu.shares", r->cpu_shares, err) < 0)
        return -1;
    if (r->cpu_period != CGROUP_UNSET && r->cpu_period != 0 &&
        cgroup_set_int(h, CGROUP_CPU, path, "cpu.cfs_period_us", r->cpu_period, err) < 0)
        return -1;
    if (r->cpu_quota != CGROUP_UNSET && r->cpu_quota != 0 &&
        cgroup_set_int(h, CGROUP_CPU, path, "cpu.cfs_quota_us", r->cpu_quota, err) < 0)
        return -1;
    if (r->cpu_rt_period != CGROUP_UNSET && r->cpu_rt_period != 0 &&
        cgroup_set_int(h, CGROUP_CPU, path, "cpu.rt_period_us", r->cpu_rt_period, err) < 0)
        return -1;
    if (r->cpu_rt_runtime != CGROUP_UNSET && r->cpu_rt_runtime != 0 &&
        cgroup_set_int(h, CGROUP_CPU, path, "cpu.rt_runtime_us", r->cpu_rt_runtime, err) < 0)
        return -1;
    if (r->cpus[0] && cgroup_set(h, CGROUP_CPUSET, path, "cpuset.cpus", r->cpus, false, err) < 0)
        return -1;
    if (r->mems[0] && cgroup_set(h, CGROUP_CPUSET, path, "cpuset.mems", r->mems, false, err) < 0)
        return -1;
    if (r->pids_limit != CGROUP_UNSET && r->pids_limit != 0) {
        snprintf(line, sizeof line, "%lld", (long long)r->pids_limit);
        if (cgroup_set(h, CGROUP_PIDS, path, "pids.max", r->pids_limit > 0 ? line : "max", false,
                       err) < 0)
            return -1;
    }
    if (r->blkio_weight != CGROUP_UNSET && r->blkio_weight != 0) {
        const struct cgroup_hier *hi = cgroup_host_hier(h, CGROUP_BLKIO);
        char p[PATH_MAX];
        struct stat st;
        /* CFQ's file, else BFQ's */
        const char *f = hi && cgroup_file_path(h, hi, path, "blkio.weight", p, sizeof p) == 0 &&
                                stat(p, &st) == 0 ? "blkio.weight" : "blkio.bfq.weight";

        if (cgroup_set_int(h, CGROUP_BLKIO, path, f, r->blkio_weight, err) < 0)
            return -1;
    }
    if (r->blkio_leaf_weight != CGROUP_UNSET && r->blkio_leaf_weight != 0 &&
        cgroup_set_int(h, CGROUP_BLKIO, path, "blkio.leaf_weight", r->blkio_leaf_weight, err) < 0)
        return -1;
    for (i = 0; i < r->nweight_dev; i++) {
        cgroup_dev_line(line, sizeof line, &r->weight_dev[i], "%lld");
        if (cgroup_set(h, CGROUP_BLKIO, path, "blkio.weight_device", line, true, err) < 0)
            return -1;
    }
    for (k = 0; k < 4; k++)
        for (i = 0; i < r->nthrottle[k]; i++) {
            cgroup_dev_line(line, sizeof line, &r->throttle[k][i], "%lld");
            if (cgroup_set(h, CGROUP_BLKIO, path, throttle_files[k], line, true, err) < 0)
                return -1;
        }
    if (r->has_devices)
        return cgroup_devices_apply_v1(h, path, r, err);
    return 0;
}

static int
cgroup_apply_v2(const struct cgroup_host *h, const char *path, const struct cgroup_resources *r,
                dctl_error_t *err)
{
    static const char *const io_keys[4] = { "rbps", "wbps", "riops", "wiops" };
    char line[128];
    size_t i, k;

    if (r->mem_limit != CGROUP_UNSET && r->mem_limit != 0) {
        snprintf(line, sizeof line, "%lld", (long long)r->mem_limit);
        if (cgroup_set(h, CGROUP_MEMORY, path, "memory.max", r->mem_limit > 0 ? line : "max",
                       false, err) < 0)
            return -1;
    }
    /* OCI's swap is memory + swap; v2's swap.max is the swap alone */
    if (r->mem_swap != CGROUP_UNSET && r->mem_swap != 0) {
        if (r->mem_swap == -1 || r->mem_limit == -1)
            snprintf(line, sizeof line, "max");
        else if (r->mem_limit == CGROUP_UNSET || r->mem_limit == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "cgroup: a swap limit needs a memory limit on cgroup v2");
        else if (r->mem_swap < r->mem_limit)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "cgroup: memory+swap limit %lld is below the memory limit %lld",
                                  (long long)r->mem_swap, (long long)r->mem_limit);
        else
            snprintf(line, sizeof line, "%lld", (long long)(r->mem_swap - r->mem_limit));
        if (cgroup_set(h, CGROUP_MEMORY, path, "memory.swap.max", line, false, err) < 0)
            return -1;
    } else if (r->mem_limit == -1) {
        if (cgroup_set(h, CGROUP_MEMORY, path, "memory.swap.max", "max", false, err) < 0)
            return -1;
    }
    if (r->mem_reservation != CGROUP_UNSET && r->mem_reservation != 0) {
        snprintf(line, sizeof line, "%lld", (long long)r->mem_reservation);
        if (cgroup_set(h, CGROUP_MEMORY, path, "memory.low", r->mem_reservation > 0 ? line : "0",
                       false, err) < 0)
            return -1;
    }
    if (r->cpu_shares != CGROUP_UNSET && r->cpu_shares > 0 &&
        cgroup_set_int(h, CGROUP_CPU, path, "cpu.weight",
                       (int64_t)cgroup_shares_to_weight((uint64_t)r->cpu_shares), err) < 0)
        return -1;
    if ((r->cpu_quota != CGROUP_UNSET && r->cpu_quota != 0) ||
        (r->cpu_period != CGROUP_UNSET && r->cpu_period != 0)) {
        if (r->cpu_quota != CGROUP_UNSET && r->cpu_quota > 0)
            snprintf(line, sizeof line, "%lld", (long long)r->cpu_quota);
        else
            snprintf(line, sizeof line, "max");
        if (r->cpu_period != CGROUP_UNSET && r->cpu_period > 0)
            snprintf(line + strlen(line), sizeof line - strlen(line), " %lld",
                     (long long)r->cpu_period);
        if (cgroup_set(h, CGROUP_CPU, path, "cpu.max", line, false, err) < 0)
            return -1;
    }
    if (r->cpus[0] && cgroup_set(h, CGROUP_CPUSET, path, "cpuset.cpus", r->cpus, false, err) < 0)
        return -1;
    if (r->mems[0] && cgroup_set(h, CGROUP_CPUSET, path, "cpuset.mems", r->mems, false, err) < 0)
        return -1;
    if (r->pids_limit != CGROUP_UNSET && r->pids_limit != 0) {
        snprintf(line, sizeof line, "%lld", (long long)r->pids_limit);
        if (cgroup_set(h, CGROUP_PIDS, path, "pids.max", r->pids_limit > 0 ? line : "max", false,
                       err) < 0)
            return -1;
    }
    if (r->blkio_weight != CGROUP_UNSET && r->blkio_weight > 0) {
        snprintf(line, sizeof line, "default %llu",
                 (unsigned long long)cgroup_blkio_to_io_weight((uint64_t)r->blkio_weight));
        if (cgroup_set(h, CGROUP_BLKIO, path, "io.weight", line, false, err) < 0)
            return -1;
    }
    for (i = 0; i < r->nweight_dev; i++) {
        snprintf(line, sizeof line, "%lld:%lld %llu", (long long)r->weight_dev[i].major,
                 (long long)r->weight_dev[i].minor,
                 (unsigned long long)cgroup_blkio_to_io_weight((uint64_t)r->weight_dev[i].value));
        if (cgroup_set(h, CGROUP_BLKIO, path, "io.weight", line, true, err) < 0)
            return -1;
    }
    for (k = 0; k < 4; k++)
        for (i = 0; i < r->nthrottle[k]; i++) {
            const struct cgroup_blkio_dev *d = &r->throttle[k][i];

            snprintf(line, sizeof line, "%lld:%lld %s=%lld", (long long)d->major,
                     (long long)d->minor, io_keys[k], (long long)d->value);
            if (cgroup_set(h, CGROUP_BLKIO, path, "io.max", line, true, err) < 0)
                return -1;
        }
    if (r->has_devices)
        return cgroup_devices_apply_v2(h, path, r, err);
    return 0;
}

int
cgroup_apply(const struct cgroup_host *h, const char *path, const struct cgroup_resources *r,
             dctl_error_t *err)
{
    return h->version == 2 ? cgroup_apply_v2(h, path, r, err) : cgroup_apply_v1(h, path, r, err);
}

/* ---- freezer ------------------------------------------------------------------------------ */

int
cgroup_is_frozen(const struct cgroup_host *h, const char *path, dctl_error_t *err)
{
    char buf[256];
    uint64_t v = 0;

    if (h->version == 2) {
        if (cgroup_get(h, 0, path, "cgroup.events", buf, sizeof buf) < 0)
            return cgroup_fail(err, errno, "read", "cgroup.events");
        return cgroup_kv_find(buf, "frozen", &v) == 0 && v == 1;
    }
    if (cgroup_get(h, CGROUP_FREEZER, path, "freezer.state", buf, sizeof buf) < 0)
        return cgroup_fail(err, errno, "read", "freezer.state");
    return strncmp(buf, "FROZEN", 6) == 0;
}

int
cgroup_freeze(const struct cgroup_host *h, const char *path, bool frozen, dctl_error_t *err)
{
    const char *file = h->version == 2 ? "cgroup.freeze" : "freezer.state";
    const char *value = h->version == 2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
    unsigned int ctrl = h->version == 2 ? 0 : CGROUP_FREEZER;
    long waited = 0;
    int rc;

    if (h->version == 1 && cgroup_host_hier(h, CGROUP_FREEZER) == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "cgroup: no freezer controller");
    {
        const struct cgroup_hier *hi = cgroup_host_hier(h, ctrl);
        char p[PATH_MAX];

        if (cgroup_file_path(h, hi, path, file, p, sizeof p) < 0)
            return cgroup_fail(err, errno, "write", file);
        rc = cgroup_write_file(p, value, false, h->fake);
        if (rc != 0)
            return cgroup_fail(err, rc > 0 ? ENOENT : errno, "write", p);
    }
    if (!frozen || h->fake)
        return 0;
    /* FREEZING until every task has stopped; v1 may need the write again (a task that
     * forked meanwhile) */
    while ((rc = cgroup_is_frozen(h, path, err)) == 0) {
        if (waited >= CGROUP_FREEZE_TIMEOUT_MS) {
            cgroup_freeze(h, path, false, NULL);
            return dctl_error_set(err, DCTL_ERR_INTERNAL, ETIMEDOUT,
                                  "cgroup: %s did not freeze", path);
        }
        cgroup_sleep_ms(1);
        waited++;
        if (h->version == 1 && waited % 10 == 0)
            cgroup_set(h, CGROUP_FREEZER, path, file, value, false, NULL);
    }
    return rc < 0 ? -1 : 0;
}

/* ---- OOM ----------------------------------------------------------------------------------- */

uint64_t
cgroup_oom_kills(const struct cgroup_host *h, const char *path)
{
    char buf[1024];
    uint64_t v = 0;

    if (cgroup_get(h, CGROUP_MEMORY, path, h->version == 2 ? "memory.events" : "memory.oom_control",
                   buf, sizeof buf) < 0)
        return 0;
    return cgroup_kv_find(buf, "oom_kill", &v) == 0 ? v : 0;
}

int
cgroup_oom_fd(const struct cgroup_host *h, const char *path, dctl_error_t *err)
{
    const struct cgroup_hier *hi = cgroup_host_hier(h, CGROUP_MEMORY);
    char p[PATH_MAX], line[64];
    int efd, cfd, rc;

    if (hi == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "cgroup: no memory controller");
    if (h->version == 2) {
        if (cgroup_file_path(h, hi, path, "memory.events", p, sizeof p) < 0)
            return cgroup_fail(err, errno, "watch", path);
        efd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (efd < 0)
            return cgroup_fail(err, errno, "inotify for", p);
        if (inotify_add_watch(efd, p, IN_MODIFY) < 0) {
            int e = errno;

            close(efd);
            return cgroup_fail(err, e, "watch", p);
        }
        return efd;
    }
    if (cgroup_file_path(h, hi, path, "memory.oom_control", p, sizeof p) < 0)
        return cgroup_fail(err, errno, "watch", path);
    cfd = open(p, O_RDONLY | O_CLOEXEC);
    if (cfd < 0)
        return cgroup_fail(err, errno, "open", p);
    efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) {
        int e = errno;

        close(cfd);
        return cgroup_fail(err, e, "eventfd for", p);
    }
    snprintf(line, sizeof line, "%d %d", efd, cfd);
    if (cgroup_file_path(h, hi, path, "cgroup.event_control", p, sizeof p) < 0 ||
        (rc = cgroup_write(p, line, false)) != 0) {
        int e = errno;

        close(cfd);
        close(efd);
        return cgroup_fail(err, e, "register the OOM event at", p);
    }
    close(cfd);   /* the registration holds what it needs */
    return efd;
}

void
cgroup_oom_fd_drain(int fd)
{
    char buf[4096];

    while (read(fd, buf, sizeof buf) > 0) {
    }
}

/* ---- statistics ----------------------------------------------------------------------------- */

/* "key value" lines into kv (at most max), e.g. memory.stat. */
static size_t
cgroup_kv_parse(const char *text, struct cgroup_kv *kv, size_t max)
{
    const char *p = text;
    size_t n = 0;

    while (*p && n < max) {
        size_t klen = strcspn(p, " \n");

        if (p[klen] == ' ' && klen > 0 && klen < sizeof kv[n].key) {
            memcpy(kv[n].key, p, klen);
            kv[n].key[klen] = '\0';
            kv[n].value = strtoull(p + klen + 1, NULL, 10);
            n++;
        }
        p = strchr(p, '\n');
        if (p == NULL)
            break;
        p++;
    }
    return n;
}

/* v1 blkio.throttle.io_service_bytes_recursive: "M:m Op N" lines (and "Total N"). */
static size_t
cgroup_blkio_v1_parse(const char *text, struct cgroup_blkio_entry *e, size_t max)
{
    const char *p = text;
    size_t n = 0;

    while (*p && n < max) {
        unsigned int ma, mi;
        char op[16];
        unsigned long long v;

        if (sscanf(p, "%u:%u %15s %llu", &ma, &mi, op, &v) == 4) {
            e[n].major = ma;
            e[n].minor = mi;
            snprintf(e[n].op, sizeof e[n].op, "%s", op);
            e[n].value = v;
            n++;
        }
        p = strchr(p, '\n');
        if (p == NULL)
            break;
        p++;
    }
    return n;
}

/* v2 io.stat: "M:m rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" lines; bytes or
 * I/Os as read/write entries. */
static size_t
cgroup_io_v2_parse(const char *text, bool bytes, struct cgroup_blkio_entry *e, size_t max)
{
    const char *p = text;
    size_t n = 0;

    while (*p && n + 2 <= max) {
        unsigned int ma, mi;
        const char *line_end = strchr(p, '\n');
        char line[512];
        uint64_t r = 0, w = 0;
        char *tok, *save = NULL;

        snprintf(line, sizeof line, "%.*s", (int)(line_end ? line_end - p : (long)strlen(p)), p);
        if (sscanf(line, "%u:%u", &ma, &mi) == 2) {
            for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
                if (strncmp(tok, bytes ? "rbytes=" : "rios=", bytes ? 7 : 5) == 0)
                    r = strtoull(strchr(tok, '=') + 1, NULL, 10);
                else if (strncmp(tok, bytes ? "wbytes=" : "wios=", bytes ? 7 : 5) == 0)
                    w = strtoull(strchr(tok, '=') + 1, NULL, 10);
            }
            e[n] = (struct cgroup_blkio_entry){ .major = ma, .minor = mi, .op = "read", .value = r };
            n++;
            e[n] = (struct cgroup_blkio_entry){ .major = ma, .minor = mi, .op = "write", .value = w };
            n++;
        }
        if (line_end == NULL)
            break;
        p = line_end + 1;
    }
    return n;
}

static void
cgroup_stats_v1(const struct cgroup_host *h, const char *path, struct cgroup_stats *st,
                char *buf, size_t len)
{
    uint64_t v;

    if (cgroup_get_u64(h, CGROUP_CPUACCT, path, "cpuacct.usage", &st->cpu_total_ns)) {
        long hz = sysconf(_SC_CLK_TCK);

        st->has_cpu = true;
        if (cgroup_get(h, CGROUP_CPUACCT, path, "cpuacct.usage_percpu", buf, len) > 0) {
            char *p = buf, *end;

            while (st->npercpu < CGROUP_CPUS_MAX) {
                unsigned long long x = strtoull(p, &end, 10);

                if (end == p)
                    break;
                st->percpu_ns[st->npercpu++] = x;
                p = end;
            }
        }
        if (hz <= 0)
            hz = 100;
        if (cgroup_get(h, CGROUP_CPUACCT, path, "cpuacct.stat", buf, len) > 0) {
            if (cgroup_kv_find(buf, "user", &v) == 0)
                st->cpu_user_ns = v * (1000000000ULL / (uint64_t)hz);
            if (cgroup_kv_find(buf, "system", &v) == 0)
                st->cpu_system_ns = v * (1000000000ULL / (uint64_t)hz);
        }
    }
    if (cgroup_get(h, CGROUP_CPU, path, "cpu.stat", buf, len) > 0) {
        cgroup_kv_find(buf, "nr_periods", &st->nr_periods);
        cgroup_kv_find(buf, "nr_throttled", &st->nr_throttled);
        cgroup_kv_find(buf, "throttled_time", &st->throttled_ns);
    }
    if (cgroup_get_u64(h, CGROUP_MEMORY, path, "memory.usage_in_bytes", &st->mem_usage)) {
        st->has_memory = true;
        cgroup_get_u64(h, CGROUP_MEMORY, path, "memory.max_usage_in_bytes", &st->mem_max_usage);
        cgroup_get_u64(h, CGROUP_MEMORY, path, "memory.failcnt", &st->mem_failcnt);
        cgroup_get_u64(h, CGROUP_MEMORY, path, "memory.limit_in_bytes", &st->mem_limit);
        if (cgroup_get(h, CGROUP_MEMORY, path, "memory.stat", buf, len) > 0)
            st->nmem_stat = cgroup_kv_parse(buf, st->mem_stat, CGROUP_STAT_KEYS_MAX);
    }
    if (cgroup_get(h, CGROUP_BLKIO, path, "blkio.throttle.io_service_bytes_recursive", buf,
                   len) >= 0) {
        st->has_blkio = true;
        st->nio_bytes = cgroup_blkio_v1_parse(buf, st->io_bytes, CGROUP_BLKIO_ENTRIES_MAX);
        if (cgroup_get(h, CGROUP_BLKIO, path, "blkio.throttle.io_serviced_recursive", buf,
                       len) >= 0)
            st->nio_ios = cgroup_blkio_v1_parse(buf, st->io_ios, CGROUP_BLKIO_ENTRIES_MAX);
    }
}

static void
cgroup_stats_v2(const struct cgroup_host *h, const char *path, struct cgroup_stats *st,
                char *buf, size_t len)
{
    if (cgroup_get(h, 0, path, "cpu.stat", buf, len) > 0) {
        uint64_t v;

        st->has_cpu = true;
        if (cgroup_kv_find(buf, "usage_usec", &v) == 0)
            st->cpu_total_ns = v * 1000;
        if (cgroup_kv_find(buf, "user_usec", &v) == 0)
            st->cpu_user_ns = v * 1000;
        if (cgroup_kv_find(buf, "system_usec", &v) == 0)
            st->cpu_system_ns = v * 1000;
        cgroup_kv_find(buf, "nr_periods", &st->nr_periods);
        cgroup_kv_find(buf, "nr_throttled", &st->nr_throttled);
        if (cgroup_kv_find(buf, "throttled_usec", &v) == 0)
            st->throttled_ns = v * 1000;
    }
    if (cgroup_get_u64(h, 0, path, "memory.current", &st->mem_usage)) {
        st->has_memory = true;
        if (!cgroup_get_u64(h, 0, path, "memory.max", &st->mem_limit))
            st->mem_limit = UINT64_MAX;
        if (cgroup_get(h, 0, path, "memory.stat", buf, len) > 0)
            st->nmem_stat = cgroup_kv_parse(buf, st->mem_stat, CGROUP_STAT_KEYS_MAX);
    }
    if (cgroup_get(h, 0, path, "io.stat", buf, len) >= 0) {
        st->has_blkio = true;
        st->nio_bytes = cgroup_io_v2_parse(buf, true, st->io_bytes, CGROUP_BLKIO_ENTRIES_MAX);
        st->nio_ios = cgroup_io_v2_parse(buf, false, st->io_ios, CGROUP_BLKIO_ENTRIES_MAX);
    }
}

int
cgroup_stats_read(const struct cgroup_host *h, const char *path, struct cgroup_stats *st,
                  dctl_error_t *err)
{
    size_t len = 16384;
    char *buf;

    memset(st, 0, sizeof *st);
    st->version = h->version;
    if (!cgroup_exists(h, path))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, ENOENT, "cgroup: no cgroup %s", path);
    buf = xmalloc(len);
    if (h->version == 2)
        cgroup_stats_v2(h, path, st, buf, len);
    else
        cgroup_stats_v1(h, path, st, buf, len);
    free(buf);
    if (cgroup_get_u64(h, CGROUP_PIDS, path, "pids.current", &st->pids_current)) {
        st->has_pids = true;
        if (!cgroup_get_u64(h, CGROUP_PIDS, path, "pids.max", &st->pids_limit) ||
            st->pids_limit == UINT64_MAX)
            st->pids_limit = 0;
    }
    return 0;
}
