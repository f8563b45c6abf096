/* tests/unit/test-spec.c - daemon/spec.c and the pure parts of daemon/container.c as
 * tables: the create body's type checks, Config merged with an image config, HostConfig
 * checks, users from passwd/group text, resolv.conf filtering, hosts, sizes and log
 * options, restart policies; exec bodies and the process of an exec; container names,
 * wait conditions and signals. */
#include <config.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/container.h"
#include "daemon/spec.h"
#include "lib/json.h"
#include "lib/util.h"

static struct json_object *
parse(const char *text)
{
    dctl_error_t err = NULL;
    struct json_object *o = json_parse(text, strlen(text), "test", &err);

    ck_assert_msg(o != NULL, "bad test JSON: %s", text);
    return o;
}

/* "" when it succeeded, else the error's message */
static char *
err_text(dctl_error_t err)
{
    char *t = err ? dctl_error_text(err) : strdup("");

    dctl_error_free(err);
    return t;
}

/* ---- the body's types ------------------------------------------------------------- */

static const struct { const char *body, *err; } bodies[] = {
    { "{\"Image\":\"x\",\"Cmd\":\"echo hi\"}", "" },
    { "{\"Image\":\"x\",\"Cmd\":[\"a\",1]}",
      "json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string" },
    { "{\"Image\":\"x\",\"Env\":\"A=1\"}",
      "json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string" },
    { "{\"Image\":\"x\",\"Tty\":\"yes\"}",
      "json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Tty of type bool" },
    { "{\"Image\":\"x\",\"Labels\":{\"a\":1}}", "cannot unmarshal object" },
    { "{\"Image\":\"x\",\"StopTimeout\":\"10\"}", "of type int64" },
    { "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":\"/a:/b\"}}",
      "json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Binds of type []string" },
    { "{\"Image\":\"x\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":5}}}", "RestartPolicy.Name of type string" },
    { "{\"Image\":\"x\",\"HostConfig\":{\"LogConfig\":{\"Config\":{\"max-size\":10}}}}", "LogConfig.Config" },
    { "{\"Image\":\"x\",\"Unknown\":{\"any\":1},\"HostConfig\":null}", "" },
    { "{\"image\":\"x\",\"cmd\":[\"a\"]}", "" },   /* Go matches names case-insensitively */
};

START_TEST(test_body_check)
{
    struct json_object *b = parse(bodies[_i].body);
    dctl_error_t err = NULL;
    char *t;

    spec_body_check(b, &err);
    t = err_text(err);
    if (*bodies[_i].err == '\0')
        ck_assert_str_eq(t, "");
    else
        ck_assert_msg(strstr(t, bodies[_i].err) != NULL, "%s: got %s", bodies[_i].body, t);
    free(t);
    json_object_put(b);
}
END_TEST

START_TEST(test_body_normalises)
{
    struct json_object *b = parse("{\"image\":\"x\",\"cmd\":\"echo hi\",\"Entrypoint\":\"sh\"}");
    dctl_error_t err = NULL;

    ck_assert_int_eq(spec_body_check(b, &err), 0);
    ck_assert_str_eq(json_get_string(b, "Image"), "x");
    ck_assert_str_eq(json_object_to_json_string_ext(json_object_object_get(b, "Cmd"),
                                                    JSON_C_TO_STRING_PLAIN),
                     "[\"echo hi\"]");
    ck_assert_str_eq(json_object_to_json_string_ext(json_object_object_get(b, "Entrypoint"),
                                                    JSON_C_TO_STRING_PLAIN),
                     "[\"sh\"]");
    json_object_put(b);
}
END_TEST

/* ---- merge with the image config: member → expected JSON ------------------------------ */

static const char *const image_config =
    "{\"Env\":[\"PATH=/bin\",\"A=image\",\"B=image\"],\"Cmd\":[\"sh\"],\"Entrypoint\":null,"
    "\"WorkingDir\":\"/srv\",\"User\":\"app\",\"Labels\":{\"l\":\"image\",\"m\":\"image\"},"
    "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}},\"StopSignal\":\"SIGQUIT\"}";

