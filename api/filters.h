/* api/filters.h - Docker's `filters` query parameter, shared by every listing
 * endpoint (/events, /images/json, /containers/json, /networks, /volumes ...).
 *
 * The wire form is a JSON object of key → set, written either as dockerd does
 * ({"key":{"v1":true}}) or in the legacy list form ({"key":["v1","v2"]}). Within
 * one key the values are alternatives (OR); different keys must all match (AND),
 * except "label"-style keys matched with filters_match_kv, where every value must
 * match. A key that is not filtered on matches everything.
 *
 * Owner: whoever parsed or created the struct filters frees it with
 * filters_free. Pure data: any thread. */
#ifndef DCTL_API_FILTERS_H
#define DCTL_API_FILTERS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lib/error.h"

struct filters;

struct filters *filters_new(void);
void filters_free(struct filters *f);
static inline void
filters_freep(struct filters **f)
{
    filters_free(*f);
}
#define cleanup_filters __attribute__((cleanup(filters_freep)))

/* Parses the text of a `filters` query parameter; NULL, "" and "null" give an
 * empty set. Malformed JSON or a value of the wrong shape is DCTL_ERR_INVALID
 * "invalid filter", as dockerd answers. */
struct filters *filters_parse(const char *text, dctl_error_t *err);
/* Every key must be in accepted (NULL-terminated); the first that is not is
 * DCTL_ERR_INVALID "invalid filter 'KEY'". */
int filters_validate(const struct filters *f, const char *const *accepted, dctl_error_t *err);

/* Adds value to key's set (for clients and tests; parsing uses it too). */
void filters_add(struct filters *f, const char *key, const char *value);
/* Number of keys. */
size_t filters_len(const struct filters *f);
/* Key is present (even with no values). */
bool filters_contains(const struct filters *f, const char *key);
/* The values of key in the order first given; *n gets their number. The array
 * is lent until f changes or is freed; NULL when key is absent. */
const char *const *filters_get(const struct filters *f, const char *key, size_t *n);

/* key absent or empty → true; otherwise value is one of key's values. */
bool filters_match_exact(const struct filters *f, const char *key, const char *value);
/* As exact, and a value that is a prefix of `value` matches too (IDs, names). */
bool filters_match_fuzzy(const struct filters *f, const char *key, const char *value);
/* Label matching: key absent → true; otherwise every filter value "k" or "k=v"
 * must be satisfied by labels (a JSON object of strings; NULL counts as empty). */
bool filters_match_kv(const struct filters *f, const char *key, struct json_object *labels);
/* A boolean filter ("dangling=true"): absent → dflt; "1"/"true" or "0"/"false";
 * anything else, both, or no value is DCTL_ERR_INVALID "invalid filter 'KEY=V'". */
int filters_get_bool(const struct filters *f, const char *key, bool dflt, bool *out,
                     dctl_error_t *err);

/* The dockerd wire form {"key":{"v":true}}, malloc'd. */
char *filters_to_json(const struct filters *f);

#endif
