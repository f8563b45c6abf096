/* lib/tarshift.h - a tar stream's owners mapped through a user namespace ID map, as
 * dockerd's archive package does with an IDMap: layers are unpacked with their uids
 * and gids shifted into the remapped range (IDMAP_TO_HOST) and diffs, exports and
 * copies out of a container are shifted back (IDMAP_TO_CONTAINER).
 *
 * A push filter over the uncompressed stream's 512-byte blocks: each entry header's
 * uid and gid fields are rewritten (octal, or GNU base-256 when the value needs it)
 * with a new checksum, and "uid="/"gid=" PAX records with new record and header
 * lengths. Everything else passes byte for byte (names, modes, xattrs, sparse maps,
 * content, padding, end blocks and what follows them); PAX and GNU long-name
 * headers' own owner fields are left as they are. An ID the map does not hold is an
 * error, in dockerd's words ("Container ID 70000 cannot be mapped to a host ID"),
 * and so is a header with a bad checksum or a PAX header that does not parse: a
 * stream this filter cannot read cannot be shifted.
 *
 * Threads: any; one struct tarshift is one thread's. tarshift_copy and the thread
 * block on their fds: worker jobs only. Errors: DCTL_ERR_INVALID for the stream,
 * DCTL_ERR_INTERNAL for I/O. */
#ifndef DCTL_TARSHIFT_H
#define DCTL_TARSHIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "idmap.h"

struct tarshift;

/* Receives the rewritten stream, in order; 0, or -1 with *err to stop the filter. */
typedef int (*tarshift_write_cb)(void *arg, const void *data, size_t len, dctl_error_t *err);

/* A filter mapping through map (copied) in direction dir, writing to write(arg, ...). */
struct tarshift *tarshift_new(const struct idmap *map, enum idmap_dir dir,
                              tarshift_write_cb write, void *arg);
/* NULL-safe. */
void tarshift_free(struct tarshift *ts);
/* Takes the next len bytes of the stream. */
int tarshift_feed(struct tarshift *ts, const void *data, size_t len, dctl_error_t *err);
/* The stream has ended: writes what is held back (a partial block passes as is). */
int tarshift_finish(struct tarshift *ts, dctl_error_t *err);

/* Reads in until EOF, shifts and writes to out (both lent). With decompress the input
 * may be compressed (gzip, bzip2, xz, zstd: libarchive's filters) and the output is
 * the uncompressed, shifted stream. */
int tarshift_copy(int in, int out, const struct idmap *map, enum idmap_dir dir, bool decompress,
                  dctl_error_t *err);

/* tarshift_copy on a thread of its own, between a pipe end and another fd: the thread
 * closes own (in or out: the pipe end it was given) when it ends, so that the other
 * side of the pipe sees EOF or EPIPE; the other fd stays the caller's. NULL with *err
 * when no thread could be started (own is then still the caller's). */
struct tarshift_thread;
struct tarshift_thread *tarshift_thread_start(const struct idmap *map, enum idmap_dir dir,
                                              int in, int out, int own, bool decompress,
                                              dctl_error_t *err);
/* Waits for the thread; its result (0, or -1 with *err). Frees t. */
int tarshift_thread_join(struct tarshift_thread *t, dctl_error_t *err);

/* A tar producer or consumer run with the stream shifted on the way. produce writes a
 * tar to the fd it is given (a pipe; not to be closed); consume reads one from it. */
typedef int (*tarshift_io_cb)(void *arg, int fd, dctl_error_t *err);
/* produce's stream, shifted, goes to out (lent). The shift's error (an owner outside
 * the map) wins over produce's, which then only saw its pipe close. */
int tarshift_produce(const struct idmap *map, enum idmap_dir dir, int out,
                     tarshift_io_cb produce, void *arg, dctl_error_t *err);
/* The stream read from in (lent; compressed or not), shifted, is what consume reads.
 * The shift's error wins over consume's. */
int tarshift_consume(const struct idmap *map, enum idmap_dir dir, int in,
                     tarshift_io_cb consume, void *arg, dctl_error_t *err);

#endif
