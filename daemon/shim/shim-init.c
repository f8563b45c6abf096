/* daemon/shim/shim-init.c - the container side of dctl-shim: what runs in the
 * clone()d child, in its new namespaces, up to the exec of the command.
 *
 * Order (as runc does it): join namespaces given by path, bring lo up, make every
 * mount private, bind the root onto itself, do the spec's mounts in order under
 * it (destinations resolved with openat2(RESOLVE_IN_ROOT), so no symlink in the
 * image leads a mount out of the root), create the devices and /dev links,
 * pivot_root, allocate the pty in the container's own devpts, hostname, sysctls,
 * read-only and masked paths, rlimits, stdio, working directory, user, groups,
 * capabilities, the seccomp filter, and exec with the spec's environment and a $PATH search inside
 * the root. A failure is written as "CODE MESSAGE" to the exec pipe (CLOEXEC, so
 * a successful exec closes it empty) and the child exits with CODE.
 *
 * With dctl.init the child forks the command and stays as PID 1: it forwards
 * signals, reaps orphans and exits with the command's status.
 *
 * An exec session's child (shim_init_exec_run) joins the init's namespaces and goes
 * through the same steps from the pty on, without mounts or a new working directory. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <grp.h>
#include <termios.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/openat2.h>

#include "shim.h"

#define INIT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int init_exec_pipe = -1;
static bool init_in_userns; /* the init is in a user namespace of its own */

/* strerror as Go spells it (lower case), for messages in Docker's words */
static const char *
init_strerror(int e)
{
    static char buf[128];

    snprintf(buf, sizeof buf, "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
init_fail(int code, const char *fmt, ...)
{
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "%d ", code);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (init_exec_pipe >= 0 && write(init_exec_pipe, msg, strlen(msg)) < 0)
        _exit(code);
    _exit(code);
}

/* openat2 with the root as "/" for symlinks and "..": nothing resolves outside it. */
static int
init_open_in_root(int rootfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };

    while (*path == '/')
        path++;
    return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
}

/* Opens dest (O_PATH) inside the root, creating what is missing: directories on the
 * way, and at the end a directory or (file) an empty file, owned by uid:gid when
 * chown_to is set. */
