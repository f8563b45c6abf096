/* tests/unit/test-worker.c - the worker pool: a request whose job sleeps 2 s does
 * not delay GET /_ping (a real api_server on a temp unix socket, driven by the
 * test's own loop); done callbacks run on the loop thread in order; freeing the
 * pool finishes the running job and fails the queued ones; freeing the server
 * with parked requests and streams neither hangs nor aborts; bad input over
 * HTTP (malformed JSON, bad query value, bodies over a route's limit) gets a
 * Docker-shaped error and the server keeps serving. */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "api/api.h"
#include "api/server.h"
#include "daemon/worker.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define SLOW_JOB_MS 2000
#define PING_BOUND_MS 500   /* generous: a ping takes well under 1 ms */
#define NPINGS 5

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- the test-only routes -------------------------------------------------- */

static struct worker_pool *test_pool;

struct slow_job {
    struct api_request *req;
    unsigned int ms;
};

static int
slow_job_run(void *job, dctl_error_t *err)
{
    struct slow_job *sj = job;

    (void)err;
    usleep(sj->ms * 1000);   /* blocking, as a layer unpack would be */
    return 0;
}

static void
slow_job_done_cb(void *job, int status, dctl_error_t err)
{
    struct slow_job *sj = job;

    if (status < 0) {
        api_reply_error(sj->req, err);
    } else {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "slept_ms", json_object_new_int(sj->ms));
        api_reply_json(sj->req, 200, o);
    }
    api_request_resume(sj->req);
    free(sj);
}

static int
slow_handler(struct api_request *req, dctl_error_t *err)
{
    struct slow_job *sj = xcalloc(1, sizeof *sj);

    sj->req = req;
    sj->ms = SLOW_JOB_MS;
    if (worker_submit(test_pool, slow_job_run, slow_job_done_cb, sj, err) < 0) {
        free(sj);
        return -1;
    }
    api_request_suspend(req);
    return 0;
}

/* Parks the request and never resumes it: only a shutdown ends it. */
static int
park_handler(struct api_request *req, dctl_error_t *err)
{
    (void)err;
    api_request_suspend(req);
    return 0;
}

static void
park_stream_close_cb(void *arg)
{
    (*(int *)arg)++;
}

static int parked_streams_closed;

/* A stream that never gets data: its reader parks the connection. */
static int
park_stream_handler(struct api_request *req, dctl_error_t *err)
{
    (void)err;
    api_stream_new(req, "application/json", park_stream_close_cb, &parked_streams_closed);
    return 0;
}

/* Echoes a JSON body and an integer query parameter: bad input over HTTP. */
static int
echo_handler(struct api_request *req, dctl_error_t *err)
{
    struct json_object *body = NULL, *o;
    long long n;

    if (api_query_int(req, "n", 7, &n, err) < 0 || api_body_json(req, false, &body, err) < 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "n", json_object_new_int64(n));
    json_object_object_add(o, "body", body);
    api_reply_json(req, 201, o);
    return 0;
}

static const struct api_route test_routes[] = {
    { API_POST, "/test/echo", echo_handler, 64 },
    { API_POST, "/test/slow", slow_handler, 0 },
    { API_GET, "/test/park", park_handler, 0 },
    { API_GET, "/test/park-stream", park_stream_handler, 0 },
    { 0, NULL, NULL, 0 },
};

/* ---- a raw HTTP client over the unix socket ------------------------------- */

static char sock_path[108];

static int
client_connect(void)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    strcpy(sun.sun_path, sock_path);
    if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int
client_send(int fd, const char *text)
{
    size_t off = 0, len = strlen(text);

    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* Reads one response with a Content-Length body into buf; its length, 0 when
 * the peer closed first, -1 on timeout or error. */
static ssize_t
client_read_response(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t used = 0;
    long long deadline = now_ms() + timeout_ms;

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        char *end = NULL;
        const char *cl;
        ssize_t n;
        int left = (int)(deadline - now_ms());

        buf[used] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end && (cl = strcasestr(buf, "\r\nContent-Length:")) != NULL && cl < end &&
            used >= (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10))
            return (ssize_t)used;
        if (left <= 0 || poll(&p, 1, left) <= 0 || used + 1 >= size)
            return -1;
        n = read(fd, buf + used, size - used - 1);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        used += (size_t)n;
    }
}

struct client_result {
    bool ok;
    char why[256];
    long long ping_ms[NPINGS];
    bool slow_pending_during_pings;
    long long slow_ms;
    char slow_reply[2048];
    int fds[2];   /* connections left open for the server to cut */
    int done_fd;  /* written when the client is finished */
};

