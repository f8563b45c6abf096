/* api/server.c - libmicrohttpd driven by the libevent loop (see HTTP-NOTES.md):
 * one MHD daemon per listener in external-epoll mode; its epoll fd is a
 * persistent read event and a timer re-armed from MHD_get_timeout after every
 * run. "Kicking" a listener (after a resume) activates that timer. Responses are
 * queued only when the request is complete. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <microhttpd.h>

#include "errors.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

/* Memory pool of one connection: the request line and headers must fit in it
 * (MHD answers 431 beyond), and uploads arrive in pieces of up to half of it.
 * MHD 0.9.75 zeroes the whole pool after every request and the freed half of
 * it after the headers, about 1.5 times this size per request on a keep-alive
 * connection. At 256 KiB that memset was a quarter of dctld's CPU for GET
 * /_ping and halved its rate; 64 KiB still takes headers of ~60 KB (twice
 * MHD's default: room for large X-Registry-Auth / X-Registry-Config) at a
 * sixth of the cost. */
#define API_CONNECTION_MEMORY (64 * 1024)

/* One listen socket and its MHD daemon. Owner: struct api_server. */
struct api_listener {
    struct api_server *server;
    struct MHD_Daemon *mhd;
    struct event *io_ev, *timer_ev;
    char *addr;        /* as given */
    char *unix_path;   /* socket file to remove, or NULL */
    bool quiesced;
};

struct api_server {
    struct dctld *dctld;
    struct event_base *base;
    const struct router *router;
    struct api_server_options opts;
    struct api_listener **listeners;
    size_t nlisteners;
    unsigned int in_flight;
    char *server_header;
    struct api_request *parked;       /* suspended requests */
    struct api_stream *streams;       /* live streams */
    struct api_conn *conns;           /* open connections */
    struct event *sweep_ev;           /* cuts connections slow to send a request head */
    struct event *trim_ev;            /* gives freed heap back once requests stop */
};

/* The heap is trimmed this long after the last request ended (dctld sets a high
 * M_TRIM_THRESHOLD so that busy periods do not shrink and regrow it with every
 * large reply: brk with worker threads costs TLB shoot-downs on every CPU). */
#define API_TRIM_DELAY_S 2

/* One client connection, from MHD's "started" to its "closed" notification.
 * MHD's idle timeout restarts at every byte; this records when the current
 * request head began, so that a sender trickling it byte by byte is cut too. */
struct api_conn {
    struct api_conn *prev, *next;
    int fd;
    bool in_request;       /* its head is in: the handler, body, reply or park */
    long long head_since;  /* when the wait for the current head began */
};

/* Bytes of a request body read and dropped after an error reply was chosen;
 * past this the connection is cut instead. */
#define API_BODY_DISCARD_MAX (16u << 20)

/* A chunked reply fed over time. Owner: its MHD response (freed by free_cb). */
struct api_stream {
    struct api_listener *listener;
    struct MHD_Connection *conn;
    struct evbuffer *buf;
    struct event *closed_ev;  /* EV_CLOSED watch while suspended */
    api_stream_close_cb on_close;
    void *arg;
    api_stream_drain_cb on_drain;   /* api_stream_set_drain */
    void *drain_arg;
    size_t drain_low;
    bool suspended, ended, gone;
    struct api_stream *prev, *next;   /* the server's list of live streams */
};

static void api_listener_run(struct api_listener *l);
static void api_hijack_free(struct api_hijack *h);

static void
api_listener_kick(struct api_listener *l)
{
    if (l->timer_ev)
        event_active(l->timer_ev, EV_TIMEOUT, 0);
}

static void
api_listener_io_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    api_listener_run(arg);
}

static void
api_listener_run(struct api_listener *l)
{
    MHD_UNSIGNED_LONG_LONG timeout;

    MHD_run(l->mhd);
    if (MHD_get_timeout(l->mhd, &timeout) == MHD_YES) {
        struct timeval tv = { (time_t)(timeout / 1000), (suseconds_t)(timeout % 1000) * 1000 };
        event_add(l->timer_ev, &tv);
    } else {
        event_del(l->timer_ev);
    }
}

