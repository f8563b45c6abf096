/* client/cmd-container.c - the small container commands (`dctl stop`, `restart`,
 * `kill`, `rm`, `wait`, `rename`, `top`: one request per container named, its name
 * printed back as docker does, errors gathered for the end) and `dctl container
 * SUBCOMMAND`, docker's management command dispatching to them. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "client/format.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* Sends METHOD /containers/NAME/SUFFIX for each operand; prints the name (or the
 * answer's StatusCode for wait). */
static int
ctr_each(struct client *cl, int argc, char **argv, const char *method, const char *suffix,
         bool print_status)
{
    int a, status = CMD_EXIT_OK;

    for (a = optind; a < argc; a++) {
        cleanup_free char *name = cmd_container_escape(argv[a]);
        cleanup_free char *path = xasprintf("/containers/%s%s", name, suffix);
        cleanup_json struct json_object *out = NULL;
        dctl_error_t err = NULL;

        if (cmd_container_request(cl, method, path, NULL, &out, &err) < 0) {
            cmd_fail(err);
            status = CMD_EXIT_ERROR;
            continue;
        }
        if (print_status)
            printf("%lld\n", (long long)json_get_int64(out, "StatusCode", -1));
        else
            printf("%s\n", argv[a]);
        fflush(stdout);
    }
    return status;
}

static int
stop_restart(const struct client_cmd *cmd, struct client *cl, int argc, char **argv,
             const char *verb)
{
    static const struct option opts[] = {
        { "time", required_argument, NULL, 't' },
        { "timeout", required_argument, NULL, 't' },
        { "signal", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *q = xstrdup(""), *suffix = NULL;
    long long t;
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(cmd, argc, argv, "t:s:h", opts, &rc)) != -1) {
        char *n;

        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 't') {
            if (util_parse_int64(optarg, &t) < 0)
                return cmd_usage_error(cmd, "invalid argument \"%s\" for \"-t, --time\" flag: "
                                       "strconv.ParseInt: parsing \"%s\": invalid syntax",
                                       optarg, optarg);
            n = xasprintf("%s%st=%lld", q, *q ? "&" : "", t);
        } else {
            cleanup_free char *esc = http_query_escape(optarg);

            n = xasprintf("%s%ssignal=%s", q, *q ? "&" : "", esc);
        }
        free(q);
        q = n;
    }
    if (optind >= argc)
        return cmd_image_args_error(cmd, "at least 1 argument");
    suffix = xasprintf("/%s%s%s", verb, *q ? "?" : "", q);
    return ctr_each(cl, argc, argv, "POST", suffix, false);
}

static int
stop_exec(struct client *cl, int argc, char **argv)
{
    return stop_restart(&cmd_stop_entry, cl, argc, argv, "stop");
}

static int
restart_exec(struct client *cl, int argc, char **argv)
{
    return stop_restart(&cmd_restart_entry, cl, argc, argv, "restart");
}

static int
kill_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "signal", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *suffix = xstrdup("/kill");
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_kill_entry, argc, argv, "s:h", opts, &rc)) != -1) {
        cleanup_free char *esc = NULL;

        if (o == CMD_OPT_EXIT)
            return rc;
        esc = http_query_escape(optarg);
        free(suffix);
        suffix = xasprintf("/kill?signal=%s", esc);
    }
    if (optind >= argc)
        return cmd_image_args_error(&cmd_kill_entry, "at least 1 argument");
    return ctr_each(cl, argc, argv, "POST", suffix, false);
}

/* pause and unpause: no flags, one request per container */
static int
pause_unpause(const struct client_cmd *cmd, struct client *cl, int argc, char **argv,
              const char *suffix)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(cmd, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (optind >= argc)
        return cmd_image_args_error(cmd, "at least 1 argument");
    return ctr_each(cl, argc, argv, "POST", suffix, false);
}

