/* lib/tarshift.c - tar owner shifting through an ID map (see tarshift.h). A push
 * parser over 512-byte blocks that holds at most one header and one PAX record set
 * (bounded) at a time; everything it does not rewrite goes straight to the writer. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivelib.h"
#include "tarhdr.h"
#include "tarshift.h"
#include "util.h"
#include "xmalloc.h"

#define TARSHIFT_BLOCK 512
#define TARSHIFT_PAX_MAX (1u << 20)
#define TARSHIFT_IO (64 * 1024)

enum tarshift_state {
    TARSHIFT_HEADER = 0, /* collecting a header block */
    TARSHIFT_PASS,       /* content and padding of an entry, as they are */
    TARSHIFT_PAX,        /* collecting a PAX header's records */
    TARSHIFT_PAX_PAD,    /* dropping its padding (written again after the new records) */
    TARSHIFT_SPARSE_EXT, /* old GNU sparse extension blocks */
    TARSHIFT_VERBATIM,   /* after the end of the archive: everything as is */
};

struct tarshift {
    struct idmap map;
    enum idmap_dir dir;
    tarshift_write_cb write;
    void *arg;
    enum tarshift_state state;
    unsigned char hdr[TARSHIFT_BLOCK];
    size_t hdr_len;
    uint64_t remaining;      /* PASS: bytes left; PAX: record bytes left; PAX_PAD: padding */
    uint64_t after_ext;      /* SPARSE_EXT: content + padding of the entry */
    char *pax;               /* PAX records being collected (pax_len of them) */
    size_t pax_len;
    bool pax_uid_set, pax_gid_set; /* the next entry's owners, already shifted */
    uint32_t pax_uid, pax_gid;
    bool pax_size_set;
    uint64_t pax_size;
};

struct tarshift *
tarshift_new(const struct idmap *map, enum idmap_dir dir, tarshift_write_cb write, void *arg)
{
    struct tarshift *ts = xcalloc(1, sizeof *ts);

    ts->map = *map;
    ts->dir = dir;
    ts->write = write;
    ts->arg = arg;
    return ts;
}

void
tarshift_free(struct tarshift *ts)
{
    if (ts == NULL)
        return;
    free(ts->pax);
    free(ts);
}

/* An 8-byte uid/gid field as Go's archive/tar writes it: 7 octal digits and a NUL,
 * or base-256 when the value does not fit. */
