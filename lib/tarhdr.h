/* lib/tarhdr.h - the raw 512-byte ustar header as tar streams carry it, for the code
 * that reads or rewrites tar streams byte for byte without libarchive (lib/tarsplit.c,
 * lib/tarshift.c): numeric fields and the header checksum, as Go's archive/tar reads
 * them. */
#ifndef DCTL_LIB_TARHDR_H
#define DCTL_LIB_TARHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TARHDR_BLOCK 512

/* A numeric header field of n bytes: octal (NUL or space padded) or GNU base-256.
 * false when it is neither, negative or too large. */
bool tarhdr_number(const unsigned char *f, size_t n, uint64_t *out);
/* Does header h's checksum field match its bytes (summed unsigned or, as some old tars
 * wrote it, signed)? */
bool tarhdr_checksum_ok(const unsigned char *h);

#endif
