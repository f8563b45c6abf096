/* daemon/events.c - the events manager (see events.h): builds dockerd's event
 * messages, keeps the newest in a ring for replay, fans them out to
 * subscriptions and ends those whose `until` passes (a timer each), that fall
 * too far behind, or that are open at shutdown. Owns the ring and the
 * subscription list. */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "daemon/events.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* A kept event; the public view points into it. */
struct events_entry {
    struct events_message m;
    struct json_object *json;   /* the whole message; m.attrs is lent from it */
    char *line;
};

struct events_sub {
    struct events *ev;
    struct events_sub *prev, *next;
    struct filters *filters;
    const struct events_sub_ops *ops;
    void *arg;
    struct event *until_ev;
    bool ended;
};

struct events {
    struct event_base *base;
    struct events_entry **ring;  /* ring[(head + i) % cap], i < count: oldest first */
    size_t cap, head, count;
    size_t pending_max;
    long long (*now)(void);
    struct events_sub *subs;
    size_t nsubs;
    bool shut_down;
};

const char *const events_filter_keys[] = {
    "config", "container", "daemon", "event", "image", "label", "network", "node",
    "plugin", "scope", "secret", "service", "type", "volume", NULL,
};

struct events *
events_new(struct event_base *base, size_t ring_size, size_t pending_max)
{
    struct events *ev = xcalloc(1, sizeof *ev);

    ev->base = base;
    ev->cap = ring_size ? ring_size : EVENTS_RING_DEFAULT;
    ev->ring = xcalloc(ev->cap, sizeof *ev->ring);
    ev->pending_max = pending_max ? pending_max : EVENTS_PENDING_MAX_DEFAULT;
    ev->now = util_now_ns;
    return ev;
}

static void
events_entry_free(struct events_entry *e)
{
    if (e == NULL)
        return;
    json_object_put(e->json);
    free(e->line);
    free(e);
}

static void
events_sub_free(struct events_sub *sub)
{
    struct events *ev = sub->ev;

    if (sub->prev)
        sub->prev->next = sub->next;
    else
        ev->subs = sub->next;
    if (sub->next)
        sub->next->prev = sub->prev;
    ev->nsubs--;
    if (sub->until_ev)
        event_free(sub->until_ev);
    filters_free(sub->filters);
    free(sub);
}

void
events_free(struct events *ev)
{
    size_t i;

    if (ev == NULL)
        return;
    while (ev->subs)
        events_sub_free(ev->subs);
    for (i = 0; i < ev->count; i++)
        events_entry_free(ev->ring[(ev->head + i) % ev->cap]);
    free(ev->ring);
    free(ev);
}

void
events_set_clock(struct events *ev, long long (*now)(void))
{
    ev->now = now ? now : util_now_ns;
}

/* ---- matching ---------------------------------------------------------- */

