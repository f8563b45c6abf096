/* lib/archivelib.c - the libarchive table of archivelib.h, filled by dlopen. */
#include <config.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define ARCHIVELIB_NO_MACROS
#include "archivelib.h"

struct archivelib archivelib;
static pthread_once_t archivelib_once = PTHREAD_ONCE_INIT;
static char archivelib_error[256];

static void
archivelib_open(void)
{
    void *dl = dlopen(ARCHIVELIB_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (!dl) {
        snprintf(archivelib_error, sizeof archivelib_error, "%s", dlerror());
        return;
    }
#define X(name)                                                                   \
    if (!(archivelib.name = (__typeof__(name) *)dlsym(dl, #name))) {              \
        snprintf(archivelib_error, sizeof archivelib_error, "%s: no symbol %s",    \
                 ARCHIVELIB_SONAME, #name);                                       \
        return;                                                                   \
    }
    ARCHIVELIB_SYMBOLS(X)
#undef X
}

int
archivelib_load(dctl_error_t *err)
{
    pthread_once(&archivelib_once, archivelib_open);
    if (archivelib_error[0])
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "load libarchive: %s",
                              archivelib_error);
    return 0;
}
