/* client/cmd-image-inspect.c - `dctl image inspect IMAGE...`: GET
 * /images/{name}/json for each image, printed as docker prints it: one JSON array
 * indented by four spaces, or each image through a --format template. Images that
 * cannot be inspected are reported after the output, and the exit status is 1. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define INSPECT_INDENT "    "

enum inspect_kind { INSPECT_IMAGE, INSPECT_CONTAINER, INSPECT_ANY };

/* One object's JSON: an image, a container, or (INSPECT_ANY) a container else an image,
 * as docker inspect looks them up; a miss of both is "No such object: NAME". */
static int
inspect_one(struct client *cl, enum inspect_kind kind, const char *arg, struct json_object **out,
            dctl_error_t *err)
{
    cleanup_free char *name = cmd_image_path_escape(arg);
    cleanup_free char *cpath = xasprintf("/containers/%s/json", name);
    cleanup_free char *ipath = xasprintf("/images/%s/json", name);

    if (kind == INSPECT_IMAGE)
        return cmd_image_request(cl, "GET", ipath, NULL, out, err);
    if (cmd_image_request(cl, "GET", cpath, NULL, out, err) == 0 || kind == INSPECT_CONTAINER ||
        (*err)->kind != DCTL_ERR_NOT_FOUND)
        return *err ? -1 : 0;
    dctl_error_clear(err);
    if (cmd_image_request(cl, "GET", ipath, NULL, out, err) == 0)
        return 0;
    if ((*err)->kind == DCTL_ERR_NOT_FOUND) {
        dctl_error_clear(err);
        return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "Error: No such object: %s", arg);
    }
    return -1;
}

static int
inspect_run(const struct client_cmd *cmd, enum inspect_kind kind, struct client *cl, int argc,
            char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "type", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *all = json_object_new_array();
    cleanup_format struct format *fmt = NULL;
    const char *format = NULL;
    dctl_error_t err = NULL;
    char **errors;
    size_t nerrors = 0, i;
    int o, rc = 0, a;

    while ((o = cmd_getopt_mixed(cmd, argc, argv, "f:h", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'f') {
            format = optarg;
        } else if (o == 'T') {
            if (cmd != &cmd_inspect_entry)
                return cmd_usage_error(cmd, "unknown flag: --type");
            if (strcmp(optarg, "image") == 0)
                kind = INSPECT_IMAGE;
            else if (strcmp(optarg, "container") == 0)
                kind = INSPECT_CONTAINER;
            else
                return cmd_usage_error(cmd, "\"%s\" is not a valid value for --type", optarg);
        }
    }
    if (argc - optind < 1)
        return cmd_image_args_error(cmd, "at least 1 argument");
    if (format != NULL && *format && strcmp(format, "json") != 0) {
        fmt = format_new(format, NULL, NULL, &err);
        if (fmt == NULL)
            return cmd_fail(err);
    }

    errors = xcalloc((size_t)(argc - optind), sizeof *errors);
    for (a = optind; a < argc; a++) {
        struct json_object *img = NULL;

        if (inspect_one(cl, kind, argv[a], &img, &err) < 0) {
            bool unavailable = err->kind == DCTL_ERR_UNAVAILABLE;

            errors[nerrors++] = dctl_error_text(err);
            dctl_error_clear(&err);
            if (unavailable)
                break;
            continue;
        }
        if (img == NULL || !json_object_is_type(img, json_type_object)) {
            json_object_put(img);
            errors[nerrors++] = xstrdup("unexpected answer from daemon: not an object");
            continue;
        }
        json_object_array_add(all, img);
    }

    rc = CMD_EXIT_OK;
    if (fmt == NULL) {
        cleanup_free char *text = format_json(all, INSPECT_INDENT);

        printf("%s\n", text);
    } else {
        for (i = 0; i < json_object_array_length(all) && err == NULL; i++)
            format_add(fmt, json_object_array_get_idx(all, i), &err);
        format_write(fmt, stdout);
    }
    fflush(stdout);
    if (err != NULL)
        rc = cmd_fail(err); /* a template that does not fit: docker stops there */
    for (i = 0; i < nerrors; i++) {
        fprintf(stderr, "%s\n", errors[i]);
        free(errors[i]);
        rc = CMD_EXIT_ERROR;
    }
    free(errors);
    return rc;
}

static int
image_inspect_exec(struct client *cl, int argc, char **argv)
{
    return inspect_run(&cmd_image_inspect_entry, INSPECT_IMAGE, cl, argc, argv);
}

static int
inspect_exec(struct client *cl, int argc, char **argv)
{
    return inspect_run(&cmd_inspect_entry, INSPECT_ANY, cl, argc, argv);
}

static int
container_inspect_exec(struct client *cl, int argc, char **argv)
{
    return inspect_run(&cmd_container_inspect_entry, INSPECT_CONTAINER, cl, argc, argv);
}

#define INSPECT_OPTIONS                                                                     \
    "  -f, --format string   Format output using a custom template:\n"                     \
    "                        'json':       Print in JSON format (the default)\n"           \
    "                        'TEMPLATE':   Print output using the given Go\n"              \
    "                                      template ({{.Field.Sub}} and\n"                 \
    "                                      {{json .Field}})\n"                             \
    "  -h, --help            Print usage\n"

const struct client_cmd cmd_inspect_entry = {
    .name = "inspect",
    .args = "[OPTIONS] NAME|ID [NAME|ID...]",
    .summary = "Return low-level information on containers and images",
    .options = INSPECT_OPTIONS
    "      --type string     Only look for an object of this type (container, image)\n",
    .exec = inspect_exec,
};

const struct client_cmd cmd_container_inspect_entry = {
    .name = "container inspect",
    .args = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Display detailed information on one or more containers",
    .options = INSPECT_OPTIONS,
    .exec = container_inspect_exec,
};

const struct client_cmd cmd_image_inspect_entry = {
    .name = "image inspect",
    .args = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Display detailed information on one or more images",
    .options = "  -f, --format string   Format output using a custom template:\n"
               "                        'json':       Print in JSON format (the default)\n"
               "                        'TEMPLATE':   Print output using the given Go\n"
               "                                      template ({{.Field.Sub}} and\n"
               "                                      {{json .Field}})\n"
               "  -h, --help            Print usage\n",
    .exec = image_inspect_exec,
};
