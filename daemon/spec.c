/* daemon/spec.c - the create body's checks and merge, HostConfig defaults and
 * validation, and the exec driver's spec (see spec.h; dockerd: daemon/create.go,
 * daemon/oci_linux.go, oci/defaults.go, volume/mounts/linux_parser.go,
 * libnetwork/resolvconf, moby/sys/user). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/devices.h"
#include "daemon/security.h"
#include "daemon/spec.h"
#include "daemon/spec-resources.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/units.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* ---- JSON helpers -------------------------------------------------------------- */

static struct json_object *
spec_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}

static size_t
spec_alen(struct json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static const char *
spec_aget(struct json_object *a, size_t i)
{
    return json_object_get_string(json_object_array_get_idx(a, i));
}

static struct json_object *
spec_dup(struct json_object *o)
{
    struct json_object *c = NULL;

    if (o == NULL)
        return NULL;
    json_object_deep_copy(o, &c, NULL);
    return c;
}

static struct json_object *
spec_strv(const char *const *v)
{
    struct json_object *a = json_object_new_array();

    for (; *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

/* ---- the body's types ---------------------------------------------------------- */

enum spec_type {
    ST_STRING, ST_BOOL, ST_INT, ST_STRV, ST_STRSLICE, ST_STRMAP, ST_OBJMAP, ST_OBJECT,
    ST_OBJV, ST_INTV,
};

struct spec_field {
    const char *name;
    enum spec_type type;
};

static const struct spec_field spec_config_fields[] = {
    { "Hostname", ST_STRING }, { "Domainname", ST_STRING }, { "User", ST_STRING },
    { "AttachStdin", ST_BOOL }, { "AttachStdout", ST_BOOL }, { "AttachStderr", ST_BOOL },
    { "ExposedPorts", ST_OBJMAP }, { "Tty", ST_BOOL }, { "OpenStdin", ST_BOOL },
    { "StdinOnce", ST_BOOL }, { "Env", ST_STRV }, { "Cmd", ST_STRSLICE },
    { "Healthcheck", ST_OBJECT }, { "ArgsEscaped", ST_BOOL }, { "Image", ST_STRING },
    { "Volumes", ST_OBJMAP }, { "WorkingDir", ST_STRING }, { "Entrypoint", ST_STRSLICE },
    { "NetworkDisabled", ST_BOOL }, { "MacAddress", ST_STRING }, { "OnBuild", ST_STRV },
    { "Labels", ST_STRMAP }, { "StopSignal", ST_STRING }, { "StopTimeout", ST_INT },
    { "Shell", ST_STRV }, { "HostConfig", ST_OBJECT }, { "NetworkingConfig", ST_OBJECT },
};

static const struct spec_field spec_hostconfig_fields[] = {
    { "Binds", ST_STRV }, { "ContainerIDFile", ST_STRING }, { "LogConfig", ST_OBJECT },
    { "NetworkMode", ST_STRING }, { "PortBindings", ST_OBJECT }, { "RestartPolicy", ST_OBJECT },
    { "AutoRemove", ST_BOOL }, { "VolumeDriver", ST_STRING }, { "VolumesFrom", ST_STRV },
    { "ConsoleSize", ST_INTV }, { "Annotations", ST_STRMAP }, { "CapAdd", ST_STRSLICE },
    { "CapDrop", ST_STRSLICE }, { "CgroupnsMode", ST_STRING }, { "Dns", ST_STRV },
    { "DnsOptions", ST_STRV }, { "DnsSearch", ST_STRV }, { "ExtraHosts", ST_STRV },
    { "GroupAdd", ST_STRV }, { "IpcMode", ST_STRING }, { "Cgroup", ST_STRING },
    { "Links", ST_STRV }, { "OomScoreAdj", ST_INT }, { "PidMode", ST_STRING },
    { "Privileged", ST_BOOL }, { "PublishAllPorts", ST_BOOL }, { "ReadonlyRootfs", ST_BOOL },
    { "SecurityOpt", ST_STRV }, { "StorageOpt", ST_STRMAP }, { "Tmpfs", ST_STRMAP },
    { "UTSMode", ST_STRING }, { "UsernsMode", ST_STRING }, { "ShmSize", ST_INT },
    { "Sysctls", ST_STRMAP }, { "Runtime", ST_STRING }, { "Isolation", ST_STRING },
    { "CpuShares", ST_INT }, { "Memory", ST_INT }, { "NanoCpus", ST_INT },
    { "CgroupParent", ST_STRING }, { "BlkioWeight", ST_INT }, { "CpuPeriod", ST_INT },
    { "CpuQuota", ST_INT }, { "CpuRealtimePeriod", ST_INT }, { "CpuRealtimeRuntime", ST_INT },
    { "CpusetCpus", ST_STRING }, { "CpusetMems", ST_STRING }, { "Devices", ST_OBJV },
    { "DeviceCgroupRules", ST_STRV }, { "KernelMemoryTCP", ST_INT },
    { "MemoryReservation", ST_INT }, { "MemorySwap", ST_INT }, { "MemorySwappiness", ST_INT },
    { "OomKillDisable", ST_BOOL }, { "PidsLimit", ST_INT }, { "Ulimits", ST_OBJV },
    { "Mounts", ST_OBJV }, { "MaskedPaths", ST_STRV }, { "ReadonlyPaths", ST_STRV },
    { "Init", ST_BOOL },
    { "BlkioWeightDevice", ST_OBJV }, { "BlkioDeviceReadBps", ST_OBJV },
    { "BlkioDeviceWriteBps", ST_OBJV }, { "BlkioDeviceReadIOps", ST_OBJV },
    { "BlkioDeviceWriteIOps", ST_OBJV }, { "KernelMemory", ST_INT }, { "CpuCount", ST_INT },
    { "CpuPercent", ST_INT }, { "IOMaximumIOps", ST_INT }, { "IOMaximumBandwidth", ST_INT },
};

static const char *
spec_type_go(enum spec_type t)
{
    switch (t) {
    case ST_STRING:
        return "string";
    case ST_BOOL:
        return "bool";
    case ST_INT:
        return "int64";
    case ST_STRV:
        return "[]string";
    case ST_STRSLICE:
        return "strslice.StrSlice";
    case ST_STRMAP:
        return "map[string]string";
    case ST_OBJMAP:
        return "map[string]struct {}";
    case ST_OBJECT:
        return "struct";
    case ST_OBJV:
        return "[]struct";
    case ST_INTV:
        return "[2]uint";
    }
    return "?";
}

static int
spec_type_error(const char *where, const char *name, struct json_object *v, const char *want,
                dctl_error_t *err)
{
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
                          json_type_label(v), where, name, want);
}

static bool
spec_all_of(struct json_object *v, enum json_type t)
{
    json_object_object_foreach(v, k, x) {
        (void)k;
        if (x && !json_object_is_type(x, t))
            return false;
    }
    return true;
}

static int
spec_check_value(const char *where, const char *name, struct json_object *v, enum spec_type t,
                 dctl_error_t *err)
{
    size_t i, n;

    if (v == NULL)   /* null is fine for every field, as in Go */
        return 0;
    switch (t) {
    case ST_STRING:
        if (!json_object_is_type(v, json_type_string))
            return spec_type_error(where, name, v, "string", err);
        return 0;
    case ST_BOOL:
        if (!json_object_is_type(v, json_type_boolean))
            return spec_type_error(where, name, v, "bool", err);
        return 0;
    case ST_INT:
        if (!json_object_is_type(v, json_type_int))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        return 0;
    case ST_STRSLICE:
        if (json_object_is_type(v, json_type_string))
            return 0;
        /* fall through */
    case ST_STRV:
        if (!json_object_is_type(v, json_type_array))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        n = json_object_array_length(v);
        for (i = 0; i < n; i++) {
            struct json_object *e = json_object_array_get_idx(v, i);

            if (e == NULL || !json_object_is_type(e, json_type_string))
                return spec_type_error(where, name, e, "string", err);
        }
        return 0;
    case ST_INTV:
        if (!json_object_is_type(v, json_type_array))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        for (i = 0; i < json_object_array_length(v); i++)
            if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_int))
                return spec_type_error(where, name, json_object_array_get_idx(v, i), "uint",
                                       err);
        return 0;
    case ST_STRMAP:
        if (!json_object_is_type(v, json_type_object))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        if (!spec_all_of(v, json_type_string))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        return 0;
    case ST_OBJMAP:
        if (!json_object_is_type(v, json_type_object) || !spec_all_of(v, json_type_object))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        return 0;
    case ST_OBJECT:
        if (!json_object_is_type(v, json_type_object))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        return 0;
    case ST_OBJV:
        if (!json_object_is_type(v, json_type_array))
            return spec_type_error(where, name, v, spec_type_go(t), err);
        for (i = 0; i < json_object_array_length(v); i++) {
            struct json_object *e = json_object_array_get_idx(v, i);

            if (e && !json_object_is_type(e, json_type_object))
                return spec_type_error(where, name, e, "struct", err);
        }
        return 0;
    }
    return 0;
}

