/* tests/unit/test-tarshift.c - lib/tarshift.c, table-driven: tar streams written by
 * libarchive in each format a layer comes in (ustar, GNU, PAX with long names and
 * xattrs, PAX uid/gid records for IDs past 7 octal digits), shifted to the host and
 * back through maps of one and two ranges, fed in pieces of every awkward size; the
 * entries read back with their owners mapped and everything else (names, content,
 * xattrs, link targets, the bytes after the end blocks) unchanged. Hand-made headers
 * for what libarchive does not write: an old GNU sparse entry with an extension block
 * and a global PAX header. Refused: an owner outside the map (dockerd's words), a bad
 * checksum, a PAX record that does not parse. The fd helpers: tarshift_copy with a
 * gzip input, tarshift_produce and tarshift_consume. */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/tarshift.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct buf {
    char *p;
    size_t len, cap;
};

static void
buf_add(struct buf *b, const void *data, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 4096;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

static int
buf_write_cb(void *arg, const void *data, size_t len, dctl_error_t *err)
{
    buf_add(arg, data, len);
    return 0;
}

/* 0 -> 100000 (65536 IDs) */
static struct idmap map_one;
/* 0 -> 100000 (65536), 65536 -> 300000 (1000) */
static struct idmap map_two;
/* 0 -> 3000000 (65536): host IDs past 7 octal digits */
static struct idmap map_big;
/* 0 -> 100000 (3000000): container IDs past 7 octal digits */
static struct idmap map_wide;

static void
map_set(struct idmap *m, const struct idmap_range *r, size_t n)
{
    size_t i;

    memset(m, 0, sizeof *m);
    for (i = 0; i < n; i++)
        m->uid[i] = m->gid[i] = r[i];
    m->nuid = m->ngid = n;
}

static void
maps_init(void)
{
    map_set(&map_one, (struct idmap_range[]){ { 0, 100000, 65536 } }, 1);
    map_set(&map_two, (struct idmap_range[]){ { 0, 100000, 65536 }, { 65536, 300000, 1000 } },
            2);
    map_set(&map_big, (struct idmap_range[]){ { 0, 3000000, 65536 } }, 1);
    map_set(&map_wide, (struct idmap_range[]){ { 0, 100000, 3000000 } }, 1);
}

/* An entry of the streams made here. */
struct ent {
    const char *name;
    char type;            /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink */
    int64_t uid, gid;
    const char *data;     /* file content / link target */
};

static const char long_name[] =
    "dir/a-file-with-a-name-longer-than-one-hundred-characters-all-by-itself-which-needs-"
    "pax-or-gnu-records.txt";

/* A tar of ents[n] in libarchive format fmt, with xattr on the first file when asked,
 * and trailer (may be NULL) after the end blocks. */
static void
tar_make(struct buf *out, int fmt, const struct ent *ents, size_t n, bool xattr,
         const char *trailer)
{
    struct archive *a = archive_write_new();
    size_t cap = 1 << 20, used = 0, i;
    char *mem = xmalloc(cap);

    archive_write_set_format(a, fmt);
    archive_write_add_filter_none(a);
    archive_write_set_bytes_in_last_block(a, 1);
    ck_assert_int_eq(archive_write_open_memory(a, mem, cap, &used), ARCHIVE_OK);
    for (i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();

        archive_entry_set_pathname(e, ents[i].name);
        archive_entry_set_uid(e, ents[i].uid);
        archive_entry_set_gid(e, ents[i].gid);
        archive_entry_set_mtime(e, 1700000000, 0);
        switch (ents[i].type) {
        case 'd':
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
            break;
        case 'l':
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_symlink(e, ents[i].data);
            break;
        case 'h':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_hardlink(e, ents[i].data);
            break;
        default:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
            if (xattr)
                archive_entry_xattr_add_entry(e, "user.test", "value", 5);
            xattr = false;
            break;
        }
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (ents[i].type == 'f' && *ents[i].data)
            ck_assert_int_eq(archive_write_data(a, ents[i].data, strlen(ents[i].data)),
                             (la_ssize_t)strlen(ents[i].data));
        archive_entry_free(e);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    memset(out, 0, sizeof *out);
    buf_add(out, mem, used);
    if (trailer)
        buf_add(out, trailer, strlen(trailer));
    free(mem);
}

/* Shifts in[len] feeding pieces of chunk bytes; rc, output in *out, error in *err. */
static int
shift(const struct idmap *m, enum idmap_dir dir, const char *in, size_t len, size_t chunk,
      struct buf *out, dctl_error_t *err)
{
    struct tarshift *ts;
    size_t off;
    int rc = 0;

    memset(out, 0, sizeof *out);
    ts = tarshift_new(m, dir, buf_write_cb, out);
    for (off = 0; off < len && rc == 0; off += chunk)
        rc = tarshift_feed(ts, in + off, len - off < chunk ? len - off : chunk, err);
    if (rc == 0)
        rc = tarshift_finish(ts, err);
    tarshift_free(ts);
    return rc;
}

/* Reads the stream back and checks each entry against ents with owners mapped. */
static void
tar_check(const struct buf *b, const struct ent *ents, size_t n, const struct idmap *m,
          enum idmap_dir dir, bool xattr)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    size_t i = 0;

    archive_read_support_format_tar(a);
    ck_assert_int_eq(archive_read_open_memory(a, b->p, b->len), ARCHIVE_OK);
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        uint32_t uid = 0, gid = 0;

        ck_assert_uint_lt(i, n);
        ck_assert_str_eq(archive_entry_pathname(e), ents[i].name);
        if (m) {
            ck_assert(idmap_map(m->uid, m->nuid, dir, (uint32_t)ents[i].uid, &uid));
            ck_assert(idmap_map(m->gid, m->ngid, dir, (uint32_t)ents[i].gid, &gid));
        } else {
            uid = (uint32_t)ents[i].uid;
            gid = (uint32_t)ents[i].gid;
        }
        ck_assert_int_eq(archive_entry_uid(e), uid);
        ck_assert_int_eq(archive_entry_gid(e), gid);
        if (ents[i].type == 'l')
            ck_assert_str_eq(archive_entry_symlink(e), ents[i].data);
        if (ents[i].type == 'h')
            ck_assert_str_eq(archive_entry_hardlink(e), ents[i].data);
        if (ents[i].type == 'f') {
            char data[256] = "";
            la_ssize_t got = archive_read_data(a, data, sizeof data - 1);

            ck_assert_int_eq(got, (la_ssize_t)strlen(ents[i].data));
            ck_assert_str_eq(data, ents[i].data);
            if (xattr) {
                const char *name;
                const void *v;
                size_t vlen;

                /* libarchive reads both its own and the SCHILY records: one or two */
                ck_assert_int_ge(archive_entry_xattr_reset(e), 1);
                ck_assert_int_eq(archive_entry_xattr_next(e, &name, &v, &vlen), ARCHIVE_OK);
                ck_assert_str_eq(name, "user.test");
                ck_assert_uint_eq(vlen, 5);
                ck_assert_int_eq(memcmp(v, "value", 5), 0);
                xattr = false;
            }
        }
        i++;
    }
    ck_assert_uint_eq(i, n);
    archive_read_free(a);
}

