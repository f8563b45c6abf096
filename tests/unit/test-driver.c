/* tests/unit/test-driver.c - the driver registry (loading, refusals, init,
 * the host API) against the fake drivers of tests/unit/fake-driver.c, and the
 * none and host network drivers as dctld loads them. */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/driver.h"
#include "daemon/worker.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define FAKE_DIR TEST_DRIVER_BUILD_DIR
#define NETWORK_DIR TEST_NETWORK_DRIVER_DIR

/* ---- fixture: a temp dir with data/, exec/ and drivers/, and a log capture - */

static char tmp[64];
static char data_root[128], exec_root[128], driver_dir[128];
static char *logbuf;

static void
capture_log_cb(enum dctl_log_level level, const char *msg, void *arg)
{
    char *n;

    (void)arg;
    n = xasprintf("%s%s: %s\n", logbuf ? logbuf : "", log_level_name(level), msg);
    free(logbuf);
    logbuf = n;
}

static bool
log_has(const char *needle)
{
    return logbuf && strstr(logbuf, needle);
}

static void
setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/dctl-test-driver.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(data_root, sizeof data_root, "%s/data", tmp);
    snprintf(exec_root, sizeof exec_root, "%s/exec", tmp);
    snprintf(driver_dir, sizeof driver_dir, "%s/drivers", tmp);
    ck_assert_int_eq(mkdir(driver_dir, 0755), 0);
    free(logbuf);
    logbuf = NULL;
    log_set_level(DCTL_LOG_DEBUG);
    log_set_handler(capture_log_cb, NULL);
}

static void
teardown(void)
{
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", tmp);

    log_set_handler(NULL, NULL);
    ck_assert_int_eq(system(cmd), 0);
}

/* Puts build_dir/so into the test's driver dir as name. */
static char *
add_driver(const char *build_dir, const char *so, const char *name)
{
    cleanup_free char *src = xasprintf("%s/%s", build_dir, so);
    char *dst = xasprintf("%s/%s", driver_dir, name);

    ck_assert_msg(access(src, R_OK) == 0, "%s not built", src);
    ck_assert_int_eq(symlink(src, dst), 0);
    return dst;
}

static struct driver_registry *
registry(void)
{
    return driver_registry_new(NULL, NULL, data_root, exec_root);
}

/* ---- loading ---------------------------------------------------------------- */

START_TEST(test_load_good)
{
    struct driver_registry *reg = registry();
    cleanup_free char *path = add_driver(FAKE_DIR, "good.so", "good.so");
    struct driver *drv;

    ck_assert_uint_eq(driver_registry_load_dir(reg, driver_dir), 1);
    drv = driver_registry_find(reg, DCTL_DRIVER_NETWORK, "fake");
    ck_assert_ptr_nonnull(drv);
    ck_assert_str_eq(drv->path, path);
    ck_assert_int_eq(drv->state, DRIVER_LOADED);
    ck_assert_str_eq(drv->desc->version, "0.0-test");
    ck_assert_ptr_null(driver_registry_find(reg, DCTL_DRIVER_STORAGE, "fake"));
    ck_assert_ptr_null(driver_status(drv)); /* not active: no status */
    ck_assert_msg(log_has("driver fake: loaded network driver"), "log: %s", logbuf);
    driver_registry_free(reg);
}
END_TEST

static const struct {
    const char *so;
    enum dctl_error_kind kind;
    const char *msg; /* after "driver PATH: " */
} refused[] = {
    { "abi2.so", DCTL_ERR_INVALID, "ABI 2.0, dctld speaks 1.x; skipped" },
    { "nosym.so", DCTL_ERR_INVALID, "no \"dctl_driver\" symbol; skipped" },
    { "badkind.so", DCTL_ERR_INVALID, "unknown kind 7; skipped" },
};

