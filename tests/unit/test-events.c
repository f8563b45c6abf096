/* tests/unit/test-events.c - the events manager: dockerd's message shape, event
 * filters, ring replay with since/until, and subscriptions (live fan-out,
 * until, shutdown, a subscriber that falls behind). */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api/filters.h"
#include "daemon/events.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define SEC 1000000000LL

static long long fake_now;

static long long
fake_clock(void)
{
    return fake_now;
}

/* What a fake subscriber saw: the actions of its messages, space-separated. */
struct sink {
    char seen[4096];
    size_t sends;
    size_t pending;        /* what send reports back */
    int ended, aborted;
};

static size_t
sink_send(void *arg, const char *line, size_t len)
{
    struct sink *s = arg;
    cleanup_json struct json_object *m = json_tokener_parse(line);

    ck_assert_ptr_nonnull(m);
    ck_assert(len > 0 && line[len - 1] == '\n');
    if (s->seen[0])
        strcat(s->seen, " ");
    strcat(s->seen, json_get_string(m, "Action"));
    s->sends++;
    return s->pending;
}

static void
sink_end(void *arg, bool abort)
{
    struct sink *s = arg;

    s->ended++;
    if (abort)
        s->aborted++;
}

static const struct events_sub_ops sink_ops = { .send = sink_send, .end = sink_end };

static void
collect_cb(const struct events_message *m, void *arg)
{
    char *seen = arg;

    if (seen[0])
        strcat(seen, " ");
    strcat(seen, m->action);
}

static void
keep_line_cb(const struct events_message *m, void *arg)
{
    char **line = arg;

    free(*line);
    *line = xstrdup(m->line);
}

/* The newest kept event's message, parsed. */
static struct json_object *
newest(struct events *ev)
{
    cleanup_free char *line = NULL;

    events_replay(ev, 0, EVENTS_TIME_UNSET, NULL, keep_line_cb, &line);
    ck_assert_ptr_nonnull(line);
    return json_tokener_parse(line);
}

START_TEST(test_events_message_shape)
{
    struct events *ev = events_new(NULL, 8, 0);
    cleanup_json struct json_object *c = NULL, *i = NULL, *n = NULL;
    struct json_object *actor, *attrs, *v;

    events_set_clock(ev, fake_clock);
    fake_now = 1700000000 * SEC + 123456789;
    events_emit(ev, "container", "start", "c0ffee", "name", "web", "image", "busybox:latest",
                "skipped", NULL, NULL);
    c = newest(ev);
    ck_assert_str_eq(json_get_string(c, "status"), "start");
    ck_assert_str_eq(json_get_string(c, "id"), "c0ffee");
    ck_assert_str_eq(json_get_string(c, "from"), "busybox:latest");
    ck_assert_str_eq(json_get_string(c, "Type"), "container");
    ck_assert_str_eq(json_get_string(c, "Action"), "start");
    ck_assert_str_eq(json_get_string(c, "scope"), "local");
    ck_assert_int_eq(json_get_int64(c, "time", 0), 1700000000);
    ck_assert_int_eq(json_get_int64(c, "timeNano", 0), 1700000000 * SEC + 123456789);
    ck_assert(json_object_object_get_ex(c, "Actor", &actor));
    ck_assert_str_eq(json_get_string(actor, "ID"), "c0ffee");
    ck_assert(json_object_object_get_ex(actor, "Attributes", &attrs));
    ck_assert_str_eq(json_get_string(attrs, "name"), "web");
    ck_assert(!json_object_object_get_ex(attrs, "skipped", &v));
    /* Go writes map keys sorted */
    ck_assert_str_eq(json_object_to_json_string_ext(attrs, JSON_C_TO_STRING_PLAIN),
                     "{\"image\":\"busybox:latest\",\"name\":\"web\"}");

    events_emit(ev, "image", "pull", "busybox:latest", "name", "busybox", NULL);
    i = newest(ev);
    ck_assert_str_eq(json_get_string(i, "status"), "pull");
    ck_assert_str_eq(json_get_string(i, "id"), "busybox:latest");
    ck_assert(!json_object_object_get_ex(i, "from", &v));

    events_emit(ev, "network", "create", "n1", "name", "net", "type", "bridge", NULL);
    n = newest(ev);
    ck_assert(!json_object_object_get_ex(n, "status", &v));
    ck_assert(!json_object_object_get_ex(n, "id", &v));
    ck_assert(!json_object_object_get_ex(n, "from", &v));
    ck_assert_str_eq(json_get_string(n, "Type"), "network");
    events_free(ev);
}
END_TEST

