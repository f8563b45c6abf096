/* daemon/dctld.c - the daemon object: start-up (directories, data-root lock,
 * pidfile, engine ID, worker pool, routes, listeners), signals (SIGTERM/SIGINT
 * shut down within a bound, SIGHUP reloads) and tear-down. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/server.h"
#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/driver.h"
#include "daemon/events.h"
#include "daemon/exec.h"
#include "daemon/image.h"
#include "daemon/layerstore.h"
#include "daemon/userns.h"
#include "daemon/worker.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define DCTLD_WORKERS 4

static int
dctld_lock_data_root(struct dctld *d, dctl_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/dctld.lock", d->config.data_root);
    char pid[32];
    int fd;

    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char other[32] = "";
        ssize_t n = pread(fd, other, sizeof other - 1, 0);
        int e = errno;

        if (n > 0)
            other[n] = '\0';
        other[strcspn(other, "\n")] = '\0';
        close(fd);
        if (e == EWOULDBLOCK || e == EAGAIN || n >= 0)
            return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                                  "another dctld%s%s%s is using data root %s (lock %s held)",
                                  *other ? " (pid " : "", other, *other ? ")" : "",
                                  d->config.data_root, path);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "lock %s", path);
    }
    snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
        log_warn("dctld: write pid into %s: %s", path, strerror(errno));
    d->lock_fd = fd;
    return 0;
}

/* The engine ID lives in data-root/engine-id so that it survives restarts. */
static int
dctld_load_id(struct dctld *d, dctl_error_t *err)
{
    cleanup_free char *path = xasprintf("%s/engine-id", d->config.data_root);
    cleanup_free char *text = NULL;
    dctl_error_t rerr = NULL;

    text = file_read_all(AT_FDCWD, path, NULL, &rerr);
    if (text) {
        text[strcspn(text, "\r\n")] = '\0';
        if (strlen(text) == 36) {
            snprintf(d->id, sizeof d->id, "%s", text);
            return 0;
        }
        log_warn("dctld: %s is malformed, making a new engine ID", path);
    }
    dctl_error_free(rerr);
    free(text);
    text = file_read_all(AT_FDCWD, "/proc/sys/kernel/random/uuid", NULL, err);
    if (text == NULL)
        return -1;
    text[strcspn(text, "\r\n")] = '\0';
    snprintf(d->id, sizeof d->id, "%s", text);
    {
        cleanup_free char *line = xasprintf("%s\n", d->id);
        return file_write_atomic(AT_FDCWD, path, line, strlen(line), 0600, err);
    }
}

static int
dctld_write_pidfile(struct dctld *d, dctl_error_t *err)
{
    cleanup_free char *pid = xasprintf("%d\n", (int)getpid());

    if (file_write_atomic(AT_FDCWD, d->config.pidfile, pid, strlen(pid), 0644, err) < 0)
        return dctl_error_prefix(err, "pidfile");
    d->pidfile_written = true;
    return 0;
}

/* dockerd's "reload" daemon event: the engine ID, the host name and the values
 * in force of the settings a reload can change. */
static void
dctld_emit_reload(struct dctld *d)
{
    struct json_object *attrs = json_object_new_object();
    struct json_object *labels = json_object_new_array();
    char host[256] = "";
    size_t i;

    if (gethostname(host, sizeof host - 1) < 0)
        host[0] = '\0';
    for (i = 0; i < d->config.labels.n; i++)
        json_object_array_add(labels, json_object_new_string(d->config.labels.v[i]));
    json_add_string(attrs, "debug", d->config.debug ? "true" : "false");
    json_add_string(attrs, "labels", json_object_to_json_string_ext(labels,
                                                                    JSON_C_TO_STRING_PLAIN));
    json_add_string(attrs, "log-level", log_level_name(daemon_config_log_level(&d->config)));
    if (host[0])
        json_add_string(attrs, "name", host);
    json_object_put(labels);
    events_emit_attrs(d->events, EVENTS_TYPE_DAEMON, "reload", d->id, attrs);
}

