/* daemon/shim/shim-stream.c - attach.sock request lines (attach, resize and the exec
 * requests) and stream frame headers. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim-stream.h"

static int
shim_stream_parse_uint(const char **p, unsigned int *out)
{
    unsigned long v = 0;
    const char *s = *p;

    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (unsigned long)(*s++ - '0');
        if (v > 65535)
            return -1;
    }
    *out = (unsigned int)v;
    *p = s;
    return 0;
}

/* "stdin,stdout,stderr" (any non-empty subset) up to the end of the line */
static int
shim_stream_parse_streams(const char *p, unsigned int *out)
{
    *out = 0;
    for (;;) {
        size_t n = strcspn(p, ",");
        unsigned int bit;

        if (n == 5 && strncmp(p, "stdin", 5) == 0)
            bit = SHIM_STREAM_STDIN;
        else if (n == 6 && strncmp(p, "stdout", 6) == 0)
            bit = SHIM_STREAM_STDOUT;
        else if (n == 6 && strncmp(p, "stderr", 6) == 0)
            bit = SHIM_STREAM_STDERR;
        else
            return -1;
        *out |= bit;
        p += n;
        if (*p == '\0')
            return 0;
        p++; /* the comma: a stream must follow */
    }
}

/* An exec ID and the space after it, unless it ends the line (last) */
static int
shim_stream_parse_id(const char **p, char id[SHIM_STREAM_EXEC_ID_MAX + 1], bool last)
{
    size_t n = 0;
    const char *s = *p;

    while ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')) {
        if (n == SHIM_STREAM_EXEC_ID_MAX)
            return -1;
        id[n++] = *s++;
    }
    id[n] = '\0';
    if (n == 0 || (last ? *s != '\0' : *s != ' '))
        return -1;
    *p = last ? s : s + 1;
    return 0;
}

int
shim_stream_parse(const char *line, struct shim_stream_request *req)
{
    const char *p;

    memset(req, 0, sizeof *req);
    if (strncmp(line, "exec ", 5) == 0) {
        char streams[32];
        const char *sp;
        unsigned long len = 0;

        p = line + 5;
        if (shim_stream_parse_id(&p, req->exec_id, false) < 0 || (sp = strchr(p, ' ')) == NULL ||
            (size_t)(sp - p) >= sizeof streams)
            return -1;
        memcpy(streams, p, (size_t)(sp - p));
        streams[sp - p] = '\0';
        if (strcmp(streams, "-") != 0 && shim_stream_parse_streams(streams, &req->streams) < 0)
            return -1;
        for (p = sp + 1; *p >= '0' && *p <= '9'; p++) {
            len = len * 10 + (unsigned long)(*p - '0');
            if (len > SHIM_STREAM_EXEC_BODY_MAX)
                return -1;
        }
        if (p == sp + 1 || *p != '\0' || len == 0)
            return -1;
        req->body_len = len;
        req->kind = SHIM_STREAM_EXEC;
        return 0;
    }
    if (strncmp(line, "execwait ", 9) == 0) {
        p = line + 9;
        if (shim_stream_parse_id(&p, req->exec_id, true) < 0)
            return -1;
        req->kind = SHIM_STREAM_EXEC_WAIT;
        return 0;
    }
    if (strncmp(line, "execresize ", 11) == 0) {
        p = line + 11;
        if (shim_stream_parse_id(&p, req->exec_id, false) < 0 ||
            shim_stream_parse_uint(&p, &req->rows) < 0 || *p++ != ' ' ||
            shim_stream_parse_uint(&p, &req->cols) < 0 || *p != '\0')
            return -1;
        req->kind = SHIM_STREAM_EXEC_RESIZE;
        return 0;
    }
    if (strncmp(line, "execkill ", 9) == 0) {
        p = line + 9;
        if (shim_stream_parse_id(&p, req->exec_id, false) < 0 ||
            shim_stream_parse_uint(&p, &req->signo) < 0 || *p != '\0' || req->signo == 0 ||
            req->signo > 64)
            return -1;
        req->kind = SHIM_STREAM_EXEC_KILL;
        return 0;
    }
    if (strncmp(line, "attach ", 7) == 0) {
        if (shim_stream_parse_streams(line + 7, &req->streams) < 0)
            return -1;
        req->kind = SHIM_STREAM_ATTACH;
        return 0;
    }
    if (strncmp(line, "resize ", 7) == 0) {
        p = line + 7;
        if (shim_stream_parse_uint(&p, &req->rows) < 0 || *p++ != ' ' ||
            shim_stream_parse_uint(&p, &req->cols) < 0 || *p != '\0')
            return -1;
        req->kind = SHIM_STREAM_RESIZE;
        return 0;
    }
    return -1;
}

void
shim_stream_header(uint8_t hdr[SHIM_STREAM_HEADER], int stream, uint32_t size)
{
    hdr[0] = (uint8_t)stream;
    hdr[1] = hdr[2] = hdr[3] = 0;
    hdr[4] = (uint8_t)(size >> 24);
    hdr[5] = (uint8_t)(size >> 16);
    hdr[6] = (uint8_t)(size >> 8);
    hdr[7] = (uint8_t)size;
}
