/* drivers/exec/native.c - the exec driver `native`: runs each container under its
 * own dctl-shim (daemon/shim/), which outlives dctld (docs/containers.md).
 *
 * State lives in RUN_DIR/ID/ (RUN_DIR: host->run_dir): config.json written here by
 * create(), the rest (shim.pid, init.pid, attach.sock, exit.json) by the shim. In
 * memory the driver keeps, per container it has started or found running, pidfds
 * of the shim and of the container's init: kill() signals through the init's
 * pidfd, so a recycled pid is never hit, and watch() waits for the shim's pidfd to
 * become readable on the loop, then reads exit.json. A container not in memory
 * (after a dctld restart) is found again from its files by restore() or any op.
 *
 * Owns: RUN_DIR and the table of containers. start() runs on worker threads,
 * everything else on the loop thread; a mutex guards the table. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <event2/event.h>

#include <dctl/driver.h>

#include "drivers/exec/native-cgroup.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#ifndef DCTL_SHIM_PATH
#define DCTL_SHIM_PATH "/usr/local/libexec/dctl/dctl-shim"
#endif

#define NATIVE_START_TIMEOUT_MS 60000 /* a shim that says nothing for this long is killed */
#define NATIVE_REMOVE_WAIT_MS 2000

extern char **environ;

/* An exec session's wait on the shim ("execwait ID"): its connection, made by
 * exec_start or exec_watch, and the watch. Owner: its container's list. */
struct native_exec {
    struct native_exec *next;
    struct native_ctr *ctr;
    char *exec_id;
    int fd;           /* the execwait connection, or -1 */
    struct event *ev; /* the watch */
    dctl_exit_cb cb;
    void *arg;
    char line[64];
    size_t len;
};

/* A container the driver knows. Owner: struct native's table, until remove/fini. */
struct native_ctr {
    struct native_ctr *next;
    char *id;
    char *dir;        /* RUN_DIR/ID */
    pid_t shim_pid;   /* 0 when no shim runs */
    pid_t init_pid;
    int shim_pidfd;   /* -1 when no shim runs */
    int init_pidfd;
    bool starting;    /* a start() is under way on a worker */
    struct event *ev; /* the watch */
    dctl_exit_cb cb;
    void *arg;
    struct native_exec *execs;
    char *cgroup_path; /* linux.cgroupsPath of its spec, once read (NULL: none) */
    bool cgroup_read;
};

/* One driver instance; owned by dctld between init() and fini(). */
struct native {
    const struct dctl_host *host;
    char *run_dir;
    char *shim;
    pthread_mutex_t lock; /* guards ctrs and the members of each */
    struct native_ctr *ctrs;
    char *restore_error; /* lent by restore() until the next call */
    char running_text[24];
    struct dctl_option status_lines[4];
    struct cgroup_host cg; /* the host's cgroup layout (cg.nhier 0: none usable) */
};

