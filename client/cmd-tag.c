/* client/cmd-tag.c - `dctl tag SOURCE TARGET` (`dctl image tag`): POST
 * /images/{source}/tag?repo=...&tag=..., with the target checked here first as
 * docker's client checks it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/reference.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static int
tag_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_reference struct reference *src = NULL, *dst = NULL;
    cleanup_json struct json_object *answer = NULL;
    cleanup_free char *name = NULL, *repo = NULL, *erepo = NULL, *etag = NULL, *path = NULL;
    dctl_error_t err = NULL;
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_tag_entry, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (argc - optind != 2)
        return cmd_image_args_error(&cmd_tag_entry, "exactly 2 arguments");

    src = reference_parse_any(argv[optind], &err);
    if (src == NULL) {
        dctl_error_prefix(&err, "Error parsing reference: \"%s\" is not a valid "
                          "repository/tag", argv[optind]);
        return cmd_fail(err);
    }
    dst = reference_parse_normalized(argv[optind + 1], &err);
    if (dst == NULL) {
        dctl_error_prefix(&err, "Error parsing reference: \"%s\" is not a valid "
                          "repository/tag", argv[optind + 1]);
        return cmd_fail(err);
    }
    if (dst->digest != NULL) {
        dctl_error_set(&err, DCTL_ERR_INVALID, 0,
                       "refusing to create a tag with a digest reference");
        return cmd_fail(err);
    }
    reference_tag_name_only(dst);
    repo = reference_name(dst);
    erepo = http_query_escape(repo);
    etag = http_query_escape(dst->tag);
    name = cmd_image_path_escape(argv[optind]);
    path = xasprintf("/images/%s/tag?repo=%s&tag=%s", name, erepo, etag);
    if (cmd_image_request(cl, "POST", path, NULL, &answer, &err) < 0)
        return cmd_fail(err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_tag_entry = {
    .name = "tag",
    .args = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    .summary = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
    .aliases = "dctl image tag, dctl tag",
    .options = "  -h, --help   Print usage\n",
    .exec = tag_exec,
};
