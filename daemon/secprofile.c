/* daemon/secprofile.c - seccomp profiles in Docker's format: the default one, decoding,
 * resolution for a container (see secprofile.h; moby: profiles/seccomp/seccomp.go and
 * seccomp_linux.go setupSeccomp; runc: libcontainer/seccomp/config.go for the names of
 * actions, operators, architectures and flags).
 *
 * The default profile below is dctld's own, written from the kernel's syscall table
 * (arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl, plus the few names of other
 * architectures) to have the effect of Docker's: every syscall a process needs is allowed;
 * those that reach the kernel's global state (keys, modules, kexec, swap, clocks, mounts,
 * namespaces, BPF, perf, handles, reboot, accounting, io_uring, userfaultfd, vsock and
 * AF_ALG sockets, the socketcall multiplexer) answer EPERM unless the container holds the
 * capability the kernel itself would ask for; clone may not create namespaces and clone3
 * answers ENOSYS (its flags sit behind a pointer), so that libc falls back to clone. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "daemon/secprofile.h"
#include "lib/caps.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* ---- the default profile ------------------------------------------------------------ */

#define SP_NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Allowed whatever the capabilities. */
static const char *const sp_allowed[] = {
    /* files and file systems */
    "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range",
    "creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
    "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown",
    "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
    "flock", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
    "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
    "getdents64", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listxattr",
    "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
    "mkdir", "mkdirat", "mknod", "mknodat", "newfstatat", "open", "openat", "openat2",
    "pipe", "pipe2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2",
    "read", "readahead", "readlink", "readlinkat", "readv", "removexattr", "rename",
    "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "setxattr", "splice", "stat",
    "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
    "sync_file_range", "syncfs", "sysfs", "tee", "truncate", "truncate64", "umask", "unlink",
    "unlinkat", "ustat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice",
    "write", "writev", "cachestat",
    /* waiting for events */
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64",
    "select", "_newselect", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
    /* memory */
    "brk", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret",
    "mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync",
    "munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect",
    "process_mrelease", "remap_file_pages",
    /* processes and threads (clone, clone3, personality: see below) */
    "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "vfork",
    "futex", "futex_time64", "futex_requeue", "futex_wait", "futex_waitv", "futex_wake",
    "get_robust_list", "set_robust_list", "get_thread_area", "set_thread_area", "getcpu",
    "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "setpriority", "getrlimit",
    "ugetrlimit", "setrlimit", "prlimit64", "getrusage", "getsid", "setsid", "setpgid",
    "gettid", "ioprio_get", "ioprio_set", "kill", "tkill", "tgkill", "nice", "pidfd_open",
    "pidfd_send_signal", "prctl", "restart_syscall", "rseq", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
    "sched_yield", "seccomp", "set_tid_address", "sysinfo", "times", "uname", "wait4",
    "waitid", "waitpid", "getrandom", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self",
    /* credentials (the kernel checks CAP_SETUID and friends itself) */
    "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
    "getgroups32", "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid",
    "getuid32", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
    "setgroups", "setgroups32", "setregid", "setregid32", "setresgid", "setresgid32",
    "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
    /* signals */
    "alarm", "pause", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo", "sigaction", "sigaltstack", "signal", "sigpending", "sigprocmask",
    "sigreturn", "sigsuspend",
    /* time: reading clocks and timers (setting the time needs CAP_SYS_TIME, below;
     * adjtimex and clock_adjtime change it only with that capability, as the kernel checks) */
    "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
    "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
    "getitimer", "setitimer", "gettimeofday", "nanosleep", "time", "timer_create",
    "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
    "timer_settime64",
    /* System V and POSIX IPC (in the container's IPC namespace) */
    "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
    "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl",
    "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop",
    "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
    /* sockets (socket itself: see below; socketcall is refused, since it hides the
     * address family from the filter) */
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
    "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send",
    "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socketpair",
    /* asynchronous I/O (io_uring is refused: its own syscalls escape this filter) */
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
    "io_setup", "io_submit",
    /* devices: what a device allows is the devices cgroup's and its file mode's business */
    "ioctl",
    NULL,
};

struct sp_arg {
    unsigned int index;
    uint64_t value, value_two;
    const char *op;
};

/* One rule of the default profile; NULL members are absent. */
struct sp_rule {
    const char *comment;
    const char *const *names;
    const char *action;           /* NULL: SCMP_ACT_ALLOW */
    int errno_ret;                /* with SCMP_ACT_ERRNO */
    const struct sp_arg *args;
    size_t nargs;
    const char *const *inc_caps;  /* all of these in the bounding set */
    const char *const *exc_caps;  /* none of these */
    const char *const *inc_arches;
    const char *const *exc_arches;
    const char *min_kernel;
};

