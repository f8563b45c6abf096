/* tests/unit/test-tar.c - lib/tar.c and lib/changes.c: hostile layer archives are
 * refused with the entry named and nothing written outside the layer root (with
 * openat2 and with the portable walk), good archives round-trip with owners,
 * modes, xattrs, hardlinks, devices, fifos and mtimes, whiteouts are translated
 * both ways, compressed layers are detected by content. Runs as root. */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/changes.h"
#include "lib/tar.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* One entry of an archive built by a test. */
struct ent {
    char type; /* f file, d dir, l symlink, h hardlink, c char dev, p fifo */
    const char *name;
    const char *arg; /* content (f), target (l, h) */
    unsigned int mode;
    unsigned int uid, gid;
    long mtime;
    const char *xattr; /* "name=value" or NULL */
};

#define F(n, c) { .type = 'f', .name = (n), .arg = (c) }
#define D(n) { .type = 'd', .name = (n) }
#define L(n, t) { .type = 'l', .name = (n), .arg = (t) }
#define H(n, t) { .type = 'h', .name = (n), .arg = (t) }
#define END { .type = 0 }

enum filter { PLAIN, GZIP, ZSTD };

/* An fd holding the archive of ents (NULL name ends), rewound. */
static int
archive_fd(const struct ent *ents, enum filter filter)
{
    struct archive *a = archive_write_new();
    int fd = memfd_create("layer", MFD_CLOEXEC);
    size_t i;

    ck_assert_int_ge(fd, 0);
    archive_write_set_format_pax_restricted(a);
    if (filter == GZIP)
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    else if (filter == ZSTD)
        ck_assert_int_eq(archive_write_add_filter_zstd(a), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_open_fd(a, fd), ARCHIVE_OK);
    for (i = 0; ents[i].name; i++) {
        const struct ent *x = &ents[i];
        struct archive_entry *e = archive_entry_new();
        unsigned int mode = x->mode ? x->mode : (x->type == 'd' ? 0755 : 0644);

        archive_entry_set_pathname(e, x->name);
        archive_entry_set_uid(e, x->uid);
        archive_entry_set_gid(e, x->gid);
        archive_entry_set_mtime(e, x->mtime ? x->mtime : 1000000000, 0);
        archive_entry_set_perm(e, mode);
        switch (x->type) {
        case 'f':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, x->arg ? strlen(x->arg) : 0);
            break;
        case 'd':
            archive_entry_set_filetype(e, AE_IFDIR);
            break;
        case 'l':
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, x->arg);
            break;
        case 'h':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, x->arg);
            break;
        case 'c':
            archive_entry_set_filetype(e, AE_IFCHR);
            archive_entry_set_rdev(e, makedev(1, 3));
            break;
        case 'p':
            archive_entry_set_filetype(e, AE_IFIFO);
            break;
        }
        if (x->xattr) {
            const char *eq = strchr(x->xattr, '=');
            cleanup_free char *key = xstrndup(x->xattr, eq - x->xattr);

            archive_entry_xattr_add_entry(e, key, eq + 1, strlen(eq + 1));
        }
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (x->type == 'f' && x->arg)
            ck_assert_int_eq(archive_write_data(a, x->arg, strlen(x->arg)), strlen(x->arg));
        archive_entry_free(e);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* A scratch tree: T/sentinel/keep ("precious"), T/box/layer (the layer root). */
struct scratch {
    char top[64], sentinel[128], box[128], layer[160];
};

