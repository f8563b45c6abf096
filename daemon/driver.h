/* daemon/driver.h - the driver registry: loads every .so in the driver
 * directory, refuses (with a log line) the ones that do not speak our ABI,
 * builds the struct dctl_host each driver gets, and runs init/fini.
 *
 * Owner: struct dctld owns the registry; the registry owns each struct driver,
 * its dlopen handle and its host struct. Loop thread only. */
#ifndef DCTL_DAEMON_DRIVER_H
#define DCTL_DAEMON_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include <dctl/driver.h>

struct worker_pool;

enum driver_state {
    DRIVER_LOADED = 0, /* loaded, init() not called (not in use) */
    DRIVER_ACTIVE,     /* init() succeeded */
    DRIVER_FAILED,     /* init() failed: error holds why */
};

/* One loaded shared object. */
struct driver {
    struct driver_registry *reg;
    char *path;
    void *dl;
    const struct dctl_driver *desc; /* lives in the .so: valid until dlclose */
    enum driver_state state;
    char *error;                    /* DRIVER_FAILED: the init error's text */
    void *priv;                     /* the driver's, from init() */
    char *log_prefix;               /* "driver NAME: " */
    char *state_dir, *run_dir;
    struct dctl_host host;
};

struct driver_registry {
    struct event_base *base;
    struct worker_pool *workers;    /* lent; NULL once the pool is gone */
    char *data_root, *exec_root;
    struct driver **v;              /* in load order */
    size_t n;
    struct driver *storage;         /* the selected storage driver, or NULL */
    struct driver *exec;            /* the selected, active exec driver, or NULL */
};

/* True when ops (of type TYPE, as built by the driver) has MEMBER set: the
 * driver's struct is long enough to hold it and it is not NULL. */
#define DRIVER_HAS_OP(ops, TYPE, MEMBER)                                                   \
    ((ops) != NULL &&                                                                   \
     offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER) <= ((const TYPE *)(ops))->size && \
     ((const TYPE *)(ops))->MEMBER != NULL)

/* State directories go under data_root/KIND/NAME, run-time ones under
 * exec_root/drivers/KIND/NAME. The pool is used for host->submit. */
struct driver_registry *driver_registry_new(struct event_base *base, struct worker_pool *workers,
                                            const char *data_root, const char *exec_root);
/* Finis the active drivers (in reverse order), dlcloses them all. NULL-safe. */
void driver_registry_free(struct driver_registry *reg);

/* Loads every *.so in dir, in name order. A missing dir, and any .so refused
 * by driver_registry_load_file(), is logged as a warning and skipped. Returns
 * the number of drivers loaded. */
size_t driver_registry_load_dir(struct driver_registry *reg, const char *dir);
/* Loads one .so. Refused (DCTL_ERR_INVALID, nothing kept): dlopen fails, no
 * `dctl_driver` symbol, another ABI major, a bad kind, name or ops struct, or
 * a (kind, name) already loaded. */
struct driver *driver_registry_load_file(struct driver_registry *reg, const char *path,
                                         dctl_error_t *err);

/* Starts what dctld uses: inits every network driver (a failure is logged and
 * kept in the driver's entry) and selects and inits the storage driver with
 * options ("key=value" strings, may be NULL): storage_driver when set, else the
 * first of overlay and vfs whose init succeeds (none: reg->storage stays NULL).
 * Fails only when storage_driver names no loaded storage driver. */
int driver_registry_start(struct driver_registry *reg, const char *storage_driver,
                          char *const *storage_opts, size_t nopts, dctl_error_t *err);

/* Selects and inits the exec driver that runs containers: name, or "native" when
 * name is NULL, with options ("key=value" strings, may be NULL). A driver that is missing or fails init leaves reg->exec NULL (logged;
 * starting a container then fails saying so); that is an error only when the name
 * was given explicitly and no exec driver of that name was loaded. */
int driver_registry_start_exec(struct driver_registry *reg, const char *name,
                               char *const *exec_opts, size_t nopts, dctl_error_t *err);

/* The driver of that kind and name, or NULL. */
struct driver *driver_registry_find(const struct driver_registry *reg,
                                    enum dctl_driver_kind kind, const char *name);

/* Calls the driver's init() (state dir created first). On failure the driver
 * stays loaded as DRIVER_FAILED with the error's text, and *err is set too.
 * Calling it on a driver already active does nothing. */
int driver_init(struct driver *drv, const struct dctl_option *options, dctl_error_t *err);

/* The driver's ops for its kind (cast to the kind's ops struct). */
static inline const void *
driver_ops(const struct driver *drv)
{
    return drv->desc->ops;
}

/* "storage", "network", "exec"; "unknown" otherwise. */
const char *driver_kind_name(enum dctl_driver_kind kind);
/* "loaded", "active", "error". */
const char *driver_state_name(enum driver_state state);
/* Its status() lines, NULL-ended; NULL when not active or not supported. Lent. */
const struct dctl_option *driver_status(const struct driver *drv);

#endif
