/* daemon/exec.c - exec sessions (see exec.h and docs/containers.md, "Exec sessions").
 *
 * A session is made by exec_create (in memory), started once by exec_start (a worker
 * job builds its process from the container's config with spec_exec_build and calls
 * the driver's exec_start, which returns when the process runs), watched with the
 * driver's exec_watch until it ends. Its record EXEC_ROOT/execs/ID.json exists while
 * it runs (run-time state, like the exec root: atomic, not fsync'd), so that a dctld
 * started again finds what runs and watches it; an ended session is not recorded
 * (dockerd forgets every exec at a restart). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dctl/driver.h>

#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/driver.h"
#include "daemon/exec.h"
#include "daemon/spec.h"
#include "daemon/worker.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define EXEC_SWEEP_S (5 * 60) /* dockerd's execCommandGC period */

struct exec_store {
    struct dctld *d;
    char *dir; /* EXEC_ROOT/execs */
    struct exec_session **v;
    size_t n;
    struct event *sweep_ev;
};

struct exec_session *
exec_session_ref(struct exec_session *x)
{
    x->refs++;
    return x;
}

void
exec_session_unref(struct exec_session *x)
{
    if (x == NULL || --x->refs > 0)
        return;
    container_unref(x->c);
    if (x->config)
        json_object_put(x->config);
    free(x);
}

/* ---- records ------------------------------------------------------------------------- */

struct exec_record_job {
    struct exec_session *x; /* a reference */
    char *path;
    char *text; /* NULL: remove the record */
};

static int
exec_record_run(void *job, dctl_error_t *err)
{
    struct exec_record_job *j = job;

    if (j->text == NULL) {
        if (unlink(j->path) < 0 && errno != ENOENT)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "remove %s", j->path);
        return 0;
    }
    return file_write_replace(AT_FDCWD, j->path, j->text, strlen(j->text), 0600, err);
}

static void exec_record_save(struct exec_session *x);

static void
exec_record_done_cb(void *job, int status, dctl_error_t err)
{
    struct exec_record_job *j = job;
    struct exec_session *x = j->x;

    if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("exec record %s: %s", j->path, text);
    }
    dctl_error_free(err);
    x->saving = false;
    if (x->save_again) {
        x->save_again = false;
        exec_record_save(x);
    }
    exec_session_unref(x);
    free(j->path);
    free(j->text);
    free(j);
}

static struct json_object *
exec_record(const struct exec_session *x)
{
    struct json_object *o = json_object_new_object();

    json_add_string(o, "ID", x->id);
    json_add_string(o, "ContainerID", x->c->id);
    json_object_object_add(o, "Config", json_object_get(x->config));
    json_add_int64(o, "Pid", x->pid);
    json_add_int64(o, "Created", x->created_ns);
    return o;
}

/* Writes x's record as it is now in a job (removes it once x has ended or is
 * removed); one write at a time per session, the pool's threads do not keep order,
 * so that the last state is the one on disk. */
static void
exec_record_save(struct exec_session *x)
{
    struct exec_record_job *j;
    dctl_error_t err = NULL;

    if (x->saving) {
        x->save_again = true;
        return;
    }
    j = xcalloc(1, sizeof *j);
    j->x = exec_session_ref(x);
    j->path = xasprintf("%s/%s.json", x->store->dir, x->id);
    if (!x->removed && !x->ended) {
        cleanup_json struct json_object *o = exec_record(x);

        j->text = json_to_string(o);
    }
    x->saving = true;
    if (worker_submit(x->store->d->workers, exec_record_run, exec_record_done_cb, j, &err) < 0) {
        x->save_again = false;
        exec_record_done_cb(j, -1, err);
    }
}

/* ---- the store ----------------------------------------------------------------------- */

static void
exec_store_add(struct exec_store *s, struct exec_session *x)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = x;
}

static void
exec_store_drop(struct exec_store *s, struct exec_session *x)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (s->v[i] == x) {
            memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
            s->n--;
            break;
        }
    x->removed = true;
    if (x->started && !x->ended)
        exec_record_save(x);
    exec_session_unref(x); /* the store's */
}

void
exec_remove(struct exec_session *x)
{
    if (!x->removed)
        exec_store_drop(x->store, x);
}

static struct exec_session *
exec_session_new(struct exec_store *s, const char *id, struct container *c,
                 struct json_object *config_take)
{
    struct exec_session *x = xcalloc(1, sizeof *x);

