/* lib/reference.c - distribution/reference's grammar as a hand-written matcher (the
 * grammar is unambiguous enough that one left-to-right split decides it), Docker Hub
 * normalisation and familiar forms. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "reference.h"
#include "util.h"
#include "xmalloc.h"

/* The parts of a reference string, as spans of the caller's copy. */
struct reference_parts {
    char *domain; /* NULL: none */
    char *path;
    char *tag;
    char *digest;
};

static bool
reference_is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
reference_is_alnum(char c)
{
    return reference_is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool
reference_is_word(char c)
{
    return reference_is_alnum(c) || c == '_';
}

static bool
reference_is_xdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
reference_has_upper(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len && s[i]; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return true;
    return false;
}

/* [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* over s[0..len) */
static bool
reference_path_component_ok(const char *s, size_t len)
{
    size_t i = 0, start;

    for (;;) {
        start = i;
        while (i < len && reference_is_lower_alnum(s[i]))
            i++;
        if (i == start)
            return false;
        if (i == len)
            return true;
        start = i;
        while (i < len && s[i] != '\0' && strchr("._-", s[i]))
            i++;
        if (i == start)
            return false; /* a character outside the alphabet */
        if (i - start == 1)
            continue; /* ".", "_" or "-" */
        if (i - start == 2 && s[start] == '_' && s[start + 1] == '_')
            continue;
        for (; start < i; start++)
            if (s[start] != '-')
                return false;
    }
}

static bool
reference_path_ok(const char *s)
{
    const char *slash;

    for (;;) {
        slash = strchr(s, '/');
        if (!reference_path_component_ok(s, slash ? (size_t)(slash - s) : strlen(s)))
            return false;
        if (slash == NULL)
            return true;
        s = slash + 1;
    }
}

/* [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool
reference_domain_component_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || !reference_is_alnum(s[0]) || !reference_is_alnum(s[len - 1]))
        return false;
    for (i = 1; i + 1 < len; i++)
        if (!reference_is_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* (domain-name | "[" [a-fA-F0-9:]+ "]") (":" [0-9]+)? */
static bool
reference_domain_ok(const char *s)
{
    const char *port, *p;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL || close == s + 1)
            return false;
        for (p = s + 1; p < close; p++)
            if (!reference_is_xdigit(*p) && *p != ':')
                return false;
        port = close + 1;
        if (*port != '\0' && *port != ':')
            return false;
    } else {
        const char *end = strchr(s, ':');

        if (end == NULL)
            end = s + strlen(s);
        for (p = s;;) {
            const char *dot = memchr(p, '.', (size_t)(end - p));
            const char *cend = dot ? dot : end;

            if (!reference_domain_component_ok(p, (size_t)(cend - p)))
                return false;
            if (dot == NULL)
                break;
            p = dot + 1;
        }
        port = end;
    }
    if (*port == '\0')
        return true;
    if (port[1] == '\0')
        return false;
    for (p = port + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,} */
static bool
reference_digest_pattern_ok(const char *s)
{
    bool need_letter = true;
    size_t n = 0;

    for (; *s && *s != ':'; s++) {
        bool letter = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');

        if (need_letter) {
            if (!letter)
                return false;
            need_letter = false;
        } else if (strchr("-_+.", *s)) {
            need_letter = true;
        } else if (!letter && !(*s >= '0' && *s <= '9')) {
            return false;
        }
    }
    if (need_letter || *s != ':')
        return false;
    for (s++; *s; s++, n++)
        if (!reference_is_xdigit(*s))
            return false;
    return n >= 32;
}

bool
reference_tag_is_valid(const char *tag)
{
    size_t i;

    if (tag == NULL || !reference_is_word(tag[0]))
        return false;
    for (i = 1; tag[i]; i++)
        if (!reference_is_word(tag[i]) && tag[i] != '.' && tag[i] != '-')
            return false;
    return i <= REFERENCE_TAG_MAX;
}

/* Matches the whole of s (modified in place: separators become NULs) against the
 * anchored reference grammar; on success p's members point into s. */
