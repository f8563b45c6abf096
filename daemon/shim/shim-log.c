/* daemon/shim/shim-log.c - the json-file log writer: splits a stream into lines as
 * Docker's log copier does (at "\n", or every 16 KiB without one, the cut part
 * logged without "\n"), escapes each as Docker's jsonlog does (HTML-safe, invalid
 * UTF-8 as U+FFFD, U+2028/9 escaped), and rotates the file by size, keeping
 * max_file - 1 old files named PATH.1 (newest) ... PATH.N. Owns the log fd. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim-log.h"

static const char shim_log_stream_names[2][7] = { "stdout", "stderr" };

/* n as width digits, zero-padded */
static char *
shim_log_digits(char *o, long long n, int width)
{
    int i;

    for (i = width - 1; i >= 0; i--) {
        o[i] = (char)('0' + n % 10);
        n /= 10;
    }
    return o + width;
}

/* Without strftime or printf: this runs for every log line, and the shim's loop
 * should touch as little of libc as it can (its RSS is per container). */
void
shim_log_format_time(long long ns, char *buf, size_t size)
{
    long long secs = ns / 1000000000LL, days = secs / 86400, rem = secs % 86400;
    long frac = (long)(ns % 1000000000LL);
    long long z, era, doe, yoe, y, doy, mp, d, m;
    char tmp[48], *o = tmp;
    int digits = 9;

    /* civil date from days since 1970-01-01 (H. Hinnant's algorithm) */
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    o = shim_log_digits(o, y, 4);
    *o++ = '-';
    o = shim_log_digits(o, m, 2);
    *o++ = '-';
    o = shim_log_digits(o, d, 2);
    *o++ = 'T';
    o = shim_log_digits(o, rem / 3600, 2);
    *o++ = ':';
    o = shim_log_digits(o, rem / 60 % 60, 2);
    *o++ = ':';
    o = shim_log_digits(o, rem % 60, 2);
    if (frac) {
        /* Go's RFC3339Nano: trailing zeros of the fraction dropped */
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        *o++ = '.';
        o = shim_log_digits(o, frac, digits);
    }
    *o++ = 'Z';
    *o = '\0';
    if ((size_t)(o - tmp) < size)
        memcpy(buf, tmp, (size_t)(o - tmp) + 1);
    else if (size)
        buf[0] = '\0';
}

/* Length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune rules: no overlong
 * forms, no surrogates, nothing past U+10FFFF), its code point in *cp; 0 if invalid. */
static size_t
shim_log_utf8(const unsigned char *s, size_t len, unsigned int *cp)
{
    unsigned int c = s[0], min;
    size_t n, i;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Writes s as a JSON string the way moby's ffjsonWriteJSONBytesAsString does. */
static char *
shim_log_escape(char *o, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    *o++ = '"';
    while (i < len) {
        unsigned int b = s[i], cp;
        size_t n;

        if (b < 0x80) {
            if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
                *o++ = (char)b;
            } else if (b == '\\' || b == '"') {
                *o++ = '\\';
                *o++ = (char)b;
            } else if (b == '\n') {
                *o++ = '\\';
                *o++ = 'n';
            } else if (b == '\r') {
                *o++ = '\\';
                *o++ = 'r';
            } else {
                memcpy(o, "\\u00", 4);
                o[4] = hex[b >> 4];
                o[5] = hex[b & 0xf];
                o += 6;
            }
            i++;
            continue;
        }
        n = shim_log_utf8(s + i, len - i, &cp);
        if (n == 0) {
            memcpy(o, "\\ufffd", 6);
            o += 6;
            i++;
        } else if (cp == 0x2028 || cp == 0x2029) {
            memcpy(o, "\\u202", 5);
            o[5] = hex[cp & 0xf];
            o += 6;
            i += n;
        } else {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        }
    }
    *o++ = '"';
    return o;
}

size_t
shim_log_format_max(size_t len)
{
    return 6 * len + 128;
}

size_t
shim_log_format(char *out, const char *msg, size_t len, const char *stream, long long ns)
{
    char *o = out;
    char t[48];

    shim_log_format_time(ns, t, sizeof t);
    if (len > 0) {
        memcpy(o, "{\"log\":", 7);
        o = shim_log_escape(o + 7, msg, len);
        *o++ = ',';
    } else {
        *o++ = '{';
    }
    memcpy(o, "\"stream\":\"", 10);
    o += 10;
    memcpy(o, stream, strlen(stream));
    o += strlen(stream);
    memcpy(o, "\",\"time\":\"", 10);
    o += 10;
    memcpy(o, t, strlen(t));
    o += strlen(t);
    memcpy(o, "\"}\n", 3);
    return (size_t)(o + 3 - out);
}

