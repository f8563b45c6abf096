/* api/detach.h - detach keys of attach and exec sessions: the spec ("ctrl-p,ctrl-q" by
 * default; single characters and ctrl-X, as Docker's term.ToBytes) and a matcher fed
 * with what the client types. Pure; loop thread or tests. */
#ifndef DCTL_API_DETACH_H
#define DCTL_API_DETACH_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

#define API_DETACH_MAX 16

struct api_detach {
    unsigned char keys[API_DETACH_MAX];
    size_t n;       /* 0: nothing detaches */
    size_t matched; /* keys typed so far, held back */
};

/* spec NULL or "": the default. "Invalid detach keys (%s) provided" (400) otherwise. */
int api_detach_parse(const char *spec, struct api_detach *d, dctl_error_t *err);

typedef void (*api_detach_out_cb)(void *arg, const unsigned char *data, size_t len);
/* Feeds typed bytes: those that are input go to out (a prefix of the keys that does not
 * complete is input too); true once the whole sequence was typed (what follows it in
 * data is dropped). */
bool api_detach_feed(struct api_detach *d, const unsigned char *data, size_t len,
                     api_detach_out_cb out, void *arg);

#endif
