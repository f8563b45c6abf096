/* tests/helpers/exec-harness.c - drives an exec driver (native.so) without dctld's
 * container manager, one op per invocation, so that tests run real containers and
 * can kill the harness between ops (as a dctld SIGKILL would be):
 *
 *   exec-harness [-d DRIVER.so] [-r RUN_DIR] [-o KEY=VALUE]... COMMAND ARGS
 *     create ID SPEC.json     run ID SPEC.json (create, start, wait)
 *     start ID                wait ID (restore, then watch until the exit)
 *     restore ID              kill ID SIGNO          remove ID
 *     attach ID REQUEST       (stdin to the socket, the socket to stdout)
 *     resize ID ROWS COLS     status                 unsupported ID (each cgroup op)
 *     pause ID    resume ID    stats ID (its JSON)    update ID RESOURCES.json
 *     bench N SPEC.json       (create+start+exit+remove N times; the median in ms)
 *     exec ID EXEC PROCESS.json STREAMS  (exec_start, its streams as attach's, then
 *                             exec_watch; STREAMS "-" for none)
 *     execwait ID EXEC        execresize ID EXEC ROWS COLS    execkill ID EXEC SIGNO
 *     execbench N ID PROCESS.json  (exec_start + exec_watch N times; the median in ms)
 *
 * Prints "pid N" after a start, "exit CODE" (and "error: MSG") when the command
 * ended ("code N" too when an exec could not start), "running PID" or "exited CODE" for restore. Errors: "error KIND: MSG" on
 * stderr and exit status 1; KIND is the dctl_error_kind number. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <dctl/driver.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static const struct dctl_exec_ops *ops;
static void *priv;
static struct event_base *base;
static bool exited;

static void
harness_log(void *host_priv, enum dctl_log_level level, const char *fmt, va_list ap)
{
    if (level > DCTL_LOG_INFO && getenv("HARNESS_DEBUG") == NULL)
        return;
    fprintf(stderr, "harness: driver log %d: ", (int)level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static int
harness_submit(void *host_priv, dctl_job_run_cb run, dctl_job_done_cb done, void *job,
               dctl_error_t *err)
{
    dctl_error_t jerr = NULL;
    int status = run(job, &jerr);

    done(job, status, jerr);
    return 0;
}

static int
harness_fail(const char *what, dctl_error_t err)
{
    fprintf(stderr, "error %d: %s%s%s\n", err ? (int)err->kind : 0, what ? what : "",
            what ? ": " : "", err && err->msg ? err->msg : "(no message)");
    dctl_error_free(err);
    return 1;
}

static void
harness_print_exit(const struct dctl_exit_status *st)
{
    printf("exit %d\n", st->exit_code);
    if (st->error)
        printf("error: %s\n", st->error);
    if (st->started_at > 0 && st->finished_at < st->started_at)
        printf("bad times: finished before started\n");
    fflush(stdout);
}

static void
harness_exit_cb(void *arg, const char *id, const struct dctl_exit_status *st)
{
    if (arg)
        harness_print_exit(st);
    exited = true;
    event_base_loopbreak(base);
}

/* watches id and runs the loop until its exit */
static int
harness_wait(const char *id, bool print)
{
    dctl_error_t err = NULL;

    exited = false;
    if (ops->watch(priv, id, harness_exit_cb, print ? (void *)1 : NULL, &err) < 0)
        return harness_fail("watch", err);
    while (!exited)
        if (event_base_dispatch(base) < 0)
            return 1;
    return 0;
}

static int
harness_create(const char *id, const char *spec_path)
{
    dctl_error_t err = NULL;
    cleanup_free char *spec = file_read_all(AT_FDCWD, spec_path, NULL, &err);

    if (spec == NULL || ops->create(priv, id, spec, &err) < 0)
        return harness_fail("create", err);
    return 0;
}

static int
harness_start(const char *id)
{
    dctl_error_t err = NULL;
    int pid = 0;

    if (ops->start(priv, id, &pid, &err) < 0)
        return harness_fail("start", err);
    printf("pid %d\n", pid);
    fflush(stdout);
    return 0;
}

