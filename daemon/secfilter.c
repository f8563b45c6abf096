/* daemon/secfilter.c - OCI seccomp objects compiled to BPF with libseccomp, cached (see
 * secfilter.h; runc: libcontainer/seccomp/seccomp_linux.go does the same compile when it
 * loads a filter). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "daemon/secfilter.h"
#include "daemon/secprofile.h"
#include "lib/digest.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define SECFILTER_MAX_ENTRIES 64

struct secfilter_entry {
    struct secfilter_entry *next;
    char key[DIGEST_SHA256_HEX_LEN + 1];
    char *oci;   /* the OCI object's text; NULL: no filter */
    char *path;
    unsigned int flags;
};

struct secfilter_cache {
    pthread_mutex_t lock; /* guards everything below */
    char *dir;
    char builtin_digest[DIGEST_STRING_MAX]; /* of the default profile's text; "" until known */
    struct secfilter_entry *entries;        /* most recently added first */
    size_t n;
};

struct secfilter_cache *
secfilter_cache_new(const char *dir)
{
    struct secfilter_cache *c = xcalloc(1, sizeof *c);

    pthread_mutex_init(&c->lock, NULL);
    c->dir = xstrdup(dir);
    return c;
}

static void
secfilter_entry_free(struct secfilter_entry *e)
{
    free(e->oci);
    free(e->path);
    free(e);
}

void
secfilter_cache_free(struct secfilter_cache *c)
{
    struct secfilter_entry *e;

    if (c == NULL)
        return;
    while ((e = c->entries) != NULL) {
        c->entries = e->next;
        secfilter_entry_free(e);
    }
    pthread_mutex_destroy(&c->lock);
    free(c->dir);
    free(c);
}

/* ---- compiling ---------------------------------------------------------------------- */

static int
secfilter_action(const char *name, struct json_object *errno_ret, uint32_t *out,
                 dctl_error_t *err)
{
    /* runc: an errno or trace rule without errnoRet answers EPERM */
    uint16_t e = errno_ret ? (uint16_t)json_object_get_int64(errno_ret) : EPERM;

    if (name == NULL)
        name = "";
    if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        *out = SCMP_ACT_ALLOW;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        *out = SCMP_ACT_ERRNO(e);
    else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        *out = SCMP_ACT_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        *out = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        *out = SCMP_ACT_TRAP;
    else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        *out = SCMP_ACT_TRACE(e);
    else if (strcmp(name, "SCMP_ACT_LOG") == 0)
        *out = SCMP_ACT_LOG;
    else
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid seccomp profile: string %s is not a valid action for "
                              "seccomp", name);
    return 0;
}

static int
secfilter_op(const char *name, enum scmp_compare *out)
{
    static const struct {
        const char *name;
        enum scmp_compare op;
    } ops[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
    };
    size_t i;

    for (i = 0; name && i < ARRAY_SIZE(ops); i++)
        if (strcmp(name, ops[i].name) == 0) {
            *out = ops[i].op;
            return 0;
        }
    return -1;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token, 0 when unknown */
static uint32_t
secfilter_arch(const char *name)
{
    char lower[32];
    size_t i;

    if (name == NULL || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof lower)
        return 0;
    for (i = 0; name[10 + i]; i++)
        lower[i] = (char)tolower((unsigned char)name[10 + i]);
    lower[i] = '\0';
    return seccomp_arch_resolve_name(lower);
}

/* Does this kernel run x32 programs? Asked once, in a child (a process under a filter
 * without x32 would be killed by the question). A filter for a kernel without x32 leaves
 * its section out: a third fewer instructions, and the kernel's load of a filter costs
 * about half a microsecond per instruction here. x32 calls are then killed by the
 * filter's bad-architecture action rather than refused by the kernel with ENOSYS. */
static bool
secfilter_host_has_x32(void)
{
#if defined(__x86_64__)
    static int known = -1;   /* -1 unknown, 0 no, 1 yes; benign race: same answer */
    int k = __atomic_load_n(&known, __ATOMIC_RELAXED), st;
    pid_t pid;

    if (k >= 0)
        return k == 1;
    pid = fork();
    if (pid == 0)
        _exit(syscall(0x40000000 /* __X32_SYSCALL_BIT */ | SYS_getpid) < 0 && errno == ENOSYS
                  ? 0 : 1);
    k = 1;   /* when in doubt, keep the section */
    if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        k = 0;
    __atomic_store_n(&known, k, __ATOMIC_RELAXED);
    return k == 1;
#else
    return true;
#endif
}

/* One syscall entry's rules for syscall nr. Arguments naming one index twice become one
 * rule each (either may match), as runc does; otherwise all must match. */
static int
secfilter_add_rule(scmp_filter_ctx ctx, const char *name, int nr, uint32_t action,
                   struct json_object *args, dctl_error_t *err)
{
    struct scmp_arg_cmp cmp[6];
    size_t n = args ? json_object_array_length(args) : 0, i, k;
    bool repeated = false;
    int rc;

    if (n > 6)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "invalid seccomp profile: syscall %s: more than 6 arguments", name);
    for (i = 0; i < n; i++) {
        struct json_object *a = json_object_array_get_idx(args, i);
        enum scmp_compare op;

        if (secfilter_op(json_get_string(a, "op"), &op) < 0)
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid seccomp profile: string %s is not a valid operator "
                                  "for seccomp", json_get_string(a, "op") ? json_get_string(a, "op") : "");
        cmp[i].arg = (unsigned int)json_get_int64(a, "index", 0);
        cmp[i].op = op;
        cmp[i].datum_a = json_object_get_uint64(json_object_object_get(a, "value"));
        cmp[i].datum_b = json_object_get_uint64(json_object_object_get(a, "valueTwo"));
        for (k = 0; k < i; k++)
            repeated |= cmp[k].arg == cmp[i].arg;
    }
    for (i = 0; i < (repeated ? n : 1); i++) {
        rc = repeated ? seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i])
                      : seccomp_rule_add_array(ctx, action, nr, (unsigned int)n, cmp);
        /* -EACCES: the default action already; -EEXIST: the same rule twice */
        if (rc < 0 && rc != -EACCES && rc != -EEXIST)
            return dctl_error_set(err, DCTL_ERR_INVALID, -rc,
                                  "invalid seccomp profile: adding a rule for syscall %s failed",
                                  name);
    }
    return 0;
}

