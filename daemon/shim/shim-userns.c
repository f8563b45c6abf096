/* daemon/shim/shim-userns.c - a container in a user namespace of its own (OCI's
 * linux.namespaces "user" with linux.uidMappings and gidMappings).
 *
 * The init is clone()d with CLONE_NEWUSER beside its other CLONE_NEW* flags, so that
 * every namespace it gets is owned by the new user namespace, and it blocks on a
 * socket before anything else. The shim, as root of the initial namespace, writes
 * /proc/PID/uid_map, then setgroups ("allow": the container may set its groups) and
 * gid_map, then opens the container's root filesystem through /proc/PID/root (a path
 * in the init's mount namespace, looked up with the shim's rights: the storage
 * driver's directories are not open to the remapped root) and sends that descriptor
 * as the go-ahead. The init becomes root of its namespace (uid and gid 0, no
 * supplementary groups) and binds the tree at that descriptor onto itself with
 * open_tree(2) and move_mount(2), which need no path walk through those directories;
 * the rest of the set-up (mounts of proc, sysfs, devpts, mqueue and tmpfs inside,
 * devices bound from the host's nodes since mknod is refused in a user namespace,
 * binds, pivot_root) is the same as without one. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mount.h>

#include "shim.h"

static char shim_userns_why[512];

static int
shim_userns_fail(const char **why, const char *what, int e)
{
    snprintf(shim_userns_why, sizeof shim_userns_why, "%.400s: %s", what, strerror(e));
    *why = shim_userns_why;
    errno = e;
    return -1;
}

/* One map file, written in a single write(2) as the kernel wants it. */
static int
shim_userns_write_map(pid_t pid, const char *file, const struct shim_id_map *m, size_t n,
                      const char **why)
{
    char path[64], buf[SHIM_ID_MAPS_MAX * 36];
    size_t len = 0, i;
    int fd, e;

    for (i = 0; i < n && len < sizeof buf - 36; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%u %u %u\n", m[i].container,
                                m[i].host, m[i].size);
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return shim_userns_fail(why, path, errno);
    if (write(fd, buf, len) != (ssize_t)len) {
        e = errno;
        close(fd);
        return shim_userns_fail(why, path, e ? e : EIO);
    }
    close(fd);
    return 0;
}

int
shim_userns_parent(pid_t pid, const struct shim_spec *s, int sock, const char **why)
{
    char path[4200], cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = "g", .iov_len = 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                          .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm;
    int fd, rootfd, e;

    if (shim_userns_write_map(pid, "uid_map", s->uid_map, s->nuid_map, why) < 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "allow", 5) != 5) {
        e = errno;
        if (fd >= 0)
            close(fd);
        return shim_userns_fail(why, path, e);
    }
    close(fd);
    if (shim_userns_write_map(pid, "gid_map", s->gid_map, s->ngid_map, why) < 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/root%s", (int)pid, s->root);
    rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return shim_userns_fail(why, "open the container's root", errno);
    memset(cbuf, 0, sizeof cbuf);
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &rootfd, sizeof(int));
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
        e = errno;
        close(rootfd);
        return shim_userns_fail(why, "send the root to the container", e);
    }
    close(rootfd);
    return 0;
}

/* Root of the namespace, as the init makes itself: mapped, no host groups. */
static int
shim_userns_become_root(const char **why)
{
    if (setresgid(0, 0, 0) < 0)
        return shim_userns_fail(why, "setgid 0 in the user namespace", errno);
    if (setgroups(0, NULL) < 0)
        return shim_userns_fail(why, "setgroups in the user namespace", errno);
    if (setresuid(0, 0, 0) < 0)
        return shim_userns_fail(why, "setuid 0 in the user namespace", errno);
    return 0;
}

int
shim_userns_child(int sock, int *root_fd, const char **why)
{
    char cbuf[CMSG_SPACE(sizeof(int))], c = 0;
    struct iovec iov = { .iov_base = &c, .iov_len = 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                          .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm;
    ssize_t n;

    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    close(sock);
    cm = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || c != 'g')
        return shim_userns_fail(why, "wait for the user namespace maps",
                                n < 0 ? errno : EPIPE);
    memcpy(root_fd, CMSG_DATA(cm), sizeof(int));
    /* created by kuid 0, unmapped inside: become the namespace's root, mapped, with
     * no groups of the host's (the capabilities in the namespace stay: the old uid
     * was not its root) */
    return shim_userns_become_root(why);
}

int
shim_userns_join(int fd, const char **why)
{
    if (setns(fd, CLONE_NEWUSER) < 0)
        return shim_userns_fail(why, "join the container's user namespace", errno);
    close(fd);
    return shim_userns_become_root(why);
}

int
shim_userns_bind_root(int root_fd, const char **why)
{
    int tree = (int)syscall(SYS_open_tree, root_fd, "",
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

    if (tree < 0)
        return shim_userns_fail(why, "bind rootfs", errno);
    if (syscall(SYS_move_mount, tree, "", root_fd, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        int e = errno;

        close(tree);
        return shim_userns_fail(why, "bind rootfs", e);
    }
    close(root_fd);
    return tree;   /* the new mount's root */
}

unsigned long
shim_userns_locked_flags(const char *path)
{
    static const struct {
        unsigned long st, ms;
    } flags[] = {
        { ST_NOSUID, MS_NOSUID },     { ST_NODEV, MS_NODEV },
        { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME },
        { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
    };
    struct statvfs sv;
    unsigned long out = 0;
    size_t i;

    if (statvfs(path, &sv) < 0)
        return 0;
    for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (sv.f_flag & flags[i].st)
            out |= flags[i].ms;
    return out;
}
