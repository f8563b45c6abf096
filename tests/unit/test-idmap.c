/* tests/unit/test-idmap.c - lib/idmap.c, table-driven: subuid/subgid lines for a user by
 * name or uid (comments, blanks, other users, malformed lines), dockerd's map made from
 * them (sorted, contiguous container IDs, overlaps refused), IDs mapped both ways at
 * the edges of each range, and the first free range for a new user. */
#include <config.h>

#include <check.h>
#include <string.h>

#include "lib/idmap.h"
#include "lib/util.h"

static const char subuid[] =
    "# subordinate uids\n"
    "alice:100000:65536\n"
    "\n"
    "  bob:165536:65536  \n"
    "1001:300000:1000\n"
    "alice:500000:10\n"
    "carol:231072:0\n";

static const struct {
    const char *text, *name;
    uint32_t id;
    int rc;
    size_t n;
    uint32_t first_start, first_count;
} parse_cases[] = {
    { subuid, "alice", 1000, 0, 2, 100000, 65536 },
    { subuid, "bob", 1002, 0, 1, 165536, 65536 },
    { subuid, "dave", 1001, 0, 1, 300000, 1000 },   /* by uid */
    { subuid, "carol", 1003, 0, 0, 0, 0 },          /* a count of 0 is no range */
    { subuid, "nobody", 65534, 0, 0, 0, 0 },
    { subuid, NULL, 0, 0, 4, 100000, 65536 },       /* everybody's */
    { "", "alice", 0, 0, 0, 0, 0 },
    { NULL, "alice", 0, 0, 0, 0, 0 },
    { "alice:100000\n", "alice", 0, -1, 0, 0, 0 },
    { "alice:x:10\n", "alice", 0, -1, 0, 0, 0 },
    { "alice:1:2:3\n", "alice", 0, -1, 0, 0, 0 },
    { ":1:2\n", "alice", 0, -1, 0, 0, 0 },
    { "alice:4294967296:1\n", "alice", 0, -1, 0, 0, 0 },
    { "bob:1:2\nbroken\n", "alice", 0, -1, 0, 0, 0 },   /* any malformed line */
};

START_TEST(test_idmap_subid_parse)
{
    struct idmap_range r[IDMAP_RANGES_MAX];
    dctl_error_t err = NULL;
    size_t n = 99;
    int rc = idmap_subid_parse(parse_cases[_i].text, "/etc/subuid", parse_cases[_i].name,
                               parse_cases[_i].id, r, IDMAP_RANGES_MAX, &n, &err);

    ck_assert_int_eq(rc, parse_cases[_i].rc);
    if (rc < 0) {
        ck_assert_ptr_nonnull(err);
        ck_assert_ptr_nonnull(strstr(err->msg, "/etc/subuid"));
        dctl_error_free(err);
        return;
    }
    ck_assert_ptr_null(err);
    ck_assert_uint_eq(n, parse_cases[_i].n);
    if (n > 0) {
        ck_assert_uint_eq(r[0].outside, parse_cases[_i].first_start);
        ck_assert_uint_eq(r[0].count, parse_cases[_i].first_count);
    }
}
END_TEST

START_TEST(test_idmap_subid_parse_max)
{
    struct idmap_range r[2];
    dctl_error_t err = NULL;
    size_t n;

    ck_assert_int_eq(idmap_subid_parse("a:1:1\na:5:1\na:9:1\n", "f", "a", 0, r, 2, &n, &err), -1);
    ck_assert_ptr_nonnull(err);
    dctl_error_free(err);
}
END_TEST

/* ranges in (outside, count) -> the map dockerd's createIDMap makes */
static const struct {
    size_t n;
    struct idmap_range in[3];
    int rc;
    struct idmap_range out[3];
} build_cases[] = {
    { 1, { { 0, 100000, 65536 } }, 0, { { 0, 100000, 65536 } } },
    { 2, { { 0, 500000, 10 }, { 0, 100000, 65536 } }, 0,
      { { 0, 100000, 65536 }, { 65536, 500000, 10 } } },
    { 3, { { 0, 300, 1 }, { 0, 200, 2 }, { 0, 100, 3 } }, 0,
      { { 0, 100, 3 }, { 3, 200, 2 }, { 5, 300, 1 } } },
    { 2, { { 0, 100000, 65536 }, { 0, 165535, 10 } }, -1, { { 0 } } },   /* overlap */
    { 1, { { 0, 4294967295u, 2 } }, -1, { { 0 } } },                     /* past 2^32 */
    { 0, { { 0 } }, 0, { { 0 } } },
};

START_TEST(test_idmap_build)
{
    struct idmap_range out[3];
    dctl_error_t err = NULL;
    size_t i;
    int rc = idmap_build(build_cases[_i].in, build_cases[_i].n, out, &err);

    ck_assert_int_eq(rc, build_cases[_i].rc);
    if (rc < 0) {
        ck_assert_ptr_nonnull(err);
        dctl_error_free(err);
        return;
    }
    for (i = 0; i < build_cases[_i].n; i++) {
        ck_assert_uint_eq(out[i].inside, build_cases[_i].out[i].inside);
        ck_assert_uint_eq(out[i].outside, build_cases[_i].out[i].outside);
        ck_assert_uint_eq(out[i].count, build_cases[_i].out[i].count);
    }
}
END_TEST

