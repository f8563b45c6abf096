/* tests/helpers/fake-exec.c - a TEST DOUBLE of an exec driver, named "fake", built only
 * for `make check` (never installed). It implements struct dctl_exec_ops with plain
 * fork/exec on the host so that the container manager's state machine, logs, wait,
 * attach and restore can be tested before (and independently of) the native driver:
 *
 *   - no namespaces, no pivot_root, no mounts: process.args run on the HOST with the
 *     spec's env, in ROOT/cwd when that directory exists (else in ROOT, else /);
 *   - a small monitor process per container (double-forked, so it outlives dctld like
 *     dctl-shim) holds the command's stdout/stderr pipes (or a pty with "terminal"),
 *     writes Docker's json-file log to dctl.log.path (with maxSize/maxFile rotation),
 *     serves the attach protocol of docs/containers.md on attach.sock, and writes
 *     exit.json when the command ends; when the command's process ends the monitor
 *     kills what is left of its process group, as the end of a PID namespace would;
 *   - run-time files under RUN_DIR/ID as the native driver keeps them (config.json,
 *     shim.pid, init.pid, attach.sock, exit.json).
 *
 * Everything here is deliberately simple and is not a security boundary. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include <dctl/driver.h>

#define FAKE_LINE_MAX (16 * 1024)
#define FAKE_CLIENTS 16

struct fake_watch {
    struct fake *f;
    char id[80];
    int pidfd;
    struct event *ev;
    dctl_exit_cb cb;
    void *arg;
    struct fake_watch *next;
};

struct fake {
    const struct dctl_host *host;
    char *run_dir;
    struct fake_watch *watches;
    char errbuf[512];
    struct dctl_option status[2];
};

static int
fake_err(const struct dctl_host *h, dctl_error_t *err, enum dctl_error_kind kind, int errnum,
         const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    h->error_set(err, kind, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

static char *
fake_path(struct fake *f, const char *id, const char *name)
{
    char *p = NULL;

    if (asprintf(&p, "%s/%s%s%s", f->run_dir, id, name ? "/" : "", name ? name : "") < 0)
        abort();
    return p;
}

static char *
fake_read(const char *path)
{
    FILE *fp = fopen(path, "re");
    char *buf;
    long n;

    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

static int
fake_write_atomic(const char *path, const char *text)
{
    char tmp[4200];
    int fd;
    size_t len = strlen(text);

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    fsync(fd);
    close(fd);
    return rename(tmp, path);
}

static void
fake_rm_rf(const char *dir)
{
    static const char *const names[] = { "config.json", "shim.pid", "init.pid", "attach.sock",
                                         "exit.json", "exit.json.tmp", "shim.pid.tmp",
                                         "init.pid.tmp" };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[4200];

        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* ---- the monitor (runs in its own process after the double fork) ------------------ */

struct mon_client {
    int fd;
    bool in, out, err;
};

struct mon {
    char **args, **env;
    char *cwd, *log_path;
    bool tty, stdin_open, stdin_once;
    long long max_size;
    int max_file;
    int out_fd, err_fd, in_fd;   /* our ends; out_fd is the pty master with a tty */
    pid_t child;
    int logfd;
    long long log_size;
    char obuf[FAKE_LINE_MAX], ebuf[FAKE_LINE_MAX];
    size_t olen, elen;
    struct mon_client clients[FAKE_CLIENTS];
    int lfd;
    char *dir;
    /* TTY output written before anyone attached (a prompt), for the first attacher */
    char early[4096];
    size_t nearly;
    bool attached_once;
    long long started;
};

