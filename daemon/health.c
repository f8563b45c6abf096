/* daemon/health.c - container health checks (see health.h). A probe is an exec session
 * (daemon/exec.c) whose stdout and stderr come back framed on the driver's socket;
 * it is done when both its exit is recorded and its output has ended, or at its
 * Timeout. The next probe is due Interval after a probe is done, as dockerd's
 * monitor resets its timer. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/exec.h"
#include "daemon/health.h"
#include "lib/frames.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define HEALTH_DEFAULT_INTERVAL (30LL * 1000000000LL)
#define HEALTH_DEFAULT_TIMEOUT (30LL * 1000000000LL)
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_LOG_MAX 5         /* dockerd's maxLogEntries */
#define HEALTH_OUTPUT_MAX 4096   /* dockerd's maxOutputLen */

/* One probe in flight. Owner: its struct health. */
struct health_probe {
    struct health *h;
    struct exec_session *x;     /* a reference */
    struct exec_listener ended;
    struct bufferevent *out;
    struct frames_demux dm;
    char output[HEALTH_OUTPUT_MAX];
    size_t noutput;
    bool out_done, exited;
    bool starting, orphan;      /* a start in flight; dropped meanwhile: freed by its callback */
    long long start_ns;
    struct event *timeout_ev;
};

/* Owner: its container (c->health). */
struct health {
    struct container *c;        /* lent: the container owns this */
    char status[16];            /* "starting", "healthy", "unhealthy" */
    int failing_streak;
    struct json_object *log;    /* the last results, oldest first */
    struct event *timer;        /* the next probe */
    struct health_probe *probe;
    bool running;
};

static struct json_object *
health_check_config(const struct container *c)
{
    struct json_object *hc = NULL, *test = NULL;

    if (!json_object_object_get_ex(c->config, "Healthcheck", &hc) || hc == NULL ||
        !json_object_object_get_ex(hc, "Test", &test) || test == NULL ||
        !json_object_is_type(test, json_type_array) || json_object_array_length(test) == 0 ||
        strcmp(json_object_get_string(json_object_array_get_idx(test, 0)), "NONE") == 0)
        return NULL;
    return hc;
}

static long long
health_duration(const struct container *c, const char *key, long long dflt)
{
    long long v = json_get_int64(health_check_config(c), key, 0);

    return v > 0 ? v : dflt;
}

static struct health *
health_get(struct container *c)
{
    if (c->health == NULL) {
        c->health = xcalloc(1, sizeof *c->health);
        c->health->c = c;
        c->health->log = json_object_new_array();
        snprintf(c->health->status, sizeof c->health->status, "starting");
    }
    return c->health;
}

static void
health_set_status(struct health *h, const char *status)
{
    cleanup_free char *action = NULL;

    if (strcmp(h->status, status) == 0)
        return;
    snprintf(h->status, sizeof h->status, "%s", status);
    action = xasprintf("health_status: %s", status);
    log_debug("container %.12s: %s", h->c->id, action);
    container_emit(h->c, action, NULL);
}

/* ---- probes ---------------------------------------------------------------------------- */

static void health_schedule(struct health *h);

static void
health_probe_free(struct health_probe *p)
{
    if (p == NULL)
        return;
    if (p->starting) {   /* the start's callback still comes: it frees p */
        p->orphan = true;
        if (p->timeout_ev)
            event_del(p->timeout_ev);
        return;
    }
    if (p->out)
        bufferevent_free(p->out);
    if (p->timeout_ev)
        event_free(p->timeout_ev);
    if (p->x) {
        exec_unlisten(p->x, &p->ended);
        exec_remove(p->x);   /* done with: not kept for the sweeps */
        exec_session_unref(p->x);
    }
    free(p);
}

/* dockerd's handleProbeResult. */
static void
health_result(struct health *h, long long start_ns, int exit_code, const char *output,
              size_t len)
{
    struct json_object *r = json_object_new_object();
    struct container *c = h->c;
    char t[64];

    util_format_rfc3339(start_ns, t, sizeof t);
    json_add_string(r, "Start", t);
    util_format_rfc3339(util_now_ns(), t, sizeof t);
    json_add_string(r, "End", t);
    json_add_int64(r, "ExitCode", exit_code);
    json_object_object_add(r, "Output", json_object_new_string_len(output, (int)len));
    json_object_array_add(h->log, r);
    while (json_object_array_length(h->log) > HEALTH_LOG_MAX)
        json_object_array_del_idx(h->log, 0, 1);
    if (exit_code == 0) {
        h->failing_streak = 0;
        health_set_status(h, "healthy");
    } else if (strcmp(h->status, "starting") != 0 ||
               start_ns - c->started_ns >= health_duration(c, "StartPeriod", 0)) {
        /* within the start period a failure does not count yet */
        long long retries = json_get_int64(health_check_config(c), "Retries", 0);

        h->failing_streak++;
        if (h->failing_streak >= (retries > 0 ? retries : HEALTH_DEFAULT_RETRIES))
            health_set_status(h, "unhealthy");
    }
    container_save(c);
}

