/* client/cmd-stats.c - `dctl stats`: docker stats' table (CONTAINER ID, NAME, CPU %, MEM
 * USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS), live (redrawn every second) or once
 * (--no-stream), with docker's arithmetic (the CPU share of the host's time between two
 * samples times the CPUs online; memory without inactive file pages; decimal units for
 * I/O, binary for memory). Each round takes one sample of every container
 * (GET /containers/{id}/stats?stream=false&one-shot=true, one connection, one after the
 * other) and compares it with the round before, so that a round costs the daemon one
 * read per container however many there are; --no-stream prints the second round, a
 * second after the first. Without operands: the running containers (-a: all), listed
 * again each round. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "client/format.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define STATS_INTERVAL_NS 1000000000LL
#define STATS_TABLE "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t" \
                    "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

static const struct format_field stats_fields[] = {
    { "Container", "CONTAINER" }, { "Name", "NAME" },       { "ID", "CONTAINER ID" },
    { "CPUPerc", "CPU %" },       { "MemUsage", "MEM USAGE / LIMIT" },
    { "MemPerc", "MEM %" },       { "NetIO", "NET I/O" },  { "BlockIO", "BLOCK I/O" },
    { "PIDs", "PIDS" },           { NULL, NULL },
};

/* ---- docker's arithmetic ----------------------------------------------------------------- */

static struct json_object *
stats_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}

static double
stats_u64(struct json_object *o, const char *key)
{
    struct json_object *v = stats_get(o, key);

    return v ? (double)json_object_get_uint64(v) : 0.0;
}

double
cmd_stats_cpu_percent(struct json_object *pre, struct json_object *cpu)
{
    double cpu_delta = stats_u64(stats_get(cpu, "cpu_usage"), "total_usage") -
                       stats_u64(stats_get(pre, "cpu_usage"), "total_usage");
    double sys_delta = stats_u64(cpu, "system_cpu_usage") - stats_u64(pre, "system_cpu_usage");
    double online = stats_u64(cpu, "online_cpus");
    struct json_object *per = stats_get(stats_get(cpu, "cpu_usage"), "percpu_usage");

    if (online == 0.0 && per && json_object_is_type(per, json_type_array))
        online = (double)json_object_array_length(per);
    if (sys_delta > 0.0 && cpu_delta > 0.0)
        return cpu_delta / sys_delta * online * 100.0;
    return 0.0;
}

double
cmd_stats_mem_usage(struct json_object *mem)
{
    struct json_object *st = stats_get(mem, "stats");
    double usage = stats_u64(mem, "usage");
    struct json_object *v1 = stats_get(st, "total_inactive_file");

    if (v1 && (double)json_object_get_uint64(v1) < usage)
        return usage - (double)json_object_get_uint64(v1);
    if ((double)stats_u64(st, "inactive_file") < usage)
        return usage - stats_u64(st, "inactive_file");
    return usage;
}

/* rx/tx bytes summed over the interfaces; read/write bytes over the devices. */
static void
stats_io(struct json_object *stats, double *rx, double *tx, double *rd, double *wr)
{
    struct json_object *nets = stats_get(stats, "networks");
    struct json_object *bio = stats_get(stats_get(stats, "blkio_stats"),
                                        "io_service_bytes_recursive");
    size_t i;

    *rx = *tx = *rd = *wr = 0;
    if (nets && json_object_is_type(nets, json_type_object)) {
        json_object_object_foreach(nets, name, n) {
            (void)name;
            *rx += stats_u64(n, "rx_bytes");
            *tx += stats_u64(n, "tx_bytes");
        }
    }
    for (i = 0; bio && json_object_is_type(bio, json_type_array) &&
                i < json_object_array_length(bio);
         i++) {
        struct json_object *e = json_object_array_get_idx(bio, i);
        const char *op = json_get_string(e, "op");

        if (op && (*op == 'r' || *op == 'R'))
            *rd += stats_u64(e, "value");
        else if (op && (*op == 'w' || *op == 'W'))
            *wr += stats_u64(e, "value");
    }
}