#define SP_ARGS(...) ((const struct sp_arg[]){ __VA_ARGS__ })
#define SP_NARGS(...) (sizeof((const struct sp_arg[]){ __VA_ARGS__ }) / sizeof(struct sp_arg))

/* clone's namespace flags: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET */
#define SP_CLONE_NS_FLAGS 0x7E020000ULL

static const struct sp_rule sp_rules[] = {
    { .comment = "reading other processes' memory and tracing them are safe since Linux 4.8 "
                 "(seccomp runs after ptrace's changes)",
      .names = SP_NAMES("ptrace", "process_vm_readv", "process_vm_writev"),
      .min_kernel = "4.8" },
    /* personality: Linux's own personae only, and the query */
    { .names = SP_NAMES("personality"), .args = SP_ARGS({ 0, 0x0, 0, "SCMP_CMP_EQ" }),
      .nargs = 1 },
    { .names = SP_NAMES("personality"), .args = SP_ARGS({ 0, 0x0008, 0, "SCMP_CMP_EQ" }),
      .nargs = 1 },
    { .names = SP_NAMES("personality"), .args = SP_ARGS({ 0, 0x20000, 0, "SCMP_CMP_EQ" }),
      .nargs = 1 },
    { .names = SP_NAMES("personality"), .args = SP_ARGS({ 0, 0x20008, 0, "SCMP_CMP_EQ" }),
      .nargs = 1 },
    { .names = SP_NAMES("personality"), .args = SP_ARGS({ 0, 0xffffffff, 0, "SCMP_CMP_EQ" }),
      .nargs = 1 },
    /* socket: every address family but AF_ALG (38) and AF_VSOCK (40). Several rules, since
     * one rule may test an argument once; LT and EQ, not GT or NE, so that garbage in the
     * upper half of the register cannot pass for an allowed family. */
    { .comment = "socket: no AF_ALG, no AF_VSOCK", .names = SP_NAMES("socket"),
      .args = SP_ARGS({ 0, 38, 0, "SCMP_CMP_LT" }), .nargs = 1 },
    { .names = SP_NAMES("socket"), .args = SP_ARGS({ 0, 39, 0, "SCMP_CMP_EQ" }), .nargs = 1 },
    { .names = SP_NAMES("socket"), .args = SP_ARGS({ 0, 41, 0, "SCMP_CMP_EQ" }), .nargs = 1 },
    { .names = SP_NAMES("socket"), .args = SP_ARGS({ 0, 42, 0, "SCMP_CMP_EQ" }), .nargs = 1 },
    { .names = SP_NAMES("socket"), .args = SP_ARGS({ 0, 43, 0, "SCMP_CMP_EQ" }), .nargs = 1 },
    { .names = SP_NAMES("socket"), .args = SP_ARGS({ 0, 44, 0, "SCMP_CMP_EQ" }), .nargs = 1 },
    { .names = SP_NAMES("socket"), .args = SP_ARGS({ 0, 45, 0, "SCMP_CMP_EQ" }), .nargs = 1 },
    /* architecture-specific calls */
    { .names = SP_NAMES("arch_prctl", "modify_ldt"),
      .inc_arches = SP_NAMES("amd64", "x32", "x86") },
    { .names = SP_NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
                        "breakpoint", "cacheflush", "set_tls"),
      .inc_arches = SP_NAMES("arm", "arm64") },
    { .names = SP_NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
      .inc_arches = SP_NAMES("s390", "s390x") },
    { .names = SP_NAMES("riscv_flush_icache"), .inc_arches = SP_NAMES("riscv64") },
    /* clone without namespaces (s390 passes the flags second); clone3 hides its flags
     * behind a pointer: ENOSYS makes libc use clone */
    { .comment = "clone without CLONE_NEW* flags", .names = SP_NAMES("clone"),
      .args = SP_ARGS({ 0, SP_CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ" }), .nargs = 1,
      .exc_caps = SP_NAMES("CAP_SYS_ADMIN"), .exc_arches = SP_NAMES("s390", "s390x") },
    { .names = SP_NAMES("clone"),
      .args = SP_ARGS({ 1, SP_CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ" }), .nargs = 1,
      .exc_caps = SP_NAMES("CAP_SYS_ADMIN"), .inc_arches = SP_NAMES("s390", "s390x") },
    { .comment = "clone3: ENOSYS, so that libc falls back to clone",
      .names = SP_NAMES("clone3"), .action = "SCMP_ACT_ERRNO", .errno_ret = 38,
      .exc_caps = SP_NAMES("CAP_SYS_ADMIN") },
    /* what a capability allows */
    { .names = SP_NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount",
                        "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr",
                        "move_mount", "name_to_handle_at", "open_tree", "perf_event_open",
                        "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
                        "syslog", "umount", "umount2", "unshare"),
      .inc_caps = SP_NAMES("CAP_SYS_ADMIN") },
    { .names = SP_NAMES("open_by_handle_at"), .inc_caps = SP_NAMES("CAP_DAC_READ_SEARCH") },
    { .names = SP_NAMES("reboot"), .inc_caps = SP_NAMES("CAP_SYS_BOOT") },
    { .names = SP_NAMES("chroot"), .inc_caps = SP_NAMES("CAP_SYS_CHROOT") },
    { .names = SP_NAMES("delete_module", "init_module", "finit_module"),
      .inc_caps = SP_NAMES("CAP_SYS_MODULE") },
    { .names = SP_NAMES("acct"), .inc_caps = SP_NAMES("CAP_SYS_PACCT") },
    { .names = SP_NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                        "process_vm_writev", "ptrace"),
      .inc_caps = SP_NAMES("CAP_SYS_PTRACE") },
    { .names = SP_NAMES("iopl", "ioperm"), .inc_caps = SP_NAMES("CAP_SYS_RAWIO") },
    { .names = SP_NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
      .inc_caps = SP_NAMES("CAP_SYS_TIME") },
    { .names = SP_NAMES("vhangup"), .inc_caps = SP_NAMES("CAP_SYS_TTY_CONFIG") },
    { .names = SP_NAMES("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node",
                        "migrate_pages", "move_pages"),
      .inc_caps = SP_NAMES("CAP_SYS_NICE") },
    { .names = SP_NAMES("syslog"), .inc_caps = SP_NAMES("CAP_SYSLOG") },
    { .names = SP_NAMES("bpf"), .inc_caps = SP_NAMES("CAP_BPF") },
    { .names = SP_NAMES("perf_event_open"), .inc_caps = SP_NAMES("CAP_PERFMON") },
};

static struct json_object *
sp_strv(const char *const *v)
{
    struct json_object *a = json_object_new_array();

    for (; v && *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

static struct json_object *
sp_filter(const char *const *caps, const char *const *arches, const char *min_kernel)
{
    struct json_object *f;

    if (caps == NULL && arches == NULL && min_kernel == NULL)
        return NULL;
    f = json_object_new_object();
    if (caps)
        json_object_object_add(f, "caps", sp_strv(caps));
    if (arches)
        json_object_object_add(f, "arches", sp_strv(arches));
    if (min_kernel)
        json_add_string(f, "minKernel", min_kernel);
    return f;
}

static struct json_object *
sp_arch(const char *arch, const char *const *sub)
{
    struct json_object *a = json_object_new_object();

    json_add_string(a, "architecture", arch);
    json_object_object_add(a, "subArchitectures", sp_strv(sub));
    return a;
}

struct json_object *
secprofile_builtin(void)
{
    struct json_object *p = json_object_new_object(), *calls = json_object_new_array();
    struct json_object *archmap = json_object_new_array(), *r;
    size_t i, k;

    json_add_string(p, "defaultAction", "SCMP_ACT_ERRNO");
    json_add_int64(p, "defaultErrnoRet", 1);   /* EPERM */
    json_object_array_add(archmap, sp_arch("SCMP_ARCH_X86_64",
                                           SP_NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32")));
    json_object_array_add(archmap, sp_arch("SCMP_ARCH_AARCH64", SP_NAMES("SCMP_ARCH_ARM")));
    json_object_array_add(archmap, sp_arch("SCMP_ARCH_PPC64LE", (const char *const[]){ NULL }));
    json_object_array_add(archmap, sp_arch("SCMP_ARCH_S390X", SP_NAMES("SCMP_ARCH_S390")));
    json_object_array_add(archmap, sp_arch("SCMP_ARCH_RISCV64", (const char *const[]){ NULL }));
    json_object_object_add(p, "archMap", archmap);
    r = json_object_new_object();
    json_object_object_add(r, "names", sp_strv(sp_allowed));
    json_add_string(r, "action", "SCMP_ACT_ALLOW");
    json_object_array_add(calls, r);
    for (i = 0; i < ARRAY_SIZE(sp_rules); i++) {
        const struct sp_rule *s = &sp_rules[i];
        struct json_object *f;

        r = json_object_new_object();
        json_object_object_add(r, "names", sp_strv(s->names));
        json_add_string(r, "action", s->action ? s->action : "SCMP_ACT_ALLOW");
        if (s->errno_ret)
            json_add_int64(r, "errnoRet", s->errno_ret);
        if (s->nargs) {
            struct json_object *args = json_object_new_array();

            for (k = 0; k < s->nargs; k++) {
                struct json_object *a = json_object_new_object();

                json_add_int64(a, "index", s->args[k].index);
                json_object_object_add(a, "value", json_object_new_uint64(s->args[k].value));
                json_object_object_add(a, "valueTwo",
                                       json_object_new_uint64(s->args[k].value_two));
                json_add_string(a, "op", s->args[k].op);
                json_object_array_add(args, a);
            }
            json_object_object_add(r, "args", args);
        }
        if (s->comment)
            json_add_string(r, "comment", s->comment);
        if ((f = sp_filter(s->inc_caps, s->inc_arches, s->min_kernel)) != NULL)
            json_object_object_add(r, "includes", f);
        if ((f = sp_filter(s->exc_caps, s->exc_arches, NULL)) != NULL)
            json_object_object_add(r, "excludes", f);
        json_object_array_add(calls, r);
    }
    json_object_object_add(p, "syscalls", calls);
    return p;
}

/* ---- names runc knows ------------------------------------------------------------------ */

static const char *const sp_actions[] = {
    "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    NULL,
};

static const char *const sp_ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
    "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const sp_arches[] = {
    "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL,
};

static const char *const sp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

static bool
sp_in(const char *const *v, const char *s)
{
    for (; v && *v; v++)
        if (strcmp(*v, s) == 0)
            return true;
    return false;
}

/* ---- decoding ----------------------------------------------------------------------- */

/* a member in any case, as Go's decoder matches them; NULL when absent or null */
static struct json_object *
sp_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (o == NULL || !json_object_is_type(o, json_type_object))
        return NULL;
    if (json_object_object_get_ex(o, key, &v))
        return v;
    json_object_object_foreach(o, k, val) {
        if (strcasecmp(k, key) == 0)
            return val;
    }
    return NULL;
}

static int
sp_type_error(const char *field, struct json_object *v, const char *type, dctl_error_t *err)
{
    if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Decoding seccomp profile failed: json: cannot unmarshal number "
                              "%s into Go struct field %s of type %s",
                              json_object_to_json_string(v), field, type);
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "Decoding seccomp profile failed: json: cannot unmarshal %s into Go "
                          "struct field %s of type %s", json_type_label(v), field, type);
}

static int
sp_invalid(dctl_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
sp_invalid(dctl_error_t *err, const char *fmt, ...)
{
    cleanup_free char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid seccomp profile: %s", msg);
}

/* A string member into out (canonical key); absent or null: nothing. type: its Go type. */
static int
sp_copy_typed(struct json_object *in, const char *key, const char *field, const char *type,
              struct json_object *out, const char **val, dctl_error_t *err)
{
    struct json_object *v = sp_get(in, key);

    if (val)
        *val = NULL;
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return sp_type_error(field, v, type, err);
    json_add_string(out, key, json_object_get_string(v));
    if (val)
        *val = json_object_get_string(json_object_object_get(out, key));
    return 0;
}

#define sp_copy_string(in, key, field, out, val, err) \
    sp_copy_typed(in, key, field, "string", out, val, err)

static int
sp_copy_strv(struct json_object *in, const char *key, const char *field, const char *type,
             struct json_object *out, dctl_error_t *err)
{
    struct json_object *v = sp_get(in, key), *a;
    size_t i;

    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_array))
        return sp_type_error(field, v, type, err);
    a = json_object_new_array();
    json_object_object_add(out, key, a);
    for (i = 0; i < json_object_array_length(v); i++) {
        struct json_object *e = json_object_array_get_idx(v, i);

        if (e == NULL)
            continue;   /* Go: "" for a null element; nothing here matches "" */
        if (!json_object_is_type(e, json_type_string))
            return sp_type_error(field, e, "string", err);
        json_object_array_add(a, json_object_new_string(json_object_get_string(e)));
    }
    return 0;
}