static int
init_mkpath(int rootfd, const char *dest, bool file, mode_t mode, const uid_t *chown_to,
            gid_t gid)
{
    char buf[PATH_MAX];
    char *p, *end;
    int fd = init_open_in_root(rootfd, dest, O_PATH), parent;

    if (fd >= 0 || errno != ENOENT)
        return fd;
    if (strlen(dest) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(buf, dest);
    parent = init_open_in_root(rootfd, "/", O_PATH);
    if (parent < 0)
        return -1;
    for (p = buf; *p;) {
        bool last;
        char save;

        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        end = p + strcspn(p, "/");
        last = end[strspn(end, "/")] == '\0';
        save = *end;
        *end = '\0';
        if (strcmp(p, "..") == 0) {
            close(parent);
            errno = EINVAL;
            return -1;
        }
        fd = init_open_in_root(rootfd, buf, O_PATH);
        if (fd < 0 && errno == ENOENT) {
            if (last && file) {
                int f = openat(parent, p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                               mode);

                if (f >= 0)
                    close(f);
            } else {
                mkdirat(parent, p, last ? mode : 0755);
            }
            if (chown_to)
                fchownat(parent, p, *chown_to, gid, AT_SYMLINK_NOFOLLOW);
            fd = init_open_in_root(rootfd, buf, O_PATH);
        }
        close(parent);
        if (fd < 0)
            return -1;
        parent = fd;
        *end = save;
        p = end;
    }
    return parent;
}

static void
init_fd_path(char *buf, size_t len, int fd)
{
    snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* In a user namespace, a remount keeps the flags the kernel locked on a mount that came
 * from the host (nosuid, nodev, noexec, atime): asking for less is EPERM. */
static unsigned long
init_keep_flags(const char *path)
{
    return init_in_userns ? shim_userns_locked_flags(path) : 0;
}

static void
init_mount_one(int rootfd, const struct shim_mount *m)
{
    bool bind = (m->flags & MS_BIND) != 0;
    unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    bool file = false;
    char target[64];
    struct stat st;
    int fd, rc;

    if (bind) {
        if (stat(m->source, &st) < 0)
            init_fail(SHIM_EXIT_START_FAILED,
                      "error mounting \"%s\" to rootfs at \"%s\": stat %s: %s", m->source,
                      m->destination, m->source, init_strerror(errno));
        file = !S_ISDIR(st.st_mode);
    }
    fd = init_mkpath(rootfd, m->destination, file, file ? 0644 : 0755, NULL, 0);
    if (fd < 0)
        init_fail(SHIM_EXIT_START_FAILED, "error mounting \"%s\" to rootfs at \"%s\": %s",
                  m->source ? m->source : m->type, m->destination, init_strerror(errno));
    init_fd_path(target, sizeof target, fd);
    if (bind) {
        rc = mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL);
    } else if (strcmp(m->type, "cgroup") == 0) {
        /* OCI's "cgroup": the container's view of the unified hierarchy (its own
         * cgroup namespace); v1 controllers are not mounted into containers */
        rc = mount("cgroup2", target, "cgroup2", flags, NULL);
    } else {
        rc = mount(m->source ? m->source : m->type, target, m->type, flags,
                   *m->data ? m->data : NULL);
        if (rc < 0 && errno == EPERM && strcmp(m->type, "sysfs") == 0) {
            /* sysfs of the host's network namespace: bind the host's /sys instead */
            rc = mount("/sys", target, NULL, MS_BIND | MS_REC, NULL);
            bind = true;
        }
    }
    close(fd);
    if (rc < 0)
        init_fail(SHIM_EXIT_START_FAILED, "error mounting \"%s\" to rootfs at \"%s\": %s",
                  m->source ? m->source : m->type, m->destination, init_strerror(errno));
    if ((bind && flags) || m->propagation) {
        /* reopen: the fd above is the mount point, not the mount now on it */
        fd = init_open_in_root(rootfd, m->destination, O_PATH);
        if (fd < 0)
            init_fail(SHIM_EXIT_START_FAILED, "reopen %s: %s", m->destination, init_strerror(errno));
        init_fd_path(target, sizeof target, fd);
        if (bind && flags &&
            mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | init_keep_flags(target),
                  NULL) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "remount \"%s\" in rootfs: %s", m->destination,
                      init_strerror(errno));
        if (m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "set propagation of \"%s\": %s", m->destination,
                      init_strerror(errno));
        close(fd);
    }
}