static const char slow_request[] =
    "POST /v1.43/test/slow HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n";
static const char ping_request[] = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";

static void *
client_thread(void *arg)
{
    struct client_result *res = arg;
    char buf[2048];
    long long t0;
    int slow, ping, i;

    res->ok = false;
    slow = client_connect();
    ping = client_connect();
    if (slow < 0 || ping < 0) {
        snprintf(res->why, sizeof res->why, "connect: %s", strerror(errno));
        goto out;
    }
    t0 = now_ms();
    if (client_send(slow, slow_request) < 0) {
        snprintf(res->why, sizeof res->why, "send slow request");
        goto out;
    }
    usleep(100 * 1000);   /* let the slow request reach its job */
    res->slow_pending_during_pings = true;
    for (i = 0; i < NPINGS; i++) {
        struct pollfd p = { slow, POLLIN, 0 };
        long long t = now_ms();
        ssize_t n;

        if (client_send(ping, ping_request) < 0) {
            snprintf(res->why, sizeof res->why, "send ping %d", i);
            goto out;
        }
        n = client_read_response(ping, buf, sizeof buf, 5000);
        res->ping_ms[i] = now_ms() - t;
        if (n <= 0 || strncmp(buf, "HTTP/1.1 200", 12) != 0 || !strstr(buf, "\r\n\r\nOK")) {
            snprintf(res->why, sizeof res->why, "ping %d: bad reply (%zd): %.100s", i, n, buf);
            goto out;
        }
        if (poll(&p, 1, 0) != 0)
            res->slow_pending_during_pings = false;
        usleep(50 * 1000);
    }
    if (client_read_response(slow, res->slow_reply, sizeof res->slow_reply, 10000) <= 0) {
        snprintf(res->why, sizeof res->why, "no reply to the slow request");
        goto out;
    }
    res->slow_ms = now_ms() - t0;
    res->ok = true;
out:
    if (slow >= 0)
        close(slow);
    if (ping >= 0)
        close(ping);
    if (write(res->done_fd, "x", 1) < 0)
        abort();
    return NULL;
}

static void
loop_stop_cb(evutil_socket_t fd, short what, void *arg)
{
    char c;

    (void)what;
    if (read(fd, &c, 1) < 0)
        abort();
    event_base_loopbreak(arg);
}

static char tmpdir[64];

static void
tmpdir_setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dctl-test-worker.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(sock_path, sizeof sock_path, "%s/api.sock", tmpdir);
}

static void
tmpdir_teardown(void)
{
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", tmpdir);

    ck_assert_int_eq(system(cmd), 0);
}

struct harness {
    struct event_base *base;
    struct router *router;
    struct api_server *server;
};

static void
harness_start(struct harness *h)
{
    struct api_server_options opts = { .idle_timeout = 30, .server_header = "test" };
    cleanup_free char *addr = xasprintf("unix://%s", sock_path);
    dctl_error_t err = NULL;

    h->base = event_base_new();
    ck_assert_ptr_nonnull(h->base);
    test_pool = worker_pool_new(h->base, 2, &err);
    ck_assert_ptr_nonnull(test_pool);
    h->router = router_new();
    router_add(h->router, api_system_routes);
    router_add(h->router, test_routes);
    h->server = api_server_new(NULL, h->base, h->router, &opts);
    ck_assert_msg(api_server_listen(h->server, addr, &err) == 0, "listen: %s",
                  err ? err->msg : "?");
}

static void
harness_stop(struct harness *h)
{
    worker_pool_free(test_pool);   /* as dctld_free: jobs first, then the server */
    test_pool = NULL;
    api_server_free(h->server);
    router_free(h->router);
    event_base_free(h->base);
    ck_assert_int_ne(access(sock_path, F_OK), 0);   /* the socket file is gone */
}

/* Runs the loop until the client thread is done (or a minute passes). */
static void
harness_run_client(struct harness *h, void *(*fn)(void *), void *arg, int *done_fd)
{
    int pfd[2];
    struct event *ev;
    pthread_t t;
    struct timeval limit = { 60, 0 };

    ck_assert_int_eq(pipe(pfd), 0);
    *done_fd = pfd[1];
    ev = event_new(h->base, pfd[0], EV_READ, loop_stop_cb, h->base);
    event_add(ev, NULL);
    ck_assert_int_eq(pthread_create(&t, NULL, fn, arg), 0);
    event_base_loopexit(h->base, &limit);
    event_base_dispatch(h->base);
    pthread_join(t, NULL);
    event_free(ev);
    close(pfd[0]);
    close(pfd[1]);
}

