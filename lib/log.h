/* lib/log.h - logging with dockerd's --log-level names (fatal, error, warn, info,
 * debug, trace). One output handler, chosen at start-up. Any thread. */
#ifndef DCTL_LOG_H
#define DCTL_LOG_H

#include <stdarg.h>

#include <dctl/driver.h>

typedef void (*log_handler_cb)(enum dctl_log_level level, const char *msg, void *arg);

void log_set_level(enum dctl_log_level level);
enum dctl_log_level log_get_level(void);
/* Parses a level name; -1 if unknown. */
int log_level_parse(const char *name, enum dctl_log_level *out);
const char *log_level_name(enum dctl_log_level level);
/* Replaces the default handler (logfmt lines on stderr); NULL restores it. */
void log_set_handler(log_handler_cb cb, void *arg);

void log_vwrite(enum dctl_log_level level, const char *prefix, const char *fmt, va_list ap);
void log_write(enum dctl_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(DCTL_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(DCTL_LOG_WARN, __VA_ARGS__)
#define log_info(...) log_write(DCTL_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_write(DCTL_LOG_DEBUG, __VA_ARGS__)
/* Only before the loop runs: logs and exits 1. */
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
