/* daemon/shim/shim-spec.c - reads the container's spec (BUNDLE/config.json: an OCI
 * runtime spec plus the "dctl" object, docs/containers.md) into struct shim_spec.
 * Mount options become MS_* flags, namespace types clone flags, capability names
 * bit masks. The JSON tree is freed once read; the strings are the spec's. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/caps.h"
#include "shim.h"

static char shim_spec_why[512];

static int
shim_spec_fail(const char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
shim_spec_fail(const char **why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(shim_spec_why, sizeof shim_spec_why, fmt, ap);
    va_end(ap);
    *why = shim_spec_why;
    return -1;
}

static struct json_object *
shim_spec_get(struct json_object *o, const char *key, enum json_type type)
{
    struct json_object *v;

    if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
        return NULL;
    return json_object_is_type(v, type) ? v : NULL;
}

static char *
shim_spec_str(struct json_object *o, const char *key)
{
    struct json_object *v = shim_spec_get(o, key, json_type_string);

    return v ? strdup(json_object_get_string(v)) : NULL;
}

static long long
shim_spec_int(struct json_object *o, const char *key, long long dflt)
{
    struct json_object *v = shim_spec_get(o, key, json_type_int);

    return v ? (long long)json_object_get_int64(v) : dflt;
}

/* An OCI uint64 (json-c keeps those above INT64_MAX apart); a negative one as Go's
 * uint64() would make it, so -1 is unlimited. */
static uint64_t
shim_spec_uint(struct json_object *o, const char *key)
{
    struct json_object *v = shim_spec_get(o, key, json_type_int);

    if (v == NULL)
        return 0;
    if (json_object_get_int64(v) < 0)
        return (uint64_t)json_object_get_int64(v);
    return json_object_get_uint64(v);
}

static bool
shim_spec_bool(struct json_object *o, const char *key)
{
    struct json_object *v = shim_spec_get(o, key, json_type_boolean);

    return v ? json_object_get_boolean(v) : false;
}

/* A JSON array of strings as a NULL-ended vector; NULL when absent. */
static char **
shim_spec_strv(struct json_object *o, const char *key, const char **why)
{
    struct json_object *a = shim_spec_get(o, key, json_type_array);
    size_t i, n = a ? json_object_array_length(a) : 0;
    char **v = calloc(n + 1, sizeof *v);

    if (v == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(a, i);

        if (!json_object_is_type(e, json_type_string)) {
            shim_spec_fail(why, "%s[%zu] is not a string", key, i);
            free(v);
            return NULL;
        }
        v[i] = strdup(json_object_get_string(e));
    }
    return v;
}

