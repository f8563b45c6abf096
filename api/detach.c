/* api/detach.c - detach keys (see detach.h). */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "detach.h"

int
api_detach_parse(const char *spec, struct api_detach *d, dctl_error_t *err)
{
    const char *k = spec && *spec ? spec : "ctrl-p,ctrl-q";

    memset(d, 0, sizeof *d);
    for (;;) {   /* comma-separated, as term.ToBytes: an empty key is an error too */
        size_t len = strcspn(k, ",");
        unsigned char c;

        if (d->n == API_DETACH_MAX)
            goto bad;
        if (len == 1) {
            c = (unsigned char)k[0];
        } else if (len == 6 && strncmp(k, "ctrl-", 5) == 0) {
            char ch = (char)tolower((unsigned char)k[5]);

            if (ch >= 'a' && ch <= 'z')
                c = (unsigned char)(ch - 'a' + 1);
            else if (ch == '@')
                c = 0;
            else if (ch == '[' || ch == '\\' || ch == ']' || ch == '^' || ch == '_')
                c = (unsigned char)(ch - '@');
            else
                goto bad;
        } else {
            goto bad;
        }
        d->keys[d->n++] = c;
        if (k[len] == '\0')
            return 0;
        k += len + 1;
    }
bad:
    memset(d, 0, sizeof *d);
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "Invalid detach keys (%s) provided", spec);
}

bool
api_detach_feed(struct api_detach *d, const unsigned char *data, size_t len,
                api_detach_out_cb out, void *arg)
{
    size_t i, start = 0;

    for (i = 0; i < len; i++) {
        if (d->n && data[i] == d->keys[d->matched]) {
            if (i > start)
                out(arg, data + start, i - start);
            start = i + 1;
            if (++d->matched == d->n) {
                d->matched = 0;
                return true;
            }
            continue;
        }
        if (d->matched) { /* a prefix that did not complete: it was input */
            out(arg, d->keys, d->matched);
            d->matched = 0;
            if (d->n && data[i] == d->keys[0]) {
                if (i > start)
                    out(arg, data + start, i - start);
                start = i + 1;
                d->matched = 1;
                if (d->n == 1) {
                    d->matched = 0;
                    return true;
                }
                continue;
            }
        }
    }
    if (len > start)
        out(arg, data + start, len - start);
    return false;
}
