/* tests/unit/test-imagearchive.c - lib/imagearchive.c: archives built here as each
 * producer writes them (older dockerd's `docker save` with <id>/layer.tar, Docker 25+ with
 * blobs/ and index.json, a pure OCI layout, a multi-platform index, a gzip-compressed
 * archive) load with the right configs, tags and layers; every kind of bad or hostile
 * archive is refused with a message naming the problem and leaves nothing on disk; the
 * writer's output reads back identical, through manifest.json and through index.json. */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/digest.h"
#include "lib/imagearchive.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_INDEX "application/vnd.oci.image.index.v1+json"
/* the legacy v1 layer ID of the old layout's one layer */
#define V1ID "1d0ab2b6b9e9b5b8f5b1b7c1b0a0f0e0d0c0b0a090807060504030201000aabb"

/* ---- fixtures ------------------------------------------------------------------ */

struct fent {
    char type; /* f file, d dir, l symlink, h hardlink */
    char *name;
    char *data; /* content (f) or target (l, h) */
    size_t len;
};

struct fx {
    struct fent e[64];
    size_t n;
};

static void
fx_file(struct fx *fx, const char *name, const void *data, size_t len)
{
    struct fent *e = &fx->e[fx->n++];

    ck_assert_uint_lt(fx->n, ARRAY_SIZE(fx->e));
    e->type = 'f';
    e->name = xstrdup(name);
    e->data = xmalloc(len + 1);
    memcpy(e->data, data, len);
    e->len = len;
}

static void
fx_str(struct fx *fx, const char *name, const char *s)
{
    fx_file(fx, name, s, strlen(s));
}

static void
fx_link(struct fx *fx, char type, const char *name, const char *target)
{
    struct fent *e = &fx->e[fx->n++];

    e->type = type;
    e->name = xstrdup(name);
    e->data = xstrdup(target);
}

/* Removes every entry named name. */
static void
fx_drop(struct fx *fx, const char *name)
{
    size_t i, o = 0;

    for (i = 0; i < fx->n; i++) {
        if (strcmp(fx->e[i].name, name) == 0) {
            free(fx->e[i].name);
            free(fx->e[i].data);
        } else {
            fx->e[o++] = fx->e[i];
        }
    }
    fx->n = o;
}

static void
fx_free(struct fx *fx)
{
    size_t i;

    for (i = 0; i < fx->n; i++) {
        free(fx->e[i].name);
        free(fx->e[i].data);
    }
    fx->n = 0;
}

enum filter { PLAIN, GZIP, LZ4 };

