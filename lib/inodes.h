/* lib/inodes.h - the (device, inode) pairs seen during a tree walk, each with
 * the path it was first seen at, so that walks (tar writer, tree copy, disk
 * usage) recognise hardlinks. Not thread-safe: one walk, one set. */
#ifndef DCTL_INODES_H
#define DCTL_INODES_H

#include <sys/stat.h>

struct inodes {
    void *root; /* tsearch tree */
};

#define INODES_INIT { NULL }

/* Records st's inode with path (copied; may be NULL) and returns NULL when it
 * is new; returns the path recorded first ("" if that was NULL) when the inode
 * was seen already. The returned path is lent until inodes_fini(). */
const char *inodes_add(struct inodes *set, const struct stat *st, const char *path);
void inodes_fini(struct inodes *set);

#endif