/* ---- requests ---------------------------------------------------------- */

static struct api_request *
api_request_new(struct api_listener *l, struct MHD_Connection *conn, const char *url,
                const char *method)
{
    struct api_request *req = xcalloc(1, sizeof *req);

    req->dctld = l->server->dctld;
    req->server = l->server;
    req->listener = l;
    req->conn = conn;
    req->method = api_method_parse(method);
    req->url = xstrdup(url);
    req->path = req->url;
    req->version = API_VERSION_MAX;
    req->body_limit = API_BODY_LIMIT_DEFAULT;
    l->server->in_flight++;
    return req;
}

static void
api_request_unpark(struct api_request *req)
{
    struct api_server *s = req->server;

    if (req->parked_prev)
        req->parked_prev->parked_next = req->parked_next;
    else if (s->parked == req)
        s->parked = req->parked_next;
    if (req->parked_next)
        req->parked_next->parked_prev = req->parked_prev;
    req->parked_prev = req->parked_next = NULL;
}

static void
api_request_free(struct api_request *req)
{
    if (req == NULL)
        return;
    api_request_unpark(req);
    req->server->in_flight--;
    if (req->data_free)
        req->data_free(req->data);
    if (req->response)
        MHD_destroy_response(req->response);
    api_hijack_free(req->hijack);
    router_match_fini(&req->match);
    free(req->body);
    free(req->url);
    free(req);
}

const char *
api_param(const struct api_request *req, size_t i)
{
    return i < req->match.nparams ? req->match.params[i] : NULL;
}

const char *
api_query(const struct api_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool
api_query_bool(const struct api_request *req, const char *name, bool dflt)
{
    const char *v = api_query(req, name);

    if (v == NULL)
        return dflt;
    return !(*v == '\0' || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
             strcasecmp(v, "false") == 0 || strcasecmp(v, "none") == 0);
}

int
api_query_int(const struct api_request *req, const char *name, long long dflt, long long *out,
              dctl_error_t *err)
{
    const char *v = api_query(req, name);

    if (v == NULL || *v == '\0') {
        *out = dflt;
        return 0;
    }
    if (util_parse_int64(v, out) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid value for %s: strconv.Atoi: parsing \"%s\": invalid syntax",
                              name, v);
    return 0;
}

struct api_query_all_ctx {
    const char *name;
    const char **out;
    size_t max, n;
};

static enum MHD_Result
api_query_all_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct api_query_all_ctx *c = cls;

    (void)kind;
    if (key && strcmp(key, c->name) == 0) {
        if (c->n < c->max)
            c->out[c->n] = value ? value : "";
        c->n++;
    }
    return MHD_YES;
}

size_t
api_query_all(const struct api_request *req, const char *name, const char **out, size_t max)
{
    struct api_query_all_ctx c = { name, out, max, 0 };

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, api_query_all_cb, &c);
    return c.n;
}

const char *
api_header(const struct api_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int
api_body_json(const struct api_request *req, bool allow_empty, struct json_object **out,
              dctl_error_t *err)
{
    if (req->body == NULL || req->body_len == 0) {
        *out = NULL;
        if (allow_empty)
            return 0;
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "bad parameter: request body is empty");
    }
    *out = json_parse(req->body, req->body_len, "bad request body", err);
    return *out ? 0 : -1;
}

/* ---- replies ----------------------------------------------------------- */

static void
api_reply_set(struct api_request *req, unsigned int status, struct MHD_Response *resp)
{
    if (req->response)
        MHD_destroy_response(req->response);
    req->status = status;
    req->response = resp;
    MHD_add_response_header(resp, "Api-Version", API_VERSION_MAX_STR);
    MHD_add_response_header(resp, "Docker-Experimental", "false");
    MHD_add_response_header(resp, "Ostype", "linux");
    if (req->server->opts.server_header)
        MHD_add_response_header(resp, "Server", req->server->opts.server_header);
}

void
api_reply(struct api_request *req, unsigned int status, const char *content_type,
          const void *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    api_reply_set(req, status, resp);
}

