/* daemon/container.c - the container manager (see container.h): the store and its
 * files, names, the state machine over the exec driver's ops, restart policies
 * (moby restartmanager: 100 ms doubling to 1 min, reset after 10 s of running),
 * AutoRemove, waiters, restore at start and the container events. */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/driver.h"
#include "daemon/secfilter.h"
#include "daemon/security.h"
#include "daemon/events.h"
#include "daemon/exec.h"
#include "daemon/health.h"
#include "daemon/image.h"
#include "daemon/spec.h"
#include "daemon/userns.h"
#include "daemon/spec-resources.h"
#include "daemon/sysinfo.h"
#include "daemon/worker.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define CONTAINER_BACKOFF_MIN_MS 100
#define CONTAINER_BACKOFF_MAX_MS (60 * 1000)
#define CONTAINER_BACKOFF_RESET_NS (10LL * 1000000000LL)
#define CONTAINER_STOP_TIMEOUT_DEFAULT 10

struct container_store {
    struct dctld *d;
    char *root;
    struct secfilter_cache *seccomp; /* seccomp filters compiled for starts (EXEC_ROOT/seccomp) */
    struct container **v;
    size_t n;
    struct sysinfo si;   /* what the host's cgroups can do, read once at start */
};

struct container_waiter {
    struct container_waiter *prev, *next;
    struct container *c;           /* a reference */
    enum container_wait_cond cond;
    container_wait_cb cb;
    void *arg;
    struct event *now_ev;          /* not-running on a stopped container: fires at once */
};

static void container_exit_cb(void *arg, const char *id, const struct dctl_exit_status *st);
static int container_start_internal(struct container *c, bool by_policy, container_done_cb done,
                                    void *arg, dctl_error_t *err);
static int container_remove_internal(struct container *c, container_done_cb done, void *arg,
                                     dctl_error_t *err);
static void container_put_layer(struct container *c);

/* ---- basics --------------------------------------------------------------------- */

const char *
container_status_name(enum container_status st)
{
    switch (st) {
    case CONTAINER_CREATED:
        return "created";
    case CONTAINER_RUNNING:
        return "running";
    case CONTAINER_PAUSED:
        return "paused";
    case CONTAINER_RESTARTING:
        return "restarting";
    case CONTAINER_REMOVING:
        return "removing";
    case CONTAINER_EXITED:
        return "exited";
    case CONTAINER_DEAD:
        return "dead";
    }
    return "unknown";
}

bool
container_is_running(const struct container *c)
{
    return c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED ||
           c->status == CONTAINER_RESTARTING;
}

struct container *
container_ref(struct container *c)
{
    c->refs++;
    return c;
}

static void
container_free(struct container *c)
{
    health_free(c);
    container_oom_unwatch(c);
    free(c->name);
    if (c->config)
        json_object_put(c->config);
    if (c->hostconfig)
        json_object_put(c->hostconfig);
    free(c->dir);
    free(c->log_path);
    free(c->error);
    free(c->rootfs);
    free(c->list_row);
    if (c->create_warnings)
        json_object_put(c->create_warnings);
    if (c->restart_ev)
        event_free(c->restart_ev);
    if (c->stop_ev)
        event_free(c->stop_ev);
    free(c);
}

struct dctld *
container_dctld(const struct container *c)
{
    return c->store->d;
}

void
container_unref(struct container *c)
{
    if (c && --c->refs == 0)
        container_free(c);
}

static void
container_set_error(struct container *c, const char *msg)
{
    free(c->error);
    c->error = msg && *msg ? xstrdup(msg) : NULL;
}

const struct sysinfo *
container_store_sysinfo(struct container_store *s)
{
    return &s->si;
}

struct dctld *
container_store_dctld(struct container_store *s)
{
    return s->d;
}

const struct dctl_exec_ops *
container_exec_ops(struct container_store *s, void **priv, dctl_error_t *err)
{
    struct driver *drv = s->d->drivers ? s->d->drivers->exec : NULL;

    if (drv == NULL || drv->state != DRIVER_ACTIVE) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0,
                       "no exec driver is active: containers cannot be started (dctld was "
                       "started without a usable exec driver%s%s; see --exec-driver)",
                       drv ? ": " : "", drv && drv->error ? drv->error : "");
        return NULL;
    }
    *priv = drv->priv;
    return driver_ops(drv);
}

static struct layerstore *
container_layers(struct container_store *s)
{
    return s->d->images ? s->d->images->layers : NULL;
}

/* ---- signals ----------------------------------------------------------------------- */

static const struct { const char *name; int signo; } container_signals[] = {
    { "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "BUS", SIGBUS }, { "CHLD", SIGCHLD },
    { "CLD", SIGCHLD }, { "CONT", SIGCONT }, { "FPE", SIGFPE }, { "HUP", SIGHUP },
    { "ILL", SIGILL }, { "INT", SIGINT }, { "IO", SIGIO }, { "IOT", SIGIOT },
    { "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "POLL", SIGPOLL }, { "PROF", SIGPROF },
    { "PWR", SIGPWR }, { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "STKFLT", SIGSTKFLT },
    { "STOP", SIGSTOP }, { "SYS", SIGSYS }, { "TERM", SIGTERM }, { "TRAP", SIGTRAP },
    { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
    { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "VTALRM", SIGVTALRM }, { "WINCH", SIGWINCH },
    { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

int
container_signal_parse(const char *s)
{
    long long n;
    size_t i;

    if (s == NULL || *s == '\0')
        return -1;
    if (util_parse_int64(s, &n) == 0)
        return n > 0 && n <= 64 ? (int)n : -1;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (i = 0; i < ARRAY_SIZE(container_signals); i++)
        if (strcasecmp(s, container_signals[i].name) == 0)
            return container_signals[i].signo;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        long long off = 0;

        if (s[5] == '\0')
            return strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
        if ((s[5] == '+' || s[5] == '-') && util_parse_int64(s + 6, &off) == 0) {
            int sig = strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;

            return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
        }
    }
    return -1;
}

/* ---- names ------------------------------------------------------------------------- */

bool
container_name_valid(const char *name)
{
    const char *p = name;

    if (*p == '/')
        p++;
    if (!isalnum((unsigned char)*p))
        return false;
    if (p[1] == '\0')
        return false;
    for (p++; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
            return false;
    return true;
}

static const char *const container_adjectives[] = {
    "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome",
    "beautiful", "blissful", "bold", "boring", "brave", "busy", "charming", "clever",
    "compassionate", "competent", "condescending", "confident", "cool", "cranky", "crazy",
    "dazzling", "determined", "distracted", "dreamy", "eager", "ecstatic", "elastic",
    "elated", "elegant", "eloquent", "epic", "exciting", "fervent", "festive", "flamboyant",
    "focused", "friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious",
    "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring",
    "intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving",
    "lucid", "magical", "modest", "musing", "mystifying", "naughty", "nervous", "nice",
    "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic", "pensive",
    "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent",
    "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied",
    "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant",
    "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous",
    "zen",
};

static const char *const container_surnames[] = {
    "agnesi", "albattani", "allen", "almeida", "antonelli", "archimedes", "ardinghelli",
    "aryabhata", "austin", "babbage", "banach", "bardeen", "bartik", "bassi", "beaver",
    "bell", "benz", "bhabha", "bhaskara", "black", "blackburn", "blackwell", "bohr", "booth",
    "borg", "bose", "bouman", "boyd", "brahmagupta", "brattain", "brown", "buck", "burnell",
    "cannon", "carson", "cartwright", "carver", "cerf", "chandrasekhar", "chaplygin",
    "chatelet", "chatterjee", "chaum", "chebyshev", "clarke", "cohen", "colden", "cori",
    "cray", "curie", "curran", "darwin", "davinci", "dewdney", "dhawan", "diffie", "dijkstra",
    "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein", "elbakyan", "elgamal",
    "elion", "ellis", "engelbart", "euclid", "euler", "faraday", "feistel", "fermat", "fermi",
    "feynman", "franklin", "gagarin", "galileo", "galois", "ganguly", "gates", "gauss",
    "germain", "goldberg", "goldstine", "goldwasser", "golick", "goodall", "gould",
    "greider", "grothendieck", "haibt", "hamilton", "haslett", "hawking", "heisenberg",
    "hellman", "hermann", "herschel", "hertz", "heyrovsky", "hodgkin", "hofstadter",
    "hoover", "hopper", "hugle", "hypatia", "ishizaka", "jackson", "jang", "jemison",
    "jennings", "jepsen", "johnson", "joliot", "jones", "kalam", "kapitsa", "kare", "keldysh",
    "keller", "kepler", "khayyam", "khorana", "kilby", "kirch", "knuth", "kowalevski",
    "lalande", "lamarr", "lamport", "leakey", "leavitt", "lederberg", "lehmann", "lewin",
    "lichterman", "liskov", "lovelace", "lumiere", "mahavira", "margulis", "matsumoto",
    "maxwell", "mayer", "mccarthy", "mcclintock", "mclaren", "mclean", "mcnulty", "meitner",
    "mendel", "mendeleev", "meninsky", "merkle", "mestorf", "mirzakhani", "montalcini",
    "moore", "morse", "moser", "murdock", "napier", "nash", "neumann", "newton", "nightingale",
    "nobel", "noether", "northcutt", "noyce", "panini", "pare", "pascal", "pasteur", "payne",
    "perlman", "pike", "poincare", "poitras", "proskuriakova", "ptolemy", "raman",
    "ramanujan", "rhodes", "ride", "ritchie", "robinson", "roentgen", "rosalind", "rubin",
    "saha", "sammet", "sanderson", "satoshi", "shamir", "shannon", "shaw", "shirley",
    "shockley", "shtern", "sinoussi", "snyder", "solomon", "spence", "stonebraker",
    "sutherland", "swanson", "swartz", "swirles", "taussig", "tereshkova", "tesla", "tharp",
    "thompson", "torvalds", "tu", "turing", "varahamihira", "vaughan", "villani",
    "visvesvaraya", "volhard", "wescoff", "wilbur", "wiles", "williams", "williamson",
    "wilson", "wing", "wozniak", "wright", "wu", "yalow", "yonath", "zhukovsky",
};

static struct container *
container_by_name(struct container_store *s, const char *name)
{
    const char *n = name[0] == '/' ? name + 1 : name;
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i]->name + 1, n) == 0)
            return s->v[i];
    return NULL;
}

char *
container_name_generate(struct container_store *s)
{
    unsigned int r[2];
    int retry;

    for (retry = 0; retry < 1000; retry++) {
        char *name;

        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            abort();
        name = xasprintf("%s_%s", container_adjectives[r[0] % ARRAY_SIZE(container_adjectives)],
                         container_surnames[r[1] % ARRAY_SIZE(container_surnames)]);
        if (strcmp(name, "boring_wozniak") == 0) {   /* Steve Wozniak is not boring */
            free(name);
            continue;
        }
        if (retry > 10) {   /* as dockerd: a digit after repeated collisions */
            char *n2 = xasprintf("%s%u", name, r[0] % 10);

            free(name);
            name = n2;
        }
        if (s == NULL || container_by_name(s, name) == NULL)
            return name;
        free(name);
    }
    abort();
}

static int
container_name_reserve_check(struct container_store *s, const char *name, const char *self,
                             dctl_error_t *err)
{
    struct container *other;

    if (!container_name_valid(name))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                              "allowed", name);
    other = container_by_name(s, name);
    if (other && (self == NULL || strcmp(other->id, self) != 0))
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "Conflict. The container name \"/%s\" is already in use by "
                              "container \"%s\". You have to remove (or rename) that container "
                              "to be able to reuse that name.", name[0] == '/' ? name + 1 : name,
                              other->id);
    return 0;
}

