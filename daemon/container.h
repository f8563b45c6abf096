/* daemon/container.h - the container manager: the store of containers
 * (DATA_ROOT/containers/ID/{config.v2.json, hostconfig.json}, written atomically by
 * worker jobs, loaded and restored at start), names, the state machine (created,
 * running, paused, restarting, removing, exited, dead) driven through the exec
 * driver's ops, restart policies with dockerd's back-off, AutoRemove, waiters
 * (wait conditions, stop) and the container events.
 *
 * Owner: struct dctld (dctld->containers). Each struct container belongs to the
 * store; jobs and waiters that outlive a removal hold a reference (container_ref).
 * Loop thread only: every blocking step (RW layer, spec, driver start, file writes,
 * removal) runs in a worker job and comes back to the loop.
 *
 * Errors: Docker's words and kinds: 404 "No such container: X", 409 name conflicts
 * and busy or running containers, 304 for start/stop that change nothing, 400 for
 * bad input, 500 when no exec driver is active. */
#ifndef DCTL_DAEMON_CONTAINER_H
#define DCTL_DAEMON_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "lib/digest.h"
#include "lib/error.h"

struct dctld;
struct container_store;
struct container_waiter;
struct cgroup_host;
struct health;
struct sysinfo;

enum container_status {
    CONTAINER_CREATED = 0,
    CONTAINER_RUNNING,
    CONTAINER_PAUSED,
    CONTAINER_RESTARTING,
    CONTAINER_REMOVING,
    CONTAINER_EXITED,
    CONTAINER_DEAD,
};

struct container {
    struct container_store *store;
    int refs;
    char id[65];
    char *name;                       /* "/name" */
    char image_id[DIGEST_STRING_MAX];
    char top_chain[DIGEST_STRING_MAX]; /* the image's top layer ("" when none) */
    struct json_object *config;       /* Docker's Config */
    struct json_object *hostconfig;   /* normalised HostConfig */
    long long created_ns;
    char *dir;                        /* DATA_ROOT/containers/ID */
    char *log_path;
    /* state (State in inspect) */
    enum container_status status;
    int pid;
    int exit_code;
    char *error;
    bool oom_killed;
    long long started_ns, finished_ns;
    int restart_count;
    bool has_been_started, manually_stopped;
    long long start_failed_ns;        /* when the last start failed (attachers stop waiting) */
    /* run time */
    bool creating;                    /* hidden until its create job is done */
    bool removed;                     /* gone from the store; refs keep it */
    bool busy;                        /* a start, stop or removal is in flight */
    bool pausing;                     /* a pause job is in flight */
    bool mounted;                     /* RW layer mounted (a get not put) */
    char *rootfs;
    bool saving, save_again;
    struct event *restart_ev, *stop_ev;
    long long backoff_ms;
    unsigned int policy_restarts;     /* restarts by policy since the last start by hand */
    struct container_waiter *waiters;
    struct health *health;            /* health checks (daemon/health.c), NULL when none */
    struct container_oom *oom;        /* its cgroup's OOM watch while it runs (container-oom.c) */
    bool oom_reported;                /* an `oom` event was sent during this run */
    void (*after_save)(struct container *c);   /* e.g. the removal waiting on a save */
    void (*remove_done)(void *arg, struct container *c, int status, struct dctl_error *err);
    void *remove_arg;
    /* GET /containers/json's row without Names, State and Status (api/containers.c):
     * built once, as config and hostconfig do not change after create */
    char *list_row;
    struct json_object *create_warnings; /* the create's Warnings, until its reply takes them */
};

enum container_wait_cond {
    CONTAINER_WAIT_NOT_RUNNING = 0,
    CONTAINER_WAIT_NEXT_EXIT,
    CONTAINER_WAIT_REMOVED,
};

/* Called once on the loop: the container's exit code and error (NULL when none), or
 * cancelled (code -1, error set) when the daemon stops. */
typedef void (*container_wait_cb)(void *arg, int exit_code, const char *error);

/* Opens the store under data_root/containers and restores each container (recorded
 * running: the exec driver's restore; restart policies applied). Start-up. */
struct container_store *container_store_open(struct dctld *d, dctl_error_t *err);
/* Cancels waiters and timers, frees every container. NULL-safe. */
void container_store_free(struct container_store *s);

struct container *container_ref(struct container *c);
void container_unref(struct container *c);

/* By full ID, name (with or without '/') or unique ID prefix, as dockerd's GetContainer.
 * 404 "No such container: X". Lent. */
struct container *container_lookup(struct container_store *s, const char *name,
                                   dctl_error_t *err);
/* Every container (not those being created), newest first; lent array (malloc'd). */
struct container **container_list(struct container_store *s, size_t *n);
size_t container_count(struct container_store *s, enum container_status st, bool any);

/* Docker's State.Status string. */
const char *container_status_name(enum container_status st);
bool container_is_running(const struct container *c);

/* Names: valid as dockerd's RestrictedNamePattern ("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+"). */
bool container_name_valid(const char *name);
/* A fresh adjective_surname name (with a digit appended after collisions); malloc'd. */
char *container_name_generate(struct container_store *s);

/* Result of an asynchronous operation: 0, or -1 with err (the callee's to consume). */
typedef void (*container_done_cb)(void *arg, struct container *c, int status, dctl_error_t err);