/* An unsigned member (uint or uint64) into out. */
static int
sp_copy_uint(struct json_object *in, const char *key, const char *field, const char *type,
             struct json_object *out, dctl_error_t *err)
{
    struct json_object *v = sp_get(in, key);

    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_int) ||
        (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0))
        return sp_type_error(field, v, type, err);
    json_object_object_add(out, key, json_object_new_uint64(json_object_get_uint64(v)));
    return 0;
}

/* moby's KernelVersion: "MAJOR.MINOR", neither over 255, not 0.0. */
static int
sp_kernel_parse(const char *s, unsigned int *major, unsigned int *minor)
{
    char *end;
    unsigned long a, b;

    if (!isdigit((unsigned char)*s))
        return -1;
    a = strtoul(s, &end, 10);
    if (*end != '.' || !isdigit((unsigned char)end[1]))
        return -1;
    b = strtoul(end + 1, &end, 10);
    if (*end != '\0' || a > 255 || b > 255 || (a == 0 && b == 0))
        return -1;
    *major = (unsigned int)a;
    *minor = (unsigned int)b;
    return 0;
}

/* includes or excludes (key) of in into rule r */
static int
sp_decode_filter(struct json_object *in, const char *key, struct json_object *r,
                 dctl_error_t *err)
{
    cleanup_free char *field = xasprintf("Seccomp.syscalls.%s", key);
    cleanup_free char *f_arches = xasprintf("%s.arches", field);
    cleanup_free char *f_caps = xasprintf("%s.caps", field);
    struct json_object *v = sp_get(in, key), *f, *mk;
    unsigned int a, b;

    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_object))
        return sp_type_error(field, v, "seccomp.Filter", err);
    f = json_object_new_object();
    json_object_object_add(r, key, f);
    if (sp_copy_strv(v, "arches", f_arches, "[]string", f, err) < 0 ||
        sp_copy_strv(v, "caps", f_caps, "[]string", f, err) < 0)
        return -1;
    mk = sp_get(v, "minKernel");
    if (mk == NULL)
        return 0;
    if (!json_object_is_type(mk, json_type_string))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Decoding seccomp profile failed: invalid kernel version: %s, "
                              "expected \"<kernel>.<major>\": json: cannot unmarshal %s into "
                              "Go value of type string", json_object_to_json_string(mk),
                              json_type_label(mk));
    if (*json_object_get_string(mk) == '\0')
        return 0;
    if (sp_kernel_parse(json_object_get_string(mk), &a, &b) < 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Decoding seccomp profile failed: invalid kernel version: "
                              "\"%s\", expected \"<kernel>.<major>\"",
                              json_object_get_string(mk));
    json_add_string(f, "minKernel", json_object_get_string(mk));
    return 0;
}

