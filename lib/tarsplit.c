/* lib/tarsplit.c - tar stream recorder and re-assembler (see tarsplit.h). The recorder is
 * a push parser over 512-byte tar blocks: it never holds more than one header, one PAX
 * or long-name record (bounded) and one buffer of verbatim bytes. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tarhdr.h"
#include "tarsplit.h"
#include "util.h"
#include "xmalloc.h"

#define TARSPLIT_MAGIC "DCTLTS1\n"
#define TARSPLIT_RAW_MAX (64 * 1024)
#define TARSPLIT_OUT_MAX (64 * 1024)
#define TARSPLIT_META_MAX (1u << 20) /* a PAX or long-name record we parse */
#define TARSPLIT_PATH_MAX 65536

enum tarsplit_state {
    TARSPLIT_HEADER = 0, /* collecting a header block */
    TARSPLIT_CONTENT,    /* inside an entry's content */
    TARSPLIT_PADDING,    /* the zeros up to the next block */
    TARSPLIT_VERBATIM,   /* everything from here on, as is */
};

enum tarsplit_content {
    TARSPLIT_C_RAW = 0, /* kept verbatim */
    TARSPLIT_C_FILE,    /* a regular file's content: referenced, not kept */
    TARSPLIT_C_PAX,     /* kept verbatim and parsed */
    TARSPLIT_C_LONGNAME,
};

struct tarsplit {
    int fd;
    bool magic_done;
    enum tarsplit_state state;
    unsigned char hdr[512];
    size_t hdr_len;
    enum tarsplit_content content;
    uint64_t remaining; /* content or padding bytes left */
    uint64_t padding;   /* after the content */
    char *meta;         /* a PAX or long-name record being collected */
    size_t meta_len;
    char *pax_path, *longname; /* for the next entry */
    bool pax_size_set, pax_sparse;
    uint64_t pax_size;
    char *raw; /* verbatim bytes not yet written */
    size_t raw_len;
    char *out; /* record bytes not yet written to fd: one write per TARSPLIT_OUT_MAX */
    size_t out_len;
};

static int
tarsplit_write_all(int fd, const void *data, size_t len, dctl_error_t *err)
{
    const char *p = data;

    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "write tar-split record");
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Appends record bytes to the output buffer, writing it to fd when it fills up. */
static int
tarsplit_emit(struct tarsplit *ts, const void *data, size_t len, dctl_error_t *err)
{
    if (ts->out_len + len > TARSPLIT_OUT_MAX) {
        if (tarsplit_write_all(ts->fd, ts->out, ts->out_len, err) < 0)
            return -1;
        ts->out_len = 0;
        if (len > TARSPLIT_OUT_MAX)
            return tarsplit_write_all(ts->fd, data, len, err);
    }
    memcpy(ts->out + ts->out_len, data, len);
    ts->out_len += len;
    return 0;
}

struct tarsplit *
tarsplit_new(int fd)
{
    struct tarsplit *ts = xcalloc(1, sizeof *ts);

    ts->fd = fd;
    ts->raw = xmalloc(TARSPLIT_RAW_MAX);
    ts->out = xmalloc(TARSPLIT_OUT_MAX);
    return ts;
}

void
tarsplit_free(struct tarsplit *ts)
{
    if (ts == NULL)
        return;
    free(ts->meta);
    free(ts->pax_path);
    free(ts->longname);
    free(ts->raw);
    free(ts->out);
    free(ts);
}

static int
tarsplit_flush(struct tarsplit *ts, dctl_error_t *err)
{
    unsigned char tag = 'R';
    uint32_t len = (uint32_t)ts->raw_len;

    if (!ts->magic_done) {
        if (tarsplit_emit(ts, TARSPLIT_MAGIC, strlen(TARSPLIT_MAGIC), err) < 0)
            return -1;
        ts->magic_done = true;
    }
    if (ts->raw_len == 0)
        return 0;
    if (tarsplit_emit(ts, &tag, 1, err) < 0 ||
        tarsplit_emit(ts, &len, sizeof len, err) < 0 ||
        tarsplit_emit(ts, ts->raw, ts->raw_len, err) < 0)
        return -1;
    ts->raw_len = 0;
    return 0;
}

