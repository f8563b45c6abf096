/* api/info.c - GET /info and GET /system/df. Both gather what can block
 * (/proc, /sys and /etc reads; walking the storage driver's directory) in a
 * worker job and build the reply on the loop from that and from daemon state
 * (configuration, drivers, object counts). Field names are Docker's; "Drivers"
 * in /info is dctl's own addition, the loaded drivers and their state. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "daemon/dctld.h"
#include "daemon/events.h"
#include "daemon/driver.h"
#include "daemon/host.h"
#include "daemon/image.h"
#include "daemon/sysinfo.h"
#include "daemon/worker.h"
#include "lib/file.h"
#include "daemon/container.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "server.h"

/* ---- object counts --------------------------------------------------------- */

struct info_counts {
    int64_t containers, running, paused, stopped;
    int64_t images;
};

/* Containers by state and images, from the stores that own them. */
static void
info_count_objects(const struct dctld *d, struct info_counts *c)
{
    memset(c, 0, sizeof *c);
    if (d->images)
        c->images = (int64_t)imagestore_count(d->images->images);
    if (d->containers) {
        c->containers = (int64_t)container_count(d->containers, 0, true);
        /* as dockerd: by State.Status, so "restarting" counts as stopped */
        c->running = (int64_t)container_count(d->containers, CONTAINER_RUNNING, false);
        c->paused = (int64_t)container_count(d->containers, CONTAINER_PAUSED, false);
    }
    c->stopped = c->containers - c->running - c->paused;
}

/* Subscribers of GET /events, which daemon/events.c owns. */
static int64_t
info_events_listeners(const struct dctld *d)
{
    return d->events ? (int64_t)events_nsubscribers(d->events) : 0;
}

/* ---- small JSON helpers ------------------------------------------------------ */

static struct json_object *
info_strv(const char *const *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    return a;
}

static struct json_object *
info_pair(const char *k, const char *v)
{
    struct json_object *a = json_object_new_array();

    json_object_array_add(a, json_object_new_string(k));
    json_object_array_add(a, json_object_new_string(v ? v : ""));
    return a;
}

/* [[key, value], ...] from a driver's NULL-ended status lines. */
static struct json_object *
info_status_lines(const struct dctl_option *lines)
{
    struct json_object *a = json_object_new_array();

    for (; lines && lines->key; lines++)
        json_object_array_add(a, info_pair(lines->key, lines->value));
    return a;
}

static struct json_object *
info_commit(const char *id)
{
    struct json_object *o = json_object_new_object();

    json_add_string(o, "ID", id);
    json_add_string(o, "Expected", id);
    return o;
}

/* HTTP_PROXY then http_proxy, masked as dockerd does. */
static void
info_add_proxy(struct json_object *o, const char *key, const char *upper, const char *lower)
{
    const char *v = getenv(upper);
    cleanup_free char *masked = NULL;

    if (v == NULL || *v == '\0')
        v = getenv(lower);
    masked = sysinfo_mask_proxy(v ? v : "");
    json_add_string(o, key, masked);
}

/* ---- drivers --------------------------------------------------------------- */

static struct json_object *
info_drivers(const struct driver_registry *reg)
{
    struct json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; i < reg->n; i++) {
        const struct driver *drv = reg->v[i];
        struct json_object *o = json_object_new_object();
        char abi[32];

        snprintf(abi, sizeof abi, "%u.%u", drv->desc->abi_major, drv->desc->abi_minor);
        json_add_string(o, "Kind", driver_kind_name(drv->desc->kind));
        json_add_string(o, "Name", drv->desc->name);
        json_add_string(o, "Version", drv->desc->version ? drv->desc->version : "");
        json_add_string(o, "ABI", abi);
        json_add_string(o, "Path", drv->path);
        json_add_string(o, "Status", driver_state_name(drv->state));
        if (drv->state == DRIVER_FAILED)
            json_add_string(o, "Error", drv->error);
        if (drv->state == DRIVER_ACTIVE)
            json_object_object_add(o, "DriverStatus", info_status_lines(driver_status(drv)));
        json_object_array_add(a, o);
    }
    return a;
}