static long long
mon_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
mon_time(long long ns, char *buf, size_t len)
{
    time_t s = (time_t)(ns / 1000000000LL);
    struct tm tm;
    char base[32];

    gmtime_r(&s, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%09lldZ", base, ns % 1000000000LL);
}

static void
mon_rotate(struct mon *m)
{
    int i;

    if (m->max_file <= 1) {
        if (ftruncate(m->logfd, 0) == 0)
            lseek(m->logfd, 0, SEEK_SET);
        m->log_size = 0;
        return;
    }
    close(m->logfd);
    for (i = m->max_file - 1; i >= 1; i--) {
        char from[4200], to[4200];

        if (i == 1)
            snprintf(from, sizeof from, "%s", m->log_path);
        else
            snprintf(from, sizeof from, "%s.%d", m->log_path, i - 1);
        snprintf(to, sizeof to, "%s.%d", m->log_path, i);
        rename(from, to);
    }
    m->logfd = open(m->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    m->log_size = 0;
}

/* One json-file entry: {"log":"...","stream":"...","time":"..."}. */
static void
mon_log(struct mon *m, const char *stream, const char *data, size_t len, bool newline)
{
    char *line = malloc(len * 6 + 128), *p = line, t[64];
    size_t i;

    if (m->logfd < 0 || line == NULL) {
        free(line);
        return;
    }
    p += sprintf(p, "{\"log\":\"");
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)data[i];

        if (ch == '"' || ch == '\\')
            p += sprintf(p, "\\%c", ch);
        else if (ch == '\n')
            p += sprintf(p, "\\n");
        else if (ch == '\r')
            p += sprintf(p, "\\r");
        else if (ch == '\t')
            p += sprintf(p, "\\t");
        else if (ch < 0x20 || ch == 0x7f)
            p += sprintf(p, "\\u%04x", ch);
        else
            *p++ = (char)ch;
    }
    mon_time(mon_now(), t, sizeof t);
    p += sprintf(p, "%s\",\"stream\":\"%s\",\"time\":\"%s\"}\n", newline ? "\\n" : "", stream, t);
    if (m->max_size > 0 && m->log_size + (p - line) > m->max_size && m->log_size > 0)
        mon_rotate(m);
    if (write(m->logfd, line, (size_t)(p - line)) > 0)
        m->log_size += p - line;
    free(line);
}

