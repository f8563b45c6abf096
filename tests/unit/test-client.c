/* tests/unit/test-client.c - dctl's pure parts: -H parsing, host selection,
 * API version comparison, events timestamps, filters and line format, byte
 * sizes, query escaping, the command table. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cmd.h"
#include "client/http.h"
#include "lib/json.h"
#include "lib/util.h"

static const struct {
    const char *host;
    int rc;
    enum http_transport transport;
    const char *socket_path, *base_url;
} hosts[] = {
    { "unix:///run/dctl.sock", 0, HTTP_UNIX, "/run/dctl.sock", "http://localhost" },
    { "unix://relative.sock", 0, HTTP_UNIX, "relative.sock", "http://localhost" },
    { "tcp://127.0.0.1:2375", 0, HTTP_TCP, NULL, "http://127.0.0.1:2375" },
    { "tcp://127.0.0.1:2375/", 0, HTTP_TCP, NULL, "http://127.0.0.1:2375" },
    { "tcp://127.0.0.1", 0, HTTP_TCP, NULL, "http://127.0.0.1:2375" },
    { "tcp://:4243", 0, HTTP_TCP, NULL, "http://127.0.0.1:4243" },
    { "tcp://[::1]:2375", 0, HTTP_TCP, NULL, "http://[::1]:2375" },
    { "tcp://[::1]", 0, HTTP_TCP, NULL, "http://[::1]:2375" },
    { "tcp://localhost:1", 0, HTTP_TCP, NULL, "http://localhost:1" },
    { "unix://", -1, 0, NULL, NULL },
    { "/run/dctl.sock", -1, 0, NULL, NULL },
    { "ssh://me@host", -1, 0, NULL, NULL },
    { "tcp://127.0.0.1:0", -1, 0, NULL, NULL },
    { "tcp://127.0.0.1:65536", -1, 0, NULL, NULL },
    { "tcp://127.0.0.1:x", -1, 0, NULL, NULL },
    { "tcp://127.0.0.1:", -1, 0, NULL, NULL },
    { "tcp://::1:2375", -1, 0, NULL, NULL },
    { "tcp://[::1:2375", -1, 0, NULL, NULL },
    { "tcp://[]:2375", -1, 0, NULL, NULL },
    { "tcp://127.0.0.1:2375/base", -1, 0, NULL, NULL },
};

START_TEST(test_endpoint_parse)
{
    struct http_endpoint ep;
    dctl_error_t err = NULL;
    int rc = http_endpoint_parse(hosts[_i].host, &ep, &err);

    ck_assert_msg(rc == hosts[_i].rc, "%s: rc %d", hosts[_i].host, rc);
    if (rc < 0) {
        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_msg(strstr(err->msg, hosts[_i].host) != NULL, "message %s", err->msg);
        dctl_error_free(err);
        return;
    }
    ck_assert_ptr_null(err);
    ck_assert_int_eq(ep.transport, hosts[_i].transport);
    if (hosts[_i].socket_path)
        ck_assert_str_eq(ep.socket_path, hosts[_i].socket_path);
    else
        ck_assert_ptr_null(ep.socket_path);
    ck_assert_str_eq(ep.base_url, hosts[_i].base_url);
    http_endpoint_fini(&ep);
}
END_TEST

static const struct {
    const char *flag, *dctl, *docker, *want;
} picks[] = {
    { "unix:///a", "unix:///b", "unix:///c", "unix:///a" },
    { NULL, "unix:///b", "unix:///c", "unix:///b" },
    { NULL, NULL, "unix:///c", "unix:///c" },
    { NULL, "", "unix:///c", "unix:///c" },
    { NULL, NULL, NULL, HTTP_DEFAULT_HOST },
    { NULL, "", "", HTTP_DEFAULT_HOST },
};

START_TEST(test_host_pick)
{
    ck_assert_str_eq(client_host_pick(picks[_i].flag, picks[_i].dctl, picks[_i].docker),
                     picks[_i].want);
}
END_TEST

static const struct {
    const char *a, *b;
    int sign;
} versions[] = {
    { "1.43", "1.43", 0 }, { "1.40", "1.43", -1 }, { "1.43", "1.24", 1 },
    { "1.9", "1.10", -1 }, { "2.0", "1.99", 1 },   { "x", "1.24", -1 },
    { "1.24", "1.", 1 },   { "1.43a", "1.43", -1 },
};

START_TEST(test_version_compare)
{
    int r = http_version_compare(versions[_i].a, versions[_i].b);

    ck_assert_int_eq(r < 0 ? -1 : r > 0 ? 1 : 0, versions[_i].sign);
}
END_TEST

#define NOW (1700000000LL * 1000000000LL)
static const struct {
    const char *in;
    int rc;
    const char *out;
} stamps[] = {
    { "1700000000", 0, "1700000000" },
    { "1700000000.5", 0, "1700000000.500000000" },
    { "10m", 0, "1699999400" },
    { "1h30m", 0, "1699994600" },
    { "2023-11-14T22:13:20Z", 0, "1700000000" },
    { "2023-11-14T22:13:20.25Z", 0, "1700000000.250000000" },
    { "2023-11-15T00:13:20+02:00", 0, "1700000000" },
    { "0", 0, "0" },
    { "yesterday", -1, NULL },
    { "", -1, NULL },
    { "10x", -1, NULL },
};

START_TEST(test_events_timestamp)
{
    char *out = NULL;
    dctl_error_t err = NULL;
    int rc = cmd_events_timestamp(stamps[_i].in, NOW, &out, &err);

    ck_assert_msg(rc == stamps[_i].rc, "%s: rc %d", stamps[_i].in, rc);
    if (rc == 0) {
        ck_assert_str_eq(out, stamps[_i].out);
        free(out);
    } else {
        ck_assert_ptr_nonnull(err);
        ck_assert_msg(strstr(err->msg, "invalid timestamp") != NULL, "%s", err->msg);
        dctl_error_free(err);
    }
}
END_TEST

START_TEST(test_events_filters)
{
    cleanup_json struct json_object *f = json_object_new_object();
    cleanup_free char *text = NULL;
    dctl_error_t err = NULL;

    ck_assert_int_eq(cmd_events_add_filter(f, "type=container", &err), 0);
    ck_assert_int_eq(cmd_events_add_filter(f, "event=start", &err), 0);
    ck_assert_int_eq(cmd_events_add_filter(f, "event=stop", &err), 0);
    ck_assert_int_eq(cmd_events_add_filter(f, "label=a=b", &err), 0);
    ck_assert_int_eq(cmd_events_add_filter(f, "image=", &err), 0);
    ck_assert_ptr_null(err);
    text = json_to_string(f);
    ck_assert_str_eq(text, "{\"type\":[\"container\"],\"event\":[\"start\",\"stop\"],"
                           "\"label\":[\"a=b\"],\"image\":[\"\"]}");
    ck_assert_int_eq(cmd_events_add_filter(f, "nonsense", &err), -1);
    ck_assert_str_eq(err->msg, "bad format of filter (expected name=value)");
    dctl_error_clear(&err);
    ck_assert_int_eq(cmd_events_add_filter(f, "=x", &err), -1);
    dctl_error_clear(&err);
    ck_assert_int_eq(json_object_object_length(f), 4);
}
END_TEST

static const struct {
    const char *json, *line;
} events[] = {
    { "{\"Type\":\"daemon\",\"Action\":\"reload\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":"
      "{\"name\":\"host\",\"labels\":\"[]\"}},\"scope\":\"local\",\"time\":1700000000,"
      "\"timeNano\":1700000000123456789}",
      "2023-11-14T22:13:20.123456789Z daemon reload abc (labels=[], name=host)" },
    { "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c1\"},"
      "\"time\":1700000000}",
      "2023-11-14T22:13:20.000000000Z container start c1" },
    { "{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":\"busybox\","
      "\"Attributes\":{}}}",
      "image pull busybox" },
    { "{\"status\":\"die\",\"id\":\"c2\",\"Type\":\"container\",\"time\":0}",
      "container die c2" },
};

START_TEST(test_events_format)
{
    cleanup_json struct json_object *ev = json_tokener_parse(events[_i].json);
    cleanup_free char *line = NULL;

    ck_assert_ptr_nonnull(ev);
    line = cmd_events_format(ev);
    ck_assert_str_eq(line, events[_i].line);
}
END_TEST

START_TEST(test_events_format_local_zone)
{
    cleanup_json struct json_object *ev = json_tokener_parse(
        "{\"Type\":\"daemon\",\"Action\":\"reload\",\"Actor\":{\"ID\":\"x\"},"
        "\"timeNano\":1700000000000000001}");
    cleanup_free char *line = NULL;

    setenv("TZ", "EST5", 1);
    tzset();
    line = cmd_events_format(ev);
    setenv("TZ", "UTC", 1);
    tzset();
    ck_assert_str_eq(line, "2023-11-14T17:13:20.000000001-05:00 daemon reload x");
}
END_TEST

static const struct {
    double bytes;
    const char *out;
} sizes[] = {
    { 0, "0B" },          { 1023, "1023B" },          { 1024, "1KiB" },
    { 2048000, "1.953MiB" }, { 33339981824.0, "31.05GiB" }, { 1099511627776.0, "1TiB" },
};

START_TEST(test_format_bytes)
{
    char buf[32];

    cmd_format_bytes(sizes[_i].bytes, buf, sizeof buf);
    ck_assert_str_eq(buf, sizes[_i].out);
}
END_TEST

START_TEST(test_query_escape)
{
    cleanup_free char *a = http_query_escape("{\"type\":[\"container\"]}");
    cleanup_free char *b = http_query_escape("a-b_c.d~e f&g=h/");

    ck_assert_str_eq(a, "%7B%22type%22%3A%5B%22container%22%5D%7D");
    ck_assert_str_eq(b, "a-b_c.d~e%20f%26g%3Dh%2F");
}
END_TEST

START_TEST(test_cmd_table)
{
    size_t i;

    for (i = 0; cmd_table[i] != NULL; i++) {
        ck_assert_ptr_eq(cmd_find(cmd_table[i]->name), cmd_table[i]);
        ck_assert_ptr_nonnull(cmd_table[i]->exec);
        ck_assert_ptr_nonnull(cmd_table[i]->summary);
        if (cmd_table[i + 1] != NULL) /* sorted, so --help lists them in order */
            ck_assert_int_lt(strcmp(cmd_table[i]->name, cmd_table[i + 1]->name), 0);
    }
    ck_assert_uint_ge(i, 3);
    ck_assert_ptr_null(cmd_find("nosuchcmd"));
    ck_assert_ptr_null(cmd_find(""));
}
END_TEST

