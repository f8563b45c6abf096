/* tests/unit/test-userns.c - daemon/userns.c against private passwd, group, shadow,
 * gshadow, subuid and subgid files in a temp dir: "default" makes the dctl group and
 * user and their ranges (from the first free one at or above 100000) once, keeping the
 * files' modes; USER, USER:GROUP, UID and UID:GID resolve; dockerd's errors for unknown
 * names, bad settings and users without ranges; "root" means no remap; the remapped
 * data root and the check of the path above it. */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/userns.h"
#include "lib/file.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static char dir[] = "/tmp/test-userns-XXXXXX";

static void
put(const char *name, const char *text, mode_t mode)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, name);
    dctl_error_t err = NULL;

    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, text, strlen(text), mode, &err), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static char *
get(const char *name)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, name);
    dctl_error_t err = NULL;
    char *text = file_read_all(AT_FDCWD, path, NULL, &err);

    dctl_error_free(err);
    return text;
}

static void
setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put("passwd", "root:x:0:0:root:/root:/bin/bash\n"
                  "alice:x:1000:1000::/home/alice:/bin/sh\n"
                  "bob:x:1001:1001::/home/bob:/bin/sh\n"
                  "sys999:x:999:999::/:/usr/sbin/nologin\n", 0644);
    put("group", "root:x:0:\nalice:x:1000:\nbob:x:1001:\nstaff:x:50:alice\nsys999:x:999:\n",
        0644);
    put("subuid", "alice:100000:65536\n", 0644);
    put("subgid", "alice:100000:65536\nalice:300000:10\n", 0644);
}

static void
teardown(void)
{
    dctl_error_t err = NULL;

    tree_remove(dir, &err);
    dctl_error_free(err);
    strcpy(dir, "/tmp/test-userns-XXXXXX");
}

START_TEST(test_userns_default)
{
    struct userns_remap r;
    dctl_error_t err = NULL;
    cleanup_free char *passwd = NULL, *group = NULL, *subuid = NULL, *subgid = NULL;
    cleanup_free char *shadow = NULL, *gshadow = NULL, *again = NULL, *path = NULL;
    struct stat st;

    put("shadow", "root:*:19000:0:99999:7:::\n", 0640);
    put("gshadow", "root:*::\n", 0640);
    ck_assert_int_eq(userns_remap_resolve("default", dir, &r, &err), 1);
    ck_assert_ptr_null(err);
    passwd = get("passwd");
    group = get("group");
    subuid = get("subuid");
    subgid = get("subgid");
    shadow = get("shadow");
    gshadow = get("gshadow");
    /* 999 is taken: the next free system ID, the same for uid and gid */
    ck_assert_ptr_nonnull(strstr(passwd, "\ndctl:x:998:998:"));
    ck_assert_ptr_nonnull(strstr(group, "\ndctl:x:998:\n"));
    ck_assert_ptr_nonnull(strstr(shadow, "\ndctl:!*:"));
    ck_assert_ptr_nonnull(strstr(gshadow, "\ndctl:!::\n"));
    ck_assert_str_eq(subuid, "alice:100000:65536\ndctl:165536:65536\n");
    ck_assert_str_eq(subgid, "alice:100000:65536\nalice:300000:10\ndctl:165536:65536\n");
    ck_assert_str_eq(r.user, "dctl");
    ck_assert_str_eq(r.group, "dctl");
    ck_assert_str_eq(r.name, "dctl:dctl");
    ck_assert_uint_eq(r.root_uid, 165536);
    ck_assert_uint_eq(r.root_gid, 165536);
    ck_assert_uint_eq(r.map.nuid, 1);
    ck_assert_uint_eq(r.map.uid[0].count, 65536);
    path = xasprintf("%s/shadow", dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0640);
    /* a second start finds everything made */
    ck_assert_int_eq(userns_remap_resolve("default", dir, &r, &err), 1);
    again = get("passwd");
    ck_assert_str_eq(again, passwd);
    free(again);
    again = get("subuid");
    ck_assert_str_eq(again, subuid);
    ck_assert_uint_eq(r.root_uid, 165536);
}
END_TEST

/* No shadow files: none made; no subuid file: made; the first range is 100000. */
START_TEST(test_userns_default_fresh)
{
    struct userns_remap r;
    dctl_error_t err = NULL;
    cleanup_free char *subuid = NULL, *shadow = NULL, *upath = xasprintf("%s/subuid", dir);

    unlink(upath);
    ck_assert_int_eq(userns_remap_resolve("default", dir, &r, &err), 1);
    subuid = get("subuid");
    shadow = get("shadow");
    ck_assert_str_eq(subuid, "dctl:100000:65536\n");
    ck_assert_ptr_null(shadow);
    ck_assert_uint_eq(r.root_uid, 100000);
    ck_assert_uint_eq(r.root_gid, 165536);   /* subgid has alice's ranges */
}
END_TEST

/* A dctl group made by hand (the socket's) is the user's; the uid is still free. */
START_TEST(test_userns_default_group_exists)
{
    struct userns_remap r;
    dctl_error_t err = NULL;
    cleanup_free char *passwd = NULL, *group = NULL;

    put("group", "root:x:0:\ndctl:x:123:\n", 0644);
    ck_assert_int_eq(userns_remap_resolve("default", dir, &r, &err), 1);
    passwd = get("passwd");
    group = get("group");
    ck_assert_ptr_nonnull(strstr(passwd, "\ndctl:x:123:123:"));
    ck_assert_str_eq(group, "root:x:0:\ndctl:x:123:\n");
}
END_TEST

