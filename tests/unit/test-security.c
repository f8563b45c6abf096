/* tests/unit/test-security.c - daemon/security.c, secprofile.c, secfilter.c, devices.c and
 * lib/devrule.c as tables: capability sets (defaults, CapAdd, CapDrop, ALL, Privileged,
 * a non-root user), SecurityOpt, ulimits, the seccomp profile decoder's refusals, the
 * resolution of the default profile for capabilities, architectures and kernels, filters
 * compiled and loaded in a child (EPERM, ENOSYS, what stays allowed), the filter cache,
 * device mappings and device cgroup rules. */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/devices.h"
#include "daemon/secfilter.h"
#include "daemon/secprofile.h"
#include "daemon/security.h"
#include "lib/caps.h"
#include "lib/devrule.h"
#include "lib/json.h"
#include "lib/util.h"

static struct json_object *
parse(const char *text)
{
    dctl_error_t err = NULL;
    struct json_object *o = json_parse(text, strlen(text), "test", &err);

    ck_assert_msg(o != NULL, "bad test JSON: %s", text);
    return o;
}

/* "" when it succeeded, else the error's message */
static char *
err_text(dctl_error_t err)
{
    char *t = err ? dctl_error_text(err) : strdup("");

    dctl_error_free(err);
    return t;
}

#define C(x) (1ULL << (x))
#define DEFAULT_CAPS 0xa80425fbULL /* Docker's 14, as /proc/PID/status shows them */

/* ---- capabilities ---------------------------------------------------------------------- */

static const struct {
    const char *add, *drop;
    bool privileged;
    const char *err;
    uint64_t want;    /* ~0: every capability of the kernel */
} tweaks[] = {
    { NULL, NULL, false, "", DEFAULT_CAPS },
    { "[\"NET_ADMIN\"]", NULL, false, "", DEFAULT_CAPS | C(12) },
    { "[\"cap_net_admin\",\"sys_admin\"]", NULL, false, "", DEFAULT_CAPS | C(12) | C(21) },
    { NULL, "[\"CHOWN\",\"CAP_KILL\"]", false, "", DEFAULT_CAPS & ~C(0) & ~C(5) },
    { "[\"KILL\"]", "[\"ALL\"]", false, "", C(5) },
    { NULL, "[\"all\"]", false, "", 0 },
    { "[\"ALL\"]", "[\"CHOWN\"]", false, "", ~0ULL & ~C(0) },
    { "[\"ALL\"]", NULL, false, "", ~0ULL },
    { NULL, "[\"ALL\"]", true, "", ~0ULL },          /* Privileged wins */
    { "[\"FOO\"]", NULL, false, "unknown capability: \"CAP_FOO\"", 0 },
    { NULL, "[\"cap_bar\"]", false, "unknown capability: \"CAP_BAR\"", 0 },
};

START_TEST(test_caps_tweak)
{
    struct json_object *add = tweaks[_i].add ? parse(tweaks[_i].add) : NULL;
    struct json_object *drop = tweaks[_i].drop ? parse(tweaks[_i].drop) : NULL;
    dctl_error_t err = NULL;
    uint64_t got = 0, want = tweaks[_i].want;
    char *t;

    security_caps_tweak(security_caps_default(), add, drop, tweaks[_i].privileged, &got, &err);
    t = err_text(err);
    ck_assert_msg(strstr(t, tweaks[_i].err) != NULL && (*tweaks[_i].err || !*t), "%zu: %s",
                  (size_t)_i, t);
    if (*tweaks[_i].err == '\0') {
        if (want == ~0ULL || want == (~0ULL & ~C(0)))
            want &= security_caps_all();
        ck_assert_msg(got == want, "%zu: %llx, want %llx", (size_t)_i, (unsigned long long)got,
                      (unsigned long long)want);
    }
    free(t);
    json_object_put(add);
    json_object_put(drop);
}
END_TEST

START_TEST(test_caps_names)
{
    ck_assert_int_eq(caps_from_name("CAP_CHOWN"), 0);
    ck_assert_int_eq(caps_from_name("net_admin"), 12);
    ck_assert_int_eq(caps_from_name("Cap_Sys_Admin"), 21);
    ck_assert_int_eq(caps_from_name("CAP_CHECKPOINT_RESTORE"), 40);
    ck_assert_int_eq(caps_from_name("CAP_"), -1);
    ck_assert_int_eq(caps_from_name("nope"), -1);
    ck_assert_str_eq(caps_name(39), "CAP_BPF");
    ck_assert(caps_name(41) == NULL);
    ck_assert_uint_eq(security_caps_default(), DEFAULT_CAPS);
}
END_TEST

/* The process's sets: root gets them in bounding, effective and permitted; another user in
 * bounding only (moby's SetCapabilities); inheritable and ambient stay empty. */
