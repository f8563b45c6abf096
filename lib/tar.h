/* lib/tar.h - layer tar streams: applying one beneath a root directory, and
 * writing one from a directory, an overlay upper directory or a change list.
 *
 * tar_apply() reads a tar stream (uncompressed, gzip, zstd, ... detected by
 * content) from an fd in blocks, never holding a whole layer in memory, and
 * writes it beneath root. Every entry is resolved beneath root: `..`
 * components and absolute names are refused, and so is any path that would
 * pass through a symlink leading outside root (absolute symlinks included),
 * with an error naming the entry. Owners, modes (setuid, setgid, sticky),
 * xattrs (security.capability included), mtimes (directories after their
 * contents), hardlinks, symlinks, device nodes and fifos are kept. On error
 * the partial result stays in root: the caller removes the layer.
 *
 * All functions block: call them from a worker job. Any thread; no global
 * state except tar_set_openat2(). Errors: DCTL_ERR_INVALID for a bad or
 * hostile archive, DCTL_ERR_INTERNAL for I/O failures. */
#ifndef DCTL_TAR_H
#define DCTL_TAR_H

#include <stdbool.h>
#include <stdint.h>

#include "changes.h"
#include "error.h"

/* How tar_apply() treats AUFS/OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`). */
enum tar_whiteout {
    /* Delete: `.wh.NAME` removes NAME; `.wh..wh..opq` removes every child of its
     * directory that this layer did not write (root holds a copy of the lower
     * content: vfs). */
    TAR_WHITEOUT_DELETE = 0,
    /* Overlay: `.wh.NAME` becomes a 0/0 character device NAME; `.wh..wh..opq`
     * sets trusted.overlay.opaque=y on its directory (root is an overlay upper
     * directory). */
    TAR_WHITEOUT_OVERLAY,
};

/* What tar_write_dir() writes. */
enum tar_write_mode {
    /* Every file beneath root as it is. */
    TAR_WRITE_FULL = 0,
    /* root is an overlay upper directory: 0/0 character devices become
     * `.wh.NAME`, opaque directories get a `.wh..wh..opq` entry. */
    TAR_WRITE_OVERLAY_DIFF,
};

/* Applies the tar stream read from fd (left open, the caller's) beneath the
 * existing directory root. *size (may be NULL) gets the bytes of regular file
 * content written, as Docker counts a layer's size. 0, or -1 with *err; on
 * error root may hold part of the layer. */
int tar_apply(int fd, const char *root, enum tar_whiteout whiteout, int64_t *size,
              dctl_error_t *err);

/* Writes root as an uncompressed tar stream (PAX where needed, e.g. xattrs and
 * long names) to fd (left open). Deterministic: entries sorted by name, names
 * relative without "./", directories with a trailing "/", mtimes in whole
 * seconds, no atime/ctime, no user/group names; hardlinks kept. */
int tar_write_dir(int fd, const char *root, enum tar_write_mode mode, dctl_error_t *err);

/* Writes the entry name of directory dir (a path) and, for a directory, everything
 * beneath it, as a tar stream to fd with name replaced by as in every entry's path
 * (docker cp's rebasing: "x/f" sent as "y/f", or "./f" with as "."). Symlinks are not
 * followed. */
int tar_write_path(int fd, const char *dir, const char *name, const char *as,
                   dctl_error_t *err);

/* Writes the changes of list (paths relative to root, sorted) to fd as a layer
 * tar, as Docker's ExportChanges: added and modified paths from root (a
 * directory alone, not its contents), deleted ones as `.wh.NAME` entries. */
int tar_write_changes(int fd, const char *root, const struct changes *list, dctl_error_t *err);

/* Tests only: false makes path resolution use the portable component walk
 * even where openat2(RESOLVE_BENEATH) exists. Not thread-safe. */
void tar_set_openat2(bool use);

#endif
