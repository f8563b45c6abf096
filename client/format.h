/* client/format.h - dctl's output formatting, shared by the listing and inspect
 * commands: the --format values docker takes ("table", "table TEMPLATE", "json",
 * or a Go template), a tab writer that aligns columns as docker's does, and the
 * humanised sizes, durations and IDs docker prints.
 *
 * Templates: a subset of Go's text/template, enough for what users write with
 * docker: text, {{.Field}}, {{.Field.Sub}}, {{.}}, {{json .Field}}, {{json .}},
 * with "{{-"/"-}}" trimming and "\t"/"\n" escapes as docker expands them. Any
 * other action (if, range, functions, pipes) is refused when the format is
 * parsed, with "template parsing error: ...", never rendered half-way.
 *
 * Rows are JSON objects. With a field list (listings), a row's values are the
 * strings docker's formatter shows, every {{.Name}} must be one of the fields
 * (checked at parse time) and "table" headers come from the list. Without one
 * (inspect), paths walk any JSON and a missing key fails at render time, as
 * docker's does on a decoded object.
 *
 * Ownership: a struct format is the caller's (format_free). Strings returned as
 * char * are the caller's. Single-threaded. */
#ifndef DCTL_CLIENT_FORMAT_H
#define DCTL_CLIENT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "lib/error.h"

/* docker's tabwriter: cells padded to the widest in their column plus 3, at least 10 */
#define FORMAT_TABLE_MINWIDTH 10
#define FORMAT_TABLE_PADDING 3

struct format_field {
    const char *name;   /* "Repository": what {{.Repository}} names */
    const char *header; /* "REPOSITORY": its column header */
};

struct format;

/* Parses a --format value. NULL, "" or "table" mean table_default (itself a "table ..."
 * value), or {{json .}} when that is NULL; "json" means {{json .}}, one row per line. fields: NULL-terminated list of
 * the fields rows have, or NULL for free JSON paths. NULL with *err (DCTL_ERR_INVALID,
 * "template parsing error: ...") when the template is not one dctl can render. */
struct format *format_new(const char *text, const char *table_default,
                          const struct format_field *fields, dctl_error_t *err);
void format_free(struct format *f);
static inline void
format_freep(struct format **f)
{
    format_free(*f);
}
#define cleanup_format __attribute__((cleanup(format_freep)))

/* "table ..." formats print a header and align columns. */
bool format_is_table(const struct format *f);
/* Whether the template names field ({{.field}}, {{.field.X}} or {{json .field}});
 * {{json .}} does not count, as docker's format.Contains("{{.Digest}}") does not. */
bool format_uses(const struct format *f, const char *field);

/* Renders one row (and a newline) into f's buffer; -1 with *err when a path does
 * not resolve, the rows before it stay buffered. */
int format_add(struct format *f, struct json_object *row, dctl_error_t *err);
/* Writes what was added to out: for a table, the header and the rows aligned. Then
 * empties the buffer. */
void format_write(struct format *f, FILE *out);

/* The tab writer on its own: text of '\n'-ended lines of '\t'-terminated cells,
 * aligned as Go's text/tabwriter with (minwidth, padding, ' ', 0). Caller's. */
char *format_tabwrite(const char *text, size_t minwidth, size_t padding);

/* go-units HumanSizeWithPrecision: decimal units, "%.*g": 1982256 -> "1.98MB" (3),
 * "1.982MB" (4, which is HumanSize). */
void format_size_human(double size, int precision, char *buf, size_t len);
/* go-units HumanDuration: "Less than a second", "About a minute", "3 hours", ... */
void format_duration_human(long long ns, char *buf, size_t len);
/* "<HumanDuration(now - then)> ago" for a unix time in seconds. Caller's. */
char *format_since(long long then_s, long long now_ns);
/* Go's time.Unix(s, 0).String() in local time: "2026-11-28 15:29:49 +0000 UTC". */
void format_local_time(long long s, char *buf, size_t len);
/* stringid.TruncateID: drops "ALGO:" and keeps 12 characters. Caller's. */
char *format_truncate_id(const char *id);
/* docker's formatter.Ellipsis: at most max characters, the last one "…". Caller's. */
char *format_ellipsis(const char *s, size_t max);

/* JSON as Go's encoding/json writes it (U+2028/9 escaped; <, > and & left as they
 * are, as docker's json template function and json.Indent leave them): compact with
 * object keys sorted (a decoded object marshalled), or indented by indent with the
 * keys in their order (json.Indent of the daemon's answer). {{json .}} on a listing's
 * row escapes <, > and & as well, as docker's row objects marshal themselves.
 * Caller's. */
char *format_json(struct json_object *o, const char *indent);
/* A value as Go's fmt prints a decoded JSON value: strings bare, [a b], map[k:v],
 * <nil>. Caller's. */
char *format_go_value(struct json_object *o);

#endif
