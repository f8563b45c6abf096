/* daemon/security.h - a container's security settings as dockerd derives them from its
 * HostConfig: SecurityOpt (parseSecurityOpt), the capability sets (Docker's default 14,
 * CapAdd, CapDrop, ALL, Privileged: TweakCapabilities), Ulimits, the masked and
 * read-only paths; their create-time checks, and the spec's pieces they become
 * (process.capabilities, noNewPrivileges, rlimits, linux.maskedPaths and
 * readonlyPaths, linux.seccomp with the compiled filter: daemon/secfilter.h).
 *
 * Everything here is pure except security_hostconfig_check (getrlimit, the kernel's last
 * capability) and security_seccomp_add (may compile a filter: a worker job). Any thread.
 * Errors are DCTL_ERR_INVALID (400) in dockerd's words. JSON arguments are lent. */
#ifndef DCTL_DAEMON_SECURITY_H
#define DCTL_DAEMON_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "lib/error.h"

struct secfilter_cache;

/* HostConfig.SecurityOpt as dockerd's parseSecurityOpt reads it: "no-new-privileges"
 * (alone, or =/: a Go bool), "seccomp=unconfined|builtin|PROFILE-JSON", "apparmor=NAME",
 * "label=..." and "disable" (accepted and ignored: this host has neither AppArmor nor
 * SELinux, as dockerd ignores them there); anything else is `invalid --security-opt 1: "x"`
 * (no separator) or `invalid --security-opt 2: "x=y"`. The strings are lent from opts. */
struct security_opts {
    bool no_new_privileges;
    bool seccomp_unconfined;
    const char *seccomp_profile; /* a custom profile's JSON text; NULL: the builtin one */
    const char *apparmor;        /* NULL when not given */
};
int security_opts_parse(struct json_object *security_opt, struct security_opts *out,
                        dctl_error_t *err);

/* Create-time checks of a HostConfig (the normalised one, changed in place): SecurityOpt
 * (a custom seccomp profile decoded and checked), CapAdd and CapDrop names ("invalid
 * CapAdd: unknown capability: \"CAP_X\""), Ulimits (names, soft <= hard, and never above
 * dctld's own hard limit, which it cannot raise without CAP_SYS_RESOURCE); MaskedPaths
 * and ReadonlyPaths get Docker's defaults when unset and not Privileged, as dockerd's
 * createContainerOSSpecificSettings does. */
int security_hostconfig_check(struct json_object *hc, dctl_error_t *err);

/* ---- capabilities (bit N: capability N, lib/caps.h) ---------------------------------- */

/* Every capability the running kernel has (/proc/sys/kernel/cap_last_cap). */
uint64_t security_caps_all(void);
/* Docker's default set: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID,
 * SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE. */
uint64_t security_caps_default(void);
/* Docker's TweakCapabilities: all with privileged; else basics less drop plus add; "ALL"
 * in add: all less drop; "ALL" in drop: add only. Names with or without CAP_, any case;
 * add and drop are JSON arrays of strings (NULL: none). An unknown name is `unknown
 * capability: "CAP_X"`. */
int security_caps_tweak(uint64_t basics, struct json_object *add, struct json_object *drop,
                        bool privileged, uint64_t *out, dctl_error_t *err);
/* A set as a JSON array of names, in the kernel's order. New. */
struct json_object *security_caps_json(uint64_t set);

/* ---- the spec's pieces ----------------------------------------------------------------- */

/* process.capabilities, noNewPrivileges and rlimits for proc, whose "user" is set: the
 * container's capabilities (all of them with all_caps: an exec's Privileged) in the
 * bounding set, and for uid 0 also in effective and permitted (moby's SetCapabilities: a
 * non-root user gets none there, as execve would give it); inheritable and ambient empty
 * (moby since 20.10.14, CVE-2022-24769). */
int security_process(struct json_object *proc, struct json_object *hc, bool all_caps,
                     dctl_error_t *err);
/* process.rlimits from HostConfig.Ulimits ([{Name, Soft, Hard}], -1: unlimited). New. */
struct json_object *security_rlimits(struct json_object *hc);
/* linux.maskedPaths and readonlyPaths: the HostConfig's lists, else Docker's defaults
 * (none with Privileged). */
void security_paths(struct json_object *linux_, struct json_object *hc);
/* Docker's default masked and read-only paths, NULL-ended. */
extern const char *const security_masked_paths[];
extern const char *const security_readonly_paths[];

/* linux.seccomp (the OCI form of the profile for this container's bounding set, so that an
 * OCI runtime could load it), dctl.seccompBpf (the path of the filter compiled from it,
 * which dctl-shim loads) and dctl.seccompFlags into spec, whose process.capabilities is
 * set; nothing with Privileged or seccomp=unconfined, or when cache is NULL. linux.seccomp
 * is an empty object in memory that serializes as the cached text (the spec is only ever
 * written out). May compile: blocks. */
int security_seccomp_add(struct json_object *spec, struct json_object *hc,
                         struct secfilter_cache *cache, dctl_error_t *err);

#endif
