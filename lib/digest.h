/* lib/digest.h - content digests ("sha256:<hex>") as Docker and the OCI image spec use them:
 * streaming hashes (nettle), validation of digest strings with go-digest's rules and
 * messages, and layer chain IDs.
 *
 * Digest strings live in caller-owned buffers of DIGEST_STRING_MAX bytes; nothing here
 * allocates except digest_fd's error. Every function may be called from any thread;
 * a struct digest_ctx belongs to whoever declared it. digest_fd blocks on read(). */
#ifndef DCTL_DIGEST_H
#define DCTL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "error.h"

/* "sha512:" + 128 hex digits + NUL, the longest digest string we produce or accept. */
#define DIGEST_STRING_MAX 136
/* "sha256:" + 64 hex digits: the length of an image ID, diff ID or chain ID. */
#define DIGEST_SHA256_STRING_LEN 71
#define DIGEST_SHA256_HEX_LEN 64

enum digest_algorithm {
    DIGEST_SHA256 = 0, /* the canonical algorithm: image IDs, diff IDs, chain IDs, blobs */
    DIGEST_SHA384,
    DIGEST_SHA512,
};

/* A running hash. Embedded by value; needs no _fini. */
struct digest_ctx {
    enum digest_algorithm alg;
    union {
        struct sha256_ctx sha256;
        struct sha512_ctx sha512; /* sha384 shares it */
    } u;
};

void digest_ctx_init(struct digest_ctx *ctx, enum digest_algorithm alg);
void digest_ctx_update(struct digest_ctx *ctx, const void *data, size_t len);
/* Writes "ALG:<lower-case hex>" into out and resets ctx for reuse. */
void digest_ctx_final(struct digest_ctx *ctx, char out[DIGEST_STRING_MAX]);

/* "sha256", "sha384", "sha512". */
const char *digest_algorithm_name(enum digest_algorithm alg);

/* sha256 of a buffer, as "sha256:<hex>" in out. */
void digest_buffer(const void *data, size_t len, char out[DIGEST_STRING_MAX]);
/* sha256 of everything read from fd until EOF; *size (if non-NULL) gets the byte count.
 * A read error is DCTL_ERR_INTERNAL with errno. Blocks. */
int digest_fd(int fd, char out[DIGEST_STRING_MAX], uint64_t *size, dctl_error_t *err);

/* Validates "ALG:HEX" as go-digest's Digest.Validate does, with its messages
 * (DCTL_ERR_INVALID): "invalid checksum digest format" (no colon, empty part, bad
 * characters, upper-case hex), "unsupported digest algorithm" (well-formed, unknown
 * algorithm), "invalid checksum digest length" (known algorithm, wrong hex length).
 * *alg (if non-NULL) receives the algorithm. */
int digest_validate(const char *s, enum digest_algorithm *alg, dctl_error_t *err);
/* As digest_validate, and the algorithm must be sha256 (else "unsupported digest
 * algorithm"): what image IDs, diff IDs, chain IDs and blob names must be. */
int digest_validate_sha256(const char *s, dctl_error_t *err);
/* True for exactly 64 lower-case hex digits: an image ID without "sha256:". */
bool digest_is_hex_id(const char *s);
/* The hex part after the first ':', or s itself when there is none (lent from s). */
const char *digest_hex(const char *s);

/* ChainID(L0..Ln) = Digest(ChainID(L0..Ln-1) + " " + DiffID(Ln)), ChainID(L0) = DiffID(L0)
 * (OCI image spec, config.md). parent may be NULL for the base layer. Arguments are not
 * validated here; out may alias neither argument. */
void digest_chain_id_next(const char *parent, const char *diff_id, char out[DIGEST_STRING_MAX]);
/* Chain ID of the whole stack diff_ids[0..n-1] (n >= 1) into out; every diff ID must
 * pass digest_validate_sha256 (else DCTL_ERR_INVALID naming the bad one). If chain_ids
 * is non-NULL, chain_ids[i] receives the chain ID of layers 0..i. */
int digest_chain_id(const char *const *diff_ids, size_t n, char out[DIGEST_STRING_MAX],
                    char (*chain_ids)[DIGEST_STRING_MAX], dctl_error_t *err);

#endif
