/* api/images.c - the image endpoints: list, inspect, history, import (POST
 * /images/create?fromSrc=-), tag, delete, prune; and the images of GET /system/df.
 * Replies have Docker's shapes (ImageSummary, ImageInspect, HistoryResponseItem,
 * ImageDeleteResponseItem, ImagePruneResponse). Look-ups and listings read the stores'
 * in-memory indexes on the loop; everything that writes (tag, delete, prune, import)
 * runs in a worker job with the request suspended, and its events are emitted from the
 * done callback on the loop. An import's body is spooled, as it arrives, to an unlinked
 * file under data-root/tmp (never held in memory), then unpacked by the job. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "daemon/dctld.h"
#include "daemon/events.h"
#include "daemon/image.h"
#include "daemon/worker.h"
#include "filters.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

static struct image_service *
images_service(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = req->dctld->images;

    if (svc == NULL)
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                       "no storage driver is active: images cannot be stored");
    return svc;
}

static void
images_emit(struct dctld *d, struct image_events *ev)
{
    size_t i;

    for (i = 0; i < ev->n; i++) {
        const struct image_event *e = &ev->v[i];

        if (strcmp(e->action, "prune") == 0)
            events_emit(d->events, EVENTS_TYPE_IMAGE, "prune", "", "reclaimed", e->name, NULL);
        else
            events_emit(d->events, EVENTS_TYPE_IMAGE, e->action, e->id, "name", e->name, NULL);
    }
    image_events_fini(ev);
}

/* ---- GET /images/json ------------------------------------------------------------- */

static const char *const images_list_filters[] = {
    "dangling", "label", "before", "since", "reference", "until", NULL,
};

/* How many images use each layer (by chain ID), for SharedSize. */
struct images_layer_use {
    char chain[DIGEST_STRING_MAX];
    int64_t size;
    size_t users;
};

struct images_usage {
    struct images_layer_use *v;
    size_t n;
};

static void
images_image_chains(const struct image *img, char (**chains)[DIGEST_STRING_MAX])
{
    const char **ids = xcalloc(img->nlayers + 1, sizeof *ids);
    char top[DIGEST_STRING_MAX];
    size_t i;

    *chains = xcalloc(img->nlayers + 1, sizeof **chains);
    for (i = 0; i < img->nlayers; i++)
        ids[i] = img->diff_ids[i];
    if (img->nlayers)
        digest_chain_id(ids, img->nlayers, top, *chains, NULL);
    free(ids);
}

static void
images_usage_build(struct image_service *svc, struct image **all, size_t n,
                   struct images_usage *u)
{
    size_t i, k, j;

    memset(u, 0, sizeof *u);
    for (i = 0; i < n; i++) {
        char (*chains)[DIGEST_STRING_MAX];

        images_image_chains(all[i], &chains);
        for (k = 0; k < all[i]->nlayers; k++) {
            struct layer_info li;

            for (j = 0; j < u->n; j++)
                if (strcmp(u->v[j].chain, chains[k]) == 0)
                    break;
            if (j == u->n) {
                u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
                memset(&u->v[j], 0, sizeof u->v[j]);
                snprintf(u->v[j].chain, sizeof u->v[j].chain, "%s", chains[k]);
                if (layerstore_get(svc->layers, chains[k], &li))
                    u->v[j].size = li.size;
                u->n++;
            }
            u->v[j].users++;
        }
        free(chains);
    }
}

static int64_t
images_shared_size(const struct image *img, const struct images_usage *u)
{
    char (*chains)[DIGEST_STRING_MAX];
    int64_t shared = 0;
    size_t k, j;

    images_image_chains(img, &chains);
    for (k = 0; k < img->nlayers; k++)
        for (j = 0; j < u->n; j++)
            if (strcmp(u->v[j].chain, chains[k]) == 0 && u->v[j].users > 1)
                shared += u->v[j].size;
    free(chains);
    return shared;
}

/* One ImageSummary; refs filtered by the reference patterns when given. NULL when the
 * filters leave the image out. */
static struct json_object *
images_summary(struct image_service *svc, const struct image *img, const struct filters *f,
               int64_t shared, int64_t containers)
{
    struct json_object *o, *tags = json_object_new_array(), *digests = json_object_new_array();
    struct reference **refs = refstore_references(svc->refs, img->id, NULL);
    size_t npat = 0, i, k;
    const char *const *pat = f ? filters_get(f, "reference", &npat) : NULL;

    for (i = 0; refs[i]; i++) {
        cleanup_free char *s = reference_familiar_string(refs[i]);
        cleanup_free char *name = reference_familiar_name(refs[i]);
        bool found = pat == NULL;

        for (k = 0; pat && k < npat && !found; k++)
            found = fnmatch(pat[k], s, FNM_PATHNAME) == 0 ||
                    fnmatch(pat[k], name, FNM_PATHNAME) == 0;
        if (found)
            json_object_array_add(refs[i]->digest ? digests : tags, json_object_new_string(s));
    }
    reference_list_free(refs);
    if (pat && json_object_array_length(tags) + json_object_array_length(digests) == 0) {
        json_object_put(tags);
        json_object_put(digests);
        return NULL;
    }
    o = json_object_new_object();
    json_add_int64(o, "Containers", containers);
    json_add_int64(o, "Created", img->created_ns / 1000000000LL);
    json_add_string(o, "Id", img->id);
    json_object_object_add(o, "Labels", image_config_labels(img));
    json_add_string(o, "ParentId", img->parent);
    json_object_object_add(o, "RepoDigests", digests);
    json_object_object_add(o, "RepoTags", tags);
    json_add_int64(o, "SharedSize", shared);
    json_add_int64(o, "Size", img->size);
    json_add_int64(o, "VirtualSize", img->size);
    return o;
}