/* ---- look-up --------------------------------------------------------------------- */

struct container *
container_lookup(struct container_store *s, const char *name, dctl_error_t *err)
{
    struct container *found = NULL;
    size_t i, len;

    if (name == NULL || *name == '\0') {
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", name ? name : "");
        return NULL;
    }
    for (i = 0; i < s->n; i++)
        if (!s->v[i]->creating && strcmp(s->v[i]->id, name) == 0)
            return s->v[i];
    found = container_by_name(s, name);
    if (found && !found->creating)
        return found;
    found = NULL;
    len = strlen(name);
    for (i = 0; i < s->n && len < 64; i++) {
        if (s->v[i]->creating || strncmp(s->v[i]->id, name, len) != 0)
            continue;
        if (found) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0,
                           "multiple IDs found with provided prefix: %s", name);
            return NULL;
        }
        found = s->v[i];
    }
    if (found == NULL)
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such container: %s", name);
    return found;
}

static int
container_by_created_desc(const void *a, const void *b)
{
    const struct container *x = *(struct container *const *)a, *y = *(struct container *const *)b;

    if (x->created_ns != y->created_ns)
        return x->created_ns < y->created_ns ? 1 : -1;
    return strcmp(x->id, y->id);
}

struct container **
container_list(struct container_store *s, size_t *n)
{
    struct container **v = xcalloc(s->n + 1, sizeof *v);
    size_t i, k = 0;

    for (i = 0; i < s->n; i++)
        if (!s->v[i]->creating)
            v[k++] = s->v[i];
    qsort(v, k, sizeof *v, container_by_created_desc);
    *n = k;
    return v;
}

size_t
container_count(struct container_store *s, enum container_status st, bool any)
{
    size_t i, n = 0;

    for (i = 0; i < s->n; i++)
        if (!s->v[i]->creating && (any || s->v[i]->status == st))
            n++;
    return n;
}

static void
container_store_add(struct container_store *s, struct container *c)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = c;
}

static void
container_store_drop(struct container_store *s, struct container *c)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (s->v[i] == c) {
            memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
            s->n--;
            break;
        }
    }
    c->removed = true;
    health_stop(c);
    container_oom_unwatch(c);
    if (s->d->execs)
        exec_container_dropped(s->d->execs, c);
    if (c->restart_ev)
        event_del(c->restart_ev);
    if (c->stop_ev)
        event_del(c->stop_ev);
    container_unref(c);   /* the store's reference */
}

/* ---- events --------------------------------------------------------------------------- */

struct json_object *
container_event_attrs(const struct container *c)
{
    struct json_object *a = json_object_new_object(), *labels = NULL;

    if (json_object_object_get_ex(c->config, "Labels", &labels) && labels &&
        json_object_is_type(labels, json_type_object)) {
        json_object_object_foreach(labels, k, v) {
            json_object_object_add(a, k, json_object_get(v));
        }
    }
    json_add_string(a, "image", json_get_string(c->config, "Image"));
    json_add_string(a, "name", c->name + 1);
    return a;
}

void
container_emit(struct container *c, const char *action, ...)
{
    struct json_object *a = container_event_attrs(c);
    const char *k, *v;
    va_list ap;

    va_start(ap, action);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        if (v)
            json_add_string(a, k, v);
    }
    va_end(ap);
    events_emit_attrs(c->store->d->events, EVENTS_TYPE_CONTAINER, action, c->id, a);
}

/* ---- the files ---------------------------------------------------------------------- */

static void
container_time(long long ns, char *buf, size_t len)
{
    if (ns == 0)
        snprintf(buf, len, "0001-01-01T00:00:00Z");
    else
        util_format_rfc3339(ns, buf, len);
}

static long long
container_time_parse(const char *s)
{
    long long ns = 0;

    if (s == NULL || util_has_prefix(s, "0001-01-01") || util_parse_timestamp(s, 0, &ns) < 0)
        return 0;
    return ns;
}

/* config.v2.json as dockerd writes it (the members dctl uses). */
static struct json_object *
container_to_json(const struct container *c)
{
    struct json_object *o = json_object_new_object(), *st = json_object_new_object();
    struct json_object *args = json_object_new_array(), *ep = NULL, *cmd = NULL;
    char t[64];
    const char *path = "";
    size_t i, first = 1;
    cleanup_free char *hn = xasprintf("%s/hostname", c->dir);
    cleanup_free char *hs = xasprintf("%s/hosts", c->dir);
    cleanup_free char *rs = xasprintf("%s/resolv.conf", c->dir);

    json_object_object_add(o, "StreamConfig", json_object_new_object());
    json_add_bool(st, "Running", container_is_running(c));
    json_add_bool(st, "Paused", c->status == CONTAINER_PAUSED);
    json_add_bool(st, "Restarting", c->status == CONTAINER_RESTARTING);
    json_add_bool(st, "OOMKilled", c->oom_killed);
    json_add_bool(st, "RemovalInProgress", c->status == CONTAINER_REMOVING);
    json_add_bool(st, "Dead", c->status == CONTAINER_DEAD);
    json_add_int64(st, "Pid", c->pid);
    json_add_int64(st, "ExitCode", c->exit_code);
    json_add_string(st, "Error", c->error ? c->error : "");
    container_time(c->started_ns, t, sizeof t);
    json_add_string(st, "StartedAt", t);
    container_time(c->finished_ns, t, sizeof t);
    json_add_string(st, "FinishedAt", t);
    json_object_object_add(st, "Health", health_to_json(c));
    json_object_object_add(o, "State", st);
    json_add_string(o, "ID", c->id);
    container_time(c->created_ns, t, sizeof t);
    json_add_string(o, "Created", t);
    json_add_bool(o, "Managed", false);
    json_object_object_get_ex(c->config, "Entrypoint", &ep);
    json_object_object_get_ex(c->config, "Cmd", &cmd);
    if (ep && json_object_array_length(ep) > 0) {
        path = json_object_get_string(json_object_array_get_idx(ep, 0));
        for (i = 1; i < json_object_array_length(ep); i++)
            json_object_array_add(args, json_object_get(json_object_array_get_idx(ep, i)));
        first = 0;
    }
    for (i = 0; cmd && i < json_object_array_length(cmd); i++) {
        if (first && i == 0) {
            path = json_object_get_string(json_object_array_get_idx(cmd, 0));
            continue;
        }
        json_object_array_add(args, json_object_get(json_object_array_get_idx(cmd, i)));
    }
    json_add_string(o, "Path", path);
    json_object_object_add(o, "Args", args);
    json_object_object_add(o, "Config", json_object_get(c->config));
    json_add_string(o, "Image", c->image_id);
    json_add_string(o, "LogPath", c->log_path);
    json_add_string(o, "Name", c->name);
    json_add_string(o, "Driver", c->store->d->images ? c->store->d->images->driver_name : "");
    json_add_string(o, "OS", "linux");
    json_add_int64(o, "RestartCount", c->restart_count);
    json_add_bool(o, "HasBeenStartedBefore", c->has_been_started);
    json_add_bool(o, "HasBeenManuallyStopped", c->manually_stopped);
    json_object_object_add(o, "MountPoints", json_object_new_object());
    json_add_string(o, "MountLabel", "");
    json_add_string(o, "ProcessLabel", "");
    json_add_string(o, "AppArmorProfile", "");
    json_add_string(o, "HostnamePath", hn);
    json_add_string(o, "HostsPath", hs);
    json_add_string(o, "ResolvConfPath", rs);
    return o;
}