/* Each case: filters (JSON) against one event. */
static const struct {
    const char *filters;
    const char *type, *action, *id, *attrs;
    bool want;
} event_matches[] = {
    { "{}", "container", "start", "abc", "{}", true },
    { "{\"type\":[\"container\"]}", "container", "start", "abc", "{}", true },
    { "{\"type\":[\"image\"]}", "container", "start", "abc", "{}", false },
    { "{\"type\":[\"image\",\"container\"]}", "container", "start", "abc", "{}", true },
    { "{\"event\":[\"start\"]}", "container", "start", "abc", "{}", true },
    { "{\"event\":[\"stop\"]}", "container", "start", "abc", "{}", false },
    { "{\"event\":[\"exec_start\"]}", "container", "exec_start: sh -c true", "abc", "{}", true },
    { "{\"event\":[\"exec_start\"]}", "container", "exec_create: sh", "abc", "{}", false },
    { "{\"event\":[\"star\"]}", "container", "start", "abc", "{}", false },
    { "{\"container\":[\"ab\"]}", "container", "start", "abc", "{}", true },
    { "{\"container\":[\"web\"]}", "container", "start", "abc", "{\"name\":\"web\"}", true },
    { "{\"container\":[\"db\"]}", "container", "start", "abc", "{\"name\":\"web\"}", false },
    { "{\"container\":[\"web\"]}", "network", "connect", "n1", "{\"container\":\"abc\"}", false },
    { "{\"image\":[\"busybox\"]}", "container", "start", "abc",
      "{\"image\":\"busybox:latest\"}", true },
    { "{\"image\":[\"busybox:latest\"]}", "container", "start", "abc",
      "{\"image\":\"busybox:latest\"}", true },
    { "{\"image\":[\"busybox\"]}", "container", "start", "abc",
      "{\"image\":\"docker.io/library/busybox:1.36\"}", true },
    { "{\"image\":[\"alpine\"]}", "container", "start", "abc",
      "{\"image\":\"busybox:latest\"}", false },
    { "{\"image\":[\"busybox\"]}", "image", "pull", "busybox:latest", "{\"name\":\"busybox\"}",
      true },
    { "{\"image\":[\"busybox:1\"]}", "image", "tag", "sha256:ab", "{\"name\":\"busybox:1\"}",
      true },
    { "{\"image\":[\"localhost:5000/a\"]}", "image", "push", "localhost:5000/a:1", "{}", true },
    { "{\"image\":[\"busybox\"]}", "daemon", "reload", "engine", "{\"name\":\"host\"}", false },
    { "{\"label\":[\"com.x=1\"]}", "container", "start", "abc", "{\"com.x\":\"1\"}", true },
    { "{\"label\":[\"com.x=2\"]}", "container", "start", "abc", "{\"com.x\":\"1\"}", false },
    { "{\"label\":[\"com.x\"]}", "container", "start", "abc", "{}", false },
    { "{\"network\":[\"net\"]}", "network", "create", "n1", "{\"name\":\"net\"}", true },
    { "{\"network\":[\"n1\"]}", "network", "create", "n1", "{\"name\":\"net\"}", true },
    { "{\"network\":[\"other\"]}", "network", "create", "n1", "{\"name\":\"net\"}", false },
    { "{\"volume\":[\"data\"]}", "volume", "create", "data", "{\"driver\":\"local\"}", true },
    { "{\"volume\":[\"data\"]}", "container", "start", "abc", "{}", false },
    { "{\"daemon\":[\"host\"]}", "daemon", "reload", "engine-id", "{\"name\":\"host\"}", true },
    { "{\"daemon\":[\"engine\"]}", "daemon", "reload", "engine-id", "{\"name\":\"host\"}",
      true },
    { "{\"daemon\":[\"other\"]}", "daemon", "reload", "engine-id", "{\"name\":\"host\"}",
      false },
    { "{\"scope\":[\"local\"]}", "daemon", "reload", "e", "{}", true },
    { "{\"scope\":[\"swarm\"]}", "daemon", "reload", "e", "{}", false },
    { "{\"type\":[\"container\"],\"event\":[\"die\"]}", "container", "start", "abc", "{}", false },
    { "{\"type\":[\"container\"],\"event\":[\"die\",\"start\"]}", "container", "start", "abc",
      "{}", true },
};

