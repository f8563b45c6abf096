/* lib/json.h - json-c helpers. json-c: new and parsed objects are the caller's
 * reference; json_object_object_add() takes it; object_get_ex() lends. */
#ifndef DCTL_JSON_H
#define DCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

static inline void
json_putp(struct json_object **o)
{
    if (*o)
        json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

/* Parses a whole JSON text of len bytes (strict: double quotes, valid UTF-8, no
 * trailing commas); a syntax error, trailing garbage or a bare null is
 * DCTL_ERR_INVALID with what as context. */
struct json_object *json_parse(const char *text, size_t len, const char *what,
                               dctl_error_t *err);
/* As json_parse, and the result must be an object. */
struct json_object *json_parse_object(const char *text, size_t len, const char *what,
                                      dctl_error_t *err);
/* Reads fd to its end and parses an object. */
int json_read_object_fd(int fd, const char *what, struct json_object **out, dctl_error_t *err);

/* Lent string member or NULL (absent, null or not a string). */
const char *json_get_string(struct json_object *o, const char *key);
/* Member as int64 / bool; dflt when absent, null or of another JSON type (json-c
 * would read the string "false" as true and "abc" as 0). A double is truncated. */
int64_t json_get_int64(struct json_object *o, const char *key, int64_t dflt);
bool json_get_bool(struct json_object *o, const char *key, bool dflt);

/* The Go-style type name of a JSON value for error messages ("string", "number"...). */
const char *json_type_label(struct json_object *o);

/* Compact text of o, malloc'd. */
char *json_to_string(struct json_object *o);

/* Adds a string (NULL gives JSON null). */
void json_add_string(struct json_object *o, const char *key, const char *val);
void json_add_int64(struct json_object *o, const char *key, int64_t val);
void json_add_bool(struct json_object *o, const char *key, bool val);

#endif
