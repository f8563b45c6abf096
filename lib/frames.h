/* lib/frames.h - Docker's stream framing: without a TTY, attach, exec and logs streams
 * are frames of an 8-byte header (stream 0 stdin, 1 stdout, 2 stderr; 3 zero bytes;
 * the payload's size, big-endian) and that many bytes. Pure; any thread. */
#ifndef DCTL_LIB_FRAMES_H
#define DCTL_LIB_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAMES_HEADER 8

/* Writes the header of a frame of size bytes of stream into hdr. */
void frames_header(uint8_t hdr[FRAMES_HEADER], int stream, uint32_t size);

/* A decoder fed with bytes as they come: whole or partial payloads go to out. */
struct frames_demux {
    unsigned char hdr[FRAMES_HEADER];
    size_t nhdr;
    int stream;
    uint32_t left;
};
typedef void (*frames_out_cb)(int stream, const char *data, size_t len, void *arg);
void frames_demux_feed(struct frames_demux *d, const char *data, size_t len, frames_out_cb out,
                       void *arg);

#endif
