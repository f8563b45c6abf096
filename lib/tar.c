/* lib/tar.c - applying layer tar streams beneath a root without ever leaving
 * it, and writing deterministic layer tar streams (full, overlay diff, change
 * list). See tar.h for the contract.
 *
 * Path safety: an entry name is cleaned and refused when absolute or holding a
 * `..` component; its parent directory is then resolved beneath the root, with
 * openat2(RESOLVE_BENEATH) where the kernel has it and otherwise with a
 * component walk that reads every symlink itself (O_NOFOLLOW) and refuses one
 * that is absolute or climbs above the root. The last component is never
 * followed: whatever is there is replaced (a directory over a directory is
 * kept, as Docker does). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "archivelib.h"
#include "inodes.h"
#include "tar.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

#define TAR_WH_PREFIX ".wh."
#define TAR_WH_META_PREFIX ".wh..wh."
#define TAR_WH_OPAQUE ".wh..wh..opq"
#define TAR_OVERLAY_OPAQUE "trusted.overlay.opaque"
#define TAR_MAX_SYMLINKS 40

static bool tar_use_openat2 = true;

void
tar_set_openat2(bool use)
{
    tar_use_openat2 = use;
}

/* ---- entry names --------------------------------------------------------- */

/* Cleans a tar entry name into a relative path without "." or empty components
 * ("" is the root). Refuses absolute names, `..` components, and names too long
 * for the filesystem. */
static char *
tar_clean_name(const char *raw, dctl_error_t *err)
{
    size_t len = strlen(raw), o = 0;
    const char *p = raw;
    char *out;

    if (len == 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "empty name");
        return NULL;
    }
    if (raw[0] == '/') {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "absolute path outside the layer root");
        return NULL;
    }
    if (len >= PATH_MAX) {
        dctl_error_set(err, DCTL_ERR_INVALID, ENAMETOOLONG, "name too long");
        return NULL;
    }
    out = xmalloc(len + 1);
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.') {
            free(out);
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "\"..\" leads outside the layer root");
            return NULL;
        }
        if (n > NAME_MAX) {
            free(out);
            dctl_error_set(err, DCTL_ERR_INVALID, ENAMETOOLONG, "name too long");
            return NULL;
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (o)
                out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    out[o] = '\0';
    return out;
}

/* Splits clean path into its directory ("" for the root) and last component. */
static void
tar_split(const char *path, char **dir, const char **base)
{
    const char *slash = strrchr(path, '/');

    if (slash) {
        *dir = xstrndup(path, slash - path);
        *base = slash + 1;
    } else {
        *dir = xstrdup("");
        *base = path;
    }
}

/* ---- resolving beneath the root ------------------------------------------ */

static int
tar_escape_error(dctl_error_t *err)
{
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "path leads outside the layer root through a symlink");
}

static long
tar_openat2(int dirfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = flags,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };

    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* openat2 flavour: opens each prefix of dir from the root, creating what is
 * missing. Returns an O_PATH fd, -1 with *err, or -2 when openat2 is missing. */
static int
tar_resolve_openat2(int root, const char *dir, bool create, dctl_error_t *err)
{
    size_t len = strlen(dir), i;
    cleanup_free char *prefix = xstrdup(dir);
    int fd, prev = -1;

    fd = tar_openat2(root, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ENOSYS)
        return -2;
    if (errno != ENOENT || !create)
        goto fail;

    prev = fcntl(root, F_DUPFD_CLOEXEC, 0);
    for (i = 0; i <= len; i++) {
        const char *comp;
        int tries;

        if (dir[i] != '/' && dir[i] != '\0')
            continue;
        prefix[i] = '\0';
        comp = strrchr(prefix, '/');
        comp = comp ? comp + 1 : prefix;
        for (tries = 0; tries < 2; tries++) {
            fd = tar_openat2(root, prefix, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0 || errno != ENOENT || tries == 1)
                break;
            if (mkdirat(prev, comp, 0755) < 0 && errno != EEXIST) {
                close(prev);
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create directory %s",
                                      prefix);
            }
        }
        prefix[i] = dir[i];
        if (fd < 0) {
            int e = errno;

            close(prev);
            errno = e;
            goto fail;
        }
        close(prev);
        prev = fd;
    }
    return prev;

