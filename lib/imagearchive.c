/* lib/imagearchive.c - reading and writing image archives (docker-archive and OCI image
 * layout). See imagearchive.h for the contract.
 *
 * Extraction never leaves the temporary directory: names are cleaned lexically (absolute
 * names and `..` refused), parents are opened one component at a time with O_NOFOLLOW
 * (so nothing is written through a symlink), and a symlink is only created when its
 * target, resolved lexically from its directory, stays inside. Paths from manifests are
 * checked the same way, then resolved with realpath() and compared with the directory
 * once more before anything is opened. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "archivelib.h"
#include "file.h"
#include "imagearchive.h"
#include "json.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

/* libarchive's error numbers for format errors (archive_private.h) */
#define IA_ERRNO_FILE_FORMAT EILSEQ
#define IA_ERRNO_MISC (-1)

#define IA_MAX_ENTRIES 1000000
#define IA_MAX_INDEX_DEPTH 8
#define IA_BUF_SIZE 65536

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define ANN_IMAGE_NAME "io.containerd.image.name"
#define ANN_REF_NAME "org.opencontainers.image.ref.name"

static const char *const ia_layer_media_types[] = {
    MT_OCI_LAYER,
    MT_OCI_LAYER "+gzip",
    MT_OCI_LAYER "+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    MT_DOCKER_LAYER,
    MT_DOCKER_LAYER ".gzip",
    MT_DOCKER_LAYER ".zstd",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

static int
ia_invalid(dctl_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
ia_invalid(dctl_error_t *err, const char *fmt, ...)
{
    cleanup_free char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid archive: %s", msg);
}

const char *
imagearchive_compression_name(enum imagearchive_compression c)
{
    switch (c) {
    case IMAGEARCHIVE_COMPRESSION_GZIP:
        return "gzip";
    case IMAGEARCHIVE_COMPRESSION_ZSTD:
        return "zstd";
    case IMAGEARCHIVE_COMPRESSION_BZIP2:
        return "bzip2";
    case IMAGEARCHIVE_COMPRESSION_XZ:
        return "xz";
    case IMAGEARCHIVE_COMPRESSION_NONE:
        break;
    }
    return "none";
}

const char *
imagearchive_host_arch(void)
{
    static const struct {
        const char *machine, *arch;
    } map[] = {
        { "x86_64", "amd64" }, { "aarch64", "arm64" },  { "armv7l", "arm" },
        { "armv6l", "arm" },   { "i686", "386" },       { "i386", "386" },
        { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
        { "mips64", "mips64" }, { "loongarch64", "loong64" },
    };
    struct utsname u;
    size_t i;

    if (uname(&u) < 0)
        return "amd64";
    for (i = 0; i < ARRAY_SIZE(map); i++)
        if (strcmp(u.machine, map[i].machine) == 0)
            return map[i].arch;
    return "amd64";
}

/* ---- paths ------------------------------------------------------------------ */

/* Cleans a relative path lexically ("./a//b/" -> "a/b"; "" is the top). NULL when it is
 * absolute or climbs above the top. */
static char *
ia_clean_path(const char *raw)
{
    size_t len = strlen(raw), o = 0;
    char *out = xmalloc(len + 1);
    const char *p = raw;

    if (*raw == '/') {
        free(out);
        return NULL;
    }
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* skip */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash;

            if (o == 0) {
                free(out);
                return NULL;
            }
            out[o] = '\0';
            slash = strrchr(out, '/');
            o = slash ? (size_t)(slash - out) : 0;
        } else {
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

/* True when the raw name has a `..` component (refused even if it would stay inside). */
static bool
ia_has_dotdot(const char *raw)
{
    const char *p = raw;

    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        if (*p == '/')
            p++;
    }
    return false;
}

/* Opens the directory rel (cleaned, "" is the top) beneath top, creating missing
 * components; refuses to pass through a symlink or a file. */
static int
ia_open_parent(int top, const char *rel, const char *name, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(rel);
    char *save = NULL, *comp;
    int cur = fcntl(top, F_DUPFD_CLOEXEC, 0);

    if (cur < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "dup");
    for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        int next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (next < 0 && errno == ENOENT) {
            if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
                int e = errno;

                close(cur);
                return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "create directory for %s",
                                      name);
            }
            next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        close(cur);
        if (next < 0) {
            cleanup_free char *q = util_quote(name);

            if (errno == ENOTDIR || errno == ELOOP)
                return ia_invalid(err, "entry \"%s\" passes through a symlink or a file", q);
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open directory for %s", q);
        }
        cur = next;
    }
    return cur;
}

/* ---- extraction --------------------------------------------------------------- */

static bool
ia_is_eof_error(struct archive *a)
{
    const char *s = archive_error_string(a);

    return s && (strstr(s, "runcated") || strstr(s, "remature") || strstr(s, "nexpected end"));
}

static int
ia_archive_error(struct archive *a, dctl_error_t *err)
{
    const char *s = archive_error_string(a);

    if (ia_is_eof_error(a))
        return ia_invalid(err, "unexpected EOF (%s)", s);
    if (s && strstr(s, "Unrecognized archive format"))
        return ia_invalid(err, "not a tar stream (%s)", s);
    if (archive_errno(a) != 0 && archive_errno(a) != IA_ERRNO_FILE_FORMAT &&
        archive_errno(a) != IA_ERRNO_MISC && archive_errno(a) != EINVAL)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, archive_errno(a), "read archive: %s",
                              s ? s : "unknown error");
    return ia_invalid(err, "%s", s ? s : "unreadable tar stream");
}

/* Refuses a compression filter outside the supported set. */
static int
ia_check_filters(struct archive *a, dctl_error_t *err)
{
    int i, n = archive_filter_count(a);

    for (i = 0; i < n; i++) {
        int code = archive_filter_code(a, i);

        if (code != ARCHIVE_FILTER_NONE && code != ARCHIVE_FILTER_GZIP &&
            code != ARCHIVE_FILTER_ZSTD && code != ARCHIVE_FILTER_BZIP2 &&
            code != ARCHIVE_FILTER_XZ)
            return ia_invalid(err, "unsupported compression (%s)", archive_filter_name(a, i));
    }
    return 0;
}

static int
ia_extract_file(struct archive *a, int pfd, const char *base, const char *name,
                uint64_t *total, uint64_t max, dctl_error_t *err)
{
    cleanup_close int fd = -1;
    char buf[IA_BUF_SIZE];

    if (unlinkat(pfd, base, 0) < 0 && errno != ENOENT) {
        cleanup_free char *q = util_quote(name);

        if (errno == EISDIR)
            return ia_invalid(err, "entry \"%s\": a file over a directory", q);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "replace %s", q);
    }
    fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create %s", name);
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        size_t off = 0;

        if (n == 0)
            return 0;
        if (n < 0)
            return ia_archive_error(a, err);
        *total += n;
        if (*total > max)
            return ia_invalid(err, "larger than the limit of %llu bytes",
                              (unsigned long long)max);
        while (off < (size_t)n) {
            ssize_t w = write(fd, buf + off, n - off);

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write %s", name);
            off += w;
        }
    }
}