void
secfilter_result_fini(struct secfilter_result *r)
{
    free(r->oci);
    free(r->bpf_path);
    memset(r, 0, sizeof *r);
}

int
secfilter_compile(struct json_object *oci, int fd, dctl_error_t *err)
{
    struct json_object *arches = json_object_object_get(oci, "architectures");
    struct json_object *calls = json_object_object_get(oci, "syscalls");
    scmp_filter_ctx ctx;
    uint32_t dflt;
    size_t i, k;
    int rc = -1;

    if (secfilter_action(json_get_string(oci, "defaultAction"),
                         json_object_object_get(oci, "defaultErrnoRet"), &dflt, err) < 0)
        return -1;
    ctx = seccomp_init(dflt);
    if (ctx == NULL)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "seccomp_init failed");
    /* a binary tree of syscall numbers: fewer instructions run per syscall */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (i = 0; arches && i < json_object_array_length(arches); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(arches, i));
        uint32_t a = secfilter_arch(name);
        int r;

        if (a == 0) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0,
                           "invalid seccomp profile: string %s is not a valid arch for seccomp",
                           name ? name : "");
            goto out;
        }
        if (a == SCMP_ARCH_X32 && !secfilter_host_has_x32())
            continue;
        r = seccomp_arch_add(ctx, a);
        if (r < 0 && r != -EEXIST) {
            dctl_error_set(err, DCTL_ERR_INVALID, -r,
                           "invalid seccomp profile: adding architecture %s failed", name);
            goto out;
        }
    }
    for (i = 0; calls && i < json_object_array_length(calls); i++) {
        struct json_object *c = json_object_array_get_idx(calls, i);
        struct json_object *names = json_object_object_get(c, "names");
        uint32_t action;

        if (secfilter_action(json_get_string(c, "action"), json_object_object_get(c, "errnoRet"),
                             &action, err) < 0)
            goto out;
        for (k = 0; names && k < json_object_array_length(names); k++) {
            const char *name = json_object_get_string(json_object_array_get_idx(names, k));
            int nr = name && *name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;

            if (nr == __NR_SCMP_ERROR)
                continue;   /* unknown to this libseccomp: runc skips it too */
            if (secfilter_add_rule(ctx, name, nr, action, json_object_object_get(c, "args"),
                                   err) < 0)
                goto out;
        }
    }
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, -rc, "exporting the seccomp filter failed");
        rc = -1;
        goto out;
    }
    rc = 0;
out:
    seccomp_release(ctx);
    return rc;
}

unsigned int
secfilter_load_flags(struct json_object *oci)
{
    struct json_object *flags = json_object_object_get(oci, "flags");
    unsigned int out = 0;
    size_t i;

    for (i = 0; flags && i < json_object_array_length(flags); i++) {
        const char *f = json_object_get_string(json_object_array_get_idx(flags, i));

        if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
            out |= SECCOMP_FILTER_FLAG_LOG;
        else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
            out |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    }
    return out;
}

/* ---- the cache ------------------------------------------------------------------------- */

/* The cache key: what the filter depends on. */
static void
secfilter_key(const char *profile_digest, uint64_t bounding, char key[DIGEST_SHA256_HEX_LEN + 1])
{
    const struct scmp_version *v = seccomp_version();
    char digest[DIGEST_STRING_MAX];
    unsigned int kmaj, kmin;
    cleanup_free char *text = NULL;

    secprofile_kernel_version(&kmaj, &kmin);
    /* the compiler's own version too: a file of an older dctld may differ */
    text = xasprintf("dctl seccomp 2 %s %s\n%s\n%016llx\n%s\n%u.%u\nlibseccomp %u.%u.%u\n",
                     PACKAGE_VERSION, DCTL_GIT_COMMIT, profile_digest,
                     (unsigned long long)bounding, secprofile_native_arch(), kmaj, kmin,
                     v->major, v->minor, v->micro);
    digest_buffer(text, strlen(text), digest);
    memcpy(key, digest + strlen("sha256:"), DIGEST_SHA256_HEX_LEN);
    key[DIGEST_SHA256_HEX_LEN] = '\0';
}

