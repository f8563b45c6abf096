/* tests/unit/test-config.c - daemon.json keys (good, wrong-typed, unknown),
 * malformed files, flags and their errors, flags overriding the file, defaults,
 * and SIGHUP reloads reporting what changed while keeping flag-set values. */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "lib/file.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* The whole configuration on one line, so that a table row can state it. */
static char *
config_dump(const struct daemon_config *c)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    const struct strv *lists[] = { &c->hosts, &c->storage_opts, &c->labels };
    const char *names[] = { "hosts", "storage-opts", "labels" };
    size_t i, j;

    fprintf(f, "data-root=%s exec-root=%s driver-dir=%s storage-driver=%s pidfile=%s",
            c->data_root ? c->data_root : "-", c->exec_root ? c->exec_root : "-",
            c->driver_dir ? c->driver_dir : "-", c->storage_driver ? c->storage_driver : "-",
            c->pidfile ? c->pidfile : "-");
    fprintf(f, " log-level=%s debug=%d idle=%u shutdown=%u", log_level_name(c->log_level),
            (int)c->debug, c->idle_timeout, c->shutdown_timeout);
    for (i = 0; i < ARRAY_SIZE(lists); i++) {
        fprintf(f, " %s=[", names[i]);
        for (j = 0; j < lists[i]->n; j++)
            fprintf(f, "%s%s", j ? "," : "", lists[i]->v[j]);
        fputc(']', f);
    }
    fclose(f);
    return out;
}

#define DEFAULTS_HEAD "data-root=- exec-root=- driver-dir=- storage-driver=- pidfile=-"
#define DEFAULTS_TAIL "hosts=[] storage-opts=[] labels=[]"

/* ---- daemon.json: accepted ---------------------------------------------- */