/* A symlink is kept only when its target, resolved lexically from its directory, stays
 * inside the archive. */
static int
ia_extract_symlink(int pfd, const char *dir, const char *base, const char *name,
                   const char *target, dctl_error_t *err)
{
    cleanup_free char *joined = NULL, *clean = NULL;

    joined = xasprintf("%s%s%s", dir, *dir ? "/" : "", target);
    if (*target == '\0' || *target == '/' || !(clean = ia_clean_path(joined))) {
        cleanup_free char *q = util_quote(name), *t = util_quote(target);

        return ia_invalid(err, "symlink \"%s\" -> \"%s\" leads outside the archive", q, t);
    }
    if (unlinkat(pfd, base, 0) < 0 && errno != ENOENT)
        return ia_invalid(err, "entry \"%s\" replaces a directory", name);
    if (symlinkat(target, pfd, base) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create symlink %s", name);
    return 0;
}

static int
ia_extract_entry(struct archive *a, struct archive_entry *e, int top, uint64_t *total,
                 uint64_t max, dctl_error_t *err)
{
    const char *raw = archive_entry_pathname(e);
    cleanup_free char *name = NULL, *q = NULL, *dir = NULL;
    cleanup_close int pfd = -1;
    const char *base;
    char *slash;
    mode_t type = archive_entry_filetype(e);

    if (!raw)
        return ia_invalid(err, "tar entry without a name");
    q = util_quote(raw);
    if (*raw == '/' || ia_has_dotdot(raw) || !(name = ia_clean_path(raw)))
        return ia_invalid(err, "entry \"%s\" is outside the archive (path traversal)", q);
    if (*name == '\0')
        return 0;
    if (archive_entry_hardlink(e))
        return ia_invalid(err, "entry \"%s\": hard links are not supported", q);
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
        return ia_invalid(err, "entry \"%s\": unsupported entry type", q);
    if (type == AE_IFREG && archive_entry_size_is_set(e) &&
        (uint64_t)archive_entry_size(e) > max - *total)
        return ia_invalid(err, "larger than the limit of %llu bytes", (unsigned long long)max);

    slash = strrchr(name, '/');
    if (slash) {
        dir = xstrndup(name, slash - name);
        base = slash + 1;
    } else {
        dir = xstrdup("");
        base = name;
    }
    if (type == AE_IFDIR) {
        cleanup_close int dfd = ia_open_parent(top, name, raw, err);

        return dfd < 0 ? -1 : 0;
    }
    pfd = ia_open_parent(top, dir, raw, err);
    if (pfd < 0)
        return -1;
    if (type == AE_IFLNK) {
        const char *target = archive_entry_symlink(e);

        return ia_extract_symlink(pfd, dir, base, raw, target ? target : "", err);
    }
    return ia_extract_file(a, pfd, base, raw, total, max, err);
}

static int
ia_extract(int fd, const char *dir, uint64_t max, dctl_error_t *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    cleanup_close int top = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    uint64_t total = 0;
    size_t entries = 0;
    int rc = -1, r;

    if (top < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", dir);
        goto out;
    }
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, IA_BUF_SIZE) != ARCHIVE_OK) {
        ia_archive_error(a, err);
        goto out;
    }
    for (;;) {
        r = archive_read_next_header(a, &e);
        if (entries == 0 && ia_check_filters(a, err) < 0)
            goto out;
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            if (entries == 0 && !ia_is_eof_error(a)) {
                ia_invalid(err, "not a tar stream (%s)", archive_error_string(a));
                goto out;
            }
            ia_archive_error(a, err);
            goto out;
        }
        if (++entries > IA_MAX_ENTRIES) {
            ia_invalid(err, "more than %d entries", IA_MAX_ENTRIES);
            goto out;
        }
        if (ia_extract_entry(a, e, top, &total, max, err) < 0)
            goto out;
    }
    rc = 0;
out:
    archive_read_free(a);
    return rc;
}

/* ---- files named by the archive ---------------------------------------------- */

struct ia_ctx {
    char *dir;
    const char *arch;
    /* blobs already hashed: realpath -> digest and size */
    struct ia_verified {
        char *path;
        char digest[DIGEST_STRING_MAX];
        uint64_t size;
    } *verified;
    size_t n_verified;
};

/* The real path of rel beneath the archive, which must be a regular file. what names
 * the file in messages ("layer", "config"...). */
static char *
ia_resolve(struct ia_ctx *c, const char *where, const char *what, const char *rel,
           dctl_error_t *err)
{
    cleanup_free char *clean = NULL, *full = NULL, *q = util_quote(rel);
    char *real;
    size_t dlen = strlen(c->dir);
    struct stat st;

    if (*rel == '/' || ia_has_dotdot(rel) || !(clean = ia_clean_path(rel)) || !*clean) {
        ia_invalid(err, "%s: %s path \"%s\" is outside the archive", where, what, q);
        return NULL;
    }
    full = xasprintf("%s/%s", c->dir, clean);
    real = realpath(full, NULL);
    if (!real) {
        if (errno == ENOENT || errno == ENOTDIR)
            ia_invalid(err, "%s: missing %s file \"%s\"", where, what, q);
        else if (errno == ELOOP)
            ia_invalid(err, "%s: %s path \"%s\" is outside the archive", where, what, q);
        else
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "resolve %s", q);
        return NULL;
    }
    if (strncmp(real, c->dir, dlen) != 0 || real[dlen] != '/') {
        free(real);
        ia_invalid(err, "%s: %s path \"%s\" is outside the archive", where, what, q);
        return NULL;
    }
    if (lstat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
        free(real);
        ia_invalid(err, "%s: %s \"%s\" is not a regular file", where, what, q);
        return NULL;
    }
    return real;
}

/* sha256 of the file at real (cached) and its size. */
static int
ia_hash(struct ia_ctx *c, const char *real, char digest[DIGEST_STRING_MAX], uint64_t *size,
        dctl_error_t *err)
{
    cleanup_close int fd = -1;
    size_t i;

    for (i = 0; i < c->n_verified; i++)
        if (strcmp(c->verified[i].path, real) == 0) {
            memcpy(digest, c->verified[i].digest, DIGEST_STRING_MAX);
            *size = c->verified[i].size;
            return 0;
        }
    fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", real);
    if (digest_fd(fd, digest, size, err) < 0)
        return -1;
    c->verified = xrealloc(c->verified, (c->n_verified + 1) * sizeof *c->verified);
    c->verified[c->n_verified].path = xstrdup(real);
    memcpy(c->verified[c->n_verified].digest, digest, DIGEST_STRING_MAX);
    c->verified[c->n_verified].size = *size;
    c->n_verified++;
    return 0;
}