static int
container_from_json(struct container *c, struct json_object *o, struct json_object *hc,
                    dctl_error_t *err)
{
    struct json_object *st = NULL, *cfg = NULL;
    const char *name = json_get_string(o, "Name"), *image = json_get_string(o, "Image");

    if (!json_object_object_get_ex(o, "State", &st) || st == NULL ||
        !json_object_object_get_ex(o, "Config", &cfg) || cfg == NULL ||
        !json_object_is_type(cfg, json_type_object) || name == NULL || name[0] != '/' ||
        image == NULL)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "config.v2.json is incomplete");
    c->name = xstrdup(name);
    snprintf(c->image_id, sizeof c->image_id, "%s", image);
    c->config = json_object_get(cfg);
    c->hostconfig = json_object_get(hc);
    c->created_ns = container_time_parse(json_get_string(o, "Created"));
    c->pid = (int)json_get_int64(st, "Pid", 0);
    c->exit_code = (int)json_get_int64(st, "ExitCode", 0);
    container_set_error(c, json_get_string(st, "Error"));
    c->oom_killed = json_get_bool(st, "OOMKilled", false);
    health_load(c, json_object_object_get(st, "Health"));
    c->started_ns = container_time_parse(json_get_string(st, "StartedAt"));
    c->finished_ns = container_time_parse(json_get_string(st, "FinishedAt"));
    c->restart_count = (int)json_get_int64(o, "RestartCount", 0);
    c->has_been_started = json_get_bool(o, "HasBeenStartedBefore", false);
    c->manually_stopped = json_get_bool(o, "HasBeenManuallyStopped", false);
    if (json_get_bool(st, "Dead", false))
        c->status = CONTAINER_DEAD;
    else if (json_get_bool(st, "Restarting", false))
        c->status = CONTAINER_RESTARTING;
    else if (json_get_bool(st, "Paused", false))
        c->status = CONTAINER_PAUSED;
    else if (json_get_bool(st, "Running", false))
        c->status = CONTAINER_RUNNING;
    else if (json_get_bool(st, "RemovalInProgress", false))
        c->status = CONTAINER_DEAD;   /* a removal cut short: dockerd's Dead */
    else if (c->started_ns == 0)
        c->status = CONTAINER_CREATED;
    else
        c->status = CONTAINER_EXITED;
    return 0;
}

/* The two files, written in a job (dir is a copy: the job owns its inputs). */
struct container_files {
    char *dir, *config, *hostconfig;
};

static int
container_files_write(const struct container_files *f, dctl_error_t *err)
{
    cleanup_close int dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", f->dir);
    if (file_write_atomic(dfd, "hostconfig.json", f->hostconfig, strlen(f->hostconfig), 0644,
                          err) < 0 ||
        file_write_atomic(dfd, "config.v2.json", f->config, strlen(f->config), 0600, err) < 0)
        return -1;
    return 0;
}

static void
container_files_init(struct container_files *f, const struct container *c)
{
    cleanup_json struct json_object *o = container_to_json(c);

    f->dir = xstrdup(c->dir);
    f->config = json_to_string(o);
    f->hostconfig = json_to_string(c->hostconfig);
}

static void
container_files_fini(struct container_files *f)
{
    free(f->dir);
    free(f->config);
    free(f->hostconfig);
}

struct container_save_job {
    struct container *c;
    struct container_files f;
};

static int
container_save_run(void *job, dctl_error_t *err)
{
    struct container_save_job *j = job;

    return container_files_write(&j->f, err);
}

static void
container_save_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_save_job *j = job;
    struct container *c = j->c;

    if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_error("container %.12s: save state: %s", c->id, text);
    }
    dctl_error_free(err);
    container_files_fini(&j->f);
    free(j);
    c->saving = false;
    if (c->save_again && !c->removed) {
        c->save_again = false;
        container_save(c);
    } else if (c->after_save) {
        void (*next)(struct container *) = c->after_save;

        c->after_save = NULL;
        next(c);
    }
    container_unref(c);
}

/* Writes the container's files in a job; saves in flight are serialised so that the
 * last state wins on disk. */
void
container_save(struct container *c)
{
    struct container_save_job *j;
    dctl_error_t err = NULL;

    if (c->removed || c->creating)
        return;
    if (c->saving) {
        c->save_again = true;
        return;
    }
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    container_files_init(&j->f, c);
    c->saving = true;
    if (worker_submit(c->store->d->workers, container_save_run, container_save_done_cb, j,
                      &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_error("container %.12s: save state: %s", c->id, text);
        dctl_error_free(err);
        c->saving = false;
        container_files_fini(&j->f);
        container_unref(c);
        free(j);
    }
}

/* ---- waiters --------------------------------------------------------------------------- */

int
container_wait_cond_parse(const char *s, enum container_wait_cond *out, dctl_error_t *err)
{
    if (s == NULL || *s == '\0' || strcmp(s, "not-running") == 0)
        *out = CONTAINER_WAIT_NOT_RUNNING;
    else if (strcmp(s, "next-exit") == 0)
        *out = CONTAINER_WAIT_NEXT_EXIT;
    else if (strcmp(s, "removed") == 0)
        *out = CONTAINER_WAIT_REMOVED;
    else
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid condition: \"%s\"", s);
    return 0;
}

static void
container_waiter_unlink(struct container_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else if (w->c->waiters == w)
        w->c->waiters = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
}

static void
container_waiter_free(struct container_waiter *w)
{
    if (w->now_ev)
        event_free(w->now_ev);
    container_unref(w->c);
    free(w);
}

static void
container_waiter_fire(struct container_waiter *w, int code, const char *error)
{
    container_wait_cb cb = w->cb;
    void *arg = w->arg;

    container_waiter_unlink(w);
    container_waiter_free(w);
    cb(arg, code, error);
}

static void
container_waiter_now_cb(evutil_socket_t fd, short what, void *arg)
{
    struct container_waiter *w = arg;

    (void)fd;
    (void)what;
    container_waiter_fire(w, w->c->exit_code, w->c->error);
}

struct container_waiter *
container_wait(struct container *c, enum container_wait_cond cond, container_wait_cb cb,
               void *arg, dctl_error_t *err)
{
    struct container_waiter *w = xcalloc(1, sizeof *w);

    (void)err;
    w->c = container_ref(c);
    w->cond = cond;
    w->cb = cb;
    w->arg = arg;
    w->next = c->waiters;
    if (w->next)
        w->next->prev = w;
    c->waiters = w;
    if (cond == CONTAINER_WAIT_NOT_RUNNING && !container_is_running(c)) {
        w->now_ev = evtimer_new(c->store->d->base, container_waiter_now_cb, w);
        event_active(w->now_ev, EV_TIMEOUT, 0);
    }
    return w;
}

void
container_wait_cancel(struct container_waiter *w)
{
    if (w == NULL)
        return;
    container_waiter_unlink(w);
    container_waiter_free(w);
}

/* Fires the waiters that an exit (restarting: a restart follows) or removal satisfies. */
static void
container_waiters_notify(struct container *c, bool exited, bool restarting, bool removed)
{
    struct container_waiter *w = c->waiters, *next;

    container_ref(c);
    for (; w; w = next) {
        next = w->next;
        if (w->now_ev)
            continue;   /* fires from its own timer */
        if (removed || (exited && (w->cond == CONTAINER_WAIT_NEXT_EXIT ||
                                   (w->cond == CONTAINER_WAIT_NOT_RUNNING && !restarting)))) {
            container_waiter_fire(w, c->exit_code, c->error);
            next = c->waiters;   /* the list may have changed under the callback */
        }
    }
    container_unref(c);
}

