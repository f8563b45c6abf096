/* lib/imagearchive.h - image archives as `docker save` writes them and `docker load` reads
 * them: the docker-archive format (manifest.json, repositories, per-layer directories or
 * Docker 25+'s blobs/sha256/) and the OCI image layout (oci-layout, index.json,
 * blobs/sha256/), independent of any image or layer store.
 *
 * Reading: imagearchive_read() extracts a tar stream (uncompressed, gzip, zstd, bzip2 or
 * xz) into a private temporary directory, refusing absolute names, `..` components,
 * entries that pass through a symlink, symlinks leading outside the archive, and entry
 * types other than directories, regular files and symlinks; then parses manifest.json
 * (preferred when present, as dockerd does) or else index.json (following nested indexes,
 * choosing linux/<host arch> in a multi-platform index). Every path named by a manifest
 * must stay inside the archive; every blob named by a digest (OCI descriptors, and
 * blobs/sha256/<hex> paths in manifest.json) is hashed and must match its digest (and its
 * size, for descriptors). The layer count must equal the config's rootfs.diff_ids.
 * Layer diff IDs themselves are checked by whoever applies the layers (the layer store
 * hashes the uncompressed stream); imagearchive_layer_diff_id() computes one.
 *
 * Writing: imagearchive_write() streams a Docker 25+ docker-archive to an fd: blobs/sha256/
 * holding every config, uncompressed layer tar (named by its diff ID) and OCI manifest,
 * then index.json, manifest.json, oci-layout and repositories. Each layer is produced by a
 * callback into an unlinked temporary file (tar entries need their size first), hashed,
 * checked against its diff ID and copied out; a layer shared by several images is written
 * once. Nothing is held in memory but JSON documents.
 *
 * All functions block (disk I/O, hashing): call them from a worker job. Any thread, no
 * global state. Ownership: a struct imagearchive and everything in it is the caller's of
 * imagearchive_read(), freed with imagearchive_free(), which also removes its directory.
 * Errors: DCTL_ERR_INVALID with "invalid archive: ..." for bad or hostile input, naming
 * the problem; DCTL_ERR_INTERNAL for I/O failures. On error nothing is left on disk. */
#ifndef DCTL_IMAGEARCHIVE_H
#define DCTL_IMAGEARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"
#include "reference.h"

/* The default limit on the bytes imagearchive_read() extracts (1 TiB) and on any one
 * JSON document it parses (manifest.json, index.json, a manifest, a config: 32 MiB). */
#define IMAGEARCHIVE_DEFAULT_MAX_SIZE ((uint64_t)1 << 40)
#define IMAGEARCHIVE_JSON_MAX (32u << 20)

enum imagearchive_format {
    IMAGEARCHIVE_DOCKER = 0, /* manifest.json (with or without an OCI layout beside it) */
    IMAGEARCHIVE_OCI,        /* index.json and oci-layout only */
};

enum imagearchive_compression {
    IMAGEARCHIVE_COMPRESSION_NONE = 0,
    IMAGEARCHIVE_COMPRESSION_GZIP,
    IMAGEARCHIVE_COMPRESSION_ZSTD,
    IMAGEARCHIVE_COMPRESSION_BZIP2,
    IMAGEARCHIVE_COMPRESSION_XZ,
};

struct imagearchive_layer {
    char *path;       /* absolute path of the layer file inside the archive directory, with
                       * no symlink in it */
    char *media_type; /* the descriptor's (OCI), or Docker's
                       * "application/vnd.docker.image.rootfs.diff.tar" (manifest.json) */
    enum imagearchive_compression compression; /* detected from the content */
    char diff_id[DIGEST_STRING_MAX];           /* config rootfs.diff_ids[i]: what the
                                                * uncompressed stream must hash to */
    char digest[DIGEST_STRING_MAX]; /* the verified blob digest; "" when the archive does
                                     * not name the layer by digest (old layout) */
    int64_t size;                   /* of the file as stored */
};

