/* client/cmd.h - dctl's commands: the table every `dctl NAME` is looked up in,
 * one struct client_cmd per client/cmd-NAME.c, and what they share (the
 * connection, usage text, option parsing, error printing).
 *
 * Adding a command: write client/cmd-NAME.c defining cmd_NAME_entry, declare
 * it below, list it in cmd_table (client/cmd.c) and in Makefile.am, and give
 * it a man page man/dctl-NAME.1. Single-threaded. */
#ifndef DCTL_CLIENT_CMD_H
#define DCTL_CLIENT_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "client/http.h"
#include "lib/error.h"

/* Exit statuses, as the docker CLI uses them. */
#define CMD_EXIT_OK 0
#define CMD_EXIT_ERROR 1   /* the command failed, or the daemon said no */
#define CMD_EXIT_USAGE 125 /* bad flags or arguments */

/* What the global options chose; owned by main(). */
struct client {
    const char *host; /* lent: argv or the environment */
    bool debug;
    struct http_client *http; /* made by client_http() on first use */
};

struct client_cmd {
    const char *name;
    const char *args;    /* what follows "dctl NAME" in the usage line */
    const char *summary; /* one line, for `dctl --help` */
    const char *options; /* the "Options:" block of `dctl NAME --help`, or NULL */
    const char *aliases; /* other names, for the "Aliases:" line of --help, or NULL */
    /* Runs the command; argv[0] is the name. Returns the exit status. */
    int (*exec)(struct client *cl, int argc, char **argv);
};

extern const struct client_cmd cmd_events_entry;
extern const struct client_cmd cmd_info_entry;
extern const struct client_cmd cmd_load_entry;
extern const struct client_cmd cmd_save_entry;
extern const struct client_cmd cmd_version_entry;
/* images: cmd-images.c, cmd-image*.c, cmd-import.c, cmd-tag.c, cmd-rmi.c, cmd-history.c */
extern const struct client_cmd cmd_history_entry;
extern const struct client_cmd cmd_image_entry;
extern const struct client_cmd cmd_images_entry;
extern const struct client_cmd cmd_import_entry;
extern const struct client_cmd cmd_rmi_entry;
extern const struct client_cmd cmd_tag_entry;
/* `dctl image inspect|prune`: reached through cmd_image_entry only */
extern const struct client_cmd cmd_image_inspect_entry;
extern const struct client_cmd cmd_image_prune_entry;

/* Every command, sorted by name, NULL-terminated. */
extern const struct client_cmd *const cmd_table[];

/* The command called name, or NULL. */
const struct client_cmd *cmd_find(const char *name);
/* `dctl NAME --help`; the man page named is dctl-NAME(1), spaces as dashes. */
void cmd_usage(const struct client_cmd *cmd, FILE *out);

/* -H value > DCTL_HOST > DOCKER_HOST > the default; empty values count as unset. */
const char *client_host_pick(const char *flag, const char *dctl_host, const char *docker_host);
/* The connection to the daemon, made on first use (nothing is sent yet). Lent. */
struct http_client *client_http(struct client *cl, dctl_error_t *err);
void client_fini(struct client *cl);

#define CMD_OPT_EXIT (-2)
/* getopt_long for a command: stops at the first operand, prints usage for
 * -h/--help (longopts must hold {"help", no_argument, NULL, 'h'}) and a
 * message for a bad flag. Returns the option, -1 at the end, or CMD_OPT_EXIT
 * with *rc set to the exit status. */
int cmd_getopt(const struct client_cmd *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, int *rc);
/* cmd_getopt for commands whose flags may follow their operands ("dctl rmi IMG -f"),
 * as docker's do; "--" ends the flags. argv is permuted: operands end up from optind. */
int cmd_getopt_mixed(const struct client_cmd *cmd, int argc, char **argv, const char *shortopts,
                     const struct option *longopts, int *rc);
/* Prints "MSG\nSee 'dctl NAME --help'." on stderr; returns CMD_EXIT_USAGE. */
int cmd_usage_error(const struct client_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Checks that no operands are left ("dctl NAME" accepts no arguments); 0 or an exit status. */
int cmd_no_args(const struct client_cmd *cmd, int argc, char **argv);
/* Checks a --format value: only "json" is supported. 0 or an exit status. */
int cmd_check_format(const struct client_cmd *cmd, const char *format);
/* Prints the error's text on stderr, frees it; returns CMD_EXIT_ERROR. */
int cmd_fail(dctl_error_t err);

/* Shared by commands and their tests. */
/* Go's GOARCH name of the machine dctl was built for ("amd64"). */
const char *cmd_go_arch(void);
/* Docker's units.BytesSize: "%.4g" and a binary unit ("1.953GiB"). */
void cmd_format_bytes(double bytes, char *buf, size_t len);

/* cmd-events.c, exposed for tests. */
/* A --since/--until value as the query wants it: "SECONDS" or "SECONDS.NANOS". */
int cmd_events_timestamp(const char *value, long long now_ns, char **out, dctl_error_t *err);
/* Adds one --filter KEY=VALUE to filters ({"KEY": ["VALUE", ...]}). */
int cmd_events_add_filter(struct json_object *filters, const char *kv, dctl_error_t *err);
/* Docker's line for an event message (no newline), times in local time. Caller's. */
char *cmd_events_format(struct json_object *ev);

#endif
