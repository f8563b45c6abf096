/* daemon/spec.h - what a container is made of, as dockerd derives it: the create body
 * checked and normalised (Config merged with the image's config, HostConfig with its
 * defaults and its checks), and at start the exec driver's spec (docs/containers.md:
 * an OCI runtime spec plus a "dctl" object) built from Config + HostConfig and the
 * container's root filesystem, together with its hostname, hosts and resolv.conf files.
 *
 * The parsers and builders of text (user lookup in passwd/group text, resolv.conf
 * filtering, sizes, log options, binds) are pure and run on any thread. spec_build()
 * reads the container's root filesystem and writes files: a worker job only.
 *
 * Errors are DCTL_ERR_INVALID (400) with dockerd's words unless said otherwise.
 * JSON objects passed in are lent; returned ones are the caller's references. */
#ifndef DCTL_DAEMON_SPEC_H
#define DCTL_DAEMON_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "lib/error.h"
#include "lib/idmap.h"

struct secfilter_cache;

#define SPEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SPEC_DEFAULT_SHM_SIZE (64LL * 1024 * 1024)

/* ---- the create body ----------------------------------------------------------- */

/* Checks the JSON types of the create body's known members as Go's decoder would
 * (a string where a list is wanted: "json: cannot unmarshal string into Go struct
 * field ... of type []string"), renames members written in another case to Docker's
 * spelling (Go matches them case-insensitively) and turns the string forms of Cmd,
 * Entrypoint, CapAdd and CapDrop into lists. Unknown members are left alone. */
int spec_body_check(struct json_object *body, dctl_error_t *err);

/* Config of a new container: the body's Config members (body is the whole create body)
 * merged with the image's "config" (may be NULL) as dockerd's merge() does. Fails with
 * "No command specified" when neither gives Cmd or Entrypoint. */
struct json_object *spec_config_merge(struct json_object *body, struct json_object *image_config,
                                      dctl_error_t *err);

/* HostConfig of a new container: the body's with Docker's defaults filled in, checked:
 * restart policy, AutoRemove with a restart policy, network, PID, IPC and UTS modes,
 * log config, ShmSize, Binds, Mounts (a missing bind source is an error), Tmpfs,
 * Sysctls, and the security settings (daemon/security.h: SecurityOpt and its seccomp
 * profile, CapAdd, CapDrop, Ulimits; MaskedPaths and ReadonlyPaths defaults). Binds' missing host directories are not created here (spec_binds_prepare). */
struct json_object *spec_hostconfig_normalize(struct json_object *hostconfig, dctl_error_t *err);

/* ---- pieces ------------------------------------------------------------------- */

/* Docker's RAMInBytes: "64m", "1.5g", "100kb", "10" (bytes); units binary. */
int spec_parse_size(const char *s, int64_t *out, dctl_error_t *err);

struct spec_log {
    bool none;           /* driver "none": no log at all */
    int64_t max_size;    /* bytes; 0: unlimited */
    int max_file;        /* >= 1 */
};
/* LogConfig {"Type", "Config"} (NULL: json-file defaults). Other drivers, unknown
 * options and bad values are errors. */
int spec_log_parse(struct json_object *log_config, struct spec_log *out, dctl_error_t *err);

/* A restart policy {"Name", "MaximumRetryCount"} (NULL: "no"), checked as
 * ValidateRestartPolicy. */
int spec_restart_policy_check(struct json_object *policy, dctl_error_t *err);

/* The user a container's process runs as. */
struct spec_user {
    uid_t uid;
    gid_t gid;
    gid_t *gids;      /* additional groups (malloc'd) */
    size_t ngids;
};
void spec_user_fini(struct spec_user *u);
/* moby/sys/user GetExecUser + GetAdditionalGroups: user is "", name, uid, uid:gid,
 * name:group...; passwd and group are the texts of the root's /etc/passwd and
 * /etc/group (NULL when missing); group_add is HostConfig.GroupAdd (may be NULL).
 * "unable to find user NAME: no matching entries in passwd file" and the like. */
