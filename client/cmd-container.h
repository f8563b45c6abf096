/* client/cmd-container.h - what the container commands (client/cmd-run.c: run, create,
 * start; cmd-ps.c; cmd-logs.c; cmd-container.c: stop, restart, kill, rm, wait, rename,
 * top and the `dctl container` group) share. Single-threaded. */
#ifndef DCTL_CLIENT_CMD_CONTAINER_H
#define DCTL_CLIENT_CMD_CONTAINER_H

#include <stdbool.h>

#include <json-c/json.h>

#include "client/cmd.h"

extern const struct client_cmd cmd_attach_entry;
extern const struct client_cmd cmd_commit_entry;
extern const struct client_cmd cmd_container_entry;
extern const struct client_cmd cmd_cp_entry;
extern const struct client_cmd cmd_create_entry;
extern const struct client_cmd cmd_diff_entry;
extern const struct client_cmd cmd_exec_entry;
extern const struct client_cmd cmd_export_entry;
extern const struct client_cmd cmd_inspect_entry;
extern const struct client_cmd cmd_container_inspect_entry;
extern const struct client_cmd cmd_container_prune_entry;
extern const struct client_cmd cmd_kill_entry;
extern const struct client_cmd cmd_logs_entry;
extern const struct client_cmd cmd_ps_entry;
extern const struct client_cmd cmd_rename_entry;
extern const struct client_cmd cmd_restart_entry;
extern const struct client_cmd cmd_rm_entry;
extern const struct client_cmd cmd_run_entry;
extern const struct client_cmd cmd_start_entry;
extern const struct client_cmd cmd_stop_entry;
extern const struct client_cmd cmd_top_entry;
extern const struct client_cmd cmd_wait_entry;
extern const struct client_cmd cmd_pause_entry;
extern const struct client_cmd cmd_unpause_entry;
extern const struct client_cmd cmd_update_entry;
extern const struct client_cmd cmd_stats_entry;

/* The resource flags of run, create and update (client/cmd-update.c), as getopt values. */
enum cmd_resource_opt {
    CMD_RES_FIRST = 400,
    CMD_RES_MEMORY = CMD_RES_FIRST, CMD_RES_MEMORY_SWAP, CMD_RES_MEMORY_RESERVATION,
    CMD_RES_MEMORY_SWAPPINESS, CMD_RES_KERNEL_MEMORY, CMD_RES_OOM_KILL_DISABLE, CMD_RES_CPUS,
    CMD_RES_CPU_SHARES, CMD_RES_CPU_PERIOD, CMD_RES_CPU_QUOTA, CMD_RES_CPU_RT_PERIOD,
    CMD_RES_CPU_RT_RUNTIME, CMD_RES_CPUSET_CPUS, CMD_RES_CPUSET_MEMS, CMD_RES_PIDS_LIMIT,
    CMD_RES_BLKIO_WEIGHT, CMD_RES_BLKIO_WEIGHT_DEVICE, CMD_RES_DEVICE_READ_BPS,
    CMD_RES_DEVICE_WRITE_BPS, CMD_RES_DEVICE_READ_IOPS, CMD_RES_DEVICE_WRITE_IOPS,
    CMD_RES_LAST = CMD_RES_DEVICE_WRITE_IOPS,
};

