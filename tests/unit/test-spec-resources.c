/* tests/unit/test-spec-resources.c - daemon/spec-resources: HostConfig's resources checked
 * against a host's cgroup features (dockerd's messages, warnings and discards), Docker's
 * defaults, the OCI linux.resources built, the cgroups path, and an update's checks and
 * merge; lib/units' parsers. Table-driven. */
#include <config.h>

#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/spec-resources.h"
#include "lib/json.h"
#include "lib/units.h"
#include "lib/util.h"

/* A cgroup v1 host with everything but blkio weights (as this machine); v2; none. */
static void
host(struct sysinfo *si, int kind)
{
    memset(si, 0, sizeof *si);
    si->ncpu = 2;
    snprintf(si->cpus, sizeof si->cpus, "0-1");
    snprintf(si->mems, sizeof si->mems, "0");
    if (kind == 0)
        return;
    si->cgroup_version = kind;
    si->memory_limit = si->swap_limit = si->memory_reservation = true;
    si->cpu_shares = si->cpu_cfs_period = si->cpu_cfs_quota = si->cpuset = si->pids_limit = true;
    si->blkio_read_bps = si->blkio_write_bps = si->blkio_read_iops = si->blkio_write_iops = true;
    si->freezer = true;
    if (kind == 1) {
        si->oom_kill_disable = si->memory_swappiness = si->kernel_memory = true;
    } else {
        si->blkio_weight = si->blkio_weight_device = true;
    }
}

