/* daemon/layerstore.c - the layer store (see layerstore.h): Docker's layerdb layout,
 * streamed registration (decompress + hash + driver apply_diff in two threads), the
 * rename commit, reference counts and crash clean-up. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/layerstore.h"
#include "lib/archivelib.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/tarshift.h"
#include "lib/tarsplit.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define LAYERSTORE_BLOCK (64 * 1024)
#define LAYERSTORE_TAR_SPLIT "tar-split"

struct layer {
    struct layer_info info;
    struct layer *parent;
};

/* A container's RW layer. */
struct layer_mount {
    char name[LAYERSTORE_CACHE_ID_LEN + 1];      /* the container ID */
    char mount_id[LAYERSTORE_CACHE_ID_LEN + 1];
    char init_id[LAYERSTORE_CACHE_ID_LEN + 6];   /* mount_id + "-init" */
    char parent[DIGEST_STRING_MAX];              /* chain ID or "" */
    unsigned int active;                         /* gets not yet put */
    char *path;                                  /* while active */
};

struct layerstore {
    pthread_mutex_t mu;       /* the index: v, n, refs, mounts */
    pthread_mutex_t write_mu; /* commits and removals on disk */
    char *root;
    int rootfd, shafd, tmpfd, mountsfd;
    const struct dctl_storage_ops *ops;
    void *priv;
    struct layer **v;
    size_t n;
    struct layer_mount **mounts;
    size_t nmounts;
    /* --userns-remap: tars shifted through map; what the store makes owned by the
     * containers' root (root_uid:root_gid on the host) */
    bool remap;
    struct idmap map;
    uint32_t root_uid, root_gid;
};

static void layerstore_mounts_load(struct layerstore *ls);

/* ---- small helpers ------------------------------------------------------------ */

static struct layer *
layerstore_find_locked(struct layerstore *ls, const char *chain_id)
{
    size_t i;

    for (i = 0; i < ls->n; i++)
        if (strcmp(ls->v[i]->info.chain_id, chain_id) == 0)
            return ls->v[i];
    return NULL;
}

static bool
layerstore_cache_in_use_locked(struct layerstore *ls, const char *cache_id)
{
    size_t i;

    for (i = 0; i < ls->n; i++)
        if (strcmp(ls->v[i]->info.cache_id, cache_id) == 0)
            return true;
    return false;
}

static void
layerstore_unlink_locked(struct layerstore *ls, struct layer *l)
{
    size_t i;

    for (i = 0; i < ls->n; i++) {
        if (ls->v[i] == l) {
            memmove(&ls->v[i], &ls->v[i + 1], (ls->n - i - 1) * sizeof *ls->v);
            ls->n--;
            return;
        }
    }
}

static bool
layerstore_is_hex(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[len] == '\0';
}

/* A small metadata file's content without its trailing newline, or NULL. */
static char *
layerstore_read_meta(int dirfd, const char *name, dctl_error_t *err)
{
    char *text = file_read_all(dirfd, name, NULL, err);

    if (text)
        text[strcspn(text, "\r\n")] = '\0';
    return text;
}

static int
layerstore_write_meta(int dirfd, const char *name, const char *value, dctl_error_t *err)
{
    return file_write_atomic(dirfd, name, value, strlen(value), 0600, err);
}

