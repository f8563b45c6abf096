/* tests/unit/test-file-usage.c - file_usage(): sizes summed, directories not
 * counted, hard links once, symlinks as links, a missing path NOT_FOUND. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define TMP_TREE_PREFIX "dctl-test-usage"
#include "tests/unit/tmp-tree.h"

static void
write_bytes(const char *rel, size_t n)
{
    cleanup_free char *path = xasprintf("%s/%s", tmp, rel);
    cleanup_free char *buf = xmalloc(n + 1);
    FILE *fp = fopen(path, "w");

    ck_assert_ptr_nonnull(fp);
    memset(buf, 'x', n);
    ck_assert_uint_eq(fwrite(buf, 1, n, fp), n);
    fclose(fp);
}

START_TEST(test_usage)
{
    cleanup_free char *sub = xasprintf("%s/a/b", tmp);
    cleanup_free char *cmd = xasprintf("mkdir -p '%s'", sub);
    cleanup_free char *f1 = xasprintf("%s/one", tmp);
    cleanup_free char *link1 = xasprintf("%s/a/hard", tmp);
    cleanup_free char *sym = xasprintf("%s/a/b/sym", tmp);
    int64_t bytes = -1;
    dctl_error_t err = NULL;

    ck_assert_int_eq(file_usage(tmp, &bytes, &err), 0);
    ck_assert_int_eq(bytes, 0);   /* empty directories weigh nothing */
    ck_assert_int_eq(system(cmd), 0);
    write_bytes("one", 1000);
    write_bytes("a/two", 200);
    write_bytes("a/b/three", 30);
    ck_assert_int_eq(link(f1, link1), 0);       /* counted once */
    ck_assert_int_eq(symlink("abcd", sym), 0);  /* a 4-byte link */
    ck_assert_int_eq(file_usage(tmp, &bytes, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(bytes, 1000 + 200 + 30 + 4);
    ck_assert_int_eq(file_usage(f1, &bytes, &err), 0);
    ck_assert_int_eq(bytes, 1000);
}
END_TEST

START_TEST(test_usage_missing)
{
    cleanup_free char *missing = xasprintf("%s/missing", tmp);
    int64_t bytes = 7;
    dctl_error_t err = NULL;

    ck_assert_int_eq(file_usage(missing, &bytes, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    ck_assert_int_eq(bytes, 7);   /* untouched on failure */
    dctl_error_free(err);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("file_usage");
    TCase *tc = tcase_create("usage");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_usage_missing);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
