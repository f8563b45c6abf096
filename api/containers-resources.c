/* api/containers-resources.c - POST /containers/{id}/pause, /unpause and /update (the
 * manager's container-resources.c does the work; pause and update finish in a job, the
 * request waits suspended). GET /containers/{id}/stats is in containers-stats.c. */
#include <config.h>

#include <stdlib.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

/* A pause or update waiting for the manager. Owner: the request until the callback
 * comes, then the callback (which frees it). */
struct res_op {
    struct api_request *req;   /* NULL once the client is gone */
    struct json_object *warnings; /* update: the answer's Warnings */
    bool in_handler, finished;
};

static void
res_op_free(struct res_op *op)
{
    if (op->warnings)
        json_object_put(op->warnings);
    free(op);
}

static void
res_op_release(void *data)
{
    struct res_op *op = data;

    op->req = NULL;
}

static void
res_op_done_cb(void *arg, struct container *c, int status, dctl_error_t err)
{
    struct res_op *op = arg;
    struct api_request *req = op->req;

    (void)c;
    op->finished = true;
    if (req == NULL) {
        dctl_error_free(err);
        res_op_free(op);
        return;
    }
    req->data = NULL;
    req->data_free = NULL;
    if (status < 0) {
        api_reply_error(req, err);
    } else if (op->warnings) {
        struct json_object *o = json_object_new_object();

        dctl_error_free(err);
        json_object_object_add(o, "Warnings", steal_ptr(&op->warnings));
        api_reply_json(req, 200, o);
    } else {
        dctl_error_free(err);
        api_reply_empty(req, 204);
    }
    if (op->in_handler)
        return;   /* the handler frees it */
    api_request_resume(req);
    res_op_free(op);
}

/* After the manager call: rc < 0 failed, else done now or later. */
static int
res_op_finish(struct api_request *req, struct res_op *op, int rc)
{
    op->in_handler = false;
    if (rc < 0 || op->finished) {
        res_op_free(op);
        return rc;
    }
    req->data = op;
    req->data_free = res_op_release;
    api_request_suspend(req);
    return 0;
}

static struct container *
res_lookup(struct api_request *req, dctl_error_t *err)
{
    if (req->dctld->containers == NULL) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
        return NULL;
    }
    return container_lookup(req->dctld->containers, api_param(req, 0), err);
}

static int
res_pause_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = res_lookup(req, err);
    struct res_op *op;

    if (c == NULL)
        return -1;
    op = xcalloc(1, sizeof *op);
    op->req = req;
    op->in_handler = true;
    return res_op_finish(req, op, container_pause(c, res_op_done_cb, op, err));
}

static int
res_unpause_handler(struct api_request *req, dctl_error_t *err)
{
    struct container *c = res_lookup(req, err);

    if (c == NULL || container_unpause(c, err) < 0)
        return -1;
    api_reply_empty(req, 204);
    return 0;
}

static int
res_update_handler(struct api_request *req, dctl_error_t *err)
{
    cleanup_json struct json_object *body = NULL;
    struct container *c = res_lookup(req, err);
    struct res_op *op;

    if (c == NULL || api_body_json(req, false, &body, err) < 0)
        return -1;
    op = xcalloc(1, sizeof *op);
    op->req = req;
    op->in_handler = true;
    op->warnings = json_object_new_array();
    return res_op_finish(req, op, container_update(c, body, op->warnings, res_op_done_cb, op,
                                                   err));
}

const struct api_route api_containers_resources_routes[] = {
    { API_POST, "/containers/{id}/pause", res_pause_handler, 0 },
    { API_POST, "/containers/{id}/unpause", res_unpause_handler, 0 },
    { API_POST, "/containers/{id}/update", res_update_handler, 0 },
    { 0, NULL, NULL, 0 },
};
