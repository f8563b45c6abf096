/* drivers/storage/mounts.h - the layers a storage driver has handed out with
 * get(): id, the path lent to the caller until the last put(), and a count.
 * Not locked: the driver holds its own lock around every call. */
#ifndef DCTL_STORAGE_MOUNTS_H
#define DCTL_STORAGE_MOUNTS_H

#include <stdbool.h>

struct mounts_entry {
    struct mounts_entry *next;
    char *id;
    char *path;   /* lent to get()'s callers */
    bool mounted; /* path is a mount point the driver made */
    unsigned int count;
};

struct mounts {
    struct mounts_entry *head;
};

struct mounts_entry *mounts_find(struct mounts *m, const char *id);
/* Adds id with count 1; takes path. */
struct mounts_entry *mounts_add(struct mounts *m, const char *id, char *path_take, bool mounted);
/* Unlinks and frees the entry. */
void mounts_drop(struct mounts *m, struct mounts_entry *e);
void mounts_fini(struct mounts *m);

#endif