static int
native_error(const struct native *n, dctl_error_t *err, enum dctl_error_kind kind, int errnum,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
native_error(const struct native *n, dctl_error_t *err, enum dctl_error_kind kind, int errnum,
             const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    n->host->error_set(err, kind, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

static void
native_log(const struct native *n, enum dctl_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
native_log(const struct native *n, enum dctl_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    n->host->log(n->host->host_priv, level, fmt, ap);
    va_end(ap);
}

static bool
native_id_is_valid(const char *id)
{
    return id && *id && strchr(id, '/') == NULL && strcmp(id, ".") != 0 &&
           strcmp(id, "..") != 0 && strlen(id) < 128;
}

/* ---- the table -------------------------------------------------------------- */

static void
native_ctr_close(struct native_ctr *c)
{
    if (c->shim_pidfd >= 0)
        close(c->shim_pidfd);
    if (c->init_pidfd >= 0)
        close(c->init_pidfd);
    c->shim_pidfd = c->init_pidfd = -1;
    c->shim_pid = c->init_pid = 0;
}

static void
native_exec_free(struct native_exec *x)
{
    if (x->ev)
        event_free(x->ev);
    if (x->fd >= 0)
        close(x->fd);
    free(x->exec_id);
    free(x);
}

static void
native_ctr_free(struct native_ctr *c)
{
    struct native_exec *x;

    if (c == NULL)
        return;
    while ((x = c->execs) != NULL) {
        c->execs = x->next;
        native_exec_free(x);
    }
    if (c->ev)
        event_free(c->ev);
    native_ctr_close(c);
    free(c->cgroup_path);
    free(c->id);
    free(c->dir);
    free(c);
}

static bool
native_pidfd_is_alive(int pidfd)
{
    struct pollfd p = { .fd = pidfd, .events = POLLIN };

    return pidfd >= 0 && poll(&p, 1, 0) == 0;
}

/* Reads a pid file of the container's dir; 0 if there is none. */
static pid_t
native_read_pid(const struct native_ctr *c, const char *name)
{
    cleanup_free char *path = xasprintf("%s/%s", c->dir, name);
    cleanup_free char *text = file_read_all(AT_FDCWD, path, NULL, NULL);
    long long v;

    if (text == NULL)
        return 0;
    text[strcspn(text, "\n")] = '\0';
    if (util_parse_int64(text, &v) < 0 || v <= 0 || v > 0x7fffffff)
        return 0;
    return (pid_t)v;
}

/* Is pid the shim of c: "dctl-shim ID DIR" as its command line? */
static bool
native_is_shim(const struct native_ctr *c, pid_t pid)
{
    char path[64];
    char buf[1024];
    const char *id, *dir;
    ssize_t len;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0)
        return false;
    buf[len] = '\0';
    id = buf + strlen(buf) + 1;
    if (id >= buf + len)
        return false;
    dir = id + strlen(id) + 1;
    return dir < buf + len && strcmp(id, c->id) == 0 && strcmp(dir, c->dir) == 0;
}

static pid_t
native_parent_of(pid_t pid)
{
    char path[64], line[256];
    FILE *f;
    int ppid = 0;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "PPid: %d", &ppid) == 1)
            break;
    fclose(f);
    return (pid_t)ppid;
}

/* Finds c's live shim from its files and holds a pidfd on it, and one on its init
 * while that runs. A shim whose init has ended is still c's shim: it is recording
 * the status, and its exit is what watch() waits for. */
static void
native_ctr_adopt(struct native_ctr *c)
{
    pid_t shim = native_read_pid(c, "shim.pid"), init = native_read_pid(c, "init.pid");
    int sfd, ifd;

    if (shim == 0 || !native_is_shim(c, shim))
        return;
    sfd = pidfd_open(shim, 0);
    /* checked again now that the pidfd pins the process: the pid may have been reused */
    if (sfd < 0 || !native_is_shim(c, shim)) {
        if (sfd >= 0)
            close(sfd);
        return;
    }
    c->shim_pid = shim;
    c->shim_pidfd = sfd;
    if (init == 0)
        return;
    ifd = pidfd_open(init, 0);
    /* the init is the shim's child; a pid that is not is someone else's by now */
    if (ifd >= 0 && (native_parent_of(init) != shim || !native_pidfd_is_alive(ifd))) {
        close(ifd);
        ifd = -1;
    }
    if (ifd >= 0) {
        c->init_pid = init;
        c->init_pidfd = ifd;
    }
}

/* c for id: from the table, else from RUN_DIR/ID when it exists (then adopted).
 * Call with the lock held. */
static struct native_ctr *
native_ctr_find(struct native *n, const char *id, bool load)
{
    struct native_ctr *c;
    struct stat st;
    char *dir;

    for (c = n->ctrs; c; c = c->next)
        if (strcmp(c->id, id) == 0)
            return c;
    if (!load)
        return NULL;
    dir = xasprintf("%s/%s", n->run_dir, id);
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        free(dir);
        return NULL;
    }
    c = xcalloc(1, sizeof *c);
    c->id = xstrdup(id);
    c->dir = dir;
    c->shim_pidfd = c->init_pidfd = -1;
    native_ctr_adopt(c);
    c->next = n->ctrs;
    n->ctrs = c;
    return c;
}

