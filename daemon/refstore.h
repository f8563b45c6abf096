/* daemon/refstore.h - the reference store: which image ID each `name:tag` and
 * `name@digest` points to, with dockerd's semantics (moby reference/store.go), kept in
 * memory and persisted to a repositories.json file in dockerd's format:
 *
 *   {"Repositories":{"busybox":{"busybox:latest":"sha256:…","busybox@sha256:…":"sha256:…"}}}
 *
 * Keys are familiar names and strings (reference_familiar_name/_string); values are image
 * IDs ("sha256:<hex>"). Every change is written to disk (file_write_atomic) before it is
 * visible; when the write fails the change is undone and reported.
 *
 * Threads: any; calls are serialised by an internal mutex. Mutations block on fsync, so
 * the daemon makes them from worker jobs.
 *
 * Ownership: the struct refstore is its opener's. References passed in are lent; arrays
 * returned are the caller's (free with reference_list_free / refstore_assoc_free).
 *
 * Errors (Docker's words): DCTL_ERR_INVALID "refusing to create a tag with a digest
 * reference", "refusing to create an ambiguous tag using digest algorithm as name", a
 * reference without the tag or digest an operation needs, an invalid image ID;
 * DCTL_ERR_CONFLICT "Conflict: Tag X is already set to image Y, if you want to replace it,
 * please use the force option", "Cannot overwrite digest D"; DCTL_ERR_NOT_FOUND
 * "reference does not exist"; DCTL_ERR_INTERNAL for file and JSON failures. */
#ifndef DCTL_REFSTORE_H
#define DCTL_REFSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/digest.h"
#include "lib/error.h"
#include "lib/reference.h"

struct refstore;

/* One reference and the image it points to. */
struct refstore_assoc {
    struct reference *ref; /* normalised (docker.io/library/...) */
    char id[DIGEST_STRING_MAX];
};

/* Opens the store kept in the file path (its directory is created if need be) and loads
 * it; a missing file is an empty store. Entries that do not parse are skipped with a
 * warning, as dockerd does; a file that is not JSON is an error. */
struct refstore *refstore_open(const char *path, dctl_error_t *err);
void refstore_free(struct refstore *rs);
/* Replaces the in-memory state with the file's; on error the state is unchanged. */
int refstore_reload(struct refstore *rs, dctl_error_t *err);

/* Points ref (a name, with or without tag: "latest" is implied) at image id. An existing
 * tag on another image is a conflict unless force; on the same image, nothing to do. */
int refstore_add_tag(struct refstore *rs, const struct reference *ref, const char *id,
                     bool force, dctl_error_t *err);
/* Points ref (with a digest; a tag beside it is dropped) at image id. A digest never
 * moves to another image, force or not. */
int refstore_add_digest(struct refstore *rs, const struct reference *ref, const char *id,
                        bool force, dctl_error_t *err);
/* Removes ref ("latest" implied; a digest wins over a tag). */
int refstore_delete(struct refstore *rs, const struct reference *ref, dctl_error_t *err);
/* The image ID ref points to, copied into id ("latest" implied; a digest wins). */
int refstore_get(struct refstore *rs, const struct reference *ref, char id[DIGEST_STRING_MAX],
                 dctl_error_t *err);

/* Every reference to image id, sorted by familiar string, NULL-terminated (never NULL;
 * empty when there is none); *n (if non-NULL) gets the count. */
struct reference **refstore_references(struct refstore *rs, const char *id, size_t *n);
/* Every reference in ref's repository (tag and digest ignored) with its image, sorted by
 * familiar string; *n gets the count (0 and an empty array when the repository is
 * unknown). */
struct refstore_assoc *refstore_references_by_name(struct refstore *rs,
                                                    const struct reference *ref, size_t *n);
void refstore_assoc_free(struct refstore_assoc *assoc, size_t n);

#endif
