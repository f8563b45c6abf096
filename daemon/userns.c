/* daemon/userns.c - --userns-remap: the setting resolved against passwd and group, the
 * `dctl` user and its subordinate ranges made for "default", the ID map built from
 * subuid and subgid, and the remapped data root (see userns.h). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/userns.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* useradd --system's range on Debian (SYS_UID_MIN..SYS_UID_MAX), taken from the top */
#define USERNS_SYS_ID_MIN 100
#define USERNS_SYS_ID_MAX 999

struct userns_etc {
    const char *dir;
};

static char *
userns_path(const struct userns_etc *etc, const char *file)
{
    return xasprintf("%s/%s", etc->dir, file);
}

/* The text of etc/file; NULL (no error) when it does not exist. */
static int
userns_read(const struct userns_etc *etc, const char *file, char **text, dctl_error_t *err)
{
    cleanup_free char *path = userns_path(etc, file);
    dctl_error_t rerr = NULL;

    *text = file_read_all(AT_FDCWD, path, NULL, &rerr);
    if (*text)
        return 0;
    if (rerr->kind == DCTL_ERR_NOT_FOUND) {
        dctl_error_free(rerr);
        return 0;
    }
    *err = rerr;
    return -1;
}

static bool
userns_parse_id(const char *s, uint32_t *out)
{
    unsigned long long v = 0;
    const char *p;

    if (*s == '\0' || strlen(s) > 10)
        return false;
    for (p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    /* dockerd's strconv.ParseInt(s, 10, 32) */
    if (v > 0x7fffffffULL)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* The entry of a passwd or group text whose name (by_id false) or third field (by_id)
 * matches: its name into name[len], its third (and for passwd fourth) field. */
static bool
userns_find(const char *text, bool by_id, const char *want_name, uint32_t want_id,
            char *name, size_t len, uint32_t *id, uint32_t *gid)
{
    cleanup_free char *copy = xstrdup(text ? text : "");
    char *save = NULL, *line;

    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[4] = { NULL };
        char *p = line;
        int n = 0;
        uint32_t v, g = 0;

        if (*line == '#' || *line == '\0')
            continue;
        while (n < 4) {
            f[n++] = p;
            p = strchr(p, ':');
            if (p == NULL)
                break;
            *p++ = '\0';
        }
        if (n < 3 || !userns_parse_id(f[2], &v))
            continue;
        if (n == 4) {
            char *colon = strchr(f[3], ':');

            if (colon)
                *colon = '\0';
            if (!userns_parse_id(f[3], &g))
                g = 0;
        }
        if (by_id ? v == want_id : strcmp(f[0], want_name) == 0) {
            snprintf(name, len, "%s", f[0]);
            *id = v;
            if (gid)
                *gid = g;
            return true;
        }
    }
    return false;
}

static bool
userns_id_used(const char *text, uint32_t id)
{
    char name[8];
    uint32_t v;

    return userns_find(text, true, NULL, id, name, sizeof name, &v, NULL);
}

/* Appends line (with its "\n") to etc/file atomically, keeping the file's mode and
 * owner. A missing file is created with mode 0644 when create, else left alone. */
static int
userns_append(const struct userns_etc *etc, const char *file, const char *line, bool create,
              dctl_error_t *err)
{
    cleanup_free char *path = userns_path(etc, file), *text = NULL, *out = NULL;
    struct stat st = { .st_mode = S_IFREG | 0644 };
    bool exists;

    if (userns_read(etc, file, &text, err) < 0)
        return -1;
    exists = text != NULL;
    if (!exists && !create)
        return 0;
    if (exists && stat(path, &st) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", path);
    out = xasprintf("%s%s%s", text ? text : "",
                    text && *text && text[strlen(text) - 1] != '\n' ? "\n" : "", line);
    if (file_write_atomic(AT_FDCWD, path, out, strlen(out), st.st_mode & 07777, err) < 0)
        return dctl_error_prefix(err, "userns-remap");
    /* the temporary file was made with our umask and owner: put the old ones back */
    if (chmod(path, st.st_mode & 07777) < 0 ||
        (exists && chown(path, st.st_uid, st.st_gid) < 0))
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "set the owner of %s", path);
    return 0;
}

/* The highest ID of the system range that neither text uses. */
static int
userns_pick_id(const char *a, const char *b, const char *what, uint32_t *out,
               dctl_error_t *err)
{
    uint32_t id;

    for (id = USERNS_SYS_ID_MAX; id >= USERNS_SYS_ID_MIN; id--)
        if (!userns_id_used(a, id) && (b == NULL || !userns_id_used(b, id))) {
            *out = id;
            return 0;
        }
    return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                          "Error during \"%s\" user creation: no free %s in %d-%d",
                          USERNS_DEFAULT_NAME, what, USERNS_SYS_ID_MIN, USERNS_SYS_ID_MAX);
}