static void
init_devices(int rootfd, const struct shim_spec *s)
{
    static const char *const links[][2] = {
        { "/proc/self/fd", "fd" },     { "/proc/self/fd/0", "stdin" },
        { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
    };
    bool devpts = false;
    size_t i;
    int devfd;

    for (i = 0; i < s->ndevices; i++) {
        const struct shim_device *d = &s->devices[i];
        const char *base = strrchr(d->path, '/') + 1;
        char dir[PATH_MAX];
        int pfd;

        snprintf(dir, sizeof dir, "%.*s", (int)(base - d->path), d->path);
        pfd = init_mkpath(rootfd, dir, false, 0755, NULL, 0);
        if (pfd < 0)
            init_fail(SHIM_EXIT_START_FAILED, "create device %s: %s", d->path, init_strerror(errno));
        unlinkat(pfd, base, 0);
        if (mknodat(pfd, base, d->type | d->mode, makedev(d->major, d->minor)) < 0) {
            /* no mknod here (e.g. a nodev /dev): bind the host's node */
            char target[64];
            int f = openat(pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
            int tfd;

            if (f < 0)
                init_fail(SHIM_EXIT_START_FAILED, "create device %s: %s", d->path,
                          init_strerror(errno));
            close(f);
            tfd = init_open_in_root(rootfd, d->path, O_PATH);
            init_fd_path(target, sizeof target, tfd);
            if (tfd < 0 || mount(d->path, target, NULL, MS_BIND, NULL) < 0)
                init_fail(SHIM_EXIT_START_FAILED, "bind device %s: %s", d->path,
                          init_strerror(errno));
            close(tfd);
        } else if (fchownat(pfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0) {
            init_fail(SHIM_EXIT_START_FAILED, "chown device %s: %s", d->path, init_strerror(errno));
        }
        close(pfd);
    }
    devfd = init_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
    if (devfd < 0)
        return; /* a root without /dev and no /dev mount: nothing to link */
    for (i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
            init_fail(SHIM_EXIT_START_FAILED, "symlink /dev/%s: %s", links[i][1],
                      init_strerror(errno));
    if (access("/proc/kcore", F_OK) == 0)
        symlinkat("/proc/kcore", devfd, "core");
    for (i = 0; i < s->nmounts; i++)
        if (strcmp(s->mounts[i].type, "devpts") == 0 &&
            strcmp(s->mounts[i].destination, "/dev/pts") == 0)
            devpts = true;
    if (devpts) {
        unlinkat(devfd, "ptmx", 0);
        if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
            init_fail(SHIM_EXIT_START_FAILED, "symlink /dev/ptmx: %s", init_strerror(errno));
    }
    close(devfd);
}

static void
init_pivot_root(int rootfd)
{
    if (fchdir(rootfd) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "chdir to rootfs: %s", init_strerror(errno));
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        init_fail(SHIM_EXIT_START_FAILED, "pivot_root: %s", init_strerror(errno));
    if (umount2(".", MNT_DETACH) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "unmount the old root: %s", init_strerror(errno));
    if (chdir("/") < 0)
        init_fail(SHIM_EXIT_START_FAILED, "chdir /: %s", init_strerror(errno));
}

/* Opens a pty in the container's devpts, sends the master to the shim, makes the
 * slave /dev/console (for the init, not for an exec); returns the slave. */
static int
init_console(const struct shim_child *c, bool console)
{
    const struct shim_spec *s = c->spec;
    struct winsize ws = { .ws_row = s->rows, .ws_col = s->cols };
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = "m", .iov_len = 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                          .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm;
    unsigned int n = 0, unlock = 0;
    char path[64];
    int master, slave;

    master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        init_fail(SHIM_EXIT_START_FAILED, "open /dev/ptmx in the container: %s",
                  init_strerror(errno));
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "unlock pty: %s", init_strerror(errno));
    snprintf(path, sizeof path, "/dev/pts/%u", n);
    slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        init_fail(SHIM_EXIT_START_FAILED, "open %s: %s", path, init_strerror(errno));
    if (ws.ws_row && ws.ws_col)
        ioctl(slave, TIOCSWINSZ, &ws);
    if (fchown(slave, s->uid, (gid_t)-1) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "chown %s: %s", path, init_strerror(errno));
    if (console && access("/dev", F_OK) == 0) {
        int f = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);

        if (f >= 0)
            close(f);
        if (mount(path, "/dev/console", NULL, MS_BIND, NULL) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "bind %s on /dev/console: %s", path,
                      init_strerror(errno));
    }
    memset(cbuf, 0, sizeof cbuf);
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &master, sizeof(int));
    if (sendmsg(c->console_sock, &msg, 0) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "send the pty to the shim: %s", init_strerror(errno));
    close(master);
    close(c->console_sock);
    return slave;
}

static void
init_write_sysctl(const struct shim_sysctl *sc)
{
    char path[PATH_MAX], *p;
    int fd;

    snprintf(path, sizeof path, "/proc/sys/%s", sc->key);
    for (p = path + 10; *p; p++)
        if (*p == '.')
            *p = '/';
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, sc->value, strlen(sc->value)) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "write sysctl key %s: %s", sc->key, init_strerror(errno));
    close(fd);
}

