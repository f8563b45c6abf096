/* tests/unit/test-format.c - client/format: go-units' humanised sizes and durations,
 * docker's tab writer, --format templates (rendering and refusals), Go-style JSON and
 * values, IDs and ellipses; and the rows `dctl images` and `dctl history` build from
 * the daemon's answers. Expected strings are docker's. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cmd-image.h"
#include "client/format.h"
#include "lib/json.h"
#include "lib/util.h"

static const struct {
    double size;
    int precision;
    const char *out;
} sizes[] = {
    { 0, 3, "0B" },
    { 999, 3, "999B" },
    { 1000, 3, "1kB" },
    { 1024, 4, "1.024kB" },
    { 1982256, 3, "1.98MB" },
    { 1982256, 4, "1.982MB" },
    { 4261150, 3, "4.26MB" },
    { 999999, 3, "1e+03kB" }, /* Go's %.3g too */
    { 1e9, 4, "1GB" },
    { 3.5e12, 3, "3.5TB" },
    { 1e30, 4, "1e+06YB" },
};

START_TEST(test_size_human)
{
    char buf[64];

    format_size_human(sizes[_i].size, sizes[_i].precision, buf, sizeof buf);
    ck_assert_str_eq(buf, sizes[_i].out);
}
END_TEST

#define SEC 1000000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define MONTH (30 * DAY)
#define YEAR (365 * DAY)

/* go-units duration_test.go */
static const struct {
    long long ns;
    const char *out;
} durations[] = {
    { 450000000LL, "Less than a second" },
    { -5 * SEC, "Less than a second" },
    { 1 * SEC, "1 second" },
    { 45 * SEC, "45 seconds" },
    { 59 * SEC, "59 seconds" },
    { 60 * SEC, "About a minute" },
    { 3 * MIN, "3 minutes" },
    { 35 * MIN + 40 * SEC, "35 minutes" },
    { 59 * MIN, "59 minutes" },
    { 1 * HOUR, "About an hour" },
    { 1 * HOUR + 29 * MIN, "About an hour" },
    { 1 * HOUR + 31 * MIN, "2 hours" },
    { 3 * HOUR + 29 * MIN, "3 hours" },
    { 3 * HOUR + 31 * MIN, "4 hours" },
    { 24 * HOUR, "24 hours" },
    { 1 * DAY + 12 * HOUR, "36 hours" },
    { 2 * DAY, "2 days" },
    { 13 * DAY + 5 * HOUR, "13 days" },
    { 2 * WEEK, "2 weeks" },
    { 2 * WEEK + 4 * DAY, "2 weeks" },
    { 1 * MONTH, "4 weeks" },
    { 1 * MONTH + 2 * WEEK, "6 weeks" },
    { 2 * MONTH, "2 months" },
    { 5 * MONTH + 2 * WEEK, "5 months" },
    { 24 * MONTH, "24 months" },
    { 24 * MONTH + 2 * WEEK, "2 years" },
    { 3 * YEAR + 2 * MONTH, "3 years" },
};

START_TEST(test_duration_human)
{
    char buf[64];

    format_duration_human(durations[_i].ns, buf, sizeof buf);
    ck_assert_str_eq(buf, durations[_i].out);
}
END_TEST

START_TEST(test_since_and_times)
{
    cleanup_free char *a = format_since(1700000000, 1700000000LL * SEC + 90 * SEC);
    char buf[64];

    ck_assert_str_eq(a, "About a minute ago");
    format_local_time(1700000000, buf, sizeof buf);
    ck_assert_str_eq(buf, "2023-11-14 22:13:20 +0000 UTC");
}
END_TEST

static const struct {
    const char *in;
    size_t max;
    const char *out;
} ellipses[] = {
    { "abcdefg", 7, "abcdefg" },
    { "abcdefg", 6, "abcde…" },
    { "abcdefg", 1, "a" },
    { "abcdefg", 0, "" },
    { "héllo wörld", 8, "héllo w…" },
    { "/bin/sh -c #(nop)  CMD [\"sh\"]", 45, "/bin/sh -c #(nop)  CMD [\"sh\"]" },
};

START_TEST(test_ellipsis)
{
    cleanup_free char *s = format_ellipsis(ellipses[_i].in, ellipses[_i].max);

    ck_assert_str_eq(s, ellipses[_i].out);
}
END_TEST