static const struct {
    const char *json;
    const char *want;   /* config_dump after applying json to a fresh config */
} good_json[] = {
    { "{}", DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { " \n{ }\n\n", DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"hosts\": [\"unix:///a.sock\", \"tcp://127.0.0.1:2375\"]}",
      DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 "
      "hosts=[unix:///a.sock,tcp://127.0.0.1:2375] storage-opts=[] labels=[]" },
    { "{\"data-root\": \"/d\", \"exec-root\": \"/e\", \"driver-dir\": \"/dd\","
      " \"storage-driver\": \"vfs\", \"pidfile\": \"/p.pid\"}",
      "data-root=/d exec-root=/e driver-dir=/dd storage-driver=vfs pidfile=/p.pid"
      " log-level=info debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"storage-opts\": [\"overlay.size=1G\", \"a=\"]}",
      DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 "
      "hosts=[] storage-opts=[overlay.size=1G,a=] labels=[]" },
    { "{\"log-level\": \"debug\"}",
      DEFAULTS_HEAD " log-level=debug debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"log-level\": \"warn\"}",
      DEFAULTS_HEAD " log-level=warning debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"log-level\": \"ERROR\"}",
      DEFAULTS_HEAD " log-level=error debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"debug\": true}",
      DEFAULTS_HEAD " log-level=info debug=1 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"labels\": [\"a=b\", \"c=d=e\"]}",
      DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 "
      "hosts=[] storage-opts=[] labels=[a=b,c=d=e]" },
    { "{\"labels\": []}",
      DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { "{\"http-idle-timeout\": 0, \"shutdown-timeout\": 31536000}",
      DEFAULTS_HEAD " log-level=info debug=0 idle=0 shutdown=31536000 " DEFAULTS_TAIL },
    { "{\"http-idle-timeout\": 5, \"shutdown-timeout\": 3}",
      DEFAULTS_HEAD " log-level=info debug=0 idle=5 shutdown=3 " DEFAULTS_TAIL },
};

START_TEST(test_config_json_good)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    cleanup_free char *dump = NULL;

    daemon_config_init(&c);
    ck_assert_msg(daemon_config_apply_json(&c, good_json[_i].json, strlen(good_json[_i].json),
                                           &err) == 0,
                  "%s: %s", good_json[_i].json, err ? err->msg : "?");
    ck_assert_ptr_null(err);
    dump = config_dump(&c);
    ck_assert_str_eq(dump, good_json[_i].want);
    daemon_config_fini(&c);
}
END_TEST

/* ---- daemon.json: refused, naming the key ---------------------------------- */

static const struct {
    const char *json;
    const char *msg;   /* the whole message, after "FILE: " */
} bad_json[] = {
    /* every known key with a wrong type */
    { "{\"hosts\": \"unix:///a\"}", "key \"hosts\" must be an array of strings, got string" },
    { "{\"hosts\": [1]}", "key \"hosts\" must be an array of strings, got array" },
    { "{\"hosts\": []}", "key \"hosts\" must not be empty" },
    { "{\"data-root\": 1}", "key \"data-root\" must be a string, got number" },
    { "{\"exec-root\": [\"/e\"]}", "key \"exec-root\" must be a string, got array" },
    { "{\"driver-dir\": null}", "key \"driver-dir\" must be a string, got null" },
    { "{\"storage-driver\": {}}", "key \"storage-driver\" must be a string, got object" },
    { "{\"storage-opts\": {\"a\": \"b\"}}",
      "key \"storage-opts\" must be an array of strings, got object" },
    { "{\"storage-opts\": [\"nokv\"]}",
      "key \"storage-opts\": invalid value \"nokv\": expected KEY=VALUE" },
    { "{\"log-level\": 3}", "key \"log-level\" must be a string, got number" },
    { "{\"userns-remap\": true}", "key \"userns-remap\" must be a string, got bool" },
    { "{\"log-level\": \"loud\"}", "key \"log-level\": unknown level \"loud\"" },
    { "{\"debug\": \"true\"}", "key \"debug\" must be a bool, got string" },
    { "{\"debug\": 1}", "key \"debug\" must be a bool, got number" },
    { "{\"pidfile\": false}", "key \"pidfile\" must be a string, got bool" },
    { "{\"labels\": \"a=b\"}", "key \"labels\" must be an array of strings, got string" },
    { "{\"labels\": [\"a=b\", \"nokv\"]}",
      "key \"labels\": invalid value \"nokv\": expected KEY=VALUE" },
    { "{\"labels\": [\"=v\"]}", "key \"labels\": invalid value \"=v\": expected KEY=VALUE" },
    { "{\"http-idle-timeout\": \"5\"}",
      "key \"http-idle-timeout\" must be a whole number of seconds (0 to 31536000), got string" },
    { "{\"http-idle-timeout\": 1.5}",
      "key \"http-idle-timeout\" must be a whole number of seconds (0 to 31536000), got number" },
    { "{\"shutdown-timeout\": -1}",
      "key \"shutdown-timeout\" must be a whole number of seconds (0 to 31536000), got number" },
    { "{\"shutdown-timeout\": 99999999999}",
      "key \"shutdown-timeout\" must be a whole number of seconds (0 to 31536000), got number" },
    /* unknown keys, with Docker's and made-up names */
    { "{\"iptables\": false}", "unknown configuration key \"iptables\"" },
    { "{\"log-level\": \"info\", \"Debug\": true}", "unknown configuration key \"Debug\"" },
    /* not an object, not JSON */
    { "[]", "expected a JSON object, got array" },
    { "\"hosts\"", "expected a JSON object, got string" },
    { "null", "expected a JSON object, got null" },
    { "", "unexpected EOF" },
    { "{\"debug\": true", "unexpected EOF" },
    { "{\"debug\": tru}", "invalid JSON: " },
    { "{'debug': true}", "invalid JSON: strings must use double quotes" },
    { "{\"debug\": 'x'}", "invalid JSON: " },
    { "{\"debug\": true,}", "invalid JSON: " },
    { "{} {}", "invalid JSON: unexpected data after the top-level value at offset 3" },
    { "{}x", "invalid JSON: unexpected data after the top-level value at offset 2" },
};

START_TEST(test_config_json_bad)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    cleanup_free char *before = NULL, *after = NULL, *want = NULL;

    daemon_config_init(&c);
    c.config_file = xstrdup("/etc/test/daemon.json");
    before = config_dump(&c);
    ck_assert_int_eq(daemon_config_apply_json(&c, bad_json[_i].json, strlen(bad_json[_i].json),
                                              &err),
                     -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    want = xasprintf("/etc/test/daemon.json: %s", bad_json[_i].msg);
    ck_assert_msg(strncmp(err->msg, want, strlen(want)) == 0, "%s: message \"%s\", want \"%s\"",
                  bad_json[_i].json, err->msg, want);
    /* nothing was applied */
    after = config_dump(&c);
    ck_assert_str_eq(after, before);
    dctl_error_free(err);
    daemon_config_fini(&c);
}
END_TEST

/* A bad key next to good ones changes nothing, whatever the key order. */
START_TEST(test_config_json_all_or_nothing)
{
    static const char *texts[] = {
        "{\"data-root\": \"/d\", \"labels\": [\"a=b\"], \"debug\": \"yes\"}",
        "{\"debug\": \"yes\", \"data-root\": \"/d\", \"labels\": [\"a=b\"]}",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(texts); i++) {
        struct daemon_config c;
        dctl_error_t err = NULL;

        daemon_config_init(&c);
        ck_assert_int_eq(daemon_config_apply_json(&c, texts[i], strlen(texts[i]), &err), -1);
        ck_assert_ptr_nonnull(strstr(err->msg, "\"debug\""));
        ck_assert_ptr_null(c.data_root);
        ck_assert_uint_eq(c.labels.n, 0);
        dctl_error_free(err);
        daemon_config_fini(&c);
    }
}
END_TEST

/* ---- flags ------------------------------------------------------------- */

#define MAX_ARGS 12

static const struct {
    const char *args[MAX_ARGS];
    int rc;
    const char *want;   /* rc 0: config_dump; rc -1: the error message */
} flag_cases[] = {
    { { NULL }, 0, DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { { "-H", "unix:///a", "--host", "tcp://127.0.0.1:1", "--host=unix:///b", NULL }, 0,
      DEFAULTS_HEAD " log-level=info debug=0 idle=120 shutdown=10 "
      "hosts=[unix:///a,tcp://127.0.0.1:1,unix:///b] storage-opts=[] labels=[]" },
    { { "--data-root", "/d", "--exec-root=/e", "--driver-dir", "/dd", "-s", "vfs", "-p", "/p",
        NULL }, 0,
      "data-root=/d exec-root=/e driver-dir=/dd storage-driver=vfs pidfile=/p"
      " log-level=info debug=0 idle=120 shutdown=10 " DEFAULTS_TAIL },
    { { "--storage-driver", "overlay", "--storage-opt", "k=v", "--pidfile", "/x.pid", NULL }, 0,
      "data-root=- exec-root=- driver-dir=- storage-driver=overlay pidfile=/x.pid"
      " log-level=info debug=0 idle=120 shutdown=10 hosts=[] storage-opts=[k=v] labels=[]" },
    { { "-l", "error", "-D", "--label", "a=b", "--label", "c=", NULL }, 0,
      DEFAULTS_HEAD " log-level=error debug=1 idle=120 shutdown=10 "
      "hosts=[] storage-opts=[] labels=[a=b,c=]" },
    { { "--log-level=warn", "--debug", "--http-idle-timeout", "2", "--shutdown-timeout=0", NULL },
      0, DEFAULTS_HEAD " log-level=warning debug=1 idle=2 shutdown=0 " DEFAULTS_TAIL },
    { { "--log-level", "loud", NULL }, -1,
      "unknown log level \"loud\": use debug, info, warn, error or fatal" },
    { { "--label", "nokv", NULL }, -1, "invalid label \"nokv\": expected KEY=VALUE" },
    { { "--storage-opt", "=v", NULL }, -1, "invalid storage option \"=v\": expected KEY=VALUE" },
    { { "--http-idle-timeout", "soon", NULL }, -1,
      "invalid value \"soon\" for --http-idle-timeout" },
    { { "--http-idle-timeout", "-1", NULL }, -1, "invalid value \"-1\" for --http-idle-timeout" },
    { { "--shutdown-timeout", "99999999999", NULL }, -1,
      "invalid value \"99999999999\" for --shutdown-timeout" },
    { { "--no-such-flag", NULL }, -1, "unknown flag: --no-such-flag (see dctld --help)" },
    { { "-X", NULL }, -1, "unknown shorthand flag: 'X' (see dctld --help)" },
    { { "-DX", NULL }, -1, "unknown shorthand flag: 'X' (see dctld --help)" },
    { { "--data-root", NULL }, -1, "flag needs an argument: --data-root" },
    { { "-H", NULL }, -1, "flag needs an argument: -H" },
    { { "stray", NULL }, -1, "dctld takes no arguments, got \"stray\" (see dctld --help)" },
    { { "--help", NULL }, 1, NULL },
    { { "-h", NULL }, 1, NULL },
    { { "--version", NULL }, 1, NULL },
    { { "-v", NULL }, 1, NULL },
};

START_TEST(test_config_flags)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    char *argv[MAX_ARGS + 1] = { "dctld" };
    int argc = 1, rc;
    FILE *saved = stdout;

    while (flag_cases[_i].args[argc - 1])
        argv[argc] = (char *)flag_cases[_i].args[argc - 1], argc++;
    daemon_config_init(&c);
    stdout = fopen("/dev/null", "w");   /* --help and --version print */
    rc = daemon_config_parse_args(&c, argc, argv, &err);
    fclose(stdout);
    stdout = saved;
    ck_assert_msg(rc == flag_cases[_i].rc, "%s: rc %d, want %d (%s)", argv[1] ? argv[1] : "-",
                  rc, flag_cases[_i].rc, err ? err->msg : "");
    if (rc == 0) {
        cleanup_free char *dump = config_dump(&c);

        ck_assert_ptr_null(err);
        ck_assert_str_eq(dump, flag_cases[_i].want);
    } else if (rc < 0) {
        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
        ck_assert_str_eq(err->msg, flag_cases[_i].want);
        dctl_error_free(err);
    }
    daemon_config_fini(&c);
}
END_TEST

/* Flags win over the file, key by key; what no flag set comes from the file. */
static const struct {
    const char *args[MAX_ARGS];
    const char *json;
    const char *want;
} override_cases[] = {
    { { "-H", "unix:///flag", "--data-root", "/flag", NULL },
      "{\"hosts\": [\"unix:///file\"], \"data-root\": \"/file\", \"exec-root\": \"/efile\"}",
      "data-root=/flag exec-root=/efile driver-dir=- storage-driver=- pidfile=-"
      " log-level=info debug=0 idle=120 shutdown=10 hosts=[unix:///flag] storage-opts=[]"
      " labels=[]" },
    { { "-l", "error", "--label", "f=1", "--http-idle-timeout", "7", NULL },
      "{\"log-level\": \"debug\", \"labels\": [\"j=1\", \"j=2\"], \"http-idle-timeout\": 9,"
      " \"shutdown-timeout\": 4, \"storage-opts\": [\"s=1\"], \"pidfile\": \"/pf\"}",
      "data-root=- exec-root=- driver-dir=- storage-driver=- pidfile=/pf"
      " log-level=error debug=0 idle=7 shutdown=4 hosts=[] storage-opts=[s=1] labels=[f=1]" },
    { { "-s", "vfs", "--storage-opt", "a=b", "--shutdown-timeout", "1", "-p", "/fp",
        "--driver-dir", "/fd", NULL },
      "{\"storage-driver\": \"overlay\", \"storage-opts\": [\"c=d\"], \"shutdown-timeout\": 30,"
      " \"pidfile\": \"/jp\", \"driver-dir\": \"/jd\", \"debug\": true}",
      "data-root=- exec-root=- driver-dir=/fd storage-driver=vfs pidfile=/fp"
      " log-level=info debug=1 idle=120 shutdown=1 hosts=[] storage-opts=[a=b] labels=[]" },
    { { "-D", "--exec-root", "/fe", NULL },
      "{\"debug\": false, \"exec-root\": \"/je\"}",
      "data-root=- exec-root=/fe driver-dir=- storage-driver=- pidfile=-"
      " log-level=info debug=1 idle=120 shutdown=10 " DEFAULTS_TAIL },
};

START_TEST(test_config_flags_override_file)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    char *argv[MAX_ARGS + 1] = { "dctld" };
    int argc = 1;
    cleanup_free char *dump = NULL;

    while (override_cases[_i].args[argc - 1])
        argv[argc] = (char *)override_cases[_i].args[argc - 1], argc++;
    daemon_config_init(&c);
    ck_assert_int_eq(daemon_config_parse_args(&c, argc, argv, &err), 0);
    ck_assert_int_eq(daemon_config_apply_json(&c, override_cases[_i].json,
                                              strlen(override_cases[_i].json), &err),
                     0);
    dump = config_dump(&c);
    ck_assert_str_eq(dump, override_cases[_i].want);
    daemon_config_fini(&c);
}
END_TEST

