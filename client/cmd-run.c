/* client/cmd-run.c - `dctl run`, `dctl create` and `dctl start`: the create body from
 * docker's flags, then for run docker's sequence: create, attach (hijacked, before the
 * start so that no output is lost), wait (sent before the start, read at the end),
 * start; stdin copied in, the output demultiplexed out, signals proxied, a TTY put in
 * raw mode and kept sized; the exit status is the container's. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "client/hijack.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* exit statuses of docker run */
#define RUN_EXIT_DAEMON 125
#define RUN_EXIT_CANNOT_INVOKE 126
#define RUN_EXIT_NOT_FOUND 127

enum {
    RUN_OPT_RM = 256, RUN_OPT_NAME, RUN_OPT_ENV_FILE, RUN_OPT_MOUNT, RUN_OPT_TMPFS,
    RUN_OPT_ENTRYPOINT, RUN_OPT_RESTART, RUN_OPT_INIT, RUN_OPT_DNS, RUN_OPT_DNS_SEARCH,
    RUN_OPT_DNS_OPTION, RUN_OPT_ADD_HOST, RUN_OPT_LOG_DRIVER, RUN_OPT_LOG_OPT, RUN_OPT_NETWORK,
    RUN_OPT_STOP_SIGNAL, RUN_OPT_STOP_TIMEOUT, RUN_OPT_HEALTH_CMD, RUN_OPT_HEALTH_INTERVAL,
    RUN_OPT_HEALTH_TIMEOUT, RUN_OPT_HEALTH_RETRIES, RUN_OPT_HEALTH_START, RUN_OPT_NO_HEALTH,
    RUN_OPT_DETACH_KEYS, RUN_OPT_READ_ONLY, RUN_OPT_GROUP_ADD, RUN_OPT_IPC, RUN_OPT_PID,
    RUN_OPT_UTS, RUN_OPT_SIG_PROXY, RUN_OPT_HELP, RUN_OPT_USERNS,
};

static const struct option run_longopts[] = {
    { "detach", no_argument, NULL, 'd' },
    { "interactive", no_argument, NULL, 'i' },
    { "tty", no_argument, NULL, 't' },
    { "rm", no_argument, NULL, RUN_OPT_RM },
    { "name", required_argument, NULL, RUN_OPT_NAME },
    { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, RUN_OPT_ENV_FILE },
    { "volume", required_argument, NULL, 'v' },
    { "mount", required_argument, NULL, RUN_OPT_MOUNT },
    { "tmpfs", required_argument, NULL, RUN_OPT_TMPFS },
    { "workdir", required_argument, NULL, 'w' },
    { "user", required_argument, NULL, 'u' },
    { "entrypoint", required_argument, NULL, RUN_OPT_ENTRYPOINT },
    { "restart", required_argument, NULL, RUN_OPT_RESTART },
    { "init", no_argument, NULL, RUN_OPT_INIT },
    { "hostname", required_argument, NULL, 'h' },
    { "dns", required_argument, NULL, RUN_OPT_DNS },
    { "dns-search", required_argument, NULL, RUN_OPT_DNS_SEARCH },
    { "dns-option", required_argument, NULL, RUN_OPT_DNS_OPTION },
    { "add-host", required_argument, NULL, RUN_OPT_ADD_HOST },
    { "log-driver", required_argument, NULL, RUN_OPT_LOG_DRIVER },
    { "log-opt", required_argument, NULL, RUN_OPT_LOG_OPT },
    { "label", required_argument, NULL, 'l' },
    { "network", required_argument, NULL, RUN_OPT_NETWORK },
    { "net", required_argument, NULL, RUN_OPT_NETWORK },
    { "stop-signal", required_argument, NULL, RUN_OPT_STOP_SIGNAL },
    { "stop-timeout", required_argument, NULL, RUN_OPT_STOP_TIMEOUT },
    { "health-cmd", required_argument, NULL, RUN_OPT_HEALTH_CMD },
    { "health-interval", required_argument, NULL, RUN_OPT_HEALTH_INTERVAL },
    { "health-timeout", required_argument, NULL, RUN_OPT_HEALTH_TIMEOUT },
    { "health-retries", required_argument, NULL, RUN_OPT_HEALTH_RETRIES },
    { "health-start-period", required_argument, NULL, RUN_OPT_HEALTH_START },
    { "no-healthcheck", no_argument, NULL, RUN_OPT_NO_HEALTH },
    { "detach-keys", required_argument, NULL, RUN_OPT_DETACH_KEYS },
    { "read-only", no_argument, NULL, RUN_OPT_READ_ONLY },
    { "group-add", required_argument, NULL, RUN_OPT_GROUP_ADD },
    { "ipc", required_argument, NULL, RUN_OPT_IPC },
    { "pid", required_argument, NULL, RUN_OPT_PID },
    { "uts", required_argument, NULL, RUN_OPT_UTS },
    { "userns", required_argument, NULL, RUN_OPT_USERNS },
    { "sig-proxy", required_argument, NULL, RUN_OPT_SIG_PROXY },
    { "help", no_argument, NULL, RUN_OPT_HELP },
    CMD_RESOURCE_LONGOPTS,
    /* security (client/cmd-run-security.c) */
    { "cap-add", required_argument, NULL, RUN_OPT_CAP_ADD },
    { "cap-drop", required_argument, NULL, RUN_OPT_CAP_DROP },
    { "privileged", no_argument, NULL, RUN_OPT_PRIVILEGED },
    { "security-opt", required_argument, NULL, RUN_OPT_SECURITY_OPT },
    { "device", required_argument, NULL, RUN_OPT_DEVICE },
    { "device-cgroup-rule", required_argument, NULL, RUN_OPT_DEVICE_CGROUP_RULE },
    { "ulimit", required_argument, NULL, RUN_OPT_ULIMIT },
    { NULL, 0, NULL, 0 },
};
#define RUN_SHORTOPTS "ditv:e:w:u:h:l:m:c:"

