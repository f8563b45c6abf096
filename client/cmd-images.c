/* client/cmd-images.c - `dctl images` (`dctl image ls`): GET /images/json shown as
 * `docker images` shows it: one row per repository and tag, docker's table, its
 * json lines, or a --format template (client/format.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/reference.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define IMAGES_TABLE "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
#define IMAGES_TABLE_DIGESTS                                                                 \
    "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
#define IMAGES_QUIET "{{.ID}}"

const struct format_field cmd_images_fields[] = {
    { "Containers", "CONTAINERS" },
    { "CreatedAt", "CREATED AT" },
    { "CreatedSince", "CREATED" },
    { "Digest", "DIGEST" },
    { "ID", "IMAGE ID" },
    { "Repository", "REPOSITORY" },
    { "SharedSize", "SHARED SIZE" },
    { "Size", "SIZE" },
    { "Tag", "TAG" },
    { "UniqueSize", "UNIQUE SIZE" },
    { "VirtualSize", "SIZE" },
    { NULL, NULL },
};

static void
images_row_add(struct json_object *rows, struct json_object *img, const char *repo,
               const char *tag, const char *digest, bool trunc, long long now_ns)
{
    struct json_object *row = json_object_new_object();
    const char *id = json_get_string(img, "Id") ? json_get_string(img, "Id") : "";
    long long created = json_get_int64(img, "Created", 0);
    long long size = json_get_int64(img, "Size", 0);
    long long shared = json_get_int64(img, "SharedSize", -1);
    long long containers = json_get_int64(img, "Containers", -1);
    cleanup_free char *since = format_since(created, now_ns);
    cleanup_free char *shortid = format_truncate_id(id);
    char buf[64];

    if (containers == -1) {
        json_add_string(row, "Containers", "N/A");
    } else {
        snprintf(buf, sizeof buf, "%lld", containers);
        json_add_string(row, "Containers", buf);
    }
    format_local_time(created, buf, sizeof buf);
    json_add_string(row, "CreatedAt", buf);
    json_add_string(row, "CreatedSince", since);
    json_add_string(row, "Digest", digest);
    json_add_string(row, "ID", trunc ? shortid : id);
    json_add_string(row, "Repository", repo);
    if (shared == -1) {
        json_add_string(row, "SharedSize", "N/A");
    } else {
        format_size_human((double)shared, 4, buf, sizeof buf);
        json_add_string(row, "SharedSize", buf);
    }
    format_size_human((double)size, 3, buf, sizeof buf);
    json_add_string(row, "Size", buf);
    json_add_string(row, "Tag", tag);
    if (size == -1 || shared == -1) {
        json_add_string(row, "UniqueSize", "N/A");
    } else {
        format_size_human((double)(size - shared), 4, buf, sizeof buf);
        json_add_string(row, "UniqueSize", buf);
    }
    format_size_human((double)size, 4, buf, sizeof buf);
    json_add_string(row, "VirtualSize", buf);
    json_object_array_add(rows, row);
}

static bool
images_is_dangling(struct json_object *tags, struct json_object *digests)
{
    size_t nt = tags ? json_object_array_length(tags) : 0;
    size_t nd = digests ? json_object_array_length(digests) : 0;

    if (nt == 0 && nd == 0)
        return true;
    return nt == 1 && nd == 1 &&
           strcmp(json_object_get_string(json_object_array_get_idx(tags, 0)), "<none>:<none>") ==
               0 &&
           strcmp(json_object_get_string(json_object_array_get_idx(digests, 0)),
                  "<none>@<none>") == 0;
}

/* {"familiar name": [tag or digest, ...]} in the order the names come, from RepoTags
 * (want_digest false) or RepoDigests; references that do not parse are skipped. */
static struct json_object *
images_group(struct json_object *refs, bool want_digest)
{
    struct json_object *groups = json_object_new_object();
    size_t i;

    for (i = 0; refs != NULL && i < json_object_array_length(refs); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(refs, i));
        cleanup_reference struct reference *ref = NULL;
        cleanup_free char *name = NULL;
        dctl_error_t err = NULL;
        struct json_object *list;
        const char *part;

        ref = s ? reference_parse_normalized(s, &err) : NULL;
        dctl_error_free(err);
        if (ref == NULL)
            continue;
        part = want_digest ? ref->digest : ref->tag;
        if (part == NULL)
            continue;
        name = reference_familiar_name(ref);
        if (!json_object_object_get_ex(groups, name, &list)) {
            list = json_object_new_array();
            json_object_object_add(groups, name, list);
        }
        json_object_array_add(list, json_object_new_string(part));
    }
    return groups;
}