static void
native_ctr_unlink(struct native *n, struct native_ctr *c)
{
    struct native_ctr **p;

    for (p = &n->ctrs; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

/* Is c's command running? Drops the pidfds once the shim is gone. */
static bool
native_ctr_is_running(struct native_ctr *c)
{
    if (c->shim_pidfd < 0)
        return false;
    if (native_pidfd_is_alive(c->shim_pidfd))
        return true;
    native_ctr_close(c);
    return false;
}

/* ---- exit.json -------------------------------------------------------------- */

static int64_t
native_time(struct json_object *o, const char *key)
{
    const char *s = json_get_string(o, key);
    long long ns = 0;

    if (s == NULL || util_parse_timestamp(s, 0, &ns) < 0)
        return 0;
    return ns;
}

/* c's recorded exit status; *error (malloc'd, the caller's) gets its error or NULL.
 * Without exit.json: 255, "shim died". */
static void
native_read_exit(const struct native_ctr *c, struct dctl_exit_status *st, char **error)
{
    cleanup_free char *path = xasprintf("%s/exit.json", c->dir);
    cleanup_free char *text = NULL;
    cleanup_json struct json_object *o = NULL;
    size_t len = 0;
    const char *e;

    memset(st, 0, sizeof *st);
    *error = NULL;
    text = file_read_all(AT_FDCWD, path, &len, NULL);
    if (text)
        o = json_parse_object(text, len, "exit.json", NULL);
    if (o == NULL) {
        st->exit_code = 255;
        st->finished_at = util_now_ns();
        *error = xstrdup("shim died");
        return;
    }
    st->exit_code = (int)json_get_int64(o, "exitCode", 255);
    st->oom_killed = json_get_bool(o, "oomKilled", false);
    st->started_at = native_time(o, "startedAt");
    st->finished_at = native_time(o, "finishedAt");
    e = json_get_string(o, "error");
    if (e && *e)
        *error = xstrdup(e);
}

/* ---- ops -------------------------------------------------------------------- */

static int
native_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
            dctl_error_t *err)
{
    struct native *n;
    const char *shim = NULL;
    size_t i;

    if (host->size < sizeof *host || host->log == NULL || host->error_set == NULL)
        return -1; /* a host older than this driver: nothing to report through */
    n = xcalloc(1, sizeof *n);
    n->host = host;
    for (i = 0; options && options[i].key; i++) {
        const char *key = options[i].key;

        if (strncmp(key, "native.", 7) == 0)   /* dockerd's spelling: --exec-opt native.K=V */
            key += 7;
        if (strcmp(key, "shim") == 0 && options[i].value && *options[i].value) {
            shim = options[i].value;
            continue;
        }
        if (strcmp(key, "cgroupdriver") == 0 && strcmp(options[i].value, "cgroupfs") == 0)
            continue;   /* the only cgroup driver there is */
        native_error(n, err, DCTL_ERR_INVALID, 0, "native: unknown option \"%s\"",
                     options[i].key);
        free(n);
        return -1;
    }
    if (shim == NULL)
        shim = getenv("DCTL_SHIM");
    if (shim == NULL || *shim == '\0')
        shim = DCTL_SHIM_PATH;
    if (host->run_dir == NULL || host->event_base == NULL) {
        native_error(n, err, DCTL_ERR_UNAVAILABLE, 0, "native: no run directory or event loop");
        free(n);
        return -1;
    }
    if (access(shim, X_OK) < 0)
        native_log(n, DCTL_LOG_WARN, "shim %s: %s; containers cannot start", shim,
                   strerror(errno));
    {
        dctl_error_t cerr = NULL;

        if (native_cgroup_host(&n->cg, &cerr) < 0) {
            cleanup_free char *text = dctl_error_text(cerr);

            native_log(n, DCTL_LOG_WARN, "cgroups: %s; pause, stats and update cannot work",
                       text);
            dctl_error_free(cerr);
            memset(&n->cg, 0, sizeof n->cg);
        }
    }
    n->shim = xstrdup(shim);
    n->run_dir = xstrdup(host->run_dir);
    pthread_mutex_init(&n->lock, NULL);
    *priv = n;
    return 0;
}

static void
native_fini(void *priv)
{
    struct native *n = priv;
    struct native_ctr *c;

    if (n == NULL)
        return;
    /* the shims and their containers go on: a new dctld restores them */
    while ((c = n->ctrs) != NULL) {
        n->ctrs = c->next;
        native_ctr_free(c);
    }
    pthread_mutex_destroy(&n->lock);
    free(n->restore_error);
    free(n->shim);
    free(n->run_dir);
    free(n);
}

static const struct dctl_option *
native_status(void *priv)
{
    struct native *n = priv;
    struct native_ctr *c;
    unsigned int running = 0;

    pthread_mutex_lock(&n->lock);
    for (c = n->ctrs; c; c = c->next)
        if (native_ctr_is_running(c))
            running++;
    pthread_mutex_unlock(&n->lock);
    snprintf(n->running_text, sizeof n->running_text, "%u", running);
    n->status_lines[0] = (struct dctl_option){ "Shim", n->shim };
    n->status_lines[1] = (struct dctl_option){ "Running shims", n->running_text };
    n->status_lines[2] = (struct dctl_option){ "Cgroup version",
                                               n->cg.nhier == 0 ? "none"
                                               : n->cg.version == 2 ? "2" : "1" };
    n->status_lines[3] = (struct dctl_option){ NULL, NULL };
    return n->status_lines;
}

static void
native_dir_clear(const char *dir, bool keep_config)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (keep_config && strcmp(de->d_name, "config.json") == 0)
            continue;
        unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

static int
native_create(void *priv, const char *id, const char *spec_json, dctl_error_t *err)
{
    struct native *n = priv;
    cleanup_json struct json_object *spec = NULL;
    struct json_object *process, *args, *root;
    cleanup_free char *dir = NULL;
    struct native_ctr *c;
    bool busy;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"",
                            id ? id : "");
    spec = json_parse_object(spec_json, strlen(spec_json), "container spec", err);
    if (spec == NULL)
        return -1;
    if (!json_object_object_get_ex(spec, "process", &process) ||
        !json_object_object_get_ex(process, "args", &args) ||
        !json_object_is_type(args, json_type_array) || json_object_array_length(args) == 0)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "container spec: no process.args");
    if (!json_object_object_get_ex(spec, "root", &root) || json_get_string(root, "path") == NULL)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "container spec: no root.path");

    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    busy = c && (c->starting || native_ctr_is_running(c));
    pthread_mutex_unlock(&n->lock);
    if (busy)
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "container %s is already running",
                            id);
    dir = xasprintf("%s/%s", n->run_dir, id);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return native_error(n, err, DCTL_ERR_INTERNAL, errno, "native: create %s", dir);
    native_dir_clear(dir, false);
    {
        cleanup_free char *path = xasprintf("%s/config.json", dir);
        struct json_object *lin = NULL, *dctl = NULL;
        const char *text = spec_json;

        /* the shim loads the filter dctld compiled (dctl.seccompBpf): its copy of the spec
         * goes without the OCI profile, which it would parse for nothing */
        if (json_object_object_get_ex(spec, "linux", &lin) &&
            json_object_object_get_ex(lin, "seccomp", NULL) &&
            json_object_object_get_ex(spec, "dctl", &dctl) && json_get_string(dctl, "seccompBpf")) {
            json_object_object_del(lin, "seccomp");
            text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
        }
        if (file_write_replace(AT_FDCWD, path, text, strlen(text), 0600, err) < 0)
            return -1;
    }
    pthread_mutex_lock(&n->lock);
    if ((c = native_ctr_find(n, id, false)) != NULL) {   /* a new spec, perhaps a new cgroup */
        free(c->cgroup_path);
        c->cgroup_path = NULL;
        c->cgroup_read = false;
    }
    pthread_mutex_unlock(&n->lock);
    native_log(n, DCTL_LOG_DEBUG, "container %.12s created", id);
    return 0;
}

