/* lib/digest.c - sha256/384/512 through nettle, digest string validation with go-digest's
 * rules, and OCI chain IDs. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "util.h"

static const struct {
    const char *name;
    size_t hexlen;
} digest_algorithms[] = {
    [DIGEST_SHA256] = { "sha256", 2 * SHA256_DIGEST_SIZE },
    [DIGEST_SHA384] = { "sha384", 2 * SHA384_DIGEST_SIZE },
    [DIGEST_SHA512] = { "sha512", 2 * SHA512_DIGEST_SIZE },
};

const char *
digest_algorithm_name(enum digest_algorithm alg)
{
    return digest_algorithms[alg].name;
}

void
digest_ctx_init(struct digest_ctx *ctx, enum digest_algorithm alg)
{
    ctx->alg = alg;
    switch (alg) {
    case DIGEST_SHA256:
        sha256_init(&ctx->u.sha256);
        break;
    case DIGEST_SHA384:
        sha384_init(&ctx->u.sha512);
        break;
    case DIGEST_SHA512:
        sha512_init(&ctx->u.sha512);
        break;
    }
}

void
digest_ctx_update(struct digest_ctx *ctx, const void *data, size_t len)
{
    switch (ctx->alg) {
    case DIGEST_SHA256:
        sha256_update(&ctx->u.sha256, len, data);
        break;
    case DIGEST_SHA384:
        sha384_update(&ctx->u.sha512, len, data);
        break;
    case DIGEST_SHA512:
        sha512_update(&ctx->u.sha512, len, data);
        break;
    }
}

void
digest_ctx_final(struct digest_ctx *ctx, char out[DIGEST_STRING_MAX])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[SHA512_DIGEST_SIZE];
    size_t n = digest_algorithms[ctx->alg].hexlen / 2, i;
    char *p;

    switch (ctx->alg) {
    case DIGEST_SHA256:
        sha256_digest(&ctx->u.sha256, n, raw);
        break;
    case DIGEST_SHA384:
        sha384_digest(&ctx->u.sha512, n, raw);
        break;
    case DIGEST_SHA512:
        sha512_digest(&ctx->u.sha512, n, raw);
        break;
    }
    p = stpcpy(out, digest_algorithms[ctx->alg].name);
    *p++ = ':';
    for (i = 0; i < n; i++) {
        *p++ = hex[raw[i] >> 4];
        *p++ = hex[raw[i] & 0xf];
    }
    *p = '\0';
}

void
digest_buffer(const void *data, size_t len, char out[DIGEST_STRING_MAX])
{
    struct digest_ctx ctx;

    digest_ctx_init(&ctx, DIGEST_SHA256);
    digest_ctx_update(&ctx, data, len);
    digest_ctx_final(&ctx, out);
}

int
digest_fd(int fd, char out[DIGEST_STRING_MAX], uint64_t *size, dctl_error_t *err)
{
    struct digest_ctx ctx;
    char buf[65536];
    uint64_t total = 0;
    ssize_t n;

    digest_ctx_init(&ctx, DIGEST_SHA256);
    for (;;) {
        n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "digest: read");
        if (n == 0)
            break;
        digest_ctx_update(&ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
    digest_ctx_final(&ctx, out);
    if (size)
        *size = total;
    return 0;
}

/* go-digest's DigestRegexp: [a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+ */
static bool
digest_is_well_formed(const char *s, size_t colon)
{
    size_t i;
    bool after_sep = true; /* the first character must be alphanumeric */

    for (i = 0; i < colon; i++) {
        char c = s[i];

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            after_sep = false;
        } else if (strchr(".+_-", c) && !after_sep) {
            after_sep = true;
        } else {
            return false;
        }
    }
    if (after_sep)
        return false;
    for (i = colon + 1; s[i]; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '=' || c == '_' || c == '-'))
            return false;
    }
    return i > colon + 1;
}

static bool
digest_is_lower_hex(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[len] == '\0';
}

int
digest_validate(const char *s, enum digest_algorithm *alg, dctl_error_t *err)
{
    const char *colon = strchr(s, ':');
    size_t alen, i;

    if (colon == NULL || colon == s || colon[1] == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid checksum digest format");
    alen = (size_t)(colon - s);
    for (i = 0; i < ARRAY_SIZE(digest_algorithms); i++) {
        if (strlen(digest_algorithms[i].name) != alen ||
            memcmp(digest_algorithms[i].name, s, alen) != 0)
            continue;
        if (strlen(colon + 1) != digest_algorithms[i].hexlen)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid checksum digest length");
        if (!digest_is_lower_hex(colon + 1, digest_algorithms[i].hexlen))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid checksum digest format");
        if (alg)
            *alg = (enum digest_algorithm)i;
        return 0;
    }
    if (!digest_is_well_formed(s, alen))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid checksum digest format");
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unsupported digest algorithm");
}

int
digest_validate_sha256(const char *s, dctl_error_t *err)
{
    enum digest_algorithm alg;

    if (digest_validate(s, &alg, err) < 0)
        return -1;
    if (alg != DIGEST_SHA256)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unsupported digest algorithm");
    return 0;
}

bool
digest_is_hex_id(const char *s)
{
    return strlen(s) == DIGEST_SHA256_HEX_LEN && digest_is_lower_hex(s, DIGEST_SHA256_HEX_LEN);
}

const char *
digest_hex(const char *s)
{
    const char *colon = strchr(s, ':');

    return colon ? colon + 1 : s;
}

void
digest_chain_id_next(const char *parent, const char *diff_id, char out[DIGEST_STRING_MAX])
{
    struct digest_ctx ctx;

    if (parent == NULL) {
        snprintf(out, DIGEST_STRING_MAX, "%s", diff_id);
        return;
    }
    digest_ctx_init(&ctx, DIGEST_SHA256);
    digest_ctx_update(&ctx, parent, strlen(parent));
    digest_ctx_update(&ctx, " ", 1);
    digest_ctx_update(&ctx, diff_id, strlen(diff_id));
    digest_ctx_final(&ctx, out);
}

int
digest_chain_id(const char *const *diff_ids, size_t n, char out[DIGEST_STRING_MAX],
                char (*chain_ids)[DIGEST_STRING_MAX], dctl_error_t *err)
{
    char cur[DIGEST_STRING_MAX], next[DIGEST_STRING_MAX];
    size_t i;

    if (n == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "no layers to compute a chain ID of");
    for (i = 0; i < n; i++)
        if (digest_validate_sha256(diff_ids[i], err) < 0)
            return dctl_error_prefix(err, "invalid diff ID %zu (%s)", i, diff_ids[i]);
    for (i = 0; i < n; i++) {
        digest_chain_id_next(i ? cur : NULL, diff_ids[i], next);
        memcpy(cur, next, sizeof cur);
        if (chain_ids)
            memcpy(chain_ids[i], cur, sizeof cur);
    }
    memcpy(out, cur, DIGEST_STRING_MAX);
    return 0;
}
