/* api/containers-fs.c - a container's filesystem as a whole: GET /containers/{id}/changes
 * (what its RW layer changed, Docker's Kind 0 modified, 1 added, 2 deleted) and GET
 * /containers/{id}/export (a tar of its whole root). Both run in a worker job: the
 * listing from the storage driver, the export written to an unlinked spool file in
 * data-root/tmp (never held in memory) and then sent from it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/image.h"
#include "daemon/layerstore.h"
#include "daemon/worker.h"
#include "lib/json.h"
#include "lib/tar.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

enum cfs_kind { CFS_CHANGES, CFS_EXPORT };

/* Owner: the job from submit to its done callback; the request only points at it. */
struct cfs_job {
    enum cfs_kind kind;
    struct api_request *req;
    struct image_service *svc;
    struct container *c;
    char *json;     /* changes */
    int fd;         /* export: the spool file */
    uint64_t size;
};

static void
cfs_job_free(struct cfs_job *j)
{
    container_unref(j->c);
    free(j->json);
    if (j->fd >= 0)
        close(j->fd);
    free(j);
}

static int
cfs_run(void *job, dctl_error_t *err)
{
    struct cfs_job *j = job;
    cleanup_free char *path = NULL;
    struct stat st;
    int rc;

    if (j->kind == CFS_CHANGES)
        return layerstore_mount_changes(j->svc->layers, j->c->id, &j->json, err);
    j->fd = open(j->svc->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (j->fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create a spool file in %s",
                              j->svc->tmp_dir);
    if (layerstore_mount_get(j->svc->layers, j->c->id, &path, err) < 0)
        return -1;
    rc = tar_write_dir(j->fd, path, TAR_WRITE_FULL, err);
    layerstore_mount_put(j->svc->layers, j->c->id, NULL);
    if (rc < 0)
        return dctl_error_prefix(err, "export %.12s", j->c->id);
    if (fstat(j->fd, &st) < 0 || lseek(j->fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the export");
    j->size = (uint64_t)st.st_size;
    return 0;
}

static void
cfs_done_cb(void *job, int status, dctl_error_t err)
{
    struct cfs_job *j = job;
    struct api_request *req = j->req;

    if (req) {
        req->data = NULL;
        req->data_free = NULL;
    }
    if (status == 0 && j->kind == CFS_EXPORT)
        container_emit(j->c, "export", NULL);
    if (req == NULL) {
        dctl_error_free(err);
    } else if (status < 0) {
        api_reply_error(req, err);
    } else if (j->kind == CFS_CHANGES) {
        cleanup_json struct json_object *a = json_parse(j->json, strlen(j->json), "changes",
                                                        &err);

        if (a == NULL)
            api_reply_error(req, err);
        else
            api_reply_json(req, 200, steal_ptr(&a));
    } else {
        api_reply_fd(req, 200, "application/x-tar", j->fd, j->size);
        j->fd = -1;   /* MHD's now */
    }
    if (req)
        api_request_resume(req);
    cfs_job_free(j);
}

static void
cfs_release(void *data)
{
    struct cfs_job *j = data;

    j->req = NULL;
}

static int
cfs_start(struct api_request *req, enum cfs_kind kind, dctl_error_t *err)
{
    struct container *c;
    struct cfs_job *j;

    if (req->dctld->containers == NULL || req->dctld->images == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    c = container_lookup(req->dctld->containers, api_param(req, 0), err);
    if (c == NULL)
        return -1;
    if (c->removed || c->status == CONTAINER_REMOVING || c->status == CONTAINER_DEAD)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "container %s is being removed", c->id);
    j = xcalloc(1, sizeof *j);
    j->kind = kind;
    j->req = req;
    j->svc = req->dctld->images;
    j->c = container_ref(c);
    j->fd = -1;
    if (worker_submit(req->dctld->workers, cfs_run, cfs_done_cb, j, err) < 0) {
        cfs_job_free(j);
        return -1;
    }
    req->data = j;
    req->data_free = cfs_release;
    api_request_suspend(req);
    return 0;
}

static int
cfs_changes_handler(struct api_request *req, dctl_error_t *err)
{
    return cfs_start(req, CFS_CHANGES, err);
}

static int
cfs_export_handler(struct api_request *req, dctl_error_t *err)
{
    return cfs_start(req, CFS_EXPORT, err);
}

const struct api_route api_containers_fs_routes[] = {
    { API_GET, "/containers/{id}/changes", cfs_changes_handler, 0 },
    { API_GET, "/containers/{id}/export", cfs_export_handler, 0 },
    { 0, NULL, NULL, 0 },
};