/* The tar of fx, compressed with filter, in a rewound memfd; *len gets its size. */
static int
fx_write(const struct fx *fx, enum filter filter, size_t *len)
{
    struct archive *a = archive_write_new();
    int fd = memfd_create("archive", MFD_CLOEXEC);
    size_t i;

    ck_assert_int_ge(fd, 0);
    archive_write_set_format_pax_restricted(a);
    if (filter == GZIP)
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    else if (filter == LZ4)
        ck_assert_int_eq(archive_write_add_filter_lz4(a), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_open_fd(a, fd), ARCHIVE_OK);
    for (i = 0; i < fx->n; i++) {
        struct archive_entry *e = archive_entry_new();
        const struct fent *f = &fx->e[i];

        archive_entry_set_pathname(e, f->name);
        archive_entry_set_mtime(e, 1700000000, 0);
        if (f->type == 'd') {
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
        } else if (f->type == 'l') {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_symlink(e, f->data);
        } else if (f->type == 'h') {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_hardlink(e, f->data);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, f->len);
        }
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (f->type == 'f' && f->len)
            ck_assert_int_eq(archive_write_data(a, f->data, f->len), (la_ssize_t)f->len);
        archive_entry_free(e);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    if (len)
        *len = lseek(fd, 0, SEEK_CUR);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* A layer: a tar holding one file, in memory (malloc'd), optionally gzipped. */
struct blob {
    char *data;
    size_t len;
    char digest[DIGEST_STRING_MAX]; /* of data */
    char diff_id[DIGEST_STRING_MAX]; /* of the uncompressed tar */
};

static void
blob_layer(struct blob *b, const char *file, const char *content, bool gzip)
{
    struct fx fx = { .n = 0 };
    struct fx gz = { .n = 0 };
    int fd;

    fx_str(&fx, file, content);
    fd = fx_write(&fx, PLAIN, &b->len);
    b->data = xmalloc(b->len);
    ck_assert_int_eq(pread(fd, b->data, b->len, 0), (ssize_t)b->len);
    close(fd);
    digest_buffer(b->data, b->len, b->diff_id);
    if (gzip) {
        /* a gzip of the tar itself: libarchive's raw format writer */
        struct archive *a = archive_write_new();
        size_t used = 0, cap = b->len + 1024;
        char *out = xmalloc(cap);
        struct archive_entry *e = archive_entry_new();

        ck_assert_int_eq(archive_write_set_format_raw(a), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_pathname(e, "layer");
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_data(a, b->data, b->len), (la_ssize_t)b->len);
        archive_entry_free(e);
        ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        free(b->data);
        b->data = out;
        b->len = used;
    }
    digest_buffer(b->data, b->len, b->digest);
    fx_free(&gz);
    fx_free(&fx);
}

static void
blob_json(struct blob *b, const char *json)
{
    b->data = xstrdup(json);
    b->len = strlen(json);
    digest_buffer(b->data, b->len, b->digest);
    b->diff_id[0] = '\0';
}

static void
blob_free(struct blob *b)
{
    free(b->data);
}

static char *
config_json(const char *arch, const char *const *diff_ids, size_t n)
{
    char *s = xasprintf("{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[",
                        arch);
    size_t i;

    for (i = 0; i < n; i++) {
        char *t = xasprintf("%s%s\"%s\"", s, i ? "," : "", diff_ids[i]);

        free(s);
        s = t;
    }
    {
        char *t = xasprintf("%s]}}", s);

        free(s);
        s = t;
    }
    return s;
}

static void
fx_blob(struct fx *fx, const struct blob *b)
{
    char *name = xasprintf("blobs/sha256/%s", digest_hex(b->digest));

    fx_file(fx, name, b->data, b->len);
    free(name);
}

/* An OCI manifest for config and layers (media types by gzip). */
static char *
manifest_json(const struct blob *config, const struct blob *layers, size_t n)
{
    char *s = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST "\","
                        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                        "\"digest\":\"%s\",\"size\":%zu},\"layers\":[",
                        config->digest, config->len);
    size_t i;

    for (i = 0; i < n; i++) {
        bool gz = strcmp(layers[i].digest, layers[i].diff_id) != 0;
        char *t = xasprintf("%s%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\","
                            "\"digest\":\"%s\",\"size\":%zu}",
                            s, i ? "," : "", gz ? "+gzip" : "", layers[i].digest, layers[i].len);

        free(s);
        s = t;
    }
    {
        char *t = xasprintf("%s]}", s);

        free(s);
        s = t;
    }
    return s;
}

/* The standard one-image fixture state. */
struct img1 {
    struct blob layer, config, manifest;
};

static void
img1_init(struct img1 *m, bool gzip, const char *arch)
{
    const char *ids[1];
    char *cfg, *man;

    blob_layer(&m->layer, "hello.txt", arch ? arch : "hello", gzip);
    ids[0] = m->layer.diff_id;
    cfg = config_json(arch ? arch : "amd64", ids, 1);
    blob_json(&m->config, cfg);
    man = manifest_json(&m->config, &m->layer, 1);
    blob_json(&m->manifest, man);
    free(cfg);
    free(man);
}

static void
img1_fini(struct img1 *m)
{
    blob_free(&m->layer);
    blob_free(&m->config);
    blob_free(&m->manifest);
}

/* Older dockerd's layout: <v1id>/layer.tar, <v1id>/json, <v1id>/VERSION, <hex>.json. */
static void
fx_old_layout(struct fx *fx, const struct img1 *m, const char *layer_path)
{
    const char *v1 = V1ID;
    char *name, *manifest, *repos;

    name = xasprintf("%s/", v1);
    fx_link(fx, 'd', name, "");
    fx->e[fx->n - 1].type = 'd';
    free(name);
    name = xasprintf("%s/layer.tar", v1);
    fx_file(fx, name, m->layer.data, m->layer.len);
    free(name);
    name = xasprintf("%s/VERSION", v1);
    fx_str(fx, name, "1.0");
    free(name);
    name = xasprintf("%s/json", v1);
    fx_str(fx, name, "{\"id\":\"1d0a\"}");
    free(name);
    name = xasprintf("%s.json", digest_hex(m->config.digest));
    fx_file(fx, name, m->config.data, m->config.len);
    manifest = xasprintf("[{\"Config\":\"%s\","
                         "\"RepoTags\":[\"busybox:latest\",\"example.com/x/y:1\"],"
                         "\"Layers\":[\"%s\"]}]",
                         name, layer_path ? layer_path : V1ID "/layer.tar");
    fx_str(fx, "manifest.json", manifest);
    repos = xasprintf("{\"busybox\":{\"latest\":\"%s\"}}", v1);
    fx_str(fx, "repositories", repos);
    free(name);
    free(manifest);
    free(repos);
}

/* Docker 25+: blobs + index.json + manifest.json + oci-layout (+ a legacy symlink). */
static void
fx_docker25(struct fx *fx, const struct img1 *m)
{
    char *manifest, *index;

    fx_link(fx, 'd', "blobs/", "");
    fx->e[fx->n - 1].type = 'd';
    fx_blob(fx, &m->layer);
    fx_blob(fx, &m->config);
    fx_blob(fx, &m->manifest);
    index = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_INDEX "\","
                      "\"manifests\":[{\"mediaType\":\"" MT_MANIFEST "\","
                      "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{"
                      "\"io.containerd.image.name\":\"docker.io/library/busybox:latest\","
                      "\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
                      m->manifest.digest, m->manifest.len);
    fx_str(fx, "index.json", index);
    manifest = xasprintf("[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":[\"busybox:latest\"],"
                         "\"Layers\":[\"blobs/sha256/%s\"]}]",
                         digest_hex(m->config.digest), digest_hex(m->layer.digest));
    fx_str(fx, "manifest.json", manifest);
    fx_str(fx, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    fx_str(fx, "repositories", "{\"busybox\":{\"latest\":\"x\"}}");
    fx_link(fx, 'd', "legacy/", "");
    fx->e[fx->n - 1].type = 'd';
    {
        char *target = xasprintf("../blobs/sha256/%s", digest_hex(m->layer.digest));

        fx_link(fx, 'l', "legacy/layer.tar", target);
        free(target);
    }
    free(manifest);
    free(index);
}

/* A pure OCI layout: index.json, oci-layout, blobs; the name in org.opencontainers
 * annotation only. */
static void
fx_oci(struct fx *fx, const struct img1 *m, const char *ref_name)
{
    char *index;

    fx_blob(fx, &m->layer);
    fx_blob(fx, &m->config);
    fx_blob(fx, &m->manifest);
    index = xasprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                      "\"" MT_MANIFEST "\",\"digest\":\"%s\","
                      "\"size\":%zu,"
                      "\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}]}",
                      m->manifest.digest, m->manifest.len, ref_name);
    fx_str(fx, "index.json", index);
    fx_str(fx, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    free(index);
}

/* ---- helpers ------------------------------------------------------------------- */

static char tmp_parent[256];

static void
setup(void)
{
    snprintf(tmp_parent, sizeof tmp_parent, "/tmp/test-imagearchive-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_parent));
}

static void
teardown(void)
{
    dctl_error_t err = NULL;

    ck_assert_int_eq(tree_remove(tmp_parent, &err), 0);
}

static size_t
dir_count(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static struct imagearchive *
read_fd(int fd, const char *arch, dctl_error_t *err)
{
    char sub[300];
    struct imagearchive_read_options o = { .arch = arch };

    snprintf(sub, sizeof sub, "%s/tmp", tmp_parent);
    mkdir(sub, 0700);
    o.tmp_parent = sub;
    return imagearchive_read(fd, &o, err);
}

static void
check_layer(const struct imagearchive_layer *l)
{
    char d[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;

    ck_assert_int_eq(imagearchive_layer_diff_id(l->path, d, NULL, &err), 0);
    ck_assert_str_eq(d, l->diff_id);
}

static bool
has_tag(const struct imagearchive_image *img, const char *familiar)
{
    size_t i;
    bool found = false;

    for (i = 0; i < img->n_tags; i++) {
        char *s = reference_familiar_string(img->tags[i]);

        found |= strcmp(s, familiar) == 0;
        free(s);
    }
    return found;
}

/* ---- good archives ----------------------------------------------------------- */

START_TEST(test_old_layout)
{
    struct img1 m;
    struct fx fx = { .n = 0 };
    dctl_error_t err = NULL;
    struct imagearchive *a;
    int fd;
    char *dir;

    img1_init(&m, false, NULL);
    fx_old_layout(&fx, &m, NULL);
    fd = fx_write(&fx, PLAIN, NULL);
    a = read_fd(fd, NULL, &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    ck_assert_int_eq(a->format, IMAGEARCHIVE_DOCKER);
    ck_assert_uint_eq(a->n_images, 1);
    ck_assert_str_eq(a->images[0].id, m.config.digest);
    ck_assert_uint_eq(a->images[0].config_len, m.config.len);
    ck_assert_mem_eq(a->images[0].config, m.config.data, m.config.len);
    ck_assert_uint_eq(a->images[0].n_tags, 2);
    ck_assert(has_tag(&a->images[0], "busybox:latest"));
    ck_assert(has_tag(&a->images[0], "example.com/x/y:1"));
    ck_assert_str_eq(a->images[0].tags[0]->domain, "docker.io");
    ck_assert_uint_eq(a->images[0].n_layers, 1);
    ck_assert_str_eq(a->images[0].layers[0].diff_id, m.layer.diff_id);
    ck_assert_str_eq(a->images[0].layers[0].digest, "");
    ck_assert_str_eq(a->images[0].manifest_digest, "");
    ck_assert_int_eq(a->images[0].layers[0].compression, IMAGEARCHIVE_COMPRESSION_NONE);
    ck_assert(util_has_prefix(a->images[0].layers[0].path, a->dir));
    check_layer(&a->images[0].layers[0]);
    dir = xstrdup(a->dir);
    ck_assert_int_eq(access(dir, F_OK), 0);
    imagearchive_free(a);
    ck_assert_int_ne(access(dir, F_OK), 0);
    free(dir);
    close(fd);
    fx_free(&fx);
    img1_fini(&m);
}
END_TEST

/* Docker 25+ archive, plain and gzip-compressed as a whole. */
START_TEST(test_docker25)
{
    struct img1 m;
    struct fx fx = { .n = 0 };
    dctl_error_t err = NULL;
    struct imagearchive *a;
    int fd;

    img1_init(&m, false, NULL);
    fx_docker25(&fx, &m);
    fd = fx_write(&fx, _i ? GZIP : PLAIN, NULL);
    a = read_fd(fd, NULL, &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    ck_assert_int_eq(a->format, IMAGEARCHIVE_DOCKER);
    ck_assert_uint_eq(a->n_images, 1);
    ck_assert_str_eq(a->images[0].id, m.config.digest);
    ck_assert(has_tag(&a->images[0], "busybox:latest"));
    ck_assert_uint_eq(a->images[0].n_tags, 1);
    ck_assert_str_eq(a->images[0].layers[0].digest, m.layer.digest);
    check_layer(&a->images[0].layers[0]);
    imagearchive_free(a);
    ck_assert_uint_eq(dir_count(tmp_parent), 1); /* tmp/ only, empty */
    close(fd);
    fx_free(&fx);
    img1_fini(&m);
}
END_TEST

/* Pure OCI layout with a gzip layer; a full reference name or a bare tag. */
/* A manifest.json path through a symlink that stays inside resolves to the real file. */
START_TEST(test_symlinked_layer_path)
{
    struct img1 m;
    struct fx fx = { .n = 0 };
    dctl_error_t err = NULL;
    struct imagearchive *a;
    char *manifest, *want;
    int fd;

    img1_init(&m, false, NULL);
    fx_docker25(&fx, &m);
    fx_drop(&fx, "manifest.json");
    manifest = xasprintf("[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":null,"
                         "\"Layers\":[\"legacy/layer.tar\"]}]",
                         digest_hex(m.config.digest));
    fx_str(&fx, "manifest.json", manifest);
    fd = fx_write(&fx, PLAIN, NULL);
    a = read_fd(fd, NULL, &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    want = xasprintf("%s/blobs/sha256/%s", a->dir, digest_hex(m.layer.digest));
    ck_assert_str_eq(a->images[0].layers[0].path, want);
    ck_assert_uint_eq(a->images[0].n_tags, 0);
    check_layer(&a->images[0].layers[0]);
    imagearchive_free(a);
    free(want);
    free(manifest);
    close(fd);
    fx_free(&fx);
    img1_fini(&m);
}
END_TEST

START_TEST(test_oci_layout)
{
    struct img1 m;
    struct fx fx = { .n = 0 };
    dctl_error_t err = NULL;
    struct imagearchive *a;
    int fd;

    img1_init(&m, true, NULL);
    fx_oci(&fx, &m, _i ? "v1.0" : "registry.local:5000/app:v1");
    fd = fx_write(&fx, PLAIN, NULL);
    a = read_fd(fd, NULL, &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    ck_assert_int_eq(a->format, IMAGEARCHIVE_OCI);
    ck_assert_uint_eq(a->n_images, 1);
    ck_assert_str_eq(a->images[0].id, m.config.digest);
    ck_assert_str_eq(a->images[0].manifest_digest, m.manifest.digest);
    if (_i == 0) {
        ck_assert_uint_eq(a->images[0].n_tags, 1);
        ck_assert(has_tag(&a->images[0], "registry.local:5000/app:v1"));
    } else {
        ck_assert_uint_eq(a->images[0].n_tags, 0); /* a bare tag names no repository */
        ck_assert_ptr_null(a->images[0].tags[0]);
    }
    ck_assert_int_eq(a->images[0].layers[0].compression, IMAGEARCHIVE_COMPRESSION_GZIP);
    ck_assert_str_eq(a->images[0].layers[0].media_type,
                     "application/vnd.oci.image.layer.v1.tar+gzip");
    ck_assert_str_eq(a->images[0].layers[0].digest, m.layer.digest);
    ck_assert_str_ne(m.layer.digest, m.layer.diff_id);
    check_layer(&a->images[0].layers[0]);
    imagearchive_free(a);
    close(fd);
    fx_free(&fx);
    img1_fini(&m);
}
END_TEST

/* index.json -> nested multi-platform index (amd64, arm64, an attestation) */
static int
multi_fd(struct img1 *amd, struct img1 *arm)
{
    struct fx fx = { .n = 0 };
    struct blob nested;
    char *idx, *top;
    int fd;

    img1_init(amd, true, "amd64");
    img1_init(arm, false, "arm64");
    idx = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_INDEX "\","
                    "\"manifests\":["
                    "{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
                    "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\","
                    "\"variant\":\"v8\"}},"
                    "{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
                    "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                    "{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
                    "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}",
                    arm->manifest.digest, arm->manifest.len, amd->manifest.digest,
                    amd->manifest.len,
                    "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                    (size_t)3);
    blob_json(&nested, idx);
    top = xasprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                    "\"" MT_INDEX "\",\"digest\":\"%s\",\"size\":%zu,"
                    "\"annotations\":"
                    "{\"io.containerd.image.name\":\"docker.io/library/multi:1\"}}]}",
                    nested.digest, nested.len);
    fx_blob(&fx, &amd->layer);
    fx_blob(&fx, &amd->config);
    fx_blob(&fx, &amd->manifest);
    fx_blob(&fx, &arm->layer);
    fx_blob(&fx, &arm->config);
    fx_blob(&fx, &arm->manifest);
    fx_blob(&fx, &nested);
    fx_str(&fx, "index.json", top);
    fx_str(&fx, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    fd = fx_write(&fx, PLAIN, NULL);
    fx_free(&fx);
    blob_free(&nested);
    free(idx);
    free(top);
    return fd;
}

START_TEST(test_multi_platform)
{
    static const char *arches[] = { "amd64", "arm64" };
    struct img1 amd, arm;
    dctl_error_t err = NULL;
    struct imagearchive *a;
    int fd = multi_fd(&amd, &arm);

    a = read_fd(fd, arches[_i], &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    ck_assert_uint_eq(a->n_images, 1);
    ck_assert_str_eq(a->images[0].id, _i ? arm.config.digest : amd.config.digest);
    ck_assert(has_tag(&a->images[0], "multi:1"));
    ck_assert_str_eq(a->images[0].manifest_digest,
                     _i ? arm.manifest.digest : amd.manifest.digest);
    check_layer(&a->images[0].layers[0]);
    imagearchive_free(a);
    close(fd);
    img1_fini(&amd);
    img1_fini(&arm);
}
END_TEST

START_TEST(test_multi_platform_missing)
{
    struct img1 amd, arm;
    dctl_error_t err = NULL;
    struct imagearchive *a;
    int fd = multi_fd(&amd, &arm);

    a = read_fd(fd, "s390x", &err);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err->msg, "no image for platform linux/s390x"));
    dctl_error_clear(&err);
    ck_assert_uint_eq(dir_count(tmp_parent), 1);
    close(fd);
    img1_fini(&amd);
    img1_fini(&arm);
}
END_TEST

/* ---- bad archives -------------------------------------------------------------- */

enum bad {
    BAD_TRUNCATED,
    BAD_TRUNCATED_GZIP,
    BAD_DIGEST_OCI,
    BAD_DIGEST_MANIFEST,
    BAD_SIZE_OCI,
    BAD_MISSING_LAYER,
    BAD_LAYER_OUTSIDE,
    BAD_CONFIG_ABSOLUTE,
    BAD_ENTRY_DOTDOT,
    BAD_ENTRY_ABSOLUTE,
    BAD_SYMLINK_ESCAPE,
    BAD_SYMLINK_ABSOLUTE,
    BAD_THROUGH_SYMLINK,
    BAD_HARDLINK,
    BAD_LAYER_LZ4,
    BAD_LAYER_GARBAGE,
    BAD_OUTER_LZ4,
    BAD_NOT_TAR,
    BAD_CONFIG_NOT_JSON,
    BAD_LAYER_COUNT,
    BAD_TAG,
    BAD_EMPTY,
    BAD_TOO_LARGE,
    BAD_OCI_LAYOUT_MISSING,
    BAD_OCI_LAYER_MEDIA_TYPE,
};

static const struct {
    enum bad bad;
    const char *want; /* in the message */
} bads[] = {
    { BAD_TRUNCATED, "unexpected EOF" },
    { BAD_TRUNCATED_GZIP, "unexpected EOF" },
    { BAD_DIGEST_OCI, "digest mismatch for blobs/sha256/" },
    { BAD_DIGEST_MANIFEST, "digest mismatch for blobs/sha256/" },
    { BAD_SIZE_OCI, "size mismatch for blobs/sha256/" },
    { BAD_MISSING_LAYER, "manifest.json: missing layer file \"nope/layer.tar\"" },
    { BAD_LAYER_OUTSIDE, "manifest.json: layer path \"../x\" is outside the archive" },
    { BAD_CONFIG_ABSOLUTE, "manifest.json: config path \"/etc/passwd\" is outside the archive" },
    { BAD_ENTRY_DOTDOT, "entry \"../evil\" is outside the archive (path traversal)" },
    { BAD_ENTRY_ABSOLUTE, "is outside the archive (path traversal)" },
    { BAD_SYMLINK_ESCAPE, "symlink \"esc\" -> \"../../..\" leads outside the archive" },
    { BAD_SYMLINK_ABSOLUTE, "symlink \"abs\" -> \"/etc\" leads outside the archive" },
    { BAD_THROUGH_SYMLINK, "entry \"d/x\" passes through a symlink" },
    { BAD_HARDLINK, "hard links are not supported" },
    { BAD_LAYER_LZ4, "layer 0: unsupported compression (lz4)" },
    { BAD_LAYER_GARBAGE, "layer 0: unsupported compression (not a tar stream" },
    { BAD_OUTER_LZ4, "unsupported compression (lz4)" },
    { BAD_NOT_TAR, "invalid archive: not a tar stream" },
    { BAD_CONFIG_NOT_JSON, "invalid archive: manifest.json: config" },
    { BAD_LAYER_COUNT, "has 1 layers but its config lists 2 diff IDs" },
    { BAD_TAG, "manifest.json: invalid tag \"Busybox:latest\"" },
    { BAD_EMPTY, "no manifest.json or index.json" },
    { BAD_TOO_LARGE, "larger than the limit of 100 bytes" },
    { BAD_OCI_LAYOUT_MISSING, "missing oci-layout file" },
    { BAD_OCI_LAYER_MEDIA_TYPE, "unsupported layer media type \"application/x-foo\"" },
};

/* The archive for bad case b, in an fd. */
static int
bad_fd(enum bad b, struct img1 *m)
{
    struct fx fx = { .n = 0 };
    enum filter filter = PLAIN;
    size_t len;
    int fd;
    char *s;

    img1_init(m, false, NULL);
    switch (b) {
    case BAD_TRUNCATED:
        fx_docker25(&fx, m);
        fd = fx_write(&fx, PLAIN, &len);
        ck_assert_int_eq(ftruncate(fd, 1536 + 100), 0); /* inside the first blob */
        fx_free(&fx);
        return fd;
    case BAD_TRUNCATED_GZIP:
        fx_docker25(&fx, m);
        fd = fx_write(&fx, GZIP, &len);
        ck_assert_int_eq(ftruncate(fd, len / 2), 0);
        fx_free(&fx);
        return fd;
    case BAD_DIGEST_OCI:
        fx_oci(&fx, m, "x:1");
        fx.e[0].data[600] ^= 1; /* the layer blob */
        break;
    case BAD_DIGEST_MANIFEST:
        fx_docker25(&fx, m);
        fx_drop(&fx, "index.json");
        fx.e[1].data[600] ^= 1; /* the layer blob (after blobs/) */
        break;
    case BAD_SIZE_OCI: {
        char *bad = xasprintf("\"size\":%zu}]}", m->layer.len);
        char *good = xasprintf("\"size\":%zu}]}", m->layer.len + 1);
        char *man = xstrdup(m->manifest.data), *p = strstr(man, bad);
        char *fixed;

        ck_assert_ptr_nonnull(p);
        *p = '\0';
        fixed = xasprintf("%s%s", man, good);
        blob_free(&m->manifest);
        blob_json(&m->manifest, fixed);
        fx_oci(&fx, m, "x:1");
        free(bad);
        free(good);
        free(man);
        free(fixed);
        break;
    }
    case BAD_MISSING_LAYER:
        fx_old_layout(&fx, m, "nope/layer.tar");
        break;
    case BAD_LAYER_OUTSIDE:
        fx_old_layout(&fx, m, "../x");
        break;
    case BAD_CONFIG_ABSOLUTE:
        fx_str(&fx, "manifest.json",
               "[{\"Config\":\"/etc/passwd\",\"RepoTags\":null,\"Layers\":[]}]");
        break;
    case BAD_ENTRY_DOTDOT:
        fx_str(&fx, "ok", "x");
        fx_str(&fx, "../evil", "x");
        break;
    case BAD_ENTRY_ABSOLUTE:
        fx_str(&fx, "/tmp/evil-imagearchive", "x");
        break;
    case BAD_SYMLINK_ESCAPE:
        fx_link(&fx, 'l', "esc", "../../..");
        break;
    case BAD_SYMLINK_ABSOLUTE:
        fx_link(&fx, 'l', "abs", "/etc");
        break;
    case BAD_THROUGH_SYMLINK:
        fx_link(&fx, 'd', "sub/", "");
        fx.e[fx.n - 1].type = 'd';
        fx_link(&fx, 'l', "d", "sub");
        fx_str(&fx, "d/x", "x");
        break;
    case BAD_HARDLINK:
        fx_str(&fx, "a", "x");
        fx_link(&fx, 'h', "b", "a");
        break;
    case BAD_LAYER_LZ4:
    case BAD_LAYER_GARBAGE:
        blob_free(&m->layer);
        if (b == BAD_LAYER_LZ4)
            m->layer.data = xstrdup("\x04\x22\x4d\x18 frame");
        else
            m->layer.data = xstrdup("this is not a tar stream at all");
        m->layer.len = strlen(m->layer.data);
        fx_old_layout(&fx, m, NULL);
        break;
    case BAD_OUTER_LZ4:
        fx_docker25(&fx, m);
        filter = LZ4;
        break;
    case BAD_NOT_TAR:
        fd = memfd_create("x", MFD_CLOEXEC);
        s = xstrdup("hello, this is plainly not an archive of any kind\n");
        for (len = 0; len < 20; len++)
            ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
        free(s);
        lseek(fd, 0, SEEK_SET);
        return fd;
    case BAD_CONFIG_NOT_JSON:
        fx_str(&fx, "c.json", "{not json");
        fx_str(&fx, "manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[],\"Layers\":[]}]");
        break;
    case BAD_LAYER_COUNT: {
        const char *ids[2] = { m->layer.diff_id, m->layer.diff_id };

        s = config_json("amd64", ids, 2);
        blob_free(&m->config);
        blob_json(&m->config, s);
        free(s);
        fx_old_layout(&fx, m, NULL);
        break;
    }
    case BAD_TAG:
        fx_old_layout(&fx, m, NULL);
        fx_drop(&fx, "manifest.json");
        s = xasprintf("[{\"Config\":\"%s.json\",\"RepoTags\":[\"Busybox:latest\"],\"Layers\":"
                      "[\"" V1ID "/layer.tar\"]}]",
                      digest_hex(m->config.digest));
        fx_str(&fx, "manifest.json", s);
        free(s);
        break;
    case BAD_EMPTY:
        fx_str(&fx, "readme", "nothing here");
        break;
    case BAD_TOO_LARGE:
        fx_old_layout(&fx, m, NULL);
        break;
    case BAD_OCI_LAYOUT_MISSING:
        fx_oci(&fx, m, "x:1");
        fx_drop(&fx, "oci-layout");
        break;
    case BAD_OCI_LAYER_MEDIA_TYPE:
        s = xstrdup(m->manifest.data);
        {
            char *p = strstr(s, "application/vnd.oci.image.layer.v1.tar"), *t;

            ck_assert_ptr_nonnull(p);
            *p = '\0';
            t = xasprintf("%sapplication/x-foo%s", s,
                          p + strlen("application/vnd.oci.image.layer.v1.tar"));
            free(s);
            s = t;
        }
        blob_free(&m->manifest);
        blob_json(&m->manifest, s);
        free(s);
        fx_oci(&fx, m, "x:1");
        break;
    }
    fd = fx_write(&fx, filter, NULL);
    fx_free(&fx);
    return fd;
}

START_TEST(test_bad)
{
    struct img1 m;
    dctl_error_t err = NULL;
    struct imagearchive *a;
    char sub[300], evil[300];
    struct imagearchive_read_options o = { .max_size = 0 };
    int fd = bad_fd(bads[_i].bad, &m);

    snprintf(sub, sizeof sub, "%s/tmp", tmp_parent);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    o.tmp_parent = sub;
    if (bads[_i].bad == BAD_TOO_LARGE)
        o.max_size = 100;
    a = imagearchive_read(fd, &o, &err);
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, bads[_i].want), "case %d: \"%s\" lacks \"%s\"", _i,
                  err->msg, bads[_i].want);
    ck_assert_msg(util_has_prefix(err->msg, "invalid archive: "), "%s", err->msg);
    dctl_error_clear(&err);
    /* nothing left: the temporary directory is gone, nothing was written beside it */
    ck_assert_uint_eq(dir_count(sub), 0);
    ck_assert_uint_eq(dir_count(tmp_parent), 1);
    snprintf(evil, sizeof evil, "%s/evil", tmp_parent);
    ck_assert_int_ne(access(evil, F_OK), 0);
    ck_assert_int_ne(access("/tmp/evil-imagearchive", F_OK), 0);
    close(fd);
    img1_fini(&m);
}
END_TEST

START_TEST(test_detect_compression)
{
    static const struct {
        const char *data;
        size_t len;
        int rc;
        enum imagearchive_compression c;
    } cases[] = {
        { "\x1f\x8b\x08\x00", 4, 0, IMAGEARCHIVE_COMPRESSION_GZIP },
        { "\x28\xb5\x2f\xfd\x00", 5, 0, IMAGEARCHIVE_COMPRESSION_ZSTD },
        { "BZh91AY", 7, 0, IMAGEARCHIVE_COMPRESSION_BZIP2 },
        { "\xfd" "7zXZ\x00\x00", 7, 0, IMAGEARCHIVE_COMPRESSION_XZ },
        { "", 0, 0, IMAGEARCHIVE_COMPRESSION_NONE },
        { "\x04\x22\x4d\x18", 4, -1, 0 },
        { "LZIP\x01", 5, -1, 0 },
        { "short", 5, -1, 0 },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        int fd = memfd_create("x", MFD_CLOEXEC);
        enum imagearchive_compression c = 99;
        dctl_error_t err = NULL;

        ck_assert_int_eq(write(fd, cases[i].data, cases[i].len), (ssize_t)cases[i].len);
        ck_assert_int_eq(imagearchive_detect_compression(fd, &c, &err), cases[i].rc);
        if (cases[i].rc == 0) {
            ck_assert_int_eq(c, cases[i].c);
        } else {
            ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
            ck_assert_ptr_nonnull(strstr(err->msg, "unsupported compression"));
            dctl_error_clear(&err);
        }
        close(fd);
    }
}
END_TEST

/* ---- writer ---------------------------------------------------------------------- */

struct layers {
    struct blob b[3];
    int calls;
    bool corrupt;
};

static int
layer_cb(void *arg, const char *diff_id, int fd, dctl_error_t *err)
{
    struct layers *ls = arg;
    size_t i;

    ls->calls++;
    for (i = 0; i < ARRAY_SIZE(ls->b); i++) {
        if (strcmp(ls->b[i].diff_id, diff_id) != 0)
            continue;
        ck_assert_int_eq(write(fd, ls->b[i].data, ls->b[i].len), (ssize_t)ls->b[i].len);
        if (ls->corrupt)
            ck_assert_int_eq(write(fd, "x", 1), 1);
        return 0;
    }
    return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "no layer %s", diff_id);
}

/* Two images sharing their base layer; the first tagged twice, the second untagged. */
static int
write_two(struct layers *ls, char *configs[2], dctl_error_t *err)
{
    const char *ids1[2], *ids2[2];
    struct reference *t1 = reference_parse_normalized("busybox:latest", err);
    struct reference *t2 = reference_parse("example.com/team/app:v2", err);
    const struct reference *tags[2] = { t1, t2 };
    struct imagearchive_write_image imgs[2];
    int fd = memfd_create("out", MFD_CLOEXEC), rc;

    blob_layer(&ls->b[0], "base.txt", "base", false);
    blob_layer(&ls->b[1], "one.txt", "one", false);
    blob_layer(&ls->b[2], "two.txt", "two", false);
    ids1[0] = ids2[0] = ls->b[0].diff_id;
    ids1[1] = ls->b[1].diff_id;
    ids2[1] = ls->b[2].diff_id;
    configs[0] = config_json("amd64", ids1, 2);
    configs[1] = config_json("amd64", ids2, 2);
    imgs[0] = (struct imagearchive_write_image){ .config = configs[0],
                                                 .config_len = strlen(configs[0]),
                                                 .tags = tags, .n_tags = 2,
                                                 .diff_ids = ids1, .n_layers = 2 };
    imgs[1] = (struct imagearchive_write_image){ .config = configs[1],
                                                 .config_len = strlen(configs[1]),
                                                 .diff_ids = ids2, .n_layers = 2 };
    rc = imagearchive_write(fd, imgs, 2, layer_cb, ls, tmp_parent, err);
    reference_free(t1);
    reference_free(t2);
    if (rc < 0) {
        /* a failed write never ends with end-of-archive blocks: the reader sees it cut */
        off_t end = lseek(fd, 0, SEEK_END);
        char tail[1024];
        size_t i, nonzero = 0;

        if (end >= (off_t)sizeof tail) {
            ck_assert_int_eq(pread(fd, tail, sizeof tail, end - sizeof tail), sizeof tail);
            for (i = 0; i < sizeof tail; i++)
                nonzero += tail[i] != 0;
            ck_assert_uint_gt(nonzero, 0);
        }
        close(fd);
        return -1;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static void
check_two(struct imagearchive *a, char *configs[2], const struct layers *ls, bool oci)
{
    size_t i, j;

    ck_assert_uint_eq(a->n_images, 2);
    for (i = 0; i < 2; i++) {
        ck_assert_uint_eq(a->images[i].config_len, strlen(configs[i]));
        ck_assert_mem_eq(a->images[i].config, configs[i], strlen(configs[i]));
        ck_assert_uint_eq(a->images[i].n_layers, 2);
        if (oci)
            ck_assert_str_ne(a->images[i].manifest_digest, "");
        for (j = 0; j < 2; j++) {
            check_layer(&a->images[i].layers[j]);
            ck_assert_str_eq(a->images[i].layers[j].digest, a->images[i].layers[j].diff_id);
        }
    }
    ck_assert_str_eq(a->images[0].layers[0].diff_id, ls->b[0].diff_id);
    ck_assert_str_eq(a->images[0].layers[0].path, a->images[1].layers[0].path);
    ck_assert_str_eq(a->images[0].layers[1].diff_id, ls->b[1].diff_id);
    ck_assert_str_eq(a->images[1].layers[1].diff_id, ls->b[2].diff_id);
    ck_assert_uint_eq(a->images[0].n_tags, 2);
    ck_assert(has_tag(&a->images[0], "busybox:latest"));
    ck_assert(has_tag(&a->images[0], "example.com/team/app:v2"));
    ck_assert_uint_eq(a->images[1].n_tags, 0);
}

/* Copies the tar on fd without the entries named drop (NULL: keep all) into a new fd. */
static int
filter_tar(int fd, const char *drop, char **names, size_t *n_names)
{
    struct archive *in = archive_read_new(), *out = archive_write_new();
    struct archive_entry *e;
    int ofd = memfd_create("f", MFD_CLOEXEC);
    char buf[8192];
    la_ssize_t n;

    archive_read_support_format_tar(in);
    ck_assert_int_eq(archive_read_open_fd(in, fd, 8192), ARCHIVE_OK);
    archive_write_set_format_pax_restricted(out);
    ck_assert_int_eq(archive_write_open_fd(out, ofd), ARCHIVE_OK);
    *n_names = 0;
    while (archive_read_next_header(in, &e) == ARCHIVE_OK) {
        names[(*n_names)++] = xstrdup(archive_entry_pathname(e));
        if (drop && strcmp(archive_entry_pathname(e), drop) == 0)
            continue;
        ck_assert_int_eq(archive_write_header(out, e), ARCHIVE_OK);
        while ((n = archive_read_data(in, buf, sizeof buf)) > 0)
            ck_assert_int_eq(archive_write_data(out, buf, n), n);
    }
    archive_read_free(in);
    archive_write_close(out);
    archive_write_free(out);
    lseek(ofd, 0, SEEK_SET);
    return ofd;
}

START_TEST(test_round_trip)
{
    struct layers ls = { .calls = 0 };
    char *configs[2];
    char *names[32];
    size_t n_names, i;
    dctl_error_t err = NULL;
    struct imagearchive *a;
    int fd = write_two(&ls, configs, &err), ofd;
    bool seen_index = false, seen_layout = false, seen_repos = false, seen_manifest = false;

    ck_assert_msg(fd >= 0, "%s", err ? err->msg : "");
    ck_assert_int_eq(ls.calls, 3); /* the shared base layer is produced once */
    a = read_fd(fd, NULL, &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    ck_assert_int_eq(a->format, IMAGEARCHIVE_DOCKER);
    check_two(a, configs, &ls, false);
    imagearchive_free(a);

    /* the OCI side alone (index.json, oci-layout, blobs) reads back the same */
    lseek(fd, 0, SEEK_SET);
    ofd = filter_tar(fd, "manifest.json", names, &n_names);
    for (i = 0; i < n_names; i++) {
        seen_index |= strcmp(names[i], "index.json") == 0;
        seen_layout |= strcmp(names[i], "oci-layout") == 0;
        seen_repos |= strcmp(names[i], "repositories") == 0;
        seen_manifest |= strcmp(names[i], "manifest.json") == 0;
        free(names[i]);
    }
    ck_assert(seen_index && seen_layout && seen_repos && seen_manifest);
    ck_assert_uint_eq(n_names, 2 + 3 + 2 + 2 + 4); /* dirs, layers, configs, manifests, files */
    a = read_fd(ofd, NULL, &err);
    ck_assert_msg(a, "%s", err ? err->msg : "");
    ck_assert_int_eq(a->format, IMAGEARCHIVE_OCI);
    check_two(a, configs, &ls, true);
    imagearchive_free(a);
    close(ofd);
    close(fd);
    free(configs[0]);
    free(configs[1]);
    for (i = 0; i < 3; i++)
        blob_free(&ls.b[i]);
}
END_TEST

START_TEST(test_write_errors)
{
    struct layers ls = { .corrupt = true };
    char *configs[2];
    dctl_error_t err = NULL;
    const char *ids[1] = { "sha256:" V1ID };
    struct imagearchive_write_image img = { .config = "{\"rootfs\":{\"diff_ids\":[]}}",
                                            .diff_ids = ids, .n_layers = 1 };
    size_t i;
    int fd;

    /* layer content that does not hash to its diff ID */
    ck_assert_int_eq(write_two(&ls, configs, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert_ptr_nonnull(strstr(err->msg, "not its diff ID"));
    dctl_error_clear(&err);
    /* config diff_ids that differ from the layer list */
    img.config_len = strlen(img.config);
    fd = memfd_create("out", MFD_CLOEXEC);
    ck_assert_int_eq(imagearchive_write(fd, &img, 1, layer_cb, &ls, tmp_parent, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err->msg, "does not match its layers"));
    dctl_error_clear(&err);
    ck_assert_int_eq(lseek(fd, 0, SEEK_END), 0); /* nothing written before the check */
    close(fd);
    ck_assert_uint_eq(dir_count(tmp_parent), 0); /* no temporary files left */
    free(configs[0]);
    free(configs[1]);
    for (i = 0; i < 3; i++)
        blob_free(&ls.b[i]);
}
END_TEST

static Suite *
imagearchive_suite(void)
{
    Suite *s = suite_create("imagearchive");
    TCase *tc = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_old_layout);
    tcase_add_loop_test(tc, test_docker25, 0, 2);
    tcase_add_loop_test(tc, test_oci_layout, 0, 2);
    tcase_add_test(tc, test_symlinked_layer_path);
    tcase_add_loop_test(tc, test_multi_platform, 0, 2);
    tcase_add_test(tc, test_multi_platform_missing);
    tcase_add_loop_test(tc, test_bad, 0, ARRAY_SIZE(bads));
    tcase_add_test(tc, test_detect_compression);
    suite_add_tcase(s, tc);
    tc = tcase_create("write");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_write_errors);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(imagearchive_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
