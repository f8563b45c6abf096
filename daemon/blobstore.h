/* daemon/blobstore.h - the content-addressed blob store: layer tarballs, image configs and
 * manifests, each stored once under ROOT/blobs/sha256/<hex> and named by the sha256 of
 * its bytes.
 *
 * Writes go to a temporary file in the same directory while being hashed, are checked
 * against the expected digest and size when the caller knows them, then fsync'd and
 * renamed into place, and the directory fsync'd: a blob is either absent or complete and
 * correct, whatever happens (crash, bad input, two writers of the same blob). Failed
 * writes leave nothing behind.
 *
 * Threads: every function blocks on file I/O; call them from worker jobs (or at start-up).
 * A blobstore has no mutable state after blobstore_open(), so any number of threads may
 * use one concurrently; blobstore_free() only once none does.
 *
 * Ownership: the struct blobstore is its opener's; returned char * and fds are the
 * caller's. Digest arguments are lent and must be "sha256:<64 lower-case hex>".
 *
 * Errors: a bad digest argument, a digest or size mismatch: DCTL_ERR_INVALID ("digest
 * mismatch: expected X, got Y", "unexpected EOF: expected N bytes, got M", "size mismatch:
 * expected N bytes, got more"); a missing blob: DCTL_ERR_NOT_FOUND ("content digest X: not
 * found"); file system failures: DCTL_ERR_INTERNAL with errno. */
#ifndef DCTL_BLOBSTORE_H
#define DCTL_BLOBSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"
#include "lib/error.h"

struct blobstore;

/* Opens (creating it if need be) the store under root, and removes temporary files that
 * an interrupted write left. */
struct blobstore *blobstore_open(const char *root, dctl_error_t *err);
void blobstore_free(struct blobstore *bs);

/* Stores everything read from fd up to EOF. expected (or NULL) is the digest the content
 * must have; expected_size (or -1) the byte count it must have: reading stops early once
 * the input is known to be too long. out (or NULL) receives the digest, *size (if
 * non-NULL) the byte count. Storing a blob that exists already is not an error. */
int blobstore_write_fd(struct blobstore *bs, int fd, const char *expected, int64_t expected_size,
                       char out[DIGEST_STRING_MAX], uint64_t *size, dctl_error_t *err);
/* As blobstore_write_fd for a buffer. */
int blobstore_write(struct blobstore *bs, const void *data, size_t len, const char *expected,
                    char out[DIGEST_STRING_MAX], dctl_error_t *err);

/* A read-only O_CLOEXEC fd on the blob (the caller's), or -1. */
int blobstore_open_blob(struct blobstore *bs, const char *digest, dctl_error_t *err);
/* The whole blob, malloc'd and NUL-terminated (for configs and manifests), after checking
 * that its bytes still hash to digest (else DCTL_ERR_INTERNAL "blob X is corrupt"). */
char *blobstore_read(struct blobstore *bs, const char *digest, size_t *len, dctl_error_t *err);
/* False too for an invalid digest. */
bool blobstore_exists(struct blobstore *bs, const char *digest);
/* The size in bytes, or -1. */
int64_t blobstore_size(struct blobstore *bs, const char *digest, dctl_error_t *err);
int blobstore_delete(struct blobstore *bs, const char *digest, dctl_error_t *err);
/* Every stored digest, sorted, as a NULL-terminated malloc'd array (free it with
 * blobstore_list_free); *n (if non-NULL) gets the count. */
char **blobstore_list(struct blobstore *bs, size_t *n, dctl_error_t *err);
void blobstore_list_free(char **list);
/* The blob's path (malloc'd), whether or not it exists; NULL for an invalid digest. */
char *blobstore_path(struct blobstore *bs, const char *digest, dctl_error_t *err);

#endif