static void
scratch_new(struct scratch *s)
{
    int fd;

    snprintf(s->top, sizeof s->top, "/tmp/test-tar-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->top));
    snprintf(s->sentinel, sizeof s->sentinel, "%s/sentinel", s->top);
    snprintf(s->box, sizeof s->box, "%s/box", s->top);
    snprintf(s->layer, sizeof s->layer, "%s/box/layer", s->top);
    ck_assert_int_eq(mkdir(s->sentinel, 0755), 0);
    ck_assert_int_eq(mkdir(s->box, 0755), 0);
    ck_assert_int_eq(mkdir(s->layer, 0755), 0);
    fd = openat(AT_FDCWD, s->sentinel, O_RDONLY | O_DIRECTORY);
    ck_assert_int_eq(write(openat(fd, "keep", O_WRONLY | O_CREAT, 0644), "precious", 8), 8);
    close(fd);
}

static void
scratch_free(struct scratch *s)
{
    dctl_error_t err = NULL;

    ck_assert_int_eq(tree_remove(s->top, &err), 0);
}

static char *
slurp(const char *path)
{
    static char buf[4096];
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    ssize_t n;

    if (fd < 0)
        return NULL;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

static size_t
count_entries(const char *dir)
{
    cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY);
    size_t n = 0;
    char **names;

    ck_assert_int_ge(fd, 0);
    names = tree_list(fd, &n, NULL);
    ck_assert_ptr_nonnull(names);
    tree_names_free(names);
    return n;
}

/* Nothing outside the layer root changed: T holds box and sentinel only, box
 * holds at most the layer, sentinel holds keep, untouched. */
static void
scratch_check_outside(const struct scratch *s)
{
    char path[256];

    ck_assert_uint_eq(count_entries(s->top), 2);
    ck_assert_uint_le(count_entries(s->box), 1);
    ck_assert_uint_eq(count_entries(s->sentinel), 1);
    snprintf(path, sizeof path, "%s/keep", s->sentinel);
    ck_assert_str_eq(slurp(path), "precious");
    ck_assert_int_ne(access("/dctl-escape", F_OK), 0);
    ck_assert_int_ne(access("/etc/dctl-escape", F_OK), 0);
}

/* ---- hostile archives ------------------------------------------------------ */

#define SENTINEL_ABS "@SENTINEL@" /* replaced by the scratch sentinel's path */

static const struct {
    const char *what;
    const char *culprit; /* the entry the error must name */
    struct ent ents[5];
} hostile[] = {
    { "dotdot", "../dctl-escape", { F("../dctl-escape", "x") } },
    { "dotdot deep", "a/../../dctl-escape", { D("a"), F("a/../../dctl-escape", "x") } },
    { "dotdot inside", "a/../b", { F("a/../b", "x") } },
    { "absolute", "/etc/dctl-escape", { F("/etc/dctl-escape", "x") } },
    { "absolute root", "/dctl-escape", { F("/dctl-escape", "x") } },
    { "symlink to /", "a/dctl-escape",
      { L("a", "/"), F("a/dctl-escape", "x") } },
    { "symlink to absolute dir", "a/x",
      { L("a", SENTINEL_ABS), F("a/x", "x") } },
    { "symlink up", "a/b", { L("a", "../.."), F("a/b", "x") } },
    { "symlink chain", "a/x",
      { L("b", "../../sentinel"), L("a", "b"), F("a/x", "x") } },
    { "symlink in the middle", "d/s/e/x",
      { D("d"), L("d/s", "../../.."), F("d/s/e/x", "x") } },
    { "dir replaced by symlink", "d/x",
      { D("d"), L("d", "../../sentinel"), F("d/x", "x") } },
    { "hardlink dotdot", "h", { H("h", "../../etc/passwd") } },
    { "hardlink absolute", "h", { H("h", "/etc/passwd") } },
    { "hardlink through symlink", "h",
      { L("s", "../../sentinel"), H("h", "s/keep") } },
    { "whiteout through symlink", "s/.wh.keep",
      { L("s", "../../sentinel"), F("s/.wh.keep", NULL) } },
    { "whiteout of dotdot", ".wh...", { F(".wh...", NULL) } },
    { "opaque through symlink", "s/.wh..wh..opq",
      { L("s", "../../sentinel"), F("s/.wh..wh..opq", NULL) } },
    { "long component",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      { { .type = 'f', .name =
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          .arg = "x" } } },
};

/* The hostile table runs twice: [0, n) with openat2, [n, 2n) with the walk. */
START_TEST(test_tar_hostile)
{
    size_t i = _i % ARRAY_SIZE(hostile);
    struct scratch s;
    struct ent ents[5];
    dctl_error_t err = NULL;
    cleanup_close int fd = -1;
    int64_t size = 0;
    size_t k;

    tar_set_openat2(_i < (int)ARRAY_SIZE(hostile));
    scratch_new(&s);
    memcpy(ents, hostile[i].ents, sizeof ents);
    for (k = 0; ents[k].name; k++)
        if (ents[k].arg && strcmp(ents[k].arg, SENTINEL_ABS) == 0)
            ents[k].arg = s.sentinel;
    fd = archive_fd(ents, PLAIN);
    ck_assert_msg(tar_apply(fd, s.layer, TAR_WHITEOUT_DELETE, &size, &err) == -1,
                  "%s: accepted", hostile[i].what);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, hostile[i].culprit) != NULL, "%s: \"%s\" does not name %s",
                  hostile[i].what, err->msg, hostile[i].culprit);
    ck_assert_msg(strstr(err->msg, "layer entry \"") == err->msg, "%s: %s", hostile[i].what,
                  err->msg);
    dctl_error_clear(&err);
    scratch_check_outside(&s);
    /* The caller removes the partial layer. */
    ck_assert_int_eq(tree_remove(s.layer, &err), 0);
    ck_assert_int_ne(access(s.layer, F_OK), 0);
    scratch_check_outside(&s);
    scratch_free(&s);
    tar_set_openat2(true);
}
END_TEST

