/* daemon/shim/shim-cgroup.c - the container's cgroup, as dctl-shim handles it
 * (lib/cgroup.h does the files): read from the spec (linux.cgroupsPath and
 * linux.resources), created and limited before the init is cloned, the init and each
 * exec put in it before they go on (the shim writes the pid, then lets the child
 * continue over a pipe: a child in a user namespace could not write it itself), and at
 * the end its OOM kills counted, what is left in it killed and the cgroup removed.
 *
 * The host's layout is read at start: /sys/fs/cgroup, or $DCTL_CGROUP_ROOT (with
 * $DCTL_CGROUP_VERSION 1 or 2) for a test tree. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cgroup.h"
#include "shim.h"

static struct cgroup_host shim_cgroup_host;
static bool shim_cgroup_created;
static char shim_cgroup_why[512];

static const char *
shim_cgroup_error(dctl_error_t *err)
{
    char *text = dctl_error_text(*err);

    snprintf(shim_cgroup_why, sizeof shim_cgroup_why, "%s", text);
    free(text);
    dctl_error_clear(err);
    return shim_cgroup_why;
}

int
shim_cgroup_spec(struct json_object *linux_, struct shim_spec *s, const char **why)
{
    struct json_object *path = NULL, *res = NULL;
    dctl_error_t err = NULL;
    char clean[CGROUP_PATH_MAX];

    if (linux_ == NULL || !json_object_object_get_ex(linux_, "cgroupsPath", &path) ||
        path == NULL || !json_object_is_type(path, json_type_string) ||
        *json_object_get_string(path) == '\0')
        return 0;   /* no cgroup of its own: the shim's */
    if (cgroup_path_clean(json_object_get_string(path), clean, sizeof clean, &err) < 0) {
        *why = shim_cgroup_error(&err);
        return -1;
    }
    s->cgroup_path = strdup(clean);
    s->resources = calloc(1, sizeof *s->resources);
    if (s->cgroup_path == NULL || s->resources == NULL) {
        *why = "out of memory";
        return -1;
    }
    json_object_object_get_ex(linux_, "resources", &res);
    if (cgroup_resources_parse(res, s->resources, &err) < 0) {
        *why = shim_cgroup_error(&err);
        return -1;
    }
    return 0;
}

int
shim_cgroup_setup(struct shim_spec *s, const char **why)
{
    dctl_error_t err = NULL;

    if (s->cgroup_path == NULL)
        return 0;
    if (cgroup_host_open_env(&shim_cgroup_host, &err) < 0 ||
        cgroup_create(&shim_cgroup_host, s->cgroup_path, &err) < 0) {
        *why = shim_cgroup_error(&err);
        return -1;
    }
    shim_cgroup_created = true;
    if (cgroup_apply(&shim_cgroup_host, s->cgroup_path, s->resources, &err) < 0) {
        *why = shim_cgroup_error(&err);
        shim_cgroup_teardown(s);
        return -1;
    }
    free(s->resources);   /* applied: the loop never needs it again */
    s->resources = NULL;
    return 0;
}

int
shim_cgroup_enter(const struct shim_spec *s, pid_t pid, const char **why)
{
    dctl_error_t err = NULL;

    if (!shim_cgroup_created)
        return 0;
    if (cgroup_enter(&shim_cgroup_host, s->cgroup_path, pid, &err) < 0) {
        *why = shim_cgroup_error(&err);
        return -1;
    }
    return 0;
}

bool
shim_cgroup_oom_killed(const struct shim_spec *s)
{
    return shim_cgroup_created && cgroup_oom_kills(&shim_cgroup_host, s->cgroup_path) > 0;
}

int
shim_cgroup_oom_fd(const struct shim_spec *s)
{
    dctl_error_t err = NULL;
    int fd;

    if (!shim_cgroup_created)
        return -1;
    fd = cgroup_oom_fd(&shim_cgroup_host, s->cgroup_path, &err);
    dctl_error_free(err);
    return fd;
}

void
shim_cgroup_teardown(const struct shim_spec *s)
{
    dctl_error_t err = NULL;

    if (!shim_cgroup_created)
        return;
    /* what outlived the init (a PID namespace shared with the host, a daemonised exec) */
    cgroup_kill(&shim_cgroup_host, s->cgroup_path, 1000, &err);
    dctl_error_clear(&err);
    cgroup_remove(&shim_cgroup_host, s->cgroup_path, &err);
    dctl_error_free(err);
    shim_cgroup_created = false;
}

/* The child's side of the go-ahead: one byte once it is in its cgroup; EOF means the
 * shim could not put it there. */
int
shim_cgroup_wait(int fd, int peer)
{
    char c;
    ssize_t n;

    if (peer >= 0)
        close(peer);
    if (fd < 0)
        return 0;
    do
        n = read(fd, &c, 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n == 1 ? 0 : -1;
}