/* stdin to fd, fd to stdout, until fd's EOF; closes fd */
static int
harness_bridge(int fd)
{
    bool in_open = true;
    char buf[16384];

    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
                               { .fd = in_open ? 0 : -1, .events = POLLIN } };
        ssize_t n;

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (p[1].revents) {
            n = read(0, buf, sizeof buf);
            if (n <= 0) {
                in_open = false;
                shutdown(fd, SHUT_WR);
            } else {
                ssize_t off = 0;

                while (off < n) {
                    ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

                    if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
                        struct pollfd o = { .fd = fd, .events = POLLOUT };

                        poll(&o, 1, -1);
                        continue;
                    }
                    if (w < 0)
                        return 1;
                    off += w;
                }
            }
        }
        if (p[0].revents) {
            n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EAGAIN)
                continue;
            if (n <= 0)
                break;
            if (write(1, buf, (size_t)n) != n)
                return 1;
        }
    }
    close(fd);
    return 0;
}

static int
harness_attach(const char *id, const char *request)
{
    dctl_error_t err = NULL;
    int fd = ops->attach(priv, id, request, &err);

    if (fd < 0)
        return harness_fail("attach", err);
    return harness_bridge(fd);
}

static int
harness_exec_wait(const char *id, const char *exec_id, bool print)
{
    dctl_error_t err = NULL;

    exited = false;
    if (ops->exec_watch(priv, id, exec_id, harness_exit_cb, print ? (void *)1 : NULL, &err) < 0)
        return harness_fail("exec_watch", err);
    while (!exited)
        if (event_base_dispatch(base) < 0)
            return 1;
    return 0;
}

static int
harness_exec(const char *id, const char *exec_id, const char *process_path, const char *streams)
{
    dctl_error_t err = NULL;
    cleanup_free char *process = file_read_all(AT_FDCWD, process_path, NULL, &err);
    int pid = 0, fd = -1, code = 0;

    if (process == NULL)
        return harness_fail("exec", err);
    if (ops->exec_start(priv, id, exec_id, process, strcmp(streams, "-") ? streams : NULL, &pid,
                        &fd, &code, &err) < 0) {
        printf("code %d\n", code);
        fflush(stdout);
        return harness_fail("exec_start", err);
    }
    printf("pid %d\n", pid);
    fflush(stdout);
    if (fd >= 0 && harness_bridge(fd) != 0)
        return 1;
    return harness_exec_wait(id, exec_id, true);
}

static int
harness_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int
harness_bench(int runs, const char *spec_path)
{
    double *ms = xcalloc((size_t)runs, sizeof *ms);
    int i;

    for (i = 0; i < runs; i++) {
        char id[32];
        long long t0 = util_now_ns();
        dctl_error_t err = NULL;
        int pid;

        snprintf(id, sizeof id, "bench%d", i);
        if (harness_create(id, spec_path) != 0)
            return 1;
        if (ops->start(priv, id, &pid, &err) < 0)
            return harness_fail("start", err);
        if (harness_wait(id, false) != 0)
            return 1;
        ms[i] = (double)(util_now_ns() - t0) / 1e6;
        if (ops->remove(priv, id, &err) < 0)
            return harness_fail("remove", err);
    }
    qsort(ms, (size_t)runs, sizeof *ms, harness_cmp);
    printf("runs %d median_ms %.2f min_ms %.2f max_ms %.2f\n", runs, ms[runs / 2], ms[0],
           ms[runs - 1]);
    free(ms);
    return 0;
}

static int
harness_exec_bench(int runs, const char *id, const char *process_path)
{
    double *ms = xcalloc((size_t)runs, sizeof *ms);
    dctl_error_t err = NULL;
    cleanup_free char *process = file_read_all(AT_FDCWD, process_path, NULL, &err);
    int i;

    if (process == NULL)
        return harness_fail("exec", err);
    for (i = 0; i < runs; i++) {
        char exec_id[32];
        long long t0 = util_now_ns();
        int pid, fd, code;

        snprintf(exec_id, sizeof exec_id, "%x", i + 1);
        if (ops->exec_start(priv, id, exec_id, process, NULL, &pid, &fd, &code, &err) < 0)
            return harness_fail("exec_start", err);
        if (harness_exec_wait(id, exec_id, false) != 0)
            return 1;
        ms[i] = (double)(util_now_ns() - t0) / 1e6;
    }
    qsort(ms, (size_t)runs, sizeof *ms, harness_cmp);
    printf("runs %d median_ms %.2f min_ms %.2f max_ms %.2f\n", runs, ms[runs / 2], ms[0],
           ms[runs - 1]);
    free(ms);
    return 0;
}