static const char *
events_attr(const struct events_message *m, const char *key)
{
    struct json_object *v;

    if (m->attrs && json_object_object_get_ex(m->attrs, key, &v) && v &&
        json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return NULL;
}

/* dockerd's stripTag: the familiar repository name of an image reference
 * ("docker.io/library/busybox:1.36" → "busybox"); anything that is not a
 * reference is returned as it is. Malloc'd. */
static char *
events_strip_tag(const char *image)
{
    const char *slash, *colon, *p;
    char *name;

    if (image == NULL || *image == '\0')
        return xstrdup("");
    for (p = image; *p; p++)
        if (isupper((unsigned char)*p))
            return xstrdup(image);
    if (strlen(image) == 64 && strspn(image, "0123456789abcdef") == 64)
        return xstrdup(image);   /* an ID is not a name */
    name = xstrndup(image, strcspn(image, "@"));
    slash = strrchr(name, '/');
    colon = strrchr(slash ? slash : name, ':');
    if (colon)
        name[colon - name] = '\0';
    if (util_has_prefix(name, "docker.io/") || util_has_prefix(name, "index.docker.io/"))
        memmove(name, strchr(name, '/') + 1, strlen(strchr(name, '/') + 1) + 1);
    if (util_has_prefix(name, "library/") && strchr(name + 8, '/') == NULL)
        memmove(name, name + 8, strlen(name + 8) + 1);
    return name;
}

static bool
events_match_image(const struct events_message *m, const struct filters *f)
{
    const char *name = events_attr(m, strcmp(m->type, EVENTS_TYPE_IMAGE) == 0 ? "name" : "image");
    cleanup_free char *id_stripped = NULL, *name_stripped = NULL;

    if (!filters_contains(f, "image"))
        return true;
    if (name == NULL)
        name = "";
    if (filters_match_exact(f, "image", m->id) || filters_match_exact(f, "image", name))
        return true;
    id_stripped = events_strip_tag(m->id);
    name_stripped = events_strip_tag(name);
    return filters_match_exact(f, "image", id_stripped) ||
           filters_match_exact(f, "image", name_stripped);
}

/* dockerd's fuzzyMatchName: the filter named after a type matches an actor ID
 * or "name" attribute by prefix. */
static bool
events_match_name(const struct events_message *m, const struct filters *f, const char *key)
{
    return filters_match_fuzzy(f, key, m->id) ||
           filters_match_fuzzy(f, key, events_attr(m, "name"));
}

static bool
events_match_action(const struct events_message *m, const struct filters *f)
{
    static const char *const fuzzy[] = { "health_status", "exec_create", "exec_start" };
    const char *const *v;
    size_t n, i, j;

    /* dockerd #25798: "exec_start" also matches "exec_start: sh -c ..." */
    v = filters_get(f, "event", &n);
    for (i = 0; i < n; i++)
        for (j = 0; j < ARRAY_SIZE(fuzzy); j++)
            if (strcmp(v[i], fuzzy[j]) == 0)
                return filters_match_fuzzy(f, "event", m->action);
    return filters_match_exact(f, "event", m->action);
}

bool
events_message_match(const struct events_message *m, const struct filters *f)
{
    if (f == NULL || filters_len(f) == 0)
        return true;
    return events_match_action(m, f) && filters_match_exact(f, "type", m->type) &&
           filters_match_exact(f, "scope", "local") && events_match_name(m, f, "daemon") &&
           events_match_name(m, f, "container") && events_match_name(m, f, "plugin") &&
           events_match_name(m, f, "volume") && events_match_name(m, f, "network") &&
           events_match_image(m, f) && events_match_name(m, f, "node") &&
           events_match_name(m, f, "service") && events_match_name(m, f, "secret") &&
           events_match_name(m, f, "config") && filters_match_kv(f, "label", m->attrs);
}

/* ---- emitting ---------------------------------------------------------- */

static int
events_attr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go marshals a map with its keys sorted: so do we. Takes attrs. */
static struct json_object *
events_attrs_sorted(struct json_object *attrs)
{
    struct json_object *out = json_object_new_object();
    cleanup_free const char **keys = NULL;
    size_t n = 0, i;

    if (attrs == NULL)
        return out;
    if (json_object_is_type(attrs, json_type_object)) {
        keys = xcalloc((size_t)json_object_object_length(attrs) + 1, sizeof *keys);
        json_object_object_foreach(attrs, k, v) {
            (void)v;
            keys[n++] = k;
        }
        qsort(keys, n, sizeof *keys, events_attr_cmp);
        for (i = 0; i < n; i++) {
            struct json_object *val = json_object_object_get(attrs, keys[i]);
            json_add_string(out, keys[i],
                            val && json_object_is_type(val, json_type_string)
                                ? json_object_get_string(val)
                                : (val ? json_object_to_json_string(val) : ""));
        }
    }
    json_object_put(attrs);
    return out;
}

static struct events_entry *
events_entry_new(const char *type, const char *action, const char *id,
                 struct json_object *attrs_take, long long now)
{
    struct events_entry *e = xcalloc(1, sizeof *e);
    struct json_object *msg = json_object_new_object();
    struct json_object *actor = json_object_new_object();
    struct json_object *attrs = events_attrs_sorted(attrs_take);
    struct json_object *v;
    const char *text;
    size_t len;

    /* field order as dockerd's encoder writes events.Message */
    if (strcmp(type, EVENTS_TYPE_CONTAINER) == 0 || strcmp(type, EVENTS_TYPE_IMAGE) == 0) {
        json_add_string(msg, "status", action);
        if (*id)
            json_add_string(msg, "id", id);
        if (strcmp(type, EVENTS_TYPE_CONTAINER) == 0 &&
            json_object_object_get_ex(attrs, "image", &v) && *json_object_get_string(v))
            json_add_string(msg, "from", json_object_get_string(v));
    }
    json_add_string(msg, "Type", type);
    json_add_string(msg, "Action", action);
    json_add_string(actor, "ID", id);
    json_object_object_add(actor, "Attributes", attrs);
    json_object_object_add(msg, "Actor", actor);
    json_add_string(msg, "scope", "local");
    json_add_int64(msg, "time", now / 1000000000LL);
    json_add_int64(msg, "timeNano", now);

    text = json_object_to_json_string_length(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    e->line = xmalloc(len + 2);
    memcpy(e->line, text, len);
    e->line[len] = '\n';
    e->line[len + 1] = '\0';
    e->json = msg;
    e->m.time_ns = now;
    e->m.type = json_get_string(msg, "Type");
    e->m.action = json_get_string(msg, "Action");
    e->m.id = json_get_string(actor, "ID");
    e->m.attrs = attrs;
    e->m.line = e->line;
    e->m.len = len + 1;
    return e;
}

static void
events_sub_end(struct events_sub *sub, bool abort)
{
    if (sub->ended)
        return;
    sub->ended = true;
    if (sub->until_ev)
        event_del(sub->until_ev);
    sub->ops->end(sub->arg, abort);
}

void
events_emit_attrs(struct events *ev, const char *type, const char *action, const char *actor_id,
                  struct json_object *attrs_take)
{
    struct events_entry *e =
        events_entry_new(type, action, actor_id ? actor_id : "", attrs_take, ev->now());
    struct events_sub *sub, *next;

    if (ev->count == ev->cap) {
        events_entry_free(ev->ring[ev->head]);
        ev->ring[ev->head] = NULL;
        ev->head = (ev->head + 1) % ev->cap;
        ev->count--;
    }
    ev->ring[(ev->head + ev->count) % ev->cap] = e;
    ev->count++;
    log_debug("event: %s %s %s", type, action, actor_id ? actor_id : "");

    for (sub = ev->subs; sub; sub = next) {
        next = sub->next;   /* end() may not free sub, but stay safe */
        if (sub->ended || !events_message_match(&e->m, sub->filters))
            continue;
        if (sub->ops->send(sub->arg, e->m.line, e->m.len) > ev->pending_max) {
            log_warn("events: a subscriber fell more than %zu bytes behind; dropped",
                     ev->pending_max);
            events_sub_end(sub, true);
        }
    }
}

void
events_emit(struct events *ev, const char *type, const char *action, const char *actor_id, ...)
{
    struct json_object *attrs = json_object_new_object();
    const char *k, *v;
    va_list ap;

    va_start(ap, actor_id);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        if (v)
            json_add_string(attrs, k, v);
    }
    va_end(ap);
    events_emit_attrs(ev, type, action, actor_id, attrs);
}

/* ---- replay and subscriptions ------------------------------------------ */

size_t
events_replay(const struct events *ev, long long since_ns, long long until_ns,
              const struct filters *f, events_each_cb cb, void *arg)
{
    size_t i, first, n = 0;

    if (since_ns == EVENTS_TIME_UNSET && until_ns == EVENTS_TIME_UNSET)
        return 0;
    /* dockerd walks back from the newest and stops at the first one before since */
    first = ev->count;
    while (first > 0) {
        const struct events_entry *e = ev->ring[(ev->head + first - 1) % ev->cap];

        if (since_ns != EVENTS_TIME_UNSET && e->m.time_ns < since_ns)
            break;
        first--;
    }
    for (i = first; i < ev->count; i++) {
        const struct events_entry *e = ev->ring[(ev->head + i) % ev->cap];

        if (until_ns != EVENTS_TIME_UNSET && until_ns > 0 && e->m.time_ns > until_ns)
            continue;
        if (!events_message_match(&e->m, f))
            continue;
        cb(&e->m, arg);
        n++;
    }
    return n;
}

static void
events_sub_replay_cb(const struct events_message *m, void *arg)
{
    struct events_sub *sub = arg;

    sub->ops->send(sub->arg, m->line, m->len);
}

static void
events_until_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    events_sub_end(arg, false);
}