static void
dctld_reload(struct dctld *d)
{
    dctl_error_t err = NULL;
    cleanup_free char *changed = NULL;

    if (daemon_config_reload(&d->config, &changed, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        log_error("dctld: reload failed, configuration unchanged: %s", text);
        dctl_error_free(err);
        return;
    }
    log_set_level(daemon_config_log_level(&d->config));
    log_info("dctld: configuration reloaded: %s", changed ? changed : "nothing changed");
    dctld_emit_reload(d);
}

static void
dctld_shutdown_check_cb(evutil_socket_t fd, short what, void *arg)
{
    struct dctld *d = arg;
    struct timeval tv = { 0, 20 * 1000 };
    unsigned int busy = api_server_in_flight(d->api);

    (void)fd;
    (void)what;
    if (busy == 0 || util_now_ns() >= d->shutdown_deadline_ns) {
        if (busy)
            log_warn("dctld: cutting %u request(s) still in flight", busy);
        event_base_loopexit(d->base, NULL);
        return;
    }
    evtimer_add(d->shutdown_timer, &tv);
}

void
dctld_shutdown(struct dctld *d)
{
    if (d->stopping)
        return;
    d->stopping = true;
    log_info("dctld: shutting down");
    api_server_quiesce(d->api);
    events_shutdown(d->events);   /* followers must not hold the shutdown up */
    d->shutdown_deadline_ns = util_now_ns() + (long long)d->config.shutdown_timeout * 1000000000LL;
    d->shutdown_timer = evtimer_new(d->base, dctld_shutdown_check_cb, d);
    event_active(d->shutdown_timer, EV_TIMEOUT, 0);
}

static void
dctld_signal_cb(evutil_socket_t signo, short what, void *arg)
{
    struct dctld *d = arg;

    (void)what;
    if (signo == SIGHUP) {
        dctld_reload(d);
        return;
    }
    if (d->stopping) {
        log_warn("dctld: second signal, stopping now");
        event_base_loopexit(d->base, NULL);
        return;
    }
    dctld_shutdown(d);
}

/* --userns-remap: resolved (users and ranges made for "default") and the path to the
 * data root checked, before any directory is made. */
static int
dctld_userns_resolve(struct dctld *d, dctl_error_t *err)
{
    struct userns_remap r;
    int rc;

    if (d->config.userns_remap == NULL || *d->config.userns_remap == '\0')
        return 0;
    rc = userns_remap_resolve(d->config.userns_remap, getenv(USERNS_ETC_ENV), &r, err);
    if (rc <= 0)
        return rc;
    if (userns_check_path(d->config.data_root, &r, err) < 0)
        return -1;
    d->userns = xmalloc(sizeof *d->userns);
    *d->userns = r;
    return 0;
}

/* From here on the daemon's state lives in DATA_ROOT/UID.GID, as dockerd's does. */
static int
dctld_userns_root(struct dctld *d, dctl_error_t *err)
{
    char *root = userns_data_root(d->config.data_root, d->userns, err);

    if (root == NULL)
        return -1;
    d->data_root_base = d->config.data_root;
    d->config.data_root = root;
    log_info("dctld: user namespace remapping to %s (root %u:%u), data in %s",
             d->userns->name, (unsigned int)d->userns->root_uid,
             (unsigned int)d->userns->root_gid, root);
    return 0;
}

struct dctld *
dctld_new(struct daemon_config *config_take, dctl_error_t *err)
{
    struct dctld *d = xcalloc(1, sizeof *d);
    struct api_server_options opts = { 0 };
    cleanup_free char *server = xasprintf("dctld/%s (linux)", PACKAGE_VERSION);
    size_t i;

    d->config = *config_take;
    memset(config_take, 0, sizeof *config_take);
    d->lock_fd = -1;
    d->started_ns = util_now_ns();
    /* an unusable remap stops start-up before anything is made */
    if (dctld_userns_resolve(d, err) < 0)
        goto fail;
    if (file_mkdir_p(d->config.data_root, 0711, err) < 0 ||
        file_mkdir_p(d->config.exec_root, 0700, err) < 0)
        goto fail;
    if (dctld_lock_data_root(d, err) < 0 || dctld_load_id(d, err) < 0)
        goto fail;
    if (d->userns && dctld_userns_root(d, err) < 0)
        goto fail;
    d->base = event_base_new();
    if (d->base == NULL) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "event_base_new");
        goto fail;
    }
    d->events = events_new(d->base, EVENTS_RING_DEFAULT, EVENTS_PENDING_MAX_DEFAULT);
    d->workers = worker_pool_new(d->base, DCTLD_WORKERS, err);
    if (d->workers == NULL)
        goto fail;
    d->drivers = driver_registry_new(d->base, d->workers, d->config.data_root,
                                     d->config.exec_root);
    driver_registry_load_dir(d->drivers, d->config.driver_dir);
    if (driver_registry_start(d->drivers, d->config.storage_driver, d->config.storage_opts.v,
                              d->config.storage_opts.n, err) < 0)
        goto fail;
    if (d->drivers->storage && d->drivers->storage->state == DRIVER_ACTIVE) {
        d->images = image_service_open(d->config.data_root, d->drivers->storage, err);
        if (d->images == NULL)
            goto fail;
        if (d->userns)   /* layers unpacked shifted into the range, diffs shifted back */
            layerstore_set_idmap(d->images->layers, &d->userns->map);
    }
    if (driver_registry_start_exec(d->drivers, d->config.exec_driver, d->config.exec_opts.v,
                                   d->config.exec_opts.n, err) < 0)
        goto fail;
    d->containers = container_store_open(d, err);
    if (d->containers == NULL)
        goto fail;
    d->execs = exec_store_open(d, err);
    if (d->execs == NULL)
        goto fail;
    d->router = api_router_new();
    opts.idle_timeout = d->config.idle_timeout;
    opts.server_header = server;
    d->api = api_server_new(d, d->base, d->router, &opts);
    for (i = 0; i < d->config.hosts.n; i++)
        if (api_server_listen(d->api, d->config.hosts.v[i], err) < 0)
            goto fail;
    if (dctld_write_pidfile(d, err) < 0)
        goto fail;
    d->sig_term = evsignal_new(d->base, SIGTERM, dctld_signal_cb, d);
    d->sig_int = evsignal_new(d->base, SIGINT, dctld_signal_cb, d);
    d->sig_hup = evsignal_new(d->base, SIGHUP, dctld_signal_cb, d);
    event_add(d->sig_term, NULL);
    event_add(d->sig_int, NULL);
    event_add(d->sig_hup, NULL);
    log_info("dctld: version %s, API %s, data root %s, exec root %s, pid %d", PACKAGE_VERSION,
             API_VERSION_MAX_STR, d->config.data_root, d->config.exec_root, (int)getpid());
    return d;
