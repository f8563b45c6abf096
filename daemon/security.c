/* daemon/security.c - SecurityOpt, capabilities, ulimits, masked paths (see security.h;
 * moby: daemon/daemon_unix.go parseSecurityOpt, oci/caps/utils.go, oci/oci.go
 * SetCapabilities, daemon/oci_linux.go WithRlimits, oci/defaults.go; go-units: ulimit.go). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "daemon/secfilter.h"
#include "daemon/secprofile.h"
#include "daemon/security.h"
#include "lib/caps.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

const char *const security_masked_paths[] = {
    "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap", NULL,
};

const char *const security_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static struct json_object *
security_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}

static size_t
security_alen(struct json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static const char *
security_aget(struct json_object *a, size_t i)
{
    const char *s = json_object_get_string(json_object_array_get_idx(a, i));

    return s ? s : "";
}

static struct json_object *
security_strv(const char *const *v)
{
    struct json_object *a = json_object_new_array();

    for (; *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

/* ---- SecurityOpt ------------------------------------------------------------------- */

int
security_opts_parse(struct json_object *security_opt, struct security_opts *out,
                    dctl_error_t *err)
{
    size_t i;

    memset(out, 0, sizeof *out);
    for (i = 0; i < security_alen(security_opt); i++) {
        const char *opt = security_aget(security_opt, i), *v;
        size_t klen;

        if (strcmp(opt, "no-new-privileges") == 0) {
            out->no_new_privileges = true;
            continue;
        }
        if (strcmp(opt, "disable") == 0)   /* label=disable's short form */
            continue;
        /* "=" first, then the deprecated ":" */
        v = strchr(opt, '=');
        if (v == NULL)
            v = strchr(opt, ':');
        if (v == NULL)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid --security-opt 1: \"%s\"",
                                  opt);
        klen = (size_t)(v - opt);
        v++;
        if (klen == 5 && strncmp(opt, "label", 5) == 0) {
            continue;   /* SELinux is not enabled here: go-selinux's InitLabels ignores them */
        } else if (klen == 8 && strncmp(opt, "apparmor", 8) == 0) {
            out->apparmor = v;   /* recorded; this host has no AppArmor to apply it */
        } else if (klen == 7 && strncmp(opt, "seccomp", 7) == 0) {
            out->seccomp_unconfined = strcmp(v, "unconfined") == 0;
            out->seccomp_profile = out->seccomp_unconfined || strcmp(v, "builtin") == 0 ||
                                           *v == '\0' ? NULL : v;
        } else if (klen == 17 && strncmp(opt, "no-new-privileges", 17) == 0) {
            if (util_parse_go_bool(v, &out->no_new_privileges) < 0)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "invalid --security-opt 2: \"%s\"", opt);
        } else {
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid --security-opt 2: \"%s\"",
                                  opt);
        }
    }
    return 0;
}

/* ---- capabilities ------------------------------------------------------------------ */

uint64_t
security_caps_all(void)
{
    static int last = -1;   /* read once; the same answer for every thread */
    int l = __atomic_load_n(&last, __ATOMIC_RELAXED);

    if (l < 0) {
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

        if (f == NULL || fscanf(f, "%d", &l) != 1 || l < 0)
            l = CAP_LAST_CAP;
        if (f)
            fclose(f);
        if (l > CAPS_LAST)
            l = CAPS_LAST;   /* what the kernel has beyond our table has no name here */
        __atomic_store_n(&last, l, __ATOMIC_RELAXED);
    }
    return l >= 63 ? ~0ULL : (1ULL << (l + 1)) - 1;
}

uint64_t
security_caps_default(void)
{
    static const int caps[] = {
        CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
        CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
        CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
    };
    uint64_t set = 0;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(caps); i++)
        set |= 1ULL << caps[i];
    return set;
}

/* NormalizeLegacyCapabilities: the set named by list, and whether it says ALL. */
static int
security_caps_normalize(struct json_object *list, uint64_t *set, bool *all, dctl_error_t *err)
{
    uint64_t known = security_caps_all();
    size_t i;

    *set = 0;
    *all = false;
    for (i = 0; i < security_alen(list); i++) {
        const char *name = security_aget(list, i);
        int c;

        if (strcasecmp(name, "ALL") == 0) {
            *all = true;
            continue;
        }
        c = caps_from_name(name);
        if (c < 0 || !caps_has(known, c)) {
            cleanup_free char *norm = strncasecmp(name, "CAP_", 4) == 0
                                          ? xstrdup(name) : xasprintf("CAP_%s", name);
            char *p;

            for (p = norm; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unknown capability: \"%s\"",
                                  norm);
        }
        *set |= 1ULL << c;
    }
    return 0;
}

int
security_caps_tweak(uint64_t basics, struct json_object *add, struct json_object *drop,
                    bool privileged, uint64_t *out, dctl_error_t *err)
{
    uint64_t adds, drops;
    bool add_all, drop_all;

    if (privileged) {
        *out = security_caps_all();
        return 0;
    }
    if (security_caps_normalize(drop, &drops, &drop_all, err) < 0 ||
        security_caps_normalize(add, &adds, &add_all, err) < 0)
        return -1;
    if (add_all)
        *out = security_caps_all() & ~drops;
    else if (drop_all)
        *out = adds;
    else
        *out = (basics & ~drops) | adds;
    return 0;
}

