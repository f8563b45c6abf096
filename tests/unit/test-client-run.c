/* tests/unit/test-client-run.c - dctl run's flags as the create body (a table of flags
 * and the JSON member each sets, and values refused), Go durations, --env-file
 * parsing, and the decoder of Docker's 8-byte stream framing fed in every split. */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/hijack.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/unit/run-args.h"

/* args (space-separated, "run" prepended), then a Python-ish path into the body and
 * the JSON text expected there */
static const struct {
    const char *args, *path, *want;
} bodies[] = {
    { "bb", "Image", "\"bb\"" },
    { "bb echo hi", "Cmd", "[\"echo\",\"hi\"]" },
    { "-e A=1 -e B=2 bb", "Env", "[\"A=1\",\"B=2\"]" },
    { "-w /tmp bb", "WorkingDir", "\"/tmp\"" },
    { "-u nobody bb", "User", "\"nobody\"" },
    { "-h box bb", "Hostname", "\"box\"" },
    { "--hostname box bb", "Hostname", "\"box\"" },
    { "--entrypoint echo bb", "Entrypoint", "[\"echo\"]" },
    { "--entrypoint= bb", "Entrypoint", "[]" },
    { "-t -i bb", "Tty", "true" },
    { "-i bb", "OpenStdin", "true" },
    { "-i bb", "AttachStdin", "true" },
    { "-d -i bb", "AttachStdin", "false" },
    { "-d bb", "AttachStdout", "false" },
    { "-l a=b -l c bb", "Labels", "{\"a\":\"b\",\"c\":\"\"}" },
    { "--stop-signal USR1 bb", "StopSignal", "\"USR1\"" },
    { "--stop-timeout 3 bb", "StopTimeout", "3" },
    { "--health-cmd true --health-interval 1m30s bb", "Healthcheck",
      "{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":90000000000}" },
    { "--no-healthcheck bb", "Healthcheck", "{\"Test\":[\"NONE\"]}" },
    { "--rm bb", "HostConfig.AutoRemove", "true" },
    { "-v /a:/b:ro bb", "HostConfig.Binds", "[\"/a:/b:ro\"]" },
    { "--mount type=bind,source=/a,target=/b,readonly bb", "HostConfig.Mounts",
      "[{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/b\",\"ReadOnly\":true}]" },
    { "--mount type=tmpfs,dst=/t,tmpfs-size=1024 bb", "HostConfig.Mounts",
      "[{\"Type\":\"tmpfs\",\"Target\":\"/t\",\"TmpfsOptions\":{\"SizeBytes\":1024}}]" },
    { "--tmpfs /run:size=1m bb", "HostConfig.Tmpfs", "{\"/run\":\"size=1m\"}" },
    { "--restart on-failure:3 bb", "HostConfig.RestartPolicy",
      "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}" },
    { "--restart always bb", "HostConfig.RestartPolicy",
      "{\"Name\":\"always\",\"MaximumRetryCount\":0}" },
    { "--init bb", "HostConfig.Init", "true" },
    { "--dns 1.1.1.1 --dns-search x --dns-option ndots:2 bb", "HostConfig.Dns",
      "[\"1.1.1.1\"]" },
    { "--dns-option ndots:2 bb", "HostConfig.DnsOptions", "[\"ndots:2\"]" },
    { "--add-host h:10.0.0.1 bb", "HostConfig.ExtraHosts", "[\"h:10.0.0.1\"]" },
    { "--log-driver none bb", "HostConfig.LogConfig", "{\"Type\":\"none\",\"Config\":{}}" },
    { "--log-opt max-size=1m bb", "HostConfig.LogConfig",
      "{\"Type\":\"\",\"Config\":{\"max-size\":\"1m\"}}" },
    { "--network none bb", "HostConfig.NetworkMode", "\"none\"" },
    { "bb", "HostConfig.NetworkMode", "\"default\"" },
    { "--read-only bb", "HostConfig.ReadonlyRootfs", "true" },
    { "--group-add 10 bb", "HostConfig.GroupAdd", "[\"10\"]" },
    { "--pid host --ipc host --uts host bb", "HostConfig.PidMode", "\"host\"" },
    { "--ipc host bb", "HostConfig.IpcMode", "\"host\"" },
    /* capabilities as the docker CLI sends them: upper case, CAP_, once each, sorted */
    { "--cap-add sys_admin --cap-add all --cap-add net_admin --cap-add CAP_NET_ADMIN bb",
      "HostConfig.CapAdd", "[\"ALL\",\"CAP_NET_ADMIN\",\"CAP_SYS_ADMIN\"]" },
    { "--cap-drop setuid --cap-drop Chown bb", "HostConfig.CapDrop",
      "[\"CAP_CHOWN\",\"CAP_SETUID\"]" },
};

static const char *const refusals[] = {
    "--stop-timeout x bb",
    "--health-interval 10q bb",
    "--restart on-failure:x bb",
    "--restart always:3 bb",
    "--rm --restart always bb",
    "--log-opt nokey bb",
    "--mount type=bind,bogus=1 bb",
    "--no-healthcheck --health-cmd true bb",
    "--sig-proxy maybe bb",
    "--bogus bb",
    "-d",
};

