/* tests/unit/test-layerstore.c - the layer store over the real vfs driver (dlopen'd
 * from the build tree, driven through a fake host): registration (diff ID = sha256 of
 * the uncompressed tar, compressed or not), dedup of a chain ID, child layers and
 * reference counts, removal with the last reference, persistence across a reopen,
 * clean-up of what a crash leaves, and bad tars failing with nothing stored; then the
 * image store over it (ID = sha256 of the config bytes, layer references, bad configs
 * refused with nothing written, reload, a corrupt config skipped). */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/imagestore.h"
#include "daemon/layerstore.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "tests/unit/fake-host.h"

static char scratch[64];

struct fixture {
    const struct dctl_driver *d;
    const struct dctl_storage_ops *ops;
    void *handle, *priv;
    struct fake_host *fh;
    char state[128], root[128];
    struct layerstore *ls;
};

static struct fixture fx;

static void
setup(void)
{
    const char *top = getenv("top_builddir");
    cleanup_free char *path = xasprintf("%s/drivers/storage/.libs/vfs.so", top ? top : ".");
    cleanup_free char *why = NULL;
    dctl_error_t err = NULL;

    memset(&fx, 0, sizeof fx);
    snprintf(scratch, sizeof scratch, "/tmp/test-layerstore-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    fx.d = fake_host_load(path, DCTL_DRIVER_STORAGE, &fx.handle, &why);
    ck_assert_msg(fx.d != NULL, "%s", why);
    fx.ops = fx.d->ops;
    snprintf(fx.state, sizeof fx.state, "%s/vfs", scratch);
    snprintf(fx.root, sizeof fx.root, "%s/layerdb", scratch);
    ck_assert_int_eq(mkdir(fx.state, 0700), 0);
    fx.fh = fake_host_new(fx.state, scratch);
    ck_assert_int_eq(fx.ops->init(&fx.fh->host, NULL, &fx.priv, &err), 0);
    fx.ls = layerstore_open(fx.root, fx.ops, fx.priv, &err);
    ck_assert_msg(fx.ls != NULL, "%s", err ? err->msg : "");
}

static void
teardown(void)
{
    dctl_error_t err = NULL;

    layerstore_free(fx.ls);
    fx.ops->fini(fx.priv);
    fake_host_free(fx.fh);
    dlclose(fx.handle);
    tree_remove(scratch, &err);
    dctl_error_free(err);
}

static size_t
count_dir(const char *fmt, ...)
{
    char path[512];
    va_list ap;
    DIR *d;
    struct dirent *de;
    size_t n = 0;

    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    d = opendir(path);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Nothing but the committed layers: no tmp/ entry, one driver layer each. */
static void
assert_store(size_t layers)
{
    ck_assert_uint_eq(layerstore_count(fx.ls), layers);
    ck_assert_uint_eq(count_dir("%s/sha256", fx.root), layers);
    ck_assert_uint_eq(count_dir("%s/tmp", fx.root), 0);
    ck_assert_uint_eq(count_dir("%s/dir", fx.state), layers);
}

/* ---- tars built with libarchive ------------------------------------------------- */

struct entry {
    const char *name;
    const char *data;      /* a regular file's content */
    const char *symlink;   /* or a symlink's target */
};

/* Writes a tar of entries to a new file under scratch (filter: "none", "gzip");
 * *digest gets the sha256 of the uncompressed tar. Returns an fd at offset 0. */
static int
make_tar(const struct entry *e, size_t n, const char *filter, char digest[DIGEST_STRING_MAX])
{
    cleanup_free char *path = xasprintf("%s/tar-%s-XXXXXX", scratch, filter);
    int fd = mkstemp(path);
    struct archive *a;
    size_t i;

    ck_assert_int_ge(fd, 0);
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: the uncompressed bytes, for the digest; pass 1: the file */
        cleanup_free char *raw = xasprintf("%s.raw", path);
        int out = pass == 0 ? open(raw, O_RDWR | O_CREAT | O_TRUNC, 0600) : fd;

        a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (pass == 1 && strcmp(filter, "gzip") == 0)
            archive_write_add_filter_gzip(a);
        archive_write_open_fd(a, out);
        for (i = 0; i < n; i++) {
            struct archive_entry *ae = archive_entry_new();

            archive_entry_set_pathname(ae, e[i].name);
            archive_entry_set_mtime(ae, 1000000000, 0);
            if (e[i].symlink) {
                archive_entry_set_filetype(ae, AE_IFLNK);
                archive_entry_set_perm(ae, 0777);
                archive_entry_set_symlink(ae, e[i].symlink);
                archive_write_header(a, ae);
            } else {
                archive_entry_set_filetype(ae, AE_IFREG);
                archive_entry_set_perm(ae, 0644);
                archive_entry_set_size(ae, (la_int64_t)strlen(e[i].data));
                archive_write_header(a, ae);
                archive_write_data(a, e[i].data, strlen(e[i].data));
            }
            archive_entry_free(ae);
        }
        archive_write_close(a);
        archive_write_free(a);
        if (pass == 0) {
            uint64_t size;
            dctl_error_t err = NULL;

            lseek(out, 0, SEEK_SET);
            ck_assert_int_eq(digest_fd(out, digest, &size, &err), 0);
            close(out);
            unlink(raw);
        }
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static const struct entry child[] = { { "child.txt", "child layer", NULL } };

static int
make_base(const char *filter, char digest[DIGEST_STRING_MAX])
{
    struct entry e[] = { { "hello.txt", "hello, world\n", NULL }, { "a.txt", "abc", NULL } };

    return make_tar(e, ARRAY_SIZE(e), filter, digest);
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(test_register_dedup_release)
{
    char tar_digest[DIGEST_STRING_MAX], gz_digest[DIGEST_STRING_MAX];
    char chain[DIGEST_STRING_MAX], chain2[DIGEST_STRING_MAX], diff[DIGEST_STRING_MAX];
    struct layer_info li, *gone = NULL;
    size_t ngone = 0;
    dctl_error_t err = NULL;
    cleanup_close int fd = make_base("none", tar_digest);
    cleanup_close int gz = make_base("gzip", gz_digest);
    cleanup_free char *meta = NULL;

    ck_assert_str_eq(tar_digest, gz_digest);
    ck_assert_int_eq(layerstore_register(fx.ls, fd, NULL, chain, diff, &err), 0);
    ck_assert_str_eq(diff, tar_digest);
    ck_assert_str_eq(chain, tar_digest);   /* a base layer's chain ID is its diff ID */
    ck_assert(layerstore_get(fx.ls, chain, &li));
    ck_assert_uint_eq(li.refs, 1);
    ck_assert_int_eq(li.size, (int64_t)strlen("hello, world\n") + 3);
    ck_assert_str_eq(li.parent, "");
    ck_assert(fx.ops->exists(fx.priv, li.cache_id));
    meta = xasprintf("%s/sha256/%s/cache-id", fx.root, digest_hex(chain));
    {
        cleanup_free char *text = file_read_all(AT_FDCWD, meta, NULL, &err);

        ck_assert_str_eq(text, li.cache_id);
    }
    assert_store(1);

    /* the same layer again, gzipped: one layer, two references */
    ck_assert_int_eq(layerstore_register(fx.ls, gz, NULL, chain2, diff, &err), 0);
    ck_assert_str_eq(chain2, chain);
    ck_assert(layerstore_get(fx.ls, chain, &li));
    ck_assert_uint_eq(li.refs, 2);
    assert_store(1);

    ck_assert_int_eq(layerstore_release(fx.ls, chain, &gone, &ngone, &err), 0);
    ck_assert_uint_eq(ngone, 0);
    assert_store(1);
    ck_assert_int_eq(layerstore_release(fx.ls, chain, &gone, &ngone, &err), 0);
    ck_assert_uint_eq(ngone, 1);
    ck_assert_str_eq(gone[0].chain_id, chain);
    free(gone);
    assert_store(0);
    ck_assert(!fx.ops->exists(fx.priv, li.cache_id));
    /* a reference nobody holds */
    ck_assert_int_eq(layerstore_release(fx.ls, chain, NULL, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_free(err);
}
END_TEST

START_TEST(test_child_layers)
{
    char d0[DIGEST_STRING_MAX], d1[DIGEST_STRING_MAX], c0[DIGEST_STRING_MAX],
        c1[DIGEST_STRING_MAX], want[DIGEST_STRING_MAX], diff[DIGEST_STRING_MAX];
    struct layer_info li, *gone = NULL;
    size_t ngone = 0;
    dctl_error_t err = NULL;
    cleanup_close int fd0 = make_base("none", d0);
    cleanup_close int fd1 = make_tar(child, ARRAY_SIZE(child), "none", d1);

    ck_assert_int_eq(layerstore_register(fx.ls, fd0, NULL, c0, NULL, &err), 0);
    ck_assert_int_eq(layerstore_register(fx.ls, fd1, c0, c1, diff, &err), 0);
    digest_chain_id_next(c0, d1, want);
    ck_assert_str_eq(c1, want);
    ck_assert_str_eq(diff, d1);
    ck_assert(layerstore_get(fx.ls, c1, &li));
    ck_assert_str_eq(li.parent, c0);
    ck_assert(layerstore_get(fx.ls, c0, &li));
    ck_assert_uint_eq(li.refs, 2);   /* its registration and its child */
    assert_store(2);
    /* the base's own reference goes: the child keeps it */
    ck_assert_int_eq(layerstore_release(fx.ls, c0, NULL, NULL, &err), 0);
    assert_store(2);
    /* the child's last reference removes both, child first */
    ck_assert_int_eq(layerstore_release(fx.ls, c1, &gone, &ngone, &err), 0);
    ck_assert_uint_eq(ngone, 2);
    ck_assert_str_eq(gone[0].chain_id, c1);
    ck_assert_str_eq(gone[1].chain_id, c0);
    free(gone);
    assert_store(0);
    /* an unknown parent */
    lseek(fd1, 0, SEEK_SET);
    ck_assert_int_eq(layerstore_register(fx.ls, fd1, c0, c1, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_free(err);
    assert_store(0);
}
END_TEST

/* Bad layers: each fails, leaving no metadata, no tmp entry and no driver layer. */
static const struct {
    const char *what;
    struct entry e[2];
    size_t n;
    const char *raw;          /* or these bytes instead of a tar */
    enum dctl_error_kind kind;
    const char *needle;
} bad[] = {
    { "dotdot", { { "ok", "x", NULL }, { "../../escape", "x", NULL } }, 2, NULL, DCTL_ERR_INVALID,
      "escape" },
    { "symlink escape", { { "l", NULL, "/tmp" }, { "l/escaped-by-test", "x", NULL } }, 2, NULL,
      DCTL_ERR_INVALID, "escaped-by-test" },
    { "absolute", { { "/abs-escape", "x", NULL } }, 1, NULL, DCTL_ERR_INVALID, "abs-escape" },
    { "garbage", { { NULL, NULL, NULL } }, 0, "this is not an archive\n", DCTL_ERR_INVALID,
      "archive" },
    { "truncated gzip", { { NULL, NULL, NULL } }, 0, "\x1f\x8b\x08\x00\x00\x00", DCTL_ERR_INVALID,
      "" },
};

START_TEST(test_bad_layers)
{
    char digest[DIGEST_STRING_MAX], chain[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    int fd;

    if (bad[_i].raw) {
        cleanup_free char *path = xasprintf("%s/raw-XXXXXX", scratch);

        fd = mkstemp(path);
        ck_assert_int_eq(write(fd, bad[_i].raw, strlen(bad[_i].raw)),
                         (ssize_t)strlen(bad[_i].raw));
        lseek(fd, 0, SEEK_SET);
    } else {
        fd = make_tar(bad[_i].e, bad[_i].n, "none", digest);
    }
    ck_assert_int_eq(layerstore_register(fx.ls, fd, NULL, chain, NULL, &err), -1);
    close(fd);
    ck_assert_msg(err != NULL, "%s: no error", bad[_i].what);
    ck_assert_msg(err->kind == bad[_i].kind, "%s: kind %d: %s", bad[_i].what, err->kind,
                  err->msg);
    ck_assert_msg(strstr(err->msg, bad[_i].needle), "%s: %s", bad[_i].what, err->msg);
    dctl_error_free(err);
    assert_store(0);
    ck_assert(access("/tmp/escaped-by-test", F_OK) < 0);
    ck_assert(access("/abs-escape", F_OK) < 0);
}
END_TEST

START_TEST(test_reopen_and_crash_cleanup)
{
    char d0[DIGEST_STRING_MAX], c0[DIGEST_STRING_MAX], d1[DIGEST_STRING_MAX], c1[DIGEST_STRING_MAX];
    const char *orphan = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    cleanup_free char *tmpdir = xasprintf("%s/tmp/write-%s", fx.root, orphan);
    cleanup_free char *broken = xasprintf("%s/sha256/%064d", fx.root, 0);
    struct layer_info li;
    dctl_error_t err = NULL;
    cleanup_close int fd0 = make_base("none", d0);
    cleanup_close int fd1 = make_tar(child, ARRAY_SIZE(child), "none", d1);

    ck_assert_int_eq(layerstore_register(fx.ls, fd0, NULL, c0, NULL, &err), 0);
    ck_assert_int_eq(layerstore_register(fx.ls, fd1, c0, c1, NULL, &err), 0);
    layerstore_free(fx.ls);

    /* a crash mid-registration: intent record and a half-made driver layer */
    ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
    {
        cleanup_close int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY);

        ck_assert_int_eq(file_write_atomic(dfd, "cache-id", orphan, 64, 0600, &err), 0);
    }
    ck_assert_int_eq(fx.ops->create(fx.priv, orphan, NULL, &err), 0);
    /* a committed entry whose driver layer is gone */
    ck_assert_int_eq(file_mkdir_p(broken, 0700, &err), 0);
    {
        cleanup_close int dfd = open(broken, O_RDONLY | O_DIRECTORY);
        char cache[65];

        memset(cache, 'e', 64);
        cache[64] = '\0';
        file_write_atomic(dfd, "diff", d0, strlen(d0), 0600, &err);
        file_write_atomic(dfd, "size", "1", 1, 0600, &err);
        file_write_atomic(dfd, "cache-id", cache, 64, 0600, &err);
        ck_assert_ptr_null(err);
    }

    fx.ls = layerstore_open(fx.root, fx.ops, fx.priv, &err);
    ck_assert_ptr_nonnull(fx.ls);
    ck_assert(!fx.ops->exists(fx.priv, orphan));
    ck_assert(access(broken, F_OK) < 0);
    assert_store(2);
    /* after a reopen only children hold references */
    ck_assert(layerstore_get(fx.ls, c0, &li));
    ck_assert_uint_eq(li.refs, 1);
    ck_assert(layerstore_get(fx.ls, c1, &li));
    ck_assert_uint_eq(li.refs, 0);
    ck_assert_str_eq(li.parent, c0);
    /* an image holding the child keeps both; without it, pruning removes both */
    ck_assert_int_eq(layerstore_acquire(fx.ls, c1, &err), 0);
    ck_assert_uint_eq(layerstore_prune_unused(fx.ls), 0);
    assert_store(2);
    ck_assert_int_eq(layerstore_release(fx.ls, c1, NULL, NULL, &err), 0);
    assert_store(0);
    ck_assert_int_eq(layerstore_acquire(fx.ls, c1, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_free(err);
}
END_TEST

START_TEST(test_prune_unused_after_reopen)
{
    char d0[DIGEST_STRING_MAX], c0[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    cleanup_close int fd0 = make_base("none", d0);

    ck_assert_int_eq(layerstore_register(fx.ls, fd0, NULL, c0, NULL, &err), 0);
    layerstore_free(fx.ls);
    fx.ls = layerstore_open(fx.root, fx.ops, fx.priv, &err);
    ck_assert_ptr_nonnull(fx.ls);
    assert_store(1);
    /* nobody acquired it: a crash between layer commit and image write */
    ck_assert_uint_eq(layerstore_prune_unused(fx.ls), 1);
    assert_store(0);
}
END_TEST


/* The image store on top: ID = sha256 of the config bytes, the layer reference it
 * holds, bad configs refused with nothing written, reload, a corrupt config skipped. */
static const struct {
    const char *what;
    const char *config;  /* %s: a diff ID */
    enum dctl_error_kind kind;
} bad_configs[] = {
    { "not JSON", "{\"rootfs\": ", DCTL_ERR_INVALID },
    { "no rootfs", "{\"os\": \"linux\"}", DCTL_ERR_INVALID },
    { "bad diff ID", "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"sha256:xyz\"]}}",
      DCTL_ERR_INVALID },
    { "missing layer", "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"sha256:"
      "1111111111111111111111111111111111111111111111111111111111111111\"]}}",
      DCTL_ERR_NOT_FOUND },
};

START_TEST(test_imagestore)
{
    char d0[DIGEST_STRING_MAX], c0[DIGEST_STRING_MAX], id[DIGEST_STRING_MAX], want[DIGEST_STRING_MAX];
    cleanup_free char *imagedb = xasprintf("%s/imagedb", scratch);
    cleanup_free char *config = NULL, *path = NULL;
    struct layer_info li, *gone = NULL;
    struct imagestore *is;
    struct image *img;
    dctl_error_t err = NULL;
    size_t i, ngone = 0;
    bool created = false;
    cleanup_close int fd0 = make_base("none", d0);

    ck_assert_int_eq(layerstore_register(fx.ls, fd0, NULL, c0, NULL, &err), 0);
    is = imagestore_open(imagedb, fx.ls, &err);
    ck_assert_ptr_nonnull(is);
    config = xasprintf("{\"architecture\":\"amd64\",\"created\":\"2020-01-02T03:04:05.5Z\","
                       "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", d0);
    ck_assert_int_eq(imagestore_create(is, config, strlen(config), NULL, id, &created, &err), 0);
    ck_assert(created);
    digest_buffer(config, strlen(config), want);
    ck_assert_str_eq(id, want);
    path = xasprintf("%s/content/sha256/%s", imagedb, digest_hex(id));
    {
        size_t len;
        cleanup_free char *stored = file_read_all(AT_FDCWD, path, &len, &err);

        ck_assert_uint_eq(len, strlen(config));
        ck_assert(memcmp(stored, config, len) == 0);
    }
    ck_assert(layerstore_get(fx.ls, c0, &li));
    ck_assert_uint_eq(li.refs, 2);
    ck_assert_int_eq(layerstore_release(fx.ls, c0, NULL, NULL, &err), 0);   /* registration's */
    img = imagestore_get(is, id);
    ck_assert_ptr_nonnull(img);
    ck_assert_int_eq(img->size, li.size);
    ck_assert_str_eq(img->top_chain, c0);
    ck_assert_int_eq(img->created_ns, 1577934245500000000LL);
    image_unref(img);
    /* a short prefix finds it; a miss is "No such image" */
    free(path);
    path = xasprintf("%.10s", digest_hex(id));
    img = imagestore_search(is, path, &err);
    ck_assert_ptr_nonnull(img);
    image_unref(img);
    ck_assert_ptr_null(imagestore_search(is, "ffffffffffff", &err));
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);

    for (i = 0; i < ARRAY_SIZE(bad_configs); i++) {
        const char *c = bad_configs[i].config;

        ck_assert_int_eq(imagestore_create(is, c, strlen(c), NULL, id, NULL, &err), -1);
        ck_assert_msg(err->kind == bad_configs[i].kind, "%s: %s", bad_configs[i].what, err->msg);
        dctl_error_clear(&err);
        ck_assert_uint_eq(imagestore_count(is), 1);
        ck_assert_uint_eq(count_dir("%s/content/sha256", imagedb), 1);
    }
    digest_buffer(config, strlen(config), id);
    free(path);
    path = xasprintf("%s/content/sha256/%s", imagedb, digest_hex(id));

    /* reload: the image is back and holds its layer; a corrupt config is skipped */
    imagestore_free(is);
    layerstore_free(fx.ls);
    fx.ls = layerstore_open(fx.root, fx.ops, fx.priv, &err);
    is = imagestore_open(imagedb, fx.ls, &err);
    ck_assert_ptr_nonnull(is);
    ck_assert_uint_eq(imagestore_count(is), 1);
    ck_assert(layerstore_get(fx.ls, c0, &li));
    ck_assert_uint_eq(li.refs, 1);
    ck_assert_uint_eq(layerstore_prune_unused(fx.ls), 0);

    /* delete: the config and the layer go */
    ck_assert_int_eq(imagestore_delete(is, id, &gone, &ngone, &err), 0);
    ck_assert_uint_eq(ngone, 1);
    free(gone);
    ck_assert(access(path, F_OK) < 0);
    assert_store(0);
    ck_assert_int_eq(imagestore_delete(is, id, NULL, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    imagestore_free(is);

    /* a config whose bytes no longer match its name is skipped at load */
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "{}", 2, 0600, &err), 0);
    is = imagestore_open(imagedb, fx.ls, &err);
    ck_assert_ptr_nonnull(is);
    ck_assert_uint_eq(imagestore_count(is), 0);
    imagestore_free(is);
}
END_TEST

static Suite *
layerstore_suite(void)
{
    Suite *s = suite_create("layerstore");
    TCase *tc = tcase_create("vfs");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_register_dedup_release);
    tcase_add_test(tc, test_child_layers);
    tcase_add_loop_test(tc, test_bad_layers, 0, ARRAY_SIZE(bad));
    tcase_add_test(tc, test_reopen_and_crash_cleanup);
    tcase_add_test(tc, test_prune_unused_after_reopen);
    tcase_add_test(tc, test_imagestore);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    if (geteuid() != 0) {
        fprintf(stderr, "test-layerstore: skipped: needs root (owners in layers)\n");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);   /* as dctld: a driver that stops reading gives EPIPE */
    sr = srunner_create(layerstore_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
