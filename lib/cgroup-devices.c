/* lib/cgroup-devices.c - device rules on v1 (devices.allow/deny) and v2 (an eBPF device
 * program); see cgroup-devices.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cgroup-devices.h"

#define DEV_ACC_MKNOD 1 /* BPF_DEVCG_ACC_* */
#define DEV_ACC_READ 2
#define DEV_ACC_WRITE 4
#define DEV_TYPE_BLOCK 1 /* BPF_DEVCG_DEV_* */
#define DEV_TYPE_CHAR 2
#define DEV_PROG_QUERY_MAX 64

static unsigned int
dev_access_bits(const char *access)
{
    unsigned int bits = 0;

    for (; *access; access++)
        bits |= *access == 'r' ? DEV_ACC_READ : *access == 'w' ? DEV_ACC_WRITE
                                                                : *access == 'm' ? DEV_ACC_MKNOD
                                                                                 : 0;
    return bits;
}

static void
dev_access_string(unsigned int bits, char out[4])
{
    size_t n = 0;

    if (bits & DEV_ACC_READ)
        out[n++] = 'r';
    if (bits & DEV_ACC_WRITE)
        out[n++] = 'w';
    if (bits & DEV_ACC_MKNOD)
        out[n++] = 'm';
    out[n] = '\0';
}

/* ---- reduction (the v1 kernel's dev_exception_add / _rm) ----------------------------- */

void
cgroup_devices_reduce(const struct cgroup_device_rule *rules, size_t n,
                      struct cgroup_devices_list *out)
{
    size_t i, k;

    out->default_allow = true;   /* a new cgroup allows everything until told otherwise */
    out->n = 0;
    for (i = 0; i < n; i++) {
        const struct cgroup_device_rule *r = &rules[i];
        unsigned int bits = dev_access_bits(r->access);
        bool found = false;

        if (r->type == 'a') {   /* all devices: a new default, no exceptions */
            out->default_allow = r->allow;
            out->n = 0;
            continue;
        }
        for (k = 0; k < out->n; k++) {
            struct cgroup_device_rule *e = &out->except[k];

            if (e->type != r->type || e->major != r->major || e->minor != r->minor)
                continue;
            found = true;
            if (r->allow == out->default_allow)   /* back to the default: bits leave it */
                bits = dev_access_bits(e->access) & ~bits;
            else
                bits |= dev_access_bits(e->access);
            dev_access_string(bits, e->access);
            if (bits == 0) {
                memmove(e, e + 1, (out->n - k - 1) * sizeof *e);
                out->n--;
            }
            break;
        }
        if (!found && r->allow != out->default_allow && bits && out->n < CGROUP_DEVICES_MAX) {
            out->except[out->n] = *r;
            dev_access_string(bits, out->except[out->n].access);
            out->n++;
        }
    }
}

static bool
dev_matches(const struct cgroup_device_rule *e, bool default_allow, char type, unsigned int major,
            unsigned int minor, unsigned int bits)
{
    unsigned int have = dev_access_bits(e->access);

    if (e->type != type || (e->major >= 0 && (unsigned int)e->major != major) ||
        (e->minor >= 0 && (unsigned int)e->minor != minor))
        return false;
    /* an allowed exception must cover all that is asked; a denied one any of it */
    return default_allow ? (bits & have) != 0 : (bits & ~have) == 0;
}

bool
cgroup_devices_allows(const struct cgroup_devices_list *list, char type, unsigned int major,
                      unsigned int minor, const char *access)
{
    unsigned int bits = dev_access_bits(access);
    size_t k;

    for (k = 0; k < list->n; k++)
        if (dev_matches(&list->except[k], list->default_allow, type, major, minor, bits))
            return !list->default_allow;
    return list->default_allow;
}

/* ---- the program ------------------------------------------------------------------------ */

static struct bpf_insn
dev_insn(unsigned char code, unsigned char dst, unsigned char src, short off, int imm)
{
    struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };

    return i;
}