static int
pause_exec(struct client *cl, int argc, char **argv)
{
    return pause_unpause(&cmd_pause_entry, cl, argc, argv, "/pause");
}

static int
unpause_exec(struct client *cl, int argc, char **argv)
{
    return pause_unpause(&cmd_unpause_entry, cl, argc, argv, "/unpause");
}

static int
rm_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "force", no_argument, NULL, 'f' },
        { "volumes", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *suffix = NULL;
    bool force = false, volumes = false;
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_rm_entry, argc, argv, "fvh", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'f')
            force = true;
        else if (o == 'v')
            volumes = true;
    }
    if (optind >= argc)
        return cmd_image_args_error(&cmd_rm_entry, "at least 1 argument");
    suffix = xasprintf("?force=%d&v=%d", force, volumes);
    return ctr_each(cl, argc, argv, "DELETE", suffix, false);
}

static int
wait_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_wait_entry, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (optind >= argc)
        return cmd_image_args_error(&cmd_wait_entry, "at least 1 argument");
    return ctr_each(cl, argc, argv, "POST", "/wait", true);
}

static int
rename_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *name = NULL, *new_name = NULL, *path = NULL;
    dctl_error_t err = NULL;
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_rename_entry, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (argc - optind != 2)
        return cmd_image_args_error(&cmd_rename_entry, "exactly 2 arguments");
    name = cmd_container_escape(argv[optind]);
    new_name = http_query_escape(argv[optind + 1]);
    path = xasprintf("/containers/%s/rename?name=%s", name, new_name);
    if (cmd_container_request(cl, "POST", path, NULL, NULL, &err) < 0)
        return cmd_fail(err);
    return CMD_EXIT_OK;
}

