/* client/format.c - --format templates (a Go text/template subset), docker's tab
 * writer, Go-style JSON and value printing, and go-units' humanised sizes and
 * durations. Owns each struct format's parsed template and its output buffer. */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/format.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define FORMAT_TABLE_KEY "table"
#define FORMAT_JSON_KEY "json"
#define FORMAT_SUPPORTED "dctl supports {{.Field}}, {{.Field.Sub}}, {{.}} and {{json .Field}}"

enum format_node_kind {
    FORMAT_TEXT,
    FORMAT_VALUE, /* {{.A.B}} */
    FORMAT_JSON,  /* {{json .A.B}} */
};

struct format_node {
    enum format_node_kind kind;
    char *text;  /* FORMAT_TEXT: the text; otherwise the path as written (".A.B") */
    char **path; /* components; npath 0 is "." */
    size_t npath;
    int line, col; /* of the path, as Go reports positions: line from 1, byte from 0 */
};

struct format {
    bool table;
    const struct format_field *fields; /* lent; NULL: free JSON paths */
    struct format_node *nodes;
    size_t nnodes;
    char *out; /* rendered rows */
    size_t outlen;
    FILE *mem;
};

/* ---- small string builder on open_memstream ------------------------------------------ */

struct sbuf {
    char *s;
    size_t len;
    FILE *f;
};

static void
sbuf_init(struct sbuf *b)
{
    b->s = NULL;
    b->len = 0;
    b->f = open_memstream(&b->s, &b->len);
    if (b->f == NULL)
        abort(); /* out of memory, as xmalloc */
}

/* Ends the stream and hands over its text. */
static char *
sbuf_take(struct sbuf *b)
{
    fclose(b->f);
    b->f = NULL;
    return b->s;
}

static void
sbuf_discard(struct sbuf *b)
{
    if (b->f != NULL)
        fclose(b->f);
    free(b->s);
    b->s = NULL;
    b->f = NULL;
}

/* ---- humanising ------------------------------------------------------------------------ */

void
format_size_human(double size, int precision, char *buf, size_t len)
{
    static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
    size_t i = 0;

    while (size >= 1000.0 && i + 1 < ARRAY_SIZE(units)) {
        size /= 1000.0;
        i++;
    }
    snprintf(buf, len, "%.*g%s", precision, size, units[i]);
}

void
format_duration_human(long long ns, char *buf, size_t len)
{
    long long seconds = ns / 1000000000LL, minutes = ns / 60000000000LL;
    long long hours = (long long)((double)ns / 3.6e12 + 0.5);

    if (seconds < 1)
        snprintf(buf, len, "Less than a second");
    else if (seconds == 1)
        snprintf(buf, len, "1 second");
    else if (seconds < 60)
        snprintf(buf, len, "%lld seconds", seconds);
    else if (minutes == 1)
        snprintf(buf, len, "About a minute");
    else if (minutes < 60)
        snprintf(buf, len, "%lld minutes", minutes);
    else if (hours == 1)
        snprintf(buf, len, "About an hour");
    else if (hours < 48)
        snprintf(buf, len, "%lld hours", hours);
    else if (hours < 24 * 7 * 2)
        snprintf(buf, len, "%lld days", hours / 24);
    else if (hours < 24 * 30 * 2)
        snprintf(buf, len, "%lld weeks", hours / 24 / 7);
    else if (hours < 24 * 365 * 2)
        snprintf(buf, len, "%lld months", hours / 24 / 30);
    else
        snprintf(buf, len, "%lld years", ns / 3600000000000LL / 24 / 365);
}

char *
format_since(long long then_s, long long now_ns)
{
    char d[64];

    format_duration_human(now_ns - then_s * 1000000000LL, d, sizeof d);
    return xasprintf("%s ago", d);
}

void
format_local_time(long long s, char *buf, size_t len)
{
    time_t t = (time_t)s;
    struct tm tm;

    localtime_r(&t, &tm);
    if (strftime(buf, len, "%Y-%m-%d %H:%M:%S %z %Z", &tm) == 0 && len > 0)
        buf[0] = '\0';
}

char *
format_truncate_id(const char *id)
{
    const char *colon = strchr(id, ':');

    if (colon != NULL)
        id = colon + 1;
    return xstrndup(id, 12);
}