/* Tricky but harmless: accepted, and still nothing happens outside. */
START_TEST(test_tar_harmless)
{
    static const struct ent ents[] = {
        L("s", "../../sentinel/keep"), F("s", "mine"), /* replaces the link */
        L("t", "../../sentinel"),      F(".wh.t", NULL),     /* removes the link */
        D("d"), L("d/up", ".."), F("d/up/inside", "in"), /* stays in */
        F("./dot/./slash//name", "ok"), F("x/.wh..wh.plnk", NULL),   /* aufs meta */
        END,
    };
    struct scratch s;
    dctl_error_t err = NULL;
    cleanup_close int fd = -1;
    char path[256];
    struct stat st;

    tar_set_openat2(_i == 0);
    scratch_new(&s);
    fd = archive_fd(ents, PLAIN);
    ck_assert_int_eq(tar_apply(fd, s.layer, TAR_WHITEOUT_DELETE, NULL, &err), 0);
    snprintf(path, sizeof path, "%s/s", s.layer);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_str_eq(slurp(path), "mine");
    snprintf(path, sizeof path, "%s/t", s.layer);
    ck_assert_int_ne(lstat(path, &st), 0);
    snprintf(path, sizeof path, "%s/inside", s.layer);
    ck_assert_str_eq(slurp(path), "in");
    snprintf(path, sizeof path, "%s/dot/slash/name", s.layer);
    ck_assert_str_eq(slurp(path), "ok");
    snprintf(path, sizeof path, "%s/x/.wh..wh.plnk", s.layer);
    ck_assert_int_ne(lstat(path, &st), 0);
    scratch_check_outside(&s);
    scratch_free(&s);
    tar_set_openat2(true);
}
END_TEST

/* ---- round trip ------------------------------------------------------------ */

/* security.capability v2: cap_net_bind_service permitted and effective. */
static const unsigned char cap_v2[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00 };

static const struct ent rich[] = {
    { .type = 'd', .name = "etc", .mode = 0750, .uid = 1000, .gid = 1001, .mtime = 1100000000 },
    { .type = 'f', .name = "etc/conf", .arg = "hello\n",
      .mode = 0640, .uid = 1000, .gid = 1001, .mtime = 1200000000, .xattr = "user.note=hi" },
    { .type = 'f', .name = "etc/setuid", .arg = "#!/bin/sh\n", .mode = 04755, .mtime = 1300000000 },
    { .type = 'f', .name = "etc/setgid", .arg = "g",
      .mode = 02711, .gid = 50, .mtime = 1300000001 },
    H("etc/conf-link", "etc/conf"),
    { .type = 'l', .name = "etc/sym", .arg = "conf",
      .mode = 0777, .uid = 7, .gid = 8, .mtime = 1400000000 },
    { .type = 'd', .name = "dev", .mode = 0755 },
    { .type = 'c', .name = "dev/null", .mode = 0666, .mtime = 1500000000 },
    { .type = 'p', .name = "dev/fifo", .mode = 0600, .uid = 3, .gid = 4, .mtime = 1500000001 },
    { .type = 'd', .name = "tmp", .mode = 01777, .mtime = 1600000000 },
    { .type = 'f', .name = "big", .mode = 0644 },
    END,
};