    x->store = s;
    x->refs = 1;
    snprintf(x->id, sizeof x->id, "%s", id);
    x->c = container_ref(c);
    x->config = config_take;
    x->created_ns = util_now_ns();
    exec_store_add(s, x);
    return x;
}

/* dockerd's execCommandGC: marked at one sweep, removed at the next. */
static void
exec_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    struct exec_store *s = arg;
    struct timeval tv = { EXEC_SWEEP_S, 0 };
    size_t i;

    (void)fd;
    (void)what;
    for (i = s->n; i-- > 0;) {
        struct exec_session *x = s->v[i];

        if (x->can_remove) {
            exec_store_drop(s, x);
            continue;
        }
        if (x->ended || (!x->started && !container_is_running(x->c)))
            x->can_remove = true;
    }
    evtimer_add(s->sweep_ev, &tv);
}

static void exec_exit_cb(void *arg, const char *id, const struct dctl_exit_status *st);

/* A record from before a restart: kept while its container is, watched again if it
 * was running. */
static void
exec_store_load_one(struct exec_store *s, const char *name)
{
    cleanup_free char *path = xasprintf("%s/%s", s->dir, name);
    cleanup_free char *text = file_read_all(AT_FDCWD, path, NULL, NULL);
    cleanup_json struct json_object *o = text ? json_parse_object(text, strlen(text), path, NULL)
                                              : NULL;
    struct json_object *cfg = NULL;
    const char *id = json_get_string(o, "ID"), *cid = json_get_string(o, "ContainerID");
    struct container *c = cid ? container_lookup(s->d->containers, cid, NULL) : NULL;
    struct exec_session *x;

    if (o == NULL || id == NULL || c == NULL || strcmp(c->id, cid) != 0 || strlen(id) != 64 ||
        !json_object_object_get_ex(o, "Config", &cfg) || cfg == NULL) {
        log_debug("exec record %s: dropped (no such container, or unreadable)", name);
        unlink(path);
        return;
    }
    x = exec_session_new(s, id, c, json_object_get(cfg));
    x->started = true;
    x->running = true;   /* only running sessions are recorded */
    x->pid = (int)json_get_int64(o, "Pid", 0);
    x->created_ns = json_get_int64(o, "Created", x->created_ns);
    {
        const struct dctl_exec_ops *ops;
        dctl_error_t err = NULL;
        void *priv;

        ops = container_exec_ops(s->d->containers, &priv, &err);
        if (ops == NULL || !DRIVER_HAS_OP(ops, struct dctl_exec_ops, exec_watch) ||
            ops->exec_watch(priv, c->id, x->id, exec_exit_cb, exec_session_ref(x), &err) < 0) {
            cleanup_free char *msg = dctl_error_text(err);

            log_warn("exec %.12s: cannot watch it again: %s", x->id,
                     err ? msg : "the exec driver has no exec sessions");
            dctl_error_free(err);
            if (ops && DRIVER_HAS_OP(ops, struct dctl_exec_ops, exec_watch))
                exec_session_unref(x);
            x->running = false;
            x->ended = true;
            x->exit_code = 137;
            exec_record_save(x);   /* removed: not running any more */
        }
    }
}

struct exec_store *
exec_store_open(struct dctld *d, dctl_error_t *err)
{
    struct exec_store *s = xcalloc(1, sizeof *s);
    struct timeval tv = { EXEC_SWEEP_S, 0 };
    cleanup_close int dfd = -1;
    char **names;
    size_t n, i;

    s->d = d;
    s->dir = xasprintf("%s/execs", d->config.exec_root);
    if (file_mkdir_p(s->dir, 0700, err) < 0) {
        exec_store_free(s);
        return NULL;
    }
    dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    names = dfd >= 0 ? tree_list(dfd, &n, NULL) : NULL;
    for (i = 0; names && i < n; i++)
        if (util_has_suffix(names[i], ".json"))
            exec_store_load_one(s, names[i]);
        else
            unlinkat(dfd, names[i], 0); /* a temporary file a crash left */
    tree_names_free(names);
    s->sweep_ev = evtimer_new(d->base, exec_sweep_cb, s);
    evtimer_add(s->sweep_ev, &tv);
    return s;
}

void
exec_store_free(struct exec_store *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        s->v[i]->removed = true;
        exec_session_unref(s->v[i]);
    }
    if (s->sweep_ev)
        event_free(s->sweep_ev);
    free(s->v);
    free(s->dir);
    free(s);
}