struct json_object *
cmd_images_rows(struct json_object *list, bool digests, bool trunc, long long now_ns)
{
    struct json_object *rows = json_object_new_array();
    size_t i, j, k;

    for (i = 0; list != NULL && i < json_object_array_length(list); i++) {
        struct json_object *img = json_object_array_get_idx(list, i), *tags = NULL,
                           *dgs = NULL;
        cleanup_json struct json_object *by_tag = NULL, *by_digest = NULL;

        json_object_object_get_ex(img, "RepoTags", &tags);
        json_object_object_get_ex(img, "RepoDigests", &dgs);
        if (images_is_dangling(tags, dgs)) {
            images_row_add(rows, img, "<none>", "<none>", "<none>", trunc, now_ns);
            continue;
        }
        by_tag = images_group(tags, false);
        by_digest = images_group(dgs, true);
        json_object_object_foreach(by_tag, repo, tlist) {
            struct json_object *dlist = NULL;
            size_t nd = 0;

            if (json_object_object_get_ex(by_digest, repo, &dlist)) {
                json_object_get(dlist);
                json_object_object_del(by_digest, repo); /* no row of its own */
                nd = digests ? json_object_array_length(dlist) : 0;
            }
            for (j = 0; j < json_object_array_length(tlist); j++) {
                const char *tag = json_object_get_string(json_object_array_get_idx(tlist, j));

                if (nd == 0)
                    images_row_add(rows, img, repo, tag, "<none>", trunc, now_ns);
                for (k = 0; k < nd; k++)
                    images_row_add(rows, img, repo, tag,
                                   json_object_get_string(json_object_array_get_idx(dlist, k)),
                                   trunc, now_ns);
            }
            json_object_put(dlist);
        }
        json_object_object_foreach(by_digest, drepo, dlist) {
            if (!digests) {
                images_row_add(rows, img, drepo, "<none>", "", trunc, now_ns);
                continue;
            }
            for (k = 0; k < json_object_array_length(dlist); k++)
                images_row_add(rows, img, drepo, "<none>",
                               json_object_get_string(json_object_array_get_idx(dlist, k)),
                               trunc, now_ns);
        }
    }
    return rows;
}

static int
images_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "quiet", no_argument, NULL, 'q' },
        { "digests", no_argument, NULL, 'D' },
        { "no-trunc", no_argument, NULL, 'T' },
        { "filter", required_argument, NULL, 'f' },
        { "format", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *filters = json_object_new_object();
    cleanup_json struct json_object *list = NULL, *rows = NULL;
    cleanup_free char *fq = NULL, *path = NULL, *custom = NULL;
    cleanup_format struct format *fmt = NULL;
    bool all = false, quiet = false, digests = false, trunc = true, need_digest;
    const char *format = NULL, *table;
    dctl_error_t err = NULL;
    int o, rc = 0;
    size_t i;

    while ((o = cmd_getopt_mixed(&cmd_images_entry, argc, argv, "aqf:h", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'a':
            all = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'D':
            digests = true;
            break;
        case 'T':
            trunc = false;
            break;
        case 'f':
            if (cmd_events_add_filter(filters, optarg, &err) < 0) {
                rc = cmd_usage_error(&cmd_images_entry, "invalid argument \"%s\" for "
                                     "\"-f, --filter\" flag: %s", optarg, err->msg);
                dctl_error_free(err);
                return rc;
            }
            break;
        case 'F':
            format = optarg;
            break;
        }
    }
    if (argc - optind > 1)
        return cmd_image_args_error(&cmd_images_entry, "at most 1 argument");
    if (optind < argc) { /* the operand is one more reference filter, as docker adds it */
        cleanup_free char *kv = xasprintf("reference=%s", argv[optind]);

        cmd_events_add_filter(filters, kv, &err); /* cannot fail: the key is there */
    }

    /* docker's NewImageFormat: -q and --digests only change the default table */
    table = quiet ? IMAGES_QUIET : digests ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE;
    if (format != NULL && *format && strcmp(format, "table") != 0) {
        if (util_has_prefix(format, "table") && digests && strstr(format, "{{.Digest}}") == NULL)
            format = custom = xasprintf("%s\\t{{.Digest}}", format);
        table = NULL;
    }
    fmt = format_new(table ? table : format, NULL, cmd_images_fields, &err);
    if (fmt == NULL)
        return cmd_fail(err);
    need_digest = digests || format_uses(fmt, "Digest");

    fq = cmd_image_filters_query(filters);
    path = xasprintf("/images/json?all=%d%s%s", all ? 1 : 0,
                     format_uses(fmt, "SharedSize") || format_uses(fmt, "UniqueSize")
                         ? "&shared-size=1" : "",
                     fq);
    if (cmd_image_request(cl, "GET", path, NULL, &list, &err) < 0)
        return cmd_fail(err);
    if (list == NULL || !json_object_is_type(list, json_type_array)) {
        dctl_error_set(&err, DCTL_ERR_INTERNAL, 0, "unexpected answer from daemon: not a list");
        return cmd_fail(err);
    }
    rows = cmd_images_rows(list, need_digest, trunc, util_now_ns());
    for (i = 0; i < json_object_array_length(rows); i++)
        if (format_add(fmt, json_object_array_get_idx(rows, i), &err) < 0)
            return cmd_fail(err);
    format_write(fmt, stdout);
    fflush(stdout);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_images_entry = {
    .name = "images",
    .args = "[OPTIONS] [REPOSITORY[:TAG]]",
    .summary = "List images",
    .aliases = "dctl image ls, dctl image list, dctl images",
    .options =
        "  -a, --all             Show all images (default hides intermediate images)\n"
        "      --digests         Show digests\n"
        "  -f, --filter filter   Filter output based on conditions provided (KEY=VALUE,\n"
        "                        repeatable: dangling, label, reference, before, since,\n"
        "                        until)\n"
        "      --format string   Format output using a custom template:\n"
        "                        'table':            Print output in table format with\n"
        "                                            column headers (default)\n"
        "                        'table TEMPLATE':   Print output in table format using\n"
        "                                            the given Go template\n"
        "                        'json':             Print in JSON format\n"
        "                        'TEMPLATE':         Print output using the given Go\n"
        "                                            template ({{.Field}} and\n"
        "                                            {{json .Field}})\n"
        "  -h, --help            Print usage\n"
        "      --no-trunc        Don't truncate output\n"
        "  -q, --quiet           Only show image IDs\n",
    .exec = images_exec,
};