START_TEST(test_truncate_id)
{
    cleanup_free char *a = format_truncate_id("sha256:ece9ec9565fbc3a9465656209fe1051c2da3a561");
    cleanup_free char *b = format_truncate_id("ece9ec9565fbc3a946");
    cleanup_free char *c = format_truncate_id("<missing>");

    ck_assert_str_eq(a, "ece9ec9565fb");
    ck_assert_str_eq(b, "ece9ec9565fb");
    ck_assert_str_eq(c, "<missing>");
}
END_TEST

/* Go's tabwriter with docker's settings; the first case is docker's history golden */
static const struct {
    const char *in, *out;
} tables[] = {
    { "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n"
      "123456789012\tLess than a second ago\t\t0B\tnone\n",
      "IMAGE          CREATED                  CREATED BY   SIZE      COMMENT\n"
      "123456789012   Less than a second ago                0B        none\n" },
    { "A\tB\nlonger cell\tx\n", "A             B\nlonger cell   x\n" },
    /* a line with fewer cells ends the column block */
    { "a\tb\tc\nxxxxxxxxxxxx\n1\t2\tz\n", "a         b         c\nxxxxxxxxxxxx\n1         2         z\n" },
    { "no tabs\n", "no tabs\n" },
    { "", "" },
    { "é\tx\nab\ty\n", "é         x\nab        y\n" },
};

START_TEST(test_tabwrite)
{
    cleanup_free char *out = format_tabwrite(tables[_i].in, FORMAT_TABLE_MINWIDTH,
                                             FORMAT_TABLE_PADDING);

    ck_assert_str_eq(out, tables[_i].out);
}
END_TEST

static const struct format_field fields[] = {
    { "ID", "IMAGE ID" }, { "Repository", "REPOSITORY" }, { "Tag", "TAG" },
    { "Size", "SIZE" },   { NULL, NULL },
};

static const char row1[] = "{\"ID\":\"abc\",\"Repository\":\"busybox\",\"Tag\":\"one\","
                           "\"Size\":\"1.98MB\"}";
static const char row2[] = "{\"ID\":\"def456\",\"Repository\":\"localhost:5000/x/y\","
                           "\"Tag\":\"v1\",\"Size\":\"<1kB&\"}";

static const struct {
    const char *format, *out;
} renders[] = {
    { "{{.Repository}}:{{.Tag}}", "busybox:one\nlocalhost:5000/x/y:v1\n" },
    { "{{ .ID }} {{.Size}}", "abc 1.98MB\ndef456 <1kB&\n" },
    { "table {{.ID}}\\t{{.Size}}",
      "IMAGE ID   SIZE\nabc        1.98MB\ndef456     <1kB&\n" },
    { "table {{.Repository}}:{{.Tag}}\\t{{.ID}}",
      "REPOSITORY:TAG          IMAGE ID\nbusybox:one             abc\n"
      "localhost:5000/x/y:v1   def456\n" },
    { "json",
      "{\"ID\":\"abc\",\"Repository\":\"busybox\",\"Size\":\"1.98MB\",\"Tag\":\"one\"}\n"
      "{\"ID\":\"def456\",\"Repository\":\"localhost:5000/x/y\",\"Size\":\"\\u003c1kB\\u0026\","
      "\"Tag\":\"v1\"}\n" },
    { "{{json .Tag}}", "\"one\"\n\"v1\"\n" },
    { "{{json .Size}}", "\"1.98MB\"\n\"<1kB&\"\n" }, /* docker's json: no HTML escapes */
    { "  x{{- .Tag -}}  y\\n", "xoney\n\nxv1y\n\n" },
    { "plain", "plain\nplain\n" },
    { "table", "REPOSITORY           TAG\nbusybox              one\nlocalhost:5000/x/y   v1\n" },
};

START_TEST(test_render)
{
    cleanup_format struct format *f = NULL;
    cleanup_json struct json_object *a = json_tokener_parse(row1);
    cleanup_json struct json_object *b = json_tokener_parse(row2);
    dctl_error_t err = NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);

    f = format_new(renders[_i].format, "table {{.Repository}}\\t{{.Tag}}", fields, &err);
    ck_assert_msg(f != NULL, "%s: %s", renders[_i].format, err ? err->msg : "");
    ck_assert_int_eq(format_add(f, a, &err), 0);
    ck_assert_int_eq(format_add(f, b, &err), 0);
    format_write(f, mem);
    fclose(mem);
    ck_assert_str_eq(out, renders[_i].out);
    free(out);
}
END_TEST

