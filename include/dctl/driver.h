/* include/dctl/driver.h - the dctl driver ABI: the only header a driver needs.
 *
 * A driver is a shared object exporting one symbol, `dctl_driver`, a const
 * struct dctl_driver naming its ABI version, kind, name and ops. dctld loads
 * every .so in its driver directory, refuses one whose ABI major differs, and
 * calls the ops only from its event-loop thread unless a member says otherwise.
 * Drivers reach dctld only through the struct dctl_host handed to init().
 *
 * Versioning: the major changes with anything that breaks a built driver; the
 * minor when members are appended to an ops or host struct. Both start with
 * `size` so that either side sees which members exist; a missing or NULL member
 * means "not supported".
 *
 * Errors: a member that can fail takes `dctl_error_t *err` last and returns 0
 * (or a pointer), or -1 (or NULL) with *err set through host->error_set. The
 * caller owns and frees the error. */
#ifndef DCTL_DRIVER_H
#define DCTL_DRIVER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DCTL_DRIVER_ABI_MAJOR 1
#define DCTL_DRIVER_ABI_MINOR 1

#define DCTL_EXPORT __attribute__((visibility("default")))

/* Kinds of error; api/errors.c alone maps them to HTTP status codes. */
enum dctl_error_kind {
    DCTL_ERR_NONE = 0,
    DCTL_ERR_INVALID,        /* 400: bad parameter or body */
    DCTL_ERR_FORBIDDEN,      /* 403 */
    DCTL_ERR_NOT_FOUND,      /* 404: no such object */
    DCTL_ERR_CONFLICT,       /* 409: name in use, object busy */
    DCTL_ERR_NOT_MODIFIED,   /* 304: already started / stopped */
    DCTL_ERR_TOO_LARGE,      /* 413: request body over the endpoint's limit */
    DCTL_ERR_UNAVAILABLE,    /* 503: not a swarm manager, driver unusable */
    DCTL_ERR_NOT_IMPLEMENTED, /* 501 */
    DCTL_ERR_INTERNAL,       /* 500 */
};

/* An error: its kind, the errno if any (0 otherwise) and a message in Docker's
 * words. A dctl_error_t is NULL when there is no error. */
struct dctl_error {
    enum dctl_error_kind kind;
    int errnum;
    char *msg;
};
typedef struct dctl_error *dctl_error_t;

enum dctl_driver_kind {
    DCTL_DRIVER_STORAGE = 1,
    DCTL_DRIVER_NETWORK = 2,
    DCTL_DRIVER_EXEC = 3,
};

enum dctl_log_level {
    DCTL_LOG_FATAL = 0,
    DCTL_LOG_ERROR,
    DCTL_LOG_WARN,
    DCTL_LOG_INFO,
    DCTL_LOG_DEBUG,
    DCTL_LOG_TRACE,
};

/* A blocking job for the worker pool: run() on a pool thread (may block, uses
 * only its own copy of its inputs), then done() on the loop thread with run's
 * return value and error (done owns the error). */
typedef int (*dctl_job_run_cb)(void *job, dctl_error_t *err);
typedef void (*dctl_job_done_cb)(void *job, int status, dctl_error_t err);

/* What dctld offers a driver. Lent to the driver from init() until fini(). */
struct dctl_host {
    size_t size; /* sizeof (struct dctl_host) in the dctld that built it */
    unsigned int abi_major, abi_minor;
    /* Logs a line prefixed by "driver NAME: ". Any thread. */
    void (*log)(void *host_priv, enum dctl_log_level level, const char *fmt, va_list ap);
    /* Sets *err (if err and *err == NULL) and returns -1. Any thread. */
    int (*error_set)(dctl_error_t *err, enum dctl_error_kind kind, int errnum, const char *fmt,
                     va_list ap);
    /* The libevent loop (struct event_base *). Loop thread only. */
    void *event_base;
    /* Submits a job to the worker pool; 0, or -1 with *err. Loop thread only. */
    int (*submit)(void *host_priv, dctl_job_run_cb run, dctl_job_done_cb done, void *job,
                  dctl_error_t *err);
    /* Directory the driver may keep its state in (exists; the driver's own). */
    const char *state_dir;
    /* Directory for run-time state (sockets, pids); cleared on reboot. */
    const char *run_dir;
    void *host_priv; /* passed back as the first argument of log and submit */
};

/* A key/value list of driver options (--storage-opt and the like), NULL-ended. */
struct dctl_option {
    const char *key;
    const char *value;
};

/* Ops common to every kind, at the head of each kind's ops struct. */
#define DCTL_DRIVER_COMMON_OPS                                                          \
    size_t size; /* sizeof the ops struct when the driver was built */                 \
    /* Sets the driver up; *priv is the driver's. Loop thread; may block briefly.     \
     * options may be NULL. A driver that cannot work on this host fails with          \
     * DCTL_ERR_UNAVAILABLE and a message saying why. */                               \
    int (*init)(const struct dctl_host *host, const struct dctl_option *options,        \
                void **priv, dctl_error_t *err);                                        \
    /* Releases everything init() made. NULL-safe on priv. */                          \
    void (*fini)(void *priv);                                                           \
    /* Status lines for /info as a NULL-ended array of {key, value}; lent until the    \
     * next call. May be NULL. */                                                      \
    const struct dctl_option *(*status)(void *priv)