/* --userns-remap and "userns-remap": the flag wins; the file's value otherwise. */
START_TEST(test_config_userns_remap)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    char *argv[] = { "dctld", "--userns-remap", "default", NULL };
    static const char json[] = "{\"userns-remap\": \"alice:staff\"}";

    daemon_config_init(&c);
    ck_assert_int_eq(daemon_config_apply_json(&c, json, strlen(json), &err), 0);
    ck_assert_str_eq(c.userns_remap, "alice:staff");
    daemon_config_fini(&c);
    daemon_config_init(&c);
    ck_assert_int_eq(daemon_config_parse_args(&c, 3, argv, &err), 0);
    ck_assert_int_eq(daemon_config_apply_json(&c, json, strlen(json), &err), 0);
    ck_assert_str_eq(c.userns_remap, "default");
    daemon_config_fini(&c);
}
END_TEST

/* A wrong key is refused even when a flag sets the same key. */
START_TEST(test_config_flag_does_not_hide_bad_key)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    char *argv[] = { "dctld", "--data-root", "/flag", NULL };
    const char *json = "{\"data-root\": 5}";

    daemon_config_init(&c);
    ck_assert_int_eq(daemon_config_parse_args(&c, 3, argv, &err), 0);
    ck_assert_int_eq(daemon_config_apply_json(&c, json, strlen(json), &err), -1);
    ck_assert_ptr_nonnull(strstr(err->msg, "key \"data-root\" must be a string"));
    ck_assert_str_eq(c.data_root, "/flag");
    dctl_error_free(err);
    daemon_config_fini(&c);
}
END_TEST