/* ---- load, restore ------------------------------------------------------------------ */

static struct container *
container_new(struct container_store *s, const char *id)
{
    struct container *c = xcalloc(1, sizeof *c);

    c->store = s;
    c->refs = 1;   /* the store's */
    snprintf(c->id, sizeof c->id, "%s", id);
    c->dir = xasprintf("%s/%s", s->root, id);
    c->log_path = xasprintf("%s/%s-json.log", c->dir, id);
    return c;
}

static struct container *
container_load_one(struct container_store *s, const char *id, dctl_error_t *err)
{
    struct container *c = container_new(s, id);
    cleanup_free char *dir = xasprintf("%s/%s", s->root, id);
    cleanup_free char *ctext = NULL, *htext = NULL;
    cleanup_json struct json_object *o = NULL, *hc = NULL;
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0 || (ctext = file_read_all(dfd, "config.v2.json", NULL, err)) == NULL ||
        (htext = file_read_all(dfd, "hostconfig.json", NULL, err)) == NULL ||
        (o = json_parse_object(ctext, strlen(ctext), "config.v2.json", err)) == NULL ||
        (hc = json_parse_object(htext, strlen(htext), "hostconfig.json", err)) == NULL ||
        container_from_json(c, o, hc, err) < 0) {
        if (dfd < 0)
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", dir);
        container_free(c);
        return NULL;
    }
    return c;
}

/* moby restartmanager.ShouldRestart; on true the back-off is set for the next start. */
static bool
container_should_restart(struct container *c, bool daemon_start)
{
    struct json_object *rp = NULL;
    const char *name;
    long long max;
    long long ran = c->finished_ns - c->started_ns;
    bool restart = false;

    json_object_object_get_ex(c->hostconfig, "RestartPolicy", &rp);
    name = json_get_string(rp, "Name");
    max = json_get_int64(rp, "MaximumRetryCount", 0);
    if (name == NULL || c->removed)
        return false;
    /* "always" brings back even a container stopped by hand when the daemon starts */
    if (c->manually_stopped && !(daemon_start && strcmp(name, "always") == 0))
        return false;
    if (strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0)
        restart = true;
    else if (strcmp(name, "on-failure") == 0)
        restart = c->exit_code != 0 && (max == 0 || c->restart_count < max);
    if (!restart)
        return false;
    if (daemon_start) {
        c->backoff_ms = 0;
        return true;
    }
    if (ran >= CONTAINER_BACKOFF_RESET_NS)
        c->backoff_ms = 0;
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : CONTAINER_BACKOFF_MIN_MS;
    if (c->backoff_ms > CONTAINER_BACKOFF_MAX_MS)
        c->backoff_ms = CONTAINER_BACKOFF_MAX_MS;
    return true;
}

static void
container_policy_started_cb(void *arg, struct container *c, int status, dctl_error_t err)
{
    (void)arg;
    if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("container %.12s: restart by policy failed: %s", c->id, text);
    }
    dctl_error_free(err);
}

static void
container_restart_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct container *c = arg;
    dctl_error_t err = NULL;

    (void)fd;
    (void)what;
    if (c->removed || c->status != CONTAINER_RESTARTING)
        return;
    c->restart_count++;
    if (container_start_internal(c, true, container_policy_started_cb, NULL, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("container %.12s: restart by policy failed: %s", c->id, text);
        dctl_error_free(err);
        c->status = CONTAINER_EXITED;
        container_save(c);
        container_waiters_notify(c, true, false, false);
    }
}

static void
container_schedule_restart(struct container *c)
{
    struct timeval tv = { (time_t)(c->backoff_ms / 1000),
                          (suseconds_t)(c->backoff_ms % 1000) * 1000 };

    c->status = CONTAINER_RESTARTING;
    if (c->restart_ev == NULL)
        c->restart_ev = evtimer_new(c->store->d->base, container_restart_timer_cb, c);
    evtimer_add(c->restart_ev, &tv);
    log_debug("container %.12s: restarting in %lld ms", c->id, c->backoff_ms);
}

/* Applies an exit: state, die event, policy, layer, waiters, AutoRemove. */
static void
container_handle_exit(struct container *c, const struct dctl_exit_status *st, bool restored)
{
    char code[16];
    bool restart;

    container_ref(c);
    health_stop(c);
    container_oom_unwatch(c);
    c->pid = 0;
    c->exit_code = st->exit_code;
    c->oom_killed = st->oom_killed;
    c->finished_ns = st->finished_at ? st->finished_at : util_now_ns();
    if (st->started_at && !c->started_ns)
        c->started_ns = st->started_at;
    container_set_error(c, st->error);
    if (c->stop_ev)
        event_del(c->stop_ev);
    if (c->store->d->images)
        image_service_use(c->store->d->images, c->image_id, c->id, false);
    snprintf(code, sizeof code, "%d", c->exit_code);
    if (st->oom_killed && !c->oom_reported)   /* not seen while it ran */
        container_emit(c, "oom", NULL);
    container_emit(c, "die", "exitCode", code, NULL);
    log_info("container %.12s: exited with code %d%s%s", c->id, c->exit_code,
             restored ? " while dctld was down" : "", "");
    restart = container_should_restart(c, false);
    if (restart) {
        container_schedule_restart(c);
    } else {
        c->status = CONTAINER_EXITED;
        container_put_layer(c);
    }
    container_save(c);
    container_waiters_notify(c, true, restart, false);
    if (!restart && !c->removed && json_get_bool(c->hostconfig, "AutoRemove", false) &&
        c->status == CONTAINER_EXITED && !c->busy) {
        dctl_error_t err = NULL;

        if (container_remove_internal(c, NULL, NULL, &err) < 0) {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("container %.12s: auto-remove: %s", c->id, text);
            dctl_error_free(err);
        }
    }
    container_unref(c);
}

static void
container_exit_cb(void *arg, const char *id, const struct dctl_exit_status *st)
{
    struct container *c = arg;

    (void)id;
    if (!c->removed && (c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED))
        container_handle_exit(c, st, false);
    container_unref(c);   /* the watch's reference */
}

static int
container_watch(struct container *c, dctl_error_t *err)
{
    const struct dctl_exec_ops *ops;
    void *priv;

    ops = container_exec_ops(c->store, &priv, err);
    if (ops == NULL)
        return -1;
    container_ref(c);
    if (ops->watch(priv, c->id, container_exit_cb, c, err) < 0) {
        container_unref(c);
        return -1;
    }
    return 0;
}

/* A layer get for a container found running at start (its mount count is ours again). */
/* A container found running at restore is paused or not as its freezer says (dctld may
 * have been killed between a freeze and the save that records it), as dockerd asks
 * containerd for the task's status; its record is saved when it was wrong. */
static void
container_restore_paused(struct container *c)
{
    int frozen = container_cgroup_frozen(c);
    enum container_status want;

    if (frozen < 0)
        return;
    want = frozen ? CONTAINER_PAUSED : CONTAINER_RUNNING;
    if (c->status != want) {
        log_warn("container %.12s: recorded %s but its freezer says %s", c->id,
                 c->status == CONTAINER_PAUSED ? "paused" : "running",
                 frozen ? "frozen" : "thawed");
        c->status = want;
        container_save(c);
    }
}