#define RUN_OPTIONS_TEXT                                                                   \
    "      --add-host list              Add a custom host-to-IP mapping (host:ip)\n"           \
    "      --blkio-weight uint16        Block IO (relative weight), between 10 and 1000\n"   \
    "      --blkio-weight-device list   Block IO weight (relative device weight)\n"           \
    "      --cap-add list               Add Linux capabilities (NAME, CAP_NAME or ALL)\n"     \
    "      --cap-drop list              Drop Linux capabilities (NAME, CAP_NAME or ALL)\n"    \
    "      --cpu-period int             Limit CPU CFS (Completely Fair Scheduler) period\n"   \
    "      --cpu-quota int              Limit CPU CFS (Completely Fair Scheduler) quota\n"    \
    "      --cpu-rt-period int          Limit CPU real-time period in microseconds\n"         \
    "      --cpu-rt-runtime int         Limit CPU real-time runtime in microseconds\n"        \
    "  -c, --cpu-shares int             CPU shares (relative weight)\n"                       \
    "      --cpus decimal               Number of CPUs\n"                                     \
    "      --cpuset-cpus string         CPUs in which to allow execution (0-3, 0,1)\n"        \
    "      --cpuset-mems string         MEMs in which to allow execution (0-3, 0,1)\n"        \
    "  -d, --detach                     Run container in background and print container ID\n" \
    "      --detach-keys string         Override the key sequence for detaching a container\n" \
    "      --device list                Add a host device to the container\n"                \
    "                                   (HOST[:CONTAINER][:rwm])\n"                           \
    "      --device-cgroup-rule list    Add a rule to the cgroup allowed devices list\n"      \
    "                                   (TYPE MAJOR:MINOR ACCESS, e.g. 'c 1:3 rwm')\n"        \
    "      --device-read-bps list       Limit read rate (bytes per second) from a device\n"   \
    "      --device-read-iops list      Limit read rate (IO per second) from a device\n"      \
    "      --device-write-bps list      Limit write rate (bytes per second) to a device\n"    \
    "      --device-write-iops list     Limit write rate (IO per second) to a device\n"       \
    "      --dns list                   Set custom DNS servers\n"                              \
    "      --dns-option list            Set DNS options\n"                                     \
    "      --dns-search list            Set custom DNS search domains\n"                       \
    "      --entrypoint string          Overwrite the default ENTRYPOINT of the image\n"       \
    "  -e, --env list                   Set environment variables\n"                           \
    "      --env-file list              Read in a file of environment variables\n"             \
    "      --group-add list             Add additional groups to join\n"                       \
    "      --health-cmd string          Command to run to check health\n"                      \
    "      --health-interval duration   Time between running the check (ms|s|m|h)\n"          \
    "      --health-retries int         Consecutive failures needed to report unhealthy\n"     \
    "      --health-start-period duration  Start period for the container to initialize\n"    \
    "      --health-timeout duration    Maximum time to allow one check to run (ms|s|m|h)\n"   \
    "      --help                       Print usage\n"                                         \
    "  -h, --hostname string            Container host name\n"                                 \
    "  -i, --interactive                Keep STDIN open even if not attached\n"                \
    "      --init                       Run an init inside the container that forwards\n"      \
    "                                   signals and reaps processes\n"                          \
    "      --ipc string                 IPC mode to use (host)\n"                               \
    "      --kernel-memory bytes        Kernel memory limit (deprecated: ignored)\n"          \
    "  -l, --label list                 Set meta data on a container\n"                        \
    "      --log-driver string          Logging driver for the container (json-file, none)\n"  \
    "      --log-opt list               Log driver options (max-size, max-file)\n"             \
    "  -m, --memory bytes               Memory limit\n"                                       \
    "      --memory-reservation bytes   Memory soft limit\n"                                  \
    "      --memory-swap bytes          Swap limit equal to memory plus swap: '-1' to\n"      \
    "                                   enable unlimited swap\n"                              \
    "      --memory-swappiness int      Tune container memory swappiness (0 to 100)\n"        \
    "                                   (default -1)\n"                                       \
    "      --mount mount                Attach a filesystem mount to the container\n"          \
    "                                   (type=bind|tmpfs,source=,target=,readonly)\n"          \
    "      --name string                Assign a name to the container\n"                      \
    "      --network string             Connect a container to a network (none, host)\n"       \
    "      --no-healthcheck             Disable any container-specified HEALTHCHECK\n"         \
    "      --oom-kill-disable           Disable OOM Killer\n"                                 \
    "      --pid string                 PID namespace to use (host)\n"                          \
    "      --pids-limit int             Tune container pids limit (set -1 for unlimited)\n"   \
    "      --privileged                 Give extended privileges to this container\n"        \
    "      --read-only                  Mount the container's root filesystem as read only\n"  \
    "      --restart string             Restart policy to apply when a container exits\n"      \
    "                                   (no, always, unless-stopped, on-failure[:N])\n"        \
    "      --rm                         Automatically remove the container when it exits\n"   \
    "      --security-opt list          Security options (seccomp=unconfined|builtin|FILE,\n"  \
    "                                   no-new-privileges[=true], systempaths=unconfined,\n"  \
    "                                   apparmor=, label=)\n"                                  \
    "      --sig-proxy bool             Proxy received signals to the process (default true)\n" \
    "      --stop-signal string         Signal to stop the container\n"                        \
    "      --stop-timeout int           Timeout (in seconds) to stop a container\n"            \
    "      --tmpfs list                 Mount a tmpfs directory (/path[:options])\n"           \
    "  -t, --tty                        Allocate a pseudo-TTY\n"                               \
    "      --ulimit ulimit              Ulimit options (NAME=SOFT[:HARD], e.g. nofile=1024:2048)\n" \
    "  -u, --user string                Username or UID (format: <name|uid>[:<group|gid>])\n"  \
    "      --userns string              User namespace to use (host: none, when dctld\n"      \
    "                                   remaps with --userns-remap)\n"                         \
    "      --uts string                 UTS namespace to use (host)\n"                          \
    "  -v, --volume list                Bind mount a volume (/host:/container[:ro])\n"         \
    "  -w, --workdir string             Working directory inside the container\n"