struct exec_session *
exec_lookup(struct exec_store *s, const char *id, dctl_error_t *err)
{
    size_t i;

    for (i = 0; id && i < s->n; i++)
        if (strcmp(s->v[i]->id, id) == 0)
            return s->v[i];
    dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such exec instance: %s", id ? id : "");
    return NULL;
}

void
exec_container_dropped(struct exec_store *s, struct container *c)
{
    size_t i;

    for (i = s->n; i-- > 0;)
        if (s->v[i]->c == c)
            exec_store_drop(s, s->v[i]);
}

struct json_object *
exec_ids_of(struct exec_store *s, const struct container *c)
{
    struct json_object *a = NULL;
    size_t i;

    for (i = 0; s && i < s->n; i++)
        if (s->v[i]->c == c && !s->v[i]->ended) {
            if (a == NULL)
                a = json_object_new_array();
            json_object_array_add(a, json_object_new_string(s->v[i]->id));
        }
    return a;
}

/* ---- create, inspect ------------------------------------------------------------------ */

/* 409 unless c can run an exec now, in dockerd's words (getActiveContainer). */
static int
exec_container_check(const struct container *c, dctl_error_t *err)
{
    if (c->status == CONTAINER_PAUSED)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "Container %s is paused, unpause the container before exec", c->id);
    if (c->status == CONTAINER_RESTARTING)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "Container %s is restarting, wait until the container is running",
                              c->id);
    if (c->status != CONTAINER_RUNNING || c->busy)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", c->id);
    return 0;
}

char *
exec_event_action(const struct exec_session *x, const char *prefix)
{
    struct json_object *cmd = NULL;
    char *out = xasprintf("%s:", prefix);
    size_t i;

    json_object_object_get_ex(x->config, "Cmd", &cmd);
    for (i = 0; cmd && i < json_object_array_length(cmd); i++) {
        char *more = xasprintf("%s %s", out,
                               json_object_get_string(json_object_array_get_idx(cmd, i)));

        free(out);
        out = more;
    }
    return out;
}

/* exec_create and exec_start name the command in their action, exec_die does not (as
 * dockerd's). */
static void
exec_emit(struct exec_session *x, const char *prefix, const char *k, const char *v)
{
    cleanup_free char *action = strcmp(prefix, "exec_die") ? exec_event_action(x, prefix)
                                                           : xstrdup(prefix);

    container_emit(x->c, action, "execID", x->id, k, v, NULL);
}

struct exec_session *
exec_create(struct exec_store *s, struct container *c, struct json_object *body,
            dctl_error_t *err)
{
    cleanup_json struct json_object *config = NULL;
    struct exec_session *x;
    char id[65];

    if (exec_container_check(c, err) < 0)
        return NULL;
    if (body == NULL || !json_object_is_type(body, json_type_object)) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "the exec configuration must be an object");
        return NULL;
    }
    json_object_deep_copy(body, &config, NULL);
    if (spec_exec_body_check(config, err) < 0)
        return NULL;
    util_random_id(id);
    x = exec_session_new(s, id, c, steal_ptr(&config));
    exec_emit(x, "exec_create", NULL, NULL);
    log_debug("exec %.12s: created in %.12s", x->id, c->id);
    return x;
}

struct json_object *
exec_inspect(const struct exec_session *x)
{
    struct json_object *o = json_object_new_object(), *pc = json_object_new_object();
    struct json_object *cmd = NULL, *args = json_object_new_array();
    const char *user = json_get_string(x->config, "User");
    size_t i;

    json_add_string(o, "ID", x->id);
    json_add_bool(o, "Running", x->running);
    json_object_object_add(o, "ExitCode", x->ended ? json_object_new_int(x->exit_code) : NULL);
    json_object_object_get_ex(x->config, "Cmd", &cmd);
    json_add_bool(pc, "tty", json_get_bool(x->config, "Tty", false));
    json_add_string(pc, "entrypoint", json_object_get_string(json_object_array_get_idx(cmd, 0)));
    for (i = 1; cmd && i < json_object_array_length(cmd); i++)
        json_object_array_add(args, json_object_get(json_object_array_get_idx(cmd, i)));
    json_object_object_add(pc, "arguments", args);
    json_add_bool(pc, "privileged", json_get_bool(x->config, "Privileged", false));
    if (user && *user)
        json_add_string(pc, "user", user);
    json_object_object_add(o, "ProcessConfig", pc);
    json_add_bool(o, "OpenStdin", json_get_bool(x->config, "AttachStdin", false));
    json_add_bool(o, "OpenStderr", json_get_bool(x->config, "AttachStderr", false));
    json_add_bool(o, "OpenStdout", json_get_bool(x->config, "AttachStdout", false));
    json_add_bool(o, "CanRemove", x->can_remove);
    json_add_string(o, "ContainerID", x->c->id);
    json_add_string(o, "DetachKeys", json_get_string(x->config, "DetachKeys")
                                         ? json_get_string(x->config, "DetachKeys") : "");
    json_add_int64(o, "Pid", x->pid);
    return o;
}

