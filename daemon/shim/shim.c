/* daemon/shim/shim.c - dctl-shim: one per running container (docs/containers.md,
 * "The shim").
 *
 *   dctl-shim ID BUNDLE_DIR      (fd 3: the report pipe to the exec driver)
 *
 * Forks once more and leaves its session so that it is re-parented to init and
 * outlives dctld, reads BUNDLE/config.json, clone()s the container's init into
 * its namespaces (shim-init.c), and reports "ok PID" once the command has been
 * exec'd, or "error MESSAGE" (then exit.json holds the code, and nothing runs).
 * Then a single-threaded poll() loop holds the container's stdio (pipes, or the
 * pty master received from the container), writes the json-file log
 * (shim-log.c), serves attach.sock (shim-stream.c), runs exec sessions (a child each,
 * in the container's namespaces, its streams on the connection that asked for it),
 * reaps, and when the command has ended drains its output, ends the execs, writes
 * exit.json atomically and exits.
 *
 * Owns everything in BUNDLE_DIR but config.json: shim.pid, init.pid, attach.sock,
 * exit.json. Kept small on purpose (static, no threads): its RSS is what every
 * running container costs. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "shim-log.h"
#include "shim-stream.h"
#include "shim.h"

#define SHIM_REPORT_FD 3
#define SHIM_CONN_PENDING_MAX (1 << 20) /* an attacher this far behind is dropped */
#define SHIM_STDIN_PENDING_MAX (64 << 10)
#define SHIM_READ_SIZE 16384
#define SHIM_EXEC_OUT_HIGH (256 << 10) /* an exec's output waits while its client is this far behind */
#define SHIM_EXEC_KEEP 64              /* ended execs remembered for execwait */

/* Bytes for a process's stdin (the container's or an exec's) and the pipe they go to. */
struct shim_input {
    int fd;          /* the write end (a dup of the pty master with a TTY), or -1 */
    bool close_when_empty;
    char *pend;
    size_t len, cap;
};

/* An exec session: a further process in the container (docs/containers.md, "Exec
 * sessions"). Owner: shim.execs; an ended one stays for execwait, the oldest beyond
 * SHIM_EXEC_KEEP are freed. */
struct shim_exec {
    struct shim_exec *next;
    char id[SHIM_STREAM_EXEC_ID_MAX + 1];
    pid_t pid;
    bool tty, ended;
    int code;              /* once ended */
    int out_fd[2];         /* as the container's: stdout, stderr (the pty master in [0]) */
    struct shim_input in;
    int conn_fd;           /* its streams' connection, or -1 */
    unsigned int streams;
};

/* One attach.sock connection. Owner: the shim's connection table. */
struct shim_conn {
    int fd;
    bool have_req;
    bool in_eof;
    bool closing;         /* dropped once pend is sent */
    unsigned int streams; /* SHIM_STREAM_* */
    struct shim_exec *exec; /* an exec's streams, or the exec an execwait waits for */
    bool waiter;
    char req[SHIM_STREAM_REQUEST_MAX];
    size_t reqlen;
    struct shim_stream_request exec_req; /* an exec's request, while its body comes */
    char *body;                          /* its process JSON, bneed bytes */
    size_t blen, bneed;
    char *pend; /* output not yet sent */
    size_t plen, pcap;
};

static struct {
    const char *id;
    struct shim_spec spec;
    bool logging;
    int report_fd;
    int sig_fd;
    int listen_fd;
    int out_fd[2]; /* stdout, stderr read ends; with a TTY the pty master in [0] */
    struct shim_input in;
    struct shim_conn *conns;
    size_t nconns;
    pid_t init_pid;
    long long started, finished;
    struct shim_exec *execs; /* newest first */
    bool exec_ns_ready;      /* exec_ns opened, the PID namespace entered for children */
    int exec_ns[SHIM_NS_COUNT];
    int exec_userns;         /* the init's user namespace when it has one of its own */
    bool oom_killed;         /* the OOM killer killed something in the container's cgroup */
    bool trim_due;           /* an exec has ended since the last shim_trim */
} shim = { .report_fd = -1, .sig_fd = -1, .listen_fd = -1, .out_fd = { -1, -1 },
           .in = { .fd = -1 } };

/* in .bss, apart from the initialised state: untouched pages cost nothing */
static struct shim_log shim_log;
static char shim_buf[SHIM_READ_SIZE];
/* A TTY's output before its first attacher (a shell's prompt, written before dctld's
 * attach reaches this socket), replayed to that attacher as dockerd's stream does. */
static char shim_early[4096];
static size_t shim_early_len;
static bool shim_had_attacher;

