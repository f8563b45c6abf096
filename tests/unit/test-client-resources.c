/* tests/unit/test-client-resources.c - dctl's resource flags (run, create, update) as the
 * create body's HostConfig members, with the docker CLI's parsers and its messages for
 * bad values; and docker stats' arithmetic: CPU % between two samples, memory without
 * inactive file pages, the table row's strings. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd-container.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/unit/run-args.h"

static const struct {
    const char *args, *path, *want;
} bodies[] = {
    { "-m 64m bb", "HostConfig.Memory", "67108864" },
    { "--memory 1g bb", "HostConfig.Memory", "1073741824" },
    { "--memory-swap -1 bb", "HostConfig.MemorySwap", "-1" },
    { "--memory-swap 1.5g bb", "HostConfig.MemorySwap", "1610612736" },
    { "--memory-reservation 32m bb", "HostConfig.MemoryReservation", "33554432" },
    { "--memory-swappiness 10 bb", "HostConfig.MemorySwappiness", "10" },
    { "--memory-swappiness -1 bb", "HostConfig.MemorySwappiness", "null" },
    { "--kernel-memory 10m bb", "HostConfig.KernelMemory", "10485760" },
    { "--oom-kill-disable bb", "HostConfig.OomKillDisable", "true" },
    { "bb", "HostConfig.OomKillDisable", "false" },
    { "--cpus 0.5 bb", "HostConfig.NanoCpus", "500000000" },
    { "--cpus 2 bb", "HostConfig.NanoCpus", "2000000000" },
    { "-c 512 bb", "HostConfig.CpuShares", "512" },
    { "--cpu-shares 100 bb", "HostConfig.CpuShares", "100" },
    { "--cpu-period 50000 --cpu-quota 25000 bb", "HostConfig.CpuQuota", "25000" },
    { "--cpu-period 50000 bb", "HostConfig.CpuPeriod", "50000" },
    { "--cpuset-cpus 0-1 bb", "HostConfig.CpusetCpus", "\"0-1\"" },
    { "--cpuset-mems 0 bb", "HostConfig.CpusetMems", "\"0\"" },
    { "--pids-limit 20 bb", "HostConfig.PidsLimit", "20" },
    { "--blkio-weight 300 bb", "HostConfig.BlkioWeight", "300" },
    { "--blkio-weight-device /dev/vda:200 bb", "HostConfig.BlkioWeightDevice",
      "[{\"Path\":\"/dev/vda\",\"Weight\":200}]" },
    { "--device-read-bps /dev/vda:1mb --device-read-bps /dev/vdb:2k bb",
      "HostConfig.BlkioDeviceReadBps",
      "[{\"Path\":\"/dev/vda\",\"Rate\":1048576},{\"Path\":\"/dev/vdb\",\"Rate\":2048}]" },
    { "--device-write-iops /dev/vda:100 bb", "HostConfig.BlkioDeviceWriteIOps",
      "[{\"Path\":\"/dev/vda\",\"Rate\":100}]" },
    { "-m 64m -h box bb", "Hostname", "\"box\"" },   /* -h is still the hostname */
};

static const struct {
    const char *args, *msg;
} refusals[] = {
    { "-m abc bb", "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'" },
    { "--memory-swap x bb", "invalid argument \"x\" for \"--memory-swap\" flag: invalid size: 'x'" },
    { "--cpus abc bb",
      "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number" },
    { "--cpus 0.0000000001 bb",
      "invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise" },
    { "-c x bb", "invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: "
                 "parsing \"x\": invalid syntax" },
    { "--pids-limit 1.5 bb", "invalid argument \"1.5\" for \"--pids-limit\" flag: "
                             "strconv.ParseInt: parsing \"1.5\": invalid syntax" },
    { "--blkio-weight 70000 bb", "invalid argument \"70000\" for \"--blkio-weight\" flag: "
                                 "strconv.ParseUint: parsing \"70000\": value out of range" },
    { "--memory-swappiness 101 bb", "invalid value: 101. Valid memory swappiness range is 0-100" },
    { "--blkio-weight-device vda:200 bb",
      "invalid argument \"vda:200\" for \"--blkio-weight-device\" flag: bad format for device "
      "path: vda:200" },
    { "--blkio-weight-device /dev/vda:5 bb",
      "invalid argument \"/dev/vda:5\" for \"--blkio-weight-device\" flag: invalid weight for "
      "device: /dev/vda:5" },
    { "--device-read-bps /dev/vda bb",
      "invalid argument \"/dev/vda\" for \"--device-read-bps\" flag: bad format: /dev/vda" },
    { "--device-read-iops /dev/vda:x bb",
      "invalid argument \"/dev/vda:x\" for \"--device-read-iops\" flag: invalid rate for device: "
      "/dev/vda:x. The correct format is <device-path>:<number>. Number must be a positive "
      "integer" },
};