/* Bytes of the first n UTF-8 characters of s (or all of it). */
static size_t
format_utf8_prefix(const char *s, size_t n)
{
    size_t i = 0;

    while (s[i] != '\0') {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (n == 0)
                break;
            n--;
        }
        i++;
    }
    return i;
}

static size_t
format_utf8_width(const char *s, size_t len)
{
    size_t i, w = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            w++;
    return w;
}

char *
format_ellipsis(const char *s, size_t max)
{
    char *out;
    size_t n;

    if (max == 0)
        return xstrdup("");
    if (format_utf8_width(s, strlen(s)) <= max)
        return xstrdup(s);
    if (max == 1)
        return xstrndup(s, format_utf8_prefix(s, 1));
    n = format_utf8_prefix(s, max - 1);
    out = xmalloc(n + sizeof "…");
    memcpy(out, s, n);
    memcpy(out + n, "…", sizeof "…");
    return out;
}

/* ---- Go-style JSON and values ------------------------------------------------------- */

static void
format_json_string(FILE *out, const char *s, size_t len, bool html)
{
    size_t i;

    fputc('"', out);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '<':
        case '>':
        case '&':
            if (html)
                fprintf(out, "\\u%04x", c);
            else
                fputc(c, out);
            break;
        default:
            if (c < 0x20) {
                fprintf(out, "\\u%04x", c);
            } else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                       ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
                fprintf(out, "\\u%04x", (unsigned char)s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
                i += 2;
            } else {
                fputc(c, out);
            }
        }
    }
    fputc('"', out);
}

static int
format_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted when sort is set. The array is the caller's. */
static const char **
format_keys(struct json_object *o, bool sort, size_t *n)
{
    const char **keys = xcalloc((size_t)json_object_object_length(o) + 1, sizeof *keys);

    *n = 0;
    json_object_object_foreach(o, k, v) {
        (void)v;
        keys[(*n)++] = k;
    }
    if (sort)
        qsort(keys, *n, sizeof *keys, format_key_cmp);
    return keys;
}

static void
format_newline_indent(FILE *out, const char *indent, int depth)
{
    int i;

    fputc('\n', out);
    for (i = 0; i < depth; i++)
        fputs(indent, out);
}

/* html: <, > and & escaped too, as json.Marshal does (the template function json
 * does not, except on docker's row objects, which marshal themselves). */
static void
format_json_write(FILE *out, struct json_object *o, const char *indent, int depth, bool html)
{
    size_t i, n;

    switch (json_object_get_type(o)) {
    case json_type_null:
        fputs("null", out);
        return;
    case json_type_boolean:
        fputs(json_object_get_boolean(o) ? "true" : "false", out);
        return;
    case json_type_int:
    case json_type_double:
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), out);
        return;
    case json_type_string:
        format_json_string(out, json_object_get_string(o), (size_t)json_object_get_string_len(o),
                           html);
        return;
    case json_type_array:
        n = json_object_array_length(o);
        if (n == 0) {
            fputs("[]", out);
            return;
        }
        fputc('[', out);
        for (i = 0; i < n; i++) {
            if (i > 0)
                fputc(',', out);
            if (indent != NULL)
                format_newline_indent(out, indent, depth + 1);
            format_json_write(out, json_object_array_get_idx(o, i), indent, depth + 1, html);
        }
        if (indent != NULL)
            format_newline_indent(out, indent, depth);
        fputc(']', out);
        return;
    case json_type_object: {
        const char **keys = format_keys(o, indent == NULL, &n);

        if (n == 0) {
            free(keys);
            fputs("{}", out);
            return;
        }
        fputc('{', out);
        for (i = 0; i < n; i++) {
            if (i > 0)
                fputc(',', out);
            if (indent != NULL)
                format_newline_indent(out, indent, depth + 1);
            format_json_string(out, keys[i], strlen(keys[i]), html);
            fputs(indent != NULL ? ": " : ":", out);
            format_json_write(out, json_object_object_get(o, keys[i]), indent, depth + 1, html);
        }
        free(keys);
        if (indent != NULL)
            format_newline_indent(out, indent, depth);
        fputc('}', out);
        return;
    }
    }
}