static int
mon_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void
mon_forward(struct mon *m, int stream, const char *data, size_t len)
{
    int i;

    for (i = 0; i < FAKE_CLIENTS; i++) {
        struct mon_client *c = &m->clients[i];
        unsigned char hdr[8] = { (unsigned char)stream, 0, 0, 0, (unsigned char)(len >> 24),
                                 (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                                 (unsigned char)len };

        if (c->fd < 0 || (stream == 1 && !c->out) || (stream == 2 && !c->err))
            continue;
        if ((!m->tty && mon_write_all(c->fd, hdr, sizeof hdr) < 0) ||
            mon_write_all(c->fd, data, len) < 0) {   /* the attacher left */
            close(c->fd);
            c->fd = -1;
        }
    }
}

static void
mon_output(struct mon *m, int stream, const char *data, size_t len, bool eof)
{
    if (m->tty && !m->attached_once && len) {
        size_t n = len < sizeof m->early - m->nearly ? len : sizeof m->early - m->nearly;

        memcpy(m->early + m->nearly, data, n);
        m->nearly += n;
    }
    char *buf = stream == 2 ? m->ebuf : m->obuf;
    size_t *blen = stream == 2 ? &m->elen : &m->olen;
    const char *name = stream == 2 ? "stderr" : "stdout";
    size_t i;

    if (len)
        mon_forward(m, stream, data, len);
    for (i = 0; i < len; i++) {
        if (data[i] == '\n') {
            mon_log(m, name, buf, *blen, true);
            *blen = 0;
            continue;
        }
        buf[(*blen)++] = data[i];
        if (*blen == FAKE_LINE_MAX) {   /* cut at 16 KiB, without "\n", as Docker */
            mon_log(m, name, buf, *blen, false);
            *blen = 0;
        }
    }
    if (eof && *blen) {
        mon_log(m, name, buf, *blen, false);
        *blen = 0;
    }
}

static void
mon_accept(struct mon *m)
{
    int fd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC), i;
    char line[256];
    size_t n = 0;

    if (fd < 0)
        return;
    /* the request line, byte by byte (the client sends it first) */
    while (n < sizeof line - 1) {
        ssize_t r = read(fd, line + n, 1);

        if (r <= 0)
            break;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    if (strncmp(line, "resize ", 7) == 0) {
        struct winsize ws = { 0 };
        unsigned int rows = 0, cols = 0;

        if (sscanf(line + 7, "%u %u", &rows, &cols) == 2 && m->tty) {
            ws.ws_row = (unsigned short)rows;
            ws.ws_col = (unsigned short)cols;
            ioctl(m->out_fd, TIOCSWINSZ, &ws);
            mon_write_all(fd, "ok\n", 3);
        } else {
            mon_write_all(fd, "error the container has no TTY\n", 31);
        }
        close(fd);
        return;
    }
    if (strncmp(line, "attach ", 7) != 0) {
        close(fd);
        return;
    }
    for (i = 0; i < FAKE_CLIENTS; i++) {
        if (m->clients[i].fd < 0) {
            m->clients[i].fd = fd;
            m->clients[i].in = strstr(line + 7, "stdin") != NULL;
            m->clients[i].out = strstr(line + 7, "stdout") != NULL;
            m->clients[i].err = strstr(line + 7, "stderr") != NULL;
            if (m->tty && m->clients[i].out && !m->attached_once) {
                m->attached_once = true;
                mon_write_all(fd, m->early, m->nearly);
            }
            return;
        }
    }
    close(fd);
}

static void
mon_client_input(struct mon *m, struct mon_client *c)
{
    char buf[4096];
    ssize_t r = read(c->fd, buf, sizeof buf);

    if (r > 0) {
        if (c->in && m->in_fd >= 0)
            mon_write_all(m->in_fd, buf, (size_t)r);
        return;
    }
    /* EOF: the client half-closed or left */
    if (c->in && m->stdin_once && m->in_fd >= 0 && !m->tty) {
        close(m->in_fd);
        m->in_fd = -1;
    }
    if (!c->out && !c->err) {
        close(c->fd);
        c->fd = -1;
    } else {
        c->in = false;   /* keep sending output; stop reading */
    }
}

static void
mon_write_exit(struct mon *m, int code, const char *error)
{
    char path[4200], text[1024], s[64], e[64];

    mon_time(m->started, s, sizeof s);
    mon_time(mon_now(), e, sizeof e);
    snprintf(text, sizeof text,
             "{\"exitCode\":%d,\"oomKilled\":false,\"startedAt\":\"%s\","
             "\"finishedAt\":\"%s\"%s%s%s}",
             code, s, e, error ? ",\"error\":\"" : "", error ? error : "", error ? "\"" : "");
    snprintf(path, sizeof path, "%s/exit.json", m->dir);
    fake_write_atomic(path, text);
}

static int
mon_run(struct mon *m, int report)
{
    int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 }, ex[2], status = 0;
    int master = -1, slave = -1, sfd, i, code;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    sigset_t mask;
    bool out_open, err_open, exited = false;
    char buf[8192], msg[600];
    ssize_t r;

    for (i = 0; i < FAKE_CLIENTS; i++)
        m->clients[i].fd = -1;
    m->logfd = m->log_path ? open(m->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)
                           : -1;
    if (m->logfd >= 0) {
        struct stat st;

        if (fstat(m->logfd, &st) == 0)
            m->log_size = st.st_size;
    }
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s/attach.sock", m->dir);
    unlink(sun.sun_path);
    m->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m->lfd < 0 || bind(m->lfd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
        listen(m->lfd, 16) < 0) {
        dprintf(report, "error attach socket: %s\n", strerror(errno));
        return 1;
    }
    if (m->tty) {
        if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
            dprintf(report, "error openpty: %s\n", strerror(errno));
            return 1;
        }
        fcntl(master, F_SETFD, FD_CLOEXEC);
    } else if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
               pipe2(in, O_CLOEXEC) < 0) {
        dprintf(report, "error pipe: %s\n", strerror(errno));
        return 1;
    }
    if (pipe2(ex, O_CLOEXEC) < 0)
        return 1;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    m->started = mon_now();
    m->child = fork();
    if (m->child == 0) {
        extern char **environ;

        sigprocmask(SIG_UNBLOCK, &mask, NULL);
        if (m->tty) {
            setsid();
            ioctl(slave, TIOCSCTTY, 0);
            dup2(slave, 0);
            dup2(slave, 1);
            dup2(slave, 2);
        } else {
            setpgid(0, 0);
            if (m->stdin_open) {
                dup2(in[0], 0);
            } else {
                int null = open("/dev/null", O_RDONLY);

                dup2(null, 0);
            }
            dup2(out[1], 1);
            dup2(errp[1], 2);
        }
        if (chdir(m->cwd) < 0 && chdir("/") < 0)
            _exit(126);
        environ = m->env;
        signal(SIGPIPE, SIG_DFL);
        execvp(m->args[0], m->args);
        code = errno == ENOENT ? 127 : 126;
        if (errno == ENOENT && strchr(m->args[0], '/') == NULL)
            dprintf(ex[1], "%d exec: \"%s\": executable file not found in $PATH", code,
                    m->args[0]);
        else
            dprintf(ex[1], "%d exec: \"%s\": %s", code, m->args[0], strerror(errno));
        _exit(code);
    }
    close(ex[1]);
    if (slave >= 0)
        close(slave);
    if (out[1] >= 0)
        close(out[1]);
    if (errp[1] >= 0)
        close(errp[1]);
    if (in[0] >= 0)
        close(in[0]);
    r = read(ex[0], msg, sizeof msg - 1);
    close(ex[0]);
    if (r > 0) {   /* the exec failed */
        char *sp;

        msg[r] = '\0';
        code = atoi(msg);
        sp = strchr(msg, ' ');
        waitpid(m->child, NULL, 0);
        mon_write_exit(m, code, sp ? sp + 1 : msg);
        dprintf(report, "error %s\n", sp ? sp + 1 : msg);
        return 0;
    }
    {
        char p[4200], t[32];

        snprintf(p, sizeof p, "%s/init.pid", m->dir);
        snprintf(t, sizeof t, "%d\n", (int)m->child);
        fake_write_atomic(p, t);
    }
    dprintf(report, "ok %d\n", (int)m->child);
    close(report);
    m->out_fd = m->tty ? master : out[0];
    m->err_fd = m->tty ? -1 : errp[0];
    m->in_fd = m->tty ? (m->stdin_open ? master : -1) : (m->stdin_open ? in[1] : -1);
    if (!m->tty && !m->stdin_open && in[1] >= 0)
        close(in[1]);
    out_open = true;
    err_open = m->err_fd >= 0;
    while (out_open || err_open || !exited) {
        struct pollfd pf[4 + FAKE_CLIENTS];
        int n = 0, k;

        pf[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
        pf[n++] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
        pf[n++] = (struct pollfd){ .fd = out_open ? m->out_fd : -1, .events = POLLIN };
        pf[n++] = (struct pollfd){ .fd = err_open ? m->err_fd : -1, .events = POLLIN };
        for (k = 0; k < FAKE_CLIENTS; k++)
            pf[n++] = (struct pollfd){ .fd = m->clients[k].fd >= 0 &&
                                                     (m->clients[k].in ||
                                                      (!m->clients[k].out && !m->clients[k].err))
                                                 ? m->clients[k].fd : -1,
                                       .events = POLLIN };
        if (poll(pf, (nfds_t)n, -1) < 0 && errno != EINTR)
            break;
        if (pf[0].revents) {
            struct signalfd_siginfo si;

            while (read(sfd, &si, sizeof si) > 0)
                ;
            if (!exited && waitpid(m->child, &status, WNOHANG) == m->child) {
                exited = true;
                /* the command's end is the container's: the rest of its group goes */
                kill(-m->child, SIGKILL);
            }
        }
        if (pf[1].revents)
            mon_accept(m);
        for (k = 2; k <= 3; k++) {
            if (!pf[k].revents)
                continue;
            r = read(pf[k].fd, buf, sizeof buf);
            if (r > 0) {
                mon_output(m, k == 2 ? 1 : 2, buf, (size_t)r, false);
            } else if (r == 0 || errno != EINTR) {
                mon_output(m, k == 2 ? 1 : 2, "", 0, true);
                if (k == 2)
                    out_open = false;
                else
                    err_open = false;
            }
        }
        for (k = 0; k < FAKE_CLIENTS; k++)
            if (m->clients[k].fd >= 0 && pf[4 + k].fd >= 0 && pf[4 + k].revents)
                mon_client_input(m, &m->clients[k]);
        if (exited && m->tty && out_open) {
            /* a pty master reads EIO once the last slave is gone; drain what is there */
            while ((r = read(m->out_fd, buf, sizeof buf)) > 0)
                mon_output(m, 1, buf, (size_t)r, false);
            mon_output(m, 1, "", 0, true);
            out_open = false;
        }
    }
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    mon_write_exit(m, code, NULL);
    for (i = 0; i < FAKE_CLIENTS; i++)
        if (m->clients[i].fd >= 0)
            close(m->clients[i].fd);
    return 0;
}