/* When rel names a blob ("blobs/sha256/<hex>"), the file must hash to that digest. */
static int
ia_verify_blob_path(struct ia_ctx *c, const char *rel, const char *real, dctl_error_t *err)
{
    cleanup_free char *clean = ia_clean_path(rel);
    char digest[DIGEST_STRING_MAX];
    uint64_t size;

    if (!clean || !util_has_prefix(clean, "blobs/sha256/") ||
        !digest_is_hex_id(clean + strlen("blobs/sha256/")))
        return 0;
    if (ia_hash(c, real, digest, &size, err) < 0)
        return -1;
    if (strcmp(digest_hex(digest), clean + strlen("blobs/sha256/")) != 0)
        return ia_invalid(err, "digest mismatch for %s: content is %s", clean, digest);
    return 0;
}

/* Reads a JSON file of the archive (bounded) into a NUL-terminated buffer. */
static char *
ia_read_small(const char *real, const char *what, size_t *len, dctl_error_t *err)
{
    struct stat st;

    if (stat(real, &st) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", what);
        return NULL;
    }
    if ((uint64_t)st.st_size > IMAGEARCHIVE_JSON_MAX) {
        ia_invalid(err, "%s is larger than %u bytes", what, IMAGEARCHIVE_JSON_MAX);
        return NULL;
    }
    return file_read_all(AT_FDCWD, real, len, err);
}

int
imagearchive_detect_compression(int fd, enum imagearchive_compression *out, dctl_error_t *err)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *name;
    } unsupported[] = {
        { "\x04\x22\x4d\x18", 4, "lz4" }, { "\x1f\x9d", 2, "compress" },
        { "LZIP", 4, "lzip" },            { "\x5d\x00\x00", 3, "lzma" },
        { "\x89LZO", 4, "lzop" },
    };
    unsigned char b[512];
    ssize_t n = 0, r;
    unsigned int sum = 0, want = 0;
    size_t i;
    bool zero = true;

    while (n < (ssize_t)sizeof b) {
        r = pread(fd, b + n, sizeof b - n, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read layer");
        if (r == 0)
            break;
        n += r;
    }
    if (lseek(fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "seek layer");
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return (*out = IMAGEARCHIVE_COMPRESSION_GZIP), 0;
    if (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
        return (*out = IMAGEARCHIVE_COMPRESSION_ZSTD), 0;
    if (n >= 3 && memcmp(b, "BZh", 3) == 0)
        return (*out = IMAGEARCHIVE_COMPRESSION_BZIP2), 0;
    if (n >= 6 && memcmp(b, "\xfd" "7zXZ\x00", 6) == 0)
        return (*out = IMAGEARCHIVE_COMPRESSION_XZ), 0;
    for (i = 0; i < ARRAY_SIZE(unsupported); i++)
        if ((size_t)n >= unsupported[i].len &&
            memcmp(b, unsupported[i].magic, unsupported[i].len) == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unsupported compression (%s)",
                                  unsupported[i].name);
    /* An empty layer, an all-zero end block, or a tar header whose checksum is right. */
    if (n == 0)
        return (*out = IMAGEARCHIVE_COMPRESSION_NONE), 0;
    for (i = 0; i < (size_t)n; i++)
        if (b[i])
            zero = false;
    if (n == (ssize_t)sizeof b) {
        for (i = 0; i < sizeof b; i++)
            sum += (i >= 148 && i < 156) ? ' ' : b[i];
        for (i = 148; i < 156 && (b[i] == ' ' || b[i] == '\0'); i++)
            ;
        for (; i < 156 && b[i] >= '0' && b[i] <= '7'; i++)
            want = want * 8 + (b[i] - '0');
        if (zero || sum == want)
            return (*out = IMAGEARCHIVE_COMPRESSION_NONE), 0;
    }
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "unsupported compression (not a tar stream, gzip, zstd, bzip2 or xz)");
}

int
imagearchive_layer_diff_id(const char *path, char out[DIGEST_STRING_MAX], uint64_t *size,
                           dctl_error_t *err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    enum imagearchive_compression comp;
    struct archive *a;
    struct archive_entry *e;
    struct digest_ctx ctx;
    uint64_t total = 0;
    char buf[IA_BUF_SIZE];
    int r, rc = -1;

    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
    if (imagearchive_detect_compression(fd, &comp, err) < 0)
        return -1;
    if (comp == IMAGEARCHIVE_COMPRESSION_NONE)
        return digest_fd(fd, out, size, err);

    if (archivelib_load(err) < 0)
        return -1;
    digest_ctx_init(&ctx, DIGEST_SHA256);
    a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    if (archive_read_open_fd(a, fd, IA_BUF_SIZE) != ARCHIVE_OK)
        goto fail;
    r = archive_read_next_header(a, &e);
    if (r != ARCHIVE_EOF) {
        if (r < ARCHIVE_WARN)
            goto fail;
        for (;;) {
            la_ssize_t n = archive_read_data(a, buf, sizeof buf);

            if (n == 0)
                break;
            if (n < 0)
                goto fail;
            digest_ctx_update(&ctx, buf, n);
            total += n;
        }
    }
    digest_ctx_final(&ctx, out);
    if (size)
        *size = total;
    rc = 0;
    goto out;
fail:
    dctl_error_set(err, DCTL_ERR_INVALID, 0, "decompress %s layer: %s",
                   imagearchive_compression_name(comp),
                   archive_error_string(a) ? archive_error_string(a) : "error");
out:
    archive_read_free(a);
    return rc;
}

/* ---- images --------------------------------------------------------------------- */

static void
ia_image_fini(struct imagearchive_image *img)
{
    size_t i;

    free(img->config);
    if (img->tags)
        reference_list_free(img->tags);
    for (i = 0; i < img->n_layers; i++) {
        free(img->layers[i].path);
        free(img->layers[i].media_type);
    }
    free(img->layers);
}

static void
ia_add_tag(struct imagearchive_image *img, struct reference *ref)
{
    cleanup_free char *s = reference_string(ref);
    size_t i;

    for (i = 0; i < img->n_tags; i++) {
        cleanup_free char *t = reference_string(img->tags[i]);

        if (strcmp(s, t) == 0) {
            reference_free(ref);
            return;
        }
    }
    img->tags = xrealloc(img->tags, (img->n_tags + 2) * sizeof *img->tags);
    img->tags[img->n_tags++] = ref;
    img->tags[img->n_tags] = NULL;
}

/* Adds img to a (taking its contents), merging it into an image with the same ID. */
static void
ia_add_image(struct imagearchive *a, struct imagearchive_image *img)
{
    size_t i, j;

    for (i = 0; i < a->n_images; i++) {
        struct imagearchive_image *o = &a->images[i];

        if (strcmp(o->id, img->id) != 0)
            continue;
        for (j = 0; j < img->n_tags; j++)
            ia_add_tag(o, steal_ptr(&img->tags[j]));
        img->n_tags = 0;
        if (!*o->manifest_digest)
            memcpy(o->manifest_digest, img->manifest_digest, DIGEST_STRING_MAX);
        ia_image_fini(img);
        return;
    }
    if (!img->tags) {
        img->tags = xcalloc(1, sizeof *img->tags);
    }
    a->images = xrealloc(a->images, (a->n_images + 1) * sizeof *a->images);
    a->images[a->n_images++] = *img;
}

/* Loads the config at real into img: its bytes, ID, and diff IDs (returned, lent from
 * *cfg_out which the caller frees). */
static int
ia_load_config(const char *where, const char *real, struct imagearchive_image *img,
               struct json_object **cfg_out, struct json_object **diff_ids,
               dctl_error_t *err)
{
    struct json_object *cfg, *rootfs, *ids;
    size_t i, n;

    img->config = ia_read_small(real, "config", &img->config_len, err);
    if (!img->config)
        return -1;
    digest_buffer(img->config, img->config_len, img->id);
    cfg = json_parse_object(img->config, img->config_len, "config", err);
    if (!cfg)
        return dctl_error_prefix(err, "invalid archive: %s", where);
    *cfg_out = cfg;
    if (!json_object_object_get_ex(cfg, "rootfs", &rootfs) ||
        !json_object_is_type(rootfs, json_type_object) ||
        !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
        !json_object_is_type(ids, json_type_array))
        return ia_invalid(err, "%s: config %.19s has no rootfs.diff_ids", where, img->id);
    n = json_object_array_length(ids);
    for (i = 0; i < n; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(ids, i));

        if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_string) ||
            digest_validate_sha256(s, err) < 0) {
            dctl_error_clear(err);
            return ia_invalid(err, "%s: config %.19s: invalid diff ID at %zu", where, img->id,
                              i);
        }
    }
    *diff_ids = ids;
    return 0;
}

