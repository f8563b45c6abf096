/* daemon/driver.c - the driver registry: dlopen()s every .so of the driver
 * directory, checks its `dctl_driver` descriptor against the ABI this dctld
 * speaks, and owns each driver's handle, host struct and directories. A
 * driver that is refused is logged and skipped; dctld goes on without it. */
#include <config.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/driver.h"
#include "daemon/worker.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* The head every ops struct shares: size, init, fini, status. */
struct driver_common_ops {
    DCTL_DRIVER_COMMON_OPS;
};

const char *
driver_kind_name(enum dctl_driver_kind kind)
{
    switch (kind) {
    case DCTL_DRIVER_STORAGE:
        return "storage";
    case DCTL_DRIVER_NETWORK:
        return "network";
    case DCTL_DRIVER_EXEC:
        return "exec";
    }
    return "unknown";
}

const char *
driver_state_name(enum driver_state state)
{
    switch (state) {
    case DRIVER_LOADED:
        return "loaded";
    case DRIVER_ACTIVE:
        return "active";
    case DRIVER_FAILED:
        return "error";
    }
    return "unknown";
}

/* ---- the host API handed to drivers ------------------------------------ */

static void
driver_host_log(void *host_priv, enum dctl_log_level level, const char *fmt, va_list ap)
{
    struct driver *drv = host_priv;

    log_vwrite(level, drv->log_prefix, fmt, ap);
}

static int
driver_host_submit(void *host_priv, dctl_job_run_cb run, dctl_job_done_cb done, void *job,
                   dctl_error_t *err)
{
    struct driver *drv = host_priv;

    if (drv->reg->workers == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "no worker pool");
    return worker_submit(drv->reg->workers, run, done, job, err);
}

/* ---- the registry ------------------------------------------------------ */

struct driver_registry *
driver_registry_new(struct event_base *base, struct worker_pool *workers, const char *data_root,
                    const char *exec_root)
{
    struct driver_registry *reg = xcalloc(1, sizeof *reg);

    reg->base = base;
    reg->workers = workers;
    reg->data_root = xstrdup(data_root);
    reg->exec_root = xstrdup(exec_root);
    return reg;
}

static void
driver_free(struct driver *drv)
{
    if (drv == NULL)
        return;
    if (drv->state == DRIVER_ACTIVE) {
        const struct driver_common_ops *ops = drv->desc->ops;

        if (ops->fini)
            ops->fini(drv->priv);
        log_debug("driver %s: stopped", drv->desc->name);
    }
    if (drv->dl)
        dlclose(drv->dl);
    free(drv->path);
    free(drv->error);
    free(drv->log_prefix);
    free(drv->state_dir);
    free(drv->run_dir);
    free(drv);
}

void
driver_registry_free(struct driver_registry *reg)
{
    size_t i;

    if (reg == NULL)
        return;
    for (i = reg->n; i > 0; i--)
        driver_free(reg->v[i - 1]);
    free(reg->v);
    free(reg->data_root);
    free(reg->exec_root);
    free(reg);
}

struct driver *
driver_registry_find(const struct driver_registry *reg, enum dctl_driver_kind kind,
                     const char *name)
{
    size_t i;

    for (i = 0; i < reg->n; i++)
        if (reg->v[i]->desc->kind == kind && strcmp(reg->v[i]->desc->name, name) == 0)
            return reg->v[i];
    return NULL;
}

/* A driver name becomes a directory name and appears in /info: keep it plain. */
static bool
driver_name_is_valid(const char *name)
{
    const char *p;

    if (name == NULL || *name == '\0' || strlen(name) > 64 || *name == '.' || *name == '-')
        return false;
    for (p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

static int
driver_check_desc(const struct driver_registry *reg, const char *path,
                  const struct dctl_driver *desc, dctl_error_t *err)
{
    const struct driver_common_ops *ops = desc->ops;
    const struct driver *other;

    if (desc->abi_major != DCTL_DRIVER_ABI_MAJOR)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "driver %s: ABI %u.%u, dctld speaks %u.x; skipped", path,
                              desc->abi_major, desc->abi_minor, DCTL_DRIVER_ABI_MAJOR);
    if (desc->kind != DCTL_DRIVER_STORAGE && desc->kind != DCTL_DRIVER_NETWORK &&
        desc->kind != DCTL_DRIVER_EXEC)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "driver %s: unknown kind %d; skipped",
                              path, (int)desc->kind);
    if (!driver_name_is_valid(desc->name))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "driver %s: invalid name (want 1-64 of [A-Za-z0-9_.-]); skipped",
                              path);
    if (ops == NULL)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "driver %s: no ops; skipped", path);
    if (ops->size < sizeof *ops)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "driver %s: ops size %zu is smaller than the common ops (%zu); "
                              "skipped", path, ops->size, sizeof *ops);
    if (ops->init == NULL)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "driver %s: no init op; skipped",
                              path);
    other = driver_registry_find(reg, desc->kind, desc->name);
    if (other)
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "driver %s: a %s driver named \"%s\" is already loaded from %s; "
                              "skipped", path, driver_kind_name(desc->kind), desc->name,
                              other->path);
    return 0;
}