START_TEST(test_load_refused)
{
    struct driver_registry *reg = registry();
    cleanup_free char *path = add_driver(FAKE_DIR, refused[_i].so, refused[_i].so);
    cleanup_free char *want = xasprintf("driver %s: %s", path, refused[_i].msg);
    dctl_error_t err = NULL;

    ck_assert_ptr_null(driver_registry_load_file(reg, path, &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, refused[_i].kind);
    ck_assert_str_eq(err->msg, want);
    ck_assert_uint_eq(reg->n, 0);
    dctl_error_free(err);
    /* through the directory: logged as a warning, dctld goes on */
    ck_assert_uint_eq(driver_registry_load_dir(reg, driver_dir), 0);
    ck_assert_msg(log_has(want), "log lacks \"%s\": %s", want, logbuf);
    ck_assert_uint_eq(reg->n, 0);
    driver_registry_free(reg);
}
END_TEST

START_TEST(test_load_dir_mixed)
{
    struct driver_registry *reg = registry();
    cleanup_free char *good = add_driver(FAKE_DIR, "good.so", "a-good.so");
    cleanup_free char *abi2 = add_driver(FAKE_DIR, "abi2.so", "b-abi2.so");
    cleanup_free char *nosym = add_driver(FAKE_DIR, "nosym.so", "c-nosym.so");
    cleanup_free char *dup = add_driver(FAKE_DIR, "good.so", "d-again.so");
    cleanup_free char *junk = xasprintf("%s/e-junk.so", driver_dir);
    cleanup_free char *other = xasprintf("%s/readme.txt", driver_dir);
    FILE *fp;

    fp = fopen(junk, "w");
    fputs("not an ELF file\n", fp);
    fclose(fp);
    fp = fopen(other, "w");
    fputs("ignored: not a .so\n", fp);
    fclose(fp);
    ck_assert_uint_eq(driver_registry_load_dir(reg, driver_dir), 1);
    ck_assert_uint_eq(reg->n, 1);
    ck_assert_str_eq(reg->v[0]->path, good);
    ck_assert_msg(log_has("ABI 2.0, dctld speaks 1.x"), "log: %s", logbuf);
    ck_assert_msg(log_has("no \"dctl_driver\" symbol"), "log: %s", logbuf);
    ck_assert_msg(log_has("a network driver named \"fake\" is already loaded from"), "log: %s",
                  logbuf);
    ck_assert_msg(log_has("e-junk.so: cannot load:"), "log: %s", logbuf);
    ck_assert_msg(!log_has("readme.txt"), "log: %s", logbuf);
    driver_registry_free(reg);
}
END_TEST

START_TEST(test_load_dir_missing)
{
    struct driver_registry *reg = registry();
    cleanup_free char *missing = xasprintf("%s/no-such-dir", tmp);

    ck_assert_uint_eq(driver_registry_load_dir(reg, missing), 0);
    ck_assert_msg(log_has(missing), "log: %s", logbuf);
    ck_assert_msg(log_has("warning: dctld: driver directory"), "log: %s", logbuf);
    driver_registry_free(reg);
}
END_TEST

/* ---- init, status, fini ----------------------------------------------------- */

START_TEST(test_init_good)
{
    struct driver_registry *reg = registry();
    cleanup_free char *path = add_driver(FAKE_DIR, "good.so", "good.so");
    cleanup_free char *state = NULL, *hello = NULL;
    cleanup_free char *state_file = xasprintf("%s/network/fake/state", data_root);
    cleanup_free char *run_dir = xasprintf("%s/drivers/network/fake", exec_root);
    const struct dctl_option opts[] = { { "size", "10G" }, { NULL, NULL } };
    const struct dctl_option *lines;
    struct driver *drv;
    dctl_error_t err = NULL;
    struct stat st;
    char buf[128] = "";
    FILE *fp;

    driver_registry_load_dir(reg, driver_dir);
    drv = driver_registry_find(reg, DCTL_DRIVER_NETWORK, "fake");
    ck_assert_ptr_nonnull(drv);
    ck_assert_int_eq(driver_init(drv, opts, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(drv->state, DRIVER_ACTIVE);
    ck_assert_str_eq(drv->host.state_dir, drv->state_dir);
    /* the host API: state dir made for it, log prefixed with its name */
    fp = fopen(state_file, "r");
    ck_assert_ptr_nonnull(fp);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
    fclose(fp);
    ck_assert_str_eq(buf, "options: size=10G\n");
    ck_assert_int_eq(stat(run_dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    hello = xasprintf("info: driver fake: hello from %s", run_dir);
    ck_assert_msg(log_has(hello), "log: %s", logbuf);
    lines = driver_status(drv);
    ck_assert_ptr_nonnull(lines);
    ck_assert_str_eq(lines[0].key, "Widgets");
    ck_assert_str_eq(lines[0].value, "3");
    ck_assert_ptr_null(lines[1].key);
    /* a second init does nothing */
    ck_assert_int_eq(driver_init(drv, NULL, &err), 0);
    driver_registry_free(reg);
    ck_assert_msg(log_has("info: driver fake: bye"), "fini not called: %s", logbuf);
}
END_TEST

START_TEST(test_init_failing)
{
    struct driver_registry *reg = registry();
    cleanup_free char *path = add_driver(FAKE_DIR, "failing.so", "failing.so");
    struct driver *drv;
    dctl_error_t err = NULL;

    driver_registry_load_dir(reg, driver_dir);
    drv = driver_registry_find(reg, DCTL_DRIVER_NETWORK, "failing");
    ck_assert_ptr_nonnull(drv);
    ck_assert_int_eq(driver_init(drv, NULL, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_UNAVAILABLE);
    ck_assert_str_eq(err->msg, "network driver failing: failing cannot work here: no widget");
    ck_assert_int_eq(drv->state, DRIVER_FAILED);
    ck_assert_str_eq(drv->error, "failing cannot work here: no widget");
    ck_assert_str_eq(driver_state_name(drv->state), "error");
    ck_assert_ptr_null(driver_status(drv));
    dctl_error_free(err);
    driver_registry_free(reg);
}
END_TEST

START_TEST(test_registry_start)
{
    struct driver_registry *reg = registry();
    cleanup_free char *a = add_driver(FAKE_DIR, "good.so", "good.so");
    cleanup_free char *b = add_driver(FAKE_DIR, "failing.so", "failing.so");
    dctl_error_t err = NULL;

    driver_registry_load_dir(reg, driver_dir);
    /* no storage driver selected: the network drivers start, failures are kept */
    ck_assert_int_eq(driver_registry_start(reg, NULL, NULL, 0, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_ptr_null(reg->storage);
    ck_assert_int_eq(driver_registry_find(reg, DCTL_DRIVER_NETWORK, "fake")->state,
                     DRIVER_ACTIVE);
    ck_assert_int_eq(driver_registry_find(reg, DCTL_DRIVER_NETWORK, "failing")->state,
                     DRIVER_FAILED);
    /* a storage driver that is not loaded stops start-up */
    ck_assert_int_eq(driver_registry_start(reg, "overlay", NULL, 0, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, "driver not supported: overlay"), "%s", err->msg);
    ck_assert_ptr_null(reg->storage);
    dctl_error_free(err);
    driver_registry_free(reg);
}
END_TEST

/* ---- host->submit runs a job on the pool and its done on the loop ------------ */

struct submit_job {
    struct event_base *base;
    pthread_t run_thread;
    int done_status;
    bool done;
};

static int
submit_run(void *job, dctl_error_t *err)
{
    struct submit_job *j = job;

    (void)err;
    j->run_thread = pthread_self();
    return 42;
}

static void
submit_done_cb(void *job, int status, dctl_error_t err)
{
    struct submit_job *j = job;

    dctl_error_free(err);
    j->done_status = status;
    j->done = true;
    event_base_loopexit(j->base, NULL);
}

START_TEST(test_host_submit)
{
    struct event_base *base = event_base_new();
    struct worker_pool *pool = worker_pool_new(base, 1, NULL);
    struct driver_registry *reg = driver_registry_new(base, pool, data_root, exec_root);
    cleanup_free char *path = add_driver(FAKE_DIR, "good.so", "good.so");
    struct submit_job job = { .base = base };
    struct timeval limit = { 30, 0 };
    struct driver *drv;
    dctl_error_t err = NULL;

    ck_assert_ptr_nonnull(pool);
    driver_registry_load_dir(reg, driver_dir);
    drv = reg->v[0];
    ck_assert_ptr_eq(drv->host.event_base, base);
    ck_assert_int_eq(drv->host.submit(drv->host.host_priv, submit_run, submit_done_cb, &job,
                                      &err), 0);
    event_base_loopexit(base, &limit);
    event_base_dispatch(base);
    ck_assert(job.done);
    ck_assert_int_eq(job.done_status, 42);
    ck_assert(!pthread_equal(job.run_thread, pthread_self()));
    /* once the pool is gone, submit says so instead of crashing */
    worker_pool_free(pool);
    reg->workers = NULL;
    ck_assert_int_eq(drv->host.submit(drv->host.host_priv, submit_run, submit_done_cb, &job,
                                      &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_UNAVAILABLE);
    dctl_error_free(err);
    driver_registry_free(reg);
    event_base_free(base);
}
END_TEST

/* ---- the none and host network drivers ------------------------------------------ */

static struct driver *
network_driver(struct driver_registry *reg, const char *name)
{
    cleanup_free char *so = xasprintf("%s.so", name);
    cleanup_free char *path = add_driver(NETWORK_DIR, so, so);
    struct driver *drv;
    dctl_error_t err = NULL;

    drv = driver_registry_load_file(reg, path, &err);
    ck_assert_msg(drv != NULL, "%s", err ? err->msg : "");
    ck_assert_int_eq(drv->desc->kind, DCTL_DRIVER_NETWORK);
    ck_assert_str_eq(drv->desc->name, name);
    ck_assert_int_eq(driver_init(drv, NULL, &err), 0);
    return drv;
}

/* A child in a network namespace of its own; its /proc/PID/ns/net, or skip. */
static pid_t
netns_child(char *path, size_t len)
{
    int p[2];
    pid_t pid;
    char c = 0;

    ck_assert_int_eq(pipe(p), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
        if (write(p[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(p[1]);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    close(p[0]);
    if (c != 'y') {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    snprintf(path, len, "/proc/%d/ns/net", (int)pid);
    return pid;
}

static void
netns_child_end(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

START_TEST(test_network_host)
{
    struct driver_registry *reg = registry();
    struct driver *drv = network_driver(reg, "host");
    const struct dctl_network_ops *ops = driver_ops(drv);
    const struct dctl_option *lines;
    char other[64];
    char *result = NULL;
    dctl_error_t err = NULL;
    pid_t child;

    ck_assert(DRIVER_HAS_OP(ops, struct dctl_network_ops, join));
    ck_assert(!DRIVER_HAS_OP(ops, struct dctl_network_ops, publish));
    ck_assert_int_eq(ops->create_network(drv->priv, "h1", NULL, &err), 0);
    ck_assert_int_eq(ops->create_network(drv->priv, "h2", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_FORBIDDEN);
    ck_assert_str_eq(err->msg, "only one instance of \"host\" network is allowed");
    dctl_error_clear(&err);
    /* the host's namespace: accepted */
    ck_assert_int_eq(ops->join(drv->priv, "h1", "e1", "/proc/self/ns/net", &result, &err), 0);
    ck_assert_str_eq(result, "{}");
    free(result);
    result = NULL;
    ck_assert_int_eq(ops->join(drv->priv, "h1", "e1", "/proc/self/ns/net", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_CONFLICT);
    dctl_error_clear(&err);
    /* not a namespace, or another one: refused, nothing recorded */
    ck_assert_int_eq(ops->join(drv->priv, "h1", "e2", "/etc/hostname", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);
    child = netns_child(other, sizeof other);
    if (child > 0) {
        ck_assert_int_eq(ops->join(drv->priv, "h1", "e2", other, NULL, &err), -1);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_msg(strstr(err->msg, "is not the host's network namespace"), "%s", err->msg);
        dctl_error_clear(&err);
    }
    netns_child_end(child);
    ck_assert_int_eq(ops->join(drv->priv, "nope", "e3", "/proc/self/ns/net", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    lines = driver_status(drv);
    ck_assert_str_eq(lines[1].key, "Endpoints");
    ck_assert_str_eq(lines[1].value, "1");
    /* a network with endpoints stays; leave, then delete */
    ck_assert_int_eq(ops->delete_network(drv->priv, "h1", &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_FORBIDDEN);
    dctl_error_clear(&err);
    ck_assert_int_eq(ops->leave(drv->priv, "h1", "e2", &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    ck_assert_int_eq(ops->leave(drv->priv, "h1", "e1", &err), 0);
    ck_assert_int_eq(ops->delete_network(drv->priv, "h1", &err), 0);
    ck_assert_int_eq(ops->delete_network(drv->priv, "h1", &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    driver_registry_free(reg);
}
END_TEST

START_TEST(test_network_none)
{
    struct driver_registry *reg = registry();
    struct driver *drv = network_driver(reg, "none");
    const struct dctl_network_ops *ops = driver_ops(drv);
    char other[64];
    char *result = NULL;
    dctl_error_t err = NULL;
    pid_t child;

    ck_assert(!DRIVER_HAS_OP(ops, struct dctl_network_ops, publish));
    ck_assert_int_eq(ops->create_network(drv->priv, "n1", NULL, &err), 0);
    ck_assert_int_eq(ops->create_network(drv->priv, "n2", NULL, &err), -1);
    ck_assert_str_eq(err->msg, "only one instance of \"none\" network is allowed");
    dctl_error_clear(&err);
    /* the host's namespace would not be "none" */
    ck_assert_int_eq(ops->join(drv->priv, "n1", "e1", "/proc/self/ns/net", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, "is the host's network namespace"), "%s", err->msg);
    dctl_error_clear(&err);
    ck_assert_str_eq(driver_status(drv)[1].value, "0");
    child = netns_child(other, sizeof other);
    if (child > 0) {
        ck_assert_int_eq(ops->join(drv->priv, "n1", "e1", other, &result, &err), 0);
        ck_assert_str_eq(result, "{}");
        free(result);
        ck_assert_str_eq(driver_status(drv)[1].value, "1");
        ck_assert_int_eq(ops->leave(drv->priv, "n1", "e1", &err), 0);
    }
    netns_child_end(child);
    ck_assert_str_eq(driver_status(drv)[1].value, "0");
    ck_assert_int_eq(ops->delete_network(drv->priv, "n1", &err), 0);
    driver_registry_free(reg);
}
END_TEST

static Suite *
driver_suite(void)
{
    Suite *s = suite_create("driver");
    TCase *tc = tcase_create("registry");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_good);
    tcase_add_loop_test(tc, test_load_refused, 0, ARRAY_SIZE(refused));
    tcase_add_test(tc, test_load_dir_mixed);
    tcase_add_test(tc, test_load_dir_missing);
    tcase_add_test(tc, test_init_good);
    tcase_add_test(tc, test_init_failing);
    tcase_add_test(tc, test_registry_start);
    tcase_add_test(tc, test_host_submit);
    suite_add_tcase(s, tc);
    tc = tcase_create("network");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_network_host);
    tcase_add_test(tc, test_network_none);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(driver_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
