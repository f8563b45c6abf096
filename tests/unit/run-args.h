/* tests/unit/run-args.h - for the table tests of dctl's run/create flags
 * (test-client-run.c, test-client-resources.c): a table row's arguments split into an
 * argv, and a member of the create body by its dotted path. */
#ifndef DCTL_TESTS_RUN_ARGS_H
#define DCTL_TESTS_RUN_ARGS_H

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits s on spaces into argv ("run" first); the caller frees argv[0] (one buffer). */
static inline int
run_args_split(const char *s, char **argv, size_t max)
{
    char *copy = NULL, *save = NULL, *t;
    int n = 0;

    if (asprintf(&copy, "run %s", s) < 0)
        abort();
    for (t = strtok_r(copy, " ", &save); t && (size_t)n < max - 1; t = strtok_r(NULL, " ", &save))
        argv[n++] = t;
    argv[n] = NULL;
    return n;
}

/* o's member at path ("HostConfig.CapAdd"), lent; NULL when there is none. */
static inline struct json_object *
run_args_member(struct json_object *o, const char *path)
{
    char buf[128], *save = NULL, *k;

    snprintf(buf, sizeof buf, "%s", path);
    for (k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
        struct json_object *v = NULL;

        o = json_object_object_get_ex(o, k, &v) ? v : NULL;
    }
    return o;
}

#endif
