/* daemon/config.c - defaults, daemon.json and flags for dctld. The file uses
 * Docker's key names; each known key has a JSON type, and anything else stops
 * start-up with a message naming the key. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

void
strv_add(struct strv *s, const char *item)
{
    s->v = xrealloc(s->v, (s->n + 2) * sizeof *s->v);
    s->v[s->n++] = xstrdup(item);
    s->v[s->n] = NULL;
}

void
strv_clear(struct strv *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

void
daemon_config_init(struct daemon_config *c)
{
    memset(c, 0, sizeof *c);
    c->log_level = DCTL_LOG_INFO;
    c->idle_timeout = DAEMON_DEFAULT_IDLE_TIMEOUT;
    c->shutdown_timeout = 10;
}

void
daemon_config_fini(struct daemon_config *c)
{
    strv_clear(&c->hosts);
    strv_clear(&c->storage_opts);
    strv_clear(&c->exec_opts);
    strv_clear(&c->labels);
    free(c->data_root);
    free(c->exec_root);
    free(c->driver_dir);
    free(c->storage_driver);
    free(c->exec_driver);
    free(c->userns_remap);
    free(c->cgroup_parent);
    free(c->pidfile);
    free(c->config_file);
    memset(c, 0, sizeof *c);
}

static void
config_set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

enum dctl_log_level
daemon_config_log_level(const struct daemon_config *c)
{
    if (c->debug && c->log_level < DCTL_LOG_DEBUG)
        return DCTL_LOG_DEBUG;
    return c->log_level;
}

void
daemon_config_usage(FILE *out)
{
    fputs("Usage: dctld [OPTIONS]\n"
          "\n"
          "A container engine serving the Docker Engine API.\n"
          "\n"
          "Options:\n"
          "  -H, --host ADDR            listen on ADDR: unix:///path or tcp://HOST:PORT\n"
          "                             (repeatable; default " DAEMON_DEFAULT_HOST ");\n"
          "                             plain TCP only on a loopback address\n"
          "      --data-root DIR        persistent state (default " DAEMON_DEFAULT_DATA_ROOT ")\n"
          "      --exec-root DIR        run-time state (default " DAEMON_DEFAULT_EXEC_ROOT ")\n"
          "      --driver-dir DIR       where driver .so files are loaded from\n"
          "                             (default " DCTL_DRIVER_DIR ")\n"
          "  -s, --storage-driver NAME  storage driver to use\n"
          "      --storage-opt K=V      storage driver option (repeatable)\n"
          "      --exec-driver NAME     exec driver that runs containers (default native)\n"
          "      --exec-opt K=V         exec driver option (repeatable), e.g. native.shim=PATH\n"
          "      --userns-remap SPEC    run containers in a user namespace mapped onto the\n"
          "                             subordinate IDs of default (the dctl user, created\n"
          "                             when missing), USER[:GROUP] or UID[:GID]\n"
          "      --cgroup-parent PATH   parent cgroup of the containers' cgroups (default /dctl)\n"
          "  -l, --log-level LEVEL      debug, info, warn, error or fatal (default info)\n"
          "  -D, --debug                same as --log-level debug\n"
          "  -p, --pidfile FILE         pid file (default /run/dctld.pid)\n"
          "      --label K=V            engine label shown in info (repeatable)\n"
          "      --config-file FILE     daemon.json to read (default " DAEMON_DEFAULT_CONFIG_FILE ")\n"
          "      --http-idle-timeout S  seconds before an idle or stalled HTTP connection\n"
          "                             is closed (default 120; 0 never)\n"
          "      --shutdown-timeout S   seconds SIGTERM waits for in-flight requests\n"
          "                             (default 10)\n"
          "  -h, --help                 print this help and exit\n"
          "  -v, --version              print the version and exit\n"
          "\n"
          "Signals: SIGTERM and SIGINT stop the daemon; SIGHUP reloads log-level, debug\n"
          "and labels from the configuration file.\n",
          out);
}

/* Timeouts: whole seconds, at most a year. */
#define CONFIG_SECONDS_MAX (86400LL * 365)

static int
config_parse_uint(const char *flag, const char *v, unsigned int *out, dctl_error_t *err)
{
    long long n;

    if (util_parse_int64(v, &n) < 0 || n < 0 || n > CONFIG_SECONDS_MAX)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid value \"%s\" for %s", v, flag);
    *out = (unsigned int)n;
    return 0;
}

