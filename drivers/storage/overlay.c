/* drivers/storage/overlay.c - the overlay storage driver, laid out as Docker's
 * overlay2. Owns STATE_DIR:
 *
 *   STATE_DIR/<id>/diff     the layer's own files (the overlay upper dir)
 *   STATE_DIR/<id>/link     the layer's short name, NAME below
 *   STATE_DIR/<id>/lower    "l/PARENT:l/GRANDPARENT:..." (absent for a base layer)
 *   STATE_DIR/<id>/work     overlay work dir       (layers with a parent)
 *   STATE_DIR/<id>/merged   mount point of get()   (layers with a parent)
 *   STATE_DIR/l/NAME        symlink to ../<id>/diff
 *
 * The short names keep lowerdir= strings small: when the absolute option
 * string would not fit the page mount(2) copies, the mount is made with paths
 * relative to STATE_DIR by a child process that chdirs there first (a chdir in
 * dctld would move every thread), so at least 125 stacked layers mount.
 * Mounts are made with mount(2), never /bin/mount. Diffs and changes are read
 * from the upper dir: whiteouts are 0/0 character devices, opaque directories
 * carry trusted.overlay.opaque=y.
 *
 * Every op that touches layers blocks and is meant for a worker job; a mutex
 * guards the get() table and the mounts, so ops may run on several workers. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dctl/driver.h>

#include "drivers/storage/mounts.h"
#include "lib/changes.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/tar.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define OVERLAY_LINK_DIR "l"
#define OVERLAY_LINK_LEN 26
#define OVERLAY_MAX_DEPTH 128 /* as Docker's overlay2 */

/* One driver instance; owned by dctld between init() and fini(). */
struct overlay {
    const struct dctl_host *host;
    char *home; /* STATE_DIR */
    int homefd;
    bool index_off; /* the kernel takes index=off: pass it, as Docker does */
    bool d_type;
    char backing[32];
    long pagesize;
    pthread_mutex_t lock; /* guards mounts and the mount points */
    struct mounts mounts;
    struct dctl_option status[6];
};

static void
overlay_log(struct overlay *o, enum dctl_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    o->host->log(o->host->host_priv, level, fmt, ap);
    va_end(ap);
}

/* Layer IDs are lower-case hex, optionally with Docker's "-init" suffix; so
 * they never clash with "l" or the probe's dot names. */
static bool
overlay_id_is_valid(const char *id)
{
    size_t n = id ? strspn(id, "0123456789abcdef") : 0;

    return n > 0 && n <= 128 && (id[n] == '\0' || strcmp(id + n, "-init") == 0);
}

static int
overlay_check_id(const char *id, dctl_error_t *err)
{
    if (!overlay_id_is_valid(id))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid layer id \"%s\"",
                              id ? id : "");
    return 0;
}

