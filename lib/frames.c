/* lib/frames.c - Docker's stream framing (see frames.h). */
#include <config.h>

#include <string.h>

#include "frames.h"

void
frames_header(uint8_t hdr[FRAMES_HEADER], int stream, uint32_t size)
{
    hdr[0] = (uint8_t)stream;
    hdr[1] = hdr[2] = hdr[3] = 0;
    hdr[4] = (uint8_t)(size >> 24);
    hdr[5] = (uint8_t)(size >> 16);
    hdr[6] = (uint8_t)(size >> 8);
    hdr[7] = (uint8_t)size;
}

void
frames_demux_feed(struct frames_demux *d, const char *data, size_t len, frames_out_cb out,
                  void *arg)
{
    while (len) {
        size_t take;

        if (d->left == 0) {
            take = sizeof d->hdr - d->nhdr;
            if (take > len)
                take = len;
            memcpy(d->hdr + d->nhdr, data, take);
            d->nhdr += take;
            data += take;
            len -= take;
            if (d->nhdr < sizeof d->hdr)
                return;
            d->nhdr = 0;
            d->stream = d->hdr[0];
            d->left = (uint32_t)d->hdr[4] << 24 | (uint32_t)d->hdr[5] << 16 |
                      (uint32_t)d->hdr[6] << 8 | d->hdr[7];
            continue;
        }
        take = len < d->left ? len : d->left;
        out(d->stream, data, take, arg);
        d->left -= (uint32_t)take;
        data += take;
        len -= take;
    }
}
