/* tests/unit/test-reference.c - reference parsing, Docker Hub normalisation, familiar
 * forms and Docker's error messages, as a table modelled on the behaviour that
 * distribution/reference's tests pin down. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/digest.h"
#include "lib/reference.h"
#include "lib/util.h"

#define F64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define D256 "sha256:" F64
#define D512 "sha512:" F64 F64
#define HEXID "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
#define REDIS_D "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"

#define E_FORMAT "invalid reference format"
#define E_UPPER "repository name must be lowercase"
#define E_EMPTY "repository name must have at least one component"
#define E_LONG "repository name must not be more than 255 characters"
#define E_DFORMAT "invalid checksum digest format"
#define E_DLENGTH "invalid checksum digest length"
#define E_DALG "unsupported digest algorithm"

enum mode {
    RAW,  /* reference_parse */
    NORM, /* reference_parse_normalized */
    DOCK, /* reference_parse_docker */
    ANY,  /* reference_parse_any */
};

static const struct {
    enum mode mode;
    const char *in;
    const char *error; /* NULL: must parse */
    const char *string, *domain, *path, *tag, *digest, *familiar;
} cases[] = {
#define BAD(mode, in, error) { mode, in, error, NULL, NULL, NULL, NULL, NULL, NULL }
    /* --- the grammar, without normalisation --------------------------------------- */
    { RAW, "test_com", NULL, "test_com", NULL, "test_com", NULL, NULL, "test_com" },
    { RAW, "test.com:tag", NULL, "test.com:tag", NULL, "test.com", "tag", NULL, NULL },
    { RAW, "test.com:5000", NULL, "test.com:5000", NULL, "test.com", "5000", NULL, NULL },
    { RAW, "test.com/repo:tag", NULL, "test.com/repo:tag", "test.com", "repo", "tag", NULL, NULL },
    { RAW, "test:5000/repo", NULL, "test:5000/repo", "test:5000", "repo", NULL, NULL, NULL },
    { RAW, "test:5000/repo:tag", NULL, "test:5000/repo:tag", "test:5000", "repo", "tag", NULL,
      NULL },
    { RAW, "test:5000/repo@" D256, NULL, "test:5000/repo@" D256, "test:5000", "repo", NULL, D256,
      NULL },
    { RAW, "test:5000/repo:tag@" D256, NULL, "test:5000/repo:tag@" D256, "test:5000", "repo",
      "tag", D256, NULL },
    BAD(RAW, "", E_EMPTY),
    BAD(RAW, ":justtag", E_FORMAT),
    BAD(RAW, "@" D256, E_FORMAT),
    BAD(RAW, "repo@sha256:ffffffffffffffffffffffffffffffffff", E_DLENGTH),
    BAD(RAW, "validname@invaliddigest:" F64, E_DALG),
    BAD(RAW, "repo@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        E_DFORMAT),
    BAD(RAW, "repo@sha256:fffffffffffffffffffffffffffffff", E_FORMAT), /* < 32 hex digits */
    BAD(RAW, "repo@sha256:" F64 "@" D256, E_FORMAT),
    BAD(RAW, "repo@1sha256:" F64, E_FORMAT),
    BAD(RAW, "Uppercase:tag", E_UPPER),
    /* an upper-case first component is taken as a domain: valid */
    { RAW, "Uppercase/lowercase:tag", NULL, "Uppercase/lowercase:tag", "Uppercase", "lowercase",
      "tag", NULL, NULL },
    BAD(RAW, "test:5000/Uppercase/lowercase:tag", E_UPPER),
    { RAW, "lowercase:Uppercase", NULL, "lowercase:Uppercase", NULL, "lowercase", "Uppercase",
      NULL, NULL },
    BAD(RAW, "aa/asdf$$^/aa", E_FORMAT),
    { RAW, "sub-dom1.foo.com/bar/baz/quux", NULL, "sub-dom1.foo.com/bar/baz/quux",
      "sub-dom1.foo.com", "bar/baz/quux", NULL, NULL, NULL },
    { RAW, "sub-dom1.foo.com/bar/baz/quux:some-long-tag", NULL,
      "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
      "some-long-tag", NULL, NULL },
    { RAW, "b.gcr.io/test.example.com/my-app:test.example.com", NULL,
      "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
      "test.example.com", NULL, NULL },
    { RAW, "xn--n3h.com/myimage:xn--n3h.com", NULL, "xn--n3h.com/myimage:xn--n3h.com",
      "xn--n3h.com", "myimage", "xn--n3h.com", NULL, NULL },
    { RAW, "xn--7o8h.com/myimage:xn--7o8h.com@" D512, NULL, "xn--7o8h.com/myimage:xn--7o8h.com@" D512,
      "xn--7o8h.com", "myimage", "xn--7o8h.com", D512, NULL },
    { RAW, "foo_bar.com:8080", NULL, "foo_bar.com:8080", NULL, "foo_bar.com", "8080", NULL, NULL },
    { RAW, "foo/foo_bar.com:8080", NULL, "foo/foo_bar.com:8080", "foo", "foo_bar.com", "8080",
      NULL, NULL },
    { RAW, "192.168.1.1", NULL, "192.168.1.1", NULL, "192.168.1.1", NULL, NULL, NULL },
    { RAW, "192.168.1.1:tag", NULL, "192.168.1.1:tag", NULL, "192.168.1.1", "tag", NULL, NULL },
    { RAW, "192.168.1.1:5000", NULL, "192.168.1.1:5000", NULL, "192.168.1.1", "5000", NULL, NULL },
    { RAW, "192.168.1.1/repo", NULL, "192.168.1.1/repo", "192.168.1.1", "repo", NULL, NULL, NULL },
    { RAW, "192.168.1.1:5000/repo", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", "repo",
      NULL, NULL, NULL },
    { RAW, "192.168.1.1:5000/repo:5050", NULL, "192.168.1.1:5000/repo:5050", "192.168.1.1:5000",
      "repo", "5050", NULL, NULL },
    BAD(RAW, "[2001:db8::1]", E_FORMAT),
    BAD(RAW, "[2001:db8::1]:5000", E_FORMAT),
    BAD(RAW, "[2001:db8::1]:tag", E_FORMAT),
    { RAW, "[2001:db8::1]/repo", NULL, "[2001:db8::1]/repo", "[2001:db8::1]", "repo", NULL, NULL,
      NULL },
    { RAW, "[2001:db8:1:2:3:4:5:6]/repo:tag", NULL, "[2001:db8:1:2:3:4:5:6]/repo:tag",
      "[2001:db8:1:2:3:4:5:6]", "repo", "tag", NULL, NULL },
    { RAW, "[2001:db8::1]:5000/repo", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000",
      "repo", NULL, NULL, NULL },
    { RAW, "[2001:db8::1]:5000/repo:tag@" D256, NULL, "[2001:db8::1]:5000/repo:tag@" D256,
      "[2001:db8::1]:5000", "repo", "tag", D256, NULL },
    { RAW, "[::1]:5000/repo", NULL, "[::1]:5000/repo", "[::1]:5000", "repo", NULL, NULL, NULL },
    BAD(RAW, "[fe80::1%eth0]:5000/repo", E_FORMAT),
    BAD(RAW, "[fe80::1%@invalidzone]:5000/repo", E_FORMAT),
    BAD(RAW, "[]/repo", E_FORMAT),
    BAD(RAW, "host:/repo", E_FORMAT),
    BAD(RAW, "host:50a0/repo", E_FORMAT),
    BAD(RAW, "-host.com/repo", E_FORMAT),
    BAD(RAW, "host-.com/repo", E_FORMAT),
    BAD(RAW, "host..com/repo", E_FORMAT),
    BAD(RAW, "repo:", E_FORMAT),
    BAD(RAW, "repo:-tag", E_FORMAT),
    BAD(RAW, "repo:.tag", E_FORMAT),
    { RAW, "repo:_tag", NULL, "repo:_tag", NULL, "repo", "_tag", NULL, NULL },
    BAD(RAW, "repo:tag:tag", E_FORMAT),
    BAD(RAW, "repo@", E_FORMAT),
    BAD(RAW, "a//b", E_FORMAT),
    BAD(RAW, "a/b/", E_FORMAT),
    BAD(RAW, "/a", E_FORMAT),
    BAD(RAW, "a b", E_FORMAT),

    /* --- normalisation: familiar names to full names -------------------------------- */
    { NORM, "busybox", NULL, "docker.io/library/busybox", "docker.io", "library/busybox", NULL,
      NULL, "busybox" },
    { NORM, "busybox:latest", NULL, "docker.io/library/busybox:latest", "docker.io",
      "library/busybox", "latest", NULL, "busybox:latest" },
    { NORM, "user/img", NULL, "docker.io/user/img", "docker.io", "user/img", NULL, NULL,
      "user/img" },
    { NORM, "user/img:1.0", NULL, "docker.io/user/img:1.0", "docker.io", "user/img", "1.0", NULL,
      "user/img:1.0" },
    { NORM, "library/busybox", NULL, "docker.io/library/busybox", "docker.io", "library/busybox",
      NULL, NULL, "busybox" },
    { NORM, "docker.io/busybox", NULL, "docker.io/library/busybox", "docker.io",
      "library/busybox", NULL, NULL, "busybox" },
    { NORM, "docker.io/library/busybox", NULL, "docker.io/library/busybox", "docker.io",
      "library/busybox", NULL, NULL, "busybox" },
    { NORM, "index.docker.io/busybox", NULL, "docker.io/library/busybox", "docker.io",
      "library/busybox", NULL, NULL, "busybox" },
    { NORM, "index.docker.io/fooo/bar", NULL, "docker.io/fooo/bar", "docker.io", "fooo/bar", NULL,
      NULL, "fooo/bar" },
    { NORM, "docker.io/library/foo/bar", NULL, "docker.io/library/foo/bar", "docker.io",
      "library/foo/bar", NULL, NULL, "library/foo/bar" },
    { NORM, "store/foo/bar", NULL, "docker.io/store/foo/bar", "docker.io", "store/foo/bar", NULL,
      NULL, "store/foo/bar" },
    { NORM, "other/library", NULL, "docker.io/other/library", "docker.io", "other/library", NULL,
      NULL, "other/library" },
    { NORM, "ubuntu-12.04-base", NULL, "docker.io/library/ubuntu-12.04-base", "docker.io",
      "library/ubuntu-12.04-base", NULL, NULL, "ubuntu-12.04-base" },
    { NORM, "localhost/x", NULL, "localhost/x", "localhost", "x", NULL, NULL, "localhost/x" },
    { NORM, "localhost:5000/x", NULL, "localhost:5000/x", "localhost:5000", "x", NULL, NULL,
      "localhost:5000/x" },
    { NORM, "localhost:5000/a/b:1", NULL, "localhost:5000/a/b:1", "localhost:5000", "a/b", "1",
      NULL, "localhost:5000/a/b:1" },
    { NORM, "127.0.0.1:8000/private/moonbase", NULL, "127.0.0.1:8000/private/moonbase",
      "127.0.0.1:8000", "private/moonbase", NULL, NULL, "127.0.0.1:8000/private/moonbase" },
    { NORM, "example.com/a/b:tag", NULL, "example.com/a/b:tag", "example.com", "a/b", "tag", NULL,
      "example.com/a/b:tag" },
    { NORM, "example.com/privatebase", NULL, "example.com/privatebase", "example.com",
      "privatebase", NULL, NULL, "example.com/privatebase" },
    { NORM, "example.com:8000/privatebasee", NULL, "example.com:8000/privatebasee",
      "example.com:8000", "privatebasee", NULL, NULL, "example.com:8000/privatebasee" },
    { NORM, "test_com/foo", NULL, "docker.io/test_com/foo", "docker.io", "test_com/foo", NULL,
      NULL, "test_com/foo" },
    { NORM, "test-com:8080/foo", NULL, "test-com:8080/foo", "test-com:8080", "foo", NULL, NULL,
      "test-com:8080/foo" },
    { NORM, "xn--n3h.com:18080/foo", NULL, "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo",
      NULL, NULL, "xn--n3h.com:18080/foo" },
    { NORM, "Foo/bar", NULL, "Foo/bar", "Foo", "bar", NULL, NULL, "Foo/bar" },
    { NORM, "FOO/bar", NULL, "FOO/bar", "FOO", "bar", NULL, NULL, "FOO/bar" },
    { NORM, "[fc00::1]:5000/docker", NULL, "[fc00::1]:5000/docker", "[fc00::1]:5000", "docker",
      NULL, NULL, "[fc00::1]:5000/docker" },
    { NORM, "[fc00:1:2:3:4:5:6:7]:5000/library/debian", NULL,
      "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian",
      NULL, NULL, "[fc00:1:2:3:4:5:6:7]:5000/library/debian" },
    { NORM, "192.168.0.1", NULL, "docker.io/library/192.168.0.1", "docker.io",
      "library/192.168.0.1", NULL, NULL, "192.168.0.1" },
    { NORM, "192.168.0.1:80", NULL, "docker.io/library/192.168.0.1:80", "docker.io",
      "library/192.168.0.1", "80", NULL, "192.168.0.1:80" },
    { NORM, "192.168.0.1:8/debian", NULL, "192.168.0.1:8/debian", "192.168.0.1:8", "debian", NULL,
      NULL, "192.168.0.1:8/debian" },
    { NORM, "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", NULL,
      "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
      "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
      NULL, NULL, "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev" },
    /* a hex name is fine when a domain makes clear it is not an ID */
    { NORM, "docker.io/" HEXID, NULL, "docker.io/library/" HEXID, "docker.io", "library/" HEXID,
      NULL, NULL, HEXID },
    { NORM, "docker-rules/docker", NULL, "docker.io/docker-rules/docker", "docker.io",
      "docker-rules/docker", NULL, NULL, "docker-rules/docker" },
    { NORM, "docker---rules/docker", NULL, "docker.io/docker---rules/docker", "docker.io",
      "docker---rules/docker", NULL, NULL, "docker---rules/docker" },
    { NORM, "d/docker", NULL, "docker.io/d/docker", "docker.io", "d/docker", NULL, NULL,
      "d/docker" },
    { NORM, "jess/t", NULL, "docker.io/jess/t", "docker.io", "jess/t", NULL, NULL, "jess/t" },
    { NORM, "dock__er/docker", NULL, "docker.io/dock__er/docker", "docker.io", "dock__er/docker",
      NULL, NULL, "dock__er/docker" },
    { NORM, "busybox@" D256, NULL, "docker.io/library/busybox@" D256, "docker.io",
      "library/busybox", NULL, D256, "busybox@" D256 },
    { NORM, "busybox:latest@" D256, NULL, "docker.io/library/busybox:latest@" D256, "docker.io",
      "library/busybox", "latest", D256, "busybox:latest@" D256 },
    { NORM, "dmcgowan/myapp@" REDIS_D, NULL, "docker.io/dmcgowan/myapp@" REDIS_D, "docker.io",
      "dmcgowan/myapp", NULL, REDIS_D, "dmcgowan/myapp@" REDIS_D },
    { NORM, "busybox:1/2", NULL, "busybox:1/2", "busybox:1", "2", NULL, NULL, "busybox:1/2" },
    /* invalid names, with Docker's messages */
    BAD(NORM, HEXID,
        "invalid repository name (" HEXID "), cannot specify 64-byte hexadecimal strings"),
    BAD(NORM, "Busybox",
        "invalid reference format: repository name (library/Busybox) must be lowercase"),
    BAD(NORM, "Busybox:Latest",
        "invalid reference format: repository name (library/Busybox) must be lowercase"),
    BAD(NORM, "docker/Docker",
        "invalid reference format: repository name (docker/Docker) must be lowercase"),
    BAD(NORM, "docker.io/docker/Docker",
        "invalid reference format: repository name (docker/Docker) must be lowercase"),
    BAD(NORM, "localhost:5000/Foo:tag",
        "invalid reference format: repository name (Foo) must be lowercase"),
    BAD(NORM, "Foo@" D256,
        "invalid reference format: repository name (library/Foo@sha256) must be lowercase"),
    BAD(NORM, "Foo_bar/baz", E_UPPER),
    BAD(NORM, "https://github.com/docker/docker", E_FORMAT),
    BAD(NORM, "-docker", E_FORMAT),
    BAD(NORM, "-docker/docker", E_FORMAT),
    BAD(NORM, "docker-/docker", E_FORMAT),
    BAD(NORM, "-docker-/docker", E_FORMAT),
    BAD(NORM, "-docker.io/docker/docker", E_FORMAT),
    BAD(NORM, "docker///docker", E_FORMAT),
    BAD(NORM, "docker.io/docker///docker", E_FORMAT),
    BAD(NORM, "____/____", E_FORMAT),
    BAD(NORM, "_docker/_docker", E_FORMAT),
    BAD(NORM, "dock..er/docker", E_FORMAT),
    BAD(NORM, "dock_.er/docker", E_FORMAT),
    BAD(NORM, "dock-.er/docker", E_FORMAT),
    BAD(NORM, "dock___er/docker", E_FORMAT),
    BAD(NORM, "docker/", E_FORMAT),
    BAD(NORM, "[fc00::1]", E_FORMAT),
    BAD(NORM, "[fc00::1]:5000", E_FORMAT),
    BAD(NORM, "fc00::1:5000/debian", E_FORMAT),
    BAD(NORM, "[fe80::1%eth0]:5000/debian", E_FORMAT),
    BAD(NORM, "[2001:db8:3:4::192.0.2.33]:5000/debian", E_FORMAT),
    BAD(NORM, "", E_FORMAT),
    BAD(NORM, "busybox:", E_FORMAT),
    BAD(NORM, "busybox:-x", E_FORMAT),
    BAD(NORM, "busybox@sha256:abc", E_FORMAT),
    BAD(NORM, "busybox@sha256:" F64 "ff", E_DLENGTH),
    BAD(NORM, "busybox@md5:d41d8cd98f00b204e9800998ecf8427e", E_DALG),
    BAD(NORM, "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_"
            "valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_"
            "because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_"
            "is_greater_than_255/docker",
        E_LONG),

    /* --- ParseDockerRef: tag "latest" by default, a digest wins over a tag ---------- */
    { DOCK, "busybox", NULL, "docker.io/library/busybox:latest", "docker.io", "library/busybox",
      "latest", NULL, "busybox:latest" },
    { DOCK, "busybox:1.36", NULL, "docker.io/library/busybox:1.36", "docker.io",
      "library/busybox", "1.36", NULL, "busybox:1.36" },
    { DOCK, "busybox@" D256, NULL, "docker.io/library/busybox@" D256, "docker.io",
      "library/busybox", NULL, D256, "busybox@" D256 },
    { DOCK, "docker.io/library/busybox:latest@" D256, NULL, "docker.io/library/busybox@" D256,
      "docker.io", "library/busybox", NULL, D256, "busybox@" D256 },
    { DOCK, "localhost:5000/x", NULL, "localhost:5000/x:latest", "localhost:5000", "x", "latest",
      NULL, "localhost:5000/x:latest" },
    BAD(DOCK, "Busybox",
        "invalid reference format: repository name (library/Busybox) must be lowercase"),

    /* --- ParseAnyReference: IDs and digests are digest-only references --------------- */
    { ANY, "redis", NULL, "docker.io/library/redis", "docker.io", "library/redis", NULL, NULL,
      "redis" },
    { ANY, "redis:latest", NULL, "docker.io/library/redis:latest", "docker.io", "library/redis",
      "latest", NULL, "redis:latest" },
    { ANY, "redis@" REDIS_D, NULL, "docker.io/library/redis@" REDIS_D, "docker.io",
      "library/redis", NULL, REDIS_D, "redis@" REDIS_D },
    { ANY, "dmcgowan/myapp:latest", NULL, "docker.io/dmcgowan/myapp:latest", "docker.io",
      "dmcgowan/myapp", "latest", NULL, "dmcgowan/myapp:latest" },
    { ANY, REDIS_D + 7, NULL, REDIS_D, NULL, NULL, NULL, REDIS_D, REDIS_D },
    { ANY, REDIS_D, NULL, REDIS_D, NULL, NULL, NULL, REDIS_D, REDIS_D },
    /* 63 hex digits: a name, not an ID */
    { ANY, "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", NULL,
      "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
      "docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", NULL,
      NULL, "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9" },
    { ANY, "dbcc1", NULL, "docker.io/library/dbcc1", "docker.io", "library/dbcc1", NULL, NULL,
      "dbcc1" },
    BAD(ANY, "Redis",
        "invalid reference format: repository name (library/Redis) must be lowercase"),
};

static struct reference *
parse_as(enum mode mode, const char *in, dctl_error_t *err)
{
    switch (mode) {
    case RAW:
        return reference_parse(in, err);
    case NORM:
        return reference_parse_normalized(in, err);
    case DOCK:
        return reference_parse_docker(in, err);
    case ANY:
        return reference_parse_any(in, err);
    }
    return NULL;
}

static void
assert_str_or_null(const char *what, const char *in, const char *got, const char *want)
{
    if (want == NULL)
        ck_assert_msg(got == NULL, "%s: %s: got %s, want none", in, what, got);
    else
        ck_assert_msg(got && strcmp(got, want) == 0, "%s: %s: got %s, want %s", in, what,
                      got ? got : "(none)", want);
}

START_TEST(test_reference_table)
{
    cleanup_reference struct reference *ref = NULL;
    dctl_error_t err = NULL;
    cleanup_free char *s = NULL, *fam = NULL;

    ref = parse_as(cases[_i].mode, cases[_i].in, &err);
    if (cases[_i].error) {
        ck_assert_msg(ref == NULL, "%s: accepted, want error %s", cases[_i].in, cases[_i].error);
        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_msg(strcmp(err->msg, cases[_i].error) == 0, "%s: error %s, want %s",
                      cases[_i].in, err->msg, cases[_i].error);
        dctl_error_clear(&err);
        return;
    }
    ck_assert_msg(ref != NULL, "%s: %s", cases[_i].in, err ? err->msg : "?");
    ck_assert_ptr_null(err);
    s = reference_string(ref);
    ck_assert_str_eq(s, cases[_i].string);
    assert_str_or_null("domain", cases[_i].in, ref->domain, cases[_i].domain);
    assert_str_or_null("path", cases[_i].in, ref->path, cases[_i].path);
    assert_str_or_null("tag", cases[_i].in, ref->tag, cases[_i].tag);
    assert_str_or_null("digest", cases[_i].in, ref->digest, cases[_i].digest);
    if (cases[_i].familiar) {
        fam = reference_familiar_string(ref);
        ck_assert_str_eq(fam, cases[_i].familiar);
    }
}
END_TEST

/* A normalised string parses back to the same reference, and so does its familiar form
 * (the familiar form is what repositories.json and the API show). */
START_TEST(test_reference_round_trip)
{
    cleanup_reference struct reference *ref = NULL, *again = NULL, *fam_ref = NULL;
    cleanup_free char *s = NULL, *s2 = NULL, *fam = NULL, *s3 = NULL;
    dctl_error_t err = NULL;

    if (cases[_i].error || cases[_i].mode == RAW || cases[_i].path == NULL)
        return;
    ref = parse_as(cases[_i].mode, cases[_i].in, &err);
    ck_assert_ptr_nonnull(ref);
    s = reference_string(ref);
    again = reference_parse_normalized(s, &err);
    ck_assert_msg(again != NULL, "%s: %s", s, err ? err->msg : "?");
    s2 = reference_string(again);
    ck_assert_str_eq(s, s2);
    fam = reference_familiar_string(ref);
    if (digest_is_hex_id(fam))
        return; /* "docker.io/<64 hex>" has no familiar form that parses back */
    fam_ref = reference_parse_normalized(fam, &err);
    ck_assert_msg(fam_ref != NULL, "%s: %s", fam, err ? err->msg : "?");
    s3 = reference_string(fam_ref);
    ck_assert_str_eq(s, s3);
}
END_TEST

/* The 255-character limit counts the whole name, domain included. */
START_TEST(test_reference_name_length)
{
    char in[600], *p = in;
    cleanup_reference struct reference *ref = NULL;
    dctl_error_t err = NULL;
    int i;

    /* "a/" x 127 + "a" is 255 characters: fine, however long the tag */
    for (i = 0; i < 127; i++)
        p = stpcpy(p, "a/");
    strcpy(p, "a:tag-puts-this-over-max");
    ref = reference_parse(in, &err);
    ck_assert_ptr_nonnull(ref);
    ck_assert_str_eq(ref->domain, "a");
    ck_assert_str_eq(ref->tag, "tag-puts-this-over-max");
    ck_assert_uint_eq(strlen(ref->path), 253);

    /* 257 characters */
    p = in;
    for (i = 0; i < 128; i++)
        p = stpcpy(p, "a/");
    strcpy(p, "a:tag");
    ck_assert_ptr_null(reference_parse(in, &err));
    ck_assert_str_eq(err->msg, E_LONG);
    dctl_error_clear(&err);

    /* normalisation adds "docker.io/library/" (18), which counts: 237 + 18 = 255 ok */
    memset(in, 'a', 237);
    in[237] = '\0';
    reference_free(ref);
    ref = reference_parse_normalized(in, &err);
    ck_assert_ptr_nonnull(ref);
    in[237] = 'a';
    in[238] = '\0';
    ck_assert_ptr_null(reference_parse_normalized(in, &err));
    ck_assert_str_eq(err->msg, E_LONG);
    dctl_error_clear(&err);
}
END_TEST

static const struct {
    const char *tag;
    bool ok;
} tags[] = {
    { "latest", true }, { "1.36.1", true }, { "_x", true },  { "A-b_c.D", true },
    { "TAG5", true },   { "-x", false },    { ".x", false }, { "", false },
    { "a:b", false },   { "a/b", false },   { "a@b", false }, { "é", false },
    { "a b", false },
};

START_TEST(test_reference_tags)
{
    cleanup_reference struct reference *ref = reference_parse_normalized("busybox", NULL);
    dctl_error_t err = NULL;
    int rc;

    ck_assert_int_eq(reference_tag_is_valid(tags[_i].tag), tags[_i].ok);
    rc = reference_set_tag(ref, tags[_i].tag, &err);
    if (tags[_i].ok) {
        ck_assert_int_eq(rc, 0);
        ck_assert_str_eq(ref->tag, tags[_i].tag);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err->msg, "invalid tag format");
        ck_assert_ptr_null(ref->tag); /* unchanged */
        dctl_error_clear(&err);
    }
}
END_TEST