static int
sp_decode_args(struct json_object *in, struct json_object *rule, dctl_error_t *err)
{
    struct json_object *args = sp_get(in, "args"), *out;
    size_t i;

    if (args == NULL)
        return 0;
    if (!json_object_is_type(args, json_type_array))
        return sp_type_error("Seccomp.syscalls.args", args, "[]*specs.LinuxSeccompArg", err);
    out = json_object_new_array();
    json_object_object_add(rule, "args", out);
    for (i = 0; i < json_object_array_length(args); i++) {
        struct json_object *a = json_object_array_get_idx(args, i), *o;
        const char *op;

        if (a == NULL)
            continue;
        if (!json_object_is_type(a, json_type_object))
            return sp_type_error("Seccomp.syscalls.args", a, "specs.LinuxSeccompArg", err);
        o = json_object_new_object();
        json_object_array_add(out, o);
        if (sp_copy_uint(a, "index", "Seccomp.syscalls.args.index", "uint", o, err) < 0 ||
            sp_copy_uint(a, "value", "Seccomp.syscalls.args.value", "uint64", o, err) < 0 ||
            sp_copy_uint(a, "valueTwo", "Seccomp.syscalls.args.valueTwo", "uint64", o, err) < 0 ||
            sp_copy_typed(a, "op", "Seccomp.syscalls.args.op", "specs.LinuxSeccompOperator", o,
                          &op, err) < 0)
            return -1;
        if (json_get_int64(o, "index", 0) > 5)
            return sp_invalid(err, "argument index %lld is out of range: a syscall has six "
                                   "arguments (0 to 5)", (long long)json_get_int64(o, "index", 0));
        if (!sp_in(sp_ops, op ? op : ""))
            return sp_invalid(err, "string %s is not a valid operator for seccomp", op ? op : "");
    }
    return 0;
}