static void
container_restore_mount(struct container *c)
{
    struct layerstore *ls = container_layers(c->store);
    dctl_error_t err = NULL;
    char *path = NULL;

    if (ls == NULL || c->mounted)
        return;
    if (layerstore_mount_get(ls, c->id, &path, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("container %.12s: mount RW layer: %s", c->id, text);
        dctl_error_free(err);
        return;
    }
    c->mounted = true;
    free(c->rootfs);
    c->rootfs = path;
}

static void
container_restore(struct container *c)
{
    const struct dctl_exec_ops *ops;
    struct dctl_exit_status st = { 0 };
    dctl_error_t err = NULL;
    void *priv;
    int pid = 0;

    if (c->store->d->images)
        image_service_use(c->store->d->images, c->image_id, c->id, false);
    if (c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED ||
        c->status == CONTAINER_RESTARTING) {
        ops = container_exec_ops(c->store, &priv, &err);
        if (ops && c->status != CONTAINER_RESTARTING &&
            ops->restore(priv, c->id, &pid, &st, &err) == 0 && pid > 0) {
            c->pid = pid;
            container_restore_mount(c);
            if (container_watch(c, &err) == 0) {
                if (c->store->d->images)
                    image_service_use(c->store->d->images, c->image_id, c->id, true);
                health_start(c, true);
                container_oom_watch(c, false);
                container_restore_paused(c);
                log_info("container %.12s: still running (pid %d)%s", c->id, pid,
                         c->status == CONTAINER_PAUSED ? ", paused" : "");
                return;
            }
        }
        if (err) {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("container %.12s: restore: %s", c->id, text);
            if (st.finished_at == 0) {
                st.exit_code = 255;
                st.error = err->kind == DCTL_ERR_NOT_FOUND ? "shim died" : NULL;
            }
        }
        if (c->status == CONTAINER_RESTARTING) {
            c->status = CONTAINER_RUNNING;   /* as if the restart's exit were now */
            st.exit_code = c->exit_code;
        }
        c->status = CONTAINER_RUNNING;
        container_handle_exit(c, &st, true);
        dctl_error_free(err);
        return;
    }
    /* stopped with a policy that restarts it when the daemon starts (always,
     * unless-stopped not stopped by hand, on-failure after a failure) */
    if ((c->status == CONTAINER_EXITED) && container_should_restart(c, true)) {
        log_info("container %.12s: starting it as its restart policy says", c->id);
        if (container_start_internal(c, true, container_policy_started_cb, NULL, &err) < 0) {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("container %.12s: start at daemon start: %s", c->id, text);
            dctl_error_free(err);
        }
    }
}

/* With --userns-remap, a directory on the way to a container's files is group-owned by
 * its root (mode 0710), as dockerd makes them: the container's root can reach its
 * hostname, hosts and resolv.conf, nobody else can look in. Any thread. */
static int
container_dir_own(struct container_store *s, const char *path, dctl_error_t *err)
{
    const struct userns_remap *r = s->d->userns;

    if (r && chown(path, 0, r->root_gid) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chown %s", path);
    return 0;
}

/* The default seccomp filter for Docker's default capabilities, compiled at start-up on a
 * worker, so that the first container does not wait for it. */
static int
container_seccomp_warm_run(void *job, dctl_error_t *err)
{
    struct container_store *s = job;
    struct secfilter_result r;
    int rc = secfilter_cache_get(s->seccomp, NULL, security_caps_default(), &r, err);

    if (rc == 0)
        secfilter_result_fini(&r);
    return rc;
}

static void
container_seccomp_warm_done_cb(void *job, int status, dctl_error_t err)
{
    if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("seccomp: the default filter does not compile: %s", text);
    }
    dctl_error_free(err);
}

struct container_store *
container_store_open(struct dctld *d, dctl_error_t *err)
{
    struct container_store *s = xcalloc(1, sizeof *s);
    DIR *dir;
    struct dirent *de;
    size_t i, n;

    s->d = d;
    sysinfo_read(&s->si);
    s->root = xasprintf("%s/containers", d->config.data_root);
    {
        cleanup_free char *filters = xasprintf("%s/seccomp", d->config.exec_root);

        s->seccomp = secfilter_cache_new(filters);
    }
    if (file_mkdir_p(s->root, 0710, err) < 0 || container_dir_own(s, s->root, err) < 0) {
        container_store_free(s);
        return NULL;
    }
    dir = opendir(s->root);
    if (dir == NULL) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", s->root);
        container_store_free(s);
        return NULL;
    }
    while ((de = readdir(dir)) != NULL) {
        dctl_error_t lerr = NULL;
        struct container *c;

        if (de->d_name[0] == '.')
            continue;
        c = container_load_one(s, de->d_name, &lerr);
        if (c == NULL) {
            cleanup_free char *text = dctl_error_text(lerr);

            log_warn("container %.12s: cannot be loaded (%s); left in %s", de->d_name, text,
                     s->root);
            dctl_error_free(lerr);
            continue;
        }
        if (container_layers(s) && !layerstore_mount_exists(container_layers(s), c->id, NULL))
            log_warn("container %.12s: its RW layer is missing", c->id);
        container_store_add(s, c);
    }
    closedir(dir);
    n = s->n;
    for (i = 0; i < n && i < s->n; i++)
        container_restore(s->v[i]);
    log_info("dctld: %zu containers", s->n);
    {
        dctl_error_t werr = NULL;

        if (d->workers && worker_submit(d->workers, container_seccomp_warm_run,
                                        container_seccomp_warm_done_cb, s, &werr) < 0)
            dctl_error_free(werr);
    }
    return s;
}

void
container_store_free(struct container_store *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        struct container *c = s->v[i];

        while (c->waiters)
            container_waiter_fire(c->waiters, -1, "dctld is shutting down");
        c->removed = true;
        if (c->restart_ev) {
            event_free(c->restart_ev);
            c->restart_ev = NULL;
        }
        if (c->stop_ev) {
            event_free(c->stop_ev);
            c->stop_ev = NULL;
        }
        container_unref(c);
    }
    free(s->v);
    secfilter_cache_free(s->seccomp);
    free(s->root);
    free(s);
}

/* ---- create ------------------------------------------------------------------------------- */

struct container_create_job {
    struct container *c;
    struct layerstore *ls;
    struct container_files f;
    char parent[DIGEST_STRING_MAX];
    container_done_cb done;
    void *arg;
};

static int
container_create_run(void *job, dctl_error_t *err)
{
    struct container_create_job *j = job;
    dctl_error_t cerr = NULL;

    if (mkdir(j->f.dir, 0710) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create %s", j->f.dir);
    if (container_dir_own(j->c->store, j->f.dir, err) < 0 ||
        layerstore_mount_create(j->ls, j->c->id, j->parent, err) < 0)
        goto fail;
    if (container_files_write(&j->f, err) < 0) {
        layerstore_mount_remove(j->ls, j->c->id, &cerr);
        goto fail;
    }
    return 0;
fail:
    dctl_error_clear(&cerr);
    tree_remove(j->f.dir, &cerr);
    dctl_error_free(cerr);
    return -1;
}

static void
container_create_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_create_job *j = job;
    struct container *c = j->c;

    container_files_fini(&j->f);
    if (status < 0) {
        container_store_drop(c->store, c);
        j->done(j->arg, NULL, -1, err);
        container_unref(c);
        free(j);
        return;
    }
    dctl_error_free(err);
    c->creating = false;
    if (c->store->d->images)
        image_service_use(c->store->d->images, c->image_id, c->id, false);
    container_emit(c, "create", NULL);
    log_debug("container %.12s: created as %s", c->id, c->name);
    j->done(j->arg, c, 0, NULL);
    container_unref(c);
    free(j);
}

int
container_create(struct container_store *s, struct json_object *body, const char *name,
                 container_done_cb done, void *arg, dctl_error_t *err)
{
    struct image_service *svc = s->d->images;
    cleanup_image struct image *img = NULL;
    cleanup_json struct json_object *icfg = NULL, *config = NULL, *hc = NULL, *warnings = NULL;
    struct json_object *iconfig = NULL, *hcin = NULL;
    const char *image = json_get_string(body, "Image");
    cleanup_free char *gen = NULL;
    struct container_create_job *j;
    struct container *c;
    char id[65];

    if (svc == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                              "no storage driver is active: containers cannot be created");
    if (spec_body_check(body, err) < 0)
        return -1;
    if (name && *name) {
        if (!container_name_valid(name))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                  "are allowed", name);
        if (container_name_reserve_check(s, name, NULL, err) < 0)
            return -1;
    }
    if (image == NULL || *image == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Config cannot be empty in order to create a container");
    img = image_service_lookup(svc, image, err);
    if (img == NULL)
        return -1;
    icfg = json_parse_object(img->config, img->config_len, "image config", err);
    if (icfg == NULL)
        return -1;
    json_object_object_get_ex(icfg, "config", &iconfig);
    config = spec_config_merge(body, iconfig, err);
    if (config == NULL)
        return -1;
    json_object_object_get_ex(body, "HostConfig", &hcin);
    hc = spec_hostconfig_normalize(hcin, err);
    if (hc == NULL || spec_userns_check(hc, s->d->userns != NULL, err) < 0)
        return -1;
    warnings = json_object_new_array();
    if (spec_resources_check(hc, &s->si, false, warnings, err) < 0)
        return -1;
    spec_resources_defaults(hc);
    util_random_id(id);
    /* the hostname: given, the host's with host networking, else the short ID */
    if (*json_get_string(config, "Hostname") == '\0') {
        char host[256] = "";

        if (strcmp(json_get_string(hc, "NetworkMode"), "host") == 0 &&
            gethostname(host, sizeof host - 1) == 0)
            json_add_string(config, "Hostname", host);
        else {
            char short_id[13];

            snprintf(short_id, sizeof short_id, "%.12s", id);
            json_add_string(config, "Hostname", short_id);
        }
    }
    if (name == NULL || *name == '\0')
        name = gen = container_name_generate(s);
    c = container_new(s, id);
    c->creating = true;
    c->name = xasprintf("/%s", name[0] == '/' ? name + 1 : name);
    snprintf(c->image_id, sizeof c->image_id, "%s", img->id);
    snprintf(c->top_chain, sizeof c->top_chain, "%s", img->top_chain);
    c->config = steal_ptr(&config);
    c->hostconfig = steal_ptr(&hc);
    c->create_warnings = steal_ptr(&warnings);
    c->created_ns = util_now_ns();
    c->status = CONTAINER_CREATED;
    container_store_add(s, c);   /* reserves the name */
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    j->ls = svc->layers;
    snprintf(j->parent, sizeof j->parent, "%s", img->top_chain);
    container_files_init(&j->f, c);
    j->done = done;
    j->arg = arg;
    if (worker_submit(s->d->workers, container_create_run, container_create_done_cb, j,
                      err) < 0) {
        container_files_fini(&j->f);
        container_store_drop(s, c);
        container_unref(c);
        free(j);
        return -1;
    }
    return 0;
}

