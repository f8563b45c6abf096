/* daemon/secprofile.h - seccomp profiles in Docker's JSON format (the format of
 * `--security-opt seccomp=FILE` and of moby's profiles/seccomp/default.json): dctld's own
 * default profile, the decoding and checks of a custom one, and its resolution for one
 * container into the OCI runtime spec's `linux.seccomp` object, as moby's setupSeccomp
 * does (rules kept or dropped by their includes/excludes: the container's bounding
 * capabilities, the host's architecture, the running kernel's version).
 *
 * Docker's format: {"defaultAction", "defaultErrnoRet", "architectures" | "archMap":
 * [{"architecture", "subArchitectures"}], "flags", "syscalls": [{"names" (or "name"),
 * "action", "errnoRet", "args": [{"index", "value", "valueTwo", "op"}], "comment",
 * "includes", "excludes": {"caps", "arches", "minKernel"}}]}. Member names are matched
 * in any case, as Go's decoder does; unknown members are ignored.
 *
 * Pure: any thread. Errors are DCTL_ERR_INVALID with moby's and runc's words. Returned
 * JSON objects are the caller's references; arguments are lent. */
#ifndef DCTL_DAEMON_SECPROFILE_H
#define DCTL_DAEMON_SECPROFILE_H

#include <stdint.h>

#include <json-c/json.h>

#include "lib/error.h"

/* dctld's default profile in Docker's format (written from the kernel's syscall table:
 * an allow-list with EPERM for everything else; see docs/security.md). New each call. */
struct json_object *secprofile_builtin(void);

/* Decodes a profile's JSON text and checks it: the types of its members ("Decoding
 * seccomp profile failed: json: cannot unmarshal ..."), both architectures and archMap,
 * both name and names, actions, operators, architectures, flags, argument indexes, kernel
 * versions. A decoded profile, or NULL with *err. */
struct json_object *secprofile_parse(const char *text, dctl_error_t *err);
/* secprofile_parse, for the check alone. */
int secprofile_check(const char *text, dctl_error_t *err);

/* Go's name of this host's architecture ("amd64", "arm64", ...; uname's machine else). */
const char *secprofile_native_arch(void);

/* The OCI linux.seccomp object of a decoded profile for a container whose bounding set
 * is `bounding` (bit N: capability N), on architecture goarch ("amd64") and kernel
 * version kmajor.kminor: {"defaultAction", "defaultErrnoRet"?, "architectures",
 * "flags"?, "syscalls": [{"names", "action", "errnoRet"?, "args"?}]}. *out is NULL (and 0
 * returned) for a profile with no default action and no rules, which means no filter, as
 * in moby. */
int secprofile_resolve(struct json_object *profile, uint64_t bounding, const char *goarch,
                       unsigned int kmajor, unsigned int kminor, struct json_object **out,
                       dctl_error_t *err);

/* The running kernel's version (uname -r's first two numbers). */
void secprofile_kernel_version(unsigned int *major, unsigned int *minor);

#endif