static const struct {
    const char *format, *msg;
} refusals[] = {
    { "{{.Nope}}", "template parsing error: template: :1:2: executing \"\" at <.Nope>: "
                   "can't evaluate field Nope" },
    { "x {{.ID.Sub}}", "template parsing error: template: :1:7: executing \"\" at <.ID.Sub>: "
                       "can't evaluate field Sub in type string" },
    { "{{.ID", "template parsing error: template: :1: unclosed action" },
    { "{{}}", "template parsing error: template: :1: missing value for command" },
    { "{{if .ID}}x{{end}}", "template parsing error: template: :1: unsupported action "
                            "\"{{if .ID}}\": dctl supports {{.Field}}, {{.Field.Sub}}, {{.}} "
                            "and {{json .Field}}" },
    { "{{.ID | upper}}", "unsupported action \"{{.ID | upper}}\"" },
    { "{{upper .ID}}", "unsupported action" },
    { "a\\n{{range .}}", "template: :2: unsupported action \"{{range .}}\"" },
    { "{{$x := 1}}", "unsupported action" },
    { "{{/* c */}}", "unsupported action" },
};

START_TEST(test_refuse)
{
    dctl_error_t err = NULL;
    struct format *f = format_new(refusals[_i].format, NULL, fields, &err);

    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, refusals[_i].msg) != NULL, "%s: %s", refusals[_i].format,
                  err->msg);
    dctl_error_free(err);
}
END_TEST

static const char inspect[] =
    "{\"Id\":\"sha256:abc\",\"RepoTags\":[\"busybox:one\",\"x:1\"],\"Size\":1982256,"
    "\"Ratio\":0.5,\"Big\":1234567.0,\"Config\":{\"Cmd\":[\"sh\"],\"Env\":null,"
    "\"Labels\":{\"z\":\"1\",\"a\":\"<b>\"},\"Tty\":false},\"Empty\":{},\"None\":[]}";

static const struct {
    const char *format, *out, *err;
} paths[] = {
    { "{{.Id}}", "sha256:abc\n", NULL },
    { "{{.Config.Cmd}} {{.RepoTags}} {{.Size}}", "[sh] [busybox:one x:1] 1982256\n", NULL },
    { "{{.Config.Labels}}|{{.Config.Env}}|{{.Config.Tty}}", "map[a:<b> z:1]|<nil>|false\n",
      NULL },
    { "{{.Ratio}} {{.Big}} {{.Empty}} {{.None}}", "0.5 1.234567e+06 map[] []\n", NULL },
    { "{{json .Config}}",
      "{\"Cmd\":[\"sh\"],\"Env\":null,\"Labels\":{\"a\":\"<b>\",\"z\":\"1\"},"
      "\"Tty\":false}\n", NULL },
    { "{{json .Config.Labels.z}}", "\"1\"\n", NULL },
    { "{{.Config.Nope}}", NULL, "template parsing error: template: :1:9: executing \"\" at "
                                "<.Config.Nope>: map has no entry for key \"Nope\"" },
    { "{{.Size.X}}", NULL, "at <.Size.X>: can't evaluate field X in type int64" },
    { "{{.Config.Env.X}}", NULL, "nil pointer evaluating interface {}.X" },
};

START_TEST(test_paths)
{
    cleanup_json struct json_object *o = json_tokener_parse(inspect);
    cleanup_format struct format *f = NULL;
    dctl_error_t err = NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *mem;
    int rc;

    ck_assert_ptr_nonnull(o);
    f = format_new(paths[_i].format, NULL, NULL, &err);
    ck_assert_ptr_nonnull(f);
    rc = format_add(f, o, &err);
    mem = open_memstream(&out, &len);
    format_write(f, mem);
    fclose(mem);
    if (paths[_i].err == NULL) {
        ck_assert_msg(rc == 0, "%s: %s", paths[_i].format, err ? err->msg : "");
        ck_assert_str_eq(out, paths[_i].out);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_msg(strstr(err->msg, paths[_i].err) != NULL, "%s", err->msg);
        ck_assert_str_eq(out, ""); /* nothing of a row that failed */
        dctl_error_free(err);
    }
    free(out);
}
END_TEST

START_TEST(test_json_indent)
{
    cleanup_json struct json_object *o = json_tokener_parse(
        "[{\"Id\":\"x\",\"Tags\":[\"a\",\"b\"],\"E\":[],\"O\":{},\"N\":null,\"S\":\"\\u2028\\t\"}]");
    cleanup_json struct json_object *empty = json_object_new_array();
    cleanup_free char *a = format_json(o, "    ");
    cleanup_free char *b = format_json(empty, "    ");

    ck_assert_str_eq(a, "[\n    {\n        \"Id\": \"x\",\n        \"Tags\": [\n"
                        "            \"a\",\n            \"b\"\n        ],\n"
                        "        \"E\": [],\n        \"O\": {},\n        \"N\": null,\n"
                        "        \"S\": \"\\u2028\\t\"\n    }\n]");
    ck_assert_str_eq(b, "[]");
}
END_TEST

