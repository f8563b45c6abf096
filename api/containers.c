/* api/containers.c - the container endpoints: create, list, inspect, start, stop,
 * restart, kill, wait, delete, rename, prune, logs, attach, resize and top, with
 * Docker's shapes (ContainerSummary, ContainerInspectResponse, ContainerWaitResponse,
 * ContainerPruneResponse, ContainerTopResponse) and status codes. The manager
 * (daemon/container.c) does the work; operations that finish later suspend the request
 * and resume it from the manager's callback. Logs are read from the json-file log in
 * bounded pieces on the loop (the tail position is found in a job), framed with
 * Docker's 8-byte headers unless the container has a TTY; follow polls the file and
 * ends once the container has stopped and the file is drained. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/driver.h"
#include "daemon/events.h"
#include "daemon/exec.h"
#include "daemon/health.h"
#include "daemon/image.h"
#include "daemon/security.h"
#include "daemon/worker.h"
#include "detach.h"
#include "filters.h"
#include "lib/frames.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

extern char **environ;

static struct container *
ctr_lookup(struct api_request *req, dctl_error_t *err)
{
    if (req->dctld->containers == NULL) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
        return NULL;
    }
    return container_lookup(req->dctld->containers, api_param(req, 0), err);
}

static struct json_object *
ctr_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}

static struct json_object *
ctr_copy(struct json_object *o)
{
    struct json_object *c = NULL;

    if (o)
        json_object_deep_copy(o, &c, NULL);
    return c;
}

/* ---- asynchronous operations --------------------------------------------------------- */

enum ctr_op_kind { CTR_OP_CREATE, CTR_OP_EMPTY };

/* Owner: the request until the manager calls back, then whoever is last. */
struct ctr_op {
    struct api_request *req;    /* NULL once the client is gone */
    enum ctr_op_kind kind;
    bool in_handler, finished;
};

static void
ctr_op_release(void *data)
{
    struct ctr_op *op = data;

    op->req = NULL;   /* the manager's callback frees it */
}

static void
ctr_op_done_cb(void *arg, struct container *c, int status, dctl_error_t err)
{
    struct ctr_op *op = arg;
    struct api_request *req = op->req;

    op->finished = true;
    if (req == NULL) {
        dctl_error_free(err);
        free(op);
        return;
    }
    req->data = NULL;
    req->data_free = NULL;
    if (status < 0) {
        api_reply_error(req, err);
    } else if (op->kind == CTR_OP_CREATE) {
        struct json_object *o = json_object_new_object();

        dctl_error_free(err);
        json_add_string(o, "Id", c->id);
        json_object_object_add(o, "Warnings", c->create_warnings ? steal_ptr(&c->create_warnings)
                                                                 : json_object_new_array());
        api_reply_json(req, 201, o);
    } else {
        dctl_error_free(err);
        api_reply_empty(req, 204);
    }
    if (op->in_handler)
        return;   /* the handler returns and frees it */
    api_request_resume(req);
    free(op);
}

static struct ctr_op *
ctr_op_new(struct api_request *req, enum ctr_op_kind kind)
{
    struct ctr_op *op = xcalloc(1, sizeof *op);

    op->req = req;
    op->kind = kind;
    op->in_handler = true;
    return op;
}

/* After the manager call: rc < 0 failed (nothing pending), else done now or later. */
static int
ctr_op_finish(struct api_request *req, struct ctr_op *op, int rc)
{
    op->in_handler = false;
    if (rc < 0 || op->finished) {
        free(op);
        return rc;
    }
    req->data = op;
    req->data_free = ctr_op_release;
    api_request_suspend(req);
    return 0;
}

/* ---- POST /containers/create ------------------------------------------------------------ */