static void
layerstore_cache_id_new(char out[LAYERSTORE_CACHE_ID_LEN + 1])
{
    unsigned char rnd[LAYERSTORE_CACHE_ID_LEN / 2];
    size_t i;

    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        abort();
    for (i = 0; i < sizeof rnd; i++)
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

/* Removes the driver layer cache_id, if it is there, and the directory tmp/name. */
static void
layerstore_discard(struct layerstore *ls, const char *cache_id, const char *name)
{
    dctl_error_t err = NULL;

    if (cache_id && *cache_id && ls->ops->exists(ls->priv, cache_id) &&
        ls->ops->remove(ls->priv, cache_id, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: remove driver layer %.12s: %s", cache_id, text);
        dctl_error_clear(&err);
    }
    if (name && tree_remove_at(ls->tmpfd, name, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: remove %s/tmp/%s: %s", ls->root, name, text);
        dctl_error_clear(&err);
    }
}

/* ---- open ---------------------------------------------------------------------- */

/* Reads sha256/<hex> into a new struct layer (parent not linked yet), or NULL. */
static struct layer *
layerstore_load_one(struct layerstore *ls, const char *hex, dctl_error_t *err)
{
    cleanup_close int dfd = openat(ls->shafd, hex, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *diff = NULL, *size = NULL, *cache = NULL, *parent = NULL;
    dctl_error_t perr = NULL;
    struct layer *l;
    long long sz;

    if (dfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open layer %s", hex), NULL;
    if ((diff = layerstore_read_meta(dfd, "diff", err)) == NULL ||
        (size = layerstore_read_meta(dfd, "size", err)) == NULL ||
        (cache = layerstore_read_meta(dfd, "cache-id", err)) == NULL)
        return NULL;
    parent = layerstore_read_meta(dfd, "parent", &perr);
    if (parent == NULL && perr->errnum != ENOENT) {
        *err = perr;
        return NULL;
    }
    dctl_error_clear(&perr);
    if (digest_validate_sha256(diff, err) < 0 ||
        (parent && digest_validate_sha256(parent, err) < 0))
        return NULL;
    if (util_parse_int64(size, &sz) < 0 || sz < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "bad size \"%s\"", size), NULL;
    if (strlen(cache) != LAYERSTORE_CACHE_ID_LEN ||
        !layerstore_is_hex(cache, LAYERSTORE_CACHE_ID_LEN))
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "bad cache-id \"%s\"", cache), NULL;
    l = xcalloc(1, sizeof *l);
    snprintf(l->info.chain_id, sizeof l->info.chain_id, "sha256:%s", hex);
    snprintf(l->info.diff_id, sizeof l->info.diff_id, "%s", diff);
    snprintf(l->info.parent, sizeof l->info.parent, "%s", parent ? parent : "");
    snprintf(l->info.cache_id, sizeof l->info.cache_id, "%s", cache);
    l->info.size = sz;
    return l;
}

/* Moves sha256/<hex> aside and removes it (a broken or unwanted entry). */
static void
layerstore_drop_entry(struct layerstore *ls, const char *hex, const char *cache_id)
{
    cleanup_free char *name = xasprintf("remove-%s", hex);

    if (renameat(ls->shafd, hex, ls->tmpfd, name) < 0) {
        log_warn("layerstore: move layer %.12s aside: %s", hex, strerror(errno));
        return;
    }
    fsync(ls->shafd);
    layerstore_discard(ls, cache_id, name);
}

static void
layerstore_load(struct layerstore *ls)
{
    dctl_error_t err = NULL;
    char **names = tree_list(ls->shafd, NULL, &err);
    size_t i, k;
    bool changed = true;

    if (names == NULL) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: list %s/sha256: %s", ls->root, text);
        dctl_error_free(err);
        return;
    }
    for (i = 0; names[i]; i++) {
        struct layer *l;

        if (strlen(names[i]) != DIGEST_SHA256_HEX_LEN ||
            !layerstore_is_hex(names[i], DIGEST_SHA256_HEX_LEN)) {
            log_warn("layerstore: %s/sha256/%s is not a layer; ignored", ls->root, names[i]);
            continue;
        }
        l = layerstore_load_one(ls, names[i], &err);
        if (l && !ls->ops->exists(ls->priv, l->info.cache_id)) {
            dctl_error_set(&err, DCTL_ERR_INTERNAL, 0, "driver layer %.12s is missing",
                           l->info.cache_id);
            free(l);
            l = NULL;
        }
        if (l == NULL) {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("layerstore: layer sha256:%.12s is broken (%s); removed", names[i], text);
            dctl_error_clear(&err);
            layerstore_drop_entry(ls, names[i], NULL);
            continue;
        }
        ls->v = xrealloc(ls->v, (ls->n + 1) * sizeof *ls->v);
        ls->v[ls->n++] = l;
    }
    tree_names_free(names);
    /* link parents; a layer whose parent is gone goes too, and then its children */
    while (changed) {
        changed = false;
        for (i = 0; i < ls->n; i++) {
            struct layer *l = ls->v[i];

            if (l->info.parent[0] == '\0' || l->parent)
                continue;
            l->parent = layerstore_find_locked(ls, l->info.parent);
            if (l->parent)
                continue;
            log_warn("layerstore: layer %.19s has no parent %.19s; removed", l->info.chain_id,
                     l->info.parent);
            layerstore_unlink_locked(ls, l);
            for (k = 0; k < ls->n; k++)   /* children linked already must relink (and fail) */
                if (ls->v[k]->parent == l)
                    ls->v[k]->parent = NULL;
            layerstore_drop_entry(ls, digest_hex(l->info.chain_id), l->info.cache_id);
            free(l);
            changed = true;
            break;
        }
    }
    for (i = 0; i < ls->n; i++)
        if (ls->v[i]->parent)
            ls->v[i]->parent->info.refs++;
}

/* tmp/ holds only what a crash interrupted: registrations never committed and removals
 * never finished. Their driver layers go unless a committed layer uses them. */
static void
layerstore_clean_tmp(struct layerstore *ls)
{
    dctl_error_t err = NULL;
    char **names = tree_list(ls->tmpfd, NULL, &err);
    size_t i;

    if (names == NULL) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: list %s/tmp: %s", ls->root, text);
        dctl_error_free(err);
        return;
    }
    for (i = 0; names[i]; i++) {
        cleanup_close int dfd = openat(ls->tmpfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cleanup_free char *cache = dfd >= 0 ? layerstore_read_meta(dfd, "cache-id", &err) : NULL;

        dctl_error_clear(&err);
        if (cache && (strlen(cache) != LAYERSTORE_CACHE_ID_LEN ||
                      !layerstore_is_hex(cache, LAYERSTORE_CACHE_ID_LEN) ||
                      layerstore_cache_in_use_locked(ls, cache))) {
            free(cache);
            cache = NULL;
        }
        log_info("layerstore: removing %s left by an interrupted %s", names[i],
                 util_has_prefix(names[i], "remove-") ? "removal" : "registration");
        layerstore_discard(ls, cache, names[i]);
    }
    tree_names_free(names);
}

static int
layerstore_open_dir(int parentfd, const char *name, dctl_error_t *err)
{
    int fd;

    if (mkdirat(parentfd, name, 0700) < 0 && errno != EEXIST)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create %s", name);
    fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", name);
    return fd;
}

struct layerstore *
layerstore_open(const char *root, const struct dctl_storage_ops *ops, void *priv,
                dctl_error_t *err)
{
    struct layerstore *ls = xcalloc(1, sizeof *ls);

    pthread_mutex_init(&ls->mu, NULL);
    pthread_mutex_init(&ls->write_mu, NULL);
    ls->root = xstrdup(root);
    ls->ops = ops;
    ls->priv = priv;
    ls->rootfd = ls->shafd = ls->tmpfd = ls->mountsfd = -1;
    if (file_mkdir_p(root, 0700, err) < 0)
        goto fail;
    ls->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ls->rootfd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", root);
        goto fail;
    }
    if ((ls->shafd = layerstore_open_dir(ls->rootfd, "sha256", err)) < 0 ||
        (ls->tmpfd = layerstore_open_dir(ls->rootfd, "tmp", err)) < 0 ||
        (ls->mountsfd = layerstore_open_dir(ls->rootfd, "mounts", err)) < 0)
        goto fail;
    layerstore_load(ls);
    layerstore_mounts_load(ls);
    layerstore_clean_tmp(ls);
    log_debug("layerstore: %zu layers in %s", ls->n, root);
    return ls;
fail:
    dctl_error_prefix(err, "layer store %s", root);
    layerstore_free(ls);
    return NULL;
}

void
layerstore_free(struct layerstore *ls)
{
    size_t i;

    if (ls == NULL)
        return;
    for (i = 0; i < ls->n; i++)
        free(ls->v[i]);
    free(ls->v);
    for (i = 0; i < ls->nmounts; i++) {
        free(ls->mounts[i]->path);
        free(ls->mounts[i]);
    }
    free(ls->mounts);
    if (ls->mountsfd >= 0)
        close(ls->mountsfd);
    if (ls->rootfd >= 0)
        close(ls->rootfd);
    if (ls->shafd >= 0)
        close(ls->shafd);
    if (ls->tmpfd >= 0)
        close(ls->tmpfd);
    pthread_mutex_destroy(&ls->mu);
    pthread_mutex_destroy(&ls->write_mu);
    free(ls->root);
    free(ls);
}

void
layerstore_set_idmap(struct layerstore *ls, const struct idmap *map)
{
    ls->remap = map != NULL && map->nuid > 0 && idmap_root(map, &ls->root_uid, &ls->root_gid);
    if (ls->remap)
        ls->map = *map;
}

struct layerstore_diff_args {
    struct layerstore *ls;
    const char *id, *parent;
};

static int
layerstore_diff_cb(void *arg, int fd, dctl_error_t *err)
{
    struct layerstore_diff_args *a = arg;

    return a->ls->ops->diff(a->ls->priv, a->id, a->parent, fd, err);
}

/* The driver's diff of id against parent (NULL: all of it) written to fd; when
 * remapping, shifted on its way so that the owners get their container IDs back, as
 * dockerd's archive does with its IDMap. */
static int
layerstore_driver_diff(struct layerstore *ls, const char *id, const char *parent, int fd,
                       dctl_error_t *err)
{
    struct layerstore_diff_args a = { .ls = ls, .id = id, .parent = parent };

    if (!ls->remap)
        return ls->ops->diff(ls->priv, id, parent, fd, err);
    return tarshift_produce(&ls->map, IDMAP_TO_CONTAINER, fd, layerstore_diff_cb, &a, err);
}

const struct idmap *
layerstore_idmap(struct layerstore *ls)
{
    return ls->remap ? &ls->map : NULL;
}

/* ---- registration -------------------------------------------------------------- */

/* The driver side of the pipe: apply_diff on its own thread. */
struct layerstore_apply {
    struct layerstore *ls;
    const char *cache_id, *parent_cache;
    int fd;              /* read end; closed when apply_diff returns */
    int64_t size;
    int status;
    dctl_error_t err;
};

static void *
layerstore_apply_thread(void *arg)
{
    struct layerstore_apply *a = arg;

    a->status = a->ls->ops->apply_diff(a->ls->priv, a->cache_id, a->parent_cache, a->fd,
                                       &a->size, &a->err);
    if (a->status < 0 && a->err == NULL)
        dctl_error_set(&a->err, DCTL_ERR_INTERNAL, 0, "apply_diff failed without saying why");
    close(a->fd);   /* the feeder sees EPIPE if the driver stopped early */
    a->fd = -1;
    return NULL;
}

static int
layerstore_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void
layerstore_archive_free(struct archive **a)
{
    if (*a)
        archive_read_free(*a);
}

/* Where the uncompressed stream goes: the driver's pipe, until the driver stops reading
 * (EPIPE: its tar has ended). */
struct layerstore_out {
    int fd;
    bool gone;
};

static int
layerstore_out_cb(void *arg, const void *data, size_t len, dctl_error_t *err)
{
    struct layerstore_out *o = arg;

    if (o->gone)
        return 0;
    if (layerstore_write_all(o->fd, data, len) < 0) {
        if (errno != EPIPE)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write layer pipe");
        o->gone = true;
    }
    return 0;
}

/* Reads fd through libarchive's decompressors, hashes the uncompressed stream into
 * diff_id and writes it to out (through shift, when remapping) until the reader goes;
 * the rest is still hashed, as Docker hashes trailing padding too. The hash and the
 * tar-split record are of the stream as it came: the layer's identity does not depend
 * on the remap. */
static int
layerstore_feed(int fd, int out, struct tarsplit *ts, const struct idmap *shift_map,
                char diff_id[DIGEST_STRING_MAX], dctl_error_t *err)
{
    __attribute__((cleanup(layerstore_archive_free))) struct archive *a = NULL;
    struct archive_entry *entry;
    struct digest_ctx ctx;
    cleanup_free char *buf = NULL;
    struct layerstore_out o = { .fd = out };
    struct tarshift *shift = NULL;
    int r, rc;

    if (archivelib_load(err) < 0)
        return -1;
    a = archive_read_new();
    buf = xmalloc(LAYERSTORE_BLOCK);
    digest_ctx_init(&ctx, DIGEST_SHA256);
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    r = archive_read_open_fd(a, fd, LAYERSTORE_BLOCK);
    if (r == ARCHIVE_OK)
        r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) {   /* an empty stream */
        digest_ctx_final(&ctx, diff_id);
        return ts ? tarsplit_finish(ts, err) : 0;
    }
    if (r != ARCHIVE_OK)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid tar stream: %s",
                              archive_error_string(a) ? archive_error_string(a) : "unreadable");
    if (shift_map)
        shift = tarshift_new(shift_map, IDMAP_TO_HOST, layerstore_out_cb, &o);
    for (rc = 0;;) {
        la_ssize_t n = archive_read_data(a, buf, LAYERSTORE_BLOCK);

        if (n == 0)
            break;
        if (n < 0) {
            rc = dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid tar stream: %s",
                                archive_error_string(a) ? archive_error_string(a)
                                                        : "read error");
            break;
        }
        digest_ctx_update(&ctx, buf, (size_t)n);
        if ((ts && tarsplit_feed(ts, buf, (size_t)n, err) < 0) ||
            (o.gone ? 0 : shift ? tarshift_feed(shift, buf, (size_t)n, err)
                                : layerstore_out_cb(&o, buf, (size_t)n, err)) < 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && shift && !o.gone)
        rc = tarshift_finish(shift, err);
    tarshift_free(shift);
    if (rc < 0)
        return -1;
    digest_ctx_final(&ctx, diff_id);
    return ts ? tarsplit_finish(ts, err) : 0;
}

