/* daemon/devices.h - a container's devices as dockerd gives them (daemon/oci_linux.go
 * WithDevices, oci/devices_linux.go, runc's default device list): the nodes created in
 * its /dev (linux.devices: null, zero, full, random, urandom, tty; each --device
 * mapping, a directory mapping every device under it; with Privileged every device of
 * the host's /dev) and the devices cgroup's rules (linux.resources.devices: deny all,
 * Docker's default allow-list, then one rule per mapping and per DeviceCgroupRules entry;
 * with Privileged a single allow-all). Applying the rules to the cgroup (v1 devices.allow,
 * v2 eBPF) is the cgroup code's; dctl-shim creates the nodes.
 *
 * Reads the host's device nodes (lstat, readdir): a worker job, or the loop for a
 * create's few mappings. Any thread. Errors are DCTL_ERR_INVALID in dockerd's words. */
#ifndef DCTL_DAEMON_DEVICES_H
#define DCTL_DAEMON_DEVICES_H

#include <json-c/json.h>

#include "lib/error.h"

/* Create-time checks of HostConfig.Devices ([{PathOnHost, PathInContainer,
 * CgroupPermissions}]: a host path that is neither a device nor a directory holding some
 * is `error gathering device information while adding custom device "P": ...`; a
 * relative container path, a bad mode) and DeviceCgroupRules ("invalid device cgroup
 * rule format: 'R'"). Fills an empty PathInContainer (the host path) and
 * CgroupPermissions ("rwm") in place, as docker's CLI does. */
int devices_hostconfig_check(struct json_object *hc, dctl_error_t *err);

/* linux.devices for the HostConfig, into linux_. host_dev: the host's device directory
 * to copy with Privileged ("/dev"; tests pass another). */
int devices_spec_add(struct json_object *linux_, struct json_object *hc, const char *host_dev,
                     dctl_error_t *err);

/* linux.resources.devices for the HostConfig (a new array). */
struct json_object *devices_cgroup_rules(struct json_object *hc, dctl_error_t *err);

#endif
