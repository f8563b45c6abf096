/* daemon/secfilter.h - seccomp filters compiled once: an OCI linux.seccomp object turned
 * into a classic BPF program with libseccomp (seccomp_export_bpf), and the cache that
 * makes a container start cost a look-up. A filter depends on the profile (dctld's
 * default or a custom one's text), the container's bounding capabilities (which rules
 * apply), the architecture, the kernel version and libseccomp's version; its key is the
 * sha256 of those, and its file EXEC_ROOT/seccomp/KEY.bpf (written once, renamed into
 * place; the exec root is emptied by a reboot). dctl-shim loads that file as the last step
 * before it execs the container's command (daemon/shim/shim-seccomp.c), so neither
 * libseccomp nor a compile runs on the start path after the first container.
 *
 * Owner: the container store (one per dctld). Every call blocks (a compile can take some
 * milliseconds): worker threads only; a mutex makes the cache safe for several. */
#ifndef DCTL_DAEMON_SECFILTER_H
#define DCTL_DAEMON_SECFILTER_H

#include <stdint.h>

#include <json-c/json.h>

#include "lib/error.h"

struct secfilter_cache;

/* A cache whose files go in dir (created on first use). */
struct secfilter_cache *secfilter_cache_new(const char *dir);
void secfilter_cache_free(struct secfilter_cache *c);

/* A filter as the cache hands it out. */
struct secfilter_result {
    char *oci;               /* the OCI linux.seccomp object's JSON text (malloc'd); NULL: none */
    char *bpf_path;          /* its compiled file (malloc'd) */
    unsigned int flags;      /* SECCOMP_FILTER_FLAG_* the loader passes (secfilter_load_flags) */
};
void secfilter_result_fini(struct secfilter_result *r);

/* The filter of profile_text (a custom profile's JSON; NULL: dctld's default) for a
 * container whose bounding set is `bounding`, into *out; compiled on a miss. out->oci is
 * NULL (and 0 returned) when the profile means no filter. A profile libseccomp refuses is
 * DCTL_ERR_INVALID. The OCI object comes as text: a start copies it into its spec without
 * parsing it again (json-c takes some 200 us for the default's 6 KiB here). */
int secfilter_cache_get(struct secfilter_cache *c, const char *profile_text, uint64_t bounding,
                        struct secfilter_result *out, dctl_error_t *err);

/* Compiles an OCI linux.seccomp object for this host and writes the BPF program to fd.
 * Syscall names libseccomp does not know are skipped (as runc does); SCMP_ARCH_X32 is
 * left out on a kernel that does not run x32 programs. */
int secfilter_compile(struct json_object *oci, int fd, dctl_error_t *err);

/* SECCOMP_FILTER_FLAG_* bits the loader passes for oci's "flags" (LOG, SPEC_ALLOW). */
unsigned int secfilter_load_flags(struct json_object *oci);

#endif
