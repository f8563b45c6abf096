/* lib/inodes.c - a set of inodes seen in a walk, with their first path. */
#include <config.h>

#include <search.h>
#include <stdlib.h>

#include "inodes.h"
#include "xmalloc.h"

struct inodes_entry {
    dev_t dev;
    ino_t ino;
    char *path;
};

static int
inodes_cmp(const void *a, const void *b)
{
    const struct inodes_entry *x = a, *y = b;

    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return 0;
}

const char *
inodes_add(struct inodes *set, const struct stat *st, const char *path)
{
    struct inodes_entry *e = xmalloc(sizeof *e), **found;

    e->dev = st->st_dev;
    e->ino = st->st_ino;
    e->path = NULL;
    found = tsearch(e, &set->root, inodes_cmp);
    if (found == NULL)
        abort();
    if (*found != e) {
        free(e);
        return (*found)->path ? (*found)->path : "";
    }
    e->path = path ? xstrdup(path) : NULL;
    return NULL;
}

static void
inodes_entry_free(void *p)
{
    struct inodes_entry *e = p;

    free(e->path);
    free(e);
}

void
inodes_fini(struct inodes *set)
{
    tdestroy(set->root, inodes_entry_free);
    set->root = NULL;
}
