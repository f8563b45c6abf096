/* api/containers-stats.c - GET /containers/{id}/stats: Docker's stats objects, one-shot
 * or streamed (one per second, newline-delimited), with precpu_stats from the sample
 * before, so that `docker stats` computes its percentages as against dockerd.
 *
 * One hub for the daemon (dctld->stats, made with its first subscriber and freed after
 * its last): one timer ticking every second while anyone listens, and per tick one
 * worker job that reads the cgroup files of every container someone follows (the exec
 * driver's stats op), so that neither the reads nor their number weigh on the loop; the
 * done callback turns each sample into each subscriber's message. A new subscriber gets
 * a sample at once (a job of its own), then the hub's ticks; stream=false waits for a
 * second sample at least 0.9 s after the first (as dockerd's collector does, so that the
 * CPU figures cover a second), one-shot=true takes the first. A container that is not
 * running gets nothing streamed (stream=false: dockerd's empty object); a removed one
 * ends its streams. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/worker.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

#define STATS_INTERVAL_MS 1000
#define STATS_MIN_GAP_NS 900000000LL   /* between two samples of one subscriber */
#define STATS_PENDING_MAX (1 << 20)    /* a streaming client this far behind is cut */

struct stats_hub;

/* One GET /containers/{id}/stats. Owner: the hub's list; freed when its stream closes,
 * when its request is answered, or when its client leaves first. */
struct stats_sub {
    struct stats_sub *next;
    struct stats_hub *hub;
    struct container *c;          /* a reference */
    struct api_request *req;      /* stream=false, until answered; NULL once gone */
    struct api_stream *st;        /* stream=true */
    bool one_shot, ended;
    unsigned int samples;         /* taken so far */
    long long last_ns;            /* when the last was read */
    struct json_object *pre;      /* the last sample's cpu_stats, or NULL */
    char pre_read[48];
};

struct stats_hub {
    struct dctld *d;
    struct event *timer;
    struct stats_sub *subs;
    bool collecting;              /* a tick's job is in flight */
    unsigned int jobs;            /* jobs in flight (ticks and first samples) */
};

/* A batch of samples read in a job: its own copy of the IDs. */
struct stats_job {
    struct stats_hub *hub;
    const struct dctl_exec_ops *ops;
    void *priv;
    bool tick;                    /* the hub's tick (else a first sample) */
    size_t n;
    char (*ids)[65];
    char **json;                  /* per ID: the driver's JSON, or NULL */
    dctl_error_t *errs;
    long long read_ns;
};

static void stats_hub_maybe_free(struct stats_hub *hub);

/* ---- subscribers --------------------------------------------------------------------- */