static int
ctr_create_handler(struct api_request *req, dctl_error_t *err)
{
    cleanup_json struct json_object *body = NULL;
    struct ctr_op *op;

    if (req->dctld->containers == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    if (api_body_json(req, false, &body, err) < 0)
        return -1;
    op = ctr_op_new(req, CTR_OP_CREATE);
    return ctr_op_finish(req, op, container_create(req->dctld->containers, body,
                                                   api_query(req, "name"), ctr_op_done_cb, op,
                                                   err));
}

/* ---- shapes ---------------------------------------------------------------------------- */

static void
ctr_time(long long ns, char *buf, size_t len)
{
    if (ns == 0)
        snprintf(buf, len, "0001-01-01T00:00:00Z");
    else
        util_format_rfc3339(ns, buf, len);
}

/* go-units HumanDuration. */
static void
ctr_human_duration(long long ns, char *buf, size_t len)
{
    long long secs = ns / 1000000000LL, mins = secs / 60;
    long long hours = (long long)((double)ns / 3.6e12 + 0.5);

    if (secs < 1)
        snprintf(buf, len, "Less than a second");
    else if (secs == 1)
        snprintf(buf, len, "1 second");
    else if (secs < 60)
        snprintf(buf, len, "%lld seconds", secs);
    else if (mins == 1)
        snprintf(buf, len, "About a minute");
    else if (mins < 60)
        snprintf(buf, len, "%lld minutes", mins);
    else if (hours == 1)
        snprintf(buf, len, "About an hour");
    else if (hours < 48)
        snprintf(buf, len, "%lld hours", hours);
    else if (hours < 24 * 7 * 2)
        snprintf(buf, len, "%lld days", hours / 24);
    else if (hours < 24 * 30 * 2)
        snprintf(buf, len, "%lld weeks", hours / 24 / 7);
    else if (hours < 24 * 365 * 2)
        snprintf(buf, len, "%lld months", hours / 24 / 30);
    else
        snprintf(buf, len, "%lld years", secs / 3600 / 24 / 365);
}

/* The Status column of docker ps (container.State.String()). */
static void
ctr_status_text(const struct container *c, char *buf, size_t len)
{
    char d[64];
    long long now = util_now_ns();

    switch (c->status) {
    case CONTAINER_RUNNING:
    case CONTAINER_PAUSED:
        ctr_human_duration(now - c->started_ns, d, sizeof d);
        if (c->status == CONTAINER_PAUSED)
            snprintf(buf, len, "Up %s (Paused)", d);
        else if (c->health)   /* dockerd's Health.String() */
            snprintf(buf, len, "Up %s (%s%s)", d,
                     strcmp(health_status(c), "starting") ? "" : "health: ", health_status(c));
        else
            snprintf(buf, len, "Up %s", d);
        return;
    case CONTAINER_RESTARTING:
        ctr_human_duration(now - c->finished_ns, d, sizeof d);
        snprintf(buf, len, "Restarting (%d) %s ago", c->exit_code, d);
        return;
    case CONTAINER_REMOVING:
        snprintf(buf, len, "Removal In Progress");
        return;
    case CONTAINER_DEAD:
        snprintf(buf, len, "Dead");
        return;
    case CONTAINER_CREATED:
        snprintf(buf, len, "Created");
        return;
    case CONTAINER_EXITED:
        if (c->finished_ns == 0) {
            buf[0] = '\0';
            return;
        }
        ctr_human_duration(now - c->finished_ns, d, sizeof d);
        snprintf(buf, len, "Exited (%d) %s ago", c->exit_code, d);
        return;
    }
    buf[0] = '\0';
}

static void
ctr_path_args(const struct container *c, const char **path, struct json_object **args)
{
    struct json_object *ep = ctr_get(c->config, "Entrypoint"), *cmd = ctr_get(c->config, "Cmd");
    size_t i, ne = ep ? json_object_array_length(ep) : 0;
    size_t nc = cmd ? json_object_array_length(cmd) : 0;

    *args = json_object_new_array();
    *path = "";
    for (i = 0; i < ne + nc; i++) {
        struct json_object *v = i < ne ? json_object_array_get_idx(ep, i)
                                       : json_object_array_get_idx(cmd, i - ne);

        if (i == 0)
            *path = json_object_get_string(v);
        else
            json_object_array_add(*args, json_object_get(v));
    }
}

static char *
ctr_command(const struct container *c)
{
    struct json_object *args;
    const char *path;
    char *s;
    size_t i;

    ctr_path_args(c, &path, &args);
    s = xstrdup(path);
    for (i = 0; i < json_object_array_length(args); i++) {
        char *n = xasprintf("%s %s", s, json_object_get_string(json_object_array_get_idx(args, i)));

        free(s);
        s = n;
    }
    json_object_put(args);
    return s;
}

static struct json_object *
ctr_endpoint(void)
{
    struct json_object *e = json_object_new_object();

    json_object_object_add(e, "IPAMConfig", NULL);
    json_object_object_add(e, "Links", NULL);
    json_object_object_add(e, "Aliases", NULL);
    json_add_string(e, "NetworkID", "");
    json_add_string(e, "EndpointID", "");
    json_add_string(e, "Gateway", "");
    json_add_string(e, "IPAddress", "");
    json_add_int64(e, "IPPrefixLen", 0);
    json_add_string(e, "IPv6Gateway", "");
    json_add_string(e, "GlobalIPv6Address", "");
    json_add_int64(e, "GlobalIPv6PrefixLen", 0);
    json_add_string(e, "MacAddress", "");
    json_object_object_add(e, "DriverOpts", NULL);
    return e;
}

static struct json_object *
ctr_networks(const struct container *c)
{
    struct json_object *n = json_object_new_object();

    json_object_object_add(n, json_get_string(c->hostconfig, "NetworkMode"), ctr_endpoint());
    return n;
}

/* Mounts of inspect and ps: Binds, Mounts and Tmpfs as Docker's MountPoint. */
struct json_object *
api_container_mounts(const struct container *c)
{
    struct json_object *a = json_object_new_array(), *v;
    size_t i;

    v = ctr_get(c->hostconfig, "Binds");
    for (i = 0; v && json_object_is_type(v, json_type_array) && i < json_object_array_length(v);
         i++) {
        cleanup_free char *copy = xstrdup(json_object_get_string(json_object_array_get_idx(v, i)));
        char *src = copy, *dst = strchr(copy, ':'), *mode = NULL;
        struct json_object *m = json_object_new_object();

        if (dst) {
            *dst++ = '\0';
            mode = strchr(dst, ':');
            if (mode)
                *mode++ = '\0';
        }
        json_add_string(m, "Type", "bind");
        json_add_string(m, "Source", src);
        json_add_string(m, "Destination", dst ? dst : "");
        json_add_string(m, "Mode", mode ? mode : "");
        json_add_bool(m, "RW", !(mode && strstr(mode, "ro")));
        json_add_string(m, "Propagation", "rprivate");
        json_object_array_add(a, m);
    }
    v = ctr_get(c->hostconfig, "Mounts");
    for (i = 0; v && json_object_is_type(v, json_type_array) && i < json_object_array_length(v);
         i++) {
        struct json_object *in = json_object_array_get_idx(v, i), *m = json_object_new_object();
        const char *type = json_get_string(in, "Type");

        json_add_string(m, "Type", type ? type : "");
        json_add_string(m, "Source",
                        json_get_string(in, "Source") ? json_get_string(in, "Source") : "");
        json_add_string(m, "Destination", json_get_string(in, "Target"));
        json_add_string(m, "Mode", "");
        json_add_bool(m, "RW", !json_get_bool(in, "ReadOnly", false));
        json_add_string(m, "Propagation", type && strcmp(type, "bind") == 0 ? "rprivate" : "");
        json_object_array_add(a, m);
    }
    return a;
}

static struct json_object *
ctr_summary(struct dctld *d, const struct container *c, bool size, int64_t rw, int64_t rootfs)
{
    struct json_object *o = json_object_new_object(), *names = json_object_new_array();
    struct json_object *hc = json_object_new_object(), *ns = json_object_new_object();
    cleanup_free char *cmd = ctr_command(c);
    char status[96];

    (void)d;
    json_add_string(o, "Id", c->id);
    json_object_array_add(names, json_object_new_string(c->name));
    json_object_object_add(o, "Names", names);
    json_add_string(o, "Image", json_get_string(c->config, "Image"));
    json_add_string(o, "ImageID", c->image_id);
    json_add_string(o, "Command", cmd);
    json_add_int64(o, "Created", c->created_ns / 1000000000LL);
    json_object_object_add(o, "Ports", json_object_new_array());
    if (size) {
        json_add_int64(o, "SizeRw", rw);
        json_add_int64(o, "SizeRootFs", rootfs);
    }
    json_object_object_add(o, "Labels", ctr_copy(ctr_get(c->config, "Labels")));
    json_add_string(o, "State", container_status_name(c->status));
    ctr_status_text(c, status, sizeof status);
    json_add_string(o, "Status", status);
    json_add_string(hc, "NetworkMode", json_get_string(c->hostconfig, "NetworkMode"));
    json_object_object_add(o, "HostConfig", hc);
    json_object_object_add(ns, "Networks", ctr_networks(c));
    json_object_object_add(o, "NetworkSettings", ns);
    json_object_object_add(o, "Mounts", api_container_mounts(c));
    return o;
}

/* SecurityOpt's apparmor=NAME, which dockerd records even where AppArmor is missing (as on
 * this host: nothing applies it); "" otherwise. */
static const char *
ctr_apparmor_profile(struct json_object *hc)
{
    struct security_opts so;
    dctl_error_t err = NULL;

    if (security_opts_parse(ctr_get(hc, "SecurityOpt"), &so, &err) < 0) {
        dctl_error_free(err);
        return "";
    }
    return so.apparmor ? so.apparmor : "";
}

static struct json_object *
ctr_inspect_json(struct dctld *d, const struct container *c, bool size, int64_t rw,
                 int64_t rootfs)
{
    struct json_object *o = json_object_new_object(), *st = json_object_new_object();
    struct json_object *args, *gd = json_object_new_object(), *ns = json_object_new_object();
    struct json_object *hc = ctr_copy(c->hostconfig);
    const char *path;
    char t[64];
    cleanup_free char *hn = xasprintf("%s/hostname", c->dir);
    cleanup_free char *hs = xasprintf("%s/hosts", c->dir);
    cleanup_free char *rs = xasprintf("%s/resolv.conf", c->dir);

    json_add_string(o, "Id", c->id);
    ctr_time(c->created_ns, t, sizeof t);
    json_add_string(o, "Created", t);
    ctr_path_args(c, &path, &args);
    json_add_string(o, "Path", path);
    json_object_object_add(o, "Args", args);
    json_add_string(st, "Status", container_status_name(c->status));
    json_add_bool(st, "Running", container_is_running(c));
    json_add_bool(st, "Paused", c->status == CONTAINER_PAUSED);
    json_add_bool(st, "Restarting", c->status == CONTAINER_RESTARTING);
    json_add_bool(st, "OOMKilled", c->oom_killed);
    json_add_bool(st, "Dead", c->status == CONTAINER_DEAD);
    json_add_int64(st, "Pid", c->pid);
    json_add_int64(st, "ExitCode", c->exit_code);
    json_add_string(st, "Error", c->error ? c->error : "");
    ctr_time(c->started_ns, t, sizeof t);
    json_add_string(st, "StartedAt", t);
    ctr_time(c->finished_ns, t, sizeof t);
    json_add_string(st, "FinishedAt", t);
    if (c->health)
        json_object_object_add(st, "Health", health_to_json(c));
    json_object_object_add(o, "State", st);
    json_add_string(o, "Image", c->image_id);
    json_add_string(o, "ResolvConfPath", rs);
    json_add_string(o, "HostnamePath", hn);
    json_add_string(o, "HostsPath", hs);
    json_add_string(o, "LogPath", c->log_path);
    json_add_string(o, "Name", c->name);
    json_add_int64(o, "RestartCount", c->restart_count);
    json_add_string(o, "Driver", d->images ? d->images->driver_name : "");
    json_add_string(o, "Platform", "linux");
    json_add_string(o, "MountLabel", "");
    json_add_string(o, "ProcessLabel", "");
    json_add_string(o, "AppArmorProfile", ctr_apparmor_profile(hc));
    json_object_object_add(o, "ExecIDs", exec_ids_of(d->execs, c));
    if (hc) {
        if (ctr_get(hc, "Binds") == NULL)
            json_object_object_add(hc, "Binds", NULL);
        json_add_string(hc, "ContainerIDFile", json_get_string(hc, "ContainerIDFile")
                                                   ? json_get_string(hc, "ContainerIDFile") : "");
        if (ctr_get(hc, "PortBindings") == NULL)
            json_object_object_add(hc, "PortBindings", json_object_new_object());
        if (ctr_get(hc, "Privileged") == NULL)
            json_add_bool(hc, "Privileged", false);
        if (ctr_get(hc, "ReadonlyRootfs") == NULL)
            json_add_bool(hc, "ReadonlyRootfs", false);
        if (ctr_get(hc, "Runtime") == NULL)
            json_add_string(hc, "Runtime", d->drivers && d->drivers->exec
                                               ? d->drivers->exec->desc->name : "");
    }
    json_object_object_add(o, "HostConfig", hc);
    json_object_object_add(gd, "Data", NULL);
    json_add_string(gd, "Name", d->images ? d->images->driver_name : "");
    json_object_object_add(o, "GraphDriver", gd);
    if (size) {
        json_add_int64(o, "SizeRw", rw);
        json_add_int64(o, "SizeRootFs", rootfs);
    }
    json_object_object_add(o, "Mounts", api_container_mounts(c));
    json_object_object_add(o, "Config", ctr_copy(c->config));
    json_add_string(ns, "Bridge", "");
    json_add_string(ns, "SandboxID", "");
    json_add_bool(ns, "HairpinMode", false);
    json_add_string(ns, "LinkLocalIPv6Address", "");
    json_add_int64(ns, "LinkLocalIPv6PrefixLen", 0);
    json_object_object_add(ns, "Ports", json_object_new_object());
    json_add_string(ns, "SandboxKey", "");
    json_object_object_add(ns, "SecondaryIPAddresses", NULL);
    json_object_object_add(ns, "SecondaryIPv6Addresses", NULL);
    json_add_string(ns, "EndpointID", "");
    json_add_string(ns, "Gateway", "");
    json_add_string(ns, "GlobalIPv6Address", "");
    json_add_int64(ns, "GlobalIPv6PrefixLen", 0);
    json_add_string(ns, "IPAddress", "");
    json_add_int64(ns, "IPPrefixLen", 0);
    json_add_string(ns, "IPv6Gateway", "");
    json_add_string(ns, "MacAddress", "");
    json_object_object_add(ns, "Networks", ctr_networks(c));
    json_object_object_add(o, "NetworkSettings", ns);
    return o;
}

/* ---- sizes (a job): SizeRw and SizeRootFs of some containers --------------------------- */

struct ctr_size_job {
    struct api_request *req;
    struct dctld *d;
    struct container **v;
    size_t n;
    int64_t *rw, *rootfs;
    char (*chains)[DIGEST_STRING_MAX];
    bool inspect;
};

static void
ctr_size_job_free(struct ctr_size_job *j)
{
    size_t i;

    for (i = 0; i < j->n; i++)
        container_unref(j->v[i]);
    free(j->v);
    free(j->rw);
    free(j->rootfs);
    free(j->chains);
    free(j);
}

static void
ctr_size_release(void *data)
{
    struct ctr_size_job *j = data;

    j->req = NULL;
}

static int
ctr_size_run(void *job, dctl_error_t *err)
{
    struct ctr_size_job *j = job;
    struct layerstore *ls = j->d->images ? j->d->images->layers : NULL;
    size_t i;

    (void)err;
    for (i = 0; i < j->n; i++) {
        dctl_error_t e = NULL;

        j->rw[i] = 0;
        if (ls && layerstore_mount_size(ls, j->v[i]->id, &j->rw[i], &e) < 0)
            dctl_error_free(e);
        j->rootfs[i] = j->rw[i] + (ls ? layerstore_chain_size(ls, j->chains[i]) : 0);
    }
    return 0;
}

static void
ctr_size_done_cb(void *job, int status, dctl_error_t err)
{
    struct ctr_size_job *j = job;
    struct api_request *req = j->req;
    size_t i;

    (void)status;
    dctl_error_free(err);
    if (req) {
        req->data = NULL;
        req->data_free = NULL;
        if (j->inspect) {
            api_reply_json(req, 200, ctr_inspect_json(j->d, j->v[0], true, j->rw[0],
                                                      j->rootfs[0]));
        } else {
            struct json_object *a = json_object_new_array();

            for (i = 0; i < j->n; i++)
                if (!j->v[i]->removed)
                    json_object_array_add(a, ctr_summary(j->d, j->v[i], true, j->rw[i],
                                                         j->rootfs[i]));
            api_reply_json(req, 200, a);
        }
        api_request_resume(req);
    }
    ctr_size_job_free(j);
}

static int
ctr_size_submit(struct api_request *req, struct container **v, size_t n, bool inspect,
                dctl_error_t *err)
{
    struct ctr_size_job *j = xcalloc(1, sizeof *j);
    size_t i;

    j->req = req;
    j->d = req->dctld;
    j->inspect = inspect;
    j->n = n;
    j->v = xcalloc(n + 1, sizeof *j->v);
    j->rw = xcalloc(n + 1, sizeof *j->rw);
    j->rootfs = xcalloc(n + 1, sizeof *j->rootfs);
    j->chains = xcalloc(n + 1, sizeof *j->chains);
    for (i = 0; i < n; i++) {
        struct image *img = req->dctld->images
                                ? imagestore_get(req->dctld->images->images, v[i]->image_id)
                                : NULL;

        j->v[i] = container_ref(v[i]);
        if (img) {
            snprintf(j->chains[i], sizeof j->chains[i], "%s", img->top_chain);
            image_unref(img);
        }
    }
    if (worker_submit(req->dctld->workers, ctr_size_run, ctr_size_done_cb, j, err) < 0) {
        ctr_size_job_free(j);
        return -1;
    }
    req->data = j;
    req->data_free = ctr_size_release;
    api_request_suspend(req);
    return 0;
}

/* ---- GET /containers/{id}/json ----------------------------------------------------------- */

static int
ctr_inspect_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);

    if (c == NULL)
        return -1;
    if (api_query_bool(req, "size", false))
        return ctr_size_submit(req, &c, 1, true, err);
    api_reply_json(req, 200, ctr_inspect_json(req->dctld, c, false, 0, 0));
    return 0;
}