#define LDX_W(dst, src, off) dev_insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV64_REG(dst, src) dev_insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) dev_insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND32_IMM(dst, imm) dev_insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH32_IMM(dst, imm) dev_insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) dev_insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) dev_insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT() dev_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* r2: access bits, r3: device type, r4: major, r5: minor; r1 is scratch once loaded.
 * Each exception is a block of tests that jump past the block when it does not match,
 * ending in "return verdict". */
size_t
cgroup_devices_program(const struct cgroup_devices_list *list, struct bpf_insn *insns)
{
    size_t n = 0, k;

    insns[n++] = LDX_W(2, 1, 0);   /* access_type */
    insns[n++] = LDX_W(4, 1, 4);   /* major */
    insns[n++] = LDX_W(5, 1, 8);   /* minor */
    insns[n++] = MOV64_REG(3, 2);
    insns[n++] = AND32_IMM(3, 0xffff);
    insns[n++] = RSH32_IMM(2, 16);
    for (k = 0; k < list->n; k++) {
        const struct cgroup_device_rule *e = &list->except[k];
        unsigned int have = dev_access_bits(e->access);
        struct bpf_insn block[9];
        size_t b = 0, j;
        int tests[9];
        size_t ntests = 0;

        tests[ntests++] = (int)b;
        block[b++] = JNE_IMM(3, e->type == 'b' ? DEV_TYPE_BLOCK : DEV_TYPE_CHAR, 0);
        if (have != (DEV_ACC_READ | DEV_ACC_WRITE | DEV_ACC_MKNOD) || list->default_allow) {
            block[b++] = MOV64_REG(1, 2);
            if (list->default_allow) {   /* a denial: it matches when any asked bit is in it */
                block[b++] = AND32_IMM(1, (int)have);
                tests[ntests++] = (int)b;
                block[b++] = JEQ_IMM(1, 0, 0);
            } else {                     /* an allowance: when it covers all that is asked */
                block[b++] = AND32_IMM(1, (int)(~have & 7));
                tests[ntests++] = (int)b;
                block[b++] = JNE_IMM(1, 0, 0);
            }
        }
        if (e->major >= 0) {
            tests[ntests++] = (int)b;
            block[b++] = JNE_IMM(4, (int)e->major, 0);
        }
        if (e->minor >= 0) {
            tests[ntests++] = (int)b;
            block[b++] = JNE_IMM(5, (int)e->minor, 0);
        }
        block[b++] = MOV64_IMM(0, list->default_allow ? 0 : 1);
        block[b++] = EXIT();
        for (j = 0; j < ntests; j++)   /* past the block: to the instruction after it */
            block[tests[j]].off = (short)(b - (size_t)tests[j] - 1);
        memcpy(insns + n, block, b * sizeof *block);
        n += b;
    }
    insns[n++] = MOV64_IMM(0, list->default_allow ? 1 : 0);
    insns[n++] = EXIT();
    return n;
}

/* ---- v1 ----------------------------------------------------------------------------------- */

int
cgroup_devices_apply_v1(const struct cgroup_host *h, const char *path,
                        const struct cgroup_resources *r, dctl_error_t *err)
{
    const struct cgroup_hier *hi = cgroup_host_hier(h, CGROUP_DEVICES);
    size_t i;

    if (hi == NULL)
        return 0;
    for (i = 0; i < r->ndevices; i++) {
        const struct cgroup_device_rule *d = &r->devices[i];
        char p[PATH_MAX], line[64], maj[24], min[24];
        int fd;
        ssize_t w;

        if (cgroup_file_path(h, hi, path, d->allow ? "devices.allow" : "devices.deny", p,
                             sizeof p) < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "cgroup: devices of %s", path);
        if (d->type == 'a') {
            snprintf(line, sizeof line, "a");
        } else {
            snprintf(maj, sizeof maj, d->major < 0 ? "*" : "%lld", (long long)d->major);
            snprintf(min, sizeof min, d->minor < 0 ? "*" : "%lld", (long long)d->minor);
            snprintf(line, sizeof line, "%c %s:%s %s", d->type, maj, min, d->access);
        }
        fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0)
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "cgroup: open %s", p);
        w = write(fd, line, strlen(line));
        close(fd);
        if (w < 0)
            return dctl_error_set(err, errno == EINVAL ? DCTL_ERR_INVALID : DCTL_ERR_INTERNAL,
                                  errno, "cgroup: write \"%s\" to %s", line, p);
    }
    return 0;
}