/* ---- flags and the create body --------------------------------------------------- */

void
cmd_run_opts_init(struct cmd_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->sig_proxy = true;
    o->health_retries = -1;
    o->env = json_object_new_array();
    o->binds = json_object_new_array();
    o->mounts = json_object_new_array();
    o->tmpfs = json_object_new_array();
    o->dns = json_object_new_array();
    o->dns_search = json_object_new_array();
    o->dns_options = json_object_new_array();
    o->hosts = json_object_new_array();
    o->log_opts = json_object_new_array();
    o->labels = json_object_new_array();
    o->group_add = json_object_new_array();
    o->resources = json_object_new_object();
    cmd_run_security_init(&o->sec);
}

void
cmd_run_opts_fini(struct cmd_run_opts *o)
{
    struct json_object **v[] = { &o->env, &o->binds, &o->mounts, &o->tmpfs, &o->dns,
                                 &o->dns_search, &o->dns_options, &o->hosts, &o->log_opts,
                                 &o->labels, &o->group_add, &o->resources };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        json_object_put(*v[i]);
        *v[i] = NULL;
    }
    cmd_run_security_fini(&o->sec);
}

int
cmd_parse_duration(const char *s, long long *ns)
{
    static const struct { const char *unit; double mult; } units[] = {
        { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
    };
    double total = 0;
    const char *p = s;

    if (s == NULL || *s == '\0')
        return -1;
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        size_t i, best = ARRAY_SIZE(units), blen = 0;

        if (end == p || v < 0)
            return -1;
        p = end;
        for (i = 0; i < ARRAY_SIZE(units); i++) {
            size_t l = strlen(units[i].unit);

            if (strncmp(p, units[i].unit, l) == 0 && l > blen) {
                best = i;
                blen = l;
            }
        }
        if (best == ARRAY_SIZE(units))
            return -1;
        total += v * units[best].mult;
        p += blen;
    }
    *ns = (long long)total;
    return 0;
}

void
cmd_env_add(struct json_object *env, const char *kv)
{
    if (strchr(kv, '=') == NULL) {   /* KEY: the value from our environment, if set */
        const char *v = getenv(kv);
        char *s;

        if (v == NULL)
            return;
        s = xasprintf("%s=%s", kv, v);
        json_object_array_add(env, json_object_new_string(s));
        free(s);
        return;
    }
    json_object_array_add(env, json_object_new_string(kv));
}

int
cmd_env_file_read(const char *path, struct json_object *env, dctl_error_t *err)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (f == NULL)
        return dctl_error_set(err, DCTL_ERR_INVALID, errno, "open %s", path);
    while ((n = getline(&line, &cap, f)) >= 0) {
        char *p = line;

        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        if (*p == '=') {
            free(line);
            fclose(f);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid environment variable: %s", p);
        }
        cmd_env_add(env, p);
    }
    free(line);
    fclose(f);
    return 0;
}

static void
run_strv_add(struct json_object *a, const char *s)
{
    json_object_array_add(a, json_object_new_string(s));
}

/* --mount type=bind,source=/a,target=/b,readonly → a Mount object */
static struct json_object *
run_mount_parse(const char *spec, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(spec);
    cleanup_json struct json_object *m = json_object_new_object();
    struct json_object *topts = NULL;
    char *save = NULL, *kv;

    json_add_string(m, "Type", "volume");
    for (kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *v = strchr(kv, '=');

        if (v)
            *v++ = '\0';
        if (strcmp(kv, "type") == 0 && v) {
            json_add_string(m, "Type", v);
        } else if ((strcmp(kv, "source") == 0 || strcmp(kv, "src") == 0) && v) {
            json_add_string(m, "Source", v);
        } else if ((strcmp(kv, "target") == 0 || strcmp(kv, "destination") == 0 ||
                    strcmp(kv, "dst") == 0) && v) {
            json_add_string(m, "Target", v);
        } else if (strcmp(kv, "readonly") == 0 || strcmp(kv, "ro") == 0) {
            json_add_bool(m, "ReadOnly", v == NULL || strcmp(v, "true") == 0 ||
                                             strcmp(v, "1") == 0);
        } else if (strcmp(kv, "tmpfs-size") == 0 && v) {
            if (topts == NULL) {
                topts = json_object_new_object();
                json_object_object_add(m, "TmpfsOptions", topts);
            }
            json_add_int64(topts, "SizeBytes", strtoll(v, NULL, 10));
        } else if (strcmp(kv, "tmpfs-mode") == 0 && v) {
            if (topts == NULL) {
                topts = json_object_new_object();
                json_object_object_add(m, "TmpfsOptions", topts);
            }
            json_add_int64(topts, "Mode", strtoll(v, NULL, 8));
        } else {
            dctl_error_set(err, DCTL_ERR_INVALID, 0,
                           "invalid argument \"%s\" for \"--mount\" flag: unexpected key '%s' "
                           "in '%s'", spec, kv, spec);
            return NULL;
        }
    }
    return steal_ptr(&m);
}