static const struct {
    const char *name;
    bool clear;
    unsigned long flag;
} shim_spec_mount_flags[] = {
    { "ro", false, MS_RDONLY },          { "rw", true, MS_RDONLY },
    { "nosuid", false, MS_NOSUID },      { "suid", true, MS_NOSUID },
    { "nodev", false, MS_NODEV },        { "dev", true, MS_NODEV },
    { "noexec", false, MS_NOEXEC },      { "exec", true, MS_NOEXEC },
    { "sync", false, MS_SYNCHRONOUS },   { "async", true, MS_SYNCHRONOUS },
    { "dirsync", false, MS_DIRSYNC },    { "remount", false, MS_REMOUNT },
    { "mand", false, MS_MANDLOCK },      { "nomand", true, MS_MANDLOCK },
    { "noatime", false, MS_NOATIME },    { "atime", true, MS_NOATIME },
    { "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
    { "relatime", false, MS_RELATIME },  { "norelatime", true, MS_RELATIME },
    { "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
    { "bind", false, MS_BIND },          { "rbind", false, MS_BIND | MS_REC },
};

static const struct {
    const char *name;
    unsigned long flag;
} shim_spec_propagation[] = {
    { "private", MS_PRIVATE },      { "rprivate", MS_PRIVATE | MS_REC },
    { "shared", MS_SHARED },        { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },          { "rslave", MS_SLAVE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static int
shim_spec_mount(struct json_object *o, struct shim_mount *m, const char **why)
{
    struct json_object *opts = shim_spec_get(o, "options", json_type_array);
    size_t i, j, n = opts ? json_object_array_length(opts) : 0, dlen = 0;

    m->destination = shim_spec_str(o, "destination");
    m->type = shim_spec_str(o, "type");
    m->source = shim_spec_str(o, "source");
    if (m->destination == NULL || m->destination[0] != '/')
        return shim_spec_fail(why, "mount destination %s not absolute",
                              m->destination ? m->destination : "(none)");
    if (m->type == NULL)
        m->type = strdup("none");
    m->data = calloc(1, 1);
    for (i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(opts, i);
        const char *opt = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                    : NULL;
        bool done = false;

        if (opt == NULL)
            return shim_spec_fail(why, "mount %s: an option is not a string", m->destination);
        for (j = 0; j < sizeof shim_spec_mount_flags / sizeof shim_spec_mount_flags[0]; j++)
            if (strcmp(opt, shim_spec_mount_flags[j].name) == 0) {
                if (shim_spec_mount_flags[j].clear)
                    m->flags &= ~shim_spec_mount_flags[j].flag;
                else
                    m->flags |= shim_spec_mount_flags[j].flag;
                done = true;
            }
        for (j = 0; j < sizeof shim_spec_propagation / sizeof shim_spec_propagation[0]; j++)
            if (strcmp(opt, shim_spec_propagation[j].name) == 0) {
                m->propagation = shim_spec_propagation[j].flag;
                done = true;
            }
        if (!done) {
            size_t olen = strlen(opt);
            char *d = realloc(m->data, dlen + olen + 2);

            if (d == NULL)
                return shim_spec_fail(why, "out of memory");
            if (dlen)
                d[dlen++] = ',';
            memcpy(d + dlen, opt, olen + 1);
            dlen += olen;
            m->data = d;
        }
    }
    if (strcmp(m->type, "bind") == 0)
        m->flags |= MS_BIND;
    if ((m->flags & MS_BIND) && (m->source == NULL || m->source[0] != '/'))
        return shim_spec_fail(why, "bind mount %s: source %s not absolute", m->destination,
                              m->source ? m->source : "(none)");
    return 0;
}

static const struct {
    const char *name;
    int resource;
} shim_spec_rlimits[] = {
    { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
    { "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static int
shim_spec_process(struct json_object *p, struct shim_spec *s, const char **why)
{
    struct json_object *user = shim_spec_get(p, "user", json_type_object);
    struct json_object *caps = shim_spec_get(p, "capabilities", json_type_object);
    struct json_object *rl = shim_spec_get(p, "rlimits", json_type_array);
    struct json_object *cs = shim_spec_get(p, "consoleSize", json_type_object);
    struct json_object *gids = shim_spec_get(user, "additionalGids", json_type_array);
    static const char *const cap_keys[SHIM_CAP_NSETS] = { "bounding", "effective", "inheritable",
                                                          "permitted", "ambient" };
    size_t i, j;

    s->terminal = shim_spec_bool(p, "terminal");
    s->uid = (uid_t)shim_spec_int(user, "uid", 0);
    s->gid = (gid_t)shim_spec_int(user, "gid", 0);
    s->ngids = gids ? json_object_array_length(gids) : 0;
    s->gids = calloc(s->ngids + 1, sizeof *s->gids);
    for (i = 0; i < s->ngids; i++)
        s->gids[i] = (gid_t)json_object_get_int64(json_object_array_get_idx(gids, i));
    if ((s->args = shim_spec_strv(p, "args", why)) == NULL)
        return -1;
    if (s->args[0] == NULL || s->args[0][0] == '\0')
        return shim_spec_fail(why, "no command specified");
    if ((s->env = shim_spec_strv(p, "env", why)) == NULL)
        return -1;
    s->cwd = shim_spec_str(p, "cwd");
    if (s->cwd == NULL)
        s->cwd = strdup("/");
    if (s->cwd[0] != '/')
        return shim_spec_fail(why, "the working directory '%s' is invalid, it needs to be an "
                                   "absolute path", s->cwd);
    s->no_new_privs = shim_spec_bool(p, "noNewPrivileges");
    if (cs) {
        s->rows = (unsigned short)shim_spec_int(cs, "height", 0);
        s->cols = (unsigned short)shim_spec_int(cs, "width", 0);
    }
    if (caps) {
        s->has_caps = true;
        for (i = 0; i < SHIM_CAP_NSETS; i++) {
            struct json_object *a = shim_spec_get(caps, cap_keys[i], json_type_array);
            size_t n = a ? json_object_array_length(a) : 0;

            for (j = 0; j < n; j++) {
                const char *name = json_object_get_string(json_object_array_get_idx(a, j));
                int c = name ? caps_from_name(name) : -1;

                if (c < 0)
                    return shim_spec_fail(why, "unknown capability \"%s\"", name ? name : "");
                s->caps[i] |= 1ULL << c;
            }
        }
    }
    s->nrlimits = rl ? json_object_array_length(rl) : 0;
    s->rlimits = calloc(s->nrlimits + 1, sizeof *s->rlimits);
    for (i = 0; i < s->nrlimits; i++) {
        struct json_object *e = json_object_array_get_idx(rl, i);
        const char *type = json_object_get_string(shim_spec_get(e, "type", json_type_string));
        bool found = false;

        for (j = 0; type && j < sizeof shim_spec_rlimits / sizeof shim_spec_rlimits[0]; j++)
            if (strcmp(type, shim_spec_rlimits[j].name) == 0) {
                s->rlimits[i].resource = shim_spec_rlimits[j].resource;
                found = true;
            }
        if (!found)
            return shim_spec_fail(why, "unknown rlimit type \"%s\"", type ? type : "");
        s->rlimits[i].soft = shim_spec_uint(e, "soft");
        s->rlimits[i].hard = shim_spec_uint(e, "hard");
    }
    return 0;
}

static const struct {
    const char *type;
    int flag;
    enum shim_ns ns;
} shim_spec_namespaces[] = {
    { "ipc", CLONE_NEWIPC, SHIM_NS_IPC },        { "uts", CLONE_NEWUTS, SHIM_NS_UTS },
    { "network", CLONE_NEWNET, SHIM_NS_NET },    { "pid", CLONE_NEWPID, SHIM_NS_PID },
    { "mount", CLONE_NEWNS, SHIM_NS_MNT },       { "cgroup", CLONE_NEWCGROUP, SHIM_NS_CGROUP },
};

static int
shim_spec_id_map(struct json_object *l, const char *key, struct shim_id_map *out, size_t *n,
                 const char **why)
{
    struct json_object *a = shim_spec_get(l, key, json_type_array);
    size_t i, len = a ? json_object_array_length(a) : 0;

    if (len > SHIM_ID_MAPS_MAX)
        return shim_spec_fail(why, "%s: more than %d lines", key, SHIM_ID_MAPS_MAX);
    for (i = 0; i < len; i++) {
        struct json_object *e = json_object_array_get_idx(a, i);
        long long c = shim_spec_int(e, "containerID", -1), h = shim_spec_int(e, "hostID", -1);
        long long sz = shim_spec_int(e, "size", -1);

        if (c < 0 || h < 0 || sz <= 0 || c > 0xffffffffLL || h > 0xffffffffLL ||
            sz > 0xffffffffLL)
            return shim_spec_fail(why, "%s[%zu]: bad containerID, hostID or size", key, i);
        out[i].container = (unsigned int)c;
        out[i].host = (unsigned int)h;
        out[i].size = (unsigned int)sz;
    }
    *n = len;
    return 0;
}

/* linux.uidMappings and gidMappings: both with a new user namespace, neither without
 * one; a user namespace joins no other namespace by path (it would own none of them). */
static int
shim_spec_id_maps(struct json_object *l, struct shim_spec *s, const char **why)
{
    size_t i;

    if (shim_spec_id_map(l, "uidMappings", s->uid_map, &s->nuid_map, why) < 0 ||
        shim_spec_id_map(l, "gidMappings", s->gid_map, &s->ngid_map, why) < 0)
        return -1;
    if (!(s->clone_flags & CLONE_NEWUSER)) {
        if (s->nuid_map || s->ngid_map)
            return shim_spec_fail(why, "uidMappings and gidMappings need a user namespace");
        return 0;
    }
    if (s->nuid_map == 0 || s->ngid_map == 0)
        return shim_spec_fail(why, "a user namespace needs uidMappings and gidMappings");
    for (i = 0; i < SHIM_NS_COUNT; i++)
        if (s->ns_path[i])
            return shim_spec_fail(why, "a new user namespace cannot join namespace %s",
                                  s->ns_path[i]);
    return 0;
}

static int
shim_spec_linux(struct json_object *l, struct shim_spec *s, const char **why)
{
    struct json_object *ns = shim_spec_get(l, "namespaces", json_type_array);
    struct json_object *dev = shim_spec_get(l, "devices", json_type_array);
    struct json_object *sc = shim_spec_get(l, "sysctl", json_type_object);
    size_t i, j, n;

    n = ns ? json_object_array_length(ns) : 0;
    for (i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(ns, i);
        const char *type = json_object_get_string(shim_spec_get(e, "type", json_type_string));
        const char *path = json_object_get_string(shim_spec_get(e, "path", json_type_string));
        bool found = false;

        if (type && strcmp(type, "user") == 0) {
            if (path && *path)
                return shim_spec_fail(why, "joining a user namespace by path is not supported "
                                           "by the native exec driver");
            s->clone_flags |= CLONE_NEWUSER;
            continue;
        }
        for (j = 0; type && j < sizeof shim_spec_namespaces / sizeof shim_spec_namespaces[0];
             j++) {
            if (strcmp(type, shim_spec_namespaces[j].type) != 0)
                continue;
            found = true;
            if (path && *path)
                s->ns_path[shim_spec_namespaces[j].ns] = strdup(path);
            else
                s->clone_flags |= shim_spec_namespaces[j].flag;
        }
        if (!found)
            return shim_spec_fail(why, "unknown namespace type \"%s\"", type ? type : "");
    }
    if (!(s->clone_flags & CLONE_NEWNS))
        return shim_spec_fail(why, "the native exec driver needs a new mount namespace");
    if (shim_spec_id_maps(l, s, why) < 0)
        return -1;

    s->ndevices = dev ? json_object_array_length(dev) : 0;
    s->devices = calloc(s->ndevices + 1, sizeof *s->devices);
    for (i = 0; i < s->ndevices; i++) {
        struct json_object *e = json_object_array_get_idx(dev, i);
        struct shim_device *d = &s->devices[i];
        const char *type = json_object_get_string(shim_spec_get(e, "type", json_type_string));

        d->path = shim_spec_str(e, "path");
        if (d->path == NULL || d->path[0] != '/' || strstr(d->path, "/../") ||
            strcmp(strrchr(d->path, '/'), "/..") == 0 || d->path[1] == '\0')
            return shim_spec_fail(why, "device path %s is not an absolute path",
                                  d->path ? d->path : "(none)");
        if (type == NULL || strcmp(type, "c") == 0 || strcmp(type, "u") == 0)
            d->type = S_IFCHR;
        else if (strcmp(type, "b") == 0)
            d->type = S_IFBLK;
        else if (strcmp(type, "p") == 0)
            d->type = S_IFIFO;
        else
            return shim_spec_fail(why, "device %s: unknown type \"%s\"", d->path, type);
        d->major = (unsigned int)shim_spec_int(e, "major", 0);
        d->minor = (unsigned int)shim_spec_int(e, "minor", 0);
        d->mode = (mode_t)shim_spec_int(e, "fileMode", 0666) & 07777;
        d->uid = (uid_t)shim_spec_int(e, "uid", 0);
        d->gid = (gid_t)shim_spec_int(e, "gid", 0);
    }
    if ((s->masked = shim_spec_strv(l, "maskedPaths", why)) == NULL)
        return -1;
    if ((s->readonly = shim_spec_strv(l, "readonlyPaths", why)) == NULL)
        return -1;
    s->nsysctls = sc ? (size_t)json_object_object_length(sc) : 0;
    s->sysctls = calloc(s->nsysctls + 1, sizeof *s->sysctls);
    i = 0;
    if (sc) {
        json_object_object_foreach(sc, k, v)
        {
            if (!json_object_is_type(v, json_type_string))
                return shim_spec_fail(why, "sysctl %s is not a string", k);
            if (strstr(k, "..") || strchr(k, '/'))
                return shim_spec_fail(why, "sysctl %s is not valid", k);
            s->sysctls[i].key = strdup(k);
            s->sysctls[i].value = strdup(json_object_get_string(v));
            i++;
        }
    }
    return shim_cgroup_spec(l, s, why);
}

static int
shim_spec_dctl(struct json_object *d, struct shim_spec *s, const char **why)
{
    struct json_object *log = shim_spec_get(d, "log", json_type_object);
    const char *driver = json_object_get_string(shim_spec_get(log, "driver", json_type_string));
    const char *bpf = json_object_get_string(shim_spec_get(d, "seccompBpf", json_type_string));

    s->stdin_open = shim_spec_bool(d, "stdin");
    s->stdin_once = shim_spec_bool(d, "stdinOnce");
    s->init = shim_spec_bool(d, "init");
    if (bpf && shim_seccomp_read(bpf, s, why) < 0)
        return -1;
    s->seccomp_flags = (unsigned int)shim_spec_int(d, "seccompFlags", 0);
    if (driver == NULL || strcmp(driver, "none") == 0)
        return 0;
    if (strcmp(driver, "json-file") != 0)
        return shim_spec_fail(why, "log driver \"%s\" is not supported by dctl-shim", driver);
    s->log_json = true;
    s->log_path = shim_spec_str(log, "path");
    if (s->log_path == NULL || s->log_path[0] != '/')
        return shim_spec_fail(why, "json-file log needs an absolute path");
    s->log_max_size = shim_spec_int(log, "maxSize", 0);
    s->log_max_file = (int)shim_spec_int(log, "maxFile", 1);
    if (s->log_max_size < 0 || s->log_max_file < 1)
        return shim_spec_fail(why, "bad log maxSize or maxFile");
    return 0;
}

/* Parses text (what, for messages): a JSON object (the caller's reference), or NULL
 * with *why. */
static struct json_object *
shim_spec_parse(const char *text, size_t len, const char *what, const char **why)
{
    struct json_tokener *tok = json_tokener_new();
    struct json_object *root = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;

    if (root == NULL || !json_object_is_type(root, json_type_object)) {
        shim_spec_fail(why, "%s: %s", what,
                       root ? "not an object"
                            : tok ? json_tokener_error_desc(json_tokener_get_error(tok))
                                  : "out of memory");
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

/* Reads and parses dirfd/name: a JSON object (the caller's reference), or NULL with *why. */
static struct json_object *
shim_spec_read(int dirfd, const char *name, const char **why)
{
    struct json_object *root;
    char *text = NULL;
    size_t len = 0, cap = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        shim_spec_fail(why, "open %s: %s", name, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            char *t = realloc(text, cap = cap ? cap * 2 : 16384);

            if (t == NULL) {
                free(text);
                close(fd);
                shim_spec_fail(why, "out of memory");
                return NULL;
            }
            text = t;
        }
        n = read(fd, text + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (n < 0) {
        free(text);
        shim_spec_fail(why, "read %s: %s", name, strerror(errno));
        return NULL;
    }
    root = shim_spec_parse(text, len, name, why);
    free(text);
    return root;
}

int
shim_spec_load(int dirfd, struct shim_spec *s, const char **why)
{
    struct json_object *root, *p, *r, *m, *l, *d;
    size_t i;
    int rc = -1;

    memset(s, 0, sizeof *s);
    if ((root = shim_spec_read(dirfd, "config.json", why)) == NULL)
        return -1;
    p = shim_spec_get(root, "process", json_type_object);
    r = shim_spec_get(root, "root", json_type_object);
    m = shim_spec_get(root, "mounts", json_type_array);
    l = shim_spec_get(root, "linux", json_type_object);
    d = shim_spec_get(root, "dctl", json_type_object);
    if (p == NULL || r == NULL) {
        shim_spec_fail(why, "config.json: no process or root");
        goto out;
    }
    if (shim_spec_process(p, s, why) < 0)
        goto out;
    s->root = shim_spec_str(r, "path");
    s->root_readonly = shim_spec_bool(r, "readonly");
    if (s->root == NULL || s->root[0] != '/') {
        shim_spec_fail(why, "root path %s is not absolute", s->root ? s->root : "(none)");
        goto out;
    }
    s->hostname = shim_spec_str(root, "hostname");
    s->domainname = shim_spec_str(root, "domainname");
    s->nmounts = m ? json_object_array_length(m) : 0;
    s->mounts = calloc(s->nmounts + 1, sizeof *s->mounts);
    for (i = 0; i < s->nmounts; i++)
        if (shim_spec_mount(json_object_array_get_idx(m, i), &s->mounts[i], why) < 0)
            goto out;
    if (shim_spec_linux(l, s, why) < 0 || shim_spec_dctl(d, s, why) < 0)
        goto out;
    if (shim_spec_get(l, "seccomp", json_type_object) && s->seccomp == NULL) {
        shim_spec_fail(why, "linux.seccomp needs its compiled filter (dctl.seccompBpf): "
                            "dctl-shim does not compile profiles");
        goto out;
    }
    rc = 0;
out:
    json_object_put(root);
    return rc;
}

/* The members shim_spec_process() fills, freed and cleared. */
void
shim_spec_process_free(struct shim_spec *s)
{
    size_t i;

    for (i = 0; s->args && s->args[i]; i++)
        free(s->args[i]);
    for (i = 0; s->env && s->env[i]; i++)
        free(s->env[i]);
    free(s->args);
    free(s->env);
    free(s->gids);
    free(s->cwd);
    free(s->rlimits);
    s->args = s->env = NULL;
    s->gids = NULL;
    s->cwd = NULL;
    s->rlimits = NULL;
    s->ngids = s->nrlimits = 0;
}

int
shim_spec_load_exec(const char *text, size_t len, const struct shim_spec *base,
                    struct shim_spec *s, const char **why)
{
    struct json_object *root, *p, *d;
    int rc = -1;

    *s = *base;
    s->terminal = s->has_caps = s->no_new_privs = s->stdin_open = s->stdin_once = false;
    s->args = s->env = NULL;
    s->gids = NULL;
    s->cwd = NULL;
    s->rlimits = NULL;
    s->ngids = s->nrlimits = 0;
    s->rows = s->cols = 0;
    memset(s->caps, 0, sizeof s->caps);
    if ((root = shim_spec_parse(text, len, "the exec's process", why)) == NULL)
        return -1;
    p = shim_spec_get(root, "process", json_type_object);
    d = shim_spec_get(root, "dctl", json_type_object);
    if (p == NULL)
        shim_spec_fail(why, "the exec's process: no process");
    else if (shim_spec_process(p, s, why) == 0)
        rc = 0;
    s->stdin_open = shim_spec_bool(d, "stdin");
    json_object_put(root);
    if (rc < 0)
        shim_spec_process_free(s);
    return rc;
}
