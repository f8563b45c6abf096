/* daemon/imagestore.c - the image store (see imagestore.h): configs by content in
 * imagedb/content/sha256, metadata beside them, an in-memory index of struct image,
 * and the layer references images hold. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/imagestore.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct imagestore {
    pthread_mutex_t mu;
    char *root;
    int contentfd, metafd;
    struct layerstore *ls;
    struct image **v;
    size_t n;
};

struct image *
image_ref(struct image *img)
{
    if (img)
        __atomic_add_fetch(&img->refs, 1, __ATOMIC_RELAXED);
    return img;
}

void
image_unref(struct image *img)
{
    if (img == NULL || __atomic_sub_fetch(&img->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    free(img->config);
    free(img->diff_ids);
    free(img);
}

/* Parses config into a new struct image (refs 1, layers not acquired); the layers
 * must be in ls. */
static struct image *
image_parse(struct layerstore *ls, const char *config, size_t len, dctl_error_t *err)
{
    cleanup_json struct json_object *o = json_parse_object(config, len, "image config", err);
    struct json_object *rootfs, *diffs = NULL;
    struct image *img;
    const char *created, *type;
    size_t i;

    if (o == NULL)
        return NULL;
    if (!json_object_object_get_ex(o, "rootfs", &rootfs) ||
        !json_object_is_type(rootfs, json_type_object)) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid image config: no rootfs");
        return NULL;
    }
    type = json_get_string(rootfs, "type");
    if (type == NULL || strcmp(type, "layers") != 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid image config: rootfs type %s",
                       type ? type : "missing");
        return NULL;
    }
    if (json_object_object_get_ex(rootfs, "diff_ids", &diffs) &&
        !json_object_is_type(diffs, json_type_array) && diffs != NULL) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid image config: diff_ids");
        return NULL;
    }
    img = xcalloc(1, sizeof *img);
    img->refs = 1;
    digest_buffer(config, len, img->id);
    img->config = xmalloc(len + 1);
    memcpy(img->config, config, len);
    img->config[len] = '\0';
    img->config_len = len;
    img->nlayers = diffs ? json_object_array_length(diffs) : 0;
    img->diff_ids = xcalloc(img->nlayers + 1, sizeof *img->diff_ids);
    for (i = 0; i < img->nlayers; i++) {
        const char *d = json_object_get_string(json_object_array_get_idx(diffs, i));

        if (d == NULL || digest_validate_sha256(d, err) < 0) {
            dctl_error_prefix(err, "invalid image config: diff_ids[%zu]", i);
            image_unref(img);
            return NULL;
        }
        snprintf(img->diff_ids[i], sizeof img->diff_ids[i], "%s", d);
    }
    if (img->nlayers > 0) {
        char (*chains)[DIGEST_STRING_MAX] = xcalloc(img->nlayers, sizeof *chains);
        const char **ids = xcalloc(img->nlayers, sizeof *ids);

        for (i = 0; i < img->nlayers; i++)
            ids[i] = img->diff_ids[i];
        digest_chain_id(ids, img->nlayers, img->top_chain, chains, err);
        for (i = 0; i < img->nlayers; i++) {
            struct layer_info li;

            if (!layerstore_get(ls, chains[i], &li)) {
                dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer does not exist: %s",
                               chains[i]);
                break;
            }
            img->size += li.size;
        }
        free(ids);
        free(chains);
        if (i < img->nlayers) {
            image_unref(img);
            return NULL;
        }
    }
    created = json_get_string(o, "created");
    if (created == NULL || util_parse_timestamp(created, 0, &img->created_ns) < 0)
        img->created_ns = 0;
    return img;
}

static struct image *
imagestore_find_locked(struct imagestore *is, const char *id)
{
    size_t i;

    for (i = 0; i < is->n; i++)
        if (strcmp(is->v[i]->id, id) == 0)
            return is->v[i];
    return NULL;
}

