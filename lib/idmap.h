/* lib/idmap.h - user namespace ID maps, as dockerd's idtools builds and uses them:
 * the subordinate ranges of /etc/subuid and /etc/subgid, the map made from a user's
 * ranges (container IDs from 0, contiguous, over the host ranges in ascending
 * order), mapping one ID either way, and the first free range for a new user.
 *
 * Pure: no I/O, any thread. A struct idmap is plain data; copy it freely.
 * Errors: DCTL_ERR_INVALID, in dockerd's words where it has some. */
#ifndef DCTL_IDMAP_H
#define DCTL_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Ranges one map may hold; the kernel takes up to 340 lines per map (4.15+). */
#define IDMAP_RANGES_MAX 64
/* dockerd's defaults for a user it creates: 65536 IDs from 100000 up. */
#define IDMAP_DEFAULT_START 100000u
#define IDMAP_DEFAULT_COUNT 65536u

/* count IDs from inside (in the container) map to outside (on the host). */
struct idmap_range {
    uint32_t inside;
    uint32_t outside;
    uint32_t count;
};

/* The uid and gid maps of a user namespace; nuid == 0 means no remapping. */
struct idmap {
    struct idmap_range uid[IDMAP_RANGES_MAX];
    size_t nuid;
    struct idmap_range gid[IDMAP_RANGES_MAX];
    size_t ngid;
};

/* Which way an ID goes: to the host (unpacking a layer, a container's
 * files) or back to the container (a diff, an export). */
enum idmap_dir {
    IDMAP_TO_HOST = 0,
    IDMAP_TO_CONTAINER,
};

/* The "NAME:START:COUNT" lines of a subuid/subgid text (what names the file, for
 * messages) that belong to name or to the decimal id (name NULL: every line), as
 * host ranges (outside, count; inside 0) in file order, into out[max]; *n gets the
 * count. Blank lines and # comments are skipped; a line of another shape, or more
 * than max matching lines, is an error. */
int idmap_subid_parse(const char *text, const char *what, const char *name, uint32_t id,
                      struct idmap_range *out, size_t max, size_t *n, dctl_error_t *err);

/* dockerd's createIDMap: the host ranges sorted by start, each given the next
 * container IDs from 0. in and out may be the same array. Overlapping ranges or more
 * than 2^32 IDs in all are an error. */
int idmap_build(const struct idmap_range *in, size_t n, struct idmap_range *out,
                dctl_error_t *err);

/* Maps id through v[n] in the direction given; false when it is not mapped. */
bool idmap_map(const struct idmap_range *v, size_t n, enum idmap_dir dir, uint32_t id,
               uint32_t *out);

/* The host uid and gid of the container's root (0 inside); false when 0 is unmapped. */
bool idmap_root(const struct idmap *m, uint32_t *uid, uint32_t *gid);

/* The first start >= from where count IDs overlap none of used[n] (any order), as
 * dockerd picks a range for the user it creates. Error if none is left below 2^32. */
int idmap_next_free(const struct idmap_range *used, size_t n, uint32_t from, uint32_t count,
                    uint32_t *start, dctl_error_t *err);

#endif
