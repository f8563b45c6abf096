/* tests/unit/test-json.c - lib/json.c (json_parse strictness, json_parse_object,
 * json_get_*, json_type_label) and lib/util.c (util_parse_timestamp in all its
 * forms, util_parse_int64, util_format_rfc3339). */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"

/* ---- json_parse ---------------------------------------------------------- */

static const struct {
    const char *text;
    size_t len;          /* 0: strlen(text) */
    const char *err;     /* NULL: parses; else the message after "body: " starts with it */
    const char *type;    /* json_type_label of the result when it parses */
} parses[] = {
    { "{}", 0, NULL, "object" },
    { "  {\"a\": [1, 2.5, \"x\", true, null]}\r\n\t ", 0, NULL, "object" },
    { "[]", 0, NULL, "array" },
    { "123", 0, NULL, "number" },          /* a top-level number needs no delimiter */
    { "-1.5e3", 0, NULL, "number" },
    { "\"str\"", 0, NULL, "string" },
    { "true", 0, NULL, "bool" },
    { "false ", 0, NULL, "bool" },
    { "{\"k\": \"caf\xc3\xa9\"}", 0, NULL, "object" },
    { "{\"k\": \"it's\"}", 0, NULL, "object" },          /* a quote inside a string */
    { "{\"k\\\"'\": 1}", 0, NULL, "object" },              /* escaped quote, then ' */
    { "null", 0, "expected a JSON value, got null", NULL },
    { "", 0, "unexpected EOF", NULL },
    { "   ", 0, "unexpected EOF", NULL },
    { "{", 0, "unexpected EOF", NULL },
    { "{\"a\": [1, 2", 0, "unexpected EOF", NULL },
    { "{\"a\": \"unterminated", 0, "unexpected EOF", NULL },
    { "{}}", 0, "invalid JSON: unexpected data after the top-level value at offset 2", NULL },
    { "{} {}", 0, "invalid JSON: unexpected data after the top-level value at offset 3", NULL },
    { "[] x", 0, "invalid JSON: unexpected data after the top-level value at offset 3", NULL },
    { "{}\0{}", 5, "invalid JSON: unexpected data after the top-level value at offset 2", NULL },
    { "{'a': 1}", 0, "invalid JSON: strings must use double quotes", NULL },
    { "{\"a\": 'b'}", 0, "invalid JSON: ", NULL },
    { "{\"a\": 1,}", 0, "invalid JSON: ", NULL },
    { "[1, 2,]", 0, "invalid JSON: ", NULL },
    { "{a: 1}", 0, "invalid JSON: ", NULL },
    { "{\"a\" 1}", 0, "invalid JSON: ", NULL },
    { "nul", 0, "unexpected EOF", NULL },
    { "tru", 0, "unexpected EOF", NULL },
    { "nulx", 0, "invalid JSON: ", NULL },
    { "[trux]", 0, "invalid JSON: ", NULL },
    { "{\"a\": [Infinity]}", 0, "invalid JSON: ", NULL },
    { "{\"a\": NaN}", 0, "invalid JSON: ", NULL },
    { "{\"a\": 01}", 0, "invalid JSON: ", NULL },
    { "{\"a\": \"\xff\xfe\"}", 0, "invalid JSON: ", NULL },   /* not UTF-8 */
    { "/* c */ {}", 0, "invalid JSON: ", NULL },
};

START_TEST(test_json_parse)
{
    dctl_error_t err = NULL;
    size_t len = parses[_i].len ? parses[_i].len : strlen(parses[_i].text);
    struct json_object *o = json_parse(parses[_i].text, len, "body", &err);

    if (parses[_i].err == NULL) {
        ck_assert_msg(o != NULL, "%s: %s", parses[_i].text, err ? err->msg : "?");
        ck_assert_ptr_null(err);
        ck_assert_str_eq(json_type_label(o), parses[_i].type);
        json_object_put(o);
    } else {
        ck_assert_msg(o == NULL, "%s: parsed", parses[_i].text);
        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_msg(strncmp(err->msg, "body: ", 6) == 0 &&
                          strncmp(err->msg + 6, parses[_i].err, strlen(parses[_i].err)) == 0,
                      "%s: \"%s\", want \"body: %s...\"", parses[_i].text, err->msg,
                      parses[_i].err);
        dctl_error_free(err);
    }
}
END_TEST