static void
imagestore_load_meta(struct imagestore *is, struct image *img)
{
    cleanup_free char *dir = xasprintf("%s", digest_hex(img->id));
    cleanup_close int dfd = openat(is->metafd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *parent = NULL, *updated = NULL;
    dctl_error_t err = NULL;

    if (dfd < 0)
        return;
    parent = file_read_all(dfd, "parent", NULL, &err);
    dctl_error_clear(&err);
    updated = file_read_all(dfd, "lastUpdated", NULL, &err);
    dctl_error_clear(&err);
    if (parent && digest_validate_sha256(parent, &err) == 0)
        snprintf(img->parent, sizeof img->parent, "%s", parent);
    dctl_error_clear(&err);
    if (updated && util_parse_timestamp(updated, 0, &img->last_updated_ns) < 0)
        img->last_updated_ns = 0;
}

static void
imagestore_load(struct imagestore *is)
{
    dctl_error_t err = NULL;
    char **names = tree_list(is->contentfd, NULL, &err);
    size_t i;

    if (names == NULL) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("imagestore: list %s/content/sha256: %s", is->root, text);
        dctl_error_free(err);
        return;
    }
    for (i = 0; names[i]; i++) {
        cleanup_free char *id = xasprintf("sha256:%s", names[i]);
        cleanup_free char *config = NULL;
        struct image *img = NULL;
        size_t len = 0;

        if (names[i][0] == '.')   /* a temporary file of an interrupted write */
            continue;
        if (digest_validate_sha256(id, &err) == 0)
            config = file_read_all(is->contentfd, names[i], &len, &err);
        if (config) {
            char actual[DIGEST_STRING_MAX];

            digest_buffer(config, len, actual);
            if (strcmp(actual, id) != 0)
                dctl_error_set(&err, DCTL_ERR_INTERNAL, 0, "content does not match its digest");
            else
                img = image_parse(is->ls, config, len, &err);
        }
        if (img && img->top_chain[0] && layerstore_acquire(is->ls, img->top_chain, &err) < 0) {
            image_unref(img);
            img = NULL;
        }
        if (img == NULL) {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("imagestore: image %.19s skipped: %s", id, text);
            dctl_error_clear(&err);
            continue;
        }
        imagestore_load_meta(is, img);
        is->v = xrealloc(is->v, (is->n + 1) * sizeof *is->v);
        is->v[is->n++] = img;
    }
    tree_names_free(names);
}