static const struct ent ents_small[] = {
    { "dir/", 'd', 0, 0, NULL },
    { "dir/file", 'f', 0, 0, "hello\n" },
    { "dir/user", 'f', 1000, 50, "content of a file owned by 1000\n" },
    { "dir/link", 'l', 0, 5, "file" },
    { "dir/hard", 'h', 1000, 50, "dir/user" },
    { "dir/empty", 'f', 65535, 65535, "" },
};

static const struct ent ents_long[] = {
    { "dir/", 'd', 0, 0, NULL },
    { long_name, 'f', 7, 8, "a long-named file\n" },
    { "dir/x", 'f', 65536, 65545, "in the second range\n" },
};

static const struct ent ents_wide[] = {
    { "big", 'f', 2500000, 2999999, "owners past 7 octal digits: PAX records\n" },
    { "small", 'f', 3, 4, "x\n" },
};

static const struct {
    const char *what;
    int fmt;
    const struct ent *ents;
    size_t n;
    const struct idmap *map;
    bool xattr;
} cases[] = {
    { "ustar", ARCHIVE_FORMAT_TAR_USTAR, ents_small, ARRAY_SIZE(ents_small), &map_one, false },
    { "gnu", ARCHIVE_FORMAT_TAR_GNUTAR, ents_small, ARRAY_SIZE(ents_small), &map_one, false },
    { "pax", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ents_small, ARRAY_SIZE(ents_small), &map_two,
      true },
    { "pax long names", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ents_long, ARRAY_SIZE(ents_long),
      &map_two, true },
    { "gnu long names", ARCHIVE_FORMAT_TAR_GNUTAR, ents_long, ARRAY_SIZE(ents_long), &map_two,
      false },
    { "ustar to base-256", ARCHIVE_FORMAT_TAR_USTAR, ents_small, ARRAY_SIZE(ents_small),
      &map_big, false },
    { "pax uid records", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ents_wide, ARRAY_SIZE(ents_wide),
      &map_wide, false },
};

