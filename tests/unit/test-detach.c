/* tests/unit/test-detach.c - detach keys (api/detach.c): specs as Docker's term.ToBytes
 * takes them, and the matcher over input split in every way. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api/detach.h"
#include "lib/util.h"

static const struct { const char *spec; int rc; const char *keys; } specs[] = {
    { NULL, 0, "\x10\x11" },           { "", 0, "\x10\x11" },
    { "ctrl-p,ctrl-q", 0, "\x10\x11" }, { "a", 0, "a" },
    { "ctrl-a,x", 0, "\x01x" },          { "ctrl-@", 0, "" /* NUL */ },
    { "ctrl-[,ctrl-_", 0, "\x1b\x1f" },  { "ctrl-", -1, NULL },
    { "ctrl-1", -1, NULL },              { "ab", -1, NULL },
    { "ctrl-p,,", -1, NULL },           { "shift-a", -1, NULL },
};

START_TEST(test_detach_parse)
{
    struct api_detach d;
    dctl_error_t err = NULL;
    int rc = api_detach_parse(specs[_i].spec, &d, &err);

    ck_assert_int_eq(rc, specs[_i].rc);
    if (rc < 0) {
        ck_assert(strstr(err->msg, "Invalid detach keys") != NULL);
        dctl_error_free(err);
        return;
    }
    if (specs[_i].spec && strcmp(specs[_i].spec, "ctrl-@") == 0) {
        ck_assert_uint_eq(d.n, 1);
        ck_assert_uint_eq(d.keys[0], 0);
        return;
    }
    ck_assert_uint_eq(d.n, strlen(specs[_i].keys));
    ck_assert(memcmp(d.keys, specs[_i].keys, d.n) == 0);
}
END_TEST

static char got[256];
static size_t ngot;

static void
collect(void *arg, const unsigned char *data, size_t len)
{
    (void)arg;
    memcpy(got + ngot, data, len);
    ngot += len;
}

static const struct { const char *in; const char *out; bool detached; } feeds[] = {
    { "hello", "hello", false },
    { "ab\x10\x11zz", "ab", true },        /* what follows the keys is dropped */
    { "\x10x\x10\x11", "\x10x", true },    /* a prefix that did not complete is input */
    { "\x10\x10\x11", "\x10", true },      /* ... and a new start of the keys */
    { "x\x10", "x", false },               /* a prefix held back at the end */
    { "\x11\x10", "\x11", false },
};

/* each input fed whole, and split at every point: the same output */
START_TEST(test_detach_feed)
{
    size_t len = strlen(feeds[_i].in), cut;

    for (cut = 0; cut <= len; cut++) {
        struct api_detach d;
        bool det;

        ck_assert_int_eq(api_detach_parse(NULL, &d, NULL), 0);
        ngot = 0;
        det = api_detach_feed(&d, (const unsigned char *)feeds[_i].in, cut, collect, NULL);
        if (!det)
            det = api_detach_feed(&d, (const unsigned char *)feeds[_i].in + cut, len - cut,
                                  collect, NULL);
        ck_assert_msg(det == feeds[_i].detached, "%zu: cut %zu", (size_t)_i, cut);
        ck_assert_uint_eq(ngot, strlen(feeds[_i].out));
        ck_assert(memcmp(got, feeds[_i].out, ngot) == 0);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("detach");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_detach_parse, 0, ARRAY_SIZE(specs));
    tcase_add_loop_test(tc, test_detach_feed, 0, ARRAY_SIZE(feeds));
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