static void
tarshift_put_id(unsigned char *f, uint32_t v)
{
    int i;

    if (v < 07777777 + 1) {
        char buf[9];

        snprintf(buf, sizeof buf, "%07o", (unsigned int)v);
        memcpy(f, buf, 7);
        f[7] = '\0';
        return;
    }
    f[0] = 0x80;
    for (i = 7; i >= 1; i--) {
        f[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static void
tarshift_put_checksum(unsigned char *h)
{
    uint64_t sum = 0;
    char buf[8];
    size_t i;

    memset(h + 148, ' ', 8);
    for (i = 0; i < TARSHIFT_BLOCK; i++)
        sum += h[i];
    snprintf(buf, sizeof buf, "%06o", (unsigned int)sum);
    memcpy(h + 148, buf, 6);
    h[154] = '\0';
    h[155] = ' ';
}

static int
tarshift_map(struct tarshift *ts, bool gid, uint64_t id, uint32_t *out, dctl_error_t *err)
{
    const struct idmap_range *v = gid ? ts->map.gid : ts->map.uid;
    size_t n = gid ? ts->map.ngid : ts->map.nuid;

    if (id <= UINT32_MAX && idmap_map(v, n, ts->dir, (uint32_t)id, out))
        return 0;
    if (ts->dir == IDMAP_TO_HOST)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Container ID %llu cannot be mapped to a host ID",
                              (unsigned long long)id);
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "Host ID %llu cannot be mapped to a container ID",
                          (unsigned long long)id);
}

static bool
tarshift_is_pax_key(const char *kv, size_t klen, const char *key)
{
    return klen == strlen(key) && memcmp(kv, key, klen) == 0;
}

/* Appends one "LEN key=value\n" record, LEN counting itself. */
static void
tarshift_pax_record(char **buf, size_t *len, const char *key, size_t klen, const char *val,
                    size_t vlen)
{
    size_t body = 1 + klen + 1 + vlen + 1, total = body, digits;
    char num[24];

    for (;;) {   /* the length's own digits count: settle them */
        digits = (size_t)snprintf(num, sizeof num, "%zu", total);
        if (body + digits == total)
            break;
        total = body + digits;
    }
    *buf = xrealloc(*buf, *len + total + 1);
    memcpy(*buf + *len, num, digits);
    (*buf)[*len + digits] = ' ';
    memcpy(*buf + *len + digits + 1, key, klen);
    (*buf)[*len + digits + 1 + klen] = '=';
    memcpy(*buf + *len + digits + 2 + klen, val, vlen);
    (*buf)[*len + total - 1] = '\n';
    *len += total;
}

/* The collected PAX records of a header of type `type`, with uid= and gid= values
 * shifted, into *out (malloc'd) and *out_len. A local header's values (and size) are
 * kept for the entry that follows it. */
static int
tarshift_pax_rewrite(struct tarshift *ts, unsigned char type, char **out, size_t *out_len,
                     dctl_error_t *err)
{
    const char *p = ts->pax, *end = ts->pax + ts->pax_len;
    cleanup_free char *buf = NULL;
    size_t len = 0;

    while (p < end) {
        char *sp;
        unsigned long long rlen;
        const char *kv, *eq, *rec_end;
        size_t klen, vlen;
        bool uid, gid;

        errno = 0;
        rlen = strtoull(p, &sp, 10);
        if (sp == p || *sp != ' ' || errno || rlen == 0 || rlen > (size_t)(end - p))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "archive/tar: invalid PAX record");
        rec_end = p + rlen;
        kv = sp + 1;
        eq = memchr(kv, '=', (size_t)(rec_end - kv));
        if (eq == NULL || rec_end[-1] != '\n')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "archive/tar: invalid PAX record");
        klen = (size_t)(eq - kv);
        vlen = (size_t)(rec_end - 1 - (eq + 1));
        uid = tarshift_is_pax_key(kv, klen, "uid");
        gid = tarshift_is_pax_key(kv, klen, "gid");
        if (uid || gid) {
            cleanup_free char *v = xstrndup(eq + 1, vlen);
            char *e, num[16];
            unsigned long long id;
            uint32_t mapped;

            errno = 0;
            id = strtoull(v, &e, 10);
            if (*v == '\0' || *e != '\0' || errno)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "archive/tar: invalid PAX %s value \"%s\"", uid ? "uid" :
                                      "gid", v);
            if (tarshift_map(ts, gid, id, &mapped, err) < 0)
                return -1;
            snprintf(num, sizeof num, "%u", (unsigned int)mapped);
            tarshift_pax_record(&buf, &len, kv, klen, num, strlen(num));
            if (type == 'x' && uid) {
                ts->pax_uid_set = true;
                ts->pax_uid = mapped;
            } else if (type == 'x') {
                ts->pax_gid_set = true;
                ts->pax_gid = mapped;
            }
        } else {
            if (type == 'x' && tarshift_is_pax_key(kv, klen, "size")) {
                cleanup_free char *v = xstrndup(eq + 1, vlen);
                char *e;
                unsigned long long n;

                errno = 0;
                n = strtoull(v, &e, 10);
                if (*v && *e == '\0' && errno == 0) {
                    ts->pax_size_set = true;
                    ts->pax_size = n;
                }
            }
            buf = xrealloc(buf, len + rlen + 1);
            memcpy(buf + len, p, rlen);
            len += rlen;
        }
        p = rec_end;
    }
    *out = steal_ptr(&buf);
    *out_len = len;
    return 0;
}