/* Checks o's members against the table; members in another case are renamed. */
static int
spec_check_fields(struct json_object *o, const struct spec_field *fields, size_t nfields,
                  const char *where, dctl_error_t *err)
{
    struct json_object *renames = json_object_new_object();
    size_t i;
    int rc = 0;

    json_object_object_foreach(o, key, val) {
        for (i = 0; i < nfields; i++)
            if (strcasecmp(key, fields[i].name) == 0)
                break;
        if (i == nfields)
            continue;
        if (strcmp(key, fields[i].name) != 0)
            json_object_object_add(renames, key, json_object_new_string(fields[i].name));
        if (spec_check_value(where, fields[i].name, val, fields[i].type, err) < 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0) {
        json_object_object_foreach(renames, from, to) {
            struct json_object *v = json_object_get(spec_get(o, from));

            json_object_object_del(o, from);
            json_object_object_add(o, json_object_get_string(to), v);
        }
    }
    json_object_put(renames);
    return rc;
}

/* "x" → ["x"] for strslice members (Go's StrSlice accepts both). */
static void
spec_strslice_normalize(struct json_object *o, const char *key)
{
    struct json_object *v = spec_get(o, key);

    if (v && json_object_is_type(v, json_type_string)) {
        struct json_object *a = json_object_new_array();

        json_object_array_add(a, json_object_new_string(json_object_get_string(v)));
        json_object_object_add(o, key, a);
    }
}

int
spec_body_check(struct json_object *body, dctl_error_t *err)
{
    struct json_object *hc, *v;

    if (spec_check_fields(body, spec_config_fields, ARRAY_SIZE(spec_config_fields),
                          "ContainerConfigWrapper", err) < 0)
        return -1;
    spec_strslice_normalize(body, "Cmd");
    spec_strslice_normalize(body, "Entrypoint");
    hc = spec_get(body, "HostConfig");
    if (hc) {
        if (spec_check_fields(hc, spec_hostconfig_fields, ARRAY_SIZE(spec_hostconfig_fields),
                              "HostConfig.HostConfig", err) < 0)
            return -1;
        spec_strslice_normalize(hc, "CapAdd");
        spec_strslice_normalize(hc, "CapDrop");
        if ((v = spec_get(hc, "RestartPolicy")) &&
            (spec_check_value("HostConfig.RestartPolicy", "Name", spec_get(v, "Name"),
                              ST_STRING, err) < 0 ||
             spec_check_value("HostConfig.RestartPolicy", "MaximumRetryCount",
                              spec_get(v, "MaximumRetryCount"), ST_INT, err) < 0))
            return -1;
        if ((v = spec_get(hc, "LogConfig")) &&
            (spec_check_value("HostConfig.LogConfig", "Type", spec_get(v, "Type"), ST_STRING,
                              err) < 0 ||
             spec_check_value("HostConfig.LogConfig", "Config", spec_get(v, "Config"),
                              ST_STRMAP, err) < 0))
            return -1;
    }
    if ((v = spec_get(body, "Healthcheck")) &&
        (spec_check_value("Config.Healthcheck", "Test", spec_get(v, "Test"), ST_STRSLICE,
                          err) < 0 ||
         spec_check_value("Config.Healthcheck", "Interval", spec_get(v, "Interval"), ST_INT,
                          err) < 0 ||
         spec_check_value("Config.Healthcheck", "Timeout", spec_get(v, "Timeout"), ST_INT,
                          err) < 0 ||
         spec_check_value("Config.Healthcheck", "Retries", spec_get(v, "Retries"), ST_INT,
                          err) < 0 ||
         spec_check_value("Config.Healthcheck", "StartPeriod", spec_get(v, "StartPeriod"),
                          ST_INT, err) < 0))
        return -1;
    if (v) {   /* dockerd's verifyContainerSettings: durations of at least 1ms, or 0 */
        static const char *const durations[] = { "Interval", "Timeout", "StartPeriod" };
        size_t i;

        for (i = 0; i < ARRAY_SIZE(durations); i++) {
            int64_t d = json_get_int64(v, durations[i], 0);

            if (d != 0 && d < 1000000)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "%s in Healthcheck cannot be less than 1ms", durations[i]);
        }
        if (json_get_int64(v, "Retries", 0) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Retries in Healthcheck cannot be negative");
    }
    return 0;
}

/* ---- Config merge ------------------------------------------------------------------ */

static bool
spec_empty(struct json_object *v)
{
    if (v == NULL)
        return true;
    if (json_object_is_type(v, json_type_array))
        return json_object_array_length(v) == 0;
    if (json_object_is_type(v, json_type_object))
        return json_object_object_length(v) == 0;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string_len(v) == 0;
    return false;
}

static void
spec_env_key(const char *kv, char *out, size_t len)
{
    size_t n = strcspn(kv, "=");

    if (n >= len)
        n = len - 1;
    memcpy(out, kv, n);
    out[n] = '\0';
}

static void
spec_set_string(struct json_object *o, const char *key, struct json_object *from)
{
    const char *s = from && json_object_is_type(from, json_type_string)
                        ? json_object_get_string(from) : "";

    json_add_string(o, key, s);
}

/* The members of Docker's container Config, in its order, from body and image. */
struct json_object *
spec_config_merge(struct json_object *body, struct json_object *img, dctl_error_t *err)
{
    struct json_object *c = json_object_new_object();
    struct json_object *v, *iv, *env, *labels, *ports, *vols, *cmd, *ep;
    bool ep_reset = false;
    size_t i, k;

    spec_set_string(c, "Hostname", spec_get(body, "Hostname"));
    spec_set_string(c, "Domainname", spec_get(body, "Domainname"));
    v = spec_get(body, "User");
    spec_set_string(c, "User", spec_empty(v) ? spec_get(img, "User") : v);
    json_add_bool(c, "AttachStdin", json_get_bool(body, "AttachStdin", false));
    json_add_bool(c, "AttachStdout", json_get_bool(body, "AttachStdout", false));
    json_add_bool(c, "AttachStderr", json_get_bool(body, "AttachStderr", false));
    /* ExposedPorts: the union */
    ports = spec_dup(spec_get(body, "ExposedPorts"));
    iv = spec_get(img, "ExposedPorts");
    if (spec_empty(ports)) {
        if (ports)
            json_object_put(ports);
        ports = spec_dup(iv);
    } else if (iv && json_object_is_type(iv, json_type_object)) {
        json_object_object_foreach(iv, port, pv) {
            (void)pv;
            if (spec_get(ports, port) == NULL)
                json_object_object_add(ports, port, json_object_new_object());
        }
    }
    if (ports)
        json_object_object_add(c, "ExposedPorts", ports);
    json_add_bool(c, "Tty", json_get_bool(body, "Tty", false));
    json_add_bool(c, "OpenStdin", json_get_bool(body, "OpenStdin", false));
    json_add_bool(c, "StdinOnce", json_get_bool(body, "StdinOnce", false));
    /* Env: the request's, then the image's variables it does not set */
    env = spec_dup(spec_get(body, "Env"));
    iv = spec_get(img, "Env");
    if (spec_empty(env)) {
        if (env)
            json_object_put(env);
        env = spec_alen(iv) ? spec_dup(iv) : json_object_new_array();
    } else {
        for (i = 0; i < spec_alen(iv); i++) {
            char ik[256], uk[256];
            bool found = false;

            spec_env_key(spec_aget(iv, i), ik, sizeof ik);
            for (k = 0; k < spec_alen(env) && !found; k++) {
                spec_env_key(spec_aget(env, k), uk, sizeof uk);
                found = strcmp(ik, uk) == 0;
            }
            if (!found)
                json_object_array_add(env, json_object_new_string(spec_aget(iv, i)));
        }
    }
    json_object_object_add(c, "Env", env);
    /* Entrypoint and Cmd: the image's Cmd only when neither is given; [""] resets */
    ep = spec_get(body, "Entrypoint");
    cmd = spec_get(body, "Cmd");
    if (spec_alen(ep) == 1 && *spec_aget(ep, 0) == '\0') {
        ep = NULL;
        ep_reset = true;
    }
    if (spec_alen(ep) == 0) {
        if (spec_alen(cmd) == 0)
            cmd = spec_get(img, "Cmd");
        if (!ep_reset && (ep == NULL || !json_object_is_type(ep, json_type_array)))
            ep = spec_get(img, "Entrypoint");
    }
    if (spec_alen(ep) == 0 && spec_alen(cmd) == 0) {
        json_object_put(c);
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "No command specified");
        return NULL;
    }
    json_object_object_add(c, "Cmd", spec_alen(cmd) ? spec_dup(cmd) : NULL);
    /* Healthcheck: the request's, its empty parts from the image's */
    v = spec_get(body, "Healthcheck");
    iv = spec_get(img, "Healthcheck");
    if (v == NULL && iv) {
        json_object_object_add(c, "Healthcheck", spec_dup(iv));
    } else if (v) {
        struct json_object *h = spec_dup(v);
        static const char *const parts[] = { "Interval", "Timeout", "StartPeriod", "Retries" };

        if (spec_alen(spec_get(h, "Test")) == 0 && spec_get(iv, "Test"))
            json_object_object_add(h, "Test", spec_dup(spec_get(iv, "Test")));
        for (i = 0; iv && i < ARRAY_SIZE(parts); i++)
            if (json_get_int64(h, parts[i], 0) == 0 && spec_get(iv, parts[i]))
                json_object_object_add(h, parts[i], spec_dup(spec_get(iv, parts[i])));
        json_object_object_add(c, "Healthcheck", h);
    }
    spec_set_string(c, "Image", spec_get(body, "Image"));
    /* Volumes: the union */
    vols = spec_dup(spec_get(body, "Volumes"));
    iv = spec_get(img, "Volumes");
    if (spec_empty(vols)) {
        if (vols)
            json_object_put(vols);
        vols = spec_dup(iv);
    } else if (iv && json_object_is_type(iv, json_type_object)) {
        json_object_object_foreach(iv, vk, vv) {
            (void)vv;
            json_object_object_add(vols, vk, json_object_new_object());
        }
    }
    json_object_object_add(c, "Volumes", vols);
    v = spec_get(body, "WorkingDir");
    spec_set_string(c, "WorkingDir", spec_empty(v) ? spec_get(img, "WorkingDir") : v);
    json_object_object_add(c, "Entrypoint", spec_alen(ep) ? spec_dup(ep) : NULL);
    json_object_object_add(c, "OnBuild", spec_dup(spec_get(body, "OnBuild")));
    /* Labels: the request's win */
    labels = spec_dup(spec_get(body, "Labels"));
    if (labels == NULL)
        labels = json_object_new_object();
    iv = spec_get(img, "Labels");
    if (iv && json_object_is_type(iv, json_type_object)) {
        json_object_object_foreach(iv, lk, lv) {
            if (spec_get(labels, lk) == NULL)
                json_object_object_add(labels, lk, json_object_get(lv));
        }
    }
    json_object_object_add(c, "Labels", labels);
    v = spec_get(body, "StopSignal");
    if (!spec_empty(v) || !spec_empty(spec_get(img, "StopSignal")))
        spec_set_string(c, "StopSignal", spec_empty(v) ? spec_get(img, "StopSignal") : v);
    if ((v = spec_get(body, "StopTimeout")) != NULL)
        json_object_object_add(c, "StopTimeout", json_object_get(v));
    return c;
}

