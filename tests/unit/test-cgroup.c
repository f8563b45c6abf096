/* tests/unit/test-cgroup.c - lib/cgroup against fake v1 and v2 trees in a temp dir: the
 * layout found, paths cleaned, OCI resources read, the files each version's limits go to
 * (runc's mapping), cpuset parents, v2 parents' controllers, enter, freeze, OOM counts,
 * the statistics parsed, the conversions; the device rules reduced and their eBPF
 * program, and, where the host has a cgroup2 hierarchy and we are root, that program
 * loaded into the kernel and attached to a real cgroup, which must then let a process
 * open /dev/null and refuse it /dev/zero. */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cgroup-devices.h"
#include "lib/cgroup.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define TMP_TREE_PREFIX "dctl-test-cgroup"
#include "tests/unit/tmp-tree.h"

/* The contents of tmp/rel ("" when it cannot be read). Caller's. */
static char *
slurp(const char *rel)
{
    cleanup_free char *path = xasprintf("%s/%s", tmp, rel);
    char buf[4096];
    FILE *fp = fopen(path, "r");
    size_t n = 0;

    if (fp) {
        n = fread(buf, 1, sizeof buf - 1, fp);
        fclose(fp);
    }
    buf[n] = '\0';
    return xstrdup(buf);
}

#define ck_file(rel, want)                                                                  \
    do {                                                                                     \
        cleanup_free char *got_ = slurp(rel);                                               \
        ck_assert_msg(strcmp(got_, want) == 0, "%s: \"%s\", want \"%s\"", rel, got_, want); \
    } while (0)

/* A v1 tree as the kernel shows one (a container's directory made with its files, as a
 * real mkdir would), with cpu -> cpu,cpuacct as on most hosts. */
static void
make_v1(const char *ctr)
{
    static const char *const hier[] = { "memory", "cpu,cpuacct", "cpuset", "pids", "blkio",
                                        "freezer", "devices", "systemd", "unified" };
    static const char *const files[][2] = {
        { "memory", "memory.limit_in_bytes" }, { "memory", "memory.memsw.limit_in_bytes" },
        { "memory", "memory.soft_limit_in_bytes" }, { "memory", "memory.swappiness" },
        { "memory", "memory.oom_control" }, { "memory", "memory.kmem.tcp.limit_in_bytes" },
        { "cpu,cpuacct", "cpu.shares" }, { "cpu,cpuacct", "cpu.cfs_period_us" },
        { "cpu,cpuacct", "cpu.cfs_quota_us" }, { "cpuset", "cpuset.cpus" },
        { "cpuset", "cpuset.mems" }, { "pids", "pids.max" },
        { "blkio", "blkio.throttle.read_bps_device" },
        { "blkio", "blkio.throttle.write_iops_device" }, { "blkio", "blkio.weight" },
        { "freezer", "freezer.state" }, { "devices", "devices.allow" },
        { "devices", "devices.deny" },
    };
    char rel[256];
    size_t i;

    for (i = 0; i < ARRAY_SIZE(hier); i++) {
        snprintf(rel, sizeof rel, "%s%s/", hier[i], ctr);
        make(rel, NULL);
        snprintf(rel, sizeof rel, "%s%s/cgroup.procs", hier[i], ctr);
        make(rel, "");
    }
    for (i = 0; i < ARRAY_SIZE(files); i++) {
        snprintf(rel, sizeof rel, "%s%s/%s", files[i][0], ctr, files[i][1]);
        make(rel, "");
    }
    make("cpuset/cpuset.cpus", "0-3\n");
    make("cpuset/cpuset.mems", "0\n");
    if (strncmp(ctr, "/dctl/", 6) == 0) {   /* the parent's, empty as a new cgroup's are */
        make("cpuset/dctl/cpuset.cpus", "");
        make("cpuset/dctl/cpuset.mems", "");
    }
    make("unified/cgroup.controllers", "");
    ck_assert_int_eq(symlink("cpu,cpuacct", xasprintf("%s/cpu", tmp)), 0);
}

