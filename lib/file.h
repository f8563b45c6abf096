/* lib/file.h - whole-file reads and atomic writes. Blocking: call them on the
 * loop only for small files at start-up, else from a worker job. */
#ifndef DCTL_FILE_H
#define DCTL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Writes data to dirfd/name atomically: a temporary file in the same directory,
 * fsync, rename, fsync of the directory. A crash leaves the old or the new file. */
int file_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                      dctl_error_t *err);
/* The same without the fsyncs: readers never see a torn file, but a crash of the
 * machine may lose it. For run-time files that are rebuilt from state whenever they
 * are needed (a container's hostname, hosts and resolv.conf written at each start,
 * anything under the exec root, which does not survive a reboot). */
int file_write_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                       dctl_error_t *err);
/* Reads dirfd/name (dirfd may be AT_FDCWD) into a malloc'd NUL-terminated buffer. */
char *file_read_all(int dirfd, const char *name, size_t *len, dctl_error_t *err);
/* mkdir -p with mode for each created component. */
int file_mkdir_p(const char *path, mode_t mode, dctl_error_t *err);
/* Sums the sizes (st_size) of everything under path but directories, a
 * hard-linked inode once, as Docker's directory.Size; mount points are not
 * crossed. Blocking: a worker job. A missing path is DCTL_ERR_NOT_FOUND. */
int file_usage(const char *path, int64_t *bytes, dctl_error_t *err);

#endif