/* ---- the driver -------------------------------------------------------------------- */

static int
fake_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
          dctl_error_t *err)
{
    struct fake *f = calloc(1, sizeof *f);

    (void)options;
    (void)err;
    f->host = host;
    f->run_dir = strdup(host->run_dir);
    mkdir(f->run_dir, 0700);
    f->status[0].key = "Test double";
    f->status[0].value = "runs commands on the host without isolation";
    *priv = f;
    return 0;
}

static void
fake_fini(void *priv)
{
    struct fake *f = priv;
    struct fake_watch *w, *next;

    if (f == NULL)
        return;
    for (w = f->watches; w; w = next) {
        next = w->next;
        event_free(w->ev);
        close(w->pidfd);
        free(w);
    }
    free(f->run_dir);
    free(f);
}

static const struct dctl_option *
fake_status(void *priv)
{
    return ((struct fake *)priv)->status;
}

static int
fake_create(void *priv, const char *id, const char *spec, dctl_error_t *err)
{
    struct fake *f = priv;
    char *dir = fake_path(f, id, NULL), *cfg = fake_path(f, id, "config.json");
    int rc = 0;

    fake_rm_rf(dir);
    if (mkdir(dir, 0700) < 0 || fake_write_atomic(cfg, spec) < 0)
        rc = fake_err(f->host, err, DCTL_ERR_INTERNAL, errno, "create %s", dir);
    free(dir);
    free(cfg);
    return rc;
}