/* Reads the shim's one-line report; NULL (with errno ETIMEDOUT) after the timeout. */
static char *
native_read_report(int fd)
{
    char buf[1200];
    size_t len = 0;
    long long deadline = util_now_ns() + NATIVE_START_TIMEOUT_MS * 1000000LL;

    for (;;) {
        long long left = (deadline - util_now_ns()) / 1000000LL;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t r;
        int rc;

        if (left <= 0) {
            errno = ETIMEDOUT;
            return NULL;
        }
        rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            errno = rc == 0 ? ETIMEDOUT : errno;
            return NULL;
        }
        r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || len + (size_t)r == sizeof buf - 1) {
            len += r > 0 ? (size_t)r : 0;
            break;
        }
        len += (size_t)r;
        if (memchr(buf, '\n', len))
            break;
    }
    buf[len] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return xstrdup(buf);
}

static int
native_spawn_shim(struct native *n, struct native_ctr *c, int report_fd, dctl_error_t *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    char *argv[] = { n->shim, c->id, c->dir, NULL };
    pid_t pid;
    int rc, st;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_adddup2(&fa, report_fd, 3);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETSID);
    rc = posix_spawn(&pid, n->shim, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return native_error(n, err, DCTL_ERR_UNAVAILABLE, rc, "native: cannot run shim %s",
                            n->shim);
    /* the first process forks the shim and exits at once */
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return 0;
}

static int
native_start(void *priv, const char *id, int *pid, dctl_error_t *err)
{
    struct native *n = priv;
    struct native_ctr *c;
    cleanup_free char *report = NULL;
    cleanup_free char *config = NULL;
    int p[2], wfd, rc;
    struct stat st;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    if (c == NULL) {
        pthread_mutex_unlock(&n->lock);
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    }
    if (c->starting || native_ctr_is_running(c)) {
        pthread_mutex_unlock(&n->lock);
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "container %s is already running",
                            id);
    }
    c->starting = true;
    config = xasprintf("%s/config.json", c->dir);
    pthread_mutex_unlock(&n->lock);

    if (stat(config, &st) < 0) {
        rc = native_error(n, err, DCTL_ERR_NOT_FOUND, errno, "container %s was not created", id);
        goto out;
    }
    native_dir_clear(c->dir, true);
    if (pipe2(p, O_CLOEXEC) < 0) {
        rc = native_error(n, err, DCTL_ERR_INTERNAL, errno, "native: pipe");
        goto out;
    }
    /* above 3, so that dup2 onto 3 in the child is a real dup (clears CLOEXEC) */
    wfd = fcntl(p[1], F_DUPFD_CLOEXEC, 10);
    close(p[1]);
    if (wfd < 0) {
        close(p[0]);
        rc = native_error(n, err, DCTL_ERR_INTERNAL, errno, "native: dup");
        goto out;
    }
    rc = native_spawn_shim(n, c, wfd, err);
    close(wfd);
    if (rc == 0) {
        report = native_read_report(p[0]);
        if (report == NULL) {
            pid_t shim = native_read_pid(c, "shim.pid");

            if (shim > 0 && native_is_shim(c, shim))
                kill(shim, SIGKILL);
            rc = native_error(n, err, DCTL_ERR_INTERNAL, errno,
                              "dctl-shim for %.12s did not report", id);
        }
    }
    close(p[0]);
    if (rc < 0)
        goto out;
    if (strncmp(report, "ok ", 3) == 0) {
        long long v = 0;

        if (util_parse_int64(report + 3, &v) < 0 || v <= 0) {
            rc = native_error(n, err, DCTL_ERR_INTERNAL, 0, "dctl-shim for %.12s: bad report "
                              "\"%s\"", id, report);
            goto out;
        }
        /* a command that ended at once leaves no shim to adopt: watch() reports it */
        pthread_mutex_lock(&n->lock);
        native_ctr_adopt(c);
        *pid = (int)v;
        pthread_mutex_unlock(&n->lock);
        native_log(n, DCTL_LOG_DEBUG, "container %.12s: shim %d, init %d", id, (int)c->shim_pid,
                   (int)c->init_pid);
        rc = 0;
    } else if (strncmp(report, "error ", 6) == 0) {
        struct dctl_exit_status es;
        cleanup_free char *why = NULL;

        native_read_exit(c, &es, &why);
        /* a command that is missing or cannot be run is the caller's mistake */
        rc = native_error(n, err,
                          es.exit_code == 126 || es.exit_code == 127 ? DCTL_ERR_INVALID
                                                                     : DCTL_ERR_INTERNAL,
                          0, "%s", report + 6);
    } else {
        rc = native_error(n, err, DCTL_ERR_INTERNAL, 0,
                          "dctl-shim for %.12s exited without a report%s%s", id,
                          *report ? ": " : "", report);
    }
out:
    pthread_mutex_lock(&n->lock);
    c->starting = false;
    pthread_mutex_unlock(&n->lock);
    return rc;
}

static void
native_watch_cb(evutil_socket_t fd, short what, void *arg)
{
    struct native_ctr *c = arg;
    struct dctl_exit_status st;
    dctl_exit_cb cb = c->cb;
    void *cbarg = c->arg;
    char *error = NULL, *id;

    event_free(c->ev);
    c->ev = NULL;
    c->cb = NULL;
    native_ctr_close(c);
    native_read_exit(c, &st, &error);
    st.error = error;
    id = xstrdup(c->id);
    /* c may be removed by the callback: nothing of it is used after this */
    cb(cbarg, id, &st);
    free(id);
    free(error);
}