struct json_object *
cmd_stats_row(const char *container, struct json_object *stats, struct json_object *pre_cpu,
              bool no_trunc)
{
    struct json_object *row = json_object_new_object(), *mem = stats_get(stats, "memory_stats");
    const char *id = json_get_string(stats, "id"), *name = json_get_string(stats, "name");
    double used = cmd_stats_mem_usage(mem), limit = stats_u64(mem, "limit"), rx, tx, rd, wr;
    char a[32], b[32], buf[96];

    json_add_string(row, "Container", container);
    json_add_string(row, "Name", name ? (*name == '/' ? name + 1 : name) : "--");
    snprintf(buf, sizeof buf, "%.*s", no_trunc ? 64 : 12, id ? id : "");
    json_add_string(row, "ID", buf);
    snprintf(buf, sizeof buf, "%.2f%%",
             cmd_stats_cpu_percent(pre_cpu ? pre_cpu : stats_get(stats, "precpu_stats"),
                                   stats_get(stats, "cpu_stats")));
    json_add_string(row, "CPUPerc", buf);
    cmd_format_bytes(used, a, sizeof a);
    cmd_format_bytes(limit, b, sizeof b);
    snprintf(buf, sizeof buf, "%s / %s", a, b);
    json_add_string(row, "MemUsage", buf);
    snprintf(buf, sizeof buf, "%.2f%%", limit != 0.0 ? used / limit * 100.0 : 0.0);
    json_add_string(row, "MemPerc", buf);
    stats_io(stats, &rx, &tx, &rd, &wr);
    format_size_human(rx, 3, a, sizeof a);
    format_size_human(tx, 3, b, sizeof b);
    snprintf(buf, sizeof buf, "%s / %s", a, b);
    json_add_string(row, "NetIO", buf);
    format_size_human(rd, 3, a, sizeof a);
    format_size_human(wr, 3, b, sizeof b);
    snprintf(buf, sizeof buf, "%s / %s", a, b);
    json_add_string(row, "BlockIO", buf);
    snprintf(buf, sizeof buf, "%.0f", stats_u64(stats_get(stats, "pids_stats"), "current"));
    json_add_string(row, "PIDs", buf);
    return row;
}

/* A row of "--" for a container whose sample could not be read. */
static struct json_object *
stats_invalid_row(const char *container, const char *id, bool no_trunc)
{
    static const char *const dashes[] = { "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO",
                                          "BlockIO", "PIDs" };
    struct json_object *row = json_object_new_object();
    char buf[72];
    size_t i;

    json_add_string(row, "Container", container);
    snprintf(buf, sizeof buf, "%.*s", no_trunc ? 64 : 12, id);
    json_add_string(row, "ID", buf);
    for (i = 0; i < ARRAY_SIZE(dashes); i++)
        json_add_string(row, dashes[i], i == 2 ? "-- / --" : "--");
    return row;
}

/* ---- the command ---------------------------------------------------------------------- */

/* One container followed. Owner: the command's list. */
struct stats_entry {
    char *container;              /* as named, or the short ID */
    char *id;                     /* full, once known */
    struct json_object *pre_cpu;  /* the last round's cpu_stats */
    struct json_object *row;      /* this round's */
    bool seen;                    /* still listed (without operands) */
};

struct stats_list {
    struct stats_entry *v;
    size_t n;
};

static void
stats_entry_fini(struct stats_entry *e)
{
    free(e->container);
    free(e->id);
    if (e->pre_cpu)
        json_object_put(e->pre_cpu);
    if (e->row)
        json_object_put(e->row);
}

static struct stats_entry *
stats_list_add(struct stats_list *l, const char *container, const char *id)
{
    struct stats_entry *e;

    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    e = &l->v[l->n++];
    memset(e, 0, sizeof *e);
    e->container = xstrdup(container);
    e->id = xstrdup(id ? id : container);
    e->seen = true;
    return e;
}

/* Without operands: the containers to show now (new ones added, gone ones dropped). */
static int
stats_refresh(struct client *cl, struct stats_list *l, bool all, dctl_error_t *err)
{
    cleanup_json struct json_object *list = NULL;
    size_t i, k;

    if (cmd_container_request(cl, "GET", all ? "/containers/json?all=1" : "/containers/json",
                              NULL, &list, err) < 0)
        return -1;
    for (k = 0; k < l->n; k++)
        l->v[k].seen = false;
    for (i = 0; list && i < json_object_array_length(list); i++) {
        const char *id = json_get_string(json_object_array_get_idx(list, i), "Id");
        char shortid[13];

        if (id == NULL)
            continue;
        for (k = 0; k < l->n; k++)
            if (strcmp(l->v[k].id, id) == 0)
                break;
        if (k < l->n) {
            l->v[k].seen = true;
            continue;
        }
        snprintf(shortid, sizeof shortid, "%.12s", id);
        stats_list_add(l, shortid, id);
    }
    for (k = 0; k < l->n;) {
        if (!l->v[k].seen) {
            stats_entry_fini(&l->v[k]);
            memmove(&l->v[k], &l->v[k + 1], (l->n - k - 1) * sizeof *l->v);
            l->n--;
            continue;
        }
        k++;
    }
    return 0;
}

/* A sample of every entry: each entry's row for this round, its cpu_stats kept for the
 * next. -1 with err only for a container named that does not exist at the first round. */