static void
make_v2(const char *ctr)
{
    static const char *const files[] = { "cgroup.procs", "memory.max", "memory.swap.max",
                                         "memory.low", "cpu.weight", "cpu.max", "cpuset.cpus",
                                         "cpuset.mems", "pids.max", "io.weight", "io.max",
                                         "cgroup.freeze", "cgroup.subtree_control" };
    char rel[256];
    size_t i;

    make("cgroup.controllers", "cpuset cpu io memory pids\n");
    make("cgroup.subtree_control", "");
    snprintf(rel, sizeof rel, "%s/", ctr);
    make(rel, NULL);
    for (i = 0; i < ARRAY_SIZE(files); i++) {
        snprintf(rel, sizeof rel, "%s/%s", ctr + 1, files[i]);
        make(rel, "");
    }
}

/* ---- layout and paths ---------------------------------------------------------------- */

START_TEST(test_host_v1)
{
    struct cgroup_host h;
    dctl_error_t err = NULL;
    const struct cgroup_hier *hi;

    make_v1("/dctl/c1");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 1, &err), 0);
    ck_assert_int_eq(h.version, 1);
    ck_assert(h.fake);
    ck_assert_uint_eq(h.nhier, 9);   /* the cpu link is not one */
    hi = cgroup_host_hier(&h, CGROUP_CPUACCT);
    ck_assert_ptr_nonnull(hi);
    ck_assert_str_eq(hi->name, "cpu,cpuacct");
    ck_assert_ptr_eq(cgroup_host_hier(&h, CGROUP_CPU), hi);
    ck_assert_str_eq(cgroup_host_hier(&h, CGROUP_MEMORY)->name, "memory");
    ck_assert_ptr_null(cgroup_host_hier(&h, CGROUP_HUGETLB));
    ck_assert(h.ctrls & CGROUP_FREEZER);
    ck_assert(cgroup_exists(&h, "/dctl/c1"));
    ck_assert(!cgroup_exists(&h, "/dctl/c2"));
}
END_TEST

START_TEST(test_host_v2)
{
    struct cgroup_host h;
    dctl_error_t err = NULL;

    make_v2("/dctl/c1");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 2, &err), 0);
    ck_assert_int_eq(h.version, 2);
    ck_assert_uint_eq(h.nhier, 1);
    ck_assert(h.hier[0].v2);
    ck_assert(h.ctrls & CGROUP_MEMORY);
    ck_assert(h.ctrls & CGROUP_BLKIO);   /* io */
    ck_assert(!(h.ctrls & CGROUP_HUGETLB));
    ck_assert_ptr_eq(cgroup_host_hier(&h, CGROUP_PIDS), &h.hier[0]);
}
END_TEST

START_TEST(test_host_real)
{
    struct cgroup_host h;
    dctl_error_t err = NULL;
    struct statfs sfs;

    if (statfs(CGROUP_ROOT, &sfs) < 0)
        return;   /* no cgroupfs here */
    ck_assert_int_eq(cgroup_host_open(&h, NULL, 0, &err), 0);
    ck_assert(!h.fake);
    ck_assert(h.version == 1 || h.version == 2);
    ck_assert_uint_gt(h.nhier, 0);
}
END_TEST

static const struct {
    const char *in, *out;
} paths[] = {
    { "/dctl/abc", "/dctl/abc" }, { "//dctl//abc/", "/dctl/abc" }, { "/a", "/a" },
    { "dctl/abc", NULL },         { "/dctl/../x", NULL },         { "/./x", NULL },
    { "/", NULL },                { "", NULL },
};

START_TEST(test_path_clean)
{
    char out[CGROUP_PATH_MAX];
    dctl_error_t err = NULL;
    int rc = cgroup_path_clean(paths[_i].in, out, sizeof out, &err);

    if (paths[_i].out) {
        ck_assert_int_eq(rc, 0);
        ck_assert_str_eq(out, paths[_i].out);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        dctl_error_free(err);
    }
}
END_TEST

/* ---- resources ------------------------------------------------------------------------ */

