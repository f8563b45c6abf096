/* api/filters.c - Docker's `filters` query parameter: parsing both wire forms,
 * validation against an endpoint's keys, and the matchers dockerd uses
 * (ExactMatch, FuzzyMatch, MatchKVList, GetBoolOrDefault). Owns nothing but
 * its own copies of keys and values. */
#include <config.h>

#include <string.h>

#include "filters.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* One key and its set. `on` mirrors dockerd's map[string]bool: a value given as
 * false ({"v":false}) is listed but never matches. */
struct filters_key {
    char *name;
    char **values;   /* NULL-terminated */
    bool *on;
    size_t n;
};

struct filters {
    struct filters_key *keys;
    size_t n;
};

struct filters *
filters_new(void)
{
    return xcalloc(1, sizeof(struct filters));
}

void
filters_free(struct filters *f)
{
    size_t i, j;

    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++) {
        for (j = 0; j < f->keys[i].n; j++)
            free(f->keys[i].values[j]);
        free(f->keys[i].values);
        free(f->keys[i].on);
        free(f->keys[i].name);
    }
    free(f->keys);
    free(f);
}

static struct filters_key *
filters_find(const struct filters *f, const char *key)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->keys[i].name, key) == 0)
            return &f->keys[i];
    return NULL;
}

static struct filters_key *
filters_key_get(struct filters *f, const char *key)
{
    struct filters_key *k = filters_find(f, key);

    if (k)
        return k;
    f->keys = xrealloc(f->keys, (f->n + 1) * sizeof *f->keys);
    k = &f->keys[f->n++];
    k->name = xstrdup(key);
    k->values = xcalloc(1, sizeof *k->values);
    k->on = NULL;
    k->n = 0;
    return k;
}

static void
filters_key_add(struct filters_key *k, const char *value, bool on)
{
    size_t i;

    for (i = 0; i < k->n; i++) {
        if (strcmp(k->values[i], value) == 0) {
            k->on[i] = on;
            return;
        }
    }
    k->values = xrealloc(k->values, (k->n + 2) * sizeof *k->values);
    k->on = xrealloc(k->on, (k->n + 1) * sizeof *k->on);
    k->values[k->n] = xstrdup(value);
    k->on[k->n] = on;
    k->n++;
    k->values[k->n] = NULL;
}

void
filters_add(struct filters *f, const char *key, const char *value)
{
    filters_key_add(filters_key_get(f, key), value, true);
}

/* dockerd's form: every member is null or an object of bools (or nulls). */
static bool
filters_is_set_form(struct json_object *top)
{
    json_object_object_foreach(top, key, val) {
        (void)key;
        if (val == NULL)
            continue;
        if (!json_object_is_type(val, json_type_object))
            return false;
        json_object_object_foreach(val, v, b) {
            (void)v;
            if (b != NULL && !json_object_is_type(b, json_type_boolean))
                return false;
        }
    }
    return true;
}

/* The legacy form: every member is null or an array of strings (or nulls). */
static bool
filters_is_list_form(struct json_object *top)
{
    json_object_object_foreach(top, key, val) {
        size_t i, n;

        (void)key;
        if (val == NULL)
            continue;
        if (!json_object_is_type(val, json_type_array))
            return false;
        n = json_object_array_length(val);
        for (i = 0; i < n; i++) {
            struct json_object *s = json_object_array_get_idx(val, i);
            if (s != NULL && !json_object_is_type(s, json_type_string))
                return false;
        }
    }
    return true;
}

struct filters *
filters_parse(const char *text, dctl_error_t *err)
{
    cleanup_json struct json_object *top = NULL;
    struct filters *f;
    dctl_error_t perr = NULL;

    f = filters_new();
    /* empty, or JSON null (which json-c parses to NULL): no filters */
    text = text ? text + strspn(text, " \t\r\n") : "";
    if (*text == '\0' ||
        (util_has_prefix(text, "null") && text[4 + strspn(text + 4, " \t\r\n")] == '\0'))
        return f;
    top = json_parse(text, strlen(text), "filters", &perr);
    if (top == NULL) {
        cleanup_free char *why = dctl_error_text(perr);

        log_debug("%s: %s", __func__, why);
        dctl_error_free(perr);
        goto invalid;
    }
    if (!json_object_is_type(top, json_type_object))
        goto invalid;
    if (filters_is_set_form(top)) {
        json_object_object_foreach(top, key, val) {
            struct filters_key *k = filters_key_get(f, key);

            if (val == NULL)
                continue;
            json_object_object_foreach(val, v, b) {
                filters_key_add(k, v, b != NULL && json_object_get_boolean(b));
            }
        }
        return f;
    }
    if (filters_is_list_form(top)) {
        json_object_object_foreach(top, key, val) {
            struct filters_key *k = filters_key_get(f, key);
            size_t i, n;

            if (val == NULL)
                continue;
            n = json_object_array_length(val);
            for (i = 0; i < n; i++) {
                struct json_object *s = json_object_array_get_idx(val, i);
                filters_key_add(k, s ? json_object_get_string(s) : "", true);
            }
        }
        return f;
    }
invalid:
    /* dockerd's words, whatever the fault */
    filters_free(f);
    dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid filter");
    return NULL;
}

