/* client/cmd-events.c - `dctl events`: GET /events with since, until and
 * filters, printing each event as it arrives, in docker's format or as JSON. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/cmd.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct events_out {
    bool json;
    dctl_error_t err; /* a line that is not an event */
};

int
cmd_events_timestamp(const char *value, long long now_ns, char **out, dctl_error_t *err)
{
    long long ns, secs, frac;

    if (util_parse_timestamp(value, now_ns, &ns) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid timestamp \"%s\": use unix seconds, RFC 3339 "
                              "(2006-01-02T15:04:05Z) or a duration such as 10m", value);
    secs = ns / 1000000000LL;
    frac = ns % 1000000000LL;
    if (frac < 0) {
        secs--;
        frac += 1000000000LL;
    }
    *out = frac ? xasprintf("%lld.%09lld", secs, frac) : xasprintf("%lld", secs);
    return 0;
}

int
cmd_events_add_filter(struct json_object *filters, const char *kv, dctl_error_t *err)
{
    const char *eq = strchr(kv, '=');
    cleanup_free char *key = NULL;
    struct json_object *list;

    if (eq == NULL || eq == kv)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "bad format of filter (expected name=value)");
    key = xstrndup(kv, (size_t)(eq - kv));
    if (!json_object_object_get_ex(filters, key, &list)) {
        list = json_object_new_array();
        json_object_object_add(filters, key, list);
    }
    json_object_array_add(list, json_object_new_string(eq + 1));
    return 0;
}