START_TEST(test_process_caps)
{
    struct json_object *hc = parse("{\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":[\"MKNOD\"],"
                                   "\"SecurityOpt\":[\"no-new-privileges:true\"],"
                                   "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048},"
                                   "{\"Name\":\"core\",\"Soft\":-1,\"Hard\":-1}]}");
    struct json_object *proc = parse("{\"user\":{\"uid\":0,\"gid\":0}}"), *caps;
    dctl_error_t err = NULL;
    const char *rl;

    ck_assert_int_eq(security_process(proc, hc, false, &err), 0);
    caps = json_object_object_get(proc, "capabilities");
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "bounding")), 14);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "effective")), 14);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "permitted")), 14);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "inheritable")), 0);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "ambient")), 0);
    ck_assert(strstr(json_object_to_json_string(caps), "CAP_NET_ADMIN") != NULL);
    ck_assert(strstr(json_object_to_json_string(caps), "CAP_MKNOD") == NULL);
    ck_assert(json_get_bool(proc, "noNewPrivileges", false));
    rl = json_object_to_json_string_ext(json_object_object_get(proc, "rlimits"),
                                        JSON_C_TO_STRING_PLAIN);
    ck_assert_str_eq(rl, "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024},"
                         "{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,"
                         "\"soft\":18446744073709551615}]");
    json_object_put(proc);
    proc = parse("{\"user\":{\"uid\":1000,\"gid\":1000}}");
    ck_assert_int_eq(security_process(proc, hc, false, &err), 0);
    caps = json_object_object_get(proc, "capabilities");
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "bounding")), 14);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "effective")), 0);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(caps, "permitted")), 0);
    json_object_put(proc);
    json_object_put(hc);
}
END_TEST

/* ---- SecurityOpt --------------------------------------------------------------------- */

static const struct {
    const char *opts, *err;
    bool nnp, unconfined, custom;
} secopts[] = {
    { "[]", "", false, false, false },
    { "[\"no-new-privileges\"]", "", true, false, false },
    { "[\"no-new-privileges=true\"]", "", true, false, false },
    { "[\"no-new-privileges:1\"]", "", true, false, false },
    { "[\"no-new-privileges\",\"no-new-privileges=false\"]", "", false, false, false },
    { "[\"seccomp=unconfined\"]", "", false, true, false },
    { "[\"seccomp:unconfined\"]", "", false, true, false },
    { "[\"seccomp=builtin\"]", "", false, false, false },
    { "[\"seccomp={}\"]", "", false, false, true },
    { "[\"label=disable\",\"disable\",\"apparmor=docker-default\"]", "", false, false, false },
    { "[\"nope\"]", "invalid --security-opt 1: \"nope\"", false, false, false },
    { "[\"nope=1\"]", "invalid --security-opt 2: \"nope=1\"", false, false, false },
    { "[\"no-new-privileges=maybe\"]", "invalid --security-opt 2: \"no-new-privileges=maybe\"",
      false, false, false },
};

START_TEST(test_security_opts)
{
    struct json_object *v = parse(secopts[_i].opts);
    struct security_opts so;
    dctl_error_t err = NULL;
    char *t;

    security_opts_parse(v, &so, &err);
    t = err_text(err);
    if (*secopts[_i].err) {
        ck_assert_str_eq(t, secopts[_i].err);
    } else {
        ck_assert_str_eq(t, "");
        ck_assert_int_eq(so.no_new_privileges, secopts[_i].nnp);
        ck_assert_int_eq(so.seccomp_unconfined, secopts[_i].unconfined);
        ck_assert_int_eq(so.seccomp_profile != NULL, secopts[_i].custom);
    }
    free(t);
    json_object_put(v);
}
END_TEST

/* ---- the create-time checks ------------------------------------------------------------ */

static const struct {
    const char *hc, *err;
} checks[] = {
    { "{}", "" },
    { "{\"CapAdd\":[\"FOO\"]}", "invalid CapAdd: unknown capability: \"CAP_FOO\"" },
    { "{\"CapDrop\":[\"BAR\"]}", "invalid CapDrop: unknown capability: \"CAP_BAR\"" },
    { "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":20}]}", "" },
    { "{\"Ulimits\":[{\"Name\":\"nofiles\",\"Soft\":10,\"Hard\":20}]}", "invalid ulimit type: nofiles" },
    { "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":30,\"Hard\":20}]}",
      "ulimit soft limit must be less than or equal to hard limit: 30 > 20" },
    { "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":-1,\"Hard\":20}]}",
      "soft: -1 (unlimited), hard: 20" },
    { "{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_NOPE\\\"}\"]}",
      "string SCMP_ACT_NOPE is not a valid action for seccomp" },
    { "{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/n2\"}]}", "" },
    { "{\"Devices\":[{\"PathOnHost\":\"/dev/nope\"}]}",
      "error gathering device information while adding custom device \"/dev/nope\": no such "
      "file or directory" },
    { "{\"Devices\":[{\"PathOnHost\":\"/etc/passwd\"}]}",
      "adding custom device \"/etc/passwd\": not a device node" },
    { "{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"n2\"}]}",
      "n2 is not an absolute path" },
    { "{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"CgroupPermissions\":\"rwx\"}]}",
      "bad mode specified: rwx" },
    { "{\"DeviceCgroupRules\":[\"c 1:3 rwm\",\"a *:* m\",\"b 8:* rw\"]}", "" },
    { "{\"DeviceCgroupRules\":[\"x 1:3 rwm\"]}", "invalid device cgroup rule format: 'x 1:3 rwm'" },
};