/* dockerd's AddNamespaceRangesUser for `dctl`: a system user and group when missing
 * (the group first: it is the user's), then ranges in subuid and subgid. Each step
 * checks what is there, so an interrupted run is completed by the next. */
static int
userns_create_default(const struct userns_etc *etc, dctl_error_t *err)
{
    cleanup_free char *passwd = NULL, *group = NULL, *line = NULL;
    dctl_error_t perr = NULL;
    char name[256];
    uint32_t uid, gid;
    long days = (long)(time(NULL) / 86400);

    if (userns_read(etc, "passwd", &passwd, err) < 0 || userns_read(etc, "group", &group, err) < 0)
        return -1;
    if (!userns_find(group, false, USERNS_DEFAULT_NAME, 0, name, sizeof name, &gid, NULL)) {
        if (userns_pick_id(group, NULL, "gid", &gid, err) < 0)
            return -1;
        /* the uid and gid alike when both are free, as useradd does */
        if (!userns_find(passwd, false, USERNS_DEFAULT_NAME, 0, name, sizeof name, &uid, NULL) &&
            userns_pick_id(passwd, group, "uid", &uid, &perr) == 0)
            gid = uid;
        dctl_error_free(perr);
        line = xasprintf("%s:x:%u:\n", USERNS_DEFAULT_NAME, (unsigned int)gid);
        if (userns_append(etc, "group", line, true, err) < 0)
            return -1;
        free(line);
        line = xasprintf("%s:!::\n", USERNS_DEFAULT_NAME);
        if (userns_append(etc, "gshadow", line, false, err) < 0)
            return -1;
        log_info("userns: created group %s (gid %u) in %s/group", USERNS_DEFAULT_NAME,
                 (unsigned int)gid, etc->dir);
    }
    if (!userns_find(passwd, false, USERNS_DEFAULT_NAME, 0, name, sizeof name, &uid, NULL)) {
        uid = gid;
        if (userns_id_used(passwd, uid) && userns_pick_id(passwd, NULL, "uid", &uid, err) < 0)
            return -1;
        free(line);
        line = xasprintf("%s:x:%u:%u:dctl user namespace remapping:/nonexistent:"
                         "/usr/sbin/nologin\n", USERNS_DEFAULT_NAME, (unsigned int)uid,
                         (unsigned int)gid);
        if (userns_append(etc, "passwd", line, true, err) < 0)
            return -1;
        free(line);
        line = xasprintf("%s:!*:%ld::::::\n", USERNS_DEFAULT_NAME, days);
        if (userns_append(etc, "shadow", line, false, err) < 0)
            return -1;
        log_info("userns: created user %s (uid %u) in %s/passwd", USERNS_DEFAULT_NAME,
                 (unsigned int)uid, etc->dir);
    }
    return 0;
}

