/* client/cmd-logs.c - `dctl logs` (`dctl container logs`): GET /containers/{id}/logs
 * read raw on its own connection, demultiplexed to stdout and stderr (or copied as it
 * is for a TTY container, as docker does), following until the container ends. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "client/hijack.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static void
logs_write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void
logs_out(int stream, const char *data, size_t len, void *arg)
{
    (void)arg;
    logs_write_all(stream == 2 ? STDERR_FILENO : STDOUT_FILENO, data, len);
}

/* --since/--until: a duration ago ("10m") or what the events command accepts. */
static char *
logs_time(const char *v, long long now_ns, dctl_error_t *err)
{
    long long ns;
    char *out = NULL;

    if (cmd_parse_duration(v, &ns) == 0 && strcmp(v, "0") != 0)
        return xasprintf("%lld", (now_ns - ns) / 1000000000LL);
    if (cmd_events_timestamp(v, now_ns, &out, err) < 0)
        return NULL;
    return out;
}

static int
logs_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "follow", no_argument, NULL, 'f' },
        { "timestamps", no_argument, NULL, 't' },
        { "since", required_argument, NULL, 'S' },
        { "until", required_argument, NULL, 'U' },
        { "tail", required_argument, NULL, 'n' },
        { "details", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *name = NULL, *path = NULL, *since = NULL, *until = NULL, *tail = NULL;
    cleanup_json struct json_object *info = NULL;
    struct json_object *cfg = NULL;
    struct hijack h = { .fd = -1 };
    struct frames_demux dm = { 0 };
    bool follow = false, ts = false, tty;
    dctl_error_t err = NULL;
    long long now = util_now_ns();
    int o, rc = 0;
    char buf[32768];

    while ((o = cmd_getopt_mixed(&cmd_logs_entry, argc, argv, "ftn:h", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'f': follow = true; break;
        case 't': ts = true; break;
        case 'D': break;   /* no log-opt labels/env to show with json-file */
        case 'S':
        case 'U': {
            char *v = logs_time(optarg, now, &err);

            if (v == NULL) {
                rc = cmd_usage_error(&cmd_logs_entry, "invalid value for \"%s\": %s",
                                     o == 'S' ? "since" : "until", err->msg);
                dctl_error_free(err);
                return rc;
            }
            if (o == 'S') {
                free(since);
                since = v;
            } else {
                free(until);
                until = v;
            }
            break;
        }
        case 'n':
            free(tail);
            tail = http_query_escape(optarg);
            break;
        }
    }
    if (argc - optind != 1)
        return cmd_image_args_error(&cmd_logs_entry, "exactly 1 argument");
    name = cmd_container_escape(argv[optind]);
    path = xasprintf("/containers/%s/json", name);
    if (cmd_container_request(cl, "GET", path, NULL, &info, &err) < 0)
        return cmd_fail(err);
    tty = info && json_object_object_get_ex(info, "Config", &cfg) &&
          json_get_bool(cfg, "Tty", false);
    free(path);
    path = xasprintf("/containers/%s/logs?stdout=1&stderr=1&follow=%d&timestamps=%d%s%s%s%s"
                     "%s%s", name, follow, ts, since ? "&since=" : "", since ? since : "",
                     until ? "&until=" : "", until ? until : "", tail ? "&tail=" : "",
                     tail ? tail : "");
    if (hijack_open(cl->http, "GET", path, false, true, &h, &err) < 0)
        return cmd_fail(err);
    if (h.nextra) {
        if (tty)
            logs_write_all(STDOUT_FILENO, h.extra, h.nextra);
        else
            frames_demux_feed(&dm, h.extra, h.nextra, logs_out, NULL);
    }
    for (;;) {
        ssize_t n = read(h.fd, buf, sizeof buf);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (tty)
            logs_write_all(STDOUT_FILENO, buf, (size_t)n);
        else
            frames_demux_feed(&dm, buf, (size_t)n, logs_out, NULL);
    }
    hijack_close(&h);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_logs_entry = {
    .name = "logs",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Fetch the logs of a container",
    .aliases = "dctl container logs, dctl logs",
    .options =
        "      --details        Show extra details provided to logs\n"
        "  -f, --follow         Follow log output\n"
        "  -h, --help           Print usage\n"
        "      --since string   Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or\n"
        "                       relative (e.g. \"42m\" for 42 minutes)\n"
        "  -n, --tail string    Number of lines to show from the end of the logs (default\n"
        "                       \"all\")\n"
        "  -t, --timestamps     Show timestamps\n"
        "      --until string   Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\")\n"
        "                       or relative (e.g. \"42m\" for 42 minutes)\n",
    .exec = logs_exec,
};