static int
tarsplit_raw(struct tarsplit *ts, const void *data, size_t len, dctl_error_t *err)
{
    const char *p = data;

    while (len > 0) {
        size_t n = TARSPLIT_RAW_MAX - ts->raw_len;

        if (n > len)
            n = len;
        memcpy(ts->raw + ts->raw_len, p, n);
        ts->raw_len += n;
        p += n;
        len -= n;
        if (ts->raw_len == TARSPLIT_RAW_MAX && tarsplit_flush(ts, err) < 0)
            return -1;
    }
    return 0;
}

static int
tarsplit_file(struct tarsplit *ts, const char *path, uint64_t size, dctl_error_t *err)
{
    unsigned char tag = 'F';
    uint32_t len = (uint32_t)strlen(path);

    if (tarsplit_flush(ts, err) < 0)
        return -1;
    if (tarsplit_emit(ts, &tag, 1, err) < 0 ||
        tarsplit_emit(ts, &size, sizeof size, err) < 0 ||
        tarsplit_emit(ts, &len, sizeof len, err) < 0 ||
        tarsplit_emit(ts, path, len, err) < 0)
        return -1;
    return 0;
}

static char *
tarsplit_field(const unsigned char *f, size_t n)
{
    size_t len = strnlen((const char *)f, n);

    return xstrndup((const char *)f, len);
}

/* Parses "LEN key=value\n" records: path, size and GNU sparse markers matter. */
static void
tarsplit_parse_pax(struct tarsplit *ts)
{
    const char *p = ts->meta, *end = ts->meta + ts->meta_len;

    while (p < end) {
        char *sp;
        unsigned long len = strtoul(p, &sp, 10);
        const char *kv, *eq, *rec_end;

        if (sp == p || *sp != ' ' || len == 0 || len > (size_t)(end - p))
            return;
        rec_end = p + len;   /* points after the '\n' */
        kv = sp + 1;
        eq = memchr(kv, '=', (size_t)(rec_end - kv));
        if (eq && rec_end[-1] == '\n') {
            size_t klen = (size_t)(eq - kv), vlen = (size_t)(rec_end - 1 - (eq + 1));

            if (klen == 4 && memcmp(kv, "path", 4) == 0) {
                free(ts->pax_path);
                ts->pax_path = xstrndup(eq + 1, vlen);
            } else if (klen == 4 && memcmp(kv, "size", 4) == 0) {
                cleanup_free char *v = xstrndup(eq + 1, vlen);
                char *e;
                unsigned long long n = strtoull(v, &e, 10);

                if (*v && *e == '\0') {
                    ts->pax_size = n;
                    ts->pax_size_set = true;
                }
            } else if (klen > 11 && memcmp(kv, "GNU.sparse.", 11) == 0) {
                ts->pax_sparse = true;
            }
        }
        p = rec_end;
    }
}

static void
tarsplit_entry_reset(struct tarsplit *ts)
{
    free(ts->pax_path);
    free(ts->longname);
    ts->pax_path = ts->longname = NULL;
    ts->pax_size_set = ts->pax_sparse = false;
    ts->pax_size = 0;
}

