/* daemon/shim/shim-stream.c - attach request lines and stream frame headers. */
#include <config.h>

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

int
shim_stream_parse(const char *line, struct shim_stream_request *req)
{
    memset(req, 0, sizeof *req);
    if (strncmp(line, "attach ", 7) == 0) {
        const char *p = line + 7;

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
            req->streams |= bit;
            p += n;
            if (*p == '\0')
                break;
            p++; /* the comma: a stream must follow */
        }
        req->kind = SHIM_STREAM_ATTACH;
        return 0;
    }
    if (strncmp(line, "resize ", 7) == 0) {
        const char *p = line + 7;

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