/* Names of the active drivers of a kind. */
static struct json_object *
info_driver_names(const struct driver_registry *reg, enum dctl_driver_kind kind)
{
    struct json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; i < reg->n; i++)
        if (reg->v[i]->desc->kind == kind && reg->v[i]->state == DRIVER_ACTIVE)
            json_object_array_add(a, json_object_new_string(reg->v[i]->desc->name));
    return a;
}

/* Driver, DriverStatus and, when no storage driver works, a warning. */
static void
info_add_storage(struct json_object *v, const struct driver_registry *reg,
                 struct json_object *warnings)
{
    const struct driver *s = reg->storage;

    if (s == NULL) {
        json_add_string(v, "Driver", "");
        json_object_object_add(v, "DriverStatus", json_object_new_array());
        json_object_array_add(warnings,
                              json_object_new_string("WARNING: no storage driver is active "
                                                     "(select one with --storage-driver); "
                                                     "images and containers cannot be stored"));
        return;
    }
    json_add_string(v, "Driver", s->desc->name);
    if (s->state == DRIVER_ACTIVE) {
        json_object_object_add(v, "DriverStatus", info_status_lines(driver_status(s)));
    } else {
        struct json_object *st = json_object_new_array();
        char *w = xasprintf("WARNING: storage driver %s failed to start: %s", s->desc->name,
                            s->error ? s->error : "unknown error");

        json_object_array_add(st, info_pair("Error", s->error));
        json_object_object_add(v, "DriverStatus", st);
        json_object_array_add(warnings, json_object_new_string(w));
        free(w);
    }
}

/* Runtimes: one per active exec driver; the first is the default. */
static void
info_add_runtimes(struct json_object *v, const struct driver_registry *reg)
{
    struct json_object *rt = json_object_new_object();
    const char *dflt = "";
    size_t i;

    for (i = 0; i < reg->n; i++) {
        const struct driver *drv = reg->v[i];
        struct json_object *o;

        if (drv->desc->kind != DCTL_DRIVER_EXEC || drv->state != DRIVER_ACTIVE)
            continue;
        o = json_object_new_object();
        json_add_string(o, "path", drv->path);
        json_object_object_add(rt, drv->desc->name, o);
        if (*dflt == '\0')
            dflt = drv->desc->name;
    }
    json_object_object_add(v, "Runtimes", rt);
    json_add_string(v, "DefaultRuntime", dflt);
}

static struct json_object *
info_registry_config(void)
{
    static const char *const insecure[] = { "::1/128", "127.0.0.0/8" };
    struct json_object *rc = json_object_new_object();
    struct json_object *indexes = json_object_new_object();
    struct json_object *hub = json_object_new_object();

    json_object_object_add(rc, "AllowNondistributableArtifactsCIDRs", json_object_new_array());
    json_object_object_add(rc, "AllowNondistributableArtifactsHostnames",
                           json_object_new_array());
    json_object_object_add(rc, "InsecureRegistryCIDRs",
                           info_strv(insecure, ARRAY_SIZE(insecure)));
    json_add_string(hub, "Name", "docker.io");
    json_object_object_add(hub, "Mirrors", json_object_new_array());
    json_add_bool(hub, "Secure", true);
    json_add_bool(hub, "Official", true);
    json_object_object_add(indexes, "docker.io", hub);
    json_object_object_add(rc, "IndexConfigs", indexes);
    json_object_object_add(rc, "Mirrors", json_object_new_array());
    return rc;
}

static struct json_object *
info_swarm(void)
{
    struct json_object *s = json_object_new_object();

    json_add_string(s, "NodeID", "");
    json_add_string(s, "NodeAddr", "");
    json_add_string(s, "LocalNodeState", "inactive");
    json_add_bool(s, "ControlAvailable", false);
    json_add_string(s, "Error", "");
    json_object_object_add(s, "RemoteManagers", NULL);
    return s;
}

/* ---- GET /info --------------------------------------------------------------- */