/* A whole header block is in ts->hdr. */
static int
tarsplit_header(struct tarsplit *ts, dctl_error_t *err)
{
    const unsigned char *h = ts->hdr;
    unsigned char type = h[156];
    uint64_t size;
    size_t i;
    cleanup_free char *name = NULL;

    if (tarsplit_raw(ts, h, 512, err) < 0)
        return -1;
    ts->hdr_len = 0;
    for (i = 0; i < 512 && h[i] == 0; i++)
        ;
    if (i == 512)
        return 0;   /* an end-of-archive block */
    if (!tarhdr_checksum_ok(h) || !tarhdr_number(h + 124, 12, &size) || type == 'S') {
        ts->state = TARSPLIT_VERBATIM;
        return 0;
    }
    if (ts->pax_size_set && type != 'x' && type != 'g')
        size = ts->pax_size;
    ts->remaining = size;
    ts->padding = (512 - size % 512) % 512;
    ts->state = TARSPLIT_CONTENT;
    ts->content = TARSPLIT_C_RAW;
    switch (type) {
    case 'x':
    case 'L':
        if (size > TARSPLIT_META_MAX) {   /* not ours to understand: keep the rest */
            ts->state = TARSPLIT_VERBATIM;
            return 0;
        }
        ts->content = type == 'x' ? TARSPLIT_C_PAX : TARSPLIT_C_LONGNAME;
        free(ts->meta);
        ts->meta = xmalloc(size + 1);
        ts->meta_len = 0;
        break;
    case 'g':
    case 'K':
        break;   /* kept verbatim; they name no regular file */
    case '0':
    case '\0':
    case '7':
        if (ts->pax_path)
            name = xstrdup(ts->pax_path);
        else if (ts->longname)
            name = xstrdup(ts->longname);
        else if (memcmp(h + 257, "ustar", 5) == 0 && h[345] != '\0') {
            cleanup_free char *prefix = tarsplit_field(h + 345, 155);
            cleanup_free char *base = tarsplit_field(h, 100);

            name = xasprintf("%s/%s", prefix, base);
        } else {
            name = tarsplit_field(h, 100);
        }
        if (size > 0 && !ts->pax_sparse && *name && strlen(name) < TARSPLIT_PATH_MAX) {
            if (tarsplit_file(ts, name, size, err) < 0)
                return -1;
            ts->content = TARSPLIT_C_FILE;
        }
        tarsplit_entry_reset(ts);
        break;
    default:
        tarsplit_entry_reset(ts);
        break;
    }
    if (ts->remaining == 0)
        ts->state = ts->padding ? TARSPLIT_PADDING : TARSPLIT_HEADER;
    return 0;
}

static void
tarsplit_meta_done(struct tarsplit *ts)
{
    ts->meta[ts->meta_len] = '\0';
    if (ts->content == TARSPLIT_C_PAX) {
        tarsplit_parse_pax(ts);
    } else {
        free(ts->longname);
        ts->longname = xstrdup(ts->meta);
    }
    free(ts->meta);
    ts->meta = NULL;
}

int
tarsplit_feed(struct tarsplit *ts, const void *data, size_t len, dctl_error_t *err)
{
    const unsigned char *p = data;

    while (len > 0) {
        size_t n;

        switch (ts->state) {
        case TARSPLIT_HEADER:
            n = 512 - ts->hdr_len;
            if (n > len)
                n = len;
            memcpy(ts->hdr + ts->hdr_len, p, n);
            ts->hdr_len += n;
            if (ts->hdr_len == 512 && tarsplit_header(ts, err) < 0)
                return -1;
            break;
        case TARSPLIT_CONTENT:
            n = ts->remaining < len ? (size_t)ts->remaining : len;
            if (ts->content != TARSPLIT_C_FILE && tarsplit_raw(ts, p, n, err) < 0)
                return -1;
            if (ts->content == TARSPLIT_C_PAX || ts->content == TARSPLIT_C_LONGNAME) {
                memcpy(ts->meta + ts->meta_len, p, n);
                ts->meta_len += n;
            }
            ts->remaining -= n;
            if (ts->remaining == 0) {
                if (ts->content == TARSPLIT_C_PAX || ts->content == TARSPLIT_C_LONGNAME)
                    tarsplit_meta_done(ts);
                ts->remaining = ts->padding;
                ts->state = ts->padding ? TARSPLIT_PADDING : TARSPLIT_HEADER;
            }
            break;
        case TARSPLIT_PADDING:
            n = ts->remaining < len ? (size_t)ts->remaining : len;
            if (tarsplit_raw(ts, p, n, err) < 0)
                return -1;
            ts->remaining -= n;
            if (ts->remaining == 0)
                ts->state = TARSPLIT_HEADER;
            break;
        case TARSPLIT_VERBATIM:
        default:
            n = len;
            if (tarsplit_raw(ts, p, n, err) < 0)
                return -1;
            break;
        }
        p += n;
        len -= n;
    }
    return 0;
}

int
tarsplit_finish(struct tarsplit *ts, dctl_error_t *err)
{
    unsigned char tag = 'E';

    /* a partial header block is still bytes of the stream */
    if (ts->state == TARSPLIT_HEADER && ts->hdr_len > 0) {
        if (tarsplit_raw(ts, ts->hdr, ts->hdr_len, err) < 0)
            return -1;
        ts->hdr_len = 0;
    }
    if (tarsplit_flush(ts, err) < 0 || tarsplit_emit(ts, &tag, 1, err) < 0)
        return -1;
    if (tarsplit_write_all(ts->fd, ts->out, ts->out_len, err) < 0)
        return -1;
    ts->out_len = 0;
    return 0;
}

