/* daemon/image-archive.c - docker load and docker save on the image service (moby
 * image/tarexport: load.go, save.go): archives are read and written by lib/imagearchive,
 * layers go in through layerstore_register and come out, byte for byte, through
 * layerstore_diff. Everything here blocks and runs in worker jobs, except the name
 * resolution of a save, which only looks up. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/image.h"
#include "lib/imagearchive.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* ---- load ----------------------------------------------------------------------- */

static void
image_load_output(const struct image_load_ops *ops, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
image_load_output(const struct image_load_ops *ops, void *arg, const char *fmt, ...)
{
    cleanup_free char *text = NULL;
    va_list ap;

    if (ops == NULL || ops->output == NULL)
        return;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        abort();
    va_end(ap);
    ops->output(arg, text);
}

/* Drops the references the load holds, top layer first. */
static void
image_load_release(struct image_service *svc, char (*held)[DIGEST_STRING_MAX], size_t n)
{
    while (n-- > 0)
        layerstore_release(svc->layers, held[n], NULL, NULL, NULL);
}

/* dockerd's checkCompatibleOS. */
static int
image_load_check_os(const struct imagearchive_image *im, dctl_error_t *err)
{
    cleanup_json struct json_object *cfg = json_parse_object(im->config, im->config_len,
                                                             "image config", err);
    const char *os;

    if (cfg == NULL)
        return dctl_error_prefix(err, "invalid archive");
    os = json_get_string(cfg, "os");
    if (os && *os && strcmp(os, "linux") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "image operating system \"%s\" cannot be used on this platform",
                              os);
    return 0;
}

/* Registers layer i of im on top of parent unless its chain is there already; the load
 * then holds a reference on it, recorded in chain. */
static int
image_load_layer(struct image_service *svc, const struct imagearchive_image *im, size_t i,
                 const char *parent, const struct image_load_ops *ops, void *arg,
                 char chain[DIGEST_STRING_MAX], dctl_error_t *err)
{
    const struct imagearchive_layer *l = &im->layers[i];
    char got_chain[DIGEST_STRING_MAX], got_diff[DIGEST_STRING_MAX];
    cleanup_close int fd = -1;
    dctl_error_t e = NULL;
    struct stat st;
    int rc;

    digest_chain_id_next(parent[0] ? parent : NULL, l->diff_id, chain);
    if (layerstore_acquire(svc->layers, chain, &e) == 0)
        return 0;   /* shared with an image already here: not loaded again */
    dctl_error_free(e);
    fd = open(l->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open layer %zu", i);
    if (ops && ops->layer_begin)
        ops->layer_begin(arg, l->diff_id, fd, st.st_size);
    rc = layerstore_register(svc->layers, fd, parent[0] ? parent : NULL, got_chain, got_diff,
                             err);
    if (ops && ops->layer_end)
        ops->layer_end(arg, l->diff_id, st.st_size, rc == 0);
    if (rc < 0)
        return -1;
    if (strcmp(got_diff, l->diff_id) != 0) {
        layerstore_release(svc->layers, got_chain, NULL, NULL, NULL);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid diffID for layer %zu: expected \"%s\", got \"%s\"", i,
                              l->diff_id, got_diff);
    }
    return 0;
}

static int
image_load_one(struct image_service *svc, const struct imagearchive_image *im,
               const struct image_load_ops *ops, void *arg, struct image_events *ev,
               dctl_error_t *err)
{
    char (*held)[DIGEST_STRING_MAX] = xcalloc(im->n_layers + 1, sizeof *held);
    char id[DIGEST_STRING_MAX];
    const char *parent = "";
    size_t i, nheld = 0;
    int rc = -1;

    if (image_load_check_os(im, err) < 0)
        goto out;
    for (i = 0; i < im->n_layers; i++) {
        if (image_load_layer(svc, im, i, parent, ops, arg, held[nheld], err) < 0)
            goto out;
        parent = held[nheld++];
    }
    if (imagestore_create(svc->images, im->config, im->config_len, NULL, id, NULL, err) < 0)
        goto out;
    rc = 0;
out:
    image_load_release(svc, held, nheld);   /* the image holds its own reference now */
    free(held);
    if (rc < 0)
        return -1;
    for (i = 0; i < im->n_tags; i++) {
        cleanup_reference struct reference *ref = reference_dup(im->tags[i]);
        cleanup_free char *name = NULL;
        char prev[DIGEST_STRING_MAX];
        dctl_error_t e = NULL;

        reference_tag_name_only(ref);
        name = reference_familiar_string(ref);
        if (refstore_get(svc->refs, ref, prev, &e) == 0 && strcmp(prev, id) != 0)
            image_load_output(ops, arg, "The image %s already exists, renaming the old one "
                              "with ID %s to empty string\n", name, prev);
        dctl_error_free(e);
        if (refstore_add_tag(svc->refs, ref, id, true, err) < 0)
            return -1;
        image_load_output(ops, arg, "Loaded image: %s\n", name);
    }
    if (im->n_tags == 0)
        image_load_output(ops, arg, "Loaded image ID: %s\n", id);
    image_events_add(ev, "load", id, id);
    return 0;
}

int
image_service_load(struct image_service *svc, int fd, const struct image_load_ops *ops,
                   void *arg, struct image_events *ev, dctl_error_t *err)
{
    struct imagearchive_read_options opts = { .tmp_parent = svc->tmp_dir };
    cleanup_imagearchive struct imagearchive *a = imagearchive_read(fd, &opts, err);
    size_t i;

    if (a == NULL)
        return -1;
    log_debug("%s: %zu images in a %s archive", __func__, a->n_images,
              a->format == IMAGEARCHIVE_OCI ? "OCI layout" : "docker");
    for (i = 0; i < a->n_images; i++)
        if (image_load_one(svc, &a->images[i], ops, arg, ev, err) < 0)
            return -1;
    return 0;
}

/* ---- save ----------------------------------------------------------------------- */

void
image_save_items_free(struct image_save_item *items, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        for (k = 0; k < items[i].ntags; k++)
            reference_free(items[i].tags[k]);
        free(items[i].tags);
    }
    free(items);
}