START_TEST(test_client_unreachable)
{
    /* a socket path that cannot exist: the one-line message names the address */
    dctl_error_t err = NULL;
    struct http_client *c = http_client_new("unix:///nonexistent/dctl-test.sock", &err);
    struct http_response resp;

    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(http_request(c, "GET", "/info", NULL, &resp, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_UNAVAILABLE);
    ck_assert_str_eq(err->msg, "Cannot connect to the dctl daemon at "
                               "unix:///nonexistent/dctl-test.sock. Is dctld running?");
    ck_assert_ptr_null(strchr(err->msg, '\n'));
    dctl_error_free(err);
    http_client_free(c);
}
END_TEST

static const struct {
    long status;
    const char *body;
    enum dctl_error_kind kind;
    const char *msg;
} errors[] = {
    { 404, "{\"message\":\"page not found\"}", DCTL_ERR_NOT_FOUND,
      "Error response from daemon: page not found" },
    { 400, "{\"message\":\"bad\"}\n", DCTL_ERR_INVALID, "Error response from daemon: bad" },
    { 500, "plain text\n", DCTL_ERR_INTERNAL, "Error response from daemon: plain text" },
    { 409, "", DCTL_ERR_CONFLICT, "Error response from daemon: status 409 with an empty body" },
    { 503, "{\"other\":1}", DCTL_ERR_UNAVAILABLE, "Error response from daemon: {\"other\":1}" },
};

START_TEST(test_response_error)
{
    struct http_response resp = { .status = errors[_i].status,
                                  .body = (char *)errors[_i].body,
                                  .len = strlen(errors[_i].body) };
    dctl_error_t err = NULL;

    ck_assert_int_eq(http_response_error(&resp, &err), -1);
    ck_assert_int_eq(err->kind, errors[_i].kind);
    ck_assert_str_eq(err->msg, errors[_i].msg);
    dctl_error_free(err);
}
END_TEST

static Suite *
client_suite(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_endpoint_parse, 0, ARRAY_SIZE(hosts));
    tcase_add_loop_test(tc, test_host_pick, 0, ARRAY_SIZE(picks));
    tcase_add_loop_test(tc, test_version_compare, 0, ARRAY_SIZE(versions));
    tcase_add_loop_test(tc, test_events_timestamp, 0, ARRAY_SIZE(stamps));
    tcase_add_test(tc, test_events_filters);
    tcase_add_loop_test(tc, test_events_format, 0, ARRAY_SIZE(events));
    tcase_add_test(tc, test_events_format_local_zone);
    tcase_add_loop_test(tc, test_format_bytes, 0, ARRAY_SIZE(sizes));
    tcase_add_test(tc, test_query_escape);
    tcase_add_test(tc, test_cmd_table);
    tcase_add_test(tc, test_client_unreachable);
    tcase_add_loop_test(tc, test_response_error, 0, ARRAY_SIZE(errors));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(client_suite());
    int failed;

    setenv("TZ", "UTC", 1);
    tzset();
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
