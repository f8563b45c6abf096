/* daemon/refstore.c - references to image IDs: a json-c tree {familiar name: {familiar
 * string: id}} in memory, written whole to repositories.json on every change. A change is
 * made on a copy of the tree that replaces the current one only once it is on disk. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "refstore.h"

struct refstore {
    pthread_mutex_t lock;
    char *path;
    struct json_object *repos; /* owned; {name: {refstr: id}} */
};

static int
refstore_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of object o, sorted; lent from o, in a malloc'd array. */
static const char **
refstore_sorted_keys(struct json_object *o, size_t *n)
{
    const char **keys = xcalloc((size_t)json_object_object_length(o) + 1, sizeof *keys);
    size_t i = 0;

    json_object_object_foreach(o, key, val) {
        (void)val;
        keys[i++] = key;
    }
    qsort(keys, i, sizeof *keys, refstore_strcmp);
    *n = i;
    return keys;
}

/* {"Repositories": repos} with keys sorted at both levels, as Go's encoding/json writes. */
static char *
refstore_serialize(struct json_object *repos)
{
    cleanup_json struct json_object *top = json_object_new_object();
    struct json_object *sorted = json_object_new_object();
    cleanup_free const char **names = NULL;
    size_t nn, i, j;

    json_object_object_add(top, "Repositories", sorted);
    names = refstore_sorted_keys(repos, &nn);
    for (i = 0; i < nn; i++) {
        struct json_object *repo = json_object_object_get(repos, names[i]);
        struct json_object *out = json_object_new_object();
        cleanup_free const char **refs = NULL;
        size_t nr;

        refs = refstore_sorted_keys(repo, &nr);
        for (j = 0; j < nr; j++)
            json_object_object_add(out, refs[j],
                                   json_object_get(json_object_object_get(repo, refs[j])));
        json_object_object_add(sorted, names[i], out);
    }
    return json_to_string(top);
}

/* Writes repos to the file; the caller holds the lock. */
static int
refstore_save(struct refstore *rs, struct json_object *repos, dctl_error_t *err)
{
    cleanup_free char *text = refstore_serialize(repos);

    if (file_write_atomic(AT_FDCWD, rs->path, text, strlen(text), 0600, err) < 0)
        return dctl_error_prefix(err, "save references");
    return 0;
}

/* Parses a repositories.json text into a fresh tree, skipping entries that are not
 * valid references to valid IDs. */
static struct json_object *
refstore_parse(const char *path, const char *text, size_t len, dctl_error_t *err)
{
    cleanup_json struct json_object *top = json_parse_object(text, len, path, err);
    struct json_object *in, *repos;

    if (top == NULL)
        return NULL;
    repos = json_object_new_object();
    if (!json_object_object_get_ex(top, "Repositories", &in) ||
        !json_object_is_type(in, json_type_object))
        return repos;
    json_object_object_foreach(in, name, repo) {
        if (!json_object_is_type(repo, json_type_object))
            continue;
        json_object_object_foreach(repo, refstr, idobj) {
            cleanup_reference struct reference *ref = NULL;
            cleanup_free char *fname = NULL, *fstr = NULL;
            const char *id = json_object_get_string(idobj);
            struct json_object *dst;

            ref = reference_parse_normalized(refstr, NULL);
            if (ref == NULL || !json_object_is_type(idobj, json_type_string) ||
                digest_validate_sha256(id, NULL) < 0) {
                log_warn("%s: skipping invalid reference %s in %s", path, refstr, name);
                continue;
            }
            /* re-keyed from the reference itself, so a hand-edited file cannot file a
             * reference under another repository */
            fname = reference_familiar_name(ref);
            fstr = reference_familiar_string(ref);
            if (!json_object_object_get_ex(repos, fname, &dst)) {
                dst = json_object_new_object();
                json_object_object_add(repos, fname, dst);
            }
            json_object_object_add(dst, fstr, json_object_new_string(id));
        }
    }
    return repos;
}

static struct json_object *
refstore_load(const char *path, dctl_error_t *err)
{
    cleanup_free char *text = NULL;
    cleanup_error dctl_error_t rerr = NULL;
    struct json_object *repos;
    size_t len;

    text = file_read_all(AT_FDCWD, path, &len, &rerr);
    if (text == NULL) {
        if (rerr->kind == DCTL_ERR_NOT_FOUND)
            return json_object_new_object();
        if (err && *err == NULL)
            *err = steal_ptr(&rerr);
        return NULL;
    }
    repos = refstore_parse(path, text, len, err);
    if (repos == NULL && err && *err)
        (*err)->kind = DCTL_ERR_INTERNAL; /* our own file is corrupt: not the client's fault */
    return repos;
}