static int
images_by_created_desc(const void *a, const void *b)
{
    const struct image *x = *(struct image *const *)a, *y = *(struct image *const *)b;

    if (x->created_ns != y->created_ns)
        return x->created_ns < y->created_ns ? 1 : -1;
    return strcmp(x->id, y->id);
}

/* The Created time of the image a before/since filter names. */
static int
images_filter_time(struct image_service *svc, const struct filters *f, const char *key,
                   long long *out, dctl_error_t *err)
{
    size_t n = 0;
    const char *const *v = filters_get(f, key, &n);
    struct image *img;

    if (n == 0)
        return 0;
    img = image_service_lookup(svc, v[n - 1], err);
    if (img == NULL)
        return -1;
    *out = img->created_ns;
    image_unref(img);
    return 0;
}

static int
images_list_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    cleanup_filters struct filters *f = NULL;
    struct json_object *a;
    struct images_usage u = { 0 };
    struct image **all;
    long long before = LLONG_MAX, since = LLONG_MIN, until = LLONG_MAX;
    bool all_flag = api_query_bool(req, "all", false);
    bool shared = api_query_bool(req, "shared-size", false);
    bool dangling_set, dangling = false;
    size_t n, i;

    if (svc == NULL)
        return -1;
    f = filters_parse(api_query(req, "filters"), err);
    if (f == NULL || filters_validate(f, images_list_filters, err) < 0)
        return -1;
    dangling_set = filters_contains(f, "dangling");
    if (filters_get_bool(f, "dangling", false, &dangling, err) < 0)
        return -1;
    if (images_filter_time(svc, f, "before", &before, err) < 0 ||
        images_filter_time(svc, f, "since", &since, err) < 0)
        return -1;
    if (filters_contains(f, "until")) {
        size_t nu = 0;
        const char *const *uv = filters_get(f, "until", &nu);

        if (nu && util_parse_timestamp(uv[nu - 1], util_now_ns(), &until) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "failed to parse value %s for until", uv[nu - 1]);
    }
    all = imagestore_list(svc->images, &n);
    qsort(all, n, sizeof *all, images_by_created_desc);
    if (shared)
        images_usage_build(svc, all, n, &u);
    a = json_object_new_array();
    for (i = 0; i < n; i++) {
        struct image *img = all[i];
        struct json_object *s;
        size_t nrefs = 0;
        struct reference **refs;

        if (img->created_ns >= before || img->created_ns <= since ||
            img->created_ns >= until)
            continue;
        if (filters_contains(f, "label")) {
            cleanup_json struct json_object *labels = image_config_labels(img);

            if (!filters_match_kv(f, "label", labels))
                continue;
        }
        refs = refstore_references(svc->refs, img->id, &nrefs);
        reference_list_free(refs);
        /* an untagged image with children is an intermediate one: shown with all=1 */
        if (!all_flag && nrefs == 0 && imagestore_children(svc->images, img->id) > 0)
            continue;
        if (dangling_set && dangling != (nrefs == 0))
            continue;
        s = images_summary(svc, img, f, shared ? images_shared_size(img, &u) : -1, -1);
        if (s)
            json_object_array_add(a, s);
    }
    free(u.v);
    imagestore_list_free(all, n);
    api_reply_json(req, 200, a);
    return 0;
}

struct json_object *
api_images_df(struct dctld *d)
{
    struct image_service *svc = d->images;
    struct json_object *a = json_object_new_array();
    struct images_usage u;
    struct image **all;
    size_t n, i;

    if (svc == NULL)
        return a;
    all = imagestore_list(svc->images, &n);
    qsort(all, n, sizeof *all, images_by_created_desc);
    images_usage_build(svc, all, n, &u);
    for (i = 0; i < n; i++)
        json_object_array_add(a, images_summary(svc, all[i], NULL,
                                                images_shared_size(all[i], &u),
                                                (int64_t)image_service_users(svc, all[i]->id)));
    free(u.v);
    imagestore_list_free(all, n);
    return a;
}

/* ---- GET /images/{name}/json ------------------------------------------------------ */

static struct json_object *
images_member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (json_object_object_get_ex(o, key, &v) && v)
        return json_object_get(v);
    return NULL;
}