void
api_reply_fd(struct api_request *req, unsigned int status, const char *content_type, int fd,
             uint64_t size)
{
    struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);

    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    api_reply_set(req, status, resp);
}

void
api_reply_json(struct api_request *req, unsigned int status, struct json_object *json)
{
    size_t len;
    const char *text = json_object_to_json_string_length(
        json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *line = xmalloc(len + 2);
    struct MHD_Response *resp;

    memcpy(line, text, len);
    line[len] = '\n';   /* Go's json.Encoder ends each value with a newline */
    json_object_put(json);
    /* MHD takes the buffer (and frees it): one copy of a large listing, not two */
    resp = MHD_create_response_from_buffer(len + 1, line, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    api_reply_set(req, status, resp);
}

void
api_reply_empty(struct api_request *req, unsigned int status)
{
    api_reply(req, status, NULL, "", 0);
}

void
api_reply_message(struct api_request *req, unsigned int status, const char *fmt, ...)
{
    struct json_object *o = json_object_new_object();
    cleanup_free char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    json_add_string(o, "message", msg);
    api_reply_json(req, status, o);
}

void
api_reply_error(struct api_request *req, dctl_error_t err)
{
    unsigned int status = api_error_status(err ? err->kind : DCTL_ERR_INTERNAL);
    cleanup_free char *text = dctl_error_text(err);

    if (status >= 500)
        log_error("api %s: %u %s", req->url, status, text);
    else
        log_debug("api %s: %u %s", req->url, status, text);
    if (status == 304)
        api_reply_empty(req, status);
    else
        api_reply_message(req, status, "%s", text);
    dctl_error_free(err);
}

void
api_reply_header(struct api_request *req, const char *name, const char *value)
{
    if (req->response)
        MHD_add_response_header(req->response, name, value);
}

void
api_request_suspend(struct api_request *req)
{
    if (req->suspended)
        return;
    req->suspended = true;
    req->parked_next = req->server->parked;
    if (req->parked_next)
        req->parked_next->parked_prev = req;
    req->server->parked = req;
    MHD_suspend_connection(req->conn);
}

void
api_request_resume(struct api_request *req)
{
    if (!req->suspended)
        return;
    req->suspended = false;
    api_request_unpark(req);
    MHD_resume_connection(req->conn);
    api_listener_kick(req->listener);
}

/* ---- streams ----------------------------------------------------------- */

static void
api_stream_wake(struct api_stream *st)
{
    if (!st->suspended)
        return;
    st->suspended = false;
    if (st->closed_ev)
        event_del(st->closed_ev);
    MHD_resume_connection(st->conn);
    api_listener_kick(st->listener);
}

/* The client hung up while the stream was parked: MHD would not notice until
 * the next write, so wake it and let the reader fail the response. */
static void
api_stream_closed_cb(evutil_socket_t fd, short what, void *arg)
{
    struct api_stream *st = arg;

    (void)fd;
    (void)what;
    log_debug("api: stream client went away");
    st->gone = true;
    api_stream_wake(st);
}

static ssize_t
api_stream_reader_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct api_stream *st = cls;
    size_t n = evbuffer_get_length(st->buf);
    const union MHD_ConnectionInfo *ci;

    (void)pos;
    if (st->gone)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n > 0) {
        if (n > max)
            n = max;
        evbuffer_remove(st->buf, buf, n);
        if (st->on_drain && evbuffer_get_length(st->buf) <= st->drain_low)
            st->on_drain(st->drain_arg);
        return (ssize_t)n;
    }
    if (st->ended)
        return MHD_CONTENT_READER_END_OF_STREAM;
    /* nothing yet: park until the producer writes, watching for a hang-up */
    st->suspended = true;
    MHD_suspend_connection(st->conn);
    ci = MHD_get_connection_info(st->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci && st->closed_ev == NULL)
        st->closed_ev = event_new(st->listener->server->base, ci->connect_fd, EV_CLOSED,
                                  api_stream_closed_cb, st);
    if (st->closed_ev)
        event_add(st->closed_ev, NULL);
    return 0;
}

