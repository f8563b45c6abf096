/* tests/unit/test-shim-log.c - dctl-shim's json-file writer: Docker's exact line
 * bytes (escaping, field order, time format), the 16 KiB line cut, flushing at the
 * end of a stream, and rotation naming with maxSize/maxFile. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/shim/shim-log.h"

#define T0 1795878000123456789LL /* 2026-11-28T15:00:00.123456789Z */

static const struct {
    long long ns;
    const char *want;
} times[] = {
    { T0, "2026-11-28T15:00:00.123456789Z" },
    { 1795878000120000000LL, "2026-11-28T15:00:00.12Z" }, /* Go drops trailing zeros */
    { 1795878000000000000LL, "2026-11-28T15:00:00Z" },
    { 1795878000000000001LL, "2026-11-28T15:00:00.000000001Z" },
    { 0, "1970-01-01T00:00:00Z" },
    { 951782400000000000LL, "2000-02-29T00:00:00Z" },
    { 1709251199999999999LL, "2024-02-29T23:59:59.999999999Z" },
    { 4107587696500000000LL, "2100-03-01T12:34:56.5Z" },
};

START_TEST(test_shim_log_time)
{
    char buf[48];

    shim_log_format_time(times[_i].ns, buf, sizeof buf);
    ck_assert_str_eq(buf, times[_i].want);
}
END_TEST

static const struct {
    const char *in;
    size_t len; /* 0: strlen */
    const char *stream;
    const char *want;
} lines[] = {
    { "hi\n", 0, "stdout", "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T15:00:00.123456789Z\"}\n" },
    { "a \"q\" \\ b\r\n", 0, "stderr", "{\"log\":\"a \\\"q\\\" \\\\ b\\r\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-28T15:00:00.123456789Z\"}\n" },
    /* HTML-safe, and control bytes (a tab too) as \u00XX, as moby's jsonlog */
    { "<a>&\t\x01", 0, "stdout", "{\"log\":\"\\u003ca\\u003e\\u0026\\u0009\\u0001\",\"stream\":\"stdout\",\"time\":\"2026-11-28T15:00:00.123456789Z\"}\n" },
    /* valid UTF-8 as is; a bad byte as U+FFFD; U+2028 escaped */
    { "\xc3\xa9\xff\xe2\x80\xa8", 0, "stdout", "{\"log\":\"\xc3\xa9\\ufffd\\u2028\",\"stream\":\"stdout\",\"time\":\"2026-11-28T15:00:00.123456789Z\"}\n" },
    /* an overlong form and a surrogate are invalid, byte by byte */
    { "\xc0\xaf\xed\xa0\x80", 0, "stdout", "{\"log\":\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\",\"stream\":\"stdout\",\"time\":\"2026-11-28T15:00:00.123456789Z\"}\n" },
    { "nul\0byte", 8, "stdout", "{\"log\":\"nul\\u0000byte\",\"stream\":\"stdout\",\"time\":\"2026-11-28T15:00:00.123456789Z\"}\n" },
};

START_TEST(test_shim_log_format)
{
    size_t len = lines[_i].len ? lines[_i].len : strlen(lines[_i].in);
    char *out = malloc(shim_log_format_max(len));
    size_t n = shim_log_format(out, lines[_i].in, len, lines[_i].stream, T0);

    ck_assert_uint_le(n, shim_log_format_max(len));
    ck_assert_uint_eq(n, strlen(lines[_i].want));
    ck_assert(memcmp(out, lines[_i].want, n) == 0);
    free(out);
}
END_TEST

static char tmpdir[64];

