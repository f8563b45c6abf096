/* tests/unit/test-storage.c - the vfs and overlay storage drivers, loaded with
 * dlopen from the build tree and driven through their ops with a fake host:
 * three stacked layers that delete and replace files, the merged view, changes,
 * diff round trips (native and naive), a 125-layer stack, error cases, removal
 * and that no mount outlives a test. Runs as root, in a private mount
 * namespace; overlay cases are skipped, saying why, where overlay cannot mount. */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/changes.h"
#include "lib/error.h"
#include "lib/tree.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "tests/unit/fake-host.h"

static char scratch[64]; /* the test run's temporary directory */
static const char *const drivers[] = { "vfs", "overlay" };

/* ---- fixture: every mount under scratch goes, whatever happened ------------- */

/* Mount points under prefix, from /proc/self/mountinfo. */
static size_t
mounts_under(const char *prefix, char ***out)
{
    cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[8192];
    size_t n = 0;

    if (out)
        *out = NULL;
    while (f && fgets(line, sizeof line, f)) {
        char mp[4096];

        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
            continue;
        if (!util_has_prefix(mp, prefix))
            continue;
        if (out) {
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            (*out)[n] = xstrdup(mp);
        }
        n++;
    }
    return n;
}

static void
scratch_setup(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/test-storage-XXXXXX");
    if (mkdtemp(scratch) == NULL)
        abort();
}

static void
scratch_teardown(void)
{
    char **mps;
    size_t n = mounts_under(scratch, &mps), i;
    dctl_error_t err = NULL;

    for (i = n; i-- > 0;) { /* deepest last mounted first */
        umount2(mps[i], MNT_DETACH);
        free(mps[i]);
    }
    free(mps);
    if (tree_remove(scratch, &err) < 0) {
        fprintf(stderr, "test-storage: %s\n", err->msg);
        dctl_error_free(err);
    }
}

/* ---- a loaded driver ----------------------------------------------------------- */

struct drv {
    void *handle;
    const struct dctl_driver *d;
    const struct dctl_storage_ops *ops;
    struct fake_host *fh;
    void *priv;
    char state[128];
};

/* Loads and initialises driver name on a fresh state dir; false (after saying
 * why) when the driver cannot work here, which only overlay may do. */
static bool
drv_open(struct drv *dv, const char *name)
{
    const char *top = getenv("top_builddir");
    cleanup_free char *path = xasprintf("%s/drivers/storage/.libs/%s.so", top ? top : ".", name);
    cleanup_free char *why = NULL;
    dctl_error_t err = NULL;

    memset(dv, 0, sizeof *dv);
    dv->d = fake_host_load(path, DCTL_DRIVER_STORAGE, &dv->handle, &why);
    ck_assert_msg(dv->d != NULL, "%s", why);
    ck_assert_str_eq(dv->d->name, name);
    dv->ops = dv->d->ops;
    ck_assert_uint_ge(dv->ops->size, sizeof *dv->ops);
    snprintf(dv->state, sizeof dv->state, "%s/%s-XXXXXX", scratch, name);
    ck_assert_ptr_nonnull(mkdtemp(dv->state));
    dv->fh = fake_host_new(dv->state, scratch);
    if (dv->ops->init(&dv->fh->host, NULL, &dv->priv, &err) < 0) {
        ck_assert_msg(strcmp(name, "overlay") == 0, "%s init: %s", name, err->msg);
        ck_assert_int_eq(err->kind, DCTL_ERR_UNAVAILABLE);
        fprintf(stderr, "test-storage: overlay cases skipped: %s\n", err->msg);
        dctl_error_free(err);
        fake_host_free(dv->fh);
        dlclose(dv->handle);
        return false;
    }
    return true;
}

static void
drv_close(struct drv *dv)
{
    dctl_error_t err = NULL;

    ck_assert_int_eq(dv->ops->cleanup(dv->priv, &err), 0);
    dv->ops->fini(dv->priv);
    fake_host_free(dv->fh);
    dlclose(dv->handle);
}

/* ---- archives ------------------------------------------------------------------- */

struct ent {
    char type; /* f file, d dir, l symlink */
    const char *name;
    const char *arg;
    long mtime;
};

#define F(n, c) { .type = 'f', .name = (n), .arg = (c) }
#define D(n) { .type = 'd', .name = (n) }
#define L(n, t) { .type = 'l', .name = (n), .arg = (t) }
#define END { .type = 0 }