/* Adds image id (and ref when it carries a tag) to the list, once per image and tag. */
static void
image_save_add(struct image_save_item **items, size_t *n, const char *id,
               const struct reference *ref)
{
    struct image_save_item *it = NULL;
    cleanup_free char *want = NULL;
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp((*items)[i].id, id) == 0)
            it = &(*items)[i];
    if (it == NULL) {
        *items = xrealloc(*items, (*n + 1) * sizeof **items);
        it = &(*items)[(*n)++];
        memset(it, 0, sizeof *it);
        snprintf(it->id, sizeof it->id, "%s", id);
    }
    if (ref == NULL || ref->tag == NULL || ref->digest)
        return;
    want = reference_string(ref);
    for (i = 0; i < it->ntags; i++) {
        cleanup_free char *have = reference_string(it->tags[i]);

        if (strcmp(have, want) == 0)
            return;
    }
    it->tags = xrealloc(it->tags, (it->ntags + 1) * sizeof *it->tags);
    it->tags[it->ntags++] = reference_dup(ref);
}

int
image_service_save_resolve(struct image_service *svc, const char *const *names, size_t n,
                           struct image_save_item **items, size_t *nitems, dctl_error_t *err)
{
    struct image_save_item *v = NULL;
    size_t nv = 0, i, k;

    for (i = 0; i < n; i++) {
        cleanup_reference struct reference *ref = reference_parse_any(names[i], err);
        cleanup_image struct image *img = NULL;
        cleanup_free char *familiar = NULL;

        if (ref == NULL)
            goto fail;
        if (ref->path && reference_is_name_only(ref)) {
            struct refstore_assoc *assoc;
            size_t na;

            familiar = reference_familiar_name(ref);
            assoc = strcmp(familiar, "sha256") == 0
                        ? NULL : refstore_references_by_name(svc->refs, ref, &na);
            if (assoc) {
                for (k = 0; k < na; k++) {
                    struct image *found = imagestore_get(svc->images, assoc[k].id);

                    if (found)
                        image_save_add(&v, &nv, assoc[k].id, assoc[k].ref);
                    image_unref(found);
                }
                refstore_assoc_free(assoc, na);
                if (na > 0)
                    continue;
            }
        }
        img = image_service_lookup(svc, names[i], err);
        if (img == NULL)
            goto fail;
        /* a tag given by name is recorded; an ID or a digest records none */
        if (ref->path && ref->tag && !ref->digest) {
            cleanup_reference struct reference *norm = reference_parse_normalized(names[i],
                                                                                  NULL);

            image_save_add(&v, &nv, img->id, norm);
        } else {
            image_save_add(&v, &nv, img->id, NULL);
        }
    }
    *items = v;
    *nitems = nv;
    return 0;
fail:
    image_save_items_free(v, nv);
    return -1;
}