START_TEST(test_hostconfig_check)
{
    struct json_object *hc = parse(checks[_i].hc);
    dctl_error_t err = NULL;
    char *t;

    if (security_hostconfig_check(hc, &err) == 0)
        devices_hostconfig_check(hc, &err);
    t = err_text(err);
    if (*checks[_i].err)
        ck_assert_msg(strstr(t, checks[_i].err) != NULL, "%s: %s", checks[_i].hc, t);
    else
        ck_assert_msg(*t == '\0', "%s: %s", checks[_i].hc, t);
    free(t);
    json_object_put(hc);
}
END_TEST

/* Docker's defaults fill unset MaskedPaths/ReadonlyPaths, not a Privileged container's. */
START_TEST(test_paths_defaults)
{
    struct json_object *hc = parse("{}"), *priv = parse("{\"Privileged\":true}");
    struct json_object *mine = parse("{\"MaskedPaths\":[\"/proc/x\"],\"ReadonlyPaths\":[]}");
    struct json_object *lin = json_object_new_object();
    dctl_error_t err = NULL;

    ck_assert_int_eq(security_hostconfig_check(hc, &err), 0);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(hc, "MaskedPaths")), 11);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(hc, "ReadonlyPaths")), 5);
    ck_assert_int_eq(security_hostconfig_check(priv, &err), 0);
    ck_assert(json_object_object_get(priv, "MaskedPaths") == NULL);
    security_paths(lin, priv);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(lin, "maskedPaths")), 0);
    security_paths(lin, mine);
    ck_assert_str_eq(json_object_to_json_string_ext(json_object_object_get(lin, "maskedPaths"),
                                                    JSON_C_TO_STRING_PLAIN |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE),
                     "[\"/proc/x\"]");
    ck_assert_int_eq(json_object_array_length(json_object_object_get(lin, "readonlyPaths")), 0);
    json_object_put(lin);
    json_object_put(hc);
    json_object_put(priv);
    json_object_put(mine);
}
END_TEST

/* A hard limit above ours is refused (we lack CAP_SYS_RESOURCE here, as on the CI host;
 * skipped where we have it, since then it may be raised). */
START_TEST(test_ulimit_above_hard)
{
    struct rlimit cur;
    char body[256];
    struct json_object *hc;
    dctl_error_t err = NULL;
    char *t;

    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &cur), 0);
    if (cur.rlim_max == RLIM_INFINITY)
        return;
    snprintf(body, sizeof body, "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1,\"Hard\":%llu}]}",
             (unsigned long long)cur.rlim_max + 1);
    hc = parse(body);
    security_hostconfig_check(hc, &err);
    t = err_text(err);
    if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ cur.rlim_cur, cur.rlim_max + 1 }) == 0) {
        setrlimit(RLIMIT_NOFILE, &cur);   /* we could: nothing to refuse */
    } else {
        ck_assert_msg(strstr(t, "is above the current hard limit") != NULL, "%s", t);
    }
    free(t);
    json_object_put(hc);
    /* within it: fine */
    snprintf(body, sizeof body, "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1,\"Hard\":%llu}]}",
             (unsigned long long)cur.rlim_max);
    hc = parse(body);
    ck_assert_int_eq(security_hostconfig_check(hc, &err), 0);
    json_object_put(hc);
}
END_TEST

/* ---- seccomp profiles ------------------------------------------------------------------ */

static const struct {
    const char *text, *err;
} profiles[] = {
    { "{}", "" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "" },
    { "{\"DefaultAction\":\"SCMP_ACT_ERRNO\",\"Syscalls\":[{\"Names\":[\"read\"],"
      "\"Action\":\"SCMP_ACT_ALLOW\"}]}", "" },
    { "{", "Decoding seccomp profile failed: unexpected end of JSON input" },
    { "[1]", "Decoding seccomp profile failed: json: cannot unmarshal array into Go value of "
             "type seccomp.Seccomp" },
    { "{\"defaultAction\":1}", "Decoding seccomp profile failed: json: cannot unmarshal number 1 "
                               "into Go struct field Seccomp.defaultAction of type "
                               "specs.LinuxSeccompAction" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}",
      "cannot unmarshal object into Go struct field Seccomp.syscalls of type []*seccomp.Syscall" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\"}]}",
      "cannot unmarshal string into Go struct field Seccomp.syscalls.names of type []string" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
      "cannot unmarshal number -1 into Go struct field Seccomp.defaultErrnoRet of type uint" },
    { "{\"defaultAction\":\"SCMP_ACT_FOO\"}",
      "invalid seccomp profile: string SCMP_ACT_FOO is not a valid action for seccomp" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
      "string SCMP_CMP_FOO is not a valid operator for seccomp" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
      "argument index 6 is out of range" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
      "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
      "both 'architectures' and 'archMap' are specified in the seccomp profile" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
      "string SCMP_ARCH_Z80 is not a valid arch for seccomp" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"name\":\"read\",\"names\":[\"write\"],"
      "\"action\":\"SCMP_ACT_ALLOW\"}]}", "both 'name' and 'names' are specified" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4\"}}]}",
      "invalid kernel version: \"4\", expected \"<kernel>.<major>\"" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"minKernel\":\"0.0\"}}]}",
      "invalid kernel version" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_NOPE\"]}",
      "seccomp flags \"SECCOMP_FILTER_FLAG_NOPE\" not yet supported" },
    { "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY needs a seccomp agent" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}",
      "string  is not a valid action for seccomp" },
};

