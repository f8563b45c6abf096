/* lib/units.c - Docker's unit parsers (see units.h). */
#include <config.h>

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/units.h"

int
units_ram_in_bytes(const char *s, int64_t *out)
{
    const char *p = s;
    char *end;
    double n;
    int64_t mul = 1;

    while (isdigit((unsigned char)*p))
        p++;
    if (p == s)
        return -1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    errno = 0;
    n = strtod(s, &end);
    if (errno || end != p)
        return -1;
    if (*p == ' ')
        p++;
    switch (tolower((unsigned char)*p)) {
    case 'k':
        mul = 1024LL;
        p++;
        break;
    case 'm':
        mul = 1024LL * 1024;
        p++;
        break;
    case 'g':
        mul = 1024LL * 1024 * 1024;
        p++;
        break;
    case 't':
        mul = 1024LL * 1024 * 1024 * 1024;
        p++;
        break;
    case 'p':
        mul = 1024LL * 1024 * 1024 * 1024 * 1024;
        p++;
        break;
    }
    if (mul > 1 && tolower((unsigned char)*p) == 'i')
        p++;
    if (tolower((unsigned char)*p) == 'b')
        p++;
    if (*p != '\0' || n * (double)mul > (double)INT64_MAX)
        return -1;
    *out = (int64_t)(n * (double)mul);
    return 0;
}

/* big.Rat's SetString for what the flag takes: [+-]digits[.digits], exactly. */
int
units_nano_cpus(const char *s, int64_t *out, const char **why)
{
    const char *p = s;
    bool neg = false;
    int64_t whole = 0, frac = 0;
    int fdigits = 0;

    *why = "failed to parse";
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (INT64_MAX / 1000000000LL - 9) / 10)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            if (fdigits == 9) {
                if (*p != '0') {
                    *why = "value is too precise";
                    return -1;
                }
                continue;
            }
            frac = frac * 10 + (*p - '0');
            fdigits++;
        }
    }
    if (*p != '\0')
        return -1;
    while (fdigits++ < 9)
        frac *= 10;
    *out = (whole * 1000000000LL + frac) * (neg ? -1 : 1);
    return 0;
}
