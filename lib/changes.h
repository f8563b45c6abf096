/* lib/changes.h - what a layer changes against its parent, as Docker's
 * pkg/archive Changes: a list of {path, kind} sorted by path, paths absolute
 * within the layer ("/etc/passwd").
 *
 * changes_dirs() compares two trees (a naive diff, for vfs and for any driver
 * asked about a parent that is not the layer's own); changes_overlay() reads
 * an overlay upper directory against its lower directories. Both block: call
 * them from a worker job. Any thread. */
#ifndef DCTL_CHANGES_H
#define DCTL_CHANGES_H

#include <stddef.h>

#include "error.h"

/* Docker's values: 0 modify, 1 add, 2 delete. */
enum change_kind {
    CHANGE_MODIFY = 0,
    CHANGE_ADD = 1,
    CHANGE_DELETE = 2,
};

struct change {
    char *path; /* "/a/b", owned by the list */
    enum change_kind kind;
};

/* A growable list; zero-initialise, release with changes_fini(). */
struct changes {
    struct change *v;
    size_t n, cap;
};

void changes_fini(struct changes *list);
void changes_add(struct changes *list, const char *path, enum change_kind kind);
/* Sorts by path, component by component ("/a", "/a/b", "/a-b"). */
void changes_sort(struct changes *list);
/* Compares newdir against olddir (NULL: everything in newdir is added) as
 * Docker's ChangesDirs: a file is modified when its mode, owner, device,
 * security.capability, or (not for directories) size or mtime differ; a
 * directory with changes beneath it is listed as modified. Sorted. */
int changes_dirs(const char *newdir, const char *olddir, struct changes *out, dctl_error_t *err);
/* Reads the overlay upper directory upper against lowers[0..nlowers) (the
 * nearest first) as Docker's OverlayChanges: 0/0 character devices are
 * deletions, opaque directories that hide a lower one are deleted and their
 * contents added. Sorted. */
int changes_overlay(const char *upper, const char *const *lowers, size_t nlowers,
                    struct changes *out, dctl_error_t *err);
/* The list as Docker's JSON: [{"Path":"/a","Kind":1},...] (malloc'd). */
char *changes_to_json(const struct changes *list);

#endif