/* ---- GET /containers/json ---------------------------------------------------------------- */

static const char *const ctr_list_filters[] = {
    "id", "name", "label", "status", "exited", "ancestor", "before", "since", "volume",
    "network", "health", "isolation", "is-task", "publish", "expose", NULL,
};

static bool
ctr_name_match(const struct filters *f, const struct container *c)
{
    size_t n = 0, i;
    const char *const *v = filters_get(f, "name", &n);

    if (v == NULL || n == 0)
        return true;
    for (i = 0; i < n; i++) {
        regex_t re;
        bool m;

        if (regcomp(&re, v[i], REG_EXTENDED | REG_NOSUB) != 0)
            continue;
        m = regexec(&re, c->name, 0, NULL, 0) == 0 || regexec(&re, c->name + 1, 0, NULL, 0) == 0;
        regfree(&re);
        if (m)
            return true;
    }
    return false;
}

static bool
ctr_ancestor_match(struct dctld *d, const struct filters *f, const struct container *c)
{
    size_t n = 0, i;
    const char *const *v = filters_get(f, "ancestor", &n);

    if (v == NULL || n == 0)
        return true;
    for (i = 0; i < n; i++) {
        dctl_error_t e = NULL;
        struct image *img = d->images ? image_service_lookup(d->images, v[i], &e) : NULL;
        bool m = img && strcmp(img->id, c->image_id) == 0;

        dctl_error_free(e);
        image_unref(img);
        if (m || strcmp(v[i], json_get_string(c->config, "Image")) == 0)
            return true;
    }
    return false;
}

static bool
ctr_volume_match(const struct filters *f, const struct container *c)
{
    size_t n = 0, i, k;
    const char *const *v = filters_get(f, "volume", &n);
    cleanup_json struct json_object *mounts = NULL;

    if (v == NULL || n == 0)
        return true;
    mounts = api_container_mounts(c);
    for (i = 0; i < n; i++)
        for (k = 0; k < json_object_array_length(mounts); k++) {
            struct json_object *m = json_object_array_get_idx(mounts, k);

            if (strcmp(v[i], json_get_string(m, "Source")) == 0 ||
                strcmp(v[i], json_get_string(m, "Destination")) == 0)
                return true;
        }
    return false;
}

/* The Created time of the container a before/since filter names. */
static int
ctr_filter_time(struct api_request *req, const struct filters *f, const char *key,
                long long *out, dctl_error_t *err)
{
    size_t n = 0;
    const char *const *v = filters_get(f, key, &n);
    struct container *c;

    if (n == 0)
        return 0;
    c = container_lookup(req->dctld->containers, v[n - 1], err);
    if (c == NULL)
        return -1;
    *out = c->created_ns;
    return 0;
}

/* The rows of a listing without sizes, as text: each container's fixed part is
 * serialised once (ctr_summary less Names, State and Status) and kept in c->list_row,
 * so a listing of many containers is mostly copying (json-c's allocations dominated). */
static void
ctr_list_reply(struct api_request *req, struct container *const *sel, size_t n)
{
    cleanup_free char *text = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&text, &len);

    fputc('[', f);
    for (i = 0; i < n; i++) {
        struct container *c = sel[i];
        cleanup_json struct json_object *name = json_object_new_string(c->name);
        char status[96];

        if (c->list_row == NULL) {
            cleanup_json struct json_object *o = ctr_summary(req->dctld, c, false, 0, 0);
            const char *row;

            json_object_object_del(o, "Names");
            json_object_object_del(o, "State");
            json_object_object_del(o, "Status");
            row = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE);
            c->list_row = xstrdup(row + 1);   /* without its "{" */
        }
        ctr_status_text(c, status, sizeof status);
        fprintf(f, "%s{\"Names\":[%s],\"State\":\"%s\",\"Status\":\"%s\",%s", i ? "," : "",
                json_object_to_json_string_ext(name, JSON_C_TO_STRING_NOSLASHESCAPE),
                container_status_name(c->status), status, c->list_row);
    }
    fputs("]\n", f);
    fclose(f);
    api_reply(req, 200, "application/json", text, len);
}