static int
ia_check_layer_count(const char *where, const struct imagearchive_image *img, size_t layers,
                     struct json_object *ids, dctl_error_t *err)
{
    size_t n = json_object_array_length(ids);

    if (n != layers)
        return ia_invalid(err,
                          "%s: image %.19s has %zu layers but its config lists %zu diff IDs",
                          where, img->id, layers, n);
    return 0;
}

static int
ia_fill_layer(struct imagearchive_layer *l, struct json_object *ids, size_t i,
              const char *where, dctl_error_t *err)
{
    cleanup_close int fd = open(l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    snprintf(l->diff_id, sizeof l->diff_id, "%s",
             json_object_get_string(json_object_array_get_idx(ids, i)));
    if (fd < 0 || fstat(fd, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", l->path);
    l->size = st.st_size;
    if (imagearchive_detect_compression(fd, &l->compression, err) < 0)
        return dctl_error_prefix(err, "invalid archive: %s: layer %zu", where, i);
    return 0;
}

/* manifest.json: [{"Config": path, "RepoTags": [...], "Layers": [paths]}] */
static int
ia_parse_docker(struct ia_ctx *c, struct imagearchive *a, const char *real,
                dctl_error_t *err)
{
    cleanup_free char *text = NULL;
    cleanup_json struct json_object *list = NULL;
    size_t len, i, n;
    const char *where = "manifest.json";

    if (!(text = ia_read_small(real, where, &len, err)))
        return -1;
    if (!(list = json_parse(text, len, where, err)))
        return dctl_error_prefix(err, "invalid archive");
    if (!json_object_is_type(list, json_type_array))
        return ia_invalid(err, "%s: not a JSON array", where);
    n = json_object_array_length(list);
    if (n == 0)
        return ia_invalid(err, "%s: no images", where);
    for (i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(list, i), *layers, *tags, *ids;
        cleanup_json struct json_object *cfg = NULL;
        struct imagearchive_image img = { 0 };
        cleanup_free char *cfg_real = NULL;
        const char *cfg_path;
        size_t j, nl;

        if (!json_object_is_type(item, json_type_object) ||
            !(cfg_path = json_get_string(item, "Config")) ||
            !json_object_object_get_ex(item, "Layers", &layers) ||
            !json_object_is_type(layers, json_type_array))
            return ia_invalid(err, "%s: entry %zu needs Config and Layers", where, i);
        if (!(cfg_real = ia_resolve(c, where, "config", cfg_path, err)) ||
            ia_verify_blob_path(c, cfg_path, cfg_real, err) < 0)
            return -1;
        if (ia_load_config(where, cfg_real, &img, &cfg, &ids, err) < 0)
            goto fail;
        nl = json_object_array_length(layers);
        if (ia_check_layer_count(where, &img, nl, ids, err) < 0)
            goto fail;
        img.layers = xcalloc(nl ? nl : 1, sizeof *img.layers);
        for (j = 0; j < nl; j++) {
            struct json_object *lp = json_object_array_get_idx(layers, j);
            struct imagearchive_layer *l = &img.layers[j];
            cleanup_free char *clean = NULL;

            img.n_layers = j + 1;
            if (!json_object_is_type(lp, json_type_string)) {
                ia_invalid(err, "%s: layer %zu is not a path", where, j);
                goto fail;
            }
            if (!(l->path = ia_resolve(c, where, "layer", json_object_get_string(lp), err)) ||
                ia_verify_blob_path(c, json_object_get_string(lp), l->path, err) < 0 ||
                ia_fill_layer(l, ids, j, where, err) < 0)
                goto fail;
            clean = ia_clean_path(json_object_get_string(lp));
            if (clean && util_has_prefix(clean, "blobs/sha256/") &&
                digest_is_hex_id(clean + 13))
                snprintf(l->digest, sizeof l->digest, "sha256:%s", clean + 13);
            l->media_type = xstrdup(l->compression == IMAGEARCHIVE_COMPRESSION_GZIP
                                        ? MT_DOCKER_LAYER ".gzip"
                                    : l->compression == IMAGEARCHIVE_COMPRESSION_ZSTD
                                        ? MT_DOCKER_LAYER ".zstd"
                                        : MT_DOCKER_LAYER);
        }
        img.tags = xcalloc(1, sizeof *img.tags);
        if (json_object_object_get_ex(item, "RepoTags", &tags) && tags) {
            if (!json_object_is_type(tags, json_type_array)) {
                ia_invalid(err, "%s: RepoTags is not an array", where);
                goto fail;
            }
            for (j = 0; j < json_object_array_length(tags); j++) {
                struct json_object *t = json_object_array_get_idx(tags, j);
                const char *s = json_object_get_string(t);
                struct reference *ref = NULL;
                cleanup_error dctl_error_t perr = NULL;

                if (json_object_is_type(t, json_type_string))
                    ref = reference_parse_normalized(s, &perr);
                if (!ref || !ref->tag || ref->digest) {
                    cleanup_free char *q = util_quote(s ? s : "");

                    reference_free(ref);
                    ia_invalid(err, "%s: invalid tag \"%s\"", where, q);
                    goto fail;
                }
                ia_add_tag(&img, ref);
            }
        }
        ia_add_image(a, &img);
        continue;
    fail:
        ia_image_fini(&img);
        return -1;
    }
    return 0;
}

/* ---- OCI layout ----------------------------------------------------------------- */

struct ia_desc {
    const char *media_type;
    char digest[DIGEST_STRING_MAX];
    int64_t size;
    struct json_object *o; /* lent */
};

static int
ia_desc_parse(struct json_object *o, const char *where, struct ia_desc *d, dctl_error_t *err)
{
    struct json_object *size;
    const char *dg;

    if (!json_object_is_type(o, json_type_object))
        return ia_invalid(err, "%s: descriptor is not an object", where);
    d->o = o;
    d->media_type = json_get_string(o, "mediaType");
    dg = json_get_string(o, "digest");
    if (!d->media_type)
        return ia_invalid(err, "%s: descriptor without mediaType", where);
    if (!dg || digest_validate_sha256(dg, err) < 0) {
        dctl_error_clear(err);
        return ia_invalid(err, "%s: descriptor with invalid digest", where);
    }
    snprintf(d->digest, sizeof d->digest, "%s", dg);
    if (!json_object_object_get_ex(o, "size", &size) ||
        !json_object_is_type(size, json_type_int) || json_object_get_int64(size) < 0)
        return ia_invalid(err, "%s: descriptor %s without a valid size", where, dg);
    d->size = json_object_get_int64(size);
    return 0;
}

/* The verified blob of descriptor d: its real path. */
static char *
ia_blob(struct ia_ctx *c, const char *where, const char *what, const struct ia_desc *d,
        dctl_error_t *err)
{
    cleanup_free char *rel = xasprintf("blobs/sha256/%s", digest_hex(d->digest));
    char digest[DIGEST_STRING_MAX];
    uint64_t size;
    char *real = ia_resolve(c, where, what, rel, err);

    if (!real)
        return NULL;
    if (ia_hash(c, real, digest, &size, err) < 0) {
        free(real);
        return NULL;
    }
    if (strcmp(digest, d->digest) != 0) {
        free(real);
        ia_invalid(err, "digest mismatch for %s: content is %s", rel, digest);
        return NULL;
    }
    if (size != (uint64_t)d->size) {
        free(real);
        ia_invalid(err, "size mismatch for %s: descriptor says %lld, blob has %llu", rel,
                   (long long)d->size, (unsigned long long)size);
        return NULL;
    }
    return real;
}

static struct json_object *
ia_blob_json(struct ia_ctx *c, const char *where, const char *what, const struct ia_desc *d,
             dctl_error_t *err)
{
    cleanup_free char *real = ia_blob(c, where, what, d, err);
    cleanup_free char *text = NULL;
    struct json_object *o;
    size_t len;

    if (!real || !(text = ia_read_small(real, what, &len, err)))
        return NULL;
    o = json_parse_object(text, len, what, err);
    if (!o)
        dctl_error_prefix(err, "invalid archive: %s %s", what, d->digest);
    return o;
}

static bool
ia_is_layer_type(const char *mt)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ia_layer_media_types); i++)
        if (strcmp(mt, ia_layer_media_types[i]) == 0)
            return true;
    return false;
}