static const char resources_json[] =
    "{\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":134217728,"
    "\"swappiness\":10,\"disableOOMKiller\":true},"
    "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\",\"mems\":\"0\"},"
    "\"pids\":{\"limit\":20},"
    "\"blockIO\":{\"weight\":300,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,"
    "\"rate\":1048576}],\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":100}]},"
    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
    "\"major\":1,\"minor\":3,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":-1,"
    "\"minor\":-1,\"access\":\"m\"}]}";

static void
parse(const char *text, struct cgroup_resources *r)
{
    cleanup_json struct json_object *o = json_tokener_parse(text);
    dctl_error_t err = NULL;

    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(cgroup_resources_parse(o, r, &err), 0);
}

START_TEST(test_resources_parse)
{
    struct cgroup_resources r;

    parse(resources_json, &r);
    ck_assert_int_eq(r.mem_limit, 67108864);
    ck_assert_int_eq(r.mem_swap, 134217728);
    ck_assert_int_eq(r.mem_kernel_tcp, CGROUP_UNSET);
    ck_assert_int_eq(r.disable_oom_killer, 1);
    ck_assert_int_eq(r.cpu_quota, 50000);
    ck_assert_str_eq(r.cpus, "0-1");
    ck_assert_int_eq(r.pids_limit, 20);
    ck_assert_uint_eq(r.nthrottle[CGROUP_READ_BPS], 1);
    ck_assert_int_eq(r.throttle[CGROUP_READ_BPS][0].value, 1048576);
    ck_assert_uint_eq(r.nthrottle[CGROUP_WRITE_IOPS], 1);
    ck_assert(r.has_devices);
    ck_assert_uint_eq(r.ndevices, 3);
    ck_assert_int_eq(r.devices[0].type, 'a');
    ck_assert(!r.devices[0].allow);
    ck_assert_int_eq(r.devices[2].major, -1);
    ck_assert_str_eq(r.devices[2].access, "m");
}
END_TEST

static const char *const bad_resources[] = {
    "{\"memory\":{\"limit\":\"64m\"}}",
    "{\"cpu\":{\"cpus\":5}}",
    "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"rate\":1}]}}",
    "{\"devices\":[{\"access\":\"rwm\"}]}",
    "{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}",
    "{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}",
    "[]",
};

START_TEST(test_resources_bad)
{
    cleanup_json struct json_object *o = json_tokener_parse(bad_resources[_i]);
    struct cgroup_resources r;
    dctl_error_t err = NULL;

    ck_assert_int_eq(cgroup_resources_parse(o, &r, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_free(err);
}
END_TEST

START_TEST(test_apply_v1)
{
    struct cgroup_host h;
    struct cgroup_resources r;
    dctl_error_t err = NULL;

    make_v1("/dctl/c1");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 1, &err), 0);
    ck_assert_int_eq(cgroup_create(&h, "/dctl/c1", &err), 0);
    parse(resources_json, &r);
    ck_assert_int_eq(cgroup_apply(&h, "/dctl/c1", &r, &err), 0);
    ck_file("memory/dctl/c1/memory.limit_in_bytes", "67108864");
    ck_file("memory/dctl/c1/memory.memsw.limit_in_bytes", "134217728");
    ck_file("memory/dctl/c1/memory.soft_limit_in_bytes", "33554432");
    ck_file("memory/dctl/c1/memory.swappiness", "10");
    ck_file("memory/dctl/c1/memory.oom_control", "1");
    ck_file("memory/dctl/c1/memory.kmem.tcp.limit_in_bytes", "");
    ck_file("cpu,cpuacct/dctl/c1/cpu.shares", "512");
    ck_file("cpu,cpuacct/dctl/c1/cpu.cfs_period_us", "100000");
    ck_file("cpu,cpuacct/dctl/c1/cpu.cfs_quota_us", "50000");
    ck_file("cpuset/dctl/c1/cpuset.cpus", "0-1");
    ck_file("cpuset/dctl/c1/cpuset.mems", "0");
    ck_file("pids/dctl/c1/pids.max", "20");
    ck_file("blkio/dctl/c1/blkio.weight", "300");
    ck_file("blkio/dctl/c1/blkio.throttle.read_bps_device", "8:0 1048576");
    ck_file("blkio/dctl/c1/blkio.throttle.write_iops_device", "8:16 100");
    ck_file("devices/dctl/c1/devices.deny", "a");
    ck_file("devices/dctl/c1/devices.allow", "c 1:3 rwmc *:* m");   /* appended */
    /* the parent made on the way got the root's cpuset */
    ck_file("cpuset/dctl/cpuset.cpus", "0-3\n");
    /* unlimited: "-1" and the swap with it; pids "max" */
    parse("{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":-1}}", &r);
    ck_assert_int_eq(cgroup_apply(&h, "/dctl/c1", &r, &err), 0);
    ck_file("memory/dctl/c1/memory.limit_in_bytes", "-1");
    ck_file("memory/dctl/c1/memory.memsw.limit_in_bytes", "-1");
    ck_file("pids/dctl/c1/pids.max", "max");
    /* nothing set: nothing written */
    make("pids/dctl/c1/pids.max", "untouched");
    parse("{}", &r);
    ck_assert_int_eq(cgroup_apply(&h, "/dctl/c1", &r, &err), 0);
    ck_file("pids/dctl/c1/pids.max", "untouched");
}
END_TEST