/* ---- sizes, log config, restart policy ----------------------------------------------- */

int
spec_parse_size(const char *s, int64_t *out, dctl_error_t *err)
{
    if (units_ram_in_bytes(s, out) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid size: '%s'", s);
    return 0;
}

int
spec_log_parse(struct json_object *lc, struct spec_log *out, dctl_error_t *err)
{
    static const char *const json_file_opts[] = {
        "max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex",
        "tag", NULL,
    };
    const char *type = json_get_string(lc, "Type");
    struct json_object *cfg = spec_get(lc, "Config");
    const char *ms = json_get_string(cfg, "max-size"), *mf = json_get_string(cfg, "max-file");
    long long files = 1;

    memset(out, 0, sizeof *out);
    out->max_file = 1;
    if (type == NULL || *type == '\0')
        type = "json-file";
    if (strcmp(type, "none") == 0) {
        out->none = true;
        if (cfg && json_object_is_type(cfg, json_type_object)) {
            json_object_object_foreach(cfg, k, v) {
                (void)v;
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "unknown log opt '%s' for none log driver", k);
            }
        }
        return 0;
    }
    if (strcmp(type, "json-file") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "logging driver \"%s\" is not supported: use json-file or none",
                              type);
    if (cfg && json_object_is_type(cfg, json_type_object)) {
        json_object_object_foreach(cfg, k, v) {
            size_t i;

            (void)v;
            for (i = 0; json_file_opts[i]; i++)
                if (strcmp(k, json_file_opts[i]) == 0)
                    break;
            if (json_file_opts[i] == NULL)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "unknown log opt '%s' for json-file log driver", k);
        }
    }
    if (ms && *ms) {
        if (spec_parse_size(ms, &out->max_size, err) < 0)
            return -1;
        if (out->max_size < 0)
            out->max_size = 0;
    }
    if (mf && *mf) {
        if (util_parse_int64(mf, &files) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "strconv.Atoi: parsing \"%s\": invalid syntax", mf);
        if (files < 1)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "max-file cannot be less than 1");
        if (files > 1 && out->max_size == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "max-file can only be used with max-size");
        if (files > INT_MAX)
            files = INT_MAX;
    }
    out->max_file = (int)files;
    return 0;
}

int
spec_restart_policy_check(struct json_object *policy, dctl_error_t *err)
{
    const char *name = json_get_string(policy, "Name");
    int64_t max = json_get_int64(policy, "MaximumRetryCount", 0);

    if (name == NULL || *name == '\0')
        return 0;
    if (strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0 ||
        strcmp(name, "no") == 0) {
        if (max != 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid restart policy: maximum retry count can only be used "
                                  "with 'on-failure'%s", max < 0 ? " and cannot be negative" : "");
        return 0;
    }
    if (strcmp(name, "on-failure") == 0) {
        if (max < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid restart policy: maximum retry count cannot be "
                                  "negative");
        return 0;
    }
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "invalid restart policy: unknown policy '%s'; use one of 'no', "
                          "'always', 'on-failure', or 'unless-stopped'", name);
}

/* ---- HostConfig ---------------------------------------------------------------- */

/* Namespaced sysctls (as runc accepts them; dockerd's opts.ValidateSysctl). */
static bool
spec_sysctl_namespaced(const char *k, bool host_ipc, bool host_net)
{
    static const char *const ipc[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
        "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ipc); i++)
        if (strcmp(k, ipc[i]) == 0)
            return !host_ipc;
    if (util_has_prefix(k, "fs.mqueue."))
        return !host_ipc;
    if (util_has_prefix(k, "net."))
        return !host_net;
    return false;
}

static bool
spec_abs_clean(const char *p)
{
    return p[0] == '/';
}

/* One Binds entry "src:dst[:opts]" into its parts (malloc'd). */
static int
spec_bind_parse(const char *spec, char **src, char **dst, bool *ro, char **prop,
                dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(spec);
    char *parts[4] = { 0 }, *save = NULL, *p;
    size_t n = 0;

    for (p = strtok_r(copy, ":", &save); p && n < 4; p = strtok_r(NULL, ":", &save))
        parts[n++] = p;
    if (n < 2 || n > 3 || p != NULL)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid volume specification: '%s'",
                              spec);
    if (!spec_abs_clean(parts[0]))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid volume specification: '%s': named volumes are not "
                              "supported yet: use an absolute host path", spec);
    if (!spec_abs_clean(parts[1]))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid volume specification: '%s': invalid mount config: "
                              "invalid mount path: '%s' mount path must be absolute", spec,
                              parts[1]);
    if (strcmp(parts[1], "/") == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid specification: destination can't be '/'");
    *ro = false;
    *prop = xstrdup("rprivate");
    if (n == 3) {
        char *osave = NULL, *o;

        for (o = strtok_r(parts[2], ",", &osave); o; o = strtok_r(NULL, ",", &osave)) {
            if (strcmp(o, "ro") == 0) {
                *ro = true;
            } else if (strcmp(o, "rw") == 0 || strcmp(o, "z") == 0 || strcmp(o, "Z") == 0 ||
                       strcmp(o, "nocopy") == 0) {
                continue;
            } else if (strcmp(o, "private") == 0 || strcmp(o, "rprivate") == 0 ||
                       strcmp(o, "shared") == 0 || strcmp(o, "rshared") == 0 ||
                       strcmp(o, "slave") == 0 || strcmp(o, "rslave") == 0) {
                free(*prop);
                *prop = xstrdup(o);
            } else {
                free(*prop);
                *prop = NULL;
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "invalid mode: %s", o);
            }
        }
    }
    *src = xstrdup(parts[0]);
    *dst = xstrdup(parts[1]);
    return 0;
}