fail:
    if (errno == EXDEV || errno == ELOOP)
        return tar_escape_error(err);
    if (errno == ENOTDIR)
        return dctl_error_set(err, DCTL_ERR_INVALID, ENOTDIR, "parent is not a directory");
    return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open parent directory");
}

/* Portable flavour: walks dir one component at a time from the root with
 * O_NOFOLLOW, expanding relative symlinks itself. */
static int
tar_resolve_walk(int root, const char *dir, bool create, dctl_error_t *err)
{
    int *stack = NULL;
    size_t depth = 0, cap = 0, i;
    char *rest = xstrdup(dir);
    unsigned int links = 0;
    int rc = -1, fd;

    stack = xrealloc(stack, (cap = 16) * sizeof *stack);
    stack[depth++] = fcntl(root, F_DUPFD_CLOEXEC, 0);
    while (*rest) {
        size_t n = strcspn(rest, "/");
        char comp[NAME_MAX + 1];
        struct stat st;
        char *tail;

        if (n > NAME_MAX) {
            dctl_error_set(err, DCTL_ERR_INVALID, ENAMETOOLONG, "name too long");
            goto out;
        }
        memcpy(comp, rest, n);
        comp[n] = '\0';
        tail = xstrdup(rest[n] ? rest + n + 1 : "");
        free(rest);
        rest = tail;
        if (n == 0 || strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            if (depth == 1) {
                tar_escape_error(err);
                goto out;
            }
            close(stack[--depth]);
            continue;
        }
        if (fstatat(stack[depth - 1], comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT || !create) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open parent directory");
                goto out;
            }
            if (mkdirat(stack[depth - 1], comp, 0755) < 0) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create directory %s", comp);
                goto out;
            }
            st.st_mode = S_IFDIR;
        }
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t len;

            if (++links > TAR_MAX_SYMLINKS) {
                dctl_error_set(err, DCTL_ERR_INVALID, ELOOP, "too many symlinks");
                goto out;
            }
            len = readlinkat(stack[depth - 1], comp, target, sizeof target - 1);
            if (len < 0) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read symlink %s", comp);
                goto out;
            }
            target[len] = '\0';
            if (target[0] == '/') {
                tar_escape_error(err);
                goto out;
            }
            tail = xasprintf("%s/%s", target, rest);
            free(rest);
            rest = tail;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            dctl_error_set(err, DCTL_ERR_INVALID, ENOTDIR, "parent is not a directory");
            goto out;
        }
        fd = openat(stack[depth - 1], comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open directory %s", comp);
            goto out;
        }
        if (depth == cap)
            stack = xrealloc(stack, (cap *= 2) * sizeof *stack);
        stack[depth++] = fd;
    }
    rc = stack[--depth];
out:
    for (i = 0; i < depth; i++)
        close(stack[i]);
    free(stack);
    free(rest);
    return rc;
}

/* An O_PATH fd for directory dir (clean, relative) beneath root; missing
 * components are created when create is set. */
static int
tar_resolve_dir(int root, const char *dir, bool create, dctl_error_t *err)
{
    if (*dir == '\0')
        return fcntl(root, F_DUPFD_CLOEXEC, 0);
    if (tar_use_openat2) {
        int fd = tar_resolve_openat2(root, dir, create, err);

        if (fd != -2)
            return fd;
        tar_use_openat2 = false; /* ENOSYS: this kernel never will */
    }
    return tar_resolve_walk(root, dir, create, err);
}

/* ---- applying ------------------------------------------------------------ */

struct tar_dir_time {
    char *path;
    struct timespec ts[2];
};

struct tar_apply {
    struct archive *a;
    int root;
    enum tar_whiteout whiteout;
    int64_t size;
    void *written; /* tsearch tree of paths this layer wrote (and their parents) */
    struct tar_dir_time *dirs;
    size_t ndirs, capdirs;
};

