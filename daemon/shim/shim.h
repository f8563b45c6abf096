/* daemon/shim/shim.h - what the parts of dctl-shim share: the container's spec as
 * the shim reads it from BUNDLE/config.json (docs/containers.md, "The spec"), and
 * the container side (shim-init.c) that turns it into a running command.
 *
 * dctl-shim is a small static program, single-threaded; nothing here is
 * thread-safe and nothing needs to be. */
#ifndef DCTL_SHIM_H
#define DCTL_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct json_object;
struct cgroup_resources;
struct sock_filter;

/* Exit codes recorded when the command could not be started, as Docker sets them. */
#define SHIM_EXIT_NOT_FOUND 127 /* the command does not exist */
#define SHIM_EXIT_CANNOT_EXEC 126 /* permission denied, not executable */
#define SHIM_EXIT_START_FAILED 128 /* anything else on the way to exec */

enum shim_cap_set {
    SHIM_CAP_BOUNDING,
    SHIM_CAP_EFFECTIVE,
    SHIM_CAP_INHERITABLE,
    SHIM_CAP_PERMITTED,
    SHIM_CAP_AMBIENT,
    SHIM_CAP_NSETS,
};

struct shim_mount {
    char *destination;
    char *type;
    char *source;
    unsigned long flags;       /* MS_* from options, MS_BIND / MS_REC for binds */
    unsigned long propagation; /* MS_PRIVATE, MS_SHARED, ... (| MS_REC), or 0 */
    char *data;                /* options that are not flags, comma-separated */
};

