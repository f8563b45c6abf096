/* tests/unit/test-tarsplit.c - lib/tarsplit.c: tar streams written here in each format a
 * layer comes in (ustar with the prefix field, PAX with long names, GNU with long-name
 * records), with trailing record padding, fed to the recorder in pieces of every awkward
 * size, re-assemble byte for byte from the tree they were made of; a stream that is not
 * a tar is kept verbatim; a tree whose files changed (shorter, gone, replaced by a
 * symlink) is refused. */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/tarsplit.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static char root[] = "/tmp/test-tarsplit-XXXXXX";
static int rootfd = -1;

static const char long_dir[] = "a-directory-name-that-is-long-enough/to-need-the-ustar-prefix-"
                               "field-or-a-long-name-record/and-then-some-more-of-it";

static void
write_file(const char *rel, size_t len, unsigned int seed)
{
    cleanup_free char *path = xasprintf("%s/%s", root, rel);
    cleanup_free char *data = xmalloc(len + 1);
    FILE *f;
    size_t i;

    for (i = 0; i < len; i++)
        data[i] = (char)((i * 31 + seed) & 0xff);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* The tree every stream is made of. */
static void
tree_make(void)
{
    cleanup_free char *d1 = xasprintf("%s/dir", root), *d2 = xasprintf("%s/%s", root, long_dir);
    cleanup_free char *mk = xasprintf("mkdir -p '%s' '%s'", d1, d2);

    ck_assert_int_eq(system(mk), 0);
    write_file("dir/small", 5, 1);
    write_file("dir/empty", 0, 2);
    write_file("dir/block", 512, 3);
    write_file("big", 300000, 4);
    {
        cleanup_free char *rel = xasprintf("%s/%s", long_dir,
                                           "a-file-with-a-name-longer-than-one-hundred-"
                                           "characters-all-by-itself-which-needs-pax-or-"
                                           "gnu-records.txt");
        cleanup_free char *rel2 = xasprintf("%s/short.txt", long_dir);

        write_file(rel, 777, 5);
        write_file(rel2, 1500, 6);   /* ustar: the directory goes to the prefix field */
    }
}

/* Writes the tree as a tar stream in format fmt into a malloc'd buffer. */
static char *
tar_make(int fmt, size_t *len)
{
    static const char *const order[] = { "dir", "dir/small", "dir/empty", "dir/block", "big",
                                         "link", "hard" };
    struct archive *a = archive_write_new();
    size_t cap = 4 << 20, used = 0, i;
    char *buf = xmalloc(cap);
    cleanup_free char *longfile = fmt == ARCHIVE_FORMAT_TAR_USTAR
        ? xasprintf("%s/short.txt", long_dir)
        : xasprintf("%s/%s", long_dir, "a-file-with-a-name-longer-than-one-hundred-"
                                       "characters-all-by-itself-which-needs-pax-or-"
                                       "gnu-records.txt");

    archive_write_set_format(a, fmt);
    archive_write_add_filter_none(a);
    ck_assert_int_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    for (i = 0; i < ARRAY_SIZE(order) + 1; i++) {
        const char *name = i < ARRAY_SIZE(order) ? order[i] : longfile;
        struct archive_entry *e = archive_entry_new();
        cleanup_free char *path = xasprintf("%s/%s", root, name);
        struct stat st;

        archive_entry_set_pathname(e, name);
        if (strcmp(name, "link") == 0) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_symlink(e, "dir/small");
        } else if (strcmp(name, "hard") == 0) {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_hardlink(e, "dir/small");
            archive_entry_set_size(e, 0);
        } else {
            ck_assert_int_eq(lstat(path, &st), 0);
            archive_entry_copy_stat(e, &st);
        }
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
            size_t n;
            cleanup_free char *data = NULL;
            FILE *f = fopen(path, "r");

            data = xmalloc((size_t)archive_entry_size(e));
            n = fread(data, 1, (size_t)archive_entry_size(e), f);
            fclose(f);
            ck_assert_int_eq(archive_write_data(a, data, n), (la_ssize_t)n);
        }
        archive_entry_free(e);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *len = used;
    return buf;
}

static int
tmpfile_fd(void)
{
    int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

    ck_assert_int_ge(fd, 0);
    return fd;
}

static void
record(const char *stream, size_t len, size_t piece, int fd)
{
    struct tarsplit *ts = tarsplit_new(fd);
    dctl_error_t err = NULL;
    size_t off = 0;

    while (off < len) {
        size_t n = len - off < piece ? len - off : piece;

        ck_assert_int_eq(tarsplit_feed(ts, stream + off, n, &err), 0);
        off += n;
    }
    ck_assert_int_eq(tarsplit_finish(ts, &err), 0);
    tarsplit_free(ts);
}

