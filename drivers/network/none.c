/* drivers/network/none.c - the "none" network driver: a container joined to it
 * keeps its own network namespace with nothing but loopback. The driver owns
 * the one network of its kind and the list of endpoints joined to it; it
 * refuses to join an endpoint to the host's namespace, which would not be
 * "none". Built as its own .so; talks to dctld only through struct dctl_host. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <dctl/driver.h>

#define NONE_NSFS_MAGIC 0x6e736673 /* NSFS_MAGIC: a namespace file */

struct none_endpoint {
    struct none_endpoint *next;
    char *eid;
    char *netns_path;
};

/* Owner: dctld, from init() until fini(). */
struct none {
    const struct dctl_host *host;
    char *network;                   /* the one network, or NULL */
    struct none_endpoint *endpoints; /* joined, newest first */
    size_t nendpoints;
    dev_t host_dev;                  /* dctld's own network namespace */
    ino_t host_ino;
    char nnetworks[24], nendpoints_text[24];
    struct dctl_option status_lines[3];
};

static int
none_error(const struct dctl_host *host, dctl_error_t *err, enum dctl_error_kind kind, int errnum,
           const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host->error_set(err, kind, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

static void
none_log(const struct none *n, enum dctl_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    n->host->log(n->host->host_priv, level, fmt, ap);
    va_end(ap);
}

static struct none_endpoint **
none_find(struct none *n, const char *eid)
{
    struct none_endpoint **p;

    for (p = &n->endpoints; *p; p = &(*p)->next)
        if (strcmp((*p)->eid, eid) == 0)
            return p;
    return NULL;
}

static int
none_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
          dctl_error_t *err)
{
    struct none *n;
    struct stat st;

    if (host->size < sizeof *host || host->log == NULL || host->error_set == NULL)
        return -1; /* a host older than this driver: nothing to report through */
    n = calloc(1, sizeof *n);
    if (n == NULL)
        return none_error(host, err, DCTL_ERR_INTERNAL, ENOMEM, "none: out of memory");
    n->host = host;
    if (options && options[0].key) {
        none_error(n->host, err, DCTL_ERR_INVALID, 0, "none: unknown option \"%s\"", options[0].key);
        free(n);
        return -1;
    }
    if (stat("/proc/self/ns/net", &st) < 0) {
        none_error(n->host, err, DCTL_ERR_UNAVAILABLE, errno,
                   "none: cannot see dctld's network namespace");
        free(n);
        return -1;
    }
    n->host_dev = st.st_dev;
    n->host_ino = st.st_ino;
    *priv = n;
    return 0;
}

static void
none_fini(void *priv)
{
    struct none *n = priv;
    struct none_endpoint *e;

    if (n == NULL)
        return;
    while ((e = n->endpoints) != NULL) {
        n->endpoints = e->next;
        free(e->eid);
        free(e->netns_path);
        free(e);
    }
    free(n->network);
    free(n);
}

static const struct dctl_option *
none_status(void *priv)
{
    struct none *n = priv;

    snprintf(n->nnetworks, sizeof n->nnetworks, "%d", n->network ? 1 : 0);
    snprintf(n->nendpoints_text, sizeof n->nendpoints_text, "%zu", n->nendpoints);
    n->status_lines[0] = (struct dctl_option){ "Networks", n->nnetworks };
    n->status_lines[1] = (struct dctl_option){ "Endpoints", n->nendpoints_text };
    n->status_lines[2] = (struct dctl_option){ NULL, NULL };
    return n->status_lines;
}

static int
none_create_network(void *priv, const char *id, const char *options_json, dctl_error_t *err)
{
    struct none *n = priv;

    if (id == NULL || *id == '\0')
        return none_error(n->host, err, DCTL_ERR_INVALID, 0, "none: network ID is empty");
    if (n->network)
        return none_error(n->host, err, DCTL_ERR_FORBIDDEN, 0,
                          "only one instance of \"none\" network is allowed");
    n->network = strdup(id);
    if (n->network == NULL)
        return none_error(n->host, err, DCTL_ERR_INTERNAL, ENOMEM, "none: out of memory");
    none_log(n, DCTL_LOG_DEBUG, "network %.12s created", id);
    return 0;
}

static int
none_delete_network(void *priv, const char *id, dctl_error_t *err)
{
    struct none *n = priv;

    if (n->network == NULL || strcmp(n->network, id) != 0)
        return none_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "network %s not found", id);
    if (n->nendpoints)
        return none_error(n->host, err, DCTL_ERR_FORBIDDEN, 0,
                          "error while removing network: network %s has active endpoints", id);
    free(n->network);
    n->network = NULL;
    return 0;
}