int
shim_log_open(struct shim_log *l, const char *path, long long max_size, int max_file)
{
    struct stat st;

    l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (l->fd < 0)
        return -1;
    if (fstat(l->fd, &st) < 0) {
        close(l->fd);
        l->fd = -1;
        return -1;
    }
    l->path = strdup(path);
    if (l->path == NULL) {
        close(l->fd);
        l->fd = -1;
        return -1;
    }
    l->size = st.st_size;
    l->max_size = max_size > 0 ? max_size : 0;
    l->max_file = max_file > 0 ? max_file : 1;
    l->len[0] = l->len[1] = 0;
    l->out = NULL;
    l->outcap = 0;
    l->error = 0;
    return 0;
}

void
shim_log_close(struct shim_log *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    free(l->path);
    l->path = NULL;
    free(l->out);
    l->out = NULL;
    l->outcap = 0;
}

/* PATH.(n-1) -> PATH.n ... PATH -> PATH.1, then a new PATH; with one file kept,
 * the file is emptied instead, as Docker does. */
static int
shim_log_rotate(struct shim_log *l)
{
    size_t plen = strlen(l->path);
    char *from = malloc(plen + 16), *to = malloc(plen + 16);
    int i, fd;

    if (from == NULL || to == NULL) {
        free(from);
        free(to);
        return -1;
    }
    if (l->max_file < 2) {
        free(from);
        free(to);
        if (ftruncate(l->fd, 0) < 0)
            return -1;
        l->size = 0;
        return 0;
    }
    for (i = l->max_file - 1; i > 1; i--) {
        sprintf(from, "%s.%d", l->path, i - 1);
        sprintf(to, "%s.%d", l->path, i);
        if (rename(from, to) < 0 && errno != ENOENT)
            goto fail;
    }
    sprintf(to, "%s.1", l->path);
    if (rename(l->path, to) < 0)
        goto fail;
    fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        goto fail;
    close(l->fd);
    l->fd = fd;
    l->size = 0;
    free(from);
    free(to);
    return 0;
fail:
    free(from);
    free(to);
    return -1;
}

static void
shim_log_emit(struct shim_log *l, enum shim_log_stream s, const char *msg, size_t len,
              long long ns)
{
    size_t need = shim_log_format_max(len), n, off = 0;

    if (l->fd < 0)
        return;
    if (need > l->outcap) {
        char *o = realloc(l->out, need);

        if (o == NULL) {
            l->error = ENOMEM;
            return;
        }
        l->out = o;
        l->outcap = need;
    }
    n = shim_log_format(l->out, msg, len, shim_log_stream_names[s], ns);
    if (l->max_size > 0 && l->size > 0 && l->size + (long long)n > l->max_size &&
        shim_log_rotate(l) < 0 && l->error == 0)
        l->error = errno;
    while (off < n) {
        ssize_t w = write(l->fd, l->out + off, n - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (l->error == 0)
                l->error = w < 0 ? errno : ENOSPC;
            break;
        }
        off += (size_t)w;
    }
    l->size += (long long)off;
}

void
shim_log_write(struct shim_log *l, enum shim_log_stream s, const char *data, size_t len,
               long long now_ns)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t room = SHIM_LOG_LINE_MAX - l->len[s];
        size_t take = nl ? (size_t)(nl - data) + 1 : len;

        if (take > room) {
            /* the line fills the buffer without a newline: log the cut part */
            memcpy(l->line[s] + l->len[s], data, room);
            shim_log_emit(l, s, l->line[s], SHIM_LOG_LINE_MAX, now_ns);
            l->len[s] = 0;
            data += room;
            len -= room;
            continue;
        }
        memcpy(l->line[s] + l->len[s], data, take);
        l->len[s] += take;
        data += take;
        len -= take;
        if (nl) {
            shim_log_emit(l, s, l->line[s], l->len[s], now_ns);
            l->len[s] = 0;
        } else if (l->len[s] == SHIM_LOG_LINE_MAX) {
            shim_log_emit(l, s, l->line[s], l->len[s], now_ns);
            l->len[s] = 0;
        }
    }
}

void
shim_log_flush(struct shim_log *l, enum shim_log_stream s, long long now_ns)
{
    if (l->len[s] > 0)
        shim_log_emit(l, s, l->line[s], l->len[s], now_ns);
    l->len[s] = 0;
}