static const struct { const char *body, *key, *want; } merges[] = {
    { "{\"Image\":\"x\"}", "Cmd", "[\"sh\"]" },
    { "{\"Image\":\"x\",\"Cmd\":[\"echo\"]}", "Cmd", "[\"echo\"]" },
    { "{\"Image\":\"x\",\"Entrypoint\":[\"/e\"]}", "Cmd", "null" },
    { "{\"Image\":\"x\",\"Entrypoint\":[\"/e\"]}", "Entrypoint", "[\"\\/e\"]" },
    { "{\"Image\":\"x\",\"Entrypoint\":[\"\"],\"Cmd\":[\"ls\"]}", "Entrypoint", "null" },
    { "{\"Image\":\"x\"}", "Env", "[\"PATH=\\/bin\",\"A=image\",\"B=image\"]" },
    { "{\"Image\":\"x\",\"Env\":[\"A=req\",\"C=req\"]}", "Env",
      "[\"A=req\",\"C=req\",\"PATH=\\/bin\",\"B=image\"]" },
    { "{\"Image\":\"x\"}", "WorkingDir", "\"\\/srv\"" },
    { "{\"Image\":\"x\",\"WorkingDir\":\"/w\"}", "WorkingDir", "\"\\/w\"" },
    { "{\"Image\":\"x\"}", "User", "\"app\"" },
    { "{\"Image\":\"x\",\"User\":\"0:0\"}", "User", "\"0:0\"" },
    { "{\"Image\":\"x\",\"Labels\":{\"l\":\"req\"}}", "Labels", "{\"l\":\"req\",\"m\":\"image\"}" },
    { "{\"Image\":\"x\",\"ExposedPorts\":{\"53/udp\":{}}}", "ExposedPorts",
      "{\"53\\/udp\":{},\"80\\/tcp\":{}}" },
    { "{\"Image\":\"x\"}", "Volumes", "{\"\\/data\":{}}" },
    { "{\"Image\":\"x\"}", "StopSignal", "\"SIGQUIT\"" },
    { "{\"Image\":\"x\",\"StopSignal\":\"SIGINT\"}", "StopSignal", "\"SIGINT\"" },
    { "{\"Image\":\"x\",\"Tty\":true}", "Tty", "true" },
    { "{\"Image\":\"x\"}", "Hostname", "\"\"" },
};

START_TEST(test_config_merge)
{
    struct json_object *b = parse(merges[_i].body), *img = parse(image_config), *c;
    dctl_error_t err = NULL;

    ck_assert_int_eq(spec_body_check(b, &err), 0);
    c = spec_config_merge(b, img, &err);
    ck_assert_msg(c != NULL, "%s", merges[_i].body);
    ck_assert_msg(strcmp(json_object_to_json_string_ext(json_object_object_get(c, merges[_i].key),
                                                        JSON_C_TO_STRING_PLAIN),
                         merges[_i].want) == 0,
                  "%s: %s = %s, want %s", merges[_i].body, merges[_i].key,
                  json_object_to_json_string_ext(json_object_object_get(c, merges[_i].key),
                                                 JSON_C_TO_STRING_PLAIN),
                  merges[_i].want);
    json_object_put(c);
    json_object_put(b);
    json_object_put(img);
}
END_TEST

START_TEST(test_config_no_command)
{
    struct json_object *b = parse("{\"Image\":\"x\"}"), *img = parse("{\"Env\":[]}");
    dctl_error_t err = NULL;
    char *t;

    ck_assert_ptr_null(spec_config_merge(b, img, &err));
    t = err_text(err);
    ck_assert_str_eq(t, "No command specified");
    free(t);
    json_object_put(b);
    json_object_put(img);
}
END_TEST

/* ---- HostConfig: body → "" or the error ----------------------------------------------- */

