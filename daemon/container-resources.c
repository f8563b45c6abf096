/* daemon/container-resources.c - the container manager's resource operations (see
 * container.h): pause and unpause through the exec driver's freezer ops, and update
 * (moby's daemon/update.go: the request checked as a create would be, merged into
 * HostConfig, applied to the running container's cgroup, then saved; on failure the old
 * HostConfig stays). Loop thread; the driver's pause and update run in worker jobs. */
#include <config.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/spec-resources.h"
#include "daemon/worker.h"
#include "lib/cgroup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* ---- the host's cgroups ---------------------------------------------------------- */

const struct cgroup_host *
container_cgroup_host(void)
{
    static struct cgroup_host host;
    static int state;   /* 0 not read yet, 1 usable, -1 not */

    if (state == 0) {
        dctl_error_t err = NULL;
        int rc = cgroup_host_open_env(&host, &err);

        state = rc == 0 ? 1 : -1;
        if (rc < 0) {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("cgroups: %s; no oom events while containers run, no freezer state "
                     "read back at restore", text);
        }
        dctl_error_free(err);
    }
    return state == 1 ? &host : NULL;
}

int
container_cgroup_frozen(struct container *c)
{
    const struct cgroup_host *h = container_cgroup_host();
    cleanup_free char *path = NULL;
    dctl_error_t err = NULL;
    int rc;

    if (h == NULL)
        return -1;
    path = spec_resources_cgroups_path(c->hostconfig, container_dctld(c)->config.cgroup_parent,
                                       c->id);
    rc = cgroup_is_frozen(h, path, &err);
    dctl_error_free(err);
    return rc;
}

/* ---- pause / unpause --------------------------------------------------------------- */

/* Owner: the job; freed by its done callback. */
struct container_pause_job {
    struct container *c; /* a reference */
    const struct dctl_exec_ops *ops;
    void *priv;
    container_done_cb done;
    void *arg;
};

static int
container_pause_run(void *job, dctl_error_t *err)
{
    struct container_pause_job *j = job;

    return j->ops->pause(j->priv, j->c->id, err);
}

static void
container_pause_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_pause_job *j = job;
    struct container *c = j->c;

    c->pausing = false;
    if (status == 0 && (c->removed || c->status != CONTAINER_RUNNING)) {
        /* it stopped meanwhile: nothing to show as paused (a thaw, should it still run) */
        if (!c->removed && container_is_running(c))
            j->ops->resume(j->priv, c->id, NULL);
        dctl_error_set(&err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", c->id);
        status = -1;
    }
    if (status == 0) {
        c->status = CONTAINER_PAUSED;
        container_save(c);
        container_emit(c, "pause", NULL);
        log_debug("container %.12s: paused", c->id);
    }
    if (j->done)
        j->done(j->arg, c, status, err);
    else
        dctl_error_free(err);
    container_unref(c);
    free(j);
}

int
container_pause(struct container *c, container_done_cb done, void *arg, dctl_error_t *err)
{
    struct container_pause_job *j;
    const struct dctl_exec_ops *ops;
    void *priv;

    if (c->status == CONTAINER_RESTARTING)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "Container %s is restarting, wait until the container is running",
                              c->id);
    if (!container_is_running(c))
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is not running", c->id);
    if (c->status == CONTAINER_PAUSED || c->pausing)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is already paused", c->id);
    ops = container_exec_ops(c->store, &priv, err);
    if (ops == NULL)
        return -1;
    if (ops->pause == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "the exec driver cannot pause containers");
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    j->ops = ops;
    j->priv = priv;
    j->done = done;
    j->arg = arg;
    if (worker_submit(container_store_dctld(c->store)->workers, container_pause_run, container_pause_done_cb, j,
                      err) < 0) {
        container_unref(c);
        free(j);
        return -1;
    }
    c->pausing = true;
    return 0;
}

int
container_unpause(struct container *c, dctl_error_t *err)
{
    const struct dctl_exec_ops *ops;
    void *priv;

    if (c->status != CONTAINER_PAUSED)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Container %s is not paused", c->id);
    ops = container_exec_ops(c->store, &priv, err);
    if (ops == NULL)
        return -1;
    if (ops->resume == NULL || ops->resume(priv, c->id, err) < 0)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "the exec driver cannot unpause containers");
    c->status = CONTAINER_RUNNING;
    container_save(c);
    container_emit(c, "unpause", NULL);
    log_debug("container %.12s: unpaused", c->id);
    return 0;
}