static char **
fake_strv(struct json_object *a)
{
    size_t n = a ? json_object_array_length(a) : 0, i;
    char **v = calloc(n + 1, sizeof *v);

    for (i = 0; i < n; i++)
        v[i] = strdup(json_object_get_string(json_object_array_get_idx(a, i)));
    return v;
}

static struct json_object *
fake_member(struct json_object *o, const char *path)
{
    char buf[128], *save = NULL, *part;
    struct json_object *v = o;

    snprintf(buf, sizeof buf, "%s", path);
    for (part = strtok_r(buf, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(v, part, &v))
            return NULL;
    return v;
}

static int
fake_start(void *priv, const char *id, int *pid, dctl_error_t *err)
{
    struct fake *f = priv;
    char *dir = fake_path(f, id, NULL), *cfg = fake_path(f, id, "config.json");
    char *text = fake_read(cfg), line[700] = "", *cwdp = NULL;
    struct json_object *spec = text ? json_tokener_parse(text) : NULL;
    struct mon m = { 0 };
    const char *root, *cwd;
    int rep[2], rc = -1;
    pid_t mid;
    FILE *fp;

    if (spec == NULL) {
        fake_err(f->host, err, DCTL_ERR_INTERNAL, 0, "no spec for %s", id);
        goto out;
    }
    m.args = fake_strv(fake_member(spec, "process.args"));
    m.env = fake_strv(fake_member(spec, "process.env"));
    if (m.args[0] == NULL) {
        fake_err(f->host, err, DCTL_ERR_INVALID, 0, "no command");
        goto out;
    }
    root = json_object_get_string(fake_member(spec, "root.path"));
    cwd = json_object_get_string(fake_member(spec, "process.cwd"));
    if (asprintf(&cwdp, "%s%s", root ? root : "", cwd ? cwd : "/") < 0)
        abort();
    {
        struct stat st;

        if (stat(cwdp, &st) < 0 || !S_ISDIR(st.st_mode)) {
            free(cwdp);
            cwdp = strdup(root ? root : "/");
        }
    }
    m.cwd = cwdp;
    m.tty = json_object_get_boolean(fake_member(spec, "process.terminal"));
    m.stdin_open = json_object_get_boolean(fake_member(spec, "dctl.stdin"));
    m.stdin_once = json_object_get_boolean(fake_member(spec, "dctl.stdinOnce"));
    if (strcmp(json_object_get_string(fake_member(spec, "dctl.log.driver")) ?: "", "none") != 0)
        m.log_path = (char *)json_object_get_string(fake_member(spec, "dctl.log.path"));
    m.max_size = json_object_get_int64(fake_member(spec, "dctl.log.maxSize"));
    m.max_file = (int)json_object_get_int64(fake_member(spec, "dctl.log.maxFile"));
    m.dir = dir;
    {
        char *e = fake_path(f, id, "exit.json");

        unlink(e);
        free(e);
    }
    if (pipe2(rep, O_CLOEXEC) < 0) {
        fake_err(f->host, err, DCTL_ERR_INTERNAL, errno, "pipe");
        goto out;
    }
    mid = fork();
    if (mid < 0) {
        fake_err(f->host, err, DCTL_ERR_INTERNAL, errno, "fork");
        close(rep[0]);
        close(rep[1]);
        goto out;
    }
    if (mid == 0) {   /* the double fork: the monitor is re-parented to init */
        pid_t g;
        int i, null;
        sigset_t none;

        close(rep[0]);
        setsid();
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (i = 1; i < NSIG; i++)
            signal(i, SIG_DFL);
        signal(SIGPIPE, SIG_IGN);   /* an attacher that leaves must not kill the monitor */
        g = fork();
        if (g != 0)
            _exit(g < 0 ? 1 : 0);
        null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        for (i = 3; i < 1024; i++)
            if (i != rep[1])
                close(i);
        {
            char p[4200], t[32];

            snprintf(p, sizeof p, "%s/shim.pid", dir);
            snprintf(t, sizeof t, "%d\n", (int)getpid());
            fake_write_atomic(p, t);
        }
        _exit(mon_run(&m, rep[1]));
    }
    close(rep[1]);
    waitpid(mid, NULL, 0);
    fp = fdopen(rep[0], "r");
    if (fp == NULL || fgets(line, sizeof line, fp) == NULL) {
        fake_err(f->host, err, DCTL_ERR_INTERNAL, 0, "the monitor of %.12s died", id);
        if (fp)
            fclose(fp);
        else
            close(rep[0]);
        goto out;
    }
    fclose(fp);
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "ok ", 3) == 0) {
        *pid = atoi(line + 3);
        rc = 0;
    } else {
        fake_err(f->host, err, DCTL_ERR_INVALID, 0, "%s",
                 strncmp(line, "error ", 6) == 0 ? line + 6 : line);
    }