/* ---- RW layer put --------------------------------------------------------------------- */

struct container_layer_job {
    struct container *c;
    struct layerstore *ls;
};

static int
container_put_run(void *job, dctl_error_t *err)
{
    struct container_layer_job *j = job;

    return layerstore_mount_put(j->ls, j->c->id, err);
}

static void
container_put_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_layer_job *j = job;

    if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("container %.12s: unmount RW layer: %s", j->c->id, text);
    }
    dctl_error_free(err);
    container_unref(j->c);
    free(j);
}

static void
container_put_layer(struct container *c)
{
    struct container_layer_job *j;
    dctl_error_t err = NULL;

    if (!c->mounted || container_layers(c->store) == NULL)
        return;
    c->mounted = false;
    free(c->rootfs);
    c->rootfs = NULL;
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    j->ls = container_layers(c->store);
    if (worker_submit(c->store->d->workers, container_put_run, container_put_done_cb, j,
                      &err) < 0) {
        dctl_error_free(err);
        container_unref(c);
        free(j);
    }
}

/* ---- start ------------------------------------------------------------------------------ */

struct container_start_job {
    struct container *c;
    struct layerstore *ls;
    bool by_policy, had_mount, got_mount;
    struct json_object *config, *hostconfig;
    char *dir, *log_path, *rootfs, *spec, *cgroup_parent;
    const struct dctl_exec_ops *ops;
    void *priv;
    int pid;
    container_done_cb done;
    void *arg;
};

static void
container_start_job_free(struct container_start_job *j)
{
    if (j->config)
        json_object_put(j->config);
    if (j->hostconfig)
        json_object_put(j->hostconfig);
    free(j->dir);
    free(j->log_path);
    free(j->rootfs);
    free(j->spec);
    free(j->cgroup_parent);
    container_unref(j->c);
    free(j);
}

/* Docker's exit codes for a command that cannot run. */
static int
container_start_error_code(const char *msg)
{
    if (msg && (strstr(msg, "executable file not found") || strstr(msg, "no such file")))
        return 127;
    if (msg && strstr(msg, "permission denied"))
        return 126;
    return 128;
}

static void
container_start_fail(struct container_start_job *j, dctl_error_t err)
{
    struct container *c = j->c;
    cleanup_free char *text = dctl_error_text(err);

    c->busy = false;
    c->start_failed_ns = util_now_ns();
    if (!c->removed) {
        container_set_error(c, text);
        c->exit_code = container_start_error_code(text);
        if (c->status == CONTAINER_RESTARTING || c->status == CONTAINER_RUNNING) {
            c->status = CONTAINER_EXITED;
            c->finished_ns = util_now_ns();
        }
        container_put_layer(c);
        container_save(c);
        if (j->by_policy)
            container_waiters_notify(c, true, false, false);
        if (json_get_bool(c->hostconfig, "AutoRemove", false)) {   /* as dockerd */
            dctl_error_t rerr = NULL;

            if (container_remove_internal(c, NULL, NULL, &rerr) < 0) {
                cleanup_free char *rtext = dctl_error_text(rerr);

                log_warn("container %.12s: auto-remove after a failed start: %s", c->id, rtext);
                dctl_error_free(rerr);
            }
        }
    }
    log_debug("container %.12s: start failed: %s", c->id, text);
    if (j->done)
        j->done(j->arg, c, -1, err);
    else
        dctl_error_free(err);
    container_start_job_free(j);
}

static int
container_start_prepare_run(void *job, dctl_error_t *err)
{
    struct container_start_job *j = job;
    struct spec_input in = { .id = j->c->id, .config = j->config, .hostconfig = j->hostconfig,
                             .container_dir = j->dir, .log_path = j->log_path,
                             .cgroup_parent = j->cgroup_parent,
                             .seccomp = j->c->store->seccomp };
    cleanup_json struct json_object *spec = NULL;
    dctl_error_t perr = NULL;

    if (j->c->store->d->userns)
        in.userns = &j->c->store->d->userns->map;

    if (!j->had_mount) {
        if (layerstore_mount_get(j->ls, j->c->id, &j->rootfs, err) < 0)
            return -1;
        j->got_mount = true;
    }
    in.rootfs = j->rootfs;
    spec = spec_build(&in, err);
    if (spec == NULL) {
        if (j->got_mount) {
            layerstore_mount_put(j->ls, j->c->id, &perr);
            dctl_error_free(perr);
            j->got_mount = false;
        }
        return -1;
    }
    j->spec = json_to_string(spec);
    return 0;
}

static int
container_start_run(void *job, dctl_error_t *err)
{
    struct container_start_job *j = job;

    return j->ops->start(j->priv, j->c->id, &j->pid, err);
}

static void
container_start_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_start_job *j = job;
    struct container *c = j->c;
    dctl_error_t werr = NULL;

    if (status < 0) {
        container_start_fail(j, err);
        return;
    }
    dctl_error_free(err);
    c->busy = false;
    if (c->removed) {   /* removed by force meanwhile: the removal cleans up */
        if (j->done)
            j->done(j->arg, c, 0, NULL);
        container_start_job_free(j);
        return;
    }
    c->status = CONTAINER_RUNNING;
    c->pid = j->pid;
    c->started_ns = util_now_ns();
    c->exit_code = 0;
    c->oom_killed = false;
    c->oom_reported = false;
    container_set_error(c, NULL);
    c->has_been_started = true;
    if (!j->by_policy) {
        c->manually_stopped = false;
        c->backoff_ms = 0;
    }
    if (c->store->d->images)
        image_service_use(c->store->d->images, c->image_id, c->id, true);
    if (container_watch(c, &werr) < 0) {
        cleanup_free char *text = dctl_error_text(werr);

        log_error("container %.12s: watch: %s", c->id, text);
        dctl_error_free(werr);
    }
    health_start(c, false);
    container_oom_watch(c, true);
    container_save(c);
    container_emit(c, "start", NULL);
    log_info("container %.12s: started, pid %d", c->id, c->pid);
    if (j->done)
        j->done(j->arg, c, 0, NULL);
    container_start_job_free(j);
}

static void
container_start_prepared_cb(void *job, int status, dctl_error_t err)
{
    struct container_start_job *j = job;
    struct container *c = j->c;

    if (j->got_mount) {
        c->mounted = true;
        free(c->rootfs);
        c->rootfs = xstrdup(j->rootfs);
    }
    if (status < 0) {
        container_start_fail(j, err);
        return;
    }
    dctl_error_free(err);
    if (c->removed) {
        dctl_error_set(&err, DCTL_ERR_CONFLICT, 0, "container %.12s was removed", c->id);
        container_start_fail(j, err);
        return;
    }
    if (j->ops->create(j->priv, c->id, j->spec, &err) < 0 ||
        worker_submit(c->store->d->workers, container_start_run, container_start_done_cb, j,
                      &err) < 0) {
        container_start_fail(j, err);
        return;
    }
}

static int
container_start_internal(struct container *c, bool by_policy, container_done_cb done, void *arg,
                         dctl_error_t *err)
{
    struct container_start_job *j;
    const struct dctl_exec_ops *ops;
    void *priv;

    if (c->busy)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "container %s is busy: a start, stop or removal is in progress",
                              c->id);
    if (c->status == CONTAINER_REMOVING || c->status == CONTAINER_DEAD)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "container is marked for removal and cannot be started");
    if (container_layers(c->store) == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "no storage driver is active");
    ops = container_exec_ops(c->store, &priv, err);
    if (ops == NULL)
        return -1;
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    j->ls = container_layers(c->store);
    j->by_policy = by_policy;
    j->had_mount = c->mounted;
    if (c->mounted)
        j->rootfs = xstrdup(c->rootfs);
    json_object_deep_copy(c->config, &j->config, NULL);
    json_object_deep_copy(c->hostconfig, &j->hostconfig, NULL);
    j->dir = xstrdup(c->dir);
    j->log_path = xstrdup(c->log_path);
    if (c->store->d->config.cgroup_parent)
        j->cgroup_parent = xstrdup(c->store->d->config.cgroup_parent);
    j->ops = ops;
    j->priv = priv;
    j->done = done;
    j->arg = arg;
    if (worker_submit(c->store->d->workers, container_start_prepare_run,
                      container_start_prepared_cb, j, err) < 0) {
        container_start_job_free(j);
        return -1;
    }
    c->busy = true;
    return 0;
}

