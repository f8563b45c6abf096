/* drivers/network/single.h - the core of the "host" and "none" network drivers:
 * one network, a list of joined endpoints, and which network namespace an
 * endpoint may join. The ops below take the priv that single_init() made;
 * dctld calls them on its loop thread; nothing here blocks. */
#ifndef DCTL_DRIVERS_NETWORK_SINGLE_H
#define DCTL_DRIVERS_NETWORK_SINGLE_H

#include <dctl/driver.h>

enum single_netns {
    SINGLE_NETNS_HOST,     /* only dctld's own network namespace ("host") */
    SINGLE_NETNS_PRIVATE,  /* any namespace but dctld's ("none") */
};

/* name is the driver's (static, used in messages). */
int single_init(const char *name, enum single_netns want, const struct dctl_host *host,
                const struct dctl_option *options, void **priv, dctl_error_t *err);
void single_fini(void *priv);
const struct dctl_option *single_status(void *priv);
int single_create_network(void *priv, const char *id, const char *options_json,
                          dctl_error_t *err);
int single_delete_network(void *priv, const char *id, dctl_error_t *err);
int single_join(void *priv, const char *nid, const char *eid, const char *netns_path,
                char **result, dctl_error_t *err);
int single_leave(void *priv, const char *nid, const char *eid, dctl_error_t *err);

#endif