START_TEST(test_uses)
{
    dctl_error_t err = NULL;
    cleanup_format struct format *a = format_new("table {{.ID}}\\t{{json .Size}}", NULL,
                                                 fields, &err);
    cleanup_format struct format *b = format_new("json", NULL, fields, &err);

    ck_assert(format_is_table(a));
    ck_assert(format_uses(a, "ID") && format_uses(a, "Size") && !format_uses(a, "Tag"));
    ck_assert(!format_is_table(b));
    ck_assert(!format_uses(b, "ID")); /* {{json .}} names no field, as in docker */
}
END_TEST

/* ---- the rows of dctl images and dctl history ----------------------------------------- */

#define ID1 "sha256:ece9ec9565fbc3a9465656209fe1051c2da3a5615f4ad9d6d055afc4d24c7011"
#define DG1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static const struct {
    const char *summary;
    bool digests;
    const char *rows; /* "REPO TAG DIGEST ID;..." */
} images[] = {
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[],\"RepoDigests\":[]}", false,
      "<none> <none> <none> ece9ec9565fb;" },
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[\"<none>:<none>\"],\"RepoDigests\":[\"<none>@<none>\"]}",
      false, "<none> <none> <none> ece9ec9565fb;" },
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[\"busybox:one\",\"localhost:5000/x/y:v1\",\"busybox:two\"],"
      "\"RepoDigests\":[]}", false,
      "busybox one <none> ece9ec9565fb;busybox two <none> ece9ec9565fb;"
      "localhost:5000/x/y v1 <none> ece9ec9565fb;" },
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[\"busybox:one\"],\"RepoDigests\":[\"busybox@" DG1 "\"]}",
      false, "busybox one <none> ece9ec9565fb;" },
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[\"busybox:one\"],\"RepoDigests\":[\"busybox@" DG1 "\"]}",
      true, "busybox one " DG1 " ece9ec9565fb;" },
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[],\"RepoDigests\":[\"other@" DG1 "\"]}", false,
      "other <none>  ece9ec9565fb;" },
    { "{\"Id\":\"" ID1 "\",\"RepoTags\":[],\"RepoDigests\":[\"other@" DG1 "\"]}", true,
      "other <none> " DG1 " ece9ec9565fb;" },
};

START_TEST(test_images_rows)
{
    cleanup_free char *text = NULL;
    cleanup_json struct json_object *list = json_object_new_array();
    cleanup_json struct json_object *rows = NULL;
    char got[2048] = "";
    size_t i;

    json_object_array_add(list, json_tokener_parse(images[_i].summary));
    rows = cmd_images_rows(list, images[_i].digests, true, 0);
    for (i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *r = json_object_array_get_idx(rows, i);
        size_t n = strlen(got);

        snprintf(got + n, sizeof got - n, "%s %s %s %s;", json_get_string(r, "Repository"),
                 json_get_string(r, "Tag"), json_get_string(r, "Digest"),
                 json_get_string(r, "ID"));
    }
    ck_assert_str_eq(got, images[_i].rows);
}
END_TEST

START_TEST(test_images_row_fields)
{
    cleanup_json struct json_object *list = json_tokener_parse(
        "[{\"Id\":\"" ID1 "\",\"RepoTags\":[\"bb:1\"],\"Created\":1700000000,\"Size\":1982256,"
        "\"SharedSize\":-1,\"Containers\":-1}]");
    cleanup_json struct json_object *rows = cmd_images_rows(list, false, false,
                                                            (1700000000LL + 75) * SEC);
    cleanup_format struct format *f = NULL;
    dctl_error_t err = NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);

    f = format_new("json", NULL, cmd_images_fields, &err);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(format_add(f, json_object_array_get_idx(rows, 0), &err), 0);
    format_write(f, mem);
    fclose(mem);
    ck_assert_str_eq(out, "{\"Containers\":\"N/A\",\"CreatedAt\":\"2023-11-14 22:13:20 +0000 UTC\","
                          "\"CreatedSince\":\"About a minute ago\",\"Digest\":\"\\u003cnone\\u003e\","
                          "\"ID\":\"" ID1 "\",\"Repository\":\"bb\",\"SharedSize\":\"N/A\","
                          "\"Size\":\"1.98MB\",\"Tag\":\"1\",\"UniqueSize\":\"N/A\","
                          "\"VirtualSize\":\"1.982MB\"}\n");
    free(out);
}
END_TEST

