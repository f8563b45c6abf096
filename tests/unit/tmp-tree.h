/* tests/unit/tmp-tree.h - a temp dir per Check test as a fixture, and files and
 * directories made in it, for the unit tests that read trees (test-cgroup.c,
 * test-sysinfo.c, test-file-usage.c). Each test file sets TMP_TREE_PREFIX before the
 * include; tmp holds the dir's path while a test runs. */
#ifndef DCTL_TESTS_TMP_TREE_H
#define DCTL_TESTS_TMP_TREE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/util.h"
#include "lib/xmalloc.h"

static char tmp[64];

static void
setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/" TMP_TREE_PREFIX ".XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void
teardown(void)
{
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", tmp);

    ck_assert_int_eq(system(cmd), 0);
}

/* tmp/rel: a trailing '/' makes a directory (and its parents), else a file with text. */
static inline void
make(const char *rel, const char *text)
{
    cleanup_free char *path = xasprintf("%s/%s", tmp, rel);
    cleanup_free char *cmd = NULL;
    FILE *fp;

    if (util_has_suffix(rel, "/")) {
        cmd = xasprintf("mkdir -p '%s'", path);
        ck_assert_int_eq(system(cmd), 0);
        return;
    }
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text ? text : "", fp);
    fclose(fp);
}

#endif
