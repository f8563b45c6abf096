/* drivers/storage/vfs.c - the vfs storage driver: every layer is a full copy
 * of its parent plus its own changes, in STATE_DIR/dir/<id>. Works on any
 * filesystem; slow and large, as Docker's vfs. Owns STATE_DIR.
 *
 * Diffs are naive: the layer's tree compared with its parent's. Every op that
 * touches layers blocks (copy, unpack, walk) and is meant for a worker job;
 * a mutex guards the get() table, so ops may run on several workers. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dctl/driver.h>

#include "drivers/storage/mounts.h"
#include "lib/changes.h"
#include "lib/error.h"
#include "lib/tar.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* One driver instance; owned by dctld between init() and fini(). */
struct vfs {
    const struct dctl_host *host;
    char *home;   /* STATE_DIR/dir */
    int homefd;
    pthread_mutex_t lock; /* guards mounts */
    struct mounts mounts;
};

static void
vfs_log(struct vfs *v, enum dctl_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    v->host->log(v->host->host_priv, level, fmt, ap);
    va_end(ap);
}

/* Layer IDs are lower-case hex, optionally with Docker's "-init" suffix. */
static bool
vfs_id_is_valid(const char *id)
{
    size_t n = id ? strspn(id, "0123456789abcdef") : 0;

    return n > 0 && n <= 128 && (id[n] == '\0' || strcmp(id + n, "-init") == 0);
}

static int
vfs_check_id(const char *id, dctl_error_t *err)
{
    if (!vfs_id_is_valid(id))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid layer id \"%s\"",
                              id ? id : "");
    return 0;
}

static char *
vfs_path(struct vfs *v, const char *id)
{
    return xasprintf("%s/%s", v->home, id);
}

static bool
vfs_exists(void *priv, const char *id)
{
    struct vfs *v = priv;
    struct stat st;

    return vfs_id_is_valid(id) && fstatat(v->homefd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISDIR(st.st_mode);
}

static int
vfs_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
         dctl_error_t *err)
{
    struct vfs *v;

    if (options && options->key) /* vfs takes no options */
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "vfs: unknown option %s", options->key);
    v = xcalloc(1, sizeof *v);
    v->host = host;
    v->home = xasprintf("%s/dir", host->state_dir);
    if (mkdir(v->home, 0700) < 0 && errno != EEXIST) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "vfs: create %s", v->home);
        free(v->home);
        free(v);
        return -1;
    }
    v->homefd = open(v->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (v->homefd < 0) {
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "vfs: open %s", v->home);
        free(v->home);
        free(v);
        return -1;
    }
    pthread_mutex_init(&v->lock, NULL);
    *priv = v;
    return 0;
}

static void
vfs_fini(void *priv)
{
    struct vfs *v = priv;

    if (v == NULL)
        return;
    mounts_fini(&v->mounts);
    pthread_mutex_destroy(&v->lock);
    close(v->homefd);
    free(v->home);
    free(v);
}

static const struct dctl_option *
vfs_status(void *priv)
{
    static const struct dctl_option none[] = { { NULL, NULL } };

    return none;
}