out:
    if (m.args) {
        char **p;

        for (p = m.args; *p; p++)
            free(*p);
        free(m.args);
    }
    if (m.env) {
        char **p;

        for (p = m.env; *p; p++)
            free(*p);
        free(m.env);
    }
    if (spec)
        json_object_put(spec);
    free(cwdp);
    free(text);
    free(dir);
    free(cfg);
    return rc;
}

static int
fake_read_pid(struct fake *f, const char *id, const char *name)
{
    char *p = fake_path(f, id, name), *t = fake_read(p);
    int pid = t ? atoi(t) : 0;

    free(p);
    free(t);
    return pid;
}

static bool
fake_alive(int pid)
{
    char p[64], buf[512], *s;
    int fd;
    ssize_t r;

    if (pid <= 0 || kill(pid, 0) < 0)
        return false;
    /* a zombie is not alive */
    snprintf(p, sizeof p, "/proc/%d/stat", pid);
    fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return false;
    buf[r] = '\0';
    s = strrchr(buf, ')');
    return s && s[2] != 'Z';
}

static long long
fake_parse_time(const char *s)
{
    struct tm tm = { 0 };
    const char *p;
    long long frac = 0;
    int digits = 0;

    if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
        return 0;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            frac = frac * 10 + (*p - '0');
    while (digits++ < 9)
        frac *= 10;
    return (long long)timegm(&tm) * 1000000000LL + frac;
}