struct json_object *
security_caps_json(uint64_t set)
{
    struct json_object *a = json_object_new_array();
    int c;

    for (c = 0; c < CAPS_COUNT; c++)
        if (caps_has(set, c))
            json_object_array_add(a, json_object_new_string(caps_name(c)));
    return a;
}

/* ---- ulimits --------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int resource;
} security_ulimit_names[] = {   /* go-units' ulimitNameMapping */
    { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },       { "data", RLIMIT_DATA },
    { "fsize", RLIMIT_FSIZE },       { "locks", RLIMIT_LOCKS },   { "memlock", RLIMIT_MEMLOCK },
    { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },     { "nofile", RLIMIT_NOFILE },
    { "nproc", RLIMIT_NPROC },       { "rss", RLIMIT_RSS },       { "rtprio", RLIMIT_RTPRIO },
    { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
    { "stack", RLIMIT_STACK },
};

static int
security_ulimit_resource(const char *name)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(security_ulimit_names); i++)
        if (strcmp(name, security_ulimit_names[i].name) == 0)
            return security_ulimit_names[i].resource;
    return -1;
}

/* Can this process raise a hard limit (CAP_SYS_RESOURCE in its effective set)? */
static bool
security_can_raise_limits(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data) < 0)
        return false;
    return (data[CAP_SYS_RESOURCE / 32].effective >> (CAP_SYS_RESOURCE % 32)) & 1;
}

static void
security_limit_text(int64_t v, char *buf, size_t len)
{
    if (v < 0 || (uint64_t)v == RLIM_INFINITY)
        snprintf(buf, len, "unlimited");
    else
        snprintf(buf, len, "%lld", (long long)v);
}

static int
security_ulimits_check(struct json_object *ulimits, dctl_error_t *err)
{
    bool can_raise = security_can_raise_limits();
    size_t i;

    for (i = 0; i < security_alen(ulimits); i++) {
        struct json_object *u = json_object_array_get_idx(ulimits, i);
        const char *name = json_get_string(u, "Name");
        int64_t soft = json_get_int64(u, "Soft", 0), hard = json_get_int64(u, "Hard", 0);
        int res = security_ulimit_resource(name ? name : "");
        char want[32], have[32];
        struct rlimit cur;

        if (res < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid ulimit type: %s",
                                  name ? name : "");
        if (soft < -1 || hard < -1)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid ulimit %s: a limit is a number of at least 0, or "
                                  "-1 for unlimited", name);
        if (hard != -1 && soft == -1)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "ulimit soft limit must be less than or equal to hard limit: "
                                  "soft: -1 (unlimited), hard: %lld", (long long)hard);
        if (hard != -1 && soft > hard)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "ulimit soft limit must be less than or equal to hard limit: "
                                  "%lld > %lld", (long long)soft, (long long)hard);
        if (can_raise || getrlimit(res, &cur) < 0 || cur.rlim_max == RLIM_INFINITY)
            continue;
        if (hard == -1 || (uint64_t)hard > cur.rlim_max) {
            security_limit_text(hard, want, sizeof want);
            security_limit_text((int64_t)cur.rlim_max, have, sizeof have);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid ulimit %s: hard limit %s is above the current hard "
                                  "limit %s, which dctld cannot raise (it lacks "
                                  "CAP_SYS_RESOURCE)", name, want, have);
        }
    }
    return 0;
}

struct json_object *
security_rlimits(struct json_object *hc)
{
    struct json_object *ulimits = security_get(hc, "Ulimits"), *out = json_object_new_array();
    size_t i;

    for (i = 0; i < security_alen(ulimits); i++) {
        struct json_object *u = json_object_array_get_idx(ulimits, i), *r;
        const char *name = json_get_string(u, "Name");
        int64_t soft = json_get_int64(u, "Soft", 0), hard = json_get_int64(u, "Hard", 0);
        char type[32];
        size_t k;

        if (name == NULL)
            continue;
        snprintf(type, sizeof type, "RLIMIT_%s", name);
        for (k = 7; type[k]; k++)
            type[k] = (char)toupper((unsigned char)type[k]);
        r = json_object_new_object();
        json_add_string(r, "type", type);
        /* the OCI members are uint64: Go's uint64(-1) is unlimited */
        json_object_object_add(r, "hard", json_object_new_uint64((uint64_t)hard));
        json_object_object_add(r, "soft", json_object_new_uint64((uint64_t)soft));
        json_object_array_add(out, r);
    }
    return out;
}

/* ---- create-time checks -------------------------------------------------------------- */