static bool
overlay_exists(void *priv, const char *id)
{
    struct overlay *o = priv;
    cleanup_free char *diff = NULL;
    struct stat st;

    if (!overlay_id_is_valid(id))
        return false;
    diff = xasprintf("%s/diff", id);
    return fstatat(o->homefd, diff, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int
overlay_need(struct overlay *o, const char *id, dctl_error_t *err)
{
    if (overlay_check_id(id, err) < 0)
        return -1;
    if (!overlay_exists(o, id))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer %s does not exist", id);
    return 0;
}

/* STATE_DIR/<id>/<name> contents without a trailing newline, or NULL with
 * errno ENOENT when absent. */
static char *
overlay_read(struct overlay *o, const char *id, const char *name, dctl_error_t *err)
{
    cleanup_free char *rel = xasprintf("%s/%s", id, name);
    dctl_error_t e = NULL;
    char *s = file_read_all(o->homefd, rel, NULL, &e);

    if (s == NULL) {
        if (e && e->errnum == ENOENT) {
            dctl_error_free(e);
            errno = ENOENT;
            return NULL;
        }
        if (err && *err == NULL)
            *err = e;
        else
            dctl_error_free(e);
        return NULL;
    }
    s[strcspn(s, "\n")] = '\0';
    return s;
}

/* ---- mounting ------------------------------------------------------------ */

/* mount(2) of an overlay at target with opts; with relative set, in a child
 * that first changes directory to STATE_DIR. Returns 0 or -1 with errno. */
static int
overlay_mount(struct overlay *o, const char *target, const char *opts, bool relative)
{
    pid_t pid;
    int status;

    if (!relative)
        return mount("overlay", target, "overlay", 0, opts);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (fchdir(o->homefd) < 0)
            _exit(errno);
        if (mount("overlay", target, "overlay", 0, opts) < 0)
            _exit(errno);
        _exit(0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    errno = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
    return -1;
}

static bool
overlay_supports_d_type(const char *dir)
{
    cleanup_free char *probe = xasprintf("%s/d_type", dir);
    DIR *d;
    struct dirent *de;
    bool ok = false;
    int fd = open(probe, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0)
        return false;
    close(fd);
    d = opendir(dir);
    while (d && (de = readdir(d)))
        if (strcmp(de->d_name, "d_type") == 0)
            ok = de->d_type != DT_UNKNOWN;
    if (d)
        closedir(d);
    unlink(probe);
    return ok;
}

static const char *
overlay_fs_name(long type)
{
    static const struct { long magic; const char *name; } names[] = {
        { 0xEF53, "extfs" },     { 0x58465342, "xfs" },      { 0x9123683E, "btrfs" },
        { 0x01021994, "tmpfs" }, { 0x794c7630, "overlayfs" }, { 0x2fc12fc1, "zfs" },
        { 0xF2F52010, "f2fs" },  { 0x6969, "nfs" },          { 0x858458f6, "ramfs" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].magic == type)
            return names[i].name;
    return "<unknown>";
}

/* Mounts a two-layer overlay in a scratch directory of STATE_DIR: can this
 * kernel, on this filesystem, do what the driver needs? */
static int
overlay_probe(struct overlay *o, dctl_error_t *err)
{
    cleanup_free char *dir = xasprintf("%s/.probe-XXXXXX", o->home);
    cleanup_free char *opts = NULL;
    static const char *const subdirs[] = { "l1", "l2", "upper", "work", "merged" };
    char path[PATH_MAX];
    size_t i;
    int rc = -1, e = 0;
    dctl_error_t rm = NULL;

    if (mkdtemp(dir) == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "overlay: create %s", dir);
    for (i = 0; i < ARRAY_SIZE(subdirs); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
        if (mkdir(path, 0755) < 0) {
            dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "overlay: create %s", path);
            goto out;
        }
    }
    o->d_type = overlay_supports_d_type(dir);
    if (!o->d_type) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                       "overlay: the backing %s filesystem is formatted without d_type "
                       "support", o->backing);
        goto out;
    }
    snprintf(path, sizeof path, "%s/merged", dir);
    opts = xasprintf("lowerdir=%s/l2:%s/l1,upperdir=%s/upper,workdir=%s/work,index=off", dir,
                     dir, dir, dir);
    o->index_off = true;
    if (mount("overlay", path, "overlay", 0, opts) < 0) {
        opts[strlen(opts) - strlen(",index=off")] = '\0';
        o->index_off = false;
        if (mount("overlay", path, "overlay", 0, opts) < 0) {
            e = errno;
            dctl_error_set(err, DCTL_ERR_UNAVAILABLE, e,
                           "overlay: cannot mount an overlay on %s (%s filesystem)", o->home,
                           o->backing);
            goto out;
        }
    }
    umount2(path, MNT_DETACH);
    rc = 0;
out:
    if (tree_remove(dir, &rm) < 0) {
        overlay_log(o, DCTL_LOG_WARN, "remove %s: %s", dir, rm->msg);
        dctl_error_free(rm);
    }
    return rc;
}

/* ---- init ---------------------------------------------------------------- */