static long long
shim_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
shim_report(const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    int n;

    if (shim.report_fd < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (write(shim.report_fd, line, (size_t)n) < 0) {
        /* the driver is gone; the container still runs under the shim */
    }
    close(shim.report_fd);
    shim.report_fd = -1;
}

/* Atomic (a temporary file renamed), not durable: the exec root is run-time
 * state that a reboot clears, so no fsync is spent on the start path. */
static int
shim_write_file(const char *name, const char *data, size_t len)
{
    char tmp[64];
    int fd;

    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, name) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void
shim_write_pid(const char *name, pid_t pid)
{
    char text[24];

    snprintf(text, sizeof text, "%d\n", (int)pid);
    shim_write_file(name, text, strlen(text));
}

/* exit.json: {"exitCode","oomKilled","startedAt","finishedAt"[,"error"]} */
static void
shim_write_exit(int code, const char *error)
{
    struct json_object *o = json_object_new_object();
    char t[48];
    const char *text;

    json_object_object_add(o, "exitCode", json_object_new_int(code));
    json_object_object_add(o, "oomKilled", json_object_new_boolean(shim.oom_killed));
    if (shim.started) {
        shim_log_format_time(shim.started, t, sizeof t);
        json_object_object_add(o, "startedAt", json_object_new_string(t));
    }
    shim_log_format_time(shim.finished ? shim.finished : shim_now(), t, sizeof t);
    json_object_object_add(o, "finishedAt", json_object_new_string(t));
    if (error)
        json_object_object_add(o, "error", json_object_new_string(error));
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    shim_write_file("exit.json", text, strlen(text));
    json_object_put(o);
}

/* A failure before the command ran: recorded, reported, and the shim leaves. */
static void __attribute__((noreturn))
shim_fail(int code, const char *msg)
{
    shim_cgroup_teardown(&shim.spec);
    shim_write_exit(code, msg);
    shim_report("error %s", msg);
    unlink("attach.sock");
    _exit(1);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
shim_failf(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    shim_fail(SHIM_EXIT_START_FAILED, msg);
}

static void
shim_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---- attach connections ---------------------------------------------------- */

static int shim_conn_send(struct shim_conn *c, const void *data, size_t len);

static void
shim_conn_drop(size_t i)
{
    struct shim_conn *c = &shim.conns[i];

    if (c->exec && !c->waiter && c->exec->conn_fd == c->fd)
        c->exec->conn_fd = -1; /* the exec goes on; its output is read and dropped */
    close(c->fd);
    free(c->pend);
    free(c->body);
    shim.conns[i] = shim.conns[--shim.nconns];
}

/* Sends line and closes the connection, at once or once what is pending is sent. */
static void
shim_conn_finish(size_t i, const char *line)
{
    struct shim_conn *c = &shim.conns[i];

    if (line && shim_conn_send(c, line, strlen(line)) < 0) {
        shim_conn_drop(i);
        return;
    }
    c->closing = true;
    c->have_req = true;
    c->streams = 0;
    if (c->plen == 0)
        shim_conn_drop(i);
}

/* Sends what it can now, keeps the rest; -1 when the connection is to be dropped. */
static int
shim_conn_send(struct shim_conn *c, const void *data, size_t len)
{
    const char *p = data;

    if (c->plen == 0) {
        while (len > 0) {
            ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n < 0)
                return -1;
            p += n;
            len -= (size_t)n;
        }
    }
    if (len == 0)
        return 0;
    if (c->plen + len > SHIM_CONN_PENDING_MAX)
        return -1;
    if (c->plen + len > c->pcap) {
        size_t cap = c->pcap ? c->pcap : 4096;
        char *np;

        while (cap < c->plen + len)
            cap *= 2;
        np = realloc(c->pend, cap);
        if (np == NULL)
            return -1;
        c->pend = np;
        c->pcap = cap;
    }
    memcpy(c->pend + c->plen, p, len);
    c->plen += len;
    return 0;
}

static int
shim_conn_flush(struct shim_conn *c)
{
    size_t off = 0;

    while (off < c->plen) {
        ssize_t n = send(c->fd, c->pend + off, c->plen - off, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0)
            return -1;
        off += (size_t)n;
    }
    memmove(c->pend, c->pend + off, c->plen - off);
    c->plen -= off;
    return 0;
}

/* Output of stream s (0 stdout, 1 stderr) to the log and every attacher of s. */
static void
shim_output(int s, const char *data, size_t len)
{
    unsigned int bit = s == 0 ? SHIM_STREAM_STDOUT : SHIM_STREAM_STDERR;
    uint8_t hdr[SHIM_STREAM_HEADER];
    size_t i;

    if (shim.logging)
        shim_log_write(&shim_log, (enum shim_log_stream)s, data, len, shim_now());
    if (shim.spec.terminal && !shim_had_attacher) {
        size_t take = sizeof shim_early - shim_early_len;

        if (take > len)
            take = len;
        memcpy(shim_early + shim_early_len, data, take);
        shim_early_len += take;
    }
    shim_stream_header(hdr, s + 1, (uint32_t)len);
    for (i = 0; i < shim.nconns;) {
        struct shim_conn *c = &shim.conns[i];

        if (c->have_req && (c->streams & bit) &&
            ((!shim.spec.terminal && shim_conn_send(c, hdr, sizeof hdr) < 0) ||
             shim_conn_send(c, data, len) < 0)) {
            shim_conn_drop(i);
            continue;
        }
        i++;
    }
}

static void
shim_input_write(struct shim_input *in)
{
    while (in->len > 0 && in->fd >= 0) {
        ssize_t n = write(in->fd, in->pend, in->len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) { /* the command closed its stdin */
            in->len = 0;
            break;
        }
        memmove(in->pend, in->pend + n, in->len - (size_t)n);
        in->len -= (size_t)n;
    }
    if (in->len == 0 && in->close_when_empty && in->fd >= 0) {
        close(in->fd);
        in->fd = -1;
    }
}

static void
shim_input_add(struct shim_input *in, const char *data, size_t len)
{
    if (in->fd < 0 || len == 0)
        return;
    if (in->len + len > in->cap) {
        size_t cap = in->cap ? in->cap : 4096;
        char *np;

        while (cap < in->len + len)
            cap *= 2;
        np = realloc(in->pend, cap);
        if (np == NULL)
            return;
        in->pend = np;
        in->cap = cap;
    }
    memcpy(in->pend + in->len, data, len);
    in->len += len;
    shim_input_write(in);
}

/* No more input: the pipe closes once what is pending is written. */
static void
shim_input_end(struct shim_input *in)
{
    in->close_when_empty = true;
    shim_input_write(in);
}

static void
shim_input_fini(struct shim_input *in)
{
    if (in->fd >= 0)
        close(in->fd);
    free(in->pend);
    *in = (struct shim_input){ .fd = -1 };
}

/* ---- exec sessions ------------------------------------------------------------ */

static struct shim_exec *
shim_exec_find(const char *id)
{
    struct shim_exec *e;

    for (e = shim.execs; e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

static struct shim_exec *
shim_exec_by_pid(pid_t pid)
{
    struct shim_exec *e;

    for (e = shim.execs; e; e = e->next)
        if (!e->ended && e->pid == pid)
            return e;
    return NULL;
}

static struct shim_conn *
shim_conn_by_fd(int fd, size_t *idx)
{
    size_t i;

    for (i = 0; fd >= 0 && i < shim.nconns; i++)
        if (shim.conns[i].fd == fd) {
            if (idx)
                *idx = i;
            return &shim.conns[i];
        }
    return NULL;
}

/* Frees ended execs beyond the newest SHIM_EXEC_KEEP. */
static void
shim_exec_gc(void)
{
    struct shim_exec **p = &shim.execs, *e;
    unsigned int ended = 0;

    while ((e = *p) != NULL) {
        if (e->ended && ++ended > SHIM_EXEC_KEEP) {
            *p = e->next;
            free(e);
            continue;
        }
        p = &e->next;
    }
}

/* ---- exec sessions: output, end, start ------------------------------------------ */

/* Output of an exec's stream s (0 stdout, 1 stderr) to its connection, framed unless
 * it has a TTY; nothing is logged, as Docker logs no exec output. */
static void
shim_exec_sink(void *arg, int s, const char *data, size_t len)
{
    struct shim_exec *e = arg;
    unsigned int bit = s == 0 ? SHIM_STREAM_STDOUT : SHIM_STREAM_STDERR;
    uint8_t hdr[SHIM_STREAM_HEADER];
    size_t i;
    struct shim_conn *c = shim_conn_by_fd(e->conn_fd, &i);

    if (c == NULL || !(e->streams & bit))
        return;
    shim_stream_header(hdr, s + 1, (uint32_t)len);
    if ((!e->tty && shim_conn_send(c, hdr, sizeof hdr) < 0) || shim_conn_send(c, data, len) < 0)
        shim_conn_drop(i);
}

typedef void (*shim_sink_fn)(void *arg, int s, const char *data, size_t len);

/* Reads what is there from *fdp, stream s, into sink (at most 16 reads unless drain);
 * -1 at the end of the stream (EOF, or EIO from a pty whose other side is closed:
 * *fdp is then closed and -1), else 0. */
static int
shim_read_fd(int *fdp, int s, bool drain, shim_sink_fn sink, void *arg)
{
    int reads = 0;

    for (;;) {
        ssize_t n = read(*fdp, shim_buf, sizeof shim_buf);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n <= 0) {
            close(*fdp);
            *fdp = -1;
            return -1;
        }
        sink(arg, s, shim_buf, (size_t)n);
        if (!drain && ++reads == 16)
            return 0;
    }
}

/* The exec's process has ended with status: what its pipes hold goes to its client,
 * which is then closed, and every execwait gets "exit CODE". The text pages the exec
 * path brought back are dropped again (shim_trim, as after start-up) once the loop has
 * been idle for a second, so that a burst of execs pays for one trim. */
static void
shim_exec_end(struct shim_exec *e, int status)
{
    char line[32];
    size_t i;
    int s;

    e->ended = true;
    e->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    for (s = 0; s < 2; s++) {
        if (e->out_fd[s] >= 0)
            shim_read_fd(&e->out_fd[s], s, true, shim_exec_sink, e);
        if (e->out_fd[s] >= 0) { /* a background process holds it: not waited for */
            close(e->out_fd[s]);
            e->out_fd[s] = -1;
        }
    }
    shim_input_fini(&e->in);
    snprintf(line, sizeof line, "exit %d\n", e->code);
    for (i = shim.nconns; i-- > 0;) /* downwards: a drop moves a visited one into i */
        if (shim.conns[i].exec == e)
            shim_conn_finish(i, shim.conns[i].waiter ? line : NULL);
    e->conn_fd = -1;
    shim.trim_due = true;
}

/* Once: the init's namespaces that differ from the shim's, opened for exec children,
 * and its PID namespace entered for the shim's children (the shim forks nothing else
 * after the init), so that an exec's process is in it from its fork on. */
static int
shim_exec_ns_open(char *why, size_t whylen)
{
    static const char *const names[SHIM_NS_COUNT] = { "ipc", "uts", "net", "pid", "mnt",
                                                      "cgroup" };
    int k;

    if (shim.exec_ns_ready)
        return 0;
    for (k = 0; k < SHIM_NS_COUNT; k++)
        shim.exec_ns[k] = -1;
    shim.exec_userns = -1;
    if (shim.spec.clone_flags & CLONE_NEWUSER) {   /* joined first: it owns the others */
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)shim.init_pid);
        shim.exec_userns = open(path, O_RDONLY | O_CLOEXEC);
        if (shim.exec_userns < 0) {
            snprintf(why, whylen, "open %s: %s", path, strerror(errno));
            return -1;
        }
    }
    for (k = 0; k < SHIM_NS_COUNT; k++) {
        char path[64], self[64];
        struct stat a, b;
        int fd;

        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)shim.init_pid, names[k]);
        snprintf(self, sizeof self, "/proc/self/ns/%s",
                 k == SHIM_NS_PID ? "pid_for_children" : names[k]);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &a) < 0) {
            snprintf(why, whylen, "open %s: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
            close(fd); /* the shim's own: nothing to join */
            continue;
        }
        shim.exec_ns[k] = fd;
    }
    if (shim.exec_ns[SHIM_NS_PID] >= 0) {
        if (setns(shim.exec_ns[SHIM_NS_PID], CLONE_NEWPID) < 0) {
            snprintf(why, whylen, "join the PID namespace: %s", strerror(errno));
            return -1;
        }
        close(shim.exec_ns[SHIM_NS_PID]);
        shim.exec_ns[SHIM_NS_PID] = -1;
    }
    shim.exec_ns_ready = true;
    return 0;
}