START_TEST(test_json_parse_values)
{
    dctl_error_t err = NULL;
    struct json_object *o = json_parse("123", 3, "n", &err);

    ck_assert_int_eq(json_object_get_int64(o), 123);
    json_object_put(o);
    /* the parser stops at len: the rest of the buffer is not looked at */
    o = json_parse("[1]garbage", 3, "n", &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(json_object_array_length(o), 1);
    json_object_put(o);
    o = json_parse("42xyz", 2, "n", &err);
    ck_assert_int_eq(json_object_get_int64(o), 42);
    json_object_put(o);
}
END_TEST

static const struct {
    const char *text;
    const char *err;
} objects[] = {
    { "{\"a\": 1}", NULL },
    { "[]", "cfg: expected a JSON object, got array" },
    { "null", "cfg: expected a JSON object, got null" },
    { "\"{}\"", "cfg: expected a JSON object, got string" },
    { "1", "cfg: expected a JSON object, got number" },
    { "{", "cfg: unexpected EOF" },
};

START_TEST(test_json_parse_object)
{
    dctl_error_t err = NULL;
    struct json_object *o = json_parse_object(objects[_i].text, strlen(objects[_i].text), "cfg",
                                              &err);

    if (objects[_i].err == NULL) {
        ck_assert_ptr_nonnull(o);
        ck_assert_ptr_null(err);
        json_object_put(o);
    } else {
        ck_assert_ptr_null(o);
        ck_assert_str_eq(err->msg, objects[_i].err);
        dctl_error_free(err);
    }
}
END_TEST

START_TEST(test_json_read_object_fd)
{
    int fds[2];
    const char *text = "{\"a\": \"b\"}";
    struct json_object *o = NULL;
    dctl_error_t err = NULL;

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    ck_assert_int_eq(json_read_object_fd(fds[0], "pipe", &o, &err), 0);
    ck_assert_str_eq(json_get_string(o, "a"), "b");
    json_object_put(o);
    close(fds[0]);
    ck_assert_int_eq(pipe(fds), 0);
    close(fds[1]);
    ck_assert_int_eq(json_read_object_fd(fds[0], "empty pipe", &o, &err), -1);
    ck_assert_str_eq(err->msg, "empty pipe: unexpected EOF");
    dctl_error_free(err);
    close(fds[0]);
}
END_TEST

/* ---- json_get_* ----------------------------------------------------------- */

static const char getters_text[] =
    "{\"s\": \"str\", \"empty\": \"\", \"n\": 42, \"neg\": -7, \"d\": 2.9, \"big\": 9007199254740993,"
    " \"t\": true, \"f\": false, \"null\": null, \"sfalse\": \"false\", \"snum\": \"12\","
    " \"arr\": [1], \"obj\": {}}";

static const struct {
    const char *key;
    const char *str;      /* json_get_string */
    long long i;          /* json_get_int64 with dflt -99 */
    int b;                /* json_get_bool with dflt false (0/1), then with dflt true */
    int b_true;
} getters[] = {
    { "s", "str", -99, 0, 1 },
    { "empty", "", -99, 0, 1 },
    { "n", NULL, 42, 0, 1 },
    { "neg", NULL, -7, 0, 1 },
    { "d", NULL, 2, 0, 1 },
    { "big", NULL, 9007199254740993LL, 0, 1 },
    { "t", NULL, -99, 1, 1 },
    { "f", NULL, -99, 0, 0 },
    { "null", NULL, -99, 0, 1 },
    { "sfalse", "false", -99, 0, 1 },   /* a string is not a bool */
    { "snum", "12", -99, 0, 1 },        /* nor a number */
    { "arr", NULL, -99, 0, 1 },
    { "obj", NULL, -99, 0, 1 },
    { "absent", NULL, -99, 0, 1 },
};

START_TEST(test_json_get)
{
    dctl_error_t err = NULL;
    cleanup_json struct json_object *o =
        json_parse(getters_text, strlen(getters_text), "getters", &err);
    const char *s;

    ck_assert_ptr_nonnull(o);
    s = json_get_string(o, getters[_i].key);
    if (getters[_i].str)
        ck_assert_str_eq(s, getters[_i].str);
    else
        ck_assert_ptr_null(s);
    ck_assert_int_eq(json_get_int64(o, getters[_i].key, -99), getters[_i].i);
    ck_assert_int_eq(json_get_bool(o, getters[_i].key, false), getters[_i].b);
    ck_assert_int_eq(json_get_bool(o, getters[_i].key, true), getters[_i].b_true);
}
END_TEST

START_TEST(test_json_get_null_object)
{
    ck_assert_ptr_null(json_get_string(NULL, "a"));
    ck_assert_int_eq(json_get_int64(NULL, "a", 5), 5);
    ck_assert_int_eq(json_get_bool(NULL, "a", true), true);
}
END_TEST

START_TEST(test_json_add_and_to_string)
{
    cleanup_json struct json_object *o = json_object_new_object();
    cleanup_free char *text = NULL;

    json_add_string(o, "s", "a/b\"c");
    json_add_string(o, "nul", NULL);
    json_add_int64(o, "i", -3);
    json_add_bool(o, "b", true);
    text = json_to_string(o);
    ck_assert_str_eq(text, "{\"s\":\"a/b\\\"c\",\"nul\":null,\"i\":-3,\"b\":true}");
}
END_TEST

/* ---- util_parse_timestamp -------------------------------------------------- */

#define NOW 1700000000000000000LL    /* 2023-11-14T22:13:20Z */
#define S 1000000000LL

static const struct {
    const char *in;
    int rc;
    long long ns;
} stamps[] = {
    /* unix seconds and fractions */
    { "0", 0, 0 },
    { "1700000000", 0, 1700000000 * S },
    { "1700000000.5", 0, 1700000000 * S + 500000000 },
    { "1700000000.000000001", 0, 1700000000 * S + 1 },
    { "1700000000.123456789", 0, 1700000000 * S + 123456789 },
    { "-5", 0, -5 * S },
    { "-1.5", 0, -1 * S - 500000000 },
    { "1700000000.", -1, 0 },
    { "1700000000.1234567891", -1, 0 },   /* more than nanoseconds */
    { "99999999999999999999", -1, 0 },    /* overflows */
    { "9300000000", -1, 0 },              /* seconds past what ns can hold */
    /* RFC 3339 */
    { "2023-11-14T22:13:20Z", 0, 1700000000 * S },
    { "2023-11-14T22:13:20.25Z", 0, 1700000000 * S + 250000000 },
    { "2023-11-14T22:13:20.123456789123Z", 0, 1700000000 * S + 123456789 },
    { "2023-11-15T00:13:20+02:00", 0, 1700000000 * S },
    { "2023-11-14T17:13:20.5-05:00", 0, 1700000000 * S + 500000000 },
    { "2023-11-14T22:13:20+00:00", 0, 1700000000 * S },
    { "2023-11-14T22:13:20", 0, 1700000000 * S },     /* no zone: UTC */
    { "2023-11-14", 0, 1699920000 * S },
    { "2023-11-14T22:13:20+0200", -1, 0 },
    { "2023-11-14T22:13:20+2:00", -1, 0 },            /* was read past the end */
    { "2023-11-14T22:13:20+", -1, 0 },
    { "2023-11-14T22:13:20.Z", -1, 0 },
    { "2023-11-14T22:13:20Zjunk", -1, 0 },
    { "2023-13-14T22:13:20Z", -1, 0 },
    /* durations, relative to now */
    { "10m", 0, NOW - 600 * S },
    { "1h30m", 0, NOW - 5400 * S },
    { "1.5h", 0, NOW - 5400 * S },
    { "250ms", 0, NOW - 250000000 },
    { "3us", 0, NOW - 3000 },
    { "7ns", 0, NOW - 7 },
    { "-1h", 0, NOW + 3600 * S },
    { "2s500ms", 0, NOW - 2500000000LL },
    { "10", 0, 10 * S },                 /* a bare number is unix seconds */
    { "10x", -1, 0 },
    { "h", -1, 0 },
    { "-", -1, 0 },
    { "1h-", -1, 0 },
    { "9999999999h", -1, 0 },            /* overflows */
    /* garbage */
    { "", -1, 0 },
    { "yesterday", -1, 0 },
    { "notatime", -1, 0 },
    { "1.2.3", -1, 0 },
    { "1e9", -1, 0 },
    { " 10", -1, 0 },
};

START_TEST(test_util_parse_timestamp)
{
    long long ns = -12345;
    int rc = util_parse_timestamp(stamps[_i].in, NOW, &ns);

    ck_assert_msg(rc == stamps[_i].rc, "\"%s\": rc %d, want %d", stamps[_i].in, rc,
                  stamps[_i].rc);
    if (rc == 0)
        ck_assert_msg(ns == stamps[_i].ns, "\"%s\": %lld, want %lld", stamps[_i].in, ns,
                      stamps[_i].ns);
    else
        ck_assert_int_eq(ns, -12345);   /* untouched on failure */
}
END_TEST

START_TEST(test_util_parse_timestamp_null)
{
    long long ns = 1;

    ck_assert_int_eq(util_parse_timestamp(NULL, NOW, &ns), -1);
    ck_assert_int_eq(ns, 1);
}
END_TEST

static const struct {
    const char *in;
    int rc;
    long long v;
} ints[] = {
    { "0", 0, 0 }, { "-12", 0, -12 }, { "9223372036854775807", 0, 9223372036854775807LL },
    { "9223372036854775808", -1, 0 }, { "", -1, 0 }, { " 1", -1, 0 }, { "1 ", -1, 0 },
    { "0x10", -1, 0 }, { "1.0", -1, 0 }, { "abc", -1, 0 },
};

START_TEST(test_util_parse_int64)
{
    long long v = 77;

    ck_assert_int_eq(util_parse_int64(ints[_i].in, &v), ints[_i].rc);
    ck_assert_int_eq(v, ints[_i].rc == 0 ? ints[_i].v : 77);
}
END_TEST

START_TEST(test_util_format_rfc3339)
{
    char buf[64];
    long long back = 0;

    util_format_rfc3339(1700000000 * S + 5, buf, sizeof buf);
    ck_assert_str_eq(buf, "2023-11-14T22:13:20.000000005Z");
    ck_assert_int_eq(util_parse_timestamp(buf, 0, &back), 0);
    ck_assert_int_eq(back, 1700000000 * S + 5);
    ck_assert(util_has_prefix("/v1.43/x", "/v1."));
    ck_assert(!util_has_prefix("/v", "/v1."));
    ck_assert(util_has_suffix("a.json", ".json"));
    ck_assert(!util_has_suffix("json", ".json"));
}
END_TEST

/* Go's time.Duration.String() */
static const struct { long long ns; const char *want; } durations[] = {
    { 0, "0s" },        { 1, "1ns" },          { 1500, "1.5\xc2\xb5s" }, { 500000000, "500ms" },
    { 1500000, "1.5ms" }, { 30 * S, "30s" },   { 1500000000, "1.5s" },  { 90 * S, "1m30s" },
    { 7200 * S, "2h0m0s" }, { 3661 * S + 1, "1h1m1.000000001s" },    { -2 * S, "-2s" },
};

START_TEST(test_util_format_go_duration)
{
    char buf[64];

    util_format_go_duration(durations[_i].ns, buf, sizeof buf);
    ck_assert_str_eq(buf, durations[_i].want);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("json");
    TCase *tj = tcase_create("json");
    TCase *tu = tcase_create("util");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tj, test_json_parse, 0, ARRAY_SIZE(parses));
    tcase_add_test(tj, test_json_parse_values);
    tcase_add_loop_test(tj, test_json_parse_object, 0, ARRAY_SIZE(objects));
    tcase_add_test(tj, test_json_read_object_fd);
    tcase_add_loop_test(tj, test_json_get, 0, ARRAY_SIZE(getters));
    tcase_add_test(tj, test_json_get_null_object);
    tcase_add_test(tj, test_json_add_and_to_string);
    suite_add_tcase(s, tj);
    tcase_add_loop_test(tu, test_util_parse_timestamp, 0, ARRAY_SIZE(stamps));
    tcase_add_test(tu, test_util_parse_timestamp_null);
    tcase_add_loop_test(tu, test_util_parse_int64, 0, ARRAY_SIZE(ints));
    tcase_add_test(tu, test_util_format_rfc3339);
    tcase_add_loop_test(tu, test_util_format_go_duration, 0, ARRAY_SIZE(durations));
    suite_add_tcase(s, tu);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
