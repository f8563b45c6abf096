/* api/router.c - route tables and matching, API version prefixes. */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/xmalloc.h"
#include "router.h"

struct router {
    const struct api_route **tables;
    size_t ntables;
};

struct router *
router_new(void)
{
    return xcalloc(1, sizeof(struct router));
}

void
router_free(struct router *r)
{
    if (r == NULL)
        return;
    free(r->tables);
    free(r);
}

void
router_add(struct router *r, const struct api_route *table)
{
    r->tables = xrealloc(r->tables, (r->ntables + 1) * sizeof *r->tables);
    r->tables[r->ntables++] = table;
}

unsigned int
api_method_parse(const char *s)
{
    static const struct { const char *name; unsigned int m; } methods[] = {
        { "GET", API_GET }, { "HEAD", API_HEAD }, { "POST", API_POST },
        { "PUT", API_PUT }, { "DELETE", API_DELETE },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(methods); i++)
        if (strcmp(s, methods[i].name) == 0)
            return methods[i].m;
    return 0;
}

int
api_version_parse(const char *s, unsigned int *v)
{
    unsigned long maj = 0, min = 0;
    const char *p = s;

    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p) && maj < 100000)
        maj = maj * 10 + (unsigned long)(*p++ - '0');
    if (*p++ != '.' || !isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p) && min < 100000)
        min = min * 10 + (unsigned long)(*p++ - '0');
    if (*p != '\0' || maj >= 100000 || min >= 1000)
        return -1;
    *v = API_VERSION((unsigned int)maj, (unsigned int)min);
    return 0;
}

enum api_prefix
api_path_split_version(const char *path, unsigned int *version, const char **rest, char *vstr,
                       size_t vlen)
{
    const char *end;
    size_t n;

    *rest = path;
    if (strncmp(path, "/v", 2) != 0 || !isdigit((unsigned char)path[2]))
        return API_PREFIX_NONE;
    end = strchr(path + 2, '/');
    if (end == NULL)
        end = path + strlen(path);
    n = (size_t)(end - (path + 2));
    /* Docker's pattern is /v{version:[0-9.]+}: anything else is a plain path */
    if (strspn(path + 2, "0123456789.") < n)
        return API_PREFIX_NONE;
    if (n + 1 > vlen)
        return API_PREFIX_MALFORMED;
    memcpy(vstr, path + 2, n);
    vstr[n] = '\0';
    *rest = *end ? end : "/";
    if (api_version_parse(vstr, version) < 0)
        return API_PREFIX_MALFORMED;
    if (*version > API_VERSION_MAX)
        return API_PREFIX_TOO_NEW;
    if (*version < API_VERSION_MIN)
        return API_PREFIX_TOO_OLD;
    return API_PREFIX_OK;
}

/* Splits "/a/b/c" into segments (pointers and lengths into s); -1 if too many. */
static int
router_split(const char *s, const char **seg, size_t *len, size_t max)
{
    size_t n = 0;

    while (*s == '/')
        s++;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);

        if (n == max)
            return -1;
        seg[n] = s;
        len[n++] = l;
        s += l;
        while (*s == '/')
            s++;
    }
    return (int)n;
}

#define ROUTER_MAX_SEGS 64

/* Matches pattern against the path's segments; fills m's params on success. */
static bool
router_match_pattern(const char *pattern, const char **pseg, const size_t *plen, int np,
                     struct router_match *m)
{
    const char *tseg[ROUTER_MAX_SEGS];
    size_t tlen[ROUTER_MAX_SEGS];
    int nt = router_split(pattern, tseg, tlen, ROUTER_MAX_SEGS), i, j;

    m->nparams = 0;
    for (i = 0, j = 0; i < nt; i++) {
        bool capture = tlen[i] >= 2 && tseg[i][0] == '{' && tseg[i][tlen[i] - 1] == '}';
        bool greedy = capture && tlen[i] >= 3 && tseg[i][tlen[i] - 2] == '*';

        if (greedy) {
            /* the remaining pattern segments match the path's tail */
            int tail = nt - i - 1, take = np - j - tail, k;

            if (take < 1)
                goto fail;
            for (k = 0; k < tail; k++) {
                const char *ts = tseg[i + 1 + k];
                size_t tl = tlen[i + 1 + k];
                int pj = j + take + k;
                bool cap = ts[0] == '{';

                if (!cap && (plen[pj] != tl || memcmp(pseg[pj], ts, tl) != 0))
                    goto fail;
            }
            if (m->nparams < API_MAX_PARAMS)
                m->params[m->nparams++] = xstrndup(
                    pseg[j], (size_t)(pseg[j + take - 1] + plen[j + take - 1] - pseg[j]));
            j += take;
            continue;
        }
        if (j >= np)
            goto fail;
        if (capture) {
            if (plen[j] == 0)
                goto fail;
            if (m->nparams < API_MAX_PARAMS)
                m->params[m->nparams++] = xstrndup(pseg[j], plen[j]);
        } else if (plen[j] != tlen[i] || memcmp(pseg[j], tseg[i], tlen[i]) != 0) {
            goto fail;
        }
        j++;
    }
    if (j == np)
        return true;
fail:
    router_match_fini(m);
    return false;
}

enum router_result
router_lookup(const struct router *r, unsigned int method, const char *path,
              struct router_match *m)
{
    const char *pseg[ROUTER_MAX_SEGS];
    size_t plen[ROUTER_MAX_SEGS];
    const struct api_route *head_fallback = NULL;
    bool path_known = false;
    int np;
    size_t t;

    memset(m, 0, sizeof *m);
    np = router_split(path, pseg, plen, ROUTER_MAX_SEGS);
    if (np < 0)
        return ROUTER_NOT_FOUND;
    for (t = 0; t < r->ntables; t++) {
        const struct api_route *rt;

        for (rt = r->tables[t]; rt->pattern; rt++) {
            if (!router_match_pattern(rt->pattern, pseg, plen, np, m))
                continue;
            path_known = true;
            if (rt->method == method) {
                m->route = rt;
                return ROUTER_OK;
            }
            if (method == API_HEAD && rt->method == API_GET && head_fallback == NULL)
                head_fallback = rt;
            router_match_fini(m);
        }
    }
    if (head_fallback) {
        router_match_pattern(head_fallback->pattern, pseg, plen, np, m);
        m->route = head_fallback;
        return ROUTER_OK;
    }
    return path_known ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}

void
router_match_fini(struct router_match *m)
{
    size_t i;

    for (i = 0; i < m->nparams; i++) {
        free(m->params[i]);
        m->params[i] = NULL;
    }
    m->nparams = 0;
}