struct driver *
driver_registry_load_file(struct driver_registry *reg, const char *path, dctl_error_t *err)
{
    const struct dctl_driver *desc;
    struct driver *drv;
    void *dl;

    dlerror();
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        const char *why = dlerror();

        dctl_error_set(err, DCTL_ERR_INVALID, 0, "driver %s: cannot load: %s; skipped", path,
                       why ? why : "unknown error");
        return NULL;
    }
    desc = dlsym(dl, DCTL_DRIVER_SYMBOL);
    if (desc == NULL) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "driver %s: no \"" DCTL_DRIVER_SYMBOL "\" symbol; skipped", path);
        dlclose(dl);
        return NULL;
    }
    if (driver_check_desc(reg, path, desc, err) < 0) {
        dlclose(dl);
        return NULL;
    }
    if (desc->abi_minor > DCTL_DRIVER_ABI_MINOR)
        log_debug("driver %s: built for ABI %u.%u, dctld speaks %u.%u; newer members unused",
                  path, desc->abi_major, desc->abi_minor, DCTL_DRIVER_ABI_MAJOR,
                  DCTL_DRIVER_ABI_MINOR);

    drv = xcalloc(1, sizeof *drv);
    drv->reg = reg;
    drv->path = xstrdup(path);
    drv->dl = dl;
    drv->desc = desc;
    drv->log_prefix = xasprintf("driver %s: ", desc->name);
    drv->state_dir = xasprintf("%s/%s/%s", reg->data_root, driver_kind_name(desc->kind),
                               desc->name);
    drv->run_dir = xasprintf("%s/drivers/%s/%s", reg->exec_root, driver_kind_name(desc->kind),
                             desc->name);
    drv->host.size = sizeof drv->host;
    drv->host.abi_major = DCTL_DRIVER_ABI_MAJOR;
    drv->host.abi_minor = DCTL_DRIVER_ABI_MINOR;
    drv->host.log = driver_host_log;
    drv->host.error_set = dctl_error_vset;
    drv->host.event_base = reg->base;
    drv->host.submit = driver_host_submit;
    drv->host.state_dir = drv->state_dir;
    drv->host.run_dir = drv->run_dir;
    drv->host.host_priv = drv;

    reg->v = xrealloc(reg->v, (reg->n + 1) * sizeof *reg->v);
    reg->v[reg->n++] = drv;
    log_info("driver %s: loaded %s driver %s (version %s, ABI %u.%u)", desc->name,
             driver_kind_name(desc->kind), path, desc->version ? desc->version : "unknown",
             desc->abi_major, desc->abi_minor);
    return drv;
}

static int
driver_filter_so(const struct dirent *de)
{
    return de->d_name[0] != '.' && util_has_suffix(de->d_name, ".so");
}

size_t
driver_registry_load_dir(struct driver_registry *reg, const char *dir)
{
    struct dirent **names = NULL;
    size_t loaded = 0;
    int n, i;

    n = scandir(dir, &names, driver_filter_so, alphasort);
    if (n < 0) {
        log_warn("dctld: driver directory %s: %s; no drivers loaded", dir, strerror(errno));
        return 0;
    }
    for (i = 0; i < n; i++) {
        cleanup_free char *path = xasprintf("%s/%s", dir, names[i]->d_name);
        dctl_error_t err = NULL;

        if (driver_registry_load_file(reg, path, &err)) {
            loaded++;
        } else {
            cleanup_free char *text = dctl_error_text(err);

            log_warn("%s", text);
            dctl_error_free(err);
        }
        free(names[i]);
    }
    free(names);
    return loaded;
}

int
driver_init(struct driver *drv, const struct dctl_option *options, dctl_error_t *err)
{
    const struct driver_common_ops *ops = drv->desc->ops;
    dctl_error_t ierr = NULL;

    if (drv->state == DRIVER_ACTIVE)
        return 0;
    free(drv->error);
    drv->error = NULL;
    if (file_mkdir_p(drv->state_dir, 0700, &ierr) < 0 ||
        file_mkdir_p(drv->run_dir, 0700, &ierr) < 0 ||
        ops->init(&drv->host, options, &drv->priv, &ierr) < 0) {
        if (ierr == NULL)
            dctl_error_set(&ierr, DCTL_ERR_INTERNAL, 0, "init failed without saying why");
        drv->state = DRIVER_FAILED;
        drv->priv = NULL;
        drv->error = dctl_error_text(ierr);
        log_error("driver %s: init failed: %s", drv->desc->name, drv->error);
        if (err == NULL || *err != NULL) {
            dctl_error_free(ierr);
            return -1;
        }
        *err = ierr;
        return dctl_error_prefix(err, "%s driver %s", driver_kind_name(drv->desc->kind),
                                 drv->desc->name);
    }
    drv->state = DRIVER_ACTIVE;
    log_info("driver %s: %s driver ready", drv->desc->name, driver_kind_name(drv->desc->kind));
    return 0;
}

