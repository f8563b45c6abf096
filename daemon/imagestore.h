/* daemon/imagestore.h - the image store: image configs kept as their exact bytes, the
 * image ID being the sha256 of those bytes as Docker computes it, in Docker's layout
 * under ROOT (data-root/image/DRIVER/imagedb):
 *
 *   content/sha256/<id hex>                  the config JSON, byte for byte
 *   metadata/sha256/<id hex>/{parent, lastUpdated}
 *
 * Each image holds a reference on its top layer (the chain ID of rootfs.diff_ids) in
 * the layer store, taken when it is created or loaded and dropped when it is deleted.
 *
 * Threads: any; an internal mutex guards the index (held briefly: the loop may list
 * and look up). Creation and deletion block on fsync and layer removal: call them from
 * worker jobs. A struct image is immutable apart from its metadata fields and is
 * reference counted: lookups return a reference the caller drops with image_unref().
 *
 * Errors: DCTL_ERR_INVALID for a config that is not an image config,
 * DCTL_ERR_NOT_FOUND "No such image: X", DCTL_ERR_INTERNAL for file failures. */
#ifndef DCTL_DAEMON_IMAGESTORE_H
#define DCTL_DAEMON_IMAGESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/layerstore.h"
#include "lib/digest.h"
#include "lib/error.h"

struct imagestore;

struct image {
    int refs;                       /* atomic */
    char id[DIGEST_STRING_MAX];     /* "sha256:<hex>" */
    char *config;                   /* the exact bytes, NUL-terminated */
    size_t config_len;
    size_t nlayers;
    char (*diff_ids)[DIGEST_STRING_MAX];
    char top_chain[DIGEST_STRING_MAX]; /* "" for an image without layers */
    long long created_ns;           /* the config's "created"; 0 when absent */
    int64_t size;                   /* the layers' sizes summed */
    /* metadata, guarded by the store's mutex */
    char parent[DIGEST_STRING_MAX]; /* "" when none */
    long long last_updated_ns;      /* last tag time; 0 when never */
};

struct image *image_ref(struct image *img);
void image_unref(struct image *img);
static inline void
image_unrefp(struct image **img)
{
    image_unref(*img);
}
#define cleanup_image __attribute__((cleanup(image_unrefp)))

/* Opens (creating) the store under root and loads every image whose config still hashes
 * to its name and whose layers exist (others are skipped with a warning). Lent ls must
 * outlive the store. */
struct imagestore *imagestore_open(const char *root, struct layerstore *ls, dctl_error_t *err);
void imagestore_free(struct imagestore *is);

/* Stores config (an image config whose layers are all in the layer store) and returns
 * its ID in id; *created (may be NULL) tells whether it is new. An image that exists
 * already is not an error. parent may be NULL. Blocks. */
int imagestore_create(struct imagestore *is, const char *config, size_t len, const char *parent,
                      char id[DIGEST_STRING_MAX], bool *created, dctl_error_t *err);
/* Deletes image id and drops its layer reference; the removed layers' facts are
 * appended to *removed (may be NULL). Blocks. */
int imagestore_delete(struct imagestore *is, const char *id, struct layer_info **removed,
                      size_t *nremoved, dctl_error_t *err);
/* Records the last tag time (metadata/lastUpdated). Blocks. */
int imagestore_set_last_updated(struct imagestore *is, const char *id, long long ns,
                                dctl_error_t *err);

/* The image with the full ID id ("sha256:<hex>"), or NULL. */
struct image *imagestore_get(struct imagestore *is, const char *id);
/* By unique ID prefix with or without "sha256:" (as dockerd's digest set): NULL with
 * DCTL_ERR_NOT_FOUND when none or DCTL_ERR_INVALID when several match. */
struct image *imagestore_search(struct imagestore *is, const char *prefix, dctl_error_t *err);
/* Every image, as references (free with imagestore_list_free); *n gets the count. */
struct image **imagestore_list(struct imagestore *is, size_t *n);
void imagestore_list_free(struct image **v, size_t n);
/* Images whose parent is id. */
size_t imagestore_children(struct imagestore *is, const char *id);
/* The parent's ID copied into parent ("" when none); false when id is unknown. */
bool imagestore_parent(struct imagestore *is, const char *id, char parent[DIGEST_STRING_MAX]);
size_t imagestore_count(struct imagestore *is);

#endif