/* Gives `dctl` IDMAP_DEFAULT_COUNT IDs in file (subuid or subgid) when it has none. */
static int
userns_add_ranges(const struct userns_etc *etc, const char *file, uint32_t id,
                  dctl_error_t *err)
{
    cleanup_free char *text = NULL, *path = userns_path(etc, file), *line = NULL;
    struct idmap_range mine[IDMAP_RANGES_MAX];
    cleanup_free struct idmap_range *all = NULL;
    size_t n = 0, nall = 0, lines = 0;
    uint32_t start;
    const char *p;

    if (userns_read(etc, file, &text, err) < 0)
        return -1;
    if (idmap_subid_parse(text, path, USERNS_DEFAULT_NAME, id, mine, IDMAP_RANGES_MAX, &n,
                          err) < 0)
        return dctl_error_prefix(err, "Error during \"%s\" user creation", USERNS_DEFAULT_NAME);
    if (n > 0)
        return 0;
    for (p = text ? text : ""; *p; p++)
        lines += *p == '\n';
    all = xmalloc((lines + 2) * sizeof *all);
    if (idmap_subid_parse(text, path, NULL, 0, all, lines + 2, &nall, err) < 0 ||
        idmap_next_free(all, nall, IDMAP_DEFAULT_START, IDMAP_DEFAULT_COUNT, &start, err) < 0)
        return dctl_error_prefix(err, "Error during \"%s\" user creation", USERNS_DEFAULT_NAME);
    line = xasprintf("%s:%u:%u\n", USERNS_DEFAULT_NAME, (unsigned int)start,
                     IDMAP_DEFAULT_COUNT);
    if (userns_append(etc, file, line, true, err) < 0)
        return -1;
    log_info("userns: gave %s the subordinate IDs %u-%u in %s", USERNS_DEFAULT_NAME,
             (unsigned int)start, (unsigned int)(start + IDMAP_DEFAULT_COUNT - 1), path);
    return 0;
}

/* dockerd's parseRemappedRoot: the user and group names the setting stands for. */
static int
userns_parse_setting(const struct userns_etc *etc, const char *setting, struct userns_remap *r,
                     uint32_t *uid, dctl_error_t *err)
{
    cleanup_free char *copy = xstrdup(setting), *passwd = NULL, *group = NULL;
    char *gpart = strchr(copy, ':');
    uint32_t id, gid;
    bool is_default;

    if (gpart) {
        *gpart++ = '\0';
        if (strchr(gpart, ':'))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Invalid user/group specification in --userns-remap: \"%s\"",
                                  setting);
    }
    if (*copy == '\0' || (gpart && *gpart == '\0'))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Invalid user/group specification in --userns-remap: \"%s\"",
                              setting);
    is_default = strcmp(copy, "default") == 0;
    if (is_default && userns_create_default(etc, err) < 0)
        return -1;
    if (userns_read(etc, "passwd", &passwd, err) < 0 || userns_read(etc, "group", &group, err) < 0)
        return -1;
    if (userns_parse_id(copy, &id)) {
        if (!userns_find(passwd, true, NULL, id, r->user, sizeof r->user, uid, NULL))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Uid %u has no entry in %s/passwd: no matching entries in "
                                  "passwd file", (unsigned int)id, etc->dir);
        if (gpart == NULL &&
            !userns_find(group, true, NULL, id, r->group, sizeof r->group, &gid, NULL))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Gid %u has no entry in %s/group: no matching entries in "
                                  "group file", (unsigned int)id, etc->dir);
    } else {
        const char *lookup = is_default ? USERNS_DEFAULT_NAME : copy;

        if (!userns_find(passwd, false, lookup, 0, r->user, sizeof r->user, uid, NULL))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Error during uid lookup for \"%s\": no matching entries in "
                                  "passwd file %s/passwd", lookup, etc->dir);
        if (gpart == NULL &&
            !userns_find(group, false, lookup, 0, r->group, sizeof r->group, &gid, NULL))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Error during gid lookup for \"%s\": no matching entries in "
                                  "group file %s/group", lookup, etc->dir);
    }
    if (gpart && userns_parse_id(gpart, &id)) {
        if (!userns_find(group, true, NULL, id, r->group, sizeof r->group, &gid, NULL))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "Gid %u has no entry in %s/group: no matching entries in "
                                  "group file", (unsigned int)id, etc->dir);
    } else if (gpart &&
               !userns_find(group, false, gpart, 0, r->group, sizeof r->group, &gid, NULL)) {
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Error during groupname lookup for \"%s\": no matching entries in "
                              "group file %s/group", gpart, etc->dir);
    }
    if (is_default) {   /* ranges only once the user exists: they may go by its uid */
        if (userns_add_ranges(etc, "subuid", *uid, err) < 0 ||
            userns_add_ranges(etc, "subgid", *uid, err) < 0)
            return -1;
    }
    return 0;
}

