/* lib/error.h - helpers for dctl_error_t (declared in include/dctl/driver.h).
 *
 * A function that can fail takes `dctl_error_t *err` last and returns -1 (or
 * NULL) with *err set; success leaves *err alone. Context is added on the way
 * up with dctl_error_prefix(); whoever consumes the error frees it. Any thread. */
#ifndef DCTL_ERROR_H
#define DCTL_ERROR_H

#include <dctl/driver.h>

/* Sets *err unless it is already set (the first error wins); returns -1. */
int dctl_error_set(dctl_error_t *err, enum dctl_error_kind kind, int errnum, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
int dctl_error_vset(dctl_error_t *err, enum dctl_error_kind kind, int errnum, const char *fmt,
                    va_list ap);
/* Prepends "CONTEXT: " to the message; returns -1. */
int dctl_error_prefix(dctl_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The message with ": strerror(errnum)" appended when errnum is set (malloc'd). */
char *dctl_error_text(dctl_error_t err);
void dctl_error_free(dctl_error_t err);
/* Frees *err and sets it to NULL. */
void dctl_error_clear(dctl_error_t *err);

#define cleanup_error __attribute__((cleanup(dctl_error_clear)))

#endif