static const struct {
    int host;          /* 1, 2, or 0: no controllers */
    bool update;
    const char *hc;    /* HostConfig */
    const char *error; /* the message, or NULL */
    const char *warning; /* a substring of the one warning, or NULL for none */
    const char *key;   /* a member checked afterwards ... */
    long long value;   /* ... its value (LLONG_MIN: null) */
} checks[] = {
    { 1, false, "{\"Memory\":67108864}", NULL, NULL, "Memory", 67108864 },
    { 1, false, "{\"Memory\":1000}", "Minimum memory limit allowed is 6MB", NULL, NULL, 0 },
    { 1, false, "{\"Memory\":67108864,\"MemorySwap\":1000}",
      "Minimum memoryswap limit should be larger than memory limit, see usage", NULL, NULL, 0 },
    { 1, false, "{\"MemorySwap\":67108864}",
      "You should always set the Memory limit when using Memoryswap limit, see usage", NULL,
      NULL, 0 },
    { 1, true, "{\"MemorySwap\":67108864}", NULL, NULL, "MemorySwap", 67108864 },
    { 1, false, "{\"MemorySwappiness\":101}",
      "Invalid value: 101, valid memory swappiness range is 0-100", NULL, NULL, 0 },
    { 1, false, "{\"MemorySwappiness\":-1}", NULL, NULL, "MemorySwappiness", LLONG_MIN },
    { 1, false, "{\"MemoryReservation\":1000}", "Minimum memory reservation allowed is 6MB",
      NULL, NULL, 0 },
    { 1, false, "{\"Memory\":10485760,\"MemoryReservation\":20971520}",
      "Minimum memory limit can not be less than memory reservation limit, see usage", NULL,
      NULL, 0 },
    { 1, false, "{\"KernelMemory\":10485760}", NULL, "kernel memory limit", "KernelMemory", 0 },
    { 1, false, "{\"OomKillDisable\":true}", NULL, "OOM killer is disabled", NULL, 0 },
    { 2, false, "{\"OomKillDisable\":true}", NULL, "does not support OomKillDisable",
      "OomKillDisable", LLONG_MIN },
    { 2, false, "{\"MemorySwappiness\":10}", NULL, "memory swappiness", "MemorySwappiness",
      LLONG_MIN },
    { 0, false, "{\"Memory\":67108864}", NULL, "memory limit capabilities", "Memory", 0 },
    { 0, false, "{\"PidsLimit\":10}", NULL, "PIDs limit", "PidsLimit", LLONG_MIN },
    { 1, false, "{\"NanoCpus\":500000000,\"CpuPeriod\":100000}",
      "Conflicting options: Nano CPUs and CPU Period cannot both be set", NULL, NULL, 0 },
    { 1, false, "{\"NanoCpus\":500000000,\"CpuQuota\":50000}",
      "Conflicting options: Nano CPUs and CPU Quota cannot both be set", NULL, NULL, 0 },
    { 1, false, "{\"NanoCpus\":3000000000}",
      "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", NULL, NULL, 0 },
    { 0, false, "{\"NanoCpus\":500000000}",
      "NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup "
      "is not mounted", NULL, NULL, 0 },
    { 1, false, "{\"CpuShares\":-5}", "invalid CPU shares (-5): value must be a positive integer",
      NULL, NULL, 0 },
    { 1, false, "{\"CpuPeriod\":500}",
      "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
      NULL, NULL, 0 },
    { 1, false, "{\"CpuQuota\":999}", "CPU cfs quota can not be less than 1ms (i.e. 1000)", NULL,
      NULL, 0 },
    { 0, false, "{\"CpuQuota\":50000}", NULL, "CPU CFS scheduler", "CpuQuota", 0 },
    { 1, false, "{\"CpusetCpus\":\"5\"}",
      "Requested CPUs are not available - requested 5, available: 0-1", NULL, NULL, 0 },
    { 1, false, "{\"CpusetCpus\":\"0-x\"}",
      "Invalid value 0-x for cpuset cpus: invalid format: 0-x", NULL, NULL, 0 },
    { 1, false, "{\"CpusetCpus\":\"0-1\",\"CpusetMems\":\"0\"}", NULL, NULL, NULL, 0 },
    { 1, false, "{\"CpusetMems\":\"1\"}",
      "Requested memory nodes are not available - requested 1, available: 0", NULL, NULL, 0 },
    { 1, false, "{\"BlkioWeight\":300}", NULL, "Block I/O weight", "BlkioWeight", 0 },
    { 2, false, "{\"BlkioWeight\":5}", "Range of blkio weight is from 10 to 1000", NULL, NULL, 0 },
    { 1, false, "{\"IOMaximumIOps\":5}",
      "Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps",
      NULL, NULL, 0 },
    { 1, false, "{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/nope\",\"Rate\":100}]}",
      "stat /dev/nope: no such file or directory", NULL, NULL, 0 },
    { 1, false, "{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/null\",\"Rate\":100}]}",
      "BlkioDeviceReadBps: /dev/null is not a block device", NULL, NULL, 0 },
    { 1, false, "{\"CpuPercent\":50}", NULL, "CPU percent", "CpuPercent", 0 },
    { 1, false, "{\"CgroupParent\":\"../x\"}", "invalid cgroup parent \"../x\"", NULL, NULL, 0 },
    { 1, false, "{\"CgroupParent\":\"a/./b\"}", "invalid cgroup parent \"a/./b\"", NULL, NULL, 0 },
    { 1, false, "{\"CgroupParent\":\".\"}", "invalid cgroup parent \".\"", NULL, NULL, 0 },
    { 1, false, "{\"CpuRealtimeRuntime\":100}",
      "Your kernel does not support cgroup cpu real-time runtime", NULL, NULL, 0 },
};

START_TEST(test_check)
{
    cleanup_json struct json_object *hc = json_tokener_parse(checks[_i].hc);
    cleanup_json struct json_object *w = json_object_new_array();
    struct sysinfo si;
    dctl_error_t err = NULL;
    int rc;

    host(&si, checks[_i].host);
    rc = spec_resources_check(hc, &si, checks[_i].update, w, &err);
    if (checks[_i].error) {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_str_eq(err->msg, checks[_i].error);
        dctl_error_free(err);
        return;
    }
    ck_assert_msg(rc == 0, "%s: %s", checks[_i].hc, err ? err->msg : "");
    if (checks[_i].warning) {
        ck_assert_uint_eq(json_object_array_length(w), 1);
        ck_assert_ptr_nonnull(strstr(json_object_get_string(json_object_array_get_idx(w, 0)),
                                     checks[_i].warning));
    } else {
        ck_assert_uint_eq(json_object_array_length(w), 0);
    }
    if (checks[_i].key) {
        struct json_object *v = NULL;

        json_object_object_get_ex(hc, checks[_i].key, &v);
        if (checks[_i].value == LLONG_MIN)
            ck_assert_ptr_null(v);
        else
            ck_assert_int_eq(json_object_get_int64(v), checks[_i].value);
    }
}
END_TEST