static int
tar_str_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void
tar_mark_written(struct tar_apply *t, const char *path)
{
    char *copy = xstrdup(path), *slash;

    for (;;) {
        void **node = tsearch(copy, &t->written, tar_str_cmp);

        if (*node != copy) { /* already there: so are its parents */
            free(copy);
            return;
        }
        slash = strrchr(copy, '/');
        if (slash == NULL)
            return;
        copy = xstrndup(copy, slash - copy);
    }
}

static bool
tar_was_written(struct tar_apply *t, const char *path)
{
    return tfind(path, &t->written, tar_str_cmp) != NULL;
}

/* Removes every child of dir (parent fd pfd) that this layer did not write. */
static int
tar_opaque_delete(struct tar_apply *t, int dirfd, const char *dir, dctl_error_t *err)
{
    char **names = tree_list(dirfd, NULL, err);
    size_t i;
    int rc = 0;

    if (names == NULL)
        return -1;
    for (i = 0; names[i] && rc == 0; i++) {
        cleanup_free char *child = *dir ? xasprintf("%s/%s", dir, names[i]) : xstrdup(names[i]);

        if (!tar_was_written(t, child))
            rc = tree_remove_at(dirfd, names[i], err);
    }
    tree_names_free(names);
    return rc;
}

static int
tar_apply_whiteout(struct tar_apply *t, int pfd, const char *dir, const char *base,
                   struct archive_entry *e, dctl_error_t *err)
{
    const char *victim = base + strlen(TAR_WH_PREFIX);