static int
config_check_kv(const char *what, const char *v, dctl_error_t *err)
{
    if (strchr(v, '=') == NULL || v[0] == '=')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid %s \"%s\": expected KEY=VALUE", what, v);
    return 0;
}

/* A cgroup path that stays in the hierarchy (no "." or ".." components). */
static int
config_check_cgroup_parent(const char *v, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(v);
    char *save = NULL, *t;

    for (t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save))
        if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid cgroup-parent \"%s\"", v);
    if (*v == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid cgroup-parent \"\"");
    return 0;
}

int
daemon_config_parse_args(struct daemon_config *c, int argc, char **argv, dctl_error_t *err)
{
    enum { OPT_DATA_ROOT = 256, OPT_EXEC_ROOT, OPT_DRIVER_DIR, OPT_STORAGE_OPT,
           OPT_CONFIG_FILE, OPT_LABEL, OPT_IDLE_TIMEOUT, OPT_SHUTDOWN_TIMEOUT,
           OPT_EXEC_DRIVER, OPT_EXEC_OPT, OPT_USERNS_REMAP, OPT_CGROUP_PARENT };
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' },
        { "data-root", required_argument, NULL, OPT_DATA_ROOT },
        { "exec-root", required_argument, NULL, OPT_EXEC_ROOT },
        { "driver-dir", required_argument, NULL, OPT_DRIVER_DIR },
        { "storage-driver", required_argument, NULL, 's' },
        { "storage-opt", required_argument, NULL, OPT_STORAGE_OPT },
        { "exec-driver", required_argument, NULL, OPT_EXEC_DRIVER },
        { "exec-opt", required_argument, NULL, OPT_EXEC_OPT },
        { "userns-remap", required_argument, NULL, OPT_USERNS_REMAP },
        { "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
        { "log-level", required_argument, NULL, 'l' },
        { "debug", no_argument, NULL, 'D' },
        { "pidfile", required_argument, NULL, 'p' },
        { "label", required_argument, NULL, OPT_LABEL },
        { "config-file", required_argument, NULL, OPT_CONFIG_FILE },
        { "http-idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
        { "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int o;

    optind = 0;   /* 0, not 1: glibc then forgets any state of an earlier parse */
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":H:s:l:Dp:hv", opts, NULL)) != -1) {
        switch (o) {
        case 'H':
            strv_add(&c->hosts, optarg);
            c->from_flags |= CONFIG_HOSTS;
            break;
        case OPT_DATA_ROOT:
            config_set_str(&c->data_root, optarg);
            c->from_flags |= CONFIG_DATA_ROOT;
            break;
        case OPT_EXEC_ROOT:
            config_set_str(&c->exec_root, optarg);
            c->from_flags |= CONFIG_EXEC_ROOT;
            break;
        case OPT_DRIVER_DIR:
            config_set_str(&c->driver_dir, optarg);
            c->from_flags |= CONFIG_DRIVER_DIR;
            break;
        case 's':
            config_set_str(&c->storage_driver, optarg);
            c->from_flags |= CONFIG_STORAGE_DRIVER;
            break;
        case OPT_EXEC_DRIVER:
            config_set_str(&c->exec_driver, optarg);
            c->from_flags |= CONFIG_EXEC_DRIVER;
            break;
        case OPT_EXEC_OPT:
            if (config_check_kv("exec option", optarg, err) < 0)
                return -1;
            strv_add(&c->exec_opts, optarg);
            c->from_flags |= CONFIG_EXEC_OPTS;
            break;
        case OPT_USERNS_REMAP:
            config_set_str(&c->userns_remap, optarg);
            c->from_flags |= CONFIG_USERNS_REMAP;
            break;
        case OPT_CGROUP_PARENT:
            if (config_check_cgroup_parent(optarg, err) < 0)
                return -1;
            config_set_str(&c->cgroup_parent, optarg);
            c->from_flags |= CONFIG_CGROUP_PARENT;
            break;
        case OPT_STORAGE_OPT:
            if (config_check_kv("storage option", optarg, err) < 0)
                return -1;
            strv_add(&c->storage_opts, optarg);
            c->from_flags |= CONFIG_STORAGE_OPTS;
            break;
        case 'l':
            if (log_level_parse(optarg, &c->log_level) < 0)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "unknown log level \"%s\": use debug, info, warn, error "
                                      "or fatal", optarg);
            c->from_flags |= CONFIG_LOG_LEVEL;
            break;
        case 'D':
            c->debug = true;
            c->from_flags |= CONFIG_DEBUG;
            break;
        case 'p':
            config_set_str(&c->pidfile, optarg);
            c->from_flags |= CONFIG_PIDFILE;
            break;
        case OPT_LABEL:
            if (config_check_kv("label", optarg, err) < 0)
                return -1;
            strv_add(&c->labels, optarg);
            c->from_flags |= CONFIG_LABELS;
            break;
        case OPT_CONFIG_FILE:
            config_set_str(&c->config_file, optarg);
            c->config_file_given = true;
            break;
        case OPT_IDLE_TIMEOUT:
            if (config_parse_uint("--http-idle-timeout", optarg, &c->idle_timeout, err) < 0)
                return -1;
            c->from_flags |= CONFIG_IDLE_TIMEOUT;
            break;
        case OPT_SHUTDOWN_TIMEOUT:
            if (config_parse_uint("--shutdown-timeout", optarg, &c->shutdown_timeout, err) < 0)
                return -1;
            c->from_flags |= CONFIG_SHUTDOWN_TIMEOUT;
            break;
        case 'h':
            daemon_config_usage(stdout);
            return 1;
        case 'v':
            printf("dctld version %s, API %s\n", PACKAGE_VERSION, "1.43");
            return 1;
        case ':':
            if (optopt && optopt < 256)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0, "flag needs an argument: -%c",
                                      optopt);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "flag needs an argument: %s",
                                  argv[optind - 1]);
        default:
            if (optopt && optopt < 256)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "unknown shorthand flag: '%c' (see dctld --help)", optopt);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "unknown flag: %s (see dctld --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "dctld takes no arguments, got \"%s\" (see dctld --help)",
                              argv[optind]);
    return 0;
}

