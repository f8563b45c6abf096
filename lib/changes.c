/* lib/changes.c - a layer's changes against its parent: by comparing two trees
 * (Docker's ChangesDirs) or by reading an overlay upper directory (Docker's
 * OverlayChanges). See changes.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "changes.h"
#include "json.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

#define CHANGES_OPAQUE "trusted.overlay.opaque"

void
changes_fini(struct changes *list)
{
    size_t i;

    for (i = 0; i < list->n; i++)
        free(list->v[i].path);
    free(list->v);
    memset(list, 0, sizeof *list);
}

void
changes_add(struct changes *list, const char *path, enum change_kind kind)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 32;
        list->v = xrealloc(list->v, list->cap * sizeof *list->v);
    }
    list->v[list->n].path = xstrdup(path);
    list->v[list->n].kind = kind;
    list->n++;
}

/* '/' sorts before every other byte, so a directory's contents follow it
 * directly ("/a", "/a/b", "/a-b"). */
static int
changes_path_cmp(const char *a, const char *b)
{
    for (; *a && *a == *b; a++, b++)
        ;
    if (*a == *b)
        return 0;
    if (*a == '/')
        return *b ? -1 : 1;
    if (*b == '/')
        return *a ? 1 : -1;
    return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
}

static int
changes_cmp(const void *a, const void *b)
{
    const struct change *x = a, *y = b;

    return changes_path_cmp(x->path, y->path);
}

void
changes_sort(struct changes *list)
{
    if (list->n > 1)
        qsort(list->v, list->n, sizeof *list->v, changes_cmp);
}

char *
changes_to_json(const struct changes *list)
{
    cleanup_json struct json_object *arr = json_object_new_array();
    size_t i;

    for (i = 0; i < list->n; i++) {
        struct json_object *o = json_object_new_object();

        json_add_string(o, "Path", list->v[i].path);
        json_add_int64(o, "Kind", list->v[i].kind);
        json_object_array_add(arr, o);
    }
    return json_to_string(arr);
}

static char *
changes_join(const char *dir, const char *name)
{
    return xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name);
}

/* ---- two trees ----------------------------------------------------------- */

/* bsearch hands the key and an element, both char **. */
static int
changes_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}


static bool
changes_stat_differ(const struct stat *o, const struct stat *n)
{
    if (o->st_mode != n->st_mode || o->st_uid != n->st_uid || o->st_gid != n->st_gid ||
        o->st_rdev != n->st_rdev)
        return true;
    if (S_ISDIR(o->st_mode))
        return false;
    if (o->st_size != n->st_size || o->st_mtim.tv_sec != n->st_mtim.tv_sec)
        return true;
    /* A zero nanosecond part means a filesystem or copy that kept whole seconds. */
    return o->st_mtim.tv_nsec != n->st_mtim.tv_nsec && o->st_mtim.tv_nsec != 0 &&
           n->st_mtim.tv_nsec != 0;
}

static bool
changes_caps_differ(int ofd, int nfd, const char *name)
{
    char a[256], b[256];
    ssize_t x = tree_xattr_read(ofd, name, "security.capability", a, sizeof a);
    ssize_t y = tree_xattr_read(nfd, name, "security.capability", b, sizeof b);

    if (x < 0 && y < 0)
        return false;
    return x != y || memcmp(a, b, x) != 0;
}

/* Compares directory nfd (path rel) with ofd (-1: absent). self_listed says
 * whether rel itself is already in the list (added or modified). */
