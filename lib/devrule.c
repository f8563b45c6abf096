/* lib/devrule.c - device cgroup rules (see devrule.h). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devrule.h"

/* "[0-9]+" or "*" up to the delimiter; the position after it, or NULL */
static const char *
devrule_number(const char *p, char delim, int64_t *out)
{
    char *end;

    if (*p == '*') {
        *out = -1;
        p++;
    } else {
        if (!isdigit((unsigned char)*p))
            return NULL;
        errno = 0;
        *out = (int64_t)strtoll(p, &end, 10);
        if (errno)
            return NULL;
        p = end;
    }
    return *p == delim ? p + 1 : NULL;
}

int
devrule_parse(const char *rule, struct devrule *out)
{
    const char *p = rule;
    size_t n;

    if (rule == NULL || (p[0] != 'a' && p[0] != 'b' && p[0] != 'c') || p[1] != ' ')
        return -1;
    out->type = p[0];
    p = devrule_number(p + 2, ':', &out->major);
    if (p == NULL || (p = devrule_number(p, ' ', &out->minor)) == NULL)
        return -1;
    n = strlen(p);
    if (n < 1 || n > 3 || strspn(p, "rwm") != n)
        return -1;
    memcpy(out->access, p, n + 1);
    return 0;
}

bool
devrule_mode_is_valid(const char *mode)
{
    bool seen[3] = { false, false, false };
    const char *p;

    if (mode == NULL || *mode == '\0')
        return false;
    for (p = mode; *p; p++) {
        int i = *p == 'r' ? 0 : *p == 'w' ? 1 : *p == 'm' ? 2 : -1;

        if (i < 0 || seen[i])
            return false;
        seen[i] = true;
    }
    return true;
}