/* Creates cache_id and applies the stream from fd to it; *size and diff_id set. The
 * stream's tar-split record goes to LAYERSTORE_TAR_SPLIT in the directory dfd. */
static int
layerstore_apply(struct layerstore *ls, int fd, int dfd, const char *cache_id,
                 const char *parent_cache, int64_t *size, char diff_id[DIGEST_STRING_MAX],
                 dctl_error_t *err)
{
    struct layerstore_apply a = { .ls = ls, .cache_id = cache_id,
                                  .parent_cache = parent_cache, .fd = -1 };
    dctl_error_t ferr = NULL;
    struct tarsplit *ts;
    pthread_t th;
    int p[2], rc, frc, tsfd;

    if (ls->ops->create(ls->priv, cache_id, parent_cache, err) < 0)
        return -1;
    if (pipe2(p, O_CLOEXEC) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "pipe");
    a.fd = p[0];
    rc = pthread_create(&th, NULL, layerstore_apply_thread, &a);
    if (rc != 0) {
        close(p[0]);
        close(p[1]);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, rc, "start layer apply thread");
    }
    tsfd = openat(dfd, LAYERSTORE_TAR_SPLIT, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (tsfd < 0) {
        frc = dctl_error_set(&ferr, DCTL_ERR_INTERNAL, errno, "create %s",
                             LAYERSTORE_TAR_SPLIT);
    } else {
        ts = tarsplit_new(tsfd);
        frc = layerstore_feed(fd, p[1], ts, ls->remap ? &ls->map : NULL, diff_id, &ferr);
        tarsplit_free(ts);
        if (frc == 0 && fsync(tsfd) < 0)
            frc = dctl_error_set(&ferr, DCTL_ERR_INTERNAL, errno, "fsync %s",
                                 LAYERSTORE_TAR_SPLIT);
        close(tsfd);
    }
    close(p[1]);   /* EOF for the driver (a truncated tar if the feed failed) */
    pthread_join(th, NULL);
    if (frc < 0 && ls->remap && ferr && ferr->kind == DCTL_ERR_INVALID) {
        /* an owner the remap cannot map: the driver only saw the tar cut short */
        dctl_error_free(a.err);
        *err = ferr;
        return -1;
    }
    if (a.status < 0) {   /* the driver's error says what was wrong with the tar */
        dctl_error_free(ferr);
        *err = a.err;
        return -1;
    }
    if (frc < 0) {
        *err = ferr;
        return -1;
    }
    *size = a.size;
    return 0;
}