static int
spec_mount_check(struct json_object *m, dctl_error_t *err)
{
    const char *type = json_get_string(m, "Type"), *src = json_get_string(m, "Source");
    const char *target = json_get_string(m, "Target");
    struct stat st;

    if (type == NULL)
        type = "";
    if (strcmp(type, "bind") != 0 && strcmp(type, "tmpfs") != 0) {
        if (strcmp(type, "volume") == 0 || strcmp(type, "npipe") == 0 ||
            strcmp(type, "cluster") == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid mount config for type \"%s\": mounts of type %s are "
                                  "not supported yet: use bind or tmpfs", type, type);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid mount config for type \"%s\": mount type unknown", type);
    }
    if (target == NULL || *target == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid mount config for type \"%s\": field Target must not be "
                              "empty", type);
    if (target[0] != '/')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid mount config for type \"%s\": invalid mount path: '%s' "
                              "mount path must be absolute", type, target);
    if (strcmp(type, "tmpfs") == 0) {
        if (src && *src)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid mount config for type \"tmpfs\": field Source must "
                                  "not be specified");
        return 0;
    }
    if (src == NULL || *src == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid mount config for type \"bind\": field Source must not "
                              "be empty");
    if (src[0] != '/')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid mount config for type \"bind\": invalid mount path: '%s' "
                              "mount path must be absolute", src);
    if (stat(src, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid mount config for type \"bind\": bind source path does "
                              "not exist: %s", src);
    return 0;
}

/* Adds a mount point to the set of destinations; a duplicate is an error. */
static int
spec_dest_add(struct json_object *seen, const char *dst, dctl_error_t *err)
{
    if (spec_get(seen, dst))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Duplicate mount point: %s", dst);
    json_object_object_add(seen, dst, json_object_new_boolean(1));
    return 0;
}

static int
spec_mode_check(const char *what, const char *mode, bool allow_bridge, dctl_error_t *err)
{
    (void)allow_bridge;
    if (mode == NULL || *mode == '\0' || strcmp(mode, "host") == 0)
        return 0;
    if (strcmp(what, "IpcMode") == 0 && (strcmp(mode, "private") == 0 ||
                                         strcmp(mode, "shareable") == 0 ||
                                         strcmp(mode, "none") == 0))
        return 0;
    if (strcmp(what, "PidMode") == 0 || strcmp(what, "UTSMode") == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid %s: %s: only host is "
                              "supported", what, mode);
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid IPC mode: %s", mode);
}

struct json_object *
spec_hostconfig_normalize(struct json_object *in, dctl_error_t *err)
{
    struct json_object *hc = in ? spec_dup(in) : json_object_new_object();
    struct json_object *rp, *lc, *v, *seen = json_object_new_object();
    const char *net = json_get_string(hc, "NetworkMode");
    struct spec_log log;
    bool host_net, host_ipc;
    size_t i;

    /* network: none and host only, until bridge exists */
    if (net == NULL || *net == '\0')
        net = "default";
    if (strcmp(net, "none") != 0 && strcmp(net, "host") != 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "network mode \"%s\" is not supported yet: use --network none or host",
                       net);
        goto fail;
    }
    host_net = strcmp(net, "host") == 0;
    json_add_string(hc, "NetworkMode", net);
    if (spec_mode_check("PidMode", json_get_string(hc, "PidMode"), false, err) < 0 ||
        spec_mode_check("IpcMode", json_get_string(hc, "IpcMode"), false, err) < 0 ||
        spec_mode_check("UTSMode", json_get_string(hc, "UTSMode"), false, err) < 0)
        goto fail;
    if (spec_empty(spec_get(hc, "IpcMode")))
        json_add_string(hc, "IpcMode", "private");
    host_ipc = strcmp(json_get_string(hc, "IpcMode"), "host") == 0;
    if (spec_get(hc, "PidMode") == NULL)
        json_add_string(hc, "PidMode", "");
    if (spec_get(hc, "UTSMode") == NULL)
        json_add_string(hc, "UTSMode", "");
    /* restart policy and AutoRemove */
    rp = spec_get(hc, "RestartPolicy");
    if (spec_restart_policy_check(rp, err) < 0)
        goto fail;
    if (rp == NULL || spec_empty(spec_get(rp, "Name"))) {
        rp = json_object_new_object();
        json_add_string(rp, "Name", "no");
        json_add_int64(rp, "MaximumRetryCount", 0);
        json_object_object_add(hc, "RestartPolicy", rp);
    } else if (spec_get(rp, "MaximumRetryCount") == NULL) {
        json_add_int64(rp, "MaximumRetryCount", 0);
    }
    if (json_get_bool(hc, "AutoRemove", false) &&
        strcmp(json_get_string(rp, "Name"), "no") != 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "can't create 'AutoRemove' container with restart policy");
        goto fail;
    }
    json_add_bool(hc, "AutoRemove", json_get_bool(hc, "AutoRemove", false));
    /* logging */
    lc = spec_get(hc, "LogConfig");
    if (spec_log_parse(lc, &log, err) < 0)
        goto fail;
    if (lc == NULL) {
        lc = json_object_new_object();
        json_object_object_add(hc, "LogConfig", lc);
    }
    if (spec_empty(spec_get(lc, "Type")))
        json_add_string(lc, "Type", "json-file");
    if (spec_get(lc, "Config") == NULL)
        json_object_object_add(lc, "Config", json_object_new_object());
    /* /dev/shm */
    if (json_get_int64(hc, "ShmSize", 0) < 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "SHM size can not be less than 0");
        goto fail;
    }
    if (json_get_int64(hc, "ShmSize", 0) == 0)
        json_add_int64(hc, "ShmSize", SPEC_DEFAULT_SHM_SIZE);
    /* binds, mounts, tmpfs: valid, and no destination twice */
    v = spec_get(hc, "Binds");
    for (i = 0; i < spec_alen(v); i++) {
        cleanup_free char *src = NULL, *dst = NULL, *prop = NULL;
        bool ro;

        if (spec_bind_parse(spec_aget(v, i), &src, &dst, &ro, &prop, err) < 0 ||
            spec_dest_add(seen, dst, err) < 0)
            goto fail;
    }
    v = spec_get(hc, "Mounts");
    for (i = 0; i < spec_alen(v); i++) {
        struct json_object *m = json_object_array_get_idx(v, i);

        if (spec_mount_check(m, err) < 0 ||
            spec_dest_add(seen, json_get_string(m, "Target"), err) < 0)
            goto fail;
    }
    v = spec_get(hc, "Tmpfs");
    if (v && json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, dst, opts) {
            (void)opts;
            if (dst[0] != '/') {
                dctl_error_set(err, DCTL_ERR_INVALID, 0,
                               "invalid mount config for type \"tmpfs\": invalid mount path: "
                               "'%s' mount path must be absolute", dst);
                goto fail;
            }
            if (spec_dest_add(seen, dst, err) < 0)
                goto fail;
        }
    }
    /* sysctls: namespaced ones only */
    v = spec_get(hc, "Sysctls");
    if (v && json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, k, sv) {
            (void)sv;
            if (host_net && util_has_prefix(k, "net.")) {
                dctl_error_set(err, DCTL_ERR_INVALID, 0,
                               "sysctl \"%s\" not allowed in host network namespace", k);
                goto fail;
            }
            if (!spec_sysctl_namespaced(k, host_ipc, host_net)) {
                dctl_error_set(err, DCTL_ERR_INVALID, 0,
                               "sysctl \"%s\" is not in a separate kernel namespace: only "
                               "namespaced sysctls (kernel.msg*, kernel.sem, kernel.shm*, "
                               "fs.mqueue.*, net.*) can be set", k);
                goto fail;
            }
        }
    }
    v = spec_get(hc, "ExtraHosts");
    for (i = 0; i < spec_alen(v); i++) {
        const char *e = spec_aget(v, i), *colon = strchr(e, ':');

        if (colon == NULL || colon == e || colon[1] == '\0') {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid extra host: %s", e);
            goto fail;
        }
    }
    if (spec_get(hc, "CgroupnsMode") == NULL)
        json_add_string(hc, "CgroupnsMode", "private");
    if (security_hostconfig_check(hc, err) < 0 || devices_hostconfig_check(hc, err) < 0)
        goto fail;
    json_object_put(seen);
    return hc;
fail:
    json_object_put(seen);
    json_object_put(hc);
    return NULL;
}

/* With a remap (userns), the directories made are owned by the containers' root, as
 * dockerd's MkdirAllAndChownNew makes them. */