START_TEST(test_apply_v2)
{
    struct cgroup_host h;
    struct cgroup_resources r;
    dctl_error_t err = NULL;
    cleanup_free char *sub = NULL;

    make_v2("/dctl/c1");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 2, &err), 0);
    ck_assert_int_eq(cgroup_create(&h, "/dctl/c1", &err), 0);
    /* the root lets its children have its controllers */
    sub = slurp("cgroup.subtree_control");
    ck_assert_ptr_nonnull(strstr(sub, "+memory"));
    ck_assert_ptr_nonnull(strstr(sub, "+cpu"));
    ck_assert_ptr_nonnull(strstr(sub, "+pids"));
    ck_assert_ptr_null(strstr(sub, "+hugetlb"));   /* not in cgroup.controllers */
    parse(resources_json, &r);
    r.has_devices = false;   /* the eBPF part is tested on its own */
    ck_assert_int_eq(cgroup_apply(&h, "/dctl/c1", &r, &err), 0);
    ck_file("dctl/c1/memory.max", "67108864");
    ck_file("dctl/c1/memory.swap.max", "67108864");   /* swap alone: 128m - 64m */
    ck_file("dctl/c1/memory.low", "33554432");
    ck_file("dctl/c1/cpu.weight", "20");              /* 1 + (512 - 2) * 9999 / 262142 */
    ck_file("dctl/c1/cpu.max", "50000 100000");
    ck_file("dctl/c1/cpuset.cpus", "0-1");
    ck_file("dctl/c1/pids.max", "20");
    ck_file("dctl/c1/io.weight", "default 2930");     /* 1 + (300 - 10) * 9999 / 990 */
    ck_file("dctl/c1/io.max", "8:0 rbps=10485768:16 wiops=100");
    parse("{\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":-1,\"period\":100000}}", &r);
    ck_assert_int_eq(cgroup_apply(&h, "/dctl/c1", &r, &err), 0);
    ck_file("dctl/c1/memory.max", "max");
    ck_file("dctl/c1/memory.swap.max", "max");
    ck_file("dctl/c1/cpu.max", "max 100000");
    /* a swap limit below the memory limit: refused */
    parse("{\"memory\":{\"limit\":67108864,\"swap\":1000}}", &r);
    ck_assert_int_eq(cgroup_apply(&h, "/dctl/c1", &r, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_free(err);
}
END_TEST

START_TEST(test_enter_freeze_oom)
{
    struct cgroup_host h;
    dctl_error_t err = NULL;

    make_v1("/dctl/c1");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 1, &err), 0);
    ck_assert_int_eq(cgroup_enter(&h, "/dctl/c1", 4242, &err), 0);
    ck_file("memory/dctl/c1/cgroup.procs", "4242");
    ck_file("cpu,cpuacct/dctl/c1/cgroup.procs", "4242");
    ck_file("systemd/dctl/c1/cgroup.procs", "4242");
    ck_file("unified/dctl/c1/cgroup.procs", "4242");
    ck_assert_int_eq(cgroup_freeze(&h, "/dctl/c1", true, &err), 0);
    ck_file("freezer/dctl/c1/freezer.state", "FROZEN");
    ck_assert_int_eq(cgroup_is_frozen(&h, "/dctl/c1", &err), 1);
    ck_assert_int_eq(cgroup_freeze(&h, "/dctl/c1", false, &err), 0);
    ck_file("freezer/dctl/c1/freezer.state", "THAWED");
    ck_assert_int_eq(cgroup_is_frozen(&h, "/dctl/c1", &err), 0);
    ck_assert_uint_eq(cgroup_oom_kills(&h, "/dctl/c1"), 0);
    make("memory/dctl/c1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
    ck_assert_uint_eq(cgroup_oom_kills(&h, "/dctl/c1"), 3);
    /* a test tree's pids are not ours to kill */
    ck_assert_int_eq(cgroup_kill(&h, "/dctl/c1", 10, &err), 0);
    /* entering a cgroup that is not there */
    ck_assert_int_eq(cgroup_enter(&h, "/dctl/none", 1, &err), -1);
    dctl_error_free(err);
}
END_TEST