static const size_t chunks[] = { 1, 7, 511, 512, 513, 4096, 1 << 20 };

/* to the host and back, in each chunk size: owners mapped, all else kept, and the
 * bytes after the end blocks passed as they were */
START_TEST(test_tarshift_formats)
{
    static const char trailer[] = "bytes after the end of the archive";
    struct buf in, host, back;
    dctl_error_t err = NULL;
    size_t c;

    tar_make(&in, cases[_i].fmt, cases[_i].ents, cases[_i].n, cases[_i].xattr, trailer);
    for (c = 0; c < ARRAY_SIZE(chunks); c++) {
        ck_assert_msg(shift(cases[_i].map, IDMAP_TO_HOST, in.p, in.len, chunks[c], &host,
                            &err) == 0, "%s: %s", cases[_i].what, err ? err->msg : "");
        tar_check(&host, cases[_i].ents, cases[_i].n, cases[_i].map, IDMAP_TO_HOST,
                  cases[_i].xattr);
        ck_assert(host.len >= strlen(trailer));
        ck_assert_int_eq(memcmp(host.p + host.len - strlen(trailer), trailer, strlen(trailer)),
                         0);
        ck_assert_int_eq(shift(cases[_i].map, IDMAP_TO_CONTAINER, host.p, host.len, chunks[c],
                               &back, &err), 0);
        tar_check(&back, cases[_i].ents, cases[_i].n, NULL, IDMAP_TO_HOST, cases[_i].xattr);
        if (cases[_i].fmt != ARCHIVE_FORMAT_TAR_PAX_RESTRICTED || cases[_i].map != &map_wide)
            ck_assert_uint_eq(host.len, in.len);   /* PAX records may change length */
        free(host.p);
        free(back.p);
    }
    free(in.p);
}
END_TEST

/* An owner outside the map, either way: dockerd's words, and nothing more written
 * after the header that failed. */
START_TEST(test_tarshift_unmapped)
{
    static const struct ent e70000[] = { { "f", 'f', 70000, 0, "x" } };
    static const struct ent g70000[] = { { "f", 'f', 0, 70000, "x" } };
    struct buf in, out;
    dctl_error_t err = NULL;

    tar_make(&in, ARCHIVE_FORMAT_TAR_USTAR, e70000, 1, false, NULL);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, in.p, in.len, 512, &out, &err), -1);
    ck_assert_str_eq(err->msg, "Container ID 70000 cannot be mapped to a host ID");
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_uint_eq(out.len, 0);
    dctl_error_clear(&err);
    free(out.p);
    free(in.p);
    tar_make(&in, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, g70000, 1, false, NULL);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, in.p, in.len, 100, &out, &err), -1);
    ck_assert_str_eq(err->msg, "Container ID 70000 cannot be mapped to a host ID");
    dctl_error_clear(&err);
    free(out.p);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_CONTAINER, in.p, in.len, 100, &out, &err), -1);
    ck_assert_str_eq(err->msg, "Host ID 0 cannot be mapped to a container ID");
    dctl_error_clear(&err);
    free(out.p);
    free(in.p);
}
END_TEST

/* ---- hand-made headers --------------------------------------------------------------- */

