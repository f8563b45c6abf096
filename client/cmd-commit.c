/* client/cmd-commit.c - `dctl commit` (`dctl container commit`): POST /commit, a
 * container's changes as a new image, its ID printed. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* Appends "&key=escaped(value)" to *q. */
static void
commit_query_add(char **q, const char *key, const char *value)
{
    cleanup_free char *esc = http_query_escape(value);
    char *n = xasprintf("%s&%s=%s", *q, key, esc);

    free(*q);
    *q = n;
}

static int
commit_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "author", required_argument, NULL, 'a' },
        { "change", required_argument, NULL, 'c' },
        { "message", required_argument, NULL, 'm' },
        { "pause", optional_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *q = NULL, *path = NULL;
    cleanup_json struct json_object *out = NULL;
    bool pause = true;
    dctl_error_t err = NULL;
    int o, rc = 0;

    q = xstrdup("");
    while ((o = cmd_getopt_mixed(&cmd_commit_entry, argc, argv, "a:c:m:ph", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'a': commit_query_add(&q, "author", optarg); break;
        case 'c': commit_query_add(&q, "changes", optarg); break;
        case 'm': commit_query_add(&q, "comment", optarg); break;
        case 'p':
            if (optarg && util_parse_go_bool(optarg, &pause) < 0)
                return cmd_usage_error(&cmd_commit_entry, "invalid argument \"%s\" for "
                                       "\"-p, --pause\" flag", optarg);
            if (optarg == NULL)
                pause = true;
            break;
        }
    }
    if (argc - optind < 1 || argc - optind > 2)
        return cmd_image_args_error(&cmd_commit_entry, "at least 1 and at most 2 arguments");
    commit_query_add(&q, "container", argv[optind]);
    if (argc - optind == 2) {
        const char *r = argv[optind + 1], *colon = strrchr(r, ':');

        /* REPOSITORY[:TAG]: a colon after the last slash starts the tag */
        if (colon && strchr(colon, '/') == NULL) {
            cleanup_free char *repo = xstrndup(r, (size_t)(colon - r));

            commit_query_add(&q, "repo", repo);
            commit_query_add(&q, "tag", colon + 1);
        } else {
            commit_query_add(&q, "repo", r);
        }
    }
    path = xasprintf("/commit?pause=%d%s", pause ? 1 : 0, q);
    if (cmd_container_request(cl, "POST", path, "{}", &out, &err) < 0)
        return cmd_fail(err);
    printf("%s\n", json_get_string(out, "Id") ? json_get_string(out, "Id") : "");
    fflush(stdout);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_commit_entry = {
    .name = "commit",
    .args = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    .summary = "Create a new image from a container's changes",
    .aliases = "dctl container commit, dctl commit",
    .options =
        "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
        "  -c, --change list      Apply Dockerfile instruction to the created image (CMD,\n"
        "                         ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL,\n"
        "                         USER, VOLUME, WORKDIR)\n"
        "  -h, --help             Print usage\n"
        "  -m, --message string   Commit message\n"
        "  -p, --pause            Pause container during commit (default true; not yet\n"
        "                         honoured: dctld has no freezer support yet)\n",
    .exec = commit_exec,
};
