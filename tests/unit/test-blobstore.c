/* tests/unit/test-blobstore.c - the content-addressed blob store: verified writes, what a
 * failed write leaves (nothing), concurrent writers of one blob, truncated input, reads
 * that detect corruption, delete, list and start-up clean-up. */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/blobstore.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define HELLO_D "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define EMPTY_D "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char root[64];

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void
setup(void)
{
    strcpy(root, "/tmp/test-blobstore-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void
teardown(void)
{
    nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Every name in ROOT/blobs/sha256, sorted and joined with spaces. */
static char *
dir_listing(void)
{
    cleanup_free char *dir = xasprintf("%s/blobs/sha256", root);
    struct dirent **names;
    char *out = xstrdup("");
    int n, i;

    n = scandir(dir, &names, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    for (i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
            char *next = xasprintf("%s%s%s", out, *out ? " " : "", names[i]->d_name);

            free(out);
            out = next;
        }
        free(names[i]);
    }
    free(names);
    return out;
}

static int
pipe_with(const void *data, size_t len)
{
    int p[2];

    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(write(p[1], data, len), (ssize_t)len);
    close(p[1]);
    return p[0];
}

START_TEST(test_blobstore_write_verified)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    cleanup_free char *path = NULL, *data = NULL, *listing = NULL;
    char out[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    size_t len = 0;

    ck_assert_ptr_nonnull(bs);
    ck_assert(!blobstore_exists(bs, HELLO_D));
    ck_assert_int_eq(blobstore_write(bs, "hello", 5, HELLO_D, out, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(out, HELLO_D);
    ck_assert(blobstore_exists(bs, HELLO_D));
    ck_assert_int_eq(blobstore_size(bs, HELLO_D, &err), 5);

    /* stored under its hex name, nothing else */
    listing = dir_listing();
    ck_assert_str_eq(listing, digest_hex(HELLO_D));
    path = blobstore_path(bs, HELLO_D, &err);
    ck_assert_str_eq(path + strlen(root), "/blobs/sha256/" "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

    data = blobstore_read(bs, HELLO_D, &len, &err);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, 5);
    ck_assert_str_eq(data, "hello");

    /* writing it again is fine and changes nothing */
    ck_assert_int_eq(blobstore_write(bs, "hello", 5, NULL, out, &err), 0);
    ck_assert_str_eq(out, HELLO_D);
    free(listing);
    listing = dir_listing();
    ck_assert_str_eq(listing, digest_hex(HELLO_D));

    /* the empty blob is a blob */
    ck_assert_int_eq(blobstore_write(bs, "", 0, EMPTY_D, out, &err), 0);
    ck_assert_int_eq(blobstore_size(bs, EMPTY_D, &err), 0);
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_write_fd)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    static char big[300000];
    char want[DIGEST_STRING_MAX], out[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    uint64_t size = 0;
    int fd, fd2, i;

    for (i = 0; i < (int)sizeof big; i++)
        big[i] = (char)(i * 7);
    digest_buffer(big, sizeof big, want);
    /* from a regular file (a pipe holds only 64 KiB) */
    {
        char path[] = "/tmp/test-blobstore-src-XXXXXX";

        fd = mkstemp(path);
        unlink(path);
        ck_assert_int_eq(write(fd, big, sizeof big), (ssize_t)sizeof big);
        lseek(fd, 0, SEEK_SET);
    }
    ck_assert_int_eq(blobstore_write_fd(bs, fd, want, sizeof big, out, &size, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(size, sizeof big);
    close(fd);

    /* the stored bytes are the input's */
    fd2 = blobstore_open_blob(bs, want, &err);
    ck_assert_int_ge(fd2, 0);
    ck_assert_int_eq(digest_fd(fd2, out, &size, &err), 0);
    ck_assert_str_eq(out, want);
    close(fd2);
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_mismatch_leaves_nothing)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    cleanup_free char *listing = NULL;
    char out[DIGEST_STRING_MAX] = "untouched";
    dctl_error_t err = NULL;

    ck_assert_int_eq(blobstore_write(bs, "hellO", 5, HELLO_D, out, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "digest mismatch: expected " HELLO_D
                               ", got sha256:04a6f55face2f46be8c23f627d539827615851e10751b63ec59db6d2c706b770");
    dctl_error_clear(&err);
    ck_assert_str_eq(out, "untouched");
    ck_assert(!blobstore_exists(bs, HELLO_D));
    listing = dir_listing();
    ck_assert_str_eq(listing, ""); /* no blob, no temporary file */

    /* an ill-formed expected digest is refused before anything is written */
    ck_assert_int_eq(blobstore_write(bs, "hello", 5, "sha256:1234", out, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "invalid digest sha256:1234: invalid checksum digest length");
    dctl_error_clear(&err);
    ck_assert_int_eq(blobstore_write(bs, "hello", 5, "md5:d41d8cd98f00b204e9800998ecf8427e", out,
                                     &err), -1);
    ck_assert_str_eq(err->msg, "invalid digest md5:d41d8cd98f00b204e9800998ecf8427e: "
                               "unsupported digest algorithm");
    dctl_error_clear(&err);
    free(listing);
    listing = dir_listing();
    ck_assert_str_eq(listing, "");
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_truncated_input)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    cleanup_free char *listing = NULL;
    char out[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    int fd;

    /* short of the announced size */
    fd = pipe_with("hel", 3);
    ck_assert_int_eq(blobstore_write_fd(bs, fd, HELLO_D, 5, out, NULL, &err), -1);
    close(fd);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "unexpected EOF: expected 5 bytes, got 3");
    dctl_error_clear(&err);

    /* no size announced: the digest catches it */
    fd = pipe_with("hel", 3);
    ck_assert_int_eq(blobstore_write_fd(bs, fd, HELLO_D, -1, out, NULL, &err), -1);
    close(fd);
    ck_assert(util_has_prefix(err->msg, "digest mismatch: expected " HELLO_D ", got sha256:"));
    dctl_error_clear(&err);

    /* longer than announced */
    fd = pipe_with("hello, world", 12);
    ck_assert_int_eq(blobstore_write_fd(bs, fd, NULL, 5, out, NULL, &err), -1);
    close(fd);
    ck_assert_str_eq(err->msg, "size mismatch: expected 5 bytes, got more");
    dctl_error_clear(&err);

    /* an unreadable source */
    ck_assert_int_eq(blobstore_write_fd(bs, -1, NULL, -1, out, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    dctl_error_clear(&err);
    fd = open("/", O_RDONLY | O_DIRECTORY);
    ck_assert_int_eq(blobstore_write_fd(bs, fd, NULL, -1, out, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert_int_eq(err->errnum, EISDIR);
    dctl_error_clear(&err);
    close(fd);

    listing = dir_listing();
    ck_assert_str_eq(listing, "");
    blobstore_free(bs);
}
END_TEST

#define WRITERS 8
#define BLOB_SIZE (1 << 20)

struct writer {
    struct blobstore *bs;
    const char *data;
    const char *want;
    int rc;
    char out[DIGEST_STRING_MAX];
};

static void *
writer_run(void *arg)
{
    struct writer *w = arg;
    dctl_error_t err = NULL;

    w->rc = blobstore_write(w->bs, w->data, BLOB_SIZE, w->want, w->out, &err);
    dctl_error_free(err);
    return NULL;
}

START_TEST(test_blobstore_concurrent_same_blob)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    struct writer w[WRITERS];
    pthread_t th[WRITERS];
    cleanup_free char *data = xmalloc(BLOB_SIZE), *listing = NULL, *back = NULL;
    char want[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    size_t len = 0;
    int i;

    for (i = 0; i < BLOB_SIZE; i++)
        data[i] = (char)(i % 251);
    digest_buffer(data, BLOB_SIZE, want);
    for (i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){ .bs = bs, .data = data, .want = want, .rc = -2 };
        ck_assert_int_eq(pthread_create(&th[i], NULL, writer_run, &w[i]), 0);
    }
    for (i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].rc, 0);
        ck_assert_str_eq(w[i].out, want);
    }
    listing = dir_listing();
    ck_assert_str_eq(listing, digest_hex(want)); /* one file, no temporaries */
    back = blobstore_read(bs, want, &len, &err);
    ck_assert_ptr_nonnull(back);
    ck_assert_uint_eq(len, BLOB_SIZE);
    ck_assert_int_eq(memcmp(back, data, BLOB_SIZE), 0);
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_read_detects_corruption)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    cleanup_free char *path = NULL;
    dctl_error_t err = NULL;
    FILE *f;

    ck_assert_int_eq(blobstore_write(bs, "hello", 5, NULL, NULL, &err), 0);
    path = blobstore_path(bs, HELLO_D, &err);
    f = fopen(path, "w");
    fputs("jello", f);
    fclose(f);
    ck_assert_ptr_null(blobstore_read(bs, HELLO_D, NULL, &err));
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert(util_has_prefix(err->msg, "blob " HELLO_D " is corrupt"));
    dctl_error_clear(&err);
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_missing_and_delete)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    dctl_error_t err = NULL;

    ck_assert_int_eq(blobstore_open_blob(bs, HELLO_D, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    ck_assert_str_eq(err->msg, "content digest " HELLO_D ": not found");
    dctl_error_clear(&err);
    ck_assert_ptr_null(blobstore_read(bs, HELLO_D, NULL, &err));
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    ck_assert_ptr_null(blobstore_read(bs, HELLO_D, NULL, NULL)); /* err may be NULL */
    ck_assert_int_eq(blobstore_size(bs, HELLO_D, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    ck_assert_int_eq(blobstore_delete(bs, HELLO_D, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    ck_assert(!blobstore_exists(bs, "not-a-digest"));
    ck_assert_int_eq(blobstore_open_blob(bs, "../../etc/passwd", &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);

    ck_assert_int_eq(blobstore_write(bs, "hello", 5, NULL, NULL, &err), 0);
    ck_assert_int_eq(blobstore_delete(bs, HELLO_D, &err), 0);
    ck_assert(!blobstore_exists(bs, HELLO_D));
    ck_assert_int_eq(blobstore_delete(bs, HELLO_D, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_list_and_reopen)
{
    struct blobstore *bs = blobstore_open(root, NULL);
    cleanup_free char *stray = NULL, *tmp = NULL, *listing = NULL;
    dctl_error_t err = NULL;
    char **list;
    size_t n = 99;
    FILE *f;

    list = blobstore_list(bs, &n, &err);
    ck_assert_ptr_nonnull(list);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(list[0]);
    blobstore_list_free(list);

    ck_assert_int_eq(blobstore_write(bs, "hello", 5, NULL, NULL, &err), 0);
    ck_assert_int_eq(blobstore_write(bs, "", 0, NULL, NULL, &err), 0);
    /* a stray file and a temporary file from an interrupted write */
    stray = xasprintf("%s/blobs/sha256/README", root);
    tmp = xasprintf("%s/blobs/sha256/.tmp-1-1", root);
    f = fopen(stray, "w");
    fclose(f);
    f = fopen(tmp, "w");
    fclose(f);

    list = blobstore_list(bs, &n, &err);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(list[0], HELLO_D); /* 2cf2... sorts before e3b0... */
    ck_assert_str_eq(list[1], EMPTY_D);
    ck_assert_ptr_null(list[2]);
    blobstore_list_free(list);
    blobstore_free(bs);

    /* reopening removes the temporary file and keeps everything else */
    bs = blobstore_open(root, &err);
    ck_assert_ptr_nonnull(bs);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    listing = dir_listing();
    ck_assert_str_eq(listing, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 "
                              "README "
                              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert(blobstore_exists(bs, HELLO_D));
    blobstore_free(bs);
}
END_TEST

START_TEST(test_blobstore_open_fails)
{
    dctl_error_t err = NULL;
    cleanup_free char *file = xasprintf("%s/file", root);
    FILE *f = fopen(file, "w");

    fclose(f);
    ck_assert_ptr_null(blobstore_open(file, &err)); /* root is a regular file */
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert(util_has_prefix(err->msg, "blob store: "));
    dctl_error_clear(&err);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("blobstore");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_blobstore_write_verified);
    tcase_add_test(tc, test_blobstore_write_fd);
    tcase_add_test(tc, test_blobstore_mismatch_leaves_nothing);
    tcase_add_test(tc, test_blobstore_truncated_input);
    tcase_add_test(tc, test_blobstore_concurrent_same_blob);
    tcase_add_test(tc, test_blobstore_read_detects_corruption);
    tcase_add_test(tc, test_blobstore_missing_and_delete);
    tcase_add_test(tc, test_blobstore_list_and_reopen);
    tcase_add_test(tc, test_blobstore_open_fails);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