/* Where each diff ID comes from: the chain of its first use. */
struct image_save_layers {
    struct image_service *svc;
    char (*diff)[DIGEST_STRING_MAX];
    char (*chain)[DIGEST_STRING_MAX];
    size_t n;
};

static int
image_save_layer_cb(void *arg, const char *diff_id, int fd, dctl_error_t *err)
{
    struct image_save_layers *sl = arg;
    size_t i;

    for (i = 0; i < sl->n; i++)
        if (strcmp(sl->diff[i], diff_id) == 0)
            return layerstore_diff(sl->svc->layers, sl->chain[i], fd, err);
    return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "layer %s is in no saved image", diff_id);
}

int
image_service_save(struct image_service *svc, const struct image_save_item *items, size_t n,
                   int fd, struct image_events *ev, dctl_error_t *err)
{
    struct image **imgs = xcalloc(n + 1, sizeof *imgs);
    struct imagearchive_write_image *w = xcalloc(n + 1, sizeof *w);
    const char ***diffs = xcalloc(n + 1, sizeof *diffs);
    struct image_save_layers sl = { .svc = svc };
    size_t i, k, total = 0;
    int rc = -1;

    for (i = 0; i < n; i++) {
        imgs[i] = imagestore_get(svc->images, items[i].id);
        if (imgs[i] == NULL) {
            dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", items[i].id);
            goto out;
        }
        /* the layers stay while they are written, even if the image is deleted */
        if (imgs[i]->top_chain[0] &&
            layerstore_acquire(svc->layers, imgs[i]->top_chain, err) < 0) {
            image_unref(imgs[i]);
            imgs[i] = NULL;
            goto out;
        }
        total += imgs[i]->nlayers;
    }
    sl.diff = xcalloc(total + 1, sizeof *sl.diff);
    sl.chain = xcalloc(total + 1, sizeof *sl.chain);
    for (i = 0; i < n; i++) {
        struct image *img = imgs[i];
        char top[DIGEST_STRING_MAX];
        char (*chains)[DIGEST_STRING_MAX] = xcalloc(img->nlayers + 1, sizeof *chains);

        diffs[i] = xcalloc(img->nlayers + 1, sizeof *diffs[i]);
        for (k = 0; k < img->nlayers; k++)
            diffs[i][k] = img->diff_ids[k];
        if (img->nlayers)
            digest_chain_id(diffs[i], img->nlayers, top, chains, NULL);
        for (k = 0; k < img->nlayers; k++) {
            snprintf(sl.diff[sl.n], sizeof sl.diff[sl.n], "%s", img->diff_ids[k]);
            snprintf(sl.chain[sl.n], sizeof sl.chain[sl.n], "%s", chains[k]);
            sl.n++;
        }
        free(chains);
        w[i].config = img->config;
        w[i].config_len = img->config_len;
        w[i].tags = (const struct reference *const *)items[i].tags;
        w[i].n_tags = items[i].ntags;
        w[i].diff_ids = diffs[i];
        w[i].n_layers = img->nlayers;
    }
    if (imagearchive_write(fd, w, n, image_save_layer_cb, &sl, svc->tmp_dir, err) < 0)
        goto out;
    for (i = 0; i < n; i++)
        image_events_add(ev, "save", items[i].id, items[i].id);
    rc = 0;
out:
    for (i = 0; i < n; i++) {
        if (imgs[i] && imgs[i]->top_chain[0])
            layerstore_release(svc->layers, imgs[i]->top_chain, NULL, NULL, NULL);
        image_unref(imgs[i]);
        free(diffs[i]);
    }
    free(imgs);
    free(diffs);
    free(w);
    free(sl.diff);
    free(sl.chain);
    return rc;
}