static int
none_join(void *priv, const char *nid, const char *eid, const char *netns_path, char **result,
          dctl_error_t *err)
{
    struct none *n = priv;
    struct none_endpoint *e;
    struct statfs sfs;
    struct stat st;

    if (n->network == NULL || nid == NULL || strcmp(n->network, nid) != 0)
        return none_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "network %s not found",
                          nid ? nid : "(null)");
    if (eid == NULL || *eid == '\0')
        return none_error(n->host, err, DCTL_ERR_INVALID, 0, "none: endpoint ID is empty");
    if (none_find(n, eid))
        return none_error(n->host, err, DCTL_ERR_CONFLICT, 0, "endpoint %.12s already joined", eid);
    if (netns_path == NULL || stat(netns_path, &st) < 0 || statfs(netns_path, &sfs) < 0)
        return none_error(n->host, err, DCTL_ERR_INVALID, netns_path ? errno : 0,
                          "none: network namespace %s", netns_path ? netns_path : "(null)");
    if ((unsigned long)sfs.f_type != NONE_NSFS_MAGIC)
        return none_error(n->host, err, DCTL_ERR_INVALID, 0, "none: %s is not a namespace file",
                          netns_path);
    if (st.st_dev == n->host_dev && st.st_ino == n->host_ino)
        return none_error(n->host, err, DCTL_ERR_INVALID, 0,
                          "none: %s is the host's network namespace; a container on the "
                          "none network needs its own", netns_path);
    e = calloc(1, sizeof *e);
    if (e == NULL || (e->eid = strdup(eid)) == NULL ||
        (e->netns_path = strdup(netns_path)) == NULL) {
        if (e)
            free(e->eid);
        free(e);
        return none_error(n->host, err, DCTL_ERR_INTERNAL, ENOMEM, "none: out of memory");
    }
    if (result && (*result = strdup("{}")) == NULL) {
        free(e->eid);
        free(e->netns_path);
        free(e);
        return none_error(n->host, err, DCTL_ERR_INTERNAL, ENOMEM, "none: out of memory");
    }
    e->next = n->endpoints;
    n->endpoints = e;
    n->nendpoints++;
    none_log(n, DCTL_LOG_DEBUG, "endpoint %.12s joined %s", eid, netns_path);
    return 0;
}

static int
none_leave(void *priv, const char *nid, const char *eid, dctl_error_t *err)
{
    struct none *n = priv;
    struct none_endpoint **p, *e;

    if (n->network == NULL || nid == NULL || strcmp(n->network, nid) != 0)
        return none_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "network %s not found",
                          nid ? nid : "(null)");
    p = eid ? none_find(n, eid) : NULL;
    if (p == NULL)
        return none_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "endpoint %s not found",
                          eid ? eid : "(null)");
    e = *p;
    *p = e->next;
    n->nendpoints--;
    free(e->eid);
    free(e->netns_path);
    free(e);
    return 0;
}

/* publish/unpublish: NULL, not supported: a namespace with only loopback has no
 * port to publish. */
static const struct dctl_network_ops none_ops = {
    .size = sizeof none_ops,
    .init = none_init,
    .fini = none_fini,
    .status = none_status,
    .create_network = none_create_network,
    .delete_network = none_delete_network,
    .join = none_join,
    .leave = none_leave,
};

DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = DCTL_DRIVER_ABI_MAJOR,
    .abi_minor = DCTL_DRIVER_ABI_MINOR,
    .kind = DCTL_DRIVER_NETWORK,
    .name = "none",
    .version = PACKAGE_VERSION,
    .ops = &none_ops,
};