static void
api_stream_free_cb(void *cls)
{
    struct api_stream *st = cls;
    struct api_server *s = st->listener->server;

    if (st->prev)
        st->prev->next = st->next;
    else if (s->streams == st)
        s->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    if (st->on_close)
        st->on_close(st->arg);
    if (st->closed_ev)
        event_free(st->closed_ev);
    evbuffer_free(st->buf);
    free(st);
}

struct api_stream *
api_stream_new(struct api_request *req, const char *content_type, api_stream_close_cb on_close,
               void *arg)
{
    struct api_stream *st = xcalloc(1, sizeof *st);
    struct MHD_Response *resp;

    st->listener = req->listener;
    st->conn = req->conn;
    st->buf = evbuffer_new();
    st->on_close = on_close;
    st->arg = arg;
    st->next = req->server->streams;
    if (st->next)
        st->next->prev = st;
    req->server->streams = st;
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, api_stream_reader_cb,
                                             st, api_stream_free_cb);
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    api_reply_set(req, 200, resp);
    return st;
}

void
api_stream_write(struct api_stream *st, const void *data, size_t len)
{
    if (st->ended || st->gone)
        return;
    evbuffer_add(st->buf, data, len);
    api_stream_wake(st);
}

void
api_stream_end(struct api_stream *st)
{
    st->ended = true;
    api_stream_wake(st);
}

void
api_stream_abort(struct api_stream *st)
{
    st->gone = true;
    api_stream_wake(st);
}

void
api_stream_set_drain(struct api_stream *st, size_t low, api_stream_drain_cb cb, void *arg)
{
    st->drain_low = low;
    st->on_drain = cb;
    st->drain_arg = arg;
}

size_t
api_stream_pending(const struct api_stream *st)
{
    return evbuffer_get_length(st->buf);
}

/* ---- hijacked connections ------------------------------------------------ */

struct api_hijack {
    struct api_listener *listener;
    struct MHD_UpgradeResponseHandle *urh;
    api_hijack_cb cb;
    void *arg;
    bool closed;
    /* a client that did not ask to upgrade: its connection, suspended, carries the
     * stream after our own "200 OK" head; resumed at the end, then closed */
    struct api_request *plain;
    struct event *plain_ev;
    int plain_fd;
};

static void
api_hijack_free(struct api_hijack *h)
{
    if (h && h->plain_ev)
        event_free(h->plain_ev);
    free(h);
}

static void
api_upgrade_cb(void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra,
               size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    struct api_hijack *h = cls;

    (void)conn;
    (void)req_cls;
    h->urh = urh;
    h->cb(h->arg, h, sock, extra, extra_len);
}

static void
api_hijack_plain_cb(evutil_socket_t fd, short what, void *arg)
{
    struct api_hijack *h = arg;

    (void)fd;
    (void)what;
    h->cb(h->arg, h, h->plain_fd, NULL, 0);
}

/* The older clients' way (HTTP-NOTES.md, "Hijack"): our own head on MHD's socket of a
 * suspended connection, then the stream; the callback runs from the loop, not from
 * inside MHD's. */
