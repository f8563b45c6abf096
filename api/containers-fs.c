/* api/containers-fs.c - a container's filesystem, each request a worker job on the
 * mounted RW layer: GET /containers/{id}/changes (what the RW layer changed against its
 * init layer: Kind 0 modified, 1 added, 2 deleted), GET /containers/{id}/export (a tar
 * of the whole root, spooled to an unlinked file in data-root/tmp and sent from it), and
 * docker cp: HEAD /containers/{id}/archive (a path's stat in the
 * X-Docker-Container-Path-Stat header, base64 JSON), GET (that header and a tar of the
 * path, its entries named after the path's base name) and PUT (a tar extracted into a
 * directory of the container). Every path is resolved inside the container's
 * root with openat2(RESOLVE_IN_ROOT): ".." and symlinks, absolute or not, cannot lead
 * out of it, and tar_apply refuses entries that would land outside the directory. The
 * container's RW layer is mounted for the time of the copy (running or not). A path
 * under a bind mount's destination (the longest one, after a lexical clean) is served
 * from the mount's source instead, resolved inside that source as inside the root;
 * PUT refuses a read-only bind and, with ReadonlyRootfs, the root, as dockerd does. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/image.h"
#include "daemon/layerstore.h"
#include "daemon/worker.h"
#include "lib/json.h"
#include "lib/tar.h"
#include "lib/tarshift.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

enum arc_kind { ARC_HEAD, ARC_GET, ARC_PUT, ARC_CHANGES, ARC_EXPORT };

/* Owner: the job from submit to its done callback; the request only points at it. */
struct arc_job {
    enum arc_kind kind;
    struct api_request *req;
    struct image_service *svc;
    struct container *c;
    char *path;          /* as asked, made absolute */
    int fd;              /* GET: the tar spool; PUT: the uploaded tar */
    uint64_t size;
    char *stat_header;   /* base64 JSON */
    char *json;          /* CHANGES: the driver's list */
    struct json_object *mounts; /* HEAD/GET/PUT: the container's MountPoints */
    bool readonly_root;
    bool submitted;
};

static void
arc_job_free(struct arc_job *j)
{
    container_unref(j->c);
    free(j->path);
    free(j->stat_header);
    free(j->json);
    if (j->mounts)
        json_object_put(j->mounts);
    if (j->fd >= 0)
        close(j->fd);
    free(j);
}