static void
hdr_checksum(unsigned char *h)
{
    unsigned int sum = 0;
    size_t i;

    memset(h + 148, ' ', 8);
    for (i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

static void
hdr_make(unsigned char *h, const char *name, char type, unsigned long size, unsigned int uid,
         unsigned int gid)
{
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", uid);
    snprintf((char *)h + 116, 8, "%07o", gid);
    snprintf((char *)h + 124, 12, "%011o", (unsigned int)size);
    snprintf((char *)h + 136, 12, "%011o", 1700000000);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar  ", 8);   /* GNU magic */
    hdr_checksum(h);
}

static unsigned long
hdr_id(const unsigned char *f)
{
    return strtoul((const char *)f, NULL, 8);
}

/* Old GNU sparse: the extension block after the header passes untouched, and so does
 * the data, whose length the header's size gives. */
START_TEST(test_tarshift_gnu_sparse)
{
    unsigned char h[512], ext[512], data[1024], end[1024] = { 0 };
    struct buf in = { 0 }, out;
    dctl_error_t err = NULL;
    size_t i, c;

    hdr_make(h, "sparse", 'S', sizeof data, 12, 34);
    h[482] = 1;   /* isextended */
    hdr_checksum(h);
    for (i = 0; i < sizeof ext; i++)
        ext[i] = (unsigned char)(i * 7 + 1);
    ext[504] = 0;   /* the last extension block */
    for (i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 13);
    buf_add(&in, h, 512);
    buf_add(&in, ext, 512);
    buf_add(&in, data, sizeof data);
    buf_add(&in, end, sizeof end);
    for (c = 0; c < ARRAY_SIZE(chunks); c++) {
        ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, in.p, in.len, chunks[c], &out, &err), 0);
        ck_assert_uint_eq(out.len, in.len);
        ck_assert_uint_eq(hdr_id((unsigned char *)out.p + 108), 100012);
        ck_assert_uint_eq(hdr_id((unsigned char *)out.p + 116), 100034);
        ck_assert_int_eq(memcmp(out.p + 512, in.p + 512, in.len - 512), 0);
        free(out.p);
    }
    free(in.p);
}
END_TEST

/* A global PAX header's uid/gid records are mapped, their lengths recounted, the
 * header's size field and padding follow; a local PAX record over an entry header. */
START_TEST(test_tarshift_pax_records)
{
    static const char grec[] = "11 uid=500\n11 gid=600\n19 comment=keep me\n";
    static const char lrec[] = "16 uid=65535000\n";   /* wrong: over 2^16 in map_one */
    unsigned char h[512], pad[512] = { 0 }, end[1024] = { 0 };
    struct buf in = { 0 }, out;
    dctl_error_t err = NULL;
    const char *recs;

    hdr_make(h, "pax_global_header", 'g', strlen(grec), 0, 0);
    buf_add(&in, h, 512);
    buf_add(&in, grec, strlen(grec));
    buf_add(&in, pad, 512 - strlen(grec));
    hdr_make(h, "f", '0', 0, 1, 2);
    buf_add(&in, h, 512);
    buf_add(&in, end, sizeof end);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, in.p, in.len, 3, &out, &err), 0);
    recs = out.p + 512;
    ck_assert_int_eq(strncmp(recs, "14 uid=100500\n14 gid=100600\n19 comment=keep me\n", 47), 0);
    ck_assert_uint_eq(strtoul(out.p + 124, NULL, 8), 47);
    ck_assert_uint_eq(hdr_id((unsigned char *)out.p + 1024 + 108), 100001);
    ck_assert_uint_eq(hdr_id((unsigned char *)out.p + 1024 + 116), 100002);
    ck_assert_uint_eq(out.len, in.len);
    free(out.p);
    free(in.p);

    memset(&in, 0, sizeof in);
    hdr_make(h, "PaxHeaders/f", 'x', strlen(lrec), 0, 0);
    buf_add(&in, h, 512);
    buf_add(&in, lrec, strlen(lrec));
    buf_add(&in, pad, 512 - strlen(lrec));
    hdr_make(h, "f", '0', 0, 1, 2);
    buf_add(&in, h, 512);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, in.p, in.len, 512, &out, &err), -1);
    ck_assert_str_eq(err->msg, "Container ID 65535000 cannot be mapped to a host ID");
    dctl_error_clear(&err);
    free(out.p);
    free(in.p);
}
END_TEST

