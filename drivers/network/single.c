/* drivers/network/single.c - what the "host" and "none" network drivers share:
 * the one network of the driver's kind, the list of endpoints joined to it,
 * and the check of the namespace an endpoint joins (dctld's own for host, any
 * other for none). Linked into each of the two .so files. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "single.h"

#define SINGLE_NSFS_MAGIC 0x6e736673 /* NSFS_MAGIC: a namespace file */

struct single_endpoint {
    struct single_endpoint *next;
    char *eid;
    char *netns_path;
};

/* Owner: dctld, from init() until fini(). */
struct single {
    const struct dctl_host *host;
    const char *name;                /* the driver's, static */
    enum single_netns want;
    char *network;                   /* the one network, or NULL */
    struct single_endpoint *endpoints; /* joined, newest first */
    size_t nendpoints;
    dev_t host_dev;                  /* dctld's own network namespace */
    ino_t host_ino;
    char nnetworks[24], nendpoints_text[24];
    struct dctl_option status_lines[3];
};

static int
single_error(const struct dctl_host *host, dctl_error_t *err, enum dctl_error_kind kind, int errnum,
           const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host->error_set(err, kind, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

static void
single_log(const struct single *n, enum dctl_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    n->host->log(n->host->host_priv, level, fmt, ap);
    va_end(ap);
}

static struct single_endpoint **
single_find(struct single *n, const char *eid)
{
    struct single_endpoint **p;

    for (p = &n->endpoints; *p; p = &(*p)->next)
        if (strcmp((*p)->eid, eid) == 0)
            return p;
    return NULL;
}

int
single_init(const char *name, enum single_netns want, const struct dctl_host *host, const struct dctl_option *options, void **priv,
          dctl_error_t *err)
{
    struct single *n;
    struct stat st;

    if (host->size < sizeof *host || host->log == NULL || host->error_set == NULL)
        return -1; /* a host older than this driver: nothing to report through */
    n = calloc(1, sizeof *n);
    if (n == NULL)
        return single_error(host, err, DCTL_ERR_INTERNAL, ENOMEM, "%s: out of memory", name);
    n->host = host;
    n->name = name;
    n->want = want;
    if (options && options[0].key) {
        single_error(n->host, err, DCTL_ERR_INVALID, 0, "%s: unknown option \"%s\"", name,
                     options[0].key);
        free(n);
        return -1;
    }
    if (stat("/proc/self/ns/net", &st) < 0) {
        single_error(n->host, err, DCTL_ERR_UNAVAILABLE, errno,
                   "%s: cannot see dctld's network namespace", name);
        free(n);
        return -1;
    }
    n->host_dev = st.st_dev;
    n->host_ino = st.st_ino;
    *priv = n;
    return 0;
}

void
single_fini(void *priv)
{
    struct single *n = priv;
    struct single_endpoint *e;

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

const struct dctl_option *
single_status(void *priv)
{
    struct single *n = priv;

    snprintf(n->nnetworks, sizeof n->nnetworks, "%d", n->network ? 1 : 0);
    snprintf(n->nendpoints_text, sizeof n->nendpoints_text, "%zu", n->nendpoints);
    n->status_lines[0] = (struct dctl_option){ "Networks", n->nnetworks };
    n->status_lines[1] = (struct dctl_option){ "Endpoints", n->nendpoints_text };
    n->status_lines[2] = (struct dctl_option){ NULL, NULL };
    return n->status_lines;
}

int
single_create_network(void *priv, const char *id, const char *options_json, dctl_error_t *err)
{
    struct single *n = priv;

    if (id == NULL || *id == '\0')
        return single_error(n->host, err, DCTL_ERR_INVALID, 0, "%s: network ID is empty", n->name);
    if (n->network)
        return single_error(n->host, err, DCTL_ERR_FORBIDDEN, 0,
                          "only one instance of \"%s\" network is allowed", n->name);
    n->network = strdup(id);
    if (n->network == NULL)
        return single_error(n->host, err, DCTL_ERR_INTERNAL, ENOMEM, "%s: out of memory", n->name);
    single_log(n, DCTL_LOG_DEBUG, "network %.12s created", id);
    return 0;
}

int
single_delete_network(void *priv, const char *id, dctl_error_t *err)
{
    struct single *n = priv;

    if (n->network == NULL || strcmp(n->network, id) != 0)
        return single_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "network %s not found", id);
    if (n->nendpoints)
        return single_error(n->host, err, DCTL_ERR_FORBIDDEN, 0,
                          "error while removing network: network %s has active endpoints", id);
    free(n->network);
    n->network = NULL;
    return 0;
}

int
single_join(void *priv, const char *nid, const char *eid, const char *netns_path, char **result,
          dctl_error_t *err)
{
    struct single *n = priv;
    struct single_endpoint *e;
    struct statfs sfs;
    struct stat st;
    bool is_host;

    if (n->network == NULL || nid == NULL || strcmp(n->network, nid) != 0)
        return single_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "network %s not found",
                          nid ? nid : "(null)");
    if (eid == NULL || *eid == '\0')
        return single_error(n->host, err, DCTL_ERR_INVALID, 0, "%s: endpoint ID is empty", n->name);
    if (single_find(n, eid))
        return single_error(n->host, err, DCTL_ERR_CONFLICT, 0, "endpoint %.12s already joined", eid);
    if (netns_path == NULL || stat(netns_path, &st) < 0 || statfs(netns_path, &sfs) < 0)
        return single_error(n->host, err, DCTL_ERR_INVALID, netns_path ? errno : 0,
                          "%s: network namespace %s", n->name,
                            netns_path ? netns_path : "(null)");
    if ((unsigned long)sfs.f_type != SINGLE_NSFS_MAGIC)
        return single_error(n->host, err, DCTL_ERR_INVALID, 0, "%s: %s is not a namespace file",
                            n->name, netns_path);
    is_host = st.st_dev == n->host_dev && st.st_ino == n->host_ino;
    if (n->want == SINGLE_NETNS_HOST && !is_host)
        return single_error(n->host, err, DCTL_ERR_INVALID, 0,
                            "%s: %s is not the host's network namespace", n->name, netns_path);
    if (n->want == SINGLE_NETNS_PRIVATE && is_host)
        return single_error(n->host, err, DCTL_ERR_INVALID, 0,
                            "%s: %s is the host's network namespace; a container on the "
                            "%s network needs its own", n->name, netns_path, n->name);
    e = calloc(1, sizeof *e);
    if (e == NULL || (e->eid = strdup(eid)) == NULL ||
        (e->netns_path = strdup(netns_path)) == NULL) {
        if (e)
            free(e->eid);
        free(e);
        return single_error(n->host, err, DCTL_ERR_INTERNAL, ENOMEM, "%s: out of memory", n->name);
    }
    if (result && (*result = strdup("{}")) == NULL) {
        free(e->eid);
        free(e->netns_path);
        free(e);
        return single_error(n->host, err, DCTL_ERR_INTERNAL, ENOMEM, "%s: out of memory", n->name);
    }
    e->next = n->endpoints;
    n->endpoints = e;
    n->nendpoints++;
    single_log(n, DCTL_LOG_DEBUG, "endpoint %.12s joined %s", eid, netns_path);
    return 0;
}

int
single_leave(void *priv, const char *nid, const char *eid, dctl_error_t *err)
{
    struct single *n = priv;
    struct single_endpoint **p, *e;

    if (n->network == NULL || nid == NULL || strcmp(n->network, nid) != 0)
        return single_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "network %s not found",
                          nid ? nid : "(null)");
    p = eid ? single_find(n, eid) : NULL;
    if (p == NULL)
        return single_error(n->host, err, DCTL_ERR_NOT_FOUND, 0, "endpoint %s not found",
                          eid ? eid : "(null)");
    e = *p;
    *p = e->next;
    n->nendpoints--;
    free(e->eid);
    free(e->netns_path);
    free(e);
    return 0;
}
