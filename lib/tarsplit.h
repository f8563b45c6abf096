/* lib/tarsplit.h - what it takes to give a layer's tar stream back byte for byte after
 * it was unpacked, as Docker's tar-split does: everything in the stream but the content
 * of regular files (headers, PAX and GNU long-name records, padding, end blocks, trailing
 * bytes) is recorded verbatim, and each regular file's content as a reference to its path
 * and length. Re-assembled from the unpacked tree, the stream hashes to the layer's diff
 * ID again, so `docker save` of a loaded or imported image gives the same layer digests.
 *
 * Record file (host byte order; private to one machine's data root):
 *   "DCTLTS1\n", then records: 'R' u32 len + bytes (verbatim) | 'F' u64 size + u32 len +
 *   path (content of that regular file) | 'E' (end).
 * Anything the recorder does not understand (a bad header checksum, GNU sparse files, an
 * oversized PAX header) makes the rest of the stream verbatim: never wrong, only larger.
 *
 * Threads: any; a struct tarsplit is one thread's at a time. Blocks on its fds: call
 * from a worker job. Errors: DCTL_ERR_INTERNAL for I/O, DCTL_ERR_INVALID for a record
 * file that does not parse or a tree whose files no longer match. */
#ifndef DCTL_TARSPLIT_H
#define DCTL_TARSPLIT_H

#include <stddef.h>

#include "error.h"

struct tarsplit;

/* A recorder writing to fd (lent; left open, not synced). */
struct tarsplit *tarsplit_new(int fd);
/* Takes the next len bytes of the uncompressed tar stream. */
int tarsplit_feed(struct tarsplit *ts, const void *data, size_t len, dctl_error_t *err);
/* Writes what is buffered and the end record. */
int tarsplit_finish(struct tarsplit *ts, dctl_error_t *err);
/* NULL-safe. */
void tarsplit_free(struct tarsplit *ts);

/* Writes the stream recorded in the file open on in (read from its start) to out, taking
 * each regular file's content from beneath the directory open on rootfd; paths are
 * resolved without following any symlink. A file that is missing or shorter than
 * recorded is DCTL_ERR_INVALID. */
int tarsplit_assemble(int in, int rootfd, int out, dctl_error_t *err);

#endif
