/* client/cmd-ps.c - `dctl ps` (`dctl container ls`): GET /containers/json shown as
 * `docker ps` shows it: docker's table, -q IDs, json lines or a --format template. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "client/format.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define PS_TABLE                                                                           \
    "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}" \
    "\\t{{.Names}}"
#define PS_TABLE_SIZE PS_TABLE "\\t{{.Size}}"
#define PS_QUIET "{{.ID}}"

static const struct format_field ps_fields[] = {
    { "Command", "COMMAND" },
    { "CreatedAt", "CREATED AT" },
    { "ID", "CONTAINER ID" },
    { "Image", "IMAGE" },
    { "Labels", "LABELS" },
    { "LocalVolumes", "LOCAL VOLUMES" },
    { "Mounts", "MOUNTS" },
    { "Names", "NAMES" },
    { "Networks", "NETWORKS" },
    { "Ports", "PORTS" },
    { "RunningFor", "CREATED" },
    { "Size", "SIZE" },
    { "State", "STATE" },
    { "Status", "STATUS" },
    { NULL, NULL },
};

static struct json_object *
ps_row(struct json_object *c, bool trunc, long long now_ns)
{
    struct json_object *row = json_object_new_object(), *names = NULL, *labels = NULL,
                       *mounts = NULL, *ns = NULL, *nets = NULL;
    const char *id = json_get_string(c, "Id") ?: "";
    long long created = json_get_int64(c, "Created", 0);
    cleanup_free char *shortid = format_truncate_id(id), *since = format_since(created, now_ns);
    cleanup_free char *cmd = NULL, *names_s = xstrdup(""), *labels_s = xstrdup("");
    cleanup_free char *mounts_s = xstrdup(""), *nets_s = xstrdup("");
    char buf[96];
    size_t i;

    json_add_string(row, "ID", trunc ? shortid : id);
    json_add_string(row, "Image", json_get_string(c, "Image") ?: "");
    cmd = xasprintf("\"%s\"", json_get_string(c, "Command") ?: "");
    if (trunc) {
        cleanup_free char *inner = format_ellipsis(json_get_string(c, "Command") ?: "", 20);

        free(cmd);
        cmd = xasprintf("\"%s\"", inner);
    }
    json_add_string(row, "Command", cmd);
    format_local_time(created, buf, sizeof buf);
    json_add_string(row, "CreatedAt", buf);
    json_add_string(row, "RunningFor", since);
    json_add_string(row, "Status", json_get_string(c, "Status") ?: "");
    json_add_string(row, "State", json_get_string(c, "State") ?: "");
    json_add_string(row, "Ports", "");
    if (json_object_object_get_ex(c, "Names", &names))
        for (i = 0; i < json_object_array_length(names); i++) {
            const char *n = json_object_get_string(json_object_array_get_idx(names, i));
            char *s = xasprintf("%s%s%s", names_s, *names_s ? "," : "", n[0] == '/' ? n + 1 : n);

            free(names_s);
            names_s = s;
        }
    json_add_string(row, "Names", names_s);
    if (json_object_object_get_ex(c, "Labels", &labels) &&
        json_object_is_type(labels, json_type_object)) {
        json_object_object_foreach(labels, k, v) {
            char *s = xasprintf("%s%s%s=%s", labels_s, *labels_s ? "," : "", k,
                                json_object_get_string(v));

            free(labels_s);
            labels_s = s;
        }
    }
    json_add_string(row, "Labels", labels_s);
    if (json_object_object_get_ex(c, "Mounts", &mounts))
        for (i = 0; i < json_object_array_length(mounts); i++) {
            const char *src = json_get_string(json_object_array_get_idx(mounts, i), "Source");
            char *s = xasprintf("%s%s%s", mounts_s, *mounts_s ? "," : "", src ? src : "");

            free(mounts_s);
            mounts_s = s;
        }
    json_add_string(row, "Mounts", mounts_s);
    json_add_string(row, "LocalVolumes", "0");
    if (json_object_object_get_ex(c, "NetworkSettings", &ns) &&
        json_object_object_get_ex(ns, "Networks", &nets)) {
        json_object_object_foreach(nets, k, v) {
            char *s = xasprintf("%s%s%s", nets_s, *nets_s ? "," : "", k);

            (void)v;
            free(nets_s);
            nets_s = s;
        }
    }
    json_add_string(row, "Networks", nets_s);
    if (json_object_object_get_ex(c, "SizeRw", NULL)) {
        char rw[32], root[32];

        format_size_human((double)json_get_int64(c, "SizeRw", 0), 3, rw, sizeof rw);
        format_size_human((double)json_get_int64(c, "SizeRootFs", 0), 3, root, sizeof root);
        snprintf(buf, sizeof buf, "%s (virtual %s)", rw, root);
        json_add_string(row, "Size", buf);
    } else {
        json_add_string(row, "Size", "");
    }
    return row;
}

static int
ps_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "quiet", no_argument, NULL, 'q' },
        { "size", no_argument, NULL, 's' },
        { "last", required_argument, NULL, 'n' },
        { "latest", no_argument, NULL, 'l' },
        { "no-trunc", no_argument, NULL, 'T' },
        { "filter", required_argument, NULL, 'f' },
        { "format", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *filters = json_object_new_object(), *list = NULL;
    cleanup_free char *fq = NULL, *path = NULL;
    cleanup_format struct format *fmt = NULL;
    bool all = false, quiet = false, size = false, trunc = true;
    long long last = -1;
    const char *format = NULL, *table;
    dctl_error_t err = NULL;
    long long now = util_now_ns();
    int o, rc = 0;
    size_t i;

    while ((o = cmd_getopt_mixed(&cmd_ps_entry, argc, argv, "aqsn:lf:h", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'a': all = true; break;
        case 'q': quiet = true; break;
        case 's': size = true; break;
        case 'l': last = 1; break;
        case 'n':
            if (util_parse_int64(optarg, &last) < 0)
                return cmd_usage_error(&cmd_ps_entry, "invalid argument \"%s\" for \"-n, "
                                       "--last\" flag: strconv.ParseInt: parsing \"%s\": "
                                       "invalid syntax", optarg, optarg);
            break;
        case 'T': trunc = false; break;
        case 'f':
            if (cmd_events_add_filter(filters, optarg, &err) < 0) {
                rc = cmd_usage_error(&cmd_ps_entry, "invalid argument \"%s\" for \"-f, "
                                     "--filter\" flag: %s", optarg, err->msg);
                dctl_error_free(err);
                return rc;
            }
            break;
        case 'F': format = optarg; break;
        }
    }
    if ((rc = cmd_no_args(&cmd_ps_entry, argc, argv)) != 0)
        return rc;
    table = quiet ? PS_QUIET : size ? PS_TABLE_SIZE : PS_TABLE;
    if (format != NULL && *format && strcmp(format, "table") != 0)
        table = NULL;
    fmt = format_new(table ? table : format, NULL, ps_fields, &err);
    if (fmt == NULL)
        return cmd_fail(err);
    if (format_uses(fmt, "Size"))
        size = true;
    fq = cmd_image_filters_query(filters);
    path = xasprintf("/containers/json?all=%d&size=%d%s%s", all || last > 0 ? 1 : 0,
                     size ? 1 : 0, fq, "");
    if (last > 0) {
        char *p = xasprintf("%s&limit=%lld", path, last);

        free(path);
        path = p;
    }
    if (cmd_container_request(cl, "GET", path, NULL, &list, &err) < 0)
        return cmd_fail(err);
    for (i = 0; list && json_object_is_type(list, json_type_array) &&
                i < json_object_array_length(list);
         i++) {
        cleanup_json struct json_object *row =
            ps_row(json_object_array_get_idx(list, i), trunc, now);

        if (format_add(fmt, row, &err) < 0)
            return cmd_fail(err);
    }
    format_write(fmt, stdout);
    fflush(stdout);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_ps_entry = {
    .name = "ps",
    .args = "[OPTIONS]",
    .summary = "List containers",
    .aliases = "dctl container ls, dctl container list, dctl container ps, dctl ps",
    .options =
        "  -a, --all             Show all containers (default shows just running)\n"
        "  -f, --filter filter   Filter output based on conditions provided (KEY=VALUE,\n"
        "                        repeatable: id, name, label, status, exited, ancestor,\n"
        "                        before, since, volume, network, health)\n"
        "      --format string   Format output using a custom template: 'table',\n"
        "                        'table TEMPLATE', 'json' or a Go template\n"
        "  -h, --help            Print usage\n"
        "  -n, --last int        Show n last created containers (includes all states)\n"
        "  -l, --latest          Show the latest created container (includes all states)\n"
        "      --no-trunc        Don't truncate output\n"
        "  -q, --quiet           Only display container IDs\n"
        "  -s, --size            Display total file sizes\n",
    .exec = ps_exec,
};