static const struct {
    const char *what, *pax;
    bool bad_checksum;
    const char *msg;
} bad_cases[] = {
    { "bad checksum", NULL, true, "archive/tar: invalid tar header" },
    { "record length", "99 uid=1\n", false, "archive/tar: invalid PAX record" },
    { "no equals", "9 uid 1\n\n", false, "archive/tar: invalid PAX record" },
    { "uid not a number", "10 uid=x1\n", false, "archive/tar: invalid PAX uid value \"x1\"" },
};

START_TEST(test_tarshift_bad)
{
    unsigned char h[512], pad[512] = { 0 };
    struct buf in = { 0 }, out;
    dctl_error_t err = NULL;

    if (bad_cases[_i].pax) {
        hdr_make(h, "PaxHeaders/f", 'x', strlen(bad_cases[_i].pax), 0, 0);
        buf_add(&in, h, 512);
        buf_add(&in, bad_cases[_i].pax, strlen(bad_cases[_i].pax));
        buf_add(&in, pad, 512 - strlen(bad_cases[_i].pax));
    }
    hdr_make(h, "f", '0', 0, 1, 2);
    if (bad_cases[_i].bad_checksum)
        h[0] ^= 1;
    buf_add(&in, h, 512);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, in.p, in.len, 512, &out, &err), -1);
    ck_assert_str_eq(err->msg, bad_cases[_i].msg);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);
    free(out.p);
    free(in.p);
}
END_TEST

/* A stream cut in the middle of a header passes as it came: the reader sees the cut. */
START_TEST(test_tarshift_truncated)
{
    unsigned char h[512];
    struct buf out;
    dctl_error_t err = NULL;

    hdr_make(h, "f", '0', 0, 1, 2);
    ck_assert_int_eq(shift(&map_one, IDMAP_TO_HOST, (char *)h, 300, 100, &out, &err), 0);
    ck_assert_uint_eq(out.len, 300);
    ck_assert_int_eq(memcmp(out.p, h, 300), 0);
    free(out.p);
}
END_TEST

/* ---- the fd helpers -------------------------------------------------------------------- */

static char *
fd_read_all(int fd, size_t *len)
{
    struct buf b = { 0 };
    char tmp[4096];
    ssize_t n;

    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        buf_add(&b, tmp, (size_t)n);
    *len = b.len;
    return b.p;
}

static int
tmpfd(void)
{
    int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

    ck_assert_int_ge(fd, 0);
    return fd;
}

/* gzip in, shifted tar out */
START_TEST(test_tarshift_copy_gzip)
{
    struct buf in;
    struct archive *a = archive_write_new();
    size_t cap = 1 << 20, used = 0, len;
    cleanup_free char *gz = xmalloc(cap), *got = NULL;
    dctl_error_t err = NULL;
    int src = tmpfd(), dst = tmpfd();

    tar_make(&in, ARCHIVE_FORMAT_TAR_USTAR, ents_small, ARRAY_SIZE(ents_small), false, NULL);
    archive_write_set_format_raw(a);
    archive_write_add_filter_gzip(a);
    ck_assert_int_eq(archive_write_open_memory(a, gz, cap, &used), ARCHIVE_OK);
    {
        struct archive_entry *e = archive_entry_new();

        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)in.len);
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_data(a, in.p, in.len), (la_ssize_t)in.len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    ck_assert_int_eq(write(src, gz, used), (ssize_t)used);
    lseek(src, 0, SEEK_SET);
    ck_assert_int_eq(tarshift_copy(src, dst, &map_one, IDMAP_TO_HOST, true, &err), 0);
    got = fd_read_all(dst, &len);
    {
        struct buf b = { .p = got, .len = len };

        tar_check(&b, ents_small, ARRAY_SIZE(ents_small), &map_one, IDMAP_TO_HOST, false);
    }
    close(src);
    close(dst);
    free(in.p);
}
END_TEST

struct io_arg {
    struct buf *tar;
    struct buf seen;
    bool fail;
};

