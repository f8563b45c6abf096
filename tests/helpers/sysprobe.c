/* tests/helpers/sysprobe.c - runs inside test containers (linked statically): makes the
 * system calls named on its command line, each in a way that changes nothing on the host
 * whatever the answer (bad arguments where the kernel checks permission first, or an
 * operation confined to the container), each in a child of its own, and prints NAME=ok
 * or NAME=ERRNO-NAME per call.
 * tests/integration/test-security.sh tells the seccomp filter's EPERM and ENOSYS from
 * the kernel's own answers with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *
probe_errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case ENOKEY: return "ENOKEY";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ESRCH: return "ESRCH";
    case EROFS: return "EROFS";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "EOTHER";
    }
}

/* a child made by clone or clone3 leaves at once */
static long
probe_reap(long pid)
{
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    return pid < 0 ? -1 : 0;
}

static long
probe(const char *name)
{
    struct clone_args ca = { .exit_signal = SIGCHLD };
    struct timeval tv = { .tv_sec = 0, .tv_usec = 2000000 };   /* invalid: EINVAL if allowed */
    struct timespec ts = { 0, 0 };

    if (strcmp(name, "keyctl") == 0)
        return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
    if (strcmp(name, "add_key") == 0)
        return syscall(SYS_add_key, "user", "dctl-test", "x", 1, -3);
    if (strcmp(name, "request_key") == 0)
        return syscall(SYS_request_key, "user", "dctl-test-none", NULL, 0);
    if (strcmp(name, "unshare-user") == 0)
        return unshare(CLONE_NEWUSER);
    if (strcmp(name, "unshare-net") == 0)
        return unshare(CLONE_NEWNET);
    if (strcmp(name, "clone3") == 0)
        return probe_reap(syscall(SYS_clone3, &ca, sizeof ca));
    if (strcmp(name, "clone-newns") == 0)
        return probe_reap(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
    if (strcmp(name, "fork") == 0)
        return probe_reap(fork());
    if (strcmp(name, "mount") == 0) {
        long r;

        mkdir("/dev/shm/sysprobe", 0755);
        r = mount("sysprobe", "/dev/shm/sysprobe", "tmpfs", 0, NULL);
        if (r == 0)
            umount("/dev/shm/sysprobe");
        return r;
    }
    if (strcmp(name, "personality-bsd") == 0)
        return personality(PER_BSD);
    if (strcmp(name, "personality-query") == 0)
        return personality(0xffffffff);
    if (strcmp(name, "socket-vsock") == 0)
        return socket(40, SOCK_STREAM, 0);
    if (strcmp(name, "socket-alg") == 0)
        return socket(38, SOCK_SEQPACKET, 0);
    if (strcmp(name, "socket-inet") == 0)
        return socket(AF_INET, SOCK_STREAM, 0);
    if (strcmp(name, "io_uring") == 0)
        return syscall(SYS_io_uring_setup, 1, NULL);
    if (strcmp(name, "userfaultfd") == 0)
        return syscall(SYS_userfaultfd, 0);
    if (strcmp(name, "bpf") == 0)
        return syscall(SYS_bpf, 0, NULL, 0);
    if (strcmp(name, "perf_event_open") == 0)
        return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
    if (strcmp(name, "open_by_handle_at") == 0)
        return syscall(SYS_open_by_handle_at, -1, NULL, 0);
    if (strcmp(name, "kexec_load") == 0)
        return syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL);
    if (strcmp(name, "init_module") == 0)
        return syscall(SYS_init_module, NULL, 0, "");
    if (strcmp(name, "swapon") == 0)
        return syscall(SYS_swapon, "/nonexistent-swap", 0);
    if (strcmp(name, "acct") == 0)
        return syscall(SYS_acct, "/nonexistent-dir/acct");
    if (strcmp(name, "settimeofday") == 0)
        return syscall(SYS_settimeofday, &tv, NULL);   /* glibc checks tv itself */
    if (strcmp(name, "clock_settime") == 0)
        return syscall(SYS_clock_settime, 12345 /* no such clock */, &ts);
    if (strcmp(name, "chroot") == 0)
        return chroot("/");
    if (strcmp(name, "ptrace") == 0)
        return syscall(SYS_ptrace, 7 /* PTRACE_CONT */, 999999, 0, 0);
    errno = EOPNOTSUPP;
    return -1;
}

int
main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        pid_t pid;

        fflush(stdout);
        pid = fork();   /* each call in a child of its own: unshare and the like stay there */
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            long r;

            errno = 0;
            r = probe(argv[i]);
            printf("%s=%s\n", argv[i], r >= 0 ? "ok" : probe_errno_name(errno));
            fflush(stdout);
            _exit(0);
        }
        waitpid(pid, NULL, 0);
    }
    return 0;
}
