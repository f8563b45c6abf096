/* daemon/host.c - facts about the host, read from the kernel and /etc. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "daemon/host.h"
#include "lib/util.h"

const char *
host_goarch(const char *machine)
{
    static const struct { const char *m, *go; } map[] = {
        { "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "386" }, { "i386", "386" },
        { "armv7l", "arm" }, { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
        { "riscv64", "riscv64" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(map); i++)
        if (strcmp(machine, map[i].m) == 0)
            return map[i].go;
    return machine;
}

static void
host_read_os_release(struct host_facts *f)
{
    cleanup_file FILE *fp = fopen("/etc/os-release", "re");
    char line[512];

    snprintf(f->os_name, sizeof f->os_name, "Linux");
    if (fp == NULL)
        fp = fopen("/usr/lib/os-release", "re");
    if (fp == NULL)
        return;
    while (fgets(line, sizeof line, fp)) {
        char *v = strchr(line, '='), *dst;
        size_t size, n;

        if (v == NULL)
            continue;
        *v++ = '\0';
        if (strcmp(line, "PRETTY_NAME") == 0) {
            dst = f->os_name;
            size = sizeof f->os_name;
        } else if (strcmp(line, "VERSION_ID") == 0) {
            dst = f->os_version;
            size = sizeof f->os_version;
        } else {
            continue;
        }
        v[strcspn(v, "\n")] = '\0';
        n = strlen(v);
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
            v[n - 1] = '\0';
            v++;
        }
        snprintf(dst, size, "%s", v);
    }
}

void
host_facts_read(struct host_facts *f)
{
    struct utsname u;
    cleanup_file FILE *mi = NULL;
    char line[256];

    memset(f, 0, sizeof *f);
    if (uname(&u) == 0) {
        snprintf(f->kernel, sizeof f->kernel, "%s", u.release);
        snprintf(f->machine, sizeof f->machine, "%s", u.machine);
        snprintf(f->hostname, sizeof f->hostname, "%s", u.nodename);
    }
    snprintf(f->arch, sizeof f->arch, "%s", host_goarch(f->machine));
    host_read_os_release(f);
    f->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    mi = fopen("/proc/meminfo", "re");
    while (mi && fgets(line, sizeof line, mi)) {
        long long kb;

        if (sscanf(line, "MemTotal: %lld kB", &kb) == 1) {
            f->mem_total = kb * 1024;
            break;
        }
    }
}