static void
init_paths(const struct shim_spec *s)
{
    struct stat st;
    size_t i;

    for (i = 0; s->readonly[i]; i++) {
        const char *p = s->readonly[i];

        if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT)
                continue;
            init_fail(SHIM_EXIT_START_FAILED, "make %s read-only: %s", p, init_strerror(errno));
        }
        if (mount(NULL, p, NULL,
                  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "make %s read-only: %s", p, init_strerror(errno));
    }
    for (i = 0; s->masked[i]; i++) {
        const char *p = s->masked[i];
        int rc;

        if (stat(p, &st) < 0) {
            if (errno == ENOENT)
                continue;
            init_fail(SHIM_EXIT_START_FAILED, "mask %s: %s", p, init_strerror(errno));
        }
        if (S_ISDIR(st.st_mode))
            rc = mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL);
        else
            rc = mount("/dev/null", p, NULL, MS_BIND, NULL);
        if (rc < 0)
            init_fail(SHIM_EXIT_START_FAILED, "mask %s: %s", p, init_strerror(errno));
    }
}

/* The spec's rlimits as asked: dctld refused at create what is above its own hard limit
 * (raising one needs CAP_SYS_RESOURCE), so a failure here is an error, never a lower limit. */
static void
init_rlimits(const struct shim_spec *s)
{
    size_t i;

    for (i = 0; i < s->nrlimits; i++) {
        struct rlimit want = { .rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard };
        struct rlimit cur;

        if (setrlimit(s->rlimits[i].resource, &want) == 0)
            continue;
        if (errno == EPERM && getrlimit(s->rlimits[i].resource, &cur) == 0 &&
            want.rlim_max > cur.rlim_max)
            init_fail(SHIM_EXIT_START_FAILED, "error setting rlimit type %d: the hard limit %llu "
                      "is above the current one (%llu): %s", s->rlimits[i].resource,
                      (unsigned long long)want.rlim_max, (unsigned long long)cur.rlim_max,
                      init_strerror(errno));
        init_fail(SHIM_EXIT_START_FAILED, "error setting rlimit type %d: %s",
                  s->rlimits[i].resource, init_strerror(errno));
    }
}

/* Creates the working directory if missing (each new component owned by the
 * user), then enters it. */
static void
init_cwd(const struct shim_spec *s)
{
    struct stat st;
    int fd, rootfd;

    if (stat(s->cwd, &st) == 0 && !S_ISDIR(st.st_mode))
        init_fail(SHIM_EXIT_START_FAILED, "Cannot mkdir: %s is not a directory", s->cwd);
    rootfd = open("/", O_PATH | O_CLOEXEC);
    fd = rootfd < 0 ? -1 : init_mkpath(rootfd, s->cwd, false, 0755, &s->uid, s->gid);
    if (fd < 0)
        init_fail(SHIM_EXIT_START_FAILED, "mkdir %s: %s", s->cwd, init_strerror(errno));
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        init_fail(SHIM_EXIT_START_FAILED, "Cannot mkdir: %s is not a directory", s->cwd);
    close(fd);
    close(rootfd);
    if (chdir(s->cwd) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "chdir to cwd (\"%s\") set in config.json failed: %s",
                  s->cwd, init_strerror(errno));
}

static void
init_seccomp(const struct shim_spec *s)
{
    if (shim_seccomp_load(s) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "load the seccomp filter: %s", init_strerror(errno));
}

static void
init_capset(struct __user_cap_header_struct *hdr, uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_data_struct want[2] = {
        { .effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh },
        { .effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(perm >> 32),
          .inheritable = (uint32_t)(inh >> 32) },
    };

    if (syscall(SYS_capset, hdr, want) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "capset: %s", init_strerror(errno));
}

