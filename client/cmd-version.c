/* client/cmd-version.c - `dctl version`: the client's version and the
 * server's (GET /version), laid out like `docker version`. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "client/cmd.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define VERSION_KEY_WIDTH 20 /* docker's tabwriter minimum cell width */

static void
version_line(const char *indent, const char *key, const char *value)
{
    cleanup_free char *cell = xasprintf("%s%s:", indent, key);

    /* a cell is padded to the width, with at least one space after it */
    printf("%-*s %s\n", VERSION_KEY_WIDTH - 1, cell, value ? value : "");
}

static const char *
version_str(struct json_object *o, const char *key)
{
    const char *v = o ? json_get_string(o, key) : NULL;

    return v ? v : "";
}

static struct json_object *
version_client_json(struct http_client *http)
{
    struct json_object *c = json_object_new_object();

    json_add_string(c, "Version", PACKAGE_VERSION);
    json_add_string(c, "ApiVersion",
                    http ? http_client_api_version(http) : HTTP_API_VERSION);
    json_add_string(c, "DefaultAPIVersion", HTTP_API_VERSION);
    json_add_string(c, "GitCommit", DCTL_GIT_COMMIT);
    json_add_string(c, "Os", "linux");
    json_add_string(c, "Arch", cmd_go_arch());
    json_add_string(c, "BuildTime", __DATE__ " " __TIME__);
    return c;
}

static void
version_print_client(struct json_object *c)
{
    cleanup_free char *api = NULL;
    cleanup_free char *osarch = xasprintf("%s/%s", version_str(c, "Os"), version_str(c, "Arch"));
    const char *v = version_str(c, "ApiVersion"), *dflt = version_str(c, "DefaultAPIVersion");

    api = strcmp(v, dflt) != 0 ? xasprintf("%s (downgraded from %s)", v, dflt) : xstrdup(v);
    printf("Client:\n");
    version_line(" ", "Version", version_str(c, "Version"));
    version_line(" ", "API version", api);
    version_line(" ", "Git commit", version_str(c, "GitCommit"));
    version_line(" ", "Built", version_str(c, "BuildTime"));
    version_line(" ", "OS/Arch", osarch);
}

/* The Engine component: Details carries what the top level of /version also has. */
static void
version_print_engine(const char *version, struct json_object *d)
{
    cleanup_free char *api = xasprintf("%s (minimum version %s)", version_str(d, "ApiVersion"),
                                       version_str(d, "MinAPIVersion"));
    cleanup_free char *osarch = xasprintf("%s/%s", version_str(d, "Os"), version_str(d, "Arch"));
    struct json_object *exp;
    const char *expstr = "false";

    version_line("  ", "Version", version);
    version_line("  ", "API version", api);
    version_line("  ", "Go version", version_str(d, "GoVersion"));
    version_line("  ", "Git commit", version_str(d, "GitCommit"));
    version_line("  ", "Built", version_str(d, "BuildTime"));
    version_line("  ", "OS/Arch", osarch);
    if (json_object_object_get_ex(d, "Experimental", &exp))
        expstr = json_object_get_string(exp); /* a string in Details, a bool at the top */
    version_line("  ", "Experimental", expstr);
}

static int
version_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
version_print_component(struct json_object *comp)
{
    struct json_object *details = NULL;
    const char *name = version_str(comp, "Name");

    json_object_object_get_ex(comp, "Details", &details);
    printf(" %s:\n", name);
    if (strcmp(name, "Engine") == 0) {
        version_print_engine(version_str(comp, "Version"), details);
        return;
    }
    version_line("  ", "Version", version_str(comp, "Version"));
    if (details != NULL && json_object_is_type(details, json_type_object)) {
        size_t n = 0, i;
        const char **keys = xcalloc((size_t)json_object_object_length(details) + 1,
                                    sizeof *keys);

        json_object_object_foreach(details, k, v) {
            (void)v;
            keys[n++] = k;
        }
        qsort(keys, n, sizeof *keys, version_key_cmp);
        for (i = 0; i < n; i++)
            version_line("  ", keys[i], json_get_string(details, keys[i]));
        free(keys);
    }
}

static void
version_print_server(struct json_object *s)
{
    struct json_object *platform = NULL, *comps = NULL;
    const char *pname = NULL;
    size_t i;

    if (json_object_object_get_ex(s, "Platform", &platform))
        pname = json_get_string(platform, "Name");
    printf("\nServer:%s%s\n", pname && *pname ? " " : "", pname ? pname : "");
    if (json_object_object_get_ex(s, "Components", &comps) &&
        json_object_is_type(comps, json_type_array) && json_object_array_length(comps) > 0) {
        for (i = 0; i < json_object_array_length(comps); i++)
            version_print_component(json_object_array_get_idx(comps, i));
        return;
    }
    /* a server without Components: its top level is the engine */
    printf(" Engine:\n");
    version_print_engine(version_str(s, "Version"), s);
}

static int
version_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *server = NULL;
    cleanup_json struct json_object *client = NULL;
    const char *format = NULL;
    dctl_error_t err = NULL;
    struct http_client *http;
    int o, rc = 0, got;

    while ((o = cmd_getopt(&cmd_version_entry, argc, argv, "f:h", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'f')
            format = optarg;
    }
    if ((rc = cmd_no_args(&cmd_version_entry, argc, argv)) != 0 ||
        (rc = cmd_check_format(&cmd_version_entry, format)) != 0)
        return rc;

    http = client_http(cl, &err);
    if (http == NULL)
        return cmd_fail(err);
    got = http_get_json(http, "/version", &server, &err);
    client = version_client_json(http);
    if (format != NULL) {
        struct json_object *all = json_object_new_object();
        cleanup_free char *text = NULL;

        json_object_object_add(all, "Client", json_object_get(client));
        json_object_object_add(all, "Server", got == 0 ? json_object_get(server) : NULL);
        text = json_to_string(all);
        json_object_put(all);
        printf("%s\n", text);
    } else {
        version_print_client(client);
        if (got == 0)
            version_print_server(server);
    }
    fflush(stdout);
    if (got < 0)
        return cmd_fail(err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_version_entry = {
    .name = "version",
    .args = "[OPTIONS]",
    .summary = "Show the dctl version information",
    .options = "  -f, --format string   Format output: 'json' prints the versions as JSON\n"
               "  -h, --help            Print usage\n",
    .exec = version_exec,
};