    if (strcmp(base, TAR_WH_OPAQUE) == 0) {
        if (t->whiteout == TAR_WHITEOUT_DELETE)
            return tar_opaque_delete(t, pfd, dir, err);
        if (tree_xattr_set(pfd, NULL, TAR_OVERLAY_OPAQUE, "y", 1) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set %s", TAR_OVERLAY_OPAQUE);
        return 0;
    }
    if (*victim == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "whiteout of an invalid name");
    if (tree_remove_at(pfd, victim, err) < 0)
        return -1;
    if (t->whiteout == TAR_WHITEOUT_DELETE)
        return 0;
    if (mknodat(pfd, victim, S_IFCHR | 0, makedev(0, 0)) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create whiteout %s", victim);
    if (fchownat(pfd, victim, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) <
        0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown whiteout %s", victim);
    return 0;
}

static int
tar_set_xattrs(int pfd, const char *name, struct archive_entry *e, dctl_error_t *err)
{
    const char *key;
    const void *value;
    size_t size;

    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
        /* overlayfs reads these from the upper directory: never from a layer. */
        if (util_has_prefix(key, "trusted.overlay."))
            continue;
        if (tree_xattr_set(pfd, name, key, value, size) < 0 && errno != ENOTSUP)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set xattr %s", key);
    }
    return 0;
}

static int
tar_write_file(struct tar_apply *t, int pfd, const char *name, struct archive_entry *e,
               dctl_error_t *err)
{
    cleanup_close int fd =
        openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    const void *buf;
    size_t len;
    la_int64_t off, end = 0;
    int r;

    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create file");
    while ((r = archive_read_data_block(t->a, &buf, &len, &off)) == ARCHIVE_OK) {
        const char *p = buf;

        while (len > 0) {
            ssize_t w = pwrite(fd, p, len, off);

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write file");
            p += w;
            off += w;
            len -= w;
        }
        if (off > end)
            end = off;
    }
    if (r != ARCHIVE_EOF)
        return dctl_error_set(err, DCTL_ERR_INVALID, archive_errno(t->a), "read content: %s",
                              archive_error_string(t->a));
    /* a trailing hole (sparse entry) or nothing written: set the size */
    if (end != archive_entry_size(e) && ftruncate(fd, archive_entry_size(e)) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "size file");
    if (fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown");
    if (fchmod(fd, archive_entry_mode(e) & 07777) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chmod");
    t->size += archive_entry_size(e);
    return 0;
}

static int
tar_apply_hardlink(struct tar_apply *t, int pfd, const char *name, const char *target,
                   dctl_error_t *err)
{
    cleanup_free char *clean = NULL;
    cleanup_free char *tdir = NULL;
    cleanup_close int tfd = -1;
    const char *tbase;
    struct stat st;

    clean = tar_clean_name(target, err);
    if (clean == NULL)
        return dctl_error_prefix(err, "hardlink target \"%s\"", target);
    if (*clean == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "hardlink to the layer root");
    tar_split(clean, &tdir, &tbase);
    tfd = tar_resolve_dir(t->root, tdir, false, err);
    if (tfd < 0)
        return dctl_error_prefix(err, "hardlink target \"%s\"", target);
    if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, errno, "hardlink target \"%s\"", target);
    if (S_ISDIR(st.st_mode))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "hardlink to a directory");
    if (linkat(tfd, tbase, pfd, name, 0) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "link to \"%s\"", target);
    return 0;
}

static int
tar_apply_entry(struct tar_apply *t, struct archive_entry *e, const char *path,
                dctl_error_t *err)
{
    cleanup_free char *dir = NULL;
    cleanup_close int pfd = -1;
    const char *base, *hardlink = archive_entry_hardlink(e);
    mode_t type = archive_entry_filetype(e), mode = archive_entry_mode(e) & 07777;
    struct stat st;
    struct timespec ts[2];
    bool keep_dir = false;

    tar_split(path, &dir, &base);
    pfd = tar_resolve_dir(t->root, dir, true, err);
    if (pfd < 0)
        return -1;

    if (util_has_prefix(base, TAR_WH_PREFIX)) {
        if (util_has_prefix(base, TAR_WH_META_PREFIX) && strcmp(base, TAR_WH_OPAQUE) != 0)
            return 0; /* AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not content */
        return tar_apply_whiteout(t, pfd, dir, base, e, err);
    }

    if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode) && type == AE_IFDIR && hardlink == NULL)
            keep_dir = true;
        else if (tree_remove_at(pfd, base, err) < 0)
            return -1;
    }
    tar_mark_written(t, path);

    if (hardlink)
        return tar_apply_hardlink(t, pfd, base, hardlink, err);

    switch (type) {
    case AE_IFREG:
        if (tar_write_file(t, pfd, base, e, err) < 0)
            return -1;
        break;
    case AE_IFDIR:
        if (!keep_dir && mkdirat(pfd, base, 0700) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create directory");
        break;
    case AE_IFLNK:
        if (symlinkat(archive_entry_symlink(e), pfd, base) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create symlink");
        break;
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
        if (mknodat(pfd, base, type | mode, archive_entry_rdev(e)) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create node");
        break;
    default:
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unsupported entry type 0%o", type);
    }

    /* Owner before mode (chown clears setuid), mode before xattrs (chown and
     * chmod clear security.capability), times last. */
    if (type != AE_IFREG) {
        if (fchownat(pfd, base, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) <
            0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown");
        if (type != AE_IFLNK && fchmodat(pfd, base, mode, 0) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chmod");
    }
    if (tar_set_xattrs(pfd, base, e, err) < 0)
        return -1;
    ts[0].tv_sec = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
    ts[0].tv_nsec = archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e)
                                                  : archive_entry_mtime_nsec(e);
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (type == AE_IFDIR) { /* after its contents, at the end */
        if (t->ndirs == t->capdirs) {
            t->capdirs = t->capdirs ? t->capdirs * 2 : 64;
            t->dirs = xrealloc(t->dirs, t->capdirs * sizeof *t->dirs);
        }
        t->dirs[t->ndirs].path = xstrdup(path);
        memcpy(t->dirs[t->ndirs].ts, ts, sizeof ts);
        t->ndirs++;
        return 0;
    }
    if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set times");
    return 0;
}

static int
tar_apply_dir_times(struct tar_apply *t, dctl_error_t *err)
{
    size_t i;

    for (i = 0; i < t->ndirs; i++) {
        cleanup_free char *dir = NULL;
        cleanup_close int pfd = -1;
        const char *base;
        struct stat st;

        tar_split(t->dirs[i].path, &dir, &base);
        pfd = tar_resolve_dir(t->root, dir, false, err);
        if (pfd < 0) {
            /* A later entry may have replaced or whited it out. */
            dctl_error_clear(err);
            continue;
        }
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (utimensat(pfd, base, t->dirs[i].ts, AT_SYMLINK_NOFOLLOW) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set times of %s",
                                  t->dirs[i].path);
    }
    return 0;
}

int
tar_apply(int fd, const char *root, enum tar_whiteout whiteout, int64_t *size,
          dctl_error_t *err)
{
    struct tar_apply t = { .root = -1, .whiteout = whiteout };
    struct archive_entry *e;
    size_t i;
    int r, rc = -1;

    if (archivelib_load(err) < 0)
        return -1;
    t.root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (t.root < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open layer root %s", root);
    t.a = archive_read_new();
    archive_read_support_filter_all(t.a);
    archive_read_support_format_tar(t.a);
    archive_read_support_format_empty(t.a);
    if (archive_read_open_fd(t.a, fd, 128 * 1024) != ARCHIVE_OK) {
        dctl_error_set(err, DCTL_ERR_INVALID, archive_errno(t.a), "read layer: %s",
                       archive_error_string(t.a));
        goto out;
    }
    while ((r = archive_read_next_header(t.a, &e)) != ARCHIVE_EOF) {
        cleanup_free char *path = NULL;
        cleanup_free char *quoted = NULL;
        const char *name;

        if (r < ARCHIVE_WARN) {
            dctl_error_set(err, DCTL_ERR_INVALID, archive_errno(t.a), "read layer: %s",
                           archive_error_string(t.a));
            goto out;
        }
        name = archive_entry_pathname(e);
        if (name == NULL)
            name = "";
        quoted = util_quote(name);
        path = tar_clean_name(name, err);
        if (path == NULL) {
            dctl_error_prefix(err, "layer entry \"%s\"", quoted);
            goto out;
        }
        if (*path == '\0')
            continue; /* the root itself stays as the driver made it */
        if (tar_apply_entry(&t, e, path, err) < 0) {
            dctl_error_prefix(err, "layer entry \"%s\"", quoted);
            goto out;
        }
    }
    if (tar_apply_dir_times(&t, err) < 0)
        goto out;
    if (size)
        *size = t.size;
    rc = 0;
out:
    archive_read_free(t.a);
    close(t.root);
    tdestroy(t.written, free);
    for (i = 0; i < t.ndirs; i++)
        free(t.dirs[i].path);
    free(t.dirs);
    return rc;
}

/* ---- writing ------------------------------------------------------------- */

struct tar_writer {
    struct archive *a;
    int root;
    enum tar_write_mode mode;
    struct inodes inodes; /* files with nlink > 1 */
};

static int
tar_writer_open(struct tar_writer *w, int fd, const char *root, enum tar_write_mode mode,
                dctl_error_t *err)
{
    if (archivelib_load(err) < 0)
        return -1;
    memset(w, 0, sizeof *w);
    w->mode = mode;
    w->root = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w->root < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", root);
    w->a = archive_write_new();
    archive_write_set_format_pax_restricted(w->a);
    archive_write_add_filter_none(w->a);
    archive_write_set_bytes_in_last_block(w->a, 1);
    if (archive_write_open_fd(w->a, fd) != ARCHIVE_OK) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, archive_errno(w->a), "write tar: %s",
                       archive_error_string(w->a));
        archive_write_free(w->a);
        close(w->root);
        return -1;
    }
    return 0;
}

static int
tar_writer_close(struct tar_writer *w, int rc, dctl_error_t *err)
{
    if (rc == 0 && archive_write_close(w->a) != ARCHIVE_OK)
        rc = dctl_error_set(err, DCTL_ERR_INTERNAL, archive_errno(w->a), "write tar: %s",
                            archive_error_string(w->a));
    archive_write_free(w->a);
    close(w->root);
    inodes_fini(&w->inodes);
    return rc;
}

static int
tar_writer_header(struct tar_writer *w, struct archive_entry *e, const char *path,
                  dctl_error_t *err)
{
    if (archive_write_header(w->a, e) < ARCHIVE_WARN)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, archive_errno(w->a), "write %s: %s", path,
                              archive_error_string(w->a));
    return 0;
}

/* An empty regular file entry name carrying st's permissions, owner and mtime:
 * how whiteouts travel in a layer. */
static int
tar_write_marker(struct tar_writer *w, const char *name, const struct stat *st,
                 dctl_error_t *err)
{
    struct archive_entry *e = archive_entry_new();
    int rc;

    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, st ? st->st_mode & 0777 : 0);
    archive_entry_set_uid(e, st ? st->st_uid : 0);
    archive_entry_set_gid(e, st ? st->st_gid : 0);
    archive_entry_set_mtime(e, st ? st->st_mtim.tv_sec : 0, 0);
    archive_entry_set_size(e, 0);
    rc = tar_writer_header(w, e, name, err);
    archive_entry_free(e);
    return rc;
}