/* Resolves and compiles into dir/KEY.bpf; the entry (new) or NULL with *err. */
static struct secfilter_entry *
secfilter_build(struct secfilter_cache *c, const char *profile_text, uint64_t bounding,
                const char *key, dctl_error_t *err)
{
    cleanup_json struct json_object *profile = NULL, *oci = NULL;
    cleanup_close int memfd = -1, dfd = -1;
    cleanup_free char *bpf = NULL, *name = NULL;
    struct secfilter_entry *e;
    unsigned int kmaj, kmin;
    struct stat st;
    long long t0 = util_now_ns();

    profile = profile_text ? secprofile_parse(profile_text, err) : secprofile_builtin();
    if (profile == NULL)
        return NULL;
    secprofile_kernel_version(&kmaj, &kmin);
    if (secprofile_resolve(profile, bounding, secprofile_native_arch(), kmaj, kmin, &oci,
                           err) < 0)
        return NULL;
    e = xcalloc(1, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    if (oci == NULL)
        return e;
    e->oci = xstrdup(json_object_to_json_string_ext(oci, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    e->path = xasprintf("%s/%s.bpf", c->dir, key);
    e->flags = secfilter_load_flags(oci);
    if (stat(e->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        return e;   /* compiled by an earlier dctld on this exec root */
    memfd = memfd_create("dctl-seccomp", MFD_CLOEXEC);
    if (memfd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "memfd_create");
        goto fail;
    }
    if (secfilter_compile(oci, memfd, err) < 0)
        goto fail;
    if (fstat(memfd, &st) < 0 || st.st_size <= 0 || st.st_size % 8 != 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "the compiled seccomp filter is empty");
        goto fail;
    }
    bpf = xmalloc((size_t)st.st_size);
    if (pread(memfd, bpf, (size_t)st.st_size, 0) != st.st_size) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "read the compiled seccomp filter");
        goto fail;
    }
    if (file_mkdir_p(c->dir, 0700, err) < 0)
        goto fail;
    dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    name = xasprintf("%s.bpf", key);
    if (dfd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "open %s", c->dir);
        goto fail;
    }
    if (file_write_replace(dfd, name, bpf, (size_t)st.st_size, 0600, err) < 0)
        goto fail;
    log_debug("seccomp filter %.12s: %s profile, caps %016llx, %lld instructions, compiled in "
              "%lld us", key, profile_text ? "a custom" : "the default",
              (unsigned long long)bounding, (long long)st.st_size / 8,
              (util_now_ns() - t0) / 1000);
    return e;
fail:
    secfilter_entry_free(e);
    return NULL;
}

int
secfilter_cache_get(struct secfilter_cache *c, const char *profile_text, uint64_t bounding,
                    struct secfilter_result *out, dctl_error_t *err)
{
    char digest[DIGEST_STRING_MAX], key[DIGEST_SHA256_HEX_LEN + 1];
    struct secfilter_entry *e, **pp;
    struct stat st;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (profile_text)
        digest_buffer(profile_text, strlen(profile_text), digest);
    pthread_mutex_lock(&c->lock);
    if (profile_text == NULL) {
        if (c->builtin_digest[0] == '\0') {   /* once: the default's text is fixed */
            struct json_object *p = secprofile_builtin();
            const char *t = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);

            digest_buffer(t, strlen(t), c->builtin_digest);
            json_object_put(p);
        }
        snprintf(digest, sizeof digest, "%s", c->builtin_digest);
    }
    secfilter_key(digest, bounding, key);
    for (e = c->entries; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            break;
    if (e && e->path && stat(e->path, &st) < 0) {   /* removed meanwhile: build it again */
        for (pp = &c->entries; *pp != e; pp = &(*pp)->next) {
        }
        *pp = e->next;
        secfilter_entry_free(e);
        c->n--;
        e = NULL;
    }
    if (e == NULL) {
        e = secfilter_build(c, profile_text, bounding, key, err);
        if (e == NULL) {
            rc = -1;
            goto out;
        }
        e->next = c->entries;
        c->entries = e;
        if (++c->n > SECFILTER_MAX_ENTRIES) {   /* forget the oldest; its file stays */
            for (pp = &c->entries; (*pp)->next; pp = &(*pp)->next) {
            }
            secfilter_entry_free(*pp);
            *pp = NULL;
            c->n--;
        }
    }
    if (e->oci) {
        out->oci = xstrdup(e->oci);
        out->bpf_path = xstrdup(e->path);
        out->flags = e->flags;
    }
out:
    pthread_mutex_unlock(&c->lock);
    return rc;
}