static int
ctr_list_handler(struct api_request *req, dctl_error_t *err)
{
    cleanup_filters struct filters *f = NULL;
    cleanup_free struct container **all = NULL;
    struct container **sel;
    bool all_flag = api_query_bool(req, "all", false), size = api_query_bool(req, "size", false);
    long long limit = -1, before = LLONG_MAX, since = LLONG_MIN;
    size_t n, i, nsel = 0, k, nv;
    const char *const *vals;

    if (req->dctld->containers == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    if (api_query_int(req, "limit", -1, &limit, err) < 0)
        return -1;
    f = filters_parse(api_query(req, "filters"), err);
    if (f == NULL || filters_validate(f, ctr_list_filters, err) < 0)
        return -1;
    vals = filters_get(f, "status", &nv);
    for (k = 0; vals && k < nv; k++) {
        static const char *const ok[] = { "created", "restarting", "running", "removing",
                                          "paused", "exited", "dead" };
        size_t m;

        for (m = 0; m < ARRAY_SIZE(ok); m++)
            if (strcmp(vals[k], ok[m]) == 0)
                break;
        if (m == ARRAY_SIZE(ok))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid filter 'status=%s'",
                                  vals[k]);
    }
    vals = filters_get(f, "exited", &nv);
    for (k = 0; vals && k < nv; k++) {
        long long code;

        if (util_parse_int64(vals[k], &code) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid filter 'exited=%s'",
                                  vals[k]);
    }
    vals = filters_get(f, "health", &nv);
    for (k = 0; vals && k < nv; k++)
        if (strcmp(vals[k], "starting") && strcmp(vals[k], "healthy") &&
            strcmp(vals[k], "unhealthy") && strcmp(vals[k], "none"))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Unrecognised filter value for health: %s", vals[k]);
    if (ctr_filter_time(req, f, "before", &before, err) < 0 ||
        ctr_filter_time(req, f, "since", &since, err) < 0)
        return -1;
    if (limit > 0 || filters_contains(f, "status") || filters_contains(f, "exited") ||
        filters_contains(f, "since") || filters_contains(f, "before"))
        all_flag = all_flag || limit > 0 || filters_contains(f, "status") ||
                   filters_contains(f, "exited");
    all = container_list(req->dctld->containers, &n);
    sel = xcalloc(n + 1, sizeof *sel);
    for (i = 0; i < n; i++) {
        struct container *c = all[i];
        char code[16];

        if (!all_flag && !container_is_running(c) && !filters_contains(f, "status"))
            continue;
        if (c->created_ns >= before || c->created_ns <= since)
            continue;
        if (!filters_match_fuzzy(f, "id", c->id) || !ctr_name_match(f, c) ||
            !filters_match_kv(f, "label", ctr_get(c->config, "Labels")) ||
            !filters_match_exact(f, "status", container_status_name(c->status)) ||
            !ctr_ancestor_match(req->dctld, f, c) || !ctr_volume_match(f, c) ||
            !filters_match_exact(f, "network", json_get_string(c->hostconfig, "NetworkMode")) ||
            !filters_match_exact(f, "health", health_status(c)))
            continue;
        if (filters_contains(f, "exited")) {
            snprintf(code, sizeof code, "%d", c->exit_code);
            if (c->status != CONTAINER_EXITED || !filters_match_exact(f, "exited", code))
                continue;
        }
        sel[nsel++] = c;
        if (limit > 0 && (long long)nsel >= limit)
            break;
    }
    if (size) {
        int rc = ctr_size_submit(req, sel, nsel, false, err);

        free(sel);
        return rc;
    }
    ctr_list_reply(req, sel, nsel);
    free(sel);
    return 0;
}

/* ---- start, stop, restart, kill, delete, rename ------------------------------------------ */

static int
ctr_start_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    struct ctr_op *op;

    if (c == NULL)
        return -1;
    op = ctr_op_new(req, CTR_OP_EMPTY);
    return ctr_op_finish(req, op, container_start(c, ctr_op_done_cb, op, err));
}

static int
ctr_stop_params(struct api_request *req, bool *tset, long long *t, dctl_error_t *err)
{
    *tset = api_query(req, "t") != NULL && *api_query(req, "t") != '\0';
    if (*tset && api_query_int(req, "t", 10, t, err) < 0)
        return -1;
    if (api_query(req, "signal") && *api_query(req, "signal") &&
        container_signal_parse(api_query(req, "signal")) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Invalid signal: %s",
                              api_query(req, "signal"));
    return 0;
}

static int
ctr_stop_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    struct ctr_op *op;
    long long t = 10;
    bool tset;

    if (c == NULL || ctr_stop_params(req, &tset, &t, err) < 0)
        return -1;
    op = ctr_op_new(req, CTR_OP_EMPTY);
    return ctr_op_finish(req, op, container_stop(c, api_query(req, "signal"), tset, t,
                                                 ctr_op_done_cb, op, err));
}

static int
ctr_restart_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    struct ctr_op *op;
    long long t = 10;
    bool tset;

    if (c == NULL || ctr_stop_params(req, &tset, &t, err) < 0)
        return -1;
    op = ctr_op_new(req, CTR_OP_EMPTY);
    return ctr_op_finish(req, op, container_restart(c, api_query(req, "signal"), tset, t,
                                                    ctr_op_done_cb, op, err));
}

static int
ctr_kill_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);

    if (c == NULL || container_kill(c, api_query(req, "signal"), err) < 0)
        return -1;
    api_reply_empty(req, 204);
    return 0;
}

static int
ctr_delete_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    struct ctr_op *op;

    if (c == NULL)
        return -1;
    if (api_query_bool(req, "link", false))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Conflict, cannot remove the default link name of the container");
    op = ctr_op_new(req, CTR_OP_EMPTY);
    return ctr_op_finish(req, op, container_remove(c, api_query_bool(req, "force", false),
                                                   ctr_op_done_cb, op, err));
}

static int
ctr_rename_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);

    if (c == NULL || container_rename(c, api_query(req, "name"), err) < 0)
        return -1;
    api_reply_empty(req, 204);
    return 0;
}

/* ---- POST /containers/{id}/wait ---------------------------------------------------------- */

/* Owner: the stream (closed: freed) and the waiter; the last to let go frees it. */
struct ctr_wait {
    struct api_stream *st;
    struct container_waiter *w;
    bool stream_gone, fired;
};

static void
ctr_wait_fired_cb(void *arg, int code, const char *error)
{
    struct ctr_wait *cw = arg;
    struct json_object *o = json_object_new_object();
    cleanup_free char *text = NULL;

    cw->w = NULL;
    cw->fired = true;
    if (cw->stream_gone) {
        json_object_put(o);
        free(cw);
        return;
    }
    json_add_int64(o, "StatusCode", code < 0 ? 255 : code);
    if (error && *error) {
        struct json_object *e = json_object_new_object();

        json_add_string(e, "Message", error);
        json_object_object_add(o, "Error", e);
    } else {
        json_object_object_add(o, "Error", NULL);
    }
    text = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    api_stream_write(cw->st, text, strlen(text));
    api_stream_end(cw->st);
}

static void
ctr_wait_close_cb(void *arg)
{
    struct ctr_wait *cw = arg;

    cw->stream_gone = true;
    if (cw->fired) {
        free(cw);
        return;
    }
    container_wait_cancel(cw->w);
    free(cw);
}

static int
ctr_wait_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    enum container_wait_cond cond;
    struct ctr_wait *cw;

    if (c == NULL || container_wait_cond_parse(api_query(req, "condition"), &cond, err) < 0)
        return -1;
    cw = xcalloc(1, sizeof *cw);
    cw->st = api_stream_new(req, "application/json", ctr_wait_close_cb, cw);
    cw->w = container_wait(c, cond, ctr_wait_fired_cb, cw, err);
    return 0;
}

/* ---- POST /containers/prune ----------------------------------------------------------- */

static const char *const ctr_prune_filters[] = { "until", "label", "label!", NULL };

struct ctr_prune {
    struct api_request *req;
    struct filters *f;
    long long until;
};

static bool
ctr_prune_match(struct container *c, void *arg)
{
    struct ctr_prune *p = arg;
    struct json_object *labels = ctr_get(c->config, "Labels");

    if (p->until != LLONG_MAX && c->created_ns >= p->until)
        return false;
    if (!filters_match_kv(p->f, "label", labels))
        return false;
    if (filters_contains(p->f, "label!")) {
        size_t n = 0, i;
        const char *const *v = filters_get(p->f, "label!", &n);

        for (i = 0; i < n; i++) {
            cleanup_filters struct filters *one = filters_new();

            filters_add(one, "label", v[i]);
            if (filters_match_kv(one, "label", labels))
                return false;
        }
    }
    return true;
}

static void
ctr_prune_release(void *data)
{
    struct ctr_prune *p = data;

    p->req = NULL;
}

static void
ctr_prune_done(void *arg, struct json_object *deleted, int64_t reclaimed)
{
    struct ctr_prune *p = arg;
    struct api_request *req = p->req;

    if (req) {
        struct json_object *o = json_object_new_object();

        req->data = NULL;
        req->data_free = NULL;
        json_object_object_add(o, "ContainersDeleted",
                               json_object_array_length(deleted) ? json_object_get(deleted)
                                                                 : NULL);
        json_add_int64(o, "SpaceReclaimed", reclaimed);
        api_reply_json(req, 200, o);
        api_request_resume(req);
    }
    json_object_put(deleted);
    filters_free(p->f);
    free(p);
}

static int
ctr_prune_handler(struct api_request *req, dctl_error_t *err)
{
    struct filters *f;
    struct ctr_prune *p;
    long long until = LLONG_MAX;

    if (req->dctld->containers == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    f = filters_parse(api_query(req, "filters"), err);
    if (f == NULL)
        return -1;
    if (filters_validate(f, ctr_prune_filters, err) < 0) {
        filters_free(f);
        return -1;
    }
    if (filters_contains(f, "until")) {
        size_t n = 0;
        const char *const *v = filters_get(f, "until", &n);

        if (n == 0 || util_parse_timestamp(v[n - 1], util_now_ns(), &until) < 0) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "failed to parse value %s for until",
                           n ? v[n - 1] : "");
            filters_free(f);
            return -1;
        }
    }
    p = xcalloc(1, sizeof *p);
    p->req = req;
    p->f = f;
    p->until = until;
    if (container_prune(req->dctld->containers, ctr_prune_match, p, ctr_prune_done, p, err) < 0) {
        filters_free(f);
        free(p);
        return -1;
    }
    req->data = p;
    req->data_free = ctr_prune_release;
    api_request_suspend(req);
    return 0;
}