static int
top_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *name = NULL, *path = NULL, *args = NULL, *text = NULL;
    cleanup_json struct json_object *out = NULL;
    struct json_object *titles = NULL, *procs = NULL;
    dctl_error_t err = NULL;
    size_t len = 0, i, k;
    FILE *f;
    int o, rc = 0, a;

    while ((o = cmd_getopt(&cmd_top_entry, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (optind >= argc)
        return cmd_image_args_error(&cmd_top_entry, "at least 1 argument");
    name = cmd_container_escape(argv[optind]);
    args = xstrdup("");
    for (a = optind + 1; a < argc; a++) {
        char *n = xasprintf("%s%s%s", args, *args ? " " : "", argv[a]);

        free(args);
        args = n;
    }
    if (*args) {
        cleanup_free char *esc = http_query_escape(args);

        path = xasprintf("/containers/%s/top?ps_args=%s", name, esc);
    } else {
        path = xasprintf("/containers/%s/top", name);
    }
    if (cmd_container_request(cl, "GET", path, NULL, &out, &err) < 0)
        return cmd_fail(err);
    f = open_memstream(&text, &len);
    if (out && json_object_object_get_ex(out, "Titles", &titles))
        for (i = 0; i < json_object_array_length(titles); i++)
            fprintf(f, "%s\t", json_object_get_string(json_object_array_get_idx(titles, i)));
    fputc('\n', f);
    if (out && json_object_object_get_ex(out, "Processes", &procs))
        for (i = 0; i < json_object_array_length(procs); i++) {
            struct json_object *row = json_object_array_get_idx(procs, i);

            for (k = 0; k < json_object_array_length(row); k++)
                fprintf(f, "%s\t", json_object_get_string(json_object_array_get_idx(row, k)));
            fputc('\n', f);
        }
    fclose(f);
    {
        cleanup_free char *aligned = format_tabwrite(text, 20, 1);

        fputs(aligned, stdout);
    }
    fflush(stdout);
    return CMD_EXIT_OK;
}

static int
diff_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char kinds[] = "CAD";   /* Kind 0 modified, 1 added, 2 deleted */
    cleanup_free char *name = NULL, *path = NULL;
    cleanup_json struct json_object *out = NULL;
    dctl_error_t err = NULL;
    int o, rc = 0;
    size_t i;

    while ((o = cmd_getopt_mixed(&cmd_diff_entry, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (argc - optind != 1)
        return cmd_image_args_error(&cmd_diff_entry, "exactly 1 argument");
    name = cmd_container_escape(argv[optind]);
    path = xasprintf("/containers/%s/changes", name);
    if (cmd_container_request(cl, "GET", path, NULL, &out, &err) < 0)
        return cmd_fail(err);
    for (i = 0; out && json_object_is_type(out, json_type_array) &&
                i < json_object_array_length(out);
         i++) {
        struct json_object *c = json_object_array_get_idx(out, i);
        long long kind = json_get_int64(c, "Kind", 0);

        printf("%c %s\n", kind >= 0 && kind <= 2 ? kinds[kind] : '?',
               json_get_string(c, "Path") ? json_get_string(c, "Path") : "");
    }
    fflush(stdout);
    return CMD_EXIT_OK;
}

static int
export_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *name = NULL, *path = NULL, *tmp = NULL;
    const char *output = NULL;
    struct http_client *http;
    dctl_error_t err = NULL;
    int o, rc = 0, fd = STDOUT_FILENO;

    while ((o = cmd_getopt_mixed(&cmd_export_entry, argc, argv, "o:h", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        output = optarg;
    }
    if (argc - optind != 1)
        return cmd_image_args_error(&cmd_export_entry, "exactly 1 argument");
    if (output == NULL && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or "
                        "redirect\n");
        return CMD_EXIT_ERROR;
    }
    if (output) {   /* written beside the target and renamed: no half file on failure */
        tmp = xasprintf("%s.dctl-tmp-%d", output, (int)getpid());
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            dctl_error_set(&err, DCTL_ERR_INVALID, errno, "failed to export container: %s",
                           output);
            return cmd_fail(err);
        }
    }
    name = cmd_container_escape(argv[optind]);
    path = xasprintf("/containers/%s/export", name);
    http = client_http(cl, &err);
    if (http == NULL || http_download(http, path, fd, &err) < 0) {
        if (output) {
            close(fd);
            unlink(tmp);
        }
        return cmd_fail(err);
    }
    if (output) {
        if (close(fd) < 0 || rename(tmp, output) < 0) {
            dctl_error_set(&err, DCTL_ERR_INTERNAL, errno, "write %s", output);
            unlink(tmp);
            return cmd_fail(err);
        }
    }
    return CMD_EXIT_OK;
}

static int
container_prune_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "force", no_argument, NULL, 'f' },
        { "filter", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *filters = json_object_new_object(), *report = NULL;
    cleanup_free char *fq = NULL, *path = NULL;
    struct json_object *deleted = NULL;
    bool force = false;
    dctl_error_t err = NULL;
    char size[64];
    int o, rc = 0;
    size_t i;

    while ((o = cmd_getopt_mixed(&cmd_container_prune_entry, argc, argv, "fh", opts, &rc)) !=
           -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'f') {
            force = true;
        } else if (o == 'F' && cmd_events_add_filter(filters, optarg, &err) < 0) {
            rc = cmd_usage_error(&cmd_container_prune_entry, "invalid argument \"%s\" for "
                                 "\"--filter\" flag: %s", optarg, err->msg);
            dctl_error_free(err);
            return rc;
        }
    }
    if ((rc = cmd_no_args(&cmd_container_prune_entry, argc, argv)) != 0)
        return rc;
    if (!force && !cmd_prune_confirm("WARNING! This will remove all stopped containers.\n"
                                     "Are you sure you want to continue?"))
        return CMD_EXIT_OK;
    fq = cmd_image_filters_query(filters);
    path = xasprintf("/containers/prune%s%s", *fq ? "?" : "", *fq ? fq + 1 : "");
    if (cmd_container_request(cl, "POST", path, NULL, &report, &err) < 0)
        return cmd_fail(err);
    if (report && json_object_object_get_ex(report, "ContainersDeleted", &deleted) &&
        json_object_is_type(deleted, json_type_array) && json_object_array_length(deleted)) {
        printf("Deleted Containers:\n");
        for (i = 0; i < json_object_array_length(deleted); i++)
            printf("%s\n", json_object_get_string(json_object_array_get_idx(deleted, i)));
        printf("\n");
    }
    format_size_human((double)json_get_int64(report, "SpaceReclaimed", 0), 4, size, sizeof size);
    printf("Total reclaimed space: %s\n", size);
    fflush(stdout);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_container_prune_entry = {
    .name = "container prune",
    .args = "[OPTIONS]",
    .summary = "Remove all stopped containers",
    .options = "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\",\n"
               "                        \"label=KEY=VALUE\")\n"
               "  -f, --force           Do not prompt for confirmation\n"
               "  -h, --help            Print usage\n",
    .exec = container_prune_exec,
};

const struct client_cmd cmd_diff_entry = {
    .name = "diff",
    .args = "CONTAINER",
    .summary = "Inspect changes to files or directories on a container's filesystem",
    .aliases = "dctl container diff, dctl diff",
    .options = "  -h, --help   Print usage\n",
    .exec = diff_exec,
};

const struct client_cmd cmd_export_entry = {
    .name = "export",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Export a container's filesystem as a tar archive",
    .aliases = "dctl container export, dctl export",
    .options = "  -h, --help            Print usage\n"
               "  -o, --output string   Write to a file, instead of STDOUT\n",
    .exec = export_exec,
};

const struct client_cmd cmd_stop_entry = {
    .name = "stop",
    .args = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Stop one or more running containers",
    .aliases = "dctl container stop, dctl stop",
    .options = "  -h, --help            Print usage\n"
               "  -s, --signal string   Signal to send to the container\n"
               "  -t, --time int        Seconds to wait before killing the container\n"
               "      --timeout int     The same as --time\n",
    .exec = stop_exec,
};

const struct client_cmd cmd_restart_entry = {
    .name = "restart",
    .args = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Restart one or more containers",
    .aliases = "dctl container restart, dctl restart",
    .options = "  -h, --help            Print usage\n"
               "  -s, --signal string   Signal to send to the container\n"
               "  -t, --time int        Seconds to wait before killing the container\n"
               "      --timeout int     The same as --time\n",
    .exec = restart_exec,
};

const struct client_cmd cmd_kill_entry = {
    .name = "kill",
    .args = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Kill one or more running containers",
    .aliases = "dctl container kill, dctl kill",
    .options = "  -h, --help            Print usage\n"
               "  -s, --signal string   Signal to send to the container (default KILL)\n",
    .exec = kill_exec,
};

const struct client_cmd cmd_pause_entry = {
    .name = "pause",
    .args = "CONTAINER [CONTAINER...]",
    .summary = "Pause all processes within one or more containers",
    .aliases = "dctl container pause, dctl pause",
    .options = "  -h, --help   Print usage\n",
    .exec = pause_exec,
};

const struct client_cmd cmd_unpause_entry = {
    .name = "unpause",
    .args = "CONTAINER [CONTAINER...]",
    .summary = "Unpause all processes within one or more containers",
    .aliases = "dctl container unpause, dctl unpause",
    .options = "  -h, --help   Print usage\n",
    .exec = unpause_exec,
};

const struct client_cmd cmd_rm_entry = {
    .name = "rm",
    .args = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Remove one or more containers",
    .aliases = "dctl container rm, dctl container remove, dctl rm",
    .options = "  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
               "  -h, --help      Print usage\n"
               "  -v, --volumes   Remove anonymous volumes associated with the container\n",
    .exec = rm_exec,
};

const struct client_cmd cmd_wait_entry = {
    .name = "wait",
    .args = "CONTAINER [CONTAINER...]",
    .summary = "Block until one or more containers stop, then print their exit codes",
    .aliases = "dctl container wait, dctl wait",
    .options = "  -h, --help   Print usage\n",
    .exec = wait_exec,
};

const struct client_cmd cmd_rename_entry = {
    .name = "rename",
    .args = "CONTAINER NEW_NAME",
    .summary = "Rename a container",
    .aliases = "dctl container rename, dctl rename",
    .options = "  -h, --help   Print usage\n",
    .exec = rename_exec,
};

const struct client_cmd cmd_top_entry = {
    .name = "top",
    .args = "CONTAINER [ps OPTIONS]",
    .summary = "Display the running processes of a container",
    .aliases = "dctl container top, dctl top",
    .options = "  -h, --help   Print usage\n",
    .exec = top_exec,
};

/* ---- dctl container SUBCOMMAND ------------------------------------------------------- */

static const struct {
    const char *sub;
    const char *top;   /* the top-level command it runs */
    bool alias;        /* not listed in `dctl container --help` */
} container_subs[] = {
    { "attach", "attach", false },
    { "commit", "commit", false },
    { "cp", "cp", false },
    { "create", "create", false },
    { "diff", "diff", false },
    { "exec", "exec", false },
    { "export", "export", false },
    { "kill", "kill", false },
    { "logs", "logs", false },
    { "ls", "ps", false },
    { "list", "ps", true },
    { "pause", "pause", false },
    { "ps", "ps", true },
    { "remove", "rm", true },
    { "rename", "rename", false },
    { "restart", "restart", false },
    { "rm", "rm", false },
    { "run", "run", false },
    { "start", "start", false },
    { "stats", "stats", false },
    { "stop", "stop", false },
    { "top", "top", false },
    { "unpause", "unpause", false },
    { "update", "update", false },
    { "wait", "wait", false },
};

static void
container_usage(FILE *out)
{
    size_t i;

    fputs("\nUsage:  dctl container COMMAND\n\nManage containers\n\nCommands:\n", out);
    fprintf(out, "  %-11s %s\n", "inspect", cmd_container_inspect_entry.summary);
    fprintf(out, "  %-11s %s\n", "prune", cmd_container_prune_entry.summary);
    for (i = 0; i < ARRAY_SIZE(container_subs); i++) {
        const struct client_cmd *c = cmd_find(container_subs[i].top);

        if (c != NULL && !container_subs[i].alias)
            fprintf(out, "  %-11s %s\n", container_subs[i].sub, c->summary);
    }
    fputs("\nRun 'dctl container COMMAND --help' for more information on a command.\n"
          "\nSee dctl-container(1) for more.\n",
          out);
}

static int
container_exec(struct client *cl, int argc, char **argv)
{
    const struct client_cmd *c = NULL;
    size_t i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        container_usage(stdout);
        return CMD_EXIT_OK;
    }
    if (argv[1][0] == '-') {
        fprintf(stderr, "unknown flag: %s\nSee 'dctl container --help'.\n", argv[1]);
        return CMD_EXIT_USAGE;
    }
    if (strcmp(argv[1], "inspect") == 0)
        c = &cmd_container_inspect_entry;
    else if (strcmp(argv[1], "prune") == 0)
        c = &cmd_container_prune_entry;
    for (i = 0; i < ARRAY_SIZE(container_subs) && c == NULL; i++)
        if (strcmp(container_subs[i].sub, argv[1]) == 0)
            c = cmd_find(container_subs[i].top);
    if (c == NULL) {
        fprintf(stderr, "dctl: unknown command: dctl container %s\n\n"
                        "Run 'dctl container --help' for more information\n", argv[1]);
        return CMD_EXIT_ERROR;
    }
    optind = 0;
    return c->exec(cl, argc - 1, argv + 1);
}

const struct client_cmd cmd_container_entry = {
    .name = "container",
    .args = "COMMAND",
    .summary = "Manage containers",
    .options = NULL,
    .exec = container_exec,
};
