/* drivers/network/none.c - the "none" network driver: a container joined to it
 * keeps its own network namespace with nothing but loopback. The driver owns
 * the one network of its kind and the list of endpoints joined to it; it
 * refuses to join an endpoint to the host's namespace, which would not be
 * "none". Built as its own .so; talks to dctld only through struct dctl_host. */
#include <config.h>

#include "single.h"

static int
none_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
          dctl_error_t *err)
{
    return single_init("none", SINGLE_NETNS_PRIVATE, host, options, priv, err);
}

/* publish/unpublish: NULL, not supported: a namespace with only loopback has no
 * port to publish. */
static const struct dctl_network_ops none_ops = {
    .size = sizeof none_ops,
    .init = none_init,
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
    .name = "none",
    .version = PACKAGE_VERSION,
    .ops = &none_ops,
};