const struct dctl_option *
driver_status(const struct driver *drv)
{
    const struct driver_common_ops *ops = drv->desc->ops;

    if (drv->state != DRIVER_ACTIVE || ops->status == NULL)
        return NULL;
    return ops->status(drv->priv);
}

/* Tried in order when no storage driver is named. */
static const char *const driver_storage_defaults[] = { "overlay", "vfs" };

/* "key=value" strings as {key, value} pairs (ending with a NULL key) over one copy of
 * the text, returned in *text; both are the caller's. */
static struct dctl_option *
driver_options_split(char *const *kv, size_t n, char **text)
{
    struct dctl_option *opts = xcalloc(n + 1, sizeof *opts);
    size_t i, len = 0;
    char *p;

    for (i = 0; i < n; i++)
        len += strlen(kv[i]) + 1;
    p = *text = xmalloc(len + 1);
    for (i = 0; i < n; i++) {
        char *eq;

        strcpy(p, kv[i]);
        eq = strchr(p, '=');
        if (eq)
            *eq++ = '\0';
        opts[i].key = p;
        opts[i].value = eq ? eq : "";
        p += strlen(kv[i]) + 1;
    }
    return opts;
}

int
driver_registry_start(struct driver_registry *reg, const char *storage_driver,
                      char *const *storage_opts, size_t nopts, dctl_error_t *err)
{
    cleanup_free struct dctl_option *opts = NULL;
    cleanup_free char *text = NULL;
    dctl_error_t ierr = NULL;
    size_t i;

    for (i = 0; i < reg->n; i++)
        if (reg->v[i]->desc->kind == DCTL_DRIVER_NETWORK)
            driver_init(reg->v[i], NULL, &ierr);
    dctl_error_clear(&ierr);   /* each failure is logged and kept in its entry */
    if (storage_driver != NULL && *storage_driver != '\0') {
        reg->storage = driver_registry_find(reg, DCTL_DRIVER_STORAGE, storage_driver);
        if (reg->storage == NULL)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "error initializing graphdriver: driver not supported: %s "
                                  "(no such storage driver was loaded)", storage_driver);
    }
    opts = driver_options_split(storage_opts, nopts, &text);
    if (reg->storage) {
        driver_init(reg->storage, opts, &ierr);
        dctl_error_clear(&ierr);   /* logged; /info reports it */
        return 0;
    }
    /* none named: the first of the defaults that works on this data root, as dockerd
     * probes overlay2 before vfs */
    for (i = 0; i < ARRAY_SIZE(driver_storage_defaults); i++) {
        struct driver *drv = driver_registry_find(reg, DCTL_DRIVER_STORAGE,
                                                  driver_storage_defaults[i]);

        if (drv == NULL)
            continue;
        if (driver_init(drv, opts, &ierr) == 0) {
            reg->storage = drv;
            log_info("dctld: storage driver %s selected", drv->desc->name);
            return 0;
        }
        log_info("dctld: storage driver %s is not usable here; trying the next",
                 drv->desc->name);
        dctl_error_clear(&ierr);
    }
    log_warn("dctld: no storage driver works here; images and containers need one");
    return 0;
}

int
driver_registry_start_exec(struct driver_registry *reg, const char *name,
                           char *const *exec_opts, size_t nopts, dctl_error_t *err)
{
    cleanup_free struct dctl_option *opts = NULL;
    cleanup_free char *text = NULL;
    const char *want = name && *name ? name : "native";
    struct driver *drv = driver_registry_find(reg, DCTL_DRIVER_EXEC, want);
    dctl_error_t ierr = NULL;

    if (drv == NULL) {
        if (name && *name)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "exec driver not supported: %s (no such exec driver was "
                                  "loaded)", name);
        log_warn("dctld: no exec driver %s was loaded; containers cannot be started", want);
        return 0;
    }
    opts = driver_options_split(exec_opts, nopts, &text);
    if (driver_init(drv, opts, &ierr) < 0) {
        dctl_error_clear(&ierr);   /* logged by driver_init; /info reports it */
        return 0;
    }
    reg->exec = drv;
    log_info("dctld: exec driver %s selected", drv->desc->name);
    return 0;
}