START_TEST(test_freeze_oom_v2)
{
    struct cgroup_host h;
    dctl_error_t err = NULL;

    make_v2("/dctl/c1");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 2, &err), 0);
    ck_assert_int_eq(cgroup_freeze(&h, "/dctl/c1", true, &err), 0);
    ck_file("dctl/c1/cgroup.freeze", "1");
    make("dctl/c1/cgroup.events", "populated 1\nfrozen 1\n");
    ck_assert_int_eq(cgroup_is_frozen(&h, "/dctl/c1", &err), 1);
    ck_assert_int_eq(cgroup_freeze(&h, "/dctl/c1", false, &err), 0);
    ck_file("dctl/c1/cgroup.freeze", "0");
    make("dctl/c1/memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n");
    ck_assert_uint_eq(cgroup_oom_kills(&h, "/dctl/c1"), 2);
}
END_TEST

START_TEST(test_create_remove)
{
    struct cgroup_host h;
    dctl_error_t err = NULL;
    struct stat st;

    make("memory/", NULL);
    make("pids/", NULL);
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 1, &err), 0);
    ck_assert_int_eq(cgroup_create(&h, "/p/q/c1", &err), 0);
    ck_assert_int_eq(stat(xasprintf("%s/memory/p/q/c1", tmp), &st), 0);
    ck_assert_int_eq(stat(xasprintf("%s/pids/p/q/c1", tmp), &st), 0);
    ck_assert_int_eq(cgroup_create(&h, "/p/q/c1", &err), 0);   /* again: reused */
    ck_assert_int_eq(cgroup_remove(&h, "/p/q/c1", &err), 0);
    ck_assert_int_eq(stat(xasprintf("%s/memory/p/q/c1", tmp), &st), -1);
    ck_assert_int_eq(stat(xasprintf("%s/memory/p/q", tmp), &st), 0);   /* parents stay */
    ck_assert_int_eq(cgroup_remove(&h, "/p/q/c1", &err), 0);   /* absent is fine */
}
END_TEST

/* ---- statistics ----------------------------------------------------------------------- */

