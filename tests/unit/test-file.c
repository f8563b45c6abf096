/* tests/unit/test-file.c - lib/file.c: file_write_atomic (no temp file left,
 * replaces the old file whole, concurrent writers never tear it, errors leave
 * the old file), file_read_all and file_mkdir_p. */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static char dir[64];

static void
dir_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/dctl-test-file.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
dir_teardown(void)
{
    cleanup_free char *cmd = xasprintf("chmod -R u+w '%s'; rm -rf '%s'", dir, dir);

    ck_assert_int_eq(system(cmd), 0);
}

/* The names in path, sorted, joined by spaces. */
static char *
dir_list(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char *names[64];
    size_t n = 0, i, j;
    char *out = xstrdup("");

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = xstrdup(e->d_name);
    closedir(d);
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? " " : "", names[i]);
        free(out);
        free(names[i]);
        out = next;
    }
    return out;
}

static char *
read_path(const char *path)
{
    dctl_error_t err = NULL;
    char *text = file_read_all(AT_FDCWD, path, NULL, &err);

    ck_assert_msg(text != NULL, "%s: %s", path, err ? err->msg : "?");
    return text;
}

START_TEST(test_file_write_atomic_creates_and_replaces)
{
    cleanup_free char *path = xasprintf("%s/state.json", dir);
    cleanup_free char *list = NULL, *text = NULL;
    dctl_error_t err = NULL;
    struct stat st, st2;

    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "old", 3, 0600, &err), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    text = read_path(path);
    ck_assert_str_eq(text, "old");
    free(text);
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "new and longer", 14, 0600, &err), 0);
    text = read_path(path);
    ck_assert_str_eq(text, "new and longer");
    free(text);
    /* replaced by rename: a new inode, not the old file rewritten in place */
    ck_assert_int_eq(stat(path, &st2), 0);
    ck_assert_uint_ne(st.st_ino, st2.st_ino);
    /* shorter content leaves no tail of the old one */
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "x", 1, 0600, &err), 0);
    text = read_path(path);
    ck_assert_str_eq(text, "x");
    /* and no temporary file is left behind */
    list = dir_list(dir);
    ck_assert_str_eq(list, "state.json");
}
END_TEST

START_TEST(test_file_write_atomic_dirfd)
{
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *list = NULL, *text = NULL, *sub = xasprintf("%s/sub", dir);
    cleanup_free char *subfile = xasprintf("%s/sub/f", dir);
    dctl_error_t err = NULL;
    size_t len = 99;

    ck_assert_int_eq(file_write_atomic(dfd, "a", "", 0, 0644, &err), 0);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    ck_assert_int_eq(file_write_atomic(dfd, "sub/f", "in sub", 6, 0644, &err), 0);
    text = file_read_all(dfd, "a", &len, &err);
    ck_assert_str_eq(text, "");
    ck_assert_uint_eq(len, 0);
    free(text);
    text = read_path(subfile);
    ck_assert_str_eq(text, "in sub");
    list = dir_list(dir);
    ck_assert_str_eq(list, "a sub");
    free(list);
    list = dir_list(sub);
    ck_assert_str_eq(list, "f");
}
END_TEST

/* A failed write leaves the old file and no temporary file. */
START_TEST(test_file_write_atomic_failure_keeps_old)
{
    cleanup_free char *path = xasprintf("%s/keep", dir);
    cleanup_free char *missing = xasprintf("%s/no/such/dir/f", dir);
    cleanup_free char *asdir = xasprintf("%s/isdir", dir);
    cleanup_free char *list = NULL, *text = NULL;
    dctl_error_t err = NULL;

    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "old", 3, 0644, &err), 0);
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, missing, "x", 1, 0644, &err), -1);
    ck_assert_int_eq(err->errnum, ENOENT);
    dctl_error_clear(&err);
    /* rename over a directory fails: the temporary file must go */
    ck_assert_int_eq(mkdir(asdir, 0755), 0);
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, asdir, "x", 1, 0644, &err), -1);
    ck_assert_int_eq(err->errnum, EISDIR);
    dctl_error_clear(&err);
    if (geteuid() != 0) {
        /* root writes into read-only directories anyway */
        ck_assert_int_eq(chmod(dir, 0555), 0);
        ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "new", 3, 0644, &err), -1);
        dctl_error_clear(&err);
        ck_assert_int_eq(chmod(dir, 0755), 0);
    }
    text = read_path(path);
    ck_assert_str_eq(text, "old");
    list = dir_list(dir);
    ck_assert_str_eq(list, "isdir keep");
}
END_TEST

/* Writers racing on one file: every read sees one whole version, never a mix,
 * and no temporary file survives. */
#define RACE_WRITERS 4
#define RACE_ROUNDS 200
#define RACE_SIZE 8192