/* ---- GET /containers/{id}/logs ------------------------------------------------------- */

#define LOGS_CHUNK (64 * 1024)
#define LOGS_PENDING_MAX (1u << 20)

/* Owner: the request while the tail job runs, then the stream (freed on close). */
struct ctr_logs {
    struct api_request *req;
    struct api_stream *st;
    struct container *c;
    struct event_base *base;
    bool out, err, ts, follow, tty, running_job, stream_gone;
    long long since, until, tail;
    char **files;                 /* oldest first; the last is the live log */
    size_t nfiles, idx;
    off_t start;                  /* offset into files[idx] where reading begins */
    int fd;
    ino_t ino;
    char *partial;
    size_t plen;
    struct event *ev;
    bool done;
    /* where the output goes: a chunked stream (logs) or an attach session */
    void (*sink_write)(struct ctr_logs *l, const void *data, size_t len);
    size_t (*sink_pending)(struct ctr_logs *l);
    void (*sink_end)(struct ctr_logs *l);
    void *owner;
    long long wait_start_after;   /* attach before start: output begins with a later start */
    int ifd;                      /* inotify on the container directory, or -1 */
    struct event *iev;
    struct container_waiter *exit_w;   /* wakes a follower when the container exits */
};

static void
ctr_logs_stream_write(struct ctr_logs *l, const void *data, size_t len)
{
    api_stream_write(l->st, data, len);
}

static size_t
ctr_logs_stream_pending(struct ctr_logs *l)
{
    return api_stream_pending(l->st);
}

static void
ctr_logs_stream_end(struct ctr_logs *l)
{
    api_stream_end(l->st);
}

static void
ctr_logs_free(struct ctr_logs *l)
{
    size_t i;

    for (i = 0; i < l->nfiles; i++)
        free(l->files[i]);
    free(l->files);
    if (l->fd >= 0)
        close(l->fd);
    free(l->partial);
    container_wait_cancel(l->exit_w);
    if (l->ev)
        event_free(l->ev);
    if (l->iev)
        event_free(l->iev);
    if (l->ifd >= 0)
        close(l->ifd);
    container_unref(l->c);
    free(l);
}

/* The log files, oldest first: ID-json.log.N ... .1, ID-json.log. */
static void
ctr_logs_files(struct ctr_logs *l)
{
    int i, max = 0;
    struct stat st;

    for (i = 1; i < 1000; i++) {
        cleanup_free char *p = xasprintf("%s.%d", l->c->log_path, i);

        if (stat(p, &st) < 0)
            break;
        max = i;
    }
    l->files = xcalloc((size_t)max + 2, sizeof *l->files);
    for (i = max; i >= 1; i--)
        l->files[l->nfiles++] = xasprintf("%s.%d", l->c->log_path, i);
    l->files[l->nfiles++] = xstrdup(l->c->log_path);
}

/* Tail: walk back from the end of the newest file counting lines (each file ends with
 * a newline; a line is counted at the newline before it, or at its file's start). */
static int
ctr_logs_tail_run(void *job, dctl_error_t *err)
{
    struct ctr_logs *l = job;
    long long want = l->tail, count = 0;
    size_t f;

    (void)err;
    l->idx = 0;
    l->start = 0;
    if (want < 0)
        return 0;
    if (want == 0) {   /* nothing: read from the end */
        struct stat st;

        l->idx = l->nfiles - 1;
        l->start = stat(l->files[l->idx], &st) == 0 ? st.st_size : 0;
        return 0;
    }
    for (f = l->nfiles; f-- > 0;) {
        cleanup_close int fd = open(l->files[f], O_RDONLY | O_CLOEXEC);
        char buf[8192];
        struct stat st;
        off_t pos;

        if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
            continue;
        pos = st.st_size;
        while (pos > 0) {
            size_t n = pos > (off_t)sizeof buf ? sizeof buf : (size_t)pos;
            ssize_t r, i;

            pos -= (off_t)n;
            r = pread(fd, buf, n, pos);
            if (r <= 0)
                break;
            for (i = r; i-- > 0;) {
                if (buf[i] != '\n' || pos + i == st.st_size - 1)
                    continue;
                if (++count == want) {
                    l->idx = f;
                    l->start = pos + i + 1;
                    return 0;
                }
            }
        }
        if (++count == want) {   /* the file's first line */
            l->idx = f;
            l->start = 0;
            return 0;
        }
    }
    return 0;
}

static void ctr_logs_pump(struct ctr_logs *l);

static void
ctr_logs_ev_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ctr_logs_pump(arg);
}

static void
ctr_logs_close_cb(void *arg)
{
    struct ctr_logs *l = arg;

    ctr_logs_free(l);
}

static void
ctr_logs_emit_line(struct ctr_logs *l, const char *line, size_t len)
{
    cleanup_json struct json_object *o = NULL;
    dctl_error_t e = NULL;
    const char *log, *stream, *time;
    long long t = 0;
    size_t loglen;
    uint8_t hdr[FRAMES_HEADER];
    char ts[64] = "";
    size_t total;

    o = json_parse_object(line, len, "log line", &e);
    if (o == NULL) {
        dctl_error_free(e);
        return;
    }
    log = json_get_string(o, "log");
    stream = json_get_string(o, "stream");
    time = json_get_string(o, "time");
    if (log == NULL || stream == NULL)
        return;
    if ((strcmp(stream, "stdout") == 0 && !l->out) || (strcmp(stream, "stderr") == 0 && !l->err))
        return;
    if (time && util_parse_timestamp(time, 0, &t) < 0)
        t = 0;
    if (l->since && t < l->since)
        return;
    if (l->until && t > l->until) {
        l->done = true;
        return;
    }
    loglen = json_object_get_string_len(json_object_object_get(o, "log"));
    if (l->ts) {
        util_format_rfc3339(t, ts, sizeof ts);
        strcat(ts, " ");
    }
    total = strlen(ts) + loglen;
    if (!l->tty) {
        frames_header(hdr, strcmp(stream, "stderr") == 0 ? 2 : 1, (uint32_t)total);
        l->sink_write(l, hdr, sizeof hdr);
    }
    if (*ts)
        l->sink_write(l, ts, strlen(ts));
    l->sink_write(l, log, loglen);
}

/* Opens files[idx] (at start for the first), remembering its inode. */
static bool
ctr_logs_open(struct ctr_logs *l, off_t at)
{
    struct stat st;

    if (l->fd >= 0)
        close(l->fd);
    l->fd = open(l->files[l->idx], O_RDONLY | O_CLOEXEC);
    if (l->fd < 0)
        return false;
    if (fstat(l->fd, &st) == 0)
        l->ino = st.st_ino;
    if (at > 0)
        lseek(l->fd, at, SEEK_SET);
    return true;
}

static void
ctr_logs_finish(struct ctr_logs *l)
{
    l->done = true;
    container_wait_cancel(l->exit_w);
    l->exit_w = NULL;
    l->sink_end(l);
}

static void
ctr_logs_exit_cb(void *arg, int exit_code, const char *error)
{
    struct ctr_logs *l = arg;

    (void)exit_code;
    (void)error;
    l->exit_w = NULL;   /* freed by the container */
    if (!l->done) {     /* read what is left, then end (or go on if it restarts) */
        event_del(l->ev);
        event_active(l->ev, EV_TIMEOUT, 0);
    }
}

/* A follower waits for the file (inotify), the container's exit (a waiter) or, as a
 * fallback, the poll timer. */
static void
ctr_logs_wait(struct ctr_logs *l)
{
    struct timeval poll = { 0, 100 * 1000 };

    if (l->exit_w == NULL && !l->c->removed)
        l->exit_w = container_wait(l->c, CONTAINER_WAIT_NEXT_EXIT, ctr_logs_exit_cb, l, NULL);
    evtimer_add(l->ev, &poll);
}

/* Reads a bounded piece, emits whole lines; then re-arms itself, waits for the client
 * (back-pressure) or the file (follow), or ends. */
