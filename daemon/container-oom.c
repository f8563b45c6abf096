/* daemon/container-oom.c - the `oom` event when the OOM killer strikes in a running
 * container's cgroup, as dockerd gets it from containerd's TaskOOM: not only when the
 * container ends (a killed child of a shell that goes on is an OOM too). While the
 * container runs, the loop watches its memory cgroup (lib/cgroup's cgroup_oom_fd: v1 an
 * eventfd on memory.oom_control, v2 inotify on memory.events); on each wake-up the
 * cgroup's oom_kill count is read, and a count that went up is one `oom` event (a v1
 * eventfd also fires when the cgroup is removed, and memory.events changes for other
 * reasons: the count tells them apart). v1 notifies as the cgroup goes under OOM, a
 * moment before the victim's kill is counted: a wake-up that finds no new kill looks
 * again every 50 ms, up to half a second. The exit then adds no second `oom` for kills
 * already reported. The cgroup is found where the spec put it (spec-resources' path:
 * HostConfig's CgroupParent, dctld's --cgroup-parent, /dctl), on the host's cgroupfs
 * or on DCTL_CGROUP_ROOT's test tree. Loop thread. */
#include <config.h>

#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/container.h"
#include "daemon/dctld.h"
#include "daemon/spec-resources.h"
#include "lib/cgroup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct container_oom {
    struct container *c;   /* not a reference: unwatched before the container goes */
    struct event *ev;
    struct event *again;   /* the look again after a wake-up that found nothing new */
    int tries;             /* looks left */
    int fd;
    char *path;            /* the container's cgroup path */
    uint64_t kills;        /* the oom_kill count already reported */
};

/* Reads the kill count: a new kill is an event (true), else false. */
static bool
container_oom_check(struct container_oom *o)
{
    const struct cgroup_host *h = container_cgroup_host();
    uint64_t n;

    n = h ? cgroup_oom_kills(h, o->path) : 0;
    log_debug("container %.12s: OOM watch: %llu kills (%llu reported)", o->c->id,
              (unsigned long long)n, (unsigned long long)o->kills);
    if (n > o->kills) {
        o->kills = n;
        o->c->oom_reported = true;
        log_info("container %.12s: the OOM killer killed a process in it", o->c->id);
        container_emit(o->c, "oom", NULL);
        return true;
    }
    return false;
}

static void
container_oom_again_cb(evutil_socket_t fd, short what, void *arg)
{
    struct container_oom *o = arg;
    const struct timeval tv = { 0, 50000 };

    if (!container_oom_check(o) && --o->tries > 0)
        evtimer_add(o->again, &tv);
}

static void
container_oom_cb(evutil_socket_t fd, short what, void *arg)
{
    struct container_oom *o = arg;
    const struct timeval tv = { 0, 50000 };

    cgroup_oom_fd_drain(fd);
    if (!container_oom_check(o)) {
        o->tries = 10;
        evtimer_add(o->again, &tv);
    }
}

void
container_oom_watch(struct container *c, bool fresh)
{
    const struct cgroup_host *h = container_cgroup_host();
    struct container_oom *o;
    dctl_error_t err = NULL;
    int fd;

    if (c->oom != NULL || h == NULL)
        return;
    o = xcalloc(1, sizeof *o);
    o->c = c;
    o->path = spec_resources_cgroups_path(c->hostconfig, container_dctld(c)->config.cgroup_parent,
                                          c->id);
    fd = cgroup_oom_fd(h, o->path, &err);
    if (fd < 0) {   /* no memory controller, or not our cgroupfs: no live event */
        cleanup_free char *text = dctl_error_text(err);

        log_debug("container %.12s: no OOM watch: %s", c->id, text);
        dctl_error_free(err);
        free(o->path);
        free(o);
        return;
    }
    o->fd = fd;
    /* a new cgroup counts from 0, and a kill before the watch was set (a hog is quick) is
     * one too; after a dctld restart what the count says was reported before */
    o->kills = fresh ? 0 : cgroup_oom_kills(h, o->path);
    o->ev = event_new(container_dctld(c)->base, fd, EV_READ | EV_PERSIST, container_oom_cb, o);
    o->again = evtimer_new(container_dctld(c)->base, container_oom_again_cb, o);
    event_add(o->ev, NULL);
    c->oom = o;
    if (fresh)
        container_oom_check(o);
}

void
container_oom_unwatch(struct container *c)
{
    struct container_oom *o = c->oom;

    if (o == NULL)
        return;
    c->oom = NULL;
    event_free(o->ev);
    event_free(o->again);
    close(o->fd);
    free(o->path);
    free(o);
}
