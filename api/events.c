/* api/events.c - GET /events: a chunked stream of newline-delimited event
 * messages. The replay of kept events (since/until) comes first, then new ones
 * until `until` passes, the client leaves or the daemon shuts down. Each
 * follower owns its subscription; the stream's close callback drops both. */
#include <config.h>

#include <stdlib.h>

#include "api.h"
#include "daemon/dctld.h"
#include "daemon/events.h"
#include "filters.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

/* One GET /events client. Owner: its stream (freed in events_follower_close_cb). */
struct events_follower {
    struct api_stream *st;
    struct events_sub *sub;
};

static size_t
events_follower_send(void *arg, const char *line, size_t len)
{
    struct events_follower *fl = arg;

    api_stream_write(fl->st, line, len);
    return api_stream_pending(fl->st);
}

static void
events_follower_end(void *arg, bool abort)
{
    struct events_follower *fl = arg;

    if (abort)
        api_stream_abort(fl->st);
    else
        api_stream_end(fl->st);
}

static const struct events_sub_ops events_follower_ops = {
    .send = events_follower_send,
    .end = events_follower_end,
};

static void
events_follower_close_cb(void *arg)
{
    struct events_follower *fl = arg;

    events_unsubscribe(fl->sub);
    free(fl);
}

/* dockerd's eventTime: unix seconds with an optional fraction; empty is unset. */
static int
events_parse_time(const struct api_request *req, const char *name, long long *out,
                  dctl_error_t *err)
{
    const char *v = api_query(req, name);
    const char *p;

    *out = EVENTS_TIME_UNSET;
    if (v == NULL || *v == '\0')
        return 0;
    /* the docker CLI turns dates and durations into unix time: only that is taken */
    for (p = v; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || (*p == '-' && p == v)))
            break;
    if (*p != '\0' || util_parse_timestamp(v, 0, out) < 0) {
        *out = EVENTS_TIME_UNSET;
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid value for %s: strconv.ParseInt: parsing \"%s\": "
                              "invalid syntax",
                              name, v);
    }
    return 0;
}

static int
events_get_handler(struct api_request *req, dctl_error_t *err)
{
    cleanup_filters struct filters *f = NULL;
    struct events_follower *fl;
    long long since, until;

    if (events_parse_time(req, "since", &since, err) < 0 ||
        events_parse_time(req, "until", &until, err) < 0)
        return -1;
    if (until != EVENTS_TIME_UNSET && since != EVENTS_TIME_UNSET && until < since)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "`since` time (%s) cannot be after `until` time (%s)",
                              api_query(req, "since"), api_query(req, "until"));
    f = filters_parse(api_query(req, "filters"), err);
    if (f == NULL || filters_validate(f, events_filter_keys, err) < 0)
        return -1;

    fl = xcalloc(1, sizeof *fl);
    fl->st = api_stream_new(req, "application/json", events_follower_close_cb, fl);
    fl->sub = events_subscribe(req->dctld->events, since, until, steal_ptr(&f),
                               &events_follower_ops, fl);
    return 0;
}

const struct api_route api_events_routes[] = {
    { API_GET, "/events", events_get_handler, 0 },
    { 0, NULL, NULL, 0 },
};
