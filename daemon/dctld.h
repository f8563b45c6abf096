/* daemon/dctld.h - the daemon object: owns the event loop, the configuration,
 * the worker pool, the router and HTTP server, the managers and the drivers.
 * One per process; loop thread only. */
#ifndef DCTL_DAEMON_DCTLD_H
#define DCTL_DAEMON_DCTLD_H

#include <stdbool.h>

#include <event2/event.h>

#include "daemon/config.h"
#include "lib/error.h"

struct api_server;
struct container_store;
struct driver_registry;
struct exec_store;
struct events;
struct image_service;
struct router;
struct userns_remap;
struct stats_hub;
struct worker_pool;

struct dctld {
    struct event_base *base;
    struct daemon_config config;
    struct worker_pool *workers;
    struct router *router;
    struct api_server *api;
    struct driver_registry *drivers;
    struct events *events;    /* the events manager: every manager emits here */
    struct image_service *images; /* NULL when no storage driver is active */
    struct container_store *containers; /* the container manager */
    struct exec_store *execs; /* exec sessions (docker exec) */
    /* --userns-remap in force (NULL: none). config.data_root is then the remapped root
     * DATA_ROOT/UID.GID; the lock and engine ID stay in DATA_ROOT (data_root_base). */
    struct userns_remap *userns;
    char *data_root_base;
    struct stats_hub *stats;  /* GET /containers/{id}/stats followers (api/containers-stats.c) */
    char id[40];              /* engine ID, stable across restarts (data-root/engine-id) */
    long long started_ns;
    int lock_fd;              /* data-root/dctld.lock, flock'd while we run */
    bool pidfile_written;
    bool stopping;
    struct event *sig_term, *sig_int, *sig_hup, *shutdown_timer;
    long long shutdown_deadline_ns;
};

/* Takes the config (moved into the daemon). Sets up directories, the lock, the
 * pidfile, the pool, the drivers and the listeners; nothing is left behind on
 * failure. */
struct dctld *dctld_new(struct daemon_config *config_take, dctl_error_t *err);
/* Runs the loop until a SIGTERM/SIGINT shutdown completes. */
int dctld_run(struct dctld *d);
/* Begins an orderly shutdown (as SIGTERM does). */
void dctld_shutdown(struct dctld *d);
/* Removes the socket files and the pidfile, frees everything. NULL-safe. */
void dctld_free(struct dctld *d);

#endif