/* ---- daemon_config_load: the file, defaults ------------------------------ */

static char tmpdir[64];

static void
tmpdir_setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dctl-test-config.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmpdir_teardown(void)
{
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", tmpdir);

    ck_assert_int_eq(system(cmd), 0);
}

static void
write_file(const char *path, const char *text)
{
    dctl_error_t err = NULL;

    ck_assert_int_eq(file_write_atomic(AT_FDCWD, path, text, strlen(text), 0644, &err), 0);
}

START_TEST(test_config_load_defaults_and_file)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    cleanup_free char *path = xasprintf("%s/daemon.json", tmpdir);
    cleanup_free char *dump = NULL, *want = NULL;
    char *argv[] = { "dctld", "--config-file", path, "-H", "unix:///flag.sock", NULL };

    write_file(path, "{\"log-level\": \"warn\", \"labels\": [\"x=y\"]}");
    daemon_config_init(&c);
    ck_assert_int_eq(daemon_config_parse_args(&c, 5, argv, &err), 0);
    ck_assert_int_eq(daemon_config_load(&c, &err), 0);
    dump = config_dump(&c);
    want = xasprintf("data-root=" DAEMON_DEFAULT_DATA_ROOT " exec-root=" DAEMON_DEFAULT_EXEC_ROOT
                     " driver-dir=" DCTL_DRIVER_DIR " storage-driver=- pidfile=/run/dctld.pid"
                     " log-level=warning debug=0 idle=120 shutdown=10"
                     " hosts=[unix:///flag.sock] storage-opts=[] labels=[x=y]");
    ck_assert_str_eq(dump, want);
    daemon_config_fini(&c);
}
END_TEST