static void
stats_sub_unlink(struct stats_sub *s)
{
    struct stats_sub **p;

    for (p = &s->hub->subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
}

static void
stats_sub_free(struct stats_sub *s)
{
    struct stats_hub *hub = s->hub;

    stats_sub_unlink(s);
    container_unref(s->c);
    if (s->pre)
        json_object_put(s->pre);
    free(s);
    stats_hub_maybe_free(hub);
}

static void
stats_stream_close_cb(void *arg)
{
    stats_sub_free(arg);
}

static void
stats_req_release(void *data)
{
    struct stats_sub *s = data;

    s->req = NULL;   /* the client left before the answer */
    stats_sub_free(s);
}

/* Docker's zero CPUStats, as precpu_stats before there is a previous sample. */
static struct json_object *
stats_zero_cpu(void)
{
    struct json_object *cpu = json_object_new_object(), *u = json_object_new_object();
    struct json_object *t = json_object_new_object();

    json_add_int64(u, "total_usage", 0);
    json_add_int64(u, "usage_in_kernelmode", 0);
    json_add_int64(u, "usage_in_usermode", 0);
    json_object_object_add(cpu, "cpu_usage", u);
    json_add_int64(t, "periods", 0);
    json_add_int64(t, "throttled_periods", 0);
    json_add_int64(t, "throttled_time", 0);
    json_object_object_add(cpu, "throttling_data", t);
    return cpu;
}

/* The object dockerd answers for a container that is not running (name and id only). */
static struct json_object *
stats_empty(const struct container *c)
{
    static const char *const bio[] = { "io_service_bytes_recursive", "io_serviced_recursive",
                                       "io_queue_recursive", "io_service_time_recursive",
                                       "io_wait_time_recursive", "io_merged_recursive",
                                       "io_time_recursive", "sectors_recursive" };
    struct json_object *o = json_object_new_object(), *b = json_object_new_object();
    size_t i;

    json_add_string(o, "read", "0001-01-01T00:00:00Z");
    json_add_string(o, "preread", "0001-01-01T00:00:00Z");
    json_object_object_add(o, "pids_stats", json_object_new_object());
    for (i = 0; i < ARRAY_SIZE(bio); i++)
        json_object_object_add(b, bio[i], NULL);
    json_object_object_add(o, "blkio_stats", b);
    json_add_int64(o, "num_procs", 0);
    json_object_object_add(o, "storage_stats", json_object_new_object());
    json_object_object_add(o, "cpu_stats", stats_zero_cpu());
    json_object_object_add(o, "precpu_stats", stats_zero_cpu());
    json_object_object_add(o, "memory_stats", json_object_new_object());
    json_add_string(o, "name", c->name);
    json_add_string(o, "id", c->id);
    return o;
}

/* The message for s from a sample (the driver's JSON) read at read_ns; s's previous
 * sample becomes this one. NULL if the sample is not JSON. */
static struct json_object *
stats_message(struct stats_sub *s, const char *sample, long long read_ns)
{
    struct json_object *o = json_parse_object(sample, strlen(sample), "stats", NULL);
    struct json_object *cpu = NULL;
    char t[48];

    if (o == NULL)
        return NULL;
    util_format_rfc3339(read_ns, t, sizeof t);
    json_add_string(o, "read", t);
    json_add_string(o, "preread", s->pre ? s->pre_read : "0001-01-01T00:00:00Z");
    json_object_object_add(o, "precpu_stats", s->pre ? steal_ptr(&s->pre) : stats_zero_cpu());
    json_add_string(o, "name", s->c->name);
    json_add_string(o, "id", s->c->id);
    if (json_object_object_get_ex(o, "cpu_stats", &cpu) && cpu)
        s->pre = json_object_get(cpu);
    snprintf(s->pre_read, sizeof s->pre_read, "%s", t);
    return o;
}

/* One sample for s: streamed, or kept until the answer. Returns true when s is done
 * with (answered; its data_free must not run again: it is freed here). */
static bool
stats_sub_deliver(struct stats_sub *s, const char *sample, dctl_error_t sample_err,
                  long long read_ns)
{
    cleanup_json struct json_object *msg = NULL;

    if (sample == NULL) {
        if (s->req) {   /* stream=false: the driver's error is the answer */
            struct api_request *req = s->req;

            req->data = NULL;
            req->data_free = NULL;
            api_reply_error(req, sample_err);
            api_request_resume(req);
            stats_sub_free(s);
            return true;
        }
        dctl_error_free(sample_err);
        return false;
    }
    msg = stats_message(s, sample, read_ns);
    if (msg == NULL)
        return false;
    s->samples++;
    s->last_ns = read_ns;
    if (s->st) {
        cleanup_free char *text = json_to_string(msg);
        size_t len = strlen(text);

        text[len] = '\n';   /* json_to_string's NUL becomes the line's end */
        api_stream_write(s->st, text, len + 1);
        if (api_stream_pending(s->st) > STATS_PENDING_MAX)
            api_stream_abort(s->st);
        return false;
    }
    if (s->req && (s->one_shot || s->samples >= 2)) {
        struct api_request *req = s->req;

        req->data = NULL;
        req->data_free = NULL;
        api_reply_json(req, 200, steal_ptr(&msg));
        api_request_resume(req);
        stats_sub_free(s);
        return true;
    }
    return false;
}

/* ---- collection ---------------------------------------------------------------------- */

static void
stats_job_free(struct stats_job *j)
{
    size_t i;

    for (i = 0; i < j->n; i++) {
        free(j->json[i]);
        dctl_error_free(j->errs[i]);
    }
    free(j->ids);
    free(j->json);
    free(j->errs);
    free(j);
}

static int
stats_job_run(void *job, dctl_error_t *err)
{
    struct stats_job *j = job;
    size_t i;

    (void)err;
    j->read_ns = util_now_ns();
    for (i = 0; i < j->n; i++)
        if (j->ops->stats(j->priv, j->ids[i], &j->json[i], &j->errs[i]) < 0)
            j->json[i] = NULL;
    return 0;
}

static void
stats_job_done_cb(void *job, int status, dctl_error_t err)
{
    struct stats_job *j = job;
    struct stats_hub *hub = j->hub;
    struct stats_sub *s, *next;
    size_t i;

    (void)status;
    dctl_error_free(err);
    if (j->tick)
        hub->collecting = false;
    for (s = hub->subs; s; s = next) {
        next = s->next;
        for (i = 0; i < j->n; i++)
            if (strcmp(j->ids[i], s->c->id) == 0)
                break;
        if (i == j->n)
            continue;
        if (!j->tick && s->samples > 0)
            continue;   /* another's first sample: this one has its own rhythm */
        if (s->samples > 0 && j->read_ns - s->last_ns < STATS_MIN_GAP_NS)
            continue;
        if (j->json[i] == NULL && !container_is_running(s->c))
            continue;   /* it stopped meanwhile: nothing to say */
        stats_sub_deliver(s, j->json[i], j->json[i] ? NULL : steal_ptr(&j->errs[i]),
                          j->read_ns);
    }
    stats_job_free(j);
    hub->jobs--;   /* only now: a subscriber freed above must not free the hub under us */
    stats_hub_maybe_free(hub);
}

/* A job reading the containers of subscribers that want a sample (first: only those
 * that have none yet). */
static void
stats_collect_jobs(struct stats_hub *hub, bool tick);

static void
stats_collect(struct stats_hub *hub, bool tick)
{
    hub->jobs++;   /* the hub stays while subscribers are answered and freed here */
    stats_collect_jobs(hub, tick);
    hub->jobs--;
    stats_hub_maybe_free(hub);
}

static void
stats_collect_jobs(struct stats_hub *hub, bool tick)
{
    struct stats_job *j;
    struct stats_sub *s, *next;
    dctl_error_t err = NULL;
    size_t n = 0, i;

    /* removed containers end their streams; non-running ones are skipped, and a
     * stream=false waiting for one that stopped gets dockerd's empty answer */
    for (s = hub->subs; s; s = next) {
        next = s->next;
        if (s->c->removed && s->st && !s->ended) {
            s->ended = true;
            api_stream_end(s->st);
        } else if (s->req && (s->c->removed || !container_is_running(s->c))) {
            struct api_request *req = s->req;

            req->data = NULL;
            req->data_free = NULL;
            api_reply_json(req, 200, stats_empty(s->c));
            api_request_resume(req);
            stats_sub_free(s);
        }
    }
    if (hub->subs == NULL)
        return;
    j = xcalloc(1, sizeof *j);
    j->hub = hub;
    j->tick = tick;
    j->ops = container_exec_ops(hub->d->containers, &j->priv, &err);
    dctl_error_free(err);
    for (s = hub->subs; s; s = s->next)
        n++;
    j->ids = xcalloc(n + 1, sizeof *j->ids);
    j->json = xcalloc(n + 1, sizeof *j->json);
    j->errs = xcalloc(n + 1, sizeof *j->errs);
    for (s = hub->subs; s && j->ops && j->ops->stats; s = s->next) {
        bool dup = false;

        if (s->c->removed || !container_is_running(s->c) || (!tick && s->samples > 0))
            continue;
        for (i = 0; i < j->n && !dup; i++)
            dup = strcmp(j->ids[i], s->c->id) == 0;
        if (!dup)
            snprintf(j->ids[j->n++], sizeof j->ids[0], "%s", s->c->id);
    }
    if (j->n == 0) {
        stats_job_free(j);
        return;
    }
    if (worker_submit(hub->d->workers, stats_job_run, stats_job_done_cb, j, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("stats: %s", text);
        dctl_error_free(err);
        stats_job_free(j);
        return;
    }
    hub->jobs++;
    if (tick)
        hub->collecting = true;
}

static void
stats_tick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct stats_hub *hub = arg;

    (void)fd;
    (void)what;
    if (!hub->collecting)   /* the last tick's reads still running: this one is skipped */
        stats_collect(hub, true);
}

static struct stats_hub *
stats_hub_get(struct dctld *d)
{
    struct stats_hub *hub = d->stats;
    struct timeval tv = { STATS_INTERVAL_MS / 1000, (STATS_INTERVAL_MS % 1000) * 1000 };

    if (hub)
        return hub;
    hub = xcalloc(1, sizeof *hub);
    hub->d = d;
    hub->timer = event_new(d->base, -1, EV_PERSIST, stats_tick_cb, hub);
    event_add(hub->timer, &tv);
    d->stats = hub;
    return hub;
}

static void
stats_hub_maybe_free(struct stats_hub *hub)
{
    if (hub->subs || hub->jobs)
        return;
    event_free(hub->timer);
    hub->d->stats = NULL;
    free(hub);
}

/* ---- the endpoint -------------------------------------------------------------------- */

static int
stats_handler(struct api_request *req, dctl_error_t *err)
{
    bool stream = api_query_bool(req, "stream", true);
    bool one_shot = api_query_bool(req, "one-shot", false);
    struct stats_hub *hub;
    struct stats_sub *s;
    struct container *c;

    if (req->dctld->containers == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "the container manager is not running");
    c = container_lookup(req->dctld->containers, api_param(req, 0), err);
    if (c == NULL)
        return -1;
    if (one_shot && stream)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "cannot have stream=true and one-shot=true");
    if (!stream && (!container_is_running(c) || c->status == CONTAINER_RESTARTING)) {
        api_reply_json(req, 200, stats_empty(c));
        return 0;
    }
    if (container_exec_ops(req->dctld->containers, &(void *){ NULL }, err) == NULL)
        return -1;
    hub = stats_hub_get(req->dctld);
    s = xcalloc(1, sizeof *s);
    s->hub = hub;
    s->c = container_ref(c);
    s->one_shot = one_shot;
    s->next = hub->subs;
    hub->subs = s;
    if (stream) {
        s->st = api_stream_new(req, "application/json", stats_stream_close_cb, s);
    } else {
        s->req = req;
        req->data = s;
        req->data_free = stats_req_release;
        api_request_suspend(req);
    }
    stats_collect(hub, false);   /* its first sample now, not at the next tick */
    return 0;
}

const struct api_route api_containers_stats_routes[] = {
    { API_GET, "/containers/{id}/stats", stats_handler, 0 },
    { 0, NULL, NULL, 0 },
};