/* Writes the PAX header (ts->hdr) with its rewritten records and their padding. */
static int
tarshift_pax_done(struct tarshift *ts, dctl_error_t *err)
{
    static const char zeros[TARSHIFT_BLOCK];
    unsigned char type = ts->hdr[156];
    cleanup_free char *recs = NULL;
    size_t len = 0, pad;
    char size[16];

    if (tarshift_pax_rewrite(ts, type, &recs, &len, err) < 0)
        return -1;
    free(ts->pax);
    ts->pax = NULL;
    ts->pax_len = 0;
    /* the 12-byte size field: 11 octal digits and a NUL, as Go writes it */
    snprintf(size, sizeof size, "%011llo", (unsigned long long)len);
    memcpy(ts->hdr + 124, size, 11);
    ts->hdr[135] = '\0';
    tarshift_put_checksum(ts->hdr);
    pad = (TARSHIFT_BLOCK - len % TARSHIFT_BLOCK) % TARSHIFT_BLOCK;
    if (ts->write(ts->arg, ts->hdr, TARSHIFT_BLOCK, err) < 0 ||
        (len && ts->write(ts->arg, recs, len, err) < 0) ||
        (pad && ts->write(ts->arg, zeros, pad, err) < 0))
        return -1;
    return 0;
}

static bool
tarshift_type_has_owner(unsigned char type)
{
    return type == '0' || type == '\0' || (type >= '1' && type <= '7') || type == 'S' ||
           type == 'D';
}

/* A whole header block is in ts->hdr. */
static int
tarshift_header(struct tarshift *ts, dctl_error_t *err)
{
    unsigned char *h = ts->hdr, type = h[156];
    uint64_t size, uid, gid;
    uint32_t nuid, ngid;
    size_t i;

    ts->hdr_len = 0;
    for (i = 0; i < TARSHIFT_BLOCK && h[i] == 0; i++)
        ;
    if (i == TARSHIFT_BLOCK) {   /* the end of the archive: the rest passes as is */
        ts->state = TARSHIFT_VERBATIM;
        return ts->write(ts->arg, h, TARSHIFT_BLOCK, err);
    }
    if (!tarhdr_checksum_ok(h) || !tarhdr_number(h + 124, 12, &size))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "archive/tar: invalid tar header");
    if (type == 'x' || type == 'g') {
        if (size > TARSHIFT_PAX_MAX)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "archive/tar: PAX header of %llu bytes is too large",
                                  (unsigned long long)size);
        ts->pax = xmalloc(size + 1);
        ts->pax_len = 0;
        ts->remaining = size;
        ts->after_ext = (TARSHIFT_BLOCK - size % TARSHIFT_BLOCK) % TARSHIFT_BLOCK;
        ts->state = TARSHIFT_PAX;
        if (size == 0) {
            ts->state = TARSHIFT_HEADER;
            return tarshift_pax_done(ts, err);
        }
        return 0;
    }
    if (tarshift_type_has_owner(type)) {
        if (!tarhdr_number(h + 108, 8, &uid) || !tarhdr_number(h + 116, 8, &gid))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "archive/tar: invalid tar header");
        if (ts->pax_uid_set)
            nuid = ts->pax_uid;
        else if (tarshift_map(ts, false, uid, &nuid, err) < 0)
            return -1;
        if (ts->pax_gid_set)
            ngid = ts->pax_gid;
        else if (tarshift_map(ts, true, gid, &ngid, err) < 0)
            return -1;
        tarshift_put_id(h + 108, nuid);
        tarshift_put_id(h + 116, ngid);
        tarshift_put_checksum(h);
    }
    if (ts->pax_size_set && type != 'L' && type != 'K')
        size = ts->pax_size;
    if (type != 'L' && type != 'K')   /* long names belong to the next header */
        ts->pax_uid_set = ts->pax_gid_set = ts->pax_size_set = false;
    ts->remaining = size + (TARSHIFT_BLOCK - size % TARSHIFT_BLOCK) % TARSHIFT_BLOCK;
    if (ts->write(ts->arg, h, TARSHIFT_BLOCK, err) < 0)
        return -1;
    if (type == 'S' && h[482]) {   /* old GNU sparse: extension blocks come first */
        ts->after_ext = ts->remaining;
        ts->state = TARSHIFT_SPARSE_EXT;
        return 0;
    }
    ts->state = ts->remaining ? TARSHIFT_PASS : TARSHIFT_HEADER;
    return 0;
}

