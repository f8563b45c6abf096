/* tests/unit/test-tar-lazy.c - lib/tar loads libarchive itself, on first use: this
 * program does not link libarchive (as the storage drivers do not), checks that
 * it is not loaded, round-trips a tree through tar_write_dir and tar_apply, and
 * checks that libarchive was loaded by then. */
#include <config.h>

#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/tar.h"
#include "lib/util.h"

START_TEST(test_tar_lazy_round_trip)
{
    char tmp[] = "/tmp/dctl-tar-lazy.XXXXXX", src[64], dst[64], tarfile[64], path[96];
    dctl_error_t err = NULL;
    cleanup_free char *data = NULL;
    size_t len = 0;
    int fd;

    ck_assert_ptr_null(dlopen("libarchive.so.13", RTLD_NOW | RTLD_NOLOAD));

    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(src, sizeof src, "%s/src", tmp);
    snprintf(dst, sizeof dst, "%s/dst", tmp);
    snprintf(tarfile, sizeof tarfile, "%s/layer.tar", tmp);
    ck_assert_int_eq(mkdir(src, 0755), 0);
    ck_assert_int_eq(mkdir(dst, 0755), 0);
    snprintf(path, sizeof path, "%s/hello", src);
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "hello\n", 6, 0644, &err), 0);

    fd = open(tarfile, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(tar_write_dir(fd, src, TAR_WRITE_FULL, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_ptr_nonnull(dlopen("libarchive.so.13", RTLD_NOW | RTLD_NOLOAD));

    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(tar_apply(fd, dst, TAR_WHITEOUT_DELETE, NULL, &err), 0);
    ck_assert_ptr_null(err);
    close(fd);
    snprintf(path, sizeof path, "%s/hello", dst);
    data = file_read_all(AT_FDCWD, path, &len, &err);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, 6);
    ck_assert_mem_eq(data, "hello\n", 6);

    snprintf(path, sizeof path, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(path), 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("tar-lazy");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_tar_lazy_round_trip);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
