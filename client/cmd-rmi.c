/* client/cmd-rmi.c - `dctl rmi IMAGE...` (`dctl image rm`): DELETE /images/{name}
 * for each image in turn, printing what was untagged and deleted as docker does;
 * errors are kept for the end, and a missing image does not fail a forced run. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static int
rmi_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "force", no_argument, NULL, 'f' },
        { "no-prune", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool force = false, noprune = false, fatal = false;
    char **errors;
    size_t nerrors = 0, i;
    int o, rc = 0, a;

    while ((o = cmd_getopt_mixed(&cmd_rmi_entry, argc, argv, "fh", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'f')
            force = true;
        else if (o == 'P')
            noprune = true;
    }
    if (argc - optind < 1)
        return cmd_image_args_error(&cmd_rmi_entry, "at least 1 argument");

    errors = xcalloc((size_t)(argc - optind), sizeof *errors);
    for (a = optind; a < argc; a++) {
        cleanup_json struct json_object *items = NULL;
        cleanup_free char *name = cmd_image_path_escape(argv[a]);
        cleanup_free char *path = xasprintf("/images/%s?force=%d&noprune=%d", name,
                                            force ? 1 : 0, noprune ? 1 : 0);
        dctl_error_t err = NULL;

        if (cmd_image_request(cl, "DELETE", path, NULL, &items, &err) < 0) {
            /* no daemon (or one that cannot serve): the other images would fail alike */
            bool unavailable = err->kind == DCTL_ERR_UNAVAILABLE;

            if (err->kind != DCTL_ERR_NOT_FOUND)
                fatal = true;
            errors[nerrors++] = dctl_error_text(err);
            dctl_error_free(err);
            if (unavailable)
                break;
            continue;
        }
        for (i = 0; items != NULL && json_object_is_type(items, json_type_array) &&
                    i < json_object_array_length(items);
             i++) {
            struct json_object *it = json_object_array_get_idx(items, i);
            const char *del = json_get_string(it, "Deleted");

            if (del != NULL && *del)
                printf("Deleted: %s\n", del);
            else
                printf("Untagged: %s\n", json_get_string(it, "Untagged") ?: "");
        }
        fflush(stdout);
    }
    for (i = 0; i < nerrors; i++) {
        fprintf(stderr, "%s\n", errors[i]);
        free(errors[i]);
    }
    free(errors);
    if (nerrors > 0 && (!force || fatal))
        return CMD_EXIT_ERROR;
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_rmi_entry = {
    .name = "rmi",
    .args = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Remove one or more images",
    .aliases = "dctl image rm, dctl image remove, dctl rmi",
    .options = "  -f, --force      Force removal of the image\n"
               "  -h, --help       Print usage\n"
               "      --no-prune   Do not delete untagged parents\n",
    .exec = rmi_exec,
};