static int
archive_fd(const struct ent *ents)
{
    struct archive *a = archive_write_new();
    int fd = memfd_create("layer", MFD_CLOEXEC);
    size_t i;

    archive_write_set_format_pax_restricted(a);
    ck_assert_int_eq(archive_write_open_fd(a, fd), ARCHIVE_OK);
    for (i = 0; ents[i].name; i++) {
        struct archive_entry *e = archive_entry_new();
        size_t len = ents[i].type == 'f' && ents[i].arg ? strlen(ents[i].arg) : 0;

        archive_entry_set_pathname(e, ents[i].name);
        archive_entry_set_mtime(e, ents[i].mtime ? ents[i].mtime : 1000000000, 0);
        archive_entry_set_filetype(e, ents[i].type == 'd'   ? AE_IFDIR
                                      : ents[i].type == 'l' ? AE_IFLNK
                                                            : AE_IFREG);
        archive_entry_set_perm(e, ents[i].type == 'd' ? 0755 : 0644);
        if (ents[i].type == 'l')
            archive_entry_set_symlink(e, ents[i].arg);
        archive_entry_set_size(e, len);
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (len)
            archive_write_data(a, ents[i].arg, len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

#define L1 "11"
#define L2 "22"
#define L3 "33"

static const struct ent layer1[] = {
    D("etc"), F("etc/a", "1"), F("etc/b", "b"),
    D("d"),   F("d/x", "x"),   F("d/y", "y"),
    D("bin"), L("bin/sh", "busybox"), F("keep", "k"),
    END,
};
static const struct ent layer2[] = { /* replaces etc/a, deletes etc/b, adds new/ */
    D("etc"),
    { .type = 'f', .name = "etc/a", .arg = "2", .mtime = 1100000000 },
    F("etc/.wh.b", NULL),
    D("new"), F("new/f", "f"),
    END,
};
static const struct ent layer3[] = { /* empties d/, replaces a symlink, deletes new/ */
    D("d"), F("d/.wh..wh..opq", NULL), F("d/z", "z"),
    F("bin/sh", "real"), F(".wh.new", NULL),
    END,
};

static void
layer_make(struct drv *dv, const char *id, const char *parent, const struct ent *ents,
           int64_t want_size)
{
    dctl_error_t err = NULL;
    cleanup_close int fd = archive_fd(ents);
    int64_t size = -1;

    ck_assert_msg(dv->ops->create(dv->priv, id, parent, &err) == 0, "create %s: %s", id,
                  err ? err->msg : "");
    ck_assert(dv->ops->exists(dv->priv, id));
    ck_assert_msg(dv->ops->apply_diff(dv->priv, id, parent, fd, &size, &err) == 0,
                  "apply %s: %s", id, err ? err->msg : "");
    ck_assert_int_eq(size, want_size);
}

static void
stack_make(struct drv *dv)
{
    layer_make(dv, L1, NULL, layer1, 5);
    layer_make(dv, L2, L1, layer2, 2);
    layer_make(dv, L3, L2, layer3, 5);
}

static const char *
read_at(const char *root, const char *name)
{
    static char buf[256];
    cleanup_free char *path = xasprintf("%s/%s", root, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    ssize_t n;

    if (fd < 0)
        return NULL;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

static bool
present(const char *root, const char *name)
{
    cleanup_free char *path = xasprintf("%s/%s", root, name);
    struct stat st;

    return lstat(path, &st) == 0;
}

/* ---- tests ---------------------------------------------------------------------- */

START_TEST(test_storage_stack)
{
    struct drv dv;
    dctl_error_t err = NULL;
    const char *path = NULL, *again = NULL;
    cleanup_free char *sub = NULL;
    const struct dctl_option *st;

    if (!drv_open(&dv, drivers[_i]))
        return;
    st = dv.ops->status(dv.priv);
    ck_assert_ptr_nonnull(st);
    if (strcmp(drivers[_i], "overlay") == 0) {
        ck_assert_str_eq(st[0].key, "Backing Filesystem");
        ck_assert_str_eq(st[3].key, "Native Overlay Diff");
        ck_assert_str_eq(st[3].value, "true");
    } else {
        ck_assert_ptr_null(st[0].key);
    }
    stack_make(&dv);

    ck_assert_int_eq(dv.ops->get(dv.priv, L3, &path, &err), 0);
    ck_assert_int_eq(dv.ops->get(dv.priv, L3, &again, &err), 0); /* counted */
    ck_assert_str_eq(path, again);
    ck_assert_str_eq(read_at(path, "etc/a"), "2");
    ck_assert(!present(path, "etc/b"));
    ck_assert_str_eq(read_at(path, "d/z"), "z");
    ck_assert(!present(path, "d/x"));
    ck_assert(!present(path, "d/y"));
    ck_assert_str_eq(read_at(path, "bin/sh"), "real");
    ck_assert(!present(path, "new"));
    ck_assert_str_eq(read_at(path, "keep"), "k");
    ck_assert(!present(path, "etc/.wh.b"));
    ck_assert(!present(path, ".wh.new"));
    ck_assert_int_eq(dv.ops->put(dv.priv, L3, &err), 0);
    if (strcmp(drivers[_i], "overlay") == 0)
        ck_assert_uint_eq(mounts_under(scratch, NULL), 1); /* still one get */
    ck_assert_int_eq(dv.ops->put(dv.priv, L3, &err), 0);
    ck_assert_uint_eq(mounts_under(scratch, NULL), 0);

    /* The middle layer still shows its own state. */
    ck_assert_int_eq(dv.ops->get(dv.priv, L2, &path, &err), 0);
    ck_assert_str_eq(read_at(path, "new/f"), "f");
    ck_assert_str_eq(read_at(path, "d/x"), "x");
    ck_assert_int_eq(dv.ops->put(dv.priv, L2, &err), 0);

    /* Removal leaves nothing behind but the driver's skeleton. */
    ck_assert_int_eq(dv.ops->remove(dv.priv, L3, &err), 0);
    ck_assert_int_eq(dv.ops->remove(dv.priv, L2, &err), 0);
    ck_assert_int_eq(dv.ops->remove(dv.priv, L1, &err), 0);
    ck_assert(!dv.ops->exists(dv.priv, L1));
    ck_assert_int_eq(dv.ops->remove(dv.priv, L1, &err), 0); /* gone is fine */
    sub = xasprintf("%s/%s", dv.state, strcmp(drivers[_i], "vfs") == 0 ? "dir" : "l");
    {
        cleanup_close int fd = open(sub, O_RDONLY | O_DIRECTORY);
        size_t n = 99;
        char **names = tree_list(fd, &n, &err);

        ck_assert_ptr_nonnull(names);
        ck_assert_uint_eq(n, 0);
        tree_names_free(names);
    }
    drv_close(&dv);
    ck_assert_uint_eq(mounts_under(scratch, NULL), 0);
}
END_TEST

START_TEST(test_storage_changes)
{
    struct drv dv;
    dctl_error_t err = NULL;
    cleanup_free char *c2 = NULL;
    cleanup_free char *c3 = NULL;
    cleanup_free char *c1 = NULL;

    if (!drv_open(&dv, drivers[_i]))
        return;
    stack_make(&dv);
    ck_assert_int_eq(dv.ops->changes(dv.priv, L2, L1, &c2, &err), 0);
    ck_assert_str_eq(c2, "[{\"Path\":\"/etc\",\"Kind\":0},{\"Path\":\"/etc/a\",\"Kind\":0},"
                         "{\"Path\":\"/etc/b\",\"Kind\":2},{\"Path\":\"/new\",\"Kind\":1},"
                         "{\"Path\":\"/new/f\",\"Kind\":1}]");
    ck_assert_int_eq(dv.ops->changes(dv.priv, L3, L2, &c3, &err), 0);
    ck_assert_str_eq(c3, "[{\"Path\":\"/bin\",\"Kind\":0},{\"Path\":\"/bin/sh\",\"Kind\":0},"
                         "{\"Path\":\"/d\",\"Kind\":0},{\"Path\":\"/d/x\",\"Kind\":2},"
                         "{\"Path\":\"/d/y\",\"Kind\":2},{\"Path\":\"/d/z\",\"Kind\":1},"
                         "{\"Path\":\"/new\",\"Kind\":2}]");
    /* Against a layer that is not the parent: a naive comparison. */
    ck_assert_int_eq(dv.ops->changes(dv.priv, L3, L1, &c1, &err), 0);
    ck_assert_str_eq(c1, "[{\"Path\":\"/bin\",\"Kind\":0},{\"Path\":\"/bin/sh\",\"Kind\":0},"
                         "{\"Path\":\"/d\",\"Kind\":0},{\"Path\":\"/d/x\",\"Kind\":2},"
                         "{\"Path\":\"/d/y\",\"Kind\":2},{\"Path\":\"/d/z\",\"Kind\":1},"
                         "{\"Path\":\"/etc\",\"Kind\":0},{\"Path\":\"/etc/a\",\"Kind\":0},"
                         "{\"Path\":\"/etc/b\",\"Kind\":2}]");
    ck_assert_uint_eq(mounts_under(scratch, NULL), 0);
    drv_close(&dv);
}
END_TEST

/* diff(id, parent) applied on a new layer over parent gives id's tree again. */
static void
round_trip(struct drv *dv, const char *id, const char *parent, const char *copy)
{
    dctl_error_t err = NULL;
    cleanup_close int fd = memfd_create("diff", MFD_CLOEXEC);
    const char *a = NULL, *b = NULL;
    struct changes ch = { 0 };

    ck_assert_msg(dv->ops->diff(dv->priv, id, parent, fd, &err) == 0, "diff %s: %s", id,
                  err ? err->msg : "");
    lseek(fd, 0, SEEK_SET);
    ck_assert_int_eq(dv->ops->create(dv->priv, copy, parent, &err), 0);
    ck_assert_msg(dv->ops->apply_diff(dv->priv, copy, parent, fd, NULL, &err) == 0,
                  "apply diff of %s: %s", id, err ? err->msg : "");
    ck_assert_int_eq(dv->ops->get(dv->priv, id, &a, &err), 0);
    ck_assert_int_eq(dv->ops->get(dv->priv, copy, &b, &err), 0);
    ck_assert_int_eq(changes_dirs(b, a, &ch, &err), 0);
    ck_assert_msg(ch.n == 0, "%s on %s: %zu differences, first %s %d", id,
                  parent ? parent : "-", ch.n, ch.n ? ch.v[0].path : "", ch.n ? ch.v[0].kind : 0);
    changes_fini(&ch);
    ck_assert_int_eq(dv->ops->put(dv->priv, copy, &err), 0);
    ck_assert_int_eq(dv->ops->put(dv->priv, id, &err), 0);
    ck_assert_int_eq(dv->ops->remove(dv->priv, copy, &err), 0);
}

START_TEST(test_storage_diff)
{
    struct drv dv;

    if (!drv_open(&dv, drivers[_i]))
        return;
    stack_make(&dv);
    round_trip(&dv, L1, NULL, "c1");
    round_trip(&dv, L2, L1, "c2");
    round_trip(&dv, L3, L2, "c3");
    round_trip(&dv, L3, L1, "c31"); /* naive: not the parent */
    ck_assert_uint_eq(mounts_under(scratch, NULL), 0);
    drv_close(&dv);
}
END_TEST

START_TEST(test_storage_deep)
{
    struct drv dv;
    dctl_error_t err = NULL;
    char id[16], parent[16], name[16], content[16];
    const char *path = NULL;
    int i;

    if (!drv_open(&dv, drivers[_i]))
        return;
    for (i = 0; i < 125; i++) {
        struct ent ents[] = { F(name, content), END };

        snprintf(id, sizeof id, "%x", 0x100 + i);
        snprintf(name, sizeof name, "f%d", i);
        snprintf(content, sizeof content, "%d", i);
        layer_make(&dv, id, i ? parent : NULL, ents, strlen(content));
        memcpy(parent, id, sizeof id);
    }
    if (dv.ops->get(dv.priv, id, &path, &err) < 0) {
        cleanup_free char *text = dctl_error_text(err);

        ck_abort_msg("get of layer 125: %s", text);
    }
    ck_assert_str_eq(read_at(path, "f0"), "0");
    ck_assert_str_eq(read_at(path, "f62"), "62");
    ck_assert_str_eq(read_at(path, "f124"), "124");
    if (strcmp(drivers[_i], "overlay") == 0) {
        ck_assert_uint_eq(mounts_under(scratch, NULL), 1);
        ck_assert(fake_host_logged(dv.fh, "relative"));
    }
    ck_assert_int_eq(dv.ops->put(dv.priv, id, &err), 0);
    ck_assert_uint_eq(mounts_under(scratch, NULL), 0);
    for (i = 124; i >= 0; i--) {
        snprintf(id, sizeof id, "%x", 0x100 + i);
        ck_assert_int_eq(dv.ops->remove(dv.priv, id, &err), 0);
    }
    drv_close(&dv);
}
END_TEST

static const struct ent hostile[] = {
    F("fine", "ok"), L("up", "../../.."), F("up/escaped", "x"), END,
};

START_TEST(test_storage_errors)
{
    struct drv dv;
    dctl_error_t err = NULL;
    const char *path = NULL;
    cleanup_close int fd = -1;
    cleanup_free char *outside = xasprintf("%s/escaped", scratch);

    if (!drv_open(&dv, drivers[_i]))
        return;
    layer_make(&dv, L1, NULL, layer1, 5);

    ck_assert_int_eq(dv.ops->create(dv.priv, L1, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_CONFLICT);
    dctl_error_clear(&err);
    ck_assert_int_eq(dv.ops->create(dv.priv, "44", "99", &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    ck_assert(!dv.ops->exists(dv.priv, "44"));
    dctl_error_clear(&err);
    ck_assert_int_eq(dv.ops->create(dv.priv, "../x", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);
    ck_assert_int_eq(dv.ops->create(dv.priv, "l", NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    dctl_error_clear(&err);
    ck_assert_int_eq(dv.ops->get(dv.priv, "99", &path, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_NOT_FOUND);
    dctl_error_clear(&err);

    /* A hostile layer fails naming the entry; the caller removes it. */
    ck_assert_int_eq(dv.ops->create(dv.priv, "bad", L1, &err), 0);
    fd = archive_fd(hostile);
    ck_assert_int_eq(dv.ops->apply_diff(dv.priv, "bad", L1, fd, NULL, &err), -1);
    ck_assert_int_eq(err->kind, DCTL_ERR_INVALID);
    ck_assert_msg(strstr(err->msg, "\"up/escaped\"") != NULL, "%s", err->msg);
    dctl_error_clear(&err);
    ck_assert_int_ne(access(outside, F_OK), 0);
    ck_assert_int_eq(dv.ops->remove(dv.priv, "bad", &err), 0);
    ck_assert(!dv.ops->exists(dv.priv, "bad"));

    /* cleanup() lifts what is still mounted. */
    layer_make(&dv, L2, L1, layer2, 2);
    ck_assert_int_eq(dv.ops->get(dv.priv, L2, &path, &err), 0);
    ck_assert_int_eq(dv.ops->cleanup(dv.priv, &err), 0);
    ck_assert_uint_eq(mounts_under(scratch, NULL), 0);
    drv_close(&dv);
}
END_TEST

/* The daemon runs blocking ops as worker jobs: apply_diff through submit(). */
struct apply_job {
    struct drv *dv;
    int fd, status;
    int64_t size;
    char *msg;
};

static int
apply_job_run(void *job, dctl_error_t *err)
{
    struct apply_job *j = job;

    return j->dv->ops->apply_diff(j->dv->priv, L2, L1, j->fd, &j->size, err);
}

static void
apply_job_done(void *job, int status, dctl_error_t err)
{
    struct apply_job *j = job;

    j->status = status;
    j->msg = err ? xstrdup(err->msg) : NULL;
    dctl_error_free(err);
}

START_TEST(test_storage_job)
{
    struct drv dv;
    dctl_error_t err = NULL;
    struct apply_job j = { .dv = &dv, .status = 99 };

    if (!drv_open(&dv, drivers[_i]))
        return;
    layer_make(&dv, L1, NULL, layer1, 5);
    ck_assert_int_eq(dv.ops->create(dv.priv, L2, L1, &err), 0);
    j.fd = archive_fd(layer2);
    ck_assert_int_eq(dv.fh->host.submit(dv.fh->host.host_priv, apply_job_run, apply_job_done,
                                        &j, &err),
                     0);
    close(j.fd);
    ck_assert_uint_eq(dv.fh->jobs, 1);
    ck_assert_msg(j.status == 0, "%s", j.msg ? j.msg : "");
    ck_assert_int_eq(j.size, 2);
    free(j.msg);
    drv_close(&dv);
}
END_TEST

static Suite *
storage_suite(void)
{
    Suite *s = suite_create("storage");
    TCase *tc = tcase_create("drivers");

    tcase_add_unchecked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_storage_stack, 0, ARRAY_SIZE(drivers));
    tcase_add_loop_test(tc, test_storage_changes, 0, ARRAY_SIZE(drivers));
    tcase_add_loop_test(tc, test_storage_diff, 0, ARRAY_SIZE(drivers));
    tcase_add_loop_test(tc, test_storage_deep, 0, ARRAY_SIZE(drivers));
    tcase_add_loop_test(tc, test_storage_errors, 0, ARRAY_SIZE(drivers));
    tcase_add_loop_test(tc, test_storage_job, 0, ARRAY_SIZE(drivers));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    if (geteuid() != 0) {
        fprintf(stderr, "test-storage: skipped: needs root (mounts, owners, devices)\n");
        return 77;
    }
    /* A private mount namespace: whatever a failing test leaves mounted goes
     * away with this process. */
    if (unshare(CLONE_NEWNS) == 0)
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    sr = srunner_create(storage_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