/* ---- start, end ----------------------------------------------------------------------- */

void
exec_listen(struct exec_session *x, struct exec_listener *l)
{
    if (x->ended) {
        l->cb(l->arg, x);
        return;
    }
    l->next = x->listeners;
    x->listeners = l;
}

void
exec_unlisten(struct exec_session *x, struct exec_listener *l)
{
    struct exec_listener **p;

    for (p = &x->listeners; x && *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            return;
        }
}

/* Each listener once; one may unlisten another, or free itself, while told. The
 * caller holds a reference to x. */
static void
exec_tell_end(struct exec_session *x)
{
    struct exec_listener *l;

    while ((l = x->listeners) != NULL) {
        x->listeners = l->next;
        l->cb(l->arg, x);
    }
}

struct exec_start_job {
    struct exec_session *x;
    struct json_object *config, *hostconfig, *exec; /* deep copies for the worker */
    char *rootfs, *cid;
    unsigned int rows, cols;
    const struct dctl_exec_ops *ops;
    void *priv;
    char streams[32];
    int pid, fd, exit_code;
    exec_started_cb cb;
    void *arg;
};

static void
exec_start_job_free(struct exec_start_job *j)
{
    json_object_put(j->config);
    json_object_put(j->hostconfig);
    json_object_put(j->exec);
    free(j->rootfs);
    free(j->cid);
    if (j->fd >= 0)
        close(j->fd);
    exec_session_unref(j->x);
    free(j);
}

static int
exec_start_run(void *job, dctl_error_t *err)
{
    struct exec_start_job *j = job;
    struct spec_exec_input in = { .config = j->config, .hostconfig = j->hostconfig,
                                  .rootfs = j->rootfs, .exec = j->exec, .rows = j->rows,
                                  .cols = j->cols };
    cleanup_json struct json_object *proc = spec_exec_build(&in, err);
    cleanup_free char *text = NULL;

    if (proc == NULL)
        return -1;
    text = json_to_string(proc);
    return j->ops->exec_start(j->priv, j->cid, j->x->id, text, j->streams, &j->pid, &j->fd,
                              &j->exit_code, err);
}

static void
exec_exit_cb(void *arg, const char *id, const struct dctl_exit_status *st)
{
    struct exec_session *x = arg;
    char code[16];

    (void)id;
    if (!x->removed && !x->ended) {
        x->running = false;
        x->ended = true;
        x->exit_code = st->exit_code;
        snprintf(code, sizeof code, "%d", st->exit_code);
        log_debug("exec %.12s: exited %d%s%s", x->id, st->exit_code, st->error ? ": " : "",
                  st->error ? st->error : "");
        exec_emit(x, "exec_die", "exitCode", code);
        exec_record_save(x);
        exec_tell_end(x);
    }
    exec_session_unref(x);
}

static void
exec_start_done_cb(void *job, int status, dctl_error_t err)
{
    struct exec_start_job *j = job;
    struct exec_session *x = j->x;
    dctl_error_t werr = NULL;

    if (status < 0 || x->removed) {
        cleanup_free char *text = dctl_error_text(err);

        /* 126 for every start that failed, as dockerd's ContainerExecStart sets it
         * (the driver's 127 for a missing command is in the log) */
        x->ended = true;
        x->exit_code = 126;
        log_debug("exec %.12s: start failed (the driver's code %d): %s", x->id, j->exit_code,
                  err ? text : "removed");
        if (err == NULL)
            dctl_error_set(&err, DCTL_ERR_CONFLICT, 0, "exec %s was removed", x->id);
        j->cb(j->arg, x, -1, -1, err);
        exec_tell_end(x);
        exec_start_job_free(j);
        return;
    }
    x->running = true;
    x->pid = j->pid;
    log_debug("exec %.12s: pid %d in %.12s", x->id, x->pid, x->c->id);
    exec_record_save(x);
    if (j->ops->exec_watch(j->priv, x->c->id, x->id, exec_exit_cb, exec_session_ref(x),
                           &werr) < 0) {
        cleanup_free char *text = dctl_error_text(werr);

        log_error("exec %.12s: cannot watch it: %s", x->id, text);
        dctl_error_free(werr);
        exec_session_unref(x);
    }
    if (x->want_rows || x->want_cols) {
        if (exec_resize(x, x->want_rows, x->want_cols, &werr) < 0) {
            cleanup_free char *text = dctl_error_text(werr);

            log_debug("exec %.12s: resize: %s", x->id, text);
            dctl_error_clear(&werr);
        }
    }
    j->cb(j->arg, x, 0, j->fd, NULL);
    j->fd = -1;
    exec_start_job_free(j);
}