static void
ctr_logs_pump(struct ctr_logs *l)
{
    char buf[LOGS_CHUNK];
    struct timeval poll = { 0, 100 * 1000 };
    ssize_t r;

    if (l->done)
        return;
    if (l->wait_start_after) {   /* attached before the start: wait for it */
        if (l->c->removed || l->c->start_failed_ns > l->wait_start_after ||
            (l->c->started_ns <= l->wait_start_after &&
             l->c->finished_ns > l->wait_start_after)) {
            ctr_logs_finish(l);   /* gone, or failed to start */
            return;
        }
        if (l->c->started_ns <= l->wait_start_after) {
            ctr_logs_wait(l);
            return;
        }
        l->wait_start_after = 0;
    }
    if (l->sink_pending(l) > LOGS_PENDING_MAX) {
        evtimer_add(l->ev, &poll);
        return;
    }
    if (l->fd < 0) {
        if (!ctr_logs_open(l, 0)) {
            if (l->idx + 1 < l->nfiles) {
                l->idx++;
                event_active(l->ev, EV_TIMEOUT, 0);
                return;
            }
            if (l->follow && container_is_running(l->c) && !l->c->removed) {
                ctr_logs_wait(l);
                return;
            }
            ctr_logs_finish(l);
            return;
        }
    }
    r = read(l->fd, buf, sizeof buf);
    if (r > 0) {
        size_t i, startl = 0;

        l->partial = xrealloc(l->partial, l->plen + (size_t)r + 1);
        memcpy(l->partial + l->plen, buf, (size_t)r);
        l->plen += (size_t)r;
        for (i = 0; i < l->plen && !l->done; i++) {
            if (l->partial[i] != '\n')
                continue;
            ctr_logs_emit_line(l, l->partial + startl, i - startl);
            startl = i + 1;
        }
        memmove(l->partial, l->partial + startl, l->plen - startl);
        l->plen -= startl;
        if (l->done) {
            ctr_logs_finish(l);
            return;
        }
        event_active(l->ev, EV_TIMEOUT, 0);
        return;
    }
    /* end of this file */
    if (l->idx + 1 < l->nfiles) {
        l->idx++;
        l->plen = 0;
        close(l->fd);
        l->fd = -1;
        event_active(l->ev, EV_TIMEOUT, 0);
        return;
    }
    if (l->follow) {
        struct stat st;

        /* rotated: the live name is a new file; finish the old one first (done: EOF) */
        if (stat(l->files[l->idx], &st) == 0 && st.st_ino != l->ino) {
            l->plen = 0;
            ctr_logs_open(l, 0);
            event_active(l->ev, EV_TIMEOUT, 0);
            return;
        }
        if ((container_is_running(l->c) || l->c->busy) && !l->c->removed &&
            (l->until == 0 || util_now_ns() < l->until)) {
            ctr_logs_wait(l);
            return;
        }
    }
    ctr_logs_finish(l);
}

static void
ctr_logs_inotify_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ctr_logs *l = arg;
    char buf[4096];

    (void)what;
    while (read(fd, buf, sizeof buf) > 0)
        ;
    if (!l->done && !event_pending(l->ev, EV_TIMEOUT, NULL))
        ctr_logs_pump(l);
    else if (!l->done) {
        event_del(l->ev);
        ctr_logs_pump(l);
    }
}

/* Starts reading: at l->start of files[idx]; a follower also watches the container's
 * directory so that new lines are read as they are written (the poll stays as a
 * fallback and for the container's end). */
static void
ctr_logs_begin(struct ctr_logs *l)
{
    l->ev = evtimer_new(l->base, ctr_logs_ev_cb, l);
    l->ifd = -1;
    if (l->follow) {
        l->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (l->ifd >= 0 && inotify_add_watch(l->ifd, l->c->dir, IN_MODIFY | IN_CREATE |
                                             IN_MOVED_TO | IN_CLOSE_WRITE) >= 0) {
            l->iev = event_new(l->base, l->ifd, EV_READ | EV_PERSIST, ctr_logs_inotify_cb, l);
            event_add(l->iev, NULL);
        }
    }
    if (ctr_logs_open(l, l->start) == false)
        l->fd = -1;
    event_active(l->ev, EV_TIMEOUT, 0);
}

static void
ctr_logs_release(void *data)
{
    struct ctr_logs *l = data;

    if (l->running_job)
        l->req = NULL;
    else
        ctr_logs_free(l);
}

static void
ctr_logs_tail_done_cb(void *job, int status, dctl_error_t err)
{
    struct ctr_logs *l = job;
    struct api_request *req = l->req;

    (void)status;
    dctl_error_free(err);
    l->running_job = false;
    if (req == NULL) {
        ctr_logs_free(l);
        return;
    }
    req->data = NULL;
    req->data_free = NULL;
    l->st = api_stream_new(req, l->tty ? "application/vnd.docker.raw-stream"
                                       : "application/vnd.docker.multiplexed-stream",
                           ctr_logs_close_cb, l);
    ctr_logs_begin(l);
    api_request_resume(req);
}

static int
ctr_logs_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    struct ctr_logs *l;
    struct json_object *lc;
    const char *tail = api_query(req, "tail"), *since = api_query(req, "since");
    const char *until = api_query(req, "until"), *type;
    long long ntail = -1, tsince = 0, tuntil = 0;

    if (c == NULL)
        return -1;
    if (!api_query_bool(req, "stdout", false) && !api_query_bool(req, "stderr", false))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Bad parameters: you must choose at least one stream");
    lc = ctr_get(c->hostconfig, "LogConfig");
    type = json_get_string(lc, "Type");
    if (type && strcmp(type, "none") == 0)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "configured logging driver does not support reading");
    if (tail && *tail && strcmp(tail, "all") != 0 &&
        (util_parse_int64(tail, &ntail) < 0 || ntail < 0))
        ntail = -1;   /* dockerd reads a bad tail as "all" */
    if (since && *since && strcmp(since, "0") != 0 &&
        util_parse_timestamp(since, util_now_ns(), &tsince) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid value for \"since\": %s",
                              since);
    if (until && *until && strcmp(until, "0") != 0 &&
        util_parse_timestamp(until, util_now_ns(), &tuntil) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid value for \"until\": %s",
                              until);
    l = xcalloc(1, sizeof *l);
    l->req = req;
    l->ifd = -1;
    l->sink_write = ctr_logs_stream_write;
    l->sink_pending = ctr_logs_stream_pending;
    l->sink_end = ctr_logs_stream_end;
    l->c = container_ref(c);
    l->base = req->dctld->base;
    l->fd = -1;
    l->out = api_query_bool(req, "stdout", false);
    l->err = api_query_bool(req, "stderr", false);
    l->ts = api_query_bool(req, "timestamps", false);
    l->follow = api_query_bool(req, "follow", false);
    l->tty = json_get_bool(c->config, "Tty", false);
    l->since = tsince;
    l->until = tuntil;
    l->tail = ntail;
    ctr_logs_files(l);
    if (worker_submit(req->dctld->workers, ctr_logs_tail_run, ctr_logs_tail_done_cb, l, err) < 0) {
        ctr_logs_free(l);
        return -1;
    }
    l->running_job = true;
    req->data = l;
    req->data_free = ctr_logs_release;
    api_request_suspend(req);
    return 0;
}

/* ---- POST /containers/{id}/attach ------------------------------------------------------ */

/* An attach session. Without a TTY, output comes from the json-file log (followed from
 * the moment of the attach, or from the next start when the container is not running
 * yet, as `docker run` attaches before it starts), so that nothing the command writes
 * early is missed. With a TTY (a prompt has no newline) or log driver "none" it comes
 * live from the exec driver's attach socket, connected as soon as the container runs.
 * Stdin goes to the exec driver's attach socket ("attach stdin"), connected once the
 * container runs. Owner: the request (req->data) until the hijack closes. */
struct ctr_attach {
    struct api_request *req;
    struct dctld *d;
    struct container *c;
    struct api_hijack *h;
    bool in, out, err, tty, logs_replay, live_output, stream;
    struct api_detach detach;
    struct bufferevent *client, *shim;
    struct evbuffer *pending_in;     /* stdin before the shim is connected */
    struct ctr_logs *follower, *replay;
    struct event *connect_ev;
    long long attached_ns;
    bool client_eof, closing, upgraded, emitted_detach;
};

static void ctr_attach_close(struct ctr_attach *a);
static void ctr_attach_shim_written_cb(struct bufferevent *bev, void *arg);

static void
ctr_attach_free(void *data)
{
    struct ctr_attach *a = data;

    if (a->follower)
        ctr_logs_free(a->follower);
    if (a->replay)
        ctr_logs_free(a->replay);
    if (a->client)
        bufferevent_free(a->client);
    if (a->shim)
        bufferevent_free(a->shim);
    if (a->pending_in)
        evbuffer_free(a->pending_in);
    if (a->connect_ev)
        event_free(a->connect_ev);
    container_unref(a->c);
    free(a);
}

static void
ctr_attach_sink_write(struct ctr_logs *l, const void *data, size_t len)
{
    struct ctr_attach *a = l->owner;

    if (a->client && !a->closing)
        bufferevent_write(a->client, data, len);
}

static size_t
ctr_attach_sink_pending(struct ctr_logs *l)
{
    struct ctr_attach *a = l->owner;

    return a->client ? evbuffer_get_length(bufferevent_get_output(a->client)) : 0;
}

static void ctr_attach_start_follow(struct ctr_attach *a);

static void
ctr_attach_sink_end(struct ctr_logs *l)
{
    struct ctr_attach *a = l->owner;

    if (l == a->replay && a->follower == NULL && a->stream) {   /* logs=1 replayed: live now */
        ctr_attach_start_follow(a);
        return;
    }
    ctr_attach_close(a);   /* after the output is flushed */
}

/* Frees what carries data, then hands the socket back to MHD once the client has
 * everything that was written. */
static void
ctr_attach_finish(struct ctr_attach *a)
{
    if (a->client) {
        bufferevent_free(a->client);
        a->client = NULL;
    }
    if (a->shim) {
        bufferevent_free(a->shim);
        a->shim = NULL;
    }
    if (a->connect_ev)
        event_del(a->connect_ev);
    if (a->follower)
        a->follower->done = true;
    api_hijack_close(a->h);   /* the request, and a with it, go later */
}

static void
ctr_attach_flushed_cb(struct bufferevent *bev, void *arg)
{
    struct ctr_attach *a = arg;

    (void)bev;
    if (a->closing)
        ctr_attach_finish(a);
}