START_TEST(test_worker_slow_job_does_not_delay_ping)
{
    struct harness h;
    struct client_result res;
    int i;

    memset(&res, 0, sizeof res);
    harness_start(&h);
    harness_run_client(&h, client_thread, &res, &res.done_fd);
    ck_assert_msg(res.ok, "client: %s", res.why);
    for (i = 0; i < NPINGS; i++)
        ck_assert_msg(res.ping_ms[i] < PING_BOUND_MS, "ping %d took %lld ms while a %d ms job ran",
                      i, res.ping_ms[i], SLOW_JOB_MS);
    ck_assert_msg(res.slow_pending_during_pings,
                  "the slow request was answered before the pings were done");
    /* the slow request got its own reply, and only after its job had run */
    ck_assert_msg(strncmp(res.slow_reply, "HTTP/1.1 200", 12) == 0, "%s", res.slow_reply);
    ck_assert_ptr_nonnull(strstr(res.slow_reply, "{\"slept_ms\":2000}"));
    ck_assert_ptr_nonnull(strstr(res.slow_reply, "Api-Version: 1.43"));
    ck_assert_int_ge(res.slow_ms, SLOW_JOB_MS - 50);
    ck_assert_uint_eq(api_server_in_flight(h.server), 0);
    harness_stop(&h);
}
END_TEST

/* Parked requests and streams at shutdown: the server cuts them (the client
 * sees the connection close) instead of hanging or tripping MHD's assertion
 * about suspended connections. */
static void *
park_client_thread(void *arg)
{
    struct client_result *res = arg;
    int a = client_connect(), b = client_connect();

    if (a < 0 || b < 0 || client_send(a, "GET /test/park HTTP/1.1\r\nHost: d\r\n\r\n") < 0 ||
        client_send(b, "GET /test/park-stream HTTP/1.1\r\nHost: d\r\n\r\n") < 0)
        snprintf(res->why, sizeof res->why, "connect or send failed");
    else
        res->ok = true;
    usleep(200 * 1000);   /* both parked by now; the sockets stay open */
    if (write(res->done_fd, "x", 1) < 0)
        abort();
    res->fds[0] = a;
    res->fds[1] = b;
    return NULL;
}

START_TEST(test_server_free_cuts_parked_requests)
{
    struct harness h;
    struct client_result res;
    char buf[4096];
    ssize_t n;
    int a, b;

    memset(&res, 0, sizeof res);
    parked_streams_closed = 0;
    harness_start(&h);
    harness_run_client(&h, park_client_thread, &res, &res.done_fd);
    ck_assert_msg(res.ok, "client: %s", res.why);
    ck_assert_uint_eq(api_server_in_flight(h.server), 2);
    a = res.fds[0];
    b = res.fds[1];
    harness_stop(&h);
    ck_assert_int_eq(parked_streams_closed, 1);
    /* both connections were closed by the server; the stream had sent its head */
    n = client_read_response(a, buf, sizeof buf, 5000);
    ck_assert_int_eq(n, 0);
    n = read(b, buf, sizeof buf - 1);
    while (n > 0)
        n = read(b, buf, sizeof buf - 1);
    ck_assert_int_eq(n, 0);
    close(a);
    close(b);
}
END_TEST