void
container_unpause_for_signal(struct container *c, int signo)
{
    const char *stop = json_get_string(c->config, "StopSignal");
    dctl_error_t err = NULL;

    /* moby's killWithSignal: a configured stop signal other than this one leaves it
     * frozen (the signal waits for the unpause) */
    if (signo != SIGKILL && stop && *stop && container_signal_parse(stop) != signo)
        return;
    if (container_unpause(c, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("container %.12s: cannot unpause after signal %d: %s", c->id, signo, text);
        dctl_error_free(err);
    }
}

/* ---- update ------------------------------------------------------------------------------ */

/* Owner: the job; freed by its done callback. */
struct container_update_job {
    struct container *c;            /* a reference */
    struct json_object *hostconfig; /* the merged HostConfig, committed on success */
    char *resources;                /* the OCI resources for the driver */
    const struct dctl_exec_ops *ops;
    void *priv;
    container_done_cb done;
    void *arg;
};

static void
container_update_job_free(struct container_update_job *j)
{
    container_unref(j->c);
    json_object_put(j->hostconfig);
    free(j->resources);
    free(j);
}

/* The merged HostConfig becomes the container's: saved, "update" event. */
static void
container_update_commit(struct container *c, struct json_object *hc_take)
{
    json_object_put(c->hostconfig);
    c->hostconfig = hc_take;
    container_save(c);
    container_emit(c, "update", NULL);
    log_debug("container %.12s: updated", c->id);
}

static int
container_update_run(void *job, dctl_error_t *err)
{
    struct container_update_job *j = job;

    return j->ops->update(j->priv, j->c->id, j->resources, err);
}

static void
container_update_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_update_job *j = job;
    struct container *c = j->c;

    if (status < 0 && err && err->kind == DCTL_ERR_CONFLICT && !container_is_running(c))
        status = 0;   /* it stopped meanwhile: the limits are for its next start */
    if (status == 0 && !c->removed) {
        dctl_error_clear(&err);
        container_update_commit(c, steal_ptr(&j->hostconfig));
    } else if (status < 0) {
        dctl_error_prefix(&err, "Cannot update container %s", c->id);
    }
    if (j->done)
        j->done(j->arg, c, status, err);
    else
        dctl_error_free(err);
    container_update_job_free(j);
}

/* Limits that share a file with another (v2's cpu.max holds quota and period; memory.max
 * and memory.swap.max come from Memory and MemorySwap together, v1's memsw must not go
 * under the limit): when an update names one of a group, the driver gets the whole group
 * with the merged HostConfig's values, so that the one not named keeps its value (as
 * runc merges an update with the current resources). */
static void
container_update_partners(struct json_object *req, struct json_object *merged)
{
    static const char *const groups[][4] = {
        { "CpuQuota", "CpuPeriod", "NanoCpus", NULL },
        { "Memory", "MemorySwap", NULL, NULL },
    };
    size_t g, k;

    for (g = 0; g < ARRAY_SIZE(groups); g++) {
        bool named = false;

        for (k = 0; k < 4 && groups[g][k]; k++)
            named |= json_object_object_get_ex(req, groups[g][k], NULL);
        if (!named)
            continue;
        for (k = 0; k < 4 && groups[g][k]; k++) {
            struct json_object *v = NULL;

            if (!json_object_object_get_ex(req, groups[g][k], NULL) &&
                json_object_object_get_ex(merged, groups[g][k], &v))
                json_object_object_add(req, groups[g][k], json_object_get(v));
        }
    }
}

int
container_update(struct container *c, struct json_object *body, struct json_object *warnings,
                 container_done_cb done, void *arg, dctl_error_t *err)
{
    cleanup_json struct json_object *req = NULL, *hc = NULL;
    struct container_update_job *j;
    struct json_object *res;
    const struct dctl_exec_ops *ops;
    void *priv;

    if (json_object_deep_copy(body, &req, NULL) < 0 || req == NULL)
        req = json_object_new_object();
    if (spec_resources_update_body(req, err) < 0 ||
        spec_resources_check(req, container_store_sysinfo(c->store), true, warnings, err) < 0)
        return -1;
    if (c->status == CONTAINER_REMOVING || c->status == CONTAINER_DEAD || c->removed)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0,
                              "Cannot update container %s: container is marked for removal and "
                              "cannot be \"update\"", c->id);
    json_object_deep_copy(c->hostconfig, &hc, NULL);
    if (spec_resources_merge(hc, req, err) < 0)
        return dctl_error_prefix(err, "Cannot update container %s", c->id);
    if (!(c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED)) {
        /* not running: the limits are for its next start */
        container_update_commit(c, steal_ptr(&hc));
        if (done)
            done(arg, c, 0, NULL);
        return 0;
    }
    ops = container_exec_ops(c->store, &priv, err);
    if (ops == NULL)
        return -1;
    if (ops->update == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "Cannot update container %s: the exec driver cannot update "
                              "resources", c->id);
    container_update_partners(req, hc);
    res = spec_resources_build(req, true, err);
    if (res == NULL)
        return dctl_error_prefix(err, "Cannot update container %s", c->id);
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    j->hostconfig = steal_ptr(&hc);
    j->resources = json_to_string(res);
    json_object_put(res);
    j->ops = ops;
    j->priv = priv;
    j->done = done;
    j->arg = arg;
    if (worker_submit(container_store_dctld(c->store)->workers, container_update_run, container_update_done_cb, j,
                      err) < 0) {
        container_update_job_free(j);
        return -1;
    }
    return 0;
}
