/* tests/unit/test-digest.c - hashing (known vectors), digest string validation with
 * go-digest's messages, digest of an fd, and OCI chain IDs. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/digest.h"
#include "lib/util.h"

#define SHA256_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define FF64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static const struct {
    enum digest_algorithm alg;
    const char *in;
    const char *want;
} vectors[] = {
    { DIGEST_SHA256, "", SHA256_EMPTY },
    { DIGEST_SHA256, "abc", SHA256_ABC },
    { DIGEST_SHA384, "abc",
      "sha384:cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358"
      "baeca134c825a7" },
    { DIGEST_SHA512, "abc",
      "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836"
      "ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
};

START_TEST(test_digest_vectors)
{
    struct digest_ctx ctx;
    char out[DIGEST_STRING_MAX];
    const char *in = vectors[_i].in;
    size_t i;

    /* fed one byte at a time, to exercise the streaming path */
    digest_ctx_init(&ctx, vectors[_i].alg);
    for (i = 0; in[i]; i++)
        digest_ctx_update(&ctx, in + i, 1);
    digest_ctx_final(&ctx, out);
    ck_assert_str_eq(out, vectors[_i].want);
    ck_assert_int_eq(digest_validate(out, NULL, NULL), 0);
}
END_TEST

START_TEST(test_digest_buffer_and_fd)
{
    static char big[1000000];
    char a[DIGEST_STRING_MAX], b[DIGEST_STRING_MAX];
    char path[] = "/tmp/test-digest-XXXXXX";
    dctl_error_t err = NULL;
    uint64_t size = 0;
    int fd;

    memset(big, 'a', sizeof big);
    digest_buffer(big, sizeof big, a);
    ck_assert_str_eq(a, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    ck_assert_int_eq(write(fd, big, sizeof big), (ssize_t)sizeof big);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(digest_fd(fd, b, &size, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(size, sizeof big);
    /* at EOF: the digest of nothing */
    ck_assert_int_eq(digest_fd(fd, b, &size, &err), 0);
    ck_assert_str_eq(b, SHA256_EMPTY);
    ck_assert_uint_eq(size, 0);
    close(fd);
    /* a bad fd is an error with errno, out untouched */
    strcpy(b, "untouched");
    ck_assert_int_eq(digest_fd(fd, b, &size, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INTERNAL);
    ck_assert_int_ne(err->errnum, 0);
    ck_assert_str_eq(b, "untouched");
    dctl_error_clear(&err);
}
END_TEST

#define FORMAT "invalid checksum digest format"
#define LENGTH "invalid checksum digest length"
#define UNSUPPORTED "unsupported digest algorithm"

static const struct {
    const char *in;
    const char *msg; /* NULL: valid */
    enum digest_algorithm alg;
    const char *msg256; /* digest_validate_sha256's verdict */
} validations[] = {
    { SHA256_ABC, NULL, DIGEST_SHA256, NULL },
    { "sha256:" FF64, NULL, DIGEST_SHA256, NULL },
    { "sha384:" FF64 "ffffffffffffffffffffffffffffffff", NULL, DIGEST_SHA384, UNSUPPORTED },
    { "sha512:" FF64 FF64, NULL, DIGEST_SHA512, UNSUPPORTED },
    { "", FORMAT, 0, FORMAT },
    { "sha256", FORMAT, 0, FORMAT },
    { "sha256:", FORMAT, 0, FORMAT },
    { ":" FF64, FORMAT, 0, FORMAT },
    { FF64, FORMAT, 0, FORMAT },
    { "sha256:ffff", LENGTH, 0, LENGTH },
    { "sha256:" FF64 "f", LENGTH, 0, LENGTH },
    { "sha256:" FF64 FF64, LENGTH, 0, LENGTH },
    { "sha512:" FF64, LENGTH, 0, LENGTH },
    { "sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", FORMAT, 0, FORMAT },
    { "sha256:gfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", FORMAT, 0, FORMAT },
    { "sha256:" FF64 ":", LENGTH, 0, LENGTH },
    { "md5:d41d8cd98f00b204e9800998ecf8427e", UNSUPPORTED, 0, UNSUPPORTED },
    { "invaliddigest:" FF64, UNSUPPORTED, 0, UNSUPPORTED },
    { "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", UNSUPPORTED, 0, UNSUPPORTED },
    { "SHA256:" FF64, FORMAT, 0, FORMAT },      /* algorithm names are lower case */
    { "sha256 :" FF64, FORMAT, 0, FORMAT },
    { "foo:bar baz", FORMAT, 0, FORMAT },
    { "-foo:abc", FORMAT, 0, FORMAT },
    { "foo.:abc", FORMAT, 0, FORMAT },
};

START_TEST(test_digest_validate)
{
    dctl_error_t err = NULL;
    enum digest_algorithm alg = DIGEST_SHA256;
    int rc = digest_validate(validations[_i].in, &alg, &err);

    if (validations[_i].msg == NULL) {
        ck_assert_msg(rc == 0, "%s: %s", validations[_i].in, err ? err->msg : "");
        ck_assert_int_eq(alg, validations[_i].alg);
    } else {
        ck_assert_msg(rc == -1, "%s: accepted", validations[_i].in);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_str_eq(err->msg, validations[_i].msg);
        dctl_error_clear(&err);
    }
    rc = digest_validate_sha256(validations[_i].in, &err);
    if (validations[_i].msg256 == NULL) {
        ck_assert_int_eq(rc, 0);
        ck_assert_ptr_null(err);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err->msg, validations[_i].msg256);
        dctl_error_clear(&err);
    }
}
END_TEST

START_TEST(test_digest_hex_id)
{
    ck_assert(digest_is_hex_id(FF64));
    ck_assert(digest_is_hex_id(digest_hex(SHA256_ABC)));
    ck_assert(!digest_is_hex_id(SHA256_ABC));
    ck_assert(!digest_is_hex_id(FF64 "f"));
    ck_assert(!digest_is_hex_id("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
    ck_assert(!digest_is_hex_id("Ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
    ck_assert(!digest_is_hex_id(""));
    ck_assert_str_eq(digest_hex("sha256:abc"), "abc");
    ck_assert_str_eq(digest_hex("abc"), "abc");
}
END_TEST

/* Diff IDs are sha256("layer-a") etc.; expected chain IDs were computed independently
 * (Python hashlib) from the OCI definition. */
#define DIFF_A "sha256:589f0d58b9053a4ff7329b8fdb4f9dd120e29354c086ad0b3b10733f6cfd6de3"
#define DIFF_B "sha256:55fea2a37a9fc5963f1beccd0d162b856e6bd05ca07cdd3726847846ab740f0d"
#define DIFF_C "sha256:e6c65c655ca8172ab7a2b634dab3220a45472dd6571b6efd956ccc05e229a201"
#define CHAIN_AB "sha256:267c5fd16af60e52927fabf0a36a31f3b5a2069347f7f00c7bd7f93f6ebc01f4"
#define CHAIN_ABC "sha256:82c0ed5f6c15be9b9180a8c04b9f2c676d74af6db13c711f5bb47a0fa43b56df"

START_TEST(test_digest_chain_id)
{
    const char *diffs[] = { DIFF_A, DIFF_B, DIFF_C };
    const char *bad[] = { DIFF_A, "sha256:nothex" };
    char out[DIGEST_STRING_MAX], chain[3][DIGEST_STRING_MAX];
    dctl_error_t err = NULL;

    digest_chain_id_next(NULL, DIFF_A, out);
    ck_assert_str_eq(out, DIFF_A);
    digest_chain_id_next(DIFF_A, DIFF_B, out);
    ck_assert_str_eq(out, CHAIN_AB);

    ck_assert_int_eq(digest_chain_id(diffs, 1, out, NULL, &err), 0);
    ck_assert_str_eq(out, DIFF_A);
    ck_assert_int_eq(digest_chain_id(diffs, 3, out, chain, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(out, CHAIN_ABC);
    ck_assert_str_eq(chain[0], DIFF_A);
    ck_assert_str_eq(chain[1], CHAIN_AB);
    ck_assert_str_eq(chain[2], CHAIN_ABC);

    /* order matters: B on A is not A on B */
    {
        const char *swapped[] = { DIFF_B, DIFF_A };

        ck_assert_int_eq(digest_chain_id(swapped, 2, out, NULL, &err), 0);
        ck_assert_str_ne(out, CHAIN_AB);
    }

    strcpy(out, "untouched");
    ck_assert_int_eq(digest_chain_id(bad, 2, out, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_str_eq(err->msg, "invalid diff ID 1 (sha256:nothex): invalid checksum digest length");
    ck_assert_str_eq(out, "untouched");
    dctl_error_clear(&err);

    ck_assert_int_eq(digest_chain_id(diffs, 0, out, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_digest_vectors, 0, ARRAY_SIZE(vectors));
    tcase_add_test(tc, test_digest_buffer_and_fd);
    tcase_add_loop_test(tc, test_digest_validate, 0, ARRAY_SIZE(validations));
    tcase_add_test(tc, test_digest_hex_id);
    tcase_add_test(tc, test_digest_chain_id);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