int spec_user_resolve(const char *user, const char *passwd, const char *group,
                      struct json_object *group_add, struct spec_user *out, dctl_error_t *err);

/* resolv.conf for a container from the host's text (NULL: none): nameservers on
 * 127.0.0.0/8 and ::1 dropped unless host_network (Google's public servers when none
 * is left), and Dns, DnsSearch, DnsOptions (JSON arrays, may be NULL) replacing the
 * host's nameserver, search and options lines when given. malloc'd. */
char *spec_resolv_conf(const char *host_text, struct json_object *dns,
                       struct json_object *search, struct json_object *options,
                       bool host_network);

/* /etc/hosts for a container: the host's text with host_network, else Docker's
 * localhost lines; then ExtraHosts ("name:ip") lines. NULL with an error for a bad
 * ExtraHosts entry. malloc'd. */
char *spec_hosts_file(const char *host_text, struct json_object *extra_hosts,
                      bool host_network, dctl_error_t *err);

/* ---- the spec ------------------------------------------------------------------- */

struct spec_input {
    const char *id;
    struct json_object *config;      /* the container's Config */
    struct json_object *hostconfig;  /* its normalised HostConfig */
    const char *rootfs;              /* the mounted RW layer */
    const char *container_dir;       /* DATA_ROOT/containers/ID: hostname, hosts, resolv.conf */
    const char *log_path;            /* the json-file log */
    const struct idmap *userns;      /* the daemon's --userns-remap; NULL: none */
    const char *cgroup_parent;       /* dctld's --cgroup-parent (NULL: "/dctl") */
    struct secfilter_cache *seccomp; /* compiled seccomp filters; NULL: no filter (tests) */
};

/* Builds the exec driver's spec; writes hostname, hosts and resolv.conf into the
 * container directory and creates missing Binds sources. Blocks. */
struct json_object *spec_build(const struct spec_input *in, dctl_error_t *err);

/* ---- exec sessions --------------------------------------------------------------- */

/* POST /containers/{id}/exec's body: types as Go's decoder checks them (Cmd's string
 * form becomes a list), "No exec command specified", a relative WorkingDir, a bad
 * ConsoleSize or Env entry. */
int spec_exec_body_check(struct json_object *body, dctl_error_t *err);
/* POST /exec/{id}/start's body: Detach, Tty, ConsoleSize. */
int spec_exec_start_check(struct json_object *body, dctl_error_t *err);

struct spec_exec_input {
    struct json_object *config;     /* the container's Config */
    struct json_object *hostconfig; /* its HostConfig */
    const char *rootfs;             /* its mounted root: /etc/passwd and /etc/group */
    struct json_object *exec;       /* the exec's config (spec_exec_body_check'd) */
    unsigned int rows, cols;        /* the start's ConsoleSize; 0 0: the exec's own */
};

/* The exec driver's process for an exec (include/dctl/driver.h, exec_start): {"process":
 * an OCI process as dockerd derives it from the container's (its user, or the
 * container's, with GroupAdd; the container's environment with the exec's over it;
 * its working directory or the container's; the container's capabilities, or all
 * with Privileged), "dctl": {"stdin": AttachStdin}}. Reads the root's passwd and
 * group: a worker job. */
struct json_object *spec_exec_build(const struct spec_exec_input *in, dctl_error_t *err);

/* HostConfig.UsernsMode ("" when absent, else "host"; anything else is "invalid USER
 * mode") and, when the daemon remaps (remap) and the container does not opt out with
 * "host", dockerd's refusals of what a user namespace cannot share: --privileged, the
 * host's network and PID namespaces. Sets UsernsMode "" when absent. */
int spec_userns_check(struct json_object *hostconfig, bool remap, dctl_error_t *err);

/* Creates the missing host directories of HostConfig.Binds (as dockerd does). Blocks. */
int spec_binds_prepare(struct json_object *hostconfig, dctl_error_t *err);

#endif