/* exit.json into st (error copied into f->errbuf). 0, or -1 when there is none. */
static int
fake_exit_read(struct fake *f, const char *id, struct dctl_exit_status *st)
{
    char *p = fake_path(f, id, "exit.json"), *t = fake_read(p);
    struct json_object *o = t ? json_tokener_parse(t) : NULL, *v;

    free(p);
    free(t);
    memset(st, 0, sizeof *st);
    if (o == NULL)
        return -1;
    if (json_object_object_get_ex(o, "exitCode", &v))
        st->exit_code = json_object_get_int(v);
    if (json_object_object_get_ex(o, "startedAt", &v))
        st->started_at = fake_parse_time(json_object_get_string(v));
    if (json_object_object_get_ex(o, "finishedAt", &v))
        st->finished_at = fake_parse_time(json_object_get_string(v));
    if (json_object_object_get_ex(o, "error", &v)) {
        snprintf(f->errbuf, sizeof f->errbuf, "%s", json_object_get_string(v));
        st->error = f->errbuf;
    }
    json_object_put(o);
    return 0;
}

static void
fake_watch_free(struct fake_watch *w)
{
    struct fake_watch **pp;

    for (pp = &w->f->watches; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    event_free(w->ev);
    if (w->pidfd >= 0)
        close(w->pidfd);
    free(w);
}

static void
fake_watch_cb(evutil_socket_t fd, short what, void *arg)
{
    struct fake_watch *w = arg;
    struct dctl_exit_status st;
    dctl_exit_cb cb = w->cb;
    void *cbarg = w->arg;
    char id[80];
    int i;

    (void)fd;
    (void)what;
    snprintf(id, sizeof id, "%s", w->id);
    /* the monitor writes exit.json before it exits: it is there now */
    for (i = 0; i < 100 && fake_exit_read(w->f, id, &st) < 0; i++)
        usleep(1000);
    if (i == 100) {
        memset(&st, 0, sizeof st);
        st.exit_code = 255;
        st.error = "shim died";
    }
    fake_watch_free(w);
    cb(cbarg, id, &st);
}

static int
fake_watch(void *priv, const char *id, dctl_exit_cb cb, void *arg, dctl_error_t *err)
{
    struct fake *f = priv;
    struct fake_watch *w = calloc(1, sizeof *w);
    int mpid = fake_read_pid(f, id, "shim.pid");

    snprintf(w->id, sizeof w->id, "%s", id);
    w->f = f;
    w->cb = cb;
    w->arg = arg;
    w->pidfd = mpid > 0 ? (int)syscall(SYS_pidfd_open, mpid, 0) : -1;
    if (w->pidfd >= 0) {
        w->ev = event_new(f->host->event_base, w->pidfd, EV_READ, fake_watch_cb, w);
        event_add(w->ev, NULL);
    } else {   /* gone already: report at once, from the loop */
        w->ev = event_new(f->host->event_base, -1, 0, fake_watch_cb, w);
        event_active(w->ev, EV_TIMEOUT, 0);
    }
    w->next = f->watches;
    f->watches = w;
    (void)err;
    return 0;
}

static int
fake_kill(void *priv, const char *id, int signo, dctl_error_t *err)
{
    struct fake *f = priv;
    int pid = fake_read_pid(f, id, "init.pid");
    char *e = fake_path(f, id, "exit.json");
    bool ended = access(e, F_OK) == 0;

    free(e);
    if (ended || !fake_alive(pid))
        return fake_err(f->host, err, DCTL_ERR_CONFLICT, 0, "container %.12s is not running",
                        id);
    if (kill(pid, signo) < 0)
        return fake_err(f->host, err, DCTL_ERR_INTERNAL, errno, "kill %d", pid);
    return 0;
}

static int
fake_restore(void *priv, const char *id, int *pid, struct dctl_exit_status *st,
             dctl_error_t *err)
{
    struct fake *f = priv;
    int mpid = fake_read_pid(f, id, "shim.pid");
    char *dir = fake_path(f, id, NULL);
    struct stat sb;
    bool have = stat(dir, &sb) == 0;

    free(dir);
    *pid = 0;
    if (!have)
        return fake_err(f->host, err, DCTL_ERR_NOT_FOUND, 0, "no state for %.12s", id);
    if (fake_alive(mpid) && fake_exit_read(f, id, st) < 0) {
        *pid = fake_read_pid(f, id, "init.pid");
        return 0;
    }
    if (fake_exit_read(f, id, st) < 0) {
        st->exit_code = 255;
        st->error = "shim died";
    }
    return 0;
}

static int
fake_connect(struct fake *f, const char *id, const char *request, dctl_error_t *err)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    char *p = fake_path(f, id, "attach.sock");
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", p);
    free(p);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        if (fd >= 0)
            close(fd);
        return fake_err(f->host, err, DCTL_ERR_CONFLICT, errno,
                        "container %.12s is not running", id);
    }
    if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        close(fd);
        return fake_err(f->host, err, DCTL_ERR_INTERNAL, errno, "attach %.12s", id);
    }
    return fd;
}