struct refstore *
refstore_open(const char *path, dctl_error_t *err)
{
    const char *slash = strrchr(path, '/');
    struct refstore *rs;
    struct json_object *repos;

    if (slash && slash != path) {
        cleanup_free char *dir = xstrndup(path, (size_t)(slash - path));

        if (file_mkdir_p(dir, 0700, err) < 0) {
            dctl_error_prefix(err, "reference store");
            return NULL;
        }
    }
    repos = refstore_load(path, err);
    if (repos == NULL) {
        dctl_error_prefix(err, "reference store");
        return NULL;
    }
    rs = xcalloc(1, sizeof *rs);
    pthread_mutex_init(&rs->lock, NULL);
    rs->path = xstrdup(path);
    rs->repos = repos;
    return rs;
}

void
refstore_free(struct refstore *rs)
{
    if (rs == NULL)
        return;
    json_object_put(rs->repos);
    pthread_mutex_destroy(&rs->lock);
    free(rs->path);
    free(rs);
}

int
refstore_reload(struct refstore *rs, dctl_error_t *err)
{
    struct json_object *repos = refstore_load(rs->path, err);

    if (repos == NULL)
        return dctl_error_prefix(err, "reference store");
    pthread_mutex_lock(&rs->lock);
    json_object_put(rs->repos);
    rs->repos = repos;
    pthread_mutex_unlock(&rs->lock);
    return 0;
}

/* The key form of ref for lookups: a digest wins over a tag, and a bare name means
 * "latest" (moby: favorDigest + TagNameOnly). NULL with *err for a digest-only ref. */
static struct reference *
refstore_key_ref(const struct reference *ref, dctl_error_t *err)
{
    struct reference *k;

    if (ref->path == NULL) {
        dctl_error_set(err, DCTL_ERR_INVALID, 0, "reference %s has no name", ref->digest);
        return NULL;
    }
    k = reference_dup(ref);
    if (k->digest && k->tag) {
        free(k->tag);
        k->tag = NULL;
    }
    reference_tag_name_only(k);
    return k;
}

static int
refstore_add(struct refstore *rs, const struct reference *key, const char *id, bool force,
             dctl_error_t *err)
{
    cleanup_free char *name = reference_familiar_name(key);
    cleanup_free char *refstr = reference_familiar_string(key);
    cleanup_json struct json_object *next = NULL;
    struct json_object *repo, *old;
    int rc = -1;

    if (strcmp(name, digest_algorithm_name(DIGEST_SHA256)) == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "refusing to create an ambiguous tag using digest algorithm as name");
    if (digest_validate_sha256(id, err) < 0)
        return dctl_error_prefix(err, "invalid image ID %s", id);

    pthread_mutex_lock(&rs->lock);
    if (json_object_object_get_ex(rs->repos, name, &repo) &&
        json_object_object_get_ex(repo, refstr, &old)) {
        const char *oldid = json_object_get_string(old);

        if (strcmp(oldid, id) == 0) {
            rc = 0;
            goto out;
        }
        if (key->digest) {
            dctl_error_set(err, DCTL_ERR_CONFLICT, 0, "Cannot overwrite digest %s", key->digest);
            goto out;
        }
        if (!force) {
            dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                           "Conflict: Tag %s is already set to image %s, if you want to replace "
                           "it, please use the force option",
                           refstr, oldid);
            goto out;
        }
    }
    if (json_object_deep_copy(rs->repos, &next, NULL) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "copy references");
        goto out;
    }
    if (!json_object_object_get_ex(next, name, &repo)) {
        repo = json_object_new_object();
        json_object_object_add(next, name, repo);
    }
    json_object_object_add(repo, refstr, json_object_new_string(id));
    if (refstore_save(rs, next, err) < 0)
        goto out;
    json_object_put(rs->repos);
    rs->repos = steal_ptr(&next);
    rc = 0;
out:
    pthread_mutex_unlock(&rs->lock);
    return rc;
}

int
refstore_add_tag(struct refstore *rs, const struct reference *ref, const char *id, bool force,
                 dctl_error_t *err)
{
    cleanup_reference struct reference *key = NULL;

    if (ref->digest)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                              "refusing to create a tag with a digest reference");
    key = refstore_key_ref(ref, err);
    if (key == NULL)
        return -1;
    return refstore_add(rs, key, id, force, err);
}

int
refstore_add_digest(struct refstore *rs, const struct reference *ref, const char *id,
                    bool force, dctl_error_t *err)
{
    cleanup_reference struct reference *key = NULL;
    cleanup_free char *s = NULL;

    if (ref->digest == NULL) {
        s = reference_familiar_string(ref);
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "reference %s has no digest", s);
    }
    key = refstore_key_ref(ref, err);
    if (key == NULL)
        return -1;
    return refstore_add(rs, key, id, force, err);
}