static int
sp_decode_action(const char *action, dctl_error_t *err)
{
    if (!sp_in(sp_actions, action ? action : ""))
        return sp_invalid(err, "string %s is not a valid action for seccomp",
                          action ? action : "");
    if (strcmp(action, "SCMP_ACT_NOTIFY") == 0)
        return sp_invalid(err, "SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), which "
                               "the native exec driver does not support");
    return 0;
}

static int
sp_decode_syscall(struct json_object *in, struct json_object *calls, dctl_error_t *err)
{
    struct json_object *r, *names;
    const char *name, *action;

    if (!json_object_is_type(in, json_type_object))
        return sp_type_error("Seccomp.syscalls", in, "seccomp.Syscall", err);
    r = json_object_new_object();
    json_object_array_add(calls, r);
    if (sp_copy_string(in, "name", "Seccomp.syscalls.name", r, &name, err) < 0 ||
        sp_copy_strv(in, "names", "Seccomp.syscalls.names", "[]string", r, err) < 0 ||
        sp_copy_typed(in, "action", "Seccomp.syscalls.action", "specs.LinuxSeccompAction", r,
                      &action, err) < 0 ||
        sp_copy_uint(in, "errnoRet", "Seccomp.syscalls.errnoRet", "uint", r, err) < 0 ||
        sp_copy_string(in, "comment", "Seccomp.syscalls.comment", r, NULL, err) < 0 ||
        sp_decode_args(in, r, err) < 0)
        return -1;
    names = json_object_object_get(r, "names");
    if (name && *name) {
        if (names && json_object_array_length(names))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "both 'name' and 'names' are specified in the seccomp "
                                  "profile, use either 'name' or 'names'");
        names = json_object_new_array();
        json_object_array_add(names, json_object_new_string(name));
        json_object_object_add(r, "names", names);
    }
    json_object_object_del(r, "name");
    if (sp_decode_action(action, err) < 0)
        return -1;
    if (sp_decode_filter(in, "includes", r, err) < 0 ||
        sp_decode_filter(in, "excludes", r, err) < 0)
        return -1;
    return 0;
}

