/* client/cmd-info.c - `dctl info`: GET /info shown like `docker info`. Every
 * key is optional: what the daemon does not report is left out. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "client/cmd.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

enum info_kind {
    INFO_STR,   /* printed as is (numbers and booleans too) */
    INFO_BYTES, /* a byte count as "1.953GiB" */
    INFO_NONEMPTY, /* a string, left out when empty */
};

struct info_field {
    const char *indent;
    const char *label;
    const char *key;
    enum info_kind kind;
};

static struct json_object *
info_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v; /* NULL for JSON null too */
}

static void
info_field_print(struct json_object *info, const struct info_field *f)
{
    struct json_object *v = info_get(info, f->key);
    char buf[32];

    if (v == NULL)
        return;
    switch (f->kind) {
    case INFO_BYTES:
        if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
            cmd_format_bytes(json_object_get_double(v), buf, sizeof buf);
            printf("%s%s: %s\n", f->indent, f->label, buf);
            return;
        }
        break;
    case INFO_NONEMPTY:
        if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0)
            return;
        break;
    case INFO_STR:
        break;
    }
    if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
        return; /* not a scalar: not ours to guess at */
    printf("%s%s: %s\n", f->indent, f->label, json_object_get_string(v));
}

static void
info_print_fields(struct json_object *info, const struct info_field *fields, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        info_field_print(info, &fields[i]);
}

/* A list of strings joined by sep, or NULL when v is not one. Caller's. */
static char *
info_join(struct json_object *v, const char *sep)
{
    char *out;
    size_t i;

    if (v == NULL || !json_object_is_type(v, json_type_array))
        return NULL;
    out = xstrdup("");
    for (i = 0; i < json_object_array_length(v); i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        char *n;

        if (e == NULL || json_object_is_type(e, json_type_object) ||
            json_object_is_type(e, json_type_array))
            continue;
        n = xasprintf("%s%s%s", out, *out ? sep : "", json_object_get_string(e));
        free(out);
        out = n;
    }
    return out;
}

static int
info_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted, joined by spaces. Caller's. */
static char *
info_keys(struct json_object *o)
{
    const char **keys;
    char *out = xstrdup("");
    size_t n = 0, i;

    keys = xcalloc((size_t)json_object_object_length(o) + 1, sizeof *keys);
    json_object_object_foreach(o, k, v) {
        (void)v;
        keys[n++] = k;
    }
    qsort(keys, n, sizeof *keys, info_key_cmp);
    for (i = 0; i < n; i++) {
        char *s = xasprintf("%s%s%s", out, i ? " " : "", keys[i]);
        free(out);
        out = s;
    }
    free(keys);
    return out;
}

/* DriverStatus and SystemStatus: [[key, value], ...] under their heading. */
static void
info_print_pairs(struct json_object *v, const char *indent)
{
    size_t i;

    if (v == NULL || !json_object_is_type(v, json_type_array))
        return;
    for (i = 0; i < json_object_array_length(v); i++) {
        struct json_object *p = json_object_array_get_idx(v, i);

        if (p == NULL || !json_object_is_type(p, json_type_array) ||
            json_object_array_length(p) != 2)
            continue;
        printf("%s%s: %s\n", indent, json_object_get_string(json_object_array_get_idx(p, 0)),
               json_object_get_string(json_object_array_get_idx(p, 1)));
    }
}

/* An object whose members are strings or lists: "  Key: a b c", keys in the
 * daemon's order (Plugins: Volume, Network, Authorization, Log). */
static void
info_print_section(const char *label, struct json_object *v)
{
    bool any = false;

    if (v == NULL || !json_object_is_type(v, json_type_object))
        return;
    json_object_object_foreach(v, k, m) {
        cleanup_free char *list = NULL;

        if (m == NULL)
            continue;
        if (json_object_is_type(m, json_type_array))
            list = info_join(m, " ");
        else if (!json_object_is_type(m, json_type_object))
            list = xstrdup(json_object_get_string(m));
        if (list == NULL || *list == '\0')
            continue;
        if (!any)
            printf(" %s:\n", label);
        any = true;
        printf("  %s: %s\n", k, list);
    }
}

/* Drivers: a list of names, of {Kind, Name, ...} objects, or an object of
 * kind -> name(s); whichever the daemon reports. */