static void
check_rich(const char *root)
{
    char path[256], val[64];
    struct stat st, st2;

    snprintf(path, sizeof path, "%s/etc", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFDIR | 0750);
    ck_assert_uint_eq(st.st_uid, 1000);
    ck_assert_uint_eq(st.st_gid, 1001);
    ck_assert_int_eq(st.st_mtim.tv_sec, 1100000000); /* set after its contents */
    snprintf(path, sizeof path, "%s/etc/conf", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFREG | 0640);
    ck_assert_int_eq(st.st_mtim.tv_sec, 1200000000);
    ck_assert_uint_eq(st.st_nlink, 2);
    ck_assert_str_eq(slurp(path), "hello\n");
    ck_assert_int_eq(lgetxattr(path, "user.note", val, sizeof val), 2);
    ck_assert_int_eq(memcmp(val, "hi", 2), 0);
    snprintf(path, sizeof path, "%s/etc/conf-link", root);
    ck_assert_int_eq(lstat(path, &st2), 0);
    ck_assert_uint_eq(st2.st_ino, st.st_ino);
    snprintf(path, sizeof path, "%s/etc/setuid", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFREG | 04755);
    ck_assert_int_eq(lgetxattr(path, "security.capability", val, sizeof val), 20);
    ck_assert_int_eq(memcmp(val, cap_v2, 20), 0);
    snprintf(path, sizeof path, "%s/etc/setgid", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFREG | 02711);
    ck_assert_uint_eq(st.st_gid, 50);
    snprintf(path, sizeof path, "%s/etc/sym", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_uint_eq(st.st_uid, 7);
    ck_assert_int_eq(st.st_mtim.tv_sec, 1400000000);
    ck_assert_int_eq(readlink(path, val, sizeof val), 4);
    snprintf(path, sizeof path, "%s/dev/null", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFCHR | 0666);
    ck_assert_uint_eq(st.st_rdev, makedev(1, 3));
    snprintf(path, sizeof path, "%s/dev/fifo", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFIFO | 0600);
    ck_assert_uint_eq(st.st_gid, 4);
    snprintf(path, sizeof path, "%s/tmp", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode, S_IFDIR | 01777);
    snprintf(path, sizeof path, "%s/big", root);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 3 * 65536 + 7);
}

/* Applies rich (plus a capability and a 3-block file, which the table cannot
 * express) to root. */
static void
apply_rich(const char *root, enum filter filter, int64_t *size)
{
    dctl_error_t err = NULL;
    cleanup_close int fd = -1;
    struct archive *a = archive_write_new();
    struct archive *r;
    struct archive_entry *e;
    cleanup_free char *big = xmalloc(3 * 65536 + 7);
    int in = archive_fd(rich, PLAIN);

    /* Re-write rich's archive with the capability and the big file's content. */
    memset(big, 'b', 3 * 65536 + 7);
    fd = memfd_create("rich", MFD_CLOEXEC);
    archive_write_set_format_pax_restricted(a);
    if (filter == GZIP)
        archive_write_add_filter_gzip(a);
    else if (filter == ZSTD)
        archive_write_add_filter_zstd(a);
    ck_assert_int_eq(archive_write_open_fd(a, fd), ARCHIVE_OK);
    r = archive_read_new();
    archive_read_support_format_tar(r);
    ck_assert_int_eq(archive_read_open_fd(r, in, 10240), ARCHIVE_OK);
    while (archive_read_next_header(r, &e) == ARCHIVE_OK) {
        const void *buf;
        size_t len;
        la_int64_t off;

        if (strcmp(archive_entry_pathname(e), "etc/setuid") == 0)
            archive_entry_xattr_add_entry(e, "security.capability", cap_v2, sizeof cap_v2);
        if (strcmp(archive_entry_pathname(e), "big") == 0)
            archive_entry_set_size(e, 3 * 65536 + 7);
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (strcmp(archive_entry_pathname(e), "big") == 0)
            archive_write_data(a, big, 3 * 65536 + 7);
        while (archive_read_data_block(r, &buf, &len, &off) == ARCHIVE_OK)
            archive_write_data(a, buf, len);
    }
    archive_read_free(r);
    close(in);
    archive_write_close(a);
    archive_write_free(a);
    lseek(fd, 0, SEEK_SET);
    ck_assert_int_eq(tar_apply(fd, root, TAR_WHITEOUT_DELETE, size, &err), 0);
    ck_assert_ptr_null(err);
}