/* Writes dirfd/name (path relative to the root) as one entry. */
static int
tar_write_entry(struct tar_writer *w, int dirfd, const char *name, const char *path,
                const struct stat *st, dctl_error_t *err)
{
    struct archive_entry *e = archive_entry_new();
    struct tree_xattr *x;
    size_t nx = 0, i;
    bool data = false;
    int rc = -1;

    archive_entry_copy_stat(e, st);
    archive_entry_unset_atime(e);
    archive_entry_unset_ctime(e);
    archive_entry_unset_birthtime(e);
    archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
    archive_entry_set_ino(e, 0);
    archive_entry_set_dev(e, 0);
    archive_entry_set_nlink(e, 0);
    if (S_ISDIR(st->st_mode)) {
        cleanup_free char *slashed = xasprintf("%s/", path);

        archive_entry_set_pathname(e, slashed);
    } else {
        archive_entry_set_pathname(e, path);
    }

    if (S_ISLNK(st->st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);

        if (n < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "readlink %s", path);
            goto out;
        }
        target[n] = '\0';
        archive_entry_set_symlink(e, target);
    } else if (S_ISREG(st->st_mode)) {
        data = st->st_size > 0;
        if (st->st_nlink > 1) {
            const char *first = inodes_add(&w->inodes, st, path);

            if (first) {
                archive_entry_set_hardlink(e, first);
                archive_entry_set_size(e, 0);
                data = false;
            }
        }
    }

    x = tree_xattrs_get(dirfd, name, &nx, err);
    if (x == NULL && err && *err)
        goto out;
    for (i = 0; i < nx; i++) {
        if (util_has_prefix(x[i].name, "trusted.overlay.") ||
            strcmp(x[i].name, "security.selinux") == 0)
            continue;
        archive_entry_xattr_add_entry(e, x[i].name, x[i].value, x[i].size);
    }
    tree_xattrs_free(x, nx);

    if (tar_writer_header(w, e, path, err) < 0)
        goto out;
    if (data) {
        cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        char buf[65536];
        int64_t left = st->st_size;

        if (fd < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
            goto out;
        }
        while (left > 0) {
            ssize_t n = read(fd, buf, left < (int64_t)sizeof buf ? left : (int64_t)sizeof buf);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", path);
                goto out;
            }
            if (n == 0)
                break; /* shrank meanwhile: libarchive pads the entry */
            if (archive_write_data(w->a, buf, n) < 0) {
                dctl_error_set(err, DCTL_ERR_INTERNAL, archive_errno(w->a), "write %s: %s",
                               path, archive_error_string(w->a));
                goto out;
            }
            left -= n;
        }
    }
    rc = 0;