int
cmd_run_opt(struct cmd_run_opts *o, int opt, const char *arg, dctl_error_t *err)
{
    long long n;

    switch (opt) {
    case 'd': o->detach = true; break;
    case 'i': o->interactive = true; break;
    case 't': o->tty = true; break;
    case RUN_OPT_RM: o->rm = true; break;
    case RUN_OPT_NAME: o->name = arg; break;
    case 'e': cmd_env_add(o->env, arg); break;
    case RUN_OPT_ENV_FILE: return cmd_env_file_read(arg, o->env, err);
    case 'v': run_strv_add(o->binds, arg); break;
    case RUN_OPT_MOUNT: {
        struct json_object *m = run_mount_parse(arg, err);

        if (m == NULL)
            return -1;
        json_object_array_add(o->mounts, m);
        break;
    }
    case RUN_OPT_TMPFS: run_strv_add(o->tmpfs, arg); break;
    case 'w': o->workdir = arg; break;
    case 'u': o->user = arg; break;
    case RUN_OPT_ENTRYPOINT: o->entrypoint = arg; break;
    case RUN_OPT_RESTART: o->restart = arg; break;
    case RUN_OPT_INIT: o->init = true; break;
    case 'h': o->hostname = arg; break;
    case RUN_OPT_DNS: run_strv_add(o->dns, arg); break;
    case RUN_OPT_DNS_SEARCH: run_strv_add(o->dns_search, arg); break;
    case RUN_OPT_DNS_OPTION: run_strv_add(o->dns_options, arg); break;
    case RUN_OPT_ADD_HOST: run_strv_add(o->hosts, arg); break;
    case RUN_OPT_LOG_DRIVER: o->log_driver = arg; break;
    case RUN_OPT_LOG_OPT:
        if (strchr(arg, '=') == NULL)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid argument \"%s\" for \"--log-opt\" flag: invalid "
                                  "key/value pair", arg);
        run_strv_add(o->log_opts, arg);
        break;
    case 'l': run_strv_add(o->labels, arg); break;
    case RUN_OPT_NETWORK: o->network = arg; break;
    case RUN_OPT_STOP_SIGNAL: o->stop_signal = arg; break;
    case RUN_OPT_STOP_TIMEOUT:
        if (util_parse_int64(arg, &n) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid argument \"%s\" for \"--stop-timeout\" flag: "
                                  "strconv.ParseInt: parsing \"%s\": invalid syntax", arg, arg);
        o->stop_timeout = n;
        o->stop_timeout_set = true;
        break;
    case RUN_OPT_HEALTH_CMD: o->health_cmd = arg; break;
    case RUN_OPT_HEALTH_INTERVAL:
    case RUN_OPT_HEALTH_TIMEOUT:
    case RUN_OPT_HEALTH_START:
        if (cmd_parse_duration(arg, &n) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid argument \"%s\" for duration flag: time: invalid "
                                  "duration \"%s\"", arg, arg);
        if (opt == RUN_OPT_HEALTH_INTERVAL)
            o->health_interval = arg;
        else if (opt == RUN_OPT_HEALTH_TIMEOUT)
            o->health_timeout = arg;
        else
            o->health_start_period = arg;
        break;
    case RUN_OPT_HEALTH_RETRIES:
        if (util_parse_int64(arg, &n) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid argument \"%s\" for \"--health-retries\" flag", arg);
        o->health_retries = n;
        break;
    case RUN_OPT_NO_HEALTH: o->no_healthcheck = true; break;
    case RUN_OPT_DETACH_KEYS: o->detach_keys = arg; break;
    case RUN_OPT_READ_ONLY: o->read_only = true; break;
    case RUN_OPT_GROUP_ADD: run_strv_add(o->group_add, arg); break;
    case RUN_OPT_IPC: o->ipc = arg; break;
    case RUN_OPT_PID: o->pid = arg; break;
    case RUN_OPT_UTS: o->uts = arg; break;
    case RUN_OPT_USERNS:
        if (*arg && strcmp(arg, "host") != 0)   /* the docker CLI's check */
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "--userns: invalid USER mode");
        o->userns = arg;
        break;
    case RUN_OPT_SIG_PROXY: {
        bool b;

        if (util_parse_go_bool(arg, &b) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid argument \"%s\" for \"--sig-proxy\" flag", arg);
        o->sig_proxy = b;
        break;
    }
    case 'm':
        return cmd_resource_opt(o->resources, CMD_RES_MEMORY, arg, err);
    case 'c':
        return cmd_resource_opt(o->resources, CMD_RES_CPU_SHARES, arg, err);
    case RUN_OPT_CAP_ADD:
    case RUN_OPT_CAP_DROP:
    case RUN_OPT_PRIVILEGED:
    case RUN_OPT_SECURITY_OPT:
    case RUN_OPT_DEVICE:
    case RUN_OPT_DEVICE_CGROUP_RULE:
    case RUN_OPT_ULIMIT:
        return cmd_run_security_opt(&o->sec, opt, arg, err);
    default:
        if (opt >= CMD_RES_FIRST && opt <= CMD_RES_LAST)
            return cmd_resource_opt(o->resources, opt, arg, err);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unknown option");
    }
    return 0;
}

static struct json_object *
run_copy_nonempty(struct json_object *a)
{
    return json_object_array_length(a) ? json_object_get(a) : NULL;
}