/* Assembles the record on fd from the tree; the bytes (malloc'd) and length out. */
static int
assemble(int fd, char **out, size_t *len, dctl_error_t *err)
{
    int o = tmpfile_fd();
    struct stat st;
    int rc = tarsplit_assemble(fd, rootfd, o, err);

    ck_assert_int_eq(fstat(o, &st), 0);
    *len = (size_t)st.st_size;
    *out = xmalloc(*len + 1);
    ck_assert_int_eq(pread(o, *out, *len, 0), (ssize_t)*len);
    close(o);
    return rc;
}

static const int formats[] = { ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
                               ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, ARCHIVE_FORMAT_TAR_GNUTAR };
static const size_t pieces[] = { 1, 7, 511, 512, 513, 4096, 65536, 1 << 24 };

START_TEST(test_round_trip)
{
    int fmt = formats[_i / ARRAY_SIZE(pieces)];
    size_t piece = pieces[_i % ARRAY_SIZE(pieces)], len, olen;
    cleanup_free char *stream = NULL, *back = NULL;
    dctl_error_t err = NULL;
    int fd = tmpfile_fd();
    struct stat st;

    stream = tar_make(fmt, &len);
    ck_assert_uint_gt(len, 300000);
    record(stream, len, piece, fd);
    ck_assert_int_eq(assemble(fd, &back, &olen, &err), 0);
    ck_assert_uint_eq(olen, len);
    ck_assert(memcmp(back, stream, len) == 0);
    /* file content is referenced, not copied: the record is far smaller */
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_lt(st.st_size, 64 * 1024);
    close(fd);
}
END_TEST

START_TEST(test_not_a_tar)
{
    static const char junk[] = "this is not a tar stream, it is kept verbatim\n";
    cleanup_free char *back = NULL, *stream = xmalloc(5000);
    dctl_error_t err = NULL;
    size_t olen, i;
    int fd = tmpfile_fd();

    for (i = 0; i < 5000; i++)
        stream[i] = junk[i % (sizeof junk - 1)];
    record(stream, 5000, 100, fd);
    ck_assert_int_eq(assemble(fd, &back, &olen, &err), 0);
    ck_assert_uint_eq(olen, 5000);
    ck_assert(memcmp(back, stream, 5000) == 0);
    close(fd);
}
END_TEST

/* A changed tree: each case breaks it and expects the message, then repairs it. */
static const struct {
    const char *setup, *undo, *msg;
} changed[] = {
    { "truncate -s 100 big", "rm big", "big is shorter than recorded" },
    { "rm dir/small", NULL, "layer content changed: open dir/small" },
    { "rm dir/small && ln -s /etc/passwd dir/small", "rm dir/small",
      "layer content changed: open dir/small" },
    { "mv dir dir.moved && ln -s dir.moved dir", "rm dir && mv dir.moved dir",
      "layer content changed: open dir/" },
};

START_TEST(test_changed_tree)
{
    cleanup_free char *stream = NULL, *back = NULL;
    cleanup_free char *cmd = xasprintf("cd %s && %s", root, changed[_i].setup);
    dctl_error_t err = NULL;
    size_t len, olen;
    int fd = tmpfile_fd();

    stream = tar_make(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, &len);
    record(stream, len, 4096, fd);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(assemble(fd, &back, &olen, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, changed[_i].msg), "%s", err->msg);
    dctl_error_free(err);
    close(fd);
    if (changed[_i].undo) {
        cleanup_free char *undo = xasprintf("cd %s && %s", root, changed[_i].undo);

        ck_assert_int_eq(system(undo), 0);
    }
    tree_make();
}
END_TEST

START_TEST(test_bad_record)
{
    cleanup_free char *back = NULL;
    dctl_error_t err = NULL;
    size_t olen;
    int fd = tmpfile_fd();

    ck_assert_int_eq(write(fd, "DCTLTS1\nR\xff\xff\xff\xff", 13), 13);
    ck_assert_int_eq(assemble(fd, &back, &olen, &err), -1);
    ck_assert_str_eq(err->msg, "tar-split: bad record");
    dctl_error_free(err);
    close(fd);
}
END_TEST

static void
setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(root));
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(rootfd, 0);
    tree_make();
}

static void
teardown(void)
{
    close(rootfd);
    tree_remove(root, NULL);
}

static Suite *
tarsplit_suite(void)
{
    Suite *s = suite_create("tarsplit");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_round_trip, 0, ARRAY_SIZE(formats) * ARRAY_SIZE(pieces));
    tcase_add_test(tc, test_not_a_tar);
    tcase_add_loop_test(tc, test_changed_tree, 0, ARRAY_SIZE(changed));
    tcase_add_test(tc, test_bad_record);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tarsplit_suite());
    int failed;

    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