START_TEST(test_events_filter_match)
{
    struct events *ev = events_new(NULL, 4, 0);
    dctl_error_t err = NULL;
    cleanup_filters struct filters *f = filters_parse(event_matches[_i].filters, &err);
    char seen[256] = "";

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(filters_validate(f, events_filter_keys, &err), 0);
    events_emit_attrs(ev, event_matches[_i].type, event_matches[_i].action, event_matches[_i].id,
                      json_tokener_parse(event_matches[_i].attrs));
    events_replay(ev, 0, EVENTS_TIME_UNSET, f, collect_cb, seen);
    ck_assert_msg((seen[0] != '\0') == event_matches[_i].want, "%s on %s %s %s %s: got %d",
                  event_matches[_i].filters, event_matches[_i].type, event_matches[_i].action,
                  event_matches[_i].id, event_matches[_i].attrs, seen[0] != '\0');
    events_free(ev);
}
END_TEST

/* Events a..f at t = 10, 20, 30, 40, 50, 60 s; a ring of 8. */
static const struct {
    long long since, until;   /* seconds; -1: unset */
    const char *filters;
    const char *want;
} replays[] = {
    { -1, -1, NULL, "" },   /* no bounds: nothing is replayed */
    { 0, -1, NULL, "a b c d e f" },
    { 30, -1, NULL, "c d e f" },
    { 31, -1, NULL, "d e f" },
    { 60, -1, NULL, "f" },
    { 61, -1, NULL, "" },
    { -1, 30, NULL, "a b c" },
    { 20, 40, NULL, "b c d" },
    { 25, 35, NULL, "c" },
    { 30, 30, NULL, "c" },
    { 0, 100, "{\"event\":[\"b\",\"e\"]}", "b e" },
    { 0, 100, "{\"type\":[\"image\"]}", "b d f" },
};

START_TEST(test_events_replay)
{
    struct events *ev = events_new(NULL, 8, 0);
    static const char *const actions[] = { "a", "b", "c", "d", "e", "f" };
    dctl_error_t err = NULL;
    cleanup_filters struct filters *f = filters_parse(replays[_i].filters, &err);
    char seen[256] = "";
    size_t i, n;

    events_set_clock(ev, fake_clock);
    for (i = 0; i < ARRAY_SIZE(actions); i++) {
        fake_now = (long long)(i + 1) * 10 * SEC;
        events_emit(ev, i % 2 ? "image" : "container", actions[i], "x", NULL);
    }
    n = events_replay(ev, replays[_i].since < 0 ? EVENTS_TIME_UNSET : replays[_i].since * SEC,
                      replays[_i].until < 0 ? EVENTS_TIME_UNSET : replays[_i].until * SEC, f,
                      collect_cb, seen);
    ck_assert_str_eq(seen, replays[_i].want);
    ck_assert_uint_eq(n, replays[_i].want[0] ? (strlen(replays[_i].want) + 1) / 2 : 0);
    events_free(ev);
}
END_TEST

