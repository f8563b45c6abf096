/* client/cmd-exec.c - dctl exec: a command in a running container, as docker exec: the
 * exec created (POST /containers/{id}/exec), then started detached, or hijacked
 * (POST /exec/{id}/start) with stdin, a raw terminal, window size and detach keys as in
 * dctl run; the exit status is the command's (GET /exec/{id}/json). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/hijack.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

enum { EXEC_OPT_DETACH_KEYS = 256, EXEC_OPT_ENV_FILE, EXEC_OPT_PRIVILEGED };

static const struct option exec_longopts[] = {
    { "detach", no_argument, NULL, 'd' },
    { "detach-keys", required_argument, NULL, EXEC_OPT_DETACH_KEYS },
    { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, EXEC_OPT_ENV_FILE },
    { "interactive", no_argument, NULL, 'i' },
    { "privileged", no_argument, NULL, EXEC_OPT_PRIVILEGED },
    { "tty", no_argument, NULL, 't' },
    { "user", required_argument, NULL, 'u' },
    { "workdir", required_argument, NULL, 'w' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* The body of POST /containers/{id}/exec. New. */
static struct json_object *
exec_body(bool detach, bool interactive, bool tty, bool privileged, const char *user,
          const char *workdir, const char *detach_keys, struct json_object *env,
          char *const *argv, int n)
{
    struct json_object *b = json_object_new_object(), *cmd = json_object_new_array();
    struct winsize ws;
    int i;

    json_add_bool(b, "AttachStdin", interactive && !detach);
    json_add_bool(b, "AttachStdout", !detach);
    json_add_bool(b, "AttachStderr", !detach);
    json_add_bool(b, "Tty", tty);
    json_add_bool(b, "Privileged", privileged);
    json_add_bool(b, "Detach", detach);
    if (user)
        json_add_string(b, "User", user);
    if (workdir)
        json_add_string(b, "WorkingDir", workdir);
    if (detach_keys)
        json_add_string(b, "DetachKeys", detach_keys);
    json_object_object_add(b, "Env", json_object_get(env));
    for (i = 0; i < n; i++)
        json_object_array_add(cmd, json_object_new_string(argv[i]));
    json_object_object_add(b, "Cmd", cmd);
    if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row) {
        struct json_object *cs = json_object_new_array();

        json_object_array_add(cs, json_object_new_int(ws.ws_row));
        json_object_array_add(cs, json_object_new_int(ws.ws_col));
        json_object_object_add(b, "ConsoleSize", cs);
    }
    return b;
}

static int
exec_exec(struct client *cl, int argc, char **argv)
{
    cleanup_json struct json_object *env = json_object_new_array(), *body = NULL, *out = NULL;
    cleanup_json struct json_object *info = NULL;
    cleanup_free char *name = NULL, *path = NULL, *id = NULL, *base = NULL;
    const char *user = NULL, *workdir = NULL, *detach_keys = NULL;
    bool detach = false, interactive = false, tty = false, privileged = false;
    struct hijack att = { .fd = -1 };
    dctl_error_t err = NULL;
    int opt, rc = 0;

    while ((opt = cmd_getopt(&cmd_exec_entry, argc, argv, "+dite:u:w:h", exec_longopts, &rc)) !=
           -1) {
        switch (opt) {
        case CMD_OPT_EXIT: return rc;
        case 'd': detach = true; break;
        case 'i': interactive = true; break;
        case 't': tty = true; break;
        case 'e': cmd_env_add(env, optarg); break;
        case 'u': user = optarg; break;
        case 'w': workdir = optarg; break;
        case EXEC_OPT_DETACH_KEYS: detach_keys = optarg; break;
        case EXEC_OPT_PRIVILEGED: privileged = true; break;
        case EXEC_OPT_ENV_FILE:
            if (cmd_env_file_read(optarg, env, &err) < 0)
                return cmd_fail(err);
            break;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr, "\"dctl exec\" requires at least 2 arguments.\nSee 'dctl exec --help'.\n");
        return CMD_EXIT_USAGE;
    }
    if (tty && interactive && !detach && !isatty(STDIN_FILENO)) {
        fprintf(stderr, "the input device is not a TTY\n");
        return CMD_EXIT_ERROR;
    }
    name = cmd_container_escape(argv[optind]);
    body = exec_body(detach, interactive, tty, privileged, user, workdir, detach_keys, env,
                     argv + optind + 1, argc - optind - 1);
    path = xasprintf("/containers/%s/exec", name);
    if (cmd_container_request(cl, "POST", path, json_object_to_json_string(body), &out, &err) < 0)
        return cmd_fail(err);
    id = xstrdup(json_get_string(out, "Id") ? json_get_string(out, "Id") : "");
    free(path);
    path = xasprintf("/exec/%s/start", id);
    if (detach) {
        const char *start = tty ? "{\"Detach\":true,\"Tty\":true}" : "{\"Detach\":true}";

        if (cmd_container_request(cl, "POST", path, start, NULL, &err) < 0)
            return cmd_fail(err);
        return CMD_EXIT_OK;
    }
    if (hijack_open_json(cl->http, "POST", path, tty ? "{\"Detach\":false,\"Tty\":true}"
                                                     : "{\"Detach\":false,\"Tty\":false}",
                         true, true, &att, &err) < 0)
        return cmd_fail(err);
    base = xasprintf("/exec/%s", id);
    cmd_session_run(cl, &att, base, NULL, interactive, tty, tty && interactive);
    hijack_close(&att);
    /* docker's getExecExitStatus: the command's code, once it has ended */
    free(path);
    path = xasprintf("/exec/%s/json", id);
    if (cmd_container_request(cl, "GET", path, NULL, &info, &err) < 0)
        return cmd_fail(err);
    return json_get_bool(info, "Running", false) ? CMD_EXIT_OK
                                                 : (int)json_get_int64(info, "ExitCode", 0);
}

const struct client_cmd cmd_exec_entry = {
    .name = "exec",
    .args = "[OPTIONS] CONTAINER COMMAND [ARG...]",
    .summary = "Execute a command in a running container",
    .aliases = "dctl container exec, dctl exec",
    .options = "  -d, --detach               Detached mode: run command in the background\n"
               "      --detach-keys string   Override the key sequence for detaching a\n"
               "                             container\n"
               "  -e, --env list             Set environment variables\n"
               "      --env-file list        Read in a file of environment variables\n"
               "  -h, --help                 Print usage\n"
               "  -i, --interactive          Keep STDIN open even if not attached\n"
               "      --privileged           Give extended privileges to the command\n"
               "  -t, --tty                  Allocate a pseudo-TTY\n"
               "  -u, --user string          Username or UID (format:\n"
               "                             \"<name|uid>[:<group|gid>]\")\n"
               "  -w, --workdir string       Working directory inside the container\n",
    .exec = exec_exec,
};