static int
sp_check_arches(struct json_object *a, dctl_error_t *err)
{
    size_t i;

    for (i = 0; a && i < json_object_array_length(a); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(a, i));

        if (!sp_in(sp_arches, s))
            return sp_invalid(err, "string %s is not a valid arch for seccomp", s);
    }
    return 0;
}

struct json_object *
secprofile_parse(const char *text, dctl_error_t *err)
{
    cleanup_json struct json_object *in = NULL, *p = json_object_new_object();
    struct json_object *v, *a, *flags;
    struct json_tokener *tok = json_tokener_new();
    const char *action;
    size_t i;

    in = json_tokener_parse_ex(tok, text, (int)strlen(text));
    if (in == NULL || json_tokener_get_parse_end(tok) != strlen(text)) {
        enum json_tokener_error e = json_tokener_get_error(tok);

        json_tokener_free(tok);
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "Decoding seccomp profile failed: %s",
                       in == NULL && e == json_tokener_continue
                           ? "unexpected end of JSON input"
                           : in == NULL ? json_tokener_error_desc(e)
                                        : "invalid character after top-level value");
        return NULL;
    }
    json_tokener_free(tok);
    if (!json_object_is_type(in, json_type_object)) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "Decoding seccomp profile failed: json: cannot unmarshal %s into Go "
                       "value of type seccomp.Seccomp", json_type_label(in));
        return NULL;
    }
    if (sp_copy_typed(in, "defaultAction", "Seccomp.defaultAction", "specs.LinuxSeccompAction",
                      p, &action, err) < 0 ||
        sp_copy_uint(in, "defaultErrnoRet", "Seccomp.defaultErrnoRet", "uint", p, err) < 0 ||
        sp_copy_string(in, "listenerPath", "Seccomp.listenerPath", p, NULL, err) < 0 ||
        sp_copy_string(in, "listenerMetadata", "Seccomp.listenerMetadata", p, NULL, err) < 0 ||
        sp_copy_strv(in, "architectures", "Seccomp.architectures", "[]specs.Arch", p, err) < 0 ||
        sp_copy_strv(in, "flags", "Seccomp.flags", "[]specs.LinuxSeccompFlag", p, err) < 0)
        return NULL;
    /* archMap */
    v = sp_get(in, "archMap");
    if (v && !json_object_is_type(v, json_type_array)) {
        sp_type_error("Seccomp.archMap", v, "[]seccomp.Architecture", err);
        return NULL;
    }
    a = json_object_new_array();
    json_object_object_add(p, "archMap", a);
    for (i = 0; v && i < json_object_array_length(v); i++) {
        struct json_object *e = json_object_array_get_idx(v, i), *o;

        if (e == NULL)
            continue;
        if (!json_object_is_type(e, json_type_object)) {
            sp_type_error("Seccomp.archMap", e, "seccomp.Architecture", err);
            return NULL;
        }
        o = json_object_new_object();
        json_object_array_add(a, o);
        if (sp_copy_typed(e, "architecture", "Seccomp.archMap.architecture", "specs.Arch", o,
                          NULL, err) < 0 ||
            sp_copy_strv(e, "subArchitectures", "Seccomp.archMap.subArchitectures",
                         "[]specs.Arch", o, err) < 0)
            return NULL;
        if (json_get_string(o, "architecture") == NULL)
            json_add_string(o, "architecture", "");
        {
            struct json_object *one = json_object_new_array();
            int rc;

            json_object_array_add(one, json_object_new_string(json_get_string(o, "architecture")));
            rc = sp_check_arches(one, err);
            json_object_put(one);
            if (rc < 0 || sp_check_arches(json_object_object_get(o, "subArchitectures"), err) < 0)
                return NULL;
        }
    }
    /* syscalls */
    v = sp_get(in, "syscalls");
    if (v && !json_object_is_type(v, json_type_array)) {
        sp_type_error("Seccomp.syscalls", v, "[]*seccomp.Syscall", err);
        return NULL;
    }
    a = json_object_new_array();
    json_object_object_add(p, "syscalls", a);
    for (i = 0; v && i < json_object_array_length(v); i++) {
        struct json_object *e = json_object_array_get_idx(v, i);

        if (e && sp_decode_syscall(e, a, err) < 0)
            return NULL;
    }
    /* what moby and runc refuse when they load it */
    if (json_object_array_length(json_object_object_get(p, "archMap")) &&
        json_object_object_get(p, "architectures") &&
        json_object_array_length(json_object_object_get(p, "architectures"))) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0,
                       "both 'architectures' and 'archMap' are specified in the seccomp "
                       "profile, use either 'architectures' or 'archMap'");
        return NULL;
    }
    if (sp_check_arches(json_object_object_get(p, "architectures"), err) < 0)
        return NULL;
    flags = json_object_object_get(p, "flags");
    for (i = 0; flags && i < json_object_array_length(flags); i++) {
        const char *f = json_object_get_string(json_object_array_get_idx(flags, i));

        if (!sp_in(sp_flags, f)) {
            sp_invalid(err, "seccomp flags \"%s\" not yet supported by runc", f);
            return NULL;
        }
    }
    if (json_get_string(p, "listenerPath") && *json_get_string(p, "listenerPath")) {
        sp_invalid(err, "listenerPath: a seccomp agent is not supported by the native exec "
                        "driver");
        return NULL;
    }
    if ((action && *action) || json_object_array_length(a)) {
        if (sp_decode_action(action, err) < 0)
            return NULL;
    }
    return steal_ptr(&p);
}