static int
images_inspect_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    cleanup_image struct image *img = NULL;
    cleanup_json struct json_object *cfg = NULL;
    struct json_object *o, *tags, *digests, *rootfs, *layers, *gd, *meta;
    char created[64] = "", tagged[64] = "0001-01-01T00:00:00Z";
    size_t i;

    if (svc == NULL || (img = image_service_lookup(svc, api_param(req, 0), err)) == NULL)
        return -1;
    cfg = json_parse_object(img->config, img->config_len, "image config", err);
    if (cfg == NULL)
        return -1;
    image_service_repo_lists(svc, img->id, &tags, &digests);
    o = json_object_new_object();
    json_add_string(o, "Id", img->id);
    json_object_object_add(o, "RepoTags", tags);
    json_object_object_add(o, "RepoDigests", digests);
    json_add_string(o, "Parent", img->parent);
    json_add_string(o, "Comment", json_get_string(cfg, "comment") ? json_get_string(cfg, "comment") : "");
    if (json_get_string(cfg, "created"))
        snprintf(created, sizeof created, "%s", json_get_string(cfg, "created"));
    json_add_string(o, "Created", created);
    json_add_string(o, "Container", json_get_string(cfg, "container") ? json_get_string(cfg, "container") : "");
    json_object_object_add(o, "ContainerConfig", images_member(cfg, "container_config"));
    json_add_string(o, "DockerVersion", json_get_string(cfg, "docker_version") ? json_get_string(cfg, "docker_version") : "");
    json_add_string(o, "Author", json_get_string(cfg, "author") ? json_get_string(cfg, "author") : "");
    json_object_object_add(o, "Config", images_member(cfg, "config"));
    json_add_string(o, "Architecture", json_get_string(cfg, "architecture") ? json_get_string(cfg, "architecture") : "");
    if (json_get_string(cfg, "variant"))
        json_add_string(o, "Variant", json_get_string(cfg, "variant"));
    json_add_string(o, "Os", json_get_string(cfg, "os") ? json_get_string(cfg, "os") : "");
    if (json_get_string(cfg, "os.version"))
        json_add_string(o, "OsVersion", json_get_string(cfg, "os.version"));
    json_add_int64(o, "Size", img->size);
    json_add_int64(o, "VirtualSize", img->size);
    gd = json_object_new_object();
    json_object_object_add(gd, "Data", NULL);
    json_add_string(gd, "Name", svc->driver_name);
    json_object_object_add(o, "GraphDriver", gd);
    rootfs = json_object_new_object();
    layers = json_object_new_array();
    json_add_string(rootfs, "Type", "layers");
    for (i = 0; i < img->nlayers; i++)
        json_object_array_add(layers, json_object_new_string(img->diff_ids[i]));
    json_object_object_add(rootfs, "Layers", layers);
    json_object_object_add(o, "RootFS", rootfs);
    meta = json_object_new_object();
    if (img->last_updated_ns)
        util_format_rfc3339(img->last_updated_ns, tagged, sizeof tagged);
    json_add_string(meta, "LastTagTime", tagged);
    json_object_object_add(o, "Metadata", meta);
    api_reply_json(req, 200, o);
    return 0;
}

/* ---- GET /images/{name}/history --------------------------------------------------- */

static int
images_history_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    cleanup_image struct image *img = NULL;
    cleanup_json struct json_object *cfg = NULL;
    char (*chains)[DIGEST_STRING_MAX] = NULL;
    struct json_object *hist = NULL, *a, **items;
    size_t nh, i, layer = 0;

    if (svc == NULL || (img = image_service_lookup(svc, api_param(req, 0), err)) == NULL)
        return -1;
    cfg = json_parse_object(img->config, img->config_len, "image config", err);
    if (cfg == NULL)
        return -1;
    json_object_object_get_ex(cfg, "history", &hist);
    nh = hist && json_object_is_type(hist, json_type_array) ? json_object_array_length(hist) : 0;
    images_image_chains(img, &chains);
    items = xcalloc(nh + 1, sizeof *items);
    for (i = 0; i < nh; i++) {
        struct json_object *h = json_object_array_get_idx(hist, i), *o = json_object_new_object();
        long long created = 0;
        int64_t size = 0;
        const char *c = json_get_string(h, "created");

        if (!json_get_bool(h, "empty_layer", false) && layer < img->nlayers) {
            struct layer_info li, pli;

            if (layerstore_get(svc->layers, chains[layer], &li))
                size = li.size;
            (void)pli;
            layer++;
        }
        if (c == NULL || util_parse_timestamp(c, 0, &created) < 0)
            created = 0;
        json_add_string(o, "Comment", json_get_string(h, "comment") ? json_get_string(h, "comment") : "");
        json_add_int64(o, "Created", created / 1000000000LL);
        json_add_string(o, "CreatedBy", json_get_string(h, "created_by") ? json_get_string(h, "created_by") : "");
        json_add_string(o, "Id", "<missing>");
        json_add_int64(o, "Size", size);
        json_object_object_add(o, "Tags", NULL);
        items[i] = o;
    }
    free(chains);
    a = json_object_new_array();
    for (i = nh; i-- > 0;)
        json_object_array_add(a, items[i]);
    free(items);
    if (nh > 0) {   /* the newest entry is the image itself, with its tags */
        struct json_object *top = json_object_array_get_idx(a, 0);
        struct reference **refs = refstore_references(svc->refs, img->id, NULL);
        struct json_object *tags = NULL;

        json_add_string(top, "Id", img->id);
        for (i = 0; refs[i]; i++) {
            cleanup_free char *s = NULL;

            if (refs[i]->digest)
                continue;
            s = reference_familiar_string(refs[i]);
            if (tags == NULL)
                tags = json_object_new_array();
            json_object_array_add(tags, json_object_new_string(s));
        }
        reference_list_free(refs);
        json_object_object_add(top, "Tags", tags);
    }
    api_reply_json(req, 200, a);
    return 0;
}

/* ---- jobs shared by tag, delete and prune ------------------------------------------- */

enum images_op { IMAGES_TAG, IMAGES_DELETE, IMAGES_PRUNE };

/* Owner: the request, from submit until images_job_done_cb. */
struct images_job {
    struct api_request *req;
    struct image_service *svc;
    enum images_op op;
    char id[DIGEST_STRING_MAX];
    char *name;
    struct reference *ref;
    bool force, prune, dangling_only;
    long long until_ns;
    struct filters *filters;
    struct json_object *records;
    int64_t reclaimed;
    struct image_events ev;
};

static void
images_job_free(struct images_job *j)
{
    free(j->name);
    reference_free(j->ref);
    filters_free(j->filters);
    if (j->records)
        json_object_put(j->records);
    image_events_fini(&j->ev);
    free(j);
}