START_TEST(test_config_load_errors)
{
    static const struct {
        const char *flag, *file_text;   /* file_text NULL: no file */
        const char *msg;                /* substring of the message */
    } cases[] = {
        { "--config-file", NULL, "configuration file: open " },
        { "--config-file", "{\"nope\": 1}", "daemon.json: unknown configuration key \"nope\"" },
        { "--config-file", "{\"data-root\": \"rel\"}",
          "data root and exec root must be absolute paths" },
        { "--config-file", "{\"exec-root\": \"rel\"}",
          "data root and exec root must be absolute paths" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        struct daemon_config c;
        dctl_error_t err = NULL;
        cleanup_free char *path = xasprintf("%s/daemon.json", tmpdir);
        char *argv[] = { "dctld", (char *)cases[i].flag, path, NULL };

        unlink(path);
        if (cases[i].file_text)
            write_file(path, cases[i].file_text);
        daemon_config_init(&c);
        ck_assert_int_eq(daemon_config_parse_args(&c, 3, argv, &err), 0);
        ck_assert_int_eq(daemon_config_load(&c, &err), -1);
        ck_assert_msg(strstr(err->msg, cases[i].msg) != NULL, "case %zu: \"%s\"", i, err->msg);
        dctl_error_free(err);
        daemon_config_fini(&c);
    }
}
END_TEST

/* ---- reload -------------------------------------------------------------- */

static void
config_start(struct daemon_config *c, const char *path, const char *json, int argc, char **argv)
{
    dctl_error_t err = NULL;

    write_file(path, json);
    daemon_config_init(c);
    ck_assert_int_eq(daemon_config_parse_args(c, argc, argv, &err), 0);
    ck_assert_int_eq(daemon_config_load(c, &err), 0);
}

static const struct {
    const char *flag;   /* an extra flag, or NULL */
    const char *before, *after;
    int rc;
    const char *changed;   /* rc 0: the change list (NULL: nothing); rc -1: error substring */
    const char *level;     /* level in force afterwards */
    const char *labels;    /* labels afterwards, comma-separated */
} reload_cases[] = {
    { NULL, "{}", "{}", 0, NULL, "info", "" },
    { NULL, "{}", "{\"log-level\": \"debug\"}", 0, "log-level info -> debug", "debug", "" },
    { NULL, "{\"log-level\": \"error\"}", "{}", 0, "log-level error -> info", "info", "" },
    { NULL, "{}", "{\"debug\": true}", 0, "log-level info -> debug", "debug", "" },
    { NULL, "{\"labels\": [\"a=1\"]}", "{\"labels\": [\"a=2\", \"b=3\"]}", 0,
      "labels [a=1] -> [a=2 b=3]", "info", "a=2,b=3" },
    { NULL, "{}", "{\"log-level\": \"warn\", \"labels\": [\"a=1\"]}", 0,
      "log-level info -> warning, labels [] -> [a=1]", "warning", "a=1" },
    /* flag-set values stay */
    { "--log-level=error", "{}", "{\"log-level\": \"debug\", \"labels\": [\"a=1\"]}", 0,
      "labels [] -> [a=1]", "error", "a=1" },
    { "--label=f=1", "{}", "{\"labels\": [\"a=1\"], \"log-level\": \"warn\"}", 0,
      "log-level info -> warning", "warning", "f=1" },
    { "-D", "{}", "{\"debug\": false, \"log-level\": \"error\"}", 0, NULL, "debug", "" },
    /* keys that are not reloadable are checked, and changing them changes nothing */
    { NULL, "{}", "{\"data-root\": \"/elsewhere\"}", 0, NULL, "info", "" },
    /* a broken file keeps the old configuration */
    { NULL, "{\"log-level\": \"warn\"}", "{\"log-level\": \"debug\",", -1, "unexpected EOF",
      "warning", "" },
    { NULL, "{\"log-level\": \"warn\"}", "{\"log-level\": \"debug\", \"bogus\": 1}", -1,
      "unknown configuration key \"bogus\"", "warning", "" },
    { NULL, "{\"log-level\": \"warn\"}", "{\"log-level\": \"shouty\"}", -1,
      "key \"log-level\": unknown level \"shouty\"", "warning", "" },
    { NULL, "{\"labels\": [\"a=1\"]}", "{\"labels\": [\"broken\"]}", -1,
      "key \"labels\": invalid value \"broken\"", "info", "a=1" },
};

START_TEST(test_config_reload)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    cleanup_free char *path = xasprintf("%s/daemon.json", tmpdir);
    cleanup_free char *changed = NULL, *labels = NULL, *data_root = NULL;
    char *argv[] = { "dctld", "--config-file", path, (char *)reload_cases[_i].flag, NULL };
    int rc;

    config_start(&c, path, reload_cases[_i].before, reload_cases[_i].flag ? 4 : 3, argv);
    data_root = xstrdup(c.data_root);
    write_file(path, reload_cases[_i].after);
    rc = daemon_config_reload(&c, &changed, &err);
    ck_assert_msg(rc == reload_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
                  err ? err->msg : "");
    if (rc == 0) {
        if (reload_cases[_i].changed)
            ck_assert_str_eq(changed, reload_cases[_i].changed);
        else
            ck_assert_msg(changed == NULL, "case %d: changed \"%s\"", _i, changed);
    } else {
        ck_assert_ptr_null(changed);
        ck_assert_msg(strstr(err->msg, reload_cases[_i].changed) != NULL, "case %d: \"%s\"", _i,
                      err->msg);
        dctl_error_free(err);
    }
    ck_assert_str_eq(log_level_name(daemon_config_log_level(&c)), reload_cases[_i].level);
    {
        struct daemon_config only = { .labels = c.labels };
        cleanup_free char *dump = config_dump(&only);
        const char *l = strstr(dump, "labels=[") + 8;

        labels = xstrndup(l, strlen(l) - 1);
    }
    ck_assert_str_eq(labels, reload_cases[_i].labels);
    ck_assert_str_eq(c.data_root, data_root);
    daemon_config_fini(&c);
}
END_TEST