/* The user's ranges in etc/file (subuid or subgid) as the map's half. */
static int
userns_load_ranges(const struct userns_etc *etc, const char *file, const char *user,
                   uint32_t uid, struct idmap_range *out, size_t *n, dctl_error_t *err)
{
    cleanup_free char *text = NULL, *path = userns_path(etc, file);

    if (userns_read(etc, file, &text, err) < 0 ||
        idmap_subid_parse(text, path, user, uid, out, IDMAP_RANGES_MAX, n, err) < 0 ||
        idmap_build(out, *n, out, err) < 0)
        return dctl_error_prefix(err, "Can't create ID mappings");
    if (*n == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Can't create ID mappings: no %s ranges found for user \"%s\" "
                              "in %s", file, user, path);
    return 0;
}

int
userns_remap_resolve(const char *setting, const char *etc_dir, struct userns_remap *out,
                     dctl_error_t *err)
{
    struct userns_etc etc = { .dir = etc_dir && *etc_dir ? etc_dir : "/etc" };
    struct userns_remap r;
    uint32_t uid = 0;

    memset(&r, 0, sizeof r);
    if (userns_parse_setting(&etc, setting, &r, &uid, err) < 0)
        return -1;
    if (strcmp(r.user, "root") == 0) {
        log_warn("userns: root cannot be remapped with itself; user namespaces are OFF");
        return 0;
    }
    if (userns_load_ranges(&etc, "subuid", r.user, uid, r.map.uid, &r.map.nuid, err) < 0 ||
        userns_load_ranges(&etc, "subgid", r.user, uid, r.map.gid, &r.map.ngid, err) < 0)
        return -1;
    if (!idmap_root(&r.map, &r.root_uid, &r.root_gid))   /* idmap_build starts at 0 */
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "Can't create ID mappings: container root is not mapped");
    snprintf(r.name, sizeof r.name, "%s:%s", r.user, r.group);
    log_info("userns: ID ranges will be mapped to subuid/subgid ranges of %s (root is %u:%u)",
             r.user, (unsigned int)r.root_uid, (unsigned int)r.root_gid);
    *out = r;
    return 1;
}

/* dockerd's canAccess: may uid/gid pass through (search) the directory? */
static bool
userns_can_pass(const struct stat *st, uint32_t uid, uint32_t gid)
{
    if (st->st_mode & 0001)
        return true;
    if (st->st_uid == uid && (st->st_mode & 0100))
        return true;
    return st->st_gid == gid && (st->st_mode & 0010);
}

int
userns_check_path(const char *data_root, const struct userns_remap *r, dctl_error_t *err)
{
    cleanup_free char *dir = xstrdup(data_root);
    char *slash;

    /* data_root itself is made 0711; what is above it is the administrator's */
    while ((slash = strrchr(dir, '/')) != NULL) {
        struct stat st;

        *slash = '\0';
        if (*dir == '\0')
            break;
        if (stat(dir, &st) < 0) {
            if (errno == ENOENT)
                continue;   /* made 0711 by mkdir -p */
            return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "stat %s", dir);
        }
        if (!userns_can_pass(&st, r->root_uid, r->root_gid))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "a subdirectory in your graphroot path (%s/%u.%u) restricts "
                                  "access to the remapped root uid/gid; please fix by allowing "
                                  "'o+x' permissions on existing directories (%s is mode %o)",
                                  data_root, (unsigned int)r->root_uid,
                                  (unsigned int)r->root_gid, dir,
                                  (unsigned int)(st.st_mode & 07777));
    }
    return 0;
}

char *
userns_data_root(const char *data_root, const struct userns_remap *r, dctl_error_t *err)
{
    cleanup_free char *root = xasprintf("%s/%u.%u", data_root, (unsigned int)r->root_uid,
                                        (unsigned int)r->root_gid);

    /* the containers' root must pass through the data root to reach their files */
    if (chmod(data_root, 0711) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "chmod %s", data_root);
        return NULL;
    }
    if (mkdir(root, 0710) < 0 && errno != EEXIST) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "Cannot create daemon root: %s", root);
        return NULL;
    }
    if (chown(root, 0, r->root_gid) < 0 || chmod(root, 0710) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno,
                       "could not create or set daemon root permissions: %s", root);
        return NULL;
    }
    return steal_ptr(&root);
}