static bool
images_prune_keep(const struct image *img, void *arg)
{
    const struct filters *f = arg;
    cleanup_json struct json_object *labels = NULL;

    if (!filters_contains(f, "label") && !filters_contains(f, "label!"))
        return false;
    labels = image_config_labels(img);
    if (!filters_match_kv(f, "label", labels))
        return true;
    if (filters_contains(f, "label!")) {
        size_t n = 0, i;
        const char *const *v = filters_get(f, "label!", &n);

        for (i = 0; i < n; i++) {   /* label!=k or k=v: images having it are kept */
            cleanup_filters struct filters *one = filters_new();

            filters_add(one, "label", v[i]);
            if (filters_match_kv(one, "label", labels))
                return true;
        }
    }
    return false;
}

static int
images_job_run(void *job, dctl_error_t *err)
{
    struct images_job *j = job;

    switch (j->op) {
    case IMAGES_TAG:
        return image_service_tag(j->svc, j->id, j->ref, &j->ev, err);
    case IMAGES_DELETE:
        return image_service_delete(j->svc, j->name, j->force, j->prune, j->records, &j->ev,
                                    err);
    case IMAGES_PRUNE:
        return image_service_prune(j->svc, j->dangling_only, j->until_ns, images_prune_keep,
                                   j->filters, j->records, &j->reclaimed, &j->ev, err);
    }
    return 0;
}

static void
images_job_done_cb(void *job, int status, dctl_error_t err)
{
    struct images_job *j = job;
    struct api_request *req = j->req;

    images_emit(req->dctld, &j->ev);   /* what happened before a failure happened */
    if (status < 0) {
        api_reply_error(req, err);
    } else {
        dctl_error_free(err);
        if (j->op == IMAGES_TAG) {
            api_reply_empty(req, 201);
        } else if (j->op == IMAGES_DELETE) {
            api_reply_json(req, 200, steal_ptr(&j->records));
        } else {
            struct json_object *o = json_object_new_object();

            json_object_object_add(o, "ImagesDeleted",
                                   json_object_array_length(j->records)
                                       ? steal_ptr(&j->records) : NULL);
            json_add_int64(o, "SpaceReclaimed", j->reclaimed);
            api_reply_json(req, 200, o);
        }
    }
    api_request_resume(req);
    images_job_free(j);
}

static int
images_job_submit(struct api_request *req, struct images_job *j, dctl_error_t *err)
{
    if (worker_submit(req->dctld->workers, images_job_run, images_job_done_cb, j, err) < 0) {
        images_job_free(j);
        return -1;
    }
    api_request_suspend(req);
    return 0;
}

static struct images_job *
images_job_new(struct api_request *req, struct image_service *svc, enum images_op op)
{
    struct images_job *j = xcalloc(1, sizeof *j);

    j->req = req;
    j->svc = svc;
    j->op = op;
    j->records = json_object_new_array();
    return j;
}

/* ---- POST /images/{name}/tag ---------------------------------------------------------- */

/* httputils.RepoTagReference: repo normalised, tag added ("latest" when none). */
struct reference *
images_repo_tag(const char *repo, const char *tag, dctl_error_t *err)
{
    struct reference *ref;
    cleanup_free char *familiar = NULL;

    if (repo == NULL || *repo == '\0') {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "repository name must have at least one "
                                                 "component");
        return NULL;
    }
    ref = reference_parse_normalized(repo, err);
    if (ref == NULL)
        return NULL;
    if (ref->digest) {
        reference_free(ref);
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "cannot import digest reference");
        return NULL;
    }
    if (tag && *tag && reference_set_tag(ref, tag, err) < 0) {
        reference_free(ref);
        return NULL;
    }
    reference_tag_name_only(ref);
    familiar = reference_familiar_name(ref);
    if (strcmp(familiar, "sha256") == 0) {
        reference_free(ref);
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "refusing to create an ambiguous tag using digest algorithm as name");
        return NULL;
    }
    return ref;
}

static int
images_tag_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    cleanup_reference struct reference *ref = NULL;
    struct image *img;
    struct images_job *j;

    if (svc == NULL)
        return -1;
    ref = images_repo_tag(api_query(req, "repo"), api_query(req, "tag"), err);
    if (ref == NULL)
        return -1;
    img = image_service_lookup(svc, api_param(req, 0), err);
    if (img == NULL)
        return -1;
    j = images_job_new(req, svc, IMAGES_TAG);
    snprintf(j->id, sizeof j->id, "%s", img->id);
    image_unref(img);
    j->ref = steal_ptr(&ref);
    return images_job_submit(req, j, err);
}

/* ---- DELETE /images/{name} --------------------------------------------------------------- */

static int
images_delete_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    struct image *img;
    struct images_job *j;

    if (svc == NULL)
        return -1;
    img = image_service_lookup(svc, api_param(req, 0), err);   /* 404/400 at once */
    if (img == NULL)
        return -1;
    image_unref(img);
    j = images_job_new(req, svc, IMAGES_DELETE);
    j->name = xstrdup(api_param(req, 0));
    j->force = api_query_bool(req, "force", false);
    j->prune = !api_query_bool(req, "noprune", false);
    return images_job_submit(req, j, err);
}

/* ---- POST /images/prune --------------------------------------------------------------- */

static const char *const images_prune_filters[] = { "dangling", "until", "label", "label!",
                                                    NULL };

static int
images_prune_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    struct filters *f;
    struct images_job *j;
    bool dangling = true;
    long long until = LLONG_MAX;

    if (svc == NULL)
        return -1;
    f = filters_parse(api_query(req, "filters"), err);
    if (f == NULL)
        return -1;
    if (filters_validate(f, images_prune_filters, err) < 0 ||
        filters_get_bool(f, "dangling", true, &dangling, err) < 0) {
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
    j = images_job_new(req, svc, IMAGES_PRUNE);
    j->filters = f;
    j->dangling_only = dangling;
    j->until_ns = until;
    return images_job_submit(req, j, err);
}

