/* daemon/config.h - dctld's configuration: defaults, the daemon.json file
 * (Docker's keys where they mean the same; an unknown key or a wrong type is an
 * error naming it) and command-line flags, which override the file.
 *
 * Owner: struct dctld (one struct daemon_config). Loop thread only. */
#ifndef DCTL_DAEMON_CONFIG_H
#define DCTL_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/error.h"
#include "lib/log.h"

#define DAEMON_DEFAULT_HOST "unix:///run/dctl.sock"
#define DAEMON_DEFAULT_DATA_ROOT "/var/lib/dctl"
#define DAEMON_DEFAULT_EXEC_ROOT "/run/dctl"
#define DAEMON_DEFAULT_CONFIG_FILE "/etc/dctl/daemon.json"
#define DAEMON_DEFAULT_IDLE_TIMEOUT 120

struct strv {
    char **v;
    size_t n;
};

void strv_add(struct strv *s, const char *item);
void strv_clear(struct strv *s);

/* Which settings came from a flag (and so win over the file). */
enum config_field {
    CONFIG_HOSTS = 1u << 0,
    CONFIG_DATA_ROOT = 1u << 1,
    CONFIG_EXEC_ROOT = 1u << 2,
    CONFIG_DRIVER_DIR = 1u << 3,
    CONFIG_STORAGE_DRIVER = 1u << 4,
    CONFIG_STORAGE_OPTS = 1u << 5,
    CONFIG_LOG_LEVEL = 1u << 6,
    CONFIG_PIDFILE = 1u << 7,
    CONFIG_LABELS = 1u << 8,
    CONFIG_DEBUG = 1u << 9,
    CONFIG_IDLE_TIMEOUT = 1u << 10,
    CONFIG_SHUTDOWN_TIMEOUT = 1u << 11,
    CONFIG_EXEC_DRIVER = 1u << 12,
    CONFIG_EXEC_OPTS = 1u << 13,
    CONFIG_USERNS_REMAP = 1u << 14,
    CONFIG_CGROUP_PARENT = 1u << 15,
};

struct daemon_config {
    struct strv hosts;           /* -H; default unix:///run/dctl.sock */
    char *data_root;
    char *exec_root;
    char *driver_dir;
    char *storage_driver;        /* NULL: choose */
    char *exec_driver;           /* NULL: "native" (absent: containers cannot run) */
    struct strv storage_opts;    /* key=value */
    struct strv exec_opts;       /* key=value, for the exec driver (native.shim=PATH) */
    char *userns_remap;          /* --userns-remap as given (daemon/userns.h); NULL: off */
    char *cgroup_parent;         /* containers' cgroups go under it (NULL: /dctl) */
    enum dctl_log_level log_level;
    bool debug;                  /* "debug": true means log level debug */
    char *pidfile;               /* default EXEC_ROOT/../dctld.pid = /run/dctld.pid */
    char *config_file;
    struct strv labels;          /* engine labels, key=value */
    unsigned int idle_timeout;   /* seconds; HTTP idle / stalled request timeout */
    unsigned int shutdown_timeout; /* seconds to finish in-flight work on SIGTERM */
    unsigned int from_flags;     /* enum config_field bits set by flags */
    bool config_file_given;      /* --config-file: the file must exist */
};

void daemon_config_init(struct daemon_config *c);
void daemon_config_fini(struct daemon_config *c);

/* Parses argv into c (flags only). Returns 0 to go on, 1 when --help or --version
 * was handled (exit 0), -1 with *err on a bad flag. */
int daemon_config_parse_args(struct daemon_config *c, int argc, char **argv, dctl_error_t *err);
/* Applies the JSON text of a daemon.json to c; keys set by flags are kept. */
int daemon_config_apply_json(struct daemon_config *c, const char *text, size_t len,
                             dctl_error_t *err);
/* Reads c->config_file (absent is fine unless given explicitly) and applies it;
 * then fills what is still unset with defaults. */
int daemon_config_load(struct daemon_config *c, dctl_error_t *err);
/* The level in force (debug wins over log-level as in dockerd). */
enum dctl_log_level daemon_config_log_level(const struct daemon_config *c);

/* Reload (SIGHUP): reads the file again into a copy and moves the reloadable
 * keys (log-level, debug, labels) into c; *changed gets a malloc'd
 * human-readable list of what changed (or NULL if nothing). */
int daemon_config_reload(struct daemon_config *c, char **changed, dctl_error_t *err);

void daemon_config_usage(FILE *out);

#endif
