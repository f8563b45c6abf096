/* client/http.c - dctl's HTTP client over libcurl easy handles: host parsing,
 * API version negotiation, plain requests and line-by-line streaming. Owns the
 * curl handle of each struct http_client. */
#include <config.h>

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "client/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define HTTP_CONNECT_TIMEOUT 10L /* seconds; only the connection, never a stream */
#define HTTP_ERROR_BODY_MAX (1024 * 1024)

struct http_client {
    char *host;
    struct http_endpoint ep;
    CURL *curl;
    char *version; /* negotiated; NULL until http_client_negotiate */
    bool debug;
};

/* One transfer: the body gathered whole, or cut into lines for line_cb. */
struct http_xfer {
    CURL *curl;
    char *buf;
    size_t len, cap;
    http_line_cb line_cb;
    void *arg;
    bool stopped;    /* line_cb asked to stop */
    char *api_version;
    bool upload, download;
    int upload_fd;   /* upload: the request body, read to its end (chunked) */
    const char *upload_type;
    int download_fd; /* download: a 2xx body goes here as it arrives */
    int io_errno;    /* what failed on upload_fd or download_fd */
};

static const char http_host_hint[] = "use unix:///PATH or tcp://HOST:PORT";

void
http_endpoint_fini(struct http_endpoint *ep)
{
    free(ep->socket_path);
    free(ep->base_url);
    memset(ep, 0, sizeof *ep);
}

static int
http_port_parse(const char *s, unsigned int *port)
{
    long long v;

    if (*s == '\0' || !isdigit((unsigned char)*s) || util_parse_int64(s, &v) < 0 || v < 1 ||
        v > 65535)
        return -1;
    *port = (unsigned int)v;
    return 0;
}

int
http_endpoint_parse(const char *host, struct http_endpoint *out, dctl_error_t *err)
{
    cleanup_free char *hostpart = NULL;
    const char *rest, *portstr = NULL, *slash;
    unsigned int port = HTTP_DEFAULT_TCP_PORT;

    memset(out, 0, sizeof *out);
    if (util_has_prefix(host, "unix://")) {
        rest = host + strlen("unix://");
        if (*rest == '\0')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid host \"%s\": no socket "
                                  "path; %s", host, http_host_hint);
        out->transport = HTTP_UNIX;
        out->socket_path = xstrdup(rest);
        out->base_url = xstrdup("http://localhost");
        return 0;
    }
    if (!util_has_prefix(host, "tcp://"))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid host \"%s\": %s", host,
                              http_host_hint);
    rest = host + strlen("tcp://");
    slash = strchr(rest, '/');
    if (slash != NULL && slash[1] != '\0')
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid host \"%s\": a path is not supported; %s", host,
                              http_host_hint);
    hostpart = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
    if (hostpart[0] == '[') {
        char *close = strchr(hostpart, ']');

        if (close == NULL || close == hostpart + 1 || (close[1] != '\0' && close[1] != ':'))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid host \"%s\": %s", host,
                                  http_host_hint);
        if (close[1] == ':')
            portstr = close + 2;
        close[1] = '\0';
    } else {
        char *colon = strchr(hostpart, ':');

        if (colon != NULL) {
            if (strchr(colon + 1, ':') != NULL)
                return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid host \"%s\": put an "
                                      "IPv6 address in brackets; %s", host, http_host_hint);
            *colon = '\0';
            portstr = colon + 1;
        }
    }
    if (portstr != NULL && http_port_parse(portstr, &port) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid host \"%s\": bad port \"%s\"",
                              host, portstr);
    out->transport = HTTP_TCP;
    out->base_url = xasprintf("http://%s:%u", hostpart[0] ? hostpart : "127.0.0.1", port);
    return 0;
}

static int
http_version_part(const char **s, long *out)
{
    char *end;

    if (!isdigit((unsigned char)**s))
        return -1;
    *out = strtol(*s, &end, 10);
    *s = end;
    return 0;
}

int
http_version_compare(const char *a, const char *b)
{
    long amaj = 0, amin = 0, bmaj = 0, bmin = 0;
    bool aok, bok;

    aok = http_version_part(&a, &amaj) == 0 && *a++ == '.' && http_version_part(&a, &amin) == 0 &&
          *a == '\0';
    bok = http_version_part(&b, &bmaj) == 0 && *b++ == '.' && http_version_part(&b, &bmin) == 0 &&
          *b == '\0';
    if (!aok || !bok)
        return (int)aok - (int)bok;
    if (amaj != bmaj)
        return amaj < bmaj ? -1 : 1;
    if (amin != bmin)
        return amin < bmin ? -1 : 1;
    return 0;
}