struct json_object *
cmd_run_body(const struct cmd_run_opts *o, const char *image, char *const *argv, int n,
             dctl_error_t *err)
{
    cleanup_json struct json_object *b = json_object_new_object();
    struct json_object *hc = json_object_new_object(), *a, *labels;
    size_t i;
    int k;

    json_object_object_add(b, "HostConfig", hc);
    json_add_string(b, "Image", image);
    if (n > 0) {
        a = json_object_new_array();
        for (k = 0; k < n; k++)
            run_strv_add(a, argv[k]);
        json_object_object_add(b, "Cmd", a);
    }
    if (o->entrypoint) {
        a = json_object_new_array();
        if (*o->entrypoint)   /* --entrypoint "" resets the image's */
            run_strv_add(a, o->entrypoint);
        json_object_object_add(b, "Entrypoint", a);
    }
    json_object_object_add(b, "Env", json_object_get(o->env));
    if (o->workdir)
        json_add_string(b, "WorkingDir", o->workdir);
    if (o->user)
        json_add_string(b, "User", o->user);
    if (o->hostname)
        json_add_string(b, "Hostname", o->hostname);
    json_add_bool(b, "Tty", o->tty);
    json_add_bool(b, "OpenStdin", o->interactive);
    json_add_bool(b, "StdinOnce", o->interactive && !o->detach);
    json_add_bool(b, "AttachStdin", o->interactive && !o->detach);
    json_add_bool(b, "AttachStdout", !o->detach);
    json_add_bool(b, "AttachStderr", !o->detach);
    labels = json_object_new_object();
    for (i = 0; i < json_object_array_length(o->labels); i++) {
        cleanup_free char *kv =
            xstrdup(json_object_get_string(json_object_array_get_idx(o->labels, i)));
        char *eq = strchr(kv, '=');

        if (eq)
            *eq++ = '\0';
        json_add_string(labels, kv, eq ? eq : "");
    }
    json_object_object_add(b, "Labels", labels);
    if (o->stop_signal)
        json_add_string(b, "StopSignal", o->stop_signal);
    if (o->stop_timeout_set)
        json_add_int64(b, "StopTimeout", o->stop_timeout);
    if (o->no_healthcheck || o->health_cmd || o->health_interval || o->health_timeout ||
        o->health_start_period || o->health_retries >= 0) {
        struct json_object *h = json_object_new_object();
        long long ns;

        if (o->no_healthcheck && o->health_cmd) {
            json_object_put(h);
            dctl_error_set(err, DCTL_ERR_INVALID, 0,
                           "--no-healthcheck conflicts with --health-* options");
            return NULL;
        }
        a = json_object_new_array();
        if (o->no_healthcheck) {
            run_strv_add(a, "NONE");
        } else if (o->health_cmd) {
            run_strv_add(a, "CMD-SHELL");
            run_strv_add(a, o->health_cmd);
        }
        if (json_object_array_length(a))
            json_object_object_add(h, "Test", a);
        else
            json_object_put(a);
        if (o->health_interval && cmd_parse_duration(o->health_interval, &ns) == 0)
            json_add_int64(h, "Interval", ns);
        if (o->health_timeout && cmd_parse_duration(o->health_timeout, &ns) == 0)
            json_add_int64(h, "Timeout", ns);
        if (o->health_start_period && cmd_parse_duration(o->health_start_period, &ns) == 0)
            json_add_int64(h, "StartPeriod", ns);
        if (o->health_retries >= 0)
            json_add_int64(h, "Retries", o->health_retries);
        json_object_object_add(b, "Healthcheck", h);
    }
    /* HostConfig */
    json_object_object_add(hc, "Binds", run_copy_nonempty(o->binds));
    json_object_object_add(hc, "Mounts", run_copy_nonempty(o->mounts));
    if (json_object_array_length(o->tmpfs)) {
        struct json_object *t = json_object_new_object();

        for (i = 0; i < json_object_array_length(o->tmpfs); i++) {
            cleanup_free char *s =
                xstrdup(json_object_get_string(json_object_array_get_idx(o->tmpfs, i)));
            char *colon = strchr(s, ':');

            if (colon)
                *colon++ = '\0';
            json_add_string(t, s, colon ? colon : "");
        }
        json_object_object_add(hc, "Tmpfs", t);
    }
    json_add_bool(hc, "AutoRemove", o->rm);
    if (o->restart) {
        struct json_object *rp = json_object_new_object();
        cleanup_free char *name = xstrdup(o->restart);
        char *colon = strchr(name, ':');
        long long max = 0;

        if (colon) {
            *colon++ = '\0';
            if (util_parse_int64(colon, &max) < 0 || strcmp(name, "on-failure") != 0) {
                json_object_put(rp);
                dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid restart policy format: %s",
                               o->restart);
                return NULL;
            }
        }
        json_add_string(rp, "Name", strcmp(name, "no") == 0 ? "no" : name);
        json_add_int64(rp, "MaximumRetryCount", max);
        json_object_object_add(hc, "RestartPolicy", rp);
    }
    if (o->rm && o->restart && strcmp(o->restart, "no") != 0) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "Conflicting options: --restart and --rm");
        return NULL;
    }
    if (o->init)
        json_add_bool(hc, "Init", true);
    json_object_object_add(hc, "Dns", json_object_get(o->dns));
    json_object_object_add(hc, "DnsSearch", json_object_get(o->dns_search));
    json_object_object_add(hc, "DnsOptions", json_object_get(o->dns_options));
    json_object_object_add(hc, "ExtraHosts", run_copy_nonempty(o->hosts));
    json_object_object_add(hc, "GroupAdd", run_copy_nonempty(o->group_add));
    if (o->log_driver || json_object_array_length(o->log_opts)) {
        struct json_object *lc = json_object_new_object(), *cfg = json_object_new_object();

        json_add_string(lc, "Type", o->log_driver ? o->log_driver : "");
        for (i = 0; i < json_object_array_length(o->log_opts); i++) {
            cleanup_free char *kv =
                xstrdup(json_object_get_string(json_object_array_get_idx(o->log_opts, i)));
            char *eq = strchr(kv, '=');

            *eq++ = '\0';
            json_add_string(cfg, kv, eq);
        }
        json_object_object_add(lc, "Config", cfg);
        json_object_object_add(hc, "LogConfig", lc);
    }
    json_add_string(hc, "NetworkMode", o->network ? o->network : "default");
    if (o->read_only)
        json_add_bool(hc, "ReadonlyRootfs", true);
    if (o->ipc)
        json_add_string(hc, "IpcMode", o->ipc);
    if (o->pid)
        json_add_string(hc, "PidMode", o->pid);
    if (o->uts)
        json_add_string(hc, "UTSMode", o->uts);
    if (o->userns)
        json_add_string(hc, "UsernsMode", o->userns);
    /* resources; OomKillDisable always goes, false when not asked, as docker sends it */
    json_add_bool(hc, "OomKillDisable", false);
    json_object_object_foreach(o->resources, rk, rv) {
        json_object_object_add(hc, rk, json_object_get(rv));
    }
    cmd_run_security_body(&o->sec, hc);
    return steal_ptr(&b);
}

/* A lent member of o, or NULL. */
static struct json_object *
run_member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

