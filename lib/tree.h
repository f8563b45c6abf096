/* lib/tree.h - whole directory trees: copying one with everything a layer
 * holds (owners, modes, xattrs, mtimes, hardlinks, symlinks, devices, fifos,
 * sockets), removing one without following symlinks or crossing mounts, and
 * the sorted listing and xattr helpers that lib/tar.c and lib/changes.c share.
 *
 * Everything works on fds with O_NOFOLLOW: a symlink in a tree is copied or
 * removed, never followed. All functions block: call them from a worker job.
 * Any thread. */
#ifndef DCTL_TREE_H
#define DCTL_TREE_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Copies the contents of directory src into the existing directory dst, and
 * src's own owner, mode, xattrs and times onto dst. */
int tree_copy(const char *src, const char *dst, dctl_error_t *err);
/* Removes dirfd/name (AT_FDCWD allowed) and everything beneath it; a missing
 * name is not an error. Refuses to descend into a mount point. */
int tree_remove_at(int dirfd, const char *name, dctl_error_t *err);
int tree_remove(const char *path, dctl_error_t *err);
/* Removes every child of the directory dirfd (the directory stays). */
int tree_empty(int dirfd, dctl_error_t *err);

/* The names in directory dirfd except "." and "..", sorted with strcmp, as a
 * malloc'd NULL-ended array of malloc'd strings (free with tree_names_free). */
char **tree_list(int dirfd, size_t *n, dctl_error_t *err);
void tree_names_free(char **names);

/* An extended attribute: name and value (value may hold NULs). */
struct tree_xattr {
    char *name;
    void *value;
    size_t size;
};
/* The xattrs of dirfd/name (not following a symlink), or of dirfd itself when
 * name is NULL; *n gets the count. NULL with n == 0 when there are none.
 * Free with tree_xattrs_free. */
struct tree_xattr *tree_xattrs_get(int dirfd, const char *name, size_t *n, dctl_error_t *err);
void tree_xattrs_free(struct tree_xattr *x, size_t n);
/* Sets one xattr on dirfd/name (not following a symlink), or on dirfd itself
 * when name is NULL. Returns -1 with errno set. */
int tree_xattr_set(int dirfd, const char *name, const char *key, const void *value, size_t size);
/* Reads one xattr like lgetxattr(2): the size, or -1 with errno set. */
ssize_t tree_xattr_read(int dirfd, const char *name, const char *key, void *buf, size_t size);

#endif