static const enum filter filters[] = { PLAIN, GZIP, ZSTD };

START_TEST(test_tar_round_trip)
{
    struct scratch s;
    char copy[256];
    dctl_error_t err = NULL;
    struct changes ch = { 0 };
    cleanup_close int fd = memfd_create("out", MFD_CLOEXEC);
    int64_t size = 0;

    scratch_new(&s);
    apply_rich(s.layer, filters[_i], &size);
    ck_assert_int_eq(size, 6 + 10 + 1 + 3 * 65536 + 7); /* regular file contents */
    check_rich(s.layer);

    /* Written out and applied again: the same tree (no changes at all). */
    ck_assert_int_eq(tar_write_dir(fd, s.layer, TAR_WRITE_FULL, &err), 0);
    lseek(fd, 0, SEEK_SET);
    snprintf(copy, sizeof copy, "%s/copy", s.box);
    ck_assert_int_eq(mkdir(copy, 0755), 0);
    ck_assert_int_eq(tar_apply(fd, copy, TAR_WHITEOUT_DELETE, NULL, &err), 0);
    check_rich(copy);
    ck_assert_int_eq(changes_dirs(copy, s.layer, &ch, &err), 0);
    ck_assert_msg(ch.n == 0, "round trip changed %zu paths, first %s", ch.n,
                  ch.n ? ch.v[0].path : "");
    changes_fini(&ch);

    /* tree_copy keeps the same things. */
    ck_assert_int_eq(tree_remove(copy, &err), 0);
    ck_assert_int_eq(mkdir(copy, 0700), 0);
    ck_assert_int_eq(tree_copy(s.layer, copy, &err), 0);
    check_rich(copy);
    ck_assert_int_eq(changes_dirs(copy, s.layer, &ch, &err), 0);
    ck_assert_uint_eq(ch.n, 0);
    changes_fini(&ch);
    scratch_free(&s);
}
END_TEST

/* The writer is deterministic: the same tree gives the same bytes. */
START_TEST(test_tar_deterministic)
{
    struct scratch s;
    dctl_error_t err = NULL;
    cleanup_close int a = memfd_create("a", MFD_CLOEXEC);
    cleanup_close int b = memfd_create("b", MFD_CLOEXEC);
    struct stat sa, sb;
    char *ma, *mb;

    scratch_new(&s);
    apply_rich(s.layer, PLAIN, NULL);
    ck_assert_int_eq(tar_write_dir(a, s.layer, TAR_WRITE_FULL, &err), 0);
    ck_assert_int_eq(tar_write_dir(b, s.layer, TAR_WRITE_FULL, &err), 0);
    fstat(a, &sa);
    fstat(b, &sb);
    ck_assert_int_eq(sa.st_size, sb.st_size);
    ck_assert_int_eq(sa.st_size % 512, 0);
    ma = mmap(NULL, sa.st_size, PROT_READ, MAP_SHARED, a, 0);
    mb = mmap(NULL, sb.st_size, PROT_READ, MAP_SHARED, b, 0);
    ck_assert_int_eq(memcmp(ma, mb, sa.st_size), 0);
    munmap(ma, sa.st_size);
    munmap(mb, sb.st_size);
    scratch_free(&s);
}
END_TEST

/* ---- whiteouts --------------------------------------------------------------- */