struct http_client *
http_client_new(const char *host, dctl_error_t *err)
{
    static bool curl_ready;
    struct http_client *c = xcalloc(1, sizeof *c);

    if (http_endpoint_parse(host, &c->ep, err) < 0) {
        free(c);
        return NULL;
    }
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            http_endpoint_fini(&c->ep);
            free(c);
            dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "libcurl initialisation failed");
            return NULL;
        }
        curl_ready = true;
    }
    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        http_endpoint_fini(&c->ep);
        free(c);
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "libcurl: cannot create a handle");
        return NULL;
    }
    c->host = xstrdup(host);
    return c;
}

void
http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    http_endpoint_fini(&c->ep);
    free(c->host);
    free(c->version);
    free(c);
}

const char *
http_client_host(const struct http_client *c)
{
    return c->host;
}

void
http_client_set_debug(struct http_client *c, bool debug)
{
    c->debug = debug;
}

const char *
http_client_api_version(const struct http_client *c)
{
    return c->version ? c->version : HTTP_API_VERSION;
}

void
http_response_fini(struct http_response *resp)
{
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

static void
http_xfer_append(struct http_xfer *x, const char *data, size_t n)
{
    if (x->len + n + 1 > x->cap) {
        x->cap = (x->len + n + 1) * 2;
        x->buf = xrealloc(x->buf, x->cap);
    }
    memcpy(x->buf + x->len, data, n);
    x->len += n;
    x->buf[x->len] = '\0';
}

/* Hands every complete line in the buffer to line_cb and keeps the rest. */
static void
http_xfer_lines(struct http_xfer *x, bool final)
{
    size_t start = 0;
    char *nl;

    while (!x->stopped && start < x->len) {
        size_t n;

        nl = memchr(x->buf + start, '\n', x->len - start);
        if (nl == NULL && !final)
            break;
        n = nl ? (size_t)(nl - (x->buf + start)) : x->len - start;
        if (n > 0 && x->buf[start + n - 1] == '\r')
            n--;
        if (n > 0 && x->line_cb(x->buf + start, n, x->arg) < 0)
            x->stopped = true;
        start = nl ? (size_t)(nl - x->buf) + 1 : x->len;
    }
    memmove(x->buf, x->buf + start, x->len - start);
    x->len -= start;
    if (x->buf)
        x->buf[x->len] = '\0';
}

static size_t
http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_xfer *x = arg;
    size_t n = size * nmemb;
    long status = 0;

    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
    if (x->download && status < 400) {
        const char *p = data;
        size_t left = n;

        while (left > 0) {
            ssize_t w = write(x->download_fd, p, left);

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                x->io_errno = errno;
                return 0;
            }
            p += w;
            left -= (size_t)w;
        }
        return n;
    }
    if (x->line_cb != NULL && status < 400) {
        http_xfer_append(x, data, n);
        http_xfer_lines(x, false);
        return x->stopped ? 0 : n; /* 0 makes curl stop with CURLE_WRITE_ERROR */
    }
    if (x->line_cb != NULL && x->len + n > HTTP_ERROR_BODY_MAX)
        return n; /* an error body only needs its start */
    http_xfer_append(x, data, n);
    return n;
}

static size_t
http_read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
    struct http_xfer *x = arg;

    for (;;) {
        ssize_t r = read(x->upload_fd, buf, size * nmemb);

        if (r >= 0)
            return (size_t)r;
        if (errno != EINTR) {
            x->io_errno = errno;
            return CURL_READFUNC_ABORT;
        }
    }
}

static size_t
http_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_xfer *x = arg;
    size_t n = size * nmemb;
    static const char name[] = "API-Version:";

    if (n > strlen(name) && strncasecmp(data, name, strlen(name)) == 0) {
        const char *v = data + strlen(name);
        size_t vlen;

        while (v < data + n && (*v == ' ' || *v == '\t'))
            v++;
        vlen = (size_t)(data + n - v);
        while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
            vlen--;
        free(x->api_version);
        x->api_version = xstrndup(v, vlen);
    }
    return n;
}

static bool
http_is_connect_error(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_UNSUPPORTED_PROTOCOL;
}

static int
http_perform(struct http_client *c, const char *method, const char *path, const char *body,
             struct http_xfer *x, long *status, dctl_error_t *err)
{
    cleanup_free char *url = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    CURLcode rc;