int
layerstore_register(struct layerstore *ls, int fd, const char *parent,
                    char chain_id[DIGEST_STRING_MAX], char diff_id[DIGEST_STRING_MAX],
                    dctl_error_t *err)
{
    char cache_id[LAYERSTORE_CACHE_ID_LEN + 1], parent_cache[LAYERSTORE_CACHE_ID_LEN + 1] = "";
    char diff[DIGEST_STRING_MAX], chain[DIGEST_STRING_MAX];
    cleanup_free char *tmpname = NULL, *sizetext = NULL;
    cleanup_close int dfd = -1;
    struct layer *pl, *l;
    int64_t size = 0;

    if (parent && *parent == '\0')
        parent = NULL;
    if (parent) {
        pthread_mutex_lock(&ls->mu);
        pl = layerstore_find_locked(ls, parent);
        if (pl)
            snprintf(parent_cache, sizeof parent_cache, "%s", pl->info.cache_id);
        pthread_mutex_unlock(&ls->mu);
        if (pl == NULL)
            return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer does not exist: %s",
                                  parent);
    }
    layerstore_cache_id_new(cache_id);
    tmpname = xasprintf("write-%s", cache_id);
    /* the intent record first: a crash from here on is cleaned up at open */
    if (mkdirat(ls->tmpfd, tmpname, 0700) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create layerdb/tmp/%s", tmpname);
    dfd = openat(ls->tmpfd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open layerdb/tmp/%s", tmpname);
        goto fail;
    }
    if (layerstore_write_meta(dfd, "cache-id", cache_id, err) < 0)
        goto fail;
    if (layerstore_apply(ls, fd, dfd, cache_id, parent ? parent_cache : NULL, &size, diff,
                         err) < 0)
        goto fail;
    digest_chain_id_next(parent, diff, chain);
    sizetext = xasprintf("%lld", (long long)size);
    if (layerstore_write_meta(dfd, "diff", diff, err) < 0 ||
        layerstore_write_meta(dfd, "size", sizetext, err) < 0 ||
        (parent && layerstore_write_meta(dfd, "parent", parent, err) < 0))
        goto fail;

    pthread_mutex_lock(&ls->write_mu);
    if (parent) {   /* the parent may have gone while we applied */
        pthread_mutex_lock(&ls->mu);
        pl = layerstore_find_locked(ls, parent);
        pthread_mutex_unlock(&ls->mu);
        if (pl == NULL) {
            pthread_mutex_unlock(&ls->write_mu);
            dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer does not exist: %s", parent);
            goto fail;
        }
    }
    if (renameat(ls->tmpfd, tmpname, ls->shafd, digest_hex(chain)) < 0) {   /* the commit */
        int e = errno;

        pthread_mutex_lock(&ls->mu);
        l = (e == ENOTEMPTY || e == EEXIST) ? layerstore_find_locked(ls, chain) : NULL;
        if (l)
            l->info.refs++;
        pthread_mutex_unlock(&ls->mu);
        pthread_mutex_unlock(&ls->write_mu);
        if (l == NULL) {
            dctl_error_set(err, DCTL_ERR_INTERNAL, e, "commit layer %.19s", chain);
            goto fail;
        }
        log_debug("layerstore: layer %.19s exists; new copy dropped", chain);
        layerstore_discard(ls, cache_id, tmpname);
    } else {
        fsync(ls->shafd);
        fsync(ls->tmpfd);
        l = xcalloc(1, sizeof *l);
        snprintf(l->info.chain_id, sizeof l->info.chain_id, "%s", chain);
        snprintf(l->info.diff_id, sizeof l->info.diff_id, "%s", diff);
        snprintf(l->info.parent, sizeof l->info.parent, "%s", parent ? parent : "");
        snprintf(l->info.cache_id, sizeof l->info.cache_id, "%s", cache_id);
        l->info.size = size;
        l->info.refs = 1;
        pthread_mutex_lock(&ls->mu);
        if (parent) {
            l->parent = layerstore_find_locked(ls, parent);
            l->parent->info.refs++;
        }
        ls->v = xrealloc(ls->v, (ls->n + 1) * sizeof *ls->v);
        ls->v[ls->n++] = l;
        pthread_mutex_unlock(&ls->mu);
        pthread_mutex_unlock(&ls->write_mu);
        log_debug("layerstore: registered %.19s (diff %.19s, %lld bytes, cache %.12s)", chain,
                  diff, (long long)size, cache_id);
    }
    snprintf(chain_id, DIGEST_STRING_MAX, "%s", chain);
    if (diff_id)
        snprintf(diff_id, DIGEST_STRING_MAX, "%s", diff);
    return 0;
fail:
    layerstore_discard(ls, cache_id, tmpname);
    return -1;
}

/* ---- references ------------------------------------------------------------------ */

