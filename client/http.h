/* client/http.h - dctl's HTTP client: talks to dctld (or any Docker Engine API
 * server) over a unix socket or plain TCP with libcurl easy handles.
 *
 * A struct http_client owns one curl handle, reused for every request so that
 * the connection is kept alive. The first request negotiates the API version
 * with GET /_ping (the lower of the server's API-Version and ours, 1.24 when
 * the server sends none), and every later path gets the /vX.Y prefix.
 *
 * Errors: a daemon that cannot be reached is DCTL_ERR_UNAVAILABLE with
 * "Cannot connect to the dctl daemon at ADDR. Is dctld running?"; an error
 * status is "Error response from daemon: MESSAGE" with the kind matching the
 * status. Single-threaded: one client per thread. */
#ifndef DCTL_CLIENT_HTTP_H
#define DCTL_CLIENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lib/error.h"

#define HTTP_API_VERSION "1.43"     /* the newest version dctl speaks */
#define HTTP_API_VERSION_FALLBACK "1.24" /* a server without API-Version header */
#define HTTP_DEFAULT_HOST "unix:///run/dctl.sock"
#define HTTP_DEFAULT_TCP_PORT 2375

enum http_transport {
    HTTP_UNIX = 1,
    HTTP_TCP,
};

/* A parsed -H value. */
struct http_endpoint {
    enum http_transport transport;
    char *socket_path; /* HTTP_UNIX */
    char *base_url;    /* "http://localhost" or "http://HOST:PORT" */
};

struct http_response {
    long status;
    char *body; /* NUL-terminated; the caller's, freed by http_response_fini */
    size_t len;
};

struct http_client;

/* Called once per line of a streamed response, without the newline; return
 * -1 to stop the transfer (the request then succeeds). */
typedef int (*http_line_cb)(const char *line, size_t len, void *arg);

/* Parses unix:///PATH, tcp://HOST:PORT, tcp://HOST (port 2375) or tcp://:PORT
 * (127.0.0.1); anything else is DCTL_ERR_INVALID. */
int http_endpoint_parse(const char *host, struct http_endpoint *out, dctl_error_t *err);
void http_endpoint_fini(struct http_endpoint *ep);

/* "1.40" vs "1.43": <0, 0, >0 like strcmp; malformed versions sort first. */
int http_version_compare(const char *a, const char *b);

/* A client for host (a -H value); NULL with *err when host does not parse.
 * Connects on the first request. */
struct http_client *http_client_new(const char *host, dctl_error_t *err);
void http_client_free(struct http_client *c);
/* The address as given, for messages. Lent. */
const char *http_client_host(const struct http_client *c);
/* Logs each request and its status with log_debug. */
void http_client_set_debug(struct http_client *c, bool debug);

/* Pings the server once and fixes the API version; later calls return 0. */
int http_client_negotiate(struct http_client *c, dctl_error_t *err);
/* The negotiated version, or HTTP_API_VERSION before negotiation. Lent. */
const char *http_client_api_version(const struct http_client *c);

/* One request: path without version prefix ("/info"), body NULL or JSON.
 * Any status is success here; only transport failures are errors. */
int http_request(struct http_client *c, const char *method, const char *path, const char *body,
                 struct http_response *resp, dctl_error_t *err);
void http_response_fini(struct http_response *resp);

/* The error for a status >= 400 response: "Error response from daemon: MSG",
 * MSG from a {"message": ...} body or the raw body. Returns -1. */
int http_response_error(const struct http_response *resp, dctl_error_t *err);

/* GET path and parse a JSON object from a 2xx answer; errors as above. */
int http_get_json(struct http_client *c, const char *path, struct json_object **out,
                  dctl_error_t *err);

/* A request whose body is read from fd while it is sent, never held whole: with
 * Content-Length when fd is a regular file at offset 0, chunked otherwise (a pipe).
 * The answer is gathered in resp as http_request does; a failed read is an error. */
int http_upload(struct http_client *c, const char *method, const char *path, int fd,
                const char *content_type, struct http_response *resp, dctl_error_t *err);

/* GET path and hand each line of the body to cb as it arrives, until the
 * server ends the response or cb returns -1. A status >= 400 is an error. */
int http_stream_lines(struct http_client *c, const char *path, http_line_cb cb, void *arg,
                      dctl_error_t *err);

/* POST path with the body read from in_fd (left open) to its end, sent chunked
 * as content_type; each line of the answer goes to cb as in http_stream_lines. A
 * status >= 400 is an error; a failed read of in_fd is DCTL_ERR_INTERNAL. */
int http_post_stream(struct http_client *c, const char *path, int in_fd, const char *content_type,
                     http_line_cb cb, void *arg, dctl_error_t *err);
/* GET path and write a 2xx body to out_fd (left open) as it arrives. A status
 * >= 400 is an error; a failed write is DCTL_ERR_INTERNAL. */
int http_download(struct http_client *c, const char *path, int out_fd, dctl_error_t *err);

/* Percent-encodes s for a query string value (RFC 3986 unreserved kept). Caller's. */
char *http_query_escape(const char *s);

#endif