/* The name annotation of an index descriptor as a reference with a tag, or NULL. */
static struct reference *
ia_desc_name(const struct ia_desc *d)
{
    struct json_object *ann;
    const char *name = NULL;
    cleanup_error dctl_error_t perr = NULL;
    struct reference *ref;

    if (!json_object_object_get_ex(d->o, "annotations", &ann) ||
        !json_object_is_type(ann, json_type_object))
        return NULL;
    name = json_get_string(ann, ANN_IMAGE_NAME);
    if (!name)
        name = json_get_string(ann, ANN_REF_NAME);
    if (!name)
        return NULL;
    /* A bare tag ("latest", "v1.0") names no repository: the image loads untagged. */
    if (!strchr(name, '/') && !strchr(name, ':'))
        return NULL;
    ref = reference_parse_normalized(name, &perr);
    if (ref && (!ref->tag || ref->digest)) {
        reference_free(ref);
        return NULL;
    }
    return ref;
}

static int
ia_load_manifest(struct ia_ctx *c, struct imagearchive *a, const struct ia_desc *d,
                 struct reference *name, dctl_error_t *err)
{
    cleanup_json struct json_object *m = NULL, *cfg = NULL;
    cleanup_free char *where = xasprintf("manifest %s", d->digest), *cfg_real = NULL;
    struct json_object *cfgdesc, *layers, *ids;
    struct imagearchive_image img = { 0 };
    struct ia_desc cd;
    size_t i, n;

    if (!(m = ia_blob_json(c, "index.json", "manifest", d, err)))
        goto fail;
    if (!json_object_object_get_ex(m, "config", &cfgdesc) ||
        !json_object_object_get_ex(m, "layers", &layers) ||
        !json_object_is_type(layers, json_type_array)) {
        ia_invalid(err, "%s: needs config and layers", where);
        goto fail;
    }
    if (ia_desc_parse(cfgdesc, where, &cd, err) < 0 ||
        !(cfg_real = ia_blob(c, where, "config", &cd, err)) ||
        ia_load_config(where, cfg_real, &img, &cfg, &ids, err) < 0)
        goto fail;
    n = json_object_array_length(layers);
    if (ia_check_layer_count(where, &img, n, ids, err) < 0)
        goto fail;
    img.layers = xcalloc(n ? n : 1, sizeof *img.layers);
    for (i = 0; i < n; i++) {
        struct imagearchive_layer *l = &img.layers[i];
        struct ia_desc ld;

        img.n_layers = i + 1;
        if (ia_desc_parse(json_object_array_get_idx(layers, i), where, &ld, err) < 0)
            goto fail;
        if (!ia_is_layer_type(ld.media_type)) {
            cleanup_free char *q = util_quote(ld.media_type);

            ia_invalid(err, "%s: unsupported layer media type \"%s\"", where, q);
            goto fail;
        }
        if (!(l->path = ia_blob(c, where, "layer", &ld, err)) ||
            ia_fill_layer(l, ids, i, where, err) < 0)
            goto fail;
        l->media_type = xstrdup(ld.media_type);
        memcpy(l->digest, ld.digest, DIGEST_STRING_MAX);
    }
    memcpy(img.manifest_digest, d->digest, DIGEST_STRING_MAX);
    img.tags = xcalloc(1, sizeof *img.tags);
    if (name)
        ia_add_tag(&img, reference_dup(name));
    ia_add_image(a, &img);
    return 0;
fail:
    ia_image_fini(&img);
    return -1;
}