int
refstore_delete(struct refstore *rs, const struct reference *ref, dctl_error_t *err)
{
    cleanup_reference struct reference *key = refstore_key_ref(ref, err);
    cleanup_free char *name = NULL, *refstr = NULL;
    cleanup_json struct json_object *next = NULL;
    struct json_object *repo;
    int rc = -1;

    if (key == NULL)
        return -1;
    name = reference_familiar_name(key);
    refstr = reference_familiar_string(key);
    pthread_mutex_lock(&rs->lock);
    if (!json_object_object_get_ex(rs->repos, name, &repo) ||
        !json_object_object_get_ex(repo, refstr, NULL)) {
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "reference does not exist");
        goto out;
    }
    if (json_object_deep_copy(rs->repos, &next, NULL) < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "copy references");
        goto out;
    }
    json_object_object_get_ex(next, name, &repo);
    json_object_object_del(repo, refstr);
    if (json_object_object_length(repo) == 0)
        json_object_object_del(next, name);
    if (refstore_save(rs, next, err) < 0)
        goto out;
    json_object_put(rs->repos);
    rs->repos = steal_ptr(&next);
    rc = 0;
out:
    pthread_mutex_unlock(&rs->lock);
    return rc;
}

int
refstore_get(struct refstore *rs, const struct reference *ref, char id[DIGEST_STRING_MAX],
             dctl_error_t *err)
{
    cleanup_reference struct reference *key = refstore_key_ref(ref, err);
    cleanup_free char *name = NULL, *refstr = NULL;
    struct json_object *repo, *val;
    int rc = -1;

    if (key == NULL)
        return -1;
    name = reference_familiar_name(key);
    refstr = reference_familiar_string(key);
    pthread_mutex_lock(&rs->lock);
    if (json_object_object_get_ex(rs->repos, name, &repo) &&
        json_object_object_get_ex(repo, refstr, &val)) {
        snprintf(id, DIGEST_STRING_MAX, "%s", json_object_get_string(val));
        rc = 0;
    } else {
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "reference does not exist");
    }
    pthread_mutex_unlock(&rs->lock);
    return rc;
}

static int
refstore_assoc_cmp(const void *a, const void *b)
{
    const struct refstore_assoc *x = a, *y = b;
    cleanup_free char *sx = reference_familiar_string(x->ref);
    cleanup_free char *sy = reference_familiar_string(y->ref);

    return strcmp(sx, sy);
}

/* Appends every entry of repo whose ID is id (any ID when id is NULL). */
static void
refstore_collect(struct json_object *repo, const char *id, struct refstore_assoc **out,
                 size_t *n, size_t *cap)
{
    json_object_object_foreach(repo, refstr, val) {
        struct reference *ref;

        if (id && strcmp(json_object_get_string(val), id) != 0)
            continue;
        ref = reference_parse_normalized(refstr, NULL);
        if (ref == NULL)
            continue; /* refstore_parse admits only valid keys; never here */
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            *out = xrealloc(*out, *cap * sizeof **out);
        }
        (*out)[*n].ref = ref;
        snprintf((*out)[*n].id, DIGEST_STRING_MAX, "%s", json_object_get_string(val));
        (*n)++;
    }
}

struct reference **
refstore_references(struct refstore *rs, const char *id, size_t *n)
{
    struct refstore_assoc *assoc = NULL;
    struct reference **refs;
    size_t count = 0, cap = 0, i;

    pthread_mutex_lock(&rs->lock);
    json_object_object_foreach(rs->repos, name, repo) {
        (void)name;
        refstore_collect(repo, id, &assoc, &count, &cap);
    }
    pthread_mutex_unlock(&rs->lock);
    if (count > 1)
        qsort(assoc, count, sizeof *assoc, refstore_assoc_cmp);
    refs = xcalloc(count + 1, sizeof *refs);
    for (i = 0; i < count; i++)
        refs[i] = assoc[i].ref;
    free(assoc);
    if (n)
        *n = count;
    return refs;
}

struct refstore_assoc *
refstore_references_by_name(struct refstore *rs, const struct reference *ref, size_t *n)
{
    cleanup_free char *name = reference_familiar_name(ref);
    struct refstore_assoc *assoc = NULL;
    struct json_object *repo;
    size_t count = 0, cap = 0;

    pthread_mutex_lock(&rs->lock);
    if (name && json_object_object_get_ex(rs->repos, name, &repo))
        refstore_collect(repo, NULL, &assoc, &count, &cap);
    pthread_mutex_unlock(&rs->lock);
    if (count > 1)
        qsort(assoc, count, sizeof *assoc, refstore_assoc_cmp);
    if (assoc == NULL)
        assoc = xcalloc(1, sizeof *assoc);
    *n = count;
    return assoc;
}

void
refstore_assoc_free(struct refstore_assoc *assoc, size_t n)
{
    size_t i;

    if (assoc == NULL)
        return;
    for (i = 0; i < n; i++)
        reference_free(assoc[i].ref);
    free(assoc);
}
