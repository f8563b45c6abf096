/* daemon/exec.h - exec sessions (docker exec): the store of sessions by ID, their life
 * (created, running, ended) through the exec driver's exec_start and exec_watch, the
 * exec_create / exec_start / exec_die events, the records under EXEC_ROOT/execs/ID.json
 * of the running sessions that let them outlive a dctld restart (watched again then),
 * and their removal: with their container, and by dockerd's rule for the others (a
 * sweep every five minutes marks an ended session, or one never started whose
 * container stopped, CanRemove; the next sweep removes it).
 *
 * Owner: struct dctld (dctld->execs). Each struct exec_session belongs to the store;
 * jobs and callbacks that outlive its removal hold a reference. Loop thread only: the
 * start (the process built from the container's config, the driver's exec_start) and
 * the record writes are worker jobs.
 *
 * Errors in dockerd's words: 404 "No such exec instance: ID", 409 for a container
 * that is not running, paused or restarting and for a session already started. */
#ifndef DCTL_DAEMON_EXEC_H
#define DCTL_DAEMON_EXEC_H

#include <stdbool.h>

#include <json-c/json.h>

#include "lib/error.h"

struct container;
struct dctld;
struct exec_session;
struct exec_store;

/* Told once when its session ends (after exec_die and the exit code are recorded): a
 * bridge that waits to close its client, a health check's probe. Owner: the listener's
 * owner, who embeds it; it must exec_unlisten before it goes. */
struct exec_listener {
    struct exec_listener *next;
    void (*cb)(void *arg, struct exec_session *x);
    void *arg;
};

struct exec_session {
    struct exec_store *store;
    int refs;
    char id[65];
    struct container *c;        /* a reference */
    struct json_object *config; /* the create body, checked (spec_exec_body_check) */
    bool started;               /* a start was asked for: it cannot be started again */
    bool running, ended, can_remove, removed;
    int pid;
    int exit_code;              /* once ended */
    unsigned int want_rows, want_cols; /* a resize asked for before it ran */
    long long created_ns;
    struct exec_listener *listeners;
    bool saving, save_again;    /* one record write in flight; the last state wins */
};

/* Opens the store: reads EXEC_ROOT/execs/, keeps the records whose container exists
 * (removing the others) and watches those that were running. After the containers
 * are restored. */
struct exec_store *exec_store_open(struct dctld *d, dctl_error_t *err);
/* Frees every session and the sweep timer. NULL-safe. */
void exec_store_free(struct exec_store *s);

struct exec_session *exec_session_ref(struct exec_session *x);
void exec_session_unref(struct exec_session *x);

/* POST /containers/{id}/exec: body (lent, checked here) for container c, which must be
 * running. Emits exec_create. The new session is lent (the store's). */
struct exec_session *exec_create(struct exec_store *s, struct container *c,
                                 struct json_object *body, dctl_error_t *err);
/* By full ID (dockerd takes no prefixes of exec IDs). Lent. */
struct exec_session *exec_lookup(struct exec_store *s, const char *id, dctl_error_t *err);

/* The start's result: fd carries the streams (the callee's; -1 without streams or on
 * failure); status -1 with err (the callee's to consume) when the process could not
 * start (the session then has ended with 126, 127 or 128). */
typedef void (*exec_started_cb)(void *arg, struct exec_session *x, int status, int fd,
                                dctl_error_t err);
/* Starts x (409 when started before, or when its container is not running or is
 * paused); rows and cols (0 0: the exec's ConsoleSize) size its terminal. streams
 * asks for the exec's attached streams on a socket. Emits exec_start; cb runs once,
 * later, on the loop. */
int exec_start(struct exec_session *x, unsigned int rows, unsigned int cols, bool streams,
               exec_started_cb cb, void *arg, dctl_error_t *err);
/* POST /exec/{id}/resize. 409 when it is not running or has no terminal. */
int exec_resize(struct exec_session *x, unsigned int rows, unsigned int cols, dctl_error_t *err);
/* Signals x's process (a health check's timeout). */
int exec_kill(struct exec_session *x, int signo, dctl_error_t *err);
/* l->cb(l->arg, x) once x has ended (at once, from this call, when it has). */
void exec_listen(struct exec_session *x, struct exec_listener *l);
/* l will not be called (NULL-safe; fine after the call). */
void exec_unlisten(struct exec_session *x, struct exec_listener *l);
/* Removes x from the store now (a health check's probe, done with). */
void exec_remove(struct exec_session *x);

/* GET /exec/{id}/json, in dockerd's shape. New. */
struct json_object *exec_inspect(const struct exec_session *x);
/* A container's ExecIDs: the sessions not ended, oldest first; NULL when none. New. */
struct json_object *exec_ids_of(struct exec_store *s, const struct container *c);
/* The container left the store: its sessions go too. */
void exec_container_dropped(struct exec_store *s, struct container *c);

/* The action of its events: "exec_create: CMD ARGS..." (prefix "exec_create"). New. */
char *exec_event_action(const struct exec_session *x, const char *prefix);

#endif