int
container_start(struct container *c, container_done_cb done, void *arg, dctl_error_t *err)
{
    if (c->status == CONTAINER_PAUSED)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "cannot start a paused container, try unpause instead");
    if (c->status == CONTAINER_RUNNING)
        return dctl_error_set(err, DCTL_ERR_NOT_MODIFIED, 0, "container already started");
    if (c->status == CONTAINER_RESTARTING) {   /* a start by hand replaces the wait */
        if (c->restart_ev)
            event_del(c->restart_ev);
        c->status = CONTAINER_EXITED;
    }
    return container_start_internal(c, false, done, arg, err);
}

/* ---- kill, stop, restart --------------------------------------------------------------- */

static int
container_signal_send(struct container *c, int signo, dctl_error_t *err)
{
    const struct dctl_exec_ops *ops;
    void *priv;
    char sig[16];

    ops = container_exec_ops(c->store, &priv, err);
    if (ops == NULL)
        return -1;
    if (ops->kill(priv, c->id, signo, err) < 0)
        return -1;
    snprintf(sig, sizeof sig, "%d", signo);
    container_emit(c, "kill", "signal", sig, NULL);
    if (c->status == CONTAINER_PAUSED)
        container_unpause_for_signal(c, signo);
    return 0;
}

int
container_kill(struct container *c, const char *signal, dctl_error_t *err)
{
    int signo = signal && *signal ? container_signal_parse(signal) : SIGKILL;

    if (signo < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Invalid signal: %s", signal);
    if (c->status == CONTAINER_RESTARTING)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "Cannot kill container: %s: Container %s is restarting, wait "
                              "until the container is running", c->id, c->id);
    if (!container_is_running(c))
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "Cannot kill container: %s: Container %s is not running", c->id,
                              c->id);
    /* dockerd: a kill by hand is a manual stop for the restart policy */
    c->manually_stopped = true;
    container_save(c);
    if (container_signal_send(c, signo, err) < 0)
        return dctl_error_prefix(err, "Cannot kill container: %s", c->id);
    return 0;
}

struct container_stop {
    struct container *c;
    container_done_cb done;
    void *arg;
    bool then_start;     /* restart */
};

static void
container_stop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct container *c = arg;
    dctl_error_t err = NULL;

    (void)fd;
    (void)what;
    if (!container_is_running(c))
        return;
    log_info("container %.12s: did not stop in time; sending SIGKILL", c->id);
    if (container_signal_send(c, SIGKILL, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_warn("container %.12s: SIGKILL: %s", c->id, text);
        dctl_error_free(err);
    }
}

static void
container_restart_started_cb(void *arg, struct container *c, int status, dctl_error_t err)
{
    struct container_stop *st = arg;

    if (status == 0)
        container_emit(c, "restart", NULL);
    if (st->done)
        st->done(st->arg, c, status, err);
    else
        dctl_error_free(err);
    container_unref(st->c);
    free(st);
}

static void
container_stopped_cb(void *arg, int code, const char *error)
{
    struct container_stop *st = arg;
    struct container *c = st->c;
    dctl_error_t err = NULL;

    (void)error;
    if (code == -1 && error && strstr(error, "shutting down")) {
        dctl_error_set(&err, DCTL_ERR_UNAVAILABLE, 0, "%s", error);
        st->done(st->arg, c, -1, err);
        container_unref(c);
        free(st);
        return;
    }
    if (c->stop_ev)
        event_del(c->stop_ev);
    if (!c->removed)
        container_emit(c, "stop", NULL);
    if (st->then_start && !c->removed) {
        if (c->status == CONTAINER_RESTARTING) {
            if (c->restart_ev)
                event_del(c->restart_ev);
            c->status = CONTAINER_EXITED;
        }
        if (container_start_internal(c, false, container_restart_started_cb, st, &err) == 0)
            return;
        st->done(st->arg, c, -1, err);
    } else {
        st->done(st->arg, c, 0, NULL);
    }
    container_unref(c);
    free(st);
}

static int
container_stop_internal(struct container *c, const char *signal, bool timeout_set,
                        long long timeout, bool then_start, container_done_cb done, void *arg,
                        dctl_error_t *err)
{
    const char *sig = signal && *signal ? signal : json_get_string(c->config, "StopSignal");
    int signo = sig && *sig ? container_signal_parse(sig) : SIGTERM;
    struct container_stop *st;
    struct json_object *to = NULL;

    if (signo < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Invalid signal: %s", sig);
    if (!timeout_set) {
        timeout = CONTAINER_STOP_TIMEOUT_DEFAULT;
        if (json_object_object_get_ex(c->config, "StopTimeout", &to) && to &&
            json_object_is_type(to, json_type_int))
            timeout = json_object_get_int64(to);
    }
    st = xcalloc(1, sizeof *st);
    st->c = container_ref(c);
    st->done = done;
    st->arg = arg;
    st->then_start = then_start;
    c->manually_stopped = true;
    if (c->status == CONTAINER_RESTARTING) {   /* nothing runs: the wait ends here */
        if (c->restart_ev)
            event_del(c->restart_ev);
        c->status = CONTAINER_EXITED;
        container_put_layer(c);
        container_save(c);
        container_waiters_notify(c, true, false, false);
        container_stopped_cb(st, c->exit_code, NULL);
        return 0;
    }
    container_save(c);
    container_wait(c, CONTAINER_WAIT_NEXT_EXIT, container_stopped_cb, st, NULL);
    if (container_signal_send(c, signo, err) < 0 && (*err)->kind != DCTL_ERR_CONFLICT) {
        cleanup_free char *text = dctl_error_text(*err);

        /* as dockerd: a stop signal that cannot be sent is followed by SIGKILL */
        log_warn("container %.12s: stop signal: %s", c->id, text);
        dctl_error_clear(err);
        timeout = 0;
    }
    dctl_error_clear(err);
    if (timeout >= 0) {
        struct timeval tv = { (time_t)timeout, 0 };

        if (c->stop_ev == NULL)
            c->stop_ev = evtimer_new(c->store->d->base, container_stop_timeout_cb, c);
        evtimer_add(c->stop_ev, &tv);
    }
    return 0;
}

int
container_stop(struct container *c, const char *signal, bool timeout_set, long long timeout,
               container_done_cb done, void *arg, dctl_error_t *err)
{
    if (!container_is_running(c))
        return dctl_error_set(err, DCTL_ERR_NOT_MODIFIED, 0, "container already stopped");
    return container_stop_internal(c, signal, timeout_set, timeout, false, done, arg, err);
}

int
container_restart(struct container *c, const char *signal, bool timeout_set, long long timeout,
                  container_done_cb done, void *arg, dctl_error_t *err)
{
    struct container_stop *st;

    if (container_is_running(c))
        return container_stop_internal(c, signal, timeout_set, timeout, true, done, arg, err);
    st = xcalloc(1, sizeof *st);
    st->c = container_ref(c);
    st->done = done;
    st->arg = arg;
    if (container_start_internal(c, false, container_restart_started_cb, st, err) < 0) {
        container_unref(c);
        free(st);
        return -1;
    }
    return 0;
}

/* ---- remove ---------------------------------------------------------------------------- */

struct container_remove_job {
    struct container *c;
    struct layerstore *ls;
    char *dir;
    container_done_cb done;
    void *arg;
};

static int
container_remove_run(void *job, dctl_error_t *err)
{
    struct container_remove_job *j = job;

    if (j->ls && layerstore_mount_remove(j->ls, j->c->id, err) < 0)
        return -1;
    return tree_remove(j->dir, err);
}

static void
container_remove_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_remove_job *j = job;
    struct container *c = j->c;

    c->busy = false;
    if (status < 0) {
        cleanup_free char *text = dctl_error_text(err);

        c->status = CONTAINER_DEAD;
        container_set_error(c, text);
        log_error("container %.12s: removal failed: %s", c->id, text);
        container_save(c);
        if (j->done)
            j->done(j->arg, c, -1, err);
        else
            dctl_error_free(err);
    } else {
        dctl_error_free(err);
        if (c->store->d->images)
            image_service_unuse(c->store->d->images, c->id);
        container_emit(c, "destroy", NULL);
        log_debug("container %.12s: removed", c->id);
        container_waiters_notify(c, false, false, true);
        container_store_drop(c->store, c);
        if (j->done)
            j->done(j->arg, c, 0, NULL);
    }
    free(j->dir);
    container_unref(c);
    free(j);
}