static void
api_reply_hijack_plain(struct api_request *req, struct api_hijack *h, const char *content_type)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    cleanup_free char *head = NULL;
    size_t off = 0, len;

    if (ci == NULL) {
        api_reply_message(req, 500, "internal error: no socket for the stream");
        return;
    }
    head = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nApi-Version: %s\r\n"
                     "Docker-Experimental: false\r\nOstype: linux\r\n%s%s%s\r\n",
                     content_type, API_VERSION_MAX_STR,
                     req->server->opts.server_header ? "Server: " : "",
                     req->server->opts.server_header ? req->server->opts.server_header : "",
                     req->server->opts.server_header ? "\r\n" : "");
    len = strlen(head);
    while (off < len) {   /* a fresh connection's send buffer takes a head at once */
        ssize_t n = send(ci->connect_fd, head + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (off < len) {
        api_reply_message(req, 500, "internal error: cannot write the stream's head");
        return;
    }
    h->plain = req;
    h->plain_fd = ci->connect_fd;
    req->status = 200;
    log_debug("api %s: 200 (stream without upgrade)", req->url);
    api_request_suspend(req);
    h->plain_ev = evtimer_new(req->server->base, api_hijack_plain_cb, h);
    event_active(h->plain_ev, EV_TIMEOUT, 0);
}

void
api_reply_hijack(struct api_request *req, const char *content_type, api_hijack_cb cb, void *arg)
{
    struct api_hijack *h = xcalloc(1, sizeof *h);
    struct MHD_Response *resp;

    h->listener = req->listener;
    h->cb = cb;
    h->arg = arg;
    h->plain_fd = -1;
    api_hijack_free(req->hijack);
    req->hijack = h;
    if (!api_request_upgrade_asked(req)) {
        api_reply_hijack_plain(req, h, content_type);
        return;
    }
    resp = MHD_create_response_for_upgrade(api_upgrade_cb, h);
    MHD_add_response_header(resp, "Upgrade", "tcp");
    MHD_add_response_header(resp, "Content-Type", content_type);
    api_reply_set(req, 101, resp);
}

bool
api_request_upgrade_asked(const struct api_request *req)
{
    const char *up = api_header(req, "Upgrade"), *conn = api_header(req, "Connection");

    return up && conn && strcasestr(conn, "upgrade") != NULL;
}

void
api_hijack_close(struct api_hijack *h)
{
    if (h == NULL || h->closed)
        return;
    if (h->plain) {   /* the next handler call answers MHD_NO: MHD closes the socket */
        h->closed = true;
        api_request_resume(h->plain);
        return;
    }
    if (h->urh == NULL)
        return;
    h->closed = true;
    MHD_upgrade_action(h->urh, MHD_UPGRADE_ACTION_CLOSE);
    api_listener_kick(h->listener);
}

/* ---- MHD callbacks ----------------------------------------------------- */

static void
api_route_request(struct api_request *req)
{
    enum api_prefix pfx;
    enum router_result rr;
    char vstr[16];
    const char *rest;

    pfx = api_path_split_version(req->url, &req->version, &rest, vstr, sizeof vstr);
    req->path = rest;
    switch (pfx) {
    case API_PREFIX_NONE:
        req->version = API_VERSION_MAX;
        break;
    case API_PREFIX_OK:
        break;
    case API_PREFIX_TOO_NEW:
        api_reply_message(req, 400,
                          "client version %s is too new. Maximum supported API version is %s",
                          vstr, API_VERSION_MAX_STR);
        return;
    case API_PREFIX_TOO_OLD:
        api_reply_message(req, 400,
                          "client version %s is too old. Minimum supported API version is %s, "
                          "please upgrade your client to a newer version",
                          vstr, API_VERSION_MIN_STR);
        return;
    case API_PREFIX_MALFORMED:
        api_reply_message(req, 404, "page not found");
        return;
    }
    /* an unknown method (0) matches no route: 405 on a known path, else 404 */
    rr = router_lookup(req->server->router, req->method, req->path, &req->match);
    if (rr == ROUTER_NOT_FOUND)
        api_reply_message(req, 404, "page not found");
    else if (rr == ROUTER_BAD_METHOD)
        api_reply_message(req, 405, "method not allowed");
    else if (req->match.route->body_limit)
        req->body_limit = req->match.route->body_limit;
}

static enum MHD_Result
api_queue(struct api_request *req)
{
    struct MHD_Response *resp = req->response;
    enum MHD_Result ret;

    req->response = NULL;
    ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    log_debug("api %s: %u", req->url, req->status);
    return ret;
}

static enum MHD_Result
api_access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
              const char *version, const char *upload_data, size_t *upload_data_size,
              void **con_cls)
{
    struct api_listener *l = cls;
    struct api_request *req = *con_cls;
    dctl_error_t err = NULL;

    (void)version;
    if (req == NULL) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        const char *clen;

        if (ci && ci->socket_context)
            ((struct api_conn *)ci->socket_context)->in_request = true;
        req = api_request_new(l, conn, url, method);
        *con_cls = req;
        api_route_request(req);
        clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (req->response == NULL && clen && strtoull(clen, NULL, 10) > req->body_limit) {
            api_reply_message(req, 413, "request body too large: %s bytes, the limit is %zu",
                              clen, req->body_limit);
            return api_queue(req);   /* before the body: MHD closes after it */
        }
        if (req->response && clen && strtoull(clen, NULL, 10) > API_BODY_DISCARD_MAX)
            return api_queue(req);   /* an error, and too much body to drop */
        if (req->response == NULL && req->match.route->body_limit == API_BODY_STREAM) {
            req->dispatched = true;
            if (req->match.route->handler(req, &err) < 0)
                api_reply_error(req, err);
        }
        return MHD_YES;
    }
    if (req->suspended)   /* MHD calls again after a suspend during uploads */
        return MHD_YES;
    if (req->hijack && req->hijack->plain)   /* a stream without upgrade has ended */
        return MHD_NO;
    if (*upload_data_size) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        if (req->response) {
            /* an error is waiting: drop the body, within a bound, and reply once it
             * is all in (MHD queues nothing in the middle of a body) */
            req->discarded += n;
            if (req->discarded <= API_BODY_DISCARD_MAX)
                return MHD_YES;
            log_debug("api %s: %zu body bytes after an error reply; closing", req->url,
                      req->discarded);
            return MHD_NO;
        }
        if (req->body_cb) {
            req->body_cb(req, upload_data, n);
            return MHD_YES;
        }
        if (req->body_len + n > req->body_limit) {
            /* chunked: the size shows only now */
            free(req->body);
            req->body = NULL;
            req->body_len = 0;
            req->discarded = n;
            api_reply_message(req, 413, "request body too large: the limit is %zu bytes",
                              req->body_limit);
            return MHD_YES;
        }
        req->body = xrealloc(req->body, req->body_len + n + 1);
        memcpy(req->body + req->body_len, upload_data, n);
        req->body_len += n;
        req->body[req->body_len] = '\0';
        return MHD_YES;
    }
    if (req->body_cb && !req->body_done && req->response == NULL) {
        req->body_done = true;
        req->body_cb(req, NULL, 0);
    }
    if (!req->dispatched && req->response == NULL) {
        req->dispatched = true;
        if (req->match.route->handler(req, &err) < 0)
            api_reply_error(req, err);
    }
    if (req->response)
        return api_queue(req);
    if (req->suspended)
        return MHD_YES;
    log_error("api %s: handler gave no reply", req->url);
    api_reply_message(req, 500, "internal error: no reply");
    return api_queue(req);
}