/* Groups, user and capabilities, then the seccomp filter, the last thing before the exec
 * (shared by the init and the exec paths). The kernel loads a filter only with
 * no_new_privs or CAP_SYS_ADMIN in the effective set; without no_new_privs (setuid
 * programs in the container must work, as in Docker) CAP_SYS_ADMIN is kept until the
 * filter is in, then dropped if the container does not have it: after the filter only
 * capset, the ambient prctls and execve run, which any filter that lets the command start
 * allows. */
static void
init_credentials(const struct shim_spec *s)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct cur[2];
    uint64_t have, eff, perm, inh, admin = 1ULL << CAP_SYS_ADMIN;
    int last = CAP_LAST_CAP, c;
    FILE *f;

    if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "set no_new_privs: %s", init_strerror(errno));
    if (s->has_caps) {
        f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        if (f) {
            if (fscanf(f, "%d", &last) != 1)
                last = CAP_LAST_CAP;
            fclose(f);
        }
        for (c = 0; c <= last && c < 64; c++)
            if (!(s->caps[SHIM_CAP_BOUNDING] & (1ULL << c)) &&
                prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                init_fail(SHIM_EXIT_START_FAILED, "drop capability %d: %s", c, init_strerror(errno));
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "keep capabilities: %s", init_strerror(errno));
    } else {
        init_seccomp(s);   /* no capabilities to set: load it while still root */
    }
    if (setgroups(s->ngids, s->gids) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "setgroups: %s", init_strerror(errno));
    if (setresgid(s->gid, s->gid, s->gid) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "setgid %u: %s", (unsigned int)s->gid,
                  init_strerror(errno));
    if (setresuid(s->uid, s->uid, s->uid) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "setuid %u: %s", (unsigned int)s->uid,
                  init_strerror(errno));
    if (!s->has_caps)
        return;
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    if (syscall(SYS_capget, &hdr, cur) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "capget: %s", init_strerror(errno));
    /* only what the shim has: a set asking for more would fail as a whole */
    have = (uint64_t)cur[0].permitted | ((uint64_t)cur[1].permitted << 32);
    eff = s->caps[SHIM_CAP_EFFECTIVE] & have;
    perm = s->caps[SHIM_CAP_PERMITTED] & have;
    inh = s->caps[SHIM_CAP_INHERITABLE] & have;
    if (s->seccomp && !s->no_new_privs && !(eff & admin) && (have & admin)) {
        init_capset(&hdr, eff | admin, perm | admin, inh);
        init_seccomp(s);
        init_capset(&hdr, eff, perm, inh);
    } else {
        init_capset(&hdr, eff, perm, inh);
        init_seccomp(s);
    }
    for (c = 0; c < 64; c++)
        if (s->caps[SHIM_CAP_AMBIENT] & (1ULL << c))
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0); /* as runc: best effort */
}