    if (strcmp(path, "/_ping") == 0 || c->version == NULL)
        url = xasprintf("%s%s", c->ep.base_url, path);
    else
        url = xasprintf("%s/v%s%s", c->ep.base_url, c->version, path);
    curl_easy_reset(c->curl);
    x->curl = c->curl;
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    if (c->ep.transport == HTTP_UNIX)
        curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH, c->ep.socket_path);
    /* the daemon is local or named by -H: never through a proxy from the environment */
    curl_easy_setopt(c->curl, CURLOPT_PROXY, "");
    curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
    curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "dctl/" PACKAGE_VERSION);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, http_header_cb);
    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, x);
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
    if (x->upload) {
        cleanup_free char *ctype = xasprintf("Content-Type: %s", x->upload_type);
        struct stat st;

        headers = curl_slist_append(headers, ctype);
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, http_read_cb);
        curl_easy_setopt(c->curl, CURLOPT_READDATA, x);
        if (fstat(x->upload_fd, &st) == 0 && S_ISREG(st.st_mode) &&
            lseek(x->upload_fd, 0, SEEK_CUR) == 0)
            curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st.st_size);
        else /* a pipe: as much as comes, chunked */
            headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
    } else if (body != NULL) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
    rc = curl_easy_perform(c->curl);
    curl_slist_free_all(headers);
    *status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    if (rc == CURLE_WRITE_ERROR && x->stopped)
        rc = CURLE_OK;
    if (x->io_errno && (rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK ||
                        rc == CURLE_READ_ERROR))
        return dctl_error_set(err, DCTL_ERR_INTERNAL, x->io_errno, "%s",
                              rc == CURLE_WRITE_ERROR ? "write the output" : "read the input");
    if (rc != CURLE_OK) {
        if (http_is_connect_error(rc) && *status == 0)
            return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                                  "Cannot connect to the dctl daemon at %s. Is dctld running?",
                                  c->host);
        if (*status == 0)
            return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0,
                                  "error during connect: %s %s: %s", method, url,
                                  errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "error reading from daemon: %s",
                              errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    if (c->debug)
        log_debug("%s %s -> %ld", method, url, *status);
    return 0;
}

static void
http_xfer_fini(struct http_xfer *x)
{
    free(x->buf);
    free(x->api_version);
}

int
http_client_negotiate(struct http_client *c, dctl_error_t *err)
{
    struct http_xfer x = { 0 };
    long status;
    const char *v;

    if (c->version != NULL)
        return 0;
    if (http_perform(c, "GET", "/_ping", NULL, &x, &status, err) < 0) {
        http_xfer_fini(&x);
        return -1;
    }
    v = x.api_version;
    if (v == NULL || http_version_compare(v, HTTP_API_VERSION_FALLBACK) < 0)
        v = HTTP_API_VERSION_FALLBACK; /* older than headers, or malformed */
    if (http_version_compare(v, HTTP_API_VERSION) > 0)
        v = HTTP_API_VERSION;
    c->version = xstrdup(v);
    http_xfer_fini(&x);
    return 0;
}

int
http_request(struct http_client *c, const char *method, const char *path, const char *body,
             struct http_response *resp, dctl_error_t *err)
{
    struct http_xfer x = { 0 };

    memset(resp, 0, sizeof *resp);
    if (http_client_negotiate(c, err) < 0)
        return -1;
    if (http_perform(c, method, path, body, &x, &resp->status, err) < 0) {
        http_xfer_fini(&x);
        return -1;
    }
    resp->body = x.buf ? steal_ptr(&x.buf) : xstrdup("");
    resp->len = x.len;
    http_xfer_fini(&x);
    return 0;
}

static enum dctl_error_kind
http_status_kind(long status)
{
    switch (status) {
    case 304:
        return DCTL_ERR_NOT_MODIFIED;
    case 400:
        return DCTL_ERR_INVALID;
    case 403:
        return DCTL_ERR_FORBIDDEN;
    case 404:
        return DCTL_ERR_NOT_FOUND;
    case 409:
        return DCTL_ERR_CONFLICT;
    case 413:
        return DCTL_ERR_TOO_LARGE;
    case 501:
        return DCTL_ERR_NOT_IMPLEMENTED;
    case 503:
        return DCTL_ERR_UNAVAILABLE;
    default:
        return DCTL_ERR_INTERNAL;
    }
}

