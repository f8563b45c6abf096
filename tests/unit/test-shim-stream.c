/* tests/unit/test-shim-stream.c - attach.sock request lines and Docker's 8-byte
 * stream frame header. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/shim/shim-stream.h"

/* a refused line's row gives only the line and -1: the rest is zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct {
    const char *line;
    int rc;
    enum shim_stream_kind kind;
    unsigned int streams, rows, cols;
    const char *exec_id;
    unsigned int signo;
    size_t body_len;
} requests[] = {
    { "attach stdin,stdout,stderr", 0, SHIM_STREAM_ATTACH,
      SHIM_STREAM_STDIN | SHIM_STREAM_STDOUT | SHIM_STREAM_STDERR, 0, 0 },
    { "attach stdout", 0, SHIM_STREAM_ATTACH, SHIM_STREAM_STDOUT, 0, 0 },
    { "attach stderr,stdin", 0, SHIM_STREAM_ATTACH, SHIM_STREAM_STDIN | SHIM_STREAM_STDERR, 0, 0 },
    { "resize 24 80", 0, SHIM_STREAM_RESIZE, 0, 24, 80 },
    { "resize 0 0", 0, SHIM_STREAM_RESIZE, 0, 0, 0 },
    { "attach ", -1, 0, 0, 0, 0 },
    { "attach", -1, 0, 0, 0, 0 },
    { "attach stdout,", -1, 0, 0, 0, 0 },
    { "attach stdout,,stderr", -1, 0, 0, 0, 0 },
    { "attach stdoutx", -1, 0, 0, 0, 0 },
    { "attach stdio", -1, 0, 0, 0, 0 },
    { "resize 24", -1, 0, 0, 0, 0 },
    { "resize 24 80 1", -1, 0, 0, 0, 0 },
    { "resize -1 80", -1, 0, 0, 0, 0 },
    { "resize 70000 80", -1, 0, 0, 0, 0 },
    { "resize a b", -1, 0, 0, 0, 0 },
    { "ATTACH stdout", -1, 0, 0, 0, 0 },
    { "", -1, 0, 0, 0, 0 },
    { "exec 0a1b stdin,stdout,stderr 120", 0, SHIM_STREAM_EXEC,
      SHIM_STREAM_STDIN | SHIM_STREAM_STDOUT | SHIM_STREAM_STDERR, 0, 0, "0a1b", 0, 120 },
    { "exec ff - 2", 0, SHIM_STREAM_EXEC, 0, 0, 0, "ff", 0, 2 },
    { "exec ff stdout 1048576", 0, SHIM_STREAM_EXEC, SHIM_STREAM_STDOUT, 0, 0, "ff", 0, 1048576 },
    { "exec ff stdout 1048577", -1 },
    { "exec ff stdout 0", -1 },
    { "exec ff stdout", -1 },
    { "exec ff stdout 12x", -1 },
    { "exec ff stdout ", -1 },
    { "execwait 0123456789abcdef", 0, SHIM_STREAM_EXEC_WAIT, 0, 0, 0, "0123456789abcdef" },
    { "execresize ab 30 100", 0, SHIM_STREAM_EXEC_RESIZE, 0, 30, 100, "ab" },
    { "execkill ab 9", 0, SHIM_STREAM_EXEC_KILL, 0, 0, 0, "ab", 9 },
    { "execkill ab 64", 0, SHIM_STREAM_EXEC_KILL, 0, 0, 0, "ab", 64 },
    { "exec 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef - 9", 0,
      SHIM_STREAM_EXEC, 0, 0, 0, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      0, 9 },
    { "exec 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0 - 9", -1 },
    { "exec AB - 9", -1 },
    { "exec ../x - 9", -1 },
    { "exec ab", -1 },
    { "exec ab ", -1 },
    { "exec  -", -1 },
    { "exec ab stdio 9", -1 },
    { "exec ab -,stdout 9", -1 },
    { "execwait", -1 },
    { "execwait ", -1 },
    { "execwait ab ", -1 },
    { "execwait xy", -1 },
    { "execresize ab 30", -1 },
    { "execresize 30 100", -1 },
    { "execkill ab 0", -1 },
    { "execkill ab 65", -1 },
    { "execkill ab KILL", -1 },
};

START_TEST(test_shim_stream_parse)
{
    struct shim_stream_request req;

    ck_assert_int_eq(shim_stream_parse(requests[_i].line, &req), requests[_i].rc);
    if (requests[_i].rc < 0)
        return;
    ck_assert_int_eq(req.kind, requests[_i].kind);
    ck_assert_uint_eq(req.streams, requests[_i].streams);
    ck_assert_uint_eq(req.rows, requests[_i].rows);
    ck_assert_uint_eq(req.cols, requests[_i].cols);
    ck_assert_str_eq(req.exec_id, requests[_i].exec_id ? requests[_i].exec_id : "");
    ck_assert_uint_eq(req.signo, requests[_i].signo);
    ck_assert_uint_eq(req.body_len, requests[_i].body_len);
}
END_TEST

static const struct {
    int stream;
    uint32_t size;
    uint8_t want[8];
} headers[] = {
    { 1, 3, { 1, 0, 0, 0, 0, 0, 0, 3 } },
    { 2, 0x010203, { 2, 0, 0, 0, 0, 1, 2, 3 } },
    { 1, 0xdeadbeef, { 1, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef } },
    { 2, 16384, { 2, 0, 0, 0, 0, 0, 0x40, 0 } },
};

START_TEST(test_shim_stream_header)
{
    uint8_t hdr[SHIM_STREAM_HEADER];

    memset(hdr, 0xff, sizeof hdr);
    shim_stream_header(hdr, headers[_i].stream, headers[_i].size);
    ck_assert(memcmp(hdr, headers[_i].want, sizeof hdr) == 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("shim-stream");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_shim_stream_parse, 0, sizeof requests / sizeof requests[0]);
    tcase_add_loop_test(tc, test_shim_stream_header, 0, sizeof headers / sizeof headers[0]);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