static const struct { const char *hc, *err; } hostconfigs[] = {
    { "{\"NetworkMode\":\"none\"}", "" },
    { "{\"NetworkMode\":\"host\",\"PidMode\":\"host\",\"IpcMode\":\"host\",\"UTSMode\":\"host\"}", "" },
    { "{}", "network mode \"default\" is not supported yet: use --network none or host" },
    { "{\"NetworkMode\":\"bridge\"}", "network mode \"bridge\" is not supported yet" },
    { "{\"NetworkMode\":\"container:x\"}", "network mode \"container:x\"" },
    { "{\"NetworkMode\":\"none\",\"PidMode\":\"container:x\"}", "invalid PidMode" },
    { "{\"NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":-1}}",
      "invalid restart policy: maximum retry count cannot be negative" },
    { "{\"NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":-1}}",
      "can only be used with 'on-failure' and cannot be negative" },
    { "{\"NetworkMode\":\"none\",\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}",
      "can't create 'AutoRemove' container with restart policy" },
    { "{\"NetworkMode\":\"none\",\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"no\"}}", "" },
    { "{\"NetworkMode\":\"none\",\"ShmSize\":-1}", "SHM size can not be less than 0" },
    { "{\"NetworkMode\":\"none\",\"Binds\":[\"/tmp:/x:ro\",\"/tmp:/y\"]}", "" },
    { "{\"NetworkMode\":\"none\",\"Binds\":[\"vol:/x\"]}", "named volumes are not supported yet" },
    { "{\"NetworkMode\":\"none\",\"Binds\":[\"/a:rel\"]}", "mount path must be absolute" },
    { "{\"NetworkMode\":\"none\",\"Binds\":[\"/a:/\"]}", "destination can't be '/'" },
    { "{\"NetworkMode\":\"none\",\"Binds\":[\"/a:/x:bogus\"]}", "invalid mode: bogus" },
    { "{\"NetworkMode\":\"none\",\"Binds\":[\"/tmp:/x\"],\"Tmpfs\":{\"/x\":\"\"}}", "Duplicate mount point: /x" },
    { "{\"NetworkMode\":\"none\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/does/not/exist\",\"Target\":\"/x\"}]}",
      "invalid mount config for type \"bind\": bind source path does not exist: /does/not/exist" },
    { "{\"NetworkMode\":\"none\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/tmp\",\"Target\":\"\"}]}",
      "invalid mount config for type \"bind\": field Target must not be empty" },
    { "{\"NetworkMode\":\"none\",\"Mounts\":[{\"Type\":\"tmpfs\",\"Source\":\"/tmp\",\"Target\":\"/t\"}]}",
      "invalid mount config for type \"tmpfs\": field Source must not be specified" },
    { "{\"NetworkMode\":\"none\",\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/t\"}]}",
      "invalid mount config for type \"volume\"" },
    { "{\"NetworkMode\":\"none\",\"Mounts\":[{\"Type\":\"weird\",\"Target\":\"/t\"}]}", "mount type unknown" },
    { "{\"NetworkMode\":\"none\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\"}}", "" },
    { "{\"NetworkMode\":\"host\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}}",
      "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace" },
    { "{\"NetworkMode\":\"none\",\"Sysctls\":{\"vm.swappiness\":\"1\"}}",
      "sysctl \"vm.swappiness\" is not in a separate kernel namespace" },
    { "{\"NetworkMode\":\"none\",\"ExtraHosts\":[\"noip\"]}", "invalid extra host: noip" },
    { "{\"NetworkMode\":\"none\",\"LogConfig\":{\"Type\":\"local\"}}", "logging driver \"local\" is not supported" },
};

START_TEST(test_hostconfig)
{
    struct json_object *in = parse(hostconfigs[_i].hc), *hc;
    dctl_error_t err = NULL;
    char *t;

    hc = spec_hostconfig_normalize(in, &err);
    t = err_text(err);
    if (*hostconfigs[_i].err == '\0') {
        ck_assert_msg(hc != NULL, "%s: %s", hostconfigs[_i].hc, t);
    } else {
        ck_assert_ptr_null(hc);
        ck_assert_msg(strstr(t, hostconfigs[_i].err) != NULL, "%s: got %s", hostconfigs[_i].hc, t);
    }
    free(t);
    if (hc)
        json_object_put(hc);
    json_object_put(in);
}
END_TEST

START_TEST(test_hostconfig_defaults)
{
    struct json_object *in = parse("{\"NetworkMode\":\"none\"}"), *hc;
    dctl_error_t err = NULL;

    hc = spec_hostconfig_normalize(in, &err);
    ck_assert_ptr_nonnull(hc);
    ck_assert_int_eq(json_get_int64(hc, "ShmSize", 0), 64 * 1024 * 1024);
    ck_assert_str_eq(json_get_string(json_object_object_get(hc, "RestartPolicy"), "Name"), "no");
    ck_assert_str_eq(json_get_string(json_object_object_get(hc, "LogConfig"), "Type"), "json-file");
    ck_assert_str_eq(json_get_string(hc, "IpcMode"), "private");
    ck_assert(!json_get_bool(hc, "AutoRemove", true));
    json_object_put(hc);
    json_object_put(in);
}
END_TEST