static void
harness_usage(void)
{
    fprintf(stderr, "usage: exec-harness [-d DRIVER.so] [-r RUN_DIR] [-o KEY=VALUE]... "
                    "COMMAND ARGS\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    const char *so = NULL, *run_dir = NULL, *cmd, *id;
    struct dctl_option opts[8] = { { NULL, NULL } };
    size_t nopts = 0;
    const struct dctl_driver *drv;
    struct dctl_host host = { 0 };
    dctl_error_t err = NULL;
    void *dl;
    int c, rc = 0;

    while ((c = getopt(argc, argv, "+d:r:o:")) != -1) {
        char *eq;

        switch (c) {
        case 'd':
            so = optarg;
            break;
        case 'r':
            run_dir = optarg;
            break;
        case 'o':
            if (nopts + 1 >= ARRAY_SIZE(opts) || (eq = strchr(optarg, '=')) == NULL)
                harness_usage();
            *eq = '\0';
            opts[nopts].key = optarg;
            opts[nopts++].value = eq + 1;
            break;
        default:
            harness_usage();
        }
    }
    if (so == NULL)
        so = getenv("NATIVE_SO");
    if (run_dir == NULL)
        run_dir = getenv("RUN_DIR");
    if (so == NULL || run_dir == NULL || optind >= argc)
        harness_usage();
    cmd = argv[optind];
    id = optind + 1 < argc ? argv[optind + 1] : NULL;

    dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        fprintf(stderr, "error: dlopen %s: %s\n", so, dlerror());
        return 1;
    }
    drv = dlsym(dl, DCTL_DRIVER_SYMBOL);
    if (drv == NULL || drv->abi_major != DCTL_DRIVER_ABI_MAJOR || drv->kind != DCTL_DRIVER_EXEC) {
        fprintf(stderr, "error: %s is not an exec driver of ABI %d\n", so, DCTL_DRIVER_ABI_MAJOR);
        return 1;
    }
    ops = drv->ops;
    base = event_base_new();
    if (file_mkdir_p(run_dir, 0700, &err) < 0)
        return harness_fail("run dir", err);
    host.size = sizeof host;
    host.abi_major = DCTL_DRIVER_ABI_MAJOR;
    host.abi_minor = DCTL_DRIVER_ABI_MINOR;
    host.log = harness_log;
    host.error_set = dctl_error_vset;
    host.event_base = base;
    host.submit = harness_submit;
    host.state_dir = run_dir;
    host.run_dir = run_dir;
    if (ops->init(&host, nopts ? opts : NULL, &priv, &err) < 0)
        return harness_fail("init", err);

    if (strcmp(cmd, "status") == 0) {
        const struct dctl_option *st = ops->status(priv);

        for (; st && st->key; st++)
            printf("%s: %s\n", st->key, st->value);
    } else if (id == NULL) {
        harness_usage();
    } else if (strcmp(cmd, "create") == 0 && optind + 2 < argc) {
        rc = harness_create(id, argv[optind + 2]);
    } else if (strcmp(cmd, "start") == 0) {
        rc = harness_start(id);
    } else if (strcmp(cmd, "run") == 0 && optind + 2 < argc) {
        rc = harness_create(id, argv[optind + 2]);
        if (rc == 0)
            rc = harness_start(id);
        if (rc == 0)
            rc = harness_wait(id, true);
    } else if (strcmp(cmd, "wait") == 0) {
        struct dctl_exit_status st;
        int pid;

        if (ops->restore(priv, id, &pid, &st, &err) < 0)
            return harness_fail("restore", err);
        if (pid > 0)
            rc = harness_wait(id, true);
        else
            harness_print_exit(&st);
    } else if (strcmp(cmd, "restore") == 0) {
        struct dctl_exit_status st;
        int pid;

        if (ops->restore(priv, id, &pid, &st, &err) < 0)
            return harness_fail("restore", err);
        if (pid > 0)
            printf("running %d\n", pid);
        else
            printf("exited %d%s%s\n", st.exit_code, st.error ? " " : "",
                   st.error ? st.error : "");
    } else if (strcmp(cmd, "kill") == 0 && optind + 2 < argc) {
        if (ops->kill(priv, id, atoi(argv[optind + 2]), &err) < 0)
            return harness_fail("kill", err);
    } else if (strcmp(cmd, "attach") == 0 && optind + 2 < argc) {
        rc = harness_attach(id, argv[optind + 2]);
    } else if (strcmp(cmd, "resize") == 0 && optind + 3 < argc) {
        if (ops->resize(priv, id, (unsigned int)atoi(argv[optind + 2]),
                        (unsigned int)atoi(argv[optind + 3]), &err) < 0)
            return harness_fail("resize", err);
    } else if (strcmp(cmd, "remove") == 0) {
        if (ops->remove(priv, id, &err) < 0)
            return harness_fail("remove", err);
    } else if (strcmp(cmd, "unsupported") == 0) {
        char *json = NULL;

        /* each of the cgroup ops, whatever it answers */
        if (ops->pause(priv, id, &err) < 0)
            harness_fail("pause", steal_ptr(&err));
        if (ops->resume(priv, id, &err) < 0)
            harness_fail("resume", steal_ptr(&err));
        if (ops->stats(priv, id, &json, &err) < 0)
            harness_fail("stats", steal_ptr(&err));
        free(json);
        if (ops->update(priv, id, "{}", &err) < 0)
            harness_fail("update", steal_ptr(&err));
    } else if (strcmp(cmd, "pause") == 0) {
        if (ops->pause(priv, id, &err) < 0)
            return harness_fail("pause", err);
    } else if (strcmp(cmd, "resume") == 0) {
        if (ops->resume(priv, id, &err) < 0)
            return harness_fail("resume", err);
    } else if (strcmp(cmd, "stats") == 0) {
        char *json = NULL;

        if (ops->stats(priv, id, &json, &err) < 0)
            return harness_fail("stats", err);
        printf("%s\n", json);
        free(json);
    } else if (strcmp(cmd, "update") == 0 && optind + 2 < argc) {
        cleanup_free char *text = file_read_all(AT_FDCWD, argv[optind + 2], NULL, &err);

        if (text == NULL || ops->update(priv, id, text, &err) < 0)
            return harness_fail("update", err);
    } else if (strcmp(cmd, "exec") == 0 && optind + 4 < argc) {
        rc = harness_exec(id, argv[optind + 2], argv[optind + 3], argv[optind + 4]);
    } else if (strcmp(cmd, "execwait") == 0 && optind + 2 < argc) {
        rc = harness_exec_wait(id, argv[optind + 2], true);
    } else if (strcmp(cmd, "execresize") == 0 && optind + 4 < argc) {
        if (ops->exec_resize(priv, id, argv[optind + 2], (unsigned int)atoi(argv[optind + 3]),
                             (unsigned int)atoi(argv[optind + 4]), &err) < 0)
            return harness_fail("execresize", err);
    } else if (strcmp(cmd, "execkill") == 0 && optind + 3 < argc) {
        if (ops->exec_kill(priv, id, argv[optind + 2], atoi(argv[optind + 3]), &err) < 0)
            return harness_fail("execkill", err);
    } else if (strcmp(cmd, "execbench") == 0 && optind + 3 < argc) {
        rc = harness_exec_bench(atoi(id), argv[optind + 2], argv[optind + 3]);
    } else if (strcmp(cmd, "bench") == 0 && optind + 2 < argc) {
        rc = harness_bench(atoi(id), argv[optind + 2]);
    } else {
        harness_usage();
    }
    ops->fini(priv);
    event_base_free(base);
    return rc;
}
