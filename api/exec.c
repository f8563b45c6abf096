/* api/exec.c - the Exec endpoints: POST /containers/{id}/exec, POST /exec/{id}/start
 * (detached, or hijacked: 101 UPGRADED with Upgrade: tcp, or the plain 200 stream for
 * clients that do not ask to upgrade), POST /exec/{id}/resize, GET /exec/{id}/json.
 *
 * A hijacked start bridges the client's connection and the exec driver's stream
 * socket of the session (daemon/exec.c): what the client sends is the process's
 * stdin (detach keys stop the bridge and leave the process running), its half-close
 * ends that stdin; the driver's bytes (raw with a TTY, else Docker's 8-byte frames)
 * go to the client, which is closed once the process has ended and its output is
 * sent. */
#include <config.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/exec.h"
#include "daemon/spec.h"
#include "detach.h"
#include "lib/frames.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

static struct exec_store *
exec_api_store(struct api_request *req, dctl_error_t *err)
{
    if (req->dctld->execs == NULL)
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    return req->dctld->execs;
}

static struct exec_session *
exec_api_lookup(struct api_request *req, dctl_error_t *err)
{
    struct exec_store *s = exec_api_store(req, err);

    return s ? exec_lookup(s, api_param(req, 0), err) : NULL;
}

/* ---- POST /containers/{id}/exec --------------------------------------------------- */

static int
exec_create_handler(struct api_request *req, dctl_error_t *err)
{
    struct exec_store *s = exec_api_store(req, err);
    cleanup_json struct json_object *body = NULL;
    struct exec_session *x;
    struct container *c;
    struct json_object *o;

    if (s == NULL || api_body_json(req, false, &body, err) < 0)
        return -1;
    c = container_lookup(req->dctld->containers, api_param(req, 0), err);
    if (c == NULL)
        return -1;
    x = exec_create(s, c, body, err);
    if (x == NULL)
        return -1;
    o = json_object_new_object();
    json_add_string(o, "Id", x->id);
    api_reply_json(req, 201, o);
    return 0;
}

/* ---- POST /exec/{id}/start ---------------------------------------------------------- */

/* A start and, unless detached, its bridge. Owner: the request (req->data), until the
 * request is completed (after api_hijack_close for a bridge). */
struct exec_api_start {
    struct api_request *req;
    struct dctld *d;
    struct exec_session *x;       /* a reference */
    struct api_hijack *h;
    bool detach, tty, in, out;
    bool upgraded, started, failed, closing, client_eof, suspended;
    bool start_pending, orphan;   /* the request went first: the start's callback frees */
    struct exec_listener ended;   /* the stream closes once the exit code is recorded */
    int fd;                       /* the driver's stream socket, until bridged */
    dctl_error_t start_err;       /* a failed start, once upgraded: written, then closed */
    struct bufferevent *client, *shim;
    struct evbuffer *pending_in;  /* stdin before the process runs */
    struct api_detach detach_keys;
};

static void
exec_api_start_free(void *data)
{
    struct exec_api_start *st = data;

    if (st->start_pending) {   /* the client left before the start came back */
        st->orphan = true;
        st->req = NULL;
        st->h = NULL;
        return;
    }
    if (st->client)
        bufferevent_free(st->client);
    if (st->shim)
        bufferevent_free(st->shim);
    if (st->fd >= 0)
        close(st->fd);
    if (st->pending_in)
        evbuffer_free(st->pending_in);
    dctl_error_free(st->start_err);
    exec_unlisten(st->x, &st->ended);
    exec_session_unref(st->x);
    free(st);
}

static void
exec_api_finish(struct exec_api_start *st)
{
    if (st->client) {
        bufferevent_free(st->client);
        st->client = NULL;
    }
    if (st->shim) {
        bufferevent_free(st->shim);
        st->shim = NULL;
    }
    api_hijack_close(st->h);   /* the request, and st with it, go later */
}

static void
exec_api_flushed_cb(struct bufferevent *bev, void *arg)
{
    struct exec_api_start *st = arg;

    (void)bev;
    exec_api_finish(st);
}

/* Ends the bridge once what the client is owed is sent. */
static void
exec_api_close(struct exec_api_start *st)
{
    if (st->closing)
        return;
    st->closing = true;
    if (st->shim) {   /* the process goes on without its client (detach keys) */
        bufferevent_free(st->shim);
        st->shim = NULL;
    }
    if (st->client && evbuffer_get_length(bufferevent_get_output(st->client)) > 0) {
        bufferevent_setwatermark(st->client, EV_WRITE, 0, 0);
        bufferevent_setcb(st->client, NULL, exec_api_flushed_cb, NULL, st);
        bufferevent_disable(st->client, EV_READ);
        return;
    }
    exec_api_finish(st);
}

