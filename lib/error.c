/* lib/error.c - dctl_error_t: a kind, an errno and a message. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xmalloc.h"

int
dctl_error_vset(dctl_error_t *err, enum dctl_error_kind kind, int errnum, const char *fmt,
                va_list ap)
{
    struct dctl_error *e;

    if (err == NULL || *err != NULL)
        return -1;
    e = xcalloc(1, sizeof *e);
    e->kind = kind;
    e->errnum = errnum;
    if (vasprintf(&e->msg, fmt, ap) < 0)
        abort();
    *err = e;
    return -1;
}

int
dctl_error_set(dctl_error_t *err, enum dctl_error_kind kind, int errnum, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    dctl_error_vset(err, kind, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int
dctl_error_prefix(dctl_error_t *err, const char *fmt, ...)
{
    va_list ap;
    char *ctx, *msg;

    if (err == NULL || *err == NULL)
        return -1;
    va_start(ap, fmt);
    if (vasprintf(&ctx, fmt, ap) < 0)
        abort();
    va_end(ap);
    msg = xasprintf("%s: %s", ctx, (*err)->msg);
    free(ctx);
    free((*err)->msg);
    (*err)->msg = msg;
    return -1;
}

char *
dctl_error_text(dctl_error_t err)
{
    if (err == NULL)
        return xstrdup("unknown error");
    if (err->errnum)
        return xasprintf("%s: %s", err->msg, strerror(err->errnum));
    return xstrdup(err->msg);
}

void
dctl_error_free(dctl_error_t err)
{
    if (err == NULL)
        return;
    free(err->msg);
    free(err);
}

void
dctl_error_clear(dctl_error_t *err)
{
    dctl_error_free(*err);
    *err = NULL;
}