/* ---- daemon.json ------------------------------------------------------- */

enum config_jtype { JT_STRING, JT_BOOL, JT_INT, JT_STRV, JT_MAP_OR_STRV };

struct config_key {
    const char *key;
    enum config_jtype type;
    unsigned int field;
};

/* The keys dctld knows, with Docker's names. */
static const struct config_key config_keys[] = {
    { "hosts", JT_STRV, CONFIG_HOSTS },
    { "data-root", JT_STRING, CONFIG_DATA_ROOT },
    { "exec-root", JT_STRING, CONFIG_EXEC_ROOT },
    { "driver-dir", JT_STRING, CONFIG_DRIVER_DIR },
    { "storage-driver", JT_STRING, CONFIG_STORAGE_DRIVER },
    { "storage-opts", JT_STRV, CONFIG_STORAGE_OPTS },
    { "exec-driver", JT_STRING, CONFIG_EXEC_DRIVER },
    { "exec-opts", JT_STRV, CONFIG_EXEC_OPTS },
    { "userns-remap", JT_STRING, CONFIG_USERNS_REMAP },
    { "cgroup-parent", JT_STRING, CONFIG_CGROUP_PARENT },
    { "log-level", JT_STRING, CONFIG_LOG_LEVEL },
    { "debug", JT_BOOL, CONFIG_DEBUG },
    { "pidfile", JT_STRING, CONFIG_PIDFILE },
    { "labels", JT_STRV, CONFIG_LABELS },
    { "http-idle-timeout", JT_INT, CONFIG_IDLE_TIMEOUT },
    { "shutdown-timeout", JT_INT, CONFIG_SHUTDOWN_TIMEOUT },
};

static const char *
config_jtype_name(enum config_jtype t)
{
    switch (t) {
    case JT_STRING:
        return "a string";
    case JT_BOOL:
        return "a bool";
    case JT_INT:
        return "a whole number of seconds (0 to 31536000)";
    case JT_STRV:
    case JT_MAP_OR_STRV:
        return "an array of strings";
    }
    return "?";
}

static bool
config_type_ok(struct json_object *v, enum config_jtype t)
{
    size_t i;

    switch (t) {
    case JT_STRING:
        return json_object_is_type(v, json_type_string);
    case JT_BOOL:
        return json_object_is_type(v, json_type_boolean);
    case JT_INT:
        return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 &&
               json_object_get_int64(v) <= CONFIG_SECONDS_MAX;
    case JT_STRV:
    case JT_MAP_OR_STRV:
        if (!json_object_is_type(v, json_type_array))
            return false;
        for (i = 0; i < json_object_array_length(v); i++)
            if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
                return false;
        return true;
    }
    return false;
}

