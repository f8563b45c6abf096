/* client/cmd-history.c - `dctl history IMAGE` (`dctl image history`): GET
 * /images/{name}/history as `docker history` shows it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define HISTORY_TABLE                                                                        \
    "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}"
#define HISTORY_TABLE_RAW                                                                    \
    "table {{.ID}}\\t{{.CreatedAt}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}"
#define HISTORY_QUIET "{{.ID}}"
#define HISTORY_CREATED_BY_MAX 45

const struct format_field cmd_history_fields[] = {
    { "Comment", "COMMENT" },
    { "CreatedAt", "CREATED AT" },
    { "CreatedBy", "CREATED BY" },
    { "CreatedSince", "CREATED" },
    { "ID", "IMAGE" },
    { "Size", "SIZE" },
    { NULL, NULL },
};

struct json_object *
cmd_history_rows(struct json_object *list, bool human, bool trunc, long long now_ns)
{
    struct json_object *rows = json_object_new_array();
    size_t i;

    for (i = 0; list != NULL && i < json_object_array_length(list); i++) {
        struct json_object *h = json_object_array_get_idx(list, i);
        struct json_object *row = json_object_new_object();
        const char *id = json_get_string(h, "Id") ? json_get_string(h, "Id") : "";
        const char *comment = json_get_string(h, "Comment");
        long long created = json_get_int64(h, "Created", 0);
        long long size = json_get_int64(h, "Size", 0);
        cleanup_free char *by = xstrdup(json_get_string(h, "CreatedBy") ?: "");
        cleanup_free char *shown = NULL, *shortid = NULL, *since = NULL;
        char at[64], sz[64];
        time_t t = (time_t)created;
        struct tm tm;
        char *p;

        for (p = by; *p; p++)
            if (*p == '\t')
                *p = ' ';
        gmtime_r(&t, &tm);
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (human)
            format_size_human((double)size, 3, sz, sizeof sz);
        else
            snprintf(sz, sizeof sz, "%lld", size);
        shown = trunc ? format_ellipsis(by, HISTORY_CREATED_BY_MAX) : xstrdup(by);
        shortid = trunc ? format_truncate_id(id) : xstrdup(id);
        since = human ? format_since(created, now_ns) : xstrdup(at);
        json_add_string(row, "Comment", comment ? comment : "");
        json_add_string(row, "CreatedAt", at);
        json_add_string(row, "CreatedBy", shown);
        json_add_string(row, "CreatedSince", since);
        json_add_string(row, "ID", shortid);
        json_add_string(row, "Size", sz);
        json_object_array_add(rows, row);
    }
    return rows;
}

static int
history_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "human", optional_argument, NULL, 'H' },
        { "quiet", no_argument, NULL, 'q' },
        { "no-trunc", no_argument, NULL, 'T' },
        { "format", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *list = NULL, *rows = NULL;
    cleanup_format struct format *fmt = NULL;
    cleanup_free char *name = NULL, *path = NULL;
    bool human = true, quiet = false, trunc = true;
    const char *format = NULL, *table;
    dctl_error_t err = NULL;
    int o, rc = 0;
    size_t i;

    while ((o = cmd_getopt_mixed(&cmd_history_entry, argc, argv, "H::qh", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'H': {
            const char *v = optarg ? optarg + (optarg[0] == '=') : "true";

            if (util_parse_go_bool(v, &human) < 0)
                return cmd_usage_error(&cmd_history_entry, "invalid argument \"%s\" for "
                                       "\"-H, --human\" flag: strconv.ParseBool: parsing "
                                       "\"%s\": invalid syntax", v, v);
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'T':
            trunc = false;
            break;
        case 'F':
            format = optarg;
            break;
        }
    }
    if (argc - optind != 1)
        return cmd_image_args_error(&cmd_history_entry, "exactly 1 argument");

    table = quiet ? HISTORY_QUIET : human ? HISTORY_TABLE : HISTORY_TABLE_RAW;
    if (format != NULL && *format && strcmp(format, "table") != 0)
        table = NULL;
    fmt = format_new(table ? table : format, NULL, cmd_history_fields, &err);
    if (fmt == NULL)
        return cmd_fail(err);

    name = cmd_image_path_escape(argv[optind]);
    path = xasprintf("/images/%s/history", name);
    if (cmd_image_request(cl, "GET", path, NULL, &list, &err) < 0)
        return cmd_fail(err);
    if (list == NULL || !json_object_is_type(list, json_type_array)) {
        dctl_error_set(&err, DCTL_ERR_INTERNAL, 0, "unexpected answer from daemon: not a list");
        return cmd_fail(err);
    }
    rows = cmd_history_rows(list, human, trunc, util_now_ns());
    for (i = 0; i < json_object_array_length(rows); i++)
        if (format_add(fmt, json_object_array_get_idx(rows, i), &err) < 0)
            return cmd_fail(err);
    format_write(fmt, stdout);
    fflush(stdout);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_history_entry = {
    .name = "history",
    .args = "[OPTIONS] IMAGE",
    .summary = "Show the history of an image",
    .aliases = "dctl image history, dctl history",
    .options =
        "      --format string   Format output using a custom template: 'table',\n"
        "                        'table TEMPLATE', 'json' or 'TEMPLATE' (see dctl-images(1))\n"
        "  -H, --human[=BOOL]    Print sizes and dates in human readable format\n"
        "                        (default true; --human=false for raw values)\n"
        "  -h, --help            Print usage\n"
        "      --no-trunc        Don't truncate output\n"
        "  -q, --quiet           Only show image IDs\n",
    .exec = history_exec,
};