static int
overlay_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
             dctl_error_t *err)
{
    struct overlay *o;
    struct statfs sfs;

    if (options && options->key) /* overlay takes no options yet */
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "overlay: unknown option %s",
                              options->key);
    o = xcalloc(1, sizeof *o);
    o->host = host;
    o->home = xstrdup(host->state_dir);
    o->homefd = open(o->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    o->pagesize = sysconf(_SC_PAGESIZE);
    pthread_mutex_init(&o->lock, NULL);
    *priv = NULL;
    if (o->homefd < 0) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "overlay: open %s", o->home);
        goto fail;
    }
    if (fstatfs(o->homefd, &sfs) < 0) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "overlay: statfs %s", o->home);
        goto fail;
    }
    snprintf(o->backing, sizeof o->backing, "%s", overlay_fs_name(sfs.f_type));
    if (strcmp(o->backing, "overlayfs") == 0) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                       "overlay: %s is itself on overlayfs, which cannot hold upper dirs",
                       o->home);
        goto fail;
    }
    if (mkdirat(o->homefd, OVERLAY_LINK_DIR, 0700) < 0 && errno != EEXIST) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "overlay: create %s/l", o->home);
        goto fail;
    }
    if (overlay_probe(o, err) < 0)
        goto fail;
    o->status[0] = (struct dctl_option){ "Backing Filesystem", o->backing };
    o->status[1] = (struct dctl_option){ "Supports d_type", o->d_type ? "true" : "false" };
    o->status[2] = (struct dctl_option){ "Using metacopy", "false" };
    o->status[3] = (struct dctl_option){ "Native Overlay Diff", "true" };
    o->status[4] = (struct dctl_option){ "userxattr", "false" };
    o->status[5] = (struct dctl_option){ NULL, NULL };
    overlay_log(o, DCTL_LOG_DEBUG, "backing filesystem %s, index=off %s", o->backing,
                o->index_off ? "supported" : "unsupported");
    *priv = o;
    return 0;
fail:
    if (o->homefd >= 0)
        close(o->homefd);
    pthread_mutex_destroy(&o->lock);
    free(o->home);
    free(o);
    return -1;
}

static const struct dctl_option *
overlay_status(void *priv)
{
    struct overlay *o = priv;

    return o->status;
}

/* ---- layers -------------------------------------------------------------- */

static void
overlay_short_name(char *buf)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; /* base32 */
    unsigned char rnd[OVERLAY_LINK_LEN];
    size_t i;

    if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
        abort(); /* the kernel always has entropy for this once booted */
    for (i = 0; i < OVERLAY_LINK_LEN; i++)
        buf[i] = alphabet[rnd[i] % 32];
    buf[OVERLAY_LINK_LEN] = '\0';
}

static int
overlay_remove_dir(struct overlay *o, const char *id)
{
    cleanup_free char *merged = xasprintf("%s/%s/merged", o->home, id);
    cleanup_free char *link = overlay_read(o, id, "link", NULL);
    dctl_error_t err = NULL;

    /* A mount left by a crash would stop the removal (tree_remove does not
     * cross into mounts): lift it first. */
    umount2(merged, MNT_DETACH);
    if (link && strlen(link) == OVERLAY_LINK_LEN && strchr(link, '/') == NULL) {
        cleanup_free char *rel = xasprintf(OVERLAY_LINK_DIR "/%s", link);

        unlinkat(o->homefd, rel, 0);
    }
    if (tree_remove_at(o->homefd, id, &err) < 0) {
        overlay_log(o, DCTL_LOG_WARN, "remove layer %s: %s", id, err->msg);
        dctl_error_free(err);
        return -1;
    }
    return 0;
}

static int
overlay_create(void *priv, const char *id, const char *parent, dctl_error_t *err)
{
    struct overlay *o = priv;
    cleanup_free char *plink = NULL;
    cleanup_free char *plower = NULL;
    cleanup_free char *lower = NULL;
    cleanup_close int dfd = -1;
    char link[OVERLAY_LINK_LEN + 1];
    char lpath[sizeof OVERLAY_LINK_DIR + OVERLAY_LINK_LEN + 1];
    cleanup_free char *target = NULL;
    size_t depth = 0;
    const char *p;

    if (overlay_check_id(id, err) < 0 || (parent && overlay_check_id(parent, err) < 0))
        return -1;
    if (faccessat(o->homefd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "layer %s already exists", id);
    if (parent) {
        if (!overlay_exists(o, parent))
            return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "parent layer %s does not exist",
                                  parent);
        plink = overlay_read(o, parent, "link", err);
        if (plink == NULL)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read link of %s", parent);
        plower = overlay_read(o, parent, "lower", err);
        if (plower == NULL && errno != ENOENT)
            return -1;
        lower = plower ? xasprintf(OVERLAY_LINK_DIR "/%s:%s", plink, plower)
                       : xasprintf(OVERLAY_LINK_DIR "/%s", plink);
        for (p = lower, depth = 1; (p = strchr(p, ':')); p++)
            depth++;
        if (depth >= OVERLAY_MAX_DEPTH)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "max depth exceeded");
    }

    if (mkdirat(o->homefd, id, 0700) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create layer %s", id);
    dfd = openat(o->homefd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || mkdirat(dfd, "diff", 0755) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create layer %s", id);
        goto fail;
    }
    overlay_short_name(link);
    snprintf(lpath, sizeof lpath, OVERLAY_LINK_DIR "/%s", link);
    target = xasprintf("../%s/diff", id);
    if (symlinkat(target, o->homefd, lpath) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create link for layer %s", id);
        goto fail;
    }
    if (file_write_atomic(dfd, "link", link, strlen(link), 0644, err) < 0)
        goto fail;
    if (parent) {
        if (mkdirat(dfd, "work", 0700) < 0 || mkdirat(dfd, "merged", 0700) < 0) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create layer %s", id);
            goto fail;
        }
        if (file_write_atomic(dfd, "lower", lower, strlen(lower), 0644, err) < 0)
            goto fail;
    }
    overlay_log(o, DCTL_LOG_DEBUG, "created layer %s (l/%s) on %s", id, link,
                parent ? parent : "nothing");
    return 0;
