/* client/cmd-cp.c - `dctl cp` (`dctl container cp`): files between a container and
 * the local filesystem through /containers/{id}/archive (docker cp's protocol): out of
 * the container, GET a tar of the path (spooled to an unlinked file) and extract it
 * under the destination, renamed as docker does when the destination does not exist;
 * into it, HEAD the destination, then PUT a tar of the local path (named after the
 * destination when that does not exist) to the directory. "-" is a tar on standard
 * output or input. Extraction refuses entries that would land outside the target. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "lib/tar.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* "NAME:PATH" → the container and the path; NULL when arg is a local path. */
static char *
cp_split(const char *arg, const char **path)
{
    const char *colon = strchr(arg, ':');

    if (colon == NULL || arg[0] == '/' || arg[0] == '.' || colon == arg)
        return NULL;
    *path = colon + 1;
    return xstrndup(arg, (size_t)(colon - arg));
}

static int
cp_from(struct client *cl, const char *ctr, const char *src, const char *dst,
        dctl_error_t *err)
{
    cleanup_free char *name = cmd_container_escape(ctr), *esc = http_query_escape(src);
    cleanup_free char *path = xasprintf("/containers/%s/archive?path=%s", name, esc);
    cleanup_free char *copy = xstrdup(dst), *parent = NULL, *tmp = NULL, *srccopy = NULL;
    cleanup_close int fd = -1;
    struct http_client *http = client_http(cl, err);
    struct stat st;
    const char *base;

    if (http == NULL)
        return -1;
    if (strcmp(dst, "-") == 0)
        return http_download(http, path, STDOUT_FILENO, err);
    parent = xstrdup(dirname(copy));
    fd = open(parent, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, errno, "destination directory %s", parent);
    if (http_download(http, path, fd, err) < 0)
        return -1;
    if (lseek(fd, 0, SEEK_SET) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rewind");
    if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode))   /* into the directory */
        return tar_apply(fd, dst, TAR_WHITEOUT_DELETE, NULL, err);
    /* a new name (or a file replaced): extract beside it, then rename */
    tmp = xasprintf("%s/.dctl-cp-%d", parent, (int)getpid());
    if (mkdir(tmp, 0700) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "mkdir %s", tmp);
    srccopy = xstrdup(src);
    {
        size_t n = strlen(srccopy);

        while (n > 1 && srccopy[n - 1] == '/')
            srccopy[--n] = '\0';
    }
    base = strrchr(srccopy, '/') ? strrchr(srccopy, '/') + 1 : srccopy;
    if (tar_apply(fd, tmp, TAR_WHITEOUT_DELETE, NULL, err) == 0) {
        cleanup_free char *from = xasprintf("%s/%s", tmp, *base ? base : ".");

        if (rename(from, dst) < 0)
            dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "rename to %s", dst);
    }
    {
        dctl_error_t rerr = NULL;

        if (tree_remove(tmp, &rerr) < 0)
            dctl_error_free(rerr);
    }
    return *err ? -1 : 0;
}