static int
spec_binds_make(struct json_object *hc, const struct idmap *userns, dctl_error_t *err)
{
    struct json_object *v = spec_get(hc, "Binds");
    uint32_t uid, gid;
    bool own = userns && idmap_root(userns, &uid, &gid);
    size_t i;

    for (i = 0; i < spec_alen(v); i++) {
        cleanup_free char *src = NULL, *dst = NULL, *prop = NULL, *first = NULL;
        struct stat st;
        bool ro;

        if (spec_bind_parse(spec_aget(v, i), &src, &dst, &ro, &prop, err) < 0)
            return -1;
        if (stat(src, &st) == 0)
            continue;
        first = xstrdup(src);   /* the topmost component that is missing */
        for (;;) {
            char *slash = strrchr(first, '/');

            if (slash == NULL || slash == first)
                break;
            *slash = '\0';
            if (stat(first, &st) == 0) {
                *slash = '/';
                break;
            }
        }
        if (file_mkdir_p(src, 0755, err) < 0)
            return dctl_error_prefix(err, "error while creating mount source path '%s'", src);
        if (own) {   /* src, then each parent up to the first one made */
            cleanup_free char *p = xstrdup(src);
            char *slash;

            for (;;) {
                if (lchown(p, uid, gid) < 0)
                    return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown %s", p);
                if (strlen(p) <= strlen(first) || (slash = strrchr(p, '/')) == NULL)
                    break;
                *slash = '\0';
            }
        }
    }
    return 0;
}

int
spec_binds_prepare(struct json_object *hc, dctl_error_t *err)
{
    return spec_binds_make(hc, NULL, err);
}

/* ---- users and groups ------------------------------------------------------------ */

void
spec_user_fini(struct spec_user *u)
{
    free(u->gids);
    memset(u, 0, sizeof *u);
}

static bool
spec_parse_id(const char *s, unsigned long *out)
{
    char *end;

    if (*s == '\0' || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return errno == 0 && *end == '\0' && *out <= 0x7fffffffUL;
}

/* The n-th ':'-separated field of line into out (lent copy in buf). */
static int
spec_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;

    while (n < max) {
        f[n++] = p;
        p = strchr(p, ':');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

/* Looks a passwd entry up by name or (when by_id) uid. */
static bool
spec_passwd_find(const char *text, const char *name, bool by_id, unsigned long id,
                 unsigned long *uid, unsigned long *gid, char *uname, size_t ulen)
{
    cleanup_free char *copy = xstrdup(text ? text : "");
    char *save = NULL, *line;

    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[7];
        unsigned long u, g;

        while (isspace((unsigned char)*line))
            line++;
        if (*line == '\0' || *line == '#')
            continue;
        if (spec_fields(line, f, 7) < 4 || !spec_parse_id(f[2], &u) || !spec_parse_id(f[3], &g))
            continue;
        if (by_id ? u == id : strcmp(f[0], name) == 0) {
            *uid = u;
            *gid = g;
            snprintf(uname, ulen, "%s", f[0]);
            return true;
        }
    }
    return false;
}

static bool
spec_group_find(const char *text, const char *name, bool by_id, unsigned long id,
                unsigned long *gid)
{
    cleanup_free char *copy = xstrdup(text ? text : "");
    char *save = NULL, *line;

    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[4];
        unsigned long g;

        if (*line == '\0' || *line == '#')
            continue;
        if (spec_fields(line, f, 4) < 3 || !spec_parse_id(f[2], &g))
            continue;
        if (by_id ? g == id : strcmp(f[0], name) == 0) {
            *gid = g;
            return true;
        }
    }
    return false;
}

static void
spec_gid_add(struct spec_user *u, gid_t g)
{
    size_t i;

    for (i = 0; i < u->ngids; i++)
        if (u->gids[i] == g)
            return;
    u->gids = xrealloc(u->gids, (u->ngids + 1) * sizeof *u->gids);
    u->gids[u->ngids++] = g;
}

/* The groups listing uname as a member. */
static void
spec_member_groups(const char *text, const char *uname, struct spec_user *u)
{
    cleanup_free char *copy = xstrdup(text ? text : "");
    char *save = NULL, *line;

    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[4], *msave = NULL, *m;
        unsigned long g;

        if (*line == '\0' || *line == '#')
            continue;
        if (spec_fields(line, f, 4) < 4 || !spec_parse_id(f[2], &g))
            continue;
        for (m = strtok_r(f[3], ",", &msave); m; m = strtok_r(NULL, ",", &msave))
            if (strcmp(m, uname) == 0)
                spec_gid_add(u, (gid_t)g);
    }
}

int
spec_user_resolve(const char *user, const char *passwd, const char *group,
                  struct json_object *group_add, struct spec_user *out, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(user ? user : "");
    char *grp = strchr(copy, ':'), uname[256] = "";
    unsigned long uid = 0, gid = 0, id;
    bool found;
    size_t i;

    memset(out, 0, sizeof *out);
    if (grp)
        *grp++ = '\0';
    if (*copy == '\0') {   /* root by default; its entry gives the group */
        if (!spec_passwd_find(passwd, "", true, 0, &uid, &gid, uname, sizeof uname)) {
            uid = gid = 0;
            snprintf(uname, sizeof uname, "root");
        }
    } else if (spec_parse_id(copy, &id)) {
        found = spec_passwd_find(passwd, NULL, true, id, &uid, &gid, uname, sizeof uname);
        uid = id;
        if (!found)
            gid = 0;
    } else if (!spec_passwd_find(passwd, copy, false, 0, &uid, &gid, uname, sizeof uname)) {
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "unable to find user %s: no matching entries in passwd file",
                              copy);
    }
    if (grp && *grp) {
        if (spec_parse_id(grp, &id))
            gid = id;
        else if (!spec_group_find(group, grp, false, 0, &gid))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "unable to find group %s: no matching entries in group file",
                                  grp);
    } else if (*uname) {
        spec_member_groups(group, uname, out);
    }
    for (i = 0; i < spec_alen(group_add); i++) {
        const char *g = spec_aget(group_add, i);
        unsigned long gg;

        if (spec_group_find(group, g, false, 0, &gg)) {
            spec_gid_add(out, (gid_t)gg);
        } else if (spec_parse_id(g, &gg)) {
            spec_gid_add(out, (gid_t)gg);
        } else {
            spec_user_fini(out);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Unable to find group %s", g);
        }
    }
    out->uid = (uid_t)uid;
    out->gid = (gid_t)gid;
    return 0;
}

/* ---- resolv.conf and hosts ---------------------------------------------------------- */

static bool
spec_ns_is_local(const char *ns)
{
    return util_has_prefix(ns, "127.") || strcmp(ns, "::1") == 0;
}

static void
spec_buf_add(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
spec_buf_add(char **buf, const char *fmt, ...)
{
    cleanup_free char *piece = NULL;
    char *n;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&piece, fmt, ap) < 0)
        abort();
    va_end(ap);
    n = xasprintf("%s%s", *buf ? *buf : "", piece);
    free(*buf);
    *buf = n;
}

char *
spec_resolv_conf(const char *host_text, struct json_object *dns, struct json_object *search,
                 struct json_object *options, bool host_network)
{
    cleanup_free char *copy = xstrdup(host_text ? host_text : "");
    char *out = NULL, *ns = NULL, *srch = NULL, *opts = NULL, *other = NULL, *save = NULL, *line;
    size_t i, nns = 0;

    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char word[32] = "";
        const char *rest;

        sscanf(line, " %31s", word);
        rest = strstr(line, word) + strlen(word);
        while (*rest == ' ' || *rest == '\t')
            rest++;
        if (strcmp(word, "nameserver") == 0) {
            char addr[64] = "";

            sscanf(rest, "%63s", addr);
            if (!host_network && spec_ns_is_local(addr))
                continue;
            spec_buf_add(&ns, "nameserver %s\n", addr);
            nns++;
        } else if (strcmp(word, "search") == 0 || strcmp(word, "domain") == 0) {
            free(srch);
            srch = xasprintf("search %s\n", rest);
        } else if (strcmp(word, "options") == 0) {
            spec_buf_add(&opts, "options %s\n", rest);
        } else if (*word) {
            spec_buf_add(&other, "%s\n", line);
        }
    }
    if (spec_alen(dns)) {
        free(ns);
        ns = NULL;
        for (i = 0; i < spec_alen(dns); i++)
            spec_buf_add(&ns, "nameserver %s\n", spec_aget(dns, i));
        nns = spec_alen(dns);
    } else if (nns == 0) {   /* libnetwork's defaults */
        spec_buf_add(&ns, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    }
    if (spec_alen(search)) {
        free(srch);
        srch = NULL;
        spec_buf_add(&srch, "search");
        for (i = 0; i < spec_alen(search); i++)
            if (strcmp(spec_aget(search, i), ".") != 0)
                spec_buf_add(&srch, " %s", spec_aget(search, i));
        spec_buf_add(&srch, "\n");
        if (strcmp(srch, "search\n") == 0) {   /* "." alone means no search domains */
            free(srch);
            srch = NULL;
        }
    }
    if (spec_alen(options)) {
        free(opts);
        opts = NULL;
        spec_buf_add(&opts, "options");
        for (i = 0; i < spec_alen(options); i++)
            spec_buf_add(&opts, " %s", spec_aget(options, i));
        spec_buf_add(&opts, "\n");
    }
    spec_buf_add(&out, "%s%s%s%s", other ? other : "", srch ? srch : "", ns ? ns : "",
                 opts ? opts : "");
    free(ns);
    free(srch);
    free(opts);
    free(other);
    return out;
}