/* POST /containers/create: body (lent) and name (may be NULL). Checks on the loop
 * (400/404/409 at once, returning -1), then the RW layer and files in a job; done runs
 * once (with the new container on success). */
int container_create(struct container_store *s, struct json_object *body, const char *name,
                     container_done_cb done, void *arg, dctl_error_t *err);
/* Start: 304 when running. done after the command runs (or failed to). */
int container_start(struct container *c, container_done_cb done, void *arg, dctl_error_t *err);
/* Stop: signal (NULL: StopSignal or SIGTERM), then SIGKILL after timeout seconds (-1:
 * wait for ever; timeout_set false: StopTimeout or 10). 304 when not running. */
int container_stop(struct container *c, const char *signal, bool timeout_set, long long timeout,
                   container_done_cb done, void *arg, dctl_error_t *err);
/* Restart: stop (if running), then start. */
int container_restart(struct container *c, const char *signal, bool timeout_set,
                      long long timeout, container_done_cb done, void *arg, dctl_error_t *err);
/* Kill: signal name ("KILL", "SIGKILL") or number; NULL is SIGKILL. Synchronous. */
int container_kill(struct container *c, const char *signal, dctl_error_t *err);
/* DELETE: 409 when running without force (force: SIGKILL first). */
int container_remove(struct container *c, bool force, container_done_cb done, void *arg,
                     dctl_error_t *err);
/* Rename; 409 on a conflict. */
int container_rename(struct container *c, const char *name, dctl_error_t *err);

/* Waits for cond; returns the waiter (cancel it when the client goes), or NULL with
 * err (400 for a bad condition). not-running on a container not running calls cb at
 * once (from a zero timer, never inside this call). */
struct container_waiter *container_wait(struct container *c, enum container_wait_cond cond,
                                        container_wait_cb cb, void *arg, dctl_error_t *err);
void container_wait_cancel(struct container_waiter *w);
/* "not-running", "next-exit", "removed" (and "" for not-running). */
int container_wait_cond_parse(const char *s, enum container_wait_cond *out, dctl_error_t *err);

/* Signals: "KILL", "SIGKILL", "9" → 9; -1 when unknown. */
int container_signal_parse(const char *s);

/* Writes config.v2.json and hostconfig.json in a job (saves are serialised: the last
 * state wins), e.g. after a health check changed State.Health. */
void container_save(struct container *c);
/* The daemon the container belongs to. */
struct dctld *container_dctld(const struct container *c);

/* The exec driver's ops and priv, or NULL (500 "no exec driver...") when none is active. */
const struct dctl_exec_ops *container_exec_ops(struct container_store *s, void **priv,
                                               dctl_error_t *err);

/* Writes config.v2.json and hostconfig.json in a job (the last state wins on disk). */
void container_save(struct container *c);

/* ---- resources (daemon/container-resources.c) ------------------------------------- */

/* Pause (the cgroup freezer): 409 when it is not running, already paused or restarting.
 * done once it is frozen (State.Paused, a "pause" event). */
int container_pause(struct container *c, container_done_cb done, void *arg, dctl_error_t *err);
/* Unpause: 409 "Container X is not paused". Synchronous ("unpause" event). */
int container_unpause(struct container *c, dctl_error_t *err);
/* After a signal to a paused container: thawed when dockerd would (SIGKILL, the stop
 * signal, or any signal when none is set), so that it can act on it. */
void container_unpause_for_signal(struct container *c, int signo);
/* POST /containers/{id}/update: body (lent) checked and merged into HostConfig, applied
 * to the running container's cgroup first (in a job); warnings (a JSON array) gets
 * Docker's. done runs once; the "update" event on success. */
int container_update(struct container *c, struct json_object *body, struct json_object *warnings,
                     container_done_cb done, void *arg, dctl_error_t *err);
/* What the host's cgroups can do (read once at start). */
const struct sysinfo *container_store_sysinfo(struct container_store *s);
/* The daemon the store belongs to (its workers, its loop). */
struct dctld *container_store_dctld(struct container_store *s);

/* Event attributes of a container (labels, image, name) as a new JSON object. */
struct json_object *container_event_attrs(const struct container *c);
/* Emits a container event with the container's attributes plus extra key/value pairs
 * (NULL-ended). */
void container_emit(struct container *c, const char *action, ...) __attribute__((sentinel));

/* The host's cgroups (cgroup_host_open_env, read once), NULL when there are none; and
 * whether a running container's cgroup is frozen (1, 0; -1 when it cannot be read):
 * daemon/container-resources.c. */
const struct cgroup_host *container_cgroup_host(void);
int container_cgroup_frozen(struct container *c);

/* daemon/container-oom.c: watch a running container's cgroup for OOM kills (an `oom`
 * event for each, oom_reported set; fresh: a start, whose kills all count, else a
 * container found running at dctld's start), and stop watching it (at its exit, its
 * removal). */
void container_oom_watch(struct container *c, bool fresh);
void container_oom_unwatch(struct container *c);

/* Removes stopped containers matching the predicate in one job: done gets the IDs and
 * the bytes reclaimed. */
typedef void (*container_prune_cb)(void *arg, struct json_object *deleted, int64_t reclaimed);
int container_prune(struct container_store *s, bool (*match)(struct container *c, void *arg),
                    void *match_arg, container_prune_cb done, void *arg, dctl_error_t *err);

#endif