static bool
ia_platform_matches(struct ia_ctx *c, const struct ia_desc *d, bool *has_platform)
{
    struct json_object *p;
    const char *os, *arch;

    *has_platform = json_object_object_get_ex(d->o, "platform", &p) &&
                    json_object_is_type(p, json_type_object);
    if (!*has_platform)
        return true;
    os = json_get_string(p, "os");
    arch = json_get_string(p, "architecture");
    return os && arch && strcmp(os, "linux") == 0 && strcmp(arch, c->arch) == 0;
}

/* Loads the images of an index: each manifest (a multi-platform one contributes only its
 * linux/<arch> entry) and, recursively, each nested index. name is inherited by entries
 * that have none. */
static int
ia_load_index(struct ia_ctx *c, struct imagearchive *a, struct json_object *index,
              const char *where, struct reference *name, int depth, dctl_error_t *err)
{
    struct json_object *ms;
    size_t i, n, before = a->n_images;
    bool any_platform = false, has_platform;

    if (depth > IA_MAX_INDEX_DEPTH)
        return ia_invalid(err, "%s: indexes nested too deep", where);
    if (!json_object_object_get_ex(index, "manifests", &ms) ||
        !json_object_is_type(ms, json_type_array))
        return ia_invalid(err, "%s: no manifests array", where);
    n = json_object_array_length(ms);
    for (i = 0; i < n; i++) {
        cleanup_reference struct reference *own = NULL;
        struct ia_desc d;
        struct reference *use;

        if (ia_desc_parse(json_object_array_get_idx(ms, i), where, &d, err) < 0)
            return -1;
        own = ia_desc_name(&d);
        use = own ? own : name;
        if (!ia_platform_matches(c, &d, &has_platform)) {
            any_platform = true;
            continue;
        }
        any_platform |= has_platform;
        if (strcmp(d.media_type, MT_OCI_MANIFEST) == 0 ||
            strcmp(d.media_type, MT_DOCKER_MANIFEST) == 0) {
            if (ia_load_manifest(c, a, &d, use, err) < 0)
                return -1;
        } else if (strcmp(d.media_type, MT_OCI_INDEX) == 0 ||
                   strcmp(d.media_type, MT_DOCKER_LIST) == 0) {
            cleanup_json struct json_object *sub = NULL;
            cleanup_free char *subwhere = xasprintf("index %s", d.digest);

            if (!(sub = ia_blob_json(c, where, "index", &d, err)) ||
                ia_load_index(c, a, sub, subwhere, use, depth + 1, err) < 0)
                return -1;
        }
        /* other media types (attestations, artifacts) are not images: skipped */
    }
    if (a->n_images == before && (any_platform || depth == 0))
        return ia_invalid(err, "%s: no image for platform linux/%s", where, c->arch);
    return 0;
}

static int
ia_parse_oci(struct ia_ctx *c, struct imagearchive *a, const char *index_real,
             dctl_error_t *err)
{
    cleanup_free char *layout_real = NULL, *text = NULL;
    cleanup_json struct json_object *layout = NULL, *index = NULL;
    const char *version;
    size_t len;

    if (!(layout_real = ia_resolve(c, "oci-layout", "oci-layout", "oci-layout", err)))
        return -1;
    if (!(text = ia_read_small(layout_real, "oci-layout", &len, err)))
        return -1;
    if (!(layout = json_parse_object(text, len, "oci-layout", err)))
        return dctl_error_prefix(err, "invalid archive");
    version = json_get_string(layout, "imageLayoutVersion");
    if (!version || strcmp(version, "1.0.0") != 0)
        return ia_invalid(err, "oci-layout: unsupported imageLayoutVersion %s",
                          version ? version : "(none)");
    free(steal_ptr(&text));
    if (!(text = ia_read_small(index_real, "index.json", &len, err)))
        return -1;
    if (!(index = json_parse_object(text, len, "index.json", err)))
        return dctl_error_prefix(err, "invalid archive");
    return ia_load_index(c, a, index, "index.json", NULL, 0, err);
}

/* ---- reading: the whole ------------------------------------------------------- */

void
imagearchive_free(struct imagearchive *a)
{
    size_t i;

    if (!a)
        return;
    for (i = 0; i < a->n_images; i++)
        ia_image_fini(&a->images[i]);
    free(a->images);
    if (a->dir) {
        cleanup_error dctl_error_t e = NULL;

        tree_remove(a->dir, &e);
        free(a->dir);
    }
    free(a);
}

static bool
ia_exists(const char *dir, const char *name)
{
    cleanup_free char *p = xasprintf("%s/%s", dir, name);
    struct stat st;

    return lstat(p, &st) == 0;
}

struct imagearchive *
imagearchive_read(int fd, const struct imagearchive_read_options *opts, dctl_error_t *err)
{
    struct imagearchive *a = xcalloc(1, sizeof *a);
    const char *parent = opts && opts->tmp_parent ? opts->tmp_parent : getenv("TMPDIR");
    uint64_t max = opts && opts->max_size ? opts->max_size : IMAGEARCHIVE_DEFAULT_MAX_SIZE;
    struct ia_ctx c = { 0 };
    cleanup_free char *tmpl = NULL;
    size_t i;
    int rc = -1;

    if (archivelib_load(err) < 0) {
        free(a);
        return NULL;
    }
    tmpl = xasprintf("%s/dctl-archive-XXXXXX", parent && *parent ? parent : "/tmp");
    if (!mkdtemp(tmpl)) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create temporary directory %s", tmpl);
        free(a);
        return NULL;
    }
    a->dir = realpath(tmpl, NULL);
    if (!a->dir) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "resolve %s", tmpl);
        rmdir(tmpl);
        free(a);
        return NULL;
    }
    c.dir = a->dir;
    c.arch = opts && opts->arch ? opts->arch : imagearchive_host_arch();
    if (ia_extract(fd, a->dir, max, err) < 0)
        goto out;
    if (ia_exists(a->dir, "manifest.json")) {
        cleanup_free char *real = ia_resolve(&c, "manifest.json", "manifest", "manifest.json",
                                             err);

        a->format = IMAGEARCHIVE_DOCKER;
        if (!real || ia_parse_docker(&c, a, real, err) < 0)
            goto out;
    } else if (ia_exists(a->dir, "index.json")) {
        cleanup_free char *real = ia_resolve(&c, "index.json", "index", "index.json", err);

        a->format = IMAGEARCHIVE_OCI;
        if (!real || ia_parse_oci(&c, a, real, err) < 0)
            goto out;
    } else {
        ia_invalid(err, "no manifest.json or index.json (not a docker-archive or OCI layout)");
        goto out;
    }
    rc = 0;