/* ---- POST /images/create?fromSrc=- ---------------------------------------------------- */

/* An unlinked file under data-root/tmp that an upload is spooled to as it arrives. */
static int
images_spool_open(struct image_service *svc, dctl_error_t *err)
{
    int fd = open(svc->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {   /* no O_TMPFILE here */
        cleanup_free char *path = xasprintf("%s/upload-XXXXXX", svc->tmp_dir);

        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "spool file in %s", svc->tmp_dir);
    return fd;
}

/* Appends a piece of the body to the spool file; a failure becomes the reply (the rest
 * of the body is then dropped). Local disk: a short write, on the loop. */
static void
images_spool_write(struct api_request *req, int fd, const char *data, size_t len)
{
    dctl_error_t err = NULL;

    while (len > 0) {
        ssize_t w = write(fd, data, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            dctl_error_set(&err, DCTL_ERR_INTERNAL, errno, "spool the upload");
            api_reply_error(req, err);
            return;
        }
        data += w;
        len -= (size_t)w;
    }
}

/* Owner: the request (req->data) and, from submit until its done callback, the job;
 * whichever lets go last frees it. */
struct images_import {
    struct api_request *req;      /* NULL once the request is gone */
    struct image_service *svc;
    struct dctld *dctld;
    int fd;                       /* the spool file (unlinked) */
    bool running;
    struct reference *ref;
    char *message, *os, *arch;
    char **changes;
    size_t nchanges;
    char id[DIGEST_STRING_MAX];
    struct image_events ev;
};

static void
images_import_free(struct images_import *im)
{
    size_t i;

    if (im->fd >= 0)
        close(im->fd);
    reference_free(im->ref);
    free(im->message);
    free(im->os);
    free(im->arch);
    for (i = 0; i < im->nchanges; i++)
        free(im->changes[i]);
    free(im->changes);
    image_events_fini(&im->ev);
    free(im);
}

static void
images_import_release(void *data)
{
    struct images_import *im = data;

    if (im->running)
        im->req = NULL;   /* the job frees it */
    else
        images_import_free(im);
}

static int
images_import_run(void *job, dctl_error_t *err)
{
    struct images_import *im = job;
    struct image_import_opts opts = {
        .ref = im->ref, .message = im->message, .changes = (const char *const *)im->changes,
        .nchanges = im->nchanges, .platform_os = im->os, .platform_arch = im->arch,
    };

    if (lseek(im->fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the upload");
    return image_service_import(im->svc, im->fd, &opts, im->id, &im->ev, err);
}

static void
images_import_done_cb(void *job, int status, dctl_error_t err)
{
    struct images_import *im = job;
    struct api_request *req = im->req;

    im->running = false;
    images_emit(im->dctld, &im->ev);
    if (req == NULL) {   /* the client went away; the import stands if it succeeded */
        dctl_error_free(err);
        images_import_free(im);
        return;
    }
    if (status < 0) {
        api_reply_error(req, err);
    } else {
        cleanup_free char *line = xasprintf("{\"status\":\"%s\"}\r\n", im->id);

        dctl_error_free(err);
        api_reply(req, 200, "application/json", line, strlen(line));
    }
    api_request_resume(req);   /* the request frees im (running is false) */
}

static void
images_import_body_cb(struct api_request *req, const char *data, size_t len)
{
    struct images_import *im = req->data;
    dctl_error_t err = NULL;

    if (data != NULL) {
        images_spool_write(req, im->fd, data, len);
        return;
    }
    if (worker_submit(req->dctld->workers, images_import_run, images_import_done_cb, im,
                      &err) < 0) {
        api_reply_error(req, err);
        return;
    }
    im->running = true;
    api_request_suspend(req);
}

static int
images_create_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    const char *src = api_query(req, "fromSrc"), *repo = api_query(req, "repo");
    const char *tag = api_query(req, "tag"), *platform = api_query(req, "platform");
    const char *changes[64];
    cleanup_reference struct reference *ref = NULL;
    struct images_import *im;
    size_t nchanges, i;
    int fd;

    if (svc == NULL)
        return -1;
    if (api_query(req, "fromImage") && *api_query(req, "fromImage"))
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "pulling images is not supported by this dctld yet");
    if (src == NULL || *src == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "either fromImage or fromSrc is "
                                                        "required");
    if (strcmp(src, "-") != 0)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "importing from a URL is not supported; send the tar in the "
                              "request body (fromSrc=-)");
    if (repo && *repo && (ref = images_repo_tag(repo, tag, err)) == NULL)
        return -1;
    nchanges = api_query_all(req, "changes", changes, ARRAY_SIZE(changes));
    if (nchanges > ARRAY_SIZE(changes))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "too many changes: %zu", nchanges);
    if (image_changes_validate(changes, nchanges, err) < 0)
        return -1;
    if (platform && *platform && strcmp(platform, "linux") != 0 &&
        !util_has_prefix(platform, "linux/"))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "operating system is not supported");
    fd = images_spool_open(svc, err);
    if (fd < 0)
        return -1;
    im = xcalloc(1, sizeof *im);
    im->req = req;
    im->svc = svc;
    im->dctld = req->dctld;
    im->fd = fd;
    im->ref = steal_ptr(&ref);
    im->message = xstrdup(api_query(req, "message") ? api_query(req, "message") : "");
    if (platform && util_has_prefix(platform, "linux/")) {
        im->arch = xstrndup(platform + 6, strcspn(platform + 6, "/"));
    }
    im->changes = xcalloc(nchanges + 1, sizeof *im->changes);
    for (i = 0; i < nchanges; i++)
        im->changes[i] = xstrdup(changes[i]);
    im->nchanges = nchanges;
    req->data = im;
    req->data_free = images_import_release;
    req->body_cb = images_import_body_cb;
    return 0;
}