static void
info_print_drivers(struct json_object *v)
{
    size_t i;

    if (v == NULL)
        return;
    if (json_object_is_type(v, json_type_object)) {
        info_print_section("Drivers", v);
        return;
    }
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
        return;
    printf(" Drivers:\n");
    for (i = 0; i < json_object_array_length(v); i++) {
        struct json_object *d = json_object_array_get_idx(v, i);
        const char *kind, *name, *status;

        if (d == NULL)
            continue;
        if (!json_object_is_type(d, json_type_object)) {
            printf("  %s\n", json_object_get_string(d));
            continue;
        }
        kind = json_get_string(d, "Kind");
        if (kind == NULL)
            kind = json_get_string(d, "Type");
        name = json_get_string(d, "Name");
        status = json_get_string(d, "Status");
        if (name == NULL)
            continue;
        printf("  %s%s%s%s%s%s\n", kind ? kind : "", kind ? ": " : "", name,
               status && *status ? " (" : "", status && *status ? status : "",
               status && *status ? ")" : "");
    }
}

/* "name=seccomp,profile=builtin" -> "  seccomp" and "   Profile: builtin". */
static void
info_print_security(struct json_object *v)
{
    size_t i;

    if (v == NULL || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0)
        return;
    printf(" Security Options:\n");
    for (i = 0; i < json_object_array_length(v); i++) {
        cleanup_free char *opt = xstrdup(json_object_get_string(json_object_array_get_idx(v, i)));
        char *save = NULL, *kv;

        if (!util_has_prefix(opt, "name=")) {
            printf("  %s\n", opt);
            continue;
        }
        for (kv = strtok_r(opt, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(kv, '=');

            if (eq == NULL)
                continue;
            *eq = '\0';
            if (strcmp(kv, "name") == 0) {
                printf("  %s\n", eq + 1);
            } else {
                kv[0] = (char)toupper((unsigned char)kv[0]);
                printf("   %s: %s\n", kv, eq + 1);
            }
        }
    }
}

static void
info_print_list(const char *label, struct json_object *v)
{
    size_t i;

    if (v == NULL || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0)
        return;
    printf(" %s:\n", label);
    for (i = 0; i < json_object_array_length(v); i++)
        printf("  %s\n", json_object_get_string(json_object_array_get_idx(v, i)));
}

static void
info_print_commit(const char *label, struct json_object *v)
{
    const char *id = v ? json_get_string(v, "ID") : NULL;

    if (id != NULL && *id)
        printf(" %s: %s\n", label, id);
}

static void
info_print_server(struct json_object *info)
{
    static const struct info_field counts[] = {
        { " ", "Containers", "Containers", INFO_STR },
        { "  ", "Running", "ContainersRunning", INFO_STR },
        { "  ", "Paused", "ContainersPaused", INFO_STR },
        { "  ", "Stopped", "ContainersStopped", INFO_STR },
        { " ", "Images", "Images", INFO_STR },
        { " ", "Server Version", "ServerVersion", INFO_STR },
        { " ", "Storage Driver", "Driver", INFO_NONEMPTY },
    };
    static const struct info_field drivers[] = {
        { " ", "Logging Driver", "LoggingDriver", INFO_STR },
        { " ", "Cgroup Driver", "CgroupDriver", INFO_STR },
        { " ", "Cgroup Version", "CgroupVersion", INFO_STR },
    };
    static const struct info_field runtime[] = {
        { " ", "Default Runtime", "DefaultRuntime", INFO_NONEMPTY },
        { " ", "Init Binary", "InitBinary", INFO_NONEMPTY },
    };
    static const struct info_field host[] = {
        { " ", "Kernel Version", "KernelVersion", INFO_STR },
        { " ", "Operating System", "OperatingSystem", INFO_STR },
        { " ", "OSType", "OSType", INFO_STR },
        { " ", "Architecture", "Architecture", INFO_STR },
        { " ", "CPUs", "NCPU", INFO_STR },
        { " ", "Total Memory", "MemTotal", INFO_BYTES },
        { " ", "Name", "Name", INFO_STR },
        { " ", "ID", "ID", INFO_STR },
        { " ", "Docker Root Dir", "DockerRootDir", INFO_STR },
        { " ", "Debug Mode", "Debug", INFO_STR },
    };
    static const struct info_field debug[] = {
        { "  ", "File Descriptors", "NFd", INFO_STR },
        { "  ", "Goroutines", "NGoroutines", INFO_STR },
        { "  ", "System Time", "SystemTime", INFO_STR },
        { "  ", "EventsListeners", "NEventsListener", INFO_STR },
    };
    static const struct info_field proxy[] = {
        { " ", "HTTP Proxy", "HttpProxy", INFO_NONEMPTY },
        { " ", "HTTPS Proxy", "HttpsProxy", INFO_NONEMPTY },
        { " ", "No Proxy", "NoProxy", INFO_NONEMPTY },
    };
    static const struct info_field experimental[] = {
        { " ", "Experimental", "ExperimentalBuild", INFO_STR },
    };
    static const struct info_field tail[] = {
        { " ", "Live Restore Enabled", "LiveRestoreEnabled", INFO_STR },
    };
    struct json_object *v, *swarm, *reg;

    printf("Server:\n");
    info_print_fields(info, counts, ARRAY_SIZE(counts));
    info_print_pairs(info_get(info, "DriverStatus"), "  ");
    info_print_pairs(info_get(info, "SystemStatus"), " ");
    info_print_fields(info, drivers, ARRAY_SIZE(drivers));
    info_print_section("Plugins", info_get(info, "Plugins"));
    info_print_drivers(info_get(info, "Drivers"));
    swarm = info_get(info, "Swarm");
    if (swarm != NULL && json_get_string(swarm, "LocalNodeState") != NULL)
        printf(" Swarm: %s\n", json_get_string(swarm, "LocalNodeState"));
    v = info_get(info, "Runtimes");
    if (v != NULL && json_object_is_type(v, json_type_object) &&
        json_object_object_length(v) > 0) {
        cleanup_free char *names = info_keys(v);
        printf(" Runtimes: %s\n", names);
    }
    info_print_fields(info, runtime, ARRAY_SIZE(runtime));
    info_print_commit("containerd version", info_get(info, "ContainerdCommit"));
    info_print_commit("runc version", info_get(info, "RuncCommit"));
    info_print_commit("init version", info_get(info, "InitCommit"));
    info_print_security(info_get(info, "SecurityOptions"));
    info_print_fields(info, host, ARRAY_SIZE(host));
    if (json_get_bool(info, "Debug", false))
        info_print_fields(info, debug, ARRAY_SIZE(debug));
    info_print_fields(info, proxy, ARRAY_SIZE(proxy));
    info_print_list("Labels", info_get(info, "Labels"));
    info_print_fields(info, experimental, ARRAY_SIZE(experimental));
    reg = info_get(info, "RegistryConfig");
    info_print_list("Insecure Registries", info_get(reg, "InsecureRegistryCIDRs"));
    info_print_list("Registry Mirrors", info_get(reg, "Mirrors"));
    info_print_fields(info, tail, ARRAY_SIZE(tail));
}

/* Docker prints the daemon's warnings on stderr, after the summary. */
static void
info_print_warnings(struct json_object *info)
{
    struct json_object *w = info_get(info, "Warnings");
    size_t i;

    if (w == NULL || !json_object_is_type(w, json_type_array) ||
        json_object_array_length(w) == 0)
        return;
    fputc('\n', stderr);
    for (i = 0; i < json_object_array_length(w); i++)
        fprintf(stderr, "%s\n", json_object_get_string(json_object_array_get_idx(w, i)));
}

static int
info_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *info = NULL;
    const char *format = NULL;
    dctl_error_t err = NULL;
    struct http_client *http;
    int o, rc = 0;

    while ((o = cmd_getopt(&cmd_info_entry, argc, argv, "f:h", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'f')
            format = optarg;
    }
    if ((rc = cmd_no_args(&cmd_info_entry, argc, argv)) != 0 ||
        (rc = cmd_check_format(&cmd_info_entry, format)) != 0)
        return rc;

    http = client_http(cl, &err);
    if (http == NULL || http_get_json(http, "/info", &info, &err) < 0)
        return cmd_fail(err);
    if (format != NULL) {
        printf("%s\n", json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE));
        return CMD_EXIT_OK;
    }
    printf("Client:\n");
    printf(" Version:    %s\n", PACKAGE_VERSION);
    printf(" Debug Mode: %s\n", cl->debug ? "true" : "false");
    printf("\n");
    info_print_server(info);
    fflush(stdout);
    info_print_warnings(info);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_info_entry = {
    .name = "info",
    .args = "[OPTIONS]",
    .summary = "Display system-wide information",
    .options = "  -f, --format string   Format output: 'json' prints the daemon's answer as JSON\n"
               "  -h, --help            Print usage\n",
    .exec = info_exec,
};