out:
    for (i = 0; i < c.n_verified; i++)
        free(c.verified[i].path);
    free(c.verified);
    if (rc < 0) {
        imagearchive_free(a);
        return NULL;
    }
    return a;
}

/* ---- writing ------------------------------------------------------------------- */

struct ia_writer {
    struct archive *a;
    int fd;
    bool discard; /* after a failure: nothing more reaches fd (no end-of-archive blocks) */
    char **written; /* blob digests written so far */
    size_t n_written;
};

static int
ia_write_error(struct ia_writer *w, dctl_error_t *err)
{
    int e = archive_errno(w->a);

    return dctl_error_set(err, DCTL_ERR_INTERNAL, e > 0 ? e : 0, "write archive: %s",
                          archive_error_string(w->a) ? archive_error_string(w->a) : "error");
}

static int
ia_write_header(struct ia_writer *w, const char *name, mode_t type, int64_t size,
                dctl_error_t *err)
{
    struct archive_entry *e = archive_entry_new();
    int r;

    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
    archive_entry_set_mtime(e, 0, 0);
    r = archive_write_header(w->a, e);
    archive_entry_free(e);
    return r < ARCHIVE_WARN ? ia_write_error(w, err) : 0;
}

static int
ia_write_buffer(struct ia_writer *w, const char *name, const void *data, size_t len,
                dctl_error_t *err)
{
    if (ia_write_header(w, name, AE_IFREG, len, err) < 0)
        return -1;
    if (len && archive_write_data(w->a, data, len) != (la_ssize_t)len)
        return ia_write_error(w, err);
    return 0;
}

static bool
ia_was_written(struct ia_writer *w, const char *digest)
{
    size_t i;

    for (i = 0; i < w->n_written; i++)
        if (strcmp(w->written[i], digest) == 0)
            return true;
    return false;
}

static void
ia_mark_written(struct ia_writer *w, const char *digest)
{
    w->written = xrealloc(w->written, (w->n_written + 1) * sizeof *w->written);
    w->written[w->n_written++] = xstrdup(digest);
}

static int
ia_write_blob(struct ia_writer *w, const char *digest, const void *data, size_t len,
              dctl_error_t *err)
{
    cleanup_free char *name = xasprintf("blobs/sha256/%s", digest_hex(digest));

    if (ia_was_written(w, digest))
        return 0;
    ia_mark_written(w, digest);
    return ia_write_buffer(w, name, data, len, err);
}

static int
ia_tmpfile(const char *dir, dctl_error_t *err)
{
    cleanup_free char *tmpl = NULL;
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

    if (fd >= 0)
        return fd;
    tmpl = xasprintf("%s/dctl-layer-XXXXXX", dir);
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create temporary file in %s",
                              dir);
    unlink(tmpl);
    return fd;
}

/* Produces layer diff_id into a temporary file, checks it and copies it out. */
static int
ia_write_layer(struct ia_writer *w, const char *diff_id, imagearchive_layer_cb cb, void *arg,
               const char *tmp_dir, int64_t *size_out, dctl_error_t *err)
{
    cleanup_free char *name = xasprintf("blobs/sha256/%s", digest_hex(diff_id));
    cleanup_close int fd = -1;
    char digest[DIGEST_STRING_MAX], buf[IA_BUF_SIZE];
    uint64_t size, done = 0;

    fd = ia_tmpfile(tmp_dir, err);
    if (fd < 0)
        return -1;
    if (cb(arg, diff_id, fd, err) < 0)
        return dctl_error_prefix(err, "layer %s", diff_id);
    if (lseek(fd, 0, SEEK_SET) < 0 || digest_fd(fd, digest, &size, err) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read layer %s", diff_id);
    if (strcmp(digest, diff_id) != 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0,
                              "layer %s: content hashes to %s, not its diff ID", diff_id,
                              digest);
    *size_out = size;
    if (lseek(fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "seek layer %s", diff_id);
    if (ia_write_header(w, name, AE_IFREG, size, err) < 0)
        return -1;
    while (done < size) {
        ssize_t n = read(fd, buf, sizeof buf);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, n < 0 ? errno : 0,
                                  "read layer %s", diff_id);
        if (archive_write_data(w->a, buf, n) != n)
            return ia_write_error(w, err);
        done += n;
    }
    return 0;
}

static struct json_object *
ia_descriptor(const char *media_type, const char *digest, int64_t size)
{
    struct json_object *o = json_object_new_object();

    json_add_string(o, "mediaType", media_type);
    json_add_string(o, "digest", digest);
    json_add_int64(o, "size", size);
    return o;
}

static char *
ia_json_text(struct json_object *o, size_t *len)
{
    char *s = xstrdup(json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

    *len = strlen(s);
    return s;
}

/* The config's rootfs.diff_ids must be the layer list. */
static int
ia_check_write_config(const struct imagearchive_write_image *img, size_t idx,
                      dctl_error_t *err)
{
    cleanup_json struct json_object *cfg = NULL;
    struct json_object *rootfs, *ids;
    size_t i;

    cfg = json_parse_object(img->config, img->config_len, "config", err);
    if (!cfg)
        return dctl_error_prefix(err, "image %zu", idx);
    if (!json_object_object_get_ex(cfg, "rootfs", &rootfs) ||
        !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
        !json_object_is_type(ids, json_type_array) ||
        json_object_array_length(ids) != img->n_layers)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "image %zu: config rootfs.diff_ids does not match its layers",
                              idx);
    for (i = 0; i < img->n_layers; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(ids, i));

        if (!s || strcmp(s, img->diff_ids[i]) != 0 ||
            digest_validate_sha256(img->diff_ids[i], err) < 0) {
            dctl_error_clear(err);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "image %zu: config rootfs.diff_ids does not match its layers",
                                  idx);
        }
    }
    return 0;
}

