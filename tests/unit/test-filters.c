/* tests/unit/test-filters.c - the `filters` query parameter: both wire forms,
 * every malformed shape, key validation and dockerd's matchers. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api/filters.h"
#include "lib/json.h"
#include "lib/util.h"

/* in: the query text; out: filters_to_json of the result, or NULL for an error */
static const struct {
    const char *in, *out;
} parses[] = {
    { NULL, "{}" },
    { "", "{}" },
    { "null", "{}" },
    { "{}", "{}" },
    { " {} ", "{}" },
    { "{\"type\":[\"container\",\"image\"]}", "{\"type\":{\"container\":true,\"image\":true}}" },
    { "{\"type\":{\"container\":true}}", "{\"type\":{\"container\":true}}" },
    { "{\"type\":{\"container\":true,\"image\":false}}",
      "{\"type\":{\"container\":true,\"image\":false}}" },
    { "{\"a\":{\"x\":null}}", "{\"a\":{\"x\":false}}" },
    { "{\"a\":null}", "{\"a\":{}}" },
    { "{\"a\":[]}", "{\"a\":{}}" },
    { "{\"a\":{}}", "{\"a\":{}}" },
    { "{\"a\":[\"x\",\"x\"]}", "{\"a\":{\"x\":true}}" },
    { "{\"a\":[\"x\",null]}", "{\"a\":{\"x\":true,\"\":true}}" },
    { "{\"label\":[\"k=v\"],\"type\":[\"image\"]}",
      "{\"label\":{\"k=v\":true},\"type\":{\"image\":true}}" },
    { "{\"a\":null,\"b\":[\"y\"]}", "{\"a\":{},\"b\":{\"y\":true}}" },
    /* malformed JSON */
    { "{bad", NULL },
    { "{\"a\":[\"x\"]", NULL },
    { "{\"a\":[\"x\"]} x", NULL },
    { "{'a':['x']}", NULL },
    /* wrong shapes */
    { "[]", NULL },
    { "[\"type\"]", NULL },
    { "\"type=image\"", NULL },
    { "1", NULL },
    { "true", NULL },
    { "{\"a\":\"x\"}", NULL },
    { "{\"a\":1}", NULL },
    { "{\"a\":true}", NULL },
    { "{\"a\":[1]}", NULL },
    { "{\"a\":[true]}", NULL },
    { "{\"a\":[[\"x\"]]}", NULL },
    { "{\"a\":[{\"x\":true}]}", NULL },
    { "{\"a\":{\"x\":\"yes\"}}", NULL },
    { "{\"a\":{\"x\":1}}", NULL },
    { "{\"a\":{\"x\":[true]}}", NULL },
    { "{\"a\":{\"x\":true},\"b\":[\"y\"]}", NULL },   /* forms mixed */
};

START_TEST(test_filters_parse)
{
    dctl_error_t err = NULL;
    struct filters *f = filters_parse(parses[_i].in, &err);

    if (parses[_i].out == NULL) {
        ck_assert_msg(f == NULL, "%s: parsed", parses[_i].in);
        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_str_eq(err->msg, "invalid filter");
        dctl_error_free(err);
    } else {
        cleanup_free char *text = NULL;

        ck_assert_msg(f != NULL, "%s: refused", parses[_i].in);
        ck_assert_ptr_null(err);
        text = filters_to_json(f);
        ck_assert_str_eq(text, parses[_i].out);
        filters_free(f);
    }
}
END_TEST

static const char *const accepted[] = { "type", "label", "event", NULL };

static const struct {
    const char *in, *msg;   /* msg NULL: valid */
} validations[] = {
    { "{}", NULL },
    { "{\"type\":[\"image\"],\"label\":[\"a\"]}", NULL },
    { "{\"event\":[]}", NULL },
    { "{\"foo\":[\"x\"]}", "invalid filter 'foo'" },
    { "{\"type\":[\"image\"],\"Type\":[\"x\"]}", "invalid filter 'Type'" },
    { "{\"\":[\"x\"]}", "invalid filter ''" },
};

START_TEST(test_filters_validate)
{
    dctl_error_t err = NULL;
    cleanup_filters struct filters *f = filters_parse(validations[_i].in, &err);

    ck_assert_ptr_nonnull(f);
    if (validations[_i].msg == NULL) {
        ck_assert_int_eq(filters_validate(f, accepted, &err), 0);
        ck_assert_ptr_null(err);
    } else {
        ck_assert_int_eq(filters_validate(f, accepted, &err), -1);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_str_eq(err->msg, validations[_i].msg);
        dctl_error_free(err);
    }
}
END_TEST

enum { EXACT, FUZZY };

static const struct {
    const char *filters;
    int how;
    const char *key, *value;
    bool want;
} matches[] = {
    { "{}", EXACT, "type", "image", true },
    { "{\"type\":[]}", EXACT, "type", "image", true },
    { "{\"type\":[\"image\"]}", EXACT, "type", "image", true },
    { "{\"type\":[\"image\"]}", EXACT, "type", "container", false },
    { "{\"type\":[\"image\",\"container\"]}", EXACT, "type", "container", true },
    { "{\"type\":[\"image\"]}", EXACT, "type", "imag", false },
    { "{\"type\":[\"image\"]}", EXACT, "event", "start", true },   /* other key */
    { "{\"type\":{\"image\":false}}", EXACT, "type", "image", false },
    { "{\"type\":[\"image\"]}", EXACT, "type", NULL, false },
    { "{\"container\":[\"abc\"]}", FUZZY, "container", "abcdef", true },
    { "{\"container\":[\"abc\"]}", FUZZY, "container", "abc", true },
    { "{\"container\":[\"abc\"]}", FUZZY, "container", "xabc", false },
    { "{\"container\":[\"abcd\"]}", FUZZY, "container", "abc", false },
    { "{\"container\":[\"abc\"]}", FUZZY, "container", NULL, false },
    { "{\"container\":[\"\"]}", FUZZY, "container", "anything", true },
    { "{\"container\":[]}", FUZZY, "container", "anything", true },
};