char *
spec_hosts_file(const char *host_text, struct json_object *extra, bool host_network,
                dctl_error_t *err)
{
    char *out = NULL;
    size_t i;

    if (host_network && host_text) {
        spec_buf_add(&out, "%s", host_text);
        if (*host_text && host_text[strlen(host_text) - 1] != '\n')
            spec_buf_add(&out, "\n");
    } else {
        spec_buf_add(&out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                           "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
                           "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
    }
    for (i = 0; i < spec_alen(extra); i++) {
        const char *e = spec_aget(extra, i), *colon = strchr(e, ':');

        if (colon == NULL || colon == e || colon[1] == '\0') {
            free(out);
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid extra host: %s", e);
            return NULL;
        }
        spec_buf_add(&out, "%s\t%.*s\n", colon + 1, (int)(colon - e), e);
    }
    return out;
}

/* ---- the spec ---------------------------------------------------------------------- */

static struct json_object *
spec_mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
    struct json_object *m = json_object_new_object();

    json_add_string(m, "destination", dst);
    json_add_string(m, "type", type);
    json_add_string(m, "source", src);
    json_object_object_add(m, "options", spec_strv(opts));
    return m;
}

static void
spec_ns_add(struct json_object *a, const char *type)
{
    struct json_object *n = json_object_new_object();

    json_add_string(n, "type", type);
    json_object_array_add(a, n);
}

/* A file in the root filesystem, read without following symlinks out of it (the
 * image's /etc/passwd may be a symlink; it is then not used). NULL when absent. */