/* Go's RFC3339NanoFixed in local time: "2006-01-02T15:04:05.000000000Z07:00". */
static void
events_format_time(long long ns, char *buf, size_t len)
{
    time_t secs = (time_t)(ns / 1000000000LL);
    long frac = (long)(ns % 1000000000LL);
    char base[32], zone[48];
    struct tm tm;

    if (frac < 0) {
        secs--;
        frac += 1000000000L;
    }
    localtime_r(&secs, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    if (tm.tm_gmtoff == 0) {
        snprintf(zone, sizeof zone, "Z");
    } else {
        long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
        snprintf(zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
                 off / 3600, (off / 60) % 60);
    }
    snprintf(buf, len, "%s.%09ld%s", base, frac, zone);
}

static int
events_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *
cmd_events_format(struct json_object *ev)
{
    struct json_object *actor = NULL, *attrs = NULL;
    const char *type, *action, *id;
    long long ns;
    char when[96] = "";
    char *line;

    ns = json_get_int64(ev, "timeNano", 0);
    if (ns == 0)
        ns = json_get_int64(ev, "time", 0) * 1000000000LL;
    if (ns != 0) {
        events_format_time(ns, when, sizeof when - 1);
        strcat(when, " ");
    }
    type = json_get_string(ev, "Type");
    action = json_get_string(ev, "Action");
    if (action == NULL)
        action = json_get_string(ev, "status"); /* before API 1.22 */
    json_object_object_get_ex(ev, "Actor", &actor);
    id = actor ? json_get_string(actor, "ID") : NULL;
    if (id == NULL)
        id = json_get_string(ev, "id");
    line = xasprintf("%s%s %s %s", when, type ? type : "", action ? action : "", id ? id : "");
    if (actor != NULL && json_object_object_get_ex(actor, "Attributes", &attrs) &&
        json_object_is_type(attrs, json_type_object) && json_object_object_length(attrs) > 0) {
        const char **keys = xcalloc((size_t)json_object_object_length(attrs), sizeof *keys);
        size_t n = 0, i;

        json_object_object_foreach(attrs, k, v) {
            (void)v;
            keys[n++] = k;
        }
        qsort(keys, n, sizeof *keys, events_key_cmp);
        for (i = 0; i < n; i++) {
            char *next = xasprintf("%s%s%s=%s", line, i ? ", " : " (", keys[i],
                                   json_get_string(attrs, keys[i]) ?: "");
            free(line);
            line = next;
        }
        {
            char *next = xasprintf("%s)", line);
            free(line);
            line = next;
        }
        free(keys);
    }
    return line;
}

static int
events_line_cb(const char *text, size_t len, void *arg)
{
    struct events_out *out = arg;
    cleanup_json struct json_object *ev = NULL;
    cleanup_free char *line = NULL;

    ev = json_parse_object(text, len, "event", &out->err);
    if (ev == NULL) {
        dctl_error_prefix(&out->err, "unexpected answer from daemon");
        return -1;
    }
    if (out->json) {
        fwrite(text, 1, len, stdout);
        fputc('\n', stdout);
    } else {
        line = cmd_events_format(ev);
        printf("%s\n", line);
    }
    fflush(stdout); /* one event, one write: a pipe sees it now */
    return 0;
}

static int
events_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' },
        { "filter", required_argument, NULL, 'f' },
        { "format", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_json struct json_object *filters = json_object_new_object();
    cleanup_free char *since = NULL, *until = NULL, *path = NULL, *query = NULL;
    struct events_out out = { 0 };
    const char *format = NULL;
    /* whole seconds, so that "10m" is sent as docker sends it */
    long long now = util_now_ns() / 1000000000LL * 1000000000LL;
    dctl_error_t err = NULL;
    struct http_client *http;
    int o, rc = 0;

    while ((o = cmd_getopt(&cmd_events_entry, argc, argv, "f:h", opts, &rc)) != -1) {
        char **dst = NULL;

        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 's':
            dst = &since;
            break;
        case 'u':
            dst = &until;
            break;
        case 'f':
            if (cmd_events_add_filter(filters, optarg, &err) < 0) {
                rc = cmd_usage_error(&cmd_events_entry, "invalid argument \"%s\" for "
                                     "\"-f, --filter\" flag: %s", optarg, err->msg);
                dctl_error_free(err);
                return rc;
            }
            break;
        case 'F':
            format = optarg;
            break;
        }
        if (dst != NULL) {
            free(*dst);
            *dst = NULL;
            if (cmd_events_timestamp(optarg, now, dst, &err) < 0) {
                rc = cmd_usage_error(&cmd_events_entry, "invalid argument \"%s\" for \"--%s\" "
                                     "flag: %s", optarg, o == 's' ? "since" : "until",
                                     err->msg);
                dctl_error_free(err);
                return rc;
            }
        }
    }
    if ((rc = cmd_no_args(&cmd_events_entry, argc, argv)) != 0 ||
        (rc = cmd_check_format(&cmd_events_entry, format)) != 0)
        return rc;
    out.json = format != NULL;

    query = xstrdup("");
    if (since != NULL) {
        char *q = xasprintf("%s&since=%s", query, since);
        free(query);
        query = q;
    }
    if (until != NULL) {
        char *q = xasprintf("%s&until=%s", query, until);
        free(query);
        query = q;
    }
    if (json_object_object_length(filters) > 0) {
        cleanup_free char *text = json_to_string(filters);
        cleanup_free char *esc = http_query_escape(text);
        char *q = xasprintf("%s&filters=%s", query, esc);
        free(query);
        query = q;
    }
    path = xasprintf("/events%s%s", *query ? "?" : "", *query ? query + 1 : "");

    http = client_http(cl, &err);
    if (http == NULL || http_stream_lines(http, path, events_line_cb, &out, &err) < 0)
        return cmd_fail(err);
    if (out.err != NULL)
        return cmd_fail(out.err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_events_entry = {
    .name = "events",
    .args = "[OPTIONS]",
    .summary = "Get real time events from the server",
    .options =
        "  -f, --filter filter   Filter output based on conditions provided (KEY=VALUE,\n"
        "                        repeatable: type, event, container, image, network,\n"
        "                        volume, daemon, label, scope)\n"
        "      --format string   Format output: 'json' prints each event as JSON\n"
        "  -h, --help            Print usage\n"
        "      --since string    Show all events created since timestamp\n"
        "      --until string    Stream events until this timestamp\n"
        "\n"
        "Timestamps are unix seconds, RFC 3339 dates (2006-01-02T15:04:05Z) or durations\n"
        "relative to now (10m, 1h30m).\n",
    .exec = events_exec,
};