static void
ctr_attach_close(struct ctr_attach *a)
{
    if (a->closing)
        return;
    a->closing = true;
    if (a->client && evbuffer_get_length(bufferevent_get_output(a->client)) > 0) {
        bufferevent_setwatermark(a->client, EV_WRITE, 0, 0);
        bufferevent_setcb(a->client, NULL, ctr_attach_flushed_cb, NULL, a);   /* wait */
        bufferevent_disable(a->client, EV_READ);
        return;
    }
    ctr_attach_finish(a);
}

static void
ctr_attach_input(void *arg, const unsigned char *data, size_t len)
{
    struct ctr_attach *a = arg;

    if (a->shim)
        bufferevent_write(a->shim, data, len);
    else
        evbuffer_add(a->pending_in, data, len);
}

static void
ctr_attach_stdin(struct ctr_attach *a, const unsigned char *data, size_t len)
{
    if (api_detach_feed(&a->detach, data, len, ctr_attach_input, a)) {   /* detached */
        a->emitted_detach = true;
        container_emit(a->c, "detach", NULL);
        ctr_attach_close(a);
    }
}

static void
ctr_attach_client_read_cb(struct bufferevent *bev, void *arg)
{
    struct ctr_attach *a = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    unsigned char buf[4096];
    int n;

    while (!a->closing && (n = evbuffer_remove(in, buf, sizeof buf)) > 0) {
        if (a->in)
            ctr_attach_stdin(a, buf, (size_t)n);
    }
}

static void
ctr_attach_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct ctr_attach *a = arg;

    (void)bev;
    if (what & BEV_EVENT_EOF) {   /* half-close: stdin ends, output goes on */
        a->client_eof = true;
        bufferevent_disable(a->client, EV_READ);
        if (a->shim)
            ctr_attach_shim_written_cb(a->shim, a);
        if (!a->out && !a->err)
            ctr_attach_close(a);
        return;
    }
    if (what & BEV_EVENT_ERROR) {   /* the client is gone */
        a->closing = true;
        ctr_attach_finish(a);
    }
}

static void
ctr_attach_shim_read_cb(struct bufferevent *bev, void *arg)
{
    struct ctr_attach *a = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    if (a->live_output && a->client && !a->closing)
        bufferevent_write_buffer(a->client, in);
    else
        evbuffer_drain(in, evbuffer_get_length(in));
}

/* The client's half-close reaches the command once its stdin bytes have. */
static void
ctr_attach_shim_written_cb(struct bufferevent *bev, void *arg)
{
    struct ctr_attach *a = arg;

    if (a->client_eof && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
ctr_attach_shim_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct ctr_attach *a = arg;

    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(a->shim);
        a->shim = NULL;
        if (a->live_output)
            ctr_attach_close(a);
    }
}

/* Connects to the exec driver's attach socket once the container runs. */
static void
ctr_attach_connect_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ctr_attach *a = arg;
    const struct dctl_exec_ops *ops;
    dctl_error_t err = NULL;
    struct timeval poll = { 0, 10 * 1000 };
    char request[64];
    void *priv;
    int sfd;

    (void)fd;
    (void)what;
    if (a->closing || a->c->removed)
        return;
    if (a->c->start_failed_ns > a->attached_ns) {   /* it will not run: nothing to attach */
        ctr_attach_close(a);
        return;
    }
    if (a->c->status != CONTAINER_RUNNING) {
        if (a->c->started_ns > a->attached_ns && a->c->status != CONTAINER_RESTARTING) {
            if (a->live_output)   /* it ran and ended before we got there */
                ctr_attach_close(a);
            return;
        }
        if (util_now_ns() - a->attached_ns > 2000000000LL)
            poll.tv_usec = 200 * 1000;   /* a start that does not come soon: poll slower */
        evtimer_add(a->connect_ev, &poll);
        return;
    }
    ops = container_exec_ops(a->d->containers, &priv, &err);
    if (ops == NULL || ops->attach == NULL) {
        dctl_error_free(err);
        return;
    }
    snprintf(request, sizeof request, "attach %s%s%s\n",
             a->in ? "stdin" : "",
             a->live_output ? (a->in ? ",stdout,stderr" : "stdout,stderr") : "", "");
    if (a->live_output) {   /* only the streams asked for */
        snprintf(request, sizeof request, "attach %s%s%s%s%s\n", a->in ? "stdin" : "",
                 a->in && a->out ? "," : "", a->out ? "stdout" : "",
                 (a->in || a->out) && a->err ? "," : "", a->err ? "stderr" : "");
    }
    sfd = ops->attach(priv, a->c->id, request, &err);
    if (sfd < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_debug("attach %.12s: %s", a->c->id, text);
        dctl_error_free(err);
        if (a->live_output)
            ctr_attach_close(a);
        return;
    }
    a->shim = bufferevent_socket_new(a->d->base, sfd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a->shim, ctr_attach_shim_read_cb, ctr_attach_shim_written_cb,
                      ctr_attach_shim_event_cb, a);
    bufferevent_enable(a->shim, EV_READ | EV_WRITE);
    if (evbuffer_get_length(a->pending_in))
        bufferevent_write_buffer(a->shim, a->pending_in);
    else if (a->client_eof)
        shutdown(sfd, SHUT_WR);
}

static struct ctr_logs *
ctr_attach_reader(struct ctr_attach *a, bool follow)
{
    struct ctr_logs *l = xcalloc(1, sizeof *l);

    l->c = container_ref(a->c);
    l->base = a->d->base;
    l->fd = -1;
    l->ifd = -1;
    l->out = a->out;
    l->err = a->err;
    l->follow = follow;
    l->tty = a->tty;
    l->tail = -1;
    l->owner = a;
    l->sink_write = ctr_attach_sink_write;
    l->sink_pending = ctr_attach_sink_pending;
    l->sink_end = ctr_attach_sink_end;
    ctr_logs_files(l);
    return l;
}

static void
ctr_attach_start_follow(struct ctr_attach *a)
{
    struct stat st;

    if (a->live_output || (!a->out && !a->err))
        return;
    a->follower = ctr_attach_reader(a, true);
    a->follower->idx = a->follower->nfiles - 1;   /* the live file, from its end now */
    a->follower->start = stat(a->c->log_path, &st) == 0 ? st.st_size : 0;
    if (!container_is_running(a->c) || a->c->status == CONTAINER_RESTARTING)
        a->follower->wait_start_after = a->attached_ns;
    ctr_logs_begin(a->follower);
}

static void
ctr_attach_upgraded_cb(void *arg, struct api_hijack *h, int fd, const char *extra,
                       size_t extra_len)
{
    struct ctr_attach *a = arg;

    a->h = h;
    a->upgraded = true;
    a->client = bufferevent_socket_new(a->d->base, fd, 0);   /* MHD owns the fd */
    bufferevent_setcb(a->client, ctr_attach_client_read_cb, NULL, ctr_attach_client_event_cb, a);
    bufferevent_enable(a->client, EV_READ | EV_WRITE);
    a->pending_in = evbuffer_new();
    if (extra_len && a->in)
        ctr_attach_stdin(a, (const unsigned char *)extra, extra_len);
    container_emit(a->c, "attach", NULL);
    a->connect_ev = evtimer_new(a->d->base, ctr_attach_connect_cb, a);
    if (a->in || a->live_output)
        event_active(a->connect_ev, EV_TIMEOUT, 0);
    if (a->logs_replay && (a->out || a->err)) {
        a->replay = ctr_attach_reader(a, false);
        ctr_logs_begin(a->replay);
    } else {
        ctr_attach_start_follow(a);
    }
}

static int
ctr_attach_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    struct ctr_attach *a;
    const char *type;
    bool stream = api_query_bool(req, "stream", false), logs = api_query_bool(req, "logs", false);

    if (c == NULL)
        return -1;
    if (!api_request_upgrade_asked(req))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "attach needs a hijacked connection: send \"Connection: Upgrade\" "
                              "and \"Upgrade: tcp\"");
    if (!stream && !logs)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Bad parameters: you must choose at least one stream");
    if (c->status == CONTAINER_REMOVING || c->status == CONTAINER_DEAD)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "You cannot attach to a container that is being removed");
    if (c->status == CONTAINER_PAUSED)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "You cannot attach to a paused container, unpause it first");
    a = xcalloc(1, sizeof *a);
    if (api_detach_parse(api_query(req, "detachKeys"), &a->detach, err) < 0) {
        free(a);
        return -1;
    }
    a->req = req;
    a->d = req->dctld;
    a->c = container_ref(c);
    a->in = api_query_bool(req, "stdin", false) && json_get_bool(c->config, "OpenStdin", false);
    a->out = api_query_bool(req, "stdout", false);
    a->err = api_query_bool(req, "stderr", false);
    a->tty = json_get_bool(c->config, "Tty", false);
    a->logs_replay = logs;
    a->stream = stream;
    type = json_get_string(ctr_get(c->hostconfig, "LogConfig"), "Type");
    /* a TTY's output is live: a prompt has no newline and would sit in the log reader */
    a->live_output = stream && (a->tty || (type && strcmp(type, "none") == 0));
    a->attached_ns = util_now_ns();
    if (!stream) {   /* logs only: the replay, then the end */
        a->in = false;
        a->live_output = false;
    }
    req->data = a;
    req->data_free = ctr_attach_free;
    api_reply_hijack(req, a->tty ? "application/vnd.docker.raw-stream"
                                 : "application/vnd.docker.multiplexed-stream",
                     ctr_attach_upgraded_cb, a);
    return 0;
}