int
tarshift_feed(struct tarshift *ts, const void *data, size_t len, dctl_error_t *err)
{
    const unsigned char *p = data;

    while (len > 0) {
        size_t n;

        switch (ts->state) {
        case TARSHIFT_HEADER:
        case TARSHIFT_SPARSE_EXT:
            n = TARSHIFT_BLOCK - ts->hdr_len;
            if (n > len)
                n = len;
            memcpy(ts->hdr + ts->hdr_len, p, n);
            ts->hdr_len += n;
            if (ts->hdr_len < TARSHIFT_BLOCK)
                break;
            if (ts->state == TARSHIFT_HEADER) {
                if (tarshift_header(ts, err) < 0)
                    return -1;
                break;
            }
            ts->hdr_len = 0;
            if (ts->write(ts->arg, ts->hdr, TARSHIFT_BLOCK, err) < 0)
                return -1;
            if (ts->hdr[504] == 0) {   /* the last extension block */
                ts->remaining = ts->after_ext;
                ts->state = ts->remaining ? TARSHIFT_PASS : TARSHIFT_HEADER;
            }
            break;
        case TARSHIFT_PASS:
            n = ts->remaining < len ? (size_t)ts->remaining : len;
            if (ts->write(ts->arg, p, n, err) < 0)
                return -1;
            ts->remaining -= n;
            if (ts->remaining == 0)
                ts->state = TARSHIFT_HEADER;
            break;
        case TARSHIFT_PAX:
            n = ts->remaining < len ? (size_t)ts->remaining : len;
            memcpy(ts->pax + ts->pax_len, p, n);
            ts->pax_len += n;
            ts->remaining -= n;
            if (ts->remaining == 0) {
                ts->remaining = ts->after_ext;
                ts->state = TARSHIFT_PAX_PAD;
                if (ts->remaining == 0) {
                    ts->state = TARSHIFT_HEADER;
                    if (tarshift_pax_done(ts, err) < 0)
                        return -1;
                }
            }
            break;
        case TARSHIFT_PAX_PAD:
            n = ts->remaining < len ? (size_t)ts->remaining : len;
            ts->remaining -= n;
            if (ts->remaining == 0) {
                ts->state = TARSHIFT_HEADER;
                if (tarshift_pax_done(ts, err) < 0)
                    return -1;
            }
            break;
        case TARSHIFT_VERBATIM:
        default:
            n = len;
            if (ts->write(ts->arg, p, n, err) < 0)
                return -1;
            break;
        }
        p += n;
        len -= n;
    }
    return 0;
}

int
tarshift_finish(struct tarshift *ts, dctl_error_t *err)
{
    /* a stream cut short: what is held back goes out as it came, the reader sees
     * the truncation */
    if ((ts->state == TARSHIFT_HEADER || ts->state == TARSHIFT_SPARSE_EXT) && ts->hdr_len &&
        ts->write(ts->arg, ts->hdr, ts->hdr_len, err) < 0)
        return -1;
    ts->hdr_len = 0;
    if (ts->state == TARSHIFT_PAX && ts->pax_len && ts->write(ts->arg, ts->pax, ts->pax_len,
                                                              err) < 0)
        return -1;
    return 0;
}

/* ---- fd to fd -------------------------------------------------------------------- */

static int
tarshift_write_fd(void *arg, const void *data, size_t len, dctl_error_t *err)
{
    const char *p = data;
    int fd = *(int *)arg;

    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write shifted tar stream");
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void
tarshift_archive_free(struct archive **a)
{
    if (*a)
        archive_read_free(*a);
}

/* The decompressed bytes of in, through libarchive's filters and its raw format. */
static int
tarshift_copy_decompress(struct tarshift *ts, int in, char *buf, dctl_error_t *err)
{
    __attribute__((cleanup(tarshift_archive_free))) struct archive *a = NULL;
    struct archive_entry *entry;
    int r;

    if (archivelib_load(err) < 0)
        return -1;
    a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    r = archive_read_open_fd(a, in, TARSHIFT_IO);
    if (r == ARCHIVE_OK)
        r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF)
        return 0;   /* an empty stream */
    if (r != ARCHIVE_OK)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid tar stream: %s",
                              archive_error_string(a) ? archive_error_string(a) : "unreadable");
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, TARSHIFT_IO);

        if (n == 0)
            return 0;
        if (n < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid tar stream: %s",
                                  archive_error_string(a) ? archive_error_string(a)
                                                          : "read error");
        if (tarshift_feed(ts, buf, (size_t)n, err) < 0)
            return -1;
    }
}