static char *
spec_read_root_file(const char *rootfs, const char *rel)
{
    cleanup_close int rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int etc = -1, fd = -1;
    struct stat st;
    dctl_error_t e = NULL;
    char *text;

    if (rootfd < 0)
        return NULL;
    etc = openat(rootfd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (etc < 0)
        return NULL;
    /* a symlink or anything but a regular file is not read (it could lead out) */
    if (fstatat(etc, rel, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    text = file_read_all(etc, rel, NULL, &e);
    dctl_error_free(e);
    return text;
}

static char *
spec_read_host_file(const char *path)
{
    dctl_error_t e = NULL;
    char *text = file_read_all(AT_FDCWD, path, NULL, &e);

    dctl_error_free(e);
    return text;
}

static int
spec_write_file(const char *dir, const char *name, const char *text, dctl_error_t *err)
{
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", dir);
    return file_write_replace(dfd, name, text, strlen(text), 0644, err);   /* rebuilt at each start */
}

/* Docker's CreateDaemonEnvironment, then ReplaceOrAppendEnvValues: PATH (when env
 * has none), HOSTNAME, TERM=xterm with a TTY, then env's entries, then extra's (an
 * exec's), each replacing an earlier one of its key. */
static struct json_object *
spec_env_build(struct json_object *env, const char *hostname, bool tty, struct json_object *extra)
{
    struct json_object *out = json_object_new_array(), *src[2] = { env, extra };
    cleanup_free char *h = xasprintf("HOSTNAME=%s", hostname ? hostname : "");
    bool have_path = false;
    size_t i, k, j;

    for (i = 0; i < spec_alen(env); i++)
        have_path |= util_has_prefix(spec_aget(env, i), "PATH=");
    if (!have_path)
        json_object_array_add(out, json_object_new_string("PATH=" SPEC_DEFAULT_PATH));
    json_object_array_add(out, json_object_new_string(h));
    if (tty)
        json_object_array_add(out, json_object_new_string("TERM=xterm"));
    for (j = 0; j < 2; j++)
        for (i = 0; i < spec_alen(src[j]); i++) {
            char key[256], ek[256];
            bool replaced = false;

            spec_env_key(spec_aget(src[j], i), key, sizeof key);
            for (k = 0; k < json_object_array_length(out); k++) {
                spec_env_key(spec_aget(out, k), ek, sizeof ek);
                if (strcmp(key, ek) == 0) {
                    json_object_array_put_idx(out, k, json_object_new_string(spec_aget(src[j], i)));
                    replaced = true;
                    break;
                }
            }
            if (!replaced)
                json_object_array_add(out, json_object_new_string(spec_aget(src[j], i)));
        }
    return out;
}

/* process.user from the root's /etc/passwd and /etc/group. */
static int
spec_process_user(struct json_object *proc, const char *rootfs, const char *user,
                  struct json_object *group_add, dctl_error_t *err)
{
    cleanup_free char *passwd = spec_read_root_file(rootfs, "passwd");
    cleanup_free char *group = spec_read_root_file(rootfs, "group");
    struct json_object *o;
    struct spec_user u;
    size_t i;

    if (spec_user_resolve(user, passwd, group, group_add, &u, err) < 0)
        return -1;
    o = json_object_new_object();
    json_add_int64(o, "uid", u.uid);
    json_add_int64(o, "gid", u.gid);
    if (u.ngids) {
        struct json_object *g = json_object_new_array();

        for (i = 0; i < u.ngids; i++)
            json_object_array_add(g, json_object_new_int64(u.gids[i]));
        json_object_object_add(o, "additionalGids", g);
    }
    spec_user_fini(&u);
    json_object_object_add(proc, "user", o);
    return 0;
}

/* process.capabilities, noNewPrivileges and rlimits from the HostConfig (proc's user is
 * set); all_caps gives every capability (an exec's Privileged). */
static int
spec_process_security(struct json_object *proc, struct json_object *hc, bool all_caps,
                      dctl_error_t *err)
{
    return security_process(proc, hc, all_caps, err);
}

/* process.consoleSize {height, width} */
static void
spec_console_size(struct json_object *proc, long long rows, long long cols)
{
    struct json_object *cs = json_object_new_object();

    json_add_int64(cs, "height", rows);
    json_add_int64(cs, "width", cols);
    json_object_object_add(proc, "consoleSize", cs);
}

/* A [height, width] array's members, 0 0 when it is not one. */
static void
spec_console_pair(struct json_object *size, long long *rows, long long *cols)
{
    *rows = spec_alen(size) == 2 ? json_object_get_int64(json_object_array_get_idx(size, 0)) : 0;
    *cols = spec_alen(size) == 2 ? json_object_get_int64(json_object_array_get_idx(size, 1)) : 0;
}

/* ---- user namespaces ---------------------------------------------------------------- */

int
spec_userns_check(struct json_object *hc, bool remap, dctl_error_t *err)
{
    const char *mode = json_get_string(hc, "UsernsMode");
    const char *net = json_get_string(hc, "NetworkMode"), *pid = json_get_string(hc, "PidMode");

    if (mode == NULL) {
        json_add_string(hc, "UsernsMode", "");
        mode = "";
    }
    if (*mode && strcmp(mode, "host") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid USER mode: %s", mode);
    if (!remap || strcmp(mode, "host") == 0)
        return 0;
    if (json_get_bool(hc, "Privileged", false))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "privileged mode is incompatible with user namespaces.  You must "
                              "run the container in the host namespace when running privileged "
                              "mode");
    if (net && strcmp(net, "host") == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "cannot share the host's network namespace when user namespaces "
                              "are enabled");
    if (pid && strcmp(pid, "host") == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "cannot share the host PID namespace when user namespaces are "
                              "enabled");
    return 0;
}

static struct json_object *
spec_id_mappings(const struct idmap_range *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; i < n; i++) {
        struct json_object *m = json_object_new_object();

        json_add_int64(m, "containerID", v[i].inside);
        json_add_int64(m, "hostID", v[i].outside);
        json_add_int64(m, "size", v[i].count);
        json_object_array_add(a, m);
    }
    return a;
}

/* With the daemon's remap: the container's own files (hostname, hosts, resolv.conf)
 * become its root's, so that it can write them; unless UsernsMode is "host", a user
 * namespace with the remap's uidMappings and gidMappings, as OCI writes them. */
static int
spec_userns_apply(struct json_object *spec, const struct spec_input *in, dctl_error_t *err)
{
    static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
    const char *mode = json_get_string(in->hostconfig, "UsernsMode");
    struct json_object *linux_ = NULL, *ns = NULL, *n;
    uint32_t uid, gid;
    size_t i;

    if (in->userns == NULL || !idmap_root(in->userns, &uid, &gid))
        return 0;
    for (i = 0; i < ARRAY_SIZE(files); i++) {
        cleanup_free char *path = xasprintf("%s/%s", in->container_dir, files[i]);

        if (chown(path, uid, gid) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown %s", path);
    }
    if (mode && strcmp(mode, "host") == 0)
        return 0;
    json_object_object_get_ex(spec, "linux", &linux_);
    json_object_object_get_ex(linux_, "namespaces", &ns);
    n = json_object_new_object();
    json_add_string(n, "type", "user");
    json_object_array_add(ns, n);
    json_object_object_add(linux_, "uidMappings",
                           spec_id_mappings(in->userns->uid, in->userns->nuid));
    json_object_object_add(linux_, "gidMappings",
                           spec_id_mappings(in->userns->gid, in->userns->ngid));
    return 0;
}

struct json_object *
spec_build(const struct spec_input *in, dctl_error_t *err)
{
    struct json_object *cfg = in->config, *hc = in->hostconfig;
    cleanup_json struct json_object *spec = json_object_new_object();
    struct json_object *proc, *args, *root, *mounts, *linux_, *ns, *devs;
    struct json_object *dctl, *log, *v, *sysctl, *resources;
    cleanup_free char *resolv = NULL, *hosts = NULL;
    cleanup_free char *host_resolv = NULL, *host_hosts = NULL, *hostname_line = NULL;
    cleanup_free char *path_hostname = NULL, *path_hosts = NULL, *path_resolv = NULL;
    cleanup_free char *shm_opt = NULL;
    const char *hostname = json_get_string(cfg, "Hostname"), *wd;
    const char *net = json_get_string(hc, "NetworkMode");
    bool host_net = net && strcmp(net, "host") == 0;
    bool host_ipc = json_get_string(hc, "IpcMode") &&
                    strcmp(json_get_string(hc, "IpcMode"), "host") == 0;
    bool tty = json_get_bool(cfg, "Tty", false), privileged = json_get_bool(hc, "Privileged",
                                                                             false);
    const char *netfiles_mode = json_get_bool(hc, "ReadonlyRootfs", false) ? "ro" : "rw";
    struct spec_log lg;
    size_t i;

    if (spec_log_parse(spec_get(hc, "LogConfig"), &lg, err) < 0)
        return NULL;
    json_add_string(spec, "ociVersion", "1.0.2-dev");
    /* process */
    proc = json_object_new_object();
    json_object_object_add(spec, "process", proc);
    json_add_bool(proc, "terminal", tty);
    if (tty) {
        long long rows, cols;

        spec_console_pair(spec_get(hc, "ConsoleSize"), &rows, &cols);
        spec_console_size(proc, rows, cols);
    }
    if (spec_process_user(proc, in->rootfs, json_get_string(cfg, "User"),
                          spec_get(hc, "GroupAdd"), err) < 0)
        return NULL;
    args = json_object_new_array();
    v = spec_get(cfg, "Entrypoint");
    for (i = 0; i < spec_alen(v); i++)
        json_object_array_add(args, json_object_new_string(spec_aget(v, i)));
    v = spec_get(cfg, "Cmd");
    for (i = 0; i < spec_alen(v); i++)
        json_object_array_add(args, json_object_new_string(spec_aget(v, i)));
    json_object_object_add(proc, "args", args);
    json_object_object_add(proc, "env", spec_env_build(spec_get(cfg, "Env"), hostname, tty, NULL));
    wd = json_get_string(cfg, "WorkingDir");
    json_add_string(proc, "cwd", wd && *wd ? wd : "/");
    if (spec_process_security(proc, hc, false, err) < 0)
        return NULL;
    /* root, hostname */
    root = json_object_new_object();
    json_add_string(root, "path", in->rootfs);
    json_add_bool(root, "readonly", json_get_bool(hc, "ReadonlyRootfs", false));
    json_object_object_add(spec, "root", root);
    json_add_string(spec, "hostname", hostname ? hostname : "");
    json_add_string(spec, "domainname", json_get_string(cfg, "Domainname")
                                            ? json_get_string(cfg, "Domainname") : "");
    /* the container's files */
    path_hostname = xasprintf("%s/hostname", in->container_dir);
    path_hosts = xasprintf("%s/hosts", in->container_dir);
    path_resolv = xasprintf("%s/resolv.conf", in->container_dir);
    host_resolv = spec_read_host_file("/etc/resolv.conf");
    host_hosts = spec_read_host_file("/etc/hosts");
    resolv = spec_resolv_conf(host_resolv, spec_get(hc, "Dns"), spec_get(hc, "DnsSearch"),
                              spec_get(hc, "DnsOptions"), host_net);
    hosts = spec_hosts_file(host_hosts, spec_get(hc, "ExtraHosts"), host_net, err);
    if (hosts == NULL)
        return NULL;
    hostname_line = xasprintf("%s\n", hostname ? hostname : "");
    if (spec_write_file(in->container_dir, "hostname", hostname_line, err) < 0 ||
        spec_write_file(in->container_dir, "hosts", hosts, err) < 0 ||
        spec_write_file(in->container_dir, "resolv.conf", resolv, err) < 0)
        return NULL;
    if (spec_binds_make(hc, in->userns, err) < 0)
        return NULL;
    /* mounts, in the order of docs/containers.md */
    mounts = json_object_new_array();
    json_object_object_add(spec, "mounts", mounts);
    json_object_array_add(mounts, spec_mount("/proc", "proc", "proc",
                                             (const char *const[]){ "nosuid", "noexec", "nodev",
                                                                    NULL }));
    json_object_array_add(mounts, spec_mount("/dev", "tmpfs", "tmpfs",
                                             (const char *const[]){ "nosuid", "strictatime",
                                                                    "mode=755", "size=65536k",
                                                                    NULL }));
    json_object_array_add(mounts, spec_mount("/dev/pts", "devpts", "devpts",
                                             (const char *const[]){ "nosuid", "noexec",
                                                                    "newinstance",
                                                                    "ptmxmode=0666", "mode=0620",
                                                                    "gid=5", NULL }));
    if (host_ipc) {
        json_object_array_add(mounts, spec_mount("/dev/shm", "bind", "/dev/shm",
                                                 (const char *const[]){ "rbind", "rprivate",
                                                                        NULL }));
        json_object_array_add(mounts, spec_mount("/dev/mqueue", "bind", "/dev/mqueue",
                                                 (const char *const[]){ "rbind", "rprivate",
                                                                        NULL }));
    } else {
        shm_opt = xasprintf("size=%lld", (long long)json_get_int64(hc, "ShmSize",
                                                                    SPEC_DEFAULT_SHM_SIZE));
        json_object_array_add(mounts, spec_mount("/dev/shm", "tmpfs", "shm",
                                                 (const char *const[]){ "nosuid", "noexec",
                                                                        "nodev", "mode=1777",
                                                                        shm_opt, NULL }));
        json_object_array_add(mounts, spec_mount("/dev/mqueue", "mqueue", "mqueue",
                                                 (const char *const[]){ "nosuid", "noexec",
                                                                        "nodev", NULL }));
    }
    json_object_array_add(mounts, spec_mount("/sys", "sysfs", "sysfs",
                                             (const char *const[]){ "nosuid", "noexec", "nodev",
                                                                    privileged ? "rw" : "ro",
                                                                    NULL }));
    /* read-only with a read-only root, as dockerd's NetworkMounts */
    json_object_array_add(mounts, spec_mount("/etc/hostname", "bind", path_hostname,
                                             (const char *const[]){ "rbind", "rprivate",
                                                                    netfiles_mode, NULL }));
    json_object_array_add(mounts, spec_mount("/etc/hosts", "bind", path_hosts,
                                             (const char *const[]){ "rbind", "rprivate",
                                                                    netfiles_mode, NULL }));
    json_object_array_add(mounts, spec_mount("/etc/resolv.conf", "bind", path_resolv,
                                             (const char *const[]){ "rbind", "rprivate",
                                                                    netfiles_mode, NULL }));
    v = spec_get(hc, "Binds");
    for (i = 0; i < spec_alen(v); i++) {
        cleanup_free char *src = NULL, *dst = NULL, *prop = NULL;
        bool ro;

        if (spec_bind_parse(spec_aget(v, i), &src, &dst, &ro, &prop, err) < 0)
            return NULL;
        json_object_array_add(mounts, spec_mount(dst, "bind", src,
                                                 (const char *const[]){ "rbind", prop,
                                                                        ro ? "ro" : "rw",
                                                                        NULL }));
    }
    v = spec_get(hc, "Mounts");
    for (i = 0; i < spec_alen(v); i++) {
        struct json_object *m = json_object_array_get_idx(v, i);
        const char *type = json_get_string(m, "Type");
        bool ro = json_get_bool(m, "ReadOnly", false);

        if (type && strcmp(type, "bind") == 0) {
            struct json_object *bo = spec_get(m, "BindOptions");
            const char *prop = json_get_string(bo, "Propagation");

            json_object_array_add(mounts, spec_mount(json_get_string(m, "Target"), "bind",
                                                     json_get_string(m, "Source"),
                                                     (const char *const[]){
                                                         json_get_bool(bo, "NonRecursive",
                                                                       false) ? "bind" : "rbind",
                                                         prop && *prop ? prop : "rprivate",
                                                         ro ? "ro" : "rw", NULL }));
        } else if (type && strcmp(type, "tmpfs") == 0) {
            struct json_object *to = spec_get(m, "TmpfsOptions");
            cleanup_free char *size = NULL, *mode = NULL;
            const char *opts[8] = { "nosuid", "nodev", "noexec" };
            size_t n = 3;

            if (json_get_int64(to, "SizeBytes", 0) > 0)
                opts[n++] = size = xasprintf("size=%lld",
                                             (long long)json_get_int64(to, "SizeBytes", 0));
            if (json_get_int64(to, "Mode", 0) > 0)
                opts[n++] = mode = xasprintf("mode=%llo",
                                             (unsigned long long)json_get_int64(to, "Mode", 0));
            if (ro)
                opts[n++] = "ro";
            opts[n] = NULL;
            json_object_array_add(mounts, spec_mount(json_get_string(m, "Target"), "tmpfs",
                                                     "tmpfs", opts));
        }
    }
    v = spec_get(hc, "Tmpfs");
    if (v && json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, dst, tv) {
            cleanup_free char *copy = xstrdup(json_object_get_string(tv));
            const char *opts[32] = { "noexec", "nosuid", "nodev" };
            char *save = NULL, *o;
            size_t n = 3;

            for (o = strtok_r(copy, ",", &save); o && n < 31; o = strtok_r(NULL, ",", &save))
                opts[n++] = o;
            opts[n] = NULL;
            json_object_array_add(mounts, spec_mount(dst, "tmpfs", "tmpfs", opts));
        }
    }
    /* linux */
    linux_ = json_object_new_object();
    ns = json_object_new_array();
    if (strcmp(json_get_string(hc, "PidMode") ? json_get_string(hc, "PidMode") : "", "host"))
        spec_ns_add(ns, "pid");
    if (!host_net)
        spec_ns_add(ns, "network");
    if (!host_ipc)
        spec_ns_add(ns, "ipc");
    if (strcmp(json_get_string(hc, "UTSMode") ? json_get_string(hc, "UTSMode") : "", "host"))
        spec_ns_add(ns, "uts");
    spec_ns_add(ns, "mount");
    if (strcmp(json_get_string(hc, "CgroupnsMode") ? json_get_string(hc, "CgroupnsMode") : "",
               "host"))
        spec_ns_add(ns, "cgroup");
    json_object_object_add(linux_, "namespaces", ns);
    if (devices_spec_add(linux_, hc, "/dev", err) < 0)
        return NULL;
    security_paths(linux_, hc);
    sysctl = spec_dup(spec_get(hc, "Sysctls"));
    json_object_object_add(linux_, "sysctl", sysctl ? sysctl : json_object_new_object());
    {
        cleanup_free char *cg = spec_resources_cgroups_path(hc, in->cgroup_parent, in->id);
        struct json_object *res = spec_resources_build(hc, false, err);

        if (res == NULL) {
            json_object_put(linux_);
            return NULL;
        }
        json_add_string(linux_, "cgroupsPath", cg);
        json_object_object_add(linux_, "resources", res);
        resources = res;
    }
    if ((devs = devices_cgroup_rules(hc, err)) == NULL) {
        json_object_put(linux_);
        return NULL;
    }
    json_object_object_add(resources, "devices", devs);
    json_object_object_add(spec, "linux", linux_);
    /* dctl */
    dctl = json_object_new_object();
    json_add_bool(dctl, "stdin", json_get_bool(cfg, "OpenStdin", false));
    json_add_bool(dctl, "stdinOnce", json_get_bool(cfg, "StdinOnce", false));
    json_add_bool(dctl, "init", json_get_bool(hc, "Init", false));
    log = json_object_new_object();
    json_add_string(log, "driver", lg.none ? "none" : "json-file");
    json_add_string(log, "path", in->log_path);
    json_add_int64(log, "maxSize", lg.max_size);
    json_add_int64(log, "maxFile", lg.max_file);
    json_object_object_add(dctl, "log", log);
    json_object_object_add(spec, "dctl", dctl);
    if (spec_userns_apply(spec, in, err) < 0 ||
        security_seccomp_add(spec, hc, in->seccomp, err) < 0)
        return NULL;
    return steal_ptr(&spec);
}

/* ---- exec sessions --------------------------------------------------------------- */

static const struct spec_field spec_exec_fields[] = {
    { "AttachStdin", ST_BOOL }, { "AttachStdout", ST_BOOL }, { "AttachStderr", ST_BOOL },
    { "ConsoleSize", ST_INTV }, { "DetachKeys", ST_STRING }, { "Tty", ST_BOOL },
    { "Env", ST_STRV }, { "Cmd", ST_STRSLICE }, { "Privileged", ST_BOOL },
    { "User", ST_STRING }, { "WorkingDir", ST_STRING }, { "Detach", ST_BOOL },
};

static const struct spec_field spec_exec_start_fields[] = {
    { "Detach", ST_BOOL }, { "Tty", ST_BOOL }, { "ConsoleSize", ST_INTV },
};

static int
spec_console_size_check(struct json_object *size, dctl_error_t *err)
{
    size_t i;

    if (size == NULL)
        return 0;
    if (spec_alen(size) != 2)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "ConsoleSize must be an array of two integers: [height, width]");
    for (i = 0; i < 2; i++)
        if (json_object_get_int64(json_object_array_get_idx(size, i)) < 0 ||
            json_object_get_int64(json_object_array_get_idx(size, i)) > 65535)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid console size: %lld",
                                  (long long)json_object_get_int64(
                                      json_object_array_get_idx(size, i)));
    return 0;
}