struct race {
    const char *path;
    char fill;
    int failures;
};

static void *
race_writer(void *arg)
{
    struct race *r = arg;
    char *buf = xmalloc(RACE_SIZE);
    int i;

    memset(buf, r->fill, RACE_SIZE);
    for (i = 0; i < RACE_ROUNDS; i++) {
        dctl_error_t err = NULL;

        if (file_write_atomic(AT_FDCWD, r->path, buf, RACE_SIZE, 0644, &err) < 0) {
            r->failures++;
            dctl_error_free(err);
        }
    }
    free(buf);
    return NULL;
}

START_TEST(test_file_write_atomic_concurrent)
{
    cleanup_free char *path = xasprintf("%s/race", dir);
    cleanup_free char *list = NULL;
    pthread_t t[RACE_WRITERS];
    struct race r[RACE_WRITERS];
    int i, reads = 0;

    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "", 0, 0644, &(dctl_error_t){ NULL }), 0);
    for (i = 0; i < RACE_WRITERS; i++) {
        r[i] = (struct race){ path, (char)('a' + i), 0 };
        ck_assert_int_eq(pthread_create(&t[i], NULL, race_writer, &r[i]), 0);
    }
    for (reads = 0; reads < 200; reads++) {
        dctl_error_t err = NULL;
        size_t len, k;
        char *text = file_read_all(AT_FDCWD, path, &len, &err);

        ck_assert_ptr_nonnull(text);
        ck_assert_msg(len == 0 || len == RACE_SIZE, "torn file: %zu bytes", len);
        for (k = 1; k < len; k++)
            ck_assert_msg(text[k] == text[0], "mixed file at byte %zu", k);
        free(text);
    }
    for (i = 0; i < RACE_WRITERS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(r[i].failures, 0);
    }
    list = dir_list(dir);
    ck_assert_str_eq(list, "race");
}
END_TEST

START_TEST(test_file_read_all_errors)
{
    cleanup_free char *missing = xasprintf("%s/missing", dir);
    dctl_error_t err = NULL;

    ck_assert_ptr_null(file_read_all(AT_FDCWD, missing, NULL, &err));
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    ck_assert_ptr_null(file_read_all(AT_FDCWD, dir, NULL, &err));   /* a directory */
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert_int_eq(err->errnum, EISDIR);
    dctl_error_clear(&err);
}
END_TEST

START_TEST(test_file_read_all_large)
{
    cleanup_free char *path = xasprintf("%s/large", dir);
    cleanup_free char *data = xmalloc(100000), *text = NULL;
    dctl_error_t err = NULL;
    size_t i, len = 0;

    for (i = 0; i < 100000; i++)
        data[i] = (char)('0' + i % 10);
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, data, 100000, 0644, &err), 0);
    text = file_read_all(AT_FDCWD, path, &len, &err);
    ck_assert_uint_eq(len, 100000);
    ck_assert_int_eq(memcmp(text, data, 100000), 0);
    ck_assert_int_eq(text[len], '\0');
}
END_TEST

START_TEST(test_file_mkdir_p)
{
    cleanup_free char *deep = xasprintf("%s/a/b//c/", dir);
    cleanup_free char *c = xasprintf("%s/a/b/c", dir);
    cleanup_free char *file = xasprintf("%s/plain", dir);
    cleanup_free char *under_file = xasprintf("%s/plain/sub", dir);
    dctl_error_t err = NULL;
    struct stat st;

    ck_assert_int_eq(file_mkdir_p(deep, 0750, &err), 0);
    ck_assert_int_eq(stat(c, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(file_mkdir_p(c, 0750, &err), 0);   /* exists: fine */
    ck_assert_int_eq(file_mkdir_p(dir, 0750, &err), 0);
    ck_assert_int_eq(file_mkdir_p("/", 0750, &err), 0);
    /* a file in the way is an error, at the end or in the middle */
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, file, "", 0, 0644, &err), 0);
    ck_assert_int_eq(file_mkdir_p(file, 0750, &err), -1);
    ck_assert_int_eq(err->errnum, ENOTDIR);
    dctl_error_clear(&err);
    ck_assert_int_eq(file_mkdir_p(under_file, 0750, &err), -1);
    ck_assert_int_eq(err->errnum, ENOTDIR);
    dctl_error_clear(&err);
    ck_assert_int_eq(file_mkdir_p("", 0750, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_file_write_atomic_creates_and_replaces);
    tcase_add_test(tc, test_file_write_atomic_dirfd);
    tcase_add_test(tc, test_file_write_atomic_failure_keeps_old);
    tcase_add_test(tc, test_file_write_atomic_concurrent);
    tcase_add_test(tc, test_file_read_all_errors);
    tcase_add_test(tc, test_file_read_all_large);
    tcase_add_test(tc, test_file_mkdir_p);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