static int
container_remove_submit(struct container *c, container_done_cb done, void *arg,
                        dctl_error_t *err)
{
    struct container_remove_job *j;
    const struct dctl_exec_ops *ops;
    dctl_error_t rerr = NULL;
    void *priv;

    ops = container_exec_ops(c->store, &priv, &rerr);
    if (ops && ops->remove(priv, c->id, &rerr) < 0 && rerr->kind != DCTL_ERR_NOT_FOUND) {
        cleanup_free char *text = dctl_error_text(rerr);

        log_warn("container %.12s: exec driver remove: %s", c->id, text);
    }
    dctl_error_clear(&rerr);
    j = xcalloc(1, sizeof *j);
    j->c = container_ref(c);
    j->ls = container_layers(c->store);
    j->dir = xstrdup(c->dir);
    j->done = done;
    j->arg = arg;
    c->mounted = false;   /* layerstore_mount_remove unmounts */
    if (worker_submit(c->store->d->workers, container_remove_run, container_remove_done_cb, j,
                      err) < 0) {
        free(j->dir);
        container_unref(c);
        free(j);
        return -1;
    }
    return 0;
}

/* The removal that waited for a save in flight (it would write into the directory
 * being removed). */
static void
container_remove_after_save(struct container *c)
{
    container_done_cb done = c->remove_done;
    void *arg = c->remove_arg;
    dctl_error_t err = NULL;

    c->remove_done = NULL;
    c->remove_arg = NULL;
    if (container_remove_submit(c, done, arg, &err) < 0) {
        c->busy = false;
        c->status = CONTAINER_DEAD;
        if (done)
            done(arg, c, -1, err);
        else
            dctl_error_free(err);
    }
}

static int
container_remove_internal(struct container *c, container_done_cb done, void *arg,
                          dctl_error_t *err)
{
    if (c->busy)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "removal of container %s is already in progress", c->id);
    c->busy = true;
    c->status = CONTAINER_REMOVING;
    if (c->restart_ev)
        event_del(c->restart_ev);
    if (c->saving) {
        c->remove_done = done;
        c->remove_arg = arg;
        c->save_again = false;
        c->after_save = container_remove_after_save;
        return 0;
    }
    if (container_remove_submit(c, done, arg, err) < 0) {
        c->busy = false;
        c->status = CONTAINER_DEAD;
        return -1;
    }
    return 0;
}

struct container_force_remove {
    struct container *c;
    container_done_cb done;
    void *arg;
};

static void
container_force_exited_cb(void *arg, int code, const char *error)
{
    struct container_force_remove *fr = arg;
    struct container *c = fr->c;
    dctl_error_t err = NULL;

    (void)code;
    if (code == -1 && error && strstr(error, "shutting down")) {
        dctl_error_set(&err, DCTL_ERR_UNAVAILABLE, 0, "%s", error);
        fr->done(fr->arg, c, -1, err);
    } else if (c->removed) {
        fr->done(fr->arg, c, 0, NULL);
    } else {
        c->busy = false;
        if (container_remove_internal(c, fr->done, fr->arg, &err) < 0)
            fr->done(fr->arg, c, -1, err);
    }
    container_unref(c);
    free(fr);
}

int
container_remove(struct container *c, bool force, container_done_cb done, void *arg,
                 dctl_error_t *err)
{
    if (c->status == CONTAINER_REMOVING)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "removal of container %s is already in progress", c->id);
    if (!force && c->status == CONTAINER_RESTARTING)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "You cannot remove a restarting container %s. Stop the container "
                              "before attempting removal or force remove", c->id);
    if (!force && container_is_running(c))
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "You cannot remove a running container %s. Stop the container "
                              "before attempting removal or force remove", c->id);
    if (force && (c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED)) {
        struct container_force_remove *fr = xcalloc(1, sizeof *fr);

        fr->c = container_ref(c);
        fr->done = done;
        fr->arg = arg;
        c->manually_stopped = true;
        container_wait(c, CONTAINER_WAIT_NEXT_EXIT, container_force_exited_cb, fr, NULL);
        if (container_signal_send(c, SIGKILL, err) < 0 && (*err)->kind != DCTL_ERR_CONFLICT) {
            cleanup_free char *text = dctl_error_text(*err);

            log_warn("container %.12s: SIGKILL for removal: %s", c->id, text);
        }
        dctl_error_clear(err);
        c->busy = true;   /* nothing else starts it meanwhile */
        return 0;
    }
    if (c->busy && !c->removed)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "container %s is busy: a start, stop or removal is in progress",
                              c->id);
    return container_remove_internal(c, done, arg, err);
}

/* ---- rename ------------------------------------------------------------------------------- */

int
container_rename(struct container *c, const char *name, dctl_error_t *err)
{
    cleanup_free char *old = NULL;
    const char *n;

    if (name == NULL || *name == '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Neither old nor new names may be empty");
    n = name[0] == '/' ? name + 1 : name;
    if (strcmp(n, c->name + 1) == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Renaming a container with the same name as its current name");
    if (container_name_reserve_check(c->store, n, c->id, err) < 0)
        return -1;
    old = c->name;
    c->name = xasprintf("/%s", n);
    container_save(c);
    container_emit(c, "rename", "oldName", old, NULL);
    return 0;
}

/* ---- prune --------------------------------------------------------------------------------- */

struct container_prune_job {
    struct container_store *s;
    struct container **v;
    size_t n;
    int64_t *sizes;
    bool *ok;
    struct layerstore *ls;
    char **dirs;
    container_prune_cb done;
    void *arg;
};

static int
container_prune_run(void *job, dctl_error_t *err)
{
    struct container_prune_job *j = job;
    size_t i;

    (void)err;
    for (i = 0; i < j->n; i++) {
        dctl_error_t e = NULL;
        int64_t size = 0;

        if (j->ls && layerstore_mount_size(j->ls, j->v[i]->id, &size, &e) < 0)
            dctl_error_clear(&e);
        if ((j->ls && layerstore_mount_remove(j->ls, j->v[i]->id, &e) < 0) ||
            tree_remove(j->dirs[i], &e) < 0) {
            cleanup_free char *text = dctl_error_text(e);

            log_warn("container prune: %.12s: %s", j->v[i]->id, text);
            dctl_error_free(e);
            continue;
        }
        j->sizes[i] = size;
        j->ok[i] = true;
    }
    return 0;
}

static void
container_prune_done_cb(void *job, int status, dctl_error_t err)
{
    struct container_prune_job *j = job;
    struct json_object *deleted = json_object_new_array();
    int64_t reclaimed = 0;
    char text[32];
    size_t i;

    (void)status;
    dctl_error_free(err);
    for (i = 0; i < j->n; i++) {
        struct container *c = j->v[i];

        c->busy = false;
        if (!j->ok[i]) {
            c->status = CONTAINER_DEAD;
            container_save(c);
        } else if (!c->removed) {
            json_object_array_add(deleted, json_object_new_string(c->id));
            reclaimed += j->sizes[i];
            if (j->s->d->images)
                image_service_unuse(j->s->d->images, c->id);
            container_emit(c, "destroy", NULL);
            container_waiters_notify(c, false, false, true);
            container_store_drop(j->s, c);
        }
        container_unref(c);
        free(j->dirs[i]);
    }
    snprintf(text, sizeof text, "%lld", (long long)reclaimed);
    events_emit(j->s->d->events, EVENTS_TYPE_CONTAINER, "prune", "", "reclaimed", text, NULL);
    j->done(j->arg, deleted, reclaimed);
    free(j->v);
    free(j->sizes);
    free(j->ok);
    free(j->dirs);
    free(j);
}

int
container_prune(struct container_store *s, bool (*match)(struct container *c, void *arg),
                void *match_arg, container_prune_cb done, void *arg, dctl_error_t *err)
{
    struct container_prune_job *j = xcalloc(1, sizeof *j);
    size_t i;

    j->s = s;
    j->v = xcalloc(s->n + 1, sizeof *j->v);
    j->dirs = xcalloc(s->n + 1, sizeof *j->dirs);
    j->sizes = xcalloc(s->n + 1, sizeof *j->sizes);
    j->ok = xcalloc(s->n + 1, sizeof *j->ok);
    j->ls = container_layers(s);
    j->done = done;
    j->arg = arg;
    for (i = 0; i < s->n; i++) {
        struct container *c = s->v[i];
        const struct dctl_exec_ops *ops;
        dctl_error_t e = NULL;
        void *priv;

        if (c->creating || c->busy || c->saving || container_is_running(c) ||
            c->status == CONTAINER_REMOVING || (match && !match(c, match_arg)))
            continue;
        c->busy = true;
        c->status = CONTAINER_REMOVING;
        ops = container_exec_ops(s, &priv, &e);
        if (ops && ops->remove(priv, c->id, &e) < 0)
            dctl_error_clear(&e);
        dctl_error_clear(&e);
        c->mounted = false;
        j->dirs[j->n] = xstrdup(c->dir);
        j->v[j->n++] = container_ref(c);
    }
    if (worker_submit(s->d->workers, container_prune_run, container_prune_done_cb, j, err) < 0) {
        for (i = 0; i < j->n; i++) {
            j->v[i]->busy = false;
            j->v[i]->status = CONTAINER_EXITED;
            container_unref(j->v[i]);
            free(j->dirs[i]);
        }
        free(j->v);
        free(j->dirs);
        free(j->sizes);
        free(j->ok);
        free(j);
        return -1;
    }
    return 0;
}