/* Owner: the request, from submit until info_done_cb. */
struct info_job {
    struct api_request *req;
    struct host_facts host;
    struct sysinfo sys;
};

static int
info_run(void *job, dctl_error_t *err)
{
    struct info_job *j = job;

    (void)err;
    host_facts_read(&j->host);
    sysinfo_read(&j->sys);
    return 0;
}

static struct json_object *
info_build(const struct dctld *d, const struct info_job *j)
{
    const struct host_facts *h = &j->host;
    const struct sysinfo *si = &j->sys;
    struct json_object *v = json_object_new_object();
    struct json_object *plugins = json_object_new_object();
    struct json_object *secopts = json_object_new_array();
    struct json_object *warnings = json_object_new_array();
    struct info_counts c;
    char now[64];

    info_count_objects(d, &c);
    util_format_rfc3339(util_now_ns(), now, sizeof now);

    json_add_string(v, "ID", d->id);
    json_add_int64(v, "Containers", c.containers);
    json_add_int64(v, "ContainersRunning", c.running);
    json_add_int64(v, "ContainersPaused", c.paused);
    json_add_int64(v, "ContainersStopped", c.stopped);
    json_add_int64(v, "Images", c.images);
    info_add_storage(v, d->drivers, warnings);

    json_object_object_add(plugins, "Volume", json_object_new_array());
    json_object_object_add(plugins, "Network",
                           info_driver_names(d->drivers, DCTL_DRIVER_NETWORK));
    json_object_object_add(plugins, "Authorization", NULL);
    json_object_object_add(plugins, "Log", info_strv((const char *const[]){ "json-file" }, 1));
    json_object_object_add(v, "Plugins", plugins);

    json_add_bool(v, "MemoryLimit", si->memory_limit);
    json_add_bool(v, "SwapLimit", si->swap_limit);
    if (si->kernel_memory_tcp)
        json_add_bool(v, "KernelMemoryTCP", true);
    json_add_bool(v, "CpuCfsPeriod", si->cpu_cfs_period);
    json_add_bool(v, "CpuCfsQuota", si->cpu_cfs_quota);
    json_add_bool(v, "CPUShares", si->cpu_shares);
    json_add_bool(v, "CPUSet", si->cpuset);
    json_add_bool(v, "PidsLimit", si->pids_limit);
    json_add_bool(v, "IPv4Forwarding", si->ipv4_forwarding);
    json_add_bool(v, "BridgeNfIptables", si->bridge_nf_iptables);
    json_add_bool(v, "BridgeNfIp6tables", si->bridge_nf_ip6tables);
    json_add_bool(v, "Debug", daemon_config_log_level(&d->config) >= DCTL_LOG_DEBUG);
    json_add_int64(v, "NFd", si->nfd);
    json_add_bool(v, "OomKillDisable", si->oom_kill_disable);
    json_add_int64(v, "NGoroutines", si->nthreads);
    json_add_string(v, "SystemTime", now);
    json_add_string(v, "LoggingDriver", "json-file");
    json_add_string(v, "CgroupDriver", "cgroupfs");
    json_add_string(v, "CgroupVersion", si->cgroup_version == 2 ? "2" : "1");
    json_add_int64(v, "NEventsListener", info_events_listeners(d));
    json_add_string(v, "KernelVersion", h->kernel);
    json_add_string(v, "OperatingSystem", h->os_name);
    json_add_string(v, "OSVersion", h->os_version);
    json_add_string(v, "OSType", "linux");
    json_add_string(v, "Architecture", h->machine);
    json_add_string(v, "IndexServerAddress", "https://index.docker.io/v1/");
    json_object_object_add(v, "RegistryConfig", info_registry_config());
    json_add_int64(v, "NCPU", si->ncpu);
    json_add_int64(v, "MemTotal", h->mem_total);
    json_object_object_add(v, "GenericResources", NULL);
    json_add_string(v, "DockerRootDir", d->config.data_root);
    info_add_proxy(v, "HttpProxy", "HTTP_PROXY", "http_proxy");
    info_add_proxy(v, "HttpsProxy", "HTTPS_PROXY", "https_proxy");
    info_add_proxy(v, "NoProxy", "NO_PROXY", "no_proxy");
    json_add_string(v, "Name", h->hostname);
    json_object_object_add(v, "Labels",
                           info_strv((const char *const *)d->config.labels.v, d->config.labels.n));
    json_add_bool(v, "ExperimentalBuild", false);
    json_add_string(v, "ServerVersion", PACKAGE_VERSION);
    info_add_runtimes(v, d->drivers);
    json_object_object_add(v, "Swarm", info_swarm());
    json_add_bool(v, "LiveRestoreEnabled", false);
    json_add_string(v, "Isolation", "");
    json_add_string(v, "InitBinary", "");
    json_object_object_add(v, "ContainerdCommit", info_commit("N/A"));
    json_object_object_add(v, "RuncCommit", info_commit("N/A"));
    json_object_object_add(v, "InitCommit", info_commit("N/A"));

    /* Only what dctld enforces: its default seccomp profile (daemon/secprofile.c); no
     * AppArmor or SELinux. Containers get a private cgroup namespace by default on v1
     * too (dockerd's default there is host), so cgroupns is listed wherever the kernel
     * has cgroup namespaces. */
    json_object_array_add(secopts, json_object_new_string("name=seccomp,profile=builtin"));
    if (d->userns)
        json_object_array_add(secopts, json_object_new_string("name=userns"));
    if (si->cgroup_ns)
        json_object_array_add(secopts, json_object_new_string("name=cgroupns"));
    json_object_object_add(v, "SecurityOptions", secopts);

    if (!si->ipv4_forwarding)
        json_object_array_add(warnings, json_object_new_string("WARNING: IPv4 forwarding is disabled"));
    if (!si->bridge_nf_iptables)
        json_object_array_add(warnings,
                              json_object_new_string("WARNING: bridge-nf-call-iptables is disabled"));
    if (!si->bridge_nf_ip6tables)
        json_object_array_add(warnings,
                              json_object_new_string("WARNING: bridge-nf-call-ip6tables is disabled"));
    if (si->cgroup_version == 1 && !si->swap_limit)
        json_object_array_add(warnings, json_object_new_string("WARNING: No swap limit support"));
    json_object_object_add(v, "Warnings", warnings);

    json_object_object_add(v, "Drivers", info_drivers(d->drivers));
    return v;
}

