/* api/server.h - the HTTP side of dctld: libmicrohttpd in external-epoll mode
 * inside the libevent loop, one MHD daemon per listener, requests routed to
 * api_handler_cb handlers, synchronous and suspended replies, and streams.
 *
 * Owner: struct dctld owns the struct api_server; the server owns its listeners
 * and, through MHD, every struct api_request (freed when MHD completes it).
 * Everything here runs on the loop thread. */
#ifndef DCTL_API_SERVER_H
#define DCTL_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "lib/error.h"
#include "router.h"

struct dctld;
struct api_server;
struct api_stream;
struct MHD_Connection;
struct MHD_Response;

/* One request. Lives from its first byte until MHD completes it. */
struct api_request {
    struct dctld *dctld;
    struct api_server *server;
    struct api_listener *listener;
    struct MHD_Connection *conn;
    unsigned int method;    /* enum api_method */
    unsigned int version;   /* from the path prefix, else API_VERSION_MAX */
    char *url;              /* as received */
    const char *path;       /* url without the version prefix */
    struct router_match match;
    char *body;             /* NUL-terminated; NULL when none */
    size_t body_len, body_limit;
    bool dispatched, suspended;
    unsigned int status;
    struct MHD_Response *response;  /* queued at the next handler call */
    /* API_BODY_STREAM routes: the body, piece by piece, then (NULL, 0) once it is
     * all in. The callback may set a reply (an error: the rest of the body is then
     * dropped) or suspend the request at the end; it must not suspend before. */
    void (*body_cb)(struct api_request *req, const char *data, size_t len);
    bool body_done;
    /* A handler's own state for the request, freed with it. */
    void *data;
    void (*data_free)(void *data);
    /* server.c's own: body bytes dropped after an error reply was set, and
     * the list of parked requests that a shutdown resumes and cuts */
    size_t discarded;
    struct api_request *parked_prev, *parked_next;
    struct api_hijack *hijack;   /* api_reply_hijack's, freed with the request */
};

struct api_server_options {
    unsigned int idle_timeout;  /* seconds a connection may idle or stall; 0: never */
    const char *server_header;  /* "Server:" value */
};

struct api_server *api_server_new(struct dctld *dctld, struct event_base *base,
                                  const struct router *router,
                                  const struct api_server_options *opts);
/* Cuts every connection, parked ones included, and frees the server. Parked
 * requests complete without a reply (their data_free runs). NULL-safe. */
void api_server_free(struct api_server *s);
/* Listens on "unix:///path" or "tcp://HOST:PORT". Plain TCP on a non-loopback
 * address is refused (DCTL_ERR_INVALID) until TLS exists. */
int api_server_listen(struct api_server *s, const char *addr, dctl_error_t *err);
/* Stops accepting: closes listen sockets and removes unix socket files, and
 * ends every stream (its buffered data is still sent). */
void api_server_quiesce(struct api_server *s);
/* Requests received and not yet completed (idle keep-alive connections excluded). */
unsigned int api_server_in_flight(const struct api_server *s);
/* Number of listeners. */
size_t api_server_nlisteners(const struct api_server *s);

/* Request helpers. */
const char *api_param(const struct api_request *req, size_t i);
/* A query parameter or NULL. */
const char *api_query(const struct api_request *req, const char *name);
/* Docker's bool: absent → dflt; "", "0", "no", "false", "none" → false; else true. */
bool api_query_bool(const struct api_request *req, const char *name, bool dflt);
/* Integer query parameter; a malformed value is a 400 naming the parameter. */
int api_query_int(const struct api_request *req, const char *name, long long dflt,
                  long long *out, dctl_error_t *err);
/* Every value of a repeated query parameter (?type=a&type=b), in order: up to
 * max into out (lent); returns how many there are. */
size_t api_query_all(const struct api_request *req, const char *name, const char **out,
                     size_t max);
const char *api_header(const struct api_request *req, const char *name);
/* The body parsed as a JSON object; an empty body is DCTL_ERR_INVALID unless
 * allow_empty (then *out = NULL). */
int api_body_json(const struct api_request *req, bool allow_empty, struct json_object **out,
                  dctl_error_t *err);

/* Replies: each sets the response, queued when the handler returns or, after a
 * suspension, when api_request_resume() runs. */
void api_reply(struct api_request *req, unsigned int status, const char *content_type,
               const void *body, size_t len);
/* Takes the reference to json. */
/* Replies with size bytes read from fd (taken: MHD closes it), e.g. a spool file. */
void api_reply_fd(struct api_request *req, unsigned int status, const char *content_type,
                  int fd, uint64_t size);
void api_reply_json(struct api_request *req, unsigned int status, struct json_object *json);
void api_reply_empty(struct api_request *req, unsigned int status);
/* {"message": ...} with the status of err's kind; consumes err. */
void api_reply_error(struct api_request *req, dctl_error_t err);
void api_reply_message(struct api_request *req, unsigned int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a header to the reply set last. */
void api_reply_header(struct api_request *req, const char *name, const char *value);

/* Parks the request until api_request_resume(); the handler then returns 0. */
void api_request_suspend(struct api_request *req);
void api_request_resume(struct api_request *req);

/* Streams (events, logs --follow, progress): a chunked 200 reply fed over time.
 * on_close(arg) runs once when the stream is over for whatever reason (ended,
 * client gone, shutdown); the producer must not touch the stream after it. */
typedef void (*api_stream_close_cb)(void *arg);
struct api_stream *api_stream_new(struct api_request *req, const char *content_type,
                                  api_stream_close_cb on_close, void *arg);
void api_stream_write(struct api_stream *st, const void *data, size_t len);
/* No more data: the reply ends once the buffer is sent. */
void api_stream_end(struct api_stream *st);
/* Cuts the stream at once (chunked reply left unfinished, connection closed),
 * e.g. for a client that fell too far behind; on_close follows. */
void api_stream_abort(struct api_stream *st);
/* Bytes buffered and not yet sent. */
size_t api_stream_pending(const struct api_stream *st);
/* A producer faster than the client (a tar being saved) stops writing when
 * api_stream_pending() is high and resumes in cb(arg), called from the reader
 * each time the buffer has been drained to low bytes or fewer. cb only re-arms
 * the producer (it runs inside an MHD callback); cb NULL stops the calls. */
typedef void (*api_stream_drain_cb)(void *arg);
void api_stream_set_drain(struct api_stream *st, size_t low, api_stream_drain_cb cb, void *arg);

/* Hijacking (attach, exec start): replies 101 with "Upgrade: tcp" and content_type
 * (application/vnd.docker.multiplexed-stream or .raw-stream) when the client asked for
 * the upgrade (Connection: Upgrade, Upgrade: tcp; api_request_upgrade_asked() tells),
 * else "200 OK" with that type, as dockerd answers older clients. Once the connection
 * is ours, cb runs on the loop with the socket (MHD's: never close it, wrap it without
 * BEV_OPT_CLOSE_ON_FREE) and any bytes the client sent right after the request. The
 * request, and its data, live until api_hijack_close(). cb never runs when the client
 * goes before the upgrade. */
struct api_hijack;
typedef void (*api_hijack_cb)(void *arg, struct api_hijack *h, int fd, const char *extra,
                              size_t extra_len);
void api_reply_hijack(struct api_request *req, const char *content_type, api_hijack_cb cb,
                      void *arg);
bool api_request_upgrade_asked(const struct api_request *req);
/* Ends a hijacked connection (MHD closes the socket, then completes the request). */
void api_hijack_close(struct api_hijack *h);

#endif