static void
exec_api_input(void *arg, const unsigned char *data, size_t len)
{
    struct exec_api_start *st = arg;

    if (st->shim)
        bufferevent_write(st->shim, data, len);
    else
        evbuffer_add(st->pending_in, data, len);
}

/* The client's half-close reaches the process once its stdin bytes have. */
static void
exec_api_shim_written_cb(struct bufferevent *bev, void *arg)
{
    struct exec_api_start *st = arg;

    if (st->client_eof && !st->tty && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
exec_api_client_read_cb(struct bufferevent *bev, void *arg)
{
    struct exec_api_start *st = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    unsigned char buf[4096];
    int n;

    while (!st->closing && (n = evbuffer_remove(in, buf, sizeof buf)) > 0) {
        if (!st->in)
            continue;
        /* detach keys work on an exec with a TTY, as docker exec -it */
        if (st->tty && api_detach_feed(&st->detach_keys, buf, (size_t)n, exec_api_input, st)) {
            exec_api_close(st);
            return;
        }
        if (!st->tty)
            exec_api_input(st, buf, (size_t)n);
    }
}

static void
exec_api_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct exec_api_start *st = arg;

    (void)bev;
    if (what & BEV_EVENT_EOF) {   /* half-close: stdin ends, output goes on */
        st->client_eof = true;
        bufferevent_disable(st->client, EV_READ);
        if (st->shim)
            exec_api_shim_written_cb(st->shim, st);
        if (!st->out)
            exec_api_close(st);
        return;
    }
    if (what & BEV_EVENT_ERROR) {   /* the client is gone; the process goes on */
        st->closing = true;
        exec_api_finish(st);
    }
}

static void
exec_api_shim_read_cb(struct bufferevent *bev, void *arg)
{
    struct exec_api_start *st = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    if (st->client && !st->closing)
        bufferevent_write_buffer(st->client, in);
    else
        evbuffer_drain(in, evbuffer_get_length(in));
}

static void
exec_api_ended_cb(void *arg, struct exec_session *x)
{
    (void)x;
    exec_api_close(arg);
}

/* The process ended and its output is sent: the client's stream ends once the exit
 * code is recorded (the driver tells it on another connection), so that an inspect
 * right after the end shows it, as with dockerd. */
static void
exec_api_shim_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct exec_api_start *st = arg;

    (void)bev;
    if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
        return;
    bufferevent_disable(st->shim, EV_READ | EV_WRITE);
    st->ended.cb = exec_api_ended_cb;
    st->ended.arg = st;
    exec_listen(st->x, &st->ended);
}

/* Writes a failed start's message as dockerd does (on stdout, "\r\n" ended), then ends. */
static void
exec_api_write_error(struct exec_api_start *st)
{
    cleanup_free char *text = dctl_error_text(st->start_err);
    cleanup_free char *line = xasprintf("%s\r\n", text);
    size_t len = strlen(line);

    if (!st->tty) {
        uint8_t hdr[FRAMES_HEADER];

        frames_header(hdr, 1, (uint32_t)len);
        bufferevent_write(st->client, hdr, sizeof hdr);
    }
    bufferevent_write(st->client, line, len);
    exec_api_close(st);
}

/* Both the upgrade and the start are done: bridge, or report the failure. */
static void
exec_api_bridge(struct exec_api_start *st)
{
    if (!st->upgraded || !(st->started || st->failed) || st->closing)
        return;
    if (st->failed) {
        exec_api_write_error(st);
        return;
    }
    if (st->fd < 0) {   /* no streams were asked for */
        exec_api_close(st);
        return;
    }
    st->shim = bufferevent_socket_new(st->d->base, st->fd, BEV_OPT_CLOSE_ON_FREE);
    st->fd = -1;
    bufferevent_setcb(st->shim, exec_api_shim_read_cb, exec_api_shim_written_cb,
                      exec_api_shim_event_cb, st);
    bufferevent_enable(st->shim, EV_READ | EV_WRITE);
    if (evbuffer_get_length(st->pending_in))
        bufferevent_write_buffer(st->shim, st->pending_in);
    else if (st->client_eof && !st->tty)
        shutdown(bufferevent_getfd(st->shim), SHUT_WR);
}

