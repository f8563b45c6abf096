/* daemon/events.h - the events manager: every manager reports what happens to
 * its objects here (events_emit), as dockerd's events service does; the
 * manager keeps a bounded ring of recent events for `since` replay and fans each
 * new one out to its subscribers (GET /events followers).
 *
 * Owner: struct dctld owns the struct events (dctld->events). Each struct
 * events_sub belongs to the manager until its subscriber calls
 * events_unsubscribe(). Loop thread only. */
#ifndef DCTL_DAEMON_EVENTS_H
#define DCTL_DAEMON_EVENTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "api/filters.h"

/* dockerd keeps 256; a few more cost little */
#define EVENTS_RING_DEFAULT 1024
/* a follower this far behind is cut off */
#define EVENTS_PENDING_MAX_DEFAULT (4u << 20)
/* since/until not given */
#define EVENTS_TIME_UNSET LLONG_MIN

/* Docker's event types (events.Type). */
#define EVENTS_TYPE_CONTAINER "container"
#define EVENTS_TYPE_IMAGE "image"
#define EVENTS_TYPE_NETWORK "network"
#define EVENTS_TYPE_VOLUME "volume"
#define EVENTS_TYPE_DAEMON "daemon"
#define EVENTS_TYPE_PLUGIN "plugin"

struct events;
struct events_sub;

/* One event as kept in the ring; all lent while it is there. */
struct events_message {
    long long time_ns;
    const char *type, *action, *id;
    struct json_object *attrs;   /* object of strings (Actor.Attributes) */
    const char *line;            /* the JSON message and "\n", as sent */
    size_t len;
};

/* What a subscriber does with its events. */
struct events_sub_ops {
    /* Queue one message line; returns the bytes now waiting to reach the client. */
    size_t (*send)(void *arg, const char *line, size_t len);
    /* The subscription is over (until passed, daemon shutdown, or — abort — the
     * client fell more than the limit behind). No more sends follow; the
     * subscriber still calls events_unsubscribe() once its stream is gone, but
     * never from inside end(). */
    void (*end)(void *arg, bool abort);
};

/* ring_size 0: EVENTS_RING_DEFAULT; pending_max 0: EVENTS_PENDING_MAX_DEFAULT. */
struct events *events_new(struct event_base *base, size_t ring_size, size_t pending_max);
/* Frees the ring and any subscription still registered (without calling its ops).
 * NULL-safe. */
void events_free(struct events *ev);
/* For tests: the clock events are stamped with (default util_now_ns). */
void events_set_clock(struct events *ev, long long (*now)(void));

/* Records an event and sends it to every matching subscriber. Attributes are
 * key, value pairs ending with NULL; a NULL value skips its key. For container
 * and image events the legacy status/id/from fields are filled as dockerd does. */
void events_emit(struct events *ev, const char *type, const char *action, const char *actor_id,
                 ...) __attribute__((sentinel));
/* As events_emit, with the attributes as a JSON object of strings (taken; NULL
 * for none), e.g. a container's labels merged with image and name. */
void events_emit_attrs(struct events *ev, const char *type, const char *action,
                       const char *actor_id, struct json_object *attrs_take);

/* Does m pass dockerd's event filters (type, event, container, image, label,
 * network, volume, daemon, plugin, scope ...)? f may be NULL. */
bool events_message_match(const struct events_message *m, const struct filters *f);
/* The filter keys GET /events accepts (NULL-terminated). */
extern const char *const events_filter_keys[];

typedef void (*events_each_cb)(const struct events_message *m, void *arg);
/* Calls cb, oldest first, for each kept event that dockerd would replay to a
 * subscriber with these bounds (none unless since or until is set; then time
 * in [since, until]) and that matches f. Returns how many. */
size_t events_replay(const struct events *ev, long long since_ns, long long until_ns,
                     const struct filters *f, events_each_cb cb, void *arg);

/* Subscribes: sends the replay at once, then every new matching event. With
 * until in the past (or at shutdown) ops->end runs right after the replay; with
 * until in the future, when it passes. Takes f (may be NULL). */
struct events_sub *events_subscribe(struct events *ev, long long since_ns, long long until_ns,
                                    struct filters *f_take, const struct events_sub_ops *ops,
                                    void *arg);
/* Forgets a subscription (its stream is gone). NULL-safe. */
void events_unsubscribe(struct events_sub *sub);
/* Daemon shutdown: ends every subscription so followers do not hold it up; later
 * subscriptions end after their replay. */
void events_shutdown(struct events *ev);
/* Subscriptions registered (ended or not). */
size_t events_nsubscribers(const struct events *ev);

#endif
