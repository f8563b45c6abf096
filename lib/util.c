/* lib/util.c - string, number and time helpers. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"
#include "xmalloc.h"

bool
util_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
util_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
util_parse_int64(const char *s, long long *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

long long
util_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
util_format_rfc3339(long long ns, char *buf, size_t len)
{
    time_t secs = (time_t)(ns / 1000000000LL);
    long frac = (long)(ns % 1000000000LL);
    struct tm tm;
    char base[32];

    gmtime_r(&secs, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%09ldZ", base, frac);
}

/* Go-style duration: a sequence of number+unit (h, m, s, ms, us, ns). */
static int
util_parse_duration(const char *s, long long *out_ns)
{
    static const struct { const char *unit; long long ns; } units[] = {
        { "ns", 1LL }, { "us", 1000LL }, { "ms", 1000000LL },
        { "s", 1000000000LL }, { "m", 60000000000LL }, { "h", 3600000000000LL },
    };
    long long total = 0;
    int sign = 1;

    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    if (*s == '\0')
        return -1;
    while (*s) {
        char *end;
        double v;
        size_t i, best = ARRAY_SIZE(units);

        if (!isdigit((unsigned char)*s) && *s != '.')
            return -1;
        v = strtod(s, &end);
        if (end == s)
            return -1;
        s = end;
        for (i = 0; i < ARRAY_SIZE(units); i++) {
            size_t n = strlen(units[i].unit);
            if (strncmp(s, units[i].unit, n) == 0 && (best == ARRAY_SIZE(units) ||
                                                     n > strlen(units[best].unit)))
                best = i;
        }
        if (best == ARRAY_SIZE(units))
            return -1;
        /* Go refuses durations past ~292 years; so do we, before the cast overflows */
        if (v * (double)units[best].ns + (double)total > 9.2e18)
            return -1;
        total += (long long)(v * (double)units[best].ns);
        s += strlen(units[best].unit);
    }
    *out_ns = sign * total;
    return 0;
}

int
util_parse_timestamp(const char *s, long long now_ns, long long *out_ns)
{
    struct tm tm;
    const char *p;
    char *end;
    long long secs, frac = 0, dur;
    int digits = 0;

    if (s == NULL || *s == '\0')
        return -1;
    /* unix seconds, with an optional fraction of up to 9 digits; anything else
     * ("1.5h") may still be a duration below */
    if (isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))) {
        errno = 0;
        secs = strtoll(s, &end, 10);
        if (errno == 0 && end != s && (*end == '\0' || *end == '.') &&
            secs < LLONG_MAX / 1000000000LL && secs > LLONG_MIN / 1000000000LL) {
            bool whole = true;

            if (*end == '.') {
                for (p = end + 1; isdigit((unsigned char)*p) && digits < 9; p++, digits++)
                    frac = frac * 10 + (*p - '0');
                whole = *p == '\0' && digits > 0;
                while (digits++ < 9)
                    frac *= 10;
            }
            if (whole) {
                *out_ns = secs * 1000000000LL + (s[0] == '-' ? -frac : frac);
                return 0;
            }
            frac = 0;
            digits = 0;
        }
    }
    /* RFC 3339 / date forms */
    memset(&tm, 0, sizeof tm);
    p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (p == NULL) {
        memset(&tm, 0, sizeof tm);
        p = strptime(s, "%Y-%m-%d", &tm);
    }
    if (p != NULL) {
        long long off = 0;

        if (*p == '.') {
            if (!isdigit((unsigned char)p[1]))
                return -1;
            for (p++; isdigit((unsigned char)*p); p++) {
                if (digits < 9) {
                    frac = frac * 10 + (*p - '0');
                    digits++;
                }
            }
            while (digits && digits++ < 9)
                frac *= 10;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            /* exactly "+hh:mm", as RFC 3339 says */
            int sign = *p == '-' ? -1 : 1;

            if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':' ||
                !isdigit((unsigned char)p[4]) || !isdigit((unsigned char)p[5]))
                return -1;
            off = sign * (((p[1] - '0') * 10 + (p[2] - '0')) * 3600LL +
                          ((p[4] - '0') * 10 + (p[5] - '0')) * 60LL);
            p += 6;
        }
        if (*p != '\0')
            return -1;
        *out_ns = ((long long)timegm(&tm) - off) * 1000000000LL + frac;
        return 0;
    }
    if (util_parse_duration(s, &dur) == 0) {
        *out_ns = now_ns - dur;
        return 0;
    }
    return -1;
}

char *
util_quote(const char *name)
{
    size_t len = strlen(name), max = 200, i, o = 0;
    char *q = xmalloc(max * 4 + 8);

    for (i = 0; i < len && i < max; i++) {
        unsigned char ch = name[i];

        if (isprint(ch) && ch != '"' && ch != '\\')
            q[o++] = ch;
        else
            o += sprintf(q + o, "\\x%02x", ch);
    }
    if (len > max)
        o += sprintf(q + o, "...");
    q[o] = '\0';
    return q;
}

void
util_random_id(char out[65])
{
    unsigned char rnd[32];
    size_t i;

    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        abort();
    for (i = 0; i < sizeof rnd; i++)
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

/* "." and the fraction's digits without trailing zeros, or "" */
static void
util_fraction(long long v, int digits, char *buf, size_t len)
{
    char d[24];
    int n;

    snprintf(d, sizeof d, "%0*lld", digits, v % 1000000000LL);
    for (n = digits; n > 0 && d[n - 1] == '0'; n--)
        ;
    d[n] = '\0';
    snprintf(buf, len, "%s%s", n ? "." : "", d);
}

void
util_format_go_duration(long long ns, char *buf, size_t len)
{
    const char *sign = ns < 0 ? "-" : "";
    unsigned long long u = ns < 0 ? (unsigned long long)-ns : (unsigned long long)ns;
    char frac[32];

    if (u == 0) {
        snprintf(buf, len, "0s");
    } else if (u < 1000ULL) {
        snprintf(buf, len, "%s%lluns", sign, u);
    } else if (u < 1000000ULL) {
        util_fraction((long long)(u % 1000ULL), 3, frac, sizeof frac);
        snprintf(buf, len, "%s%llu%s\xc2\xb5s", sign, u / 1000ULL, frac);
    } else if (u < 1000000000ULL) {
        util_fraction((long long)(u % 1000000ULL), 6, frac, sizeof frac);
        snprintf(buf, len, "%s%llu%sms", sign, u / 1000000ULL, frac);
    } else {
        unsigned long long secs = u / 1000000000ULL, h = secs / 3600, m = secs / 60 % 60;

        util_fraction((long long)(u % 1000000000ULL), 9, frac, sizeof frac);
        if (h)
            snprintf(buf, len, "%s%lluh%llum%llu%ss", sign, h, m, secs % 60, frac);
        else if (m)
            snprintf(buf, len, "%s%llum%llu%ss", sign, m, secs % 60, frac);
        else
            snprintf(buf, len, "%s%llu%ss", sign, secs, frac);
    }
}

int
util_parse_go_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
    static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}