START_TEST(test_profile_parse)
{
    dctl_error_t err = NULL;
    char *t;

    secprofile_check(profiles[_i].text, &err);
    t = err_text(err);
    if (*profiles[_i].err)
        ck_assert_msg(strstr(t, profiles[_i].err) != NULL, "%s: %s", profiles[_i].text, t);
    else
        ck_assert_msg(*t == '\0', "%s: %s", profiles[_i].text, t);
    free(t);
}
END_TEST

/* The names of every rule of an OCI object with action, for tests: " a b c ". */
static char *
oci_names(struct json_object *oci, const char *action)
{
    struct json_object *calls = json_object_object_get(oci, "syscalls");
    char *out = strdup(" ");
    size_t i, k;

    for (i = 0; i < json_object_array_length(calls); i++) {
        struct json_object *c = json_object_array_get_idx(calls, i);
        struct json_object *names = json_object_object_get(c, "names");

        if (strcmp(json_get_string(c, "action"), action) != 0)
            continue;
        for (k = 0; k < json_object_array_length(names); k++) {
            char *n;

            if (asprintf(&n, "%s%s ", out,
                         json_object_get_string(json_object_array_get_idx(names, k))) < 0)
                abort();
            free(out);
            out = n;
        }
    }
    return out;
}

START_TEST(test_profile_resolve)
{
    struct json_object *p = secprofile_builtin(), *oci = NULL;
    dctl_error_t err = NULL;
    char *names;

    /* it is valid in its own format */
    ck_assert_int_eq(secprofile_check(json_object_to_json_string(p), &err), 0);
    /* default capabilities, amd64, a recent kernel */
    ck_assert_int_eq(secprofile_resolve(p, DEFAULT_CAPS, "amd64", 6, 1, &oci, &err), 0);
    ck_assert_str_eq(json_get_string(oci, "defaultAction"), "SCMP_ACT_ERRNO");
    ck_assert_int_eq(json_get_int64(oci, "defaultErrnoRet", 0), 1);
    ck_assert_str_eq(json_object_to_json_string_ext(json_object_object_get(oci, "architectures"),
                                                    JSON_C_TO_STRING_PLAIN),
                     "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
    names = oci_names(oci, "SCMP_ACT_ALLOW");
    ck_assert(strstr(names, " read ") && strstr(names, " arch_prctl ") && strstr(names, " ptrace "));
    ck_assert(strstr(names, " chroot "));   /* SYS_CHROOT is a default capability */
    ck_assert(!strstr(names, " mount ") && !strstr(names, " keyctl ") && !strstr(names, " bpf ") &&
              !strstr(names, " unshare ") && !strstr(names, " setns ") &&
              !strstr(names, " reboot ") && !strstr(names, " init_module ") &&
              !strstr(names, " kexec_load ") && !strstr(names, " io_uring_setup ") &&
              !strstr(names, " userfaultfd ") && !strstr(names, " socketcall ") &&
              !strstr(names, " open_by_handle_at ") && !strstr(names, " perf_event_open ") &&
              !strstr(names, " swapon ") && !strstr(names, " acct ") &&
              !strstr(names, " settimeofday ") && !strstr(names, " arm_fadvise64_64 "));
    free(names);
    names = oci_names(oci, "SCMP_ACT_ERRNO");
    ck_assert_str_eq(names, " clone3 ");
    free(names);
    json_object_put(oci);
    /* CAP_SYS_ADMIN: mounts, namespaces, clone3; an old kernel: no ptrace */
    ck_assert_int_eq(secprofile_resolve(p, DEFAULT_CAPS | C(21), "arm64", 4, 4, &oci, &err), 0);
    names = oci_names(oci, "SCMP_ACT_ALLOW");
    ck_assert(strstr(names, " mount ") && strstr(names, " unshare ") && strstr(names, " clone3 "));
    ck_assert(strstr(names, " arm_fadvise64_64 ") && !strstr(names, " arch_prctl "));
    ck_assert(!strstr(names, " ptrace ") && !strstr(names, " process_vm_readv "));
    free(names);
    names = oci_names(oci, "SCMP_ACT_ERRNO");
    ck_assert_str_eq(names, " ");
    free(names);
    ck_assert_str_eq(json_object_to_json_string_ext(json_object_object_get(oci, "architectures"),
                                                    JSON_C_TO_STRING_PLAIN),
                     "[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
    json_object_put(oci);
    /* no capabilities at all: no chroot */
    ck_assert_int_eq(secprofile_resolve(p, 0, "amd64", 6, 1, &oci, &err), 0);
    names = oci_names(oci, "SCMP_ACT_ALLOW");
    ck_assert(!strstr(names, " chroot ") && strstr(names, " ptrace "));
    free(names);
    json_object_put(oci);
    json_object_put(p);
    /* a profile that says nothing means no filter */
    p = secprofile_parse("{}", &err);
    ck_assert(p != NULL);
    ck_assert_int_eq(secprofile_resolve(p, 0, "amd64", 6, 1, &oci, &err), 0);
    ck_assert(oci == NULL);
    json_object_put(p);
}
END_TEST

/* ---- filters, compiled and loaded in a child --------------------------------------------- */

/* the child's verdicts, one letter each: 'P' EPERM, 'N' ENOSYS, 'o' allowed (any other
 * outcome), in the order of probe() */
static void
probe(char *out)
{
    struct clone_args { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
                        stack_size, tls; } ca = { .exit_signal = SIGCHLD };
    long r;
    int i = 0;

#define V(expr) (errno = 0, r = (long)(expr), out[i++] = r < 0 && errno == EPERM ? 'P' : \
                 r < 0 && errno == ENOSYS ? 'N' : 'o')
    V(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
    V(syscall(SYS_add_key, "user", "x", "y", 1, -3));
    V(unshare(CLONE_NEWUSER));
    r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r == 0)
        _exit(0);
    out[i++] = r < 0 && errno == ENOSYS ? 'N' : r < 0 && errno == EPERM ? 'P' : 'o';
    if (r > 0)
        waitpid((pid_t)r, NULL, 0);
    V(personality(PER_BSD));
    V(personality(0xffffffff));
    V(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
    V(socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0));
    V(socket(AF_UNIX, SOCK_STREAM, 0));
    V(syscall(SYS_socket, 0xffffffff00000028ULL, SOCK_STREAM, 0));   /* AF_VSOCK in disguise */
    V(syscall(SYS_io_uring_setup, 1, NULL));
    V(syscall(SYS_userfaultfd, 0));
    V(syscall(SYS_bpf, 0, NULL, 0));
    V(getpid());
    out[i] = '\0';
#undef V
}

/* Loads the compiled filter of oci in a child (with no_new_privs) and returns its
 * verdicts. */
static void
run_filter(struct json_object *oci, char *verdicts)
{
    char path[] = "/tmp/test-security-bpf-XXXXXX";
    int fd = mkstemp(path), p[2], st;
    dctl_error_t err = NULL;
    struct sock_filter prog[4096];
    ssize_t n;
    pid_t pid;

    ck_assert(fd >= 0);
    unlink(path);
    ck_assert_msg(secfilter_compile(oci, fd, &err) == 0, "%s", err ? err->msg : "");
    n = pread(fd, prog, sizeof prog, 0);
    close(fd);
    ck_assert(n > 0 && n % 8 == 0);
    ck_assert_int_eq(pipe(p), 0);
    pid = fork();
    if (pid == 0) {
        struct sock_fprog fp = { .len = (unsigned short)(n / 8), .filter = prog };
        char out[64];

        close(p[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
            _exit(2);
        probe(out);
        if (write(p[1], out, strlen(out)) < 0)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    n = read(p[0], verdicts, 63);
    verdicts[n > 0 ? n : 0] = '\0';
    close(p[0]);
    waitpid(pid, &st, 0);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child failed: %d", st);
}

START_TEST(test_filter_default)
{
    struct json_object *p = secprofile_builtin(), *oci = NULL;
    dctl_error_t err = NULL;
    unsigned int kmaj, kmin;
    char v[64];

    secprofile_kernel_version(&kmaj, &kmin);
    ck_assert_int_eq(secprofile_resolve(p, DEFAULT_CAPS, secprofile_native_arch(), kmaj, kmin,
                                        &oci, &err), 0);
    run_filter(oci, v);
    /* keyctl add_key unshare(USER) clone3 personality(BSD) personality(query) vsock alg
     * unix vsock-in-disguise io_uring userfaultfd bpf getpid */
    ck_assert_str_eq(v, "PPPNPoPPoPPPPo");
    json_object_put(oci);
    /* with CAP_SYS_ADMIN, unshare and clone3 pass the filter (the kernel decides) */
    ck_assert_int_eq(secprofile_resolve(p, DEFAULT_CAPS | C(21), secprofile_native_arch(), kmaj,
                                        kmin, &oci, &err), 0);
    run_filter(oci, v);
    ck_assert_int_eq(v[2], 'o');
    ck_assert_int_eq(v[3], 'o');
    json_object_put(oci);
    json_object_put(p);
}
END_TEST

/* A custom profile: allow all but the keyring calls (ENOSYS), and an argument rule. */
START_TEST(test_filter_custom)
{
    const char *text = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                       "[\"keyctl\",\"add_key\",\"nosuchcall\"],\"action\":\"SCMP_ACT_ERRNO\","
                       "\"errnoRet\":38},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                       "\"args\":[{\"index\":0,\"value\":6,\"op\":\"SCMP_CMP_EQ\"}]}]}";
    struct json_object *p, *oci = NULL;
    dctl_error_t err = NULL;
    char v[64];

    p = secprofile_parse(text, &err);
    ck_assert_msg(p != NULL, "%s", err ? err->msg : "");
    ck_assert_int_eq(secprofile_resolve(p, 0, secprofile_native_arch(), 6, 1, &oci, &err), 0);
    run_filter(oci, v);
    /* keyctl, add_key: ENOSYS; unshare, clone3 allowed; personality(PER_BSD) refused, the
     * query not; the rest is the kernel's to answer */
    ck_assert_msg(strncmp(v, "NNooPo", 6) == 0, "%s", v);
    ck_assert_int_eq(v[13], 'o');
    json_object_put(oci);
    json_object_put(p);
}
END_TEST

/* The cache compiles once per profile and capability set, into one file each. */
START_TEST(test_filter_cache)
{
    char dir[] = "/tmp/test-security-cache-XXXXXX";
    struct secfilter_cache *c;
    struct secfilter_result r1, r2, r3;
    dctl_error_t err = NULL;
    struct stat st1, st2;
    struct json_object *oci;
    struct dirent *de;
    DIR *d;
    int files = 0;

    ck_assert(mkdtemp(dir) != NULL);
    c = secfilter_cache_new(dir);
    ck_assert_int_eq(secfilter_cache_get(c, NULL, DEFAULT_CAPS, &r1, &err), 0);
    ck_assert(r1.oci != NULL && r1.bpf_path != NULL);
    oci = json_tokener_parse(r1.oci);   /* the OCI object's text */
    ck_assert_str_eq(json_get_string(oci, "defaultAction"), "SCMP_ACT_ERRNO");
    json_object_put(oci);
    ck_assert_int_eq(stat(r1.bpf_path, &st1), 0);
    ck_assert_int_eq(secfilter_cache_get(c, NULL, DEFAULT_CAPS, &r2, &err), 0);
    ck_assert_str_eq(r1.bpf_path, r2.bpf_path);
    ck_assert_str_eq(r1.oci, r2.oci);
    ck_assert_int_eq(stat(r2.bpf_path, &st2), 0);
    ck_assert(st1.st_ino == st2.st_ino && st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
    secfilter_result_fini(&r2);
    ck_assert_int_eq(secfilter_cache_get(c, NULL, DEFAULT_CAPS | C(21), &r3, &err), 0);
    ck_assert_str_ne(r1.bpf_path, r3.bpf_path);
    /* a removed file is compiled again */
    unlink(r1.bpf_path);
    ck_assert_int_eq(secfilter_cache_get(c, NULL, DEFAULT_CAPS, &r2, &err), 0);
    ck_assert_int_eq(stat(r2.bpf_path, &st2), 0);
    secfilter_result_fini(&r2);
    /* a profile meaning no filter: none */
    ck_assert_int_eq(secfilter_cache_get(c, "{}", 0, &r2, &err), 0);
    ck_assert(r2.oci == NULL && r2.bpf_path == NULL);
    /* flags for the loader */
    ck_assert_int_eq(secfilter_cache_get(c, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":"
                                            "[\"SECCOMP_FILTER_FLAG_LOG\"]}", 0, &r2, &err), 0);
    ck_assert_uint_eq(r2.flags, SECCOMP_FILTER_FLAG_LOG);
    secfilter_result_fini(&r2);
    secfilter_cache_free(c);
    d = opendir(dir);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.') {
            files++;
            unlinkat(dirfd(d), de->d_name, 0);
        }
    closedir(d);
    ck_assert_int_eq(files, 3);
    rmdir(dir);
    secfilter_result_fini(&r1);
    secfilter_result_fini(&r3);
}
END_TEST

/* The spec gets the OCI object (as text when written out) and the compiled file; nothing
 * for seccomp=unconfined or Privileged. */
START_TEST(test_seccomp_add)
{
    char dir[] = "/tmp/test-security-spec-XXXXXX";
    struct secfilter_cache *c;
    struct json_object *spec, *hc, *out;
    dctl_error_t err = NULL;
    const char *bpf;

    ck_assert(mkdtemp(dir) != NULL);
    c = secfilter_cache_new(dir);
    spec = parse("{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}},"
                 "\"linux\":{},\"dctl\":{}}");
    hc = parse("{}");
    ck_assert_int_eq(security_seccomp_add(spec, hc, c, &err), 0);
    out = json_tokener_parse(json_object_to_json_string(spec));   /* as the driver gets it */
    ck_assert_str_eq(json_get_string(json_object_object_get(json_object_object_get(out, "linux"),
                                                            "seccomp"), "defaultAction"),
                     "SCMP_ACT_ERRNO");
    bpf = json_get_string(json_object_object_get(out, "dctl"), "seccompBpf");
    ck_assert(bpf && strncmp(bpf, dir, strlen(dir)) == 0 && access(bpf, R_OK) == 0);
    unlink(bpf);
    json_object_put(out);
    json_object_put(spec);
    json_object_put(hc);
    spec = parse("{\"linux\":{},\"dctl\":{}}");
    hc = parse("{\"SecurityOpt\":[\"seccomp=unconfined\"]}");
    ck_assert_int_eq(security_seccomp_add(spec, hc, c, &err), 0);
    ck_assert_str_eq(json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN),
                     "{\"linux\":{},\"dctl\":{}}");
    json_object_put(hc);
    hc = parse("{\"Privileged\":true}");
    ck_assert_int_eq(security_seccomp_add(spec, hc, c, &err), 0);
    ck_assert_str_eq(json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN),
                     "{\"linux\":{},\"dctl\":{}}");
    json_object_put(hc);
    json_object_put(spec);
    secfilter_cache_free(c);
    rmdir(dir);
}
END_TEST

/* ---- devices ------------------------------------------------------------------------------ */

static const struct {
    const char *rule;
    int rc;
    char type;
    long long major, minor;
    const char *access;
} rules[] = {
    { "c 1:3 rwm", 0, 'c', 1, 3, "rwm" }, { "a *:* m", 0, 'a', -1, -1, "m" },
    { "b 8:* rw", 0, 'b', 8, -1, "rw" },  { "c 10:200 w", 0, 'c', 10, 200, "w" },
    { "d 1:3 rwm", -1, 0, 0, 0, NULL },   { "c 1:3", -1, 0, 0, 0, NULL },
    { "c 1:3 rwmm", -1, 0, 0, 0, NULL },  { "c x:3 r", -1, 0, 0, 0, NULL },
    { "c 1:3 rx", -1, 0, 0, 0, NULL },    { "c  1:3 r", -1, 0, 0, 0, NULL },
    { "", -1, 0, 0, 0, NULL },
};

START_TEST(test_devrule)
{
    struct devrule r;

    ck_assert_int_eq(devrule_parse(rules[_i].rule, &r), rules[_i].rc);
    if (rules[_i].rc == 0) {
        ck_assert_int_eq(r.type, rules[_i].type);
        ck_assert_int_eq(r.major, rules[_i].major);
        ck_assert_int_eq(r.minor, rules[_i].minor);
        ck_assert_str_eq(r.access, rules[_i].access);
    }
}
END_TEST

START_TEST(test_device_modes)
{
    ck_assert(devrule_mode_is_valid("rwm"));
    ck_assert(devrule_mode_is_valid("mr"));
    ck_assert(!devrule_mode_is_valid(""));
    ck_assert(!devrule_mode_is_valid("rr"));
    ck_assert(!devrule_mode_is_valid("rwx"));
}
END_TEST

/* The cgroup rules: deny all, Docker's allow-list, a mapping's rule, DeviceCgroupRules;
 * Privileged: allow all. The nodes: the defaults and the mapping. */
START_TEST(test_device_spec)
{
    struct json_object *hc = parse("{\"Devices\":[{\"PathOnHost\":\"/dev/null\","
                                   "\"PathInContainer\":\"/dev/mynull\",\"CgroupPermissions\":\"rw\"}],"
                                   "\"DeviceCgroupRules\":[\"c 4:* rwm\"]}");
    struct json_object *priv = parse("{\"Privileged\":true}"), *r, *lin = json_object_new_object();
    dctl_error_t err = NULL;
    const char *t;
    size_t n;

    r = devices_cgroup_rules(hc, &err);
    ck_assert(r != NULL);
    n = json_object_array_length(r);
    ck_assert_int_eq(n, 1 + 11 + 1 + 1);
    t = json_object_to_json_string_ext(json_object_array_get_idx(r, 0), JSON_C_TO_STRING_PLAIN);
    ck_assert_str_eq(t, "{\"allow\":false,\"access\":\"rwm\"}");
    t = json_object_to_json_string_ext(json_object_array_get_idx(r, 1), JSON_C_TO_STRING_PLAIN);
    ck_assert_str_eq(t, "{\"allow\":true,\"type\":\"c\",\"major\":-1,\"minor\":-1,\"access\":\"m\"}");
    t = json_object_to_json_string_ext(json_object_array_get_idx(r, n - 2), JSON_C_TO_STRING_PLAIN);
    ck_assert_str_eq(t, "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}");
    t = json_object_to_json_string_ext(json_object_array_get_idx(r, n - 1), JSON_C_TO_STRING_PLAIN);
    ck_assert_str_eq(t, "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":-1,\"access\":\"rwm\"}");
    json_object_put(r);
    r = devices_cgroup_rules(priv, &err);
    ck_assert_str_eq(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN),
                     "[{\"allow\":true,\"access\":\"rwm\"}]");
    json_object_put(r);
    ck_assert_int_eq(devices_spec_add(lin, hc, "/dev", &err), 0);
    r = json_object_object_get(lin, "devices");
    ck_assert_int_eq(json_object_array_length(r), 7);
    t = json_object_to_json_string_ext(json_object_array_get_idx(r, 6),
                                       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    ck_assert_str_eq(t, "{\"path\":\"/dev/mynull\",\"type\":\"c\",\"major\":1,\"minor\":3,"
                        "\"fileMode\":438,\"uid\":0,\"gid\":0}");
    json_object_put(lin);
    json_object_put(hc);
    json_object_put(priv);
}
END_TEST

/* Privileged copies the host's /dev (a fake one here): devices, not the rest, not pts,
 * shm or console; subdirectories kept. Needs mknod (root). */
START_TEST(test_device_privileged)
{
    char dir[] = "/tmp/test-security-dev-XXXXXX", p[600];
    struct json_object *hc = parse("{\"Privileged\":true}"), *lin = json_object_new_object();
    dctl_error_t err = NULL;
    const char *t;

    if (geteuid() != 0)
        return;
    ck_assert(mkdtemp(dir) != NULL);
#define P(x) (snprintf(p, sizeof p, "%s/%s", dir, x), p)
    ck_assert_int_eq(mknod(P("sda"), S_IFBLK | 0660, makedev(8, 0)), 0);
    ck_assert_int_eq(chmod(P("sda"), 0660), 0);   /* whatever the umask */
    ck_assert_int_eq(mkdir(P("snd"), 0755), 0);
    ck_assert_int_eq(mknod(P("snd/timer"), S_IFCHR | 0600, makedev(116, 33)), 0);
    ck_assert_int_eq(mkdir(P("pts"), 0755), 0);
    ck_assert_int_eq(mknod(P("pts/0"), S_IFCHR | 0600, makedev(136, 0)), 0);
    ck_assert_int_eq(mknod(P("console"), S_IFCHR | 0600, makedev(5, 1)), 0);
    ck_assert_int_eq(mknod(P("null"), S_IFCHR | 0666, makedev(1, 3)), 0);
    ck_assert_int_eq(symlink("null", P("link")), 0);
    ck_assert_int_eq(close(open(P("file"), O_CREAT | O_WRONLY, 0644)), 0);
    ck_assert_int_eq(devices_spec_add(lin, hc, dir, &err), 0);
    t = json_object_to_json_string_ext(json_object_object_get(lin, "devices"),
                                       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    ck_assert_msg(strstr(t, "\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0,\"fileMode\":432")
                  != NULL, "%s", t);
    ck_assert(strstr(t, "\"/dev/snd/timer\",\"type\":\"c\",\"major\":116,\"minor\":33") != NULL);
    ck_assert(strstr(t, "/dev/pts") == NULL && strstr(t, "/dev/console") == NULL &&
              strstr(t, "/dev/link") == NULL && strstr(t, "/dev/file\"") == NULL);
    ck_assert_int_eq(json_object_array_length(json_object_object_get(lin, "devices")), 8);
    unlink(P("sda"));
    unlink(P("snd/timer"));
    rmdir(P("snd"));
    unlink(P("pts/0"));
    rmdir(P("pts"));
    unlink(P("console"));
    unlink(P("null"));
    unlink(P("link"));
    unlink(P("file"));
    rmdir(dir);
#undef P
    json_object_put(lin);
    json_object_put(hc);
}
END_TEST

static Suite *
security_suite(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("caps");

    tcase_add_loop_test(tc, test_caps_tweak, 0, ARRAY_SIZE(tweaks));
    tcase_add_test(tc, test_caps_names);
    tcase_add_test(tc, test_process_caps);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_loop_test(tc, test_security_opts, 0, ARRAY_SIZE(secopts));
    tcase_add_loop_test(tc, test_hostconfig_check, 0, ARRAY_SIZE(checks));
    tcase_add_test(tc, test_paths_defaults);
    tcase_add_test(tc, test_ulimit_above_hard);
    suite_add_tcase(s, tc);
    tc = tcase_create("seccomp");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_profile_parse, 0, ARRAY_SIZE(profiles));
    tcase_add_test(tc, test_profile_resolve);
    tcase_add_test(tc, test_filter_default);
    tcase_add_test(tc, test_filter_custom);
    tcase_add_test(tc, test_filter_cache);
    tcase_add_test(tc, test_seccomp_add);
    suite_add_tcase(s, tc);
    tc = tcase_create("devices");
    tcase_add_loop_test(tc, test_devrule, 0, ARRAY_SIZE(rules));
    tcase_add_test(tc, test_device_modes);
    tcase_add_test(tc, test_device_spec);
    tcase_add_test(tc, test_device_privileged);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(security_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
