/* daemon/image.h - the image service: the layer, image and reference stores of the
 * selected storage driver under data-root/image/DRIVER (as dockerd lays them out), and
 * the operations on images built from them with dockerd's semantics: look-up by name or
 * ID (GetImage), import of a rootfs tar, tag, delete (untag versus delete, force,
 * noprune) and prune.
 *
 * Owner: struct dctld (dctld->images; NULL when no storage driver is active). Threads:
 * the look-ups may run on the loop; import, tag, delete and prune block (fsync, layer
 * unpacking and removal) and run in worker jobs. Events are not emitted here: the
 * operations record them (struct image_events) for the caller to emit on the loop. */
#ifndef DCTL_DAEMON_IMAGE_H
#define DCTL_DAEMON_IMAGE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "daemon/imagestore.h"
#include "daemon/layerstore.h"
#include "daemon/refstore.h"
#include "lib/error.h"
#include "lib/reference.h"

struct driver;

struct image_service {
    char *root;      /* data-root/image/DRIVER */
    char *tmp_dir;   /* data-root/tmp: upload spool files */
    const char *driver_name;
    struct layerstore *layers;
    struct imagestore *images;
    struct refstore *refs;
    /* containers using images: guarded by users_mu (the loop updates, jobs read) */
    pthread_mutex_t users_mu;
    struct image_user *users;
    size_t nusers;
};

/* A container whose RW layer sits on an image. */
struct image_user {
    char image[DIGEST_STRING_MAX];
    char container[65];
    bool running;
};

/* Image events to emit, in order. */
struct image_event {
    char action[16];              /* import, tag, untag, delete, prune */
    char id[DIGEST_STRING_MAX];   /* actor ID ("" for prune) */
    char *name;                   /* the "name" attribute (or "reclaimed" for prune) */
};
struct image_events {
    struct image_event *v;
    size_t n;
};
void image_events_fini(struct image_events *ev);
/* Appends one event (ev may be NULL: nothing recorded). */
void image_events_add(struct image_events *ev, const char *action, const char *id,
                      const char *name);

/* What POST /images/create?fromSrc= asks for. All may be NULL. */
struct image_import_opts {
    const struct reference *ref;   /* repo[:tag] to tag the image with */
    const char *message;           /* comment in config and history */
    const char *const *changes;    /* Dockerfile instructions applied to the config */
    size_t nchanges;
    const char *platform_os, *platform_arch;
};

/* Opens the stores of the active storage driver (drv) under data_root/image/NAME,
 * removes what a crash left behind and the layers no image uses. Other drivers' image
 * directories are kept untouched, with a warning. Blocks: start-up only. */
struct image_service *image_service_open(const char *data_root, struct driver *drv,
                                         dctl_error_t *err);
void image_service_free(struct image_service *svc);

/* dockerd's GetImage: a name[:tag] or name@digest in the reference store, a full or
 * short image ID. DCTL_ERR_INVALID for an unparsable reference ("invalid reference
 * format..."), DCTL_ERR_NOT_FOUND "No such image: X" (X with ":latest" implied). */
struct image *image_service_lookup(struct image_service *svc, const char *name,
                                   dctl_error_t *err);
/* Familiar strings of the references to id: tags (name:tag) into *tags and digests
 * (name@digest) into *digests, as JSON arrays (new references). */
void image_service_repo_lists(struct image_service *svc, const char *id,
                              struct json_object **tags, struct json_object **digests);

/* Checks that changes are Dockerfile instructions a commit/import may apply; the same
 * errors image_service_import gives, without doing anything. */
int image_changes_validate(const char *const *changes, size_t n, dctl_error_t *err);

/* Imports the rootfs tar read from fd as a one-layer image (config as dockerd's
 * ImportImage writes it), tags it with opts->ref; id gets the image ID. On error
 * nothing is stored. Blocks. */
int image_service_import(struct image_service *svc, int fd, const struct image_import_opts *opts,
                         char id[DIGEST_STRING_MAX], struct image_events *ev, dctl_error_t *err);
/* What POST /commit asks for. */
struct image_commit_opts {
    const char *container_id;
    struct json_object *config;    /* the new image's container config (lent) */
    struct json_object *container_config;   /* the container's own Config (lent) */
    const char *author, *comment;
    const char *const *changes;    /* Dockerfile instructions applied to config */
    size_t nchanges;
    const struct reference *ref;   /* repo[:tag], may be NULL */
};

