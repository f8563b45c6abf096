/* client/cmd-image.c - `dctl image SUBCOMMAND`: docker's management command for
 * images, dispatching to the top-level commands (`image ls` is `dctl images`,
 * `image rm` is `dctl rmi`, ...) and to `image inspect` and `image prune`; and
 * the helpers the image commands share (client/cmd-image.h). */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

int
cmd_image_request(struct client *cl, const char *method, const char *path, const char *body,
                  struct json_object **out, dctl_error_t *err)
{
    struct http_client *http = client_http(cl, err);
    struct http_response resp;
    struct json_object *o = NULL;

    if (http == NULL || http_request(http, method, path, body, &resp, err) < 0)
        return -1;
    if (resp.status >= 400) {
        http_response_error(&resp, err);
        http_response_fini(&resp);
        return -1;
    }
    if (resp.len > 0) {
        o = json_parse(resp.body, resp.len, path, err);
        if (o == NULL) {
            http_response_fini(&resp);
            return dctl_error_prefix(err, "unexpected answer from daemon");
        }
    }
    http_response_fini(&resp);
    *out = o;
    return 0;
}

char *
cmd_image_path_escape(const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(name) * 3 + 1), *o = out;

    for (; *name; name++) {
        unsigned char c = (unsigned char)*name;

        if (isalnum(c) || strchr("._:/@+-", c) != NULL) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

char *
cmd_image_filters_query(struct json_object *filters)
{
    cleanup_free char *text = NULL, *esc = NULL;

    if (filters == NULL || json_object_object_length(filters) == 0)
        return xstrdup("");
    text = json_to_string(filters);
    esc = http_query_escape(text);
    return xasprintf("&filters=%s", esc);
}

int
cmd_image_args_error(const struct client_cmd *cmd, const char *what)
{
    fprintf(stderr, "\"dctl %s\" requires %s.\n", cmd->name, what);
    fprintf(stderr, "See 'dctl %s --help'.\n", cmd->name);
    fprintf(stderr, "\nUsage:  dctl %s%s%s\n\n%s\n", cmd->name, cmd->args ? " " : "",
            cmd->args ? cmd->args : "", cmd->summary);
    return CMD_EXIT_ERROR;
}

/* ---- dctl image SUBCOMMAND -------------------------------------------------------------- */

/* A subcommand is a top-level command (looked up by name, so that one built in
 * another file, like load or save, needs no entry here) or an image-only entry. */
static const struct {
    const char *sub;
    const char *top;                /* the top-level command it runs, or NULL */
    const struct client_cmd *entry; /* or this */
    bool alias;                     /* not listed in `dctl image --help` */
} image_subs[] = {
    { "history", "history", NULL, false },
    { "import", "import", NULL, false },
    { "inspect", NULL, &cmd_image_inspect_entry, false },
    { "load", "load", NULL, false },
    { "ls", "images", NULL, false },
    { "list", "images", NULL, true },
    { "prune", NULL, &cmd_image_prune_entry, false },
    { "rm", "rmi", NULL, false },
    { "remove", "rmi", NULL, true },
    { "save", "save", NULL, false },
    { "tag", "tag", NULL, false },
};

static const struct client_cmd *
image_sub_find(size_t i)
{
    return image_subs[i].entry ? image_subs[i].entry : cmd_find(image_subs[i].top);
}

static void
image_usage(FILE *out)
{
    size_t i;

    fputs("\nUsage:  dctl image COMMAND\n\nManage images\n\nCommands:\n", out);
    for (i = 0; i < ARRAY_SIZE(image_subs); i++) {
        const struct client_cmd *c = image_sub_find(i);

        if (c != NULL && !image_subs[i].alias)
            fprintf(out, "  %-11s %s\n", image_subs[i].sub, c->summary);
    }
    fputs("\nRun 'dctl image COMMAND --help' for more information on a command.\n"
          "\nSee dctl-image(1) for more.\n",
          out);
}

static int
image_exec(struct client *cl, int argc, char **argv)
{
    const struct client_cmd *c = NULL;
    size_t i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        image_usage(stdout);
        return CMD_EXIT_OK;
    }
    if (argv[1][0] == '-') {
        fprintf(stderr, "unknown flag: %s\nSee 'dctl image --help'.\n", argv[1]);
        return CMD_EXIT_USAGE;
    }
    for (i = 0; i < ARRAY_SIZE(image_subs) && c == NULL; i++)
        if (strcmp(image_subs[i].sub, argv[1]) == 0)
            c = image_sub_find(i);
    if (c == NULL) {
        fprintf(stderr, "dctl: unknown command: dctl image %s\n\n"
                        "Run 'dctl image --help' for more information\n", argv[1]);
        return CMD_EXIT_ERROR;
    }
    optind = 0; /* the subcommand parses its own options from the start */
    return c->exec(cl, argc - 1, argv + 1);
}

const struct client_cmd cmd_image_entry = {
    .name = "image",
    .args = "COMMAND",
    .summary = "Manage images",
    .options = NULL,
    .exec = image_exec,
};