static const char *
init_getenv(char **env, const char *name)
{
    size_t n = strlen(name);

    for (; *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return NULL;
}

/* Go's exec.LookPath in the container's root, with its messages. */
static void __attribute__((noreturn))
init_exec(const struct shim_spec *s)
{
    const char *name = s->args[0];
    const char *path = init_getenv(s->env, "PATH");
    char file[PATH_MAX];
    struct stat st;
    int e;

    if (strchr(name, '/')) {
        if (stat(name, &st) < 0)
            init_fail(errno == ENOENT || errno == ENOTDIR ? SHIM_EXIT_NOT_FOUND
                                                          : SHIM_EXIT_CANNOT_EXEC,
                      "exec: \"%s\": stat %s: %s", name, name, init_strerror(errno));
        if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
            init_fail(SHIM_EXIT_CANNOT_EXEC, "exec: \"%s\": permission denied", name);
        snprintf(file, sizeof file, "%s", name);
    } else {
        const char *p = path ? path : INIT_DEFAULT_PATH;
        bool found = false;

        while (!found) {
            size_t n = strcspn(p, ":");

            snprintf(file, sizeof file, "%.*s/%s", (int)n, n ? p : ".", name);
            if (stat(file, &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111))
                found = true;
            if (p[n] == '\0')
                break;
            p += n + 1;
        }
        if (!found)
            init_fail(SHIM_EXIT_NOT_FOUND, "exec: \"%s\": executable file not found in $PATH",
                      name);
    }
    execve(file, s->args, s->env);
    e = errno;
    init_fail(e == ENOENT ? SHIM_EXIT_NOT_FOUND : SHIM_EXIT_CANNOT_EXEC, "exec %s: %s", file,
              init_strerror(e));
}

static void
init_unblock_signals(void)
{
    sigset_t none;
    int i;

    for (i = 1; i < NSIG; i++)
        signal(i, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* PID 1 with dctl.init: forward signals to the command, reap everything, exit
 * with the command's status. */
static void __attribute__((noreturn))
init_reaper(const struct shim_child *c)
{
    static const int sync_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP,
                                        SIGSYS };
    sigset_t all, old;
    pid_t child;
    size_t i;

    sigfillset(&all);
    for (i = 0; i < sizeof sync_signals / sizeof sync_signals[0]; i++)
        sigdelset(&all, sync_signals[i]);
    sigprocmask(SIG_SETMASK, &all, &old);
    child = fork();
    if (child < 0)
        init_fail(SHIM_EXIT_START_FAILED, "fork the command: %s", init_strerror(errno));
    if (child == 0) {
        if (c->spec->terminal) {
            /* the command's own process group, in the foreground of the terminal */
            setpgid(0, 0);
            tcsetpgrp(0, getpid());
        }
        init_unblock_signals();
        init_exec(c->spec);
    }
    prctl(PR_SET_NAME, "dctl-init", 0, 0, 0);
    close_range(3, ~0U, 0); /* the exec pipe too: the command's exec closes the last copy */
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&all, &si), st;
        pid_t w;

        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            kill(child, sig);
            continue;
        }
        while ((w = waitpid(-1, &st, WNOHANG)) > 0)
            if (w == child)
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
}

/* Joins the namespaces opened in c->ns_fd, in the order of enum shim_ns (the mount
 * namespace after those whose files it would hide); the PID namespace is the shim's
 * business: it is entered for children, before the fork or clone. */
static void
init_join_namespaces(const struct shim_child *c)
{
    static const int ns_types[SHIM_NS_COUNT] = { CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                                                 CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWCGROUP };
    static const char *const ns_names[SHIM_NS_COUNT] = { "ipc", "uts", "net", "pid", "mnt",
                                                         "cgroup" };
    int i;

    for (i = 0; i < SHIM_NS_COUNT; i++)
        if (c->ns_fd[i] >= 0 && i != SHIM_NS_PID) {
            if (setns(c->ns_fd[i], ns_types[i]) < 0)
                init_fail(SHIM_EXIT_START_FAILED, "join namespace %s: %s",
                          c->spec->ns_path[i] ? c->spec->ns_path[i] : ns_names[i],
                          init_strerror(errno));
            close(c->ns_fd[i]);
        }
}

/* Waits until the shim has put this process in the container's cgroup, then (the init
 * with a private cgroup namespace) makes that cgroup its namespace's root: the clone
 * could not, as the child was not in it yet. */
static void
init_cgroup(const struct shim_child *c)
{
    if (shim_cgroup_wait(c->cgroup_sync, c->cgroup_sync_peer) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "the shim did not put the process in its cgroup");
    if (c->cgroupns && unshare(CLONE_NEWCGROUP) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "unshare the cgroup namespace: %s",
                  init_strerror(errno));
}