START_TEST(test_filters_match)
{
    dctl_error_t err = NULL;
    cleanup_filters struct filters *f = filters_parse(matches[_i].filters, &err);
    bool got;

    ck_assert_ptr_nonnull(f);
    if (matches[_i].how == EXACT)
        got = filters_match_exact(f, matches[_i].key, matches[_i].value);
    else
        got = filters_match_fuzzy(f, matches[_i].key, matches[_i].value);
    ck_assert_msg(got == matches[_i].want, "%s %s=%s: got %d", matches[_i].filters,
                  matches[_i].key, matches[_i].value ? matches[_i].value : "(null)", got);
}
END_TEST

static const struct {
    const char *filters, *labels;
    bool want;
} kvs[] = {
    { "{}", "{}", true },
    { "{}", NULL, true },
    { "{\"label\":[\"a\"]}", "{\"a\":\"1\"}", true },
    { "{\"label\":[\"a\"]}", "{\"b\":\"1\"}", false },
    { "{\"label\":[\"a\"]}", "{}", false },
    { "{\"label\":[\"a\"]}", NULL, false },
    { "{\"label\":[\"a=1\"]}", "{\"a\":\"1\"}", true },
    { "{\"label\":[\"a=1\"]}", "{\"a\":\"2\"}", false },
    { "{\"label\":[\"a=\"]}", "{\"a\":\"\"}", true },
    { "{\"label\":[\"a=\"]}", "{\"a\":\"x\"}", false },
    { "{\"label\":[\"a=1=2\"]}", "{\"a\":\"1=2\"}", true },
    { "{\"label\":[\"a\",\"b=2\"]}", "{\"a\":\"x\",\"b\":\"2\"}", true },   /* all must match */
    { "{\"label\":[\"a\",\"b=2\"]}", "{\"a\":\"x\",\"b\":\"3\"}", false },
    { "{\"label\":[\"a\",\"c\"]}", "{\"a\":\"x\",\"b\":\"2\"}", false },
};

START_TEST(test_filters_match_kv)
{
    dctl_error_t err = NULL;
    cleanup_filters struct filters *f = filters_parse(kvs[_i].filters, &err);
    cleanup_json struct json_object *labels =
        kvs[_i].labels ? json_tokener_parse(kvs[_i].labels) : NULL;

    ck_assert_ptr_nonnull(f);
    ck_assert_msg(filters_match_kv(f, "label", labels) == kvs[_i].want, "%s on %s",
                  kvs[_i].filters, kvs[_i].labels ? kvs[_i].labels : "(null)");
}
END_TEST

static const struct {
    const char *filters;
    int rc;
    bool want;
    const char *msg;
} bools[] = {
    { "{}", 0, true, NULL },   /* the default */
    { "{\"dangling\":[\"true\"]}", 0, true, NULL },
    { "{\"dangling\":[\"1\"]}", 0, true, NULL },
    { "{\"dangling\":[\"false\"]}", 0, false, NULL },
    { "{\"dangling\":[\"0\"]}", 0, false, NULL },
    { "{\"dangling\":[]}", -1, true, "invalid filter 'dangling'" },
    { "{\"dangling\":[\"yes\"]}", -1, true, "invalid filter 'dangling=yes'" },
    { "{\"dangling\":[\"true\",\"false\"]}", -1, true, "invalid filter 'dangling=true,false'" },
};

START_TEST(test_filters_get_bool)
{
    dctl_error_t err = NULL;
    cleanup_filters struct filters *f = filters_parse(bools[_i].filters, &err);
    bool v = false;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(filters_get_bool(f, "dangling", true, &v, &err), bools[_i].rc);
    ck_assert(v == bools[_i].want);
    if (bools[_i].msg) {
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_str_eq(err->msg, bools[_i].msg);
        dctl_error_free(err);
    } else {
        ck_assert_ptr_null(err);
    }
}
END_TEST

START_TEST(test_filters_get_add)
{
    cleanup_filters struct filters *f = filters_new();
    const char *const *v;
    size_t n;

    ck_assert_uint_eq(filters_len(f), 0);
    ck_assert_ptr_null(filters_get(f, "type", &n));
    ck_assert_uint_eq(n, 0);
    filters_add(f, "type", "image");
    filters_add(f, "type", "container");
    filters_add(f, "type", "image");
    filters_add(f, "event", "start");
    ck_assert_uint_eq(filters_len(f), 2);
    ck_assert(filters_contains(f, "event"));
    ck_assert(!filters_contains(f, "label"));
    v = filters_get(f, "type", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0], "image");
    ck_assert_str_eq(v[1], "container");
    ck_assert_ptr_null(v[2]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("filters");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_filters_parse, 0, ARRAY_SIZE(parses));
    tcase_add_loop_test(tc, test_filters_validate, 0, ARRAY_SIZE(validations));
    tcase_add_loop_test(tc, test_filters_match, 0, ARRAY_SIZE(matches));
    tcase_add_loop_test(tc, test_filters_match_kv, 0, ARRAY_SIZE(kvs));
    tcase_add_loop_test(tc, test_filters_get_bool, 0, ARRAY_SIZE(bools));
    tcase_add_test(tc, test_filters_get_add);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