/* ---- users ---------------------------------------------------------------------------- */

static const char *const passwd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "app:x:1000:1000::/home/app:/bin/sh\n";
static const char *const group =
    "root:x:0:\n"
    "daemon:x:1:\n"
    "wheel:x:10:app,daemon\n"
    "audio:x:29:app\n"
    "app:x:1000:\n";

static const struct {
    const char *user, *group_add;
    const char *err;
    unsigned int uid, gid;
    const char *gids;
} users[] = {
    { "", NULL, "", 0, 0, "" },
    { "root", NULL, "", 0, 0, "" },
    { "app", NULL, "", 1000, 1000, "10,29" },
    { "1000", NULL, "", 1000, 1000, "10,29" },
    { "4242", NULL, "", 4242, 0, "" },   /* a uid without an entry: group 0 */
    { "app:wheel", NULL, "", 1000, 10, "" },
    { "1000:29", NULL, "", 1000, 29, "" },
    { "daemon:7", NULL, "", 1, 7, "" },
    { "ghost", NULL, "unable to find user ghost: no matching entries in passwd file", 0, 0, "" },
    { "app:ghosts", NULL, "unable to find group ghosts: no matching entries in group file", 0, 0, "" },
    { "root", "[\"audio\",\"4000\"]", "", 0, 0, "29,4000" },
    { "root", "[\"nosuch\"]", "Unable to find group nosuch", 0, 0, "" },
};

START_TEST(test_user_resolve)
{
    struct json_object *ga = users[_i].group_add ? parse(users[_i].group_add) : NULL;
    struct spec_user u;
    dctl_error_t err = NULL;
    char gids[128] = "", *t;
    size_t i;
    int rc = spec_user_resolve(users[_i].user, passwd, group, ga, &u, &err);

    t = err_text(err);
    if (*users[_i].err) {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(t, users[_i].err);
    } else {
        ck_assert_msg(rc == 0, "%s: %s", users[_i].user, t);
        ck_assert_uint_eq(u.uid, users[_i].uid);
        ck_assert_uint_eq(u.gid, users[_i].gid);
        for (i = 0; i < u.ngids; i++)
            snprintf(gids + strlen(gids), sizeof gids - strlen(gids), "%s%u", i ? "," : "",
                     (unsigned int)u.gids[i]);
        ck_assert_str_eq(gids, users[_i].gids);
        spec_user_fini(&u);
    }
    free(t);
    if (ga)
        json_object_put(ga);
}
END_TEST

START_TEST(test_user_no_files)
{
    struct spec_user u;
    dctl_error_t err = NULL;
    char *t;

    ck_assert_int_eq(spec_user_resolve("123:45", NULL, NULL, NULL, &u, &err), 0);
    ck_assert_uint_eq(u.uid, 123);
    ck_assert_uint_eq(u.gid, 45);
    spec_user_fini(&u);
    ck_assert_int_eq(spec_user_resolve("nobody", NULL, NULL, NULL, &u, &err), -1);
    t = err_text(err);
    ck_assert_str_eq(t, "unable to find user nobody: no matching entries in passwd file");
    free(t);
}
END_TEST

/* ---- resolv.conf and hosts --------------------------------------------------------------- */