static int
ia_write_all(struct ia_writer *w, const struct imagearchive_write_image *images, size_t n,
             imagearchive_layer_cb cb, void *arg, const char *tmp_dir, dctl_error_t *err)
{
    cleanup_json struct json_object *index = json_object_new_object();
    cleanup_json struct json_object *manifest = json_object_new_array();
    cleanup_json struct json_object *repos = json_object_new_object();
    struct json_object *idx_manifests = json_object_new_array();
    /* layer sizes by diff ID, for the manifests */
    struct {
        const char *diff_id;
        int64_t size;
    } *sizes = NULL;
    size_t n_sizes = 0, i, j, k, len;
    cleanup_free char *layout = NULL, *text = NULL;
    int rc = -1;

    json_object_object_add(index, "schemaVersion", json_object_new_int(2));
    json_add_string(index, "mediaType", MT_OCI_INDEX);
    json_object_object_add(index, "manifests", idx_manifests);

    for (i = 0; i < n; i++)
        if (ia_check_write_config(&images[i], i, err) < 0)
            goto out;
    if (ia_write_header(w, "blobs/", AE_IFDIR, 0, err) < 0 ||
        ia_write_header(w, "blobs/sha256/", AE_IFDIR, 0, err) < 0)
        goto out;

    for (i = 0; i < n; i++) {
        const struct imagearchive_write_image *img = &images[i];
        cleanup_json struct json_object *m = json_object_new_object();
        struct json_object *layers = json_object_new_array(), *item, *rt, *ml;
        char cfg_digest[DIGEST_STRING_MAX], m_digest[DIGEST_STRING_MAX];
        cleanup_free char *mtext = NULL;
        size_t mlen;

        digest_buffer(img->config, img->config_len, cfg_digest);
        json_object_object_add(m, "schemaVersion", json_object_new_int(2));
        json_add_string(m, "mediaType", MT_OCI_MANIFEST);
        json_object_object_add(m, "config",
                               ia_descriptor(MT_OCI_CONFIG, cfg_digest, img->config_len));
        json_object_object_add(m, "layers", layers);
        item = json_object_new_object();
        json_object_array_add(manifest, item);
        json_add_string(item, "Config", (text = xasprintf("blobs/sha256/%s",
                                                          digest_hex(cfg_digest))));
        free(steal_ptr(&text));
        rt = json_object_new_array();
        ml = json_object_new_array();
        json_object_object_add(item, "RepoTags", rt);
        json_object_object_add(item, "Layers", ml);

        for (j = 0; j < img->n_layers; j++) {
            const char *d = img->diff_ids[j];
            int64_t size = -1;

            for (k = 0; k < n_sizes; k++)
                if (strcmp(sizes[k].diff_id, d) == 0)
                    size = sizes[k].size;
            if (size < 0) {
                if (ia_write_layer(w, d, cb, arg, tmp_dir, &size, err) < 0)
                    goto out;
                ia_mark_written(w, d);
                sizes = xrealloc(sizes, (n_sizes + 1) * sizeof *sizes);
                sizes[n_sizes].diff_id = d;
                sizes[n_sizes++].size = size;
            }
            json_object_array_add(layers, ia_descriptor(MT_OCI_LAYER, d, size));
            json_object_array_add(ml, json_object_new_string(
                                          (text = xasprintf("blobs/sha256/%s", digest_hex(d)))));
            free(steal_ptr(&text));
        }
        if (ia_write_blob(w, cfg_digest, img->config, img->config_len, err) < 0)
            goto out;
        mtext = ia_json_text(m, &mlen);
        digest_buffer(mtext, mlen, m_digest);
        if (ia_write_blob(w, m_digest, mtext, mlen, err) < 0)
            goto out;

        for (j = 0; j < img->n_tags; j++) {
            cleanup_free char *s = reference_string(img->tags[j]);
            cleanup_reference struct reference *ref = reference_parse_normalized(s, err);
            cleanup_free char *full = NULL, *fam = NULL, *famname = NULL;
            struct json_object *desc, *ann, *repo;

            if (!ref)
                goto out;
            if (!ref->tag || ref->digest) {
                dctl_error_set(err, DCTL_ERR_INVALID, 0, "image %zu: %s is not a tag", i, s);
                goto out;
            }
            full = reference_string(ref);
            fam = reference_familiar_string(ref);
            famname = reference_familiar_name(ref);
            json_object_array_add(rt, json_object_new_string(fam));
            desc = ia_descriptor(MT_OCI_MANIFEST, m_digest, mlen);
            ann = json_object_new_object();
            json_add_string(ann, ANN_IMAGE_NAME, full);
            json_add_string(ann, ANN_REF_NAME, ref->tag);
            json_object_object_add(desc, "annotations", ann);
            json_object_array_add(idx_manifests, desc);
            if (img->n_layers > 0) {
                if (!json_object_object_get_ex(repos, famname, &repo)) {
                    repo = json_object_new_object();
                    json_object_object_add(repos, famname, repo);
                }
                json_add_string(repo, ref->tag, digest_hex(img->diff_ids[img->n_layers - 1]));
            }
        }
        if (img->n_tags == 0)
            json_object_array_add(idx_manifests, ia_descriptor(MT_OCI_MANIFEST, m_digest, mlen));
    }

    text = ia_json_text(index, &len);
    if (ia_write_buffer(w, "index.json", text, len, err) < 0)
        goto out;
    free(steal_ptr(&text));
    text = ia_json_text(manifest, &len);
    if (ia_write_buffer(w, "manifest.json", text, len, err) < 0)
        goto out;
    layout = xstrdup("{\"imageLayoutVersion\":\"1.0.0\"}");
    if (ia_write_buffer(w, "oci-layout", layout, strlen(layout), err) < 0)
        goto out;
    if (json_object_object_length(repos) > 0) {
        free(steal_ptr(&text));
        text = ia_json_text(repos, &len);
        if (ia_write_buffer(w, "repositories", text, len, err) < 0)
            goto out;
    }
    rc = 0;
out:
    free(sizes);
    return rc;
}

static la_ssize_t
ia_write_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
    struct ia_writer *w = arg;
    size_t off = 0;

    if (w->discard)
        return len;
    while (off < len) {
        ssize_t n = write(w->fd, (const char *)buf + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            archive_set_error(a, errno, "write: %s", strerror(errno));
            return -1;
        }
        off += n;
    }
    return len;
}

int
imagearchive_write(int fd, const struct imagearchive_write_image *images, size_t n,
                   imagearchive_layer_cb layer_cb, void *arg, const char *tmp_dir,
                   dctl_error_t *err)
{
    struct ia_writer w = { .fd = fd };
    const char *dir = tmp_dir ? tmp_dir : getenv("TMPDIR");
    size_t i;
    int rc = -1;

    if (archivelib_load(err) < 0)
        return -1;
    w.a = archive_write_new();
    if (!dir || !*dir)
        dir = "/tmp";
    archive_write_set_format_pax_restricted(w.a);
    archive_write_add_filter_none(w.a);
    archive_write_set_bytes_in_last_block(w.a, 1);
    if (archive_write_open2(w.a, &w, NULL, ia_write_cb, NULL, NULL) != ARCHIVE_OK) {
        ia_write_error(&w, err);
        goto out;
    }
    if (ia_write_all(&w, images, n, layer_cb, arg, dir, err) < 0)
        goto out;
    if (archive_write_close(w.a) != ARCHIVE_OK) {
        ia_write_error(&w, err);
        goto out;
    }
    rc = 0;
out:
    w.discard = rc < 0;
    archive_write_free(w.a);
    for (i = 0; i < w.n_written; i++)
        free(w.written[i]);
    free(w.written);
    return rc;
}