static void
api_completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                 enum MHD_RequestTerminationCode toe)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    struct api_request *req = *con_cls;

    (void)toe;
    /* an upgraded (hijacked) connection is not HTTP any more: never swept */
    if (ci && ci->socket_context && !(req && req->status == 101)) {
        struct api_conn *c = ci->socket_context;

        c->in_request = false;   /* the next head's time starts now */
        c->head_since = util_now_ns();
    }
    api_request_free(*con_cls);
    *con_cls = NULL;
    {
        struct api_listener *l = cls;
        struct timeval tv = { API_TRIM_DELAY_S, 0 };

        evtimer_add(l->server->trim_ev, &tv);   /* re-arms: the last request counts */
    }
}

static void
api_conn_notify_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
                   enum MHD_ConnectionNotificationCode toe)
{
    struct api_listener *l = cls;
    struct api_server *s = l->server;
    struct api_conn *c = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        c = xcalloc(1, sizeof *c);
        c->fd = ci ? ci->connect_fd : -1;
        c->head_since = util_now_ns();
        c->next = s->conns;
        if (c->next)
            c->next->prev = c;
        s->conns = c;
        *socket_context = c;
        return;
    }
    if (c == NULL)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
    *socket_context = NULL;
}

/* Once a second: a connection whose request head has taken longer than the
 * idle timeout (idle keep-alive ones included, which MHD closes first anyway)
 * is shut down; MHD then sees the end of the stream and closes it. */
