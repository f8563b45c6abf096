/* drivers/exec/native-cgroup.h - the native exec driver's side of a container's cgroup
 * (dctl-shim creates and removes it; lib/cgroup.h writes the files): the host's layout,
 * a container's cgroup path from its spec, and its usage in Docker's stats shape.
 *
 * Plain file reads and writes on cgroupfs and /proc: cheap, any thread (the driver calls
 * them from its ops, which dctld calls from worker jobs for pause, update and stats). */
#ifndef DCTL_NATIVE_CGROUP_H
#define DCTL_NATIVE_CGROUP_H

#include <sys/types.h>

#include "lib/cgroup.h"

/* The host's layout: /sys/fs/cgroup, or $DCTL_CGROUP_ROOT as version $DCTL_CGROUP_VERSION
 * (a test tree; dctl-shim reads the same variables, passed on in its environment). */
int native_cgroup_host(struct cgroup_host *h, dctl_error_t *err);
/* linux.cgroupsPath of the spec in dir/config.json, cleaned; NULL when there is none
 * (malloc'd). */
char *native_cgroup_path_read(const char *dir);
/* Docker's stats members that come from the container (cpu_stats with the host's
 * system_cpu_usage and online_cpus, memory_stats, pids_stats, blkio_stats, num_procs,
 * storage_stats, and networks read from init_pid's network namespace unless it is the
 * host's) as JSON text into *json (malloc'd). */
int native_cgroup_stats_json(const struct cgroup_host *h, const char *path, pid_t init_pid,
                             char **json, dctl_error_t *err);
/* Applies resources_json (OCI linux.resources) to the live cgroup. */
int native_cgroup_update(const struct cgroup_host *h, const char *path,
                         const char *resources_json, dctl_error_t *err);

#endif
