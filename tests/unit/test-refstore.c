/* tests/unit/test-refstore.c - the reference store: tags and digests with dockerd's
 * force/conflict rules and messages, lookups with "latest" implied and digests winning,
 * the repositories.json it writes, reload, and a failed save that changes nothing. */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/refstore.h"
#include "lib/file.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define ID1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D1 "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define D2 "sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static char root[64];
static char path[128];

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(p);
}

static void
setup(void)
{
    strcpy(root, "/tmp/test-refstore-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(path, sizeof path, "%s/image/repositories.json", root);
}

static void
teardown(void)
{
    nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static struct reference *
ref(const char *s)
{
    dctl_error_t err = NULL;
    struct reference *r = reference_parse_normalized(s, &err);

    ck_assert_msg(r != NULL, "%s: %s", s, err ? err->msg : "");
    return r;
}

static int
add_tag(struct refstore *rs, const char *s, const char *id, bool force, dctl_error_t *err)
{
    cleanup_reference struct reference *r = ref(s);

    return refstore_add_tag(rs, r, id, force, err);
}

static int
add_digest(struct refstore *rs, const char *s, const char *id, bool force, dctl_error_t *err)
{
    cleanup_reference struct reference *r = ref(s);

    return refstore_add_digest(rs, r, id, force, err);
}

/* The ID s resolves to, or the error message. */
static char *
get(struct refstore *rs, const char *s)
{
    cleanup_reference struct reference *r = ref(s);
    char id[DIGEST_STRING_MAX];
    dctl_error_t err = NULL;
    char *out;

    if (refstore_get(rs, r, id, &err) == 0)
        return xstrdup(id);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    out = xstrdup(err->msg);
    dctl_error_free(err);
    return out;
}

#define ck_assert_get(rs, s, want)                                                             \
    do {                                                                                       \
        char *got_ = get(rs, s);                                                               \
        ck_assert_msg(strcmp(got_, want) == 0, "%s: got %s want %s", s, got_, want);          \
        free(got_);                                                                            \
    } while (0)

static char *
file_text(void)
{
    char *t = file_read_all(AT_FDCWD, path, NULL, NULL);

    return t ? t : xstrdup("(none)");
}

/* The familiar strings of id's references, joined with spaces. */
static char *
refs_of(struct refstore *rs, const char *id)
{
    size_t n = 99, i;
    struct reference **refs = refstore_references(rs, id, &n);
    char *out = xstrdup("");

    for (i = 0; refs[i]; i++) {
        cleanup_free char *s = reference_familiar_string(refs[i]);
        char *next = xasprintf("%s%s%s", out, *out ? " " : "", s);

        free(out);
        out = next;
    }
    ck_assert_uint_eq(n, i);
    reference_list_free(refs);
    return out;
}

START_TEST(test_refstore_tag_and_get)
{
    struct refstore *rs = refstore_open(path, NULL);
    cleanup_free char *text = NULL;
    dctl_error_t err = NULL;

    ck_assert_ptr_nonnull(rs);
    ck_assert_get(rs, "busybox", "reference does not exist");
    ck_assert_int_eq(access(path, F_OK), -1); /* nothing written until a change */

    ck_assert_int_eq(add_tag(rs, "busybox", ID1, false, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_get(rs, "busybox", ID1);
    ck_assert_get(rs, "busybox:latest", ID1);
    ck_assert_get(rs, "docker.io/library/busybox:latest", ID1);
    ck_assert_get(rs, "index.docker.io/library/busybox", ID1);
    ck_assert_get(rs, "busybox:1.36", "reference does not exist");
    ck_assert_get(rs, "other/busybox", "reference does not exist");

    text = file_text();
    ck_assert_str_eq(text, "{\"Repositories\":{\"busybox\":{\"busybox:latest\":\"" ID1 "\"}}}");

    ck_assert_int_eq(add_tag(rs, "localhost:5000/app:v1", ID2, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "busybox:1.36", ID1, false, &err), 0);
    free(text);
    text = file_text();
    /* keys sorted at both levels, familiar forms */
    ck_assert_str_eq(text, "{\"Repositories\":{\"busybox\":{\"busybox:1.36\":\"" ID1
                           "\",\"busybox:latest\":\"" ID1 "\"},\"localhost:5000/app\":{"
                           "\"localhost:5000/app:v1\":\"" ID2 "\"}}}");
    ck_assert_get(rs, "localhost:5000/app:v1", ID2);
    refstore_free(rs);
}
END_TEST

START_TEST(test_refstore_tag_conflict_and_force)
{
    struct refstore *rs = refstore_open(path, NULL);
    cleanup_free char *before = NULL, *after = NULL, *r1 = NULL, *r2 = NULL;
    dctl_error_t err = NULL;

    ck_assert_int_eq(add_tag(rs, "busybox", ID1, false, &err), 0);
    before = file_text();

    /* the same tag on the same image: nothing to do */
    ck_assert_int_eq(add_tag(rs, "busybox:latest", ID1, false, &err), 0);

    ck_assert_int_eq(add_tag(rs, "busybox", ID2, false, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_CONFLICT);
    ck_assert_str_eq(err->msg, "Conflict: Tag busybox:latest is already set to image " ID1
                               ", if you want to replace it, please use the force option");
    dctl_error_clear(&err);
    after = file_text();
    ck_assert_str_eq(before, after);
    ck_assert_get(rs, "busybox", ID1);

    ck_assert_int_eq(add_tag(rs, "busybox", ID2, true, &err), 0);
    ck_assert_get(rs, "busybox", ID2);
    r1 = refs_of(rs, ID1);
    ck_assert_str_eq(r1, "");
    r2 = refs_of(rs, ID2);
    ck_assert_str_eq(r2, "busybox:latest");
    refstore_free(rs);
}
END_TEST

START_TEST(test_refstore_digests)
{
    struct refstore *rs = refstore_open(path, NULL);
    cleanup_free char *before = NULL, *after = NULL;
    dctl_error_t err = NULL;

    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID1, false, &err), 0);
    ck_assert_get(rs, "busybox@" D1, ID1);
    ck_assert_get(rs, "docker.io/library/busybox@" D1, ID1);
    /* a digest wins over a tag beside it */
    ck_assert_get(rs, "busybox:nonexistent@" D1, ID1);
    ck_assert_get(rs, "busybox", "reference does not exist");

    /* a tag beside the digest is not stored */
    ck_assert_int_eq(add_digest(rs, "busybox:1.36@" D2, ID2, false, &err), 0);
    ck_assert_get(rs, "busybox@" D2, ID2);
    ck_assert_get(rs, "busybox:1.36", "reference does not exist");
    before = file_text();
    ck_assert_str_eq(before, "{\"Repositories\":{\"busybox\":{\"busybox@" D1 "\":\"" ID1
                             "\",\"busybox@" D2 "\":\"" ID2 "\"}}}");

    /* a digest never moves, force or not */
    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID2, false, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_CONFLICT);
    ck_assert_str_eq(err->msg, "Cannot overwrite digest " D1);
    dctl_error_clear(&err);
    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID2, true, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_CONFLICT);
    dctl_error_clear(&err);
    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID1, true, &err), 0); /* same: fine */
    after = file_text();
    ck_assert_str_eq(before, after);

    /* the wrong kind of reference for each call */
    ck_assert_int_eq(add_tag(rs, "busybox@" D1, ID1, false, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "refusing to create a tag with a digest reference");
    dctl_error_clear(&err);
    ck_assert_int_eq(add_digest(rs, "busybox:1.36", ID1, false, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "reference busybox:1.36 has no digest");
    dctl_error_clear(&err);
    refstore_free(rs);
}
END_TEST

static const struct {
    const char *ref;
    const char *id;
    const char *msg;
} bad_adds[] = {
    { "sha256", ID1, "refusing to create an ambiguous tag using digest algorithm as name" },
    { "sha256:" "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", ID1,
      "refusing to create an ambiguous tag using digest algorithm as name" },
    { "docker.io/library/sha256:x", ID1,
      "refusing to create an ambiguous tag using digest algorithm as name" },
    { "busybox", "sha256:1234", "invalid image ID sha256:1234: invalid checksum digest length" },
    { "busybox", "1111111111111111111111111111111111111111111111111111111111111111",
      "invalid image ID 1111111111111111111111111111111111111111111111111111111111111111: "
      "invalid checksum digest format" },
    { "busybox", "sha512:1111", "invalid image ID sha512:1111: invalid checksum digest length" },
};

START_TEST(test_refstore_bad_add)
{
    struct refstore *rs = refstore_open(path, NULL);
    dctl_error_t err = NULL;

    ck_assert_int_eq(add_tag(rs, bad_adds[_i].ref, bad_adds[_i].id, true, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, bad_adds[_i].msg);
    dctl_error_clear(&err);
    ck_assert_int_eq(access(path, F_OK), -1); /* nothing written */
    refstore_free(rs);
}
END_TEST

START_TEST(test_refstore_delete)
{
    struct refstore *rs = refstore_open(path, NULL);
    cleanup_reference struct reference *digest_only = NULL;
    cleanup_free char *text = NULL;
    dctl_error_t err = NULL;
    struct reference *r;

    ck_assert_int_eq(add_tag(rs, "busybox", ID1, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "busybox:1.36", ID1, false, &err), 0);
    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID1, false, &err), 0);

    r = ref("busybox"); /* "latest" implied */
    ck_assert_int_eq(refstore_delete(rs, r, &err), 0);
    ck_assert_int_eq(refstore_delete(rs, r, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    ck_assert_str_eq(err->msg, "reference does not exist");
    dctl_error_clear(&err);
    reference_free(r);
    ck_assert_get(rs, "busybox:1.36", ID1);

    r = ref("busybox:whatever@" D1); /* the digest wins */
    ck_assert_int_eq(refstore_delete(rs, r, &err), 0);
    reference_free(r);
    r = ref("busybox:1.36");
    ck_assert_int_eq(refstore_delete(rs, r, &err), 0);
    reference_free(r);
    r = ref("nosuch/repo:tag");
    ck_assert_int_eq(refstore_delete(rs, r, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);
    reference_free(r);

    /* the emptied repository is gone from the file too */
    text = file_text();
    ck_assert_str_eq(text, "{\"Repositories\":{}}");

    /* a digest-only reference (an image ID) names nothing */
    digest_only = reference_parse_any(ID1 + 7, &err);
    ck_assert_ptr_nonnull(digest_only);
    ck_assert_int_eq(refstore_delete(rs, digest_only, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "reference " ID1 " has no name");
    dctl_error_clear(&err);
    refstore_free(rs);
}
END_TEST

START_TEST(test_refstore_references)
{
    struct refstore *rs = refstore_open(path, NULL);
    cleanup_free char *r1 = NULL, *r2 = NULL, *none = NULL;
    cleanup_reference struct reference *name = NULL;
    struct refstore_assoc *assoc;
    dctl_error_t err = NULL;
    size_t n = 99;

    ck_assert_int_eq(add_tag(rs, "busybox:latest", ID1, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "example.com/team/app:2", ID1, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "busybox:1.36", ID1, false, &err), 0);
    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID1, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "alpine", ID2, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "busybox:musl", ID2, false, &err), 0);

    r1 = refs_of(rs, ID1);
    ck_assert_str_eq(r1, "busybox:1.36 busybox:latest busybox@" D1 " example.com/team/app:2");
    r2 = refs_of(rs, ID2);
    ck_assert_str_eq(r2, "alpine:latest busybox:musl");
    none = refs_of(rs, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
    ck_assert_str_eq(none, "");

    name = ref("docker.io/library/busybox:ignored");
    assoc = refstore_references_by_name(rs, name, &n);
    ck_assert_uint_eq(n, 4);
    {
        cleanup_free char *s0 = reference_string(assoc[0].ref);
        cleanup_free char *s3 = reference_familiar_string(assoc[3].ref);

        ck_assert_str_eq(s0, "docker.io/library/busybox:1.36");
        ck_assert_str_eq(assoc[0].id, ID1);
        ck_assert_str_eq(s3, "busybox@" D1);
        ck_assert_str_eq(assoc[2].id, ID2);
    }
    refstore_assoc_free(assoc, n);

    reference_free(name);
    name = ref("nosuch");
    assoc = refstore_references_by_name(rs, name, &n);
    ck_assert_uint_eq(n, 0);
    refstore_assoc_free(assoc, n);
    refstore_free(rs);
}
END_TEST

START_TEST(test_refstore_persistence)
{
    struct refstore *rs = refstore_open(path, NULL), *rs2;
    dctl_error_t err = NULL;
    const char *edited;

    ck_assert_int_eq(add_tag(rs, "busybox", ID1, false, &err), 0);
    ck_assert_int_eq(add_digest(rs, "busybox@" D1, ID1, false, &err), 0);
    ck_assert_int_eq(add_tag(rs, "localhost:5000/x:y", ID2, false, &err), 0);

    rs2 = refstore_open(path, &err);
    ck_assert_ptr_nonnull(rs2);
    ck_assert_get(rs2, "busybox", ID1);
    ck_assert_get(rs2, "busybox@" D1, ID1);
    ck_assert_get(rs2, "localhost:5000/x:y", ID2);
    refstore_free(rs2);

    /* the file changed behind our back: reload takes it, skipping what is invalid */
    edited = "{\"Repositories\":{"
             "\"alpine\":{\"alpine:3\":\"" ID2 "\",\"Alpine:bad\":\"" ID2 "\","
             "\"alpine:badid\":\"sha256:12\",\"alpine:num\":42},"
             "\"wrong\":{\"docker.io/library/debian:12\":\"" ID1 "\"},"
             "\"junk\":7}}";
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, edited, strlen(edited), 0600, &err), 0);
    ck_assert_int_eq(refstore_reload(rs, &err), 0);
    ck_assert_get(rs, "busybox", "reference does not exist");
    ck_assert_get(rs, "alpine:3", ID2);
    ck_assert_get(rs, "alpine:badid", "reference does not exist");
    ck_assert_get(rs, "debian:12", ID1); /* filed under its own repository */
    {
        cleanup_free char *r1 = refs_of(rs, ID1), *r2 = refs_of(rs, ID2);

        ck_assert_str_eq(r1, "debian:12");
        ck_assert_str_eq(r2, "alpine:3");
    }

    /* a file that is not JSON: an error, and the state is kept */
    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, "{not json", 9, 0600, &err), 0);
    ck_assert_int_eq(refstore_reload(rs, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert(util_has_prefix(err->msg, "reference store: "));
    dctl_error_clear(&err);
    ck_assert_get(rs, "alpine:3", ID2);
    ck_assert_ptr_null(refstore_open(path, &err));
    ck_assert_ptr_nonnull(err);
    dctl_error_clear(&err);
    refstore_free(rs);
}
END_TEST

/* When the file cannot be written, the change is not made. */
START_TEST(test_refstore_failed_save_changes_nothing)
{
    struct refstore *rs = refstore_open(path, NULL);
    cleanup_free char *dir = xasprintf("%s/image", root), *r1 = NULL;
    cleanup_reference struct reference *r = ref("busybox");
    dctl_error_t err = NULL;

    ck_assert_int_eq(add_tag(rs, "busybox", ID1, false, &err), 0);
    /* take the directory away (root ignores permissions, so a mode would not do) */
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);

    ck_assert_int_eq(add_tag(rs, "busybox", ID2, true, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert(util_has_prefix(err->msg, "save references: "));
    dctl_error_clear(&err);
    ck_assert_get(rs, "busybox", ID1);

    ck_assert_int_eq(add_tag(rs, "new", ID2, false, &err), -1);
    dctl_error_clear(&err);
    ck_assert_get(rs, "new", "reference does not exist");

    ck_assert_int_eq(refstore_delete(rs, r, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    dctl_error_clear(&err);
    ck_assert_get(rs, "busybox", ID1);
    r1 = refs_of(rs, ID1);
    ck_assert_str_eq(r1, "busybox:latest");
    refstore_free(rs);
}
END_TEST

#define THREADS 6
#define TAGS 10

struct tagger {
    struct refstore *rs;
    int n;
    int failures;
};

static void *
tagger_run(void *arg)
{
    struct tagger *t = arg;
    int i;

    for (i = 0; i < TAGS; i++) {
        cleanup_free char *s = xasprintf("app%d:v%d", t->n, i);
        dctl_error_t err = NULL;

        if (add_tag(t->rs, s, t->n % 2 ? ID1 : ID2, false, &err) < 0)
            t->failures++;
        dctl_error_free(err);
    }
    return NULL;
}

START_TEST(test_refstore_concurrent_adds)
{
    struct refstore *rs = refstore_open(path, NULL), *rs2;
    struct tagger t[THREADS];
    pthread_t th[THREADS];
    struct reference **refs;
    size_t n1 = 0, n2 = 0;
    int i;

    for (i = 0; i < THREADS; i++) {
        t[i] = (struct tagger){ .rs = rs, .n = i };
        ck_assert_int_eq(pthread_create(&th[i], NULL, tagger_run, &t[i]), 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(t[i].failures, 0);
    }
    /* all of them, in memory and on disk */
    rs2 = refstore_open(path, NULL);
    refs = refstore_references(rs2, ID1, &n1);
    reference_list_free(refs);
    refs = refstore_references(rs2, ID2, &n2);
    reference_list_free(refs);
    ck_assert_uint_eq(n1 + n2, THREADS * TAGS);
    ck_assert_uint_eq(n1, THREADS / 2 * TAGS);
    refs = refstore_references(rs, ID1, &n1);
    reference_list_free(refs);
    ck_assert_uint_eq(n1, THREADS / 2 * TAGS);
    refstore_free(rs2);
    refstore_free(rs);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("refstore");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_refstore_tag_and_get);
    tcase_add_test(tc, test_refstore_tag_conflict_and_force);
    tcase_add_test(tc, test_refstore_digests);
    tcase_add_loop_test(tc, test_refstore_bad_add, 0, ARRAY_SIZE(bad_adds));
    tcase_add_test(tc, test_refstore_delete);
    tcase_add_test(tc, test_refstore_references);
    tcase_add_test(tc, test_refstore_persistence);
    tcase_add_test(tc, test_refstore_failed_save_changes_nothing);
    tcase_add_test(tc, test_refstore_concurrent_adds);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
