/* daemon/spec-resources.h - a container's resources as dockerd handles them: HostConfig's
 * Memory, MemoryReservation, MemorySwap, MemorySwappiness, KernelMemory, OomKillDisable,
 * CpuShares, NanoCpus, CpuPeriod, CpuQuota, CpuRealtime*, CpusetCpus/Mems, PidsLimit,
 * BlkioWeight, BlkioWeightDevice and the BlkioDevice{Read,Write}{Bps,IOps} throttles:
 * checked against what the host's cgroups can do (moby's verifyPlatformContainerResources:
 * what the host lacks is dropped with Docker's warning, bad values are refused with its
 * words), given Docker's defaults at create (adaptContainerSettings), merged by POST
 * /containers/{id}/update (container.UpdateContainer) and turned into OCI
 * linux.resources (getMemoryResources, getCPUResources, getPidsLimit, the blkio device
 * lookups) and linux.cgroupsPath.
 *
 * JSON objects are lent; returned ones are the caller's. Pure but for the stat() of
 * device paths (cheap, any thread). Errors: DCTL_ERR_INVALID (400). */
#ifndef DCTL_DAEMON_SPEC_RESOURCES_H
#define DCTL_DAEMON_SPEC_RESOURCES_H

#include <stdbool.h>

#include <json-c/json.h>

#include "daemon/sysinfo.h"
#include "lib/error.h"

#define SPEC_RESOURCES_MIN_MEMORY (6LL * 1024 * 1024)
#define SPEC_RESOURCES_CGROUP_PARENT "/dctl"

/* Checks hc's resources against si, changing what the host cannot do as dockerd does
 * and appending its warnings to warnings (a JSON array). update: POST /update's rules
 * (a swap limit without a memory limit is allowed). */
int spec_resources_check(struct json_object *hc, const struct sysinfo *si, bool update,
                         struct json_object *warnings, dctl_error_t *err);
/* A new container's defaults: MemorySwap twice Memory when only Memory is set,
 * OomKillDisable false, PidsLimit <= 0 as none, KernelMemory dropped, and Docker's zero
 * values for every resource member the body left out (as inspect shows them). */
void spec_resources_defaults(struct json_object *hc);
/* OCI linux.resources for hc (a container's HostConfig, or with update an update's
 * members only, as dockerd's toContainerdResources). A blkio device path that does not
 * exist: "stat PATH: no such file or directory". */
struct json_object *spec_resources_build(struct json_object *hc, bool update,
                                         dctl_error_t *err);
/* linux.cgroupsPath: CgroupParent (or else daemon_parent, or else "/dctl") joined with
 * id, absolute. malloc'd. */
char *spec_resources_cgroups_path(struct json_object *hc, const char *daemon_parent,
                                  const char *id);
/* POST /containers/{id}/update: the body's types checked as Go's decoder does, then
 * normalised as moby's router does (KernelMemory ignored, PidsLimit <= 0 unlimited). */
int spec_resources_update_body(struct json_object *body, dctl_error_t *err);
/* Merges an update body (checked) into hc (a copy of the container's HostConfig) as
 * moby's UpdateContainer: conflicting CPU settings, a memory limit over the memory+swap
 * limit, a restart policy with AutoRemove are refused. */
int spec_resources_merge(struct json_object *hc, struct json_object *body, dctl_error_t *err);

#endif