static bool
reference_match(char *s, struct reference_parts *p)
{
    char *at, *colon, *slash;

    memset(p, 0, sizeof *p);
    at = strchr(s, '@');
    if (at) {
        *at = '\0';
        p->digest = at + 1;
        if (!reference_digest_pattern_ok(p->digest))
            return false;
    }
    /* A tag holds neither ':' nor '/', and a name has a ':' only in its domain, which a
     * '/' follows: a ':' after the last '/' can only start the tag. */
    colon = strrchr(s, ':');
    slash = strrchr(s, '/');
    if (colon && (slash == NULL || colon > slash)) {
        *colon = '\0';
        p->tag = colon + 1;
        if (!reference_tag_is_valid(p->tag))
            return false;
    }
    /* The optional domain is tried first, as the regexp's greedy optional group does. */
    slash = strchr(s, '/');
    if (slash) {
        *slash = '\0';
        if (reference_domain_ok(s) && reference_path_ok(slash + 1)) {
            p->domain = s;
            p->path = slash + 1;
            return true;
        }
        *slash = '/';
    }
    p->path = s;
    return reference_path_ok(s);
}

static struct reference *
reference_from_parts(const struct reference_parts *p)
{
    struct reference *ref = xcalloc(1, sizeof *ref);

    ref->domain = p->domain ? xstrdup(p->domain) : NULL;
    ref->path = p->path ? xstrdup(p->path) : NULL;
    ref->tag = p->tag ? xstrdup(p->tag) : NULL;
    ref->digest = p->digest ? xstrdup(p->digest) : NULL;
    return ref;
}

struct reference *
reference_parse(const char *s, dctl_error_t *err)
{
    cleanup_free char *copy = NULL;
    struct reference_parts p;
    size_t namelen;

    if (*s == '\0') {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "repository name must have at least one component");
        return NULL;
    }
    copy = xstrdup(s);
    if (!reference_match(copy, &p)) {
        cleanup_free char *lower = NULL;
        size_t i;

        if (reference_has_upper(s, strlen(s))) {
            lower = xstrdup(s);
            for (i = 0; lower[i]; i++)
                if (lower[i] >= 'A' && lower[i] <= 'Z')
                    lower[i] = (char)(lower[i] - 'A' + 'a');
            if (reference_match(lower, &p)) {
                dctl_error_set(err, DCTL_ERR_INVALID, 0, "repository name must be lowercase");
                return NULL;
            }
        }
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid reference format");
        return NULL;
    }
    namelen = strlen(p.path) + (p.domain ? strlen(p.domain) + 1 : 0);
    if (namelen > REFERENCE_NAME_MAX) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "repository name must not be more than %d characters", REFERENCE_NAME_MAX);
        return NULL;
    }
    if (p.digest && digest_validate(p.digest, NULL, err) < 0)
        return NULL;
    return reference_from_parts(&p);
}

struct reference *
reference_parse_normalized(const char *s, dctl_error_t *err)
{
    const char *slash = strchr(s, '/'), *remote, *colon;
    cleanup_free char *domain = NULL, *full = NULL;
    size_t rlen;

    if (digest_is_hex_id(s)) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                       s);
        return NULL;
    }
    /* splitDockerDomain: the first component is a domain if it is localhost, has a '.'
     * or a ':', or has upper case (which a path may not); else the name is on Docker
     * Hub, where a one-component name is an official image under "library/". */
    remote = s;
    if (slash) {
        domain = xstrndup(s, (size_t)(slash - s));
        if (strcmp(domain, REFERENCE_LEGACY_DOMAIN) == 0) {
            free(domain);
            domain = xstrdup(REFERENCE_DEFAULT_DOMAIN);
            remote = slash + 1;
        } else if (strcmp(domain, "localhost") == 0 || strpbrk(domain, ".:") ||
                   reference_has_upper(domain, strlen(domain))) {
            remote = slash + 1;
        } else {
            free(domain);
            domain = NULL;
        }
    }
    if (domain == NULL)
        domain = xstrdup(REFERENCE_DEFAULT_DOMAIN);
    if (strcmp(domain, REFERENCE_DEFAULT_DOMAIN) == 0 && strchr(remote, '/') == NULL)
        full = xasprintf("%s/" REFERENCE_OFFICIAL_PREFIX "%s", domain, remote);
    else
        full = xasprintf("%s/%s", domain, remote);
    /* The remote name, up to the first ':' after the domain, must be lower case. */
    remote = full + strlen(domain) + 1;
    colon = strchr(remote, ':');
    rlen = colon ? (size_t)(colon - remote) : strlen(remote);
    if (reference_has_upper(remote, rlen)) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "invalid reference format: repository name (%.*s) must be lowercase",
                       (int)rlen, remote);
        return NULL;
    }
    return reference_parse(full, err);
}

