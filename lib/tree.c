/* lib/tree.c - copying and removing directory trees on fds, sorted listings,
 * xattrs of entries that may be symlinks or device nodes. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "inodes.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

/* ---- listing ------------------------------------------------------------- */

static int
tree_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void
tree_names_free(char **names)
{
    size_t i;

    if (names == NULL)
        return;
    for (i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}

char **
tree_list(int dirfd, size_t *n, dctl_error_t *err)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t len = 0, cap = 0;

    if (fd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open directory");
        return NULL;
    }
    d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open directory");
        return NULL;
    }
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (de == NULL)
            break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[len++] = xstrdup(de->d_name);
    }
    if (errno != 0) {
        int e = errno;

        closedir(d);
        if (names)
            names[len] = NULL;
        tree_names_free(names);
        dctl_error_set(err, DCTL_ERR_INTERNAL, e, "read directory");
        return NULL;
    }
    closedir(d);
    if (names == NULL)
        names = xcalloc(1, sizeof *names);
    else
        names[len] = NULL;
    qsort(names, len, sizeof *names, tree_name_cmp);
    if (n)
        *n = len;
    return names;
}

/* ---- xattrs -------------------------------------------------------------- */

/* A path that reaches dirfd/name without following name if it is a symlink
 * (used with the l*xattr calls), or dirfd itself when name is NULL. */
static void
tree_proc_path(char *buf, size_t len, int dirfd, const char *name)
{
    if (name)
        snprintf(buf, len, "/proc/self/fd/%d/%s", dirfd, name);
    else
        snprintf(buf, len, "/proc/self/fd/%d", dirfd);
}

ssize_t
tree_xattr_read(int dirfd, const char *name, const char *key, void *buf, size_t size)
{
    char path[PATH_MAX + 64];

    tree_proc_path(path, sizeof path, dirfd, name);
    return name ? lgetxattr(path, key, buf, size) : getxattr(path, key, buf, size);
}

int
tree_xattr_set(int dirfd, const char *name, const char *key, const void *value, size_t size)
{
    char path[PATH_MAX + 64];

    tree_proc_path(path, sizeof path, dirfd, name);
    return name ? lsetxattr(path, key, value, size, 0) : setxattr(path, key, value, size, 0);
}

void
tree_xattrs_free(struct tree_xattr *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(x[i].name);
        free(x[i].value);
    }
    free(x);
}

struct tree_xattr *
tree_xattrs_get(int dirfd, const char *name, size_t *n, dctl_error_t *err)
{
    char path[PATH_MAX + 64];
    cleanup_free char *list = NULL;
    struct tree_xattr *x = NULL;
    ssize_t len;
    size_t count = 0, off;

    *n = 0;
    tree_proc_path(path, sizeof path, dirfd, name);
    for (;;) {
        len = name ? llistxattr(path, NULL, 0) : listxattr(path, NULL, 0);
        if (len < 0 && (errno == ENOTSUP || errno == EPERM))
            return NULL;
        if (len < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "list xattrs of %s", name ? name : ".");
            return NULL;
        }
        if (len == 0)
            return NULL;
        free(list);
        list = xmalloc(len);
        len = name ? llistxattr(path, list, len) : listxattr(path, list, len);
        if (len >= 0)
            break;
        if (errno != ERANGE) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "list xattrs of %s", name ? name : ".");
            return NULL;
        }
    }
    for (off = 0; off < (size_t)len; off += strlen(list + off) + 1) {
        const char *key = list + off;
        ssize_t vlen;
        void *value = NULL;

        for (;;) {
            vlen = name ? lgetxattr(path, key, NULL, 0) : getxattr(path, key, NULL, 0);
            if (vlen < 0)
                break;
            free(value);
            value = xmalloc(vlen ? vlen : 1);
            vlen = name ? lgetxattr(path, key, value, vlen) : getxattr(path, key, value, vlen);
            if (vlen >= 0 || errno != ERANGE)
                break;
        }
        if (vlen < 0) {
            free(value);
            if (errno == ENODATA)
                continue;
            tree_xattrs_free(x, count);
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read xattr %s of %s", key,
                           name ? name : ".");
            return NULL;
        }
        x = xrealloc(x, (count + 1) * sizeof *x);
        x[count].name = xstrdup(key);
        x[count].value = value;
        x[count].size = vlen;
        count++;
    }
    *n = count;
    return x;
}

/* ---- removal ------------------------------------------------------------- */

static int tree_remove_children(int fd, dev_t dev, dctl_error_t *err);

static int
tree_remove_entry(int dirfd, const char *name, dev_t dev, dctl_error_t *err)
{
    struct stat st;
    cleanup_close int fd = -1;

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", name);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "remove %s", name);
        return 0;
    }
    if (dev != (dev_t)-1 && st.st_dev != dev)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, EBUSY, "remove %s: a mount point", name);
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", name);
    /* A directory without write or search permission cannot be emptied. */
    if ((st.st_mode & 0700) != 0700)
        fchmod(fd, st.st_mode | 0700);
    if (tree_remove_children(fd, st.st_dev, err) < 0)
        return dctl_error_prefix(err, "%s", name);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "remove %s", name);
    return 0;
}

static int
tree_remove_children(int fd, dev_t dev, dctl_error_t *err)
{
    char **names = tree_list(fd, NULL, err);
    size_t i;
    int rc = 0;

    if (names == NULL)
        return -1;
    for (i = 0; names[i] && rc == 0; i++)
        rc = tree_remove_entry(fd, names[i], dev, err);
    tree_names_free(names);
    return rc;
}