/* ---- v2 ----------------------------------------------------------------------------------- */

static long
dev_bpf(int cmd, union bpf_attr *attr)
{
    return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int
cgroup_devices_apply_v2(const struct cgroup_host *h, const char *path,
                        const struct cgroup_resources *r, dctl_error_t *err)
{
    const struct cgroup_hier *hi = cgroup_host_hier(h, 0);
    static struct cgroup_devices_list list;   /* large: not on the shim's small stack */
    static struct bpf_insn insns[CGROUP_DEVICES_INSNS_MAX];
    static const char license[] = "Apache";
    __u32 old[DEV_PROG_QUERY_MAX];
    union bpf_attr attr;
    char dir[PATH_MAX], log[512] = "";
    size_t n, i;
    __u32 nold = 0;
    int cfd, pfd;

    if (hi == NULL || cgroup_file_path(h, hi, path, NULL, dir, sizeof dir) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "cgroup: devices of %s", path);
    cgroup_devices_reduce(r->devices, r->ndevices, &list);
    n = cgroup_devices_program(&list, insns);
    cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cfd < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "cgroup: open %s", dir);
    /* what is attached now, detached once the new program is in */
    memset(&attr, 0, sizeof attr);
    attr.query.target_fd = (__u32)cfd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (__u64)(uintptr_t)old;
    attr.query.prog_cnt = DEV_PROG_QUERY_MAX;
    if (dev_bpf(BPF_PROG_QUERY, &attr) == 0)
        nold = attr.query.prog_cnt;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (__u64)(uintptr_t)insns;
    attr.insn_cnt = (__u32)n;
    attr.license = (__u64)(uintptr_t)license;
    pfd = (int)dev_bpf(BPF_PROG_LOAD, &attr);
    if (pfd < 0 && errno != EPERM && errno != ENOSYS) {   /* again, for the verifier's why */
        int e = errno;

        attr.log_buf = (__u64)(uintptr_t)log;
        attr.log_size = sizeof log;
        attr.log_level = 1;
        dev_bpf(BPF_PROG_LOAD, &attr);
        log[sizeof log - 1] = '\0';
        errno = e;
    }
    if (pfd < 0) {
        int e = errno;

        close(cfd);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "cgroup: load the device filter%s%s",
                              *log ? ": " : "", log);
    }
    if (h->fake) {   /* a test tree is no cgroup to attach to: loaded (verified) is all */
        close(pfd);
        close(cfd);
        return 0;
    }
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (__u32)cfd;
    attr.attach_bpf_fd = (__u32)pfd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (dev_bpf(BPF_PROG_ATTACH, &attr) < 0) {
        int e = errno;

        close(pfd);
        close(cfd);
        return dctl_error_set(err, DCTL_ERR_INTERNAL, e, "cgroup: attach the device filter to %s",
                              dir);
    }
    close(pfd);   /* the attachment keeps the program */
    for (i = 0; i < nold && i < DEV_PROG_QUERY_MAX; i++) {
        int ofd;

        memset(&attr, 0, sizeof attr);
        attr.prog_id = old[i];
        ofd = (int)dev_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (ofd < 0)
            continue;
        memset(&attr, 0, sizeof attr);
        attr.target_fd = (__u32)cfd;
        attr.attach_bpf_fd = (__u32)ofd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        dev_bpf(BPF_PROG_DETACH, &attr);
        close(ofd);
    }
    close(cfd);
    return 0;
}
