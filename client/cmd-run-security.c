/* client/cmd-run-security.c - the security flags of `dctl run` and `dctl create`
 * (--cap-add, --cap-drop, --privileged, --security-opt, --device, --device-cgroup-rule,
 * --ulimit) parsed and checked as docker's CLI does (cli/command/container/opts.go,
 * opts/opts.go validateDevice, go-units ParseUlimit), and their HostConfig members. */
#include <config.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/cmd-container.h"
#include "lib/devrule.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

void
cmd_run_security_init(struct cmd_run_security *s)
{
    memset(s, 0, sizeof *s);
    s->cap_add = json_object_new_array();
    s->cap_drop = json_object_new_array();
    s->security_opt = json_object_new_array();
    s->devices = json_object_new_array();
    s->device_rules = json_object_new_array();
    s->ulimits = json_object_new_array();
}

void
cmd_run_security_fini(struct cmd_run_security *s)
{
    struct json_object **v[] = { &s->cap_add, &s->cap_drop, &s->security_opt, &s->devices,
                                 &s->device_rules, &s->ulimits };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        json_object_put(*v[i]);
        *v[i] = NULL;
    }
}

static int
sec_flag_error(dctl_error_t *err, const char *arg, const char *flag, const char *why)
{
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid argument \"%s\" for \"--%s\" flag: %s",
                          arg, flag, why);
}

/* The CLI's parseSecurityOpts for one value: KEY=VALUE (or KEY:VALUE); seccomp=FILE sends
 * the file's JSON, compacted; systempaths=unconfined clears the masked and read-only
 * paths. */
static int
sec_security_opt(struct cmd_run_security *s, const char *opt, dctl_error_t *err)
{
    const char *v = strchr(opt, '=');
    size_t klen;

    if (strcmp(opt, "systempaths=unconfined") == 0) {
        s->systempaths_unconfined = true;
        return 0;
    }
    if (v == NULL && strcmp(opt, "no-new-privileges") != 0)
        v = strchr(opt, ':');
    if ((v == NULL || v[1] == '\0') && strcmp(opt, "no-new-privileges") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Invalid --security-opt: %s", opt);
    klen = v ? (size_t)(v - opt) : strlen(opt);
    if (klen == 7 && strncmp(opt, "seccomp", 7) == 0 && strcmp(v + 1, "builtin") != 0 &&
        strcmp(v + 1, "unconfined") != 0) {
        cleanup_free char *text = NULL;
        cleanup_json struct json_object *j = NULL;
        dctl_error_t e = NULL;

        text = file_read_all(AT_FDCWD, v + 1, NULL, &e);
        if (text == NULL) {
            cleanup_free char *why = dctl_error_text(e);

            dctl_error_free(e);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "opening seccomp profile (%s) failed: %s", v + 1, why);
        }
        j = json_parse(text, strlen(text), "seccomp profile", &e);
        if (j == NULL) {
            cleanup_free char *why = dctl_error_text(e);

            dctl_error_free(e);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "compacting json for seccomp profile (%s) failed: %s", v + 1,
                                  why);
        }
        {
            cleanup_free char *compact = xasprintf(
                "seccomp=%s", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));

            json_object_array_add(s->security_opt, json_object_new_string(compact));
        }
        return 0;
    }
    json_object_array_add(s->security_opt, json_object_new_string(opt));
    return 0;
}

/* The CLI's validateDevice (validateLinuxPath) and parseLinuxDevice. */
static int
sec_device(struct cmd_run_security *s, const char *arg, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(arg);
    char *parts[3] = { NULL, NULL, NULL }, *p = copy;
    const char *src, *dst = NULL, *mode = "rwm";
    struct json_object *m;
    size_t n = 0, colons = 0;

    for (p = copy; *p; p++)
        colons += *p == ':';
    if (colons > 2 || *copy == ':') {
        cleanup_free char *why = xasprintf("bad format for path: %s", arg);

        return sec_flag_error(err, arg, "device", why);
    }
    parts[n++] = copy;
    for (p = copy; *p; p++)
        if (*p == ':') {
            *p = '\0';
            parts[n++] = p + 1;
        }
    src = parts[0];
    if (n == 2) {
        if (devrule_mode_is_valid(parts[1]))
            mode = parts[1];
        else
            dst = parts[1];
    } else if (n == 3) {
        dst = parts[1];
        mode = parts[2];
        if (!devrule_mode_is_valid(mode)) {
            cleanup_free char *why = xasprintf("bad mode specified: %s", mode);

            return sec_flag_error(err, arg, "device", why);
        }
    }
    if (dst == NULL || *dst == '\0')
        dst = src;
    if (dst[0] != '/') {
        cleanup_free char *why = xasprintf("%s is not an absolute path", dst);

        return sec_flag_error(err, arg, "device", why);
    }
    m = json_object_new_object();
    json_add_string(m, "PathOnHost", src);
    json_add_string(m, "PathInContainer", dst);
    json_add_string(m, "CgroupPermissions", mode);
    json_object_array_add(s->devices, m);
    return 0;
}

static const char *const sec_ulimit_names[] = {
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc",
    "rss", "rtprio", "rttime", "sigpending", "stack", NULL,
};

static int
sec_parse_int(const char *arg, const char *s, long long *out, dctl_error_t *err)
{
    if (util_parse_int64(s, out) < 0) {
        cleanup_free char *why = xasprintf("strconv.ParseInt: parsing \"%s\": invalid syntax", s);

        return sec_flag_error(err, arg, "ulimit", why);
    }
    return 0;
}