/* storage: Docker's graphdriver contract. IDs are lower-case hex strings. */
struct dctl_storage_ops {
    DCTL_DRIVER_COMMON_OPS;
    /* Creates layer id on top of parent (NULL for a base layer). Blocks. */
    int (*create)(void *priv, const char *id, const char *parent, dctl_error_t *err);
    /* Removes layer id. Blocks. */
    int (*remove)(void *priv, const char *id, dctl_error_t *err);
    /* Mounts layer id; *path stays the driver's until put(). Blocks. */
    int (*get)(void *priv, const char *id, const char **path, dctl_error_t *err);
    /* Releases a get(). Blocks. */
    int (*put)(void *priv, const char *id, dctl_error_t *err);
    bool (*exists)(void *priv, const char *id);
    /* Applies the tar stream read from fd to layer id; *size gets the bytes the
     * layer adds. The fd stays the caller's. Blocks. */
    int (*apply_diff)(void *priv, const char *id, const char *parent, int fd, int64_t *size,
                      dctl_error_t *err);
    /* Writes id's changes against parent as a tar stream to fd. Blocks. */
    int (*diff)(void *priv, const char *id, const char *parent, int fd, dctl_error_t *err);
    /* Lists id's changes against parent as a JSON array of {"Path","Kind"} written to
     * *json (malloc'd, the caller's). Blocks. */
    int (*changes)(void *priv, const char *id, const char *parent, char **json,
                   dctl_error_t *err);
    /* Unmounts everything at shutdown. */
    int (*cleanup)(void *priv, dctl_error_t *err);
};

/* network: endpoints are joined to network namespaces given as a path. */
struct dctl_network_ops {
    DCTL_DRIVER_COMMON_OPS;
    /* Creates network id with options (JSON object text, may be NULL). */
    int (*create_network)(void *priv, const char *id, const char *options_json,
                          dctl_error_t *err);
    int (*delete_network)(void *priv, const char *id, dctl_error_t *err);
    /* Joins endpoint eid of network nid to the namespace at netns_path; writes the
     * endpoint's settings as JSON to *result (malloc'd, the caller's; may be NULL). */
    int (*join)(void *priv, const char *nid, const char *eid, const char *netns_path,
                char **result, dctl_error_t *err);
    int (*leave)(void *priv, const char *nid, const char *eid, dctl_error_t *err);
    /* Publishes ports (JSON array of Docker's PortBinding entries) for eid. */
    int (*publish)(void *priv, const char *nid, const char *eid, const char *ports_json,
                   dctl_error_t *err);
    int (*unpublish)(void *priv, const char *nid, const char *eid, dctl_error_t *err);
};

/* exec: runs containers from a prepared root filesystem and a JSON spec.
 * The spec, the shim's files, the json-file log and the attach protocol are
 * described in docs/containers.md. */

/* How a container's command ended. */
struct dctl_exit_status {
    int exit_code;       /* the command's code; 128+N when killed by signal N */
    bool oom_killed;
    int64_t started_at;  /* Unix time in ns when the command was exec'd; 0 if unknown */
    int64_t finished_at; /* Unix time in ns when it ended */
    const char *error;   /* why it could not run or went wrong; NULL when it ran */
};

/* Called once, on the loop thread, when a watched container's command has
 * ended and its shim has recorded the status. st is lent for the call. */
typedef void (*dctl_exit_cb)(void *arg, const char *id, const struct dctl_exit_status *st);

