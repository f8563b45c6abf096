/* api/router.h - method + path routing with captures, and API version prefixes.
 *
 * Patterns are '/'-separated segments; "{name}" captures one segment and
 * "{name*}" captures one or more (image names hold slashes), the rest of the
 * pattern then matching the path's tail. Pure functions: any thread. */
#ifndef DCTL_API_ROUTER_H
#define DCTL_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define API_VERSION(maj, min) ((maj) * 1000u + (min))
#define API_VERSION_MIN API_VERSION(1, 24)
#define API_VERSION_MAX API_VERSION(1, 43)
#define API_VERSION_MIN_STR "1.24"
#define API_VERSION_MAX_STR "1.43"

#define API_MAX_PARAMS 4

enum api_method {
    API_GET = 1 << 0,
    API_HEAD = 1 << 1,
    API_POST = 1 << 2,
    API_PUT = 1 << 3,
    API_DELETE = 1 << 4,
};

struct api_request;
struct dctl_error;

typedef int (*api_handler_cb)(struct api_request *req, struct dctl_error **err);

/* One route. GET routes also answer HEAD unless a HEAD route of the same
 * pattern exists. */
struct api_route {
    unsigned int method;  /* one enum api_method */
    const char *pattern;  /* "/containers/{id}/json" */
    api_handler_cb handler;
    size_t body_limit;    /* bytes a request body may have; 0: API_BODY_LIMIT_DEFAULT;
                           * API_BODY_STREAM: see below */
};

/* body_limit API_BODY_STREAM: the handler runs as soon as the headers are in, before
 * the body, and sets req->body_cb to take the body as it arrives (no limit then). */
#define API_BODY_STREAM ((size_t)-1)

#define API_BODY_LIMIT_DEFAULT (1u << 20)

enum router_result {
    ROUTER_OK = 0,
    ROUTER_NOT_FOUND,   /* 404 page not found */
    ROUTER_BAD_METHOD,  /* 405: the path exists with other methods */
};

struct router_match {
    const struct api_route *route;
    size_t nparams;
    char *params[API_MAX_PARAMS]; /* malloc'd (MHD decoded the URL); router_match_fini frees */
};

struct router;

struct router *router_new(void);
void router_free(struct router *r);
/* Adds a table ending with a zeroed entry; the table is lent for r's life. */
void router_add(struct router *r, const struct api_route *table);
enum router_result router_lookup(const struct router *r, unsigned int method, const char *path,
                                 struct router_match *m);
void router_match_fini(struct router_match *m);

/* "GET" → API_GET; 0 if unknown. */
unsigned int api_method_parse(const char *s);
/* "1.43" → API_VERSION(1, 43); -1 unless MAJOR.MINOR with digits only. */
int api_version_parse(const char *s, unsigned int *v);

enum api_prefix {
    API_PREFIX_NONE = 0,  /* no /vX.Y prefix: *rest = path */
    API_PREFIX_OK,        /* a supported version: *version set */
    API_PREFIX_TOO_NEW,   /* 400 "client version X is too new..." */
    API_PREFIX_TOO_OLD,   /* 400 "client version X is too old..." */
    API_PREFIX_MALFORMED, /* "/v1.x/..." : 404 as Docker */
};
/* Splits "/v1.43/containers/json"; *rest points into path; vstr (size >= 16)
 * receives the version text as written. */
enum api_prefix api_path_split_version(const char *path, unsigned int *version,
                                       const char **rest, char *vstr, size_t vlen);

#endif