/* The probe is done: its result, then the next one an Interval later. */
static void
health_probe_finish(struct health_probe *p, int exit_code, const char *output, size_t len)
{
    struct health *h = p->h;

    h->probe = NULL;
    health_result(h, p->start_ns, exit_code, output, len);
    health_probe_free(p);
    health_schedule(h);
}

static void
health_probe_check(struct health_probe *p)
{
    if (p->out_done && p->exited)
        health_probe_finish(p, p->x->exit_code, p->output, p->noutput);
}

static void
health_probe_ended_cb(void *arg, struct exec_session *x)
{
    struct health_probe *p = arg;

    (void)x;
    p->exited = true;
    health_probe_check(p);
}

static void
health_probe_out(int stream, const char *data, size_t len, void *arg)
{
    struct health_probe *p = arg;
    size_t room = sizeof p->output - p->noutput;

    (void)stream;   /* stdout and stderr together, as dockerd's probe output */
    if (len > room)
        len = room;
    memcpy(p->output + p->noutput, data, len);
    p->noutput += len;
}

static void
health_probe_read_cb(struct bufferevent *bev, void *arg)
{
    struct health_probe *p = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char buf[4096];
    int n;

    while ((n = evbuffer_remove(in, buf, sizeof buf)) > 0)
        frames_demux_feed(&p->dm, buf, (size_t)n, health_probe_out, p);
}

static void
health_probe_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct health_probe *p = arg;

    if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
        return;
    health_probe_read_cb(bev, p);
    bufferevent_disable(bev, EV_READ);
    p->out_done = true;
    health_probe_check(p);
}

static void
health_probe_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct health_probe *p = arg;
    dctl_error_t err = NULL;
    char d[32], msg[96];

    (void)fd;
    (void)what;
    if (p->x && p->x->running && exec_kill(p->x, SIGKILL, &err) < 0)
        dctl_error_free(err);
    util_format_go_duration(health_duration(p->h->c, "Timeout", HEALTH_DEFAULT_TIMEOUT), d,
                            sizeof d);
    snprintf(msg, sizeof msg, "Health check exceeded timeout (%s)", d);
    log_debug("container %.12s: %s", p->h->c->id, msg);
    health_probe_finish(p, -1, msg, strlen(msg));
}

static void
health_probe_started_cb(void *arg, struct exec_session *x, int status, int fd, dctl_error_t err)
{
    struct health_probe *p = arg;
    cleanup_free char *text = NULL;

    p->starting = false;
    if (p->orphan) {
        if (fd >= 0)
            close(fd);
        dctl_error_free(err);
        health_probe_free(p);
        return;
    }
    if (status < 0) {   /* dockerd: ExitCode -1 and the error as the output */
        text = dctl_error_text(err);
        dctl_error_free(err);
        health_probe_finish(p, -1, text, strlen(text));
        return;
    }
    p->out = bufferevent_socket_new(container_dctld(p->h->c)->base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(p->out, health_probe_read_cb, NULL, health_probe_event_cb, p);
    bufferevent_enable(p->out, EV_READ);
    p->ended.cb = health_probe_ended_cb;
    p->ended.arg = p;
    exec_listen(x, &p->ended);
}

/* The probe's command: CMD args, or CMD-SHELL cmd under the config's Shell (default
 * /bin/sh -c); NULL with msg for another type. New. */
static struct json_object *
health_probe_cmd(const struct container *c, char *msg, size_t len)
{
    struct json_object *test = NULL, *shell = NULL, *cmd;
    const char *kind;
    size_t i, n;

    json_object_object_get_ex(health_check_config(c), "Test", &test);
    kind = json_object_get_string(json_object_array_get_idx(test, 0));
    n = json_object_array_length(test);
    cmd = json_object_new_array();
    if (strcmp(kind, "CMD") == 0) {
        for (i = 1; i < n; i++)
            json_object_array_add(cmd, json_object_get(json_object_array_get_idx(test, i)));
    } else if (strcmp(kind, "CMD-SHELL") == 0) {
        if (json_object_object_get_ex(c->config, "Shell", &shell) && shell &&
            json_object_is_type(shell, json_type_array) && json_object_array_length(shell)) {
            for (i = 0; i < json_object_array_length(shell); i++)
                json_object_array_add(cmd, json_object_get(json_object_array_get_idx(shell, i)));
        } else {
            json_object_array_add(cmd, json_object_new_string("/bin/sh"));
            json_object_array_add(cmd, json_object_new_string("-c"));
        }
        if (n > 1)
            json_object_array_add(cmd, json_object_get(json_object_array_get_idx(test, 1)));
    } else {
        snprintf(msg, len, "unknown health check type: %s", kind);
        json_object_put(cmd);
        return NULL;
    }
    return cmd;
}

static void
health_probe_run(struct health *h)
{
    struct container *c = h->c;
    struct dctld *d = container_dctld(c);
    struct health_probe *p = xcalloc(1, sizeof *p);
    cleanup_json struct json_object *body = json_object_new_object();
    struct json_object *cmd;
    struct exec_session *x;
    struct timeval tv;
    dctl_error_t err = NULL;
    long long timeout = health_duration(c, "Timeout", HEALTH_DEFAULT_TIMEOUT);
    char msg[128];

    p->h = h;
    p->start_ns = util_now_ns();
    h->probe = p;
    cmd = health_probe_cmd(c, msg, sizeof msg);
    if (cmd == NULL) {
        health_probe_finish(p, -1, msg, strlen(msg));
        return;
    }
    json_object_object_add(body, "Cmd", cmd);
    json_add_bool(body, "AttachStdout", true);
    json_add_bool(body, "AttachStderr", true);
    x = d->execs ? exec_create(d->execs, c, body, &err) : NULL;
    if (x)
        p->x = exec_session_ref(x);
    if (x == NULL || exec_start(x, 0, 0, true, health_probe_started_cb, p, &err) < 0) {
        cleanup_free char *text = err ? dctl_error_text(err) : xstrdup("no exec sessions");

        dctl_error_free(err);
        health_probe_finish(p, -1, text, strlen(text));
        return;
    }
    p->starting = true;
    tv.tv_sec = (time_t)(timeout / 1000000000LL);
    tv.tv_usec = (suseconds_t)(timeout % 1000000000LL / 1000);
    p->timeout_ev = evtimer_new(d->base, health_probe_timeout_cb, p);
    evtimer_add(p->timeout_ev, &tv);
}

static void
health_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct health *h = arg;

    (void)fd;
    (void)what;
    if (h->running && h->probe == NULL)
        health_probe_run(h);
}