char *
format_json(struct json_object *o, const char *indent)
{
    struct sbuf b;

    sbuf_init(&b);
    format_json_write(b.f, o, indent, 0, false);
    return sbuf_take(&b);
}

/* fmt's %v of a float64: the shortest digits that read back, in %e form when the
 * exponent is below -4 or at least 6 (fmt.Println(1e6) is "1e+06"). */
static void
format_go_float(FILE *out, double d)
{
    char buf[64];
    int p, exp;

    if (isnan(d)) {
        fputs("NaN", out);
        return;
    }
    if (isinf(d)) {
        fputs(d > 0 ? "+Inf" : "-Inf", out);
        return;
    }
    for (p = 1; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    exp = atoi(strchr(buf, 'e') + 1);
    if (exp < -4 || exp >= 6)
        fputs(buf, out);
    else
        fprintf(out, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, d);
}

static void
format_go_write(FILE *out, struct json_object *o)
{
    size_t i, n;

    switch (json_object_get_type(o)) {
    case json_type_null:
        fputs("<nil>", out);
        return;
    case json_type_boolean:
        fputs(json_object_get_boolean(o) ? "true" : "false", out);
        return;
    case json_type_int:
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), out);
        return;
    case json_type_double:
        format_go_float(out, json_object_get_double(o));
        return;
    case json_type_string:
        fwrite(json_object_get_string(o), 1, (size_t)json_object_get_string_len(o), out);
        return;
    case json_type_array:
        fputc('[', out);
        for (i = 0; i < json_object_array_length(o); i++) {
            if (i > 0)
                fputc(' ', out);
            format_go_write(out, json_object_array_get_idx(o, i));
        }
        fputc(']', out);
        return;
    case json_type_object: {
        const char **keys = format_keys(o, true, &n);

        fputs("map[", out);
        for (i = 0; i < n; i++) {
            fprintf(out, "%s%s:", i ? " " : "", keys[i]);
            format_go_write(out, json_object_object_get(o, keys[i]));
        }
        fputc(']', out);
        free(keys);
        return;
    }
    }
}

char *
format_go_value(struct json_object *o)
{
    struct sbuf b;

    sbuf_init(&b);
    format_go_write(b.f, o);
    return sbuf_take(&b);
}

/* ---- tab writer: Go's text/tabwriter (elastic tabstops) -------------------------------- */

struct tw_cell {
    const char *s;
    size_t size, width;
};

struct tw_line {
    struct tw_cell *cells;
    size_t n;
};

struct tw {
    struct tw_line *lines;
    size_t nlines;
    size_t *widths, nwidths;
    size_t minwidth, padding;
    FILE *out;
};

static void
tw_write_lines(struct tw *t, size_t line0, size_t line1)
{
    size_t i, j, k;

    for (i = line0; i < line1; i++) {
        const struct tw_line *l = &t->lines[i];

        for (j = 0; j < l->n; j++) {
            fwrite(l->cells[j].s, 1, l->cells[j].size, t->out);
            if (j < t->nwidths)
                for (k = l->cells[j].width; k < t->widths[j]; k++)
                    fputc(' ', t->out);
        }
        fputc('\n', t->out);
    }
}

/* Lines line0..line1 with the widths of the columns left of nwidths known: each
 * block of consecutive lines that have a cell in the next column fixes its width. */
static void
tw_format(struct tw *t, size_t line0, size_t line1)
{
    size_t column = t->nwidths, this;

    for (this = line0; this < line1; this++) {
        size_t width;

        if (column + 1 >= t->lines[this].n)
            continue;
        tw_write_lines(t, line0, this);
        line0 = this;
        width = t->minwidth;
        for (; this < line1; this++) {
            const struct tw_line *l = &t->lines[this];

            if (column + 1 >= l->n)
                break;
            if (l->cells[column].width + t->padding > width)
                width = l->cells[column].width + t->padding;
        }
        t->widths[t->nwidths++] = width;
        tw_format(t, line0, this);
        t->nwidths--;
        line0 = this;
    }
    tw_write_lines(t, line0, line1);
}