/* ---- POST /images/load ---------------------------------------------------------------- */

#define IMAGES_LOAD_TICK_MS 100

/* A load in progress. Owners: the request (until data_free), the job (until its done
 * callback) and the output stream (until its close callback) each hold a reference; all
 * three let go on the loop. The job's thread touches only fd, and what mu guards. */
struct images_load {
    int refs;
    struct api_request *req; /* NULL once the request is gone */
    struct api_stream *st;   /* the 200 reply, once there was output; NULL once closed */
    struct image_service *svc;
    struct dctld *dctld;
    int fd;                  /* the spool file (unlinked) */
    bool quiet, started;
    struct event *tick;      /* forwards output and progress while the job runs */
    struct image_events ev;
    pthread_mutex_t mu;      /* guards what follows */
    char *out;               /* JSON messages not yet forwarded */
    size_t out_len;
    int layer_fd;            /* the layer being registered, -1 when none */
    int64_t layer_total;
    char layer_id[13];
};

static void
images_load_unref(struct images_load *ld)
{
    if (--ld->refs > 0)
        return;
    if (ld->fd >= 0)
        close(ld->fd);
    if (ld->tick)
        event_free(ld->tick);
    image_events_fini(&ld->ev);
    pthread_mutex_destroy(&ld->mu);
    free(ld->out);
    free(ld);
}

/* Docker's units.HumanSize: decimal units, four significant digits. */
static void
images_human_size(double v, char *buf, size_t len)
{
    static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
    size_t i = 0;

    while (v >= 1000.0 && i + 1 < ARRAY_SIZE(units)) {
        v /= 1000.0;
        i++;
    }
    snprintf(buf, len, "%.4g%s", v, units[i]);
}

/* mu held. Appends one JSON message (Docker ends each with CRLF). */
static void
images_load_append_locked(struct images_load *ld, struct json_object *msg)
{
    size_t n;
    const char *text = json_object_to_json_string_length(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

    ld->out = xrealloc(ld->out, ld->out_len + n + 2);
    memcpy(ld->out + ld->out_len, text, n);
    memcpy(ld->out + ld->out_len + n, "\r\n", 2);
    ld->out_len += n + 2;
    json_object_put(msg);
}

/* mu held. {"status":"Loading layer","progressDetail":{...},"progress":"[==>  ] ...","id"} */
static void
images_load_progress_locked(struct images_load *ld, int64_t current)
{
    struct json_object *o = json_object_new_object(), *d = json_object_new_object();
    char bar[64], cur[32], tot[32], text[160];
    int64_t total = ld->layer_total;
    int pct = total > 0 ? (int)((double)current / (double)total * 100) / 2 : 50;

    if (pct > 50)
        pct = 50;
    memset(bar, '=', (size_t)pct);
    bar[pct] = '>';
    memset(bar + pct + 1, ' ', (size_t)(50 - pct));
    bar[51] = '\0';
    images_human_size((double)current, cur, sizeof cur);
    images_human_size((double)total, tot, sizeof tot);
    snprintf(text, sizeof text, "[%s] %8s/%s", bar, cur, tot);
    json_add_string(o, "status", "Loading layer");
    json_add_int64(d, "current", current);
    json_add_int64(d, "total", total);
    json_object_object_add(o, "progressDetail", d);
    json_add_string(o, "progress", text);
    json_add_string(o, "id", ld->layer_id);
    images_load_append_locked(ld, o);
}

static void
images_load_layer_begin(void *arg, const char *diff_id, int fd, int64_t total)
{
    struct images_load *ld = arg;

    pthread_mutex_lock(&ld->mu);
    ld->layer_fd = fd;
    ld->layer_total = total;
    snprintf(ld->layer_id, sizeof ld->layer_id, "%s", digest_hex(diff_id));
    pthread_mutex_unlock(&ld->mu);
}

static void
images_load_layer_end(void *arg, const char *diff_id, int64_t total, bool ok)
{
    struct images_load *ld = arg;

    (void)diff_id;
    pthread_mutex_lock(&ld->mu);
    if (ok)
        images_load_progress_locked(ld, total);
    ld->layer_fd = -1;
    pthread_mutex_unlock(&ld->mu);
}

static void
images_load_output(void *arg, const char *text)
{
    struct images_load *ld = arg;
    struct json_object *o = json_object_new_object();

    json_add_string(o, "stream", text);
    pthread_mutex_lock(&ld->mu);
    images_load_append_locked(ld, o);
    pthread_mutex_unlock(&ld->mu);
}

static const struct image_load_ops images_load_ops = {
    .layer_begin = images_load_layer_begin,
    .layer_end = images_load_layer_end,
    .output = images_load_output,
};
static const struct image_load_ops images_load_quiet_ops = {
    .output = images_load_output,
};

static void
images_load_stream_closed_cb(void *arg)
{
    struct images_load *ld = arg;

    ld->st = NULL;
    images_load_unref(ld);
}

/* Sends text, starting the 200 reply on the first bytes. */
static void
images_load_send(struct images_load *ld, const char *text, size_t len)
{
    if (len == 0)
        return;
    if (!ld->started && ld->req) {
        ld->started = true;
        ld->refs++;
        ld->st = api_stream_new(ld->req, "application/json", images_load_stream_closed_cb,
                                ld);
        api_request_resume(ld->req);
    }
    if (ld->st)
        api_stream_write(ld->st, text, len);
}

/* Forwards the job's messages, and how far the current layer has been read. */
static void
images_load_flush(struct images_load *ld)
{
    cleanup_free char *out = NULL;
    size_t len;

    pthread_mutex_lock(&ld->mu);
    if (ld->layer_fd >= 0) {
        off_t pos = lseek(ld->layer_fd, 0, SEEK_CUR);

        if (pos > 0 && pos < ld->layer_total)
            images_load_progress_locked(ld, pos);
    }
    out = steal_ptr(&ld->out);
    len = ld->out_len;
    ld->out_len = 0;
    pthread_mutex_unlock(&ld->mu);
    images_load_send(ld, out, len);
}

static void
images_load_tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    images_load_flush(arg);
}