/* A new session with the pty slave as its controlling terminal and stdio, or the pipes. */
static void
init_stdio(const struct shim_child *c, int slave)
{
    int i;

    setsid();
    if (slave >= 0) {
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "set the controlling terminal: %s",
                      init_strerror(errno));
        for (i = 0; i < 3; i++)
            if (dup2(slave, i) < 0)
                init_fail(SHIM_EXIT_START_FAILED, "dup2: %s", init_strerror(errno));
        close(slave);
        return;
    }
    for (i = 0; i < 3; i++)
        if (dup2(c->stdio[i], i) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "dup2: %s", init_strerror(errno));
    for (i = 0; i < 3; i++)
        if (c->stdio[i] > 2)
            close(c->stdio[i]);
}

void
shim_init_run(struct shim_child *c)
{
    const struct shim_spec *s = c->spec;
    int rootfd, slave = -1, userns_root = -1;
    const char *why = NULL;
    size_t k;

    init_exec_pipe = c->exec_pipe;
    init_unblock_signals();
    umask(0);
    init_in_userns = (s->clone_flags & CLONE_NEWUSER) != 0;
    if (c->userns_sock >= 0 && shim_userns_child(c->userns_sock, &userns_root, &why) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "%s", why);
    init_cgroup(c);
    init_join_namespaces(c);
    if ((s->clone_flags & CLONE_NEWNET) && shim_net_lo_up() < 0)
        init_fail(SHIM_EXIT_START_FAILED, "bring up lo: %s", init_strerror(errno));

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "make mounts private: %s", init_strerror(errno));
    if (userns_root >= 0) {   /* the root's path is not ours to walk: bind it by fd */
        rootfd = shim_userns_bind_root(userns_root, &why);
        if (rootfd < 0)
            init_fail(SHIM_EXIT_START_FAILED, "%s", why);
    } else {
        if (mount(s->root, s->root, NULL, MS_BIND | MS_REC, NULL) < 0)
            init_fail(SHIM_EXIT_START_FAILED, "bind rootfs %s: %s", s->root,
                      init_strerror(errno));
        rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
            init_fail(SHIM_EXIT_START_FAILED, "open rootfs %s: %s", s->root,
                      init_strerror(errno));
    }
    for (k = 0; k < s->nmounts; k++)
        init_mount_one(rootfd, &s->mounts[k]);
    init_devices(rootfd, s);
    init_pivot_root(rootfd);
    close(rootfd);

    if (s->terminal)
        slave = init_console(c, true);
    if ((s->clone_flags & CLONE_NEWUTS) && s->hostname &&
        sethostname(s->hostname, strlen(s->hostname)) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "sethostname: %s", init_strerror(errno));
    if ((s->clone_flags & CLONE_NEWUTS) && s->domainname &&
        setdomainname(s->domainname, strlen(s->domainname)) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "setdomainname: %s", init_strerror(errno));
    for (k = 0; k < s->nsysctls; k++)
        init_write_sysctl(&s->sysctls[k]);
    init_paths(s);
    if (s->root_readonly &&
        mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | init_keep_flags("/"),
              NULL) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "make the root read-only: %s", init_strerror(errno));
    init_rlimits(s);

    init_stdio(c, slave);
    umask(022);
    init_cwd(s);
    init_credentials(s);
    if (s->init)
        init_reaper(c);
    init_exec(s);
}

void
shim_init_exec_run(struct shim_child *c)
{
    const struct shim_spec *s = c->spec;
    const char *why = NULL;
    int slave = -1;

    init_exec_pipe = c->exec_pipe;
    init_unblock_signals();
    if (c->userns_fd >= 0 && shim_userns_join(c->userns_fd, &why) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "%s", why);
    init_cgroup(c);
    init_join_namespaces(c);   /* the mount namespace's root and cwd come with it */
    if (s->terminal)
        slave = init_console(c, false);
    init_rlimits(s);
    init_stdio(c, slave);
    umask(022);
    if (chdir(s->cwd) < 0)
        init_fail(SHIM_EXIT_START_FAILED, "chdir to cwd (\"%s\") set in config.json failed: %s",
                  s->cwd, init_strerror(errno));
    init_credentials(s);
    init_exec(s);
}