static void
info_done_cb(void *job, int status, dctl_error_t err)
{
    struct info_job *j = job;
    struct api_request *req = j->req;

    if (status < 0) {
        api_reply_error(req, err);
    } else {
        dctl_error_free(err);
        api_reply_json(req, 200, info_build(req->dctld, j));
    }
    api_request_resume(req);
    free(j);
}

static int
info_handler(struct api_request *req, dctl_error_t *err)
{
    struct info_job *j = xcalloc(1, sizeof *j);

    j->req = req;
    if (worker_submit(req->dctld->workers, info_run, info_done_cb, j, err) < 0) {
        free(j);
        return -1;
    }
    api_request_suspend(req);
    return 0;
}

/* ---- GET /system/df ------------------------------------------------------------ */

enum df_type {
    DF_CONTAINERS = 1 << 0,
    DF_IMAGES = 1 << 1,
    DF_VOLUMES = 1 << 2,
    DF_BUILD_CACHE = 1 << 3,
};

/* Owner: the request, from submit until df_done_cb. */
struct df_job {
    struct api_request *req;
    unsigned int types;
    char *layers_dir;   /* the active storage driver's directory, or NULL */
    int64_t layers_size;
};

/* One ImageSummary (with SharedSize and Containers counted) per image. */
static struct json_object *
df_images(const struct dctld *d)
{
    return api_images_df((struct dctld *)d);
}

/* One ContainerSummary per container of the container store. */
static struct json_object *
df_containers(const struct dctld *d)
{
    return api_containers_df((struct dctld *)d);
}

/* One Volume (with UsageData) per volume of the volume store, not part of dctld yet. */
static struct json_object *
df_volumes(const struct dctld *d)
{
    (void)d;
    return json_object_new_array();
}