/* Those of docker update (-m and -c are short options of their own). */
#define CMD_RESOURCE_UPDATE_LONGOPTS                                                         \
    { "memory", required_argument, NULL, CMD_RES_MEMORY },                                 \
    { "memory-swap", required_argument, NULL, CMD_RES_MEMORY_SWAP },                       \
    { "memory-reservation", required_argument, NULL, CMD_RES_MEMORY_RESERVATION },         \
    { "kernel-memory", required_argument, NULL, CMD_RES_KERNEL_MEMORY },                   \
    { "cpus", required_argument, NULL, CMD_RES_CPUS },                                     \
    { "cpu-shares", required_argument, NULL, CMD_RES_CPU_SHARES },                         \
    { "cpu-period", required_argument, NULL, CMD_RES_CPU_PERIOD },                         \
    { "cpu-quota", required_argument, NULL, CMD_RES_CPU_QUOTA },                           \
    { "cpu-rt-period", required_argument, NULL, CMD_RES_CPU_RT_PERIOD },                   \
    { "cpu-rt-runtime", required_argument, NULL, CMD_RES_CPU_RT_RUNTIME },                 \
    { "cpuset-cpus", required_argument, NULL, CMD_RES_CPUSET_CPUS },                       \
    { "cpuset-mems", required_argument, NULL, CMD_RES_CPUSET_MEMS },                       \
    { "pids-limit", required_argument, NULL, CMD_RES_PIDS_LIMIT },                         \
    { "blkio-weight", required_argument, NULL, CMD_RES_BLKIO_WEIGHT }
/* Those of docker run and create. */
#define CMD_RESOURCE_LONGOPTS                                                                \
    CMD_RESOURCE_UPDATE_LONGOPTS,                                                          \
    { "memory-swappiness", required_argument, NULL, CMD_RES_MEMORY_SWAPPINESS },           \
    { "oom-kill-disable", no_argument, NULL, CMD_RES_OOM_KILL_DISABLE },                   \
    { "blkio-weight-device", required_argument, NULL, CMD_RES_BLKIO_WEIGHT_DEVICE },       \
    { "device-read-bps", required_argument, NULL, CMD_RES_DEVICE_READ_BPS },               \
    { "device-write-bps", required_argument, NULL, CMD_RES_DEVICE_WRITE_BPS },             \
    { "device-read-iops", required_argument, NULL, CMD_RES_DEVICE_READ_IOPS },             \
    { "device-write-iops", required_argument, NULL, CMD_RES_DEVICE_WRITE_IOPS }

/* Parses resource flag opt (an enum cmd_resource_opt) into hc, HostConfig's members, with
 * the docker CLI's parsers and messages (DCTL_ERR_INVALID: "invalid argument \"X\" for
 * \"-m, --memory\" flag: invalid size: 'X'"). */
int cmd_resource_opt(struct json_object *hc, int opt, const char *arg, dctl_error_t *err);

/* docker stats' arithmetic (client/cmd-stats.c), for it and its tests. */
/* calculateCPUPercentUnix: the container's CPU time over the system's between two
 * cpu_stats objects, times the CPUs online (or the per-CPU list's length). */
double cmd_stats_cpu_percent(struct json_object *pre_cpu, struct json_object *cpu);
/* calculateMemUsageUnixNoCache: usage less inactive file pages (v1's total_inactive_file,
 * v2's inactive_file). */
double cmd_stats_mem_usage(struct json_object *memory_stats);
/* A row of the stats table (Container, Name, ID, CPUPerc, MemUsage, MemPerc, NetIO,
 * BlockIO, PIDs: docker's strings) from a stats object and the cpu_stats of the sample
 * before it (NULL: the object's own precpu_stats). New. */
struct json_object *cmd_stats_row(const char *container, struct json_object *stats,
                                  struct json_object *pre_cpu, bool no_trunc);

/* getopt values of the security flags of run/create (client/cmd-run-security.c), apart
 * from cmd-run.c's own */
enum {
    RUN_OPT_CAP_ADD = 512, RUN_OPT_CAP_DROP, RUN_OPT_PRIVILEGED, RUN_OPT_SECURITY_OPT,
    RUN_OPT_DEVICE, RUN_OPT_DEVICE_CGROUP_RULE, RUN_OPT_ULIMIT,
};

/* --cap-add, --cap-drop, --privileged, --security-opt, --device, --device-cgroup-rule,
 * --ulimit as parsed (the arrays are the HostConfig's members, built as they come). */