START_TEST(test_reference_tag_limits)
{
    char tag[200];

    memset(tag, 'x', 128);
    tag[128] = '\0';
    ck_assert(reference_tag_is_valid(tag));
    tag[128] = 'x';
    tag[129] = '\0';
    ck_assert(!reference_tag_is_valid(tag));
}
END_TEST

START_TEST(test_reference_edit)
{
    cleanup_reference struct reference *ref = reference_parse_normalized("busybox", NULL);
    cleanup_reference struct reference *copy = NULL;
    cleanup_free char *s = NULL, *name = NULL, *fname = NULL;
    dctl_error_t err = NULL;

    ck_assert(reference_is_name_only(ref));
    reference_tag_name_only(ref);
    ck_assert_str_eq(ref->tag, "latest");
    ck_assert(!reference_is_name_only(ref));

    ck_assert_int_eq(reference_set_digest(ref, "foo", &err), -1);
    ck_assert_str_eq(err->msg, "invalid digest format");
    dctl_error_clear(&err);
    ck_assert_int_eq(reference_set_digest(ref, "sha256:" F64 "00", &err), -1);
    ck_assert_str_eq(err->msg, E_DLENGTH);
    dctl_error_clear(&err);
    ck_assert_ptr_null(ref->digest);
    ck_assert_int_eq(reference_set_digest(ref, D256, &err), 0);
    s = reference_string(ref);
    ck_assert_str_eq(s, "docker.io/library/busybox:latest@" D256);

    copy = reference_dup(ref);
    ck_assert_int_eq(reference_set_tag(copy, NULL, &err), 0);
    ck_assert_int_eq(reference_set_digest(copy, NULL, &err), 0);
    ck_assert(reference_is_name_only(copy));
    ck_assert_str_eq(ref->tag, "latest"); /* the original is untouched */
    /* a name-only reference with a digest gets no tag */
    ck_assert_int_eq(reference_set_digest(copy, D256, &err), 0);
    reference_tag_name_only(copy);
    ck_assert_ptr_null(copy->tag);

    name = reference_name(ref);
    ck_assert_str_eq(name, "docker.io/library/busybox");
    fname = reference_familiar_name(ref);
    ck_assert_str_eq(fname, "busybox");
    reference_free(NULL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("reference");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_reference_table, 0, ARRAY_SIZE(cases));
    tcase_add_loop_test(tc, test_reference_round_trip, 0, ARRAY_SIZE(cases));
    tcase_add_test(tc, test_reference_name_length);
    tcase_add_loop_test(tc, test_reference_tags, 0, ARRAY_SIZE(tags));
    tcase_add_test(tc, test_reference_tag_limits);
    tcase_add_test(tc, test_reference_edit);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
