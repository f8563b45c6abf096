/* drivers/network/host.c - the "host" network driver: a container joined to it
 * shares dctld's network namespace, so join() accepts only that namespace and
 * refuses any other. The driver owns the one network of its kind and the list
 * of endpoints joined to it. Ports need no publishing: the container binds the
 * host's ports itself. Built as its own .so; talks to dctld only through
 * struct dctl_host. */
#include <config.h>

#include "single.h"

static int
host_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
          dctl_error_t *err)
{
    return single_init("host", SINGLE_NETNS_HOST, host, options, priv, err);
}

/* publish/unpublish: NULL, not supported: on the host's namespace there is
 * nothing to forward (Docker discards published ports in host mode). */
static const struct dctl_network_ops host_ops = {
    .size = sizeof host_ops,
    .init = host_init,
    .fini = single_fini,
    .status = single_status,
    .create_network = single_create_network,
    .delete_network = single_delete_network,
    .join = single_join,
    .leave = single_leave,
};

DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = DCTL_DRIVER_ABI_MAJOR,
    .abi_minor = DCTL_DRIVER_ABI_MINOR,
    .kind = DCTL_DRIVER_NETWORK,
    .name = "host",
    .version = PACKAGE_VERSION,
    .ops = &host_ops,
};
