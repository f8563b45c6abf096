/* lib/file.c - whole-file reads, atomic writes, mkdir -p, disk usage. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "inodes.h"
#include "util.h"
#include "xmalloc.h"

static int
file_write(int dirfd, const char *name, const void *data, size_t len, mode_t mode, bool sync,
           dctl_error_t *err)
{
    static unsigned long counter;
    /* unique per call: two threads writing the same file must not share a temp file */
    unsigned long seq = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    const char *slash = strrchr(name, '/');
    cleanup_free char *tmp =
        slash ? xasprintf("%.*s/.%s.tmp-%d-%lu", (int)(slash - name), name, slash + 1,
                          (int)getpid(), seq)
              : xasprintf(".%s.tmp-%d-%lu", name, (int)getpid(), seq);
    cleanup_close int fd = -1;
    const char *p = data;
    size_t off = 0;

    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create %s", name);
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            unlinkat(dirfd, tmp, 0);
            return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "write %s", name);
        }
        off += (size_t)n;
    }
    if ((sync && fsync(fd) < 0) || renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "commit %s", name);
    }
    if (!sync)
        return 0;
    if (slash || dirfd == AT_FDCWD) {
        cleanup_free char *dir = slash ? xstrndup(name, (size_t)(slash - name)) : xstrdup(".");
        cleanup_close int dfd = openat(dirfd, *dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd >= 0)
            fsync(dfd);
    } else {
        fsync(dirfd);
    }
    return 0;
}

int
file_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                  dctl_error_t *err)
{
    return file_write(dirfd, name, data, len, mode, true, err);
}

int
file_write_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                   dctl_error_t *err)
{
    return file_write(dirfd, name, data, len, mode, false, err);
}

char *
file_read_all(int dirfd, const char *name, size_t *len, dctl_error_t *err)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    cleanup_free char *buf = NULL;
    size_t used = 0, cap = 0;
    ssize_t n;

    if (fd < 0) {
        dctl_error_set(err, errno == ENOENT ? DCTL_ERR_NOT_FOUND : DCTL_ERR_INTERNAL, errno,
                       "open %s", name);
        return NULL;
    }
    for (;;) {
        if (cap - used < 4096) {
            cap = cap ? cap * 2 : 4096;
            buf = xrealloc(buf, cap + 1);
        }
        n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", name);
            return NULL;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (buf == NULL)
        buf = xmalloc(1);
    buf[used] = '\0';
    if (len)
        *len = used;
    return steal_ptr(&buf);
}

int
file_mkdir_p(const char *path, mode_t mode, dctl_error_t *err)
{
    cleanup_free char *p = NULL;
    struct stat st;
    char *s;

    if (path == NULL || *path == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "mkdir: empty path");
    p = xstrdup(path);
    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "mkdir %s", p);
        *s = '/';
    }
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "mkdir %s", p);
    /* EEXIST also means "a file is in the way" */
    if (stat(p, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", p);
    if (!S_ISDIR(st.st_mode))
        return dctl_error_set(err, DCTL_ERR_INTERNAL, ENOTDIR, "mkdir %s", p);
    return 0;
}

/* ---- disk usage -------------------------------------------------------- */

struct file_usage_walk {
    dev_t dev;          /* of the top: other file systems are not entered */
    struct inodes seen;  /* files with nlink > 1, counted once */
    int64_t bytes;
};

static void
file_usage_add(struct file_usage_walk *w, const struct stat *st)
{
    if (st->st_nlink > 1 && inodes_add(&w->seen, st, NULL))
        return;
    w->bytes += st->st_size;
}

static int
file_usage_dir(struct file_usage_walk *w, int dirfd, const char *path, dctl_error_t *err)
{
    DIR *dir = fdopendir(dirfd);
    struct dirent *de;
    int rc = 0;

    if (dir == NULL) {
        close(dirfd);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", path);
    }
    while (rc == 0 && (errno = 0, de = readdir(dir)) != NULL) {
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT)
                continue;   /* removed while we walk */
            rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s/%s", path, de->d_name);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            cleanup_free char *sub = NULL;
            int fd;

            if (st.st_dev != w->dev)
                continue;
            fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                if (errno == ENOENT)
                    continue;
                rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s/%s", path,
                                    de->d_name);
                break;
            }
            sub = xasprintf("%s/%s", path, de->d_name);
            rc = file_usage_dir(w, fd, sub, err);
            continue;
        }
        file_usage_add(w, &st);
    }
    if (rc == 0 && errno != 0)
        rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", path);
    closedir(dir);
    return rc;
}

int
file_usage(const char *path, int64_t *bytes, dctl_error_t *err)
{
    struct file_usage_walk w = { 0 };
    struct stat st;
    int fd, rc;

    if (lstat(path, &st) < 0)
        return dctl_error_set(err, errno == ENOENT ? DCTL_ERR_NOT_FOUND : DCTL_ERR_INTERNAL,
                              errno, "stat %s", path);
    if (!S_ISDIR(st.st_mode)) {
        *bytes = st.st_size;
        return 0;
    }
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
    w.dev = st.st_dev;
    rc = file_usage_dir(&w, fd, path, err);
    inodes_fini(&w.seen);
    if (rc == 0)
        *bytes = w.bytes;
    return rc;
}
