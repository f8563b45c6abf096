/* client/cmd-save.c - `dctl save`: streams GET /images/get?names=... (a docker-archive
 * with the OCI layout beside it) to -o FILE, written under a temporary name in the same
 * directory and renamed once complete, or to stdout when that is not a terminal. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmd.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* -o FILE: the archive under a temporary name, renamed to FILE when it is complete. */
static int
save_to_file(struct http_client *http, const char *path, const char *file, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(file);
    cleanup_free char *tmp = xasprintf("%s/.dctl-save-XXXXXX", dirname(copy));
    int fd = mkostemp(tmp, O_CLOEXEC);

    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno,
                              "failed to save image: unable to create a file in the directory "
                              "of %s", file);
    if (http_download(http, path, fd, err) < 0 || fsync(fd) < 0 || close(fd) < 0 ||
        (fd = -1, rename(tmp, file) < 0)) {
        if (*err == NULL)
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "failed to save image: write %s",
                           file);
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int
save_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL;
    cleanup_free char *path = NULL;
    dctl_error_t err = NULL;
    struct http_client *http;
    int o, rc = 0, i;

    while ((o = cmd_getopt(&cmd_save_entry, argc, argv, "o:h", opts, &rc)) != -1) {
        switch (o) {
        case CMD_OPT_EXIT:
            return rc;
        case 'o':
            output = optarg;
            break;
        }
    }
    if (optind >= argc)
        return cmd_usage_error(&cmd_save_entry, "\"dctl save\" requires at least 1 argument.");
    if (output == NULL && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or "
                        "redirect\n");
        return CMD_EXIT_ERROR;
    }
    path = xstrdup("/images/get");
    for (i = optind; i < argc; i++) {
        cleanup_free char *name = http_query_escape(argv[i]);
        char *p = xasprintf("%s%cnames=%s", path, i == optind ? '?' : '&', name);

        free(path);
        path = p;
    }
    http = client_http(cl, &err);
    if (http == NULL)
        return cmd_fail(err);
    if (output ? save_to_file(http, path, output, &err) < 0
               : http_download(http, path, STDOUT_FILENO, &err) < 0)
        return cmd_fail(err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_save_entry = {
    .name = "save",
    .args = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Save one or more images to a tar archive (streamed to STDOUT by default)",
    .options =
        "  -h, --help            Print usage\n"
        "  -o, --output string   Write to a file, instead of STDOUT\n",
    .exec = save_exec,
};