static int
native_watch(void *priv, const char *id, dctl_exit_cb cb, void *arg, dctl_error_t *err)
{
    struct native *n = priv;
    struct event_base *base = n->host->event_base;
    struct native_ctr *c;
    struct timeval now = { 0, 0 };
    bool running;

    if (!native_id_is_valid(id) || cb == NULL)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "native: bad watch of \"%s\"",
                            id ? id : "");
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    running = c && native_ctr_is_running(c);
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    if (c->ev) {
        event_free(c->ev);
        c->ev = NULL;
    }
    c->cb = cb;
    c->arg = arg;
    if (running) {
        c->ev = event_new(base, c->shim_pidfd, EV_READ, native_watch_cb, c);
        if (c->ev == NULL || event_add(c->ev, NULL) < 0)
            return native_error(n, err, DCTL_ERR_INTERNAL, 0, "native: cannot watch %.12s", id);
    } else {
        /* already ended: the callback comes from the loop, not from inside this call */
        c->ev = evtimer_new(base, native_watch_cb, c);
        if (c->ev == NULL || evtimer_add(c->ev, &now) < 0)
            return native_error(n, err, DCTL_ERR_INTERNAL, 0, "native: cannot watch %.12s", id);
    }
    return 0;
}

static int
native_kill(void *priv, const char *id, int signo, dctl_error_t *err)
{
    struct native *n = priv;
    struct native_ctr *c;
    int rc = 0, e = 0;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    if (signo <= 0 || signo >= NSIG)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid signal: %d", signo);
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    if (c && native_ctr_is_running(c) && c->init_pidfd >= 0) {
        rc = pidfd_send_signal(c->init_pidfd, signo, NULL, 0);
        e = errno;
    }
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    if (c->init_pidfd < 0 || (rc < 0 && e == ESRCH))
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", id);
    if (rc < 0)
        return native_error(n, err, DCTL_ERR_INTERNAL, e, "kill %.12s", id);
    return 0;
}

/* ---- the container's cgroup: pause, resume, stats, update -------------------------- */

/* c's cgroup path (read from its spec once); NULL when it has none. Lock held. */
static const char *
native_ctr_cgroup(struct native_ctr *c)
{
    if (!c->cgroup_read) {
        c->cgroup_path = native_cgroup_path_read(c->dir);
        c->cgroup_read = true;
    }
    return c->cgroup_path;
}

/* The cgroup path (copied into path) and init pid of running container id; -1 with 404,
 * 409 "not running", or 501 when the container or the host has no cgroup. */
static int
native_running_cgroup(struct native *n, const char *id, char *path, size_t len, pid_t *pid,
                      dctl_error_t *err)
{
    struct native_ctr *c;
    const char *cg = NULL;
    bool running = false;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"",
                            id ? id : "");
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    if (c) {
        running = native_ctr_is_running(c);
        cg = native_ctr_cgroup(c);
        if (cg)
            snprintf(path, len, "%s", cg);
        if (pid)
            *pid = c->init_pid;
    }
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    if (!running)
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", id);
    if (cg == NULL || n->cg.nhier == 0)
        return native_error(n, err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                            "container %.12s has no cgroup of its own", id);
    return 0;
}

static int
native_pause(void *priv, const char *id, dctl_error_t *err)
{
    struct native *n = priv;
    char path[CGROUP_PATH_MAX];

    if (native_running_cgroup(n, id, path, sizeof path, NULL, err) < 0)
        return -1;
    return cgroup_freeze(&n->cg, path, true, err);
}

static int
native_resume(void *priv, const char *id, dctl_error_t *err)
{
    struct native *n = priv;
    char path[CGROUP_PATH_MAX];

    if (native_running_cgroup(n, id, path, sizeof path, NULL, err) < 0)
        return -1;
    return cgroup_freeze(&n->cg, path, false, err);
}

static int
native_stats(void *priv, const char *id, char **json, dctl_error_t *err)
{
    struct native *n = priv;
    char path[CGROUP_PATH_MAX];
    pid_t pid = 0;

    if (native_running_cgroup(n, id, path, sizeof path, &pid, err) < 0)
        return -1;
    return native_cgroup_stats_json(&n->cg, path, pid, json, err);
}

static int
native_update(void *priv, const char *id, const char *resources_json, dctl_error_t *err)
{
    struct native *n = priv;
    char path[CGROUP_PATH_MAX];

    if (resources_json == NULL)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "native: no resources to update");
    if (native_running_cgroup(n, id, path, sizeof path, NULL, err) < 0)
        return -1;
    return native_cgroup_update(&n->cg, path, resources_json, err);
}

static int
native_restore(void *priv, const char *id, int *pid, struct dctl_exit_status *st,
               dctl_error_t *err)
{
    struct native *n = priv;
    struct native_ctr *c;
    char *error = NULL;
    bool running;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    running = c && native_ctr_is_running(c);
    if (running) /* a shim whose init just ended is finishing: running until it exits */
        *pid = c->init_pid ? c->init_pid : native_read_pid(c, "init.pid");
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "native: no state for container %s",
                            id);
    if (running) {
        memset(st, 0, sizeof *st);
        return 0;
    }
    *pid = 0;
    native_read_exit(c, st, &error);
    free(n->restore_error);
    n->restore_error = error;
    st->error = error;
    return 0;
}