fail:
    dctld_free(d);
    return NULL;
}

/* Unmaps this process's view of the clean, read-only, file-backed pages it touched
 * while starting: library text and rodata faulted in by the dynamic loader and by
 * constructors that run once (libmicrohttpd's calls gnutls_global_init(), which
 * walks GnuTLS, p11-kit, nettle, gmp...), each fault also mapping its neighbours
 * (fault-around). Those pages stay in the page cache, shared and reclaimable;
 * only the mappings go, so an idle dctld's RSS is what its loop really uses
 * (about 2.4 MiB instead of 5.1: bench/rss.sh). A page used later faults back in
 * from the page cache (a minor fault, no I/O).
 *
 * Only mappings that are not writable and hold no anonymous (copied-on-write)
 * page are touched: MADV_DONTNEED on those gives back exactly the file's bytes.
 * RELRO and .data pages, the heap and stacks are private copies and are left
 * alone. Runs once, before the loop, while the worker threads are idle. */
static void
dctld_drop_startup_pages(void)
{
    cleanup_file FILE *f = fopen("/proc/self/smaps", "re");
    unsigned long start = 0, end = 0, s, e, anon;
    char line[512], perms[8], path[8];
    bool candidate = false;
    size_t dropped = 0;
    int n;

    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f)) {
        /* a mapping's header: "start-end perms offset dev inode [name]"; the
         * field lines ("Rss:", "Anonymous:"...) never parse as one */
        n = sscanf(line, "%lx-%lx %7s %*s %*s %*s %7s", &s, &e, perms, path);
        if (n >= 3) {
            start = s;
            end = e;
            candidate = n == 4 && path[0] == '/' && perms[0] == 'r' && perms[1] != 'w';
        } else if (candidate && sscanf(line, "Anonymous: %lu", &anon) == 1) {
            if (anon == 0 && madvise((void *)start, end - start, MADV_DONTNEED) == 0)
                dropped += end - start;
            candidate = false;
        }
    }
    log_debug("dctld: dropped start-up mappings over %zu KiB of read-only files",
              dropped / 1024);
}

int
dctld_run(struct dctld *d)
{
    log_info("dctld: API listen on %zu address(es), ready", api_server_nlisteners(d->api));
    dctld_drop_startup_pages();
    event_base_dispatch(d->base);
    log_info("dctld: stopped");
    return 0;
}

void
dctld_free(struct dctld *d)
{
    if (d == NULL)
        return;
    /* jobs finish first: their done callbacks may still reply to requests */
    worker_pool_free(d->workers);
    if (d->drivers)
        d->drivers->workers = NULL;
    api_server_free(d->api);   /* closes streams: followers unsubscribe */
    events_free(d->events);
    router_free(d->router);
    if (d->sig_term)
        event_free(d->sig_term);
    if (d->sig_int)
        event_free(d->sig_int);
    if (d->sig_hup)
        event_free(d->sig_hup);
    if (d->shutdown_timer)
        event_free(d->shutdown_timer);
    exec_store_free(d->execs);   /* its sessions hold containers */
    container_store_free(d->containers);
    image_service_free(d->images);      /* before its storage driver goes */
    driver_registry_free(d->drivers);   /* fini and dlclose, before the loop goes */
    if (d->pidfile_written)
        unlink(d->config.pidfile);
    if (d->lock_fd >= 0)
        close(d->lock_fd);
    if (d->base)
        event_base_free(d->base);
    daemon_config_fini(&d->config);
    free(d->data_root_base);
    free(d->userns);
    free(d);
}