static void
config_strv_from_json(struct strv *s, struct json_object *v)
{
    size_t i;

    strv_clear(s);
    for (i = 0; i < json_object_array_length(v); i++)
        strv_add(s, json_object_get_string(json_object_array_get_idx(v, i)));
}

int
daemon_config_apply_json(struct daemon_config *c, const char *text, size_t len,
                         dctl_error_t *err)
{
    cleanup_json struct json_object *root = NULL;
    const char *what = c->config_file ? c->config_file : DAEMON_DEFAULT_CONFIG_FILE;

    root = json_parse_object(text, len, what, err);
    if (root == NULL)
        return -1;
    /* check everything before changing anything */
    json_object_object_foreach(root, key, val) {
        size_t i;

        for (i = 0; i < ARRAY_SIZE(config_keys); i++)
            if (strcmp(key, config_keys[i].key) == 0)
                break;
        if (i == ARRAY_SIZE(config_keys))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "%s: unknown configuration key \"%s\"", what, key);
        if (!config_type_ok(val, config_keys[i].type))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "%s: key \"%s\" must be %s, got %s", what, key,
                                  config_jtype_name(config_keys[i].type),
                                  json_type_label(val));
        if (strcmp(key, "log-level") == 0) {
            enum dctl_log_level l;
            if (log_level_parse(json_object_get_string(val), &l) < 0)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                      "%s: key \"log-level\": unknown level \"%s\"", what,
                                      json_object_get_string(val));
        }
        if (strcmp(key, "labels") == 0 || strcmp(key, "storage-opts") == 0 ||
            strcmp(key, "exec-opts") == 0) {
            size_t k;
            for (k = 0; k < json_object_array_length(val); k++) {
                const char *kv = json_object_get_string(json_object_array_get_idx(val, k));

                if (strchr(kv, '=') == NULL || kv[0] == '=')
                    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                          "%s: key \"%s\": invalid value \"%s\": expected "
                                          "KEY=VALUE", what, key, kv);
            }
        }
        if (strcmp(key, "cgroup-parent") == 0 &&
            config_check_cgroup_parent(json_object_get_string(val), err) < 0)
            return dctl_error_prefix(err, "%s", what);
        if (strcmp(key, "hosts") == 0 && json_object_array_length(val) == 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "%s: key \"hosts\" must not be empty", what);
    }
    json_object_object_foreach(root, k2, v) {
        size_t i;

        for (i = 0; i < ARRAY_SIZE(config_keys); i++)
            if (strcmp(k2, config_keys[i].key) == 0)
                break;
        if (c->from_flags & config_keys[i].field)
            continue;   /* flags override the file */
        switch (config_keys[i].field) {
        case CONFIG_HOSTS:
            config_strv_from_json(&c->hosts, v);
            break;
        case CONFIG_DATA_ROOT:
            config_set_str(&c->data_root, json_object_get_string(v));
            break;
        case CONFIG_EXEC_ROOT:
            config_set_str(&c->exec_root, json_object_get_string(v));
            break;
        case CONFIG_DRIVER_DIR:
            config_set_str(&c->driver_dir, json_object_get_string(v));
            break;
        case CONFIG_STORAGE_DRIVER:
            config_set_str(&c->storage_driver, json_object_get_string(v));
            break;
        case CONFIG_STORAGE_OPTS:
            config_strv_from_json(&c->storage_opts, v);
            break;
        case CONFIG_EXEC_DRIVER:
            config_set_str(&c->exec_driver, json_object_get_string(v));
            break;
        case CONFIG_EXEC_OPTS:
            config_strv_from_json(&c->exec_opts, v);
            break;
        case CONFIG_USERNS_REMAP:
            config_set_str(&c->userns_remap, json_object_get_string(v));
            break;
        case CONFIG_CGROUP_PARENT:
            config_set_str(&c->cgroup_parent, json_object_get_string(v));
            break;
        case CONFIG_LOG_LEVEL:
            log_level_parse(json_object_get_string(v), &c->log_level);
            break;
        case CONFIG_DEBUG:
            c->debug = json_object_get_boolean(v);
            break;
        case CONFIG_PIDFILE:
            config_set_str(&c->pidfile, json_object_get_string(v));
            break;
        case CONFIG_LABELS:
            config_strv_from_json(&c->labels, v);
            break;
        case CONFIG_IDLE_TIMEOUT:
            c->idle_timeout = (unsigned int)json_object_get_int64(v);
            break;
        case CONFIG_SHUTDOWN_TIMEOUT:
            c->shutdown_timeout = (unsigned int)json_object_get_int64(v);
            break;
        }
    }
    return 0;
}