char *
format_tabwrite(const char *text, size_t minwidth, size_t padding)
{
    struct tw t = { .minwidth = minwidth, .padding = padding };
    size_t cap = 0, maxcells = 0, i;
    const char *p = text;
    struct sbuf b;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        struct tw_line *l;

        if (t.nlines == cap) {
            cap = cap ? cap * 2 : 16;
            t.lines = xrealloc(t.lines, cap * sizeof *t.lines);
        }
        l = &t.lines[t.nlines++];
        l->n = 0;
        l->cells = NULL;
        for (;;) {
            const char *tab = memchr(p, '\t', (size_t)(end - p));
            const char *cend = tab ? tab : end;

            l->cells = xrealloc(l->cells, (l->n + 1) * sizeof *l->cells);
            l->cells[l->n].s = p;
            l->cells[l->n].size = (size_t)(cend - p);
            l->cells[l->n].width = format_utf8_width(p, (size_t)(cend - p));
            l->n++;
            if (tab == NULL)
                break;
            p = tab + 1;
        }
        if (l->n > maxcells)
            maxcells = l->n;
        p = nl ? nl + 1 : end;
    }
    t.widths = xcalloc(maxcells + 1, sizeof *t.widths);
    sbuf_init(&b);
    t.out = b.f;
    tw_format(&t, 0, t.nlines);
    for (i = 0; i < t.nlines; i++)
        free(t.lines[i].cells);
    free(t.lines);
    free(t.widths);
    return sbuf_take(&b);
}

/* ---- templates ---------------------------------------------------------------------- */

static void
format_nodes_free(struct format_node *nodes, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        free(nodes[i].text);
        for (j = 0; j < nodes[i].npath; j++)
            free(nodes[i].path[j]);
        free(nodes[i].path);
    }
    free(nodes);
}

void
format_free(struct format *f)
{
    if (f == NULL)
        return;
    format_nodes_free(f->nodes, f->nnodes);
    if (f->mem != NULL)
        fclose(f->mem);
    free(f->out);
    free(f);
}

