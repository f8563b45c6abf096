/* lib/reference.h - image references as Docker writes them: `name[:tag][@digest]`, with
 * distribution/reference's grammar, Docker Hub normalisation (`busybox` is
 * `docker.io/library/busybox`), the familiar form shown to users, and Docker's error
 * messages.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*
 *   domain    := (domain-name | "[" IPv6 "]") [":" port]
 *   path-component := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
 *   tag       := [\w][\w.-]{0,127}
 *
 * Ownership: a struct reference and its strings belong to whoever got it from a
 * reference_parse*() or reference_dup() call and are freed with reference_free();
 * functions returning char * return malloc'd strings for the caller. Pure functions:
 * any thread.
 *
 * Errors are DCTL_ERR_INVALID with Docker's messages: "invalid reference format",
 * "invalid reference format: repository name (NAME) must be lowercase", "repository name
 * must be lowercase", "repository name must not be more than 255 characters",
 * "repository name must have at least one component", "invalid repository name (HEX),
 * cannot specify 64-byte hexadecimal strings", "invalid tag format", "invalid digest
 * format", and go-digest's "invalid checksum digest format" / "... length" /
 * "unsupported digest algorithm". */
#ifndef DCTL_REFERENCE_H
#define DCTL_REFERENCE_H

#include <stdbool.h>

#include "error.h"

#define REFERENCE_DEFAULT_DOMAIN "docker.io"
#define REFERENCE_LEGACY_DOMAIN "index.docker.io"
#define REFERENCE_OFFICIAL_PREFIX "library/"
#define REFERENCE_DEFAULT_TAG "latest"
#define REFERENCE_NAME_MAX 255
#define REFERENCE_TAG_MAX 128

struct reference {
    char *domain; /* "docker.io", "localhost:5000"; NULL when the name has no domain part
                   * (only reference_parse() yields that) */
    char *path;   /* "library/busybox"; NULL only for a digest-only reference */
    char *tag;    /* NULL: no tag */
    char *digest; /* "sha256:<hex>"; NULL: no digest */
};

/* distribution's Parse(): the grammar, no normalisation ("busybox" stays "busybox"). */
struct reference *reference_parse(const char *s, dctl_error_t *err);
/* ParseNormalizedNamed(): a name as users type it, normalised to a full name
 * ("busybox" -> docker.io/library/busybox, "index.docker.io/x" -> docker.io/library/x).
 * Adds no tag. A bare 64-hex string is refused (it would be an image ID). */
struct reference *reference_parse_normalized(const char *s, dctl_error_t *err);
/* ParseDockerRef(): as reference_parse_normalized, then a reference with both a tag and
 * a digest keeps only the digest, and one with neither gets the tag "latest". This is
 * what pull, tag and image lookup by name use. */
struct reference *reference_parse_docker(const char *s, dctl_error_t *err);
/* ParseAnyReference(): a bare 64-hex ID or a full "sha256:..." digest gives a
 * digest-only reference (path NULL); anything else as reference_parse_normalized. */
struct reference *reference_parse_any(const char *s, dctl_error_t *err);

struct reference *reference_dup(const struct reference *ref);
void reference_free(struct reference *ref);
static inline void
reference_freep(struct reference **ref)
{
    reference_free(*ref);
}
#define cleanup_reference __attribute__((cleanup(reference_freep)))
/* Frees a NULL-terminated array of references and the array. */
void reference_list_free(struct reference **refs);

/* Replaces the tag (NULL removes it); a tag outside [\w][\w.-]{0,127} is "invalid tag
 * format" and leaves ref unchanged. */
int reference_set_tag(struct reference *ref, const char *tag, dctl_error_t *err);
/* Replaces the digest (NULL removes it); an ill-formed one is "invalid digest format"
 * or a go-digest message, and leaves ref unchanged. */
int reference_set_digest(struct reference *ref, const char *digest, dctl_error_t *err);
/* TagNameOnly(): adds "latest" when ref has neither tag nor digest. */
void reference_tag_name_only(struct reference *ref);

bool reference_tag_is_valid(const char *tag);
/* A name with neither tag nor digest. */
bool reference_is_name_only(const struct reference *ref);

/* "domain/path" (or "path"); NULL for a digest-only reference. */
char *reference_name(const struct reference *ref);
/* name[:tag][@digest], or the digest alone. */
char *reference_string(const struct reference *ref);
/* The name as Docker shows it: "docker.io/" and, for one-component official images,
 * "library/" dropped ("busybox", "user/img", "localhost:5000/x"). */
char *reference_familiar_name(const struct reference *ref);
/* Familiar name [:tag][@digest]: "busybox:latest", "busybox@sha256:...". */
char *reference_familiar_string(const struct reference *ref);

#endif