static int shim_recv_fd(int sock);
static int shim_read_exec_pipe(int fd, char *msg, size_t size);

/* "exec ID STREAMS LEN" and its LEN bytes of process JSON, all in: starts the exec
 * (docs/containers.md, "Exec sessions"); answers "ok PID" and carries its streams, or
 * "error CODE MESSAGE" (the code is recorded for execwait as the exec's exit code).
 * -1 when the connection is done with. The fork and the child's set-up (a few system
 * calls) are waited for here: the loop holds still for that long. */
static int
shim_exec_start(size_t i)
{
    struct shim_conn *c = &shim.conns[i];
    const struct shim_stream_request *req = &c->exec_req;
    struct shim_child child = { .console_sock = -1, .cgroup_sync = -1, .cgroup_sync_peer = -1 };
    struct shim_spec es;
    struct shim_exec *e;
    char msg[1100], line[1200];
    int exec_pipe[2] = { -1, -1 }, sock[2] = { -1, -1 }, in[2] = { -1, -1 };
    int out[2][2] = { { -1, -1 }, { -1, -1 } }, master = -1, k, code = SHIM_EXIT_START_FAILED, rc;
    int cg[2] = { -1, -1 };
    const char *why = NULL, *cg_why = NULL;
    pid_t pid;

    msg[0] = '\0';
    if (shim_exec_find(req->exec_id)) {
        shim_conn_finish(i, "error 128 exec ID already in use\n");
        return -1;
    }
    rc = shim_spec_load_exec(c->body, c->blen, &shim.spec, &es, &why);
    free(c->body);
    c->body = NULL;
    c->blen = c->bneed = 0;
    if (rc < 0) {
        snprintf(line, sizeof line, "error 128 %s\n", why);
        shim_conn_finish(i, line);
        return -1;
    }
    e = calloc(1, sizeof *e);
    if (e == NULL) {
        shim_spec_process_free(&es);
        shim_conn_finish(i, "error 128 out of memory\n");
        return -1;
    }
    snprintf(e->id, sizeof e->id, "%s", req->exec_id);
    e->tty = es.terminal;
    e->streams = req->streams;
    e->out_fd[0] = e->out_fd[1] = e->conn_fd = -1;
    e->in.fd = -1;
    if (shim_exec_ns_open(msg, sizeof msg) < 0)
        goto fail;
    if (pipe2(exec_pipe, O_CLOEXEC) < 0 || (es.cgroup_path && pipe2(cg, O_CLOEXEC) < 0) ||
        (es.terminal && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) ||
        (!es.terminal && (pipe2(out[0], O_CLOEXEC) < 0 || pipe2(out[1], O_CLOEXEC) < 0)) ||
        (!es.terminal && es.stdin_open && pipe2(in, O_CLOEXEC) < 0) ||
        (!es.terminal && !es.stdin_open &&
         (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)) {
        snprintf(msg, sizeof msg, "pipe: %s", strerror(errno));
        goto fail;
    }
    child.spec = &es;
    memcpy(child.ns_fd, shim.exec_ns, sizeof child.ns_fd);
    child.userns_sock = -1;
    child.userns_fd = shim.exec_userns;
    child.stdio[0] = in[0];
    child.stdio[1] = out[0][1];
    child.stdio[2] = out[1][1];
    child.console_sock = sock[1];
    child.exec_pipe = exec_pipe[1];
    child.cgroup_sync = cg[0];
    child.cgroup_sync_peer = cg[1];
    pid = fork();
    if (pid < 0) {
        snprintf(msg, sizeof msg, "fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0)
        shim_init_exec_run(&child);
    close(exec_pipe[1]);
    exec_pipe[1] = -1;
    /* into the container's cgroup before it goes on (a closed pipe stops it) */
    if (cg[1] >= 0) {
        close(cg[0]);
        cg[0] = -1;
        if (shim_cgroup_enter(&shim.spec, pid, &cg_why) == 0 && write(cg[1], "g", 1) != 1)
            cg_why = "cannot let the exec go on";
        close(cg[1]);
        cg[1] = -1;
    }
    if (es.terminal) {
        close(sock[1]);
        sock[1] = -1;
        master = shim_recv_fd(sock[0]); /* or -1 when the child failed before */
    }
    if (shim_read_exec_pipe(exec_pipe[0], msg, sizeof msg) > 0 || (es.terminal && master < 0)) {
        char *sp;
        int st;

        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        code = (int)strtol(msg, &sp, 10);
        if (*sp == ' ')
            sp++;
        memmove(msg, sp, strlen(sp) + 1);
        if (code <= 0)
            code = SHIM_EXIT_START_FAILED;
        if (cg_why)
            snprintf(msg, sizeof msg, "%s", cg_why);
        if (msg[0] == '\0')
            snprintf(msg, sizeof msg, "no terminal from the exec");
        goto fail;
    }
    e->pid = pid;
    if (es.terminal) {
        e->out_fd[0] = master;
        master = -1;
        shim_nonblock(e->out_fd[0]);
        e->in.fd = es.stdin_open ? fcntl(e->out_fd[0], F_DUPFD_CLOEXEC, 0) : -1;
    } else {
        for (k = 0; k < 2; k++) {
            e->out_fd[k] = out[k][0];
            out[k][0] = -1;
            shim_nonblock(e->out_fd[k]);
        }
        if (es.stdin_open) {
            e->in.fd = in[1];
            in[1] = -1;
            shim_nonblock(e->in.fd);
        }
    }
    code = 0;
fail:
    for (k = 0; k < 2; k++) {
        if (exec_pipe[k] >= 0)
            close(exec_pipe[k]);
        if (cg[k] >= 0)
            close(cg[k]);
        if (sock[k] >= 0)
            close(sock[k]);
        if (in[k] >= 0)
            close(in[k]);
        if (out[0][k] >= 0)
            close(out[0][k]);
        if (out[1][k] >= 0)
            close(out[1][k]);
    }
    if (master >= 0)
        close(master);
    shim_spec_process_free(&es);
    e->next = shim.execs;
    shim.execs = e;
    if (code) { /* recorded as ended with that code, as dockerd sets 126/127 */
        e->ended = true;
        e->code = code;
        snprintf(line, sizeof line, "error %d %s\n", code, msg);
        shim_conn_finish(i, line);
        return -1;
    }
    snprintf(line, sizeof line, "ok %d\n", (int)e->pid);
    if (req->streams == 0) {
        shim_conn_finish(i, line);
        return -1;
    }
    c->have_req = true;
    c->streams = req->streams;
    c->exec = e;
    e->conn_fd = c->fd;
    if (shim_conn_send(c, line, strlen(line)) < 0) {
        shim_conn_drop(i);
        return -1;
    }
    return 0;
}

/* The exec requests other than exec itself; -1 when the connection is done with. */
static int
shim_exec_request(size_t i, const struct shim_stream_request *req)
{
    struct shim_conn *c = &shim.conns[i];
    struct shim_exec *e = shim_exec_find(req->exec_id);
    char line[128];

    if (e == NULL) {
        shim_conn_finish(i, "error no such exec\n");
        return -1;
    }
    switch (req->kind) {
    case SHIM_STREAM_EXEC_WAIT:
        if (!e->ended) {
            c->have_req = true;
            c->waiter = true;
            c->exec = e;
            return 0;
        }
        snprintf(line, sizeof line, "exit %d\n", e->code);
        break;
    case SHIM_STREAM_EXEC_RESIZE: {
        struct winsize ws = { .ws_row = (unsigned short)req->rows,
                              .ws_col = (unsigned short)req->cols };

        if (e->ended)
            snprintf(line, sizeof line, "error the exec has ended\n");
        else if (!e->tty || e->out_fd[0] < 0)
            snprintf(line, sizeof line, "error the exec has no terminal\n");
        else if (ioctl(e->out_fd[0], TIOCSWINSZ, &ws) < 0)
            snprintf(line, sizeof line, "error %s\n", strerror(errno));
        else
            snprintf(line, sizeof line, "ok\n");
        break;
    }
    default: /* SHIM_STREAM_EXEC_KILL: not reaped yet, so the pid is still the exec's */
        if (e->ended)
            snprintf(line, sizeof line, "error the exec has ended\n");
        else if (kill(e->pid, (int)req->signo) < 0)
            snprintf(line, sizeof line, "error %s\n", strerror(errno));
        else
            snprintf(line, sizeof line, "ok\n");
        break;
    }
    shim_conn_finish(i, line);
    return -1;
}

/* Handles the request line; -1 when the connection is done with (dropped). */
static int
shim_conn_request(size_t i)
{
    struct shim_conn *c = &shim.conns[i];
    struct shim_stream_request req;
    char answer[64];

    if (shim_stream_parse(c->req, &req) < 0) {
        send(c->fd, "error bad request\n", 18, MSG_NOSIGNAL | MSG_DONTWAIT);
        shim_conn_drop(i);
        return -1;
    }
    if (req.kind == SHIM_STREAM_EXEC) {   /* its process JSON follows the line */
        c->exec_req = req;
        c->bneed = req.body_len;
        c->blen = 0;
        c->body = malloc(c->bneed);
        if (c->body == NULL) {
            shim_conn_finish(i, "error 128 out of memory\n");
            return -1;
        }
        return 0;
    }
    if (req.kind == SHIM_STREAM_EXEC_WAIT || req.kind == SHIM_STREAM_EXEC_RESIZE ||
        req.kind == SHIM_STREAM_EXEC_KILL)
        return shim_exec_request(i, &req);
    if (req.kind == SHIM_STREAM_RESIZE) {
        struct winsize ws = { .ws_row = (unsigned short)req.rows,
                              .ws_col = (unsigned short)req.cols };

        if (!shim.spec.terminal || shim.out_fd[0] < 0)
            snprintf(answer, sizeof answer, "error the container has no terminal\n");
        else if (ioctl(shim.out_fd[0], TIOCSWINSZ, &ws) < 0)
            snprintf(answer, sizeof answer, "error %s\n", strerror(errno));
        else
            snprintf(answer, sizeof answer, "ok\n");
        send(c->fd, answer, strlen(answer), MSG_NOSIGNAL | MSG_DONTWAIT);
        shim_conn_drop(i);
        return -1;
    }
    c->have_req = true;
    c->streams = req.streams;
    if (shim.spec.terminal && (c->streams & SHIM_STREAM_STDOUT) && !shim_had_attacher) {
        shim_had_attacher = true;
        if (shim_early_len && shim_conn_send(c, shim_early, shim_early_len) < 0) {
            shim_conn_drop(i);
            return -1;
        }
    }
    return 0;
}

/* Where the connection's stdin bytes go: the container's stdin or its exec's; NULL
 * when nowhere. */
static struct shim_input *
shim_conn_input(const struct shim_conn *c)
{
    if (!c->have_req || c->closing || c->waiter || !(c->streams & SHIM_STREAM_STDIN))
        return NULL;
    if (c->exec)
        return c->exec->ended ? NULL : &c->exec->in;
    return shim.spec.stdin_open ? &shim.in : NULL;
}

/* Readable: the request line, then stdin (or, without stdin, nothing but EOF). */
static void
shim_conn_read(size_t i)
{
    struct shim_conn *c = &shim.conns[i];
    struct shim_input *in;
    char buf[4096];
    ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
    size_t off = 0;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        c->in_eof = true;
        in = shim_conn_input(c);
        /* an exec's stdin ends with its client's; the container's with stdinOnce */
        if (in && (c->exec ? !c->exec->tty : shim.spec.stdin_once && !shim.spec.terminal))
            shim_input_end(in);
        if (!c->have_req || !(c->streams & (SHIM_STREAM_STDOUT | SHIM_STREAM_STDERR)) ||
            c->closing || n < 0)
            shim_conn_drop(i);
        return;
    }
    if (c->closing)
        return;
    if (!c->have_req && c->bneed == 0) {
        char *nl = memchr(buf, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - buf) : (size_t)n;

        if (c->reqlen + take >= sizeof c->req) {
            shim_conn_drop(i);
            return;
        }
        memcpy(c->req + c->reqlen, buf, take);
        c->reqlen += take;
        c->req[c->reqlen] = '\0';
        if (nl == NULL)
            return;
        off = take + 1;
        if (shim_conn_request(i) < 0)
            return;
        c = &shim.conns[i];
    }
    if (c->bneed) {   /* an exec's process JSON, then the exec */
        size_t take = (size_t)n - off < c->bneed - c->blen ? (size_t)n - off : c->bneed - c->blen;

        memcpy(c->body + c->blen, buf + off, take);
        c->blen += take;
        off += take;
        if (c->blen < c->bneed || shim_exec_start(i) < 0)
            return;
        c = &shim.conns[i];
    }
    if ((in = shim_conn_input(c)) != NULL)
        shim_input_add(in, buf + off, (size_t)n - off);
}

static void
shim_accept(void)
{
    int fd = accept4(shim.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    struct shim_conn *nc;

    if (fd < 0)
        return;
    nc = realloc(shim.conns, (shim.nconns + 1) * sizeof *nc);
    if (nc == NULL) {
        close(fd);
        return;
    }
    shim.conns = nc;
    memset(&nc[shim.nconns], 0, sizeof *nc);
    nc[shim.nconns++].fd = fd;
}

/* ---- the container's output ------------------------------------------------ */

static void
shim_output_sink(void *arg, int s, const char *data, size_t len)
{
    (void)arg;
    shim_output(s, data, len);
}

/* The container's stream s: shim_read_fd, and the log's last line at its end. */
static int
shim_read_output(int s, bool drain)
{
    if (shim_read_fd(&shim.out_fd[s], s, drain, shim_output_sink, NULL) == 0)
        return 0;
    if (shim.logging)
        shim_log_flush(&shim_log, (enum shim_log_stream)s, shim_now());
    return -1;
}

static void __attribute__((noreturn))
shim_finish(int status)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    struct shim_exec *e;
    size_t i;
    int s;

    shim.finished = shim_now();
    /* what is in the pipes now; a writer left in the host's PID namespace is not
     * waited for */
    for (s = 0; s < 2; s++)
        if (shim.out_fd[s] >= 0)
            shim_read_output(s, true);
    if (shim.logging) {
        shim_log_flush(&shim_log, SHIM_LOG_STDOUT, shim.finished);
        shim_log_flush(&shim_log, SHIM_LOG_STDERR, shim.finished);
        shim_log_close(&shim_log);
    }
    /* execs end with the container (the end of its PID namespace kills them; in the
     * host's, as Docker's cgroup kill does): their codes go to their waiters */
    for (e = shim.execs; e; e = e->next)
        if (!e->ended) {
            int st = 0;

            kill(e->pid, SIGKILL);
            while (waitpid(e->pid, &st, 0) < 0 && errno == EINTR) {
            }
            shim_exec_end(e, st);
        }
    shim.oom_killed = shim_cgroup_oom_killed(&shim.spec);
    shim_cgroup_teardown(&shim.spec);
    shim_write_exit(code, NULL);
    unlink("attach.sock");
    /* what attachers have not received yet, for at most two seconds each */
    for (i = 0; i < shim.nconns; i++) {
        struct shim_conn *c = &shim.conns[i];
        struct timeval tv = { .tv_sec = 2 };

        if (c->plen) {
            fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
            setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            if (send(c->fd, c->pend, c->plen, MSG_NOSIGNAL) < 0) {
                /* gone: nothing more to do for it */
            }
        }
        close(c->fd);
    }
    _exit(0);
}

static void
shim_reap(void)
{
    struct signalfd_siginfo si;
    struct shim_exec *e;
    int st;
    pid_t w;

    while (read(shim.sig_fd, &si, sizeof si) > 0) {
    }
    while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
        if (w == shim.init_pid)
            shim_finish(st);
        if ((e = shim_exec_by_pid(w)) != NULL)
            shim_exec_end(e, st);
    }
}

static void shim_trim(void);

/* What one pollfd of an exec stands for. */
struct shim_poll_exec {
    struct shim_exec *e;
    int what; /* 0 stdout, 1 stderr, 2 stdin */
};

static void __attribute__((noreturn))
shim_loop(void)
{
    struct pollfd *pfd = NULL;
    struct shim_poll_exec *map = NULL;
    size_t cap = 0;

    for (;;) {
        size_t n = 0, i, base, ebase, need;
        struct shim_exec *e;
        int rc;
        int s;

        need = shim.nconns + 8;
        for (e = shim.execs; e; e = e->next)
            need += e->ended ? 0 : 3;
        if (cap < need) {
            cap = need + 16;
            pfd = realloc(pfd, cap * sizeof *pfd);
            map = realloc(map, cap * sizeof *map);
            if (pfd == NULL || map == NULL)
                abort();
        }
        pfd[n++] = (struct pollfd){ .fd = shim.sig_fd, .events = POLLIN };
        pfd[n++] = (struct pollfd){ .fd = shim.listen_fd, .events = POLLIN };
        for (s = 0; s < 2; s++)
            pfd[n++] = (struct pollfd){ .fd = shim.out_fd[s], .events = POLLIN };
        pfd[n++] = (struct pollfd){ .fd = shim.in.len ? shim.in.fd : -1, .events = POLLOUT };
        ebase = n;
        for (e = shim.execs; e; e = e->next) {
            struct shim_conn *c;
            bool room;

            if (e->ended)
                continue;
            /* a client behind: the exec's output waits in its pipe (back-pressure) */
            c = shim_conn_by_fd(e->conn_fd, NULL);
            room = c == NULL || c->plen < SHIM_EXEC_OUT_HIGH;
            for (s = 0; s < 2; s++) {
                map[n - ebase] = (struct shim_poll_exec){ e, s };
                pfd[n++] = (struct pollfd){ .fd = room ? e->out_fd[s] : -1, .events = POLLIN };
            }
            map[n - ebase] = (struct shim_poll_exec){ e, 2 };
            pfd[n++] = (struct pollfd){ .fd = e->in.len ? e->in.fd : -1, .events = POLLOUT };
        }
        base = n;
        for (i = 0; i < shim.nconns; i++) {
            struct shim_conn *c = &shim.conns[i];
            struct shim_input *in = shim_conn_input(c);
            short ev = 0;

            if (!c->in_eof && (in == NULL || in->len < SHIM_STDIN_PENDING_MAX))
                ev |= POLLIN;
            if (c->plen)
                ev |= POLLOUT;
            pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
        }
        rc = poll(pfd, n, shim.trim_due ? 1000 : -1);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            abort();
        }
        if (rc == 0) {   /* idle for a second after an exec */
            shim.trim_due = false;
            shim_trim();
            continue;
        }
        if (pfd[0].revents)
            shim_reap();
        for (s = 0; s < 2; s++)
            if (pfd[2 + s].revents && shim.out_fd[s] >= 0)
                shim_read_output(s, false);
        if (pfd[4].revents)
            shim_input_write(&shim.in);
        for (i = ebase; i < base; i++) {
            struct shim_poll_exec *m = &map[i - ebase];

            if (pfd[i].revents == 0 || m->e->ended)
                continue;
            if (m->what < 2 && m->e->out_fd[m->what] >= 0)
                shim_read_fd(&m->e->out_fd[m->what], m->what, false, shim_exec_sink, m->e);
            else if (m->what == 2)
                shim_input_write(&m->e->in);
        }
        /* connections, newest first so that a drop (swap with the last) is safe */
        for (i = n - base; i-- > 0;) {
            short re = pfd[base + i].revents;

            if (i >= shim.nconns || shim.conns[i].fd != pfd[base + i].fd || re == 0)
                continue;
            if ((re & POLLOUT) && shim_conn_flush(&shim.conns[i]) < 0) {
                shim_conn_drop(i);
                continue;
            }
            if (shim.conns[i].closing && shim.conns[i].plen == 0) {
                shim_conn_drop(i);
                continue;
            }
            if (re & POLLIN) {
                shim_conn_read(i);
                continue;
            }
            if (re & (POLLHUP | POLLERR))
                shim_conn_drop(i);
        }
        if (pfd[1].revents & POLLIN)
            shim_accept();
        shim_exec_gc();
    }
}

