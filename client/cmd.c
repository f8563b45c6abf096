/* client/cmd.c - the command table and what dctl's commands share: usage text,
 * option parsing with docker's messages and exit statuses, the connection. */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "client/cmd-container.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

const struct client_cmd *const cmd_table[] = {
    &cmd_attach_entry,
    &cmd_commit_entry,
    &cmd_container_entry,
    &cmd_cp_entry,
    &cmd_create_entry,
    &cmd_diff_entry,
    &cmd_events_entry,
    &cmd_exec_entry,
    &cmd_export_entry,
    &cmd_history_entry,
    &cmd_image_entry,
    &cmd_images_entry,
    &cmd_import_entry,
    &cmd_info_entry,
    &cmd_inspect_entry,
    &cmd_kill_entry,
    &cmd_load_entry,
    &cmd_logs_entry,
    &cmd_pause_entry,
    &cmd_ps_entry,
    &cmd_rename_entry,
    &cmd_restart_entry,
    &cmd_rm_entry,
    &cmd_rmi_entry,
    &cmd_run_entry,
    &cmd_save_entry,
    &cmd_start_entry,
    &cmd_stats_entry,
    &cmd_stop_entry,
    &cmd_tag_entry,
    &cmd_top_entry,
    &cmd_unpause_entry,
    &cmd_update_entry,
    &cmd_version_entry,
    &cmd_wait_entry,
    NULL,
};

const struct client_cmd *
cmd_find(const char *name)
{
    size_t i;

    for (i = 0; cmd_table[i] != NULL; i++)
        if (strcmp(cmd_table[i]->name, name) == 0)
            return cmd_table[i];
    return NULL;
}

void
cmd_usage(const struct client_cmd *cmd, FILE *out)
{
    cleanup_free char *page = xstrdup(cmd->name);
    char *p;

    for (p = page; *p; p++)
        if (*p == ' ')
            *p = '-';
    fprintf(out, "\nUsage:  dctl %s%s%s\n\n%s\n", cmd->name, cmd->args ? " " : "",
            cmd->args ? cmd->args : "", cmd->summary);
    if (cmd->aliases != NULL)
        fprintf(out, "\nAliases:\n  %s\n", cmd->aliases);
    if (cmd->options != NULL)
        fprintf(out, "\nOptions:\n%s", cmd->options);
    fprintf(out, "\nSee dctl-%s(1) for more.\n", page);
}

const char *
client_host_pick(const char *flag, const char *dctl_host, const char *docker_host)
{
    if (flag != NULL && *flag)
        return flag;
    if (dctl_host != NULL && *dctl_host)
        return dctl_host;
    if (docker_host != NULL && *docker_host)
        return docker_host;
    return HTTP_DEFAULT_HOST;
}

struct http_client *
client_http(struct client *cl, dctl_error_t *err)
{
    if (cl->http == NULL) {
        cl->http = http_client_new(cl->host, err);
        if (cl->http == NULL)
            return NULL;
        http_client_set_debug(cl->http, cl->debug);
    }
    return cl->http;
}

void
client_fini(struct client *cl)
{
    http_client_free(cl->http);
    cl->http = NULL;
}

int
cmd_usage_error(const struct client_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nSee 'dctl %s --help'.\n", cmd->name);
    return CMD_EXIT_USAGE;
}

static int
cmd_getopt_spec(const struct client_cmd *cmd, int argc, char **argv, const char *mode,
                const char *shortopts, const struct option *longopts, int *rc)
{
    cleanup_free char *spec = xasprintf("%s:%s", mode, shortopts);
    int o;

    opterr = 0;
    o = getopt_long(argc, argv, spec, longopts, NULL);
    if (o == 'h' && strstr(shortopts, "h:") != NULL)
        return o;   /* -h takes a value here (dctl run -h HOSTNAME); --help still works */
    switch (o) {
    case 'h':
        cmd_usage(cmd, stdout);
        *rc = CMD_EXIT_OK;
        return CMD_OPT_EXIT;
    case ':':
        *rc = cmd_usage_error(cmd, "flag needs an argument: %s", argv[optind - 1]);
        return CMD_OPT_EXIT;
    case '?':
        if (optopt != 0)
            *rc = cmd_usage_error(cmd, "unknown shorthand flag: '%c' in %s", optopt,
                                  argv[optind - 1]);
        else
            *rc = cmd_usage_error(cmd, "unknown flag: %s", argv[optind - 1]);
        return CMD_OPT_EXIT;
    default:
        return o;
    }
}

int
cmd_getopt(const struct client_cmd *cmd, int argc, char **argv, const char *shortopts,
           const struct option *longopts, int *rc)
{
    return cmd_getopt_spec(cmd, argc, argv, "+", shortopts, longopts, rc);
}

int
cmd_getopt_mixed(const struct client_cmd *cmd, int argc, char **argv, const char *shortopts,
                 const struct option *longopts, int *rc)
{
    return cmd_getopt_spec(cmd, argc, argv, "", shortopts, longopts, rc);
}

int
cmd_no_args(const struct client_cmd *cmd, int argc, char **argv)
{
    if (optind >= argc)
        return 0;
    fprintf(stderr, "\"dctl %s\" accepts no arguments.\n", cmd->name);
    fprintf(stderr, "See 'dctl %s --help'.\n", cmd->name);
    fprintf(stderr, "\nUsage:  dctl %s%s%s\n\n%s\n", cmd->name, cmd->args ? " " : "",
            cmd->args ? cmd->args : "", cmd->summary);
    return CMD_EXIT_ERROR;
}

int
cmd_check_format(const struct client_cmd *cmd, const char *format)
{
    if (format == NULL || strcmp(format, "json") == 0 || strcmp(format, "{{json .}}") == 0)
        return 0;
    return cmd_usage_error(cmd, "unsupported format \"%s\": only \"json\" is supported",
                           format);
}

int
cmd_fail(dctl_error_t err)
{
    char *text = dctl_error_text(err);

    fprintf(stderr, "%s\n", text);
    free(text);
    dctl_error_free(err);
    return CMD_EXIT_ERROR;
}

const char *
cmd_go_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__i386__)
    return "386";
#elif defined(__arm__)
    return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return "ppc64le";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#else
    return "unknown";
#endif
}

void
cmd_format_bytes(double bytes, char *buf, size_t len)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t i = 0;

    while (bytes >= 1024.0 && i + 1 < ARRAY_SIZE(units)) {
        bytes /= 1024.0;
        i++;
    }
    snprintf(buf, len, "%.4g%s", bytes, units[i]);
}