/* ---- POST /containers/{id}/resize ------------------------------------------------------ */

static int
ctr_resize_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    const struct dctl_exec_ops *ops;
    long long h = 0, w = 0;
    char hs[16], ws[16];
    void *priv;

    if (c == NULL || api_query_int(req, "h", 0, &h, err) < 0 ||
        api_query_int(req, "w", 0, &w, err) < 0)
        return -1;
    if (h < 0 || w < 0 || h > 65535 || w > 65535)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid terminal size %lldx%lld", h, w);
    if (c->status != CONTAINER_RUNNING)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", c->id);
    ops = container_exec_ops(req->dctld->containers, &priv, err);
    if (ops == NULL)
        return -1;
    if (ops->resize == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "the exec driver cannot resize terminals");
    if (ops->resize(priv, c->id, (unsigned int)h, (unsigned int)w, err) < 0)
        return -1;
    snprintf(hs, sizeof hs, "%lld", h);
    snprintf(ws, sizeof ws, "%lld", w);
    container_emit(c, "resize", "height", hs, "width", ws, NULL);
    api_reply_empty(req, 200);
    return 0;
}

/* ---- GET /containers/{id}/top --------------------------------------------------------- */

struct ctr_top {
    struct api_request *req;
    int pid;
    char *ps_args;
    struct json_object *result;
};

static void
ctr_top_release(void *data)
{
    struct ctr_top *t = data;

    t->req = NULL;
}

/* pid and its descendants, from /proc/PID/stat's ppid. */
static size_t
ctr_top_pids(int root, int **out)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int *pids = NULL, *ppids = NULL, *sel;
    size_t n = 0, nsel = 0, i;
    bool grew = true;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[64], buf[512], *p;
        int pid = atoi(de->d_name), ppid = 0;
        cleanup_close int fd = -1;
        ssize_t r;

        if (pid <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (r = read(fd, buf, sizeof buf - 1)) <= 0)
            continue;
        buf[r] = '\0';
        p = strrchr(buf, ')');
        if (p == NULL || sscanf(p + 2, "%*c %d", &ppid) != 1)
            continue;
        pids = xrealloc(pids, (n + 1) * sizeof *pids);
        ppids = xrealloc(ppids, (n + 1) * sizeof *ppids);
        pids[n] = pid;
        ppids[n++] = ppid;
    }
    closedir(d);
    sel = xcalloc(n + 1, sizeof *sel);
    sel[nsel++] = root;
    while (grew) {
        grew = false;
        for (i = 0; i < n; i++) {
            size_t k;
            bool in = false, parent_in = false;

            for (k = 0; k < nsel; k++) {
                in |= sel[k] == pids[i];
                parent_in |= sel[k] == ppids[i];
            }
            if (!in && parent_in) {
                sel[nsel++] = pids[i];
                grew = true;
            }
        }
    }
    free(pids);
    free(ppids);
    *out = sel;
    return nsel;
}

static int
ctr_top_run(void *job, dctl_error_t *err)
{
    struct ctr_top *t = job;
    cleanup_free int *pids = NULL;
    size_t npids = ctr_top_pids(t->pid, &pids), i, len = 0, ntitles = 0;
    cleanup_free char *out = NULL;
    char *argv[64], *save = NULL, *a, *line, *lsave = NULL;
    cleanup_free char *args = xstrdup(t->ps_args);
    int p[2], status, argc = 0, pidcol = -1;
    posix_spawn_file_actions_t fa;
    pid_t child;
    struct json_object *titles, *procs;
    bool header = true;

    argv[argc++] = "ps";
    for (a = strtok_r(args, " \t", &save); a && argc < 62; a = strtok_r(NULL, " \t", &save))
        argv[argc++] = a;
    argv[argc] = NULL;
    if (pipe2(p, O_CLOEXEC) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "pipe");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    if (posix_spawnp(&child, "ps", &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(p[0]);
        close(p[1]);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "Error running ps");
    }
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    for (;;) {
        char buf[4096];
        ssize_t r = read(p[0], buf, sizeof buf);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        out = xrealloc(out, len + (size_t)r + 1);
        memcpy(out + len, buf, (size_t)r);
        len += (size_t)r;
    }
    close(p[0]);
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (out == NULL)
        out = xstrdup("");
    out[len] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "Error running ps: exit status %d: %s",
                              WIFEXITED(status) ? WEXITSTATUS(status) : 1, out);
    titles = json_object_new_array();
    procs = json_object_new_array();
    for (line = strtok_r(out, "\n", &lsave); line; line = strtok_r(NULL, "\n", &lsave)) {
        char *fields[256], *fs = NULL, *f;
        size_t nf = 0;

        for (f = strtok_r(line, " \t", &fs); f && nf < 256; f = strtok_r(NULL, " \t", &fs))
            fields[nf++] = f;
        if (header) {
            for (i = 0; i < nf; i++) {
                json_object_array_add(titles, json_object_new_string(fields[i]));
                if (strcmp(fields[i], "PID") == 0)
                    pidcol = (int)i;
            }
            ntitles = nf;
            header = false;
            if (pidcol < 0) {
                json_object_put(titles);
                json_object_put(procs);
                return dctl_error_set(err, DCTL_ERR_INTERNAL, 0,
                                      "Couldn't find PID field in ps output");
            }
            continue;
        }
        if (nf < ntitles || nf == 0)
            continue;
        {
            int pid = atoi(fields[pidcol]);
            bool in = false;
            struct json_object *row;
            cleanup_free char *last = NULL;

            for (i = 0; i < npids; i++)
                in |= pids[i] == pid;
            if (!in)
                continue;
            row = json_object_new_array();
            for (i = 0; i + 1 < ntitles; i++)
                json_object_array_add(row, json_object_new_string(fields[i]));
            last = xstrdup(fields[ntitles - 1]);
            for (i = ntitles; i < nf; i++) {
                char *n2 = xasprintf("%s %s", last, fields[i]);

                free(last);
                last = n2;
            }
            json_object_array_add(row, json_object_new_string(last));
            json_object_array_add(procs, row);
        }
    }
    t->result = json_object_new_object();
    json_object_object_add(t->result, "Titles", titles);
    json_object_object_add(t->result, "Processes", procs);
    return 0;
}

static void
ctr_top_done_cb(void *job, int status, dctl_error_t err)
{
    struct ctr_top *t = job;
    struct api_request *req = t->req;

    if (req) {
        req->data = NULL;
        req->data_free = NULL;
        if (status < 0) {
            api_reply_error(req, err);
        } else {
            dctl_error_free(err);
            api_reply_json(req, 200, steal_ptr(&t->result));
        }
        api_request_resume(req);
    } else {
        dctl_error_free(err);
    }
    if (t->result)
        json_object_put(t->result);
    free(t->ps_args);
    free(t);
}

static int
ctr_top_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = ctr_lookup(req, err);
    const char *args = api_query(req, "ps_args");
    struct ctr_top *t;

    if (c == NULL)
        return -1;
    if (c->status != CONTAINER_RUNNING || c->pid <= 0)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", c->id);
    t = xcalloc(1, sizeof *t);
    t->req = req;
    t->pid = c->pid;
    t->ps_args = xstrdup(args && *args ? args : "-ef");
    if (worker_submit(req->dctld->workers, ctr_top_run, ctr_top_done_cb, t, err) < 0) {
        free(t->ps_args);
        free(t);
        return -1;
    }
    req->data = t;
    req->data_free = ctr_top_release;
    api_request_suspend(req);
    return 0;
}

/* ---- /system/df ---------------------------------------------------------------------- */

struct json_object *
api_containers_df(struct dctld *d)
{
    struct json_object *a = json_object_new_array();
    cleanup_free struct container **all = NULL;
    size_t n, i;

    if (d->containers == NULL)
        return a;
    all = container_list(d->containers, &n);
    for (i = 0; i < n; i++)
        json_object_array_add(a, ctr_summary(d, all[i], false, 0, 0));
    return a;
}

const struct api_route api_containers_routes[] = {
    { API_POST, "/containers/create", ctr_create_handler, 0 },
    { API_GET, "/containers/json", ctr_list_handler, 0 },
    { API_POST, "/containers/prune", ctr_prune_handler, 0 },
    { API_GET, "/containers/{id}/json", ctr_inspect_handler, 0 },
    { API_POST, "/containers/{id}/start", ctr_start_handler, 0 },
    { API_POST, "/containers/{id}/stop", ctr_stop_handler, 0 },
    { API_POST, "/containers/{id}/restart", ctr_restart_handler, 0 },
    { API_POST, "/containers/{id}/kill", ctr_kill_handler, 0 },
    { API_POST, "/containers/{id}/wait", ctr_wait_handler, 0 },
    { API_POST, "/containers/{id}/rename", ctr_rename_handler, 0 },
    { API_POST, "/containers/{id}/resize", ctr_resize_handler, 0 },
    { API_POST, "/containers/{id}/attach", ctr_attach_handler, 0 },
    { API_GET, "/containers/{id}/logs", ctr_logs_handler, 0 },
    { API_GET, "/containers/{id}/top", ctr_top_handler, 0 },
    { API_DELETE, "/containers/{id}", ctr_delete_handler, 0 },
    { 0, NULL, NULL, 0 },
};
