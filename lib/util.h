/* lib/util.h - cleanup attributes, ownership hand-off and small helpers shared by
 * daemon/, api/, client/ and drivers/. */
#ifndef DCTL_UTIL_H
#define DCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void
util_freep(void *p)
{
    free(*(void **)p);
}

static inline void
util_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}

static inline void
util_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

#define cleanup_free __attribute__((cleanup(util_freep)))
#define cleanup_close __attribute__((cleanup(util_closep)))
#define cleanup_file __attribute__((cleanup(util_fclosep)))

/* Returns *pp and sets it to NULL: ownership moves to the caller. */
static inline void *
util_steal_ptr(void *pp)
{
    void **p = pp;
    void *r = *p;

    *p = NULL;
    return r;
}
#define steal_ptr(pp) util_steal_ptr(pp)

static inline int
steal_fd(int *fd)
{
    int r = *fd;

    *fd = -1;
    return r;
}

bool util_has_prefix(const char *s, const char *prefix);
bool util_has_suffix(const char *s, const char *suffix);
/* Parses a whole decimal integer; -1 on anything else. */
int util_parse_int64(const char *s, long long *out);
/* A printable, bounded (200 bytes, then "...") copy of a possibly hostile name
 * for messages: unprintable bytes, '"' and backslash as \xNN. malloc'd. */
char *util_quote(const char *name);
/* Milliseconds / seconds since the epoch, real time. */
long long util_now_ns(void);
/* Go's strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False; -1 else. */
int util_parse_go_bool(const char *s, bool *out);
/* Go's time.Duration.String(): "30s", "1m30s", "1.5s", "500ms", "2h0m0s", "0s". */
void util_format_go_duration(long long ns, char *buf, size_t len);
/* 64 random lower-case hex digits, as Docker's container and exec IDs. */
void util_random_id(char out[65]);
/* RFC 3339 with nanoseconds in UTC ("2006-01-02T15:04:05.999999999Z") into buf. */
void util_format_rfc3339(long long ns, char *buf, size_t len);
/* Parses a Docker timestamp (unix seconds[.nanos], RFC 3339, or a duration such as
 * "10m" relative to now_ns); 0 on success. */
int util_parse_timestamp(const char *s, long long now_ns, long long *out_ns);

#endif