int
layerstore_acquire(struct layerstore *ls, const char *chain_id, dctl_error_t *err)
{
    struct layer *l;

    pthread_mutex_lock(&ls->mu);
    l = layerstore_find_locked(ls, chain_id);
    if (l)
        l->info.refs++;
    pthread_mutex_unlock(&ls->mu);
    if (l == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer does not exist: %s", chain_id);
    return 0;
}

/* write_mu held. Removes l (refs 0, already out of the index) from disk. */
static void
layerstore_remove_layer(struct layerstore *ls, struct layer *l)
{
    const char *hex = digest_hex(l->info.chain_id);

    layerstore_drop_entry(ls, hex, l->info.cache_id);
    log_debug("layerstore: removed layer %.19s", l->info.chain_id);
}

int
layerstore_release(struct layerstore *ls, const char *chain_id, struct layer_info **removed,
                   size_t *nremoved, dctl_error_t *err)
{
    struct layer *l, *parent;

    pthread_mutex_lock(&ls->write_mu);
    pthread_mutex_lock(&ls->mu);
    l = layerstore_find_locked(ls, chain_id);
    if (l == NULL || l->info.refs == 0) {
        pthread_mutex_unlock(&ls->mu);
        pthread_mutex_unlock(&ls->write_mu);
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer not retained: %s", chain_id);
    }
    while (l && --l->info.refs == 0) {
        layerstore_unlink_locked(ls, l);
        pthread_mutex_unlock(&ls->mu);
        layerstore_remove_layer(ls, l);
        if (removed) {
            *removed = xrealloc(*removed, (*nremoved + 1) * sizeof **removed);
            (*removed)[(*nremoved)++] = l->info;
        }
        parent = l->parent;
        free(l);
        l = parent;
        pthread_mutex_lock(&ls->mu);
    }
    pthread_mutex_unlock(&ls->mu);
    pthread_mutex_unlock(&ls->write_mu);
    return 0;
}

size_t
layerstore_prune_unused(struct layerstore *ls)
{
    size_t pruned = 0;

    for (;;) {
        char chain[DIGEST_STRING_MAX] = "";
        size_t i, n = 0;
        struct layer_info *gone = NULL;

        pthread_mutex_lock(&ls->mu);
        for (i = 0; i < ls->n; i++) {
            if (ls->v[i]->info.refs == 0) {
                snprintf(chain, sizeof chain, "%s", ls->v[i]->info.chain_id);
                ls->v[i]->info.refs = 1;   /* released below, as an image would */
                break;
            }
        }
        pthread_mutex_unlock(&ls->mu);
        if (chain[0] == '\0')
            return pruned;
        log_info("layerstore: layer %.19s is used by no image; removing it", chain);
        layerstore_release(ls, chain, &gone, &n, NULL);
        free(gone);
        pruned += n;
    }
}

/* ---- lookups ----------------------------------------------------------------------- */

bool
layerstore_get(struct layerstore *ls, const char *chain_id, struct layer_info *out)
{
    struct layer *l;

    pthread_mutex_lock(&ls->mu);
    l = layerstore_find_locked(ls, chain_id);
    if (l && out)
        *out = l->info;
    pthread_mutex_unlock(&ls->mu);
    return l != NULL;
}

size_t
layerstore_count(struct layerstore *ls)
{
    size_t n;

    pthread_mutex_lock(&ls->mu);
    n = ls->n;
    pthread_mutex_unlock(&ls->mu);
    return n;
}

struct layer_info *
layerstore_list(struct layerstore *ls, size_t *n)
{
    struct layer_info *v;
    size_t i;

    pthread_mutex_lock(&ls->mu);
    v = xcalloc(ls->n + 1, sizeof *v);
    for (i = 0; i < ls->n; i++)
        v[i] = ls->v[i]->info;
    *n = ls->n;
    pthread_mutex_unlock(&ls->mu);
    return v;
}

/* ---- export ------------------------------------------------------------------------- */

/* The tar stream of l from its tar-split record and the driver's mount of the layer. */
static int
layerstore_assemble(struct layerstore *ls, const struct layer_info *li, int tsfd, int out,
                    dctl_error_t *err)
{
    const char *path = NULL;
    cleanup_close int rootfd = -1;
    dctl_error_t perr = NULL;
    int rc;

    if (ls->ops->get(ls->priv, li->cache_id, &path, err) < 0)
        return dctl_error_prefix(err, "mount layer %.19s", li->chain_id);
    rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
    else
        rc = tarsplit_assemble(tsfd, rootfd, out, err);
    if (ls->ops->put(ls->priv, li->cache_id, &perr) < 0) {
        cleanup_free char *text = dctl_error_text(perr);

        log_warn("layerstore: release layer %.19s: %s", li->chain_id, text);
        dctl_error_free(perr);
    }
    if (rc < 0)
        return dctl_error_prefix(err, "layer %.19s", li->chain_id);
    return 0;
}

int64_t
layerstore_chain_size(struct layerstore *ls, const char *chain_id)
{
    struct layer *l;
    int64_t size = 0;

    pthread_mutex_lock(&ls->mu);
    for (l = chain_id && *chain_id ? layerstore_find_locked(ls, chain_id) : NULL; l;
         l = l->parent)
        size += l->info.size;
    pthread_mutex_unlock(&ls->mu);
    return size;
}

/* ---- mounted (RW) layers ------------------------------------------------------------ */

static struct layer_mount *
layerstore_mount_find_locked(struct layerstore *ls, const char *name)
{
    size_t i;

    for (i = 0; i < ls->nmounts; i++)
        if (strcmp(ls->mounts[i]->name, name) == 0)
            return ls->mounts[i];
    return NULL;
}

static void
layerstore_mount_unlink_locked(struct layerstore *ls, struct layer_mount *m)
{
    size_t i;

    for (i = 0; i < ls->nmounts; i++) {
        if (ls->mounts[i] == m) {
            memmove(&ls->mounts[i], &ls->mounts[i + 1],
                    (ls->nmounts - i - 1) * sizeof *ls->mounts);
            ls->nmounts--;
            return;
        }
    }
}

/* Removes driver layer id if it exists; logs a failure. */
static void
layerstore_driver_remove(struct layerstore *ls, const char *id)
{
    dctl_error_t err = NULL;

    if (*id && ls->ops->exists(ls->priv, id) && ls->ops->remove(ls->priv, id, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: remove driver layer %s: %s", id, text);
        dctl_error_free(err);
    }
}

/* Removes mounts/name with its driver layers (mount and init). */
static void
layerstore_mount_discard(struct layerstore *ls, const char *name, const char *mount_id,
                         const char *init_id)
{
    dctl_error_t err = NULL;

    if (mount_id && *mount_id)
        layerstore_driver_remove(ls, mount_id);
    if (init_id && *init_id)
        layerstore_driver_remove(ls, init_id);
    if (tree_remove_at(ls->mountsfd, name, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: remove mounts/%s: %s", name, text);
        dctl_error_free(err);
    }
    fsync(ls->mountsfd);
}

static void
layerstore_mounts_load(struct layerstore *ls)
{
    dctl_error_t err = NULL;
    char **names = tree_list(ls->mountsfd, NULL, &err);
    size_t i;

    if (names == NULL) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("layerstore: list %s/mounts: %s", ls->root, text);
        dctl_error_free(err);
        return;
    }
    for (i = 0; names[i]; i++) {
        cleanup_close int dfd = openat(ls->mountsfd, names[i],
                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        cleanup_free char *mid = NULL, *iid = NULL, *parent = NULL;
        struct layer_mount *m;
        struct layer *pl = NULL;

        if (dfd >= 0) {
            mid = layerstore_read_meta(dfd, "mount-id", &err);
            dctl_error_clear(&err);
            iid = layerstore_read_meta(dfd, "init-id", &err);
            dctl_error_clear(&err);
            parent = layerstore_read_meta(dfd, "parent", &err);
            dctl_error_clear(&err);
        }
        if (mid && (strlen(mid) != LAYERSTORE_CACHE_ID_LEN ||
                    !layerstore_is_hex(mid, LAYERSTORE_CACHE_ID_LEN))) {
            free(mid);
            mid = NULL;
        }
        if (iid && (mid == NULL || strncmp(iid, mid, LAYERSTORE_CACHE_ID_LEN) != 0 ||
                    strcmp(iid + LAYERSTORE_CACHE_ID_LEN, "-init") != 0)) {
            free(iid);
            iid = NULL;
        }
        if (parent && *parent && (pl = layerstore_find_locked(ls, parent)) == NULL) {
            log_warn("layerstore: RW layer of %.12s: parent %.19s is gone", names[i], parent);
            free(parent);
            parent = NULL;
        }
        if (mid == NULL || iid == NULL || parent == NULL ||
            !ls->ops->exists(ls->priv, mid)) {
            log_info("layerstore: removing RW layer of %.12s left incomplete", names[i]);
            layerstore_mount_discard(ls, names[i], mid, iid);
            continue;
        }
        m = xcalloc(1, sizeof *m);
        snprintf(m->name, sizeof m->name, "%s", names[i]);
        snprintf(m->mount_id, sizeof m->mount_id, "%s", mid);
        snprintf(m->init_id, sizeof m->init_id, "%s", iid);
        snprintf(m->parent, sizeof m->parent, "%s", parent);
        if (pl)
            pl->info.refs++;
        ls->mounts = xrealloc(ls->mounts, (ls->nmounts + 1) * sizeof *ls->mounts);
        ls->mounts[ls->nmounts++] = m;
    }
    tree_names_free(names);
}

/* With a remap, a layer's root directory (as the driver made it: root's) becomes the
 * containers' root's, as dockerd's drivers make every layer directory: their root can
 * then write in "/". */
static int
layerstore_chown_root(struct layerstore *ls, const char *root, dctl_error_t *err)
{
    if (ls->remap && chown(root, ls->root_uid, ls->root_gid) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown layer root %s", root);
    return 0;
}

/* Makes dir components of rel (relative, no ".." parts) under dirfd, never following
 * a symlink; returns an fd of the last directory or -1 (a symlink or a file in the
 * way: the entry is skipped, as it cannot be a mount point inside the root). What it
 * makes is owned by the containers' root when remapping (MkdirAllAndChownNew). */
static int
layerstore_init_dirs(struct layerstore *ls, int rootfd, const char *rel)
{
    cleanup_free char *copy = xstrdup(rel);
    char *save = NULL, *part;
    int fd = dup(rootfd);

    for (part = strtok_r(copy, "/", &save); part && fd >= 0; part = strtok_r(NULL, "/", &save)) {
        int next;

        if (mkdirat(fd, part, 0755) == 0) {
            if (ls->remap)
                fchownat(fd, part, ls->root_uid, ls->root_gid, AT_SYMLINK_NOFOLLOW);
        } else if (errno != EEXIST) {
            close(fd);
            return -1;
        }
        next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        fd = next;
    }
    return fd;
}

/* Docker's initlayer.Setup on the mounted init layer; with a remap what it makes (and
 * the layer's root) is the containers' root's, so that they can use it. */
static int
layerstore_init_setup(struct layerstore *ls, const char *root, dctl_error_t *err)
{
    static const struct { const char *dir, *name; char type; } entries[] = {
        { "dev", "pts", 'd' }, { "dev", "shm", 'd' }, { "", "proc", 'd' },
        { "", "sys", 'd' }, { "", ".dockerenv", 'f' }, { "etc", "resolv.conf", 'f' },
        { "etc", "hosts", 'f' }, { "etc", "hostname", 'f' }, { "dev", "console", 'f' },
        { "etc", "mtab", 'l' },
    };
    cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t i;

    if (rootfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open init layer %s", root);
    for (i = 0; i < ARRAY_SIZE(entries); i++) {
        cleanup_close int dfd = *entries[i].dir
                                    ? layerstore_init_dirs(ls, rootfd, entries[i].dir)
                                    : dup(rootfd);
        struct stat st;
        int fd;

        if (dfd < 0 || fstatat(dfd, entries[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            continue;   /* the image has it (or something in the way): left as it is */
        switch (entries[i].type) {
        case 'd':
            if (mkdirat(dfd, entries[i].name, 0755) < 0 && errno != EEXIST)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "init layer: mkdir %s",
                                      entries[i].name);
            break;
        case 'f':
            fd = openat(dfd, entries[i].name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                        O_CLOEXEC, 0755);
            if (fd < 0 && errno != EEXIST)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "init layer: create %s",
                                      entries[i].name);
            if (fd >= 0)
                close(fd);
            break;
        case 'l':
            if (symlinkat("/proc/mounts", dfd, entries[i].name) < 0 && errno != EEXIST)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "init layer: symlink %s",
                                      entries[i].name);
            break;
        }
        if (ls->remap && fchownat(dfd, entries[i].name, ls->root_uid, ls->root_gid,
                                  AT_SYMLINK_NOFOLLOW) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "init layer: chown %s",
                                  entries[i].name);
    }
    return layerstore_chown_root(ls, root, err);
}

int
layerstore_diff(struct layerstore *ls, const char *chain_id, int fd, dctl_error_t *err)
{
    struct layer_info li, pli;
    cleanup_free char *name = NULL;
    cleanup_close int tsfd = -1;
    int rc;

    if (layerstore_acquire(ls, chain_id, err) < 0)
        return -1;
    layerstore_get(ls, chain_id, &li);
    name = xasprintf("%s/%s", digest_hex(chain_id), LAYERSTORE_TAR_SPLIT);
    tsfd = openat(ls->shafd, name, O_RDONLY | O_CLOEXEC);
    if (tsfd >= 0) {
        rc = layerstore_assemble(ls, &li, tsfd, fd, err);
    } else if (errno != ENOENT) {
        rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open layerdb/sha256/%s", name);
    } else {   /* registered before tar-split records existed: the driver's own diff */
        pli.cache_id[0] = '\0';
        if (li.parent[0])
            layerstore_get(ls, li.parent, &pli);
        rc = layerstore_driver_diff(ls, li.cache_id, li.parent[0] ? pli.cache_id : NULL, fd,
                                    err);
    }
    layerstore_release(ls, chain_id, NULL, NULL, NULL);
    return rc;
}

int
layerstore_mount_create(struct layerstore *ls, const char *name, const char *parent,
                        dctl_error_t *err)
{
    char mount_id[LAYERSTORE_CACHE_ID_LEN + 1], init_id[LAYERSTORE_CACHE_ID_LEN + 6];
    char parent_cache[LAYERSTORE_CACHE_ID_LEN + 1] = "";
    cleanup_close int dfd = -1;
    struct layer_mount *m;
    struct layer *pl = NULL;
    const char *path = NULL;
    dctl_error_t perr = NULL;

    if (parent == NULL)
        parent = "";
    pthread_mutex_lock(&ls->write_mu);
    pthread_mutex_lock(&ls->mu);
    if (layerstore_mount_find_locked(ls, name)) {
        pthread_mutex_unlock(&ls->mu);
        pthread_mutex_unlock(&ls->write_mu);
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "RW layer of %.12s exists", name);
    }
    if (*parent && (pl = layerstore_find_locked(ls, parent)) != NULL) {
        snprintf(parent_cache, sizeof parent_cache, "%s", pl->info.cache_id);
        pl->info.refs++;   /* held from here; dropped again on failure */
    }
    pthread_mutex_unlock(&ls->mu);
    if (*parent && pl == NULL) {
        pthread_mutex_unlock(&ls->write_mu);
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "layer does not exist: %s", parent);
    }
    layerstore_cache_id_new(mount_id);
    snprintf(init_id, sizeof init_id, "%s-init", mount_id);
    if (mkdirat(ls->mountsfd, name, 0700) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create layerdb/mounts/%s", name);
        goto fail_nodir;
    }
    dfd = openat(ls->mountsfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open layerdb/mounts/%s", name);
        goto fail;
    }
    /* the intent record first: a crash from here on is cleaned up at open */
    if (layerstore_write_meta(dfd, "mount-id", mount_id, err) < 0 ||
        layerstore_write_meta(dfd, "init-id", init_id, err) < 0)
        goto fail;
    if (ls->ops->create(ls->priv, init_id, *parent_cache ? parent_cache : NULL, err) < 0)
        goto fail;
    if (ls->ops->get(ls->priv, init_id, &path, err) < 0)
        goto fail;
    if (layerstore_init_setup(ls, path, err) < 0) {
        ls->ops->put(ls->priv, init_id, &perr);
        dctl_error_clear(&perr);
        goto fail;
    }
    if (ls->ops->put(ls->priv, init_id, err) < 0 ||
        ls->ops->create(ls->priv, mount_id, init_id, err) < 0)
        goto fail;
    if (ls->remap) {   /* the RW layer's own root, which is the container's "/" */
        if (ls->ops->get(ls->priv, mount_id, &path, err) < 0)
            goto fail;
        if (layerstore_chown_root(ls, path, err) < 0) {
            ls->ops->put(ls->priv, mount_id, &perr);
            dctl_error_clear(&perr);
            goto fail;
        }
        if (ls->ops->put(ls->priv, mount_id, err) < 0)
            goto fail;
    }
    if (layerstore_write_meta(dfd, "parent", parent, err) < 0)   /* the commit */
        goto fail;
    m = xcalloc(1, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->mount_id, sizeof m->mount_id, "%s", mount_id);
    snprintf(m->init_id, sizeof m->init_id, "%s", init_id);
    snprintf(m->parent, sizeof m->parent, "%s", parent);
    pthread_mutex_lock(&ls->mu);
    ls->mounts = xrealloc(ls->mounts, (ls->nmounts + 1) * sizeof *ls->mounts);
    ls->mounts[ls->nmounts++] = m;
    pthread_mutex_unlock(&ls->mu);
    pthread_mutex_unlock(&ls->write_mu);
    log_debug("layerstore: RW layer %.12s for %.12s on %.19s", mount_id, name,
              *parent ? parent : "(none)");
    return 0;
fail:
    layerstore_mount_discard(ls, name, mount_id, init_id);
fail_nodir:
    pthread_mutex_unlock(&ls->write_mu);
    if (pl)
        layerstore_release(ls, parent, NULL, NULL, NULL);
    return dctl_error_prefix(err, "create RW layer");
}

int
layerstore_mount_get(struct layerstore *ls, const char *name, char **path, dctl_error_t *err)
{
    struct layer_mount *m;
    char mount_id[LAYERSTORE_CACHE_ID_LEN + 1];
    const char *p = NULL;

    pthread_mutex_lock(&ls->write_mu);
    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    if (m)
        snprintf(mount_id, sizeof mount_id, "%s", m->mount_id);
    pthread_mutex_unlock(&ls->mu);
    if (m == NULL) {
        pthread_mutex_unlock(&ls->write_mu);
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "no RW layer for %.12s", name);
    }
    if (m->active == 0) {
        if (ls->ops->get(ls->priv, mount_id, &p, err) < 0) {
            pthread_mutex_unlock(&ls->write_mu);
            return -1;
        }
        free(m->path);
        m->path = xstrdup(p);
    }
    m->active++;
    *path = xstrdup(m->path);
    pthread_mutex_unlock(&ls->write_mu);
    return 0;
}

int
layerstore_mount_put(struct layerstore *ls, const char *name, dctl_error_t *err)
{
    struct layer_mount *m;
    int rc = 0;

    pthread_mutex_lock(&ls->write_mu);
    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    pthread_mutex_unlock(&ls->mu);
    if (m && m->active > 0 && --m->active == 0) {
        rc = ls->ops->put(ls->priv, m->mount_id, err);
        free(m->path);
        m->path = NULL;
    }
    pthread_mutex_unlock(&ls->write_mu);
    return rc;
}

int
layerstore_mount_remove(struct layerstore *ls, const char *name, dctl_error_t *err)
{
    struct layer_mount *m;
    dctl_error_t perr = NULL;

    pthread_mutex_lock(&ls->write_mu);
    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    if (m)
        layerstore_mount_unlink_locked(ls, m);
    pthread_mutex_unlock(&ls->mu);
    if (m == NULL) {
        pthread_mutex_unlock(&ls->write_mu);
        return 0;
    }
    if (m->active > 0 && ls->ops->put(ls->priv, m->mount_id, &perr) < 0) {
        cleanup_free char *text = dctl_error_text(perr);

        log_warn("layerstore: unmount RW layer of %.12s: %s", name, text);
        dctl_error_free(perr);
    }
    layerstore_mount_discard(ls, name, m->mount_id, m->init_id);
    pthread_mutex_unlock(&ls->write_mu);
    if (*m->parent)
        layerstore_release(ls, m->parent, NULL, NULL, NULL);
    log_debug("layerstore: removed RW layer of %.12s", name);
    free(m->path);
    free(m);
    (void)err;
    return 0;
}

int
layerstore_mount_diff(struct layerstore *ls, const char *name, int fd, dctl_error_t *err)
{
    struct layer_mount *m;
    char mount_id[LAYERSTORE_CACHE_ID_LEN + 1], init_id[LAYERSTORE_CACHE_ID_LEN + 6];
    int rc;

    pthread_mutex_lock(&ls->write_mu);
    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    if (m) {
        snprintf(mount_id, sizeof mount_id, "%s", m->mount_id);
        snprintf(init_id, sizeof init_id, "%s", m->init_id);
    }
    pthread_mutex_unlock(&ls->mu);
    if (m == NULL) {
        pthread_mutex_unlock(&ls->write_mu);
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "no RW layer for %.12s", name);
    }
    rc = layerstore_driver_diff(ls, mount_id, init_id, fd, err);
    pthread_mutex_unlock(&ls->write_mu);
    return rc < 0 ? dctl_error_prefix(err, "diff of the RW layer of %.12s", name) : 0;
}

int
layerstore_mount_changes(struct layerstore *ls, const char *name, char **json,
                         dctl_error_t *err)
{
    char mount_id[LAYERSTORE_CACHE_ID_LEN + 1], init_id[LAYERSTORE_CACHE_ID_LEN + 6];
    cleanup_free char *path = NULL;
    struct layer_mount *m;
    int rc;

    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    if (m) {
        snprintf(mount_id, sizeof mount_id, "%s", m->mount_id);
        snprintf(init_id, sizeof init_id, "%s", m->init_id);
    }
    pthread_mutex_unlock(&ls->mu);
    if (m == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "no RW layer for %.12s", name);
    if (ls->ops->changes == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_IMPLEMENTED, 0,
                              "the storage driver cannot list changes");
    if (layerstore_mount_get(ls, name, &path, err) < 0)
        return -1;
    rc = ls->ops->changes(ls->priv, mount_id, init_id, json, err);
    layerstore_mount_put(ls, name, NULL);
    return rc;
}

bool
layerstore_mount_exists(struct layerstore *ls, const char *name,
                        char mount_id[LAYERSTORE_CACHE_ID_LEN + 1])
{
    struct layer_mount *m;

    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    if (m && mount_id)
        snprintf(mount_id, LAYERSTORE_CACHE_ID_LEN + 1, "%s", m->mount_id);
    pthread_mutex_unlock(&ls->mu);
    return m != NULL;
}

size_t
layerstore_mount_count(struct layerstore *ls)
{
    size_t n;

    pthread_mutex_lock(&ls->mu);
    n = ls->nmounts;
    pthread_mutex_unlock(&ls->mu);
    return n;
}

int
layerstore_mount_size(struct layerstore *ls, const char *name, int64_t *size, dctl_error_t *err)
{
    char mount_id[LAYERSTORE_CACHE_ID_LEN + 1], init_id[LAYERSTORE_CACHE_ID_LEN + 6];
    cleanup_free char *path = NULL, *json = NULL;
    cleanup_json struct json_object *changes = NULL;
    cleanup_close int rootfd = -1;
    struct layer_mount *m;
    size_t i;
    int rc;

    *size = 0;
    pthread_mutex_lock(&ls->mu);
    m = layerstore_mount_find_locked(ls, name);
    if (m) {
        snprintf(mount_id, sizeof mount_id, "%s", m->mount_id);
        snprintf(init_id, sizeof init_id, "%s", m->init_id);
    }
    pthread_mutex_unlock(&ls->mu);
    if (m == NULL)
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "no RW layer for %.12s", name);
    if (ls->ops->changes == NULL)
        return 0;
    if (layerstore_mount_get(ls, name, &path, err) < 0)
        return -1;
    rc = ls->ops->changes(ls->priv, mount_id, init_id, &json, err);
    if (rc == 0)
        changes = json_parse(json, strlen(json), "layer changes", err);
    rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (i = 0; changes && rootfd >= 0 && json_object_is_type(changes, json_type_array) &&
                i < json_object_array_length(changes); i++) {
        struct json_object *c = json_object_array_get_idx(changes, i);
        const char *p = json_get_string(c, "Path");
        struct stat st;

        if (p == NULL || json_get_int64(c, "Kind", 2) == 2)   /* deleted */
            continue;
        while (*p == '/')
            p++;
        if (*p && fstatat(rootfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
            *size += st.st_size;
    }
    layerstore_mount_put(ls, name, NULL);
    return changes ? 0 : -1;
}