START_TEST(test_stats_v1)
{
    struct cgroup_host h;
    struct cgroup_stats *st = xcalloc(1, sizeof *st);
    dctl_error_t err = NULL;

    make_v1("/c");
    make("cpu,cpuacct/c/cpuacct.usage", "3000000000\n");
    make("cpu,cpuacct/c/cpuacct.usage_percpu", "1000000000 2000000000 \n");
    make("cpu,cpuacct/c/cpuacct.stat", "user 150\nsystem 50\n");
    make("cpu,cpuacct/c/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 123456\n");
    make("memory/c/memory.usage_in_bytes", "1048576\n");
    make("memory/c/memory.max_usage_in_bytes", "2097152\n");
    make("memory/c/memory.failcnt", "7\n");
    make("memory/c/memory.limit_in_bytes", "67108864\n");
    make("memory/c/memory.stat", "cache 4096\nrss 8192\ntotal_inactive_file 4096\n");
    make("pids/c/pids.current", "3\n");
    make("pids/c/pids.max", "max\n");
    make("blkio/c/blkio.throttle.io_service_bytes_recursive",
         "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Total 12288\nTotal 12288\n");
    make("blkio/c/blkio.throttle.io_serviced_recursive", "254:0 Read 1\n254:0 Write 2\n");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 1, &err), 0);
    ck_assert_int_eq(cgroup_stats_read(&h, "/c", st, &err), 0);
    ck_assert(st->has_cpu && st->has_memory && st->has_pids && st->has_blkio);
    ck_assert_uint_eq(st->cpu_total_ns, 3000000000ULL);
    ck_assert_uint_eq(st->npercpu, 2);
    ck_assert_uint_eq(st->percpu_ns[1], 2000000000ULL);
    ck_assert_uint_eq(st->cpu_user_ns, 150ULL * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK)));
    ck_assert_uint_eq(st->nr_throttled, 4);
    ck_assert_uint_eq(st->throttled_ns, 123456);
    ck_assert_uint_eq(st->mem_usage, 1048576);
    ck_assert_uint_eq(st->mem_max_usage, 2097152);
    ck_assert_uint_eq(st->mem_failcnt, 7);
    ck_assert_uint_eq(st->mem_limit, 67108864);
    ck_assert_uint_eq(st->nmem_stat, 3);
    ck_assert_str_eq(st->mem_stat[2].key, "total_inactive_file");
    ck_assert_uint_eq(st->pids_current, 3);
    ck_assert_uint_eq(st->pids_limit, 0);   /* max: none */
    ck_assert_uint_eq(st->nio_bytes, 4);    /* the last "Total N" line has no device */
    ck_assert_str_eq(st->io_bytes[1].op, "Write");
    ck_assert_uint_eq(st->io_bytes[1].value, 8192);
    ck_assert_uint_eq(st->io_bytes[1].major, 254);
    ck_assert_uint_eq(st->nio_ios, 2);
    ck_assert_int_eq(cgroup_stats_read(&h, "/gone", st, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_free(err);
    free(st);
}
END_TEST

START_TEST(test_stats_v2)
{
    struct cgroup_host h;
    struct cgroup_stats *st = xcalloc(1, sizeof *st);
    dctl_error_t err = NULL;

    make_v2("/c");
    make("c/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 3\n"
                       "nr_throttled 1\nthrottled_usec 42\n");
    make("c/memory.current", "4096\n");
    make("c/memory.max", "max\n");
    make("c/memory.stat", "anon 1024\nfile 2048\ninactive_file 1024\n");
    make("c/pids.current", "2\n");
    make("c/pids.max", "100\n");
    make("c/io.stat", "254:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
    ck_assert_int_eq(cgroup_host_open(&h, tmp, 2, &err), 0);
    ck_assert_int_eq(cgroup_stats_read(&h, "/c", st, &err), 0);
    ck_assert_uint_eq(st->cpu_total_ns, 2500000);
    ck_assert_uint_eq(st->cpu_user_ns, 2000000);
    ck_assert_uint_eq(st->cpu_system_ns, 500000);
    ck_assert_uint_eq(st->npercpu, 0);
    ck_assert_uint_eq(st->throttled_ns, 42000);
    ck_assert_uint_eq(st->mem_usage, 4096);
    ck_assert_uint_eq(st->mem_limit, UINT64_MAX);
    ck_assert_uint_eq(st->nmem_stat, 3);
    ck_assert_uint_eq(st->pids_limit, 100);
    ck_assert_uint_eq(st->nio_bytes, 2);
    ck_assert_str_eq(st->io_bytes[0].op, "read");
    ck_assert_uint_eq(st->io_bytes[0].value, 100);
    ck_assert_uint_eq(st->io_bytes[1].value, 200);
    ck_assert_uint_eq(st->io_ios[1].value, 2);
    free(st);
}
END_TEST

START_TEST(test_conversions)
{
    ck_assert_uint_eq(cgroup_shares_to_weight(0), 0);
    ck_assert_uint_eq(cgroup_shares_to_weight(2), 1);
    ck_assert_uint_eq(cgroup_shares_to_weight(1024), 39);
    ck_assert_uint_eq(cgroup_shares_to_weight(262144), 10000);
    ck_assert_uint_eq(cgroup_blkio_to_io_weight(10), 1);
    ck_assert_uint_eq(cgroup_blkio_to_io_weight(500), 4950);
    ck_assert_uint_eq(cgroup_blkio_to_io_weight(1000), 10000);
    {
        uint64_t v = 0;

        ck_assert_int_eq(cgroup_kv_find("a 1\nbb 22\nb 3\n", "b", &v), 0);
        ck_assert_uint_eq(v, 3);
        ck_assert_int_eq(cgroup_kv_find("a 1\n", "b", &v), -1);
    }
}
END_TEST

/* ---- device rules ----------------------------------------------------------------------- */

static struct cgroup_device_rule
rule(bool allow, char type, int major, int minor, const char *access)
{
    struct cgroup_device_rule r = { .allow = allow, .type = type, .major = major,
                                    .minor = minor };

    snprintf(r.access, sizeof r.access, "%s", access);
    return r;
}

START_TEST(test_devices_reduce)
{
    /* Docker's shape: deny all, then an allow list */
    struct cgroup_device_rule rules[] = {
        rule(false, 'a', -1, -1, "rwm"), rule(true, 'c', 1, 3, "rwm"),
        rule(true, 'c', -1, -1, "m"),    rule(true, 'c', 1, 5, "r"),
        rule(true, 'c', 1, 5, "w"),      rule(false, 'c', 1, 5, "r"),
    };
    static struct cgroup_devices_list l;

    cgroup_devices_reduce(rules, ARRAY_SIZE(rules), &l);
    ck_assert(!l.default_allow);
    ck_assert_uint_eq(l.n, 3);
    ck_assert(cgroup_devices_allows(&l, 'c', 1, 3, "rw"));
    ck_assert(cgroup_devices_allows(&l, 'c', 1, 3, "m"));
    ck_assert(!cgroup_devices_allows(&l, 'b', 8, 0, "r"));
    ck_assert(cgroup_devices_allows(&l, 'c', 4, 1, "m"));    /* mknod of any char device */
    ck_assert(!cgroup_devices_allows(&l, 'c', 4, 1, "r"));
    ck_assert(cgroup_devices_allows(&l, 'c', 1, 5, "w"));    /* r then w merged, r taken back */
    ck_assert(!cgroup_devices_allows(&l, 'c', 1, 5, "r"));
    /* allow all, then deny one */
    rules[0] = rule(true, 'a', -1, -1, "rwm");
    rules[1] = rule(false, 'b', 8, -1, "w");
    cgroup_devices_reduce(rules, 2, &l);
    ck_assert(l.default_allow);
    ck_assert(cgroup_devices_allows(&l, 'b', 8, 0, "r"));
    ck_assert(!cgroup_devices_allows(&l, 'b', 8, 1, "rw"));
    ck_assert(cgroup_devices_allows(&l, 'c', 8, 1, "w"));
    /* no rules: everything */
    cgroup_devices_reduce(rules, 0, &l);
    ck_assert(l.default_allow && l.n == 0);
}
END_TEST

START_TEST(test_devices_program)
{
    struct cgroup_device_rule rules[] = { rule(false, 'a', -1, -1, "rwm"),
                                          rule(true, 'c', 1, 3, "rwm"),
                                          rule(true, 'c', 1, 5, "r") };
    static struct cgroup_devices_list l;
    static struct bpf_insn insns[CGROUP_DEVICES_INSNS_MAX];
    size_t n, i;

    cgroup_devices_reduce(rules, ARRAY_SIZE(rules), &l);
    n = cgroup_devices_program(&l, insns);
    /* 6 loads, the null block (type, major, minor, verdict: 5), the zero block (type,
     * access: 3, major, minor, verdict: 8), the default (2) */
    ck_assert_uint_eq(n, 6 + 5 + 8 + 2);
    ck_assert_uint_eq(insns[n - 1].code, BPF_JMP | BPF_EXIT);
    ck_assert_int_eq(insns[n - 2].imm, 0);   /* the default: deny */
    /* every jump lands inside the program, at the start of the next block */
    for (i = 0; i < n; i++)
        if ((insns[i].code & 0x07) == BPF_JMP && (insns[i].code & 0xf0) != BPF_EXIT)
            ck_assert_uint_lt(i + 1 + (size_t)insns[i].off, n);
    ck_assert_int_eq(insns[6 + 3].imm, 1);   /* the null block's verdict: allow */
}
END_TEST

/* The program for real: a cgroup of the host's cgroup2 hierarchy (the host's own on v2,
 * "unified" in hybrid mode), a child moved into it that opens /dev/null and /dev/zero. */
START_TEST(test_devices_bpf)
{
    struct cgroup_resources *r = xcalloc(1, sizeof *r);
    struct cgroup_host h;
    struct statfs sfs;
    const char *root = NULL;
    char path[64];
    dctl_error_t err = NULL;
    int st = 0;
    pid_t pid;

    if (getuid() != 0)
        return;
    if (statfs(CGROUP_ROOT, &sfs) == 0 && (unsigned long)sfs.f_type == 0x63677270)
        root = CGROUP_ROOT;
    else if (statfs(CGROUP_ROOT "/unified", &sfs) == 0 &&
             (unsigned long)sfs.f_type == 0x63677270)
        root = CGROUP_ROOT "/unified";
    if (root == NULL)
        return;   /* no cgroup2 hierarchy here */
    memset(&h, 0, sizeof h);
    h.version = 2;
    snprintf(h.root, sizeof h.root, "%s", root);
    h.nhier = 1;
    h.hier[0].v2 = true;
    snprintf(path, sizeof path, "/dctl-test-cgroup-%d", (int)getpid());
    ck_assert_int_eq(cgroup_create(&h, path, &err), 0);
    cgroup_resources_init(r);
    r->has_devices = true;
    r->devices[0] = rule(false, 'a', -1, -1, "rwm");
    r->devices[1] = rule(true, 'c', 1, 3, "rw");
    r->ndevices = 2;
    if (cgroup_apply(&h, path, r, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        cgroup_remove(&h, path, NULL);
        ck_abort_msg("attach the device program: %s", text);
    }
    pid = fork();
    if (pid < 0)
        cgroup_remove(&h, path, NULL);
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int a, b;

        if (cgroup_enter(&h, path, 0, NULL) < 0)
            _exit(10);
        a = open("/dev/null", O_RDONLY);
        b = open("/dev/zero", O_RDONLY);
        _exit(a >= 0 && b < 0 && errno == EPERM ? 0 : a < 0 ? 11 : 12);
    }
    waitpid(pid, &st, 0);
    ck_assert_int_eq(cgroup_remove(&h, path, &err), 0);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child said %d",
                  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    free(r);
}
END_TEST

static Suite *
cgroup_suite(void)
{
    Suite *s = suite_create("cgroup");
    TCase *tc = tcase_create("cgroup");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_host_v1);
    tcase_add_test(tc, test_host_v2);
    tcase_add_test(tc, test_host_real);
    tcase_add_loop_test(tc, test_path_clean, 0, ARRAY_SIZE(paths));
    tcase_add_test(tc, test_resources_parse);
    tcase_add_loop_test(tc, test_resources_bad, 0, ARRAY_SIZE(bad_resources));
    tcase_add_test(tc, test_apply_v1);
    tcase_add_test(tc, test_apply_v2);
    tcase_add_test(tc, test_enter_freeze_oom);
    tcase_add_test(tc, test_freeze_oom_v2);
    tcase_add_test(tc, test_create_remove);
    tcase_add_test(tc, test_stats_v1);
    tcase_add_test(tc, test_stats_v2);
    tcase_add_test(tc, test_conversions);
    tcase_add_test(tc, test_devices_reduce);
    tcase_add_test(tc, test_devices_program);
    tcase_add_test(tc, test_devices_bpf);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(cgroup_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