static void
health_schedule(struct health *h)
{
    long long interval = health_duration(h->c, "Interval", HEALTH_DEFAULT_INTERVAL);
    struct timeval tv = { (time_t)(interval / 1000000000LL),
                          (suseconds_t)(interval % 1000000000LL / 1000) };

    if (!h->running)
        return;
    if (h->timer == NULL)
        h->timer = evtimer_new(container_dctld(h->c)->base, health_timer_cb, h);
    evtimer_add(h->timer, &tv);
}

/* ---- the container's side ---------------------------------------------------------------- */

void
health_start(struct container *c, bool restored)
{
    struct health *h;

    if (health_check_config(c) == NULL)
        return;
    h = health_get(c);
    if (!restored) {
        snprintf(h->status, sizeof h->status, "starting");
        h->failing_streak = 0;
    }
    h->running = true;
    health_schedule(h);
}

void
health_stop(struct container *c)
{
    struct health *h = c->health;

    if (h == NULL || !h->running)
        return;
    h->running = false;
    if (h->timer)
        evtimer_del(h->timer);
    if (h->probe) {
        health_probe_free(h->probe);
        h->probe = NULL;
    }
    snprintf(h->status, sizeof h->status, "unhealthy");
}

void
health_free(struct container *c)
{
    struct health *h = c->health;

    if (h == NULL)
        return;
    health_probe_free(h->probe);
    if (h->timer)
        event_free(h->timer);
    json_object_put(h->log);
    free(h);
    c->health = NULL;
}

const char *
health_status(const struct container *c)
{
    return c->health ? c->health->status : "none";
}

struct json_object *
health_to_json(const struct container *c)
{
    struct json_object *o;

    if (c->health == NULL)
        return NULL;
    o = json_object_new_object();
    json_add_string(o, "Status", c->health->status);
    json_add_int64(o, "FailingStreak", c->health->failing_streak);
    json_object_object_add(o, "Log", json_object_get(c->health->log));
    return o;
}

void
health_load(struct container *c, struct json_object *st)
{
    struct json_object *log = NULL;
    struct health *h;
    const char *status = json_get_string(st, "Status");

    if (st == NULL || !json_object_is_type(st, json_type_object) || status == NULL)
        return;
    h = health_get(c);
    snprintf(h->status, sizeof h->status, "%s", status);
    h->failing_streak = (int)json_get_int64(st, "FailingStreak", 0);
    if (json_object_object_get_ex(st, "Log", &log) && log &&
        json_object_is_type(log, json_type_array)) {
        json_object_put(h->log);
        h->log = json_object_get(log);
    }
}
