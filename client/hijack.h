/* client/hijack.h - raw connections to the daemon for what libcurl's easy API cannot
 * do in one thread: a hijacked attach (101 UPGRADED, then a two-way byte stream), a
 * request whose answer is read later (wait, sent before start), and a body read as
 * raw bytes (logs, to demultiplex). Each is its own socket to the endpoint that
 * struct http_client was made for, speaking HTTP/1.1 with Upgrade or HTTP/1.0 (so that
 * the answer's body is not chunked and ends when the daemon closes).
 * Docker's stream framing is lib/frames.h's. Single-threaded. */
#ifndef DCTL_CLIENT_HIJACK_H
#define DCTL_CLIENT_HIJACK_H

#include <stddef.h>
#include <stdint.h>

#include "client/http.h"
#include "lib/frames.h"
#include "lib/error.h"

/* An open raw request: fd is the socket; the status and the first body bytes read
 * with the head are kept. */
struct hijack {
    int fd;
    int status;
    char *extra;      /* body bytes that came with the head */
    size_t nextra;
};

/* Sends METHOD PATH (versioned like http_request's) on a new connection; upgrade asks
 * for a hijack (Connection: Upgrade, Upgrade: tcp). With read_head the head is read
 * now (a status >= 400 is the daemon's error, with its message); without it, call
 * hijack_read_head later. */
int hijack_open(struct http_client *c, const char *method, const char *path, bool upgrade,
                bool read_head, struct hijack *h, dctl_error_t *err);
/* hijack_open with a JSON body (NULL: none), as POST /exec/{id}/start wants. */
int hijack_open_json(struct http_client *c, const char *method, const char *path,
                     const char *json, bool upgrade, bool read_head, struct hijack *h,
                     dctl_error_t *err);
/* Reads the answer's head (blocking). */
int hijack_read_head(struct hijack *h, dctl_error_t *err);
/* Reads the rest of the body (to the daemon's close) into a NUL-terminated buffer. */
char *hijack_read_body(struct hijack *h, size_t *len, dctl_error_t *err);
void hijack_close(struct hijack *h);

#endif
