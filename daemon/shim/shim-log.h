/* daemon/shim/shim-log.h - the json-file log writer of dctl-shim: Docker's line
 * format, its 16 KiB line cut, and rotation by size (docs/containers.md,
 * "json-file log"). Also linked into tests/unit/test-shim-log. */
#ifndef DCTL_SHIM_LOG_H
#define DCTL_SHIM_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define SHIM_LOG_LINE_MAX 16384 /* Docker's copier buffer: longer lines are cut */

enum shim_log_stream {
    SHIM_LOG_STDOUT = 0,
    SHIM_LOG_STDERR = 1,
};

/* Owner: the shim's main, or a test. */
struct shim_log {
    char *path;
    int fd;
    long long size;     /* bytes in the current file */
    long long max_size; /* 0: no rotation */
    int max_file;       /* files kept, the current one included (>= 1) */
    char line[2][SHIM_LOG_LINE_MAX]; /* the unfinished line of each stream */
    size_t len[2];
    char *out; /* scratch for one JSON line */
    size_t outcap;
    int error; /* errno of the first failed write or rotation, 0 if none */
};

/* Opens (creating, appending) path, mode 0640. 0, or -1 with errno. */
int shim_log_open(struct shim_log *l, const char *path, long long max_size, int max_file);
void shim_log_close(struct shim_log *l);
/* Adds output of a stream: every complete line, and every 16 KiB without a newline,
 * becomes one JSON line stamped now_ns. */
void shim_log_write(struct shim_log *l, enum shim_log_stream s, const char *data, size_t len,
                    long long now_ns);
/* The stream ended: logs what is left of its line (without a newline). */
void shim_log_flush(struct shim_log *l, enum shim_log_stream s, long long now_ns);

/* Formats one entry, Docker's bytes exactly: {"log":...,"stream":...,"time":...}\n.
 * out needs room for shim_log_format_max(len) bytes; returns the length used. */
size_t shim_log_format(char *out, const char *msg, size_t len, const char *stream,
                       long long ns);
size_t shim_log_format_max(size_t len);
/* Go's time.RFC3339Nano in UTC (trailing zeros of the fraction dropped); buf >= 40. */
void shim_log_format_time(long long ns, char *buf, size_t size);

#endif