START_TEST(test_body)
{
    char *argv[32];
    int argc = run_args_split(bodies[_i].args, argv, 32);
    dctl_error_t err = NULL;
    struct json_object *b = cmd_run_body_from_args(argc, argv, &err);
    const char *got;

    ck_assert_msg(b != NULL, "%s: %s", bodies[_i].args, err ? err->msg : "?");
    got = json_object_to_json_string_ext(run_args_member(b, bodies[_i].path),
                                         JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    ck_assert_msg(strcmp(got, bodies[_i].want) == 0, "%s: %s is %s, want %s", bodies[_i].args,
                  bodies[_i].path, got, bodies[_i].want);
    json_object_put(b);
    free(argv[0]);
}
END_TEST

START_TEST(test_refused)
{
    char *argv[32];
    int argc = run_args_split(refusals[_i].args, argv, 32);
    dctl_error_t err = NULL;
    struct json_object *b = cmd_run_body_from_args(argc, argv, &err);

    ck_assert_msg(b == NULL, "%s was accepted", refusals[_i].args);
    ck_assert_str_eq(err->msg, refusals[_i].msg);
    dctl_error_free(err);
    free(argv[0]);
}
END_TEST

/* ---- docker stats' arithmetic --------------------------------------------------------- */

/* two samples a second apart: 0.5 s of the container's CPU time out of 2 s of the host's
 * (2 CPUs), 256 MiB used of which 56 MiB inactive file pages, a 1 GiB limit */
static const char pre_cpu[] =
    "{\"cpu_usage\":{\"total_usage\":1000000000,\"percpu_usage\":[1,2]},"
    "\"system_cpu_usage\":100000000000}";
static const char sample_v1[] =
    "{\"read\":\"2026-12-07T12:00:01Z\",\"name\":\"/web\","
    "\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
    "\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":1500000000,\"percpu_usage\":[1,2]},"
    "\"system_cpu_usage\":102000000000,\"online_cpus\":2},"
    "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":0}},"
    "\"memory_stats\":{\"usage\":268435456,\"limit\":1073741824,"
    "\"stats\":{\"total_inactive_file\":58720256,\"cache\":0}},"
    "\"pids_stats\":{\"current\":7},"
    "\"networks\":{\"eth0\":{\"rx_bytes\":1500,\"tx_bytes\":500},"
    "\"eth1\":{\"rx_bytes\":500,\"tx_bytes\":0}},"
    "\"blkio_stats\":{\"io_service_bytes_recursive\":[{\"major\":254,\"minor\":0,\"op\":\"Read\","
    "\"value\":4096000},{\"major\":254,\"minor\":0,\"op\":\"Write\",\"value\":8192},"
    "{\"major\":254,\"minor\":0,\"op\":\"Total\",\"value\":4104192}]}}";

START_TEST(test_stats_arith)
{
    cleanup_json struct json_object *pre = json_tokener_parse(pre_cpu);
    cleanup_json struct json_object *st = json_tokener_parse(sample_v1);
    cleanup_json struct json_object *v2 = json_tokener_parse(
        "{\"usage\":1000,\"stats\":{\"inactive_file\":400}}");
    cleanup_json struct json_object *over = json_tokener_parse(
        "{\"usage\":1000,\"stats\":{\"total_inactive_file\":4000}}");
    struct json_object *cpu = NULL, *mem = NULL;

    json_object_object_get_ex(st, "cpu_stats", &cpu);
    json_object_object_get_ex(st, "memory_stats", &mem);
    /* 0.5e9 / 2e9 * 2 CPUs */
    ck_assert_double_eq_tol(cmd_stats_cpu_percent(pre, cpu), 50.0, 1e-9);
    ck_assert_double_eq_tol(cmd_stats_cpu_percent(cpu, cpu), 0.0, 1e-9);
    ck_assert_double_eq(cmd_stats_mem_usage(mem), 268435456.0 - 58720256.0);
    ck_assert_double_eq(cmd_stats_mem_usage(v2), 600.0);
    ck_assert_double_eq(cmd_stats_mem_usage(over), 1000.0);
}
END_TEST

START_TEST(test_stats_row)
{
    cleanup_json struct json_object *pre = json_tokener_parse(pre_cpu);
    cleanup_json struct json_object *st = json_tokener_parse(sample_v1);
    cleanup_json struct json_object *row = cmd_stats_row("web", st, pre, false);
    cleanup_json struct json_object *full = cmd_stats_row("web", st, pre, true);
    cleanup_json struct json_object *empty = json_tokener_parse(
        "{\"name\":\"/idle\",\"id\":\"abc\",\"cpu_stats\":{},\"precpu_stats\":{},"
        "\"memory_stats\":{},\"pids_stats\":{}}");
    cleanup_json struct json_object *erow = cmd_stats_row("idle", empty, NULL, false);

    ck_assert_str_eq(json_get_string(row, "Container"), "web");
    ck_assert_str_eq(json_get_string(row, "Name"), "web");
    ck_assert_str_eq(json_get_string(row, "ID"), "0123456789ab");
    ck_assert_str_eq(json_get_string(full, "ID"),
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    ck_assert_str_eq(json_get_string(row, "CPUPerc"), "50.00%");
    ck_assert_str_eq(json_get_string(row, "MemUsage"), "200MiB / 1GiB");
    ck_assert_str_eq(json_get_string(row, "MemPerc"), "19.53%");
    ck_assert_str_eq(json_get_string(row, "NetIO"), "2kB / 500B");
    ck_assert_str_eq(json_get_string(row, "BlockIO"), "4.1MB / 8.19kB");
    ck_assert_str_eq(json_get_string(row, "PIDs"), "7");
    ck_assert_str_eq(json_get_string(erow, "CPUPerc"), "0.00%");
    ck_assert_str_eq(json_get_string(erow, "MemUsage"), "0B / 0B");
    ck_assert_str_eq(json_get_string(erow, "MemPerc"), "0.00%");
    ck_assert_str_eq(json_get_string(erow, "PIDs"), "0");
}
END_TEST

static Suite *
client_resources_suite(void)
{
    Suite *s = suite_create("client-resources");
    TCase *tc = tcase_create("client-resources");

    tcase_add_loop_test(tc, test_body, 0, ARRAY_SIZE(bodies));
    tcase_add_loop_test(tc, test_refused, 0, ARRAY_SIZE(refusals));
    tcase_add_test(tc, test_stats_arith);
    tcase_add_test(tc, test_stats_row);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(client_resources_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