static void
api_server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    struct api_server *s = arg;
    long long limit = (long long)s->opts.idle_timeout * 1000000000LL;
    long long now = util_now_ns();
    struct api_conn *c;

    (void)fd;
    (void)what;
    for (c = s->conns; c; c = c->next) {
        if (c->in_request || c->fd < 0 || now - c->head_since <= limit)
            continue;
        log_debug("api: connection %d sent no whole request in %u s; closing", c->fd,
                  s->opts.idle_timeout);
        shutdown(c->fd, SHUT_RDWR);
        c->fd = -1;   /* once */
    }
}

static void
api_mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (log_get_level() >= DCTL_LOG_DEBUG)
        log_vwrite(DCTL_LOG_DEBUG, "mhd: ", fmt, ap);
}

/* ---- listeners --------------------------------------------------------- */

/* Looks the socket's group up in /etc/group itself, as dockerd does: getgrnam()
 * would load the NSS modules (libnss_systemd and its libraries, ~360 KiB of
 * RSS for the daemon's whole life) when the group is not in the file. */
static bool
api_group_lookup(const char *name, gid_t *gid)
{
    cleanup_file FILE *fp = fopen("/etc/group", "re");
    struct group *gr;

    if (fp == NULL)
        return false;
    while ((gr = fgetgrent(fp)) != NULL) {
        if (strcmp(gr->gr_name, name) == 0) {
            *gid = gr->gr_gid;
            return true;
        }
    }
    return false;
}

static int
api_listen_unix(const char *path, dctl_error_t *err)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    cleanup_close int fd = -1;
    gid_t gid;

    if (strlen(path) >= sizeof sun.sun_path)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "socket path too long: %s", path);
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "socket");
    if (unlink(path) < 0 && errno != ENOENT)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "remove stale socket %s", path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "bind %s", path);
    if (api_group_lookup("dctl", &gid) && chown(path, (uid_t)-1, gid) < 0)
        log_warn("api: chown %s to group dctl: %s", path, strerror(errno));
    if (chmod(path, 0660) < 0 || listen(fd, 1024) < 0) {
        int e = errno;

        unlink(path);   /* the bind made it */
        return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "listen on %s", path);
    }
    return steal_fd(&fd);
}

static bool
api_addr_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(a))
            return a->s6_addr[12] == 127;
    }
    return false;
}

static int
api_listen_tcp(const char *hostport, bool *ipv6, dctl_error_t *err)
{
    cleanup_free char *host = NULL;
    const char *port, *colon;
    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                              .ai_socktype = SOCK_STREAM };
    struct addrinfo *ai = NULL;
    cleanup_close int fd = -1;
    int one = 1, rc;

    if (hostport[0] == '[') {
        const char *close = strchr(hostport, ']');
        if (close == NULL || close[1] != ':')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid TCP address: %s", hostport);
        host = xstrndup(hostport + 1, (size_t)(close - hostport - 1));
        port = close + 2;
    } else {
        colon = strrchr(hostport, ':');
        if (colon == NULL)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid TCP address %s: a port is required", hostport);
        host = xstrndup(hostport, (size_t)(colon - hostport));
        port = colon + 1;
    }
    if (*host == '\0') {
        free(host);
        host = xstrdup("0.0.0.0");
    } else if (strcmp(host, "localhost") == 0) {
        free(host);
        host = xstrdup("127.0.0.1");
    }
    rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid TCP address %s: %s", hostport,
                              gai_strerror(rc));
    if (!api_addr_is_loopback(ai->ai_addr)) {
        freeaddrinfo(ai);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "refusing to listen on tcp://%s without TLS: plain TCP is allowed "
                              "only on a loopback address (127.0.0.1 or [::1])",
                              hostport);
    }
    *ipv6 = ai->ai_family == AF_INET6;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "socket");
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        int e = errno;
        freeaddrinfo(ai);
        return dctl_error_set(err, DCTL_ERR_INVALID, e, "listen on tcp://%s", hostport);
    }
    freeaddrinfo(ai);
    if (listen(fd, 1024) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "listen on tcp://%s", hostport);
    return steal_fd(&fd);
}

