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

/* Digits into *v (at most 18 of them, as a rational's parts here never need more);
 * the count, or -1 when there are too many. */
static int
units_digits(const char **p, int64_t *v)
{
    int n = 0;

    for (*v = 0; isdigit((unsigned char)**p); (*p)++, n++) {
        if (n == 18)
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return n;
}

/* big.Rat's SetString for what --cpus takes, times 1e9 (opts.NanoCPUs): "[+-]A/B" with A
 * and B integers, or "[+-]digits[.digits][e[+-]digits]"; a result that is no whole
 * number of nano CPUs is "value is too precise". */
int
units_nano_cpus(const char *s, int64_t *out, const char **why)
{
    const char *p = s;
    bool neg = false;
    int64_t whole = 0, frac = 0, den = 0, exp = 0;
    int wdigits, fdigits = 0, e;

    *why = "failed to parse";
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if ((wdigits = units_digits(&p, &whole)) < 0)
        return -1;
    if (*p == '/') {   /* a fraction: A/B */
        p++;
        if (wdigits == 0 || !isdigit((unsigned char)*p) || units_digits(&p, &den) < 0 ||
            *p != '\0' || den == 0)
            return -1;
        if (whole > INT64_MAX / 1000000000LL || (whole * 1000000000LL) % den != 0) {
            *why = whole > INT64_MAX / 1000000000LL ? "failed to parse" : "value is too precise";
            return -1;
        }
        *out = whole * 1000000000LL / den * (neg ? -1 : 1);
        return 0;
    }
    if (*p == '.') {
        p++;
        for (; isdigit((unsigned char)*p); p++) {
            if (fdigits == 18) {
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
    if (wdigits == 0 && fdigits == 0)
        return -1;
    if (*p == 'e' || *p == 'E') {
        bool eneg = false;

        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!isdigit((unsigned char)*p) || units_digits(&p, &exp) < 0 || exp > 40)
            return -1;
        if (eneg)
            exp = -exp;
    }
    if (*p != '\0')
        return -1;
    /* the value is (whole * 10^fdigits + frac) * 10^(exp - fdigits); in nano CPUs the
     * power is exp - fdigits + 9 */
    {
        int64_t m = whole;
        int i;

        for (i = 0; i < fdigits; i++) {
            if (m > INT64_MAX / 10)
                return -1;
            m *= 10;
        }
        if (m > INT64_MAX - frac)
            return -1;
        m += frac;
        e = (int)(exp - fdigits + 9);
        for (; e < 0; e++) {
            if (m % 10 != 0) {
                *why = "value is too precise";
                return -1;
            }
            m /= 10;
        }
        for (; e > 0; e--) {
            if (m > INT64_MAX / 10)
                return -1;
            m *= 10;
        }
        *out = m * (neg ? -1 : 1);
    }
    return 0;
}