static int
stats_round(struct client *cl, struct stats_list *l, bool no_trunc, bool first,
            dctl_error_t *err)
{
    size_t k;

    for (k = 0; k < l->n; k++) {
        struct stats_entry *e = &l->v[k];
        cleanup_free char *name = cmd_container_escape(e->id);
        cleanup_free char *path = xasprintf("/containers/%s/stats?stream=false&one-shot=true",
                                            name);
        cleanup_json struct json_object *st = NULL;
        struct json_object *cpu;
        dctl_error_t rerr = NULL;

        if (e->row)
            json_object_put(e->row);
        e->row = NULL;
        if (cmd_container_request(cl, "GET", path, NULL, &st, &rerr) < 0) {
            if (first) {
                *err = rerr;
                return -1;
            }
            dctl_error_free(rerr);
            e->row = stats_invalid_row(e->container, e->id, no_trunc);
            continue;
        }
        if (first && json_get_string(st, "id")) {   /* a name or prefix: its full ID */
            free(e->id);
            e->id = xstrdup(json_get_string(st, "id"));
        }
        e->row = cmd_stats_row(e->container, st, e->pre_cpu, no_trunc);
        cpu = stats_get(st, "cpu_stats");
        if (e->pre_cpu)
            json_object_put(e->pre_cpu);
        e->pre_cpu = cpu ? json_object_get(cpu) : NULL;
    }
    return 0;
}

static void
stats_sleep_until(long long t_ns)
{
    long long now = util_now_ns();
    struct timespec ts;

    if (t_ns <= now)
        return;
    ts.tv_sec = (t_ns - now) / 1000000000LL;
    ts.tv_nsec = (t_ns - now) % 1000000000LL;
    nanosleep(&ts, NULL);
}

static int
stats_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "format", required_argument, NULL, 'F' },
        { "no-stream", no_argument, NULL, 'n' },
        { "no-trunc", no_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_format struct format *fmt = NULL;
    struct stats_list l = { NULL, 0 };
    const char *format = NULL;
    bool all = false, no_stream = false, no_trunc = false, named;
    dctl_error_t err = NULL;
    long long next;
    int o, rc = 0, a, status = CMD_EXIT_OK;
    size_t k;

    while ((o = cmd_getopt_mixed(&cmd_stats_entry, argc, argv, "ah", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        switch (o) {
        case 'a': all = true; break;
        case 'F': format = optarg; break;
        case 'n': no_stream = true; break;
        case 't': no_trunc = true; break;
        }
    }
    fmt = format_new(format && strcmp(format, "json") == 0 ? "{{json .}}" : format, STATS_TABLE,
                     stats_fields, &err);
    if (fmt == NULL)
        return cmd_fail(err);
    named = optind < argc;
    for (a = optind; a < argc; a++)
        stats_list_add(&l, argv[a], NULL);
    if (!named && stats_refresh(cl, &l, all, &err) < 0) {
        status = cmd_fail(err);
        goto out;
    }
    if (stats_round(cl, &l, no_trunc, true, &err) < 0) {
        status = cmd_fail(err);
        goto out;
    }
    next = util_now_ns() + STATS_INTERVAL_NS;
    for (;;) {
        stats_sleep_until(next);
        next += STATS_INTERVAL_NS;
        if (!named && stats_refresh(cl, &l, all, &err) < 0) {
            status = cmd_fail(err);
            goto out;
        }
        stats_round(cl, &l, no_trunc, false, NULL);
        for (k = 0; k < l.n; k++)
            if (l.v[k].row && format_add(fmt, l.v[k].row, &err) < 0) {
                status = cmd_fail(err);
                goto out;
            }
        if (!no_stream)
            fputs("\033[2J\033[H", stdout);   /* docker's redraw: clear, cursor home */
        format_write(fmt, stdout);
        fflush(stdout);
        if (no_stream)
            break;
    }
out:
    for (k = 0; k < l.n; k++)
        stats_entry_fini(&l.v[k]);
    free(l.v);
    return status;
}

const struct client_cmd cmd_stats_entry = {
    .name = "stats",
    .args = "[OPTIONS] [CONTAINER...]",
    .summary = "Display a live stream of container(s) resource usage statistics",
    .aliases = "dctl container stats, dctl stats",
    .options = "  -a, --all             Show all containers (default shows just running)\n"
               "      --format string   Format output using a custom template: 'table',\n"
               "                        'table TEMPLATE', 'json' or a Go template\n"
               "  -h, --help            Print usage\n"
               "      --no-stream       Disable streaming stats and only pull the first result\n"
               "      --no-trunc        Do not truncate output\n",
    .exec = stats_exec,
};
