/* client/cmd-import.c - `dctl import FILE|- [REPOSITORY[:TAG]]` (`dctl image
 * import`): POST /images/create?fromSrc=- with the tarball streamed from the file
 * or standard input as it is read, never held in memory; prints the new image's
 * ID as the daemon reports it. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/reference.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define IMPORT_CHANGES_MAX 64 /* what dctld takes */

/* "&KEY=VALUE" appended to *query. */
static void
import_query_add(char **query, const char *key, const char *value)
{
    cleanup_free char *esc = http_query_escape(value);
    char *q = xasprintf("%s&%s=%s", *query, key, esc);

    free(*query);
    *query = q;
}

/* Prints each {"status": ...} line of the answer; an {"error": ...} line fails. */
static int
import_print_answer(const struct http_response *resp, dctl_error_t *err)
{
    const char *p = resp->body, *end = resp->body + resp->len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        cleanup_json struct json_object *msg = NULL;
        const char *status, *error;

        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        if (len > 0) {
            msg = json_parse_object(p, len, "import answer", err);
            if (msg == NULL)
                return dctl_error_prefix(err, "unexpected answer from daemon");
            error = json_get_string(msg, "error");
            if (error != NULL)
                return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "%s", error);
            status = json_get_string(msg, "status");
            if (status != NULL)
                printf("%s\n", status);
        }
        p = nl ? nl + 1 : end;
    }
    fflush(stdout);
    return 0;
}

static int
import_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "change", required_argument, NULL, 'c' },
        { "message", required_argument, NULL, 'm' },
        { "platform", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *query = xstrdup(""), *path = NULL;
    cleanup_close int fd = -1;
    struct http_response resp;
    const char *source, *ref = NULL;
    dctl_error_t err = NULL;
    struct http_client *http;
    int o, rc = 0, nchanges = 0;

    while ((o = cmd_getopt_mixed(&cmd_import_entry, argc, argv, "c:m:h", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'c':
            if (++nchanges > IMPORT_CHANGES_MAX)
                return cmd_usage_error(&cmd_import_entry, "too many --change values: at "
                                       "most %d", IMPORT_CHANGES_MAX);
            import_query_add(&query, "changes", optarg);
            break;
        case 'm':
            import_query_add(&query, "message", optarg);
            break;
        case 'p':
            import_query_add(&query, "platform", optarg);
            break;
        }
    }
    if (argc - optind < 1)
        return cmd_image_args_error(&cmd_import_entry, "at least 1 argument");
    if (argc - optind > 2)
        return cmd_image_args_error(&cmd_import_entry, "at most 2 arguments");
    source = argv[optind];
    if (argc - optind == 2)
        ref = argv[optind + 1];

    if (ref != NULL && *ref) {
        cleanup_reference struct reference *r = reference_parse_normalized(ref, &err);

        if (r == NULL)
            return cmd_fail(err); /* docker prints the reference error alone */
        import_query_add(&query, "repo", ref);
    }
    if (util_has_prefix(source, "http://") || util_has_prefix(source, "https://")) {
        struct json_object *none = NULL;

        /* the daemon fetches a URL itself; dctld answers that it does not */
        import_query_add(&query, "fromSrc", source);
        path = xasprintf("/images/create?%s", query + 1);
        if (cmd_image_request(cl, "POST", path, NULL, &none, &err) < 0)
            return cmd_fail(err);
        json_object_put(none);
        return CMD_EXIT_OK;
    }
    if (strcmp(source, "-") == 0) {
        fd = dup(STDIN_FILENO);
    } else {
        fd = open(source, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            cleanup_free char *why = xstrdup(strerror(errno));

            why[0] = (char)tolower((unsigned char)why[0]); /* Go's words: "no such file..." */
            fprintf(stderr, "open %s: %s\n", source, why);
            return CMD_EXIT_ERROR;
        }
    }
    if (fd < 0) {
        dctl_error_set(&err, DCTL_ERR_INTERNAL, errno, "standard input");
        return cmd_fail(err);
    }
    path = xasprintf("/images/create?fromSrc=-%s", query);
    http = client_http(cl, &err);
    if (http == NULL ||
        http_upload(http, "POST", path, fd, "application/x-tar", &resp, &err) < 0)
        return cmd_fail(err);
    if (resp.status >= 400) {
        http_response_error(&resp, &err);
        http_response_fini(&resp);
        return cmd_fail(err);
    }
    rc = import_print_answer(&resp, &err);
    http_response_fini(&resp);
    if (rc < 0)
        return cmd_fail(err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_import_entry = {
    .name = "import",
    .args = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
    .summary = "Import the contents from a tarball to create a filesystem image",
    .aliases = "dctl image import, dctl import",
    .options = "  -c, --change list       Apply Dockerfile instruction to the created image\n"
               "                          (repeatable: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,\n"
               "                          ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)\n"
               "  -h, --help              Print usage\n"
               "  -m, --message string    Set commit message for imported image\n"
               "      --platform string   Set platform if server is multi-platform capable\n",
    .exec = import_exec,
};
