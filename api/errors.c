/* api/errors.c - error kinds to Docker's HTTP status codes
 * (as moby's daemon/server/httpstatus does for errdefs). */
#include <config.h>

#include "errors.h"

unsigned int
api_error_status(enum dctl_error_kind kind)
{
    switch (kind) {
    case DCTL_ERR_INVALID:
        return 400;
    case DCTL_ERR_FORBIDDEN:
        return 403;
    case DCTL_ERR_NOT_FOUND:
        return 404;
    case DCTL_ERR_CONFLICT:
        return 409;
    case DCTL_ERR_NOT_MODIFIED:
        return 304;
    case DCTL_ERR_TOO_LARGE:
        return 413;
    case DCTL_ERR_UNAVAILABLE:
        return 503;
    case DCTL_ERR_NOT_IMPLEMENTED:
        return 501;
    case DCTL_ERR_NONE:
    case DCTL_ERR_INTERNAL:
        break;
    }
    return 500;
}