struct events_sub *
events_subscribe(struct events *ev, long long since_ns, long long until_ns,
                 struct filters *f_take, const struct events_sub_ops *ops, void *arg)
{
    struct events_sub *sub = xcalloc(1, sizeof *sub);
    long long now = ev->now();

    sub->ev = ev;
    sub->filters = f_take;
    sub->ops = ops;
    sub->arg = arg;
    sub->next = ev->subs;
    if (ev->subs)
        ev->subs->prev = sub;
    ev->subs = sub;
    ev->nsubs++;

    events_replay(ev, since_ns, until_ns, sub->filters, events_sub_replay_cb, sub);
    if (ev->shut_down || (until_ns != EVENTS_TIME_UNSET && until_ns <= now)) {
        events_sub_end(sub, false);
    } else if (until_ns != EVENTS_TIME_UNSET) {
        long long left = until_ns - now;
        struct timeval tv = { (time_t)(left / 1000000000LL),
                              (suseconds_t)((left % 1000000000LL) / 1000) };

        sub->until_ev = evtimer_new(ev->base, events_until_cb, sub);
        evtimer_add(sub->until_ev, &tv);
    }
    return sub;
}

void
events_unsubscribe(struct events_sub *sub)
{
    if (sub == NULL)
        return;
    events_sub_free(sub);
}

void
events_shutdown(struct events *ev)
{
    struct events_sub *sub, *next;

    ev->shut_down = true;
    for (sub = ev->subs; sub; sub = next) {
        next = sub->next;
        events_sub_end(sub, false);
    }
}

size_t
events_nsubscribers(const struct events *ev)
{
    return ev->nsubs;
}
