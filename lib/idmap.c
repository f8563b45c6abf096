/* lib/idmap.c - user namespace ID maps (see idmap.h). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "util.h"
#include "xmalloc.h"

/* A whole decimal number that fits 32 bits. */
static bool
idmap_parse_u32(const char *s, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 10)
        return false;
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool
idmap_field_is(const char *f, size_t len, const char *s)
{
    return strlen(s) == len && memcmp(f, s, len) == 0;
}

int
idmap_subid_parse(const char *text, const char *what, const char *name, uint32_t id,
                  struct idmap_range *out, size_t max, size_t *n, dctl_error_t *err)
{
    const char *line = text ? text : "", *next;
    char idtext[16];
    unsigned int lineno = 0;

    snprintf(idtext, sizeof idtext, "%u", (unsigned int)id);
    *n = 0;
    for (; *line; line = next) {
        const char *end = strchr(line, '\n'), *c1, *c2;
        size_t len;
        uint32_t start, count;

        next = end ? end + 1 : line + strlen(line);
        len = (size_t)((end ? end : next) - line);
        lineno++;
        while (len > 0 && isspace((unsigned char)*line)) {
            line++;
            len--;
        }
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            len--;
        if (len == 0 || *line == '#')
            continue;
        c1 = memchr(line, ':', len);
        c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
        if (c1 == NULL || c2 == NULL || c1 == line ||
            !idmap_parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &start) ||
            !idmap_parse_u32(c2 + 1, len - (size_t)(c2 + 1 - line), &count))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Cannot parse subuid/gid information: Format not correct for "
                                  "%s file (line %u)", what, lineno);
        if (name && !idmap_field_is(line, (size_t)(c1 - line), name) &&
            !idmap_field_is(line, (size_t)(c1 - line), idtext))
            continue;
        if (count == 0)
            continue;
        if (*n == max)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "%s: more than %zu ranges for %s", what, max,
                                  name ? name : "all users");
        out[*n].inside = 0;
        out[*n].outside = start;
        out[*n].count = count;
        (*n)++;
    }
    return 0;
}

static int
idmap_by_outside(const void *a, const void *b)
{
    const struct idmap_range *x = a, *y = b;

    return x->outside < y->outside ? -1 : x->outside > y->outside;
}

int
idmap_build(const struct idmap_range *in, size_t n, struct idmap_range *out, dctl_error_t *err)
{
    uint64_t next = 0;
    size_t i;

    if (out != in)
        memmove(out, in, n * sizeof *out);
    qsort(out, n, sizeof *out, idmap_by_outside);
    for (i = 0; i < n; i++) {
        if ((uint64_t)out[i].outside + out[i].count > (uint64_t)UINT32_MAX + 1)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "subordinate range %u-%llu goes past the last ID",
                                  (unsigned int)out[i].outside,
                                  (unsigned long long)out[i].outside + out[i].count - 1);
        if (i > 0 && (uint64_t)out[i - 1].outside + out[i - 1].count > out[i].outside)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "subordinate ranges overlap at host ID %u",
                                  (unsigned int)out[i].outside);
        if (next + out[i].count > (uint64_t)UINT32_MAX + 1)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "subordinate ranges hold more than 2^32 IDs");
        out[i].inside = (uint32_t)next;
        next += out[i].count;
    }
    return 0;
}

bool
idmap_map(const struct idmap_range *v, size_t n, enum idmap_dir dir, uint32_t id, uint32_t *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint32_t from = dir == IDMAP_TO_HOST ? v[i].inside : v[i].outside;
        uint32_t to = dir == IDMAP_TO_HOST ? v[i].outside : v[i].inside;

        if (id >= from && (uint64_t)id < (uint64_t)from + v[i].count) {
            *out = to + (id - from);
            return true;
        }
    }
    return false;
}

bool
idmap_root(const struct idmap *m, uint32_t *uid, uint32_t *gid)
{
    return idmap_map(m->uid, m->nuid, IDMAP_TO_HOST, 0, uid) &&
           idmap_map(m->gid, m->ngid, IDMAP_TO_HOST, 0, gid);
}

int
idmap_next_free(const struct idmap_range *used, size_t n, uint32_t from, uint32_t count,
                uint32_t *start, dctl_error_t *err)
{
    cleanup_free struct idmap_range *v = xmalloc((n ? n : 1) * sizeof *v);
    uint64_t s = from;
    size_t i;

    memcpy(v, used, n * sizeof *v);
    qsort(v, n, sizeof *v, idmap_by_outside);
    /* sorted by start: moving past one range can only meet later ones */
    for (i = 0; i < n; i++) {
        uint64_t lo = v[i].outside, hi = lo + v[i].count;

        if (s < hi && lo < s + count)
            s = hi;
    }
    if (s + count > (uint64_t)UINT32_MAX + 1)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "no free range of %u subordinate IDs at or above %u",
                              (unsigned int)count, (unsigned int)from);
    *start = (uint32_t)s;
    return 0;
}