/* The file vanishing is a reload to the defaults when it was not given by flag,
 * and an error when it was. */
START_TEST(test_config_reload_missing_file)
{
    struct daemon_config c;
    dctl_error_t err = NULL;
    cleanup_free char *path = xasprintf("%s/daemon.json", tmpdir);
    char *argv[] = { "dctld", "--config-file", path, NULL };
    char *changed = NULL;

    config_start(&c, path, "{\"log-level\": \"debug\"}", 3, argv);
    unlink(path);
    ck_assert_int_eq(daemon_config_reload(&c, &changed, &err), -1);
    ck_assert_ptr_nonnull(strstr(err->msg, "configuration file: open "));
    ck_assert_int_eq(daemon_config_log_level(&c), DCTL_LOG_DEBUG);
    dctl_error_free(err);
    err = NULL;
    c.config_file_given = false;
    ck_assert_int_eq(daemon_config_reload(&c, &changed, &err), 0);
    ck_assert_str_eq(changed, "log-level debug -> info");
    free(changed);
    daemon_config_fini(&c);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("json");
    TCase *tf = tcase_create("flags");
    TCase *tl = tcase_create("load");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_config_json_good, 0, ARRAY_SIZE(good_json));
    tcase_add_loop_test(tc, test_config_json_bad, 0, ARRAY_SIZE(bad_json));
    tcase_add_test(tc, test_config_json_all_or_nothing);
    suite_add_tcase(s, tc);
    tcase_add_loop_test(tf, test_config_flags, 0, ARRAY_SIZE(flag_cases));
    tcase_add_loop_test(tf, test_config_flags_override_file, 0, ARRAY_SIZE(override_cases));
    tcase_add_test(tf, test_config_flag_does_not_hide_bad_key);
    tcase_add_test(tf, test_config_userns_remap);
    suite_add_tcase(s, tf);
    tcase_add_checked_fixture(tl, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tl, test_config_load_defaults_and_file);
    tcase_add_test(tl, test_config_load_errors);
    tcase_add_loop_test(tl, test_config_reload, 0, ARRAY_SIZE(reload_cases));
    tcase_add_test(tl, test_config_reload_missing_file);
    suite_add_tcase(s, tl);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