/* Bad input gets a Docker-shaped error, and the connection keeps serving. */
static const struct {
    const char *request;
    const char *status_line, *body;
} bad_inputs[] = {
    { "POST /test/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 8\r\n\r\n{\"a\": 1}",
      "HTTP/1.1 201", "{\"n\":7,\"body\":{\"a\":1}}\n" },
    { "POST /test/echo?n=-3 HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n[]",
      "HTTP/1.1 201", "{\"n\":-3,\"body\":[]}\n" },
    { "POST /test/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 7\r\n\r\n{\"a\": 1",
      "HTTP/1.1 400", "{\"message\":\"bad request body: unexpected EOF\"}\n" },
    { "POST /test/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 9\r\n\r\n{\"a\": 1}x",
      "HTTP/1.1 400",
      "{\"message\":\"bad request body: invalid JSON: unexpected data after the top-level value "
      "at offset 8\"}\n" },
    { "POST /test/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 400",
      "{\"message\":\"bad parameter: request body is empty\"}\n" },
    { "POST /test/echo?n=ten HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}",
      "HTTP/1.1 400",
      "{\"message\":\"invalid value for n: strconv.Atoi: parsing \\\"ten\\\": invalid syntax\"}\n" },
    /* over this route's 64-byte limit, announced and chunked */
    { "POST /test/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 65\r\n\r\n", "HTTP/1.1 413",
      "{\"message\":\"request body too large: 65 bytes, the limit is 64\"}\n" },
    { "POST /test/echo HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
      "28\r\n[1111111111111111111111111111111111111]\r\n"
      "28\r\n[2222222222222222222222222222222222222]\r\n0\r\n\r\n",
      "HTTP/1.1 413", "{\"message\":\"request body too large: the limit is 64 bytes\"}\n" },
    { "GET /test/echo HTTP/1.1\r\nHost: d\r\n\r\n", "HTTP/1.1 405",
      "{\"message\":\"method not allowed\"}\n" },
    { "GET /v1.99/_ping HTTP/1.1\r\nHost: d\r\n\r\n", "HTTP/1.1 400",
      "{\"message\":\"client version 1.99 is too new. Maximum supported API version is "
      "1.43\"}\n" },
};

struct bad_input_result {
    int done_fd;
    char replies[ARRAY_SIZE(bad_inputs)][1024];
    char ping[1024];
};

static void *
bad_input_client_thread(void *arg)
{
    struct bad_input_result *r = arg;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
        int fd = client_connect();

        if (fd >= 0 && client_send(fd, bad_inputs[i].request) == 0)
            client_read_response(fd, r->replies[i], sizeof r->replies[i], 5000);
        /* the server keeps answering, on a connection of its own */
        if (fd >= 0)
            close(fd);
    }
    {
        int fd = client_connect();

        if (fd >= 0 && client_send(fd, ping_request) == 0)
            client_read_response(fd, r->ping, sizeof r->ping, 5000);
        if (fd >= 0)
            close(fd);
    }
    if (write(r->done_fd, "x", 1) < 0)
        abort();
    return NULL;
}

START_TEST(test_server_bad_input)
{
    struct harness h;
    static struct bad_input_result r;
    size_t i;

    memset(&r, 0, sizeof r);
    harness_start(&h);
    harness_run_client(&h, bad_input_client_thread, &r, &r.done_fd);
    for (i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
        const char *body = strstr(r.replies[i], "\r\n\r\n");

        ck_assert_msg(strncmp(r.replies[i], bad_inputs[i].status_line,
                              strlen(bad_inputs[i].status_line)) == 0,
                      "case %zu: reply \"%.60s\", want %s", i, r.replies[i],
                      bad_inputs[i].status_line);
        ck_assert_msg(body && strcmp(body + 4, bad_inputs[i].body) == 0,
                      "case %zu: body \"%s\", want \"%s\"", i, body ? body + 4 : "",
                      bad_inputs[i].body);
    }
    ck_assert_msg(strstr(r.ping, "\r\n\r\nOK") != NULL, "ping after bad input: %s", r.ping);
    harness_stop(&h);
}
END_TEST

/* ---- the pool alone -------------------------------------------------------- */

struct order_job {
    int id;
    int *log;
    int *nlog;
    pthread_t loop_thread;
    bool on_loop;
    sem_t *started;
    unsigned int sleep_ms;
    bool ran;
    int status;
    dctl_error_t err;
};

static int
order_run(void *job, dctl_error_t *err)
{
    struct order_job *j = job;

    j->ran = true;
    if (j->started)
        sem_post(j->started);
    if (j->sleep_ms)
        usleep(j->sleep_ms * 1000);
    if (j->id == 3)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "job %d failed", j->id);
    return j->id;
}

static void
order_done_cb(void *job, int status, dctl_error_t err)
{
    struct order_job *j = job;

    j->on_loop = pthread_equal(pthread_self(), j->loop_thread);
    j->log[(*j->nlog)++] = j->id;
    j->status = status;
    j->err = err;   /* kept to be checked, freed by the test */
}

static void
order_check_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event_base *base = arg;

    (void)fd;
    (void)what;
    event_base_loopbreak(base);
}

