/* tests/unit/fake-host.h - a struct dctl_host for driver tests: records every
 * log line, runs submit() jobs synchronously (run, then done), sets errors
 * with lib/error.c. Single-threaded. */
#ifndef DCTL_FAKE_HOST_H
#define DCTL_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <dctl/driver.h>

struct fake_host {
    struct dctl_host host; /* handed to the driver's init() */
    char *state_dir, *run_dir;
    char **lines; /* "LEVEL message", in order */
    size_t nlines;
    size_t jobs; /* jobs run through submit() */
};

/* Directories are copied; they must exist. */
struct fake_host *fake_host_new(const char *state_dir, const char *run_dir);
void fake_host_free(struct fake_host *fh);
/* Has a line containing needle been logged? */
bool fake_host_logged(const struct fake_host *fh, const char *needle);

/* Loads the driver module at path (dlopen), checks its ABI and kind; NULL with
 * a message in *why (malloc'd) otherwise. *handle gets the dlopen handle. */
const struct dctl_driver *fake_host_load(const char *path, enum dctl_driver_kind kind,
                                         void **handle, char **why);

#endif
