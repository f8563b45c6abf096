/* tests/unit/test-router.c - route matching, captures, methods, version prefixes. */
#include <config.h>

#include <check.h>
#include <stdlib.h>

#include "api/router.h"
#include "lib/util.h"

static int
dummy_handler(struct api_request *req, struct dctl_error **err)
{
    (void)req;
    (void)err;
    return 0;
}

static const struct api_route routes[] = {
    { API_GET, "/_ping", dummy_handler, 0 },
    { API_HEAD, "/_ping", dummy_handler, 0 },
    { API_GET, "/containers/json", dummy_handler, 0 },
    { API_GET, "/containers/{id}/json", dummy_handler, 0 },
    { API_POST, "/containers/{id}/start", dummy_handler, 0 },
    { API_DELETE, "/containers/{id}", dummy_handler, 0 },
    { API_GET, "/images/{name*}/json", dummy_handler, 0 },
    { API_POST, "/images/{name*}/tag", dummy_handler, 0 },
    { API_GET, "/version", dummy_handler, 0 },
    { 0, NULL, NULL, 0 },
};

static const struct {
    const char *method, *path;
    enum router_result rc;
    int route;            /* index into routes when ROUTER_OK */
    const char *param0;
} cases[] = {
    { "GET", "/_ping", ROUTER_OK, 0, NULL },
    { "HEAD", "/_ping", ROUTER_OK, 1, NULL },
    { "HEAD", "/version", ROUTER_OK, 8, NULL },     /* HEAD falls back to GET */
    { "POST", "/_ping", ROUTER_BAD_METHOD, 0, NULL },
    { "GET", "/containers/json", ROUTER_OK, 2, NULL },
    { "GET", "/containers/abc/json", ROUTER_OK, 3, "abc" },
    { "POST", "/containers/abc/start", ROUTER_OK, 4, "abc" },
    { "GET", "/containers/abc/start", ROUTER_BAD_METHOD, 0, NULL },
    { "DELETE", "/containers/abc", ROUTER_OK, 5, "abc" },
    { "GET", "/containers/abc/nope", ROUTER_NOT_FOUND, 0, NULL },
    { "GET", "/images/busybox/json", ROUTER_OK, 6, "busybox" },
    { "GET", "/images/localhost:5000/a/b:1/json", ROUTER_OK, 6, "localhost:5000/a/b:1" },
    { "POST", "/images/library/busybox/tag", ROUTER_OK, 7, "library/busybox" },
    { "GET", "/images/json", ROUTER_NOT_FOUND, 0, NULL },
    { "GET", "/nothing", ROUTER_NOT_FOUND, 0, NULL },
    { "GET", "/", ROUTER_NOT_FOUND, 0, NULL },
    { "GET", "/containers//json", ROUTER_OK, 2, NULL }, /* empty segments collapse */
};

START_TEST(test_router_lookup)
{
    struct router *r = router_new();
    struct router_match m;
    enum router_result rc;

    router_add(r, routes);
    rc = router_lookup(r, api_method_parse(cases[_i].method), cases[_i].path, &m);
    ck_assert_msg(rc == cases[_i].rc, "%s %s: got %d want %d", cases[_i].method, cases[_i].path,
                  rc, cases[_i].rc);
    if (rc == ROUTER_OK) {
        ck_assert_ptr_eq(m.route, &routes[cases[_i].route]);
        if (cases[_i].param0) {
            ck_assert_uint_eq(m.nparams, 1);
            ck_assert_str_eq(m.params[0], cases[_i].param0);
        } else {
            ck_assert_uint_eq(m.nparams, 0);
        }
    }
    router_match_fini(&m);
    router_free(r);
}
END_TEST

static const struct { const char *in; int rc; unsigned int v; } versions[] = {
    { "1.24", 0, API_VERSION(1, 24) }, { "1.43", 0, API_VERSION(1, 43) },
    { "1.4", 0, API_VERSION(1, 4) },   { "2.0", 0, API_VERSION(2, 0) },
    { "1.x", -1, 0 }, { "1", -1, 0 },  { "", -1, 0 }, { "1.", -1, 0 }, { ".1", -1, 0 },
    { "1.2.3", -1, 0 }, { "v1.43", -1, 0 },
};

START_TEST(test_api_version_parse)
{
    unsigned int v = 0;

    ck_assert_int_eq(api_version_parse(versions[_i].in, &v), versions[_i].rc);
    ck_assert_uint_eq(v, versions[_i].v);
}
END_TEST

static const struct {
    const char *path;
    enum api_prefix rc;
    const char *rest;
    unsigned int v;
} prefixes[] = {
    { "/_ping", API_PREFIX_NONE, "/_ping", 0 },
    { "/v1.43/_ping", API_PREFIX_OK, "/_ping", API_VERSION(1, 43) },
    { "/v1.24/containers/json", API_PREFIX_OK, "/containers/json", API_VERSION(1, 24) },
    { "/v1.44/_ping", API_PREFIX_TOO_NEW, "/_ping", API_VERSION(1, 44) },
    { "/v9.99/version", API_PREFIX_TOO_NEW, "/version", API_VERSION(9, 99) },
    { "/v1.12/_ping", API_PREFIX_TOO_OLD, "/_ping", API_VERSION(1, 12) },
    { "/v1..2/_ping", API_PREFIX_MALFORMED, "/_ping", 0 },
    { "/v1/_ping", API_PREFIX_MALFORMED, "/_ping", 0 },
    { "/vx/_ping", API_PREFIX_NONE, "/vx/_ping", 0 },
    { "/volumes", API_PREFIX_NONE, "/volumes", 0 },
    { "/v1.43", API_PREFIX_OK, "/", API_VERSION(1, 43) },
};

START_TEST(test_api_path_split_version)
{
    unsigned int v = 0;
    const char *rest;
    char vstr[16];

    ck_assert_int_eq(api_path_split_version(prefixes[_i].path, &v, &rest, vstr, sizeof vstr),
                     prefixes[_i].rc);
    ck_assert_str_eq(rest, prefixes[_i].rest);
    if (prefixes[_i].rc != API_PREFIX_NONE && prefixes[_i].rc != API_PREFIX_MALFORMED)
        ck_assert_uint_eq(v, prefixes[_i].v);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_router_lookup, 0, ARRAY_SIZE(cases));
    tcase_add_loop_test(tc, test_api_version_parse, 0, ARRAY_SIZE(versions));
    tcase_add_loop_test(tc, test_api_path_split_version, 0, ARRAY_SIZE(prefixes));
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
