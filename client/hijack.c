/* client/hijack.c - raw requests on their own socket (attach, wait, logs) and the
 * decoder of Docker's 8-byte stream framing. */
#include <config.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/hijack.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define HIJACK_HEAD_MAX 16384

static int
hijack_connect(struct http_client *c, dctl_error_t *err)
{
    struct http_endpoint ep = { 0 };
    int fd = -1;

    if (http_endpoint_parse(http_client_host(c), &ep, err) < 0)
        return -1;
    if (ep.transport == HTTP_UNIX) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ep.socket_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            close(fd);
            fd = -1;
        }
    } else {
        /* base_url is "http://HOST:PORT" */
        cleanup_free char *hp = xstrdup(ep.base_url + strlen("http://"));
        char *colon = strrchr(hp, ':');
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;

        if (colon)
            *colon++ = '\0';
        if (getaddrinfo(hp, colon ? colon : "2375", &hints, &res) == 0) {
            for (ai = res; ai && fd < 0; ai = ai->ai_next) {
                fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
                if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                    close(fd);
                    fd = -1;
                }
            }
            freeaddrinfo(res);
        }
    }
    http_endpoint_fini(&ep);
    if (fd < 0)
        dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno,
                       "Cannot connect to the dctl daemon at %s. Is dctld running?",
                       http_client_host(c));
    return fd;
}

static int
hijack_write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int
hijack_open(struct http_client *c, const char *method, const char *path, bool upgrade,
            bool read_head, struct hijack *h, dctl_error_t *err)
{
    return hijack_open_json(c, method, path, NULL, upgrade, read_head, h, err);
}

int
hijack_open_json(struct http_client *c, const char *method, const char *path, const char *json,
                 bool upgrade, bool read_head, struct hijack *h, dctl_error_t *err)
{
    cleanup_free char *req = NULL;

    memset(h, 0, sizeof *h);
    h->fd = -1;
    if (http_client_negotiate(c, err) < 0)
        return -1;
    h->fd = hijack_connect(c, err);
    if (h->fd < 0)
        return -1;
    req = xasprintf("%s /v%s%s HTTP/%s\r\nHost: docker\r\nUser-Agent: dctl/" PACKAGE_VERSION
                    "\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n%s",
                    method, http_client_api_version(c), path, upgrade ? "1.1" : "1.0",
                    json ? "application/json" : "text/plain", json ? strlen(json) : 0,
                    upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "", json ? json : "");
    if (hijack_write_all(h->fd, req, strlen(req)) < 0) {
        int e = errno;

        hijack_close(h);
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, e, "send to the daemon");
    }
    return read_head ? hijack_read_head(h, err) : 0;
}

int
hijack_read_head(struct hijack *h, dctl_error_t *err)
{
    char buf[HIJACK_HEAD_MAX + 1];
    size_t len = 0;
    char *end = NULL;

    while (len < HIJACK_HEAD_MAX) {
        ssize_t n = read(h->fd, buf + len, HIJACK_HEAD_MAX - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if ((end = strstr(buf, "\r\n\r\n")) != NULL)
            break;
    }
    if (end == NULL)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                              "the daemon closed the connection without an answer");
    if (sscanf(buf, "HTTP/%*d.%*d %d", &h->status) != 1)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "bad answer from the daemon");
    end += 4;
    h->nextra = len - (size_t)(end - buf);
    h->extra = xmalloc(h->nextra + 1);
    memcpy(h->extra, end, h->nextra);
    h->extra[h->nextra] = '\0';
    if (h->status >= 400) {
        cleanup_free char *body = hijack_read_body(h, NULL, NULL);
        struct http_response resp = { .status = h->status, .body = body,
                                      .len = body ? strlen(body) : 0 };

        return http_response_error(&resp, err);
    }
    return 0;
}

char *
hijack_read_body(struct hijack *h, size_t *lenp, dctl_error_t *err)
{
    size_t len = h->nextra, cap = h->nextra + 4096;
    char *buf = xmalloc(cap);

    memcpy(buf, h->extra, h->nextra);
    for (;;) {
        ssize_t n;

        if (cap - len < 4096)
            buf = xrealloc(buf, cap *= 2);
        n = read(h->fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            dctl_error_set(err, DCTL_ERR_UNAVAILABLE, errno, "read from the daemon");
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (lenp)
        *lenp = len;
    return buf;
}

void
hijack_close(struct hijack *h)
{
    if (h->fd >= 0)
        close(h->fd);
    free(h->extra);
    memset(h, 0, sizeof *h);
    h->fd = -1;
}