START_TEST(test_defaults)
{
    cleanup_json struct json_object *hc = json_tokener_parse("{\"Memory\":67108864,"
                                                             "\"PidsLimit\":0}");
    struct json_object *v = NULL;

    spec_resources_defaults(hc);
    ck_assert_int_eq(json_get_int64(hc, "MemorySwap", 0), 134217728);   /* twice Memory */
    ck_assert(json_object_object_get_ex(hc, "PidsLimit", &v) && v == NULL);   /* unlimited */
    ck_assert(json_object_object_get_ex(hc, "OomKillDisable", &v) && !json_object_get_boolean(v));
    ck_assert(json_object_object_get_ex(hc, "BlkioDeviceReadBps", &v) &&
              json_object_array_length(v) == 0);
    ck_assert_str_eq(json_get_string(hc, "CpusetCpus"), "");
    ck_assert_int_eq(json_get_int64(hc, "NanoCpus", -1), 0);
    ck_assert(json_object_object_get_ex(hc, "MemorySwappiness", &v) && v == NULL);
}
END_TEST

static const struct {
    const char *hc;
    bool update;
    const char *oci; /* the expected linux.resources, compact */
} builds[] = {
    { "{\"Memory\":67108864,\"MemorySwap\":134217728,\"NanoCpus\":500000000,\"PidsLimit\":20,"
      "\"OomKillDisable\":false}",
      false,
      "{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"disableOOMKiller\":false},"
      "\"cpu\":{\"period\":100000,\"quota\":50000},\"pids\":{\"limit\":20}}" },
    { "{\"CpuShares\":512,\"CpuPeriod\":50000,\"CpuQuota\":25000,\"CpusetCpus\":\"1\","
      "\"MemorySwap\":-1,\"PidsLimit\":-1,\"MemorySwappiness\":30}",
      false,
      "{\"memory\":{\"swappiness\":30},\"cpu\":{\"shares\":512,\"cpus\":\"1\",\"period\":50000,"
      "\"quota\":25000},\"pids\":{\"limit\":-1}}" },
    { "{\"Memory\":104857600,\"PidsLimit\":0,\"OomKillDisable\":true}", true,
      "{\"memory\":{\"limit\":104857600},\"cpu\":{},\"pids\":{\"limit\":-1}}" },
    { "{}", false, "{\"memory\":{},\"cpu\":{}}" },
};

START_TEST(test_build)
{
    cleanup_json struct json_object *hc = json_tokener_parse(builds[_i].hc);
    cleanup_json struct json_object *r = NULL;
    dctl_error_t err = NULL;

    r = spec_resources_build(hc, builds[_i].update, &err);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN), builds[_i].oci);
}
END_TEST

START_TEST(test_build_devices)
{
    cleanup_json struct json_object *hc = json_tokener_parse(
        "{\"BlkioDeviceWriteIOps\":[{\"Path\":\"/dev/nope\",\"Rate\":10}]}");
    dctl_error_t err = NULL;

    ck_assert_ptr_null(spec_resources_build(hc, false, &err));
    ck_assert_str_eq(err->msg, "stat /dev/nope: no such file or directory");
    dctl_error_free(err);
}
END_TEST

START_TEST(test_cgroups_path)
{
    cleanup_json struct json_object *none = json_tokener_parse("{}");
    cleanup_json struct json_object *own = json_tokener_parse("{\"CgroupParent\":\"mine/\"}");
    cleanup_free char *a = spec_resources_cgroups_path(none, NULL, "abc");
    cleanup_free char *b = spec_resources_cgroups_path(none, "/test-parent", "abc");
    cleanup_free char *c = spec_resources_cgroups_path(own, "/test-parent", "abc");

    ck_assert_str_eq(a, "/dctl/abc");
    ck_assert_str_eq(b, "/test-parent/abc");
    ck_assert_str_eq(c, "/mine/abc");
}
END_TEST