/* go-units' ParseUlimit: NAME=SOFT[:HARD]; a later flag for the same NAME replaces it */
static int
sec_ulimit(struct cmd_run_security *s, const char *arg, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(arg);
    char *eq = strchr(copy, '='), *colon;
    long long soft, hard;
    struct json_object *u;
    size_t i;

    if (eq == NULL) {
        cleanup_free char *why = xasprintf("invalid ulimit argument: %s", arg);

        return sec_flag_error(err, arg, "ulimit", why);
    }
    *eq++ = '\0';
    for (i = 0; sec_ulimit_names[i]; i++)
        if (strcmp(copy, sec_ulimit_names[i]) == 0)
            break;
    if (sec_ulimit_names[i] == NULL) {
        cleanup_free char *why = xasprintf("invalid ulimit type: %s", copy);

        return sec_flag_error(err, arg, "ulimit", why);
    }
    colon = strchr(eq, ':');
    if (colon && strchr(colon + 1, ':')) {
        cleanup_free char *why = xasprintf("too many limit value arguments - %s, can only have "
                                           "up to two, `soft[:hard]`", eq);

        return sec_flag_error(err, arg, "ulimit", why);
    }
    if (colon)
        *colon++ = '\0';
    if (sec_parse_int(arg, eq, &soft, err) < 0 || (colon && sec_parse_int(arg, colon, &hard, err) < 0))
        return -1;
    if (colon == NULL)
        hard = soft;
    if (hard != -1) {
        cleanup_free char *why = NULL;

        if (soft == -1)
            why = xasprintf("ulimit soft limit must be less than or equal to hard limit: soft: "
                            "-1 (unlimited), hard: %lld", hard);
        else if (soft > hard)
            why = xasprintf("ulimit soft limit must be less than or equal to hard limit: "
                            "%lld > %lld", soft, hard);
        if (why)
            return sec_flag_error(err, arg, "ulimit", why);
    }
    u = json_object_new_object();
    json_add_string(u, "Name", copy);
    json_add_int64(u, "Hard", hard);
    json_add_int64(u, "Soft", soft);
    for (i = 0; i < json_object_array_length(s->ulimits); i++)
        if (strcmp(json_get_string(json_object_array_get_idx(s->ulimits, i), "Name"), copy) == 0) {
            json_object_array_put_idx(s->ulimits, i, u);
            return 0;
        }
    json_object_array_add(s->ulimits, u);
    return 0;
}

static int
sec_cap_cmp(const void *a, const void *b)
{
    return strcmp(json_object_get_string(*(struct json_object *const *)a),
                  json_object_get_string(*(struct json_object *const *)b));
}

/* As docker's CLI sends them: upper case, with CAP_ (but ALL), each once, sorted. */
static void
sec_cap_add(struct json_object *list, const char *name)
{
    cleanup_free char *c = strncasecmp(name, "CAP_", 4) == 0 || strcasecmp(name, "ALL") == 0
                               ? xstrdup(name) : xasprintf("CAP_%s", name);
    char *p;
    size_t i;

    for (p = c; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    for (i = 0; i < json_object_array_length(list); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(list, i)), c) == 0)
            return;
    json_object_array_add(list, json_object_new_string(c));
    json_object_array_sort(list, sec_cap_cmp);
}

int
cmd_run_security_opt(struct cmd_run_security *s, int opt, const char *arg, dctl_error_t *err)
{
    struct devrule dr;

    switch (opt) {
    case RUN_OPT_CAP_ADD:
    case RUN_OPT_CAP_DROP:
        sec_cap_add(opt == RUN_OPT_CAP_ADD ? s->cap_add : s->cap_drop, arg);
        return 0;
    case RUN_OPT_PRIVILEGED:
        s->privileged = true;
        return 0;
    case RUN_OPT_SECURITY_OPT:
        return sec_security_opt(s, arg, err);
    case RUN_OPT_DEVICE:
        return sec_device(s, arg, err);
    case RUN_OPT_DEVICE_CGROUP_RULE:
        if (devrule_parse(arg, &dr) < 0) {
            cleanup_free char *why = xasprintf("invalid device cgroup format '%s'", arg);

            return sec_flag_error(err, arg, "device-cgroup-rule", why);
        }
        json_object_array_add(s->device_rules, json_object_new_string(arg));
        return 0;
    case RUN_OPT_ULIMIT:
        return sec_ulimit(s, arg, err);
    }
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unknown option");
}

static struct json_object *
sec_nonempty(struct json_object *a)
{
    return json_object_array_length(a) ? json_object_get(a) : NULL;
}

void
cmd_run_security_body(const struct cmd_run_security *s, struct json_object *hc)
{
    json_object_object_add(hc, "CapAdd", sec_nonempty(s->cap_add));
    json_object_object_add(hc, "CapDrop", sec_nonempty(s->cap_drop));
    json_add_bool(hc, "Privileged", s->privileged);
    json_object_object_add(hc, "SecurityOpt", sec_nonempty(s->security_opt));
    json_object_object_add(hc, "Devices", json_object_get(s->devices));
    json_object_object_add(hc, "DeviceCgroupRules", sec_nonempty(s->device_rules));
    json_object_object_add(hc, "Ulimits", sec_nonempty(s->ulimits));
    if (s->systempaths_unconfined) {
        json_object_object_add(hc, "MaskedPaths", json_object_new_array());
        json_object_object_add(hc, "ReadonlyPaths", json_object_new_array());
    }
}