static int
images_load_run(void *job, dctl_error_t *err)
{
    struct images_load *ld = job;

    if (lseek(ld->fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the upload");
    return image_service_load(ld->svc, ld->fd,
                              ld->quiet ? &images_load_quiet_ops : &images_load_ops, ld,
                              &ld->ev, err);
}

static void
images_load_done_cb(void *job, int status, dctl_error_t err)
{
    struct images_load *ld = job;

    event_del(ld->tick);
    close(ld->fd);   /* the upload is not needed any more */
    ld->fd = -1;
    images_emit(ld->dctld, &ld->ev);
    images_load_flush(ld);
    if (status < 0 && !ld->started && ld->req) {
        api_reply_error(ld->req, err);   /* nothing sent yet: a plain error reply */
        api_request_resume(ld->req);
    } else if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);
        struct json_object *o = json_object_new_object(), *d = json_object_new_object();

        log_debug("api: image load failed after output: %s", text);
        json_add_string(d, "message", text);
        json_object_object_add(o, "errorDetail", d);
        json_add_string(o, "error", text);
        pthread_mutex_lock(&ld->mu);
        images_load_append_locked(ld, o);
        pthread_mutex_unlock(&ld->mu);
        images_load_flush(ld);
        dctl_error_free(err);
    } else {
        dctl_error_free(err);
        if (!ld->started && ld->req) {   /* an archive without images */
            api_reply(ld->req, 200, "application/json", "", 0);
            api_request_resume(ld->req);
        }
    }
    if (ld->st)
        api_stream_end(ld->st);
    images_load_unref(ld);
}

static void
images_load_release(void *data)
{
    struct images_load *ld = data;

    ld->req = NULL;
    images_load_unref(ld);
}

static void
images_load_body_cb(struct api_request *req, const char *data, size_t len)
{
    struct images_load *ld = req->data;
    dctl_error_t err = NULL;
    struct timeval tv = { 0, IMAGES_LOAD_TICK_MS * 1000 };

    if (data != NULL) {
        images_spool_write(req, ld->fd, data, len);
        return;
    }
    if (worker_submit(req->dctld->workers, images_load_run, images_load_done_cb, ld, &err) < 0) {
        api_reply_error(req, err);
        return;
    }
    ld->refs++;
    event_add(ld->tick, &tv);
    api_request_suspend(req);
}

static int
images_load_handler(struct api_request *req, dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    struct images_load *ld;
    int fd;

    if (svc == NULL || (fd = images_spool_open(svc, err)) < 0)
        return -1;
    ld = xcalloc(1, sizeof *ld);
    ld->refs = 1;
    ld->req = req;
    ld->svc = svc;
    ld->dctld = req->dctld;
    ld->fd = fd;
    ld->layer_fd = -1;
    /* dockerd's default is quiet; the docker CLI asks for progress on a terminal */
    ld->quiet = api_query_bool(req, "quiet", true);
    pthread_mutex_init(&ld->mu, NULL);
    ld->tick = event_new(req->dctld->base, -1, EV_PERSIST, images_load_tick_cb, ld);
    req->data = ld;
    req->data_free = images_load_release;
    req->body_cb = images_load_body_cb;
    return 0;
}

/* ---- GET /images/{name}/get, GET /images/get?names= ------------------------------------ */

#define IMAGES_SAVE_HIGH (1u << 20)  /* stop reading the pipe above this much unsent */
#define IMAGES_SAVE_LOW (256u << 10) /* and start again below this */
#define IMAGES_SAVE_CHUNK (64u << 10)
#define IMAGES_SAVE_READS 8          /* chunks per callback, then back to the loop */

/* A save in progress: the job writes the archive into a pipe, the loop reads it into the
 * reply. Owners as for struct images_load: request, job and stream hold a reference. */
struct images_save {
    int refs;
    struct api_request *req;
    struct api_stream *st;
    struct image_service *svc;
    struct dctld *dctld;
    struct image_save_item *items;
    size_t nitems;
    int rfd, wfd;            /* the pipe; wfd is the job's until it ends */
    struct event *read_ev;
    bool started, eof, job_done;
    int status;
    dctl_error_t err;
    struct image_events ev;
};

static void
images_save_unref(struct images_save *sv)
{
    if (--sv->refs > 0)
        return;
    if (sv->read_ev)
        event_free(sv->read_ev);
    if (sv->rfd >= 0)
        close(sv->rfd);
    if (sv->wfd >= 0)
        close(sv->wfd);
    image_save_items_free(sv->items, sv->nitems);
    image_events_fini(&sv->ev);
    dctl_error_free(sv->err);
    free(sv);
}

/* Stops reading: the job's writes then fail with EPIPE and it ends. */
static void
images_save_close_pipe(struct images_save *sv)
{
    if (sv->rfd < 0)
        return;
    event_del(sv->read_ev);
    close(sv->rfd);
    sv->rfd = -1;
}