int
security_hostconfig_check(struct json_object *hc, dctl_error_t *err)
{
    struct security_opts so;
    uint64_t caps;
    bool privileged = json_get_bool(hc, "Privileged", false);

    if (security_opts_parse(security_get(hc, "SecurityOpt"), &so, err) < 0)
        return -1;
    if (so.seccomp_profile && secprofile_check(so.seccomp_profile, err) < 0)
        return -1;
    if (security_caps_tweak(0, NULL, security_get(hc, "CapDrop"), false, &caps, err) < 0)
        return dctl_error_prefix(err, "invalid CapDrop");
    if (security_caps_tweak(0, security_get(hc, "CapAdd"), NULL, false, &caps, err) < 0)
        return dctl_error_prefix(err, "invalid CapAdd");
    if (security_ulimits_check(security_get(hc, "Ulimits"), err) < 0)
        return -1;
    if (!privileged && security_get(hc, "MaskedPaths") == NULL)
        json_object_object_add(hc, "MaskedPaths", security_strv(security_masked_paths));
    if (!privileged && security_get(hc, "ReadonlyPaths") == NULL)
        json_object_object_add(hc, "ReadonlyPaths", security_strv(security_readonly_paths));
    return 0;
}

/* ---- the spec's pieces ------------------------------------------------------------------ */

int
security_process(struct json_object *proc, struct json_object *hc, bool all_caps,
                 dctl_error_t *err)
{
    struct json_object *user = security_get(proc, "user"), *v;
    struct security_opts so;
    uint64_t caps;

    if (security_opts_parse(security_get(hc, "SecurityOpt"), &so, err) < 0)
        return -1;
    if (all_caps)
        caps = security_caps_all();
    else if (security_caps_tweak(security_caps_default(), security_get(hc, "CapAdd"),
                                 security_get(hc, "CapDrop"),
                                 json_get_bool(hc, "Privileged", false), &caps, err) < 0)
        return -1;
    v = json_object_new_object();
    json_object_object_add(v, "bounding", security_caps_json(caps));
    if (json_get_int64(user, "uid", 0) == 0) {
        json_object_object_add(v, "effective", security_caps_json(caps));
        json_object_object_add(v, "permitted", security_caps_json(caps));
    } else {
        json_object_object_add(v, "effective", json_object_new_array());
        json_object_object_add(v, "permitted", json_object_new_array());
    }
    json_object_object_add(v, "inheritable", json_object_new_array());
    json_object_object_add(v, "ambient", json_object_new_array());
    json_object_object_add(proc, "capabilities", v);
    json_add_bool(proc, "noNewPrivileges", so.no_new_privileges);
    if (security_alen(security_get(hc, "Ulimits")))
        json_object_object_add(proc, "rlimits", security_rlimits(hc));
    return 0;
}

void
security_paths(struct json_object *linux_, struct json_object *hc)
{
    struct json_object *m = security_get(hc, "MaskedPaths"), *r = security_get(hc, "ReadonlyPaths");
    bool privileged = json_get_bool(hc, "Privileged", false);

    if (m && json_object_is_type(m, json_type_array))
        json_object_object_add(linux_, "maskedPaths", json_object_get(m));
    else
        json_object_object_add(linux_, "maskedPaths", privileged ? json_object_new_array()
                                                                 : security_strv(security_masked_paths));
    if (r && json_object_is_type(r, json_type_array))
        json_object_object_add(linux_, "readonlyPaths", json_object_get(r));
    else
        json_object_object_add(linux_, "readonlyPaths",
                               privileged ? json_object_new_array()
                                          : security_strv(security_readonly_paths));
}

/* The bounding set of spec's process as a mask. */
static uint64_t
security_spec_bounding(struct json_object *spec)
{
    struct json_object *b = security_get(security_get(security_get(spec, "process"),
                                                      "capabilities"), "bounding");
    uint64_t set = 0;
    size_t i;

    for (i = 0; i < security_alen(b); i++) {
        int c = caps_from_name(security_aget(b, i));

        if (c >= 0)
            set |= 1ULL << c;
    }
    return set;
}

int
security_seccomp_add(struct json_object *spec, struct json_object *hc,
                     struct secfilter_cache *cache, dctl_error_t *err)
{
    struct json_object *linux_ = security_get(spec, "linux"), *dctl = security_get(spec, "dctl");
    struct secfilter_result r;
    struct security_opts so;
    struct json_object *oci;

    if (security_opts_parse(security_get(hc, "SecurityOpt"), &so, err) < 0)
        return -1;
    /* as dockerd's WithSeccomp: unconfined, or Privileged whatever the profile */
    if (so.seccomp_unconfined || json_get_bool(hc, "Privileged", false) || cache == NULL)
        return 0;
    if (secfilter_cache_get(cache, so.seccomp_profile, security_spec_bounding(spec), &r, err) < 0)
        return -1;
    if (r.oci == NULL)   /* a profile with no default action and no rules: no filter */
        return 0;
    /* the cached text as it is when the spec is written (see security.h) */
    oci = json_object_new_object();
    json_object_set_serializer(oci, json_object_userdata_to_json_string, steal_ptr(&r.oci),
                               json_object_free_userdata);
    json_object_object_add(linux_, "seccomp", oci);
    json_add_string(dctl, "seccompBpf", r.bpf_path);
    if (r.flags)
        json_add_int64(dctl, "seccompFlags", r.flags);
    secfilter_result_fini(&r);
    return 0;
}