/* moby's CommitImage: the layer tar read from fd becomes a layer on parent_id's layers
 * (parent_id "" for a container without an image), and a child config of the parent's
 * (rootfs and history extended, created, container, author, comment, config with the
 * changes) becomes a new image, tagged with opts->ref. On error nothing is stored.
 * Blocks. */
int image_service_commit(struct image_service *svc, const char *parent_id, int fd,
                         const struct image_commit_opts *opts, char id[DIGEST_STRING_MAX],
                         struct image_events *ev, dctl_error_t *err);
/* Points ref at image id (force: a tag moves), records the last tag time. Blocks. */
int image_service_tag(struct image_service *svc, const char *id, const struct reference *ref,
                      struct image_events *ev, dctl_error_t *err);
/* DELETE /images/{name}: records ({"Untagged": ...}, {"Deleted": ...}) appended to the
 * JSON array out. Blocks. */
int image_service_delete(struct image_service *svc, const char *name, bool force, bool prune,
                         struct json_object *out, struct image_events *ev, dctl_error_t *err);
/* POST /images/prune: dangling_only (else every image), until_ns (LLONG_MAX: none) and
 * a label test done by the caller's predicate. Records go to out, *reclaimed gets the
 * bytes of the layers removed. Blocks. */
int image_service_prune(struct image_service *svc, bool dangling_only, long long until_ns,
                        bool (*keep)(const struct image *img, void *arg), void *arg,
                        struct json_object *out, int64_t *reclaimed, struct image_events *ev,
                        dctl_error_t *err);

/* ---- docker load / docker save (daemon/image-archive.c) ---- */

/* What a load reports while it runs; every callback runs on the job's thread. */
struct image_load_ops {
    /* A layer file (open on fd, total bytes as stored) is about to be applied; the fd's
     * offset tells how far the layer store has read. */
    void (*layer_begin)(void *arg, const char *diff_id, int fd, int64_t total);
    /* That layer is done (ok false: it failed); fd is closed after this returns. */
    void (*layer_end)(void *arg, const char *diff_id, int64_t total, bool ok);
    /* A line for the client ("Loaded image: busybox:latest\n"). */
    void (*output)(void *arg, const char *text);
};

/* POST /images/load (moby's tarexporter Load): reads the docker-archive or OCI layout
 * tar stream from fd (extracted under svc->tmp_dir and removed after), registers the
 * layers that are not there yet, creates each image and points its tags at it (a tag
 * moves from another image, which says so in the output), one "load" event per image.
 * A bad archive is DCTL_ERR_INVALID "invalid archive: ..." and stores nothing; a layer
 * that fails leaves no layer of its image behind (images loaded before it stay, as
 * dockerd's do). ops may be NULL. Blocks. */
int image_service_load(struct image_service *svc, int fd, const struct image_load_ops *ops,
                       void *arg, struct image_events *ev, dctl_error_t *err);

/* One image to save and the tags to record for it. */
struct image_save_item {
    char id[DIGEST_STRING_MAX];
    struct reference **tags; /* normalised name:tag references */
    size_t ntags;
};
void image_save_items_free(struct image_save_item *items, size_t n);

/* moby's saveSession.parseNames: each name is an image ID (prefix), name@digest,
 * name:tag (that tag recorded) or a bare repository name (every tag of it); images named
 * twice are merged. Look-ups only: may run on the loop. DCTL_ERR_INVALID for a bad
 * reference, DCTL_ERR_NOT_FOUND "No such image: X". */
int image_service_save_resolve(struct image_service *svc, const char *const *names, size_t n,
                               struct image_save_item **items, size_t *nitems,
                               dctl_error_t *err);
/* Writes items as a Docker 25+ docker-archive (with the OCI layout) to fd, each layer
 * re-assembled by the layer store to its registered bytes; one "save" event per image.
 * On error what was written is incomplete: the caller cuts the transfer. Blocks. */
int image_service_save(struct image_service *svc, const struct image_save_item *items,
                       size_t n, int fd, struct image_events *ev, dctl_error_t *err);

/* Records that container (an ID) uses image id, running or not (an existing record of
 * the container is updated). Deleting the image is then a conflict: with a running
 * user always ("cannot be forced"), with a stopped one unless forced, as dockerd. */
void image_service_use(struct image_service *svc, const char *id, const char *container,
                       bool running);
/* The container no longer uses its image (removed). */
void image_service_unuse(struct image_service *svc, const char *container);
/* Number of containers using image id. */
size_t image_service_users(struct image_service *svc, const char *id);

/* The image config's "config" labels as a new JSON object (empty when none). */
struct json_object *image_config_labels(const struct image *img);

#endif