struct imagestore *
imagestore_open(const char *root, struct layerstore *ls, dctl_error_t *err)
{
    struct imagestore *is = xcalloc(1, sizeof *is);
    cleanup_free char *content = xasprintf("%s/content/sha256", root);
    cleanup_free char *meta = xasprintf("%s/metadata/sha256", root);

    pthread_mutex_init(&is->mu, NULL);
    is->root = xstrdup(root);
    is->ls = ls;
    is->contentfd = is->metafd = -1;
    if (file_mkdir_p(content, 0700, err) < 0 || file_mkdir_p(meta, 0700, err) < 0)
        goto fail;
    is->contentfd = open(content, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    is->metafd = open(meta, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (is->contentfd < 0 || is->metafd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", root);
        goto fail;
    }
    imagestore_load(is);
    log_debug("imagestore: %zu images in %s", is->n, root);
    return is;
fail:
    dctl_error_prefix(err, "image store %s", root);
    imagestore_free(is);
    return NULL;
}

void
imagestore_free(struct imagestore *is)
{
    size_t i;

    if (is == NULL)
        return;
    for (i = 0; i < is->n; i++)
        image_unref(is->v[i]);
    free(is->v);
    if (is->contentfd >= 0)
        close(is->contentfd);
    if (is->metafd >= 0)
        close(is->metafd);
    pthread_mutex_destroy(&is->mu);
    free(is->root);
    free(is);
}

static int
imagestore_write_meta(struct imagestore *is, const char *id, const char *name,
                      const char *value, dctl_error_t *err)
{
    const char *hex = digest_hex(id);
    cleanup_close int dfd = -1;

    if (mkdirat(is->metafd, hex, 0700) < 0 && errno != EEXIST)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create metadata of %.19s", id);
    dfd = openat(is->metafd, hex, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open metadata of %.19s", id);
    return file_write_atomic(dfd, name, value, strlen(value), 0600, err);
}

int
imagestore_create(struct imagestore *is, const char *config, size_t len, const char *parent,
                  char id[DIGEST_STRING_MAX], bool *created, dctl_error_t *err)
{
    struct image *img = image_parse(is->ls, config, len, err);
    struct image *old;

    if (img == NULL)
        return -1;
    snprintf(id, DIGEST_STRING_MAX, "%s", img->id);
    if (created)
        *created = false;
    pthread_mutex_lock(&is->mu);
    old = imagestore_find_locked(is, img->id);
    pthread_mutex_unlock(&is->mu);
    if (old) {
        image_unref(img);
        return 0;
    }
    if (img->top_chain[0] && layerstore_acquire(is->ls, img->top_chain, err) < 0) {
        image_unref(img);
        return -1;
    }
    if ((parent && *parent && imagestore_write_meta(is, img->id, "parent", parent, err) < 0) ||
        file_write_atomic(is->contentfd, digest_hex(img->id), config, len, 0600, err) < 0) {
        if (img->top_chain[0])
            layerstore_release(is->ls, img->top_chain, NULL, NULL, NULL);
        image_unref(img);
        return -1;
    }
    if (parent)
        snprintf(img->parent, sizeof img->parent, "%s", parent);
    pthread_mutex_lock(&is->mu);
    old = imagestore_find_locked(is, img->id);
    if (old == NULL) {
        is->v = xrealloc(is->v, (is->n + 1) * sizeof *is->v);
        is->v[is->n++] = img;
        if (created)
            *created = true;
    }
    pthread_mutex_unlock(&is->mu);
    if (old) {   /* created meanwhile by another job: keep one reference */
        if (img->top_chain[0])
            layerstore_release(is->ls, img->top_chain, NULL, NULL, NULL);
        image_unref(img);
    }
    return 0;
}

int
imagestore_delete(struct imagestore *is, const char *id, struct layer_info **removed,
                  size_t *nremoved, dctl_error_t *err)
{
    struct image *img = NULL;
    dctl_error_t rerr = NULL;
    size_t i;

    pthread_mutex_lock(&is->mu);
    for (i = 0; i < is->n; i++) {
        if (strcmp(is->v[i]->id, id) == 0) {
            img = is->v[i];
            memmove(&is->v[i], &is->v[i + 1], (is->n - i - 1) * sizeof *is->v);
            is->n--;
            break;
        }
    }
    pthread_mutex_unlock(&is->mu);
    if (img == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", id);
    /* the config first: a crash after it leaves at most an unused layer, removed at start */
    if (unlinkat(is->contentfd, digest_hex(img->id), 0) < 0 && errno != ENOENT)
        log_warn("imagestore: remove config of %.19s: %s", img->id, strerror(errno));
    fsync(is->contentfd);
    if (tree_remove_at(is->metafd, digest_hex(img->id), &rerr) < 0) {
        cleanup_free char *text = dctl_error_text(rerr);

        log_warn("imagestore: remove metadata of %.19s: %s", img->id, text);
        dctl_error_clear(&rerr);
    }
    if (img->top_chain[0] &&
        layerstore_release(is->ls, img->top_chain, removed, nremoved, &rerr) < 0) {
        cleanup_free char *text = dctl_error_text(rerr);

        log_warn("imagestore: release layers of %.19s: %s", img->id, text);
        dctl_error_clear(&rerr);
    }
    image_unref(img);
    return 0;
}

int
imagestore_set_last_updated(struct imagestore *is, const char *id, long long ns,
                            dctl_error_t *err)
{
    char text[64];
    struct image *img;

    util_format_rfc3339(ns, text, sizeof text);
    if (imagestore_write_meta(is, id, "lastUpdated", text, err) < 0)
        return -1;
    pthread_mutex_lock(&is->mu);
    img = imagestore_find_locked(is, id);
    if (img)
        img->last_updated_ns = ns;
    pthread_mutex_unlock(&is->mu);
    return 0;
}

struct image *
imagestore_get(struct imagestore *is, const char *id)
{
    struct image *img;

    pthread_mutex_lock(&is->mu);
    img = image_ref(imagestore_find_locked(is, id));
    pthread_mutex_unlock(&is->mu);
    return img;
}

struct image *
imagestore_search(struct imagestore *is, const char *prefix, dctl_error_t *err)
{
    const char *hex = util_has_prefix(prefix, "sha256:") ? prefix + 7 : prefix;
    struct image *found = NULL;
    size_t i, len = strlen(hex), matches = 0;

    if (len == 0 || len > DIGEST_SHA256_HEX_LEN) {
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", prefix);
        return NULL;
    }
    pthread_mutex_lock(&is->mu);
    for (i = 0; i < is->n; i++) {
        if (strncmp(digest_hex(is->v[i]->id), hex, len) == 0) {
            found = is->v[i];
            matches++;
        }
    }
    if (matches == 1)
        image_ref(found);
    pthread_mutex_unlock(&is->mu);
    if (matches == 1)
        return found;
    if (matches == 0)
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", prefix);
    else
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "ambiguous image ID prefix: %s", prefix);
    return NULL;
}

struct image **
imagestore_list(struct imagestore *is, size_t *n)
{
    struct image **v;
    size_t i;

    pthread_mutex_lock(&is->mu);
    v = xcalloc(is->n + 1, sizeof *v);
    for (i = 0; i < is->n; i++)
        v[i] = image_ref(is->v[i]);
    *n = is->n;
    pthread_mutex_unlock(&is->mu);
    return v;
}

void
imagestore_list_free(struct image **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        image_unref(v[i]);
    free(v);
}

size_t
imagestore_children(struct imagestore *is, const char *id)
{
    size_t i, n = 0;

    pthread_mutex_lock(&is->mu);
    for (i = 0; i < is->n; i++)
        if (strcmp(is->v[i]->parent, id) == 0)
            n++;
    pthread_mutex_unlock(&is->mu);
    return n;
}

bool
imagestore_parent(struct imagestore *is, const char *id, char parent[DIGEST_STRING_MAX])
{
    struct image *img;

    pthread_mutex_lock(&is->mu);
    img = imagestore_find_locked(is, id);
    if (img)
        snprintf(parent, DIGEST_STRING_MAX, "%s", img->parent);
    pthread_mutex_unlock(&is->mu);
    return img != NULL;
}

size_t
imagestore_count(struct imagestore *is)
{
    size_t n;

    pthread_mutex_lock(&is->mu);
    n = is->n;
    pthread_mutex_unlock(&is->mu);
    return n;
}