static struct format_node *
format_node_add(struct format *f, enum format_node_kind kind, char *text_take)
{
    struct format_node *n;

    f->nodes = xrealloc(f->nodes, (f->nnodes + 1) * sizeof *f->nodes);
    n = &f->nodes[f->nnodes++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->text = text_take;
    return n;
}

static const struct format_field *
format_field_find(const struct format *f, const char *name)
{
    size_t i;

    for (i = 0; f->fields != NULL && f->fields[i].name != NULL; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return &f->fields[i];
    return NULL;
}

/* Go's position of offset off in s: line from 1, byte within the line from 0. */
static void
format_position(const char *s, size_t off, int *line, int *col)
{
    size_t i, start = 0;

    *line = 1;
    for (i = 0; i < off; i++)
        if (s[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = (int)(off - start);
}

/* ".A.B" or "." into n->path; -1 when it is not such a path. */
static int
format_path_parse(struct format_node *n, const char *s, size_t len)
{
    size_t i = 0;

    if (len == 0 || s[0] != '.')
        return -1;
    if (len == 1)
        return 0;
    while (i < len) {
        size_t start;

        if (s[i] != '.')
            return -1;
        start = ++i;
        if (i >= len || !(isalpha((unsigned char)s[i]) || s[i] == '_'))
            return -1;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
            i++;
        n->path = xrealloc(n->path, (n->npath + 1) * sizeof *n->path);
        n->path[n->npath++] = xstrndup(s + start, i - start);
    }
    return 0;
}

/* One action's text (between the delimiters and trim markers); off is where it
 * starts in src, for positions in messages. */
static int
format_action_parse(struct format *f, const char *src, size_t off, const char *a, size_t len,
                    dctl_error_t *err)
{
    enum format_node_kind kind = FORMAT_VALUE;
    const char *tok, *end = a + len;
    struct format_node *n;
    const struct format_field *field;
    int line, col;

    while (a < end && isspace((unsigned char)*a)) {
        a++;
        off++;
    }
    while (end > a && isspace((unsigned char)end[-1]))
        end--;
    format_position(src, off, &line, &col);
    if (a == end)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: template: "
                              ":%d: missing value for command", line);
    tok = a;
    if ((size_t)(end - a) > 4 && strncmp(a, "json", 4) == 0 && isspace((unsigned char)a[4])) {
        kind = FORMAT_JSON;
        tok = a + 4;
        while (tok < end && isspace((unsigned char)*tok))
            tok++;
        off += (size_t)(tok - a);
        format_position(src, off, &line, &col);
    }
    n = format_node_add(f, kind, xstrndup(tok, (size_t)(end - tok)));
    n->line = line;
    n->col = col;
    if (format_path_parse(n, tok, (size_t)(end - tok)) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: template: "
                              ":%d: unsupported action \"{{%.*s}}\": %s", line,
                              (int)(end - a), a, FORMAT_SUPPORTED);
    if (n->npath > 1) { /* Go places a chain .A.B at its last field */
        const char *last = memrchr(tok, '.', (size_t)(end - tok));

        format_position(src, off + (size_t)(last - tok), &n->line, &n->col);
    }
    if (f->fields == NULL || n->npath == 0)
        return 0;
    field = format_field_find(f, n->path[0]);
    if (field == NULL)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: template: "
                              ":%d:%d: executing \"\" at <%s>: can't evaluate field %s",
                              n->line, n->col, n->text, n->path[0]);
    if (n->npath > 1)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: template: "
                              ":%d:%d: executing \"\" at <%s>: can't evaluate field %s in "
                              "type string", n->line, n->col, n->text, n->path[1]);
    return 0;
}

static bool
format_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
format_template_parse(struct format *f, const char *src, dctl_error_t *err)
{
    const char *p = src;

    while (*p != '\0') {
        const char *open = strstr(p, "{{"), *a, *close, *e;
        size_t tlen;
        bool trim_left = false, trim_right = false;

        if (open == NULL) {
            format_node_add(f, FORMAT_TEXT, xstrdup(p));
            break;
        }
        a = open + 2;
        if (a[0] == '-' && format_is_space(a[1])) {
            trim_left = true;
            a += 2;
        }
        close = strstr(a, "}}");
        if (close == NULL) {
            int line, col;

            format_position(src, (size_t)(open - src), &line, &col);
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: "
                                  "template: :%d: unclosed action", line);
        }
        e = close;
        if (e - a >= 2 && e[-1] == '-' && format_is_space(e[-2])) {
            trim_right = true;
            e -= 2;
        }
        tlen = (size_t)(open - p);
        if (trim_left)
            while (tlen > 0 && format_is_space(p[tlen - 1]))
                tlen--;
        if (tlen > 0)
            format_node_add(f, FORMAT_TEXT, xstrndup(p, tlen));
        if (format_action_parse(f, src, (size_t)(a - src), a, (size_t)(e > a ? e - a : 0),
                                err) < 0)
            return -1;
        p = close + 2;
        if (trim_right)
            while (format_is_space(*p))
                p++;
    }
    return 0;
}

/* docker's preFormat: "table" prefix off, "json" as {{json .}}, spaces trimmed, the
 * two-character escapes \t and \n made real. Caller's. */
static char *
format_prepare(const char *text, bool *table)
{
    const char *s = text;
    size_t len;
    char *out, *o;

    *table = util_has_prefix(text, FORMAT_TABLE_KEY);
    if (*table)
        s += strlen(FORMAT_TABLE_KEY);
    else if (strcmp(text, FORMAT_JSON_KEY) == 0)
        s = "{{json .}}";
    while (*s == ' ')
        s++;
    len = strlen(s);
    while (len > 0 && s[len - 1] == ' ')
        len--;
    out = o = xmalloc(len + 1);
    while (len > 0) {
        if (len >= 2 && s[0] == '\\' && (s[1] == 't' || s[1] == 'n')) {
            *o++ = s[1] == 't' ? '\t' : '\n';
            s += 2;
            len -= 2;
        } else {
            *o++ = *s++;
            len--;
        }
    }
    *o = '\0';
    return out;
}

struct format *
format_new(const char *text, const char *table_default, const struct format_field *fields,
           dctl_error_t *err)
{
    struct format *f = xcalloc(1, sizeof *f);
    cleanup_free char *src = NULL;

    if (text == NULL || *text == '\0' || strcmp(text, FORMAT_TABLE_KEY) == 0)
        text = table_default;
    if (text == NULL)
        text = "{{json .}}";
    f->fields = fields;
    src = format_prepare(text, &f->table);
    if (format_template_parse(f, src, err) < 0) {
        format_free(f);
        return NULL;
    }
    f->mem = open_memstream(&f->out, &f->outlen);
    if (f->mem == NULL)
        abort();
    return f;
}