struct shim_device {
    char *path;
    mode_t type; /* S_IFCHR, S_IFBLK or S_IFIFO */
    unsigned int major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

struct shim_rlimit {
    int resource;
    uint64_t soft, hard;
};

struct shim_sysctl {
    char *key, *value;
};

/* One line of a user namespace's uid_map or gid_map (OCI's LinuxIDMapping). */
struct shim_id_map {
    unsigned int container, host, size;
};
#define SHIM_ID_MAPS_MAX 64

/* namespaces a spec may name, in the order they are joined by path */
enum shim_ns {
    SHIM_NS_IPC,
    SHIM_NS_UTS,
    SHIM_NS_NET,
    SHIM_NS_PID,
    SHIM_NS_MNT,
    SHIM_NS_CGROUP,
    SHIM_NS_COUNT,
};

/* The parsed spec. Owner: dctl-shim's main, for the life of the process. */
struct shim_spec {
    /* process */
    bool terminal;
    uid_t uid;
    gid_t gid;
    gid_t *gids;
    size_t ngids;
    char **args; /* NULL-ended, at least one */
    char **env;  /* NULL-ended */
    char *cwd;
    bool has_caps;
    uint64_t caps[SHIM_CAP_NSETS];
    bool no_new_privs;
    struct shim_rlimit *rlimits;
    size_t nrlimits;
    unsigned short rows, cols;
    /* root, names */
    char *root;
    bool root_readonly;
    char *hostname, *domainname;
    struct shim_mount *mounts;
    size_t nmounts;
    /* linux */
    int clone_flags;             /* CLONE_NEW* for the namespaces to create */
    char *ns_path[SHIM_NS_COUNT]; /* namespaces to join, or NULL */
    struct shim_device *devices;
    size_t ndevices;
    char **masked;   /* NULL-ended */
    char **readonly; /* NULL-ended */
    struct shim_sysctl *sysctls;
    size_t nsysctls;
    /* a new user namespace (CLONE_NEWUSER in clone_flags): its maps */
    struct shim_id_map uid_map[SHIM_ID_MAPS_MAX], gid_map[SHIM_ID_MAPS_MAX];
    size_t nuid_map, ngid_map;
    char *cgroup_path;                  /* linux.cgroupsPath, cleaned; NULL: none */
    struct cgroup_resources *resources; /* linux.resources until applied */
    struct sock_filter *seccomp; /* the filter's program (dctl.seccompBpf), or NULL */
    size_t seccomp_len;          /* in instructions */
    unsigned int seccomp_flags;  /* SECCOMP_FILTER_FLAG_* (dctl.seccompFlags) */
    /* dctl */
    bool stdin_open, stdin_once, init;
    bool log_json; /* json-file, else none */
    char *log_path;
    long long log_max_size; /* 0: unlimited */
    int log_max_file;       /* >= 1 */
};

/* Reads and checks BUNDLE/config.json (dirfd: the bundle). On error writes a message
 * into why (a static buffer) and returns -1. */
int shim_spec_load(int dirfd, struct shim_spec *spec, const char **why);

/* An exec's spec (docs/containers.md, "Exec sessions"): a copy of base (the container's)
 * with the process members (and dctl.stdin) parsed from text (len bytes of JSON: an OCI
 * process object under "process"). The strings of base are shared; free only what
 * shim_spec_process_free() frees. On error writes a message into why and returns -1. */
int shim_spec_load_exec(const char *text, size_t len, const struct shim_spec *base,
                        struct shim_spec *spec, const char **why);
/* Frees the process members (args, env, cwd, gids, rlimits) and clears them. */
void shim_spec_process_free(struct shim_spec *spec);

/* What the container's init needs besides the spec; fds are the child's copies. */
struct shim_child {
    const struct shim_spec *spec;
    int ns_fd[SHIM_NS_COUNT]; /* open namespace files to join, or -1 */
    int stdio[3];             /* pipes (or /dev/null) for 0, 1, 2; -1 with a terminal */
    int console_sock;         /* with a terminal: where to send the pty master */
    int exec_pipe;            /* CLOEXEC: "CODE MESSAGE" on failure, EOF on exec */
    int userns_sock;          /* with a user namespace: the maps' go-ahead, else -1 */
    int userns_fd;            /* an exec: the container's user namespace, joined first */
    int cgroup_sync;          /* a byte once the shim has put the child in its cgroup, or -1 */
    int cgroup_sync_peer;     /* the write end, closed by the child first (-1 when none) */
    bool cgroupns;            /* unshare the cgroup namespace once in the cgroup */
};

/* Runs in the clone()d child: sets the container up and execs its command (with
 * spec->init, forks it and stays as its reaper). Never returns. */
void shim_init_run(struct shim_child *c) __attribute__((noreturn));

/* Runs in a child forked by the shim (already in the container's PID namespace) for an
 * exec: joins the namespaces in c->ns_fd, sets up stdio (with spec->terminal a pty in
 * the container's devpts, its master sent on console_sock), rlimits, the working
 * directory (not created), user, groups and capabilities, and execs spec->args, with
 * failures on exec_pipe as for the init. Never returns. */
void shim_init_exec_run(struct shim_child *c) __attribute__((noreturn));

/* The container's cgroup (shim-cgroup.c). Reads linux.cgroupsPath and linux.resources
 * (from shim_spec_load); none: the container stays in the shim's cgroups. */
int shim_cgroup_spec(struct json_object *linux_, struct shim_spec *s, const char **why);
/* Creates the cgroup and applies the resources (then freed), before the clone. */
int shim_cgroup_setup(struct shim_spec *s, const char **why);
/* Puts pid (the init, an exec) in the cgroup. */
int shim_cgroup_enter(const struct shim_spec *s, pid_t pid, const char **why);
/* Did the OOM killer kill anything in it? */
bool shim_cgroup_oom_killed(const struct shim_spec *s);
/* Readable on each OOM event, or -1 (no memory controller). */
int shim_cgroup_oom_fd(const struct shim_spec *s);
/* Kills what is left in the cgroup and removes it. */
void shim_cgroup_teardown(const struct shim_spec *s);
/* In the child: closes peer, waits for the go-ahead on fd (closed); -1 when it did not
 * come. */
int shim_cgroup_wait(int fd, int peer);

/* Brings the loopback interface of the current network namespace up (netlink). */
int shim_net_lo_up(void);

/* User namespaces (shim-userns.c). The shim, once the init is cloned: writes its
 * uid_map, setgroups and gid_map and sends it the root filesystem (opened through
 * /proc/PID/root) over sock. 0, or -1 with a message in why (static). */
int shim_userns_parent(pid_t pid, const struct shim_spec *s, int sock, const char **why);
/* The init, first thing: waits for that go-ahead, takes the root's descriptor into
 * *root_fd and becomes uid/gid 0 of its namespace. */
int shim_userns_child(int sock, int *root_fd, const char **why);
/* The init: binds the tree at root_fd (consumed) onto itself; returns an O_PATH fd of
 * the new mount's root, or -1 with why. */
int shim_userns_bind_root(int root_fd, const char **why);
/* An exec's child: joins the user namespace open on fd (consumed) and becomes uid/gid
 * 0 there, before it joins the namespaces that one owns. */
int shim_userns_join(int fd, const char **why);
/* MS_NOSUID, MS_NODEV, MS_NOEXEC and atime flags of the mount at path: a remount in a
 * user namespace must keep those of a mount it inherited (they are locked). */
unsigned long shim_userns_locked_flags(const char *path);

/* Reads the BPF program at path (written by dctld) into spec->seccomp. On error writes
 * a message into why (a static buffer) and returns -1. */
int shim_seccomp_read(const char *path, struct shim_spec *spec, const char **why);
/* Loads spec->seccomp into the calling thread (nothing without one): the last step before
 * an exec, shared by the init and exec paths (shim-init.c). The kernel wants
 * no_new_privs or CAP_SYS_ADMIN in the effective set. 0, or -1 with errno. */
int shim_seccomp_load(const struct shim_spec *spec);

#endif