START_TEST(test_idmap_build_in_place)
{
    struct idmap_range r[2] = { { 0, 9000, 5 }, { 0, 1000, 5 } };
    dctl_error_t err = NULL;

    ck_assert_int_eq(idmap_build(r, 2, r, &err), 0);
    ck_assert_uint_eq(r[0].outside, 1000);
    ck_assert_uint_eq(r[1].inside, 5);
    ck_assert_uint_eq(r[1].outside, 9000);
}
END_TEST

static const struct idmap_range two[] = { { 0, 100000, 65536 }, { 65536, 500000, 10 } };

static const struct {
    enum idmap_dir dir;
    uint32_t id;
    bool ok;
    uint32_t out;
} map_cases[] = {
    { IDMAP_TO_HOST, 0, true, 100000 },
    { IDMAP_TO_HOST, 1000, true, 101000 },
    { IDMAP_TO_HOST, 65535, true, 165535 },
    { IDMAP_TO_HOST, 65536, true, 500000 },
    { IDMAP_TO_HOST, 65545, true, 500009 },
    { IDMAP_TO_HOST, 65546, false, 0 },
    { IDMAP_TO_HOST, 4294967295u, false, 0 },
    { IDMAP_TO_CONTAINER, 100000, true, 0 },
    { IDMAP_TO_CONTAINER, 165535, true, 65535 },
    { IDMAP_TO_CONTAINER, 500009, true, 65545 },
    { IDMAP_TO_CONTAINER, 99999, false, 0 },
    { IDMAP_TO_CONTAINER, 165536, false, 0 },
    { IDMAP_TO_CONTAINER, 0, false, 0 },
};

START_TEST(test_idmap_map)
{
    uint32_t out = 12345;
    bool ok = idmap_map(two, ARRAY_SIZE(two), map_cases[_i].dir, map_cases[_i].id, &out);

    ck_assert_int_eq(ok, map_cases[_i].ok);
    if (ok)
        ck_assert_uint_eq(out, map_cases[_i].out);
}
END_TEST

START_TEST(test_idmap_root)
{
    struct idmap m;
    uint32_t uid, gid;

    memset(&m, 0, sizeof m);
    ck_assert(!idmap_root(&m, &uid, &gid));
    m.uid[0] = (struct idmap_range){ 0, 100000, 65536 };
    m.nuid = 1;
    m.gid[0] = (struct idmap_range){ 0, 200000, 65536 };
    m.ngid = 1;
    ck_assert(idmap_root(&m, &uid, &gid));
    ck_assert_uint_eq(uid, 100000);
    ck_assert_uint_eq(gid, 200000);
    m.gid[0].inside = 1;   /* gid 0 not mapped */
    ck_assert(!idmap_root(&m, &uid, &gid));
}
END_TEST

/* used ranges (outside, count) -> where 65536 IDs fit from 100000 */
static const struct {
    size_t n;
    struct idmap_range used[3];
    int rc;
    uint32_t start;
} free_cases[] = {
    { 0, { { 0 } }, 0, 100000 },
    { 1, { { 0, 100000, 65536 } }, 0, 165536 },
    { 2, { { 0, 165536, 65536 }, { 0, 100000, 65536 } }, 0, 231072 },   /* any order */
    { 1, { { 0, 10, 100 } }, 0, 100000 },                                  /* below */
    { 1, { { 0, 150000, 10 } }, 0, 150010 },                               /* inside */
    { 1, { { 0, 165536, 10 } }, 0, 100000 },                               /* just after */
    { 1, { { 0, 165535, 10 } }, 0, 165545 },                               /* last ID taken */
    { 2, { { 0, 90000, 20000 }, { 0, 200000, 1 } }, 0, 110000 },
    { 2, { { 0, 90000, 20000 }, { 0, 170000, 1 } }, 0, 170001 },
    { 1, { { 0, 100000, 4294867296u } }, -1, 0 },                         /* none left */
};

START_TEST(test_idmap_next_free)
{
    dctl_error_t err = NULL;
    uint32_t start = 0;
    int rc = idmap_next_free(free_cases[_i].used, free_cases[_i].n, IDMAP_DEFAULT_START,
                             IDMAP_DEFAULT_COUNT, &start, &err);

    ck_assert_int_eq(rc, free_cases[_i].rc);
    if (rc == 0)
        ck_assert_uint_eq(start, free_cases[_i].start);
    else
        dctl_error_free(err);
}
END_TEST

static Suite *
idmap_suite(void)
{
    Suite *s = suite_create("idmap");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_idmap_subid_parse, 0, ARRAY_SIZE(parse_cases));
    tcase_add_test(tc, test_idmap_subid_parse_max);
    tcase_add_loop_test(tc, test_idmap_build, 0, ARRAY_SIZE(build_cases));
    tcase_add_test(tc, test_idmap_build_in_place);
    tcase_add_loop_test(tc, test_idmap_map, 0, ARRAY_SIZE(map_cases));
    tcase_add_test(tc, test_idmap_root);
    tcase_add_loop_test(tc, test_idmap_next_free, 0, ARRAY_SIZE(free_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(idmap_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
