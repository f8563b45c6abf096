/* daemon/blobstore.c - content-addressed blobs under ROOT/blobs/sha256: hashed while
 * written to a temporary file, verified, fsync'd and renamed into place. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blobstore.h"
#include "lib/file.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define BLOBSTORE_TMP_PREFIX ".tmp-"

struct blobstore {
    char *dir; /* ROOT/blobs/sha256 */
    int dirfd;
};

/* Distinguishes temporary files of concurrent writers in one process. */
static unsigned long blobstore_tmp_seq;

static void
blobstore_remove_stale(struct blobstore *bs)
{
    cleanup_close int fd = openat(bs->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    struct dirent *de;

    if (fd < 0 || (d = fdopendir(fd)) == NULL)
        return;
    steal_fd(&fd);
    while ((de = readdir(d)) != NULL)
        if (util_has_prefix(de->d_name, BLOBSTORE_TMP_PREFIX))
            unlinkat(bs->dirfd, de->d_name, 0);
    closedir(d);
}

struct blobstore *
blobstore_open(const char *root, dctl_error_t *err)
{
    struct blobstore *bs;
    cleanup_free char *dir = xasprintf("%s/blobs/sha256", root);
    int fd;

    if (file_mkdir_p(dir, 0700, err) < 0) {
        dctl_error_prefix(err, "blob store");
        return NULL;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "blob store: open %s", dir);
        return NULL;
    }
    bs = xcalloc(1, sizeof *bs);
    bs->dir = steal_ptr(&dir);
    bs->dirfd = fd;
    blobstore_remove_stale(bs);
    return bs;
}

void
blobstore_free(struct blobstore *bs)
{
    if (bs == NULL)
        return;
    close(bs->dirfd);
    free(bs->dir);
    free(bs);
}

static int
blobstore_check_digest(const char *digest, dctl_error_t *err)
{
    if (digest_validate_sha256(digest, err) < 0)
        return dctl_error_prefix(err, "invalid digest %s", digest);
    return 0;
}

static int
blobstore_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The source of a write: an fd, or a buffer when fd < 0. */
struct blobstore_src {
    int fd;
    const char *data;
    size_t len;
};

static int
blobstore_copy(struct blobstore_src *src, int tmpfd, int64_t expected_size, char *buf,
               size_t bufsize, struct digest_ctx *ctx, uint64_t *total, dctl_error_t *err)
{
    for (;;) {
        size_t want = bufsize;
        ssize_t n;

        if (src->fd < 0) {
            if (blobstore_write_all(tmpfd, src->data, src->len) < 0)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write blob");
            digest_ctx_update(ctx, src->data, src->len);
            *total += src->len;
            return 0;
        }
        /* With a known size read at most one byte past it: enough to tell it is long. */
        if (expected_size >= 0 && (uint64_t)expected_size + 1 - *total < want)
            want = (size_t)((uint64_t)expected_size + 1 - *total);
        n = read(src->fd, buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read blob content");
        if (n == 0)
            return 0;
        if (blobstore_write_all(tmpfd, buf, (size_t)n) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write blob");
        digest_ctx_update(ctx, buf, (size_t)n);
        *total += (uint64_t)n;
        if (expected_size >= 0 && *total > (uint64_t)expected_size)
            return 0;
    }
}

static int
blobstore_store(struct blobstore *bs, struct blobstore_src *src, const char *expected,
                int64_t expected_size, char out[DIGEST_STRING_MAX], uint64_t *size,
                dctl_error_t *err)
{
    cleanup_free char *tmp = NULL, *buf = NULL;
    cleanup_close int fd = -1;
    char got[DIGEST_STRING_MAX];
    struct digest_ctx ctx;
    uint64_t total = 0;

    if (expected && blobstore_check_digest(expected, err) < 0)
        return -1;
    tmp = xasprintf(BLOBSTORE_TMP_PREFIX "%ld-%lu", (long)getpid(),
                    __atomic_add_fetch(&blobstore_tmp_seq, 1, __ATOMIC_RELAXED));
    fd = openat(bs->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create blob in %s", bs->dir);
    if (src->fd >= 0)
        buf = xmalloc(65536);
    digest_ctx_init(&ctx, DIGEST_SHA256);
    if (blobstore_copy(src, fd, expected_size, buf, 65536, &ctx, &total, err) < 0)
        goto fail;
    digest_ctx_final(&ctx, got);
    if (expected_size >= 0 && total < (uint64_t)expected_size) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "unexpected EOF: expected %" PRId64 " bytes, got %" PRIu64, expected_size,
                       total);
        goto fail;
    }
    if (expected_size >= 0 && total > (uint64_t)expected_size) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "size mismatch: expected %" PRId64 " bytes, got more", expected_size);
        goto fail;
    }
    if (expected && strcmp(expected, got) != 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "digest mismatch: expected %s, got %s", expected,
                       got);
        goto fail;
    }
    if (fsync(fd) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "fsync blob %s", got);
        goto fail;
    }
    /* Two writers of one blob rename identical content onto one name: either wins. */
    if (renameat(bs->dirfd, tmp, bs->dirfd, digest_hex(got)) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "commit blob %s", got);
        goto fail;
    }
    fsync(bs->dirfd);
    if (out)
        memcpy(out, got, DIGEST_STRING_MAX);
    if (size)
        *size = total;
    return 0;