out:
    archive_entry_free(e);
    return rc;
}

static bool
tar_is_whiteout_dev(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

static int
tar_write_tree(struct tar_writer *w, int dirfd, const char *rel, dctl_error_t *err)
{
    char **names = tree_list(dirfd, NULL, err);
    size_t i;
    int rc = 0;

    if (names == NULL)
        return -1;
    for (i = 0; names[i] && rc == 0; i++) {
        cleanup_free char *path = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
        cleanup_close int sub = -1;
        struct stat st;
        char opq[2];

        if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", path);
            break;
        }
        if (w->mode == TAR_WRITE_OVERLAY_DIFF && tar_is_whiteout_dev(&st)) {
            cleanup_free char *wh = *rel ? xasprintf("%s/" TAR_WH_PREFIX "%s", rel, names[i])
                                         : xasprintf(TAR_WH_PREFIX "%s", names[i]);

            rc = tar_write_marker(w, wh, &st, err);
            continue;
        }
        rc = tar_write_entry(w, dirfd, names[i], path, &st, err);
        if (rc < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (w->mode == TAR_WRITE_OVERLAY_DIFF &&
            tree_xattr_read(dirfd, names[i], TAR_OVERLAY_OPAQUE, opq, sizeof opq) == 1 &&
            opq[0] == 'y') {
            cleanup_free char *marker = xasprintf("%s/" TAR_WH_OPAQUE, path);

            rc = tar_write_marker(w, marker, &st, err);
            if (rc < 0)
                break;
        }
        sub = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
            break;
        }
        rc = tar_write_tree(w, sub, path, err);
    }
    tree_names_free(names);
    return rc;
}