struct json_object *
cmd_run_body_from_args(int argc, char **argv, dctl_error_t *err)
{
    struct cmd_run_opts o;
    struct json_object *body = NULL;
    int opt;

    cmd_run_opts_init(&o);
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+" RUN_SHORTOPTS, run_longopts, NULL)) != -1) {
        if (opt == '?' || opt == ':' || opt == RUN_OPT_HELP) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "bad flag %s", argv[optind - 1]);
            goto out;
        }
        if (cmd_run_opt(&o, opt, optarg, err) < 0)
            goto out;
    }
    if (optind >= argc) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "no image");
        goto out;
    }
    body = cmd_run_body(&o, argv[optind], argv + optind + 1, argc - optind - 1, err);
out:
    cmd_run_opts_fini(&o);
    return body;
}

/* ---- shared requests ------------------------------------------------------------- */

char *
cmd_container_escape(const char *name)
{
    return cmd_image_path_escape(name);
}

int
cmd_container_request(struct client *cl, const char *method, const char *path,
                      const char *body, struct json_object **out, dctl_error_t *err)
{
    struct json_object *o = NULL;

    if (cmd_image_request(cl, method, path, body, &o, err) < 0)
        return -1;
    if (out)
        *out = o;
    else if (o)
        json_object_put(o);
    return 0;
}

/* ---- the run session --------------------------------------------------------------- */

static volatile sig_atomic_t run_signal, run_winch;

static void
run_signal_cb(int sig)
{
    if (sig == SIGWINCH)
        run_winch = 1;
    else
        run_signal = sig;
}

struct run_out {
    int fd_out, fd_err;
};

static void
run_write_all(int fd, const char *p, size_t len)
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
run_demux_out(int stream, const char *data, size_t len, void *arg)
{
    struct run_out *o = arg;

    run_write_all(stream == 2 ? o->fd_err : o->fd_out, data, len);
}

/* Sends our window size to BASE/resize (BASE: /containers/ID or /exec/ID). */
static void
run_resize(struct client *cl, const char *base)
{
    struct winsize ws;
    cleanup_free char *path = NULL;
    dctl_error_t err = NULL;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0)
        return;
    path = xasprintf("%s/resize?h=%u&w=%u", base, ws.ws_row, ws.ws_col);
    if (cmd_container_request(cl, "POST", path, NULL, NULL, &err) < 0)
        dctl_error_free(err);   /* the container may be gone already */
}

static const char *
run_signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "INT";
    case SIGTERM: return "TERM";
    case SIGHUP: return "HUP";
    case SIGQUIT: return "QUIT";
    case SIGUSR1: return "USR1";
    case SIGUSR2: return "USR2";
    default: return "KILL";
    }
}

/* Copies stdin to the attach connection and its output to ours until the daemon ends
 * it (the container exited, or detach keys were typed). */