START_TEST(test_worker_done_on_loop_in_order)
{
    struct event_base *base = event_base_new();
    dctl_error_t err = NULL;
    struct worker_pool *pool = worker_pool_new(base, 1, &err);
    struct order_job jobs[5];
    int log[5], nlog = 0, i;

    ck_assert_ptr_nonnull(pool);
    for (i = 0; i < 5; i++) {
        jobs[i] = (struct order_job){ .id = i, .log = log, .nlog = &nlog,
                                      .loop_thread = pthread_self() };
        ck_assert_int_eq(worker_submit(pool, order_run, order_done_cb, &jobs[i], &err), 0);
    }
    ck_assert_uint_eq(worker_pool_pending(pool), 5);
    /* nothing is done until the loop runs */
    usleep(100 * 1000);
    ck_assert_int_eq(nlog, 0);
    while (nlog < 5) {
        struct event *tick = evtimer_new(base, order_check_cb, base);
        struct timeval tv = { 0, 20000 };

        evtimer_add(tick, &tv);
        event_base_dispatch(base);
        event_free(tick);
    }
    ck_assert_uint_eq(worker_pool_pending(pool), 0);
    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(log[i], i);   /* one thread: FIFO */
        ck_assert(jobs[i].on_loop);
        if (i == 3) {
            ck_assert_int_eq(jobs[i].status, -1);
            ck_assert_int_eq(jobs[i].err->kind, DCTL_ERR_CONFLICT);
            ck_assert_str_eq(jobs[i].err->msg, "job 3 failed");
            dctl_error_free(jobs[i].err);
        } else {
            ck_assert_int_eq(jobs[i].status, i);
            ck_assert_ptr_null(jobs[i].err);
        }
    }
    worker_pool_free(pool);
    event_base_free(base);
}
END_TEST

START_TEST(test_worker_pool_free_fails_queued_jobs)
{
    struct event_base *base = event_base_new();
    dctl_error_t err = NULL;
    struct worker_pool *pool = worker_pool_new(base, 1, &err);
    struct order_job jobs[4];
    int log[4], nlog = 0, i;
    sem_t started;

    ck_assert_ptr_nonnull(pool);
    sem_init(&started, 0, 0);
    for (i = 0; i < 4; i++) {
        jobs[i] = (struct order_job){ .id = 10 + i, .log = log, .nlog = &nlog,
                                      .loop_thread = pthread_self() };
        if (i == 0) {
            jobs[i].started = &started;
            jobs[i].sleep_ms = 300;
        }
        ck_assert_int_eq(worker_submit(pool, order_run, order_done_cb, &jobs[i], &err), 0);
    }
    sem_wait(&started);   /* the first job is running, the others wait behind it */
    worker_pool_free(pool);
    /* every done ran, on this thread: the running job with its result, the
     * queued ones with an error and without having run */
    ck_assert_int_eq(nlog, 4);
    ck_assert(jobs[0].ran);
    ck_assert_int_eq(jobs[0].status, 10);
    ck_assert_ptr_null(jobs[0].err);
    for (i = 1; i < 4; i++) {
        ck_assert(!jobs[i].ran);
        ck_assert(jobs[i].on_loop);
        ck_assert_int_eq(jobs[i].status, -1);
        ck_assert_ptr_nonnull(jobs[i].err);
        ck_assert_int_eq(jobs[i].err->kind, DCTL_ERR_UNAVAILABLE);
        ck_assert_str_eq(jobs[i].err->msg, "daemon is shutting down");
        dctl_error_free(jobs[i].err);
        ck_assert_int_eq(log[i], 10 + i);
    }
    sem_destroy(&started);
    event_base_free(base);
}
END_TEST

START_TEST(test_worker_pool_free_null_and_idle)
{
    struct event_base *base = event_base_new();
    dctl_error_t err = NULL;
    struct worker_pool *pool = worker_pool_new(base, 0, &err);   /* 0 means 1 */

    worker_pool_free(NULL);
    ck_assert_ptr_nonnull(pool);
    ck_assert_uint_eq(worker_pool_pending(pool), 0);
    worker_pool_free(pool);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("worker");
    TCase *tp = tcase_create("pool");
    TCase *ts = tcase_create("server");
    SRunner *sr;
    int failed;

    tcase_add_test(tp, test_worker_done_on_loop_in_order);
    tcase_add_test(tp, test_worker_pool_free_fails_queued_jobs);
    tcase_add_test(tp, test_worker_pool_free_null_and_idle);
    suite_add_tcase(s, tp);
    tcase_add_checked_fixture(ts, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(ts, 60);
    tcase_add_test(ts, test_worker_slow_job_does_not_delay_ping);
    tcase_add_test(ts, test_server_free_cuts_parked_requests);
    tcase_add_test(ts, test_server_bad_input);
    suite_add_tcase(s, ts);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