/* Once the job is done and (on success) the pipe is drained: end or cut the reply. */
static void
images_save_finish(struct images_save *sv)
{
    if (!sv->job_done || (sv->status == 0 && !sv->eof))
        return;
    images_save_close_pipe(sv);
    if (sv->status < 0) {
        if (!sv->started && sv->req) {
            api_reply_error(sv->req, steal_ptr(&sv->err));
            api_request_resume(sv->req);
        } else if (sv->st) {
            cleanup_free char *text = dctl_error_text(sv->err);

            log_warn("api: image save failed after %s: %s", "output started; reply cut", text);
            api_stream_abort(sv->st);
        }
    } else if (sv->st) {
        api_stream_end(sv->st);
    }
}

static void
images_save_stream_closed_cb(void *arg)
{
    struct images_save *sv = arg;

    sv->st = NULL;
    images_save_close_pipe(sv);   /* the client is gone: stop the job */
    images_save_unref(sv);
}

static void
images_save_drain_cb(void *arg)
{
    struct images_save *sv = arg;

    if (sv->rfd >= 0 && !event_pending(sv->read_ev, EV_READ, NULL))
        event_add(sv->read_ev, NULL);
}

static void
images_save_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct images_save *sv = arg;
    char buf[IMAGES_SAVE_CHUNK];
    int i;

    (void)what;
    for (i = 0; i < IMAGES_SAVE_READS; i++) {
        ssize_t n;

        if (sv->st && api_stream_pending(sv->st) > IMAGES_SAVE_HIGH) {
            event_del(sv->read_ev);   /* images_save_drain_cb re-arms */
            return;
        }
        n = read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {   /* the job closed its end (or failed) */
            sv->eof = true;
            images_save_close_pipe(sv);
            images_save_finish(sv);
            return;
        }
        if (!sv->started && sv->req) {
            sv->started = true;
            sv->refs++;
            sv->st = api_stream_new(sv->req, "application/x-tar", images_save_stream_closed_cb,
                                    sv);
            api_stream_set_drain(sv->st, IMAGES_SAVE_LOW, images_save_drain_cb, sv);
            api_request_resume(sv->req);
        }
        if (sv->st == NULL) {   /* the client went away */
            images_save_close_pipe(sv);
            return;
        }
        api_stream_write(sv->st, buf, (size_t)n);
    }
}

static int
images_save_run(void *job, dctl_error_t *err)
{
    struct images_save *sv = job;
    int rc = image_service_save(sv->svc, sv->items, sv->nitems, sv->wfd, &sv->ev, err);

    close(sv->wfd);   /* EOF for the loop */
    sv->wfd = -1;
    return rc;
}

static void
images_save_done_cb(void *job, int status, dctl_error_t err)
{
    struct images_save *sv = job;

    sv->job_done = true;
    sv->status = status;
    sv->err = err;
    images_emit(sv->dctld, &sv->ev);
    images_save_finish(sv);
    images_save_unref(sv);
}

static void
images_save_release(void *data)
{
    struct images_save *sv = data;

    sv->req = NULL;
    images_save_unref(sv);
}

static int
images_save_start(struct api_request *req, const char *const *names, size_t n,
                  dctl_error_t *err)
{
    struct image_service *svc = images_service(req, err);
    struct image_save_item *items = NULL;
    struct images_save *sv;
    size_t nitems = 0;
    int p[2];

    if (svc == NULL || image_service_save_resolve(svc, names, n, &items, &nitems, err) < 0)
        return -1;
    if (pipe2(p, O_CLOEXEC) < 0) {
        image_save_items_free(items, nitems);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "pipe");
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fcntl(p[0], F_SETPIPE_SZ, (int)IMAGES_SAVE_CHUNK * 4);   /* fewer wake-ups; best effort */
    sv = xcalloc(1, sizeof *sv);
    sv->refs = 1;
    sv->req = req;
    sv->svc = svc;
    sv->dctld = req->dctld;
    sv->items = items;
    sv->nitems = nitems;
    sv->rfd = p[0];
    sv->wfd = p[1];
    sv->read_ev = event_new(req->dctld->base, p[0], EV_READ | EV_PERSIST, images_save_read_cb,
                            sv);
    req->data = sv;
    req->data_free = images_save_release;
    if (worker_submit(req->dctld->workers, images_save_run, images_save_done_cb, sv, err) < 0)
        return -1;   /* the request frees sv */
    sv->refs++;
    event_add(sv->read_ev, NULL);
    api_request_suspend(req);
    return 0;
}

static int
images_get_handler(struct api_request *req, dctl_error_t *err)
{
    const char *name = api_param(req, 0);

    return images_save_start(req, &name, 1, err);
}

static int
images_get_many_handler(struct api_request *req, dctl_error_t *err)
{
    size_t n = api_query_all(req, "names", NULL, 0);
    cleanup_free const char **names = xcalloc(n + 1, sizeof *names);

    api_query_all(req, "names", names, n);
    return images_save_start(req, names, n, err);
}

const struct api_route api_images_routes[] = {
    { API_GET, "/images/json", images_list_handler, 0 },
    { API_POST, "/images/create", images_create_handler, API_BODY_STREAM },
    { API_POST, "/images/prune", images_prune_handler, 0 },
    { API_POST, "/images/load", images_load_handler, API_BODY_STREAM },
    { API_GET, "/images/get", images_get_many_handler, 0 },
    { API_GET, "/images/{name*}/get", images_get_handler, 0 },
    { API_GET, "/images/{name*}/json", images_inspect_handler, 0 },
    { API_GET, "/images/{name*}/history", images_history_handler, 0 },
    { API_POST, "/images/{name*}/tag", images_tag_handler, 0 },
    { API_DELETE, "/images/{name*}", images_delete_handler, 0 },
    { 0, NULL, NULL, 0 },
};