START_TEST(test_events_ring_bounded)
{
    struct events *ev = events_new(NULL, 4, 0);
    char seen[256] = "";
    char action[8];
    int i;

    for (i = 0; i < 10; i++) {
        snprintf(action, sizeof action, "%d", i);
        events_emit(ev, "daemon", action, "x", NULL);
    }
    events_replay(ev, 0, EVENTS_TIME_UNSET, NULL, collect_cb, seen);
    ck_assert_str_eq(seen, "6 7 8 9");
    events_free(ev);
}
END_TEST

START_TEST(test_events_subscribe_live)
{
    struct events *ev = events_new(NULL, 8, 0);
    struct sink all = { .pending = 0 }, images = { .pending = 0 }, replay = { .pending = 0 };
    struct filters *f = filters_new();
    struct events_sub *s1, *s2, *s3;

    events_set_clock(ev, fake_clock);
    fake_now = 10 * SEC;
    events_emit(ev, "container", "old", "x", NULL);
    filters_add(f, "type", "image");
    s1 = events_subscribe(ev, EVENTS_TIME_UNSET, EVENTS_TIME_UNSET, NULL, &sink_ops, &all);
    s2 = events_subscribe(ev, EVENTS_TIME_UNSET, EVENTS_TIME_UNSET, f, &sink_ops, &images);
    s3 = events_subscribe(ev, 0, EVENTS_TIME_UNSET, NULL, &sink_ops, &replay);
    ck_assert_uint_eq(events_nsubscribers(ev), 3);
    ck_assert_str_eq(all.seen, "");
    ck_assert_str_eq(replay.seen, "old");
    fake_now = 20 * SEC;
    events_emit(ev, "container", "start", "x", NULL);
    events_emit(ev, "image", "pull", "x", NULL);
    ck_assert_str_eq(all.seen, "start pull");
    ck_assert_str_eq(images.seen, "pull");
    ck_assert_str_eq(replay.seen, "old start pull");
    events_unsubscribe(s2);
    events_emit(ev, "image", "tag", "x", NULL);
    ck_assert_str_eq(images.seen, "pull");
    ck_assert_str_eq(all.seen, "start pull tag");
    ck_assert_int_eq(all.ended + images.ended + replay.ended, 0);

    events_shutdown(ev);
    ck_assert_int_eq(all.ended, 1);
    ck_assert_int_eq(replay.ended, 1);
    ck_assert_int_eq(all.aborted, 0);
    events_emit(ev, "image", "late", "x", NULL);
    ck_assert_str_eq(all.seen, "start pull tag");   /* ended: nothing more */
    events_unsubscribe(s1);
    events_unsubscribe(s3);
    ck_assert_uint_eq(events_nsubscribers(ev), 0);
    events_free(ev);
}
END_TEST

START_TEST(test_events_subscribe_until_past)
{
    struct events *ev = events_new(NULL, 8, 0);
    struct sink s = { .pending = 0 };
    struct events_sub *sub;

    events_set_clock(ev, fake_clock);
    fake_now = 10 * SEC;
    events_emit(ev, "daemon", "one", "x", NULL);
    fake_now = 20 * SEC;
    events_emit(ev, "daemon", "two", "x", NULL);
    fake_now = 30 * SEC;
    sub = events_subscribe(ev, 5 * SEC, 15 * SEC, NULL, &sink_ops, &s);
    ck_assert_str_eq(s.seen, "one");
    ck_assert_int_eq(s.ended, 1);   /* until is past: over right after the replay */
    ck_assert_int_eq(s.aborted, 0);
    events_emit(ev, "daemon", "three", "x", NULL);
    ck_assert_str_eq(s.seen, "one");
    events_unsubscribe(sub);
    events_free(ev);
}
END_TEST