int
tar_write_dir(int fd, const char *root, enum tar_write_mode mode, dctl_error_t *err)
{
    struct tar_writer w;

    if (tar_writer_open(&w, fd, root, mode, err) < 0)
        return -1;
    return tar_writer_close(&w, tar_write_tree(&w, w.root, "", err), err);
}

int
tar_write_path(int fd, const char *dir, const char *name, const char *as, dctl_error_t *err)
{
    struct tar_writer w;
    struct stat st;
    int rc;

    if (tar_writer_open(&w, fd, dir, TAR_WRITE_FULL, err) < 0)
        return -1;
    if (fstatat(w.root, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        rc = dctl_error_set(err, DCTL_ERR_NOT_FOUND, errno, "stat %s", name);
    } else if (strcmp(as, ".") == 0 && S_ISDIR(st.st_mode)) {   /* the contents alone */
        cleanup_close int sub = openat(w.root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                         O_CLOEXEC);

        rc = sub < 0 ? dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", name)
                     : tar_write_tree(&w, sub, "", err);
    } else {
        rc = tar_write_entry(&w, w.root, name, as, &st, err);
        if (rc == 0 && S_ISDIR(st.st_mode)) {
            cleanup_close int sub = openat(w.root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                             O_CLOEXEC);

            rc = sub < 0 ? dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", name)
                         : tar_write_tree(&w, sub, as, err);
        }
    }
    return tar_writer_close(&w, rc, err);
}

int
tar_write_changes(int fd, const char *root, const struct changes *list, dctl_error_t *err)
{
    struct tar_writer w;
    size_t i;
    int rc = 0;

    if (tar_writer_open(&w, fd, root, TAR_WRITE_FULL, err) < 0)
        return -1;
    for (i = 0; i < list->n && rc == 0; i++) {
        const char *path = list->v[i].path;
        cleanup_free char *dir = NULL;
        cleanup_close int dfd = -1;
        const char *base;
        struct stat st;

        while (*path == '/')
            path++;
        if (*path == '\0')
            continue;
        tar_split(path, &dir, &base);
        if (list->v[i].kind == CHANGE_DELETE) {
            cleanup_free char *wh = *dir ? xasprintf("%s/" TAR_WH_PREFIX "%s", dir, base)
                                         : xasprintf(TAR_WH_PREFIX "%s", base);

            rc = tar_write_marker(&w, wh, NULL, err);
            continue;
        }
        dfd = *dir ? openat(w.root, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                   : fcntl(w.root, F_DUPFD_CLOEXEC, 0);
        if (dfd < 0 || fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", path);
            break;
        }
        rc = tar_write_entry(&w, dfd, base, path, &st, err);
    }
    return tar_writer_close(&w, rc, err);
}