static int
fake_attach(void *priv, const char *id, const char *request, dctl_error_t *err)
{
    int fd = fake_connect(priv, id, request, err);

    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int
fake_resize(void *priv, const char *id, unsigned int rows, unsigned int cols,
            dctl_error_t *err)
{
    struct fake *f = priv;
    char req[64], reply[128] = "";
    int fd;
    ssize_t r;

    snprintf(req, sizeof req, "resize %u %u\n", rows, cols);
    fd = fake_connect(f, id, req, err);
    if (fd < 0)
        return -1;
    r = read(fd, reply, sizeof reply - 1);
    close(fd);
    if (r > 0)
        reply[r] = '\0';
    if (strncmp(reply, "ok", 2) != 0)
        return fake_err(f->host, err, DCTL_ERR_CONFLICT, 0, "%s",
                        strncmp(reply, "error ", 6) == 0 ? strtok(reply + 6, "\n")
                                                         : "resize failed");
    return 0;
}

static int
fake_remove(void *priv, const char *id, dctl_error_t *err)
{
    struct fake *f = priv;
    int mpid = fake_read_pid(f, id, "shim.pid"), ipid = fake_read_pid(f, id, "init.pid");
    char *dir = fake_path(f, id, NULL);
    struct fake_watch *w, *next;

    (void)err;
    for (w = f->watches; w; w = next) {
        next = w->next;
        if (strcmp(w->id, id) == 0)
            fake_watch_free(w);
    }
    if (fake_alive(ipid))
        kill(-ipid, SIGKILL), kill(ipid, SIGKILL);
    if (fake_alive(mpid))
        kill(mpid, SIGKILL);
    fake_rm_rf(dir);
    free(dir);
    return 0;
}

static const struct dctl_exec_ops fake_ops = {
    .size = sizeof fake_ops,
    .init = fake_init,
    .fini = fake_fini,
    .status = fake_status,
    .create = fake_create,
    .start = fake_start,
    .watch = fake_watch,
    .kill = fake_kill,
    .restore = fake_restore,
    .attach = fake_attach,
    .resize = fake_resize,
    .remove = fake_remove,
};

DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = DCTL_DRIVER_ABI_MAJOR,
    .abi_minor = DCTL_DRIVER_ABI_MINOR,
    .kind = DCTL_DRIVER_EXEC,
    .name = "fake",
    .version = "test double",
    .ops = &fake_ops,
};