/* dctld has no builder cache: BuildKit's records do not exist here. */
static struct json_object *
df_build_cache(const struct dctld *d)
{
    (void)d;
    return json_object_new_array();
}

static void
df_job_free(struct df_job *j)
{
    free(j->layers_dir);
    free(j);
}

static int
df_run(void *job, dctl_error_t *err)
{
    struct df_job *j = job;
    dctl_error_t uerr = NULL;

    if (j->layers_dir == NULL)
        return 0;
    if (file_usage(j->layers_dir, &j->layers_size, &uerr) < 0) {
        if (uerr->kind != DCTL_ERR_NOT_FOUND) {
            *err = uerr;
            return dctl_error_prefix(err, "layers size");
        }
        dctl_error_free(uerr);   /* the driver made nothing yet */
        j->layers_size = 0;
    }
    return 0;
}

static void
df_done_cb(void *job, int status, dctl_error_t err)
{
    struct df_job *j = job;
    struct api_request *req = j->req;
    const struct dctld *d = req->dctld;
    struct json_object *v;

    if (status < 0) {
        api_reply_error(req, err);
        goto out;
    }
    dctl_error_free(err);
    v = json_object_new_object();
    json_add_int64(v, "LayersSize", j->layers_size);
    json_object_object_add(v, "Images", j->types & DF_IMAGES ? df_images(d) : NULL);
    json_object_object_add(v, "Containers",
                           j->types & DF_CONTAINERS ? df_containers(d) : NULL);
    json_object_object_add(v, "Volumes", j->types & DF_VOLUMES ? df_volumes(d) : NULL);
    json_object_object_add(v, "BuildCache",
                           j->types & DF_BUILD_CACHE ? df_build_cache(d) : NULL);
    api_reply_json(req, 200, v);
out:
    api_request_resume(req);
    df_job_free(j);
}

/* ?type=container&type=image...: API 1.42 and later; all types when absent. */
static int
df_parse_types(const struct api_request *req, unsigned int *types, dctl_error_t *err)
{
    static const struct { const char *name; unsigned int bit; } names[] = {
        { "container", DF_CONTAINERS }, { "image", DF_IMAGES },
        { "volume", DF_VOLUMES },       { "build-cache", DF_BUILD_CACHE },
    };
    const char *v[16];
    size_t n, i, k;

    n = req->version >= API_VERSION(1, 42) ? api_query_all(req, "type", v, ARRAY_SIZE(v)) : 0;
    if (n == 0) {
        *types = DF_CONTAINERS | DF_IMAGES | DF_VOLUMES | DF_BUILD_CACHE;
        return 0;
    }
    if (n > ARRAY_SIZE(v))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "too many object types: %zu", n);
    *types = 0;
    for (i = 0; i < n; i++) {
        for (k = 0; k < ARRAY_SIZE(names); k++)
            if (strcmp(v[i], names[k].name) == 0)
                break;
        if (k == ARRAY_SIZE(names))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unknown object type: %s", v[i]);
        *types |= names[k].bit;
    }
    return 0;
}

static int
df_handler(struct api_request *req, dctl_error_t *err)
{
    const struct driver *storage = req->dctld->drivers->storage;
    struct df_job *j;
    unsigned int types = 0;

    if (df_parse_types(req, &types, err) < 0)
        return -1;
    j = xcalloc(1, sizeof *j);
    j->req = req;
    j->types = types;
    /* Docker computes LayersSize with the images */
    if ((types & DF_IMAGES) && storage && storage->state == DRIVER_ACTIVE)
        j->layers_dir = xstrdup(storage->state_dir);
    if (worker_submit(req->dctld->workers, df_run, df_done_cb, j, err) < 0) {
        df_job_free(j);
        return -1;
    }
    api_request_suspend(req);
    return 0;
}

const struct api_route api_info_routes[] = {
    { API_GET, "/info", info_handler, 0 },
    { API_GET, "/system/df", df_handler, 0 },
    { 0, NULL, NULL, 0 },
};