static int
vfs_create(void *priv, const char *id, const char *parent, dctl_error_t *err)
{
    struct vfs *v = priv;
    cleanup_free char *tmp = NULL;
    cleanup_free char *dst = NULL;
    cleanup_free char *src = NULL;

    if (vfs_check_id(id, err) < 0 || (parent && vfs_check_id(parent, err) < 0))
        return -1;
    if (vfs_exists(v, id))
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "layer %s already exists", id);
    if (parent && !vfs_exists(v, parent))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "parent layer %s does not exist",
                              parent);
    /* Copied under a temporary name, so that a crash leaves no half layer. */
    tmp = xasprintf("%s/.tmp-%s", v->home, id);
    dst = vfs_path(v, id);
    if (tree_remove(tmp, err) < 0)
        return -1;
    if (mkdir(tmp, 0755) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create %s", tmp);
    if (parent) {
        src = vfs_path(v, parent);
        if (tree_copy(src, tmp, err) < 0) {
            dctl_error_t rm = NULL;

            tree_remove(tmp, &rm);
            dctl_error_free(rm);
            return dctl_error_prefix(err, "create layer %s", id);
        }
    }
    if (rename(tmp, dst) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rename %s", tmp);
    vfs_log(v, DCTL_LOG_DEBUG, "created layer %s on %s", id, parent ? parent : "nothing");
    return 0;
}

static int
vfs_remove(void *priv, const char *id, dctl_error_t *err)
{
    struct vfs *v = priv;
    struct mounts_entry *e;

    if (vfs_check_id(id, err) < 0)
        return -1;
    pthread_mutex_lock(&v->lock);
    e = mounts_find(&v->mounts, id);
    if (e)
        mounts_drop(&v->mounts, e);
    pthread_mutex_unlock(&v->lock);
    if (tree_remove_at(v->homefd, id, err) < 0)
        return dctl_error_prefix(err, "remove layer %s", id);
    return 0;
}

static int
vfs_get(void *priv, const char *id, const char **path, dctl_error_t *err)
{
    struct vfs *v = priv;
    struct mounts_entry *e;

    if (vfs_check_id(id, err) < 0)
        return -1;
    if (!vfs_exists(v, id))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer %s does not exist", id);
    pthread_mutex_lock(&v->lock);
    e = mounts_find(&v->mounts, id);
    if (e)
        e->count++;
    else
        e = mounts_add(&v->mounts, id, vfs_path(v, id), false);
    *path = e->path;
    pthread_mutex_unlock(&v->lock);
    return 0;
}

static int
vfs_put(void *priv, const char *id, dctl_error_t *err)
{
    struct vfs *v = priv;
    struct mounts_entry *e;

    pthread_mutex_lock(&v->lock);
    e = mounts_find(&v->mounts, id ? id : "");
    if (e && --e->count == 0)
        mounts_drop(&v->mounts, e);
    pthread_mutex_unlock(&v->lock);
    if (e == NULL)
        vfs_log(v, DCTL_LOG_DEBUG, "put of layer %s without get", id ? id : "");
    return 0;
}

static int
vfs_apply_diff(void *priv, const char *id, const char *parent, int fd, int64_t *size,
               dctl_error_t *err)
{
    struct vfs *v = priv;
    cleanup_free char *dir = NULL;

    if (vfs_check_id(id, err) < 0)
        return -1;
    if (!vfs_exists(v, id))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer %s does not exist", id);
    dir = vfs_path(v, id);
    if (tar_apply(fd, dir, TAR_WHITEOUT_DELETE, size, err) < 0)
        return dctl_error_prefix(err, "apply layer %s", id);
    return 0;
}

/* The layer and parent directories, after checking both. */
static int
vfs_pair(struct vfs *v, const char *id, const char *parent, char **dir, char **pdir,
         dctl_error_t *err)
{
    if (vfs_check_id(id, err) < 0 || (parent && vfs_check_id(parent, err) < 0))
        return -1;
    if (!vfs_exists(v, id))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer %s does not exist", id);
    if (parent && !vfs_exists(v, parent))
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer %s does not exist", parent);
    *dir = vfs_path(v, id);
    *pdir = parent ? vfs_path(v, parent) : NULL;
    return 0;
}

static int
vfs_diff(void *priv, const char *id, const char *parent, int fd, dctl_error_t *err)
{
    struct vfs *v = priv;
    cleanup_free char *dir = NULL;
    cleanup_free char *pdir = NULL;
    struct changes ch = { 0 };
    int rc;

    if (vfs_pair(v, id, parent, &dir, &pdir, err) < 0)
        return -1;
    if (pdir == NULL)
        rc = tar_write_dir(fd, dir, TAR_WRITE_FULL, err);
    else if ((rc = changes_dirs(dir, pdir, &ch, err)) == 0)
        rc = tar_write_changes(fd, dir, &ch, err);
    changes_fini(&ch);
    if (rc < 0)
        return dctl_error_prefix(err, "diff of layer %s", id);
    return 0;
}

static int
vfs_changes(void *priv, const char *id, const char *parent, char **json, dctl_error_t *err)
{
    struct vfs *v = priv;
    cleanup_free char *dir = NULL;
    cleanup_free char *pdir = NULL;
    struct changes ch = { 0 };

    if (vfs_pair(v, id, parent, &dir, &pdir, err) < 0)
        return -1;
    if (changes_dirs(dir, pdir, &ch, err) < 0) {
        changes_fini(&ch);
        return dctl_error_prefix(err, "changes of layer %s", id);
    }
    *json = changes_to_json(&ch);
    changes_fini(&ch);
    return 0;
}

static int
vfs_cleanup(void *priv, dctl_error_t *err)
{
    struct vfs *v = priv;

    pthread_mutex_lock(&v->lock);
    mounts_fini(&v->mounts);
    pthread_mutex_unlock(&v->lock);
    return 0;
}

static const struct dctl_storage_ops vfs_ops = {
    .size = sizeof vfs_ops,
    .init = vfs_init,
    .fini = vfs_fini,
    .status = vfs_status,
    .create = vfs_create,
    .remove = vfs_remove,
    .get = vfs_get,
    .put = vfs_put,
    .exists = vfs_exists,
    .apply_diff = vfs_apply_diff,
    .diff = vfs_diff,
    .changes = vfs_changes,
    .cleanup = vfs_cleanup,
};

DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = DCTL_DRIVER_ABI_MAJOR,
    .abi_minor = DCTL_DRIVER_ABI_MINOR,
    .kind = DCTL_DRIVER_STORAGE,
    .name = "vfs",
    .version = PACKAGE_VERSION,
    .ops = &vfs_ops,
};