struct dctl_exec_ops {
    DCTL_DRIVER_COMMON_OPS;
    /* Prepares container id from spec (JSON text: an OCI runtime spec with a
     * "dctl" object, docs/containers.md); nothing runs yet. Replaces an earlier
     * create of the same id that never started. */
    int (*create)(void *priv, const char *id, const char *spec_json, dctl_error_t *err);
    /* Starts id's shim and command. Returns once the command has been exec'd
     * (*pid: its pid in dctld's PID namespace) or has failed to start (err in
     * Docker's words, e.g. `exec: "x": executable file not found in $PATH`,
     * kind DCTL_ERR_INVALID; nothing is left running). Blocks: called from a
     * worker thread, never the loop thread; safe beside other ops. */
    int (*start)(void *priv, const char *id, int *pid, dctl_error_t *err);
    /* Calls cb(arg, id, status) once on the loop thread when id's command has
     * ended (after start or restore); at once (from the loop) if it already has. */
    int (*watch)(void *priv, const char *id, dctl_exit_cb cb, void *arg, dctl_error_t *err);
    /* Sends signo to the container's command (its PID 1). DCTL_ERR_CONFLICT
     * when it is not running. */
    int (*kill)(void *priv, const char *id, int signo, dctl_error_t *err);
    /* Freezes every process of running container id (cgroup freezer) and returns once
     * they are frozen. DCTL_ERR_CONFLICT when it is not running. May block for a while
     * (the freezer waits for each task): call from a worker thread; safe beside other
     * ops. */
    int (*pause)(void *priv, const char *id, dctl_error_t *err);
    /* Thaws id's processes; does not wait. Any thread. */
    int (*resume)(void *priv, const char *id, dctl_error_t *err);
    /* Unused (ABI 1.0's placeholder for exec sessions): see exec_start below. */
    int (*exec)(void *priv, const char *id, const char *process_json, int *pid,
                dctl_error_t *err);
    /* Resource usage of running container id as JSON text (malloc'd, the caller's): the
     * members of Docker's stats object that come from the container, in its shape
     * (GET /containers/{id}/stats): "cpu_stats" (with the host's "system_cpu_usage" and
     * "online_cpus"), "memory_stats", "pids_stats", "blkio_stats", "num_procs",
     * "storage_stats" and, when it has a network namespace of its own, "networks". The
     * caller adds "read", "preread", "precpu_stats", "name" and "id".
     * DCTL_ERR_CONFLICT when it is not running. Reads files: call from a worker thread. */
    int (*stats)(void *priv, const char *id, char **json, dctl_error_t *err);
    /* Applies resources_json (an OCI linux.resources object; members absent or 0 are left
     * as they are) to running container id. DCTL_ERR_CONFLICT when it is not running,
     * DCTL_ERR_INVALID for a value the kernel refuses. Call from a worker thread. */
    int (*update)(void *priv, const char *id, const char *resources_json, dctl_error_t *err);
    /* After a daemon restart: *pid > 0 when id's command still runs (then
     * watch it); 0 when it ended, with *st filled (st->error points into the
     * driver's memory until the next call). DCTL_ERR_NOT_FOUND when the
     * driver has no state for id. */
    int (*restore)(void *priv, const char *id, int *pid, struct dctl_exit_status *st,
                   dctl_error_t *err);
    /* Connects to id's attach socket and sends request (one line of the attach
     * protocol); returns the connected, non-blocking fd (the caller's). */
    int (*attach)(void *priv, const char *id, const char *request, dctl_error_t *err);
    /* Sets the size of id's terminal. DCTL_ERR_CONFLICT without a TTY. */
    int (*resize)(void *priv, const char *id, unsigned int rows, unsigned int cols,
                  dctl_error_t *err);
    /* Forgets id: kills what still runs of it and removes its run-time state. */
    int (*remove)(void *priv, const char *id, dctl_error_t *err);

    /* ABI 1.1: exec sessions (docker exec), further processes in a running container,
     * each named by an exec_id of 1 to 64 lower-case hex digits, unique in its
     * container (docs/containers.md, "Exec sessions"). An exec ends with its
     * container. */

    /* Starts process_json (JSON text: {"process": an OCI process object, "dctl":
     * {"stdin": bool}}) as exec_id in running container id, in all of its namespaces
     * and its cgroup. streams ("stdin,stdout,stderr" or a subset; NULL or "" for
     * none) are carried by *fd, a connected non-blocking socket (the caller's; -1
     * without streams): raw bytes with a terminal, else Docker's 8-byte frames; the
     * caller's half-close ends the process's stdin (without a terminal). *pid: the
     * process's pid in dctld's PID namespace. When the process cannot be started,
     * -1 with err in Docker's words (kind DCTL_ERR_INVALID for a command that is
     * missing or not executable) and *exit_code the code recorded for it (126, 127,
     * else 128); DCTL_ERR_CONFLICT when id is not running. Blocks: called from a
     * worker thread, never the loop thread; safe beside other ops. */
    int (*exec_start)(void *priv, const char *id, const char *exec_id,
                      const char *process_json, const char *streams, int *pid, int *fd,
                      int *exit_code, dctl_error_t *err);
    /* Calls cb(arg, id, status) once on the loop thread when exec_id of id has ended
     * (st->exit_code; times 0 when not known); at once (from the loop) if it already
     * has. After a daemon restart this finds the exec again from the shim. An exec
     * the driver has no record of (its container gone without one): code 137,
     * st->error set. */
    int (*exec_watch)(void *priv, const char *id, const char *exec_id, dctl_exit_cb cb,
                      void *arg, dctl_error_t *err);
    /* Sets the size of exec_id's terminal. DCTL_ERR_CONFLICT without one or when it
     * has ended. */
    int (*exec_resize)(void *priv, const char *id, const char *exec_id, unsigned int rows,
                       unsigned int cols, dctl_error_t *err);
    /* Sends signo to exec_id's process. DCTL_ERR_CONFLICT when it has ended. */
    int (*exec_kill)(void *priv, const char *id, const char *exec_id, int signo,
                     dctl_error_t *err);
};

/* The one symbol a driver exports. */
struct dctl_driver {
    unsigned int abi_major;
    unsigned int abi_minor;
    enum dctl_driver_kind kind;
    const char *name;
    const char *version; /* the driver's own version string; may be NULL */
    /* struct dctl_storage_ops, dctl_network_ops or dctl_exec_ops per kind */
    const void *ops;
};

#define DCTL_DRIVER_SYMBOL "dctl_driver"

#ifdef __cplusplus
}
#endif

#endif /* DCTL_DRIVER_H */