/* Connects to id's attach.sock; -1 with *err (CONFLICT when nothing listens). */
static int
native_connect(struct native *n, const char *id, dctl_error_t *err)
{
    cleanup_free char *dir = xasprintf("%s/%s", n->run_dir, id);
    cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (dfd < 0)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, errno, "No such container: %s", id);
    /* through the directory's fd: RUN_DIR/ID/attach.sock may not fit sun_path */
    snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/attach.sock", dfd);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return native_error(n, err, DCTL_ERR_INTERNAL, errno, "native: socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;

        close(fd);
        if (e == ENOENT || e == ECONNREFUSED)
            return native_error(n, err, DCTL_ERR_CONFLICT, 0, "Container %s is not running",
                                id);
        return native_error(n, err, DCTL_ERR_INTERNAL, e, "native: connect to %.12s", id);
    }
    return fd;
}

static int
native_send_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t w = send(fd, s, len, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        s += w;
        len -= (size_t)w;
    }
    return 0;
}

static int
native_attach(void *priv, const char *id, const char *request, dctl_error_t *err)
{
    struct native *n = priv;
    cleanup_free char *line = NULL;
    size_t len;
    int fd;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    len = request ? strcspn(request, "\n") : 0;
    if (len == 0 || (request[len] == '\n' && request[len + 1] != '\0'))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "native: bad attach request");
    fd = native_connect(n, id, err);
    if (fd < 0)
        return -1;
    line = xasprintf("%.*s\n", (int)len, request);
    if (native_send_all(fd, line, len + 1) < 0) {
        int e = errno;

        close(fd);
        return native_error(n, err, DCTL_ERR_CONFLICT, e, "Container %s is not running", id);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* One request line to id's shim and its one-line answer: 0 for "ok", else -1 with the
 * shim's message (DCTL_ERR_CONFLICT). The shim answers at once; the wait is bounded
 * all the same. */
static int
native_request(struct native *n, const char *id, const char *line, dctl_error_t *err)
{
    struct timeval tv = { .tv_sec = 2 };
    cleanup_close int fd = -1;
    char answer[256];
    ssize_t r;

    fd = native_connect(n, id, err);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (native_send_all(fd, line, strlen(line)) < 0)
        return native_error(n, err, DCTL_ERR_CONFLICT, errno, "Container %s is not running", id);
    do
        r = recv(fd, answer, sizeof answer - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return native_error(n, err, DCTL_ERR_INTERNAL, r < 0 ? errno : 0,
                            "native: no answer from the shim of %.12s", id);
    answer[r] = '\0';
    answer[strcspn(answer, "\n")] = '\0';
    if (strcmp(answer, "ok") == 0)
        return 0;
    return native_error(n, err, DCTL_ERR_CONFLICT, 0, "%s",
                        strncmp(answer, "error ", 6) == 0 ? answer + 6 : answer);
}

static int
native_resize(void *priv, const char *id, unsigned int rows, unsigned int cols,
              dctl_error_t *err)
{
    struct native *n = priv;
    char line[64];

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    if (rows > 65535 || cols > 65535)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid terminal size %ux%u", rows,
                            cols);
    snprintf(line, sizeof line, "resize %u %u\n", rows, cols);
    return native_request(n, id, line, err);
}

/* ---- exec sessions (docs/containers.md, "Exec sessions") ---------------------------- */

static bool
native_exec_id_is_valid(const char *x)
{
    size_t n = x ? strspn(x, "0123456789abcdef") : 0;

    return n > 0 && n <= 64 && x[n] == '\0';
}

/* "stdin,stdout,stderr" or a subset as given; NULL or "" (none) become "-". */
static bool
native_streams_are_valid(const char *s)
{
    cleanup_free char *copy = NULL;
    char *save = NULL, *t;

    if (s == NULL || *s == '\0')
        return true;
    if (s[strlen(s) - 1] == ',' || strstr(s, ",,") || *s == ',')
        return false;
    copy = xstrdup(s);
    for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (strcmp(t, "stdin") && strcmp(t, "stdout") && strcmp(t, "stderr"))
            return false;
    return true;
}

/* Reads one answer line from a blocking socket and nothing of the stream behind it: what
 * is there is peeked at, and only the line taken. NULL on EOF or timeout. */
static char *
native_read_line(int fd)
{
    char buf[1200];
    size_t len = 0;

    while (len < sizeof buf - 1) {
        ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, MSG_PEEK);
        char *nl;
        size_t take;

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return NULL;
        nl = memchr(buf + len, '\n', (size_t)r);
        take = nl ? (size_t)(nl - (buf + len)) + 1 : (size_t)r;
        if (recv(fd, buf + len, take, MSG_WAITALL) != (ssize_t)take)
            return NULL;
        len += take;
        if (nl) {
            buf[len - 1] = '\0';
            return xstrdup(buf);
        }
    }
    return NULL;
}

/* Connects to id's shim and sends line; the connected blocking fd, or -1. */
static int
native_connect_send(struct native *n, const char *id, const char *line, dctl_error_t *err)
{
    int fd = native_connect(n, id, err);

    if (fd < 0)
        return -1;
    if (native_send_all(fd, line, strlen(line)) < 0) {
        int e = errno;

        close(fd);
        return native_error(n, err, DCTL_ERR_CONFLICT, e, "Container %s is not running", id);
    }
    return fd;
}

static struct native_exec *
native_exec_find(struct native_ctr *c, const char *exec_id)
{
    struct native_exec *x;

    for (x = c->execs; x; x = x->next)
        if (strcmp(x->exec_id, exec_id) == 0)
            return x;
    return NULL;
}

static struct native_exec *
native_exec_add(struct native_ctr *c, const char *exec_id, int fd)
{
    struct native_exec *x = xcalloc(1, sizeof *x);

    x->ctr = c;
    x->exec_id = xstrdup(exec_id);
    x->fd = fd;
    x->next = c->execs;
    c->execs = x;
    return x;
}

