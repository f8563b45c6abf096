/* daemon/shim/shim-seccomp.c - the container's seccomp filter: read from the BPF file
 * dctld compiled (dctl.seccompBpf, daemon/secfilter.h) while the shim still sees the
 * host's files, and loaded with seccomp(2) as the last step before the exec. No
 * libseccomp here: the program is classic BPF, ready to load. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

/* the kernel refuses programs longer than this (BPF_MAXINSNS) */
#define SHIM_SECCOMP_MAX_INSNS 4096

int
shim_seccomp_read(const char *path, struct shim_spec *s, const char **why)
{
    static char msg[512];
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(msg, sizeof msg, "seccomp filter %s: %s", path, strerror(errno));
        goto fail;
    }
    if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
        st.st_size > (off_t)(SHIM_SECCOMP_MAX_INSNS * sizeof(struct sock_filter))) {
        snprintf(msg, sizeof msg, "seccomp filter %s: not a BPF program (%lld bytes)", path,
                 (long long)st.st_size);
        goto fail;
    }
    s->seccomp = malloc((size_t)st.st_size);
    if (s->seccomp == NULL) {
        snprintf(msg, sizeof msg, "seccomp filter %s: out of memory", path);
        goto fail;
    }
    n = read(fd, s->seccomp, (size_t)st.st_size);
    if (n != st.st_size) {
        snprintf(msg, sizeof msg, "seccomp filter %s: short read", path);
        free(s->seccomp);
        s->seccomp = NULL;
        goto fail;
    }
    s->seccomp_len = (size_t)st.st_size / sizeof(struct sock_filter);
    close(fd);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    *why = msg;
    return -1;
}

int
shim_seccomp_load(const struct shim_spec *s)
{
    struct sock_fprog prog = {
        .len = (unsigned short)s->seccomp_len,
        .filter = s->seccomp,
    };

    if (s->seccomp == NULL)
        return 0;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->seccomp_flags, &prog);
}
