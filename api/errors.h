/* api/errors.h - the one place where an error kind becomes an HTTP status. */
#ifndef DCTL_API_ERRORS_H
#define DCTL_API_ERRORS_H

#include <dctl/driver.h>

unsigned int api_error_status(enum dctl_error_kind kind);

#endif
