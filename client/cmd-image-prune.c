/* client/cmd-image-prune.c - `dctl image prune`: asks for confirmation (unless
 * -f), then POST /images/prune with docker's filters (dangling=true, or false with
 * -a) and prints what was deleted and the space reclaimed, as docker does. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define PRUNE_WARNING_DANGLING                                                               \
    "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
#define PRUNE_WARNING_ALL                                                                    \
    "WARNING! This will remove all images without at least one container associated to "    \
    "them.\nAre you sure you want to continue?"

/* docker's PromptForConfirmation: "y" or "Y" on the next line of standard input. */
bool
cmd_prune_confirm(const char *warning)
{
    char line[256];
    size_t len;

    printf("%s [y/N] ", warning);
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        return false;
    len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
        line[--len] = '\0';
    return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0;
}

static int
image_prune_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "force", no_argument, NULL, 'f' },
        { "filter", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *filters = json_object_new_object();
    cleanup_json struct json_object *report = NULL;
    cleanup_free char *fq = NULL, *path = NULL;
    struct json_object *deleted = NULL;
    bool all = false, force = false;
    dctl_error_t err = NULL;
    char size[64];
    int o, rc = 0;
    size_t i;

    while ((o = cmd_getopt_mixed(&cmd_image_prune_entry, argc, argv, "afh", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'a':
            all = true;
            break;
        case 'f':
            force = true;
            break;
        case 'F':
            if (cmd_events_add_filter(filters, optarg, &err) < 0) {
                rc = cmd_usage_error(&cmd_image_prune_entry, "invalid argument \"%s\" for "
                                     "\"--filter\" flag: %s", optarg, err->msg);
                dctl_error_free(err);
                return rc;
            }
            break;
        }
    }
    if ((rc = cmd_no_args(&cmd_image_prune_entry, argc, argv)) != 0)
        return rc;
    cmd_events_add_filter(filters, all ? "dangling=false" : "dangling=true", &err);

    if (!force && !cmd_prune_confirm(all ? PRUNE_WARNING_ALL : PRUNE_WARNING_DANGLING))
        return CMD_EXIT_OK; /* docker: cancelled, nothing more said */

    fq = cmd_image_filters_query(filters);
    path = xasprintf("/images/prune?%s", fq + 1);
    if (cmd_image_request(cl, "POST", path, NULL, &report, &err) < 0)
        return cmd_fail(err);
    if (report != NULL && json_object_object_get_ex(report, "ImagesDeleted", &deleted) &&
        json_object_is_type(deleted, json_type_array) && json_object_array_length(deleted) > 0) {
        printf("Deleted Images:\n");
        for (i = 0; i < json_object_array_length(deleted); i++) {
            struct json_object *it = json_object_array_get_idx(deleted, i);
            const char *untagged = json_get_string(it, "Untagged");

            if (untagged != NULL && *untagged)
                printf("untagged: %s\n", untagged);
            else
                printf("deleted: %s\n", json_get_string(it, "Deleted") ?: "");
        }
        printf("\n");
        format_size_human((double)json_get_int64(report, "SpaceReclaimed", 0), 4, size,
                          sizeof size);
    } else {
        format_size_human(0, 4, size, sizeof size);
    }
    printf("Total reclaimed space: %s\n", size);
    fflush(stdout);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_image_prune_entry = {
    .name = "image prune",
    .args = "[OPTIONS]",
    .summary = "Remove unused images",
    .options = "  -a, --all             Remove all unused images, not just dangling ones\n"
               "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\",\n"
               "                        \"label=KEY=VALUE\", \"label!=KEY\")\n"
               "  -f, --force           Do not prompt for confirmation\n"
               "  -h, --help            Print usage\n",
    .exec = image_prune_exec,
};