int
tree_empty(int dirfd, dctl_error_t *err)
{
    struct stat st;

    if (fstat(dirfd, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat directory");
    return tree_remove_children(dirfd, st.st_dev, err);
}

int
tree_remove_at(int dirfd, const char *name, dctl_error_t *err)
{
    struct stat st;

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", name);
    }
    return tree_remove_entry(dirfd, name, st.st_dev, err);
}

int
tree_remove(const char *path, dctl_error_t *err)
{
    return tree_remove_at(AT_FDCWD, path, err);
}

/* ---- copying ------------------------------------------------------------- */

struct tree_copy {
    int dstroot;  /* fd of the destination root, for hardlinks */
    struct inodes inodes; /* files with nlink > 1 */
};

static int
tree_copy_xattrs(int sdir, const char *sname, int ddir, const char *dname, dctl_error_t *err)
{
    size_t n, i;
    struct tree_xattr *x = tree_xattrs_get(sdir, sname, &n, err);

    if (x == NULL && n == 0 && err && *err)
        return -1;
    for (i = 0; i < n; i++) {
        if (tree_xattr_set(ddir, dname, x[i].name, x[i].value, x[i].size) < 0 &&
            errno != ENOTSUP) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set xattr %s on %s", x[i].name,
                           dname ? dname : ".");
            tree_xattrs_free(x, n);
            return -1;
        }
    }
    tree_xattrs_free(x, n);
    return 0;
}

static int
tree_copy_data(int in, int out, const char *name, dctl_error_t *err)
{
    char buf[65536];

    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);

        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "copy %s", name);
        break;
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf), w, off = 0;

        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", name);
        }
        while (off < n) {
            w = write(out, buf + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write %s", name);
            off += w;
        }
    }
}

static int tree_copy_dir(struct tree_copy *tc, int sfd, int dfd, const char *rel,
                         dctl_error_t *err);

/* Copies sdir/name to ddir/name; rel is its path below the roots. */
static int
tree_copy_entry(struct tree_copy *tc, int sdir, int ddir, const char *name, const char *rel,
                dctl_error_t *err)
{
    struct stat st;
    struct timespec ts[2];
    cleanup_close int sfd = -1;
    cleanup_close int dfd = -1;

    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", rel);

    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
        const char *first = inodes_add(&tc->inodes, &st, rel);

        if (first) {
            if (linkat(tc->dstroot, first, ddir, name, 0) < 0)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "link %s", rel);
            return 0;
        }
    }

    switch (st.st_mode & S_IFMT) {
    case S_IFDIR:
        if (mkdirat(ddir, name, 0700) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "mkdir %s", rel);
        sfd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        dfd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0 || dfd < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", rel);
        if (tree_copy_dir(tc, sfd, dfd, rel, err) < 0)
            return -1;
        return 0; /* tree_copy_dir set the metadata */
    case S_IFREG:
        sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", rel);
        dfd = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (dfd < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create %s", rel);
        if (tree_copy_data(sfd, dfd, rel, err) < 0)
            return -1;
        break;
    case S_IFLNK: {
        char target[PATH_MAX + 1];
        ssize_t n = readlinkat(sdir, name, target, sizeof target - 1);

        if (n < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "readlink %s", rel);
        target[n] = '\0';
        if (symlinkat(target, ddir, name) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "symlink %s", rel);
        break;
    }
    default: /* devices, fifos, sockets */
        if (mknodat(ddir, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "mknod %s", rel);
        break;
    }

    /* Owner first: chown clears setuid bits and file capabilities. */
    if (fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown %s", rel);
    if (!S_ISLNK(st.st_mode) && fchmodat(ddir, name, st.st_mode & 07777, 0) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chmod %s", rel);
    if (tree_copy_xattrs(sdir, name, ddir, name, err) < 0)
        return -1;
    ts[0] = st.st_atim;
    ts[1] = st.st_mtim;
    if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set times of %s", rel);
    return 0;
}

/* Copies the children of sfd into dfd, then sfd's own metadata onto dfd. */
static int
tree_copy_dir(struct tree_copy *tc, int sfd, int dfd, const char *rel, dctl_error_t *err)
{
    struct stat st;
    struct timespec ts[2];
    char **names;
    size_t i;
    int rc = 0;

    if (fstat(sfd, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", rel);
    names = tree_list(sfd, NULL, err);
    if (names == NULL)
        return dctl_error_prefix(err, "%s", rel);
    for (i = 0; names[i] && rc == 0; i++) {
        cleanup_free char *child =
            *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);

        rc = tree_copy_entry(tc, sfd, dfd, names[i], child, err);
    }
    tree_names_free(names);
    if (rc < 0)
        return -1;
    if (fchown(dfd, st.st_uid, st.st_gid) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown %s", *rel ? rel : ".");
    if (fchmod(dfd, st.st_mode & 07777) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chmod %s", *rel ? rel : ".");
    if (tree_copy_xattrs(sfd, NULL, dfd, NULL, err) < 0)
        return -1;
    ts[0] = st.st_atim;
    ts[1] = st.st_mtim;
    if (futimens(dfd, ts) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set times of %s", *rel ? rel : ".");
    return 0;
}

int
tree_copy(const char *src, const char *dst, dctl_error_t *err)
{
    cleanup_close int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct tree_copy tc = { .dstroot = dfd, .inodes = INODES_INIT };
    int rc;

    if (sfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", src);
    if (dfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", dst);
    rc = tree_copy_dir(&tc, sfd, dfd, "", err);
    inodes_fini(&tc.inodes);
    if (rc < 0)
        return dctl_error_prefix(err, "copy %s to %s", src, dst);
    return 0;
}