static void
native_exec_unlink(struct native_exec *x)
{
    struct native_exec **p;

    for (p = &x->ctr->execs; *p; p = &(*p)->next)
        if (*p == x) {
            *p = x->next;
            return;
        }
}

static int
native_exec_start(void *priv, const char *id, const char *exec_id, const char *process_json,
                  const char *streams, int *pid, int *fd, int *exit_code, dctl_error_t *err)
{
    struct native *n = priv;
    struct timeval tv = { .tv_sec = NATIVE_START_TIMEOUT_MS / 1000 };
    cleanup_free char *line = NULL, *answer = NULL;
    cleanup_close int sfd = -1;
    struct native_ctr *c;
    long long v = 0;
    size_t len;
    bool running;
    int wfd;

    *pid = 0;
    *fd = -1;
    *exit_code = 0;
    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    if (!native_exec_id_is_valid(exec_id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid exec ID \"%s\"",
                            exec_id ? exec_id : "");
    if (!native_streams_are_valid(streams))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid exec streams \"%s\"", streams);
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    running = c && native_ctr_is_running(c) && native_exec_find(c, exec_id) == NULL;
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    if (!running)
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", id);
    len = strlen(process_json);
    if (len == 0 || len > (1u << 20))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "exec process of %zu bytes", len);
    /* the request line and the process JSON after it, in one send */
    line = xasprintf("exec %s %s %zu\n%s", exec_id, streams && *streams ? streams : "-", len,
                     process_json);
    sfd = native_connect_send(n, id, line, err);
    if (sfd < 0)
        return -1;
    setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    answer = native_read_line(sfd);
    if (answer == NULL)
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", id);
    if (strncmp(answer, "error ", 6) == 0) {
        char *sp;
        long code = strtol(answer + 6, &sp, 10);

        *exit_code = code > 0 && code < 256 ? (int)code : 128;
        if (*sp == ' ')
            sp++;
        return native_error(n, err,
                            *exit_code == 126 || *exit_code == 127 ? DCTL_ERR_INVALID
                                                                   : DCTL_ERR_INTERNAL,
                            0, "%s", sp);
    }
    if (strncmp(answer, "ok ", 3) != 0 || util_parse_int64(answer + 3, &v) < 0 || v <= 0)
        return native_error(n, err, DCTL_ERR_INTERNAL, 0, "dctl-shim for %.12s: bad answer "
                            "\"%s\" to exec", id, answer);
    *pid = (int)v;
    /* the wait, connected now (off the loop) for exec_watch */
    free(line);
    line = xasprintf("execwait %s\n", exec_id);
    wfd = native_connect_send(n, id, line, NULL);
    if (wfd >= 0)
        fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, false);
    if (c && wfd >= 0)
        native_exec_add(c, exec_id, wfd);
    else if (wfd >= 0)
        close(wfd);
    pthread_mutex_unlock(&n->lock);
    if (streams && *streams) {
        fcntl(sfd, F_SETFL, fcntl(sfd, F_GETFL) | O_NONBLOCK);
        *fd = steal_fd(&sfd);
    }
    return 0;
}

static void
native_exec_watch_cb(evutil_socket_t fd, short what, void *arg)
{
    struct native_exec *x = arg;
    struct dctl_exit_status st = { .exit_code = 137 };
    dctl_exit_cb cb = x->cb;
    void *cbarg = x->arg;
    cleanup_free char *id = NULL;
    char *nl;
    long code;

    (void)what;
    for (;;) {
        ssize_t r = recv(fd, x->line + x->len, sizeof x->line - 1 - x->len, 0);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return; /* the rest of the line later */
        if (r > 0)
            x->len += (size_t)r;
        x->line[x->len] = '\0';
        if (r <= 0 || strchr(x->line, '\n') || x->len == sizeof x->line - 1)
            break;
    }
    if ((nl = strchr(x->line, '\n')) != NULL)
        *nl = '\0';
    if (strncmp(x->line, "exit ", 5) == 0 && (code = strtol(x->line + 5, &nl, 10)) >= 0 &&
        *nl == '\0')
        st.exit_code = (int)code;
    else if (strncmp(x->line, "error ", 6) == 0)
        st.error = "the container's shim has no record of this exec";
    else
        st.error = "the exec's end was not recorded: its container's shim is gone";
    id = xstrdup(x->ctr->id);
    native_exec_unlink(x);
    native_exec_free(x);
    cb(cbarg, id, &st);
}

static int
native_exec_watch(void *priv, const char *id, const char *exec_id, dctl_exit_cb cb, void *arg,
                  dctl_error_t *err)
{
    struct native *n = priv;
    struct native_ctr *c;
    struct native_exec *x;
    struct timeval now = { 0, 0 };
    int fd = -1, rc;

    if (!native_id_is_valid(id) || !native_exec_id_is_valid(exec_id) || cb == NULL)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "native: bad exec watch of \"%s\"",
                            exec_id ? exec_id : "");
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    x = c ? native_exec_find(c, exec_id) : NULL;
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    if (x == NULL) { /* after a restart: ask the shim again (it answers at once) */
        cleanup_free char *line = xasprintf("execwait %s\n", exec_id);

        fd = native_connect_send(n, id, line, NULL);
        if (fd >= 0)
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        pthread_mutex_lock(&n->lock);
        x = native_exec_add(c, exec_id, fd);
        pthread_mutex_unlock(&n->lock);
    }
    if (x->ev) {
        event_free(x->ev);
        x->ev = NULL;
    }
    x->cb = cb;
    x->arg = arg;
    if (x->fd >= 0) {
        x->ev = event_new(n->host->event_base, x->fd, EV_READ | EV_PERSIST, native_exec_watch_cb,
                          x);
        rc = x->ev ? event_add(x->ev, NULL) : -1;
    } else { /* no connection (the shim is gone): the callback from the loop, as at an EOF */
        x->ev = evtimer_new(n->host->event_base, native_exec_watch_cb, x);
        rc = x->ev ? evtimer_add(x->ev, &now) : -1;
    }
    if (rc < 0)
        return native_error(n, err, DCTL_ERR_INTERNAL, 0, "native: cannot watch exec %.12s",
                            exec_id);
    return 0;
}