fail:
    overlay_remove_dir(o, id);
    return dctl_error_prefix(err, "create layer %s", id);
}

static int
overlay_remove(void *priv, const char *id, dctl_error_t *err)
{
    struct overlay *o = priv;
    struct mounts_entry *e;

    if (overlay_check_id(id, err) < 0)
        return -1;
    pthread_mutex_lock(&o->lock);
    e = mounts_find(&o->mounts, id);
    if (e) {
        overlay_log(o, DCTL_LOG_WARN, "removing layer %s while it is in use (%u)", id, e->count);
        mounts_drop(&o->mounts, e);
    }
    if (faccessat(o->homefd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
        overlay_remove_dir(o, id) < 0) {
        pthread_mutex_unlock(&o->lock);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "remove layer %s", id);
    }
    pthread_mutex_unlock(&o->lock);
    return 0;
}

/* The layer's lower directories as paths, nearest first (*n of them); NULL
 * with *n == 0 for a base layer. */
static char **
overlay_lowers(struct overlay *o, const char *id, size_t *n, dctl_error_t *err)
{
    cleanup_free char *lower = overlay_read(o, id, "lower", err);
    char **v = NULL, *save = NULL, *tok;
    size_t count = 0;

    *n = 0;
    if (lower == NULL)
        return NULL;
    for (tok = strtok_r(lower, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        v = xrealloc(v, (count + 2) * sizeof *v);
        v[count++] = xasprintf("%s/%s", o->home, tok);
    }
    if (v)
        v[count] = NULL;
    *n = count;
    return v;
}

static void
overlay_lowers_free(char **v)
{
    tree_names_free(v);
}

/* The mount options for id: absolute paths when they fit the page mount(2)
 * copies, else relative to STATE_DIR (*relative set). NULL with *err when even
 * those do not fit. */
static char *
overlay_mount_opts(struct overlay *o, const char *id, const char *lower, bool *relative,
                   dctl_error_t *err)
{
    const char *index = o->index_off ? ",index=off" : "";
    cleanup_free char *copy = xstrdup(lower);
    char *abs = xstrdup(""), *save = NULL, *tok, *opts;

    for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        char *next = xasprintf("%s%s%s/%s", abs, *abs ? ":" : "", o->home, tok);

        free(abs);
        abs = next;
    }
    opts = xasprintf("lowerdir=%s,upperdir=%s/%s/diff,workdir=%s/%s/work%s", abs, o->home, id,
                     o->home, id, index);
    free(abs);
    *relative = false;
    if ((long)strlen(opts) < o->pagesize)
        return opts;
    free(opts);
    opts = xasprintf("lowerdir=%s,upperdir=%s/diff,workdir=%s/work%s", lower, id, id, index);
    *relative = true;
    if ((long)strlen(opts) < o->pagesize)
        return opts;
    dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "cannot mount layer, mount label too large %zu",
                   strlen(opts));
    free(opts);
    return NULL;
}