int
tarshift_copy(int in, int out, const struct idmap *map, enum idmap_dir dir, bool decompress,
              dctl_error_t *err)
{
    struct tarshift *ts = tarshift_new(map, dir, tarshift_write_fd, &out);
    cleanup_free char *buf = xmalloc(TARSHIFT_IO);
    int rc = 0;

    if (decompress) {
        rc = tarshift_copy_decompress(ts, in, buf, err);
    } else {
        for (;;) {
            ssize_t n = read(in, buf, TARSHIFT_IO);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                rc = dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read tar stream");
                break;
            }
            if (n == 0)
                break;
            if (tarshift_feed(ts, buf, (size_t)n, err) < 0) {
                rc = -1;
                break;
            }
        }
    }
    if (rc == 0)
        rc = tarshift_finish(ts, err);
    tarshift_free(ts);
    return rc;
}

struct tarshift_thread {
    pthread_t th;
    struct idmap map;
    enum idmap_dir dir;
    int in, out, own;
    bool decompress;
    int status;
    dctl_error_t err;
};

static void *
tarshift_thread_main(void *arg)
{
    struct tarshift_thread *t = arg;

    t->status = tarshift_copy(t->in, t->out, &t->map, t->dir, t->decompress, &t->err);
    if (t->status < 0 && t->err && t->err->errnum == EPIPE && t->own == t->out) {
        /* the reader of our pipe has stopped: what it made of the stream is its say */
        dctl_error_clear(&t->err);
        t->status = 0;
    }
    close(t->own);   /* EOF (or EPIPE) for the other side of the pipe */
    return NULL;
}

struct tarshift_thread *
tarshift_thread_start(const struct idmap *map, enum idmap_dir dir, int in, int out, int own,
                      bool decompress, dctl_error_t *err)
{
    struct tarshift_thread *t = xcalloc(1, sizeof *t);
    int rc;

    t->map = *map;
    t->dir = dir;
    t->in = in;
    t->out = out;
    t->own = own;
    t->decompress = decompress;
    rc = pthread_create(&t->th, NULL, tarshift_thread_main, t);
    if (rc != 0) {
        free(t);
        dctl_error_set(err, DCTL_ERR_INTERNAL, rc, "start tar shift thread");
        return NULL;
    }
    return t;
}

int
tarshift_thread_join(struct tarshift_thread *t, dctl_error_t *err)
{
    int status;

    pthread_join(t->th, NULL);
    status = t->status;
    if (status < 0) {
        if (err && *err == NULL)
            *err = t->err;
        else
            dctl_error_free(t->err);
    }
    free(t);
    return status;
}

/* Runs io on one end of a pipe while a thread shifts between the other end and fd. */
static int
tarshift_pipe_run(const struct idmap *map, enum idmap_dir dir, int fd, bool to_io,
                  tarshift_io_cb io, void *arg, dctl_error_t *err)
{
    struct tarshift_thread *t;
    dctl_error_t ierr = NULL, terr = NULL;
    int p[2], mine, rc, trc;

    if (pipe2(p, O_CLOEXEC) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "pipe");
    /* to_io: fd -> shift -> p[1] -> io(p[0]); else io(p[1]) -> p[0] -> shift -> fd */
    t = to_io ? tarshift_thread_start(map, dir, fd, p[1], p[1], true, err)
              : tarshift_thread_start(map, dir, p[0], fd, p[0], false, err);
    mine = to_io ? p[0] : p[1];
    if (t == NULL) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    rc = io(arg, mine, &ierr);
    close(mine);   /* EOF for the thread, or EPIPE if it still writes */
    trc = tarshift_thread_join(t, &terr);
    if (trc < 0) {
        dctl_error_free(ierr);
        *err = terr;
        return -1;
    }
    if (rc < 0) {
        *err = ierr;
        return -1;
    }
    return 0;
}

int
tarshift_produce(const struct idmap *map, enum idmap_dir dir, int out, tarshift_io_cb produce,
                 void *arg, dctl_error_t *err)
{
    return tarshift_pipe_run(map, dir, out, false, produce, arg, err);
}

int
tarshift_consume(const struct idmap *map, enum idmap_dir dir, int in, tarshift_io_cb consume,
                 void *arg, dctl_error_t *err)
{
    return tarshift_pipe_run(map, dir, in, true, consume, arg, err);
}