static int
arc_openat2(int dirfd, const char *path, int flags)
{
    struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
                            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static char *
arc_base64(const unsigned char *in, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
    size_t i;

    for (i = 0; i + 2 < len; i += 3) {
        *o++ = tbl[in[i] >> 2];
        *o++ = tbl[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        *o++ = tbl[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
        *o++ = tbl[in[i + 2] & 63];
    }
    if (i < len) {
        *o++ = tbl[in[i] >> 2];
        if (i + 1 < len) {
            *o++ = tbl[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
            *o++ = tbl[(in[i + 1] & 15) << 2];
        } else {
            *o++ = tbl[(in[i] & 3) << 4];
            *o++ = '=';
        }
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

/* Go's os.FileMode of st: type bits high, permission bits low. */
static uint32_t
arc_go_mode(const struct stat *st)
{
    uint32_t m = st->st_mode & 0777;

    if (S_ISDIR(st->st_mode))
        m |= 1u << 31;
    else if (S_ISLNK(st->st_mode))
        m |= 1u << 27;
    else if (S_ISFIFO(st->st_mode))
        m |= 1u << 25;
    else if (S_ISSOCK(st->st_mode))
        m |= 1u << 24;
    else if (S_ISBLK(st->st_mode))
        m |= 1u << 26;
    else if (S_ISCHR(st->st_mode))
        m |= (1u << 26) | (1u << 21);
    if (st->st_mode & S_ISUID)
        m |= 1u << 23;
    if (st->st_mode & S_ISGID)
        m |= 1u << 22;
    if (st->st_mode & S_ISVTX)
        m |= 1u << 20;
    return m;
}

/* Splits the absolute path into its parent and base name; "/x/." is x's contents. */
static void
arc_split(const char *path, char **parent, char **base, bool *contents)
{
    cleanup_free char *p = xstrdup(path);
    size_t n = strlen(p);
    char *slash;

    *contents = n >= 2 && strcmp(p + n - 2, "/.") == 0;
    if (*contents)
        p[n - 2] = '\0';
    n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    slash = strrchr(p, '/');
    if (slash == NULL || slash[1] == '\0') {   /* the root itself */
        *parent = xstrdup("/");
        *base = xstrdup(".");
        return;
    }
    *base = xstrdup(slash + 1);
    *parent = slash == p ? xstrdup("/") : xstrndup(p, (size_t)(slash - p));
}

static int
arc_not_found(struct arc_job *j, dctl_error_t *err)
{
    return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0,
                          "Could not find the file %s in container %s", j->path, j->c->name + 1);
}

/* The tars of docker cp and export, through the daemon's --userns-remap when there is
 * one (as dockerd's archive with its IDMap): what goes in gets host IDs, what comes out
 * the container's. */
struct arc_tar {
    const char *dir, *name, *as;   /* tar_write_path, or tar_write_dir of dir */
    bool whole;
};

static int
arc_tar_write_cb(void *arg, int fd, dctl_error_t *err)
{
    struct arc_tar *t = arg;

    if (t->whole)
        return tar_write_dir(fd, t->dir, TAR_WRITE_FULL, err);
    return tar_write_path(fd, t->dir, t->name, t->as, err);
}

static int
arc_tar_apply_cb(void *arg, int fd, dctl_error_t *err)
{
    struct arc_tar *t = arg;

    return tar_apply(fd, t->dir, TAR_WHITEOUT_DELETE, NULL, err);
}

static int
arc_tar_write(struct arc_job *j, struct arc_tar *t, dctl_error_t *err)
{
    const struct idmap *map = layerstore_idmap(j->svc->layers);

    if (map == NULL)
        return arc_tar_write_cb(t, j->fd, err);
    return tarshift_produce(map, IDMAP_TO_CONTAINER, j->fd, arc_tar_write_cb, t, err);
}

static int
arc_tar_apply(struct arc_job *j, struct arc_tar *t, dctl_error_t *err)
{
    const struct idmap *map = layerstore_idmap(j->svc->layers);

    if (map == NULL)
        return arc_tar_apply_cb(t, j->fd, err);
    return tarshift_consume(map, IDMAP_TO_HOST, j->fd, arc_tar_apply_cb, t, err);
}

/* path cleaned as Go's filepath.Clean (absolute): "." dropped, ".." applied, no
 * doubled or trailing slashes; "/x/." keeps its "/." (the directory's contents). */
static char *
arc_clean(const char *path)
{
    size_t n = strlen(path), len = 0;
    bool contents = n >= 2 && strcmp(path + n - 2, "/.") == 0;
    char *out = xmalloc(n + 4);
    const char *p = path;

    while (*p) {
        size_t k;

        while (*p == '/')
            p++;
        k = strcspn(p, "/");
        if (k == 0)
            break;
        if (k == 2 && strncmp(p, "..", 2) == 0) {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else if (!(k == 1 && *p == '.')) {
            out[len++] = '/';
            memcpy(out + len, p, k);
            len += k;
        }
        p += k;
    }
    if (len == 0)
        out[len++] = '/';
    if (contents)
        len += (size_t)sprintf(out + len, "%s.", out[len - 1] == '/' ? "" : "/");
    out[len] = '\0';
    return out;
}

/* Where a cleaned path lives: the bind mount whose destination is its longest prefix
 * (its source, and the rest of the path under it), or the root. Sets *rel (the path to
 * look up from *base_dir) and, for a file bind, *as (the name in the container). */
struct arc_where {
    char *base_dir;   /* NULL: the container's root */
    char *rel;
    char *as;         /* the name to report and archive under, or NULL for rel's own */
    bool ro;
};

static void
arc_where_fini(struct arc_where *w)
{
    free(w->base_dir);
    free(w->rel);
    free(w->as);
}

static int
arc_locate(struct arc_job *j, const char *path, struct arc_where *w, dctl_error_t *err)
{
    size_t i, best = 0;
    const char *src = NULL;
    bool ro = false;
    struct stat st;

    memset(w, 0, sizeof *w);
    for (i = 0; j->mounts && i < json_object_array_length(j->mounts); i++) {
        struct json_object *m = json_object_array_get_idx(j->mounts, i);
        const char *type = json_get_string(m, "Type"), *dst = json_get_string(m, "Destination");
        size_t n = dst ? strlen(dst) : 0;

        while (n > 1 && dst[n - 1] == '/')
            n--;
        if (!type || strcmp(type, "bind") || n == 0 || n <= best || !json_get_string(m, "Source"))
            continue;
        if (strncmp(path, dst, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 1)) {
            best = n;
            src = json_get_string(m, "Source");
            ro = !json_get_bool(m, "RW", true);
        }
    }
    if (src == NULL) {
        w->rel = xstrdup(path);
        return 0;
    }
    w->ro = ro;
    if (stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {   /* a file bound on a file */
        const char *slash = strrchr(src, '/'), *pslash = strrchr(path, '/');

        if (path[best] != '\0')
            return arc_not_found(j, err);
        w->base_dir = slash == src ? xstrdup("/") : xstrndup(src, (size_t)(slash - src));
        w->rel = xasprintf("/%s", slash + 1);
        w->as = xstrdup(pslash + 1);
        return 0;
    }
    w->base_dir = xstrdup(src);
    w->rel = xstrdup(path[best] ? path + best : "/");
    return 0;
}

static int arc_run_at(struct arc_job *j, int rootfd, const struct arc_where *w,
                      dctl_error_t *err);

/* HEAD, GET or PUT of j->path in the container mounted at root (or a bind's source). */
static int
arc_run_locked(struct arc_job *j, const char *root, dctl_error_t *err)
{
    cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *clean = arc_clean(j->path);
    struct arc_where w;
    int rc;

    if (rootfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", root);
    if (arc_locate(j, clean, &w, err) < 0)
        return -1;
    if (w.base_dir) {   /* under a bind mount: its source is the root of the lookup */
        close(rootfd);
        rootfd = open(w.base_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
            arc_where_fini(&w);
            return arc_not_found(j, err);
        }
    }
    rc = arc_run_at(j, rootfd, &w, err);
    arc_where_fini(&w);
    return rc;
}

/* HEAD, GET or PUT of w->rel, resolved inside rootfd. */
static int
arc_run_at(struct arc_job *j, int rootfd, const struct arc_where *w, dctl_error_t *err)
{
    cleanup_close int pfd = -1;
    cleanup_free char *parent = NULL, *base = NULL, *dirpath = NULL, *json = NULL;
    cleanup_json struct json_object *st_o = NULL;
    const char *as;
    struct stat st;
    bool contents;
    char mtime[64], target[4096] = "";
    struct tm tm;

    if (j->kind == ARC_PUT) {   /* the directory, symlinks followed inside the root */
        cleanup_close int dfd = -1;
        cleanup_free char *dpath = NULL;
        struct arc_tar t = { 0 };

        if (w->ro || (w->base_dir == NULL && j->readonly_root))
            return dctl_error_set(err, DCTL_ERR_FORBIDDEN, 0, w->ro
                                  ? "mounted volume is marked read-only"
                                  : "container rootfs is marked read-only");
        dfd = arc_openat2(rootfd, w->rel, O_RDONLY | O_DIRECTORY);
        if (dfd < 0 && errno == ENOTDIR)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "extraction point is not a "
                                                            "directory");
        if (dfd < 0)
            return arc_not_found(j, err);
        dpath = xasprintf("/proc/self/fd/%d", dfd);
        if (lseek(j->fd, 0, SEEK_SET) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the upload");
        t.dir = dpath;
        if (arc_tar_apply(j, &t, err) < 0)
            return dctl_error_prefix(err, "extract to %s", j->path);
        return 0;
    }
    arc_split(w->rel, &parent, &base, &contents);
    as = contents ? "." : w->as ? w->as : base;
    pfd = arc_openat2(rootfd, parent, O_RDONLY | O_DIRECTORY);
    if (pfd < 0)
        return arc_not_found(j, err);
    if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return arc_not_found(j, err);
    dirpath = xasprintf("/proc/self/fd/%d", pfd);
    /* the stat header */
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(pfd, base, target, sizeof target - 1);

        target[n > 0 ? n : 0] = '\0';
    }
    gmtime_r(&st.st_mtim.tv_sec, &tm);
    strftime(mtime, sizeof mtime, "%Y-%m-%dT%H:%M:%SZ", &tm);
    st_o = json_object_new_object();
    json_add_string(st_o, "name", as);
    json_add_int64(st_o, "size", st.st_size);
    json_add_int64(st_o, "mode", arc_go_mode(&st));
    json_add_string(st_o, "mtime", mtime);
    json_add_string(st_o, "linkTarget", target);
    json = json_to_string(st_o);
    j->stat_header = arc_base64((const unsigned char *)json, strlen(json));
    if (j->kind == ARC_HEAD)
        return 0;
    j->fd = open(j->svc->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (j->fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create a spool file in %s",
                              j->svc->tmp_dir);
    if (arc_tar_write(j, &(struct arc_tar){ .dir = dirpath, .name = base, .as = as }, err) < 0)
        return dctl_error_prefix(err, "archive %s", j->path);
    if (fstat(j->fd, &st) < 0 || lseek(j->fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the archive");
    j->size = (uint64_t)st.st_size;
    return 0;
}

/* A tar of the whole root into a spool file. */
static int
arc_export(struct arc_job *j, const char *root, dctl_error_t *err)
{
    struct stat st;

    j->fd = open(j->svc->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (j->fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create a spool file in %s",
                              j->svc->tmp_dir);
    if (arc_tar_write(j, &(struct arc_tar){ .dir = root, .whole = true }, err) < 0)
        return dctl_error_prefix(err, "export %.12s", j->c->id);
    if (fstat(j->fd, &st) < 0 || lseek(j->fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind the export");
    j->size = (uint64_t)st.st_size;
    return 0;
}

static int
arc_run(void *job, dctl_error_t *err)
{
    struct arc_job *j = job;
    cleanup_free char *root = NULL;
    int rc;

    if (j->kind == ARC_CHANGES)
        return layerstore_mount_changes(j->svc->layers, j->c->id, &j->json, err);
    if (layerstore_mount_get(j->svc->layers, j->c->id, &root, err) < 0)
        return -1;
    rc = j->kind == ARC_EXPORT ? arc_export(j, root, err) : arc_run_locked(j, root, err);
    layerstore_mount_put(j->svc->layers, j->c->id, NULL);
    return rc;
}

static void
arc_done_cb(void *job, int status, dctl_error_t err)
{
    struct arc_job *j = job;
    struct api_request *req = j->req;

    if (req) {
        req->data = NULL;
        req->data_free = NULL;
    }
    if (status == 0 && (j->kind == ARC_GET || j->kind == ARC_PUT))
        container_emit(j->c, j->kind == ARC_GET ? "archive-path" : "extract-to-dir", "path",
                       j->path, NULL);
    else if (status == 0 && j->kind == ARC_EXPORT)
        container_emit(j->c, "export", NULL);
    if (req == NULL) {
        dctl_error_free(err);
    } else if (status < 0) {
        api_reply_error(req, err);
    } else if (j->kind == ARC_CHANGES) {
        cleanup_json struct json_object *a = json_parse(j->json, strlen(j->json), "changes",
                                                        &err);

        if (a == NULL)
            api_reply_error(req, err);
        else
            api_reply_json(req, 200, steal_ptr(&a));
    } else if (j->kind == ARC_EXPORT) {
        api_reply_fd(req, 200, "application/x-tar", j->fd, j->size);
        j->fd = -1;   /* MHD's now */
    } else if (j->kind == ARC_HEAD) {
        api_reply_empty(req, 200);
        api_reply_header(req, "X-Docker-Container-Path-Stat", j->stat_header);
    } else if (j->kind == ARC_GET) {
        api_reply_fd(req, 200, "application/x-tar", j->fd, j->size);
        j->fd = -1;   /* MHD's now */
        api_reply_header(req, "X-Docker-Container-Path-Stat", j->stat_header);
    } else {
        api_reply_empty(req, 200);
    }
    if (req)
        api_request_resume(req);
    arc_job_free(j);
}

static void
arc_release(void *data)
{
    struct arc_job *j = data;

    if (j->submitted)
        j->req = NULL;   /* the job frees it */
    else
        arc_job_free(j);
}

static void
arc_body_cb(struct api_request *req, const char *data, size_t len)
{
    struct arc_job *j = req->data;
    dctl_error_t err = NULL;

    if (data != NULL) {
        while (len) {
            ssize_t n = write(j->fd, data, len);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                dctl_error_set(&err, DCTL_ERR_INTERNAL, errno, "spool the upload");
                api_reply_error(req, err);
                return;
            }
            data += n;
            len -= (size_t)n;
        }
        return;
    }
    if (worker_submit(req->dctld->workers, arc_run, arc_done_cb, j, &err) < 0) {
        api_reply_error(req, err);
        return;
    }
    j->submitted = true;
    api_request_suspend(req);
}

static int
arc_start(struct api_request *req, enum arc_kind kind, dctl_error_t *err)
{
    const char *path = api_query(req, "path");
    struct container *c;
    struct arc_job *j;

    if (req->dctld->containers == NULL || req->dctld->images == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    c = container_lookup(req->dctld->containers, api_param(req, 0), err);
    if (c == NULL)
        return -1;
    if (kind != ARC_CHANGES && kind != ARC_EXPORT && (path == NULL || *path == '\0'))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "path is required");
    if (c->removed || c->status == CONTAINER_REMOVING || c->status == CONTAINER_DEAD)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "container %s is being removed",
                              c->id);
    j = xcalloc(1, sizeof *j);
    j->kind = kind;
    j->req = req;
    j->svc = req->dctld->images;
    j->c = container_ref(c);
    j->fd = -1;
    j->path = path == NULL ? xstrdup("/") : path[0] == '/' ? xstrdup(path)
                                                             : xasprintf("/%s", path);
    if (kind == ARC_HEAD || kind == ARC_GET || kind == ARC_PUT) {
        j->mounts = api_container_mounts(c);
        j->readonly_root = json_get_bool(c->hostconfig, "ReadonlyRootfs", false);
    }
    req->data = j;
    req->data_free = arc_release;
    if (kind == ARC_PUT) {   /* the tar is spooled as it comes, then applied */
        j->fd = open(j->svc->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (j->fd < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create a spool file in %s",
                                  j->svc->tmp_dir);
        req->body_cb = arc_body_cb;
        return 0;
    }
    if (worker_submit(req->dctld->workers, arc_run, arc_done_cb, j, err) < 0)
        return -1;   /* the request frees j */
    j->submitted = true;
    api_request_suspend(req);
    return 0;
}

static int
arc_head_handler(struct api_request *req, dctl_error_t *err)
{
    return arc_start(req, ARC_HEAD, err);
}

static int
arc_get_handler(struct api_request *req, dctl_error_t *err)
{
    return arc_start(req, ARC_GET, err);
}

static int
arc_put_handler(struct api_request *req, dctl_error_t *err)
{
    return arc_start(req, ARC_PUT, err);
}

static int
arc_changes_handler(struct api_request *req, dctl_error_t *err)
{
    return arc_start(req, ARC_CHANGES, err);
}

static int
arc_export_handler(struct api_request *req, dctl_error_t *err)
{
    return arc_start(req, ARC_EXPORT, err);
}

const struct api_route api_containers_fs_routes[] = {
    { API_GET, "/containers/{id}/changes", arc_changes_handler, 0 },
    { API_GET, "/containers/{id}/export", arc_export_handler, 0 },
    { API_HEAD, "/containers/{id}/archive", arc_head_handler, 0 },
    { API_GET, "/containers/{id}/archive", arc_get_handler, 0 },
    { API_PUT, "/containers/{id}/archive", arc_put_handler, API_BODY_STREAM },
    { 0, NULL, NULL, 0 },
};