static void
exec_api_started_cb(void *arg, struct exec_session *x, int status, int fd, dctl_error_t err)
{
    struct exec_api_start *st = arg;

    (void)x;
    st->start_pending = false;
    if (st->orphan) {
        if (fd >= 0)
            close(fd);
        dctl_error_free(err);
        exec_api_start_free(st);
        return;
    }
    if (st->detach) {   /* the answer is the start's result */
        if (status < 0)
            api_reply_error(st->req, err);
        else
            api_reply_empty(st->req, 200);
        if (fd >= 0)
            close(fd);
        api_request_resume(st->req);
        return;
    }
    st->fd = fd;
    if (status < 0) {
        st->failed = true;
        st->start_err = err;
    } else {
        st->started = true;
        dctl_error_free(err);
    }
    exec_api_bridge(st);
}

static void
exec_api_upgraded_cb(void *arg, struct api_hijack *h, int fd, const char *extra,
                     size_t extra_len)
{
    struct exec_api_start *st = arg;

    st->h = h;
    st->upgraded = true;
    st->client = bufferevent_socket_new(st->d->base, fd, 0);   /* MHD owns the fd */
    bufferevent_setcb(st->client, exec_api_client_read_cb, NULL, exec_api_client_event_cb, st);
    bufferevent_enable(st->client, EV_READ | EV_WRITE);
    if (extra_len)
        evbuffer_add(bufferevent_get_input(st->client), extra, extra_len);
    if (extra_len)
        exec_api_client_read_cb(st->client, st);
    exec_api_bridge(st);
}

static int
exec_start_handler(struct api_request *req, dctl_error_t *err)
{
    struct exec_session *x = exec_api_lookup(req, err);
    cleanup_json struct json_object *body = NULL;
    struct exec_api_start *st;
    struct json_object *size = NULL;
    unsigned int rows = 0, cols = 0;

    if (x == NULL || api_body_json(req, true, &body, err) < 0)
        return -1;
    if (body && !json_object_is_type(body, json_type_object))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "the start configuration must be an object");
    if (body && spec_exec_start_check(body, err) < 0)
        return -1;
    if (body && json_object_object_get_ex(body, "ConsoleSize", &size) && size) {
        rows = (unsigned int)json_object_get_int64(json_object_array_get_idx(size, 0));
        cols = (unsigned int)json_object_get_int64(json_object_array_get_idx(size, 1));
    }
    st = xcalloc(1, sizeof *st);
    st->req = req;
    st->d = req->dctld;
    st->x = exec_session_ref(x);
    st->fd = -1;
    st->detach = json_get_bool(body, "Detach", false);
    st->tty = json_get_bool(x->config, "Tty", false);
    st->in = json_get_bool(x->config, "AttachStdin", false);
    st->out = json_get_bool(x->config, "AttachStdout", false) ||
              json_get_bool(x->config, "AttachStderr", false);
    st->pending_in = evbuffer_new();
    if (api_detach_parse(json_get_string(x->config, "DetachKeys"), &st->detach_keys, err) < 0 ||
        exec_start(x, rows, cols, !st->detach, exec_api_started_cb, st, err) < 0) {
        exec_api_start_free(st);
        return -1;
    }
    st->start_pending = true;
    req->data = st;
    req->data_free = exec_api_start_free;
    if (st->detach) {
        api_request_suspend(req);
        return 0;
    }
    api_reply_hijack(req, st->tty ? "application/vnd.docker.raw-stream"
                                  : "application/vnd.docker.multiplexed-stream",
                     exec_api_upgraded_cb, st);
    return 0;
}

/* ---- POST /exec/{id}/resize, GET /exec/{id}/json ------------------------------------ */

static int
exec_resize_handler(struct api_request *req, dctl_error_t *err)
{
    struct exec_session *x = exec_api_lookup(req, err);
    long long h = 0, w = 0;

    if (x == NULL || api_query_int(req, "h", 0, &h, err) < 0 ||
        api_query_int(req, "w", 0, &w, err) < 0)
        return -1;
    if (h < 0 || w < 0 || h > 65535 || w > 65535)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid terminal size %lldx%lld", h, w);
    if (exec_resize(x, (unsigned int)h, (unsigned int)w, err) < 0)
        return -1;
    api_reply_empty(req, 200);
    return 0;
}

static int
exec_inspect_handler(struct api_request *req, dctl_error_t *err)
{
    struct exec_session *x = exec_api_lookup(req, err);

    if (x == NULL)
        return -1;
    api_reply_json(req, 200, exec_inspect(x));
    return 0;
}

const struct api_route api_exec_routes[] = {
    { API_POST, "/containers/{id}/exec", exec_create_handler, 0 },
    { API_POST, "/exec/{id}/start", exec_start_handler, 0 },
    { API_POST, "/exec/{id}/resize", exec_resize_handler, 0 },
    { API_GET, "/exec/{id}/json", exec_inspect_handler, 0 },
    { 0, NULL, NULL, 0 },
};
