/* api/commit.c - POST /commit: a container's changes as a new image (moby's
 * CreateImageFromContainer). The handler checks everything on the loop; a worker job
 * writes the RW layer's diff to an unlinked spool file, registers it on the image's
 * layers and stores the child config; the reply is 201 {"Id": ...} and the container
 * gets a "commit" event. With ?pause (docker commit's default), a running container is
 * paused (the manager's container_pause: frozen, "pause" event) while its diff is taken
 * and unpaused afterwards, as moby's CreateImageFromContainer does. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/events.h"
#include "daemon/image.h"
#include "daemon/layerstore.h"
#include "daemon/worker.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/reference.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

/* Owner: the request until submit, then the job; freed by the done callback. */
struct commit_job {
    struct api_request *req;
    struct image_service *svc;
    struct dctld *dctld;
    struct container *c;
    struct reference *ref;
    struct json_object *config, *container_config;
    char *author, *comment;
    char **changes;
    size_t nchanges;
    char parent[DIGEST_STRING_MAX];
    char id[DIGEST_STRING_MAX];
    struct image_events ev;
    bool paused;   /* paused for the commit: unpaused when it is done */
};

static void
commit_job_free(struct commit_job *j)
{
    size_t i;

    container_unref(j->c);
    reference_free(j->ref);
    json_object_put(j->config);
    json_object_put(j->container_config);
    free(j->author);
    free(j->comment);
    for (i = 0; i < j->nchanges; i++)
        free(j->changes[i]);
    free(j->changes);
    image_events_fini(&j->ev);
    free(j);
}