int
exec_start(struct exec_session *x, unsigned int rows, unsigned int cols, bool streams,
           exec_started_cb cb, void *arg, dctl_error_t *err)
{
    struct exec_start_job *j;
    const struct dctl_exec_ops *ops;
    void *priv;

    if (x->running)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Error: Exec command %s is already "
                              "running", x->id);
    if (x->started)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Error: Exec command %s has already run",
                              x->id);
    if (exec_container_check(x->c, err) < 0)
        return -1;
    ops = container_exec_ops(x->c->store, &priv, err);
    if (ops == NULL)
        return -1;
    if (!DRIVER_HAS_OP(ops, struct dctl_exec_ops, exec_start) ||
        !DRIVER_HAS_OP(ops, struct dctl_exec_ops, exec_watch))
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "the exec driver cannot run exec sessions");
    if (x->c->rootfs == NULL)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", x->c->id);
    j = xcalloc(1, sizeof *j);
    j->x = exec_session_ref(x);
    json_object_deep_copy(x->c->config, &j->config, NULL);
    json_object_deep_copy(x->c->hostconfig, &j->hostconfig, NULL);
    json_object_deep_copy(x->config, &j->exec, NULL);
    j->rootfs = xstrdup(x->c->rootfs);
    j->cid = xstrdup(x->c->id);
    j->rows = rows;
    j->cols = cols;
    j->ops = ops;
    j->priv = priv;
    j->fd = -1;
    j->cb = cb;
    j->arg = arg;
    if (streams)
        snprintf(j->streams, sizeof j->streams, "%s%s%s%s%s",
                 json_get_bool(x->config, "AttachStdin", false) ? "stdin" : "",
                 json_get_bool(x->config, "AttachStdin", false) &&
                         (json_get_bool(x->config, "AttachStdout", false) ||
                          json_get_bool(x->config, "AttachStderr", false))
                     ? ","
                     : "",
                 json_get_bool(x->config, "AttachStdout", false) ? "stdout" : "",
                 json_get_bool(x->config, "AttachStdout", false) &&
                         json_get_bool(x->config, "AttachStderr", false)
                     ? ","
                     : "",
                 json_get_bool(x->config, "AttachStderr", false) ? "stderr" : "");
    if (worker_submit(x->store->d->workers, exec_start_run, exec_start_done_cb, j, err) < 0) {
        exec_start_job_free(j);
        return -1;
    }
    x->started = true;
    exec_emit(x, "exec_start", NULL, NULL); /* before the process runs, as dockerd */
    return 0;
}

static int
exec_driver_op_check(const struct dctl_exec_ops *ops, bool has, dctl_error_t *err)
{
    if (ops == NULL)
        return -1;
    if (!has)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "the exec driver cannot do this to exec sessions");
    return 0;
}

int
exec_resize(struct exec_session *x, unsigned int rows, unsigned int cols, dctl_error_t *err)
{
    const struct dctl_exec_ops *ops;
    void *priv;

    if (x->started && !x->running && !x->ended) {   /* starting: the size once it runs */
        x->want_rows = rows;
        x->want_cols = cols;
        return 0;
    }
    if (!x->running)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "exec %s is not running", x->id);
    ops = container_exec_ops(x->c->store, &priv, err);
    if (exec_driver_op_check(ops, DRIVER_HAS_OP(ops, struct dctl_exec_ops, exec_resize), err) < 0)
        return -1;
    return ops->exec_resize(priv, x->c->id, x->id, rows, cols, err);
}

int
exec_kill(struct exec_session *x, int signo, dctl_error_t *err)
{
    const struct dctl_exec_ops *ops;
    void *priv;

    if (!x->running)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "exec %s is not running", x->id);
    ops = container_exec_ops(x->c->store, &priv, err);
    if (exec_driver_op_check(ops, DRIVER_HAS_OP(ops, struct dctl_exec_ops, exec_kill), err) < 0)
        return -1;
    return ops->exec_kill(priv, x->c->id, x->id, signo, err);
}