static int
overlay_get(void *priv, const char *id, const char **path, dctl_error_t *err)
{
    struct overlay *o = priv;
    struct mounts_entry *e;
    cleanup_free char *lower = NULL;
    cleanup_free char *opts = NULL;
    cleanup_free char *target = NULL;
    bool relative = false;

    if (overlay_need(o, id, err) < 0)
        return -1;
    /* Written once by create(), never changed: safe to read unlocked. */
    lower = overlay_read(o, id, "lower", err);
    if (lower == NULL && errno != ENOENT)
        return dctl_error_prefix(err, "mount layer %s", id);
    pthread_mutex_lock(&o->lock);
    e = mounts_find(&o->mounts, id);
    if (e) {
        e->count++;
        *path = e->path;
        pthread_mutex_unlock(&o->lock);
        return 0;
    }
    if (lower == NULL) {
        /* A base layer is its diff directory: nothing to mount (as Docker). */
        e = mounts_add(&o->mounts, id, xasprintf("%s/%s/diff", o->home, id), false);
        *path = e->path;
        pthread_mutex_unlock(&o->lock);
        return 0;
    }
    opts = overlay_mount_opts(o, id, lower, &relative, err);
    if (opts == NULL) {
        pthread_mutex_unlock(&o->lock);
        return -1;
    }
    target = relative ? xasprintf("%s/merged", id) : xasprintf("%s/%s/merged", o->home, id);
    if (overlay_mount(o, target, opts, relative) < 0) {
        int e2 = errno;

        pthread_mutex_unlock(&o->lock);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, e2,
                              "error creating overlay mount to %s/%s/merged", o->home, id);
    }
    e = mounts_add(&o->mounts, id, xasprintf("%s/%s/merged", o->home, id), true);
    *path = e->path;
    pthread_mutex_unlock(&o->lock);
    overlay_log(o, DCTL_LOG_DEBUG, "mounted layer %s%s", id,
                relative ? " (lowerdirs relative to the state dir)" : "");
    return 0;
}

static int
overlay_put(void *priv, const char *id, dctl_error_t *err)
{
    struct overlay *o = priv;
    struct mounts_entry *e;
    int rc = 0;

    pthread_mutex_lock(&o->lock);
    e = mounts_find(&o->mounts, id ? id : "");
    if (e == NULL) {
        pthread_mutex_unlock(&o->lock);
        overlay_log(o, DCTL_LOG_DEBUG, "put of layer %s without get", id ? id : "");
        return 0;
    }
    if (--e->count == 0) {
        if (e->mounted && umount2(e->path, MNT_DETACH) < 0 && errno != EINVAL)
            rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "unmount layer %s", id);
        mounts_drop(&o->mounts, e);
    }
    pthread_mutex_unlock(&o->lock);
    return rc;
}

static int
overlay_apply_diff(void *priv, const char *id, const char *parent, int fd, int64_t *size,
                   dctl_error_t *err)
{
    struct overlay *o = priv;
    cleanup_free char *diff = NULL;

    if (overlay_need(o, id, err) < 0)
        return -1;
    diff = xasprintf("%s/%s/diff", o->home, id);
    if (tar_apply(fd, diff, TAR_WHITEOUT_OVERLAY, size, err) < 0)
        return dctl_error_prefix(err, "apply layer %s", id);
    return 0;
}

/* Is parent the layer right below id (NULL: is id a base layer)? */
static bool
overlay_is_parent(struct overlay *o, const char *id, const char *parent)
{
    cleanup_free char *lower = overlay_read(o, id, "lower", NULL);
    cleanup_free char *plink = NULL;
    size_t n;

    if (parent == NULL)
        return lower == NULL;
    if (lower == NULL)
        return false;
    plink = overlay_read(o, parent, "link", NULL);
    if (plink == NULL)
        return false;
    n = strlen(OVERLAY_LINK_DIR "/");
    return strncmp(lower, OVERLAY_LINK_DIR "/", n) == 0 &&
           strncmp(lower + n, plink, strlen(plink)) == 0 &&
           (lower[n + strlen(plink)] == ':' || lower[n + strlen(plink)] == '\0');
}

/* Changes of id against an arbitrary parent: compare the mounted trees. */
static int
overlay_naive_changes(struct overlay *o, const char *id, const char *parent,
                      struct changes *ch, const char **path, dctl_error_t *err)
{
    const char *ppath = NULL;
    int rc;

    if (overlay_get(o, id, path, err) < 0)
        return -1;
    if (parent && overlay_get(o, parent, &ppath, err) < 0) {
        overlay_put(o, id, NULL);
        *path = NULL;
        return -1;
    }
    rc = changes_dirs(*path, ppath, ch, err);
    if (parent)
        overlay_put(o, parent, NULL);
    return rc; /* id stays mounted: the caller reads *path, then puts */
}