static int
produce_cb(void *arg, int fd, dctl_error_t *err)
{
    struct io_arg *a = arg;

    if (write(fd, a->tar->p, a->tar->len) != (ssize_t)a->tar->len)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "producer write");
    return a->fail ? dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "producer failed") : 0;
}

static int
consume_cb(void *arg, int fd, dctl_error_t *err)
{
    struct io_arg *a = arg;
    char tmp[1000];
    ssize_t n;

    memset(&a->seen, 0, sizeof a->seen);
    /* stop after the first block: the shifting thread must not call that an error */
    if (a->fail) {
        n = read(fd, tmp, 512);
        return n == 512 ? 0 : dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "short read");
    }
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        buf_add(&a->seen, tmp, (size_t)n);
    return 0;
}

START_TEST(test_tarshift_produce_consume)
{
    static const struct ent e70000[] = { { "f", 'f', 70000, 0, "x" } };
    struct buf tar, bad;
    struct io_arg a = { .tar = &tar };
    dctl_error_t err = NULL;
    cleanup_free char *got = NULL;
    size_t len;
    int out = tmpfd(), in = tmpfd();

    tar_make(&tar, ARCHIVE_FORMAT_TAR_GNUTAR, ents_small, ARRAY_SIZE(ents_small), false, NULL);
    ck_assert_int_eq(tarshift_produce(&map_two, IDMAP_TO_HOST, out, produce_cb, &a, &err), 0);
    got = fd_read_all(out, &len);
    {
        struct buf b = { .p = got, .len = len };

        tar_check(&b, ents_small, ARRAY_SIZE(ents_small), &map_two, IDMAP_TO_HOST, false);
    }
    ck_assert_int_eq(write(in, tar.p, tar.len), (ssize_t)tar.len);
    lseek(in, 0, SEEK_SET);
    ck_assert_int_eq(tarshift_consume(&map_two, IDMAP_TO_HOST, in, consume_cb, &a, &err), 0);
    tar_check(&a.seen, ents_small, ARRAY_SIZE(ents_small), &map_two, IDMAP_TO_HOST, false);
    free(a.seen.p);
    lseek(in, 0, SEEK_SET);
    a.fail = true;   /* a consumer that stops reading early is no shift error */
    ck_assert_int_eq(tarshift_consume(&map_two, IDMAP_TO_HOST, in, consume_cb, &a, &err), 0);
    /* the producer's own error */
    ck_assert_int_eq(tarshift_produce(&map_two, IDMAP_TO_HOST, out, produce_cb, &a, &err), -1);
    ck_assert_str_eq(err->msg, "producer failed");
    dctl_error_clear(&err);
    /* the shift's error wins over what the producer saw of the closed pipe */
    tar_make(&bad, ARCHIVE_FORMAT_TAR_USTAR, e70000, 1, false, NULL);
    a.tar = &bad;
    a.fail = false;
    ck_assert_int_eq(tarshift_produce(&map_one, IDMAP_TO_HOST, out, produce_cb, &a, &err), -1);
    ck_assert_str_eq(err->msg, "Container ID 70000 cannot be mapped to a host ID");
    dctl_error_clear(&err);
    close(out);
    close(in);
    free(tar.p);
    free(bad.p);
}
END_TEST

static Suite *
tarshift_suite(void)
{
    Suite *s = suite_create("tarshift");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, maps_init, NULL);
    tcase_add_loop_test(tc, test_tarshift_formats, 0, ARRAY_SIZE(cases));
    tcase_add_test(tc, test_tarshift_unmapped);
    tcase_add_test(tc, test_tarshift_gnu_sparse);
    tcase_add_test(tc, test_tarshift_pax_records);
    tcase_add_loop_test(tc, test_tarshift_bad, 0, ARRAY_SIZE(bad_cases));
    tcase_add_test(tc, test_tarshift_truncated);
    tcase_add_test(tc, test_tarshift_copy_gzip);
    tcase_add_test(tc, test_tarshift_produce_consume);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tarshift_suite());
    int failed;

    signal(SIGPIPE, SIG_IGN);   /* as dctld: a closed pipe is EPIPE */
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