static int
cp_to(struct client *cl, const char *src, const char *ctr, const char *dst, dctl_error_t *err)
{
    cleanup_free char *name = cmd_container_escape(ctr), *dstcopy = xstrdup(dst);
    cleanup_free char *srcdir = NULL, *srcbase = NULL, *target = NULL, *as = NULL;
    cleanup_free char *esc = NULL, *path = NULL, *head = NULL;
    cleanup_close int fd = -1;
    struct http_client *http = client_http(cl, err);
    struct http_response resp = { 0 };
    size_t n;
    int rc;

    if (http == NULL)
        return -1;
    n = strlen(dstcopy);
    while (n > 1 && dstcopy[n - 1] == '/')
        dstcopy[--n] = '\0';
    if (strcmp(src, "-") == 0) {   /* a tar on stdin, extracted into the directory */
        target = xstrdup(dstcopy);
        fd = dup(STDIN_FILENO);
    } else {
        cleanup_free char *c1 = xstrdup(src), *c2 = xstrdup(src);
        struct stat st;

        if (lstat(src, &st) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, errno,
                                  "could not find the file %s on the local host", src);
        srcdir = xstrdup(dirname(c1));
        srcbase = xstrdup(basename(c2));
        /* the destination: an existing directory gets SRC inside it; else SRC is
         * renamed to the destination's base name in its parent */
        esc = http_query_escape(dstcopy);
        head = xasprintf("/containers/%s/archive?path=%s", name, esc);
        if (http_request(http, "HEAD", head, NULL, &resp, err) < 0)
            return -1;
        if (resp.status == 200) {
            target = xstrdup(dstcopy);
            as = xstrdup(srcbase);
        } else if (resp.status == 404) {
            cleanup_free char *c3 = xstrdup(dstcopy), *c4 = xstrdup(dstcopy);

            target = xstrdup(dirname(c3));
            as = xstrdup(basename(c4));
        } else {
            http_response_error(&resp, err);
            http_response_fini(&resp);
            return -1;
        }
        http_response_fini(&resp);
        fd = open(".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
            fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "create a spool file");
        if (tar_write_path(fd, srcdir, srcbase, as, err) < 0 || lseek(fd, 0, SEEK_SET) < 0)
            return -1;
    }
    free(esc);
    esc = http_query_escape(target);
    path = xasprintf("/containers/%s/archive?path=%s&noOverwriteDirNonDir=true", name, esc);
    rc = http_upload(http, "PUT", path, fd, "application/x-tar", &resp, err);
    if (rc == 0 && resp.status >= 400)
        rc = http_response_error(&resp, err);
    http_response_fini(&resp);
    return rc;
}

static int
cp_exec(struct client *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "archive", no_argument, NULL, 'a' },
        { "follow-link", no_argument, NULL, 'L' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cleanup_free char *c_src = NULL, *c_dst = NULL;
    const char *p_src = NULL, *p_dst = NULL;
    dctl_error_t err = NULL;
    int o, rc = 0;

    while ((o = cmd_getopt_mixed(&cmd_cp_entry, argc, argv, "aLqh", opts, &rc)) != -1) {
        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'L')
            return cmd_usage_error(&cmd_cp_entry, "--follow-link is not supported yet");
    }
    if (argc - optind != 2)
        return cmd_image_args_error(&cmd_cp_entry, "exactly 2 arguments");
    c_src = cp_split(argv[optind], &p_src);
    c_dst = cp_split(argv[optind + 1], &p_dst);
    if ((c_src == NULL) == (c_dst == NULL)) {
        fprintf(stderr, c_src ? "copying between containers is not supported\n"
                              : "must specify at least one container source\n");
        return CMD_EXIT_ERROR;
    }
    if (c_src)
        rc = cp_from(cl, c_src, *p_src ? p_src : "/", argv[optind + 1], &err);
    else
        rc = cp_to(cl, argv[optind], c_dst, *p_dst ? p_dst : "/", &err);
    if (rc < 0)
        return cmd_fail(err);
    return CMD_EXIT_OK;
}

const struct client_cmd cmd_cp_entry = {
    .name = "cp",
    .args = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdctl cp [OPTIONS] SRC_PATH|- "
            "CONTAINER:DEST_PATH",
    .summary = "Copy files/folders between a container and the local filesystem",
    .aliases = "dctl container cp, dctl cp",
    .options = "  -a, --archive       Archive mode (copy all uid/gid information; the\n"
               "                      owners in the archive are always kept)\n"
               "  -L, --follow-link   Always follow symbol link in SRC_PATH (refused: not\n"
               "                      supported yet; links are copied as links)\n"
               "  -h, --help          Print usage\n"
               "  -q, --quiet         Suppress progress output (dctl prints none)\n",
    .exec = cp_exec,
};