/* ---- assembling ------------------------------------------------------------------- */

static int
tarsplit_read_full(int fd, void *buf, size_t len, dctl_error_t *err)
{
    char *p = buf;

    while (len > 0) {
        ssize_t r = read(fd, p, len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read tar-split record");
        if (r == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "tar-split record is truncated");
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/* Opens the regular file path beneath rootfd, one component at a time, following no
 * symlink and refusing "..". */
static int
tarsplit_open_beneath(int rootfd, const char *path, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(path);
    char *save = NULL, *comp, *next;
    int dir = dup(rootfd), fd;

    if (dir < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "dup");
    comp = strtok_r(copy, "/", &save);
    while (comp && strcmp(comp, ".") == 0)
        comp = strtok_r(NULL, "/", &save);
    while (comp) {
        next = strtok_r(NULL, "/", &save);
        while (next && strcmp(next, ".") == 0)
            next = strtok_r(NULL, "/", &save);
        if (strcmp(comp, "..") == 0) {
            close(dir);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "tar-split: path %s leaves the "
                                  "layer", path);
        }
        fd = openat(dir, comp, (next ? O_PATH | O_DIRECTORY : O_RDONLY) | O_NOFOLLOW |
                                   O_CLOEXEC);
        close(dir);
        if (fd < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, errno, "layer content changed: "
                                  "open %s", path);
        dir = fd;
        comp = next;
    }
    return dir;
}

static int
tarsplit_copy_file(int rootfd, const char *path, uint64_t size, int out, char *buf,
                   size_t buflen, dctl_error_t *err)
{
    cleanup_close int fd = tarsplit_open_beneath(rootfd, path, err);

    if (fd < 0)
        return -1;
    while (size > 0) {
        size_t want = size < buflen ? (size_t)size : buflen;
        ssize_t r = read(fd, buf, want);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", path);
        if (r == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "layer content changed: %s is "
                                  "shorter than recorded", path);
        if (tarsplit_write_all(out, buf, (size_t)r, err) < 0)
            return -1;
        size -= (uint64_t)r;
    }
    return 0;
}

int
tarsplit_assemble(int in, int rootfd, int out, dctl_error_t *err)
{
    char magic[sizeof TARSPLIT_MAGIC - 1];
    cleanup_free char *buf = xmalloc(TARSPLIT_RAW_MAX);

    if (lseek(in, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind tar-split record");
    if (tarsplit_read_full(in, magic, sizeof magic, err) < 0)
        return -1;
    if (memcmp(magic, TARSPLIT_MAGIC, sizeof magic) != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "not a tar-split record");
    for (;;) {
        unsigned char tag;
        uint32_t len;
        uint64_t size;

        if (tarsplit_read_full(in, &tag, 1, err) < 0)
            return -1;
        if (tag == 'E')
            return 0;
        if (tag == 'R') {
            if (tarsplit_read_full(in, &len, sizeof len, err) < 0)
                return -1;
            if (len > TARSPLIT_RAW_MAX)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0, "tar-split: bad record");
            if (tarsplit_read_full(in, buf, len, err) < 0 ||
                tarsplit_write_all(out, buf, len, err) < 0)
                return -1;
        } else if (tag == 'F') {
            cleanup_free char *path = NULL;

            if (tarsplit_read_full(in, &size, sizeof size, err) < 0 ||
                tarsplit_read_full(in, &len, sizeof len, err) < 0)
                return -1;
            if (len == 0 || len >= TARSPLIT_PATH_MAX)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0, "tar-split: bad path record");
            path = xmalloc(len + 1);
            if (tarsplit_read_full(in, path, len, err) < 0)
                return -1;
            path[len] = '\0';
            if (tarsplit_copy_file(rootfd, path, size, out, buf, TARSPLIT_RAW_MAX, err) < 0)
                return -1;
        } else {
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "tar-split: bad record");
        }
    }
}