static int
commit_run(void *job, dctl_error_t *err)
{
    struct commit_job *j = job;
    struct image_commit_opts opts = {
        .container_id = j->c->id, .config = j->config,
        .container_config = j->container_config, .author = j->author,
        .comment = j->comment, .changes = (const char *const *)j->changes,
        .nchanges = j->nchanges, .ref = j->ref,
    };
    cleanup_close int fd = open(j->svc->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create a spool file in %s",
                              j->svc->tmp_dir);
    if (layerstore_mount_diff(j->svc->layers, j->c->id, fd, err) < 0)
        return -1;
    if (lseek(fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the diff");
    return image_service_commit(j->svc, j->parent, fd, &opts, j->id, &j->ev, err);
}

/* The container paused for the commit (pause=1) goes on. */
static void
commit_unpause(struct commit_job *j)
{
    dctl_error_t uerr = NULL;

    if (!j->paused || j->c->status != CONTAINER_PAUSED)
        return;
    j->paused = false;
    if (container_unpause(j->c, &uerr) < 0) {
        cleanup_free char *text = dctl_error_text(uerr);

        log_warn("container %.12s: unpause after commit: %s", j->c->id, text);
        dctl_error_free(uerr);
    }
}

static void
commit_done_cb(void *job, int status, dctl_error_t err)
{
    struct commit_job *j = job;
    struct api_request *req = j->req;
    size_t i;

    if (req) {   /* j is freed below: the request must not reach it any more */
        req->data = NULL;
        req->data_free = NULL;
    }
    for (i = 0; i < j->ev.n; i++) {
        const struct image_event *e = &j->ev.v[i];

        events_emit(j->dctld->events, EVENTS_TYPE_IMAGE, e->action, e->id, "name", e->name,
                    NULL);
    }
    if (status < 0) {
        commit_unpause(j);
        if (req) {
            api_reply_error(req, err);
            api_request_resume(req);
        } else {
            dctl_error_free(err);
        }
        commit_job_free(j);
        return;
    }
    dctl_error_free(err);
    {
        cleanup_free char *refs = j->ref ? reference_familiar_string(j->ref) : NULL;

        container_emit(j->c, "commit", "comment", j->comment ? j->comment : "", "imageID",
                       j->id, "imageRef", refs ? refs : "", NULL);
    }
    commit_unpause(j);   /* after the commit event, as moby's deferred unpause */
    if (req) {
        struct json_object *o = json_object_new_object();

        json_add_string(o, "Id", j->id);
        api_reply_json(req, 201, o);
        api_request_resume(req);
    }
    commit_job_free(j);
}

/* The container is frozen: its diff is taken now. */
static void
commit_paused_cb(void *arg, struct container *c, int status, dctl_error_t err)
{
    struct commit_job *j = arg;

    (void)c;
    if (status == 0) {
        j->paused = true;
        if (worker_submit(j->dctld->workers, commit_run, commit_done_cb, j, &err) == 0)
            return;
    }
    commit_done_cb(j, -1, err);
}

static void
commit_release(void *data)
{
    struct commit_job *j = data;

    j->req = NULL;   /* the job goes on; its done callback frees it */
}

/* The new image's config: the container's Config, with what the request's body sets
 * (non-null members) over it, as moby's merge does. */
static struct json_object *
commit_config(struct json_object *container_config, struct json_object *body)
{
    struct json_object *cfg = NULL;

    if (json_object_deep_copy(container_config, &cfg, NULL) < 0 || cfg == NULL)
        cfg = json_object_new_object();
    if (body) {
        json_object_object_foreach(body, k, v) {
            if (v == NULL)
                continue;
            if (json_object_is_type(v, json_type_string) && *json_object_get_string(v) == '\0')
                continue;
            json_object_object_add(cfg, k, json_object_get(v));
        }
    }
    return cfg;
}

static int
commit_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = req->dctld->images;
    cleanup_json struct json_object *body = NULL;
    cleanup_reference struct reference *ref = NULL;
    const char *name = api_query(req, "container"), *repo = api_query(req, "repo");
    const char *changes[64];
    struct container *c;
    struct commit_job *j;
    size_t n, i;

    if (svc == NULL || req->dctld->containers == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                              "no storage driver is active: images cannot be stored");
    if (api_body_json(req, true, &body, err) < 0)
        return -1;
    c = container_lookup(req->dctld->containers, name ? name : "", err);
    if (c == NULL)
        return -1;
    if (repo && *repo && (ref = images_repo_tag(repo, api_query(req, "tag"), err)) == NULL)
        return -1;
    n = api_query_all(req, "changes", changes, ARRAY_SIZE(changes));
    if (n > ARRAY_SIZE(changes))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "too many changes: %zu", n);
    if (image_changes_validate(changes, n, err) < 0)
        return -1;
    if (c->status == CONTAINER_REMOVING || c->status == CONTAINER_DEAD || c->removed)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "You cannot commit container %s which is being removed", c->id);
    j = xcalloc(1, sizeof *j);
    j->req = req;
    j->svc = svc;
    j->dctld = req->dctld;
    j->c = container_ref(c);
    j->ref = steal_ptr(&ref);
    j->container_config = json_object_get(c->config);
    j->config = commit_config(c->config, body);
    j->author = xstrdup(api_query(req, "author") ? api_query(req, "author") : "");
    j->comment = xstrdup(api_query(req, "comment") ? api_query(req, "comment") : "");
    j->changes = xcalloc(n + 1, sizeof *j->changes);
    for (i = 0; i < n; i++)
        j->changes[i] = xstrdup(changes[i]);
    j->nchanges = n;
    snprintf(j->parent, sizeof j->parent, "%s", c->image_id);
    if (api_query_bool(req, "pause", true) && c->status == CONTAINER_RUNNING) {
        if (container_pause(c, commit_paused_cb, j, err) < 0) {
            commit_job_free(j);
            return -1;
        }
    } else if (worker_submit(req->dctld->workers, commit_run, commit_done_cb, j, err) < 0) {
        commit_job_free(j);
        return -1;
    }
    req->data = j;
    req->data_free = commit_release;
    api_request_suspend(req);
    return 0;
}

const struct api_route api_commit_routes[] = {
    { API_POST, "/commit", commit_handler, 0 },
    { 0, NULL, NULL, 0 },
};