/* The changes of id against parent; *mounted set when id was mounted for a
 * naive comparison (the caller puts it). */
static int
overlay_changes_list(struct overlay *o, const char *id, const char *parent, struct changes *ch,
                     const char **mounted, dctl_error_t *err)
{
    cleanup_free char *diff = NULL;
    char **lowers;
    size_t n = 0;
    int rc;
    dctl_error_t e = NULL;

    *mounted = NULL;
    if (!overlay_is_parent(o, id, parent))
        return overlay_naive_changes(o, id, parent, ch, mounted, err);
    diff = xasprintf("%s/%s/diff", o->home, id);
    lowers = overlay_lowers(o, id, &n, &e);
    if (lowers == NULL && e) {
        *err = e;
        return -1;
    }
    rc = changes_overlay(diff, (const char *const *)lowers, n, ch, err);
    overlay_lowers_free(lowers);
    return rc;
}

static int
overlay_diff(void *priv, const char *id, const char *parent, int fd, dctl_error_t *err)
{
    struct overlay *o = priv;
    const char *mounted = NULL;
    cleanup_free char *diff = NULL;
    struct changes ch = { 0 };
    int rc;

    if (overlay_need(o, id, err) < 0 || (parent && overlay_need(o, parent, err) < 0))
        return -1;
    if (overlay_is_parent(o, id, parent)) {
        /* Native: the upper dir is the diff. */
        diff = xasprintf("%s/%s/diff", o->home, id);
        if (tar_write_dir(fd, diff, TAR_WRITE_OVERLAY_DIFF, err) < 0)
            return dctl_error_prefix(err, "diff of layer %s", id);
        return 0;
    }
    rc = overlay_naive_changes(o, id, parent, &ch, &mounted, err);
    if (rc == 0)
        rc = tar_write_changes(fd, mounted, &ch, err);
    if (mounted)
        overlay_put(o, id, NULL);
    changes_fini(&ch);
    if (rc < 0)
        return dctl_error_prefix(err, "diff of layer %s", id);
    return 0;
}

static int
overlay_changes(void *priv, const char *id, const char *parent, char **json,
                dctl_error_t *err)
{
    struct overlay *o = priv;
    const char *mounted = NULL;
    struct changes ch = { 0 };
    int rc;

    if (overlay_need(o, id, err) < 0 || (parent && overlay_need(o, parent, err) < 0))
        return -1;
    rc = overlay_changes_list(o, id, parent, &ch, &mounted, err);
    if (mounted)
        overlay_put(o, id, NULL);
    if (rc == 0)
        *json = changes_to_json(&ch);
    changes_fini(&ch);
    if (rc < 0)
        return dctl_error_prefix(err, "changes of layer %s", id);
    return 0;
}

static int
overlay_cleanup(void *priv, dctl_error_t *err)
{
    struct overlay *o = priv;
    int rc = 0;

    pthread_mutex_lock(&o->lock);
    while (o->mounts.head) {
        struct mounts_entry *e = o->mounts.head;

        if (e->mounted && umount2(e->path, MNT_DETACH) < 0 && errno != EINVAL)
            rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "unmount layer %s", e->id);
        mounts_drop(&o->mounts, e);
    }
    pthread_mutex_unlock(&o->lock);
    return rc;
}

static void
overlay_fini(void *priv)
{
    struct overlay *o = priv;

    if (o == NULL)
        return;
    overlay_cleanup(o, NULL);
    pthread_mutex_destroy(&o->lock);
    close(o->homefd);
    free(o->home);
    free(o);
}

static const struct dctl_storage_ops overlay_ops = {
    .size = sizeof overlay_ops,
    .init = overlay_init,
    .fini = overlay_fini,
    .status = overlay_status,
    .create = overlay_create,
    .remove = overlay_remove,
    .get = overlay_get,
    .put = overlay_put,
    .exists = overlay_exists,
    .apply_diff = overlay_apply_diff,
    .diff = overlay_diff,
    .changes = overlay_changes,
    .cleanup = overlay_cleanup,
};

DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = DCTL_DRIVER_ABI_MAJOR,
    .abi_minor = DCTL_DRIVER_ABI_MINOR,
    .kind = DCTL_DRIVER_STORAGE,
    .name = "overlay",
    .version = PACKAGE_VERSION,
    .ops = &overlay_ops,
};