static void
run_pump(struct client *cl, const char *resize_base, const char *kill_id, struct hijack *att,
         bool in, bool tty)
{
    struct frames_demux dm = { 0 };
    struct run_out out = { STDOUT_FILENO, STDERR_FILENO };
    bool in_open = in;
    char buf[32768];

    if (att->nextra) {
        if (tty)
            run_write_all(STDOUT_FILENO, att->extra, att->nextra);
        else
            frames_demux_feed(&dm, att->extra, att->nextra, run_demux_out, &out);
    }
    if (!in)
        shutdown(att->fd, SHUT_WR);
    for (;;) {
        struct pollfd p[2] = { { .fd = att->fd, .events = POLLIN },
                               { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
        ssize_t n;

        if (run_signal) {
            int sig = run_signal;
            cleanup_free char *path = NULL;
            dctl_error_t err = NULL;

            run_signal = 0;
            if (kill_id && !tty) {
                path = xasprintf("/containers/%s/kill?signal=%s", kill_id, run_signal_name(sig));
                if (cmd_container_request(cl, "POST", path, NULL, NULL, &err) < 0)
                    dctl_error_free(err);
            }
        }
        if (run_winch) {
            run_winch = 0;
            if (tty)
                run_resize(cl, resize_base);
        }
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {   /* EOF: the container's stdin ends; its output goes on */
                in_open = false;
                shutdown(att->fd, SHUT_WR);
            } else {
                run_write_all(att->fd, buf, (size_t)n);
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(att->fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return;
            if (tty)
                run_write_all(STDOUT_FILENO, buf, (size_t)n);
            else
                frames_demux_feed(&dm, buf, (size_t)n, run_demux_out, &out);
        }
    }
}

void
cmd_session_run(struct client *cl, struct hijack *att, const char *resize_base,
                const char *kill_id, bool in, bool tty, bool raw)
{
    struct sigaction sa = { .sa_handler = run_signal_cb };
    struct termios saved;
    bool restore = false;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
    if (raw && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        struct termios t = saved;

        cfmakeraw(&t);
        t.c_oflag |= OPOST;   /* as docker's raw mode keeps output processing */
        restore = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
    }
    if (tty)
        run_resize(cl, resize_base);
    run_pump(cl, resize_base, kill_id, att, in, tty);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
}

/* docker's runStartContainerErr: 127 for a command that does not exist, 126 for one
 * that cannot be run, else 125. */
static int
run_start_status(const char *msg)
{
    if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory") ||
        strstr(msg, "system cannot find the file specified"))
        return RUN_EXIT_NOT_FOUND;
    if (strstr(msg, "permission denied") || strstr(msg, "cannot execute"))
        return RUN_EXIT_CANNOT_INVOKE;
    return RUN_EXIT_DAEMON;
}

static int
run_create(struct client *cl, const struct cmd_run_opts *o, const char *image, char **argv,
           int n, char **id, dctl_error_t *err)
{
    cleanup_json struct json_object *body = cmd_run_body(o, image, argv, n, err), *out = NULL;
    cleanup_free char *path = NULL, *name = NULL;
    struct json_object *warn;
    size_t i;

    if (body == NULL)
        return -1;
    if (o->name)
        name = http_query_escape(o->name);
    path = xasprintf("/containers/create%s%s", name ? "?name=" : "", name ? name : "");
    if (cmd_container_request(cl, "POST", path, json_object_to_json_string(body), &out,
                              err) < 0) {
        if ((*err)->kind == DCTL_ERR_NOT_FOUND && strstr((*err)->msg, "No such image"))
            fprintf(stderr, "Unable to find image '%s' locally\n", image);
        return -1;
    }
    warn = out ? run_member(out, "Warnings") : NULL;
    for (i = 0; warn && json_object_is_type(warn, json_type_array) &&
                i < json_object_array_length(warn);
         i++)
        fprintf(stderr, "WARNING: %s\n",
                json_object_get_string(json_object_array_get_idx(warn, i)));
    *id = xstrdup(out && json_get_string(out, "Id") ? json_get_string(out, "Id") : "");
    return 0;
}

/* Parses the flags shared by run and create; the operands start at optind. */
static int
run_parse(const struct client_cmd *cmd, int argc, char **argv, struct cmd_run_opts *o, int *rc)
{
    int opt;

    while ((opt = cmd_getopt(cmd, argc, argv, RUN_SHORTOPTS, run_longopts, rc)) != -1) {
        dctl_error_t err = NULL;

        if (opt == CMD_OPT_EXIT)
            return -1;
        if (opt == RUN_OPT_HELP) {
            cmd_usage(cmd, stdout);
            *rc = CMD_EXIT_OK;
            return -1;
        }
        if (cmd_run_opt(o, opt, optarg, &err) < 0) {
            *rc = cmd_usage_error(cmd, "%s", err->msg);
            dctl_error_free(err);
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "\"dctl %s\" requires at least 1 argument.\nSee 'dctl %s --help'.\n",
                cmd->name, cmd->name);
        *rc = CMD_EXIT_USAGE;
        return -1;
    }
    return 0;
}

static int
create_exec(struct client *cl, int argc, char **argv)
{
    struct cmd_run_opts o;
    cleanup_free char *id = NULL;
    dctl_error_t err = NULL;
    int rc = 0;

    cmd_run_opts_init(&o);
    if (run_parse(&cmd_create_entry, argc, argv, &o, &rc) < 0) {
        cmd_run_opts_fini(&o);
        return rc;
    }
    if (run_create(cl, &o, argv[optind], argv + optind + 1, argc - optind - 1, &id, &err) < 0)
        rc = cmd_fail(err) == CMD_EXIT_ERROR ? RUN_EXIT_DAEMON : RUN_EXIT_DAEMON;
    else
        printf("%s\n", id);
    cmd_run_opts_fini(&o);
    return rc;
}

static int
run_exec(struct client *cl, int argc, char **argv)
{
    struct cmd_run_opts o;
    cleanup_free char *id = NULL, *wpath = NULL, *apath = NULL, *spath = NULL, *dk = NULL;
    struct hijack att = { .fd = -1 }, wait = { .fd = -1 };
    bool attach;
    dctl_error_t err = NULL;
    int rc = 0;

    cmd_run_opts_init(&o);
    if (run_parse(&cmd_run_entry, argc, argv, &o, &rc) < 0)
        goto out;
    attach = !o.detach;
    if (o.detach && o.rm == false && o.interactive && o.tty)
        attach = false;
    if (run_create(cl, &o, argv[optind], argv + optind + 1, argc - optind - 1, &id, &err) < 0) {
        cmd_fail(err);
        rc = RUN_EXIT_DAEMON;
        goto out;
    }
    if (attach) {
        if (o.detach_keys)
            dk = http_query_escape(o.detach_keys);
        apath = xasprintf("/containers/%s/attach?stream=1&stdout=1&stderr=1%s%s%s", id,
                          o.interactive ? "&stdin=1" : "", dk ? "&detachKeys=" : "",
                          dk ? dk : "");
        if (hijack_open(cl->http, "POST", apath, true, true, &att, &err) < 0) {
            cmd_fail(err);
            rc = RUN_EXIT_DAEMON;
            goto out;
        }
        wpath = xasprintf("/containers/%s/wait?condition=%s", id, o.rm ? "removed" : "next-exit");
        if (hijack_open(cl->http, "POST", wpath, false, false, &wait, &err) < 0) {
            cmd_fail(err);
            rc = RUN_EXIT_DAEMON;
            goto out;
        }
    }
    spath = xasprintf("/containers/%s/start", id);
    if (cmd_container_request(cl, "POST", spath, NULL, NULL, &err) < 0) {
        rc = run_start_status(err->msg);
        fprintf(stderr, "dctl: %s.\n", err->msg);
        dctl_error_free(err);
        err = NULL;
        if (o.rm && wait.fd >= 0) {   /* as docker: return once the container is gone */
            hijack_close(&att);
            if (hijack_read_head(&wait, &err) == 0)
                free(hijack_read_body(&wait, NULL, NULL));
            dctl_error_free(err);
        }
        goto out;
    }
    if (!attach) {
        printf("%s\n", id);
        goto out;
    }
    {
        cleanup_free char *base = xasprintf("/containers/%s", id);

        cmd_session_run(cl, &att, base, o.sig_proxy ? id : NULL, o.interactive, o.tty, o.tty);
    }
    hijack_close(&att);
    {
        /* the daemon ends the stream when the container exits and when the detach keys
         * were typed: a container still running was detached from, and goes on */
        cleanup_json struct json_object *info = NULL;
        cleanup_free char *ipath = xasprintf("/containers/%s/json", id);
        struct json_object *state;

        if (cmd_container_request(cl, "GET", ipath, NULL, &info, &err) < 0) {
            dctl_error_free(err);
            err = NULL;
        } else if ((state = run_member(info, "State")) != NULL &&
                   json_get_bool(state, "Running", false) &&
                   !json_get_bool(state, "Restarting", false)) {
            rc = 0;
            goto out;
        }
    }
    {
        cleanup_json struct json_object *res = NULL;
        cleanup_free char *body = NULL;

        if (hijack_read_head(&wait, &err) < 0) {
            cmd_fail(err);
            rc = RUN_EXIT_DAEMON;
            goto out;
        }
        body = hijack_read_body(&wait, NULL, &err);
        res = body ? json_tokener_parse(body) : NULL;
        if (res == NULL) {
            /* detached (detach keys): the container goes on */
            rc = 0;
            goto out;
        }
        if (run_member(res, "Error") && json_get_string(run_member(res, "Error"), "Message") &&
            *json_get_string(run_member(res, "Error"), "Message"))
            fprintf(stderr, "Error waiting for container: %s\n",
                    json_get_string(run_member(res, "Error"), "Message"));
        rc = (int)json_get_int64(res, "StatusCode", RUN_EXIT_DAEMON);
    }
out:
    hijack_close(&att);
    hijack_close(&wait);
    cmd_run_opts_fini(&o);
    fflush(stdout);
    return rc;
}

/* ---- attach ------------------------------------------------------------------------ */

static int
attach_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "no-stdin", no_argument, NULL, 'n' },
        { "sig-proxy", required_argument, NULL, 's' },
        { "detach-keys", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *name = NULL, *ipath = NULL, *apath = NULL, *dk = NULL;
    cleanup_json struct json_object *info = NULL;
    struct json_object *cfg, *state;
    struct hijack att = { .fd = -1 };
    bool no_stdin = false, sig_proxy = true, tty, in;
    dctl_error_t err = NULL;
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_attach_entry, argc, argv, "h", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'n') {
            no_stdin = true;
        } else if (o == 'k') {
            free(dk);
            dk = http_query_escape(optarg);
        } else if (o == 's' && util_parse_go_bool(optarg, &sig_proxy) < 0) {
            return cmd_usage_error(&cmd_attach_entry, "invalid argument \"%s\" for "
                                   "\"--sig-proxy\" flag", optarg);
        }
    }
    if (argc - optind != 1)
        return cmd_image_args_error(&cmd_attach_entry, "exactly 1 argument");
    name = cmd_container_escape(argv[optind]);
    ipath = xasprintf("/containers/%s/json", name);
    if (cmd_container_request(cl, "GET", ipath, NULL, &info, &err) < 0)
        return cmd_fail(err);
    state = run_member(info, "State");
    if (!json_get_bool(state, "Running", false)) {
        fprintf(stderr, "You cannot attach to a stopped container, start it first\n");
        return CMD_EXIT_ERROR;
    }
    cfg = run_member(info, "Config");
    tty = json_get_bool(cfg, "Tty", false);
    in = !no_stdin && json_get_bool(cfg, "OpenStdin", false);
    apath = xasprintf("/containers/%s/attach?stream=1&stdout=1&stderr=1%s%s%s", name,
                      in ? "&stdin=1" : "", dk ? "&detachKeys=" : "", dk ? dk : "");
    if (hijack_open(cl->http, "POST", apath, true, true, &att, &err) < 0)
        return cmd_fail(err);
    {
        cleanup_free char *base = xasprintf("/containers/%s", json_get_string(info, "Id"));

        cmd_session_run(cl, &att, base, sig_proxy ? json_get_string(info, "Id") : NULL, in, tty,
                        tty && in);
    }
    hijack_close(&att);
    /* docker's getExitStatus: the code of a container that ended, 0 after a detach */
    json_object_put(info);
    info = NULL;
    if (cmd_container_request(cl, "GET", ipath, NULL, &info, &err) < 0)
        return cmd_fail(err);
    state = run_member(info, "State");
    return json_get_bool(state, "Running", false) ? 0 : (int)json_get_int64(state, "ExitCode", 0);
}