START_TEST(test_body)
{
    char *argv[32];
    int argc = run_args_split(bodies[_i].args, argv, 32);
    dctl_error_t err = NULL;
    struct json_object *b = cmd_run_body_from_args(argc, argv, &err);
    const char *got;

    ck_assert_msg(b != NULL, "%s: %s", bodies[_i].args, err ? err->msg : "?");
    got = json_object_to_json_string_ext(run_args_member(b, bodies[_i].path),
                                         JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    ck_assert_msg(strcmp(got, bodies[_i].want) == 0, "%s: %s is %s, want %s", bodies[_i].args,
                  bodies[_i].path, got, bodies[_i].want);
    json_object_put(b);
    free(argv[0]);
}
END_TEST

START_TEST(test_refused)
{
    char *argv[32];
    int argc = run_args_split(refusals[_i], argv, 32);
    dctl_error_t err = NULL;
    struct json_object *b = cmd_run_body_from_args(argc, argv, &err);

    ck_assert_msg(b == NULL, "%s was accepted", refusals[_i]);
    ck_assert(err != NULL && err->msg[0]);
    dctl_error_free(err);
    free(argv[0]);
}
END_TEST

START_TEST(test_duration)
{
    long long ns;

    ck_assert_int_eq(cmd_parse_duration("1m30s", &ns), 0);
    ck_assert_int_eq(ns, 90000000000LL);
    ck_assert_int_eq(cmd_parse_duration("300ms", &ns), 0);
    ck_assert_int_eq(ns, 300000000LL);
    ck_assert_int_eq(cmd_parse_duration("1.5h", &ns), 0);
    ck_assert_int_eq(ns, 5400000000000LL);
    ck_assert_int_eq(cmd_parse_duration("0", &ns), 0);
    ck_assert_int_eq(ns, 0);
    ck_assert_int_eq(cmd_parse_duration("10", &ns), -1);
    ck_assert_int_eq(cmd_parse_duration("", &ns), -1);
    ck_assert_int_eq(cmd_parse_duration("-1s", &ns), -1);
}
END_TEST

START_TEST(test_env_file)
{
    char path[] = "/tmp/dctl-test-envfile.XXXXXX";
    int fd = mkstemp(path);
    static const char text[] = "# a comment\n\nA=1\n  B=two words\nFROM_ENV\nUNSET_ONE\r\n";
    struct json_object *env = json_object_new_array();
    dctl_error_t err = NULL;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    setenv("FROM_ENV", "x", 1);
    unsetenv("UNSET_ONE");
    ck_assert_int_eq(cmd_env_file_read(path, env, &err), 0);
    ck_assert_str_eq(json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN),
                     "[\"A=1\",\"B=two words\",\"FROM_ENV=x\"]");
    json_object_put(env);
    /* a line with no name is refused */
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_eq(write(fd, "=x\n", 3), 3);
    close(fd);
    env = json_object_new_array();
    ck_assert_int_eq(cmd_env_file_read(path, env, &err), -1);
    dctl_error_free(err);
    err = NULL;
    json_object_put(env);
    unlink(path);
    ck_assert_int_eq(cmd_env_file_read(path, json_object_new_array(), &err), -1);
    dctl_error_free(err);
}
END_TEST

struct sink {
    char out[64], err[64];
    size_t nout, nerr;
};

static void
sink_cb(int stream, const char *data, size_t len, void *arg)
{
    struct sink *s = arg;

    if (stream == 2) {
        memcpy(s->err + s->nerr, data, len);
        s->nerr += len;
    } else {
        memcpy(s->out + s->nout, data, len);
        s->nout += len;
    }
}

START_TEST(test_demux)
{
    /* stdout "hello\n", an empty frame, stderr "err" */
    static const unsigned char stream[] = {
        1, 0, 0, 0, 0, 0, 0, 6, 'h', 'e', 'l', 'l', 'o', '\n',
        1, 0, 0, 0, 0, 0, 0, 0,
        2, 0, 0, 0, 0, 0, 0, 3, 'e', 'r', 'r',
    };
    size_t cut1 = (size_t)_i / sizeof stream, cut2 = (size_t)_i % sizeof stream;
    struct frames_demux d = { 0 };
    struct sink s = { 0 };

    if (cut1 > cut2) {
        size_t t = cut1;

        cut1 = cut2;
        cut2 = t;
    }
    frames_demux_feed(&d, (const char *)stream, cut1, sink_cb, &s);
    frames_demux_feed(&d, (const char *)stream + cut1, cut2 - cut1, sink_cb, &s);
    frames_demux_feed(&d, (const char *)stream + cut2, sizeof stream - cut2, sink_cb, &s);
    ck_assert_int_eq(s.nout, 6);
    ck_assert(memcmp(s.out, "hello\n", 6) == 0);
    ck_assert_int_eq(s.nerr, 3);
    ck_assert(memcmp(s.err, "err", 3) == 0);
}
END_TEST

static Suite *
run_suite(void)
{
    Suite *s = suite_create("client-run");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_body, 0, ARRAY_SIZE(bodies));
    tcase_add_loop_test(tc, test_refused, 0, ARRAY_SIZE(refusals));
    tcase_add_test(tc, test_duration);
    tcase_add_test(tc, test_env_file);
    tcase_add_loop_test(tc, test_demux, 0, 33 * 33);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(run_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