static const struct ent lower[] = {
    D("a"), F("a/keep", "k"), F("a/gone", "g"),
    D("b"), F("b/x", "x"),    D("b/sub"), F("b/sub/y", "y"),
    F("c", "c"), END,
};
static const struct ent upper[] = {
    F(".wh.c", NULL), F("a/.wh.gone", NULL),
    D("b"), F("b/new", "n"), F("b/.wh..wh..opq", NULL), /* opq after new */
    END,
};

static void
apply_ents(const char *root, const struct ent *ents, enum tar_whiteout wh)
{
    dctl_error_t err = NULL;
    cleanup_close int fd = archive_fd(ents, PLAIN);

    ck_assert_int_eq(tar_apply(fd, root, wh, NULL, &err), 0);
    ck_assert_ptr_null(err);
}

static void
check_deleted(const char *root)
{
    char path[256];

    snprintf(path, sizeof path, "%s/c", root);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/a/gone", root);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/a/keep", root);
    ck_assert_str_eq(slurp(path), "k");
    snprintf(path, sizeof path, "%s/b/new", root);
    ck_assert_str_eq(slurp(path), "n");
    snprintf(path, sizeof path, "%s/b", root);
    ck_assert_uint_eq(count_entries(path), 1);
    ck_assert_uint_eq(count_entries(root), 2);
}

START_TEST(test_tar_whiteout_delete)
{
    struct scratch s;

    scratch_new(&s);
    apply_ents(s.layer, lower, TAR_WHITEOUT_DELETE);
    apply_ents(s.layer, upper, TAR_WHITEOUT_DELETE);
    check_deleted(s.layer);
    scratch_free(&s);
}
END_TEST

/* The entry names of the tar in fd, in order, joined by spaces. */
static char *
tar_names(int fd)
{
    struct archive *r = archive_read_new();
    struct archive_entry *e;
    char *out = xstrdup("");

    lseek(fd, 0, SEEK_SET);
    archive_read_support_format_tar(r);
    ck_assert_int_eq(archive_read_open_fd(r, fd, 10240), ARCHIVE_OK);
    while (archive_read_next_header(r, &e) == ARCHIVE_OK) {
        char *n = xasprintf("%s%s%s", out, *out ? " " : "", archive_entry_pathname(e));

        free(out);
        out = n;
    }
    archive_read_free(r);
    return out;
}

START_TEST(test_tar_whiteout_overlay)
{
    struct scratch s;
    char path[256], val[8], copy[256];
    struct stat st;
    dctl_error_t err = NULL;
    cleanup_close int fd = memfd_create("diff", MFD_CLOEXEC);
    cleanup_free char *names = NULL;
    cleanup_close int lfd = -1;

    scratch_new(&s);
    apply_ents(s.layer, upper, TAR_WHITEOUT_OVERLAY);
    snprintf(path, sizeof path, "%s/c", s.layer);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    ck_assert_uint_eq(st.st_rdev, makedev(0, 0));
    snprintf(path, sizeof path, "%s/a/gone", s.layer);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    snprintf(path, sizeof path, "%s/b", s.layer);
    ck_assert_int_eq(lgetxattr(path, "trusted.overlay.opaque", val, sizeof val), 1);
    ck_assert_int_eq(val[0], 'y');
    ck_assert_uint_eq(count_entries(path), 1); /* new; no .wh. files */
    ck_assert_uint_eq(count_entries(s.layer), 3);

    /* Back to a layer tar: whiteouts as .wh. entries again, sorted. */
    ck_assert_int_eq(tar_write_dir(fd, s.layer, TAR_WRITE_OVERLAY_DIFF, &err), 0);
    names = tar_names(fd);
    ck_assert_str_eq(names, "a/ a/.wh.gone b/ b/.wh..wh..opq b/new .wh.c");

    /* Applied with deletion on top of the lower: the same as applying upper. */
    snprintf(copy, sizeof copy, "%s/copy", s.box);
    ck_assert_int_eq(mkdir(copy, 0755), 0);
    apply_ents(copy, lower, TAR_WHITEOUT_DELETE);
    lseek(fd, 0, SEEK_SET);
    ck_assert_int_eq(tar_apply(fd, copy, TAR_WHITEOUT_DELETE, NULL, &err), 0);
    check_deleted(copy);
    scratch_free(&s);
}
END_TEST

