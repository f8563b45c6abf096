/* tests/unit/fake-host.c - the host side of the driver ABI, for unit tests. */
#include <config.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tests/unit/fake-host.h"

static void
fake_host_log(void *host_priv, enum dctl_log_level level, const char *fmt, va_list ap)
{
    struct fake_host *fh = host_priv;
    char *msg;

    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    fh->lines = xrealloc(fh->lines, (fh->nlines + 1) * sizeof *fh->lines);
    fh->lines[fh->nlines++] = xasprintf("%s %s", log_level_name(level), msg);
    free(msg);
}

static int
fake_host_submit(void *host_priv, dctl_job_run_cb run, dctl_job_done_cb done, void *job,
                 dctl_error_t *err)
{
    struct fake_host *fh = host_priv;
    dctl_error_t jerr = NULL;
    int status = run(job, &jerr);

    fh->jobs++;
    done(job, status, jerr);
    return 0;
}

struct fake_host *
fake_host_new(const char *state_dir, const char *run_dir)
{
    struct fake_host *fh = xcalloc(1, sizeof *fh);

    fh->state_dir = xstrdup(state_dir);
    fh->run_dir = xstrdup(run_dir);
    fh->host.size = sizeof fh->host;
    fh->host.abi_major = DCTL_DRIVER_ABI_MAJOR;
    fh->host.abi_minor = DCTL_DRIVER_ABI_MINOR;
    fh->host.log = fake_host_log;
    fh->host.error_set = dctl_error_vset;
    fh->host.event_base = NULL;
    fh->host.submit = fake_host_submit;
    fh->host.state_dir = fh->state_dir;
    fh->host.run_dir = fh->run_dir;
    fh->host.host_priv = fh;
    return fh;
}

void
fake_host_free(struct fake_host *fh)
{
    size_t i;

    if (fh == NULL)
        return;
    for (i = 0; i < fh->nlines; i++)
        free(fh->lines[i]);
    free(fh->lines);
    free(fh->state_dir);
    free(fh->run_dir);
    free(fh);
}

bool
fake_host_logged(const struct fake_host *fh, const char *needle)
{
    size_t i;

    for (i = 0; i < fh->nlines; i++)
        if (strstr(fh->lines[i], needle))
            return true;
    return false;
}

const struct dctl_driver *
fake_host_load(const char *path, enum dctl_driver_kind kind, void **handle, char **why)
{
    const struct dctl_driver *d;

    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (*handle == NULL) {
        *why = xasprintf("dlopen %s: %s", path, dlerror());
        return NULL;
    }
    d = dlsym(*handle, DCTL_DRIVER_SYMBOL);
    if (d == NULL)
        *why = xasprintf("%s: no %s symbol", path, DCTL_DRIVER_SYMBOL);
    else if (d->abi_major != DCTL_DRIVER_ABI_MAJOR)
        *why = xasprintf("%s: ABI %u, want %u", path, d->abi_major, DCTL_DRIVER_ABI_MAJOR);
    else if (d->kind != kind)
        *why = xasprintf("%s: kind %d, want %d", path, d->kind, kind);
    else
        return d;
    dlclose(*handle);
    *handle = NULL;
    return NULL;
}