static const struct {
    const char *host, *dns, *search, *opts;
    bool host_net;
    const char *want;
} resolvs[] = {
    { "nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.com\noptions edns0\n",
      NULL, NULL, NULL, false,
      "search example.com\nnameserver 10.0.0.2\noptions edns0\n" },
    { "nameserver 127.0.0.53\n", NULL, NULL, NULL, false,
      "nameserver 8.8.8.8\nnameserver 8.8.4.4\n" },
    { "nameserver ::1\nnameserver 127.1.2.3\n", NULL, NULL, NULL, false,
      "nameserver 8.8.8.8\nnameserver 8.8.4.4\n" },
    { "nameserver 127.0.0.53\n", NULL, NULL, NULL, true, "nameserver 127.0.0.53\n" },
    { "nameserver 10.0.0.2\nsearch a.b\n", "[\"1.1.1.1\",\"9.9.9.9\"]", "[\"x.y\",\"z\"]",
      "[\"ndots:2\"]", false, "search x.y z\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions ndots:2\n" },
    { "nameserver 10.0.0.2\nsearch a.b\n", NULL, "[\".\"]", NULL, false, "nameserver 10.0.0.2\n" },
    { NULL, NULL, NULL, NULL, false, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n" },
};

START_TEST(test_resolv_conf)
{
    struct json_object *dns = resolvs[_i].dns ? parse(resolvs[_i].dns) : NULL;
    struct json_object *search = resolvs[_i].search ? parse(resolvs[_i].search) : NULL;
    struct json_object *opts = resolvs[_i].opts ? parse(resolvs[_i].opts) : NULL;
    char *out = spec_resolv_conf(resolvs[_i].host, dns, search, opts, resolvs[_i].host_net);

    ck_assert_str_eq(out, resolvs[_i].want);
    free(out);
    if (dns)
        json_object_put(dns);
    if (search)
        json_object_put(search);
    if (opts)
        json_object_put(opts);
}
END_TEST

START_TEST(test_hosts_file)
{
    struct json_object *extra = parse("[\"db:10.0.0.5\",\"v6:fe80::1\"]"), *bad = parse("[\"x\"]");
    dctl_error_t err = NULL;
    char *out = spec_hosts_file(NULL, extra, false, &err), *t;

    ck_assert_ptr_nonnull(out);
    ck_assert(util_has_prefix(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"));
    ck_assert(util_has_suffix(out, "10.0.0.5\tdb\nfe80::1\tv6\n"));
    free(out);
    out = spec_hosts_file("1.2.3.4 myhost", NULL, true, &err);
    ck_assert_str_eq(out, "1.2.3.4 myhost\n");
    free(out);
    ck_assert_ptr_null(spec_hosts_file(NULL, bad, false, &err));
    t = err_text(err);
    ck_assert_str_eq(t, "invalid extra host: x");
    free(t);
    json_object_put(extra);
    json_object_put(bad);
}
END_TEST

/* ---- sizes and log options --------------------------------------------------------------- */

static const struct { const char *in; int rc; long long want; } sizes[] = {
    { "10", 0, 10 }, { "1k", 0, 1024 }, { "1kb", 0, 1024 }, { "64m", 0, 64LL << 20 },
    { "64M", 0, 64LL << 20 }, { "1.5g", 0, 3LL << 29 }, { "2 GiB", 0, 2LL << 30 },
    { "", -1, 0 }, { "m", -1, 0 }, { "10x", -1, 0 }, { "-1", -1, 0 }, { "1.", -1, 0 },
};

START_TEST(test_parse_size)
{
    int64_t v = 0;
    dctl_error_t err = NULL;

    ck_assert_int_eq(spec_parse_size(sizes[_i].in, &v, &err), sizes[_i].rc);
    if (sizes[_i].rc == 0)
        ck_assert_int_eq(v, sizes[_i].want);
    else {
        char want[64];

        snprintf(want, sizeof want, "invalid size: '%s'", sizes[_i].in);
        ck_assert_str_eq(err->msg, want);
    }
    dctl_error_free(err);
}
END_TEST

static const struct { const char *lc, *err; bool none; long long max_size; int max_file; } logs[] = {
    { NULL, "", false, 0, 1 },
    { "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10m\",\"max-file\":\"3\"}}", "", false,
      10LL << 20, 3 },
    { "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"1k\"}}", "", false, 1024, 1 },
    { "{\"Type\":\"none\"}", "", true, 0, 1 },
    { "{\"Type\":\"\",\"Config\":{}}", "", false, 0, 1 },
    { "{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"3\"}}",
      "max-file can only be used with max-size", false, 0, 0 },
    { "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"1m\",\"max-file\":\"0\"}}",
      "max-file cannot be less than 1", false, 0, 0 },
    { "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"big\"}}", "invalid size: 'big'", false, 0, 0 },
    { "{\"Type\":\"json-file\",\"Config\":{\"colour\":\"red\"}}",
      "unknown log opt 'colour' for json-file log driver", false, 0, 0 },
    { "{\"Type\":\"none\",\"Config\":{\"max-size\":\"1m\"}}", "unknown log opt 'max-size' for none log driver",
      false, 0, 0 },
    { "{\"Type\":\"syslog\"}", "logging driver \"syslog\" is not supported: use json-file or none",
      false, 0, 0 },
};

START_TEST(test_log_parse)
{
    struct json_object *lc = logs[_i].lc ? parse(logs[_i].lc) : NULL;
    struct spec_log l;
    dctl_error_t err = NULL;
    int rc = spec_log_parse(lc, &l, &err);
    char *t = err_text(err);

    if (*logs[_i].err) {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(t, logs[_i].err);
    } else {
        ck_assert_msg(rc == 0, "%s", t);
        ck_assert(l.none == logs[_i].none);
        ck_assert_int_eq(l.max_size, logs[_i].max_size);
        ck_assert_int_eq(l.max_file, logs[_i].max_file);
    }
    free(t);
    if (lc)
        json_object_put(lc);
}
END_TEST

/* ---- names, wait conditions, signals ------------------------------------------------------ */

static const struct { const char *name; bool ok; } names[] = {
    { "web", true }, { "/web", true }, { "a1", true }, { "my_app.v2-x", true },
    { "a", false }, { "", false }, { "_x", false }, { "-x", false }, { "a/b", false },
    { "a b", false }, { "ünï", false }, { "//x", false },
};

START_TEST(test_name_valid)
{
    ck_assert_msg(container_name_valid(names[_i].name) == names[_i].ok, "%s", names[_i].name);
}
END_TEST

START_TEST(test_name_generate)
{
    int i;

    for (i = 0; i < 200; i++) {
        char *n = container_name_generate(NULL);
        const char *us = strchr(n, '_');

        ck_assert_ptr_nonnull(us);
        ck_assert(container_name_valid(n));
        ck_assert_str_ne(n, "boring_wozniak");
        ck_assert(strchr(us + 1, '_') == NULL);
        free(n);
    }
}
END_TEST

static const struct { const char *in; int rc; enum container_wait_cond c; } conds[] = {
    { NULL, 0, CONTAINER_WAIT_NOT_RUNNING }, { "", 0, CONTAINER_WAIT_NOT_RUNNING },
    { "not-running", 0, CONTAINER_WAIT_NOT_RUNNING }, { "next-exit", 0, CONTAINER_WAIT_NEXT_EXIT },
    { "removed", 0, CONTAINER_WAIT_REMOVED }, { "stopped", -1, 0 }, { "Removed", -1, 0 },
};

START_TEST(test_wait_cond)
{
    enum container_wait_cond c = 99;
    dctl_error_t err = NULL;

    ck_assert_int_eq(container_wait_cond_parse(conds[_i].in, &c, &err), conds[_i].rc);
    if (conds[_i].rc == 0) {
        ck_assert_int_eq(c, conds[_i].c);
    } else {
        char want[64];

        snprintf(want, sizeof want, "invalid condition: \"%s\"", conds[_i].in);
        ck_assert_str_eq(err->msg, want);
    }
    dctl_error_free(err);
}
END_TEST

static const struct { const char *in; int want; } signals[] = {
    { "KILL", SIGKILL }, { "SIGKILL", SIGKILL }, { "kill", SIGKILL }, { "9", 9 },
    { "TERM", SIGTERM }, { "SIGUSR1", SIGUSR1 }, { "HUP", SIGHUP }, { "RTMIN+1", 35 },
    { "0", -1 }, { "65", -1 }, { "NOPE", -1 }, { "", -1 }, { "SIG", -1 },
};

START_TEST(test_signal_parse)
{
    ck_assert_int_eq(container_signal_parse(signals[_i].in), signals[_i].want);
}
END_TEST

START_TEST(test_restart_policy)
{
    static const struct { const char *p, *err; } v[] = {
        { "{\"Name\":\"always\"}", "" }, { "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}", "" },
        { "{\"Name\":\"\"}", "" }, { "{\"Name\":\"unless-stopped\"}", "" },
        { "{\"Name\":\"never\"}", "invalid restart policy: unknown policy 'never'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        struct json_object *p = parse(v[i].p);
        dctl_error_t err = NULL;
        char *t;

        spec_restart_policy_check(p, &err);
        t = err_text(err);
        ck_assert_str_eq(t, v[i].err);
        free(t);
        json_object_put(p);
    }
}
END_TEST

/* ---- exec sessions ----------------------------------------------------------------- */

static const struct { const char *body, *err; } exec_bodies[] = {
    { "{\"Cmd\":[\"ls\",\"/\"]}", "" },
    { "{\"Cmd\":\"ls\"}", "" },
    { "{\"cmd\":[\"ls\"],\"tty\":true}", "" },
    { "{\"Cmd\":[]}", "No exec command specified" },
    { "{}", "No exec command specified" },
    { "{\"Cmd\":[\"ls\"],\"Tty\":\"yes\"}",
      "json: cannot unmarshal string into Go struct field ExecConfig.Tty of type bool" },
    { "{\"Cmd\":[\"ls\"],\"Env\":\"A=1\"}", "ExecConfig.Env of type []string" },
    { "{\"Cmd\":[\"ls\"],\"WorkingDir\":\"tmp\"}",
      "the working directory 'tmp' is invalid, it needs to be an absolute path" },
    { "{\"Cmd\":[\"ls\"],\"Env\":[\"=x\"]}", "invalid environment variable: =x" },
    { "{\"Cmd\":[\"ls\"],\"ConsoleSize\":[1]}", "ConsoleSize must be" },
    { "{\"Cmd\":[\"ls\"],\"ConsoleSize\":[-1,2]}", "invalid console size" },
    { "{\"Cmd\":[\"ls\"],\"User\":7}", "ExecConfig.User of type string" },
};

START_TEST(test_exec_body_check)
{
    struct json_object *b = parse(exec_bodies[_i].body);
    dctl_error_t err = NULL;
    char *t;

    spec_exec_body_check(b, &err);
    t = err_text(err);
    if (*exec_bodies[_i].err == '\0')
        ck_assert_str_eq(t, "");
    else
        ck_assert_msg(strstr(t, exec_bodies[_i].err) != NULL, "%s: got %s", exec_bodies[_i].body,
                      t);
    if (*t == '\0') /* Cmd is a list now, in Docker's spelling */
        ck_assert(json_object_is_type(json_object_object_get(b, "Cmd"), json_type_array));
    free(t);
    json_object_put(b);
}
END_TEST

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* The exec's process from the container's config: env over the container's, the
 * container's user and workdir unless the exec names its own, caps, the TTY's size. */
START_TEST(test_exec_build)
{
    char root[] = "/tmp/test-spec-XXXXXX", etc[600];
    struct json_object *cfg = parse("{\"Env\":[\"A=1\",\"B=2\"],\"User\":\"app\","
                                    "\"WorkingDir\":\"/srv\",\"Hostname\":\"box\"}");
    struct json_object *hc = parse("{\"CapDrop\":[\"ALL\"],\"CapAdd\":[\"KILL\"],"
                                   "\"GroupAdd\":[\"50\"]}");
    struct json_object *x = parse("{\"Cmd\":[\"sh\",\"-c\",\"x\"],\"Env\":[\"B=3\",\"C=4\"],"
                                  "\"Tty\":true,\"ConsoleSize\":[10,20],\"AttachStdin\":true}");
    struct spec_exec_input in = { .config = cfg, .hostconfig = hc, .exec = x };
    struct json_object *out, *proc, *caps;
    dctl_error_t err = NULL;
    const char *env;

    ck_assert(mkdtemp(root) != NULL);
    snprintf(etc, sizeof etc, "%s/etc", root);
    ck_assert_int_eq(mkdir(etc, 0755), 0);
    write_file(etc, "passwd", "root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n");
    write_file(etc, "group", "root:x:0:\napp:x:1001:\n");
    in.rootfs = root;
    out = spec_exec_build(&in, &err);
    ck_assert_msg(out != NULL, "%s", err ? err->msg : "");
    proc = json_object_object_get(out, "process");
    env = json_object_to_json_string_ext(json_object_object_get(proc, "env"),
                                         JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    ck_assert_str_eq(env, "[ \"PATH=" SPEC_DEFAULT_PATH "\", \"HOSTNAME=box\", \"TERM=xterm\", "
                          "\"A=1\", \"B=3\", \"C=4\" ]");
    ck_assert_str_eq(json_object_to_json_string(json_object_object_get(proc, "user")),
                     "{ \"uid\": 1000, \"gid\": 1001, \"additionalGids\": [ 50 ] }");
    ck_assert_str_eq(json_get_string(proc, "cwd"), "/srv");
    ck_assert_str_eq(json_object_to_json_string(json_object_object_get(proc, "args")),
                     "[ \"sh\", \"-c\", \"x\" ]");
    ck_assert_str_eq(json_object_to_json_string(json_object_object_get(proc, "consoleSize")),
                     "{ \"height\": 10, \"width\": 20 }");
    caps = json_object_object_get(json_object_object_get(proc, "capabilities"), "bounding");
    ck_assert_str_eq(json_object_to_json_string(caps), "[ \"CAP_KILL\" ]");
    ck_assert(json_get_bool(json_object_object_get(out, "dctl"), "stdin", false));
    json_object_put(out);

    /* its own user, workdir and start size; Privileged: every capability */
    json_object_object_add(x, "User", json_object_new_string("0:0"));
    json_object_object_add(x, "WorkingDir", json_object_new_string("/tmp"));
    json_object_object_add(x, "Privileged", json_object_new_boolean(1));
    in.rows = 30;
    in.cols = 90;
    out = spec_exec_build(&in, &err);
    ck_assert(out != NULL);
    proc = json_object_object_get(out, "process");
    ck_assert_int_eq(json_get_int64(json_object_object_get(proc, "user"), "uid", -1), 0);
    ck_assert_str_eq(json_get_string(proc, "cwd"), "/tmp");
    ck_assert_int_eq(json_get_int64(json_object_object_get(proc, "consoleSize"), "height", 0), 30);
    caps = json_object_object_get(json_object_object_get(proc, "capabilities"), "effective");
    ck_assert_int_ge(json_object_array_length(caps), 38);
    json_object_put(out);

    /* an unknown user fails as runc's lookup does */
    json_object_object_add(x, "User", json_object_new_string("nosuch"));
    ck_assert(spec_exec_build(&in, &err) == NULL);
    ck_assert(strstr(err->msg, "unable to find user nosuch") != NULL);
    dctl_error_free(err);
    unlink(strcat(strcpy((char[600]){ 0 }, etc), "/passwd"));
    unlink(strcat(strcpy((char[600]){ 0 }, etc), "/group"));
    rmdir(etc);
    rmdir(root);
    json_object_put(cfg);
    json_object_put(hc);
    json_object_put(x);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("spec");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_body_check, 0, ARRAY_SIZE(bodies));
    tcase_add_test(tc, test_body_normalises);
    tcase_add_loop_test(tc, test_config_merge, 0, ARRAY_SIZE(merges));
    tcase_add_test(tc, test_config_no_command);
    tcase_add_loop_test(tc, test_hostconfig, 0, ARRAY_SIZE(hostconfigs));
    tcase_add_test(tc, test_hostconfig_defaults);
    tcase_add_loop_test(tc, test_user_resolve, 0, ARRAY_SIZE(users));
    tcase_add_test(tc, test_user_no_files);
    tcase_add_loop_test(tc, test_resolv_conf, 0, ARRAY_SIZE(resolvs));
    tcase_add_test(tc, test_hosts_file);
    tcase_add_loop_test(tc, test_parse_size, 0, ARRAY_SIZE(sizes));
    tcase_add_loop_test(tc, test_log_parse, 0, ARRAY_SIZE(logs));
    tcase_add_loop_test(tc, test_name_valid, 0, ARRAY_SIZE(names));
    tcase_add_test(tc, test_name_generate);
    tcase_add_loop_test(tc, test_wait_cond, 0, ARRAY_SIZE(conds));
    tcase_add_loop_test(tc, test_signal_parse, 0, ARRAY_SIZE(signals));
    tcase_add_test(tc, test_restart_policy);
    tcase_add_loop_test(tc, test_exec_body_check, 0, ARRAY_SIZE(exec_bodies));
    tcase_add_test(tc, test_exec_build);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