START_TEST(test_history_rows)
{
    cleanup_json struct json_object *list = json_tokener_parse(
        "[{\"Id\":\"" ID1 "\",\"Created\":1700000000,\"CreatedBy\":\"/bin/sh -c\\tapt-get update "
        "&& apt-get install -y curl wget\",\"Size\":1982256,\"Comment\":\"hello\"},"
        "{\"Id\":\"<missing>\",\"Created\":1700000000,\"CreatedBy\":\"\",\"Size\":0}]");
    cleanup_json struct json_object *h = cmd_history_rows(list, true, true,
                                                          (1700000000LL + 3 * 3600) * SEC);
    cleanup_json struct json_object *r = cmd_history_rows(list, false, false, 0);
    struct json_object *a = json_object_array_get_idx(h, 0), *b = json_object_array_get_idx(h, 1);
    struct json_object *c = json_object_array_get_idx(r, 0);

    ck_assert_str_eq(json_get_string(a, "ID"), "ece9ec9565fb");
    ck_assert_str_eq(json_get_string(a, "CreatedSince"), "3 hours ago");
    ck_assert_str_eq(json_get_string(a, "CreatedBy"),
                     "/bin/sh -c apt-get update && apt-get install…");
    ck_assert_str_eq(json_get_string(a, "Size"), "1.98MB");
    ck_assert_str_eq(json_get_string(a, "Comment"), "hello");
    ck_assert_str_eq(json_get_string(b, "ID"), "<missing>");
    ck_assert_str_eq(json_get_string(b, "Size"), "0B");
    ck_assert_str_eq(json_get_string(c, "ID"), ID1);
    ck_assert_str_eq(json_get_string(c, "CreatedSince"), "2023-11-14T22:13:20Z");
    ck_assert_str_eq(json_get_string(c, "Size"), "1982256");
    ck_assert_str_eq(json_get_string(c, "CreatedBy"),
                     "/bin/sh -c apt-get update && apt-get install -y curl wget");
}
END_TEST

START_TEST(test_parse_bool)
{
    static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
    static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
    bool v;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(t); i++) {
        v = false;
        ck_assert_int_eq(util_parse_go_bool(t[i], &v), 0);
        ck_assert(v);
        ck_assert_int_eq(util_parse_go_bool(f[i], &v), 0);
        ck_assert(!v);
    }
    ck_assert_int_eq(util_parse_go_bool("yes", &v), -1);
    ck_assert_int_eq(util_parse_go_bool("", &v), -1);
}
END_TEST

START_TEST(test_path_escape)
{
    cleanup_free char *a = cmd_image_path_escape("localhost:5000/x/y:v1");
    cleanup_free char *b = cmd_image_path_escape("a b?c#d%");

    ck_assert_str_eq(a, "localhost:5000/x/y:v1");
    ck_assert_str_eq(b, "a%20b%3Fc%23d%25");
}
END_TEST

static Suite *
format_suite(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_size_human, 0, ARRAY_SIZE(sizes));
    tcase_add_loop_test(tc, test_duration_human, 0, ARRAY_SIZE(durations));
    tcase_add_test(tc, test_since_and_times);
    tcase_add_loop_test(tc, test_ellipsis, 0, ARRAY_SIZE(ellipses));
    tcase_add_test(tc, test_truncate_id);
    tcase_add_loop_test(tc, test_tabwrite, 0, ARRAY_SIZE(tables));
    tcase_add_loop_test(tc, test_render, 0, ARRAY_SIZE(renders));
    tcase_add_loop_test(tc, test_refuse, 0, ARRAY_SIZE(refusals));
    tcase_add_loop_test(tc, test_paths, 0, ARRAY_SIZE(paths));
    tcase_add_test(tc, test_json_indent);
    tcase_add_test(tc, test_uses);
    tcase_add_loop_test(tc, test_images_rows, 0, ARRAY_SIZE(images));
    tcase_add_test(tc, test_images_row_fields);
    tcase_add_test(tc, test_history_rows);
    tcase_add_test(tc, test_parse_bool);
    tcase_add_test(tc, test_path_escape);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(format_suite());
    int failed;

    setenv("TZ", "UTC", 1);
    tzset();
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
