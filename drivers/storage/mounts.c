/* drivers/storage/mounts.c - the table of layers handed out by get(). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "drivers/storage/mounts.h"
#include "lib/xmalloc.h"

struct mounts_entry *
mounts_find(struct mounts *m, const char *id)
{
    struct mounts_entry *e;

    for (e = m->head; e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

struct mounts_entry *
mounts_add(struct mounts *m, const char *id, char *path_take, bool mounted)
{
    struct mounts_entry *e = xcalloc(1, sizeof *e);

    e->id = xstrdup(id);
    e->path = path_take;
    e->mounted = mounted;
    e->count = 1;
    e->next = m->head;
    m->head = e;
    return e;
}

void
mounts_drop(struct mounts *m, struct mounts_entry *e)
{
    struct mounts_entry **pp;

    for (pp = &m->head; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    free(e->id);
    free(e->path);
    free(e);
}

void
mounts_fini(struct mounts *m)
{
    while (m->head)
        mounts_drop(m, m->head);
}