int
secprofile_check(const char *text, dctl_error_t *err)
{
    struct json_object *p = secprofile_parse(text, err);

    if (p == NULL)
        return -1;
    json_object_put(p);
    return 0;
}

/* ---- resolution -------------------------------------------------------------------------- */

static const struct {
    const char *machine, *goarch, *scmp;
} sp_native[] = {
    { "x86_64", "amd64", "SCMP_ARCH_X86_64" }, { "aarch64", "arm64", "SCMP_ARCH_AARCH64" },
    { "ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE" }, { "s390x", "s390x", "SCMP_ARCH_S390X" },
    { "riscv64", "riscv64", "SCMP_ARCH_RISCV64" }, { "i686", "x86", "SCMP_ARCH_X86" },
    { "armv7l", "arm", "SCMP_ARCH_ARM" }, { "mips64", "mips64", "SCMP_ARCH_MIPS64" },
};

const char *
secprofile_native_arch(void)
{
    static struct utsname u;
    static int done;
    size_t i;

    if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        uname(&u);
        __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    }
    for (i = 0; i < ARRAY_SIZE(sp_native); i++)
        if (strcmp(u.machine, sp_native[i].machine) == 0)
            return sp_native[i].goarch;
    return u.machine;
}

static const char *
sp_native_scmp(const char *goarch)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(sp_native); i++)
        if (strcmp(goarch, sp_native[i].goarch) == 0)
            return sp_native[i].scmp;
    return NULL;
}

void
secprofile_kernel_version(unsigned int *major, unsigned int *minor)
{
    struct utsname u;

    *major = *minor = 0;
    if (uname(&u) == 0)
        sscanf(u.release, "%u.%u", major, minor);
}

