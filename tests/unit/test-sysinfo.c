/* tests/unit/test-sysinfo.c - cgroup feature detection on fake v1 and v2
 * hierarchies, the cgroup version of this host, sysctl flags, entry counts,
 * proxy masking, and what sysinfo_read() reports about this process. */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/sysinfo.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define TMP_TREE_PREFIX "dctl-test-sysinfo"
#include "tests/unit/tmp-tree.h"

START_TEST(test_cgroup_v1)
{
    struct sysinfo si = { 0 };

    make("memory/", NULL);
    make("memory/memory.limit_in_bytes", "9223372036854771712\n");
    make("memory/memory.oom_control", "oom_kill_disable 0\n");
    make("cpu/", NULL);
    make("cpu/cpu.shares", "1024\n");
    make("cpu/cpu.cfs_period_us", "100000\n");
    make("cpuset/", NULL);
    make("cpuset/cpuset.cpus", "0-1\n");   /* no cpuset.mems: not usable */
    make("pids/", NULL);
    sysinfo_read_cgroup(&si, tmp, 1);
    ck_assert_int_eq(si.cgroup_version, 1);
    ck_assert(si.memory_limit);
    ck_assert(!si.swap_limit);
    ck_assert(!si.kernel_memory_tcp);
    ck_assert(si.oom_kill_disable);
    ck_assert(si.cpu_shares);
    ck_assert(si.cpu_cfs_period);
    ck_assert(!si.cpu_cfs_quota);
    ck_assert(!si.cpuset);
    ck_assert(si.pids_limit);
    make("memory/memory.memsw.limit_in_bytes", "1\n");
    make("memory/memory.kmem.tcp.limit_in_bytes", "1\n");
    make("cpuset/cpuset.mems", "0\n");
    make("cpu/cpu.cfs_quota_us", "-1\n");
    sysinfo_read_cgroup(&si, tmp, 1);
    ck_assert(si.swap_limit && si.kernel_memory_tcp && si.cpuset && si.cpu_cfs_quota);
}
END_TEST

static const struct {
    const char *controllers;
    bool memory, cpu, cpuset, pids;
} v2[] = {
    { "cpuset cpu io memory hugetlb pids rdma misc\n", true, true, true, true },
    { "", false, false, false, false },
    { "cpuset io\n", false, false, true, false },  /* "cpu" is not "cpuset" */
    { "cpu memory", true, true, false, false },
    { NULL, false, false, false, false },           /* no cgroup.controllers */
};

START_TEST(test_cgroup_v2)
{
    struct sysinfo si;

    memset(&si, 0xff, sizeof si);
    if (v2[_i].controllers)
        make("cgroup.controllers", v2[_i].controllers);
    sysinfo_read_cgroup(&si, tmp, 2);
    ck_assert_int_eq(si.cgroup_version, 2);
    ck_assert_int_eq(si.memory_limit, v2[_i].memory);
    ck_assert_int_eq(si.swap_limit, v2[_i].memory);
    ck_assert_int_eq(si.cpu_shares, v2[_i].cpu);
    ck_assert_int_eq(si.cpu_cfs_period, v2[_i].cpu);
    ck_assert_int_eq(si.cpu_cfs_quota, v2[_i].cpu);
    ck_assert_int_eq(si.cpuset, v2[_i].cpuset);
    ck_assert_int_eq(si.pids_limit, v2[_i].pids);
    ck_assert(!si.kernel_memory_tcp);
    ck_assert(!si.oom_kill_disable);
}
END_TEST

START_TEST(test_cgroup_version)
{
    cleanup_file FILE *fp = fopen("/proc/mounts", "r");
    char line[1024];
    int want = 1;

    ck_assert_ptr_nonnull(fp);
    while (fgets(line, sizeof line, fp)) {
        char dev[256], dir[512], type[64];

        if (sscanf(line, "%255s %511s %63s", dev, dir, type) == 3 &&
            strcmp(dir, SYSINFO_CGROUP_ROOT) == 0)
            want = strcmp(type, "cgroup2") == 0 ? 2 : 1;   /* the last mount wins */
    }
    ck_assert_int_eq(sysinfo_cgroup_version(SYSINFO_CGROUP_ROOT), want);
    ck_assert_int_eq(sysinfo_cgroup_version(tmp), 1);
}
END_TEST

static const struct { const char *text; bool want; } flags[] = {
    { "1\n", true }, { "0\n", false }, { "", false }, { "2", true }, { "x", false },
    { NULL, false },
};

START_TEST(test_read_flag)
{
    cleanup_free char *path = xasprintf("%s/flag", tmp);

    if (flags[_i].text)
        make("flag", flags[_i].text);
    ck_assert_int_eq(sysinfo_read_flag(path), flags[_i].want);
}
END_TEST

START_TEST(test_count_entries)
{
    cleanup_free char *missing = xasprintf("%s/missing", tmp);

    ck_assert_int_eq(sysinfo_count_entries(tmp), 0);
    make("a", "");
    make("b/", NULL);
    make(".hidden", "");
    ck_assert_int_eq(sysinfo_count_entries(tmp), 3);
    ck_assert_int_eq(sysinfo_count_entries(missing), -1);
}
END_TEST

static const struct { const char *in, *out; } proxies[] = {
    { "http://proxy.example.com:3128", "http://proxy.example.com:3128" },
    { "http://user:secret@proxy.example.com:3128/", "http://xxxxx:xxxxx@proxy.example.com:3128/" },
    { "https://user@proxy:443", "https://xxxxx:xxxxx@proxy:443" },
    { "http://proxy/path@x", "http://proxy/path@x" },
    { "", "" },
    { "*.local, 169.254/16", "*.local, 169.254/16" },
};

START_TEST(test_mask_proxy)
{
    cleanup_free char *got = sysinfo_mask_proxy(proxies[_i].in);

    ck_assert_str_eq(got, proxies[_i].out);
}
END_TEST

START_TEST(test_read_self)
{
    struct sysinfo a, b;
    cpu_set_t set;
    int fds[5], i;

    sysinfo_read(&a);
    ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
    ck_assert_int_eq(a.ncpu, CPU_COUNT(&set));
    ck_assert_int_ge(a.nthreads, 1);
    ck_assert_int_eq(a.cgroup_version, sysinfo_cgroup_version(SYSINFO_CGROUP_ROOT));
    ck_assert_int_eq(a.cgroup_ns, access("/proc/self/ns/cgroup", F_OK) == 0);
    ck_assert_int_eq(a.ipv4_forwarding, sysinfo_read_flag("/proc/sys/net/ipv4/ip_forward"));
    for (i = 0; i < 5; i++)
        ck_assert_int_ge(fds[i] = open("/dev/null", O_RDONLY), 0);
    sysinfo_read(&b);
    ck_assert_int_eq(b.nfd, a.nfd + 5);
    for (i = 0; i < 5; i++)
        close(fds[i]);
}
END_TEST

static Suite *
sysinfo_suite(void)
{
    Suite *s = suite_create("sysinfo");
    TCase *tc = tcase_create("sysinfo");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cgroup_v1);
    tcase_add_loop_test(tc, test_cgroup_v2, 0, ARRAY_SIZE(v2));
    tcase_add_test(tc, test_cgroup_version);
    tcase_add_loop_test(tc, test_read_flag, 0, ARRAY_SIZE(flags));
    tcase_add_test(tc, test_count_entries);
    tcase_add_loop_test(tc, test_mask_proxy, 0, ARRAY_SIZE(proxies));
    tcase_add_test(tc, test_read_self);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(sysinfo_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