const struct client_cmd cmd_attach_entry = {
    .name = "attach",
    .args = "[OPTIONS] CONTAINER",
    .summary = "Attach local standard input, output, and error streams to a running container",
    .aliases = "dctl container attach, dctl attach",
    .options = "      --detach-keys string   Override the key sequence for detaching a\n"
               "                             container\n"
               "  -h, --help                 Print usage\n"
               "      --no-stdin             Do not attach STDIN\n"
               "      --sig-proxy bool       Proxy all received signals to the process\n"
               "                             (default true)\n",
    .exec = attach_exec,
};

/* ---- start ------------------------------------------------------------------------- */

static int
start_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o, rc = 0, a, status = CMD_EXIT_OK;

    while ((o = cmd_getopt_mixed(&cmd_start_entry, argc, argv, "h", opts, &rc)) != -1)
        if (o == CMD_OPT_EXIT)
            return rc;
    if (optind >= argc)
        return cmd_image_args_error(&cmd_start_entry, "at least 1 argument");
    for (a = optind; a < argc; a++) {
        cleanup_free char *name = cmd_container_escape(argv[a]);
        cleanup_free char *path = xasprintf("/containers/%s/start", name);
        dctl_error_t err = NULL;

        if (cmd_container_request(cl, "POST", path, NULL, NULL, &err) < 0) {
            cmd_fail(err);
            status = CMD_EXIT_ERROR;
            continue;
        }
        printf("%s\n", argv[a]);
    }
    fflush(stdout);
    return status;
}

const struct client_cmd cmd_run_entry = {
    .name = "run",
    .args = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    .summary = "Create and run a new container from an image",
    .aliases = "dctl container run, dctl run",
    .options = RUN_OPTIONS_TEXT,
    .exec = run_exec,
};

const struct client_cmd cmd_create_entry = {
    .name = "create",
    .args = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    .summary = "Create a new container",
    .aliases = "dctl container create, dctl create",
    .options = RUN_OPTIONS_TEXT,
    .exec = create_exec,
};

const struct client_cmd cmd_start_entry = {
    .name = "start",
    .args = "CONTAINER [CONTAINER...]",
    .summary = "Start one or more stopped containers",
    .aliases = "dctl container start, dctl start",
    .options = "  -h, --help   Print usage\n",
    .exec = start_exec,
};