struct imagearchive_image {
    char *config; /* the config bytes, NUL-terminated */
    size_t config_len;
    char id[DIGEST_STRING_MAX];       /* image ID: sha256 of the config bytes */
    struct reference **tags;          /* normalised name:tag references, NULL-terminated */
    size_t n_tags;
    struct imagearchive_layer *layers; /* bottom first */
    size_t n_layers;
    char manifest_digest[DIGEST_STRING_MAX]; /* the OCI manifest's digest; "" when unknown */
};

struct imagearchive {
    char *dir; /* the private temporary directory the archive was extracted to */
    enum imagearchive_format format;
    struct imagearchive_image *images; /* in archive order; one per image ID (tags merged) */
    size_t n_images;
};

struct imagearchive_read_options {
    const char *tmp_parent; /* directory for the temporary directory; NULL: $TMPDIR or /tmp */
    uint64_t max_size;      /* limit on the bytes extracted; 0: the default */
    const char *arch;       /* platform architecture to choose in a multi-platform index
                             * (GOARCH names); NULL: the host's */
};

/* Reads the archive tar stream from fd (left open, the caller's) to its end and parses
 * it. opts may be NULL. Returns the archive or NULL with *err; on error the temporary
 * directory is already removed. */
struct imagearchive *imagearchive_read(int fd, const struct imagearchive_read_options *opts,
                                       dctl_error_t *err);
/* Removes the temporary directory and frees a. NULL-safe. */
void imagearchive_free(struct imagearchive *a);
static inline void
imagearchive_freep(struct imagearchive **a)
{
    imagearchive_free(*a);
}
#define cleanup_imagearchive __attribute__((cleanup(imagearchive_freep)))

/* The sha256 of the uncompressed content of the layer file at path (none, gzip, zstd,
 * bzip2 or xz, by content) into out; *size (if non-NULL) gets the uncompressed length. */
int imagearchive_layer_diff_id(const char *path, char out[DIGEST_STRING_MAX], uint64_t *size,
                               dctl_error_t *err);
/* The compression of the layer file open on fd, by its first bytes (the offset is put
 * back to 0). Content that is none of the supported ones (and not a tar stream) is
 * DCTL_ERR_INVALID "unsupported compression" with what it looks like. */
int imagearchive_detect_compression(int fd, enum imagearchive_compression *out,
                                    dctl_error_t *err);
/* "none", "gzip", "zstd", "bzip2", "xz". */
const char *imagearchive_compression_name(enum imagearchive_compression c);

/* The GOARCH name of the host ("amd64", "arm64", ...). */
const char *imagearchive_host_arch(void);

/* Writes the uncompressed tar stream of layer diff_id to fd (a regular file, the
 * callee's only to write). 0, or -1 with *err. */
typedef int (*imagearchive_layer_cb)(void *arg, const char *diff_id, int fd,
                                     dctl_error_t *err);

/* One image to write. Everything is lent. */
struct imagearchive_write_image {
    const char *config; /* config bytes; the image ID is their sha256 */
    size_t config_len;
    const struct reference *const *tags; /* references with a tag to record (normalised or
                                          * not); n_tags of them, may be 0 */
    size_t n_tags;
    const char *const *diff_ids; /* the layers, bottom first: must equal the config's
                                  * rootfs.diff_ids */
    size_t n_layers;
};

/* Writes images[0..n-1] as a Docker 25+ docker-archive tar stream to fd (left open; may be
 * a pipe or socket). Layer tars are produced by layer_cb(arg, ...) into unlinked
 * temporary files in tmp_dir (NULL: $TMPDIR or /tmp), one at a time. A layer whose
 * content does not hash to its diff ID is DCTL_ERR_INTERNAL; a config that is not JSON or
 * whose diff_ids differ from the list is DCTL_ERR_INVALID. On error the stream written
 * so far is incomplete: the caller aborts the transfer. */
int imagearchive_write(int fd, const struct imagearchive_write_image *images, size_t n,
                       imagearchive_layer_cb layer_cb, void *arg, const char *tmp_dir,
                       dctl_error_t *err);

#endif