/* ---- changes ------------------------------------------------------------------ */

START_TEST(test_changes_dirs_and_export)
{
    struct scratch s;
    char older[256], newer[256], copy[256], path[300];
    dctl_error_t err = NULL;
    struct changes ch = { 0 };
    cleanup_free char *json = NULL;
    cleanup_close int fd = memfd_create("changes", MFD_CLOEXEC);
    int f;

    scratch_new(&s);
    snprintf(older, sizeof older, "%s/old", s.box);
    snprintf(newer, sizeof newer, "%s/new", s.box);
    snprintf(copy, sizeof copy, "%s/copy", s.box);
    ck_assert_int_eq(mkdir(older, 0755), 0);
    ck_assert_int_eq(mkdir(newer, 0755), 0);
    ck_assert_int_eq(mkdir(copy, 0755), 0);
    apply_ents(older, lower, TAR_WHITEOUT_DELETE);
    apply_ents(newer, lower, TAR_WHITEOUT_DELETE);
    apply_ents(copy, lower, TAR_WHITEOUT_DELETE);
    apply_ents(newer, upper, TAR_WHITEOUT_DELETE);
    snprintf(path, sizeof path, "%s/a/keep", newer); /* modified */
    f = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(f, "more", 4), 4);
    close(f);

    ck_assert_int_eq(changes_dirs(newer, older, &ch, &err), 0);
    json = changes_to_json(&ch);
    ck_assert_str_eq(json, "[{\"Path\":\"/a\",\"Kind\":0},{\"Path\":\"/a/gone\",\"Kind\":2},"
                           "{\"Path\":\"/a/keep\",\"Kind\":0},{\"Path\":\"/b\",\"Kind\":0},"
                           "{\"Path\":\"/b/new\",\"Kind\":1},{\"Path\":\"/b/sub\",\"Kind\":2},"
                           "{\"Path\":\"/b/x\",\"Kind\":2},{\"Path\":\"/c\",\"Kind\":2}]");

    /* Exported and applied on a copy of the old tree: the new tree. */
    ck_assert_int_eq(tar_write_changes(fd, newer, &ch, &err), 0);
    changes_fini(&ch);
    lseek(fd, 0, SEEK_SET);
    ck_assert_int_eq(tar_apply(fd, copy, TAR_WHITEOUT_DELETE, NULL, &err), 0);
    ck_assert_int_eq(changes_dirs(copy, newer, &ch, &err), 0);
    ck_assert_msg(ch.n == 0, "%zu differences, first %s", ch.n, ch.n ? ch.v[0].path : "");
    changes_fini(&ch);
    scratch_free(&s);
}
END_TEST

START_TEST(test_changes_sort)
{
    static const char *in[] = { "/a-b", "/a/b", "/a", "/b", "/a/b/c", "/a.b" };
    static const char *want[] = { "/a", "/a/b", "/a/b/c", "/a-b", "/a.b", "/b" };
    struct changes ch = { 0 };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(in); i++)
        changes_add(&ch, in[i], CHANGE_ADD);
    changes_sort(&ch);
    for (i = 0; i < ARRAY_SIZE(want); i++)
        ck_assert_str_eq(ch.v[i].path, want[i]);
    changes_fini(&ch);
}
END_TEST

static Suite *
tar_suite(void)
{
    Suite *s = suite_create("tar");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_tar_hostile, 0, 2 * ARRAY_SIZE(hostile));
    tcase_add_loop_test(tc, test_tar_harmless, 0, 2);
    tcase_add_loop_test(tc, test_tar_round_trip, 0, ARRAY_SIZE(filters));
    tcase_add_test(tc, test_tar_deterministic);
    tcase_add_test(tc, test_tar_whiteout_delete);
    tcase_add_test(tc, test_tar_whiteout_overlay);
    tcase_add_test(tc, test_changes_dirs_and_export);
    tcase_add_test(tc, test_changes_sort);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    if (geteuid() != 0) {
        fprintf(stderr, "test-tar: skipped: needs root (owners, devices, trusted xattrs)\n");
        return 77;
    }
    sr = srunner_create(tar_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