static const struct {
    const char *hc, *body;
    const char *error; /* or NULL */
    const char *key;
    long long value;
} merges[] = {
    { "{\"Memory\":67108864,\"MemorySwap\":134217728}", "{\"Memory\":104857600}", NULL, "Memory",
      104857600 },
    { "{\"Memory\":67108864,\"MemorySwap\":134217728}", "{\"Memory\":268435456}",
      "Memory limit should be smaller than already set memoryswap limit, update the memoryswap "
      "at the same time", NULL, 0 },
    { "{\"Memory\":67108864,\"MemorySwap\":134217728}",
      "{\"Memory\":268435456,\"MemorySwap\":536870912}", NULL, "MemorySwap", 536870912 },
    { "{\"CpuPeriod\":50000}", "{\"NanoCpus\":1000000000}",
      "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set", NULL,
      0 },
    { "{\"NanoCpus\":500000000}", "{\"CpuQuota\":20000}",
      "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set", NULL,
      0 },
    { "{\"NanoCpus\":500000000}", "{\"NanoCpus\":1500000000}", NULL, "NanoCpus", 1500000000 },
    { "{\"PidsLimit\":20}", "{\"PidsLimit\":0}", NULL, "PidsLimit", 0 },
    { "{\"AutoRemove\":true}", "{\"RestartPolicy\":{\"Name\":\"always\"}}",
      "Restart policy cannot be updated because AutoRemove is enabled for the container", NULL,
      0 },
    { "{\"RestartPolicy\":{\"Name\":\"no\"}}",
      "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}", NULL, NULL, 0 },
};

START_TEST(test_merge)
{
    cleanup_json struct json_object *hc = json_tokener_parse(merges[_i].hc);
    cleanup_json struct json_object *body = json_tokener_parse(merges[_i].body);
    dctl_error_t err = NULL;
    int rc;

    ck_assert_int_eq(spec_resources_update_body(body, &err), 0);
    rc = spec_resources_merge(hc, body, &err);
    if (merges[_i].error) {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err->msg, merges[_i].error);
        dctl_error_free(err);
        return;
    }
    ck_assert_int_eq(rc, 0);
    if (merges[_i].key)
        ck_assert_int_eq(json_get_int64(hc, merges[_i].key, -99), merges[_i].value);
}
END_TEST

START_TEST(test_merge_restart)
{
    cleanup_json struct json_object *hc = json_tokener_parse("{\"RestartPolicy\":{\"Name\":\"no\"}}");
    cleanup_json struct json_object *body = json_tokener_parse(
        "{\"restartpolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3},"
        "\"KernelMemory\":5,\"PidsLimit\":-1}");
    struct json_object *rp = NULL;
    dctl_error_t err = NULL;

    ck_assert_int_eq(spec_resources_update_body(body, &err), 0);
    ck_assert(!json_object_object_get_ex(body, "KernelMemory", NULL));   /* ignored */
    ck_assert_int_eq(json_get_int64(body, "PidsLimit", -9), 0);          /* unlimited */
    ck_assert_int_eq(spec_resources_merge(hc, body, &err), 0);
    ck_assert(json_object_object_get_ex(hc, "RestartPolicy", &rp));
    ck_assert_str_eq(json_get_string(rp, "Name"), "on-failure");
    ck_assert_int_eq(json_get_int64(rp, "MaximumRetryCount", 0), 3);
}
END_TEST

static const struct {
    const char *body, *error;
} bad_updates[] = {
    { "{\"Memory\":\"1g\"}",
      "json: cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64" },
    { "{\"BlkioWeight\":-1}",
      "json: cannot unmarshal number -1 into Go struct field UpdateConfig.BlkioWeight of type "
      "uint16" },
    { "{\"RestartPolicy\":{\"Name\":\"sometimes\"}}", "unknown policy 'sometimes'" },
};