START_TEST(test_events_subscribe_after_shutdown)
{
    struct events *ev = events_new(NULL, 8, 0);
    struct sink s = { .pending = 0 };
    struct events_sub *sub;

    events_emit(ev, "daemon", "one", "x", NULL);
    events_shutdown(ev);
    sub = events_subscribe(ev, 0, EVENTS_TIME_UNSET, NULL, &sink_ops, &s);
    ck_assert_str_eq(s.seen, "one");
    ck_assert_int_eq(s.ended, 1);
    events_unsubscribe(sub);
    events_free(ev);
}
END_TEST

START_TEST(test_events_slow_subscriber)
{
    struct events *ev = events_new(NULL, 8, 1000);
    struct sink slow = { .pending = 0 }, fast = { .pending = 0 };
    struct events_sub *a, *b;

    a = events_subscribe(ev, EVENTS_TIME_UNSET, EVENTS_TIME_UNSET, NULL, &sink_ops, &slow);
    b = events_subscribe(ev, EVENTS_TIME_UNSET, EVENTS_TIME_UNSET, NULL, &sink_ops, &fast);
    events_emit(ev, "daemon", "one", "x", NULL);
    slow.pending = 1001;   /* its client stopped reading */
    events_emit(ev, "daemon", "two", "x", NULL);
    ck_assert_int_eq(slow.ended, 1);
    ck_assert_int_eq(slow.aborted, 1);
    events_emit(ev, "daemon", "three", "x", NULL);
    ck_assert_str_eq(slow.seen, "one two");
    ck_assert_str_eq(fast.seen, "one two three");
    ck_assert_int_eq(fast.ended, 0);
    events_unsubscribe(a);
    events_unsubscribe(b);
    events_free(ev);
}
END_TEST

START_TEST(test_events_until_timer)
{
    struct event_base *base = event_base_new();
    struct events *ev = events_new(base, 8, 0);
    struct sink s = { .pending = 0 };
    struct events_sub *sub;

    sub = events_subscribe(ev, EVENTS_TIME_UNSET, util_now_ns() + SEC / 20, NULL, &sink_ops, &s);
    ck_assert_int_eq(s.ended, 0);
    events_emit(ev, "daemon", "before", "x", NULL);
    ck_assert_str_eq(s.seen, "before");
    event_base_dispatch(base);   /* returns once the until timer has fired */
    ck_assert_int_eq(s.ended, 1);
    ck_assert_int_eq(s.aborted, 0);
    events_unsubscribe(sub);
    events_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(test_events_free_with_subscribers)
{
    struct event_base *base = event_base_new();
    struct events *ev = events_new(base, 8, 0);
    struct sink s = { .pending = 0 };
    int before = event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED);

    events_subscribe(ev, EVENTS_TIME_UNSET, util_now_ns() + 3600 * SEC, NULL, &sink_ops, &s);
    ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED), before + 1);
    events_emit(ev, "daemon", "one", "x", NULL);
    events_free(ev);   /* frees the subscription and its timer, calls nothing */
    ck_assert_int_eq(s.ended, 0);
    ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED), before);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_events_message_shape);
    tcase_add_loop_test(tc, test_events_filter_match, 0, ARRAY_SIZE(event_matches));
    tcase_add_loop_test(tc, test_events_replay, 0, ARRAY_SIZE(replays));
    tcase_add_test(tc, test_events_ring_bounded);
    tcase_add_test(tc, test_events_subscribe_live);
    tcase_add_test(tc, test_events_subscribe_until_past);
    tcase_add_test(tc, test_events_subscribe_after_shutdown);
    tcase_add_test(tc, test_events_slow_subscriber);
    tcase_add_test(tc, test_events_until_timer);
    tcase_add_test(tc, test_events_free_with_subscribers);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