int
api_server_listen(struct api_server *s, const char *addr, dctl_error_t *err)
{
    struct api_listener *l;
    const union MHD_DaemonInfo *info;
    unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_ALLOW_UPGRADE;
    bool ipv6 = false;
    int fd;

    if (util_has_prefix(addr, "unix://")) {
        fd = api_listen_unix(addr + 7, err);
    } else if (util_has_prefix(addr, "tcp://")) {
        fd = api_listen_tcp(addr + 6, &ipv6, err);
    } else {
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid host %s: use unix:///path or tcp://HOST:PORT", addr);
    }
    if (fd < 0)
        return -1;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    l = xcalloc(1, sizeof *l);
    l->server = s;
    l->addr = xstrdup(addr);
    if (util_has_prefix(addr, "unix://"))
        l->unix_path = xstrdup(addr + 7);
    l->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, api_access_cb, l, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_NOTIFY_COMPLETED, api_completed_cb, l, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)API_CONNECTION_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT, s->opts.idle_timeout,
        MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log_cb, l, MHD_OPTION_NOTIFY_CONNECTION,
        api_conn_notify_cb, l, MHD_OPTION_END);
    if (l->mhd == NULL) {
        close(fd);
        if (l->unix_path)
            unlink(l->unix_path);
        free(l->unix_path);
        free(l->addr);
        free(l);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "start HTTP server on %s", addr);
    }
    info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    l->io_ev = event_new(s->base, info->epoll_fd, EV_READ | EV_PERSIST, api_listener_io_cb, l);
    l->timer_ev = evtimer_new(s->base, api_listener_io_cb, l);
    event_add(l->io_ev, NULL);
    s->listeners = xrealloc(s->listeners, (s->nlisteners + 1) * sizeof *s->listeners);
    s->listeners[s->nlisteners++] = l;
    log_info("api: listening on %s", addr);
    api_listener_kick(l);
    return 0;
}

static void
api_server_trim_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    malloc_trim(0);
}

struct api_server *
api_server_new(struct dctld *dctld, struct event_base *base, const struct router *router,
               const struct api_server_options *opts)
{
    struct api_server *s = xcalloc(1, sizeof *s);

    s->dctld = dctld;
    s->base = base;
    s->router = router;
    s->opts = *opts;
    s->server_header = opts->server_header ? xstrdup(opts->server_header) : NULL;
    s->opts.server_header = s->server_header;
    s->trim_ev = evtimer_new(base, api_server_trim_cb, s);
    if (s->opts.idle_timeout) {
        struct timeval tv = { 1, 0 };

        s->sweep_ev = event_new(base, -1, EV_PERSIST, api_server_sweep_cb, s);
        event_add(s->sweep_ev, &tv);
    }
    return s;
}

void
api_server_quiesce(struct api_server *s)
{
    struct api_stream *st;
    size_t i;

    for (st = s->streams; st; st = st->next)
        api_stream_end(st);

    for (i = 0; i < s->nlisteners; i++) {
        struct api_listener *l = s->listeners[i];
        MHD_socket fd;

        if (l->quiesced)
            continue;
        l->quiesced = true;
        fd = MHD_quiesce_daemon(l->mhd);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        if (l->unix_path)
            unlink(l->unix_path);
        api_listener_kick(l);
    }
}

unsigned int
api_server_in_flight(const struct api_server *s)
{
    return s->in_flight;
}

size_t
api_server_nlisteners(const struct api_server *s)
{
    return s->nlisteners;
}

void
api_server_free(struct api_server *s)
{
    struct api_stream *st;
    size_t i;

    if (s == NULL)
        return;
    api_server_quiesce(s);
    /* MHD aborts the process when stopped with suspended connections: resume
     * them all, and MHD_stop_daemon then closes them */
    while (s->parked)
        api_request_resume(s->parked);
    for (st = s->streams; st; st = st->next)
        api_stream_abort(st);
    for (i = 0; i < s->nlisteners; i++) {
        struct api_listener *l = s->listeners[i];

        MHD_stop_daemon(l->mhd);
        event_free(l->io_ev);
        event_free(l->timer_ev);
        free(l->unix_path);
        free(l->addr);
        free(l);
    }
    if (s->sweep_ev)
        event_free(s->sweep_ev);
    event_free(s->trim_ev);
    free(s->listeners);
    free(s->server_header);
    free(s);
}