static void
setup(void)
{
    strcpy(tmpdir, "/tmp/test-shim-log.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* the "log" values of each line of a log file, "|"-separated */
static char *
log_values(const char *path)
{
    char *text = slurp(path), *out = calloc(1, text ? strlen(text) + 1 : 1), *p;

    for (p = text; p && *p;) {
        char *nl = strchr(p, '\n'), *v = strstr(p, "{\"log\":\""), *e;

        ck_assert_ptr_nonnull(nl);
        ck_assert_ptr_eq(v, p);
        v += 8;
        e = strstr(v, "\",\"stream\"");
        ck_assert_ptr_nonnull(e);
        if (*out)
            strcat(out, "|");
        strncat(out, v, (size_t)(e - v));
        p = nl + 1;
    }
    free(text);
    return out;
}

START_TEST(test_shim_log_split)
{
    struct shim_log *l = calloc(1, sizeof *l);
    char path[128], *big = malloc(SHIM_LOG_LINE_MAX + 10), *text, *v;

    snprintf(path, sizeof path, "%s/c-json.log", tmpdir);
    ck_assert_int_eq(shim_log_open(l, path, 0, 1), 0);
    /* pieces of one line are joined; two lines in one write are two entries */
    shim_log_write(l, SHIM_LOG_STDOUT, "he", 2, T0);
    shim_log_write(l, SHIM_LOG_STDERR, "err\n", 4, T0);
    shim_log_write(l, SHIM_LOG_STDOUT, "llo\nsecond\nthi", 14, T0);
    shim_log_flush(l, SHIM_LOG_STDOUT, T0); /* end of stream: no newline added */
    shim_log_close(l);
    v = log_values(path);
    ck_assert_str_eq(v, "err\\n|hello\\n|second\\n|thi");
    free(v);
    text = slurp(path);
    ck_assert(strstr(text, "{\"log\":\"err\\n\",\"stream\":\"stderr\",") == text);
    free(text);

    /* a line of exactly 16 KiB and its newline: cut part, then "\n" alone (Docker) */
    unlink(path);
    ck_assert_int_eq(shim_log_open(l, path, 0, 1), 0);
    memset(big, 'x', SHIM_LOG_LINE_MAX + 10);
    big[SHIM_LOG_LINE_MAX] = '\n';
    shim_log_write(l, SHIM_LOG_STDOUT, big, SHIM_LOG_LINE_MAX + 1, T0);
    /* 16 KiB + 5 without a newline, then end: two parts, neither with "\n" */
    shim_log_write(l, SHIM_LOG_STDOUT, big, SHIM_LOG_LINE_MAX, T0);
    shim_log_write(l, SHIM_LOG_STDOUT, "abcde", 5, T0);
    shim_log_flush(l, SHIM_LOG_STDOUT, T0);
    /* 16 KiB - 1 and a newline fit one entry */
    big[SHIM_LOG_LINE_MAX - 1] = '\n';
    shim_log_write(l, SHIM_LOG_STDOUT, big, SHIM_LOG_LINE_MAX, T0);
    shim_log_close(l);
    v = log_values(path);
    {
        char *want = malloc(4 * SHIM_LOG_LINE_MAX + 64), *w = want;

        memset(w, 'x', SHIM_LOG_LINE_MAX), w += SHIM_LOG_LINE_MAX;
        w += sprintf(w, "|\\n|");
        memset(w, 'x', SHIM_LOG_LINE_MAX), w += SHIM_LOG_LINE_MAX;
        w += sprintf(w, "|abcde|");
        memset(w, 'x', SHIM_LOG_LINE_MAX - 1), w += SHIM_LOG_LINE_MAX - 1;
        strcpy(w, "\\n");
        ck_assert_uint_eq(strlen(v), strlen(want));
        ck_assert(strcmp(v, want) == 0);
        free(want);
    }
    free(v);
    free(big);
    free(l);
}
END_TEST

/* each entry below is 78 bytes: {"log":"lineN\n","stream":"stdout","time":"...Z"}\n */
static const struct {
    int max_file;
    int lines;
    const char *want[4]; /* the "log" values of PATH, PATH.1, PATH.2, PATH.3 ("-": absent) */
} rotations[] = {
    /* maxSize 200 holds two entries; a third would pass it: rotate first */
    { 3, 5, { "line5\\n", "line3\\n|line4\\n", "line1\\n|line2\\n", "-" } },
    { 3, 7, { "line7\\n", "line5\\n|line6\\n", "line3\\n|line4\\n", "-" } },
    { 2, 5, { "line5\\n", "line3\\n|line4\\n", "-", "-" } },
    /* one file kept: emptied in place, as Docker's json-file does */
    { 1, 5, { "line5\\n", "-", "-", "-" } },
    { 4, 2, { "line1\\n|line2\\n", "-", "-", "-" } },
};

START_TEST(test_shim_log_rotate)
{
    struct shim_log *l = calloc(1, sizeof *l);
    char path[128], name[160], line[16];
    struct stat st;
    int i;

    snprintf(path, sizeof path, "%s/c-json.log", tmpdir);
    ck_assert_int_eq(shim_log_open(l, path, 200, rotations[_i].max_file), 0);
    for (i = 1; i <= rotations[_i].lines; i++) {
        snprintf(line, sizeof line, "line%d\n", i);
        shim_log_write(l, SHIM_LOG_STDOUT, line, strlen(line), T0);
    }
    ck_assert_int_eq(l->error, 0);
    shim_log_close(l);
    for (i = 0; i < 4; i++) {
        char *v;

        if (i == 0)
            snprintf(name, sizeof name, "%s", path);
        else
            snprintf(name, sizeof name, "%s.%d", path, i);
        if (strcmp(rotations[_i].want[i], "-") == 0) {
            ck_assert_msg(stat(name, &st) < 0, "%s should not exist", name);
            continue;
        }
        v = log_values(name);
        ck_assert_str_eq(v, rotations[_i].want[i]);
        ck_assert_int_eq(stat(name, &st), 0);
        ck_assert_int_le(st.st_size, 200);
        ck_assert_int_eq(st.st_mode & 0777, 0640);
        free(v);
    }
    free(l);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("shim-log");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_shim_log_time, 0, sizeof times / sizeof times[0]);
    tcase_add_loop_test(tc, test_shim_log_format, 0, sizeof lines / sizeof lines[0]);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_shim_log_split);
    tcase_add_loop_test(tc, test_shim_log_rotate, 0, sizeof rotations / sizeof rotations[0]);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
