/* daemon/shim/shim-stream.h - the attach protocol of attach.sock
 * (docs/containers.md, "Attach protocol"): the request line a client sends and
 * Docker's 8-byte stream frame header. Also linked into tests/unit/test-shim-stream. */
#ifndef DCTL_SHIM_STREAM_H
#define DCTL_SHIM_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define SHIM_STREAM_STDIN 0x1
#define SHIM_STREAM_STDOUT 0x2
#define SHIM_STREAM_STDERR 0x4

#define SHIM_STREAM_REQUEST_MAX 128 /* a longer request line is refused */
#define SHIM_STREAM_HEADER 8

#define SHIM_STREAM_EXEC_ID_MAX 64 /* exec IDs: 1 to 64 lower-case hex digits */
#define SHIM_STREAM_EXEC_BODY_MAX (1u << 20) /* an exec's process JSON, at most */

enum shim_stream_kind {
    SHIM_STREAM_ATTACH = 1,      /* attach STREAMS */
    SHIM_STREAM_RESIZE = 2,      /* resize ROWS COLS */
    SHIM_STREAM_EXEC = 3,        /* exec ID STREAMS|- LEN, then LEN bytes of process JSON:
                                  * start exec ID, this connection its streams */
    SHIM_STREAM_EXEC_WAIT = 4,   /* execwait ID : "exit CODE" once it has ended */
    SHIM_STREAM_EXEC_RESIZE = 5, /* execresize ID ROWS COLS */
    SHIM_STREAM_EXEC_KILL = 6,   /* execkill ID SIGNAL */
};

struct shim_stream_request {
    enum shim_stream_kind kind;
    unsigned int streams; /* SHIM_STREAM_* for attach and exec (0: exec "-") */
    unsigned int rows, cols; /* for resize */
    unsigned int signo;      /* for execkill: 1 to 64 */
    size_t body_len;         /* for exec: the bytes of JSON after the line */
    char exec_id[SHIM_STREAM_EXEC_ID_MAX + 1];
};

/* Parses one request line (without its "\n"); 0, or -1 when it is not one. */
int shim_stream_parse(const char *line, struct shim_stream_request *req);

/* Writes the frame header for size bytes of stream (1 stdout, 2 stderr) to hdr:
 * [stream, 0, 0, 0, size as 32-bit big endian]. */
void shim_stream_header(uint8_t hdr[SHIM_STREAM_HEADER], int stream, uint32_t size);

#endif