struct cmd_run_security {
    bool privileged, systempaths_unconfined;
    struct json_object *cap_add, *cap_drop, *security_opt, *devices, *device_rules, *ulimits;
};
void cmd_run_security_init(struct cmd_run_security *s);
void cmd_run_security_fini(struct cmd_run_security *s);
/* One of the flags above; 0, or -1 with *err in docker's words ("invalid argument \"X\"
 * for \"--ulimit\" flag: ..."). --security-opt seccomp=FILE reads FILE. */
int cmd_run_security_opt(struct cmd_run_security *s, int opt, const char *arg,
                         dctl_error_t *err);
/* Their members of HostConfig hc. */
void cmd_run_security_body(const struct cmd_run_security *s, struct json_object *hc);

/* The flags of `dctl run` and `dctl create`, as parsed. */
struct cmd_run_opts {
    bool detach, interactive, tty, rm, init, no_healthcheck, read_only, sig_proxy;
    const char *name, *workdir, *user, *entrypoint, *restart, *hostname, *network;
    const char *log_driver, *stop_signal, *detach_keys, *ipc, *pid, *uts;
    const char *userns;   /* --userns: "host" or "" */
    long long stop_timeout;
    bool stop_timeout_set;
    const char *health_cmd, *health_interval, *health_timeout, *health_start_period;
    long long health_retries;
    struct json_object *env, *binds, *mounts, *tmpfs, *dns, *dns_search, *dns_options;
    struct json_object *hosts, *log_opts, *labels, *group_add; /* arrays of strings */
    struct json_object *resources; /* HostConfig members from the resource flags */
    struct cmd_run_security sec;
};

void cmd_run_opts_init(struct cmd_run_opts *o);
void cmd_run_opts_fini(struct cmd_run_opts *o);
/* Parses one flag of run/create (o is getopt's value, optarg its argument) into o;
 * 0, or -1 with *err (DCTL_ERR_INVALID, docker's wording) for a bad value. */
int cmd_run_opt(struct cmd_run_opts *o, int opt, const char *arg, dctl_error_t *err);
/* The body of POST /containers/create for IMAGE and its command (argv, n). New. */
struct json_object *cmd_run_body(const struct cmd_run_opts *o, const char *image,
                                 char *const *argv, int n, dctl_error_t *err);
/* Tests: the create body of "run ARGS..." (argv[0] is "run"); NULL with *err for a bad
 * flag or value, as dctl run refuses it. */
struct json_object *cmd_run_body_from_args(int argc, char **argv, dctl_error_t *err);
/* Go's time.ParseDuration subset: "1h2m3.5s", "300ms", "10us", "0". */
int cmd_parse_duration(const char *s, long long *ns);
/* Adds -e KEY=VALUE to env (an array); a bare KEY takes its value from our environment,
 * and is left out when unset. */
void cmd_env_add(struct json_object *env, const char *kv);
/* Reads an --env-file: KEY=VALUE lines, # comments, a bare KEY taken from the
 * environment when set. Adds to env (an array). */
int cmd_env_file_read(const char *path, struct json_object *env, dctl_error_t *err);

struct hijack;
/* An interactive session on a hijacked connection (run, attach, exec): stdin (when in)
 * to the connection, its output to ours (demultiplexed without a TTY) until the daemon
 * ends it. With tty, the window size goes to RESIZE_BASE/resize (BASE: /containers/ID
 * or /exec/ID) now and at each SIGWINCH; with raw, a terminal stdin is in raw mode
 * until the end (restored on every way out). Without tty, INT, TERM and HUP go to
 * container kill_id when given. */
void cmd_session_run(struct client *cl, struct hijack *att, const char *resize_base,
                     const char *kill_id, bool in, bool tty, bool raw);

/* A container name or ID for a path segment. Caller's. */
char *cmd_container_escape(const char *name);
/* Sends a request and parses the answer (NULL for an empty body); errors as the
 * image commands' (cmd_image_request). */
int cmd_container_request(struct client *cl, const char *method, const char *path,
                          const char *body, struct json_object **out, dctl_error_t *err);

#endif
