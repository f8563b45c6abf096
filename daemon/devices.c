/* daemon/devices.c - device nodes and device cgroup rules (see devices.h; moby:
 * daemon/oci_linux.go WithDevices, oci/devices_linux.go DevicesFromPath; containerd:
 * oci/utils_unix.go HostDevices; runc: libcontainer/specconv AllowedDevices). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon/devices.h"
#include "lib/devrule.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define DEVICES_MAX_DEPTH 8

/* the nodes every container gets (runc's defaults) */
static const struct {
    const char *path;
    int major, minor;
} devices_default[] = {
    { "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
    { "/dev/random", 1, 8 },  { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* Docker's default allow-list (runc's AllowedDevices): mknod of any node; the default
 * nodes; the container's ptys (devpts: 136:*, /dev/ptmx 5:2); tun/tap (10:200) */
static const struct {
    char type;
    int major, minor;
    const char *access;
} devices_allowed[] = {
    { 'c', -1, -1, "m" }, { 'b', -1, -1, "m" },  { 'c', 1, 3, "rwm" },  { 'c', 1, 8, "rwm" },
    { 'c', 1, 7, "rwm" }, { 'c', 5, 0, "rwm" },  { 'c', 1, 5, "rwm" },  { 'c', 1, 9, "rwm" },
    { 'c', 136, -1, "rwm" }, { 'c', 5, 2, "rwm" }, { 'c', 10, 200, "rwm" },
};

static struct json_object *
devices_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}

static size_t
devices_alen(struct json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static struct json_object *
devices_node(const char *path, char type, unsigned int major, unsigned int minor,
             unsigned int mode, unsigned int uid, unsigned int gid)
{
    struct json_object *d = json_object_new_object();
    char t[2] = { type, '\0' };

    json_add_string(d, "path", path);
    json_add_string(d, "type", t);
    json_add_int64(d, "major", major);
    json_add_int64(d, "minor", minor);
    json_add_int64(d, "fileMode", mode);
    json_add_int64(d, "uid", uid);
    json_add_int64(d, "gid", gid);
    return d;
}

static struct json_object *
devices_rule(bool allow, char type, int64_t major, int64_t minor, const char *access)
{
    struct json_object *r = json_object_new_object();
    char t[2] = { type, '\0' };

    json_add_bool(r, "allow", allow);
    if (type)
        json_add_string(r, "type", t);
    if (type) {   /* -1: any, as moby writes its wildcards */
        json_add_int64(r, "major", major);
        json_add_int64(r, "minor", minor);
    }
    json_add_string(r, "access", access);
    return r;
}

/* runc's DeviceFromPath: the node at path (not followed), its type letter; 0 when it is
 * not a device (or fifo), -1 with errno when it cannot be read. */
static int
devices_stat(const char *path, struct stat *st, char *type)
{
    if (lstat(path, st) < 0)
        return -1;
    switch (st->st_mode & S_IFMT) {
    case S_IFCHR:
        *type = 'c';
        return 1;
    case S_IFBLK:
        *type = 'b';
        return 1;
    case S_IFIFO:
        *type = 'p';
        return 1;
    default:
        return 0;
    }
}

static bool
devices_has_path(struct json_object *devs, const char *path)
{
    size_t i;

    for (i = 0; i < devices_alen(devs); i++)
        if (strcmp(json_get_string(json_object_array_get_idx(devs, i), "path"), path) == 0)
            return true;
    return false;
}

/* Adds the node at host (a device) as cpath, with its cgroup rule when rules is set. */
static void
devices_add_node(struct json_object *devs, struct json_object *rules, const char *cpath,
                 const struct stat *st, char type, const char *access)
{
    if (!devices_has_path(devs, cpath))
        json_object_array_add(devs, devices_node(cpath, type, major(st->st_rdev),
                                                 minor(st->st_rdev), st->st_mode & 07777,
                                                 st->st_uid, st->st_gid));
    if (rules)
        json_object_array_add(rules, devices_rule(true, type, major(st->st_rdev),
                                                  minor(st->st_rdev), access));
}

/* Every device under dir (host), as the same path under cdir; containerd's getDevices
 * when skip_special (the host's /dev: not pts, shm, fd, mqueue, .lxc, .lxd-mounts, .udev,
 * console), moby's walk of a mapped directory otherwise. */
static void
devices_walk(const char *dir, const char *cdir, bool skip_special, int depth,
             struct json_object *devs, struct json_object *rules, const char *access)
{
    static const char *const skipped[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts",
                                           ".udev" };
    DIR *d;
    struct dirent *de;

    if (depth > DEVICES_MAX_DEPTH || (d = opendir(dir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX], cpath[PATH_MAX];
        struct stat st;
        char type;
        size_t i;
        int rc;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path ||
            snprintf(cpath, sizeof cpath, "%s/%s", strcmp(cdir, "/") ? cdir : "",
                     de->d_name) >= (int)sizeof cpath)
            continue;
        rc = devices_stat(path, &st, &type);
        if (rc < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            for (i = 0; skip_special && i < ARRAY_SIZE(skipped); i++)
                if (strcmp(de->d_name, skipped[i]) == 0)
                    break;
            if (!skip_special || i == ARRAY_SIZE(skipped))
                devices_walk(path, cpath, skip_special, depth + 1, devs, rules, access);
            continue;
        }
        if (rc == 0 || (skip_special && strcmp(de->d_name, "console") == 0))
            continue;
        devices_add_node(devs, rules, cpath, &st, type, access);
    }
    closedir(d);
}

/* strerror as Go spells it */
static const char *
devices_strerror(int e)
{
    static __thread char buf[128];

    snprintf(buf, sizeof buf, "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

/* moby's DevicesFromPath: a device (a symlink to one is followed), or a directory of
 * them; 0 when something was added, else -1 with dockerd's error. */
static int
devices_from_path(const char *host, const char *cpath, const char *access,
                  struct json_object *devs, struct json_object *rules, dctl_error_t *err)
{
    char resolved[PATH_MAX];
    const char *h = host;
    struct stat st, lst;
    size_t before = devices_alen(devs);
    char type;
    int rc;

    if (lstat(host, &lst) == 0 && S_ISLNK(lst.st_mode) && realpath(host, resolved))
        h = resolved;
    rc = devices_stat(h, &st, &type);
    if (rc > 0) {
        devices_add_node(devs, rules, cpath, &st, type, access);
        return 0;
    }
    if (rc < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "error gathering device information while adding custom device "
                              "\"%s\": %s", host, devices_strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        devices_walk(h, cpath, false, 0, devs, rules, access);
        if (devices_alen(devs) > before)
            return 0;
    }
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "error gathering device information while adding custom device "
                          "\"%s\": not a device node", host);
}

int
devices_hostconfig_check(struct json_object *hc, dctl_error_t *err)
{
    struct json_object *devs = devices_get(hc, "Devices"), *rules = devices_get(hc,
                                                                                "DeviceCgroupRules");
    size_t i;

    for (i = 0; i < devices_alen(devs); i++) {
        struct json_object *m = json_object_array_get_idx(devs, i);
        const char *host = json_get_string(m, "PathOnHost");
        const char *cpath = json_get_string(m, "PathInContainer");
        const char *perm = json_get_string(m, "CgroupPermissions");
        cleanup_json struct json_object *scratch = json_object_new_array();

        if (m == NULL)
            continue;
        if (host == NULL || *host == '\0')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "bad format for path: %s",
                                  host ? host : "");
        if (cpath == NULL || *cpath == '\0') {
            json_add_string(m, "PathInContainer", host);
            cpath = json_get_string(m, "PathInContainer");
        }
        if (perm == NULL || *perm == '\0') {
            json_add_string(m, "CgroupPermissions", "rwm");
            perm = "rwm";
        }
        if (cpath[0] != '/')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s is not an absolute path", cpath);
        if (!devrule_mode_is_valid(perm))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "bad mode specified: %s", perm);
        if (devices_from_path(host, cpath, perm, scratch, NULL, err) < 0)
            return -1;
    }
    for (i = 0; i < devices_alen(rules); i++) {
        const char *r = json_object_get_string(json_object_array_get_idx(rules, i));
        struct devrule dr;

        if (devrule_parse(r, &dr) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid device cgroup rule format: '%s'", r ? r : "");
    }
    return 0;
}

/* The mappings' nodes (and their rules when rules is set). */
static int
devices_mappings(struct json_object *hc, bool privileged, struct json_object *devs,
                 struct json_object *rules, dctl_error_t *err)
{
    struct json_object *maps = devices_get(hc, "Devices");
    size_t i;

    for (i = 0; i < devices_alen(maps); i++) {
        struct json_object *m = json_object_array_get_idx(maps, i);
        const char *host = json_get_string(m, "PathOnHost");
        const char *cpath = json_get_string(m, "PathInContainer");
        const char *perm = json_get_string(m, "CgroupPermissions");

        if (host == NULL || *host == '\0')
            continue;
        if (cpath == NULL || *cpath == '\0')
            cpath = host;
        if (perm == NULL || *perm == '\0' || privileged)
            perm = "rwm";   /* privileged: every device is allowed anyway */
        if (privileged && strcmp(host, cpath) == 0)
            continue;       /* already there with the host's /dev */
        if (devices_from_path(host, cpath, perm, devs, rules, err) < 0)
            return -1;
    }
    return 0;
}

int
devices_spec_add(struct json_object *linux_, struct json_object *hc, const char *host_dev,
                 dctl_error_t *err)
{
    struct json_object *devs = json_object_new_array();
    bool privileged = json_get_bool(hc, "Privileged", false);
    size_t i;

    json_object_object_add(linux_, "devices", devs);
    for (i = 0; i < ARRAY_SIZE(devices_default); i++)
        json_object_array_add(devs, devices_node(devices_default[i].path, 'c',
                                                 (unsigned int)devices_default[i].major,
                                                 (unsigned int)devices_default[i].minor, 0666,
                                                 0, 0));
    if (privileged)
        devices_walk(host_dev, "/dev", true, 0, devs, NULL, "rwm");
    return devices_mappings(hc, privileged, devs, NULL, err);
}

struct json_object *
devices_cgroup_rules(struct json_object *hc, dctl_error_t *err)
{
    cleanup_json struct json_object *rules = json_object_new_array();
    cleanup_json struct json_object *scratch = json_object_new_array();
    struct json_object *cr = devices_get(hc, "DeviceCgroupRules");
    size_t i;

    if (json_get_bool(hc, "Privileged", false)) {
        json_object_array_add(rules, devices_rule(true, 0, 0, 0, "rwm"));
        return steal_ptr(&rules);
    }
    json_object_array_add(rules, devices_rule(false, 0, 0, 0, "rwm"));
    for (i = 0; i < ARRAY_SIZE(devices_allowed); i++)
        json_object_array_add(rules, devices_rule(true, devices_allowed[i].type,
                                                  devices_allowed[i].major,
                                                  devices_allowed[i].minor,
                                                  devices_allowed[i].access));
    if (devices_mappings(hc, false, scratch, rules, err) < 0)
        return NULL;
    for (i = 0; i < devices_alen(cr); i++) {
        const char *r = json_object_get_string(json_object_array_get_idx(cr, i));
        struct devrule dr;

        if (devrule_parse(r, &dr) < 0) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid device cgroup rule format: '%s'",
                           r ? r : "");
            return NULL;
        }
        json_object_array_add(rules, devices_rule(true, dr.type, dr.major, dr.minor, dr.access));
    }
    return steal_ptr(&rules);
}
