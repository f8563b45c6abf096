/* client/cmd-load.c - `dctl load`: sends an image archive (docker-archive or OCI layout,
 * from -i FILE or stdin) to POST /images/load, streamed, and prints what the daemon
 * loaded; on a terminal, each layer's progress as it is applied. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct load_out {
    bool tty;         /* progress drawn on the terminal */
    bool line_open;   /* a progress line is drawn without its newline */
    dctl_error_t err; /* the daemon's error message, or an answer that is not JSON */
};

/* One JSON message of the answer: {"stream": text}, a progress message (drawn on a
 * terminal, else ignored) or {"error": ...}, which ends the command. */
static int
load_line_cb(const char *line, size_t len, void *arg)
{
    struct load_out *out = arg;
    cleanup_json struct json_object *m = json_parse_object(line, len, "daemon answer", NULL);
    const char *stream, *error, *status, *progress, *id;

    if (m == NULL) {
        dctl_error_set(&out->err, DCTL_ERR_INTERNAL, 0, "unexpected answer from daemon: %.*s",
                       (int)len, line);
        return -1;
    }
    error = json_get_string(m, "error");
    if (error) {
        dctl_error_set(&out->err, DCTL_ERR_INTERNAL, 0, "%s", error);
        return -1;
    }
    stream = json_get_string(m, "stream");
    status = json_get_string(m, "status");
    if (out->line_open && (stream || status == NULL)) {
        fputc('\n', stdout);
        out->line_open = false;
    }
    if (stream) {
        fputs(stream, stdout);
        fflush(stdout);
        return 0;
    }
    if (status == NULL || !out->tty)
        return 0;
    progress = json_get_string(m, "progress");
    id = json_get_string(m, "id");
    /* one line per layer, redrawn in place until it is complete */
    printf("\r\033[K%s%s%s %s", id ? id : "", id ? ": " : "", status, progress ? progress : "");
    out->line_open = true;
    if (json_object_object_get_ex(m, "progressDetail", NULL)) {
        struct json_object *d = NULL;

        json_object_object_get_ex(m, "progressDetail", &d);
        if (d && json_get_int64(d, "current", 0) >= json_get_int64(d, "total", 1)) {
            fputc('\n', stdout);
            out->line_open = false;
        }
    }
    fflush(stdout);
    return 0;
}

static int
load_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "input", required_argument, NULL, 'i' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *input = NULL;
    bool quiet = false;
    struct load_out out = { 0 };
    cleanup_close int fd = -1;
    cleanup_free char *path = NULL;
    dctl_error_t err = NULL;
    struct http_client *http;
    int o, rc = 0;

    while ((o = cmd_getopt(&cmd_load_entry, argc, argv, "i:qh", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'i':
            input = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        }
    }
    if ((rc = cmd_no_args(&cmd_load_entry, argc, argv)) != 0)
        return rc;
    if (input == NULL && isatty(STDIN_FILENO)) {
        fprintf(stderr, "requested load from stdin, but stdin is empty\n");
        return CMD_EXIT_ERROR;
    }
    if (input) {
        fd = open(input, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "open %s: %s\n", input, strerror(errno));
            return CMD_EXIT_ERROR;
        }
    }
    /* as the docker CLI: progress only for a terminal */
    out.tty = !quiet && isatty(STDOUT_FILENO);
    http = client_http(cl, &err);
    if (http == NULL)
        return cmd_fail(err);
    path = xasprintf("/images/load?quiet=%d", out.tty ? 0 : 1);
    if (http_post_stream(http, path, input ? fd : STDIN_FILENO, "application/x-tar",
                         load_line_cb, &out, &err) < 0) {
        dctl_error_free(out.err);
        return cmd_fail(err);
    }
    if (out.line_open)
        fputc('\n', stdout);
    if (out.err)
        return cmd_fail(out.err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_load_entry = {
    .name = "load",
    .args = "[OPTIONS]",
    .summary = "Load an image from a tar archive or STDIN",
    .options =
        "  -h, --help           Print usage\n"
        "  -i, --input string   Read from tar archive file, instead of STDIN\n"
        "  -q, --quiet          Suppress the load output\n",
    .exec = load_exec,
};