int
filters_validate(const struct filters *f, const char *const *accepted, dctl_error_t *err)
{
    size_t i, j;

    for (i = 0; i < f->n; i++) {
        bool found = false;

        for (j = 0; accepted[j]; j++) {
            if (strcmp(accepted[j], f->keys[i].name) == 0) {
                found = true;
                break;
            }
        }
        if (!found)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid filter '%s'",
                                  f->keys[i].name);
    }
    return 0;
}

size_t
filters_len(const struct filters *f)
{
    return f->n;
}

bool
filters_contains(const struct filters *f, const char *key)
{
    return filters_find(f, key) != NULL;
}

const char *const *
filters_get(const struct filters *f, const char *key, size_t *n)
{
    struct filters_key *k = filters_find(f, key);

    *n = k ? k->n : 0;
    return k ? (const char *const *)k->values : NULL;
}

bool
filters_match_exact(const struct filters *f, const char *key, const char *value)
{
    struct filters_key *k = filters_find(f, key);
    size_t i;

    if (k == NULL || k->n == 0)
        return true;
    for (i = 0; i < k->n; i++)
        if (k->on[i] && strcmp(k->values[i], value ? value : "") == 0)
            return true;
    return false;
}

bool
filters_match_fuzzy(const struct filters *f, const char *key, const char *value)
{
    struct filters_key *k = filters_find(f, key);
    size_t i;

    if (k == NULL || k->n == 0)
        return true;
    if (value == NULL)
        value = "";
    for (i = 0; i < k->n; i++) {
        /* dockerd: an exact hit counts only when set true; any listed value
         * that is a prefix matches */
        if (k->on[i] && strcmp(k->values[i], value) == 0)
            return true;
        if (util_has_prefix(value, k->values[i]))
            return true;
    }
    return false;
}

bool
filters_match_kv(const struct filters *f, const char *key, struct json_object *labels)
{
    struct filters_key *k = filters_find(f, key);
    size_t i;

    if (k == NULL || k->n == 0)
        return true;
    if (labels == NULL || !json_object_is_type(labels, json_type_object) ||
        json_object_object_length(labels) == 0)
        return false;
    for (i = 0; i < k->n; i++) {
        const char *eq = strchr(k->values[i], '=');
        cleanup_free char *name =
            eq ? xstrndup(k->values[i], (size_t)(eq - k->values[i])) : xstrdup(k->values[i]);
        struct json_object *have;
        const char *hv;

        if (!json_object_object_get_ex(labels, name, &have))
            return false;
        if (eq == NULL)
            continue;
        hv = have && json_object_is_type(have, json_type_string) ? json_object_get_string(have)
                                                                  : "";
        if (strcmp(hv, eq + 1) != 0)
            return false;
    }
    return true;
}

static char *
filters_key_text(const struct filters_key *k)
{
    char *out = xasprintf("%s=", k->name);
    size_t i;

    for (i = 0; i < k->n; i++) {
        char *n = xasprintf("%s%s%s", out, i ? "," : "", k->values[i]);
        free(out);
        out = n;
    }
    return out;
}

int
filters_get_bool(const struct filters *f, const char *key, bool dflt, bool *out,
                 dctl_error_t *err)
{
    struct filters_key *k = filters_find(f, key);
    bool is_true = false, is_false = false;
    size_t i;

    *out = dflt;
    if (k == NULL)
        return 0;
    if (k->n == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid filter '%s'", key);
    for (i = 0; i < k->n; i++) {
        if (!k->on[i])
            continue;
        if (strcmp(k->values[i], "1") == 0 || strcmp(k->values[i], "true") == 0)
            is_true = true;
        else if (strcmp(k->values[i], "0") == 0 || strcmp(k->values[i], "false") == 0)
            is_false = true;
    }
    if (is_true == is_false) {
        cleanup_free char *text = filters_key_text(k);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid filter '%s'", text);
    }
    *out = is_true;
    return 0;
}

char *
filters_to_json(const struct filters *f)
{
    cleanup_json struct json_object *top = json_object_new_object();
    size_t i, j;

    for (i = 0; i < f->n; i++) {
        struct json_object *set = json_object_new_object();

        for (j = 0; j < f->keys[i].n; j++)
            json_object_object_add(set, f->keys[i].values[j],
                                   json_object_new_boolean(f->keys[i].on[j]));
        json_object_object_add(top, f->keys[i].name, set);
    }
    return json_to_string(top);
}
