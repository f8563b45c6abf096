/* lib/tarhdr.c - ustar header fields (see tarhdr.h). */
#include <config.h>

#include "lib/tarhdr.h"

bool
tarhdr_number(const unsigned char *f, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    if (f[0] & 0x80) {
        if (f[0] != 0x80)
            return false;   /* negative or too large */
        for (i = 1; i < n; i++) {
            if (v >> 56)
                return false;
            v = (v << 8) | f[i];
        }
        *out = v;
        return true;
    }
    while (i < n && (f[i] == ' ' || f[i] == '\0'))
        i++;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60)
            return false;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    for (; i < n; i++)
        if (f[i] != ' ' && f[i] != '\0')
            return false;
    *out = v;
    return true;
}

bool
tarhdr_checksum_ok(const unsigned char *h)
{
    uint64_t want, sum = 0;
    int64_t ssum = 0;
    size_t i;

    if (!tarhdr_number(h + 148, 8, &want))
        return false;
    for (i = 0; i < TARHDR_BLOCK; i++) {
        unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];

        sum += c;
        ssum += (signed char)c;
    }
    return sum == want || (uint64_t)ssum == want;
}