bool
format_is_table(const struct format *f)
{
    return f->table;
}

bool
format_uses(const struct format *f, const char *field)
{
    size_t i;

    for (i = 0; i < f->nnodes; i++) {
        const struct format_node *n = &f->nodes[i];

        if (n->kind == FORMAT_TEXT)
            continue;
        if (n->npath > 0 && strcmp(n->path[0], field) == 0)
            return true;
    }
    return false;
}

static const char *
format_go_type(struct json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_boolean:
        return "bool";
    case json_type_int:
        return "int64";
    case json_type_double:
        return "float64";
    case json_type_string:
        return "string";
    case json_type_array:
        return "[]interface {}";
    default:
        return "interface {}";
    }
}

/* The value n's path names in row (NULL for a JSON null); -1 with Go's message when
 * a step does not exist. */
static int
format_resolve(const struct format_node *n, struct json_object *row, struct json_object **out,
               dctl_error_t *err)
{
    struct json_object *v = row;
    size_t i;

    for (i = 0; i < n->npath; i++) {
        struct json_object *next = NULL;

        if (v == NULL)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: "
                                  "template: :%d:%d: executing \"\" at <%s>: nil pointer "
                                  "evaluating interface {}.%s", n->line, n->col, n->text,
                                  n->path[i]);
        if (!json_object_is_type(v, json_type_object))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: "
                                  "template: :%d:%d: executing \"\" at <%s>: can't evaluate "
                                  "field %s in type %s", n->line, n->col, n->text, n->path[i],
                                  format_go_type(v));
        if (!json_object_object_get_ex(v, n->path[i], &next))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "template parsing error: "
                                  "template: :%d:%d: executing \"\" at <%s>: map has no entry "
                                  "for key \"%s\"", n->line, n->col, n->text, n->path[i]);
        v = next;
    }
    *out = v;
    return 0;
}

int
format_add(struct format *f, struct json_object *row, dctl_error_t *err)
{
    struct sbuf b;
    size_t i;

    sbuf_init(&b);
    for (i = 0; i < f->nnodes; i++) {
        const struct format_node *n = &f->nodes[i];
        struct json_object *v = NULL;

        if (n->kind == FORMAT_TEXT) {
            fputs(n->text, b.f);
            continue;
        }
        if (format_resolve(n, row, &v, err) < 0) {
            sbuf_discard(&b);
            return -1;
        }
        if (n->kind == FORMAT_JSON)
            format_json_write(b.f, v, NULL, 0, f->fields != NULL && n->npath == 0);
        else
            format_go_write(b.f, v);
    }
    fputc('\n', b.f);
    sbuf_take(&b);
    fwrite(b.s, 1, b.len, f->mem);
    free(b.s);
    return 0;
}

void
format_write(struct format *f, FILE *out)
{
    size_t i;

    fflush(f->mem);
    if (!f->table) {
        fwrite(f->out, 1, f->outlen, out);
    } else {
        struct sbuf b;
        cleanup_free char *table = NULL;

        sbuf_init(&b);
        for (i = 0; i < f->nnodes; i++) {
            const struct format_node *n = &f->nodes[i];
            const struct format_field *field;

            if (n->kind == FORMAT_TEXT)
                fputs(n->text, b.f);
            else if (n->kind == FORMAT_VALUE && n->npath > 0 &&
                     (field = format_field_find(f, n->path[0])) != NULL)
                fputs(field->header, b.f);
        }
        fputc('\n', b.f);
        fwrite(f->out, 1, f->outlen, b.f);
        sbuf_take(&b);
        table = format_tabwrite(b.s, FORMAT_TABLE_MINWIDTH, FORMAT_TABLE_PADDING);
        free(b.s);
        fputs(table, out);
    }
    fclose(f->mem);
    free(f->out);
    f->out = NULL;
    f->outlen = 0;
    f->mem = open_memstream(&f->out, &f->outlen);
    if (f->mem == NULL)
        abort();
}