static const struct {
    const char *setting;
    const char *user, *group;
    uint32_t root_uid, root_gid;
    size_t ngid;
} ok_cases[] = {
    { "alice", "alice", "alice", 100000, 100000, 2 },
    { "alice:staff", "alice", "staff", 100000, 100000, 2 },
    { "alice:50", "alice", "staff", 100000, 100000, 2 },
    { "1000", "alice", "alice", 100000, 100000, 2 },
    { "1000:1001", "alice", "bob", 100000, 100000, 2 },
};

START_TEST(test_userns_named)
{
    struct userns_remap r;
    dctl_error_t err = NULL;

    ck_assert_int_eq(userns_remap_resolve(ok_cases[_i].setting, dir, &r, &err), 1);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(r.user, ok_cases[_i].user);
    ck_assert_str_eq(r.group, ok_cases[_i].group);
    ck_assert_uint_eq(r.root_uid, ok_cases[_i].root_uid);
    ck_assert_uint_eq(r.root_gid, ok_cases[_i].root_gid);
    ck_assert_uint_eq(r.map.ngid, ok_cases[_i].ngid);
    ck_assert_uint_eq(r.map.gid[1].inside, 65536);   /* the second range follows the first */
    ck_assert_uint_eq(r.map.gid[1].outside, 300000);
}
END_TEST

static const struct {
    const char *setting, *msg;
} bad_cases[] = {
    { "nosuch", "Error during uid lookup for \"nosuch\": no matching entries in passwd file" },
    { "alice:nosuch", "Error during groupname lookup for \"nosuch\"" },
    { "a:b:c", "Invalid user/group specification in --userns-remap: \"a:b:c\"" },
    { ":x", "Invalid user/group specification in --userns-remap: \":x\"" },
    { "alice:", "Invalid user/group specification in --userns-remap: \"alice:\"" },
    { "4242", "Uid 4242 has no entry in " },
    { "1000:4242", "Gid 4242 has no entry in " },
    { "bob", "Can't create ID mappings: no subuid ranges found for user \"bob\"" },
    { "sys999", "Can't create ID mappings: no subuid ranges found for user \"sys999\"" },
};

START_TEST(test_userns_bad)
{
    struct userns_remap r;
    dctl_error_t err = NULL;
    cleanup_free char *passwd = get("passwd"), *after = NULL;

    ck_assert_int_eq(userns_remap_resolve(bad_cases[_i].setting, dir, &r, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err->msg, bad_cases[_i].msg) != NULL, "%s: got \"%s\"",
                  bad_cases[_i].setting, err->msg);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_free(err);
    after = get("passwd");
    ck_assert_str_eq(after, passwd);   /* nothing is made for a name that is not "default" */
}
END_TEST

START_TEST(test_userns_bad_subuid)
{
    struct userns_remap r;
    dctl_error_t err = NULL;

    put("subuid", "alice:100000\n", 0644);
    ck_assert_int_eq(userns_remap_resolve("alice", dir, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->msg, "Can't create ID mappings: Cannot parse subuid/gid"));
    dctl_error_free(err);
}
END_TEST

START_TEST(test_userns_root)
{
    struct userns_remap r;
    dctl_error_t err = NULL;

    ck_assert_int_eq(userns_remap_resolve("root", dir, &r, &err), 0);
    ck_assert_int_eq(userns_remap_resolve("0", dir, &r, &err), 0);
    ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_userns_data_root)
{
    struct userns_remap r = { .root_uid = 100000, .root_gid = 100000 };
    cleanup_free char *data = xasprintf("%s/a/b/data", dir), *a = xasprintf("%s/a", dir);
    cleanup_free char *root = NULL, *mk = xasprintf("mkdir -p %s", data);
    dctl_error_t err = NULL;
    struct stat st;

    ck_assert_int_eq(chmod(dir, 0711), 0);
    ck_assert_int_eq(system(mk), 0);
    ck_assert_int_eq(chmod(data, 0700), 0);
    /* a/ closed to others: the remapped root could not reach its files */
    ck_assert_int_eq(chmod(a, 0700), 0);
    ck_assert_int_eq(userns_check_path(data, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->msg, "a subdirectory in your graphroot path"));
    dctl_error_clear(&err);
    ck_assert_int_eq(chown(a, 0, 100000), 0);   /* group x for the remapped gid will do */
    ck_assert_int_eq(chmod(a, 0710), 0);
    ck_assert_int_eq(userns_check_path(data, &r, &err), 0);
    ck_assert_int_eq(chmod(a, 0711), 0);
    ck_assert_int_eq(userns_check_path(data, &r, &err), 0);
    root = userns_data_root(data, &r, &err);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(stat(data, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0711);
    ck_assert_int_eq(stat(root, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0710);
    ck_assert_uint_eq(st.st_uid, 0);
    ck_assert_uint_eq(st.st_gid, 100000);
    ck_assert_ptr_nonnull(strstr(root, "/data/100000.100000"));
}
END_TEST

static Suite *
userns_suite(void)
{
    Suite *s = suite_create("userns");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_userns_default);
    tcase_add_test(tc, test_userns_default_fresh);
    tcase_add_test(tc, test_userns_default_group_exists);
    tcase_add_loop_test(tc, test_userns_named, 0, ARRAY_SIZE(ok_cases));
    tcase_add_loop_test(tc, test_userns_bad, 0, ARRAY_SIZE(bad_cases));
    tcase_add_test(tc, test_userns_bad_subuid);
    tcase_add_test(tc, test_userns_root);
    tcase_add_test(tc, test_userns_data_root);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(userns_suite());
    int failed;

    if (geteuid() != 0) {
        printf("SKIP: test-userns: needs root (chown)\n");
        srunner_free(sr);
        return 77;
    }
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