fail:
    unlinkat(bs->dirfd, tmp, 0);
    return -1;
}

int
blobstore_write_fd(struct blobstore *bs, int fd, const char *expected, int64_t expected_size,
                   char out[DIGEST_STRING_MAX], uint64_t *size, dctl_error_t *err)
{
    struct blobstore_src src = { .fd = fd };

    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, EBADF, "write blob");
    return blobstore_store(bs, &src, expected, expected_size, out, size, err);
}

int
blobstore_write(struct blobstore *bs, const void *data, size_t len, const char *expected,
                char out[DIGEST_STRING_MAX], dctl_error_t *err)
{
    struct blobstore_src src = { .fd = -1, .data = data, .len = len };

    return blobstore_store(bs, &src, expected, -1, out, NULL, err);
}

int
blobstore_open_blob(struct blobstore *bs, const char *digest, dctl_error_t *err)
{
    int fd;

    if (blobstore_check_digest(digest, err) < 0)
        return -1;
    fd = openat(bs->dirfd, digest_hex(digest), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "content digest %s: not found", digest);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open blob %s", digest);
    return fd;
}

char *
blobstore_read(struct blobstore *bs, const char *digest, size_t *len, dctl_error_t *err)
{
    cleanup_free char *data = NULL;
    cleanup_error dctl_error_t rerr = NULL;
    char got[DIGEST_STRING_MAX];
    size_t n;

    if (blobstore_check_digest(digest, err) < 0)
        return NULL;
    data = file_read_all(bs->dirfd, digest_hex(digest), &n, &rerr);
    if (data == NULL) {
        if (rerr->kind == DCTL_ERR_NOT_FOUND)
            dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "content digest %s: not found", digest);
        else if (err && *err == NULL)
            *err = steal_ptr(&rerr);
        return NULL;
    }
    digest_buffer(data, n, got);
    if (strcmp(got, digest) != 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "blob %s is corrupt: its content has digest %s",
                       digest, got);
        return NULL;
    }
    if (len)
        *len = n;
    return steal_ptr(&data);
}

bool
blobstore_exists(struct blobstore *bs, const char *digest)
{
    struct stat st;

    if (digest_validate_sha256(digest, NULL) < 0)
        return false;
    return fstatat(bs->dirfd, digest_hex(digest), &st, 0) == 0 && S_ISREG(st.st_mode);
}

int64_t
blobstore_size(struct blobstore *bs, const char *digest, dctl_error_t *err)
{
    struct stat st;

    if (blobstore_check_digest(digest, err) < 0)
        return -1;
    if (fstatat(bs->dirfd, digest_hex(digest), &st, 0) < 0) {
        if (errno == ENOENT)
            return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "content digest %s: not found",
                                  digest);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat blob %s", digest);
    }
    return (int64_t)st.st_size;
}

int
blobstore_delete(struct blobstore *bs, const char *digest, dctl_error_t *err)
{
    if (blobstore_check_digest(digest, err) < 0)
        return -1;
    if (unlinkat(bs->dirfd, digest_hex(digest), 0) < 0) {
        if (errno == ENOENT)
            return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "content digest %s: not found",
                                  digest);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "remove blob %s", digest);
    }
    fsync(bs->dirfd);
    return 0;
}

static int
blobstore_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
blobstore_list(struct blobstore *bs, size_t *n, dctl_error_t *err)
{
    cleanup_close int fd = openat(bs->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char **list = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    DIR *d;

    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "list %s", bs->dir);
        return NULL;
    }
    steal_fd(&fd);
    while ((de = readdir(d)) != NULL) {
        if (!digest_is_hex_id(de->d_name))
            continue; /* temporary files and strays */
        if (count + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            list = xrealloc(list, cap * sizeof *list);
        }
        list[count++] = xasprintf("sha256:%s", de->d_name);
    }
    closedir(d);
    if (list == NULL)
        list = xcalloc(1, sizeof *list);
    list[count] = NULL;
    qsort(list, count, sizeof *list, blobstore_cmp);
    if (n)
        *n = count;
    return list;
}

void
blobstore_list_free(char **list)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; list[i]; i++)
        free(list[i]);
    free(list);
}

char *
blobstore_path(struct blobstore *bs, const char *digest, dctl_error_t *err)
{
    if (blobstore_check_digest(digest, err) < 0)
        return NULL;
    return xasprintf("%s/%s", bs->dir, digest_hex(digest));
}