/* ---- start-up -------------------------------------------------------------- */

/* Start-up ran through much of libc and json-c that the loop never needs again:
 * drop the pages of the executable file mappings (text: never written, so nothing
 * is lost; read-only data is left alone, as RELRO holds relocated pages) so that
 * only the pages the loop touches come back. This is what keeps a shim well
 * under 1 MiB of RSS. */
static void
shim_trim(void)
{
    char maps[8192];
    ssize_t len = 0, n;
    char *line, *save = NULL;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    while ((n = read(fd, maps + len, sizeof maps - 1 - (size_t)len)) > 0)
        len += n;
    close(fd);
    maps[len] = '\0';
    for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned long lo, hi;
        char perms[8];
        int pathpos = 0;

        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &pathpos) < 3 ||
            pathpos == 0 || line[pathpos] != '/' || perms[1] == 'w' || perms[2] != 'x')
            continue;
        madvise((void *)lo, hi - lo, MADV_RANDOM);
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
}

static int
shim_recv_fd(int sock)
{
    char cbuf[CMSG_SPACE(sizeof(int))], c;
    struct iovec iov = { .iov_base = &c, .iov_len = 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                          .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm;
    int fd = -1;
    ssize_t n;

    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    cm = CMSG_FIRSTHDR(&msg);
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

/* Reads the child's report on its exec pipe until EOF: "" once exec'd, else "CODE
 * MESSAGE" (NUL-terminated in msg); returns its length. */
static int
shim_read_exec_pipe(int fd, char *msg, size_t size)
{
    size_t len = 0;
    ssize_t n;

    while (len < size - 1) {
        n = read(fd, msg + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    msg[len] = '\0';
    return (int)len;
}

/* The init's report: nothing once exec'd, else the shim fails with its code. */
static void
shim_wait_exec(int fd, pid_t pid)
{
    char msg[1100];
    int st = 0, code;
    char *sp;

    if (shim_read_exec_pipe(fd, msg, sizeof msg) == 0) {
        close(fd);
        return; /* exec'd (and perhaps ended already: the loop reaps it), or killed */
    }
    close(fd);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    code = (int)strtol(msg, &sp, 10);
    if (*sp == ' ')
        sp++;
    shim_fail(code > 0 ? code : SHIM_EXIT_START_FAILED, sp);
}

static void
shim_setup_fds(void)
{
    int fd;

    /* stdin/out/err on /dev/null, the report pipe (if any) on 3, nothing else */
    if (fcntl(SHIM_REPORT_FD, F_GETFD) >= 0) {
        shim.report_fd = SHIM_REPORT_FD;
        fcntl(SHIM_REPORT_FD, F_SETFD, FD_CLOEXEC);
    }
    close_range(SHIM_REPORT_FD + 1, ~0U, 0);
    for (fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0) {
            int n = open("/dev/null", O_RDWR);

            if (n >= 0 && n != fd) {
                dup2(n, fd);
                close(n);
            }
        }
}

int
main(int argc, char **argv)
{
    struct shim_child child = { .console_sock = -1 };
    int exec_pipe[2], sock[2] = { -1, -1 }, in[2] = { -1, -1 }, out[2][2] = { { -1, -1 }, { -1, -1 } };
    int usock[2] = { -1, -1 };
    int cg[2] = { -1, -1 };
    unsigned long clone_flags;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *why = NULL;
    sigset_t chld;
    pid_t pid;
    int i, bundle;

    if (argc != 3) {
        fprintf(stderr, "usage: dctl-shim ID BUNDLE_DIR\n");
        return 2;
    }
    shim.id = argv[1];
    shim_setup_fds();
    pid = fork();
    if (pid < 0) {
        shim_report("error fork: %s", strerror(errno));
        return 1;
    }
    if (pid > 0)
        _exit(0); /* the driver reaps this one; the shim goes on re-parented to init */
    setsid();
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    bundle = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (bundle < 0 || fchdir(bundle) < 0) {
        shim_report("error bundle %s: %s", argv[2], strerror(errno));
        return 1;
    }
    close(bundle);
    unlink("exit.json");
    shim_write_pid("shim.pid", getpid());
    if (shim_spec_load(AT_FDCWD, &shim.spec, &why) < 0)
        shim_fail(SHIM_EXIT_START_FAILED, why);

    if (shim.spec.log_json) {
        if (shim_log_open(&shim_log, shim.spec.log_path, shim.spec.log_max_size,
                          shim.spec.log_max_file) < 0)
            shim_failf("open log %s: %s", shim.spec.log_path, strerror(errno));
        shim.logging = true;
    }
    if (pipe2(exec_pipe, O_CLOEXEC) < 0)
        shim_failf("pipe: %s", strerror(errno));
    if (shim.spec.terminal) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0)
            shim_failf("socketpair: %s", strerror(errno));
    } else {
        if (shim.spec.stdin_open) {
            if (pipe2(in, O_CLOEXEC) < 0)
                shim_failf("pipe: %s", strerror(errno));
        } else if ((in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
            shim_failf("open /dev/null: %s", strerror(errno));
        }
        if (pipe2(out[0], O_CLOEXEC) < 0 || pipe2(out[1], O_CLOEXEC) < 0)
            shim_failf("pipe: %s", strerror(errno));
    }
    shim.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    strcpy(sa.sun_path, "attach.sock");
    unlink("attach.sock");
    if (shim.listen_fd < 0 || bind(shim.listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        chmod("attach.sock", 0600) < 0 || listen(shim.listen_fd, 16) < 0)
        shim_failf("attach socket: %s", strerror(errno));
    for (i = 0; i < SHIM_NS_COUNT; i++) {
        child.ns_fd[i] = -1;
        if (shim.spec.ns_path[i] == NULL)
            continue;
        child.ns_fd[i] = open(shim.spec.ns_path[i], O_RDONLY | O_CLOEXEC);
        if (child.ns_fd[i] < 0)
            shim_failf("open namespace %s: %s", shim.spec.ns_path[i], strerror(errno));
        if (i == SHIM_NS_PID && setns(child.ns_fd[i], CLONE_NEWPID) < 0)
            shim_failf("join namespace %s: %s", shim.spec.ns_path[i], strerror(errno));
    }
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    shim.sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (shim.sig_fd < 0)
        shim_failf("signalfd: %s", strerror(errno));

    if (shim_cgroup_setup(&shim.spec, &why) < 0)
        shim_fail(SHIM_EXIT_START_FAILED, why);
    clone_flags = (unsigned long)shim.spec.clone_flags;
    child.cgroup_sync = child.cgroup_sync_peer = -1;
    if (shim.spec.cgroup_path) {
        /* the child makes its cgroup namespace once the shim has put it in its cgroup */
        if (pipe2(cg, O_CLOEXEC) < 0)
            shim_failf("pipe: %s", strerror(errno));
        child.cgroup_sync = cg[0];
        child.cgroup_sync_peer = cg[1];
        child.cgroupns = (clone_flags & CLONE_NEWCGROUP) != 0;
        clone_flags &= ~(unsigned long)CLONE_NEWCGROUP;
    }
    child.spec = &shim.spec;
    child.stdio[0] = in[0];
    child.stdio[1] = out[0][1];
    child.stdio[2] = out[1][1];
    child.console_sock = sock[1];
    child.exec_pipe = exec_pipe[1];
    child.userns_sock = -1;
    if ((shim.spec.clone_flags & CLONE_NEWUSER) &&
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, usock) < 0)
        shim_failf("socketpair: %s", strerror(errno));
    child.userns_sock = usock[1];
    pid = (pid_t)syscall(SYS_clone, clone_flags | SIGCHLD, NULL, NULL, NULL, 0UL);
    if (pid < 0)
        shim_failf("clone: %s", strerror(errno));
    if (pid == 0)
        shim_init_run(&child);

    shim.init_pid = pid;
    if (usock[0] >= 0) {   /* the init waits for its maps before anything else */
        close(usock[1]);
        if (shim_userns_parent(pid, &shim.spec, usock[0], &why) < 0) {
            kill(pid, SIGKILL);
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
            }
            shim_fail(SHIM_EXIT_START_FAILED, why);
        }
        close(usock[0]);
    }
    if (cg[1] >= 0) {
        close(cg[0]);
        if (shim_cgroup_enter(&shim.spec, pid, &why) < 0 || write(cg[1], "g", 1) != 1) {
            close(cg[1]);
            kill(pid, SIGKILL);
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
            }
            shim_fail(SHIM_EXIT_START_FAILED, why ? why : "cannot let the init go on");
        }
        close(cg[1]);
    }
    close(exec_pipe[1]);
    for (i = 0; i < SHIM_NS_COUNT; i++)
        if (child.ns_fd[i] >= 0)
            close(child.ns_fd[i]);
    if (shim.spec.terminal) {
        close(sock[1]);
        shim.out_fd[0] = shim_recv_fd(sock[0]);
        close(sock[0]);
        if (shim.out_fd[0] >= 0) {
            shim_nonblock(shim.out_fd[0]);
            shim.in.fd = shim.spec.stdin_open ? fcntl(shim.out_fd[0], F_DUPFD_CLOEXEC, 0) : -1;
        }
    } else {
        close(in[0]);
        shim.in.fd = in[1];
        close(out[0][1]);
        close(out[1][1]);
        shim.out_fd[0] = out[0][0];
        shim.out_fd[1] = out[1][0];
        shim_nonblock(shim.out_fd[0]);
        shim_nonblock(shim.out_fd[1]);
        if (shim.in.fd >= 0)
            shim_nonblock(shim.in.fd);
    }
    shim_wait_exec(exec_pipe[0], pid);
    if (shim.spec.terminal && shim.out_fd[0] < 0)
        shim_failf("no terminal from the container");
    shim.started = shim_now();
    shim_write_pid("init.pid", pid);
    shim_report("ok %d", (int)pid);
    shim_trim();
    shim_loop();
}