static int
changes_walk_dirs(int nfd, int ofd, const char *rel, bool self_listed, struct changes *out,
                  dctl_error_t *err)
{
    char **nnames = NULL, **onames = NULL;
    size_t nn = 0, no = 0, i, at_entry = out->n;
    int rc = -1;

    nnames = tree_list(nfd, &nn, err);
    if (nnames == NULL)
        goto out;
    if (ofd >= 0 && (onames = tree_list(ofd, &no, err)) == NULL)
        goto out;

    for (i = 0; i < nn; i++) {
        cleanup_free char *path = changes_join(rel, nnames[i]);
        struct stat nst, ost;
        bool old, listed = false;

        if (fstatat(nfd, nnames[i], &nst, AT_SYMLINK_NOFOLLOW) < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", path);
            goto out;
        }
        old = ofd >= 0 && fstatat(ofd, nnames[i], &ost, AT_SYMLINK_NOFOLLOW) == 0;
        if (!old) {
            changes_add(out, path, CHANGE_ADD);
            listed = true;
        } else if (changes_stat_differ(&ost, &nst) || changes_caps_differ(ofd, nfd, nnames[i])) {
            changes_add(out, path, CHANGE_MODIFY);
            listed = true;
        }
        if (S_ISDIR(nst.st_mode)) {
            cleanup_close int nsub =
                openat(nfd, nnames[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            cleanup_close int osub = -1;

            if (nsub < 0) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
                goto out;
            }
            if (old && S_ISDIR(ost.st_mode)) {
                osub = openat(ofd, nnames[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (osub < 0) {
                    dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open old %s", path);
                    goto out;
                }
            }
            if (changes_walk_dirs(nsub, osub, path, listed, out, err) < 0)
                goto out;
        }
    }
    for (i = 0; i < no; i++) {
        if (bsearch(&onames[i], nnames, nn, sizeof *nnames, changes_name_cmp) == NULL) {
            cleanup_free char *path = changes_join(rel, onames[i]);

            changes_add(out, path, CHANGE_DELETE);
        }
    }
    /* Changes beneath a directory list it, so that its permissions travel. */
    if (out->n > at_entry && !self_listed && strcmp(rel, "/") != 0)
        changes_add(out, rel, CHANGE_MODIFY);
    rc = 0;
out:
    tree_names_free(nnames);
    tree_names_free(onames);
    return rc;
}

int
changes_dirs(const char *newdir, const char *olddir, struct changes *out, dctl_error_t *err)
{
    cleanup_close int nfd = open(newdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int ofd = -1;

    if (nfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", newdir);
    if (olddir && (ofd = open(olddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", olddir);
    if (changes_walk_dirs(nfd, ofd, "/", true, out, err) < 0)
        return -1;
    changes_sort(out);
    return 0;
}

/* ---- overlay upper directory --------------------------------------------- */

struct changes_overlay {
    int *lowers; /* O_PATH fds, nearest first */
    size_t nlowers;
    void *changed_dirs; /* tsearch set of directory paths already listed */
    struct changes *out;
};

static bool
changes_is_whiteout(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

/* lstat of rel (no leading '/') in a lower directory, following no symlink on
 * the way: what a lower layer shows at that path in the merged view. */
static int
changes_lower_stat(int lowerfd, const char *rel, struct stat *st)
{
    struct open_how how = {
        .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    int fd = syscall(SYS_openat2, lowerfd, rel, &how, sizeof how);
    int rc;

    if (fd < 0 && errno == ENOSYS)
        return fstatat(lowerfd, rel, st, AT_SYMLINK_NOFOLLOW);
    if (fd < 0)
        return -1;
    rc = fstat(fd, st);
    close(fd);
    return rc;
}

/* Which lower shows rel first: its index with *st, or -1 (absent or whited out). */
static int
changes_lower_find(struct changes_overlay *co, const char *rel, struct stat *st)
{
    size_t i;

    for (i = 0; i < co->nlowers; i++) {
        if (changes_lower_stat(co->lowers[i], rel, st) < 0)
            continue;
        return changes_is_whiteout(st) ? -1 : (int)i;
    }
    return -1;
}

static int
changes_str_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Adds path to set (a tsearch tree of malloc'd strings) unless there. */
static void
changes_set_add(void **set, const char *path)
{
    char *copy = xstrdup(path);
    void **node = tsearch(copy, set, changes_str_cmp);

    if (*node != copy)
        free(copy);
}

static void
changes_overlay_add(struct changes_overlay *co, const char *path, enum change_kind kind)
{
    cleanup_free char *parent = xstrdup(path);
    char *slash = strrchr(parent, '/');

    changes_add(co->out, path, kind);
    if (kind == CHANGE_MODIFY)
        return;
    if (slash == parent)
        return; /* the root */
    *slash = '\0';
    if (tfind(parent, &co->changed_dirs, changes_str_cmp))
        return;
    changes_add(co->out, parent, CHANGE_MODIFY);
    changes_set_add(&co->changed_dirs, parent);
}

/* An opaque directory hides the lower contents of path: each hidden name not
 * in upper (names, sorted) is a deletion. */
static void
changes_overlay_hidden(struct changes_overlay *co, const char *path, char **names, size_t n)
{
    void *seen = NULL;
    size_t i;

    for (i = 0; i < co->nlowers; i++) {
        cleanup_close int fd = -1;
        struct stat st;
        char **lnames, opq[2];
        size_t j;
        bool stop;

        if (changes_lower_stat(co->lowers[i], path + 1, &st) < 0)
            continue;
        if (!S_ISDIR(st.st_mode))
            break;
        fd = openat(co->lowers[i], path + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || (lnames = tree_list(fd, NULL, NULL)) == NULL)
            break;
        for (j = 0; lnames[j]; j++) {
            struct stat cst;

            if (bsearch(&lnames[j], names, n, sizeof *names, changes_name_cmp) ||
                tfind(lnames[j], &seen, changes_str_cmp))
                continue;
            changes_set_add(&seen, lnames[j]);
            if (fstatat(fd, lnames[j], &cst, AT_SYMLINK_NOFOLLOW) == 0 &&
                !changes_is_whiteout(&cst)) {
                cleanup_free char *child = changes_join(path, lnames[j]);

                changes_add(co->out, child, CHANGE_DELETE);
            }
        }
        tree_names_free(lnames);
        stop = tree_xattr_read(fd, NULL, CHANGES_OPAQUE, opq, sizeof opq) == 1 && opq[0] == 'y';
        if (stop)
            break;
    }
    tdestroy(seen, free);
}

static int
changes_walk_upper(struct changes_overlay *co, int dirfd, const char *rel, bool hidden,
                   dctl_error_t *err)
{
    size_t n, i;
    char **names = tree_list(dirfd, &n, err);
    int rc = -1;

    if (names == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        cleanup_free char *path = changes_join(rel, names[i]);
        struct stat st, lst;
        bool opaque = false, in_lower;
        char opq[2];

        if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", path);
            goto out;
        }
        if (changes_is_whiteout(&st)) {
            changes_overlay_add(co, path, CHANGE_DELETE);
            continue;
        }
        in_lower = !hidden && changes_lower_find(co, path + 1, &lst) >= 0;
        if (S_ISDIR(st.st_mode))
            opaque = tree_xattr_read(dirfd, names[i], CHANGES_OPAQUE, opq, sizeof opq) == 1 &&
                     opq[0] == 'y';
        if (!in_lower) {
            changes_overlay_add(co, path, CHANGE_ADD);
        } else if (S_ISDIR(st.st_mode) && S_ISDIR(lst.st_mode) && !opaque &&
                   st.st_mode == lst.st_mode && st.st_uid == lst.st_uid &&
                   st.st_gid == lst.st_gid && st.st_mtim.tv_sec == lst.st_mtim.tv_sec &&
                   st.st_mtim.tv_nsec == lst.st_mtim.tv_nsec) {
            /* copied up only because something beneath it changed */
        } else {
            changes_overlay_add(co, path, CHANGE_MODIFY);
            if (S_ISDIR(st.st_mode))
                changes_set_add(&co->changed_dirs, path);
        }
        if (S_ISDIR(st.st_mode)) {
            cleanup_close int sub =
                openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            size_t nsub;
            char **subnames;

            if (!in_lower)
                changes_set_add(&co->changed_dirs, path);
            if (sub < 0) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
                goto out;
            }
            if (opaque && in_lower) {
                subnames = tree_list(sub, &nsub, err);
                if (subnames == NULL)
                    goto out;
                changes_overlay_hidden(co, path, subnames, nsub);
                tree_names_free(subnames);
            }
            if (changes_walk_upper(co, sub, path, hidden || opaque || !in_lower, err) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    tree_names_free(names);
    return rc;
}

int
changes_overlay(const char *upper, const char *const *lowers, size_t nlowers,
                struct changes *out, dctl_error_t *err)
{
    struct changes_overlay co = { .nlowers = 0, .out = out };
    cleanup_close int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t i;
    int rc = -1;

    if (ufd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", upper);
    co.lowers = xcalloc(nlowers + 1, sizeof *co.lowers);
    for (i = 0; i < nlowers; i++) {
        co.lowers[i] = open(lowers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (co.lowers[i] < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", lowers[i]);
            goto out;
        }
        co.nlowers++;
    }
    if (changes_walk_upper(&co, ufd, "/", false, err) < 0)
        goto out;
    changes_sort(out);
    rc = 0;
out:
    for (i = 0; i < co.nlowers; i++)
        close(co.lowers[i]);
    free(co.lowers);
    tdestroy(co.changed_dirs, free);
    return rc;
}