int
spec_exec_body_check(struct json_object *body, dctl_error_t *err)
{
    const char *wd;
    size_t i;

    if (spec_check_fields(body, spec_exec_fields, ARRAY_SIZE(spec_exec_fields), "ExecConfig",
                          err) < 0)
        return -1;
    spec_strslice_normalize(body, "Cmd");
    if (spec_alen(spec_get(body, "Cmd")) == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "No exec command specified");
    wd = json_get_string(body, "WorkingDir");
    if (wd && *wd && *wd != '/')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "the working directory '%s' is invalid, it needs to be an "
                              "absolute path", wd);
    for (i = 0; i < spec_alen(spec_get(body, "Env")); i++) {
        const char *e = spec_aget(spec_get(body, "Env"), i);

        if (*e == '=' || *e == '\0')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid environment variable: %s",
                                  e);
    }
    return spec_console_size_check(spec_get(body, "ConsoleSize"), err);
}

int
spec_exec_start_check(struct json_object *body, dctl_error_t *err)
{
    if (spec_check_fields(body, spec_exec_start_fields, ARRAY_SIZE(spec_exec_start_fields),
                          "ExecStartCheck", err) < 0)
        return -1;
    return spec_console_size_check(spec_get(body, "ConsoleSize"), err);
}

struct json_object *
spec_exec_build(const struct spec_exec_input *in, dctl_error_t *err)
{
    struct json_object *x = in->exec, *cfg = in->config, *hc = in->hostconfig;
    cleanup_json struct json_object *out = json_object_new_object();
    struct json_object *proc = json_object_new_object(), *dctl = json_object_new_object();
    const char *user = json_get_string(x, "User"), *wd = json_get_string(x, "WorkingDir");
    bool tty = json_get_bool(x, "Tty", false);

    json_object_object_add(out, "process", proc);
    json_object_object_add(out, "dctl", dctl);
    json_add_bool(proc, "terminal", tty);
    if (tty) {
        long long rows = in->rows, cols = in->cols;

        if (rows == 0 && cols == 0)
            spec_console_pair(spec_get(x, "ConsoleSize"), &rows, &cols);
        spec_console_size(proc, rows, cols);
    }
    /* dockerd's getUser: the exec's user, else the container's, and GroupAdd */
    if (spec_process_user(proc, in->rootfs, user && *user ? user : json_get_string(cfg, "User"),
                          spec_get(hc, "GroupAdd"), err) < 0)
        return NULL;
    json_object_object_add(proc, "args", spec_dup(spec_get(x, "Cmd")));
    json_object_object_add(proc, "env", spec_env_build(spec_get(cfg, "Env"),
                                                       json_get_string(cfg, "Hostname"), tty,
                                                       spec_get(x, "Env")));
    if (wd == NULL || *wd == '\0')
        wd = json_get_string(cfg, "WorkingDir");
    json_add_string(proc, "cwd", wd && *wd ? wd : "/");
    if (spec_process_security(proc, hc, json_get_bool(x, "Privileged", false), err) < 0)
        return NULL;
    json_add_bool(dctl, "stdin", json_get_bool(x, "AttachStdin", false));
    return steal_ptr(&out);
}