static bool
sp_has_strv(struct json_object *a, const char *s)
{
    size_t i;

    for (i = 0; a && i < json_object_array_length(a); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
            return true;
    return false;
}

static bool
sp_cap_in(uint64_t bounding, const char *name)
{
    int c = caps_from_name(name);

    /* moby compares names with the spec's bounding list: "CAP_X" exactly */
    return c >= 0 && strcmp(caps_name(c), name) == 0 && caps_has(bounding, c);
}

static bool
sp_kernel_at_least(const char *v, unsigned int kmajor, unsigned int kminor)
{
    unsigned int a, b;

    if (sp_kernel_parse(v, &a, &b) < 0)
        return false;
    return kmajor > a || (kmajor == a && kminor >= b);
}

/* moby's rule filter: does the rule apply to this container? */
static bool
sp_rule_applies(struct json_object *r, uint64_t bounding, const char *goarch,
                unsigned int kmajor, unsigned int kminor)
{
    struct json_object *exc = json_object_object_get(r, "excludes");
    struct json_object *inc = json_object_object_get(r, "includes"), *caps;
    const char *mk;
    size_t i;

    if (exc) {
        if (sp_has_strv(json_object_object_get(exc, "arches"), goarch))
            return false;
        caps = json_object_object_get(exc, "caps");
        for (i = 0; caps && i < json_object_array_length(caps); i++)
            if (sp_cap_in(bounding, json_object_get_string(json_object_array_get_idx(caps, i))))
                return false;
        mk = json_get_string(exc, "minKernel");
        if (mk && sp_kernel_at_least(mk, kmajor, kminor))
            return false;
    }
    if (inc) {
        struct json_object *arches = json_object_object_get(inc, "arches");

        if (arches && json_object_array_length(arches) && !sp_has_strv(arches, goarch))
            return false;
        caps = json_object_object_get(inc, "caps");
        for (i = 0; caps && i < json_object_array_length(caps); i++)
            if (!sp_cap_in(bounding, json_object_get_string(json_object_array_get_idx(caps, i))))
                return false;
        mk = json_get_string(inc, "minKernel");
        if (mk && !sp_kernel_at_least(mk, kmajor, kminor))
            return false;
    }
    return true;
}

int
secprofile_resolve(struct json_object *profile, uint64_t bounding, const char *goarch,
                   unsigned int kmajor, unsigned int kminor, struct json_object **out,
                   dctl_error_t *err)
{
    struct json_object *calls = json_object_object_get(profile, "syscalls"), *o, *arches, *v;
    struct json_object *ocalls;
    const char *action = json_get_string(profile, "defaultAction");
    const char *native = sp_native_scmp(goarch);
    size_t i;

    *out = NULL;
    if ((action == NULL || *action == '\0') && (calls == NULL ||
                                                json_object_array_length(calls) == 0))
        return 0;
    if (sp_decode_action(action, err) < 0)
        return -1;
    o = json_object_new_object();
    json_add_string(o, "defaultAction", action);
    if ((v = json_object_object_get(profile, "defaultErrnoRet")) != NULL)
        json_object_object_add(o, "defaultErrnoRet", json_object_get(v));
    arches = json_object_new_array();
    json_object_object_add(o, "architectures", arches);
    v = json_object_object_get(profile, "architectures");
    for (i = 0; v && i < json_object_array_length(v); i++)
        json_object_array_add(arches, json_object_get(json_object_array_get_idx(v, i)));
    v = json_object_object_get(profile, "archMap");
    for (i = 0; native && v && i < json_object_array_length(v); i++) {
        struct json_object *m = json_object_array_get_idx(v, i), *sub;
        size_t k;

        if (strcmp(json_get_string(m, "architecture"), native) != 0)
            continue;
        json_object_array_add(arches, json_object_new_string(native));
        sub = json_object_object_get(m, "subArchitectures");
        for (k = 0; sub && k < json_object_array_length(sub); k++)
            json_object_array_add(arches, json_object_get(json_object_array_get_idx(sub, k)));
        break;
    }
    if ((v = json_object_object_get(profile, "flags")) != NULL)
        json_object_object_add(o, "flags", json_object_get(v));
    ocalls = json_object_new_array();
    json_object_object_add(o, "syscalls", ocalls);
    for (i = 0; calls && i < json_object_array_length(calls); i++) {
        struct json_object *r = json_object_array_get_idx(calls, i), *c;

        if (!sp_rule_applies(r, bounding, goarch, kmajor, kminor))
            continue;
        c = json_object_new_object();
        json_object_object_add(c, "names", json_object_get(json_object_object_get(r, "names")));
        json_add_string(c, "action", json_get_string(r, "action"));
        if ((v = json_object_object_get(r, "errnoRet")) != NULL)
            json_object_object_add(c, "errnoRet", json_object_get(v));
        if ((v = json_object_object_get(r, "args")) != NULL && json_object_array_length(v))
            json_object_object_add(c, "args", json_object_get(v));
        json_object_array_add(ocalls, c);
    }
    *out = o;
    return 0;
}