START_TEST(test_update_body_bad)
{
    cleanup_json struct json_object *body = json_tokener_parse(bad_updates[_i].body);
    dctl_error_t err = NULL;

    ck_assert_int_eq(spec_resources_update_body(body, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, bad_updates[_i].error) != NULL, "%s", err->msg);
    dctl_error_free(err);
}
END_TEST

static const struct {
    const char *in;
    int rc;
    int64_t v;
} sizes[] = {
    { "64m", 0, 64LL << 20 }, { "1g", 0, 1LL << 30 },  { "1.5g", 0, 3LL << 29 },
    { "100kb", 0, 102400 },   { "10", 0, 10 },         { "1GiB", 0, 1LL << 30 },
    { "512 M", 0, 512LL << 20 }, { "abc", -1, 0 },     { "-1", -1, 0 },
    { "1x", -1, 0 },          { "", -1, 0 },           { "1.", -1, 0 },
};

START_TEST(test_units_ram)
{
    int64_t v = 0;

    ck_assert_int_eq(units_ram_in_bytes(sizes[_i].in, &v), sizes[_i].rc);
    if (sizes[_i].rc == 0)
        ck_assert_int_eq(v, sizes[_i].v);
}
END_TEST

static const struct {
    const char *in;
    int rc;
    int64_t v;
    const char *why;
} cpus[] = {
    { "0.5", 0, 500000000, NULL },  { "2", 0, 2000000000, NULL }, { "1.25", 0, 1250000000, NULL },
    { ".5", 0, 500000000, NULL },   { "-1", 0, -1000000000, NULL },
    { "0.0000000001", -1, 0, "value is too precise" },
    { "abc", -1, 0, "failed to parse" }, { "1.2.3", -1, 0, "failed to parse" },
    /* big.Rat's other forms, as the docker CLI takes them */
    { "1/2", 0, 500000000, NULL },  { "3/2", 0, 1500000000, NULL }, { "-1/4", 0, -250000000, NULL },
    { "5e-1", 0, 500000000, NULL }, { "0.25E1", 0, 2500000000, NULL }, { "1e-9", 0, 1, NULL },
    { "5.", 0, 5000000000, NULL },  { "0.5000000000000", 0, 500000000, NULL },
    { "3/7", -1, 0, "value is too precise" }, { "1e-10", -1, 0, "value is too precise" },
    { "1/0", -1, 0, "failed to parse" },      { "/2", -1, 0, "failed to parse" },
    { "1/", -1, 0, "failed to parse" },       { "1/2/3", -1, 0, "failed to parse" },
    { "e5", -1, 0, "failed to parse" },       { "1e", -1, 0, "failed to parse" },
    { ".", -1, 0, "failed to parse" },        { "", -1, 0, "failed to parse" },
};

START_TEST(test_units_cpus)
{
    const char *why = NULL;
    int64_t v = 0;

    ck_assert_int_eq(units_nano_cpus(cpus[_i].in, &v, &why), cpus[_i].rc);
    if (cpus[_i].rc == 0)
        ck_assert_int_eq(v, cpus[_i].v);
    else
        ck_assert_str_eq(why, cpus[_i].why);
}
END_TEST

static Suite *
resources_suite(void)
{
    Suite *s = suite_create("spec-resources");
    TCase *tc = tcase_create("spec-resources");

    tcase_add_loop_test(tc, test_check, 0, ARRAY_SIZE(checks));
    tcase_add_test(tc, test_defaults);
    tcase_add_loop_test(tc, test_build, 0, ARRAY_SIZE(builds));
    tcase_add_test(tc, test_build_devices);
    tcase_add_test(tc, test_cgroups_path);
    tcase_add_loop_test(tc, test_merge, 0, ARRAY_SIZE(merges));
    tcase_add_test(tc, test_merge_restart);
    tcase_add_loop_test(tc, test_update_body_bad, 0, ARRAY_SIZE(bad_updates));
    tcase_add_loop_test(tc, test_units_ram, 0, ARRAY_SIZE(sizes));
    tcase_add_loop_test(tc, test_units_cpus, 0, ARRAY_SIZE(cpus));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(resources_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