int
http_response_error(const struct http_response *resp, dctl_error_t *err)
{
    cleanup_json struct json_object *o = NULL;
    dctl_error_t perr = NULL;
    const char *msg = NULL;
    cleanup_free char *trimmed = NULL;
    size_t n = resp->len;

    if (resp->body != NULL && n > 0) {
        o = json_parse(resp->body, n, "error body", &perr);
        dctl_error_free(perr);
        if (o != NULL && json_object_is_type(o, json_type_object))
            msg = json_get_string(o, "message");
        if (msg == NULL) {
            while (n > 0 && isspace((unsigned char)resp->body[n - 1]))
                n--;
            trimmed = xstrndup(resp->body, n);
            msg = trimmed;
        }
    }
    if (msg == NULL || *msg == '\0')
        return dctl_error_set(err, http_status_kind(resp->status), 0,
                              "Error response from daemon: status %ld with an empty body",
                              resp->status);
    return dctl_error_set(err, http_status_kind(resp->status), 0,
                          "Error response from daemon: %s", msg);
}

int
http_get_json(struct http_client *c, const char *path, struct json_object **out,
              dctl_error_t *err)
{
    struct http_response resp;
    struct json_object *o;

    if (http_request(c, "GET", path, NULL, &resp, err) < 0)
        return -1;
    if (resp.status >= 400) {
        http_response_error(&resp, err);
        http_response_fini(&resp);
        return -1;
    }
    o = json_parse_object(resp.body, resp.len, path, err);
    http_response_fini(&resp);
    if (o == NULL)
        return dctl_error_prefix(err, "unexpected answer from daemon");
    *out = o;
    return 0;
}

int
http_upload(struct http_client *c, const char *method, const char *path, int fd,
            const char *content_type, struct http_response *resp, dctl_error_t *err)
{
    struct http_xfer x = { .upload = true, .upload_fd = fd, .upload_type = content_type };

    memset(resp, 0, sizeof *resp);
    if (http_client_negotiate(c, err) < 0)
        return -1;
    if (http_perform(c, method, path, NULL, &x, &resp->status, err) < 0) {
        http_xfer_fini(&x);
        return -1;
    }
    resp->body = x.buf ? steal_ptr(&x.buf) : xstrdup("");
    resp->len = x.len;
    http_xfer_fini(&x);
    return 0;
}

/* Ends a transfer whose body did not go to a callback or fd: an error status. */
static int
http_stream_status(struct http_xfer *x, long status, dctl_error_t *err)
{
    if (status >= 400) {
        struct http_response resp = { .status = status, .body = x->buf, .len = x->len };

        http_response_error(&resp, err);
        http_xfer_fini(x);
        return -1;
    }
    return 0;
}

int
http_stream_lines(struct http_client *c, const char *path, http_line_cb cb, void *arg,
                  dctl_error_t *err)
{
    struct http_xfer x = { .line_cb = cb, .arg = arg };
    long status;

    if (http_client_negotiate(c, err) < 0)
        return -1;
    if (http_perform(c, "GET", path, NULL, &x, &status, err) < 0) {
        http_xfer_fini(&x);
        return -1;
    }
    if (http_stream_status(&x, status, err) < 0)
        return -1;
    http_xfer_lines(&x, true); /* a last line without its newline */
    http_xfer_fini(&x);
    return 0;
}

int
http_post_stream(struct http_client *c, const char *path, int in_fd, const char *content_type,
                 http_line_cb cb, void *arg, dctl_error_t *err)
{
    struct http_xfer x = { .line_cb = cb, .arg = arg, .upload = true, .upload_fd = in_fd,
                           .upload_type = content_type };
    long status;

    assert(in_fd >= 0);
    if (http_client_negotiate(c, err) < 0)
        return -1;
    if (http_perform(c, "POST", path, NULL, &x, &status, err) < 0) {
        http_xfer_fini(&x);
        return -1;
    }
    if (http_stream_status(&x, status, err) < 0)
        return -1;
    http_xfer_lines(&x, true);
    http_xfer_fini(&x);
    return 0;
}

int
http_download(struct http_client *c, const char *path, int out_fd, dctl_error_t *err)
{
    struct http_xfer x = { .download = true, .download_fd = out_fd };
    long status;

    assert(out_fd >= 0);
    if (http_client_negotiate(c, err) < 0)
        return -1;
    if (http_perform(c, "GET", path, NULL, &x, &status, err) < 0) {
        http_xfer_fini(&x);
        return -1;
    }
    if (http_stream_status(&x, status, err) < 0)
        return -1;
    http_xfer_fini(&x);
    return 0;
}

char *
http_query_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = '\0';
    return out;
}
