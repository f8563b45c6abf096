/* lib/log.c - the log: dockerd's logfmt lines on stderr by default
 * (time="..." level=info msg="..."). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static enum dctl_log_level log_level = DCTL_LOG_INFO;
static log_handler_cb log_handler;
static void *log_handler_arg;

static const char *const log_names[] = {
    [DCTL_LOG_FATAL] = "fatal", [DCTL_LOG_ERROR] = "error", [DCTL_LOG_WARN] = "warning",
    [DCTL_LOG_INFO] = "info",   [DCTL_LOG_DEBUG] = "debug", [DCTL_LOG_TRACE] = "trace",
};

void
log_set_level(enum dctl_log_level level)
{
    log_level = level;
}

enum dctl_log_level
log_get_level(void)
{
    return log_level;
}

int
log_level_parse(const char *name, enum dctl_log_level *out)
{
    size_t i;

    if (name == NULL)
        return -1;
    if (strcasecmp(name, "warn") == 0) {
        *out = DCTL_LOG_WARN;
        return 0;
    }
    if (strcasecmp(name, "panic") == 0) {
        *out = DCTL_LOG_FATAL;
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(log_names); i++) {
        if (strcasecmp(name, log_names[i]) == 0) {
            *out = (enum dctl_log_level)i;
            return 0;
        }
    }
    return -1;
}

const char *
log_level_name(enum dctl_log_level level)
{
    if ((size_t)level >= ARRAY_SIZE(log_names))
        return "unknown";
    return log_names[level];
}

void
log_set_handler(log_handler_cb cb, void *arg)
{
    log_handler = cb;
    log_handler_arg = arg;
}

static void
log_default_handler(enum dctl_log_level level, const char *msg)
{
    char ts[64];
    const char *p;
    size_t cap = strlen(msg) * 2 + 128, n;
    cleanup_free char *line = malloc(cap);

    if (line == NULL)
        return;
    util_format_rfc3339(util_now_ns(), ts, sizeof ts);
    /* logfmt: the message quoted, quotes, backslashes and newlines escaped;
     * one write(2) per line so that lines from threads never interleave */
    n = (size_t)snprintf(line, cap, "time=\"%s\" level=%s msg=\"", ts, log_level_name(level));
    for (p = msg; *p && n + 4 < cap; p++) {
        if (*p == '\n') {
            line[n++] = '\\';
            line[n++] = 'n';
            continue;
        }
        if (*p == '"' || *p == '\\')
            line[n++] = '\\';
        line[n++] = *p;
    }
    line[n++] = '"';
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, n) < 0)
        return;
}

void
log_vwrite(enum dctl_log_level level, const char *prefix, const char *fmt, va_list ap)
{
    char *body, *msg;

    if (level > log_level)
        return;
    if (vasprintf(&body, fmt, ap) < 0)
        return;
    if (prefix && asprintf(&msg, "%s%s", prefix, body) >= 0) {
        free(body);
        body = msg;
    }
    if (log_handler)
        log_handler(level, body, log_handler_arg);
    else
        log_default_handler(level, body);
    free(body);
}

void
log_write(enum dctl_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vwrite(level, NULL, fmt, ap);
    va_end(ap);
}

void
log_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vwrite(DCTL_LOG_FATAL, NULL, fmt, ap);
    va_end(ap);
    exit(1);
}