struct reference *
reference_parse_docker(const char *s, dctl_error_t *err)
{
    struct reference *ref = reference_parse_normalized(s, err);

    if (ref == NULL)
        return NULL;
    if (ref->tag && ref->digest) {
        free(ref->tag);
        ref->tag = NULL;
    }
    reference_tag_name_only(ref);
    return ref;
}

struct reference *
reference_parse_any(const char *s, dctl_error_t *err)
{
    struct reference *ref;

    if (digest_is_hex_id(s)) {
        ref = xcalloc(1, sizeof *ref);
        ref->digest = xasprintf("sha256:%s", s);
        return ref;
    }
    if (digest_validate(s, NULL, NULL) == 0) {
        ref = xcalloc(1, sizeof *ref);
        ref->digest = xstrdup(s);
        return ref;
    }
    return reference_parse_normalized(s, err);
}

struct reference *
reference_dup(const struct reference *ref)
{
    struct reference_parts p = {
        .domain = ref->domain, .path = ref->path, .tag = ref->tag, .digest = ref->digest,
    };

    return reference_from_parts(&p);
}

void
reference_free(struct reference *ref)
{
    if (ref == NULL)
        return;
    free(ref->domain);
    free(ref->path);
    free(ref->tag);
    free(ref->digest);
    free(ref);
}

void
reference_list_free(struct reference **refs)
{
    size_t i;

    if (refs == NULL)
        return;
    for (i = 0; refs[i]; i++)
        reference_free(refs[i]);
    free(refs);
}

int
reference_set_tag(struct reference *ref, const char *tag, dctl_error_t *err)
{
    if (tag && !reference_tag_is_valid(tag))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid tag format");
    free(ref->tag);
    ref->tag = tag ? xstrdup(tag) : NULL;
    return 0;
}

int
reference_set_digest(struct reference *ref, const char *digest, dctl_error_t *err)
{
    if (digest && !reference_digest_pattern_ok(digest))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid digest format");
    if (digest && digest_validate(digest, NULL, err) < 0)
        return -1;
    free(ref->digest);
    ref->digest = digest ? xstrdup(digest) : NULL;
    return 0;
}

void
reference_tag_name_only(struct reference *ref)
{
    if (reference_is_name_only(ref))
        ref->tag = xstrdup(REFERENCE_DEFAULT_TAG);
}

bool
reference_is_name_only(const struct reference *ref)
{
    return ref->path && ref->tag == NULL && ref->digest == NULL;
}

/* The name with or without its Docker Hub parts. */
static char *
reference_name_as(const struct reference *ref, bool familiar)
{
    const char *path = ref->path;

    if (path == NULL)
        return NULL;
    if (familiar && ref->domain && strcmp(ref->domain, REFERENCE_DEFAULT_DOMAIN) == 0) {
        if (util_has_prefix(path, REFERENCE_OFFICIAL_PREFIX) &&
            strchr(path + strlen(REFERENCE_OFFICIAL_PREFIX), '/') == NULL)
            path += strlen(REFERENCE_OFFICIAL_PREFIX);
        return xstrdup(path);
    }
    if (ref->domain)
        return xasprintf("%s/%s", ref->domain, path);
    return xstrdup(path);
}

static char *
reference_string_as(const struct reference *ref, bool familiar)
{
    cleanup_free char *name = reference_name_as(ref, familiar);

    if (name == NULL)
        return xstrdup(ref->digest ? ref->digest : "");
    return xasprintf("%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "",
                     ref->digest ? "@" : "", ref->digest ? ref->digest : "");
}

char *
reference_name(const struct reference *ref)
{
    return reference_name_as(ref, false);
}

char *
reference_string(const struct reference *ref)
{
    return reference_string_as(ref, false);
}

char *
reference_familiar_name(const struct reference *ref)
{
    return reference_name_as(ref, true);
}

char *
reference_familiar_string(const struct reference *ref)
{
    return reference_string_as(ref, true);
}
