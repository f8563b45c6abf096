/* lib/json.c - json-c helpers shared by daemon, api, client and drivers. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "util.h"
#include "xmalloc.h"

/* json-c's strict mode still takes 'single-quoted' member names: after a
 * successful parse, a quote outside a string can only be one of those. */
static bool
json_has_single_quote(const char *text, size_t len)
{
    bool in_string = false;
    size_t i;

    for (i = 0; i < len; i++) {
        if (in_string) {
            if (text[i] == '\\')
                i++;
            else if (text[i] == '"')
                in_string = false;
        } else if (text[i] == '"') {
            in_string = true;
        } else if (text[i] == '\'') {
            return true;
        }
    }
    return false;
}

/* json-c takes NaN and Infinity even in strict mode; JSON has neither. */
static bool
json_has_nonfinite(struct json_object *o)
{
    size_t i;

    switch (json_object_get_type(o)) {
    case json_type_double:
        return !isfinite(json_object_get_double(o));
    case json_type_array:
        for (i = 0; i < json_object_array_length(o); i++)
            if (json_has_nonfinite(json_object_array_get_idx(o, i)))
                return true;
        return false;
    case json_type_object: {
        json_object_object_foreach(o, k, v) {
            (void)k;
            if (json_has_nonfinite(v))
                return true;
        }
        return false;
    }
    default:
        return false;
    }
}

/* Parses one whole value; *is_null tells a JSON null (NULL, no error) apart. */
static struct json_object *
json_parse_value(const char *text, size_t len, const char *what, bool *is_null,
                 dctl_error_t *err)
{
    struct json_tokener *tok;
    struct json_object *o;
    enum json_tokener_error jerr;
    size_t used;

    *is_null = false;
    if (len > INT32_MAX) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: JSON text too large", what);
        return NULL;
    }
    tok = json_tokener_new();
    /* trailing characters are checked below, with a clearer message */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                    JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    used = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue && len > 0) {
        /* a top-level number or literal ends only at a delimiter: give it one */
        o = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_success)
            used = len;
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        json_object_put(o);
        if (jerr == json_tokener_continue || used >= len)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: unexpected EOF", what), NULL;
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: invalid JSON: %s at offset %zu",
                              what, json_tokener_error_desc(jerr), used),
               NULL;
    }
    /* trailing white space is fine, anything else is not */
    for (; used < len; used++) {
        if (!strchr(" \t\r\n", text[used]) || text[used] == '\0') {
            json_object_put(o);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "%s: invalid JSON: unexpected data after the top-level value "
                                  "at offset %zu", what, used),
                   NULL;
        }
    }
    if (json_has_single_quote(text, len)) {
        json_object_put(o);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "%s: invalid JSON: strings must use double quotes", what),
               NULL;
    }
    if (json_has_nonfinite(o)) {
        json_object_put(o);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "%s: invalid JSON: NaN and Infinity are not numbers", what),
               NULL;
    }
    *is_null = o == NULL;
    return o;
}

struct json_object *
json_parse(const char *text, size_t len, const char *what, dctl_error_t *err)
{
    bool is_null;
    struct json_object *o = json_parse_value(text, len, what, &is_null, err);

    if (is_null)
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: expected a JSON value, got null", what);
    return o;
}

struct json_object *
json_parse_object(const char *text, size_t len, const char *what, dctl_error_t *err)
{
    bool is_null;
    struct json_object *o = json_parse_value(text, len, what, &is_null, err);

    if (is_null || (o && !json_object_is_type(o, json_type_object))) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s: expected a JSON object, got %s", what,
                       is_null ? "null" : json_type_label(o));
        json_object_put(o);
        return NULL;
    }
    return o;
}

int
json_read_object_fd(int fd, const char *what, struct json_object **out, dctl_error_t *err)
{
    cleanup_free char *buf = NULL;
    size_t len = 0, cap = 0;
    ssize_t n;

    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = xrealloc(buf, cap);
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read %s", what);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = json_parse_object(buf ? buf : "", len, what, err);
    return *out ? 0 : -1;
}

const char *
json_get_string(struct json_object *o, const char *key)
{
    struct json_object *v;

    if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int64_t
json_get_int64(struct json_object *o, const char *key, int64_t dflt)
{
    struct json_object *v;

    if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
        !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
        return dflt;
    return json_object_get_int64(v);
}

bool
json_get_bool(struct json_object *o, const char *key, bool dflt)
{
    struct json_object *v;

    if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_boolean))
        return dflt;
    return json_object_get_boolean(v);
}

const char *
json_type_label(struct json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "bool";
    case json_type_double:
    case json_type_int:
        return "number";
    case json_type_object:
        return "object";
    case json_type_array:
        return "array";
    case json_type_string:
        return "string";
    }
    return "unknown";
}

char *
json_to_string(struct json_object *o)
{
    return xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

void
json_add_string(struct json_object *o, const char *key, const char *val)
{
    json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void
json_add_int64(struct json_object *o, const char *key, int64_t val)
{
    json_object_object_add(o, key, json_object_new_int64(val));
}

void
json_add_bool(struct json_object *o, const char *key, bool val)
{
    json_object_object_add(o, key, json_object_new_boolean(val));
}