static int
native_exec_resize(void *priv, const char *id, const char *exec_id, unsigned int rows,
                   unsigned int cols, dctl_error_t *err)
{
    struct native *n = priv;
    cleanup_free char *line = NULL;

    if (!native_id_is_valid(id) || !native_exec_id_is_valid(exec_id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid exec ID \"%s\"",
                            exec_id ? exec_id : "");
    if (rows > 65535 || cols > 65535)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid terminal size %ux%u", rows,
                            cols);
    line = xasprintf("execresize %s %u %u\n", exec_id, rows, cols);
    return native_request(n, id, line, err);
}

static int
native_exec_kill(void *priv, const char *id, const char *exec_id, int signo, dctl_error_t *err)
{
    struct native *n = priv;
    cleanup_free char *line = NULL;

    if (!native_id_is_valid(id) || !native_exec_id_is_valid(exec_id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid exec ID \"%s\"",
                            exec_id ? exec_id : "");
    if (signo <= 0 || signo > 64)
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid signal: %d", signo);
    line = xasprintf("execkill %s %d\n", exec_id, signo);
    return native_request(n, id, line, err);
}

static int
native_remove(void *priv, const char *id, dctl_error_t *err)
{
    struct native *n = priv;
    struct native_ctr *c;
    struct pollfd p;

    if (!native_id_is_valid(id))
        return native_error(n, err, DCTL_ERR_INVALID, 0, "invalid container ID \"%s\"", id);
    pthread_mutex_lock(&n->lock);
    c = native_ctr_find(n, id, true);
    if (c && c->starting) {
        pthread_mutex_unlock(&n->lock);
        return native_error(n, err, DCTL_ERR_CONFLICT, 0, "container %s is starting", id);
    }
    if (c)
        native_ctr_unlink(n, c);
    pthread_mutex_unlock(&n->lock);
    if (c == NULL)
        return native_error(n, err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", id);
    if (native_ctr_is_running(c)) {
        /* the init's end takes its PID namespace with it; the shim then records
         * the status and leaves by itself, or is killed after a while */
        pidfd_send_signal(c->init_pidfd, SIGKILL, NULL, 0);
        p = (struct pollfd){ .fd = c->shim_pidfd, .events = POLLIN };
        if (poll(&p, 1, NATIVE_REMOVE_WAIT_MS) == 0) {
            native_log(n, DCTL_LOG_WARN, "container %.12s: shim %d did not exit; killed", id,
                       (int)c->shim_pid);
            pidfd_send_signal(c->shim_pidfd, SIGKILL, NULL, 0);
            p.revents = 0;
            poll(&p, 1, NATIVE_REMOVE_WAIT_MS);
        }
    }
    /* the shim removes the cgroup as it leaves; one that was killed could not */
    if (native_ctr_cgroup(c) && n->cg.nhier > 0 && cgroup_exists(&n->cg, c->cgroup_path)) {
        dctl_error_t cerr = NULL;

        if (cgroup_kill(&n->cg, c->cgroup_path, NATIVE_REMOVE_WAIT_MS, &cerr) < 0 ||
            cgroup_remove(&n->cg, c->cgroup_path, &cerr) < 0) {
            cleanup_free char *text = dctl_error_text(cerr);

            native_log(n, DCTL_LOG_WARN, "container %.12s: %s", id, text);
        }
        dctl_error_free(cerr);
    }
    native_dir_clear(c->dir, false);
    if (rmdir(c->dir) < 0 && errno != ENOENT) {
        int e = errno;

        native_ctr_free(c);
        return native_error(n, err, DCTL_ERR_INTERNAL, e, "native: remove state of %.12s", id);
    }
    native_ctr_free(c);
    native_log(n, DCTL_LOG_DEBUG, "container %.12s removed", id);
    return 0;
}

static const struct dctl_exec_ops native_ops = {
    .size = sizeof native_ops,
    .init = native_init,
    .fini = native_fini,
    .status = native_status,
    .create = native_create,
    .start = native_start,
    .watch = native_watch,
    .kill = native_kill,
    .pause = native_pause,
    .resume = native_resume,
    .stats = native_stats,
    .update = native_update,
    .restore = native_restore,
    .attach = native_attach,
    .resize = native_resize,
    .remove = native_remove,
    .exec_start = native_exec_start,
    .exec_watch = native_exec_watch,
    .exec_resize = native_exec_resize,
    .exec_kill = native_exec_kill,
};

DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = DCTL_DRIVER_ABI_MAJOR,
    .abi_minor = DCTL_DRIVER_ABI_MINOR,
    .kind = DCTL_DRIVER_EXEC,
    .name = "native",
    .version = PACKAGE_VERSION,
    .ops = &native_ops,
};