static int
config_read_file(struct daemon_config *c, dctl_error_t *err)
{
    cleanup_free char *text = NULL;
    dctl_error_t rerr = NULL;
    size_t len;

    if (c->config_file == NULL)
        c->config_file = xstrdup(DAEMON_DEFAULT_CONFIG_FILE);
    text = file_read_all(AT_FDCWD, c->config_file, &len, &rerr);
    if (text == NULL) {
        if (rerr->kind == DCTL_ERR_NOT_FOUND && !c->config_file_given) {
            dctl_error_free(rerr);
            return 0;
        }
        *err = rerr;
        return dctl_error_prefix(err, "configuration file");
    }
    return daemon_config_apply_json(c, text, len, err);
}

int
daemon_config_load(struct daemon_config *c, dctl_error_t *err)
{
    if (config_read_file(c, err) < 0)
        return -1;
    if (c->hosts.n == 0)
        strv_add(&c->hosts, DAEMON_DEFAULT_HOST);
    if (c->data_root == NULL)
        c->data_root = xstrdup(DAEMON_DEFAULT_DATA_ROOT);
    if (c->exec_root == NULL)
        c->exec_root = xstrdup(DAEMON_DEFAULT_EXEC_ROOT);
    if (c->driver_dir == NULL)
        c->driver_dir = xstrdup(DCTL_DRIVER_DIR);
    if (c->pidfile == NULL)
        c->pidfile = xstrdup("/run/dctld.pid");
    if (c->data_root[0] != '/' || c->exec_root[0] != '/')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "data root and exec root must be absolute paths");
    return 0;
}

static char *
config_strv_text(const struct strv *s)
{
    char *out = xstrdup("[");
    size_t i;

    for (i = 0; i < s->n; i++) {
        char *n = xasprintf("%s%s%s", out, i ? " " : "", s->v[i]);
        free(out);
        out = n;
    }
    {
        char *n = xasprintf("%s]", out);
        free(out);
        out = n;
    }
    return out;
}

int
daemon_config_reload(struct daemon_config *c, char **changed, dctl_error_t *err)
{
    struct daemon_config fresh;
    cleanup_free char *list = NULL;
    enum dctl_log_level before = daemon_config_log_level(c), after;

    *changed = NULL;
    daemon_config_init(&fresh);
    fresh.config_file = xstrdup(c->config_file ? c->config_file : DAEMON_DEFAULT_CONFIG_FILE);
    fresh.config_file_given = c->config_file_given;
    /* flags still win: keep what they set */
    fresh.from_flags = c->from_flags;
    if (config_read_file(&fresh, err) < 0) {
        daemon_config_fini(&fresh);
        return -1;
    }
    list = xstrdup("");
    if (!(c->from_flags & CONFIG_LOG_LEVEL))
        c->log_level = fresh.log_level;
    if (!(c->from_flags & CONFIG_DEBUG))
        c->debug = fresh.debug;
    after = daemon_config_log_level(c);
    if (after != before) {
        char *n = xasprintf("%slog-level %s -> %s", list, log_level_name(before),
                            log_level_name(after));
        free(list);
        list = n;
    }
    if (!(c->from_flags & CONFIG_LABELS)) {
        cleanup_free char *old = config_strv_text(&c->labels);
        cleanup_free char *new = config_strv_text(&fresh.labels);

        if (strcmp(old, new) != 0) {
            char *n = xasprintf("%s%slabels %s -> %s", list, *list ? ", " : "", old, new);
            free(list);
            list = n;
            strv_clear(&c->labels);
            c->labels = fresh.labels;
            fresh.labels.v = NULL;
            fresh.labels.n = 0;
        }
    }
    daemon_config_fini(&fresh);
    if (*list)
        *changed = steal_ptr(&list);
    return 0;
}
